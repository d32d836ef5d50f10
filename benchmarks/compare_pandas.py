#!/usr/bin/env python3
"""Compare ``reinscore score`` with a careful pandas implementation on workload W1.

Workload W1 is ``tools/make_sample.py --rows N --plain``: N single-round
interviews of the provisional RSS instrument (26 items, 36 columns), with
don't know, refused and skipped cells.  The script

1. scores W1 with a vectorised pandas/numpy implementation of the same rules
   (``read_csv`` with ``dtype="category"``, each column's distinct answers
   coded once, per-dimension weighted sums with masks), run in a subprocess
   so that its peak memory can be measured; writing its scores with
   ``to_csv`` is timed separately (``--no-pandas-write`` skips it),
2. runs ``reinscore score FILE -o OUT --quiet`` on one thread and with
   ``--threads 2``, and ``reinscore score FILE --parse-only`` (reader only),
3. checks that both give the same dimension scores, composite and coverage
   (to 1e-12) and the same status for every row, and that the one- and
   two-thread outputs are byte-identical,
4. prints wall and CPU times, ratios, rows/s, MB/s and peak RSS (from
   ``/usr/bin/time -v``, else ``os.wait4``), and the peak RSS of
   ``reinscore score`` on 250k and 1M rows (memory flatness).

Times are the fastest of ``--repeat`` runs: on a shared machine the fastest
run is the one least disturbed by other work.  The issue's targets are
checked on wall time for the job both sides do, an export in and a scores file
out: pandas read+code+score+to_csv >= 10x ``reinscore score`` on one thread;
and reinscore on one thread <= 3x ``--parse-only``.  The ratio to pandas
without its to_csv (reinscore still writing its file) is printed beside it.

It exits with status 1 if any result disagrees, 2 on a usage or run error.

The scoring rules reproduced here (from ``include/reinscore/coder.hpp``,
``include/reinscore/scorer.hpp`` and ``src/io/batch.cpp``):

* a cell is trimmed (spaces and tabs, and a trailing CR); empty is *skipped*;
* it matches a code or a numeric code exactly, else it is parsed as a number
  and matched against the integer numeric codes (a number that matches none
  is *out_of_range*), else it is matched against the labels without case and
  extra spaces, else it is *invalid_code*;
* missing codes carry their meaning (dont_know, refused, not_applicable);
* a row with any invalid cell is ``invalid`` and gets no scores;
* a dimension score is the weighted mean of the answered items when
  answered weight / applicable weight >= ``coverage.min_share`` (and the
  answered weight is > 0); not-applicable items leave the applicable base;
* the composite (dimension mode) is the weighted mean of the dimension
  scores, missing if any dimension is missing (status ``insufficient``);
* otherwise the status is ``partial`` if any item is skipped, don't know or
  refused, and ``complete`` if not.

Whole-row defects that ``reinscore`` also checks (ragged rows, blank rows,
invalid UTF-8) are not reproduced: W1 has none.

Examples
--------
From the repository root, after building ``reinscore_exe``::

    .venv/bin/python benchmarks/compare_pandas.py
    .venv/bin/python benchmarks/compare_pandas.py --rows 100000 --repeat 1
"""

from __future__ import annotations

import argparse
import filecmp
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INSTRUMENT = REPO_ROOT / "data" / "instruments" / "iom-rss.json"
DEFAULT_BUILD = REPO_ROOT / "build"
DEFAULT_BINARY = DEFAULT_BUILD / "src" / "cli" / "reinscore"
MAKE_SAMPLE = REPO_ROOT / "tools" / "make_sample.py"
TIME_BIN = Path("/usr/bin/time")
TOLERANCE = 1e-12
MAX_REPORTED = 10

# Reason codes, as in include/reinscore/reason.hpp.
ANSWERED, DONT_KNOW, REFUSED, NOT_APPLICABLE, SKIPPED, INVALID_CODE, OUT_OF_RANGE = range(7)
REASON_NAMES = (
    "answered",
    "dont_know",
    "refused",
    "not_applicable",
    "skipped",
    "invalid_code",
    "out_of_range",
)
MEANINGS = {
    "dont_know": DONT_KNOW,
    "refused": REFUSED,
    "not_applicable": NOT_APPLICABLE,
    "skipped": SKIPPED,
}
STATUS_NAMES = ("complete", "partial", "insufficient", "invalid")
COMPLETE, PARTIAL, INSUFFICIENT, INVALID = range(4)

# What std::from_chars (general format) accepts after an optional leading '+'
# and that is finite; Python's float() also takes "1_0", " 1", "inf"...
NUMBER_RE = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# The coder keeps integer numeric codes only below this magnitude.
MAX_INTEGER_CODE = 9.0e15


def trim(text: str) -> str:
    """Strip as ``detail::trim`` does.

    Parameters
    ----------
    text : str
        Raw cell.

    Returns
    -------
    str
        Without leading spaces/tabs and trailing spaces/tabs/CRs.
    """
    return text.lstrip(" \t").rstrip(" \t\r")


