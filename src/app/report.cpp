// Report bookkeeping and the one table facility (include/reinscore/app/render.hpp).
#include "io/score_writer.hpp"

#include <reinscore/app/options.hpp>
#include <reinscore/app/render.hpp>
#include <reinscore/app/report.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace reinscore::app {

std::string_view kind_name(Kind k) noexcept {
  switch (k) {
    case Kind::text:
      return "text";
    case Kind::count:
      return "count";
    case Kind::integer:
      return "integer";
    case Kind::number:
      return "number";
    case Kind::p_value:
      return "p_value";
  }
  return "number";
}

const Column& Table::at(std::string_view n) const {
  for (const auto& c : columns)
    if (c.name == n) return c;
  throw std::out_of_range("table '" + name + "' has no column '" + std::string(n) + "'");
}
Column& Table::at(std::string_view n) {
  return const_cast<Column&>(static_cast<const Table&>(*this).at(n));
}
bool Table::has(std::string_view n) const noexcept {
  return std::any_of(columns.begin(), columns.end(), [&](const Column& c) { return c.name == n; });
}
void Table::check() const {
  const std::size_t n = rows();
  for (const auto& c : columns)
    if (c.size() != n || (!c.state.empty() && c.state.size() != n))
      throw std::logic_error("table '" + name + "': column '" + c.name + "' has " +
                             std::to_string(c.size()) + " cells, not " + std::to_string(n));
}

const Table& Report::table(std::string_view n) const {
  for (const auto& t : tables)
    if (t.name == n) return t;
  throw std::out_of_range(command + ": the report has no table '" + std::string(n) + "'");
}
void Report::keep_only(std::string_view n, std::string_view option) {
  for (auto& t : tables)
    if (t.name == n) {
      Table kept = std::move(t);
      tables.assign(1, std::move(kept));
      return;
    }
  std::string names;
  for (const auto& t : tables) names += (names.empty() ? "" : ", ") + t.name;
  throw option_error(std::string(option), "must name one of the tables: " + names);
}

bool Report::has_table(std::string_view n) const noexcept {
  return std::any_of(tables.begin(), tables.end(), [&](const Table& t) { return t.name == n; });
}

Format parse_format(std::string_view text, std::string_view option) {
  if (text == "table") return Format::table;
  if (text == "csv") return Format::csv;
  if (text == "json") return Format::json;
  throw option_error(std::string(option), "must be table, csv or json");
}

std::string_view format_name(Format f) noexcept {
  switch (f) {
    case Format::table:
      return "table";
    case Format::csv:
      return "csv";
    case Format::json:
      return "json";
  }
  return "table";
}

std::string json_number(double x) {
  if (!std::isfinite(x)) return "null";
  if (x == 0) return std::signbit(x) ? "-0" : "0";
  // Shortest round-trip digits in fixed notation: 2000, 0.25, 0.0000001 (at most ~330
  // characters for the smallest subnormal).
  char buf[400];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed);
  if (ec != std::errc()) return "null";  // cannot happen with 400 bytes
  return std::string(buf, end);
}

namespace {

std::string below(std::uint64_t min_cell) {
  std::string s = "<";  // two steps: GCC 12 warns falsely on "<" + string
  s += std::to_string(min_cell);
  return s;
}

std::string fixed(double x, int digits) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", std::clamp(digits, 0, 17), x);
  return buf;
}

std::string count_text(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", x);
  return buf;
}

}  // namespace

// A cell for the terminal table (and the report's HTML tables).
std::string cell_text(const Column& c, std::size_t r, std::uint64_t min_cell) {
  switch (c.cell(r)) {
    case Cell::missing:
      return "-";
    case Cell::suppressed:
      return below(min_cell);
    case Cell::value:
      break;
  }
  switch (c.kind) {
    case Kind::text:
      return c.text[r];
    case Kind::count:
    case Kind::integer:
      return count_text(c.values[r]);
    case Kind::number:
    case Kind::p_value: {
      if (c.digits >= 0) return fixed(c.values[r], c.digits);
      std::string s;  // keys read as numbers: 1, 2, 10, 2.5
      io::append_number(s, c.values[r]);
      return s;
    }
  }
  return {};
}

namespace {

void csv_cell(std::string& out, const Column& c, std::size_t r, std::uint64_t min_cell) {
  switch (c.cell(r)) {
    case Cell::missing:
      return;
    case Cell::suppressed:
      out += below(min_cell);
      return;
    case Cell::value:
      break;
  }
  if (c.kind == Kind::text)
    io::append_csv_text(out, c.text[r]);
  else if (c.kind == Kind::count || c.kind == Kind::integer)
    out += count_text(c.values[r]);
  else
    io::append_number(out, c.values[r]);
}

void json_cell(std::string& out, const Column& c, std::size_t r, std::uint64_t min_cell) {
  switch (c.cell(r)) {
    case Cell::missing:
      out += "null";
      return;
    case Cell::suppressed:
      io::append_json_string(out, below(min_cell));
      return;
    case Cell::value:
      break;
  }
  if (c.kind == Kind::text)
    io::append_json_string(out, c.text[r]);
  else if (c.kind == Kind::count || c.kind == Kind::integer)
    out += count_text(c.values[r]);
  else
    out += json_number(c.values[r]);
}

std::string render_text(const Table& t) {
  const std::size_t n = t.rows(), k = t.columns.size();
  std::vector<std::vector<std::string>> cells(k);
  std::vector<std::size_t> width(k);
  for (std::size_t j = 0; j < k; ++j) {
    const Column& c = t.columns[j];
    width[j] = c.name.size();
    cells[j].reserve(n);
    for (std::size_t r = 0; r < n; ++r) {
      cells[j].push_back(cell_text(c, r, t.min_cell));
      width[j] = std::max(width[j], cells[j].back().size());
    }
  }
  std::string out;
  const auto put = [&](std::size_t j, const std::string& s) {
    if (j) out += "  ";
    const std::string pad(width[j] - std::min(width[j], s.size()), ' ');
    const bool left = t.columns[j].kind == Kind::text;
    if (left) {
      out += s;
      if (j + 1 < k) out += pad;  // no trailing blanks
    } else {
      out += pad;
      out += s;
    }
  };
  for (std::size_t j = 0; j < k; ++j) put(j, t.columns[j].name);
  out += '\n';
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t j = 0; j < k; ++j) put(j, cells[j][r]);
    out += '\n';
  }
  return out;
}

