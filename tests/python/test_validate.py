"""reinscore.validate: what is wrong with an export, as `reinscore validate` reports it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import reinscore
from _helpers import BAD, SAMPLE, run_cli, write_csv

PROBLEM_COLUMNS = ["rule", "column", "answer", "count", "first_rows"]


def _cli_report(cli: Path, *args: object) -> dict[str, list[dict[str, object]]]:
    """`reinscore validate --format json --show-codes` as {table: [row as dict]}."""
    r = run_cli("validate", *args, "--format", "json", "--show-codes")
    assert r.code in (0, 1), r.err
    report = json.loads(r.out)
    return {
        t["name"]: [dict(zip([c["name"] for c in t["columns"]], row)) for row in t["rows"]]
        for t in report["tables"]
    }


def _problems(report: dict[str, list[dict[str, object]]]) -> list[dict[str, object]]:
    """The CLI's problems as Python lists them: first_rows from the typed problem_rows."""
    out = []
    for i, p in enumerate(report["problems"], start=1):
        rows = [x["row"] for x in report["problem_rows"] if x["problem"] == i]
        out.append({"rule": p["rule"], "column": p["column"], "answer": p["answer"],
                    "count": p["count"], "first_rows": rows})
    return out


def test_sample_finds_the_ten_unreadable_answers(sample_scores: pd.DataFrame, cli: Path) -> None:
    report = reinscore.validate(SAMPLE)
    p = report.problems
    assert list(p.columns) == PROBLEM_COLUMNS
    assert not report.clean
    assert len(p) == 10 and p["count"].sum() == 10
    assert set(p["rule"]) == {"invalid_code", "out_of_range"}
    assert report.summary == {
        "rows": 5256, "items": 26, "items_matched": 26, "invalid_rows": 10, "clean": False,
        "instrument": reinscore.load_instrument().tag,
    }
    # the same cells the scores call invalid, at the same spreadsheet rows (header = 1)
    invalid = sample_scores[sample_scores["status"] == "invalid"]
    want = sorted((int(i) + 2, str(text).split(":")[0]) for i, text in invalid["problems"].items())
    got = sorted((rows[0], col) for rows, col in zip(p["first_rows"], p["column"]))
    assert got == want
    # and the same report as the command line, answer for answer
    cli_rows = _problems(_cli_report(cli, SAMPLE))
    shown = reinscore.validate(SAMPLE, show_codes=True).problems
    assert shown.to_dict("records") == cli_rows


def test_answers_are_masked_unless_asked(sample_df: pd.DataFrame) -> None:
    masked = reinscore.validate(SAMPLE).problems
    shown = reinscore.validate(SAMPLE, show_codes=True).problems
    assert masked["answer"].str.fullmatch(r"#\d+").all()
    assert masked.drop(columns="answer").equals(shown.drop(columns="answer"))
    html = reinscore.validate(SAMPLE)._repr_html_() + repr(reinscore.validate(SAMPLE))
    for row in shown.itertuples():
        value = sample_df.loc[row.first_rows[0] - 2, row.column]
        assert row.answer == value.strip()
        assert f">{value}<" not in html
    # answers as they were typed, in the file: misspellings, numbers, N/A
    assert {"N/A", "7"} <= set(shown["answer"])


def test_dataframe_rows_are_index_labels(sample_df: pd.DataFrame) -> None:
    frame = sample_df.copy()
    frame.index = frame["interview_id"]
    p = reinscore.validate(frame).problems
    assert len(p) == 10
    assert all(isinstance(r[0], str) and r[0].startswith("I") for r in p["first_rows"])
    spoilt = [r[0] for r in p["first_rows"]]
    assert reinscore.validate(frame.drop(index=spoilt)).clean


def test_clean_data(sample_scores: pd.DataFrame, sample_df: pd.DataFrame, tmp_path: Path, cli: Path) -> None:
    ok = sample_df[(sample_scores["status"] != "invalid").to_numpy()]
    report = reinscore.validate(ok)
    assert report.clean and report.problems.empty
    assert report.summary["invalid_rows"] == 0 and report.summary["rows"] == 5246
    assert "clean" in repr(report)
    path = write_csv(tmp_path / "clean.csv", ok)
    assert reinscore.validate(path).clean
    assert run_cli("validate", path).code == 0


