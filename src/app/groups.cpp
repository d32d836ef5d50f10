#include <reinscore/app/groups.hpp>
#include <reinscore/detail/strings.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <string_view>
#include <unordered_map>

namespace reinscore::app {

namespace {

// Ranks of a column's distinct values, in key order, per row; `levels`: how many. The
// distinct values are found by hashing and only they are sorted.
std::vector<std::uint32_t> ranks(const TypedColumn& c, std::size_t& levels) {
  const std::size_t n = c.size();
  std::vector<std::uint32_t> r(n);  // first the value's number by first appearance
  std::vector<std::size_t> first;   // per value, the first row holding it
  const auto number = [&](auto& seen, std::size_t i, auto key) {
    const auto [it, fresh] = seen.try_emplace(key, static_cast<std::uint32_t>(first.size()));
    if (fresh) first.push_back(i);
    r[i] = it->second;
  };
  std::vector<std::uint32_t> order;
  if (c.numeric) {
    const auto less = [&](std::size_t a, std::size_t b) {
      const double x = c.number[a], y = c.number[b];
      if (std::isnan(x) || std::isnan(y)) return !std::isnan(x) && std::isnan(y);
      return x < y;
    };
    // Values `less` cannot tell apart are one: every NaN, and -0 with 0.
    std::unordered_map<std::uint64_t, std::uint32_t> seen;
    for (std::size_t i = 0; i < n; ++i) {
      double x = c.number[i];
      if (std::isnan(x)) x = std::numeric_limits<double>::quiet_NaN();
      if (x == 0) x = 0;
      std::uint64_t bits = 0;
      std::memcpy(&bits, &x, sizeof bits);
      number(seen, i, bits);
    }
    order.resize(first.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return less(first[a], first[b]); });
  } else {
    std::unordered_map<std::string_view, std::uint32_t> seen;
    for (std::size_t i = 0; i < n; ++i) number(seen, i, std::string_view(c.text[i]));
    order.resize(first.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return c.text[first[a]] < c.text[first[b]];
    });
  }
  std::vector<std::uint32_t> rank(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) rank[order[k]] = static_cast<std::uint32_t>(k);
  for (auto& x : r) x = rank[x];
  levels = order.size();
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
  std::vector<std::size_t> levels(by.size());
  for (std::size_t k = 0; k < by.size(); ++k) r.push_back(ranks(t.column(by[k]), levels[k]));
  // Few key combinations (the usual case): each row's ranks as one number in mixed radix,
  // whose order is the key order, numbering a table of all combinations.
  std::size_t combinations = 1;
  for (const std::size_t l : levels)
    combinations = combinations > (2 * n + 65536) / l ? 2 * n + 65537 : combinations * l;
  if (combinations <= 2 * n + 65536) {
    constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
    std::vector<std::uint32_t> id(combinations, none);
    std::vector<std::size_t> code(n, 0);
    for (std::size_t k = 0; k < by.size(); ++k)
      for (std::size_t i = 0; i < n; ++i) code[i] = code[i] * levels[k] + r[k][i];
    for (std::size_t i = 0; i < n; ++i)
      if (id[code[i]] == none) id[code[i]] = 0;
    std::uint32_t next = 0;
    for (auto& x : id)
      if (x != none) x = next++;
    g.first_row.assign(next, n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t k = id[code[i]];
      g.of_row[i] = k;
      if (g.first_row[k] == n) g.first_row[k] = i;
    }
    return g;
  }
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
