#include "io/score_writer.hpp"

#include <boost/json.hpp>

#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace reinscore::io {

namespace {

/// Memo of the shortest text of recently formatted doubles. Scores are weighted means of a
/// few answer levels, so a column holds few distinct values (RSS sample: 6 coverages, about
/// 100 dimension scores), and std::to_chars was a quarter of `reinscore score`'s time.
/// Direct-mapped on the bit pattern; the text is the one std::to_chars gives.
class NumberMemo {
 public:
  /// Text of `x` (not NaN): `len` characters at `text`, which can be read for 32 bytes.
  struct Text {
    const char* text;
    std::size_t len;
  };
  Text get(double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    Entry& e = entries_[(bits * 0x9E3779B97F4A7C15ULL) >> (64 - kBits)];
    if (e.len == 0 || e.bits != bits) {
      const auto res = std::to_chars(e.text, e.text + sizeof e.text, x);
      e.bits = bits;
      e.len = static_cast<std::uint8_t>(res.ptr - e.text);
    }
    return {e.text, e.len};
  }

 private:
  static constexpr unsigned kBits = 12;
  struct Entry {
    std::uint64_t bits = 0;
    char text[32];  // the longest shortest form of a double has 24 characters
    std::uint8_t len = 0;
  };
  std::array<Entry, std::size_t{1} << kBits> entries_{};
};

NumberMemo& number_memo() {
  thread_local NumberMemo memo;  // per thread: writers format batches in parallel
  return memo;
}

/// Appends to a string through a raw cursor: the formatting loop writes every output byte,
/// and std::string's checked appends (one call and one capacity test per piece) were a
/// large share of its time. finish() trims the string to what was written.
class Sink {
 public:
  explicit Sink(std::string& s) : s_(s), pos_(s.size()) {}
  char* room(std::size_t n) {
    if (s_.size() - pos_ < n) s_.resize(std::max(s_.size() * 2, pos_ + n + 4096));
    return s_.data() + pos_;
  }
  void advance(std::size_t n) noexcept { pos_ += n; }
  void put(char c) {
    *room(1) = c;
    ++pos_;
  }
  void put(std::string_view v) {
    // An empty view may hold a null pointer, and memcpy from null is UB even for 0 bytes.
    if (!v.empty()) std::memcpy(room(v.size()), v.data(), v.size());
    pos_ += v.size();
  }
  void number(double x) {
    if (std::isnan(x)) return;
    const auto t = number_memo().get(x);
    std::memcpy(room(32), t.text, 32);  // fixed size: two vector moves, no call
    pos_ += t.len;
  }
  /// CSV text, escaped as append_csv_text() does.
  void csv_text(std::string_view v, char delim) {
    const bool formula = !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' ||
                                        v[0] == '\t' || v[0] == '\r');
    bool quote = formula;
    for (std::size_t i = 0; i < v.size() && !quote; ++i) {
      const char c = v[i];
      quote = c == delim || c == '"' || c == '\n' || c == '\r';
    }
    if (!quote) return put(v);
    char* w = room(2 * v.size() + 3);
    char* const start = w;
    *w++ = '"';
    if (formula) *w++ = '\'';
    for (const char c : v) {
      if (c == '"') *w++ = '"';
      *w++ = c;
    }
    *w++ = '"';
    pos_ += static_cast<std::size_t>(w - start);
  }
  void finish() { s_.resize(pos_); }

 private:
  std::string& s_;
  std::size_t pos_;
};

}  // namespace

void append_csv_text(std::string& out, std::string_view s, char delim) {
  Sink sink(out);
  sink.csv_text(s, delim);
  sink.finish();
}

void append_number(std::string& out, double x) {
  if (std::isnan(x)) return;
  const auto t = number_memo().get(x);
  out.append(t.text, t.len);
}

namespace {

/// Length of the valid UTF-8 sequence at s[i] (strict: no overlong forms, surrogates or
/// code points above U+10FFFF), 0 when none starts there.
std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const std::size_t left = s.size() - i;
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  const auto cont = [&](std::size_t k) { return k < left && (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0) break;
    i += n;
  }
  if (i == s.size()) {
    out += boost::json::serialize(boost::json::string_view(s.data(), s.size()));
    return;
  }
  std::string repaired(s.substr(0, i));
  while (i < s.size()) {
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0) {
      repaired += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      repaired.append(s, i, n);
      i += n;
    }
  }
  out += boost::json::serialize(boost::json::string_view(repaired.data(), repaired.size()));
}

