// XLSX worksheet reader: libzip for the archive, expat (SAX, namespace aware) for the XML.
// The worksheet is fed to expat in blocks read straight from the zip entry; the parser is
// suspended (XML_StopParser resumable) whenever a batch is full or a row must wait, and
// resumed on the next call, so no more than one block and one batch are held at a time.
// See xlsx_reader.hpp for what is delivered.
#include "io/xlsx_reader.hpp"

#include <reinscore/error.hpp>

#include <expat.h>
#include <zip.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace reinscore::io {
namespace {

constexpr XML_Char kNsSep = '|';
constexpr std::size_t kMinBlock = 4096;
constexpr std::size_t kMaxBlock = std::size_t{16} << 20;

// --- small helpers -----------------------------------------------------------------------

std::string_view local_name(std::string_view qualified) {
  const auto p = qualified.rfind(kNsSep);
  return p == std::string_view::npos ? qualified : qualified.substr(p + 1);
}

/// Value of the attribute with local name `local`; `qualified` selects a namespaced
/// attribute (r:id) rather than a plain one.
const XML_Char* find_attr(const XML_Char** atts, std::string_view local, bool qualified = false) {
  for (; *atts != nullptr; atts += 2) {
    const std::string_view name(atts[0]);
    const bool has_ns = name.find(kNsSep) != std::string_view::npos;
    if (has_ns == qualified && local_name(name) == local) return atts[1];
  }
  return nullptr;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_ascii(std::string_view s) {
  constexpr std::string_view ws = " \t\r\n";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Decodes the OOXML string escapes `_xHHHH_` (used for control characters, and
/// `_x005F_` for a literal underscore) in place. Surrogate code points stay literal.
void decode_ooxml_escapes(std::string& s) {
  auto pos = s.find("_x");
  if (pos == std::string::npos) return;
  std::string out(s, 0, pos);
  while (pos < s.size()) {
    bool decoded = false;
    if (pos + 7 <= s.size() && s[pos] == '_' && s[pos + 1] == 'x' && s[pos + 6] == '_') {
      std::uint32_t cp = 0;
      bool ok = true;
      for (std::size_t k = 2; k < 6; ++k) {
        const int d = hex_digit(s[pos + k]);
        if (d < 0) ok = false;
        cp = (cp << 4) | static_cast<std::uint32_t>(d < 0 ? 0 : d);
      }
      if (ok && (cp < 0xD800 || cp > 0xDFFF)) {
        append_utf8(out, cp);
        pos += 7;
        decoded = true;
      }
    }
    if (!decoded) out += s[pos++];
  }
  s = std::move(out);
}

/// Parses the column letters of a cell reference such as "C5" (0-based column); nullopt
/// when malformed. A column beyond `limit` (0-based) comes back as `limit`: the letters
/// are not summed further, so no length of reference can overflow.
std::optional<std::size_t> column_of(std::string_view ref, std::size_t limit) {
  std::size_t col = 0;
  std::size_t i = 0;
  for (; i < ref.size(); ++i) {
    char c = ref[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    if (col <= limit) col = col * 26 + static_cast<std::size_t>(c - 'A' + 1);
  }
  if (col > limit) col = limit + 1;
  if (i == 0) return std::nullopt;
  for (std::size_t k = i; k < ref.size(); ++k) {
    if (ref[k] < '0' || ref[k] > '9') return std::nullopt;
  }
  return col - 1;
}

/// Column letters of a 0-based column ("A", "XFD"), for messages.
std::string column_letters(std::size_t col) {
  std::string out;
  for (std::size_t n = col + 1; n > 0; n = (n - 1) / 26) {
    out.insert(out.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return out;
}

std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) {
  s = trim_ascii(s);
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > max) return std::nullopt;
  }
  return v;
}

/// Resolves a relationship target against the directory of the part that owns it. The
/// result is always a name inside the archive: ".." never climbs above its root and an
/// absolute target ("/etc/passwd") is taken from the root of the archive, never of the
/// file system (parts are only ever read from the zip, by name).
std::string resolve_target(std::string_view base_dir, std::string_view target) {
  std::string joined = (!target.empty() && target.front() == '/')
                           ? std::string(target.substr(1))
                           : std::string(base_dir) + std::string(target);
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= joined.size()) {
    auto slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    std::string seg = joined.substr(start, slash - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(std::move(seg));
    }
    start = slash + 1;
  }
  std::string out;
  for (const auto& seg : segments) {
    if (!out.empty()) out += '/';
    out += seg;
  }
  return out;
}

std::string dir_of(std::string_view part) {
  const auto slash = part.rfind('/');
  return slash == std::string_view::npos ? std::string{} : std::string(part.substr(0, slash + 1));
}

std::string rels_part_of(std::string_view part) {
  const auto slash = part.rfind('/');
  const auto base = slash == std::string_view::npos ? part : part.substr(slash + 1);
  return dir_of(part) + "_rels/" + std::string(base) + ".rels";
}

// --- errors ------------------------------------------------------------------------------

[[noreturn]] void throw_unreadable(const std::string& path, const std::string& why) {
  throw input_error("unreadable_xlsx", "'" + path + "' is not a readable XLSX workbook: " + why);
}

[[noreturn]] void throw_xml_error(XML_Parser parser, const std::string& part, std::size_t row) {
  throw input_error("malformed_xlsx",
                    "malformed XML in workbook part '" + part + "' at line " +
                        std::to_string(XML_GetCurrentLineNumber(parser)) + ", column " +
                        std::to_string(XML_GetCurrentColumnNumber(parser)) + " (" +
                        XML_ErrorString(XML_GetErrorCode(parser)) + ")",
                    row);
}

// --- RAII --------------------------------------------------------------------------------

struct ZipDiscard {
  void operator()(zip_t* z) const noexcept { zip_discard(z); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const noexcept { zip_fclose(f); }
};
struct ParserFree {
  void operator()(XML_Parser p) const noexcept { XML_ParserFree(p); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipDiscard>;
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileClose>;
using ParserPtr = std::unique_ptr<XML_ParserStruct, ParserFree>;

// --- SAX plumbing ------------------------------------------------------------------------

/// Routes expat callbacks to virtual members. Exceptions never cross expat (C code):
/// they are stored, the parser is aborted, and the driver rethrows them.
class SaxHandler {
 public:
  SaxHandler() = default;
  SaxHandler(const SaxHandler&) = delete;
  SaxHandler& operator=(const SaxHandler&) = delete;
  virtual ~SaxHandler() = default;

  ParserPtr make_parser(std::string part) {
    ParserPtr p(XML_ParserCreateNS(nullptr, kNsSep));
    if (!p) throw std::bad_alloc();
    parser_ = p.get();
    part_ = std::move(part);
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &on_start, &on_end);
    XML_SetCharacterDataHandler(parser_, &on_text);
    XML_SetStartDoctypeDeclHandler(parser_, &on_doctype);
    return p;
  }
  void rethrow_if_failed() {
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }
  const std::string& part() const noexcept { return part_; }

  /// Called after a block of `n` bytes was parsed: expat holds a whole token (start tag,
  /// comment...) in memory, so the bytes of blocks that produce no callback at all are
  /// bounded (a token can thus reach `limit` plus one block).
  void check_token_size(std::uint64_t n, std::size_t limit, std::size_t row) {
    if (events_ != events_seen_) {
      events_seen_ = events_;
      quiet_bytes_ = 0;
      return;
    }
    quiet_bytes_ += n;
    if (quiet_bytes_ > limit) {
      throw input_error("record_too_large",
                        "workbook part '" + part_ + "' has a single XML token of more than " +
                            limit_text(limit) + " (the limit)",
                        row);
    }
  }

 protected:
  virtual void start(std::string_view name, const XML_Char** atts) = 0;
  virtual void end(std::string_view name) = 0;
  virtual void text(std::string_view /*data*/) {}
  /// Row to report with XML errors (0 when not tied to a worksheet row).
  virtual std::size_t error_row() const { return 0; }

  XML_Parser parser_ = nullptr;

 private:
  template <class F>
  static void guarded(void* user, F&& f) {
    auto* self = static_cast<SaxHandler*>(user);
    ++self->events_;
    if (self->error_) return;
    try {
      f(*self);
    } catch (...) {
      self->error_ = std::current_exception();
      XML_StopParser(self->parser_, XML_FALSE);
    }
  }
  static void XMLCALL on_start(void* user, const XML_Char* name, const XML_Char** atts) {
    guarded(user, [&](SaxHandler& h) { h.start(local_name(name), atts); });
  }
  static void XMLCALL on_end(void* user, const XML_Char* name) {
    guarded(user, [&](SaxHandler& h) { h.end(local_name(name)); });
  }
  static void XMLCALL on_text(void* user, const XML_Char* s, int len) {
    guarded(user,
            [&](SaxHandler& h) { h.text(std::string_view(s, static_cast<std::size_t>(len))); });
  }
  static void XMLCALL on_doctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*,
                                 int) {
    guarded(user, [](SaxHandler& h) {
      throw input_error("malformed_xlsx",
                        "workbook part '" + h.part_ +
                            "' has a document type declaration, which XLSX "
                            "does not allow",
                        h.error_row());
    });
  }

  std::string part_;
  std::exception_ptr error_;
  std::uint64_t events_ = 0;       ///< callbacks so far
  std::uint64_t events_seen_ = 0;  ///< events_ when check_token_size last saw progress
  std::uint64_t quiet_bytes_ = 0;  ///< bytes parsed since then
};

/// Bytes that may still be inflated from the archive (Limits, decompressed_too_large).
class InflateBudget {
 public:
  InflateBudget(const Limits& limits, std::uint64_t file_size) : limits_(limits) {
    const std::uint64_t ratio = limits.max_decompressed_ratio;
    const std::uint64_t by_ratio =
        ratio != 0 && file_size > std::numeric_limits<std::uint64_t>::max() / ratio
            ? std::numeric_limits<std::uint64_t>::max()
            : file_size * ratio;
    allowed_ =
        std::min(std::max(by_ratio, limits.min_decompressed_bytes), limits.max_decompressed_bytes);
  }
  /// Before a part is opened: the size the zip directory declares must fit.
  void check_declared(zip_t* zip, zip_uint64_t index, const std::string& part) const {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip, index, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) != 0 &&
        st.size > allowed_ - used_) {
      fail(part);
    }
  }
  /// After n bytes were inflated: the directory can lie, so what arrives is counted too.
  void charge(std::uint64_t n, const std::string& part) {
    used_ += n;
    if (used_ > allowed_) fail(part);
  }

 private:
  [[noreturn]] void fail(const std::string& part) const {
    throw input_error("decompressed_too_large",
                      "workbook part '" + part + "' would take the bytes inflated from the " +
                          "archive past " + limit_text(allowed_) +
                          " (the limit: " + std::to_string(limits_.max_decompressed_ratio) +
                          " times the file size, at least " +
                          limit_text(limits_.min_decompressed_bytes) + ", at most " +
                          limit_text(limits_.max_decompressed_bytes) + "); a zip bomb?");
  }
  Limits limits_;
  std::uint64_t allowed_ = 0;
  std::uint64_t used_ = 0;
};

/// Opens an archive entry by name (exact, then ignoring case); nullopt when absent.
std::optional<zip_uint64_t> locate(zip_t* zip, const std::string& name) {
  zip_int64_t idx = zip_name_locate(zip, name.c_str(), 0);
  if (idx < 0) idx = zip_name_locate(zip, name.c_str(), ZIP_FL_NOCASE);
  if (idx < 0) return std::nullopt;
  return static_cast<zip_uint64_t>(idx);
}

ZipFilePtr open_entry(zip_t* zip, zip_uint64_t index, const std::string& path,
                      const std::string& part, const InflateBudget& budget) {
  budget.check_declared(zip, index, part);
  ZipFilePtr f(zip_fopen_index(zip, index, 0));
  if (!f) {
    throw_unreadable(path, "cannot open part '" + part + "' (" + zip_strerror(zip) + ")");
  }
  return f;
}

/// Parses a whole (small) part through `handler`.
void parse_part(zip_t* zip, zip_uint64_t index, const std::string& path, SaxHandler& handler,
                const std::string& part, InflateBudget& budget, const Limits& limits) {
  ZipFilePtr f = open_entry(zip, index, path, part, budget);
  ParserPtr parser = handler.make_parser(part);
  constexpr int kBlock = 64 * 1024;
  for (;;) {
    void* buf = XML_GetBuffer(parser.get(), kBlock);
    if (buf == nullptr) throw std::bad_alloc();
    const zip_int64_t n = zip_fread(f.get(), buf, kBlock);
    if (n < 0) {
      throw_unreadable(path, "part '" + part + "' is corrupt (" + zip_file_strerror(f.get()) + ")");
    }
    budget.charge(static_cast<std::uint64_t>(n), part);
    const XML_Status st = XML_ParseBuffer(parser.get(), static_cast<int>(n), n == 0);
    handler.rethrow_if_failed();
    if (st != XML_STATUS_OK) throw_xml_error(parser.get(), part, 0);
    handler.check_token_size(static_cast<std::uint64_t>(n), limits.max_record_bytes, 0);
    if (n == 0) break;
  }
}

// --- package parts -----------------------------------------------------------------------

struct Relationship {
  std::string type;
  std::string target;
  bool external = false;
};

class RelsHandler final : public SaxHandler {
 public:
  std::map<std::string, Relationship> rels;

 protected:
  void start(std::string_view name, const XML_Char** atts) override {
    if (name != "Relationship") return;
    const XML_Char* id = find_attr(atts, "Id");
    const XML_Char* type = find_attr(atts, "Type");
    const XML_Char* target = find_attr(atts, "Target");
    const XML_Char* mode = find_attr(atts, "TargetMode");
    if (id == nullptr || target == nullptr) return;
    rels[id] = Relationship{type != nullptr ? type : "", target,
                            mode != nullptr && std::string_view(mode) == "External"};
  }
  void end(std::string_view) override {}
};

struct SheetEntry {
  std::string name;
  std::string rel_id;
};

class WorkbookHandler final : public SaxHandler {
 public:
  std::vector<SheetEntry> sheets;

 protected:
  void start(std::string_view name, const XML_Char** atts) override {
    if (name != "sheet") return;
    const XML_Char* sheet_name = find_attr(atts, "name");
    const XML_Char* rel_id = find_attr(atts, "id", /*qualified=*/true);
    sheets.push_back({sheet_name != nullptr ? sheet_name : "", rel_id != nullptr ? rel_id : ""});
  }
  void end(std::string_view) override {}
};

/// The shared-strings table, one string after another in `data`.
class SharedStringsHandler final : public SaxHandler {
 public:
  Limits limits;
  std::string data;
  std::vector<std::size_t> ends;  ///< string i is data[ends[i-1] or 0, ends[i])

  std::string_view at(std::size_t i) const {
    const std::size_t b = i == 0 ? 0 : ends[i - 1];
    return std::string_view(data).substr(b, ends[i] - b);
  }

 protected:
  void start(std::string_view name, const XML_Char** atts) override {
    if (name == "sst") {
      if (const XML_Char* n = find_attr(atts, "uniqueCount")) {
        const std::uint64_t cap =
            std::min<std::uint64_t>(std::uint64_t{1} << 20, limits.max_shared_strings);
        if (auto count = parse_uint(n, cap)) ends.reserve(static_cast<std::size_t>(*count));
      }
    } else if (name == "si") {
      in_si_ = true;
      current_.clear();
    } else if (name == "rPh") {
      ++phonetic_depth_;
    } else if (name == "t" && in_si_ && phonetic_depth_ == 0) {
      in_t_ = true;
    }
  }
  void end(std::string_view name) override {
    if (name == "si") {
      decode_ooxml_escapes(current_);
      if (ends.size() >= limits.max_shared_strings) {
        throw input_error("too_many_shared_strings", "workbook part '" + part() +
                                                         "' has more than " +
                                                         std::to_string(limits.max_shared_strings) +
                                                         " shared strings (the limit)");
      }
      if (data.size() + current_.size() > limits.max_shared_string_bytes) {
        throw input_error("shared_strings_too_large",
                          "workbook part '" + part() + "' holds more than " +
                              limit_text(limits.max_shared_string_bytes) +
                              " of shared strings (the limit)");
      }
      data += current_;
      ends.push_back(data.size());
      in_si_ = false;
    } else if (name == "rPh") {
      --phonetic_depth_;
    } else if (name == "t") {
      in_t_ = false;
    }
  }
  void text(std::string_view s) override {
    if (!in_t_) return;
    current_ += s;
    if (current_.size() > limits.max_field_bytes) {
      throw input_error("field_too_large", "workbook part '" + part() + "': shared string " +
                                               std::to_string(ends.size() + 1) +
                                               " is larger than " +
                                               limit_text(limits.max_field_bytes) + " (the limit)");
    }
  }

 private:
  std::string current_;
  bool in_si_ = false;
  bool in_t_ = false;
  int phonetic_depth_ = 0;
};

// --- the worksheet reader ----------------------------------------------------------------

enum class CellType { number, shared, inline_string, boolean, error, string };

CellType cell_type(const XML_Char* t) {
  if (t == nullptr) return CellType::number;
  const std::string_view v(t);
  if (v == "s") return CellType::shared;
  if (v == "inlineStr") return CellType::inline_string;
  if (v == "b") return CellType::boolean;
  if (v == "e") return CellType::error;
  if (v == "str") return CellType::string;
  return CellType::number;  // "n", "d" (ISO date text) and unknown types: <v> as written
}

struct CellSpan {
  std::size_t column;
  std::size_t offset;  ///< into the owning row text
  std::size_t size;
};

class XlsxReader final : public TableReader, private SaxHandler {
 public:
  XlsxReader(const std::string& path, const OpenOptions& opts)
      : path_(path),
        block_(std::clamp(opts.buffer_bytes, kMinBlock, kMaxBlock)),
        limits_(opts.limits),
        budget_(opts.limits, 0) {
    strings_.limits = limits_;
    open_archive();
    const std::string sheet_part = find_sheet(opts.sheet);
    const auto index = locate(zip_.get(), sheet_part);
    if (!index) throw_unreadable(path_, "missing worksheet part '" + sheet_part + "'");
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_.get(), *index, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) != 0) {
      bytes_total_ = st.size;
    }
    sheet_ = open_entry(zip_.get(), *index, path_, sheet_part, budget_);
    parser_ptr_ = make_parser(sheet_part);
    while (!header_done_ && !done_) pump();
    if (!header_done_) {
      throw input_error("empty_file", "sheet '" + sheet_name_ + "' has no non-blank cell");
    }
  }

