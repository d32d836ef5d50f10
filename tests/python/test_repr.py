"""Notebook display (`_repr_html_`) compared with golden files in tests/python/golden/.

After an intended change of the display, rewrite the files with

    REINSCORE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/python/test_repr.py

and review the diff. A missing golden file is a failure, not a silent write.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import reinscore
from _helpers import BAD, MINI, MINI_WEIGHTS, SAMPLE, read_text_csv

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("REINSCORE_UPDATE_GOLDEN") == "1"


def _scores() -> pd.DataFrame:
    return reinscore.score(SAMPLE, id="interview_id", keep=["round"])


CASES: dict[str, Callable[[], object]] = {
    "instrument_rss": lambda: reinscore.load_instrument(),
    "instrument_mini": lambda: reinscore.load_instrument(MINI),
    "weights_rss_equal": lambda: reinscore.load_instrument().weights(),
    "weights_mini_items": lambda: reinscore.load_instrument(MINI).weights("items"),
    "weights_mini_official": lambda: reinscore.load_instrument(MINI).with_weights(MINI_WEIGHTS).weights(),
    "validation_sample": lambda: reinscore.validate(SAMPLE),
    "validation_bad_files": lambda: reinscore.validate(BAD / "ragged.csv"),
    "validation_clean": lambda: reinscore.validate(read_text_csv(SAMPLE).head(20)),
    "validation_missing_column": lambda: reinscore.validate(
        read_text_csv(SAMPLE).head(300).drop(columns=["distress"]), show_codes=True
    ),
    "summary_by_round": lambda: reinscore.summarize(_scores(), by="round"),
    "summary_suppressed": lambda: reinscore.summarize(_scores(), by="round", min_cell=1779),
    "summary_overall": lambda: reinscore.summarize(_scores()),
}


def _html(name: str) -> str:
    obj = CASES[name]()
    html = obj._repr_html_()  # type: ignore[attr-defined]
    assert isinstance(html, str)
    return html


@pytest.mark.parametrize("name", sorted(CASES))
def test_repr_html_matches_golden(name: str) -> None:
    html = _html(name)
    path = GOLDEN / f"{name}.html"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(html, encoding="utf-8", newline="\n")
    assert path.is_file(), f"{path} is missing: run with REINSCORE_UPDATE_GOLDEN=1 to write it"
    want = path.read_text(encoding="utf-8")
    assert html == want, f"{name}: display differs from {path} (REINSCORE_UPDATE_GOLDEN=1 rewrites it)"


@pytest.mark.parametrize("name", sorted(CASES))
def test_repr_html_is_deterministic(name: str) -> None:
    a, b = _html(name), _html(name)
    assert a == b
    assert not re.search(r"0x[0-9a-f]{6,}", a), "no object addresses"
    assert str(Path.home()) not in a and "/tmp" not in a, "no local paths"


def test_repr_html_escapes() -> None:
    report = reinscore.validate(pd.DataFrame({"econ_satisfaction": ["<b>x</b>"]}), show_codes=True)
    html = report._repr_html_()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_texts() -> None:
    """The plain reprs name what matters."""
    ins = reinscore.load_instrument()
    assert "PROVISIONAL" in repr(ins) and ins.tag in repr(ins)
    assert repr(ins.weights()) == "WeightSet('equal', mode='dimension', source='provisional', provisional)"
    assert repr(reinscore.validate(SAMPLE)).endswith("26/26 items matched: 10 problem(s)>")
    assert repr(reinscore.summarize(_scores(), by="round")).startswith("<ScoreSummary by ['round']: 3 group(s)>")
