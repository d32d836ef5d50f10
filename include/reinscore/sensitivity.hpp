// Sensitivity of the composite to the weights: Monte Carlo over weight sets (each weight
// perturbed within a relative bound and renormalised, or one of the fitting methods drawn
// at random, or both), with per-interview intervals of the composite and the share of
// interviews whose category changes. Deterministic for a seed whatever the number of
// threads: every replicate has its own generator, seeded from (seed, replicate).
// Formulas and conventions: docs/statistics.md.
#pragma once

#include <reinscore/coder.hpp>
#include <reinscore/detail/json.hpp>
#include <reinscore/instrument.hpp>
#include <reinscore/scorer.hpp>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace reinscore {

enum class SensitivityMode {
  perturb,  ///< the base weight set, every weight times U(1 - bound, 1 + bound), renormalised
  methods,  ///< one of the alternative (fitted) sets, drawn with equal probability
  both,     ///< an alternative drawn, then perturbed
};
inline constexpr std::array<std::string_view, 3> sensitivity_mode_names = {"perturb", "methods",
                                                                           "both"};
constexpr std::string_view to_string(SensitivityMode m) noexcept {
  return sensitivity_mode_names[static_cast<std::size_t>(m)];
}
inline SensitivityMode parse_sensitivity_mode(std::string_view s) {
  for (std::size_t i = 0; i < sensitivity_mode_names.size(); ++i)
    if (s == sensitivity_mode_names[i]) return static_cast<SensitivityMode>(i);
  throw std::invalid_argument("sensitivity mode '" + std::string(s) +
                              "' is unknown (expected perturb, methods or both)");
}

struct SensitivityOptions {
  std::size_t draws = 1000;
  double bound = 0.2;  ///< relative perturbation: factors U(1 - bound, 1 + bound), 0 <= bound < 1
  std::uint64_t seed = 1;
  SensitivityMode mode = SensitivityMode::perturb;
  double level = 0.90;  ///< central interval: quantiles (1 - level)/2 and (1 + level)/2

  void validate() const {
    if (draws == 0) throw std::invalid_argument("sensitivity: draws must be at least 1");
    if (!(bound >= 0 && bound < 1))
      throw std::invalid_argument(
          "sensitivity: bound must lie in [0, 1) (a factor 1 - bound must stay positive)");
    if (!(level > 0 && level < 1))
      throw std::invalid_argument("sensitivity: level must lie in (0, 1)");
  }
  double lower_quantile() const noexcept { return (1 - level) / 2; }
  double upper_quantile() const noexcept { return (1 + level) / 2; }
};

