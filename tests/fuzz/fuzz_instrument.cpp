// Instrument JSON: parse and validate, build the Coder (the per-scale code tables), code
// every code, numeric code and label of each item plus a few texts cut from the input,
// both through code() and through code_padded() (16 readable bytes after the cell, as
// the readers guarantee), and check that the instrument's JSON form loads back with the
// same hash (docs/cli.md, `instrument show --json`).
#include "fuzz_common.hpp"

#include <reinscore/coder.hpp>
#include <reinscore/instrument.hpp>

#include <string>
#include <vector>

namespace {

void code_both(const reinscore::ItemCoder& c, std::string_view s) {
  (void)c.code(s);
  std::string padded(s);
  padded.append(16, '\0');
  (void)c.code_padded(std::string_view(padded.data(), s.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::guard([&] {
    const auto ins = reinscore::Instrument::parse(text, "fuzz.json");
    const reinscore::Coder coder(ins);
    std::vector<std::string> extra = {"", " ", "0", "1", "-1", "1e308", "nan", "0x10"};
    for (std::size_t i = 0; i + 1 < text.size() && extra.size() < 16; i += 7)
      extra.emplace_back(text.substr(i, std::min<std::size_t>(text.size() - i, i % 23 + 1)));
    for (std::size_t k = 0; k < coder.items(); ++k) {
      const auto& c = coder.item(k);
      const auto& scale = ins.scale_of(ins.items[k]);
      for (const auto& a : scale.codes) {
        code_both(c, a.code);
        code_both(c, a.label);
        if (a.numeric) code_both(c, std::to_string(*a.numeric));
      }
      for (const auto& m : scale.missing) code_both(c, m.code);
      for (const auto& s : extra) code_both(c, s);
      (void)c.code(static_cast<double>(k));
    }
    const auto again =
        reinscore::Instrument::from_json(ins.to_json(), "the instrument written back");
    if (again.hash() != ins.hash()) __builtin_trap();  // `instrument show --json` would lie
  });
  return 0;
}
