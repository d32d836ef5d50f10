// Polychoric correlation of ordinal items by Olsson's (1979) two-step method: thresholds
// from the cumulative marginal proportions, then the maximum-likelihood correlation of the
// underlying bivariate normal given those thresholds. Also the bivariate normal CDF it
// needs (Drezner & Wesolowsky 1990, as refined by Genz 2004) and a mergeable accumulator
// of the pairwise contingency tables of k items, for ordinal alpha (reliability.hpp).
// Formulas and references: docs/statistics.md.
#pragma once

#include <reinscore/comoments.hpp>  // MissingPolicy

#include <Eigen/Core>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/minima.hpp>
#include <boost/math/tools/toms748_solve.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace reinscore {

namespace detail {

/// Standard normal CDF through erfc, accurate in both tails.
inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

/// P(X > h, Y > k) for a standard bivariate normal with correlation r in [-1, 1], h and k
/// finite. Genz's BVND (tvpack, 2004): Drezner & Wesolowsky's (1990) Gauss-Legendre
/// integration over the correlation (Plackett's identity) for |r| < 0.925, and for larger
/// |r| their expansion around r = +-1 with the remainder integrated numerically.
///
/// Why this algorithm: it is accurate to about 1e-15 (double precision) everywhere, uses a
/// fixed number (at most 20) of exp/sin evaluations, and is deterministic and smooth in r.
/// The polychoric likelihood is maximised over r with Brent's method, which needs a
/// smooth objective: the general quasi-Monte Carlo MVN integrators (Genz's MVNDST with
/// random shifts) add noise of the order of their tolerance. Boost.Math has no bivariate
/// normal CDF. Tested against the exact value at h = k = 0 (1/4 + asin(r) / 2 pi), against
/// Plackett's identity integrated by Boost's tanh-sinh quadrature, and in Python
/// against scipy.stats.multivariate_normal.cdf.
inline double bivariate_normal_upper(double h, double k, double r) {
  constexpr double two_pi = 2 * std::numbers::pi;
  // Gauss-Legendre nodes (positive half) and weights on [-1, 1]: 6, 12 and 20 points.
  static constexpr std::array<double, 3> w6 = {0.1713244923791705, 0.3607615730481384,
                                               0.4679139345726904};
  static constexpr std::array<double, 3> x6 = {0.9324695142031522, 0.6612093864662647,
                                               0.2386191860831970};
  static constexpr std::array<double, 6> w12 = {0.04717533638651177, 0.1069393259953183,
                                                0.1600783285433464,  0.2031674267230659,
                                                0.2334925365383547,  0.2491470458134029};
  static constexpr std::array<double, 6> x12 = {0.9815606342467191, 0.9041172563704750,
                                                0.7699026741943050, 0.5873179542866171,
                                                0.3678314989981802, 0.1252334085114692};
  static constexpr std::array<double, 10> w20 = {
      0.01761400713915212, 0.04060142980038694, 0.06267204833410906, 0.08327674157670475,
      0.1019301198172404,  0.1181945319615184,  0.1316886384491766,  0.1420961093183821,
      0.1491729864726037,  0.1527533871307259};
  static constexpr std::array<double, 10> x20 = {
      0.9931285991850949, 0.9639719272779138, 0.9122344282513259, 0.8391169718222188,
      0.7463319064601508, 0.6360536807265150, 0.5108670019508271, 0.3737060887154196,
      0.2277858511416451, 0.07652652113349733};
  const double* w = w20.data();
  const double* x = x20.data();
  std::size_t lg = 10;
  if (std::fabs(r) < 0.3) {
    w = w6.data();
    x = x6.data();
    lg = 3;
  } else if (std::fabs(r) < 0.75) {
    w = w12.data();
    x = x12.data();
    lg = 6;
  }
  if (r == 0) return normal_cdf(-h) * normal_cdf(-k);
  double hk = h * k;
  double bvn = 0;
  if (std::fabs(r) < 0.925) {
    // Plackett: d/dr P = phi2(h, k; r); integrate over theta = asin(r') from 0 to asin(r).
    const double hs = (h * h + k * k) / 2;
    const double asr = std::asin(r);
    for (std::size_t i = 0; i < lg; ++i) {
      for (const double sign : {-1.0, 1.0}) {
        const double sn = std::sin(asr * (sign * x[i] + 1) / 2);
        bvn += w[i] * std::exp((sn * hk - hs) / (1 - sn * sn));
      }
    }
    return bvn * asr / (2 * two_pi) + normal_cdf(-h) * normal_cdf(-k);
  }
  if (r < 0) {
    k = -k;
    hk = -hk;
  }
  if (std::fabs(r) < 1) {
    const double as = (1 - r) * (1 + r);
    double a = std::sqrt(as);
    const double bs = (h - k) * (h - k);
    const double c = (4 - hk) / 8;
    const double d = (12 - hk) / 16;
    const double asr = -(bs / as + hk) / 2;
    if (asr > -100)
      bvn = a * std::exp(asr) * (1 - c * (bs - as) * (1 - d * bs / 5) / 3 + c * d * as * as / 5);
    if (hk > -100) {
      const double b = std::sqrt(bs);
      bvn -= std::exp(-hk / 2) * std::sqrt(two_pi) * normal_cdf(-b / a) * b *
             (1 - c * bs * (1 - d * bs / 5) / 3);
    }
    a /= 2;
    for (std::size_t i = 0; i < lg; ++i) {
      for (const double sign : {-1.0, 1.0}) {
        double xs = a * (sign * x[i] + 1);
        xs *= xs;
        const double e = -(bs / xs + hk) / 2;
        if (e <= -100) continue;  // underflows to zero
        const double rs = std::sqrt(1 - xs);
        bvn += a * w[i] * std::exp(e) *
               (std::exp(-hk * xs / (2 * (1 + rs) * (1 + rs))) / rs - (1 + c * xs * (1 + d * xs)));
      }
    }
    bvn = -bvn / two_pi;
  }
  if (r > 0) return bvn + normal_cdf(-std::max(h, k));
  bvn = -bvn;
  if (k > h) bvn += h < 0 ? normal_cdf(k) - normal_cdf(h) : normal_cdf(-h) - normal_cdf(-k);
  return bvn;
}

}  // namespace detail

