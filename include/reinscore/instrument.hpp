// Instruments as data: items, scales, weight sets, coverage rule and thresholds, loaded
// from a JSON file (docs/instrument-format.md), validated with JSON paths in every
// message, serialisable back to the same format and identified by a content hash.
#pragma once

#include <reinscore/detail/json.hpp>
#include <reinscore/detail/read_file.hpp>
#include <reinscore/detail/sha256.hpp>
#include <reinscore/detail/strings.hpp>
#include <reinscore/error.hpp>
#include <reinscore/reason.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace reinscore {

inline constexpr std::string_view instrument_format = "reinscore-instrument/1";

/// One answer code of a categorical scale and the value it codes to (in [0, 1]).
struct AnswerCode {
  std::string code;                  ///< choice name, e.g. "very_satisfied"
  std::optional<long long> numeric;  ///< numeric code in exports that use numbers
  std::string label;                 ///< label shown to respondents ("Very satisfied")
  double value = 0;
};

/// A code that means "no answer" and why.
struct MissingCode {
  std::string code;
  std::optional<long long> numeric;
  std::string label;
  Reason meaning = Reason::skipped;
};

enum class ScaleType { categorical, numeric };

/// A scale: how raw answers become values in [0, 1]. Numeric scales map [min, max]
/// linearly onto [0, 1]; values outside are out of range, never clipped.
struct Scale {
  std::string id;
  ScaleType type = ScaleType::categorical;
  std::vector<AnswerCode> codes;
  std::vector<MissingCode> missing;
  double min = 0, max = 1;  // numeric scales only
};

struct Item {
  std::string id;
  std::string column;
  std::vector<std::string> aliases;
  std::string dimension;
  std::string level;  ///< empty: the instrument's level
  std::string scale;
  std::string question;
  bool reverse = false;  ///< favourable end is the scale's 0
};

struct ItemWeight {
  double dimension = 0;             ///< weight inside the item's dimension score
  std::optional<double> composite;  ///< weight in the composite (item mode only)
};

enum class CompositeMode {
  item,       ///< composite = weighted mean of answered items, with composite weights
  dimension,  ///< composite = weighted mean of the dimension scores
};

/// A named weight set. Weights need not sum to one: every score is a weighted mean, so
/// only ratios matter. `items` is indexed like Instrument::items.
struct WeightSet {
  std::string name;
  std::string source;  ///< "provisional", "official", "fitted:pca-first", "imported:<file>"
  std::string citation;
  bool provisional = false;
  CompositeMode mode = CompositeMode::dimension;
  std::vector<double> dimension_weights;  ///< indexed like Instrument::dimensions
  std::vector<ItemWeight> items;
  detail::json::object diagnostics;  ///< free-form (e.g. eigenvalues of a fit)
};

struct Category {
  std::string label;
  double min = 0;  ///< a score >= min (and below the next min) falls in this category
};

struct Thresholds {
  std::string score = "composite";  ///< "composite" or a dimension id
  bool provisional = false;
  std::vector<Category> categories;  ///< ascending by min
};

/// The levels of the integrated approach, in the order of Integration::level_weights.
inline constexpr std::array<std::string_view, 3> level_names = {"individual", "community",
                                                                "structural"};

/// How the individual, community and structural levels combine into the integrated
/// index (docs/levels.md): the optional `integration` object of an instrument file.
struct Integration {
  bool provisional = true;                       ///< placeholder numbers unless stated
  std::array<double, 3> level_weights{1, 1, 1};  ///< indexed like level_names
  std::uint64_t min_respondents = 10;            ///< smaller groups of people are suppressed
  double min_level_share = 1;  ///< level weight that must have a score (1: every level)
};

class Instrument {
 public:
  std::string id;
  std::string version;
  std::string title;
  std::string level = "individual";
  std::string unit_key;
  bool provisional = false;
  detail::json::value provenance;
  std::vector<std::string> dimensions;
  std::vector<Scale> scales;
  std::vector<Item> items;
  double coverage_min_share = 0.5;
  std::optional<Thresholds> thresholds;
  std::optional<Integration> integration;  ///< absent unless the file declares it
  std::string default_weights;
  std::vector<WeightSet> weight_sets;

  /// Parses and validates an instrument document. `what` names the source in messages.
  static Instrument from_json(const detail::json::value& doc, const std::string& what = "");
  static Instrument from_json_impl(const detail::json::value& doc);
  static Instrument parse(std::string_view text, const std::string& what = "instrument");
  static Instrument load(const std::string& path);

