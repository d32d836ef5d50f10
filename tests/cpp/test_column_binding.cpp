// Tests of src/io/column_binding.hpp: the `--map` file loader (format, errors with their row
// and rule, bounded reading whatever the file) and the binding of header columns to items
// (declared column, aliases, item id, Kobo/ODK group prefixes, label headers, --map,
// duplicates).
#include "io/column_binding.hpp"
#include "io/table.hpp"

#include <reinscore/detail/json.hpp>
#include <reinscore/error.hpp>
#include <reinscore/instrument.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using reinscore::input_error;
using reinscore::Instrument;
using reinscore::io::bind_columns;
using reinscore::io::ColumnBinding;
using reinscore::io::HeaderProblem;
using reinscore::io::load_column_map;
using Map = std::map<std::string, std::string>;
using Header = std::vector<std::string>;

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

/// tests/data/instruments/mini.json (items e1 e2 e3 s1 s2 p1 p2, columns = ids) with e1
/// given its own column, two aliases and a question, and s1 a question.
Instrument named_instrument() {
  auto doc = reinscore::detail::parse_text(
      reinscore::detail::read_small_file(REINSCORE_TEST_DATA_DIR "/instruments/mini.json", "test"),
      "mini.json");
  auto& items = doc.as_object()["items"].as_array();
  auto& e1 = items[0].as_object();
  e1["column"] = "q_e1";
  e1["aliases"] = boost::json::array{"econ1", "old_e1"};
  e1["question"] = "How is your  Income?";
  items[3].as_object()["question"] = "Do you feel welcome here?";
  return Instrument::from_json(doc, "mini.json");
}

/// The input column bound to item `id`, or "-" when it has none.
std::string bound(const ColumnBinding& b, const Instrument& ins, const std::string& id) {
  const std::size_t k = ins.item_index(id);
  return b.item_column[k] == ColumnBinding::none ? "-" : b.header[b.item_column[k]];
}

/// Rules of the problems, with the column each names: "rule:column".
std::vector<std::string> problems(const ColumnBinding& b) {
  std::vector<std::string> out;
  for (const HeaderProblem& p : b.problems)
    out.push_back(p.rule + ":" + p.column + (p.fatal ? "" : " (not fatal)"));
  return out;
}

/// The other six items by their ids, after `first` for e1.
Header with_e1(const std::string& first) { return {first, "e2", "e3", "s1", "s2", "p1", "p2"}; }

TEST(BindColumns, DeclaredColumnAliasesAndId) {
  const Instrument ins = named_instrument();
  for (const std::string name : {"q_e1", "econ1", "old_e1", "e1"}) {
    const auto b = bind_columns(ins, with_e1(name));
    EXPECT_EQ(bound(b, ins, "e1"), name);
    EXPECT_EQ(b.matched, 7u) << name;
    EXPECT_TRUE(b.problems.empty()) << name << ": " << testing::PrintToString(problems(b));
  }
  // Names are matched exactly: case and white space count (labels are folded, names not).
  for (const std::string name : {"Q_E1", " q_e1", "q_e1 "}) {
    const auto b = bind_columns(ins, with_e1(name));
    EXPECT_EQ(bound(b, ins, "e1"), "-") << name;
    EXPECT_EQ(b.matched, 6u);
    EXPECT_EQ(problems(b), (std::vector<std::string>{"missing_column:q_e1"})) << name;
    EXPECT_EQ(b.column_name(ins, ins.item_index("e1")), "e1") << "unbound: the item id";
  }
  const auto b = bind_columns(ins, with_e1("econ1"));
  EXPECT_EQ(b.column_name(ins, ins.item_index("e1")), "econ1") << "bound: the file's name";
}

TEST(BindColumns, KoboGroupPrefixesWithSlash) {
  const Instrument ins = named_instrument();
  const Header h{"group_econ/q_e1", "survey/group_econ/e2", "/e3", "grp/econ1/s1",
                 "a/b/c/d/s2",      "group_psy/p1",         "p2"};
  const auto b = bind_columns(ins, h);
  EXPECT_EQ(b.matched, 7u) << testing::PrintToString(problems(b));
  EXPECT_EQ(bound(b, ins, "e1"), "group_econ/q_e1");
  EXPECT_EQ(bound(b, ins, "e2"), "survey/group_econ/e2");
  EXPECT_EQ(bound(b, ins, "e3"), "/e3");
  // Only the part after the last '/' names the item ("econ1" is a group here, not e1).
  EXPECT_EQ(bound(b, ins, "s1"), "grp/econ1/s1");
  EXPECT_EQ(bound(b, ins, "s2"), "a/b/c/d/s2");
  EXPECT_EQ(bound(b, ins, "p1"), "group_psy/p1");
  // A trailing separator leaves no name.
  EXPECT_EQ(bound(bind_columns(ins, with_e1("q_e1/")), ins, "e1"), "-");
}

