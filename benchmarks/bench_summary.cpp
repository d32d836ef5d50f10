// Benchmarks of the summary statistics (being written).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
