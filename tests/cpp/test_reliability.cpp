// Tests of include/reinscore/reliability.hpp against direct computation of alpha and
// item statistics on seeded data, and properties (row order, chunking, duplicated items).
#include <reinscore/reliability.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

using reinscore::AlphaAccumulator;
using reinscore::AlphaResult;
using reinscore::MissingPolicy;

namespace {

// Likert-like items in [0, 1] driven by a common factor, with missing cells.
Eigen::MatrixXd items(Eigen::Index n, Eigen::Index k, double missing, unsigned seed,
                      bool ordinal = true) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd x(n, k);
  for (Eigen::Index r = 0; r < n; ++r) {
    const double common = z(rng);
    for (Eigen::Index j = 0; j < k; ++j) {
      const double latent = (0.6 + 0.1 * static_cast<double>(j)) * common + z(rng);
      const double v =
          ordinal ? std::clamp(std::round(2 + latent), 0.0, 4.0) / 4.0 : 0.5 + 0.2 * latent;
      x(r, j) = u(rng) < missing ? std::nan("") : v;
    }
  }
  return x;
}

Eigen::VectorXd weights(Eigen::Index n) {
  Eigen::VectorXd w(n);
  for (Eigen::Index r = 0; r < n; ++r) w(r) = 0.5 + static_cast<double>((r * 7) % 5) * 0.75;
  return w;
}

// Weighted covariance of two columns over rows where both (or, with `complete`, all)
// are observed: sum w (x - mx)(y - my) / sum w * n / (n - 1).
struct Pair {
  double cov = 0, corr = 0, n = 0;
};
Pair pair_stats(const Eigen::MatrixXd& x, const Eigen::VectorXd& w, Eigen::Index i, Eigen::Index j,
                bool complete) {
  const auto use = [&](Eigen::Index r) {
    return complete ? !x.row(r).hasNaN() : !std::isnan(x(r, i)) && !std::isnan(x(r, j));
  };
  double sw = 0, mi = 0, mj = 0, n = 0;
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    if (use(r)) {
      sw += w(r);
      mi += w(r) * x(r, i);
      mj += w(r) * x(r, j);
      n += 1;
    }
  mi /= sw;
  mj /= sw;
  double c = 0, vi = 0, vj = 0;
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    if (use(r)) {
      c += w(r) * (x(r, i) - mi) * (x(r, j) - mj);
      vi += w(r) * (x(r, i) - mi) * (x(r, i) - mi);
      vj += w(r) * (x(r, j) - mj) * (x(r, j) - mj);
    }
  return {c / sw * n / (n - 1), c / std::sqrt(vi * vj), n};
}

// Alpha of the columns `cols` by the textbook formula, from direct covariances.
double direct_alpha(const Eigen::MatrixXd& x, const Eigen::VectorXd& w,
                    const std::vector<Eigen::Index>& cols, bool complete) {
  const double k = static_cast<double>(cols.size());
  double total = 0, trace = 0;
  for (const auto i : cols)
    for (const auto j : cols) {
      const double c = pair_stats(x, w, i, j, complete).cov;
      total += c;
      if (i == j) trace += c;
    }
  return k / (k - 1) * (1 - trace / total);
}

double direct_std_alpha(const Eigen::MatrixXd& x, const Eigen::VectorXd& w,
                        const std::vector<Eigen::Index>& cols, bool complete) {
  const double k = static_cast<double>(cols.size());
  double sum = 0;
  for (const auto i : cols)
    for (const auto j : cols)
      if (i != j) sum += pair_stats(x, w, i, j, complete).corr;
  const double r = sum / (k * (k - 1));
  return k * r / (1 + (k - 1) * r);
}

std::vector<Eigen::Index> all_but(Eigen::Index k, Eigen::Index drop) {
  std::vector<Eigen::Index> v;
  for (Eigen::Index j = 0; j < k; ++j)
    if (j != drop) v.push_back(j);
  return v;
}

