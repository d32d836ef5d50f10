// `reinscore summarize`: per group of a scores file, the number of interviews, the mean
// of each score over the interviews that have it, and the share of each status. Groups
// smaller than --min-cell are suppressed (data protection).
//
// With survey options (--weight, --strata, --cluster, --ci, --threshold, --compare) the
// summary comes from reinscore::Summary (include/reinscore/summary.hpp): weighted means,
// quantiles, shares at or above a threshold, missing shares, and with --ci standard
// errors and confidence intervals (linearisation or bootstrap) and differences between
// groups. Without them the output is exactly the plain summary above.
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "io/score_writer.hpp"
#include "io/table.hpp"

#include <reinscore/accumulators.hpp>
#include <reinscore/coder.hpp>
#include <reinscore/scorer.hpp>
#include <reinscore/summary.hpp>

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <unordered_map>

namespace reinscore::cli {

namespace po = boost::program_options;

namespace {

// Score columns of a scores file: `composite` and every X with a `coverage_X` column.
struct ScoreColumns {
  std::vector<std::string> names;
  std::vector<std::size_t> columns;
  std::size_t status = io::ColumnBinding::none;
};

ScoreColumns find_score_columns(const std::vector<std::string>& header) {
  const auto find = [&](const std::string& name) {
    for (std::size_t c = 0; c < header.size(); ++c)
      if (header[c] == name) return c;
    return io::ColumnBinding::none;
  };
  ScoreColumns out;
  for (const auto& h : header)
    if (h.rfind("coverage_", 0) == 0 && find(h.substr(9)) != io::ColumnBinding::none) {
      out.names.push_back(h.substr(9));
      out.columns.push_back(find(h.substr(9)));
    }
  if (find("composite") != io::ColumnBinding::none) {
    out.names.push_back("composite");
    out.columns.push_back(find("composite"));
  }
  out.status = find("status");
  return out;
}

struct Group {
  std::vector<Moments> scores;
  CategoryCounts status{status_names.size()};
  std::uint64_t unknown_status = 0;
};

std::string fixed(double x, int digits) {
  if (std::isnan(x)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

// The first `text_cols` columns (the group keys) are text, escaped for spreadsheets;
// the others are numbers we formatted (a negative difference is not a formula).
void print_table(const std::vector<std::string>& cols,
                 const std::vector<std::vector<std::string>>& table, const std::string& format,
                 std::size_t text_cols) {
  if (format == "csv") {
    std::string out;
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i) out += ',';
      io::append_csv_text(out, cols[i]);
    }
    out += '\n';
    for (const auto& line : table) {
      for (std::size_t i = 0; i < line.size(); ++i) {
        if (i) out += ',';
        if (i < text_cols)
          io::append_csv_text(out, line[i]);
        else
          out += line[i];
      }
      out += '\n';
    }
    std::cout << out;
  } else {
    std::vector<std::size_t> w(cols.size());
    for (std::size_t i = 0; i < cols.size(); ++i) {
      w[i] = cols[i].size();
      for (const auto& line : table) w[i] = std::max(w[i], line[i].size());
    }
    for (std::size_t i = 0; i < cols.size(); ++i)
      std::cout << (i ? "  " : "") << std::setw(static_cast<int>(w[i])) << cols[i];
    std::cout << "\n";
    for (const auto& line : table) {
      for (std::size_t i = 0; i < line.size(); ++i)
        std::cout << (i ? "  " : "") << std::setw(static_cast<int>(w[i])) << line[i];
      std::cout << "\n";
    }
  }
}

std::string below_min_cell(std::uint64_t min_cell) {
  std::string below = "<";  // built in two steps: GCC 12 warns falsely on "<" + string
  below += std::to_string(min_cell);
  return below;
}

/// Name of a quantile column: median, p25, p75, p2.5...
std::string quantile_name(double p) {
  if (p == 0.5) return "median";
  char buf[32];
  std::snprintf(buf, sizeof buf, "p%g", 100 * p);
  return buf;
}

/// The instrument's threshold for "share at or above": the lowest value of its highest
/// category (0.5 for iom-rss), when every row names the same instrument and that
/// instrument (same id and version) can be found. NaN otherwise.
double instrument_threshold(const std::set<std::string>& tags, std::string& why) {
  if (tags.size() != 1) {
    why =
        tags.empty() ? "the scores name no instrument" : "the scores name more than one instrument";
    return std::numeric_limits<double>::quiet_NaN();
  }
  const std::string& tag = *tags.begin();
  std::string id, version;
  if (!split_instrument_tag(tag, id, version)) {
    why = "the instrument column is not id@version#hash with a plain id";
    return std::numeric_limits<double>::quiet_NaN();
  }
  try {
    // The id is data: looked up by name only, never opened as a path.
    const Instrument ins = instrument_by_plain_name(id);
    if (ins.version != version) {
      why = "the instrument found has another version";
      return std::numeric_limits<double>::quiet_NaN();
    }
    if (!ins.thresholds || ins.thresholds->categories.size() < 2) {
      why = "the instrument has no threshold";
      return std::numeric_limits<double>::quiet_NaN();
    }
    return ins.thresholds->categories.back().min;
  } catch (const std::exception&) {
    why = "the instrument was not found";
    return std::numeric_limits<double>::quiet_NaN();
  }
}

struct SurveyArgs {
  std::string weight, strata, cluster, ci, compare, singleton, interval;
  std::size_t replicates = 1000;
  std::uint64_t seed = SummaryOptions{}.seed;
  double level = 0.95;
  double threshold = std::numeric_limits<double>::quiet_NaN();
  unsigned threads = 1;
  int digits = 4;
};

int survey_summarize(const std::string& input, const std::vector<std::string>& by,
                     std::uint64_t min_cell, const std::string& format, const SurveyArgs& a) {
  SummaryOptions opt;
  opt.method = a.ci.empty() ? VarianceMethod::none : parse_variance_method(a.ci);
  opt.level = a.level;
  opt.replicates = a.replicates;
  opt.seed = a.seed;
  opt.threads = a.threads;
  opt.singleton = parse_singleton(a.singleton);
  opt.interval = parse_bootstrap_interval(a.interval);
  opt.min_cell = min_cell;
  opt.strata_column = a.strata;
  const bool ci = opt.method != VarianceMethod::none;

  auto reader = io::open_table(input, {});
  const auto& header = reader->header();
  const auto find = [&](const std::string& name) {
    for (std::size_t c = 0; c < header.size(); ++c)
      if (header[c] == name) return c;
    return io::ColumnBinding::none;
  };
  const ScoreColumns found = find_score_columns(header);
  const std::vector<std::string>& names = found.names;
  const std::vector<std::size_t>& score_cols = found.columns;
  const std::size_t status_col = found.status;
  if (score_cols.empty() || status_col == io::ColumnBinding::none)
    return fail("summarize",
                "'" + input +
                    "' does not look like a scores file (no composite/status columns) [not_scores]",
                usage_or_input);
  const auto column = [&](const std::string& name, const char* option) {
    const auto c = find(name);
    if (c == io::ColumnBinding::none)
      throw input_error(
          "missing_column",
          std::string("not in the scores file (") + option + "; add it with `score --keep`)", 0,
          name);
    return c;
  };
  std::vector<std::size_t> group_cols;
  for (const auto& b : by) group_cols.push_back(column(b, "--by"));
  const std::size_t weight_col =
      a.weight.empty() ? io::ColumnBinding::none : column(a.weight, "--weight");
  const std::size_t strata_col =
      a.strata.empty() ? io::ColumnBinding::none : column(a.strata, "--strata");
  const std::size_t cluster_col =
      a.cluster.empty() ? io::ColumnBinding::none : column(a.cluster, "--cluster");
  const std::size_t tag_col = find("instrument");

  // --compare COLUMN:LEVEL, COLUMN one of --by (the longest that matches).
  std::size_t compare_at = by.size();
  std::string compare_level;
  if (!a.compare.empty()) {
    for (std::size_t i = 0; i < by.size(); ++i)
      if (a.compare.size() > by[i].size() &&
          a.compare.compare(0, by[i].size() + 1, by[i] + ":") == 0 &&
          (compare_at == by.size() || by[i].size() > by[compare_at].size()))
        compare_at = i;
    if (compare_at == by.size())
      return fail("summarize", "--compare must be COLUMN:LEVEL with COLUMN one of the --by columns",
                  usage_or_input);
    compare_level = a.compare.substr(by[compare_at].size() + 1);
  }

  // Read: ids for groups, strata and PSUs by first appearance.
  double threshold = a.threshold;
  const bool threshold_given = !std::isnan(threshold);
  std::map<std::vector<std::string>, std::uint64_t> group_ids;
  std::unordered_map<std::string, std::uint64_t> strata_ids, cluster_ids;
  std::set<std::string> tags;
  struct RowDesign {
    std::uint64_t group, stratum, psu;
    double weight;
  };
  std::vector<RowDesign> design;
  std::vector<double> all_values;  // rows x (scores + statuses)
  const std::size_t J = names.size() + status_names.size();
  io::RecordBatch batch;
  std::vector<std::string> key(group_cols.size());
  std::uint64_t row_index = 0;
  while (reader->next(batch, 65536)) {
    for (std::size_t r = 0; r < batch.rows(); ++r, ++row_index) {
      const auto row = batch.row(r);
      if (row.size() != header.size())
        throw input_error("ragged_row", "field count differs from the header", batch.record[r]);
      for (std::size_t g = 0; g < group_cols.size(); ++g) key[g] = std::string(row[group_cols[g]]);
      const auto git = group_ids.try_emplace(key, group_ids.size()).first;
      RowDesign d{git->second, 0, row_index, 1.0};
      if (weight_col != io::ColumnBinding::none) {
        const auto cell = detail::trim(row[weight_col]);
        if (!detail::parse_number(cell, d.weight) || d.weight < 0)
          throw input_error("invalid_weight", "weight is empty, not a number or negative",
                            batch.record[r], a.weight);
      }
      if (strata_col != io::ColumnBinding::none)
        d.stratum =
            strata_ids.try_emplace(std::string(row[strata_col]), strata_ids.size()).first->second;
      if (cluster_col != io::ColumnBinding::none)
        d.psu = cluster_ids.try_emplace(std::string(row[cluster_col]), cluster_ids.size())
                    .first->second;
      design.push_back(d);
      for (std::size_t s = 0; s < score_cols.size(); ++s) {
        double x = std::numeric_limits<double>::quiet_NaN();
        const auto cell = detail::trim(row[score_cols[s]]);
        if (!cell.empty() && !detail::parse_number(cell, x))
          throw input_error("not_a_number", "score is not a number", batch.record[r],
                            header[score_cols[s]]);
        all_values.push_back(x);
      }
      const auto st = row[status_col];
      for (const auto& name : status_names) all_values.push_back(st == name ? 1.0 : 0.0);
      if (tag_col != io::ColumnBinding::none && !threshold_given && !row[tag_col].empty() &&
          tags.size() < 2)
        tags.insert(std::string(row[tag_col]));
    }
  }
  if (!threshold_given) {
    std::string why;
    threshold = instrument_threshold(tags, why);
    if (std::isnan(threshold))
      std::cerr << "reinscore summarize: no threshold (" << why
                << "): shares at or above it are left out; give --threshold\n";
  }

  std::vector<SummaryVariable> vars;
  for (std::size_t s = 0; s < names.size(); ++s) vars.push_back({threshold, true});
  for (std::size_t s = 0; s < status_names.size(); ++s)
    vars.push_back({std::numeric_limits<double>::quiet_NaN(), false});
  Summary summary(vars);
  for (std::size_t i = 0; i < design.size(); ++i)
    summary.add(design[i].group, std::span<const double>(all_values.data() + i * J, J),
                design[i].weight, design[i].stratum, design[i].psu);

  // Contrasts: each group against the group with the same key but the reference level.
  std::vector<Contrast> contrasts;
  std::map<std::uint64_t, std::size_t> contrast_of;  // group id -> index into contrasts
  if (!a.compare.empty()) {
    bool level_seen = false;
    for (const auto& [k, id] : group_ids) {
      if (k[compare_at] == compare_level) {
        level_seen = true;
        continue;
      }
      auto ref = k;
      ref[compare_at] = compare_level;
      const auto it = group_ids.find(ref);
      if (it == group_ids.end()) continue;
      contrast_of[id] = contrasts.size();
      contrasts.push_back({id, it->second});
    }
    if (!level_seen)
      throw input_error("unknown_level", "the --compare reference level is not in the data", 0,
                        by[compare_at]);
  }
  const SummaryResult res = summary.compute(opt, contrasts);
  std::map<std::uint64_t, const GroupSummary*> by_id;
  for (const auto& g : res.groups) by_id[g.group] = &g;

  const int dg = a.digits, dse = a.digits + 2;
  const bool shares = !std::isnan(threshold);
  std::vector<std::string> qnames;
  for (const double p : opt.probabilities) qnames.push_back(quantile_name(p));
  std::vector<std::string> cols = by;
  cols.push_back("n");
  for (const auto& n : names) cols.push_back("mean_" + n);
  for (const auto& s : status_names) cols.push_back("share_" + std::string(s));
  cols.push_back("sum_w");
  const auto with_ci = [&](const std::string& stat) {
    std::vector<std::string> c{stat};
    if (ci)
      for (const char* p : {"se_", "lo_", "hi_"}) c.push_back(p + stat);
    return c;
  };
  for (const auto& n : names) {
    cols.push_back("missing_" + n);
    if (ci)
      for (const char* p : {"se_", "lo_", "hi_"}) cols.push_back(p + ("mean_" + n));
    for (const auto& q : qnames)
      for (const auto& c : with_ci(q + "_" + n)) cols.push_back(c);
    if (shares)
      for (const auto& c : with_ci("above_" + n)) cols.push_back(c);
  }
  if (ci)
    for (const auto& s : status_names)
      for (const char* p : {"se_", "lo_", "hi_"}) cols.push_back(p + ("share_" + std::string(s)));
  if (!a.compare.empty())
    for (const auto& n : names)
      for (const std::string stat : {"mean_", "above_"}) {
        if (stat == "above_" && !shares) continue;
        for (const char* p : {"diff_", "se_diff_", "lo_diff_", "hi_diff_", "p_diff_"})
          cols.push_back(p + stat + n);
      }

  const auto put = [&](std::vector<std::string>& line, const Interval& e, bool uncertainty) {
    line.push_back(fixed(e.estimate, dg));
    if (uncertainty) {
      line.push_back(fixed(e.se, dse));
      line.push_back(fixed(e.lo, dg));
      line.push_back(fixed(e.hi, dg));
    }
  };
  std::vector<std::vector<std::string>> table;
  std::uint64_t suppressed = 0;
  for (const auto& [k, id] : group_ids) {
    const GroupSummary& g = *by_id.at(id);
    std::vector<std::string> line = k;
    if (g.suppressed) {
      ++suppressed;
      line.push_back(below_min_cell(min_cell));
      line.resize(cols.size());
      table.push_back(std::move(line));
      continue;
    }
    line.push_back(std::to_string(g.rows));
    for (std::size_t s = 0; s < names.size(); ++s)
      line.push_back(fixed(g.variables[s].mean.estimate, dg));
    for (std::size_t s = 0; s < status_names.size(); ++s)
      line.push_back(fixed(g.variables[names.size() + s].mean.estimate, dg));
    line.push_back(fixed(g.sum_weights, dg));
    for (std::size_t s = 0; s < names.size(); ++s) {
      const VariableSummary& v = g.variables[s];
      line.push_back(fixed(v.missing_share, dg));
      if (ci) {
        line.push_back(fixed(v.mean.se, dse));
        line.push_back(fixed(v.mean.lo, dg));
        line.push_back(fixed(v.mean.hi, dg));
      }
      for (const auto& q : v.quantiles) put(line, q, ci);
      if (shares) put(line, v.above, ci);
    }
    if (ci)
      for (std::size_t s = 0; s < status_names.size(); ++s) {
        const Interval& e = g.variables[names.size() + s].mean;
        line.push_back(fixed(e.se, dse));
        line.push_back(fixed(e.lo, dg));
        line.push_back(fixed(e.hi, dg));
      }
    if (!a.compare.empty()) {
      const auto it = contrast_of.find(id);
      const ContrastSummary* cs = it == contrast_of.end() ? nullptr : &res.contrasts[it->second];
      for (std::size_t s = 0; s < names.size(); ++s)
        for (int stat = 0; stat < 2; ++stat) {
          if (stat == 1 && !shares) continue;
          if (!cs || cs->suppressed) {
            line.insert(line.end(), 5, "");
            continue;
          }
          const Difference& d = stat == 0 ? cs->variables[s].mean : cs->variables[s].above;
          line.push_back(fixed(d.estimate, dg));
          line.push_back(fixed(d.se, dse));
          line.push_back(fixed(d.lo, dg));
          line.push_back(fixed(d.hi, dg));
          line.push_back(fixed(d.p, dse));
        }
    }
    table.push_back(std::move(line));
  }
  print_table(cols, table, format, by.size());
  if (suppressed)
    std::cerr << "reinscore summarize: " << suppressed << " group(s) with fewer than " << min_cell
              << " interviews suppressed (--min-cell)\n";
  if (ci) {
    const auto& d = res.design;
    std::cerr << "reinscore summarize: " << variance_method_name(d.method) << ", " << d.strata
              << (d.strata == 1 ? " stratum, " : " strata, ") << d.psus << " PSUs, df " << d.df;
    if (d.method == VarianceMethod::bootstrap)
      std::cerr << ", " << d.replicates << " replicates (seed " << d.seed << ", "
                << bootstrap_interval_name(d.interval) << " intervals)";
    if (d.singleton_strata)
      std::cerr << ", " << d.singleton_strata << " single-PSU strata ("
                << singleton_name(d.singleton) << ")";
    std::cerr << "\n";
  }
  return ok;
}

}  // namespace

int cmd_summarize(const std::vector<std::string>& args) {
  const std::string synopsis =
      "SCORES [--by COLUMN]... [--weight COL --strata COL --cluster COL] [--ci "
      "linearization|bootstrap] "
      "[--replicates N] [--seed S] [--level L] [--threshold X] [--compare COLUMN:LEVEL] "
      "[--min-cell N] "
      "[--format table|csv]";
  po::options_description opts("options");
  std::string input, format;
  std::vector<std::string> by;
  std::uint64_t min_cell = 10;
  SurveyArgs sa;
  opts.add_options()("help,h", "show this help")("input", po::value(&input)->required(),
                                                 "scores file written by `reinscore score`")(
      "by", po::value(&by)->composing(), "grouping column (repeatable; none: one overall row)")(
      "min-cell", po::value(&min_cell)->default_value(10), "suppress groups with fewer interviews")(
      "format", po::value(&format)->default_value("table"), "table or csv")(
      "weight", po::value(&sa.weight),
      "sampling weight column (weighted means, quantiles and shares)")(
      "strata", po::value(&sa.strata), "stratum column of the design")(
      "cluster", po::value(&sa.cluster),
      "cluster (PSU) column of the design; none: every interview is a PSU")(
      "ci", po::value(&sa.ci), "standard errors and intervals: linearization or bootstrap")(
      "replicates", po::value(&sa.replicates)->default_value(1000), "bootstrap replicates")(
      "seed", po::value(&sa.seed)->default_value(SummaryOptions{}.seed), "bootstrap seed")(
      "threads", po::value(&sa.threads)->default_value(1),
      "bootstrap threads (0: all cores); results do not depend on it")(
      "level", po::value(&sa.level)->default_value(0.95, "0.95"), "confidence level")(
      "interval", po::value(&sa.interval)->default_value("percentile"),
      "bootstrap intervals: percentile or normal")(
      "singleton", po::value(&sa.singleton)->default_value("error"),
      "strata with one PSU: error, certainty or centered (linearization)")(
      "threshold", po::value(&sa.threshold),
      "shares at or above this score (default: the instrument's threshold)")(
      "compare", po::value(&sa.compare),
      "differences to a reference level: COLUMN:LEVEL (COLUMN one of --by; needs --ci)")(
      "digits", po::value(&sa.digits)->default_value(4),
      "decimals of estimates (standard errors and p-values: 2 more)");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("summarize", synopsis, opts, pos, args, vm, code)) return code;
  if (format != "table" && format != "csv")
    return fail("summarize", "--format must be table or csv", usage_or_input);
  require_range("--min-cell", min_cell, 0, max_min_cell);
  require_range("--replicates", sa.replicates, 2, max_replicates);
  require_range("--threads", sa.threads, 0, max_threads);
  require_range("--digits", sa.digits, 0, 15);

