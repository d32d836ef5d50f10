"""Plots of scores: distributions, one returnee's profile, means by round.

Needs matplotlib (``pip install reinscore[plot]``). It is imported when a plot is
drawn, not when :mod:`reinscore` or this module is imported::

    import reinscore
    import reinscore.plot

    scores = reinscore.score(df, id="interview_id", keep=["returnee_id", "round"])
    reinscore.plot.distributions(scores)

Every function draws on ``ax`` when given, otherwise on a new figure, and returns
the :class:`matplotlib.axes.Axes`. Scores are read from the columns that
:func:`reinscore.score` writes (one per dimension, ``composite``, ``lowest_dimension``);
missing scores (NaN) are left out, never drawn as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["by_round", "distributions", "profile"]

_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_STYLES = ("-", "--", ":", "-.")


# -- helpers ----------------------------------------------------------------------------
def _axes(ax: Axes | None) -> Axes:
    """`ax`, or the axes of a new figure; ImportError naming the extra without matplotlib."""
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(
            "reinscore.plot needs matplotlib, which is not installed: "
            "pip install reinscore[plot]"
        ) from e
    fig = plt.figure()
    return fig.add_subplot()


def _patch_class() -> Any:
    from matplotlib.patches import Patch

    return Patch


def _score_columns(scores: pd.DataFrame) -> list[str]:
    """The dimension columns (those with a ``coverage_`` twin), then ``composite``."""
    names = [
        str(c)[len("coverage_"):]
        for c in scores.columns
        if str(c).startswith("coverage_") and str(c)[len("coverage_"):] in scores.columns
    ]
    if "composite" in scores.columns:
        names.append("composite")
    if not names:
        raise ValueError(
            "no score columns found: pass the output of reinscore.score "
            "(dimension, coverage_* and composite columns)"
        )
    return names


def _require(scores: pd.DataFrame, columns: Sequence[str]) -> None:
    for c in columns:
        if c not in scores.columns:
            raise ValueError(
                f"column {c!r}: not in the scores (keep it when scoring) (rule: missing_column)"
            )


def _levels(values: pd.Series) -> list[Any]:
    """Distinct non-missing values in a natural order.

    Category order for categoricals, numeric order when every value reads as a number
    (so round ``"10"`` comes after ``"9"``), otherwise sorted as text.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna().unique())
        return [c for c in values.cat.categories if c in present]
    uniq = pd.unique(values.dropna())
    num = pd.to_numeric(pd.Series(uniq, dtype=object), errors="coerce")
    if len(uniq) and not num.isna().any():
        order = np.argsort(num.to_numpy(dtype=float), kind="stable")
    else:
        order = np.argsort(np.array([str(u) for u in uniq], dtype=object), kind="stable")
    return [uniq[i] for i in order]


def _positions(levels: Sequence[Any]) -> tuple[npt.NDArray[np.float64], bool]:
    """x positions of ordered levels: their numbers if all are numeric, else 0, 1, ..."""
    num = pd.to_numeric(pd.Series(list(levels), dtype=object), errors="coerce")
    if len(levels) and not num.isna().any():
        return num.to_numpy(dtype=float), True
    return np.arange(len(levels), dtype=float), False


def _groups(scores: pd.DataFrame, by: str | None) -> list[tuple[Any, pd.DataFrame]]:
    """(group, rows) in group order; one group of all rows without `by`."""
    if by is None:
        return [(None, scores)]
    col = scores[by]
    return [(g, scores[_is(col, g)]) for g in _levels(col)]


def _is(col: pd.Series, value: Any) -> npt.NDArray[np.bool_]:
    """Rows of `col` equal to `value` (missing values never are)."""
    hit: npt.NDArray[np.bool_] = (col == value).to_numpy(dtype=bool, na_value=False)
    return hit


