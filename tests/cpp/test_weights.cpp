// Tests of include/reinscore/weights.hpp: weight sets imported from a CSV table (item
// and dimension composite modes, every error with its row and column, delimiters, BOM,
// quotes), scoring with an imported table, and JSON weight files written by
// weights_to_json and read back by load_weights.
#include <reinscore/reinscore.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using namespace reinscore;

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

const Instrument& mini() {
  static const Instrument ins = Instrument::load(REINSCORE_TEST_DATA_DIR "/instruments/mini.json");
  return ins;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / ("reinscore_test_weights_" + name)).string();
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path;
}

CodedBlock code_rows(const Instrument& ins, const std::vector<std::vector<std::string>>& rows) {
  Coder coder(ins);
  CodedBlock b;
  b.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(ins.items.size()));
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t k = 0; k < ins.items.size(); ++k)
      b.set(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(k),
            coder.item(k).code(rows[r][k]));
  return b;
}

// Answers for items e1 e2 e3 s1 s2 p1 p2 of mini (e2 and s2 reversed; e3 = x / 10).
const std::vector<std::vector<std::string>> answers = {
    {"high", "no", "10", "high", "low", "high", "yes"},
    {"mid", "yes", "5", "mid", "mid", "mid", "no"},
    {"high", "yes", "0", "low", "low", "dk", "yes"},
    {"low", "no", "10", "na", "high", "high", "yes"},
    {"mid", "no", "", "high", "low", "high", "yes"},
    {"dk", "ref", "4", "high", "high", "low", "yes"},
    {"bogus", "no", "10", "high", "low", "high", "yes"},
};

bool same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::fabs(a - b) <= 1e-12;
}

void expect_same_scores(const ScoreBlock& a, const ScoreBlock& b) {
  ASSERT_EQ(a.rows(), b.rows());
  for (Eigen::Index r = 0; r < a.rows(); ++r) {
    for (Eigen::Index d = 0; d < a.dimension.cols(); ++d) {
      EXPECT_TRUE(same(a.dimension(r, d), b.dimension(r, d))) << "row " << r << " dim " << d;
      EXPECT_TRUE(same(a.coverage(r, d), b.coverage(r, d))) << "row " << r << " dim " << d;
    }
    EXPECT_TRUE(same(a.composite(r), b.composite(r)))
        << "row " << r << ": " << a.composite(r) << " vs " << b.composite(r);
    EXPECT_EQ(a.status[static_cast<std::size_t>(r)], b.status[static_cast<std::size_t>(r)]);
  }
}

// The same numbers as the "items" weight set of mini.json (item-mode composite).
constexpr std::string_view items_csv = R"(item,dimension_weight,composite_weight
e1,2,2
e2,1,1
e3,1,1
s1,1,3
s2,3,1
p1,1,1
p2,1,2
)";

// The same numbers as the "dims" weight set (dimension rows first, to show order is free).
constexpr std::string_view dims_csv = R"(item,dimension_weight,composite_weight
econ,,2
soc,,1
psy,,1
e1,2,
e2,1,
e3,1,
s1,1,
s2,3,
p1,1,
p2,1,
)";

// weights_from_csv(mini, csv) must throw input_error at (row, column) containing `phrase`.
::testing::AssertionResult TableRejected(std::string_view csv, std::size_t row,
                                         const std::string& column, const std::string& phrase) {
  try {
    (void)weights_from_csv(mini(), csv, "t", "table.csv");
  } catch (const input_error& e) {
    const std::string what = e.what();
    if (e.rule() != "weights_table")
      return ::testing::AssertionFailure() << "rule '" << e.rule() << "' (" << what << ")";
    if (e.row() != row)
      return ::testing::AssertionFailure()
             << "row " << e.row() << ", expected " << row << " (" << what << ")";
    if (e.column() != column)
      return ::testing::AssertionFailure()
             << "column '" << e.column() << "', expected '" << column << "' (" << what << ")";
    if (what.find("table.csv: ") == std::string::npos || what.find(phrase) == std::string::npos)
      return ::testing::AssertionFailure() << "message '" << what << "' lacks '" << phrase << "'";
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw something else: " << e.what();
  }
  return ::testing::AssertionFailure() << "accepted the table";
}