AlphaResult alpha_of(const Eigen::MatrixXd& x, const Eigen::VectorXd& w, MissingPolicy p,
                     bool ordinal = false) {
  AlphaAccumulator acc(x.cols(), ordinal);
  acc.add(x, w);
  return acc.result(p);
}

void expect_same(const AlphaResult& a, const AlphaResult& b, double tol) {
  EXPECT_NEAR(a.alpha, b.alpha, tol);
  EXPECT_NEAR(a.standardized_alpha, b.standardized_alpha, tol);
  if (!std::isnan(a.ordinal_alpha) || !std::isnan(b.ordinal_alpha)) {
    EXPECT_NEAR(a.ordinal_alpha, b.ordinal_alpha, tol);
  }
  ASSERT_EQ(a.items.size(), b.items.size());
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    EXPECT_NEAR(a.items[i].mean, b.items[i].mean, tol) << i;
    EXPECT_NEAR(a.items[i].item_rest, b.items[i].item_rest, tol) << i;
    EXPECT_NEAR(a.items[i].alpha_if_deleted, b.items[i].alpha_if_deleted, tol) << i;
    EXPECT_NEAR(a.items[i].standardized_alpha_if_deleted, b.items[i].standardized_alpha_if_deleted,
                tol)
        << i;
  }
}

}  // namespace

TEST(Alpha, CompleteCaseEqualsDirectFormulas) {
  const Eigen::Index n = 500, k = 6;
  const auto x = items(n, k, 0.06, 1);
  const auto w = weights(n);
  const auto res = alpha_of(x, w, MissingPolicy::complete);
  std::vector<Eigen::Index> cols(static_cast<std::size_t>(k));
  std::iota(cols.begin(), cols.end(), 0);
  Eigen::Index complete = 0;
  double complete_weight = 0;
  for (Eigen::Index r = 0; r < n; ++r)
    if (!x.row(r).hasNaN()) {
      ++complete;
      complete_weight += w(r);
    }
  ASSERT_GT(complete, 300);
  ASSERT_LT(complete, n);  // the test must exercise listwise deletion
  EXPECT_EQ(res.n, static_cast<double>(complete));
  EXPECT_NEAR(res.weight, complete_weight, 1e-9);
  EXPECT_NEAR(res.alpha, direct_alpha(x, w, cols, true), 1e-12);
  EXPECT_NEAR(res.standardized_alpha, direct_std_alpha(x, w, cols, true), 1e-12);
  EXPECT_GT(res.alpha, 0.5);
  for (Eigen::Index i = 0; i < k; ++i) {
    const auto& it = res.items[static_cast<std::size_t>(i)];
    // Alpha if deleted: the other items over the same (complete on all k) rows.
    EXPECT_NEAR(it.alpha_if_deleted, direct_alpha(x, w, all_but(k, i), true), 1e-12) << i;
    EXPECT_NEAR(it.standardized_alpha_if_deleted, direct_std_alpha(x, w, all_but(k, i), true),
                1e-12)
        << i;
    // Item-rest: Pearson correlation of the item with the sum of the others.
    Eigen::MatrixXd ir(n, 2);
    double sw = 0, mean = 0;
    for (Eigen::Index r = 0; r < n; ++r) {
      ir(r, 0) = x(r, i);
      ir(r, 1) = x.row(r).sum() - x(r, i);  // NaN when any item is missing
      if (!x.row(r).hasNaN()) {
        sw += w(r);
        mean += w(r) * x(r, i);
      }
    }
    EXPECT_NEAR(it.item_rest, pair_stats(ir, w, 0, 1, true).corr, 1e-12) << i;
    EXPECT_NEAR(it.mean, mean / sw, 1e-12) << i;
    EXPECT_NEAR(it.sd, std::sqrt(pair_stats(x, w, i, i, true).cov), 1e-12) << i;
    EXPECT_EQ(it.n, static_cast<double>(complete));
  }
}

