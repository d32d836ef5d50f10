// The one reader of scores files (include/reinscore/app/scores.hpp).
#include "io/table.hpp"

#include <reinscore/app/scores.hpp>
#include <reinscore/detail/strings.hpp>
#include <reinscore/error.hpp>

#include <algorithm>
#include <charconv>
#include <limits>
#include <unordered_map>

namespace reinscore::app {

namespace {

constexpr std::size_t none = static_cast<std::size_t>(-1);
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

bool text_present(const RawColumn& c, std::size_t i) { return c.present.empty() || c.present[i]; }

// Numbers of a score or coverage column: empty cells are NaN, anything else must be a
// finite number.
struct Rows {
  const std::vector<std::uint64_t>& records;
  std::size_t base;
  std::size_t operator()(std::size_t i) const {
    return i < records.size() ? static_cast<std::size_t>(records[i]) : i + base;
  }
};

std::vector<double> numbers_of(const RawColumn& c, const Rows& row) {
  if (c.numeric) {
    for (std::size_t i = 0; i < c.number.size(); ++i)
      if (std::isinf(c.number[i]))
        throw input_error("not_a_number", "score is not a finite number", row(i), c.name);
    return c.number;
  }
  std::vector<double> out(c.text.size(), nan);
  for (std::size_t i = 0; i < c.text.size(); ++i) {
    if (!text_present(c, i)) continue;
    const auto cell = detail::trim(c.text[i]);
    if (!cell.empty() && !detail::parse_number(cell, out[i]))
      throw input_error("not_a_number", "score is not a number", row(i), c.name);
  }
  return out;
}

// Columns the table reads only as numbers (each score X with coverage_X, and composite),
// unless a command keeps them as well: read_scores parses them as it reads them instead of
// keeping their text (a million rows of ten text columns are 320 MB).
std::vector<char> numbers_only(const std::vector<std::string>& header, const ScoresWant& want) {
  std::vector<char> out(header.size(), 0);
  if (want.all_columns) return out;
  const auto at = [&](std::string_view name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  for (std::size_t j = 0; j < header.size(); ++j) {
    const auto& h = header[j];
    if (h == "composite") out[j] = 1;
    if (h.rfind("coverage_", 0) == 0 && h.size() > 9 && h.substr(9) != "composite" &&
        at(h.substr(9)) < header.size())
      out[j] = out[at(h.substr(9))] = 1;
  }
  for (std::size_t j = 0; j < header.size(); ++j) {
    const auto& h = header[j];
    if (h == "status" || h == "instrument" || h == "category") out[j] = 0;
    for (const auto& [name, option] : want.columns)
      if (h == name) out[j] = 0;
  }
  return out;
}

TypedColumn typed(RawColumn&& c) {
  TypedColumn out;
  out.name = std::move(c.name);
  if (c.numeric) {
    out.numeric = true;
    out.number = std::move(c.number);
    return out;
  }
  // Numeric when every non-empty cell is a number and one at least is there.
  std::vector<double> v(c.text.size(), nan);
  bool any = false, all = true;
  for (std::size_t i = 0; i < c.text.size() && all; ++i) {
    if (!text_present(c, i)) continue;
    const auto cell = detail::trim(c.text[i]);
    if (cell.empty()) continue;
    any = true;
    all = detail::parse_number(cell, v[i]);
  }
  if (any && all) {
    out.numeric = true;
    out.number = std::move(v);
  }
  // The text stays with a numeric column too: an identifier such as "007" is not 7.
  out.text = std::move(c.text);
  if (!c.present.empty())
    for (std::size_t i = 0; i < out.text.size(); ++i)
      if (!c.present[i]) out.text[i].clear();
  return out;
}

}  // namespace

bool TypedColumn::empty_at(std::size_t row) const noexcept {
  return numeric ? std::isnan(number[row]) : detail::trim(text[row]).empty();
}

ScoresTable::ScoresTable(std::vector<RawColumn> columns, const ScoresWant& want,
                         std::size_t row_base, std::string source,
                         std::vector<std::uint64_t> records)
    : source_(std::move(source)),
      row_base_(row_base),
      records_(std::move(records)),
      wanted_(want.columns) {
  const Rows row{records_, row_base_};
  for (const auto& c : columns) header_.push_back(c.name);
  rows_ = columns.empty()
              ? 0
              : (columns[0].numeric ? columns[0].number.size() : columns[0].text.size());
  for (const auto& c : columns)
    if ((c.numeric ? c.number.size() : c.text.size()) != rows_)
      throw std::invalid_argument("scores: column '" + c.name + "' has another length");
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t j = 0; j < header_.size(); ++j)
    if (!index.try_emplace(header_[j], j).second)
      throw input_error("duplicate_column", "appears twice in the scores", 0, header_[j]);
  const auto find = [&](const std::string& name) {
    const auto it = index.find(name);
    return it == index.end() ? none : it->second;
  };

