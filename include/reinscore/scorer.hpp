// Scoring: coded block -> dimension scores, composite, coverage, status, lowest
// dimension and category; and per-item contributions for one interview.
#pragma once

#include <reinscore/coder.hpp>
#include <reinscore/instrument.hpp>

#include <Eigen/Core>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace reinscore {

enum class Status : std::uint8_t {
  complete,      ///< every applicable item answered
  partial,       ///< some items missing, every dimension above the coverage rule
  insufficient,  ///< at least one dimension below the coverage rule: its score is missing
  invalid,       ///< an answer could not be read (or the row is malformed): no scores
};

inline constexpr std::array<std::string_view, 4> status_names = {"complete", "partial",
                                                                 "insufficient", "invalid"};
constexpr std::string_view to_string(Status s) noexcept {
  return status_names[static_cast<std::size_t>(s)];
}

/// Scores of a block of interviews. Missing scores are NaN; lowest and category are -1
/// when not defined.
struct ScoreBlock {
  Eigen::MatrixXd dimension;  ///< n x D
  Eigen::VectorXd composite;  ///< n
  Eigen::MatrixXd coverage;   ///< n x D, answered weight / applicable weight
  std::vector<Status> status;
  std::vector<int> lowest;    ///< index of the lowest dimension
  std::vector<int> category;  ///< index into Thresholds::categories

  Eigen::Index rows() const noexcept { return composite.size(); }
};

/// One item's share in one interview's scores.
struct Contribution {
  std::size_t item = 0;
  std::size_t dimension = 0;
  Reason reason = Reason::skipped;
  double value = std::numeric_limits<double>::quiet_NaN();
  // All NaN when the item does not enter the score (unanswered, or its dimension or the
  // composite has no score).
  double weight = 0;        ///< normalised weight among answered items of its dimension
  double to_dimension = 0;  ///< weight * value: the contributions sum to the score
  double lost = 0;          ///< weight * (1 - value): what the item costs the score
  double to_composite = 0;  ///< contribution to the composite (sums to it)
};

/// Scores coded blocks with one weight set of an instrument. Scores are weighted means
/// over the answered items: numerator V0·W, denominator A·W (V0: values with missing set
/// to 0, A: answered mask), so weights need not sum to one.
class Scorer {
 public:
  explicit Scorer(const Instrument& ins, std::string_view weights = {})
      : Scorer(ins, ins.weights(weights)) {}

  Scorer(const Instrument& ins, const WeightSet& w)
      : dims_(static_cast<Eigen::Index>(ins.dimensions.size())),
        items_(static_cast<Eigen::Index>(ins.items.size())),
        min_share_(ins.coverage_min_share),
        mode_(w.mode) {
    Wd_ = Eigen::MatrixXd::Zero(items_, dims_);
    wc_ = Eigen::VectorXd::Zero(items_);
    item_dim_.resize(ins.items.size());
    for (std::size_t k = 0; k < ins.items.size(); ++k) {
      const auto d = ins.dimension_index(ins.items[k].dimension);
      item_dim_[k] = d;
      Wd_(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(d)) = w.items[k].dimension;
      if (w.mode == CompositeMode::item) wc_(static_cast<Eigen::Index>(k)) = *w.items[k].composite;
    }
    a_ = Eigen::VectorXd::Zero(dims_);
    if (w.mode == CompositeMode::dimension)
      for (Eigen::Index d = 0; d < dims_; ++d)
        a_(d) = w.dimension_weights[static_cast<std::size_t>(d)];
    if (ins.thresholds) {
      for (const auto& c : ins.thresholds->categories) cuts_.push_back(c.min);
      threshold_dim_ = ins.thresholds->score == "composite"
                           ? -1
                           : static_cast<int>(ins.dimension_index(ins.thresholds->score));
    }
  }

  Eigen::Index dimensions() const noexcept { return dims_; }
  Eigen::Index items() const noexcept { return items_; }

