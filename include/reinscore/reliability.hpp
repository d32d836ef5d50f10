// Internal consistency of the items of each dimension: Cronbach's alpha (raw and
// standardised), alpha if item deleted, item-rest correlations, item means, and ordinal
// alpha on polychoric correlations. Everything comes from mergeable accumulators filled in
// one pass (CoMoments, plus contingency tables for ordinal alpha), so a file streams
// through in chunks and chunks merge in any order. Formulas, references and the
// missing-value policy: docs/statistics.md.
#pragma once

#include <reinscore/comoments.hpp>
#include <reinscore/instrument.hpp>
#include <reinscore/polychoric.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace reinscore {

/// Statistics of one item within its set of k items.
struct ItemAlpha {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  double n =
      0;  ///< rows used: complete rows (complete) or rows where the item is observed (pairwise)
  double mean = nan;  ///< weighted mean of the coded values over those rows
  double sd = nan;    ///< standard deviation (divisor as for covariances, see AlphaAccumulator)
  double item_rest = nan;  ///< correlation of the item with the sum of the other k-1 items
  double alpha_if_deleted = nan;
  double standardized_alpha_if_deleted = nan;
  double ordinal_alpha_if_deleted = nan;  ///< only when ordinal statistics were asked for
};

/// Alpha of a set of k items.
struct AlphaResult {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  Eigen::Index k = 0;
  MissingPolicy missing = MissingPolicy::complete;
  /// Complete: rows with every item observed. Pairwise: the smallest number of rows
  /// behind any covariance (pair of items, or the single item when k = 1).
  double n = 0;
  double weight = 0;                ///< sum of the weights of those rows (pairwise: of that pair)
  double alpha = nan;               ///< raw alpha, from the covariance matrix
  double standardized_alpha = nan;  ///< from the mean inter-item correlation
  double mean_r = nan;              ///< mean inter-item (Pearson) correlation
  double ordinal_alpha = nan;       ///< standardised alpha of the polychoric matrix
  double mean_polychoric = nan;
  std::vector<ItemAlpha> items;
  Eigen::MatrixXd covariance, correlation;
  Eigen::MatrixXd polychoric;  ///< empty unless ordinal statistics were asked for
};

/// Standardised alpha of a correlation matrix R (k x k): k r / (1 + (k-1) r) with r the
/// mean off-diagonal entry, and the same with each item left out.
struct StandardizedAlpha {
  double alpha = std::numeric_limits<double>::quiet_NaN();
  double mean_r = std::numeric_limits<double>::quiet_NaN();
  Eigen::VectorXd if_deleted;  ///< NaN when fewer than 2 items would remain
};

inline StandardizedAlpha standardized_alpha(const Eigen::Ref<const Eigen::MatrixXd>& R) {
  if (R.rows() != R.cols())
    throw std::invalid_argument("standardized_alpha: the correlation matrix must be square, got " +
                                std::to_string(R.rows()) + " x " + std::to_string(R.cols()));
  const Eigen::Index k = R.rows();
  const double kd = static_cast<double>(k);
  StandardizedAlpha out;
  out.if_deleted = Eigen::VectorXd::Constant(k, std::numeric_limits<double>::quiet_NaN());
  if (k < 2) return out;
  const double off = R.sum() - R.diagonal().sum();  // sum over i != j
  out.mean_r = off / (kd * (kd - 1));
  out.alpha = kd * out.mean_r / (1 + (kd - 1) * out.mean_r);
  if (k < 3) return out;
  for (Eigen::Index i = 0; i < k; ++i) {
    const double row_off = R.row(i).sum() - R(i, i) + R.col(i).sum() - R(i, i);
    const double r = (off - row_off) / ((kd - 1) * (kd - 2));
    out.if_deleted(i) = (kd - 1) * r / (1 + (kd - 2) * r);
  }
  return out;
}

