// `integrate` (include/reinscore/app/integrate.hpp): instruments, level files and the
// tables of the integrated approach; the numbers come from integrate_levels()
// (include/reinscore/levels.hpp).
#include "io/batch.hpp"
#include "io/column_binding.hpp"
#include "io/table.hpp"

#include <reinscore/app/groups.hpp>
#include <reinscore/app/integrate.hpp>
#include <reinscore/app/options.hpp>
#include <reinscore/detail/strings.hpp>
#include <reinscore/error.hpp>
#include <reinscore/levels.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

namespace reinscore::app {

namespace {

constexpr std::size_t none = static_cast<std::size_t>(-1);
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr const char* level_suffix[] = {"_individual", "_community", "_structural", "_integrated"};

// The text of a key cell: numbers (a numeric data-frame column) as their shortest decimal.
std::string key_cell(const RawColumn& c, std::size_t i) {
  if (c.numeric) return std::isfinite(c.number[i]) ? key_text(c.number[i]) : std::string();
  if (!c.present.empty() && !c.present[i]) return {};
  return c.text[i];
}

// Column index of each score of the individual instrument (its dimensions, then the
// composite) in a level file's scores.
std::vector<Eigen::Index> score_order(const Instrument& individual, const LevelFile& f,
                                      std::string_view option) {
  const std::set<std::string> a(individual.dimensions.begin(), individual.dimensions.end());
  const std::set<std::string> b(f.dimensions.begin(), f.dimensions.end());
  if (a != b)
    throw input_error("dimension_mismatch", "the instrument of " + std::string(option) +
                                                " must have the same dimensions as instrument '" +
                                                individual.id + "'");
  std::vector<Eigen::Index> order;
  for (const auto& d : individual.dimensions)
    order.push_back(static_cast<Eigen::Index>(
        std::find(f.dimensions.begin(), f.dimensions.end(), d) - f.dimensions.begin()));
  order.push_back(static_cast<Eigen::Index>(f.dimensions.size()));  // the composite
  return order;
}

Eigen::MatrixXd reorder(const LevelFile& f, const std::vector<Eigen::Index>& order) {
  Eigen::MatrixXd m(f.scores.rows(), static_cast<Eigen::Index>(order.size()));
  for (std::size_t j = 0; j < order.size(); ++j)
    m.col(static_cast<Eigen::Index>(j)) = f.scores.col(order[j]);
  return m;
}

UnitScores units_of(const LevelFile& f, const std::vector<Eigen::Index>& order) {
  UnitScores u;
  u.key = f.key;
  u.parent = f.parent;
  u.row = f.row;
  u.status = f.status;
  u.scores = reorder(f, order);
  return u;
}

// The weights of --weight: a finite number > 0 in every row (app::sampling_weights).
std::vector<double> weights_of(const ScoresTable& t, const std::string& column) {
  return sampling_weights(t, column, true);
}

// A key column (community, country) as text: the text read (a key "01" is not the number
// 1), or for numbers handed over as numbers their shortest decimal, as level_file() does.
std::vector<std::string> key_texts(const TypedColumn& c) {
  if (!c.numeric || c.text.size() == c.number.size()) return c.text;
  std::vector<std::string> out(c.number.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = key_text(c.number[i]);
  return out;
}

// A by column as the group texts integrate_levels() takes: numbers as their shortest
// decimal (one text per value, as group_rows() groups them).
std::vector<std::string> group_texts(const TypedColumn& c) {
  std::vector<std::string> out(c.size());
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = c.numeric ? key_text(c.number[i]) : c.text[i];
  return out;
}

const char* status_name_of(int s) {
  return s < 0 || static_cast<std::size_t>(s) >= status_names.size()
             ? nullptr
             : status_names[static_cast<std::size_t>(s)].data();
}

void push_status(Column& c, int s) {
  if (const char* name = status_name_of(s))
    c.push_text(name);
  else
    c.push_text({}, Cell::missing);
}

void push_bool(Column& c, bool b) { c.push_text(b ? "true" : "false"); }

// What a key problem means, for the notes. `unreadable` rows are keys of malformed rows.
std::string message_of(const std::string& rule, bool any_unreadable, bool all_unreadable) {
  if (rule == "missing_key") {
    if (all_unreadable) return "the key could not be read (a malformed row)";
    if (any_unreadable) return "the key is empty or could not be read (a malformed row)";
    return "the key is empty";
  }
  if (rule == "community_not_found") return "community not in the community file";
  if (rule == "country_not_found") return "country not in the structural file";
  if (rule == "country_mismatch") return "country differs from the country of the community";
  if (rule == "community_without_returnees")
    return "community without any returnee in the scores file";
  if (rule == "country_without_returnees") return "country without any returnee in the scores file";
  if (rule == "unscored_unit") return "the unit has no composite score (see its status)";
  return rule;
}

}  // namespace

// --- request and instruments ---------------------------------------------------------------

void IntegrateRequest::check() const {
  if (min_respondents)
    check_range<std::int64_t>("--min-respondents", *min_respondents, 1, max_min_cell);
  check_range("--digits", digits, 0, 17);
  for (const auto& b : by)
    if (b.empty()) throw option_error("--by", "must name a column");
  std::set<std::string> seen;
  for (const auto& b : by)
    if (!seen.insert(b).second) throw option_error("--by", "names the column '" + b + "' twice");
  if (community_instrument.empty())
    throw option_error("--community-instrument", "must name an instrument");
  if (structural_instrument.empty())
    throw option_error("--structural-instrument", "must name an instrument");
}

void check_framework(const Instrument& ins, std::string_view level, std::string_view option) {
  if (ins.level != level)
    throw input_error("level_mismatch", "instrument '" + ins.id + "' (" + std::string(option) +
                                            ") is of level '" + ins.level + "', expected '" +
                                            std::string(level) + "'");
  if (ins.unit_key.empty())
    throw input_error("no_unit_key", "instrument '" + ins.id + "' (" + std::string(option) +
                                         ") declares no unit_key: the column that links its rows");
}

ScoresWant integrate_want(const IntegrateRequest& request, const Instrument& community,
                          const Instrument& structural) {
  ScoresWant w;
  w.columns.emplace_back(community.unit_key, "the unit_key of --community-instrument");
  w.columns.emplace_back(structural.unit_key, "the unit_key of --structural-instrument");
  if (!request.weight.empty()) w.columns.emplace_back(request.weight, "--weight");
  for (const auto& b : request.by) w.columns.emplace_back(b, "--by");
  w.allow_mixed = request.allow_mixed;
  w.all_columns = true;  // every other column is carried to the per-interview table
  return w;
}

namespace {

std::size_t first_row_of_tag(const ScoresTable& scores, std::size_t tag) {
  const auto& of = scores.tag_of_row();
  for (std::size_t i = 0; i < of.size(); ++i)
    if (of[i] == static_cast<std::int32_t>(tag)) return scores.row_number(i);
  return 0;
}

}  // namespace

Instrument scores_instrument(const ScoresTable& scores, const InstrumentSearch& search) {
  const auto& tags = scores.tags();
  if (tags.empty())
    throw input_error("no_instrument",
                      "the scores name no instrument (no instrument column, or it is empty); "
                      "give the individual instrument with --instrument");
  std::string id, version;
  if (!split_instrument_tag(tags.front(), id, version))
    throw input_error("instrument_mismatch",
                      "not an instrument tag id@version#hash with a plain id; give the "
                      "individual instrument with --instrument",
                      first_row_of_tag(scores, 0), "instrument");
  // The id is data: looked up by name only, never opened as a path.
  Instrument ins = instrument_by_plain_name(id, search);
  if (ins.version != version)
    throw input_error("instrument_mismatch",
                      "the scores name version " + version + " of instrument '" + id +
                          "', the instrument directories hold version " + ins.version +
                          "; give it with --instrument",
                      first_row_of_tag(scores, 0), "instrument");
  if (ins.tag() == tags.front()) return ins;
  for (const auto& w : ins.weight_sets) {  // the weight set the tag names
    Instrument other = ins;
    other.default_weights = w.name;
    if (other.tag() == tags.front()) return other;
  }
  return ins;  // weights from a file: check_scores_instrument() asks for --weights
}

void check_scores_instrument(const ScoresTable& scores, const Instrument& individual,
                             bool allow_mixed) {
  const auto& tags = scores.tags();
  const std::string tag = individual.tag();
  for (std::size_t k = 0; k < tags.size(); ++k) {
    if (tags[k] == tag) continue;
    std::string id, version;
    const bool same = split_instrument_tag(tags[k], id, version) && id == individual.id &&
                      version == individual.version;
    // Tags are id@version#hash of an instrument: never answers, safe to name.
    if (!same)
      throw input_error(
          "instrument_mismatch",
          "scored with instrument '" + tags[k] + "', not " + tag + " (--instrument/--weights)",
          first_row_of_tag(scores, k), "instrument");
    if (!allow_mixed)
      throw input_error("instrument_mismatch",
                        "scored with another weight set ('" + tags[k] + "') than " + tag +
                            " (--instrument/--weights); give the weights the scores were made "
                            "with, or pool weight sets knowingly with --allow-mixed",
                        first_row_of_tag(scores, k), "instrument");
  }
}

// --- level files -----------------------------------------------------------------------------

LevelFile read_level_file(const std::string& path, const Instrument& ins,
                          const std::string& key_column, const std::string& parent_column) {
  auto reader = io::open_table(path, {});
  const auto& header = reader->header();
  const io::ColumnBinding binding = io::bind_columns(ins, header);
  std::string problems;
  std::size_t fatal = 0;
  for (const auto& p : binding.problems)
    if (p.fatal) {
      problems += (fatal++ ? "; " : "") + std::string("column '") + p.column + "': " + p.message +
                  " [" + p.rule + "]";
    }
  if (fatal)
    throw input_error("column_binding", path + ": cannot score with instrument '" + ins.id +
                                            "': " + problems + " (see `reinscore validate " +
                                            "--instrument " + ins.id + "`)");
  const auto find = [&](const std::string& name) {
    std::size_t found = none, count = 0;
    for (std::size_t c = 0; c < header.size(); ++c)
      if (header[c] == name) {
        found = c;
        ++count;
      }
    if (count > 1)
      throw input_error("duplicate_column", path + ": appears more than once", 0, name);
    return found;
  };
  const std::size_t key_c = find(key_column);
  if (key_c == none) throw input_error("missing_column", path + ": not in the file", 0, key_column);
  const std::size_t parent_c = parent_column.empty() ? none : find(parent_column);

  LevelFile out;
  out.source = path;
  out.tag = ins.tag();
  out.dimensions = ins.dimensions;
  const io::BatchScorer scorer(ins, ins.weights(), binding);
  const auto D = static_cast<Eigen::Index>(ins.dimensions.size());
  std::vector<double> scores;  // row-major, D + 1 per row
  io::RecordBatch batch;
  io::BatchResult res;
  while (reader->next(batch, 8192)) {
    scorer.run(batch, res);
    for (std::size_t r = 0; r < batch.rows(); ++r) {
      const auto row = batch.row(r);
      const auto ri = static_cast<Eigen::Index>(r);
      // A key is copied only when its field was read cleanly: in a ragged row (another
      // delimiter) the first field holds the whole line, every answer of the row.
      const io::RowFacts facts = io::row_facts(res, ri);
      const auto clean = [&](std::size_t c) {
        return c < row.size() && io::pass_field_problem(facts, c).empty();
      };
      out.key.push_back(clean(key_c) ? std::string(row[key_c]) : std::string());
      out.unreadable.push_back(clean(key_c) ? 0 : 1);
      if (parent_c != none)
        out.parent.push_back(clean(parent_c) ? std::string(row[parent_c]) : std::string());
      out.row.push_back(batch.record[r]);
      out.status.push_back(res.scores.status[r]);
      for (Eigen::Index j = 0; j < D; ++j) scores.push_back(res.scores.dimension(ri, j));
      scores.push_back(res.scores.composite(ri));
    }
  }
  out.scores =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          scores.data(), static_cast<Eigen::Index>(out.key.size()), D + 1);
  return out;
}

LevelFile level_file(std::string source, const Instrument& ins, const RawColumn& key,
                     const RawColumn* parent, Eigen::MatrixXd scores, std::vector<Status> status,
                     std::vector<std::uint64_t> rows) {
  const auto n = static_cast<std::size_t>(scores.rows());
  const auto size = [](const RawColumn& c) { return c.numeric ? c.number.size() : c.text.size(); };
  if (static_cast<std::size_t>(scores.cols()) != ins.dimensions.size() + 1 || size(key) != n ||
      (parent && size(*parent) != n) || status.size() != n || rows.size() != n)
    throw std::invalid_argument(
        "level_file: one key, status, row and score row per row, and one "
        "score column per dimension and the composite, are needed");
  LevelFile out;
  out.source = std::move(source);
  out.tag = ins.tag();
  out.dimensions = ins.dimensions;
  for (std::size_t i = 0; i < n; ++i) out.key.push_back(key_cell(key, i));
  if (parent)
    for (std::size_t i = 0; i < n; ++i) out.parent.push_back(key_cell(*parent, i));
  out.unreadable.assign(n, 0);
  out.row = std::move(rows);
  out.status = std::move(status);
  out.scores = std::move(scores);
  return out;
}

// --- the run ---------------------------------------------------------------------------------

Report integrate(const ScoresTable& scores, const LevelFile& community, const LevelFile& structural,
                 const LevelFile* host, const Instrument& individual,
                 const Instrument& community_instrument, const Instrument& structural_instrument,
                 const IntegrateRequest& request) {
  request.check();
  check_scores_instrument(scores, individual, request.allow_mixed);
  check_framework(community_instrument, "community", "--community-instrument");
  check_framework(structural_instrument, "structural", "--structural-instrument");
  const auto com_order = score_order(individual, community, "--community-instrument");
  const auto str_order = score_order(individual, structural, "--structural-instrument");
  const std::string& com_key = community_instrument.unit_key;
  const std::string& cty_key = structural_instrument.unit_key;
  const std::size_t N = scores.rows();

  LevelInput in;
  for (const auto& d : individual.dimensions) in.score_names.push_back(d);
  in.score_names.push_back("composite");
  const std::size_t S = in.score_names.size();
  const auto Si = static_cast<Eigen::Index>(S);
  in.community_column = com_key;
  in.country_column = cty_key;
  in.weight_column = request.weight;
  in.by_columns = request.by;
  in.settings = community_instrument.integration.value_or(Integration{});
  if (request.min_respondents)
    in.settings.min_respondents = static_cast<std::uint64_t>(*request.min_respondents);
  in.threshold = threshold_of(individual).value_or(nan);

  // --- the individual scores ------------------------------------------------------------
  // Each score of the instrument: a score column of the table (X with coverage_X, or the
  // composite), else a numeric column of that name (scores computed elsewhere).
  in.returnees.scores.resize(static_cast<Eigen::Index>(N), Si);
  for (std::size_t j = 0; j < S; ++j) {
    const std::string& name = in.score_names[j];
    const auto& names = scores.scores();
    const auto it = std::find(names.begin(), names.end(), name);
    const std::vector<double>* values = nullptr;
    const std::vector<double> empty(N, nan);
    if (it != names.end()) {
      values = &scores.score(static_cast<std::size_t>(it - names.begin()));
    } else if (scores.has_column(name)) {
      const TypedColumn& c = scores.column(name);
      values = &c.number;
      if (!c.numeric) {  // a text column: a cell that is not a number, or no cell at all
        double x = 0;
        for (std::size_t i = 0; i < N; ++i) {
          const auto cell = detail::trim(c.text[i]);
          if (!cell.empty() && !detail::parse_number(cell, x))
            throw input_error("not_a_number", "score is not a number", scores.row_number(i), name);
        }
        values = &empty;
      }
    }
    if (values == nullptr || values->size() != N)
      throw input_error("not_scores",
                        "'" + scores.source() + "': not scores of instrument '" + individual.id +
                            "' (no column for this score)",
                        0, name);
    for (std::size_t i = 0; i < N; ++i)
      in.returnees.scores(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          (*values)[i];
  }
  in.returnees.community = key_texts(scores.column(com_key));
  in.returnees.country = key_texts(scores.column(cty_key));
  for (const auto& b : request.by) in.returnees.by.push_back(group_texts(scores.column(b)));
  if (!request.weight.empty()) in.returnees.weight = weights_of(scores, request.weight);
  for (std::size_t i = 0; i < N; ++i) in.returnees.row.push_back(scores.row_number(i));

  // --- the level files --------------------------------------------------------------------
  in.communities = units_of(community, com_order);
  in.countries = units_of(structural, str_order);
  if (host) {
    std::vector<Eigen::Index> order;
    for (std::size_t j = 0; j < S; ++j) order.push_back(static_cast<Eigen::Index>(j));
    if (host->dimensions != individual.dimensions)
      throw input_error("dimension_mismatch",
                        "the residents' answers must be scored with the individual instrument");
    PeopleScores h;
    h.community = host->key;
    h.row = host->row;
    h.scores = reorder(*host, order);
    in.hosts = std::move(h);
  }

  const LevelResult res = integrate_levels(in);
  const std::string com_tag = community.tag, str_tag = structural.tag;

  Report report;
  report.command = "integrate";
  const int dg = request.digits;

  // --- per interview ----------------------------------------------------------------------
  {
    Table t;
    t.name = "interviews";
    t.title = "Per interview";
    // Every other column of the scores is carried as it is.
    std::set<std::string> own(in.score_names.begin(), in.score_names.end());
    for (const auto& d : individual.dimensions) own.insert("coverage_" + d);
    for (const char* c : {"status", "lowest_dimension", "category", "problems", "instrument"})
      own.insert(c);
    for (const auto& c : scores.columns()) {
      if (own.count(c.name) || c.name.rfind("coverage_", 0) == 0 ||
          c.name.rfind("contrib.", 0) == 0 || c.name.rfind("lost.", 0) == 0)
        continue;
      // Text as read stays text (ids keep their leading zeros); numbers handed over as
      // numbers stay numbers.
      if (!c.numeric || c.text.size() == N) {
        Column& col = t.add(c.name, Kind::text);
        for (std::size_t i = 0; i < N; ++i) col.push_text(c.text[i]);
      } else {
        t.columns.push_back(key_column(c));  // whole numbers as integers
        for (std::size_t i = 0; i < N; ++i) push_key(t.columns.back(), c, i);
      }
    }
    const auto& iv = res.interviews;
    const Eigen::MatrixXd* mats[] = {&in.returnees.scores, &iv.community, &iv.structural,
                                     &iv.integrated};
    for (std::size_t l = 0; l < 4; ++l)
      for (std::size_t j = 0; j < S; ++j) {
        Column& col = t.add(in.score_names[j] + level_suffix[l], Kind::number, dg);
        const auto c = mats[l]->col(static_cast<Eigen::Index>(j));
        col.values.assign(c.data(), c.data() + c.size());
      }
    for (std::size_t j = 0; j < S; ++j) {
      Column& col = t.add("level_share_" + in.score_names[j], Kind::number, dg);
      const auto c = iv.level_share.col(static_cast<Eigen::Index>(j));
      col.values.assign(c.data(), c.data() + c.size());
    }
    Column& ind_status = t.add("individual_status", Kind::text);
    for (std::size_t i = 0; i < N; ++i)
      push_status(ind_status, scores.has_status() ? scores.status()[i] : -1);
    Column& com_status = t.add("community_status", Kind::text);
    for (const int s : iv.community_status) push_status(com_status, s);
    Column& cty_status = t.add("structural_status", Kind::text);
    for (const int s : iv.structural_status) push_status(cty_status, s);
    Column& problems = t.add("problems", Kind::text);
    for (const auto& p : iv.problems) problems.push_text(p);
    Column& tag = t.add("instrument", Kind::text);
    for (std::size_t i = 0; i < N; ++i) {
      const std::int32_t k = scores.tag_of_row().empty() ? -1 : scores.tag_of_row()[i];
      tag.push_text(k < 0 ? std::string() : scores.tags()[static_cast<std::size_t>(k)]);
    }
    t.add("community_instrument", Kind::text).text.assign(N, com_tag);
    t.add("structural_instrument", Kind::text).text.assign(N, str_tag);
    t.check();
    report.tables.push_back(std::move(t));
  }

  // --- roll-ups -----------------------------------------------------------------------------
  // Groups in the order of their typed values (a numeric round sorts 1, 2, 10: group_rows'
  // order); integrate_levels() sorts them as text.
  const std::size_t G = res.groups.size();
  std::vector<std::size_t> group_row(G, none);  // a row of each group, for its typed values
  {
    std::map<std::vector<std::string>, std::size_t> index;
    for (std::size_t g = 0; g < G; ++g) index.emplace(res.groups[g], g);
    std::vector<std::string> v(request.by.size());
    for (std::size_t i = 0; i < N; ++i) {
      for (std::size_t k = 0; k < v.size(); ++k) v[k] = in.returnees.by[k][i];
      const auto it = index.find(v);
      if (it != index.end() && group_row[it->second] == none) group_row[it->second] = i;
    }
  }
  const Groups typed_groups = group_rows(scores, request.by);
  std::vector<std::uint64_t> rank(G, 0);
  for (std::size_t g = 0; g < G; ++g)
    if (group_row[g] != none) rank[g] = typed_groups.of_row[group_row[g]];

  const auto rollup = [&](const LevelRollup& R, bool communities) {
    Table t;
    t.name = communities ? "communities" : "countries";
    t.title = communities ? "Per community" : "Per country";
    t.keys = request.by.size() + 1;
    t.min_cell = in.settings.min_respondents;
    std::vector<std::size_t> rows(R.rows());
    std::iota(rows.begin(), rows.end(), 0);
    std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
      return rank[R.group[a]] < rank[R.group[b]];
    });
    for (std::size_t k = 0; k < request.by.size(); ++k) {
      const TypedColumn& c = scores.column(request.by[k]);
      t.columns.push_back(key_column(c));
      Column& col = t.columns.back();
      for (const auto i : rows) {
        const std::size_t r = group_row[R.group[i]];
        if (r != none)
          push_key(col, c, r);
        else if (col.kind == Kind::text)  // no interview at all: one group of empty keys
          col.push_text({}, Cell::missing);
        else
          col.push(nan, Cell::missing);
      }
    }
    Column& key = t.add(communities ? com_key : cty_key, Kind::text);
    for (const auto i : rows) key.push_text(R.key[i]);
    if (communities) {
      Column& parent = t.add(cty_key, Kind::text);
      for (const auto i : rows) parent.push_text(R.parent[i]);
    } else {
      Column& units = t.add("communities", Kind::count);
      for (const auto i : rows) units.push(static_cast<double>(R.units[i]));
    }
    Column& n = t.add("n", Kind::count);
    for (const auto i : rows)
      n.push(static_cast<double>(R.n[i]), R.suppressed[i] ? Cell::suppressed : Cell::value);
    Column& sup = t.add("suppressed", Kind::text);
    for (const auto i : rows) push_bool(sup, R.suppressed[i] != 0);
    for (std::size_t j = 0; j < S; ++j) {
      Column& col = t.add("n_" + in.score_names[j], Kind::count);
      for (const auto i : rows)
        col.push(static_cast<double>(
                     R.n_score(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j))),
                 R.suppressed[i] ? Cell::missing : Cell::value);
    }
    const auto matrix = [&](const std::string& name, const Eigen::MatrixXd& m, std::size_t j) {
      Column& col = t.add(name, Kind::number, dg);
      for (const auto i : rows)
        col.push(m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)));
    };
    for (std::size_t j = 0; j < S; ++j)
      matrix("share_above_" + in.score_names[j], R.share_above, j);
    if (in.hosts) {
      Column& hn = t.add("host_n", Kind::count);
      for (const auto i : rows)
        hn.push(static_cast<double>(R.host_n[i]),
                R.host_suppressed[i] ? Cell::suppressed : Cell::value);
      Column& hs = t.add("host_suppressed", Kind::text);
      for (const auto i : rows) push_bool(hs, R.host_suppressed[i] != 0);
      const std::pair<const char*, const Eigen::MatrixXd*> host_mats[] = {
          {"host_mean_", &R.host_mean},
          {"gap_", &R.gap},
          {"gap_se_", &R.gap_se},
          {"gap_low_", &R.gap_low},
          {"gap_high_", &R.gap_high}};
      for (const auto& [prefix, m] : host_mats)
        for (std::size_t j = 0; j < S; ++j) matrix(prefix + in.score_names[j], *m, j);
    }
    const Eigen::MatrixXd* mats[] = {&R.individual, &R.community, &R.structural, &R.integrated};
    for (std::size_t l = 0; l < 4; ++l)
      for (std::size_t j = 0; j < S; ++j) matrix(in.score_names[j] + level_suffix[l], *mats[l], j);
    for (std::size_t j = 0; j < S; ++j)
      matrix("level_share_" + in.score_names[j], R.level_share, j);
    if (communities) {
      Column& cs = t.add("community_status", Kind::text);
      for (const auto i : rows) push_status(cs, R.community_status[i]);
    }
    Column& ss = t.add("structural_status", Kind::text);
    for (const auto i : rows) push_status(ss, R.structural_status[i]);
    Column& pr = t.add("problems", Kind::text);
    for (const auto i : rows) pr.push_text(R.problems[i]);
    t.add("community_instrument", Kind::text).text.assign(rows.size(), com_tag);
    t.add("structural_instrument", Kind::text).text.assign(rows.size(), str_tag);
    t.check();
    return t;
  };
  report.tables.push_back(rollup(res.communities, true));
  report.tables.push_back(rollup(res.countries, false));

  // --- problems -------------------------------------------------------------------------------
  {
    Table t, rows_t;
    t.name = "problems";
    t.title = "Keys that do not match";
    t.keys = 4;
    rows_t.name = "problem_rows";
    rows_t.title = "Rows of each problem";
    rows_t.keys = 1;
    // The columns are filled together: no add() may move them.
    t.columns.reserve(6);
    rows_t.columns.reserve(2);
    Column& rule = t.add("rule", Kind::text);
    Column& source = t.add("source", Kind::text);
    Column& column = t.add("column", Kind::text);
    Column& key = t.add("key", Kind::text);
    Column& count = t.add("count", Kind::count);
    Column& rows = t.add("rows", Kind::text);
    Column& problem = rows_t.add("problem", Kind::count);
    Column& row = rows_t.add("row", Kind::count);
    for (std::size_t p = 0; p < res.problems.size(); ++p) {
      const LevelProblem& lp = res.problems[p];
      rule.push_text(lp.rule);
      source.push_text(lp.source);
      column.push_text(lp.column);
      key.push_text(lp.key);
      count.push(static_cast<double>(lp.rows.size()));
      std::string text;
      for (const auto r : lp.rows) {
        if (!text.empty()) text += ' ';
        text += std::to_string(r);
        problem.push(static_cast<double>(p));
        row.push(static_cast<double>(r));
      }
      rows.push_text(std::move(text));
    }
    t.check();
    rows_t.check();
    report.tables.push_back(std::move(t));
    report.tables.push_back(std::move(rows_t));
  }

  // --- settings: what the numbers rest on -------------------------------------------------
  {
    Table t;
    t.name = "settings";
    t.title = "Integration settings";
    const Integration& g = in.settings;
    push_bool(t.add("provisional", Kind::text), g.provisional);
    for (std::size_t l = 0; l < 3; ++l)
      t.add(std::string("weight_") + std::string(level_names[l]), Kind::number, -1)
          .push(g.level_weights[l]);
    t.add("min_respondents", Kind::count).push(static_cast<double>(g.min_respondents));
    t.add("min_level_share", Kind::number, -1).push(g.min_level_share);
    t.add("threshold", Kind::number, -1).push(in.threshold);
    t.add("instrument", Kind::text).push_text(individual.tag());
    t.add("community_instrument", Kind::text).push_text(com_tag);
    t.add("structural_instrument", Kind::text).push_text(str_tag);
    t.check();
    report.tables.push_back(std::move(t));
  }

  // --- notes ----------------------------------------------------------------------------------
  // One line per source, column and rule: counts and rows, never the keys.
  const auto file_of = [&](const std::string& source) -> const LevelFile* {
    if (source == "host") return host;
    if (source == "community") return &community;
    if (source == "structural") return &structural;
    return nullptr;
  };
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
    const LevelFile* f = file_of(source);
    std::size_t unreadable = 0;
    if (f && rule == "missing_key") {
      std::set<std::uint64_t> bad;  // rows of the file whose key field could not be read
      for (std::size_t i = 0; i < f->row.size(); ++i)
        if (f->unreadable[i]) bad.insert(f->row[i]);
      for (const auto r : rows) unreadable += bad.count(r);
    }
    std::string text = (f ? f->source : scores.source()) + ": column '" + column +
                       "': " + message_of(rule, unreadable > 0, unreadable == rows.size()) + ": " +
                       std::to_string(rows.size()) + " row(s) (";
    for (std::size_t i = 0; i < rows.size() && i < 10; ++i)
      text += (i ? ", " : "") + std::to_string(rows[i]);
    if (rows.size() > 10) text += ", ...";
    text += ") [" + rule + "]";
    report.warn(std::move(text));
  }
  if (scores.tags().size() > 1)
    report.warn("the scores were made with " + std::to_string(scores.tags().size()) +
                " weight sets of the instrument, pooled as asked (--allow-mixed)");
  if (std::isnan(in.threshold))
    report.info("instrument '" + individual.id +
                "' has no thresholds: the shares above (share_above_*) are missing");
  std::uint64_t suppressed = 0;
  for (const auto s : res.communities.suppressed) suppressed += s;
  report.info(std::to_string(N) + " interviews, " + std::to_string(res.communities.rows()) +
              " community row(s) (" + std::to_string(suppressed) + " with fewer than " +
              std::to_string(in.settings.min_respondents) + " returnees suppressed), " +
              std::to_string(res.countries.rows()) + " country row(s), " +
              std::to_string(res.problems.size()) + " key problem(s)" +
              (in.settings.provisional ? "; level weights are PROVISIONAL" : ""));
  return report;
}

}  // namespace reinscore::app
