// Weight sets from a plain table, for holders of an official weight table who should not
// have to edit JSON: columns item, dimension_weight and (optionally) composite_weight.
//
// Bounded whatever the file: load_weights reads at most detail::max_small_file_bytes
// (16 MiB; a larger file, a device such as /dev/zero or a directory fails with
// file_too_large / not_a_file / unreadable_file); a CSV table is split one line at a time
// and a line into at most as many fields as the header has (so a line of delimiters
// never becomes millions of fields); rows are bounded by construction (each names a
// distinct item or dimension of the instrument, or is an error); JSON nesting is bounded
// by the parser (Boost.JSON's default depth). Nothing in the file is ever used as a path.
#pragma once

#include <reinscore/coder.hpp>
#include <reinscore/detail/read_file.hpp>
#include <reinscore/instrument.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace reinscore {

namespace detail {

/// Splits one line of a small CSV table (quotes and doubled quotes; no embedded newlines:
/// weight tables have none). Returns false on an unterminated quote. Stops after
/// `max_fields` + 1 fields: out.size() > max_fields then says "too many", whatever the
/// length of the line.
inline bool split_csv_line(std::string_view line, char delim, std::vector<std::string>& out,
                           std::size_t max_fields = static_cast<std::size_t>(-1)) {
  out.clear();
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (out.size() > max_fields) return true;
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c == '"' && trim(field).empty()) {
      quoted = was_quoted = true;
      field.clear();
    } else if (c == delim) {
      out.emplace_back(was_quoted ? field : std::string(trim(field)));
      field.clear();
      was_quoted = false;
    } else {
      field += c;
    }
  }
  if (quoted) return false;
  out.emplace_back(was_quoted ? field : std::string(trim(field)));
  return true;
}

}  // namespace detail