def test_missing_column(sample_df: pd.DataFrame) -> None:
    report = reinscore.validate(sample_df.drop(columns=["distress"]))
    p = report.problems
    missing = p[p["rule"] == "missing_column"]
    assert missing["column"].tolist() == ["distress"]
    assert report.summary["items_matched"] == 25 and not report.clean
    # the other columns are still checked
    assert (p["rule"] != "missing_column").sum() == 10


@pytest.mark.parametrize(
    "file",
    ["missing_column.csv", "unknown_codes.csv", "out_of_range.csv", "empty_rows.csv", "ragged.csv",
     "invalid_utf8.csv", "duplicate_columns.csv", "header_only.csv", "bom_crlf.csv"],
)
def test_bad_files_like_cli(file: str, cli: Path) -> None:
    """The same C++ report as the command line's: every problem, row and count."""
    report = reinscore.validate(BAD / file, show_codes=True)
    want = _cli_report(cli, BAD / file)
    p = report.problems.astype(object).where(report.problems.notna(), None)
    assert p.to_dict("records") == _problems(want)
    (s,) = want["summary"]
    assert report.clean == (s["result"] == "clean")
    assert {k: report.summary[k] for k in ("rows", "items", "items_matched", "invalid_rows")} == {
        k: s[k] for k in ("rows", "items", "items_matched", "invalid_rows")}
    assert report.cells.to_dict("records") == want["cells"]


def test_delimiter_mismatch_is_reported() -> None:
    """Rows split at another delimiter than the header: the command line's check."""
    p = reinscore.validate(BAD / "header_comma_rows_semicolon.csv").problems
    assert "delimiter_mismatch" in set(p["rule"])
    assert not reinscore.validate(BAD / "semicolon_wrong_delimiter.csv").problems["rule"].eq(
        "delimiter_mismatch").any()


def test_bad_delimiter_option() -> None:
    with pytest.raises(reinscore.InputError, match="delimiter must be one printable") as e:
        reinscore.validate(SAMPLE, delimiter="ab")
    assert e.value.option == "delimiter" and e.value.rule == "bad_option"


def test_unreadable_file_raises_input_error() -> None:
    with pytest.raises(reinscore.InputError) as e:
        reinscore.validate(BAD / "unterminated_quote.csv")
    assert e.value.rule == "unterminated_quote" and e.value.row == 3


def test_cells_count_every_cell_once(sample_df: pd.DataFrame) -> None:
    cells = reinscore.validate(sample_df).cells
    reasons = ["answered", "dont_know", "refused", "not_applicable", "skipped", "invalid_code",
               "out_of_range"]
    assert list(cells.columns) == ["column", "item", *reasons]
    assert (cells[reasons].sum(axis=1) == len(sample_df)).all()
    assert cells[["invalid_code", "out_of_range"]].to_numpy().sum() == 10


def test_report_renders_as_the_cli(cli: Path) -> None:
    r = reinscore.validate(BAD / "unknown_codes.csv").report
    assert r.render("json") == run_cli("validate", BAD / "unknown_codes.csv", "--json").out.decode()


def test_report_rows(cli: Path) -> None:
    p = reinscore.validate(BAD / "unknown_codes.csv").problems
    assert p[["column", "count", "first_rows"]].to_dict("records") == [
        {"column": "econ_satisfaction", "count": 2, "first_rows": [3, 5]},
        {"column": "has_work", "count": 1, "first_rows": [5]},
        {"column": "belonging", "count": 1, "first_rows": [4]},
    ]
    assert p["count"].dtype == "Int64"
    empty = reinscore.validate(BAD / "empty_rows.csv")
    assert empty.problems[["rule", "count", "first_rows"]].to_dict("records") == [
        {"rule": "empty_row", "count": 2, "first_rows": [3, 4]}]
    assert empty.summary["invalid_rows"] == 2
    header_only = reinscore.validate(BAD / "header_only.csv").problems
    assert header_only["rule"].iloc[0] == "no_data_rows"


def test_duplicate_column_is_reported_not_raised() -> None:
    report = reinscore.validate(BAD / "duplicate_columns.csv")
    dup = report.problems[report.problems["rule"] == "duplicate_column"]
    assert dup["column"].tolist() == ["econ_satisfaction"]
    assert not report.clean


def test_first_rows_are_limited_to_five(sample_df: pd.DataFrame) -> None:
    frame = sample_df.head(12).copy()
    frame["distress"] = "sometimez"
    p = reinscore.validate(frame).problems
    assert p[["column", "count", "first_rows"]].to_dict("records") == [
        {"column": "distress", "count": 12, "first_rows": [0, 1, 2, 3, 4]}]
