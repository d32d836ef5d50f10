#include "cli/cli.hpp"
#include "cli/output.hpp"

#include <csignal>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  // A closed pipe on standard output (`reinscore score x | head -1`) must come back as
  // EPIPE, so that run() stops quietly with exit 3 instead of dying of SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  // Ctrl-C or a kill while `-o FILE` is written leaves no FILE.partial-* behind.
  reinscore::cli::remove_temp_files_on_signal();
  return reinscore::cli::run(std::vector<std::string>(argv + 1, argv + argc));
}
