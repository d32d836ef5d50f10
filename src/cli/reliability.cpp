// `reinscore reliability`: Cronbach's alpha (raw, standardised, optionally ordinal) and
// item statistics per dimension. Streams the export through the readers and the coder in
// batches into mergeable accumulators (include/reinscore/reliability.hpp); memory does not
// grow with the file. Invalid interviews are left out, as they get no scores.
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "io/batch.hpp"
#include "io/table.hpp"

#include <reinscore/detail/json.hpp>
#include <reinscore/error.hpp>
#include <reinscore/reliability.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace reinscore::cli {

namespace po = boost::program_options;

namespace {

std::string fixed(double x, int digits = 4) {
  if (std::isnan(x)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

std::string count(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", x);
  return buf;
}

std::string weight_sum(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

// Right-aligned cell of width w (left-aligned for the first column).
std::string cell(const std::string& s, std::size_t w, bool left = false) {
  if (s.size() >= w) return s;
  return left ? s + std::string(w - s.size(), ' ') : std::string(w - s.size(), ' ') + s;
}

detail::json::value number(double x) {
  if (!std::isfinite(x)) return nullptr;
  return x;
}

struct Counts {
  std::uint64_t read = 0, invalid = 0;
};

void print_text(std::ostream& os, const Instrument& ins, const ReliabilityReport& rep,
                const Counts& counts, const std::string& weight) {
  os << "reliability of " << rep.instrument << "\n"
     << counts.read << " rows read, " << counts.invalid << " invalid left out, " << count(rep.rows)
     << " used; "
     << "missing values: "
     << (rep.missing == MissingPolicy::complete
             ? "complete (rows with every item of the dimension answered)"
             : "pairwise (each covariance over the rows answering both items)")
     << "; weights: " << (weight.empty() ? "none" : "column '" + weight + "'") << "\n";
  if (!rep.left_out.empty()) {
    os << "left out (no column in the input):";
    for (const auto k : rep.left_out) os << " " << ins.items[k].id;
    os << "\n";
  }
  std::size_t dim_w = 9;
  for (const auto& d : rep.dimensions) dim_w = std::max(dim_w, d.dimension.size());
  os << "\n"
     << cell("dimension", dim_w, true) << cell("items", 7) << cell("n", 8) << cell("alpha", 9)
     << cell("std_alpha", 11);
  if (rep.ordinal) os << cell("ordinal_alpha", 15);
  os << cell("mean_r", 9) << "\n";
  for (const auto& d : rep.dimensions) {
    const auto& a = d.alpha;
    os << cell(d.dimension, dim_w, true) << cell(std::to_string(a.k), 7) << cell(count(a.n), 8)
       << cell(fixed(a.alpha), 9) << cell(fixed(a.standardized_alpha), 11);
    if (rep.ordinal) os << cell(fixed(a.ordinal_alpha), 15);
    os << cell(fixed(a.mean_r), 9) << "\n";
  }
  for (const auto& d : rep.dimensions) {
    const auto& a = d.alpha;
    std::size_t item_w = 4;
    for (const auto k : d.items) item_w = std::max(item_w, ins.items[k].id.size());
    os << "\n" << d.dimension << " (" << a.k << " items";
    if (rep.missing == MissingPolicy::complete) os << ", n = " << count(a.n);
    if (!weight.empty()) os << ", sum of weights " << weight_sum(a.weight);
    os << ")\n"
       << cell("item", item_w, true) << cell("n", 8) << cell("mean", 8) << cell("sd", 8)
       << cell("item_rest", 11) << cell("alpha_if_deleted", 18) << cell("std_alpha_if_deleted", 22);
    if (rep.ordinal) os << cell("ordinal_alpha_if_deleted", 26);
    os << "\n";
    for (std::size_t i = 0; i < d.items.size(); ++i) {
      const auto& it = a.items[i];
      os << cell(ins.items[d.items[i]].id, item_w, true) << cell(count(it.n), 8)
         << cell(fixed(it.mean), 8) << cell(fixed(it.sd), 8) << cell(fixed(it.item_rest), 11)
         << cell(fixed(it.alpha_if_deleted), 18)
         << cell(fixed(it.standardized_alpha_if_deleted), 22);
      if (rep.ordinal) os << cell(fixed(it.ordinal_alpha_if_deleted), 26);
      os << "\n";
    }
  }
}

detail::json::value to_json(const Instrument& ins, const io::ColumnBinding& binding,
                            const ReliabilityReport& rep, const Counts& counts,
                            const std::string& weight) {
  namespace json = detail::json;
  json::object o;
  o["instrument"] = rep.instrument;
  o["missing"] = missing_policy_name(rep.missing);
  o["ordinal"] = rep.ordinal;
  o["weight"] = weight.empty() ? json::value(nullptr) : json::value(weight);
  o["rows_read"] = counts.read;
  o["invalid_rows"] = counts.invalid;
  o["rows_used"] = static_cast<std::uint64_t>(rep.rows);
  json::array left;
  for (const auto k : rep.left_out) left.emplace_back(ins.items[k].id);
  o["left_out"] = std::move(left);
  json::array dims;
  for (const auto& d : rep.dimensions) {
    const auto& a = d.alpha;
    json::object dj;
    dj["dimension"] = d.dimension;
    dj["k"] = a.k;
    dj["n"] = static_cast<std::uint64_t>(a.n);
    dj["weight_sum"] = number(a.weight);
    dj["alpha"] = number(a.alpha);
    dj["standardized_alpha"] = number(a.standardized_alpha);
    dj["mean_r"] = number(a.mean_r);
    if (rep.ordinal) {
      dj["ordinal_alpha"] = number(a.ordinal_alpha);
      dj["mean_polychoric"] = number(a.mean_polychoric);
    }
    json::array items;
    for (std::size_t i = 0; i < d.items.size(); ++i) {
      const auto& it = a.items[i];
      json::object ij;
      ij["item"] = ins.items[d.items[i]].id;
      ij["column"] = binding.column_name(ins, d.items[i]);
      ij["n"] = static_cast<std::uint64_t>(it.n);
      ij["mean"] = number(it.mean);
      ij["sd"] = number(it.sd);
      ij["item_rest"] = number(it.item_rest);
      ij["alpha_if_deleted"] = number(it.alpha_if_deleted);
      ij["standardized_alpha_if_deleted"] = number(it.standardized_alpha_if_deleted);
      if (rep.ordinal) ij["ordinal_alpha_if_deleted"] = number(it.ordinal_alpha_if_deleted);
      items.emplace_back(std::move(ij));
    }
    dj["items"] = std::move(items);
    if (rep.ordinal) {
      json::array rows;
      for (Eigen::Index i = 0; i < a.polychoric.rows(); ++i) {
        json::array row;
        for (Eigen::Index j = 0; j < a.polychoric.cols(); ++j)
          row.emplace_back(number(a.polychoric(i, j)));
        rows.emplace_back(std::move(row));
      }
      dj["polychoric"] = std::move(rows);
    }
    dims.emplace_back(std::move(dj));
  }
  o["dimensions"] = std::move(dims);
  return o;
}

}  // namespace

int cmd_reliability(const std::vector<std::string>& args) {
  const std::string synopsis =
      "INPUT [--instrument NAME|FILE] [--missing complete|pairwise] [--weight COLUMN] [--ordinal] "
      "[--json]";
  po::options_description opts("options");
  std::string input, instrument_name, missing, weight, delimiter, sheet, map_file;
  std::size_t chunk_rows = 8192;
  opts.add_options()("help,h", "show this help")("input", po::value(&input)->required(),
                                                 "CSV/TSV file, .xlsx workbook, or - for stdin")(
      "instrument", po::value(&instrument_name)->default_value("iom-rss"),
      "instrument name or .json file")("missing", po::value(&missing)->default_value("complete"),
                                       "complete: rows with every item of the dimension answered "
                                       "(listwise); pairwise: each covariance over "
                                       "the rows that answer both items")(
      "weight", po::value(&weight)->default_value(""), "column of sampling weights (numbers >= 0)")(
      "ordinal", po::bool_switch(), "add ordinal alpha (on polychoric correlations)")(
      "json", po::bool_switch(), "write JSON instead of tables")(
      "delimiter", po::value(&delimiter)->default_value(""),
      "input delimiter: , ; tab (default: detect)")("sheet", po::value(&sheet)->default_value(""),
                                                    "XLSX sheet name (default: the first)")(
      "map", po::value(&map_file)->default_value(""), "CSV (column,item) mapping columns to items")(
      "allow-missing-columns", po::bool_switch(),
      "leave items without a column out instead of stopping")(
      "chunk-rows", po::value(&chunk_rows)->default_value(8192), "rows per batch");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("reliability", synopsis, opts, pos, args, vm, code)) return code;
  require_range("--chunk-rows", chunk_rows, 1, max_chunk_rows);
  require_not_directory("--map", map_file);

  ReliabilityOptions ropt;
  ropt.ordinal = vm["ordinal"].as<bool>();
  io::OpenOptions open_opts;
  Instrument ins;
  try {
    ropt.missing = parse_missing_policy(missing, "--missing");
    open_opts = open_options(delimiter, sheet);
    ins = resolve_instrument(instrument_name);
  } catch (const std::invalid_argument& e) {
    return fail("reliability", e.what(), usage_or_input);
  }

  try {
    auto reader = io::open_table(input, open_opts);
    const auto column_map =
        map_file.empty() ? std::map<std::string, std::string>{} : io::load_column_map(map_file);
    const io::ColumnBinding binding = io::bind_columns(ins, reader->header(), column_map);
    const bool allow_missing = vm["allow-missing-columns"].as<bool>();
    int fatal = 0;
    for (const auto& p : binding.problems) {
      if (!p.fatal || (p.rule == "missing_column" && allow_missing)) continue;
      std::cerr << "reinscore reliability: column '" << p.column << "': " << p.message << " ["
                << p.rule << "]\n";
      ++fatal;
    }
    if (binding.matched == 0)
      return fail("reliability",
                  "no column of the file matches an item of instrument '" + ins.id +
                      "' (check --delimiter, or use --map) [no_item_columns]",
                  usage_or_input);
    if (fatal)
      return fail("reliability",
                  std::to_string(fatal) +
                      " column problem(s); nothing was computed (see `reinscore validate`, --map, "
                      "--allow-missing-columns)",
                  usage_or_input);
    std::size_t weight_col = io::ColumnBinding::none;
    if (!weight.empty()) {
      std::size_t hits = 0;
      for (std::size_t c = 0; c < binding.header.size(); ++c)
        if (binding.header[c] == weight) {
          weight_col = c;
          ++hits;
        }
      if (hits == 0)
        throw input_error("missing_column", "weight column not in the input", 0, weight);
      if (hits > 1)
        throw input_error("duplicate_column", "weight column appears more than once", 0, weight);
    }
    ropt.include.resize(ins.items.size());
    for (std::size_t k = 0; k < ins.items.size(); ++k)
      ropt.include[k] = binding.item_column[k] != io::ColumnBinding::none;

    ReliabilityAccumulator acc(ins, ropt);
    const io::BatchScorer scorer(ins, ins.weights(), binding);
    io::RecordBatch batch;
    io::BatchResult res;
    Counts counts;
    std::vector<std::uint8_t> keep;
    Eigen::VectorXd w;
    while (reader->next(batch, chunk_rows)) {
      scorer.run(batch, res);
      const std::size_t n = batch.rows();
      keep.assign(n, 1);
      if (weight_col != io::ColumnBinding::none) w.resize(static_cast<Eigen::Index>(n));
      for (std::size_t r = 0; r < n; ++r) {
        if (res.scores.status[r] == Status::invalid) {
          keep[r] = 0;
          ++counts.invalid;
          continue;
        }
        if (weight_col == io::ColumnBinding::none) continue;
        double x = 0;
        if (!detail::parse_number(detail::trim(batch.row(r)[weight_col]), x) || x < 0)
          throw input_error("invalid_weight", "a weight must be a finite number >= 0",
                            batch.record[r], weight);
        w(static_cast<Eigen::Index>(r)) = x;
      }
      counts.read += n;
      if (weight_col == io::ColumnBinding::none) {
        acc.add(res.coded.values, Eigen::VectorXd(), keep);
      } else {
        for (std::size_t r = 0; r < n; ++r)
          if (!keep[r]) w(static_cast<Eigen::Index>(r)) = 0;  // left out anyway
        acc.add(res.coded.values, w, keep);
      }
    }
    const auto rep = acc.report();
    if (vm["json"].as<bool>()) {
      std::cout << detail::pretty(to_json(ins, binding, rep, counts, weight));
    } else {
      print_text(std::cout, ins, rep, counts, weight);
    }
    return ok;  // run() checks that standard output was written
  } catch (const input_error& e) {
    return fail("reliability", e.what(), usage_or_input);
  } catch (const std::invalid_argument& e) {
    // e.g. an item with too many distinct values for --ordinal
    return fail("reliability", e.what(), usage_or_input);
  }
}

}  // namespace reinscore::cli
