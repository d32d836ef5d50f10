// `reinscore panel`: the same returnees across rounds, from a scores file written by
// `reinscore score --keep returnee_id --keep round ...`: change of each score between
// rounds, transitions between categories (and statuses), attrition per round. The
// printed report suppresses small groups and counts (--min-cell, data protection).
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "io/score_writer.hpp"
#include "io/table.hpp"

#include <reinscore/panel.hpp>

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

namespace reinscore::cli {

namespace po = boost::program_options;

namespace {

constexpr std::size_t none_col = static_cast<std::size_t>(-1);

struct Table {
  std::string title;  ///< printed above the table in the table format
  std::string name;   ///< the section name in the csv format
  std::vector<std::string> cols;
  std::vector<std::vector<std::string>> rows;
};

std::string number(double x) {
  std::string s;
  io::append_number(s, x);
  return s;
}

std::string fixed(double x, int digits) {
  if (std::isnan(x)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

/// A count in the report: between 1 and min_cell - 1 it is shown as "<min_cell".
std::string percent(double level) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", 100 * level);
  return buf;
}

bool small(std::uint64_t c, std::uint64_t min_cell) { return c > 0 && c < min_cell; }

std::string below(std::uint64_t min_cell) {
  std::string s = "<";  // built in two steps: GCC 12 warns falsely on "<" + string
  s += std::to_string(min_cell);
  return s;
}

std::string count(std::uint64_t c, std::uint64_t min_cell) {
  return small(c, min_cell) ? below(min_cell) : std::to_string(c);
}

/// Numbers as they are (a negative number is not a spreadsheet formula); any other
/// text quoted and defused as `score` writes it.
void append_cell(std::string& out, const std::string& cell) {
  double x = 0;
  if (detail::parse_number(cell, x)) {
    out += cell;
  } else {
    io::append_csv_text(out, cell);
  }
}

void print_csv(const Table& t, std::string& out) {
  for (std::size_t i = 0; i < t.cols.size(); ++i) {
    if (i) out += ',';
    io::append_csv_text(out, t.cols[i]);
  }
  out += '\n';
  for (const auto& line : t.rows) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (i) out += ',';
      append_cell(out, line[i]);
    }
    out += '\n';
  }
}

void print_aligned(const Table& t, std::ostream& os) {
  os << t.title << "\n";
  std::vector<std::size_t> w(t.cols.size());
  for (std::size_t i = 0; i < t.cols.size(); ++i) {
    w[i] = t.cols[i].size();
    for (const auto& line : t.rows) w[i] = std::max(w[i], line[i].size());
  }
  for (std::size_t i = 0; i < t.cols.size(); ++i)
    os << (i ? "  " : "") << std::setw(static_cast<int>(w[i])) << t.cols[i];
  os << "\n";
  for (const auto& line : t.rows) {
    for (std::size_t i = 0; i < line.size(); ++i)
      os << (i ? "  " : "") << std::setw(static_cast<int>(w[i])) << line[i];
    os << "\n";
  }
}

/// What one row of the scores file holds, before the category order is known.
struct Record {
  std::string id;
  std::int64_t round = 0;
  int category = -1;  ///< index into the labels in order of first appearance
  int status = -1;
  double weight = 1;
  double months = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t row = 0;
};

/// The threshold labels in the instrument's order when the scores name a known
/// instrument (id@version#hash) of the same version whose labels cover the ones seen;
/// otherwise the labels seen, sorted.
std::vector<std::string> category_order(const std::vector<std::string>& seen,
                                        const std::string& tag) {
  std::vector<std::string> sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  std::string id, version;
  if (!split_instrument_tag(tag, id, version)) return sorted;
  try {
    // The id is data: looked up by name only, never opened as a path.
    const Instrument ins = instrument_by_plain_name(id);
    if (ins.version != version || !ins.thresholds) return sorted;
    std::vector<std::string> labels;
    for (const auto& c : ins.thresholds->categories) labels.push_back(c.label);
    for (const auto& s : seen)
      if (std::find(labels.begin(), labels.end(), s) == labels.end()) return sorted;
    return labels;
  } catch (const std::exception&) {
    return sorted;
  }
}

}  // namespace

