// Benchmarks of the survey summary (include/reinscore/summary.hpp) on workload S1:
// 100,000 interviews in 20 strata x 25 clusters (500 PSUs), 3 groups, 4 scores with
// 2% missing, sampling weights, threshold 0.5, quartiles. Timed: accumulating the rows,
// the linearised summary, and the Rao–Wu bootstrap with 1,000 replicates on 1 and 2
// threads. benchmarks/compare_bootstrap.py rebuilds S1 bit for bit in numpy and times
// the same bootstrap written with numpy.
//
// S1 row r (seed 20261127, u(h) = (h >> 11) 2^-53, s(x) = splitmix64):
//   a = s(seed ^ r): stratum (a >> 8) % 20, cluster (a >> 20) % 25, group (a >> 40) % 3
//   weight 0.5 + 2.5 u(s(seed + 7 r + 1))
//   score j (0..3): h = s(seed + 7 r + 2 + j); NaN if (h & 1023) < 20, else
//   floor(32 min(1, 0.3 + 0.1 group + 0.4 u(s(h)) + 0.2 u(s(a ^ j)))) / 32
#include <reinscore/summary.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace {

using namespace reinscore;

inline double unit(std::uint64_t h) noexcept { return static_cast<double>(h >> 11) * 0x1.0p-53; }

struct Workload {
  Eigen::MatrixXd values;
  std::vector<std::uint64_t> group, stratum, cluster;
  std::vector<double> weight;
};

const Workload& s1() {
  static const Workload w = [] {
    constexpr std::uint64_t seed = 20261127, n = 100000;
    Workload x;
    x.values.resize(static_cast<Eigen::Index>(n), 4);
    for (std::uint64_t r = 0; r < n; ++r) {
      const std::uint64_t a = splitmix64(seed ^ r);
      const std::uint64_t h = (a >> 8) % 20, c = (a >> 20) % 25, g = (a >> 40) % 3;
      x.stratum.push_back(h);
      x.cluster.push_back(h * 25 + c);
      x.group.push_back(g);
      x.weight.push_back(0.5 + 2.5 * unit(splitmix64(seed + 7 * r + 1)));
      for (std::uint64_t j = 0; j < 4; ++j) {
        const std::uint64_t hj = splitmix64(seed + 7 * r + 2 + j);
        const double v =
            std::min(1.0, 0.3 + 0.1 * static_cast<double>(g) + 0.4 * unit(splitmix64(hj)) +
                              0.2 * unit(splitmix64(a ^ j)));
        x.values(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) =
            (hj & 1023) < 20 ? std::numeric_limits<double>::quiet_NaN() : std::floor(32 * v) / 32;
      }
    }
    return x;
  }();
  return w;
}

Summary accumulate() {
  const Workload& w = s1();
  Summary s(4, 0.5);
  s.add_rows(w.values, w.group, w.weight, w.stratum, w.cluster);
  return s;
}

const Summary& accumulated() {
  static const Summary s = accumulate();
  return s;
}

void BM_Accumulate(benchmark::State& state) {
  (void)s1();
  for (auto _ : state) benchmark::DoNotOptimize(accumulate());
  state.SetItemsProcessed(state.iterations() * 100000);
}
BENCHMARK(BM_Accumulate)->Unit(benchmark::kMillisecond);

void BM_Linearized(benchmark::State& state) {
  const Summary& s = accumulated();
  SummaryOptions o;
  const std::vector<Contrast> c{{1, 0}, {2, 0}};
  for (auto _ : state) benchmark::DoNotOptimize(s.compute(o, c));
}
BENCHMARK(BM_Linearized)->Unit(benchmark::kMillisecond);

// 1,000 replicates; argument: threads.
void BM_Bootstrap(benchmark::State& state) {
  const Summary& s = accumulated();
  SummaryOptions o;
  o.method = VarianceMethod::bootstrap;
  o.replicates = 1000;
  o.threads = static_cast<unsigned>(state.range(0));
  const std::vector<Contrast> c{{1, 0}, {2, 0}};
  for (auto _ : state) benchmark::DoNotOptimize(s.compute(o, c));
  state.SetItemsProcessed(state.iterations() * 1000);  // replicates
}
BENCHMARK(BM_Bootstrap)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same without quantiles: means and shares only (PSU-level sums).
void BM_BootstrapNoQuantiles(benchmark::State& state) {
  const Summary& s = accumulated();
  SummaryOptions o;
  o.method = VarianceMethod::bootstrap;
  o.replicates = 1000;
  o.probabilities = {};
  for (auto _ : state) benchmark::DoNotOptimize(s.compute(o));
}
BENCHMARK(BM_BootstrapNoQuantiles)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
