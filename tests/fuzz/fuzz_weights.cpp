// Weight tables against the shipped iom-rss instrument: the first byte picks a CSV table
// or a JSON weight set; the rest is the file, loaded through load_weights (the path the
// command line takes) and applied with Instrument::with_weights (validation and hash).
#include "fuzz_common.hpp"

#include <reinscore/instrument.hpp>
#include <reinscore/weights.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto rss =
      reinscore::Instrument::load(fuzz::data_dir() + "/instruments/iom-rss.json");
  fuzz::Input in(data, size);
  const bool json = in.byte() & 1;
  const std::string path = fuzz::write_temp(json ? "weights.json" : "weights.csv", in.rest());
  fuzz::guard([&] {
    auto w = reinscore::load_weights(rss, path);
    const auto scored = rss.with_weights(std::move(w));
    (void)scored.hash();
    (void)reinscore::weights_to_json(scored, scored.weights());
  });
  fuzz::TempDir::clear();
  return 0;
}
