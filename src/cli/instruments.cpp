// `reinscore instruments` and `reinscore instrument show NAME`.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include <reinscore/app/instrument_info.hpp>
#include <reinscore/app/render.hpp>

#include <iomanip>
#include <iostream>

namespace reinscore::cli {

namespace po = boost::program_options;

int cmd_instruments(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string format;
  opts.add_options()("help,h", "show this help")(
      "format", po::value(&format)->default_value("table"), "table, csv or json");
  po::positional_options_description pos;
  po::variables_map vm;
  int code = ok;
  if (!parse_options("instruments", "[--format table|csv|json]", opts, pos, args, vm, code,
                     "REINSCORE_INSTRUMENT_PATH=./instruments reinscore instruments"))
    return code;
  try {
    const app::Format f = app::parse_format(format);
    const app::Report report = app::list_instruments(instrument_search());
    if (report.tables.front().rows() == 0)
      return fail("instruments",
                  "no instrument files found; set REINSCORE_INSTRUMENT_PATH [no_instruments]",
                  usage_or_input);
    print_report("instruments", report, f);
    return ok;
  } catch (const std::invalid_argument& e) {
    return fail("instruments", e.what(), usage_or_input);
  }
}

int cmd_instrument(const std::vector<std::string>& args) {
  const std::string synopsis = "show NAME|FILE [--json] [--weights NAME|FILE]";
  po::options_description opts("options");
  std::string action, name, weights;
  opts.add_options()("help,h", "show this help")("action", po::value(&action)->required(),
                                                 "what to do: show (the only action)")(
      "name", po::value(&name)->required(), "instrument name or .json file")(
      "json", po::bool_switch(), "print the instrument in the instrument file format")(
      "weights", po::value(&weights)->default_value(""),
      "make this weight set (name or file) the default");
  po::positional_options_description pos;
  pos.add("action", 1).add("name", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("instrument", synopsis, opts, pos, args, vm, code,
                     "reinscore instrument show iom-rss --json > my-rss.json"))
    return code;
  if (action != "show")
    return fail("instrument", "unknown action '" + action + "' (expected show)", usage_or_input);
  try {
    const Instrument ins = apply_weights(resolve_instrument(name), weights);
    if (vm["json"].as<bool>()) {
      std::cout << app::instrument_json(ins);
      return ok;
    }
    std::cout << ins.title << "\n"
              << "id " << ins.id << "  version " << ins.version << "  level " << ins.level
              << (ins.provisional ? "  PROVISIONAL: numbers are placeholders, not official" : "")
              << "\n"
              << "sha256 " << ins.hash() << "\n"
              << "coverage rule: each dimension needs at least " << ins.coverage_min_share * 100
              << "% of its applicable item weight answered\n\n";
    std::cout << std::left << std::setw(24) << "item" << std::setw(14) << "dimension"
              << std::setw(16) << "scale"
              << "direction\n";
    for (const auto& it : ins.items)
      std::cout << std::setw(24) << it.id << std::setw(14) << it.dimension << std::setw(16)
                << it.scale << (it.reverse ? "reversed" : "as coded") << "\n";
    std::cout << "\nscales\n";
    for (const auto& s : ins.scales) {
      std::cout << "  " << s.id << ":";
      if (s.type == ScaleType::numeric) std::cout << " numeric " << s.min << ".." << s.max;
      for (const auto& c : s.codes) std::cout << " " << c.code << "=" << c.value;
      for (const auto& m : s.missing)
        std::cout << " " << m.code << "(" << to_string(m.meaning) << ")";
      std::cout << "\n";
    }
    if (ins.thresholds) {
      std::cout << "\ncategories of " << ins.thresholds->score
                << (ins.thresholds->provisional ? " (provisional)" : "") << ":";
      for (const auto& c : ins.thresholds->categories)
        std::cout << " " << c.label << " >= " << c.min << ";";
      std::cout << "\n";
    }
    for (const auto& w : ins.weight_sets) {
      std::cout << "\nweight set " << w.name << (w.name == ins.default_weights ? " (default)" : "")
                << (w.provisional ? " [provisional]" : "") << "  source: " << w.source << "\n";
      if (!w.citation.empty()) std::cout << "  " << w.citation << "\n";
      if (w.mode == CompositeMode::dimension) {
        std::cout << "  composite = weighted mean of dimensions:";
        for (std::size_t d = 0; d < ins.dimensions.size(); ++d)
          std::cout << " " << ins.dimensions[d] << " " << w.dimension_weights[d];
        std::cout << "\n";
      } else {
        std::cout << "  composite = weighted mean of items (composite weights below)\n";
      }
      for (std::size_t k = 0; k < ins.items.size(); ++k) {
        std::cout << "  " << std::setw(24) << ins.items[k].id << w.items[k].dimension;
        if (w.items[k].composite) std::cout << "  composite " << *w.items[k].composite;
        std::cout << "\n";
      }
    }
    return ok;
  } catch (const std::invalid_argument& e) {
    return fail("instrument", e.what(), usage_or_input);
  } catch (const input_error& e) {
    return fail("instrument", e.what(), usage_or_input);
  }
}

}  // namespace reinscore::cli
