// Tests of include/reinscore/levels.hpp and of the `integration` object of
// include/reinscore/instrument.hpp: the shipped community and structural frameworks keep
// the foundation's invariants, level combination and Welch gaps are hand-computed, and
// integrate_levels() is checked on a small hand-made set of units with every kind of
// key mismatch.
#include <reinscore/levels.hpp>
#include <reinscore/reinscore.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace reinscore;

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

Instrument community_ins() {
  return Instrument::load(REINSCORE_DATA_DIR "/instruments/community.json");
}
Instrument structural_ins() {
  return Instrument::load(REINSCORE_DATA_DIR "/instruments/structural-gcm21.json");
}
Instrument rss() { return Instrument::load(REINSCORE_DATA_DIR "/instruments/iom-rss.json"); }

void expect_value(double expected, double actual, const std::string& what) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual)) << what << ": expected missing, got " << actual;
  } else {
    EXPECT_NEAR(expected, actual, 1e-12) << what;
  }
}

// The answer code of item k at the favourable (best) or unfavourable end.
std::string end_code(const Instrument& ins, std::size_t k, bool best) {
  const auto& scale = ins.scale_of(ins.items[k]);
  const auto lo =
      std::min_element(scale.codes.begin(), scale.codes.end(),
                       [](const AnswerCode& a, const AnswerCode& b) { return a.value < b.value; });
  const auto hi =
      std::max_element(scale.codes.begin(), scale.codes.end(),
                       [](const AnswerCode& a, const AnswerCode& b) { return a.value < b.value; });
  const bool want_high = best != ins.items[k].reverse;
  return want_high ? hi->code : lo->code;
}

ScoreBlock score_rows(const Instrument& ins, const std::vector<std::vector<std::string>>& rows) {
  const Coder coder(ins);
  const Scorer scorer(ins);
  CodedBlock b;
  b.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(ins.items.size()));
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t k = 0; k < ins.items.size(); ++k)
      b.set(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(k),
            coder.item(k).code(rows[r][k]));
  ScoreBlock out;
  scorer.score(b, out);
  return out;
}

std::string with_integration(const std::string& integration) {
  // The minimal instrument of docs/instrument-format.md, cut down, plus `integration`.
  return R"({
    "format": "reinscore-instrument/1", "id": "x", "version": "1", "level": "community",
    "dimensions": ["economic", "social"],
    "scales": {"yn": {"type": "categorical", "codes": [{"code": "no", "value": 0}, {"code": "yes", "value": 1}]}},
    "items": [{"id": "e1", "dimension": "economic", "scale": "yn"}, {"id": "s1", "dimension": "social", "scale": "yn"}],
    "weight_sets": {"equal": {"composite": {"mode": "dimension", "weights": {"economic": 1, "social": 1}},
                              "items": {"e1": {"dimension": 1}, "s1": {"dimension": 1}}}})" +
         (integration.empty() ? std::string() : ", \"integration\": " + integration) + "}";
}