/// Raw alpha, alpha if deleted and item-rest correlations from a covariance matrix C:
/// alpha = k/(k-1) (1 - tr C / 1'C1); item-rest r_i = (C1 - C_ii)_i / sqrt(C_ii var(rest_i))
/// with var(rest_i) = 1'C1 - 2 (C1)_i + C_ii.
inline void raw_alpha(const Eigen::Ref<const Eigen::MatrixXd>& C, AlphaResult& out) {
  const Eigen::Index k = C.rows();
  const double kd = static_cast<double>(k);
  const double total = C.sum();
  const double trace = C.diagonal().sum();
  if (k >= 2) out.alpha = kd / (kd - 1) * (1 - trace / total);
  const Eigen::VectorXd row = C.rowwise().sum();
  for (Eigen::Index i = 0; i < k; ++i) {
    auto& it = out.items[static_cast<std::size_t>(i)];
    it.sd = std::sqrt(C(i, i));
    if (k < 2) continue;
    const double rest_var = total - 2 * row(i) + C(i, i);
    const double cov_rest = row(i) - C(i, i);
    it.item_rest = C(i, i) > 0 && rest_var > 0 ? cov_rest / std::sqrt(C(i, i) * rest_var)
                                               : std::numeric_limits<double>::quiet_NaN();
    if (k >= 3) it.alpha_if_deleted = (kd - 1) / (kd - 2) * (1 - (trace - C(i, i)) / rest_var);
  }
}

/// Mergeable accumulator of k item columns (NaN = missing) with optional weights: the
/// CoMoments behind every alpha statistic, the unweighted row counts (for n), and, when
/// `ordinal` is set, the pairwise contingency tables behind polychoric correlations.
///
/// Weights (sampling or frequency): each covariance is the weighted covariance over its
/// rows, sum w (x - mean)(y - mean) / sum w, times n / (n - 1) with n the number of those
/// rows. Without weights (or with equal weights) this is the usual n - 1 divisor of
/// numpy/pandas; with weights every statistic is invariant to their scale.
class AlphaAccumulator {
 public:
  explicit AlphaAccumulator(Eigen::Index k = 0, bool ordinal = false,
                            std::vector<std::string> names = {})
      : m_(k), pair_rows_(Eigen::MatrixXd::Zero(k, k)) {
    if (ordinal) ordinal_.emplace(k, std::move(names));
  }

  Eigen::Index columns() const noexcept { return m_.columns(); }
  bool ordinal() const noexcept { return ordinal_.has_value(); }
  const CoMoments& moments() const noexcept { return m_; }
  const OrdinalTables* tables() const noexcept { return ordinal_ ? &*ordinal_ : nullptr; }
  double rows() const noexcept { return m_.rows(); }
  double weight_sum() const noexcept { return weight_; }

  void add(const Eigen::Ref<const Eigen::MatrixXd>& x,
           const Eigen::Ref<const Eigen::VectorXd>& w = Eigen::VectorXd()) {
    // Both check shapes and weights before changing anything; the tables also reject
    // too many categories, so they go first and nothing is half added.
    if (ordinal_) ordinal_->add(x, w);
    m_.add(x, w);
    const Eigen::Index k = x.cols();
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
      const double weight = w.size() ? w(r) : 1.0;
      weight_ += weight;
      bool complete = true;
      for (Eigen::Index i = 0; i < k; ++i) {
        if (std::isnan(x(r, i))) {
          complete = false;
          continue;
        }
        for (Eigen::Index j = i; j < k; ++j)
          if (!std::isnan(x(r, j))) pair_rows_(i, j) += 1;
      }
      if (complete) complete_weight_ += weight;
    }
  }

  void merge(const AlphaAccumulator& o) {
    if (o.ordinal() != ordinal())
      throw std::invalid_argument(
          "AlphaAccumulator::merge: one accumulator has ordinal tables, the other not");
    m_.merge(o.m_);  // checks the number of columns
    if (ordinal_) ordinal_->merge(*o.ordinal_);
    pair_rows_ += o.pair_rows_;
    weight_ += o.weight_;
    complete_weight_ += o.complete_weight_;
  }

  AlphaResult result(MissingPolicy policy = MissingPolicy::complete) const {
    const Eigen::Index k = columns();
    AlphaResult out;
    out.k = k;
    out.missing = policy;
    out.items.resize(static_cast<std::size_t>(k));
    const Eigen::MatrixXd& W = m_.pair_weights();
    // Unweighted rows behind entry (i, j) of the covariance matrix.
    Eigen::MatrixXd rows(k, k);
    if (policy == MissingPolicy::complete) {
      rows.setConstant(m_.complete_rows());
      out.n = m_.complete_rows();
      out.weight = complete_weight_;
    } else {
      rows = pair_rows_.selfadjointView<Eigen::Upper>();
      // The smallest count behind an inter-item covariance (the item itself when k = 1).
      out.n = k > 0 ? std::numeric_limits<double>::infinity() : 0;
      for (Eigen::Index i = 0; i < k; ++i)
        for (Eigen::Index j = k > 1 ? i + 1 : i; j < k; ++j)
          if (rows(i, j) < out.n) {
            out.n = rows(i, j);
            out.weight = W(i, j);
          }
    }
    if (k == 0) return out;
    for (Eigen::Index i = 0; i < k; ++i) out.items[static_cast<std::size_t>(i)].n = rows(i, i);
    const Eigen::VectorXd means = m_.means(policy);
    for (Eigen::Index i = 0; i < k; ++i)
      out.items[static_cast<std::size_t>(i)].mean = rows(i, i) > 0 ? means(i) : AlphaResult::nan;
    // Weighted covariance over the entry's rows (divisor: their sum of weights) times
    // n / (n - 1): the usual n - 1 divisor without weights, and invariant to the scale
    // of the weights. Undefined (NaN) behind fewer than two rows or no weight.
    out.covariance = m_.covariance(policy, 0);
    out.correlation = m_.correlation(policy);
    for (Eigen::Index i = 0; i < k; ++i)
      for (Eigen::Index j = 0; j < k; ++j) {
        const double n = rows(i, j);
        const double w = policy == MissingPolicy::complete ? complete_weight_ : W(i, j);
        if (n < 2 || !(w > 0)) {
          out.covariance(i, j) = out.correlation(i, j) = AlphaResult::nan;
        } else {
          out.covariance(i, j) *= n / (n - 1);
        }
      }
    raw_alpha(out.covariance, out);
    const auto st = standardized_alpha(out.correlation);
    out.standardized_alpha = st.alpha;
    out.mean_r = st.mean_r;
    for (Eigen::Index i = 0; i < k; ++i)
      out.items[static_cast<std::size_t>(i)].standardized_alpha_if_deleted = st.if_deleted(i);
    if (ordinal_) {
      out.polychoric = ordinal_->polychoric(policy);
      const auto sp = standardized_alpha(out.polychoric);
      out.ordinal_alpha = sp.alpha;
      out.mean_polychoric = sp.mean_r;
      for (Eigen::Index i = 0; i < k; ++i)
        out.items[static_cast<std::size_t>(i)].ordinal_alpha_if_deleted = sp.if_deleted(i);
    }
    return out;
  }

 private:
  CoMoments m_;
  Eigen::MatrixXd pair_rows_;  // unweighted rows with i and j observed (upper triangle)
  double weight_ = 0, complete_weight_ = 0;
  std::optional<OrdinalTables> ordinal_;
};

