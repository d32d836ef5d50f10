// `reinscore validate`: options and rendering of app::validate_file
// (include/reinscore/app/validate.hpp), which checks an export against the instrument
// without scoring it.
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "io/column_binding.hpp"

#include <reinscore/app/render.hpp>
#include <reinscore/app/validate.hpp>
#include <reinscore/error.hpp>

#include <iostream>

namespace reinscore::cli {

namespace po = boost::program_options;

int cmd_validate(const std::vector<std::string>& args) {
  const std::string synopsis =
      "INPUT [--instrument NAME|FILE] [--map FILE] [--format table|csv|json] [--show-codes]";
  po::options_description opts("options");
  std::string input, instrument_name, map_file, format;
  app::ValidateRequest request;
  opts.add_options()("help,h", "show this help")("input", po::value(&input)->required(),
                                                 "CSV/TSV file, .xlsx workbook, or - for stdin")(
      "instrument", po::value(&instrument_name)->default_value("iom-rss"),
      "instrument name or .json file")(
      "format", po::value(&format)->default_value("table"),
      "table (summary and problems), csv (the problems) or json (every table of the report)")(
      "json", po::bool_switch(), "same as --format json")(
      "show-codes", po::bool_switch(&request.show_codes),
      "show the unreadable answers themselves (off by default: answers may be personal data)")(
      "delimiter", po::value(&request.delimiter)->default_value(""),
      "input delimiter: , ; tab (default: detect)")("sheet",
                                                    po::value(&request.sheet)->default_value(""),
                                                    "XLSX sheet name (default: the first)")(
      "map", po::value(&map_file)->default_value(""), "CSV (column,item) mapping columns to items");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("validate", synopsis, opts, pos, args, vm, code,
                     "reinscore validate export.csv --map columns.csv"))
    return code;
  try {
    require_not_directory("--map", map_file);
    const app::Format f = vm["json"].as<bool>() ? app::Format::json : app::parse_format(format);
    request.check();
    const Instrument ins = resolve_instrument(instrument_name);
    const auto column_map =
        map_file.empty() ? std::map<std::string, std::string>{} : io::load_column_map(map_file);
    const app::Report report = app::validate_file(input, ins, column_map, request);
    if (f == app::Format::table) {
      // People read the summary and the problems; the typed rows and the cell counts are
      // for machines (csv, json).
      app::Report shown;
      shown.command = report.command;
      shown.notes = report.notes;
      shown.tables.push_back(report.table("summary"));
      if (!app::is_clean(report)) shown.tables.push_back(report.table("problems"));
      print_report("validate", shown, f);
    } else if (f == app::Format::csv) {
      app::Report shown = report;
      shown.tables = {report.table("problems")};
      print_report("validate", shown, f);
    } else {
      print_report("validate", report, f);
    }
    return app::is_clean(report) ? ok : problems_found;
  } catch (const input_error& e) {
    return fail("validate", e.what(), usage_or_input);
  } catch (const std::invalid_argument& e) {
    return fail("validate", e.what(), usage_or_input);
  }
}

}  // namespace reinscore::cli
