// The one table facility: spellings per format, precision, JSON numbers.
#include <reinscore/app/options.hpp>
#include <reinscore/app/render.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace reinscore::app;

namespace {

Table sample() {
  Table t;
  t.name = "groups";
  t.title = "Scores by group";
  t.keys = 1;
  t.min_cell = 10;
  auto& k = t.add("country", Kind::text);
  k.push_text("LSO");
  k.push_text("=cmd");
  k.push_text("ZWE");
  auto& n = t.add("n", Kind::count);
  n.push(575);
  n.push(0, Cell::suppressed);
  n.push(12);
  auto& m = t.add("mean", Kind::number, 2);
  m.push(0.1 + 0.2);
  m.push(0, Cell::missing);
  m.push(std::numeric_limits<double>::quiet_NaN());
  auto& p = t.add("p", Kind::p_value, 3);
  p.push(0.0001);
  p.push(0, Cell::missing);
  p.push(1);
  return t;
}

}  // namespace

TEST(JsonNumber, PlainDecimalsThatReadBack) {
  EXPECT_EQ(json_number(2000), "2000");
  EXPECT_EQ(json_number(0.25), "0.25");
  EXPECT_EQ(json_number(1e-7), "0.0000001");
  EXPECT_EQ(json_number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(json_number(-3.5), "-3.5");
  EXPECT_EQ(json_number(0), "0");
  EXPECT_EQ(json_number(std::nan("")), "null");
  EXPECT_EQ(json_number(HUGE_VAL), "null");
  for (const double x : {1e300, 5e-324, 123456789.125, 1.0 / 3.0}) {
    const std::string s = json_number(x);
    EXPECT_EQ(s.find_first_of("eE"), std::string::npos) << s;
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), x) << s;
  }
}

TEST(ToJsonText, WritesNumbersPeopleCanEdit) {
  const auto v = boost::json::parse(R"({"w": [0.25, 2000.0, 1e-3], "name": "x", "n": 3})");
  const std::string out = to_json_text(v, false);
  EXPECT_EQ(out, R"({"w":[0.25,2000,0.001],"name":"x","n":3})");
  const auto back = boost::json::parse(to_json_text(v, true));
  EXPECT_EQ(boost::json::value_to<std::vector<double>>(back.at("w")),
            (std::vector<double>{0.25, 2000, 1e-3}));
}

TEST(Render, CsvKeepsFullPrecisionAndOneSpellingPerState) {
  const std::string csv = render(sample(), Format::csv);
  EXPECT_EQ(csv,
            "country,n,mean,p\n"
            "LSO,575,0.30000000000000004,1e-04\n"  // shortest round-trip form: for machines
            "\"'=cmd\",<10,,\n"
            "ZWE,12,,1\n");
}

TEST(Render, TerminalAlignsAndSpellsMissingAsDash) {
  const std::string text = render(sample(), Format::table);
  EXPECT_EQ(text,
            "country    n  mean      p\n"
            "LSO      575  0.30  0.000\n"
            "=cmd     <10     -      -\n"
            "ZWE       12     -  1.000\n");
}

TEST(Render, JsonIsValidWithNullsAndSuppressedStrings) {
  Report r;
  r.command = "summarize";
  r.tables.push_back(sample());
  r.warn("a note");
  const auto v = boost::json::parse(render(r, Format::json));
  const auto& rows = v.at("tables").at(0).at("rows").as_array();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at(2).as_double(), 0.1 + 0.2);
  EXPECT_TRUE(rows[1].at(2).is_null());
  EXPECT_EQ(rows[1].at(1).as_string(), "<10");
  EXPECT_EQ(rows[1].at(0).as_string(), "=cmd");  // JSON is not a spreadsheet
  EXPECT_EQ(v.at("notes").at(0).at("level").as_string(), "warning");
  EXPECT_EQ(v.at("tables").at(0).at("columns").at(3).at("type").as_string(), "p_value");
}

TEST(Render, ShortestKeysForNumericKeyColumns) {
  Table t;
  auto& k = t.add("round", Kind::number, -1);
  for (const double x : {1.0, 2.0, 10.0, 2.5}) k.push(x);
  EXPECT_EQ(render(t, Format::table), "round\n    1\n    2\n   10\n  2.5\n");
}

TEST(Render, RaggedTableIsABug) {
  Table t = sample();
  t.columns[1].values.pop_back();
  EXPECT_THROW(render(t, Format::csv), std::logic_error);
}

TEST(Render, CsvOfSeveralTablesHasOneSectionEach) {
  Report r;
  r.tables.push_back(sample());
  EXPECT_EQ(render(r, Format::csv), render(r.tables.front(), Format::csv));  // one: plain
  Table other = sample();
  other.name = "other";
  r.tables.push_back(other);
  const std::string one = render(r.tables.front(), Format::csv);
  EXPECT_EQ(render(r, Format::csv), "# groups\n" + one + "\n# other\n" + one);
}

TEST(Options, ChecksNameOptionAndRule) {
  try {
    check_range("--min-cell", std::uint64_t{5}, 10, 20);
    FAIL();
  } catch (const option_error& e) {
    EXPECT_EQ(e.option(), "--min-cell");
    EXPECT_EQ(e.rule(), "bad_option");
    EXPECT_STREQ(e.what(), "--min-cell must be a whole number from 10 to 20 [bad_option]");
  }
  EXPECT_THROW(check_open_unit("--level", 1.0), option_error);
  EXPECT_NO_THROW(check_open_unit("--level", 0.95));
  EXPECT_THROW(check_choice("--ci", "jackknife", {"linearization", "bootstrap"}), option_error);
  EXPECT_THROW(parse_format("xml"), option_error);
  EXPECT_EQ(parse_format("json"), Format::json);
}
