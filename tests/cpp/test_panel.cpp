// Panel: change between rounds, months since return, transitions, attrition, on small
// panels computed by hand.
#include <reinscore/panel.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

using namespace reinscore;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

struct Row {
  std::string id;
  std::int64_t round;
  std::vector<double> scores;  // economic, composite
  int category;
  int status;
  double weight;
  std::uint64_t row;
};

// A (rounds 1, 2, 3), B (1, 2; composite missing in 2), C (1, 3: missed round 2),
// D (2 only). Categories: 0 below_threshold, 1 sustainable; status 0..3.
std::vector<Row> small_rows() {
  return {
      {"A", 1, {0.2, 0.4}, 0, 0, 1, 2},  {"B", 1, {0.5, 0.5}, 1, 1, 1, 3},
      {"C", 1, {0.3, 0.2}, 0, 0, 1, 4},  {"A", 2, {0.5, 0.6}, 1, 0, 1, 5},
      {"B", 2, {0.4, NaN}, -1, 2, 1, 6}, {"D", 2, {0.8, 0.9}, 1, 0, 1, 7},
      {"A", 3, {0.6, 0.7}, 1, 1, 1, 8},  {"C", 3, {0.8, 0.5}, 1, 0, 1, 9},
  };
}

Panel make_panel(const std::vector<Row>& rows) {
  Panel p({"economic", "composite"}, {"below_threshold", "sustainable"});
  for (const auto& r : rows) {
    Interview iv;
    iv.id = r.id;
    iv.round = r.round;
    iv.scores = r.scores;
    iv.category = r.category;
    iv.status = r.status;
    iv.weight = r.weight;
    iv.row = r.row;
    p.add(iv);
  }
  return p;
}

const ChangeSummary& find(const std::vector<ChangeSummary>& rows, RoundPair pair,
                          std::size_t score) {
  for (const auto& r : rows)
    if (r.pair == pair && r.score == score) return r;
  throw std::logic_error("no such change row");
}

// Two-sided p-value and 97.5 % quantile of Student t with 1 degree of freedom (Cauchy).
double p_t1(double t) { return 1.0 - 2.0 * std::atan(std::fabs(t)) / std::numbers::pi; }
double q_t1() { return std::tan(std::numbers::pi * (0.975 - 0.5)); }

}  // namespace

TEST(PanelCells, IsoDates) {
  EXPECT_EQ(parse_iso_date("1970-01-01"), 0);
  EXPECT_EQ(parse_iso_date("2000-03-01"), 11017);
  EXPECT_EQ(parse_iso_date(" 2024-02-29 "), parse_iso_date("2024-03-01").value() - 1);
  EXPECT_FALSE(parse_iso_date("2025-02-29"));  // not a leap year
  EXPECT_FALSE(parse_iso_date("2024-13-01"));
  EXPECT_FALSE(parse_iso_date("2024-2-29"));
  EXPECT_FALSE(parse_iso_date("2024/02/29"));
  EXPECT_FALSE(parse_iso_date("29-02-2024"));
  EXPECT_FALSE(parse_iso_date("2024-02-29T10:00"));
  EXPECT_FALSE(parse_iso_date(""));
}

TEST(PanelCells, Rounds) {
  EXPECT_EQ(parse_round("2"), 2);
  EXPECT_EQ(parse_round(" 3 "), 3);
  EXPECT_EQ(parse_round("2.0"), 2);
  EXPECT_FALSE(parse_round("2.5"));
  EXPECT_FALSE(parse_round(""));
  EXPECT_FALSE(parse_round("two"));
  EXPECT_FALSE(parse_round("inf"));
  EXPECT_FALSE(round_from_number(NaN));
  EXPECT_EQ(round_from_number(-1.0), -1);
}

