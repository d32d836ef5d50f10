"""reinscore.summarize: group means and status shares (the same C++ computation as
`reinscore summarize`; tests/parity compares the two faces digit for digit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import DIMS, STATUSES

MEANS = [f"mean_{c}" for c in (*DIMS, "composite")]
SHARES = [f"share_{s}" for s in STATUSES]


def test_columns_and_typed_keys(sample_scores: pd.DataFrame) -> None:
    t = reinscore.summarize(sample_scores, by="round").table
    assert list(t.columns) == ["round", "n", *MEANS, *SHARES, "suppressed"]
    # A numeric key is typed: it sorts as numbers and comes back as integers.
    assert str(t["round"].dtype) == "Int64" and t["round"].tolist() == [1, 2, 3]
    assert t["n"].tolist() == [2000, 1778, 1478]
    assert not t["suppressed"].any()


def test_equals_pandas_groupby(sample_scores: pd.DataFrame) -> None:
    got = reinscore.summarize(sample_scores, by="round").table.set_index("round")
    frame = sample_scores.assign(round=sample_scores["round"].astype(int))
    groups = frame.groupby("round", observed=True)
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


def test_overall(sample_scores: pd.DataFrame) -> None:
    got = reinscore.summarize(sample_scores)
    t = got.table
    assert len(t) == 1 and t["n"].iloc[0] == 5256 and got.by == []
    assert abs(t["mean_composite"].iloc[0] - sample_scores["composite"].mean()) < 1e-12


def test_row_order_does_not_matter(sample_scores: pd.DataFrame) -> None:
    a = reinscore.summarize(sample_scores, by="round").table
    b = reinscore.summarize(sample_scores.sample(frac=1, random_state=5), by="round").table
    pd.testing.assert_frame_equal(a, b, rtol=1e-13, atol=0)


def test_min_cell_suppression(sample_scores: pd.DataFrame) -> None:
    got = reinscore.summarize(sample_scores, by="round", min_cell=1779)
    t = got.table
    assert got.min_cell == 1779
    assert t["suppressed"].tolist() == [False, True, True]
    assert t["n"].iloc[0] == 2000 and t["n"].iloc[1:].isna().all()
    assert t.loc[1:, [*MEANS, *SHARES]].isna().all().all(), "nothing of a small group is shown"
    assert t.loc[0, [*MEANS, *SHARES]].notna().all()
    html = got._repr_html_()
    assert "2 group(s) with fewer than 1779 interviews suppressed" in html and "&lt;1779" in html
    # the limit is "fewer than": a group of exactly min_cell is shown
    exact = reinscore.summarize(sample_scores, by="round", min_cell=1478).table
    assert not exact["suppressed"].any()
    assert got.report.render("csv").splitlines()[2].startswith("2,<1779,")


def test_errors(sample_scores: pd.DataFrame) -> None:
    with pytest.raises(reinscore.InputError, match=r"column 'sex'.*missing_column") as e:
        reinscore.summarize(sample_scores, by="sex")
    assert (e.value.rule, e.value.column, e.value.row) == ("missing_column", "sex", None)
    assert isinstance(e.value, ValueError)
    with pytest.raises(reinscore.InputError, match="min_cell must be a whole number") as o:
        reinscore.summarize(sample_scores, min_cell=-1)
    assert (o.value.rule, o.value.option) == ("bad_option", "min_cell")
    mixed = sample_scores.copy()
    mixed.loc[mixed.index[3], "instrument"] = "iom-rss@9#ffffffffffff"
    with pytest.raises(reinscore.InputError, match="iom-rss@9#ffffffffffff") as m:
        reinscore.summarize(mixed)
    assert m.value.rule == "mixed_instruments" and m.value.row == 4
    assert len(reinscore.summarize(mixed, allow_mixed=True).table) == 1


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
