#include "io/score_writer.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>

namespace reinscore::io {

void append_csv_text(std::string& out, std::string_view s, char delim) {
  const bool formula = !s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                                      s[0] == '\t' || s[0] == '\r');
  const bool quote =
      formula || s.find_first_of(std::string{delim, '"', '\n', '\r'}) != std::string_view::npos;
  if (!quote) {
    out += s;
    return;
  }
  out += '"';
  if (formula) out += '\'';
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_number(std::string& out, double x) {
  if (std::isnan(x)) return;
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, res.ptr);
}

namespace {

void append_json_string(std::string& out, std::string_view s) {
  out += boost::json::serialize(boost::json::string_view(s.data(), s.size()));
}

void append_json_number(std::string& out, double x) {
  if (std::isnan(x)) {
    out += "null";
  } else {
    append_number(out, x);
  }
}

}  // namespace

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
  const auto& s = res.scores;
  const bool csv = cfg_.format == OutputFormat::csv;
  const auto D = s.dimension.cols();
  for (std::size_t r = 0; r < batch.rows(); ++r) {
    const auto ri = static_cast<Eigen::Index>(r);
    const auto row = batch.row(r);
    std::size_t col = 0;
    // Emits the separator and, for JSON, the key of the next column.
    const auto next = [&]() {
      if (csv) {
        if (col) buf += ',';
      } else {
        buf += col ? ',' : '{';
        append_json_string(buf, columns_[col]);
        buf += ':';
      }
      ++col;
    };
    const auto text = [&](std::string_view v) {
      next();
      if (csv) {
        append_csv_text(buf, v);
      } else {
        append_json_string(buf, v);
      }
    };
    const auto number = [&](double x) {
      next();
      if (csv) {
        append_number(buf, x);
      } else {
        append_json_number(buf, x);
      }
    };
    for (const auto c : cfg_.pass_columns) text(c < row.size() ? row[c] : std::string_view{});
    for (Eigen::Index d = 0; d < D; ++d) number(s.dimension(ri, d));
    number(s.composite(ri));
    for (Eigen::Index d = 0; d < D; ++d) number(s.coverage(ri, d));
    text(to_string(s.status[r]));
    text(s.lowest[r] < 0
             ? std::string_view{}
             : std::string_view(ins_.dimensions[static_cast<std::size_t>(s.lowest[r])]));
    if (ins_.thresholds)
      text(s.category[r] < 0
               ? std::string_view{}
               : std::string_view(
                     ins_.thresholds->categories[static_cast<std::size_t>(s.category[r])].label));
    text(row_problems(ins_, binding_, res, ri));
    text(tag_);
    if (cfg_.explain) {
      const auto parts = scorer.explain(res.coded, ri);
      const bool scored = s.status[r] != Status::invalid;
      for (const auto& p : parts) number(scored ? p.to_dimension : std::nan(""));
      for (const auto& p : parts) number(scored ? p.lost : std::nan(""));
    }
    buf += csv ? "\n" : "}\n";
  }
}

void ScoreWriter::write(const std::string& buf) {
  out_.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

}  // namespace reinscore::io