def _values(frame: pd.DataFrame, column: str) -> npt.NDArray[np.float64]:
    v: npt.NDArray[np.float64] = pd.to_numeric(frame[column], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    return v[~np.isnan(v)]


def distributions(
    scores: pd.DataFrame,
    by: str | None = None,
    dimensions: Sequence[str] | None = None,
    ax: Axes | None = None,
    *,
    provisional: bool | None = None,
) -> Axes:
    """Box plots of the scores, one box per dimension (and group).

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`reinscore.score`; keep the ``by`` column when scoring.
    by : str, optional
        Grouping column (e.g. ``"country"`` or ``"round"``): one box per group within
        each dimension, one colour per group, and a legend. Rows with a missing group
        are left out.
    dimensions : list of str, optional
        Score columns to show, in order (default: every dimension, then ``composite``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.
    provisional : bool, optional
        Mark the figure "PROVISIONAL numbers". Default: when the scores' instrument (its
        tag) is provisional, or its weights or thresholds are.

    Returns
    -------
    matplotlib.axes.Axes
        Boxes are drawn dimension by dimension, groups in order within each (one
        patch per box, in ``ax.patches``). Missing scores are left out, so each box
        describes the interviews that have that score; a group without any score in a
        dimension gets no box there.

    Raises
    ------
    ValueError
        If a named column is not in ``scores``.
    ImportError
        If matplotlib is not installed.
    """
    dims = list(dimensions) if dimensions is not None else _score_columns(scores)
    _require(scores, dims + ([by] if by is not None else []))
    ax = _axes(ax)
    groups = _groups(scores, by)
    width = 0.8 / max(len(groups), 1)
    for i, d in enumerate(dims):
        for j, (_, frame) in enumerate(groups):
            v = _values(frame, d)
            if not len(v):
                continue
            colour = f"C{j % 10}"
            ax.boxplot(
                [v],
                positions=[i - 0.4 + width * (j + 0.5)],
                widths=width * 0.85,
                patch_artist=True,
                manage_ticks=False,
                boxprops={"facecolor": colour, "alpha": 0.6, "edgecolor": colour},
                medianprops={"color": "black"},
                whiskerprops={"color": colour},
                capprops={"color": colour},
                flierprops={"markeredgecolor": colour, "markersize": 3},
            )
    ax.set_xticks(np.arange(len(dims)), dims)
    ax.set_xlim(-0.6, len(dims) - 0.4)
    ax.set_ylim(-0.05, 1.05)
    ax.set_ylabel("score")
    if by is not None:
        patch = _patch_class()
        handles = [
            patch(facecolor=f"C{j % 10}", alpha=0.6, label=str(g))
            for j, (g, _) in enumerate(groups)
        ]
        ax.legend(
            handles=handles, title=by, loc="lower center", bbox_to_anchor=(0.5, 1.0),
            ncols=min(len(handles), 6), frameon=False,
        )
    if provisional if provisional is not None else _provisional(scores):
        _mark_provisional(ax)
    return ax


def profile(
    scores: pd.DataFrame,
    returnee: Any,
    id_column: str = "returnee_id",
    round_column: str = "round",
    ax: Axes | None = None,
    show_id: bool = False,
    *,
    provisional: bool | None = None,
) -> Axes:
    """One returnee's scores across rounds, with the lowest dimension of each marked.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`reinscore.score` with ``id_column`` and ``round_column`` kept.
    returnee : str or int
        The returnee's value in ``id_column``.
    id_column, round_column : str
        Columns identifying the returnee and the round.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.
    show_id : bool
        Put the returnee's identifier in the title. Off by default: a figure is easily
        shared, and an identifier in it is personal data; error messages never show it.
    provisional : bool, optional
        Mark the figure "PROVISIONAL numbers". Default: when the scores' instrument (its
        tag) is provisional, or its weights or thresholds are.

    Returns
    -------
    matplotlib.axes.Axes
        One line with markers per score (dimensions, then ``composite``), one point
        per round in which the returnee was interviewed (a missing score is a gap).
        The lowest dimension of each interview (column ``lowest_dimension``, or the
        smallest dimension score if the column is absent) is circled: one scatter
        collection labelled ``"lowest dimension"``.

    Raises
    ------
    ValueError
        If a column is missing, the returnee is not in ``scores``, or has two
        interviews in the same round.
    ImportError
        If matplotlib is not installed.
    """
    names = _score_columns(scores)
    dims = [n for n in names if n != "composite"]
    _require(scores, [id_column, round_column])
    rows = scores[_is(scores[id_column], returnee)]
    if rows.empty:
        raise ValueError(f"the returnee asked for is not in the scores (column {id_column!r})")
    dup = rows[round_column].duplicated(keep=False).to_numpy(dtype=bool)
    if dup.any():
        raise ValueError(
            f"the returnee asked for has more than one interview in {round_column} "
            f"{rows[round_column][dup].iloc[0]!r} (column {id_column!r})"
        )
    levels = _levels(rows[round_column])
    rows = rows.set_index(round_column).loc[levels]
    x, numeric = _positions(levels)
    ax = _axes(ax)
    for k, n in enumerate(names):
        y = pd.to_numeric(rows[n], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if n == "composite":
            ax.plot(x, y, marker="D", color="black", linestyle="--", label=n)
        else:
            ax.plot(x, y, marker=_MARKERS[k % len(_MARKERS)], color=f"C{k % 10}", label=n)
    if "lowest_dimension" in rows.columns:
        lowest = [None if pd.isna(v) else str(v) for v in rows["lowest_dimension"]]
    else:
        values = rows[dims].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        lowest = [
            None if np.isnan(r).all() else dims[int(np.nanargmin(r))] for r in values
        ]
    lx = [x[i] for i, d in enumerate(lowest) if d in dims]
    ly = [float(rows[d].iloc[i]) for i, d in enumerate(lowest) if d in dims]
    ax.scatter(
        lx, ly, s=180, facecolors="none", edgecolors="red", linewidths=1.5,
        label="lowest dimension", zorder=3,
    )
    ax.set_xticks(x, [str(v) for v in levels])
    if numeric and len(x) == 1:
        ax.set_xlim(x[0] - 1, x[0] + 1)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel(round_column)
    ax.set_ylabel("score")
    ax.set_title(f"{id_column} {returnee}" if show_id else "one returnee across rounds")
    ax.legend()
    if provisional if provisional is not None else _provisional(scores):
        _mark_provisional(ax)
    return ax


def _provisional(scores: pd.DataFrame) -> bool:
    """Whether the scores' numbers are provisional: an instrument tag naming a shipped or
    search-path instrument that is provisional (or whose default weights or thresholds
    are). Tags that name no instrument found count as provisional: nothing says otherwise."""
    if "instrument" not in scores.columns:
        return False
    from . import _core
    from ._instrument import load_instrument

    for tag in pd.unique(scores["instrument"].dropna().astype(str)):
        parts = _core.split_instrument_tag(tag)
        if parts is None:
            continue
        try:
            ins = load_instrument(parts[0])
        except (ValueError, OSError):
            return True
        th = ins.thresholds
        if ins.provisional or ins.weights().provisional or (th is not None and th["provisional"]):
            return True
    return False


def _mark_provisional(ax: Axes) -> None:
    ax.text(0.99, 0.01, "PROVISIONAL numbers", transform=ax.transAxes, ha="right", va="bottom",
            fontsize=9, color="#D55E00", fontweight="bold")


def by_round(
    scores: pd.DataFrame,
    round_column: str = "round",
    by: str | None = None,
    ax: Axes | None = None,
    dimensions: Sequence[str] | None = None,
    *,
    weight: str | None = None,
    strata: str | None = None,
    cluster: str | None = None,
    level: float = 0.95,
    min_cell: int = 10,
    provisional: bool | None = None,
) -> Axes:
    """Mean of each score by round, with design-based confidence intervals.

    Means and intervals are those of :func:`reinscore.survey_summary` (the C++ survey
    estimator, as ``reinscore summarize --ci linearization``): with ``weight``,
    ``strata`` and ``cluster`` they follow the survey design; without them every
    interview counts as an independent draw (a t-interval). Groups with fewer than
    ``min_cell`` interviews are not drawn.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`reinscore.score` with ``round_column`` (and ``by``) kept.
    round_column : str
        The round column; rounds are ordered numerically when they are numbers.
    by : str, optional
        Grouping column: one line per score and group, colour by group and marker and
        line style by score. With many groups, pass one score in ``dimensions``.
        Rows with a missing group are left out.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.
    dimensions : list of str, optional
        Score columns to show (default: every dimension, then ``composite``).
    weight, strata, cluster : str, optional
        The survey design (columns of ``scores``).
    level : float
        Confidence level of the intervals.
    min_cell : int
        Groups (round, or round and ``by``) with fewer interviews are left out.
    provisional : bool, optional
        Mark the figure "PROVISIONAL numbers". Default: when the scores' instrument (its
        tag) is provisional, or its weights or thresholds are.

    Returns
    -------
    matplotlib.axes.Axes
        One error bar container per line (``ax.containers``), group by group with the
        scores in order within each group. A container is labelled with the score,
        ``"score, group"`` with ``by``, or the group alone with ``by`` and a single
        score; its data line holds the means and its bars span the intervals (which
        need not be symmetric). Lines are shifted slightly along x so that their bars
        do not overlap. Missing scores are left out, never counted as 0.

    Raises
    ------
    ValueError
        If a named column is not in ``scores``.
    ImportError
        If matplotlib is not installed.
    """
    from ._survey import survey_summary

    dims = list(dimensions) if dimensions is not None else _score_columns(scores)
    design = [c for c in (weight, strata, cluster) if c is not None]
    _require(scores, dims + [round_column] + ([by] if by is not None else []) + design)
    ax = _axes(ax)
    keys = [round_column] if by is None else [by, round_column]
    summary = survey_summary(scores, by=keys, weight=weight, strata=strata, cluster=cluster,
                             level=level, min_cell=min_cell,
                             singleton="certainty" if strata else "error")
    est = summary.estimates
    est = est[(est["statistic"] == "mean") & ~est["suppressed"].astype(bool)]
    rounds = _levels(scores[round_column])
    x, _ = _positions(rounds)
    step = float(np.min(np.diff(x))) if len(x) > 1 else 1.0
    groups = [g for g, _ in _groups(scores, by)]
    series = [(d, g) for g in groups for d in dims]
    spread = 0.3 * step
    for s, (d, g) in enumerate(series):
        offset = (s - (len(series) - 1) / 2) * (spread / max(len(series) - 1, 1))
        rows = est[est["variable"] == d]
        # Keys come back typed by the C++ reader (a text "1" as the number 1): matched by
        # their text.
        if by is not None:
            rows = rows[rows[by].astype(str).to_numpy() == str(g)]
        mean, lo, hi = (np.full(len(rounds), np.nan) for _ in range(3))
        for i, r in enumerate(rounds):
            hit = rows[rows[round_column].astype(str).to_numpy() == str(r)]
            if len(hit) == 1:
                mean[i], lo[i], hi[i] = hit[["estimate", "lo", "hi"]].to_numpy(dtype=float)[0]
        k = dims.index(d)
        if by is None:
            colour = "black" if d == "composite" else f"C{k % 10}"
            style, label = ("--" if d == "composite" else "-"), d
        else:
            colour = f"C{groups.index(g) % 10}"
            style = _STYLES[k % len(_STYLES)]
            label = str(g) if len(dims) == 1 else f"{d}, {g}"
        yerr = np.vstack([mean - lo, hi - mean])
        ax.errorbar(
            x + offset, mean, yerr=yerr, marker=_MARKERS[k % len(_MARKERS)],
            color=colour, linestyle=style, capsize=3, label=label,
        )
    ax.set_xticks(x, [str(r) for r in rounds])
    ax.set_xlabel(round_column)
    what = f"mean {dims[0]}" if len(dims) == 1 else "mean score"
    kind = "design-based" if design else "simple random sample"
    ax.set_ylabel(f"{what} ({level:.0%} interval, {kind})")
    ax.legend(title=by)
    if provisional if provisional is not None else _provisional(scores):
        _mark_provisional(ax)
    return ax
