// Included first by every binding source: one place for pybind11 includes and aliases.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace pybind11::literals;

void register_instrument(py::module_& m);
void register_scoring(py::module_& m);
void register_io(py::module_& m);
void register_cli(py::module_& m);
void register_binding(py::module_& m);
void register_fit(py::module_& m);
void register_reliability(py::module_& m);
void register_summary(py::module_& m);
void register_panel(py::module_& m);
void register_levels(py::module_& m);
