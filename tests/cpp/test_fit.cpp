// Tests of include/reinscore/fit.hpp: the kernels against closed forms and invariants,
// the accumulator against direct computation, and the fit's procedures, provenance,
// serialisation and errors. Comparisons with numpy, scikit-learn and factor_analyzer
// are in tests/python/test_fit.py.
#include <reinscore/fit.hpp>
#include <reinscore/weights.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <boost/math/distributions/chi_squared.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

using namespace reinscore;

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

// An instrument with numeric 0..1 scales, so that coded values are the numbers given:
// dimension a (4 items), b (3 items), c (2 items).
Instrument numeric_instrument(bool thresholds = true) {
  std::string items;
  const char* dims[] = {"a", "a", "a", "a", "b", "b", "b", "c", "c"};
  for (int k = 0; k < 9; ++k)
    items += std::string(k ? "," : "") + R"({"id":"x)" + std::to_string(k) + R"(","dimension":")" +
             dims[k] + R"(","scale":"unit"})";
  std::string doc =
      R"({"format":"reinscore-instrument/1","id":"num","version":"1","dimensions":["a","b","c"],
    "scales":{"unit":{"type":"numeric","min":0,"max":1}},"items":[)" +
      items + "],";
  if (thresholds)
    doc += R"("thresholds":{"categories":[{"label":"low","min":0},{"label":"high","min":0.5}]},)";
  doc +=
      R"("weight_sets":{"equal":{"composite":{"mode":"dimension","weights":{"a":1,"b":1,"c":1}},"items":{)";
  for (int k = 0; k < 9; ++k)
    doc += std::string(k ? "," : "") + R"("x)" + std::to_string(k) + R"(":{"dimension":1})";
  doc += "}}}}";
  return Instrument::parse(doc, "numeric test instrument");
}

// Rows with one latent factor per dimension (a has two factors: x0,x1 and x2,x3), in [0, 1].
Eigen::MatrixXd latent_data(Eigen::Index n, double missing, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd x(n, 9);
  const double load[] = {0.9, 0.8, 0.7, 0.6, 0.8, 0.7, 0.5, 0.6, 0.7};
  for (Eigen::Index r = 0; r < n; ++r) {
    const double fa1 = z(rng), fa2 = 0.3 * fa1 + z(rng), fb = z(rng), fc = z(rng);
    const double f[] = {fa1, fa1, fa2, fa2, fb, fb, fb, fc, fc};
    for (Eigen::Index k = 0; k < 9; ++k) {
      const double v = 0.5 + 0.12 * (load[k] * f[k] + std::sqrt(1 - load[k] * load[k]) * z(rng));
      x(r, k) = u(rng) < missing ? nan_v : std::clamp(v, 0.0, 1.0);
    }
  }
  return x;
}

Eigen::MatrixXd compound_symmetry(Eigen::Index p, double rho) {
  Eigen::MatrixXd R = Eigen::MatrixXd::Constant(p, p, rho);
  R.diagonal().setOnes();
  return R;
}

FitAccumulator accumulate(const Instrument& ins, const Eigen::MatrixXd& x,
                          MissingPolicy policy = MissingPolicy::pairwise) {
  FitAccumulator acc(ins, policy);
  acc.add(x);
  return acc;
}

}  // namespace

// -- option names ---------------------------------------------------------------------------

TEST(FitNames, RoundTripAndUnknownNamesAreRejected) {
  for (const auto m : {FitMethod::equal, FitMethod::pca_first, FitMethod::oecd_varimax})
    EXPECT_EQ(parse_fit_method(to_string(m)), m);
  EXPECT_EQ(parse_composite_fit("pca"), CompositeFit::pca);
  EXPECT_EQ(parse_composite_fit("dimension-shares"), CompositeFit::dimension_shares);
  EXPECT_EQ(parse_missing_policy("complete"), MissingPolicy::complete);
  try {
    parse_fit_method("pca");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(
        std::string(e.what()).find("'pca' is unknown (expected equal, pca-first or oecd-varimax)"),
        std::string::npos);
  }
  EXPECT_THROW(parse_composite_fit("items"), std::invalid_argument);
  EXPECT_EQ(parse_missing_policy("listwise"),
            MissingPolicy::complete);  // one parser, comoments.hpp
  EXPECT_THROW(parse_missing_policy("casewise"), std::invalid_argument);
}

// -- PCA ------------------------------------------------------------------------------------