std::vector<double> dimension_weights_of(const WeightSet& w) {
  std::vector<double> out;
  for (const auto& iw : w.items) out.push_back(iw.dimension);
  return out;
}

}  // namespace

// ---- Reading tables --------------------------------------------------------------------

TEST(WeightsCsv, ItemModeTable) {
  const WeightSet w = weights_from_csv(mini(), items_csv, "official", "official.csv");
  EXPECT_EQ("official", w.name);
  EXPECT_EQ("imported:official.csv", w.source);
  EXPECT_FALSE(w.provisional);
  EXPECT_EQ(CompositeMode::item, w.mode);
  EXPECT_EQ((std::vector<double>{2, 1, 1, 1, 3, 1, 1}), dimension_weights_of(w));
  const std::vector<double> comp = {2, 1, 1, 3, 1, 1, 2};
  ASSERT_EQ(7u, w.items.size());
  for (std::size_t k = 0; k < 7; ++k) {
    ASSERT_TRUE(w.items[k].composite.has_value()) << k;
    EXPECT_DOUBLE_EQ(comp[k], *w.items[k].composite) << k;
  }
  // Default source name.
  EXPECT_EQ("imported:weights", weights_from_csv(mini(), items_csv, "x").source);
}

TEST(WeightsCsv, DimensionRowsGiveADimensionModeComposite) {
  const WeightSet w = weights_from_csv(mini(), dims_csv, "official");
  EXPECT_EQ(CompositeMode::dimension, w.mode);
  EXPECT_EQ((std::vector<double>{2, 1, 1}), w.dimension_weights);
  EXPECT_EQ((std::vector<double>{2, 1, 1, 1, 3, 1, 1}), dimension_weights_of(w));
  for (const auto& iw : w.items) EXPECT_FALSE(iw.composite.has_value());
}

TEST(WeightsCsv, WithoutCompositeWeightsDimensionsWeighEqually) {
  const WeightSet w = weights_from_csv(mini(),
                                       "item,dimension_weight\ne1,2\ne2,1\ne3,1\ns1,1\n"
                                       "s2,3\np1,1\np2,0.5\n",
                                       "plain");
  EXPECT_EQ(CompositeMode::dimension, w.mode);
  EXPECT_EQ((std::vector<double>{1, 1, 1}), w.dimension_weights);
  EXPECT_EQ((std::vector<double>{2, 1, 1, 1, 3, 1, 0.5}), dimension_weights_of(w));
  // A composite column left empty everywhere means the same.
  const WeightSet v = weights_from_csv(mini(),
                                       "item,composite_weight,dimension_weight\ne1,,2\n"
                                       "e2,,1\ne3,,1\ns1,,1\ns2,,3\np1,,1\np2,,0.5\n",
                                       "plain");
  EXPECT_EQ(CompositeMode::dimension, v.mode);
  EXPECT_EQ((std::vector<double>{1, 1, 1}), v.dimension_weights);
  EXPECT_EQ(dimension_weights_of(w), dimension_weights_of(v));
}

TEST(WeightsCsv, SemicolonDelimiter) {
  const WeightSet w = weights_from_csv(mini(),
                                       "item;dimension_weight;composite_weight\n"
                                       "e1;2;2\ne2;1;1\ne3;1;1\ns1;1;3\ns2;3;1\n"
                                       "p1;1;1\np2;1.5;2\n",
                                       "semi");
  EXPECT_EQ(CompositeMode::item, w.mode);
  EXPECT_EQ((std::vector<double>{2, 1, 1, 1, 3, 1, 1.5}), dimension_weights_of(w));
  EXPECT_DOUBLE_EQ(3.0, *w.items[3].composite);
  // The decimal separator stays a point: "1,5" is not a number.
  EXPECT_TRUE(TableRejected("item;dimension_weight\ne1;1,5\n", 2, "dimension_weight",
                            "expected a finite number >= 0"));
}

