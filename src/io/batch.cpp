#include "io/batch.hpp"

#include <cmath>
#include <limits>

namespace reinscore::io {

void BatchScorer::run(const RecordBatch& batch, BatchResult& out) const {
  const auto n = static_cast<Eigen::Index>(batch.rows());
  const auto k_items = static_cast<Eigen::Index>(ins_.items.size());
  const std::size_t width = binding_.header.size();
  out.coded.resize(n, k_items);
  out.defect.assign(batch.rows(), RowDefect::none);
  out.fields.resize(batch.rows());
  out.bad_utf8_columns.assign(batch.rows(), {});
  for (Eigen::Index r = 0; r < n; ++r) {
    const auto ru = static_cast<std::size_t>(r);
    const auto row = batch.row(ru);
    out.fields[ru] = row.size();
    bool blank = true;
    for (const auto& f : row) blank = blank && detail::trim(f).empty();
    if (blank) {
      out.defect[ru] = RowDefect::empty;
    } else if (row.size() != width) {
      out.defect[ru] = RowDefect::ragged;
    } else if (batch.flags[ru] & row_invalid_utf8) {
      out.defect[ru] = RowDefect::invalid_utf8;
      for (std::size_t c = 0; c < row.size(); ++c)
        if (!is_valid_utf8(row[c])) out.bad_utf8_columns[ru].push_back(c);
    }
    for (Eigen::Index k = 0; k < k_items; ++k) {
      const std::size_t c = binding_.item_column[static_cast<std::size_t>(k)];
      // A defective row is not read at all: its fields cannot be trusted to be in place.
      const bool readable = out.defect[ru] == RowDefect::none && c != ColumnBinding::none;
      out.coded.set(r, k,
                    readable ? coder_.item(static_cast<std::size_t>(k)).code(row[c]) : CodedCell{});
    }
  }
  scorer_.score(out.coded, out.scores);
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  for (Eigen::Index r = 0; r < n; ++r) {
    const auto ru = static_cast<std::size_t>(r);
    if (out.defect[ru] == RowDefect::none) continue;
    out.scores.dimension.row(r).setConstant(nan);
    out.scores.coverage.row(r).setConstant(nan);
    out.scores.composite(r) = nan;
    out.scores.status[ru] = Status::invalid;
    out.scores.lowest[ru] = -1;
    out.scores.category[ru] = -1;
  }
}

std::string row_problems(const Instrument& ins, const ColumnBinding& binding,
                         const BatchResult& res, Eigen::Index r) {
  const auto ru = static_cast<std::size_t>(r);
  std::string out;
  const auto add = [&](const std::string& s) {
    if (!out.empty()) out += "; ";
    out += s;
  };
  switch (res.defect[ru]) {
    case RowDefect::ragged:
      add("ragged_row: " + std::to_string(res.fields[ru]) + " fields, header has " +
          std::to_string(binding.header.size()));
      break;
    case RowDefect::empty:
      add("empty_row");
      break;
    case RowDefect::invalid_utf8: {
      std::string cols;
      for (const auto c : res.bad_utf8_columns[ru])
        add((c < binding.header.size() ? binding.header[c] : "field " + std::to_string(c + 1)) +
            ": invalid_utf8");
      if (res.bad_utf8_columns[ru].empty()) add("invalid_utf8");
      break;
    }
    case RowDefect::none:
      break;
  }
  for (Eigen::Index k = 0; k < res.coded.items(); ++k) {
    const Reason why = res.coded.reason(r, k);
    if (is_invalid(why))
      add(binding.column_name(ins, static_cast<std::size_t>(k)) + ": " +
          std::string(to_string(why)));
  }
  if (res.scores.status[ru] == Status::insufficient) {
    std::string dims;
    for (Eigen::Index d = 0; d < res.scores.dimension.cols(); ++d)
      if (std::isnan(res.scores.dimension(r, d)))
        dims += (dims.empty() ? "" : ",") + ins.dimensions[static_cast<std::size_t>(d)];
    add("insufficient_coverage: " + dims);
  }
  return out;
}

}  // namespace reinscore::io
