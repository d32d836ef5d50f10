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
from collections.abc import Sequence
from typing import Any

import pandas as pd

from . import _core
from ._report import frame, names, scores_table, search, suppressed, warn_notes

__all__ = ["SurveySummary", "survey_summary"]

#: The default bootstrap seed (the same as the command line's ``--seed``).
DEFAULT_SEED = 20250101


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
        quantile, replicates, seed, singleton rule, interval type, share interval,
        threshold.
    by : list of str
    min_cell : int
    report : reinscore._core.Report
        The report of the application layer the frames were built from.
    """

    def __init__(
        self,
        estimates: pd.DataFrame,
        differences: pd.DataFrame,
        design: dict[str, Any],
        by: list[str],
        min_cell: int,
        wide: pd.DataFrame,
        report: _core.Report,
    ) -> None:
        self.report = report
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
            # A quantile bound can be NaN alone (its probability left [0, 1]): keep the other.
            both = math.isnan(r["lo"]) and math.isnan(r["hi"])
            ci = "" if both else f"{_fmt(r['lo'])} – {_fmt(r['hi'])}"
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


def _design(table: _core.ReportTable, quantiles: list[float]) -> dict[str, Any]:
    """The one-row "design" table as a dict (None for missing cells)."""
    row = frame(table).iloc[0]
    out: dict[str, Any] = {}
    for c in table.columns:
        v = row[c.name]
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            out[c.name] = None
        elif c.kind == "count":
            out[c.name] = int(v)
        elif c.kind == "text":
            out[c.name] = str(v)
        else:
            out[c.name] = float(v)
    if out.get("seed") is not None:
        out["seed"] = int(out["seed"])
    out["quantiles"] = quantiles
    return out


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
    share_interval: str = "logit",
    threads: int = 1,
    instrument: str | None = None,
    allow_mixed: bool = False,
) -> SurveySummary:
    """Means, quantiles and shares by group with standard errors and confidence intervals.

    Computed by the same C++ code as ``reinscore summarize`` with survey options
    (include/reinscore/app/summarize.hpp); every check and message is shared with it.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`reinscore.score` with the grouping and design columns kept.
        The scores are every ``X`` with a ``coverage_X`` column, and ``composite``;
        with a ``status`` column its shares are estimated too.
    by : str or list of str
        Grouping columns; none for one overall group. Numeric keys sort as numbers.
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
    share_interval : "logit", "wilson", "beta" or "wald"
        Intervals of shares (``above``, ``share_*``), with the design's df: logit
        (default) and beta as R's ``svyciprop``, wald its ``"mean"`` (estimate ± t·SE),
        wilson the score interval at the effective sample size p(1 − p)/SE². All but
        wald stay in [0, 1]. Applies to linearised and bootstrap normal intervals.
    singleton : "error", "certainty" or "centered"
        Strata with a single PSU: refuse (default), take the PSU as certain (no
        variance), or centre it at the mean of all PSU totals (linearisation only).
    instrument : str, optional
        The instrument (name or .json path) whose threshold applies, when the scores'
        instrument is outside the search path.
    allow_mixed : bool
        Pool rows scored with different instruments or weight sets.

    Returns
    -------
    SurveySummary
        ``estimates`` (long), ``differences`` (long), ``design``, ``wide()``.

    Raises
    ------
    InputError
        A missing column, a weight that is not a number, an option out of range...
    """
    req = _core.SummarizeRequest()
    req.by = names(by)
    req.survey = True
    # Every value goes to the C++ check as given: bootstrap settings without the bootstrap,
    # or a level without intervals, are refused there, as on the command line.
    req.ci = "" if ci is None or ci == "none" else str(ci)
    req.replicates = replicates
    req.seed = seed
    req.threads = threads
    req.level = level
    req.interval = str(interval)
    req.singleton = str(singleton)
    req.share_interval = str(share_interval)
    req.threshold = None if threshold is None else float(threshold)
    if compare is not None:
        req.compare = compare if isinstance(compare, str) else f"{compare[0]}:{compare[1]}"
    req.min_cell = min_cell
    req.quantiles = list(quantiles)
    req.weight = "" if weight is None else str(weight)
    req.strata = "" if strata is None else str(strata)
    req.cluster = "" if cluster is None else str(cluster)
    req.instrument = "" if instrument is None else str(instrument)
    req.allow_mixed = bool(allow_mixed)
    req.check()
    table = scores_table(scores, want=req.want(), allow_mixed=req.allow_mixed)
    report = _core.summarize(table, req, search())
    warn_notes(report)
    by_list = list(req.by)
    estimates = frame(report.table("estimates"))
    estimates["suppressed"] = suppressed(report.table("estimates"))
    columns = [*by_list, "reference", "variable", "statistic", "estimate", "se", "lo", "hi", "p_value"]
    if report.has_table("differences"):
        diff_table = report.table("differences")
        differences = frame(diff_table).drop(columns="n")
        differences["suppressed"] = suppressed(diff_table)
    else:
        differences = pd.DataFrame(columns=[*columns, "suppressed"])
    design = _design(report.table("design"), [float(p) for p in quantiles])
    wide = frame(report.table("groups"))
    return SurveySummary(estimates, differences, design, by_list, int(min_cell), wide, report)
