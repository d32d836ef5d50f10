// app::describe_instrument (include/reinscore/app/instrument_info.hpp): the tables
// `instrument show` prints and Python's Instrument.describe() returns.
#include <reinscore/app/instrument_info.hpp>
#include <reinscore/app/options.hpp>
#include <reinscore/app/render.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <string>

using namespace reinscore;

namespace {

const Instrument& mini() {
  static const Instrument ins = Instrument::load(REINSCORE_TEST_DATA_DIR "/instruments/mini.json");
  return ins;
}

std::string field(const app::Table& t, const std::string& name) {
  for (std::size_t r = 0; r < t.rows(); ++r)
    if (t.columns[0].text[r] == name) return t.columns[1].text[r];
  return "<none>";
}

}  // namespace

TEST(AppDescribeInstrument, OneTablePerPartWithEveryRow) {
  const Instrument& ins = mini();
  const app::Report r = app::describe_instrument(ins);
  const auto& head = r.table("instrument");
  EXPECT_EQ(field(head, "tag"), ins.tag());
  EXPECT_EQ(field(head, "sha256"), ins.hash());
  EXPECT_EQ(field(head, "coverage_min_share"), app::number_text(ins.coverage_min_share));
  EXPECT_EQ(field(head, "default_weights"), ins.default_weights);
  EXPECT_EQ(r.table("items").rows(), ins.items.size());
  EXPECT_EQ(r.table("scales").rows(), ins.scales.size());
  ASSERT_TRUE(ins.thresholds);
  EXPECT_EQ(r.table("categories").rows(), ins.thresholds->categories.size());
  EXPECT_EQ(r.table("weight_sets").rows(), ins.weight_sets.size());
  EXPECT_EQ(r.table("item_weights").rows(), ins.weight_sets.size() * ins.items.size());
  // Only the dimension-mode set ("dims") has composite weights per dimension.
  const auto& dims = r.table("dimension_weights");
  EXPECT_EQ(dims.rows(), ins.dimensions.size());
  for (std::size_t i = 0; i < dims.rows(); ++i) EXPECT_EQ(dims.columns[0].text[i], "dims");
  EXPECT_EQ(dims.columns[1].text[0], "econ");
  EXPECT_DOUBLE_EQ(dims.columns[2].values[0], 2 * dims.columns[2].values[1]);  // 2 : 1 : 1
}

TEST(AppDescribeInstrument, CompositeWeightsAreMissingInDimensionMode) {
  const app::Report r = app::describe_instrument(mini());
  const auto& w = r.table("item_weights");
  for (std::size_t i = 0; i < w.rows(); ++i) {
    const bool item_mode = w.columns[0].text[i] == "items";
    EXPECT_EQ(w.columns[4].cell(i), item_mode ? app::Cell::value : app::Cell::missing) << i;
  }
  // e1 counts twice e2 in the composite of the item-mode set.
  EXPECT_DOUBLE_EQ(w.columns[4].values[0], 2 * w.columns[4].values[1]);
  const std::string csv = app::render(w, app::Format::csv);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "weight_set,item,dimension,dimension_weight,composite_weight");
  EXPECT_NE(csv.find("\ndims,e1,econ,"), std::string::npos);
}

TEST(AppDescribeInstrument, ScalesListCodesAndMissingMeanings) {
  const app::Report r = app::describe_instrument(mini());
  const auto& s = r.table("scales");
  for (std::size_t i = 0; i < s.rows(); ++i) {
    if (s.columns[1].text[i] == "numeric") {
      EXPECT_TRUE(std::isfinite(s.columns[2].values[i]) && std::isfinite(s.columns[3].values[i]));
    } else {
      EXPECT_NE(s.columns[4].text[i].find('='), std::string::npos) << s.columns[0].text[i];
    }
  }
}

TEST(AppDescribeInstrument, NotesSayProvisionalAndTheCoverageRule) {
  const app::Report r = app::describe_instrument(mini());
  std::string notes;
  for (const auto& n : r.notes) notes += n.text + "\n";
  EXPECT_NE(notes.find("at least 50% of its applicable item weight"), std::string::npos) << notes;
  EXPECT_EQ(notes.find("PROVISIONAL"),
            mini().provisional ? notes.find("PROVISIONAL") : std::string::npos);
}

TEST(AppDescribeInstrument, KeepOnlyNamesTheTablesWhenWrong) {
  app::Report r = app::describe_instrument(mini());
  try {
    r.keep_only("nope");
    FAIL();
  } catch (const app::option_error& e) {
    EXPECT_EQ(e.option(), "--table");
    EXPECT_NE(std::string(e.what()).find("instrument, items, scales"), std::string::npos);
  }
  r.keep_only("scales");
  ASSERT_EQ(r.tables.size(), 1u);
  EXPECT_EQ(r.tables[0].name, "scales");
}
