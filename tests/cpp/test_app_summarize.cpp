// app::summarize against sums worked out independently in the test.
#include <reinscore/app/render.hpp>
#include <reinscore/app/summarize.hpp>
#include <reinscore/error.hpp>

#include <gtest/gtest.h>

#include <cmath>

using namespace reinscore;
using namespace reinscore::app;

namespace {

RawColumn text(std::string name, std::vector<std::string> cells) {
  RawColumn c;
  c.name = std::move(name);
  c.text = std::move(cells);
  return c;
}

// 12 rows: round 1 (5 rows), 2 (4 rows), 10 (3 rows).
ScoresTable table(const ScoresWant& w) {
  return ScoresTable(
      {text("round", {"1", "10", "2", "1", "2", "10", "1", "2", "1", "10", "2", "1"}),
       text("w", {"1", "2", "1", "3", "1", "1", "2", "1", "1", "1", "2", "1"}),
       text("composite",
            {"0.1", "0.9", "0.5", "0.3", "", "0.7", "0.5", "0.4", "0.2", "0.8", "0.6", "0.4"}),
       text("status", {"complete", "complete", "partial", "complete", "insufficient", "complete",
                       "partial", "complete", "complete", "partial", "complete", "complete"})},
      w, 2, "test");
}

InstrumentSearch nowhere() { return {}; }

}  // namespace

TEST(Summarize, PlainMeansSharesAndNumericKeyOrder) {
  SummarizeRequest req;
  req.by = {"round"};
  req.min_cell = 0;
  const Report r = summarize(table(req.want()), req, nowhere());
  const Table& g = r.table("groups");
  ASSERT_EQ(g.rows(), 3u);
  EXPECT_EQ(g.at("round").values, (std::vector<double>{1, 2, 10}));
  EXPECT_EQ(g.at("n").values, (std::vector<double>{5, 4, 3}));
  // round 1: 0.1 0.3 0.5 0.2 0.4 -> 1.5 / 5; round 2: 0.5 0.4 0.6 (one empty) -> 1.5 / 3
  EXPECT_NEAR(g.at("mean_composite").values[0], 0.3, 1e-15);
  EXPECT_NEAR(g.at("mean_composite").values[1], 0.5, 1e-15);
  EXPECT_NEAR(g.at("mean_composite").values[2], 0.8, 1e-15);
  EXPECT_NEAR(g.at("share_partial").values[0], 0.2, 1e-15);
  EXPECT_NEAR(g.at("share_insufficient").values[1], 0.25, 1e-15);
  EXPECT_FALSE(g.has("sum_w"));  // the plain form
  EXPECT_FALSE(r.has_table("estimates"));
}

TEST(Summarize, SuppressesSmallGroupsOnce) {
  SummarizeRequest req;
  req.by = {"round"};
  req.min_cell = 4;
  const Report r = summarize(table(req.want()), req, nowhere());
  const Table& g = r.table("groups");
  EXPECT_EQ(g.at("n").cell(2), Cell::suppressed);
  EXPECT_EQ(g.at("mean_composite").cell(2), Cell::missing);
  const std::string csv = render(g, Format::csv);
  EXPECT_EQ(csv.substr(csv.rfind('\n', csv.size() - 2) + 1), "10,<4,,,,,\n");
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].text.find("1 group(s) with fewer than 4"), std::string::npos);
}

TEST(Summarize, WeightedMeanAndSharesAboveAGivenThreshold) {
  SummarizeRequest req;
  req.weight = "w";
  req.threshold = 0.5;
  req.survey = true;
  req.min_cell = 0;
  const Report r = summarize(table(req.want()), req, nowhere());
  const Table& g = r.table("groups");
  // Weighted over the 11 rows with a composite.
  const double v[] = {0.1, 0.9, 0.5, 0.3, 0.7, 0.5, 0.4, 0.2, 0.8, 0.6, 0.4};
  const double w[] = {1, 2, 1, 3, 1, 2, 1, 1, 1, 2, 1};
  double sw = 0, swx = 0, above = 0;
  for (int i = 0; i < 11; ++i) {
    sw += w[i];
    swx += w[i] * v[i];
    above += v[i] >= 0.5 ? w[i] : 0;
  }
  EXPECT_NEAR(g.at("mean_composite").values[0], swx / sw, 1e-15);
  EXPECT_NEAR(g.at("above_composite").values[0], above / sw, 1e-15);
  EXPECT_NEAR(g.at("sum_w").values[0], 17, 1e-15);
  EXPECT_NEAR(g.at("missing_composite").values[0], 1.0 / 12, 1e-15);
  EXPECT_EQ(r.table("design").at("threshold").values[0], 0.5);
}

