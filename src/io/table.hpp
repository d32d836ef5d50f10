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

/// Limits on untrusted input: whatever the bytes, a reader holds no more than these in
/// memory and stops with reinscore::input_error (rule in brackets, row and column when
/// known; the CLI exits 2) instead of growing. docs/cli.md ("Limits") lists them for users.
/// Tests and fuzzers lower them; the defaults are far above any real export.
struct Limits {
  /// [field_too_large] One CSV field, XLSX cell or shared string, in bytes (Excel itself
  /// stops at 32,767 characters).
  std::size_t max_field_bytes = std::size_t{1} << 20;
  /// [record_too_large] One CSV record or XLSX row, in bytes; also one XML token (a start
  /// tag, a comment) of a workbook part.
  std::size_t max_record_bytes = std::size_t{64} << 20;
  /// [too_many_columns] Fields of a CSV record (header included) and the column of an
  /// XLSX cell (Excel's last column, XFD, is 16,384).
  std::size_t max_columns = 16384;
  /// [too_many_rows] XLSX row number (Excel's last row). Absent rows below it are
  /// delivered, so a row number is never allowed to run on without bound.
  std::uint64_t max_sheet_rows = 1048576;
  /// [too_many_shared_strings] Entries of an XLSX shared-strings table (held in memory).
  std::size_t max_shared_strings = std::size_t{1} << 24;
  /// [shared_strings_too_large] Total text of the shared-strings table, in bytes.
  std::uint64_t max_shared_string_bytes = std::uint64_t{256} << 20;
  /// [decompressed_too_large] Bytes inflated from an XLSX archive (all parts read): at
  /// most max(ratio x file size, min) and never more than max. Checked against the sizes
  /// the zip directory declares and counted while inflating (the directory can lie).
  std::uint64_t max_decompressed_ratio = 100;
  std::uint64_t min_decompressed_bytes = std::uint64_t{16} << 20;
  std::uint64_t max_decompressed_bytes = std::uint64_t{8} << 30;
  /// Not errors: a batch ends early (next() returns fewer rows than asked) once it holds
  /// this many fields or bytes, so the rows asked for never multiply a wide row's size.
  std::size_t max_batch_fields = std::size_t{1} << 22;
  std::size_t max_batch_bytes = std::size_t{64} << 20;
};

/// A limit in bytes as messages give it: "8 GiB", "1 MiB" or "1000 bytes".
inline std::string limit_text(std::uint64_t n) {
  constexpr std::uint64_t mib = std::uint64_t{1} << 20, gib = std::uint64_t{1} << 30;
  if (n >= gib && n % gib == 0) return std::to_string(n / gib) + " GiB";
  if (n >= mib && n % mib == 0) return std::to_string(n / mib) + " MiB";
  return std::to_string(n) + " bytes";
}

struct OpenOptions {
  char delimiter = 0;  ///< 0: detect among ',', ';' and tab from the header line
  std::string sheet;   ///< XLSX: sheet name; empty for the first sheet
  std::size_t buffer_bytes = std::size_t{1} << 20;
  Limits limits;
};

/// A source of records. `header()` is read on open. Throws reinscore::input_error for
/// file-level problems (unreadable, empty, unterminated quote...).
class TableReader {
 public:
  virtual ~TableReader() = default;
  virtual const std::vector<std::string>& header() const = 0;
  /// Fills `out` (cleared first) with up to max_rows records (fewer when the batch reaches
  /// Limits::max_batch_fields or max_batch_bytes); false when none are left.
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
