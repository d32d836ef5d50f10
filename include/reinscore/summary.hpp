// Group summaries with honest uncertainty under a survey design (sampling weights,
// strata, clusters/PSUs), as R's survey package computes them: per group, the weighted
// mean, quantiles and share at or above a threshold of each variable, with standard
// errors and confidence intervals by Taylor linearisation or by the Rao–Wu rescaling
// bootstrap, and differences between groups. Every formula and its reference is in
// docs/statistics.md.
//
// `Summary` is a mergeable accumulator: add rows in any chunks (threads, files), merge
// the parts, and compute() gives the same result as one pass over all rows (to rounding
// of the sums; quantiles exactly). Groups, strata and PSUs are identified by integer ids
// chosen by the caller (e.g. factor codes); the same id must mean the same unit in every
// part. PSUs are nested in strata: (stratum, psu) identifies a PSU.
#pragma once

#include <reinscore/accumulators.hpp>
#include <reinscore/bootstrap.hpp>
#include <reinscore/error.hpp>

#include <Eigen/Core>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace reinscore {

/// How standard errors and intervals are computed.
enum class VarianceMethod {
  none,           ///< point estimates only
  linearization,  ///< Taylor linearisation, with-replacement PSU variance within strata
  bootstrap,      ///< Rao–Wu rescaling bootstrap (m_h = n_h - 1)
};

/// What a stratum with a single PSU contributes to a linearised variance (R's
/// options(survey.lonely.psu)). The bootstrap supports `error` and `certainty`.
enum class SingletonStrata {
  error,      ///< refuse (default): the design cannot estimate that stratum's variance
  certainty,  ///< nothing: the PSU is taken as sampled with certainty (R "certainty", samplics
              ///< "skip")
  centered,   ///< its PSU total centred at the mean of all PSU totals, factor 1 (R "adjust")
};

/// Bootstrap confidence intervals.
enum class BootstrapInterval {
  percentile,  ///< (1-level)/2 and (1+level)/2 quantiles of the replicate estimates (type 7)
  normal,      ///< estimate -/+ t_{df} * bootstrap SE
};

/// Confidence intervals of shares (R's svyciprop, survey 4.1), from the share p, its SE and
/// t = t_{df, (1+level)/2} with the design's df. Every bound is in [0, 1] except wald's.
enum class ShareInterval {
  logit,   ///< expit(logit p -/+ t SE / (p (1 - p))): svyciprop "logit" (R's default)
  wilson,  ///< Wilson's score interval, n = p (1 - p) / SE^2 (effective sample size) and t
  beta,    ///< Korn & Graubard (1998), svyciprop "beta": Clopper-Pearson at the effective n
  wald,    ///< p -/+ t SE: svyciprop "mean"
};

inline std::string_view share_interval_name(ShareInterval s) noexcept {
  switch (s) {
    case ShareInterval::logit:
      return "logit";
    case ShareInterval::wilson:
      return "wilson";
    case ShareInterval::beta:
      return "beta";
    case ShareInterval::wald:
      return "wald";
  }
  return "?";
}
inline std::string_view variance_method_name(VarianceMethod m) noexcept {
  switch (m) {
    case VarianceMethod::none:
      return "none";
    case VarianceMethod::linearization:
      return "linearization";
    case VarianceMethod::bootstrap:
      return "bootstrap";
  }
  return "?";
}
inline std::string_view singleton_name(SingletonStrata s) noexcept {
  switch (s) {
    case SingletonStrata::error:
      return "error";
    case SingletonStrata::certainty:
      return "certainty";
    case SingletonStrata::centered:
      return "centered";
  }
  return "?";
}
inline std::string_view bootstrap_interval_name(BootstrapInterval i) noexcept {
  return i == BootstrapInterval::percentile ? "percentile" : "normal";
}
/// Parses "none", "linearization" (or "linearisation", "taylor"), "bootstrap".
inline VarianceMethod parse_variance_method(std::string_view s) {
  if (s == "none") return VarianceMethod::none;
  if (s == "linearization" || s == "linearisation" || s == "taylor")
    return VarianceMethod::linearization;
  if (s == "bootstrap") return VarianceMethod::bootstrap;
  throw std::invalid_argument(
      "unknown variance method (linearization, bootstrap or none) [unknown_method]");
}
inline SingletonStrata parse_singleton(std::string_view s) {
  if (s == "error") return SingletonStrata::error;
  if (s == "certainty") return SingletonStrata::certainty;
  if (s == "centered" || s == "centred") return SingletonStrata::centered;
  throw std::invalid_argument(
      "unknown singleton-strata rule (error, certainty or centered) [unknown_singleton]");
}
inline ShareInterval parse_share_interval(std::string_view s) {
  if (s == "logit") return ShareInterval::logit;
  if (s == "wilson") return ShareInterval::wilson;
  if (s == "beta") return ShareInterval::beta;
  if (s == "wald") return ShareInterval::wald;
  throw std::invalid_argument(
      "unknown share interval (logit, wilson, beta or wald) [unknown_share_interval]");
}
inline BootstrapInterval parse_bootstrap_interval(std::string_view s) {
  if (s == "percentile") return BootstrapInterval::percentile;
  if (s == "normal") return BootstrapInterval::normal;
  throw std::invalid_argument(
      "unknown bootstrap interval (percentile or normal) [unknown_interval]");
}

/// One variable of a Summary.
struct SummaryVariable {
  /// Share at or above this value (1e-12 tolerance, as the scorer's categories); NaN: none.
  double threshold = std::numeric_limits<double>::quiet_NaN();
  /// Keep the values for quantiles (costs 24 bytes per observed value).
  bool quantiles = true;
  /// The values are 0/1: the mean is a share and gets the share interval.
  bool share = false;
};

struct SummaryOptions {
  VarianceMethod method = VarianceMethod::linearization;
  double level = 0.95;                                 ///< confidence level of the intervals
  std::vector<double> probabilities{0.25, 0.5, 0.75};  ///< quantiles, each in [0, 1]
  std::size_t replicates = 1000;                       ///< bootstrap replicates (>= 2)
  std::uint64_t seed = 20250101;                       ///< bootstrap master seed
  unsigned threads = 1;  ///< bootstrap threads, 0: all cores; never changes results
  SingletonStrata singleton = SingletonStrata::error;
  BootstrapInterval interval = BootstrapInterval::percentile;
  /// Intervals of shares (above, means of share variables): linearised, bootstrap normal.
  ShareInterval share_interval = ShareInterval::logit;
  std::uint64_t min_cell = 10;  ///< groups with fewer rows are suppressed
  std::string strata_column;    ///< named in messages only
};

/// An estimate with its uncertainty (NaN where not computed or not defined).
struct Interval {
  double estimate = std::numeric_limits<double>::quiet_NaN();
  double se = std::numeric_limits<double>::quiet_NaN();
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
  std::uint32_t replicates = 0;  ///< bootstrap: replicates in which the statistic exists
};