TEST(Summarize, NoThresholdIsAWarningNotAGuess) {
  SummarizeRequest req;
  req.survey = true;
  const Report r = summarize(table(req.want()), req, nowhere());
  EXPECT_FALSE(r.table("groups").has("above_composite"));
  ASSERT_FALSE(r.notes.empty());
  EXPECT_EQ(r.notes[0].level, Note::Level::warning);
}

TEST(Summarize, CompareMatchesNumericLevels) {
  SummarizeRequest req;
  req.by = {"round"};
  req.ci = "linearization";
  req.compare = "round:1.0";
  req.threshold = 0.5;
  req.min_cell = 0;
  const Report r = summarize(table(req.want()), req, nowhere());
  const Table& d = r.table("differences");
  // Rounds 2 and 10 against 1; per contrast: mean, above and the four status shares.
  ASSERT_EQ(d.rows(), 2u * 6);
  EXPECT_EQ(d.at("round").values[0], 2);
  EXPECT_EQ(d.at("reference").values[0], 1);
  EXPECT_EQ(d.at("statistic").text[0], "mean");
  EXPECT_NEAR(d.at("estimate").values[0], 0.5 - 0.3, 1e-15);
  EXPECT_NEAR(d.at("estimate").values[6], 0.8 - 0.3, 1e-15);
  EXPECT_EQ(r.table("groups").at("diff_mean_composite").cell(0), Cell::missing);  // the reference
}

TEST(Summarize, CheckNamesTheOption) {
  SummarizeRequest req;
  req.compare = "round:1";
  try {
    req.check();
    FAIL();
  } catch (const option_error& e) {
    EXPECT_EQ(e.option(), "--compare");
    EXPECT_EQ(e.rule(), "option_needs");
  }
  req = {};
  req.replicates = 50;
  EXPECT_THROW(req.check(), option_error);  // bootstrap only
  req.ci = "bootstrap";
  EXPECT_NO_THROW(req.check());
  req.seed = -1;
  EXPECT_THROW(req.check(), option_error);
  req = {};
  req.level = 1.5;
  req.ci = "linearization";
  EXPECT_THROW(req.check(), option_error);
  req = {};
  req.share_interval = "wilson";  // needs --ci
  try {
    req.check();
    FAIL();
  } catch (const option_error& e) {
    EXPECT_EQ(e.option(), "--share-interval");
  }
  req.ci = "linearization";
  EXPECT_NO_THROW(req.check());
  req.share_interval = "clopper";
  try {
    req.check();
    FAIL();
  } catch (const option_error& e) {
    EXPECT_EQ(e.option(), "--share-interval");
  }
}

TEST(Summarize, StatusSharesGetTheShareInterval) {
  // Round 2 has one "insufficient" of 4 rows: a Wald interval goes below 0, logit not.
  SummarizeRequest req;
  req.by = {"round"};
  req.ci = "linearization";
  req.threshold = 0.5;
  req.min_cell = 0;
  const auto lo_of = [&](const std::string& how) {
    req.share_interval = how;
    const Report r = summarize(table(req.want()), req, nowhere());
    EXPECT_EQ(r.table("design").at("share_interval").text[0], how);
    return r.table("groups").at("lo_share_insufficient").values[1];
  };
  EXPECT_LT(lo_of("wald"), 0);
  for (const char* how : {"logit", "wilson", "beta"}) {
    const double lo = lo_of(how);
    EXPECT_GE(lo, 0) << how;
    EXPECT_LT(lo, 0.25) << how;
  }
}

TEST(Summarize, InvalidWeightNamesRowAndColumn) {
  SummarizeRequest req;
  req.weight = "w";
  req.survey = true;
  req.threshold = 0.5;
  auto cols = std::vector<RawColumn>{text("composite", {"0.5", "0.5"}), text("w", {"1", "-2"})};
  const ScoresTable t(std::move(cols), req.want(), 2, "t");
  try {
    summarize(t, req, nowhere());
    FAIL();
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "invalid_weight");
    EXPECT_EQ(e.row(), 3u);
    EXPECT_EQ(e.column(), "w");
  }
}
