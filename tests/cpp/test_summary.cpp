// Summary: group means, quantiles and shares under a survey design, linearised and
// bootstrap uncertainty, differences, singleton strata, and the mergeable accumulator
// property. The references here are written independently, row by row, from the
// formulas in docs/statistics.md.
#include <reinscore/summary.hpp>

#include <gtest/gtest.h>

#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <vector>

using namespace reinscore;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

struct Row {
  std::uint64_t group;
  std::vector<double> y;
  double w;
  std::uint64_t stratum;
  std::uint64_t psu;
};

Summary make(const std::vector<Row>& rows, std::size_t J, double threshold = 0.5) {
  Summary s(J, threshold);
  for (const auto& r : rows) s.add(r.group, r.y, r.w, r.stratum, r.psu);
  return s;
}

// Random design: strata 0..H-1, PSUs 2..6 per stratum, groups 0..G-1, some missing.
std::vector<Row> random_rows(std::size_t n, std::uint32_t seed, std::size_t H = 4,
                             std::size_t G = 3, std::size_t J = 2, double missing = 0.1,
                             bool ties = true) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::size_t> psus(H);
  for (auto& p : psus) p = 2 + gen() % 5;
  std::vector<Row> rows;
  for (std::size_t i = 0; i < n; ++i) {
    Row r;
    r.stratum = gen() % H;
    r.psu = 100 + gen() % psus[r.stratum];
    r.group = gen() % G;
    r.w = 0.5 + 3 * u(gen);
    for (std::size_t j = 0; j < J; ++j) {
      const double x0 = 0.2 * static_cast<double>(r.group) + u(gen);
      const double x = ties ? std::round(8 * x0) / 8 : x0;  // ties, like scores
      r.y.push_back(u(gen) < missing ? NaN : x);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

// ---- independent references, row by row ---------------------------------------------

// Linearised variance of the domain ratio estimator of u over rows of `group` where y_j
// is observed; `u` maps y to the analysed value (y for means, 1{y >= t} for shares).
template <class U>
double ref_variance(const std::vector<Row>& rows, std::uint64_t group, std::size_t j, U u,
                    SingletonStrata rule = SingletonStrata::error,
                    const std::vector<Row>* minus_rows = nullptr, std::uint64_t minus_group = 0) {
  const auto zvals = [&](std::uint64_t g) {
    double W = 0, WU = 0;
    for (const auto& r : rows)
      if (r.group == g && !std::isnan(r.y[j])) {
        W += r.w;
        WU += r.w * u(r.y[j]);
      }
    const double R = WU / W;
    std::map<std::pair<std::uint64_t, std::uint64_t>, double> Z;
    for (const auto& r : rows) {
      double& z = Z[{r.stratum, r.psu}];
      if (r.group == g && !std::isnan(r.y[j])) z += r.w * (u(r.y[j]) - R) / W;
    }
    return Z;
  };
  auto Z = zvals(group);
  if (minus_rows) {
    const auto Zb = zvals(minus_group);
    for (auto& [k, z] : Z) z -= Zb.at(k);
  }
  std::map<std::uint64_t, std::vector<double>> by;
  double grand = 0;
  for (const auto& [k, z] : Z) {
    by[k.first].push_back(z);
    grand += z;
  }
  grand /= static_cast<double>(Z.size());
  double v = 0;
  for (const auto& [h, zs] : by) {
    const double n = static_cast<double>(zs.size());
    if (zs.size() == 1) {
      if (rule == SingletonStrata::centered) v += (zs[0] - grand) * (zs[0] - grand);
      continue;
    }
    double m = 0;
    for (const double z : zs) m += z;
    m /= n;
    double ss = 0;
    for (const double z : zs) ss += (z - m) * (z - m);
    v += n / (n - 1) * ss;
  }
  return v;
}

double ident(double y) { return y; }

double ref_mean(const std::vector<Row>& rows, std::uint64_t g, std::size_t j) {
  double W = 0, WY = 0;
  for (const auto& r : rows)
    if (r.group == g && !std::isnan(r.y[j])) {
      W += r.w;
      WY += r.w * r.y[j];
    }
  return WY / W;
}

// Weighted type-1 quantile by expanding integer weights (an independent route).
double expanded_quantile(std::vector<std::pair<double, int>> yw, double p) {
  std::vector<double> all;
  for (const auto& [y, w] : yw)
    for (int i = 0; i < w; ++i) all.push_back(y);
  std::sort(all.begin(), all.end());
  // Hyndman & Fan type 1: x_(j) with j = ceil(n p), j >= 1.
  const auto n = static_cast<double>(all.size());
  const auto k = std::max<double>(1, std::ceil(n * p - 1e-9));
  return all[static_cast<std::size_t>(k) - 1];
}

const VariableSummary& var(const SummaryResult& r, std::uint64_t group, std::size_t j) {
  for (const auto& g : r.groups)
    if (g.group == group) return g.variables[j];
  throw std::logic_error("no such group");
}

SummaryOptions lin() {
  SummaryOptions o;
  o.min_cell = 0;
  return o;
}

SummaryOptions boot(std::size_t B = 200, unsigned threads = 1) {
  SummaryOptions o;
  o.method = VarianceMethod::bootstrap;
  o.replicates = B;
  o.threads = threads;
  o.min_cell = 0;
  return o;
}

void expect_same(const Interval& a, const Interval& b, double tol, const char* what) {
  const auto eq = [&](double x, double y) {
    if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
    return std::abs(x - y) <= tol * std::max(1.0, std::abs(x));
  };
  EXPECT_TRUE(eq(a.estimate, b.estimate))
      << what << " estimate " << a.estimate << " " << b.estimate;
  EXPECT_TRUE(eq(a.se, b.se)) << what << " se " << a.se << " " << b.se;
  EXPECT_TRUE(eq(a.lo, b.lo)) << what << " lo " << a.lo << " " << b.lo;
  EXPECT_TRUE(eq(a.hi, b.hi)) << what << " hi " << a.hi << " " << b.hi;
}

void expect_same(const SummaryResult& a, const SummaryResult& b, double tol) {
  ASSERT_EQ(a.groups.size(), b.groups.size());
  for (std::size_t g = 0; g < a.groups.size(); ++g) {
    ASSERT_EQ(a.groups[g].group, b.groups[g].group);
    EXPECT_EQ(a.groups[g].rows, b.groups[g].rows);
    for (std::size_t j = 0; j < a.groups[g].variables.size(); ++j) {
      const auto &x = a.groups[g].variables[j], &y = b.groups[g].variables[j];
      EXPECT_EQ(x.observed, y.observed);
      EXPECT_EQ(x.missing, y.missing);
      expect_same(x.mean, y.mean, tol, "mean");
      expect_same(x.above, y.above, tol, "above");
      for (std::size_t k = 0; k < x.quantiles.size(); ++k)
        expect_same(x.quantiles[k], y.quantiles[k], tol, "quantile");
    }
  }
  ASSERT_EQ(a.contrasts.size(), b.contrasts.size());
  for (std::size_t c = 0; c < a.contrasts.size(); ++c)
    for (std::size_t j = 0; j < a.contrasts[c].variables.size(); ++j) {
      expect_same(a.contrasts[c].variables[j].mean, b.contrasts[c].variables[j].mean, tol,
                  "diff mean");
      expect_same(a.contrasts[c].variables[j].above, b.contrasts[c].variables[j].above, tol,
                  "diff above");
    }
}

}  // namespace

// ---- quantiles ---------------------------------------------------------------------------

TEST(WeightedQuantile, EqualWeightsAreTheInverseEcdf) {
  const std::vector<double> y{1, 2, 3, 4}, p{0, 0.25, 0.5, 0.75, 1};
  std::vector<double> out(p.size());
  weighted_quantiles_sorted(
      y, [](std::size_t) { return 1.0; }, 4.0, p, out);
  EXPECT_EQ(out, (std::vector<double>{1, 1, 2, 3, 4}));  // type 1: median of 1..4 is 2
}

TEST(WeightedQuantile, EqualWeightsThatDoNotAddUpExactly) {
  // Ten weights of 0.1 with a total of 1 (summed elsewhere, in another order): the
  // cumulative sum at the 8th value is 0.7999999999999999, 0.8 only up to rounding.
  std::vector<double> y(10);
  for (std::size_t i = 0; i < 10; ++i) y[i] = static_cast<double>(i + 1);
  const std::vector<double> p{0.5, 0.8, 0.9};
  std::vector<double> out(3);
  weighted_quantiles_sorted(
      y, [](std::size_t) { return 0.1; }, 1.0, p, out);
  EXPECT_EQ(out, (std::vector<double>{5, 8, 9}));
}

TEST(WeightedQuantile, IntegerWeightsEqualRepeatedValues) {
  std::mt19937 gen(7);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<std::pair<double, int>> yw;
    const int n = 1 + static_cast<int>(gen() % 12);
    for (int i = 0; i < n; ++i)
      yw.emplace_back(static_cast<double>(gen() % 6), 1 + static_cast<int>(gen() % 4));
    std::sort(yw.begin(), yw.end());
    std::vector<double> y;
    std::vector<double> w;
    double total = 0;
    for (const auto& [a, b] : yw) {
      y.push_back(a);
      w.push_back(b);
      total += b;
    }
    const std::vector<double> p{0.1, 0.25, 0.5, 0.75, 0.9};
    std::vector<double> out(p.size());
    weighted_quantiles_sorted(
        y, [&](std::size_t i) { return w[i]; }, total, p, out);
    for (std::size_t k = 0; k < p.size(); ++k)
      EXPECT_EQ(out[k], expanded_quantile(yw, p[k])) << trial << " " << p[k];
  }
}

