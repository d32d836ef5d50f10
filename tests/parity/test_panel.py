"""panel through the command line and through Python on the same scores, compared at full
precision (CSV keeps every digit): every table (changes, transitions, attrition,
per-returnee, interviews, date problems), plain and weighted, with and without
suppression, from text and from typed columns, and the errors.

Rows are the one difference by design: a file's rows count the header (the first data
row is 2, as a spreadsheet shows it), a DataFrame's rows start at 1."""

from __future__ import annotations

import io
import math
import re
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import reinscore
from _helpers import SAMPLE, run_cli

KEEP = ["returnee_id", "round", "interview_date", "return_date"]
ROW_COLUMNS = {"row", "row_from", "row_to"}


@pytest.fixture(scope="module")
def scores_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    keep = [a for k in KEEP for a in ("--keep", k)]
    out = run_cli("score", SAMPLE, "--id", "interview_id", *keep, "-q").ok().out
    df = pd.read_csv(io.BytesIO(out), dtype=str, keep_default_na=False)
    # A design weight, deterministic and unequal.
    df["w"] = [str(1 + (i * 7919) % 5 / 2) for i in range(len(df))]
    # Two date problems: the interviews stay, their months are missing.
    df.loc[10, "return_date"] = "2024-02-30"
    df.loc[40, "interview_date"] = ""
    path = tmp_path_factory.mktemp("parity") / "scores.csv"
    df.to_csv(path, index=False)
    return path


def _cli(path: Path, table: str, *args: object) -> pd.DataFrame:
    out = run_cli("panel", path, "--format", "csv", "--table", table, *args).ok().out
    return pd.read_csv(io.BytesIO(out), dtype=str, keep_default_na=False)


def _file_row(message: str) -> str:
    """A message about a DataFrame's rows as the command line words it for the file."""
    return re.sub(r"\brow (\d+)\b", lambda m: f"row {int(m.group(1)) + 1}", message)


def _same(cli: pd.DataFrame, py: pd.DataFrame, table: str) -> None:
    """Every column of the CLI's CSV equals Python's frame: keys and labels as text,
    counts exactly, numbers to the last bit (the CSV holds the shortest round-trip form)."""
    if table == "interviews":  # Python's frame has the input's index instead
        assert cli["row"].tolist() == [str(i + 2) for i in range(len(py))]
        cli = cli.drop(columns="row")
    assert list(cli.columns) == [c for c in py.columns if c not in ("suppressed", "index")], table
    assert len(cli) == len(py), table
    assert len(cli) > 0 or table == "problems", table
    for c in cli.columns:
        for i, (a, b) in enumerate(zip(cli[c], py[c])):
            if b is None or b is pd.NA or (isinstance(b, float) and math.isnan(b)):
                assert a == "" or a.startswith("<"), (table, c, i, a)
            elif c == "message":
                assert a == _file_row(b), (table, i)
            elif isinstance(b, str):
                assert a == b, (table, c, i)
            elif c in ROW_COLUMNS:
                assert int(a) == int(b) + 1, (table, c, i)
            else:
                assert float(a) == float(b), (table, c, i, a, b)


def _python(frame: pd.DataFrame, **kwargs: Any) -> reinscore.PanelReport:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the date problems
        return reinscore.panel(frame, **kwargs)


def _every_table(path: Path, py: reinscore.PanelReport, *args: object) -> None:
    for table, frame in (("changes", py.changes), ("transitions", py.transitions), ("attrition", py.attrition),
                         ("per-returnee", py.per_returnee), ("interviews", py.interviews),
                         ("problems", py.problems)):
        _same(_cli(path, table, *args), frame, table)


CASES = [
    pytest.param([], {}, id="defaults"),
    pytest.param(["--status", "--min-cell", 0], {"status": True, "min_cell": 0}, id="status-unsuppressed"),
    pytest.param(["--status", "--min-cell", 60], {"status": True, "min_cell": 60}, id="status-min-cell-60"),
    pytest.param(["--weight", "w", "--from", 1, "--to", 3, "--level", 0.9],
                 {"weight": "w", "from_round": 1, "to_round": 3, "level": 0.9}, id="weighted-pair"),
    pytest.param(["--date-column", ""], {"interview_date": None}, id="no-dates"),
]


@pytest.mark.parametrize(("args", "kwargs"), CASES)
def test_every_table_from_text(scores_csv: Path, args: list[object], kwargs: dict[str, Any]) -> None:
    frame = pd.read_csv(scores_csv, dtype=str, keep_default_na=False)
    py = _python(frame, **kwargs)
    _every_table(scores_csv, py, *args)
    if "min_cell" in kwargs and kwargs["min_cell"] == 60:
        assert py.transitions["suppressed"].any() and py.changes["n"].notna().all()


def test_typed_columns_give_the_same(scores_csv: Path) -> None:
    """Numbers handed over as numbers (rounds, weights, scores), dates as datetimes."""
    frame = pd.read_csv(scores_csv, parse_dates=["interview_date"])
    assert frame["round"].dtype.kind == "i" and frame["w"].dtype.kind == "f"
    py = _python(frame, weight="w", status=True, min_cell=5)
    _every_table(scores_csv, py, "--weight", "w", "--status", "--min-cell", 5)


def test_errors_are_the_same(scores_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(scores_csv, dtype=str, keep_default_na=False)
    cases = {
        "duplicate_interview": pd.concat([frame, frame.iloc[[3]]], ignore_index=True),
        "bad_round": frame.assign(round=frame["round"].where(frame.index != 6, "2.5")),
        "invalid_weight": frame.assign(w=frame["w"].where(frame.index != 8, "heavy")),
        "unknown_status": frame.assign(status=frame["status"].where(frame.index != 9, "done")),
        "missing_id": frame.assign(returnee_id=frame["returnee_id"].where(frame.index != 11, "")),
    }
    for rule, bad in cases.items():
        path = tmp_path / f"{rule}.csv"
        bad.to_csv(path, index=False)
        r = run_cli("panel", path, "--weight", "w")
        assert r.code == 2 and f"[{rule}]" in r.err, (rule, r.err)
        with pytest.raises(reinscore.InputError) as e:
            reinscore.panel(bad, weight="w")
        assert e.value.rule == rule
        assert r.err.strip() == "reinscore panel: " + _file_row(str(e.value)), rule
    # Options: the same rule; Python spells the option its own way.
    r = run_cli("panel", scores_csv, "--min-cell", 2_000_000_000)
    with pytest.raises(reinscore.InputError) as e:
        reinscore.panel(frame, min_cell=2_000_000_000)
    assert "[bad_option]" in r.err and e.value.rule == "bad_option" and e.value.option == "min_cell"