  /// The document in the instrument file format (round-trips through from_json).
  detail::json::value to_json() const;
  /// SHA-256 (hex) of the canonical form of to_json(): any change to items, scales,
  /// weights, thresholds or metadata changes it.
  std::string hash() const { return detail::sha256_hex(detail::canonical(to_json())); }
  /// "id@version#<first 12 hex digits of hash>", written beside every score.
  std::string tag() const { return id + "@" + version + "#" + hash().substr(0, 12); }

  std::size_t dimension_index(std::string_view name) const {
    const auto it = std::find(dimensions.begin(), dimensions.end(), name);
    return it == dimensions.end() ? npos : static_cast<std::size_t>(it - dimensions.begin());
  }
  std::size_t item_index(std::string_view item_id) const {
    for (std::size_t i = 0; i < items.size(); ++i)
      if (items[i].id == item_id) return i;
    return npos;
  }
  const Scale& scale_of(const Item& item) const {
    for (const auto& s : scales)
      if (s.id == item.scale) return s;
    throw instrument_error("",
                           "item '" + item.id + "' refers to unknown scale '" + item.scale + "'");
  }
  /// The named weight set, or the default one when `name` is empty.
  const WeightSet& weights(std::string_view name = {}) const {
    const std::string_view want = name.empty() ? std::string_view(default_weights) : name;
    for (const auto& w : weight_sets)
      if (w.name == want) return w;
    std::string known;
    for (const auto& w : weight_sets) known += (known.empty() ? "" : ", ") + w.name;
    throw std::invalid_argument("instrument '" + id + "': no weight set named '" +
                                std::string(want) + "' (known: " + known + ")");
  }
  /// A copy whose default (active) weight set is `w`, added or replacing a set of the
  /// same name; validated as a whole, so the hash reflects the weights in use.
  Instrument with_weights(WeightSet w) const;

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
};

