#!/usr/bin/env python3
"""Time `summarize` by group on a scores table of N interviews, through each face of the
application layer and through a careful pandas script, in one run:

- the command line on the scores CSV (`reinscore summarize FILE --by country --by round
  --format csv`), with its peak resident memory;
- `reinscore.summarize(df)` on the DataFrame `reinscore.score` returns (categorical
  status, Int64 round, text country): the Python hand-over of columns to C++
  (`_report._column`) and the same C++ computation;
- pandas: `groupby(...).agg` of the means and the status shares on the same DataFrame.

All three must give the same means (1e-12) and shares. The table is synthetic (seeded),
like every sample of the project.

    PYTHONPATH=build-dev/pystage .venv/bin/python benchmarks/compare_summarize.py [--rows N]
Exit status 1 if the results disagree.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import reinscore

ROOT = Path(__file__).resolve().parents[1]
SCORES = ["economic", "social", "psychosocial", "composite"]
STATUSES = ["complete", "partial", "insufficient", "invalid"]


def table(n: int, seed: int = 20261206) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"interview_id": np.arange(1, n + 1)})
    for s in SCORES:
        v = np.round(rng.uniform(0, 1, n), 6)
        df[s] = np.where(rng.uniform(size=n) < 0.03, np.nan, v)
    for s in SCORES[:3]:
        df[f"coverage_{s}"] = np.where(np.isnan(df[s]), 0.0, 1.0)
    df["status"] = pd.Categorical(rng.choice(STATUSES, n, p=[0.8, 0.1, 0.08, 0.02]), categories=STATUSES)
    df["country"] = rng.choice(["LSO", "MWI", "ZWE", "MOZ", "ZAF"], n)
    df["round"] = pd.array(rng.integers(1, 4, n), dtype="Int64")
    return df


def cli_binary() -> Path:
    env = os.environ.get("REINSCORE_CLI")
    return Path(env) if env else ROOT / "build" / "src" / "cli" / "reinscore"


def pandas_summary(df: pd.DataFrame) -> pd.DataFrame:
    g = df.groupby(["country", "round"], sort=True, observed=True)
    out = g[SCORES].mean()
    out.insert(0, "n", g.size())
    shares = pd.crosstab([df["country"], df["round"]], df["status"], normalize="index")
    for s in STATUSES:
        out[f"share_{s}"] = shares.get(s, 0.0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    df = table(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scores.csv"
        df.to_csv(path, index=False)
        size = path.stat().st_size
        cli = [str(cli_binary()), "summarize", str(path), "--by", "country", "--by", "round",
               "--format", "csv", "--min-cell", "0"]
        # The CLI's own peak memory: GNU time reports the child's, where getrusage of the
        # children would report this Python process's (inherited at fork).
        peak = Path(tmp) / "peak"
        timer = ["/usr/bin/time", "-f", "%M", "-o", str(peak)] if Path("/usr/bin/time").exists() else []
        t0 = time.perf_counter()
        r = subprocess.run(timer + cli, capture_output=True, check=True)
        t_cli = time.perf_counter() - t0
        rss_cli = int(peak.read_text().split()[-1]) / 1024 if timer else float("nan")
    from_cli = pd.read_csv(io.BytesIO(r.stdout))

    t0 = time.perf_counter()
    py = reinscore.summarize(df, by=["country", "round"], min_cell=0)
    t_py = time.perf_counter() - t0
    t0 = time.perf_counter()
    pd_out = pandas_summary(df)
    t_pd = time.perf_counter() - t0

    py_t = py.table.reset_index() if "country" not in py.table.columns else py.table
    ok = True
    for s in SCORES:
        col = f"mean_{s}" if f"mean_{s}" in py_t.columns else s
        a = py_t[col].to_numpy(dtype=float)
        b = pd_out[s].to_numpy(dtype=float)
        c = from_cli[col].to_numpy(dtype=float)
        if not (np.allclose(a, b, rtol=0, atol=1e-12) and np.allclose(a, c, rtol=0, atol=1e-12)):
            print(f"DISAGREE on {s}", file=sys.stderr)
            ok = False
    print(f"rows {args.rows:,}; scores CSV {size / 1e6:.1f} MB; groups {len(pd_out)}")
    print(f"command line (file):       {t_cli:7.3f} s  peak RSS {rss_cli:,.0f} MB")
    print(f"reinscore.summarize(df):   {t_py:7.3f} s")
    print(f"pandas groupby + crosstab: {t_pd:7.3f} s")
    print(f"ratio pandas / Python face: {t_pd / t_py:.2f}x; pandas / command line: {t_pd / t_cli:.2f}x")
    print("results agree" if ok else "RESULTS DISAGREE")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
