#!/usr/bin/env python3
"""Generate SYNTHETIC community, resident and structural data for the level examples.

Reads the countries and communities of the returnee sample
(``data/examples/rss_sample.csv``) and the three instruments (``community.json``,
``iom-rss.json``, ``structural-gcm21.json``) and writes, next to the sample:

* ``community_sample.csv``: one row per community, the answers of a community key
  informant to the ``community`` framework, plus ONE extra community in which no
  returnee of the sample lives (so that ``reinscore integrate`` has a unit without
  returnees to report);
* ``host_sample.csv``: 10 to 20 non-migrant residents per community (the extra one
  included) answering the RSS items, for the returnee-resident gap;
* ``structural_sample.csv``: one row per country, the status of each action of the
  ``structural-gcm21`` checklist.

Nothing here describes a real place, person or policy: every answer is drawn from a
made-up latent model. Only the Python standard library is used (``random.Random``),
so the output is the same byte for byte for the same seed and inputs, whatever the
numpy version::

    python3 tools/make_levels_sample.py            # writes the three files
    python3 tools/make_levels_sample.py --check    # exits 1 if the committed files differ
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "data" / "examples"
INSTRUMENTS = REPO_ROOT / "data" / "instruments"
DEFAULT_SEED = 20261128
EXTRA_COMMUNITY = ("ZMB", "ZMB-C05")  # no returnee of rss_sample.csv lives here
HOSTS_MIN, HOSTS_MAX = 10, 20


def load(name: str) -> dict:
    return json.loads((INSTRUMENTS / f"{name}.json").read_text(encoding="utf-8"))


def communities_of(sample: Path) -> list[tuple[str, str]]:
    """(country, community_id) pairs of the returnee sample, sorted."""
    with sample.open(newline="", encoding="utf-8") as f:
        pairs = {(row["country"], row["community_id"]) for row in csv.DictReader(f)}
    return sorted(pairs)


def answer(rng: random.Random, ins: dict, item: dict, level: float) -> str:
    """The code of `item` for a latent `level` (higher is better) plus item noise."""
    codes = sorted(ins["scales"][item["scale"]]["codes"], key=lambda c: c["value"])
    x = level + rng.gauss(0, 0.7)
    # Favourable end first for reversed items: a high level gives the code of value 0.
    position = 1 / (1 + pow(2.718281828459045, -1.3 * x))  # logistic, in (0, 1)
    if item.get("reverse"):
        position = 1 - position
    k = min(int(position * len(codes)), len(codes) - 1)
    return codes[k]["code"]


def missing_code(ins: dict, item: dict, meaning: str) -> str | None:
    for m in ins["scales"][item["scale"]].get("missing", []):
        if m["meaning"] == meaning:
            return m["code"]
    return None


def write_csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def generate(seed: int, sample: Path) -> dict[str, str]:
    rng = random.Random(seed)
    community_ins, rss, structural_ins = load("community"), load("iom-rss"), load("structural-gcm21")
    dims = rss["dimensions"]
    pairs = communities_of(sample)
    if EXTRA_COMMUNITY in pairs:
        raise SystemExit(f"{EXTRA_COMMUNITY[1]} already has returnees in {sample}")
    pairs = sorted([*pairs, EXTRA_COMMUNITY])
    countries = sorted({c for c, _ in pairs})

    # Latent levels: a country effect, then a community effect per dimension.
    country_level = {c: rng.gauss(0, 0.6) for c in countries}
    community_level = {
        k: {d: country_level[c] + rng.gauss(0, 0.6) for d in dims} for c, k in pairs
    }

    # Community key informants: one row per community.
    items = community_ins["items"]
    rows = []
    for c, k in pairs:
        row = [k, c]
        for it in items:
            cell = answer(rng, community_ins, it, community_level[k][it["dimension"]])
            if rng.random() < 0.03:
                cell = missing_code(community_ins, it, "dont_know") or cell
            row.append(cell)
        rows.append(row)
    community_csv = write_csv(["community_id", "country", *(it["column"] for it in items)], rows)

    # Non-migrant residents: a bit better off than the returnees' communities' level.
    rss_items = rss["items"]
    rows = []
    serial = 0
    for c, k in pairs:
        for _ in range(rng.randint(HOSTS_MIN, HOSTS_MAX)):
            serial += 1
            person = {d: community_level[k][d] + 0.3 + rng.gauss(0, 0.8) for d in dims}
            no_children = rng.random() < 0.3
            row = [f"H{serial:05d}", c, k]
            for it in rss_items:
                na = missing_code(rss, it, "not_applicable")
                if na is not None and no_children:
                    row.append(na)
                    continue
                u = rng.random()
                if u < 0.02:
                    row.append(missing_code(rss, it, "dont_know") or "")
                elif u < 0.03:
                    row.append(missing_code(rss, it, "refused") or "")
                elif u < 0.04:
                    row.append("")
                else:
                    row.append(answer(rng, rss, it, person[it["dimension"]]))
            rows.append(row)
    host_csv = write_csv(["resident_id", "country", "community_id", *(it["column"] for it in rss_items)], rows)

    # Structural checklist: one row per country.
    items = structural_ins["items"]
    rows = []
    for c in countries:
        row = [c]
        for it in items:
            cell = answer(rng, structural_ins, it, country_level[c] + rng.gauss(0, 0.8))
            if rng.random() < 0.04:
                cell = missing_code(structural_ins, it, "dont_know") or cell
            row.append(cell)
        rows.append(row)
    structural_csv = write_csv(["country", *(it["column"] for it in items)], rows)

    return {
        "community_sample.csv": community_csv,
        "host_sample.csv": host_csv,
        "structural_sample.csv": structural_csv,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--sample", type=Path, default=EXAMPLES / "rss_sample.csv",
                   help="returnee sample whose countries and communities are used")
    p.add_argument("--out-dir", type=Path, default=EXAMPLES)
    p.add_argument("--check", action="store_true", help="compare with the files in --out-dir, write nothing")
    a = p.parse_args(argv)
    files = generate(a.seed, a.sample)
    differ = []
    for name, text in files.items():
        path = a.out_dir / name
        if a.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                differ.append(name)
        else:
            path.write_text(text, encoding="utf-8", newline="")
    if differ:
        print(f"differ from the generator: {', '.join(differ)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
