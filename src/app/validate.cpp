// `validate` (include/reinscore/app/validate.hpp): the one place that counts what is wrong
// with an export, for the command line and the Python module alike.
#include "io/column_binding.hpp"
#include "io/table.hpp"

#include <reinscore/app/options.hpp>
#include <reinscore/app/validate.hpp>
#include <reinscore/coder.hpp>
#include <reinscore/detail/strings.hpp>

#include <array>
#include <cmath>
#include <optional>
#include <utility>

namespace reinscore::app {

namespace {

// Delimiters an export may use; a field holding one of them other than the delimiter the
// file was split at is a whole line left unsplit.
char other_delimiter_in(std::string_view text, char used) noexcept {
  for (const char d : {',', ';', '\t', '|'})
    if (d != used && text.find(d) != std::string_view::npos) return d;
  return 0;
}

std::string delimiter_name(char d) { return d == '\t' ? std::string("tab") : std::string(1, d); }

}  // namespace

char delimiter_option(std::string_view value, std::string_view option) {
  if (value.empty()) return 0;
  const std::string_view d = value == "tab" || value == "\\t" ? std::string_view("\t") : value;
  // A quote or a line break cannot separate fields; other control bytes and non-ASCII
  // bytes are no delimiter of any export.
  const auto c = static_cast<unsigned char>(d[0]);
  if (d.size() != 1 || c == '"' || (c < 0x20 && c != '\t') || c >= 0x7f)
    throw option_error(std::string(option),
                       "must be one printable ASCII character other than a quote, or 'tab'");
  return d[0];
}

void ValidateRequest::check() const { (void)delimiter_option(delimiter); }

DelimiterCheck::DelimiterCheck(const std::vector<std::string>& header, char delimiter)
    : width_(header.size()), delimiter_(delimiter) {
  if (header.size() == 1) header_holds_ = other_delimiter_in(header[0], delimiter);
}

void DelimiterCheck::add(std::size_t fields, std::string_view first) noexcept {
  ++rows_;
  if (fields == width_) return;
  if (fields == 1 && width_ > 1 && other_delimiter_in(first, delimiter_) != 0)
    ++one_field_;
  else if (fields > 2 * width_)
    ++too_many_;
}

std::string DelimiterCheck::problem() const {
  const std::string split = delimiter_ ? " (split at '" + delimiter_name(delimiter_) + "')" : "";
  if (header_holds_ != 0)
    return "the header is a single column holding '" + delimiter_name(header_holds_) + "'" + split +
           ": the file seems to use another delimiter; give it with --delimiter";
  if (rows_ == 0 || 2 * (one_field_ + too_many_) <= rows_) return {};
  std::string what;
  if (one_field_ >= too_many_)
    what = std::to_string(one_field_) + " of " + std::to_string(rows_) +
           " rows are a single field holding another delimiter";
  else
    what = std::to_string(too_many_) + " of " + std::to_string(rows_) +
           " rows have more than twice the header's " + std::to_string(width_) + " fields";
  return what + split +
         ": the header and the rows seem to use different delimiters; check the export or "
         "give --delimiter";
}

namespace {

struct RowList {
  std::uint64_t count = 0;
  std::vector<std::uint64_t> first;
  void add(std::uint64_t row) {
    ++count;
    if (first.size() < max_rows_listed) first.push_back(row);
  }
};

struct AnswerTally {
  Reason reason = Reason::invalid_code;
  RowList rows;
};

struct ColumnTally {
  std::map<std::string, AnswerTally> answers;  // unreadable answer (trimmed) -> where
  std::array<std::uint64_t, 2> unlisted{};     // invalid_code, out_of_range beyond the cap
  std::array<std::uint64_t, reason_names.size()> reasons{};
};

// An answer as the report shows it (with show_codes): control bytes, and every
// non-ASCII byte of text that is not UTF-8, become '?' so that no terminal obeys them;
// very long answers are cut.
std::string shown_answer(std::string_view s) {
  constexpr std::size_t max_bytes = 200;
  const bool utf8 = io::is_valid_utf8(s);
  std::string out;
  std::size_t end = std::min(s.size(), max_bytes);
  // Never cut inside a UTF-8 sequence.
  while (utf8 && end < s.size() && end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80)
    --end;
  for (const unsigned char c : s.substr(0, end))
    out += (c < 0x20 || c == 0x7f || (!utf8 && c >= 0x80)) ? '?' : static_cast<char>(c);
  if (end < s.size()) out += "...";
  return out;
}

std::string rows_text(const RowList& l) {
  std::string out;
  for (const auto r : l.first) out += (out.empty() ? "" : ", ") + std::to_string(r);
  if (l.count > l.first.size()) out += ", ...";
  return out;
}

// Counts cells, rows and answers; row numbers are given by the caller (spreadsheet rows
// of a file, positions of a frame).
class Validator {
 public:
  Validator(const Instrument& ins, io::ColumnBinding binding)
      : ins_(ins), binding_(std::move(binding)), coder_(ins), columns_(ins.items.size()) {}

