// Tests of include/reinscore/comoments.hpp against direct per-pair computation.
#include <reinscore/comoments.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using reinscore::CoMoments;
using reinscore::MissingPolicy;

namespace {

Eigen::MatrixXd data(Eigen::Index n, Eigen::Index k, double missing, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd x(n, k);
  for (Eigen::Index r = 0; r < n; ++r) {
    const double common = z(rng);
    for (Eigen::Index j = 0; j < k; ++j)
      x(r, j) = u(rng) < missing
                    ? std::nan("")
                    : 0.5 + 0.1 * (common + z(rng) * (1 + 0.3 * static_cast<double>(j)));
  }
  return x;
}

// Pearson correlation of columns i, j over the rows where both are observed (weighted).
double pair_corr(const Eigen::MatrixXd& x, const Eigen::VectorXd& w, Eigen::Index i,
                 Eigen::Index j) {
  double sw = 0, mi = 0, mj = 0;
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    if (!std::isnan(x(r, i)) && !std::isnan(x(r, j))) {
      sw += w(r);
      mi += w(r) * x(r, i);
      mj += w(r) * x(r, j);
    }
  mi /= sw;
  mj /= sw;
  double c = 0, vi = 0, vj = 0;
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    if (!std::isnan(x(r, i)) && !std::isnan(x(r, j))) {
      c += w(r) * (x(r, i) - mi) * (x(r, j) - mj);
      vi += w(r) * (x(r, i) - mi) * (x(r, i) - mi);
      vj += w(r) * (x(r, j) - mj) * (x(r, j) - mj);
    }
  return c / std::sqrt(vi * vj);
}

}  // namespace

TEST(CoMoments, PairwiseCorrelationEqualsPerPairComputation) {
  const auto x = data(400, 5, 0.15, 1);
  Eigen::VectorXd w = Eigen::VectorXd::Ones(400);
  for (Eigen::Index r = 0; r < 400; ++r) w(r) = 1 + static_cast<double>(r % 3);
  CoMoments m(5);
  m.add(x, w);
  const auto R = m.correlation(MissingPolicy::pairwise);
  for (Eigen::Index i = 0; i < 5; ++i)
    for (Eigen::Index j = 0; j < 5; ++j)
      EXPECT_NEAR(i == j ? 1.0 : pair_corr(x, w, i, j), R(i, j), 1e-12) << i << "," << j;
}

TEST(CoMoments, CompleteCaseUsesOnlyFullRows) {
  const auto x = data(300, 4, 0.1, 2);
  CoMoments m(4);
  m.add(x);
  // Keep the complete rows and compute with no missing values at all.
  Eigen::MatrixXd full(0, 4);
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    if (!x.row(r).hasNaN()) {
      full.conservativeResize(full.rows() + 1, Eigen::NoChange);
      full.row(full.rows() - 1) = x.row(r);
    }
  EXPECT_DOUBLE_EQ(static_cast<double>(full.rows()), m.complete_rows());
  const Eigen::VectorXd ones = Eigen::VectorXd::Ones(full.rows());
  const auto R = m.correlation(MissingPolicy::complete);
  for (Eigen::Index i = 0; i < 4; ++i)
    for (Eigen::Index j = 0; j < 4; ++j)
      EXPECT_NEAR(i == j ? 1.0 : pair_corr(full, ones, i, j), R(i, j), 1e-12);
  const Eigen::VectorXd mean = full.colwise().mean();
  const Eigen::MatrixXd centred = full.rowwise() - mean.transpose();
  const Eigen::MatrixXd cov = centred.transpose() * centred / static_cast<double>(full.rows() - 1);
  EXPECT_TRUE(m.covariance(MissingPolicy::complete).isApprox(cov, 1e-12));
  EXPECT_TRUE(m.means(MissingPolicy::complete).isApprox(mean, 1e-12));
}

TEST(CoMoments, MergingChunksEqualsAddingTheWhole) {
  const auto x = data(1000, 6, 0.2, 3);
  CoMoments whole(6), a(6), b(6), c(6);
  whole.add(x);
  a.add(x.topRows(123));
  b.add(x.middleRows(123, 600));
  c.add(x.bottomRows(277));
  c.merge(a);  // any order
  c.merge(b);
  EXPECT_TRUE(c.correlation().isApprox(whole.correlation(), 1e-12));
  EXPECT_TRUE(c.covariance(MissingPolicy::complete)
                  .isApprox(whole.covariance(MissingPolicy::complete), 1e-12));
  EXPECT_DOUBLE_EQ(whole.rows(), c.rows());
}

TEST(CoMoments, RejectsWrongShapesAndNegativeWeights) {
  CoMoments m(3);
  EXPECT_THROW(m.add(Eigen::MatrixXd::Zero(2, 4)), std::invalid_argument);
  EXPECT_THROW(m.add(Eigen::MatrixXd::Zero(2, 3), Eigen::VectorXd::Constant(2, -1.0)),
               std::invalid_argument);
  CoMoments other(4);
  EXPECT_THROW(m.merge(other), std::invalid_argument);
}