void expect_instrument_error(const std::string& integration, const std::string& path,
                             const std::string& message) {
  try {
    (void)Instrument::parse(with_integration(integration));
    ADD_FAILURE() << "no error for " << integration;
  } catch (const instrument_error& e) {
    EXPECT_EQ(e.path(), path) << integration;
    EXPECT_EQ(e.message(), message) << integration;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// The `integration` object of the instrument format.

TEST(Integration, AbsentUnlessDeclaredAndNotWrittenBack) {
  const auto ins = Instrument::parse(with_integration(""));
  EXPECT_FALSE(ins.integration.has_value());
  EXPECT_FALSE(ins.to_json().as_object().contains("integration"));
  EXPECT_FALSE(rss().integration.has_value());
  EXPECT_FALSE(rss().to_json().as_object().contains("integration"));
}

TEST(Integration, DefaultsAreProvisionalTenRespondentsAndEveryLevel) {
  const auto ins = Instrument::parse(with_integration(
      R"({"level_weights": {"individual": 2, "community": 1, "structural": 0.5}})"));
  ASSERT_TRUE(ins.integration.has_value());
  const auto& g = *ins.integration;
  EXPECT_TRUE(g.provisional);
  EXPECT_EQ(g.min_respondents, 10u);
  EXPECT_EQ(g.min_level_share, 1.0);
  EXPECT_EQ(g.level_weights[0], 2.0);
  EXPECT_EQ(g.level_weights[1], 1.0);
  EXPECT_EQ(g.level_weights[2], 0.5);
  // Defaults are written explicitly: the same settings spelt out hash the same.
  const auto spelt = Instrument::parse(with_integration(
      R"({"provisional": true, "level_weights": {"individual": 2, "community": 1, "structural": 0.5},
          "min_respondents": 10, "min_level_share": 1.0})"));
  EXPECT_EQ(ins.hash(), spelt.hash());
}

TEST(Integration, RoundTripsAndCountsInTheHash) {
  const auto ins = Instrument::parse(with_integration(
      R"({"provisional": false, "level_weights": {"individual": 2, "community": 1, "structural": 1},
          "min_respondents": 5, "min_level_share": 0.5})"));
  const auto again = Instrument::from_json(ins.to_json());
  ASSERT_TRUE(again.integration.has_value());
  EXPECT_EQ(again.hash(), ins.hash());
  EXPECT_FALSE(again.integration->provisional);
  EXPECT_EQ(again.integration->min_respondents, 5u);
  EXPECT_EQ(again.integration->min_level_share, 0.5);
  const auto without = Instrument::parse(with_integration(""));
  EXPECT_NE(without.hash(), ins.hash());
  for (
      const char* changed :
      {R"({"provisional": false, "level_weights": {"individual": 3, "community": 1, "structural": 1}, "min_respondents": 5, "min_level_share": 0.5})",
       R"({"provisional": false, "level_weights": {"individual": 2, "community": 1, "structural": 1}, "min_respondents": 6, "min_level_share": 0.5})",
       R"({"provisional": false, "level_weights": {"individual": 2, "community": 1, "structural": 1}, "min_respondents": 5, "min_level_share": 0.6})",
       R"({"provisional": true, "level_weights": {"individual": 2, "community": 1, "structural": 1}, "min_respondents": 5, "min_level_share": 0.5})"})
    EXPECT_NE(Instrument::parse(with_integration(changed)).hash(), ins.hash()) << changed;
}

TEST(Integration, ValidationNamesTheJsonPath) {
  const std::string lw = R"("level_weights": {"individual": 1, "community": 1, "structural": 1})";
  expect_instrument_error("[]", "integration", "expected an object, found an array");
  expect_instrument_error("{}", "integration.level_weights", "required key is missing");
  expect_instrument_error("{" + lw + R"(, "weights": 1})", "integration.weights", "unknown key");
  expect_instrument_error(
      R"({"level_weights": {"individual": 1, "community": 1, "structural": 1, "regional": 1}})",
      "integration.level_weights.regional", "unknown key");
  expect_instrument_error(R"({"level_weights": {"individual": 1, "community": 1}})",
                          "integration.level_weights.structural", "required key is missing");
  expect_instrument_error(
      R"({"level_weights": {"individual": 1, "community": -1, "structural": 1}})",
      "integration.level_weights.community", "weight must be a finite number >= 0");
  expect_instrument_error(
      R"({"level_weights": {"individual": "1", "community": 1, "structural": 1}})",
      "integration.level_weights.individual", "expected a number, found a string");
  expect_instrument_error(
      R"({"level_weights": {"individual": 0, "community": 0, "structural": 0}})",
      "integration.level_weights", "level weights must not all be zero");
  expect_instrument_error("{" + lw + R"(, "min_respondents": 0})", "integration.min_respondents",
                          "must be at least 1");
  expect_instrument_error("{" + lw + R"(, "min_respondents": 2.5})", "integration.min_respondents",
                          "expected an integer, found a number");
  expect_instrument_error("{" + lw + R"(, "min_level_share": 1.5})", "integration.min_level_share",
                          "must lie in [0, 1]");
  expect_instrument_error("{" + lw + R"(, "min_level_share": -0.1})", "integration.min_level_share",
                          "must lie in [0, 1]");
  expect_instrument_error("{" + lw + R"(, "provisional": "yes"})", "integration.provisional",
                          "expected true or false, found a string");
  // A zero weight for one level is allowed.
  EXPECT_NO_THROW((void)Instrument::parse(with_integration(
      R"({"level_weights": {"individual": 1, "community": 0, "structural": 1}})")));
}

// ---------------------------------------------------------------------------------------
// The shipped example frameworks.

TEST(LevelFrameworks, CommunityDeclaresItsLevelKeyAndIntegration) {
  const auto ins = community_ins();
  EXPECT_EQ(ins.level, "community");
  EXPECT_EQ(ins.unit_key, "community_id");
  EXPECT_TRUE(ins.provisional);
  EXPECT_NE(ins.title.find("EXAMPLE"), std::string::npos);
  EXPECT_EQ(ins.dimensions, rss().dimensions);
  EXPECT_GE(ins.items.size(), 8u);
  EXPECT_LE(ins.items.size(), 12u);
  ASSERT_TRUE(ins.integration.has_value());
  EXPECT_TRUE(ins.integration->provisional);
  EXPECT_TRUE(ins.weights().provisional);
}

TEST(LevelFrameworks, StructuralCoversGcmObjective21AndTheRegionalActions) {
  const auto ins = structural_ins();
  EXPECT_EQ(ins.level, "structural");
  EXPECT_EQ(ins.unit_key, "country");
  EXPECT_TRUE(ins.provisional);
  EXPECT_TRUE(ins.weights().provisional);
  EXPECT_NE(ins.title.find("EXAMPLE"), std::string::npos);
  EXPECT_EQ(ins.dimensions, rss().dimensions);
  const std::string provenance = detail::json::serialize(ins.provenance);
  EXPECT_NE(provenance.find("paragraph 37"), std::string::npos);
  EXPECT_NE(provenance.find("objective 21"), std::string::npos);
  for (const char a : std::string("abcdefghi")) {
    const std::string prefix = std::string("gcm21_") + a + "_";
    EXPECT_EQ(std::count_if(ins.items.begin(), ins.items.end(),
                            [&](const Item& it) { return it.id.rfind(prefix, 0) == 0; }),
              1)
        << prefix;
  }
  for (const char* id : {"reg_referral_mechanism", "reg_cross_border", "reg_protection_sops",
                         "reg_social_workers", "reg_assistance_fund"})
    EXPECT_NE(ins.item_index(id), Instrument::npos) << id;
  EXPECT_EQ(ins.items.size(), 14u);
  // Every item on the status scale: none 0, planned .25, adopted .5, implemented .75, monitored 1.
  const Coder coder(ins);
  const std::vector<std::pair<std::string, double>> status = {
      {"none", 0}, {"planned", 0.25}, {"adopted", 0.5}, {"implemented", 0.75}, {"monitored", 1}};
  for (std::size_t k = 0; k < ins.items.size(); ++k)
    for (const auto& [code, value] : status) {
      const auto cell = coder.item(k).code(code);
      EXPECT_EQ(cell.reason, Reason::answered) << ins.items[k].id << " " << code;
      EXPECT_EQ(cell.value, value) << ins.items[k].id << " " << code;
    }
}

// The foundation's invariants at each level: favourable answers score 1, unfavourable 0,
// every score in [0, 1], and a better answer never lowers a score.
class FrameworkInvariants : public ::testing::TestWithParam<const char*> {};

TEST_P(FrameworkInvariants, HoldForTheShippedFramework) {
  const auto ins =
      Instrument::load(std::string(REINSCORE_DATA_DIR "/instruments/") + GetParam() + ".json");
  const std::size_t K = ins.items.size();
  std::vector<std::string> best(K), worst(K);
  for (std::size_t k = 0; k < K; ++k) {
    best[k] = end_code(ins, k, true);
    worst[k] = end_code(ins, k, false);
  }
  const auto s = score_rows(ins, {best, worst});
  for (Eigen::Index d = 0; d < s.dimension.cols(); ++d) {
    EXPECT_EQ(s.dimension(0, d), 1.0) << ins.dimensions[static_cast<std::size_t>(d)];
    EXPECT_EQ(s.dimension(1, d), 0.0) << ins.dimensions[static_cast<std::size_t>(d)];
  }
  EXPECT_EQ(s.composite(0), 1.0);
  EXPECT_EQ(s.composite(1), 0.0);
  EXPECT_EQ(s.status[0], Status::complete);

  std::mt19937_64 rng(20261127);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<std::string> row(K);
    std::vector<std::size_t> pos(K);
    for (std::size_t k = 0; k < K; ++k) {
      const auto& codes = ins.scale_of(ins.items[k]).codes;
      pos[k] = std::uniform_int_distribution<std::size_t>(0, codes.size() - 1)(rng);
      row[k] = codes[pos[k]].code;
    }
    // Improve one item by one step towards its favourable end.
    const std::size_t k = std::uniform_int_distribution<std::size_t>(0, K - 1)(rng);
    const auto& codes = ins.scale_of(ins.items[k]).codes;
    std::vector<std::string> better = row;
    const double v = codes[pos[k]].value;
    const AnswerCode* step = nullptr;
    for (const auto& c : codes) {
      const bool improves = ins.items[k].reverse ? c.value < v : c.value > v;
      const bool closer =
          step == nullptr || (ins.items[k].reverse ? c.value > step->value : c.value < step->value);
      if (improves && closer) step = &c;
    }
    if (step) better[k] = step->code;
    const auto sc = score_rows(ins, {row, better});
    for (Eigen::Index d = 0; d < sc.dimension.cols(); ++d) {
      EXPECT_GE(sc.dimension(0, d), 0.0);
      EXPECT_LE(sc.dimension(0, d), 1.0);
      EXPECT_GE(sc.dimension(1, d), sc.dimension(0, d) - 1e-12) << ins.items[k].id;
    }
    EXPECT_GE(sc.composite(0), 0.0);
    EXPECT_LE(sc.composite(0), 1.0);
    EXPECT_GE(sc.composite(1), sc.composite(0) - 1e-12) << ins.items[k].id;
    if (step) {
      const auto d = static_cast<Eigen::Index>(ins.dimension_index(ins.items[k].dimension));
      EXPECT_GT(sc.dimension(1, d), sc.dimension(0, d))
          << "a better answer must raise its dimension";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, FrameworkInvariants,
                         ::testing::Values("community", "structural-gcm21"));

// ---------------------------------------------------------------------------------------
// Level combination and gaps.

TEST(CombineLevels, WeightedMeanOfTheLevels) {
  Integration g;
  g.level_weights = {2, 1, 1};
  const auto c = combine_levels({0.8, 0.4, 0.0}, g);
  EXPECT_NEAR(c.value, (2 * 0.8 + 0.4 + 0.0) / 4, 1e-15);
  EXPECT_EQ(c.share, 1.0);
}

TEST(CombineLevels, MissingLevelMakesTheValueMissingByDefault) {
  Integration g;  // min_level_share 1: every level needed
  const auto c = combine_levels({0.8, nan_v, 0.2}, g);
  EXPECT_TRUE(std::isnan(c.value));
  EXPECT_NEAR(c.share, 2.0 / 3, 1e-15);
}

TEST(CombineLevels, AvailableLevelsAboveTheShareWithATolerance) {
  Integration g;
  g.level_weights = {2, 1, 1};
  g.min_level_share = 0.75;
  const auto c = combine_levels({0.8, nan_v, 0.2}, g);  // available 3 of 4
  EXPECT_NEAR(c.value, (2 * 0.8 + 0.2) / 3, 1e-15);
  EXPECT_NEAR(c.share, 0.75, 1e-15);
  EXPECT_TRUE(std::isnan(combine_levels({nan_v, 0.5, 0.2}, g).value));  // 2 of 4 < 0.75
  g.level_weights = {0.7, 0.1, 0.2};
  g.min_level_share = 0.8;  // 0.7 + 0.1 computes just below 0.8
  EXPECT_FALSE(std::isnan(combine_levels({0.5, 0.5, nan_v}, g).value));
}

TEST(CombineLevels, ZeroWeightLevelsDoNotCountAndNothingGivesNothing) {
  Integration g;
  g.level_weights = {1, 0, 1};
  const auto c = combine_levels({0.6, nan_v, 0.2}, g);
  EXPECT_NEAR(c.value, 0.4, 1e-15);
  EXPECT_EQ(c.share, 1.0);
  EXPECT_NEAR(combine_levels({0.6, 0.9, 0.2}, g).value, 0.4, 1e-15);  // 0.9 weighs nothing
  g.min_level_share = 0;
  EXPECT_TRUE(std::isnan(combine_levels({nan_v, 0.3, nan_v}, g).value));
}

TEST(WelchGap, DifferenceSeAndNormalInterval) {
  const auto e = welch_gap(0.6, 0.0004, 0.5, 0.0012);
  EXPECT_NEAR(e.gap, 0.1, 1e-15);
  EXPECT_NEAR(e.se, 0.04, 1e-15);
  EXPECT_NEAR(e.low, 0.1 - 1.959963984540054 * 0.04, 1e-15);
  EXPECT_NEAR(e.high, 0.1 + 1.959963984540054 * 0.04, 1e-15);
  const auto no_var = welch_gap(0.6, nan_v, 0.5, 0.001);
  EXPECT_NEAR(no_var.gap, 0.1, 1e-15);
  EXPECT_TRUE(std::isnan(no_var.se));
  EXPECT_TRUE(std::isnan(no_var.low));
  EXPECT_TRUE(std::isnan(welch_gap(nan_v, 0.1, 0.5, 0.1).gap));
}

TEST(GroupStats, WeightedMeanShareAndVarianceOfTheMean) {
  Eigen::MatrixXd x(5, 1);
  x << 0.2, 0.6, 1.0, nan_v, 0.5;
  const std::vector<double> w = {1, 2, 1, 5, 3};
  const std::vector<std::size_t> unit = {0, 0, 0, 0, static_cast<std::size_t>(-1)};
  const auto g = group_stats(x, w, unit, 1, 0.5);
  EXPECT_EQ(g.n[0], 4u);
  EXPECT_EQ(g.n_score(0, 0), 3u);
  const double m = (0.2 + 1.2 + 1.0) / 4;  // 0.6
  EXPECT_NEAR(g.mean(0, 0), m, 1e-15);
  EXPECT_NEAR(g.share(0, 0), 3.0 / 4, 1e-15);  // 0.6 and 1.0 are >= 0.5
  const double ss =
      std::pow(1 * (0.2 - m), 2) + std::pow(2 * (0.6 - m), 2) + std::pow(1 * (1.0 - m), 2);
  EXPECT_NEAR(g.var_mean(0, 0), 3.0 / 2 * ss / 16, 1e-15);
  // Equal weights: the variance of the mean is s^2 / n.
  const auto e = group_stats(x, {}, unit, 1, nan_v);
  const double me = 0.6;
  const double s2 = (std::pow(0.2 - me, 2) + 0 + std::pow(1.0 - me, 2)) / 2;
  EXPECT_NEAR(e.var_mean(0, 0), s2 / 3, 1e-15);
  EXPECT_TRUE(std::isnan(e.share(0, 0)));  // no threshold, no share
}

// ---------------------------------------------------------------------------------------
// integrate_levels on a hand-made example.
//
// Scores: economic, social, composite (S = 3). Communities A (country X), B (X),
// C (Y, no returnee) and a row without key; countries X and Z (Z has no returnee; Y is
// absent from the structural table). Returnees (rows 2..7 of their file):
//   r0 A X   r1 A X   r2 B X   r3 D X (D not in the community table)
//   r4 A Y (A lies in X; Y not in the structural table)   r5 (no community) X

namespace {

LevelInput example() {
  LevelInput in;
  in.score_names = {"economic", "social", "composite"};
  in.settings.min_respondents = 2;
  in.threshold = 0.5;
  in.communities.key = {"A", "B", "C", " "};
  in.communities.parent = {"X", "X", "Y", ""};
  in.communities.row = {2, 3, 4, 5};
  in.communities.scores.resize(4, 3);
  in.communities.scores << 0.5, 0.7, 0.6,  //
      1.0, 0.0, 0.5,                       //
      0.2, 0.2, 0.2,                       //
      0.9, 0.9, 0.9;
  in.communities.status = {Status::complete, Status::partial, Status::complete, Status::complete};
  in.countries.key = {"X", "Z"};
  in.countries.row = {2, 3};
  in.countries.scores.resize(2, 3);
  in.countries.scores << 0.25, 0.75, 0.5,  //
      0.1, 0.1, 0.1;
  in.countries.status = {Status::complete, Status::complete};
  in.returnees.community = {"A", "A", "B", "D", "A", ""};
  in.returnees.country = {"X", "X", "X", "X", "Y", "X"};
  in.returnees.scores.resize(6, 3);
  in.returnees.scores << 0.8, 0.4, 0.6,  //
      0.2, 0.6, 0.4,                     //
      0.5, 0.5, 0.5,                     //
      0.9, 0.1, 0.5,                     //
      0.3, nan_v, nan_v,                 //
      0.7, 0.7, 0.7;
  return in;
}

const LevelProblem* find_problem(const LevelResult& res, const std::string& rule,
                                 const std::string& source, const std::string& key) {
  for (const auto& p : res.problems)
    if (p.rule == rule && p.source == source && p.key == key) return &p;
  return nullptr;
}

std::size_t rollup_row(const LevelRollup& R, const std::string& key, std::size_t group = 0) {
  for (std::size_t i = 0; i < R.rows(); ++i)
    if (R.key[i] == key && R.group[i] == group) return i;
  ADD_FAILURE() << "no roll-up row " << key;
  return 0;
}

}  // namespace

TEST(IntegrateLevels, InterviewMatrixByHand) {
  const auto res = integrate_levels(example());
  const auto& iv = res.interviews;
  // r0: individual (.8 .4 .6), community A (.5 .7 .6), structural X (.25 .75 .5).
  expect_value(0.5, iv.community(0, 0), "r0 community economic");
  expect_value(0.75, iv.structural(0, 1), "r0 structural social");
  expect_value((0.8 + 0.5 + 0.25) / 3, iv.integrated(0, 0), "r0 integrated economic");
  expect_value((0.4 + 0.7 + 0.75) / 3, iv.integrated(0, 1), "r0 integrated social");
  expect_value((0.6 + 0.6 + 0.5) / 3, iv.integrated(0, 2), "r0 integrated composite");
  EXPECT_EQ(iv.level_share(0, 2), 1.0);
  EXPECT_EQ(iv.community_status[0], static_cast<int>(Status::complete));
  EXPECT_EQ(iv.problems[0], "");
  // r2: community B, whose status is partial.
  expect_value((0.5 + 1.0 + 0.25) / 3, iv.integrated(2, 0), "r2 integrated economic");
  EXPECT_EQ(iv.community_status[2], static_cast<int>(Status::partial));
  // r3: D is not in the community table: its row stays, community cells empty.
  expect_value(nan_v, iv.community(3, 0), "r3 community");
  expect_value(0.25, iv.structural(3, 0), "r3 structural");
  expect_value(nan_v, iv.integrated(3, 0), "r3 integrated (a level is missing)");
  EXPECT_NEAR(iv.level_share(3, 0), 2.0 / 3, 1e-15);
  EXPECT_EQ(iv.community_status[3], -1);
  EXPECT_EQ(iv.problems[3], "community_not_found: community_id");
  // r4: Y is not in the structural table, and A lies in X.
  expect_value(0.5, iv.community(4, 0), "r4 community");
  expect_value(nan_v, iv.structural(4, 0), "r4 structural");
  EXPECT_EQ(iv.problems[4], "country_not_found: country; country_mismatch: country");
  // r5: no community key.
  EXPECT_EQ(iv.problems[5], "missing_key: community_id");
  expect_value(0.25, iv.structural(5, 0), "r5 structural");
}

TEST(IntegrateLevels, AvailableLevelsWhenTheShareAllowsIt) {
  auto in = example();
  in.settings.min_level_share = 0.6;
  const auto res = integrate_levels(in);
  expect_value((0.9 + 0.25) / 2, res.interviews.integrated(3, 0), "r3 over two of three levels");
  expect_value((0.3 + 0.5) / 2, res.interviews.integrated(4, 0), "r4 over two of three levels");
  expect_value(nan_v, res.interviews.integrated(4, 1), "r4 social: only the community level");
}

TEST(IntegrateLevels, KeyMismatchesAreReportedWithTheirRows) {
  const auto res = integrate_levels(example());
  const auto* p = find_problem(res, "community_not_found", "individual", "D");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->column, "community_id");
  EXPECT_EQ(p->rows, (std::vector<std::uint64_t>{5}));
  p = find_problem(res, "country_not_found", "individual", "Y");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->rows, (std::vector<std::uint64_t>{6}));
  p = find_problem(res, "country_not_found", "community", "Y");  // C lies in Y
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->rows, (std::vector<std::uint64_t>{4}));
  p = find_problem(res, "country_mismatch", "individual", "A");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->rows, (std::vector<std::uint64_t>{6}));
  p = find_problem(res, "missing_key", "individual", "");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->rows, (std::vector<std::uint64_t>{7}));
  p = find_problem(res, "missing_key", "community", "");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->rows, (std::vector<std::uint64_t>{5}));
  p = find_problem(res, "community_without_returnees", "community", "C");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->rows, (std::vector<std::uint64_t>{4}));
  p = find_problem(res, "country_without_returnees", "structural", "Z");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->rows, (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(res.problems.size(), 8u);
  EXPECT_EQ(find_problem(res, "community_without_returnees", "community", "A"), nullptr);
}

