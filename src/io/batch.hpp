// Coding and scoring one batch of records read from a file: the unit of work the
// command-line tool hands to its threads. Also used by the Python module for paths.
#pragma once

#include "io/column_binding.hpp"
#include "io/table.hpp"

#include <reinscore/coder.hpp>
#include <reinscore/scorer.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace reinscore::io {

/// Problems of a whole row that make it invalid before any answer is read.
enum class RowDefect : std::uint8_t { none, ragged, empty, invalid_utf8 };

/// Treats malformed rows alike wherever they are scored (the command line's batches and the
/// Python module's columns): a row whose defect is not `none` is not read at all, since its
/// fields cannot be trusted to be in place. The first call empties its coded cells before
/// scoring; the second, after scoring, leaves it without scores and with status invalid.
/// `defect` has one entry per row (RowDefect values; 0 is none).
void clear_defective_rows(const std::uint8_t* defect, CodedBlock& coded);
void invalidate_defective_rows(const std::uint8_t* defect, ScoreBlock& scores);

struct BatchResult {
  CodedBlock coded;
  ScoreBlock scores;
  std::vector<RowDefect> defect;    ///< per row; one byte each (see clear_defective_rows)
  std::vector<std::size_t> fields;  ///< field count of each row (for ragged messages)
  std::vector<std::vector<std::size_t>> bad_utf8_columns;  ///< per row, fields not valid UTF-8
};

/// What a reader knows about one row before its answers are read.
struct RowFacts {
  RowDefect defect = RowDefect::none;
  std::size_t fields = 0;                         ///< field count (for ragged messages)
  std::span<const std::size_t> bad_utf8_columns;  ///< fields that are not UTF-8
  /// Columns copied to the output (--id, then --keep): each one that cannot be copied is
  /// named in `problems`.
  std::span<const std::size_t> pass_columns;
};

/// Why input column `column` of a row cannot be copied to an output column (--id,
/// --keep): "ragged_row" when the row's fields are not in place (a wrong delimiter puts
/// the whole line, every answer, in the first field), "invalid_utf8" when the field itself
/// is not UTF-8; empty when the field was read cleanly. Such a field is written empty, and
/// `problems` says "COLUMN: id_unreadable: REASON".
std::string_view pass_field_problem(const RowFacts& facts, std::size_t column) noexcept;

/// `problems` text for row r: "column: rule" for each unreadable answer, the row defect,
/// copied columns left empty, and the dimensions below the coverage rule; empty when there
/// is nothing to say. Never contains answer values. The one implementation behind the
/// command line's `problems` column and the Python module's.
std::string row_problems(const Instrument& ins, const ColumnBinding& binding,
                         const CodedBlock& coded, const ScoreBlock& scores, Eigen::Index r,
                         const RowFacts& facts);
std::string row_problems(const Instrument& ins, const ColumnBinding& binding,
                         const BatchResult& res, Eigen::Index r,
                         std::span<const std::size_t> pass_columns = {});
/// The facts of row r of a batch result.
RowFacts row_facts(const BatchResult& res, Eigen::Index r,
                   std::span<const std::size_t> pass_columns = {});

class BatchScorer {
 public:
  BatchScorer(const Instrument& ins, const WeightSet& weights, const ColumnBinding& binding)
      : ins_(ins), coder_(ins), scorer_(ins, weights), binding_(binding) {}

  void run(const RecordBatch& batch, BatchResult& out) const;
  const Scorer& scorer() const noexcept { return scorer_; }

 private:
  const Instrument& ins_;
  Coder coder_;
  Scorer scorer_;
  const ColumnBinding& binding_;
};

}  // namespace reinscore::io
