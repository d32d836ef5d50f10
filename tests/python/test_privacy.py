"""Python face of issue 10 points 5 and 8: no answer or identifier leaves through an
output column, a title, a notebook view or a message; `score(pseudonymise=...)` gives
the command line's pseudonyms (checked against hmac/hashlib too)."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import BAD, SAMPLE, run_cli
from reinscore import _core

HEADER = "reinscore-pseudonym-key v1 hmac-sha256"
TEST_KEY = bytes(range(32))


def key_file(path: Path, key: bytes = TEST_KEY) -> Path:
    path.write_text(f"{HEADER}\n{key.hex()}\n")
    return path


def pseudonym(key: bytes, value: str) -> str:
    value = value.strip(" \t")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32] if value else ""


def strings(col: Any) -> list[str]:
    return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in col]


# -- point 5 ------------------------------------------------------------------------------


@pytest.mark.parametrize("file", ["wrong_delimiter_row.csv", "invalid_utf8_id.csv", "ragged.csv",
                                  "invalid_utf8.csv"])
def test_malformed_rows_copy_nothing_as_the_cli(file: str, cli: Path) -> None:
    got = reinscore.score(BAD / file, id="interview_id", keep=["food_reduced"],
                          allow_missing_columns=True)
    want = run_cli("score", BAD / file, "--id", "interview_id", "--keep", "food_reduced",
                   "--allow-missing-columns", "-q")
    # 1: the two-item files score no row (below the coverage rule); output written anyway
    assert want.code in (0, 1), want.err
    frame = want.frame
    assert strings(got["interview_id"]) == frame["interview_id"].tolist()
    assert strings(got["food_reduced"]) == frame["food_reduced"].tolist()
    assert strings(got["problems"]) == frame["problems"].tolist()


def test_wrong_delimiter_row() -> None:
    got = reinscore.score(BAD / "wrong_delimiter_row.csv", id="interview_id",
                          allow_missing_columns=True)
    assert strings(got["interview_id"]) == ["R001", "", "R003"]
    assert got["problems"][1] == (
        "ragged_row: 1 fields, header has 27; interview_id: id_unreadable: ragged_row"
    )
    assert not got.astype(str).apply(lambda c: c.str.contains("dissatisfied")).any().any()


def test_sensitivity_copies_no_field_of_a_ragged_row() -> None:
    res = reinscore.sensitivity(BAD / "wrong_delimiter_row.csv", id="interview_id", draws=5,
                                allow_missing_columns=True)
    assert strings(res.interviews["interview_id"]) == ["R001", "", "R003"]


def test_sensitivity_view_hides_ids_unless_asked() -> None:
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).head(20)
    res = reinscore.sensitivity(df, id="interview_id", keep=["returnee_id"], draws=5)
    first = str(df["interview_id"][0])
    assert first not in res._repr_html_()
    assert str(df["returnee_id"][0]) not in res._repr_html_()
    assert "composite" in res._repr_html_()
    res.show_ids = True
    assert first in res._repr_html_()


def test_profile_title_and_errors_carry_no_id() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from reinscore import plot

    scores = reinscore.score(SAMPLE, id="interview_id", keep=["returnee_id", "round"])
    rid = str(scores["returnee_id"].iloc[0])
    ax = plot.profile(scores, rid)
    assert rid not in ax.get_title()
    ax = plot.profile(scores, rid, show_id=True)
    assert rid in ax.get_title()
    with pytest.raises(ValueError) as e:
        plot.profile(scores, "R99999")
    assert "R99999" not in str(e.value)
    s = scores.copy()
    s.loc[s["returnee_id"] == rid, "round"] = "1"
    with pytest.raises(ValueError, match="more than one interview") as e:
        plot.profile(s, rid)
    assert rid not in str(e.value)


# -- point 8 ------------------------------------------------------------------------------


def test_core_hmac_matches_hashlib() -> None:
    for key, data in [(b"\x0b" * 20, b"Hi There"), (TEST_KEY, b"R00017"), (b"Jefe", b"")]:
        assert _core.hmac_sha256_hex(key, data) == hmac.new(key, data, hashlib.sha256).hexdigest()


def test_pseudonyms_equal_cli_and_hmac(tmp_path: Path, cli: Path) -> None:
    key = key_file(tmp_path / "k.key")
    keep = ["returnee_id", "round"]
    got = reinscore.score(SAMPLE, id="interview_id", keep=keep, pseudonymise=key,
                          pseudonymise_columns=["returnee_id"])
    want = run_cli("score", SAMPLE, "--id", "interview_id", "--keep", "returnee_id", "--keep",
                   "round", "--pseudonymise", key, "--pseudonymise-column", "returnee_id",
                   "-q").ok().frame
    for c in ("interview_id", "returnee_id", "round"):
        assert strings(got[c]) == want[c].tolist(), c
    plain = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    assert strings(got["interview_id"]) == [pseudonym(TEST_KEY, v) for v in plain["interview_id"]]
    assert strings(got["round"]) == plain["round"].tolist(), "not pseudonymised unless named"
    # A DataFrame gives the same pseudonyms as its file; a str path or a Path alike.
    df = reinscore.score(plain, id="interview_id", keep=keep, pseudonymise=str(key),
                         pseudonymise_columns=["returnee_id"])
    assert strings(df["returnee_id"]) == strings(got["returnee_id"])


def test_numbers_as_ids_match_their_text(tmp_path: Path) -> None:
    key = key_file(tmp_path / "k.key")
    plain = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).head(6)
    text = plain.assign(num=["12", "13", "", "15", "16", "17"])
    ints = plain.assign(num=[12, 13, 14, 15, 16, 17])
    floats = plain.assign(num=[12.0, 13.0, np.nan, 15.0, 16.0, 17.0])
    a = reinscore.score(text, id="num", pseudonymise=key)["num"]
    b = reinscore.score(ints, id="num", pseudonymise=key)["num"]
    c = reinscore.score(floats, id="num", pseudonymise=key)["num"]
    assert strings(a) == strings(c)
    assert strings(a)[2] == ""
    assert strings(b)[0] == strings(a)[0] == pseudonym(TEST_KEY, "12")


def test_pseudonymise_errors(tmp_path: Path) -> None:
    key = key_file(tmp_path / "k.key")
    with pytest.raises(ValueError, match="needs pseudonymise"):
        reinscore.score(SAMPLE, id="interview_id", pseudonymise_columns=["round"])
    with pytest.raises(ValueError, match="pseudonymise_column"):
        reinscore.score(SAMPLE, id="interview_id", pseudonymise=key,
                        pseudonymise_columns=["round"])
    for file, rule in [("key_bad_header.key", "key_file_header"),
                       ("key_short.key", "key_file_key"), ("key_zero.key", "key_file_zero")]:
        with pytest.raises(ValueError, match=rf"\[{rule}\]") as e:
            reinscore.score(SAMPLE, id="interview_id", pseudonymise=BAD / file)
        assert "0a0b0c" not in str(e.value) and "000000" not in str(e.value)
    with pytest.raises(ValueError, match="key_file_not_regular"):
        reinscore.score(SAMPLE, id="interview_id", pseudonymise=tmp_path)
