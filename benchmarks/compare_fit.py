#!/usr/bin/env python3
"""Compare reinscore's PCA fit with numpy (and pandas) on the data of bench_fit.cpp.

The data are 1,000,000 x 26 coded values built from SplitMix64 exactly as
``benchmarks/bench_fit.cpp`` builds them (bit for bit), once complete and once with
about 4 % missing cells. Timed, fastest of ``--repeat`` runs:

* numpy: ``np.corrcoef(X, rowvar=False)`` + ``np.linalg.eigh`` (complete data only:
  numpy has no pairwise-complete correlation),
* pandas: ``DataFrame.corr()`` (pairwise) + ``np.linalg.eigh`` (data with gaps),
* reinscore through Python: ``_core.correlation`` (CoMoments over chunks of 65,536 rows)
  + ``_core.pca`` (Eigen's SelfAdjointEigenSolver),
* with ``--bench PATH``: the C++ benchmark ``BM_FitPca`` (the same work without Python).

The eigenvalues must agree (1e-9); the script exits 1 if they do not.

numpy's BLAS threads are limited to one (OPENBLAS_NUM_THREADS=1 etc., set before numpy
is imported) unless ``--blas-threads`` says otherwise: reinscore's accumulation runs on
one thread, and idle OpenBLAS threads spin and take CPU from it.

Run from the repository root with the package importable, e.g.::

    tools/dev-python.sh build-py
    PYTHONPATH=build-py/pystage .venv/bin/python benchmarks/compare_fit.py --bench build/benchmarks/bench_fit
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

if __name__ == "__main__":
    _threads = "1"
    if "--blas-threads" in sys.argv:
        _threads = sys.argv[sys.argv.index("--blas-threads") + 1]
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, _threads)

import numpy as np
import pandas as pd
from reinscore import _core

ITEMS = 26
MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix64(x: np.ndarray[Any, np.dtype[np.uint64]]) -> np.ndarray[Any, np.dtype[np.uint64]]:
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def unit(h: np.ndarray[Any, np.dtype[np.uint64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    return (h >> np.uint64(11)).astype(np.float64) * 2.0**-53


def coded_values(
    rows: int, missing_per_mille: int, seed: int = 20261127
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """bench_fit.cpp's coded_values(), in numpy (Fortran order, as Eigen holds it)."""
    r = np.arange(rows, dtype=np.uint64)
    s = np.uint64(seed)
    level = unit(splitmix64(s ^ r))
    out = np.empty((rows, ITEMS), dtype=np.float64, order="F")
    threshold = np.uint64(missing_per_mille * 1024 // 1000)
    with np.errstate(over="ignore"):
        for k in range(ITEMS):
            h = splitmix64(s + r * np.uint64(ITEMS) + np.uint64(k) + np.uint64(1))
            v = np.floor(4 * (0.6 * level + 0.4 * unit(h)) + 0.5) / 4
            v[(h & np.uint64(1023)) < threshold] = np.nan
            out[:, k] = v
    return out


def best(f: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--bench", help="path of the bench_fit binary (adds the C++ timing)")
    ap.add_argument("--blas-threads", default="1", help="threads of numpy's BLAS (default 1)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    complete = coded_values(args.rows, 0)
    gaps = coded_values(args.rows, 40)
    print(
        f"data: {args.rows} x {ITEMS}, built in {time.perf_counter() - t0:.1f} s; "
        f"missing cells {np.isnan(gaps).mean():.2%} in the second set"
    )

    def numpy_fit() -> np.ndarray[Any, Any]:
        return np.linalg.eigh(np.corrcoef(complete, rowvar=False))[0][::-1]

    def pandas_fit() -> np.ndarray[Any, Any]:
        return np.linalg.eigh(pd.DataFrame(gaps).corr().to_numpy())[0][::-1]

    def ours(x: np.ndarray[Any, Any]) -> Callable[[], np.ndarray[Any, Any]]:
        return lambda: _core.pca(_core.correlation(x, None, "pairwise", 65536))["eigenvalues"]

    t_np, ev_np = best(numpy_fit, args.repeat)
    t_pd, ev_pd = best(pandas_fit, max(1, args.repeat // 2))
    t_rc, ev_rc = best(ours(complete), args.repeat)
    t_rg, ev_rg = best(ours(gaps), args.repeat)
    ok = bool(
        np.allclose(ev_rc, ev_np, rtol=0, atol=1e-9)
        and np.allclose(ev_rg, ev_pd, rtol=0, atol=1e-9)
    )
    print(
        f"eigenvalues agree (1e-9): {ok}; largest {ev_rc[0]:.6f} (complete), {ev_rg[0]:.6f} (gaps)"
    )

    rows = [
        ("numpy corrcoef + eigh (complete)", t_np, None),
        ("reinscore via Python (complete)", t_rc, t_np / t_rc),
        ("pandas corr pairwise + eigh (gaps)", t_pd, None),
        ("reinscore via Python (gaps)", t_rg, t_pd / t_rg),
    ]
    if args.bench:
        p = subprocess.run(
            [
                args.bench,
                "--benchmark_filter=BM_FitPca",
                "--benchmark_format=json",
                "--benchmark_repetitions=3",
                "--benchmark_report_aggregates_only=true",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        for b in json.loads(p.stdout)["benchmarks"]:
            if b.get("aggregate_name") != "mean":
                continue
            secs = b["real_time"] / {"ms": 1e3, "us": 1e6, "ns": 1e9, "s": 1}[b["time_unit"]]
            gap = "/40" in b["run_name"]
            rows.append(
                (
                    f"reinscore C++ BM_FitPca ({'gaps' if gap else 'complete'})",
                    secs,
                    (t_pd if gap else t_np) / secs,
                )
            )
    print(f"\n{'':38s} {'seconds':>9s} {'Mrows/s':>8s} {'baseline/this':>14s}")
    for name, t, ratio in rows:
        r = f"{ratio:.2f}x" if ratio is not None else ""
        print(f"{name:38s} {t:9.3f} {args.rows / t / 1e6:8.2f} {r:>14s}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
