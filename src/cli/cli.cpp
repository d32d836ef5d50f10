#include "cli/cli.hpp"

#include "cli/commands.hpp"

#include <reinscore/version.hpp>

#include <exception>
#include <iostream>

namespace reinscore::cli {

namespace {

constexpr const char* usage_text =
    "usage: reinscore <command> [options]\n"
    "\n"
    "commands:\n"
    "  score INPUT        score every interview of a CSV/TSV/XLSX export\n"
    "  validate INPUT     check an export against the instrument without scoring\n"
    "  summarize SCORES   means and status shares of a scores file, by group\n"
    "  instruments        list the shipped instruments and weight sets\n"
    "  instrument show NAME   print one instrument (--json: in the file format)\n"
    "  fit-weights INPUT  derive a weight set from data (PCA, OECD varimax)\n"
    "  reliability INPUT  Cronbach's alpha and item statistics per dimension\n"
    "  panel SCORES       change between rounds, transitions, attrition\n"
    "  sensitivity INPUT  Monte Carlo over weight sets: composite intervals\n"
    "  integrate          individual, community and structural levels together\n"
    "\n"
    "`reinscore <command> --help` describes the options of a command.\n"
    "Exit codes: 0 ok, 1 problems found (validate), 2 usage or input error,\n"
    "3 output could not be written, 4 internal error.\n";

}  // namespace

int run(const std::vector<std::string>& args) {
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      (args.empty() ? std::cerr : std::cout) << usage_text;
      return args.empty() ? usage_or_input : ok;
    }
    if (args[0] == "--version") {
      std::cout << "reinscore " << REINSCORE_VERSION_STRING << "\n";
      return ok;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    const std::string& cmd = args[0];
    if (cmd == "score") return cmd_score(rest);
    if (cmd == "validate") return cmd_validate(rest);
    if (cmd == "summarize") return cmd_summarize(rest);
    if (cmd == "instruments") return cmd_instruments(rest);
    if (cmd == "instrument") return cmd_instrument(rest);
    if (cmd == "fit-weights") return cmd_fit_weights(rest);
    if (cmd == "reliability") return cmd_reliability(rest);
    if (cmd == "panel") return cmd_panel(rest);
    if (cmd == "sensitivity") return cmd_sensitivity(rest);
    if (cmd == "integrate") return cmd_integrate(rest);
    std::cerr << "reinscore: unknown command '" << cmd << "'\n\n" << usage_text;
    return usage_or_input;
  } catch (const std::exception& e) {
    std::cerr << "reinscore: internal error: " << e.what() << "\n";
    return internal;
  }
}

}  // namespace reinscore::cli
