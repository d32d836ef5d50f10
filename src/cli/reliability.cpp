// `reinscore reliability`: Cronbach alpha and item statistics per dimension.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

namespace reinscore::cli {

int cmd_reliability(const std::vector<std::string>& args) {
  (void)args;
  return fail("reliability", "not implemented yet", usage_or_input);
}

}  // namespace reinscore::cli