TEST(Alpha, PairwiseEqualsDirectFormulas) {
  const Eigen::Index n = 400, k = 5;
  const auto x = items(n, k, 0.15, 2);
  const auto w = weights(n);
  const auto res = alpha_of(x, w, MissingPolicy::pairwise);
  std::vector<Eigen::Index> cols(static_cast<std::size_t>(k));
  std::iota(cols.begin(), cols.end(), 0);
  EXPECT_NEAR(res.alpha, direct_alpha(x, w, cols, false), 1e-12);
  EXPECT_NEAR(res.standardized_alpha, direct_std_alpha(x, w, cols, false), 1e-12);
  double min_n = 1e300;
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = i + 1; j < k; ++j)
      min_n = std::min(min_n, pair_stats(x, w, i, j, false).n);
  EXPECT_EQ(res.n, min_n);
  for (Eigen::Index i = 0; i < k; ++i) {
    const auto& it = res.items[static_cast<std::size_t>(i)];
    EXPECT_NEAR(it.alpha_if_deleted, direct_alpha(x, w, all_but(k, i), false), 1e-12) << i;
    EXPECT_NEAR(it.standardized_alpha_if_deleted, direct_std_alpha(x, w, all_but(k, i), false),
                1e-12)
        << i;
    // Item-rest from the pairwise covariances: cov(i, rest) / sqrt(var i var rest).
    double cov_rest = 0, var_rest = 0;
    for (Eigen::Index j = 0; j < k; ++j) {
      if (j == i) continue;
      cov_rest += pair_stats(x, w, i, j, false).cov;
      for (Eigen::Index l = 0; l < k; ++l)
        if (l != i) var_rest += pair_stats(x, w, j, l, false).cov;
    }
    EXPECT_NEAR(it.item_rest, cov_rest / std::sqrt(pair_stats(x, w, i, i, false).cov * var_rest),
                1e-12)
        << i;
    EXPECT_EQ(it.n, pair_stats(x, w, i, i, false).n);
  }
}

TEST(Alpha, UnweightedMatchesTextbookExample) {
  // Four respondents, three items; by hand: item variances 5/3, 9/4, 19/12 (sum 5.5),
  // total-score variance 46/3 -> alpha = 1.5 * (1 - 5.5 / (46/3)) = 44.25 / 46.
  Eigen::MatrixXd x(4, 3);
  x << 1, 2, 2, 2, 2, 3, 3, 4, 3, 4, 5, 5;
  const auto res = alpha_of(x, Eigen::VectorXd(), MissingPolicy::complete);
  const double item_var = 1.0 / 3 * (2.25 + 0.25 + 0.25 + 2.25);  // mean 2.5
  EXPECT_NEAR(res.items[0].sd * res.items[0].sd, item_var, 1e-12);
  const Eigen::VectorXd total = x.rowwise().sum();
  const double tv = (total.array() - total.mean()).square().sum() / 3;
  const double vars = res.covariance.diagonal().sum();
  EXPECT_NEAR(res.alpha, 1.5 * (1 - vars / tv), 1e-12);
  EXPECT_NEAR(res.alpha, 44.25 / 46, 1e-12);
}

TEST(Alpha, WeightsOfOneEqualNoWeightsAndScaleDoesNotMatter) {
  const auto x = items(300, 4, 0.1, 3);
  const auto w = weights(300);
  for (const auto p : {MissingPolicy::complete, MissingPolicy::pairwise}) {
    expect_same(alpha_of(x, Eigen::VectorXd::Ones(300), p), alpha_of(x, Eigen::VectorXd(), p),
                1e-12);
    expect_same(alpha_of(x, w * 123.4, p), alpha_of(x, w, p), 1e-12);
  }
  // Weights matter: a different weighting gives a different alpha.
  EXPECT_GT(std::fabs(alpha_of(x, w, MissingPolicy::complete).alpha -
                      alpha_of(x, Eigen::VectorXd(), MissingPolicy::complete).alpha),
            1e-6);
}

