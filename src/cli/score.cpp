// `reinscore score`: streams an export through the coder and scorer in batches, on one or
// more threads, writing one output row per input row in input order.
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "io/batch.hpp"
#include "io/pseudonymise.hpp"
#include "io/score_writer.hpp"
#include "io/table.hpp"

#include <reinscore/app/options.hpp>  // the limits of --threads, --chunk-rows
#include <reinscore/app/validate.hpp>
#include <reinscore/error.hpp>

#include <openssl/crypto.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <thread>

namespace reinscore::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

// Shows rows, rows/s and an ETA from the share of bytes read; only on a terminal.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled), start_(clock::now()), last_(start_) {}
  void update(std::uint64_t rows, std::uint64_t bytes_read, std::uint64_t bytes_total) {
    if (!enabled_) return;
    const auto now = clock::now();
    if (now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? static_cast<double>(rows) / secs : 0;
    std::fprintf(stderr, "\r  %llu rows  %.0f rows/s", static_cast<unsigned long long>(rows), rate);
    if (bytes_total > 0 && bytes_read > 0) {
      const double left =
          secs * (static_cast<double>(bytes_total) / static_cast<double>(bytes_read) - 1);
      std::fprintf(stderr, "  ETA %.0f s   ", left > 0 ? left : 0.0);
    }
    std::fflush(stderr);
  }
  void finish() {
    if (enabled_) std::fprintf(stderr, "\r%60s\r", "");
  }
  double seconds() const { return std::chrono::duration<double>(clock::now() - start_).count(); }

 private:
  using clock = std::chrono::steady_clock;
  bool enabled_;
  clock::time_point start_, last_;
};

}  // namespace

