// Small helpers over Boost.JSON: typed field access that reports JSON paths, a
// canonical serialisation for hashing, and an indented printer for humans.
#pragma once

#include <reinscore/error.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace reinscore::detail {

namespace json = boost::json;

inline std::string kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

inline std::string join_path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}
inline std::string index_path(const std::string& base, std::size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

inline const json::object& as_object(const json::value& v, const std::string& path) {
  if (!v.is_object()) throw instrument_error(path, "expected an object, found " + kind_name(v));
  return v.get_object();
}
inline const json::array& as_array(const json::value& v, const std::string& path) {
  if (!v.is_array()) throw instrument_error(path, "expected an array, found " + kind_name(v));
  return v.get_array();
}
inline std::string as_string(const json::value& v, const std::string& path) {
  if (!v.is_string()) throw instrument_error(path, "expected a string, found " + kind_name(v));
  return std::string(v.get_string());
}
inline double as_number(const json::value& v, const std::string& path) {
  if (!v.is_number()) throw instrument_error(path, "expected a number, found " + kind_name(v));
  const double d = v.to_number<double>();
  if (!std::isfinite(d)) throw instrument_error(path, "expected a finite number");
  return d;
}
inline bool as_bool(const json::value& v, const std::string& path) {
  if (!v.is_bool()) throw instrument_error(path, "expected true or false, found " + kind_name(v));
  return v.get_bool();
}
inline long long as_integer(const json::value& v, const std::string& path) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<long long>(v.get_uint64());
  if (v.is_double()) {
    const double d = v.get_double();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15)
      return static_cast<long long>(d);
  }
  throw instrument_error(path, "expected an integer, found " + kind_name(v));
}

/// Rejects keys outside `allowed`: a typo in an optional key must not pass silently.
inline void check_keys(const json::object& o, const std::string& path,
                       std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : o) {
    if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end())
      throw instrument_error(join_path(path, kv.key()), "unknown key");
  }
}

inline const json::value& required(const json::object& o, std::string_view key,
                                   const std::string& path) {
  const auto* v = o.if_contains(key);
  if (!v) throw instrument_error(join_path(path, key), "required key is missing");
  return *v;
}

/// Canonical form: object keys sorted, no white space. Numbers are printed by Boost.JSON
/// (shortest round-trip form), so the same document always gives the same bytes.
inline void write_canonical(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::object: {
      const auto& o = v.get_object();
      std::vector<const json::key_value_pair*> kvs;
      kvs.reserve(o.size());
      for (const auto& kv : o) kvs.push_back(&kv);
      std::sort(kvs.begin(), kvs.end(),
                [](const auto* a, const auto* b) { return a->key() < b->key(); });
      out += '{';
      for (std::size_t i = 0; i < kvs.size(); ++i) {
        if (i) out += ',';
        out += json::serialize(json::value(kvs[i]->key()));
        out += ':';
        write_canonical(kvs[i]->value(), out);
      }
      out += '}';
      return;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write_canonical(e, out);
      }
      out += ']';
      return;
    }
    default:
      out += json::serialize(v);
      return;
  }
}

inline std::string canonical(const json::value& v) {
  std::string out;
  write_canonical(v, out);
  return out;
}

/// Indented output for people (Boost 1.81 has no pretty printer); keys keep their order.
inline void write_pretty(const json::value& v, std::string& out, int indent = 0) {
  const auto pad = [&](int n) { out.append(static_cast<std::size_t>(n), ' '); };
  if (v.is_object() && !v.get_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& kv : v.get_object()) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 2);
      out += json::serialize(json::value(kv.key()));
      out += ": ";
      write_pretty(kv.value(), out, indent + 2);
    }
    out += "\n";
    pad(indent);
    out += "}";
  } else if (v.is_array() && !v.get_array().empty()) {
    const auto& a = v.get_array();
    const bool scalars = std::all_of(
        a.begin(), a.end(), [](const json::value& e) { return !e.is_object() && !e.is_array(); });
    if (scalars) {
      out += json::serialize(v);
      return;
    }
    out += "[\n";
    bool first = true;
    for (const auto& e : a) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 2);
      write_pretty(e, out, indent + 2);
    }
    out += "\n";
    pad(indent);
    out += "]";
  } else {
    out += json::serialize(v);
  }
}

inline std::string pretty(const json::value& v) {
  std::string out;
  write_pretty(v, out);
  out += '\n';
  return out;
}

/// Parses JSON text; a syntax error names the line and column.
inline json::value parse_text(std::string_view text, const std::string& what) {
  json::stream_parser p;
  boost::system::error_code ec;
  const std::size_t used = p.write(text.data(), text.size(), ec);
  if (!ec) p.finish(ec);
  if (ec) {
    const std::size_t at = std::min(used, text.size());
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < at; ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    throw instrument_error("", what + ": invalid JSON at line " + std::to_string(line) +
                                   ", column " + std::to_string(col) + " (" + ec.message() + ")");
  }
  return p.release();
}

}  // namespace reinscore::detail
