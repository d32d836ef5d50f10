"""Group summaries with survey-design uncertainty, as ``reinscore summarize --ci``.

The numbers come from the C++ ``reinscore::Summary`` (include/reinscore/summary.hpp):
weighted means, quantiles and shares at or above a threshold per group, with standard
errors and confidence intervals by Taylor linearisation or the Rao–Wu rescaling
bootstrap, and differences between groups. Formulas and references:
docs/statistics.md.
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _core

if TYPE_CHECKING:
    from ._instrument import Instrument

__all__ = ["SurveySummary", "survey_summary"]

#: The default bootstrap seed (the same as the command line's ``--seed``).
DEFAULT_SEED = 20250101

_METHODS = ("linearization", "bootstrap", "none")


def _quantile_name(p: float) -> str:
    """``median`` for 0.5, else ``p25``, ``p2.5``... (as the command line's columns)."""
    return "median" if p == 0.5 else f"p{100 * p:g}"


class SurveySummary:
    """Estimates per group with standard errors and confidence intervals.

    Attributes
    ----------
    estimates : pandas.DataFrame
        Long form: one row per group, variable and statistic. Columns: the ``by``
        columns, ``variable`` (a score, or ``status``), ``statistic`` (``mean``, the
        quantiles ``p25``/``median``/``p75``, ``above`` = share at or above the
        threshold, and for ``status`` the shares ``share_complete``...), ``estimate``,
        ``se``, ``lo``, ``hi``, ``n`` (rows of the group), ``sum_w`` (its sum of
        weights), ``observed`` (rows with a value of the variable), ``missing_share``
        (unweighted share of rows without one), ``suppressed``, and for the bootstrap
        ``replicates`` (replicates in which the statistic exists).
    differences : pandas.DataFrame
        One row per compared group, variable and statistic (``mean``, ``above``,
        ``share_*``): the ``by`` columns of the group, ``reference`` (the reference
        level), ``variable``, ``statistic``, ``estimate`` (group minus reference),
        ``se``, ``lo``, ``hi``, ``p_value`` (two-sided, t with the design's df),
        ``suppressed``. Empty without ``compare``.
    design : dict
        Method, columns, number of strata and PSUs, degrees of freedom, level, t
        quantile, replicates, seed, singleton rule, interval type, threshold.
    by : list of str
    min_cell : int
    """

    def __init__(
        self,
        estimates: pd.DataFrame,
        differences: pd.DataFrame,
        design: dict[str, Any],
        by: list[str],
        min_cell: int,
        wide: pd.DataFrame,
    ) -> None:
        self.estimates = estimates
        self.differences = differences
        self.design = design
        self.by = by
        self.min_cell = min_cell
        self._wide = wide

    def wide(self) -> pd.DataFrame:
        """One row per group with the command line's columns (``summarize --format csv``).

        ``n``, ``mean_<score>``, ``share_<status>``, ``sum_w``, then per score
        ``missing_<score>``, ``se_/lo_/hi_mean_<score>``, each quantile ``<q>_<score>``
        and ``above_<score>`` with their ``se_``/``lo_``/``hi_`` columns, then
        ``se_/lo_/hi_share_<status>``, and with ``compare`` the ``diff_``, ``se_diff_``,
        ``lo_diff_``, ``hi_diff_`` and ``p_diff_`` columns of ``mean_<score>`` and
        ``above_<score>``. Suppressed groups have ``n`` NA and nothing else.
        """
        return self._wide.copy()

    def _describe(self) -> str:
        d = self.design
        parts = [f"{d['method']}"]
        if d["method"] != "none":
            parts.append(f"{int(d['level'] * 100)}% intervals")
        if d["method"] == "bootstrap":
            parts.append(f"{d['replicates']} replicates, seed {d['seed']}, {d['interval']} intervals")
        design = []
        if d["weight"]:
            design.append(f"weight {d['weight']}")
        if d["strata"]:
            design.append(f"strata {d['strata']} ({d['n_strata']})")
        if d["cluster"]:
            design.append(f"clusters {d['cluster']} ({d['psus']} PSUs)")
        if d["method"] != "none":
            design.append(f"df {d['df']:g}")
        if d["singleton_strata"]:
            design.append(f"{d['singleton_strata']} single-PSU strata ({d['singleton']})")
        if d["threshold"] is not None:
            design.append(f"threshold {d['threshold']:g}")
        return "; ".join(parts + design)

    def __repr__(self) -> str:
        groups = self._wide.shape[0]
        return (
            f"<SurveySummary by {self.by or 'all'}: {groups} group(s); {self._describe()}>\n"
            f"{self.estimates}"
        )

    def _repr_html_(self) -> str:
        by = ", ".join(html.escape(b) for b in self.by) or "all interviews"
        est = self.estimates
        shown = est[est["statistic"].isin(["mean", "median", "above"]) & (est["variable"] != "status")]
        rows = []
        for _, r in shown.iterrows():
            cells = [html.escape(str(r[b])) for b in self.by]
            n = f"&lt;{self.min_cell}" if r["suppressed"] else str(r["n"])
            cells += [html.escape(str(r["variable"])), html.escape(str(r["statistic"])), n, _fmt(r["estimate"])]
            ci = "" if math.isnan(r["lo"]) else f"{_fmt(r['lo'])} – {_fmt(r['hi'])}"
            cells += [_fmt(r["se"], 6), ci]
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        level = int(self.design["level"] * 100)
        head = [*map(html.escape, self.by), "variable", "statistic", "n", "estimate", "se", f"{level}% CI"]
        out = (
            f"<p><b>Survey summary by {by}</b><br><small>{html.escape(self._describe())}</small></p>"
            "<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>"
        )
        if len(self.differences):
            d = self.differences[self.differences["variable"] != "status"]
            drows = []
            for _, r in d.iterrows():
                cells = [html.escape(str(r[b])) for b in self.by]
                cells += [html.escape(str(r["reference"])), html.escape(str(r["variable"])), html.escape(str(r["statistic"]))]
                ci = "" if math.isnan(r["lo"]) else f"{_fmt(r['lo'])} – {_fmt(r['hi'])}"
                cells += [_fmt(r["estimate"]), _fmt(r["se"], 6), ci, _fmt(r["p_value"], 4)]
                drows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            dhead = [*map(html.escape, self.by), "reference", "variable", "statistic", "difference", "se",
                     f"{level}% CI", "p"]
            out += (
                "<p><b>Differences to the reference</b></p><table><thead><tr>"
                + "".join(f"<th>{h}</th>" for h in dhead) + "</tr></thead><tbody>" + "".join(drows)
                + "</tbody></table>"
            )
        n_sup = int(self._wide["n"].isna().sum())
        if n_sup:
            out += f"<p>{n_sup} group(s) with fewer than {self.min_cell} interviews suppressed.</p>"
        return out


def _fmt(x: object, digits: int = 4) -> str:
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{float(x):.{digits}f}"  # type: ignore[arg-type]


def _split_instrument_tag(tag: str) -> tuple[str, str] | None:
    """``(id, version)`` of ``id@version#hash``; None unless the id is a plain name
    (the C++ rule, ``reinscore::is_plain_name``)."""
    return _core.split_instrument_tag(tag)


def _instrument_by_plain_name(ident: str) -> Instrument:
    """The instrument named ``ident`` by data: a regular file ``ident``.json in
    :func:`instrument_dirs` only, never a path (a tag naming /dev/zero, a FIFO or
    ../../x is not looked up at all)."""
    from ._instrument import instrument_dirs, load_instrument

    if not _core.is_plain_name(ident):
        raise ValueError("an instrument id read from data is not a plain name")
    for d in instrument_dirs():
        candidate = d / f"{ident}.json"
        if candidate.is_file():
            return load_instrument(candidate)
    raise ValueError("no instrument of that name in the instrument directories")


def _instrument_threshold(scores: pd.DataFrame) -> tuple[float | None, str]:
    """The lowest value of the instrument's highest category (0.5 for iom-rss)."""
    if "instrument" not in scores.columns:
        return None, "the scores have no instrument column"
    tags = [str(t) for t in pd.unique(scores["instrument"].dropna().astype(str)) if t]
    if len(tags) != 1:
        return None, "the scores name no instrument" if not tags else "the scores name more than one instrument"
    tag = tags[0]
    parsed = _split_instrument_tag(tag)
    if parsed is None:
        return None, "the instrument column is not id@version#hash with a plain id"
    ident, version = parsed
    try:
        ins = _instrument_by_plain_name(ident)
    except Exception:  # noqa: BLE001 - any failure means: no default threshold
        return None, "the instrument was not found"
    if ins.version != version:
        return None, "the instrument found has another version"
    th = ins.thresholds
    if th is None or len(th["categories"]) < 2:
        return None, "the instrument has no threshold"
    return float(th["categories"][-1][1]), ""


def _codes(column: pd.Series) -> np.ndarray:
    """Integer ids by first appearance (missing values are a level of their own)."""
    codes, _ = pd.factorize(column, use_na_sentinel=False)
    return codes.astype(np.int64)


def survey_summary(
    scores: pd.DataFrame,
    by: str | Sequence[str] = (),
    weight: str | None = None,
    strata: str | None = None,
    cluster: str | None = None,
    ci: str | None = "linearization",
    replicates: int = 1000,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
    threshold: float | None = None,
    compare: str | tuple[str, Any] | None = None,
    min_cell: int = 10,
    *,
    quantiles: Sequence[float] = (0.25, 0.5, 0.75),
    singleton: str = "error",
    interval: str = "percentile",
    threads: int = 1,
) -> SurveySummary:
    """Means, quantiles and shares by group with standard errors and confidence intervals.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`reinscore.score` with the grouping and design columns kept.
        The scores are every ``X`` with a ``coverage_X`` column, and ``composite``;
        with a ``status`` column its shares are estimated too.
    by : str or list of str
        Grouping columns; none for one overall group.
    weight, strata, cluster : str, optional
        Sampling weight, stratum and cluster (PSU) columns. No weight: all 1; no
        strata: one stratum; no cluster: each interview is its own PSU. Clusters are
        nested in strata (the same cluster id in two strata is two PSUs).
    ci : "linearization", "bootstrap" or None
        Taylor linearisation (domain estimation, with-replacement PSU variance), the
        Rao–Wu rescaling bootstrap, or point estimates only (None or "none").
    replicates, seed, threads, interval : bootstrap settings
        ``replicates`` replicates from ``seed`` (the same on every platform and for any
        ``threads``); ``interval`` "percentile" (default) or "normal" (estimate ± t·SE).
    level : float
        Confidence level (0.95).
    threshold : float, optional
        Shares at or above this value, for every score; default the instrument's
        threshold (the lowest value of its highest category). Without one no shares.
    compare : "COLUMN:LEVEL" or (column, level), optional
        Differences of every group to the group with the same other ``by`` values and
        ``column == level``; the column must be one of ``by``. Needs ``ci``.
    min_cell : int
        Groups with fewer rows are suppressed (no estimate, no count, no difference).
    quantiles : sequence of float
        Quantile probabilities (weighted inverse of the ECDF, Hyndman & Fan type 1).
    singleton : "error", "certainty" or "centered"
        Strata with a single PSU: refuse (default), take the PSU as certain (no
        variance), or centre it at the mean of all PSU totals (linearisation only).

    Returns
    -------
    SurveySummary
        ``estimates`` (long), ``differences`` (long), ``design``, ``wide()``.
    """
    by_list = [by] if isinstance(by, str) else list(by)
    for col, what in [*((b, "by") for b in by_list), (weight, "weight"), (strata, "strata"), (cluster, "cluster")]:
        if col is not None and col not in scores.columns:
            raise ValueError(f"column {col!r}: not in the scores ({what}; keep it when scoring) (rule: missing_column)")
    method = "none" if ci is None else str(ci)
    if method == "linearisation":
        method = "linearization"
    if method not in _METHODS:
        raise ValueError(f"ci must be 'linearization', 'bootstrap' or None, not {ci!r} (rule: unknown_method)")
    if compare is not None and method == "none":
        raise ValueError("compare needs ci='linearization' or 'bootstrap' (rule: compare_needs_ci)")
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1 (rule: bad_level)")
    if method == "bootstrap" and replicates < 2:
        raise ValueError("replicates must be at least 2 (rule: bad_replicates)")
    if min_cell < 0:
        raise ValueError("min_cell must be >= 0 (rule: bad_min_cell)")

    names = [c[len("coverage_"):] for c in scores.columns if c.startswith("coverage_") and c[9:] in scores.columns]
    if "composite" in scores.columns:
        names.append("composite")
    if not names:
        raise ValueError("the frame has no score columns (composite, X with coverage_X) (rule: not_scores)")
    statuses = list(_core.status_names) if "status" in scores.columns else []

    if threshold is None:
        th, why = _instrument_threshold(scores)
        if th is None:
            warnings.warn(f"no threshold ({why}): shares at or above it are left out; give threshold=", stacklevel=2)
    else:
        th = float(threshold)
        if not math.isfinite(th):
            raise ValueError("threshold must be a finite number (rule: bad_threshold)")

    n = len(scores)
    cols = []
    for c in names:
        v = pd.to_numeric(scores[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = np.isinf(v) | (np.isnan(v) & scores[c].notna().to_numpy())
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise ValueError(f"column {c!r}: the value at position {pos} is not a finite number (rule: not_a_number)")
        cols.append(v)
    if statuses:
        status = scores["status"].astype(object).to_numpy()
        for s in statuses:
            cols.append(np.asarray(status == s, dtype=float))
    values = np.column_stack(cols)
    thresholds = [th if th is not None else math.nan] * len(names) + [math.nan] * len(statuses)
    qflags = [True] * len(names) + [False] * len(statuses)

    if by_list:
        grouped = scores.groupby(by_list, sort=True, dropna=False, observed=True)
        group_codes = grouped.ngroup().to_numpy(dtype=np.int64)
        keys_index = grouped.size().index
        keys = [k if isinstance(k, tuple) else (k,) for k in keys_index]
    else:
        group_codes = np.zeros(n, dtype=np.int64)
        keys = [()] if n else []

    w = None
    if weight is not None:
        w = pd.to_numeric(scores[weight], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"column {weight!r}: the weight at position {pos} is missing, not a number or negative "
                "(rule: invalid_weight)"
            )
    h_codes = _codes(scores[strata]) if strata is not None else None
    c_codes = _codes(scores[cluster]) if cluster is not None else None

    contrasts: list[tuple[int, int]] = []
    compare_col: int | None = None
    if compare is not None:
        if isinstance(compare, str):
            matches = [b for b in by_list if compare.startswith(b + ":")]
            if not matches:
                raise ValueError("compare must be 'COLUMN:LEVEL' with COLUMN one of by (rule: bad_compare)")
            col = max(matches, key=len)
            ref: Any = compare[len(col) + 1:]
        else:
            col, ref = compare
            if col not in by_list:
                raise ValueError(f"column {col!r}: compare needs one of the by columns (rule: bad_compare)")
        compare_col = by_list.index(col)

        def is_ref(x: Any) -> bool:
            return bool(x == ref) or str(x) == str(ref)

        ref_values = {k[compare_col] for k in keys if is_ref(k[compare_col])}
        if not ref_values:
            raise ValueError(f"column {col!r}: the compare reference level is not in the data (rule: unknown_level)")
        index = {k: i for i, k in enumerate(keys)}
        ref_value = next(iter(ref_values))
        for i, k in enumerate(keys):
            if is_ref(k[compare_col]):
                continue
            rk = (*k[:compare_col], ref_value, *k[compare_col + 1:])
            if rk in index:
                contrasts.append((i, index[rk]))

    res: dict[str, Any] = _core.survey_summary(
        np.asfortranarray(values),
        group_codes,
        thresholds=thresholds,
        quantiles=qflags,
        weights=w,
        strata=h_codes,
        clusters=c_codes,
        method=method,
        level=level,
        probabilities=[float(p) for p in quantiles],
        replicates=int(replicates),
        seed=int(seed),
        threads=int(threads),
        singleton=singleton,
        interval=interval,
        min_cell=int(min_cell),
        contrasts=contrasts,
        strata_column=strata or "",
    )
    design = dict(res["design"])
    design.update(
        weight=weight,
        strata=strata,
        cluster=cluster,
        n_strata=design.pop("strata"),
        threshold=th,
        quantiles=list(quantiles),
        min_cell=min_cell,
    )
    if method != "bootstrap":
        design.update(replicates=None, seed=None, interval=None)
    return _build(res, keys, by_list, names, statuses, list(quantiles), th is not None, contrasts, compare_col,
                  method, design, min_cell)


def _build(
    res: dict[str, Any],
    keys: list[tuple[Any, ...]],
    by_list: list[str],
    names: list[str],
    statuses: list[str],
    probs: list[float],
    shares: bool,
    contrasts: list[tuple[int, int]],
    compare_col: int | None,
    method: str,
    design: dict[str, Any],
    min_cell: int,
) -> SurveySummary:
    g = res["groups"]
    G = len(g["group"])
    assert G == len(keys) and all(int(g["group"][i]) == i for i in range(G))
    boot = method == "bootstrap"
    sup = g["suppressed"].astype(bool)
    qn = [_quantile_name(p) for p in probs]

    # Long estimates: (group, variable, statistic) -> fields.
    stats: list[tuple[int, str, str, str, int | None]] = []  # (j, variable, statistic, kind, k)
    for j, v in enumerate(names):
        stats.append((j, v, "mean", "mean", None))
        stats += [(j, v, q, "quantiles", k) for k, q in enumerate(qn)]
        if shares:
            stats.append((j, v, "above", "above", None))
    for s_i, s in enumerate(statuses):
        stats.append((len(names) + s_i, "status", f"share_{s}", "mean", None))
    records: dict[str, list[Any]] = {b: [] for b in by_list}
    fields = ["variable", "statistic", "estimate", "se", "lo", "hi", "n", "sum_w", "observed", "missing_share",
              "suppressed"] + (["replicates"] if boot else [])
    for f in fields:
        records[f] = []
    for i in range(G):
        for j, v, stat, kind, k in stats:
            for b_i, b in enumerate(by_list):
                records[b].append(keys[i][b_i])
            src = g[kind]
            at = (i, j) if k is None else (i, j, k)
            records["variable"].append(v)
            records["statistic"].append(stat)
            for f in ("estimate", "se", "lo", "hi"):
                records[f].append(float(src[f][at]))
            records["n"].append(pd.NA if sup[i] else int(g["rows"][i]))
            records["sum_w"].append(float(g["sum_weights"][i]))
            records["observed"].append(pd.NA if sup[i] else int(g["observed"][i, j]))
            records["missing_share"].append(float(g["missing_share"][i, j]))
            records["suppressed"].append(bool(sup[i]))
            if boot:
                records["replicates"].append(int(src["replicates"][at]))
    estimates = pd.DataFrame(records)
    for f in ("n", "observed"):
        estimates[f] = estimates[f].astype("Int64")
    if boot:
        estimates["replicates"] = estimates["replicates"].astype("int64")

    # Long differences.
    cres = res["contrasts"]
    drec: dict[str, list[Any]] = {b: [] for b in by_list}
    for f in ("reference", "variable", "statistic", "estimate", "se", "lo", "hi", "p_value", "suppressed"):
        drec[f] = []
    dstats = [(j, v, "mean", "mean") for j, v in enumerate(names)]
    if shares:
        dstats += [(j, v, "above", "above") for j, v in enumerate(names)]
    dstats += [(len(names) + s_i, "status", f"share_{s}", "mean") for s_i, s in enumerate(statuses)]
    for ci_, (a, r) in enumerate(contrasts):
        for j, v, stat, kind in dstats:
            for b_i, b in enumerate(by_list):
                drec[b].append(keys[a][b_i])
            drec["reference"].append(keys[r][compare_col] if compare_col is not None else None)
            drec["variable"].append(v)
            drec["statistic"].append(stat)
            src = cres[kind]
            for f in ("estimate", "se", "lo", "hi"):
                drec[f].append(float(src[f][ci_, j]))
            drec["p_value"].append(float(src["p"][ci_, j]))
            drec["suppressed"].append(bool(cres["suppressed"][ci_]))
    differences = pd.DataFrame(drec)

    # Wide, with the command line's columns.
    ci = method != "none"
    wide: dict[str, Any] = {b: [k[b_i] for k in keys] for b_i, b in enumerate(by_list)}

    def nan_if(x: np.ndarray) -> np.ndarray:
        return np.where(sup, np.nan, x)
    wide["n"] = pd.array([pd.NA if sup[i] else int(g["rows"][i]) for i in range(G)], dtype="Int64")
    for j, v in enumerate(names):
        wide[f"mean_{v}"] = g["mean"]["estimate"][:, j]
    for s_i, s in enumerate(statuses):
        wide[f"share_{s}"] = g["mean"]["estimate"][:, len(names) + s_i]
    wide["sum_w"] = g["sum_weights"]

    def put(name: str, src: dict[str, np.ndarray], at: tuple[Any, ...], est: bool = True) -> None:
        if est:
            wide[name] = src["estimate"][at]
        if ci:
            for p in ("se", "lo", "hi"):
                wide[f"{p}_{name}"] = src[p][at]

    for j, v in enumerate(names):
        wide[f"missing_{v}"] = nan_if(g["missing_share"][:, j])
        put(f"mean_{v}", g["mean"], (slice(None), j), est=False)
        for k, q in enumerate(qn):
            put(f"{q}_{v}", g["quantiles"], (slice(None), j, k))
        if shares:
            put(f"above_{v}", g["above"], (slice(None), j))
    if ci:
        for s_i, s in enumerate(statuses):
            put(f"share_{s}", g["mean"], (slice(None), len(names) + s_i), est=False)
    if compare_col is not None:
        row_of = {a: ci_ for ci_, (a, _) in enumerate(contrasts)}
        for j, v in enumerate(names):
            for stat in ("mean", "above"):
                if stat == "above" and not shares:
                    continue
                src = cres[stat]
                for p, f in (("diff", "estimate"), ("se_diff", "se"), ("lo_diff", "lo"), ("hi_diff", "hi"),
                             ("p_diff", "p")):
                    wide[f"{p}_{stat}_{v}"] = [
                        float(src[f][row_of[i], j]) if i in row_of else math.nan for i in range(G)
                    ]
    return SurveySummary(estimates, differences, design, by_list, min_cell, pd.DataFrame(wide))
