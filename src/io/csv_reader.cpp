// Streaming RFC 4180 tokenizer. The input is read block by block into a reader-owned buffer;
// complete records are parsed in place (fields are recorded as byte ranges of the buffer) and
// copied into the batch storage in one memcpy per parsed span, then the few fields with doubled
// quotes are collapsed in place. A record cut by the end of a block is carried to the front of
// the buffer and parsed again once more bytes have been read.
#include "io/csv_reader.hpp"

#include <reinscore/error.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#endif

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <emmintrin.h>
#define REINSCORE_CSV_SSE2 1
#endif

namespace reinscore::io {
namespace {

std::string os_message(int err) { return std::error_code(err, std::generic_category()).message(); }

// ---------------------------------------------------------------------------------------------
// Byte sources

class Source {
 public:
  virtual ~Source() = default;
  /// Reads up to n bytes; returns fewer only at the end of the input. Throws on read errors.
  virtual std::size_t read(char* dst, std::size_t n) = 0;
};

class FileSource final : public Source {
 public:
  FileSource(std::FILE* f, std::string name, bool owned)
      : f_(f), name_(std::move(name)), owned_(owned) {}
  ~FileSource() override {
    if (owned_) std::fclose(f_);
  }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  std::size_t read(char* dst, std::size_t n) override {
    errno = 0;
    const std::size_t got = std::fread(dst, 1, n, f_);
    if (got < n && std::ferror(f_)) {
      const int err = errno;
      throw input_error("unreadable_file", "cannot read '" + name_ +
                                               "': " + (err != 0 ? os_message(err) : "read error"));
    }
    return got;
  }

 private:
  std::FILE* f_;
  std::string name_;
  bool owned_;
};

class StreamSource final : public Source {
 public:
  StreamSource(std::unique_ptr<std::istream> in, std::string name)
      : in_(std::move(in)), name_(std::move(name)) {}

  std::size_t read(char* dst, std::size_t n) override {
    if (!in_->good()) {
      if (in_->bad()) throw input_error("unreadable_file", "cannot read '" + name_ + "'");
      return 0;
    }
    in_->read(dst, static_cast<std::streamsize>(n));
    if (in_->bad()) throw input_error("unreadable_file", "cannot read '" + name_ + "'");
    return static_cast<std::size_t>(in_->gcount());
  }

