#include "app_types.hpp"
#include "pybind11.hpp"

#include "io/column_binding.hpp"
#include "io/pseudonymise.hpp"
#include "io/table.hpp"

#include <reinscore/app/validate.hpp>
#include <reinscore/coder.hpp>
#include <reinscore/detail/strings.hpp>

#include <map>
#include <random>

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

  /// Adds one cell. `padded`: 16 bytes past the text are readable (a padded batch).
  void add(std::string_view s, bool padded) {
    if (s.size() > 16) return add_long(s);
    const auto w = padded ? reinscore::detail::words16_padded(s) : reinscore::detail::words16(s);
    if (slots_.empty()) slots_.assign(64, Slot{});
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = reinscore::detail::hash16(w, s.size(), seed_) >> 32;; ++i) {
      Slot& e = slots_[i & mask];
      if (e.code < 0) {  // a new text
        e = {w, static_cast<std::uint32_t>(s.size()), static_cast<std::int64_t>(categories.size())};
        categories.emplace_back(s);
        codes.push_back(e.code);
        if (2 * ++used_ > slots_.size()) grow();
        return;
      }
      if (e.words == w && e.len == s.size()) {
        codes.push_back(e.code);
        return;
      }
    }
  }

 private:
  // Texts of up to 16 bytes (answers, dates, most ids) sit in an open-addressing table
  // keyed on their two words: pd.factorize-like speed without building a string per cell.
  // Longer ones go to a std::unordered_map.
  // Ids come from untrusted files: a seed nobody can predict keeps crafted texts from
  // all landing in one probe chain (the hash is a seeded multiply, detail::hash16).
  std::uint64_t seed_ = (std::uint64_t{std::random_device{}()} << 32 | std::random_device{}()) | 1;
  struct Slot {
    reinscore::detail::Words16 words;
    std::uint32_t len = 0;
    std::int64_t code = -1;
  };
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& e : old) {
      if (e.code < 0) continue;
      std::size_t i = reinscore::detail::hash16(e.words, e.len, seed_) >> 32;
      while (slots_[i & mask].code >= 0) ++i;
      slots_[i & mask] = e;
    }
  }
  void add_long(std::string_view s) {
    auto it = long_.find(s);
    if (it == long_.end()) {
      it = long_.emplace(std::string(s), static_cast<std::int64_t>(categories.size())).first;
      categories.emplace_back(s);
    }
    codes.push_back(it->second);
  }
  std::vector<Slot> slots_;
  std::size_t used_ = 0;
  std::unordered_map<std::string, std::int64_t, ViewHash, std::equal_to<>> long_;
};

// Keyed pseudonyms (score --pseudonymise): registered with the readers, io's other face.
void register_pseudonymise(py::module_& m) {
  m.def(
      "pseudonymise",
      [](const std::string& key_file, const std::vector<std::string>& values) {
        const reinscore::io::Pseudonymiser pseudonymiser(reinscore::io::load_key(key_file));
        std::vector<std::string> out(values.size());
        {
          py::gil_scoped_release release;
          for (std::size_t i = 0; i < values.size(); ++i) out[i] = pseudonymiser(values[i]);
        }
        return out;
      },
      "key_file"_a, "values"_a,
      "Keyed pseudonyms of `values` under the key in `key_file`, as `reinscore score "
      "--pseudonymise` writes them (empty values stay empty).");
  m.def(
      "hmac_sha256_hex",
      [](const py::bytes& key, const py::bytes& data) {
        const std::string k = key, d = data;
        return reinscore::io::hmac_sha256_hex(
            {reinterpret_cast<const unsigned char*>(k.data()), k.size()}, d);
      },
      "key"_a, "data"_a, "HMAC-SHA256 as the pseudonymiser computes it (for test vectors).");
  m.attr("key_file_header") = std::string(reinscore::io::key_file_header);
  m.attr("pseudonym_hex_digits") = reinscore::io::pseudonym_hex_digits;
}

}  // namespace

void register_validate(py::module_& m);  // below

