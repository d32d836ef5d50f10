"""sensitivity through the command line and through Python, on the same inputs: every
per-interview cell at full precision (the CSV keeps every digit), every key of the summary,
from a path and from a DataFrame, in each mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import SAMPLE, assert_matches_cli, read_text_csv, run_cli, write_csv


@pytest.mark.parametrize("mode", ["perturb", "methods", "both"])
def test_rows_and_summary_are_the_same(tmp_path: Path, mode: str) -> None:
    summary = tmp_path / "summary.json"
    r = run_cli("sensitivity", SAMPLE, "--draws", "25", "--seed", "9", "--mode", mode,
                "--bound", "0.3", "--level", "0.8", "--id", "interview_id", "--keep", "round",
                "--summary", summary, "-q").ok()
    doc = json.loads(summary.read_text(encoding="utf-8"))
    for data in (SAMPLE, read_text_csv(SAMPLE)):
        py = reinscore.sensitivity(data, draws=25, seed=9, mode=mode, bound=0.3, level=0.8,
                                   id="interview_id", keep=["round"], threads=2)
        assert_matches_cli(py.interviews, r.frame, tol=0)
        assert py.summary == doc
        assert list(py.summary) == list(doc), "the same keys in the same order"
        assert len(py.draws) == 25
        if mode != "perturb":
            counts = py.draws["method"].value_counts()
            assert doc["method_draws"] == {k: int(counts[k]) for k in doc["method_draws"]}


def test_fits_weighted_by_a_column(tmp_path: Path) -> None:
    df = read_text_csv(SAMPLE)
    df = df.assign(w=[str(1 + (i % 3)) for i in range(len(df))])
    path = write_csv(tmp_path / "w.csv", df)
    summary = tmp_path / "s.json"
    r = run_cli("sensitivity", path, "--draws", "15", "--mode", "both", "--weight", "w",
                "--composite", "pca", "--missing", "complete", "--summary", summary, "-q").ok()
    for data in (path, df):
        py = reinscore.sensitivity(data, draws=15, mode="both", weight="w", composite="pca",
                                   missing="complete")
        assert_matches_cli(py.interviews, r.frame, tol=0)
        assert py.summary == json.loads(summary.read_text(encoding="utf-8"))


def test_frame_keeps_its_index_and_dtypes() -> None:
    df = read_text_csv(SAMPLE).head(300)
    df.index = pd.RangeIndex(1000, 1300)
    df["n"] = np.arange(300)
    py = reinscore.sensitivity(df, draws=5, id="interview_id", keep=["n"])
    assert py.interviews.index.equals(df.index)
    assert py.interviews["n"].dtype == df["n"].dtype
    assert py.interviews["status"].dtype == "category"
    assert list(py.interviews.columns[:2]) == ["interview_id", "n"]


@pytest.mark.parametrize(
    ("kwargs", "cli_args", "option"),
    [
        ({"bound": 1.0}, ["--bound", "1"], "bound"),
        ({"draws": 0}, ["--draws", "0"], "draws"),
        ({"mode": "random"}, ["--mode", "random"], "mode"),
        ({"weight": "age"}, ["--weight", "age"], "weight"),
        ({"level": 1.0}, ["--level", "1"], "level"),
    ],
)
def test_option_errors_are_the_same(kwargs: dict[str, Any], cli_args: list[str], option: str) -> None:
    r = run_cli("sensitivity", SAMPLE, *cli_args)
    assert r.code == 2
    cli_message = r.err.strip().removeprefix("reinscore sensitivity: ")
    with pytest.raises(reinscore.InputError) as e:
        reinscore.sensitivity(SAMPLE, **kwargs)
    assert e.value.option == option
    assert str(e.value) == cli_message.replace("--", "")


def test_missing_column_is_the_same() -> None:
    r = run_cli("sensitivity", SAMPLE, "--id", "nope")
    for data in (SAMPLE, read_text_csv(SAMPLE).head(20)):
        with pytest.raises(reinscore.InputError) as e:
            reinscore.sensitivity(data, id="nope", draws=2)
        assert e.value.rule == "missing_column" and e.value.column == "nope"
        assert str(e.value) in r.err
