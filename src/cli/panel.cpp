// `reinscore panel`: options and rendering only; app::panel
// (include/reinscore/app/panel.hpp) computes the report.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include <reinscore/app/panel.hpp>
#include <reinscore/app/render.hpp>

#include <iostream>

namespace reinscore::cli {

namespace po = boost::program_options;

int cmd_panel(const std::vector<std::string>& args) {
  const std::string synopsis =
      "SCORES [--id-column COL] [--round-column COL] [--from R --to R] [--weight COL]\n"
      "       [--date-column COL --return-date-column COL] [--status] [--table NAME]\n"
      "       [--min-cell N] [--level L] [--format table|csv|json]";
  const std::string example =
      "reinscore panel scores.csv --id-column returnee_id --round-column round --status\n"
      "reinscore panel scores.csv --from 1 --to 3 --weight w --table changes --format csv";
  app::PanelRequest req;
  std::string input, format, table;
  std::int64_t from = 0, to = 0;
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")(
      "input", po::value(&input)->required(),
      "scores file written by `reinscore score --keep ...`")(
      "id-column", po::value(&req.id_column)->default_value(req.id_column),
      "returnee identifier column")("round-column",
                                    po::value(&req.round_column)->default_value(req.round_column),
                                    "follow-up round column (whole numbers)")(
      "from", po::value(&from), "first round of the one pair to compare (with --to)")(
      "to", po::value(&to), "second round (default: each consecutive pair, and first to last)")(
      "weight", po::value(&req.weight),
      "sampling weight column (the later interview's weight is used)")(
      "date-column", po::value(&req.date_column)->default_value(req.date_column),
      "interview date column (yyyy-mm-dd); used when present")(
      "return-date-column",
      po::value(&req.return_date_column)->default_value(req.return_date_column),
      "return date column (yyyy-mm-dd); used when present")(
      "status", po::bool_switch(&req.status), "add transition matrices of the status")(
      "table", po::value(&table)->default_value("all"),
      "all (changes, transitions, attrition), changes, transitions, attrition, per-returnee, "
      "interviews or problems")("min-cell", po::value(&req.min_cell)->default_value(req.min_cell),
                                "suppress counts below this, and estimates from fewer pairs")(
      "level", po::value(&req.level)->default_value(0.95, "0.95"),
      "confidence level of the intervals")(
      "instrument", po::value(&req.instrument),
      "instrument of the scores (name or .json path) when it is outside the search path")(
      "allow-mixed", po::bool_switch(&req.allow_mixed),
      "pool rows scored with different instruments or weight sets")(
      "format", po::value(&format)->default_value("table"), "table, csv or json");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("panel", synopsis, opts, pos, args, vm, code, example)) return code;
  const app::Format fmt = app::parse_format(format);
  if (vm.count("from")) req.from_round = from;
  if (vm.count("to")) req.to_round = to;
  req.tables = {table};
  req.check();
  require_not_directory("SCORES", input);
  const app::ScoresTable scores = app::read_scores(input, req.want());
  const app::Report report = app::panel(scores, req, instrument_search());
  print_report("panel", report, fmt);
  return ok;
}

}  // namespace reinscore::cli