TEST(Pca, DecomposesTheMatrixWithDescendingEigenvalues) {
  const Instrument ins = numeric_instrument();
  const auto acc = accumulate(ins, latent_data(500, 0, 1));
  double n = 0;
  const Eigen::MatrixXd R = acc.correlation(3, n);
  const Pca p = pca(R);
  ASSERT_EQ(p.eigenvalues.size(), 9);
  for (Eigen::Index j = 1; j < 9; ++j) EXPECT_GE(p.eigenvalues(j - 1), p.eigenvalues(j));
  EXPECT_NEAR(
      (p.vectors * p.eigenvalues.asDiagonal() * p.vectors.transpose() - R).cwiseAbs().maxCoeff(), 0,
      1e-12);
  EXPECT_NEAR(
      (p.vectors.transpose() * p.vectors - Eigen::MatrixXd::Identity(9, 9)).cwiseAbs().maxCoeff(),
      0, 1e-12);
  EXPECT_NEAR(p.explained_ratio.sum(), 1, 1e-12);
  EXPECT_NEAR(p.explained_ratio(0), p.eigenvalues(0) / 9, 1e-15);
  // loadings are item-component correlations: rows of L L' give back R
  EXPECT_NEAR((p.loadings * p.loadings.transpose() - R).cwiseAbs().maxCoeff(), 0, 1e-12);
}

TEST(Pca, SignConventionMakesTheLargestEntryOfEachComponentPositive) {
  const Instrument ins = numeric_instrument();
  double n = 0;
  const Eigen::MatrixXd R = accumulate(ins, latent_data(400, 0.1, 2)).correlation(3, n);
  const Pca p = pca(R);
  const Pca q = pca(-(-R));  // same matrix, recomputed: same signs
  for (Eigen::Index j = 0; j < p.vectors.cols(); ++j) {
    Eigen::Index at = 0;
    p.vectors.col(j).cwiseAbs().maxCoeff(&at);
    EXPECT_GT(p.vectors(at, j), 0) << "component " << j;
    EXPECT_EQ(p.vectors.col(j), q.vectors.col(j));
  }
  // reversing the item order permutes the loadings without flipping their signs
  const Eigen::Index k = R.rows();
  Eigen::MatrixXd Rrev = R.reverse();
  const Pca r = pca(Rrev);
  EXPECT_NEAR((r.vectors.col(0).reverse() - p.vectors.col(0)).cwiseAbs().maxCoeff(), 0, 1e-10) << k;
}

TEST(Pca, FlipsANegativeComponent) {
  Eigen::MatrixXd m(3, 2);
  m << -0.2, 0.5, -0.9, -0.5, 0.3, 0.1;  // column 1: tie |0.5| = |-0.5|, the first decides
  fix_column_signs(m);
  EXPECT_DOUBLE_EQ(m(1, 0), 0.9);
  EXPECT_DOUBLE_EQ(m(0, 0), 0.2);
  EXPECT_DOUBLE_EQ(m(0, 1), 0.5);
  EXPECT_DOUBLE_EQ(m(1, 1), -0.5);
}

TEST(Pca, RejectsUndefinedOrNonSquareMatrices) {
  EXPECT_THROW(pca(Eigen::MatrixXd(2, 3)), std::invalid_argument);
  Eigen::MatrixXd R = compound_symmetry(3, 0.2);
  R(0, 1) = R(1, 0) = nan_v;
  try {
    pca(R);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("pca: the matrix has undefined (NaN) entries"),
              std::string::npos);
  }
}

// -- varimax --------------------------------------------------------------------------------

TEST(Varimax, FindsTheSameFactorsWhateverTheStartingRotation) {
  // Two factors with small cross-loadings; varimax of any rotation of it is the same
  // (columns may come in another order). Reference: factor_analyzer 0.5.1,
  // Rotator(method="varimax", tol=1e-14).fit_transform(L0), rounded to 6 digits.
  Eigen::MatrixXd L0(6, 2);
  L0 << 0.8, 0.1, 0.7, -0.05, 0.6, 0.2, 0.1, 0.75, -0.1, 0.65, 0.15, 0.55;
  Eigen::MatrixXd ref(6, 2);
  ref << 0.801817, 0.0842, 0.698877, -0.063799, 0.603828, 0.188125, 0.114775, 0.747881, -0.087159,
      0.651846, 0.16082, 0.546934;
  for (const double deg : {0.0, 25.0, -40.0, 70.0}) {
    const double t = deg * 3.14159265358979323846 / 180;
    Eigen::Matrix2d T;
    T << std::cos(t), -std::sin(t), std::sin(t), std::cos(t);
    const Varimax v = varimax(L0 * T);
    EXPECT_TRUE(v.converged) << deg;
    Eigen::MatrixXd got = v.loadings;
    if (std::abs(got(0, 1)) > std::abs(got(0, 0))) got.col(0).swap(got.col(1));
    EXPECT_NEAR((got - ref).cwiseAbs().maxCoeff(), 0, 1e-6) << deg << "\n" << v.loadings;
    EXPECT_NEAR(
        (v.rotation.transpose() * v.rotation - Eigen::Matrix2d::Identity()).cwiseAbs().maxCoeff(),
        0, 1e-12);
  }
}

