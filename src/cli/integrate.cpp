// `reinscore integrate`: individual, community and structural levels together.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

namespace reinscore::cli {

int cmd_integrate(const std::vector<std::string>& args) {
  (void)args;
  return fail("integrate", "not implemented yet", usage_or_input);
}

}  // namespace reinscore::cli