/// Alpha of one dimension of an instrument.
struct DimensionReliability {
  std::string dimension;
  std::vector<std::size_t> items;  ///< indices into Instrument::items, in instrument order
  AlphaResult alpha;               ///< items[i] of alpha is items[i] here
};

struct ReliabilityReport {
  std::string instrument;  ///< Instrument::tag()
  MissingPolicy missing = MissingPolicy::complete;
  bool ordinal = false;
  double rows = 0;  ///< rows added (rows left out by `keep` not counted)
  std::vector<DimensionReliability> dimensions;  ///< in instrument order
  std::vector<std::size_t> left_out;             ///< items excluded by ReliabilityOptions::include
};

struct ReliabilityOptions {
  MissingPolicy missing = MissingPolicy::complete;
  bool ordinal = false;
  /// Empty, or one flag per instrument item: false leaves the item out of its dimension
  /// (e.g. an item with no column in the input).
  std::vector<bool> include;
};

/// Reliability of every dimension of an instrument over coded interviews: one
/// AlphaAccumulator per dimension over the dimension's items.
class ReliabilityAccumulator {
 public:
  explicit ReliabilityAccumulator(const Instrument& ins, ReliabilityOptions opt = {})
      : opt_(std::move(opt)), tag_(ins.tag()), items_(ins.items.size()) {
    if (!opt_.include.empty() && opt_.include.size() != ins.items.size())
      throw std::invalid_argument("ReliabilityAccumulator: 'include' has " +
                                  std::to_string(opt_.include.size()) + " flags, the instrument '" +
                                  ins.id + "' has " + std::to_string(ins.items.size()) + " items");
    for (std::size_t d = 0; d < ins.dimensions.size(); ++d) {
      DimensionReliability dim;
      dim.dimension = ins.dimensions[d];
      std::vector<std::string> names;
      for (std::size_t k = 0; k < ins.items.size(); ++k) {
        if (ins.items[k].dimension != dim.dimension) continue;
        if (!opt_.include.empty() && !opt_.include[k]) continue;
        dim.items.push_back(k);
        names.push_back(ins.items[k].id);
      }
      acc_.emplace_back(static_cast<Eigen::Index>(dim.items.size()), opt_.ordinal,
                        std::move(names));
      dims_.push_back(std::move(dim));
    }
    for (std::size_t k = 0; k < opt_.include.size(); ++k)
      if (!opt_.include[k]) left_out_.push_back(k);
  }

