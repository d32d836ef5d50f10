// `reinscore validate`: checks an export against the instrument without scoring it.
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "io/column_binding.hpp"
#include "io/table.hpp"

#include <reinscore/coder.hpp>
#include <reinscore/detail/json.hpp>

#include <iostream>
#include <map>

namespace reinscore::cli {

namespace po = boost::program_options;
namespace json = boost::json;

namespace {

constexpr std::size_t max_rows_listed = 5;
constexpr std::size_t max_codes_per_column = 50;

struct RowList {
  std::uint64_t count = 0;
  std::vector<std::uint64_t> first;
  void add(std::uint64_t row) {
    ++count;
    if (first.size() < max_rows_listed) first.push_back(row);
  }
};

struct CodeTally {
  Reason reason = Reason::invalid_code;
  RowList rows;
};

struct ColumnReport {
  std::map<std::string, CodeTally> codes;  // unreadable answer -> where
  std::uint64_t other_codes = 0;           // beyond max_codes_per_column distinct codes
  std::array<std::uint64_t, 7> reasons{};
};

// Shown only with --show-codes: answer values can be personal data.
std::string printable(std::string_view s) {
  std::string out;
  // Control bytes, and every non-ASCII byte of text that is not valid UTF-8, become '?'.
  const bool utf8 = io::is_valid_utf8(s);
  for (const unsigned char c : s.substr(0, 40))
    out += (c < 0x20 || c == 0x7f || (!utf8 && c >= 0x80)) ? '?' : static_cast<char>(c);
  if (s.size() > 40) out += "...";
  return out;
}

std::string rows_text(const RowList& l) {
  std::string out;
  for (const auto r : l.first) out += (out.empty() ? "" : ", ") + std::to_string(r);
  if (l.count > l.first.size()) out += ", ...";
  return out;
}

json::array rows_json(const RowList& l) {
  json::array a;
  for (const auto r : l.first) a.emplace_back(r);
  return a;
}

}  // namespace

int cmd_validate(const std::vector<std::string>& args) {
  const std::string synopsis = "INPUT [--instrument NAME|FILE] [--json] [--show-codes]";
  po::options_description opts("options");
  std::string input, instrument_name, delimiter, sheet, map_file;
  opts.add_options()("help,h", "show this help")("input", po::value(&input)->required(),
                                                 "CSV/TSV file, .xlsx workbook, or - for stdin")(
      "instrument", po::value(&instrument_name)->default_value("iom-rss"),
      "instrument name or .json file")("json", po::bool_switch(), "machine-readable report")(
      "show-codes", po::bool_switch(),
      "print the unreadable answers themselves (off by default: answers may be personal data)")(
      "delimiter", po::value(&delimiter)->default_value(""),
      "input delimiter: , ; tab (default: detect)")("sheet", po::value(&sheet)->default_value(""),
                                                    "XLSX sheet name (default: the first)")(
      "map", po::value(&map_file)->default_value(""), "CSV (column,item) mapping columns to items");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("validate", synopsis, opts, pos, args, vm, code)) return code;
  require_not_directory("--map", map_file);
  const bool as_json = vm["json"].as<bool>();
  const bool show_codes = vm["show-codes"].as<bool>();

  io::OpenOptions open_opts;
  try {
    open_opts = open_options(delimiter, sheet);
  } catch (const std::invalid_argument& e) {
    return fail("validate", e.what(), usage_or_input);
  }

