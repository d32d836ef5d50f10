// `reinscore summarize`: options and rendering only; app::summarize
// (include/reinscore/app/summarize.hpp) computes the report.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include <reinscore/app/render.hpp>
#include <reinscore/app/summarize.hpp>

namespace reinscore::cli {

namespace po = boost::program_options;

int cmd_summarize(const std::vector<std::string>& args) {
  const std::string synopsis =
      "SCORES [--by COLUMN]... [--weight COL --strata COL --cluster COL]\n"
      "       [--ci linearization|bootstrap] [--level L] [--threshold X] [--compare COLUMN:LEVEL]\n"
      "       [--min-cell N] [--format table|csv|json]";
  const std::string example =
      "reinscore summarize scores.csv --by country\n"
      "  reinscore summarize scores.csv --by country --weight w --cluster community_id --ci "
      "linearization --compare country:LSO";
  app::SummarizeRequest req;
  std::string input, format;
  double threshold = 0;
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")("input", po::value(&input)->required(),
                                                 "scores file written by `reinscore score`")(
      "by", po::value(&req.by)->composing(), "grouping column (repeatable; none: one overall row)")(
      "min-cell", po::value(&req.min_cell)->default_value(10),
      "suppress groups with fewer interviews")("format", po::value(&format)->default_value("table"),
                                               "table, csv or json")(
      "instrument", po::value(&req.instrument),
      "instrument of the scores (name or .json path) when it is outside the search path")(
      "allow-mixed", po::bool_switch(&req.allow_mixed),
      "pool rows scored with different instruments or weight sets")(
      "weight", po::value(&req.weight),
      "sampling weight column (weighted means, quantiles and shares)")(
      "strata", po::value(&req.strata), "stratum column of the design")(
      "cluster", po::value(&req.cluster),
      "cluster (PSU) column of the design; none: every interview is a PSU")(
      "ci", po::value(&req.ci), "standard errors and intervals: linearization or bootstrap")(
      "replicates", po::value(&req.replicates)->default_value(1000), "bootstrap replicates")(
      "seed", po::value(&req.seed)->default_value(app::SummarizeRequest{}.seed), "bootstrap seed")(
      "threads", po::value(&req.threads)->default_value(1),
      "bootstrap threads (0: all cores); results do not depend on it")(
      "level", po::value(&req.level)->default_value(0.95, "0.95"), "confidence level")(
      "interval", po::value(&req.interval)->default_value("percentile"),
      "bootstrap intervals: percentile or normal")(
      "singleton", po::value(&req.singleton)->default_value("error"),
      "strata with one PSU: error, certainty or centered (linearization)")(
      "share-interval", po::value(&req.share_interval)->default_value("logit"),
      "intervals of shares: logit, wilson, beta or wald (as R's svyciprop)")(
      "threshold", po::value(&threshold),
      "shares at or above this score (default: the instrument's threshold)")(
      "compare", po::value(&req.compare),
      "differences to a reference level: COLUMN:LEVEL (COLUMN one of --by; needs --ci)")(
      "digits", po::value(&req.digits)->default_value(4),
      "decimals of estimates in the terminal table (standard errors and p-values: 2 more)");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("summarize", synopsis, opts, pos, args, vm, code, example)) return code;
  const app::Format fmt = app::parse_format(format);
  if (vm.count("threshold")) req.threshold = threshold;
  req.survey = vm.count("weight") || vm.count("strata") || vm.count("cluster") || vm.count("ci") ||
               vm.count("threshold") || vm.count("compare");
  req.check();
  require_not_directory("SCORES", input);
  const app::ScoresTable scores = app::read_scores(input, req.want());
  const app::Report report = app::summarize(scores, req, instrument_search());
  // One row per group in the terminal and CSV (the long tables are in --format json).
  print_report("summarize", report, fmt, "groups");
  return ok;
}

}  // namespace reinscore::cli