def fold_case(text: str) -> str:
    """Fold a label as ``detail::fold_case`` does.

    Parameters
    ----------
    text : str
        Label or raw cell.

    Returns
    -------
    str
        Trimmed, runs of spaces/tabs collapsed to one space, ASCII lower case.
    """
    words = [w for w in re.split(r"[ \t]+", trim(text)) if w]
    return " ".join(w.translate(_ASCII_LOWER) for w in words)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def parse_number(text: str) -> float | None:
    """Parse a whole string as a finite number, as ``detail::parse_number``.

    Parameters
    ----------
    text : str
        Trimmed cell.

    Returns
    -------
    float or None
        The number, or None if the text is not one.
    """
    text = text.removeprefix("+")
    if not NUMBER_RE.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


@dataclass
class ItemRules:
    """How the answers of one item are coded.

    Attributes
    ----------
    exact : dict
        Code and numeric-code text to ``(value, reason)``.
    labels : dict
        Folded label to ``(value, reason)``.
    numeric_codes : dict
        Integer numeric code to ``(value, reason)``.
    numeric_scale : bool
        Whether the scale is numeric (values from ``lo`` to ``hi``).
    any_numeric_code : bool
        Whether an answer code has a numeric code.
    reverse : bool
        Whether values are reversed.
    lo, hi : float
        Range of a numeric scale.
    """

    exact: dict[str, tuple[float, int]] = field(default_factory=dict)
    labels: dict[str, tuple[float, int]] = field(default_factory=dict)
    numeric_codes: dict[int, tuple[float, int]] = field(default_factory=dict)
    numeric_scale: bool = False
    any_numeric_code: bool = False
    reverse: bool = False
    lo: float = 0.0
    hi: float = 1.0

    def add(self, entry: dict, cell: tuple[float, int]) -> None:
        """Register a code or missing code (the first registration wins).

        Parameters
        ----------
        entry : dict
            Code object of the instrument file.
        cell : tuple of (float, int)
            Value and reason the code stands for.
        """
        self.exact.setdefault(entry["code"], cell)
        numeric = entry.get("numeric")
        if numeric is not None:
            self.exact.setdefault(str(int(numeric)), cell)
            self.numeric_codes.setdefault(int(numeric), cell)
        label = entry.get("label", "")
        if label:
            self.labels.setdefault(fold_case(label), cell)

    def code_number(self, x: float) -> tuple[float, int]:
        """Code a number.

        Parameters
        ----------
        x : float
            Parsed cell.

        Returns
        -------
        tuple of (float, int)
            Value (NaN unless answered) and reason.
        """
        if x == math.floor(x) and abs(x) < MAX_INTEGER_CODE:
            hit = self.numeric_codes.get(int(x))
            if hit is not None:
                return hit
        if self.numeric_scale:
            if not self.lo <= x <= self.hi:
                return math.nan, OUT_OF_RANGE
            v = (x - self.lo) / (self.hi - self.lo)
            return (1.0 - v if self.reverse else v), ANSWERED
        return math.nan, OUT_OF_RANGE if self.any_numeric_code else INVALID_CODE

    def code(self, raw: str) -> tuple[float, int]:
        """Code one raw cell.

        Parameters
        ----------
        raw : str
            Cell text as read.

        Returns
        -------
        tuple of (float, int)
            Value (NaN unless answered) and reason.
        """
        s = trim(raw)
        if not s:
            return math.nan, SKIPPED
        hit = self.exact.get(s)
        if hit is not None:
            return hit
        x = parse_number(s)
        if x is not None:
            return self.code_number(x)
        hit = self.labels.get(fold_case(s))
        if hit is not None:
            return hit
        return math.nan, INVALID_CODE


@dataclass
class Spec:
    """The parts of an instrument and weight set that scoring needs.

    Attributes
    ----------
    columns : list of str
        Item columns in instrument order.
    dimensions : list of str
        Dimension names.
    rules : list of ItemRules
        Coding rules per item.
    wd : numpy.ndarray
        Item-by-dimension weights, (items, dimensions).
    mode : str
        Composite mode, ``"dimension"`` or ``"item"``.
    a : numpy.ndarray
        Dimension weights of the composite (dimension mode).
    wc : numpy.ndarray
        Item weights of the composite (item mode).
    min_share : float
        Coverage rule.
    """

    columns: list[str]
    dimensions: list[str]
    rules: list[ItemRules]
    wd: np.ndarray
    mode: str
    a: np.ndarray
    wc: np.ndarray
    min_share: float


