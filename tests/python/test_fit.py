"""reinscore.fit_weights: against scikit-learn, numpy, pandas and factor_analyzer on seeded
data; a set fitted on one round scores later rounds as its file does. The command line's
own tests are in tests/cli/test_fit_weights.py, the comparison of both faces in
tests/parity/test_fit_weights.py.
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
from _helpers import (
    SAMPLE,
    assert_matches_cli,
    assert_same_scores,
    read_text_csv,
    run_cli,
    write_csv,
)
from factor_analyzer.factor_analyzer import calculate_bartlett_sphericity, calculate_kmo
from factor_analyzer.rotator import Rotator
from reinscore import _core
from sklearn.decomposition import PCA

DIMS = {"a": ["x0", "x1", "x2", "x3"], "b": ["x4", "x5", "x6"], "c": ["x7", "x8"]}
ITEMS = [i for d in DIMS.values() for i in d]
TOL = 1e-8


def numeric_instrument(path: Path) -> Path:
    """Numeric 0..1 scales, so that the coded values are the numbers given."""
    doc = {
        "format": "reinscore-instrument/1",
        "id": "num",
        "version": "1",
        "dimensions": list(DIMS),
        "scales": {"unit": {"type": "numeric", "min": 0, "max": 1}},
        "items": [
            {"id": i, "dimension": d, "scale": "unit"} for d, its in DIMS.items() for i in its
        ],
        "thresholds": {"categories": [{"label": "low", "min": 0}, {"label": "high", "min": 0.5}]},
        "weight_sets": {
            "equal": {
                "composite": {"mode": "dimension", "weights": {d: 1 for d in DIMS}},
                "items": {i: {"dimension": 1} for i in ITEMS},
            }
        },
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def num_ins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return numeric_instrument(tmp_path_factory.mktemp("fit") / "num.json")


def latent(n: int, seed: int, missing: float = 0.0, noise: float = 1.0) -> pd.DataFrame:
    """Dimension a: two factors (x0,x1 / x2,x3); b and c: one factor each; values in [0, 1]."""
    rng = np.random.default_rng(seed)
    fa1 = rng.normal(size=n)
    fa2 = 0.3 * fa1 + rng.normal(size=n)
    fb, fc = rng.normal(size=n), rng.normal(size=n)
    factors = [fa1, fa1, fa2, fa2, fb, fb, fb, fc, fc]
    load = [0.9, 0.8, 0.7, 0.6, 0.8, 0.7, 0.5, 0.6, 0.7]
    cols = {}
    for k, item in enumerate(ITEMS):
        v = 0.5 + 0.12 * (
            load[k] * factors[k] + noise * math.sqrt(1 - load[k] ** 2) * rng.normal(size=n)
        )
        v = np.clip(v, 0, 1)
        v[rng.random(n) < missing] = np.nan
        cols[item] = v
    return pd.DataFrame(cols)


def block(fit: reinscore.FitResult, name: str) -> dict[str, Any]:
    b: dict[str, Any] = fit.raw_diagnostics["blocks"][name]
    return b


def block_items(name: str) -> list[str]:
    return ITEMS if name == "all" else DIMS[name]


def standardised(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    out: np.ndarray[Any, Any] = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    return out


def sign_fixed(m: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The documented convention: each column's largest-|.| entry positive."""
    m = m.copy()
    for j in range(m.shape[1]):
        if m[np.argmax(np.abs(m[:, j])), j] < 0:
            m[:, j] *= -1
    return m