TEST(PanelChange, PairedMeanSeAndInterval) {
  const Panel p = make_panel(small_rows());
  const auto pairs = p.default_pairs();
  ASSERT_EQ(pairs, (std::vector<RoundPair>{{1, 2}, {2, 3}, {1, 3}}));
  const auto ch = p.changes(pairs);
  ASSERT_EQ(ch.size(), 6u);

  // 1 -> 2, economic: A +0.3, B -0.1: mean 0.1, sd sqrt(0.08), se 0.2, t 0.5 with 1 df.
  const auto& e12 = find(ch, {1, 2}, 0);
  EXPECT_EQ(e12.pairs, 2u);
  EXPECT_EQ(e12.missing, 0u);
  EXPECT_EQ(e12.change.n, 2u);
  EXPECT_NEAR(e12.mean_from, 0.35, 1e-15);
  EXPECT_NEAR(e12.mean_to, 0.45, 1e-15);
  EXPECT_NEAR(e12.change.mean, 0.1, 1e-15);
  EXPECT_NEAR(e12.change.sd, std::sqrt(0.08), 1e-15);
  EXPECT_NEAR(e12.change.se, 0.2, 1e-15);
  EXPECT_DOUBLE_EQ(e12.change.df, 1.0);
  EXPECT_NEAR(e12.change.t, 0.5, 1e-14);
  EXPECT_NEAR(e12.change.p_value, p_t1(0.5), 1e-12);
  EXPECT_NEAR(e12.change.ci_low, 0.1 - q_t1() * 0.2, 1e-10);
  EXPECT_NEAR(e12.change.ci_high, 0.1 + q_t1() * 0.2, 1e-10);

  // 1 -> 2, composite: B's round-2 composite is missing, so one pair only.
  const auto& c12 = find(ch, {1, 2}, 1);
  EXPECT_EQ(c12.pairs, 2u);
  EXPECT_EQ(c12.missing, 1u);
  EXPECT_EQ(c12.change.n, 1u);
  EXPECT_NEAR(c12.change.mean, 0.2, 1e-15);
  EXPECT_TRUE(std::isnan(c12.change.se));
  EXPECT_TRUE(std::isnan(c12.change.ci_low));

  // 1 -> 3, economic: A +0.4, C +0.5: mean 0.45, se 0.05, t 9.
  const auto& e13 = find(ch, {1, 3}, 0);
  EXPECT_EQ(e13.pairs, 2u);
  EXPECT_NEAR(e13.change.mean, 0.45, 1e-15);
  EXPECT_NEAR(e13.change.se, 0.05, 1e-15);
  EXPECT_NEAR(e13.change.t, 9.0, 1e-12);
  EXPECT_NEAR(e13.change.p_value, p_t1(9.0), 1e-12);

  // 2 -> 3: only A.
  const auto& e23 = find(ch, {2, 3}, 0);
  EXPECT_EQ(e23.pairs, 1u);
  EXPECT_NEAR(e23.change.mean, 0.1, 1e-15);
}

TEST(PanelChange, PerReturnee) {
  const Panel p = make_panel(small_rows());
  const auto per = p.per_returnee({{1, 2}});
  ASSERT_EQ(per.size(), 2u);  // A and B; C missed round 2, D has no round 1
  EXPECT_EQ(p.id(per[0].returnee), "A");
  EXPECT_EQ(p.id(per[1].returnee), "B");
  EXPECT_NEAR(per[0].change[0], 0.3, 1e-15);
  EXPECT_NEAR(per[0].change[1], 0.2, 1e-15);
  EXPECT_NEAR(per[1].change[0], -0.1, 1e-15);
  EXPECT_TRUE(std::isnan(per[1].change[1]));
  EXPECT_EQ(per[0].row_from, 2u);
  EXPECT_EQ(per[0].row_to, 5u);
  EXPECT_EQ(per[1].category_from, 1);
  EXPECT_EQ(per[1].category_to, -1);
  EXPECT_EQ(per[1].status_to, 2);
}

