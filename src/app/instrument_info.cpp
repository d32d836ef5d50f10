// `instruments` and the instrument file format for people
// (include/reinscore/app/instrument_info.hpp).
#include <reinscore/app/instrument_info.hpp>
#include <reinscore/app/render.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>
#include <vector>

namespace reinscore::app {

namespace fs = std::filesystem;

std::string instrument_file(const std::string& name_or_path, const InstrumentSearch& search) {
  const fs::path p(name_or_path);
  if (p.extension() == ".json" || name_or_path.find('/') != std::string::npos) {
    std::error_code ec;
    if (fs::is_directory(p, ec))
      throw std::invalid_argument("instrument '" + name_or_path +
                                  "' is a directory; give a file [not_a_file]");
    if (!fs::exists(p, ec))
      throw std::invalid_argument("instrument file not found: '" + name_or_path +
                                  "' [instrument_not_found]");
    return name_or_path;
  }
  for (const auto& dir : search.dirs) {
    const fs::path candidate = fs::path(dir) / (name_or_path + ".json");
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  std::string searched;
  for (const auto& d : search.dirs) searched += "\n  " + d;
  throw std::invalid_argument("no instrument named '" + name_or_path + "' (searched:" + searched +
                              "); give a path to a .json file or set REINSCORE_INSTRUMENT_PATH "
                              "[instrument_not_found]");
}

std::string instrument_json(const Instrument& ins) { return to_json_text(ins.to_json(), true); }

Report list_instruments(const InstrumentSearch& search) {
  Table t{"instruments", "Instruments", {}, 1, 0};
  for (const char* c :
       {"name", "tag", "level", "provisional", "title", "weight_sets", "file", "problem"})
    t.add(c, Kind::text);
  // References taken once every column is added (adding may move them).
  auto& name = t.columns[0];
  auto& tag = t.columns[1];
  auto& level = t.columns[2];
  auto& provisional = t.columns[3];
  auto& title = t.columns[4];
  auto& weight_sets = t.columns[5];
  auto& file = t.columns[6];
  auto& problem = t.columns[7];
  std::set<std::string> seen;
  for (const auto& dir : search.dirs) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      if (!seen.insert(f.stem().string()).second) continue;  // earlier directories win
      name.push_text(f.stem().string());
      file.push_text(f.string());
      try {
        const Instrument ins = Instrument::load(f.string());
        std::string sets;
        for (const auto& w : ins.weight_sets)
          sets += (sets.empty() ? "" : ", ") + w.name +
                  (w.name == ins.default_weights ? " (default)" : "") +
                  (w.provisional ? " [provisional]" : "");
        tag.push_text(ins.tag());
        level.push_text(ins.level);
        provisional.push_text(ins.provisional ? "yes" : "no");
        title.push_text(ins.title);
        weight_sets.push_text(sets);
        problem.push_text({}, Cell::missing);
      } catch (const std::exception& e) {
        // A broken file is listed, not fatal: the others are still usable.
        for (auto* c : {&tag, &level, &provisional, &title, &weight_sets})
          c->push_text({}, Cell::missing);
        problem.push_text(e.what());
      }
    }
  }
  t.check();
  Report r;
  r.command = "instruments";
  r.tables.push_back(std::move(t));
  return r;
}

}  // namespace reinscore::app