TEST(WeightedQuantile, ZeroWeightsAreSkippedAndNoWeightGivesNaN) {
  const std::vector<double> y{1, 2, 3}, w{0, 1, 1}, p{0, 0.5};
  std::vector<double> out(2);
  weighted_quantiles_sorted(
      y, [&](std::size_t i) { return w[i]; }, 2.0, p, out);
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(out[1], 2);
  weighted_quantiles_sorted(
      y, [](std::size_t) { return 0.0; }, 0.0, p, out);
  EXPECT_TRUE(std::isnan(out[0]) && std::isnan(out[1]));
}

// ---- linearisation -----------------------------------------------------------------------

TEST(Linearization, NoDesignOverallSeIsSdOverSqrtN) {
  std::vector<Row> rows;
  std::mt19937 gen(3);
  std::normal_distribution<double> nd(0.5, 0.2);
  const std::size_t n = 57;
  for (std::size_t i = 0; i < n; ++i) rows.push_back({0, {nd(gen)}, 1.0, 0, i});
  const auto r = make(rows, 1).compute(lin());
  double m = 0, ss = 0;
  for (const auto& x : rows) m += x.y[0];
  m /= n;
  for (const auto& x : rows) ss += (x.y[0] - m) * (x.y[0] - m);
  const double sd = std::sqrt(ss / (n - 1));
  const auto& v = var(r, 0, 0);
  EXPECT_NEAR(v.mean.estimate, m, 1e-14);
  EXPECT_NEAR(v.mean.se, sd / std::sqrt(static_cast<double>(n)), 1e-14);
  EXPECT_EQ(r.design.df, n - 1.0);
  const double t = boost::math::quantile(boost::math::students_t(n - 1.0), 0.975);
  EXPECT_NEAR(v.mean.lo, m - t * v.mean.se, 1e-14);
  EXPECT_NEAR(v.mean.hi, m + t * v.mean.se, 1e-14);
  EXPECT_EQ(r.design.strata, 1u);
  EXPECT_EQ(r.design.psus, n);
}

