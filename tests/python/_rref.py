"""Runs R as an independent reference: data frames go in as CSV files, JSON comes out.

R's survey and psych packages (Debian's r-cran-survey, r-cran-psych, installed by
tools/install-deps.sh) are the references the project's survey statistics and
reliability are tested against. An R script reads its inputs by name from the folder in
$RREF_DIR, e.g. ``read.csv(file.path(Sys.getenv("RREF_DIR"), "scores.csv"))``, and
prints one JSON document on stdout, e.g. with ``cat(json(x))`` (``json`` is defined
before the script runs: ``jsonlite::toJSON`` with every digit R prints, NA as null).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

# 15 significant digits (jsonlite's maximum), NA as null, scalars as scalars.
_PRELUDE = """
suppressPackageStartupMessages({ library(survey); library(psych); library(jsonlite) })
json <- function(x) jsonlite::toJSON(x, digits = NA, na = "null", auto_unbox = TRUE)
"""


def rscript() -> str:
    """The Rscript executable; a missing one fails the test (a skip could never fail)."""
    exe = shutil.which("Rscript")
    if exe is None:
        pytest.fail(
            "Rscript not found: R with the survey, psych and jsonlite packages is the "
            "reference of these tests; install it with tools/install-deps.sh",
            pytrace=False,
        )
    return exe


def run_r(script: str, data: dict[str, pd.DataFrame], timeout: float = 120) -> Any:
    """Runs ``script`` with ``Rscript --vanilla`` after writing each frame as ``<name>.csv``
    (no index; NaN as R's NA) and returns the JSON it printed. An R error fails the test
    with R's stderr."""
    exe = rscript()
    with tempfile.TemporaryDirectory(prefix="rref-") as tmp:
        folder = Path(tmp)
        for name, df in data.items():
            # repr precision: R reads back exactly the doubles pandas holds.
            df.to_csv(folder / f"{name}.csv", index=False, na_rep="NA", float_format="%.17g")
        (folder / "script.R").write_text(_PRELUDE + script, encoding="utf-8")
        env = {**os.environ, "RREF_DIR": tmp, "LC_ALL": "C"}
        p = subprocess.run(
            [exe, "--vanilla", str(folder / "script.R")],
            capture_output=True, text=True, env=env, timeout=timeout, check=False,
        )
    if p.returncode != 0:
        pytest.fail(f"Rscript exited {p.returncode}; stderr:\n{p.stderr}", pytrace=False)
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"R printed no JSON; stdout:\n{p.stdout}\nstderr:\n{p.stderr}", pytrace=False)
