#include "cli/cli.hpp"

#include "cli/commands.hpp"
#include "cli/output.hpp"

#include <reinscore/error.hpp>

#include <reinscore/version.hpp>

#include <exception>
#include <filesystem>
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
    "  keygen -o KEYFILE  create a key for score --pseudonymise (docs/privacy.md)\n"
    "  report INPUT -o report.html   the evaluators' report: one HTML document\n"
    "\n"
    "`reinscore <command> --help` describes the options of a command.\n"
    "Exit codes: 0 ok, 1 problems found (validate; score: no row scored or too many\n"
    "invalid rows), 2 usage or input error, 3 output could not be written, 4 internal error.\n";

int dispatch(const std::vector<std::string>& args) {
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
  if (cmd == "keygen") return cmd_keygen(rest);
  if (cmd == "report") return cmd_report(rest);
  std::cerr << "reinscore: unknown command '" << cmd << "'\n\n" << usage_text;
  return usage_or_input;
}

// The exit code of an exception that left a command: input and usage problems are 2
// and failed writes 3, whichever command let them through; only the rest is a bug.
int exit_code_of(const std::string& command, const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const input_error& e) {
    return fail(command, e.what(), usage_or_input);
  } catch (const std::invalid_argument& e) {  // usage_error, instrument_error
    return fail(command, e.what(), usage_or_input);
  } catch (const boost::program_options::error& e) {
    return fail(command, e.what(), usage_or_input);
  } catch (const std::ios_base::failure& e) {
    return fail_output(command, e);
  } catch (const std::filesystem::filesystem_error& e) {
    return fail_output(command, e);
  } catch (const std::exception& e) {
    std::cerr << "reinscore: internal error: " << e.what() << "\n";
    return internal;
  } catch (...) {
    std::cerr << "reinscore: internal error\n";
    return internal;
  }
}

}  // namespace

int run(const std::vector<std::string>& args) {
  // Messages name the command; not an option or an unknown word in its place.
  const std::string command =
      args.empty() || args[0].empty() || args[0][0] == '-' ? std::string() : args[0];
  try {
    // Every write to standard output is checked, whichever command makes it.
    CheckedStdout checked_stdout;
    int code = ok;
    try {
      code = dispatch(args);
    } catch (...) {
      code = exit_code_of(command, std::current_exception());
    }
    if (code == output_failed) return code;  // already reported
    try {
      checked_stdout.finish();
    } catch (const std::exception& e) {
      return fail_output(command, e);
    }
    return code;
  } catch (const std::exception& e) {
    std::cerr << "reinscore: internal error: " << e.what() << "\n";
    return internal;
  }
}

}  // namespace reinscore::cli
