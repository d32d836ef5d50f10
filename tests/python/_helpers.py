"""Helpers shared by the Python package tests (paths, the CLI, frame comparisons)."""

from __future__ import annotations

import io
import math
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
SAMPLE = DATA / "examples" / "rss_sample.csv"
RSS_JSON = DATA / "instruments" / "iom-rss.json"
TEST_DATA = REPO / "tests" / "data"
BAD = TEST_DATA / "bad"
MINI = TEST_DATA / "instruments" / "mini.json"
MINI_WEIGHTS = TEST_DATA / "weights" / "mini_official.csv"
SAMPLE_XLSX = TEST_DATA / "sample.xlsx"
CLI = Path(os.environ.get("REINSCORE_CLI") or REPO / "build" / "src" / "cli" / "reinscore")

DIMS = ["economic", "social", "psychosocial"]
SCORE_COLS = [*DIMS, "composite", *(f"coverage_{d}" for d in DIMS)]
STATUSES = ["complete", "partial", "insufficient", "invalid"]


@dataclass
class CliRun:
    code: int
    out: bytes
    err: str

    def ok(self) -> CliRun:
        assert self.code == 0, f"exit {self.code}; stderr:\n{self.err}"
        return self

    def written(self) -> CliRun:
        """Exit 0, or exit 1 with the output written because no row could be scored
        (`[nothing_scored]`) or the header and rows use different delimiters."""
        if self.code == 1:
            assert "[nothing_scored]" in self.err or "[delimiter_mismatch]" in self.err, self.err
            return self
        return self.ok()

    @property
    def frame(self) -> pd.DataFrame:
        return pd.read_csv(io.BytesIO(self.out), dtype=str, keep_default_na=False)


def run_cli(*args: object, cwd: Path | None = None) -> CliRun:
    """Runs the C++ `reinscore` binary with the repository's instruments."""
    env = dict(os.environ)
    env["REINSCORE_INSTRUMENT_PATH"] = str(DATA / "instruments")
    p = subprocess.run(
        [str(CLI), *map(str, args)],
        input=b"",
        capture_output=True,
        timeout=300,
        env=env,
        cwd=cwd,
        check=False,
    )
    return CliRun(p.returncode, p.stdout, p.stderr.decode("utf-8", errors="replace"))


def read_text_csv(path: Path | bytes) -> pd.DataFrame:
    src: Any = io.BytesIO(path) if isinstance(path, bytes) else path
    return pd.read_csv(src, dtype=str, keep_default_na=False)


def write_csv(path: Path, df: pd.DataFrame) -> Path:
    df.to_csv(path, index=False, lineterminator="\n")
    return path


def numbers(col: pd.Series[Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A column of the CLI's CSV output as floats (empty cells are NaN)."""
    return np.array([math.nan if v == "" else float(v) for v in col], dtype=float)


def texts(col: pd.Series[Any]) -> list[str]:
    """A column as the CLI prints it: missing values are empty strings."""
    return ["" if (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))) else str(v)
            for v in col.astype(object)]


def assert_close(actual: np.ndarray[Any, Any], expected: np.ndarray[Any, Any], what: str,
                 tol: float = 1e-15) -> None:
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    assert a.shape == e.shape, (what, a.shape, e.shape)
    a_nan, e_nan = np.isnan(a), np.isnan(e)
    bad = np.flatnonzero(a_nan != e_nan)
    assert bad.size == 0, f"{what}: NaN in one and not the other at rows {bad[:10].tolist()}"
    diff = np.abs(np.where(a_nan, 0.0, a - e))
    assert diff.max(initial=0.0) <= tol, f"{what}: max difference {diff.max()} at {int(diff.argmax())}"


def assert_matches_cli(py: pd.DataFrame, cli: pd.DataFrame, tol: float = 1e-15) -> None:
    """Every column of a Python result equals the CLI's CSV output (read as text)."""
    assert list(py.columns) == list(cli.columns)
    assert len(py) == len(cli)
    for col in cli.columns:
        if pd.api.types.is_float_dtype(py[col].dtype):
            assert_close(py[col].to_numpy(dtype=float), numbers(cli[col]), col, tol)
        else:
            got, want = texts(py[col]), cli[col].tolist()
            bad = [i for i, (g, w) in enumerate(zip(got, want)) if g != w]
            assert not bad, f"{col} differs at rows {bad[:5]}: {[got[i] for i in bad[:3]]} vs {[want[i] for i in bad[:3]]}"


def assert_same_scores(a: pd.DataFrame, b: pd.DataFrame, check_index: bool = True) -> None:
    """Two Python results are identical (values, NaN positions, categories, columns)."""
    if not check_index:
        a = a.reset_index(drop=True)
        b = b.reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
