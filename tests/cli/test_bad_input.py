"""Bad input files (tests/data/bad/, see its README.md): file-level problems stop
`score` with exit 2 and no output; row-level problems make invalid rows, one output row per
input row. `validate` reports the same rules. Row numbers are spreadsheet rows (header = row 1).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from _clitools import run
from _reference import (
    BAD,
    SAMPLE,
    SCORE_COLS,
    csv_records,
    read_scores,
)

# --------------------------------------------------------------------------------------
# File-level problems


@dataclass(frozen=True)
class FileLevel:
    file: str
    args: tuple[str, ...]
    rule: str | None  # rule id in brackets, or None for instrument errors
    mentions: tuple[str, ...]  # row / column / file mentions in the message
    validate_code: int  # exit code of `validate` on the same file ...
    validate_rule: str  # ... and the rule it reports


FILE_LEVEL = [
    FileLevel(
        "unterminated_quote.csv",
        ("--allow-missing-columns",),
        "unterminated_quote",
        ("row 3: ", "column 'econ_satisfaction'"),
        2,
        "unterminated_quote",
    ),
    FileLevel("empty.csv", (), "empty_file", ("the file is empty",), 2, "empty_file"),
    FileLevel(
        "truncated.xlsx",
        (),
        "unreadable_xlsx",
        ("truncated.xlsx' is not a readable XLSX workbook",),
        2,
        "unreadable_xlsx",
    ),
    FileLevel(
        "duplicate_columns.csv",
        ("--allow-missing-columns",),
        "duplicate_column",
        ("column 'econ_satisfaction'", "(columns 2, 4)"),
        1,
        "duplicate_column",
    ),
    FileLevel(
        "missing_column.csv",
        (),
        "missing_column",
        ("column 'distress'", "no column for item 'distress'"),
        1,
        "missing_column",
    ),
    # forcing the wrong delimiter: one header column, nothing matches
    FileLevel(
        "semicolon_wrong_delimiter.csv",
        ("--delimiter", ","),
        "no_item_columns",
        ("no column of the file matches", "use --delimiter"),
        1,
        "missing_column",
    ),
]


@pytest.mark.parametrize("case", FILE_LEVEL, ids=[c.file for c in FILE_LEVEL])
def test_file_level_problem(cli: Path, tmp_path: Path, case: FileLevel) -> None:
    out = tmp_path / "out.csv"
    r = run(cli, "score", BAD / case.file, "-o", out, *case.args)
    assert r.code == 2, r.err
    assert f"[{case.rule}]" in r.err
    for m in case.mentions:
        assert m in r.err, (m, r.err)
    assert r.out == b""
    assert not out.exists(), "no partial output file"
    assert list(tmp_path.iterdir()) == [], "no temporary file left behind"
    v = run(
        cli, "validate", BAD / case.file, *[a for a in case.args if a != "--allow-missing-columns"]
    )
    assert v.code == case.validate_code, v.err
    if v.code == 2:
        assert f"[{case.validate_rule}]" in v.err
    else:  # the rule column of validate's problems table
        assert re.search(rf"^{case.validate_rule}\s", v.text, re.MULTILINE), v.text


@pytest.mark.parametrize(
    ("file", "mentions"),
    [
        (
            "broken_instrument.json",
            ("broken_instrument.json", "items[1].scale", 'unknown scale "likert7"'),
        ),
        (
            "broken_instrument_syntax.json",
            ("broken_instrument_syntax.json", "invalid JSON at line 4, column 3"),
        ),
    ],
)
@pytest.mark.parametrize("command", ["score", "validate", "instrument"])
def test_broken_instrument(
    cli: Path, tmp_path: Path, file: str, mentions: tuple[str, ...], command: str
) -> None:
    out = tmp_path / "out.csv"
    if command == "score":
        r = run(cli, "score", BAD / "unknown_codes.csv", "--instrument", BAD / file, "-o", out)
    elif command == "validate":
        r = run(cli, "validate", BAD / "unknown_codes.csv", "--instrument", BAD / file)
    else:
        r = run(cli, "instrument", "show", BAD / file)
    assert r.code == 2, r.err
    assert r.out == b""
    for m in mentions:
        assert m in r.err, (m, r.err)
    assert "internal error" not in r.err
    assert not out.exists()


@pytest.mark.parametrize("file", ["broken_instrument.json", "broken_instrument_syntax.json"])
def test_broken_instrument_names_file_once(cli: Path, file: str) -> None:
    r = run(cli, "instrument", "show", BAD / file)
    assert r.code == 2
    assert r.err.count(file) == 1, r.err
    assert r.err.startswith(f"reinscore instrument: {BAD / file}: "), r.err


def test_file_level_error_mid_stream_leaves_no_output(cli: Path, tmp_path: Path) -> None:
    """An unterminated quote in the last row, after many batches were written."""
    text = SAMPLE.read_text()
    lines = text.splitlines()
    head = lines[0].split(",")
    bad = lines[1].split(",")
    bad[0] = "I999999"
    bad[head.index("econ_satisfaction")] = '"satisfied'
    path = tmp_path / "late.csv"
    path.write_text("\n".join([*lines, ",".join(bad)]) + "\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "scores.csv"
    r = run(cli, "score", path, "-o", out, "--chunk-rows", 100, "--threads", 2)
    assert r.code == 2, r.err
    assert "row 5258: column 'econ_satisfaction'" in r.err and "[unterminated_quote]" in r.err
    assert list(out_dir.iterdir()) == []


# --------------------------------------------------------------------------------------
# Row-level problems


@dataclass(frozen=True)
class RowLevel:
    file: str
    args: tuple[str, ...]
    problems: dict[int, str]  # spreadsheet row -> exact problems text of an invalid row
    validate: tuple[str, ...]  # patterns of lines of the `validate` tables (summary, problems)
    score_code: int = 0  # 1: no row could be scored (two items only: below the coverage rule)


ROW_LEVEL = [
    RowLevel(
        "ragged.csv",
        ("--allow-missing-columns",),
        {
            3: "ragged_row: 2 fields, header has 3; interview_id: id_unreadable: ragged_row",
            4: "ragged_row: 4 fields, header has 3; interview_id: id_unreadable: ragged_row",
        },
        (r"^ragged_row\s+-\s+-\s+2\s+3, 4\s",),
        score_code=1,
    ),
    RowLevel(
        "unknown_codes.csv",
        (),
        {
            3: "econ_satisfaction: invalid_code",
            4: "belonging: invalid_code",
            5: "econ_satisfaction: invalid_code; has_work: invalid_code",
        },
        (
            r"^invalid_code\s+econ_satisfaction\s+#1\s+2\s+3, 5\s",
            r"^invalid_code\s+has_work\s+#1\s+1\s+5\s",
            r"^invalid_code\s+belonging\s+#1\s+1\s+4\s",
            r"\s3\s+problems found$",  # invalid_rows, result
        ),
    ),
    RowLevel(
        "out_of_range.csv",
        (),
        {
            3: "access_water: out_of_range",
            4: "has_work: out_of_range",
            5: "children_in_school: out_of_range",
        },
        (
            r"^out_of_range\s+access_water\s+#1\s+1\s+3\s",
            r"^out_of_range\s+has_work\s+#1\s+1\s+4\s",
            r"^out_of_range\s+children_in_school\s+#1\s+1\s+5\s",
            r"\s3\s+problems found$",
        ),
    ),
    RowLevel(
        "empty_rows.csv",
        (),
        {3: "empty_row", 4: "empty_row"},
        (r"^empty_row\s+-\s+-\s+2\s+3, 4\s", r"\s2\s+problems found$"),
    ),
    RowLevel(
        "header_only.csv",
        ("--allow-missing-columns",),
        {},
        (r"^no_data_rows\s",),
        score_code=1,
    ),
    RowLevel(
        "bom_crlf.csv",
        ("--allow-missing-columns",),
        {},
        (r"\s2\s+3\s+,\s",),  # rows, columns, delimiter
        score_code=1,
    ),
    RowLevel(
        "semicolon_wrong_delimiter.csv",
        ("--allow-missing-columns",),
        {},
        (r"\s2\s+3\s+;\s",),
        score_code=1,
    ),
    RowLevel(
        "invalid_utf8.csv",
        ("--allow-missing-columns",),
        {3: "food_reduced: invalid_utf8"},
        (r"^invalid_utf8\s+-\s+-\s+1\s+3\s",),
        score_code=1,
    ),
]


@pytest.mark.parametrize("case", ROW_LEVEL, ids=[c.file for c in ROW_LEVEL])
def test_row_level_problem(cli: Path, tmp_path: Path, case: RowLevel) -> None:
    path = BAD / case.file
    records = csv_records(path) if path.read_bytes() else []
    delim = ";" if "semicolon" in case.file else ","
    if delim == ";":
        records = list(csv.reader(path.read_text().splitlines(), delimiter=";"))
    out = tmp_path / "out.csv"
    r = run(cli, "score", path, "-o", out, "--id", "interview_id", *case.args)
    assert r.code == case.score_code, r.err
    assert ("[nothing_scored]" in r.err) == (case.score_code == 1), r.err
    got = read_scores(out)
    assert len(got) == len(records) - 1, "one output row per input row, none dropped"
    # The id of a ragged row is not copied: its fields are not in place.
    assert got["interview_id"].tolist() == [
        rec[0] if rec and len(rec) == len(records[0]) else "" for rec in records[1:]
    ]
    for i, row in got.iterrows():
        sheet_row = int(i) + 2
        if sheet_row in case.problems:
            assert row["status"] == "invalid", sheet_row
            assert row["problems"] == case.problems[sheet_row], sheet_row
            assert all(row[c] == "" for c in SCORE_COLS), "an invalid row has no scores"
        else:
            assert row["status"] != "invalid", (sheet_row, row["problems"])
    n_invalid = len(case.problems)
    assert f"invalid {n_invalid})" in r.err
    v = run(cli, "validate", path, *[a for a in case.args if a != "--allow-missing-columns"])
    assert v.code == 1, v.err
    for line in case.validate:
        assert re.search(line, v.text, re.MULTILINE), (line, v.text)


def test_invalid_utf8_problem_names_column(cli: Path) -> None:
    r = run(cli, "score", BAD / "invalid_utf8.csv", "--allow-missing-columns", "-q")
    assert r.code == 1 and "[nothing_scored]" in r.err, r.err  # two items: none reaches coverage
    got = read_scores(r.out)
    assert got["problems"].tolist()[1] == "food_reduced: invalid_utf8"
