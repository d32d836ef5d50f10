// Exceptions thrown by reinscore. All derive from the std hierarchy so that
// callers (and pybind11, which maps them to ValueError/TypeError) need nothing special.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace reinscore {

/// A broken instrument or weight-set file. `path()` is the JSON path of the problem
/// (e.g. `items[4].scale`), empty when the problem concerns the whole document.
class instrument_error : public std::invalid_argument {
 public:
  /// `source` (a file name) is put in front of the message when given.
  instrument_error(std::string path, const std::string& message, const std::string& source = {})
      : std::invalid_argument((source.empty() ? "" : source + ": ") +
                              (path.empty() ? message : path + ": " + message)),
        path_(std::move(path)),
        message_(message) {}
  const std::string& path() const noexcept { return path_; }
  /// The message without source and path.
  const std::string& message() const noexcept { return message_; }

 private:
  std::string path_;
  std::string message_;
};

/// A problem with input data that stops the whole job (unreadable file, missing
/// column...). Row-level problems never throw: they are reported per row.
/// `row` is 1-based counting the header as row 1 (as a spreadsheet shows it), 0 when
/// the problem is not tied to a row; `column` is empty when not tied to a column.
/// Messages never contain answer values, only positions, column names and the rule.
class input_error : public std::runtime_error {
 public:
  input_error(std::string rule, const std::string& message, std::size_t row = 0,
              std::string column = {})
      : std::runtime_error(format(rule, message, row, column)),
        rule_(std::move(rule)),
        row_(row),
        column_(std::move(column)) {}

  const std::string& rule() const noexcept { return rule_; }
  std::size_t row() const noexcept { return row_; }
  const std::string& column() const noexcept { return column_; }

 private:
  static std::string format(const std::string& rule, const std::string& message, std::size_t row,
                            const std::string& column) {
    std::string out;
    if (row != 0) out += "row " + std::to_string(row) + ": ";
    if (!column.empty()) out += "column '" + column + "': ";
    out += message;
    out += " [" + rule + "]";
    return out;
  }
  std::string rule_;
  std::size_t row_;
  std::string column_;
};

}  // namespace reinscore
