"""validate through the command line and through Python, on the same files (and on the
same data as a DataFrame), compared table by table, key by key: both render the C++
report of include/reinscore/app/validate.hpp."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import reinscore
from _helpers import BAD, SAMPLE, SAMPLE_XLSX, run_cli

FILES = [SAMPLE, SAMPLE_XLSX, *(BAD / f for f in (
    "unknown_codes.csv", "out_of_range.csv", "empty_rows.csv", "ragged.csv", "invalid_utf8.csv",
    "duplicate_columns.csv", "missing_column.csv", "header_only.csv", "bom_crlf.csv",
    "semicolon_wrong_delimiter.csv", "header_comma_rows_semicolon.csv",
    "wrong_delimiter_row.csv"))]


def _tables(text: bytes | str) -> dict[str, Any]:
    rep = json.loads(text)
    return {"command": rep["command"], "notes": rep["notes"],
            **{t["name"]: {"columns": t["columns"], "keys": t["keys"], "rows": t["rows"]}
               for t in rep["tables"]}}


@pytest.mark.parametrize("show_codes", [False, True])
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_file_reports_are_equal(path: Path, show_codes: bool) -> None:
    extra = ["--show-codes"] if show_codes else []
    r = run_cli("validate", path, "--format", "json", *extra)
    assert r.code in (0, 1), r.err
    py = reinscore.validate(path, show_codes=show_codes)
    assert _tables(py.report.render("json")) == _tables(r.out)
    assert py.clean == (r.code == 0)
    # the CSV of the problems, cell for cell
    csv = run_cli("validate", path, "--format", "csv", *extra).out.decode()
    assert csv == py.report.table("problems").render("csv")


def test_delimiter_and_sheet_options_pass_through(tmp_path: Path) -> None:
    path = tmp_path / "tabs.tsv"
    path.write_text(SAMPLE.read_text().replace(",", "\t"))
    for args, kwargs in (((), {}), (("--delimiter", "tab"), {"delimiter": "tab"}),
                         (("--delimiter", ";"), {"delimiter": ";"})):
        r = run_cli("validate", path, "--format", "json", *args)
        assert _tables(reinscore.validate(path, **kwargs).report.render("json")) == _tables(r.out)
    r = run_cli("validate", SAMPLE_XLSX, "--format", "json", "--sheet", "Nope")
    assert r.code == 2
    with pytest.raises(reinscore.InputError, match="no sheet named 'Nope'"):
        reinscore.validate(SAMPLE_XLSX, sheet="Nope")


def test_a_frame_gives_the_file_report_at_positions() -> None:
    """The sample as a DataFrame of text: the same problems and cell counts as the file,
    rows as 1-based positions (spreadsheet row - 1) instead of spreadsheet rows."""
    file = _tables(run_cli("validate", SAMPLE, "--format", "json", "--show-codes").out)
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    py = _tables(reinscore.validate(frame, show_codes=True).report.render("json"))
    assert py["problems"]["rows"] and py["cells"] == file["cells"]
    shift = {c["name"]: i for i, c in enumerate(file["problems"]["columns"])}
    for a, b in zip(py["problems"]["rows"], file["problems"]["rows"], strict=True):
        rows_a, rows_b = a[shift["rows"]], b[shift["rows"]]
        a[shift["rows"]] = b[shift["rows"]] = None
        assert a == b
        assert [int(x) for x in rows_a.split(", ")] == [int(x) - 1 for x in rows_b.split(", ")]
    assert [r[1] for r in py["problem_rows"]["rows"]] == [
        r[1] - 1 for r in file["problem_rows"]["rows"]]
    summary_a = dict(zip([c["name"] for c in py["summary"]["columns"]], py["summary"]["rows"][0]))
    summary_b = dict(zip([c["name"] for c in file["summary"]["columns"]], file["summary"]["rows"][0]))
    for k in ("input", "delimiter"):
        summary_a.pop(k), summary_b.pop(k)
    assert summary_a == summary_b


def test_numeric_frame_columns() -> None:
    """A frame read with numbers as numbers validates like its text."""
    text = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    # (pandas' default NA spellings would turn the planted "N/A" into an empty cell)
    typed = pd.read_csv(SAMPLE, keep_default_na=False, na_values=[""])
    assert (typed.dtypes != object).any(), "some columns are numeric"
    a = reinscore.validate(text).report
    b = reinscore.validate(typed).report
    for name in ("summary", "cells"):
        assert a.table(name).render("csv") == b.table(name).render("csv")
    assert [c.text for c in a.table("problems").columns if c.name == "rule"] == [
        c.text for c in b.table("problems").columns if c.name == "rule"]


def test_python_problems_frame_is_built_from_the_report() -> None:
    py = reinscore.validate(BAD / "unknown_codes.csv")
    cli = pd.read_csv(io.BytesIO(run_cli("validate", BAD / "unknown_codes.csv", "--format",
                                         "csv").out), dtype=str, keep_default_na=False)
    assert py.problems["rule"].tolist() == cli["rule"].tolist()
    assert [", ".join(map(str, r)) for r in py.problems["first_rows"]] == cli["rows"].tolist()
    assert py.problems["count"].astype(str).tolist() == cli["count"].tolist()
