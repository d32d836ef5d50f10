// `reinscore instruments` and `reinscore instrument show NAME`.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include <reinscore/app/instrument_info.hpp>
#include <reinscore/app/render.hpp>

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
  const std::string synopsis =
      "show NAME|FILE [--json] [--weights NAME|FILE] [--format table|csv|json] [--table NAME]";
  po::options_description opts("options");
  std::string action, name, weights, format, table;
  opts.add_options()("help,h", "show this help")("action", po::value(&action)->required(),
                                                 "what to do: show (the only action)")(
      "name", po::value(&name)->required(), "instrument name or .json file")(
      "json", po::bool_switch(), "print the instrument in the instrument file format")(
      "weights", po::value(&weights)->default_value(""),
      "make this weight set (name or file) the default")(
      "format", po::value(&format)->default_value("table"),
      "table, csv or json: the description's tables (instrument, items, scales, categories, "
      "weight_sets, dimension_weights, item_weights)")("table", po::value(&table),
                                                       "print only this table of the description");
  po::positional_options_description pos;
  pos.add("action", 1).add("name", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("instrument", synopsis, opts, pos, args, vm, code,
                     "reinscore instrument show iom-rss\n"
                     "reinscore instrument show iom-rss --json > my-rss.json"))
    return code;
  if (action != "show")
    return fail("instrument", "unknown action '" + action + "' (expected show)", usage_or_input);
  try {
    const app::Format f = app::parse_format(format);
    const Instrument ins = apply_weights(resolve_instrument(name), weights);
    if (vm["json"].as<bool>()) {
      std::cout << app::instrument_json(ins);
      return ok;
    }
    app::Report report = app::describe_instrument(ins);
    if (!table.empty()) report.keep_only(table);
    print_report("instrument", report, f);
    return ok;
  } catch (const std::invalid_argument& e) {
    return fail("instrument", e.what(), usage_or_input);
  } catch (const input_error& e) {
    return fail("instrument", e.what(), usage_or_input);
  }
}

}  // namespace reinscore::cli
