"""`reinscore fit-weights`: weights against numpy on data whose coded values are the numbers
written (an instrument of numeric 0..1 scales), the weight file (plain decimal numbers,
loaded by `score --weights`), the diagnostics on stderr, option checks and input errors.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _clitools import ok, run
from _reference import SAMPLE, write_csv

DIMS = {"a": ["x0", "x1", "x2", "x3"], "b": ["x4", "x5", "x6"], "c": ["x7", "x8"]}
ITEMS = [i for d in DIMS.values() for i in d]
STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
EXPONENT = re.compile(r"[0-9][eE][-+]?[0-9]")


def exponent_in_numbers(text: str) -> bool:
    """Whether a number of the JSON text is written in exponent form (strings left out:
    an instrument hash holds digits and e's)."""
    return EXPONENT.search(STRING.sub('""', text)) is not None


@pytest.fixture(scope="module")
def num_ins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Numeric 0..1 scales, so that the coded values are the numbers given."""
    doc = {
        "format": "reinscore-instrument/1",
        "id": "num",
        "version": "1",
        "dimensions": list(DIMS),
        "scales": {"unit": {"type": "numeric", "min": 0, "max": 1}},
        "items": [{"id": i, "dimension": d, "scale": "unit"} for d, its in DIMS.items() for i in its],
        "thresholds": {"categories": [{"label": "low", "min": 0}, {"label": "high", "min": 0.5}]},
        "weight_sets": {
            "equal": {
                "composite": {"mode": "dimension", "weights": {d: 1 for d in DIMS}},
                "items": {i: {"dimension": 1} for i in ITEMS},
            }
        },
    }
    path = tmp_path_factory.mktemp("fit") / "num.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def latent(n: int, seed: int, missing: float = 0.0) -> pd.DataFrame:
    """One factor per dimension, values in [0, 1] (17 digits: the file holds the same doubles)."""
    rng = np.random.default_rng(seed)
    factors = {d: rng.normal(size=n) for d in DIMS}
    cols = {}
    for d, items in DIMS.items():
        for k, item in enumerate(items):
            v = np.clip(0.5 + 0.12 * ((0.8 - 0.1 * k) * factors[d] + 0.6 * rng.normal(size=n)), 0, 1)
            v[rng.random(n) < missing] = np.nan
            cols[item] = v
    return pd.DataFrame(cols)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    df = latent(800, seed=1, missing=0.05)
    path = tmp_path_factory.mktemp("export") / "export.csv"
    df.to_csv(path, index=False, float_format="%.17g", lineterminator="\n")
    return path, df


def test_pca_first_weights_equal_a_numpy_computation(
    cli: Path, tmp_path: Path, num_ins: Path, export: tuple[Path, pd.DataFrame]
) -> None:
    path, df = export
    out = tmp_path / "w.json"
    ok(run(cli, "fit-weights", path, "--instrument", num_ins, "-o", out, "-q"))
    doc = json.loads(out.read_text(encoding="utf-8"))
    shares = {}
    for d, items in DIMS.items():
        values, vectors = np.linalg.eigh(df[items].corr().to_numpy())  # pairwise, as pandas
        v1 = np.abs(vectors[:, -1])
        got = [doc["items"][i]["dimension"] for i in items]
        np.testing.assert_allclose(got, v1 / v1.sum(), rtol=0, atol=1e-10)
        shares[d] = values[-1] / len(items)
    total = sum(shares.values())
    for d in DIMS:
        assert doc["composite"]["weights"][d] == pytest.approx(shares[d] / total, abs=1e-12)
    assert doc["composite"]["mode"] == "dimension"
    assert doc["source"] == "fitted:pca-first"
    assert "on 800 of 800 rows" in doc["citation"]


def test_weighted_by_a_column_equals_repeated_rows(
    cli: Path, tmp_path: Path, num_ins: Path
) -> None:
    df = latent(300, seed=2)
    w = 1 + np.arange(300) % 3
    write_csv(tmp_path / "w.csv", df.assign(w=[f" {x} " for x in w]))
    write_csv(tmp_path / "rep.csv", df.loc[df.index.repeat(w)])
    ok(run(cli, "fit-weights", tmp_path / "w.csv", "--instrument", num_ins, "--weight", "w",
           "--method", "oecd-varimax", "-o", tmp_path / "a.json", "-q"))
    ok(run(cli, "fit-weights", tmp_path / "rep.csv", "--instrument", num_ins,
           "--method", "oecd-varimax", "-o", tmp_path / "b.json", "-q"))
    a = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    for i in ITEMS:
        assert a["items"][i]["dimension"] == pytest.approx(b["items"][i]["dimension"], abs=1e-10)
    assert "weighted by column 'w'" in a["citation"]


def test_weight_file_is_plain_decimal_and_scores(cli: Path, tmp_path: Path) -> None:
    out = tmp_path / "round1.json"
    ok(run(cli, "fit-weights", SAMPLE, "--method", "oecd-varimax", "-o", out, "-q"))
    text = out.read_text(encoding="utf-8")
    assert not exponent_in_numbers(text), "numbers people read and edit are plain decimals"
    doc = json.loads(text)
    assert set(doc) == {"source", "citation", "provisional", "composite", "items", "diagnostics"}
    assert doc["provisional"] is True  # fitted on the provisional instrument's values
    assert doc["diagnostics"]["sign_convention"] == "largest-abs-positive"
    assert doc["diagnostics"]["rows"] == 5256 and isinstance(doc["diagnostics"]["rows"], int)
    assert doc["diagnostics"]["blocks"]["all"]["varimax"]["converged"] is True
    scored = ok(run(cli, "score", SAMPLE, "--weights", out, "-q")).frame
    assert scored["instrument"].iloc[0].startswith("iom-rss@")
    # The same fit to standard output; by default to NAME.json in the working directory.
    assert ok(run(cli, "fit-weights", SAMPLE, "--method", "oecd-varimax", "--name", "round1",
                  "-o", "-", "-q")).text == text
    ok(run(cli, "fit-weights", SAMPLE, "--name", "nameonly", "-q", cwd=tmp_path))
    assert json.loads((tmp_path / "nameonly.json").read_text(encoding="utf-8"))["source"] == (
        "fitted:pca-first"
    )


def test_stderr_shows_the_diagnostics(cli: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    r = ok(run(cli, "fit-weights", SAMPLE, "--method", "oecd-varimax", "-o", out))
    assert r.out == b""
    assert r.err.startswith(
        "reinscore fit-weights: oecd-varimax on 5246 of 5256 rows (10 invalid rows left out), "
        "pairwise correlations, unweighted\n"
    )
    for text in ("Blocks (each dimension, then all items)", "bartlett_chi2", "components_kept",
                 "economic", "all", "Weights per item", "econ_satisfaction",
                 "Composite by dimension", f"written to {out}"):
        assert text in r.err, text
    item_mode = ok(run(cli, "fit-weights", SAMPLE, "--composite", "pca", "-o", out))
    assert "composite by item" in item_mode.err
    assert ok(run(cli, "fit-weights", SAMPLE, "-o", out, "-q")).err == ""


def test_help_shows_options_for_people(cli: Path) -> None:
    r = ok(run(cli, "fit-weights", "--help"))
    assert "--input" not in r.text
    assert "INPUT" in r.text and "example:" in r.text
    assert "(=1e-12)" in r.text and "(=1)" in r.text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "pca"], "--method must be equal, pca-first or oecd-varimax [bad_option]"),
        (["--missing", "listwise"], "--missing must be pairwise or complete [bad_option]"),
        (["--composite", "items"], "--composite must be dimension-shares or pca [bad_option]"),
        (["--min-cumulative", "2"], "--min-cumulative must be a number from 0 to 1 [bad_option]"),
        (["--min-eigenvalue", "nan"], "--min-eigenvalue must be a finite number >= 0"),
        (["--varimax-tolerance", "0"], "--varimax-tolerance must be a number above 0 and at most 1"),
        (["--chunk-rows", "0"], "--chunk-rows must be a whole number from 1 to 1048576"),
        (["--delimiter", "ab"], "--delimiter must be one printable ASCII character"),
        (["--weight", "nope"], "column 'nope': weight column not in the input [missing_column]"),
        (["--instrument", "nope"], "no instrument named 'nope'"),
    ],
)
def test_usage_errors(cli: Path, tmp_path: Path, args: list[str], message: str) -> None:
    r = run(cli, "fit-weights", SAMPLE, *args, "-o", tmp_path / "x.json")
    assert r.code == 2, r.err
    assert message in r.err, r.err
    assert list(tmp_path.iterdir()) == [], "nothing written"


def test_input_errors(cli: Path, tmp_path: Path, num_ins: Path) -> None:
    df = latent(50, seed=3).assign(w="1")
    df.loc[4, "w"] = "heavy"
    write_csv(tmp_path / "bad.csv", df)
    r = run(cli, "fit-weights", tmp_path / "bad.csv", "--instrument", num_ins, "--weight", "w",
            "-o", tmp_path / "x.json")
    assert r.code == 2
    assert "row 6: column 'w': weight is empty, not a number or negative [invalid_weight]" in r.err
    assert "heavy" not in r.err  # never a value from the data
    write_csv(tmp_path / "flat.csv", latent(50, seed=4).assign(x5=0.25))
    r = run(cli, "fit-weights", tmp_path / "flat.csv", "--instrument", num_ins, "-o", tmp_path / "x.json")
    assert r.code == 2
    assert "dimension 'b': item 'x5' has the same value in every answer" in r.err
    assert "[cannot_fit]" in r.err
    write_csv(tmp_path / "short.csv", latent(20, seed=5).drop(columns=["x8"]))
    r = run(cli, "fit-weights", tmp_path / "short.csv", "--instrument", num_ins, "-o", tmp_path / "x.json")
    assert r.code == 2 and "[missing_column]" in r.err
    assert not (tmp_path / "x.json").exists()