TEST(IntegrateLevels, EveryUnitGetsARollupRow) {
  const auto res = integrate_levels(example());
  EXPECT_EQ(res.communities.key, (std::vector<std::string>{"A", "B", "C", "D"}));
  EXPECT_EQ(res.countries.key, (std::vector<std::string>{"X", "Y", "Z"}));
  const auto& R = res.communities;
  EXPECT_EQ(R.problems[rollup_row(R, "C")],
            "community_without_returnees; country_not_found: country");
  EXPECT_EQ(R.problems[rollup_row(R, "D")], "community_not_found: community_id");
  EXPECT_EQ(R.problems[rollup_row(R, "A")], "country_mismatch: country");
  EXPECT_EQ(R.parent[rollup_row(R, "D")], "X");                        // from its returnee
  EXPECT_EQ(R.parent[rollup_row(R, "C")], "Y");                        // from the community table
  EXPECT_EQ(res.countries.units[rollup_row(res.countries, "X")], 3u);  // A, B, D
  EXPECT_EQ(res.countries.problems[rollup_row(res.countries, "Y")], "country_not_found: country");
  EXPECT_EQ(res.countries.problems[rollup_row(res.countries, "Z")], "country_without_returnees");
}

TEST(IntegrateLevels, CommunityRollupByHandAndSuppression) {
  const auto res = integrate_levels(example());
  const auto& R = res.communities;
  const auto a = static_cast<Eigen::Index>(rollup_row(R, "A"));
  EXPECT_EQ(R.n[static_cast<std::size_t>(a)], 3u);  // r0, r1, r4
  EXPECT_FALSE(R.suppressed[static_cast<std::size_t>(a)]);
  expect_value((0.8 + 0.2 + 0.3) / 3, R.individual(a, 0), "A economic");
  expect_value((0.4 + 0.6) / 2, R.individual(a, 1), "A social: two scores");
  EXPECT_EQ(R.n_score(a, 1), 2u);
  expect_value(1.0 / 3, R.share_above(a, 0), "A share economic >= .5: only 0.8");
  expect_value(0.5, R.share_above(a, 1), "A share social >= .5");
  expect_value(0.5, R.community(a, 0), "A community level");
  expect_value(0.25, R.structural(a, 0), "A structural level (X)");
  expect_value(((0.8 + 0.2 + 0.3) / 3 + 0.5 + 0.25) / 3, R.integrated(a, 0), "A integrated");
  // B and D have one returnee each: below min_respondents 2, nothing of them is shown.
  for (const char* k : {"B", "D", "C"}) {
    const auto i = rollup_row(R, k);
    EXPECT_TRUE(R.suppressed[i]) << k;
    EXPECT_TRUE(std::isnan(R.individual(static_cast<Eigen::Index>(i), 0))) << k;
    EXPECT_TRUE(std::isnan(R.share_above(static_cast<Eigen::Index>(i), 2))) << k;
    EXPECT_TRUE(std::isnan(R.integrated(static_cast<Eigen::Index>(i), 0))) << k;
  }
  // The community level of B is not about people: it stays.
  expect_value(1.0, R.community(static_cast<Eigen::Index>(rollup_row(R, "B")), 0),
               "B community level");
  // A single score below the minimum is blanked although the community is shown.
  auto in = example();
  in.settings.min_respondents = 3;
  const auto res3 = integrate_levels(in);
  const auto a3 = static_cast<Eigen::Index>(rollup_row(res3.communities, "A"));
  EXPECT_FALSE(res3.communities.suppressed[static_cast<std::size_t>(a3)]);
  expect_value((0.8 + 0.2 + 0.3) / 3, res3.communities.individual(a3, 0), "A economic, 3 scores");
  expect_value(nan_v, res3.communities.individual(a3, 1), "A social, 2 scores < 3");
  in.settings.min_respondents = 4;
  const auto res4 = integrate_levels(in);
  EXPECT_TRUE(res4.communities.suppressed[rollup_row(res4.communities, "A")]);
  EXPECT_TRUE(std::isnan(res4.communities.individual(a3, 0)));
}

