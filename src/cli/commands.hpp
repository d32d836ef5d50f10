// Subcommands of the command-line tool and the helpers they share.
#pragma once

#include "cli/output.hpp"
#include "io/table.hpp"

#include <reinscore/app/instruments.hpp>
#include <reinscore/app/options.hpp>
#include <reinscore/app/render.hpp>
#include <reinscore/instrument.hpp>

#include <boost/program_options.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
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
int cmd_keygen(const std::vector<std::string>& args);
int cmd_report(const std::vector<std::string>& args);

/// Bounds of the numeric options shared by several commands (docs/cli.md).
using app::max_chunk_rows;
using app::max_min_cell;
using app::max_replicates;
using app::max_threads;

/// The CLI's instrument search: $REINSCORE_INSTRUMENT_PATH, then
/// <prefix>/share/reinscore/instruments next to the executable, then the source tree's
/// data/instruments when run from a build directory.
app::InstrumentSearch instrument_search();
/// Directories searched for instrument NAME.json: $REINSCORE_INSTRUMENT_PATH (':'
/// separated), then <prefix>/share/reinscore/instruments next to the executable, then
/// the source tree's data/instruments when run from a build directory.
std::vector<std::string> instrument_dirs();
/// A path to an instrument file, or a name looked up in instrument_dirs().
Instrument resolve_instrument(const std::string& name_or_path);
/// The instrument named `id` by data: only ever a regular file `id`.json in
/// instrument_dirs(). Throws std::invalid_argument when `id` is not a plain name or no
/// such file exists.
Instrument instrument_by_plain_name(const std::string& id);
/// Throws usage_error when `path`, given with `option` as a file to read, is a directory.
void require_not_directory(const std::string& option, const std::string& path);

/// Applies --weights (a weight-set name of the instrument, or a .csv/.json file).
Instrument apply_weights(const Instrument& ins, const std::string& name_or_path);

/// Parses options; prints usage and returns false on --help or an error (exit code in `code`).
bool parse_options(const std::string& command, const std::string& synopsis,
                   const boost::program_options::options_description& opts,
                   const boost::program_options::positional_options_description& pos,
                   const std::vector<std::string>& args, boost::program_options::variables_map& vm,
                   int& code, const std::string& example = {});

/// Prints a report as a command's output: the rendering on standard output, then each
/// note on standard error as "reinscore <command>: <note>".
/// `table`, when given, is the one table the terminal and CSV formats show (JSON shows all).
void print_report(const std::string& command, const app::Report& report, app::Format format,
                  const std::string& table = {});

/// Reader options from --delimiter (one character, or "tab") and --sheet; throws
/// std::invalid_argument for a delimiter that is neither.
io::OpenOptions open_options(const std::string& delimiter, const std::string& sheet);

/// Prints "reinscore <command>: <message>" on stderr and returns `code`.
int fail(const std::string& command, const std::string& message, int code);

}  // namespace reinscore::cli