  const std::vector<std::string>& header() const override { return header_; }
  std::uint64_t bytes_read() const override { return std::min(bytes_read_, bytes_total_); }
  std::uint64_t bytes_total() const override { return bytes_total_; }

  bool next(RecordBatch& out, std::size_t max_rows) override {
    out.clear();
    spans_.clear();
    out_ = &out;
    max_rows_ = std::max<std::size_t>(max_rows, 1);
    while (!full()) {
      if (has_held_) {
        while (last_row_ + 1 < held_row_ && !full()) emit_blank(++last_row_);
        if (!full()) {
          emit_row(held_row_, held_text_, held_cells_);
          last_row_ = held_row_;
          has_held_ = false;
        }
        continue;
      }
      if (done_) break;
      pump();
    }
    out_ = nullptr;
    out.pad();  // before the views are made: no rebasing needed
    out.fields.reserve(spans_.size());
    for (const auto& [offset, size] : spans_) {
      out.fields.emplace_back(out.storage.data() + offset, size);
    }
    return out.rows() > 0;
  }

 private:
  // --- opening ---

  void open_archive() {
    std::error_code ec;
    if (std::filesystem::is_directory(path_, ec)) {
      throw input_error("unreadable_file", "cannot open '" + path_ + "': it is a directory");
    }
    const std::uintmax_t size = std::filesystem::file_size(path_, ec);
    if (size == 0 && !ec) throw input_error("empty_file", "the file is empty");
    budget_ = InflateBudget(limits_, ec ? 0 : std::uint64_t{size});
    int code = 0;
    zip_.reset(zip_open(path_.c_str(), ZIP_RDONLY, &code));
    if (zip_) return;
    if (code == ZIP_ER_NOZIP && looks_like_ole()) {
      throw_unreadable(path_,
                       "it is a password-protected workbook or a legacy .xls file; save it "
                       "as an unprotected .xlsx workbook");
    }
    zip_error_t err;
    zip_error_init_with_code(&err, code);
    std::string why = code == ZIP_ER_NOZIP ? std::string("not a zip archive, or a truncated one")
                                           : std::string(zip_error_strerror(&err));
    zip_error_fini(&err);
    if (code == ZIP_ER_NOENT || code == ZIP_ER_OPEN || code == ZIP_ER_READ || code == ZIP_ER_SEEK) {
      throw input_error("unreadable_file", "cannot open '" + path_ + "': " + why);  // as CSV
    }
    throw_unreadable(path_, why);
  }