std::string render_csv(const Table& t) {
  std::string out;
  for (std::size_t j = 0; j < t.columns.size(); ++j) {
    if (j) out += ',';
    io::append_csv_text(out, t.columns[j].name);
  }
  out += '\n';
  for (std::size_t r = 0; r < t.rows(); ++r) {
    for (std::size_t j = 0; j < t.columns.size(); ++j) {
      if (j) out += ',';
      csv_cell(out, t.columns[j], r, t.min_cell);
    }
    out += '\n';
  }
  return out;
}

void render_json(std::string& out, const Table& t) {
  out += "{\"name\":";
  io::append_json_string(out, t.name);
  out += ",\"title\":";
  io::append_json_string(out, t.title);
  out += ",\"keys\":" + std::to_string(t.keys);
  out += ",\"min_cell\":" + std::to_string(t.min_cell);
  out += ",\"columns\":[";
  for (std::size_t j = 0; j < t.columns.size(); ++j) {
    out += j ? ",{\"name\":" : "{\"name\":";
    io::append_json_string(out, t.columns[j].name);
    out += ",\"type\":\"";
    out += kind_name(t.columns[j].kind);
    out += "\"}";
  }
  out += "],\"rows\":[";
  for (std::size_t r = 0; r < t.rows(); ++r) {
    out += r ? ",\n[" : "\n[";
    for (std::size_t j = 0; j < t.columns.size(); ++j) {
      if (j) out += ',';
      json_cell(out, t.columns[j], r, t.min_cell);
    }
    out += ']';
  }
  out += "]}";
}

}  // namespace

std::string render(const Table& t, Format f) {
  t.check();
  switch (f) {
    case Format::table:
      return render_text(t);
    case Format::csv:
      return render_csv(t);
    case Format::json: {
      std::string out;
      render_json(out, t);
      out += '\n';
      return out;
    }
  }
  return {};
}

std::string render(const Report& r, Format f) {
  if (f == Format::csv) {
    if (r.tables.size() == 1) return render(r.tables.front(), f);
    std::string out;
    for (std::size_t i = 0; i < r.tables.size(); ++i) {
      out += (i ? "\n# " : "# ") + r.tables[i].name + "\n";
      out += render(r.tables[i], f);
    }
    return out;
  }
  if (f == Format::table) {
    std::string out;
    for (std::size_t i = 0; i < r.tables.size(); ++i) {
      if (r.tables.size() > 1) {
        if (i) out += '\n';
        out += (r.tables[i].title.empty() ? r.tables[i].name : r.tables[i].title) + "\n";
      }
      out += render(r.tables[i], f);
    }
    return out;
  }
  std::string out = "{\"command\":";
  io::append_json_string(out, r.command);
  out += ",\"tables\":[";
  for (std::size_t i = 0; i < r.tables.size(); ++i) {
    if (i) out += ",\n";
    r.tables[i].check();
    render_json(out, r.tables[i]);
  }
  out += "],\"notes\":[";
  for (std::size_t i = 0; i < r.notes.size(); ++i) {
    out += i ? ",{\"level\":" : "{\"level\":";
    out += r.notes[i].level == Note::Level::warning ? "\"warning\"" : "\"info\"";
    out += ",\"text\":";
    io::append_json_string(out, r.notes[i].text);
    out += '}';
  }
  out += "]}\n";
  return out;
}

namespace {

void to_json(std::string& out, const boost::json::value& v, bool indent, int depth) {
  const auto newline = [&](int d) {
    if (!indent) return;
    out += '\n';
    out.append(static_cast<std::size_t>(2 * d), ' ');
  };
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      out += std::to_string(v.get_int64());
      return;
    case boost::json::kind::uint64:
      out += std::to_string(v.get_uint64());
      return;
    case boost::json::kind::double_:
      out += json_number(v.get_double());
      return;
    case boost::json::kind::string:
      out += boost::json::serialize(v);
      return;
    case boost::json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) {
        out += "[]";
        return;
      }
      // Arrays of scalars stay on one line: weight vectors and code lists read better so.
      const bool flat = std::all_of(a.begin(), a.end(), [](const boost::json::value& e) {
        return !e.is_object() && !e.is_array();
      });
      out += '[';
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i) out += flat && indent ? ", " : ",";
        if (!flat) newline(depth + 1);
        to_json(out, a[i], indent, depth + 1);
      }
      if (!flat) newline(depth);
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& kv : o) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        out += boost::json::serialize(boost::json::value(kv.key()));
        out += indent ? ": " : ":";
        to_json(out, kv.value(), indent, depth + 1);
      }
      newline(depth);
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string to_json_text(const boost::json::value& v, bool indent) {
  std::string out;
  to_json(out, v, indent, 0);
  if (indent) out += '\n';
  return out;
}

}  // namespace reinscore::app