 private:
  std::unique_ptr<std::istream> in_;
  std::string name_;
};

// ---------------------------------------------------------------------------------------------
// UTF-8

bool is_ascii(const char* p, std::size_t n) noexcept {
  std::uint64_t acc = 0;
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    std::uint64_t w[4];
    std::memcpy(w, p + i, 32);
    acc |= w[0] | w[1] | w[2] | w[3];
  }
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc |= w;
  }
  for (; i < n; ++i) acc |= static_cast<unsigned char>(p[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

bool is_cont(unsigned char c) noexcept { return (c & 0xC0U) == 0x80U; }

/// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool valid_utf8(const char* data, std::size_t n) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(data);
  std::size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, s + i, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned c = s[i];
    if (c < 0x80U) {
      ++i;
    } else if (c < 0xC2U) {
      return false;
    } else if (c < 0xE0U) {
      if (i + 2 > n || !is_cont(s[i + 1])) return false;
      i += 2;
    } else if (c < 0xF0U) {
      if (i + 3 > n || !is_cont(s[i + 1]) || !is_cont(s[i + 2])) return false;
      if (c == 0xE0U && s[i + 1] < 0xA0U) return false;   // overlong
      if (c == 0xEDU && s[i + 1] >= 0xA0U) return false;  // surrogate
      i += 3;
    } else if (c < 0xF5U) {
      if (i + 4 > n || !is_cont(s[i + 1]) || !is_cont(s[i + 2]) || !is_cont(s[i + 3])) {
        return false;
      }
      if (c == 0xF0U && s[i + 1] < 0x90U) return false;   // overlong
      if (c == 0xF4U && s[i + 1] >= 0x90U) return false;  // above U+10FFFF
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

/// Bytes readable past the end of the data: the sentinel plus room for one 64-byte block.
constexpr std::size_t kPadding = 80;

#ifdef REINSCORE_CSV_SSE2
/// Finds the first delimiter, quote, CR or LF at or after p. The caller guarantees one
/// exists within the buffer (the sentinel) and that kPadding bytes past it are readable.
/// It classifies 64 bytes at a time into a bit mask and keeps it: the next field's end is
/// then one bit scan away, instead of a fresh vector load and compare per field, whose
/// latency chain (load, compare, mask, count) was most of the parsing time. A scanner is
/// used for one record in one buffer, so the mask never outlives the bytes it describes.
class SpecialScanner {
 public:
  explicit SpecialScanner(char delim) noexcept
      : d_(_mm_set1_epi8(delim)),
        q_(_mm_set1_epi8('"')),
        n_(_mm_set1_epi8('\n')),
        r_(_mm_set1_epi8('\r')) {}

  const char* find(const char* p) noexcept {
    const auto at = reinterpret_cast<std::uintptr_t>(p);
    const auto base = reinterpret_cast<std::uintptr_t>(base_);
    if (base_ != nullptr && at >= base && at - base < 64) {
      const std::uint64_t rest = bits_ & (~std::uint64_t{0} << (at - base));
      if (rest != 0) return base_ + std::countr_zero(rest);
      p = base_ + 64;
    }
    for (;;) {
      base_ = p;
      bits_ = block(p);
      if (bits_ != 0) return p + std::countr_zero(bits_);
      p += 64;
    }
  }

 private:
  std::uint64_t lane(const char* p) const noexcept {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, d_), _mm_cmpeq_epi8(x, q_)),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, n_), _mm_cmpeq_epi8(x, r_)));
    return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(m)));
  }
  std::uint64_t block(const char* p) const noexcept {
    return lane(p) | (lane(p + 16) << 16) | (lane(p + 32) << 32) | (lane(p + 48) << 48);
  }

  __m128i d_, q_, n_, r_;
  const char* base_ = nullptr;  ///< start of the classified block
  std::uint64_t bits_ = 0;      ///< bit i: base_[i] is special
};
#else
/// Portable version of the scanner above, 8 bytes at a time.
class SpecialScanner {
 public:
  explicit SpecialScanner(char delim) noexcept : d_(kOnes * static_cast<unsigned char>(delim)) {}

  const char* find(const char* p) const noexcept {
    for (;;) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      const std::uint64_t m = zero_bytes(w ^ d_) | zero_bytes(w ^ (kOnes * '"')) |
                              zero_bytes(w ^ (kOnes * '\n')) | zero_bytes(w ^ (kOnes * '\r'));
      if (m != 0) {
        if constexpr (std::endian::native == std::endian::little) {
          return p + std::countr_zero(m) / 8;
        } else {
          return p + std::countl_zero(m) / 8;
        }
      }
      p += 8;
    }
  }

 private:
  static constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  static constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  /// 0x80 in exactly the bytes of x that are zero.
  static std::uint64_t zero_bytes(std::uint64_t x) noexcept {
    return ~(((x & kLow7) + kLow7) | x | kLow7);
  }
  std::uint64_t d_;
};
#endif