TEST(Varimax, RecoversAnExactSimpleStructure) {
  // Only two distinct row directions: R's SVD iteration alternates between two rotations
  // here; Kaiser's planar rotation finds the simple structure in one sweep.
  for (const int first : {3, 4}) {
    Eigen::MatrixXd L0 = Eigen::MatrixXd::Zero(6, 2);
    for (int i = 0; i < 6; ++i) L0(i, i < first ? 0 : 1) = 0.8 - 0.05 * i;
    for (const double deg : {30.0, -25.0}) {
      const double t = deg * 3.14159265358979323846 / 180;
      Eigen::Matrix2d T;
      T << std::cos(t), -std::sin(t), std::sin(t), std::cos(t);
      const Varimax v = varimax(L0 * T);
      EXPECT_TRUE(v.converged);
      EXPECT_LE(v.iterations, 3);
      EXPECT_NEAR((v.loadings - L0).cwiseAbs().maxCoeff(), 0, 1e-12) << first << " " << deg << "\n"
                                                                     << v.loadings;
    }
  }
}

TEST(Varimax, KeepsCommunalitiesAndRaisesTheCriterion) {
  const Instrument ins = numeric_instrument();
  double n = 0;
  const Pca p = pca(accumulate(ins, latent_data(800, 0, 3)).correlation(3, n));
  const Eigen::MatrixXd L = p.loadings.leftCols(4);
  const Varimax v = varimax(L);
  EXPECT_NEAR(
      (v.loadings.rowwise().squaredNorm() - L.rowwise().squaredNorm()).cwiseAbs().maxCoeff(), 0,
      1e-12);
  // raw varimax criterion of the Kaiser-normalised loadings: sum over factors of the variance of
  // squared loadings
  const auto criterion = [](const Eigen::MatrixXd& A) {
    const Eigen::VectorXd h = A.rowwise().norm();
    const Eigen::MatrixXd S = (h.cwiseInverse().asDiagonal() * A).array().square();
    double c = 0;
    for (Eigen::Index j = 0; j < S.cols(); ++j)
      c += (S.col(j).array() - S.col(j).mean()).square().mean();
    return c;
  };
  EXPECT_GT(criterion(v.loadings), criterion(L) + 1e-3);
  // a second rotation of the result changes nothing
  const Varimax again = varimax(v.loadings);
  EXPECT_NEAR((again.loadings - v.loadings).cwiseAbs().maxCoeff(), 0, 1e-9);
}

TEST(Varimax, OneFactorIsLeftAsItIsAndBadOptionsAreRejected) {
  Eigen::MatrixXd L(3, 1);
  L << -0.5, -0.7, 0.2;
  const Varimax v = varimax(L);
  EXPECT_EQ(v.iterations, 0);
  EXPECT_DOUBLE_EQ(v.loadings(1, 0), 0.7);  // only the sign convention applies
  VarimaxOptions bad;
  bad.tolerance = 0;
  EXPECT_THROW(varimax(Eigen::MatrixXd::Identity(3, 2), bad), std::invalid_argument);
}

TEST(Varimax, ReportsNonConvergence) {
  Eigen::MatrixXd L0 = Eigen::MatrixXd::Zero(6, 2);
  L0.col(0).head(3) << 0.8, 0.7, 0.6;
  L0.col(1).tail(3) << 0.75, 0.65, 0.55;
  Eigen::Matrix2d T;
  T << std::cos(0.5), -std::sin(0.5), std::sin(0.5), std::cos(0.5);
  VarimaxOptions one;
  one.max_iterations = 1;
  const Varimax v = varimax(L0 * T, one);
  EXPECT_FALSE(v.converged);
  EXPECT_EQ(v.iterations, 1);
}

// -- KMO and Bartlett -------------------------------------------------------------------------

TEST(Kmo, MatchesTheClosedFormForEqualCorrelations) {
  // R = (1 - rho) I + rho J: partial correlations are rho / (1 + (p - 2) rho).
  for (const double rho : {0.1, 0.3, 0.6}) {
    const Eigen::Index p = 5;
    const Kmo k = kmo(compound_symmetry(p, rho));
    const double q = rho / (1 + static_cast<double>(p - 2) * rho);
    const double want = rho * rho / (rho * rho + q * q);
    EXPECT_NEAR(k.overall, want, 1e-12) << rho;
    for (Eigen::Index i = 0; i < p; ++i) EXPECT_NEAR(k.items(i), want, 1e-12);
    EXPECT_FALSE(k.pseudo_inverse);
  }
}

