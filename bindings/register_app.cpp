// The application layer's Report, its tables and columns, scores tables and the
// instrument search path, for every Python wrapper (python/reinscore/_report.py builds
// DataFrames from these; nothing is computed on the Python side).
#include "app_types.hpp"

#include <reinscore/app/evaluation.hpp>
#include <reinscore/app/render.hpp>

#include <string>
#include <utility>
#include <vector>

using namespace reinscore;

namespace {

// A read-only numpy view of `data` that keeps `owner` (the Python object of the column)
// alive.
template <class T>
py::array view(const std::vector<T>& data, py::handle owner) {
  py::array_t<T> a(static_cast<py::ssize_t>(data.size()), data.data(), owner);
  a.attr("flags").attr("writeable") = false;
  return a;
}

// The parts of `self` (tables of a report, columns of a table) as Python objects that keep
// `self` alive.
template <class T>
py::list views(const py::object& self, std::vector<T>& parts) {
  py::list out;
  for (auto& p : parts) out.append(py::cast(&p, py::return_value_policy::reference_internal, self));
  return out;
}

}  // namespace

namespace {

// Whole numbers as their digits (exact beyond 2^53: ids), which the scores reader types
// as numbers again; `missing` marks the cells of a nullable column that have no value.
template <class T>
app::RawColumn whole_numbers(app::RawColumn c, const py::array& a, const py::handle& missing) {
  const auto v = a.cast<py::array_t<T, py::array::c_style | py::array::forcecast>>();
  const auto n = static_cast<std::size_t>(v.size());
  std::vector<bool> present(n, true);
  bool all_present = true;
  if (!missing.is_none()) {
    const auto m = missing.cast<py::array_t<bool, py::array::c_style | py::array::forcecast>>();
    if (static_cast<std::size_t>(m.size()) != n)
      throw std::invalid_argument("column '" + c.name + "': mask and values differ in length");
    for (std::size_t i = 0; i < n; ++i)
      if (m.data()[i]) present[i] = all_present = false;
  }
  c.text.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    if (present[i]) c.text[i] = std::to_string(v.data()[i]);
  if (!all_present) c.present = std::move(present);
  return c;
}

}  // namespace

app::RawColumn raw_column(const std::string& name, const py::handle& values) {
  app::RawColumn c;
  c.name = name;
  py::handle data = values, missing = py::none();
  if (py::isinstance<py::tuple>(values) && py::len(values) == 2) {  // (whole numbers, missing)
    const auto t = py::reinterpret_borrow<py::tuple>(values);
    data = t[0];
    missing = t[1];
    if (!py::isinstance<py::array>(data))
      throw std::invalid_argument("column '" + name + "': a masked column must be an array");
  }
  if (py::isinstance<py::array>(data)) {
    const auto a = py::reinterpret_borrow<py::array>(data);
    if (a.ndim() != 1)
      throw std::invalid_argument("scores_table: column '" + name + "' is not one-dimensional");
    const char kind = a.dtype().kind();
    if (kind == 'i') return whole_numbers<std::int64_t>(std::move(c), a, missing);
    if (kind == 'u') return whole_numbers<std::uint64_t>(std::move(c), a, missing);
    if (kind == 'f' && missing.is_none()) {
      const auto f = a.cast<py::array_t<double, py::array::c_style | py::array::forcecast>>();
      c.numeric = true;
      c.number.assign(f.data(), f.data() + f.size());
      return c;
    }
    if (!missing.is_none())
      throw std::invalid_argument("column '" + name + "': only whole numbers come with a mask");
  }
  // Anything else: a sequence of str or None, given as it is (never parsed here).
  const auto seq = py::reinterpret_borrow<py::sequence>(values);
  const auto n = static_cast<std::size_t>(py::len(seq));
  c.text.resize(n);
  bool all_present = true;
  std::vector<bool> present(n, true);
  for (std::size_t i = 0; i < n; ++i) {
    const py::handle v = seq[i];
    if (v.is_none()) {
      present[i] = false;
      all_present = false;
    } else if (py::isinstance<py::str>(v)) {
      c.text[i] = v.cast<std::string>();
    } else {
      throw std::invalid_argument("scores_table: column '" + name +
                                  "' must hold text or None (convert it with astype(str))");
    }
  }
  if (!all_present) c.present = std::move(present);
  return c;
}