void register_io(py::module_& m) {
  register_pseudonymise(m);
  register_validate(m);
  m.def(
      "read_table",
      [](const std::string& path, const std::string& delimiter, const std::string& sheet,
         const py::object& columns) {
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
        std::vector<char> wanted;  // per header column: factorise it
        {
          // Reading touches no Python object.
          py::gil_scoped_release release;
          auto reader = reinscore::io::open_table(path, opts);
          header = reader->header();
          delim = reader->delimiter();
          cols.resize(header.size());
          // Only the columns asked for are factorised: turning a column of unique ids into
          // Python strings costs more than reading and scoring the whole file.
          // `columns` may be a function of the header, so that the file is opened once.
          wanted.assign(header.size(), columns.is_none() ? 1 : 0);
          if (!columns.is_none()) {
            py::gil_scoped_acquire acquire;
            const py::object chosen = PyCallable_Check(columns.ptr()) ? columns(header) : columns;
            for (const auto c : chosen) {
              const auto i = c.cast<std::size_t>();
              if (i < wanted.size()) wanted[i] = 1;
            }
          }
          reinscore::io::RecordBatch batch;
          bool reserved = false;
          while (reader->next(batch, 65536)) {
            if (!reserved && reader->bytes_total() > 0 && reader->bytes_read() > 0) {
              // Size the columns for the whole file from the first batch, so that a million
              // rows are not copied through a dozen reallocations.
              reserved = true;
              const double per_byte =
                  static_cast<double>(batch.rows()) / static_cast<double>(reader->bytes_read());
              const auto rows = static_cast<std::size_t>(
                                    1.05 * per_byte * static_cast<double>(reader->bytes_total())) +
                                16;
              record.reserve(rows);
              fields.reserve(rows);
              flags.reserve(rows);
              blank.reserve(rows);
              for (std::size_t c = 0; c < cols.size(); ++c)
                if (wanted[c]) cols[c].codes.reserve(rows);
            }
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
                // Python strings must be valid UTF-8: such a field is reported (in every
                // column, read or not, as the command line does), not passed on.
                if (check && !reinscore::io::is_valid_utf8(v)) {
                  bad_utf8.emplace_back(record.size() - 1, c);
                  v = {};
                }
                if (wanted[c]) cols[c].add(v, batch.padded(v));
              }
            }
          }
        }
        py::list factorised;
        for (std::size_t c = 0; c < cols.size(); ++c) {
          if (!wanted[c]) {
            factorised.append(py::none());
            continue;
          }
          factorised.append(py::make_tuple(to_numpy(std::move(cols[c].codes)), cols[c].categories));
        }
        return py::dict(
            "header"_a = header, "columns"_a = factorised, "record"_a = to_numpy(std::move(record)),
            "fields"_a = to_numpy(std::move(fields)), "flags"_a = to_numpy(std::move(flags)),
            "blank"_a = to_numpy(std::move(blank)),
            "delimiter"_a = std::string(delim ? 1 : 0, delim), "bad_utf8"_a = bad_utf8);
      },
      "path"_a, "delimiter"_a = "", "sheet"_a = "", "columns"_a = py::none(),
      "Reads a CSV/TSV/XLSX file with reinscore's readers; columns come factorised (only "
      "`columns` when given: indices, or a function of the header that returns them; the "
      "others are None).");
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

namespace {

// A DataFrame column for app::validate_frame: a float64 array, or (codes, levels) as
// pandas' factorize gives them (codes -1 for a missing cell; levels as str).
reinscore::app::FrameColumn frame_column(const std::string& name, const py::handle& values) {
  reinscore::app::FrameColumn c;
  c.name = name;
  if (py::isinstance<py::tuple>(values)) {
    const auto t = py::reinterpret_borrow<py::tuple>(values);
    if (t.size() != 2)
      throw std::invalid_argument("validate_frame: column '" + name + "' must be (codes, levels)");
    const auto codes =
        t[0].cast<py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>>();
    c.code.assign(codes.data(), codes.data() + codes.size());
    c.levels = t[1].cast<std::vector<std::string>>();
    return c;
  }
  const auto x = py::reinterpret_borrow<py::object>(values)
                     .cast<py::array_t<double, py::array::c_style | py::array::forcecast>>();
  c.numeric = true;
  c.number.assign(x.data(), x.data() + x.size());
  return c;
}

}  // namespace

// `validate` (include/reinscore/app/validate.hpp): the command line's report, for files
// and for DataFrames.
void register_validate(py::module_& m) {
  using reinscore::app::ValidateRequest;
  py::class_<ValidateRequest>(m, "ValidateRequest", "Options of `reinscore validate`.")
      .def(py::init<>())
      .def_readwrite("show_codes", &ValidateRequest::show_codes)
      .def_readwrite("delimiter", &ValidateRequest::delimiter)
      .def_readwrite("sheet", &ValidateRequest::sheet)
      .def("check", &ValidateRequest::check);
  m.attr("max_rows_listed") = reinscore::app::max_rows_listed;
  m.def(
      "validate_file",
      [](const std::string& path, const reinscore::Instrument& ins,
         const std::map<std::string, std::string>& column_map, const ValidateRequest& request) {
        py::gil_scoped_release release;
        return reinscore::app::validate_file(path, ins, column_map, request);
      },
      "path"_a, "instrument"_a, "column_map"_a, "request"_a,
      "The report of `reinscore validate` for a CSV/TSV/XLSX file.");
  m.def(
      "validate_frame",
      [](const std::vector<std::pair<std::string, py::object>>& columns,
         const reinscore::Instrument& ins, const std::map<std::string, std::string>& column_map,
         const ValidateRequest& request, const std::string& source) {
        std::vector<reinscore::app::FrameColumn> cols;
        cols.reserve(columns.size());
        for (const auto& [name, values] : columns) cols.push_back(frame_column(name, values));
        py::gil_scoped_release release;
        return reinscore::app::validate_frame(cols, ins, column_map, request, source);
      },
      "columns"_a, "instrument"_a, "column_map"_a, "request"_a, "source"_a = "DataFrame",
      "The same report for (name, column) pairs: float64 arrays or (codes, levels).");
  m.def("validate_is_clean", &reinscore::app::is_clean, "report"_a);
}