/// A difference between two groups, with the t statistic's two-sided p-value.
struct Difference : Interval {
  double p = std::numeric_limits<double>::quiet_NaN();
};

struct VariableSummary {
  std::uint64_t observed = 0;  ///< rows of the group with a value
  std::uint64_t missing = 0;   ///< rows of the group without one (NaN)
  double sum_weights = std::numeric_limits<double>::quiet_NaN();    ///< over observed rows
  double missing_share = std::numeric_limits<double>::quiet_NaN();  ///< missing / rows, unweighted
  Interval mean;                    ///< weighted mean over observed rows
  std::vector<Interval> quantiles;  ///< one per SummaryOptions::probabilities
  Interval above;                   ///< weighted share of observed rows >= threshold
};

struct GroupSummary {
  std::uint64_t group = 0;  ///< the caller's id
  std::uint64_t rows = 0;
  double sum_weights = std::numeric_limits<double>::quiet_NaN();
  bool suppressed = false;  ///< rows < min_cell: every estimate and count is left out (NaN/0)
  std::vector<VariableSummary> variables;
};

/// group minus reference (ids of Summary groups).
struct Contrast {
  std::uint64_t group = 0;
  std::uint64_t reference = 0;
};

struct VariableDifference {
  Difference mean;
  Difference above;
};

struct ContrastSummary {
  Contrast contrast;
  bool suppressed = false;  ///< one of the two groups is suppressed
  std::vector<VariableDifference> variables;
};

struct DesignSummary {
  VarianceMethod method = VarianceMethod::linearization;
  std::uint64_t rows = 0;
  double sum_weights = 0;
  std::size_t strata = 0;
  std::size_t psus = 0;
  std::size_t singleton_strata = 0;
  double df = std::numeric_limits<double>::quiet_NaN();  ///< #PSUs - #strata
  double level = 0.95;
  double t_quantile = std::numeric_limits<double>::quiet_NaN();  ///< t_{df,(1+level)/2}
  std::size_t replicates = 0;
  std::uint64_t seed = 0;
  SingletonStrata singleton = SingletonStrata::error;
  BootstrapInterval interval = BootstrapInterval::percentile;
  ShareInterval share_interval = ShareInterval::logit;
};

struct SummaryResult {
  DesignSummary design;
  std::vector<GroupSummary> groups;        ///< ascending by id
  std::vector<ContrastSummary> contrasts;  ///< in the order asked
};

/// Interval of a share p with standard error se: `how` with t = t_quantile (the design's df);
/// beta also needs the rows n and the df of the share's domain (R's nrow and degf of the
/// domain design). se = 0 (p 0 or 1 among them) gives [p, p] whatever the method.
inline void share_interval(Interval& e, ShareInterval how, double t_quantile, double level,
                           double n, double domain_df) {
  const double p = e.estimate, se = e.se, t = t_quantile;
  if (std::isnan(p) || std::isnan(se) || std::isnan(t)) return;
  if (se == 0 || how == ShareInterval::wald) {
    e.lo = p - t * se;
    e.hi = p + t * se;
    return;
  }
  switch (how) {
    case ShareInterval::logit: {
      // svyglm(y ~ 1, family = quasibinomial): the SE of logit p is SE / (p (1 - p)).
      const double l = std::log(p / (1 - p)), h = t * se / (p * (1 - p));
      e.lo = 1 / (1 + std::exp(-(l - h)));
      e.hi = 1 / (1 + std::exp(-(l + h)));
      return;
    }
    case ShareInterval::wilson: {
      const double neff = p * (1 - p) / (se * se), t2n = t * t / neff;
      const double centre = (p + t2n / 2) / (1 + t2n);
      const double half = t / (1 + t2n) * std::sqrt(se * se + t2n / (4 * neff));
      e.lo = std::max(0.0, centre - half);
      e.hi = std::min(1.0, centre + half);
      return;
    }
    case ShareInterval::beta: {
      e.lo = e.hi = std::numeric_limits<double>::quiet_NaN();
      if (!(n > 1) || !(domain_df > 0)) return;
      // Korn & Graubard's effective n, scaled by (t_{n-1} / t_{df})^2 as R does.
      const double a = (1 - level) / 2;
      const double tn = boost::math::quantile(boost::math::students_t(n - 1), a),
                   td = boost::math::quantile(boost::math::students_t(domain_df), a);
      const double ne = p * (1 - p) / (se * se) * (tn / td) * (tn / td);
      e.lo = boost::math::ibeta_inv(ne * p, ne * (1 - p) + 1, a);
      e.hi = boost::math::ibeta_inv(ne * p + 1, ne * (1 - p), 1 - a);
      return;
    }
    case ShareInterval::wald:
      return;
  }
}

/// Weighted quantile: the smallest value y with F(y) >= p, F the weighted empirical
/// distribution function (Hyndman & Fan 1996 definition 1, the inverse of the ECDF,
/// with weights; R svyquantile qrule "math"; numpy method "inverted_cdf" unweighted).
/// `y` ascending, `w` >= 0; the cumulative weight is compared with p * total with a
/// relative tolerance of 1e-12 so that an exact tie (e.g. the median of 4 equal weights)
/// is not lost to rounding. `probabilities` ascending; NaN when no positive weight.
template <class WeightAt>
void weighted_quantiles_sorted(std::span<const double> y, WeightAt&& weight_at, double total,
                               std::span<const double> probabilities, std::span<double> out) {
  std::size_t k = 0;
  if (total > 0) {
    const double tol = 1e-12 * total;
    double cum = 0, last = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < y.size() && k < probabilities.size(); ++i) {
      const double w = weight_at(i);
      if (!(w > 0)) continue;
      cum += w;
      last = y[i];
      while (k < probabilities.size() && cum >= probabilities[k] * total - tol) out[k++] = y[i];
    }
    while (k < probabilities.size()) out[k++] = last;  // p = 1 short by rounding
  }
  for (; k < probabilities.size(); ++k) out[k] = std::numeric_limits<double>::quiet_NaN();
}

class Summary {
 public:
  explicit Summary(std::vector<SummaryVariable> variables) : vars_(std::move(variables)) { init(); }
  /// `variables` variables with the same threshold (NaN: no shares) and quantiles.
  explicit Summary(std::size_t variables,
                   double threshold = std::numeric_limits<double>::quiet_NaN())
      : vars_(variables, SummaryVariable{threshold, true}) {
    init();
  }

  std::size_t variables() const noexcept { return vars_.size(); }
  const std::vector<SummaryVariable>& variable_specs() const noexcept { return vars_; }
  std::uint64_t rows() const noexcept { return rows_; }

