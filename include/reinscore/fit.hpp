// Weights derived from data: principal components of the correlation matrix of the coded
// items (normalised first-component loadings, or the OECD/JRC varimax procedure), with
// the diagnostics that say whether the data support them: eigenvalues, explained
// variance, loadings before and after rotation, KMO and Bartlett's test of sphericity.
// Every formula, its reference and the conventions are in docs/statistics.md.
#pragma once

#include <reinscore/coder.hpp>
#include <reinscore/comoments.hpp>
#include <reinscore/detail/json.hpp>
#include <reinscore/instrument.hpp>
#include <reinscore/scorer.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <boost/math/distributions/chi_squared.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace reinscore {

// ---------------------------------------------------------------------------------------
// Options and their names (as the command line and Python spell them).

enum class FitMethod {
  equal,         ///< every item 1, every dimension 1 (a baseline; diagnostics still computed)
  pca_first,     ///< normalised |loadings| of the first principal component
  oecd_varimax,  ///< OECD/JRC (2008): retained components, varimax, squared loadings
};
inline constexpr std::array<std::string_view, 3> fit_method_names = {"equal", "pca-first",
                                                                     "oecd-varimax"};
constexpr std::string_view to_string(FitMethod m) noexcept {
  return fit_method_names[static_cast<std::size_t>(m)];
}

/// Where the composite weights come from.
enum class CompositeFit {
  dimension_shares,  ///< dimension mode: each dimension's first-PC explained-variance ratio,
                     ///< normalised
  pca,               ///< item mode: the method applied over all items together
};
inline constexpr std::array<std::string_view, 2> composite_fit_names = {"dimension-shares", "pca"};
constexpr std::string_view to_string(CompositeFit c) noexcept {
  return composite_fit_names[static_cast<std::size_t>(c)];
}

constexpr std::string_view to_string(MissingPolicy p) noexcept {
  return p == MissingPolicy::pairwise ? "pairwise" : "complete";
}

inline FitMethod parse_fit_method(std::string_view s) {
  for (std::size_t i = 0; i < fit_method_names.size(); ++i)
    if (s == fit_method_names[i]) return static_cast<FitMethod>(i);
  throw std::invalid_argument("fit method '" + std::string(s) +
                              "' is unknown (expected equal, pca-first or oecd-varimax)");
}
inline CompositeFit parse_composite_fit(std::string_view s) {
  for (std::size_t i = 0; i < composite_fit_names.size(); ++i)
    if (s == composite_fit_names[i]) return static_cast<CompositeFit>(i);
  throw std::invalid_argument("composite '" + std::string(s) +
                              "' is unknown (expected pca or dimension-shares)");
}

/// Rows per chunk when a fit is fed from memory (Python) or a file (command line): the
/// same chunking in both gives the same sums, bit for bit, so the same weights.
inline constexpr std::size_t fit_chunk_rows = 8192;

// ---------------------------------------------------------------------------------------
// Kernels: PCA, varimax, KMO, Bartlett. Each takes a correlation (or loading) matrix.

/// Flips each column so that its entry of largest magnitude is positive (on a tie, the
/// first such entry in item order decides). Eigenvectors and rotated factors have no sign
/// of their own; this convention makes results reproducible (docs/statistics.md).
inline void fix_column_signs(Eigen::MatrixXd& m) {
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    Eigen::Index at = 0;
    for (Eigen::Index i = 1; i < m.rows(); ++i)
      if (std::abs(m(i, j)) > std::abs(m(at, j))) at = i;
    if (m.rows() > 0 && m(at, j) < 0) m.col(j) = -m.col(j);
  }
}

namespace detail {
inline void check_correlation(const Eigen::MatrixXd& R, const char* where) {
  if (R.rows() != R.cols() || R.rows() == 0)
    throw std::invalid_argument(std::string(where) + ": expected a non-empty square matrix, got " +
                                std::to_string(R.rows()) + " x " + std::to_string(R.cols()));
  if (!R.allFinite())
    throw std::invalid_argument(std::string(where) + ": the matrix has undefined (NaN) entries");
}
}  // namespace detail

/// Principal components of a correlation matrix R (p x p).
struct Pca {
  Eigen::VectorXd eigenvalues;  ///< descending
  Eigen::MatrixXd vectors;      ///< unit eigenvectors as columns (sign convention applied)
  Eigen::MatrixXd loadings;     ///< vectors x sqrt(max(eigenvalue, 0)): item-component correlations
  Eigen::VectorXd explained_ratio;  ///< eigenvalue / trace(R) (= eigenvalue / p)
};

