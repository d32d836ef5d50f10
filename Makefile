# Two commands for a new machine: `make demo` and `make test` (see README.md).
# Both install what is missing (tools/install-deps.sh), then build with two jobs.

VENV      ?= $(CURDIR)/.venv
BUILD     ?= $(CURDIR)/build
JOBS      ?= 2
PY        := $(VENV)/bin/python
CMAKE_ARGS ?= -DCMAKE_BUILD_TYPE=Release -DREINSCORE_WERROR=ON
SAMPLE    := data/examples/rss_sample.csv
REINSCORE := $(BUILD)/src/cli/reinscore

.PHONY: deps build demo test test-cpp test-python test-asan fuzz fuzz-smoke fuzz-build format \
	benchmark clean

deps:
	@REINSCORE_VENV=$(VENV) tools/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_ARGS) -DPython_EXECUTABLE=$(PY) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

demo: build
	@echo "== reinscore validate $(SAMPLE)"
	@$(REINSCORE) validate $(SAMPLE) || test $$? -eq 1
	@echo
	@echo "== reinscore score $(SAMPLE) -o $(BUILD)/demo_scores.csv"
	@$(REINSCORE) score $(SAMPLE) --id interview_id --keep returnee_id --keep country \
	    --keep round -o $(BUILD)/demo_scores.csv
	@echo
	@echo "== reinscore summarize $(BUILD)/demo_scores.csv --by round"
	@$(REINSCORE) summarize $(BUILD)/demo_scores.csv --by round
	@echo
	@echo "== reinscore report $(SAMPLE) -o $(BUILD)/demo_report.html"
	@$(REINSCORE) report $(SAMPLE) -o $(BUILD)/demo_report.html --by country \
	    --returnee-id returnee_id --round round
	@echo "The evaluators' report: $(BUILD)/demo_report.html (open it in a browser)"

test-cpp: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The Python tests run in a fresh venv where pip builds the package exactly as a user
# would (`pip install .`, with build isolation), plus the test tools.
TEST_VENV := $(BUILD)/test-venv
test-python: build
	@rm -rf $(TEST_VENV) && python3 -m venv $(TEST_VENV)
	@$(TEST_VENV)/bin/python -m pip install -q --upgrade pip
	@$(TEST_VENV)/bin/python -m pip install -q -r tools/requirements-dev.txt
	@$(TEST_VENV)/bin/python -m pip install -q $(CURDIR)
	@REINSCORE_CLI=$(REINSCORE) $(TEST_VENV)/bin/python -m pytest tests/python tests/cli tests/parity

# The whole ctest suite and the command-line tests again, on a build of our own code with
# AddressSanitizer and UndefinedBehaviorSanitizer (gcc; docs/ARCHITECTURE.md).
ASAN_BUILD ?= $(CURDIR)/build-asan
# exitcode=86: a report is never mistaken for an exit code a test expects (1, 2).
# ASan cannot run under `ulimit -v` (tests/cli/test_hardening.py): hard_rss_limit_mb bounds
# memory instead, as -rss_limit_mb does for the fuzzers.
SANITIZER_ENV := REINSCORE_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:$\
	strict_init_order=1:hard_rss_limit_mb=2048:exitcode=86 UBSAN_OPTIONS=print_stacktrace=1:exitcode=86
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREINSCORE_SANITIZE=ON \
	    -DREINSCORE_WERROR=ON -DREINSCORE_BUILD_BENCHMARKS=OFF -DPython_EXECUTABLE=$(PY) >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@cd $(ASAN_BUILD) && $(SANITIZER_ENV) ctest --output-on-failure -j$(JOBS)
	@$(SANITIZER_ENV) REINSCORE_CLI=$(ASAN_BUILD)/src/cli/reinscore $(PY) -m pytest -q tests/cli

# libFuzzer harnesses (tests/fuzz), built with clang, ASan and UBSan in their own build dir.
# `make fuzz` runs each for FUZZ_SECONDS; `make test` for FUZZ_SMOKE_SECONDS.
FUZZ_BUILD ?= $(CURDIR)/build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 20
fuzz-build: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DREINSCORE_FUZZ=ON -DREINSCORE_WERROR=ON -DREINSCORE_BUILD_BENCHMARKS=OFF \
	    -DREINSCORE_INSTALL=OFF -DPython_EXECUTABLE=$(PY) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz_harnesses reinscore_exe
	@$(PY) tests/fuzz/make_seeds.py $(FUZZ_BUILD)/seeds $(FUZZ_BUILD)/src/cli/reinscore >/dev/null

fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-smoke: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS)

test: test-cpp test-python test-asan fuzz-smoke

format:
	@clang-format -i $$(git ls-files '*.hpp' '*.cpp')

benchmark: build
	@$(BUILD)/benchmarks/bench_kernels --benchmark_min_time=1

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
