// `reinscore integrate`: individual, community and structural levels together
// (docs/levels.md). Reads a scores file of `reinscore score`, scores the community and
// structural files (and the residents' answers, if given) with their frameworks, links
// them by the frameworks' unit keys and writes the per-interview integrated table and
// the community and country roll-ups. Keys that do not match are reported on stderr,
// in each row's `problems` and in --problems-out; no row is ever dropped.
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "io/batch.hpp"
#include "io/score_writer.hpp"
#include "io/table.hpp"

#include <reinscore/levels.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

namespace reinscore::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr const char* cmd = "integrate";

void require_level(const Instrument& ins, const std::string& level, const std::string& option) {
  if (ins.level != level)
    throw input_error("level_mismatch", "instrument '" + ins.id + "' (" + option +
                                            ") is of level '" + ins.level + "', expected '" +
                                            level + "'");
  if (ins.unit_key.empty())
    throw input_error("no_unit_key", "instrument '" + ins.id + "' (" + option +
                                         ") declares no unit_key: the column that links its rows");
}

// Column index of each score name (the individual instrument's order) in `ins`.
std::vector<std::size_t> score_order(const Instrument& individual, const Instrument& ins,
                                     const std::string& option) {
  std::vector<std::size_t> order;
  const std::set<std::string> a(individual.dimensions.begin(), individual.dimensions.end());
  const std::set<std::string> b(ins.dimensions.begin(), ins.dimensions.end());
  if (a != b)
    throw input_error("dimension_mismatch", "instrument '" + ins.id + "' (" + option +
                                                ") must have the same dimensions as instrument '" +
                                                individual.id + "'");
  for (const auto& d : individual.dimensions) order.push_back(ins.dimension_index(d));
  order.push_back(ins.dimensions.size());  // the composite
  return order;
}

std::size_t find_column(const std::vector<std::string>& header, const std::string& name,
                        const std::string& file) {
  std::size_t found = io::ColumnBinding::none, count = 0;
  for (std::size_t c = 0; c < header.size(); ++c)
    if (header[c] == name) {
      found = c;
      ++count;
    }
  if (count > 1) throw input_error("duplicate_column", file + ": appears more than once", 0, name);
  return found;
}

std::size_t need_column(const std::vector<std::string>& header, const std::string& name,
                        const std::string& file) {
  const std::size_t c = find_column(header, name, file);
  if (c == io::ColumnBinding::none)
    throw input_error("missing_column", file + ": not in the file", 0, name);
  return c;
}

// A raw answer file scored with `ins`: scores in `order`, the key column, an optional
// second key column (a community's country), status and source rows.
struct ScoredFile {
  std::vector<std::string> key, parent;
  std::vector<std::uint64_t> row;
  std::vector<Status> status;
  std::vector<std::vector<double>> scores;  // per row, S values
};