/// The rule an instrument id read from data (the `instrument` column of a scores file,
/// `id@version#hash`) must pass before it is looked up: 1 to 64 characters from
/// [A-Za-z0-9_.-], the first a letter or digit. Such an id is never a path, so a lookup
/// as `ID.json` in the instrument directories cannot leave them. One rule for every face.
inline bool is_plain_name(std::string_view name) noexcept {
  const auto alnum = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (name.empty() || name.size() > 64 || !alnum(name[0])) return false;
  for (const char c : name)
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

/// The id and version of a tag "id@version#hash" (Instrument::tag()); false when it is
/// not one or its id is not a plain name.
inline bool split_instrument_tag(std::string_view tag, std::string& id, std::string& version) {
  const auto at = tag.find('@'), hash = tag.rfind('#');
  if (at == std::string_view::npos || hash == std::string_view::npos || hash < at) return false;
  if (!is_plain_name(tag.substr(0, at))) return false;
  id = std::string(tag.substr(0, at));
  version = std::string(tag.substr(at + 1, hash - at - 1));
  return true;
}

// ---------------------------------------------------------------------------------------
// Implementation.

namespace detail {

inline std::optional<long long> opt_integer(const json::object& o, std::string_view key,
                                            const std::string& path) {
  if (const auto* v = o.if_contains(key)) return as_integer(*v, join_path(path, key));
  return std::nullopt;
}
inline std::string opt_string(const json::object& o, std::string_view key,
                              const std::string& path) {
  if (const auto* v = o.if_contains(key)) return as_string(*v, join_path(path, key));
  return {};
}
inline bool opt_bool(const json::object& o, std::string_view key, const std::string& path,
                     bool fallback = false) {
  if (const auto* v = o.if_contains(key)) return as_bool(*v, join_path(path, key));
  return fallback;
}

inline bool valid_level(std::string_view s) {
  return s == "individual" || s == "community" || s == "structural";
}

inline Scale parse_scale(const std::string& id, const json::value& v, const std::string& path) {
  const auto& o = as_object(v, path);
  check_keys(o, path, {"type", "codes", "missing", "min", "max"});
  Scale s;
  s.id = id;
  const std::string type = as_string(required(o, "type", path), join_path(path, "type"));
  if (type == "categorical") {
    s.type = ScaleType::categorical;
  } else if (type == "numeric") {
    s.type = ScaleType::numeric;
  } else {
    throw instrument_error(join_path(path, "type"),
                           "unknown scale type \"" + type + "\" (expected categorical or numeric)");
  }
  if (const auto* codes = o.if_contains("codes")) {
    const std::string cpath = join_path(path, "codes");
    const auto& arr = as_array(*codes, cpath);
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const std::string p = index_path(cpath, i);
      const auto& c = as_object(arr[i], p);
      check_keys(c, p, {"code", "numeric", "label", "value"});
      AnswerCode a;
      a.code = as_string(required(c, "code", p), join_path(p, "code"));
      if (detail::trim(a.code).empty())
        throw instrument_error(join_path(p, "code"), "must not be empty");
      a.numeric = opt_integer(c, "numeric", p);
      a.label = opt_string(c, "label", p);
      a.value = as_number(required(c, "value", p), join_path(p, "value"));
      if (a.value < 0 || a.value > 1)
        throw instrument_error(join_path(p, "value"), "value must lie in [0, 1]");
      s.codes.push_back(std::move(a));
    }
  }
  if (const auto* missing = o.if_contains("missing")) {
    const std::string mpath = join_path(path, "missing");
    const auto& arr = as_array(*missing, mpath);
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const std::string p = index_path(mpath, i);
      const auto& c = as_object(arr[i], p);
      check_keys(c, p, {"code", "numeric", "label", "meaning"});
      MissingCode m;
      m.code = as_string(required(c, "code", p), join_path(p, "code"));
      if (detail::trim(m.code).empty())
        throw instrument_error(join_path(p, "code"), "must not be empty");
      m.numeric = opt_integer(c, "numeric", p);
      m.label = opt_string(c, "label", p);
      const std::string meaning = as_string(required(c, "meaning", p), join_path(p, "meaning"));
      const auto r = missing_meaning(meaning);
      if (!r)
        throw instrument_error(join_path(p, "meaning"),
                               "unknown missing meaning \"" + meaning +
                                   "\" (expected dont_know, refused, not_applicable or skipped)");
      m.meaning = *r;
      s.missing.push_back(std::move(m));
    }
  }
  if (s.type == ScaleType::categorical) {
    if (s.codes.empty())
      throw instrument_error(join_path(path, "codes"),
                             "a categorical scale needs at least one code");
    if (o.contains("min") || o.contains("max"))
      throw instrument_error(path, "min and max apply to numeric scales only");
  } else {
    if (!s.codes.empty())
      throw instrument_error(join_path(path, "codes"),
                             "a numeric scale takes no answer codes (use min and max)");
    s.min = as_number(required(o, "min", path), join_path(path, "min"));
    s.max = as_number(required(o, "max", path), join_path(path, "max"));
    if (!(s.min < s.max))
      throw instrument_error(join_path(path, "max"), "max must be greater than min");
    // Coding divides by max - min: a range wider than a double holds would code every
    // answer as 0 or NaN.
    if (!std::isfinite(s.max - s.min))
      throw instrument_error(join_path(path, "max"),
                             "max - min must be a finite number (the range overflows a double)");
    // A missing code inside the range could never be read as an answer.
    for (std::size_t i = 0; i < s.missing.size(); ++i)
      if (s.missing[i].numeric && static_cast<double>(*s.missing[i].numeric) >= s.min &&
          static_cast<double>(*s.missing[i].numeric) <= s.max)
        throw instrument_error(join_path(index_path(join_path(path, "missing"), i), "numeric"),
                               "a missing code must lie outside the scale's range [min, max]");
  }
  // Every spelling a cell may take (code, numeric code, label) must mean one thing only.
  std::map<std::string, std::string> seen;
  const auto claim = [&](const std::string& key, const std::string& where) {
    if (key.empty()) return;
    const auto [it, fresh] = seen.emplace(key, where);
    if (!fresh) throw instrument_error(where, "\"" + key + "\" is already used by " + it->second);
  };
  for (std::size_t i = 0; i < s.codes.size(); ++i) {
    const std::string p = index_path(join_path(path, "codes"), i);
    claim(s.codes[i].code, join_path(p, "code"));
    if (s.codes[i].numeric) claim(std::to_string(*s.codes[i].numeric), join_path(p, "numeric"));
  }
  for (std::size_t i = 0; i < s.missing.size(); ++i) {
    const std::string p = index_path(join_path(path, "missing"), i);
    claim(s.missing[i].code, join_path(p, "code"));
    if (s.missing[i].numeric) claim(std::to_string(*s.missing[i].numeric), join_path(p, "numeric"));
  }
  // Labels are matched like the coder matches them (case and spaces folded), so two
  // entries must not fold to the same text; a code name folded counts too.
  std::map<std::string, std::pair<std::string, std::string>> labels;  // folded -> (entry, path)
  const auto claim_folded = [&](const std::string& text, const std::string& entry,
                                const std::string& where) {
    if (text.empty()) return;
    const auto [it, fresh] = labels.emplace(fold_case(text), std::make_pair(entry, where));
    if (!fresh && it->second.first != entry)
      throw instrument_error(where, "matches the same answers as " + it->second.second +
                                        " (labels are compared without case and extra spaces)");
  };
  for (std::size_t i = 0; i < s.codes.size(); ++i) {
    const std::string p = index_path(join_path(path, "codes"), i);
    claim_folded(s.codes[i].code, p, join_path(p, "code"));
    claim_folded(s.codes[i].label, p, join_path(p, "label"));
  }
  for (std::size_t i = 0; i < s.missing.size(); ++i) {
    const std::string p = index_path(join_path(path, "missing"), i);
    claim_folded(s.missing[i].code, p, join_path(p, "code"));
    claim_folded(s.missing[i].label, p, join_path(p, "label"));
  }
  return s;
}