  void score(const CodedBlock& in, ScoreBlock& out) const {
    if (in.items() != items_)
      throw std::invalid_argument("Scorer::score: coded block has " + std::to_string(in.items()) +
                                  " item columns, the instrument has " + std::to_string(items_));
    const Eigen::Index n = in.rows();
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    // num = V0·Wd, den = A·Wd and inapplicable = NA·Wd, where V0 is the values with
    // missing cells as 0, A the answered mask and NA the not-applicable mask. Each item
    // belongs to one dimension, so the products are accumulated item by item over
    // contiguous columns instead of materialising three n x k masks (which cost more in
    // memory traffic than the arithmetic; benchmarks/RESULTS.md).
    Eigen::MatrixXd num = Eigen::MatrixXd::Zero(n, dims_), den = Eigen::MatrixXd::Zero(n, dims_),
                    inapplicable = Eigen::MatrixXd::Zero(n, dims_);
    Eigen::VectorXd numc, denc;
    if (mode_ == CompositeMode::item) {
      numc = Eigen::VectorXd::Zero(n);
      denc = Eigen::VectorXd::Zero(n);
    }
    std::vector<char> row_invalid(static_cast<std::size_t>(n), 0),
        row_gap(static_cast<std::size_t>(n), 0);
    for (Eigen::Index k = 0; k < items_; ++k) {
      const auto d = static_cast<Eigen::Index>(item_dim_[static_cast<std::size_t>(k)]);
      const double w = Wd_(k, d), wc = wc_(k);
      const double* v = in.values.col(k).data();
      const std::uint8_t* why = in.reasons.col(k).data();
      double* nd = num.col(d).data();
      double* dd = den.col(d).data();
      double* id = inapplicable.col(d).data();
      for (Eigen::Index r = 0; r < n; ++r) {
        const auto reason = static_cast<Reason>(why[r]);
        if (reason == Reason::answered) {
          nd[r] += w * v[r];
          dd[r] += w;
          if (mode_ == CompositeMode::item) {
            numc(r) += wc * v[r];
            denc(r) += wc;
          }
        } else if (reason == Reason::not_applicable) {
          id[r] += w;
        } else if (is_invalid(reason)) {
          row_invalid[static_cast<std::size_t>(r)] = 1;
        } else {
          row_gap[static_cast<std::size_t>(r)] = 1;
        }
      }
    }
    const Eigen::RowVectorXd total = Wd_.colwise().sum();

    out.dimension.resize(n, dims_);
    out.coverage.resize(n, dims_);
    out.composite.resize(n);
    out.status.assign(static_cast<std::size_t>(n), Status::complete);
    out.lowest.assign(static_cast<std::size_t>(n), -1);
    out.category.assign(static_cast<std::size_t>(n), -1);

    const double asum = a_.sum();
    for (Eigen::Index r = 0; r < n; ++r) {
      const auto ru = static_cast<std::size_t>(r);
      if (row_invalid[ru]) {
        out.dimension.row(r).setConstant(nan);
        out.coverage.row(r).setConstant(nan);
        out.composite(r) = nan;
        out.status[ru] = Status::invalid;
        continue;
      }
      bool all = true;
      for (Eigen::Index d = 0; d < dims_; ++d) {
        const double applicable = total(d) - inapplicable(r, d);
        const double cov = applicable > 0 ? den(r, d) / applicable : 0.0;
        out.coverage(r, d) = cov;
        // The tolerance keeps exactly-half coverage (e.g. 0.7+0.1 of 1.6) from failing on rounding.
        const bool ok = applicable > 0 && den(r, d) > 0 && cov >= min_share_ - 1e-12;
        out.dimension(r, d) = ok ? num(r, d) / den(r, d) : nan;
        all = all && ok;
      }
      if (!all) {
        out.composite(r) = nan;
        out.status[ru] = Status::insufficient;
      } else {
        out.composite(r) = mode_ == CompositeMode::item ? (denc(r) > 0 ? numc(r) / denc(r) : nan)
                                                        : out.dimension.row(r).dot(a_) / asum;
        out.status[ru] = row_gap[ru] ? Status::partial : Status::complete;
        // Lowest dimension only when all are known; ties go to the first in order.
        Eigen::Index lo = 0;
        for (Eigen::Index d = 1; d < dims_; ++d)
          if (out.dimension(r, d) < out.dimension(r, lo)) lo = d;
        out.lowest[ru] = static_cast<int>(lo);
      }
      if (!cuts_.empty()) {
        const double s = threshold_dim_ < 0 ? out.composite(r) : out.dimension(r, threshold_dim_);
        if (!std::isnan(s)) {
          int c = 0;
          // A tiny tolerance so that e.g. 0.1+0.2+0.2 counts as reaching a cut at 0.5.
          for (std::size_t i = 0; i < cuts_.size(); ++i)
            if (s >= cuts_[i] - 1e-12) c = static_cast<int>(i);
          out.category[ru] = c;
        }
      }
    }
  }

