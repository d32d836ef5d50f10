#include "pybind11.hpp"

#include "cli/cli.hpp"

void register_cli(py::module_& m) {
  m.def(
      "run_cli",
      [](const std::vector<std::string>& args) {
        // The command line touches no Python object: safe to run without the GIL.
        py::gil_scoped_release release;
        return reinscore::cli::run(args);
      },
      "args"_a, "Runs the reinscore command line (arguments without the program name).");
}
