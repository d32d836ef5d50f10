#include "pybind11.hpp"

void register_summary(py::module_& m) { (void)m; }
