// What every command of the application layer returns: a Report of typed tables. The
// faces only render it (src/app/report.cpp for the terminal, CSV and JSON; the Python
// module builds DataFrames from its columns), so a number is computed, suppressed and
// laid out once (docs/ARCHITECTURE.md, "Application layer").
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace reinscore::app {

/// The type of a column, which decides how each face shows its cells.
enum class Kind : std::uint8_t {
  text,     ///< labels, group keys read as text, statuses
  count,    ///< whole numbers: interviews, rows, PSUs
  integer,  ///< whole numbers that are not counts: numeric keys such as a round (1, 2, 10)
  number,   ///< estimates, scores, bounds of intervals, standard errors
  p_value,  ///< two-sided p-values (in [0, 1])
};

/// "text", "count", "integer", "number", "p_value".
std::string_view kind_name(Kind k) noexcept;

/// The state of one cell. A missing cell has no value (a mean over no interview, a
/// difference without a reference group); a suppressed cell has one that is withheld
/// because its group is smaller than the minimum cell size (data protection). Estimates of
/// a suppressed group are *missing*: they were never computed for release; only its
/// count is *suppressed* (shown as `<N`).
enum class Cell : std::uint8_t { value, missing, suppressed };

/// One typed column. Text columns hold `text`; the others hold `values` (counts are exact
/// up to 2^53, far above any survey). `state` is empty when every cell is a value or a NaN
/// (a NaN number is missing).
struct Column {
  std::string name;
  Kind kind = Kind::number;
  /// Decimals shown by the terminal table (CSV and JSON always keep full precision).
  int digits = 4;
  std::vector<std::string> text;
  std::vector<double> values;
  std::vector<Cell> state;

  std::size_t size() const noexcept { return kind == Kind::text ? text.size() : values.size(); }
  Cell cell(std::size_t row) const noexcept {
    if (!state.empty() && state[row] != Cell::value) return state[row];
    if (kind != Kind::text && std::isnan(values[row])) return Cell::missing;
    return Cell::value;
  }
  /// Appends a cell. Values of a text column go through push_text.
  void push(double x, Cell s = Cell::value) {
    if (kind == Kind::text) throw std::logic_error("Column::push: '" + name + "' is a text column");
    values.push_back(s == Cell::value ? x : std::numeric_limits<double>::quiet_NaN());
    mark(s, values.size());
  }
  void push_text(std::string s, Cell st = Cell::value) {
    if (kind != Kind::text) throw std::logic_error("Column::push_text: '" + name + "' is numeric");
    text.push_back(st == Cell::value ? std::move(s) : std::string());
    mark(st, text.size());
  }

 private:
  void mark(Cell s, std::size_t n) {
    if (s != Cell::value && state.empty()) state.assign(n - 1, Cell::value);
    // (n == 1: the assign above leaves `state` empty, and the first cell is not a value.)
    if (!state.empty() || s != Cell::value) state.push_back(s);
  }
};

/// A table of a report: named columns of one length. The first `keys` columns identify a
/// row (group keys, item ids); `min_cell` is the size below which counts are suppressed
/// (0: nothing is).
struct Table {
  std::string name;   ///< machine name, e.g. "groups", "differences"; file stem of --tables-out
  std::string title;  ///< for people, e.g. "Scores by country"
  std::vector<Column> columns;
  std::size_t keys = 0;
  std::uint64_t min_cell = 0;

  std::size_t rows() const noexcept { return columns.empty() ? 0 : columns.front().size(); }
  /// Appends an empty column. The reference is valid until the next add (the columns are
  /// a vector): fill a column before adding the next, or reserve(), or use at(name).
  Column& add(std::string column, Kind kind, int digits = 4) {
    columns.push_back(Column{std::move(column), kind, digits, {}, {}, {}});
    return columns.back();
  }
  /// The column named `name`; throws std::out_of_range when there is none.
  const Column& at(std::string_view name) const;
  Column& at(std::string_view name);
  bool has(std::string_view name) const noexcept;
  /// Throws std::logic_error unless every column has rows() cells (a bug of the command).
  void check() const;
};

/// A note for the user about how the result came about (suppressed groups, the design,
/// a threshold that could not be found). Notes never hold answer values.
struct Note {
  enum class Level : std::uint8_t { info, warning };
  Level level = Level::info;
  std::string text;
};

/// The result of one command: its tables and notes.
struct Report {
  std::string command;  ///< "summarize", "panel", ...
  std::vector<Table> tables;
  std::vector<Note> notes;

  const Table& table(std::string_view name) const;
  bool has_table(std::string_view name) const noexcept;
  void info(std::string text) { notes.push_back({Note::Level::info, std::move(text)}); }
  void warn(std::string text) { notes.push_back({Note::Level::warning, std::move(text)}); }
  /// Keeps table `name` only (a face's --table). Throws option_error naming `option` and
  /// listing the tables when there is no such table.
  void keep_only(std::string_view name, std::string_view option = "--table");
};

}  // namespace reinscore::app
