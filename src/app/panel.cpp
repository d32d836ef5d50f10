// `panel` (include/reinscore/app/panel.hpp): the one place that reads ids, rounds,
// weights, dates, categories and statuses of a scores table for the panel, feeds
// reinscore::Panel and lays its results out, suppressed, as the Report's tables.
#include <reinscore/app/options.hpp>
#include <reinscore/app/panel.hpp>
#include <reinscore/detail/strings.hpp>
#include <reinscore/error.hpp>
#include <reinscore/panel.hpp>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <span>
#include <unordered_map>

namespace reinscore::app {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr std::string_view default_date = "interview_date";
constexpr std::string_view default_return_date = "return_date";
/// Date problems listed one by one in the notes; the rest are counted (all of them are
/// in the "problems" table).
constexpr std::size_t problems_listed = 20;

// A cell as text: the text read (an identifier such as "007" is not the number 7) or,
// for a column handed over as numbers, its shortest decimal.
std::string text_at(const TypedColumn& c, std::size_t i) {
  if (i < c.text.size()) return std::string(detail::trim(c.text[i]));
  return c.numeric ? key_text(c.number[i]) : std::string();
}

// checked non-negative by PanelRequest::check()
std::uint64_t min_cell_of(const PanelRequest& req) {
  return static_cast<std::uint64_t>(req.min_cell);
}

bool small(std::uint64_t n, std::uint64_t min_cell) { return n > 0 && n < min_cell; }

void push_count(Column& c, std::uint64_t n, std::uint64_t min_cell) {
  c.push(static_cast<double>(n), small(n, min_cell) ? Cell::suppressed : Cell::value);
}

void push_state(Column& c, int state, const std::vector<std::string>& labels) {
  if (state < 0)
    c.push_text({}, Cell::missing);
  else
    c.push_text(labels[static_cast<std::size_t>(state)]);
}

std::string percent(double level) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", 100 * level);
  return buf;
}

std::vector<std::int64_t> rounds_of(const ScoresTable& t, const TypedColumn& c) {
  std::vector<std::int64_t> out(t.rows());
  for (std::size_t i = 0; i < t.rows(); ++i) {
    const auto r = c.numeric ? round_from_number(c.number[i]) : parse_round(c.text[i]);
    if (!r)
      throw input_error("bad_round", "round is empty or not a whole number", t.row_number(i),
                        c.name);
    out[i] = *r;
  }
  return out;
}

// Statuses: the reader's, with a status that is none of reinscore's an error (a silent
// "none" would move interviews between transition rows).
std::vector<int> statuses_of(const ScoresTable& t) {
  std::vector<int> out(t.rows(), -1);
  if (!t.has_status()) return out;
  const TypedColumn* raw = t.has_column("status") ? &t.column("status") : nullptr;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    out[i] = t.status()[i];
    if (out[i] < 0 && raw != nullptr && !raw->empty_at(i))
      throw input_error("unknown_status", "not a status of reinscore", t.row_number(i), "status");
  }
  return out;
}

struct Categories {
  std::vector<std::string> labels;  ///< in order
  std::vector<int> code;            ///< per row: index into labels, -1 for none
  bool present = false;             ///< the table has a category column
};

