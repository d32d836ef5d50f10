#!/usr/bin/env python3
"""Time the Rao–Wu bootstrap of ``reinscore.survey_summary`` against the same bootstrap
written with numpy, on workload S1 of benchmarks/bench_summary.cpp (rebuilt here bit for
bit): 100,000 rows, 20 strata x 25 clusters, 3 groups, 4 scores (2% missing), weights,
threshold 0.5, quartiles, 1,000 replicates.

The numpy version draws the same replicates (numpy's MT19937 with the classic seeding
is mt19937; Boost's uniform_int_distribution is reproduced), so both must agree: means,
shares and their SEs and percentile limits to 1e-12, quantiles likewise. It is
vectorised as far as is reasonable: the PSU factors of all replicates form a B x P
matrix, means and shares are one matrix product with per-PSU sums, quantiles are a
cumulative sum over the sorted values per block of replicates and a binary search.

Run with the package importable (tools/dev-python.sh):
    PYTHONPATH=build-dev/pystage .venv/bin/python benchmarks/compare_bootstrap.py
Exit status 1 if the results disagree.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd
import reinscore

SEED, N, B = 20261127, 100_000, 1000
M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def unit(h: np.ndarray) -> np.ndarray:
    return (h >> np.uint64(11)).astype(np.float64) * 2.0**-53


def workload() -> dict[str, np.ndarray]:
    r = np.arange(N, dtype=np.uint64)
    seed = np.uint64(SEED)
    a = splitmix(seed ^ r)
    h = (a >> np.uint64(8)) % np.uint64(20)
    c = (a >> np.uint64(20)) % np.uint64(25)
    g = (a >> np.uint64(40)) % np.uint64(3)
    with np.errstate(over="ignore"):
        w = 0.5 + 2.5 * unit(splitmix(seed + np.uint64(7) * r + np.uint64(1)))
        values = np.empty((N, 4))
        for j in range(4):
            hj = splitmix(seed + np.uint64(7) * r + np.uint64(2 + j))
            v = np.minimum(1.0, 0.3 + 0.1 * g.astype(float) + 0.4 * unit(splitmix(hj)) + 0.2 * unit(splitmix(a ^ np.uint64(j))))
            values[:, j] = np.where((hj & np.uint64(1023)) < 20, np.nan, np.floor(32 * v) / 32)
    # Strata and clusters numbered by first appearance, as the application layer numbers
    # the values of a column: both sides then order PSUs, and draw their factors, alike.
    return {"values": values, "group": g.astype(np.int64), "stratum": _by_first_appearance(h),
            "cluster": _by_first_appearance(h * np.uint64(25) + c), "weight": w}


def _by_first_appearance(x: np.ndarray) -> np.ndarray:
    _, first, inverse = np.unique(x, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inverse.ravel()]


def _replicate_seed(seed: int, b: int) -> int:
    def sm(x: int) -> int:
        x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return x ^ (x >> 31)

    return sm(seed ^ sm(b)) >> 32


def factor_matrix(sizes: list[int], seed: int, replicates: int) -> np.ndarray:
    """B x P Rao–Wu factors: n_h - 1 draws per stratum, Boost's bucket rule."""
    P = sum(sizes)
    F = np.empty((replicates, P))
    starts = np.cumsum([0, *sizes])
    buckets = [0xFFFFFFFF // n + (1 if 0xFFFFFFFF % n == n - 1 else 0) for n in sizes]
    for b in range(replicates):
        rs = np.random.RandomState(_replicate_seed(seed, b))
        for h, n in enumerate(sizes):
            if n == 1:
                F[b, starts[h]] = 1.0
                continue
            raw = rs.randint(0, 2**32, size=n - 1, dtype=np.uint64) // np.uint64(buckets[h])
            draws = raw[raw < n]
            while len(draws) < n - 1:  # a rejected draw (probability < n / 2^32)
                more = rs.randint(0, 2**32, size=n - 1 - len(draws), dtype=np.uint64) // np.uint64(buckets[h])
                draws = np.concatenate([draws, more[more < n]])
            F[b, starts[h]:starts[h + 1]] = np.bincount(draws.astype(np.int64), minlength=n) * (n / (n - 1))
    return F


def numpy_bootstrap(d: dict[str, np.ndarray], seed: int, replicates: int, threshold: float = 0.5,
                    probs: tuple[float, ...] = (0.25, 0.5, 0.75), block: int = 100) -> dict[str, np.ndarray]:
    """Replicate estimates: mean, above (G x J x B) and quantiles (G x J x K x B)."""
    values, g, w = d["values"], d["group"], d["weight"]
    keys, psu = np.unique(np.stack([d["stratum"], d["cluster"]], axis=1), axis=0, return_inverse=True)
    psu = psu.ravel()
    sizes = np.bincount(np.unique(keys[:, 0], return_inverse=True)[1].ravel()).tolist()
    F = factor_matrix(sizes, seed, replicates)
    G, J, P = int(g.max()) + 1, values.shape[1], len(keys)
    obs = ~np.isnan(values)
    y0 = np.nan_to_num(values)
    # Per-PSU sums of w, w y, w 1{y >= t} for each (group, variable): one matmul.
    cols = []
    for gi in range(G):
        for j in range(J):
            m = (g == gi) & obs[:, j]
            cols += [np.bincount(psu[m], w[m], P), np.bincount(psu[m], w[m] * y0[m, j], P),
                     np.bincount(psu[m], w[m] * (y0[m, j] >= threshold - 1e-12), P)]
    T = (F @ np.stack(cols, axis=1)).reshape(replicates, G, J, 3)
    mean = np.moveaxis(T[..., 1] / T[..., 0], 0, -1)
    above = np.moveaxis(T[..., 2] / T[..., 0], 0, -1)
    quant = np.empty((G, J, len(probs), replicates))
    p = np.asarray(probs)
    for gi in range(G):
        for j in range(J):
            m = (g == gi) & obs[:, j]
            order = np.argsort(values[m, j], kind="stable")
            ys, ws, ps = values[m, j][order], w[m][order], psu[m][order]
            for b0 in range(0, replicates, block):
                cum = np.cumsum(ws * F[b0:b0 + block][:, ps], axis=1)
                total = cum[:, -1]
                targets = p[None, :] * total[:, None] - 1e-12 * total[:, None]
                for i in range(cum.shape[0]):
                    quant[gi, j, :, b0 + i] = ys[np.searchsorted(cum[i], targets[i], side="left")]
    return {"mean": mean, "above": above, "quantiles": quant}


def summarize(reps: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = (1 - level) / 2
    return reps.std(axis=-1, ddof=1), np.quantile(reps, a, axis=-1), np.quantile(reps, 1 - a, axis=-1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the fastest is reported")
    ap.add_argument("--replicates", type=int, default=B)
    args = ap.parse_args()
    d = workload()
    seed = 20250101

    frame = pd.DataFrame({"group": d["group"], "w": d["weight"], "h": d["stratum"], "c": d["cluster"]})
    for j in range(4):
        frame[f"v{j}"] = d["values"][:, j]
        frame[f"coverage_v{j}"] = 1.0

    def cpp(threads: int) -> dict:
        s = reinscore.survey_summary(frame, by="group", weight="w", strata="h", cluster="c", ci="bootstrap",
                                     threshold=0.5, replicates=args.replicates, seed=seed, threads=threads,
                                     min_cell=0)
        e = s.estimates[s.estimates["variable"] != "status"]
        G = e["group"].nunique()

        def arrays(stats: list[str], shape: tuple[int, ...]) -> dict:
            sub = e[e["statistic"].isin(stats)]
            return {f: sub[f].to_numpy(float).reshape(shape) for f in ("se", "lo", "hi")}
        return {"groups": {"mean": arrays(["mean"], (G, 4)), "above": arrays(["above"], (G, 4)),
                           "quantiles": arrays(["p25", "median", "p75"], (G, 4, 3))}}

    def best(f, *a):
        times, out = [], None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            out = f(*a)
            times.append(time.perf_counter() - t0)
        return min(times), out

    t_cpp1, res = best(cpp, 1)
    t_cpp2, res2 = best(cpp, 2)
    t_np, reps = best(numpy_bootstrap, d, seed, args.replicates)

    worst = 0.0
    groups = res["groups"]
    for name, src in (("mean", groups["mean"]), ("above", groups["above"])):
        se, lo, hi = summarize(reps[name])
        for got, want in ((src["se"], se), (src["lo"], lo), (src["hi"], hi)):
            worst = max(worst, float(np.max(np.abs(got - want))))
    se, lo, hi = summarize(reps["quantiles"])
    qworst = 0.0
    for got, want in ((groups["quantiles"]["se"], se), (groups["quantiles"]["lo"], lo), (groups["quantiles"]["hi"], hi)):
        qworst = max(qworst, float(np.max(np.abs(got - want))))
    same_threads = all(
        np.array_equal(res["groups"][k][f], res2["groups"][k][f], equal_nan=True)
        for k in ("mean", "above", "quantiles") for f in ("se", "lo", "hi")
    )

    print(f"workload S1: {N:,} rows, 20 strata x 25 clusters, 3 groups, 4 scores, {args.replicates} replicates")
    print(f"reinscore (C++), 1 thread : {t_cpp1 * 1000:8.1f} ms")
    print(f"reinscore (C++), 2 threads: {t_cpp2 * 1000:8.1f} ms")
    print(f"numpy                      : {t_np * 1000:8.1f} ms")
    print(f"ratio numpy / reinscore (1 thread): {t_np / t_cpp1:.1f}x")
    print(f"max |difference| means/shares (se, lo, hi): {worst:.2e}; quantiles: {qworst:.2e}")
    print(f"1 and 2 threads identical: {same_threads}")
    ok = worst < 1e-12 and qworst < 1e-12 and same_threads
    if not ok:
        print("RESULTS DISAGREE", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
