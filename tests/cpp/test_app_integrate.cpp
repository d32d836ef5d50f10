// Tests of the integrate unit of the application layer (include/reinscore/app/integrate.hpp):
// a five-interview scores table and hand-made level files whose every expected number is
// worked out by hand below (means of three levels, roll-up means and shares, suppression),
// the typed order of --by groups, the threshold rule, the tag checks and lookups, and the
// level-file reader's keys of malformed rows.
#include <reinscore/app/integrate.hpp>
#include <reinscore/app/options.hpp>
#include <reinscore/app/render.hpp>
#include <reinscore/error.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace reinscore;
using namespace reinscore::app;

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

Instrument load(const std::string& name) {
  return Instrument::load(std::string(REINSCORE_DATA_DIR "/instruments/") + name + ".json");
}

RawColumn text(std::string name, std::vector<std::string> cells) {
  RawColumn c;
  c.name = std::move(name);
  c.text = std::move(cells);
  return c;
}

RawColumn numbers(std::string name, std::vector<double> cells) {
  RawColumn c;
  c.name = std::move(name);
  c.numeric = true;
  c.number = std::move(cells);
  return c;
}

struct Fixture {
  Instrument rss = load("iom-rss");
  Instrument com = load("community");
  Instrument str = load("structural-gcm21");
  IntegrateRequest req;

  // Five interviews. Row 4 lives in C9, which the community file does not have.
  //   id   round community country econ social psych composite
  //   007  1     C1        A       0.2  0.4    0.6   0.4
  //   008  1     C1        A       0.6  0.8    0.4   0.6
  //   009  2     C2        A       0.5  -      0.3   -
  //   010  10    C3        B       1.0  1.0    1.0   1.0
  //   011  2     C9        B       0.1  0.2    0.3   0.2
  ScoresTable scores(bool with_tag = true) const {
    std::vector<RawColumn> cols;
    cols.push_back(text("interview_id", {"007", "008", "009", "010", "011"}));
    cols.push_back(text("round", {"1", "1", "2", "10", "2"}));
    cols.push_back(text("community_id", {"C1", "C1", "C2", "C3", "C9"}));
    cols.push_back(text("country", {"A", "A", "A", "B", "B"}));
    cols.push_back(text("economic", {"0.2", "0.6", "0.5", "1", "0.1"}));
    cols.push_back(text("social", {"0.4", "0.8", "", "1", "0.2"}));
    cols.push_back(text("psychosocial", {"0.6", "0.4", "0.3", "1", "0.3"}));
    cols.push_back(text("composite", {"0.4", "0.6", "", "1", "0.2"}));
    for (const char* d : {"economic", "social", "psychosocial"})
      cols.push_back(text(std::string("coverage_") + d, {"1", "1", "1", "1", "1"}));
    cols.push_back(text("status", {"complete", "complete", "insufficient", "complete", "partial"}));
    if (with_tag) cols.push_back(text("instrument", std::vector<std::string>(5, rss.tag())));
    return ScoresTable(std::move(cols), integrate_want(req, com, str), 2, "scores.csv");
  }

  // Units: C1, C2 of country A, C3 of country B; countries A and B. Scores are given in
  // the instrument's order (economic, social, psychosocial, composite).
  LevelFile communities() const {
    Eigen::MatrixXd s(3, 4);
    s << 0.3, 0.5, 0.7, 0.5,  //
        0.1, 0.2, 0.3, 0.2,   //
        0.9, 0.8, 0.7, 0.8;
    const RawColumn parent = text("country", {"A", "A", "B"});
    return level_file("community.csv", com, text("community_id", {"C1", "C2", "C3"}), &parent, s,
                      {Status::complete, Status::complete, Status::partial}, {2, 3, 4});
  }
  LevelFile countries() const {
    Eigen::MatrixXd s(2, 4);
    s << 0.25, 0.5, 0.75, 0.5,  //
        0.0, 1.0, 0.5, 0.5;
    return level_file("structural.csv", str, text("country", {"A", "B"}), nullptr, s,
                      {Status::complete, Status::complete}, {2, 3});
  }
  Report run() const {
    const ScoresTable t = scores();
    return integrate(t, communities(), countries(), nullptr, rss, com, str, req);
  }
};

double at(const Table& t, const std::string& column, std::size_t row) {
  return t.at(column).values.at(row);
}

void expect_value(double expected, double actual, const std::string& what) {
  if (std::isnan(expected))
    EXPECT_TRUE(std::isnan(actual)) << what << ": expected missing, got " << actual;
  else
    EXPECT_NEAR(expected, actual, 1e-15) << what;
}

