#include "cli/cli.hpp"

#include <string>
#include <vector>

int main(int argc, char** argv) {
  return reinscore::cli::run(std::vector<std::string>(argv + 1, argv + argc));
}