TEST(Alpha, IntegerWeightsEqualReplicatedRowsInCompleteCase) {
  const auto x = items(200, 4, 0.1, 4);
  Eigen::VectorXd w(200);
  std::vector<Eigen::Index> rep;
  for (Eigen::Index r = 0; r < 200; ++r) {
    w(r) = static_cast<double>(1 + r % 3);
    for (int t = 0; t < 1 + static_cast<int>(r % 3); ++t) rep.push_back(r);
  }
  Eigen::MatrixXd xr(static_cast<Eigen::Index>(rep.size()), 4);
  for (std::size_t r = 0; r < rep.size(); ++r) xr.row(static_cast<Eigen::Index>(r)) = x.row(rep[r]);
  // Alpha and correlations do not depend on the n / (n - 1) factor.
  expect_same(alpha_of(x, w, MissingPolicy::complete, true),
              alpha_of(xr, Eigen::VectorXd(), MissingPolicy::complete, true), 1e-9);
}

TEST(Alpha, InvariantToRowOrder) {
  auto x = items(300, 5, 0.1, 5);
  auto w = weights(300);
  std::vector<Eigen::Index> perm(300);
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), std::mt19937(9));
  Eigen::MatrixXd xs(300, 5);
  Eigen::VectorXd ws(300);
  for (Eigen::Index r = 0; r < 300; ++r) {
    xs.row(r) = x.row(perm[static_cast<std::size_t>(r)]);
    ws(r) = w(perm[static_cast<std::size_t>(r)]);
  }
  for (const auto p : {MissingPolicy::complete, MissingPolicy::pairwise})
    expect_same(alpha_of(xs, ws, p, true), alpha_of(x, w, p, true), 1e-10);
}

TEST(Alpha, MergeOfChunksEqualsWhole) {
  const auto x = items(500, 5, 0.1, 6);
  const auto w = weights(500);
  AlphaAccumulator a(5, true), b(5, true), c(5, true);
  a.add(x.topRows(120), w.head(120));
  b.add(x.middleRows(120, 300), w.segment(120, 300));
  c.add(x.bottomRows(80), w.tail(80));
  c.merge(a);
  c.merge(b);
  for (const auto p : {MissingPolicy::complete, MissingPolicy::pairwise}) {
    const auto whole = alpha_of(x, w, p, true);
    const auto merged = c.result(p);
    expect_same(merged, whole, 1e-10);
    EXPECT_EQ(merged.n, whole.n);
    EXPECT_NEAR(merged.weight, whole.weight, 1e-9);
    EXPECT_TRUE(merged.polychoric.isApprox(whole.polychoric, 1e-10));
  }
  AlphaAccumulator plain(5);
  EXPECT_THROW(plain.merge(a), std::invalid_argument);
}

TEST(Alpha, DuplicatedItemIncreasesAlpha) {
  const auto x = items(400, 4, 0.05, 7);
  Eigen::MatrixXd x2(400, 5);
  x2 << x, x.col(2);
  for (const auto p : {MissingPolicy::complete, MissingPolicy::pairwise}) {
    const auto before = alpha_of(x, Eigen::VectorXd(), p, true);
    const auto after = alpha_of(x2, Eigen::VectorXd(), p, true);
    EXPECT_GT(after.alpha, before.alpha + 0.01);
    EXPECT_GT(after.standardized_alpha, before.standardized_alpha + 0.01);
    EXPECT_GT(after.ordinal_alpha, before.ordinal_alpha + 0.01);
    // Deleting the copy gives the original alpha back.
    EXPECT_NEAR(after.items[4].alpha_if_deleted, before.alpha, 1e-12);
  }
}