TEST(Linearization, DomainsMatchTheRowByRowFormula) {
  const auto rows = random_rows(600, 11);
  const auto r = make(rows, 2, 0.5).compute(lin());
  for (std::uint64_t g = 0; g < 3; ++g)
    for (std::size_t j = 0; j < 2; ++j) {
      const auto& v = var(r, g, j);
      EXPECT_NEAR(v.mean.estimate, ref_mean(rows, g, j), 1e-13);
      EXPECT_NEAR(v.mean.se, std::sqrt(ref_variance(rows, g, j, ident)), 1e-13) << g << " " << j;
      const auto ind = [](double y) { return y >= 0.5 - 1e-12 ? 1.0 : 0.0; };
      EXPECT_NEAR(v.above.se, std::sqrt(ref_variance(rows, g, j, ind)), 1e-13);
      EXPECT_GT(v.mean.se, 0);
    }
}

TEST(Linearization, PsusWithoutTheDomainStillCount) {
  // Group 1 lives in PSUs 0 and 1 of stratum 0; PSU 2 of stratum 0 and stratum 1 have
  // none of it. The zero-extended variable keeps PSU 2 in stratum 0 (n_h = 3, centred
  // at the mean of three totals), which a variance over the domain's own PSUs would drop.
  std::vector<Row> rows = {
      {1, {0.2}, 1, 0, 0}, {0, {0.5}, 1, 0, 0}, {1, {0.6}, 2, 0, 1},
      {0, {0.9}, 1, 0, 1}, {0, {0.1}, 1, 0, 2}, {0, {0.3}, 1, 0, 2},
      {0, {0.3}, 2, 1, 3}, {0, {0.7}, 1, 1, 4}, {0, {0.4}, 1, 1, 4},
  };
  const auto r = make(rows, 1).compute(lin());
  // R = 1.4/3, PSU totals -0.8/9 and 0.8/9 and 0: 3/2 * 2 (0.8/9)^2.
  const double a = 0.8 / 9;
  EXPECT_NEAR(var(r, 1, 0).mean.estimate, 1.4 / 3, 1e-15);
  EXPECT_NEAR(var(r, 1, 0).mean.se, std::sqrt(3.0) * a, 1e-15);
  EXPECT_NEAR(var(r, 1, 0).mean.se, std::sqrt(ref_variance(rows, 1, 0, ident)), 1e-15);
  // Over the domain's own PSUs only it would be 2/1 * 2 a^2.
  EXPECT_GT(std::abs(var(r, 1, 0).mean.se - 2 * a), 1e-3);
  EXPECT_EQ(r.design.df, 3.0);  // 5 PSUs - 2 strata
}

TEST(Linearization, SingletonStrata) {
  auto rows = random_rows(300, 5, 3, 2, 1, 0.0);
  rows.push_back({0, {0.25}, 2.0, 9, 1});  // stratum 9: one PSU
  rows.push_back({1, {0.75}, 1.0, 9, 1});
  const Summary s = make(rows, 1);
  auto o = lin();
  o.strata_column = "country";
  try {
    (void)s.compute(o);
    FAIL() << "no error for a singleton stratum";
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "singleton_stratum");
    EXPECT_EQ(e.column(), "country");
  }
  for (const auto rule : {SingletonStrata::certainty, SingletonStrata::centered}) {
    o.singleton = rule;
    const auto r = s.compute(o);
    EXPECT_EQ(r.design.singleton_strata, 1u);
    for (std::uint64_t g = 0; g < 2; ++g)
      EXPECT_NEAR(var(r, g, 0).mean.se, std::sqrt(ref_variance(rows, g, 0, ident, rule)), 1e-14);
  }
  o.singleton = SingletonStrata::certainty;
  const double cert = var(s.compute(o), 0, 0).mean.se;
  o.singleton = SingletonStrata::centered;
  EXPECT_GT(var(s.compute(o), 0, 0).mean.se, cert);  // the centred PSU adds variance
  // The bootstrap takes certainty and refuses centered.
  auto b = boot(20);
  b.singleton = SingletonStrata::centered;
  EXPECT_THROW((void)s.compute(b), std::invalid_argument);
  b.singleton = SingletonStrata::error;
  EXPECT_THROW((void)s.compute(b), input_error);
  b.singleton = SingletonStrata::certainty;
  EXPECT_NO_THROW((void)s.compute(b));
  // Point estimates need no variance: no error.
  auto none = lin();
  none.method = VarianceMethod::none;
  EXPECT_NO_THROW((void)s.compute(none));
}

