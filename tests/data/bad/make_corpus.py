#!/usr/bin/env python3
"""Write the bad-input files of tests/data/bad/ that need every item column of iom-rss.

Standard library only; the output is deterministic and committed. Column names and
answer codes are read from ``data/instruments/iom-rss.json``; the broken instruments are
derived from ``tests/data/instruments/mini.json``. Run from anywhere::

    python3 tests/data/bad/make_corpus.py

Files written (see README.md for what each one tests):

* ``missing_column.csv``   all item columns but ``distress``
* ``unknown_codes.csv``    misspelt codes, a stray ``N/A`` and an unknown word
* ``out_of_range.csv``     numbers that are not numeric codes of the item's scale
* ``empty_rows.csv``       a blank line and a row of empty fields between valid rows
* ``broken_instrument.json``         valid JSON, an item with an unknown scale
* ``broken_instrument_syntax.json``  invalid JSON (a missing comma on line 4)
* ``wide_header.csv``, ``wide_row.csv``  16,385 fields in the header / in row 3

Files made by hand (ragged.csv, empty.csv, ...) and by ``tests/data/make_bad_xlsx.py``
(truncated.xlsx) are not touched.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
RSS = REPO / "data" / "instruments" / "iom-rss.json"
MINI = REPO / "tests" / "data" / "instruments" / "mini.json"


def load_items() -> list[tuple[str, list[str]]]:
    """(column, answer codes) of every iom-rss item, in instrument order."""
    ins = json.loads(RSS.read_text(encoding="utf-8"))
    return [
        (it["column"], [c["code"] for c in ins["scales"][it["scale"]]["codes"]])
        for it in ins["items"]
    ]


def clean_row(items: list[tuple[str, list[str]]], n: int) -> dict[str, str]:
    """A row of valid answer codes that differs from row to row (n = 0, 1, ...)."""
    return {col: codes[(n + k) % len(codes)] for k, (col, codes) in enumerate(items)}


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str] | None]) -> None:
    """Plain comma-separated, LF endings, no quoting (no value needs it); None = blank line."""
    lines = [",".join(header)]
    for row in rows:
        lines.append("" if row is None else ",".join(row))
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def main() -> None:
    items = load_items()
    columns = [c for c, _ in items]
    header = ["interview_id", *columns]

    def row(rid: str, n: int, **override: str) -> list[str]:
        values = clean_row(items, n)
        for col, value in override.items():
            assert col in values, col
            values[col] = value
        return [rid, *(values[c] for c in columns)]

    # A column of the instrument missing: `distress` (psychosocial) is not in the header.
    kept = [c for c in header if c != "distress"]
    rows = []
    for n, rid in enumerate(("R001", "R002")):
        full = dict(zip(header, row(rid, n)))
        rows.append([full[c] for c in kept])
    write_csv(HERE / "missing_column.csv", kept, rows)

    # Unknown codes, one or two per row; spreadsheet rows 3, 4 and 5 are invalid.
    write_csv(
        HERE / "unknown_codes.csv",
        header,
        [
            row("R001", 0),
            row("R002", 1, econ_satisfaction="satisfiedd"),
            row("R003", 2, belonging="N/A"),
            row("R004", 3, econ_satisfaction="satisfiedd", has_work="maybe_later"),
            row("R005", 4),
        ],
    )

    # Numbers out of range. Row 2 uses valid numeric codes (3 = fair, 77 = not applicable);
    # rows 3-5 use numbers that are no numeric code of the item's scale.
    write_csv(
        HERE / "out_of_range.csv",
        header,
        [
            row("R001", 0, access_water="3", children_in_school="77"),
            row("R002", 1, access_water="7"),
            row("R003", 2, has_work="2"),
            row("R004", 3, children_in_school="66"),
        ],
    )

    # Empty rows: a blank line (row 3) and a row of empty fields (row 4) between valid rows.
    write_csv(
        HERE / "empty_rows.csv",
        header,
        [row("R001", 0), None, [""] * len(header), row("R002", 1)],
    )

    # A broken instrument: mini.json with item e2 on a scale the file does not define.
    mini = json.loads(MINI.read_text(encoding="utf-8"))
    assert mini["items"][1]["id"] == "e2"
    mini["id"] = "broken"
    mini["items"][1]["scale"] = "likert7"
    (HERE / "broken_instrument.json").write_text(
        json.dumps(mini, indent=2) + "\n", encoding="utf-8"
    )

    # Past the column limit (16,384, Excel's): a header of 16,385 (empty) names, and a row
    # of 16,385 fields under a short header (row 3).
    (HERE / "wide_header.csv").write_bytes(b"," * 16384 + b"\n1\n")
    (HERE / "wide_row.csv").write_bytes(b"a,b\n1,2\n" + b"," * 16384 + b"\n3,4\n")

    # Invalid JSON: the comma after "id" is missing (error at line 4, column 3).
    (HERE / "broken_instrument_syntax.json").write_text(
        '{\n  "format": "reinscore-instrument/1",\n  "id": "broken"\n  "version": "1"\n}\n',
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