void register_app(py::module_& m) {
  py::class_<app::Column>(m, "ReportColumn", "One typed column of a report table.")
      .def_readonly("name", &app::Column::name)
      .def_property_readonly(
          "kind", [](const app::Column& c) { return std::string(app::kind_name(c.kind)); })
      .def_readonly("digits", &app::Column::digits)
      .def_property_readonly(
          "values",
          [](py::object self) {
            const auto& c = self.cast<const app::Column&>();
            return view(c.values, self);
          },
          "Numbers (NaN where missing or suppressed), as a read-only view.")
      .def_readonly("text", &app::Column::text)
      .def_property_readonly(
          "state",
          [](py::object self) {
            const auto& c = self.cast<const app::Column&>();
            std::vector<std::uint8_t> s(c.size());
            for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(c.cell(i));
            return to_numpy(std::move(s));
          },
          "Per cell: 0 value, 1 missing, 2 suppressed.");

  py::class_<app::Table>(m, "ReportTable", "A table of a report: typed columns of one length.")
      .def_readonly("name", &app::Table::name)
      .def_readonly("title", &app::Table::title)
      .def_readonly("keys", &app::Table::keys)
      .def_readonly("min_cell", &app::Table::min_cell)
      .def_property_readonly("rows", &app::Table::rows)
      .def_property_readonly(
          "columns", [](py::object self) { return views(self, self.cast<app::Table&>().columns); })
      .def(
          "render",
          [](const app::Table& t, const std::string& format) {
            return app::render(t, app::parse_format(format, "format"));
          },
          "format"_a = "table", "The table as the command line prints it: table, csv or json.");

  py::class_<app::Report>(m, "Report", "What a command returns: typed tables and notes.")
      .def_readonly("command", &app::Report::command)
      .def_property_readonly(
          "tables", [](py::object self) { return views(self, self.cast<app::Report&>().tables); })
      .def_property_readonly(
          "notes",
          [](const app::Report& r) {
            py::list out;
            for (const auto& n : r.notes)
              out.append(py::make_tuple(n.level == app::Note::Level::warning ? "warning" : "info",
                                        n.text));
            return out;
          })
      .def(
          "table",
          [](py::object self, const std::string& name) {
            auto& r = self.cast<app::Report&>();
            for (auto& t : r.tables)
              if (t.name == name)
                return py::cast(&t, py::return_value_policy::reference_internal, self);
            throw py::key_error("the report has no table '" + name + "'");
          },
          "name"_a)
      .def("has_table", &app::Report::has_table, "name"_a)
      .def(
          "render",
          [](const app::Report& r, const std::string& format) {
            return app::render(r, app::parse_format(format, "format"));
          },
          "format"_a = "table");

  py::class_<app::ScoresTable>(m, "ScoresTable",
                               "A scores table read by the one reader of the application layer.")
      .def_property_readonly("rows", &app::ScoresTable::rows)
      .def_property_readonly("scores", &app::ScoresTable::scores)
      .def_property_readonly("tags", &app::ScoresTable::tags)
      .def_property_readonly("has_status", &app::ScoresTable::has_status)
      .def_property_readonly("header", &app::ScoresTable::header);

  m.def(
      "scores_table",
      [](const std::vector<std::pair<std::string, py::object>>& columns,
         const std::vector<std::pair<std::string, std::string>>& want, bool allow_mixed,
         bool need_status, bool all_columns, const std::string& source) {
        std::vector<app::RawColumn> raw;
        raw.reserve(columns.size());
        for (const auto& [name, values] : columns) raw.push_back(raw_column(name, values));
        app::ScoresWant w;
        w.columns = want;
        w.allow_mixed = allow_mixed;
        w.need_status = need_status;
        w.all_columns = all_columns;
        py::gil_scoped_release release;
        return app::ScoresTable(std::move(raw), w, 1, source);
      },
      "columns"_a, "want"_a = std::vector<std::pair<std::string, std::string>>{},
      "allow_mixed"_a = false, "need_status"_a = false, "all_columns"_a = false,
      "source"_a = "the DataFrame",
      "A scores table from (name, column) pairs: float64 arrays, whole-number arrays "
      "(optionally as (values, missing mask)) or sequences of str/None.");

  m.def(
      "key_texts",
      [](const std::string& name, const py::object& values) {
        const app::RawColumn c = raw_column(name, values);
        const std::size_t n = c.numeric ? c.number.size() : c.text.size();
        std::vector<std::string> out(n);
        for (std::size_t i = 0; i < n; ++i) {
          if (!c.present.empty() && !c.present[i])
            throw std::invalid_argument(name + ": value " + std::to_string(i + 1) + " is missing");
          out[i] = c.numeric ? app::key_text(c.number[i]) : c.text[i];
        }
        return out;
      },
      "name"_a, "values"_a,
      "Values (a column as scores_table takes it) as the text a key cell of the same value "
      "has in a scores table: 1.0 is \"1\", as in a file.");

  m.def(
      "read_scores",
      [](const std::string& path, const std::vector<std::pair<std::string, std::string>>& want,
         bool allow_mixed, bool need_status, bool all_columns) {
        app::ScoresWant w;
        w.columns = want;
        w.allow_mixed = allow_mixed;
        w.need_status = need_status;
        w.all_columns = all_columns;
        py::gil_scoped_release release;
        return app::read_scores(path, w);
      },
      "path"_a, "want"_a = std::vector<std::pair<std::string, std::string>>{},
      "allow_mixed"_a = false, "need_status"_a = false, "all_columns"_a = false,
      "A scores file read as the command line reads it.");

  py::class_<app::InstrumentSearch>(m, "InstrumentSearch",
                                    "Directories searched for instrument names.")
      .def(py::init<>())
      .def_readwrite("dirs", &app::InstrumentSearch::dirs)
      .def_static("from_environment", &app::InstrumentSearch::from_environment, "builtin"_a,
                  "$REINSCORE_INSTRUMENT_PATH, then `builtin` (existing directories only).");

  // The evaluators' report (include/reinscore/app/evaluation.hpp).
  py::class_<app::EvaluationRequest>(m, "EvaluationRequest",
                                     "Options of `reinscore report` (app/evaluation.hpp).")
      .def(py::init<>())
      .def_readwrite("instrument", &app::EvaluationRequest::instrument)
      .def_readwrite("weights", &app::EvaluationRequest::weights)
      .def_readwrite("by", &app::EvaluationRequest::by)
      .def_readwrite("weight", &app::EvaluationRequest::weight)
      .def_readwrite("strata", &app::EvaluationRequest::strata)
      .def_readwrite("cluster", &app::EvaluationRequest::cluster)
      .def_readwrite("returnee_id", &app::EvaluationRequest::returnee_id)
      .def_readwrite("round", &app::EvaluationRequest::round)
      .def_readwrite("levels", &app::EvaluationRequest::levels)
      .def_readwrite("title", &app::EvaluationRequest::title)
      .def_readwrite("lang", &app::EvaluationRequest::lang)
      .def_readwrite("min_cell", &app::EvaluationRequest::min_cell)
      .def_readwrite("level", &app::EvaluationRequest::level)
      .def_readwrite("date", &app::EvaluationRequest::date)
      .def_readwrite("input", &app::EvaluationRequest::input)
      .def("check", &app::EvaluationRequest::check)
      .def("command_line", &app::EvaluationRequest::command_line, "input_name"_a);
  py::class_<app::Document>(m, "Document", "The report: sections of tables and charts.")
      .def_readonly("lang", &app::Document::lang)
      .def_readonly("title", &app::Document::title)
      .def_readonly("banners", &app::Document::banners)
      .def_property_readonly(
          "tables",
          [](py::object self) {
            py::list out;
            for (const app::Table* t : self.cast<const app::Document&>().tables())
              out.append(py::cast(t, py::return_value_policy::reference_internal, self));
            return out;
          },
          "Every table, in document order.")
      .def("table_file_names", [](const app::Document& d) { return app::table_file_names(d); })
      .def(
          "html", [](const app::Document& d) { return py::bytes(app::render_html(d)); },
          "The HTML file, as bytes (what `reinscore report -o` writes).");
  m.def(
      "evaluation",
      [](const std::string& path, const app::EvaluationRequest& request,
         const app::InstrumentSearch& search) {
        py::gil_scoped_release release;
        return app::evaluation(path, request, search);
      },
      "path"_a, "request"_a, "search"_a, "The report of `reinscore report` for a file.");
}