  /// One row: its group, one value per variable (NaN: missing), its sampling weight
  /// (finite, >= 0), stratum and PSU. Without clusters, give every row its own PSU id.
  void add(std::uint64_t group, std::span<const double> values, double weight,
           std::uint64_t stratum, std::uint64_t psu) {
    if (values.size() != vars_.size())
      throw std::invalid_argument("Summary::add: expected " + std::to_string(vars_.size()) +
                                  " values, got " + std::to_string(values.size()));
    if (!std::isfinite(weight) || weight < 0)
      throw std::invalid_argument(
          "Summary::add: a weight must be a finite number >= 0 [invalid_weight]");
    for (const double x : values)
      if (std::isinf(x))
        throw std::invalid_argument("Summary::add: a value is infinite [not_finite]");
    check_capacity();
    const std::size_t J = vars_.size();
    const std::uint32_t gi = group_of(group);
    bool fresh = false;
    const std::uint32_t u = psus_.find_or_add(PsuKey{stratum, psu}, psu, fresh);
    if (fresh) psu_cell_.push_back(none);
    const std::uint32_t c = cell_of(u, gi, fresh);
    if (fresh) {
      // A cell's first row is kept as it is (weight, values): without clusters every
      // row is a cell of its own, and its sums follow from it (cell_totals).
      cells_.push_back({u, gi, row_data_.size(), false});
      double* d = row_data_.push();
      d[0] = weight;
      std::copy(values.begin(), values.end(), d + 1);
    } else {
      double* s = summed(c);
      for (std::size_t j = 0; j < J; ++j) {
        const double x = values[j];
        if (std::isnan(x)) continue;
        s[3 * j] += weight;
        s[3 * j + 1] += weight * x;
        if (x >= cut_[j]) s[3 * j + 2] += weight;
      }
    }
    GroupAcc& g = groups_[gi];
    ++g.rows;
    g.sum_weights += weight;
    for (std::size_t j = 0; j < J; ++j) {
      const double x = values[j];
      if (std::isnan(x))
        ++g.missing[j];
      else if (vars_[j].quantiles)
        g.values[j].push_back(Obs{x, weight, u});
    }
    ++rows_;
  }