TEST(BindColumns, LabelHeaders) {
  const Instrument ins = named_instrument();
  // The question text as header, case and runs of white space folded.
  auto h = with_e1("  how IS your income? ");
  h[3] = "DO YOU FEEL\twelcome here?";
  const auto b = bind_columns(ins, h);
  EXPECT_EQ(bound(b, ins, "e1"), "  how IS your income? ");
  EXPECT_EQ(bound(b, ins, "s1"), "DO YOU FEEL\twelcome here?");
  EXPECT_EQ(b.matched, 7u);
  // An item without a question is never matched by its (empty) label; a near label is not
  // a label.
  EXPECT_EQ(bound(bind_columns(ins, with_e1("")), ins, "e1"), "-");
  EXPECT_EQ(bound(bind_columns(ins, with_e1("How is your income")), ins, "e1"), "-");
  // The item's name wins over a label header of the same item: two columns claim e1.
  auto both = with_e1("q_e1");
  both.push_back("How is your income?");
  const auto d = bind_columns(ins, both);
  EXPECT_EQ(bound(d, ins, "e1"), "-");
  EXPECT_EQ(problems(d), (std::vector<std::string>{"duplicate_column:q_e1"}));
}

TEST(BindColumns, ExplicitMapOverridesNames) {
  const Instrument ins = named_instrument();
  // Q1 feeds e1; the map wins over the names: "e2" is mapped to s2, so e2 has no column
  // and the file's "s2" column claims s2 as well.
  const Header h{"Q1", "e2", "e3", "s1", "s2", "p1", "p2"};
  const auto plain = bind_columns(ins, h, {{"Q1", "e1"}});
  EXPECT_EQ(bound(plain, ins, "e1"), "Q1");
  EXPECT_EQ(plain.matched, 7u);
  EXPECT_TRUE(plain.problems.empty()) << testing::PrintToString(problems(plain));

  const auto moved = bind_columns(ins, h, {{"Q1", "e1"}, {"e2", "s2"}});
  EXPECT_EQ(bound(moved, ins, "e2"), "-");
  EXPECT_EQ(bound(moved, ins, "s2"), "-");
  ASSERT_EQ(problems(moved),
            (std::vector<std::string>{"missing_column:e2", "duplicate_column:e2"}));
  for (const auto& p : moved.problems) EXPECT_TRUE(p.fatal) << p.rule;
  EXPECT_NE(moved.problems[1].message.find("(columns 2, 5)"), std::string::npos)
      << moved.problems[1].message;

  // A map entry naming an unknown item leaves its column unbound (it is not matched by
  // name either); one naming a column the file lacks is reported.
  const auto unknown = bind_columns(ins, with_e1("e1"), {{"e1", "nope"}, {"absent", "e2"}});
  EXPECT_EQ(bound(unknown, ins, "e1"), "-");
  EXPECT_EQ(bound(unknown, ins, "e2"), "e2") << "the map does not take e2 from its column";
  EXPECT_EQ(problems(unknown),
            (std::vector<std::string>{"unknown_map_column:absent", "unknown_map_item:e1",
                                      "missing_column:q_e1"}));
}

TEST(BindColumns, DuplicateColumns) {
  const Instrument ins = named_instrument();
  // Two columns for one item (its name and an alias): fatal, naming both positions.
  auto h = with_e1("q_e1");
  h.push_back("old_e1");
  const auto b = bind_columns(ins, h);
  EXPECT_EQ(bound(b, ins, "e1"), "-");
  EXPECT_EQ(b.matched, 6u);
  ASSERT_EQ(b.problems.size(), 1u);
  EXPECT_EQ(b.problems[0].rule, "duplicate_column");
  EXPECT_EQ(b.problems[0].column, "q_e1");
  EXPECT_TRUE(b.problems[0].fatal);
  EXPECT_NE(b.problems[0].message.find("item 'e1' matches more than one column (columns 1, 8)"),
            std::string::npos)
      << b.problems[0].message;

  // The same header name twice: for an item, fatal once; for another column, a note.
  auto twice = with_e1("q_e1");
  twice.insert(twice.begin(), {"note", "e3"});
  twice.push_back("note");
  twice.push_back("note");
  const auto t = bind_columns(ins, twice);
  ASSERT_EQ(problems(t),
            (std::vector<std::string>{"duplicate_column:e3", "duplicate_column:note (not fatal)"}));
  EXPECT_NE(t.problems[1].message.find("appears 3 times"), std::string::npos);
  EXPECT_EQ(t.find("note"), 0u) << "find() gives the first";
  EXPECT_EQ(t.find("absent"), ColumnBinding::none);
}

TEST(BindColumns, DeclaredColumnsTakePrecedenceOverIds) {
  // Item a reads column "x"; item b reads column "a" (say, numbering shifted between two
  // versions of a questionnaire). A file with columns x and a must bind x to item a and
  // a to item b: a declared column name is an exact match, the id only a fallback.
  const auto ins = Instrument::parse(R"({
    "format": "reinscore-instrument/1", "id": "shift", "version": "1",
    "dimensions": ["d"],
    "scales": {"yn": {"type": "categorical", "codes": [
      {"code": "no", "value": 0}, {"code": "yes", "value": 1}]}},
    "items": [{"id": "a", "column": "x", "dimension": "d", "scale": "yn"},
              {"id": "b", "column": "a", "dimension": "d", "scale": "yn"}],
    "coverage": {"min_share": 0.5},
    "thresholds": {"score": "composite", "categories": [{"label": "all", "min": 0}]},
    "default_weights": "equal",
    "weight_sets": {"equal": {"composite": {"mode": "dimension", "weights": {"d": 1}},
                              "items": {"a": {"dimension": 1}, "b": {"dimension": 1}}}}})");
  const auto b = bind_columns(ins, {"x", "a"});
  EXPECT_EQ(bound(b, ins, "a"), "x");
  EXPECT_EQ(bound(b, ins, "b"), "a");
  EXPECT_TRUE(b.problems.empty()) << testing::PrintToString(problems(b));
}

}  // namespace
