"""Property tests (Hypothesis) of reinscore.score on the mini instrument and on the RSS.

The mini instrument (tests/data/instruments/mini.json) is small enough to draw every
kind of answer: codes, labels, numeric codes, missing codes, empty cells and numbers of
the count scale. Its scores are also checked against `mini_reference`, written here
from the scoring rules (not from the implementation).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import reinscore
from _helpers import MINI, SAMPLE, assert_close, assert_same_scores, read_text_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

MINI_INS = reinscore.load_instrument(MINI)
MINI_ITEMS = ["e1", "e2", "e3", "s1", "s2", "p1", "p2"]
MINI_DIMS = ["econ", "soc", "psy"]
DIM_OF = {"e1": "econ", "e2": "econ", "e3": "econ", "s1": "soc", "s2": "soc", "p1": "psy", "p2": "psy"}
SCALE_OF = {"e1": "lik3", "e2": "yn", "e3": "count", "s1": "lik3", "s2": "lik3", "p1": "lik3", "p2": "yn"}
REVERSE = {"e2", "s2"}
# weight set "items" (the default): within-dimension and composite weights
DIM_W = {"e1": 2.0, "e2": 1.0, "e3": 1.0, "s1": 1.0, "s2": 3.0, "p1": 1.0, "p2": 1.0}
COMP_W = {"e1": 2.0, "e2": 1.0, "e3": 1.0, "s1": 3.0, "s2": 1.0, "p1": 1.0, "p2": 2.0}
# weight set "dims": the same within-dimension weights, composite by dimension
DIMS_SET_W = {"econ": 2.0, "soc": 1.0, "psy": 1.0}

# answer text -> ("answered", value before reversal) or (missing meaning, nan)
ANSWERS: dict[str, dict[str, tuple[str, float]]] = {
    "lik3": {
        "low": ("answered", 0.0), "mid": ("answered", 0.5), "high": ("answered", 1.0),
        "Low": ("answered", 0.0), "Middle": ("answered", 0.5), "HIGH": ("answered", 1.0),
        "1": ("answered", 0.0), "2": ("answered", 0.5), "3": ("answered", 1.0),
        " mid ": ("answered", 0.5),
        "dk": ("dont_know", math.nan), "8": ("dont_know", math.nan),
        "ref": ("refused", math.nan), "9": ("refused", math.nan),
        "na": ("not_applicable", math.nan), "7": ("not_applicable", math.nan),
        "": ("skipped", math.nan),
    },
    "yn": {
        "no": ("answered", 0.0), "yes": ("answered", 1.0), "No": ("answered", 0.0),
        "0": ("answered", 0.0), "1": ("answered", 1.0),
        "dk": ("dont_know", math.nan), "8": ("dont_know", math.nan),
        "ref": ("refused", math.nan), "": ("skipped", math.nan),
    },
    "count": {
        **{str(i): ("answered", i / 10) for i in range(11)},
        "2.5": ("answered", 0.25),
        "dk": ("dont_know", math.nan), "98": ("dont_know", math.nan),
        "": ("skipped", math.nan),
    },
}
INVALID = {"lik3": ["4", "0", "bogus", "N/A"], "yn": ["2", "maybe"], "count": ["11", "-1", "x"]}


def oriented(item: str, value: float) -> float:
    return 1.0 - value if item in REVERSE else value


def mini_reference(frame: pd.DataFrame, weights: str = "items") -> pd.DataFrame:
    """Scores by the rules: weighted means of answered items, coverage of the applicable
    weight (not-applicable answers leave it), 0.5 minimum share, item- or dimension-mode
    composite, invalid rows without scores."""
    out: dict[str, list[Any]] = {c: [] for c in [*MINI_DIMS, "composite",
                                                 *(f"coverage_{d}" for d in MINI_DIMS), "status"]}
    for _, row in frame.iterrows():
        num = dict.fromkeys(MINI_DIMS, 0.0)
        den = dict.fromkeys(MINI_DIMS, 0.0)
        appl = dict.fromkeys(MINI_DIMS, 0.0)
        cnum = cden = 0.0
        gap = invalid = False
        for it in MINI_ITEMS:
            kind, v = ANSWERS[SCALE_OF[it]].get(str(row[it]), ("invalid", math.nan))
            d = DIM_OF[it]
            if kind == "invalid":
                invalid = True
                continue
            if kind != "not_applicable":
                appl[d] += DIM_W[it]
            if kind == "answered":
                v = oriented(it, v)
                num[d] += DIM_W[it] * v
                den[d] += DIM_W[it]
                cnum += COMP_W[it] * v
                cden += COMP_W[it]
            elif kind != "not_applicable":
                gap = True
        if invalid:
            for c, values in out.items():
                values.append(math.nan if c != "status" else "invalid")
            continue
        covered = {}
        for d in MINI_DIMS:
            cov = den[d] / appl[d] if appl[d] > 0 else 0.0
            covered[d] = appl[d] > 0 and den[d] > 0 and cov >= 0.5
            out[d].append(num[d] / den[d] if covered[d] else math.nan)
            out[f"coverage_{d}"].append(cov)
        if all(covered.values()):
            if weights == "items":
                out["composite"].append(cnum / cden)
            else:
                total = sum(DIMS_SET_W.values())
                out["composite"].append(sum(DIMS_SET_W[d] * num[d] / den[d] for d in MINI_DIMS) / total)
            out["status"].append("partial" if gap else "complete")
        else:
            out["composite"].append(math.nan)
            out["status"].append("insufficient")
    return pd.DataFrame(out, index=frame.index)


def answer(scale: str, valid_only: bool = True) -> st.SearchStrategy[str]:
    choices = list(ANSWERS[scale])
    if not valid_only:
        choices += INVALID[scale]
    return st.sampled_from(choices)


def answered(scale: str) -> st.SearchStrategy[str]:
    return st.sampled_from([k for k, (kind, _) in ANSWERS[scale].items() if kind == "answered"])


mini_row = st.fixed_dictionaries({it: answer(SCALE_OF[it]) for it in MINI_ITEMS})
mini_frame = st.lists(mini_row, min_size=1, max_size=25).map(
    lambda rows: pd.DataFrame(rows, columns=MINI_ITEMS)
)

SCORES = [*MINI_DIMS, "composite"]


def score_mini(frame: pd.DataFrame, weights: str | None = None) -> pd.DataFrame:
    return reinscore.score(frame, instrument=MINI_INS, weights=weights)


# -- the mini instrument ------------------------------------------------------------------


@SETTINGS
@given(frame=mini_frame, weights=st.sampled_from(["items", "dims"]))
def test_mini_matches_reference_and_bounds(frame: pd.DataFrame, weights: str) -> None:
    got = score_mini(frame, weights)
    want = mini_reference(frame, weights)
    for c in [*SCORES, *(f"coverage_{d}" for d in MINI_DIMS)]:
        assert_close(got[c].to_numpy(dtype=float), want[c].to_numpy(dtype=float), c, tol=1e-12)
        values = got[c].to_numpy(dtype=float)
        finite = values[~np.isnan(values)]
        assert ((finite >= 0) & (finite <= 1)).all(), c
    assert got["status"].astype(str).tolist() == want["status"].tolist()


@SETTINGS
@given(
    base=mini_row,
    item=st.sampled_from(MINI_ITEMS),
    pair=st.data(),
    weights=st.sampled_from(["items", "dims"]),
)
def test_mini_monotone(base: dict[str, str], item: str, pair: st.DataObject, weights: str) -> None:
    scale = SCALE_OF[item]
    a = pair.draw(answered(scale), label="a")
    b = pair.draw(answered(scale), label="b")
    va, vb = (oriented(item, ANSWERS[scale][x][1]) for x in (a, b))
    worse, better = (a, b) if va <= vb else (b, a)
    frame = pd.DataFrame([{**base, item: worse}, {**base, item: better}], columns=MINI_ITEMS)
    got = score_mini(frame, weights)
    assert got["status"].iloc[0] == got["status"].iloc[1]
    for c in SCORES:
        lo, hi = got[c].iloc[0], got[c].iloc[1]
        assert np.isnan(lo) == np.isnan(hi), c
        if not np.isnan(lo):
            assert hi >= lo - 1e-15, (c, worse, better, lo, hi)
    others = [d for d in MINI_DIMS if d != DIM_OF[item]]
    assert_close(got[others].iloc[1].to_numpy(dtype=float),
                 got[others].iloc[0].to_numpy(dtype=float), "other dimensions", 0.0)


@SETTINGS
@given(frame=mini_frame, data=st.data())
def test_mini_row_and_column_order(frame: pd.DataFrame, data: st.DataObject) -> None:
    frame = frame.copy()
    frame.insert(0, "id", [f"r{i}" for i in range(len(frame))])
    whole = reinscore.score(frame, instrument=MINI_INS, id="id")
    rows = data.draw(st.permutations(range(len(frame))), label="rows")
    shuffled = reinscore.score(frame.iloc[rows], instrument=MINI_INS, id="id")
    assert_same_scores(shuffled, whole.iloc[rows])
    cols = data.draw(st.permutations(list(frame.columns)), label="columns")
    assert_same_scores(reinscore.score(frame[cols], instrument=MINI_INS, id="id"), whole)


@SETTINGS
@given(frame=mini_frame, cuts=st.lists(st.integers(0, 25), max_size=4))
def test_mini_chunks(frame: pd.DataFrame, cuts: list[int]) -> None:
    whole = score_mini(frame)
    bounds = [0, *sorted(c for c in cuts if c <= len(frame)), len(frame)]
    parts = [score_mini(frame.iloc[a:b]) for a, b in itertools.pairwise(bounds)]
    assert_same_scores(pd.concat(parts), whole)


@SETTINGS
@given(frame=mini_frame, data=st.data())
def test_mini_invalid_answer(frame: pd.DataFrame, data: st.DataObject) -> None:
    r = data.draw(st.integers(0, len(frame) - 1), label="row")
    item = data.draw(st.sampled_from(MINI_ITEMS), label="item")
    bad = data.draw(st.sampled_from(INVALID[SCALE_OF[item]]), label="answer")
    spoilt = frame.copy()
    spoilt.loc[r, item] = bad
    clean, got = score_mini(frame), score_mini(spoilt)
    assert got["status"].iloc[r] == "invalid"
    cols = [*SCORES, *(f"coverage_{d}" for d in MINI_DIMS)]
    assert got[cols].iloc[r].isna().all()
    assert pd.isna(got["lowest_dimension"].iloc[r]) and pd.isna(got["category"].iloc[r])
    assert got["problems"].iloc[r].startswith(f"{item}: ")
    assert got["problems"].iloc[r].endswith(("invalid_code", "out_of_range"))
    others = [i for i in range(len(frame)) if i != r]
    assert_same_scores(got.iloc[others], clean.iloc[others])


# -- the RSS, on rows of the sample -------------------------------------------------------

RSS = reinscore.load_instrument("iom-rss")
SAMPLE_DF = read_text_csv(SAMPLE)
RSS_ITEMS = RSS.items
_scales = RSS.scales
RSS_VALUES: dict[str, dict[str, float]] = {
    str(s): {str(r.code): float(r.value) for r in g[g["meaning"] == "answer"].itertuples()}
    for s, g in _scales.groupby("scale")
}
RSS_SCORES = ["economic", "social", "psychosocial", "composite"]
sample_rows = st.lists(st.integers(0, len(SAMPLE_DF) - 1), min_size=1, max_size=40)


def score_rss(frame: pd.DataFrame) -> pd.DataFrame:
    return reinscore.score(frame, instrument=RSS, id="interview_id")


@SETTINGS
@given(rows=sample_rows)
def test_rss_bounds(rows: list[int]) -> None:
    got = score_rss(SAMPLE_DF.iloc[rows])
    values = got[[*RSS_SCORES, "coverage_economic", "coverage_social", "coverage_psychosocial"]]
    v = values.to_numpy(dtype=float)
    assert ((v[~np.isnan(v)] >= 0) & (v[~np.isnan(v)] <= 1)).all()
    complete = got["status"].isin(["complete", "partial"]).to_numpy()
    assert not np.isnan(got[RSS_SCORES].to_numpy(dtype=float)[complete]).any()


@SETTINGS
@given(row=st.integers(0, len(SAMPLE_DF) - 1), k=st.integers(0, len(RSS_ITEMS) - 1), data=st.data())
def test_rss_monotone(row: int, k: int, data: st.DataObject) -> None:
    it = RSS_ITEMS.iloc[k]
    codes = RSS_VALUES[str(it["scale"])]
    a = data.draw(st.sampled_from(sorted(codes)), label="a")
    b = data.draw(st.sampled_from(sorted(codes)), label="b")

    def value(code: str) -> float:
        return 1 - codes[code] if bool(it["reverse"]) else codes[code]

    worse, better = (a, b) if value(a) <= value(b) else (b, a)
    frame = SAMPLE_DF.iloc[[row, row]].copy()
    frame.iloc[0, frame.columns.get_loc(it["column"])] = worse
    frame.iloc[1, frame.columns.get_loc(it["column"])] = better
    got = score_rss(frame)
    assert got["status"].iloc[0] == got["status"].iloc[1]
    for c in RSS_SCORES:
        lo, hi = got[c].iloc[0], got[c].iloc[1]
        assert np.isnan(lo) == np.isnan(hi)
        if not np.isnan(lo):
            assert hi >= lo - 1e-15, (c, it["column"], worse, better)


@SETTINGS
@given(rows=sample_rows, data=st.data())
def test_rss_order_and_chunks(rows: list[int], data: st.DataObject) -> None:
    frame = SAMPLE_DF.iloc[rows]
    whole = score_rss(frame)
    perm = data.draw(st.permutations(range(len(frame))), label="rows")
    assert_same_scores(score_rss(frame.iloc[perm]), whole.iloc[perm])
    cols: Sequence[str] = data.draw(st.permutations(list(frame.columns)), label="columns")
    assert_same_scores(score_rss(frame[list(cols)]), whole)
    cut = data.draw(st.integers(0, len(frame)), label="cut")
    parts = pd.concat([score_rss(frame.iloc[:cut]), score_rss(frame.iloc[cut:])])
    assert_same_scores(parts, whole)


@SETTINGS
@given(rows=sample_rows, data=st.data())
def test_rss_invalid_answer(rows: list[int], data: st.DataObject) -> None:
    frame = SAMPLE_DF.iloc[rows].reset_index(drop=True)
    r = data.draw(st.integers(0, len(frame) - 1), label="row")
    col = data.draw(st.sampled_from(RSS_ITEMS["column"].tolist()), label="column")
    bad = data.draw(st.sampled_from(["7", "N/A", "yess", "-1", "1.5"]), label="answer")
    spoilt = frame.copy()
    spoilt.loc[r, col] = bad
    got = score_rss(spoilt)
    assert got["status"].iloc[r] == "invalid"
    assert got[RSS_SCORES].iloc[r].isna().all()
    assert f"{col}: " in got["problems"].iloc[r]
