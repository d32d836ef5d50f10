// `reinscore fit-weights`: derive a weight set from data (PCA, OECD varimax). The input
// streams through the readers and the coder in batches into co-moments, so memory does
// not grow with the number of rows; the weight set goes to a JSON file that
// `reinscore score --weights FILE` loads, and a summary of the diagnostics to stderr.
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "io/batch.hpp"
#include "io/table.hpp"

#include <reinscore/error.hpp>
#include <reinscore/fit.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace reinscore::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

// Shared with sensitivity.cpp (declared there): opening, binding and streaming an input
// for a fit, and writing a small output file.

/// Opens INPUT and binds its columns; prints the problems and returns false when the
/// input cannot be used (exit 2), as `score` does.
bool fit_open_input(const std::string& command, const std::string& input,
                    const io::OpenOptions& open_opts, const std::string& map_file,
                    bool allow_missing_columns, const Instrument& ins,
                    const std::string& weight_column, std::unique_ptr<io::TableReader>& reader,
                    io::ColumnBinding& binding, std::size_t& weight_index) {
  reader = io::open_table(input, open_opts);
  const auto column_map =
      map_file.empty() ? std::map<std::string, std::string>{} : io::load_column_map(map_file);
  binding = io::bind_columns(ins, reader->header(), column_map);
  int fatal = 0;
  for (const auto& p : binding.problems) {
    if (!p.fatal || (p.rule == "missing_column" && allow_missing_columns)) continue;
    std::cerr << "reinscore " << command << ": column '" << p.column << "': " << p.message << " ["
              << p.rule << "]\n";
    ++fatal;
  }
  if (binding.matched == 0) {
    std::cerr << "reinscore " << command
              << ": no column of the file matches an item of instrument '" << ins.id
              << "' (check the delimiter, or use --map) [no_item_columns]\n";
    return false;
  }
  if (fatal) {
    std::cerr << "reinscore " << command << ": " << fatal
              << " column problem(s) (see `reinscore validate`, --map, "
              << "--allow-missing-columns)\n";
    return false;
  }
  weight_index = io::ColumnBinding::none;
  if (!weight_column.empty()) {
    std::size_t count = 0;
    for (std::size_t c = 0; c < binding.header.size(); ++c)
      if (binding.header[c] == weight_column) {
        weight_index = c;
        ++count;
      }
    if (count != 1) {
      std::cerr << "reinscore " << command << ": column '" << weight_column << "': "
                << (count ? "appears more than once [duplicate_column]"
                          : "weight column not in the input [missing_column]")
                << "\n";
      return false;
    }
  }
  return true;
}

/// The sampling weights of a batch's rows (0 for invalid rows, which a fit leaves out).
/// Throws input_error for a usable row whose weight is not a finite number >= 0.
void fit_batch_weights(const io::RecordBatch& batch, const io::BatchResult& res, std::size_t column,
                       const std::string& column_name, Eigen::VectorXd& w) {
  w.resize(static_cast<Eigen::Index>(batch.rows()));
  for (std::size_t r = 0; r < batch.rows(); ++r) {
    w(static_cast<Eigen::Index>(r)) = 0;
    if (res.scores.status[r] == Status::invalid) continue;
    double x = 0;
    const auto row = batch.row(r);
    if (column >= row.size() || !detail::parse_number(detail::trim(row[column]), x) || x < 0)
      throw input_error("weight_value", "the sampling weight is not a finite number >= 0",
                        static_cast<std::size_t>(batch.record[r]), column_name);
    w(static_cast<Eigen::Index>(r)) = x;
  }
}

/// Streams the whole input into `acc` (invalid rows left out).
void fit_accumulate(io::TableReader& reader, const Instrument& ins,
                    const io::ColumnBinding& binding, std::size_t weight_index,
                    const std::string& weight_column, std::size_t chunk_rows, FitAccumulator& acc) {
  const io::BatchScorer scorer(ins, ins.weights(), binding);
  io::RecordBatch batch;
  io::BatchResult res;
  Eigen::VectorXd w;
  while (reader.next(batch, chunk_rows)) {
    scorer.run(batch, res);
    if (weight_index != io::ColumnBinding::none) {
      fit_batch_weights(batch, res, weight_index, weight_column, w);
      acc.add(res.coded, res.scores, w);
    } else {
      acc.add(res.coded, res.scores);
    }
  }
}

