// reinscore._core: only wires the areas together.
#include "app_types.hpp"
#include "pybind11.hpp"

#include <reinscore/app/options.hpp>
#include <reinscore/error.hpp>

namespace {

// Every error about the caller's data, files or options becomes reinscore.InputError (a
// ValueError) carrying rule, row, column and option; python/reinscore/_errors.py builds it
// and spells option names the Python way.
void raise_input_error(const char* message, const std::string& rule, std::size_t row,
                       const std::string& column, const std::string& option) {
  const py::object make = py::module_::import("reinscore._errors").attr("_from_core");
  const py::object err =
      make(message, rule, row == 0 ? py::object(py::none()) : py::object(py::int_(row)),
           column.empty() ? py::object(py::none()) : py::object(py::str(column)),
           option.empty() ? py::object(py::none()) : py::object(py::str(option)));
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(err.ptr())), err.ptr());
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "reinscore's compiled core (private: use the `reinscore` package)";
  m.attr("__version__") = REINSCORE_VERSION_INFO;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const reinscore::input_error& e) {
      raise_input_error(e.what(), e.rule(), e.row(), e.column(), {});
    } catch (const reinscore::app::option_error& e) {
      raise_input_error(e.what(), e.rule(), 0, {}, e.option());
    } catch (const reinscore::instrument_error& e) {
      raise_input_error(e.what(), "bad_instrument", 0, {}, {});
    }
  });
  register_app(m);
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
