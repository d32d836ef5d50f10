// Subcommands of the command-line tool and the helpers they share.
#pragma once

#include "io/table.hpp"

#include <reinscore/instrument.hpp>

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace reinscore::cli {

int cmd_score(const std::vector<std::string>& args);
int cmd_validate(const std::vector<std::string>& args);
int cmd_summarize(const std::vector<std::string>& args);
int cmd_instruments(const std::vector<std::string>& args);
int cmd_instrument(const std::vector<std::string>& args);
int cmd_fit_weights(const std::vector<std::string>& args);
int cmd_reliability(const std::vector<std::string>& args);
int cmd_panel(const std::vector<std::string>& args);
int cmd_sensitivity(const std::vector<std::string>& args);
int cmd_integrate(const std::vector<std::string>& args);

/// Directories searched for instrument NAME.json: $REINSCORE_INSTRUMENT_PATH (':'
/// separated), then <prefix>/share/reinscore/instruments next to the executable, then
/// the source tree's data/instruments when run from a build directory.
std::vector<std::string> instrument_dirs();
/// A path to an instrument file, or a name looked up in instrument_dirs().
Instrument resolve_instrument(const std::string& name_or_path);
/// Applies --weights (a weight-set name of the instrument, or a .csv/.json file).
Instrument apply_weights(const Instrument& ins, const std::string& name_or_path);

/// Parses options; prints usage and returns false on --help or an error (exit code in `code`).
bool parse_options(const std::string& command, const std::string& synopsis,
                   const boost::program_options::options_description& opts,
                   const boost::program_options::positional_options_description& pos,
                   const std::vector<std::string>& args, boost::program_options::variables_map& vm,
                   int& code);

/// Reader options from --delimiter (one character, or "tab") and --sheet; throws
/// std::invalid_argument for a delimiter that is neither.
io::OpenOptions open_options(const std::string& delimiter, const std::string& sheet);

/// Writes `text` to `path` through a temporary file renamed at the end, so that a failed
/// run leaves no partial file ("-": standard output). Throws std::ios_base::failure.
void write_text_file(const std::string& path, const std::string& text);

/// Prints "reinscore <command>: <message>" on stderr and returns `code`.
int fail(const std::string& command, const std::string& message, int code);

}  // namespace reinscore::cli
