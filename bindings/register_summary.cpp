// Survey summaries: the summarize command of the application layer
// (include/reinscore/app/summarize.hpp), and the Rao–Wu replicate factors (for tests).
#include "app_types.hpp"
#include "pybind11.hpp"

#include <reinscore/app/summarize.hpp>

#include <reinscore/summary.hpp>

#include <string>
#include <vector>

using namespace reinscore;

void register_summary(py::module_& m) {
  py::class_<app::SummarizeRequest>(m, "SummarizeRequest",
                                    "Options of summarize (include/reinscore/app/summarize.hpp).")
      .def(py::init<>())
      .def_readwrite("by", &app::SummarizeRequest::by)
      .def_readwrite("weight", &app::SummarizeRequest::weight)
      .def_readwrite("strata", &app::SummarizeRequest::strata)
      .def_readwrite("cluster", &app::SummarizeRequest::cluster)
      .def_readwrite("ci", &app::SummarizeRequest::ci)
      .def_readwrite("replicates", &app::SummarizeRequest::replicates)
      .def_readwrite("seed", &app::SummarizeRequest::seed)
      .def_readwrite("threads", &app::SummarizeRequest::threads)
      .def_readwrite("level", &app::SummarizeRequest::level)
      .def_readwrite("interval", &app::SummarizeRequest::interval)
      .def_readwrite("singleton", &app::SummarizeRequest::singleton)
      .def_readwrite("share_interval", &app::SummarizeRequest::share_interval)
      .def_readwrite("threshold", &app::SummarizeRequest::threshold)
      .def_readwrite("compare", &app::SummarizeRequest::compare)
      .def_readwrite("min_cell", &app::SummarizeRequest::min_cell)
      .def_readwrite("quantiles", &app::SummarizeRequest::quantiles)
      .def_readwrite("instrument", &app::SummarizeRequest::instrument)
      .def_readwrite("allow_mixed", &app::SummarizeRequest::allow_mixed)
      .def_readwrite("digits", &app::SummarizeRequest::digits)
      .def_readwrite("survey", &app::SummarizeRequest::survey)
      .def("check", &app::SummarizeRequest::check)
      .def("want", [](const app::SummarizeRequest& r) { return r.want().columns; });
  m.def(
      "summarize",
      [](const app::ScoresTable& t, const app::SummarizeRequest& r,
         const app::InstrumentSearch& search) {
        py::gil_scoped_release release;
        return app::summarize(t, r, search);
      },
      "scores"_a, "request"_a, "search"_a, "The report of `reinscore summarize`.");

  m.def(
      "rao_wu_factors",
      [](const std::vector<std::size_t>& psus_per_stratum, std::uint64_t seed,
         std::uint64_t replicate) {
        const auto f = rao_wu_factors(psus_per_stratum, seed, replicate);
        return to_numpy(f);
      },
      "psus_per_stratum"_a, "seed"_a, "replicate"_a,
      "Rao–Wu rescaling factors of one bootstrap replicate, one per PSU (strata in order).");
}
