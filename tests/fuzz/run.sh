#!/usr/bin/env bash
# Runs every libFuzzer harness of a fuzz build for SECONDS each (make fuzz, make test).
# usage: tests/fuzz/run.sh BUILD_DIR SECONDS [HARNESS...]
# Corpus growth is kept in BUILD_DIR/corpus/<harness> (the seeds, BUILD_DIR/seeds, are
# written by make_seeds.py); a crash, sanitizer report, timeout (-timeout=10 s per input)
# or memory use past -rss_limit_mb=2048 stops that harness, leaves the input in
# BUILD_DIR/findings/ and makes this script fail. These two limits are the bounded time
# and memory checks of docs/design.md. Logs: BUILD_DIR/fuzz-logs/<harness>.log.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$1"
seconds="$2"
shift 2
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(csv_reader xlsx_reader instrument weights column_binding cli_scores)

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_init_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
mkdir -p "$build/findings" "$build/fuzz-logs"
failed=()
for h in "${harnesses[@]}"; do
  bin="$build/tests/fuzz/fuzz_$h"
  log="$build/fuzz-logs/$h.log"
  mkdir -p "$build/corpus/$h"
  # -close_fd_mask=1: the command line's stdout is not looked at (stderr carries reports).
  if "$bin" "$build/corpus/$h" "$build/seeds/$h" -dict="$here/$h.dict" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=1 \
      -artifact_prefix="$build/findings/$h-" -print_final_stats=1 >"$log" 2>&1; then
    echo "fuzz $h: ${seconds}s, $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
      grep -o '[0-9]*$') runs, $(grep -o 'cov: [0-9]*' "$log" | tail -1), no finding"
  else
    failed+=("$h")
    echo "fuzz $h: FINDING (log $log)"
    grep -E 'ERROR|SUMMARY|Test unit written|runtime error|timeout|out-of-memory' "$log" | head -8
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: findings in ${failed[*]}: save each input as tests/data/bad/fuzz/<harness>-<name>.<ext>"
  echo "      with a line in tests/data/bad/fuzz/EXPECTED (docs/ARCHITECTURE.md)"
  exit 1
fi