TEST(Linearization, WoodruffIntervalsBracketTheQuantile) {
  for (const bool ties : {false, true}) {
    const auto rows = random_rows(2000, 21, 4, 2, 1, 0.0, ties);
    const auto r = make(rows, 1).compute(lin());
    for (std::uint64_t g = 0; g < 2; ++g) {
      const auto& v = var(r, g, 0);
      ASSERT_EQ(v.quantiles.size(), 3u);
      for (const auto& q : v.quantiles) {
        EXPECT_LE(q.lo, q.estimate);
        EXPECT_GE(q.hi, q.estimate);
        // With 2000 values in 1/8 steps the interval can stay inside one step: zero width.
        if (!ties) {
          EXPECT_GT(q.hi, q.lo);
        }
        EXPECT_NEAR(q.se, (q.hi - q.lo) / (2 * r.design.t_quantile), 1e-15);
      }
      EXPECT_LE(v.quantiles[0].estimate, v.quantiles[1].estimate);
      EXPECT_LE(v.quantiles[1].estimate, v.quantiles[2].estimate);
    }
  }
}

// Woodruff's interval by hand, as R's svyquantile (survey 4.1, woodruffCI, "mean"):
// F = the share of group g at or below q, its linearised SE, F -/+ t SE mapped back
// through the weighted inverse ECDF; a probability bound outside [0, 1] gives NaN; t with
// the domain's df (PSUs minus strata holding an observed value of the group).
Interval ref_woodruff(const std::vector<Row>& rows, std::uint64_t g, std::size_t j, double q,
                      double level) {
  std::vector<std::pair<double, double>> yw;
  std::set<std::pair<std::uint64_t, std::uint64_t>> psus;
  std::set<std::uint64_t> strata;
  double W = 0, below = 0;
  for (const auto& r : rows)
    if (r.group == g && !std::isnan(r.y[j])) {
      yw.emplace_back(r.y[j], r.w);
      W += r.w;
      below += r.y[j] <= q ? r.w : 0.0;
      if (r.w > 0) {
        psus.emplace(r.stratum, r.psu);
        strata.insert(r.stratum);
      }
    }
  std::sort(yw.begin(), yw.end());
  const auto Q = [&](double p) {
    double cum = 0;
    for (const auto& [y, w] : yw) {
      cum += w;
      if (cum >= p * W - 1e-12 * W) return y;
    }
    return yw.back().first;
  };
  const double F = below / W;
  const double seF =
      std::sqrt(ref_variance(rows, g, j, [&](double y) { return y <= q ? 1.0 : 0.0; }));
  const double df = static_cast<double>(psus.size()) - static_cast<double>(strata.size());
  const double t = boost::math::quantile(boost::math::students_t(df), (1 + level) / 2);
  Interval e;
  e.estimate = q;
  e.lo = F - t * seF >= 0 ? Q(F - t * seF) : NaN;
  e.hi = F + t * seF <= 1 ? Q(F + t * seF) : NaN;
  e.se = (e.hi - e.lo) / (2 * t);
  return e;
}

TEST(Linearization, WoodruffCentresAtTheShareAtOrBelowTheEstimate) {
  const auto rows = random_rows(400, 8, 3, 1, 1, 0.0);
  auto o = lin();
  o.probabilities = {0.5};
  const auto r = make(rows, 1).compute(o);
  const auto& q = var(r, 0, 0).quantiles[0];
  // On 1/8 steps F(median) is well above 1/2: centring at p would give another interval.
  double W = 0, below = 0;
  for (const auto& x : rows) {
    W += x.w;
    below += x.y[0] <= q.estimate ? x.w : 0.0;
  }
  ASSERT_GT(below / W, 0.55);
  const Interval want = ref_woodruff(rows, 0, 0, q.estimate, o.level);
  EXPECT_EQ(q.lo, want.lo);
  EXPECT_EQ(q.hi, want.hi);
  EXPECT_NEAR(q.se, want.se, 1e-15);
}

TEST(Linearization, WoodruffBoundsOutsideTheUnitIntervalAreNaN) {
  // Few PSUs (large t) and extreme probabilities: some probability bounds leave [0, 1].
  std::size_t nan_lo = 0, nan_hi = 0, checked = 0;
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    const auto rows = random_rows(80, seed, 1, 1, 1, 0.0, false);
    auto o = lin();
    o.probabilities = {0.04, 0.5, 0.96};
    const auto r = make(rows, 1).compute(o);
    for (const auto& q : var(r, 0, 0).quantiles) {
      const Interval want = ref_woodruff(rows, 0, 0, q.estimate, o.level);
      expect_same(q, want, 1e-12, "woodruff");
      nan_lo += std::isnan(q.lo);
      nan_hi += std::isnan(q.hi);
      if (!std::isnan(q.lo)) {
        EXPECT_LE(q.lo, q.estimate);
      }
      if (!std::isnan(q.hi)) {
        EXPECT_GE(q.hi, q.estimate);
      }
      EXPECT_EQ(std::isnan(q.se), std::isnan(q.lo) || std::isnan(q.hi));
      ++checked;
    }
  }
  EXPECT_EQ(checked, 60u);
  EXPECT_GT(nan_lo, 0u);
  EXPECT_GT(nan_hi, 0u);
}

TEST(Linearization, WoodruffUsesTheDomainsDegreesOfFreedom) {
  // Group 1 lives in stratum 0 only and in 3 of its PSUs: its quantile df is 3 - 1 = 2,
  // not the design's; its mean keeps the design's df (as R's confint(..., df = degf)).
  auto rows = random_rows(600, 5, 3, 1, 1, 0.0, false);
  std::mt19937 gen(9);
  for (int i = 0; i < 90; ++i)
    rows.push_back({1,
                    {std::uniform_real_distribution<double>(0, 1)(gen)},
                    1.0 + (i % 4),
                    0,
                    100 + static_cast<std::uint64_t>(i % 3)});
  const auto r = make(rows, 1).compute(lin());
  const auto& v = var(r, 1, 0);
  const double t2 = boost::math::quantile(boost::math::students_t(2.0), 0.975);
  ASSERT_GT(r.design.df, 5);
  for (const auto& q : v.quantiles) {
    const Interval want = ref_woodruff(rows, 1, 0, q.estimate, 0.95);
    expect_same(q, want, 1e-12, "domain woodruff");
    if (!std::isnan(q.se)) {
      EXPECT_NEAR(q.se, (q.hi - q.lo) / (2 * t2), 1e-15);
    }
  }
  EXPECT_NEAR(v.mean.hi - v.mean.estimate, r.design.t_quantile * v.mean.se, 1e-15);
}