inline Pca pca(const Eigen::MatrixXd& R) {
  detail::check_correlation(R, "pca");
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(R);
  if (es.info() != Eigen::Success)
    throw std::runtime_error("pca: the eigen decomposition did not converge");
  Pca out;
  out.eigenvalues = es.eigenvalues().reverse();  // Eigen sorts ascending
  out.vectors = es.eigenvectors().rowwise().reverse();
  fix_column_signs(out.vectors);
  out.loadings = out.vectors * out.eigenvalues.cwiseMax(0.0).cwiseSqrt().asDiagonal();
  out.explained_ratio = out.eigenvalues / R.trace();
  return out;
}

struct VarimaxOptions {
  bool kaiser = true;         ///< Kaiser normalisation: rows scaled to unit length while rotating
  double tolerance = 1e-12;   ///< stop after a sweep in which no pair was rotated by more (radians)
  int max_iterations = 1000;  ///< sweeps over all pairs of factors
};

struct Varimax {
  Eigen::MatrixXd loadings;  ///< rotated loadings (p x m), sign convention applied
  Eigen::MatrixXd rotation;  ///< orthogonal m x m matrix T with loadings = L T (before sign flips)
  int iterations = 0;        ///< sweeps done
  bool converged = true;
};

/// Varimax rotation (Kaiser 1958) by Kaiser's planar rotations: each pair of factors
/// (j, k) is rotated by the angle that maximises the varimax criterion of that pair,
///   tan 4phi = (D - 2AB/p) / (C - (A^2 - B^2)/p),
/// u = x^2 - y^2, v = 2xy over the items' loadings x, y on the two factors,
/// A = sum u, B = sum v, C = sum (u^2 - v^2), D = 2 sum uv; sweeps over all pairs repeat
/// until no angle exceeds `tolerance`. Each step is the exact optimum for its pair, so
/// the criterion never falls; the SVD iteration of R's stats::varimax can instead
/// alternate between two rotations for hundreds of steps when two factors are carried
/// by few items, and its stopping rule then ends far from the optimum (docs/statistics.md).
inline Varimax varimax(const Eigen::MatrixXd& L, const VarimaxOptions& opt = {}) {
  if (!L.allFinite())
    throw std::invalid_argument("varimax: the loading matrix has undefined (NaN) entries");
  if (!(opt.tolerance > 0) || opt.max_iterations < 1)
    throw std::invalid_argument("varimax: tolerance must be > 0 and max_iterations >= 1");
  const Eigen::Index p = L.rows(), m = L.cols();
  Varimax out;
  out.rotation = Eigen::MatrixXd::Identity(m, m);
  if (m < 2 || p == 0) {  // one factor: nothing to rotate
    out.loadings = L;
    fix_column_signs(out.loadings);
    return out;
  }
  Eigen::VectorXd h = Eigen::VectorXd::Ones(p);
  Eigen::MatrixXd X = L;
  if (opt.kaiser) {
    h = L.rowwise().norm();
    for (Eigen::Index i = 0; i < p; ++i)
      if (h(i) > 0) X.row(i) /= h(i);  // an item without communality stays at 0
  }
  const auto pd = static_cast<double>(p);
  Eigen::MatrixXd& T = out.rotation;
  out.converged = false;
  for (int sweep = 1; sweep <= opt.max_iterations; ++sweep) {
    double largest = 0;
    for (Eigen::Index j = 0; j + 1 < m; ++j)
      for (Eigen::Index k = j + 1; k < m; ++k) {
        const Eigen::ArrayXd x = X.col(j).array(), y = X.col(k).array();
        const Eigen::ArrayXd u = x.square() - y.square(), v = 2 * x * y;
        const double A = u.sum(), B = v.sum();
        const double C = (u.square() - v.square()).sum(), D = 2 * (u * v).sum();
        const double phi = std::atan2(D - 2 * A * B / pd, C - (A * A - B * B) / pd) / 4;
        largest = std::max(largest, std::abs(phi));
        const double c = std::cos(phi), s = std::sin(phi);
        X.col(j) = (c * x + s * y).matrix();
        X.col(k) = (c * y - s * x).matrix();
        const Eigen::VectorXd tj = T.col(j), tk = T.col(k);
        T.col(j) = c * tj + s * tk;
        T.col(k) = c * tk - s * tj;
      }
    out.iterations = sweep;
    if (largest <= opt.tolerance) {
      out.converged = true;
      break;
    }
  }
  out.loadings = h.asDiagonal() * X;
  fix_column_signs(out.loadings);
  return out;
}