std::size_t row_of(const Table& t, const std::string& key_column, const std::string& key) {
  const auto& keys = t.at(key_column).text;
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == key) return i;
  ADD_FAILURE() << "no row " << key;
  return 0;
}

}  // namespace

TEST(AppIntegrate, InterviewsAreTheMeanOfTheThreeLevels) {
  Fixture f;
  const Report r = f.run();
  const Table& t = r.table("interviews");
  ASSERT_EQ(t.rows(), 5u);
  // Carried columns as read: an id keeps its leading zeros, the round stays text.
  EXPECT_EQ(t.columns[0].name, "interview_id");
  EXPECT_EQ(t.at("interview_id").kind, Kind::text);
  EXPECT_EQ(t.at("interview_id").text[0], "007");
  EXPECT_FALSE(t.has("status"));
  EXPECT_FALSE(t.has("coverage_economic"));
  // Interview 0: C1 and A.
  expect_value(0.3, at(t, "economic_community", 0), "community level");
  expect_value(0.25, at(t, "economic_structural", 0), "structural level");
  expect_value((0.2 + 0.3 + 0.25) / 3, at(t, "economic_integrated", 0), "economic");
  expect_value((0.4 + 0.5 + 0.5) / 3, at(t, "composite_integrated", 0), "composite");
  expect_value(1, at(t, "level_share_composite", 0), "share");
  // Interview 2 has no social score: the integrated one is missing, 2/3 of the weight.
  expect_value(nan_v, at(t, "social_integrated", 2), "missing individual level");
  expect_value(2.0 / 3, at(t, "level_share_social", 2), "share without individual");
  // Interview 4: its community is unknown; every level is needed by default.
  expect_value(nan_v, at(t, "economic_community", 4), "unknown community");
  expect_value(nan_v, at(t, "economic_integrated", 4), "integrated needs every level");
  EXPECT_EQ(t.at("problems").text[4], "community_not_found: community_id");
  EXPECT_EQ(t.at("individual_status").text[2], "insufficient");
  EXPECT_EQ(t.at("community_status").text[3], "partial");
  EXPECT_EQ(t.at("community_status").cell(4), Cell::missing);
  EXPECT_EQ(t.at("instrument").text[0], f.rss.tag());
  EXPECT_EQ(t.at("community_instrument").text[0], f.com.tag());
}

TEST(AppIntegrate, RollupsByHand) {
  Fixture f;
  f.req.min_respondents = 1;
  const Report r = f.run();
  const Table& c = r.table("communities");
  const std::size_t c1 = row_of(c, "community_id", "C1");
  EXPECT_EQ(at(c, "n", c1), 2);
  expect_value(0.4, at(c, "economic_individual", c1), "mean");
  // iom-rss: the threshold is 0.5, the lowest value of its highest category.
  expect_value(0.5, at(c, "share_above_economic", c1), "0.2 below, 0.6 above");
  expect_value(0.5, at(c, "share_above_psychosocial", c1), "0.6 above, 0.4 below");
  expect_value((0.4 + 0.3 + 0.25) / 3, at(c, "economic_integrated", c1), "integrated");
  EXPECT_EQ(c.at("country").text[c1], "A");
  const std::size_t c9 = row_of(c, "community_id", "C9");
  EXPECT_EQ(c.at("country").text[c9], "B");  // its first returnee's
  EXPECT_EQ(c.at("problems").text[c9], "community_not_found: community_id");

  const Table& k = r.table("countries");
  const std::size_t a = row_of(k, "country", "A"), b = row_of(k, "country", "B");
  EXPECT_EQ(at(k, "communities", a), 2);
  EXPECT_EQ(at(k, "n", a), 3);
  expect_value((0.2 + 0.6 + 0.5) / 3, at(k, "economic_individual", a), "country mean");
  expect_value((0.4 + 0.8) / 2, at(k, "social_individual", a), "over the scores there are");
  EXPECT_EQ(at(k, "n_social", a), 2);
  // The community level of a country: its returnees' communities, weighted like them.
  expect_value((0.3 + 0.3 + 0.1) / 3, at(k, "economic_community", a), "community level");
  expect_value(0.9, at(k, "economic_community", b), "C9 has no community score");
  expect_value(0.0, at(k, "economic_structural", b), "structural level");
  // Every number is also in the CSV at full precision.
  const std::string csv = render(k, Format::csv);
  EXPECT_NE(csv.find("0.43333333333333335"), std::string::npos) << csv;
}