TEST(IntegrateLevels, CountryRollupByHand) {
  const auto res = integrate_levels(example());
  const auto& R = res.countries;
  const auto x = static_cast<Eigen::Index>(rollup_row(R, "X"));
  EXPECT_EQ(R.n[static_cast<std::size_t>(x)], 5u);  // r0 r1 r2 r3 r5
  expect_value((0.8 + 0.2 + 0.5 + 0.9 + 0.7) / 5, R.individual(x, 0), "X economic");
  // Community level: the returnees' communities (A, A, B; D and the keyless row have none).
  expect_value((0.5 + 0.5 + 1.0) / 3, R.community(x, 0), "X community level");
  expect_value(0.25, R.structural(x, 0), "X structural level");
  expect_value(((0.8 + 0.2 + 0.5 + 0.9 + 0.7) / 5 + (0.5 + 0.5 + 1.0) / 3 + 0.25) / 3,
               R.integrated(x, 0), "X integrated");
  EXPECT_TRUE(R.suppressed[rollup_row(R, "Y")]);  // one returnee
  EXPECT_TRUE(R.suppressed[rollup_row(R, "Z")]);  // none
  expect_value(0.1, R.structural(static_cast<Eigen::Index>(rollup_row(R, "Z")), 0),
               "Z structural level");
}

