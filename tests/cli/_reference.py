"""Shared helpers of the command-line tests: data paths, readers of the binary's output
and `reference_scores`, an independent numpy version of the scoring rules written from the
issue text (code -> value, reverse items, item weights, coverage rule with not_applicable
removed from the applicable weight, composite as the weighted mean of the dimensions,
invalid rows without scores).

Bad inputs live in tests/data/bad/ (see its README.md); row numbers are spreadsheet rows
(header = row 1).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
RSS_JSON = DATA / "instruments" / "iom-rss.json"
SAMPLE = DATA / "examples" / "rss_sample.csv"
TEST_DATA = REPO / "tests" / "data"
BAD = TEST_DATA / "bad"
SAMPLE_XLSX = TEST_DATA / "sample.xlsx"
MAKE_SAMPLE = REPO / "tools" / "make_sample.py"
MAKE_XLSX = TEST_DATA / "make_bad_xlsx.py"

DIMS = ("economic", "social", "psychosocial")
SCORE_COLS = (*DIMS, "composite", *(f"coverage_{d}" for d in DIMS))
STATUSES = ("complete", "partial", "insufficient", "invalid")
TOL = 1e-12
REASONS = {
    "answered",
    "dont_know",
    "refused",
    "not_applicable",
    "skipped",
    "invalid_code",
    "out_of_range",
}


# --------------------------------------------------------------------------------------
# Reading the binary's output


def read_scores(data: bytes | Path) -> pd.DataFrame:
    raw = data.read_bytes() if isinstance(data, Path) else data
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)


def numbers(col: pd.Series) -> np.ndarray:
    return np.array([math.nan if v == "" else float(v) for v in col], dtype=float)


def csv_records(path: Path) -> list[list[str]]:
    """Records of a CSV file read by the standard library (independent of the binary)."""
    with path.open(newline="", encoding="utf-8", errors="replace") as f:
        return list(csv.reader(f))


def read_text_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def assert_close(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    a_nan, e_nan = np.isnan(actual), np.isnan(expected)
    bad = np.flatnonzero(a_nan != e_nan)
    assert bad.size == 0, (
        f"{what}: missing where not expected (or the reverse) at rows {bad[:10].tolist()}"
    )
    diff = np.abs(np.where(a_nan, 0.0, actual - expected))
    assert diff.max(initial=0.0) <= TOL, (
        f"{what}: max difference {diff.max()} at row {int(diff.argmax())}"
    )


# --------------------------------------------------------------------------------------
# Independent reference implementation of the scoring


def load_instrument(path: Path = RSS_JSON) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def reference_scores(
    df: pd.DataFrame,
    ins: dict[str, Any],
    item_weights: dict[str, float] | None = None,
    dim_weights: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Scores of every row of `df` (answers as text) by the rules of the issue."""
    items = ins["items"]
    dims = list(ins["dimensions"])
    wset = ins["weight_sets"][ins["default_weights"]]
    if item_weights is None:
        item_weights = {k: float(v["dimension"]) for k, v in wset["items"].items()}
    if dim_weights is None:
        dim_weights = {k: float(v) for k, v in wset["composite"]["weights"].items()}
    n, k_items, n_dims = len(df), len(items), len(dims)
    values = np.zeros((n, k_items))
    answered = np.zeros((n, k_items), dtype=bool)
    not_applicable = np.zeros((n, k_items), dtype=bool)
    gap = np.zeros((n, k_items), dtype=bool)
    invalid_rule = np.full((n, k_items), "", dtype=object)
    W = np.zeros((k_items, n_dims))
    for k, it in enumerate(items):
        W[k, dims.index(it["dimension"])] = item_weights[it["id"]]
        scale = ins["scales"][it["scale"]]
        lookup: dict[str, tuple[str, float]] = {}
        for c in scale["codes"]:
            v = 1.0 - c["value"] if it.get("reverse") else float(c["value"])
            lookup[c["code"]] = ("answered", v)
            if "numeric" in c:
                lookup[str(c["numeric"])] = ("answered", v)
        for m in scale.get("missing", []):
            lookup[m["code"]] = (m["meaning"], math.nan)
            if "numeric" in m:
                lookup[str(m["numeric"])] = (m["meaning"], math.nan)
        for r, raw in enumerate(df[it["column"]].tolist()):
            s = raw.strip(" \t")
            if s == "":
                gap[r, k] = True
                continue
            kind, v = lookup.get(s, ("", math.nan))
            if kind == "answered":
                answered[r, k], values[r, k] = True, v
            elif kind == "not_applicable":
                not_applicable[r, k] = True
            elif kind:
                gap[r, k] = True
            else:
                try:
                    float(s)
                    invalid_rule[r, k] = "out_of_range"
                except ValueError:
                    invalid_rule[r, k] = "invalid_code"
    invalid = (invalid_rule != "").any(axis=1)
    num = np.where(answered, values, 0.0) @ W
    den = answered.astype(float) @ W
    applicable = W.sum(axis=0)[None, :] - not_applicable.astype(float) @ W
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(applicable > 0, den / applicable, 0.0)
        covered = (applicable > 0) & (den > 0) & (coverage >= ins["coverage"]["min_share"] - 1e-12)
        dim_scores = np.where(covered, num / den, math.nan)
    a = np.array([dim_weights[d] for d in dims])
    composite = np.where(covered.all(axis=1), np.nan_to_num(dim_scores) @ a / a.sum(), math.nan)
    cuts = ins["thresholds"]["categories"]
    out = pd.DataFrame(dim_scores, columns=dims)
    out["composite"] = composite
    for j, d in enumerate(dims):
        out[f"coverage_{d}"] = coverage[:, j]
    status, lowest, category, problems = [], [], [], []
    for r in range(n):
        if invalid[r]:
            status.append("invalid")
            lowest.append("")
            category.append("")
            problems.append(
                "; ".join(
                    f"{items[k]['column']}: {invalid_rule[r, k]}"
                    for k in range(k_items)
                    if invalid_rule[r, k]
                )
            )
            continue
        if not covered[r].all():
            status.append("insufficient")
            missing = ",".join(d for j, d in enumerate(dims) if not covered[r, j])
            problems.append(f"insufficient_coverage: {missing}")
            lowest.append("")
        else:
            status.append("partial" if gap[r].any() else "complete")
            problems.append("")
            lowest.append(dims[int(np.argmin(dim_scores[r]))])  # first of equal minima
        c = composite[r]
        label = ""
        if not math.isnan(c):
            for cut in cuts:
                if c >= cut["min"] - 1e-12:
                    label = cut["label"]
        category.append(label)
    out.loc[invalid, [*dims, "composite", *(f"coverage_{d}" for d in dims)]] = math.nan
    out["status"] = status
    out["lowest_dimension"] = lowest
    out["category"] = category
    out["problems"] = problems
    return out


