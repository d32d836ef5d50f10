"""reinscore.panel: change between rounds, months since return, transitions, attrition,
checked against pandas/scipy/statsmodels on the scored sample (the command line:
tests/cli/test_panel.py; both faces compared: tests/parity/test_panel.py)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import DIMS, RSS_JSON, SAMPLE
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW

SCORES = [*DIMS, "composite"]
KEEP = ["returnee_id", "round", "interview_date", "return_date"]
PAIRS = [(1, 2), (2, 3), (1, 3)]
MONTH = 365.25 / 12


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    """The scored sample with the panel columns kept. Do not modify."""
    return reinscore.score(SAMPLE, id="interview_id", keep=KEEP)


@pytest.fixture(scope="module")
def report(scores: pd.DataFrame) -> reinscore.PanelReport:
    return reinscore.panel(scores, status=True, min_cell=0)


def _wide(scores: pd.DataFrame, col: str) -> pd.DataFrame:
    """returnee x round table of one column (NaN where not interviewed)."""
    s = scores.assign(round=scores["round"].astype(int))
    return s.pivot(index="returnee_id", columns="round", values=col)


def _row(frame: pd.DataFrame, a: int, b: int, score: str) -> pd.Series[Any]:
    sel = frame[(frame["from"] == a) & (frame["to"] == b) & (frame["score"] == score)]
    assert len(sel) == 1
    return sel.iloc[0]


# -- 1. change between rounds -----------------------------------------------------------


def test_default_pairs_and_rounds(report: reinscore.PanelReport) -> None:
    assert report.rounds == [1, 2, 3]
    assert report.pairs == PAIRS
    c = report.changes
    assert list(c.columns) == ["from", "to", "score", "pairs", "missing", "n", "sum_weights", "mean_from",
                               "mean_to", "mean_change", "sd", "se", "ci_low", "ci_high", "df", "t", "p_value",
                               "months_from", "months_to", "suppressed"]
    assert list(zip(c["from"], c["to"], c["score"])) == [(a, b, s) for a, b in PAIRS for s in SCORES]


def test_changes_equal_scipy_ttest_rel(scores: pd.DataFrame, report: reinscore.PanelReport) -> None:
    present = _wide(scores, "interview_id").notna()
    for s in SCORES:
        w = _wide(scores, s)
        for a, b in PAIRS:
            got = _row(report.changes, a, b, s)
            both = present[a] & present[b]
            ok = both & w[a].notna() & w[b].notna()
            x, y = w.loc[ok, a].to_numpy(), w.loc[ok, b].to_numpy()
            d = y - x
            res = stats.ttest_rel(y, x)
            ci = res.confidence_interval(0.95)
            assert got["pairs"] == both.sum() and got["n"] == ok.sum() and got["missing"] == both.sum() - ok.sum()
            assert got["n"] > 1000  # the sample is large: a real comparison
            np.testing.assert_allclose(got["mean_change"], d.mean(), rtol=0, atol=1e-14)
            np.testing.assert_allclose(got["mean_from"], x.mean(), rtol=0, atol=1e-14)
            np.testing.assert_allclose(got["mean_to"], y.mean(), rtol=0, atol=1e-14)
            np.testing.assert_allclose(got["sd"], d.std(ddof=1), rtol=1e-12)
            np.testing.assert_allclose(got["se"], stats.sem(d), rtol=1e-12)
            np.testing.assert_allclose(got["t"], res.statistic, rtol=1e-11)
            np.testing.assert_allclose(got["p_value"], res.pvalue, rtol=1e-8, atol=1e-300)
            np.testing.assert_allclose([got["ci_low"], got["ci_high"]], [ci.low, ci.high], rtol=1e-12)
            assert got["df"] == res.df == ok.sum() - 1
            assert got["sum_weights"] == ok.sum()


def test_change_level(scores: pd.DataFrame) -> None:
    r = reinscore.panel(scores, from_round=1, to_round=3, level=0.9, min_cell=0)
    w = _wide(scores, "composite").dropna(subset=[1, 3])
    res = stats.ttest_rel(w[3], w[1])
    ci = res.confidence_interval(0.9)
    got = _row(r.changes, 1, 3, "composite")
    np.testing.assert_allclose([got["ci_low"], got["ci_high"]], [ci.low, ci.high], rtol=1e-12)
    assert r.pairs == [(1, 3)]
    assert len(r.changes) == len(SCORES)


def test_weighted_change_equals_statsmodels(scores: pd.DataFrame) -> None:
    rng = np.random.default_rng(3)
    weighted = scores.assign(w=rng.uniform(0.2, 4.0, len(scores)))
    r = reinscore.panel(weighted, weight="w", min_cell=0)
    wt = _wide(weighted, "w")
    for s in SCORES:
        w = _wide(weighted, s)
        for a, b in PAIRS:
            ok = w[a].notna() & w[b].notna()
            d = (w.loc[ok, b] - w.loc[ok, a]).to_numpy()
            wb = wt.loc[ok, b].to_numpy()  # the later interview's weight
            got = _row(r.changes, a, b, s)
            ds = DescrStatsW(d, weights=wb)
            np.testing.assert_allclose(got["mean_change"], ds.mean, rtol=1e-12)
            np.testing.assert_allclose(got["sum_weights"], ds.sum_weights, rtol=1e-12)
            np.testing.assert_allclose(got["mean_from"], DescrStatsW(w.loc[ok, a].to_numpy(), weights=wb).mean,
                                       rtol=1e-12)
            n = len(d)
            np.testing.assert_allclose(got["sd"], math.sqrt(ds.var * n / (n - 1)), rtol=1e-11)
            # Linearised SE of the ratio mean: the standard error of the mean of
            # z = n w (d - mean) / sum w (statsmodels, unweighted), and directly.
            z = n * wb * (d - ds.mean) / wb.sum()
            np.testing.assert_allclose(got["se"], DescrStatsW(z).std_mean, rtol=1e-10)
            direct = math.sqrt(n / (n - 1) * np.sum(wb**2 * (d - ds.mean) ** 2)) / wb.sum()
            np.testing.assert_allclose(got["se"], direct, rtol=1e-10)
            q = stats.t.ppf(0.975, n - 1)
            np.testing.assert_allclose(got["ci_high"] - got["mean_change"], q * got["se"], rtol=1e-10)
            # The weights matter: the weighted mean is not the plain one.
            assert abs(got["mean_change"] - d.mean()) > 1e-6


def test_equal_weights_give_the_unweighted_result(scores: pd.DataFrame, report: reinscore.PanelReport) -> None:
    r = reinscore.panel(scores.assign(w=2.5), weight="w", status=True, min_cell=0)
    cols = ["n", "mean_change", "sd", "se", "ci_low", "ci_high", "t", "p_value"]
    pd.testing.assert_frame_equal(r.changes[cols], report.changes[cols], check_exact=False, rtol=1e-12)


def test_per_returnee_equals_pandas(scores: pd.DataFrame, report: reinscore.PanelReport) -> None:
    per = report.per_returnee
    assert list(per.columns) == ["returnee_id", "from", "to", "row_from", "row_to",
                                 *(f"change_{s}" for s in SCORES), "months_from", "months_to", "weight",
                                 "category_from", "category_to", "status_from", "status_to"]
    present = _wide(scores, "interview_id").notna()
    for a, b in PAIRS:
        got = per[(per["from"] == a) & (per["to"] == b)].set_index("returnee_id")
        ids = present.index[present[a] & present[b]]
        assert sorted(got.index) == sorted(ids) and got.index.is_monotonic_increasing
        for s in SCORES:
            w = _wide(scores, s)
            want = (w[b] - w[a]).loc[got.index].to_numpy()
            np.testing.assert_array_equal(got[f"change_{s}"].to_numpy(), want)  # NaN where either missing
        cat = _wide(scores.assign(category=scores["category"].astype(object)), "category")
        assert got["category_to"].astype(object).fillna("").tolist() == cat.loc[got.index, b].fillna("").tolist()
        # row_from/row_to: rows of the DataFrame, the first is 1
        pos = pd.Series(np.arange(len(scores)) + 1, index=scores["interview_id"])
        iid = _wide(scores, "interview_id")
        assert got["row_to"].tolist() == pos.loc[iid.loc[got.index, b]].tolist()
    assert np.isnan(per["change_composite"]).sum() > 0


# -- 2. months since return -------------------------------------------------------------


def test_months_since_return_equals_pandas(scores: pd.DataFrame, report: reinscore.PanelReport) -> None:
    days = (pd.to_datetime(scores["interview_date"]) - pd.to_datetime(scores["return_date"])).dt.days
    want = days.to_numpy(dtype=float) / MONTH
    np.testing.assert_array_equal(report.interviews["months_since_return"].to_numpy(), want)
    assert report.interviews.index.equals(scores.index)
    assert report.problems.empty
    # Round r is about r x 3 months after return (data/examples/README.md).
    c = report.changes.drop_duplicates(["from", "to"]).set_index(["from", "to"])
    for (a, b), row in c.iterrows():
        assert abs(row["months_from"] - 3 * a) < 0.3 and abs(row["months_to"] - 3 * b) < 0.3


def test_bad_dates_are_row_level_problems(scores: pd.DataFrame, report: reinscore.PanelReport) -> None:
    bad = scores.copy()
    bad["interview_date"] = bad["interview_date"].astype(object)
    bad["return_date"] = bad["return_date"].astype(object)
    bad.loc[4, "interview_date"] = "2025-02-30"
    bad.loc[9, "return_date"] = ""
    bad.loc[12, "interview_date"] = "12/05/2025"
    bad.loc[20, "interview_date"] = "2020-01-01"  # before the return
    with pytest.warns(UserWarning, match="4 date problem"):
        r = reinscore.panel(bad, min_cell=0)
    p = r.problems
    assert p[["row", "index", "column", "rule"]].values.tolist() == [
        [5, 4, "interview_date", "bad_date"],
        [10, 9, "return_date", "missing_date"],
        [13, 12, "interview_date", "bad_date"],
        [21, 20, "interview_date", "interview_before_return"],
    ]
    assert p["message"].iloc[0] == ("row 5: column 'interview_date': not a calendar date written yyyy-mm-dd "
                                    "[bad_date]")
    assert not p["message"].str.contains("2025|12/05|2020").any()  # no values in messages
    months = r.interviews["months_since_return"]
    assert months.isna().tolist() == [i in (4, 9, 12, 20) for i in range(len(bad))]
    np.testing.assert_array_equal(months.drop([4, 9, 12, 20]),
                                  report.interviews["months_since_return"].drop([4, 9, 12, 20]))
    # Interviews are never dropped: the change table is the same.
    pd.testing.assert_frame_equal(r.changes.drop(columns=["months_from", "months_to"]),
                                  report.changes.drop(columns=["months_from", "months_to"]))


def test_datetime_and_integer_columns(scores: pd.DataFrame, report: reinscore.PanelReport) -> None:
    typed = scores.assign(round=scores["round"].astype(int),
                          interview_date=pd.to_datetime(scores["interview_date"]),
                          return_date=pd.to_datetime(scores["return_date"]))
    r = reinscore.panel(typed, status=True, min_cell=0)
    pd.testing.assert_frame_equal(r.changes, report.changes)
    pd.testing.assert_frame_equal(r.transitions, report.transitions)
    np.testing.assert_array_equal(r.interviews["months_since_return"], report.interviews["months_since_return"])


def test_dates_optional(scores: pd.DataFrame) -> None:
    r = reinscore.panel(scores.drop(columns=["interview_date", "return_date"]), min_cell=0)
    assert r.changes["months_from"].isna().all() and r.interviews["months_since_return"].isna().all()
    r2 = reinscore.panel(scores, interview_date=None, min_cell=0)
    assert r2.interviews["months_since_return"].isna().all()
    with pytest.raises(ValueError, match=r"column 'visit_date'.*\[missing_column\]"):
        reinscore.panel(scores, interview_date="visit_date")


# -- 3. transitions ---------------------------------------------------------------------


def _reference_transitions(scores: pd.DataFrame, col: str, states: list[str], a: int, b: int) -> pd.DataFrame:
    v = _wide(scores.assign(**{col: scores[col].astype(object)}), col)
    present = _wide(scores, "interview_id").notna()
    rows = v.loc[present[a], a].fillna("none")
    to = v.loc[present[a], b].fillna("none").where(present.loc[present[a], b], "attrited")
    tab = pd.crosstab(rows, to)
    return tab.reindex(index=[*states, "none"], columns=[*states, "none", "attrited"], fill_value=0)


@pytest.mark.parametrize("variable", ["category", "status"])
def test_transitions_equal_pandas_crosstab(scores: pd.DataFrame, report: reinscore.PanelReport,
                                           variable: str) -> None:
    states = (list(scores["category"].cat.categories) if variable == "category"
              else ["complete", "partial", "insufficient", "invalid"])
    for a, b in PAIRS:
        got = report.transition_matrix(a, b, variable)
        want = _reference_transitions(scores, variable, states, a, b)
        assert got.index.tolist() == want.index.tolist() and got.columns.tolist() == want.columns.tolist()
        np.testing.assert_array_equal(got.to_numpy(dtype=np.int64), want.to_numpy())
        shares = report.transition_matrix(a, b, variable, shares=True).to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            np.testing.assert_allclose(shares, want.to_numpy() / want.to_numpy().sum(axis=1, keepdims=True),
                                       rtol=1e-15)
        nonempty = want.to_numpy().sum(axis=1) > 0
        np.testing.assert_allclose(shares[nonempty].sum(axis=1), 1.0, atol=1e-12)
    # The matrix of 1 -> 2 counts every returnee of round 1 once.
    t = report.transitions
    sel = t[(t["variable"] == variable) & (t["from"] == 1) & (t["to"] == 2)]
    assert int(sel["n"].sum()) == 2000
    assert int(sel.loc[sel["state_to"] == "attrited", "n"].sum()) == 2000 - 1778


# -- 4. attrition -----------------------------------------------------------------------


def test_attrition_equals_pandas(scores: pd.DataFrame, report: reinscore.PanelReport) -> None:
    p = _wide(scores, "interview_id").notna()
    a = report.attrition.set_index("round")
    assert a["present"].tolist() == [2000, 1778, 1478]  # data/examples/README.md
    seen = pd.Series(False, index=p.index)
    prev = pd.Series(False, index=p.index)
    for r in [1, 2, 3]:
        here = p[r]
        row = a.loc[r]
        assert row["present"] == here.sum()
        assert row["first_seen"] == (here & ~seen).sum()
        assert row["retained"] == (here & prev).sum()
        assert row["lost"] == (~here & prev).sum()
        assert row["returned"] == (here & ~prev & seen).sum()
        assert row["absent"] == (~here & seen).sum()
        assert row["baseline_present"] == (here & p[1]).sum()
        assert row["retention"] == (here & p[1]).sum() / p[1].sum()
        seen |= here
        prev = here
    assert a.loc[3, "returned"] > 0  # "a few returnees missed in round 2 are found again in round 3"


# -- 5. duplicates and other errors -----------------------------------------------------


def test_duplicate_interview_names_both_rows(scores: pd.DataFrame) -> None:
    dup = pd.concat([scores, scores.iloc[[7]]], ignore_index=True)
    with pytest.raises(reinscore.InputError) as e:
        reinscore.panel(dup)
    msg = str(e.value)
    assert msg.startswith(f"row {len(dup)}: column 'returnee_id': ")  # rows of the frame from 1
    assert "in row 8" in msg and "[duplicate_interview]" in msg
    assert (e.value.rule, e.value.row, e.value.column) == ("duplicate_interview", len(dup), "returnee_id")
    assert scores["returnee_id"].iloc[7] not in msg


@pytest.mark.parametrize(("change", "kwargs", "pattern"), [
    ("empty_id", {}, r"row 3: column 'returnee_id': returnee id is empty \[missing_id\]"),
    ("bad_round", {}, r"row 4: column 'round': round is empty or not a whole number \[bad_round\]"),
    ("half_round", {}, r"row 4: column 'round': .*\[bad_round\]"),
    (None, {"weight": "w"}, r"row 2: column 'w': weight is empty, not a number or negative \[invalid_weight\]"),
    (None, {"from_round": 1, "to_round": 4}, r"column 'round': .*\[unknown_round\]"),
    (None, {"from_round": 3, "to_round": 1}, r"\[round_order\]"),
    (None, {"from_round": 1}, r"\[option_needs\]"),
    (None, {"min_cell": 2_000_000_000}, r"^min_cell must be a whole number from 0 to 1000000000 \[bad_option\]"),
    (None, {"level": 1.0}, r"^level must be a number between 0 and 1"),
    (None, {"id": "person"}, r"column 'person': .*\[missing_column\]"),
    (None, {"weight": "nope"}, r"column 'nope': .*\[missing_column\]"),
])
def test_errors_name_row_column_rule(scores: pd.DataFrame, change: str | None, kwargs: dict[str, Any],
                                     pattern: str) -> None:
    s = scores.assign(w=1.0)
    s["round"] = s["round"].astype(object)
    s["returnee_id"] = s["returnee_id"].astype(object)
    s.loc[1, "w"] = -1.0
    if change == "empty_id":
        s.loc[2, "returnee_id"] = ""
    elif change == "bad_round":
        s.loc[3, "round"] = "second"
    elif change == "half_round":
        s["round"] = s["round"].astype(float)
        s.loc[3, "round"] = 1.5
    with pytest.raises(reinscore.InputError, match=pattern):
        reinscore.panel(s, **kwargs)


def test_unknown_category_is_an_error(scores: pd.DataFrame) -> None:
    s = scores.assign(category=scores["category"].astype(object))
    s.loc[0, "category"] = "thriving"
    with pytest.raises(reinscore.InputError, match=r"row 1: column 'category': .*\[unknown_category\]"):
        reinscore.panel(s, categories=["below_threshold", "sustainable"])
    # Without a given order, the labels seen are used, sorted.
    r = reinscore.panel(s, min_cell=0)
    assert r.transition_matrix(1, 2).index.tolist() == ["below_threshold", "sustainable", "thriving", "none"]


# -- 7. properties ----------------------------------------------------------------------


def test_row_order_invariance(scores: pd.DataFrame, report: reinscore.PanelReport) -> None:
    perm = np.random.default_rng(9).permutation(len(scores))
    r = reinscore.panel(scores.iloc[perm], status=True, min_cell=0)
    pd.testing.assert_frame_equal(r.changes, report.changes, check_exact=True)
    pd.testing.assert_frame_equal(r.transitions, report.transitions, check_exact=True)
    pd.testing.assert_frame_equal(r.attrition, report.attrition, check_exact=True)
    cols = [c for c in report.per_returnee.columns if c not in ("row_from", "row_to")]
    pd.testing.assert_frame_equal(r.per_returnee[cols], report.per_returnee[cols], check_exact=True)
    pd.testing.assert_frame_equal(r.interviews.loc[scores.index], report.interviews)


def test_split_returnees_merge_to_whole(scores: pd.DataFrame, report: reinscore.PanelReport) -> None:
    ids = scores["returnee_id"].astype(str)
    group = ids.str[-1].isin(list("0246"))
    parts = [reinscore.panel(scores[g], status=True, min_cell=0) for g in (group, ~group)]
    assert all(p.pairs == PAIRS for p in parts)
    counts = ["pairs", "missing", "n"]
    summed = parts[0].changes[counts] + parts[1].changes[counts]
    pd.testing.assert_frame_equal(summed, report.changes[counts])
    # Means of the parts, weighted by their n, give the whole mean.
    n0, n1 = (p.changes["n"].to_numpy(dtype=float) for p in parts)
    m0, m1 = (p.changes["mean_change"].to_numpy() for p in parts)
    np.testing.assert_allclose((n0 * m0 + n1 * m1) / (n0 + n1), report.changes["mean_change"], rtol=1e-12)
    for frame, keys in (("transitions", ["row_total", "n"]), ("attrition", ["present", "first_seen", "retained",
                                                                            "lost", "returned", "absent",
                                                                            "baseline_present"])):
        a, b, whole = (getattr(p, frame) for p in (*parts, report))
        pd.testing.assert_frame_equal(a[keys] + b[keys], whole[keys])
    assert len(parts[0].per_returnee) + len(parts[1].per_returnee) == len(report.per_returnee)


# -- 6. suppression, the command line, HTML ---------------------------------------------


def test_suppression(scores: pd.DataFrame, report: reinscore.PanelReport) -> None:
    r = reinscore.panel(scores, status=True)  # min_cell 10
    assert r.min_cell == 10
    for frame, counts in (("changes", ["pairs", "missing", "n"]),
                          ("attrition", ["present", "first_seen", "retained", "lost", "returned", "absent"])):
        got, full = getattr(r, frame), getattr(report, frame)
        for c in counts:
            small = ((full[c] > 0) & (full[c] < 10)).to_numpy(dtype=bool)
            assert got[c].isna().to_numpy().tolist() == small.tolist(), (frame, c)
            assert got.loc[~small, c].tolist() == full.loc[~small, c].tolist()
        small_missing = (full["missing"] > 0) & (full["missing"] < 10) if frame == "changes" else False
        assert got["suppressed"].tolist() == (pd.Series(small_missing, index=full.index)
                                              | (full["n"] < 10 if frame == "changes" else False)).tolist()
    hidden_est = (report.changes["n"] < 10).to_numpy(dtype=bool)
    assert r.changes.loc[hidden_est, "mean_change"].isna().all()
    assert r.changes.loc[~hidden_est, "mean_change"].tolist() == report.changes.loc[~hidden_est, "mean_change"].tolist()
    # Transitions: a row of fewer than 10 returnees is hidden whole, a small cell alone.
    t, ft = r.transitions, report.transitions
    total = ft["row_total"].to_numpy(dtype=np.int64)
    n = ft["n"].to_numpy(dtype=np.int64)
    hidden_row = total < 10
    small_cell = (n > 0) & (n < 10)
    assert hidden_row.any() and (small_cell & ~hidden_row).any()
    assert t["n"].isna().to_numpy().tolist() == ((hidden_row & (total > 0)) | small_cell).tolist()
    assert t["share"].isna().to_numpy().tolist() == (hidden_row | small_cell | (total == 0)).tolist()
    shown = ~t["n"].isna().to_numpy()
    assert t.loc[shown, "n"].tolist() == ft.loc[shown, "n"].tolist()
    assert t["suppressed"].to_numpy().tolist() == ((hidden_row & (total > 0)) | small_cell).tolist()
    # A small panel: every estimate comes from fewer than 10 returnees.
    few = scores[scores["returnee_id"].isin(scores["returnee_id"].unique()[:8])]
    s = reinscore.panel(few)
    assert s.changes["suppressed"].all() and s.changes["mean_change"].isna().all()
    assert s.changes["n"].isna().all()
    assert s.attrition["present"].isna().all() and s.attrition["retention"].isna().all()
    assert s.attrition["suppressed"].all()
    assert reinscore.panel(few, min_cell=0).changes["mean_change"].notna().any()


def test_scores_file_read_as_text(scores: pd.DataFrame, report: reinscore.PanelReport) -> None:
    text = scores.astype(object).where(scores.notna(), "").astype(str)  # every cell as text
    r = reinscore.panel(text, status=True, min_cell=0)
    pd.testing.assert_frame_equal(r.changes, report.changes)
    pd.testing.assert_frame_equal(r.transitions, report.transitions)
    pd.testing.assert_frame_equal(r.attrition, report.attrition)
    text.loc[3, "composite"] = "high"
    with pytest.raises(reinscore.InputError, match=r"row 4: column 'composite': .*not a number \[not_a_number\]"):
        reinscore.panel(text)


def test_html_repr(scores: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = reinscore.panel(scores, status=True)
    h = r._repr_html_()
    assert "Change between rounds" in h and "Transitions between rounds" in h
    assert "<td>category</td>" in h and "<td>status</td>" in h and "<td>attrited</td>" in h
    assert "Attrition" in h and "&lt;10" in h
    assert "R00001" not in h  # aggregate report only
    assert "PanelReport" in repr(r)


def test_report_is_the_command_lines(scores: pd.DataFrame) -> None:
    """The frames are built from the C++ Report the command line renders."""
    r = reinscore.panel(scores, status=True)
    assert [t.name for t in r.report.tables] == ["changes", "transitions", "attrition", "per-returnee",
                                                 "interviews", "problems"]
    csv = r.report.table("changes").render("csv").splitlines()
    assert csv[0] == ",".join(c for c in r.changes.columns if c != "suppressed")
    first = r.changes.iloc[0]
    assert csv[1].split(",")[:6] == ["1", "2", "economic", str(first["pairs"]), str(first["missing"]),
                                     str(first["n"])]
    assert float(csv[1].split(",")[9]) == first["mean_change"]


def test_identifiers_are_text_and_categories_follow_a_categorical(scores: pd.DataFrame) -> None:
    # "007" and "7" are two returnees: ids are never read as numbers.
    s = scores[scores["returnee_id"].isin(scores["returnee_id"].unique()[:2])].copy()
    s["returnee_id"] = np.where(s["returnee_id"] == s["returnee_id"].iloc[0], "007", "7")
    r = reinscore.panel(s, min_cell=0)
    assert sorted(set(r.per_returnee["returnee_id"])) == ["007", "7"]
    # A categorical column's order decides the states' order.
    order = ["sustainable", "below_threshold"]
    typed = scores.assign(category=scores["category"].cat.reorder_categories(order))
    got = reinscore.panel(typed, min_cell=0).transition_matrix(1, 2)
    assert got.index.tolist() == [*order, "none"]


def test_mixed_instruments_and_given_instrument(scores: pd.DataFrame) -> None:
    mixed = scores.copy()
    mixed["instrument"] = mixed["instrument"].astype(object)
    mixed.loc[5, "instrument"] = "iom-rss@0.1.0-provisional#000000000000"
    with pytest.raises(reinscore.InputError) as e:
        reinscore.panel(mixed)
    assert e.value.rule == "mixed_instruments" and e.value.row == 6
    assert "#000000000000'" in str(e.value)  # both tags are named
    r = reinscore.panel(mixed, allow_mixed=True, min_cell=0)
    pd.testing.assert_frame_equal(r.changes, reinscore.panel(scores, min_cell=0).changes)
    # An instrument outside the search path, by path.
    r = reinscore.panel(scores, instrument=str(RSS_JSON), min_cell=0)
    assert r.transition_matrix(1, 2).index.tolist() == ["below_threshold", "sustainable", "none"]


def test_numeric_category_labels_match_however_they_are_typed(scores: pd.DataFrame) -> None:
    """Labels given as 1, 1.0 or "1", and a categorical of floats, name the same cells: the
    C++ reader spells them all "1" (Python formats no value itself)."""
    codes = {c: float(i + 1) for i, c in enumerate(scores["category"].cat.categories)}
    numeric = scores.assign(category=scores["category"].map(codes).astype(float))
    expected = reinscore.panel(numeric, categories=["1", "2"], min_cell=0).transition_matrix(1, 2)
    assert expected.index.tolist()[:2] == ["1", "2"]
    assert int(expected.iloc[:2, :2].to_numpy().sum()) > 0
    for given in ([1.0, 2.0], [1, 2], np.array([1.0, 2.0])):
        got = reinscore.panel(numeric, categories=given, min_cell=0).transition_matrix(1, 2)
        pd.testing.assert_frame_equal(got, expected)
    as_categorical = numeric.assign(category=numeric["category"].astype("category"))
    got = reinscore.panel(as_categorical, min_cell=0).transition_matrix(1, 2)
    pd.testing.assert_frame_equal(got, expected)
    nullable = numeric.assign(category=numeric["category"].astype("Int64"))
    got = reinscore.panel(nullable, categories=[1, 2], min_cell=0).transition_matrix(1, 2)
    pd.testing.assert_frame_equal(got, expected)