TEST(Alpha, OrdinalAlphaIsStandardizedAlphaOfPolychoricMatrix) {
  const auto x = items(600, 4, 0.1, 8);
  const auto res = alpha_of(x, Eigen::VectorXd(), MissingPolicy::pairwise, true);
  ASSERT_EQ(res.polychoric.rows(), 4);
  reinscore::OrdinalTables t(4);
  t.add(x);
  double r = 0;
  for (Eigen::Index i = 0; i < 4; ++i)
    for (Eigen::Index j = 0; j < 4; ++j)
      if (i != j) {
        // Each pair is estimated once, from the table with the earlier item in rows.
        const auto table = t.table(std::min(i, j), std::max(i, j), MissingPolicy::pairwise);
        EXPECT_NEAR(res.polychoric(i, j), reinscore::polychoric(table).rho, 1e-15);
        r += res.polychoric(i, j);
      }
  r /= 12;
  EXPECT_NEAR(res.mean_polychoric, r, 1e-12);
  EXPECT_NEAR(res.ordinal_alpha, 4 * r / (1 + 3 * r), 1e-12);
  // Polychoric correlations of coarse items exceed their Pearson correlations.
  EXPECT_GT(res.ordinal_alpha, res.standardized_alpha);
  // Without the ordinal option there is nothing ordinal.
  EXPECT_TRUE(std::isnan(alpha_of(x, Eigen::VectorXd(), MissingPolicy::pairwise).ordinal_alpha));
}

TEST(Alpha, SmallAndEmptyCases) {
  const auto x = items(100, 3, 0.0, 9);
  const auto one = alpha_of(x.leftCols(1), Eigen::VectorXd(), MissingPolicy::complete);
  EXPECT_TRUE(std::isnan(one.alpha));
  EXPECT_TRUE(std::isnan(one.standardized_alpha));
  EXPECT_NEAR(one.items[0].mean, x.col(0).mean(), 1e-12);
  EXPECT_TRUE(std::isnan(one.items[0].item_rest));
  const auto two = alpha_of(x.leftCols(2), Eigen::VectorXd(), MissingPolicy::complete);
  EXPECT_FALSE(std::isnan(two.alpha));
  EXPECT_TRUE(std::isnan(two.items[0].alpha_if_deleted));  // one item would remain
  // With two items, item-rest is the correlation of the two.
  EXPECT_NEAR(two.items[0].item_rest, two.correlation(0, 1), 1e-12);
  Eigen::MatrixXd none = x;
  for (Eigen::Index r = 0; r < 100; ++r) none(r, r % 3) = std::nan("");
  const auto empty = alpha_of(none, Eigen::VectorXd(), MissingPolicy::complete);
  EXPECT_EQ(empty.n, 0);
  EXPECT_TRUE(std::isnan(empty.alpha));
  EXPECT_TRUE(std::isnan(empty.items[1].mean));
  EXPECT_FALSE(std::isnan(alpha_of(none, Eigen::VectorXd(), MissingPolicy::pairwise).alpha));
  AlphaAccumulator acc(3);
  EXPECT_THROW(acc.add(x.leftCols(2)), std::invalid_argument);
  Eigen::VectorXd bad = Eigen::VectorXd::Ones(100);
  bad(3) = -1;
  EXPECT_THROW(acc.add(x, bad), std::invalid_argument);
}

TEST(Alpha, MissingPolicyNames) {
  EXPECT_EQ(reinscore::parse_missing_policy("complete"), MissingPolicy::complete);
  EXPECT_EQ(reinscore::parse_missing_policy("listwise"), MissingPolicy::complete);
  EXPECT_EQ(reinscore::parse_missing_policy("pairwise"), MissingPolicy::pairwise);
  EXPECT_EQ(reinscore::missing_policy_name(MissingPolicy::pairwise), "pairwise");
  try {
    reinscore::parse_missing_policy("mean", "--missing");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "--missing: unknown missing-value policy 'mean' (expected complete or pairwise)");
  }
}

