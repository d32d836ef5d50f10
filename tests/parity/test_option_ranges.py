"""Whole-number options through both faces: a negative value is refused by the Request's
own check (include/reinscore/app), naming the option and the rule, never by a type
conversion of one face (Python's TypeError, Boost reading "-1" as 2^64 - 1)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import reinscore
from _helpers import SAMPLE, run_cli


@pytest.fixture(scope="module")
def scores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    out = run_cli("score", SAMPLE, "--keep", "returnee_id", "--keep", "round", "-q").ok().out
    path = tmp_path_factory.mktemp("ranges") / "scores.csv"
    path.write_bytes(out)
    return path, pd.read_csv(path, dtype=str, keep_default_na=False)


def _python_option(call: Callable[[], Any]) -> reinscore.InputError:
    with pytest.raises(reinscore.InputError) as e:
        call()
    return e.value


@pytest.mark.parametrize("value", [-1, -(2**62)])
def test_negative_whole_numbers_name_the_option(scores: tuple[Path, pd.DataFrame], value: int) -> None:
    path, frame = scores
    cases: list[tuple[list[object], Callable[[], Any], str]] = [
        (["panel", path, "--min-cell", value], lambda: reinscore.panel(frame, min_cell=value), "min_cell"),
        (
            ["summarize", path, "--min-cell", value],
            lambda: reinscore.survey_summary(frame, min_cell=value),
            "min_cell",
        ),
        (
            ["summarize", path, "--ci", "bootstrap", "--seed", value],
            lambda: reinscore.survey_summary(frame, ci="bootstrap", seed=value),
            "seed",
        ),
        (
            ["sensitivity", SAMPLE, "--draws", value],
            lambda: reinscore.sensitivity(SAMPLE, draws=value),
            "draws",
        ),
        (
            ["sensitivity", SAMPLE, "--seed", value],
            lambda: reinscore.sensitivity(SAMPLE, seed=value),
            "seed",
        ),
        (
            ["sensitivity", SAMPLE, "--threads", value],
            lambda: reinscore.sensitivity(SAMPLE, threads=value),
            "threads",
        ),
    ]
    for args, call, option in cases:
        r = run_cli(*args)
        cli_option = "--" + option.replace("_", "-")
        assert r.code == 2, (args, r.err)
        assert f"{cli_option} must be a whole number from" in r.err and "[bad_option]" in r.err, r.err
        e = _python_option(call)
        assert (e.rule, e.option) == ("bad_option", option), (option, str(e))
        assert f"{option} must be a whole number from" in str(e)


def test_negative_min_respondents(scores: tuple[Path, pd.DataFrame]) -> None:
    path, frame = scores
    files = ["--individual", path, "--community", path, "--structural", path]
    r = run_cli("integrate", *files, "--min-respondents", -1)
    assert r.code == 2 and "--min-respondents must be a whole number from 1" in r.err, r.err
    e = _python_option(lambda: reinscore.integrate(frame, frame, frame, min_respondents=-1))
    assert (e.rule, e.option) == ("bad_option", "min_respondents")


@pytest.mark.parametrize("option", ["--threads", "--chunk-rows"])
def test_score_refuses_negative_counts(option: str) -> None:
    r = run_cli("score", SAMPLE, option, -1, "-q")
    assert r.code == 2 and f"{option} must be a whole number from 1" in r.err, r.err
    assert r.out == b""