TEST(PanelChange, WeightedLinearisedSe) {
  // d = 1, 2, 4 with w = 1, 1, 2: mean 11/4, residuals -1.75, -0.75, 1.25;
  // sum w^2 e^2 = 3.0625 + 0.5625 + 6.25 = 9.875, se^2 = 3/2 * 9.875 / 16;
  // sum w e^2 = 6.75, sd^2 = 3/2 * 6.75 / 4.
  ChangeMoments m;
  m.add(0, 1, 1);
  m.add(1, 3, 1);
  m.add(2, 6, 2);
  const auto e = m.estimate();
  EXPECT_EQ(e.n, 3u);
  EXPECT_DOUBLE_EQ(e.sum_weights, 4.0);
  EXPECT_NEAR(e.mean, 2.75, 1e-15);
  EXPECT_NEAR(e.se, std::sqrt(1.5 * 9.875 / 16.0), 1e-14);
  EXPECT_NEAR(e.sd, std::sqrt(1.5 * 6.75 / 4.0), 1e-14);
  EXPECT_DOUBLE_EQ(e.df, 2.0);
  // Student t with 2 df has the closed-form quantile (2p - 1) / sqrt(2 p (1 - p)).
  const double q975 = 0.95 / std::sqrt(2 * 0.975 * 0.025);
  EXPECT_NEAR(e.ci_high - e.mean, q975 * e.se, 1e-12);
  EXPECT_NEAR(e.mean - e.ci_low, q975 * e.se, 1e-12);
  EXPECT_NEAR(m.mean_from(), (0 + 1 + 2 * 2) / 4.0, 1e-15);
  EXPECT_NEAR(m.mean_to(), (1 + 3 + 2 * 6) / 4.0, 1e-15);

  // Equal weights (any constant) give the unweighted paired standard error sd / sqrt(n).
  ChangeMoments u, c;
  const std::vector<double> d = {0.3, -0.1, 0.25, 0.05, -0.2};
  for (const double x : d) {
    u.add(0, x);
    c.add(0, x, 3.5);
  }
  const auto eu = u.estimate(), ec = c.estimate();
  EXPECT_NEAR(eu.se, eu.sd / std::sqrt(5.0), 1e-15);
  EXPECT_NEAR(ec.se, eu.se, 1e-15);
  EXPECT_NEAR(ec.sd, eu.sd, 1e-15);
  EXPECT_NEAR(ec.mean, eu.mean, 1e-15);

  // A zero weight leaves the estimate; NaN scores count as missing.
  u.add(0, 100.0, 0.0);
  u.add(NaN, 1.0);
  EXPECT_EQ(u.estimate().n, 5u);
  EXPECT_EQ(u.missing(), 1u);
  EXPECT_NEAR(u.estimate().mean, eu.mean, 1e-15);
  EXPECT_THROW(u.add(0, 1, -1), std::invalid_argument);
  EXPECT_THROW(u.estimate(1.0), std::invalid_argument);
}

TEST(PanelChange, WeightIsTheLaterInterviews) {
  auto rows = small_rows();
  // Weights on the round-2 rows of A and B: 1 and 3. Economic 1 -> 2: (0.3 + 3 * -0.1) / 4 = 0.
  for (auto& r : rows)
    if (r.round == 2 && r.id == "B") r.weight = 3;
  // A weight on a round-1 row does not enter the 1 -> 2 change.
  for (auto& r : rows)
    if (r.round == 1 && r.id == "A") r.weight = 50;
  const Panel p = make_panel(rows);
  const auto changes = p.changes({{1, 2}});  // find() returns a reference into it
  const auto& e = find(changes, {1, 2}, 0);
  EXPECT_NEAR(e.change.mean, 0.0, 1e-15);
  EXPECT_DOUBLE_EQ(e.change.sum_weights, 4.0);
}

