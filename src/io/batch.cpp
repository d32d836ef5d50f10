#include "io/batch.hpp"

#include <cmath>
#include <limits>

namespace reinscore::io {

void BatchScorer::run(const RecordBatch& batch, BatchResult& out) const {
  const auto n = static_cast<Eigen::Index>(batch.rows());
  const std::size_t k_items = ins_.items.size();
  const std::size_t width = binding_.header.size();
  out.coded.resize(n, static_cast<Eigen::Index>(k_items));
  out.defect.assign(batch.rows(), RowDefect::none);
  out.fields.resize(batch.rows());
  out.bad_utf8_columns.assign(batch.rows(), {});
  // Raw column pointers: this loop codes every cell of the file (RESULTS.md).
  double* const values = out.coded.values.data();
  std::uint8_t* const reasons = out.coded.reasons.data();
  const auto stride = static_cast<std::size_t>(n);
  const std::size_t* const item_column = binding_.item_column.data();
  for (std::size_t r = 0; r < batch.rows(); ++r) {
    const auto row = batch.row(r);
    out.fields[r] = row.size();
    RowDefect defect = RowDefect::none;
    if (row.size() != width) {
      defect = RowDefect::ragged;
    } else if (batch.flags[r] & row_invalid_utf8) {
      defect = RowDefect::invalid_utf8;
    }
    // A blank line is one empty field; a row of empty fields is blank too.
    if (defect != RowDefect::none || detail::trim(row[0]).empty()) {
      bool blank = true;
      for (const auto& f : row) blank = blank && detail::trim(f).empty();
      if (blank) defect = RowDefect::empty;
    }
    if (defect == RowDefect::invalid_utf8)
      for (std::size_t c = 0; c < row.size(); ++c)
        if (!is_valid_utf8(row[c])) out.bad_utf8_columns[r].push_back(c);
    out.defect[r] = defect;
    for (std::size_t k = 0; k < k_items; ++k) {
      const std::size_t c = item_column[k];
      // A defective row is not read at all: its fields cannot be trusted to be in place.
      CodedCell cell;
      if (defect == RowDefect::none && c != ColumnBinding::none) {
        const ItemCoder& coder = coder_.item(k);
        cell = batch.padded(row[c]) ? coder.code_padded(row[c]) : coder.code(row[c]);
      }
      values[k * stride + r] = cell.value;
      reasons[k * stride + r] = static_cast<std::uint8_t>(cell.reason);
    }
  }
  scorer_.score(out.coded, out.scores);
  static_assert(sizeof(RowDefect) == 1);
  invalidate_defective_rows(reinterpret_cast<const std::uint8_t*>(out.defect.data()), out.scores);
}

void clear_defective_rows(const std::uint8_t* defect, CodedBlock& coded) {
  for (Eigen::Index r = 0; r < coded.rows(); ++r)
    if (defect[r] != 0)
      for (Eigen::Index k = 0; k < coded.items(); ++k) coded.set(r, k, CodedCell{});
}

void invalidate_defective_rows(const std::uint8_t* defect, ScoreBlock& scores) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  for (Eigen::Index r = 0; r < scores.rows(); ++r) {
    const auto ru = static_cast<std::size_t>(r);
    if (defect[r] == 0) continue;
    scores.dimension.row(r).setConstant(nan);
    scores.coverage.row(r).setConstant(nan);
    scores.composite(r) = nan;
    scores.status[ru] = Status::invalid;
    scores.lowest[ru] = -1;
    scores.category[ru] = -1;
  }
}

RowFacts row_facts(const BatchResult& res, Eigen::Index r,
                   std::span<const std::size_t> pass_columns) {
  const auto ru = static_cast<std::size_t>(r);
  return RowFacts{res.defect[ru], res.fields[ru], res.bad_utf8_columns[ru], pass_columns};
}

std::string row_problems(const Instrument& ins, const ColumnBinding& binding,
                         const BatchResult& res, Eigen::Index r,
                         std::span<const std::size_t> pass_columns) {
  return row_problems(ins, binding, res.coded, res.scores, r, row_facts(res, r, pass_columns));
}

std::string_view pass_field_problem(const RowFacts& facts, std::size_t column) noexcept {
  switch (facts.defect) {
    case RowDefect::ragged:
      return "ragged_row";
    case RowDefect::invalid_utf8:
      for (const auto c : facts.bad_utf8_columns)
        if (c == column) return "invalid_utf8";
      return {};
    case RowDefect::empty:  // every field is blank: nothing of the row can leak
    case RowDefect::none:
      return {};
  }
  return {};
}

std::string row_problems(const Instrument& ins, const ColumnBinding& binding,
                         const CodedBlock& coded, const ScoreBlock& scores, Eigen::Index r,
                         const RowFacts& facts) {
  const auto ru = static_cast<std::size_t>(r);
  std::string out;
  // Scored rows have nothing to report: no defect, no unreadable answer (that would make
  // them invalid) and enough coverage.
  const Status st = scores.status[ru];
  if (facts.defect == RowDefect::none && (st == Status::complete || st == Status::partial))
    return out;
  const auto add = [&](const std::string& s) {
    if (!out.empty()) out += "; ";
    out += s;
  };
  switch (facts.defect) {
    case RowDefect::ragged:
      add("ragged_row: " + std::to_string(facts.fields) + " fields, header has " +
          std::to_string(binding.header.size()));
      break;
    case RowDefect::empty:
      add("empty_row");
      break;
    case RowDefect::invalid_utf8: {
      for (const auto c : facts.bad_utf8_columns)
        add((c < binding.header.size() ? binding.header[c] : "field " + std::to_string(c + 1)) +
            ": invalid_utf8");
      if (facts.bad_utf8_columns.empty()) add("invalid_utf8");
      break;
    }
    case RowDefect::none:
      break;
  }
  for (const auto c : facts.pass_columns) {
    const auto why = pass_field_problem(facts, c);
    if (!why.empty())
      add((c < binding.header.size() ? binding.header[c] : "field " + std::to_string(c + 1)) +
          ": id_unreadable: " + std::string(why));
  }
  for (Eigen::Index k = 0; k < coded.items(); ++k) {
    const Reason why = coded.reason(r, k);
    if (is_invalid(why))
      add(binding.column_name(ins, static_cast<std::size_t>(k)) + ": " +
          std::string(to_string(why)));
  }
  if (st == Status::insufficient) {
    std::string dims;
    for (Eigen::Index d = 0; d < scores.dimension.cols(); ++d)
      if (std::isnan(scores.dimension(r, d)))
        dims += (dims.empty() ? "" : ",") + ins.dimensions[static_cast<std::size_t>(d)];
    add("insufficient_coverage: " + dims);
  }
  return out;
}

}  // namespace reinscore::io