inline WeightSet parse_weight_set(const Instrument& ins, const std::string& name,
                                  const json::value& v, const std::string& path) {
  const auto& o = as_object(v, path);
  check_keys(o, path, {"source", "citation", "provisional", "composite", "items", "diagnostics"});
  WeightSet w;
  w.name = name;
  w.source = opt_string(o, "source", path);
  w.citation = opt_string(o, "citation", path);
  w.provisional = opt_bool(o, "provisional", path);
  if (const auto* d = o.if_contains("diagnostics"))
    w.diagnostics = as_object(*d, join_path(path, "diagnostics"));
  const std::string cpath = join_path(path, "composite");
  const auto& comp = as_object(required(o, "composite", path), cpath);
  check_keys(comp, cpath, {"mode", "weights"});
  const std::string mode = as_string(required(comp, "mode", cpath), join_path(cpath, "mode"));
  if (mode == "item") {
    w.mode = CompositeMode::item;
    if (comp.contains("weights"))
      throw instrument_error(join_path(cpath, "weights"),
                             "item mode takes composite weights per item, not per dimension");
  } else if (mode == "dimension") {
    w.mode = CompositeMode::dimension;
    const std::string wpath = join_path(cpath, "weights");
    const auto& dw = as_object(required(comp, "weights", cpath), wpath);
    w.dimension_weights.assign(ins.dimensions.size(), 0.0);
    for (const auto& kv : dw) {
      const std::size_t d = ins.dimension_index(kv.key());
      if (d == Instrument::npos)
        throw instrument_error(join_path(wpath, kv.key()), "unknown dimension");
      w.dimension_weights[d] = as_number(kv.value(), join_path(wpath, kv.key()));
    }
    for (std::size_t d = 0; d < ins.dimensions.size(); ++d)
      if (!dw.contains(ins.dimensions[d]))
        throw instrument_error(join_path(wpath, ins.dimensions[d]), "dimension weight is missing");
  } else {
    throw instrument_error(join_path(cpath, "mode"),
                           "unknown composite mode \"" + mode + "\" (expected item or dimension)");
  }
  const std::string ipath = join_path(path, "items");
  const auto& iw = as_object(required(o, "items", path), ipath);
  w.items.assign(ins.items.size(), ItemWeight{});
  std::vector<bool> given(ins.items.size(), false);
  std::map<std::string_view, std::size_t> item_at;  // not item_index(): O(items) per call
  for (std::size_t k = 0; k < ins.items.size(); ++k) item_at.emplace(ins.items[k].id, k);
  for (const auto& kv : iw) {
    const std::string p = join_path(ipath, kv.key());
    const auto found = item_at.find(std::string_view(kv.key()));
    if (found == item_at.end()) throw instrument_error(p, "unknown item");
    const std::size_t k = found->second;
    const auto& e = as_object(kv.value(), p);
    check_keys(e, p, {"dimension", "composite"});
    w.items[k].dimension = as_number(required(e, "dimension", p), join_path(p, "dimension"));
    if (const auto* c = e.if_contains("composite"))
      w.items[k].composite = as_number(*c, join_path(p, "composite"));
    given[k] = true;
  }
  for (std::size_t k = 0; k < ins.items.size(); ++k)
    if (!given[k])
      throw instrument_error(join_path(ipath, ins.items[k].id),
                             "item has no weight (give 0 to leave it out explicitly)");
  return w;
}

inline json::object weight_set_to_json(const Instrument& ins, const WeightSet& w) {
  json::object o;
  if (!w.source.empty()) o["source"] = w.source;
  if (!w.citation.empty()) o["citation"] = w.citation;
  o["provisional"] = w.provisional;
  json::object comp;
  if (w.mode == CompositeMode::item) {
    comp["mode"] = "item";
  } else {
    comp["mode"] = "dimension";
    json::object dw;
    for (std::size_t d = 0; d < ins.dimensions.size(); ++d)
      dw[ins.dimensions[d]] = d < w.dimension_weights.size() ? w.dimension_weights[d] : 0.0;
    comp["weights"] = std::move(dw);
  }
  o["composite"] = std::move(comp);
  json::object items;
  for (std::size_t k = 0; k < ins.items.size() && k < w.items.size(); ++k) {
    json::object e;
    e["dimension"] = w.items[k].dimension;
    if (w.items[k].composite) e["composite"] = *w.items[k].composite;
    items[ins.items[k].id] = std::move(e);
  }
  o["items"] = std::move(items);
  if (!w.diagnostics.empty()) o["diagnostics"] = w.diagnostics;
  return o;
}

