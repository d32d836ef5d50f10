"""reinscore.plot: what is drawn matches the scores, and matplotlib stays optional."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import reinscore

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "examples" / "rss_sample.csv"
SCORES = ["economic", "social", "psychosocial", "composite"]
COUNTRIES = ["LSO", "MOZ", "MWI", "ZMB", "ZWE"]


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    return reinscore.score(df, id="interview_id", keep=["returnee_id", "country", "round"])


@pytest.fixture
def plt() -> Iterator[Any]:
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    from matplotlib import pyplot

    yield pyplot
    pyplot.close("all")


@pytest.fixture
def rp(plt: Any) -> Any:
    import reinscore.plot

    return reinscore.plot


def returnee_with_rounds(scores: pd.DataFrame, rounds: list[str]) -> str:
    seen = scores.groupby("returnee_id")["round"].agg(lambda r: sorted(r))
    hit = seen[seen.map(lambda r: r == rounds)]
    assert len(hit), f"no returnee seen in rounds {rounds}"
    return str(hit.index[0])


# -- matplotlib is optional -------------------------------------------------------------
def test_import_reinscore_does_not_import_matplotlib() -> None:
    code = (
        "import reinscore, sys; assert 'matplotlib' not in sys.modules; "
        "import reinscore.plot; assert 'matplotlib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_matplotlib_a_plot_names_the_extra(
    scores: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reinscore.plot as rp

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    for draw in (
        lambda: rp.distributions(scores),
        lambda: rp.profile(scores, "R00001"),
        lambda: rp.by_round(scores),
    ):
        with pytest.raises(ImportError, match=r"pip install reinscore\[plot\]"):
            draw()


# -- distributions ----------------------------------------------------------------------
def box_extent(patch: Any) -> tuple[float, float]:
    y = patch.get_path().vertices[:, 1]
    return float(y.min()), float(y.max())


def test_distributions_one_box_per_score(rp: Any, scores: pd.DataFrame) -> None:
    ax = rp.distributions(scores)
    assert [t.get_text() for t in ax.get_xticklabels()] == SCORES
    assert len(ax.patches) == 4
    assert ax.get_legend() is None
    for patch, s in zip(ax.patches, SCORES):
        q1, q3 = np.nanpercentile(scores[s].to_numpy(float), [25, 75])
        assert box_extent(patch) == pytest.approx((q1, q3))


def test_distributions_by_group(rp: Any, scores: pd.DataFrame) -> None:
    ax = rp.distributions(scores, by="country")
    assert len(ax.patches) == 4 * 5
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "country"
    assert [t.get_text() for t in legend.get_texts()] == COUNTRIES
    colours = [p.get_facecolor() for p in ax.patches]
    assert scores[SCORES].isna().any().all()  # every score has missing values to leave out
    for i, s in enumerate(SCORES):
        for j, c in enumerate(COUNTRIES):
            patch = ax.patches[i * 5 + j]
            v = scores.loc[scores["country"] == c, s].to_numpy(float)
            q1, q3 = np.nanpercentile(v, [25, 75])
            assert box_extent(patch) == pytest.approx((q1, q3))
            assert colours[i * 5 + j] == colours[j]  # one colour per group
    assert len({tuple(c) for c in colours[:5]}) == 5


def test_distributions_leaves_out_missing(rp: Any, scores: pd.DataFrame) -> None:
    s = scores.copy()
    s.loc[s["country"] == "LSO", "economic"] = np.nan
    ax = rp.distributions(s, by="country", dimensions=["economic", "social"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["economic", "social"]
    assert len(ax.patches) == 2 * 5 - 1  # no economic box for LSO


def test_distributions_by_round_on_given_axes(plt: Any, rp: Any, scores: pd.DataFrame) -> None:
    _fig, ax = plt.subplots()
    out = rp.distributions(scores, by="round", dimensions=["composite"], ax=ax)
    assert out is ax
    assert len(ax.patches) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["1", "2", "3"]


def test_distributions_unknown_column(rp: Any, scores: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="missing_column"):
        rp.distributions(scores, by="community_id")


# -- profile ----------------------------------------------------------------------------
def test_profile_three_rounds(rp: Any, scores: pd.DataFrame) -> None:
    rid = returnee_with_rounds(scores, ["1", "2", "3"])
    rows = scores[scores["returnee_id"] == rid].sort_values("round")
    ax = rp.profile(scores, rid)
    assert len(ax.lines) == 4
    assert [line.get_label() for line in ax.lines] == SCORES
    for line, s in zip(ax.lines, SCORES):
        np.testing.assert_array_equal(line.get_xdata(), [1.0, 2.0, 3.0])
        np.testing.assert_allclose(line.get_ydata(), rows[s].to_numpy(float))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    assert rid not in ax.get_title()  # identifiers only on request (show_id=True)
    # the lowest dimension of each interview is circled
    (marks,) = ax.collections
    assert marks.get_label() == "lowest dimension"
    expected = [
        (float(r["round"]), float(r[str(r["lowest_dimension"])]))
        for _, r in rows.iterrows()
        if pd.notna(r["lowest_dimension"])
    ]
    np.testing.assert_allclose(marks.get_offsets(), expected)


def test_profile_gap_in_rounds(rp: Any, scores: pd.DataFrame) -> None:
    rid = returnee_with_rounds(scores, ["1", "3"])
    ax = rp.profile(scores, rid)
    assert len(ax.lines) == 4
    for line in ax.lines:
        np.testing.assert_array_equal(line.get_xdata(), [1.0, 3.0])


def test_profile_missing_scores_are_gaps(rp: Any, scores: pd.DataFrame) -> None:
    bad = scores[scores["status"] == "insufficient"].iloc[0]
    ax = rp.profile(scores, bad["returnee_id"])
    composite = ax.lines[3]
    pos = list(composite.get_xdata()).index(float(bad["round"]))
    assert np.isnan(composite.get_ydata()[pos])
    assert len(ax.collections[0].get_offsets()) == len(composite.get_xdata()) - 1


def test_profile_unknown_returnee(rp: Any, scores: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="not in the scores"):
        rp.profile(scores, "R99999")


def test_profile_two_interviews_in_a_round(rp: Any, scores: pd.DataFrame) -> None:
    s = scores.copy()
    s.loc[s["returnee_id"] == "R00002", "round"] = "1"
    with pytest.raises(ValueError, match="more than one interview"):
        rp.profile(s, "R00002")


# -- by_round ---------------------------------------------------------------------------
def bars(container: Any) -> np.ndarray:
    """(low, high) of each error bar of an errorbar container (NaN where none is drawn)."""
    (segments,) = container.lines[2]
    return np.array(
        [[seg[0][1], seg[1][1]] if len(seg) else [np.nan, np.nan]
         for seg in segments.get_segments()]
    )


def domain_interval(scores: pd.DataFrame, by: str, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean and half-width of the linearised interval of a domain mean in a simple random
    sample of N interviews (each its own PSU), written out here with numpy and scipy:
    z_i = (y_i - mean_d) / n_d in the domain, 0 outside; v = N / (N - 1) sum (z_i - zbar)^2;
    half = t(0.975, N - 1) sqrt(v). What R's svyby(~y, ~by, svydesign(ids = ~1), svymean,
    na.rm = TRUE) computes."""
    from scipy import stats

    n_all = len(scores)
    t = stats.t.ppf(0.975, n_all - 1)
    means, halves = {}, {}
    for c in columns:
        y = scores[c].to_numpy(dtype=float)
        m, h = {}, {}
        for level in sorted(scores[by].unique(), key=str):
            d = (scores[by] == level).to_numpy() & ~np.isnan(y)
            mean = y[d].mean()
            z = np.where(d, (np.where(d, y, 0) - mean) / d.sum(), 0.0)
            v = n_all / (n_all - 1) * ((z - z.mean()) ** 2).sum()
            m[level], h[level] = mean, t * np.sqrt(v)
        means[c], halves[c] = m, h
    return pd.DataFrame(means), pd.DataFrame(halves)