  // Scores: each X with coverage_X, in input order, then composite.
  std::vector<std::size_t> take(header_.size(), 0);  // 1: score/coverage, 2: kept
  for (const auto& h : header_)
    if (h.rfind("coverage_", 0) == 0 && h.size() > 9 && find(h.substr(9)) != none) {
      const std::string name = h.substr(9);
      if (name == "composite") continue;
      scores_.push_back(name);
      score_values_.push_back(numbers_of(columns[find(name)], row));
      coverage_.push_back(numbers_of(columns[find(h)], row));
      take[find(name)] = take[find(h)] = 1;
    }
  if (const auto c = find("composite"); c != none) {
    scores_.push_back("composite");
    score_values_.push_back(numbers_of(columns[c], row));
    coverage_.emplace_back(rows_, nan);
    take[c] = 1;
  }
  if (scores_.empty())
    throw input_error("not_scores",
                      "'" + source_ +
                          "' holds no scores (no composite column and no X with coverage_X); "
                          "give the output of `reinscore score`");

  if (const auto c = find("status"); c != none) {
    status_.assign(rows_, -1);
    const RawColumn& s = columns[c];
    for (std::size_t i = 0; i < rows_; ++i) {
      const std::string_view v =
          s.numeric || !text_present(s, i) ? std::string_view() : detail::trim(s.text[i]);
      for (std::size_t k = 0; k < std::size(status_names_app); ++k)
        if (v == status_names_app[k]) status_[i] = static_cast<std::int8_t>(k);
      // A status that is none of reinscore's would drop out of every share silently.
      if (status_[i] < 0)
        throw input_error("unknown_status", "not a status of reinscore", row(i), "status");
    }
  } else if (want.need_status) {
    throw input_error("missing_column", "not in the scores (a status column is needed)", 0,
                      "status");
  }

  if (const auto c = find("instrument"); c != none) {
    tag_of_row_.assign(rows_, -1);
    const RawColumn& t = columns[c];
    std::unordered_map<std::string, std::int32_t> seen;
    for (std::size_t i = 0; i < rows_ && !t.numeric; ++i) {
      if (!text_present(t, i) || t.text[i].empty()) continue;
      auto [it, fresh] = seen.try_emplace(t.text[i], static_cast<std::int32_t>(tags_.size()));
      if (fresh) {
        if (!tags_.empty() && !want.allow_mixed)
          // Tags are id@version#hash of an instrument: never answers, safe to name.
          throw input_error("mixed_instruments",
                            "rows name two instruments or weight sets, '" + tags_.front() +
                                "' and '" + t.text[i] +
                                "'; score them apart, or pool them knowingly with --allow-mixed",
                            row(i), "instrument");
        tags_.push_back(t.text[i]);
      }
      tag_of_row_[i] = it->second;
    }
  }