inline void validate_weight_set(const Instrument& ins, const WeightSet& w,
                                const std::string& path) {
  const std::string ipath = join_path(path, "items");
  if (w.items.size() != ins.items.size())
    throw instrument_error(ipath, "expected " + std::to_string(ins.items.size()) +
                                      " item weights, found " + std::to_string(w.items.size()));
  std::vector<double> total(ins.dimensions.size(), 0.0);
  double composite_total = 0;
  std::map<std::string_view, std::size_t> dimension_at;
  for (std::size_t d = 0; d < ins.dimensions.size(); ++d)
    dimension_at.emplace(ins.dimensions[d], d);
  for (std::size_t k = 0; k < w.items.size(); ++k) {
    const std::string p = join_path(ipath, ins.items[k].id);
    const auto& iw = w.items[k];
    if (!std::isfinite(iw.dimension) || iw.dimension < 0)
      throw instrument_error(join_path(p, "dimension"), "weight must be a finite number >= 0");
    total[dimension_at.at(ins.items[k].dimension)] += iw.dimension;
    if (w.mode == CompositeMode::item) {
      if (!iw.composite)
        throw instrument_error(join_path(p, "composite"),
                               "item mode needs a composite weight for every item");
      if (!std::isfinite(*iw.composite) || *iw.composite < 0)
        throw instrument_error(join_path(p, "composite"), "weight must be a finite number >= 0");
      composite_total += *iw.composite;
    } else if (iw.composite) {
      throw instrument_error(join_path(p, "composite"),
                             "dimension mode takes no item composite weights");
    }
  }
  // Sums must stay finite too: scores divide by them (1e308 + 1e308 is infinite).
  for (std::size_t d = 0; d < total.size(); ++d) {
    if (!(total[d] > 0))
      throw instrument_error(
          ipath, "dimension '" + ins.dimensions[d] + "' has no item with a positive weight");
    if (!std::isfinite(total[d]))
      throw instrument_error(ipath, "the weights of dimension '" + ins.dimensions[d] +
                                        "' add up to more than a double can hold");
  }
  if (w.mode == CompositeMode::item && !(composite_total > 0))
    throw instrument_error(ipath, "all composite weights are zero");
  if (w.mode == CompositeMode::item && !std::isfinite(composite_total))
    throw instrument_error(ipath, "the composite weights add up to more than a double can hold");
  if (w.mode == CompositeMode::dimension) {
    if (w.dimension_weights.size() != ins.dimensions.size())
      throw instrument_error(join_path(path, "composite.weights"),
                             "expected " + std::to_string(ins.dimensions.size()) +
                                 " dimension weights, found " +
                                 std::to_string(w.dimension_weights.size()));
    double s = 0;
    for (std::size_t d = 0; d < w.dimension_weights.size(); ++d) {
      const double x = w.dimension_weights[d];
      if (!std::isfinite(x) || x < 0)
        throw instrument_error(join_path(join_path(path, "composite.weights"), ins.dimensions[d]),
                               "weight must be a finite number >= 0");
      s += x;
    }
    if (!(s > 0))
      throw instrument_error(join_path(path, "composite.weights"),
                             "dimension weights are all zero");
    if (!std::isfinite(s))
      throw instrument_error(join_path(path, "composite.weights"),
                             "the dimension weights add up to more than a double can hold");
  }
}

/// The optional `integration` object (docs/instrument-format.md, "Integration").
inline Integration parse_integration(const json::value& v) {
  const std::string path = "integration";
  const auto& o = as_object(v, path);
  check_keys(o, path, {"provisional", "level_weights", "min_respondents", "min_level_share"});
  Integration g;
  g.provisional = opt_bool(o, "provisional", path, true);
  const std::string wpath = join_path(path, "level_weights");
  const auto& lw = as_object(required(o, "level_weights", path), wpath);
  check_keys(lw, wpath, {level_names[0], level_names[1], level_names[2]});
  double total = 0;
  for (std::size_t l = 0; l < level_names.size(); ++l) {
    const std::string p = join_path(wpath, level_names[l]);
    const double w = as_number(required(lw, level_names[l], wpath), p);
    if (w < 0) throw instrument_error(p, "weight must be a finite number >= 0");
    g.level_weights[l] = w;
    total += w;
  }
  if (!(total > 0)) throw instrument_error(wpath, "level weights must not all be zero");
  if (const auto* m = o.if_contains("min_respondents")) {
    const long long n = as_integer(*m, join_path(path, "min_respondents"));
    if (n < 1) throw instrument_error(join_path(path, "min_respondents"), "must be at least 1");
    g.min_respondents = static_cast<std::uint64_t>(n);
  }
  if (const auto* m = o.if_contains("min_level_share")) {
    g.min_level_share = as_number(*m, join_path(path, "min_level_share"));
    if (g.min_level_share < 0 || g.min_level_share > 1)
      throw instrument_error(join_path(path, "min_level_share"), "must lie in [0, 1]");
  }
  return g;
}