namespace {

void print_summary(const Instrument& ins, const FitResult& fit, const FitOptions& opt,
                   MissingPolicy missing) {
  std::fprintf(
      stderr,
      "reinscore fit-weights: %s on %.0f of %.0f rows (%.0f invalid rows left out), %s "
      "correlations, %s\n",
      std::string(to_string(opt.method)).c_str(), fit.rows_used, fit.rows, fit.rows_skipped,
      std::string(to_string(missing)).c_str(),
      opt.weight_label.empty() ? "unweighted" : ("weighted by " + opt.weight_label).c_str());
  std::fprintf(stderr, "\n  %-16s %5s %8s %6s %12s %5s %9s %7s %6s %5s\n", "block", "items", "n",
               "KMO", "Bartlett chi2", "df", "p", "eig1", "expl1", "kept");
  const auto line = [](const BlockFit& b) {
    const std::string name = b.name == "all" ? "(all items)" : b.name;
    std::fprintf(stderr, "  %-16s %5zu %8.0f %6.3f %12.1f %5.0f %9.2g %7.3f %6.3f %5s\n",
                 name.c_str(), b.items.size(), b.n, b.kmo.overall, b.bartlett.chi2, b.bartlett.df,
                 b.bartlett.p_value, b.pca.eigenvalues(0), b.pca.explained_ratio(0),
                 b.kept ? std::to_string(b.kept).c_str() : "-");
  };
  for (const auto& b : fit.dimensions) line(b);
  line(fit.all);
  const WeightSet& w = fit.weights;
  std::fprintf(stderr, "\n  %-24s %-14s %10s %10s\n", "item", "dimension", "dim.weight",
               "composite");
  for (std::size_t k = 0; k < ins.items.size(); ++k) {
    const std::string comp =
        w.items[k].composite ? std::to_string(*w.items[k].composite).substr(0, 8) : "";
    std::fprintf(stderr, "  %-24s %-14s %10.4f %10s\n", ins.items[k].id.c_str(),
                 ins.items[k].dimension.c_str(), w.items[k].dimension, comp.c_str());
  }
  if (w.mode == CompositeMode::dimension) {
    std::fprintf(stderr, "\n  composite by dimension:");
    for (std::size_t d = 0; d < ins.dimensions.size(); ++d)
      std::fprintf(stderr, " %s %.4f", ins.dimensions[d].c_str(), w.dimension_weights[d]);
    std::fprintf(stderr, "\n");
  } else {
    std::fprintf(stderr, "\n  composite by item (the composite weights above)\n");
  }
  for (const auto& s : fit.warnings) std::fprintf(stderr, "  warning: %s\n", s.c_str());
}

}  // namespace

