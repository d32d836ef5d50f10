#include "pybind11.hpp"

#include "io/column_binding.hpp"
#include "io/table.hpp"

#include <reinscore/detail/strings.hpp>

#include <map>

#include <string>
#include <unordered_map>

namespace {

// A column factorised as it is read: int codes plus the distinct strings, which is what
// pandas' Categorical holds and what scoring needs (each distinct answer coded once).
struct ViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

struct Factorised {
  std::vector<std::int64_t> codes;
  std::vector<std::string> categories;
  // Heterogeneous lookup: no string is built for an answer already seen.
  std::unordered_map<std::string, std::int64_t, ViewHash, std::equal_to<>> index;
  std::string_view last;  // exports repeat answers; skip the hash when the cell repeats
  std::int64_t last_code = -1;
  void add(std::string_view s) {
    if (last_code >= 0 && s == last) {
      codes.push_back(last_code);
      return;
    }
    auto it = index.find(s);
    if (it == index.end())
      it = index.emplace(std::string(s), static_cast<std::int64_t>(categories.size())).first;
    if (static_cast<std::size_t>(it->second) == categories.size()) categories.emplace_back(s);
    last = it->first;
    last_code = it->second;
    codes.push_back(it->second);
  }
};

}  // namespace

void register_io(py::module_& m) {
  m.def(
      "read_table",
      [](const std::string& path, const std::string& delimiter, const std::string& sheet) {
        reinscore::io::OpenOptions opts;
        if (!delimiter.empty()) opts.delimiter = delimiter[0];
        opts.sheet = sheet;
        std::vector<std::string> header;
        std::vector<Factorised> cols;
        std::vector<std::uint64_t> record;
        std::vector<std::uint32_t> fields;
        std::vector<std::uint8_t> flags;
        std::vector<std::uint8_t> blank;  // every field empty after trimming, as the CLI decides
        std::vector<std::pair<std::size_t, std::size_t>> bad_utf8;  // (row, column)
        char delim = 0;
        {
          // Reading touches no Python object.
          py::gil_scoped_release release;
          auto reader = reinscore::io::open_table(path, opts);
          header = reader->header();
          delim = reader->delimiter();
          cols.resize(header.size());
          reinscore::io::RecordBatch batch;
          while (reader->next(batch, 65536)) {
            for (std::size_t r = 0; r < batch.rows(); ++r) {
              const auto row = batch.row(r);
              record.push_back(batch.record[r]);
              fields.push_back(static_cast<std::uint32_t>(row.size()));
              flags.push_back(batch.flags[r]);
              // Over the fields the row has (extra fields of a ragged row included, invalid
              // UTF-8 ones too): the same test as the command line's BatchScorer.
              bool is_blank = true;
              for (const auto& f : row) is_blank = is_blank && reinscore::detail::trim(f).empty();
              blank.push_back(is_blank ? 1 : 0);
              const bool check = batch.flags[r] & reinscore::io::row_invalid_utf8;
              for (std::size_t c = 0; c < cols.size(); ++c) {
                std::string_view v = c < row.size() ? row[c] : std::string_view{};
                // Python strings must be valid UTF-8: such a field is reported, not passed on.
                if (check && !reinscore::io::is_valid_utf8(v)) {
                  bad_utf8.emplace_back(record.size() - 1, c);
                  v = {};
                }
                cols[c].add(v);
              }
            }
          }
        }
        py::list columns;
        for (auto& c : cols)
          columns.append(py::make_tuple(
              py::array_t<std::int64_t>(static_cast<py::ssize_t>(c.codes.size()), c.codes.data()),
              c.categories));
        return py::dict(
            "header"_a = header, "columns"_a = columns,
            "record"_a =
                py::array_t<std::uint64_t>(static_cast<py::ssize_t>(record.size()), record.data()),
            "fields"_a =
                py::array_t<std::uint32_t>(static_cast<py::ssize_t>(fields.size()), fields.data()),
            "flags"_a =
                py::array_t<std::uint8_t>(static_cast<py::ssize_t>(flags.size()), flags.data()),
            "blank"_a =
                py::array_t<std::uint8_t>(static_cast<py::ssize_t>(blank.size()), blank.data()),
            "delimiter"_a = std::string(delim ? 1 : 0, delim), "bad_utf8"_a = bad_utf8);
      },
      "path"_a, "delimiter"_a = "", "sheet"_a = "",
      "Reads a CSV/TSV/XLSX file with reinscore's readers; columns come factorised.");
}

void register_binding(py::module_& m) {
  m.def(
      "bind_columns",
      [](const reinscore::Instrument& ins, const std::vector<std::string>& header,
         const std::map<std::string, std::string>& column_map) {
        const auto b = reinscore::io::bind_columns(ins, header, column_map);
        std::vector<long long> item_column;
        for (const auto c : b.item_column)
          item_column.push_back(
              c == reinscore::io::ColumnBinding::none ? -1 : static_cast<long long>(c));
        py::list problems;
        for (const auto& p : b.problems)
          problems.append(py::dict("rule"_a = p.rule, "column"_a = p.column,
                                   "message"_a = p.message, "fatal"_a = p.fatal));
        return py::make_tuple(item_column, problems);
      },
      "instrument"_a, "header"_a, "column_map"_a = std::map<std::string, std::string>{},
      "Matches header columns to items exactly as the command line does.");
}
