"""The same returnees across follow-up rounds, as `reinscore panel`.

Change of each score between two rounds (paired mean with standard error and a t
interval, optionally weighted), months since return, transition matrices between
categories (and statuses), and attrition per round. Everything is computed by the C++
application layer (include/reinscore/app/panel.hpp, the same code as the command line);
this module only builds DataFrames from its Report. Formulas: docs/statistics.md.
"""

from __future__ import annotations

import html as _html
from collections.abc import Sequence

import pandas as pd

from . import _core
from ._errors import renamed_options
from ._report import _column, frame, html, scores_table, search, suppressed, warn_notes

__all__ = ["PanelReport", "panel"]

_ALL_TABLES = ["changes", "transitions", "attrition", "per-returnee", "interviews", "problems"]


class PanelReport:
    """Result of :func:`panel`.

    Attributes
    ----------
    changes : DataFrame
        One row per pair of rounds and score: ``from, to, score, pairs`` (returnees
        interviewed in both rounds), ``missing`` (of those, with the score missing in
        either), ``n`` (pairs used), ``sum_weights, mean_from, mean_to, mean_change, sd,
        se, ci_low, ci_high, df, t, p_value, months_from, months_to, suppressed``.
    per_returnee : DataFrame
        One row per returnee interviewed in both rounds of a pair: the id, ``from, to,
        row_from, row_to`` (rows of the input: the first row is 1), ``change_<score>``
        (later minus earlier, NaN if either is missing), ``months_from, months_to,
        weight``, categories and statuses at both interviews (None: none). Individual
        data: never suppressed.
    transitions : DataFrame
        Long form of the transition matrices: ``variable`` (category or status),
        ``from, to, state_from, state_to, row_total, n, share, suppressed``. States in
        ``to`` include ``none`` (interviewed without a category) and ``attrited``.
    attrition : DataFrame
        One row per round: ``round, present, first_seen, retained, lost, returned,
        absent, baseline_present, retention, suppressed``.
    interviews : DataFrame
        Per input row (same index): the id, the round and ``months_since_return``.
    problems : DataFrame
        Row-level problems (bad or missing dates): ``row`` (the first row of the input
        is 1), ``index`` (the input's index label), ``column, rule, message``.
    pairs : list of (int, int)
    rounds : list of int
    min_cell : int
        Counts between 1 and ``min_cell - 1`` are removed (NA) from ``changes``,
        ``transitions`` and ``attrition``, and so are the estimates of groups smaller than
        ``min_cell``: the same cells as `reinscore panel` hides. ``suppressed`` is True
        for a row with a withheld count.
    report : reinscore._core.Report
        The report of the application layer the frames were built from
        (``report.table("changes").render("csv")`` gives the command line's output).
    """

    def __init__(self, report: _core.Report, index: pd.Index, min_cell: int, level: float,
                 weight: str | None) -> None:
        self.report = report
        self.min_cell = min_cell
        self.level = level
        self.weight = weight

        def counted(name: str) -> pd.DataFrame:
            t = report.table(name)
            out = frame(t)
            out["suppressed"] = suppressed(t)
            return out

        self.changes = counted("changes")
        self.transitions = counted("transitions")
        self.attrition = counted("attrition")
        self.per_returnee = frame(report.table("per-returnee"))
        interviews = frame(report.table("interviews")).drop(columns="row")
        interviews.index = index
        self.interviews = interviews
        problems = frame(report.table("problems"))
        # Rows count the input's positions from 1: the index label of each.
        problems.insert(1, "index", pd.Series([index[int(r) - 1] for r in problems["row"]], dtype=object))
        self.problems = problems
        c = self.changes
        self.pairs: list[tuple[int, int]] = list(dict.fromkeys(zip(map(int, c["from"]), map(int, c["to"]))))
        self.rounds: list[int] = [int(r) for r in self.attrition["round"]]

    def transition_matrix(self, from_round: int, to_round: int, variable: str = "category",
                          shares: bool = False) -> pd.DataFrame:
        """One transition matrix, states in ``from_round`` as rows (``n`` or ``share``)."""
        t = self.transitions
        sel = t[(t["variable"] == variable) & (t["from"] == from_round) & (t["to"] == to_round)]
        if sel.empty:
            raise ValueError(f"no {variable} transitions from round {from_round} to round {to_round} in this report")
        value = "share" if shares else "n"
        m = sel.pivot(index="state_from", columns="state_to", values=value)
        return m.reindex(index=list(pd.unique(sel["state_from"])), columns=list(pd.unique(sel["state_to"])))

    def __repr__(self) -> str:
        return (
            f"<PanelReport rounds {self.rounds}, pairs {self.pairs}: {len(self.per_returnee)} returnee pair(s), "
            f"{len(self.problems)} problem(s)>\n{self.changes}"
        )

    def _repr_html_(self) -> str:
        # The aggregate tables as the command line prints them (per-returnee rows are
        # individual data: in .per_returnee only).
        parts = [html(self.report.table(name)) for name in ("changes", "transitions", "attrition")]
        parts += [f"<p>{_html.escape(text)}</p>" for level, text in self.report.notes if level == "warning"]
        if len(self.problems):
            parts.append("<p>See <code>.problems</code> for the rows.</p>")
        return "".join(parts)


