// Kernels of the scoring path on workload W1 (rows x 26 items of the provisional RSS),
// in memory: coding choice names to values, scoring coded blocks, and both together.
// Inputs are built once, outside the timed loops, with a fixed seed.
#include <reinscore/reinscore.hpp>

#include <benchmark/benchmark.h>

#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace reinscore;

const Instrument& rss() {
  static const Instrument ins = Instrument::load(REINSCORE_DATA_DIR "/instruments/iom-rss.json");
  return ins;
}

// Column-major cells: views into the instrument's own code strings (no allocation per cell).
std::vector<std::vector<std::string_view>> make_cells(std::size_t rows) {
  const Instrument& ins = rss();
  std::mt19937_64 rng(20261127);
  std::vector<std::vector<std::string_view>> cols(ins.items.size());
  for (std::size_t k = 0; k < ins.items.size(); ++k) {
    const Scale& s = ins.scale_of(ins.items[k]);
    cols[k].resize(rows);
    for (auto& cell : cols[k]) {
      const auto u = rng() % 100;
      if (u < 2)
        cell = s.missing.front().code;  // dont_know
      else if (u < 3)
        cell = std::string_view{};  // skipped
      else
        cell = s.codes[rng() % s.codes.size()].code;
    }
  }
  return cols;
}

void BM_Code(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const auto cells = make_cells(rows);
  const Coder coder(rss());
  CodedBlock block;
  block.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cells.size()));
  for (auto _ : state) {
    for (std::size_t k = 0; k < cells.size(); ++k) coder.code_column(k, cells[k], block);
    benchmark::DoNotOptimize(block.values.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
}

void BM_Score(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const auto cells = make_cells(rows);
  const Coder coder(rss());
  const Scorer scorer(rss());
  CodedBlock block;
  block.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cells.size()));
  for (std::size_t k = 0; k < cells.size(); ++k) coder.code_column(k, cells[k], block);
  ScoreBlock out;
  for (auto _ : state) {
    scorer.score(block, out);
    benchmark::DoNotOptimize(out.composite.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(rows * cells.size() * 9));
}

// Coding and scoring in blocks of 65,536 rows, as the command-line tool does.
void BM_CodeAndScore(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  constexpr std::size_t chunk = 65536;
  const auto cells = make_cells(rows);
  const Coder coder(rss());
  const Scorer scorer(rss());
  CodedBlock block;
  ScoreBlock out;
  for (auto _ : state) {
    for (std::size_t start = 0; start < rows; start += chunk) {
      const std::size_t n = std::min(chunk, rows - start);
      block.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(cells.size()));
      for (std::size_t k = 0; k < cells.size(); ++k)
        coder.code_column(k, std::span(cells[k]).subspan(start, n), block);
      scorer.score(block, out);
      benchmark::DoNotOptimize(out.composite.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
}

// Building one scale's code table from N codes (an instrument file is untrusted: the
// build must stay O(N) expected for any codes). Arg 0 = N; arg 1 = shape: 0 short
// distinct choice names, 1 codes of equal length sharing a 40-byte prefix.
void BM_CodeTableBuild(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string num = std::to_string(1000000 + i);
    keys.push_back(state.range(1) == 0 ? "c" + num : std::string(40, 'p') + num);
  }
  for (auto _ : state) {
    detail::CodeTable table;
    for (std::size_t i = 0; i < n; ++i) table.insert(keys[i], CodedCell{0.5, Reason::answered});
    table.build();
    benchmark::DoNotOptimize(&table);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

}  // namespace

BENCHMARK(BM_Code)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Score)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CodeAndScore)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CodeTableBuild)
    ->ArgsProduct({{10, 100, 1000, 10000}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
