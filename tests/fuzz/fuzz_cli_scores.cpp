// The scores-file readers of `summarize`, `panel` and `integrate`, driven through
// reinscore::cli::run as a user would run them: the first byte picks a command line, the
// rest is the scores file. Output goes to nowhere (stdout, stderr) or to the temporary
// directory, which is emptied after each input. Exit codes are outcomes, not findings.
#include "cli/cli.hpp"
#include "fuzz_common.hpp"

#include <cstdlib>
#include <string>
#include <vector>

namespace {

std::vector<std::string> command(std::uint8_t pick, const std::string& scores) {
  const std::string examples = fuzz::data_dir() + "/examples/";
  const std::string out = (fuzz::TempDir::path() / "out.csv").string();
  switch (pick % 8) {
    case 0:
      return {"summarize", scores, "--by", "round", "--min-cell", "1"};
    case 1:
      return {"summarize", scores, "--by", "country", "--by", "round", "--format", "csv"};
    case 2:
      return {"summarize",     scores,     "--by",      "country",    "--ci",
              "linearization", "--strata", "country",   "--cluster",  "community_id",
              "--min-cell",    "1",        "--compare", "country:LSO"};
    case 3:
      return {"summarize", scores,         "--ci", "bootstrap", "--replicates", "20", "--seed", "7",
              "--cluster", "community_id", "--by", "round",     "--min-cell",   "1"};
    case 4:
      return {"panel", scores, "--table", "all", "--min-cell", "1", "--format", "csv"};
    case 5:
      return {"panel", scores, "--status", "--table", "transitions", "--min-cell", "1"};
    case 6:
      return {"integrate",
              "--individual",
              scores,
              "--community",
              examples + "community_sample.csv",
              "--structural",
              examples + "structural_sample.csv",
              "--min-respondents",
              "1",
              "-o",
              out};
    default:
      return {"integrate",
              "--individual",
              scores,
              "--community",
              examples + "community_sample.csv",
              "--structural",
              examples + "structural_sample.csv",
              "--host",
              examples + "host_sample.csv",
              "-o",
              out};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t pick = in.byte();
  const std::string scores = fuzz::write_temp("scores.csv", in.rest());
  fuzz::guard([&] {
    const fuzz::Quiet quiet;
    const int code = reinscore::cli::run(command(pick, scores));
    fuzz::outcome() = "exit:" + std::to_string(code);
    // Exit 4 is "internal error: please report it"; REINSCORE_FUZZ_STRICT=1 makes it a finding.
    if (code == reinscore::cli::internal && std::getenv("REINSCORE_FUZZ_STRICT")) std::abort();
  });
  fuzz::TempDir::clear();
  return 0;
}