/// Kaiser-Meyer-Olkin measure of sampling adequacy (Kaiser 1970; Kaiser & Rice 1974):
/// KMO_i = sum_j r_ij^2 / (sum_j r_ij^2 + sum_j q_ij^2) over j != i, with q the partial
/// correlations q_ij = -S_ij / sqrt(S_ii S_jj), S = R^-1; overall: the same over all i != j.
struct Kmo {
  double overall = std::numeric_limits<double>::quiet_NaN();
  Eigen::VectorXd items;        ///< per item; NaN for fewer than two items
  bool pseudo_inverse = false;  ///< R was singular: S is the Moore-Penrose pseudo-inverse
};

inline Kmo kmo(const Eigen::MatrixXd& R) {
  detail::check_correlation(R, "kmo");
  const Eigen::Index p = R.rows();
  Kmo out;
  out.items = Eigen::VectorXd::Constant(p, std::numeric_limits<double>::quiet_NaN());
  if (p < 2) return out;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(R);
  if (es.info() != Eigen::Success)
    throw std::runtime_error("kmo: the eigen decomposition did not converge");
  const Eigen::VectorXd& lam = es.eigenvalues();
  const double cut =
      lam.cwiseAbs().maxCoeff() * static_cast<double>(p) * std::numeric_limits<double>::epsilon();
  Eigen::VectorXd inv(p);
  for (Eigen::Index i = 0; i < p; ++i) {
    inv(i) = lam(i) > cut ? 1.0 / lam(i) : 0.0;
    if (!(lam(i) > cut)) out.pseudo_inverse = true;
  }
  const Eigen::MatrixXd S = es.eigenvectors() * inv.asDiagonal() * es.eigenvectors().transpose();
  double r2_all = 0, q2_all = 0;
  for (Eigen::Index i = 0; i < p; ++i) {
    double r2 = 0, q2 = 0;
    for (Eigen::Index j = 0; j < p; ++j) {
      if (i == j) continue;
      const double denom = std::sqrt(S(i, i) * S(j, j));
      const double q = denom > 0 ? -S(i, j) / denom : 0.0;
      r2 += R(i, j) * R(i, j);
      q2 += q * q;
    }
    out.items(i) = r2 + q2 > 0 ? r2 / (r2 + q2) : std::numeric_limits<double>::quiet_NaN();
    r2_all += r2;
    q2_all += q2;
  }
  out.overall =
      r2_all + q2_all > 0 ? r2_all / (r2_all + q2_all) : std::numeric_limits<double>::quiet_NaN();
  return out;
}

/// Bartlett's test of sphericity (Bartlett 1950, 1951): H0 R = I.
/// chi2 = -(n - 1 - (2p + 5) / 6) ln|R| with p(p - 1)/2 degrees of freedom.
struct Bartlett {
  double chi2 = std::numeric_limits<double>::quiet_NaN();
  double df = 0;
  double p_value = std::numeric_limits<double>::quiet_NaN();
  double n = 0;  ///< rows the test assumes
};

/// NaN statistic when undefined: fewer than two items, R not positive definite (possible
/// with pairwise correlations), or n too small for the correction factor to be positive.
inline Bartlett bartlett(const Eigen::MatrixXd& R, double n) {
  detail::check_correlation(R, "bartlett");
  const auto p = static_cast<double>(R.rows());
  Bartlett out;
  out.n = n;
  out.df = p * (p - 1) / 2;
  if (R.rows() < 2) return out;
  const Eigen::LLT<Eigen::MatrixXd> llt(R);
  if (llt.info() != Eigen::Success) return out;
  double logdet = 0;
  for (Eigen::Index i = 0; i < R.rows(); ++i) logdet += 2 * std::log(llt.matrixLLT()(i, i));
  const double factor = n - 1 - (2 * p + 5) / 6;
  if (!(factor > 0)) return out;
  // |R| <= 1 for a correlation matrix (Hadamard); a hair above 1 is rounding of R = I.
  out.chi2 = std::max(0.0, -factor * logdet);
  const boost::math::chi_squared dist(out.df);
  out.p_value = boost::math::cdf(boost::math::complement(dist, out.chi2));
  return out;
}

// ---------------------------------------------------------------------------------------
// Accumulating data.