# -- PCA against scikit-learn and pandas -------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "b", "c", "all"])
def test_pca_matches_scikit_learn(num_ins: Path, name: str) -> None:
    df = latent(1500, seed=1)
    fit = reinscore.fit_weights(df, instrument=num_ins, missing="complete")
    b = block(fit, name)
    x = df[block_items(name)].to_numpy()
    pca = PCA().fit(standardised(x))  # covariance of z-scores (ddof 1) = correlation
    assert b["n"] == 1500
    np.testing.assert_allclose(b["eigenvalues"], pca.explained_variance_, rtol=0, atol=TOL)
    np.testing.assert_allclose(
        b["explained_variance_ratio"], pca.explained_variance_ratio_, rtol=0, atol=TOL
    )
    loadings = np.array(b["loadings"])
    vectors = loadings / np.sqrt(np.array(b["eigenvalues"]))
    np.testing.assert_allclose(np.abs(vectors), np.abs(pca.components_.T), rtol=0, atol=TOL)
    # scikit-learn (>= 1.5) flips components by the same rule: signs agree too, except
    # where two entries tie for the largest |.| (a two-item block's second component)
    top2 = np.sort(np.abs(vectors), axis=0)[-2:]
    clear = top2[1] - top2[0] > 1e-6
    assert clear[0] or name == "c"  # two items: both components are ties
    np.testing.assert_allclose(vectors[:, clear], pca.components_.T[:, clear], rtol=0, atol=TOL)
    np.testing.assert_allclose(vectors, sign_fixed(vectors), rtol=0, atol=0)


def test_pairwise_pca_matches_pandas(num_ins: Path) -> None:
    df = latent(2000, seed=2, missing=0.1)
    fit = reinscore.fit_weights(df, instrument=num_ins)  # pairwise is the default
    for name in ["a", "b", "all"]:
        b = block(fit, name)
        r = df[block_items(name)].corr().to_numpy()  # pandas: pairwise complete
        values, vectors = np.linalg.eigh(r)
        np.testing.assert_allclose(b["eigenvalues"], values[::-1], rtol=0, atol=TOL)
        got = np.array(b["loadings"]) / np.sqrt(np.maximum(np.array(b["eigenvalues"]), 0))
        np.testing.assert_allclose(np.abs(got), np.abs(vectors[:, ::-1]), rtol=0, atol=1e-7)
        counts = df[block_items(name)].notna().astype(int)
        assert b["n"] == (counts.T @ counts).to_numpy().min()


def test_correlation_kernel_matches_numpy_weighted_and_pairwise() -> None:
    rng = np.random.default_rng(3)
    x = latent(800, seed=3).to_numpy()
    w = rng.integers(1, 4, size=800).astype(float)
    got = _core.correlation(x, w, "pairwise")
    want = np.corrcoef(np.repeat(x, w.astype(int), axis=0), rowvar=False)  # frequency weights
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    gaps = latent(800, seed=4, missing=0.15)
    np.testing.assert_allclose(
        _core.correlation(gaps.to_numpy()), gaps.corr().to_numpy(), rtol=0, atol=1e-12
    )


# -- weights against numpy ---------------------------------------------------------------------


def test_pca_first_weights_equal_a_numpy_computation(num_ins: Path) -> None:
    df = latent(1200, seed=5, missing=0.05)
    fit = reinscore.fit_weights(df, instrument=num_ins, composite="dimension-shares")
    w = fit.weights.set_index("item")
    shares = {}
    for d, items in DIMS.items():
        values, vectors = np.linalg.eigh(df[items].corr().to_numpy())
        v1 = np.abs(vectors[:, -1])
        np.testing.assert_allclose(
            w.loc[items, "dimension_weight"], v1 / v1.sum(), rtol=0, atol=1e-10
        )
        shares[d] = values[-1] / len(items)
    total = sum(shares.values())
    dw = fit.dimension_weights
    assert dw is not None
    for d in DIMS:
        assert dw[d] == pytest.approx(shares[d] / total, abs=1e-12)
    assert w["composite_weight"].isna().all()
    # composite="pca": item mode from the first component over all items
    item_mode = reinscore.fit_weights(df, instrument=num_ins, composite="pca")
    v1 = np.abs(np.linalg.eigh(df[ITEMS].corr().to_numpy())[1][:, -1])
    np.testing.assert_allclose(
        item_mode.weights["composite_weight"], v1 / v1.sum(), rtol=0, atol=1e-10
    )
    assert item_mode.dimension_weights is None