def load_spec(path: Path, weight_set: str | None = None) -> Spec:
    """Read an instrument file.

    Parameters
    ----------
    path : pathlib.Path
        Instrument JSON.
    weight_set : str, optional
        Weight set name; the instrument's default if omitted.

    Returns
    -------
    Spec
        Coding rules and weights.
    """
    doc = json.loads(path.read_text(encoding="utf-8"))
    dims = list(doc["dimensions"])
    ws = doc["weight_sets"][weight_set or doc["default_weights"]]
    mode = ws["composite"]["mode"]
    items = doc["items"]
    wd = np.zeros((len(items), len(dims)))
    wc = np.zeros(len(items))
    rules = []
    for k, item in enumerate(items):
        scale = doc["scales"][item["scale"]]
        reverse = bool(item.get("reverse", False))
        r = ItemRules(numeric_scale=scale["type"] == "numeric", reverse=reverse)
        if r.numeric_scale:
            r.lo, r.hi = float(scale["min"]), float(scale["max"])
        for c in scale.get("codes", []):
            value = float(c["value"])
            r.add(c, ((1.0 - value) if reverse else value, ANSWERED))
            r.any_numeric_code = r.any_numeric_code or c.get("numeric") is not None
        for m in scale.get("missing", []):
            r.add(m, (math.nan, MEANINGS[m["meaning"]]))
        rules.append(r)
        weights = ws["items"][item["id"]]
        wd[k, dims.index(item["dimension"])] = float(weights["dimension"])
        if mode == "item":
            wc[k] = float(weights["composite"])
    a = np.zeros(len(dims))
    if mode == "dimension":
        a = np.array([float(ws["composite"]["weights"][d]) for d in dims])
    return Spec(
        columns=[it.get("column", it["id"]) for it in items],
        dimensions=dims,
        rules=rules,
        wd=wd,
        mode=mode,
        a=a,
        wc=wc,
        min_share=float(doc.get("coverage", {}).get("min_share", 0.5)),
    )


def read_items(path: Path, spec: Spec, engine: str):
    """Read the item columns as categoricals, with no NA guessing.

    Parameters
    ----------
    path : pathlib.Path
        CSV export.
    spec : Spec
        Item columns.
    engine : str
        pandas CSV engine, ``"c"`` or ``"pyarrow"``.

    Returns
    -------
    pandas.DataFrame
        One categorical column per item.
    """
    import pandas as pd

    # The pyarrow engine has no na_filter; with keep_default_na=False it still
    # leaves empty cells as "" (or as NaN, which score_frame treats as skipped).
    extra = {"na_filter": False} if engine == "c" else {}
    return pd.read_csv(
        path,
        usecols=spec.columns,
        dtype="category",
        keep_default_na=False,
        engine=engine,
        **extra,
    )


def column_tables(categories, rules: ItemRules) -> dict[str, np.ndarray]:
    """Code the distinct answers of one column once.

    Parameters
    ----------
    categories : pandas.Index
        The column's categories (distinct raw cells).
    rules : ItemRules
        Coding rules of the item.

    Returns
    -------
    dict of numpy.ndarray
        Lookup tables indexed by category code, with one extra slot at the end
        for code -1 (a NaN cell, which ``na_filter=False`` never produces):
        ``value`` (0 unless answered), ``answered``, ``not_applicable``,
        ``invalid`` and ``gap`` (skipped, don't know or refused).
    """
    coded = [rules.code(str(c)) for c in categories] + [(math.nan, SKIPPED)]
    reason = np.array([r for _, r in coded], dtype=np.uint8)
    answered = reason == ANSWERED
    return {
        "value": np.where(answered, [v for v, _ in coded], 0.0),
        "answered": answered.astype(float),
        "not_applicable": (reason == NOT_APPLICABLE).astype(float),
        "invalid": reason >= INVALID_CODE,
        "gap": ~answered & (reason != NOT_APPLICABLE) & (reason < INVALID_CODE),
    }


def score_frame(df, spec: Spec) -> dict[str, np.ndarray]:
    """Code and score the item columns with per-column lookups and weighted sums.

    Every column is coded once per distinct answer (its categories), then
    the weighted value, answered weight and not-applicable weight of each
    item are added into per-dimension accumulators, so no rows x items matrix
    is ever built.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`read_items`.
    spec : Spec
        Coding rules, weights and coverage rule.

    Returns
    -------
    dict of numpy.ndarray
        ``dimension`` (n, D), ``composite`` (n,), ``coverage`` (n, D) and
        ``status`` (n,) uint8 indices into ``STATUS_NAMES``.
    """
    n, n_dims = len(df), len(spec.dimensions)
    num = [np.zeros(n) for _ in range(n_dims)]
    den = [np.zeros(n) for _ in range(n_dims)]
    inapplicable = [np.zeros(n) for _ in range(n_dims)]
    numc, denc = np.zeros(n), np.zeros(n)
    invalid = np.zeros(n, dtype=bool)
    gap = np.zeros(n, dtype=bool)
    for k, (name, rules) in enumerate(zip(spec.columns, spec.rules, strict=True)):
        col = df[name].cat
        lut = column_tables(col.categories, rules)
        codes = col.codes.to_numpy()
        d = int(np.flatnonzero(spec.wd[k])[0]) if spec.wd[k].any() else 0
        w = spec.wd[k, d]
        num[d] += np.take(w * lut["value"], codes)
        den[d] += np.take(w * lut["answered"], codes)
        if lut["not_applicable"].any():
            inapplicable[d] += np.take(w * lut["not_applicable"], codes)
        if lut["invalid"][:-1].any():
            invalid |= np.take(lut["invalid"], codes)
        if lut["gap"].any():
            gap |= np.take(lut["gap"], codes)
        if spec.mode == "item":
            numc += np.take(spec.wc[k] * lut["value"], codes)
            denc += np.take(spec.wc[k] * lut["answered"], codes)
    total = spec.wd.sum(axis=0)
    dimension = np.empty((n, n_dims))
    coverage = np.empty((n, n_dims))
    all_ok = np.ones(n, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for d in range(n_dims):
            applicable = total[d] - inapplicable[d]
            cov = np.where(applicable > 0, den[d] / applicable, 0.0)
            ok = (applicable > 0) & (den[d] > 0) & (cov >= spec.min_share)
            coverage[:, d] = cov
            dimension[:, d] = np.where(ok, num[d] / den[d], np.nan)
            all_ok &= ok
        if spec.mode == "item":
            composite = np.where(denc > 0, numc / denc, np.nan)
        else:
            composite = (dimension @ spec.a) / spec.a.sum()
    composite[~all_ok] = np.nan
    status = np.where(gap, PARTIAL, COMPLETE).astype(np.uint8)
    status[~all_ok] = INSUFFICIENT
    status[invalid] = INVALID
    dimension[invalid] = np.nan
    coverage[invalid] = np.nan
    composite[invalid] = np.nan
    return {
        "dimension": dimension,
        "composite": composite,
        "coverage": coverage,
        "status": status,
    }


def write_scores(out: dict[str, np.ndarray], spec: Spec, path: Path, arrow: bool = False) -> None:
    """Write pandas' scores as CSV, as an analyst would hand them on.

    Parameters
    ----------
    out : dict of numpy.ndarray
        Output of :func:`score_frame`.
    spec : Spec
        Dimension names.
    path : pathlib.Path
        Destination CSV.
    arrow : bool
        Write with pyarrow's CSV writer instead of ``DataFrame.to_csv`` (much faster;
        timed too, so that the comparison does not rest on to_csv alone).
    """
    import pandas as pd

    cols = {d: out["dimension"][:, j] for j, d in enumerate(spec.dimensions)}
    cols["composite"] = out["composite"]
    for j, d in enumerate(spec.dimensions):
        cols[f"coverage_{d}"] = out["coverage"][:, j]
    cols["status"] = pd.Categorical.from_codes(out["status"], categories=STATUS_NAMES)
    frame = pd.DataFrame(cols)
    if arrow:
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        pa_csv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), path)
    else:
        frame.to_csv(path, index=False)