TEST(Linearization, ShareIntervalsFollowSvyciprop) {
  // Group 1's share of y >= 1.05 is small (about 0.15), group 0 has none (SE 0).
  const auto rows = random_rows(300, 17, 3, 2, 1, 0.05);
  const auto ind = [](double y) { return y >= 1.05 - 1e-12 ? 1.0 : 0.0; };
  double W = 0, A = 0, n = 0;
  std::set<std::pair<std::uint64_t, std::uint64_t>> psus;
  std::set<std::uint64_t> strata;
  for (const auto& r : rows)
    if (r.group == 1 && !std::isnan(r.y[0])) {
      W += r.w;
      A += r.w * ind(r.y[0]);
      n += 1;
      psus.emplace(r.stratum, r.psu);
      strata.insert(r.stratum);
    }
  const double p = A / W, se = std::sqrt(ref_variance(rows, 1, 0, ind));
  const double ddf = static_cast<double>(psus.size()) - static_cast<double>(strata.size());
  const auto expit = [](double x) { return 1 / (1 + std::exp(-x)); };
  const auto tq = [](double df, double a) {
    return boost::math::quantile(boost::math::students_t(df), a);
  };
  for (const ShareInterval how :
       {ShareInterval::wald, ShareInterval::logit, ShareInterval::wilson, ShareInterval::beta}) {
    auto o = lin();
    o.share_interval = how;
    const auto r = make(rows, 1, 1.05).compute(o);
    const double t = r.design.t_quantile;
    const Interval& e = var(r, 1, 0).above;
    ASSERT_NEAR(e.estimate, p, 1e-14);
    ASSERT_NEAR(e.se, se, 1e-14);
    double lo = p - t * se, hi = p + t * se;
    if (how == ShareInterval::logit) {
      lo = expit(std::log(p / (1 - p)) - t * se / (p * (1 - p)));
      hi = expit(std::log(p / (1 - p)) + t * se / (p * (1 - p)));
    } else if (how == ShareInterval::wilson) {
      const double m = p * (1 - p) / (se * se), z2 = t * t;
      const double c = (p + z2 / (2 * m)) / (1 + z2 / m);
      const double h = t / (1 + z2 / m) * std::sqrt(p * (1 - p) / m + z2 / (4 * m * m));
      lo = c - h;
      hi = c + h;
    } else if (how == ShareInterval::beta) {
      const double k = tq(n - 1, 0.025) / tq(ddf, 0.025);
      const double m = p * (1 - p) / (se * se) * k * k;
      lo = boost::math::ibeta_inv(m * p, m * (1 - p) + 1, 0.025);
      hi = boost::math::ibeta_inv(m * p + 1, m * (1 - p), 0.975);
    }
    EXPECT_NEAR(e.lo, lo, 1e-13) << share_interval_name(how);
    EXPECT_NEAR(e.hi, hi, 1e-13) << share_interval_name(how);
    if (how != ShareInterval::wald) {
      EXPECT_GT(e.lo, 0) << share_interval_name(how);
      EXPECT_LT(e.hi, 1) << share_interval_name(how);
    }
    // No case in group 0: SE 0 and the interval [0, 0], whatever the method.
    const Interval& z = var(r, 0, 0).above;
    EXPECT_EQ(z.estimate, 0);
    EXPECT_EQ(z.lo, 0);
    EXPECT_EQ(z.hi, 0);
    // Means of other variables keep the t interval.
    const Interval& m = var(r, 1, 0).mean;
    EXPECT_NEAR(m.hi - m.estimate, t * m.se, 1e-14);
  }
  // The bootstrap's normal interval of a share is the share interval with its SE.
  auto b = boot(50);
  b.interval = BootstrapInterval::normal;
  const auto rb = make(rows, 1, 1.05).compute(b);
  const Interval& e = var(rb, 1, 0).above;
  const double t = rb.design.t_quantile;
  EXPECT_NEAR(e.lo, expit(std::log(p / (1 - p)) - t * e.se / (p * (1 - p))), 1e-14);
  EXPECT_NEAR(e.hi, expit(std::log(p / (1 - p)) + t * e.se / (p * (1 - p))), 1e-14);
}

TEST(Linearization, ShareVariablesGetTheShareInterval) {
  // A 0/1 variable marked as a share: its mean gets the logit interval.
  std::vector<Row> rows = random_rows(200, 23, 2, 1, 1, 0.0);
  for (auto& r : rows) r.y[0] = r.y[0] > 0.9 ? 1.0 : 0.0;
  Summary s({SummaryVariable{NaN, false, true}});
  for (const auto& r : rows) s.add(r.group, r.y, r.w, r.stratum, r.psu);
  const auto r = s.compute(lin());
  const Interval& m = var(r, 0, 0).mean;
  const double p = m.estimate, t = r.design.t_quantile;
  ASSERT_GT(p, 0);
  EXPECT_NEAR(m.lo, 1 / (1 + std::exp(-(std::log(p / (1 - p)) - t * m.se / (p * (1 - p))))), 1e-14);
}