  const bool survey = vm.count("weight") || vm.count("strata") || vm.count("cluster") ||
                      vm.count("ci") || vm.count("threshold") || vm.count("compare");
  if (survey) {
    if (!sa.ci.empty() && sa.ci != "linearization" && sa.ci != "bootstrap")
      return fail("summarize", "--ci must be linearization or bootstrap", usage_or_input);
    if (vm.count("compare") && sa.ci.empty())
      return fail("summarize", "--compare needs --ci (linearization or bootstrap)", usage_or_input);
    const bool boot = sa.ci == "bootstrap";
    for (const char* o : {"replicates", "seed", "interval", "threads"})
      if (!vm[o].defaulted() && !boot)
        return fail("summarize", std::string("--") + o + " applies to --ci bootstrap only",
                    usage_or_input);
    if (sa.ci.empty() && (!vm["level"].defaulted() || !vm["singleton"].defaulted()))
      return fail("summarize", "--level and --singleton need --ci", usage_or_input);
    require_open_unit("--level", sa.level);
    if (vm.count("threshold") && !std::isfinite(sa.threshold))
      return fail("summarize", "--threshold must be a number", usage_or_input);
    if (sa.interval != "percentile" && sa.interval != "normal")
      return fail("summarize", "--interval must be percentile or normal", usage_or_input);
    if (sa.singleton != "error" && sa.singleton != "certainty" && sa.singleton != "centered")
      return fail("summarize", "--singleton must be error, certainty or centered", usage_or_input);
    if (boot && sa.singleton == "centered")
      return fail("summarize",
                  "--singleton centered is for linearization; the bootstrap takes certainty",
                  usage_or_input);
    try {
      return survey_summarize(input, by, min_cell, format, sa);
    } catch (const input_error& e) {
      return fail("summarize", e.what(), usage_or_input);
    } catch (const std::invalid_argument& e) {
      return fail("summarize", e.what(), usage_or_input);
    }
  } else if (!vm["digits"].defaulted()) {
    return fail("summarize", "--digits applies with the survey options (--weight, --ci, ...)",
                usage_or_input);
  }
  for (const char* o : {"replicates", "seed", "interval", "threads", "level", "singleton"})
    if (!vm[o].defaulted())
      return fail("summarize", std::string("--") + o + " needs --ci", usage_or_input);