TEST(Kmo, IsUndefinedForOneItemAndUsesThePseudoInverseWhenSingular) {
  const Kmo one = kmo(Eigen::MatrixXd::Ones(1, 1));
  EXPECT_TRUE(std::isnan(one.overall));
  const Kmo singular = kmo(Eigen::MatrixXd::Ones(3, 3));  // three copies of one item
  EXPECT_TRUE(singular.pseudo_inverse);
}

TEST(Bartlett, MatchesTheClosedFormAndTheChiSquaredTail) {
  const double rho = 0.3, n = 200;
  const Eigen::Index p = 4;
  const Bartlett b = bartlett(compound_symmetry(p, rho), n);
  const double logdet = 3 * std::log(1 - rho) + std::log(1 + 3 * rho);
  const double chi2 = -(n - 1 - (2.0 * 4 + 5) / 6) * logdet;
  EXPECT_NEAR(b.chi2, chi2, 1e-9);
  EXPECT_EQ(b.df, 6);
  EXPECT_EQ(b.n, n);
  EXPECT_NEAR(b.p_value,
              boost::math::cdf(boost::math::complement(boost::math::chi_squared(6), chi2)), 1e-15);
  // the 5 % critical value of chi2 with 3 df is 7.814727903251178
  const Bartlett crit = bartlett(compound_symmetry(3, 0.0), 10);
  EXPECT_EQ(crit.chi2, 0);
  EXPECT_EQ(crit.p_value, 1);
  EXPECT_NEAR(
      boost::math::cdf(boost::math::complement(boost::math::chi_squared(3), 7.814727903251178)),
      0.05, 1e-12);
}

TEST(Bartlett, IsUndefinedWithoutAPositiveDefiniteMatrixOrEnoughRows) {
  Eigen::MatrixXd R = compound_symmetry(3, 0.9);
  R(0, 1) = R(1, 0) = -0.9;  // impossible as a correlation matrix: not positive definite
  EXPECT_TRUE(std::isnan(bartlett(R, 100).chi2));
  EXPECT_TRUE(std::isnan(bartlett(compound_symmetry(3, 0.2), 2).chi2));  // n - 1 - 11/6 <= 0
  EXPECT_TRUE(std::isnan(bartlett(Eigen::MatrixXd::Ones(1, 1), 100).chi2));
}

// -- accumulating -----------------------------------------------------------------------------

TEST(FitAccumulator, ChunksAndMergesGiveTheSameCorrelations) {
  const Instrument ins = numeric_instrument();
  const Eigen::MatrixXd x = latent_data(1000, 0.1, 4);
  FitAccumulator whole(ins), chunks(ins), left(ins), right(ins);
  whole.add(x);
  for (Eigen::Index s = 0; s < 1000; s += 137)
    chunks.add(x.middleRows(s, std::min<Eigen::Index>(137, 1000 - s)));
  left.add(x.topRows(400));
  right.add(x.bottomRows(600));
  right.merge(left);
  double n1 = 0, n2 = 0, n3 = 0;
  const auto R = whole.correlation(3, n1);
  EXPECT_NEAR((chunks.correlation(3, n2) - R).cwiseAbs().maxCoeff(), 0, 1e-12);
  EXPECT_NEAR((right.correlation(3, n3) - R).cwiseAbs().maxCoeff(), 0, 1e-12);
  EXPECT_EQ(n1, n2);
  EXPECT_EQ(n1, n3);
  EXPECT_EQ(right.rows(), 1000);
  // pairwise n is the smallest pair count
  const Eigen::MatrixXd C = whole.pair_counts();
  EXPECT_EQ(n1, C.minCoeff());
  double na = 0;
  const auto Ra = whole.correlation(0, na);
  EXPECT_EQ(Ra.rows(), 4);
  EXPECT_EQ(na, C.topLeftCorner(4, 4).minCoeff());
  EXPECT_NEAR((Ra - R.topLeftCorner(4, 4)).cwiseAbs().maxCoeff(), 0, 0);
}

