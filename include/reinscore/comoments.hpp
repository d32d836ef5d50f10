// Mergeable co-moments of k columns with missing values: the basis of correlations,
// covariances, PCA weights and reliability. Pairwise-complete and complete-case
// statistics come from the same pass.
#pragma once

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace reinscore {

enum class MissingPolicy {
  pairwise,  ///< each pair over the rows where both are observed (pandas DataFrame.corr)
  complete,  ///< only rows where every column is observed (listwise deletion)
};

/// "complete" or "pairwise".
inline std::string_view missing_policy_name(MissingPolicy p) noexcept {
  return p == MissingPolicy::complete ? "complete" : "pairwise";
}
/// Parses "complete" (also "listwise") or "pairwise"; `what` names the option in the
/// message. The one parser of the policy (fit and reliability share it).
inline MissingPolicy parse_missing_policy(std::string_view s, std::string_view what = "missing") {
  if (s == "complete" || s == "listwise") return MissingPolicy::complete;
  if (s == "pairwise") return MissingPolicy::pairwise;
  throw std::invalid_argument(std::string(what) + ": unknown missing-value policy '" +
                              std::string(s) + "' (expected complete or pairwise)");
}

/// Weighted sums over the rows where columns i and j are both observed, kept as k x k
/// matrices: W(i,j) = sum w, S(i,j) = sum w x_i, P(i,j) = sum w x_i^2, Q(i,j) = sum w x_i x_j,
/// plus the same for complete rows only. Values are shifted by a fixed `shift` (0.5
/// suits values in [0, 1]) to keep the sums well conditioned; the shift is the same
/// for every chunk, so add() and merge() in any order give the same result to rounding.
class CoMoments {
 public:
  explicit CoMoments(Eigen::Index k = 0, double shift = 0.5) : k_(k), shift_(shift) { reset(); }

  Eigen::Index columns() const noexcept { return k_; }

  /// Adds rows of `x` (n x k, NaN = missing) with optional frequency/sampling weights.
  void add(const Eigen::Ref<const Eigen::MatrixXd>& x,
           const Eigen::Ref<const Eigen::VectorXd>& w = Eigen::VectorXd()) {
    if (x.cols() != k_)
      throw std::invalid_argument("CoMoments::add: expected " + std::to_string(k_) +
                                  " columns, got " + std::to_string(x.cols()));
    const Eigen::Index n = x.rows();
    if (w.size() != 0 && w.size() != n)
      throw std::invalid_argument("CoMoments::add: one weight per row is needed");
    Eigen::MatrixXd M(n, k_), X(n, k_);
    Eigen::VectorXd weight = w.size() ? Eigen::VectorXd(w) : Eigen::VectorXd::Ones(n);
    Eigen::VectorXd complete = Eigen::VectorXd::Ones(n);
    for (Eigen::Index r = 0; r < n; ++r) {
      if (!(weight(r) >= 0) || !std::isfinite(weight(r)))
        throw std::invalid_argument("CoMoments::add: weights must be finite and >= 0 (row " +
                                    std::to_string(r) + ")");
    }
    for (Eigen::Index j = 0; j < k_; ++j)
      for (Eigen::Index r = 0; r < n; ++r) {
        const double v = x(r, j);
        const bool seen = !std::isnan(v);
        M(r, j) = seen ? 1.0 : 0.0;
        X(r, j) = seen ? v - shift_ : 0.0;
        if (!seen) complete(r) = 0.0;
      }
    const Eigen::MatrixXd WM = weight.asDiagonal() * M;
    const Eigen::MatrixXd WX = weight.asDiagonal() * X;
    W_.noalias() += M.transpose() * WM;
    S_.noalias() += X.transpose() * WM;
    P_.noalias() += X.cwiseProduct(X).transpose() * WM;
    Q_.noalias() += X.transpose() * WX;
    const Eigen::VectorXd wc = weight.cwiseProduct(complete);
    cw_ += wc.sum();
    cs_.noalias() += X.transpose() * wc;
    cq_.noalias() += X.transpose() * wc.asDiagonal() * X;
    rows_ += static_cast<double>(n);
    complete_rows_ += complete.sum();
  }

  void merge(const CoMoments& o) {
    if (o.k_ != k_ || o.shift_ != shift_)
      throw std::invalid_argument("CoMoments::merge: different columns or shift");
    W_ += o.W_;
    S_ += o.S_;
    P_ += o.P_;
    Q_ += o.Q_;
    cw_ += o.cw_;
    cs_ += o.cs_;
    cq_ += o.cq_;
    rows_ += o.rows_;
    complete_rows_ += o.complete_rows_;
  }

  double rows() const noexcept { return rows_; }
  double complete_rows() const noexcept { return complete_rows_; }
  /// Sum of weights over rows where i and j are both observed (diagonal: i observed).
  const Eigen::MatrixXd& pair_weights() const noexcept { return W_; }

  /// Weighted means (over the rows where each column is observed, or complete rows).
  Eigen::VectorXd means(MissingPolicy policy = MissingPolicy::pairwise) const {
    if (policy == MissingPolicy::complete) return (cs_ / cw_).array() + shift_;
    return (S_.diagonal().array() / W_.diagonal().array()) + shift_;
  }

  /// Covariance matrix; `ddof` 1 divides by (sum of weights - 1) as numpy/pandas do for
  /// frequency weights, 0 by the sum of weights.
  Eigen::MatrixXd covariance(MissingPolicy policy = MissingPolicy::pairwise,
                             double ddof = 1) const {
    Eigen::MatrixXd C(k_, k_);
    if (policy == MissingPolicy::complete) {
      const Eigen::VectorXd m = cs_ / cw_;
      C = (cq_ - cw_ * m * m.transpose()) / (cw_ - ddof);
      return C;
    }
    for (Eigen::Index i = 0; i < k_; ++i)
      for (Eigen::Index j = 0; j < k_; ++j) {
        const double w = W_(i, j);
        C(i, j) = w > ddof ? (Q_(i, j) - S_(i, j) * S_(j, i) / w) / (w - ddof)
                           : std::numeric_limits<double>::quiet_NaN();
      }
    return C;
  }

  /// Correlation matrix. Pairwise: each entry uses the means and variances of its own
  /// pair of columns over their common rows (as pandas' DataFrame.corr does).
  Eigen::MatrixXd correlation(MissingPolicy policy = MissingPolicy::pairwise) const {
    Eigen::MatrixXd R(k_, k_);
    if (policy == MissingPolicy::complete) {
      const Eigen::MatrixXd C = covariance(policy, 0);
      const Eigen::VectorXd sd = C.diagonal().cwiseSqrt();
      R = C.array() / (sd * sd.transpose()).array();
      return R;
    }
    for (Eigen::Index i = 0; i < k_; ++i)
      for (Eigen::Index j = 0; j < k_; ++j) {
        const double w = W_(i, j);
        if (!(w > 0)) {
          R(i, j) = std::numeric_limits<double>::quiet_NaN();
          continue;
        }
        const double cov = Q_(i, j) - S_(i, j) * S_(j, i) / w;
        const double vi = P_(i, j) - S_(i, j) * S_(i, j) / w;
        const double vj = P_(j, i) - S_(j, i) * S_(j, i) / w;
        R(i, j) = i == j ? (vi > 0 ? 1.0 : std::numeric_limits<double>::quiet_NaN())
                         : cov / std::sqrt(vi * vj);
      }
    return R;
  }

 private:
  void reset() {
    W_ = S_ = P_ = Q_ = Eigen::MatrixXd::Zero(k_, k_);
    cs_ = Eigen::VectorXd::Zero(k_);
    cq_ = Eigen::MatrixXd::Zero(k_, k_);
  }
  Eigen::Index k_;
  double shift_;
  Eigen::MatrixXd W_, S_, P_, Q_;  // pairwise sums (S, P: row index is the summed column)
  double cw_ = 0;                  // complete rows: sum of weights
  Eigen::VectorXd cs_;             // complete rows: sum w x
  Eigen::MatrixXd cq_;             // complete rows: sum w x x'
  double rows_ = 0, complete_rows_ = 0;
};

}  // namespace reinscore
