// `reinscore report`: options and writing only; app::evaluation
// (include/reinscore/app/evaluation.hpp) builds the document and app::render_html writes it.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include <reinscore/app/evaluation.hpp>
#include <reinscore/app/render.hpp>

#include <filesystem>
#include <iostream>

namespace reinscore::cli {

namespace po = boost::program_options;

int cmd_report(const std::vector<std::string>& args) {
  const std::string synopsis =
      "INPUT -o REPORT.html [--by COLUMN]... [--weight COL --strata COL --cluster COL]\n"
      "       [--returnee-id COL --round COL] [--title TEXT] [--lang en|fr|pt] [--min-cell N]\n"
      "       [--level L] [--date yyyy-mm-dd] [--tables-out DIR] [--instrument NAME|FILE]";
  const std::string example =
      "reinscore report export.csv -o report.html --by country --returnee-id returnee_id "
      "--round round\n"
      "reinscore report scores.csv -o rapport.html --lang fr --by country --tables-out tables";
  app::EvaluationRequest req;
  std::string input, output, tables_out;
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")(
      "input", po::value(&input)->required(),
      "a survey export (CSV/TSV/XLSX: validated and scored first) or a scores file")(
      "output,o", po::value(&output)->required(), "the HTML file to write")(
      "by", po::value(&req.by)->composing(), "a breakdown by this column (repeatable)")(
      "weight", po::value(&req.weight), "sampling weight column")(
      "strata", po::value(&req.strata), "stratum column")("cluster", po::value(&req.cluster),
                                                          "cluster (primary sampling unit) column")(
      "returnee-id", po::value(&req.returnee_id),
      "returnee identifier column: change across rounds (with --round)")(
      "round", po::value(&req.round), "follow-up round column (with --returnee-id)")(
      "levels", po::value(&req.levels),
      "the per-country file of `integrate --country-out`: the integrated 3 x 3 picture")(
      "title", po::value(&req.title), "the report's title (default: the language's)")(
      "lang", po::value(&req.lang)->default_value(req.lang), "en, fr or pt")(
      "min-cell", po::value(&req.min_cell)->default_value(req.min_cell),
      "groups with fewer interviews are not shown")(
      "level", po::value(&req.level)->default_value(0.95, "0.95"),
      "confidence level of the intervals")("date", po::value(&req.date),
                                           "date shown on the cover (yyyy-mm-dd; default: none)")(
      "tables-out", po::value(&tables_out),
      "also write every table of the report as CSV into this directory")(
      "instrument", po::value(&req.instrument)->default_value(req.instrument),
      "instrument name or .json file (exports; scores carry their own)")(
      "weights", po::value(&req.weights), "weight set name or file (exports)")(
      "delimiter", po::value(&req.input.delimiter), "input delimiter: , ; tab (default: detect)")(
      "sheet", po::value(&req.input.sheet), "XLSX sheet name (default: the first)")(
      "map", po::value(&req.input.map), "CSV (column,item) mapping columns to items")(
      "allow-missing-columns", po::bool_switch(&req.input.allow_missing_columns),
      "score even if item columns are absent (as skipped)");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("report", synopsis, opts, pos, args, vm, code, example)) return code;
  req.check();
  require_not_directory("INPUT", input);
  require_not_directory("--map", req.input.map);
  require_not_directory("--levels", req.levels);
  check_output_path("-o", output);
  namespace fs = std::filesystem;
  if (!tables_out.empty()) {
    std::error_code ec;
    if (fs::exists(tables_out, ec) && !fs::is_directory(tables_out, ec))
      throw app::option_error("--tables-out", "must name a directory, not a file");
  }
  const app::Document doc = app::evaluation(input, req, instrument_search());
  const std::string html = app::render_html(doc);
  if (!tables_out.empty()) {
    fs::create_directories(tables_out);
    const auto names = app::table_file_names(doc);
    const auto tables = doc.tables();
    for (std::size_t i = 0; i < tables.size(); ++i)
      write_text_file((fs::path(tables_out) / names[i]).string(),
                      app::render(*tables[i], app::Format::csv));
  }
  write_text_file(output, html);
  return ok;
}

}  // namespace reinscore::cli