def worker(args: argparse.Namespace) -> int:
    """Score a file with pandas and save the results (subprocess mode).

    Parameters
    ----------
    args : argparse.Namespace
        ``input``, ``instrument``, ``engine``, ``save`` (an .npz path for
        the comparison, written after the timed part) and ``write`` (a CSV
        path; writing it is timed separately).

    Returns
    -------
    int
        Exit status; timings go to stdout as one JSON line.
    """
    import pandas as pd

    spec = load_spec(args.instrument)
    t0 = time.perf_counter()
    df = read_items(args.input, spec, args.engine)
    t1 = time.perf_counter()
    out = score_frame(df, spec)
    t2 = time.perf_counter()
    write_s = arrow_s = None
    if args.write:
        write_scores(out, spec, args.write)
        write_s = time.perf_counter() - t2
        try:
            t3 = time.perf_counter()
            write_scores(out, spec, args.write, arrow=True)
            arrow_s = time.perf_counter() - t3
        except ImportError:  # pyarrow is optional for pandas
            arrow_s = None
    if args.save:
        np.savez(args.save, **out)
    print(
        json.dumps(
            {
                "read_s": t1 - t0,
                "score_s": t2 - t1,
                "total_s": t2 - t0,
                "write_s": write_s,
                "arrow_write_s": arrow_s,
                "rows": len(df),
                "pandas": pd.__version__,
                "numpy": np.__version__,
            }
        )
    )
    return 0


@dataclass
class Run:
    """One measured subprocess.

    Attributes
    ----------
    wall : float
        Wall-clock seconds, measured by this script.
    cpu : float
        User + system CPU seconds of the measured process (-1 if unknown).
    max_rss_kb : int
        Peak resident set size of the measured process, KiB.
    stdout, stderr : str
        Its output (stderr without the ``time -v`` report).
    """

    wall: float
    cpu: float
    max_rss_kb: int
    stdout: str
    stderr: str


def run_measured(cmd: Sequence[str]) -> Run:
    """Run a command and measure its wall time and peak RSS.

    Uses ``/usr/bin/time -v`` (see :func:`run_measured_wait4` for the
    fallback).

    Parameters
    ----------
    cmd : sequence of str
        Command line.

    Returns
    -------
    Run
        Measurements and output.

    Raises
    ------
    RuntimeError
        If the command fails.
    """
    argv = [str(TIME_BIN), "-v", *cmd]
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    rss = int(m.group(1)) if m else -1
    cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", stderr))
    cut = stderr.find("\tCommand being timed:")
    stderr = stderr[:cut] if cut >= 0 else stderr
    m = re.search(r"Command exited with non-zero status (\d+)", stderr)
    rc = int(m.group(1)) if m else proc.returncode
    stderr = re.sub(r"Command exited with non-zero status \d+\n?", "", stderr)
    if rc != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {rc}:\n{stderr.strip()}")
    return Run(wall=wall, cpu=cpu, max_rss_kb=rss, stdout=stdout, stderr=stderr)


