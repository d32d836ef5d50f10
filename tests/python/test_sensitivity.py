"""reinscore.sensitivity: a numpy re-implementation of the perturbation (random numbers
included) on a small case, determinism, bounds, the summary and the draws. The command
line's own tests are in tests/cli/test_sensitivity.py, the comparison of both faces in
tests/parity/test_sensitivity.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import SAMPLE, read_text_csv

MASK64 = (1 << 64) - 1
DIMS = {"a": ["a1", "a2", "a3"], "b": ["b1", "b2"]}
ITEMS = [i for d in DIMS.values() for i in d]
DIM_OF = np.array([0, 0, 0, 1, 1])
ITEM_W = np.array([1.0, 2.0, 1.0, 3.0, 1.0])
DIM_W = np.array([2.0, 1.0])
ITEM_COMP = np.array([1.0, 1.0, 2.0, 1.0, 0.5])
CUTS = [0.0, 0.4, 0.6]


def small_instrument(path: Path, item_mode: bool) -> Path:
    items = {
        i: (
            {"dimension": float(ITEM_W[k]), "composite": float(ITEM_COMP[k])}
            if item_mode
            else {"dimension": float(ITEM_W[k])}
        )
        for k, i in enumerate(ITEMS)
    }
    composite: dict[str, Any] = (
        {"mode": "item"}
        if item_mode
        else {"mode": "dimension", "weights": {"a": DIM_W[0], "b": DIM_W[1]}}
    )
    doc = {
        "format": "reinscore-instrument/1",
        "id": "small",
        "version": "1",
        "dimensions": list(DIMS),
        "scales": {"unit": {"type": "numeric", "min": 0, "max": 1}},
        "items": [
            {"id": i, "dimension": d, "scale": "unit"} for d, its in DIMS.items() for i in its
        ],
        "thresholds": {
            "categories": [{"label": lab, "min": m} for lab, m in zip(["low", "mid", "high"], CUTS)]
        },
        "weight_sets": {"base": {"composite": composite, "items": items}},
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# -- the numpy re-implementation ------------------------------------------------------------------


def replicate_seed(seed: int, r: int) -> int:
    """docs/statistics.md: low 32 bits of SplitMix64 at state seed + (r + 1) * golden."""
    z = (seed + (r + 1) * 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return (z ^ (z >> 31)) & 0xFFFFFFFF


class Uniform:
    """boost::random::uniform_real_distribution(lo, hi) over mt19937 seeded with a 32-bit
    seed: numpy's MT19937 with the classic init_genrand seeding (RandomState's), raw
    32-bit outputs x, u = x / 2^32 * (hi - lo) + lo, redrawn if it rounds to hi."""

    def __init__(self, seed32: int, lo: float, hi: float) -> None:
        legacy = np.random.RandomState(seed32).get_state(legacy=False)
        self.bits = np.random.MT19937()
        self.bits.state = legacy
        self.lo, self.hi = lo, hi

    def __call__(self) -> float:
        while True:
            x = float(self.bits.random_raw())
            u = x / 4294967296.0 * (self.hi - self.lo) + self.lo
            if u < self.hi:
                return u


def perturbed(
    r: int, seed: int, bound: float, item_mode: bool
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    u = Uniform(replicate_seed(seed, r), 1.0 - bound, 1.0 + bound)
    w = ITEM_W * np.array([u() for _ in ITEMS])
    w = w / np.array([w[DIM_OF == d].sum() for d in DIM_OF])
    if item_mode:
        c = ITEM_COMP * np.array([u() for _ in ITEMS])
    else:
        c = DIM_W * np.array([u() for _ in DIMS])
    return w, c / c.sum()


def composite(
    x: np.ndarray[Any, Any], w: np.ndarray[Any, Any], c: np.ndarray[Any, Any], item_mode: bool
) -> np.ndarray[Any, Any]:
    """Scorer rules for these data (skipped cells only): weighted means, coverage >= 0.5."""
    answered = ~np.isnan(x)
    v0 = np.where(answered, x, 0.0)
    scores = np.full((len(x), 2), np.nan)
    for d in range(2):
        cols = DIM_OF == d
        den = (answered[:, cols] * w[cols]).sum(axis=1)
        ok = (den > 0) & (den / w[cols].sum() >= 0.5 - 1e-12)
        scores[ok, d] = (v0[:, cols] * w[cols]).sum(axis=1)[ok] / den[ok]
    covered = ~np.isnan(scores).any(axis=1)
    if item_mode:
        comp = (v0 * c).sum(axis=1) / (answered * c).sum(axis=1)
    else:
        comp = np.nan_to_num(scores) @ c / c.sum()
    return np.where(covered, comp, np.nan)


def category(s: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    out = np.full(len(s), -1)
    for i, cut in enumerate(CUTS):
        out[~np.isnan(s) & (s >= cut - 1e-12)] = i
    return out


@pytest.mark.parametrize("item_mode", [False, True])
def test_equals_a_numpy_reimplementation(tmp_path: Path, item_mode: bool) -> None:
    ins = small_instrument(tmp_path / "small.json", item_mode)
    rng = np.random.default_rng(21)
    level = rng.uniform(size=40)
    x = np.clip(level[:, None] + 0.4 * (rng.uniform(size=(40, 5)) - 0.5), 0, 1)
    x[rng.uniform(size=(40, 5)) < 0.12] = np.nan
    seed, bound, draws, lev = 5, 0.3, 60, 0.8
    res = reinscore.sensitivity(
        pd.DataFrame(x, columns=ITEMS),
        instrument=ins,
        draws=draws,
        bound=bound,
        seed=seed,
        level=lev,
    ).interviews
    base = composite(x, ITEM_W, ITEM_COMP if item_mode else DIM_W, item_mode)
    np.testing.assert_allclose(res["composite"], base, rtol=0, atol=1e-15)
    comps = np.column_stack(
        [composite(x, *perturbed(r, seed, bound, item_mode), item_mode) for r in range(draws)]
    )
    cats = np.column_stack([category(comps[:, r]) for r in range(draws)])
    base_cat = category(base)
    assert (res["category"].cat.codes.to_numpy() == base_cat).all()
    for i in range(len(x)):
        xs = comps[i][~np.isnan(comps[i])]
        assert res["draws_scored"].iloc[i] == len(xs)
        if len(xs) == 0:
            assert math.isnan(res["lower"].iloc[i])
            continue
        want = {
            "lower": np.quantile(xs, (1 - lev) / 2),
            "median": np.quantile(xs, 0.5),
            "upper": np.quantile(xs, (1 + lev) / 2),
            "mean": xs.mean(),
            "min": xs.min(),
            "max": xs.max(),
        }
        for key, value in want.items():
            assert res[key].iloc[i] == pytest.approx(value, abs=1e-12), (i, key)
        if base_cat[i] >= 0:
            assert res["category_change_share"].iloc[i] == pytest.approx(
                (cats[i] != base_cat[i]).mean(), abs=1e-15
            )
        else:
            assert math.isnan(res["category_change_share"].iloc[i])
    assert np.nanmax(comps - base[:, None]) > 0.01  # the draws really moved the composites


# -- the sample ---------------------------------------------------------------------------------------


def test_deterministic_for_a_seed_and_any_threads() -> None:
    a = reinscore.sensitivity(SAMPLE, draws=60, seed=3)
    b = reinscore.sensitivity(SAMPLE, draws=60, seed=3, threads=2)
    pd.testing.assert_frame_equal(a.interviews, b.interviews, check_exact=True)
    assert a.summary == b.summary
    pd.testing.assert_frame_equal(a.draws, b.draws, check_exact=True)
    c = reinscore.sensitivity(SAMPLE, draws=60, seed=4)
    assert not np.allclose(a.interviews["mean"], c.interviews["mean"], equal_nan=True)


def test_base_composite_lies_within_the_draws() -> None:
    res = reinscore.sensitivity(SAMPLE, draws=200, bound=0.2, seed=11).interviews
    ok = res["composite"].notna()
    assert ok.sum() == 5238
    assert (res.loc[ok, "min"] <= res.loc[ok, "composite"] + 1e-12).all()
    assert (res.loc[ok, "max"] >= res.loc[ok, "composite"] - 1e-12).all()
    assert (res.loc[ok, "lower"] <= res.loc[ok, "upper"]).all()
    assert res.loc[~ok, "lower"].isna().all()


def test_bound_zero_reproduces_the_base_weights() -> None:
    res = reinscore.sensitivity(SAMPLE, draws=5, bound=0.0)
    df = res.interviews
    ok = df["composite"].notna()
    np.testing.assert_allclose(df.loc[ok, "min"], df.loc[ok, "composite"], rtol=0, atol=1e-14)
    np.testing.assert_allclose(df.loc[ok, "max"], df.loc[ok, "composite"], rtol=0, atol=1e-14)
    assert (df.loc[ok, "category_change_share"] == 0).all()
    assert res.summary["ever_changed_share"] == 0


def test_summary_and_draws_agree() -> None:
    res = reinscore.sensitivity(SAMPLE, draws=80, seed=2, id="interview_id")
    s = res.summary
    assert s["draws"] == 80 and s["rows"] == 5256 and s["mode"] == "perturb"
    assert s["category_change_share_mean"] == pytest.approx(
        res.draws["category_change_share"].mean(), abs=1e-15
    )
    changed = res.interviews["category_change_share"]
    assert s["ever_changed_share"] == pytest.approx(
        (changed > 0).sum() / changed.notna().sum(), abs=1e-15
    )
    assert list(res.interviews.columns) == [
        "interview_id",
        "composite",
        "category",
        "status",
        "lower",
        "median",
        "upper",
        "mean",
        "min",
        "max",
        "draws_scored",
        "category_change_share",
    ]
    assert "Sensitivity of the composite" in res._repr_html_()
    assert "80 draws" in repr(res)


def test_methods_mode_draws_the_fitted_sets() -> None:
    res = reinscore.sensitivity(SAMPLE, draws=90, mode="methods", seed=6)
    counts = res.draws["method"].value_counts()
    assert set(counts.index) == {"equal", "pca-first", "oecd-varimax"}
    assert res.summary["method_draws"] == {k: int(v) for k, v in counts.items()}
    # every draw is one of three sets: each interview takes at most three composites
    fits = {
        m: reinscore.score(SAMPLE, instrument=reinscore.fit_weights(SAMPLE, method=m).instrument)[
            "composite"
        ]
        for m in ["equal", "pca-first", "oecd-varimax"]
    }
    lo = np.fmin.reduce([f.to_numpy() for f in fits.values()])
    hi = np.fmax.reduce([f.to_numpy() for f in fits.values()])
    ok = res.interviews["min"].notna()
    np.testing.assert_allclose(res.interviews.loc[ok, "min"], lo[ok], rtol=0, atol=1e-15)
    np.testing.assert_allclose(res.interviews.loc[ok, "max"], hi[ok], rtol=0, atol=1e-15)


# -- errors --------------------------------------------------------------------------------------------


def test_python_errors() -> None:
    # The checks of the command line, with the parameters spelled the Python way.
    df = read_text_csv(SAMPLE).head(50)
    with pytest.raises(reinscore.InputError, match="mode must be perturb, methods or both") as e:
        reinscore.sensitivity(df, mode="random")
    assert (e.value.option, e.value.rule) == ("mode", "bad_option")
    with pytest.raises(
        reinscore.InputError, match=r"bound must be a number from 0 up to but not including 1"
    ):
        reinscore.sensitivity(df, bound=1.5)
    with pytest.raises(reinscore.InputError, match="draws must be a whole number from 1 to"):
        reinscore.sensitivity(df, draws=0)
    with pytest.raises(
        reinscore.InputError, match="weight applies to the fits of mode methods or both only"
    ):
        reinscore.sensitivity(df, weight="age")
    with pytest.raises(reinscore.InputError, match="weight applies to the fits"):
        reinscore.sensitivity(df, weight=np.ones(50))
    with pytest.raises(reinscore.InputError, match="threads must be a whole number from 1 to 256"):
        reinscore.sensitivity(df, threads=0)
    with pytest.raises(reinscore.InputError, match=r"column 'nope': not in the input \[missing_column\]"):
        reinscore.sensitivity(df, keep=["nope"])


def test_methods_mode_from_a_frame_with_weights_per_row() -> None:
    df = read_text_csv(SAMPLE)
    w = 1.0 + np.arange(len(df)) % 2
    by_array = reinscore.sensitivity(df, draws=12, mode="methods", weight=w, seed=4)
    by_column = reinscore.sensitivity(
        df.assign(w=[str(x) for x in w]), draws=12, mode="methods", weight="w", seed=4
    )
    pd.testing.assert_frame_equal(by_array.interviews, by_column.interviews, check_exact=True)