ScoreWriter::ScoreWriter(std::ostream& out, const Instrument& ins, const ColumnBinding& binding,
                         WriterConfig cfg)
    : out_(out), ins_(ins), binding_(binding), cfg_(std::move(cfg)), tag_(ins.tag()) {
  for (const auto c : cfg_.pass_columns) columns_.push_back(binding_.header[c]);
  for (const auto& d : ins_.dimensions) columns_.push_back(d);
  columns_.push_back("composite");
  for (const auto& d : ins_.dimensions) columns_.push_back("coverage_" + d);
  columns_.push_back("status");
  columns_.push_back("lowest_dimension");
  if (ins_.thresholds) columns_.push_back("category");
  columns_.push_back("problems");
  columns_.push_back("instrument");
  if (cfg_.explain) {
    for (const auto& it : ins_.items) columns_.push_back("contrib." + it.id);
    for (const auto& it : ins_.items) columns_.push_back("lost." + it.id);
  }
  // Texts that repeat on every row are escaped once here.
  const auto escaped = [&](std::string_view v) {
    std::string t;
    if (cfg_.format == OutputFormat::csv) {
      append_csv_text(t, v);
    } else {
      append_json_string(t, v);
    }
    return t;
  };
  tag_text_ = escaped(tag_);
  for (const auto& c : columns_) {
    std::string key;
    append_json_string(key, c);
    json_keys_.push_back(key + ':');
  }
  for (std::size_t i = 0; i < status_names.size(); ++i) status_text_[i] = escaped(status_names[i]);
  empty_text_ = escaped({});
  for (const auto& d : ins_.dimensions) dimension_text_.push_back(escaped(d));
  if (ins_.thresholds)
    for (const auto& c : ins_.thresholds->categories) category_text_.push_back(escaped(c.label));
}

void ScoreWriter::write_header() {
  if (cfg_.format == OutputFormat::jsonl) return;
  std::string line;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (i) line += ',';
    append_csv_text(line, columns_[i]);
  }
  line += '\n';
  out_ << line;
}

void ScoreWriter::format(const RecordBatch& batch, const BatchResult& res, const Scorer& scorer,
                         std::string& buf) const {
  buf.clear();
  if (cfg_.format == OutputFormat::csv) {
    format_rows<true>(batch, res, scorer, buf);
  } else {
    format_rows<false>(batch, res, scorer, buf);
  }
}

// One instantiation per format, so that the per-column steps of the CSV loop (which
// writes every output byte of `reinscore score`) compile to a few instructions each.
template <bool csv>
void ScoreWriter::format_rows(const RecordBatch& batch, const BatchResult& res,
                              const Scorer& scorer, std::string& buf) const {
  Sink out(buf);
  const auto& s = res.scores;
  const auto D = s.dimension.cols();
  std::string json;  // JSON pieces go through Boost.JSON's serializer
  std::string pseudonym;
  for (std::size_t r = 0; r < batch.rows(); ++r) {
    const auto ri = static_cast<Eigen::Index>(r);
    const auto row = batch.row(r);
    std::size_t col = 0;
    // Emits the separator and, for JSON, the key of the next column.
    const auto next = [&]() {
      if constexpr (csv) {
        if (col) out.put(',');
      } else {
        out.put(col ? ',' : '{');
        out.put(json_keys_[col]);
      }
      ++col;
    };
    const auto text = [&](std::string_view v) {
      next();
      if constexpr (csv) {
        out.csv_text(v, ',');
      } else {
        json.clear();
        append_json_string(json, v);
        out.put(json);
      }
    };
    const auto number = [&](double x) {
      next();
      if (!csv && std::isnan(x)) {  // JSON has null; CSV leaves the cell empty
        out.put("null");
      } else {
        out.number(x);
      }
    };
    const auto escaped = [&](const std::string& v) {
      next();
      out.put(v);
    };
    // A copied field is written only when it was read cleanly (never a raw line of
    // answers from a ragged row); `problems` names the ones left empty.
    const RowFacts facts = row_facts(res, ri, cfg_.pass_columns);
    for (std::size_t j = 0; j < cfg_.pass_columns.size(); ++j) {
      const std::size_t c = cfg_.pass_columns[j];
      std::string_view v = c < row.size() ? row[c] : std::string_view{};
      if (!pass_field_problem(facts, c).empty()) v = {};
      if (cfg_.pseudonymiser && j < cfg_.pseudonymise.size() && cfg_.pseudonymise[j]) {
        pseudonym.clear();
        cfg_.pseudonymiser->append(pseudonym, v);
        v = pseudonym;
      }
      text(v);
    }
    for (Eigen::Index d = 0; d < D; ++d) number(s.dimension(ri, d));
    number(s.composite(ri));
    for (Eigen::Index d = 0; d < D; ++d) number(s.coverage(ri, d));
    escaped(status_text_[static_cast<std::size_t>(s.status[r])]);
    escaped(s.lowest[r] < 0 ? empty_text_ : dimension_text_[static_cast<std::size_t>(s.lowest[r])]);
    if (ins_.thresholds)
      escaped(s.category[r] < 0 ? empty_text_
                                : category_text_[static_cast<std::size_t>(s.category[r])]);
    text(row_problems(ins_, binding_, res.coded, res.scores, ri, facts));
    escaped(tag_text_);
    if (cfg_.explain) {
      const auto parts = scorer.explain(res.coded, ri, res.scores);
      const bool scored = s.status[r] != Status::invalid;
      for (const auto& p : parts) number(scored ? p.to_dimension : std::nan(""));
      for (const auto& p : parts) number(scored ? p.lost : std::nan(""));
    }
    out.put(csv ? std::string_view("\n") : std::string_view("}\n"));
  }
  out.finish();
}

void ScoreWriter::write(const std::string& buf) {
  out_.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

}  // namespace reinscore::io