int cmd_panel(const std::vector<std::string>& args) {
  const std::string synopsis =
      "SCORES [--id-column COL] [--round-column COL] [--from R --to R] [--weight COL] "
      "[--date-column COL --return-date-column COL] [--status] [--table NAME] [--min-cell N] "
      "[--level L] [--format table|csv]";
  po::options_description opts("options");
  std::string input, format, table_name, weight_col;
  PanelColumns cols;
  std::int64_t from = 0, to = 0;
  std::uint64_t min_cell = 10;
  double level = 0.95;
  bool with_status = false;
  opts.add_options()("help,h", "show this help")(
      "input", po::value(&input)->required(),
      "scores file written by `reinscore score --keep ...`")(
      "id-column", po::value(&cols.id)->default_value("returnee_id"), "returnee identifier column")(
      "round-column", po::value(&cols.round)->default_value("round"),
      "follow-up round column (whole numbers)")(
      "from", po::value(&from), "first round of the one pair to compare (with --to)")(
      "to", po::value(&to), "second round (default: each consecutive pair, and first to last)")(
      "weight", po::value(&weight_col),
      "sampling weight column (the later interview's weight is used)")(
      "date-column", po::value(&cols.interview_date)->default_value("interview_date"),
      "interview date column (yyyy-mm-dd); used when present")(
      "return-date-column", po::value(&cols.return_date)->default_value("return_date"),
      "return date column (yyyy-mm-dd); used when present")(
      "status", "add transition matrices of the status")(
      "table", po::value(&table_name)->default_value("all"),
      "all (changes, transitions, attrition), changes, transitions, attrition, per-returnee or "
      "interviews")("min-cell", po::value(&min_cell)->default_value(10),
                    "suppress groups and counts below this in the report")(
      "level", po::value(&level)->default_value(0.95), "confidence level of the intervals")(
      "format", po::value(&format)->default_value("table"), "table or csv");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("panel", synopsis, opts, pos, args, vm, code)) return code;
  with_status = vm.count("status") > 0;
  if (format != "table" && format != "csv")
    return fail("panel", "--format must be table or csv", usage_or_input);
  const std::vector<std::string> tables = {"all",       "changes",      "transitions",
                                           "attrition", "per-returnee", "interviews"};
  if (std::find(tables.begin(), tables.end(), table_name) == tables.end())
    return fail(
        "panel",
        "--table must be one of all, changes, transitions, attrition, per-returnee, interviews",
        usage_or_input);
  if (vm.count("from") != vm.count("to"))
    return fail("panel", "--from and --to go together", usage_or_input);
  require_open_unit("--level", level);
  require_range("--min-cell", min_cell, 0, max_min_cell);
  cols.weight = weight_col;

  try {
    auto reader = io::open_table(input, {});
    const auto& header = reader->header();
    const auto find = [&](const std::string& name) {
      for (std::size_t c = 0; c < header.size(); ++c)
        if (header[c] == name) return c;
      return none_col;
    };
    const auto require = [&](const std::string& name, const std::string& why) {
      const auto c = find(name);
      if (c == none_col)
        throw input_error("missing_column", "not in the scores file (" + why + ")", 0, name);
      return c;
    };
    // Score columns as in `summarize`: every X with a coverage_X column, then composite.
    std::vector<std::string> names;
    std::vector<std::size_t> score_cols;
    for (const auto& h : header)
      if (h.rfind("coverage_", 0) == 0 && find(h.substr(9)) != none_col) {
        names.push_back(h.substr(9));
        score_cols.push_back(find(h.substr(9)));
      }
    if (find("composite") != none_col) {
      names.push_back("composite");
      score_cols.push_back(find("composite"));
    }
    if (score_cols.empty())
      return fail(
          "panel",
          "'" + input +
              "' does not look like a scores file (no composite/coverage columns) [not_scores]",
          usage_or_input);
    const std::size_t id_col = require(cols.id, "keep it when scoring: score --keep " + cols.id);
    const std::size_t round_col =
        require(cols.round, "keep it when scoring: score --keep " + cols.round);
    const std::size_t status_col = find("status");
    const std::size_t category_col = find("category");
    const std::size_t instrument_col = find("instrument");
    const std::size_t weight_c = weight_col.empty() ? none_col : require(weight_col, "--weight");
    // Dates: used when both columns are there; a column named explicitly must exist.
    std::size_t idate_col = find(cols.interview_date), rdate_col = find(cols.return_date);
    if (!vm["date-column"].defaulted() && idate_col == none_col)
      require(cols.interview_date, "--date-column");
    if (!vm["return-date-column"].defaulted() && rdate_col == none_col)
      require(cols.return_date, "--return-date-column");
    const bool dates = idate_col != none_col && rdate_col != none_col;
    if (!dates) idate_col = rdate_col = none_col;

    std::vector<Record> records;
    std::vector<double> values;
    std::vector<std::string> seen_labels;
    std::map<std::string, int, std::less<>> label_index;
    std::vector<PanelProblem> problems;
    std::string tag;
    io::RecordBatch batch;
    while (reader->next(batch, 65536)) {
      for (std::size_t r = 0; r < batch.rows(); ++r) {
        const auto row = batch.row(r);
        const std::uint64_t line = batch.record[r];
        if (row.size() != header.size())
          throw input_error("ragged_row", "field count differs from the header", line);
        Record rec;
        rec.row = line;
        rec.id = std::string(detail::trim(row[id_col]));
        if (rec.id.empty()) throw input_error("missing_id", "returnee id is empty", line, cols.id);
        const auto round = parse_round(row[round_col]);
        if (!round)
          throw input_error("bad_round", "round is empty or not a whole number", line, cols.round);
        rec.round = *round;
        for (std::size_t s = 0; s < score_cols.size(); ++s) {
          double x = std::numeric_limits<double>::quiet_NaN();
          const auto cell = detail::trim(row[score_cols[s]]);
          if (!cell.empty() && !detail::parse_number(cell, x))
            throw input_error("not_a_number", "score is not a number", line, header[score_cols[s]]);
          values.push_back(x);
        }
        if (status_col != none_col) {
          const auto st = detail::trim(row[status_col]);
          if (!st.empty()) {
            const auto it = std::find(status_names.begin(), status_names.end(), st);
            if (it == status_names.end())
              throw input_error("unknown_status", "not a status of reinscore", line, "status");
            rec.status = static_cast<int>(it - status_names.begin());
          }
        }
        if (category_col != none_col) {
          const auto cat = detail::trim(row[category_col]);
          if (!cat.empty()) {
            auto it = label_index.find(cat);
            if (it == label_index.end()) {
              it =
                  label_index.emplace(std::string(cat), static_cast<int>(seen_labels.size())).first;
              seen_labels.emplace_back(cat);
            }
            rec.category = it->second;
          }
        }
        if (weight_c != none_col) {
          const auto cell = detail::trim(row[weight_c]);
          if (!detail::parse_number(cell, rec.weight) || rec.weight < 0)
            throw input_error("bad_weight", "weight must be a finite number >= 0", line,
                              weight_col);
        }
        if (dates)
          rec.months = months_since_return(row[idate_col], row[rdate_col], line, cols, problems);
        if (tag.empty() && instrument_col != none_col) tag = std::string(row[instrument_col]);
        records.push_back(std::move(rec));
      }
    }
    if (records.empty()) throw input_error("no_data_rows", "the scores file has no rows");

    // Categories in the instrument's order (or sorted), then the panel.
    const std::vector<std::string> labels = category_order(seen_labels, tag);
    std::vector<int> remap(seen_labels.size());
    for (std::size_t i = 0; i < seen_labels.size(); ++i)
      remap[i] = static_cast<int>(std::find(labels.begin(), labels.end(), seen_labels[i]) -
                                  labels.begin());
    Panel panel(names, labels, cols);
    for (std::size_t k = 0; k < records.size(); ++k) {
      const Record& rec = records[k];
      Interview iv;
      iv.id = rec.id;
      iv.round = rec.round;
      iv.scores = std::span<const double>(values.data() + k * names.size(), names.size());
      iv.category = rec.category < 0 ? -1 : remap[static_cast<std::size_t>(rec.category)];
      iv.status = rec.status;
      iv.weight = rec.weight;
      iv.months = rec.months;
      iv.row = rec.row;
      panel.add(iv);
    }
    std::vector<RoundPair> pairs;
    if (vm.count("from")) {
      pairs.push_back({from, to});
      panel.check_pair(pairs.back());
    } else {
      pairs = panel.default_pairs();
    }
    if (pairs.empty() && table_name != "attrition" && table_name != "interviews")
      std::cerr
          << "reinscore panel: only one round in the scores file: no changes or transitions\n";

    std::vector<Table> out;
    const bool all = table_name == "all";
    if (all || table_name == "changes") {
      Table t;
      t.name = "changes";
      t.title =
          "Change between rounds (returnees interviewed in both; mean of later minus earlier, " +
          percent(level) + "% t-interval" +
          (weight_col.empty() ? "" : ", weighted by " + weight_col) + ")";
      t.cols = {"from", "to",          "score",       "pairs",    "missing",
                "n",    "sum_weights", "mean_from",   "mean_to",  "mean_change",
                "sd",   "se",          "ci_low",      "ci_high",  "df",
                "t",    "p_value",     "months_from", "months_to"};
      for (const auto& c : panel.changes(pairs, level)) {
        std::vector<std::string> line = {
            std::to_string(c.pair.from), std::to_string(c.pair.to),  names[c.score],
            count(c.pairs, min_cell),    count(c.missing, min_cell), count(c.change.n, min_cell)};
        if (c.change.n < min_cell) {
          line.resize(t.cols.size());
        } else {
          const auto& e = c.change;
          const bool csv = format == "csv";
          const auto num = [&](double x, int digits) { return csv ? number(x) : fixed(x, digits); };
          for (const double x :
               {e.sum_weights, c.mean_from, c.mean_to, e.mean, e.sd, e.se, e.ci_low, e.ci_high})
            line.push_back(num(x, 4));
          line.push_back(csv ? number(e.df) : fixed(e.df, 0));
          line.push_back(num(e.t, 2));
          line.push_back(csv ? number(e.p_value)
                             : (e.p_value < 1e-4 ? "<0.0001" : fixed(e.p_value, 4)));
          line.push_back(num(c.months_from, 1));
          line.push_back(num(c.months_to, 1));
        }
        t.rows.push_back(std::move(line));
      }
      if (format == "table" && weight_col.empty()) {  // the sum of weights is n: not printed
        t.cols.erase(t.cols.begin() + 6);
        for (auto& line : t.rows) line.erase(line.begin() + 6);
      }
      out.push_back(std::move(t));
    }
    if (all || table_name == "transitions") {
      std::vector<TransitionVariable> vars;
      if (category_col != none_col) vars.push_back(TransitionVariable::category);
      if (with_status) {
        if (status_col == none_col)
          throw input_error("missing_column", "not in the scores file (--status)", 0, "status");
        vars.push_back(TransitionVariable::status);
      }
      if (category_col == none_col)
        std::cerr << "reinscore panel: no category column (the instrument has no thresholds): no "
                     "category transitions\n";
      if (format == "csv") {
        Table t;
        t.name = "transitions";
        t.cols = {"variable", "from", "to", "state_from", "state_to", "row_total", "n", "share"};
        for (const auto v : vars)
          for (const auto p : pairs) {
            const auto m = panel.transitions(p, v);
            const auto fs = m.from_states(), ts = m.to_states();
            for (std::size_t i = 0; i < fs.size(); ++i) {
              const bool hide = m.row_total(i) < min_cell;
              for (std::size_t j = 0; j < ts.size(); ++j) {
                const auto n = m.count(i, j);
                std::vector<std::string> line = {m.variable(), std::to_string(p.from),
                                                 std::to_string(p.to), fs[i], ts[j]};
                if (hide) {
                  line.push_back(count(m.row_total(i), min_cell));
                  line.push_back(m.row_total(i) ? below(min_cell) : "0");
                  line.emplace_back();
                } else {
                  line.push_back(std::to_string(m.row_total(i)));
                  line.push_back(count(n, min_cell));
                  line.push_back(small(n, min_cell) ? "" : number(m.share(i, j)));
                }
                t.rows.push_back(std::move(line));
              }
            }
          }
        out.push_back(std::move(t));
      } else {
        for (const auto v : vars)
          for (const auto p : pairs) {
            const auto m = panel.transitions(p, v);
            Table t;
            t.title = "Transitions of " + m.variable() + " from round " + std::to_string(p.from) +
                      " to round " + std::to_string(p.to) + " (returnees by state in round " +
                      std::to_string(p.from) + "; row shares)";
            const auto fs = m.from_states(), ts = m.to_states();
            t.cols = {"from \\ to"};
            t.cols.insert(t.cols.end(), ts.begin(), ts.end());
            t.cols.emplace_back("total");
            for (std::size_t i = 0; i < fs.size(); ++i) {
              std::vector<std::string> line = {fs[i]};
              const bool hide = m.row_total(i) < min_cell;
              for (std::size_t j = 0; j < ts.size(); ++j) {
                const auto n = m.count(i, j);
                if (hide) {
                  line.emplace_back();
                } else if (small(n, min_cell)) {
                  line.push_back(below(min_cell));
                } else {
                  line.push_back(std::to_string(n) + " (" + fixed(100 * m.share(i, j), 1) + "%)");
                }
              }
              line.push_back(count(m.row_total(i), min_cell));
              t.rows.push_back(std::move(line));
            }
            out.push_back(std::move(t));
          }
      }
    }
    if (all || table_name == "attrition") {
      const auto a = panel.attrition();
      Table t;
      t.name = "attrition";
      t.title = "Attrition (returnees per round; retention: share of round " +
                (a.rows().empty() ? std::string() : std::to_string(a.rows().front().round)) +
                "'s returnees present)";
      t.cols = {"round",    "present", "first_seen",       "retained", "lost",
                "returned", "absent",  "baseline_present", "retention"};
      for (std::size_t j = 0; j < a.rows().size(); ++j) {
        const auto& r = a.rows()[j];
        std::vector<std::string> line = {std::to_string(r.round)};
        for (const auto c : {r.present, r.first_seen, r.retained, r.lost, r.returned, r.absent,
                             r.baseline_present})
          line.push_back(count(c, min_cell));
        const bool hide = small(r.baseline_present, min_cell) || small(a.baseline(), min_cell);
        line.push_back(hide              ? ""
                       : format == "csv" ? number(a.retention(j))
                                         : fixed(a.retention(j), 4));
        t.rows.push_back(std::move(line));
      }
      out.push_back(std::move(t));
    }
    if (table_name == "per-returnee") {
      // Individual rows, as `score` writes them: no suppression.
      Table t;
      t.name = "per-returnee";
      t.title = "Change per returnee (later minus earlier)";
      t.cols = {cols.id, "from", "to", "row_from", "row_to"};
      for (const auto& n : names) t.cols.push_back("change_" + n);
      for (const char* c : {"months_from", "months_to", "weight", "category_from", "category_to",
                            "status_from", "status_to"})
        t.cols.emplace_back(c);
      const auto state = [](int i, const auto& list) {
        return i < 0 ? std::string() : std::string(list[static_cast<std::size_t>(i)]);
      };
      for (const auto& c : panel.per_returnee(pairs)) {
        std::vector<std::string> line = {panel.id(c.returnee), std::to_string(c.pair.from),
                                         std::to_string(c.pair.to), std::to_string(c.row_from),
                                         std::to_string(c.row_to)};
        for (const double x : c.change) line.push_back(format == "csv" ? number(x) : fixed(x, 4));
        line.push_back(format == "csv" ? number(c.months_from) : fixed(c.months_from, 1));
        line.push_back(format == "csv" ? number(c.months_to) : fixed(c.months_to, 1));
        line.push_back(number(c.weight));
        line.push_back(state(c.category_from, labels));
        line.push_back(state(c.category_to, labels));
        line.push_back(state(c.status_from, status_names));
        line.push_back(state(c.status_to, status_names));
        t.rows.push_back(std::move(line));
      }
      out.push_back(std::move(t));
    }
    if (table_name == "interviews") {
      Table t;
      t.name = "interviews";
      t.title = "Months since return per interview";
      t.cols = {"row", cols.id, cols.round, "months_since_return"};
      for (std::size_t k = 0; k < records.size(); ++k)
        t.rows.push_back(
            {std::to_string(records[k].row), records[k].id, std::to_string(records[k].round),
             format == "csv" ? number(records[k].months) : fixed(records[k].months, 2)});
      out.push_back(std::move(t));
    }

    std::string text;
    if (format == "csv") {
      // One table: plain CSV. Several: each after a "# name" line, separated by a blank line.
      for (std::size_t i = 0; i < out.size(); ++i) {
        if (out.size() > 1) text += (i ? "\n# " : "# ") + out[i].name + "\n";
        print_csv(out[i], text);
      }
      std::cout << text;
    } else {
      for (std::size_t i = 0; i < out.size(); ++i) {
        if (i) std::cout << "\n";
        print_aligned(out[i], std::cout);
      }
    }
    const std::size_t shown = 20;
    for (std::size_t i = 0; i < problems.size() && i < shown; ++i)
      std::cerr << "reinscore panel: " << problems[i].message << "\n";
    if (problems.size() > shown)
      std::cerr << "reinscore panel: ... and " << problems.size() - shown
                << " more date problem(s)\n";
    if (!problems.empty())
      std::cerr << "reinscore panel: " << problems.size()
                << " date problem(s): months since return are missing for those interviews\n";
    return ok;
  } catch (const input_error& e) {
    return fail("panel", e.what(), usage_or_input);
  }
}

}  // namespace reinscore::cli