/// Co-moments of the coded items for a fit, fed chunk by chunk (memory stays flat) and
/// mergeable. Rows flagged in `skip` (invalid rows: an unreadable answer or a malformed
/// row) are left out. Pairwise: one CoMoments over all items (a dimension's correlations
/// are a sub-matrix). Complete-case: also one per dimension, so that each dimension is
/// fitted on the rows complete in *its* items.
class FitAccumulator {
 public:
  FitAccumulator(const Instrument& ins, MissingPolicy policy = MissingPolicy::pairwise,
                 bool weighted = false)
      : policy_(policy), weighted_(weighted), all_(static_cast<Eigen::Index>(ins.items.size())) {
    blocks_.resize(ins.dimensions.size());
    for (std::size_t k = 0; k < ins.items.size(); ++k)
      blocks_[ins.dimension_index(ins.items[k].dimension)].push_back(static_cast<Eigen::Index>(k));
    if (policy_ == MissingPolicy::complete)
      for (const auto& b : blocks_) per_dim_.emplace_back(static_cast<Eigen::Index>(b.size()));
    const auto k = static_cast<Eigen::Index>(ins.items.size());
    if (weighted_) counts_ = Eigen::MatrixXd::Zero(k, k);
  }

  /// Adds the rows of `values` (n x k coded values, NaN = not answered) except those with
  /// skip[r] != 0; `weights` (sampling weights, one per row) only if constructed weighted.
  void add(const Eigen::Ref<const Eigen::MatrixXd>& values,
           const std::vector<std::uint8_t>& skip = {},
           const Eigen::Ref<const Eigen::VectorXd>& weights = Eigen::VectorXd()) {
    const Eigen::Index n = values.rows();
    if (values.cols() != all_.columns())
      throw std::invalid_argument("FitAccumulator::add: expected " +
                                  std::to_string(all_.columns()) + " item columns, got " +
                                  std::to_string(values.cols()));
    if (!skip.empty() && static_cast<Eigen::Index>(skip.size()) != n)
      throw std::invalid_argument("FitAccumulator::add: skip needs one flag per row");
    if (n > 0 && weighted_ != (weights.size() != 0))
      throw std::invalid_argument(
          weighted_ ? "FitAccumulator::add: this fit is weighted: give one weight per row"
                    : "FitAccumulator::add: this fit is unweighted: give no weights");
    if (weighted_ && weights.size() != n)
      throw std::invalid_argument("FitAccumulator::add: expected " + std::to_string(n) +
                                  " weights, got " + std::to_string(weights.size()));
    std::vector<Eigen::Index> keep;
    keep.reserve(static_cast<std::size_t>(n));
    for (Eigen::Index r = 0; r < n; ++r) {
      if (!skip.empty() && skip[static_cast<std::size_t>(r)]) continue;
      if (weighted_ && !(std::isfinite(weights(r)) && weights(r) >= 0))
        throw std::invalid_argument("FitAccumulator::add: the sampling weight of row " +
                                    std::to_string(static_cast<long long>(rows_) + r + 1) +
                                    " is not a finite number >= 0");
      keep.push_back(r);
    }
    rows_ += static_cast<double>(n);
    skipped_ += static_cast<double>(n) - static_cast<double>(keep.size());
    if (keep.empty()) return;
    const bool all_kept = static_cast<Eigen::Index>(keep.size()) == n;
    const Eigen::MatrixXd gathered =
        all_kept ? Eigen::MatrixXd() : Eigen::MatrixXd(values(keep, Eigen::all));
    const Eigen::Ref<const Eigen::MatrixXd> x =
        all_kept ? values : Eigen::Ref<const Eigen::MatrixXd>(gathered);
    Eigen::VectorXd w;
    if (weighted_) w = all_kept ? Eigen::VectorXd(weights) : Eigen::VectorXd(weights(keep));
    all_.add(x, w);
    for (std::size_t d = 0; d < per_dim_.size(); ++d) per_dim_[d].add(x(Eigen::all, blocks_[d]), w);
    if (weighted_) {
      const Eigen::MatrixXd seen = (x.array() == x.array()).cast<double>();  // NaN != NaN
      counts_.noalias() += seen.transpose() * seen;
    }
  }

  /// Adds a coded block, leaving out the rows its scores mark invalid.
  void add(const CodedBlock& coded, const ScoreBlock& scores,
           const Eigen::Ref<const Eigen::VectorXd>& weights = Eigen::VectorXd()) {
    std::vector<std::uint8_t> skip(scores.status.size());
    for (std::size_t r = 0; r < skip.size(); ++r) skip[r] = scores.status[r] == Status::invalid;
    add(coded.values, skip, weights);
  }

