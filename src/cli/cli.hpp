// The `reinscore` command line as a function, so that the executable and the Python
// package (`python -m reinscore`, the `reinscore` entry point) run the same code.
#pragma once

#include <string>
#include <vector>

namespace reinscore::cli {

/// Exit codes, documented in docs/cli.md.
enum Exit : int {
  ok = 0,
  problems_found = 1,  ///< validate: the input has problems; score: none scored, too many invalid
  usage_or_input = 2,  ///< bad arguments, unreadable or malformed file, broken instrument
  output_failed = 3,   ///< the output could not be written
  internal = 4,        ///< a bug: please report it
};

/// Runs one command; args exclude the program name. Never throws.
int run(const std::vector<std::string>& args);

}  // namespace reinscore::cli
