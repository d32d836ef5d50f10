// Included first by every binding source: one place for pybind11 includes and aliases.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <utility>
#include <vector>

namespace py = pybind11;
using namespace pybind11::literals;

// The capsule of the moving overload frees the vector when numpy is done with it.
/// A copy of `v` as a one-dimensional numpy array (for vectors the caller keeps).
template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
  return py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data());
}

/// Same, taking over `v` instead of copying it.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule base(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(owned->size()), owned->data(), base);
}

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