def panel(
    scores: pd.DataFrame,
    id: str = "returnee_id",
    round: str = "round",
    from_round: int | None = None,
    to_round: int | None = None,
    weight: str | None = None,
    interview_date: str | None = "interview_date",
    return_date: str | None = "return_date",
    status: bool = False,
    min_cell: int = 10,
    level: float = 0.95,
    categories: Sequence[str] | None = None,
    *,
    instrument: str | None = None,
    allow_mixed: bool = False,
) -> PanelReport:
    """Follow returnees across rounds: change, transitions, attrition.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`reinscore.score` with the id and round kept (and the dates, for
        months since return), or a scores file read as text. One row per interview.
    id, round : str
        Returnee identifier and follow-up round (whole numbers) columns. Identifiers are
        compared as text ("007" and "7" are two returnees); rounds as numbers.
    from_round, to_round : int, optional
        Compare only these two rounds (``from_round < to_round``). Default: each pair of
        consecutive rounds present, then first to last.
    weight : str, optional
        Sampling weight column (finite, >= 0). A change is weighted by the weight of the
        later interview; the standard error is the linearised one of a ratio mean.
    interview_date, return_date : str or None
        Date columns (``yyyy-mm-dd``, or datetimes). The default names are used when both
        columns are there; other names must exist; None switches months since return off.
        A bad or missing date is a row-level problem (``problems``), never a silent drop.
    status : bool
        Add transition matrices of the status.
    min_cell : int
        Suppress counts below this and estimates from fewer returnees (0: none).
    level : float
        Confidence level of the t-intervals.
    categories : list of str, optional
        Category labels in order. Default: a categorical column's own order, else the
        instrument's threshold labels, else the labels seen, sorted.
    instrument : str, optional
        The instrument of the scores (name or path of a .json file) when it is not in the
        instrument directories; by default the one the ``instrument`` column names.
    allow_mixed : bool
        Pool rows scored with different instruments or weight sets (otherwise an
        InputError names both tags).

    Returns
    -------
    PanelReport

    Raises
    ------
    InputError
        Missing columns, an empty id, a round that is not a whole number, a bad weight,
        the same returnee twice in one round (naming both rows), unknown rounds, option
        values out of range. Rows count the DataFrame's rows from 1.
    """
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores must be a pandas DataFrame, not {type(scores).__name__}")
    req = _core.PanelRequest()
    req.id_column = id
    req.round_column = round
    req.from_round = from_round
    req.to_round = to_round
    req.weight = weight or ""
    req.date_column = interview_date or ""
    req.return_date_column = return_date or ""
    req.status = bool(status)
    req.tables = list(_ALL_TABLES)
    req.min_cell = int(min_cell)
    req.level = float(level)
    req.instrument = instrument or ""
    req.allow_mixed = bool(allow_mixed)
    cat = scores["category"] if "category" in scores.columns else None
    # Labels as the C++ reader spells the category cells (1.0 and 1 are both "1").
    if categories is not None:
        req.categories = _core.key_texts("categories", _column(pd.Series(list(categories))))
    elif cat is not None and isinstance(cat.dtype, pd.CategoricalDtype):
        req.categories = _core.key_texts("categories", _column(pd.Series(cat.cat.categories)))
    with renamed_options({"from": "from_round", "to": "to_round", "round_column": "round",
                          "id_column": "id", "date_column": "interview_date",
                          "return_date_column": "return_date"}):
        req.check()
        # Datetime columns go over as yyyy-mm-dd (reinscore._report.scores_table).
        table = scores_table(scores, **req.want())
        report = _core.panel(table, req, search())
    warn_notes(report)
    return PanelReport(report, scores.index, int(min_cell), float(level), weight)
