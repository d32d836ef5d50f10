"""reinscore.reliability against pingouin, numpy and scipy (the command line, which renders
the same C++ report: tests/cli/test_reliability.py and tests/parity/test_reliability.py).

Alpha, standardised alpha, alpha if deleted and item-rest correlations are checked against
pingouin.cronbach_alpha (listwise and pairwise) and a direct numpy computation (with
weights); polychoric correlations against an independent scipy implementation of
Olsson's two-step estimator (scipy.stats.multivariate_normal.cdf +
scipy.optimize.minimize_scalar); the bivariate normal CDF against scipy.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import reinscore
from _helpers import MINI, RSS_JSON, SAMPLE, read_text_csv
from reinscore import _core
from scipy.optimize import minimize_scalar
from scipy.stats import multivariate_normal, norm

BOUND = 0.999999  # polychoric search interval, as in include/reinscore/polychoric.hpp


# -- independent reference implementations ------------------------------------------------


def seeded_items(n: int, k: int, missing: float, seed: int, levels: int = 5) -> np.ndarray:
    """Ordinal items in [0, 1] driven by one factor, with missing cells."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    loadings = 0.6 + 0.1 * np.arange(k)
    latent = common * loadings + rng.normal(size=(n, k)) + rng.normal(scale=0.3, size=k)
    x = np.clip(np.round(latent + (levels - 1) / 2), 0, levels - 1) / (levels - 1)
    x[rng.random((n, k)) < missing] = np.nan
    return x