/// P(X <= h, Y <= k) for a standard bivariate normal (X, Y) with correlation `rho`.
/// h and k may be infinite; NaN in h or k gives NaN. Throws std::invalid_argument when
/// rho is not in [-1, 1].
inline double bivariate_normal_cdf(double h, double k, double rho) {
  if (!(rho >= -1 && rho <= 1))
    throw std::invalid_argument("bivariate_normal_cdf: the correlation must lie in [-1, 1], got " +
                                std::to_string(rho));
  if (std::isnan(h) || std::isnan(k)) return std::numeric_limits<double>::quiet_NaN();
  if (h == -std::numeric_limits<double>::infinity() ||
      k == -std::numeric_limits<double>::infinity())
    return 0;
  if (h == std::numeric_limits<double>::infinity()) return detail::normal_cdf(k);
  if (k == std::numeric_limits<double>::infinity()) return detail::normal_cdf(h);
  // P(X <= h, Y <= k) = P(-X > -h, -Y > -k), and (-X, -Y) has the same correlation.
  return std::clamp(detail::bivariate_normal_upper(-h, -k, rho), 0.0, 1.0);
}

/// Thresholds of a latent standard normal from category counts (in category order):
/// tau_a = Phi^-1((n_1 + ... + n_a) / n) for a = 1 .. K-1. Every count must be > 0.
inline std::vector<double> normal_thresholds(const Eigen::Ref<const Eigen::VectorXd>& counts) {
  const double total = counts.sum();
  std::vector<double> tau;
  if (counts.size() < 2) return tau;
  const boost::math::normal_distribution<double> z;
  double cum = 0;
  for (Eigen::Index a = 0; a + 1 < counts.size(); ++a) {
    if (!(counts(a) > 0) || !std::isfinite(counts(a)))
      throw std::invalid_argument("normal_thresholds: category " + std::to_string(a + 1) +
                                  " has no observations (a count must be positive and finite)");
    cum += counts(a);
    tau.push_back(boost::math::quantile(z, cum / total));
  }
  if (!(counts(counts.size() - 1) > 0))
    throw std::invalid_argument("normal_thresholds: category " + std::to_string(counts.size()) +
                                " has no observations (a count must be positive and finite)");
  return tau;
}

