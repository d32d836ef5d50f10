#include <reinscore/app/options.hpp>

#include <charconv>

namespace reinscore::app {

std::string number_text(double x) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

void check_open_unit(std::string_view option, double value) {
  if (value > 0 && value < 1) return;
  throw option_error(std::string(option), "must be a number between 0 and 1 (both excluded)");
}

void check_finite(std::string_view option, double value) {
  if (std::isfinite(value)) return;
  throw option_error(std::string(option), "must be a finite number");
}

void check_choice(std::string_view option, std::string_view value,
                  std::initializer_list<std::string_view> choices) {
  std::string list;
  std::size_t i = 0;
  for (const auto c : choices) {
    if (c == value) return;
    list += i == 0 ? "" : (i + 1 == choices.size() ? " or " : ", ");
    list += c;
    ++i;
  }
  throw option_error(std::string(option), "must be " + list);
}

void check_needs(std::string_view option, bool given, std::string_view needed, bool has) {
  if (!given || has) return;
  throw option_error(std::string(option), "needs " + std::string(needed), "option_needs");
}

}  // namespace reinscore::app