inline json::value integration_to_json(const Integration& g) {
  json::object lw;
  for (std::size_t l = 0; l < level_names.size(); ++l) lw[level_names[l]] = g.level_weights[l];
  return json::object{{"provisional", g.provisional},
                      {"level_weights", std::move(lw)},
                      {"min_respondents", g.min_respondents},
                      {"min_level_share", g.min_level_share}};
}

}  // namespace detail

inline Instrument Instrument::from_json(const detail::json::value& doc, const std::string& what) {
  if (what.empty()) return from_json_impl(doc);
  try {
    return from_json_impl(doc);
  } catch (const instrument_error& e) {
    throw instrument_error(e.path(), e.message(), what);  // name the file, keep the path
  }
}

inline Instrument Instrument::from_json_impl(const detail::json::value& doc) {
  using namespace detail;
  const auto& o = as_object(doc, "");
  check_keys(o, "",
             {"format", "id", "version", "title", "level", "unit_key", "provisional", "provenance",
              "dimensions", "scales", "items", "coverage", "thresholds", "integration",
              "default_weights", "weight_sets"});
  const std::string format = as_string(required(o, "format", ""), "format");
  if (format != instrument_format)
    throw instrument_error("format", "unsupported format \"" + format + "\" (expected \"" +
                                         std::string(instrument_format) + "\")");
  Instrument ins;
  ins.id = as_string(required(o, "id", ""), "id");
  if (ins.id.empty()) throw instrument_error("id", "must not be empty");
  ins.version = as_string(required(o, "version", ""), "version");
  if (ins.version.empty()) throw instrument_error("version", "must not be empty");
  ins.title = opt_string(o, "title", "");
  if (o.contains("level")) ins.level = as_string(o.at("level"), "level");
  if (!valid_level(ins.level))
    throw instrument_error("level", "unknown level \"" + ins.level +
                                        "\" (expected individual, community or structural)");
  ins.unit_key = opt_string(o, "unit_key", "");
  ins.provisional = opt_bool(o, "provisional", "");
  if (const auto* p = o.if_contains("provenance")) ins.provenance = *p;

  const auto& dims = as_array(required(o, "dimensions", ""), "dimensions");
  if (dims.empty()) throw instrument_error("dimensions", "at least one dimension is needed");
  std::set<std::string, std::less<>> dimension_seen;
  for (std::size_t d = 0; d < dims.size(); ++d) {
    std::string name = as_string(dims[d], index_path("dimensions", d));
    if (name.empty() || !dimension_seen.insert(name).second)
      throw instrument_error(index_path("dimensions", d),
                             "dimension names must be unique and non-empty");
    ins.dimensions.push_back(std::move(name));
  }

  const auto& scales = as_object(required(o, "scales", ""), "scales");
  for (const auto& kv : scales)
    ins.scales.push_back(parse_scale(kv.key(), kv.value(), join_path("scales", kv.key())));

  const auto& items = as_array(required(o, "items", ""), "items");
  if (items.empty()) throw instrument_error("items", "at least one item is needed");
  std::map<std::string, std::string> columns;  // column name or alias -> path
  // Sets instead of linear searches: a file is untrusted, and its loading must stay
  // O(n log n) however many items, scales or dimensions it declares.
  std::set<std::string, std::less<>> item_ids, scale_ids, used_dimensions;
  for (const auto& sc : ins.scales) scale_ids.insert(sc.id);
  const std::set<std::string, std::less<>> dimension_names(ins.dimensions.begin(),
                                                           ins.dimensions.end());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string p = index_path("items", i);
    const auto& io = as_object(items[i], p);
    check_keys(io, p,
               {"id", "column", "aliases", "dimension", "level", "scale", "question", "reverse"});
    Item it;
    it.id = as_string(required(io, "id", p), join_path(p, "id"));
    if (it.id.empty()) throw instrument_error(join_path(p, "id"), "must not be empty");
    if (!item_ids.insert(it.id).second)
      throw instrument_error(join_path(p, "id"), "duplicate item id \"" + it.id + "\"");
    it.column = io.contains("column") ? as_string(io.at("column"), join_path(p, "column")) : it.id;
    if (const auto* a = io.if_contains("aliases")) {
      const auto& arr = as_array(*a, join_path(p, "aliases"));
      for (std::size_t j = 0; j < arr.size(); ++j)
        it.aliases.push_back(as_string(arr[j], index_path(join_path(p, "aliases"), j)));
    }
    it.dimension = as_string(required(io, "dimension", p), join_path(p, "dimension"));
    if (!dimension_names.contains(it.dimension))
      throw instrument_error(join_path(p, "dimension"),
                             "unknown dimension \"" + it.dimension + "\"");
    it.level = opt_string(io, "level", p);
    if (!it.level.empty() && !valid_level(it.level))
      throw instrument_error(join_path(p, "level"), "unknown level \"" + it.level + "\"");
    it.scale = as_string(required(io, "scale", p), join_path(p, "scale"));
    if (!scale_ids.contains(it.scale))
      throw instrument_error(join_path(p, "scale"), "unknown scale \"" + it.scale + "\"");
    it.question = opt_string(io, "question", p);
    it.reverse = opt_bool(io, "reverse", p);
    const auto claim = [&](const std::string& name, const std::string& where) {
      if (name.empty()) throw instrument_error(where, "column names must not be empty");
      const auto [pos, fresh] = columns.emplace(name, where);
      if (!fresh)
        throw instrument_error(where,
                               "column name \"" + name + "\" is already used by " + pos->second);
    };
    used_dimensions.insert(it.dimension);
    claim(it.column, join_path(p, "column"));
    for (std::size_t j = 0; j < it.aliases.size(); ++j)
      claim(it.aliases[j], index_path(join_path(p, "aliases"), j));
    ins.items.push_back(std::move(it));
  }
  for (std::size_t d = 0; d < ins.dimensions.size(); ++d)
    if (!used_dimensions.contains(ins.dimensions[d]))
      throw instrument_error(index_path("dimensions", d),
                             "dimension \"" + ins.dimensions[d] + "\" has no items");

  if (const auto* c = o.if_contains("coverage")) {
    const auto& co = as_object(*c, "coverage");
    check_keys(co, "coverage", {"min_share"});
    ins.coverage_min_share = as_number(required(co, "min_share", "coverage"), "coverage.min_share");
    if (ins.coverage_min_share < 0 || ins.coverage_min_share > 1)
      throw instrument_error("coverage.min_share", "must lie in [0, 1]");
  }

  if (const auto* t = o.if_contains("thresholds")) {
    const auto& to = as_object(*t, "thresholds");
    check_keys(to, "thresholds", {"score", "provisional", "categories"});
    Thresholds th;
    if (to.contains("score")) th.score = as_string(to.at("score"), "thresholds.score");
    if (th.score != "composite" && ins.dimension_index(th.score) == npos)
      throw instrument_error("thresholds.score", "unknown score \"" + th.score +
                                                     "\" (expected composite or a dimension)");
    th.provisional = opt_bool(to, "provisional", "thresholds");
    const auto& cats = as_array(required(to, "categories", "thresholds"), "thresholds.categories");
    if (cats.empty())
      throw instrument_error("thresholds.categories", "at least one category is needed");
    for (std::size_t i = 0; i < cats.size(); ++i) {
      const std::string p = index_path("thresholds.categories", i);
      const auto& co = as_object(cats[i], p);
      check_keys(co, p, {"label", "min"});
      Category cat;
      cat.label = as_string(required(co, "label", p), join_path(p, "label"));
      if (cat.label.empty()) throw instrument_error(join_path(p, "label"), "must not be empty");
      if (std::any_of(th.categories.begin(), th.categories.end(),
                      [&](const Category& prev) { return prev.label == cat.label; }))
        throw instrument_error(join_path(p, "label"),
                               "duplicate category label \"" + cat.label + "\"");
      cat.min = as_number(required(co, "min", p), join_path(p, "min"));
      if (cat.min < 0 || cat.min > 1)
        throw instrument_error(join_path(p, "min"), "must lie in [0, 1]");
      if (!th.categories.empty() && !(cat.min > th.categories.back().min))
        throw instrument_error(join_path(p, "min"),
                               "categories must be in strictly ascending order of min");
      th.categories.push_back(std::move(cat));
    }
    if (th.categories.front().min != 0)
      throw instrument_error("thresholds.categories[0].min",
                             "the first category must start at 0 so that every score has one");
    ins.thresholds = std::move(th);
  }

  if (const auto* g = o.if_contains("integration")) ins.integration = parse_integration(*g);

  const auto& sets = as_object(required(o, "weight_sets", ""), "weight_sets");
  if (sets.empty()) throw instrument_error("weight_sets", "at least one weight set is needed");
  for (const auto& kv : sets) {
    const std::string p = join_path("weight_sets", kv.key());
    if (kv.key().empty()) throw instrument_error(p, "weight set names must not be empty");
    ins.weight_sets.push_back(parse_weight_set(ins, kv.key(), kv.value(), p));
    validate_weight_set(ins, ins.weight_sets.back(), p);
  }
  ins.default_weights = o.contains("default_weights")
                            ? as_string(o.at("default_weights"), "default_weights")
                            : ins.weight_sets.front().name;
  if (std::none_of(ins.weight_sets.begin(), ins.weight_sets.end(),
                   [&](const WeightSet& w) { return w.name == ins.default_weights; }))
    throw instrument_error("default_weights",
                           "no weight set named \"" + ins.default_weights + "\"");
  return ins;
}