TEST(AppIntegrate, SmallGroupsAreSuppressed) {
  Fixture f;
  f.req.min_respondents = 2;
  const Report r = f.run();
  const Table& c = r.table("communities");
  EXPECT_EQ(c.min_cell, 2u);
  const std::size_t c2 = row_of(c, "community_id", "C2");
  EXPECT_EQ(c.at("n").cell(c2), Cell::suppressed);
  EXPECT_EQ(c.at("suppressed").text[c2], "true");
  EXPECT_EQ(c.at("n_economic").cell(c2), Cell::missing);
  expect_value(nan_v, at(c, "economic_individual", c2), "suppressed mean");
  expect_value(0.1, at(c, "economic_community", c2), "the community level stays");
  const std::size_t c1 = row_of(c, "community_id", "C1");
  EXPECT_EQ(c.at("n").cell(c1), Cell::value);
  EXPECT_EQ(c.at("suppressed").text[c1], "false");
  // Country B has one community score among its returnees: below the minimum.
  const Table& k = r.table("countries");
  expect_value(nan_v, at(k, "economic_community", row_of(k, "country", "B")), "one score");
  EXPECT_NE(render(c, Format::csv).find(",<2,true,"), std::string::npos);
}

TEST(AppIntegrate, NumericByColumnsSortAsNumbers) {
  Fixture f;
  f.req.min_respondents = 1;
  f.req.by = {"round"};
  const Report r = f.run();
  const Table& k = r.table("countries");
  ASSERT_EQ(k.rows(), 6u);  // every country in every round
  EXPECT_EQ(k.at("round").kind, Kind::integer);
  const std::vector<double> rounds{1, 1, 2, 2, 10, 10};
  EXPECT_EQ(k.at("round").values, rounds);
  EXPECT_EQ(k.at("country").text, (std::vector<std::string>{"A", "B", "A", "B", "A", "B"}));
  EXPECT_EQ(k.keys, 2u);
  // Round 2 in country B is interview 4 alone.
  expect_value(0.1, at(k, "economic_individual", 3), "round 2, B");
  expect_value(0.5, at(k, "economic_individual", 2), "round 2, A");
}

TEST(AppIntegrate, ProblemsAndNotesNameRowsNotKeys) {
  Fixture f;
  const Report r = f.run();
  const Table& p = r.table("problems");
  ASSERT_EQ(p.rows(), 1u);
  EXPECT_EQ(p.at("rule").text[0], "community_not_found");
  EXPECT_EQ(p.at("key").text[0], "C9");
  EXPECT_EQ(p.at("rows").text[0], "6");  // row 5 of the table, header = 1
  const Table& rows = r.table("problem_rows");
  EXPECT_EQ(rows.at("problem").values, std::vector<double>{0});
  EXPECT_EQ(rows.at("row").values, std::vector<double>{6});
  ASSERT_GE(r.notes.size(), 2u);
  EXPECT_EQ(r.notes[0].level, Note::Level::warning);
  EXPECT_EQ(r.notes[0].text,
            "scores.csv: column 'community_id': community not in the community file: 1 row(s) "
            "(6) [community_not_found]");
  for (const auto& n : r.notes) EXPECT_EQ(n.text.find("C9"), std::string::npos) << n.text;
  EXPECT_NE(r.notes.back().text.find("5 interviews"), std::string::npos);
  EXPECT_NE(r.notes.back().text.find("PROVISIONAL"), std::string::npos);
  const Table& s = r.table("settings");
  EXPECT_EQ(at(s, "threshold", 0), 0.5);
  EXPECT_EQ(at(s, "min_respondents", 0), 10);
  EXPECT_EQ(s.at("provisional").text[0], "true");
}

TEST(AppIntegrate, ThresholdIsTheLowestValueOfTheHighestCategory) {
  Fixture f;
  f.req.min_respondents = 1;
  Instrument three = f.rss;  // categories at 0, 0.5 and 0.8: the share is of >= 0.8
  three.thresholds->categories.push_back({"thriving", 0.8});
  const ScoresTable t = f.scores(false);  // untagged: scores computed elsewhere
  const Report r =
      integrate(t, f.communities(), f.countries(), nullptr, three, f.com, f.str, f.req);
  const Table& k = r.table("countries");
  const std::size_t a = row_of(k, "country", "A");
  expect_value(0.0, at(k, "share_above_economic", a), "0.2, 0.6, 0.5: none reaches 0.8");
  expect_value(0.5, at(k, "share_above_social", a), "0.4, 0.8 (0.8 counts)");
  EXPECT_EQ(at(r.table("settings"), "threshold", 0), 0.8);
}