  void merge(const FitAccumulator& o) {
    if (o.policy_ != policy_ || o.weighted_ != weighted_ || o.blocks_ != blocks_)
      throw std::invalid_argument(
          "FitAccumulator::merge: different instrument, policy or weighting");
    all_.merge(o.all_);
    for (std::size_t d = 0; d < per_dim_.size(); ++d) per_dim_[d].merge(o.per_dim_[d]);
    if (weighted_) counts_ += o.counts_;
    rows_ += o.rows_;
    skipped_ += o.skipped_;
  }

  MissingPolicy policy() const noexcept { return policy_; }
  bool weighted() const noexcept { return weighted_; }
  double rows() const noexcept { return rows_; }  ///< rows offered
  double rows_skipped() const noexcept { return skipped_; }
  double rows_used() const noexcept { return rows_ - skipped_; }
  const CoMoments& moments() const noexcept { return all_; }
  /// Item indices of dimension d, in instrument order.
  const std::vector<Eigen::Index>& block_items(std::size_t d) const { return blocks_.at(d); }
  std::size_t blocks() const noexcept { return blocks_.size(); }

  /// Unweighted number of rows where items i and j are both answered.
  Eigen::MatrixXd pair_counts() const { return weighted_ ? counts_ : all_.pair_weights(); }

  /// Correlation matrix of dimension `d`'s items (d == blocks(): all items) and the
  /// number of rows behind it: complete-case, the rows complete in those items;
  /// pairwise, the smallest number of rows behind any of its pairs.
  Eigen::MatrixXd correlation(std::size_t d, double& n) const {
    const bool all = d == blocks_.size();
    if (policy_ == MissingPolicy::complete) {
      const CoMoments& m = all ? all_ : per_dim_.at(d);
      n = m.complete_rows();
      return m.correlation(MissingPolicy::complete);
    }
    const Eigen::MatrixXd R = all_.correlation(MissingPolicy::pairwise);
    const Eigen::MatrixXd C = pair_counts();
    if (all) {
      n = C.minCoeff();
      return R;
    }
    const auto& idx = blocks_.at(d);
    n = C(idx, idx).minCoeff();
    return R(idx, idx);
  }

 private:
  MissingPolicy policy_;
  bool weighted_;
  std::vector<std::vector<Eigen::Index>> blocks_;
  CoMoments all_;
  std::vector<CoMoments> per_dim_;
  Eigen::MatrixXd counts_;
  double rows_ = 0, skipped_ = 0;
};

// ---------------------------------------------------------------------------------------
// The fit.

struct FitOptions {
  FitMethod method = FitMethod::pca_first;
  CompositeFit composite = CompositeFit::dimension_shares;
  double min_eigenvalue = 1.0;  ///< oecd-varimax: keep components with eigenvalue > this (Kaiser)
  double min_cumulative = 0.0;  ///< oecd-varimax: and at least until this cumulative ratio (0: off)
  VarimaxOptions varimax;
  std::string name;          ///< weight-set name; empty: "fitted-<method>"
  std::string weight_label;  ///< how rows were weighted, for the citation (empty: unweighted)
};

/// The analysis of one block of items (a dimension, or all items).
struct BlockFit {
  std::string name;                 ///< dimension id, or "all"
  std::vector<Eigen::Index> items;  ///< instrument item indices
  Eigen::MatrixXd correlation;
  double n = 0;  ///< rows behind the correlations (FitAccumulator::correlation)
  Pca pca;
  Kmo kmo;
  Bartlett bartlett;
  // oecd-varimax only (kept == 0 otherwise)
  Eigen::Index kept = 0;  ///< retained components
  Varimax rotated;
  Eigen::VectorXd rotated_variance;  ///< sum of squared rotated loadings per factor
  Eigen::VectorXd factor_weights;    ///< rotated_variance / its sum
  std::vector<Eigen::Index> factor;  ///< factor each item is assigned to
  Eigen::VectorXd weights;  ///< the method's item weights in this block (sum 1; equal: 1 each)
};

struct FitResult {
  WeightSet weights;                 ///< as read back from `json` (see fit_weights)
  std::string json;                  ///< the weight-set file (`reinscore fit-weights -o`)
  std::vector<BlockFit> dimensions;  ///< one per dimension, in instrument order
  BlockFit all;                      ///< all items together
  double rows = 0, rows_used = 0, rows_skipped = 0;
  std::vector<std::string> warnings;
};