int cmd_fit_weights(const std::vector<std::string>& args) {
  const std::string synopsis =
      "INPUT --method pca-first|oecd-varimax|equal [--composite pca|dimension-shares] "
      "[--missing pairwise|complete] [--weight COLUMN] [--instrument NAME|FILE] [--name NAME] [-o "
      "weights.json]";
  po::options_description opts("options");
  std::string input, output, instrument_name, method, composite, missing, weight_column, name,
      delimiter, sheet, map_file;
  double min_eigenvalue = 1, min_cumulative = 0, tolerance = 1e-12;
  int max_iterations = 1000;
  std::size_t chunk_rows = fit_chunk_rows;
  opts.add_options()("help,h", "show this help")("input", po::value(&input)->required(),
                                                 "CSV/TSV file, .xlsx workbook, or - for stdin")(
      "method", po::value(&method)->default_value("pca-first"), "pca-first, oecd-varimax or equal")(
      "composite", po::value(&composite)->default_value("dimension-shares"),
      "dimension-shares (dimension mode) or pca (item mode, the method over all items)")(
      "missing", po::value(&missing)->default_value("pairwise"),
      "pairwise or complete (listwise) correlations")(
      "weight", po::value(&weight_column)->default_value(""),
      "column of sampling weights (default: unweighted)")(
      "instrument", po::value(&instrument_name)->default_value("iom-rss"),
      "instrument name or .json file")(
      "name", po::value(&name)->default_value(""),
      "weight-set name (default fitted-METHOD); the default output is NAME.json")(
      "output,o", po::value(&output)->default_value(""),
      "weight file to write (- for stdout; default NAME.json)")(
      "min-eigenvalue", po::value(&min_eigenvalue)->default_value(1.0),
      "oecd-varimax: keep components above this eigenvalue")(
      "min-cumulative", po::value(&min_cumulative)->default_value(0.0),
      "oecd-varimax: keep components at least until this cumulative explained variance (0: off)")(
      "varimax-tolerance", po::value(&tolerance)->default_value(1e-12, "1e-12"),
      "varimax: stop after a sweep that rotates no pair of factors by more (radians)")(
      "varimax-max-iterations", po::value(&max_iterations)->default_value(1000),
      "varimax: most sweeps over all pairs")("delimiter", po::value(&delimiter)->default_value(""),
                                             "input delimiter: , ; tab (default: detect)")(
      "sheet", po::value(&sheet)->default_value(""), "XLSX sheet name (default: the first)")(
      "map", po::value(&map_file)->default_value(""), "CSV (column,item) mapping columns to items")(
      "chunk-rows", po::value(&chunk_rows)->default_value(fit_chunk_rows), "rows per batch")(
      "quiet,q", po::bool_switch(), "no summary on stderr");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("fit-weights", synopsis, opts, pos, args, vm, code)) return code;
  require_range("--chunk-rows", chunk_rows, 1, max_chunk_rows);
  require_range("--varimax-max-iterations", max_iterations, 1, 1000000);
  if (!(tolerance > 0 && tolerance <= 1))
    throw_option_range("--varimax-tolerance", "must be a number above 0 and at most 1");
  require_not_directory("--map", map_file);
  check_output_path("-o", output);

  FitOptions opt;
  MissingPolicy policy{};
  io::OpenOptions open_opts;
  Instrument ins;
  try {
    opt.method = parse_fit_method(method);
    opt.composite = parse_composite_fit(composite);
    policy = parse_missing_policy(missing);
    if (!(std::isfinite(min_eigenvalue) && min_eigenvalue >= 0))
      throw std::invalid_argument("--min-eigenvalue must be a finite number >= 0");
    if (!(min_cumulative >= 0 && min_cumulative <= 1))
      throw std::invalid_argument("--min-cumulative must lie in [0, 1]");
    if (!(tolerance > 0) || max_iterations < 1)
      throw std::invalid_argument(
          "--varimax-tolerance must be > 0 and --varimax-max-iterations >= 1");
    opt.min_eigenvalue = min_eigenvalue;
    opt.min_cumulative = min_cumulative;
    opt.varimax.tolerance = tolerance;
    opt.varimax.max_iterations = max_iterations;
    opt.name = name.empty() ? "fitted-" + method : name;
    if (!weight_column.empty()) opt.weight_label = "column '" + weight_column + "'";
    open_opts = open_options(delimiter, sheet);
    ins = resolve_instrument(instrument_name);
  } catch (const std::invalid_argument& e) {
    return fail("fit-weights", e.what(), usage_or_input);
  }
  if (output.empty()) output = opt.name + ".json";
  check_output_path("-o", output);

  try {
    std::unique_ptr<io::TableReader> reader;
    io::ColumnBinding binding;
    std::size_t weight_index = io::ColumnBinding::none;
    // Every item needs a column: an item without answers cannot be correlated.
    if (!fit_open_input("fit-weights", input, open_opts, map_file, false, ins, weight_column,
                        reader, binding, weight_index))
      return usage_or_input;
    FitAccumulator acc(ins, policy, !weight_column.empty());
    fit_accumulate(*reader, ins, binding, weight_index, weight_column, chunk_rows, acc);
    FitResult fit;
    try {
      fit = fit_weights(ins, acc, opt);
    } catch (const std::invalid_argument& e) {
      return fail("fit-weights", e.what(), usage_or_input);
    }
    write_text_file(output, fit.json);
    if (!vm["quiet"].as<bool>()) {
      print_summary(ins, fit, opt, policy);
      if (output != "-") {
        std::string stem = fs::path(output).stem().string();
        std::fprintf(
            stderr,
            "\n  written to %s: `reinscore score --weights %s` loads it as weight set '%s'\n",
            output.c_str(), output.c_str(), stem.c_str());
      }
    }
    return ok;
  } catch (const input_error& e) {
    return fail("fit-weights", e.what(), usage_or_input);
  } catch (const std::ios_base::failure& e) {
    return fail_output("fit-weights", e);
  } catch (const fs::filesystem_error& e) {
    return fail_output("fit-weights", e);
  }
}

}  // namespace reinscore::cli
