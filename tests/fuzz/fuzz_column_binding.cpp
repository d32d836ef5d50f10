// Column binding and `--map` files: the input is a CSV header (read by the CSV reader as
// the command line does), a 0x01 byte, then the map file. The first byte picks one of the
// shipped instruments. Every binding is checked for indices inside the header.
#include "fuzz_common.hpp"
#include "io/column_binding.hpp"
#include "io/csv_reader.hpp"

#include <reinscore/instrument.hpp>

#include <map>
#include <memory>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const reinscore::Instrument instruments[] = {
      reinscore::Instrument::load(fuzz::data_dir() + "/instruments/iom-rss.json"),
      reinscore::Instrument::load(fuzz::data_dir() + "/instruments/community.json"),
      reinscore::Instrument::load(fuzz::data_dir() + "/instruments/structural-gcm21.json")};
  fuzz::Input in(data, size);
  const auto& ins = instruments[in.byte() % std::size(instruments)];
  const auto rest = in.rest();
  const auto cut = rest.find('\x01');
  const auto header_text = rest.substr(0, cut);
  const auto map_text = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
  const std::string map_path = fuzz::write_temp("map.csv", map_text);
  fuzz::guard([&] {
    auto reader = reinscore::io::make_csv_reader(
        std::make_unique<std::istringstream>(std::string(header_text)), "fuzz.csv",
        header_text.size(), {});
    const auto map = cut == std::string_view::npos ? std::map<std::string, std::string>{}
                                                   : reinscore::io::load_column_map(map_path);
    const auto b = reinscore::io::bind_columns(ins, reader->header(), map);
    if (b.item_column.size() != ins.items.size()) __builtin_trap();
    std::size_t matched = 0;
    for (std::size_t k = 0; k < ins.items.size(); ++k) {
      if (b.item_column[k] != reinscore::io::ColumnBinding::none) {
        if (b.item_column[k] >= b.header.size()) __builtin_trap();
        ++matched;
      }
      (void)b.column_name(ins, k);
    }
    if (matched != b.matched) __builtin_trap();
    for (const auto& h : b.header) (void)b.find(h);
  });
  fuzz::TempDir::clear();
  return 0;
}