  try {
    const Instrument ins = resolve_instrument(instrument_name);
    auto reader = io::open_table(input, open_opts);
    const auto column_map =
        map_file.empty() ? std::map<std::string, std::string>{} : io::load_column_map(map_file);
    const io::ColumnBinding binding = io::bind_columns(ins, reader->header(), column_map);
    const Coder coder(ins);
    const std::size_t width = binding.header.size();

    std::vector<ColumnReport> cols(ins.items.size());
    RowList ragged, empty, bad_utf8, invalid_rows;
    std::uint64_t rows = 0;
    DelimiterCheck delimiter_check(reader->header(), reader->delimiter());
    io::RecordBatch batch;
    while (reader->next(batch, 65536)) {
      for (std::size_t r = 0; r < batch.rows(); ++r) {
        ++rows;
        const auto row = batch.row(r);
        const std::uint64_t at = batch.record[r];
        bool blank = true;
        for (const auto& f : row) blank = blank && detail::trim(f).empty();
        if (blank) {
          empty.add(at);
          continue;
        }
        delimiter_check.add(row.size(), row.empty() ? std::string_view() : row[0]);
        if (row.size() != width) {
          ragged.add(at);
          continue;
        }
        bool invalid = false;
        if (batch.flags[r] & io::row_invalid_utf8) {
          bad_utf8.add(at);
          invalid = true;  // score marks the whole row invalid
        }
        for (std::size_t k = 0; k < ins.items.size(); ++k) {
          const std::size_t c = binding.item_column[k];
          if (c == io::ColumnBinding::none) continue;
          // Text that is not UTF-8 is reported once, as invalid_utf8, not as an answer.
          if ((batch.flags[r] & io::row_invalid_utf8) && !io::is_valid_utf8(row[c])) continue;
          const CodedCell cell = coder.item(k).code(row[c]);
          auto& rep = cols[k];
          ++rep.reasons[static_cast<std::size_t>(cell.reason)];
          if (!is_invalid(cell.reason)) continue;
          invalid = true;
          const std::string key(detail::trim(row[c]));
          auto it = rep.codes.find(key);
          if (it == rep.codes.end()) {
            if (rep.codes.size() >= max_codes_per_column) {
              ++rep.other_codes;
              continue;
            }
            it = rep.codes.emplace(key, CodeTally{cell.reason, {}}).first;
          }
          it->second.rows.add(at);
        }
        if (invalid) invalid_rows.add(at);
      }
    }

    const std::string delimiter_problem = delimiter_check.problem();
    std::size_t n_problems = delimiter_problem.empty() ? 0 : 1;
    n_problems += binding.problems.size();
    n_problems += ragged.count + empty.count + bad_utf8.count + (rows == 0 ? 1 : 0);
    for (const auto& c : cols) n_problems += c.reasons[5] + c.reasons[6];

    if (as_json) {
      json::object o;
      o["input"] = input;
      o["instrument"] = ins.tag();
      o["rows"] = rows;
      o["columns"] = width;
      o["items_matched"] = binding.matched;
      o["items"] = ins.items.size();
      o["clean"] = n_problems == 0;
      json::array header_problems;
      for (const auto& p : binding.problems)
        header_problems.emplace_back(
            json::object{{"rule", p.rule}, {"column", p.column}, {"message", p.message}});
      o["header_problems"] = std::move(header_problems);
      json::array file_problems;
      if (!delimiter_problem.empty())
        file_problems.emplace_back(
            json::object{{"rule", "delimiter_mismatch"}, {"message", delimiter_problem}});
      o["file_problems"] = std::move(file_problems);
      const auto rowlist = [](const RowList& l) {
        return json::object{{"count", l.count}, {"first_rows", rows_json(l)}};
      };
      o["ragged_rows"] = rowlist(ragged);
      o["empty_rows"] = rowlist(empty);
      o["invalid_utf8_rows"] = rowlist(bad_utf8);
      o["rows_with_unreadable_answers"] = rowlist(invalid_rows);
      json::array columns;
      for (std::size_t k = 0; k < ins.items.size(); ++k) {
        if (binding.item_column[k] == io::ColumnBinding::none) continue;
        json::object c;
        c["column"] = binding.column_name(ins, k);
        c["item"] = ins.items[k].id;
        json::object reasons;
        for (std::size_t r = 0; r < reason_names.size(); ++r)
          reasons[reason_names[r]] = cols[k].reasons[r];
        c["cells"] = std::move(reasons);
        json::array unknown;
        std::size_t i = 0;
        for (const auto& [text, tally] : cols[k].codes) {
          json::object u;
          u["code"] = show_codes ? json::value(io::is_valid_utf8(text) ? text : printable(text))
                                 : json::value(nullptr);
          u["code_number"] = ++i;
          u["rule"] = to_string(tally.reason);
          u["count"] = tally.rows.count;
          u["first_rows"] = rows_json(tally.rows);
          unknown.emplace_back(std::move(u));
        }
        c["unreadable"] = std::move(unknown);
        c["unreadable_not_listed"] = cols[k].other_codes;
        columns.emplace_back(std::move(c));
      }
      o["columns_report"] = std::move(columns);
      std::cout << detail::pretty(o);
    } else {
      std::cout << "input       " << input << " (" << rows << " data rows, " << width << " columns";
      if (reader->delimiter())
        std::cout << ", delimiter '"
                  << (reader->delimiter() == '\t' ? std::string("tab")
                                                  : std::string(1, reader->delimiter()))
                  << "'";
      std::cout << ")\ninstrument  " << ins.tag() << "\nitems       " << binding.matched << " of "
                << ins.items.size() << " matched to columns\n";
      if (rows == 0)
        std::cout << "problem     the file has a header but no data rows [no_data_rows]\n";
      if (!delimiter_problem.empty()) std::cout << "problem     " << delimiter_problem << "\n";
      for (const auto& p : binding.problems)
        std::cout << "problem     column '" << p.column << "': " << p.message << " [" << p.rule
                  << "]\n";
      const auto list = [](const char* what, const char* rule, const RowList& l) {
        if (l.count)
          std::cout << "problem     " << l.count << " " << what << " (rows " << rows_text(l)
                    << ") [" << rule << "]\n";
      };
      list("ragged rows: field count differs from the header", "ragged_row", ragged);
      list("empty rows", "empty_row", empty);
      list("rows with invalid UTF-8", "invalid_utf8", bad_utf8);
      for (std::size_t k = 0; k < ins.items.size(); ++k) {
        std::size_t i = 0;
        for (const auto& [text, tally] : cols[k].codes) {
          ++i;
          std::cout << "problem     column '" << binding.column_name(ins, k) << "': ";
          if (show_codes) {
            std::cout << '\'' << printable(text) << '\'';
          } else {
            std::cout << "unreadable answer #" << i;
          }
          std::cout << " in " << tally.rows.count << " row(s) (rows " << rows_text(tally.rows)
                    << ") [" << to_string(tally.reason) << "]\n";
        }
        if (cols[k].other_codes)
          std::cout << "problem     column '" << binding.column_name(ins, k)
                    << "': " << cols[k].other_codes
                    << " more unreadable cells not listed [invalid_code]\n";
      }
      if (!show_codes && std::any_of(cols.begin(), cols.end(),
                                     [](const ColumnReport& c) { return !c.codes.empty(); }))
        std::cout << "note        answers are not printed (they may be personal data); add "
                     "--show-codes to see them\n";
      std::cout << (n_problems == 0
                        ? "result      clean\n"
                        : "result      " +
                              std::to_string(invalid_rows.count + ragged.count + empty.count) +
                              " row(s) would be invalid; problems found\n");
    }
    return n_problems == 0 ? ok : problems_found;
  } catch (const input_error& e) {
    return fail("validate", e.what(), usage_or_input);
  } catch (const std::invalid_argument& e) {
    return fail("validate", e.what(), usage_or_input);
  }
}

}  // namespace reinscore::cli