TEST(IntegrateLevels, WeightedRollupsUseTheWeights) {
  auto in = example();
  in.returnees.weight = {1, 3, 1, 1, 2, 1};
  const auto res = integrate_levels(in);
  const auto a = static_cast<Eigen::Index>(rollup_row(res.communities, "A"));
  expect_value((0.8 + 3 * 0.2 + 2 * 0.3) / 6, res.communities.individual(a, 0),
               "A weighted economic");
  expect_value(1.0 / 6, res.communities.share_above(a, 0), "A weighted share");
  const auto x = static_cast<Eigen::Index>(rollup_row(res.countries, "X"));
  expect_value((0.5 + 3 * 0.5 + 1.0) / 5, res.countries.community(x, 0),
               "X community level, weighted");
}

TEST(IntegrateLevels, HostGapWithWelchStandardError) {
  auto in = example();
  PeopleScores hosts;
  hosts.community = {"A", "A", "A", "B", "E"};
  hosts.scores.resize(5, 3);
  hosts.scores << 0.5, 0.5, 0.5,  //
      0.7, 0.9, 0.8,              //
      0.9, 0.1, 0.5,              //
      0.1, 0.1, 0.1,              //
      0.4, 0.4, 0.4;
  in.hosts = hosts;
  const auto res = integrate_levels(in);
  const auto& R = res.communities;
  const auto a = static_cast<Eigen::Index>(rollup_row(R, "A"));
  EXPECT_EQ(R.host_n[static_cast<std::size_t>(a)], 3u);
  const double mr = (0.8 + 0.2 + 0.3) / 3, mh = (0.5 + 0.7 + 0.9) / 3;
  const double vr = (std::pow(0.8 - mr, 2) + std::pow(0.2 - mr, 2) + std::pow(0.3 - mr, 2)) / 2 / 3;
  const double vh = (std::pow(0.5 - mh, 2) + std::pow(0.7 - mh, 2) + std::pow(0.9 - mh, 2)) / 2 / 3;
  expect_value(mh, R.host_mean(a, 0), "A host mean");
  expect_value(mr - mh, R.gap(a, 0), "A gap");
  expect_value(std::sqrt(vr + vh), R.gap_se(a, 0), "A gap se");
  expect_value(mr - mh - 1.959963984540054 * std::sqrt(vr + vh), R.gap_low(a, 0), "A gap low");
  expect_value(mr - mh + 1.959963984540054 * std::sqrt(vr + vh), R.gap_high(a, 0), "A gap high");
  // B: one resident (and one returnee): suppressed, no gap.
  const auto b = rollup_row(R, "B");
  EXPECT_TRUE(R.host_suppressed[b]);
  EXPECT_TRUE(std::isnan(R.host_mean(static_cast<Eigen::Index>(b), 0)));
  EXPECT_TRUE(std::isnan(R.gap(static_cast<Eigen::Index>(b), 0)));
  // E is known from the residents only: reported and given a row.
  const auto* p = find_problem(res, "community_not_found", "host", "E");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->rows, (std::vector<std::uint64_t>{6}));
  EXPECT_EQ(R.host_n[rollup_row(R, "E")], 1u);
  // Country X: residents of A and B (E has no known country).
  EXPECT_EQ(res.countries.host_n[rollup_row(res.countries, "X")], 4u);
}