def numpy_varimax(
    loadings: np.ndarray[Any, Any], tol: float = 1e-15, max_iter: int = 100000
) -> np.ndarray[Any, Any]:
    """Independent reference: Kaiser-normalised varimax by the SVD iteration of R's
    stats::varimax, run until the rotation stops changing."""
    h = np.sqrt((loadings**2).sum(axis=1))
    x = loadings / h[:, None]
    p, m = x.shape
    t = np.eye(m)
    for _ in range(max_iter):
        z = x @ t
        b = x.T @ (z**3 - z @ np.diag((z**2).sum(axis=0)) / p)
        u, _, vh = np.linalg.svd(b)
        t_new = u @ vh
        if np.abs(t_new - t).max() < tol:
            t = t_new
            break
        t = t_new
    else:
        raise AssertionError("the reference varimax did not converge")
    return (x @ t) * h[:, None]


def numpy_varimax_planar(
    loadings: np.ndarray[Any, Any], tol: float = 1e-14, sweeps: int = 1000
) -> np.ndarray[Any, Any]:
    """Independent reference for blocks where the SVD iteration stalls (two factors carried
    by two items each): Kaiser's (1958) planar rotations, the optimal angle per pair."""
    h = np.sqrt((loadings**2).sum(axis=1))
    x = loadings / h[:, None]
    p, m = x.shape
    for _ in range(sweeps):
        largest = 0.0
        for j in range(m - 1):
            for k in range(j + 1, m):
                u = x[:, j] ** 2 - x[:, k] ** 2
                v = 2 * x[:, j] * x[:, k]
                a, b = u.sum(), v.sum()
                c, d = (u * u - v * v).sum(), 2 * (u * v).sum()
                phi = np.arctan2(d - 2 * a * b / p, c - (a * a - b * b) / p) / 4
                largest = max(largest, abs(phi))
                xj, xk = x[:, j].copy(), x[:, k].copy()
                x[:, j] = np.cos(phi) * xj + np.sin(phi) * xk
                x[:, k] = np.cos(phi) * xk - np.sin(phi) * xj
        if largest < tol:
            return x * h[:, None]
    raise AssertionError("the reference varimax did not converge")


