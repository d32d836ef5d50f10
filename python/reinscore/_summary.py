"""Group summaries of scores (means and status shares), as `reinscore summarize`."""

from __future__ import annotations

import html as _html
from collections.abc import Sequence

import pandas as pd

from . import _core
from ._report import frame, html, names, note_text, scores_table, search, suppressed

__all__ = ["ScoreSummary", "summarize"]


class ScoreSummary:
    """Per group: interviews, mean of each score, share of each status.

    Groups with fewer than ``min_cell`` interviews are suppressed: their counts and
    estimates are removed (``n`` is NA and ``suppressed`` is True), so small groups
    cannot identify people in a report.

    Attributes
    ----------
    table : pandas.DataFrame
        The ``by`` columns, ``n``, ``mean_<score>``, ``share_<status>`` and ``suppressed``.
    by : list of str
    min_cell : int
    report : reinscore._core.Report
        The report of the application layer the table was built from (``render("csv")``
        gives the command line's output).
    """

    def __init__(self, table: pd.DataFrame, by: list[str], min_cell: int, report: _core.Report) -> None:
        self.table = table
        self.by = by
        self.min_cell = min_cell
        self.report = report

    def __repr__(self) -> str:
        return f"<ScoreSummary by {self.by or 'all'}: {len(self.table)} group(s)>\n{self.table}"

    def _repr_html_(self) -> str:
        by = ", ".join(_html.escape(b) for b in self.by) or "all interviews"
        out = html(self.report.table("groups"), title=f"Scores by {by}")
        for _level, text in self.report.notes:
            out += f"<p>{_html.escape(note_text(text))}</p>"
        return out


def summarize(
    scores: pd.DataFrame,
    by: str | Sequence[str] = (),
    min_cell: int = 10,
    *,
    allow_mixed: bool = False,
) -> ScoreSummary:
    """Means of the scores and shares of each status, by group.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`reinscore.score` (with the grouping columns kept), or scores
        computed elsewhere: every ``X`` with a ``coverage_X`` column, and ``composite``;
        a ``status`` column is optional.
    by : str or list of str
        Grouping columns; none for one overall row. Numeric keys sort as numbers.
    min_cell : int
        Groups with fewer interviews are suppressed.
    allow_mixed : bool
        Pool rows scored with different instruments or weight sets (otherwise an
        InputError names both tags).

    Returns
    -------
    ScoreSummary
        Means are over the interviews that have the score (missing scores are left
        out, never counted as 0). Computed by the same C++ code as ``reinscore
        summarize``.

    See Also
    --------
    reinscore.survey_summary : the same with standard errors and confidence intervals
        under a survey design (weights, strata, clusters), quantiles and differences.
    """
    req = _core.SummarizeRequest()
    req.by = names(by)
    req.min_cell = min_cell
    req.allow_mixed = bool(allow_mixed)
    table = scores_table(scores, want=req.want(), allow_mixed=req.allow_mixed)
    report = _core.summarize(table, req, search())
    groups = report.table("groups")
    out = frame(groups)
    out["suppressed"] = suppressed(groups)
    return ScoreSummary(out, req.by, int(min_cell), report)
