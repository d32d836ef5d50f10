// Benchmarks of the fit statistics (being written).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
