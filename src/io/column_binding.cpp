#include "io/column_binding.hpp"

#include "io/table.hpp"

#include <reinscore/coder.hpp>
#include <reinscore/detail/read_file.hpp>
#include <reinscore/weights.hpp>

#include <string_view>

namespace reinscore::io {

std::size_t ColumnBinding::find(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  return none;
}

std::map<std::string, std::string> load_column_map(const std::string& path) {
  // Bounded: the file is read only up to the small-file limit (a device such as /dev/zero,
  // a huge file or a directory fails fast), lines are views into it, a line is split into
  // at most three fields, and the map names at most as many columns as a table may have.
  const std::string text = detail::read_small_file(path, "column map");
  const std::size_t max_entries = Limits{}.max_columns;
  std::string_view rest = text;
  if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
  std::map<std::string, std::string> out;
  std::vector<std::string> f;
  for (std::size_t row = 1; !rest.empty(); ++row) {
    const std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (detail::trim(line).empty()) continue;
    const char delim =
        line.find(';') != std::string::npos && line.find(',') == std::string::npos ? ';' : ',';
    if (!detail::split_csv_line(line, delim, f, 2) || f.size() != 2)
      throw input_error("column_map", path + ": expected two fields (column,item)", row);
    if (row == 1 && f[0] == "column" && f[1] == "item") continue;
    if (out.size() >= max_entries)
      throw input_error("too_many_columns",
                        path + ": the column map has more than " + std::to_string(max_entries) +
                            " entries (the limit: the columns a table may have)",
                        row);
    if (!out.emplace(f[0], f[1]).second)
      throw input_error("column_map", path + ": column mapped twice", row, f[0]);
  }
  return out;
}

namespace {

// The part after the last group separator of a Kobo/ODK export ("grp/sub/name" -> "name").
std::string strip_groups(const std::string& h) {
  const auto slash = h.find_last_of('/');
  return slash == std::string::npos ? h : h.substr(slash + 1);
}

}  // namespace

ColumnBinding bind_columns(const Instrument& ins, const std::vector<std::string>& header,
                           const std::map<std::string, std::string>& column_map) {
  ColumnBinding b;
  b.header = header;
  b.item_column.assign(ins.items.size(), ColumnBinding::none);

  // Candidate names, in order of precedence across all items: declared columns and aliases
  // first, then ids, so that one item's id never takes another item's declared column.
  std::map<std::string, std::size_t> by_name, by_label;
  for (std::size_t k = 0; k < ins.items.size(); ++k) {
    by_name.emplace(ins.items[k].column, k);
    for (const auto& a : ins.items[k].aliases) by_name.emplace(a, k);
    if (!ins.items[k].question.empty())
      by_label.emplace(detail::fold_case(ins.items[k].question), k);
  }
  for (std::size_t k = 0; k < ins.items.size(); ++k) by_name.emplace(ins.items[k].id, k);
  for (const auto& [col, item] : column_map) {
    if (ins.item_index(item) == Instrument::npos)
      b.problems.push_back({"unknown_map_item", col,
                            "the column map names an item the instrument does not have", true});
    if (std::find(header.begin(), header.end(), col) == header.end())
      b.problems.push_back({"unknown_map_column", col,
                            "the column map names a column the file does not have", true});
  }

  std::vector<std::vector<std::size_t>> claims(ins.items.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    const std::string& h = header[c];
    std::size_t k = Instrument::npos;
    if (const auto m = column_map.find(h); m != column_map.end()) {
      k = ins.item_index(m->second);
    } else if (const auto n = by_name.find(h); n != by_name.end()) {
      k = n->second;
    } else if (const auto g = by_name.find(strip_groups(h)); g != by_name.end()) {
      k = g->second;
    } else if (const auto l = by_label.find(detail::fold_case(h)); l != by_label.end()) {
      k = l->second;
    }
    if (k != Instrument::npos) claims[k].push_back(c);
  }
  for (std::size_t k = 0; k < ins.items.size(); ++k) {
    if (claims[k].empty()) {
      b.problems.push_back({"missing_column", ins.items[k].column,
                            "no column for item '" + ins.items[k].id + "'", true});
      continue;
    }
    if (claims[k].size() > 1) {
      std::string cols;
      for (const auto c : claims[k]) cols += (cols.empty() ? "" : ", ") + std::to_string(c + 1);
      b.problems.push_back(
          {"duplicate_column", header[claims[k][0]],
           "item '" + ins.items[k].id + "' matches more than one column (columns " + cols + ")",
           true});
      continue;
    }
    b.item_column[k] = claims[k][0];
    ++b.matched;
  }
  // Duplicate names among other columns matter only if someone asks for them by name;
  // report them without stopping.
  std::map<std::string, int> seen;
  for (const auto& h : header) ++seen[h];
  for (const auto& [name, count] : seen) {
    if (count < 2) continue;
    bool item_col = false;
    for (const auto& c : claims)
      for (const auto i : c) item_col = item_col || header[i] == name;
    if (!item_col)
      b.problems.push_back({"duplicate_column", name,
                            "column name appears " + std::to_string(count) + " times", false});
  }
  return b;
}

}  // namespace reinscore::io