  // Kept columns: the wanted ones (checked), category, and all others on request.
  for (const auto& [name, option] : want.columns) {
    const auto c = find(name);
    if (c == none)
      throw input_error("missing_column",
                        "not in the scores (" + option + "; keep it with `score --keep`)", 0, name);
    take[c] = std::max<std::size_t>(take[c], 2);
  }
  if (const auto c = find("category"); c != none) take[c] = 2;
  for (std::size_t j = 0; j < header_.size(); ++j)
    if (take[j] == 2 || (want.all_columns && take[j] == 0)) {
      if (header_[j] == "category") category_ = columns_.size();
      columns_.push_back(typed(std::move(columns[j])));
    }
  // A category is a label even when it reads as numbers.
  if (category_ != none && columns_[category_].numeric) {
    auto& cat = columns_[category_];
    cat.text.resize(rows_);
    for (std::size_t i = 0; i < rows_; ++i)
      if (!std::isnan(cat.number[i])) cat.text[i] = key_text(cat.number[i]);
    cat.number.clear();
    cat.numeric = false;
  }
}

const TypedColumn* ScoresTable::category() const noexcept {
  return category_ == none ? nullptr : &columns_[category_];
}

const TypedColumn& ScoresTable::column(std::string_view name) const {
  for (const auto& c : columns_)
    if (c.name == name) return c;
  std::string option = "kept";
  for (const auto& [n, o] : wanted_)
    if (n == name) option = o;
  throw input_error("missing_column",
                    "not in the scores (" + option + "; keep it with `score --keep`)", 0,
                    std::string(name));
}

bool ScoresTable::has_column(std::string_view name) const noexcept {
  return std::any_of(columns_.begin(), columns_.end(),
                     [&](const TypedColumn& c) { return c.name == name; });
}

ScoresTable read_scores(const std::string& path, const ScoresWant& want) {
  auto reader = io::open_table(path, {});
  const auto& header = reader->header();
  // Only the columns a command uses are kept in memory.
  std::vector<char> keep(header.size(), want.all_columns ? 1 : 0);
  for (std::size_t j = 0; j < header.size(); ++j) {
    const auto& h = header[j];
    if (h == "composite" || h == "status" || h == "instrument" || h == "category" ||
        h.rfind("coverage_", 0) == 0)
      keep[j] = 1;
    for (const auto& [name, option] : want.columns)
      if (h == name) keep[j] = 1;
  }
  for (std::size_t j = 0; j < header.size(); ++j)  // X of each coverage_X
    if (header[j].rfind("coverage_", 0) == 0)
      for (std::size_t k = 0; k < header.size(); ++k)
        if (header[k] == header[j].substr(9)) keep[k] = 1;

  const std::vector<char> numeric = numbers_only(header, want);
  std::vector<RawColumn> cols;
  std::vector<std::size_t> at;
  for (std::size_t j = 0; j < header.size(); ++j)
    if (keep[j]) {
      cols.push_back(RawColumn{header[j], numeric[j] != 0, {}, {}, {}});
      at.push_back(j);
    }
  io::RecordBatch batch;
  std::vector<std::uint64_t> records;  // the reader's row numbers, for messages
  while (reader->next(batch, 65536)) {
    for (std::size_t r = 0; r < batch.rows(); ++r) {
      const auto row = batch.row(r);
      if (row.size() != header.size())
        throw input_error("ragged_row", "field count differs from the header", batch.record[r]);
      records.push_back(batch.record[r]);
      for (std::size_t k = 0; k < at.size(); ++k) {
        RawColumn& c = cols[k];
        if (c.numeric) {
          // As numbers_of() reads text: empty is NaN, anything else a finite number.
          const auto cell = detail::trim(row[at[k]]);
          double x = nan;
          if (cell.empty() || detail::parse_number(cell, x)) {
            c.number.push_back(x);
            continue;
          }
          // Not a number: text from here on, for the table to report this cell where it
          // reads the column (the cells before were numbers; empty text stands for them).
          c.numeric = false;
          c.text.assign(c.number.size(), std::string());
          c.number = {};
        }
        c.text.emplace_back(row[at[k]]);
      }
    }
  }
  if (header.empty()) throw input_error("empty_file", "'" + path + "' has no header");
  // Row i on line i + 2 (no record spans lines): the table numbers rows so without them.
  bool plain = true;
  for (std::size_t i = 0; i < records.size() && plain; ++i) plain = records[i] == i + 2;
  if (plain) records = {};
  return ScoresTable(std::move(cols), want, 2, path, std::move(records));
}

std::vector<double> sampling_weights(const ScoresTable& t, const std::string& column,
                                     bool positive) {
  const TypedColumn& c = t.column(column);
  std::vector<double> w(t.rows());
  for (std::size_t i = 0; i < t.rows(); ++i) {
    double x = nan;
    if (c.numeric)
      x = c.number[i];
    else if (!detail::parse_number(detail::trim(c.text[i]), x))
      x = nan;
    if (!std::isfinite(x) || x < 0 || (positive && x == 0))
      throw input_error("invalid_weight",
                        positive ? "weight is empty, not a number, zero or negative"
                                 : "weight is empty, not a number or negative",
                        t.row_number(i), column);
    w[i] = x;
  }
  return w;
}

std::string key_text(double x) {
  if (std::isnan(x)) return {};
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

}  // namespace reinscore::app
