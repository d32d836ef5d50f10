#include "pybind11.hpp"

#include "io/batch.hpp"

#include <reinscore/coder.hpp>
#include <reinscore/scorer.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace reinscore;

namespace {

// numpy views over memory owned by a heap object; the capsule keeps it alive.
template <class T, class Owner>
py::array_t<T> view(const std::shared_ptr<Owner>& owner, const T* data,
                    std::vector<py::ssize_t> shape, std::vector<py::ssize_t> strides) {
  auto* keep = new std::shared_ptr<Owner>(owner);
  py::capsule base(keep, [](void* p) { delete static_cast<std::shared_ptr<Owner>*>(p); });
  return py::array_t<T>(shape, strides, data, base);
}

struct Result {
  CodedBlock coded;
  ScoreBlock scores;
  Eigen::MatrixXd contrib, lost;
  std::vector<std::int32_t> lowest, category;
  std::vector<std::uint8_t> status;
};

// One input column: categorical codes into a small table of coded cells (each category
// is coded once), or numbers coded cell by cell.
struct Column {
  bool present = false;
  bool numeric = false;
  py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> codes;
  py::array_t<double, py::array::c_style | py::array::forcecast> numbers;
  std::vector<CodedCell> table;
};

}  // namespace

void register_scoring(py::module_& m) {
  m.def(
      "score_columns",
      [](const Instrument& ins, const py::list& columns, std::size_t n, const std::string& weights,
         bool explain, const py::object& defects,
         const std::optional<std::vector<std::string>>& header,
         const std::vector<long long>& item_column, const py::object& fields,
         const std::vector<std::pair<std::size_t, std::size_t>>& bad_utf8,
         const std::vector<std::size_t>& pass_columns) {
        const Coder coder(ins);
        const Scorer scorer(ins, weights);
        if (columns.size() != ins.items.size())
          throw std::invalid_argument("score_columns: expected " +
                                      std::to_string(ins.items.size()) + " columns, one per item");
        std::vector<Column> cols(ins.items.size());
        for (std::size_t k = 0; k < cols.size(); ++k) {
          const py::object c = columns[k];
          if (c.is_none()) continue;
          const auto t = c.cast<py::tuple>();
          const auto kind = t[0].cast<std::string>();
          Column& col = cols[k];
          col.present = true;
          if (kind == "num") {
            col.numeric = true;
            col.numbers = t[1].cast<decltype(col.numbers)>();
            if (col.numbers.ndim() != 1 || static_cast<std::size_t>(col.numbers.shape(0)) != n)
              throw std::invalid_argument("score_columns: column of item '" + ins.items[k].id +
                                          "' has the wrong length");
          } else if (kind == "cat") {
            col.codes = t[1].cast<decltype(col.codes)>();
            if (col.codes.ndim() != 1 || static_cast<std::size_t>(col.codes.shape(0)) != n)
              throw std::invalid_argument("score_columns: column of item '" + ins.items[k].id +
                                          "' has the wrong length");
            for (const auto cat : t[2].cast<py::list>()) {
              if (cat.is_none()) {
                col.table.push_back(CodedCell{});
              } else if (py::isinstance<py::str>(cat)) {
                col.table.push_back(coder.item(k).code(cat.cast<std::string>()));
              } else if (py::isinstance<py::bool_>(cat)) {
                throw py::type_error("column of item '" + ins.items[k].id +
                                     "': booleans are not answer codes");
              } else if (py::isinstance<py::int_>(cat) || py::isinstance<py::float_>(cat)) {
                col.table.push_back(coder.item(k).code(cat.cast<double>()));
              } else {
                throw py::type_error("column of item '" + ins.items[k].id +
                                     "': answers must be strings or numbers, found " +
                                     std::string(py::str(py::type::of(cat).attr("__name__"))));
              }
            }
          } else {
            throw std::invalid_argument("score_columns: unknown column kind '" + kind + "'");
          }
        }
        // With the header, the `problems` text is built here, by the command line's code.
        reinscore::io::ColumnBinding binding;
        if (header) {
          if (item_column.size() != ins.items.size())
            throw std::invalid_argument("score_columns: item_column needs one entry per item");
          binding.header = *header;
          for (const auto c : item_column)
            binding.item_column.push_back(c < 0 || static_cast<std::size_t>(c) >= header->size()
                                              ? reinscore::io::ColumnBinding::none
                                              : static_cast<std::size_t>(c));
        }
        py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast> field_arr;
        if (!fields.is_none()) {
          field_arr = fields.cast<decltype(field_arr)>();
          if (field_arr.ndim() != 1 || static_cast<std::size_t>(field_arr.shape(0)) != n)
            throw std::invalid_argument("score_columns: fields must have one entry per row");
        }
        std::vector<std::vector<std::size_t>> bad_columns;
        for (const auto& [row, col] : bad_utf8) {
          if (row >= n) throw std::invalid_argument("score_columns: bad_utf8 row out of range");
          if (bad_columns.empty()) bad_columns.resize(n);
          bad_columns[row].push_back(col);
        }
        std::vector<std::pair<std::size_t, std::string>> problems;
        std::vector<std::pair<std::size_t, std::size_t>> pass_unreadable;  // (row, j)
        if (!pass_columns.empty() && !header)
          throw std::invalid_argument("score_columns: pass_columns needs the header");
        py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast> defect_arr;
        const bool has_defects = !defects.is_none();
        if (has_defects) {
          defect_arr = defects.cast<decltype(defect_arr)>();
          if (defect_arr.ndim() != 1 || static_cast<std::size_t>(defect_arr.shape(0)) != n)
            throw std::invalid_argument("score_columns: defects must have one entry per row");
        }

        auto res = std::make_shared<Result>();
        {
          // From here on only C++ memory is touched (the numpy buffers are held by
          // `cols`, which outlives this block): safe to let other Python threads run.
          py::gil_scoped_release release;
          const auto rows = static_cast<Eigen::Index>(n);
          res->coded.resize(rows, static_cast<Eigen::Index>(cols.size()));
          for (std::size_t k = 0; k < cols.size(); ++k) {
            const auto kk = static_cast<Eigen::Index>(k);
            const Column& col = cols[k];
            if (!col.present) {
              for (Eigen::Index r = 0; r < rows; ++r) res->coded.set(r, kk, CodedCell{});
            } else if (col.numeric) {
              const double* x = col.numbers.data();
              for (Eigen::Index r = 0; r < rows; ++r)
                res->coded.set(r, kk, coder.item(k).code(x[r]));
            } else {
              const std::int64_t* c = col.codes.data();
              const auto size = static_cast<std::int64_t>(col.table.size());
              for (Eigen::Index r = 0; r < rows; ++r)
                res->coded.set(r, kk,
                               c[r] >= 0 && c[r] < size ? col.table[static_cast<std::size_t>(c[r])]
                                                        : CodedCell{});
            }
          }
          // Malformed rows (from the file readers) as in the command line.
          if (has_defects) reinscore::io::clear_defective_rows(defect_arr.data(), res->coded);
          scorer.score(res->coded, res->scores);
          if (has_defects) reinscore::io::invalidate_defective_rows(defect_arr.data(), res->scores);
          if (header) {
            const std::uint8_t* d = has_defects ? defect_arr.data() : nullptr;
            for (std::size_t r = 0; r < n; ++r) {
              reinscore::io::RowFacts facts;
              if (d) facts.defect = static_cast<reinscore::io::RowDefect>(d[r]);
              if (field_arr.size() > 0) facts.fields = field_arr.data()[r];
              if (!bad_columns.empty()) facts.bad_utf8_columns = bad_columns[r];
              facts.pass_columns = pass_columns;
              for (std::size_t j = 0; j < pass_columns.size(); ++j)
                if (!reinscore::io::pass_field_problem(facts, pass_columns[j]).empty())
                  pass_unreadable.emplace_back(r, j);
              auto text = reinscore::io::row_problems(ins, binding, res->coded, res->scores,
                                                      static_cast<Eigen::Index>(r), facts);
              if (!text.empty()) problems.emplace_back(r, std::move(text));
            }
          }
          res->status.resize(n);
          res->lowest.resize(n);
          res->category.resize(n);
          for (std::size_t r = 0; r < n; ++r) {
            res->status[r] = static_cast<std::uint8_t>(res->scores.status[r]);
            res->lowest[r] = res->scores.lowest[r];
            res->category[r] = res->scores.category[r];
          }
          if (explain) {
            const auto K = static_cast<Eigen::Index>(cols.size());
            res->contrib = Eigen::MatrixXd::Constant(rows, K, std::nan(""));
            res->lost = Eigen::MatrixXd::Constant(rows, K, std::nan(""));
            for (Eigen::Index r = 0; r < rows; ++r) {
              if (res->scores.status[static_cast<std::size_t>(r)] == Status::invalid) continue;
              const auto parts = scorer.explain(res->coded, r, res->scores);
              for (const auto& p : parts) {
                if (p.reason != Reason::answered) continue;
                res->contrib(r, static_cast<Eigen::Index>(p.item)) = p.to_dimension;
                res->lost(r, static_cast<Eigen::Index>(p.item)) = p.lost;
              }
            }
          }
        }
        const auto N = static_cast<py::ssize_t>(n);
        const auto D = static_cast<py::ssize_t>(res->scores.dimension.cols());
        const auto K = static_cast<py::ssize_t>(cols.size());
        constexpr auto f8 = static_cast<py::ssize_t>(sizeof(double));
        py::dict out;
        // Eigen matrices are column-major: Fortran-ordered views, no copy.
        out["dimension"] = view(res, res->scores.dimension.data(), {N, D}, {f8, f8 * N});
        out["coverage"] = view(res, res->scores.coverage.data(), {N, D}, {f8, f8 * N});
        out["composite"] = view(res, res->scores.composite.data(), {N}, {f8});
        out["values"] = view(res, res->coded.values.data(), {N, K}, {f8, f8 * N});
        out["reasons"] = view(res, res->coded.reasons.data(), {N, K}, {1, N});
        out["status"] = view(res, res->status.data(), {N}, {1});
        out["lowest"] = view(res, res->lowest.data(), {N}, {4});
        out["category"] = view(res, res->category.data(), {N}, {4});
        out["problems"] = problems;                // (row, text) for the rows that have any
        out["pass_unreadable"] = pass_unreadable;  // (row, j): pass column j left empty
        if (explain) {
          out["contrib"] = view(res, res->contrib.data(), {N, K}, {f8, f8 * N});
          out["lost"] = view(res, res->lost.data(), {N, K}, {f8, f8 * N});
        }
        return out;
      },
      "instrument"_a, "columns"_a, "n"_a, "weights"_a = "", "explain"_a = false,
      "defects"_a = py::none(), "header"_a = py::none(), "item_column"_a = std::vector<long long>{},
      "fields"_a = py::none(), "bad_utf8"_a = std::vector<std::pair<std::size_t, std::size_t>>{},
      "pass_columns"_a = std::vector<std::size_t>{},
      "Codes and scores columns (one entry per item: None, ('num', float array) or "
      "('cat', int codes, categories)). Returns numpy arrays; with `header` and `item_column`, "
      "also `problems`: (row, text) for the rows that have any, as the command line writes them, "
      "and `pass_unreadable`: (row, j) for each `pass_columns[j]` (header indices of the id and "
      "kept columns) that must be left empty in that row.");

  m.attr("status_names") = std::vector<std::string>(status_names.begin(), status_names.end());
  m.attr("reason_names") = std::vector<std::string>(reason_names.begin(), reason_names.end());
}
