// `integrate`: the levels of the integrated approach (docs/levels.md). Individual scores
// (a ScoresTable) are linked to the community and structural frameworks' scores by the
// frameworks' unit keys, rolled up per community and per country, compared with
// non-migrant residents, and combined into the integrated index (3 dimensions x 3 levels).
// include/reinscore/levels.hpp holds the computation; this unit finds and checks the
// instruments, reads and scores the level files and lays the result out as tables.
#pragma once

#include <reinscore/app/instruments.hpp>
#include <reinscore/app/report.hpp>
#include <reinscore/app/scores.hpp>
#include <reinscore/instrument.hpp>
#include <reinscore/scorer.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reinscore::app {

struct IntegrateRequest {
  /// --instrument: path or name of the individual instrument; empty: the one the scores'
  /// instrument tag names (looked up by plain name, with the weight set the tag names).
  std::string instrument;
  std::string weights;                                     ///< --weights (name or file)
  std::string community_instrument = "community";          ///< --community-instrument
  std::string structural_instrument = "structural-gcm21";  ///< --structural-instrument
  /// --min-respondents; none: the community instrument's integration.min_respondents.
  std::optional<std::int64_t> min_respondents;
  std::string weight;           ///< --weight: survey-weight column of the scores
  std::vector<std::string> by;  ///< --by: columns of the scores that split the roll-ups
  bool allow_mixed = false;     ///< --allow-mixed: pool scores of several weight sets
  int digits = 4;               ///< decimals of the terminal table

  /// Throws option_error naming the option and the rule.
  void check() const;
};

/// Throws input_error unless `ins` is of `level` (level_mismatch) and declares a
/// unit_key (no_unit_key); `option` names the option that gave it.
void check_framework(const Instrument& ins, std::string_view level, std::string_view option);

/// The columns a run reads from the scores: the unit keys of the two frameworks, the
/// --weight and --by columns, and every other column (carried to the per-interview table).
ScoresWant integrate_want(const IntegrateRequest& request, const Instrument& community,
                          const Instrument& structural);

/// The instrument the scores' tag names, looked up by plain name (data is never a path),
/// with the weight set the tag names when the instrument has it (else its default one).
/// Throws input_error no_instrument when the scores name none, instrument_mismatch when
/// the tag is not id@version#hash or the instrument found has another version, and the
/// lookup's errors (instrument_not_found).
Instrument scores_instrument(const ScoresTable& scores, const InstrumentSearch& search);

/// Every tag of the scores must name `individual` (rule instrument_mismatch, at the first
/// row of the tag): another id or version never, another weight set only with allow_mixed.
void check_scores_instrument(const ScoresTable& scores, const Instrument& individual,
                             bool allow_mixed);

/// One level file (communities, countries, or the residents' answers) scored with its
/// instrument: one row per unit or person.
struct LevelFile {
  std::string source;                    ///< for messages: the file, or a name for a frame
  std::string tag;                       ///< the instrument's tag
  std::vector<std::string> dimensions;   ///< the instrument's, in its order
  std::vector<std::string> key;          ///< key cell per row ("" when empty or unreadable)
  std::vector<std::string> parent;       ///< communities: their country cell; empty: no column
  std::vector<std::uint8_t> unreadable;  ///< per row, 1 when the key field could not be read
  std::vector<std::uint64_t> row;        ///< source row (header = 1)
  std::vector<Status> status;
  Eigen::MatrixXd scores;  ///< rows x (dimensions + 1): the dimensions, then the composite
};

/// Reads a raw answer file (CSV or XLSX) and scores it with `ins` (its default weights).
/// `key_column` must be in the file (missing_column); `parent_column`, when not empty, is
/// read when present. A key is copied only from a cleanly read field: a malformed row
/// (another delimiter) has no key and is reported by its row number. Throws input_error
/// column_binding (listing the columns' problems) when the file cannot be scored.
LevelFile read_level_file(const std::string& path, const Instrument& ins,
                          const std::string& key_column, const std::string& parent_column);

/// A level file scored by a face (Python scores a data frame with the core's scorer):
/// keys as typed columns (numbers become their shortest decimal text), the scores in the
/// instrument's order (rows x (dimensions + 1)), statuses and source rows.
LevelFile level_file(std::string source, const Instrument& ins, const RawColumn& key,
                     const RawColumn* parent, Eigen::MatrixXd scores, std::vector<Status> status,
                     std::vector<std::uint64_t> rows);

/// Checks the frameworks (check_framework, same dimensions as `individual`) and the
/// scores' tags (check_scores_instrument). Tables: "interviews" (one row per row of the scores, in
/// their order: the carried columns, the 3x3 matrix, integrated scores, level shares, statuses,
/// problems, tags), "communities" and "countries" (roll-ups per by group and unit; counts of groups
/// below the minimum are suppressed), "problems" (rule, source, column, key, count, rows) and
/// "problem_rows" (long: problem, row) and "settings" (one row: provisional, the level
/// weights, min_respondents, min_level_share, threshold and the three instruments' tags). Notes:
/// one warning per rule, file and column of the key problems (counts and rows, never keys), the
/// summary line (info). Throws input_error for inputs that stop the run (docs/levels.md).
Report integrate(const ScoresTable& scores, const LevelFile& community, const LevelFile& structural,
                 const LevelFile* host, const Instrument& individual,
                 const Instrument& community_instrument, const Instrument& structural_instrument,
                 const IntegrateRequest& request);

}  // namespace reinscore::app