def run_measured_wait4(cmd: Sequence[str]) -> Run:
    """Run a command and measure it with ``os.wait4`` (no ``time`` binary).

    Parameters
    ----------
    cmd : sequence of str
        Command line.

    Returns
    -------
    Run
        Measurements; ``ru_maxrss`` is in KiB on Linux.

    Raises
    ------
    RuntimeError
        If the command fails.
    """
    t0 = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Read the pipes in full before reaping, so that a chatty child cannot block.
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{stderr}")
    return Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_kb=int(usage.ru_maxrss),
        stdout=stdout,
        stderr=stderr,
    )


def measure(cmd: Sequence[str]) -> Run:
    """Measure with ``time -v`` when installed, else with ``os.wait4``.

    Parameters
    ----------
    cmd : sequence of str
        Command line.

    Returns
    -------
    Run
        Measurements and output.
    """
    return run_measured(cmd) if TIME_BIN.exists() else run_measured_wait4(cmd)


def ensure_sample(rows: int, build: Path) -> Path:
    """Return the W1 file of ``rows`` rows, generating it if absent.

    Parameters
    ----------
    rows : int
        Number of interviews.
    build : pathlib.Path
        Directory for the file.

    Returns
    -------
    pathlib.Path
        ``build/w1_<rows>.csv``.
    """
    path = build / f"w1_{rows}.csv"
    if not path.exists():
        tmp = path.with_suffix(".csv.partial")
        print(f"generating {path} ...", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(MAKE_SAMPLE),
                "--rows",
                str(rows),
                "--plain",
                "--quiet",
                "--out",
                str(tmp),
            ],
            check=True,
        )
        tmp.replace(path)
    return path


