// `panel`: the same returnees across follow-up rounds, from a scores table written by
// `reinscore score --keep returnee_id --keep round ...`: change of each score between two
// rounds (paired mean, linearised standard error, t-interval; weighted by the later
// interview), months since return, transitions between categories (and statuses),
// attrition per round (include/reinscore/panel.hpp holds the estimators).
#pragma once

#include <reinscore/app/instruments.hpp>
#include <reinscore/app/report.hpp>
#include <reinscore/app/scores.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reinscore::app {

/// The tables `panel` can build, by name (the values of --table).
inline constexpr std::string_view panel_table_names[] = {"changes",      "transitions", "attrition",
                                                         "per-returnee", "interviews",  "problems"};

struct PanelRequest {
  std::string id_column = "returnee_id";  ///< --id-column
  std::string round_column = "round";     ///< --round-column (whole numbers)
  /// --from, --to: the one pair of rounds to compare; none: each consecutive pair of the
  /// rounds present, then first to last when there are more than two.
  std::optional<std::int64_t> from_round, to_round;
  std::string weight;  ///< --weight column; empty: unweighted
  /// --date-column, --return-date-column (yyyy-mm-dd). Under their default names the
  /// columns are used when both are there; other names must exist; an empty name
  /// switches months since return off.
  std::string date_column = "interview_date";
  std::string return_date_column = "return_date";
  bool status = false;  ///< --status: transitions of the status too
  /// --table: the tables to build, in this order (panel_table_names); empty: changes,
  /// transitions and attrition.
  std::vector<std::string> tables;
  std::int64_t min_cell = 10;  ///< --min-cell
  double level = 0.95;         ///< --level of the t-intervals
  /// Category labels in order (Python's `categories`, a categorical's own order); every
  /// label of the data must be one of them. Empty: the instrument's threshold labels
  /// when they cover the labels seen, else the labels seen, sorted.
  std::vector<std::string> categories;
  std::string instrument;    ///< --instrument: path or name; empty: the one the tag names
  bool allow_mixed = false;  ///< --allow-mixed

  /// Throws option_error naming the option and the rule: ranges (--min-cell, --level),
  /// --from and --to together and in order (round_order), table names, empty column names.
  void check() const;
  /// The columns the request reads from a scores table (every column is kept: the
  /// default date columns are used only when present).
  ScoresWant want() const;
  /// The tables to build: `tables`, or the default three.
  std::vector<std::string> table_list() const;
};

/// Tables, each when asked for (PanelRequest::tables):
///  - "changes": one row per pair of rounds and score: from, to, score, pairs, missing, n,
///    sum_weights, mean_from, mean_to, mean_change, sd, se, ci_low, ci_high, df, t,
///    p_value, months_from, months_to. Counts below min_cell are suppressed; estimates
///    from fewer than min_cell pairs are missing.
///  - "transitions": long form of the transition matrices: variable (category, status),
///    from, to, state_from, state_to (plus "none" and "attrited"), row_total, n, share.
///    A row of fewer than min_cell returnees is withheld whole, a small cell alone.
///  - "attrition": one row per round: present, first_seen, retained, lost, returned,
///    absent, baseline_present, retention.
///  - "per-returnee": individual differences (never suppressed: opt-in, like `score`).
///  - "interviews": months since return per input row.
///  - "problems": row-level date problems (row, column, rule, message).
/// Notes: date problems (the first 20, then a count), one round only, no category column,
/// the category order when no instrument is found.
Report panel(const ScoresTable& scores, const PanelRequest& request,
             const InstrumentSearch& search);

}  // namespace reinscore::app