namespace detail {

/// The OECD/JRC weights of one block: retained components, varimax, each item on the
/// factor of its largest squared loading, weight = factor share x squared loading /
/// factor's sum of squared loadings, normalised to sum 1.
inline void oecd_weights(BlockFit& b, const FitOptions& opt) {
  const Eigen::Index p = b.pca.eigenvalues.size();
  Eigen::Index m = 0;
  for (Eigen::Index j = 0; j < p; ++j)
    if (b.pca.eigenvalues(j) > opt.min_eigenvalue) ++m;
  if (opt.min_cumulative > 0) {
    double cum = 0;
    Eigen::Index need = p;
    for (Eigen::Index j = 0; j < p; ++j) {
      cum += b.pca.explained_ratio(j);
      if (cum >= opt.min_cumulative - 1e-12) {
        need = j + 1;
        break;
      }
    }
    m = std::max(m, need);
  }
  m = std::clamp<Eigen::Index>(m, 1, p);
  b.kept = m;
  b.rotated = varimax(b.pca.loadings.leftCols(m), opt.varimax);
  const Eigen::MatrixXd sq = b.rotated.loadings.array().square();
  b.rotated_variance = sq.colwise().sum().transpose();
  b.factor_weights = b.rotated_variance / b.rotated_variance.sum();
  b.factor.assign(static_cast<std::size_t>(p), 0);
  b.weights.resize(p);
  for (Eigen::Index i = 0; i < p; ++i) {
    Eigen::Index f = 0;
    for (Eigen::Index j = 1; j < m; ++j)
      if (sq(i, j) > sq(i, f)) f = j;
    b.factor[static_cast<std::size_t>(i)] = f;
    b.weights(i) = b.factor_weights(f) * sq(i, f) / b.rotated_variance(f);
  }
  b.weights /= b.weights.sum();
}

inline std::string block_label(const std::string& name) {
  return name == "all" ? std::string("all items") : "dimension '" + name + "'";
}

/// Throws when a block's correlations are undefined, naming the item(s) and why.
inline void check_block(const Instrument& ins, const FitAccumulator& acc, const BlockFit& b) {
  const std::string where = "fit_weights: " + block_label(b.name) + ": ";
  const Eigen::MatrixXd C = acc.pair_counts();
  const auto p = static_cast<Eigen::Index>(b.items.size());
  for (Eigen::Index i = 0; i < p; ++i) {
    const Eigen::Index k = b.items[static_cast<std::size_t>(i)];
    if (!(C(k, k) > 0))
      throw std::invalid_argument(where + "item '" + ins.items[static_cast<std::size_t>(k)].id +
                                  "' is never answered in the data");
  }
  if (acc.policy() == MissingPolicy::complete && b.n < 3)
    throw std::invalid_argument(where + "only " + std::to_string(static_cast<long long>(b.n)) +
                                " rows answer every item (complete-case analysis needs at least 3; "
                                "try the pairwise policy)");
  for (Eigen::Index i = 0; i < p; ++i) {
    const std::string& id =
        ins.items[static_cast<std::size_t>(b.items[static_cast<std::size_t>(i)])].id;
    if (std::isnan(b.correlation(i, i)))
      throw std::invalid_argument(
          where + "item '" + id + "' has the same value in every answer " +
          (acc.policy() == MissingPolicy::complete ? "of the complete rows " : "") +
          "(no variance: it cannot be correlated)");
  }
  for (Eigen::Index i = 0; i < p; ++i)
    for (Eigen::Index j = 0; j < i; ++j)
      if (std::isnan(b.correlation(i, j)))
        throw std::invalid_argument(
            where + "the correlation of items '" +
            ins.items[static_cast<std::size_t>(b.items[static_cast<std::size_t>(j)])].id +
            "' and '" +
            ins.items[static_cast<std::size_t>(b.items[static_cast<std::size_t>(i)])].id +
            "' is undefined (never answered in the same row, or one of them is constant where both "
            "are)");
}

inline json::value number_or_null(double x) {
  return std::isfinite(x) ? json::value(x) : json::value(nullptr);
}
inline json::array json_vector(const Eigen::VectorXd& v) {
  json::array a;
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(number_or_null(v(i)));
  return a;
}
inline json::array json_rows(const Eigen::MatrixXd& m) {
  json::array a;
  for (Eigen::Index i = 0; i < m.rows(); ++i) a.push_back(json_vector(m.row(i).transpose()));
  return a;
}

inline json::object block_json(const Instrument& ins, const BlockFit& b) {
  json::object o;
  json::array ids;
  for (const auto k : b.items)
    ids.push_back(json::value(ins.items[static_cast<std::size_t>(k)].id));
  o["items"] = std::move(ids);
  o["n"] = b.n;
  o["eigenvalues"] = json_vector(b.pca.eigenvalues);
  o["explained_variance_ratio"] = json_vector(b.pca.explained_ratio);
  o["loadings"] = json_rows(b.pca.loadings);
  o["kmo"] = number_or_null(b.kmo.overall);
  o["kmo_items"] = json_vector(b.kmo.items);
  if (b.kmo.pseudo_inverse) o["kmo_pseudo_inverse"] = true;
  o["bartlett"] = json::object{{"chi2", number_or_null(b.bartlett.chi2)},
                               {"df", b.bartlett.df},
                               {"p_value", number_or_null(b.bartlett.p_value)},
                               {"n", b.bartlett.n}};
  if (b.kept > 0) {
    o["components_kept"] = b.kept;
    o["rotated_loadings"] = json_rows(b.rotated.loadings);
    o["rotated_variance"] = json_vector(b.rotated_variance);
    o["factor_weights"] = json_vector(b.factor_weights);
    json::array f;
    for (const auto x : b.factor) f.push_back(json::value(x));
    o["assigned_factor"] = std::move(f);
    o["varimax"] =
        json::object{{"iterations", b.rotated.iterations}, {"converged", b.rotated.converged}};
  }
  o["weights"] = json_vector(b.weights);
  return o;
}

}  // namespace detail

