# Two commands for a new machine: `make demo` and `make test` (see README.md).
# Both install what is missing (tools/install-deps.sh), then build with two jobs.

VENV      ?= $(CURDIR)/.venv
BUILD     ?= $(CURDIR)/build
JOBS      ?= 2
PY        := $(VENV)/bin/python
CMAKE_ARGS ?= -DCMAKE_BUILD_TYPE=Release -DREINSCORE_WERROR=ON
SAMPLE    := data/examples/rss_sample.csv
REINSCORE := $(BUILD)/src/cli/reinscore

.PHONY: deps build demo test test-cpp test-python format benchmark clean

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
	@REINSCORE_CLI=$(REINSCORE) $(TEST_VENV)/bin/python -m pytest tests/python tests/cli

test: test-cpp test-python

format:
	@clang-format -i $$(git ls-files '*.hpp' '*.cpp')

benchmark: build
	@$(BUILD)/benchmarks/bench_kernels --benchmark_min_time=1s

clean:
	rm -rf $(BUILD)