std::string trim_spaces(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

// ---------------------------------------------------------------------------------------------
// The reader

class CsvReader final : public TableReader {
 public:
  CsvReader(std::unique_ptr<Source> src, std::uint64_t total, const OpenOptions& opts)
      : src_(std::move(src)),
        total_(total),
        cap_(std::max<std::size_t>(opts.buffer_bytes, 1)),
        buf_(std::make_unique<char[]>(cap_ + kPadding)),
        limits_(opts.limits) {
    const char d = opts.delimiter;
    if (d == '"' || d == '\n' || d == '\r') {
      throw std::invalid_argument("the CSV delimiter cannot be a quote or a line break");
    }
    read_header(d);
  }

  const std::vector<std::string>& header() const override { return header_; }
  bool next(RecordBatch& out, std::size_t max_rows) override;
  std::uint64_t bytes_read() const override { return buf_offset_ + pos_; }
  std::uint64_t bytes_total() const override { return total_; }
  char delimiter() const override { return delim_; }

 private:
  enum class Step { record, more };

  bool fill();
  void read_header(char requested);
  char detect_delimiter();
  Step parse_record(std::vector<std::string_view>& fields);
  void flush(RecordBatch& out);
  void check_field_sizes(const RecordBatch& out) const;
  [[noreturn]] void fail(const char* rule, const std::string& what, std::size_t field) const;

  std::unique_ptr<Source> src_;
  std::uint64_t total_;
  std::size_t cap_;              ///< usable buffer size; kPadding more bytes follow it
  std::unique_ptr<char[]> buf_;  ///< [pos_, end_) holds unparsed bytes
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::uint64_t buf_offset_ = 0;  ///< offset in the input of buf_[0]
  bool eof_ = false;
  Limits limits_;

  char delim_ = ',';
  std::vector<std::string> header_;
  std::uint64_t next_row_ = 1;  ///< spreadsheet row number of the next record

  // Records parsed since the last flush: their fields are the batch's fields from
  // pend_field_ on, still viewing buf_ (bytes [span_start_, pos_)) until flush() copies them.
  std::size_t span_start_ = 0;
  std::size_t pend_field_ = 0;
  std::vector<std::size_t> pend_escaped_;  ///< batch field indices with doubled quotes
  std::vector<std::size_t> pend_records_;  ///< offset in buf_ where each record starts
};

/// Moves the unparsed tail to the front of the buffer, grows the buffer when the tail fills
/// more than half of it, and reads. Only called with nothing pending. False at end of input.
bool CsvReader::fill() {
  if (eof_) return false;
  const std::size_t live = end_ - pos_;
  if (live >= limits_.max_record_bytes) {
    fail("record_too_large",
         "a single record is " + limit_text(limits_.max_record_bytes) +
             " or longer (the limit); a quoted field is probably never closed",
         static_cast<std::size_t>(-1));
  }
  if (cap_ - live < cap_ / 2 || cap_ == live) {
    const std::size_t new_cap = std::max(cap_ * 2, live * 2);
    auto grown = std::make_unique<char[]>(new_cap + kPadding);
    std::memcpy(grown.get(), buf_.get() + pos_, live);
    buf_ = std::move(grown);
    cap_ = new_cap;
  } else if (pos_ != 0) {
    std::memmove(buf_.get(), buf_.get() + pos_, live);
  }
  buf_offset_ += pos_;
  pos_ = 0;
  span_start_ = 0;
  end_ = live;
  const std::size_t want = cap_ - end_;
  const std::size_t got = src_->read(buf_.get() + end_, want);
  if (got < want) eof_ = true;
  end_ += got;
  buf_[end_] = '\n';  // sentinel: stops the unquoted-field scan without a bounds check
  return got > 0;
}

void CsvReader::fail(const char* rule, const std::string& what, std::size_t field) const {
  std::string column;
  std::string message = what;
  if (field != static_cast<std::size_t>(-1)) {
    if (field < header_.size() && !header_[field].empty()) {
      column = header_[field];
    } else {
      message += " (field " + std::to_string(field + 1) + ")";
    }
  }
  throw input_error(rule, message, static_cast<std::size_t>(next_row_), std::move(column));
}

void CsvReader::read_header(char requested) {
  while (end_ - pos_ < 3 && fill()) {
  }
  if (end_ - pos_ >= 3 && std::memcmp(buf_.get() + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
  while (pos_ == end_ && fill()) {
  }
  if (pos_ == end_) throw input_error("empty_file", "the file is empty");

  delim_ = requested != 0 ? requested : detect_delimiter();

  RecordBatch first;
  next(first, 1);  // the data is not empty, so there is a first record
  if (first.flags[0] & row_invalid_utf8) {
    throw input_error("invalid_utf8", "the header is not valid UTF-8", 1);
  }
  header_.reserve(first.fields.size());
  for (const auto f : first.fields) header_.push_back(trim_spaces(f));
  if (header_.size() == 1 && header_[0].empty()) {
    while (pos_ == end_ && fill()) {
    }
    if (pos_ == end_) throw input_error("empty_file", "the file is empty");
    throw input_error("empty_header", "the first line (the header) is blank", 1);
  }
}

/// Counts ',', ';' and tab outside quotes on the first line (which may span several blocks).
char CsvReader::detect_delimiter() {
  std::size_t comma = 0, semicolon = 0, tab = 0;
  bool quoted = false;
  std::size_t scan = pos_;
  for (;;) {
    for (; scan < end_; ++scan) {
      const char c = buf_[scan];
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted) {
        if (c == '\n' || c == '\r') goto done;
        comma += c == ',';
        semicolon += c == ';';
        tab += c == '\t';
      }
    }
    const std::size_t seen = scan - pos_;
    if (!fill()) break;
    scan = pos_ + seen;
  }
done:
  if (semicolon > comma && semicolon >= tab) return ';';
  if (tab > comma && tab > semicolon) return '\t';
  return ',';
}

/// Parses one record starting at pos_. On success its fields (views into buf_) are appended
/// to `fields`, and pos_ moves past its line break. Returns Step::more (and leaves no trace)
/// when the buffer ends before the record does and more input may follow.
CsvReader::Step CsvReader::parse_record(std::vector<std::string_view>& fields) {
  const char* const base = buf_.get();
  const char* const e = base + end_;
  const char* p = base + pos_;
  const std::size_t first_field = fields.size();
  const std::size_t first_escaped = pend_escaped_.size();
  // Checked at each delimiter, before the field vector grows: a line of commas must not
  // turn into millions of field views before the record ends.
  const std::size_t field_cap = first_field + limits_.max_columns;
  const auto too_many_fields = [&] {
    fail("too_many_columns",
         "a record has more than " + std::to_string(limits_.max_columns) + " fields (the limit)",
         static_cast<std::size_t>(-1));
  };
  const char d = delim_;
  SpecialScanner scanner(d);

  const auto more = [&] {
    fields.resize(first_field);
    pend_escaped_.resize(first_escaped);
    return Step::more;
  };
  const auto finish = [&](const char* next) {
    pend_records_.push_back(pos_);
    pos_ = static_cast<std::size_t>(next - base);
    return Step::record;
  };
  const auto push = [&](const char* b, const char* f) {
    fields.emplace_back(b, static_cast<std::size_t>(f - b));
  };

  for (;;) {
    if (p == e) {  // end of the data where a field starts
      if (!eof_) return more();
      push(p, p);
      return finish(p);
    }
    if (*p == '"') {
      const char* const fb = ++p;
      bool escaped = false;
      for (;;) {
        const auto* q =
            static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(e - p)));
        if (q == nullptr) {
          if (!eof_) return more();
          fail("unterminated_quote", "quoted field opened in this row is never closed",
               fields.size() - first_field);
        }
        if (q + 1 == e && !eof_) return more();
        if (q + 1 != e && q[1] == '"') {
          escaped = true;
          p = q + 2;
          continue;
        }
        if (escaped) pend_escaped_.push_back(fields.size());
        push(fb, q);
        p = q + 1;
        break;
      }
      if (p == e) return finish(p);  // closing quote at end of input
      const char c = *p;
      if (c == d) {
        if (fields.size() >= field_cap) too_many_fields();
        ++p;
        continue;
      }
      if (c == '\n') return finish(p + 1);
      if (c == '\r') {
        if (p + 1 == e) return eof_ ? finish(e) : more();
        return finish(p[1] == '\n' ? p + 2 : p + 1);
      }
      fail("bad_quote", "text after the closing quote of a quoted field",
           fields.size() - first_field - 1);
    }
    const char* const fb = p;
    p = scanner.find(p);  // the sentinel at e stops the scan
    if (p == e) {
      if (!eof_) return more();
      push(fb, p);
      return finish(p);
    }
    const char c = *p;
    if (c == '"') {
      fail("bad_quote", "quote character inside an unquoted field", fields.size() - first_field);
    }
    push(fb, p);
    if (c == d) {
      if (fields.size() >= field_cap) too_many_fields();
      ++p;
      continue;
    }
    if (c == '\n') return finish(p + 1);
    // c == '\r'
    if (p + 1 == e) return eof_ ? finish(e) : more();
    return finish(p[1] == '\n' ? p + 2 : p + 1);
  }
}

