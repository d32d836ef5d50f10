// `reliability`: Cronbach's alpha (raw, standardised and, on request, ordinal on
// polychoric correlations) and item statistics per dimension of an instrument, over a raw
// export streamed once into mergeable accumulators (include/reinscore/reliability.hpp holds
// the estimators; docs/statistics.md the formulas). Invalid interviews are left out, as
// they get no scores.
#pragma once

#include <reinscore/app/fit_weights.hpp>  // ExportSource: the one reader of raw exports
#include <reinscore/app/instruments.hpp>
#include <reinscore/app/report.hpp>
#include <reinscore/instrument.hpp>

#include <string>

namespace reinscore::app {

struct ReliabilityRequest {
  std::string instrument = "iom-rss";  ///< --instrument: name or .json file
  std::string missing = "complete";    ///< --missing: complete (also "listwise") or pairwise
  bool ordinal = false;                ///< --ordinal: ordinal alpha, polychoric correlations
  bool correlations = false;           ///< --correlations: the table of inter-item correlations
  std::string weight;                  ///< --weight: column of sampling weights; empty: none
  /// --delimiter, --sheet, --map, --allow-missing-columns, --chunk-rows
  ExportOptions input;

  /// Throws option_error: --missing not a policy, a --map that is a directory, and the
  /// input's checks (--chunk-rows, --delimiter).
  void check() const;
};

/// Tables:
/// - "dimensions": dimension, items (k), n (complete rows; pairwise: the fewest rows behind
///   an inter-item covariance), weight_sum, alpha, standardized_alpha, mean_r and with
///   --ordinal ordinal_alpha, mean_polychoric;
/// - "items": dimension, item, column, n, mean, sd, item_rest, alpha_if_deleted,
///   standardized_alpha_if_deleted (and ordinal_alpha_if_deleted), one row per item of the
///   instrument in its order; an item left out (no column, --allow-missing-columns) has no
///   column and no statistics;
/// - "correlations" (with --correlations): dimension, item, with, r (Pearson, behind
///   standardized_alpha) and with --ordinal polychoric, for every pair (item, with) of a
///   dimension's items, item by item (a k x k matrix row by row);
/// - "input": instrument (tag), rows_read, invalid_rows, rows_used, missing, weight.
/// Notes: items left out, invalid interviews left out.
/// Items without a column are left out with --allow-missing-columns (bind_export's rules
/// otherwise). Throws input_error not_ordinal (--ordinal and an item with too many distinct
/// values), and the source's errors (weights, columns; fit_weights.hpp).
Report reliability(ExportSource& source, const Instrument& ins, const ReliabilityRequest& request);

/// The whole command for a file (C++ services, the command line): resolves
/// request.instrument in `search`, opens `path` (open_export) and runs reliability().
Report reliability(const std::string& path, const ReliabilityRequest& request,
                   const InstrumentSearch& search);

}  // namespace reinscore::app