TEST(PanelChange, MergeEqualsWhole) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1), w(0.2, 3);
  ChangeMoments whole, a, b, c;
  for (int i = 0; i < 300; ++i) {
    const double x = u(rng), y = i % 17 == 0 ? NaN : u(rng), wt = w(rng);
    whole.add(x, y, wt);
    (i % 3 == 0 ? a : i % 3 == 1 ? b : c).add(x, y, wt);
  }
  ChangeMoments merged = c;
  merged.merge(a);
  merged.merge(b);
  ChangeMoments empty;
  empty.merge(merged);  // into an empty accumulator
  for (const auto* m : {&merged, &empty}) {
    const auto e = m->estimate(), f = whole.estimate();
    EXPECT_EQ(e.n, f.n);
    EXPECT_EQ(m->missing(), whole.missing());
    EXPECT_NEAR(e.mean, f.mean, 1e-13);
    EXPECT_NEAR(e.se, f.se, 1e-13);
    EXPECT_NEAR(e.sd, f.sd, 1e-13);
    EXPECT_NEAR(m->mean_from(), whole.mean_from(), 1e-13);
  }
  // Direct sums as a reference for the re-centred w^2 sums.
  std::mt19937_64 rng2(7);
  double sw = 0, swd = 0;
  std::vector<std::pair<double, double>> dw;
  for (int i = 0; i < 300; ++i) {
    const double x = u(rng2), y = i % 17 == 0 ? NaN : u(rng2), wt = w(rng2);
    if (std::isnan(y)) continue;
    dw.emplace_back(y - x, wt);
    sw += wt;
    swd += wt * (y - x);
  }
  const double mean = swd / sw;
  double q = 0;
  for (const auto& [d, wt] : dw) q += wt * wt * (d - mean) * (d - mean);
  const double n = static_cast<double>(dw.size());
  EXPECT_NEAR(whole.estimate().se, std::sqrt(n / (n - 1) * q) / sw, 1e-14);
}

TEST(PanelTransitions, CountsSharesNoneAndAttrited) {
  const Panel p = make_panel(small_rows());
  const auto t = p.transitions({1, 2}, TransitionVariable::category);
  EXPECT_EQ(t.variable(), "category");
  EXPECT_EQ(t.from_states(), (std::vector<std::string>{"below_threshold", "sustainable", "none"}));
  EXPECT_EQ(t.to_states(),
            (std::vector<std::string>{"below_threshold", "sustainable", "none", "attrited"}));
  // below_threshold in round 1: A -> sustainable, C -> attrited.
  EXPECT_EQ(t.row_total(0), 2u);
  EXPECT_EQ(t.count(0, 0), 0u);
  EXPECT_EQ(t.count(0, 1), 1u);
  EXPECT_EQ(t.count(0, 3), 1u);
  EXPECT_DOUBLE_EQ(t.share(0, 1), 0.5);
  EXPECT_DOUBLE_EQ(t.share(0, 3), 0.5);
  // sustainable in round 1: B, no category in round 2.
  EXPECT_EQ(t.row_total(1), 1u);
  EXPECT_EQ(t.count(1, 2), 1u);
  // Nobody without a category in round 1; D (first seen in round 2) is not counted.
  EXPECT_EQ(t.row_total(2), 0u);
  EXPECT_TRUE(std::isnan(t.share(2, 0)));

  const auto s = p.transitions({1, 3}, TransitionVariable::status);
  EXPECT_EQ(s.from_states().size(), status_names.size() + 1);
  EXPECT_EQ(s.count(0, 1), 1u);                        // A complete -> partial
  EXPECT_EQ(s.count(0, 0), 1u);                        // C complete -> complete
  EXPECT_EQ(s.count(1, status_names.size() + 1), 1u);  // B partial -> attrited
  EXPECT_THROW(TransitionMatrix("x", {1, 2}, {"a", "none"}), std::invalid_argument);
}

