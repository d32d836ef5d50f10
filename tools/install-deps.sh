#!/usr/bin/env bash
# Installs what reinscore needs on a Debian 12 machine: system packages (compiler
# libraries) with apt-get, Python packages with pip in a venv. Idempotent: a second run
# installs nothing and takes a few seconds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${REINSCORE_VENV:-$here/.venv}"

debs=(
  build-essential cmake pkg-config git
  libeigen3-dev
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libboost-random1.81-dev libboost-math1.81-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev libzip-dev libexpat1-dev
  clang-format python3-venv
  # make fuzz / make test: libFuzzer harnesses need clang, libFuzzer and the sanitizer runtimes
  clang libfuzzer-14-dev libclang-rt-14-dev
  # HTML report tests: Playwright drives this Chromium, as it may not download its own
  chromium
  # tests/python/test_survey_r.py: R's survey and psych are the independent reference of
  # the survey statistics and reliability; jsonlite carries R's numbers back to pytest
  r-base-core r-cran-survey r-cran-psych r-cran-jsonlite
)

missing=()
for p in "${debs[@]}"; do
  # cmake may come from pip instead of Debian: accept any cmake >= 3.21 on PATH.
  if [[ $p == cmake ]] && command -v cmake >/dev/null; then continue; fi
  if [[ $p == python3-venv ]] && python3 -c 'import venv, ensurepip' 2>/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing Debian packages: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

req="$here/tools/requirements-dev.txt"
stamp="$venv/.reinscore-deps"
if [[ ! -x "$venv/bin/python" ]]; then
  echo "install-deps: creating Python venv at $venv"
  python3 -m venv "$venv"
fi
if [[ ! -f "$stamp" ]] || ! cmp -s "$req" "$stamp"; then
  echo "install-deps: installing Python packages into $venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -r "$req"
  cp "$req" "$stamp"
fi