TEST(WeightsCsv, ByteOrderMarkAndWindowsLineEndings) {
  std::string text = "\xEF\xBB\xBF";
  for (const char c : items_csv) {
    if (c == '\n') text += '\r';
    text += c;
  }
  const WeightSet w = weights_from_csv(mini(), text, "bom");
  EXPECT_EQ(CompositeMode::item, w.mode);
  EXPECT_EQ((std::vector<double>{2, 1, 1, 1, 3, 1, 1}), dimension_weights_of(w));
  EXPECT_DOUBLE_EQ(2.0, *w.items[6].composite);
}

TEST(WeightsCsv, QuotedFieldsAndSpaces) {
  const WeightSet w = weights_from_csv(mini(), R"("item","dimension_weight","composite_weight"
"e1","2","2"
 e2 , 1 , 1
"e3",1,"1"
s1,1,3
s2,"3",1
"p1", 1,1
p2,1,"2"
)",
                                       "quoted");
  EXPECT_EQ(CompositeMode::item, w.mode);
  EXPECT_EQ((std::vector<double>{2, 1, 1, 1, 3, 1, 1}), dimension_weights_of(w));
  EXPECT_DOUBLE_EQ(2.0, *w.items[6].composite);
  // A doubled quote inside quotes is a quote: "e""1" is the id e"1, not an item.
  EXPECT_TRUE(TableRejected("item,dimension_weight\n\"e\"\"1\",1\n", 2, "item",
                            "not an item or dimension of instrument 'mini'"));
  // A quoted delimiter does not split the field.
  EXPECT_TRUE(
      TableRejected("item,dimension_weight\n\"e1,e2\",1\n", 2, "item", "not an item or dimension"));
}

// ---- Errors: one test per rule, each with its row and column ---------------------------

TEST(WeightsCsvErrors, EmptyTable) {
  EXPECT_TRUE(TableRejected("", 0, "", "the weight table is empty"));
  EXPECT_TRUE(TableRejected("\n \n\r\n", 0, "", "the weight table is empty"));
  EXPECT_TRUE(TableRejected("\xEF\xBB\xBF", 0, "", "the weight table is empty"));
}

TEST(WeightsCsvErrors, UnknownColumn) {
  EXPECT_TRUE(TableRejected("item,dimension_weight,weight\ne1,1,1\n", 1, "weight",
                            "unknown column (expected item, dimension_weight, composite_weight)"));
  // Column names are exact.
  EXPECT_TRUE(TableRejected("Item,dimension_weight\n", 1, "Item", "unknown column"));
}

TEST(WeightsCsvErrors, RequiredColumnMissing) {
  EXPECT_TRUE(TableRejected("item,composite_weight\ne1,1\n", 1, "dimension_weight",
                            "required column is missing"));
  EXPECT_TRUE(TableRejected("dimension_weight\n1\n", 1, "item", "required column is missing"));
}

TEST(WeightsCsvErrors, UnterminatedQuote) {
  EXPECT_TRUE(
      TableRejected("\"item,dimension_weight\ne1,1\n", 1, "", "unterminated quote in header"));
  EXPECT_TRUE(TableRejected("item,dimension_weight\ne1,1\n\"e2,1\n", 3, "", "unterminated quote"));
}

TEST(WeightsCsvErrors, RaggedRow) {
  EXPECT_TRUE(TableRejected("item,dimension_weight,composite_weight\ne1,2,2,9\n", 2, "",
                            "expected 3 fields, found more"));
  EXPECT_TRUE(TableRejected("item,dimension_weight,composite_weight\ne1,2,2\ne2,1\n", 3, "",
                            "expected 3 fields, found 2"));
}

TEST(WeightsCsvErrors, EmptyRowInsideTheTable) {
  EXPECT_TRUE(TableRejected("item,dimension_weight\ne1,1\ne2,1\n\ne3,1\n", 4, "", "empty row"));
}

TEST(WeightsCsvErrors, UnknownItem) {
  EXPECT_TRUE(TableRejected("item,dimension_weight\ne1,2\ne2,1\ne3,1\nx9,1\n", 5, "item",
                            "not an item or dimension of instrument 'mini'"));
}