  const Coder& coder() const noexcept { return coder_; }
  const io::ColumnBinding& binding() const noexcept { return binding_; }

  /// One coded cell of item k; `answer()` gives its trimmed text when it is unreadable.
  /// Returns true when the cell makes the row invalid.
  template <class AnswerText>
  bool cell(std::size_t k, Reason reason, std::uint64_t row, AnswerText&& answer) {
    ColumnTally& t = columns_[k];
    ++t.reasons[static_cast<std::size_t>(reason)];
    if (!is_invalid(reason)) return false;
    std::string key(answer());
    auto it = t.answers.find(key);
    if (it == t.answers.end()) {
      if (t.answers.size() >= max_answers_listed) {
        ++t.unlisted[reason == Reason::invalid_code ? 0 : 1];
        return true;
      }
      it = t.answers.emplace(std::move(key), AnswerTally{reason, {}}).first;
    }
    it->second.rows.add(row);
    return true;
  }

  void row_seen() noexcept { ++rows_; }
  RowList ragged, blank, bad_utf8, invalid;

  Report finish(const std::string& source, std::size_t width, char delimiter,
                const std::string& delimiter_problem, bool show_codes) const;

 private:
  const Instrument& ins_;
  io::ColumnBinding binding_;
  Coder coder_;
  std::vector<ColumnTally> columns_;
  std::uint64_t rows_ = 0;
};

// The problems table and its typed rows, filled one problem at a time.
struct Problems {
  Table table{"problems", "Problems", {}, 0, 0};
  Table rows{"problem_rows", "Rows of each problem", {}, 2, 0};
  Problems() {
    table.add("rule", Kind::text);
    table.add("column", Kind::text);
    table.add("answer", Kind::text);
    table.add("count", Kind::count);
    table.add("rows", Kind::text);
    table.add("message", Kind::text);
    rows.add("problem", Kind::count);
    rows.add("row", Kind::count);
  }
  void add(std::string_view rule, const std::string* column, const std::string* answer,
           const RowList* list, std::string message) {
    auto& c = table.columns;
    c[0].push_text(std::string(rule));
    if (column)
      c[1].push_text(*column);
    else
      c[1].push_text({}, Cell::missing);
    if (answer)
      c[2].push_text(*answer);
    else
      c[2].push_text({}, Cell::missing);
    if (list) {
      c[3].push(static_cast<double>(list->count));
      if (list->first.empty())
        c[4].push_text({}, Cell::missing);
      else
        c[4].push_text(rows_text(*list));
      const auto n = static_cast<double>(table.rows());
      for (const auto r : list->first) {
        rows.columns[0].push(n);
        rows.columns[1].push(static_cast<double>(r));
      }
    } else {
      c[3].push(0, Cell::missing);
      c[4].push_text({}, Cell::missing);
    }
    c[5].push_text(std::move(message));
  }
};

std::string_view answer_message(Reason r) {
  return r == Reason::out_of_range ? "a number outside the item's scale"
                                   : "neither an answer code nor a missing code of the item";
}

Report Validator::finish(const std::string& source, std::size_t width, char delimiter,
                         const std::string& delimiter_problem, bool show_codes) const {
  Problems p;
  if (rows_ == 0) p.add("no_data_rows", nullptr, nullptr, nullptr, "the input has no data rows");
  if (!delimiter_problem.empty())
    p.add("delimiter_mismatch", nullptr, nullptr, nullptr, delimiter_problem);
  for (const auto& h : binding_.problems) p.add(h.rule, &h.column, nullptr, nullptr, h.message);
  if (ragged.count)
    p.add("ragged_row", nullptr, nullptr, &ragged, "the field count differs from the header's");
  if (blank.count) p.add("empty_row", nullptr, nullptr, &blank, "every field is empty");
  if (bad_utf8.count)
    p.add("invalid_utf8", nullptr, nullptr, &bad_utf8, "a field is not valid UTF-8 text");
  bool withheld = false;
  for (std::size_t k = 0; k < ins_.items.size(); ++k) {
    const ColumnTally& t = columns_[k];
    const std::string& column = binding_.column_name(ins_, k);
    std::size_t number = 0;
    for (const auto& [text, tally] : t.answers) {
      const std::string answer = show_codes ? shown_answer(text) : "#" + std::to_string(++number);
      withheld = withheld || !show_codes;
      p.add(to_string(tally.reason), &column, &answer, &tally.rows,
            std::string(answer_message(tally.reason)));
    }
    for (std::size_t i = 0; i < t.unlisted.size(); ++i) {
      if (t.unlisted[i] == 0) continue;
      RowList l;
      l.count = t.unlisted[i];
      p.add(i == 0 ? "invalid_code" : "out_of_range", &column, nullptr, &l,
            "more unreadable answers, not listed (at most " + std::to_string(max_answers_listed) +
                " distinct answers of a column are)");
    }
  }

  Report r;
  r.command = "validate";
  Table s{"summary", "Validation", {}, 0, 0};
  s.add("input", Kind::text).push_text(source);
  s.add("instrument", Kind::text).push_text(ins_.tag());
  s.add("rows", Kind::count).push(static_cast<double>(rows_));
  s.add("columns", Kind::count).push(static_cast<double>(width));
  if (delimiter)
    s.add("delimiter", Kind::text).push_text(delimiter_name(delimiter));
  else
    s.add("delimiter", Kind::text).push_text({}, Cell::missing);
  s.add("items", Kind::count).push(static_cast<double>(ins_.items.size()));
  s.add("items_matched", Kind::count).push(static_cast<double>(binding_.matched));
  s.add("invalid_rows", Kind::count)
      .push(static_cast<double>(invalid.count + ragged.count + blank.count));
  s.add("result", Kind::text).push_text(p.table.rows() == 0 ? "clean" : "problems found");

  Table cells{"cells", "Cells of each column by reason", {}, 1, 0};
  cells.add("column", Kind::text);
  cells.add("item", Kind::text);
  for (const auto name : reason_names) cells.add(std::string(name), Kind::count);
  for (std::size_t k = 0; k < ins_.items.size(); ++k) {
    if (binding_.item_column[k] == io::ColumnBinding::none) continue;
    cells.columns[0].push_text(binding_.column_name(ins_, k));
    cells.columns[1].push_text(ins_.items[k].id);
    for (std::size_t i = 0; i < reason_names.size(); ++i)
      cells.columns[2 + i].push(static_cast<double>(columns_[k].reasons[i]));
  }

  r.tables.push_back(std::move(s));
  r.tables.push_back(std::move(p.table));
  r.tables.push_back(std::move(p.rows));
  r.tables.push_back(std::move(cells));
  for (const auto& t : r.tables) t.check();
  if (withheld)
    r.info("answers are not shown (they may be personal data); add --show-codes to see them");
  return r;
}

}  // namespace

Report validate_file(const std::string& path, const Instrument& ins,
                     const std::map<std::string, std::string>& column_map,
                     const ValidateRequest& request) {
  request.check();
  io::OpenOptions open;
  open.delimiter = delimiter_option(request.delimiter);
  open.sheet = request.sheet;
  auto reader = io::open_table(path, open);
  Validator v(ins, io::bind_columns(ins, reader->header(), column_map));
  const auto& binding = v.binding();
  const std::size_t width = binding.header.size();
  DelimiterCheck delimiters(reader->header(), reader->delimiter());
  io::RecordBatch batch;
  while (reader->next(batch, 65536)) {
    for (std::size_t r = 0; r < batch.rows(); ++r) {
      v.row_seen();
      const auto row = batch.row(r);
      const std::uint64_t at = batch.record[r];
      bool blank = true;
      for (const auto& f : row) blank = blank && detail::trim(f).empty();
      if (blank) {  // as score: an empty row is invalid, and nothing else of it is checked
        v.blank.add(at);
        continue;
      }
      delimiters.add(row.size(), row.empty() ? std::string_view() : row[0]);
      if (row.size() != width) {
        v.ragged.add(at);
        continue;
      }
      const bool not_utf8 = (batch.flags[r] & io::row_invalid_utf8) != 0;
      bool invalid = not_utf8;  // score marks the whole row invalid
      if (not_utf8) v.bad_utf8.add(at);
      for (std::size_t k = 0; k < ins.items.size(); ++k) {
        const std::size_t c = binding.item_column[k];
        if (c == io::ColumnBinding::none) continue;
        // Text that is not UTF-8 is reported once, as invalid_utf8, not as an answer.
        if (not_utf8 && !io::is_valid_utf8(row[c])) continue;
        const CodedCell cell = v.coder().item(k).code(row[c]);
        invalid |= v.cell(k, cell.reason, at, [&] { return detail::trim(row[c]); });
      }
      if (invalid) v.invalid.add(at);
    }
  }
  return v.finish(path == "-" ? "standard input" : path, width, reader->delimiter(),
                  delimiters.problem(), request.show_codes);
}

Report validate_frame(const std::vector<FrameColumn>& columns, const Instrument& ins,
                      const std::map<std::string, std::string>& column_map,
                      const ValidateRequest& request, const std::string& source) {
  request.check();
  std::vector<std::string> header;
  header.reserve(columns.size());
  std::size_t n = columns.empty() ? 0 : columns.front().size();
  for (const auto& c : columns) {
    header.push_back(c.name);
    if (c.size() != n)
      throw std::invalid_argument("column '" + c.name + "' has " + std::to_string(c.size()) +
                                  " rows, not " + std::to_string(n) + " like the first column");
  }
  Validator v(ins, io::bind_columns(ins, header, column_map));
  const auto& binding = v.binding();
  // Each distinct text of a bound column is coded once.
  std::vector<std::vector<CodedCell>> coded_levels(ins.items.size());
  for (std::size_t k = 0; k < ins.items.size(); ++k) {
    const std::size_t c = binding.item_column[k];
    if (c == io::ColumnBinding::none || columns[c].numeric) continue;
    for (const auto& level : columns[c].levels)
      coded_levels[k].push_back(v.coder().item(k).code(level));
  }
  for (std::size_t r = 0; r < n; ++r) {
    v.row_seen();
    const std::uint64_t at = r + 1;
    bool invalid = false;
    for (std::size_t k = 0; k < ins.items.size(); ++k) {
      const std::size_t c = binding.item_column[k];
      if (c == io::ColumnBinding::none) continue;
      const FrameColumn& col = columns[c];
      if (col.numeric) {
        const double x = col.number[r];
        invalid |= v.cell(k, v.coder().item(k).code(x).reason, at,
                          [&] { return std::isnan(x) ? std::string() : number_text(x); });
        continue;
      }
      const std::int64_t i = col.code[r];
      if (i < 0 || static_cast<std::size_t>(i) >= col.levels.size()) {
        v.cell(k, Reason::skipped, at, [] { return std::string(); });
        continue;
      }
      const auto level = static_cast<std::size_t>(i);
      invalid |= v.cell(k, coded_levels[k][level].reason, at,
                        [&] { return std::string(detail::trim(col.levels[level])); });
    }
    if (invalid) v.invalid.add(at);
  }
  return v.finish(source, header.size(), 0, {}, request.show_codes);
}

bool is_clean(const Report& validate_report) {
  return validate_report.table("problems").rows() == 0;
}

}  // namespace reinscore::app
