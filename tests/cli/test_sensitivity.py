"""`reinscore sensitivity`: the per-interview CSV and the summary against what they must
be (bound 0 reproduces the base composite; methods mode stays within the composites of
the three sets `fit-weights` gives), determinism, the --summary file, option checks and
input errors.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from _clitools import ok, run
from _reference import SAMPLE, numbers

STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
EXPONENT = re.compile(r"[0-9][eE][-+]?[0-9]")


def exponent_in_numbers(text: str) -> bool:
    """Whether a number of the JSON text is written in exponent form (strings left out:
    an instrument hash holds digits and e's)."""
    return EXPONENT.search(STRING.sub('""', text)) is not None
COLUMNS = ["composite", "category", "status", "lower", "median", "upper", "mean", "min", "max",
           "draws_scored", "category_change_share"]


def test_bound_zero_reproduces_the_base_composite(cli: Path) -> None:
    r = ok(run(cli, "sensitivity", SAMPLE, "--draws", "4", "--bound", "0", "--id",
               "interview_id", "-q"))
    got = r.frame
    assert list(got.columns) == ["interview_id", *COLUMNS]
    scores = ok(run(cli, "score", SAMPLE, "--id", "interview_id", "-q")).frame
    assert got["interview_id"].tolist() == scores["interview_id"].tolist()
    assert got["composite"].tolist() == scores["composite"].tolist()  # same text, same number
    assert got["category"].tolist() == scores["category"].tolist()
    assert got["status"].tolist() == scores["status"].tolist()
    base = numbers(got["composite"])
    has = ~np.isnan(base)
    for col in ("lower", "median", "upper", "mean", "min", "max"):
        # bound 0 renormalises the base weights: the same composite up to rounding
        np.testing.assert_allclose(numbers(got[col])[has], base[has], rtol=0, atol=1e-14, err_msg=col)
        assert (got[col][~has] == "").all()
    assert (got["draws_scored"][has] == "4").all() and (got["draws_scored"][~has] == "0").all()
    assert (numbers(got["category_change_share"])[has] == 0).all()


def test_methods_mode_stays_within_the_three_fitted_sets(cli: Path, tmp_path: Path) -> None:
    got = ok(run(cli, "sensitivity", SAMPLE, "--draws", "40", "--mode", "methods", "-q")).frame
    composites = []
    for method in ("equal", "pca-first", "oecd-varimax"):
        w = tmp_path / f"{method}.json"
        ok(run(cli, "fit-weights", SAMPLE, "--method", method, "-o", w, "-q"))
        composites.append(numbers(ok(run(cli, "score", SAMPLE, "--weights", w, "-q")).frame["composite"]))
    lo, hi = np.fmin.reduce(composites), np.fmax.reduce(composites)
    has = ~np.isnan(lo)
    assert (numbers(got["min"])[has] >= lo[has] - 1e-15).all()
    assert (numbers(got["max"])[has] <= hi[has] + 1e-15).all()


def test_same_seed_same_bytes_for_any_threads(cli: Path, tmp_path: Path) -> None:
    one = ok(run(cli, "sensitivity", SAMPLE, "--draws", "30", "--seed", "5", "--threads", "1",
                 "--summary", tmp_path / "a.json", "-q"))
    three = ok(run(cli, "sensitivity", SAMPLE, "--draws", "30", "--seed", "5", "--threads", "3",
                   "--chunk-rows", "1000", "--summary", tmp_path / "b.json", "-q"))
    assert one.out == three.out
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    other = ok(run(cli, "sensitivity", SAMPLE, "--draws", "30", "--seed", "6", "-q"))
    assert other.out != one.out


def test_summary_file_and_stderr(cli: Path, tmp_path: Path) -> None:
    out, summary = tmp_path / "rows.csv", tmp_path / "summary.json"
    r = ok(run(cli, "sensitivity", SAMPLE, "--draws", "20", "--mode", "both", "-o", out,
               "--summary", summary))
    assert r.out == b""
    text = summary.read_text(encoding="utf-8")
    assert not exponent_in_numbers(text), text
    doc = json.loads(text)
    assert doc["draws"] == 20 and doc["mode"] == "both" and doc["bound"] == 0.2
    assert doc["rows"] == 5256 == len(out.read_text(encoding="utf-8").splitlines()) - 1
    assert doc["quantiles"] == [pytest.approx(0.05), 0.95]
    assert sum(doc["method_draws"].values()) == 20
    lines = r.err.splitlines()
    assert lines[0] == ("reinscore sensitivity: 20 draws (both, bound 0.2, seed 1) over 5256 "
                        "interviews (5238 with a composite)")
    assert any("category changes vs the base weights" in x for x in lines)
    assert lines[-1].startswith("reinscore sensitivity: methods drawn: equal ")


def test_empty_input_gives_the_header(cli: Path, tmp_path: Path) -> None:
    header = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "empty.csv").write_text(header + "\n", encoding="utf-8")
    r = ok(run(cli, "sensitivity", tmp_path / "empty.csv", "--draws", "3", "-q"))
    assert r.text == ",".join(COLUMNS) + "\n"


def test_help_shows_options_for_people(cli: Path) -> None:
    r = ok(run(cli, "sensitivity", "--help"))
    assert "--input" not in r.text
    assert "INPUT" in r.text and "example:" in r.text
    assert "(=0.2)" in r.text and "(=0.9)" in r.text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bound", "1"], "--bound must be a number from 0 up to but not including 1 [bad_option]"),
        (["--level", "0"], "--level must be a number between 0 and 1"),
        (["--mode", "random"], "--mode must be perturb, methods or both [bad_option]"),
        (["--draws", "0"], "--draws must be a whole number from 1 to 1000000"),
        (["--threads", "300"], "--threads must be a whole number from 1 to 256"),
        (["--weight", "age"], "--weight applies to the fits of --mode methods or both only"),
        (["--id", "nope"], "column 'nope': not in the input [missing_column]"),
        (["--weights", "nope"], "no weight set named 'nope'"),
    ],
)
def test_usage_errors(cli: Path, tmp_path: Path, args: list[str], message: str) -> None:
    r = run(cli, "sensitivity", SAMPLE, *args, "-o", tmp_path / "x.csv", "--summary",
            tmp_path / "s.json")
    assert r.code == 2, r.err
    assert message in r.err, r.err
    assert list(tmp_path.iterdir()) == [], "nothing written"


def test_methods_mode_needs_a_file(cli: Path) -> None:
    r = run(cli, "sensitivity", "-", "--mode", "methods", stdin=SAMPLE.read_bytes())
    assert r.code == 2
    assert "--mode methods reads the input twice (fits, then draws): give a file, not -" in r.err
    assert r.out == b""
    # perturb reads it once: standard input is fine
    assert ok(run(cli, "sensitivity", "-", "--draws", "2", "-q", stdin=SAMPLE.read_bytes())).out