TEST(AppIntegrate, LevelFilesInAnotherDimensionOrder) {
  Fixture f;
  f.req.min_respondents = 1;
  LevelFile com = f.communities();
  // The same scores with the columns of economic and social swapped, and said so.
  com.dimensions = {"social", "economic", "psychosocial"};
  com.scores.col(0).swap(com.scores.col(1));
  const ScoresTable t = f.scores();
  const Report r = integrate(t, com, f.countries(), nullptr, f.rss, f.com, f.str, f.req);
  expect_value(0.3, at(r.table("interviews"), "economic_community", 0), "reordered");
  com.dimensions = {"social", "economic", "other"};
  EXPECT_THROW(integrate(t, com, f.countries(), nullptr, f.rss, f.com, f.str, f.req), input_error);
}

TEST(AppIntegrate, RequestChecksNameTheOption) {
  IntegrateRequest req;
  req.min_respondents = 0;
  try {
    req.check();
    ADD_FAILURE() << "min_respondents 0 accepted";
  } catch (const option_error& e) {
    EXPECT_EQ(e.option(), "--min-respondents");
    EXPECT_EQ(e.rule(), "bad_option");
  }
  req.min_respondents = -1;
  EXPECT_THROW(req.check(), option_error);
  req.min_respondents = 5;
  req.by = {"round", "round"};
  EXPECT_THROW(req.check(), option_error);
}

TEST(AppIntegrate, FrameworksAreChecked) {
  Fixture f;
  EXPECT_THROW(check_framework(f.rss, "community", "--community-instrument"), input_error);
  try {
    check_framework(f.str, "community", "--community-instrument");
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "level_mismatch");
  }
  Instrument keyless = f.com;
  keyless.unit_key.clear();
  try {
    check_framework(keyless, "community", "--community-instrument");
    ADD_FAILURE();
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "no_unit_key");
  }
}

TEST(AppIntegrate, WeightsMustBePositiveNumbers) {
  Fixture f;
  f.req.weight = "w";
  std::vector<RawColumn> cols;
  cols.push_back(text("community_id", {"C1", "C2"}));
  cols.push_back(text("country", {"A", "A"}));
  cols.push_back(text("composite", {"0.5", "0.5"}));
  for (const char* d : {"economic", "social", "psychosocial"}) {
    cols.push_back(text(d, {"0.5", "0.5"}));
    cols.push_back(text(std::string("coverage_") + d, {"1", "1"}));
  }
  cols.push_back(numbers("w", {1.0, 0.0}));
  const ScoresTable t(std::move(cols), integrate_want(f.req, f.com, f.str), 1, "frame");
  try {
    integrate(t, f.communities(), f.countries(), nullptr, f.rss, f.com, f.str, f.req);
    ADD_FAILURE() << "a zero weight accepted";
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "invalid_weight");
    EXPECT_EQ(e.row(), 2u);  // a frame's second row
    EXPECT_EQ(e.column(), "w");
  }
}

TEST(AppIntegrate, TheScoresInstrumentIsFoundByItsTag) {
  const InstrumentSearch search{{REINSCORE_TEST_DATA_DIR "/instruments"}};
  const Instrument mini = Instrument::load(REINSCORE_TEST_DATA_DIR "/instruments/mini.json");
  Instrument dims = mini;
  dims.default_weights = "dims";
  ASSERT_NE(dims.tag(), mini.tag());
  const auto table = [&](const std::vector<std::string>& tags, bool allow_mixed) {
    std::vector<RawColumn> cols;
    cols.push_back(text("composite", std::vector<std::string>(tags.size(), "0.5")));
    cols.push_back(text("instrument", tags));
    ScoresWant w;
    w.allow_mixed = allow_mixed;
    return ScoresTable(std::move(cols), w, 2, "scores.csv");
  };
  // The tag's weight set is found.
  EXPECT_EQ(scores_instrument(table({dims.tag(), dims.tag()}, false), search).tag(), dims.tag());
  EXPECT_EQ(scores_instrument(table({mini.tag()}, false), search).tag(), mini.tag());
  // Another weight set than the one given: refused unless pooled knowingly.
  const ScoresTable other = table({mini.tag(), dims.tag()}, true);
  try {
    check_scores_instrument(other, mini, false);
    ADD_FAILURE();
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "instrument_mismatch");
    EXPECT_EQ(e.row(), 3u);  // the first row of the other tag
  }
  EXPECT_NO_THROW(check_scores_instrument(other, mini, true));
  // Another instrument: never.
  const Instrument rss = load("iom-rss");
  EXPECT_THROW(check_scores_instrument(table({rss.tag()}, false), mini, true), input_error);
  // Data is never a path; no tag, no instrument.
  try {
    scores_instrument(table({"../../etc/passwd@1#000000000000"}, false), search);
    ADD_FAILURE();
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "instrument_mismatch");
  }
  try {
    scores_instrument(table({"", ""}, false), search);
    ADD_FAILURE();
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "no_instrument");
  }
}