  /// Per-item contributions of row `r` of a coded block (scored with this weight set).
  std::vector<Contribution> explain(const CodedBlock& in, Eigen::Index r) const {
    CodedBlock one;
    one.resize(1, items_);
    one.values.row(0) = in.values.row(r);
    one.reasons.row(0) = in.reasons.row(r);
    ScoreBlock s;
    score(one, s);
    return explain(one, 0, s);
  }

  /// Same, for row `r` of a block already scored into `scored` by this scorer (no
  /// rescoring: what batch writers use for every row). A row marked invalid in `scored`
  /// (e.g. a malformed input row) has nothing to attribute.
  std::vector<Contribution> explain(const CodedBlock& in, Eigen::Index r,
                                    const ScoreBlock& scored) const {
    const auto ru = static_cast<std::size_t>(r);
    std::vector<Contribution> out(static_cast<std::size_t>(items_));
    Eigen::VectorXd den = Eigen::VectorXd::Zero(dims_);
    double denc = 0;
    for (Eigen::Index k = 0; k < items_; ++k) {
      if (in.reason(r, k) != Reason::answered) continue;
      den(static_cast<Eigen::Index>(item_dim_[static_cast<std::size_t>(k)])) +=
          Wd_(k, static_cast<Eigen::Index>(item_dim_[static_cast<std::size_t>(k)]));
      denc += wc_(k);
    }
    const double asum = a_.sum();
    for (Eigen::Index k = 0; k < items_; ++k) {
      auto& c = out[static_cast<std::size_t>(k)];
      const auto d = static_cast<Eigen::Index>(item_dim_[static_cast<std::size_t>(k)]);
      c.item = static_cast<std::size_t>(k);
      c.dimension = static_cast<std::size_t>(d);
      c.reason = in.reason(r, k);
      c.value = in.values(r, k);
      if (c.reason != Reason::answered || scored.status[ru] == Status::invalid ||
          std::isnan(scored.dimension(r, d))) {
        // Nothing to attribute: the item is unanswered or its dimension has no score.
        c.weight = c.to_dimension = c.lost = c.to_composite =
            std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      c.weight = Wd_(k, d) / den(d);
      c.to_dimension = c.weight * c.value;
      c.lost = c.weight * (1.0 - c.value);
      c.to_composite = std::numeric_limits<double>::quiet_NaN();
      if (!std::isnan(scored.composite(r)))
        c.to_composite =
            mode_ == CompositeMode::item ? wc_(k) * c.value / denc : a_(d) / asum * c.to_dimension;
    }
    return out;
  }

 private:
  Eigen::Index dims_, items_;
  double min_share_;
  CompositeMode mode_;
  Eigen::MatrixXd Wd_;
  Eigen::VectorXd wc_, a_;
  std::vector<std::size_t> item_dim_;
  std::vector<double> cuts_;
  Eigen::Index threshold_dim_ = -1;
};

}  // namespace reinscore