Categories categories_of(const ScoresTable& t, const PanelRequest& req,
                         const InstrumentSearch& search, Report& report) {
  Categories out;
  out.code.assign(t.rows(), -1);
  std::optional<Instrument> given;
  if (!req.instrument.empty()) given = resolve_instrument(req.instrument, search);
  const TypedColumn* cat = t.category();
  // A given instrument is checked against the tags even when it orders nothing.
  std::string why;
  std::optional<Instrument> ins;
  if (given || cat != nullptr) ins = instrument_of(t, given, search, why);
  if (cat == nullptr) return out;
  out.present = true;

  std::vector<std::string> seen;
  std::vector<std::size_t> first_row;
  std::unordered_map<std::string, int> index;
  std::vector<int> seen_code(t.rows(), -1);
  for (std::size_t i = 0; i < t.rows(); ++i) {
    std::string s = text_at(*cat, i);
    if (s.empty()) continue;
    auto [it, fresh] = index.try_emplace(s, static_cast<int>(seen.size()));
    if (fresh) {
      seen.push_back(std::move(s));
      first_row.push_back(i);
    }
    seen_code[i] = it->second;
  }
  const auto covers = [&](const std::vector<std::string>& labels) {
    return std::all_of(seen.begin(), seen.end(), [&](const std::string& s) {
      return std::find(labels.begin(), labels.end(), s) != labels.end();
    });
  };
  if (!req.categories.empty()) {
    out.labels = req.categories;
    for (std::size_t k = 0; k < seen.size(); ++k)
      if (std::find(out.labels.begin(), out.labels.end(), seen[k]) == out.labels.end())
        throw input_error("unknown_category", "not one of the known labels",
                          t.row_number(first_row[k]), cat->name);
  } else {
    std::vector<std::string> labels;
    if (ins && ins->thresholds)
      for (const auto& c : ins->thresholds->categories) labels.push_back(c.label);
    if (ins && !ins->thresholds) why = "the instrument has no thresholds";
    if (!labels.empty() && covers(labels)) {
      out.labels = std::move(labels);
    } else {
      if (ins && !labels.empty()) why = "the data hold labels that are not the instrument's";
      out.labels = seen;
      std::sort(out.labels.begin(), out.labels.end());
      if (!seen.empty()) report.info("categories in alphabetical order (" + why + ")");
    }
  }
  std::vector<int> remap(seen.size());
  for (std::size_t k = 0; k < seen.size(); ++k)
    remap[k] = static_cast<int>(std::find(out.labels.begin(), out.labels.end(), seen[k]) -
                                out.labels.begin());
  for (std::size_t i = 0; i < t.rows(); ++i)
    if (seen_code[i] >= 0) out.code[i] = remap[static_cast<std::size_t>(seen_code[i])];
  return out;
}

// The date columns, when months since return are wanted and the columns are there (under
// a name other than the default, ScoresWant made the reader require them).
std::pair<const TypedColumn*, const TypedColumn*> date_columns(const ScoresTable& t,
                                                               const PanelRequest& req) {
  if (req.date_column.empty() || req.return_date_column.empty()) return {nullptr, nullptr};
  const auto find = [&](const std::string& name, std::string_view fallback) -> const TypedColumn* {
    if (t.has_column(name)) return &t.column(name);
    if (name != fallback) t.column(name);  // throws missing_column naming the option
    return nullptr;
  };
  const TypedColumn* a = find(req.date_column, default_date);
  const TypedColumn* b = find(req.return_date_column, default_return_date);
  if (a == nullptr || b == nullptr) return {nullptr, nullptr};
  return {a, b};
}

Table changes_table(const Panel& p, const std::vector<RoundPair>& pairs, const PanelRequest& req) {
  Table t;
  t.name = "changes";
  t.title = "Change between rounds (returnees interviewed in both; mean of later minus earlier, " +
            percent(req.level) + "% t-interval" +
            (req.weight.empty() ? std::string() : ", weighted by " + req.weight) + ")";
  t.keys = 3;
  t.min_cell = min_cell_of(req);
  t.columns.reserve(19);
  Column& from = t.add("from", Kind::count);
  Column& to = t.add("to", Kind::count);
  Column& score = t.add("score", Kind::text);
  Column& npairs = t.add("pairs", Kind::count);
  Column& missing = t.add("missing", Kind::count);
  Column& n = t.add("n", Kind::count);
  // Estimates, in output order; df, t and months with fewer decimals in the terminal.
  const std::pair<const char*, int> estimates[] = {
      {"sum_weights", 4}, {"mean_from", 4},   {"mean_to", 4},  {"mean_change", 4}, {"sd", 4},
      {"se", 4},          {"ci_low", 4},      {"ci_high", 4},  {"df", 0},          {"t", 2},
      {"p_value", 4},     {"months_from", 1}, {"months_to", 1}};
  const std::size_t first = t.columns.size();
  for (const auto& [name, digits] : estimates)
    t.add(name, std::string_view(name) == "p_value" ? Kind::p_value : Kind::number, digits);
  for (const auto& c : p.changes(pairs, req.level)) {
    from.push(static_cast<double>(c.pair.from));
    to.push(static_cast<double>(c.pair.to));
    score.push_text(p.score_names()[c.score]);
    push_count(npairs, c.pairs, min_cell_of(req));
    push_count(missing, c.missing, min_cell_of(req));
    push_count(n, c.change.n, min_cell_of(req));
    const auto& e = c.change;
    // Estimates from fewer than min_cell pairs are never released: missing, not "<N".
    const bool hide = e.n < min_cell_of(req);
    const double values[] = {e.sum_weights, c.mean_from,   c.mean_to,  e.mean, e.sd,
                             e.se,          e.ci_low,      e.ci_high,  e.df,   e.t,
                             e.p_value,     c.months_from, c.months_to};
    for (std::size_t k = 0; k < std::size(values); ++k)
      t.columns[first + k].push(hide ? nan : values[k], hide ? Cell::missing : Cell::value);
  }
  return t;
}

