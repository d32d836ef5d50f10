// The Rao–Wu rescaling bootstrap for stratified cluster samples (Rao & Wu 1988; Rao,
// Wu & Yue 1992), with the choice m_h = n_h - 1 PSUs drawn with replacement in each
// stratum, and the replicate statistics used by summary.hpp. Replicate b is drawn from
// its own generator, seeded from (master seed, b) only: the replicates are the same on
// every platform and for any number of threads. docs/statistics.md has the formulas.
#pragma once

#include <boost/math/distributions/students_t.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace reinscore {

/// SplitMix64's output function (Steele, Lea & Flood 2014): a bijection of 64-bit words
/// that spreads nearby inputs (seed, replicate index) over the whole range.
constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// The 32-bit seed of the mt19937 of replicate `b` (0-based):
/// the high 32 bits of splitmix64(seed XOR splitmix64(b)).
constexpr std::uint32_t replicate_seed(std::uint64_t seed, std::uint64_t b) noexcept {
  return static_cast<std::uint32_t>(splitmix64(seed ^ splitmix64(b)) >> 32);
}

/// Rescaling factors of replicate `b` for PSUs laid out stratum after stratum
/// (`psus_per_stratum[h]` = n_h, strata in that order, PSUs in their order inside each
/// stratum): the replicate weight of every row of PSU i of stratum h is
/// w * factors[i] with factors[i] = m_hi * n_h / (n_h - 1), where m_hi counts how often
/// PSU i was among the n_h - 1 draws with replacement from the n_h PSUs of stratum h
/// (boost::random::mt19937 seeded with replicate_seed(seed, b), draws by
/// boost::random::uniform_int_distribution over 0..n_h-1, strata in order).
/// A stratum with one PSU keeps factor 1 (it is treated as a certainty PSU).
inline void rao_wu_factors(std::span<const std::size_t> psus_per_stratum, std::uint64_t seed,
                           std::uint64_t b, std::span<double> factors) {
  std::size_t total = 0;
  for (const auto n : psus_per_stratum) total += n;
  if (factors.size() != total)
    throw std::invalid_argument("rao_wu_factors: one factor per PSU is needed (" +
                                std::to_string(total) + ")");
  boost::random::mt19937 gen(replicate_seed(seed, b));
  std::size_t begin = 0;
  for (const auto n : psus_per_stratum) {
    if (n == 0) continue;
    const auto f = factors.subspan(begin, n);
    if (n == 1) {
      f[0] = 1.0;
    } else {
      std::fill(f.begin(), f.end(), 0.0);
      boost::random::uniform_int_distribution<std::uint32_t> pick(
          0, static_cast<std::uint32_t>(n - 1));
      const double scale = static_cast<double>(n) / static_cast<double>(n - 1);
      for (std::size_t d = 0; d + 1 < n; ++d) f[pick(gen)] += 1.0;  // counts m_hi (exact)
      for (auto& x : f) x *= scale;
    }
    begin += n;
  }
}

inline std::vector<double> rao_wu_factors(std::span<const std::size_t> psus_per_stratum,
                                          std::uint64_t seed, std::uint64_t b) {
  std::size_t total = 0;
  for (const auto n : psus_per_stratum) total += n;
  std::vector<double> f(total);
  rao_wu_factors(psus_per_stratum, seed, b, f);
  return f;
}

/// Sample quantile of sorted values by linear interpolation between order statistics
/// (Hyndman & Fan 1996, definition 7; numpy's default): h = (m - 1) p.
inline double quantile_type7(std::span<const double> sorted, double p) noexcept {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const auto hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

/// Summary of the replicate estimates of one statistic: those that exist (a domain can
/// be empty in a replicate; such replicates are left out and counted out of `used`).
struct ReplicateSummary {
  double se = std::numeric_limits<double>::quiet_NaN();  ///< SD, divisor used - 1
  double lo = std::numeric_limits<double>::quiet_NaN();  ///< percentile (1 - level)/2
  double hi = std::numeric_limits<double>::quiet_NaN();  ///< percentile (1 + level)/2
  std::uint32_t used = 0;
};

/// `values` may hold NaN (replicates where the statistic does not exist); reordered.
inline ReplicateSummary summarize_replicates(std::vector<double>& values, double level) {
  ReplicateSummary out;
  const auto end =
      std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); });
  values.erase(end, values.end());
  out.used = static_cast<std::uint32_t>(values.size());
  if (values.size() < 2) return out;
  double mean = 0;
  for (const double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double ss = 0;
  for (const double v : values) ss += (v - mean) * (v - mean);
  out.se = std::sqrt(ss / static_cast<double>(values.size() - 1));
  std::sort(values.begin(), values.end());
  out.lo = quantile_type7(values, (1 - level) / 2);
  out.hi = quantile_type7(values, (1 + level) / 2);
  return out;
}

/// Two-sided quantile t_{df, (1+level)/2} of Student's t (Boost.Math); NaN when df <= 0.
inline double t_quantile(double df, double level) {
  if (!(df > 0) || !(level > 0 && level < 1)) return std::numeric_limits<double>::quiet_NaN();
  return boost::math::quantile(boost::math::students_t(df), (1 + level) / 2);
}

/// Two-sided p-value of t = estimate / se with df degrees of freedom; NaN when undefined.
inline double t_p_value(double estimate, double se, double df) {
  if (!(df > 0) || !(se > 0) || std::isnan(estimate))
    return std::numeric_limits<double>::quiet_NaN();
  const double t = std::abs(estimate / se);
  if (std::isinf(t)) return 0.0;
  return 2 * boost::math::cdf(boost::math::complement(boost::math::students_t(df), t));
}

}  // namespace reinscore
