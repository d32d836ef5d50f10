#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include <reinscore/weights.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace reinscore::cli {

namespace fs = std::filesystem;
namespace po = boost::program_options;

int fail(const std::string& command, const std::string& message, int code) {
  std::cerr << "reinscore " << command << ": " << message << "\n";
  return code;
}

bool parse_options(const std::string& command, const std::string& synopsis,
                   const po::options_description& opts,
                   const po::positional_options_description& pos,
                   const std::vector<std::string>& args, po::variables_map& vm, int& code) {
  try {
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: reinscore " << command << " " << synopsis << "\n\n" << opts << "\n";
      code = ok;
      return false;
    }
    po::notify(vm);
    return true;
  } catch (const po::error& e) {
    std::cerr << "reinscore " << command << ": " << e.what() << "\n"
              << "usage: reinscore " << command << " " << synopsis << "\n";
    code = usage_or_input;
    return false;
  }
}

io::OpenOptions open_options(const std::string& delimiter, const std::string& sheet) {
  io::OpenOptions opts;
  if (!delimiter.empty()) {
    const std::string d = delimiter == "tab" || delimiter == "\\t" ? "\t" : delimiter;
    if (d.size() != 1) throw std::invalid_argument("--delimiter must be one character or 'tab'");
    opts.delimiter = d[0];
  }
  opts.sheet = sheet;
  return opts;
}

std::vector<std::string> instrument_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("REINSCORE_INSTRUMENT_PATH")) {
    std::stringstream ss(env);
    std::string d;
    while (std::getline(ss, d, ':'))
      if (!d.empty()) dirs.push_back(d);
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed =
        exe.parent_path().parent_path() / "share" / "reinscore" / "instruments";
    if (fs::is_directory(installed, ec)) dirs.push_back(installed.string());
  }
#ifdef REINSCORE_SOURCE_DATA_DIR
  dirs.push_back(REINSCORE_SOURCE_DATA_DIR "/instruments");
#endif
  return dirs;
}

Instrument resolve_instrument(const std::string& name_or_path) {
  const fs::path p(name_or_path);
  if (p.extension() == ".json" || name_or_path.find('/') != std::string::npos)
    return Instrument::load(name_or_path);
  for (const auto& dir : instrument_dirs()) {
    const fs::path candidate = fs::path(dir) / (name_or_path + ".json");
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return Instrument::load(candidate.string());
  }
  std::string searched;
  for (const auto& d : instrument_dirs()) searched += "\n  " + d;
  throw std::invalid_argument("no instrument named '" + name_or_path + "' (searched:" + searched +
                              "); give a path to a .json file or set REINSCORE_INSTRUMENT_PATH");
}

Instrument apply_weights(const Instrument& ins, const std::string& name_or_path) {
  if (name_or_path.empty()) return ins;
  for (const auto& w : ins.weight_sets)
    if (w.name == name_or_path) {
      Instrument out = ins;
      out.default_weights = w.name;
      return out;
    }
  const fs::path p(name_or_path);
  if (p.extension() != ".csv" && p.extension() != ".json") {
    std::string known;
    for (const auto& w : ins.weight_sets) known += (known.empty() ? "" : ", ") + w.name;
    throw std::invalid_argument("no weight set named '" + name_or_path + "' in instrument '" +
                                ins.id + "' (known: " + known +
                                "); or give a .csv or .json weight file");
  }
  return ins.with_weights(load_weights(ins, name_or_path));
}

void write_text_file(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text;
    std::cout.flush();
    if (!std::cout) throw std::ios_base::failure("writing to standard output failed");
    return;
  }
  const std::string tmp = path + ".partial-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::ios_base::failure("cannot create output file '" + path + "'");
    out << text;
    out.close();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw std::ios_base::failure("writing the output file '" + path + "' failed");
    }
  }
  fs::rename(tmp, path);
}

}  // namespace reinscore::cli
