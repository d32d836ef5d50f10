"""Levels of the integrated approach: individual, community and structural scores together.

:func:`integrate` links returnees' scores to the community and structural frameworks
by the frameworks' unit keys (``community_id``, ``country``), aggregates the returnees
per community and country, compares them with non-migrant residents of the same
communities, and combines the three levels into the integrated index. The C++
application layer computes everything (``reinscore::app::integrate``, the command line's
code, docs/levels.md); this module only hands the inputs over and builds DataFrames from
the report.
"""

from __future__ import annotations

import html as _html
import os
from collections.abc import Sequence
from typing import Any, Union

import numpy as np
import pandas as pd

from . import _core
from ._instrument import Instrument, load_instrument
from ._report import _column, frame, html, names, scores_table, search
from ._table import Data, _run

__all__ = ["LEVELS", "IntegratedResult", "integrate"]

#: The levels, in the order of the integration's level weights.
LEVELS: tuple[str, str, str] = ("individual", "community", "structural")

_InstrumentArg = Union[str, "os.PathLike[str]", Instrument]


def _statuses(values: Any) -> pd.Categorical:
    """Status names as a categorical of the four statuses (missing where none)."""
    return pd.Categorical(values, categories=list(_core.status_names))


class IntegratedResult:
    """Result of :func:`integrate`: the integrated tables of docs/levels.md.

    Attributes
    ----------
    per_interview : pandas.DataFrame
        One row per row of the individual scores, in their order and with their index:
        the carried columns, then the 3x3 matrix ``<score>_<level>`` for the scores
        (the dimensions and the composite) and the levels (individual, community,
        structural), the integrated scores ``<score>_integrated``, the share of level
        weight each is based on (``level_share_<score>``), the status of each level's
        row and a ``problems`` text. Rows whose keys do not match keep their place with
        empty level cells.
    per_community, per_country : pandas.DataFrame
        Roll-ups per (by groups and) community or country: returnees (``n``, weighted
        means ``<score>_individual``, ``share_above_<score>``), residents and the gap
        (with ``host=``), the community and structural levels and the integrated
        scores. Groups of fewer than ``min_respondents`` people are suppressed: their
        counts are NA and ``suppressed`` is True.
    problems : pandas.DataFrame
        Keys that do not match and units without scores: ``rule, source, column, key,
        count, rows`` (row numbers: in a file as a spreadsheet shows them, header = 1; in
        a DataFrame the 1-based position).
    settings : dict
        The integration used: ``level_weights``, ``min_respondents``,
        ``min_level_share``, ``provisional`` and the share ``threshold`` (NaN without).
    instruments : dict
        Tags of the individual, community and structural instruments.
    score_names : list of str
        The dimensions and ``composite``.
    report : reinscore._core.Report
        The report of the application layer the frames are built from (tables
        ``interviews``, ``communities``, ``countries``, ``problems``, ``problem_rows``,
        ``settings``; ``report.render("csv")`` and the notes as the command line has them).
    """

    def __init__(self, report: _core.Report, score_names: list[str], index: pd.Index | None = None) -> None:
        self.report = report
        self.score_names = score_names
        per_interview = frame(report.table("interviews"))
        for c in ("individual_status", "community_status", "structural_status"):
            per_interview[c] = _statuses(per_interview[c])
        if index is not None:
            per_interview.index = index
        self.per_interview = per_interview
        self.per_community = self._rollup("communities")
        self.per_country = self._rollup("countries")
        problems = frame(report.table("problems"))
        rows: list[list[int]] = [[] for _ in range(len(problems))]
        long = frame(report.table("problem_rows"))
        for p, r in zip(long["problem"], long["row"]):
            rows[int(p)].append(int(r))
        problems["rows"] = pd.Series(rows, dtype=object)
        self.problems = problems
        s = frame(report.table("settings")).iloc[0]
        self.settings: dict[str, Any] = {
            "provisional": s["provisional"] == "true",
            "level_weights": {lvl: float(s[f"weight_{lvl}"]) for lvl in LEVELS},
            "min_respondents": int(s["min_respondents"]),
            "min_level_share": float(s["min_level_share"]),
            "threshold": float(s["threshold"]),
        }
        self.instruments: dict[str, str] = {
            "individual": s["instrument"],
            "community": s["community_instrument"],
            "structural": s["structural_instrument"],
        }

    def _rollup(self, name: str) -> pd.DataFrame:
        out = frame(self.report.table(name))
        for c in ("suppressed", "host_suppressed"):
            if c in out.columns:
                out[c] = (out[c] == "true").astype(bool)
        for c in ("community_status", "structural_status"):
            if c in out.columns:
                out[c] = _statuses(out[c])
        return out

    def matrix(self, row: int, table: str = "per_interview") -> pd.DataFrame:
        """The score x level matrix of one row (by position) of a table.

        Rows are the scores (dimensions, composite); columns the three levels and the
        integrated score.
        """
        if table not in ("per_interview", "per_community", "per_country"):
            raise ValueError(f"table must be per_interview, per_community or per_country, not {table!r}")
        frame_ = getattr(self, table)
        r = frame_.iloc[row]
        cols = [*LEVELS, "integrated"]
        return pd.DataFrame(
            [[r[f"{s}_{c}"] for c in cols] for s in self.score_names],
            index=pd.Index(self.score_names, name="score"),
            columns=pd.Index(cols, name="level"),
            dtype=float,
        )

    def __repr__(self) -> str:
        return (
            f"<IntegratedResult: {len(self.per_interview)} interviews, {len(self.per_community)} community "
            f"row(s), {len(self.per_country)} country row(s), {len(self.problems)} problem(s)>"
        )

    def _repr_html_(self) -> str:
        s = self.settings
        w = s["level_weights"]
        parts = [
            (
                "<p><b>Integrated reintegration scores</b>: "
                f"{len(self.per_interview)} interviews, {len(self.per_community)} community row(s), "
                f"{len(self.per_country)} country row(s).</p>"
            ),
            "<p>Level weights individual {individual:g}, community {community:g}, structural "
            "{structural:g}; minimum respondents {m}; integrated scores need {share:.0%} of the level "
            "weight.{prov}</p>".format(
                **w,
                m=s["min_respondents"],
                share=s["min_level_share"],
                prov=" <b>PROVISIONAL</b> settings." if s["provisional"] else "",
            ),
            "<p>Instruments: " + ", ".join(_html.escape(t) for t in self.instruments.values()) + "</p>",
            html(self.report.table("countries")),
        ]
        suppressed = int(self.per_community["suppressed"].sum())
        if suppressed:
            parts.append(
                f"<p>{suppressed} community row(s) with fewer than {s['min_respondents']} returnees "
                "suppressed.</p>"
            )
        if len(self.problems):
            parts.append(html(self.report.table("problems"), "Problems (keys that do not match, units without "
                                                              "scores)"))
        else:
            parts.append("<p>Every key matched.</p>")
        return "".join(parts)


