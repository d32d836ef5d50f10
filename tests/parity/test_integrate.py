"""integrate through the command line and through Python, on the same files, compared at
full precision (the CSV outputs keep every digit): every table, every key, every number;
with and without residents, --by, survey weights and a changed minimum."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import DATA, SAMPLE, run_cli

EXAMPLES = DATA / "examples"
COMMUNITY = EXAMPLES / "community_sample.csv"
HOST = EXAMPLES / "host_sample.csv"
STRUCTURAL = EXAMPLES / "structural_sample.csv"
TABLES = {"per_interview": "-o", "per_community": "--community-out", "per_country": "--country-out",
          "problems": "--problems-out"}


@pytest.fixture(scope="module")
def scores_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = run_cli("score", SAMPLE, "--id", "interview_id", "--keep", "round", "--keep", "community_id",
                  "--keep", "country", "-q").ok().out
    df = pd.read_csv(io.BytesIO(out), dtype=str, keep_default_na=False)
    df["w"] = [str(1 + (i * 7919) % 5 / 2) for i in range(len(df))]  # unequal survey weights
    path = tmp_path_factory.mktemp("parity") / "scores.csv"
    df.to_csv(path, index=False)
    return path


def _cli(tmp: Path, scores: Path, *args: object) -> dict[str, pd.DataFrame]:
    paths = {k: tmp / f"{k}.csv" for k in TABLES}
    run_cli("integrate", "--individual", scores, "--community", COMMUNITY, "--structural", STRUCTURAL,
            *[x for k, opt in TABLES.items() for x in (opt, paths[k])], "-q", *args).ok()
    return {k: pd.read_csv(p, dtype=str, keep_default_na=False) for k, p in paths.items()}


def _missing(b: Any) -> bool:
    return b is None or b is pd.NA or (isinstance(b, float) and math.isnan(b))


def _same(cli: pd.DataFrame, py: pd.DataFrame, min_n: int, what: str) -> None:
    """Every cell of the CLI's CSV equals Python's: text exactly, counts exactly (a
    suppressed count is NA in Python, "<N" in the CSV), numbers to the last bit."""
    assert list(cli.columns) == list(py.columns), what
    assert len(cli) == len(py), what
    for c in cli.columns:
        col = py[c]
        for i, (a, b) in enumerate(zip(cli[c], col.astype(object))):
            if isinstance(b, (bool, np.bool_)):
                assert a == ("true" if b else "false"), (what, c, i)
            elif isinstance(b, list):
                assert a == " ".join(map(str, b)), (what, c, i)
            elif _missing(b):
                assert a in ("", f"<{min_n}"), (what, c, i, a)
            elif isinstance(b, str):
                assert a == b, (what, c, i)
            else:
                assert float(a) == float(b), (what, c, i, a, b)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((), {}),
        (("--host", HOST), {"host": HOST}),
        (("--host", HOST, "--by", "round"), {"host": HOST, "by": "round"}),
        (("--weight", "w", "--by", "round", "--min-respondents", "3"), {"weight": "w", "by": ["round"],
                                                                         "min_respondents": 3}),
    ],
)
def test_every_table_equals_the_command_line(tmp_path: Path, scores_csv: Path, args: tuple[Any, ...],
                                             kwargs: dict[str, Any]) -> None:
    cli = _cli(tmp_path, scores_csv, *args)
    py = reinscore.integrate(scores_csv, community=COMMUNITY, structural=STRUCTURAL, **kwargs)
    min_n = int(kwargs.get("min_respondents", 10))
    for name in TABLES:
        _same(cli[name], getattr(py, name), min_n, name)
    # The report behind the frames renders the same CSV as the command line wrote.
    assert py.report.table("countries").render("csv") == (tmp_path / "per_country.csv").read_text(encoding="utf-8")


def test_frames_give_the_numbers_of_files(tmp_path: Path, scores_csv: Path) -> None:
    """Data frames (numeric columns as numbers) through Python, files through the CLI."""
    cli = _cli(tmp_path, scores_csv, "--host", HOST, "--by", "round")
    frame = pd.read_csv(scores_csv)  # round, scores and weights as numbers
    py = reinscore.integrate(frame, community=pd.read_csv(COMMUNITY, dtype=str, keep_default_na=False),
                             structural=pd.read_csv(STRUCTURAL, dtype=str, keep_default_na=False),
                             host=pd.read_csv(HOST, dtype=str, keep_default_na=False), by="round")
    for name in ("per_community", "per_country"):
        _same(cli[name], getattr(py, name), 10, name)
    levels = [c for c in cli["per_interview"].columns if c.endswith(("_community", "_structural", "_integrated"))]
    _same(cli["per_interview"][levels], py.per_interview[levels], 10, "per_interview")
    # Rows of a frame are its 1-based positions; the rest of the problems table is the same.
    assert py.problems["key"].tolist() == cli["problems"]["key"].tolist()
    assert py.problems["count"].tolist() == cli["problems"]["count"].astype(int).tolist()