struct Polychoric {
  double rho = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> row_thresholds, col_thresholds;  ///< K-1 and L-1 finite thresholds
  double log_likelihood = std::numeric_limits<double>::quiet_NaN();  ///< sum n_ab log P_ab at rho
  double n = 0;           ///< total (weighted) count of the table
  bool at_bound = false;  ///< the maximum is at the edge of the search interval
};

/// Largest |rho| searched: the likelihood of a table without discordant cells increases
/// up to |rho| = 1, where the model is degenerate; such tables give +-polychoric_bound.
inline constexpr double polychoric_bound = 0.999999;

/// Polychoric correlation of a K x L contingency table (rows: categories of the first
/// variable in ascending order; columns: of the second), by Olsson's two-step method.
/// Counts may be weighted (non-integer). Rows and columns with a zero total are dropped
/// (they carry no information); zero cells add nothing to the likelihood, and no
/// continuity correction is applied (the bounded search keeps rho finite). NaN when
/// either variable has fewer than two non-empty categories.
inline Polychoric polychoric(const Eigen::Ref<const Eigen::MatrixXd>& table) {
  for (Eigen::Index j = 0; j < table.cols(); ++j)
    for (Eigen::Index i = 0; i < table.rows(); ++i)
      if (!(table(i, j) >= 0) || !std::isfinite(table(i, j)))
        throw std::invalid_argument("polychoric: cell (" + std::to_string(i + 1) + ", " +
                                    std::to_string(j + 1) +
                                    ") of the contingency table is not a finite count >= 0");
  std::vector<Eigen::Index> rows, cols;
  for (Eigen::Index i = 0; i < table.rows(); ++i)
    if (table.row(i).sum() > 0) rows.push_back(i);
  for (Eigen::Index j = 0; j < table.cols(); ++j)
    if (table.col(j).sum() > 0) cols.push_back(j);
  Polychoric out;
  out.n = table.sum();
  if (rows.size() < 2 || cols.size() < 2) return out;
  const auto K = static_cast<Eigen::Index>(rows.size());
  const auto L = static_cast<Eigen::Index>(cols.size());
  Eigen::MatrixXd t(K, L);
  for (Eigen::Index i = 0; i < K; ++i)
    for (Eigen::Index j = 0; j < L; ++j)
      t(i, j) = table(rows[static_cast<std::size_t>(i)], cols[static_cast<std::size_t>(j)]);
  out.row_thresholds = normal_thresholds(t.rowwise().sum());
  out.col_thresholds = normal_thresholds(t.colwise().sum().transpose());
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::vector<double> a{-inf}, b{-inf};
  a.insert(a.end(), out.row_thresholds.begin(), out.row_thresholds.end());
  b.insert(b.end(), out.col_thresholds.begin(), out.col_thresholds.end());
  a.push_back(inf);
  b.push_back(inf);
  Eigen::MatrixXd F(K + 1, L + 1);
  const auto log_likelihood = [&](double rho) {
    for (Eigen::Index i = 0; i <= K; ++i)
      for (Eigen::Index j = 0; j <= L; ++j)
        F(i, j) = bivariate_normal_cdf(a[static_cast<std::size_t>(i)],
                                       b[static_cast<std::size_t>(j)], rho);
    double ll = 0;
    for (Eigen::Index i = 0; i < K; ++i)
      for (Eigen::Index j = 0; j < L; ++j) {
        if (t(i, j) == 0) continue;
        const double p = F(i + 1, j + 1) - F(i, j + 1) - F(i + 1, j) + F(i, j);
        // A cell the model gives (numerically) no probability: a very small one, so that
        // the objective stays finite for Brent's parabolic steps.
        ll += t(i, j) * std::log(std::max(p, std::numeric_limits<double>::min()));
      }
    return ll;
  };
  const int bits = std::numeric_limits<double>::digits / 2;  // the best Brent can locate
  std::uintmax_t iterations = 200;
  const auto best =
      boost::math::tools::brent_find_minima([&](double rho) { return -log_likelihood(rho); },
                                            -polychoric_bound, polychoric_bound, bits, iterations);
  out.rho = best.first;
  // A minimum is located to about sqrt(epsilon) only (the objective is flat there); the
  // root of the score d log L / d rho, which crosses zero with a slope, is located to
  // rounding. By Plackett's identity dF/drho = phi2, so dP_ab/drho is a sum of densities.
  const auto density = [](double h, double k, double rho) {
    if (!std::isfinite(h) || !std::isfinite(k)) return 0.0;
    const double s = (1 - rho) * (1 + rho);
    return std::exp(-(h * h - 2 * rho * h * k + k * k) / (2 * s)) /
           (2 * std::numbers::pi * std::sqrt(s));
  };
  const auto score = [&](double rho) {
    double sc = 0;
    for (Eigen::Index i = 0; i < K; ++i)
      for (Eigen::Index j = 0; j < L; ++j) {
        if (t(i, j) == 0) continue;
        const auto u = static_cast<std::size_t>(i), v = static_cast<std::size_t>(j);
        const double p = bivariate_normal_cdf(a[u + 1], b[v + 1], rho) -
                         bivariate_normal_cdf(a[u], b[v + 1], rho) -
                         bivariate_normal_cdf(a[u + 1], b[v], rho) +
                         bivariate_normal_cdf(a[u], b[v], rho);
        const double dp = density(a[u + 1], b[v + 1], rho) - density(a[u], b[v + 1], rho) -
                          density(a[u + 1], b[v], rho) + density(a[u], b[v], rho);
        sc += t(i, j) * dp / std::max(p, std::numeric_limits<double>::min());
      }
    return sc;
  };
  const double step = 1e-6;
  const double lo = std::max(-polychoric_bound, out.rho - step),
               hi = std::min(polychoric_bound, out.rho + step);
  const double s_lo = score(lo), s_hi = score(hi);
  if (std::isfinite(s_lo) && std::isfinite(s_hi) && s_lo > 0 && s_hi < 0) {
    std::uintmax_t it = 100;
    const auto root = boost::math::tools::toms748_solve(
        score, lo, hi, s_lo, s_hi, boost::math::tools::eps_tolerance<double>(48), it);
    out.rho = (root.first + root.second) / 2;
  }
  out.log_likelihood = log_likelihood(out.rho);
  out.at_bound = std::fabs(std::fabs(out.rho) - polychoric_bound) < 1e-6;
  return out;
}