TEST(PanelAttrition, PerRound) {
  const Panel p = make_panel(small_rows());
  const auto a = p.attrition();
  ASSERT_EQ(a.rows().size(), 3u);
  const auto& r1 = a.rows()[0];
  const auto& r2 = a.rows()[1];
  const auto& r3 = a.rows()[2];
  EXPECT_EQ(a.baseline(), 3u);
  EXPECT_EQ((std::vector<std::uint64_t>{r1.present, r1.first_seen, r1.retained, r1.lost,
                                        r1.returned, r1.absent}),
            (std::vector<std::uint64_t>{3, 3, 0, 0, 0, 0}));
  // Round 2: A, B retained, C lost, D new.
  EXPECT_EQ((std::vector<std::uint64_t>{r2.present, r2.first_seen, r2.retained, r2.lost,
                                        r2.returned, r2.absent}),
            (std::vector<std::uint64_t>{3, 1, 2, 1, 0, 1}));
  // Round 3: A retained, C back after missing round 2, B and D lost.
  EXPECT_EQ((std::vector<std::uint64_t>{r3.present, r3.first_seen, r3.retained, r3.lost,
                                        r3.returned, r3.absent}),
            (std::vector<std::uint64_t>{2, 0, 1, 2, 1, 2}));
  EXPECT_EQ(r2.baseline_present, 2u);
  EXPECT_EQ(r3.baseline_present, 2u);
  EXPECT_DOUBLE_EQ(a.retention(0), 1.0);
  EXPECT_DOUBLE_EQ(a.retention(2), 2.0 / 3.0);
}

TEST(PanelErrors, DuplicateNamesBothRowsNotTheId) {
  auto rows = small_rows();
  rows.push_back({"A", 2, {0.1, 0.1}, 0, 0, 1, 11});
  try {
    make_panel(rows);
    FAIL() << "a duplicate returnee and round must throw";
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "duplicate_interview");
    EXPECT_EQ(e.row(), 11u);
    EXPECT_EQ(e.column(), "returnee_id");
    const std::string what = e.what();
    EXPECT_NE(what.find("row 11"), std::string::npos) << what;
    EXPECT_NE(what.find("row 5"), std::string::npos) << what;  // the first interview
    EXPECT_NE(what.find("'round'"), std::string::npos) << what;
    EXPECT_EQ(what.find("A,"), std::string::npos) << what;
    EXPECT_EQ(what.find("'A'"), std::string::npos) << what;
  }
  // std hierarchy
  EXPECT_THROW(make_panel(rows), std::runtime_error);
}

TEST(PanelErrors, IdWeightShapeAndRounds) {
  Panel p({"composite"}, {}, PanelColumns{"rid", "wave", "w", "idate", "rdate"});
  const std::vector<double> one = {0.5};
  Interview iv;
  iv.scores = one;
  iv.row = 4;
  iv.id = " ";
  try {
    p.add(iv);
    FAIL();
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "missing_id");
    EXPECT_EQ(e.column(), "rid");
    EXPECT_EQ(e.row(), 4u);
  }
  iv.id = "X";
  iv.weight = -1;
  try {
    p.add(iv);
    FAIL();
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "invalid_weight");
    EXPECT_EQ(e.column(), "w");
  }
  iv.weight = 1;
  iv.category = 0;  // no categories in this panel
  EXPECT_THROW(p.add(iv), std::invalid_argument);
  iv.category = -1;
  const std::vector<double> two = {0.5, 0.5};
  iv.scores = two;
  EXPECT_THROW(p.add(iv), std::invalid_argument);
  iv.scores = one;
  iv.round = 1;
  p.add(iv);
  iv.round = 2;
  p.add(iv);
  try {
    (void)p.changes({{1, 3}});
    FAIL();
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "unknown_round");
    EXPECT_EQ(e.column(), "wave");
  }
  try {
    (void)p.changes({{2, 0}});
    FAIL();
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "unknown_round");
  }
  EXPECT_THROW((void)p.changes({{0, 0}}), input_error);
  try {
    (void)p.transitions({2, 1}, TransitionVariable::status);
    FAIL();
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "round_order");
  }
}