TEST(IntegrateLevels, GroupsSplitTheRollups) {
  auto in = example();
  in.by_columns = {"round"};
  in.returnees.by = {{"2", "1", "1", "1", "2", "1"}};
  const auto res = integrate_levels(in);
  ASSERT_EQ(res.groups.size(), 2u);
  EXPECT_EQ(res.groups[0], (std::vector<std::string>{"1"}));
  EXPECT_EQ(res.groups[1], (std::vector<std::string>{"2"}));
  EXPECT_EQ(res.communities.rows(), 8u);  // 2 groups x 4 communities
  const auto a1 = rollup_row(res.communities, "A", 0), a2 = rollup_row(res.communities, "A", 1);
  EXPECT_EQ(res.communities.n[a1], 1u);  // r1
  EXPECT_EQ(res.communities.n[a2], 2u);  // r0, r4
  expect_value((0.8 + 0.3) / 2, res.communities.individual(static_cast<Eigen::Index>(a2), 0),
               "A round 2");
  EXPECT_TRUE(res.communities.suppressed[a1]);
  const auto x1 = rollup_row(res.countries, "X", 0);
  EXPECT_EQ(res.countries.n[x1], 4u);  // r1 r2 r3 r5
}

TEST(IntegrateLevels, CountryIntegratedIsTheMeanOfItsInterviewsWhenAllLevelsExist) {
  // Linearity: with every level present, the roll-up's integrated score equals the
  // (weighted) mean of its interviews' integrated scores.
  LevelInput in;
  in.score_names = {"a", "composite"};
  in.settings.min_respondents = 1;
  in.settings.level_weights = {3, 2, 1};
  in.communities.key = {"c1", "c2", "c3"};
  in.communities.parent = {"X", "X", "Y"};
  in.communities.scores.resize(3, 2);
  in.communities.scores << 0.1, 0.2, 0.5, 0.6, 0.9, 0.3;
  in.countries.key = {"X", "Y"};
  in.countries.scores.resize(2, 2);
  in.countries.scores << 0.4, 0.45, 0.8, 0.7;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  const int n = 200;
  in.returnees.scores.resize(n, 2);
  for (int r = 0; r < n; ++r) {
    const int c = r % 3;
    in.returnees.community.push_back(in.communities.key[static_cast<std::size_t>(c)]);
    in.returnees.country.push_back(c == 2 ? "Y" : "X");
    in.returnees.weight.push_back(0.5 + u(rng));
    in.returnees.scores(r, 0) = u(rng);
    in.returnees.scores(r, 1) = u(rng);
  }
  const auto res = integrate_levels(in);
  for (std::size_t i = 0; i < res.countries.rows(); ++i) {
    double sw = 0, swx = 0;
    for (int r = 0; r < n; ++r)
      if (in.returnees.country[static_cast<std::size_t>(r)] == res.countries.key[i]) {
        sw += in.returnees.weight[static_cast<std::size_t>(r)];
        swx += in.returnees.weight[static_cast<std::size_t>(r)] * res.interviews.integrated(r, 0);
      }
    EXPECT_NEAR(res.countries.integrated(static_cast<Eigen::Index>(i), 0), swx / sw, 1e-12)
        << res.countries.key[i];
  }
}