TEST(WeightsCsvErrors, ItemListedTwice) {
  EXPECT_TRUE(TableRejected("item,dimension_weight\ne1,2\ne2,1\ne3,1\ns1,1\ne1,3\n", 6, "item",
                            "item listed twice (first on row 2)"));
}

TEST(WeightsCsvErrors, ItemMissingFromTheTable) {
  std::string csv(items_csv);
  csv.erase(csv.find("p2,"));
  EXPECT_TRUE(TableRejected(csv, 0, "item", "item 'p2' is not in the table"));
  // A header alone lists no item.
  EXPECT_TRUE(TableRejected("item,dimension_weight\n", 0, "item", "item 'e1' is not in the table"));
}

TEST(WeightsCsvErrors, ItemRowNeedsADimensionWeight) {
  EXPECT_TRUE(TableRejected("item,dimension_weight,composite_weight\ne1,,2\n", 2,
                            "dimension_weight", "an item row needs a dimension weight"));
}

TEST(WeightsCsvErrors, NegativeWeight) {
  EXPECT_TRUE(TableRejected("item,dimension_weight,composite_weight\ne1,2,2\ne2,1,1\ne3,-1,1\n", 4,
                            "dimension_weight", "expected a finite number >= 0"));
  EXPECT_TRUE(TableRejected("item,dimension_weight,composite_weight\ne1,2,-0.5\n", 2,
                            "composite_weight", "expected a finite number >= 0"));
  EXPECT_TRUE(TableRejected("item,dimension_weight,composite_weight\necon,,-2\n", 2,
                            "composite_weight", "expected a finite number >= 0"));
}

TEST(WeightsCsvErrors, NotANumber) {
  for (const char* bad : {"one", "1.5.2", "2kg", "inf", "nan", "1e999", "0x10"}) {
    EXPECT_TRUE(TableRejected(std::string("item,dimension_weight\ne1,1\ne2,") + bad + "\n", 3,
                              "dimension_weight", "expected a finite number >= 0"))
        << bad;
  }
  EXPECT_TRUE(TableRejected("item,dimension_weight,composite_weight\ne1,1,heavy\n", 2,
                            "composite_weight", "expected a finite number >= 0"));
}

TEST(WeightsCsvErrors, DimensionRowTakesOnlyACompositeWeight) {
  EXPECT_TRUE(TableRejected("item,dimension_weight,composite_weight\necon,1,2\n", 2,
                            "dimension_weight", "a dimension row takes only a composite weight"));
}

TEST(WeightsCsvErrors, DimensionRowNeedsACompositeWeight) {
  EXPECT_TRUE(TableRejected("item,dimension_weight,composite_weight\necon,,\n", 2,
                            "composite_weight", "a dimension row needs a composite weight"));
  // Without a composite column a dimension row can never be complete.
  EXPECT_TRUE(TableRejected("item,dimension_weight\necon,\n", 2, "composite_weight",
                            "a dimension row needs a composite weight"));
}

TEST(WeightsCsvErrors, DimensionListedTwice) {
  EXPECT_TRUE(TableRejected("item,dimension_weight,composite_weight\nsoc,,1\necon,,2\nsoc,,3\n", 4,
                            "item", "dimension listed twice"));
}

TEST(WeightsCsvErrors, MixedItemAndDimensionCompositeWeights) {
  std::string csv(items_csv);
  csv += "econ,,2\n";
  EXPECT_TRUE(TableRejected(csv, 0, "composite_weight",
                            "give composite weights per item or per dimension, not both"));
}

TEST(WeightsCsvErrors, ItemModeNeedsACompositeWeightOnEveryItemRow) {
  std::string csv(items_csv);
  csv.replace(csv.find("s2,3,1"), 6, "s2,3,");
  EXPECT_TRUE(TableRejected(csv, 6, "composite_weight",
                            "item mode needs a composite weight on every item row"));
}

TEST(WeightsCsvErrors, DimensionModeNeedsEveryDimensionRow) {
  std::string csv(dims_csv);
  csv.erase(csv.find("psy,,1\n"), 7);
  EXPECT_TRUE(TableRejected(csv, 0, "item", "dimension 'psy' has no composite weight row"));
}

