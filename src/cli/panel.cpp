// `reinscore panel`: change between rounds, transitions, attrition.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

namespace reinscore::cli {

int cmd_panel(const std::vector<std::string>& args) {
  (void)args;
  return fail("panel", "not implemented yet", usage_or_input);
}

}  // namespace reinscore::cli