/// The seed of replicate r: the low 32 bits of SplitMix64 at state seed + (r + 1) x
/// 0x9E3779B97F4A7C15 (the (r+1)-th output of a SplitMix64 stream started at `seed`).
constexpr std::uint32_t sensitivity_seed(std::uint64_t seed, std::uint64_t replicate) noexcept {
  std::uint64_t z = seed + (replicate + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<std::uint32_t>(z);
}

/// `base` with every weight multiplied by a factor U(1 - bound, 1 + bound) and
/// renormalised: item weights within each dimension to sum 1, then composite weights
/// (per item in item mode, per dimension in dimension mode) to sum 1. Factors are drawn
/// in that order (items in instrument order, then the composite weights); with bound 0
/// no number is drawn and the factors are 1.
inline WeightSet perturb_weights(const Instrument& ins, const WeightSet& base, double bound,
                                 boost::random::mt19937& rng) {
  if (!(bound >= 0 && bound < 1))
    throw std::invalid_argument("perturb_weights: bound must lie in [0, 1)");
  boost::random::uniform_real_distribution<double> u(1.0 - bound, 1.0 + bound);
  const auto factor = [&] { return bound > 0 ? u(rng) : 1.0; };
  WeightSet w = base;
  std::vector<double> total(ins.dimensions.size(), 0.0);
  std::vector<std::size_t> dim(ins.items.size());
  for (std::size_t k = 0; k < ins.items.size(); ++k) {
    dim[k] = ins.dimension_index(ins.items[k].dimension);
    w.items[k].dimension *= factor();
    total[dim[k]] += w.items[k].dimension;
  }
  for (std::size_t k = 0; k < ins.items.size(); ++k) w.items[k].dimension /= total[dim[k]];
  if (w.mode == CompositeMode::item) {
    double s = 0;
    for (auto& it : w.items) s += * it.composite *= factor();
    for (auto& it : w.items) *it.composite /= s;
  } else {
    double s = 0;
    for (auto& a : w.dimension_weights) s += a *= factor();
    for (auto& a : w.dimension_weights) a /= s;
  }
  return w;
}

struct SensitivityDraws {
  std::vector<WeightSet> sets;
  std::vector<int> method;  ///< per draw: index into the alternatives, -1 when the base was used
};

/// The weight sets of all replicates: replicate r uses a boost::random::mt19937 seeded
/// with sensitivity_seed(seed, r); in methods/both mode it first draws the alternative with
/// uniform_int_distribution(0, alternatives - 1), then (perturb/both) the factors.
inline SensitivityDraws draw_weight_sets(const Instrument& ins, const WeightSet& base,
                                         const std::vector<WeightSet>& alternatives,
                                         const SensitivityOptions& opt) {
  opt.validate();
  if (opt.mode != SensitivityMode::perturb && alternatives.empty())
    throw std::invalid_argument("sensitivity: mode '" + std::string(to_string(opt.mode)) +
                                "' needs alternative weight sets");
  SensitivityDraws out;
  out.sets.reserve(opt.draws);
  for (std::size_t r = 0; r < opt.draws; ++r) {
    boost::random::mt19937 rng(sensitivity_seed(opt.seed, r));
    const WeightSet* start = &base;
    int m = -1;
    if (opt.mode != SensitivityMode::perturb) {
      boost::random::uniform_int_distribution<int> pick(0,
                                                        static_cast<int>(alternatives.size()) - 1);
      m = pick(rng);
      start = &alternatives[static_cast<std::size_t>(m)];
    }
    out.sets.push_back(opt.mode == SensitivityMode::methods
                           ? *start
                           : perturb_weights(ins, *start, opt.bound, rng));
    out.method.push_back(m);
  }
  return out;
}

/// Per-interview results of one block of rows, plus the per-draw counts the summary needs.
struct SensitivityRows {
  Eigen::VectorXd base;                                  ///< composite with the base weights
  std::vector<int> base_category;                        ///< -1: none
  Eigen::VectorXd lower, median, upper, mean, min, max;  ///< over the draws that gave a composite
  std::vector<std::uint32_t> scored;                     ///< draws that gave a composite
  Eigen::VectorXd change_share;  ///< share of draws whose category differs from the base (NaN: no
                                 ///< base category)
  std::vector<std::uint64_t>
      draw_changed;                ///< per draw: categorised interviews whose category changed
  std::uint64_t categorised = 0;   ///< interviews with a base category
  std::uint64_t ever_changed = 0;  ///< ... whose category changes in at least one draw

  Eigen::Index rows() const noexcept { return base.size(); }
};

namespace detail {
/// Quantile with linear interpolation between order statistics (numpy's default,
/// Hyndman & Fan type 7) of sorted, non-empty `x`.
inline double quantile_sorted(const std::vector<double>& x, double q) {
  const double h = static_cast<double>(x.size() - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= x.size()) return x.back();
  return x[lo] + (h - static_cast<double>(lo)) * (x[lo + 1] - x[lo]);
}
}  // namespace detail

/// Scores blocks with the base set and every drawn set and reduces the draws per interview.
class SensitivityRunner {
 public:
  /// Rows per internal block: n x draws composites are held at once for this many rows.
  static constexpr Eigen::Index block_rows = 1024;

  SensitivityRunner(const Instrument& ins, const WeightSet& base, const SensitivityDraws& draws,
                    const SensitivityOptions& opt)
      : base_(ins, base), q_lo_(opt.lower_quantile()), q_hi_(opt.upper_quantile()) {
    opt.validate();
    scorers_.reserve(draws.sets.size());
    for (const auto& w : draws.sets) scorers_.emplace_back(ins, w);
  }

  std::size_t draws() const noexcept { return scorers_.size(); }

  /// Results for every row of `coded`; rows with invalid[r] != 0 (malformed rows the
  /// coder never saw) count as invalid: no composite, no category. The result does not
  /// depend on `threads`.
  void run(const CodedBlock& coded, const std::vector<std::uint8_t>& invalid, SensitivityRows& out,
           unsigned threads = 1) const {
    const Eigen::Index n = coded.rows();
    if (!invalid.empty() && static_cast<Eigen::Index>(invalid.size()) != n)
      throw std::invalid_argument("SensitivityRunner::run: invalid needs one flag per row");
    const std::size_t N = scorers_.size();
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    out.base.resize(n);
    out.base_category.assign(static_cast<std::size_t>(n), -1);
    for (auto* v :
         {&out.lower, &out.median, &out.upper, &out.mean, &out.min, &out.max, &out.change_share})
      v->setConstant(n, nan);
    out.scored.assign(static_cast<std::size_t>(n), 0);
    out.draw_changed.assign(N, 0);
    out.categorised = out.ever_changed = 0;
    const auto bad = [&](Eigen::Index r) {
      return !invalid.empty() && invalid[static_cast<std::size_t>(r)] != 0;
    };

    for (Eigen::Index start = 0; start < n; start += block_rows) {
      const Eigen::Index m = std::min(block_rows, n - start);
      CodedBlock part;
      part.values = coded.values.middleRows(start, m);
      part.reasons = coded.reasons.middleRows(start, m);
      ScoreBlock sb;
      base_.score(part, sb);
      for (Eigen::Index i = 0; i < m; ++i) {
        const bool ok = !bad(start + i);
        out.base(start + i) = ok ? sb.composite(i) : nan;
        out.base_category[static_cast<std::size_t>(start + i)] =
            ok ? sb.category[static_cast<std::size_t>(i)] : -1;
      }
      // Replicates are split between threads; each writes its own columns.
      Eigen::MatrixXd C(m, static_cast<Eigen::Index>(N));
      Eigen::MatrixXi K(m, static_cast<Eigen::Index>(N));
      const auto work = [&](std::size_t from, std::size_t to) {
        ScoreBlock s;
        for (std::size_t r = from; r < to; ++r) {
          scorers_[r].score(part, s);
          const auto c = static_cast<Eigen::Index>(r);
          C.col(c) = s.composite;
          for (Eigen::Index i = 0; i < m; ++i) K(i, c) = s.category[static_cast<std::size_t>(i)];
        }
      };
      run_split(N, threads, work);
      // Per-row reduction, also split between threads (rows are independent).
      std::vector<std::vector<std::uint64_t>> changed(std::max(1u, threads));
      std::vector<std::uint64_t> categorised(changed.size(), 0), ever(changed.size(), 0);
      const auto reduce = [&](std::size_t t, std::size_t from, std::size_t to) {
        changed[t].assign(N, 0);
        std::vector<double> xs;
        xs.reserve(N);
        for (std::size_t iu = from; iu < to; ++iu) {
          const auto i = static_cast<Eigen::Index>(iu);
          const Eigen::Index row = start + i;
          if (bad(row)) continue;
          xs.clear();
          double sum = 0;
          for (std::size_t r = 0; r < N; ++r) {
            const double x = C(i, static_cast<Eigen::Index>(r));
            if (std::isnan(x)) continue;
            xs.push_back(x);
            sum += x;
          }
          out.scored[static_cast<std::size_t>(row)] = static_cast<std::uint32_t>(xs.size());
          if (!xs.empty()) {
            out.mean(row) = sum / static_cast<double>(xs.size());
            std::sort(xs.begin(), xs.end());
            out.min(row) = xs.front();
            out.max(row) = xs.back();
            out.lower(row) = detail::quantile_sorted(xs, q_lo_);
            out.median(row) = detail::quantile_sorted(xs, 0.5);
            out.upper(row) = detail::quantile_sorted(xs, q_hi_);
          }
          const int base_cat = out.base_category[static_cast<std::size_t>(row)];
          if (base_cat < 0) continue;
          std::uint64_t count = 0;
          for (std::size_t r = 0; r < N; ++r)
            if (K(i, static_cast<Eigen::Index>(r)) != base_cat) {
              ++count;
              ++changed[t][r];
            }
          out.change_share(row) = static_cast<double>(count) / static_cast<double>(N);
          ++categorised[t];
          if (count) ++ever[t];
        }
      };
      run_split_indexed(static_cast<std::size_t>(m), threads, reduce);
      for (std::size_t t = 0; t < changed.size(); ++t) {
        for (std::size_t r = 0; r < changed[t].size(); ++r) out.draw_changed[r] += changed[t][r];
        out.categorised += categorised[t];
        out.ever_changed += ever[t];
      }
    }
  }

 private:
  template <class F>
  static void run_split(std::size_t count, unsigned threads, const F& f) {
    run_split_indexed(count, threads, [&](std::size_t, std::size_t a, std::size_t b) { f(a, b); });
  }
  /// Calls f(t, from, to) on `threads` contiguous ranges; exceptions are rethrown here.
  template <class F>
  static void run_split_indexed(std::size_t count, unsigned threads, const F& f) {
    const std::size_t t_count = std::max<std::size_t>(1, std::min<std::size_t>(threads, count));
    if (t_count == 1) {
      f(0, 0, count);
      return;
    }
    std::vector<std::exception_ptr> errors(t_count);
    {
      std::vector<std::jthread> pool;
      for (std::size_t t = 0; t < t_count; ++t)
        pool.emplace_back([&, t] {
          try {
            f(t, count * t / t_count, count * (t + 1) / t_count);
          } catch (...) {
            errors[t] = std::current_exception();
          }
        });
    }
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
  }

  Scorer base_;
  std::vector<Scorer> scorers_;
  double q_lo_, q_hi_;
};

/// Totals over all blocks (add them in any order: only integer counts and sums of widths
/// in block order are kept) and the summary of a run.
class SensitivitySummary {
 public:
  explicit SensitivitySummary(std::size_t draws) : changed_(draws, 0) {}

  void add(const SensitivityRows& rows) {
    if (rows.draw_changed.size() != changed_.size())
      throw std::invalid_argument(
          "SensitivitySummary::add: rows come from a run with another number of draws");
    for (std::size_t r = 0; r < changed_.size(); ++r) changed_[r] += rows.draw_changed[r];
    categorised_ += rows.categorised;
    ever_changed_ += rows.ever_changed;
    for (Eigen::Index i = 0; i < rows.rows(); ++i) {
      ++rows_;
      if (!std::isnan(rows.base(i))) ++with_composite_;
      const double w = rows.upper(i) - rows.lower(i);
      if (!std::isnan(w)) {
        width_sum_ += w;
        ++width_count_;
        width_max_ = std::max(width_max_, w);
      }
    }
  }

  std::uint64_t rows() const noexcept { return rows_; }
  std::uint64_t rows_with_composite() const noexcept { return with_composite_; }
  std::uint64_t categorised() const noexcept { return categorised_; }
  std::uint64_t ever_changed() const noexcept { return ever_changed_; }
  /// Per draw: share of the categorised interviews whose category differs from the base.
  Eigen::VectorXd draw_share() const {
    Eigen::VectorXd s(static_cast<Eigen::Index>(changed_.size()));
    for (std::size_t r = 0; r < changed_.size(); ++r)
      s(static_cast<Eigen::Index>(r)) =
          categorised_ ? static_cast<double>(changed_[r]) / static_cast<double>(categorised_)
                       : std::numeric_limits<double>::quiet_NaN();
    return s;
  }
  double mean_width() const noexcept {
    return width_count_ ? width_sum_ / static_cast<double>(width_count_)
                        : std::numeric_limits<double>::quiet_NaN();
  }
  double max_width() const noexcept {
    return width_count_ ? width_max_ : std::numeric_limits<double>::quiet_NaN();
  }

  /// The summary as JSON (`reinscore sensitivity --summary`, Python's `summary`).
  detail::json::object to_json(const SensitivityOptions& opt, const SensitivityDraws& draws,
                               const std::vector<std::string>& alternative_names = {}) const {
    namespace json = detail::json;
    const auto num = [](double x) {
      return std::isfinite(x) ? json::value(x) : json::value(nullptr);
    };
    json::object o;
    o["draws"] = opt.draws;
    o["bound"] = opt.bound;
    o["seed"] = opt.seed;
    o["mode"] = to_string(opt.mode);
    o["level"] = opt.level;
    o["quantiles"] = json::array{opt.lower_quantile(), opt.upper_quantile()};
    o["rows"] = rows_;
    o["rows_with_composite"] = with_composite_;
    o["rows_categorised"] = categorised_;
    o["interval_width_mean"] = num(mean_width());
    o["interval_width_max"] = num(max_width());
    Eigen::VectorXd s = draw_share();
    std::vector<double> sorted(s.data(), s.data() + s.size());
    std::sort(sorted.begin(), sorted.end());
    const bool any = categorised_ > 0;
    o["category_change_share_mean"] =
        num(any ? s.mean() : std::numeric_limits<double>::quiet_NaN());
    o["category_change_share_p05"] =
        num(any ? detail::quantile_sorted(sorted, 0.05) : std::numeric_limits<double>::quiet_NaN());
    o["category_change_share_median"] =
        num(any ? detail::quantile_sorted(sorted, 0.5) : std::numeric_limits<double>::quiet_NaN());
    o["category_change_share_p95"] =
        num(any ? detail::quantile_sorted(sorted, 0.95) : std::numeric_limits<double>::quiet_NaN());
    o["category_change_share_max"] =
        num(any ? sorted.back() : std::numeric_limits<double>::quiet_NaN());
    o["ever_changed_share"] =
        num(any ? static_cast<double>(ever_changed_) / static_cast<double>(categorised_)
                : std::numeric_limits<double>::quiet_NaN());
    if (opt.mode != SensitivityMode::perturb) {
      json::object counts;
      for (std::size_t a = 0; a < alternative_names.size(); ++a) {
        std::uint64_t c = 0;
        for (const int m : draws.method) c += m == static_cast<int>(a);
        counts[alternative_names[a]] = c;
      }
      o["method_draws"] = std::move(counts);
    }
    return o;
  }

 private:
  std::vector<std::uint64_t> changed_;
  std::uint64_t rows_ = 0, with_composite_ = 0, categorised_ = 0, ever_changed_ = 0;
  double width_sum_ = 0, width_max_ = 0;
  std::uint64_t width_count_ = 0;
};

}  // namespace reinscore