TEST(FitAccumulator, SkippedRowsAreLeftOut) {
  const Instrument ins = numeric_instrument();
  const Eigen::MatrixXd x = latent_data(300, 0.05, 5);
  std::vector<std::uint8_t> skip(300, 0);
  std::vector<Eigen::Index> kept;
  for (Eigen::Index r = 0; r < 300; ++r) {
    skip[static_cast<std::size_t>(r)] = r % 7 == 3;
    if (r % 7 != 3) kept.push_back(r);
  }
  FitAccumulator a(ins), b(ins);
  a.add(x, skip);
  b.add(Eigen::MatrixXd(x(kept, Eigen::all)));
  double na = 0, nb = 0;
  EXPECT_NEAR((a.correlation(3, na) - b.correlation(3, nb)).cwiseAbs().maxCoeff(), 0, 1e-13);
  EXPECT_EQ(na, nb);
  EXPECT_EQ(a.rows(), 300);
  EXPECT_EQ(a.rows_skipped(), 43);
  EXPECT_EQ(a.rows_used(), 257);
}

TEST(FitAccumulator, IntegerWeightsEqualRepeatedRowsAndCountsStayUnweighted) {
  const Instrument ins = numeric_instrument();
  const Eigen::MatrixXd x = latent_data(200, 0.1, 6);
  Eigen::VectorXd w(200);
  std::vector<Eigen::Index> repeated;
  for (Eigen::Index r = 0; r < 200; ++r) {
    w(r) = static_cast<double>(1 + r % 3);
    for (int c = 0; c < 1 + r % 3; ++c) repeated.push_back(r);
  }
  for (const auto policy : {MissingPolicy::pairwise, MissingPolicy::complete}) {
    FitAccumulator weighted(ins, policy, true), plain(ins, policy), once(ins, policy);
    weighted.add(x, {}, w);
    plain.add(Eigen::MatrixXd(x(repeated, Eigen::all)));
    once.add(x);
    double nw = 0, np = 0, n1 = 0;
    for (std::size_t d = 0; d <= 3; ++d) {
      EXPECT_NEAR((weighted.correlation(d, nw) - plain.correlation(d, np)).cwiseAbs().maxCoeff(), 0,
                  1e-12);
      once.correlation(d, n1);
      EXPECT_EQ(nw, n1) << "n counts rows, not weights";
    }
  }
  FitAccumulator weighted(ins, MissingPolicy::pairwise, true);
  EXPECT_THROW(weighted.add(x), std::invalid_argument);
  w(5) = -1;
  try {
    weighted.add(x, {}, w);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sampling weight of row 6 is not a finite number >= 0"),
              std::string::npos);
  }
  FitAccumulator plain(ins);
  EXPECT_THROW(plain.add(x, {}, Eigen::VectorXd::Ones(200)), std::invalid_argument);
  EXPECT_THROW(plain.add(Eigen::MatrixXd::Zero(3, 4)), std::invalid_argument);
}

TEST(FitAccumulator, CompleteCaseUsesTheRowsCompleteInEachDimension) {
  const Instrument ins = numeric_instrument();
  const Eigen::MatrixXd x = latent_data(500, 0.08, 7);
  const auto acc = accumulate(ins, x, MissingPolicy::complete);
  const std::vector<std::pair<Eigen::Index, Eigen::Index>> span = {{0, 4}, {4, 3}, {7, 2}};
  for (std::size_t d = 0; d < 3; ++d) {
    std::vector<Eigen::Index> rows;
    for (Eigen::Index r = 0; r < 500; ++r)
      if (!x.row(r).segment(span[d].first, span[d].second).array().isNaN().any()) rows.push_back(r);
    const Eigen::MatrixXd sub = x(rows, Eigen::seqN(span[d].first, span[d].second));
    const Eigen::MatrixXd c = sub.rowwise() - sub.colwise().mean();
    const Eigen::MatrixXd cov = c.transpose() * c;
    const Eigen::VectorXd sd = cov.diagonal().cwiseSqrt();
    const Eigen::MatrixXd want = cov.array() / (sd * sd.transpose()).array();
    double n = 0;
    EXPECT_NEAR((acc.correlation(d, n) - want).cwiseAbs().maxCoeff(), 0, 1e-12);
    EXPECT_EQ(n, static_cast<double>(rows.size()));
  }
}

// -- the fit --------------------------------------------------------------------------------

