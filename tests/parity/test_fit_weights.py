"""fit-weights through the command line and through Python, on the same inputs: the weight
file byte for byte (a path read by the C++ readers, and a DataFrame coded by the core),
and every number of the Python frames against the diagnostics the file holds."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import SAMPLE, read_text_csv, run_cli, write_csv

CASES = [
    ("pca-first", "dimension-shares", "pairwise"),
    ("oecd-varimax", "pca", "pairwise"),
    ("oecd-varimax", "dimension-shares", "complete"),
    ("equal", "dimension-shares", "pairwise"),
]


@pytest.fixture(scope="module")
def weighted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    df = read_text_csv(SAMPLE)
    df = df.assign(w=[str(1 + (i % 4) * 0.5) for i in range(len(df))])
    return write_csv(tmp_path_factory.mktemp("weighted") / "weighted.csv", df), df


def _close(a: Any, b: Any, what: str) -> None:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    assert a.shape == b.shape, what
    assert (np.isnan(a) == np.isnan(b)).all(), what
    np.testing.assert_allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=1e-12, atol=0, err_msg=what)


def _f(v: Any) -> float:
    return math.nan if v is None else float(v)


def assert_frames_match_file(fit: reinscore.FitResult, doc: dict[str, Any]) -> None:
    """Every number of the frames equals the file's (read back by Python: rtol 1e-12)."""
    w = fit.weights.set_index("item")
    assert list(w.index) == list(doc["items"])
    _close(w["dimension_weight"], [v["dimension"] for v in doc["items"].values()], "dimension_weight")
    _close(w["composite_weight"], [_f(v.get("composite")) for v in doc["items"].values()],
           "composite_weight")
    if doc["composite"]["mode"] == "dimension":
        dw = fit.dimension_weights
        assert dw is not None and list(dw.index) == list(doc["composite"]["weights"])
        _close(dw, list(doc["composite"]["weights"].values()), "dimension weights")
    blocks = doc["diagnostics"]["blocks"]
    assert list(fit.blocks.index) == list(blocks)
    for name, b in blocks.items():
        row = fit.blocks.loc[name]
        assert row["items"] == len(b["items"]) and row["n"] == b["n"]
        _close([row["kmo"], row["bartlett_chi2"], row["bartlett_p"], row["eigenvalue_1"],
                row["explained_1"]],
               [_f(b["kmo"]), _f(b["bartlett"]["chi2"]), _f(b["bartlett"]["p_value"]),
                b["eigenvalues"][0], b["explained_variance_ratio"][0]], f"block {name}")
        assert row["bartlett_df"] == b["bartlett"]["df"]
        kept = row["components_kept"]
        assert (kept is pd.NA and "components_kept" not in b) or kept == b["components_kept"]
        ev = fit.eigenvalues[fit.eigenvalues["block"] == name]
        _close(ev["eigenvalue"], b["eigenvalues"], f"eigenvalues {name}")
        _close(ev["explained_variance_ratio"], b["explained_variance_ratio"], f"ratios {name}")
        assert ev["component"].tolist() == list(range(1, len(b["items"]) + 1))
        loadings = fit.loadings.loc[name]
        assert list(loadings.index) == b["items"]
        _close(loadings.iloc[:, : len(b["items"])], b["loadings"], f"loadings {name}")
        kmo = fit.kmo[fit.kmo["block"] == name]
        assert kmo["item"].tolist() == b["items"]
        _close(kmo["kmo"], [_f(v) for v in b["kmo_items"]], f"kmo {name}")
        if "rotated_loadings" in b:
            rotated = fit.rotated_loadings.loc[name]
            _close(rotated.iloc[:, : b["components_kept"]], b["rotated_loadings"], f"rotated {name}")
    assert fit.rows == doc["diagnostics"]["rows"]
    assert fit.rows_used == doc["diagnostics"]["rows_used"]
    assert fit.rows_invalid == doc["diagnostics"]["rows_invalid"]
    assert fit.warnings == doc["diagnostics"].get("warnings", [])


@pytest.mark.parametrize(("method", "composite", "missing"), CASES)
def test_path_and_frame_give_the_cli_file(
    tmp_path: Path, method: str, composite: str, missing: str
) -> None:
    out = tmp_path / "fitted.json"
    run_cli("fit-weights", SAMPLE, "--method", method, "--composite", composite, "--missing",
            missing, "-o", out, "-q").ok()
    text = out.read_text(encoding="utf-8")
    for data in (SAMPLE, read_text_csv(SAMPLE)):
        fit = reinscore.fit_weights(data, method=method, composite=composite, missing=missing,
                                    name="fitted")
        assert fit.to_json() == text
        assert_frames_match_file(fit, json.loads(text))


def test_weighted_fit_from_a_path_and_a_frame(weighted: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    path, df = weighted
    out = tmp_path / "w.json"
    run_cli("fit-weights", path, "--method", "oecd-varimax", "--weight", "w", "-o", out, "-q").ok()
    text = out.read_text(encoding="utf-8")
    for data in (path, df):
        fit = reinscore.fit_weights(data, method="oecd-varimax", weight="w", name="w")
        assert fit.to_json() == text
    # One number per row, given as an array: the same sums as the column.
    given = reinscore.fit_weights(df, method="oecd-varimax", weight=df["w"].astype(float).to_numpy(),
                                  name="w")
    doc, by_array = json.loads(text), json.loads(given.to_json())
    assert by_array["items"] == doc["items"]
    assert "weighted by given weights" in by_array["citation"]


def test_chunks_and_options(tmp_path: Path) -> None:
    out = tmp_path / "c.json"
    run_cli("fit-weights", SAMPLE, "--method", "oecd-varimax", "--min-eigenvalue", "0.8",
            "--min-cumulative", "0.6", "--chunk-rows", "300", "-o", out, "-q").ok()
    req_file = out.read_text(encoding="utf-8")
    # Python has no --chunk-rows: the default chunks give the same set up to rounding.
    fit = reinscore.fit_weights(SAMPLE, method="oecd-varimax", min_eigenvalue=0.8,
                                min_cumulative=0.6, name="c")
    a, b = json.loads(req_file), json.loads(fit.to_json())
    for item, v in a["items"].items():
        assert v["dimension"] == pytest.approx(b["items"][item]["dimension"], rel=1e-12)
    assert a["diagnostics"]["min_cumulative"] == 0.6


@pytest.mark.parametrize(
    ("kwargs", "cli_args"),
    [
        ({"method": "pca"}, ["--method", "pca"]),
        ({"min_cumulative": 2}, ["--min-cumulative", "2"]),
        ({"min_eigenvalue": -1}, ["--min-eigenvalue", "-1"]),
        ({"weight": "nope"}, ["--weight", "nope"]),
    ],
)
def test_errors_are_the_same(tmp_path: Path, kwargs: dict[str, Any], cli_args: list[str]) -> None:
    r = run_cli("fit-weights", SAMPLE, *cli_args, "-o", tmp_path / "x.json")
    assert r.code == 2
    cli_message = r.err.strip().removeprefix("reinscore fit-weights: ")
    for data in (SAMPLE, read_text_csv(SAMPLE)):
        with pytest.raises(reinscore.InputError) as e:
            reinscore.fit_weights(data, **kwargs)
        # Option names are spelled the Python way; the rest is the command line's message.
        assert str(e.value) == cli_message.replace("--min-cumulative", "min_cumulative").replace(
            "--min-eigenvalue", "min_eigenvalue").replace("--method", "method")
        assert e.value.rule == cli_message.rsplit("[", 1)[1].rstrip("]")