Table transitions_table(const Panel& p, const std::vector<RoundPair>& pairs,
                        const std::vector<TransitionVariable>& vars, const PanelRequest& req) {
  Table t;
  t.name = "transitions";
  t.title =
      "Transitions between rounds (returnees by state in the earlier round; share of the row; "
      "none: no "
      "category or status, attrited: not interviewed in the later round)";
  t.keys = 5;
  t.min_cell = min_cell_of(req);
  t.columns.reserve(8);
  Column& variable = t.add("variable", Kind::text);
  Column& from = t.add("from", Kind::count);
  Column& to = t.add("to", Kind::count);
  Column& state_from = t.add("state_from", Kind::text);
  Column& state_to = t.add("state_to", Kind::text);
  Column& row_total = t.add("row_total", Kind::count);
  Column& n = t.add("n", Kind::count);
  Column& share = t.add("share", Kind::number, 4);
  for (const auto v : vars)
    for (const auto pair : pairs) {
      const auto m = p.transitions(pair, v);
      const auto fs = m.from_states(), ts = m.to_states();
      for (std::size_t i = 0; i < fs.size(); ++i) {
        const auto total = m.row_total(i);
        // A row of fewer than min_cell returnees is withheld whole, zeros included.
        const bool hide = total < min_cell_of(req);
        for (std::size_t j = 0; j < ts.size(); ++j) {
          const auto c = m.count(i, j);
          variable.push_text(m.variable());
          from.push(static_cast<double>(pair.from));
          to.push(static_cast<double>(pair.to));
          state_from.push_text(fs[i]);
          state_to.push_text(ts[j]);
          push_count(row_total, total, min_cell_of(req));
          if (hide && total > 0)
            n.push(nan, Cell::suppressed);
          else
            push_count(n, c, min_cell_of(req));
          if (hide || small(c, min_cell_of(req)))
            share.push(nan, Cell::missing);
          else
            share.push(m.share(i, j));
        }
      }
    }
  return t;
}

Table attrition_table(const Panel& p, const PanelRequest& req) {
  const auto a = p.attrition();
  Table t;
  t.name = "attrition";
  t.title = "Attrition (returnees per round; retention: share of round " +
            (a.rows().empty() ? std::string() : std::to_string(a.rows().front().round)) +
            "'s returnees present)";
  t.keys = 1;
  t.min_cell = min_cell_of(req);
  t.columns.reserve(9);
  Column& round = t.add("round", Kind::count);
  const std::size_t first = t.columns.size();
  for (const char* name :
       {"present", "first_seen", "retained", "lost", "returned", "absent", "baseline_present"})
    t.add(name, Kind::count);
  Column& retention = t.add("retention", Kind::number, 4);
  for (std::size_t j = 0; j < a.rows().size(); ++j) {
    const auto& r = a.rows()[j];
    round.push(static_cast<double>(r.round));
    const std::uint64_t counts[] = {r.present,  r.first_seen, r.retained,        r.lost,
                                    r.returned, r.absent,     r.baseline_present};
    for (std::size_t k = 0; k < std::size(counts); ++k)
      push_count(t.columns[first + k], counts[k], min_cell_of(req));
    const bool hide =
        small(r.baseline_present, min_cell_of(req)) || small(a.baseline(), min_cell_of(req));
    retention.push(hide ? nan : a.retention(j), hide ? Cell::missing : Cell::value);
  }
  return t;
}