TEST(FitWeights, PcaFirstUsesNormalisedAbsoluteFirstLoadingsAndDimensionShares) {
  const Instrument ins = numeric_instrument();
  const auto acc = accumulate(ins, latent_data(2000, 0.05, 8));
  const FitResult fit = fit_weights(ins, acc);
  EXPECT_EQ(fit.weights.name, "fitted-pca-first");
  EXPECT_EQ(fit.weights.source, "fitted:pca-first");
  EXPECT_EQ(fit.weights.mode, CompositeMode::dimension);
  double total_share = 0;
  for (const auto& b : fit.dimensions) total_share += b.pca.explained_ratio(0);
  for (std::size_t d = 0; d < 3; ++d) {
    const BlockFit& b = fit.dimensions[d];
    double n = 0;
    const Pca p = pca(acc.correlation(d, n));
    const Eigen::VectorXd want = p.vectors.col(0).cwiseAbs() / p.vectors.col(0).cwiseAbs().sum();
    double sum = 0;
    for (std::size_t i = 0; i < b.items.size(); ++i) {
      const double got = fit.weights.items[static_cast<std::size_t>(b.items[i])].dimension;
      EXPECT_NEAR(got, want(static_cast<Eigen::Index>(i)), 1e-15);
      sum += got;
    }
    EXPECT_NEAR(sum, 1, 1e-15);
    EXPECT_NEAR(fit.weights.dimension_weights[d], b.pca.explained_ratio(0) / total_share, 1e-15);
  }
  // a two-item dimension: equal first-PC loadings (1/sqrt 2 each)
  EXPECT_NEAR(fit.weights.items[7].dimension, 0.5, 1e-12);
  EXPECT_TRUE(fit.warnings.empty()) << fit.warnings.front();
}

TEST(FitWeights, PcaCompositeGivesItemModeFromAllItems) {
  const Instrument ins = numeric_instrument();
  const auto acc = accumulate(ins, latent_data(1500, 0.05, 9));
  FitOptions opt;
  opt.composite = CompositeFit::pca;
  const FitResult fit = fit_weights(ins, acc, opt);
  EXPECT_EQ(fit.weights.mode, CompositeMode::item);
  const Eigen::VectorXd v = fit.all.pca.vectors.col(0).cwiseAbs();
  for (std::size_t k = 0; k < 9; ++k)
    EXPECT_NEAR(*fit.weights.items[k].composite, v(static_cast<Eigen::Index>(k)) / v.sum(), 1e-15);
  EXPECT_TRUE(fit.weights.dimension_weights.empty());
}

TEST(FitWeights, OecdVarimaxFollowsTheHandbookProcedure) {
  const Instrument ins = numeric_instrument();
  const auto acc = accumulate(ins, latent_data(3000, 0.02, 10));
  FitOptions opt;
  opt.method = FitMethod::oecd_varimax;
  opt.composite = CompositeFit::pca;
  const FitResult fit = fit_weights(ins, acc, opt);
  EXPECT_EQ(fit.weights.source, "fitted:oecd-varimax");
  // dimension a has two factors (x0,x1 / x2,x3): two components above 1, one per pair
  const BlockFit& a = fit.dimensions[0];
  ASSERT_EQ(a.kept, 2);
  EXPECT_EQ(a.factor[0], a.factor[1]);
  EXPECT_EQ(a.factor[2], a.factor[3]);
  EXPECT_NE(a.factor[0], a.factor[2]);
  for (const BlockFit* b : {&fit.dimensions[0], &fit.dimensions[1], &fit.dimensions[2], &fit.all}) {
    Eigen::Index m = 0;
    for (Eigen::Index j = 0; j < b->pca.eigenvalues.size(); ++j) m += b->pca.eigenvalues(j) > 1;
    EXPECT_EQ(b->kept, std::max<Eigen::Index>(m, 1)) << b->name;
    // re-derive the weights from the rotated loadings
    const Eigen::MatrixXd sq = b->rotated.loadings.array().square();
    const Eigen::VectorXd var = sq.colwise().sum().transpose();
    EXPECT_NEAR((b->rotated_variance - var).cwiseAbs().maxCoeff(), 0, 1e-14);
    Eigen::VectorXd want(sq.rows());
    for (Eigen::Index i = 0; i < sq.rows(); ++i) {
      Eigen::Index f = 0;
      sq.row(i).maxCoeff(&f);
      EXPECT_EQ(b->factor[static_cast<std::size_t>(i)], f);
      want(i) = var(f) / var.sum() * sq(i, f) / var(f);
    }
    want /= want.sum();
    EXPECT_NEAR((b->weights - want).cwiseAbs().maxCoeff(), 0, 1e-15) << b->name;
    EXPECT_TRUE(b->rotated.converged)
        << b->name << " " << b->rotated.iterations << " kept " << b->kept;
  }
  for (std::size_t k = 0; k < 9; ++k)
    EXPECT_NEAR(*fit.weights.items[k].composite, fit.all.weights(static_cast<Eigen::Index>(k)),
                1e-15);
  // a one-component dimension: squared loadings of the first PC, normalised
  const BlockFit& b = fit.dimensions[1];
  ASSERT_EQ(b.kept, 1);
  const Eigen::VectorXd sq1 = b.pca.loadings.col(0).array().square();
  EXPECT_NEAR((b.weights - sq1 / sq1.sum()).cwiseAbs().maxCoeff(), 0, 1e-14);
}

