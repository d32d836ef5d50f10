#include "pybind11.hpp"

void register_levels(py::module_& m) { (void)m; }
