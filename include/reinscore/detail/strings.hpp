// Text helpers shared by instrument validation and coding, so that both fold answers
// and labels the same way.
#pragma once

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>

namespace reinscore::detail {

inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

inline std::string fold_case(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (unsigned char c : trim(s)) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += static_cast<char>(c < 128 ? std::tolower(c) : c);
  }
  return out;
}

/// What parse_decimal() found.
enum class Decimal { not_a_number, number, too_large };

/// Parses a whole string as a decimal number ("3", "3.0", "+2", "-1e2"; not "inf", "nan"
/// or hex). A number too large in magnitude for a double is `too_large` (`out` is then
/// +-infinity); one too small is rounded to the nearest double (a subnormal or +-0), as
/// any other decimal is rounded: "1e-400" is 0. The one rule for numbers in cells,
/// documented in docs/instrument-format.md ("Coding").
inline Decimal parse_decimal(std::string_view s, double& out) noexcept {
  if (s.empty()) return Decimal::not_a_number;
  if (s.front() == '+') {
    s.remove_prefix(1);
    if (s.empty() || s.front() == '+' || s.front() == '-') return Decimal::not_a_number;
  }
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ptr != s.data() + s.size()) return Decimal::not_a_number;
  if (ec == std::errc()) return std::isfinite(out) ? Decimal::number : Decimal::not_a_number;
  if (ec != std::errc::result_out_of_range) return Decimal::not_a_number;
  // Out of range: from_chars checked the syntax; tell overflow from underflow by the
  // decimal exponent of the first significant digit.
  const bool negative = s.front() == '-';
  long long exp10 = 0, exponent = 0;
  bool seen_point = false, significant = false, in_exponent = false, exp_negative = false;
  for (char c : s) {
    if (in_exponent) {
      if (c == '-') exp_negative = true;
      if (c >= '0' && c <= '9' && exponent < 1'000'000'000) exponent = exponent * 10 + (c - '0');
      continue;
    }
    if (c == 'e' || c == 'E') {
      in_exponent = true;
    } else if (c == '.') {
      seen_point = true;
    } else if (c >= '0' && c <= '9') {
      if (c != '0') significant = true;
      if (!significant && seen_point) --exp10;  // 0.000d: d sits further right
      if (significant && !seen_point) ++exp10;  // digits left of the point
    }
  }
  exp10 += exp_negative ? -exponent : exponent;
  if (significant && exp10 > 0) {
    out = negative ? -HUGE_VAL : HUGE_VAL;
    return Decimal::too_large;
  }
  // Underflow: glibc's strtod rounds correctly into the subnormal range (from_chars
  // reports it as out of range instead). The text is short in practice; copy it.
  const std::string text(s);
  out = std::strtod(text.c_str(), nullptr);
  if (!std::isfinite(out)) out = negative ? -0.0 : 0.0;
  return Decimal::number;
}

/// Parses a whole string as a finite number ("3", "3.0", "-1e2"); false otherwise,
/// including for numbers too large for a double (see parse_decimal()).
inline bool parse_number(std::string_view s, double& out) noexcept {
  return parse_decimal(s, out) == Decimal::number;
}

}  // namespace reinscore::detail
