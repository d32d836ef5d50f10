#!/usr/bin/env bash
# Builds reinscore._core in BUILD_DIR (incrementally) and stages an importable package
# in BUILD_DIR/pystage, for working on the Python layer without `pip install .`:
#   tools/dev-python.sh build-dev && PYTHONPATH=build-dev/pystage .venv/bin/python -m pytest ...
# The staged package links to python/reinscore/*.py, so edits show at once.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(realpath -m "${1:?usage: tools/dev-python.sh BUILD_DIR}")"
py="${REINSCORE_VENV:-$here/.venv}/bin/python"
pybind11_dir="$("$py" -c 'import pybind11; print(pybind11.get_cmake_dir())')"
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DREINSCORE_BUILD_PYTHON=ON \
  -DREINSCORE_BUILD_TESTS=OFF -DREINSCORE_BUILD_BENCHMARKS=OFF -DREINSCORE_BUILD_CLI=ON \
  -DPython_EXECUTABLE="$py" -Dpybind11_DIR="$pybind11_dir" >/dev/null
cmake --build "$build" --target _core reinscore_exe -j"${JOBS:-2}"
stage="$build/pystage/reinscore"
mkdir -p "$stage"
for f in "$here"/python/reinscore/*; do ln -sf "$f" "$stage/"; done
ln -sf "$(ls "$build"/bindings/_core*.so)" "$stage/"
ln -sfn "$here/data/instruments" "$stage/instruments"
echo "PYTHONPATH=$build/pystage"
