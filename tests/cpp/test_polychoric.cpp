// Tests of include/reinscore/polychoric.hpp: the bivariate normal CDF against exact values
// and numerical integration of Plackett's identity, polychoric correlations against
// tables whose maximum-likelihood estimate is known, and the contingency-table
// accumulator against direct counting.
#include <reinscore/polychoric.hpp>

#include <boost/math/quadrature/tanh_sinh.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

using reinscore::bivariate_normal_cdf;
using reinscore::MissingPolicy;
using reinscore::OrdinalTables;
using reinscore::polychoric;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

double Phi(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

// Plackett's identity: dF/drho = phi2(h, k; rho), so F(h, k; rho) = Phi(h) Phi(k) +
// integral_0^rho phi2(h, k; r) dr, integrated by tanh-sinh quadrature (robust near r = +-1).
double plackett(double h, double k, double rho) {
  const auto density = [&](double r) {
    const double s = 1 - r * r;
    return std::exp(-(h * h - 2 * r * h * k + k * k) / (2 * s)) /
           (2 * std::numbers::pi * std::sqrt(s));
  };
  static boost::math::quadrature::tanh_sinh<double> integrator;
  const double integral = rho == 0 ? 0.0 : integrator.integrate(density, 0.0, rho, 1e-14);
  return Phi(h) * Phi(k) + integral;
}

// Expected counts N * P_ab of a table cut at thresholds a, b from a bivariate normal.
Eigen::MatrixXd expected_table(const std::vector<double>& a, const std::vector<double>& b,
                               double rho, double N) {
  std::vector<double> ea{-inf}, eb{-inf};
  ea.insert(ea.end(), a.begin(), a.end());
  eb.insert(eb.end(), b.begin(), b.end());
  ea.push_back(inf);
  eb.push_back(inf);
  const auto K = static_cast<Eigen::Index>(a.size() + 1),
             L = static_cast<Eigen::Index>(b.size() + 1);
  Eigen::MatrixXd t(K, L);
  for (Eigen::Index i = 0; i < K; ++i)
    for (Eigen::Index j = 0; j < L; ++j) {
      const auto u = static_cast<std::size_t>(i), v = static_cast<std::size_t>(j);
      t(i, j) = N * (bivariate_normal_cdf(ea[u + 1], eb[v + 1], rho) -
                     bivariate_normal_cdf(ea[u], eb[v + 1], rho) -
                     bivariate_normal_cdf(ea[u + 1], eb[v], rho) +
                     bivariate_normal_cdf(ea[u], eb[v], rho));
    }
  return t;
}

// Ordinal data: a bivariate normal cut into categories with values in [0, 1].
Eigen::MatrixXd ordinal_data(Eigen::Index n, Eigen::Index k, double rho, double missing,
                             unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd x(n, k);
  const std::vector<double> cuts = {-1.1, -0.2, 0.5, 1.3};
  for (Eigen::Index r = 0; r < n; ++r) {
    const double common = z(rng);
    for (Eigen::Index j = 0; j < k; ++j) {
      const double latent =
          std::sqrt(rho) * common + std::sqrt(1 - rho) * z(rng) + 0.2 * static_cast<double>(j);
      double c = 0;
      for (const double cut : cuts) c += latent > cut ? 1 : 0;
      x(r, j) = u(rng) < missing ? std::nan("") : c / 4.0;
    }
  }
  return x;
}

}  // namespace

TEST(BivariateNormal, ExactAtTheOrigin) {
  // F(0, 0; rho) = 1/4 + asin(rho) / (2 pi), for every branch of the algorithm.
  for (const double rho :
       {-1.0, -0.9999, -0.99, -0.93, -0.92, -0.8,  -0.5,  -0.29, -0.1,   0.0, 0.1,
        0.31, 0.6,     0.74,  0.76,  0.9,   0.924, 0.926, 0.97,  0.9999, 1.0})
    EXPECT_NEAR(bivariate_normal_cdf(0, 0, rho), 0.25 + std::asin(rho) / (2 * std::numbers::pi),
                1e-15)
        << rho;
}

