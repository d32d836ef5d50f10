// `reinscore sensitivity`: options and rendering only; app::sensitivity
// (include/reinscore/app/sensitivity.hpp) reads the export and runs the draws. The
// per-interview rows are written as CSV batch by batch (memory does not grow with the
// input), the summary goes to stderr and, with --summary, to a JSON file.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include <reinscore/app/render.hpp>
#include <reinscore/app/sensitivity.hpp>

#include <iostream>
#include <memory>

namespace reinscore::cli {

namespace po = boost::program_options;

int cmd_sensitivity(const std::vector<std::string>& args) {
  const std::string synopsis =
      "INPUT [--draws N] [--bound 0.2] [--seed S] [--mode perturb|methods|both]\n"
      "       [--level 0.9] [--instrument NAME|FILE] [--weights NAME|FILE] [--id COLUMN]...\n"
      "       [--keep COLUMN]... [-o OUT] [--summary FILE]";
  const std::string example =
      "reinscore sensitivity export.csv --draws 1000 --mode both --id interview_id -o "
      "sensitivity.csv --summary summary.json";
  app::SensitivityRequest req;
  std::string input, output, summary_file;
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")(
      "input", po::value(&input)->required(),
      "CSV/TSV file, .xlsx workbook, or - for stdin (perturb mode)")(
      "output,o", po::value(&output)->default_value("-"), "per-interview CSV (default: stdout)")(
      "draws", po::value(&req.draws)->default_value(req.draws), "Monte Carlo replicates")(
      "bound", po::value(&req.bound)->default_value(req.bound, "0.2"),
      "relative perturbation of each weight: factor in [1-b, 1+b]")(
      "seed", po::value(&req.seed)->default_value(req.seed),
      "seed (results are identical for the same seed)")(
      "mode", po::value(&req.mode)->default_value(req.mode),
      "perturb (the base set), methods (equal, pca-first, oecd-varimax fitted to INPUT, one drawn "
      "per replicate) or both")("level", po::value(&req.level)->default_value(req.level, "0.9"),
                                "central interval of the composite (0.9: 5th to 95th percentile)")(
      "instrument", po::value(&req.instrument)->default_value(req.instrument),
      "instrument name or .json file")("weights", po::value(&req.weights),
                                       "base weight set: a name, or a .csv/.json weight file")(
      "id", po::value(&req.id)->composing(),
      "identifier column to copy to the output (repeatable)")(
      "keep", po::value(&req.keep)->composing(), "other column to copy to the output (repeatable)")(
      "composite", po::value(&req.composite)->default_value(req.composite),
      "methods/both: composite of the fitted sets")(
      "missing", po::value(&req.missing)->default_value(req.missing),
      "methods/both: correlations of the fits")(
      "weight", po::value(&req.weight), "methods/both: sampling-weight column for the fits")(
      "summary", po::value(&summary_file), "also write the summary as JSON to this file")(
      "threads", po::value(&req.threads)->default_value(req.threads),
      "worker threads (results are identical for any N)")(
      "delimiter", po::value(&req.input.delimiter), "input delimiter: , ; tab (default: detect)")(
      "sheet", po::value(&req.input.sheet), "XLSX sheet name (default: the first)")(
      "map", po::value(&req.input.map), "CSV (column,item) mapping columns to items")(
      "allow-missing-columns", po::bool_switch(&req.input.allow_missing_columns),
      "run although item columns are absent (as skipped)")(
      "chunk-rows", po::value(&req.input.chunk_rows)->default_value(req.input.chunk_rows),
      "rows per batch")("quiet,q", po::bool_switch(), "no summary on stderr");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("sensitivity", synopsis, opts, pos, args, vm, code, example)) return code;
  req.check();
  require_not_directory("--map", req.input.map);
  check_output_path("-o", output);
  check_output_path("--summary", summary_file);

  // The output is created with the first rows: a run that fails before leaves it alone.
  std::unique_ptr<Output> out;
  std::string header;
  const auto sink = [&](const app::Table& rows) {
    std::string text = app::render(rows, app::Format::csv);
    if (!out) {
      out = std::make_unique<Output>(output);
      app::Table empty{rows.name, rows.title, {}, rows.keys, rows.min_cell};
      for (const auto& c : rows.columns) empty.add(c.name, c.kind, c.digits);
      header = app::render(empty, app::Format::csv);
    } else {
      text.erase(0, header.size());  // the header once, at the top
    }
    out->stream() << text;
  };
  const app::SensitivityOutcome result = app::sensitivity(input, req, instrument_search(), sink);
  out->commit();
  if (!summary_file.empty()) write_text_file(summary_file, result.summary_json);
  if (!vm["quiet"].as<bool>())
    for (const auto& n : result.report.notes)
      std::cerr << "reinscore sensitivity: " << n.text << "\n";
  return ok;
}

}  // namespace reinscore::cli
