"""summarize through the command line and through Python, on the same scores, compared at
full precision (CSV keeps every digit): plain, weighted with a design, linearised and
bootstrap intervals, differences, suppression, and scores computed elsewhere."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import SAMPLE, run_cli


@pytest.fixture(scope="module")
def scores_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = run_cli("score", SAMPLE, "--id", "interview_id", "--keep", "round", "--keep", "country",
                  "--keep", "community_id", "--keep", "sex", "-q").ok().out
    df = pd.read_csv(io.BytesIO(out), dtype=str, keep_default_na=False)
    # A design weight, deterministic and unequal.
    df["w"] = [str(1 + (i * 7919) % 5 / 2) for i in range(len(df))]
    path = tmp_path_factory.mktemp("parity") / "scores.csv"
    df.to_csv(path, index=False)
    return path


def _cli(path: Path, *args: object) -> pd.DataFrame:
    out = run_cli("summarize", path, "--format", "csv", *args).ok().out
    return pd.read_csv(io.BytesIO(out), dtype=str, keep_default_na=False)


def _same(cli: pd.DataFrame, py: pd.DataFrame) -> None:
    """Every column of the CLI's CSV equals Python's frame: keys as text, counts exactly,
    numbers to the last bit (the CSV holds the shortest round-trip form)."""
    assert list(cli.columns) == [c for c in py.columns if c != "suppressed"]
    assert len(cli) == len(py)
    for c in cli.columns:
        for i, (a, b) in enumerate(zip(cli[c], py[c])):
            if b is None or b is pd.NA or (isinstance(b, float) and math.isnan(b)):
                assert a == "" or a.startswith("<"), (c, i, a)
            elif isinstance(b, str):
                assert a == b, (c, i)
            else:
                assert float(a) == float(b), (c, i, a, b)


@pytest.mark.parametrize("by", [[], ["round"], ["country", "sex"]])
def test_plain(scores_csv: Path, by: list[str]) -> None:
    args = [x for b in by for x in ("--by", b)]
    py = reinscore.summarize(pd.read_csv(scores_csv, dtype=str, keep_default_na=False), by=by, min_cell=300)
    _same(_cli(scores_csv, *args, "--min-cell", 300), py.table)


@pytest.mark.parametrize("ci", ["linearization", "bootstrap"])
def test_survey_with_design_and_differences(scores_csv: Path, ci: str) -> None:
    frame = pd.read_csv(scores_csv)  # numeric columns as numbers: the same results
    extra = ["--replicates", 40, "--seed", 7] if ci == "bootstrap" else []
    cli = _cli(scores_csv, "--by", "country", "--by", "round", "--weight", "w", "--strata", "country",
               "--cluster", "community_id", "--ci", ci, "--compare", "round:1", "--singleton", "certainty",
               *extra)
    py = reinscore.survey_summary(frame, by=["country", "round"], weight="w", strata="country",
                                  cluster="community_id", ci=ci, compare=("round", 1), singleton="certainty",
                                  **({"replicates": 40, "seed": 7} if ci == "bootstrap" else {}))
    _same(cli, py.wide())
    # The long tables are the same numbers.
    est = py.estimates
    row = est[(est["country"] == "LSO") & (est["round"] == 2) & (est["variable"] == "composite")
              & (est["statistic"] == "mean")]
    line = cli[(cli["country"] == "LSO") & (cli["round"] == "2")]
    assert float(line["mean_composite"].iloc[0]) == row["estimate"].iloc[0]
    assert float(line["se_mean_composite"].iloc[0]) == row["se"].iloc[0]


def test_suppression_and_threshold(scores_csv: Path) -> None:
    frame = pd.read_csv(scores_csv, dtype=str, keep_default_na=False)
    cli = _cli(scores_csv, "--by", "round", "--threshold", 0.55, "--min-cell", 1500)
    py = reinscore.survey_summary(frame, by="round", threshold=0.55, min_cell=1500, ci=None)
    _same(cli, py.wide())
    assert cli["n"].tolist()[2] == "<1500"
    assert py.wide()["n"].isna().tolist() == [False, False, True]


def test_scores_computed_elsewhere(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"round": rng.integers(1, 12, 400), "composite": rng.random(400)})
    df.loc[::17, "composite"] = np.nan
    path = tmp_path / "own.csv"
    df.to_csv(path, index=False)
    _same(_cli(path, "--by", "round", "--min-cell", 0), reinscore.summarize(df, by="round", min_cell=0).table)
    cli = _cli(path, "--by", "round", "--min-cell", 0, "--ci", "linearization", "--threshold", 0.5)
    _same(cli, reinscore.survey_summary(df, by="round", min_cell=0, threshold=0.5).wide())
    assert cli["round"].tolist() == [str(k) for k in range(1, 12)]


def test_errors_are_the_same(scores_csv: Path) -> None:
    frame = pd.read_csv(scores_csv, dtype=str, keep_default_na=False)
    frame.loc[5, "w"] = "heavy"
    bad = scores_csv.parent / "bad.csv"
    frame.to_csv(bad, index=False)
    r = run_cli("summarize", bad, "--weight", "w")
    assert r.code == 2 and "row 7: column 'w':" in r.err and "[invalid_weight]" in r.err
    with pytest.raises(reinscore.InputError) as e:
        reinscore.survey_summary(frame, weight="w")
    assert (e.value.rule, e.value.row, e.value.column) == ("invalid_weight", 6, "w")
    assert "heavy" not in str(e.value) and "heavy" not in r.err