def _level_file(data: Data, ins: Instrument, key: str, parent: str, source: str) -> _core.LevelFile:
    """A level file scored with its instrument: a path is read and scored by the command
    line's code; a DataFrame (or dict of columns) is scored by the core's scorer and its
    key columns handed over as they are."""
    if isinstance(data, (str, os.PathLike)):
        return _core.read_level_file(os.fspath(data), ins._core, key, parent)
    ins, table, _, res = _run(data, ins, None, False, None, False, "", "")

    def column(name: str) -> Any:
        hits = [i for i, h in enumerate(table.header) if h == name]
        return _column(table.column(hits[0])) if hits else None  # type: ignore[arg-type]

    scores = np.column_stack([res["dimension"], res["composite"]])
    rows = np.arange(1, table.rows + 1, dtype=np.uint64)  # 1-based positions, as for scores
    return _core.level_file(source, ins._core, key, column(key), column(parent) if parent else None, scores,
                            res["status"], rows)


def integrate(
    individual_scores: Data,
    community: Data,
    structural: Data,
    host: Data | None = None,
    *,
    community_instrument: _InstrumentArg = "community",
    structural_instrument: _InstrumentArg = "structural-gcm21",
    instrument: _InstrumentArg | None = None,
    weights: str | os.PathLike[str] | pd.DataFrame | None = None,
    min_respondents: int | None = None,
    weight: str | None = None,
    by: str | Sequence[str] = (),
    allow_mixed: bool = False,
) -> IntegratedResult:
    """Individual, community and structural levels together (docs/levels.md).

    Parameters
    ----------
    individual_scores : DataFrame or path
        Scores of returnee interviews, from :func:`reinscore.score` (or a scores file of
        ``reinscore score``) with the unit keys kept: ``keep=["community_id",
        "country"]`` (the ``unit_key`` of the community and structural instruments).
    community : DataFrame or path
        Raw answers to the community framework, one row per community (with its
        ``community_id``; a ``country`` column, if present, names its country).
    structural : DataFrame or path
        Raw answers to the structural framework, one row per country.
    host : DataFrame or path, optional
        Raw answers of non-migrant residents to the individual instrument, with
        ``community_id``: gives the returnee-resident gap per community and country.
    community_instrument, structural_instrument : str, path or Instrument
        The frameworks (levels ``community`` and ``structural``). The community
        instrument's ``integration`` object gives the level weights and the minimum
        number of respondents (defaults when it has none: equal weights, 10, every
        level needed).
    instrument, weights : optional
        The individual instrument (and weight set) the scores were made with; it scores
        the residents and gives the threshold of ``share_above_*`` (the lowest value of
        its highest category). Default: the instrument the scores' ``instrument`` column
        names, with the weight set it names. Scores whose tag differs are refused.
    min_respondents : int, optional
        Overrides the minimum number of people below which a group is suppressed.
    weight : str, optional
        A survey-weight column of ``individual_scores`` for the roll-ups.
    by : str or list of str
        Columns of ``individual_scores`` that split the roll-ups (e.g. ``"round"``;
        numeric columns sort as numbers).
    allow_mixed : bool
        Pool scores made with different weight sets of the individual instrument.

    Returns
    -------
    IntegratedResult

    Raises
    ------
    reinscore.InputError
        A ``ValueError``: unknown instruments, missing key columns, duplicate unit keys,
        scores that are not numbers in [0, 1], weights that are not positive, scores of
        another instrument, option values out of range. Keys that do not match are not
        errors: they are in ``problems``.
    """
    com_ins = load_instrument(community_instrument)
    str_ins = load_instrument(structural_instrument)
    req = _core.IntegrateRequest()
    req.community_instrument = com_ins.id
    req.structural_instrument = str_ins.id
    req.min_respondents = None if min_respondents is None else int(min_respondents)
    req.weight = weight or ""
    req.by = names(by)
    req.allow_mixed = bool(allow_mixed)
    req.check()
    _core.check_framework(com_ins._core, "community", "community_instrument")
    _core.check_framework(str_ins._core, "structural", "structural_instrument")
    want = _core.integrate_want(req, com_ins._core, str_ins._core)
    index = None
    if isinstance(individual_scores, (str, os.PathLike)):
        table = _core.read_scores(os.fspath(individual_scores), want, req.allow_mixed, False, True)
    elif isinstance(individual_scores, pd.DataFrame):
        table = scores_table(individual_scores, want, allow_mixed=req.allow_mixed, all_columns=True)
        index = individual_scores.index
    else:
        raise TypeError(f"individual_scores must be a DataFrame or a path, not {type(individual_scores).__name__}")

    ind = load_instrument(instrument) if instrument is not None else Instrument(
        _core.scores_instrument(table, search()))
    if weights is not None:
        ind = ind.with_weights(weights)

    com_key, cty_key = com_ins.unit_key, str_ins.unit_key
    communities = _level_file(community, com_ins, com_key, cty_key, "community")
    countries = _level_file(structural, str_ins, cty_key, "", "structural")
    hosts = None if host is None else _level_file(host, ind, com_key, "", "host")
    report = _core.integrate(table, communities, countries, hosts, ind._core, com_ins._core, str_ins._core, req)
    return IntegratedResult(report, [*ind.dimensions, "composite"], index)