/// Fits a weight set to the data in `acc` (see docs/statistics.md for the procedures).
///
/// The returned set is named `opt.name` (default "fitted-<method>"), has source
/// "fitted:<method>", a citation naming the data (rows, instrument tag, options) and the
/// diagnostics (eigenvalues, loadings, KMO, Bartlett per dimension and over all items).
/// Its numbers are those read back from `json`, the text a weight file holds, so a set
/// used from memory and the same set loaded from its file score identically.
/// Throws std::invalid_argument when the data cannot support a fit (no rows, an item
/// never answered or without variance, pairs never answered together).
inline FitResult fit_weights(const Instrument& ins, const FitAccumulator& acc,
                             const FitOptions& opt = {}) {
  if (acc.blocks() != ins.dimensions.size() ||
      acc.moments().columns() != static_cast<Eigen::Index>(ins.items.size()))
    throw std::invalid_argument("fit_weights: the accumulator was made for a different instrument");
  if (!(std::isfinite(opt.min_eigenvalue) && opt.min_eigenvalue >= 0))
    throw std::invalid_argument("fit_weights: min_eigenvalue must be a finite number >= 0");
  if (!(opt.min_cumulative >= 0 && opt.min_cumulative <= 1))
    throw std::invalid_argument("fit_weights: min_cumulative must lie in [0, 1]");
  if (!(acc.rows_used() > 0))
    throw std::invalid_argument(
        "fit_weights: no usable rows (the input is empty, or every row is invalid)");

  FitResult res;
  res.rows = acc.rows();
  res.rows_used = acc.rows_used();
  res.rows_skipped = acc.rows_skipped();
  const auto analyse = [&](std::size_t d, BlockFit& b) {
    b.correlation = acc.correlation(d, b.n);
    detail::check_block(ins, acc, b);
    b.pca = pca(b.correlation);
    b.kmo = kmo(b.correlation);
    b.bartlett = bartlett(b.correlation, b.n);
    const auto p = static_cast<Eigen::Index>(b.items.size());
    switch (opt.method) {
      case FitMethod::equal:
        b.weights = Eigen::VectorXd::Ones(p);
        break;
      case FitMethod::pca_first:
        b.weights = b.pca.vectors.col(0).cwiseAbs();
        b.weights /= b.weights.sum();
        break;
      case FitMethod::oecd_varimax:
        detail::oecd_weights(b, opt);
        break;
    }
    const std::string label = detail::block_label(b.name);
    if (b.kept > 0 && !b.rotated.converged)
      res.warnings.push_back(label + ": varimax did not converge in " +
                             std::to_string(b.rotated.iterations) + " iterations");
    if (b.pca.eigenvalues(p - 1) < -1e-10)
      res.warnings.push_back(label +
                             ": the pairwise correlation matrix is not positive semi-definite "
                             "(smallest eigenvalue " +
                             std::to_string(b.pca.eigenvalues(p - 1)) + ")");
    if (b.kmo.pseudo_inverse)
      res.warnings.push_back(label +
                             ": the correlation matrix is singular (KMO from its pseudo-inverse)");
    // Two items: the partial correlation is the correlation, so KMO is 0.5 by construction.
    if (p >= 3 && b.kmo.overall < 0.5)
      res.warnings.push_back(label + ": KMO " + std::to_string(b.kmo.overall) +
                             " is below 0.5 (Kaiser: unacceptable for a factor analysis)");
    if (p >= 2 && b.bartlett.p_value > 0.05)
      res.warnings.push_back(label + ": Bartlett's test does not reject sphericity (p = " +
                             std::to_string(b.bartlett.p_value) + ")");
  };
  for (std::size_t d = 0; d < ins.dimensions.size(); ++d) {
    BlockFit b;
    b.name = ins.dimensions[d];
    b.items = acc.block_items(d);
    analyse(d, b);
    res.dimensions.push_back(std::move(b));
  }
  res.all.name = "all";
  for (Eigen::Index k = 0; k < static_cast<Eigen::Index>(ins.items.size()); ++k)
    res.all.items.push_back(k);
  analyse(ins.dimensions.size(), res.all);

  WeightSet w;
  w.name = opt.name.empty() ? "fitted-" + std::string(to_string(opt.method)) : opt.name;
  w.source = "fitted:" + std::string(to_string(opt.method));
  // Fitted on provisional answer values, the weights are provisional too.
  w.provisional = ins.provisional;
  const auto whole = [](double x) { return std::to_string(static_cast<long long>(x)); };
  w.citation =
      "fitted by reinscore fit-weights (method " + std::string(to_string(opt.method)) +
      ", composite " + std::string(to_string(opt.composite)) + ", " +
      std::string(to_string(acc.policy())) + " correlations, " +
      (opt.weight_label.empty() ? std::string("unweighted") : "weighted by " + opt.weight_label) +
      ") on " + whole(res.rows_used) + " of " + whole(res.rows) + " rows (" +
      whole(res.rows_skipped) + " invalid rows left out) coded with instrument " + ins.tag();
  w.items.assign(ins.items.size(), ItemWeight{});
  for (const auto& b : res.dimensions)
    for (std::size_t i = 0; i < b.items.size(); ++i)
      w.items[static_cast<std::size_t>(b.items[i])].dimension =
          b.weights(static_cast<Eigen::Index>(i));
  if (opt.composite == CompositeFit::pca) {
    w.mode = CompositeMode::item;
    for (std::size_t k = 0; k < ins.items.size(); ++k)
      w.items[k].composite = res.all.weights(static_cast<Eigen::Index>(k));
  } else {
    w.mode = CompositeMode::dimension;
    std::vector<double> share(ins.dimensions.size(), 1.0);
    if (opt.method != FitMethod::equal) {
      double total = 0;
      for (std::size_t d = 0; d < share.size(); ++d)
        total += share[d] = res.dimensions[d].pca.explained_ratio(0);
      for (auto& s : share) s /= total;
    }
    w.dimension_weights = share;
  }

  namespace json = detail::json;
  json::object diag;
  diag["method"] = to_string(opt.method);
  diag["composite"] = to_string(opt.composite);
  diag["missing"] = to_string(acc.policy());
  diag["weighted"] = opt.weight_label.empty() ? json::value(false) : json::value(opt.weight_label);
  diag["rows"] = res.rows;
  diag["rows_used"] = res.rows_used;
  diag["rows_invalid"] = res.rows_skipped;
  diag["sign_convention"] = "largest-abs-positive";
  if (opt.method == FitMethod::oecd_varimax) {
    diag["min_eigenvalue"] = opt.min_eigenvalue;
    diag["min_cumulative"] = opt.min_cumulative;
    diag["varimax"] = json::object{{"kaiser", opt.varimax.kaiser},
                                   {"tolerance", opt.varimax.tolerance},
                                   {"max_iterations", opt.varimax.max_iterations}};
  }
  json::object blocks;
  for (const auto& b : res.dimensions) blocks[b.name] = detail::block_json(ins, b);
  blocks["all"] = detail::block_json(ins, res.all);
  diag["blocks"] = std::move(blocks);
  if (!res.warnings.empty()) {
    json::array warn;
    for (const auto& s : res.warnings) warn.push_back(json::value(s));
    diag["warnings"] = std::move(warn);
  }
  w.diagnostics = std::move(diag);
  detail::validate_weight_set(ins, w, "weight_sets." + w.name);

  // The file's text, and the set as read back from it: Boost.JSON's parser may differ
  // from the printed shortest form by an ulp, and whoever loads the file gets the
  // read-back numbers, so memory and file must both hold those.
  res.json = detail::pretty(detail::weight_set_to_json(ins, w));
  res.weights =
      detail::parse_weight_set(ins, w.name, detail::parse_text(res.json, "fitted weights"), "");
  detail::validate_weight_set(ins, res.weights, "weight_sets." + w.name);
  return res;
}

}  // namespace reinscore
