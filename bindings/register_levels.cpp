// reinscore._core: the integrate command of the application layer
// (include/reinscore/app/integrate.hpp). Python hands over the scores table, the level files
// (read and scored here from a path, or scored by the core's scorer from a data frame) and
// the instruments; the report comes back whole.
#include "app_types.hpp"
#include "pybind11.hpp"

#include <pybind11/eigen.h>

#include <reinscore/app/integrate.hpp>
#include <reinscore/error.hpp>
#include <reinscore/levels.hpp>

#include <algorithm>
#include <optional>

using namespace reinscore;

void register_levels(py::module_& m) {
  py::class_<app::IntegrateRequest>(m, "IntegrateRequest",
                                    "Options of integrate (include/reinscore/app/integrate.hpp).")
      .def(py::init<>())
      .def_readwrite("instrument", &app::IntegrateRequest::instrument)
      .def_readwrite("weights", &app::IntegrateRequest::weights)
      .def_readwrite("community_instrument", &app::IntegrateRequest::community_instrument)
      .def_readwrite("structural_instrument", &app::IntegrateRequest::structural_instrument)
      .def_property(
          "min_respondents", [](const app::IntegrateRequest& r) { return r.min_respondents; },
          [](app::IntegrateRequest& r, std::optional<long long> v) {
            // A negative number becomes 0, which check() refuses with the option's range.
            if (v)
              r.min_respondents = static_cast<std::uint64_t>(std::max(*v, 0LL));
            else
              r.min_respondents.reset();
          })
      .def_readwrite("weight", &app::IntegrateRequest::weight)
      .def_readwrite("by", &app::IntegrateRequest::by)
      .def_readwrite("allow_mixed", &app::IntegrateRequest::allow_mixed)
      .def_readwrite("digits", &app::IntegrateRequest::digits)
      .def("check", &app::IntegrateRequest::check);

  py::class_<app::LevelFile>(m, "LevelFile", "A level file scored with its instrument.")
      .def_readonly("source", &app::LevelFile::source)
      .def_readonly("tag", &app::LevelFile::tag)
      .def_property_readonly("rows", [](const app::LevelFile& f) { return f.key.size(); });

  m.def("check_framework", &app::check_framework, "instrument"_a, "level"_a, "option"_a,
        "Refuses a framework of another level or without unit_key (input_error).");
  m.def(
      "integrate_want",
      [](const app::IntegrateRequest& r, const Instrument& community,
         const Instrument& structural) {
        return app::integrate_want(r, community, structural).columns;
      },
      "request"_a, "community"_a, "structural"_a,
      "The (column, option) pairs a run reads from the scores besides the score columns.");
  m.def("scores_instrument", &app::scores_instrument, "scores"_a, "search"_a,
        "The instrument the scores' tag names, looked up by plain name, with the weight set "
        "the tag names.");
  m.def(
      "read_level_file",
      [](const std::string& path, const Instrument& ins, const std::string& key,
         const std::string& parent) {
        py::gil_scoped_release release;
        return app::read_level_file(path, ins, key, parent);
      },
      "path"_a, "instrument"_a, "key"_a, "parent"_a = "",
      "A raw answer file read and scored as the command line does it.");
  m.def(
      "level_file",
      [](const std::string& source, const Instrument& ins, const std::string& key_column,
         const py::object& key, const py::object& parent, const Eigen::MatrixXd& scores,
         const std::vector<std::uint8_t>& status, const std::vector<std::uint64_t>& rows) {
        if (key.is_none())
          throw input_error("missing_column", source + ": not in the data", 0, key_column);
        const app::RawColumn k = raw_column(key_column, key);
        std::optional<app::RawColumn> p;
        if (!parent.is_none()) p = raw_column("parent", parent);
        std::vector<Status> st;
        for (const auto s : status) {
          if (s >= status_names.size())
            throw std::invalid_argument("level_file: status codes must index status_names");
          st.push_back(static_cast<Status>(s));
        }
        return app::level_file(source, ins, k, p ? &*p : nullptr, scores, std::move(st), rows);
      },
      "source"_a, "instrument"_a, "key_column"_a, "key"_a, "parent"_a, "scores"_a, "status"_a,
      "rows"_a,
      "A level file scored by the caller: the key column (None when the data has none) and "
      "parent column as _report._column gives them, scores (rows x dimensions + composite), "
      "status codes and source rows.");
  m.def(
      "integrate",
      [](const app::ScoresTable& scores, const app::LevelFile& community,
         const app::LevelFile& structural, const std::optional<app::LevelFile>& host,
         const Instrument& individual, const Instrument& community_instrument,
         const Instrument& structural_instrument, const app::IntegrateRequest& request) {
        py::gil_scoped_release release;
        return app::integrate(scores, community, structural, host ? &*host : nullptr, individual,
                              community_instrument, structural_instrument, request);
      },
      "scores"_a, "community"_a, "structural"_a, "host"_a, "individual"_a, "community_instrument"_a,
      "structural_instrument"_a, "request"_a, "The report of `reinscore integrate`.");

  m.def(
      "integration_settings",
      [](const Instrument& ins) -> py::object {
        if (!ins.integration) return py::none();
        const auto& g = *ins.integration;
        return py::dict("provisional"_a = g.provisional,
                        "level_weights"_a = py::dict("individual"_a = g.level_weights[0],
                                                     "community"_a = g.level_weights[1],
                                                     "structural"_a = g.level_weights[2]),
                        "min_respondents"_a = g.min_respondents,
                        "min_level_share"_a = g.min_level_share);
      },
      "instrument"_a,
      "The instrument's `integration` object as a dict, or None when it declares none.");
}
