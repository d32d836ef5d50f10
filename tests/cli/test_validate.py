"""`reinscore validate`: the report (summary, problems, their rows, cells per reason) as
the command line renders it, its exit codes, and data protection (answers are shown only
with --show-codes). The counting itself is unit-tested in tests/cpp/test_app_validate.cpp.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from _clitools import ok, run
from _reference import (
    BAD,
    REASONS,
    SAMPLE,
    clean_rows,
    csv_records,
    read_scores,
    write_csv,
)


def tables(out: bytes) -> dict[str, list[dict[str, Any]]]:
    """A JSON report as {table name: [row as dict]}."""
    rep = json.loads(out)
    assert rep["command"] == "validate"
    return {
        t["name"]: [dict(zip([c["name"] for c in t["columns"]], row)) for row in t["rows"]]
        for t in rep["tables"]
    }


def report(cli: Path, *args: object) -> dict[str, list[dict[str, Any]]]:
    r = run(cli, "validate", *args, "--format", "json")
    assert r.code in (0, 1), r.err
    return tables(r.out)


def test_json_report(cli: Path) -> None:
    r = run(cli, "validate", BAD / "unknown_codes.csv", "--json")
    assert r.code == 1
    t = tables(r.out)
    (s,) = t["summary"]
    assert s["rows"] == 5 and s["items_matched"] == 26 and s["items"] == 26
    assert s["invalid_rows"] == 3 and s["result"] == "problems found"
    assert s["delimiter"] == "," and s["input"] == str(BAD / "unknown_codes.csv")
    assert [(p["rule"], p["column"], p["answer"], p["count"], p["rows"]) for p in t["problems"]] == [
        ("invalid_code", "econ_satisfaction", "#1", 2, "3, 5"),
        ("invalid_code", "has_work", "#1", 1, "5"),
        ("invalid_code", "belonging", "#1", 1, "4"),
    ]
    assert [(x["problem"], x["row"]) for x in t["problem_rows"]] == [(1, 3), (1, 5), (2, 5), (3, 4)]
    cells = {c["column"]: c for c in t["cells"]}
    assert set(cells["econ_satisfaction"]) == {"column", "item", *REASONS}
    assert cells["econ_satisfaction"]["invalid_code"] == 2
    assert cells["econ_satisfaction"]["answered"] == 3
    assert sum(c["answered"] + c["skipped"] for c in t["cells"]) > 0
    notes = json.loads(r.out)["notes"]
    assert [n["level"] for n in notes] == ["info"] and "--show-codes" in notes[0]["text"]
    # --json is --format json
    assert run(cli, "validate", BAD / "unknown_codes.csv", "--format", "json").out == r.out


def test_answers_with_show_codes(cli: Path) -> None:
    t = report(cli, BAD / "unknown_codes.csv", "--show-codes")
    assert {p["column"]: p["answer"] for p in t["problems"]} == {
        "econ_satisfaction": "satisfiedd",
        "has_work": "maybe_later",
        "belonging": "N/A",
    }
    r = run(cli, "validate", BAD / "unknown_codes.csv", "--show-codes")
    assert "satisfiedd" in r.text and "maybe_later" in r.text and "N/A" in r.text
    assert "--show-codes" not in r.err


def _cell_values(path: Path) -> set[str]:
    records = csv_records(path)
    header = set(records[0])
    return {v for rec in records[1:] for v in rec if len(v) >= 3 and v not in header}


@pytest.mark.parametrize("file", ["unknown_codes.csv", "out_of_range.csv", "rss_sample"])
@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_answers_are_not_printed(cli: Path, file: str, fmt: str) -> None:
    path = SAMPLE if file == "rss_sample" else BAD / file
    # the reason names are column names of the cells table (json), not answers
    values = _cell_values(path) - REASONS
    r = run(cli, "validate", path, "--format", fmt)
    assert r.code == 1, r.err
    text = r.text + r.err
    leaked = sorted(v for v in values if re.search(rf"(?<![\w/]){re.escape(v)}(?![\w/])", text))
    # row numbers and counts are numbers too; answers of more than one character are not
    leaked = [v for v in leaked if not v.isdigit()]
    assert leaked == [], f"answer values printed without --show-codes: {leaked[:10]}"
    assert "add --show-codes to see them" in r.err


def test_first_rows_only_are_listed(cli: Path, tmp_path: Path) -> None:
    df = clean_rows(9)
    df.loc[1:7, "distress"] = "sometimez"  # rows 3..9
    df.loc[8, "distress"] = "99.5"  # row 10: out of range, a second unreadable answer
    path = write_csv(tmp_path / "many.csv", df)
    t = report(cli, path, "--show-codes")
    assert [(p["answer"], p["rule"], p["count"], p["rows"]) for p in t["problems"]] == [
        ("99.5", "out_of_range", 1, "10"),
        ("sometimez", "invalid_code", 7, "3, 4, 5, 6, 7, ..."),
    ]
    assert [x["row"] for x in t["problem_rows"] if x["problem"] == 2] == [3, 4, 5, 6, 7]
    assert t["summary"][0]["invalid_rows"] == 8


def test_sample(cli: Path) -> None:
    t = report(cli, SAMPLE)
    (s,) = t["summary"]
    assert s["rows"] == 5256 and s["invalid_rows"] == 10
    assert {p["rule"] for p in t["problems"]} == {"invalid_code", "out_of_range"}
    assert sum(p["count"] for p in t["problems"]) == 10
    assert len(t["cells"]) == 26
    # every cell of the 5256 rows is counted once, under one reason
    assert {sum(c[r] for r in REASONS) for c in t["cells"]} == {5256}


def test_invalid_utf8_rows_counted_like_score(cli: Path, tmp_path: Path) -> None:
    src = (BAD / "unknown_codes.csv").read_bytes().split(b"\n")
    path = tmp_path / "note.csv"
    path.write_bytes(b"\n".join([b"note," + src[0], b"ok," + src[1], b"caf\xe9," + src[5]]) + b"\n")
    scored = read_scores(ok(run(cli, "score", path, "-q")).out)
    assert scored["status"].tolist() == ["complete", "invalid"]
    t = report(cli, path)
    assert t["summary"][0]["invalid_rows"] == 1
    assert [(p["rule"], p["rows"]) for p in t["problems"]] == [("invalid_utf8", "3")]


def test_clean_file(cli: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "clean.csv", clean_rows(4))
    r = run(cli, "validate", path)
    assert r.code == 0, r.text + r.err
    assert "clean" in r.text and "Problems" not in r.text and r.err == ""
    t = report(cli, path)
    assert t["summary"][0]["result"] == "clean" and t["problems"] == []


def test_terminal_table_shows_summary_and_problems(cli: Path) -> None:
    r = run(cli, "validate", BAD / "unknown_codes.csv")
    lines = r.text.splitlines()
    assert lines[0] == "Validation"
    assert re.match(r"input\s+instrument\s+rows\s+columns\s+delimiter\s+items\s+items_matched"
                    r"\s+invalid_rows\s+result$", lines[1]), lines[1]
    assert "Problems" in lines
    assert re.search(r"^invalid_code\s+econ_satisfaction\s+#1\s+2\s+3, 5\s+", r.text, re.MULTILINE)
    # the typed rows and the cell counts are for machines
    assert "problem_rows" not in r.text and "Cells" not in r.text


def test_csv_is_the_problems_table(cli: Path) -> None:
    r = run(cli, "validate", BAD / "empty_rows.csv", "--format", "csv")
    assert r.code == 1
    got = r.frame
    assert list(got.columns) == ["rule", "column", "answer", "count", "rows", "message"]
    assert got[["rule", "column", "count", "rows"]].values.tolist() == [["empty_row", "", "2", "3, 4"]]


@pytest.mark.parametrize(
    ("file", "rule", "count", "rows"),
    [
        ("ragged.csv", "ragged_row", 2, "3, 4"),
        ("empty_rows.csv", "empty_row", 2, "3, 4"),
        ("invalid_utf8.csv", "invalid_utf8", 1, "3"),
        ("header_only.csv", "no_data_rows", None, None),
        ("missing_column.csv", "missing_column", None, None),
        ("duplicate_columns.csv", "duplicate_column", None, None),
    ],
)
def test_file_problems(cli: Path, file: str, rule: str, count: int | None, rows: str | None) -> None:
    r = run(cli, "validate", BAD / file, "--format", "json")
    assert r.code == 1, r.err
    got = [p for p in tables(r.out)["problems"] if p["rule"] == rule]
    assert len(got) == 1, tables(r.out)["problems"]
    assert (got[0]["count"], got[0]["rows"]) == (count, rows)
    assert got[0]["message"]


def test_unreadable_file_is_exit_2(cli: Path) -> None:
    r = run(cli, "validate", BAD / "unterminated_quote.csv")
    assert r.code == 2 and "[unterminated_quote]" in r.err and r.out == b""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "--format must be table, csv or json [bad_option]"),
        (["--delimiter", "ab"], "--delimiter must be one printable ASCII character"),
    ],
)
def test_bad_options_are_exit_2(cli: Path, args: list[str], message: str) -> None:
    r = run(cli, "validate", SAMPLE, *args)
    assert r.code == 2 and message in r.err, r.err
    assert r.out == b""


def test_column_map(cli: Path, tmp_path: Path) -> None:
    df = clean_rows(3).rename(columns={"distress": "q42"})
    path = write_csv(tmp_path / "renamed.csv", df)
    assert run(cli, "validate", path).code == 1
    mapping = tmp_path / "map.csv"
    mapping.write_text("column,item\nq42,distress\n")
    assert run(cli, "validate", path, "--map", mapping).code == 0


def test_help(cli: Path) -> None:
    h = ok(run(cli, "validate", "--help")).text
    assert "--input" not in h
    assert re.search(r"^arguments:\n  INPUT\s+CSV/TSV file", h, re.MULTILINE), h
    assert "--format arg (=table)" in h and "--instrument arg (=iom-rss)" in h
    assert "example:\n  reinscore validate export.csv" in h
