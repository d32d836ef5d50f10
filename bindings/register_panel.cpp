#include "pybind11.hpp"

void register_panel(py::module_& m) { (void)m; }