def compare(pandas_npz: Path, reinscore_csv: Path, spec: Spec, sample: Path) -> int:
    """Compare pandas' results with reinscore's output, row by row.

    Parameters
    ----------
    pandas_npz : pathlib.Path
        Saved by :func:`worker`.
    reinscore_csv : pathlib.Path
        Output of ``reinscore score``.
    spec : Spec
        Dimension names and item columns.
    sample : pathlib.Path
        Input file, to show the cells of disagreeing rows.

    Returns
    -------
    int
        Number of disagreeing rows.
    """
    import pandas as pd

    dims = spec.dimensions
    cov_cols = [f"coverage_{d}" for d in dims]
    rs = pd.read_csv(
        reinscore_csv,
        usecols=[*dims, "composite", *cov_cols, "status"],
        dtype={"status": str},
        keep_default_na=False,
        na_values={c: [""] for c in [*dims, "composite", *cov_cols]},
    )
    pd_res = np.load(pandas_npz)
    n = len(pd_res["status"])
    if len(rs) != n:
        print(f"DISAGREE: reinscore wrote {len(rs)} rows, pandas scored {n}")
        return max(n, len(rs))

    def close(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        both_nan = np.isnan(a) & np.isnan(b)
        with np.errstate(invalid="ignore"):
            return both_nan | (np.abs(a - b) <= TOLERANCE)

    checks = {}
    for j, d in enumerate(dims):
        checks[d] = (pd_res["dimension"][:, j], rs[d].to_numpy(dtype=float))
    checks["composite"] = (pd_res["composite"], rs["composite"].to_numpy(dtype=float))
    for j, c in enumerate(cov_cols):
        checks[c] = (pd_res["coverage"][:, j], rs[c].to_numpy(dtype=float))
    bad = np.zeros(n, dtype=bool)
    print(f"\nagreement on {n:,} rows (tolerance {TOLERANCE:g}):")
    for name, (a, b) in checks.items():
        ok = close(a, b)
        bad |= ~ok
        finite = ~np.isnan(a) & ~np.isnan(b)
        maxdiff = float(np.max(np.abs(a[finite] - b[finite]))) if finite.any() else 0.0
        print(
            f"  {name:<24} rows differing {int((~ok).sum()):>8,}   "
            f"max |diff| {maxdiff:.3g}   missing {int(np.isnan(b).sum()):,}"
        )
    rs_status = rs["status"].map({s: i for i, s in enumerate(STATUS_NAMES)})
    rs_status = rs_status.fillna(-1).to_numpy(dtype=int)
    status_ok = rs_status == pd_res["status"]
    bad |= ~status_ok
    print(f"  {'status':<24} rows differing {int((~status_ok).sum()):>8,}")
    counts_pd = np.bincount(pd_res["status"], minlength=4)
    counts_rs = rs["status"].value_counts()
    print(
        "  status counts (pandas / reinscore): "
        + ", ".join(
            f"{s} {counts_pd[i]:,}/{int(counts_rs.get(s, 0)):,}" for i, s in enumerate(STATUS_NAMES)
        )
    )
    n_bad = int(bad.sum())
    if n_bad:
        rows = np.flatnonzero(bad)[:MAX_REPORTED]
        wanted = {0, *(int(r) + 1 for r in rows)}  # file lines (0-based), header too
        cells = pd.read_csv(
            sample,
            usecols=spec.columns,
            dtype=str,
            keep_default_na=False,
            skiprows=lambda i: i not in wanted,
        )
        for pos, r in enumerate(rows):
            print(f"\nDISAGREE data row {r + 1} (file line {r + 2}):")
            for name, (a, b) in checks.items():
                print(f"  {name:<24} pandas {float(a[r])!r:<22} reinscore {float(b[r])!r}")
            print(
                f"  status: pandas {STATUS_NAMES[pd_res['status'][r]]}, "
                f"reinscore {rs['status'].iloc[r]}"
            )
            coded = [
                (c, cells.iloc[pos][c], rules.code(cells.iloc[pos][c]))
                for c, rules in zip(spec.columns, spec.rules, strict=True)
            ]
            print(
                "  cells (value, reason as coded here): "
                + "; ".join(
                    f"{c}={raw!r}({v:g}, {REASON_NAMES[why]})" for c, raw, (v, why) in coded
                )
            )
    return n_bad


def edge_case_rows(instrument: Path) -> tuple[list[str], list[list[str]]]:
    """Build rows that exercise every coding and coverage rule.

    Parameters
    ----------
    instrument : pathlib.Path
        Instrument JSON.

    Returns
    -------
    header : list of str
        Item columns.
    rows : list of list of str
        A base row (every item answered with a middle code), then one row per
        variant of each item's cell (labels in other case and spacing,
        numeric codes as "4", "4.0", "+4", " 4 ", missing codes by name,
        number and label, out-of-range and malformed numbers, stray text,
        blanks), then rows with 0..n items of each dimension answered, with
        and without a not-applicable item.
    """
    doc = json.loads(instrument.read_text(encoding="utf-8"))
    items = doc["items"]
    header = [it.get("column", it["id"]) for it in items]
    scales = [doc["scales"][it["scale"]] for it in items]
    base = [s["codes"][len(s["codes"]) // 2]["code"] for s in scales]
    rows = [list(base)]
    for k, scale in enumerate(scales):
        variants = ["", " ", "N/A", "nan", "inf", "1e400", "0x1", "1_0", "-1", "6", "2.5"]
        for c in [*scale["codes"], *scale.get("missing", [])]:
            variants += [c["code"], f" {c['code']}\t", c["code"].upper(), c["code"] + "x"]
            if c.get("numeric") is not None:
                n = int(c["numeric"])
                variants += [str(n), f"{n}.0", f"+{n}", f" {n} ", f"{n}e0", f"0{n}"]
            if c.get("label"):
                label = c["label"]
                variants += [label, label.upper(), "  " + label.lower().replace(" ", "   ")]
        for v in variants:
            row = list(base)
            row[k] = v
            rows.append(row)
    na_items = [
        k
        for k, s in enumerate(scales)
        if any(m["meaning"] == "not_applicable" for m in s.get("missing", []))
    ]
    for dim in doc["dimensions"]:
        ks = [k for k, it in enumerate(items) if it["dimension"] == dim]
        for blank in ("", "dont_know", "refused"):
            for with_na in (False, True):
                for keep in range(len(ks) + 1):
                    row = list(base)
                    for j, k in enumerate(ks):
                        if j >= keep:
                            row[k] = blank
                    if with_na:
                        for k in set(ks) & set(na_items):
                            na = next(
                                m for m in scales[k]["missing"] if m["meaning"] == "not_applicable"
                            )
                            row[k] = na["code"]
                    rows.append(row)
    return header, rows


def run_edge_cases(args: argparse.Namespace, spec: Spec, work: Path) -> int:
    """Score the edge-case rows with both implementations and compare them.

    Parameters
    ----------
    args : argparse.Namespace
        ``binary`` and ``instrument``.
    spec : Spec
        Coding rules.
    work : pathlib.Path
        Directory for the files.

    Returns
    -------
    int
        Number of disagreeing rows.
    """
    import csv

    header, rows = edge_case_rows(args.instrument)
    path = work / "edge_cases.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    npz, out = work / "edge_pandas.npz", work / "edge_reinscore.csv"
    np.savez(npz, **score_frame(read_items(path, spec, args.engine), spec))
    subprocess.run(
        [str(args.binary), "score", str(path), "--instrument", str(args.instrument)]
        + ["-o", str(out), "--quiet"],
        check=True,
    )
    print(f"edge cases: {len(rows)} rows in {path}")
    return compare(npz, out, spec, path)


def machine_line() -> str:
    """Return a one-line description of the machine.

    Returns
    -------
    str
        CPU model, logical CPUs, load average.
    """
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{model}; {os.cpu_count()} logical CPUs; load average {load}"


def fmt_rss(kb: int) -> str:
    """Format a peak RSS in MiB.

    Parameters
    ----------
    kb : int
        KiB, or -1 if unknown.

    Returns
    -------
    str
        ``"123.4 MiB"`` or ``"n/a"``.
    """
    return "n/a" if kb < 0 else f"{kb / 1024:.1f} MiB"


def best(runs: Sequence[Run]) -> tuple[float, float, int]:
    """Return the fastest wall and CPU times and the largest peak RSS of some runs.

    Parameters
    ----------
    runs : sequence of Run
        Repeated runs of one command.

    Returns
    -------
    tuple of (float, float, int)
        Minimum wall seconds, minimum CPU seconds, maximum RSS KiB.
    """
    return (
        min(r.wall for r in runs),
        min(r.cpu for r in runs),
        max(r.max_rss_kb for r in runs),
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments; ``sys.argv[1:]`` by default.

    Returns
    -------
    argparse.Namespace
        Parsed options.
    """
    p = argparse.ArgumentParser(
        description="Time and check reinscore against a vectorised pandas scorer "
        "on workload W1 (make_sample.py --plain)."
    )
    p.add_argument("--rows", type=int, default=1_000_000, help="rows of W1 (default: %(default)s)")
    p.add_argument("--input", type=Path, help="score this CSV instead of build/w1_<rows>.csv")
    p.add_argument(
        "--binary",
        type=Path,
        default=DEFAULT_BINARY,
        help="reinscore executable (default: build/src/cli/reinscore)",
    )
    p.add_argument(
        "--instrument",
        type=Path,
        default=DEFAULT_INSTRUMENT,
        help="instrument JSON (default: data/instruments/iom-rss.json)",
    )
    p.add_argument(
        "--build-dir",
        type=Path,
        default=DEFAULT_BUILD,
        help="where samples and outputs go (default: build/)",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each reinscore command; the fastest counts (default: %(default)s)",
    )
    p.add_argument(
        "--pandas-repeat",
        type=int,
        default=2,
        help="runs of the pandas scorer; the fastest counts (default: %(default)s)",
    )
    p.add_argument(
        "--engine",
        choices=("c", "pyarrow"),
        default="c",
        help="pandas CSV engine (default: %(default)s)",
    )
    p.add_argument(
        "--flat-rows",
        type=int,
        nargs="*",
        default=[250_000, 1_000_000],
        help="row counts for the memory-flatness runs (default: 250000 1000000; none to skip)",
    )
    p.add_argument(
        "--no-pandas-write",
        action="store_true",
        help="do not time pandas writing its scores with to_csv",
    )
    p.add_argument(
        "--keep", action="store_true", help="keep the score outputs in build/compare_pandas/"
    )
    p.add_argument(
        "--edge-cases",
        action="store_true",
        help="only check crafted rows that exercise every coding and coverage rule",
    )
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--save", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.rows < 1 or args.repeat < 1 or args.pandas_repeat < 1:
        p.error("--rows, --repeat and --pandas-repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments.

    Returns
    -------
    int
        0 if pandas and reinscore agree on every row, 1 if not, 2 on errors.
    """
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    if not args.binary.exists():
        print(
            f"compare_pandas: {args.binary} not found; build target reinscore_exe", file=sys.stderr
        )
        return 2
    started = time.perf_counter()
    spec = load_spec(args.instrument)
    work = args.build_dir / "compare_pandas"
    work.mkdir(parents=True, exist_ok=True)
    if args.edge_cases:
        try:
            n_bad = run_edge_cases(args, spec, work)
        except subprocess.CalledProcessError as e:
            print(f"compare_pandas: {e}", file=sys.stderr)
            return 2
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        print("RESULT: " + ("DISAGREE" if n_bad else "agree on every edge-case row"))
        return 1 if n_bad else 0
    sample = args.input or ensure_sample(args.rows, args.build_dir)
    size_mb = sample.stat().st_size / 1e6
    exe = str(args.binary)
    print(f"machine: {machine_line()}")
    print(f"input:   {sample} ({size_mb:.1f} MB)")
    print(f"binary:  {exe}")
    print(
        f"timing:  fastest of {args.repeat} runs (reinscore), "
        f"{args.pandas_repeat} (pandas); peak RSS via "
        f"{'/usr/bin/time -v' if TIME_BIN.exists() else 'os.wait4 rusage'}"
    )

    try:
        npz = work / "pandas_scores.npz"
        pandas_cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            "--input",
            str(sample),
            "--instrument",
            str(args.instrument),
            "--engine",
            args.engine,
        ]
        if not args.no_pandas_write:
            pandas_cmd += ["--write", str(work / "pandas_scores.csv")]
        pandas_runs, inner = [], []
        for i in range(args.pandas_repeat):
            cmd = [*pandas_cmd, "--save", str(npz)] if i == 0 else pandas_cmd
            run = measure(cmd)
            pandas_runs.append(run)
            inner.append(json.loads(run.stdout.strip().splitlines()[-1]))
        out1, out2 = work / "scores_t1.csv", work / "scores_t2.csv"
        base = [exe, "score", str(sample), "--instrument", str(args.instrument)]
        t1_runs = [measure([*base, "-o", str(out1), "--quiet"]) for _ in range(args.repeat)]
        t2_runs = [
            measure([*base, "-o", str(out2), "--quiet", "--threads", "2"])
            for _ in range(args.repeat)
        ]
        parse_runs = [measure([*base, "--parse-only", "--quiet"]) for _ in range(args.repeat)]
    except (RuntimeError, subprocess.CalledProcessError) as e:
        print(f"compare_pandas: {e}", file=sys.stderr)
        return 2

    rows = inner[0]["rows"]
    fastest = min(inner, key=lambda x: x["total_s"])
    p_wall, p_cpu, p_rss = best(pandas_runs)
    r1, r1_cpu, r1_rss = best(t1_runs)
    r2, r2_cpu, r2_rss = best(t2_runs)
    po, po_cpu, po_rss = best(parse_runs)
    p_inner = fastest["total_s"]
    p_write = fastest["write_s"]
    p_arrow = fastest.get("arrow_write_s")
    if p_arrow is not None:
        # The process also wrote its scores a second time, with pyarrow, for the line
        # below; that is not part of the job.
        p_wall -= p_arrow
        p_cpu = p_cpu - p_arrow if p_cpu > 0 else p_cpu

    print(
        f"\npandas {fastest['pandas']}, numpy {fastest['numpy']}, "
        f"read_csv engine={args.engine!r}, dtype='category', keep_default_na=False"
    )
    print(
        f"  fastest pandas run: read_csv {fastest['read_s']:.2f} s, "
        f"code+score {fastest['score_s']:.2f} s"
        + (f", to_csv {p_write:.2f} s" if p_write is not None else "")
        + (f", pyarrow write_csv {p_arrow:.2f} s" if p_arrow is not None else "")
        + " (read+code+score of all runs: "
        + ", ".join(f"{x['total_s']:.2f}" for x in inner)
        + ")"
    )
    print(f"\n{'':<38}{'wall s':>8}{'CPU s':>8}{'rows/s':>12}{'MB/s':>8}{'peak RSS':>12}")

    def line(name: str, secs: float, cpu: float | None, rss: int | None) -> None:
        cpu_text = "" if cpu is None or cpu < 0 else f"{cpu:.2f}"
        rss_text = "" if rss is None else fmt_rss(rss)
        print(
            f"{name:<38}{secs:>8.3f}{cpu_text:>8}{rows / secs:>12,.0f}"
            f"{size_mb / secs:>8.1f}{rss_text:>12}"
        )

    line("pandas read+code+score (in process)", p_inner, None, None)
    if p_write is not None:
        line("pandas read+code+score+to_csv", p_inner + p_write, None, None)
    if p_arrow is not None:
        line("pandas read+code+score+pyarrow csv", p_inner + p_arrow, None, None)
    line("pandas process (start-up, all steps)", p_wall, p_cpu, p_rss)
    line("reinscore score --threads 1", r1, r1_cpu, r1_rss)
    line("reinscore score --threads 2", r2, r2_cpu, r2_rss)
    line("reinscore score --parse-only", po, po_cpu, po_rss)
    for name, runs in (("threads 1", t1_runs), ("threads 2", t2_runs), ("parse-only", parse_runs)):
        walls = [r.wall for r in runs]
        print(
            f"  reinscore {name} wall s: "
            + ", ".join(f"{w:.3f}" for w in walls)
            + f" (median {statistics.median(walls):.3f})"
        )

    vs_parse = r1 / po
    print("\nratios (wall, fastest runs):")
    # The job both sides do: a CSV export in, a scores file out. pandas writes fewer
    # columns than reinscore (no lowest dimension, category, problems or instrument).
    if p_write is not None:
        job = (p_inner + p_write) / r1
        print("  the same job, export in -> scores file out:")
        print(
            f"    pandas read+code+score+to_csv / reinscore --threads 1  {job:6.2f}x   "
            f"target >= 10x: {'MET' if job >= 10 else 'NOT MET'}"
        )
        print(f"    pandas process / reinscore --threads 1                 {p_wall / r1:6.2f}x")
    if p_arrow is not None:
        print(
            f"    same, pandas writing with pyarrow.csv instead of to_csv {(p_inner + p_arrow) / r1:6.2f}x"
        )
    print("  pandas without writing its scores (reinscore still writes its file):")
    print(
        f"    pandas read+code+score / reinscore --threads 1         {p_inner / r1:6.2f}x"
        + ("" if p_write is not None else "   (run without --no-pandas-write for the target)")
    )
    print(f"    pandas read+code+score / reinscore --threads 2         {p_inner / r2:6.2f}x")
    print(
        f"  reinscore --threads 1 / parse-only                       {vs_parse:6.2f}x   "
        f"target <= 3x: {'MET' if vs_parse <= 3 else 'NOT MET'}"
    )
    if r1_cpu > 0 and po_cpu > 0:
        print(f"  same, in CPU seconds                                     {r1_cpu / po_cpu:6.2f}x")
    print(f"  reinscore --threads 1 / --threads 2                      {r1 / r2:6.2f}x")

    identical = filecmp.cmp(out1, out2, shallow=False)
    print(f"\n--threads 1 and --threads 2 outputs byte-identical: {identical}")
    n_bad = compare(npz, out1, spec, sample)

    if args.flat_rows:
        print("\nmemory flatness (reinscore score --threads 1, peak RSS):")
        for n in args.flat_rows:
            if n == rows and args.input is None:
                rss = r1_rss
            else:
                path = ensure_sample(n, args.build_dir)
                rss = measure(
                    [
                        exe,
                        "score",
                        str(path),
                        "--instrument",
                        str(args.instrument),
                        "-o",
                        str(work / "flat.csv"),
                        "--quiet",
                    ]
                ).max_rss_kb
            print(f"  {n:>10,} rows: {fmt_rss(rss)}")

    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\ntotal time of this script: {time.perf_counter() - started:.0f} s")
    if n_bad or not identical:
        print(f"RESULT: DISAGREE ({n_bad:,} rows differ; thread outputs identical: {identical})")
        return 1
    print("RESULT: pandas and reinscore agree on every row")
    return 0


if __name__ == "__main__":
    sys.exit(main())