ScoredFile score_file(const std::string& path, const Instrument& ins,
                      const std::vector<std::size_t>& order, const std::string& key_column,
                      const std::string& parent_column) {
  auto reader = io::open_table(path, {});
  const io::ColumnBinding binding = io::bind_columns(ins, reader->header());
  int fatal = 0;
  for (const auto& p : binding.problems)
    if (p.fatal) {
      std::cerr << "reinscore integrate: " << path << ": column '" << p.column << "': " << p.message
                << " [" << p.rule << "]\n";
      ++fatal;
    }
  if (fatal)
    throw input_error("column_binding",
                      path + ": " + std::to_string(fatal) + " column problem(s) for instrument '" +
                          ins.id + "' (see `reinscore validate --instrument " + ins.id + "`)");
  const std::size_t key_c = need_column(reader->header(), key_column, path);
  const std::size_t parent_c = parent_column.empty()
                                   ? io::ColumnBinding::none
                                   : find_column(reader->header(), parent_column, path);
  const io::BatchScorer scorer(ins, ins.weights(), binding);
  ScoredFile out;
  io::RecordBatch batch;
  io::BatchResult res;
  while (reader->next(batch, 8192)) {
    scorer.run(batch, res);
    for (std::size_t r = 0; r < batch.rows(); ++r) {
      const auto row = batch.row(r);
      const auto ri = static_cast<Eigen::Index>(r);
      // A key is copied only when its field was read cleanly: in a ragged row (another
      // delimiter) the first field holds the whole line, every answer of the row. Such a
      // row then has no key and is reported as unmatched by its row number.
      const io::RowFacts facts = io::row_facts(res, ri);
      const auto clean = [&](std::size_t c) {
        return c < row.size() && io::pass_field_problem(facts, c).empty() ? std::string(row[c])
                                                                          : std::string();
      };
      out.key.push_back(clean(key_c));
      out.parent.push_back(clean(parent_c));
      out.row.push_back(batch.record[r]);
      out.status.push_back(res.scores.status[r]);
      std::vector<double> s;
      for (const auto j : order)
        s.push_back(j < ins.dimensions.size()
                        ? res.scores.dimension(ri, static_cast<Eigen::Index>(j))
                        : res.scores.composite(ri));
      out.scores.push_back(std::move(s));
    }
  }
  return out;
}

Eigen::MatrixXd to_matrix(const std::vector<std::vector<double>>& rows, std::size_t S) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(S));
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t s = 0; s < S; ++s)
      m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(s)) = rows[r][s];
  return m;
}

std::string message_of(const std::string& rule) {
  if (rule == "missing_key") return "the key is empty";
  if (rule == "community_not_found") return "community not in the community file";
  if (rule == "country_not_found") return "country not in the structural file";
  if (rule == "country_mismatch") return "country differs from the country of the community";
  if (rule == "community_without_returnees")
    return "community without any returnee in the scores file";
  if (rule == "country_without_returnees") return "country without any returnee in the scores file";
  if (rule == "unscored_unit") return "the unit has no composite score (see its status)";
  return rule;
}

class Csv {
 public:
  void text(std::string_view s) {
    sep();
    io::append_csv_text(out_, s);
  }
  void number(double x) {
    sep();
    io::append_number(out_, x);
  }
  void count(std::uint64_t n) {
    sep();
    out_ += std::to_string(n);
  }
  void empty() { sep(); }
  void end() {
    out_ += '\n';
    first_ = true;
  }
  const std::string& str() const { return out_; }

 private:
  void sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  std::string out_;
  bool first_ = true;
};

std::string status_text(int s) {
  return s < 0 ? std::string() : std::string(status_names[static_cast<std::size_t>(s)]);
}

const char* const level_suffix[] = {"_individual", "_community", "_structural", "_integrated"};

}  // namespace

