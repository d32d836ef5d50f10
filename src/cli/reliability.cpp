// `reinscore reliability`: options and rendering only; app::reliability
// (include/reinscore/app/reliability.hpp) streams the export and computes the report.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include <reinscore/app/options.hpp>
#include <reinscore/app/reliability.hpp>
#include <reinscore/app/render.hpp>

namespace reinscore::cli {

namespace po = boost::program_options;

int cmd_reliability(const std::vector<std::string>& args) {
  const std::string synopsis =
      "INPUT [--instrument NAME|FILE] [--missing complete|pairwise] [--weight COLUMN]\n"
      "       [--ordinal] [--correlations] [--format table|csv|json] [--table NAME]";
  const std::string example =
      "reinscore reliability export.csv --ordinal\n"
      "reinscore reliability export.csv --weight w --format csv --table items";
  app::ReliabilityRequest req;
  std::string input, format, table;
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")("input", po::value(&input)->required(),
                                                 "CSV/TSV file, .xlsx workbook, or - for stdin")(
      "instrument", po::value(&req.instrument)->default_value(req.instrument),
      "instrument name or .json file")(
      "missing", po::value(&req.missing)->default_value(req.missing),
      "complete: per dimension, the rows answering all of its items (listwise); pairwise: "
      "each covariance over the rows answering both items")(
      "weight", po::value(&req.weight), "column of sampling weights (numbers >= 0)")(
      "ordinal", po::bool_switch(&req.ordinal), "add ordinal alpha (on polychoric correlations)")(
      "correlations", po::bool_switch(&req.correlations),
      "add the table of inter-item correlations (and polychoric ones with --ordinal)")(
      "format", po::value(&format)->default_value("table"), "table, csv or json")(
      "json", po::bool_switch(), "the same as --format json")(
      "table", po::value(&table),
      "print only this table: dimensions, items, correlations or input (csv prints one "
      "table: dimensions unless this is given)")("delimiter", po::value(&req.input.delimiter),
                                                 "input delimiter: , ; tab (default: detect)")(
      "sheet", po::value(&req.input.sheet), "XLSX sheet name (default: the first)")(
      "map", po::value(&req.input.map), "CSV (column,item) mapping columns to items")(
      "allow-missing-columns", po::bool_switch(&req.input.allow_missing_columns),
      "leave items without a column out instead of stopping")(
      "chunk-rows", po::value(&req.input.chunk_rows)->default_value(req.input.chunk_rows),
      "rows per batch (results do not depend on it)");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("reliability", synopsis, opts, pos, args, vm, code, example)) return code;
  const app::Format fmt = app::parse_format(vm["json"].as<bool>() ? "json" : format);
  if (vm.count("table")) {
    app::check_choice("--table", table, {"dimensions", "items", "correlations", "input"});
    if (table == "correlations") req.correlations = true;
  }
  req.check();
  app::Report report = app::reliability(input, req, instrument_search());
  // A CSV file is one table: the dimensions unless --table names another.
  if (table.empty() && fmt == app::Format::csv) table = "dimensions";
  if (!table.empty()) report.keep_only(table);
  print_report("reliability", report, fmt);
  return ok;  // run() checks that standard output was written
}

}  // namespace reinscore::cli