TEST(BivariateNormal, EqualsPlackettIntegral) {
  for (const double h : {-3.0, -1.3, -0.2, 0.0, 0.45, 1.1, 2.7})
    for (const double k : {-2.2, -0.7, 0.0, 0.3, 1.6, 3.4})
      for (const double rho : {-0.99, -0.95, -0.93, -0.8, -0.5, -0.2, 0.1, 0.29, 0.31, 0.6, 0.74,
                               0.76, 0.9, 0.924, 0.926, 0.95, 0.99})
        EXPECT_NEAR(bivariate_normal_cdf(h, k, rho), plackett(h, k, rho), 2e-13)
            << h << " " << k << " " << rho;
}

TEST(BivariateNormal, LimitsAndSymmetry) {
  for (const double h : {-1.5, 0.2, 2.0})
    for (const double k : {-0.4, 0.9}) {
      EXPECT_NEAR(bivariate_normal_cdf(h, k, 0), Phi(h) * Phi(k), 1e-16);
      EXPECT_NEAR(bivariate_normal_cdf(h, k, 1), Phi(std::min(h, k)), 1e-15);
      EXPECT_NEAR(bivariate_normal_cdf(h, k, -1), std::max(0.0, Phi(h) + Phi(k) - 1), 1e-15);
      EXPECT_DOUBLE_EQ(bivariate_normal_cdf(h, inf, 0.4), Phi(h));
      EXPECT_DOUBLE_EQ(bivariate_normal_cdf(inf, k, 0.4), Phi(k));
      EXPECT_EQ(bivariate_normal_cdf(-inf, k, 0.4), 0.0);
      EXPECT_EQ(bivariate_normal_cdf(h, -inf, -0.4), 0.0);
      EXPECT_NEAR(bivariate_normal_cdf(h, k, 0.55), bivariate_normal_cdf(k, h, 0.55), 1e-16);
      // P(X <= h, Y <= k; -rho) = Phi(h) - P(X <= h, Y <= -k; rho).
      EXPECT_NEAR(bivariate_normal_cdf(h, k, -0.95), Phi(h) - bivariate_normal_cdf(h, -k, 0.95),
                  1e-15);
    }
  EXPECT_TRUE(std::isnan(bivariate_normal_cdf(std::nan(""), 0, 0.3)));
  EXPECT_THROW(bivariate_normal_cdf(0, 0, 1.0001), std::invalid_argument);
  EXPECT_THROW(bivariate_normal_cdf(0, 0, std::nan("")), std::invalid_argument);
}

TEST(Polychoric, ThresholdsAreNormalQuantilesOfCumulativeProportions) {
  Eigen::VectorXd counts(4);
  counts << 10, 30, 40, 20;
  const auto tau = reinscore::normal_thresholds(counts);
  ASSERT_EQ(tau.size(), 3u);
  for (const auto& [i, p] : {std::pair{0, 0.1}, std::pair{1, 0.4}, std::pair{2, 0.8}})
    EXPECT_NEAR(Phi(tau[static_cast<std::size_t>(i)]), p, 1e-14);
  counts(1) = 0;
  EXPECT_THROW(reinscore::normal_thresholds(counts), std::invalid_argument);
}

