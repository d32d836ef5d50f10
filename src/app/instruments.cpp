// Finding instruments (include/reinscore/app/instruments.hpp): the one place that turns
// a name, a path or a tag read from data into an Instrument.
#include <reinscore/app/instrument_info.hpp>
#include <reinscore/app/instruments.hpp>
#include <reinscore/app/options.hpp>
#include <reinscore/app/scores.hpp>
#include <reinscore/error.hpp>
#include <reinscore/weights.hpp>

#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace reinscore::app {

namespace fs = std::filesystem;

InstrumentSearch InstrumentSearch::from_environment(const std::vector<std::string>& builtin) {
  InstrumentSearch s;
  if (const char* env = std::getenv("REINSCORE_INSTRUMENT_PATH")) {
    std::stringstream ss(env);
    std::string d;
    while (std::getline(ss, d, ':'))
      if (!d.empty()) s.dirs.push_back(d);
  }
  for (const auto& d : builtin) {
    std::error_code ec;
    if (fs::is_directory(d, ec)) s.dirs.push_back(d);
  }
  return s;
}

Instrument resolve_instrument(const std::string& name_or_path, const InstrumentSearch& search) {
  // The lookup rule lives in instrument_file() (app/instrument_info.hpp), shared with the
  // Python module, which also wants the file's path.
  return Instrument::load(instrument_file(name_or_path, search));
}

Instrument instrument_by_plain_name(const std::string& id, const InstrumentSearch& search) {
  if (!is_plain_name(id))
    throw std::invalid_argument(
        "an instrument id read from data is not a plain name [not_plain_name]");
  for (const auto& dir : search.dirs) {
    const std::string path = (fs::path(dir) / (id + ".json")).string();
    // Only regular files are candidates; read_small_file (through load) checks it again on
    // the open descriptor, never blocks on a FIFO and caps the size.
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) continue;
    return Instrument::load(path);
  }
  throw std::invalid_argument("no instrument named '" + id +
                              "' in the instrument directories [instrument_not_found]");
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
  std::error_code ec;
  if (fs::is_directory(p, ec))
    throw option_error("--weights", "'" + name_or_path + "' is a directory; give a file",
                       "not_a_file");
  if (p.extension() != ".csv" && p.extension() != ".json") {
    std::string known;
    for (const auto& w : ins.weight_sets) known += (known.empty() ? "" : ", ") + w.name;
    throw std::invalid_argument("no weight set named '" + name_or_path + "' in instrument '" +
                                ins.id + "' (known: " + known +
                                "); or give a .csv or .json weight file");
  }
  return ins.with_weights(load_weights(ins, name_or_path));
}

std::optional<double> threshold_of(const Instrument& ins) {
  if (!ins.thresholds || ins.thresholds->categories.size() < 2) return std::nullopt;
  return ins.thresholds->categories.back().min;
}

std::optional<Instrument> instrument_of(const ScoresTable& t,
                                        const std::optional<Instrument>& given,
                                        const InstrumentSearch& search, std::string& why) {
  const auto& tags = t.tags();
  if (given) {
    for (const auto& tag : tags) {
      std::string id, version;
      if (!split_instrument_tag(tag, id, version) || id != given->id || version != given->version)
        throw input_error("instrument_mismatch",
                          "the scores name '" + tag + "', not the given instrument " + given->id +
                              "@" + given->version,
                          0, "instrument");
    }
    return given;
  }
  if (tags.size() != 1) {
    why =
        tags.empty() ? "the scores name no instrument" : "the scores name more than one instrument";
    return std::nullopt;
  }
  std::string id, version;
  if (!split_instrument_tag(tags.front(), id, version)) {
    why = "the instrument column is not id@version#hash with a plain id";
    return std::nullopt;
  }
  try {
    // The id is data: looked up by name only, never opened as a path.
    Instrument ins = instrument_by_plain_name(id, search);
    if (ins.version != version) {
      why = "the instrument found has another version";
      return std::nullopt;
    }
    return ins;
  } catch (const std::exception&) {
    why = "the instrument was not found; give it with --instrument";
    return std::nullopt;
  }
}

}  // namespace reinscore::app
