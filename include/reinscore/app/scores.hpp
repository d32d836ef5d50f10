// The one reader of scores files (and of scores computed elsewhere). Every command that
// starts from scores (summarize, panel, integrate, the report) gets a ScoresTable from
// here: its score columns, coverage, status, category, the columns the command asked for
// with their types, and the instrument tag(s).
#pragma once

#include <reinscore/app/options.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace reinscore::app {

/// A typed column. A column is numeric when every non-empty cell is a decimal number
/// (detail::parse_decimal's rule, surrounding blanks allowed) and one cell at least is
/// not empty: a numeric `round` then sorts 1, 2, 10. Otherwise it is text.
struct TypedColumn {
  std::string name;
  bool numeric = false;
  std::vector<double> number;  ///< numeric: one value per row, NaN for an empty cell
  /// One cell per row as read ("" when empty); also for a numeric column read from text
  /// (identifiers: "007" is not 7); empty for numbers handed over as numbers.
  std::vector<std::string> text;

  std::size_t size() const noexcept { return numeric ? number.size() : text.size(); }
  bool empty_at(std::size_t row) const noexcept;
};

/// A column as handed over by a face before typing: text cells (file, object column) or
/// numbers (a numeric DataFrame column; NaN is empty, an infinity is kept and refused
/// where a finite number is needed).
struct RawColumn {
  std::string name;
  bool numeric = false;
  std::vector<std::string> text;
  std::vector<double> number;
  std::vector<bool> present;  ///< text only: false for a missing cell (None); empty = all present
};

/// Which columns to keep besides the standard ones, and for which option (messages).
struct ScoresWant {
  std::vector<std::pair<std::string, std::string>> columns;  ///< (column, option)
  /// Rows naming different instrument tags are pooled only when this is set (--allow-mixed).
  bool allow_mixed = false;
  /// A status column is required (commands that count statuses); without it, scores
  /// computed elsewhere are accepted and have no status.
  bool need_status = false;
  /// Keep every column of the file (the report, Python's read_scores).
  bool all_columns = false;
};

/// The standard statuses of `reinscore score`, in output order.
inline constexpr std::string_view status_names_app[] = {"complete", "partial", "insufficient",
                                                        "invalid"};

class ScoresTable {
 public:
  /// Types the columns and checks them: every score cell empty or a finite number
  /// (rule not_a_number), at most one instrument tag unless allowed (mixed_instruments),
  /// the wanted columns present (missing_column). `row_base` turns a position into the
  /// row of messages: 2 for files (the header is row 1), 1 for frames; `records`, when
  /// given, are the reader's row numbers per row (a record spanning lines shifts them).
  ScoresTable(std::vector<RawColumn> columns, const ScoresWant& want, std::size_t row_base,
              std::string source, std::vector<std::uint64_t> records = {});

  std::size_t rows() const noexcept { return rows_; }
  const std::string& source() const noexcept { return source_; }
  /// Every column name of the input, in order.
  const std::vector<std::string>& header() const noexcept { return header_; }

  /// Score names: each X that has a coverage_X column (input order), then `composite`.
  const std::vector<std::string>& scores() const noexcept { return scores_; }
  /// Values of score `s` (index into scores()), NaN when the interview has none.
  const std::vector<double>& score(std::size_t s) const { return score_values_.at(s); }
  /// Coverage of score `s` (NaN for composite, which has none).
  const std::vector<double>& coverage(std::size_t s) const { return coverage_.at(s); }

  bool has_status() const noexcept { return !status_.empty(); }
  /// Index into status_names_app per row (any other status is refused: unknown_status).
  const std::vector<std::int8_t>& status() const noexcept { return status_; }
  /// The category column (text) when the file has one.
  const TypedColumn* category() const noexcept;

  /// Distinct non-empty instrument tags (id@version#hash) in order of first appearance.
  const std::vector<std::string>& tags() const noexcept { return tags_; }
  /// Per row: index into tags(), -1 for an empty tag or no instrument column.
  const std::vector<std::int32_t>& tag_of_row() const noexcept { return tag_of_row_; }

  /// A kept column by name; throws input_error missing_column (naming the option that
  /// wanted it when known) when the input has none.
  const TypedColumn& column(std::string_view name) const;
  bool has_column(std::string_view name) const noexcept;
  const std::vector<TypedColumn>& columns() const noexcept { return columns_; }

  /// The row of messages for position `i` (1-based, header counted for files).
  std::size_t row_number(std::size_t i) const noexcept {
    return i < records_.size() ? static_cast<std::size_t>(records_[i]) : i + row_base_;
  }

 private:
  std::string source_;
  std::size_t rows_ = 0, row_base_ = 2;
  std::vector<std::uint64_t> records_;
  std::vector<std::string> header_, scores_, tags_;
  std::vector<std::vector<double>> score_values_, coverage_;
  std::vector<std::int8_t> status_;
  std::vector<std::int32_t> tag_of_row_;
  std::vector<TypedColumn> columns_;
  std::vector<std::pair<std::string, std::string>> wanted_;
  std::size_t category_ = static_cast<std::size_t>(-1);
};

/// Reads a scores file (CSV or XLSX by extension, "-" for standard input) through the io
/// readers and their limits. Throws input_error: not_scores (no composite and no
/// coverage_X/X pair), ragged_row, not_a_number, mixed_instruments, missing_column, and
/// the readers' rules.
ScoresTable read_scores(const std::string& path, const ScoresWant& want);

/// Sampling weights from `column` of `t`: every cell a finite number >= 0 (> 0 when
/// `positive`). The one rule for weights of every command: input_error invalid_weight
/// naming the row and column (never the value).
std::vector<double> sampling_weights(const ScoresTable& t, const std::string& column,
                                     bool positive = false);

/// A numeric key as text: the shortest decimal that reads back (1, 2, 10, 2.5).
std::string key_text(double x);

}  // namespace reinscore::app