TEST(Linearization, DifferencesUseTheCovariance) {
  const auto rows = random_rows(800, 13, 4, 3, 1, 0.05);
  SummaryOptions o = lin();
  const std::vector<Contrast> c{{2, 0}, {1, 0}};
  const auto r = make(rows, 1).compute(o, c);
  ASSERT_EQ(r.contrasts.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& d = r.contrasts[i].variables[0].mean;
    const auto a = c[i].group, b = c[i].reference;
    EXPECT_NEAR(d.estimate, ref_mean(rows, a, 0) - ref_mean(rows, b, 0), 1e-14);
    EXPECT_NEAR(d.se, std::sqrt(ref_variance(rows, a, 0, ident, SingletonStrata::error, &rows, b)),
                1e-14);
    const double naive = std::hypot(var(r, a, 0).mean.se, var(r, b, 0).mean.se);
    EXPECT_GT(std::abs(d.se - naive), 1e-6) << "groups share PSUs: the covariance counts";
    const double t = d.estimate / d.se;
    const double p = 2 * boost::math::cdf(boost::math::complement(
                             boost::math::students_t(r.design.df), std::abs(t)));
    EXPECT_NEAR(d.p, p, 1e-14);
  }
}

TEST(Linearization, DifferencesOfGroupsInSeparatePsusAddVariances) {
  // No strata, no shared PSUs: the two linearised variables have disjoint supports and
  // each sums to zero, so var(a - b) = var(a) + var(b).
  std::vector<Row> rows;
  std::mt19937 gen(4);
  std::uniform_real_distribution<double> u(0, 1);
  for (std::uint64_t i = 0; i < 200; ++i)
    rows.push_back({i % 20 < 10 ? 0u : 1u, {u(gen)}, 1 + u(gen), 0, i % 20});
  const std::vector<Contrast> c{{1, 0}};
  const auto r = make(rows, 1).compute(lin(), c);
  EXPECT_NEAR(r.contrasts[0].variables[0].mean.se,
              std::hypot(var(r, 0, 0).mean.se, var(r, 1, 0).mean.se), 1e-15);
}

TEST(Linearization, MissingValuesLeaveTheDomain) {
  std::vector<Row> rows = {{0, {0.2, NaN}, 1, 0, 0},
                           {0, {NaN, 0.4}, 1, 0, 1},
                           {0, {0.6, 0.8}, 3, 0, 2},
                           {0, {NaN, NaN}, 1, 0, 3}};
  const auto r = make(rows, 2).compute(lin());
  const auto& a = var(r, 0, 0);
  EXPECT_EQ(a.observed, 2u);
  EXPECT_EQ(a.missing, 2u);
  EXPECT_DOUBLE_EQ(a.missing_share, 0.5);
  EXPECT_DOUBLE_EQ(a.sum_weights, 4);
  EXPECT_DOUBLE_EQ(a.mean.estimate, (0.2 + 3 * 0.6) / 4);
  EXPECT_DOUBLE_EQ(a.above.estimate, 0.75);
  EXPECT_DOUBLE_EQ(var(r, 0, 1).mean.estimate, (0.4 + 3 * 0.8) / 4);
  EXPECT_DOUBLE_EQ(r.groups[0].sum_weights, 6);
}

// ---- suppression, options, inputs ----------------------------------------------------

TEST(Summary, SmallGroupsAreSuppressedWithTheirDifferences) {
  auto rows = random_rows(200, 2, 2, 2, 1, 0.0);
  for (std::uint64_t i = 0; i < 4; ++i) rows.push_back({7, {0.5}, 1, 0, 100});
  auto o = lin();
  o.min_cell = 5;
  const std::vector<Contrast> c{{7, 0}, {1, 0}};
  const auto r = make(rows, 1).compute(o, c);
  const auto& small = r.groups.back();
  EXPECT_EQ(small.group, 7u);
  EXPECT_TRUE(small.suppressed);
  EXPECT_TRUE(std::isnan(small.variables[0].mean.estimate));
  EXPECT_TRUE(std::isnan(small.variables[0].quantiles[1].estimate));
  EXPECT_TRUE(std::isnan(small.sum_weights));
  EXPECT_TRUE(r.contrasts[0].suppressed);
  EXPECT_TRUE(std::isnan(r.contrasts[0].variables[0].mean.estimate));
  EXPECT_FALSE(r.contrasts[1].suppressed);
  EXPECT_FALSE(std::isnan(r.contrasts[1].variables[0].mean.se));
}

TEST(Summary, RejectsBadInput) {
  Summary s(1);
  const std::vector<double> v{0.5};
  EXPECT_THROW(s.add(0, v, -1, 0, 0), std::invalid_argument);
  EXPECT_THROW(s.add(0, v, NaN, 0, 0), std::invalid_argument);
  const std::vector<double> inf{std::numeric_limits<double>::infinity()};
  EXPECT_THROW(s.add(0, inf, 1, 0, 0), std::invalid_argument);
  const std::vector<double> two{0.1, 0.2};
  EXPECT_THROW(s.add(0, two, 1, 0, 0), std::invalid_argument);
  s.add(0, v, 1, 0, 0);
  s.add(0, v, 1, 0, 1);
  auto o = lin();
  o.level = 1;
  EXPECT_THROW((void)s.compute(o), std::invalid_argument);
  o = lin();
  o.probabilities = {1.5};
  EXPECT_THROW((void)s.compute(o), std::invalid_argument);
  const std::vector<Contrast> c{{0, 3}};
  EXPECT_THROW((void)s.compute(lin(), c), std::invalid_argument);
  auto b = boot(1);
  EXPECT_THROW((void)s.compute(b), std::invalid_argument);
  EXPECT_THROW(s.merge(Summary(2)), std::invalid_argument);
  Eigen::MatrixXd x(2, 1);
  x << 0.5, 0.7;
  const std::vector<std::uint64_t> g{0, 0};
  const std::vector<double> bad_w{1.0, -1.0};
  try {
    s.add_rows(x, g, bad_w, {}, {}, 40);
    FAIL() << "negative weight accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("data row 41"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[invalid_weight]"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("-1"), std::string::npos) << "no values in messages";
  }
  EXPECT_EQ(s.rows(), 2u) << "a rejected chunk adds nothing";
  EXPECT_THROW(s.merge(Summary(1, 0.3)), std::invalid_argument);
}

