"""Shared fixtures of the Python package tests.

These tests exercise the INSTALLED package (``pip install --no-build-isolation .``, or
a package staged by tools/dev-python.sh), not the sources in python/: the compiled core
only exists in an installed copy, and a run against the bare source tree proves nothing. Run them from the repository
root with ``.venv/bin/python -m pytest tests/python``.

The command-line binary that the Python results are compared with is taken from
$REINSCORE_CLI, else build/src/cli/reinscore; a missing binary is a failure.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
import reinscore
from _helpers import CLI, REPO, SAMPLE, CliRun, read_text_csv, run_cli

# Not resolved: tools/dev-python.sh stages a package whose files link to the sources.
_PKG = Path(reinscore.__file__).absolute().parent
_INSTALLED = "site-packages" in _PKG.parts or _PKG.parent.name == "pystage"
if _PKG == REPO / "python" / "reinscore" or not _INSTALLED:
    raise RuntimeError(
        f"reinscore was imported from {_PKG}, not from an installed package: install it with "
        "`.venv/bin/python -m pip install --no-build-isolation .` (or stage one with "
        "tools/dev-python.sh) and run pytest where python/ is not on sys.path"
    )


@pytest.fixture(scope="session")
def cli() -> Path:
    if not CLI.is_file():
        pytest.fail(
            f"reinscore binary not found at {CLI}: build it with "
            "`cmake --build build --target reinscore_exe` or set REINSCORE_CLI",
            pytrace=False,
        )
    return CLI


@pytest.fixture(scope="session")
def sample_df() -> pd.DataFrame:
    """The sample as text, the way its README says to read it. Do not modify."""
    return read_text_csv(SAMPLE)


@pytest.fixture(scope="session")
def sample_scores() -> pd.DataFrame:
    """reinscore.score of the sample file with id and round kept. Do not modify."""
    return reinscore.score(SAMPLE, id="interview_id", keep=["round"])


@pytest.fixture(scope="session")
def cli_sample(cli: Path) -> CliRun:
    """`reinscore score` of the sample with the same id and kept column."""
    return run_cli("score", SAMPLE, "--id", "interview_id", "--keep", "round", "-q").ok()


@pytest.fixture(scope="session")
def cli_sample_df(cli_sample: CliRun) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(cli_sample.out), dtype=str, keep_default_na=False)
