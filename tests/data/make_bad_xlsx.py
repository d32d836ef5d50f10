#!/usr/bin/env python3
"""Write the XLSX test fixtures (standard library only; no openpyxl needed).

* ``tests/data/sample.xlsx``: a small valid workbook, one sheet "Survey" with the
  header ``interview_id,econ_satisfaction,food_reduced`` and 5 SYNTHETIC interviews,
  strings in the shared-strings table, written part by part with :mod:`zipfile`.
* ``tests/data/bad/truncated.xlsx``: the same workbook cut to half its size (the zip
  central directory is lost), which readers must report as unreadable.
* ``tests/data/bad/{far_column,column_past_limit,row_jump,rels_traversal,zip_bomb,
  zip_bomb_lying}.xlsx``: the same workbook with one defect each, for the reader's limits
  and paths (see ``tests/data/bad/README.md``).

Run from anywhere; the output is committed::

    python3 tests/data/make_bad_xlsx.py
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
FIXED_TIME = (2024, 1, 1, 0, 0, 0)  # deterministic archive timestamps

HEADER = ("interview_id", "econ_satisfaction", "food_reduced")
ROWS = (
    ("I000001", "very_satisfied", "never"),
    ("I000002", "satisfied", "rarely"),
    ("I000003", "dont_know", "sometimes"),
    ("I000004", "dissatisfied", "often"),
    ("I000005", "very_dissatisfied", "very_often"),
)

DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def workbook_parts(header: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    strings: list[str] = []
    lookup: dict[str, int] = {}

    def sst_index(text: str) -> int:
        if text not in lookup:
            lookup[text] = len(strings)
            strings.append(text)
        return lookup[text]

    sheet_rows = []
    for r, values in enumerate((header, *rows), start=1):
        cells = "".join(
            f'<c r="{column_letter(c)}{r}" t="s"><v>{sst_index(v)}</v></c>'
            for c, v in enumerate(values)
        )
        sheet_rows.append(f'<row r="{r}">{cells}</row>')
    last = f"{column_letter(len(header) - 1)}{len(rows) + 1}"

    sheet = (
        f'{DECL}<worksheet xmlns="{MAIN_NS}" xmlns:r="{DOC_REL_NS}">'
        f'<dimension ref="A1:{last}"/><sheetData>{"".join(sheet_rows)}</sheetData></worksheet>'
    )
    sst = (
        f'{DECL}<sst xmlns="{MAIN_NS}" count="{sum(map(len, (header, *rows)))}" '
        f'uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        + "</sst>"
    )
    return {
        "[Content_Types].xml": (
            f'{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'{DECL}<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{DOC_REL_NS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{DECL}<workbook xmlns="{MAIN_NS}" xmlns:r="{DOC_REL_NS}">'
            '<sheets><sheet name="Survey" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{DECL}<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{DOC_REL_NS}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{DOC_REL_NS}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": sst,
    }


def write_xlsx(path: Path, parts: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))


def with_sheet_rows(parts: dict[str, str], old: str, new: str) -> dict[str, str]:
    """The parts with ``old`` replaced by ``new`` in the worksheet (exactly once)."""
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert sheet.count(old) == 1, old
    return {**parts, "xl/worksheets/sheet1.xml": sheet.replace(old, new)}


def lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrites the uncompressed size of entry ``name`` in its local header and in the
    central directory: the zip directory then lies about what the entry inflates to."""
    out = bytearray(data)
    encoded = name.encode()
    for signature, size_at, name_len_at, name_at in (
        (b"PK\x03\x04", 22, 26, 30),
        (b"PK\x01\x02", 24, 28, 46),
    ):
        start = 0
        found = False
        while (at := out.find(signature, start)) >= 0:
            n = int.from_bytes(out[at + name_len_at : at + name_len_at + 2], "little")
            if out[at + name_at : at + name_at + n] == encoded:
                out[at + size_at : at + size_at + 4] = size.to_bytes(4, "little")
                found = True
            start = at + 4
        assert found, (signature, name)
    return bytes(out)


BOMB_PADDING = 32 << 20  # whitespace inflated from a few tens of kilobytes


def write_bad_workbooks(bad: Path) -> None:
    """The malformed workbooks of tests/data/bad/README.md (limits and paths)."""
    parts = workbook_parts(HEADER, ROWS)
    last_row = f'<row r="{len(ROWS) + 1}">'
    # A cell in the last column Excel has (XFD), and one past it (XFE).
    write_xlsx(
        bad / "far_column.xlsx",
        with_sheet_rows(parts, last_row, f'{last_row}<c r="XFD{len(ROWS) + 1}"><v>1</v></c>'),
    )
    write_xlsx(
        bad / "column_past_limit.xlsx",
        with_sheet_rows(parts, last_row, f'{last_row}<c r="XFE{len(ROWS) + 1}"><v>1</v></c>'),
    )
    # A row number far below Excel's last row after row 6.
    write_xlsx(
        bad / "row_jump.xlsx",
        with_sheet_rows(
            parts,
            "</sheetData>",
            '<row r="99999999999"><c r="A99999999999"><v>1</v></c></row></sheetData>',
        ),
    )
    # Relationship targets that climb out of the archive or are absolute: resolved inside it.
    traversal = dict(parts)
    traversal["xl/_rels/workbook.xml.rels"] = (
        parts["xl/_rels/workbook.xml.rels"]
        .replace('Target="worksheets/sheet1.xml"', 'Target="../../../../etc/passwd"')
        .replace('Target="sharedStrings.xml"', 'Target="/etc/shadow"')
    )
    write_xlsx(bad / "rels_traversal.xlsx", traversal)
    # Zip bombs: a sheet that inflates 32 MiB of whitespace, declared honestly, and the
    # same with a zip directory that says the sheet is 1,000 bytes.
    bomb = with_sheet_rows(parts, "</sheetData>", " " * BOMB_PADDING + "</sheetData>")
    write_xlsx(bad / "zip_bomb.xlsx", bomb)
    lying = bad / "zip_bomb_lying.xlsx"
    lying.write_bytes(
        lie_about_size((bad / "zip_bomb.xlsx").read_bytes(), "xl/worksheets/sheet1.xml", 1000)
    )


def main() -> None:
    sample = HERE / "sample.xlsx"
    write_xlsx(sample, workbook_parts(HEADER, ROWS))

    data = sample.read_bytes()
    (HERE / "bad").mkdir(exist_ok=True)
    (HERE / "bad" / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    write_bad_workbooks(HERE / "bad")
    print(
        f"wrote {sample} ({len(data)} bytes), bad/truncated.xlsx ({len(data) // 2} bytes) "
        "and the workbooks of bad/README.md"
    )


if __name__ == "__main__":
    main()