inline Instrument Instrument::parse(std::string_view text, const std::string& what) {
  return from_json(detail::parse_text(text, what), what);
}

inline Instrument Instrument::load(const std::string& path) {
  return parse(detail::read_small_file(path, "instrument file"), path);
}

inline detail::json::value Instrument::to_json() const {
  namespace json = detail::json;
  json::object o;
  o["format"] = instrument_format;
  o["id"] = id;
  o["version"] = version;
  if (!title.empty()) o["title"] = title;
  o["level"] = level;
  if (!unit_key.empty()) o["unit_key"] = unit_key;
  o["provisional"] = provisional;
  if (!provenance.is_null()) o["provenance"] = provenance;
  json::array dims;
  for (const auto& d : dimensions) dims.emplace_back(d);
  o["dimensions"] = std::move(dims);
  json::object sc;
  for (const auto& s : scales) {
    json::object so;
    so["type"] = s.type == ScaleType::categorical ? "categorical" : "numeric";
    if (s.type == ScaleType::numeric) {
      so["min"] = s.min;
      so["max"] = s.max;
    } else {
      json::array codes;
      for (const auto& c : s.codes) {
        json::object co;
        co["code"] = c.code;
        if (c.numeric) co["numeric"] = *c.numeric;
        if (!c.label.empty()) co["label"] = c.label;
        co["value"] = c.value;
        codes.emplace_back(std::move(co));
      }
      so["codes"] = std::move(codes);
    }
    if (!s.missing.empty()) {
      json::array miss;
      for (const auto& m : s.missing) {
        json::object mo;
        mo["code"] = m.code;
        if (m.numeric) mo["numeric"] = *m.numeric;
        if (!m.label.empty()) mo["label"] = m.label;
        mo["meaning"] = to_string(m.meaning);
        miss.emplace_back(std::move(mo));
      }
      so["missing"] = std::move(miss);
    }
    sc[s.id] = std::move(so);
  }
  o["scales"] = std::move(sc);
  json::array its;
  for (const auto& it : items) {
    json::object io;
    io["id"] = it.id;
    io["column"] = it.column;
    json::array al;
    for (const auto& a : it.aliases) al.emplace_back(a);
    io["aliases"] = std::move(al);
    io["dimension"] = it.dimension;
    if (!it.level.empty()) io["level"] = it.level;
    io["scale"] = it.scale;
    if (!it.question.empty()) io["question"] = it.question;
    if (it.reverse) io["reverse"] = true;
    its.emplace_back(std::move(io));
  }
  o["items"] = std::move(its);
  o["coverage"] = json::object{{"min_share", coverage_min_share}};
  if (thresholds) {
    json::object to;
    to["score"] = thresholds->score;
    to["provisional"] = thresholds->provisional;
    json::array cats;
    for (const auto& c : thresholds->categories)
      cats.emplace_back(json::object{{"label", c.label}, {"min", c.min}});
    to["categories"] = std::move(cats);
    o["thresholds"] = std::move(to);
  }
  if (integration) o["integration"] = detail::integration_to_json(*integration);
  o["default_weights"] = default_weights;
  json::object ws;
  for (const auto& w : weight_sets) ws[w.name] = detail::weight_set_to_json(*this, w);
  o["weight_sets"] = std::move(ws);
  return o;
}

inline Instrument Instrument::with_weights(WeightSet w) const {
  if (w.name.empty()) throw std::invalid_argument("with_weights: the weight set needs a name");
  detail::validate_weight_set(*this, w, "weight_sets." + w.name);
  Instrument out = *this;
  auto it = std::find_if(out.weight_sets.begin(), out.weight_sets.end(),
                         [&](const WeightSet& x) { return x.name == w.name; });
  out.default_weights = w.name;
  if (it != out.weight_sets.end()) {
    *it = std::move(w);
  } else {
    out.weight_sets.push_back(std::move(w));
  }
  return out;
}

}  // namespace reinscore
