// `reinscore fit-weights`: derive a weight set from data (PCA, OECD varimax).
#include "cli/cli.hpp"
#include "cli/commands.hpp"

namespace reinscore::cli {

int cmd_fit_weights(const std::vector<std::string>& args) {
  (void)args;
  return fail("fit-weights", "not implemented yet", usage_or_input);
}

}  // namespace reinscore::cli