TEST(AppIntegrate, ReadLevelFileKeepsNoKeyOfAMalformedRow) {
  const Instrument com = load("community");
  const auto dir = std::filesystem::temp_directory_path() /
                   ("reinscore-test-app-integrate-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "community.csv").string();
  {
    std::ofstream out(path);
    out << "community_id,country";
    for (const auto& item : com.items) out << ',' << item.column;
    out << "\nC1,A";
    for (std::size_t k = 0; k < com.items.size(); ++k) out << ',';
    out << "\n,A";  // an empty key
    for (std::size_t k = 0; k < com.items.size(); ++k) out << ',';
    out << "\nC3;A;whole;line;in;one;field\n";  // another delimiter: unreadable
  }
  const LevelFile f = read_level_file(path, com, "community_id", "country");
  EXPECT_EQ(f.key, (std::vector<std::string>{"C1", "", ""}));
  EXPECT_EQ(f.unreadable, (std::vector<std::uint8_t>{0, 0, 1}));
  EXPECT_EQ(f.row, (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(f.parent[0], "A");
  EXPECT_EQ(f.scores.cols(), 4);
  EXPECT_THROW(read_level_file(path, com, "village", ""), input_error);

  // The note says which keys were empty and which could not be read.
  Fixture fx;
  const ScoresTable t = fx.scores();
  const Report r = integrate(t, f, fx.countries(), nullptr, fx.rss, fx.com, fx.str, fx.req);
  bool found = false;
  for (const auto& n : r.notes)
    if (n.text.find("[missing_key]") != std::string::npos) {
      found = true;
      EXPECT_NE(n.text.find("the key is empty or could not be read (a malformed row): 2 row(s) "
                            "(3, 4)"),
                std::string::npos)
          << n.text;
    }
  EXPECT_TRUE(found);
  std::filesystem::remove_all(dir);
}

TEST(AppIntegrate, KeysAreTextAndScoresMayComeFromElsewhere) {
  Fixture f;
  f.req.min_respondents = 1;
  // Community keys that read as numbers ("01") are compared as the text read; dimension
  // scores without coverage columns (computed elsewhere) are taken by their names.
  std::vector<RawColumn> cols;
  cols.push_back(text("community_id", {"01", "02"}));
  cols.push_back(text("country", {"A", "A"}));
  cols.push_back(text("economic", {"0.2", "0.4"}));
  cols.push_back(text("social", {"0.5", "0.5"}));
  cols.push_back(text("psychosocial", {"", ""}));
  cols.push_back(text("composite", {"0.3", "0.5"}));
  const ScoresTable t(std::move(cols), integrate_want(f.req, f.com, f.str), 2, "elsewhere.csv");
  Eigen::MatrixXd s(2, 4);
  s << 0.1, 0.2, 0.3, 0.2,  //
      0.5, 0.6, 0.7, 0.6;
  const LevelFile com = level_file("community.csv", f.com, text("community_id", {"01", "2"}),
                                   nullptr, s, {Status::complete, Status::complete}, {2, 3});
  const Report r = integrate(t, com, f.countries(), nullptr, f.rss, f.com, f.str, f.req);
  const Table& iv = r.table("interviews");
  expect_value(0.1, at(iv, "economic_community", 0), "01 matches 01");
  expect_value(nan_v, at(iv, "economic_community", 1), "02 is not 2");
  expect_value(0.4, at(iv, "economic_individual", 1), "a score column without coverage");
  expect_value(nan_v, at(iv, "psychosocial_individual", 0), "an empty score column");
  EXPECT_EQ(iv.at("individual_status").cell(0), Cell::missing);  // no status column
  const Table& c = r.table("communities");
  EXPECT_EQ(c.at("community_id").text, (std::vector<std::string>{"01", "02", "2"}));
}
