// Which input column feeds which instrument item. Follows the instrument's column names
// and aliases, Kobo/ODK group prefixes ("group_econ/econ_satisfaction"), label exports
// (the question text as header) and an explicit map that overrides all of these.
#pragma once

#include <reinscore/instrument.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace reinscore::io {

/// A problem with the header; `fatal` problems stop `score` (exit 2).
struct HeaderProblem {
  std::string rule;    ///< duplicate_column, missing_column, unknown_map_column, ...
  std::string column;  ///< header name concerned (or item id for missing_column)
  std::string message;
  bool fatal = true;
};

struct ColumnBinding {
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::vector<std::size_t> item_column;  ///< per item: index of the input column, or none
  std::vector<std::string> header;       ///< input header as read
  std::vector<HeaderProblem> problems;
  std::size_t matched = 0;

  /// Index of a named (non-item) column such as an id or kept column; none if absent.
  std::size_t find(const std::string& name) const;
  /// The input column name of item k (for messages), or the item id if unbound.
  const std::string& column_name(const Instrument& ins, std::size_t k) const {
    return item_column[k] == none ? ins.items[k].id : header[item_column[k]];
  }
};

/// Map from input column name to item id, from a two-column CSV (`column,item`; `;` also
/// accepted; an optional `column,item` header line; blank lines skipped). Bounded: the file
/// is read up to detail::max_small_file_bytes (std::invalid_argument, [file_too_large],
/// [not_a_file] or [unreadable_file]); input_error [column_map] (a line without exactly
/// two fields, a column mapped twice) and [too_many_columns] (more entries than
/// Limits::max_columns), with the row. Its values are names, never opened as paths.
std::map<std::string, std::string> load_column_map(const std::string& path);

/// Binds header columns to items. Never throws for data problems: they are returned in
/// `problems` (duplicates of an item's column, items with no column, map entries that
/// name unknown items or columns).
ColumnBinding bind_columns(const Instrument& ins, const std::vector<std::string>& header,
                           const std::map<std::string, std::string>& column_map = {});

}  // namespace reinscore::io