def np_cov(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted covariance of complete rows: sum w d d' / sum w * n / (n - 1)."""
    n = len(x)
    m = w @ x / w.sum()
    d = x - m
    return (d * w[:, None]).T @ d / w.sum() * n / (n - 1)


def alpha_from_cov(c: np.ndarray) -> float:
    k = len(c)
    return float(k / (k - 1) * (1 - np.trace(c) / c.sum()))


def std_alpha_from_corr(r: np.ndarray) -> float:
    k = len(r)
    mean_r = (r.sum() - np.trace(r)) / (k * (k - 1))
    return float(k * mean_r / (1 + (k - 1) * mean_r))


def np_complete(x: np.ndarray, w: np.ndarray | None = None) -> dict[str, Any]:
    """Alpha statistics by listwise deletion, straight from the definitions."""
    rows = ~np.isnan(x).any(axis=1)
    xc = x[rows]
    wc = np.ones(len(xc)) if w is None else w[rows]
    c = np_cov(xc, wc)
    r = c / np.sqrt(np.outer(np.diag(c), np.diag(c)))
    k = x.shape[1]
    out: dict[str, Any] = {
        "n": int(rows.sum()),
        "alpha": alpha_from_cov(c),
        "standardized_alpha": std_alpha_from_corr(r),
        "mean": wc @ xc / wc.sum(),
        "alpha_if_deleted": [],
        "standardized_alpha_if_deleted": [],
        "item_rest": [],
    }
    for i in range(k):
        keep = [j for j in range(k) if j != i]
        out["alpha_if_deleted"].append(alpha_from_cov(c[np.ix_(keep, keep)]) if k > 2 else math.nan)
        out["standardized_alpha_if_deleted"].append(
            std_alpha_from_corr(r[np.ix_(keep, keep)]) if k > 2 else math.nan
        )
        rest = xc[:, keep].sum(axis=1)
        cc = np_cov(np.column_stack([xc[:, i], rest]), wc)
        out["item_rest"].append(cc[0, 1] / math.sqrt(cc[0, 0] * cc[1, 1]))
    return out


def np_pairwise(x: np.ndarray, w: np.ndarray | None = None) -> dict[str, Any]:
    """Alpha from pairwise-complete covariances (and pandas-style pair correlations)."""
    k = x.shape[1]
    w = np.ones(len(x)) if w is None else w
    c = np.empty((k, k))
    r = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            rows = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
            cc = np_cov(x[rows][:, [i, j]], w[rows])
            c[i, j] = cc[0, 1]
            r[i, j] = cc[0, 1] / math.sqrt(cc[0, 0] * cc[1, 1])
    out: dict[str, Any] = {"alpha": alpha_from_cov(c), "standardized_alpha": std_alpha_from_corr(r)}
    out["alpha_if_deleted"] = [
        alpha_from_cov(c[np.ix_(keep, keep)])
        for keep in ([j for j in range(k) if j != i] for i in range(k))
    ]
    out["item_rest"] = [
        (c[i].sum() - c[i, i]) / math.sqrt(c[i, i] * (c.sum() - 2 * c[i].sum() + c[i, i]))
        for i in range(k)
    ]
    return out


def scipy_bvn(h: float, k: float, rho: float) -> float:
    if h == -np.inf or k == -np.inf:
        return 0.0
    if h == np.inf:
        return float(norm.cdf(k))
    if k == np.inf:
        return float(norm.cdf(h))
    return float(multivariate_normal.cdf([h, k], mean=[0, 0], cov=[[1, rho], [rho, 1]]))


def scipy_polychoric(table: np.ndarray) -> float:
    """Olsson's two-step estimate, written independently with scipy."""
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    n = table.sum()
    a = np.r_[-np.inf, norm.ppf(np.cumsum(table.sum(axis=1))[:-1] / n), np.inf]
    b = np.r_[-np.inf, norm.ppf(np.cumsum(table.sum(axis=0))[:-1] / n), np.inf]

    def nll(rho: float) -> float:
        f = np.array([[scipy_bvn(h, k, rho) for k in b] for h in a])
        p = f[1:, 1:] - f[:-1, 1:] - f[1:, :-1] + f[:-1, :-1]
        nz = table > 0
        return float(-(table[nz] * np.log(np.maximum(p[nz], 1e-300))).sum())

    res = minimize_scalar(nll, bounds=(-BOUND, BOUND), method="bounded", options={"xatol": 1e-10})
    return float(res.x)


def contingency(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    rows = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[rows], y[rows]
    w = np.ones(len(x)) if w is None else w[rows]
    xs, ys = np.unique(x), np.unique(y)
    t = np.zeros((len(xs), len(ys)))
    np.add.at(t, (np.searchsorted(xs, x), np.searchsorted(ys, y)), w)
    return t


def code_sample(df: pd.DataFrame, ins: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Coded values (reverse applied, missing codes NaN) and which rows are valid."""
    items = ins["items"]
    values = np.full((len(df), len(items)), np.nan)
    invalid = np.zeros(len(df), dtype=bool)
    for k, it in enumerate(items):
        scale = ins["scales"][it["scale"]]
        lookup = {
            c["code"]: (1 - c["value"] if it.get("reverse") else c["value"]) for c in scale["codes"]
        }
        missing = {m["code"] for m in scale.get("missing", [])}
        for r, raw in enumerate(df[it.get("column", it["id"])].str.strip()):
            if raw in lookup:
                values[r, k] = lookup[raw]
            elif raw != "" and raw not in missing:
                invalid[r] = True
    return values, ~invalid


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rss() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(RSS_JSON.read_text(encoding="utf-8"))
    return doc


@pytest.fixture(scope="module")
def coded_sample(rss: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    return code_sample(read_text_csv(SAMPLE), rss)


def dim_columns(rss: dict[str, Any], dim: str) -> list[int]:
    return [k for k, it in enumerate(rss["items"]) if it["dimension"] == dim]


# -- the bivariate normal CDF and polychoric correlations -----------------------------------


def test_bivariate_normal_cdf_matches_scipy() -> None:
    hs = [-2.7, -1.1, -0.25, 0.0, 0.6, 1.9]
    ks = [-1.8, -0.4, 0.0, 0.35, 2.4]
    rhos = [-0.995, -0.95, -0.7, -0.3, -0.05, 0.2, 0.5, 0.8, 0.93, 0.99]
    grid = np.array([(h, k, r) for h in hs for k in ks for r in rhos])
    got = _core.bivariate_normal_cdf(grid[:, 0], grid[:, 1], grid[:, 2])
    want = np.array([scipy_bvn(h, k, r) for h, k, r in grid])
    assert np.max(np.abs(got - want)) < 1e-12
    # The exact value at the origin.
    assert _core.bivariate_normal_cdf(0.0, 0.0, 0.6) == pytest.approx(
        0.25 + math.asin(0.6) / (2 * math.pi), abs=1e-15
    )
    with pytest.raises(ValueError, match=r"correlation must lie in \[-1, 1\]"):
        _core.bivariate_normal_cdf(0.0, 0.0, 1.5)


def test_polychoric_matches_scipy_implementation() -> None:
    x = seeded_items(800, 4, 0.1, seed=11)
    res = _core.item_alpha(x, missing="pairwise", ordinal=True)
    for i in range(4):
        for j in range(i + 1, 4):
            table = contingency(x[:, i], x[:, j])
            want = scipy_polychoric(table)
            assert abs(_core.polychoric(table)["rho"] - want) < 1e-6, (i, j)
            assert abs(res["polychoric"][i, j] - want) < 1e-6, (i, j)
            assert res["polychoric"][j, i] == res["polychoric"][i, j]


def test_polychoric_weighted_and_three_by_two_tables() -> None:
    rng = np.random.default_rng(5)
    x = seeded_items(500, 2, 0.0, seed=12, levels=3)
    x[:, 1] = (x[:, 1] > 0.5).astype(float)  # a yes/no item: 3 x 2 table
    w = rng.uniform(0.2, 3.0, size=500)
    table = contingency(x[:, 0], x[:, 1], w)
    assert table.shape == (3, 2)
    want = scipy_polychoric(table)
    got = _core.item_alpha(x, w, missing="complete", ordinal=True)["polychoric"][0, 1]
    assert abs(got - want) < 1e-6
    p = _core.polychoric(table)
    assert np.allclose(
        p["row_thresholds"], norm.ppf(np.cumsum(table.sum(axis=1))[:-1] / table.sum()), atol=1e-12
    )


def test_polychoric_degenerate_tables() -> None:
    assert math.isnan(_core.polychoric(np.array([[10.0, 5.0]]))["rho"])
    diag = _core.polychoric(np.diag([10.0, 20.0, 15.0]))
    assert diag["at_bound"] and diag["rho"] == pytest.approx(BOUND, abs=1e-6)
    with pytest.raises(ValueError, match=r"cell \(1, 2\).*not a finite count"):
        _core.polychoric(np.array([[1.0, -2.0], [3.0, 4.0]]))


# -- alpha on seeded data --------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2])
def test_complete_case_alpha_matches_pingouin_and_numpy(seed: int) -> None:
    x = seeded_items(600, 6, 0.05, seed)
    df = pd.DataFrame(x, columns=[f"i{j}" for j in range(6)])
    res = _core.item_alpha(x, missing="complete")
    ref = np_complete(x)
    assert 0 < ref["n"] < 600  # listwise deletion is exercised
    assert res["n"] == ref["n"]
    complete = df.dropna()
    # pingouin: listwise alpha; standardised alpha is the alpha of z-scored items.
    assert res["alpha"] == pytest.approx(pg.cronbach_alpha(df, nan_policy="listwise")[0], abs=1e-12)
    assert res["alpha"] == pytest.approx(ref["alpha"], abs=1e-12)
    z = (complete - complete.mean()) / complete.std()
    assert res["standardized_alpha"] == pytest.approx(pg.cronbach_alpha(z)[0], abs=1e-12)
    assert res["standardized_alpha"] == pytest.approx(ref["standardized_alpha"], abs=1e-12)
    items = res["items"]
    for i, c in enumerate(df.columns):
        # Alpha if deleted: the other items over the rows complete on all k.
        assert items["alpha_if_deleted"][i] == pytest.approx(
            pg.cronbach_alpha(complete.drop(columns=c))[0], abs=1e-12
        )
        assert items["standardized_alpha_if_deleted"][i] == pytest.approx(
            pg.cronbach_alpha(z.drop(columns=c))[0], abs=1e-12
        )
        rest = complete.drop(columns=c).sum(axis=1)
        assert items["item_rest"][i] == pytest.approx(complete[c].corr(rest), abs=1e-12)
    np.testing.assert_allclose(items["item_rest"], ref["item_rest"], atol=1e-12, rtol=0)
    np.testing.assert_allclose(items["mean"], ref["mean"], atol=1e-12, rtol=0)


def test_pairwise_alpha_matches_pingouin_and_numpy() -> None:
    x = seeded_items(500, 5, 0.15, 3)
    df = pd.DataFrame(x, columns=[f"i{j}" for j in range(5)])
    res = _core.item_alpha(x, missing="pairwise")
    ref = np_pairwise(x)
    assert res["alpha"] == pytest.approx(pg.cronbach_alpha(df, nan_policy="pairwise")[0], abs=1e-12)
    assert res["alpha"] == pytest.approx(ref["alpha"], abs=1e-12)
    assert res["standardized_alpha"] == pytest.approx(ref["standardized_alpha"], abs=1e-12)
    np.testing.assert_allclose(res["correlation"], df.corr().to_numpy(), atol=1e-12, rtol=0)
    np.testing.assert_allclose(res["covariance"], df.cov().to_numpy(), atol=1e-12, rtol=0)
    for i, c in enumerate(df.columns):
        assert res["items"]["alpha_if_deleted"][i] == pytest.approx(
            pg.cronbach_alpha(df.drop(columns=c), nan_policy="pairwise")[0], abs=1e-12
        )
    np.testing.assert_allclose(res["items"]["item_rest"], ref["item_rest"], atol=1e-12, rtol=0)
    np.testing.assert_array_equal(res["items"]["n"], (~np.isnan(x)).sum(axis=0))


def test_weighted_alpha_matches_numpy_and_ignores_weight_scale() -> None:
    x = seeded_items(700, 5, 0.08, 4)
    w = np.random.default_rng(4).uniform(0.1, 4.0, size=700)
    for missing, ref in (("complete", np_complete(x, w)), ("pairwise", np_pairwise(x, w))):
        res = _core.item_alpha(x, w, missing=missing)
        assert res["alpha"] == pytest.approx(ref["alpha"], abs=1e-12)
        assert res["standardized_alpha"] == pytest.approx(ref["standardized_alpha"], abs=1e-12)
        np.testing.assert_allclose(res["items"]["item_rest"], ref["item_rest"], atol=1e-12, rtol=0)
        np.testing.assert_allclose(
            res["items"]["alpha_if_deleted"], ref["alpha_if_deleted"], atol=1e-12, rtol=0
        )
        scaled = _core.item_alpha(x, w * 1000.0, missing=missing)
        assert scaled["alpha"] == pytest.approx(res["alpha"], abs=1e-12)
        # ... and the weights do change the answer.
        assert abs(_core.item_alpha(x, missing=missing)["alpha"] - res["alpha"]) > 1e-5


# -- properties --------------------------------------------------------------------------------


def test_alpha_is_invariant_to_row_order() -> None:
    x = seeded_items(400, 5, 0.1, 6)
    perm = np.random.default_rng(6).permutation(400)
    for missing in ("complete", "pairwise"):
        a = _core.item_alpha(x, missing=missing, ordinal=True)
        b = _core.item_alpha(x[perm], missing=missing, ordinal=True)
        for key in ("alpha", "standardized_alpha", "ordinal_alpha"):
            assert b[key] == pytest.approx(a[key], abs=1e-10)
        np.testing.assert_allclose(
            b["items"]["item_rest"], a["items"]["item_rest"], atol=1e-10, rtol=0
        )


def test_merge_of_chunks_equals_whole() -> None:
    x = seeded_items(500, 5, 0.1, 7)
    w = np.random.default_rng(7).uniform(0.5, 2.0, size=500)
    for missing in ("complete", "pairwise"):
        whole = _core.item_alpha(x, w, missing=missing, ordinal=True)
        chunked = _core.item_alpha(x, w, missing=missing, ordinal=True, chunk_rows=37)
        assert chunked["n"] == whole["n"]
        for key in ("alpha", "standardized_alpha", "ordinal_alpha", "weight"):
            assert chunked[key] == pytest.approx(whole[key], abs=1e-10)
        np.testing.assert_allclose(chunked["polychoric"], whole["polychoric"], atol=1e-10, rtol=0)
        np.testing.assert_allclose(
            chunked["items"]["alpha_if_deleted"], whole["items"]["alpha_if_deleted"], atol=1e-10
        )


def test_duplicated_item_increases_alpha() -> None:
    x = seeded_items(500, 4, 0.05, 8)
    x2 = np.column_stack([x, x[:, 1]])
    for missing in ("complete", "pairwise"):
        before = _core.item_alpha(x, missing=missing, ordinal=True)
        after = _core.item_alpha(x2, missing=missing, ordinal=True)
        for key in ("alpha", "standardized_alpha", "ordinal_alpha"):
            assert after[key] > before[key] + 0.01, key
        assert after["items"]["alpha_if_deleted"][4] == pytest.approx(before["alpha"], abs=1e-12)


# -- the instrument-level API on the sample ------------------------------------------------------


def test_sample_alpha_per_dimension_matches_numpy(rss: dict[str, Any], coded_sample: Any) -> None:
    values, valid = coded_sample
    rep = reinscore.reliability(SAMPLE)
    assert isinstance(rep, reinscore.ReliabilityReport)
    assert list(rep.dimensions.index) == rss["dimensions"]
    assert rep.invalid_rows == int((~valid).sum()) > 0
    assert rep.rows == int(valid.sum())
    for dim in rss["dimensions"]:
        cols = dim_columns(rss, dim)
        x = values[valid][:, cols]
        ref = np_complete(x)
        row = rep.dimensions.loc[dim]
        assert row["items"] == len(cols)
        assert row["n"] == ref["n"]
        assert row["alpha"] == pytest.approx(ref["alpha"], abs=1e-12)
        assert row["alpha"] == pytest.approx(
            pg.cronbach_alpha(pd.DataFrame(x), nan_policy="listwise")[0], abs=1e-12
        )
        assert row["standardized_alpha"] == pytest.approx(ref["standardized_alpha"], abs=1e-12)
        items = rep.items[rep.items["dimension"] == dim]
        assert items["item"].tolist() == [rss["items"][k]["id"] for k in cols]
        np.testing.assert_allclose(items["item_rest"], ref["item_rest"], atol=1e-12, rtol=0)
        np.testing.assert_allclose(
            items["alpha_if_deleted"], ref["alpha_if_deleted"], atol=1e-12, rtol=0
        )
        np.testing.assert_allclose(items["mean"], ref["mean"], atol=1e-12, rtol=0)
    # The generator's report says roughly 0.85 / 0.86 / 0.90: a loose sanity check only.
    assert (rep.dimensions["alpha"].between(0.7, 0.97)).all()


def test_sample_pairwise_weighted_and_ordinal(rss: dict[str, Any], coded_sample: Any) -> None:
    values, valid = coded_sample
    df = read_text_csv(SAMPLE)
    w = 0.5 + (np.arange(len(df)) % 4) * 0.5
    df["w"] = [str(v) for v in w]
    rep = reinscore.reliability(df, missing="pairwise", weight="w", ordinal=True)
    assert rep.weight == "w" and rep.missing == "pairwise" and rep.ordinal
    for dim in rss["dimensions"]:
        cols = dim_columns(rss, dim)
        x = values[valid][:, cols]
        ref = np_pairwise(x, w[valid])
        assert rep.dimensions.loc[dim, "alpha"] == pytest.approx(ref["alpha"], abs=1e-12)
        assert rep.dimensions.loc[dim, "standardized_alpha"] == pytest.approx(
            ref["standardized_alpha"], abs=1e-12
        )
    # Polychoric correlations of the psychosocial items against the scipy estimator.
    cols = dim_columns(rss, "psychosocial")[:4]
    x = values[valid][:, cols]
    poly = rep.polychoric["psychosocial"].to_numpy()
    for i in range(len(cols)):
        for j in range(i + 1, len(cols)):
            assert (
                abs(poly[i, j] - scipy_polychoric(contingency(x[:, i], x[:, j], w[valid]))) < 1e-6
            )
    r = rep.polychoric["psychosocial"].to_numpy()
    assert rep.dimensions.loc["psychosocial", "ordinal_alpha"] == pytest.approx(
        std_alpha_from_corr(r), abs=1e-12
    )
    assert (rep.dimensions["ordinal_alpha"] > rep.dimensions["standardized_alpha"]).all()


def test_frame_row_order_and_repr() -> None:
    df = read_text_csv(SAMPLE)
    a = reinscore.reliability(df)
    b = reinscore.reliability(df.sample(frac=1.0, random_state=3))
    pd.testing.assert_frame_equal(a.dimensions, b.dimensions, check_exact=False, atol=1e-12, rtol=0)
    pd.testing.assert_frame_equal(a.items, b.items, check_exact=False, atol=1e-12, rtol=0)
    text = repr(a)
    assert text.startswith("<ReliabilityReport iom-rss@") and "economic 0." in text
    page = a._repr_html_()
    assert "<table" in page and "psychosocial" in page and "alpha_if_deleted" in page
    assert f"{a.dimensions.loc['social', 'alpha']:.4f}" in page


def test_missing_columns_and_errors(tmp_path: Path) -> None:
    df = read_text_csv(SAMPLE)
    with pytest.raises(reinscore.InputError, match="missing_column") as e:
        reinscore.reliability(df.drop(columns=["has_work"]))
    assert (e.value.rule, e.value.column) == ("missing_column", "has_work")
    rep = reinscore.reliability(df.drop(columns=["has_work"]), allow_missing_columns=True)
    assert rep.left_out == ["has_work"]
    assert rep.dimensions.loc["economic", "items"] == 7
    assert "has_work" not in rep.items["item"].tolist()
    # The report keeps the item, without a column: what the command line prints.
    items = rep.report.table("items")
    assert "has_work" in items.columns[1].text
    with pytest.raises(reinscore.InputError, match=r"^missing must be complete or pairwise") as e:
        reinscore.reliability(df, missing="mean")
    assert (e.value.rule, e.value.option) == ("bad_option", "missing")
    bad = df.assign(w="1")
    bad.loc[5, "w"] = "heavy"
    with pytest.raises(reinscore.InputError, match=r"row 6: column 'w': .*not a number or negative") as e:
        reinscore.reliability(bad, weight="w")
    assert (e.value.rule, e.value.row, e.value.column) == ("invalid_weight", 6, "w")
    assert "heavy" not in str(e.value)
    with pytest.raises(reinscore.InputError, match="missing_column"):
        reinscore.reliability(df, weight="no_such_column")
    with pytest.raises(reinscore.InputError, match="one sampling weight per row") as e:
        reinscore.reliability(df, weight=np.ones(3))
    assert e.value.option == "weight"


def test_weights_given_per_row_equal_a_weight_column(tmp_path: Path) -> None:
    df = read_text_csv(SAMPLE)
    w = 0.5 + (np.arange(len(df)) % 3) * 0.75
    by_column = reinscore.reliability(df.assign(w=w), weight="w", missing="pairwise")
    by_array = reinscore.reliability(df, weight=w, missing="pairwise")
    assert by_array.weight == "<array>" and by_column.weight == "w"
    pd.testing.assert_frame_equal(by_array.dimensions, by_column.dimensions, check_exact=True)
    # A path with weights given per row: read, then coded as a frame is.
    path = tmp_path / "sample.csv"
    df.to_csv(path, index=False)
    from_path = reinscore.reliability(path, weight=w, missing="pairwise")
    pd.testing.assert_frame_equal(from_path.dimensions, by_column.dimensions, check_exact=True)
    # A numeric weight column is taken as numbers, a text one read by the C++ reader.
    as_text = reinscore.reliability(
        df.assign(w=[str(float(x)) for x in w]), weight="w", missing="pairwise"
    )
    pd.testing.assert_frame_equal(as_text.dimensions, by_column.dimensions, check_exact=True)


def test_ordinal_rejects_a_continuous_item() -> None:
    n = 40
    frame = pd.DataFrame(
        {
            "e1": ["low", "mid", "high", "mid"] * (n // 4),
            "e2": ["yes", "no"] * (n // 2),
            "e3": [str(0.25 * i) for i in range(n)],  # 40 distinct numbers on a 0-10 scale
            "s1": ["low", "high"] * (n // 2),
            "s2": ["mid", "high"] * (n // 2),
            "p1": ["high", "low"] * (n // 2),
            "p2": ["no", "yes"] * (n // 2),
        }
    )
    assert reinscore.reliability(frame, instrument=MINI).dimensions.loc["econ", "items"] == 3
    with pytest.raises(reinscore.InputError, match=r"item 'e3' has more than 20 distinct values") as e:
        reinscore.reliability(frame, instrument=MINI, ordinal=True)
    assert e.value.rule == "not_ordinal"