/// Copies the records parsed since the last flush into the batch storage and points their
/// fields there.
void CsvReader::flush(RecordBatch& out) {
  auto& fields = out.fields;
  if (pend_records_.empty()) {
    span_start_ = pos_;
    return;
  }
  const char* const src = buf_.get() + span_start_;
  const std::size_t n = pos_ - span_start_;
  std::string& storage = out.storage;
  if (storage.capacity() - storage.size() < n) {
    // Growing the storage moves it: rebase the fields flushed earlier in this batch.
    std::string grown;
    grown.reserve(std::max(storage.capacity() * 2, storage.size() + n));
    grown.append(storage);
    for (std::size_t i = 0; i < pend_field_; ++i) {
      fields[i] = {grown.data() + (fields[i].data() - storage.data()), fields[i].size()};
    }
    storage.swap(grown);
  }
  const std::size_t shift = storage.size();
  storage.append(src, n);
  char* const dst = storage.data() + shift;
  for (std::size_t i = pend_field_; i < fields.size(); ++i) {
    fields[i] = {dst + (fields[i].data() - src), fields[i].size()};
  }
  for (const std::size_t i : pend_escaped_) {  // collapse doubled quotes in place
    char* const f = storage.data() + (fields[i].data() - storage.data());
    const std::size_t len = fields[i].size();
    std::size_t w = 0;
    for (std::size_t k = 0; k < len; ++k) {
      f[w++] = f[k];
      if (f[k] == '"') ++k;
    }
    fields[i] = {f, w};
  }

  if (!is_ascii(src, n)) {
    const std::size_t first_row = out.flags.size() - pend_records_.size();
    for (std::size_t r = 0; r < pend_records_.size(); ++r) {
      const std::size_t b = pend_records_[r];
      const std::size_t f = r + 1 < pend_records_.size() ? pend_records_[r + 1] : pos_;
      if (!valid_utf8(buf_.get() + b, f - b)) out.flags[first_row + r] |= row_invalid_utf8;
    }
  }
  pend_field_ = fields.size();
  pend_escaped_.clear();
  pend_records_.clear();
  span_start_ = pos_;
}