TEST(WeightsCsvErrors, TheSetMustPassInstrumentValidation) {
  std::string csv(items_csv);
  csv.replace(csv.find("p1,1,1"), 6, "p1,0,1");
  csv.replace(csv.find("p2,1,2"), 6, "p2,0,2");
  EXPECT_TRUE(TableRejected(
      csv, 0, "", "weight_sets.t.items: dimension 'psy' has no item with a positive weight"));
  std::string zero(items_csv);
  for (const char* from : {"e1,2,2", "e2,1,1", "e3,1,1", "s1,1,3", "s2,3,1", "p1,1,1", "p2,1,2"})
    zero.replace(zero.find(from), 6, std::string(from).substr(0, 5) + "0");
  EXPECT_TRUE(TableRejected(zero, 0, "", "all composite weights are zero"));
  EXPECT_TRUE(
      TableRejected("item,dimension_weight,composite_weight\ne1,1,\ne2,1,\ne3,1,\ns1,1,\n"
                    "s2,1,\np1,1,\np2,1,\necon,,0\nsoc,,0\npsy,,0\n",
                    0, "", "are all zero"));
}

TEST(WeightsCsvErrors, MessageFormat) {
  try {
    (void)weights_from_csv(mini(), "item,dimension_weight\ne1,-1\n", "t", "w.csv");
    FAIL() << "accepted a negative weight";
  } catch (const input_error& e) {
    EXPECT_EQ(
        "row 2: column 'dimension_weight': w.csv: expected a finite number >= 0 [weights_table]",
        std::string(e.what()));
  }
}

// ---- Scoring with an imported table ----------------------------------------------------

TEST(WeightsCsv, ImportedTableScoresLikeTheJsonWeightSet) {
  const Instrument& ins = mini();
  const CodedBlock b = code_rows(ins, answers);
  {
    ScoreBlock from_json, from_csv, via_instrument;
    Scorer(ins, "items").score(b, from_json);
    Scorer(ins, weights_from_csv(ins, items_csv, "csv")).score(b, from_csv);
    Scorer(ins.with_weights(weights_from_csv(ins, items_csv, "csv"))).score(b, via_instrument);
    expect_same_scores(from_json, from_csv);
    expect_same_scores(from_json, via_instrument);
    EXPECT_NEAR((2 * .5 + 0 + .5 + 3 * .5 + .5 + .5 + 0) / 11, from_csv.composite(1), 1e-12);
  }
  {
    ScoreBlock from_json, from_csv;
    Scorer(ins, "dims").score(b, from_json);
    Scorer(ins, weights_from_csv(ins, dims_csv, "csv")).score(b, from_csv);
    expect_same_scores(from_json, from_csv);
    EXPECT_NEAR((2 * .375 + .5 + .25) / 4, from_csv.composite(1), 1e-12);
  }
}

