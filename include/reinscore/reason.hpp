// Why a coded cell holds the value it holds: answered, or one of the missing reasons.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace reinscore {

/// Reason attached to every coded cell. Only `answered` cells carry a value; all others
/// are NaN in the coded matrix. `invalid_code` and `out_of_range` make the row invalid:
/// an answer that cannot be read is never turned into a number.
enum class Reason : std::uint8_t {
  answered = 0,
  dont_know,       ///< a missing code meaning "don't know"
  refused,         ///< a missing code meaning "refused"
  not_applicable,  ///< the question does not apply; removed from the coverage base
  skipped,         ///< empty cell, or a missing code meaning "skipped"
  invalid_code,    ///< text that is neither an answer code nor a missing code
  out_of_range,    ///< a number outside the scale's codes or range
};

inline constexpr std::array<std::string_view, 7> reason_names = {
    "answered", "dont_know",    "refused",     "not_applicable",
    "skipped",  "invalid_code", "out_of_range"};

constexpr std::string_view to_string(Reason r) noexcept {
  return reason_names[static_cast<std::size_t>(r)];
}

/// The missing meanings an instrument may give to a code (a subset of Reason).
inline std::optional<Reason> missing_meaning(std::string_view name) noexcept {
  if (name == "dont_know") return Reason::dont_know;
  if (name == "refused") return Reason::refused;
  if (name == "not_applicable") return Reason::not_applicable;
  if (name == "skipped") return Reason::skipped;
  return std::nullopt;
}

constexpr bool is_invalid(Reason r) noexcept {
  return r == Reason::invalid_code || r == Reason::out_of_range;
}

}  // namespace reinscore