/// Throws field_too_large for the first field of the last parsed record that is over the
/// limit (sizes as written, before doubled quotes collapse).
void CsvReader::check_field_sizes(const RecordBatch& out) const {
  const std::size_t first = out.offsets.back();
  for (std::size_t i = first; i < out.fields.size(); ++i) {
    if (out.fields[i].size() > limits_.max_field_bytes) {
      fail("field_too_large",
           "a field is larger than " + limit_text(limits_.max_field_bytes) + " (the limit)",
           i - first);
    }
  }
}

bool CsvReader::next(RecordBatch& out, std::size_t max_rows) {
  out.clear();
  if (max_rows == 0) max_rows = 1;
  span_start_ = pos_;
  pend_field_ = 0;
  // Checked per record, not per byte: the batch limits bound what a batch holds (the
  // pending records [span_start_, pos_) are copied to the storage by flush()).
  while (out.record.size() < max_rows && out.fields.size() < limits_.max_batch_fields &&
         out.storage.size() + (pos_ - span_start_) < limits_.max_batch_bytes) {
    if (pos_ == end_ || parse_record(out.fields) == Step::more) {
      if (pos_ == end_ && eof_) break;
      flush(out);
      fill();
      continue;
    }
    // A record no longer than the field limit cannot hold a field over it.
    if (pos_ - pend_records_.back() > limits_.max_field_bytes) check_field_sizes(out);
    out.offsets.push_back(out.fields.size());
    out.record.push_back(next_row_++);
    out.flags.push_back(row_ok);
  }
  flush(out);
  out.pad();
  return !out.record.empty();
}

}  // namespace

std::unique_ptr<TableReader> make_csv_reader(const std::string& path, const OpenOptions& opts) {
  if (path == "-") {
#ifdef _WIN32
    _setmode(_fileno(stdin), _O_BINARY);
#endif
    return std::make_unique<CsvReader>(std::make_unique<FileSource>(stdin, "standard input", false),
                                       0, opts);
  }
  errno = 0;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int err = errno;
    throw input_error("unreadable_file", "cannot open '" + path +
                                             "': " + (err != 0 ? os_message(err) : "open failed"));
  }
  auto source = std::make_unique<FileSource>(f, path, true);
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  return std::make_unique<CsvReader>(std::move(source), ec ? 0 : std::uint64_t{size}, opts);
}

std::unique_ptr<TableReader> make_csv_reader(std::unique_ptr<std::istream> in,
                                             std::string source_name, std::uint64_t total_bytes,
                                             const OpenOptions& opts) {
  if (!in) throw std::invalid_argument("make_csv_reader: null stream");
  return std::make_unique<CsvReader>(
      std::make_unique<StreamSource>(std::move(in), std::move(source_name)), total_bytes, opts);
}

bool is_valid_utf8(std::string_view s) noexcept { return valid_utf8(s.data(), s.size()); }

}  // namespace reinscore::io