TEST(WeightsCsv, OfficialFixtureScoresByHand) {
  const Instrument& ins = mini();
  const std::string path = REINSCORE_TEST_DATA_DIR "/weights/mini_official.csv";
  const WeightSet w = load_weights(ins, path);
  EXPECT_EQ("mini_official", w.name);
  EXPECT_EQ(std::string("imported:mini_official.csv"), w.source);
  EXPECT_EQ(CompositeMode::dimension, w.mode);
  EXPECT_EQ((std::vector<double>{1, 1, 2}), w.dimension_weights);
  EXPECT_EQ((std::vector<double>{1, 1, 2, 1, 1, 3, 1}), dimension_weights_of(w));

  ScoreBlock s;
  Scorer(ins, w).score(code_rows(ins, {answers[0], answers[1], answers[2], answers[3]}), s);
  // All favourable.
  EXPECT_NEAR(1.0, s.composite(0), 1e-12);
  // e=(.5,0,.5) w (1,1,2); s=(.5,.5) w (1,1); p=(.5,0) w (3,1); composite weights 1,1,2.
  EXPECT_NEAR(1.5 / 4, s.dimension(1, 0), 1e-12);
  EXPECT_NEAR(0.5, s.dimension(1, 1), 1e-12);
  EXPECT_NEAR(1.5 / 4, s.dimension(1, 2), 1e-12);
  EXPECT_NEAR((1.5 / 4 + 0.5 + 2 * 1.5 / 4) / 4, s.composite(1), 1e-12);
  // p1 don't know: psy answered weight 1 of 4 is below half, so no composite.
  EXPECT_NEAR(0.25, s.dimension(2, 0), 1e-12);
  EXPECT_NEAR(0.5, s.dimension(2, 1), 1e-12);
  EXPECT_TRUE(std::isnan(s.dimension(2, 2)));
  EXPECT_NEAR(0.25, s.coverage(2, 2), 1e-12);
  EXPECT_TRUE(std::isnan(s.composite(2)));
  EXPECT_EQ(Status::insufficient, s.status[2]);
  // s1 not applicable leaves the base: soc = s2 alone = 0 (reversed "high").
  EXPECT_NEAR(3.0 / 4, s.dimension(3, 0), 1e-12);
  EXPECT_NEAR(0.0, s.dimension(3, 1), 1e-12);
  EXPECT_NEAR(1.0, s.coverage(3, 1), 1e-12);
  EXPECT_NEAR(1.0, s.dimension(3, 2), 1e-12);
  EXPECT_NEAR((0.75 + 0 + 2 * 1.0) / 4, s.composite(3), 1e-12);
  EXPECT_EQ(Status::complete, s.status[3]);
  (void)nan_v;
}

// ---- JSON weight files -----------------------------------------------------------------

TEST(WeightsJson, LoadWeightsRoundTripsWeightsToJson) {
  const Instrument& ins = mini();
  for (const char* set : {"items", "dims"}) {
    SCOPED_TRACE(set);
    WeightSet w = ins.weights(set);
    w.citation = "Test citation";
    w.provisional = true;
    w.diagnostics["eigenvalues"] = boost::json::array{2.5, 0.75};
    const std::string text = weights_to_json(ins, w);
    const std::string path = write_temp(std::string(set) + "_copy.json", text);
    const WeightSet back = load_weights(ins, path);
    EXPECT_EQ("reinscore_test_weights_" + std::string(set) + "_copy", back.name);
    EXPECT_EQ("test", back.source);
    EXPECT_EQ("Test citation", back.citation);
    EXPECT_TRUE(back.provisional);
    EXPECT_EQ(w.mode, back.mode);
    EXPECT_EQ(dimension_weights_of(w), dimension_weights_of(back));
    for (std::size_t k = 0; k < w.items.size(); ++k)
      EXPECT_EQ(w.items[k].composite, back.items[k].composite) << k;
    if (w.mode == CompositeMode::dimension) {
      EXPECT_EQ(w.dimension_weights, back.dimension_weights);
    }
    EXPECT_EQ(boost::json::value(w.diagnostics), boost::json::value(back.diagnostics));
    EXPECT_EQ(text, weights_to_json(ins, back));
    // An explicit name wins over the file name.
    EXPECT_EQ("renamed", load_weights(ins, path, "renamed").name);
    // Installed under the original name, the instrument is the same as with the original.
    WeightSet renamed = back;
    renamed.name = w.name;
    EXPECT_EQ(ins.with_weights(w).hash(), ins.with_weights(renamed).hash());
  }
}

TEST(WeightsJson, WeightsToJsonIsTheWeightSetObjectOfTheFormat) {
  const Instrument& ins = mini();
  const auto doc = boost::json::parse(weights_to_json(ins, ins.weights("dims")));
  EXPECT_EQ("dimension", doc.at_pointer("/composite/mode").as_string());
  EXPECT_DOUBLE_EQ(2.0, doc.at_pointer("/composite/weights/econ").to_number<double>());
  EXPECT_DOUBLE_EQ(3.0, doc.at_pointer("/items/s2/dimension").to_number<double>());
  EXPECT_FALSE(doc.at_pointer("/items/s2").as_object().contains("composite"));
  EXPECT_FALSE(doc.as_object().contains("diagnostics"));  // empty diagnostics are left out
  const auto doc2 = boost::json::parse(weights_to_json(ins, ins.weights("items")));
  EXPECT_EQ("item", doc2.at_pointer("/composite/mode").as_string());
  EXPECT_FALSE(doc2.at_pointer("/composite").as_object().contains("weights"));
  EXPECT_DOUBLE_EQ(3.0, doc2.at_pointer("/items/s1/composite").to_number<double>());
}

