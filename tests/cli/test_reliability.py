"""`reinscore reliability`: alpha per dimension of the sample against numpy (the coded values
built here from the instrument file), the tables and their formats, batches, weights,
items left out, help and errors. Python's face of the same report: tests/parity."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _clitools import Run, ok, run
from _reference import DIMS, SAMPLE, reference_scores, write_csv


def _csv(r: Run) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(ok(r).out), dtype=str, keep_default_na=False)


def _coded(df: pd.DataFrame, ins: dict[str, Any]) -> np.ndarray:
    """Coded values (reverse applied; missing codes, blanks and unreadable answers NaN)."""
    values = np.full((len(df), len(ins["items"])), np.nan)
    for k, it in enumerate(ins["items"]):
        scale = ins["scales"][it["scale"]]
        lookup = {}
        for c in scale["codes"]:
            v = 1 - c["value"] if it.get("reverse") else c["value"]
            lookup[c["code"]] = v
            if "numeric" in c:
                lookup[str(c["numeric"])] = v
        for r, raw in enumerate(df[it.get("column", it["id"])].str.strip()):
            values[r, k] = lookup.get(raw, np.nan)
    return values


def _alpha(x: np.ndarray, w: np.ndarray | None = None) -> tuple[float, int]:
    """Complete-case alpha: k/(k-1) (1 - sum var_i / var(sum)), weighted variances
    times n/(n-1)."""
    rows = ~np.isnan(x).any(axis=1)
    xc = x[rows]
    wc = np.ones(len(xc)) if w is None else w[rows]
    n = len(xc)

    def var(v: np.ndarray) -> float:
        m = wc @ v / wc.sum()
        return float(wc @ (v - m) ** 2 / wc.sum() * n / (n - 1))

    k = x.shape[1]
    return k / (k - 1) * (1 - sum(var(xc[:, i]) for i in range(k)) / var(xc.sum(axis=1))), n


def test_alpha_per_dimension_against_numpy(cli: Path, sample_df: pd.DataFrame,
                                           rss: dict[str, Any]) -> None:
    valid = (reference_scores(sample_df, rss)["status"] != "invalid").to_numpy()
    assert 0 < (~valid).sum() < len(valid)
    values = _coded(sample_df, rss)[valid]
    dims = _csv(run(cli, "reliability", SAMPLE, "--format", "csv"))
    assert list(dims.columns) == ["dimension", "items", "n", "weight_sum", "alpha",
                                  "standardized_alpha", "mean_r"]
    assert dims["dimension"].tolist() == list(DIMS)
    for _, line in dims.iterrows():
        cols = [k for k, it in enumerate(rss["items"]) if it["dimension"] == line["dimension"]]
        alpha, n = _alpha(values[:, cols])
        assert line["items"] == str(len(cols)) and line["n"] == str(n)
        assert math.isclose(float(line["alpha"]), alpha, rel_tol=0, abs_tol=1e-12)
    info = _csv(run(cli, "reliability", SAMPLE, "--format", "csv", "--table", "input"))
    assert info.to_dict("records")[0] | {"instrument": ""} == {
        "instrument": "", "rows_read": str(len(valid)), "invalid_rows": str((~valid).sum()),
        "rows_used": str(valid.sum()), "missing": "complete", "weight": ""}


def test_weights_batches_and_missing_policies(cli: Path, sample_df: pd.DataFrame,
                                              rss: dict[str, Any], tmp_path: Path) -> None:
    w = 0.5 + (np.arange(len(sample_df)) % 4) * 0.5
    path = write_csv(tmp_path / "weighted.csv", sample_df.assign(w=[str(v) for v in w]))
    valid = (reference_scores(sample_df, rss)["status"] != "invalid").to_numpy()
    values = _coded(sample_df, rss)
    dims = _csv(run(cli, "reliability", path, "--weight", "w", "--format", "csv"))
    for _, line in dims.iterrows():
        cols = [k for k, it in enumerate(rss["items"]) if it["dimension"] == line["dimension"]]
        alpha, _ = _alpha(values[valid][:, cols], w[valid])
        assert math.isclose(float(line["alpha"]), alpha, rel_tol=0, abs_tol=1e-12)
    # Batches of 7 rows are accumulated and merged: the same numbers.
    for table in ("dimensions", "items", "correlations"):
        whole = _csv(run(cli, "reliability", path, "--weight", "w", "--ordinal", "--missing",
                         "pairwise", "--format", "csv", "--table", table))
        small = _csv(run(cli, "reliability", path, "--weight", "w", "--ordinal", "--missing",
                         "pairwise", "--format", "csv", "--table", table, "--chunk-rows", 7))
        assert list(whole.columns) == list(small.columns)
        for c in whole.columns:
            if c in ("dimension", "item", "with", "column"):
                assert whole[c].tolist() == small[c].tolist()
            else:
                np.testing.assert_allclose(small[c].astype(float), whole[c].astype(float),
                                           rtol=0, atol=1e-12)
    pairwise = _csv(run(cli, "reliability", path, "--missing", "pairwise", "--format", "csv",
                        "--table", "input"))
    assert pairwise["missing"].tolist() == ["pairwise"] and pairwise["weight"].tolist() == [""]


def test_formats(cli: Path) -> None:
    text = ok(run(cli, "reliability", SAMPLE, "--ordinal")).text
    # The terminal shows every table under its title, numbers with 4 decimals.
    assert text.startswith("Reliability by dimension\n")
    assert "\nItems\n" in text and "\nInput\n" in text and "Inter-item" not in text
    assert "econ_satisfaction" in text and "ordinal_alpha_if_deleted" in text
    dims = _csv(run(cli, "reliability", SAMPLE, "--ordinal", "--format", "csv"))
    for a in dims["alpha"]:
        assert f"{float(a):.4f}" in text
    # JSON: plain decimals, the same report with --json.
    out = ok(run(cli, "reliability", SAMPLE, "--ordinal", "--format", "json")).text
    assert out == ok(run(cli, "reliability", SAMPLE, "--ordinal", "--json")).text
    numbers: list[str] = []
    doc = json.loads(out, parse_float=lambda t: numbers.append(t) or float(t))
    assert numbers and not [t for t in numbers if "e" in t.lower()]
    assert doc["command"] == "reliability"
    assert [t["name"] for t in doc["tables"]] == ["dimensions", "items", "input"]
    assert doc["tables"][0]["columns"][4] == {"name": "alpha", "type": "number"}
    assert [float(r[4]) for r in doc["tables"][0]["rows"]] == [float(a) for a in dims["alpha"]]
    with_cor = json.loads(ok(run(cli, "reliability", SAMPLE, "--correlations", "--json")).text)
    assert [t["name"] for t in with_cor["tables"]] == ["dimensions", "items", "correlations",
                                                       "input"]
    # --table correlations asks for the table.
    cor = _csv(run(cli, "reliability", SAMPLE, "--format", "csv", "--table", "correlations"))
    assert list(cor.columns) == ["dimension", "item", "with", "r"]
    diagonal = cor[cor["item"] == cor["with"]]
    np.testing.assert_allclose(diagonal["r"].astype(float), 1.0, rtol=0, atol=1e-12)


def test_items_left_out(cli: Path, sample_df: pd.DataFrame, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "no_has_work.csv", sample_df.drop(columns=["has_work"]))
    bad = run(cli, "reliability", path)
    assert bad.code == 2 and "column 'has_work'" in bad.err and "[missing_column]" in bad.err
    r = ok(run(cli, "reliability", path, "--allow-missing-columns", "--format", "csv",
               "--table", "items"))
    assert "reinscore reliability: left out (no column in the input): has_work" in r.err
    items = _csv(r)
    line = items[items["item"] == "has_work"].iloc[0]
    assert line["dimension"] == "economic" and line["column"] == "" and line["alpha_if_deleted"] == ""
    assert (items["column"] != "").sum() == len(items) - 1


def test_help_and_errors(cli: Path, sample_df: pd.DataFrame, tmp_path: Path) -> None:
    h = ok(run(cli, "reliability", "--help")).text
    assert "--input" not in h and "INPUT" in h
    assert "example:" in h or "examples:" in h
    assert "(=complete)" in h and "(=8192)" in h and "(=iom-rss)" in h
    for args, message in [
        (["--missing", "mean"], "--missing must be complete or pairwise [bad_option]"),
        (["--chunk-rows", "0"], "--chunk-rows must be a whole number from 1 to"),
        (["--table", "nope"], "--table must be dimensions, items, correlations or input"),
        (["--format", "xml"], "[bad_option]"),
        (["--weight", "nope"], "column 'nope': weight column not in the input [missing_column]"),
        (["--delimiter", "ab"], "--delimiter must be one printable ASCII character"),
    ]:
        r = run(cli, "reliability", SAMPLE, *args)
        assert r.code == 2 and message in r.err, (args, r.err)
        assert r.out == b""
    df = sample_df.assign(w="1")
    df.loc[3, "w"] = "heavy"
    path = write_csv(tmp_path / "badweight.csv", df)
    r = run(cli, "reliability", path, "--weight", "w")
    assert r.code == 2 and "row 5: column 'w'" in r.err and "[invalid_weight]" in r.err
    assert "heavy" not in r.err
    # An invalid interview is left out and said so.
    r = ok(run(cli, "reliability", SAMPLE, "--format", "csv"))
    assert re.search(r"reinscore reliability: \d+ invalid interview\(s\) left out", r.err)