def assert_matches_reference(got: pd.DataFrame, ref: pd.DataFrame) -> None:
    assert len(got) == len(ref)
    for col in SCORE_COLS:
        assert_close(numbers(got[col]), ref[col].to_numpy(dtype=float), col)
    for col in ("status", "lowest_dimension", "category", "problems"):
        mismatch = np.flatnonzero(got[col].to_numpy() != ref[col].to_numpy())
        assert mismatch.size == 0, (
            f"{col} differs at rows {mismatch[:5].tolist()}: "
            f"{got[col].iloc[mismatch[:3]].tolist()} vs {ref[col].iloc[mismatch[:3]].tolist()}"
        )


def item_columns(ins: dict[str, Any]) -> list[str]:
    return [it["column"] for it in ins["items"]]


def without_problems(data: bytes) -> pd.DataFrame:
    return read_scores(data).drop(columns=["problems"])


# --------------------------------------------------------------------------------------
# Building inputs


def write_csv(path: Path, df: pd.DataFrame) -> Path:
    df.to_csv(path, index=False, lineterminator="\n")
    return path


def clean_rows(n: int) -> pd.DataFrame:
    base = read_text_table(BAD / "unknown_codes.csv")
    clean = base[base["interview_id"].isin(["R001", "R005"])]
    out = pd.concat([clean] * ((n + 1) // 2), ignore_index=True).iloc[:n].copy()
    out["interview_id"] = [f"X{i:03d}" for i in range(n)]
    return out


def load_module(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
