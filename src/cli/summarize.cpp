// `reinscore summarize`: per group of a scores file, the number of interviews, the mean
// of each score over the interviews that have it, and the share of each status. Groups
// smaller than --min-cell are suppressed (data protection).
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "io/score_writer.hpp"
#include "io/table.hpp"

#include <reinscore/accumulators.hpp>
#include <reinscore/coder.hpp>
#include <reinscore/scorer.hpp>

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

namespace reinscore::cli {

namespace po = boost::program_options;

namespace {

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

}  // namespace

int cmd_summarize(const std::vector<std::string>& args) {
  const std::string synopsis = "SCORES [--by COLUMN]... [--min-cell N] [--format table|csv]";
  po::options_description opts("options");
  std::string input, format;
  std::vector<std::string> by;
  std::uint64_t min_cell = 10;
  opts.add_options()("help,h", "show this help")(
      "input", po::value(&input)->required(), "scores file written by `reinscore score`")(
      "by", po::value(&by)->composing(), "grouping column (repeatable; none: one overall row)")(
      "min-cell", po::value(&min_cell)->default_value(10), "suppress groups with fewer interviews")(
      "format", po::value(&format)->default_value("table"), "table or csv");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("summarize", synopsis, opts, pos, args, vm, code)) return code;
  if (format != "table" && format != "csv") return fail("summarize", "--format must be table or csv", usage_or_input);

  try {
    auto reader = io::open_table(input, {});
    const auto& header = reader->header();
    const auto find = [&](const std::string& name) {
      for (std::size_t c = 0; c < header.size(); ++c)
        if (header[c] == name) return c;
      return io::ColumnBinding::none;
    };
    // Score columns: `composite` and every X with a `coverage_X` column.
    std::vector<std::string> names;
    std::vector<std::size_t> score_cols;
    for (const auto& h : header)
      if (h.rfind("coverage_", 0) == 0 && find(h.substr(9)) != io::ColumnBinding::none) {
        names.push_back(h.substr(9));
        score_cols.push_back(find(h.substr(9)));
      }
    if (find("composite") != io::ColumnBinding::none) {
      names.push_back("composite");
      score_cols.push_back(find("composite"));
    }
    const std::size_t status_col = find("status");
    if (score_cols.empty() || status_col == io::ColumnBinding::none)
      return fail("summarize", "'" + input + "' does not look like a scores file (no composite/status columns) [not_scores]",
                  usage_or_input);
    std::vector<std::size_t> group_cols;
    for (const auto& b : by) {
      const auto c = find(b);
      if (c == io::ColumnBinding::none)
        return fail("summarize", "column '" + b + "': not in the scores file (add it with `score --keep`) [missing_column]",
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
        for (std::size_t g = 0; g < group_cols.size(); ++g) key[g] = std::string(row[group_cols[g]]);
        Group& grp = groups[key];
        if (grp.scores.empty()) grp.scores.resize(score_cols.size());
        for (std::size_t s = 0; s < score_cols.size(); ++s) {
          double x = std::numeric_limits<double>::quiet_NaN();
          const auto cell = detail::trim(row[score_cols[s]]);
          if (!cell.empty() && !detail::parse_number(cell, x))
            throw input_error("not_a_number", "score is not a number", batch.record[r], header[score_cols[s]]);
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
        std::string below = "<";  // built in two steps: GCC 12 warns falsely on "<" + string
        below += std::to_string(min_cell);
        line.push_back(below);
        line.resize(cols.size());
      } else {
        line.push_back(std::to_string(n));
        for (const auto& m : g.scores) line.push_back(fixed(m.mean(), 4));
        for (std::size_t s = 0; s < status_names.size(); ++s)
          line.push_back(fixed(static_cast<double>(g.status.count(s)) / static_cast<double>(n), 4));
      }
      table.push_back(std::move(line));
    }
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
          io::append_csv_text(out, line[i]);
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
      for (std::size_t i = 0; i < cols.size(); ++i) std::cout << (i ? "  " : "") << std::setw(static_cast<int>(w[i])) << cols[i];
      std::cout << "\n";
      for (const auto& line : table) {
        for (std::size_t i = 0; i < line.size(); ++i) std::cout << (i ? "  " : "") << std::setw(static_cast<int>(w[i])) << line[i];
        std::cout << "\n";
      }
    }
    if (suppressed)
      std::cerr << "reinscore summarize: " << suppressed << " group(s) with fewer than " << min_cell
                << " interviews suppressed (--min-cell)\n";
    return ok;
  } catch (const input_error& e) {
    return fail("summarize", e.what(), usage_or_input);
  }
}

}  // namespace reinscore::cli