TEST(IntegrateLevels, UnusableDataThrowsWithRowAndColumnButNoValues) {
  auto dup = example();
  dup.communities.key[2] = "A";
  try {
    (void)integrate_levels(dup);
    ADD_FAILURE() << "duplicate key accepted";
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "duplicate_key");
    EXPECT_EQ(e.row(), 4u);
    EXPECT_EQ(e.column(), "community_id");
    EXPECT_NE(std::string(e.what()).find("first on row 2"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("\"A\""), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("'A'"), std::string::npos) << e.what();
  }
  auto bad_weight = example();
  bad_weight.weight_column = "w";
  bad_weight.returnees.weight = {1, 1, 0, 1, 1, 1};
  try {
    (void)integrate_levels(bad_weight);
    ADD_FAILURE() << "zero weight accepted";
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "invalid_weight");
    EXPECT_EQ(e.row(), 4u);
    EXPECT_EQ(e.column(), "w");
  }
  auto out_of_range = example();
  out_of_range.returnees.scores(1, 1) = 1.5;
  try {
    (void)integrate_levels(out_of_range);
    ADD_FAILURE() << "score 1.5 accepted";
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "score_out_of_range");
    EXPECT_EQ(e.row(), 3u);
    EXPECT_EQ(e.column(), "social");
    EXPECT_EQ(std::string(e.what()).find("1.5"), std::string::npos);
  }
  auto ragged = example();
  ragged.returnees.country.pop_back();
  EXPECT_THROW((void)integrate_levels(ragged), std::invalid_argument);
  auto dims = example();
  dims.score_names = {"composite"};
  EXPECT_THROW((void)integrate_levels(dims), std::invalid_argument);
}

TEST(IntegrateLevels, KeysAreTrimmedAndRowsDefaultToSpreadsheetNumbers) {
  auto in = example();
  in.returnees.community[1] = " A ";
  in.communities.row.clear();
  const auto res = integrate_levels(in);
  EXPECT_EQ(res.interviews.problems[1], "");
  const auto* p = find_problem(res, "community_without_returnees", "community", "C");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->rows,
            (std::vector<std::uint64_t>{4}));  // third unit: row 4 with the header as row 1
}

TEST(IntegrateLevels, UnscoredUnitsAreReported) {
  auto in = example();
  in.communities.scores(0, 2) = nan_v;  // A has no composite
  in.communities.status[0] = Status::insufficient;
  const auto res = integrate_levels(in);
  const auto* p = find_problem(res, "unscored_unit", "community", "A");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->rows, (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(res.interviews.problems[0], "unscored_unit: community_id");
  EXPECT_EQ(res.interviews.community_status[0], static_cast<int>(Status::insufficient));
}