  bool looks_like_ole() const {
    std::ifstream in(path_, std::ios::binary);
    char magic[8] = {};
    in.read(magic, sizeof magic);
    static constexpr unsigned char kOle[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    return in.gcount() == 8 && std::equal(magic, magic + 8, kOle, [](char a, unsigned char b) {
             return static_cast<unsigned char>(a) == b;
           });
  }

  void parse_required(const std::string& part, SaxHandler& handler) {
    const auto index = locate(zip_.get(), part);
    if (!index) throw_unreadable(path_, "missing part '" + part + "'");
    parse_part(zip_.get(), *index, path_, handler, part, budget_, limits_);
  }

  /// Returns the archive path of the chosen worksheet; loads the shared strings.
  std::string find_sheet(const std::string& wanted) {
    std::string workbook = "xl/workbook.xml";
    if (const auto root = locate(zip_.get(), "_rels/.rels")) {
      RelsHandler root_rels;
      parse_part(zip_.get(), *root, path_, root_rels, "_rels/.rels", budget_, limits_);
      for (const auto& [id, rel] : root_rels.rels) {
        if (!rel.external && ends_with(rel.type, "/officeDocument")) {
          workbook = resolve_target("", rel.target);
          break;
        }
      }
    }
    WorkbookHandler book;
    parse_required(workbook, book);
    RelsHandler rels;
    parse_required(rels_part_of(workbook), rels);
    if (book.sheets.empty()) throw_unreadable(path_, "the workbook lists no sheets");

    auto worksheet_rel = [&](const SheetEntry& s) -> const Relationship* {
      const auto it = rels.rels.find(s.rel_id);
      if (it == rels.rels.end() || it->second.external) return nullptr;
      return ends_with(it->second.type, "/worksheet") ? &it->second : nullptr;
    };
    const SheetEntry* chosen = nullptr;
    if (wanted.empty()) {
      for (const auto& s : book.sheets) {
        if (worksheet_rel(s) != nullptr) {
          chosen = &s;
          break;
        }
      }
      if (chosen == nullptr) throw_unreadable(path_, "the workbook has no worksheet");
    } else {
      for (const auto& s : book.sheets) {
        if (s.name == wanted) chosen = &s;
      }
      for (const auto& s : book.sheets) {
        if (chosen == nullptr && iequals_ascii(s.name, wanted)) chosen = &s;
      }
      if (chosen == nullptr) {
        std::string names;
        for (const auto& s : book.sheets) names += (names.empty() ? "'" : ", '") + s.name + "'";
        throw input_error("unknown_sheet", "no sheet named '" + wanted +
                                               "' in the workbook; its sheets are " + names);
      }
      if (worksheet_rel(*chosen) == nullptr) {
        const auto it = rels.rels.find(chosen->rel_id);
        if (it == rels.rels.end()) {
          throw_unreadable(path_, "sheet '" + chosen->name + "' has no relationship");
        }
        throw input_error("unknown_sheet",
                          "sheet '" + chosen->name + "' is not a worksheet (a chart sheet?)");
      }
    }
    sheet_name_ = chosen->name;

    const std::string base = dir_of(workbook);
    std::optional<std::string> sst_part;
    for (const auto& [id, rel] : rels.rels) {
      if (!rel.external && ends_with(rel.type, "/sharedStrings")) {
        sst_part = resolve_target(base, rel.target);
      }
    }
    if (!sst_part && locate(zip_.get(), base + "sharedStrings.xml")) {
      sst_part = base + "sharedStrings.xml";
    }
    if (sst_part) parse_required(*sst_part, strings_);
    return resolve_target(base, worksheet_rel(*chosen)->target);
  }

  // --- streaming ---

  /// Feeds one block to expat, or resumes a suspended parse.
  void pump() {
    XML_Parser p = parser_ptr_.get();
    XML_Status st;
    if (suspended_) {
      suspended_ = false;
      st = XML_ResumeParser(p);
    } else {
      void* buf = XML_GetBuffer(p, static_cast<int>(block_));
      if (buf == nullptr) throw std::bad_alloc();
      const zip_int64_t n = zip_fread(sheet_.get(), buf, block_);
      if (n < 0) {
        throw_unreadable(path_, "worksheet part '" + part() + "' is corrupt (" +
                                    zip_file_strerror(sheet_.get()) + ")");
      }
      bytes_read_ += static_cast<std::uint64_t>(n);
      budget_.charge(static_cast<std::uint64_t>(n), part());
      final_ = n == 0;
      st = XML_ParseBuffer(p, static_cast<int>(n), final_ ? XML_TRUE : XML_FALSE);
      fed_ = static_cast<std::uint64_t>(n);
    }
    rethrow_if_failed();
    if (st == XML_STATUS_ERROR) throw_xml_error(p, part(), error_row());
    // Counted once per block, when the parse of the block is over (not when suspended).
    if (st == XML_STATUS_OK) check_token_size(std::exchange(fed_, 0), limits_.max_record_bytes, 0);
    if (st == XML_STATUS_SUSPENDED) {
      suspended_ = true;
      return;
    }
    if (final_) done_ = true;
  }

  void suspend() { XML_StopParser(parser_, XML_TRUE); }

  std::size_t error_row() const override { return in_row_ ? static_cast<std::size_t>(row_) : 0; }

  [[noreturn]] void fail(const std::string& message) const {
    throw input_error("malformed_xlsx", "worksheet part '" + part() + "': " + message, error_row());
  }

  /// A limit reached in the worksheet, with the row and, when known, the column (its
  /// header name, or its letters).
  [[noreturn]] void fail_limit(const char* rule, std::string message,
                               std::size_t col = static_cast<std::size_t>(-1)) const {
    std::string column;
    if (col != static_cast<std::size_t>(-1)) {
      if (header_done_ && col < header_.size() && !header_[col].empty()) {
        column = header_[col];
      } else {
        message += " (column " + column_letters(col) + ")";
      }
    }
    throw input_error(rule, "worksheet part '" + part() + "': " + message, error_row(),
                      std::move(column));
  }

  void start(std::string_view name, const XML_Char** atts) override {
    if (!in_sheet_data_) {
      if (name == "sheetData") in_sheet_data_ = true;
      return;
    }
    if (in_cell_) {
      if (name == "v") {
        in_v_ = true;
      } else if (name == "is") {
        in_is_ = true;
        has_is_ = true;
      } else if (name == "rPh") {
        ++phonetic_depth_;
      } else if (name == "t" && in_is_ && phonetic_depth_ == 0) {
        in_t_ = true;
      }
    } else if (name == "c" && in_row_) {
      std::size_t col = next_col_;
      if (const XML_Char* ref = find_attr(atts, "r")) {
        const auto parsed = column_of(ref, limits_.max_columns);
        if (!parsed) fail("invalid cell reference");
        col = *parsed;
      }
      if (col >= limits_.max_columns) {
        throw input_error("too_many_columns",
                          "worksheet part '" + part() + "': a cell lies right of column " +
                              column_letters(limits_.max_columns - 1) + " (the limit of " +
                              std::to_string(limits_.max_columns) + " columns)",
                          error_row());
      }
      cell_col_ = col;
      next_col_ = col + 1;
      cell_type_ = cell_type(find_attr(atts, "t"));
      cell_text_.clear();
      is_text_.clear();
      has_is_ = false;
      phonetic_depth_ = 0;
      in_cell_ = true;
    } else if (name == "row") {
      // Absent rows up to this one are delivered, so its number is bounded before use.
      const std::uint64_t max_row = std::min<std::uint64_t>(limits_.max_sheet_rows, 1ULL << 60);
      std::uint64_t r = prev_row_ + 1;
      if (const XML_Char* ref = find_attr(atts, "r")) {
        const std::string_view digits = trim_ascii(ref);
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
          fail("invalid row number after row " + std::to_string(prev_row_));
        // nullopt: past the limit, however many digits (max_row + 1 cannot overflow).
        r = parse_uint(digits, max_row).value_or(max_row + 1);
        if (r == 0) fail("invalid row number after row " + std::to_string(prev_row_));
      }
      if (r > max_row) {
        throw input_error("too_many_rows", "worksheet part '" + part() + "': a row after row " +
                                               std::to_string(prev_row_) + " lies below row " +
                                               std::to_string(max_row) + " (the limit)");
      }
      if (r <= prev_row_)
        fail("rows out of order (row " + std::to_string(r) + " after row " +
             std::to_string(prev_row_) + ")");
      row_ = r;
      in_row_ = true;
      next_col_ = 0;
      row_text_.clear();
      row_cells_.clear();
    }
  }

  void end(std::string_view name) override {
    if (!in_sheet_data_) return;
    if (in_cell_) {
      if (name == "v") {
        in_v_ = false;
      } else if (name == "is") {
        in_is_ = false;
      } else if (name == "rPh") {
        --phonetic_depth_;
      } else if (name == "t") {
        in_t_ = false;
      } else if (name == "c") {
        in_cell_ = false;
        finish_cell();
      }
    } else if (name == "row" && in_row_) {
      finish_row();
      in_row_ = false;
    } else if (name == "sheetData") {
      in_sheet_data_ = false;
    }
  }

  void text(std::string_view s) override {
    if (!in_cell_) return;
    std::string* into = in_v_ ? &cell_text_ : (in_t_ ? &is_text_ : nullptr);
    if (into == nullptr) return;
    if (into->size() + s.size() > limits_.max_field_bytes) {
      fail_limit("field_too_large",
                 "a cell is larger than " + limit_text(limits_.max_field_bytes) + " (the limit)",
                 cell_col_);
    }
    *into += s;
  }

  void finish_cell() {
    std::string_view value;
    std::string* owned = nullptr;
    if (has_is_) {
      owned = &is_text_;
    } else {
      switch (cell_type_) {
        case CellType::shared: {
          if (cell_text_.empty()) break;
          const auto i = parse_uint(cell_text_, strings_.ends.size());
          if (!i || *i >= strings_.ends.size()) {
            fail("cell in column " + std::to_string(cell_col_ + 1) +
                 " refers to a missing shared string");
          }
          value = strings_.at(static_cast<std::size_t>(*i));
          break;
        }
        case CellType::boolean: {
          const auto t = trim_ascii(cell_text_);
          value = t == "1" ? std::string_view("TRUE")
                           : (t == "0" ? std::string_view("FALSE") : std::string_view(cell_text_));
          break;
        }
        case CellType::inline_string:
        case CellType::string:
          owned = &cell_text_;
          break;
        case CellType::number:
        case CellType::error:
          value = cell_text_;
          break;
      }
    }
    if (owned != nullptr) {
      decode_ooxml_escapes(*owned);
      value = *owned;
    }
    if (value.empty()) return;                     // blank cell: same as absent
    if (value.size() > limits_.max_field_bytes) {  // a shared string, or escapes decoded
      fail_limit("field_too_large",
                 "a cell is larger than " + limit_text(limits_.max_field_bytes) + " (the limit)",
                 cell_col_);
    }
    if (row_text_.size() + value.size() > limits_.max_record_bytes) {
      fail_limit("record_too_large",
                 "a row holds more than " + limit_text(limits_.max_record_bytes) + " (the limit)");
    }
    row_cells_.push_back({cell_col_, row_text_.size(), value.size()});
    row_text_ += value;
  }

  void finish_row() {
    prev_row_ = row_;
    if (row_cells_.empty()) return;  // blank row: delivered later only if data follows
    if (!header_done_) {
      std::size_t width = 0;
      for (const auto& c : row_cells_) {
        if (!trim_ascii(std::string_view(row_text_).substr(c.offset, c.size)).empty()) {
          width = std::max(width, c.column + 1);
        }
      }
      if (width == 0) return;  // only whitespace: still looking for the header
      header_.assign(width, std::string{});
      for (const auto& c : row_cells_) {
        if (c.column < width) {
          header_[c.column] = trim_ascii(std::string_view(row_text_).substr(c.offset, c.size));
        }
      }
      header_done_ = true;
      last_row_ = row_;
      suspend();
      return;
    }
    const std::uint64_t gap = row_ - last_row_ - 1;
    const std::size_t room = out_ == nullptr || full() ? 0 : max_rows_ - out_->rows();
    if (gap < room) {
      for (std::uint64_t r = last_row_ + 1; r < row_; ++r) emit_blank(r);
      emit_row(row_, row_text_, row_cells_);
      last_row_ = row_;
      if (full()) suspend();
    } else {
      std::swap(held_text_, row_text_);
      std::swap(held_cells_, row_cells_);
      held_row_ = row_;
      has_held_ = true;
      suspend();
    }
  }

  /// An absent or blank row is one empty field, as a blank line of a CSV file: its cost
  /// does not grow with the header's width.
  /// The batch has the rows asked for, or reached a batch limit (Limits).
  bool full() const {
    return out_ == nullptr || out_->rows() >= max_rows_ ||
           spans_.size() >= limits_.max_batch_fields ||
           out_->storage.size() >= limits_.max_batch_bytes;
  }

  void emit_blank(std::uint64_t r) {
    spans_.emplace_back(out_->storage.size(), 0);
    out_->offsets.push_back(spans_.size());
    out_->record.push_back(r);
    out_->flags.push_back(row_ok);
  }

  /// A row is header-width; non-blank cells right of the header make it one field wider
  /// (the leftmost of them), a ragged row, however far right they lie.
  void emit_row(std::uint64_t r, std::string_view text, const std::vector<CellSpan>& cells) {
    const std::size_t width = header_.size();
    const CellSpan* beyond = nullptr;
    for (const auto& c : cells)
      if (c.column >= width && (beyond == nullptr || c.column < beyond->column)) beyond = &c;
    const std::size_t first = spans_.size();
    spans_.resize(first + width + (beyond != nullptr ? 1 : 0), {out_->storage.size(), 0});
    for (const auto& c : cells) {
      if (c.column >= width && &c != beyond) continue;
      spans_[first + std::min(c.column, width)] = {out_->storage.size(), c.size};
      out_->storage.append(text.substr(c.offset, c.size));
    }
    out_->offsets.push_back(spans_.size());
    out_->record.push_back(r);
    out_->flags.push_back(row_ok);  // expat only delivers valid UTF-8
  }

  std::string path_;
  std::size_t block_;
  Limits limits_;
  InflateBudget budget_;
  std::uint64_t fed_ = 0;  ///< bytes of the block being parsed (check_token_size)
  std::string sheet_name_;
  ZipPtr zip_;
  SharedStringsHandler strings_;
  ZipFilePtr sheet_;
  ParserPtr parser_ptr_;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t bytes_total_ = 0;
  bool suspended_ = false;
  bool final_ = false;
  bool done_ = false;

  // SAX state
  bool in_sheet_data_ = false;
  bool in_row_ = false;
  bool in_cell_ = false;
  bool in_v_ = false;
  bool in_is_ = false;
  bool in_t_ = false;
  bool has_is_ = false;
  int phonetic_depth_ = 0;
  std::uint64_t row_ = 0;       ///< row being parsed
  std::uint64_t prev_row_ = 0;  ///< last row element seen (blank or not)
  std::size_t next_col_ = 0;
  std::size_t cell_col_ = 0;
  CellType cell_type_ = CellType::number;
  std::string cell_text_;
  std::string is_text_;
  std::string row_text_;
  std::vector<CellSpan> row_cells_;

  // Delivery state
  std::vector<std::string> header_;
  bool header_done_ = false;
  std::uint64_t last_row_ = 0;  ///< last row delivered (or the header row)
  bool has_held_ = false;       ///< a non-blank row waiting for room in a batch
  std::uint64_t held_row_ = 0;
  std::string held_text_;
  std::vector<CellSpan> held_cells_;
  RecordBatch* out_ = nullptr;
  std::size_t max_rows_ = 1;
  std::vector<std::pair<std::size_t, std::size_t>> spans_;  ///< (offset, size) per field
};

}  // namespace

std::unique_ptr<TableReader> make_xlsx_reader(const std::string& path, const OpenOptions& opts) {
  return std::make_unique<XlsxReader>(path, opts);
}

}  // namespace reinscore::io
