"""Fixtures of the command-line tests (tests/cli): the binary under test and the shared
data of the per-command test files (the sample, its scores, the iom-rss instrument)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _clitools import Run, binary, ok, run
from _reference import SAMPLE, load_instrument, read_text_table


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `reinscore` executable; a missing binary is a failure, never a skip."""
    path = binary()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"reinscore binary not found or not executable at {path}. Build it with "
            "`make build`, or set REINSCORE_CLI to the executable.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def sample_df() -> pd.DataFrame:
    return read_text_table(SAMPLE)


@pytest.fixture(scope="session")
def rss() -> dict[str, Any]:
    return load_instrument()


@pytest.fixture(scope="session")
def sample_scores(cli: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, bytes]:
    out = tmp_path_factory.mktemp("scores") / "scores.csv"
    r = ok(run(cli, "score", SAMPLE, "-o", out, "--id", "interview_id", "--keep", "round"))
    assert r.out == b"", "with -o nothing goes to stdout"
    return r, out.read_bytes()


@pytest.fixture(scope="session")
def rss_tag(cli: Path) -> str:
    r = ok(run(cli, "instrument", "show", "iom-rss"))
    m = re.search(r"^sha256\s+([0-9a-f]{64})$", r.text, re.MULTILINE)
    assert m, r.text
    return f"iom-rss@0.1.0-provisional#{m.group(1)[:12]}"