/// Mergeable contingency tables of every pair of k ordinal columns: the distinct values of
/// each column (NaN = missing) are its ordered categories. Tables are kept over the rows
/// where both columns are observed (pairwise) and over the rows where all k are
/// (complete), with optional sampling/frequency weights. add() and merge() in any order
/// give the same tables.
class OrdinalTables {
 public:
  /// More distinct values than this in one column is an error: such a column is not an
  /// ordinal item (ordinal alpha is for a few ordered answer categories).
  static constexpr std::size_t max_categories = 20;

  /// `names` (optional, one per column) are used in messages.
  explicit OrdinalTables(Eigen::Index k = 0, std::vector<std::string> names = {})
      : k_(k),
        names_(std::move(names)),
        levels_(static_cast<std::size_t>(k)),
        pair_(pairs(), std::vector<double>(max_categories * max_categories, 0.0)),
        complete_(pair_) {
    if (!names_.empty() && static_cast<Eigen::Index>(names_.size()) != k)
      throw std::invalid_argument("OrdinalTables: " + std::to_string(names_.size()) +
                                  " names for " + std::to_string(k) + " columns");
  }

  Eigen::Index columns() const noexcept { return k_; }

  /// Adds rows of `x` (n x k, NaN = missing) with optional weights. Throws before
  /// changing anything (bad shapes or weights, too many distinct values).
  void add(const Eigen::Ref<const Eigen::MatrixXd>& x,
           const Eigen::Ref<const Eigen::VectorXd>& w = Eigen::VectorXd()) {
    if (x.cols() != k_)
      throw std::invalid_argument("OrdinalTables::add: expected " + std::to_string(k_) +
                                  " columns, got " + std::to_string(x.cols()));
    if (w.size() != 0 && w.size() != x.rows())
      throw std::invalid_argument("OrdinalTables::add: one weight per row is needed");
    // First pass: check the weights and find the categories, on a copy.
    auto levels = levels_;
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
      if (w.size() && (!(w(r) >= 0) || !std::isfinite(w(r))))
        throw std::invalid_argument("OrdinalTables::add: weights must be finite and >= 0 (row " +
                                    std::to_string(r) + ")");
      for (Eigen::Index j = 0; j < k_; ++j)
        if (!std::isnan(x(r, j))) level_of(levels, j, x(r, j));
    }
    levels_ = std::move(levels);
    std::vector<int> level(static_cast<std::size_t>(k_));
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
      const double weight = w.size() ? w(r) : 1.0;
      bool complete = true;
      for (Eigen::Index j = 0; j < k_; ++j) {
        const double v = x(r, j);
        level[static_cast<std::size_t>(j)] = std::isnan(v) ? -1 : level_of(levels_, j, v);
        complete = complete && !std::isnan(v);
      }
      std::size_t p = 0;
      for (Eigen::Index i = 0; i < k_; ++i)
        for (Eigen::Index j = i + 1; j < k_; ++j, ++p) {
          const int li = level[static_cast<std::size_t>(i)],
                    lj = level[static_cast<std::size_t>(j)];
          if (li < 0 || lj < 0) continue;
          const std::size_t cell =
              static_cast<std::size_t>(li) * max_categories + static_cast<std::size_t>(lj);
          pair_[p][cell] += weight;
          if (complete) complete_[p][cell] += weight;
        }
    }
  }

  /// Adds the tables of `o` (same number of columns). Throws before changing anything.
  void merge(const OrdinalTables& o) {
    if (o.k_ != k_)
      throw std::invalid_argument("OrdinalTables::merge: different numbers of columns");
    // o's category indices, translated into ours (new values are appended).
    auto levels = levels_;
    std::vector<std::vector<int>> map(static_cast<std::size_t>(k_));
    for (Eigen::Index j = 0; j < k_; ++j)
      for (const double v : o.levels_[static_cast<std::size_t>(j)])
        map[static_cast<std::size_t>(j)].push_back(level_of(levels, j, v));
    levels_ = std::move(levels);
    std::size_t p = 0;
    for (Eigen::Index i = 0; i < k_; ++i)
      for (Eigen::Index j = i + 1; j < k_; ++j, ++p) {
        const auto& mi = map[static_cast<std::size_t>(i)];
        const auto& mj = map[static_cast<std::size_t>(j)];
        for (std::size_t a = 0; a < mi.size(); ++a)
          for (std::size_t b = 0; b < mj.size(); ++b) {
            const std::size_t from = a * max_categories + b;
            const std::size_t to =
                static_cast<std::size_t>(mi[a]) * max_categories + static_cast<std::size_t>(mj[b]);
            pair_[p][to] += o.pair_[p][from];
            complete_[p][to] += o.complete_[p][from];
          }
      }
  }

  /// The distinct values seen in column j, ascending.
  std::vector<double> categories(Eigen::Index j) const {
    std::vector<double> v = levels_.at(static_cast<std::size_t>(j));
    std::sort(v.begin(), v.end());
    return v;
  }

  /// Contingency table of columns i != j: rows are the categories of i (ascending), columns
  /// those of j, over pairwise or complete rows. Categories without observations in these
  /// rows are kept here (as zero rows/columns); polychoric() drops them.
  Eigen::MatrixXd table(Eigen::Index i, Eigen::Index j, MissingPolicy policy) const {
    check_column(i);
    check_column(j);
    if (i == j) throw std::invalid_argument("OrdinalTables::table: the two columns must differ");
    const bool swap = i > j;
    const Eigen::Index lo = swap ? j : i, hi = swap ? i : j;
    const auto& cells = (policy == MissingPolicy::complete ? complete_ : pair_)[pair_index(lo, hi)];
    const auto order_lo = order(lo), order_hi = order(hi);
    Eigen::MatrixXd t(static_cast<Eigen::Index>(order_lo.size()),
                      static_cast<Eigen::Index>(order_hi.size()));
    for (std::size_t a = 0; a < order_lo.size(); ++a)
      for (std::size_t b = 0; b < order_hi.size(); ++b)
        t(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) =
            cells[order_lo[a] * max_categories + order_hi[b]];
    if (swap) return t.transpose();
    return t;
  }

  /// k x k polychoric correlations (1 on the diagonal; NaN where a pair has fewer than
  /// two categories of either column in its rows).
  Eigen::MatrixXd polychoric(MissingPolicy policy) const {
    Eigen::MatrixXd R = Eigen::MatrixXd::Identity(k_, k_);
    for (Eigen::Index i = 0; i < k_; ++i)
      for (Eigen::Index j = i + 1; j < k_; ++j)
        R(i, j) = R(j, i) = reinscore::polychoric(table(i, j, policy)).rho;
    return R;
  }

 private:
  std::size_t pairs() const { return static_cast<std::size_t>(k_ * (k_ > 0 ? k_ - 1 : 0) / 2); }
  // Index of pair (i, j), i < j, in row-major order of the upper triangle.
  std::size_t pair_index(Eigen::Index i, Eigen::Index j) const {
    return static_cast<std::size_t>(i * k_ - i * (i + 1) / 2 + (j - i - 1));
  }
  void check_column(Eigen::Index j) const {
    if (j < 0 || j >= k_)
      throw std::out_of_range("OrdinalTables: column " + std::to_string(j) + " does not exist (" +
                              std::to_string(k_) + " columns)");
  }
  std::string name(Eigen::Index j) const {
    return names_.empty() ? "column " + std::to_string(j + 1)
                          : "item '" + names_[static_cast<std::size_t>(j)] + "'";
  }
  // Discovery-order index of value v in column j of `levels`, added if new.
  int level_of(std::vector<std::vector<double>>& levels, Eigen::Index j, double v) const {
    auto& lv = levels[static_cast<std::size_t>(j)];
    for (std::size_t a = 0; a < lv.size(); ++a)
      if (lv[a] == v) return static_cast<int>(a);
    if (!std::isfinite(v))
      throw std::invalid_argument("OrdinalTables: " + name(j) +
                                  " has a non-finite value; ordinal categories must be numbers");
    if (lv.size() == max_categories)
      throw std::invalid_argument(
          "ordinal statistics: " + name(j) + " has more than " + std::to_string(max_categories) +
          " distinct values; polychoric correlations treat the values as a few ordered "
          "answer categories (use raw or standardised alpha for such an item)");
    lv.push_back(v);
    return static_cast<int>(lv.size() - 1);
  }
  // Discovery indices of column j's categories in ascending order of value.
  std::vector<std::size_t> order(Eigen::Index j) const {
    const auto& lv = levels_[static_cast<std::size_t>(j)];
    std::vector<std::size_t> idx(lv.size());
    for (std::size_t a = 0; a < idx.size(); ++a) idx[a] = a;
    std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return lv[a] < lv[b]; });
    return idx;
  }

  Eigen::Index k_;
  std::vector<std::string> names_;
  std::vector<std::vector<double>> levels_;  // per column: distinct values, discovery order
  std::vector<std::vector<double>> pair_;    // per pair: max_categories^2 weighted counts
  std::vector<std::vector<double>> complete_;
};

}  // namespace reinscore