/// Builds a weight set from CSV text. Rows name an item id (dimension_weight and, for an
/// item-mode composite, composite_weight) or a dimension id (composite_weight only: a
/// dimension-mode composite). Without any composite weight the composite is the plain
/// mean of the dimension scores. Every item must be listed once.
inline WeightSet weights_from_csv(const Instrument& ins, std::string_view text, std::string name,
                                  const std::string& source_name = "weights") {
  const auto fail = [&](std::size_t row, const std::string& col, const std::string& msg) {
    return input_error("weights_table", source_name + ": " + msg, row, col);
  };
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  // Blank lines at the end are allowed; the lines are then taken one at a time, as views,
  // so that a file of line breaks costs nothing.
  const auto last = text.find_last_not_of(" \t\r\n");
  text = last == std::string_view::npos ? std::string_view{} : text.substr(0, last + 1);
  if (text.empty()) throw fail(0, "", "the weight table is empty");
  std::size_t cursor = 0;
  const auto next_line = [&](std::string_view& l) {
    if (cursor > text.size()) return false;
    std::size_t end = text.find('\n', cursor);
    if (end == std::string_view::npos) end = text.size();
    l = text.substr(cursor, end - cursor);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    cursor = end + 1;
    return true;
  };
  std::string_view line;
  next_line(line);
  const char delim =
      line.find(';') != std::string::npos && line.find(',') == std::string::npos ? ';' : ',';
  std::vector<std::string> head, f;
  if (!detail::split_csv_line(line, delim, head, 3))  // a 4th column is unknown or repeated
    throw fail(1, "", "unterminated quote in header");
  int c_item = -1, c_dim = -1, c_comp = -1;
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (std::find(head.begin(), head.begin() + static_cast<std::ptrdiff_t>(i), head[i]) !=
        head.begin() + static_cast<std::ptrdiff_t>(i))
      throw fail(1, head[i], "column appears more than once");
    if (head[i] == "item")
      c_item = static_cast<int>(i);
    else if (head[i] == "dimension_weight")
      c_dim = static_cast<int>(i);
    else if (head[i] == "composite_weight")
      c_comp = static_cast<int>(i);
    else
      throw fail(1, head[i], "unknown column (expected item, dimension_weight, composite_weight)");
  }
  if (c_item < 0) throw fail(1, "item", "required column is missing");
  if (c_dim < 0) throw fail(1, "dimension_weight", "required column is missing");

  WeightSet w;
  w.name = std::move(name);
  w.source = "imported:" + source_name;
  w.items.assign(ins.items.size(), ItemWeight{});
  std::vector<std::size_t> item_row(ins.items.size(), 0);
  std::vector<double> dim_w(ins.dimensions.size(), 0.0);
  std::vector<std::size_t> dim_row(ins.dimensions.size(), 0);
  bool any_item_comp = false, any_dim_comp = false;
  const auto number = [&](const std::string& s, std::size_t row, const std::string& col) {
    double x = 0;
    if (!detail::parse_number(s, x) || x < 0) throw fail(row, col, "expected a finite number >= 0");
    return x;
  };
  for (std::size_t row = 2; next_line(line); ++row) {
    if (detail::trim(line).empty()) throw fail(row, "", "empty row");
    if (!detail::split_csv_line(line, delim, f, head.size()))
      throw fail(row, "", "unterminated quote");
    if (f.size() != head.size())
      throw fail(row, "",
                 "expected " + std::to_string(head.size()) + " fields, found " +
                     (f.size() > head.size() ? "more" : std::to_string(f.size())));
    const std::string& id = f[static_cast<std::size_t>(c_item)];
    const std::string dim_s = f[static_cast<std::size_t>(c_dim)];
    const std::string comp_s = c_comp >= 0 ? f[static_cast<std::size_t>(c_comp)] : std::string{};
    if (const auto k = ins.item_index(id); k != Instrument::npos) {
      if (item_row[k])
        throw fail(row, "item",
                   "item listed twice (first on row " + std::to_string(item_row[k]) + ")");
      item_row[k] = row;
      if (dim_s.empty())
        throw fail(row, "dimension_weight", "an item row needs a dimension weight");
      w.items[k].dimension = number(dim_s, row, "dimension_weight");
      if (!comp_s.empty()) {
        w.items[k].composite = number(comp_s, row, "composite_weight");
        any_item_comp = true;
      }
    } else if (const auto d = ins.dimension_index(id); d != Instrument::npos) {
      if (dim_row[d]) throw fail(row, "item", "dimension listed twice");
      dim_row[d] = row;
      if (!dim_s.empty())
        throw fail(row, "dimension_weight", "a dimension row takes only a composite weight");
      if (comp_s.empty())
        throw fail(row, "composite_weight", "a dimension row needs a composite weight");
      dim_w[d] = number(comp_s, row, "composite_weight");
      any_dim_comp = true;
    } else {
      throw fail(row, "item", "not an item or dimension of instrument '" + ins.id + "'");
    }
  }
  for (std::size_t k = 0; k < ins.items.size(); ++k)
    if (!item_row[k]) throw fail(0, "item", "item '" + ins.items[k].id + "' is not in the table");
  if (any_item_comp && any_dim_comp)
    throw fail(0, "composite_weight", "give composite weights per item or per dimension, not both");
  if (any_item_comp) {
    for (std::size_t k = 0; k < ins.items.size(); ++k)
      if (!w.items[k].composite)
        throw fail(item_row[k], "composite_weight",
                   "item mode needs a composite weight on every item row");
    w.mode = CompositeMode::item;
  } else {
    w.mode = CompositeMode::dimension;
    if (any_dim_comp) {
      for (std::size_t d = 0; d < ins.dimensions.size(); ++d)
        if (!dim_row[d])
          throw fail(0, "item",
                     "dimension '" + ins.dimensions[d] + "' has no composite weight row");
      w.dimension_weights = dim_w;
    } else {
      w.dimension_weights.assign(ins.dimensions.size(), 1.0);
    }
  }
  try {
    detail::validate_weight_set(ins, w, "weight_sets." + w.name);
  } catch (const instrument_error& e) {
    throw fail(0, "", e.what());
  }
  return w;
}

/// Reads a weight set from a JSON file holding one weight set object (as written by
/// `reinscore fit-weights`) or a CSV table (by extension).
inline WeightSet load_weights(const Instrument& ins, const std::string& path,
                              std::string name = {}) {
  const std::string text = detail::read_small_file(path, "weight file");
  // The file name, not the whole path, goes into the weight set's source (and so into
  // the instrument hash): the same table gives the same hash wherever it lies.
  const std::string file = path.substr(path.find_last_of("/\\") + 1);
  std::string stem = file;
  const auto dot = stem.find_last_of('.');
  std::string ext = dot == std::string::npos ? "" : stem.substr(dot);
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (dot != std::string::npos) stem = stem.substr(0, dot);
  if (name.empty()) name = stem;
  if (ext == ".json") {
    const auto doc = detail::parse_text(text, path);
    try {
      auto w = detail::parse_weight_set(ins, name, doc, "");
      detail::validate_weight_set(ins, w, "");
      if (w.source.empty()) w.source = "imported:" + file;
      return w;
    } catch (const instrument_error& e) {
      throw instrument_error(e.path(), e.message(), path);
    }
  }
  return weights_from_csv(ins, text, name, file);
}

/// The JSON form of one weight set (the `weight_sets.<name>` object of the format).
inline std::string weights_to_json(const Instrument& ins, const WeightSet& w) {
  return detail::pretty(detail::weight_set_to_json(ins, w));
}

}  // namespace reinscore
