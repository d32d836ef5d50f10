"""Time ``reinscore.score`` from Python against the careful pandas baseline.

Workload W1 (rows x 26 items of the provisional RSS, choice names). Three ways in:
``reinscore.score(path)`` (the C++ readers), ``reinscore.score(df)`` with the items
read by pandas as categoricals (codes cross into C++ without per-cell Python work),
and the pandas implementation of ``compare_pandas.py`` on the same categoricals. The
composites are checked to agree to 1e-12 before any time is printed.

Usage: ``.venv/bin/python benchmarks/compare_python.py [--rows 1000000]`` (the
package must be installed: ``pip install .``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare_pandas as cp
import reinscore


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time of `repeat` calls and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> int:
    """Run the comparison and print times and ratios."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    root = HERE.parent
    sample = cp.ensure_sample(args.rows, root / "build")
    spec = cp.load_spec(root / "data" / "instruments" / "iom-rss.json")

    t_read, df = timed(lambda: cp.read_items(sample, spec, "c"), 1)
    t_pandas, ref = timed(lambda: cp.score_frame(df, spec), args.repeat)
    t_df, got_df = timed(lambda: reinscore.score(df), args.repeat)
    t_path, got_path = timed(lambda: reinscore.score(sample), args.repeat)

    for name, got in (("score(df)", got_df), ("score(path)", got_path)):
        a = got["composite"].to_numpy(dtype=float)
        b = np.asarray(ref["composite"], dtype=float)
        same_nan = np.array_equal(np.isnan(a), np.isnan(b))
        if not same_nan or np.nanmax(np.abs(a - b)) > 1e-12:
            print(f"{name}: composites disagree with pandas", file=sys.stderr)
            return 1

    mb = sample.stat().st_size / 1e6
    print(cp.machine_line())
    print(f"rows {args.rows:,}  file {mb:.1f} MB  (best of {args.repeat})")
    print(f"pandas read_csv (categoricals)        {t_read:7.2f} s")
    print(f"pandas scoring of those columns       {t_pandas:7.2f} s")
    print(f"reinscore.score(df) same columns      {t_df:7.2f} s   ratio pandas/reinscore {t_pandas / t_df:5.1f}x")
    print(
        f"reinscore.score(path) read + score    {t_path:7.2f} s   ratio (read_csv + pandas)/reinscore "
        f"{(t_read + t_pandas) / t_path:5.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