  /// Rows of `values` (rows x variables). Empty `weights`: all 1; empty `strata`: one
  /// stratum; empty `clusters`: each row is its own PSU, with id first_row + r (give
  /// chunks distinct first_row).
  void add_rows(const Eigen::Ref<const Eigen::MatrixXd>& values,
                std::span<const std::uint64_t> groups, std::span<const double> weights = {},
                std::span<const std::uint64_t> strata = {},
                std::span<const std::uint64_t> clusters = {}, std::uint64_t first_row = 0) {
    const auto n = static_cast<std::size_t>(values.rows());
    if (static_cast<std::size_t>(values.cols()) != vars_.size())
      throw std::invalid_argument("Summary::add_rows: expected " + std::to_string(vars_.size()) +
                                  " columns");
    if (groups.size() != n || (!weights.empty() && weights.size() != n) ||
        (!strata.empty() && strata.size() != n) || (!clusters.empty() && clusters.size() != n))
      throw std::invalid_argument(
          "Summary::add_rows: groups, weights, strata and clusters need one entry per row");
    // Checked first: a bad row adds nothing at all.
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t j = 0; j < vars_.size(); ++j)
        if (std::isinf(values(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j))))
          throw std::invalid_argument("Summary::add_rows: data row " +
                                      std::to_string(first_row + r) + " (0-based), variable " +
                                      std::to_string(j) + ": value is infinite [not_finite]");
      if (!weights.empty() && !(std::isfinite(weights[r]) && weights[r] >= 0))
        throw std::invalid_argument(
            "Summary::add_rows: data row " + std::to_string(first_row + r) +
            " (0-based): a weight must be a finite number >= 0 [invalid_weight]");
    }
    std::vector<double> row(vars_.size());
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t j = 0; j < row.size(); ++j)
        row[j] = values(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j));
      add(groups[r], row, weights.empty() ? 1.0 : weights[r], strata.empty() ? 0 : strata[r],
          clusters.empty() ? first_row + r : clusters[r]);
    }
  }

  /// Adds another summary's rows (same variables and thresholds).
  void merge(const Summary& o) {
    if (o.vars_.size() != vars_.size())
      throw std::invalid_argument("Summary::merge: different number of variables");
    for (std::size_t j = 0; j < vars_.size(); ++j)
      if (!same(o.vars_[j].threshold, vars_[j].threshold) ||
          o.vars_[j].quantiles != vars_[j].quantiles)
        throw std::invalid_argument("Summary::merge: different thresholds or quantile settings");
    if (&o == this) {  // the loops below read what they write
      const Summary copy(o);
      merge(copy);
      return;
    }
    if (o.cells_.size() >= max_cells - cells_.size())
      throw std::invalid_argument("Summary: too many PSUs");
    const std::size_t J = vars_.size();
    // o's dense groups and PSUs in this summary's numbering.
    std::vector<std::uint32_t> gmap(o.groups_.size()), umap(o.psus_.size());
    for (std::size_t i = 0; i < gmap.size(); ++i) gmap[i] = group_of(o.group_ids_.keys()[i]);
    for (std::size_t i = 0; i < umap.size(); ++i) {
      bool fresh = false;
      const PsuKey& k = o.psus_.keys()[i];
      umap[i] = psus_.find_or_add(k, k.psu, fresh);
      if (fresh) psu_cell_.push_back(none);
    }
    for (std::size_t i = 0; i < gmap.size(); ++i) {
      const GroupAcc& og = o.groups_[i];
      GroupAcc& g = groups_[gmap[i]];
      g.rows += og.rows;
      g.sum_weights += og.sum_weights;
      for (std::size_t j = 0; j < J; ++j) {
        g.missing[j] += og.missing[j];
        auto& v = g.values[j];
        const std::size_t at = v.size();
        v.insert(v.end(), og.values[j].begin(), og.values[j].end());
        for (std::size_t k = at; k < v.size(); ++k) v[k].psu = umap[v[k].psu];
      }
    }
    for (const CellRec& oc : o.cells_) {
      bool fresh = false;
      const std::uint32_t u = umap[oc.psu], gi = gmap[oc.group];
      const std::uint32_t c = cell_of(u, gi, fresh);
      if (fresh && !oc.summed) {  // still one row: copied as it is
        cells_.push_back({u, gi, row_data_.size(), false});
        const double* r = o.cell_data(oc);
        std::copy(r, r + J + 1, row_data_.push());
        continue;
      }
      if (fresh) cells_.push_back({u, gi, new_sums(), true});
      double* s = summed(c);
      for (std::size_t j = 0; j < J; ++j) {
        const Totals t = o.cell_sums(oc, j);
        s[3 * j] += t.w;
        s[3 * j + 1] += t.wy;
        s[3 * j + 2] += t.wa;
      }
    }
    rows_ += o.rows_;
  }

  /// Group estimates and their uncertainty, and the differences `contrasts` asks for.
  /// Throws input_error [singleton_stratum] when a stratum has one PSU and the rule is
  /// `error`; std::invalid_argument for bad options or a contrast naming an unknown group.
  SummaryResult compute(const SummaryOptions& opt, std::span<const Contrast> contrasts = {}) const {
    check(opt);
    Prepared P = prepare(opt);
    SummaryResult res;
    res.design = P.design;
    const std::size_t J = vars_.size(), G = P.group_ids.size(), K = opt.probabilities.size();

    // Quantile probabilities in ascending order, and where each goes back.
    std::vector<std::size_t> qorder(K);
    std::iota(qorder.begin(), qorder.end(), 0);
    std::stable_sort(qorder.begin(), qorder.end(), [&](std::size_t a, std::size_t b) {
      return opt.probabilities[a] < opt.probabilities[b];
    });
    std::vector<double> qprob(K);
    for (std::size_t k = 0; k < K; ++k) qprob[k] = opt.probabilities[qorder[k]];

    // Point estimates.
    res.groups.resize(G);
    std::vector<Totals> totals(G * J);
    point_totals(P, totals);
    for (std::size_t g = 0; g < G; ++g) {
      const GroupAcc& acc = groups_[P.group_dense[g]];
      GroupSummary& out = res.groups[g];
      out.group = P.group_ids[g];
      out.rows = acc.rows;
      out.suppressed = acc.rows < opt.min_cell;
      out.variables.resize(J);
      if (out.suppressed) {
        for (auto& v : out.variables) v.quantiles.resize(K);
        continue;
      }
      out.sum_weights = acc.sum_weights;
      for (std::size_t j = 0; j < J; ++j) {
        VariableSummary& v = out.variables[j];
        v.missing = acc.missing[j];
        v.observed = acc.rows - acc.missing[j];
        v.missing_share = static_cast<double>(v.missing) / static_cast<double>(acc.rows);
        const Totals& t = totals[g * J + j];
        v.sum_weights = t.w;
        v.mean.estimate = t.w > 0 ? t.wy / t.w : std::numeric_limits<double>::quiet_NaN();
        if (!std::isnan(vars_[j].threshold) && t.w > 0) v.above.estimate = t.wa / t.w;
        v.quantiles.resize(K);
        if (vars_[j].quantiles) {
          std::vector<double> q(K);
          P.quantiles(g, j, nullptr, t.w, qprob, q);
          for (std::size_t k = 0; k < K; ++k) v.quantiles[qorder[k]].estimate = q[k];
        }
      }
    }

    // Contrasts: both groups must exist.
    std::vector<std::pair<std::size_t, std::size_t>> cidx;
    for (const auto& c : contrasts) {
      const auto a = P.group_index(c.group), b = P.group_index(c.reference);
      if (a == npos || b == npos)
        throw std::invalid_argument(
            "Summary::compute: a contrast names a group with no rows [unknown_group]");
      cidx.emplace_back(a, b);
      ContrastSummary cs;
      cs.contrast = c;
      cs.suppressed = res.groups[a].suppressed || res.groups[b].suppressed;
      cs.variables.resize(J);
      if (!cs.suppressed)
        for (std::size_t j = 0; j < J; ++j) {
          cs.variables[j].mean.estimate =
              res.groups[a].variables[j].mean.estimate - res.groups[b].variables[j].mean.estimate;
          cs.variables[j].above.estimate =
              res.groups[a].variables[j].above.estimate - res.groups[b].variables[j].above.estimate;
        }
      res.contrasts.push_back(std::move(cs));
    }

    const double tq = res.design.t_quantile, df = res.design.df;
    if (opt.method == VarianceMethod::linearization) {
      std::vector<double> Z(P.psus()), Z2(P.psus());
      for (std::size_t g = 0; g < G; ++g) {
        GroupSummary& out = res.groups[g];
        if (out.suppressed) continue;
        for (std::size_t j = 0; j < J; ++j) {
          VariableSummary& v = out.variables[j];
          P.linearized(g, j, Stat::mean, v.mean.estimate, Z);
          set_t_interval(v.mean, std::sqrt(P.variance(Z, opt.singleton)), tq);
          if (vars_[j].share) set_share_interval(P, g, j, opt, tq, v, v.mean);
          if (!std::isnan(v.above.estimate)) {
            P.linearized(g, j, Stat::above, v.above.estimate, Z);
            set_t_interval(v.above, std::sqrt(P.variance(Z, opt.singleton)), tq);
            set_share_interval(P, g, j, opt, tq, v, v.above);
          }
          if (vars_[j].quantiles) woodruff(P, g, j, opt, qprob, qorder, v, Z);
        }
      }
      for (std::size_t c = 0; c < cidx.size(); ++c) {
        ContrastSummary& cs = res.contrasts[c];
        if (cs.suppressed) continue;
        const auto [a, b] = cidx[c];
        for (std::size_t j = 0; j < J; ++j) {
          for (const Stat s : {Stat::mean, Stat::above}) {
            Difference& d = s == Stat::mean ? cs.variables[j].mean : cs.variables[j].above;
            const Interval& ea = s == Stat::mean ? res.groups[a].variables[j].mean
                                                 : res.groups[a].variables[j].above;
            const Interval& eb = s == Stat::mean ? res.groups[b].variables[j].mean
                                                 : res.groups[b].variables[j].above;
            if (std::isnan(d.estimate)) continue;
            P.linearized(a, j, s, ea.estimate, Z);
            P.linearized(b, j, s, eb.estimate, Z2);
            for (std::size_t p = 0; p < Z.size(); ++p) Z[p] -= Z2[p];
            set_t_interval(d, std::sqrt(P.variance(Z, opt.singleton)), tq);
            d.p = t_p_value(d.estimate, d.se, df);
          }
        }
      }
    } else if (opt.method == VarianceMethod::bootstrap) {
      bootstrap(P, opt, qprob, qorder, cidx, res);
    }
    return res;
  }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::size_t max_cells = none - 1;  // cells, PSUs and slots are 32-bit
  static bool same(double a, double b) noexcept {
    return (std::isnan(a) && std::isnan(b)) || a == b;
  }

  /// Dense numbers 0, 1, ... of distinct keys, in order of first appearance. `slot` is a
  /// small integer that tells most keys apart (an id): ids up to a few times the number
  /// of keys are looked up in a table, without hashing; the others, and keys whose slot is
  /// taken by another key, in a hash map.
  template <class Key, class Hash>
  class DenseIds {
   public:
    std::uint32_t find_or_add(const Key& key, std::uint64_t slot, bool& fresh) {
      fresh = false;
      if (slot < direct_.size()) {
        const std::uint32_t d = direct_[slot];
        if (d != 0 && keys_[d - 1] == key) return d - 1;
      }
      if (!rest_.empty())
        if (const auto it = rest_.find(key); it != rest_.end()) return it->second;
      fresh = true;
      const auto id = static_cast<std::uint32_t>(keys_.size());
      keys_.push_back(key);
      if (slot >= direct_.size()) {
        // Grown with the number of keys, so that sparse ids cost no memory.
        const std::uint64_t limit = 4 * static_cast<std::uint64_t>(keys_.size()) + 4096;
        if (slot < limit)
          direct_.resize(
              std::max<std::size_t>(
                  static_cast<std::size_t>(slot) + 1,
                  std::min<std::size_t>(2 * direct_.size(), static_cast<std::size_t>(limit))),
              0);
      }
      if (slot < direct_.size() && direct_[slot] == 0)
        direct_[slot] = id + 1;
      else
        rest_.emplace(key, id);
      return id;
    }
    const std::vector<Key>& keys() const noexcept { return keys_; }
    std::size_t size() const noexcept { return keys_.size(); }

   private:
    std::vector<Key> keys_;
    std::vector<std::uint32_t> direct_;  // slot -> number + 1, 0: none
    std::unordered_map<Key, std::uint32_t, Hash> rest_;
  };
  /// Records of `width` doubles, in blocks that never move: growing copies nothing (no
  /// moment holds both the old and the new array, the peak memory of a vector).
  class Records {
   public:
    explicit Records(std::size_t width = 0) : width_(width) {}
    std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(size_); }
    /// Appends a record of zeros.
    double* push() {
      if (size_ % per_block == 0) {
        blocks_.emplace_back();
        blocks_.back().reserve(per_block * width_);
      }
      auto& b = blocks_.back();
      b.resize(b.size() + width_, 0.0);
      ++size_;
      return b.data() + b.size() - width_;
    }
    double* operator[](std::uint32_t i) noexcept {
      return blocks_[i / per_block].data() + i % per_block * width_;
    }
    const double* operator[](std::uint32_t i) const noexcept {
      return blocks_[i / per_block].data() + i % per_block * width_;
    }

   private:
    static constexpr std::size_t per_block = 4096;
    std::size_t width_, size_ = 0;
    std::vector<std::vector<double>> blocks_;
  };
  struct IdHash {
    std::size_t operator()(std::uint64_t k) const noexcept {
      return static_cast<std::size_t>(splitmix64(k));
    }
  };
  struct PsuKey {
    std::uint64_t stratum, psu;
    auto operator<=>(const PsuKey&) const = default;  // the order of PSUs in compute()
  };
  struct PsuHash {
    std::size_t operator()(const PsuKey& k) const noexcept {
      return static_cast<std::size_t>(splitmix64(k.stratum ^ splitmix64(k.psu)));
    }
  };

  /// An observed value kept for quantiles; psu: the dense PSU number.
  struct Obs {
    double y, w;
    std::uint32_t psu;
  };
  struct GroupAcc {
    std::uint64_t rows = 0;
    double sum_weights = 0;
    std::vector<std::uint64_t> missing;    // per variable, rows without a value
    std::vector<std::vector<Obs>> values;  // per variable, observed values (for quantiles)
  };
  /// The rows of one group in one PSU. While it holds one row, that row as it was given
  /// (weight, then the J values) at row_data_[slot]; then sums at sum_data_[slot]: per
  /// variable j, [3j] sum of weights of observed rows, [3j+1] sum w y, [3j+2] sum w
  /// 1{y >= threshold}.
  struct CellRec {
    std::uint32_t psu, group, slot;
    bool summed;
  };

  enum class Stat { mean, above };

  struct Totals {
    double w = 0, wy = 0, wa = 0;
  };

  /// The sums of variable j of a cell: stored, or those of its single row, computed as
  /// add() computes them from zero (so the same doubles).
  static Totals cell_totals(const double* d, bool summed, std::size_t j, double cut) noexcept {
    if (summed) return {d[3 * j], d[3 * j + 1], d[3 * j + 2]};
    const double w = d[0], x = d[1 + j];
    if (std::isnan(x)) return {};
    return {0.0 + w, 0.0 + w * x, x >= cut ? 0.0 + w : 0.0};
  }
  const double* cell_data(const CellRec& c) const noexcept {
    return c.summed ? sum_data_[c.slot] : row_data_[c.slot];
  }
  Totals cell_sums(const CellRec& c, std::size_t j) const noexcept {
    return cell_totals(cell_data(c), c.summed, j, cut_[j]);
  }

  void init() {
    row_data_ = Records(vars_.size() + 1);
    sum_data_ = Records(3 * vars_.size());
    cut_.resize(vars_.size());
    for (std::size_t j = 0; j < vars_.size(); ++j) cut_[j] = vars_[j].threshold - 1e-12;
  }
  /// Dense indices are 32 bits: refused before a row changes anything.
  void check_capacity() const {
    if (cells_.size() >= max_cells) throw std::invalid_argument("Summary: too many PSUs");
  }
  std::uint32_t group_of(std::uint64_t id) {
    bool fresh = false;
    const std::uint32_t gi = group_ids_.find_or_add(id, id, fresh);
    if (fresh) {
      groups_.emplace_back();
      groups_.back().missing.assign(vars_.size(), 0);
      groups_.back().values.resize(vars_.size());
    }
    return gi;
  }
  /// The cell of group gi in PSU u; a new one (fresh) is numbered cells_.size() and the
  /// caller appends it. Without clusters a PSU has one cell: no hash map.
  std::uint32_t cell_of(std::uint32_t u, std::uint32_t gi, bool& fresh) {
    const auto next = static_cast<std::uint32_t>(cells_.size());
    std::uint32_t& first = psu_cell_[u];
    fresh = first == none;
    if (fresh) return first = next;
    if (cells_[first].group == gi) return first;
    const auto [it, added] = more_cells_.try_emplace((std::uint64_t{u} << 32) | gi, next);
    fresh = added;
    return it->second;
  }
  std::uint32_t new_sums() {
    const std::uint32_t slot = sum_data_.size();
    sum_data_.push();
    return slot;
  }
  /// The sums of cell c, from its row if it has one row so far.
  double* summed(std::uint32_t c) {
    const std::size_t J = vars_.size();
    if (!cells_[c].summed) {
      const std::uint32_t slot = new_sums();
      double* s = sum_data_[slot];
      for (std::size_t j = 0; j < J; ++j) {
        const Totals t = cell_sums(cells_[c], j);
        s[3 * j] = t.w;
        s[3 * j + 1] = t.wy;
        s[3 * j + 2] = t.wa;
      }
      cells_[c].slot = slot;
      cells_[c].summed = true;
    }
    return sum_data_[cells_[c].slot];
  }

  /// Everything compute() needs, in dense indices: PSUs sorted by (stratum id, psu id),
  /// groups by id, each group's cells by PSU, each (group, variable)'s values sorted.
  struct Prepared {
    DesignSummary design;
    std::vector<std::size_t> stratum_size;   // n_h, strata ascending by id
    std::vector<std::size_t> stratum_begin;  // first PSU of each stratum, then #PSUs
    std::vector<std::uint64_t> group_ids;
    std::vector<std::uint32_t> group_dense;  // Summary::groups_ index of each group
    std::size_t J = 0;
    std::vector<double> cut;  // per variable, threshold - 1e-12
    struct CellRef {
      const double* d;  // sums or the single row (CellRec)
      std::uint32_t p;
      bool summed;
    };
    std::vector<std::vector<CellRef>> cells;  // per group, by PSU (if by_group)
    std::vector<std::uint32_t> group_at;      // place of each dense group
    bool in_order = false;                    // Summary::cells_ were made in PSU order
    bool by_group = false;                    // `cells` is filled
    struct Sorted {
      std::vector<double> y, w;
      std::vector<std::uint32_t> p;
    };
    std::vector<Sorted> sorted;  // per group * J + variable

    std::size_t psus() const noexcept { return stratum_begin.back(); }
    /// The stratum (place) of PSU p.
    std::size_t stratum_of(std::size_t p) const noexcept {
      return static_cast<std::size_t>(
          std::upper_bound(stratum_begin.begin(), stratum_begin.end(), p) - stratum_begin.begin() -
          1);
    }
    std::size_t group_index(std::uint64_t id) const noexcept {
      const auto it = std::lower_bound(group_ids.begin(), group_ids.end(), id);
      return it != group_ids.end() && *it == id ? static_cast<std::size_t>(it - group_ids.begin())
                                                : npos;
    }
    Totals sums(const CellRef& c, std::size_t j) const noexcept {
      return cell_totals(c.d, c.summed, j, cut[j]);
    }
    /// Sums of group g, per variable, with PSU factors f (nullptr: all 1); each sum
    /// over the cells in PSU order. One pass over the cells for all variables.
    void totals(std::size_t g, const double* f, std::span<Totals> out) const noexcept {
      std::fill(out.begin(), out.end(), Totals{});
      for (const auto& c : cells[g]) {
        const double m = f ? f[c.p] : 1.0;
        if (m == 0) continue;
        for (std::size_t j = 0; j < J; ++j) {
          const Totals s = sums(c, j);
          out[j].w += m * s.w;
          out[j].wy += m * s.wy;
          out[j].wa += m * s.wa;
        }
      }
    }
    void quantiles(std::size_t g, std::size_t j, const double* f, double total,
                   std::span<const double> probs, std::span<double> out) const {
      const Sorted& s = sorted[g * J + j];
      if (f)
        weighted_quantiles_sorted(
            s.y, [&](std::size_t i) { return s.w[i] * f[s.p[i]]; }, total, probs, out);
      else
        weighted_quantiles_sorted(
            s.y, [&](std::size_t i) { return s.w[i]; }, total, probs, out);
    }
    /// PSU totals of the linearised variable of the domain ratio estimator
    /// R = sum w d u / sum w d: z_i = w_i d_i (u_i - R) / sum w d (zero outside the domain).
    void linearized(std::size_t g, std::size_t j, Stat s, double R, std::vector<double>& Z) const {
      std::fill(Z.begin(), Z.end(), 0.0);
      double W = 0;
      for (const auto& c : cells[g]) W += sums(c, j).w;
      if (!(W > 0)) {
        std::fill(Z.begin(), Z.end(), std::numeric_limits<double>::quiet_NaN());
        return;
      }
      for (const auto& c : cells[g]) {
        const Totals t = sums(c, j);
        Z[c.p] = ((s == Stat::mean ? t.wy : t.wa) - R * t.w) / W;
      }
    }
    /// sum_h n_h/(n_h-1) sum_i (Z_hi - Zbar_h)^2, singleton strata by `rule`.
    double variance(const std::vector<double>& Z, SingletonStrata rule) const {
      double grand = 0;
      if (rule == SingletonStrata::centered) {
        for (const double z : Z) grand += z;
        grand /= static_cast<double>(Z.size());
      }
      double v = 0;
      for (std::size_t h = 0; h < stratum_size.size(); ++h) {
        const std::size_t b = stratum_begin[h], n = stratum_size[h];
        if (n == 1) {
          if (rule == SingletonStrata::centered) v += (Z[b] - grand) * (Z[b] - grand);
          continue;  // certainty: nothing; error was refused before
        }
        double mean = 0;
        for (std::size_t p = b; p < b + n; ++p) mean += Z[p];
        mean /= static_cast<double>(n);
        double ss = 0;
        for (std::size_t p = b; p < b + n; ++p) ss += (Z[p] - mean) * (Z[p] - mean);
        v += static_cast<double>(n) / static_cast<double>(n - 1) * ss;
      }
      return v;
    }
  };

  void check(const SummaryOptions& opt) const {
    if (!(opt.level > 0 && opt.level < 1))
      throw std::invalid_argument(
          "Summary: the confidence level must be between 0 and 1 [bad_level]");
    for (const double p : opt.probabilities)
      if (!(p >= 0 && p <= 1))
        throw std::invalid_argument(
            "Summary: quantile probabilities must be in [0, 1] [bad_probability]");
    if (opt.method == VarianceMethod::bootstrap && opt.replicates < 2)
      throw std::invalid_argument(
          "Summary: the bootstrap needs at least 2 replicates [bad_replicates]");
    if (opt.method == VarianceMethod::bootstrap &&
        opt.replicates > std::numeric_limits<std::uint32_t>::max())
      throw std::invalid_argument("Summary: too many replicates [bad_replicates]");
  }

  Prepared prepare(const SummaryOptions& opt) const {
    Prepared P;
    P.J = vars_.size();
    P.cut = cut_;
    // PSUs in (stratum, psu) order: rank[u] is the place of dense PSU u.
    const std::vector<PsuKey>& keys = psus_.keys();
    const std::size_t U = keys.size();
    std::vector<std::uint32_t> rank(U);
    std::iota(rank.begin(), rank.end(), 0u);
    std::vector<std::uint32_t> order;  // PSU at each place; empty: ids came in order
    if (!std::is_sorted(keys.begin(), keys.end())) {
      order = rank;
      std::sort(order.begin(), order.end(),
                [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
      for (std::size_t p = 0; p < U; ++p) rank[order[p]] = static_cast<std::uint32_t>(p);
    }
    const auto stratum_at = [&](std::size_t p) {
      return keys[order.empty() ? p : order[p]].stratum;
    };
    for (std::size_t p = 0; p < U; ++p) {
      if (p == 0 || stratum_at(p) != stratum_at(p - 1)) {
        P.stratum_begin.push_back(p);
        P.stratum_size.push_back(0);
      }
      ++P.stratum_size.back();
    }
    order = {};
    P.stratum_begin.push_back(U);
    // Groups ascending by id.
    const std::size_t G = groups_.size();
    P.group_dense.resize(G);
    std::iota(P.group_dense.begin(), P.group_dense.end(), 0u);
    const std::vector<std::uint64_t>& ids = group_ids_.keys();
    std::sort(P.group_dense.begin(), P.group_dense.end(),
              [&](std::uint32_t a, std::uint32_t b) { return ids[a] < ids[b]; });
    std::vector<std::uint32_t> group_at(G);
    for (std::size_t g = 0; g < G; ++g) {
      P.group_ids.push_back(ids[P.group_dense[g]]);
      group_at[P.group_dense[g]] = static_cast<std::uint32_t>(g);
    }

    DesignSummary& d = P.design;
    d.method = opt.method;
    d.rows = rows_;
    for (const std::uint32_t gi : P.group_dense) d.sum_weights += groups_[gi].sum_weights;
    d.strata = P.stratum_size.size();
    d.psus = U;
    d.singleton_strata =
        static_cast<std::size_t>(std::count(P.stratum_size.begin(), P.stratum_size.end(), 1));
    d.df = static_cast<double>(d.psus) - static_cast<double>(d.strata);
    d.level = opt.level;
    d.t_quantile = t_quantile(d.df, opt.level);
    d.singleton = opt.singleton;
    d.interval = opt.interval;
    d.share_interval = opt.share_interval;
    if (opt.method == VarianceMethod::bootstrap) {
      d.replicates = opt.replicates;
      d.seed = opt.seed;
    }
    if (opt.method != VarianceMethod::none && d.singleton_strata > 0) {
      if (opt.singleton == SingletonStrata::error)
        throw input_error(
            "singleton_stratum",
            std::to_string(d.singleton_strata) +
                " stratum/strata with a single PSU: its variance cannot be estimated; choose "
                "how to treat such strata (singleton: certainty or centered)",
            0, opt.strata_column);
      if (opt.method == VarianceMethod::bootstrap && opt.singleton == SingletonStrata::centered)
        throw std::invalid_argument(
            "Summary: singleton strata 'centered' is for linearisation; the bootstrap takes "
            "'certainty' "
            "[singleton_stratum]");
    }

    // Each group's cells by PSU; made in PSU order when ids come in order. Point
    // estimates alone need no lists when the cells are in PSU order already.
    P.in_order = true;
    for (std::size_t i = 1; i < cells_.size() && P.in_order; ++i)
      P.in_order = rank[cells_[i - 1].psu] <= rank[cells_[i].psu];
    P.by_group = opt.method != VarianceMethod::none || !P.in_order;
    if (P.by_group) {
      P.cells.resize(G);
      std::vector<std::size_t> count(G, 0);
      for (const CellRec& c : cells_) ++count[group_at[c.group]];
      for (std::size_t g = 0; g < G; ++g) P.cells[g].reserve(count[g]);
      for (const CellRec& c : cells_)
        P.cells[group_at[c.group]].push_back({cell_data(c), rank[c.psu], c.summed});
      const auto by_psu = [](const Prepared::CellRef& a, const Prepared::CellRef& b) {
        return a.p < b.p;
      };
      for (auto& v : P.cells)
        if (!std::is_sorted(v.begin(), v.end(), by_psu)) std::sort(v.begin(), v.end(), by_psu);
    }
    P.group_at = std::move(group_at);
    const std::size_t J = P.J;
    P.sorted.resize(G * J);
    std::vector<Obs> obs;
    for (std::size_t g = 0; g < G; ++g) {
      const GroupAcc& acc = groups_[P.group_dense[g]];
      for (std::size_t j = 0; j < J; ++j) {
        if (!vars_[j].quantiles) continue;
        // By value, then PSU in (stratum, psu) order, then weight: a total order, so the
        // result does not depend on the order rows were added in.
        obs.assign(acc.values[j].begin(), acc.values[j].end());
        for (Obs& o : obs) o.psu = rank[o.psu];
        std::sort(obs.begin(), obs.end(), [](const Obs& a, const Obs& b) {
          return std::tie(a.y, a.psu, a.w) < std::tie(b.y, b.psu, b.w);
        });
        auto& s = P.sorted[g * J + j];
        std::size_t n = 0;
        for (std::size_t i = 0; i < obs.size(); ++i)
          n += i == 0 || obs[i].y != obs[i - 1].y || obs[i].psu != obs[i - 1].psu;
        s.y.reserve(n);
        s.w.reserve(n);
        s.p.reserve(n);
        // Runs of the same value in the same PSU become one entry (their weights summed):
        // every replicate scales them alike, and scores repeat values a lot.
        for (std::size_t i = 0; i < obs.size(); ++i) {
          const Obs& o = obs[i];
          if (i > 0 && o.y == obs[i - 1].y && o.psu == obs[i - 1].psu) {
            s.w.back() += o.w;
            continue;
          }
          s.y.push_back(o.y);
          s.w.push_back(o.w);
          s.p.push_back(o.psu);
        }
      }
    }
    return P;
  }

  /// Sums of every group (place g) and variable j at [g * J + j], each over the group's
  /// cells in PSU order: from the lists of each group's cells, or in one pass over the
  /// cells when they were made in PSU order (the same additions, in memory order).
  void point_totals(const Prepared& P, std::vector<Totals>& out) const {
    const std::size_t J = P.J;
    if (P.by_group) {
      for (std::size_t g = 0; g < P.cells.size(); ++g)
        P.totals(g, nullptr, std::span(out).subspan(g * J, J));
      return;
    }
    for (const CellRec& c : cells_) {
      const double* d = cell_data(c);
      Totals* t = out.data() + std::size_t{P.group_at[c.group]} * J;
      for (std::size_t j = 0; j < J; ++j) {
        const Totals s = cell_totals(d, c.summed, j, cut_[j]);
        t[j].w += s.w;
        t[j].wy += s.wy;
        t[j].wa += s.wa;
      }
    }
  }

  static void set_t_interval(Interval& e, double se, double tq) {
    e.se = se;
    e.lo = e.estimate - tq * se;
    e.hi = e.estimate + tq * se;
  }

  /// R's degf of the domain of group g, variable j (after na.rm): PSUs and strata holding
  /// an observed value of positive weight in it. Cells are in PSU order, PSUs in stratum
  /// order.
  static double domain_df(const Prepared& P, std::size_t g, std::size_t j) {
    std::size_t psus = 0, strata = 0, last = npos;
    for (const auto& c : P.cells[g]) {
      if (!(P.sums(c, j).w > 0)) continue;
      ++psus;
      const std::size_t h = P.stratum_of(c.p);
      strata += h != last;
      last = h;
    }
    return static_cast<double>(psus) - static_cast<double>(strata);
  }

  /// The share interval of `e` (estimate and se set), a share of group g, variable j.
  static void set_share_interval(const Prepared& P, std::size_t g, std::size_t j,
                                 const SummaryOptions& opt, double tq, const VariableSummary& v,
                                 Interval& e) {
    // Only beta needs the domain's rows and df.
    const bool beta = opt.share_interval == ShareInterval::beta;
    share_interval(e, opt.share_interval, tq, opt.level,
                   beta ? static_cast<double>(v.observed) : 0.0, beta ? domain_df(P, g, j) : 0.0);
  }

  /// Woodruff (1952) intervals for the quantiles of group g, variable j, as R's
  /// svyquantile computes them by default (survey 4.1, interval.type = "mean", woodruffCI):
  /// F = the domain share of values <= q_p, F -/+ t SE(F) on the probability scale mapped
  /// back through the quantile function, SE = (hi - lo) / (2 t). A probability bound
  /// outside [0, 1] gives NaN, as in R: clipping would claim a bound the data do not give.
  void woodruff(const Prepared& P, std::size_t g, std::size_t j, const SummaryOptions& opt,
                const std::vector<double>& qprob, const std::vector<std::size_t>& qorder,
                VariableSummary& v, std::vector<double>& Z) const {
    const auto& s = P.sorted[g * P.J + j];
    const double W = v.sum_weights;
    if (!(W > 0)) return;
    const double tq = t_quantile(domain_df(P, g, j), opt.level);  // R: the domain's degf
    for (std::size_t k = 0; k < qprob.size(); ++k) {
      Interval& e = v.quantiles[qorder[k]];
      const double q = e.estimate;
      double below = 0, total = 0;
      for (std::size_t i = 0; i < s.y.size(); ++i) {
        total += s.w[i];
        if (s.y[i] <= q) below += s.w[i];
      }
      // Summed alike, so F is exactly 1 (and every z exactly 0) when all values are <= q.
      const double F = below / total;
      std::fill(Z.begin(), Z.end(), 0.0);
      for (std::size_t i = 0; i < s.y.size(); ++i)
        Z[s.p[i]] += s.w[i] * ((s.y[i] <= q ? 1.0 : 0.0) - F) / W;
      const double seF = std::sqrt(P.variance(Z, opt.singleton));
      const double plo = F - tq * seF, phi = F + tq * seF;
      const double nan = std::numeric_limits<double>::quiet_NaN();
      e.lo = e.hi = e.se = nan;
      const bool lo_ok = plo >= 0, hi_ok = phi <= 1;  // false for NaN too
      const std::array<double, 2> pp{lo_ok ? plo : 0.0, hi_ok ? phi : 1.0};
      std::array<double, 2> lohi{};
      P.quantiles(g, j, nullptr, W, pp, lohi);
      if (lo_ok) e.lo = lohi[0];
      if (hi_ok) e.hi = lohi[1];
      e.se = (e.hi - e.lo) / (2 * tq);
    }
  }

  void bootstrap(const Prepared& P, const SummaryOptions& opt, const std::vector<double>& qprob,
                 const std::vector<std::size_t>& qorder,
                 const std::vector<std::pair<std::size_t, std::size_t>>& cidx,
                 SummaryResult& res) const {
    const std::size_t J = vars_.size(), G = P.group_ids.size(), K = qprob.size(),
                      B = opt.replicates;
    const std::size_t S = 2 + K;  // per (group, variable): mean, above, quantiles (ascending p)
    const std::size_t E = G * J * S;
    const auto at = [&](std::size_t g, std::size_t j, std::size_t s) {
      return (g * J + j) * S + s;
    };
    std::vector<double> rep(B * E, std::numeric_limits<double>::quiet_NaN());

    const auto run = [&](std::size_t b0, std::size_t b1) {
      std::vector<double> f(P.psus()), q(K);
      std::vector<Totals> totals(J);
      for (std::size_t b = b0; b < b1; ++b) {
        rao_wu_factors(P.stratum_size, opt.seed, b, f);
        double* r = rep.data() + b * E;
        for (std::size_t g = 0; g < G; ++g) {
          if (res.groups[g].suppressed) continue;
          P.totals(g, f.data(), totals);
          for (std::size_t j = 0; j < J; ++j) {
            const Totals& t = totals[j];
            if (!(t.w > 0)) continue;
            r[at(g, j, 0)] = t.wy / t.w;
            if (!std::isnan(vars_[j].threshold)) r[at(g, j, 1)] = t.wa / t.w;
            if (vars_[j].quantiles) {
              P.quantiles(g, j, f.data(), t.w, qprob, q);
              for (std::size_t k = 0; k < K; ++k) r[at(g, j, 2 + k)] = q[k];
            }
          }
        }
      }
    };
    unsigned threads =
        opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, B));
    if (threads <= 1) {
      run(0, B);
    } else {
      std::vector<std::thread> pool;
      for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back(run, B * t / threads, B * (t + 1) / threads);
      for (auto& th : pool) th.join();
    }

    const double tq = res.design.t_quantile, df = res.design.df;
    std::vector<double> col(B);
    const auto finish = [&](Interval& e, const auto& value_of) {
      if (std::isnan(e.estimate)) return;
      for (std::size_t b = 0; b < B; ++b) col[b] = value_of(b);
      std::vector<double> v(col);
      const ReplicateSummary s = summarize_replicates(v, opt.level);
      e.se = s.se;
      e.replicates = s.used;
      if (opt.interval == BootstrapInterval::percentile) {
        e.lo = s.lo;
        e.hi = s.hi;
      } else {
        e.lo = e.estimate - tq * s.se;
        e.hi = e.estimate + tq * s.se;
      }
    };
    for (std::size_t g = 0; g < G; ++g) {
      if (res.groups[g].suppressed) continue;
      for (std::size_t j = 0; j < J; ++j) {
        VariableSummary& v = res.groups[g].variables[j];
        finish(v.mean, [&](std::size_t b) { return rep[b * E + at(g, j, 0)]; });
        finish(v.above, [&](std::size_t b) { return rep[b * E + at(g, j, 1)]; });
        // Normal intervals of shares as linearised ones (percentile ones stay in [0, 1]).
        if (opt.interval == BootstrapInterval::normal) {
          if (vars_[j].share) set_share_interval(P, g, j, opt, tq, v, v.mean);
          set_share_interval(P, g, j, opt, tq, v, v.above);
        }
        for (std::size_t k = 0; k < K; ++k)
          finish(v.quantiles[qorder[k]],
                 [&](std::size_t b) { return rep[b * E + at(g, j, 2 + k)]; });
      }
    }
    for (std::size_t c = 0; c < cidx.size(); ++c) {
      ContrastSummary& cs = res.contrasts[c];
      if (cs.suppressed) continue;
      // Not a structured binding: clang before 16 (the fuzz build) cannot capture one.
      const std::size_t a = cidx[c].first, bref = cidx[c].second;
      for (std::size_t j = 0; j < J; ++j)
        for (std::size_t s = 0; s < 2; ++s) {
          Difference& d = s == 0 ? cs.variables[j].mean : cs.variables[j].above;
          finish(d, [&](std::size_t b) {
            return rep[b * E + at(a, j, s)] - rep[b * E + at(bref, j, s)];
          });
          d.p = t_p_value(d.estimate, d.se, df);
        }
    }
  }

  std::vector<SummaryVariable> vars_;
  std::vector<double> cut_;  // per variable, threshold - 1e-12: at or above it counts
  DenseIds<std::uint64_t, IdHash> group_ids_;
  std::vector<GroupAcc> groups_;  // by dense group number
  DenseIds<PsuKey, PsuHash> psus_;
  std::vector<std::uint32_t> psu_cell_;  // per PSU, its first cell
  std::vector<CellRec> cells_;
  // (PSU << 32 | group) -> cell, for the cells of a PSU after its first.
  std::unordered_map<std::uint64_t, std::uint32_t> more_cells_;
  Records row_data_, sum_data_;  // J + 1 and 3J doubles per cell
  std::uint64_t rows_ = 0;
};

}  // namespace reinscore
