// The application layer's types as seen from Python (bindings/register_app.cpp): bound
// functions return app::Report by value and take app::ScoresTable / app::InstrumentSearch.
#pragma once

#include "pybind11.hpp"

#include <reinscore/app/instruments.hpp>
#include <reinscore/app/report.hpp>
#include <reinscore/app/scores.hpp>

void register_app(py::module_& m);

/// A column handed over by Python as it is (a float64 array, or a sequence of str/None;
/// never parsed here), for the application layer's readers.
reinscore::app::RawColumn raw_column(const std::string& name, const py::handle& values);