int cmd_integrate(const std::vector<std::string>& args) {
  const std::string synopsis =
      "--individual SCORES --community FILE --structural FILE [--host FILE] -o OUT "
      "[--community-out FILE] [--country-out FILE] [--problems-out FILE] [--community-instrument "
      "NAME|FILE] "
      "[--structural-instrument NAME|FILE] [--instrument NAME|FILE] [--weights NAME|FILE] "
      "[--min-respondents N] [--weight COLUMN] [--by COLUMN]...";
  po::options_description opts("options");
  std::string individual, community, structural, host, output, community_out, country_out,
      problems_out;
  std::string community_ins_name, structural_ins_name, ins_name, weights, weight_column;
  std::vector<std::string> by;
  std::uint64_t min_respondents = 0;
  opts.add_options()("help,h", "show this help")("individual", po::value(&individual)->required(),
                                                 "scores file of `reinscore score` with the unit "
                                                 "keys kept (--keep community_id --keep country)")(
      "community", po::value(&community)->required(),
      "community file: one row per community, raw answers")(
      "structural", po::value(&structural)->required(),
      "structural file: one row per country, raw answers")(
      "host", po::value(&host)->default_value(""),
      "non-migrant residents' raw answers (with the community key)")(
      "output,o", po::value(&output)->default_value("-"),
      "per-interview integrated table (default: stdout)")(
      "community-out", po::value(&community_out)->default_value(""), "per-community roll-up (CSV)")(
      "country-out", po::value(&country_out)->default_value(""), "per-country roll-up (CSV)")(
      "problems-out", po::value(&problems_out)->default_value(""),
      "keys that do not match, with their rows (CSV)")(
      "community-instrument", po::value(&community_ins_name)->default_value("community"),
      "framework of the community file (level community)")(
      "structural-instrument", po::value(&structural_ins_name)->default_value("structural-gcm21"),
      "framework of the structural file (level structural)")(
      "instrument", po::value(&ins_name)->default_value("iom-rss"),
      "individual instrument: the one SCORES was scored with; scores the residents")(
      "weights", po::value(&weights)->default_value(""),
      "weight set of the individual instrument (name or file)")(
      "min-respondents", po::value(&min_respondents),
      "suppress groups of fewer people (default: the community instrument's "
      "integration.min_respondents, else 10)")("weight",
                                               po::value(&weight_column)->default_value(""),
                                               "survey-weight column of SCORES for the roll-ups")(
      "by", po::value(&by)->composing(),
      "column of SCORES that splits the roll-ups (repeatable, e.g. round)")(
      "quiet,q", po::bool_switch(), "no summary line");
  po::positional_options_description pos;
  po::variables_map vm;
  int code = ok;
  if (!parse_options(cmd, synopsis, opts, pos, args, vm, code)) return code;
  if (vm.count("min-respondents"))
    require_range("--min-respondents", min_respondents, 1, max_min_cell);
  // Every output is checked before any is written: a bad last one must not leave the
  // first ones replaced.
  check_output_path("-o", output);
  check_output_path("--community-out", community_out);
  check_output_path("--country-out", country_out);
  check_output_path("--problems-out", problems_out);

  Instrument ind_ins, com_ins, str_ins;
  try {
    ind_ins = apply_weights(resolve_instrument(ins_name), weights);
    com_ins = resolve_instrument(community_ins_name);
    str_ins = resolve_instrument(structural_ins_name);
  } catch (const input_error& e) {
    return fail(cmd, e.what(), usage_or_input);
  } catch (const std::invalid_argument& e) {
    return fail(cmd, e.what(), usage_or_input);
  }

  try {
    require_level(com_ins, "community", "--community-instrument");
    require_level(str_ins, "structural", "--structural-instrument");
    const auto com_order = score_order(ind_ins, com_ins, "--community-instrument");
    const auto str_order = score_order(ind_ins, str_ins, "--structural-instrument");
    const std::string& com_key = com_ins.unit_key;
    const std::string& cty_key = str_ins.unit_key;

    LevelInput in;
    for (const auto& d : ind_ins.dimensions) in.score_names.push_back(d);
    in.score_names.push_back("composite");
    const std::size_t S = in.score_names.size();
    in.community_column = com_key;
    in.country_column = cty_key;
    in.weight_column = weight_column;
    in.by_columns = by;
    in.settings = com_ins.integration.value_or(Integration{});
    if (vm.count("min-respondents")) in.settings.min_respondents = min_respondents;
    if (ind_ins.thresholds && ind_ins.thresholds->categories.size() >= 2)
      in.threshold = ind_ins.thresholds->categories[1].min;

    // --- the scores file ---------------------------------------------------------------
    auto reader = io::open_table(individual, {});
    const std::vector<std::string> header = reader->header();
    std::vector<std::size_t> score_c;
    for (const auto& s : in.score_names) {
      const auto c = find_column(header, s, individual);
      if (c == io::ColumnBinding::none)
        throw input_error("not_scores",
                          individual + ": not a scores file of instrument '" + ind_ins.id +
                              "' (no column for this score)",
                          0, s);
      score_c.push_back(c);
    }
    const std::size_t com_c = need_column(header, com_key, individual);
    const std::size_t cty_c = need_column(header, cty_key, individual);
    const std::size_t weight_c = weight_column.empty()
                                     ? io::ColumnBinding::none
                                     : need_column(header, weight_column, individual);
    std::vector<std::size_t> by_c;
    for (const auto& b : by) by_c.push_back(need_column(header, b, individual));
    const std::size_t tag_c = find_column(header, "instrument", individual);
    const std::size_t status_c = find_column(header, "status", individual);
    // Every other column of the scores file is carried to the output as it is.
    std::set<std::string> own(in.score_names.begin(), in.score_names.end());
    for (const auto& d : ind_ins.dimensions) own.insert("coverage_" + d);
    for (const char* c : {"status", "lowest_dimension", "category", "problems", "instrument"})
      own.insert(c);
    std::vector<std::size_t> pass_c;
    for (std::size_t c = 0; c < header.size(); ++c)
      if (!own.count(header[c]) && header[c].rfind("contrib.", 0) != 0 &&
          header[c].rfind("lost.", 0) != 0)
        pass_c.push_back(c);
    const std::string tag = ind_ins.tag();

    std::vector<std::vector<double>> ret_scores;
    std::vector<std::string> pass_text, status_text_in, tag_text;  // row-major pass cells
    in.returnees.by.assign(by.size(), {});
    io::RecordBatch batch;
    while (reader->next(batch, 65536)) {
      for (std::size_t r = 0; r < batch.rows(); ++r) {
        const auto row = batch.row(r);
        const auto rec = batch.record[r];
        if (row.size() != header.size())
          throw input_error("ragged_row", "field count differs from the header", rec);
        std::vector<double> s(S);
        for (std::size_t j = 0; j < S; ++j) {
          s[j] = std::numeric_limits<double>::quiet_NaN();
          const auto cell = detail::trim(row[score_c[j]]);
          if (!cell.empty() && !detail::parse_number(cell, s[j]))
            throw input_error("not_a_number", "score is not a number", rec, header[score_c[j]]);
        }
        ret_scores.push_back(std::move(s));
        in.returnees.community.emplace_back(row[com_c]);
        in.returnees.country.emplace_back(row[cty_c]);
        for (std::size_t b = 0; b < by_c.size(); ++b) in.returnees.by[b].emplace_back(row[by_c[b]]);
        if (weight_c != io::ColumnBinding::none) {
          double w = 0;
          if (!detail::parse_number(detail::trim(row[weight_c]), w))
            throw input_error("bad_weight", "weight must be a finite number > 0", rec,
                              weight_column);
          in.returnees.weight.push_back(w);
        }
        if (tag_c != io::ColumnBinding::none && row[tag_c] != tag)
          throw input_error(
              "instrument_mismatch",
              "scored with another instrument or weight set than --instrument/--weights (" + tag +
                  ")",
              rec, "instrument");
        in.returnees.row.push_back(rec);
        for (const auto c : pass_c) pass_text.emplace_back(row[c]);
        status_text_in.emplace_back(status_c == io::ColumnBinding::none ? std::string_view()
                                                                        : row[status_c]);
        tag_text.emplace_back(tag_c == io::ColumnBinding::none ? std::string_view() : row[tag_c]);
      }
    }
    in.returnees.scores = to_matrix(ret_scores, S);

    // --- the level files ------------------------------------------------------------------
    const auto fill_units = [&](UnitScores& u, ScoredFile&& f) {
      u.key = std::move(f.key);
      u.parent = std::move(f.parent);
      u.row = std::move(f.row);
      u.status = std::move(f.status);
      u.scores = to_matrix(f.scores, S);
    };
    fill_units(in.communities, score_file(community, com_ins, com_order, com_key, cty_key));
    fill_units(in.countries, score_file(structural, str_ins, str_order, cty_key, ""));
    if (!host.empty()) {
      std::vector<std::size_t> order;
      for (std::size_t j = 0; j < S; ++j) order.push_back(j);
      auto f = score_file(host, ind_ins, order, com_key, "");
      PeopleScores h;
      h.community = std::move(f.key);
      h.row = std::move(f.row);
      h.scores = to_matrix(f.scores, S);
      in.hosts = std::move(h);
    }

    const LevelResult res = integrate_levels(in);
    const std::string com_tag = com_ins.tag(), str_tag = str_ins.tag();

    // --- per interview --------------------------------------------------------------------
    {
      Csv csv;
      for (const auto c : pass_c) csv.text(header[c]);
      for (const char* suffix : level_suffix)
        for (const auto& s : in.score_names) csv.text(s + suffix);
      for (const auto& s : in.score_names) csv.text("level_share_" + s);
      for (const char* c :
           {"individual_status", "community_status", "structural_status", "problems", "instrument",
            "community_instrument", "structural_instrument"})
        csv.text(c);
      csv.end();
      const auto& iv = res.interviews;
      for (std::size_t r = 0; r < ret_scores.size(); ++r) {
        const auto ri = static_cast<Eigen::Index>(r);
        for (std::size_t p = 0; p < pass_c.size(); ++p) csv.text(pass_text[r * pass_c.size() + p]);
        for (std::size_t j = 0; j < S; ++j) csv.number(ret_scores[r][j]);
        for (const auto* m : {&iv.community, &iv.structural, &iv.integrated, &iv.level_share})
          for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(S); ++j) csv.number((*m)(ri, j));
        csv.text(status_text_in[r]);
        csv.text(status_text(iv.community_status[r]));
        csv.text(status_text(iv.structural_status[r]));
        csv.text(iv.problems[r]);
        csv.text(tag_text[r]);
        csv.text(com_tag);
        csv.text(str_tag);
        csv.end();
      }
      write_text_file(output, csv.str());
    }

    // --- roll-ups --------------------------------------------------------------------------
    std::string below = "<";  // in two steps: GCC 12 warns falsely on "<" + string
    below += std::to_string(in.settings.min_respondents);
    const auto write_rollup = [&](const LevelRollup& R, bool communities, const std::string& path) {
      Csv csv;
      for (const auto& b : by) csv.text(b);
      csv.text(communities ? com_key : cty_key);
      if (communities) {
        csv.text(cty_key);
      } else {
        csv.text("communities");
      }
      csv.text("n");
      csv.text("suppressed");
      for (const auto& s : in.score_names) csv.text("n_" + s);
      for (const auto& s : in.score_names) csv.text("share_above_" + s);
      if (in.hosts) {
        csv.text("host_n");
        csv.text("host_suppressed");
        for (const char* p : {"host_mean_", "gap_", "gap_se_", "gap_low_", "gap_high_"})
          for (const auto& s : in.score_names) csv.text(p + s);
      }
      for (const char* suffix : level_suffix)
        for (const auto& s : in.score_names) csv.text(s + suffix);
      for (const auto& s : in.score_names) csv.text("level_share_" + s);
      if (communities) csv.text("community_status");
      csv.text("structural_status");
      csv.text("problems");
      csv.text("community_instrument");
      csv.text("structural_instrument");
      csv.end();
      for (std::size_t i = 0; i < R.rows(); ++i) {
        const auto ii = static_cast<Eigen::Index>(i);
        for (const auto& v : res.groups[R.group[i]]) csv.text(v);
        csv.text(R.key[i]);
        if (communities) {
          csv.text(R.parent[i]);
        } else {
          csv.count(R.units[i]);
        }
        if (R.suppressed[i]) {
          csv.text(below);
        } else {
          csv.count(R.n[i]);
        }
        csv.text(R.suppressed[i] ? "true" : "false");
        for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(S); ++j) {
          if (R.suppressed[i]) {
            csv.empty();
          } else {
            csv.count(R.n_score(ii, j));
          }
        }
        for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(S); ++j)
          csv.number(R.share_above(ii, j));
        if (in.hosts) {
          if (R.host_suppressed[i]) {
            csv.text(below);
          } else {
            csv.count(R.host_n[i]);
          }
          csv.text(R.host_suppressed[i] ? "true" : "false");
          for (const auto* m : {&R.host_mean, &R.gap, &R.gap_se, &R.gap_low, &R.gap_high})
            for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(S); ++j) csv.number((*m)(ii, j));
        }
        for (const auto* m :
             {&R.individual, &R.community, &R.structural, &R.integrated, &R.level_share})
          for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(S); ++j) csv.number((*m)(ii, j));
        if (communities) csv.text(status_text(R.community_status[i]));
        csv.text(status_text(R.structural_status[i]));
        csv.text(R.problems[i]);
        csv.text(com_tag);
        csv.text(str_tag);
        csv.end();
      }
      write_text_file(path, csv.str());
    };
    if (!community_out.empty()) write_rollup(res.communities, true, community_out);
    if (!country_out.empty()) write_rollup(res.countries, false, country_out);

    // --- problems --------------------------------------------------------------------------
    const auto file_of = [&](const std::string& source) -> const std::string& {
      if (source == "individual") return individual;
      if (source == "host") return host;
      if (source == "community") return community;
      return structural;
    };
    if (!problems_out.empty()) {
      Csv csv;
      for (const char* c : {"rule", "source", "column", "key", "count", "rows"}) csv.text(c);
      csv.end();
      for (const auto& p : res.problems) {
        csv.text(p.rule);
        csv.text(p.source);
        csv.text(p.column);
        csv.text(p.key);
        csv.count(p.rows.size());
        std::string rows;
        for (const auto r : p.rows) {
          if (!rows.empty()) rows += ' ';
          rows += std::to_string(r);
        }
        csv.text(rows);
        csv.end();
      }
      write_text_file(problems_out, csv.str());
    }
    // On stderr, one line per rule, file and column: counts and rows, never the keys.
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<std::uint64_t>> merged;
    std::vector<std::tuple<std::string, std::string, std::string>> order;
    for (const auto& p : res.problems) {
      const auto id = std::make_tuple(p.source, p.column, p.rule);
      auto [it, fresh] = merged.emplace(id, std::vector<std::uint64_t>{});
      if (fresh) order.push_back(id);
      it->second.insert(it->second.end(), p.rows.begin(), p.rows.end());
    }
    for (const auto& id : order) {
      auto rows = merged[id];
      std::sort(rows.begin(), rows.end());
      const auto& [source, column, rule] = id;
      std::cerr << "reinscore integrate: " << file_of(source) << ": column '" << column
                << "': " << message_of(rule) << ": " << rows.size() << " row(s) (";
      for (std::size_t i = 0; i < rows.size() && i < 10; ++i)
        std::cerr << (i ? ", " : "") << rows[i];
      if (rows.size() > 10) std::cerr << ", ...";
      std::cerr << ") [" << rule << "]\n";
    }
    if (!vm["quiet"].as<bool>()) {
      std::uint64_t suppressed = 0;
      for (const auto s : res.communities.suppressed) suppressed += s;
      std::cerr << "reinscore integrate: " << ret_scores.size() << " interviews, "
                << res.communities.rows() << " community row(s) (" << suppressed
                << " with fewer than " << in.settings.min_respondents << " returnees suppressed), "
                << res.countries.rows() << " country row(s), " << res.problems.size()
                << " key problem(s)"
                << (in.settings.provisional ? "; level weights are PROVISIONAL" : "") << "\n";
    }
    return ok;
  } catch (const input_error& e) {
    return fail(cmd, e.what(), usage_or_input);
  } catch (const std::ios_base::failure& e) {
    return fail_output(cmd, e);
  } catch (const fs::filesystem_error& e) {
    return fail_output(cmd, e);
  }
}

}  // namespace reinscore::cli
