// `validate`: what is wrong with an export before it is scored, read exactly as `score`
// reads it: the header bound to the items, malformed rows (blank, ragged, not UTF-8), a
// delimiter the rows do not share with the header, and every answer that cannot be coded,
// counted per column. The faces only render the Report (docs/cli.md, "validate").
#pragma once

#include <reinscore/app/report.hpp>
#include <reinscore/instrument.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace reinscore::app {

/// Rows listed per problem (the count says how many there are).
inline constexpr std::size_t max_rows_listed = 5;
/// Distinct unreadable answers listed per column; the others are counted in one row.
inline constexpr std::size_t max_answers_listed = 50;

struct ValidateRequest {
  /// --show-codes: put the unreadable answers themselves in the report. Off by default:
  /// answers can be personal data; without it each distinct answer of a column is "#1",
  /// "#2", ... in the order of the answers' text.
  bool show_codes = false;
  std::string delimiter;  ///< --delimiter: "" (detect), one character, or "tab"
  std::string sheet;      ///< --sheet: XLSX sheet name ("" for the first)

  /// Throws option_error for a --delimiter that no export uses.
  void check() const;
};

/// The delimiter a --delimiter value names: 0 for "" (detect), a tab for "tab" or "\t",
/// else its one character, which must be printable ASCII and not a quote. Throws
/// option_error (rule bad_option) naming `option`. Shared by every command that reads
/// exports.
char delimiter_option(std::string_view value, std::string_view option = "--delimiter");

/// Signs that the header and the rows of a file were split at different delimiters: a
/// one-column header holding another delimiter, or most rows holding a whole line in one
/// field or having more than twice the header's fields. The one check behind validate's
/// and score's delimiter_mismatch; never looks at more than the first field of a row.
class DelimiterCheck {
 public:
  DelimiterCheck(const std::vector<std::string>& header, char delimiter);
  /// One data row that is not blank: its field count and first field.
  void add(std::size_t fields, std::string_view first) noexcept;
  /// Empty when nothing is suspicious, else what is wrong (without the rule id:
  /// delimiter_mismatch).
  std::string problem() const;

 private:
  std::size_t width_;
  char delimiter_;
  char header_holds_ = 0;  ///< another delimiter inside a one-column header
  std::uint64_t rows_ = 0, one_field_ = 0, too_many_ = 0;
};

/// One column of a table held in memory (a DataFrame): numbers, or text factorised into
/// distinct cells (what pandas' factorize gives), so that each distinct answer is coded
/// once.
struct FrameColumn {
  std::string name;
  bool numeric = false;
  std::vector<double> number;      ///< numeric: per row, NaN for an empty cell
  std::vector<std::int64_t> code;  ///< text: per row, index into `levels`, -1 when empty
  std::vector<std::string> levels;

  std::size_t size() const noexcept { return numeric ? number.size() : code.size(); }
};

/// Validates a CSV/TSV file, "-" for standard input, or an .xlsx workbook. File-level
/// problems (unreadable file, unterminated quote, ...) throw the readers' input_error;
/// everything else is in the report. `column_map` maps input columns to item ids
/// (io::load_column_map reads it from a file).
///
/// Tables, in this order:
///  - "summary", one row: input, instrument (tag), rows, columns, delimiter (missing for
///    workbooks and frames), items, items_matched, invalid_rows (rows `score` would call
///    invalid, blank and ragged ones included), result ("clean" or "problems found");
///  - "problems", one row per problem, in the order no data rows, delimiter, header,
///    ragged, blank and not-UTF-8 rows, then per column the unreadable answers in the
///    order of their text: rule, column, answer ("#N" or the answer with show_codes),
///    count, rows (the first max_rows_listed rows as "3, 5, ..."), message (for people;
///    never an answer);
///  - "problem_rows": problem (1-based row of "problems"), row: the listed rows, typed;
///  - "cells": per column bound to an item, the count of its cells for each reason.
/// A note says when answers were withheld (show_codes off).
Report validate_file(const std::string& path, const Instrument& ins,
                     const std::map<std::string, std::string>& column_map,
                     const ValidateRequest& request);

/// The same report for a table in memory: rows are 1-based positions (a face maps them to
/// its own labels); there are no blank, ragged or not-UTF-8 rows and no delimiter.
Report validate_frame(const std::vector<FrameColumn>& columns, const Instrument& ins,
                      const std::map<std::string, std::string>& column_map,
                      const ValidateRequest& request, const std::string& source = "DataFrame");

/// True when a validate report found nothing to fix (the command line exits 0).
bool is_clean(const Report& validate_report);

}  // namespace reinscore::app