TEST(PanelDates, MonthsAndRowLevelProblems) {
  Panel p({"composite"}, {}, PanelColumns{"rid", "wave", "", "idate", "rdate"});
  // 91 days.
  EXPECT_NEAR(p.months_since_return("2024-04-01", "2024-01-01", 2), 91.0 / (365.25 / 12.0), 1e-15);
  EXPECT_DOUBLE_EQ(p.months_since_return("2024-01-01", "2024-01-01", 3), 0.0);
  EXPECT_TRUE(p.problems().empty());
  EXPECT_TRUE(std::isnan(p.months_since_return("2024-02-30", "2024-01-01", 4)));
  EXPECT_TRUE(std::isnan(p.months_since_return("2024-04-01", "", 5)));
  EXPECT_TRUE(std::isnan(p.months_since_return("2023-04-01", "2024-01-01", 6)));
  EXPECT_TRUE(std::isnan(p.months_since_return("01/04/2024", "2024-13-01", 7)));
  const auto& pr = p.problems();
  ASSERT_EQ(pr.size(), 5u);
  EXPECT_EQ(pr[0].row, 4u);
  EXPECT_EQ(pr[0].column, "idate");
  EXPECT_EQ(pr[0].rule, "bad_date");
  EXPECT_EQ(pr[0].message.find("2024-02-30"), std::string::npos) << pr[0].message;
  EXPECT_NE(pr[0].message.find("row 4"), std::string::npos);
  EXPECT_NE(pr[0].message.find("'idate'"), std::string::npos);
  EXPECT_EQ(pr[1].rule, "missing_date");
  EXPECT_EQ(pr[1].column, "rdate");
  EXPECT_EQ(pr[2].rule, "interview_before_return");
  EXPECT_EQ(pr[2].row, 6u);
  EXPECT_EQ(pr[3].column, "idate");
  EXPECT_EQ(pr[4].column, "rdate");
  EXPECT_EQ(pr[4].row, 7u);

  // Months reach the per-returnee rows and the change table (means over the pairs).
  const std::vector<double> s = {0.5};
  Interview iv;
  iv.scores = s;
  iv.id = "X";
  iv.round = 1;
  iv.months = 3.0;
  p.add(iv);
  iv.round = 2;
  iv.months = 6.5;
  p.add(iv);
  iv.id = "Y";
  iv.round = 1;
  iv.months = NaN;
  p.add(iv);
  iv.round = 2;
  iv.months = 7.5;
  p.add(iv);
  const auto per = p.per_returnee({{1, 2}});
  EXPECT_DOUBLE_EQ(per[0].months_to, 6.5);
  const auto ch = p.changes({{1, 2}});
  EXPECT_DOUBLE_EQ(ch[0].months_from, 3.0);
  EXPECT_DOUBLE_EQ(ch[0].months_to, 7.0);
}

TEST(PanelProperties, RowOrderInvariance) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Row> rows;
  std::uint64_t line = 2;
  for (int i = 0; i < 200; ++i)
    for (int r = 1; r <= 3; ++r) {
      if (u(rng) < 0.2) continue;
      const double s = u(rng);
      rows.push_back({"R" + std::to_string(i),
                      r,
                      {s, u(rng) < 0.05 ? NaN : u(rng)},
                      s >= 0.5 ? 1 : 0,
                      static_cast<int>(u(rng) * 3),
                      0.5 + u(rng),
                      line++});
    }
  const Panel a = make_panel(rows);
  auto shuffled = rows;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  const Panel b = make_panel(shuffled);
  const auto pairs = a.default_pairs();
  const auto ca = a.changes(pairs), cb = b.changes(pairs);
  ASSERT_EQ(ca.size(), cb.size());
  for (std::size_t i = 0; i < ca.size(); ++i) {
    // Returnees are visited in id order, so the sums are bit-identical.
    EXPECT_EQ(ca[i].change.mean, cb[i].change.mean);
    EXPECT_EQ(ca[i].change.se, cb[i].change.se);
    EXPECT_EQ(ca[i].change.n, cb[i].change.n);
  }
  for (const auto p : pairs) {
    const auto ta = a.transitions(p, TransitionVariable::category),
               tb = b.transitions(p, TransitionVariable::category);
    for (std::size_t i = 0; i < ta.from_states().size(); ++i)
      for (std::size_t j = 0; j < ta.to_states().size(); ++j)
        EXPECT_EQ(ta.count(i, j), tb.count(i, j));
  }
  const auto aa = a.attrition(), ab = b.attrition();
  for (std::size_t j = 0; j < aa.rows().size(); ++j) {
    EXPECT_EQ(aa.rows()[j].present, ab.rows()[j].present);
    EXPECT_EQ(aa.rows()[j].returned, ab.rows()[j].returned);
  }
  const auto pa = a.per_returnee(pairs), pb = b.per_returnee(pairs);
  ASSERT_EQ(pa.size(), pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(a.id(pa[i].returnee), b.id(pb[i].returnee));
    EXPECT_EQ(pa[i].row_from, pb[i].row_from);
  }
}

