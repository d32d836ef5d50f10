// `reinscore fit-weights`: options and rendering only; app::fit_weights
// (include/reinscore/app/fit_weights.hpp) reads the export and fits the set. The weight
// file goes to -o (NAME.json by default), the diagnostics to stderr.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include <reinscore/app/fit_weights.hpp>
#include <reinscore/app/render.hpp>

#include <filesystem>
#include <iostream>

namespace reinscore::cli {

namespace po = boost::program_options;

int cmd_fit_weights(const std::vector<std::string>& args) {
  const std::string synopsis =
      "INPUT [--method pca-first|oecd-varimax|equal] [--composite dimension-shares|pca]\n"
      "       [--missing pairwise|complete] [--weight COLUMN] [--instrument NAME|FILE]\n"
      "       [--name NAME] [-o weights.json]";
  const std::string example =
      "reinscore fit-weights round1.csv --method oecd-varimax --name round1 -o round1.json";
  app::FitWeightsRequest req;
  std::string input, output;
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")("input", po::value(&input)->required(),
                                                 "CSV/TSV file, .xlsx workbook, or - for stdin")(
      "method", po::value(&req.method)->default_value(req.method),
      "pca-first, oecd-varimax or equal")(
      "composite", po::value(&req.composite)->default_value(req.composite),
      "dimension-shares (dimension mode) or pca (item mode, the method over all items)")(
      "missing", po::value(&req.missing)->default_value(req.missing),
      "pairwise or complete (listwise) correlations")(
      "weight", po::value(&req.weight), "column of sampling weights (default: unweighted)")(
      "instrument", po::value(&req.instrument)->default_value(req.instrument),
      "instrument name or .json file")(
      "name", po::value(&req.name),
      "weight-set name (default fitted-METHOD); the default output is NAME.json")(
      "output,o", po::value(&output), "weight file to write (- for stdout; default NAME.json)")(
      "min-eigenvalue", po::value(&req.min_eigenvalue)->default_value(1.0, "1"),
      "oecd-varimax: keep components above this eigenvalue")(
      "min-cumulative", po::value(&req.min_cumulative)->default_value(0.0, "0"),
      "oecd-varimax: keep components at least until this cumulative explained variance (0: off)")(
      "varimax-tolerance", po::value(&req.varimax_tolerance)->default_value(1e-12, "1e-12"),
      "varimax: stop after a sweep that rotates no pair of factors by more (radians)")(
      "varimax-max-iterations",
      po::value(&req.varimax_max_iterations)->default_value(req.varimax_max_iterations),
      "varimax: most sweeps over all pairs")("delimiter", po::value(&req.input.delimiter),
                                             "input delimiter: , ; tab (default: detect)")(
      "sheet", po::value(&req.input.sheet), "XLSX sheet name (default: the first)")(
      "map", po::value(&req.input.map), "CSV (column,item) mapping columns to items")(
      "chunk-rows", po::value(&req.input.chunk_rows)->default_value(req.input.chunk_rows),
      "rows per batch")("quiet,q", po::bool_switch(), "no summary on stderr");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("fit-weights", synopsis, opts, pos, args, vm, code, example)) return code;
  req.check();
  require_not_directory("--map", req.input.map);
  if (output.empty()) output = req.set_name() + ".json";
  check_output_path("-o", output);

  const app::FittedWeights fit = app::fit_weights(input, req, instrument_search());
  write_text_file(output, fit.file);
  if (vm["quiet"].as<bool>()) return ok;
  const app::Report& r = fit.report;
  for (const auto& n : r.notes)
    if (n.level == app::Note::Level::info) std::cerr << "reinscore fit-weights: " << n.text << "\n";
  for (const char* name : {"blocks", "weights", "dimension_weights"})
    if (r.has_table(name)) {
      const app::Table& t = r.table(name);
      std::cerr << "\n" << t.title << "\n" << app::render(t, app::Format::table);
    }
  if (!r.has_table("dimension_weights"))
    std::cerr << "\ncomposite by item: the composite weights above\n";
  std::cerr << "\n";
  for (const auto& n : r.notes)
    if (n.level == app::Note::Level::warning)
      std::cerr << "reinscore fit-weights: warning: " << n.text << "\n";
  if (output != "-") {
    const std::string stem = std::filesystem::path(output).stem().string();
    std::cerr << "reinscore fit-weights: written to " << output << ": `reinscore score --weights "
              << output << "` loads it as weight set '" << stem << "'\n";
  }
  return ok;
}

}  // namespace reinscore::cli
