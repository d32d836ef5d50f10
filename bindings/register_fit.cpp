#include "pybind11.hpp"

void register_fit(py::module_& m) { (void)m; }