TEST(Summary, ParsesOptionNames) {
  EXPECT_EQ(parse_variance_method("linearisation"), VarianceMethod::linearization);
  EXPECT_EQ(parse_variance_method("bootstrap"), VarianceMethod::bootstrap);
  EXPECT_EQ(parse_singleton("centered"), SingletonStrata::centered);
  EXPECT_EQ(parse_bootstrap_interval("normal"), BootstrapInterval::normal);
  EXPECT_THROW(parse_variance_method("jackknife"), std::invalid_argument);
  EXPECT_THROW(parse_singleton("remove"), std::invalid_argument);
  EXPECT_THROW(parse_bootstrap_interval("bca"), std::invalid_argument);
}

// ---- mergeable: whole == split and merged ------------------------------------------------

class MergeProperty : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(MergeProperty, AnySplitMergesToTheWhole) {
  const std::uint32_t seed = GetParam();
  const auto rows = random_rows(500, seed, 3, 3, 2, 0.15);
  const Summary whole = make(rows, 2, 0.5);
  std::mt19937 gen(seed + 1000);
  // Random chunks, merged in a random order into random partial sums.
  std::vector<std::size_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), gen);
  const std::size_t parts = 1 + gen() % 7;
  std::vector<Summary> chunk(parts, Summary(2, 0.5));
  for (const auto i : order)
    chunk[gen() % parts].add(rows[i].group, rows[i].y, rows[i].w, rows[i].stratum, rows[i].psu);
  Summary merged(2, 0.5);
  for (auto& c : chunk) merged.merge(c);
  EXPECT_EQ(merged.rows(), whole.rows());
  const std::vector<Contrast> c{{1, 0}, {2, 0}};
  auto o = lin();
  expect_same(whole.compute(o, c), merged.compute(o, c), 1e-12);
  auto b = boot(60);
  expect_same(whole.compute(b, c), merged.compute(b, c), 1e-12);
  // Quantiles use a total order of the values: identical, not just close.
  const auto wq = whole.compute(o), mq = merged.compute(o);
  for (std::size_t g = 0; g < wq.groups.size(); ++g)
    for (std::size_t k = 0; k < 3; ++k)
      EXPECT_EQ(wq.groups[g].variables[0].quantiles[k].estimate,
                mq.groups[g].variables[0].quantiles[k].estimate);
}

INSTANTIATE_TEST_SUITE_P(Seeds, MergeProperty, ::testing::Values(1u, 2u, 3u, 4u, 5u, 6u));

TEST(Summary, AddRowsEqualsAdd) {
  const auto rows = random_rows(120, 9, 2, 2, 2);
  Eigen::MatrixXd values(rows.size(), 2);
  std::vector<std::uint64_t> groups, strata, clusters;
  std::vector<double> weights;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    values(static_cast<Eigen::Index>(i), 0) = rows[i].y[0];
    values(static_cast<Eigen::Index>(i), 1) = rows[i].y[1];
    groups.push_back(rows[i].group);
    weights.push_back(rows[i].w);
    strata.push_back(rows[i].stratum);
    clusters.push_back(rows[i].psu);
  }
  Summary a(2, 0.5);
  a.add_rows(values, groups, weights, strata, clusters);
  expect_same(a.compute(lin()), make(rows, 2).compute(lin()), 0);
  // Without clusters every row is its own PSU, numbered from first_row.
  Summary b(2, 0.5), c(2, 0.5);
  b.add_rows(values, groups, weights, strata);
  c.add_rows(values.topRows(50), std::span(groups).first(50), std::span(weights).first(50),
             std::span(strata).first(50), {}, 0);
  Summary c2(2, 0.5);
  c2.add_rows(values.bottomRows(70), std::span(groups).last(70), std::span(weights).last(70),
              std::span(strata).last(70), {}, 50);
  c.merge(c2);
  EXPECT_EQ(b.compute(lin()).design.psus, rows.size());
  expect_same(b.compute(lin()), c.compute(lin()), 1e-12);
}

// ---- bootstrap ---------------------------------------------------------------------------

TEST(Bootstrap, RaoWuFactorsAreGolden) {
  // Fixed by the seeding rule and Boost.Random (the same on every platform); the Python
  // tests reproduce them independently with numpy's MT19937.
  const std::vector<std::size_t> n{3, 2, 1, 5};
  EXPECT_EQ(rao_wu_factors(n, 42, 0), (std::vector<double>{0, 3, 0, 0, 2, 1, 0, 3.75, 1.25, 0, 0}));
  EXPECT_EQ(rao_wu_factors(n, 42, 2),
            (std::vector<double>{1.5, 0, 1.5, 2, 0, 1, 1.25, 0, 0, 2.5, 1.25}));
  EXPECT_EQ(replicate_seed(42, 1), 2125706132u);
}

