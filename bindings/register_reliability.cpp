#include "pybind11.hpp"

void register_reliability(py::module_& m) { (void)m; }