def match_columns(got: np.ndarray[Any, Any], ref: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """ref's columns reordered (and flipped by the sign convention) to face got's."""
    ref = sign_fixed(ref)
    order = [
        int(np.argmax([abs(got[:, j] @ ref[:, k]) for k in range(ref.shape[1])]))
        for j in range(got.shape[1])
    ]
    assert sorted(order) == list(range(ref.shape[1]))
    return ref[:, order]


def test_varimax_matches_references(num_ins: Path) -> None:
    df = latent(4000, seed=6, noise=0.8)
    fit = reinscore.fit_weights(df, instrument=num_ins, method="oecd-varimax", missing="complete")
    b = block(fit, "all")
    kept = b["components_kept"]
    assert kept >= 2
    unrotated = np.array(b["loadings"])[:, :kept]
    got = np.array(b["rotated_loadings"])
    assert b["varimax"]["converged"]
    np.testing.assert_allclose(got, match_columns(got, numpy_varimax(unrotated)), rtol=0, atol=TOL)
    fa = Rotator(method="varimax", normalize=True, tol=1e-15, max_iter=100000).fit_transform(
        unrotated
    )
    np.testing.assert_allclose(got, match_columns(got, fa), rtol=0, atol=TOL)  # 5e-9 here
    # the kernel on its own, on arbitrary loadings
    rng = np.random.default_rng(7)
    loadings = rng.uniform(-0.2, 0.9, size=(12, 3))
    v = _core.varimax(loadings)
    assert v["converged"]
    np.testing.assert_allclose(
        v["loadings"], match_columns(v["loadings"], numpy_varimax(loadings)), rtol=0, atol=TOL
    )
    np.testing.assert_allclose(v["rotation"].T @ v["rotation"], np.eye(3), atol=1e-12)


def test_oecd_weights_equal_a_numpy_computation(num_ins: Path) -> None:
    df = latent(4000, seed=8, noise=0.8)
    fit = reinscore.fit_weights(
        df, instrument=num_ins, method="oecd-varimax", composite="pca", missing="complete"
    )
    assert not fit.warnings
    for name in ["a", "all"]:
        items = block_items(name)
        values, vectors = np.linalg.eigh(np.corrcoef(df[items].to_numpy(), rowvar=False))
        values, vectors = values[::-1], vectors[:, ::-1]
        kept = int((values > 1).sum())
        assert block(fit, name)["components_kept"] == kept
        rotated = sign_fixed(numpy_varimax_planar(vectors[:, :kept] * np.sqrt(values[:kept])))
        got_rotated = np.array(block(fit, name)["rotated_loadings"])
        np.testing.assert_allclose(
            got_rotated, match_columns(got_rotated, rotated), rtol=0, atol=TOL
        )
        sq = rotated**2
        var = sq.sum(axis=0)
        factor = sq.argmax(axis=1)
        w = (var / var.sum())[factor] * sq[np.arange(len(items)), factor] / var[factor]
        w /= w.sum()
        got = fit.weights.set_index("item").loc[
            items, "composite_weight" if name == "all" else "dimension_weight"
        ]
        np.testing.assert_allclose(got, w, rtol=0, atol=TOL)


# -- KMO and Bartlett against factor_analyzer ----------------------------------------------------


@pytest.mark.parametrize(("n", "noise"), [(1500, 1.0), (60, 3.0)])
def test_kmo_and_bartlett_match_factor_analyzer(num_ins: Path, n: int, noise: float) -> None:
    df = latent(n, seed=9, noise=noise)
    fit = reinscore.fit_weights(df, instrument=num_ins, missing="complete")
    for name in ["a", "b", "all"]:
        b = block(fit, name)
        z = standardised(df[block_items(name)].to_numpy())  # KMO does not depend on scale
        kmo_items, kmo_all = calculate_kmo(z)
        chi2, p = calculate_bartlett_sphericity(z)
        assert b["kmo"] == pytest.approx(kmo_all, abs=TOL)
        np.testing.assert_allclose(b["kmo_items"], kmo_items, rtol=0, atol=TOL)
        assert b["bartlett"]["chi2"] == pytest.approx(chi2, rel=TOL)
        assert b["bartlett"]["p_value"] == pytest.approx(p, abs=TOL)
        k = len(block_items(name))
        assert b["bartlett"]["df"] == k * (k - 1) / 2
    if n == 60:  # a weak case: p-values away from 0, so the tail is really compared
        assert 1e-6 < block(fit, "b")["bartlett"]["p_value"] < 1


def test_kernels_match_factor_analyzer_on_their_own() -> None:
    x = standardised(latent(300, seed=10).to_numpy())
    r = np.corrcoef(x, rowvar=False)
    kmo_items, kmo_all = calculate_kmo(x)
    k = _core.kmo(r)
    assert k["overall"] == pytest.approx(kmo_all, abs=TOL)
    np.testing.assert_allclose(k["items"], kmo_items, atol=TOL)
    chi2, p = calculate_bartlett_sphericity(x)
    bt = _core.bartlett(r, 300)
    assert bt["chi2"] == pytest.approx(chi2, rel=TOL)
    assert bt["p_value"] == pytest.approx(p, abs=TOL)
    pc = _core.pca(r)
    np.testing.assert_allclose(pc["eigenvalues"], np.linalg.eigvalsh(r)[::-1], atol=TOL)


# -- sampling weights ------------------------------------------------------------------------------


def test_integer_weights_equal_repeated_rows(num_ins: Path) -> None:
    df = latent(700, seed=11, missing=0.05)
    w = np.random.default_rng(11).integers(1, 4, size=700)
    weighted = reinscore.fit_weights(
        df.assign(w=w), instrument=num_ins, weight="w", method="oecd-varimax"
    )
    repeated = reinscore.fit_weights(
        df.loc[df.index.repeat(w)].reset_index(drop=True), instrument=num_ins, method="oecd-varimax"
    )
    np.testing.assert_allclose(
        weighted.weights["dimension_weight"],
        repeated.weights["dimension_weight"],
        rtol=0,
        atol=1e-10,
    )
    assert "weighted by column 'w'" in weighted.weight_set.citation
    assert block(weighted, "a")["n"] < block(repeated, "a")["n"]  # n counts rows, not weights
    given = reinscore.fit_weights(
        df, instrument=num_ins, weight=w.astype(float), method="oecd-varimax"
    )
    np.testing.assert_allclose(
        given.weights["dimension_weight"], weighted.weights["dimension_weight"], atol=1e-15
    )
    assert "weighted by given weights" in given.weight_set.citation


def test_bad_sampling_weights_are_refused(num_ins: Path) -> None:
    df = latent(50, seed=12).assign(w=1.0)
    df.loc[7, "w"] = -2.0
    # Rows of a DataFrame are named by 1-based position (the eighth row).
    with pytest.raises(
        reinscore.InputError,
        match=r"^row 8: column 'w': weight is empty, not a number or negative \[invalid_weight\]$",
    ) as e:
        reinscore.fit_weights(df, instrument=num_ins, weight="w")
    assert (e.value.rule, e.value.row, e.value.column) == ("invalid_weight", 8, "w")
    text = df.assign(w=df["w"].astype(str))
    text.loc[3, "w"] = "heavy"
    with pytest.raises(reinscore.InputError, match=r"^row 4: column 'w'"):
        reinscore.fit_weights(text, instrument=num_ins, weight="w")
    with pytest.raises(ValueError, match="column 'nope': weight column not in the input"):
        reinscore.fit_weights(df, instrument=num_ins, weight="nope")
    with pytest.raises(
        reinscore.InputError, match=r"weight must hold one sampling weight per row \(50\), not 2"
    ) as e:
        reinscore.fit_weights(df, instrument=num_ins, weight=[1.0, 2.0])
    assert e.value.option == "weight"


# -- results, errors, display ------------------------------------------------------------------------


def test_result_frames(num_ins: Path) -> None:
    df = latent(900, seed=13, missing=0.03)
    fit = reinscore.fit_weights(df, instrument=num_ins, method="oecd-varimax", name="mine")
    assert fit.name == "mine" and fit.weight_set.source == "fitted:oecd-varimax"
    assert list(fit.weights.columns) == [
        "item",
        "dimension",
        "dimension_weight",
        "composite_weight",
    ]
    assert list(fit.blocks.index) == ["a", "b", "c", "all"]
    assert fit.blocks.loc["all", "items"] == 9
    ev = fit.eigenvalues
    assert len(ev) == 4 + 3 + 2 + 9
    assert ev.groupby("block")["explained_variance_ratio"].sum().round(12).eq(1).all()
    assert fit.loadings.loc["a"].shape == (4, 9)  # PC1..PC9 (NaN beyond a block's size)
    assert fit.loadings.loc["a"].iloc[:, 4:].isna().all().all()
    assert fit.rotated_loadings.loc["a"].shape[0] == 4
    assert len(fit.kmo) == 18
    assert set(fit.diagnostics) == {"blocks", "eigenvalues", "loadings", "rotated_loadings", "kmo"}
    assert fit.rows == fit.rows_used == 900 and fit.rows_invalid == 0
    html = fit._repr_html_()
    assert "Fitted weights mine" in html and "oecd-varimax" in html
    assert "FitResult('mine'" in repr(fit)
    plain = reinscore.fit_weights(df, instrument=num_ins)
    assert plain.rotated_loadings.empty
    # the fitted instrument scores with the fitted set
    assert fit.instrument.default_weights == "mine"
    scores = reinscore.score(df, instrument=fit.instrument)
    assert scores["instrument"].iloc[0] == fit.instrument.tag


def test_data_that_cannot_support_a_fit(num_ins: Path) -> None:
    df = latent(100, seed=14)
    with pytest.raises(reinscore.InputError, match="method must be equal, pca-first or oecd-varimax") as e:
        reinscore.fit_weights(df, instrument=num_ins, method="pca")
    assert e.value.option == "method"
    with pytest.raises(reinscore.InputError, match="missing must be pairwise or complete"):
        reinscore.fit_weights(df, instrument=num_ins, missing="listwise")
    with pytest.raises(
        reinscore.InputError, match=r"dimension 'b': item 'x5' has the same value in every answer"
    ) as e:
        reinscore.fit_weights(df.assign(x5=0.25), instrument=num_ins)
    assert e.value.rule == "cannot_fit"
    with pytest.raises(ValueError, match=r"dimension 'c': item 'x8' is never answered"):
        reinscore.fit_weights(df.assign(x8=np.nan), instrument=num_ins)
    with pytest.raises(reinscore.InputError, match=r"\[missing_column\]"):
        reinscore.fit_weights(df.drop(columns=["x8"]), instrument=num_ins)


def test_warnings_for_data_without_structure(num_ins: Path) -> None:
    rng = np.random.default_rng(23)
    df = pd.DataFrame(rng.uniform(size=(40, 9)), columns=ITEMS)
    fit = reinscore.fit_weights(df, instrument=num_ins)
    for name, label in [("a", "dimension 'a'"), ("b", "dimension 'b'"), ("all", "all items")]:
        assert block(fit, name)["kmo"] < 0.5
        assert any(w.startswith(f"{label}: KMO") for w in fit.warnings), name
    assert not any(w.startswith("dimension 'c': KMO") for w in fit.warnings)  # 0.5 by construction
    assert any("does not reject sphericity" in w for w in fit.warnings)
    assert "Warnings" in fit._repr_html_()


# -- the sample: Python and the command line give the same set ------------------------------------------


@pytest.fixture(scope="module")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    df = read_text_csv(SAMPLE)
    tmp = tmp_path_factory.mktemp("rounds")
    r1 = df[df["round"] == "1"].reset_index(drop=True)
    r23 = df[df["round"] != "1"].reset_index(drop=True)
    return {
        "r1": r1,
        "r23": r23,
        "r1_csv": write_csv(tmp / "round1.csv", r1),
        "r23_csv": write_csv(tmp / "rounds23.csv", r23),
        "tmp": tmp,
    }


@pytest.mark.parametrize(
    ("method", "composite", "missing"),
    [
        ("pca-first", "dimension-shares", "pairwise"),
        ("oecd-varimax", "pca", "pairwise"),
        ("oecd-varimax", "dimension-shares", "complete"),
        ("equal", "dimension-shares", "pairwise"),
    ],
)
def test_fit_on_round_1_scores_later_rounds_like_the_cli_file(
    cli: Path, rounds: dict[str, Any], method: str, composite: str, missing: str
) -> None:
    out = rounds["tmp"] / f"round1-{method}-{composite}-{missing}.json"
    run = run_cli(
        "fit-weights",
        rounds["r1_csv"],
        "--method",
        method,
        "--composite",
        composite,
        "--missing",
        missing,
        "-o",
        out,
    ).ok()
    assert "kmo" in run.err and "written to" in run.err
    fit = reinscore.fit_weights(
        rounds["r1"], method=method, composite=composite, missing=missing, name=out.stem
    )
    # the same file, byte for byte, and the same set once loaded
    assert fit.to_json() == out.read_text(encoding="utf-8")
    assert fit.rows == 2000 and fit.rows_invalid == len(
        reinscore.score(rounds["r1"]).query("status == 'invalid'")
    )
    assert f"on {fit.rows_used} of 2000 rows" in fit.weight_set.citation
    assert reinscore.load_instrument("iom-rss").tag in fit.weight_set.citation
    from_memory = reinscore.score(
        rounds["r23"], instrument=fit.instrument, id="interview_id", keep=["round"]
    )
    from_file = reinscore.score(rounds["r23"], weights=out, id="interview_id", keep=["round"])
    assert_same_scores(from_memory, from_file)  # every column, the instrument tag included
    cli_scores = (
        run_cli(
            "score",
            rounds["r23_csv"],
            "--weights",
            out,
            "--id",
            "interview_id",
            "--keep",
            "round",
            "-q",
        )
        .ok()
        .frame
    )
    assert_matches_cli(from_memory, cli_scores, tol=0)
    # the fitted weights are not the provisional equal ones (except for `equal`)
    equal = reinscore.score(rounds["r23"])
    differs = not np.allclose(from_memory["composite"], equal["composite"], equal_nan=True)
    assert differs == (method != "equal")
