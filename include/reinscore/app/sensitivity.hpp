// `sensitivity`: Monte Carlo over weight sets. Each interview of a raw export gets the
// interval of its composite over the draws and the share of draws that change its
// category; a summary says how much the categories move (include/reinscore/sensitivity.hpp
// holds the kernels).
#pragma once

#include <reinscore/app/fit_weights.hpp>
#include <reinscore/app/instruments.hpp>
#include <reinscore/app/report.hpp>
#include <reinscore/instrument.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace reinscore::app {

struct SensitivityRequest {
  std::int64_t draws = 1000;                   ///< --draws
  double bound = 0.2;                          ///< --bound: factors in [1 - bound, 1 + bound]
  std::int64_t seed = 1;                       ///< --seed
  std::string mode = "perturb";                ///< --mode: perturb, methods or both
  double level = 0.9;                          ///< --level of the central interval
  std::string composite = "dimension-shares";  ///< --composite of the fitted sets
  std::string missing = "pairwise";            ///< --missing of the fits
  std::string weight;                          ///< --weight: sampling weights of the fits
  std::vector<std::string> id, keep;           ///< --id, --keep: columns copied per interview
  std::int64_t threads = 1;                    ///< --threads (results do not depend on it)
  std::string instrument = "iom-rss";          ///< --instrument: name or .json file
  std::string weights;  ///< --weights: the base set, a name or a .csv/.json file ("": default)
  ExportOptions input;  ///< --delimiter, --sheet, --map, --allow-missing-columns, --chunk-rows

  /// Throws option_error naming the option and the rule (ranges, choices, --weight
  /// without fits).
  void check() const;
};

/// The result besides the per-interview rows.
struct SensitivityOutcome {
  /// Tables: "interviews" (unless handed to a sink: the --id/--keep columns, composite,
  /// category, status, lower, median, upper, mean, min, max, draws_scored,
  /// category_change_share), "summary" (one row: the options, totals, interval widths,
  /// shares of category changes), "draws" (per draw: method, category_change_share) and
  /// "methods" (methods/both: draws per method). Notes (info): what the command line
  /// prints on stderr.
  Report report;
  /// The summary as the JSON document of --summary (plain decimal numbers).
  std::string summary_json;
};

/// Runs the draws over `source` (bound to `ins`, whose default weights are the base set).
/// In methods/both mode the source is read twice (the fits, then the draws): a source
/// that can be read once only is an option_error (--mode). The rows of each batch go to
/// `sink` as an "interviews" table when one is given (called at least once, with no rows
/// for an empty input), else into the report. Throws input_error cannot_fit when a fit
/// is impossible, and the source's errors.
SensitivityOutcome sensitivity(ExportSource& source, const Instrument& ins,
                               const SensitivityRequest& request,
                               const std::function<void(const Table&)>& sink = {});

/// The whole command for a file (C++ services, the command line): resolves
/// request.instrument in `search`, applies request.weights, opens `path` (open_export) and
/// runs the draws.
SensitivityOutcome sensitivity(const std::string& path, const SensitivityRequest& request,
                               const InstrumentSearch& search,
                               const std::function<void(const Table&)>& sink = {});

}  // namespace reinscore::app
