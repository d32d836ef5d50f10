// CSV reader on any bytes: buffer size, delimiter and batch size come from the first
// three bytes, the rest is the file. Every batch is read and every field touched.
#include "fuzz_common.hpp"
#include "io/csv_reader.hpp"

#include <memory>
#include <sstream>

namespace {

std::size_t buffer_size(std::uint8_t b) {
  // Small sizes exercise records and fields that straddle blocks; a few larger ones cover
  // the 64-byte SIMD blocks and the default.
  static constexpr std::size_t larger[] = {63, 64, 65, 127, 128, 129, 4096, std::size_t{1} << 20};
  return b < 248 ? static_cast<std::size_t>(b % 32) + 1 : larger[b - 248];
}

char delimiter(std::uint8_t b) {
  if (b < 64) return 0;  // detect
  if (b < 128) return ',';
  if (b < 160) return ';';
  if (b < 192) return '\t';
  return static_cast<char>(b);  // anything the command line would pass on
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  reinscore::io::OpenOptions opts;
  opts.buffer_bytes = buffer_size(in.byte());
  opts.delimiter = delimiter(in.byte());
  const std::size_t max_rows = in.byte() % 64 + 1;
  const auto text = in.rest();
  fuzz::guard([&] {
    auto reader = reinscore::io::make_csv_reader(
        std::make_unique<std::istringstream>(std::string(text)), "fuzz.csv", text.size(), opts);
    std::size_t bytes = 0;
    for (const auto& h : reader->header()) bytes += h.size();
    reinscore::io::RecordBatch batch;
    while (reader->next(batch, max_rows)) {
      if (batch.rows() > max_rows || batch.offsets.size() != batch.rows() + 1 ||
          batch.flags.size() != batch.rows())
        __builtin_trap();                // a broken batch is a finding, not an input error
      for (const auto f : batch.fields)  // every byte, so ASan checks every view
        for (const char c : f) bytes += static_cast<unsigned char>(c);
    }
    if (reader->bytes_read() > text.size()) __builtin_trap();
    (void)bytes;
  });
  return 0;
}
