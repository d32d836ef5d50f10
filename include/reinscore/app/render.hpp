// The one table facility: renders any Report (or one of its tables) for a terminal, as
// CSV or as JSON. Spellings per format (docs/cli.md, "Output formats"):
//
//   format | number                         | missing | suppressed count
//   table  | fixed, Column::digits decimals | -       | <N
//   csv    | shortest round-trip decimal    | (empty) | <N
//   json   | shortest round-trip, no exponent (2000, 0.25) | null | "<N"
//
// CSV text cells are escaped for spreadsheets (a leading = + - @ gets an apostrophe).
#pragma once

#include <reinscore/app/report.hpp>

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace reinscore::app {

enum class Format : std::uint8_t { table, csv, json };

/// "table", "csv" or "json"; throws option_error (rule bad_option) naming `option`.
Format parse_format(std::string_view text, std::string_view option = "--format");
std::string_view format_name(Format f) noexcept;

/// One table. CSV is the header and the rows; JSON an object {"name", "title", "columns":
/// [{"name", "type"}], "rows": [[...]]}; the terminal table right-aligns numbers and
/// left-aligns text under a header row.
std::string render(const Table& t, Format f);
/// A whole report. Terminal: each table under its title when there are several; CSV: one
/// table is plain CSV, several follow one another, each after a line "# NAME" and
/// separated by an empty line (a face that must write one plain CSV file renders one
/// table); JSON: {"command", "tables": [...], "notes": [...]}.
std::string render(const Report& r, Format f);

/// A number as JSON people can read and edit: the shortest decimal that reads back to
/// the same double, never in exponent form (2000, 0.25, 1e-7 -> 0.0000001); "null" for
/// NaN and infinities.
std::string json_number(double x);
/// One cell as the terminal table spells it: fixed decimals (Column::digits), "-" for a
/// missing cell, "<N" for a suppressed count (N = min_cell).
std::string cell_text(const Column& c, std::size_t row, std::uint64_t min_cell);
/// Serialises a JSON value with json_number for every double, two-space indentation when
/// `indent` (for files people edit: instruments, weight sets), compact otherwise.
std::string to_json_text(const boost::json::value& v, bool indent = true);

}  // namespace reinscore::app