def test_by_round_means_and_intervals(rp: Any, scores: pd.DataFrame) -> None:
    ax = rp.by_round(scores)
    assert [c.get_label() for c in ax.containers] == SCORES
    mean, half = domain_interval(scores, "round", SCORES)
    assert list(mean.index) == ["1", "2", "3"]
    for c, s in zip(ax.containers, SCORES):
        line = c.lines[0]
        np.testing.assert_allclose(line.get_ydata(), mean[s].to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(line.get_xdata(), [1, 2, 3], atol=0.2)
        np.testing.assert_allclose(
            bars(c), np.c_[mean[s] - half[s], mean[s] + half[s]], rtol=1e-9
        )
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    assert "simple random sample" in ax.get_ylabel()


def test_by_round_follows_the_design(rp: Any, scores: pd.DataFrame) -> None:
    """With a design, the bars are survey_summary's (the C++ estimator's) intervals, which
    clustering widens."""
    s = scores.assign(w=1.0 + (np.arange(len(scores)) % 3))
    ax = rp.by_round(s, dimensions=["composite"], weight="w", cluster="country")
    est = reinscore.survey_summary(s, by="round", weight="w", cluster="country").estimates
    est = est[(est["variable"] == "composite") & (est["statistic"] == "mean")]
    np.testing.assert_allclose(bars(ax.containers[0]), est[["lo", "hi"]].to_numpy(), rtol=1e-12)
    plain = rp.by_round(scores, dimensions=["composite"])
    assert np.all(np.diff(bars(ax.containers[0]), axis=1) > np.diff(bars(plain.containers[0]), axis=1))
    assert "design-based" in ax.get_ylabel()


def test_plots_mark_provisional_numbers(rp: Any, scores: pd.DataFrame) -> None:
    marked = [t.get_text() for t in rp.by_round(scores).texts]
    assert "PROVISIONAL numbers" in marked  # the shipped instrument is provisional
    assert "PROVISIONAL numbers" in [t.get_text() for t in rp.distributions(scores).texts]
    off = rp.by_round(scores, provisional=False)
    assert "PROVISIONAL numbers" not in [t.get_text() for t in off.texts]


def test_by_round_by_group(rp: Any, scores: pd.DataFrame) -> None:
    ax = rp.by_round(scores, by="country", dimensions=["composite"])
    assert [c.get_label() for c in ax.containers] == COUNTRIES
    mean = scores.groupby(["country", "round"])["composite"].mean()
    for c, country in zip(ax.containers, COUNTRIES):
        np.testing.assert_allclose(c.lines[0].get_ydata(), mean[country].to_numpy())
    ax = rp.by_round(scores, by="country", dimensions=["economic", "social"])
    labels = [c.get_label() for c in ax.containers]
    assert labels[:3] == ["economic, LSO", "social, LSO", "economic, MOZ"]
    assert len(labels) == 2 * 5


def test_by_round_orders_rounds_as_numbers(rp: Any, scores: pd.DataFrame) -> None:
    s = scores.copy()
    s["round"] = s["round"].map({"1": "9", "2": "10", "3": "11"})
    ax = rp.by_round(s, dimensions=["social"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["9", "10", "11"]
    expected = s.groupby("round")["social"].mean()[["9", "10", "11"]]
    np.testing.assert_allclose(ax.containers[0].lines[0].get_ydata(), expected.to_numpy())


def test_by_round_single_interview(rp: Any, scores: pd.DataFrame) -> None:
    s = pd.concat([scores, scores.iloc[[0]].assign(round="4")])
    # Asked for (min_cell=0): the domain estimator gives one interview a standard error of
    # 0 within the whole design (as R's svyby does), so its bar has no length.
    ax = rp.by_round(s, dimensions=["social"], min_cell=0)
    ((low, high),) = bars(ax.containers[0])[3:]
    assert low == high == pytest.approx(scores["social"].iloc[0])
    assert ax.containers[0].lines[0].get_ydata()[3] == pytest.approx(scores["social"].iloc[0])
    # Below min_cell, the round is not drawn at all.
    ax = rp.by_round(s, dimensions=["social"])
    assert np.isnan(ax.containers[0].lines[0].get_ydata()[3])