TEST(PanelProperties, DisjointGroupsMergeToWhole) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Row> rows, g1, g2;
  std::uint64_t line = 2;
  for (int i = 0; i < 150; ++i) {
    const bool first = u(rng) < 0.4;
    for (int r = 1; r <= 3; ++r) {
      if (u(rng) < 0.25) continue;
      const double s = u(rng);
      Row row{"R" + std::to_string(i),          r,          {s, u(rng)}, s >= 0.5 ? 1 : 0,
              static_cast<int>(u(rng) * 4) - 1, 1 + u(rng), line++};
      rows.push_back(row);
      (first ? g1 : g2).push_back(row);
    }
  }
  const Panel whole = make_panel(rows), a = make_panel(g1), b = make_panel(g2);
  const std::vector<std::int64_t> rounds = {1, 2, 3};
  ASSERT_EQ(whole.rounds(), rounds);
  for (const RoundPair p : {RoundPair{1, 2}, RoundPair{2, 3}, RoundPair{1, 3}}) {
    auto acc = a.accumulate(p);
    acc.merge(b.accumulate(p));
    const auto merged = Panel::summarise(acc), want = Panel::summarise(whole.accumulate(p));
    for (std::size_t s = 0; s < merged.size(); ++s) {
      EXPECT_EQ(merged[s].pairs, want[s].pairs);
      EXPECT_EQ(merged[s].change.n, want[s].change.n);
      EXPECT_NEAR(merged[s].change.mean, want[s].change.mean, 1e-13);
      EXPECT_NEAR(merged[s].change.se, want[s].change.se, 1e-13);
    }
    for (const auto v : {TransitionVariable::category, TransitionVariable::status}) {
      auto t = a.transitions(p, v);
      t.merge(b.transitions(p, v));
      const auto w = whole.transitions(p, v);
      for (std::size_t i = 0; i < w.from_states().size(); ++i)
        for (std::size_t j = 0; j < w.to_states().size(); ++j)
          EXPECT_EQ(t.count(i, j), w.count(i, j)) << i << "," << j;
    }
  }
  auto at = a.attrition(rounds);
  at.merge(b.attrition(rounds));
  const auto wt = whole.attrition(rounds);
  EXPECT_EQ(at.baseline(), wt.baseline());
  for (std::size_t j = 0; j < 3; ++j) {
    const auto &x = at.rows()[j], &y = wt.rows()[j];
    EXPECT_EQ((std::vector<std::uint64_t>{x.present, x.first_seen, x.retained, x.lost, x.returned,
                                          x.absent, x.baseline_present}),
              (std::vector<std::uint64_t>{y.present, y.first_seen, y.retained, y.lost, y.returned,
                                          y.absent, y.baseline_present}));
    // Identities of the definitions.
    if (j > 0) {
      EXPECT_EQ(y.present, y.retained + y.returned + y.first_seen);
      EXPECT_EQ(wt.rows()[j - 1].present, y.retained + y.lost);
    }
  }
  EXPECT_THROW(at.merge(Attrition({1, 2})), std::invalid_argument);
}
