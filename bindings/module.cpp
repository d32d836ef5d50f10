// reinscore._core: only wires the areas together.
#include "pybind11.hpp"

#include <reinscore/error.hpp>

PYBIND11_MODULE(_core, m) {
  m.doc() = "reinscore's compiled core (private: use the `reinscore` package)";
  m.attr("__version__") = REINSCORE_VERSION_INFO;
  // Bad data and bad files are the caller's errors: ValueError, like instrument errors.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const reinscore::input_error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  register_instrument(m);
  register_scoring(m);
  register_io(m);
  register_binding(m);
  register_cli(m);
  register_fit(m);
  register_reliability(m);
  register_summary(m);
  register_panel(m);
  register_levels(m);
}
