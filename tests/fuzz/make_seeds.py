#!/usr/bin/env python3
"""Writes the seed corpus of each harness under OUT/<harness>/ from tests/data and data/
(small files whole, big ones cut to their first lines), with the selector bytes each
harness reads first (see the harness sources). Standard library only; the scores files for
cli_scores are written by REINSCORE (a reinscore executable).

usage: make_seeds.py OUT REINSCORE
"""
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA, TDATA = ROOT / "data", ROOT / "tests" / "data"


def head(path: Path, lines: int) -> bytes:
    return b"".join(path.read_bytes().splitlines(keepends=True)[:lines])


def main() -> None:
    out, reinscore = Path(sys.argv[1]), sys.argv[2]
    if out.exists():
        shutil.rmtree(out)
    seeds: dict[str, dict[str, bytes]] = {}

    def add(harness: str, name: str, data: bytes) -> None:
        seeds.setdefault(harness, {})[name] = data

    # CSV reader: buffer size, delimiter, batch rows (fuzz_csv_reader.cpp).
    csvs = {p.name: p.read_bytes() for p in sorted((TDATA / "bad").glob("*.csv"))}
    csvs["rss_head.csv"] = head(DATA / "examples" / "rss_sample.csv", 12)
    csvs["structural_sample.csv"] = (DATA / "examples" / "structural_sample.csv").read_bytes()
    csvs["weights.csv"] = (TDATA / "weights" / "mini_official.csv").read_bytes()
    for name, data in csvs.items():
        add("csv_reader", "small-" + name, b"\x06\x00\x03" + data)
        add("csv_reader", "default-" + name, b"\xff\x40\x3f" + data)

    # XLSX reader: part, block size, batch rows, compression (fuzz_xlsx_reader.cpp).
    for p in [TDATA / "sample.xlsx", TDATA / "bad" / "truncated.xlsx"]:
        add("xlsx_reader", "zip-" + p.name, b"\x00\x10\x04\x01" + p.read_bytes())
    with zipfile.ZipFile(TDATA / "sample.xlsx") as z:
        for sel, part in [(1, "xl/worksheets/sheet1.xml"), (2, "xl/sharedStrings.xml"),
                          (3, "xl/workbook.xml"), (4, "xl/_rels/workbook.xml.rels")]:
            add("xlsx_reader", "part-" + Path(part).name, bytes([sel, 7, 3, 0]) + z.read(part))

    # Instruments.
    for p in [*sorted((DATA / "instruments").glob("*.json")), TDATA / "instruments" / "mini.json",
              *sorted((TDATA / "bad").glob("*.json"))]:
        add("instrument", p.name, p.read_bytes())

    # Weights for iom-rss: its own weight set as JSON, and as a CSV table.
    rss = json.loads((DATA / "instruments" / "iom-rss.json").read_text())
    for name, ws in rss["weight_sets"].items():
        add("weights", f"{name}.json", b"\x01" + json.dumps(ws, indent=1).encode())
    rows = ["item,dimension_weight,composite_weight"]
    rows += [f"{it['id']},1,{i % 3 + 1}" for i, it in enumerate(rss["items"])]
    add("weights", "items.csv", b"\x00" + "\n".join(rows).encode() + b"\n")
    rows = ["item,dimension_weight,composite_weight"] + [f"{it['id']},2," for it in rss["items"]]
    rows += [f"{d},,1" for d in rss["dimensions"]]
    add("weights", "dimensions.csv", b"\x00" + "\r\n".join(rows).encode())

    # Column binding: instrument, header, 0x01, map (fuzz_column_binding.cpp).
    examples = DATA / "examples"
    for sel, f in [(0, "rss_sample.csv"), (1, "community_sample.csv"), (2, "structural_sample.csv")]:
        header = head(examples / f, 1)
        add("column_binding", f"header-{f}", bytes([sel]) + header)
        cols = header.decode().strip().split(",")
        renamed = ",".join(f"grp/Q{i}" for i in range(len(cols))).encode() + b"\n"
        mapping = "column,item\n" + "".join(f"grp/Q{i},{c}\n" for i, c in enumerate(cols[2:6], 2))
        add("column_binding", f"map-{f}", bytes([sel]) + renamed + b"\x01" + mapping.encode())

    # Scores files for summarize / panel / integrate (fuzz_cli_scores.cpp).
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.csv"
        raw.write_bytes(head(examples / "rss_sample.csv", 60))
        scores = Path(tmp) / "scores.csv"
        keep = ["returnee_id", "country", "community_id", "round", "interview_date", "return_date"]
        cmd = [reinscore, "score", str(raw), "--id", "interview_id", "-o", str(scores)]
        for k in keep:
            cmd += ["--keep", k]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        data = scores.read_bytes()
    for sel in range(8):
        add("cli_scores", f"scores-{sel}.csv", bytes([sel]) + data)

    for harness, files in seeds.items():
        d = out / harness
        d.mkdir(parents=True)
        for name, data in files.items():
            (d / name).write_bytes(data)
        print(f"{harness}: {len(files)} seeds")


if __name__ == "__main__":
    main()
