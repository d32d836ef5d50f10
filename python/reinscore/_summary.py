"""Group summaries of scores (means and status shares), as `reinscore summarize`."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import _core

__all__ = ["ScoreSummary", "summarize"]


class ScoreSummary:
    """Per group: interviews, mean of each score, share of each status.

    Groups with fewer than ``min_cell`` interviews are suppressed: their counts and
    estimates are removed (``n`` is NA and ``suppressed`` is True), so small groups
    cannot identify people in a report.

    Attributes
    ----------
    table : pandas.DataFrame
    by : list of str
    min_cell : int
    """

    def __init__(self, table: pd.DataFrame, by: list[str], min_cell: int) -> None:
        self.table = table
        self.by = by
        self.min_cell = min_cell

    def __repr__(self) -> str:
        return f"<ScoreSummary by {self.by or 'all'}: {len(self.table)} group(s)>\n{self.table}"

    def _repr_html_(self) -> str:
        note = ""
        if self.table["suppressed"].any():
            note = (
                f"<p>{int(self.table['suppressed'].sum())} group(s) with fewer than "
                f"{self.min_cell} interviews suppressed.</p>"
            )
        by = ", ".join(html.escape(b) for b in self.by) or "all interviews"
        # Shown as `reinscore summarize` prints it: 4 decimals, "<min_cell" for the size of
        # a suppressed group and empty cells for what is not shown.
        shown = self.table.astype(object).map(_cell).astype(object)
        shown.loc[self.table["suppressed"].to_numpy(dtype=bool), "n"] = f"<{self.min_cell}"
        return f"<p><b>Scores by {by}</b></p>" + shown.to_html(index=False) + note


def _cell(x: object) -> object:
    """A table cell as shown: missing values empty, floats with 4 decimals."""
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:.4f}" if isinstance(x, float) else x


def summarize(scores: pd.DataFrame, by: str | Sequence[str] = (), min_cell: int = 10) -> ScoreSummary:
    """Means of the scores and shares of each status, by group.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`reinscore.score` (with the grouping columns kept).
    by : str or list of str
        Grouping columns; none for one overall row.
    min_cell : int
        Groups with fewer interviews are suppressed.

    Returns
    -------
    ScoreSummary
        Means are over the interviews that have the score (missing scores are left
        out, never counted as 0).

    See Also
    --------
    reinscore.survey_summary : the same with standard errors and confidence intervals
        under a survey design (weights, strata, clusters), quantiles and differences.
    """
    by_list = [by] if isinstance(by, str) else list(by)
    for b in by_list:
        if b not in scores.columns:
            raise ValueError(f"column {b!r}: not in the scores (keep it when scoring) (rule: missing_column)")
    names = [c[len("coverage_"):] for c in scores.columns if c.startswith("coverage_") and c[9:] in scores.columns]
    names.append("composite")
    status = pd.Categorical(scores["status"], categories=list(_core.status_names))
    frame = scores[by_list + names].copy()
    for s in _core.status_names:
        frame[f"share_{s}"] = (status == s).astype(float)
    keys = by_list if by_list else np.zeros(len(frame), dtype=int)
    grouped = frame.groupby(keys, sort=True, observed=True, dropna=False)
    table = grouped[[*names, *[f"share_{s}" for s in _core.status_names]]].mean()
    table.columns = [f"mean_{c}" if c in names else c for c in table.columns]
    table.insert(0, "n", grouped.size())
    table = table.reset_index() if by_list else table.reset_index(drop=True)
    small = table["n"] < min_cell
    table["suppressed"] = small
    value_cols = [c for c in table.columns if c.startswith(("mean_", "share_"))]
    table.loc[small, value_cols] = np.nan
    table["n"] = table["n"].astype("Int64")
    table.loc[small, "n"] = pd.NA
    return ScoreSummary(table, by_list, min_cell)
