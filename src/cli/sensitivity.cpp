// `reinscore sensitivity`: Monte Carlo over weight sets. Each interview gets the interval
// of its composite over the draws and the share of draws that change its category; a
// summary goes to stderr (and --summary FILE as JSON). The input streams in batches;
// in methods/both mode it is read twice (fits first), so it must be a file.
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "io/batch.hpp"
#include "io/score_writer.hpp"
#include "io/table.hpp"

#include <reinscore/error.hpp>
#include <reinscore/fit.hpp>
#include <reinscore/sensitivity.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace reinscore::cli {

// Defined in fit_weights.cpp.
bool fit_open_input(const std::string& command, const std::string& input,
                    const io::OpenOptions& open_opts, const std::string& map_file,
                    bool allow_missing_columns, const Instrument& ins,
                    const std::string& weight_column, std::unique_ptr<io::TableReader>& reader,
                    io::ColumnBinding& binding, std::size_t& weight_index);
void fit_accumulate(io::TableReader& reader, const Instrument& ins,
                    const io::ColumnBinding& binding, std::size_t weight_index,
                    const std::string& weight_column, std::size_t chunk_rows, FitAccumulator& acc);

namespace po = boost::program_options;
namespace fs = std::filesystem;

int cmd_sensitivity(const std::vector<std::string>& args) {
  const std::string synopsis =
      "INPUT [--draws N] [--bound 0.2] [--seed S] [--mode perturb|methods|both] [--level 0.9] "
      "[--instrument NAME|FILE] [--weights NAME|FILE] [--id COLUMN]... [--keep COLUMN]... [-o OUT]";
  po::options_description opts("options");
  std::string input, output, instrument_name, weights, mode, composite, missing, weight_column,
      summary_file, delimiter, sheet, map_file;
  std::vector<std::string> ids, keeps;
  std::size_t draws = 1000, chunk_rows = fit_chunk_rows;
  double bound = 0.2, level = 0.9;
  std::uint64_t seed = 1;
  unsigned threads = 1;
  opts.add_options()("help,h", "show this help")(
      "input", po::value(&input)->required(),
      "CSV/TSV file, .xlsx workbook, or - for stdin (perturb mode)")(
      "output,o", po::value(&output)->default_value("-"), "per-interview CSV (default: stdout)")(
      "draws", po::value(&draws)->default_value(1000), "Monte Carlo replicates")(
      "bound", po::value(&bound)->default_value(0.2, "0.2"),
      "relative perturbation of each weight: factor in [1-b, 1+b]")(
      "seed", po::value(&seed)->default_value(1), "seed (results are identical for the same seed)")(
      "mode", po::value(&mode)->default_value("perturb"),
      "perturb (the base set), methods (equal, pca-first, oecd-varimax fitted to INPUT, one drawn "
      "per replicate) or both")("level", po::value(&level)->default_value(0.9, "0.9"),
                                "central interval of the composite (0.9: 5th to 95th percentile)")(
      "instrument", po::value(&instrument_name)->default_value("iom-rss"),
      "instrument name or .json file")("weights", po::value(&weights)->default_value(""),
                                       "base weight set: a name, or a .csv/.json weight file")(
      "id", po::value(&ids)->composing(), "identifier column to copy to the output (repeatable)")(
      "keep", po::value(&keeps)->composing(), "other column to copy to the output (repeatable)")(
      "composite", po::value(&composite)->default_value("dimension-shares"),
      "methods/both: composite of the fitted sets")("missing",
                                                    po::value(&missing)->default_value("pairwise"),
                                                    "methods/both: correlations of the fits")(
      "weight", po::value(&weight_column)->default_value(""),
      "methods/both: sampling-weight column for the fits")(
      "summary", po::value(&summary_file)->default_value(""),
      "also write the summary as JSON to this file")(
      "threads", po::value(&threads)->default_value(1),
      "worker threads (results are identical for any N)")(
      "delimiter", po::value(&delimiter)->default_value(""),
      "input delimiter: , ; tab (default: detect)")("sheet", po::value(&sheet)->default_value(""),
                                                    "XLSX sheet name (default: the first)")(
      "map", po::value(&map_file)->default_value(""), "CSV (column,item) mapping columns to items")(
      "allow-missing-columns", po::bool_switch(),
      "run although item columns are absent (as skipped)")(
      "chunk-rows", po::value(&chunk_rows)->default_value(fit_chunk_rows), "rows per batch")(
      "quiet,q", po::bool_switch(), "no summary on stderr");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("sensitivity", synopsis, opts, pos, args, vm, code)) return code;
  require_range("--chunk-rows", chunk_rows, 1, max_chunk_rows);
  require_range("--threads", threads, 1, max_threads);
  require_range("--draws", draws, 1, max_replicates);
  if (!(bound >= 0 && bound < 1))  // a factor 1 - bound must stay positive
    throw_option_range("--bound", "must be a number from 0 up to but not including 1");
  require_open_unit("--level", level);
  require_not_directory("--map", map_file);
  check_output_path("-o", output);
  check_output_path("--summary", summary_file);
  const bool allow_missing = vm["allow-missing-columns"].as<bool>();

  SensitivityOptions opt;
  FitOptions fit_opt;
  MissingPolicy policy{};
  io::OpenOptions open_opts;
  Instrument ins;
  try {
    opt.draws = draws;
    opt.bound = bound;
    opt.seed = seed;
    opt.level = level;
    opt.mode = parse_sensitivity_mode(mode);
    opt.validate();
    fit_opt.composite = parse_composite_fit(composite);
    policy = parse_missing_policy(missing);
    if (!weight_column.empty()) fit_opt.weight_label = "column '" + weight_column + "'";
    if (opt.mode != SensitivityMode::perturb && input == "-")
      throw std::invalid_argument("--mode " + mode +
                                  " reads the input twice (fits, then draws): give a file, not -");
    if (opt.mode == SensitivityMode::perturb && !weight_column.empty())
      throw std::invalid_argument("--weight applies to the fits of --mode methods or both only");
    open_opts = open_options(delimiter, sheet);
    ins = apply_weights(resolve_instrument(instrument_name), weights);
  } catch (const input_error& e) {
    return fail("sensitivity", e.what(), usage_or_input);
  } catch (const std::invalid_argument& e) {
    return fail("sensitivity", e.what(), usage_or_input);
  }

  try {
    const WeightSet base = ins.weights();
    std::vector<WeightSet> alternatives;
    std::vector<std::string> alternative_names;
    if (opt.mode != SensitivityMode::perturb) {
      std::unique_ptr<io::TableReader> reader;
      io::ColumnBinding binding;
      std::size_t weight_index = io::ColumnBinding::none;
      if (!fit_open_input("sensitivity", input, open_opts, map_file, allow_missing, ins,
                          weight_column, reader, binding, weight_index))
        return usage_or_input;
      FitAccumulator acc(ins, policy, !weight_column.empty());
      fit_accumulate(*reader, ins, binding, weight_index, weight_column, chunk_rows, acc);
      for (const auto m : {FitMethod::equal, FitMethod::pca_first, FitMethod::oecd_varimax}) {
        fit_opt.method = m;
        fit_opt.name = "fitted-" + std::string(to_string(m));
        try {
          alternatives.push_back(fit_weights(ins, acc, fit_opt).weights);
        } catch (const std::invalid_argument& e) {
          return fail("sensitivity", e.what(), usage_or_input);
        }
        alternative_names.emplace_back(to_string(m));
      }
    }
    const SensitivityDraws drawn = draw_weight_sets(ins, base, alternatives, opt);
    const SensitivityRunner runner(ins, base, drawn, opt);
    SensitivitySummary summary(opt.draws);

    std::unique_ptr<io::TableReader> reader;
    io::ColumnBinding binding;
    std::size_t unused = io::ColumnBinding::none;
    if (!fit_open_input("sensitivity", input, open_opts, map_file, allow_missing, ins, "", reader,
                        binding, unused))
      return usage_or_input;
    std::vector<std::size_t> pass;
    for (const auto* list : {&ids, &keeps})
      for (const auto& name : *list) {
        std::size_t found = io::ColumnBinding::none, count = 0;
        for (std::size_t c = 0; c < binding.header.size(); ++c)
          if (binding.header[c] == name) {
            found = c;
            ++count;
          }
        if (count != 1)
          return fail("sensitivity",
                      "column '" + name + "': " +
                          (count ? "appears more than once [duplicate_column]"
                                 : "not in the input [missing_column]"),
                      usage_or_input);
        pass.push_back(found);
      }

    Output output_file(output);
    std::ostream& out = output_file.stream();

    std::string text;
    for (const auto c : pass) {
      io::append_csv_text(text, binding.header[c]);
      text += ',';
    }
    text +=
        "composite,category,status,lower,median,upper,mean,min,max,draws_scored,category_change_"
        "share\n";
    out << text;

    const io::BatchScorer scorer(ins, base, binding);
    io::RecordBatch batch;
    io::BatchResult res;
    SensitivityRows rows;
    std::vector<std::uint8_t> invalid;
    while (reader->next(batch, chunk_rows)) {
      scorer.run(batch, res);
      invalid.assign(batch.rows(), 0);
      for (std::size_t r = 0; r < batch.rows(); ++r)
        invalid[r] = res.scores.status[r] == Status::invalid;
      runner.run(res.coded, invalid, rows, threads);
      summary.add(rows);
      text.clear();
      for (std::size_t r = 0; r < batch.rows(); ++r) {
        const auto ri = static_cast<Eigen::Index>(r);
        const auto row = batch.row(r);
        const auto facts = io::row_facts(res, ri);  // a field not read cleanly stays empty
        for (const auto c : pass) {
          if (c < row.size() && io::pass_field_problem(facts, c).empty())
            io::append_csv_text(text, row[c]);
          text += ',';
        }
        io::append_number(text, rows.base(ri));
        text += ',';
        const int cat = rows.base_category[r];
        if (cat >= 0 && ins.thresholds)
          io::append_csv_text(text,
                              ins.thresholds->categories[static_cast<std::size_t>(cat)].label);
        text += ',';
        text += status_names[static_cast<std::size_t>(res.scores.status[r])];
        for (const double x : {rows.lower(ri), rows.median(ri), rows.upper(ri), rows.mean(ri),
                               rows.min(ri), rows.max(ri)}) {
          text += ',';
          io::append_number(text, x);
        }
        text += ',';
        text += std::to_string(rows.scored[r]);
        text += ',';
        io::append_number(text, rows.change_share(ri));
        text += '\n';
      }
      out << text;
    }
    output_file.commit();

    const auto json = summary.to_json(opt, drawn, alternative_names);
    if (!summary_file.empty()) write_text_file(summary_file, detail::pretty(json));
    if (!vm["quiet"].as<bool>()) {
      const auto get = [&](const char* key) {
        const auto& v = json.at(key);
        return v.is_null() ? std::nan("") : v.to_number<double>();
      };
      std::fprintf(stderr,
                   "reinscore sensitivity: %zu draws (%s, bound %g, seed %llu) over %llu "
                   "interviews (%llu with a composite)\n",
                   opt.draws, std::string(to_string(opt.mode)).c_str(), opt.bound,
                   static_cast<unsigned long long>(opt.seed),
                   static_cast<unsigned long long>(summary.rows()),
                   static_cast<unsigned long long>(summary.rows_with_composite()));
      std::fprintf(
          stderr, "  composite interval (%g%%, %g..%g percentile): mean width %.4f, largest %.4f\n",
          100 * opt.level, 100 * opt.lower_quantile(), 100 * opt.upper_quantile(),
          get("interval_width_mean"), get("interval_width_max"));
      if (ins.thresholds)
        std::fprintf(stderr,
                     "  category changes vs the base weights (%llu categorised interviews): %.2f%% "
                     "per draw on "
                     "average (5th-95th percentile of draws %.2f%%-%.2f%%); %.2f%% change in at "
                     "least one draw\n",
                     static_cast<unsigned long long>(summary.categorised()),
                     100 * get("category_change_share_mean"),
                     100 * get("category_change_share_p05"), 100 * get("category_change_share_p95"),
                     100 * get("ever_changed_share"));
      else
        std::fprintf(stderr, "  the instrument has no thresholds: no categories to compare\n");
      if (opt.mode != SensitivityMode::perturb) {
        std::fprintf(stderr, "  methods drawn:");
        for (const auto& kv : json.at("method_draws").as_object())
          std::fprintf(stderr, " %s %lld", std::string(kv.key()).c_str(),
                       static_cast<long long>(kv.value().to_number<double>()));
        std::fprintf(stderr, "\n");
      }
    }
    return ok;
  } catch (const input_error& e) {
    return fail("sensitivity", e.what(), usage_or_input);
  } catch (const std::ios_base::failure& e) {
    return fail_output("sensitivity", e);
  } catch (const fs::filesystem_error& e) {
    return fail_output("sensitivity", e);
  }
}

}  // namespace reinscore::cli
