// Benchmarks of the fit statistics: the PCA fit of weights (co-moments accumulated in
// chunks of 65,536 rows, correlation, eigen decomposition) on 1,000,000 x 26 coded values,
// the whole fit_weights (both methods, the RSS instrument), varimax, and sensitivity.
//
// The coded values are a pure function of (row, item) that benchmarks/compare_fit.py
// rebuilds in numpy bit for bit, so that numpy (np.corrcoef + np.linalg.eigh) can be
// timed on the same data: v(r, k) = floor(4 (0.6 level_r + 0.4 u_rk) + 0.5) / 4 with level_r and
// u_rk uniform in [0, 1) from SplitMix64 (53-bit mantissas), NaN where the low 10 bits
// of the cell's hash fall below missing_per_mille x 1024 / 1000. Inputs are built outside the timed
// loops.
#include <reinscore/comoments.hpp>
#include <reinscore/fit.hpp>
#include <reinscore/sensitivity.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <limits>

namespace {

using namespace reinscore;

constexpr Eigen::Index kItems = 26;
constexpr Eigen::Index kChunk = 65536;

constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
inline double unit(std::uint64_t h) noexcept { return static_cast<double>(h >> 11) * 0x1.0p-53; }

/// rows x 26 coded values; `missing_per_mille` of the cells are NaN.
Eigen::MatrixXd coded_values(Eigen::Index rows, std::uint64_t missing_per_mille,
                             std::uint64_t seed = 20261127) {
  Eigen::MatrixXd x(rows, kItems);
  for (Eigen::Index r = 0; r < rows; ++r) {
    const double level = unit(splitmix64(seed ^ static_cast<std::uint64_t>(r)));
    for (Eigen::Index k = 0; k < kItems; ++k) {
      const std::uint64_t h = splitmix64(seed + static_cast<std::uint64_t>(r * kItems + k) + 1);
      const double v =
          std::floor(4 * (0.6 * level + 0.4 * unit(h)) + 0.5) / 4;  // numpy: np.floor(... + 0.5)
      x(r, k) = (h & 1023) < missing_per_mille * 1024 / 1000
                    ? std::numeric_limits<double>::quiet_NaN()
                    : v;
    }
  }
  return x;
}

const Eigen::MatrixXd& data(std::uint64_t missing_per_mille) {
  static const Eigen::MatrixXd complete = coded_values(1000000, 0);
  static const Eigen::MatrixXd gaps = coded_values(1000000, 40);
  return missing_per_mille ? gaps : complete;
}

const Instrument& rss() {
  static const Instrument ins = Instrument::load(REINSCORE_DATA_DIR "/instruments/iom-rss.json");
  return ins;
}

// The PCA fit the issue names: CoMoments::add over chunks of 65,536 rows, then the
// pairwise correlation matrix and its eigen decomposition.
void BM_FitPca(benchmark::State& state) {
  const Eigen::MatrixXd& x = data(static_cast<std::uint64_t>(state.range(0)));
  const Eigen::Index n = x.rows();
  for (auto _ : state) {
    CoMoments m(kItems);
    for (Eigen::Index s = 0; s < n; s += kChunk) m.add(x.middleRows(s, std::min(kChunk, n - s)));
    const Pca p = pca(m.correlation(MissingPolicy::pairwise));
    benchmark::DoNotOptimize(p.eigenvalues.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * kItems *
                          static_cast<std::int64_t>(sizeof(double)));
  state.SetLabel(state.range(0) ? "4% missing" : "complete");
}
BENCHMARK(BM_FitPca)->Arg(0)->Arg(40)->Unit(benchmark::kMillisecond);

// Only the decomposition and the diagnostics of a 26 x 26 correlation matrix.
void BM_PcaKmoBartlett26(benchmark::State& state) {
  CoMoments m(kItems);
  m.add(data(0).topRows(100000));
  const Eigen::MatrixXd R = m.correlation();
  for (auto _ : state) {
    const Pca p = pca(R);
    const Kmo k = kmo(R);
    const Bartlett b = bartlett(R, 100000);
    benchmark::DoNotOptimize(p.eigenvalues.data());
    benchmark::DoNotOptimize(k.overall);
    benchmark::DoNotOptimize(b.chi2);
  }
}
BENCHMARK(BM_PcaKmoBartlett26)->Unit(benchmark::kMicrosecond);

// fit_weights end to end on the RSS instrument (three dimensions and all items):
// FitAccumulator over chunks, then the analysis; 0 = pca-first, 1 = oecd-varimax.
void BM_FitWeightsRss(benchmark::State& state) {
  const Eigen::MatrixXd& x = data(40);
  const Eigen::Index n = x.rows();
  FitOptions opt;
  opt.method = state.range(0) ? FitMethod::oecd_varimax : FitMethod::pca_first;
  for (auto _ : state) {
    FitAccumulator acc(rss());
    for (Eigen::Index s = 0; s < n; s += kChunk) acc.add(x.middleRows(s, std::min(kChunk, n - s)));
    const FitResult fit = fit_weights(rss(), acc, opt);
    benchmark::DoNotOptimize(fit.weights.items.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetLabel(std::string(to_string(opt.method)));
}
BENCHMARK(BM_FitWeightsRss)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Only the analysis (correlations already accumulated): what a fit costs beyond the pass.
void BM_FitAnalysisRss(benchmark::State& state) {
  FitAccumulator acc(rss());
  acc.add(data(40).topRows(100000));
  FitOptions opt;
  opt.method = state.range(0) ? FitMethod::oecd_varimax : FitMethod::pca_first;
  for (auto _ : state) {
    const FitResult fit = fit_weights(rss(), acc, opt);
    benchmark::DoNotOptimize(fit.weights.items.data());
  }
  state.SetLabel(std::string(to_string(opt.method)));
}
BENCHMARK(BM_FitAnalysisRss)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_Varimax26x4(benchmark::State& state) {
  CoMoments m(kItems);
  m.add(data(0).topRows(100000));
  const Eigen::MatrixXd L = pca(m.correlation()).loadings.leftCols(4);
  for (auto _ : state) {
    const Varimax v = varimax(L);
    benchmark::DoNotOptimize(v.loadings.data());
  }
}
BENCHMARK(BM_Varimax26x4)->Unit(benchmark::kMicrosecond);

// Sensitivity: 100,000 interviews x 100 perturbed weight sets (one thread).
void BM_Sensitivity(benchmark::State& state) {
  const Eigen::Index n = 100000;
  CodedBlock block;
  block.resize(n, kItems);
  const Eigen::MatrixXd& x = data(40);
  for (Eigen::Index k = 0; k < kItems; ++k)
    for (Eigen::Index r = 0; r < n; ++r)
      block.set(r, k,
                std::isnan(x(r, k)) ? CodedCell{x(r, k), Reason::dont_know}
                                    : CodedCell{x(r, k), Reason::answered});
  SensitivityOptions opt;
  opt.draws = static_cast<std::size_t>(state.range(0));
  const SensitivityDraws draws = draw_weight_sets(rss(), rss().weights(), {}, opt);
  const SensitivityRunner runner(rss(), rss().weights(), draws, opt);
  SensitivityRows rows;
  for (auto _ : state) {
    runner.run(block, {}, rows, 1);
    benchmark::DoNotOptimize(rows.mean.data());
  }
  state.SetItemsProcessed(state.iterations() * n * state.range(0));  // interview-draws
}
BENCHMARK(BM_Sensitivity)->Arg(100)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
