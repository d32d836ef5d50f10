"""No answer or identifier leaves through an output column or a message, and
pseudonymised sharing (`reinscore keygen`, `score --pseudonymise`): issue 10, points 5
and 8. Pseudonyms are checked against Python's own hmac/hashlib.

The binary is taken from $REINSCORE_CLI, else from build/src/cli/reinscore.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import stat
from pathlib import Path

import pandas as pd
import pytest
from _clitools import run

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
SAMPLE = DATA / "examples" / "rss_sample.csv"
BAD = REPO / "tests" / "data" / "bad"
HEADER = "reinscore-pseudonym-key v1 hmac-sha256"
TEST_KEY = bytes(range(32))


def key_file(path: Path, key: bytes = TEST_KEY) -> Path:
    path.write_text(f"{HEADER}\n{key.hex()}\n")
    return path


def pseudonym(key: bytes, value: str) -> str:
    """The documented pseudonym: first 32 hex digits of HMAC-SHA256 of the trimmed id."""
    value = value.strip(" \t")
    if not value:
        return ""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def read_key(path: Path) -> bytes:
    lines = path.read_text().splitlines()
    assert lines[0] == HEADER
    return bytes.fromhex(lines[1])


# -- point 5: malformed rows keep no copied field ---------------------------------------


def test_wrong_delimiter_row_leaks_no_answer(cli: Path) -> None:
    path = BAD / "wrong_delimiter_row.csv"
    for fmt in ("csv", "jsonl"):
        r = run(cli, "score", path, "--id", "interview_id", "--allow-missing-columns", "-q",
                "--format", fmt)
        assert r.code == 0, r.err
        assert b"dissatisfied" not in r.out and b"often" not in r.out and b"R002" not in r.out
    got = run(cli, "score", path, "--id", "interview_id", "--allow-missing-columns", "-q").frame
    assert got["interview_id"].tolist() == ["R001", "", "R003"]
    assert got["problems"][1] == (
        "ragged_row: 1 fields, header has 27; interview_id: id_unreadable: ragged_row"
    )
    assert got["status"][1] == "invalid"


def test_invalid_utf8_id_is_empty_and_flagged(cli: Path) -> None:
    path = BAD / "invalid_utf8_id.csv"
    r = run(cli, "score", path, "--id", "interview_id", "--allow-missing-columns", "-q")
    assert r.code == 0, r.err
    r.out.decode("utf-8")  # the whole output is UTF-8
    got = r.frame
    assert got["interview_id"].tolist() == ["R001", "", "R003"]
    assert got["problems"][1] == (
        "interview_id: invalid_utf8; interview_id: id_unreadable: invalid_utf8"
    )


@pytest.mark.parametrize("file", ["invalid_utf8_id.csv", "invalid_utf8.csv",
                                  "wrong_delimiter_row.csv", "ragged.csv"])
def test_jsonl_is_always_valid_utf8(cli: Path, file: str) -> None:
    r = run(cli, "score", BAD / file, "--id", "interview_id", "--keep", "food_reduced",
            "--allow-missing-columns", "-q", "--format", "jsonl")
    # 1: the two-item files score no row (below the coverage rule); output written anyway
    assert r.code in (0, 1), r.err
    assert r.out
    for line in r.out.decode("utf-8").splitlines():  # strict decoding
        json.loads(line)


def test_kept_column_with_invalid_utf8_is_empty_and_the_id_stays(cli: Path) -> None:
    got = run(cli, "score", BAD / "invalid_utf8.csv", "--id", "interview_id", "--keep",
              "food_reduced", "--allow-missing-columns", "-q").frame
    assert got["interview_id"].tolist() == ["R001", "R002", "R003"]
    assert got["food_reduced"].tolist() == ["never", "", "rarely"]
    assert "food_reduced: id_unreadable: invalid_utf8" in got["problems"][1]


def test_sensitivity_copies_no_field_of_a_ragged_row(cli: Path) -> None:
    r = run(cli, "sensitivity", BAD / "wrong_delimiter_row.csv", "--id", "interview_id",
            "--allow-missing-columns", "--draws", "5")
    assert r.code == 0, r.err
    assert b"dissatisfied" not in r.out and b"R002" not in r.out
    assert r.frame["interview_id"].tolist() == ["R001", "", "R003"]


def test_integrate_copies_no_key_of_a_ragged_row(cli: Path, tmp_path: Path) -> None:
    # One community row written with ';': its first field is the whole line. That line
    # (every answer of the row) must reach no output file as a key.
    lines = (DATA / "examples" / "community_sample.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",", ";")
    raw = lines[2].encode()
    community = tmp_path / "community.csv"
    community.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scores = tmp_path / "scores.csv"
    r = run(cli, "score", DATA / "examples" / "rss_sample.csv", "--id", "interview_id",
            "--keep", "community_id", "--keep", "country", "-q", "-o", scores)
    assert r.code == 0, r.err
    outs = [tmp_path / n for n in ("out.csv", "com.csv", "country.csv", "problems.csv")]
    r = run(cli, "integrate", "--individual", scores, "--community", community,
            "--structural", DATA / "examples" / "structural_sample.csv", "-o", outs[0],
            "--community-out", outs[1], "--country-out", outs[2], "--problems-out", outs[3])
    assert r.code in (0, 1), r.err
    assert raw.decode() not in r.err
    for out in outs:
        if out.exists():
            assert raw not in out.read_bytes(), out.name
            assert b"strongly_disagree" not in out.read_bytes(), out.name
    # The row is still reported, by its row number, as a row without a key.
    assert outs[3].exists()
    assert b"3" in outs[3].read_bytes()


# -- point 8: keygen -------------------------------------------------------------------


def test_keygen_creates_a_private_key_file(cli: Path, tmp_path: Path) -> None:
    path = tmp_path / "team.key"
    r = run(cli, "keygen", "-o", path)
    assert r.code == 0, r.err
    assert r.out == b"", "a key is never printed"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    lines = text.split("\n")
    assert lines[0] == HEADER and lines[2] == "" and len(lines) == 3
    assert len(lines[1]) == 64 and all(c in "0123456789abcdef" for c in lines[1])
    assert lines[1] not in r.err
    other = tmp_path / "other.key"
    assert run(cli, "keygen", "-o", other).code == 0
    assert read_key(other) != read_key(path), "random keys"


def test_keygen_never_overwrites(cli: Path, tmp_path: Path) -> None:
    path = tmp_path / "team.key"
    assert run(cli, "keygen", "-o", path).code == 0
    before = path.read_bytes()
    r = run(cli, "keygen", "-o", path)
    assert r.code == 2 and "[key_file_exists]" in r.err
    assert path.read_bytes() == before
    link = tmp_path / "link.key"
    link.symlink_to(tmp_path / "elsewhere.key")
    assert run(cli, "keygen", "-o", link).code == 2
    assert not (tmp_path / "elsewhere.key").exists(), "a planted link is not followed"


@pytest.mark.parametrize(("args", "code"), [((), 2), (("-o", "-"), 2),
                                            (("-o", "/nonexistent-dir/x.key"), 3)])
def test_keygen_usage(cli: Path, args: tuple[str, ...], code: int) -> None:
    r = run(cli, "keygen", *args)
    assert r.code == code, r.err
    assert r.out == b""


# -- point 8: score --pseudonymise ---------------------------------------------------------


def test_pseudonyms_are_hmac_sha256(cli: Path, tmp_path: Path) -> None:
    key = key_file(tmp_path / "k.key")
    plain = run(cli, "score", SAMPLE, "--id", "interview_id", "--keep", "returnee_id",
                "--keep", "round", "-q").frame
    r = run(cli, "score", SAMPLE, "--id", "interview_id", "--keep", "returnee_id", "--keep",
            "round", "--pseudonymise", key, "--pseudonymise-column", "returnee_id", "-q")
    assert r.code == 0, r.err
    got = r.frame
    assert got["interview_id"].tolist() == [pseudonym(TEST_KEY, v) for v in plain["interview_id"]]
    assert got["returnee_id"].tolist() == [pseudonym(TEST_KEY, v) for v in plain["returnee_id"]]
    assert got["round"].tolist() == plain["round"].tolist(), "other kept columns as they are"
    pd.testing.assert_frame_equal(got.drop(columns=["interview_id", "returnee_id"]),
                                  plain.drop(columns=["interview_id", "returnee_id"]))
    for v in plain["interview_id"].head(50):
        assert v.encode() not in r.out


def test_pseudonyms_link_across_files_rounds_and_threads(cli: Path, tmp_path: Path) -> None:
    key = key_file(tmp_path / "k.key")
    src = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    a, b = tmp_path / "round1.csv", tmp_path / "round2.csv"
    src.iloc[::2].to_csv(a, index=False)
    # the second file has other columns first and padded ids: the same pseudonyms
    second = src.iloc[::3].copy()
    second["returnee_id"] = "  " + second["returnee_id"] + "\t"
    second[list(reversed(second.columns))].to_csv(b, index=False)
    ra = run(cli, "score", a, "--id", "returnee_id", "--pseudonymise", key, "-q").frame
    rb = run(cli, "score", b, "--id", "returnee_id", "--pseudonymise", key, "-q",
             "--threads", "3", "--chunk-rows", "7").frame
    want_a = dict(zip(src.iloc[::2]["returnee_id"], ra["returnee_id"]))
    for rid, p in zip(src.iloc[::3]["returnee_id"], rb["returnee_id"]):
        if rid in want_a:
            assert want_a[rid] == p
        assert p == pseudonym(TEST_KEY, rid)
    other = key_file(tmp_path / "other.key", bytes(range(1, 33)))
    rc = run(cli, "score", a, "--id", "returnee_id", "--pseudonymise", other, "-q").frame
    assert not set(rc["returnee_id"]) & set(ra["returnee_id"]), "another key, other pseudonyms"


def test_empty_and_unreadable_ids_stay_empty(cli: Path, tmp_path: Path) -> None:
    key = key_file(tmp_path / "k.key")
    # every item column, so that the clean rows are scored
    header, row = (BAD / "wrong_delimiter_row.csv").read_bytes().split(b"\n")[:2]
    answers = row.split(b",")[1:]
    path = tmp_path / "ids.csv"
    path.write_bytes(b"\n".join([
        header,
        b",".join([b"R001", *answers]),
        b",".join([b"", *answers]),
        b",".join([b"  ", *answers]),
        b";".join([b"R004", *answers]),
        b",".join([b"R0\xe905", *answers]),
    ]) + b"\n")
    for fmt in ("csv", "jsonl"):
        r = run(cli, "score", path, "--id", "interview_id", "-q", "--pseudonymise", key,
                "--format", fmt)
        assert r.code == 0, r.err
        if fmt == "csv":
            ids = r.frame["interview_id"].tolist()
        else:
            ids = [json.loads(line)["interview_id"] for line in r.out.decode().splitlines()]
        assert ids == [pseudonym(TEST_KEY, "R001"), "", "", "", ""]


@pytest.mark.parametrize(
    ("file", "rule"),
    [("key_bad_header.key", "key_file_header"), ("key_short.key", "key_file_key"),
     ("key_zero.key", "key_file_zero"), ("no_such.key", "key_file_unreadable"),
     (".", "key_file_not_regular")],
)
def test_bad_key_files(cli: Path, tmp_path: Path, file: str, rule: str) -> None:
    path = BAD / file
    out = tmp_path / "out.csv"
    r = run(cli, "score", SAMPLE, "--id", "interview_id", "--pseudonymise", path, "-o", out)
    assert r.code == 2, r.err
    assert f"[{rule}]" in r.err
    assert "0a0b0c0d" not in r.err and "00000000" not in r.err, "never the key's bytes"
    assert not out.exists()


def test_key_file_that_is_a_device_or_huge(cli: Path, tmp_path: Path) -> None:
    r = run(cli, "score", SAMPLE, "--id", "interview_id", "--pseudonymise", "/dev/zero")
    assert r.code == 2 and "[key_file_not_regular]" in r.err
    big = tmp_path / "big.key"
    big.write_text(HEADER + "\n" + "ab" * 100_000)
    r = run(cli, "score", SAMPLE, "--id", "interview_id", "--pseudonymise", big)
    assert r.code == 2 and "[key_file_too_large]" in r.err
    assert "abab" not in r.err


def test_pseudonymise_usage_errors(cli: Path, tmp_path: Path) -> None:
    key = key_file(tmp_path / "k.key")
    r = run(cli, "score", SAMPLE, "--id", "interview_id", "--pseudonymise-column", "round")
    assert r.code == 2 and "needs --pseudonymise" in r.err
    r = run(cli, "score", SAMPLE, "--id", "interview_id", "--pseudonymise", key,
            "--pseudonymise-column", "round")
    assert r.code == 2 and "[pseudonymise_column]" in r.err
    assert r.out == b""


def test_keygen_key_works_with_score(cli: Path, tmp_path: Path) -> None:
    path = tmp_path / "team.key"
    assert run(cli, "keygen", "-o", path).code == 0
    got = run(cli, "score", SAMPLE, "--id", "interview_id", "--pseudonymise", path, "-q").frame
    src = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    key = read_key(path)
    assert got["interview_id"].tolist() == [pseudonym(key, v) for v in src["interview_id"]]
