"""reinscore.summarize: group means and status shares, as `reinscore summarize`."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import DIMS, SAMPLE, STATUSES, CliRun, run_cli

MEANS = [f"mean_{c}" for c in (*DIMS, "composite")]
SHARES = [f"share_{s}" for s in STATUSES]


def _fmt4(x: object) -> str:
    return "" if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)) else f"{x:.4f}"


@pytest.fixture(scope="module")
def scores_file(cli_sample: CliRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("summary") / "scores.csv"
    path.write_bytes(cli_sample.out)
    return path


def _cli_summary(scores_file: Path, *args: object) -> pd.DataFrame:
    return run_cli("summarize", scores_file, "--format", "csv", *args).ok().frame


def test_by_round_equals_cli(sample_scores: pd.DataFrame, scores_file: Path) -> None:
    got = reinscore.summarize(sample_scores, by="round")
    want = _cli_summary(scores_file, "--by", "round")
    t = got.table
    assert list(t.columns) == ["round", "n", *MEANS, *SHARES, "suppressed"]
    assert list(want.columns) == ["round", "n", *MEANS, *SHARES]
    assert t["round"].tolist() == want["round"].tolist() == ["1", "2", "3"]
    assert [str(n) for n in t["n"]] == want["n"].tolist() == ["2000", "1778", "1478"]
    for c in [*MEANS, *SHARES]:
        assert [_fmt4(x) for x in t[c]] == want[c].tolist(), c
    assert not t["suppressed"].any()


def test_by_two_columns_equals_cli(sample_df: pd.DataFrame, tmp_path: Path, cli: Path) -> None:
    scores = reinscore.score(sample_df, id="interview_id", keep=["round", "sex"])
    got = reinscore.summarize(scores, by=["round", "sex"]).table
    path = tmp_path / "scores.csv"
    path.write_bytes(run_cli("score", SAMPLE, "--id", "interview_id", "--keep", "round", "--keep",
                             "sex", "-q").ok().out)
    want = _cli_summary(path, "--by", "round", "--by", "sex")
    assert got[["round", "sex"]].astype(str).to_dict("list") == want[["round", "sex"]].to_dict("list")
    assert [str(n) for n in got["n"]] == want["n"].tolist()
    for c in [*MEANS, *SHARES]:
        assert [_fmt4(x) for x in got[c]] == want[c].tolist(), c


def test_equals_pandas_groupby(sample_scores: pd.DataFrame) -> None:
    got = reinscore.summarize(sample_scores, by="round").table.set_index("round")
    groups = sample_scores.groupby("round", observed=True)
    assert got["n"].tolist() == groups.size().tolist()
    for d in (*DIMS, "composite"):
        # missing scores are left out of the means, never counted as 0
        want = groups[d].mean()
        np.testing.assert_allclose(got[f"mean_{d}"].to_numpy(dtype=float), want.to_numpy(), rtol=0, atol=1e-12)
        with_zeros = groups[d].apply(lambda s: s.fillna(0).mean())
        assert not np.allclose(got[f"mean_{d}"].to_numpy(dtype=float), with_zeros.to_numpy(), atol=1e-9)
    for s in STATUSES:
        share = groups["status"].apply(lambda x, s=s: float((x == s).mean()))
        np.testing.assert_allclose(got[f"share_{s}"].to_numpy(dtype=float), share.to_numpy(), atol=1e-12)
    shares = got[SHARES].to_numpy(dtype=float).sum(axis=1)
    np.testing.assert_allclose(shares, 1.0, atol=1e-12)


def test_overall(sample_scores: pd.DataFrame, scores_file: Path) -> None:
    got = reinscore.summarize(sample_scores)
    t = got.table
    assert len(t) == 1 and t["n"].iloc[0] == 5256 and got.by == []
    want = _cli_summary(scores_file)
    for c in [*MEANS, *SHARES]:
        assert _fmt4(t[c].iloc[0]) == want[c].iloc[0], c
    assert math.isclose(t["mean_composite"].iloc[0], sample_scores["composite"].mean(), abs_tol=1e-12)


def test_min_cell_suppression(sample_scores: pd.DataFrame, scores_file: Path) -> None:
    got = reinscore.summarize(sample_scores, by="round", min_cell=1779)
    t = got.table
    assert got.min_cell == 1779
    assert t["suppressed"].tolist() == [False, True, True]
    assert t["n"].iloc[0] == 2000 and t["n"].iloc[1:].isna().all()
    assert t.loc[1:, [*MEANS, *SHARES]].isna().all().all(), "nothing of a small group is shown"
    assert t.loc[0, [*MEANS, *SHARES]].notna().all()
    want = _cli_summary(scores_file, "--by", "round", "--min-cell", 1779)
    assert want["n"].tolist() == ["2000", "<1779", "<1779"]
    for c in [*MEANS, *SHARES]:
        assert [_fmt4(x) for x in t[c]] == want[c].tolist(), c
    assert "2 group(s) with fewer than 1779 interviews suppressed" in got._repr_html_()
    # the limit is "fewer than": a group of exactly min_cell is shown
    exact = reinscore.summarize(sample_scores, by="round", min_cell=1478).table
    assert not exact["suppressed"].any()


def test_errors(sample_scores: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"column 'sex'.*missing_column"):
        reinscore.summarize(sample_scores, by="sex")


def test_from_dataframe_scores_with_nan(sample_df: pd.DataFrame) -> None:
    """Scores of a DataFrame: invalid rows (NaN) are left out of the means."""
    scores = reinscore.score(sample_df, keep=["round"])
    t = reinscore.summarize(scores, by="round", min_cell=1).table
    valid = scores[scores["status"] != "invalid"]
    np.testing.assert_allclose(
        t["mean_economic"].to_numpy(dtype=float),
        valid.groupby("round")["economic"].mean().to_numpy(),
        atol=1e-12,
    )
