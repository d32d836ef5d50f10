// Panel analysis: the panel command of the application layer
// (include/reinscore/app/panel.hpp). python/reinscore/_panel.py builds DataFrames from the
// Report; ids, rounds, weights, dates and categories are read in C++ only.
#include "app_types.hpp"
#include "pybind11.hpp"

#include <reinscore/app/panel.hpp>

using namespace reinscore;

void register_panel(py::module_& m) {
  py::class_<app::PanelRequest>(m, "PanelRequest",
                                "Options of panel (include/reinscore/app/panel.hpp).")
      .def(py::init<>())
      .def_readwrite("id_column", &app::PanelRequest::id_column)
      .def_readwrite("round_column", &app::PanelRequest::round_column)
      .def_readwrite("from_round", &app::PanelRequest::from_round)
      .def_readwrite("to_round", &app::PanelRequest::to_round)
      .def_readwrite("weight", &app::PanelRequest::weight)
      .def_readwrite("date_column", &app::PanelRequest::date_column)
      .def_readwrite("return_date_column", &app::PanelRequest::return_date_column)
      .def_readwrite("status", &app::PanelRequest::status)
      .def_readwrite("tables", &app::PanelRequest::tables)
      .def_readwrite("min_cell", &app::PanelRequest::min_cell)
      .def_readwrite("level", &app::PanelRequest::level)
      .def_readwrite("categories", &app::PanelRequest::categories)
      .def_readwrite("instrument", &app::PanelRequest::instrument)
      .def_readwrite("allow_mixed", &app::PanelRequest::allow_mixed)
      .def("check", &app::PanelRequest::check)
      .def(
          "want",
          [](const app::PanelRequest& r) {
            const app::ScoresWant w = r.want();
            py::dict d;
            d["want"] = w.columns;
            d["allow_mixed"] = w.allow_mixed;
            d["need_status"] = w.need_status;
            d["all_columns"] = w.all_columns;
            return d;
          },
          "The arguments of reinscore._report.scores_table for this request.")
      .def("table_list", &app::PanelRequest::table_list);
  m.def(
      "panel",
      [](const app::ScoresTable& t, const app::PanelRequest& r,
         const app::InstrumentSearch& search) {
        py::gil_scoped_release release;
        return app::panel(t, r, search);
      },
      "scores"_a, "request"_a, "search"_a,
      "Panel analysis of a scores table: changes between rounds, transitions, attrition, "
      "per-returnee differences, months since return and date problems, as a Report.");
}
