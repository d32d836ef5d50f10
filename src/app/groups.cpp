#include <reinscore/app/groups.hpp>
#include <reinscore/detail/strings.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace reinscore::app {

namespace {

// Ranks of a column's distinct values, in key order, per row.
std::vector<std::uint32_t> ranks(const TypedColumn& c) {
  const std::size_t n = c.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  if (c.numeric) {
    const auto less = [&](std::size_t a, std::size_t b) {
      const double x = c.number[a], y = c.number[b];
      if (std::isnan(x) || std::isnan(y)) return !std::isnan(x) && std::isnan(y);
      return x < y;
    };
    std::stable_sort(order.begin(), order.end(), less);
    std::vector<std::uint32_t> r(n);
    std::uint32_t k = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0 && less(order[i - 1], order[i])) ++k;
      r[order[i]] = k;
    }
    return r;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return c.text[a] < c.text[b]; });
  std::vector<std::uint32_t> r(n);
  std::uint32_t k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && c.text[order[i - 1]] != c.text[order[i]]) ++k;
    r[order[i]] = k;
  }
  return r;
}

}  // namespace

Groups group_rows(const ScoresTable& t, const std::vector<std::string>& by) {
  Groups g;
  const std::size_t n = t.rows();
  g.of_row.assign(n, 0);
  if (n == 0) return g;
  if (by.empty()) {
    g.first_row.push_back(0);
    return g;
  }
  std::vector<std::vector<std::uint32_t>> r;
  for (const auto& b : by) r.push_back(ranks(t.column(b)));
  std::map<std::vector<std::uint32_t>, std::size_t> first;  // key ranks -> first row
  std::vector<std::uint32_t> key(by.size());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < by.size(); ++k) key[k] = r[k][i];
    first.try_emplace(key, i);
  }
  std::map<std::vector<std::uint32_t>, std::uint64_t> id;
  for (const auto& [k, row] : first) {
    id.emplace(k, g.first_row.size());
    g.first_row.push_back(row);
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < by.size(); ++k) key[k] = r[k][i];
    g.of_row[i] = id.at(key);
  }
  return g;
}

Column key_column(const TypedColumn& column, std::string name) {
  Column c;
  c.name = name.empty() ? column.name : std::move(name);
  // Whole-number keys (rounds, years) are integers; other numeric keys show as they read.
  bool whole = column.numeric;
  for (std::size_t i = 0; whole && i < column.number.size(); ++i) {
    const double x = column.number[i];
    whole = std::isnan(x) || (x == std::trunc(x) && std::fabs(x) < 9007199254740992.0);
  }
  c.kind = !column.numeric ? Kind::text : whole ? Kind::integer : Kind::number;
  c.digits = -1;  // keys as they read: 1, 2, 10, 2.5
  return c;
}

void push_key(Column& out, const TypedColumn& column, std::size_t row) {
  if (column.numeric)
    out.push(column.number[row], std::isnan(column.number[row]) ? Cell::missing : Cell::value);
  else
    out.push_text(column.text[row]);
}

bool key_equals(const TypedColumn& column, std::size_t row, const std::string& level) {
  if (!column.numeric) return column.text[row] == level;
  double x = 0;
  if (!detail::parse_number(detail::trim(level), x)) return false;
  return column.number[row] == x;
}

}  // namespace reinscore::app