  try {
    auto reader = io::open_table(input, {});
    const auto& header = reader->header();
    const auto find = [&](const std::string& name) {
      for (std::size_t c = 0; c < header.size(); ++c)
        if (header[c] == name) return c;
      return io::ColumnBinding::none;
    };
    const ScoreColumns found = find_score_columns(header);
    const std::vector<std::string>& names = found.names;
    const std::vector<std::size_t>& score_cols = found.columns;
    const std::size_t status_col = found.status;
    if (score_cols.empty() || status_col == io::ColumnBinding::none)
      return fail(
          "summarize",
          "'" + input +
              "' does not look like a scores file (no composite/status columns) [not_scores]",
          usage_or_input);
    std::vector<std::size_t> group_cols;
    for (const auto& b : by) {
      const auto c = find(b);
      if (c == io::ColumnBinding::none)
        return fail("summarize",
                    "column '" + b +
                        "': not in the scores file (add it with `score --keep`) [missing_column]",
                    usage_or_input);
      group_cols.push_back(c);
    }

    std::map<std::vector<std::string>, Group> groups;
    io::RecordBatch batch;
    std::vector<std::string> key(group_cols.size());
    while (reader->next(batch, 65536)) {
      for (std::size_t r = 0; r < batch.rows(); ++r) {
        const auto row = batch.row(r);
        if (row.size() != header.size())
          throw input_error("ragged_row", "field count differs from the header", batch.record[r]);
        for (std::size_t g = 0; g < group_cols.size(); ++g)
          key[g] = std::string(row[group_cols[g]]);
        Group& grp = groups[key];
        if (grp.scores.empty()) grp.scores.resize(score_cols.size());
        for (std::size_t s = 0; s < score_cols.size(); ++s) {
          double x = std::numeric_limits<double>::quiet_NaN();
          const auto cell = detail::trim(row[score_cols[s]]);
          if (!cell.empty() && !detail::parse_number(cell, x))
            throw input_error("not_a_number", "score is not a number", batch.record[r],
                              header[score_cols[s]]);
          grp.scores[s].add(x);
        }
        const auto st = row[status_col];
        const auto it = std::find(status_names.begin(), status_names.end(), st);
        if (it == status_names.end()) {
          ++grp.unknown_status;
        } else {
          grp.status.add(static_cast<std::size_t>(it - status_names.begin()));
        }
      }
    }

    std::vector<std::string> cols = by;
    cols.push_back("n");
    for (const auto& n : names) cols.push_back("mean_" + n);
    for (const auto& s : status_names) cols.push_back("share_" + std::string(s));
    std::vector<std::vector<std::string>> table;
    std::uint64_t suppressed = 0;
    for (const auto& [k, g] : groups) {
      std::vector<std::string> line = k;
      const std::uint64_t n = g.status.total() + g.unknown_status;
      if (n < min_cell) {
        ++suppressed;
        line.push_back(below_min_cell(min_cell));
        line.resize(cols.size());
      } else {
        line.push_back(std::to_string(n));
        for (const auto& m : g.scores) line.push_back(fixed(m.mean(), 4));
        for (std::size_t s = 0; s < status_names.size(); ++s)
          line.push_back(fixed(static_cast<double>(g.status.count(s)) / static_cast<double>(n), 4));
      }
      table.push_back(std::move(line));
    }
    print_table(cols, table, format, by.size());
    if (suppressed)
      std::cerr << "reinscore summarize: " << suppressed << " group(s) with fewer than " << min_cell
                << " interviews suppressed (--min-cell)\n";
    return ok;
  } catch (const input_error& e) {
    return fail("summarize", e.what(), usage_or_input);
  }
}

}  // namespace reinscore::cli