TEST(Bootstrap, FactorsRescaleEachStratumToItsSize) {
  const std::vector<std::size_t> n{2, 7, 1, 30};
  for (std::uint64_t b = 0; b < 200; ++b) {
    const auto f = rao_wu_factors(n, 99, b);
    std::size_t at = 0;
    for (const auto nh : n) {
      double sum = 0;
      for (std::size_t i = 0; i < nh; ++i) sum += f[at + i];
      EXPECT_NEAR(sum, static_cast<double>(nh), 1e-12);  // (n_h - 1) draws * n_h / (n_h - 1)
      at += nh;
    }
  }
  EXPECT_NE(rao_wu_factors(n, 99, 0), rao_wu_factors(n, 99, 1));
  EXPECT_NE(rao_wu_factors(n, 99, 0), rao_wu_factors(n, 100, 0));
}

TEST(Bootstrap, ReproducibleAndIndependentOfThreads) {
  const auto rows = random_rows(1500, 31, 4, 3, 2, 0.1);
  const Summary s = make(rows, 2);
  const std::vector<Contrast> c{{1, 0}};
  const auto one = s.compute(boot(300, 1), c);
  expect_same(one, s.compute(boot(300, 1), c), 0);
  expect_same(one, s.compute(boot(300, 3), c), 0);
  expect_same(one, s.compute(boot(300, 8), c), 0);
  auto other = boot(300, 1);
  other.seed = 7;
  EXPECT_NE(var(one, 0, 0).mean.se, var(s.compute(other), 0, 0).mean.se);
  EXPECT_EQ(var(one, 0, 0).mean.replicates, 300u);
  EXPECT_EQ(one.design.replicates, 300u);
}

TEST(Bootstrap, ReplicatesByHand) {
  // Replicate estimates recomputed row by row from rao_wu_factors.
  const auto rows = random_rows(300, 17, 3, 2, 1, 0.0);
  const std::size_t B = 40;
  auto o = boot(B);
  o.level = 0.9;
  const auto r = make(rows, 1).compute(o);
  std::set<std::pair<std::uint64_t, std::uint64_t>> keys;
  std::map<std::uint64_t, std::size_t> nh;
  for (const auto& x : rows) keys.insert({x.stratum, x.psu});
  for (const auto& k : keys) ++nh[k.first];
  std::vector<std::size_t> sizes;
  for (const auto& [h, n] : nh) sizes.push_back(n);
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> index;
  for (const auto& k : keys) index.emplace(k, index.size());
  for (std::uint64_t g = 0; g < 2; ++g) {
    std::vector<double> est;
    for (std::size_t b = 0; b < B; ++b) {
      const auto f = rao_wu_factors(sizes, o.seed, b);
      double W = 0, WY = 0;
      for (const auto& x : rows)
        if (x.group == g) {
          const double w = x.w * f[index.at({x.stratum, x.psu})];
          W += w;
          WY += w * x.y[0];
        }
      est.push_back(WY / W);
    }
    double m = 0;
    for (const double e : est) m += e;
    m /= B;
    double ss = 0;
    for (const double e : est) ss += (e - m) * (e - m);
    std::sort(est.begin(), est.end());
    const auto& v = var(r, g, 0).mean;
    EXPECT_NEAR(v.se, std::sqrt(ss / (B - 1)), 1e-13);
    EXPECT_NEAR(v.lo, quantile_type7(est, 0.05), 1e-13);
    EXPECT_NEAR(v.hi, quantile_type7(est, 0.95), 1e-13);
  }
}

TEST(Bootstrap, SeCloseToLinearizedOnALargeSample) {
  // 40 strata x 12 PSUs, 24 000 rows with a cluster effect.
  std::mt19937 gen(2024);
  std::normal_distribution<double> nd(0, 1);
  std::vector<Row> rows;
  for (std::uint64_t h = 0; h < 40; ++h)
    for (std::uint64_t p = 0; p < 12; ++p) {
      const double effect = 0.1 * nd(gen);
      for (int i = 0; i < 50; ++i) {
        const std::uint64_t g = gen() % 2;
        const double y =
            std::clamp(0.5 + 0.05 * static_cast<double>(g) + effect + 0.2 * nd(gen), 0.0, 1.0);
        rows.push_back({g, {y}, 1.0 + static_cast<double>(gen() % 3), h, p});
      }
    }
  const Summary s = make(rows, 1, 0.5);
  const std::vector<Contrast> c{{1, 0}};
  const auto L = s.compute(lin(), c);
  auto o = boot(1000, 2);
  const auto B = s.compute(o, c);
  for (std::uint64_t g = 0; g < 2; ++g) {
    EXPECT_NEAR(var(B, g, 0).mean.se / var(L, g, 0).mean.se, 1, 0.1);
    EXPECT_NEAR(var(B, g, 0).above.se / var(L, g, 0).above.se, 1, 0.1);
    for (std::size_t k = 0; k < 3; ++k)
      EXPECT_NEAR(var(B, g, 0).quantiles[k].se / var(L, g, 0).quantiles[k].se, 1, 0.2) << k;
  }
  EXPECT_NEAR(B.contrasts[0].variables[0].mean.se / L.contrasts[0].variables[0].mean.se, 1, 0.1);
  o.interval = BootstrapInterval::normal;
  const auto N = s.compute(o);
  const auto& m = var(N, 0, 0).mean;
  EXPECT_NEAR(m.hi - m.estimate, N.design.t_quantile * m.se, 1e-14);
}
