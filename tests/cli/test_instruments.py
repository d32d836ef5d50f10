"""`reinscore instruments` (a report table of the instruments found) and `reinscore
instrument show` (the instrument as text, or as an instrument file with plain decimal
numbers that loads back with the same hash).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

from _clitools import Run, ok, run
from _reference import BAD, DATA, SAMPLE


def _rows(r: Run) -> list[dict[str, Any]]:
    rep = json.loads(r.out)
    assert rep["command"] == "instruments"
    (t,) = rep["tables"]
    assert t["name"] == "instruments"
    return [dict(zip([c["name"] for c in t["columns"]], row)) for row in t["rows"]]


def test_instruments_lists_rss(cli: Path, rss_tag: str) -> None:
    rows = {r["name"]: r for r in _rows(ok(run(cli, "instruments", "--format", "json")))}
    assert rows["iom-rss"] == {
        "name": "iom-rss",
        "tag": rss_tag,
        "level": "individual",
        "provisional": "yes",
        "title": rows["iom-rss"]["title"],
        "weight_sets": "equal (default) [provisional]",
        "file": str(DATA / "instruments" / "iom-rss.json"),
        "problem": None,
    }
    assert rows["iom-rss"]["title"]
    assert list(rows) == sorted(rows), "by name within a directory"
    text = ok(run(cli, "instruments")).text
    assert re.search(rf"^iom-rss\s+{re.escape(rss_tag)}\s+individual\s+yes\s+", text, re.MULTILINE)
    csv = ok(run(cli, "instruments", "--format", "csv")).frame
    assert csv.loc[csv["name"] == "iom-rss", "tag"].tolist() == [rss_tag]


def test_instruments_reports_broken_file(cli: Path, tmp_path: Path, rss_tag: str) -> None:
    shutil.copy(BAD / "broken_instrument.json", tmp_path / "broken_instrument.json")
    shutil.copy(DATA / "instruments" / "iom-rss.json", tmp_path / "iom-rss.json")
    env = {"REINSCORE_INSTRUMENT_PATH": f"{tmp_path}:{DATA / 'instruments'}"}
    rows = _rows(ok(run(cli, "instruments", "--format", "json", env=env)))
    by_name = {r["name"]: r for r in rows}
    broken = by_name["broken_instrument"]
    assert "likert7" in broken["problem"] and broken["tag"] is None
    assert by_name["iom-rss"]["tag"] == rss_tag
    # the first directory wins: iom-rss is listed once, from tmp_path
    assert [r["name"] for r in rows].count("iom-rss") == 1
    assert by_name["iom-rss"]["file"] == str(tmp_path / "iom-rss.json")


def test_bad_format_is_exit_2(cli: Path) -> None:
    r = run(cli, "instruments", "--format", "xml")
    assert r.code == 2 and "--format must be table, csv or json [bad_option]" in r.err


def test_instrument_show_json_round_trips(
    cli: Path, tmp_path: Path, rss: dict[str, Any], sample_scores: tuple[Run, bytes]
) -> None:
    shown = tmp_path / "shown.json"
    shown.write_bytes(ok(run(cli, "instrument", "show", "iom-rss", "--json")).out)
    assert json.loads(shown.read_text()) == rss
    again = ok(run(cli, "instrument", "show", shown, "--json")).out
    assert again == shown.read_bytes()
    r = ok(run(cli, "score", SAMPLE, "--instrument", shown, "--id", "interview_id",
               "--keep", "round", "-q"))
    assert r.out == sample_scores[1]  # same scores and the same instrument tag (hash)


def test_instrument_show_json_numbers_are_plain_decimals(cli: Path) -> None:
    text = ok(run(cli, "instrument", "show", "iom-rss", "--json")).text
    numbers = re.findall(r'(?<=[\s\[:,])-?\d[\d.eE+-]*(?=[,\s\]}])', text)
    assert numbers, text[:500]
    assert not [n for n in numbers if "e" in n.lower()], "no exponent form"
    assert re.search(r'"value": 0\.25\b', text), "quarter steps of a 5-point scale as 0.25"
    assert '"min_share": 0.5' in text  # the coverage rule


def test_instrument_show_text(cli: Path) -> None:
    r = ok(run(cli, "instrument", "show", "iom-rss"))
    assert "PROVISIONAL instrument" in r.err
    assert re.search(r"^food_reduced\s+economic\s+frequency5\s+reversed\s+How often", r.text, re.MULTILINE)
    assert re.search(r"^coverage_min_share\s+0\.5$", r.text, re.MULTILINE)
    assert "at least 50% of its applicable item weight" in r.err
    for title in ("Items", "Scales", "Categories", "Weight sets", "Item weights"):
        assert f"\n{title}\n" in r.text, title


def test_instrument_show_tables_for_machines(cli: Path) -> None:
    shown = ok(run(cli, "instrument", "show", "iom-rss", "--format", "csv", "--table", "item_weights"))
    rows = list(csv.reader(io.StringIO(shown.text)))
    assert rows[0] == ["weight_set", "item", "dimension", "dimension_weight", "composite_weight"]
    assert len(rows) == 1 + 26 and all(r[4] == "" for r in rows[1:])  # dimension mode
    doc = json.loads(ok(run(cli, "instrument", "show", "iom-rss", "--format", "json")).text)
    assert [t["name"] for t in doc["tables"]] == [
        "instrument", "items", "scales", "categories", "weight_sets", "dimension_weights", "item_weights"]
    r = run(cli, "instrument", "show", "iom-rss", "--table", "nope")
    assert r.code == 2 and "--table must name one of the tables: instrument, items" in r.err


def test_help(cli: Path) -> None:
    h = ok(run(cli, "instrument", "--help")).text
    assert "--action" not in h and "--name" not in h
    assert re.search(r"^arguments:\n  ACTION\s+.*show", h, re.MULTILINE), h
    assert "examples:\n  reinscore instrument show iom-rss\n  reinscore instrument show iom-rss --json" in h
    h = ok(run(cli, "instruments", "--help")).text
    assert "example:\n  " in h and "--format arg (=table)" in h


def test_help_of_score_and_keygen(cli: Path) -> None:
    for command, example in (("score", "reinscore score export.csv -o scores.csv"),
                             ("keygen", "reinscore keygen -o project.key")):
        h = ok(run(cli, command, "--help")).text
        assert "--input" not in h
        assert f"example:\n  {example}" in h, h
        assert not re.search(r"\d\.\d{10,}", h), "defaults as typed"
