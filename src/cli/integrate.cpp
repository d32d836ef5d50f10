// `reinscore integrate`: options and rendering only; app::integrate
// (include/reinscore/app/integrate.hpp) reads the level files and computes the report.
// Each table goes to its own output (-o, --community-out, --country-out, --problems-out).
#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include <reinscore/app/integrate.hpp>
#include <reinscore/app/render.hpp>

#include <iostream>
#include <optional>

namespace reinscore::cli {

namespace po = boost::program_options;

int cmd_integrate(const std::vector<std::string>& args) {
  const std::string synopsis =
      "--individual SCORES --community FILE --structural FILE [--host FILE] [-o OUT]\n"
      "       [--community-out FILE] [--country-out FILE] [--problems-out FILE]\n"
      "       [--community-instrument NAME|FILE] [--structural-instrument NAME|FILE]\n"
      "       [--instrument NAME|FILE] [--weights NAME|FILE] [--allow-mixed]\n"
      "       [--min-respondents N] [--weight COLUMN] [--by COLUMN]... [--format csv|json|table]";
  const std::string example =
      "reinscore integrate --individual scores.csv --community community.csv --structural "
      "structural.csv --host host.csv --by round -o integrated.csv --country-out countries.csv";
  app::IntegrateRequest req;
  std::string individual, community, structural, host, output, community_out, country_out,
      problems_out, format;
  std::int64_t min_respondents = 0;
  bool quiet = false;
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")(
      "individual", po::value(&individual)->required(),
      "scores file of `reinscore score` with the unit keys kept (--keep community_id --keep "
      "country)")("community", po::value(&community)->required(),
                  "community file: one row per community, raw answers")(
      "structural", po::value(&structural)->required(),
      "structural file: one row per country, raw answers")(
      "host", po::value(&host), "non-migrant residents' raw answers (with the community key)")(
      "output,o", po::value(&output)->default_value("-"),
      "per-interview integrated table (default: stdout)")(
      "community-out", po::value(&community_out), "per-community roll-up")(
      "country-out", po::value(&country_out), "per-country roll-up")(
      "problems-out", po::value(&problems_out), "keys that do not match, with their rows")(
      "format", po::value(&format)->default_value("csv"),
      "format of every output: csv, json or table")(
      "community-instrument",
      po::value(&req.community_instrument)->default_value(req.community_instrument),
      "framework of the community file (level community)")(
      "structural-instrument",
      po::value(&req.structural_instrument)->default_value(req.structural_instrument),
      "framework of the structural file (level structural)")(
      "instrument", po::value(&req.instrument),
      "individual instrument (name or .json path); scores the residents (default: the one the "
      "scores' instrument column names)")("weights", po::value(&req.weights),
                                          "weight set of the individual instrument (name or file)")(
      "allow-mixed", po::bool_switch(&req.allow_mixed),
      "pool scores made with different weight sets of the individual instrument")(
      "min-respondents", po::value(&min_respondents),
      "suppress groups of fewer people (default: the community instrument's "
      "integration.min_respondents, else 10)")("weight", po::value(&req.weight),
                                               "survey-weight column of SCORES for the roll-ups")(
      "by", po::value(&req.by)->composing(),
      "column of SCORES that splits the roll-ups (repeatable, e.g. round)")(
      "quiet,q", po::bool_switch(&quiet), "no summary line");
  po::positional_options_description pos;
  po::variables_map vm;
  int code = ok;
  if (!parse_options("integrate", synopsis, opts, pos, args, vm, code, example)) return code;
  const app::Format fmt = app::parse_format(format);
  if (vm.count("min-respondents")) req.min_respondents = min_respondents;
  req.check();
  // Every output is checked before any is written: a bad last one must not leave the
  // first ones replaced.
  check_output_path("-o", output);
  check_output_path("--community-out", community_out);
  check_output_path("--country-out", country_out);
  check_output_path("--problems-out", problems_out);
  require_not_directory("--individual", individual);
  require_not_directory("--community", community);
  require_not_directory("--structural", structural);
  require_not_directory("--host", host);

  const app::InstrumentSearch search = instrument_search();
  const Instrument com_ins = app::resolve_instrument(req.community_instrument, search);
  const Instrument str_ins = app::resolve_instrument(req.structural_instrument, search);
  app::check_framework(com_ins, "community", "--community-instrument");
  app::check_framework(str_ins, "structural", "--structural-instrument");
  const app::ScoresTable scores =
      app::read_scores(individual, app::integrate_want(req, com_ins, str_ins));
  // The individual instrument: --instrument, else the one the scores' tag names.
  const Instrument ind_ins =
      app::apply_weights(req.instrument.empty() ? app::scores_instrument(scores, search)
                                                : app::resolve_instrument(req.instrument, search),
                         req.weights);
  const app::LevelFile com =
      app::read_level_file(community, com_ins, com_ins.unit_key, str_ins.unit_key);
  const app::LevelFile str = app::read_level_file(structural, str_ins, str_ins.unit_key, "");
  std::optional<app::LevelFile> hosts;
  if (!host.empty()) hosts = app::read_level_file(host, ind_ins, com_ins.unit_key, "");
  const app::Report report =
      app::integrate(scores, com, str, hosts ? &*hosts : nullptr, ind_ins, com_ins, str_ins, req);

  write_text_file(output, app::render(report.table("interviews"), fmt));
  if (!community_out.empty())
    write_text_file(community_out, app::render(report.table("communities"), fmt));
  if (!country_out.empty())
    write_text_file(country_out, app::render(report.table("countries"), fmt));
  if (!problems_out.empty())
    write_text_file(problems_out, app::render(report.table("problems"), fmt));
  for (const auto& n : report.notes)
    if (n.level == app::Note::Level::warning || !quiet)
      std::cerr << "reinscore integrate: " << n.text << "\n";
  return ok;
}

}  // namespace reinscore::cli
