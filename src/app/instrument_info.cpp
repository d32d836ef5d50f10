// `instruments` and the instrument file format for people
// (include/reinscore/app/instrument_info.hpp).
#include <reinscore/app/instrument_info.hpp>
#include <reinscore/app/options.hpp>  // number_text
#include <reinscore/app/render.hpp>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <set>
#include <system_error>
#include <utility>
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

Report describe_instrument(const Instrument& ins) {
  Report r;
  r.command = "instrument show";
  const auto yes_no = [](bool b) { return std::string(b ? "yes" : "no"); };
  {
    Table t{"instrument", ins.title.empty() ? ins.id : ins.title, {}, 1, 0};
    t.add("field", Kind::text);
    t.add("value", Kind::text);
    auto& field = t.columns[0];  // references taken once both are added (adding may move)
    auto& value = t.columns[1];
    const std::pair<const char*, std::string> rows[] = {
        {"id", ins.id},
        {"version", ins.version},
        {"title", ins.title},
        {"level", ins.level},
        {"tag", ins.tag()},
        {"sha256", ins.hash()},
        {"provisional", yes_no(ins.provisional)},
        {"coverage_min_share", number_text(ins.coverage_min_share)},
        {"default_weights", ins.default_weights}};
    for (const auto& [f, v] : rows) {
      field.push_text(f);
      value.push_text(v);
    }
    r.tables.push_back(std::move(t));
  }
  {
    Table t{"items", "Items", {}, 1, 0};
    for (const char* c : {"item", "dimension", "scale", "direction", "question"})
      t.add(c, Kind::text);
    for (const auto& it : ins.items) {
      t.columns[0].push_text(it.id);
      t.columns[1].push_text(it.dimension);
      t.columns[2].push_text(it.scale);
      t.columns[3].push_text(it.reverse ? "reversed" : "as coded");
      t.columns[4].push_text(it.question);
    }
    r.tables.push_back(std::move(t));
  }
  {
    Table t{"scales", "Scales", {}, 1, 0};
    t.add("scale", Kind::text);
    t.add("type", Kind::text);
    t.add("min", Kind::number, -1);
    t.add("max", Kind::number, -1);
    t.add("codes", Kind::text);
    t.add("missing", Kind::text);
    for (const auto& sc : ins.scales) {
      const bool numeric = sc.type == ScaleType::numeric;
      t.columns[0].push_text(sc.id);
      t.columns[1].push_text(numeric ? "numeric" : "categorical");
      t.columns[2].push(sc.min, numeric ? Cell::value : Cell::missing);
      t.columns[3].push(sc.max, numeric ? Cell::value : Cell::missing);
      std::string codes, missing;
      for (const auto& c : sc.codes)
        codes += (codes.empty() ? "" : " ") + c.code + "=" + number_text(c.value);
      for (const auto& m : sc.missing)
        missing +=
            (missing.empty() ? "" : " ") + m.code + " (" + std::string(to_string(m.meaning)) + ")";
      t.columns[4].push_text(codes);
      t.columns[5].push_text(missing);
    }
    r.tables.push_back(std::move(t));
  }
  {
    Table t{"categories", "Categories", {}, 2, 0};
    t.add("score", Kind::text);
    t.add("label", Kind::text);
    t.add("min", Kind::number, -1);
    t.add("provisional", Kind::text);
    if (ins.thresholds)
      for (const auto& c : ins.thresholds->categories) {
        t.columns[0].push_text(ins.thresholds->score);
        t.columns[1].push_text(c.label);
        t.columns[2].push(c.min);
        t.columns[3].push_text(yes_no(ins.thresholds->provisional));
      }
    r.tables.push_back(std::move(t));
  }
  Table sets{"weight_sets", "Weight sets", {}, 1, 0};
  for (const char* c : {"weight_set", "default", "provisional", "mode", "source", "citation"})
    sets.add(c, Kind::text);
  Table dims{"dimension_weights", "Dimension weights in the composite", {}, 2, 0};
  dims.add("weight_set", Kind::text);
  dims.add("dimension", Kind::text);
  dims.add("weight", Kind::number, -1);
  Table items{"item_weights", "Item weights", {}, 2, 0};
  items.add("weight_set", Kind::text);
  items.add("item", Kind::text);
  items.add("dimension", Kind::text);
  items.add("dimension_weight", Kind::number, -1);
  items.add("composite_weight", Kind::number, -1);
  for (const auto& w : ins.weight_sets) {
    const bool by_dimension = w.mode == CompositeMode::dimension;
    sets.columns[0].push_text(w.name);
    sets.columns[1].push_text(yes_no(w.name == ins.default_weights));
    sets.columns[2].push_text(yes_no(w.provisional));
    sets.columns[3].push_text(by_dimension ? "dimension" : "item");
    sets.columns[4].push_text(w.source);
    sets.columns[5].push_text(w.citation, w.citation.empty() ? Cell::missing : Cell::value);
    if (by_dimension)
      for (std::size_t d = 0; d < ins.dimensions.size(); ++d) {
        dims.columns[0].push_text(w.name);
        dims.columns[1].push_text(ins.dimensions[d]);
        dims.columns[2].push(w.dimension_weights[d]);
      }
    for (std::size_t k = 0; k < ins.items.size(); ++k) {
      items.columns[0].push_text(w.name);
      items.columns[1].push_text(ins.items[k].id);
      items.columns[2].push_text(ins.items[k].dimension);
      items.columns[3].push(w.items[k].dimension);
      items.columns[4].push(w.items[k].composite.value_or(0),
                            w.items[k].composite ? Cell::value : Cell::missing);
    }
  }
  r.tables.push_back(std::move(sets));
  r.tables.push_back(std::move(dims));
  r.tables.push_back(std::move(items));
  r.info("coverage rule: each dimension needs at least " +
         number_text(ins.coverage_min_share * 100) + "% of its applicable item weight answered");
  if (ins.provisional)
    r.warn("PROVISIONAL instrument: its numbers are placeholders, not official values");
  return r;
}

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