TEST(Polychoric, RecoversRhoFromExpectedCounts) {
  // With counts proportional to the model's cell probabilities, the two-step estimate
  // returns the generating thresholds and correlation (the likelihood is maximal there).
  const std::vector<double> a = {-0.8, 0.1, 1.0, 1.7}, b = {-1.2, -0.3, 0.6};
  for (const double rho : {-0.85, -0.3, 0.0, 0.2, 0.55, 0.93}) {
    const auto p = polychoric(expected_table(a, b, rho, 1000.0));
    EXPECT_NEAR(p.rho, rho, 1e-11) << rho;
    ASSERT_EQ(p.row_thresholds.size(), a.size());
    ASSERT_EQ(p.col_thresholds.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(p.row_thresholds[i], a[i], 1e-12);
    for (std::size_t j = 0; j < b.size(); ++j) EXPECT_NEAR(p.col_thresholds[j], b[j], 1e-12);
    EXPECT_NEAR(p.n, 1000.0, 1e-9);
    EXPECT_FALSE(p.at_bound);
  }
}

TEST(Polychoric, TetrachoricOfAMedianSplitHasAClosedForm) {
  // Margins 1/2: P(both low) = 1/4 + asin(rho) / (2 pi), so rho = sin(2 pi (p11 - 1/4)).
  Eigen::MatrixXd t(2, 2);
  t << 40, 10, 10, 40;
  EXPECT_NEAR(polychoric(t).rho, std::sin(2 * std::numbers::pi * (0.4 - 0.25)), 1e-11);
  t << 20, 30, 30, 20;
  EXPECT_NEAR(polychoric(t).rho, std::sin(2 * std::numbers::pi * (0.2 - 0.25)), 1e-11);
}

TEST(Polychoric, SymmetriesZeroCategoriesAndDegenerateTables) {
  Eigen::MatrixXd t(3, 4);
  t << 20, 11, 4, 1, 9, 25, 13, 6, 2, 8, 17, 24;
  const double rho = polychoric(t).rho;
  EXPECT_GT(rho, 0.3);
  EXPECT_NEAR(polychoric(t.transpose()).rho, rho, 1e-12);
  EXPECT_NEAR(polychoric(t.colwise().reverse()).rho, -rho, 1e-12);
  // Weighted counts: scaling does not change the estimate.
  EXPECT_NEAR(polychoric(t * 0.37).rho, rho, 1e-12);
  // An empty category carries no information: dropped.
  Eigen::MatrixXd z = Eigen::MatrixXd::Zero(4, 5);
  z.topLeftCorner(1, 2) = t.topLeftCorner(1, 2);
  z.block(0, 3, 1, 2) = t.block(0, 2, 1, 2);
  z.block(2, 0, 2, 2) = t.bottomLeftCorner(2, 2);
  z.block(2, 3, 2, 2) = t.bottomRightCorner(2, 2);
  EXPECT_NEAR(polychoric(z).rho, rho, 1e-9);
  // One category in a variable: undefined.
  EXPECT_TRUE(std::isnan(polychoric(t.topRows(1)).rho));
  // No discordant cells: the likelihood grows up to rho = 1; the bound is returned.
  Eigen::MatrixXd d(3, 3);
  d << 10, 0, 0, 0, 20, 0, 0, 0, 15;
  const auto pd = polychoric(d);
  EXPECT_TRUE(pd.at_bound);
  EXPECT_NEAR(pd.rho, reinscore::polychoric_bound, 1e-6);
  t(1, 2) = -1;
  EXPECT_THROW(polychoric(t), std::invalid_argument);
}

TEST(Polychoric, ConsistentForCutNormalData) {
  const auto x = ordinal_data(20000, 2, 0.5, 0.0, 7);
  OrdinalTables tabs(2);
  tabs.add(x);
  EXPECT_NEAR(polychoric(tabs.table(0, 1, MissingPolicy::pairwise)).rho, 0.5, 0.03);
}

TEST(OrdinalTables, TablesEqualDirectCounts) {
  const auto x = ordinal_data(700, 4, 0.4, 0.12, 3);
  Eigen::VectorXd w(700);
  for (Eigen::Index r = 0; r < 700; ++r) w(r) = 0.5 + static_cast<double>(r % 4);
  OrdinalTables tabs(4);
  tabs.add(x, w);
  for (Eigen::Index i = 0; i < 4; ++i) {
    const auto cats = tabs.categories(i);
    ASSERT_EQ(cats.size(), 5u);
    for (std::size_t c = 0; c < 5; ++c) EXPECT_EQ(cats[c], static_cast<double>(c) / 4.0);
  }
  for (const auto policy : {MissingPolicy::pairwise, MissingPolicy::complete})
    for (Eigen::Index i = 0; i < 4; ++i)
      for (Eigen::Index j = 0; j < 4; ++j) {
        if (i == j) continue;
        Eigen::MatrixXd direct = Eigen::MatrixXd::Zero(5, 5);
        for (Eigen::Index r = 0; r < 700; ++r) {
          if (policy == MissingPolicy::complete && x.row(r).hasNaN()) continue;
          if (std::isnan(x(r, i)) || std::isnan(x(r, j))) continue;
          direct(static_cast<Eigen::Index>(x(r, i) * 4), static_cast<Eigen::Index>(x(r, j) * 4)) +=
              w(r);
        }
        EXPECT_TRUE(tabs.table(i, j, policy).isApprox(direct, 1e-14)) << i << "," << j;
      }
}

TEST(OrdinalTables, MergeOfChunksEqualsWholeAndWeightsReplicateRows) {
  const auto x = ordinal_data(600, 3, 0.5, 0.1, 11);
  OrdinalTables whole(3), a(3), b(3), c(3);
  whole.add(x);
  // Chunks whose first values differ, so categories are discovered in different orders.
  c.add(x.middleRows(400, 200));
  a.add(x.topRows(150));
  b.add(x.middleRows(150, 250));
  c.merge(a);
  c.merge(b);
  for (const auto policy : {MissingPolicy::pairwise, MissingPolicy::complete}) {
    EXPECT_TRUE(c.polychoric(policy).isApprox(whole.polychoric(policy), 1e-12));
    EXPECT_TRUE(c.table(0, 2, policy).isApprox(whole.table(0, 2, policy), 1e-14));
  }
  // Integer weights are replicated rows.
  Eigen::VectorXd w(600);
  Eigen::Index total = 0;
  for (Eigen::Index r = 0; r < 600; ++r)
    total += static_cast<Eigen::Index>(w(r) = static_cast<double>(r % 3));
  Eigen::MatrixXd rep(total, 3);
  Eigen::Index out = 0;
  for (Eigen::Index r = 0; r < 600; ++r)
    for (int t = 0; t < static_cast<int>(w(r)); ++t) rep.row(out++) = x.row(r);
  OrdinalTables weighted(3), replicated(3);
  weighted.add(x, w);
  replicated.add(rep);
  EXPECT_TRUE(weighted.polychoric(MissingPolicy::pairwise)
                  .isApprox(replicated.polychoric(MissingPolicy::pairwise), 1e-9));
}

TEST(OrdinalTables, RejectsContinuousItemsAndBadArguments) {
  Eigen::MatrixXd x(30, 2);
  for (Eigen::Index r = 0; r < 30; ++r) {
    x(r, 0) = static_cast<double>(r) / 29.0;  // 30 distinct values
    x(r, 1) = static_cast<double>(r % 2);
  }
  OrdinalTables tabs(2, {"income", "has_work"});
  try {
    tabs.add(x);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("item 'income'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("more than 20 distinct values"), std::string::npos)
        << e.what();
  }
  // A failed add changes nothing: no categories from the rejected rows.
  EXPECT_TRUE(tabs.categories(0).empty());
  Eigen::MatrixXd good(4, 2);
  good << 0, 1, 0.5, 0, 1, 1, 0.5, 1;
  tabs.add(good);
  const Eigen::MatrixXd before = tabs.table(0, 1, MissingPolicy::pairwise);
  EXPECT_THROW(tabs.add(x), std::invalid_argument);
  Eigen::VectorXd bad_w = Eigen::VectorXd::Ones(4);
  bad_w(3) = std::nan("");
  EXPECT_THROW(tabs.add(good, bad_w), std::invalid_argument);
  EXPECT_EQ(tabs.categories(0).size(), 3u);
  EXPECT_TRUE(tabs.table(0, 1, MissingPolicy::pairwise).isApprox(before));
  EXPECT_THROW(tabs.add(Eigen::MatrixXd::Zero(3, 3)), std::invalid_argument);
  EXPECT_THROW(tabs.table(0, 0, MissingPolicy::pairwise), std::invalid_argument);
  EXPECT_THROW(tabs.table(0, 2, MissingPolicy::pairwise), std::out_of_range);
  EXPECT_THROW(OrdinalTables(3, {"a"}), std::invalid_argument);
  OrdinalTables other(3);
  EXPECT_THROW(tabs.merge(other), std::invalid_argument);
}