Table per_returnee_table(const Panel& p, const std::vector<RoundPair>& pairs,
                         const PanelRequest& req) {
  Table t;
  t.name = "per-returnee";
  t.title = "Change per returnee (later minus earlier)";
  t.keys = 3;
  const auto& names = p.score_names();
  t.columns.reserve(12 + names.size());
  Column& id = t.add(req.id_column, Kind::text);
  Column& from = t.add("from", Kind::count);
  Column& to = t.add("to", Kind::count);
  Column& row_from = t.add("row_from", Kind::count);
  Column& row_to = t.add("row_to", Kind::count);
  const std::size_t first = t.columns.size();
  for (const auto& s : names) t.add("change_" + s, Kind::number, 4);
  Column& months_from = t.add("months_from", Kind::number, 1);
  Column& months_to = t.add("months_to", Kind::number, 1);
  Column& weight = t.add("weight", Kind::number, -1);
  Column& category_from = t.add("category_from", Kind::text);
  Column& category_to = t.add("category_to", Kind::text);
  Column& status_from = t.add("status_from", Kind::text);
  Column& status_to = t.add("status_to", Kind::text);
  const std::vector<std::string> statuses(status_names.begin(), status_names.end());
  // Individual rows, as `score` writes them: no suppression (the table is asked for).
  for (const auto& c : p.per_returnee(pairs)) {
    id.push_text(p.id(c.returnee));
    from.push(static_cast<double>(c.pair.from));
    to.push(static_cast<double>(c.pair.to));
    row_from.push(static_cast<double>(c.row_from));
    row_to.push(static_cast<double>(c.row_to));
    for (std::size_t s = 0; s < names.size(); ++s) t.columns[first + s].push(c.change[s]);
    months_from.push(c.months_from);
    months_to.push(c.months_to);
    weight.push(c.weight);
    push_state(category_from, c.category_from, p.category_labels());
    push_state(category_to, c.category_to, p.category_labels());
    push_state(status_from, c.status_from, statuses);
    push_state(status_to, c.status_to, statuses);
  }
  return t;
}

}  // namespace

void PanelRequest::check() const {
  if (id_column.empty()) throw option_error("--id-column", "must name a column");
  if (round_column.empty()) throw option_error("--round-column", "must name a column");
  check_needs("--from", from_round.has_value(), "--to", to_round.has_value());
  check_needs("--to", to_round.has_value(), "--from", from_round.has_value());
  if (from_round && to_round && !(*from_round < *to_round))
    throw option_error("--from", "must be an earlier round than --to", "round_order");
  for (const auto& t : tables)
    check_choice(
        "--table", t,
        {"all", "changes", "transitions", "attrition", "per-returnee", "interviews", "problems"});
  check_range<std::int64_t>("--min-cell", min_cell, 0, max_min_cell);
  check_open_unit("--level", level);
}

ScoresWant PanelRequest::want() const {
  ScoresWant w;
  w.columns = {{id_column, "--id-column"}, {round_column, "--round-column"}};
  if (!weight.empty()) w.columns.emplace_back(weight, "--weight");
  // Dates under other names than the defaults must be there; the defaults are optional.
  if (!date_column.empty() && !return_date_column.empty()) {
    if (date_column != default_date) w.columns.emplace_back(date_column, "--date-column");
    if (return_date_column != default_return_date)
      w.columns.emplace_back(return_date_column, "--return-date-column");
  }
  w.allow_mixed = allow_mixed;
  w.need_status = status;
  // Every column: the default date columns are used when present, and the status text
  // tells an unknown status from an empty one.
  w.all_columns = true;
  return w;
}

std::vector<std::string> PanelRequest::table_list() const {
  std::vector<std::string> out;
  const auto wants = [&](std::string_view name) {
    if (tables.empty()) return name == "changes" || name == "transitions" || name == "attrition";
    return std::any_of(tables.begin(), tables.end(), [&](const std::string& t) {
      return t == name ||
             (t == "all" && (name == "changes" || name == "transitions" || name == "attrition"));
    });
  };
  for (const auto name : panel_table_names)
    if (wants(name)) out.emplace_back(name);
  return out;
}

