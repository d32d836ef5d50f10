// Checks of a Request's options, shared by every command (Stan-style: each check names
// the option and the rule it breaks). The faces spell option names their own way (the
// CLI's `--min-cell`, Python's `min_cell`); a Request names its options as the CLI does
// and the Python module maps them back (python/reinscore/_errors.py).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace reinscore::app {

/// An option value a command cannot take. what(): "--level must be a number strictly
/// between 0 and 1 [bad_option]". option() is the option's CLI name ("--level").
class option_error : public std::invalid_argument {
 public:
  option_error(std::string option, const std::string& message, std::string rule = "bad_option")
      : std::invalid_argument(option + " " + message + " [" + rule + "]"),
        option_(std::move(option)),
        rule_(std::move(rule)) {}
  const std::string& option() const noexcept { return option_; }
  const std::string& rule() const noexcept { return rule_; }

 private:
  std::string option_;
  std::string rule_;
};

/// Bounds of the numeric options shared by several commands (docs/cli.md, "Limits").
/// Whole-number options are signed in every Request, so that a negative value from any
/// face reaches check() and is refused with the option's name, not by a type conversion.
inline constexpr std::int64_t max_threads = 256;
inline constexpr std::int64_t max_chunk_rows = std::int64_t{1} << 20;
inline constexpr std::int64_t max_min_cell = 1000000000;  ///< --min-cell, --min-respondents
inline constexpr std::int64_t max_replicates = 1000000;   ///< --replicates, --draws
inline constexpr std::int64_t max_seed = std::numeric_limits<std::int64_t>::max();  ///< --seed

/// Shortest decimal form of a number for messages (0.95, 1e+300).
std::string number_text(double x);

/// Throws option_error unless lo <= value <= hi (NaN fails).
template <class T>
void check_range(std::string_view option, T value, std::type_identity_t<T> lo,
                 std::type_identity_t<T> hi) {
  if (value >= lo && value <= hi) return;
  if constexpr (std::is_integral_v<T>)
    throw option_error(std::string(option), "must be a whole number from " + std::to_string(lo) +
                                                " to " + std::to_string(hi));
  else
    throw option_error(std::string(option),
                       "must be a number from " + number_text(lo) + " to " + number_text(hi));
}
/// A share strictly between 0 and 1 (confidence levels).
void check_open_unit(std::string_view option, double value);
/// A finite number.
void check_finite(std::string_view option, double value);
/// One of `choices`; the message lists them.
void check_choice(std::string_view option, std::string_view value,
                  std::initializer_list<std::string_view> choices);
/// Throws option_error "OPTION needs NEEDED" (rule option_needs) when `given` and not `has`.
void check_needs(std::string_view option, bool given, std::string_view needed, bool has);

}  // namespace reinscore::app
