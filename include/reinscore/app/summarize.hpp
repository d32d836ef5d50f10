// `summarize`: per group of a scores table, interviews, means of the scores, shares of
// each status, and with a survey design (weights, strata, clusters) or --ci: quantiles,
// shares at or above the threshold, missing shares, standard errors and intervals
// (linearisation or bootstrap) and differences to a reference group
// (include/reinscore/summary.hpp holds the estimators).
#pragma once

#include <reinscore/app/instruments.hpp>
#include <reinscore/app/report.hpp>
#include <reinscore/app/scores.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace reinscore::app {

struct SummarizeRequest {
  std::vector<std::string> by;          ///< --by, grouping columns (none: one overall row)
  std::string weight, strata, cluster;  ///< --weight, --strata, --cluster columns
  std::string ci;                       ///< --ci: "", "linearization" or "bootstrap"
  // Whole-number options are signed so that every face hands over what it was given and
  // check() refuses a negative value with the option's message (not a conversion error).
  std::int64_t replicates = 1000;        ///< --replicates (bootstrap)
  std::int64_t seed = 20250101;          ///< --seed (bootstrap)
  std::int64_t threads = 1;              ///< --threads (bootstrap; 0: all cores)
  double level = 0.95;                   ///< --level
  std::string interval = "percentile";   ///< --interval: percentile or normal (bootstrap)
  std::string singleton = "error";       ///< --singleton: error, certainty or centered
  std::string share_interval = "logit";  ///< --share-interval: logit, wilson, beta or wald
  std::optional<double> threshold;       ///< --threshold; none: the instrument's
  std::string compare;                   ///< --compare COLUMN:LEVEL (COLUMN one of by)
  std::int64_t min_cell = 10;            ///< --min-cell
  std::vector<double> quantiles{0.25, 0.5, 0.75};  ///< quantile probabilities
  std::string instrument;    ///< --instrument: path or name; empty: the one the tag names
  bool allow_mixed = false;  ///< --allow-mixed
  int digits = 4;            ///< --digits of the terminal table (SEs and p-values: 2 more)
  /// The survey form (quantiles, shares above, sum_w, missing, intervals). Set by the
  /// faces when any survey option is given; the plain form has n, means and shares only.
  bool survey = false;

  /// Throws option_error naming the option and the rule (ranges, choices, options that
  /// need others: --compare needs --ci, bootstrap settings need --ci bootstrap).
  void check() const;
  /// The columns the request reads from a scores table.
  ScoresWant want() const;
};

/// Tables: "groups" (one row per group, the CLI's columns), and in the survey form
/// "estimates" (long: group, variable, statistic, estimate, se, lo, hi, n, sum_w,
/// observed, missing_share[, replicates]), "differences" (long, with --compare) and
/// "design" (one row: method, strata, PSUs, df, level, ...). Notes: suppressed groups,
/// the design, a missing threshold.
Report summarize(const ScoresTable& scores, const SummarizeRequest& request,
                 const InstrumentSearch& search);

}  // namespace reinscore::app
