// Writes scored batches as CSV (safe to open in a spreadsheet) or JSON Lines, one output
// row per input row, in input order.
#pragma once

#include "io/batch.hpp"
#include "io/pseudonymise.hpp"

#include <array>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace reinscore::io {

enum class OutputFormat { csv, jsonl };

struct WriterConfig {
  OutputFormat format = OutputFormat::csv;
  std::vector<std::size_t> pass_columns;  ///< --id then --keep columns (input indices)
  bool explain = false;
  /// With a pseudonymiser, the pass columns flagged here (one flag per pass column) are
  /// written as keyed pseudonyms instead of their values (--pseudonymise).
  std::shared_ptr<const Pseudonymiser> pseudonymiser;
  std::vector<bool> pseudonymise;
};

/// Escapes a text field for CSV: quoted when needed, and prefixed with an apostrophe when
/// it starts with a character a spreadsheet would run as a formula (= + - @ tab CR).
void append_csv_text(std::string& out, std::string_view s, char delim = ',');
/// Shortest decimal form that reads back to the same double; empty for NaN.
void append_number(std::string& out, double x);
/// A JSON string literal for `s`. Output is always valid UTF-8: a byte that does not
/// begin a valid UTF-8 sequence is written as U+FFFD (readers flag such fields and the
/// writer leaves copied ones empty, so this is a last guard, never the way data flows).
void append_json_string(std::string& out, std::string_view s);

class ScoreWriter {
 public:
  ScoreWriter(std::ostream& out, const Instrument& ins, const ColumnBinding& binding,
              WriterConfig cfg);
  /// The output column names, in order.
  const std::vector<std::string>& columns() const noexcept { return columns_; }
  void write_header();
  /// Formats a batch into `buf` (so threads can format in parallel) ...
  void format(const RecordBatch& batch, const BatchResult& res, const Scorer& scorer,
              std::string& buf) const;
  /// ... and writes formatted text, in order.
  void write(const std::string& buf);

 private:
  template <bool csv>
  void format_rows(const RecordBatch& batch, const BatchResult& res, const Scorer& scorer,
                   std::string& buf) const;

  std::ostream& out_;
  const Instrument& ins_;
  const ColumnBinding& binding_;
  WriterConfig cfg_;
  std::string tag_;
  // Pre-escaped (CSV or JSON) texts of the columns that repeat on every row.
  std::string tag_text_, empty_text_;
  std::array<std::string, 4> status_text_;
  std::vector<std::string> dimension_text_, category_text_;
  std::vector<std::string> json_keys_;  ///< "name": for each column
  std::vector<std::string> columns_;
};

}  // namespace reinscore::io
