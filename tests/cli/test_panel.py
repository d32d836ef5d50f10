"""`reinscore panel`: the output formats (terminal, CSV sections, JSON), suppression,
per-returnee and interview tables, rounds ordered as numbers, the instrument that orders
the categories (--instrument), mixed instruments, the help text and the errors. The
numbers themselves are checked against scipy/pandas in tests/python/test_panel.py and
against Python's at full precision in tests/parity/test_panel.py."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from _clitools import ok, run
from _reference import RSS_JSON, SAMPLE, read_scores

KEEP = ["returnee_id", "round", "interview_date", "return_date"]


@pytest.fixture(scope="module")
def scores_file(cli: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("panel") / "scores.csv"
    keep = [a for k in KEEP for a in ("--keep", k)]
    ok(run(cli, "score", SAMPLE, "--id", "interview_id", *keep, "-q", "-o", path))
    return path


def _write(tmp_path: Path, name: str, frame: pd.DataFrame) -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def _sections(out: bytes) -> dict[str, pd.DataFrame]:
    """`--format csv` with several tables: each after a "# name" line."""
    tables: dict[str, pd.DataFrame] = {}
    for block in out.decode().split("\n# "):
        name, _, body = block.lstrip("# ").partition("\n")
        tables[name] = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False)
    return tables


def test_table_format_suppresses(cli: Path, scores_file: Path) -> None:
    r = ok(run(cli, "panel", scores_file))
    out = r.text
    assert "Change between rounds" in out and "95% t-interval" in out
    assert "Transitions between rounds" in out and "Attrition" in out
    assert "R0" not in out  # no returnee ids in the report
    # The small "none" rows of the category transitions are withheld whole.
    none_rows = [ln.split() for ln in out.splitlines() if ln.startswith("category") and " none " in ln]
    assert none_rows and all(f[5] == "<10" for f in none_rows if f[3] == "none"), none_rows
    # The terminal spells a missing cell "-" (no share for a suppressed cell).
    assert any(f[-1] == "-" for f in none_rows)


def test_csv_sections_and_columns(cli: Path, scores_file: Path) -> None:
    r = ok(run(cli, "panel", scores_file, "--format", "csv", "--status"))
    t = _sections(r.out)
    assert list(t) == ["changes", "transitions", "attrition"]
    assert list(t["changes"].columns) == [
        "from", "to", "score", "pairs", "missing", "n", "sum_weights", "mean_from", "mean_to",
        "mean_change", "sd", "se", "ci_low", "ci_high", "df", "t", "p_value", "months_from", "months_to",
    ]
    assert list(t["transitions"].columns) == [
        "variable", "from", "to", "state_from", "state_to", "row_total", "n", "share",
    ]
    assert set(t["transitions"]["variable"]) == {"category", "status"}
    assert t["attrition"]["present"].tolist() == ["2000", "1778", "1478"]
    pairs = t["changes"][["from", "to"]].drop_duplicates().values.tolist()
    assert pairs == [["1", "2"], ["2", "3"], ["1", "3"]]
    # One table: plain CSV, no section line.
    one = ok(run(cli, "panel", scores_file, "--format", "csv", "--table", "attrition"))
    assert one.text.startswith("round,present,")


def test_json_has_tables_and_notes(cli: Path, scores_file: Path, tmp_path: Path) -> None:
    frame = read_scores(scores_file)
    frame.loc[2, "return_date"] = "2024-02-30"
    bad = _write(tmp_path, "bad.csv", frame)
    r = ok(run(cli, "panel", bad, "--format", "json", "--min-cell", 0))
    doc = json.loads(r.out)
    assert doc["command"] == "panel"
    assert [t["name"] for t in doc["tables"]] == ["changes", "transitions", "attrition"]
    changes = doc["tables"][0]
    assert changes["columns"][0] == {"name": "from", "type": "count"}
    assert changes["columns"][16] == {"name": "p_value", "type": "p_value"}
    assert changes["rows"][0][:3] == [1, 2, "economic"]
    assert not re.search(r"\d[eE][-+]?\d", r.text)  # plain decimals, never an exponent
    assert doc["notes"][-1] == {
        "level": "warning",
        "text": "1 date problem(s): months since return are missing for those interviews",
    }
    # Every note is on stderr too.
    assert "reinscore panel: row 4: column 'return_date': not a calendar date written yyyy-mm-dd [bad_date]" in r.err
    assert "2024-02-30" not in r.err and "2024-02-30" not in r.text


def test_per_returnee_and_interviews(cli: Path, scores_file: Path) -> None:
    scores = read_scores(scores_file)
    per = ok(run(cli, "panel", scores_file, "--format", "csv", "--table", "per-returnee")).frame
    assert list(per.columns)[:5] == ["returnee_id", "from", "to", "row_from", "row_to"]
    both = scores.groupby("returnee_id")["round"].agg(set)
    assert (per[(per["from"] == "1") & (per["to"] == "2")]["returnee_id"].tolist()
            == sorted(i for i, r in both.items() if {"1", "2"} <= r))
    # Rows of the file: header = 1.
    first = per.iloc[0]
    assert scores.loc[int(first["row_to"]) - 2, "returnee_id"] == first["returnee_id"]
    assert scores.loc[int(first["row_to"]) - 2, "round"] == first["to"]
    iv = ok(run(cli, "panel", scores_file, "--format", "csv", "--table", "interviews")).frame
    assert iv["row"].tolist() == [str(i) for i in range(2, len(scores) + 2)]
    assert iv["returnee_id"].tolist() == scores["returnee_id"].tolist()
    days = (pd.to_datetime(scores["interview_date"]) - pd.to_datetime(scores["return_date"])).dt.days
    assert [float(x) for x in iv["months_since_return"]] == (days / (365.25 / 12)).tolist()
    problems = ok(run(cli, "panel", scores_file, "--format", "csv", "--table", "problems")).frame
    assert list(problems.columns) == ["row", "column", "rule", "message"] and problems.empty


def test_rounds_sort_as_numbers(cli: Path, scores_file: Path, tmp_path: Path) -> None:
    frame = read_scores(scores_file)
    frame["round"] = frame["round"].replace({"3": "10"})
    path = _write(tmp_path, "rounds.csv", frame)
    t = _sections(ok(run(cli, "panel", path, "--format", "csv", "--min-cell", 0)).out)
    pairs = t["changes"][["from", "to"]].drop_duplicates().values.tolist()
    assert pairs == [["1", "2"], ["2", "10"], ["1", "10"]]
    assert t["attrition"]["round"].tolist() == ["1", "2", "10"]


def test_instrument_outside_the_search_path(cli: Path, tmp_path: Path) -> None:
    """Scores of an instrument the search path does not hold: categories in alphabetical
    order (with a note) until --instrument gives it."""
    doc = json.loads(RSS_JSON.read_text())
    doc["id"] = "panel-elsewhere"
    doc["thresholds"]["categories"][0]["label"] = "zulu"
    doc["thresholds"]["categories"][1]["label"] = "alpha"
    ins = tmp_path / "elsewhere" / "panel-elsewhere.json"
    ins.parent.mkdir()
    ins.write_text(json.dumps(doc))
    scores = tmp_path / "scores.csv"
    keep = [a for k in KEEP for a in ("--keep", k)]
    ok(run(cli, "score", SAMPLE, "--instrument", ins, "--id", "interview_id", *keep, "-q", "-o", scores))
    args = ["panel", scores, "--format", "csv", "--table", "transitions", "--min-cell", 0]
    r = ok(run(cli, *args))
    assert r.frame["state_from"].tolist()[:2] == ["alpha", "alpha"]
    assert "categories in alphabetical order (the instrument was not found; give it with --instrument)" in r.err
    r = ok(run(cli, *args, "--instrument", ins))
    assert r.frame["state_from"].tolist()[0] == "zulu"
    assert r.err == ""
    # An instrument that is not the one the scores name is refused.
    r = run(cli, *args, "--instrument", "iom-rss")
    assert r.code == 2 and "[instrument_mismatch]" in r.err


def test_mixed_instruments(cli: Path, scores_file: Path, tmp_path: Path) -> None:
    frame = read_scores(scores_file)
    tag = frame["instrument"].iloc[0]
    frame.loc[7, "instrument"] = tag.split("#")[0] + "#000000000000"
    path = _write(tmp_path, "mixed.csv", frame)
    r = run(cli, "panel", path)
    assert r.code == 2 and "[mixed_instruments]" in r.err and "row 9: column 'instrument'" in r.err
    assert f"'{tag}'" in r.err and "#000000000000'" in r.err
    r = ok(run(cli, "panel", path, "--allow-mixed", "--format", "csv", "--table", "changes"))
    same = ok(run(cli, "panel", scores_file, "--format", "csv", "--table", "changes"))
    assert r.out == same.out


def test_help(cli: Path) -> None:
    r = ok(run(cli, "panel", "--help"))
    assert "--input" not in r.text
    assert "--level arg (=0.95)" in r.text
    assert "\nexamples:\n  reinscore panel scores.csv --id-column" in r.text
    assert "\n  reinscore panel scores.csv --from 1 --to 3" in r.text
    assert "--instrument" in r.text and "--allow-mixed" in r.text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "1"], "--from needs --to [option_needs]"),
        (["--from", "3", "--to", "1"], "--from must be an earlier round than --to [round_order]"),
        (["--from", "2", "--to", "5"], "column 'round': a requested round has no interviews [unknown_round]"),
        (["--id-column", "person"], "column 'person': not in the scores (--id-column"),
        (["--weight", "w"], "column 'w': not in the scores (--weight"),
        (["--date-column", "visit"], "column 'visit': not in the scores (--date-column"),
        (["--table", "everything"], "interviews or problems [bad_option]"),
        (["--format", "xml"], "--format must be table, csv or json [bad_option]"),
        (["--level", "2"], "--level must be a number between 0 and 1"),
        (["--min-cell", "2000000000"], "--min-cell must be a whole number from 0 to 1000000000 [bad_option]"),
        (["--instrument", "no-such-instrument"], "[instrument_not_found]"),
    ],
)
def test_option_and_column_errors(cli: Path, scores_file: Path, args: list[str], message: str) -> None:
    r = run(cli, "panel", scores_file, *args)
    assert r.code == 2, r.err
    assert r.err.startswith("reinscore panel: ") and message in r.err, r.err
    assert r.out == b""


def test_data_errors_name_rows(cli: Path, scores_file: Path, tmp_path: Path) -> None:
    frame = read_scores(scores_file)
    dup = pd.concat([frame, frame.iloc[[3]]], ignore_index=True)
    r = run(cli, "panel", _write(tmp_path, "dup.csv", dup))
    assert r.code == 2
    assert f"row {len(dup) + 1}: column 'returnee_id'" in r.err and "in row 5" in r.err
    assert "[duplicate_interview]" in r.err and frame["returnee_id"].iloc[3] not in r.err
    bad = frame.copy()
    bad.loc[4, "round"] = "second"
    r = run(cli, "panel", _write(tmp_path, "round.csv", bad))
    assert r.code == 2 and "row 6: column 'round': round is empty or not a whole number [bad_round]" in r.err
    bad = frame.copy()
    bad.loc[4, "status"] = "done"
    r = run(cli, "panel", _write(tmp_path, "status.csv", bad))
    assert r.code == 2 and "row 6: column 'status': not a status of reinscore [unknown_status]" in r.err
    bad = frame.assign(w="1")
    bad.loc[6, "w"] = "-1"
    r = run(cli, "panel", _write(tmp_path, "weight.csv", bad), "--weight", "w")
    assert r.code == 2 and "row 8: column 'w': weight is empty, not a number or negative [invalid_weight]" in r.err
    r = run(cli, "panel", _write(tmp_path, "none.csv", frame.drop(columns="status")), "--status")
    assert r.code == 2 and "column 'status'" in r.err and "[missing_column]" in r.err


def test_date_problems_are_notes(cli: Path, scores_file: Path, tmp_path: Path) -> None:
    frame = read_scores(scores_file)
    frame.loc[2, "return_date"] = "2024-02-30"
    frame.loc[5, "interview_date"] = ""
    path = _write(tmp_path, "dates.csv", frame)
    r = ok(run(cli, "panel", path, "--format", "csv", "--table", "interviews"))
    assert "row 4: column 'return_date': not a calendar date written yyyy-mm-dd [bad_date]" in r.err
    assert "row 7: column 'interview_date': date is empty [missing_date]" in r.err
    assert "2 date problem(s): months since return are missing for those interviews" in r.err
    assert "2024-02-30" not in r.err
    months = r.frame["months_since_return"].tolist()
    assert months[2] == "" and months[5] == "" and months[3] != ""
    p = ok(run(cli, "panel", path, "--format", "csv", "--table", "problems")).frame
    assert p[["row", "column", "rule"]].values.tolist() == [
        ["4", "return_date", "bad_date"],
        ["7", "interview_date", "missing_date"],
    ]


def test_one_round(cli: Path, scores_file: Path, tmp_path: Path) -> None:
    frame = read_scores(scores_file)
    path = _write(tmp_path, "one.csv", frame[frame["round"] == "1"])
    r = ok(run(cli, "panel", path, "--format", "csv"))
    assert "reinscore panel: only one round in the scores: no changes or transitions" in r.err
    t = _sections(r.out)
    assert t["changes"].empty and t["transitions"].empty and len(t["attrition"]) == 1