TEST(FitWeights, CumulativeCriterionKeepsMoreComponents) {
  const Instrument ins = numeric_instrument();
  const auto acc = accumulate(ins, latent_data(2000, 0.0, 11));
  FitOptions opt;
  opt.method = FitMethod::oecd_varimax;
  opt.min_cumulative = 0.9;
  const FitResult fit = fit_weights(ins, acc, opt);
  const BlockFit& all = fit.all;
  double cum = 0;
  Eigen::Index need = 0;
  while (cum < 0.9) cum += all.pca.explained_ratio(need++);
  EXPECT_EQ(all.kept, need);
  EXPECT_GT(all.kept, 4);
}

TEST(FitWeights, EqualIsOneEverywhereWithDiagnostics) {
  const Instrument ins = numeric_instrument();
  FitOptions opt;
  opt.method = FitMethod::equal;
  opt.name = "baseline";
  const FitResult fit = fit_weights(ins, accumulate(ins, latent_data(300, 0.05, 12)), opt);
  EXPECT_EQ(fit.weights.name, "baseline");
  for (const auto& it : fit.weights.items) EXPECT_EQ(it.dimension, 1);
  EXPECT_EQ(fit.weights.dimension_weights, std::vector<double>(3, 1.0));
  EXPECT_TRUE(fit.weights.diagnostics.at("blocks").as_object().contains("all"));
  opt.composite = CompositeFit::pca;
  const FitResult item = fit_weights(ins, accumulate(ins, latent_data(300, 0.05, 12)), opt);
  for (const auto& it : item.weights.items) EXPECT_EQ(*it.composite, 1);
}

TEST(FitWeights, ProvenanceAndDiagnosticsDescribeTheFit) {
  const Instrument ins = numeric_instrument();
  FitAccumulator acc(ins, MissingPolicy::complete, true);
  const Eigen::MatrixXd x = latent_data(700, 0.03, 13);
  std::vector<std::uint8_t> skip(700, 0);
  skip[10] = skip[20] = 1;
  acc.add(x, skip, Eigen::VectorXd::Constant(700, 2.0));
  FitOptions opt;
  opt.method = FitMethod::oecd_varimax;
  opt.weight_label = "column 'w'";
  const FitResult fit = fit_weights(ins, acc, opt);
  const std::string& c = fit.weights.citation;
  EXPECT_NE(c.find("on 698 of 700 rows (2 invalid rows left out)"), std::string::npos) << c;
  EXPECT_NE(c.find("coded with instrument " + ins.tag()), std::string::npos) << c;
  EXPECT_NE(c.find("method oecd-varimax, composite dimension-shares, complete correlations, "
                   "weighted by column 'w'"),
            std::string::npos)
      << c;
  const auto& d = fit.weights.diagnostics;
  EXPECT_EQ(d.at("method").as_string(), "oecd-varimax");
  EXPECT_EQ(d.at("missing").as_string(), "complete");
  EXPECT_EQ(d.at("rows_used").to_number<double>(), 698);
  EXPECT_EQ(d.at("sign_convention").as_string(), "largest-abs-positive");
  const auto& a = d.at("blocks").at("a").as_object();
  for (const char* key :
       {"items", "n", "eigenvalues", "explained_variance_ratio", "loadings", "kmo", "kmo_items",
        "bartlett", "components_kept", "rotated_loadings", "rotated_variance", "factor_weights",
        "assigned_factor", "varimax", "weights"})
    EXPECT_TRUE(a.contains(key)) << key;
  EXPECT_EQ(a.at("eigenvalues").as_array().size(), 4u);
  EXPECT_EQ(a.at("loadings").as_array().size(), 4u);
  EXPECT_EQ(a.at("loadings").as_array()[0].as_array().size(), 4u);
  EXPECT_DOUBLE_EQ(a.at("kmo").to_number<double>(), fit.dimensions[0].kmo.overall);
  EXPECT_EQ(a.at("bartlett").at("df").to_number<double>(), 6);
  EXPECT_EQ(a.at("n").to_number<double>(), fit.dimensions[0].n);
}