  const ReliabilityOptions& options() const noexcept { return opt_; }

  /// Adds coded rows: `values` is rows x instrument items (CodedBlock::values, NaN
  /// unless answered); `weights` empty or one per row; `keep` empty or one flag per row
  /// (0 leaves the row out entirely, e.g. an invalid interview).
  void add(const Eigen::Ref<const Eigen::MatrixXd>& values,
           const Eigen::Ref<const Eigen::VectorXd>& weights = Eigen::VectorXd(),
           std::span<const std::uint8_t> keep = {}) {
    const Eigen::Index n = values.rows();
    if (static_cast<std::size_t>(values.cols()) != items_)
      throw std::invalid_argument("ReliabilityAccumulator::add: expected " +
                                  std::to_string(items_) + " item columns, got " +
                                  std::to_string(values.cols()));
    if (weights.size() != 0 && weights.size() != n)
      throw std::invalid_argument("ReliabilityAccumulator::add: " + std::to_string(weights.size()) +
                                  " weights for " + std::to_string(n) + " rows");
    if (!keep.empty() && static_cast<Eigen::Index>(keep.size()) != n)
      throw std::invalid_argument("ReliabilityAccumulator::add: " + std::to_string(keep.size()) +
                                  " keep flags for " + std::to_string(n) + " rows");
    std::vector<Eigen::Index> rows;
    rows.reserve(static_cast<std::size_t>(n));
    for (Eigen::Index r = 0; r < n; ++r)
      if (keep.empty() || keep[static_cast<std::size_t>(r)]) rows.push_back(r);
    const auto m = static_cast<Eigen::Index>(rows.size());
    Eigen::VectorXd w;
    if (weights.size()) {
      w.resize(m);
      for (Eigen::Index r = 0; r < m; ++r) {
        w(r) = weights(rows[static_cast<std::size_t>(r)]);
        if (!(w(r) >= 0) || !std::isfinite(w(r)))
          throw std::invalid_argument("ReliabilityAccumulator::add: the weight of row " +
                                      std::to_string(rows[static_cast<std::size_t>(r)]) +
                                      " of this block is not a finite number >= 0");
      }
    }
    // With ordinal tables a later dimension can still throw (too many categories): add
    // to copies and keep them only when every dimension succeeded.
    std::vector<AlphaAccumulator> copies;
    if (opt_.ordinal) copies = acc_;
    auto& target = opt_.ordinal ? copies : acc_;
    for (std::size_t d = 0; d < dims_.size(); ++d) {
      const auto& idx = dims_[d].items;
      Eigen::MatrixXd x(m, static_cast<Eigen::Index>(idx.size()));
      for (std::size_t j = 0; j < idx.size(); ++j)
        for (Eigen::Index r = 0; r < m; ++r)
          x(r, static_cast<Eigen::Index>(j)) =
              values(rows[static_cast<std::size_t>(r)], static_cast<Eigen::Index>(idx[j]));
      target[d].add(x, w);
    }
    if (opt_.ordinal) acc_ = std::move(copies);
    rows_ += static_cast<double>(m);
  }

  void merge(const ReliabilityAccumulator& o) {
    if (o.tag_ != tag_ || o.dims_.size() != dims_.size() || o.opt_.include != opt_.include ||
        o.opt_.ordinal != opt_.ordinal)
      throw std::invalid_argument(
          "ReliabilityAccumulator::merge: accumulators of different instruments or options");
    for (std::size_t d = 0; d < acc_.size(); ++d) acc_[d].merge(o.acc_[d]);
    rows_ += o.rows_;
  }

  ReliabilityReport report() const {
    ReliabilityReport out;
    out.instrument = tag_;
    out.missing = opt_.missing;
    out.ordinal = opt_.ordinal;
    out.rows = rows_;
    out.left_out = left_out_;
    for (std::size_t d = 0; d < dims_.size(); ++d) {
      DimensionReliability dim = dims_[d];
      dim.alpha = acc_[d].result(opt_.missing);
      out.dimensions.push_back(std::move(dim));
    }
    return out;
  }

 private:
  ReliabilityOptions opt_;
  std::string tag_;
  std::size_t items_;
  std::vector<DimensionReliability> dims_;
  std::vector<AlphaAccumulator> acc_;
  std::vector<std::size_t> left_out_;
  double rows_ = 0;
};

}  // namespace reinscore
