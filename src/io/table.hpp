// Streaming tabular input shared by the CSV and XLSX readers: batches of records whose
// fields are string views into storage the batch owns, so a batch can be handed to a
// worker thread while the reader fills the next one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace reinscore::io {

/// Row flags set by readers; a flagged row is still delivered (never dropped).
enum RowFlag : std::uint8_t {
  row_ok = 0,
  row_invalid_utf8 = 1,  ///< at least one field is not valid UTF-8
};

struct RecordBatch {
  std::string storage;                   ///< bytes the field views point into
  std::vector<std::string_view> fields;  ///< all fields, row after row
  std::vector<std::size_t> offsets;      ///< row r is fields[offsets[r], offsets[r+1])
  std::vector<std::uint64_t> record;     ///< spreadsheet row number (header = 1)
  std::vector<std::uint8_t> flags;       ///< RowFlag bits per row

  std::size_t rows() const noexcept { return record.size(); }
  bool in_storage(std::string_view f) const noexcept {
    const auto b = reinterpret_cast<std::uintptr_t>(storage.data());
    const auto p = reinterpret_cast<std::uintptr_t>(f.data());
    return p >= b && p <= b + storage.size();
  }
  std::span<const std::string_view> row(std::size_t r) const noexcept {
    return {fields.data() + offsets[r], offsets[r + 1] - offsets[r]};
  }
  /// Bytes of padding pad() appends after the fields' bytes.
  static constexpr std::size_t padding = 16;

  /// Appends `padding` zero bytes to the storage, so that a field can be read 16 bytes at
  /// a time (ItemCoder::code_padded). Readers call it once a batch is complete; the field
  /// views stay valid.
  void pad() {
    if (storage.capacity() - storage.size() < padding) {
      std::string grown;
      grown.reserve(storage.size() + padding);
      grown.append(storage);
      for (auto& f : fields)
        if (in_storage(f)) f = {grown.data() + (f.data() - storage.data()), f.size()};
      storage.swap(grown);
    }
    storage.append(padding, '\0');
  }
  /// True when `f` lies in the storage with at least `padding` readable bytes after it.
  bool padded(std::string_view f) const noexcept {
    const auto b = reinterpret_cast<std::uintptr_t>(storage.data());
    const auto p = reinterpret_cast<std::uintptr_t>(f.data());
    return p >= b && p + f.size() + padding <= b + storage.size();
  }

  void clear() {
    storage.clear();
    fields.clear();
    offsets.assign(1, 0);
    record.clear();
    flags.clear();
  }
};

struct OpenOptions {
  char delimiter = 0;  ///< 0: detect among ',', ';' and tab from the header line
  std::string sheet;   ///< XLSX: sheet name; empty for the first sheet
  std::size_t buffer_bytes = std::size_t{1} << 20;
};

/// A source of records. `header()` is read on open. Throws reinscore::input_error for
/// file-level problems (unreadable, empty, unterminated quote...).
class TableReader {
 public:
  virtual ~TableReader() = default;
  virtual const std::vector<std::string>& header() const = 0;
  /// Fills `out` (cleared first) with up to max_rows records; false when none are left.
  virtual bool next(RecordBatch& out, std::size_t max_rows) = 0;
  virtual std::uint64_t bytes_read() const = 0;
  virtual std::uint64_t bytes_total() const = 0;  ///< 0 when unknown (stdin)
  virtual char delimiter() const { return 0; }
};

/// Strict UTF-8 check (no overlong forms, surrogates or code points above U+10FFFF).
bool is_valid_utf8(std::string_view s) noexcept;

/// Opens a CSV/TSV file, "-" for standard input, or an .xlsx workbook (by extension).
std::unique_ptr<TableReader> open_table(const std::string& path, const OpenOptions& opts = {});

}  // namespace reinscore::io
