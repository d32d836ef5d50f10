// `reinscore sensitivity`: Monte Carlo over weight sets.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

namespace reinscore::cli {

int cmd_sensitivity(const std::vector<std::string>& args) {
  (void)args;
  return fail("sensitivity", "not implemented yet", usage_or_input);
}

}  // namespace reinscore::cli