TEST(FitWeights, TheWrittenFileLoadsBackToTheSameSet) {
  const Instrument ins = numeric_instrument();
  for (const auto method : {FitMethod::pca_first, FitMethod::oecd_varimax}) {
    FitOptions opt;
    opt.method = method;
    opt.composite =
        method == FitMethod::pca_first ? CompositeFit::dimension_shares : CompositeFit::pca;
    const FitResult fit = fit_weights(ins, accumulate(ins, latent_data(900, 0.05, 14)), opt);
    const auto path = std::filesystem::temp_directory_path() /
                      ("reinscore-test-fit-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << fit.json;
    const WeightSet back = load_weights(ins, path.string(), fit.weights.name);
    std::filesystem::remove(path);
    EXPECT_EQ(back.source, fit.weights.source);
    EXPECT_EQ(back.citation, fit.weights.citation);
    EXPECT_EQ(back.provisional, fit.weights.provisional);
    EXPECT_EQ(back.dimension_weights, fit.weights.dimension_weights);
    for (std::size_t k = 0; k < 9; ++k) {
      EXPECT_EQ(back.items[k].dimension, fit.weights.items[k].dimension);
      EXPECT_EQ(back.items[k].composite, fit.weights.items[k].composite);
    }
    EXPECT_EQ(detail::canonical(back.diagnostics), detail::canonical(fit.weights.diagnostics));
    EXPECT_EQ(ins.with_weights(back).hash(), ins.with_weights(fit.weights).hash());
  }
}

TEST(FitWeights, DoesNotDependOnRowOrderOrChunking) {
  const Instrument ins = numeric_instrument();
  const Eigen::MatrixXd x = latent_data(1200, 0.05, 15);
  const Eigen::MatrixXd reversed = x.colwise().reverse();
  FitAccumulator chunked(ins);
  for (Eigen::Index s = 0; s < 1200; s += 100) chunked.add(reversed.middleRows(s, 100));
  FitOptions opt;
  opt.method = FitMethod::oecd_varimax;
  const FitResult a = fit_weights(ins, accumulate(ins, x), opt);
  const FitResult b = fit_weights(ins, chunked, opt);
  for (std::size_t k = 0; k < 9; ++k)
    EXPECT_NEAR(a.weights.items[k].dimension, b.weights.items[k].dimension, 1e-10);
  for (std::size_t d = 0; d < 3; ++d)
    EXPECT_NEAR(a.weights.dimension_weights[d], b.weights.dimension_weights[d], 1e-12);
}

TEST(FitWeights, RefusesDataThatCannotSupportAFit) {
  const Instrument ins = numeric_instrument();
  const auto expect_error = [&](const Eigen::MatrixXd& x, MissingPolicy policy,
                                const std::string& what) {
    try {
      fit_weights(ins, accumulate(ins, x, policy));
      FAIL() << "no exception for: " << what;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  Eigen::MatrixXd x = latent_data(200, 0.0, 16);
  Eigen::MatrixXd constant = x;
  constant.col(5).setConstant(0.25);
  expect_error(
      constant, MissingPolicy::pairwise,
      "fit_weights: dimension 'b': item 'x5' has the same value in every answer (no variance");
  Eigen::MatrixXd never = x;
  never.col(8).setConstant(nan_v);
  expect_error(never, MissingPolicy::pairwise,
               "dimension 'c': item 'x8' is never answered in the data");
  Eigen::MatrixXd apart = x;  // x7 and x8 never in the same row
  for (Eigen::Index r = 0; r < 200; ++r) apart(r, r % 2 ? 7 : 8) = nan_v;
  expect_error(apart, MissingPolicy::pairwise,
               "the correlation of items 'x7' and 'x8' is undefined");
  expect_error(apart, MissingPolicy::complete, "dimension 'c': only 0 rows answer every item");
  const FitAccumulator empty(ins);
  EXPECT_THROW(fit_weights(ins, empty), std::invalid_argument);
  FitOptions bad;
  bad.min_cumulative = 1.5;
  EXPECT_THROW(fit_weights(ins, accumulate(ins, x), bad), std::invalid_argument);
  const Instrument other = Instrument::load(REINSCORE_DATA_DIR "/instruments/iom-rss.json");
  EXPECT_THROW(fit_weights(other, accumulate(ins, x)), std::invalid_argument);
}

TEST(FitWeights, WarnsWhenTheDataShareLittle) {
  const Instrument ins = numeric_instrument();
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd x(60, 9);
  for (Eigen::Index r = 0; r < 60; ++r)
    for (Eigen::Index k = 0; k < 9; ++k) x(r, k) = u(rng);  // independent items
  const FitResult fit = fit_weights(ins, accumulate(ins, x));
  bool kmo_warning = false, bartlett_warning = false;
  for (const auto& w : fit.warnings) {
    kmo_warning = kmo_warning || w.find("KMO") != std::string::npos;
    bartlett_warning = bartlett_warning ||
                       w.find("Bartlett's test does not reject sphericity") != std::string::npos;
  }
  EXPECT_TRUE(kmo_warning);
  EXPECT_TRUE(bartlett_warning);
  EXPECT_TRUE(fit.weights.diagnostics.contains("warnings"));
}
