// Groups of rows by key columns, in the order people expect: numeric keys by value (1,
// 2, 10; a missing key last), text keys by their bytes. Shared by every command that
// reports per group.
#pragma once

#include <reinscore/app/report.hpp>
#include <reinscore/app/scores.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace reinscore::app {

struct Groups {
  std::vector<std::uint64_t> of_row;   ///< group id per row; ids follow the key order
  std::vector<std::size_t> first_row;  ///< per group, its first row (to read its keys)
  std::size_t size() const noexcept { return first_row.size(); }
};

/// Groups the rows of `t` by the columns `by` (none: one group of every row; an empty
/// table: no group).
Groups group_rows(const ScoresTable& t, const std::vector<std::string>& by);

/// A key cell of `column` at `row` appended to `out` (a column of the same type made by
/// key_column()).
void push_key(Column& out, const TypedColumn& column, std::size_t row);
/// An empty report column typed like `column` (text, or a number shown in its shortest form).
Column key_column(const TypedColumn& column, std::string name = {});

/// The rows of `t` whose `column` equals `level` (given as text: a numeric column
/// compares numbers, "1" = "1.0"). Throws nothing; false for every row when nothing equals.
bool key_equals(const TypedColumn& column, std::size_t row, const std::string& level);

}  // namespace reinscore::app