TEST(ReliabilityAccumulator, OneAlphaPerDimensionOfTheInstrument) {
  const auto ins = reinscore::Instrument::load(REINSCORE_DATA_DIR "/instruments/iom-rss.json");
  const auto K = static_cast<Eigen::Index>(ins.items.size());
  const auto x = items(800, K, 0.05, 10);
  const auto w = weights(800);
  std::vector<std::uint8_t> keep(800, 1);
  for (std::size_t r = 0; r < 800; r += 9) keep[r] = 0;
  reinscore::ReliabilityOptions opt;
  opt.missing = MissingPolicy::pairwise;
  opt.ordinal = true;
  reinscore::ReliabilityAccumulator acc(ins, opt);
  acc.add(x.topRows(500), w.head(500), std::span(keep).first(500));
  reinscore::ReliabilityAccumulator rest(ins, opt);
  rest.add(x.bottomRows(300), w.tail(300), std::span(keep).subspan(500));
  acc.merge(rest);
  const auto rep = acc.report();
  EXPECT_EQ(rep.instrument, ins.tag());
  EXPECT_EQ(rep.rows, static_cast<double>(std::count(keep.begin(), keep.end(), 1)));
  ASSERT_EQ(rep.dimensions.size(), ins.dimensions.size());
  for (std::size_t d = 0; d < ins.dimensions.size(); ++d) {
    const auto& dim = rep.dimensions[d];
    EXPECT_EQ(dim.dimension, ins.dimensions[d]);
    std::vector<std::size_t> expect;
    for (std::size_t k = 0; k < ins.items.size(); ++k)
      if (ins.items[k].dimension == dim.dimension) expect.push_back(k);
    EXPECT_EQ(dim.items, expect);
    // Same as an AlphaAccumulator over the kept rows and the dimension's columns.
    std::vector<Eigen::Index> rows;
    for (Eigen::Index r = 0; r < 800; ++r)
      if (keep[static_cast<std::size_t>(r)]) rows.push_back(r);
    Eigen::MatrixXd xd(static_cast<Eigen::Index>(rows.size()),
                       static_cast<Eigen::Index>(expect.size()));
    Eigen::VectorXd wd(xd.rows());
    for (Eigen::Index r = 0; r < xd.rows(); ++r) {
      wd(r) = w(rows[static_cast<std::size_t>(r)]);
      for (std::size_t j = 0; j < expect.size(); ++j)
        xd(r, static_cast<Eigen::Index>(j)) =
            x(rows[static_cast<std::size_t>(r)], static_cast<Eigen::Index>(expect[j]));
    }
    expect_same(dim.alpha, alpha_of(xd, wd, MissingPolicy::pairwise, true), 1e-10);
  }
  // Leaving an item out.
  opt.include.assign(ins.items.size(), true);
  opt.include[0] = false;
  reinscore::ReliabilityAccumulator fewer(ins, opt);
  fewer.add(x);
  const auto rf = fewer.report();
  EXPECT_EQ(rf.left_out, std::vector<std::size_t>{0});
  EXPECT_EQ(rf.dimensions[0].items.size() + 1, rep.dimensions[0].items.size());
  EXPECT_EQ(rf.dimensions[0].items.front(), 1u);
  EXPECT_THROW(fewer.add(x.leftCols(3)), std::invalid_argument);
  // A continuous item in the last dimension: the add fails as a whole, nothing changes.
  Eigen::MatrixXd cont = x.topRows(40);
  for (Eigen::Index r = 0; r < 40; ++r) cont(r, K - 1) = static_cast<double>(r) / 39.0;
  EXPECT_THROW(fewer.add(cont), std::invalid_argument);
  const auto again = fewer.report();
  EXPECT_EQ(again.rows, rf.rows);
  for (std::size_t d = 0; d < again.dimensions.size(); ++d) {
    expect_same(again.dimensions[d].alpha, rf.dimensions[d].alpha, 0.0);
    EXPECT_EQ(again.dimensions[d].alpha.n, rf.dimensions[d].alpha.n);
  }
  EXPECT_THROW(fewer.merge(acc), std::invalid_argument);
  opt.include.resize(2);
  EXPECT_THROW(reinscore::ReliabilityAccumulator(ins, opt), std::invalid_argument);
}
