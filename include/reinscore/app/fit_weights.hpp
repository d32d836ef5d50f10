// `fit-weights`: a weight set fitted to a raw export (PCA, OECD varimax, equal), with its
// diagnostics (eigenvalues, loadings, KMO, Bartlett) as typed tables and the weight file
// (include/reinscore/fit.hpp holds the estimators).
//
// Also the one loop that reads a raw export for a command that accumulates over it
// (fit-weights, the fits and draws of sensitivity): open or take the input, bind its
// columns to the items, code and score each batch, read the sampling weights and the
// columns to copy. A file (the command line, Python given a path) and values a face has
// already coded (Python given a DataFrame) are both an ExportSource, read in batches of
// --chunk-rows rows, so both give the same sums bit for bit.
#pragma once

#include <reinscore/app/instruments.hpp>
#include <reinscore/app/report.hpp>
#include <reinscore/app/scores.hpp>
#include <reinscore/coder.hpp>
#include <reinscore/fit.hpp>
#include <reinscore/instrument.hpp>
#include <reinscore/scorer.hpp>

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace reinscore::app {

// ---------------------------------------------------------------------------------------
// Reading a raw export.

/// How a raw export is read and bound to the items (options shared by the commands that
/// read one).
struct ExportOptions {
  std::string delimiter;  ///< --delimiter: one character or "tab"; empty: detect
  std::string sheet;      ///< --sheet (XLSX); empty: the first
  std::string map;        ///< --map: a CSV file (column,item)
  std::map<std::string, std::string> column_map;  ///< column -> item given by a face
  bool allow_missing_columns = false;             ///< --allow-missing-columns
  std::int64_t chunk_rows = fit_chunk_rows;       ///< --chunk-rows

  /// Throws option_error (--chunk-rows, --delimiter).
  void check() const;
};

/// The columns a pass over an export reads besides the items.
struct ExportWant {
  /// Sampling-weight column; "": the weights a face handed over per row, if any, else none.
  std::string weight;
  std::vector<std::string> pass;  ///< columns copied to the output (--id, then --keep)
};

/// One batch of rows: coded and scored with the instrument's default weights.
struct ExportBatch {
  CodedBlock coded;
  std::vector<Status> status;
  std::vector<std::uint8_t> invalid;  ///< 1 where the status is invalid: left out of every fit
  std::vector<std::uint64_t> row;     ///< the row of messages (files: header = 1; frames: 1-based)
  Eigen::VectorXd weight;             ///< sampling weights when weighted (0 on invalid rows)
  /// Per ExportWant::pass column, its text per row; empty when the field could not be
  /// read cleanly (a ragged row, invalid UTF-8), so that no other field leaks into it.
  std::vector<std::vector<std::string>> pass;

  std::size_t rows() const noexcept { return row.size(); }
};

/// A raw export read in passes of batches.
class ExportSource {
 public:
  virtual ~ExportSource() = default;
  /// Every column name of the input, in order.
  virtual const std::vector<std::string>& header() const noexcept = 0;
  /// False when the input can be read once only (standard input).
  virtual bool restartable() const noexcept = 0;
  /// Starts a pass from the first row with the columns `want` names. Throws input_error
  /// missing_column / duplicate_column for a named column the input does not have once,
  /// option_error when the rows given by a face come with weights and a column as well.
  virtual void start(const ExportWant& want) = 0;
  /// The next batch of at most ExportOptions::chunk_rows rows; false at the end. Throws
  /// input_error invalid_weight for a row (not invalid) whose weight is not a finite number
  /// >= 0.
  virtual bool next(ExportBatch& out) = 0;
  /// Whether the current pass reads sampling weights, and how they are named in a
  /// citation: "column 'w'", "given weights" ("" when unweighted).
  virtual bool weighted() const noexcept = 0;
  virtual std::string weight_label() const = 0;
  /// Whether a face handed over weights of its own (not a column); see start().
  virtual bool given_weights() const noexcept { return false; }
};

/// Binds `header` to the items of `ins` by name, alias and opt's maps. Returns, per item,
/// the index of its column or -1. Throws input_error: no_item_columns when no column
/// matches; else the first fatal problem (missing_column unless allowed, duplicate_column,
/// unknown_map_column, ...), saying how many there are.
std::vector<long long> bind_export(const Instrument& ins, const std::vector<std::string>& header,
                                   const ExportOptions& opt);

/// A file (CSV/TSV or XLSX by extension, "-" for standard input), read through the io
/// readers and their limits and bound at once (bind_export's errors). `ins` must outlive
/// the source. `weights`, when given, are one sampling weight per row of the file, used by
/// a pass that names no weight column (option_error --weight when the counts differ).
std::unique_ptr<ExportSource> open_export(const std::string& path, const Instrument& ins,
                                          const ExportOptions& opt,
                                          std::optional<std::vector<double>> weights = {});

/// The whole command for an export file, as C++ services and the command line run it:
/// checks `request`, resolves request.instrument in `search` (with `weights`, a set name
/// or file, as its default set when not empty), opens `path` (open_export with
/// request.input) and returns `command(source, instrument)`.
template <class Request, class Command>
auto run_on_export(const std::string& path, const Request& request, const InstrumentSearch& search,
                   Command&& command, const std::string& weights = {}) {
  request.check();
  Instrument ins = resolve_instrument(request.instrument, search);
  if (!weights.empty()) ins = apply_weights(ins, weights);
  const auto source = open_export(path, ins, request.input);
  return command(*source, static_cast<const Instrument&>(ins));
}

/// Rows a face has coded itself (Python: a DataFrame through the core's coder), with their
/// status; read in batches of opt.chunk_rows. `columns` are the input's columns a pass may
/// name (weights, copied columns), as handed over (numbers, or text parsed here);
/// `weights`, when given, one sampling weight per row (rule: one per row, option --weight).
/// Messages name rows by 1-based position.
std::unique_ptr<ExportSource> coded_export(CodedBlock coded, std::vector<Status> status,
                                           std::vector<std::string> header,
                                           std::vector<RawColumn> columns,
                                           std::optional<std::vector<double>> weights,
                                           const ExportOptions& opt);

/// Streams a pass over `source` (started here with `want`) into the co-moments of a fit:
/// invalid rows are left out; the accumulator is weighted when the pass reads weights.
FitAccumulator accumulate_fit(ExportSource& source, const ExportWant& want, const Instrument& ins,
                              MissingPolicy policy);

// ---------------------------------------------------------------------------------------
// fit-weights

/// reinscore::fit_weights, with data that cannot support a fit (no usable rows, an item
/// never answered or without variance, items never answered together) reported as
/// input_error cannot_fit: the caller's input, not a bug.
FitResult fit_or_explain(const Instrument& ins, const FitAccumulator& acc, const FitOptions& opt);

struct FitWeightsRequest {
  std::string method = "pca-first";            ///< --method: equal, pca-first, oecd-varimax
  std::string composite = "dimension-shares";  ///< --composite: dimension-shares or pca
  std::string missing = "pairwise";            ///< --missing: pairwise or complete
  std::string weight;                          ///< --weight: sampling-weight column
  std::string name;                            ///< --name; empty: fitted-METHOD
  double min_eigenvalue = 1.0;                 ///< --min-eigenvalue (oecd-varimax)
  double min_cumulative = 0.0;                 ///< --min-cumulative (oecd-varimax; 0: off)
  double varimax_tolerance = 1e-12;            ///< --varimax-tolerance (radians)
  int varimax_max_iterations = 1000;           ///< --varimax-max-iterations
  std::string instrument = "iom-rss";          ///< --instrument: name or .json file
  ExportOptions input;                         ///< --delimiter, --sheet, --map, --chunk-rows

  /// Throws option_error naming the option and the rule.
  void check() const;
  /// The name of the fitted set: `name`, or fitted-METHOD.
  std::string set_name() const;
};

/// A fitted weight set and everything said about it.
struct FittedWeights {
  /// Tables: "fit" (one row: name, method, composite, missing, weighting, rows, rows_used,
  /// rows_invalid), "blocks" (per dimension, then "all": items, n, KMO, Bartlett, first
  /// eigenvalue and its share, components kept), "weights" (per item), "dimension_weights"
  /// (dimension mode only), "eigenvalues", "loadings" (PC1.. over the widest block, missing
  /// beyond a block's size), "rotated_loadings" (oecd-varimax only: F1..), "kmo" (per
  /// item). Notes: what was fitted on which rows (info), what the diagnostics advise
  /// against (warnings).
  Report report;
  WeightSet weights;      ///< the set as read back from `file`: memory and file agree
  Instrument instrument;  ///< the instrument with the set added and made the default
  std::string file;       ///< the weight file (plain decimal numbers): what -o writes
};

/// Fits the set to a pass over `source` (bound to `ins`). Throws input_error cannot_fit
/// when the data cannot support a fit (no usable rows, an item never answered or without
/// variance, items never answered together), and the source's errors.
FittedWeights fit_weights(ExportSource& source, const Instrument& ins,
                          const FitWeightsRequest& request);

/// The whole command for a file (C++ services, the command line): resolves
/// request.instrument in `search`, opens `path` (open_export) and fits.
FittedWeights fit_weights(const std::string& path, const FitWeightsRequest& request,
                          const InstrumentSearch& search);

}  // namespace reinscore::app