TEST(WeightsJson, LoadWeightsErrors) {
  const Instrument& ins = mini();
  EXPECT_THROW((void)load_weights(ins, REINSCORE_TEST_DATA_DIR "/weights/none.json"),
               std::invalid_argument);
  // Broken JSON: the message names the file, line and column.
  const std::string broken =
      write_temp("broken.json", "{\n  \"composite\": {\"mode\": \"item\"}\n  \"items\": {}\n}\n");
  try {
    (void)load_weights(ins, broken);
    FAIL() << "accepted broken JSON";
  } catch (const instrument_error& e) {
    EXPECT_EQ(broken + ": invalid JSON at line 3, column 3 (syntax error)", std::string(e.what()));
  }
  // Validation errors carry the path inside the weight-set object.
  std::string text = weights_to_json(ins, ins.weights("items"));
  auto doc = boost::json::parse(text);
  doc.at_pointer("/items/e2/dimension") = -1;
  const std::string negative = write_temp("negative.json", boost::json::serialize(doc));
  try {
    (void)load_weights(ins, negative);
    FAIL() << "accepted a negative weight";
  } catch (const instrument_error& e) {
    EXPECT_EQ("items.e2.dimension", e.path());
  }
  doc = boost::json::parse(text);
  doc.at_pointer("/items").as_object().erase("s1");
  const std::string missing = write_temp("missing.json", boost::json::serialize(doc));
  try {
    (void)load_weights(ins, missing);
    FAIL() << "accepted a set without s1";
  } catch (const instrument_error& e) {
    EXPECT_EQ("items.s1", e.path());
  }
  // Any other extension is read as CSV.
  const std::string csv = write_temp("table.txt", std::string(items_csv));
  const WeightSet w = load_weights(ins, csv);
  EXPECT_EQ("reinscore_test_weights_table", w.name);
  EXPECT_EQ(CompositeMode::item, w.mode);
}

// ---- Bounded loading: whatever the file, memory and time stay small ----------------------

TEST(WeightsLimits, DevicesDirectoriesAndHugeFilesFailFast) {
  const Instrument& ins = mini();
  // /dev/zero never ends: only regular files are read.
  try {
    (void)load_weights(ins, "/dev/zero");
    FAIL() << "accepted /dev/zero";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("[not_a_file]"), std::string::npos) << e.what();
  }
  try {
    (void)load_weights(ins, ::testing::TempDir());
    FAIL() << "accepted a directory";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("[not_a_file]"), std::string::npos) << e.what();
  }
}

TEST(WeightsLimits, LinesAreSplitIntoNoMoreFieldsThanTheHeaderHas) {
  // Ten million delimiters in a row: rejected at the fourth field, not after splitting.
  const std::string commas(10000000, ',');
  EXPECT_TRUE(TableRejected("item,dimension_weight\ne1," + commas + "\n", 2, "",
                            "expected 2 fields, found more"));
  try {
    (void)weights_from_csv(mini(), "item," + commas + "\n", "t", "table.csv");
    FAIL() << "accepted a header of ten million columns";
  } catch (const input_error& e) {
    EXPECT_EQ(e.row(), 1u);
    EXPECT_EQ(e.column(), "");  // an unknown (empty) column name
  }
  // A table of line breaks is cut at its end (blank lines at the end are allowed).
  EXPECT_EQ(weights_from_csv(mini(), std::string(items_csv) + std::string(5000000, '\n'), "t")
                .items.size(),
            mini().items.size());
}

TEST(WeightsLimits, DeeplyNestedJsonIsAnError) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string path = write_temp("deep.json", deep);
  EXPECT_THROW((void)load_weights(mini(), path), instrument_error);
}