int cmd_score(const std::vector<std::string>& args) {
  const std::string synopsis =
      "INPUT [-o OUTPUT] [--instrument NAME|FILE] [--weights NAME|FILE] [--id COLUMN]... "
      "[--keep COLUMN]... [--pseudonymise KEYFILE [--pseudonymise-column COLUMN]...] "
      "[--format csv|jsonl] [--threads N] [--explain]";
  po::options_description opts("options");
  std::string input, output, instrument_name, weights, format, delimiter, sheet, map_file;
  std::vector<std::string> ids, keeps, pseudonymised;
  std::string key_file;
  std::int64_t threads_option = 1, chunk_option = 8192;  // signed: "-1" fails the range
  double max_invalid = 1;
  opts.add_options()("help,h", "show this help")("input", po::value(&input)->required(),
                                                 "CSV/TSV file, .xlsx workbook, or - for stdin")(
      "output,o", po::value(&output)->default_value("-"), "output file (default: stdout)")(
      "instrument", po::value(&instrument_name)->default_value("iom-rss"),
      "instrument name or .json file")("weights", po::value(&weights)->default_value(""),
                                       "weight set name, or a .csv/.json weight file")(
      "id", po::value(&ids)->composing(), "identifier column to copy to the output (repeatable)")(
      "keep", po::value(&keeps)->composing(), "other column to copy to the output (repeatable)")(
      "format", po::value(&format)->default_value("csv"), "csv or jsonl")(
      "threads", po::value(&threads_option)->default_value(1),
      "worker threads (output is identical for any N)")(
      "explain", po::bool_switch(), "add per-item contributions (contrib.ITEM, lost.ITEM)")(
      "delimiter", po::value(&delimiter)->default_value(""),
      "input delimiter: , ; tab (default: detect)")("sheet", po::value(&sheet)->default_value(""),
                                                    "XLSX sheet name (default: the first)")(
      "map", po::value(&map_file)->default_value(""), "CSV (column,item) mapping columns to items")(
      "allow-missing-columns", po::bool_switch(),
      "score even if item columns are absent (as skipped)")(
      "chunk-rows", po::value(&chunk_option)->default_value(8192), "rows per batch")(
      "max-invalid", po::value(&max_invalid),
      "exit 1 when the share of invalid rows is larger than this fraction (0 to 1)")(
      "parse-only", po::bool_switch(), "only read the input (to time the reader)")(
      "quiet,q", po::bool_switch(), "no progress and no summary line")(
      "pseudonymise", po::value(&key_file)->default_value(""),
      "write the --id columns as keyed pseudonyms (HMAC-SHA256 under the key in KEYFILE, "
      "from `reinscore keygen`; docs/privacy.md)")(
      "pseudonymise-column", po::value(&pseudonymised)->composing(),
      "a --keep column to pseudonymise too (repeatable; needs --pseudonymise)");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  int code = ok;
  if (!parse_options("score", synopsis, opts, pos, args, vm, code,
                     "reinscore score export.csv -o scores.csv --id interview_id --keep round"))
    return code;
  if (format != "csv" && format != "jsonl")
    return fail("score", "--format must be csv or jsonl", usage_or_input);
  app::check_range<std::int64_t>("--threads", threads_option, 1, app::max_threads);
  app::check_range<std::int64_t>("--chunk-rows", chunk_option, 1, app::max_chunk_rows);
  const auto threads = static_cast<std::size_t>(threads_option);
  const auto chunk_rows = static_cast<std::size_t>(chunk_option);
  app::check_range("--max-invalid", max_invalid, 0.0, 1.0);
  require_not_directory("--map", map_file);
  check_output_path("-o", output);
  const bool quiet = vm["quiet"].as<bool>();
  if (key_file.empty() && !pseudonymised.empty())
    return fail("score", "--pseudonymise-column needs --pseudonymise KEYFILE", usage_or_input);
  for (const auto& name : pseudonymised)
    if (std::find(ids.begin(), ids.end(), name) == ids.end() &&
        std::find(keeps.begin(), keeps.end(), name) == keeps.end())
      return fail("score",
                  "column '" + name +
                      "': --pseudonymise-column names a column that is not copied to the output "
                      "(add --keep) [pseudonymise_column]",
                  usage_or_input);
  std::shared_ptr<const io::Pseudonymiser> pseudonymiser;
  if (!key_file.empty()) {
    try {
      io::Key key = io::load_key(key_file);
      pseudonymiser = std::make_shared<const io::Pseudonymiser>(key);
      OPENSSL_cleanse(key.data(), key.size());
    } catch (const input_error& e) {
      return fail("score", e.what(), usage_or_input);
    }
  }

  io::OpenOptions open_opts;
  try {
    open_opts = open_options(delimiter, sheet);
  } catch (const std::invalid_argument& e) {
    return fail("score", e.what(), usage_or_input);
  }

  Instrument ins;
  try {
    ins = apply_weights(resolve_instrument(instrument_name), weights);
  } catch (const input_error& e) {
    return fail("score", e.what(), usage_or_input);
  } catch (const std::invalid_argument& e) {
    return fail("score", e.what(), usage_or_input);
  }

  try {
    auto reader = io::open_table(input, open_opts);
    if (vm["parse-only"].as<bool>()) {
      io::RecordBatch batch;
      std::uint64_t rows = 0, fields = 0;
      while (reader->next(batch, chunk_rows)) {
        rows += batch.rows();
        fields += batch.fields.size();
      }
      std::cerr << "reinscore score: parsed " << rows << " rows (" << fields << " fields)\n";
      return ok;
    }
    const auto column_map =
        map_file.empty() ? std::map<std::string, std::string>{} : io::load_column_map(map_file);
    const io::ColumnBinding binding = io::bind_columns(ins, reader->header(), column_map);

    int fatal = 0;
    for (const auto& p : binding.problems) {
      if (!p.fatal) continue;
      if (p.rule == "missing_column" && vm["allow-missing-columns"].as<bool>()) continue;
      std::cerr << "reinscore score: column '" << p.column << "': " << p.message << " [" << p.rule
                << "]\n";
      ++fatal;
    }
    if (binding.matched == 0) {
      const char d = reader->delimiter();
      std::cerr << "reinscore score: no column of the file matches an item of instrument '"
                << ins.id << "'";
      const std::string shown = d == '\t' ? std::string("tab") : std::string(1, d);
      if (d && delimiter.empty())
        std::cerr << " (delimiter detected as '" << shown << "'; use --delimiter if that is wrong)";
      else if (d)
        std::cerr << " (the file was split at '" << shown
                  << "' as --delimiter says; use --delimiter with the file's own delimiter, or "
                     "leave it out)";
      std::cerr << " [no_item_columns]\n";
      return usage_or_input;
    }
    if (fatal) {
      std::cerr << "reinscore score: " << fatal << " column problem(s); nothing was scored "
                << "(see `reinscore validate`, --map, --allow-missing-columns)\n";
      return usage_or_input;
    }
    io::WriterConfig cfg;
    cfg.pseudonymiser = pseudonymiser;
    cfg.format = format == "csv" ? io::OutputFormat::csv : io::OutputFormat::jsonl;
    cfg.explain = vm["explain"].as<bool>();
    for (const auto* list : {&ids, &keeps}) {
      for (const auto& name : *list) {
        std::size_t found = io::ColumnBinding::none, count = 0;
        for (std::size_t c = 0; c < binding.header.size(); ++c)
          if (binding.header[c] == name) {
            found = c;
            ++count;
          }
        if (count == 0)
          return fail("score", "column '" + name + "': not in the input [missing_column]",
                      usage_or_input);
        if (count > 1)
          return fail("score", "column '" + name + "': appears more than once [duplicate_column]",
                      usage_or_input);
        cfg.pass_columns.push_back(found);
        // Identifiers always; other kept columns when named by --pseudonymise-column.
        cfg.pseudonymise.push_back(
            pseudonymiser && (list == &ids || std::find(pseudonymised.begin(), pseudonymised.end(),
                                                        name) != pseudonymised.end()));
      }
    }

    Output out(output);
    io::ScoreWriter writer(out.stream(), ins, binding, cfg);
    const io::BatchScorer scorer(ins, ins.weights(), binding);
    writer.write_header();

    // Read `threads` batches, code, score and format them in parallel, write them in
    // order: each row's output depends on that row only, so any N gives the same bytes.
    // Groups of `threads` batches are coded, scored and formatted in parallel and written
    // in order: each row's output depends on that row only, so any N gives the same
    // bytes. With N > 1 the next group is read while the current one is worked on.
    std::vector<io::RecordBatch> batches(threads), next_batches(threads);
    std::vector<io::BatchResult> results(threads);
    std::vector<std::string> text(threads);
    std::array<std::uint64_t, 4> per_status{};
    std::uint64_t rows = 0;
    app::DelimiterCheck delimiter_check(reader->header(), reader->delimiter());
    Progress progress(!quiet && ::isatty(STDERR_FILENO));
    const auto read_group = [&](std::vector<io::RecordBatch>& group) {
      std::size_t filled = 0;
      while (filled < threads && reader->next(group[filled], chunk_rows)) ++filled;
      return filled;
    };
    std::size_t filled = read_group(batches);
    while (filled > 0) {
      std::future<std::size_t> ahead;
      if (threads > 1)  // the reader is used by this task only until get() below
        ahead = std::async(std::launch::async, read_group, std::ref(next_batches));
      std::vector<std::exception_ptr> errors(filled);
      const auto work = [&](std::size_t i) {
        try {
          scorer.run(batches[i], results[i]);
          writer.format(batches[i], results[i], scorer.scorer(), text[i]);
        } catch (...) {
          errors[i] = std::current_exception();  // rethrown below, never lost in a thread
        }
      };
      if (filled == 1 || threads == 1) {
        for (std::size_t i = 0; i < filled; ++i) work(i);
      } else {
        std::vector<std::jthread> pool;
        for (std::size_t i = 1; i < filled; ++i) pool.emplace_back(work, i);
        work(0);
      }
      const std::size_t next_filled = threads > 1 ? ahead.get() : 0;  // rethrows read errors
      for (const auto& e : errors)
        if (e) std::rethrow_exception(e);
      for (std::size_t i = 0; i < filled; ++i) {
        writer.write(text[i]);
        for (const auto st : results[i].scores.status) ++per_status[static_cast<std::size_t>(st)];
        for (std::size_t r = 0; r < batches[i].rows(); ++r)
          if (results[i].defect[r] != io::RowDefect::empty) {
            const auto row = batches[i].row(r);
            delimiter_check.add(row.size(), row.empty() ? std::string_view() : row[0]);
          }
        rows += batches[i].rows();
      }
      progress.update(rows, reader->bytes_read(), reader->bytes_total());
      if (threads > 1) {
        std::swap(batches, next_batches);
        filled = next_filled;
      } else {
        filled = read_group(batches);
      }
    }
    out.commit();
    progress.finish();
    if (!quiet) {
      std::cerr << "reinscore score: " << rows << " rows scored";
      const char* sep = " (";
      for (std::size_t s = 0; s < per_status.size(); ++s) {
        std::cerr << sep << status_names[s] << " " << per_status[s];
        sep = ", ";
      }
      std::fprintf(stderr, ") in %.2f s\n", progress.seconds());
    }
    // The output is written either way; the exit code says whether it is worth using.
    int result = ok;
    if (const std::string problem = delimiter_check.problem(); !problem.empty()) {
      std::cerr << "reinscore score: " << problem << " [delimiter_mismatch]\n";
      result = problems_found;
    }
    const auto invalid = per_status[static_cast<std::size_t>(Status::invalid)];
    const auto scored = per_status[static_cast<std::size_t>(Status::complete)] +
                        per_status[static_cast<std::size_t>(Status::partial)];
    if (scored == 0) {
      std::cerr << "reinscore score: no row could be scored"
                << (rows == 0 ? " (the file has no data rows)" : "") << " [nothing_scored]\n";
      result = problems_found;
    } else if (vm.count("max-invalid") &&
               static_cast<double>(invalid) > max_invalid * static_cast<double>(rows)) {
      std::cerr << "reinscore score: " << invalid << " of " << rows
                << " rows are invalid, more than --max-invalid " << app::number_text(max_invalid)
                << " allows [too_many_invalid]\n";
      result = problems_found;
    }
    return result;
  } catch (const input_error& e) {
    return fail("score", e.what(), usage_or_input);
  } catch (const std::ios_base::failure& e) {
    return fail_output("score", e);
  } catch (const fs::filesystem_error& e) {
    return fail_output("score", e);
  }
}

}  // namespace reinscore::cli