Report panel(const ScoresTable& scores, const PanelRequest& req, const InstrumentSearch& search) {
  req.check();
  Report report;
  report.command = "panel";
  const std::size_t rows = scores.rows();
  if (rows == 0) throw input_error("no_data_rows", "the scores hold no rows");

  const TypedColumn& id_col = scores.column(req.id_column);
  const auto rounds = rounds_of(scores, scores.column(req.round_column));
  const std::vector<double> weights =
      req.weight.empty() ? std::vector<double>() : sampling_weights(scores, req.weight);
  const auto statuses = statuses_of(scores);
  const Categories cats = categories_of(scores, req, search, report);
  const auto [idate, rdate] = date_columns(scores, req);

  const auto& names = scores.scores();
  const std::size_t S = names.size();
  std::vector<double> values(rows * S);
  for (std::size_t s = 0; s < S; ++s) {
    const auto& v = scores.score(s);
    for (std::size_t i = 0; i < rows; ++i) values[i * S + s] = v[i];
  }

  PanelColumns cols;
  cols.id = req.id_column;
  cols.round = req.round_column;
  cols.weight = req.weight;
  if (idate != nullptr) {
    cols.interview_date = idate->name;
    cols.return_date = rdate->name;
  }
  Panel p(names, cats.labels, cols);
  std::vector<std::string> ids(rows);
  std::vector<double> months(rows, nan);
  for (std::size_t i = 0; i < rows; ++i) {
    const std::uint64_t row = scores.row_number(i);
    ids[i] = text_at(id_col, i);
    Interview iv;
    iv.id = ids[i];
    iv.round = rounds[i];
    iv.scores = std::span<const double>(values.data() + i * S, S);
    iv.category = cats.code[i];
    iv.status = statuses[i];
    iv.weight = weights.empty() ? 1.0 : weights[i];
    if (idate != nullptr)
      months[i] = iv.months = p.months_since_return(text_at(*idate, i), text_at(*rdate, i), row);
    iv.row = row;
    p.add(iv);
  }

  std::vector<RoundPair> pairs;
  if (req.from_round) {
    pairs.push_back({*req.from_round, *req.to_round});
    p.check_pair(pairs.back());
  } else {
    pairs = p.default_pairs();
  }

  const auto tables = req.table_list();
  const auto wants = [&](std::string_view name) {
    return std::find(tables.begin(), tables.end(), name) != tables.end();
  };
  if (pairs.empty() && (wants("changes") || wants("transitions") || wants("per-returnee")))
    report.info("only one round in the scores: no changes or transitions");
  for (const auto& name : tables) {
    if (name == "changes") {
      report.tables.push_back(changes_table(p, pairs, req));
    } else if (name == "transitions") {
      std::vector<TransitionVariable> vars;
      if (cats.present)
        vars.push_back(TransitionVariable::category);
      else
        report.info(
            "no category column (the instrument has no thresholds): no category "
            "transitions");
      if (req.status) vars.push_back(TransitionVariable::status);
      report.tables.push_back(transitions_table(p, pairs, vars, req));
    } else if (name == "attrition") {
      report.tables.push_back(attrition_table(p, req));
    } else if (name == "per-returnee") {
      report.tables.push_back(per_returnee_table(p, pairs, req));
    } else if (name == "interviews") {
      Table t;
      t.name = "interviews";
      t.title = "Months since return per interview";
      t.keys = 1;
      t.columns.reserve(4);
      Column& row = t.add("row", Kind::count);
      Column& id = t.add(req.id_column, Kind::text);
      Column& round = t.add(req.round_column, Kind::count);
      Column& m = t.add("months_since_return", Kind::number, 2);
      for (std::size_t i = 0; i < rows; ++i) {
        row.push(static_cast<double>(scores.row_number(i)));
        id.push_text(ids[i]);
        round.push(static_cast<double>(rounds[i]));
        m.push(months[i]);
      }
      report.tables.push_back(std::move(t));
    } else if (name == "problems") {
      Table t;
      t.name = "problems";
      t.title = "Date problems (months since return are missing for these interviews)";
      t.keys = 1;
      t.columns.reserve(4);
      Column& row = t.add("row", Kind::count);
      Column& column = t.add("column", Kind::text);
      Column& rule = t.add("rule", Kind::text);
      Column& message = t.add("message", Kind::text);
      for (const auto& pb : p.problems()) {
        row.push(static_cast<double>(pb.row));
        column.push_text(pb.column);
        rule.push_text(pb.rule);
        message.push_text(pb.message);
      }
      report.tables.push_back(std::move(t));
    }
  }

  const auto& problems = p.problems();
  for (std::size_t i = 0; i < problems.size() && i < problems_listed; ++i)
    report.info(problems[i].message);
  if (problems.size() > problems_listed)
    report.info("... and " + std::to_string(problems.size() - problems_listed) +
                " more date problem(s)");
  if (!problems.empty())
    report.warn(std::to_string(problems.size()) +
                " date problem(s): months since return are missing for those interviews");
  for (const auto& t : report.tables) t.check();
  return report;
}

}  // namespace reinscore::app
