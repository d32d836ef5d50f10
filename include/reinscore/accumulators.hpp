// Mergeable accumulators: add data in any chunks, merge partial results from threads or
// files, and get the same answer (to rounding) however the data were split.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace reinscore {

/// Weighted count, mean and variance (West 1979 / Chan et al. 1979 updates). Missing
/// (NaN) values are counted separately and never enter the moments.
class Moments {
 public:
  void add(double x, double w = 1.0) noexcept {
    ++rows_;
    if (std::isnan(x)) {
      ++missing_;
      return;
    }
    if (!(w > 0)) return;
    ++n_;
    const double sw = sw_ + w;
    const double delta = x - mean_;
    mean_ += delta * (w / sw);
    m2_ += w * delta * (x - mean_);
    sw_ = sw;
    sw2_ += w * w;
  }

  void merge(const Moments& o) noexcept {
    rows_ += o.rows_;
    missing_ += o.missing_;
    if (o.n_ == 0) return;
    if (n_ == 0) {
      n_ = o.n_;
      sw_ = o.sw_;
      sw2_ = o.sw2_;
      mean_ = o.mean_;
      m2_ = o.m2_;
      return;
    }
    const double sw = sw_ + o.sw_;
    const double delta = o.mean_ - mean_;
    mean_ += delta * (o.sw_ / sw);
    m2_ += o.m2_ + delta * delta * sw_ * o.sw_ / sw;
    n_ += o.n_;
    sw_ = sw;
    sw2_ += o.sw2_;
  }

  std::uint64_t rows() const noexcept { return rows_; }  ///< values seen, missing included
  std::uint64_t missing() const noexcept { return missing_; }
  std::uint64_t count() const noexcept { return n_; }  ///< non-missing values
  double sum_weights() const noexcept { return sw_; }
  double mean() const noexcept { return n_ ? mean_ : std::numeric_limits<double>::quiet_NaN(); }
  /// Unbiased for frequency weights (divisor sum of weights - 1).
  double variance() const noexcept {
    return sw_ > 1 ? m2_ / (sw_ - 1) : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  std::uint64_t rows_ = 0, missing_ = 0, n_ = 0;
  double sw_ = 0, sw2_ = 0, mean_ = 0, m2_ = 0;
};

/// Counts per category index (0..k-1).
class CategoryCounts {
 public:
  explicit CategoryCounts(std::size_t k = 0) : counts_(k, 0) {}
  void add(std::size_t category) {
    if (category >= counts_.size()) counts_.resize(category + 1, 0);
    ++counts_[category];
    ++total_;
  }
  void merge(const CategoryCounts& o) {
    if (o.counts_.size() > counts_.size()) counts_.resize(o.counts_.size(), 0);
    for (std::size_t i = 0; i < o.counts_.size(); ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
  }
  std::uint64_t count(std::size_t category) const noexcept {
    return category < counts_.size() ? counts_[category] : 0;
  }
  std::uint64_t total() const noexcept { return total_; }
  double share(std::size_t category) const noexcept {
    return total_ ? static_cast<double>(count(category)) / static_cast<double>(total_)
                  : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
};

}  // namespace reinscore
