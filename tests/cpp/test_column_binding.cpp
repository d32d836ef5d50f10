// Tests of src/io/column_binding.hpp: the `--map` file loader (format, errors with their row
// and rule, bounded reading whatever the file) and the binding of header columns to items.
#include "io/column_binding.hpp"
#include "io/table.hpp"

#include <reinscore/error.hpp>
#include <reinscore/instrument.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

namespace {

using reinscore::input_error;
using reinscore::Instrument;
using reinscore::io::bind_columns;
using reinscore::io::load_column_map;
using Map = std::map<std::string, std::string>;

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / ("reinscore_test_map_" + name)).string();
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path;
}

/// load_column_map(text) must throw input_error with `rule` at `row`.
::testing::AssertionResult MapRejected(const std::string& name, const std::string& text,
                                       const std::string& rule, std::size_t row) {
  try {
    (void)load_column_map(write_temp(name, text));
  } catch (const input_error& e) {
    if (e.rule() != rule || e.row() != row)
      return ::testing::AssertionFailure()
             << "rule " << e.rule() << " row " << e.row() << ": " << e.what();
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "accepted the map";
}

std::string error_of(const std::string& path) {
  try {
    (void)load_column_map(path);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

TEST(ColumnMap, Format) {
  EXPECT_EQ(load_column_map(write_temp("plain.csv", "column,item\nq1,e1\n\n\"q,2\",e2\n")),
            (Map{{"q1", "e1"}, {"q,2", "e2"}}));
  EXPECT_EQ(load_column_map(write_temp("bom.csv", "\xEF\xBB\xBFq1;e1\r\nq2;e2")),
            (Map{{"q1", "e1"}, {"q2", "e2"}}));
  EXPECT_TRUE(load_column_map(write_temp("empty.csv", "")).empty());
}

TEST(ColumnMap, ErrorsNameTheRowAndRule) {
  EXPECT_TRUE(MapRejected("three.csv", "column,item\nq1,e1\nq2,e2,x\n", "column_map", 3));
  EXPECT_TRUE(MapRejected("one.csv", "q1\n", "column_map", 1));
  EXPECT_TRUE(MapRejected("quote.csv", "q1,\"e1\n", "column_map", 1));
  EXPECT_TRUE(MapRejected("twice.csv", "q1,e1\nq1,e2\n", "column_map", 2));
  // A line of ten million delimiters is rejected at its third field.
  EXPECT_TRUE(
      MapRejected("commas.csv", "q1,e1\n" + std::string(10000000, ',') + "\n", "column_map", 2));
}

TEST(ColumnMap, AtMostAsManyEntriesAsATableHasColumns) {
  const std::size_t limit = reinscore::io::Limits{}.max_columns;
  std::string text = "column,item\n";
  for (std::size_t i = 0; i < limit; ++i) {
    text += 'c';  // appended piece by piece: gcc 12 warns (falsely) on "c" + to_string(i)
    text += std::to_string(i);
    text += ",e1\n";
  }
  EXPECT_EQ(load_column_map(write_temp("full.csv", text)).size(), limit);
  text += "one_more,e1\n";
  EXPECT_TRUE(MapRejected("over.csv", text, "too_many_columns", limit + 2));
}

TEST(ColumnMap, DevicesDirectoriesAndMissingFilesFailFast) {
  // /dev/zero never ends: read only up to the small-file limit.
  EXPECT_NE(error_of("/dev/zero").find("[not_a_file]"), std::string::npos);
  EXPECT_NE(error_of(::testing::TempDir()).find("[not_a_file]"), std::string::npos);
  EXPECT_NE(error_of(::testing::TempDir() + "/reinscore_no_such_map.csv").find("[unreadable_file]"),
            std::string::npos);
}

TEST(ColumnMap, ValuesAreNamesNeverPaths) {
  // A map naming a device or a directory is just a map from names to names: binding it
  // reports an unknown item and column; nothing is opened.
  const Map m = load_column_map(write_temp("paths.csv", "/dev/zero,/etc/passwd\n"));
  EXPECT_EQ(m, (Map{{"/dev/zero", "/etc/passwd"}}));
  const Instrument ins = Instrument::load(REINSCORE_TEST_DATA_DIR "/instruments/mini.json");
  const auto b = bind_columns(ins, {"a"}, m);
  bool unknown_item = false, unknown_column = false;
  for (const auto& p : b.problems) {
    unknown_item = unknown_item || p.rule == "unknown_map_item";
    unknown_column = unknown_column || p.rule == "unknown_map_column";
  }
  EXPECT_TRUE(unknown_item);
  EXPECT_TRUE(unknown_column);
}

}  // namespace
