"""The same returnees across follow-up rounds, as `reinscore panel`.

Change of each score between two rounds (paired mean with standard error and a t
interval, optionally weighted), months since return, transition matrices between
categories (and statuses), and attrition per round. The numbers come from the C++ core
(include/reinscore/panel.hpp); formulas are in docs/statistics.md.
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import _core

__all__ = ["PanelReport", "panel"]

_DEFAULT_DATES = ("interview_date", "return_date")
_CHANGE_VALUES = [
    "sum_weights", "mean_from", "mean_to", "mean_change", "sd", "se", "ci_low", "ci_high", "df", "t",
    "p_value", "months_from", "months_to",
]
_ATTRITION_COUNTS = ["present", "first_seen", "retained", "lost", "returned", "absent", "baseline_present"]


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
        row_from, row_to``, ``change_<score>`` (later minus earlier, NaN if either is
        missing), ``months_from, months_to, weight``, categories and statuses at both
        interviews. Individual data: never suppressed.
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
        Row-level problems (bad or missing dates): ``row, index, column, rule, message``.
    pairs : list of (int, int)
    rounds : list of int
    min_cell : int
        Counts between 1 and ``min_cell - 1`` are removed (NA) from ``changes``,
        ``transitions`` and ``attrition``, and so are the estimates of groups smaller than
        ``min_cell`` (``suppressed`` is True): the same cells as `reinscore panel` hides.
    """

    def __init__(self, changes: pd.DataFrame, per_returnee: pd.DataFrame, transitions: pd.DataFrame,
                 attrition: pd.DataFrame, interviews: pd.DataFrame, problems: pd.DataFrame,
                 pairs: list[tuple[int, int]], rounds: list[int], min_cell: int, level: float,
                 weight: str | None) -> None:
        self.changes = changes
        self.per_returnee = per_returnee
        self.transitions = transitions
        self.attrition = attrition
        self.interviews = interviews
        self.problems = problems
        self.pairs = pairs
        self.rounds = rounds
        self.min_cell = min_cell
        self.level = level
        self.weight = weight

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
        mc = self.min_cell
        # As `reinscore panel` prints it: the sum of weights only when weighted, fewer decimals
        # for t, df and months, tiny p-values as "<0.0001", hidden transition rows blank.
        changes = self.changes.drop(columns=["suppressed", *([] if self.weight else ["sum_weights"])])
        parts = [
            f"<p><b>Change between rounds</b> (returnees interviewed in both; {self.level:.0%} t-interval"
            + (f", weighted by {html.escape(self.weight)}" if self.weight else "") + ")</p>",
            _shown(changes, mc, {"df": "{:.0f}", "t": "{:.2f}", "months_from": "{:.1f}",
                                 "months_to": "{:.1f}"}).to_html(index=False),
        ]
        for (variable, a, b), grp in self.transitions.groupby(["variable", "from", "to"], sort=False):
            hidden = grp["row_total"].isna().to_numpy() | (grp["row_total"] < mc).to_numpy(dtype=bool, na_value=True)
            cell = ["" if h else _count(n, mc) + ("" if _missing(sh) else f" ({100 * sh:.1f}%)")
                    for h, n, sh in zip(hidden, grp["n"], grp["share"])]
            m = pd.DataFrame({"state_from": grp["state_from"], "state_to": grp["state_to"], "cell": cell})
            wide = m.pivot(index="state_from", columns="state_to", values="cell")
            wide = wide.reindex(index=list(pd.unique(grp["state_from"])), columns=list(pd.unique(grp["state_to"])))
            totals = grp.drop_duplicates("state_from").set_index("state_from")["row_total"]
            wide["total"] = [_count(x, mc) for x in totals.loc[wide.index]]
            wide.columns.name = None
            wide.index.name = "from \\ to"
            parts.append(f"<p><b>Transitions of {html.escape(str(variable))}</b> from round {a} to round {b}</p>")
            parts.append(wide.to_html())
        parts.append("<p><b>Attrition</b></p>")
        parts.append(_shown(self.attrition.drop(columns="suppressed"), mc).to_html(index=False))
        if len(self.problems):
            parts.append(f"<p>{len(self.problems)} date problem(s): months since return are missing for "
                         "those interviews (see <code>.problems</code>).</p>")
        if mc > 1:
            parts.append(f"<p>Counts below {mc} and estimates from fewer than {mc} returnees are suppressed.</p>")
        return "".join(parts)


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _count(x: object, min_cell: int) -> str:
    return f"<{min_cell}" if _missing(x) else str(x)


def _shown(frame: pd.DataFrame, min_cell: int, formats: dict[str, str] | None = None) -> pd.DataFrame:
    """As printed: suppressed counts "<min_cell", missing values empty, 4 decimals."""
    out = frame.astype(object).copy()
    for c in out.columns:
        if str(frame[c].dtype) == "Int64":
            out[c] = [_count(x, min_cell) for x in frame[c]]
        elif c == "p_value":
            out[c] = ["" if _missing(x) else "<0.0001" if x < 1e-4 else f"{x:.4f}" for x in frame[c]]
        elif pd.api.types.is_float_dtype(frame[c].dtype):
            fmt = (formats or {}).get(str(c), "{:.4f}")
            out[c] = ["" if _missing(x) else fmt.format(x) for x in frame[c]]
    return out


def _rows(n: int) -> npt.NDArray[np.uint64]:
    """Row numbers for messages: the rows of the table written as CSV (header = 1)."""
    return np.arange(2, n + 2, dtype=np.uint64)


def _numbers(col: pd.Series[Any], name: str) -> npt.NDArray[np.float64]:
    if pd.api.types.is_bool_dtype(col.dtype):
        raise TypeError(f"column {name!r}: booleans are not numbers")
    if pd.api.types.is_numeric_dtype(col.dtype):
        return np.asarray(col.to_numpy(dtype=float, na_value=np.nan), dtype=np.float64)
    num = np.full(len(col), np.nan)
    for i, text in enumerate(_texts(col)):
        text = text.strip()
        if not text:
            continue
        try:
            num[i] = float(text)
        except ValueError:
            num[i] = np.nan
        if not math.isfinite(num[i]):  # as the command line: finite numbers only
            raise ValueError(f"row {i + 2}: column {name!r}: not a number [not_a_number]")
    return num


def _texts(col: pd.Series[Any]) -> list[str]:
    return [str(x) for x in col.astype(object).where(col.notna(), "")]


def _dates(col: pd.Series[Any]) -> list[str]:
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        return [str(x) for x in col.dt.strftime("%Y-%m-%d").astype(object).where(col.notna(), "")]
    return _texts(col)


def _codes(col: pd.Series[Any], labels: list[str] | None, name: str,
           rule: str) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Category codes into `labels` (a categorical's own order, else given, else sorted)."""
    if isinstance(col.dtype, pd.CategoricalDtype) and labels is None:
        cats = [str(c) for c in col.cat.categories]
        return np.asarray(col.cat.codes.to_numpy(), dtype=np.int64), cats
    text = pd.Series(_texts(col), dtype=object).str.strip()
    if labels is None:
        labels = sorted({t for t in text if t})
    codes = np.asarray(pd.Index(labels, dtype=object).get_indexer(pd.Index(text.to_numpy(dtype=object), dtype=object)),
                       dtype=np.int64)
    bad = np.flatnonzero((codes < 0) & (text != "").to_numpy())
    if bad.size:
        raise ValueError(f"row {int(bad[0]) + 2}: column {name!r}: not one of the known labels [{rule}]")
    return codes, list(labels)


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
) -> PanelReport:
    """Follow returnees across rounds: change, transitions, attrition.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`reinscore.score` with the id and round kept (and the dates, for
        months since return), or a scores file read as text. One row per interview.
    id, round : str
        Returnee identifier and follow-up round (whole numbers) columns.
    from_round, to_round : int, optional
        Compare only these two rounds (``from_round < to_round``). Default: each pair of
        consecutive rounds present, then first to last.
    weight : str, optional
        Sampling weight column (finite, >= 0). A change is weighted by the weight of the
        later interview; the standard error is the linearised one of a ratio mean.
    interview_date, return_date : str or None
        Date columns (``yyyy-mm-dd``). The default names are used when both columns are
        there; other names must exist; None switches months since return off. A bad or
        missing date is a row-level problem (``problems``), never a silent drop.
    status : bool
        Add transition matrices of the status.
    min_cell : int
        Suppress counts below this and estimates from fewer returnees (0: none).
    level : float
        Confidence level of the t-intervals.
    categories : list of str, optional
        Category labels in order, when ``category`` is not a categorical column.

    Returns
    -------
    PanelReport

    Raises
    ------
    ValueError
        Missing columns, an empty id, a round that is not a whole number, a bad weight,
        the same returnee twice in one round (naming both rows), unknown rounds. Rows
        are counted as in the scores written as CSV: header = row 1.
    """
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores must be a pandas DataFrame, not {type(scores).__name__}")
    if (from_round is None) != (to_round is None):
        raise ValueError("from_round and to_round go together")
    for name, what in ((id, "id"), (round, "round"), *(((weight, "weight"),) if weight else ())):
        if name not in scores.columns:
            raise ValueError(f"column {name!r}: not in the scores ({what}; keep it when scoring) [missing_column]")
    names = [c[len("coverage_"):] for c in scores.columns
             if isinstance(c, str) and c.startswith("coverage_") and c[9:] in scores.columns]
    if "composite" in scores.columns:
        names.append("composite")
    if not names:
        raise ValueError("the data do not look like scores (no composite/coverage columns) [not_scores]")
    dates: tuple[str, str] | None = None
    if interview_date is not None and return_date is not None:
        present = interview_date in scores.columns and return_date in scores.columns
        for given, default in ((interview_date, _DEFAULT_DATES[0]), (return_date, _DEFAULT_DATES[1])):
            if given != default and given not in scores.columns:
                raise ValueError(f"column {given!r}: not in the scores (dates) [missing_column]")
        if present:
            dates = (interview_date, return_date)

    n = len(scores)
    id_codes, uniques = pd.factorize(scores[id], use_na_sentinel=True)
    ids = [str(u) for u in uniques]
    rcol = scores[round]
    rounds: Any = (_numbers(rcol, round) if pd.api.types.is_numeric_dtype(rcol.dtype)
                   and not pd.api.types.is_bool_dtype(rcol.dtype) else _texts(rcol))
    values = np.column_stack([_numbers(scores[c], c) for c in names]) if n else np.zeros((0, len(names)))
    cat_codes = None
    labels: list[str] = []
    if "category" in scores.columns:
        cat_codes, labels = _codes(scores["category"], list(categories) if categories is not None else None,
                                   "category", "unknown_category")
    st_codes = None
    if "status" in scores.columns:
        st_codes, _ = _codes(scores["status"], list(_core.status_names), "status", "unknown_status")
    elif status:
        raise ValueError("column 'status': not in the scores (status transitions) [missing_column]")
    w = _numbers(scores[weight], weight) if weight else None
    pairs = [(int(from_round), int(to_round))] if from_round is not None and to_round is not None else None
    columns = {"id": id, "round": round, "weight": weight or ""}
    if dates:
        columns["interview_date"], columns["return_date"] = dates
    res = _core.panel(
        ids, id_codes.astype(np.int64), rounds, np.ascontiguousarray(values, dtype=float), names,
        cat_codes, labels, st_codes, w,
        _dates(scores[dates[0]]) if dates else None, _dates(scores[dates[1]]) if dates else None,
        _rows(n), columns, pairs, status, level,
    )
    report = _build(res, scores, id, round, names, labels, uniques, min_cell, level, weight)
    if len(report.problems):
        warnings.warn(
            f"{len(report.problems)} date problem(s): months since return are missing for those "
            "interviews (see PanelReport.problems)", stacklevel=2)
    return report


def _small(counts: npt.NDArray[Any], min_cell: int) -> npt.NDArray[np.bool_]:
    c = np.asarray(counts, dtype=np.int64)
    return (c > 0) & (c < min_cell)


def _int_column(values: npt.NDArray[Any], hide: npt.NDArray[np.bool_]) -> pd.arrays.IntegerArray:
    out = pd.array(np.asarray(values, dtype=np.int64), dtype="Int64")
    out[hide] = pd.NA
    return out


def _build(res: Any, scores: pd.DataFrame, id: str, round: str, names: list[str],
           labels: list[str], uniques: Any, min_cell: int, level: float, weight: str | None) -> PanelReport:
    # Changes.
    c = res["changes"]
    hide_est = np.asarray(c["n"], dtype=np.int64) < min_cell
    changes = pd.DataFrame({"from": np.asarray(c["from"], dtype=np.int64), "to": np.asarray(c["to"], dtype=np.int64),
                            "score": pd.Series(c["score"], dtype=object)})
    suppressed = hide_est.copy()
    for k in ("pairs", "missing", "n"):
        small = _small(c[k], min_cell)
        suppressed |= small
        changes[k] = _int_column(c[k], small)
    for k in _CHANGE_VALUES:
        changes[k] = np.where(hide_est, np.nan, np.asarray(c[k], dtype=float))
    changes["suppressed"] = suppressed

    # Per returnee.
    p = res["per_returnee"]
    codes = np.asarray(p["id_code"], dtype=np.int64)
    per: dict[str, Any] = {id: pd.Index(uniques).take(codes) if len(codes) else pd.Index(uniques)[:0]}
    per["from"] = np.asarray(p["from"], dtype=np.int64)
    per["to"] = np.asarray(p["to"], dtype=np.int64)
    per["row_from"] = np.asarray(p["row_from"], dtype=np.int64)
    per["row_to"] = np.asarray(p["row_to"], dtype=np.int64)
    change = np.asarray(p["change"], dtype=float).reshape(len(codes), len(names))
    for j, s in enumerate(names):
        per[f"change_{s}"] = change[:, j]
    per["months_from"] = np.asarray(p["months_from"], dtype=float)
    per["months_to"] = np.asarray(p["months_to"], dtype=float)
    per["weight"] = np.asarray(p["weight"], dtype=float)
    for k, cats in (("category", labels), ("status", list(_core.status_names))):
        for side in ("from", "to"):
            per[f"{k}_{side}"] = pd.Categorical.from_codes(np.asarray(p[f"{k}_{side}"], dtype=np.int64),
                                                           dtype=pd.CategoricalDtype(cats))
    per_returnee = pd.DataFrame({k: np.asarray(v) if isinstance(v, pd.Index) else v for k, v in per.items()})

    # Transitions, long form.
    blocks = []
    for t in res["transitions"]:
        counts = np.asarray(t["counts"], dtype=np.int64)
        fs, ts = list(t["from_states"]), list(t["to_states"])
        total = counts.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = counts / total[:, None]
        hide_row = np.repeat(total < min_cell, len(ts))
        tot = np.repeat(total, len(ts))
        n_flat = counts.ravel()
        small_cell = _small(n_flat, min_cell)
        hidden_n = (hide_row & (tot > 0)) | small_cell
        blocks.append(pd.DataFrame({
            "variable": t["variable"],
            "from": np.full(counts.size, int(t["from"]), dtype=np.int64),
            "to": np.full(counts.size, int(t["to"]), dtype=np.int64),
            "state_from": np.repeat(np.asarray(fs, dtype=object), len(ts)),
            "state_to": np.tile(np.asarray(ts, dtype=object), len(fs)),
            "row_total": _int_column(tot, hide_row & (tot > 0)),
            "n": _int_column(n_flat, hidden_n),
            "share": np.where(hide_row | small_cell, np.nan, share.ravel()),
            "suppressed": hidden_n,
        }))
    transitions = pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame(
        {"variable": pd.Series(dtype=object), "from": pd.Series(dtype=np.int64), "to": pd.Series(dtype=np.int64),
         "state_from": pd.Series(dtype=object), "state_to": pd.Series(dtype=object),
         "row_total": pd.array([], dtype="Int64"), "n": pd.array([], dtype="Int64"),
         "share": pd.Series(dtype=float), "suppressed": pd.Series(dtype=bool)})

    # Attrition.
    a = res["attrition"]
    attrition = pd.DataFrame({"round": np.asarray(a["round"], dtype=np.int64)})
    sup = np.zeros(len(attrition), dtype=bool)
    for k in _ATTRITION_COUNTS:
        small = _small(a[k], min_cell)
        sup |= small
        attrition[k] = _int_column(a[k], small)
    present = np.asarray(a["present"], dtype=np.int64)
    baseline = int(present[0]) if len(present) else 0
    hide_ret = _small(a["baseline_present"], min_cell) | (0 < baseline < min_cell)
    attrition["retention"] = np.where(hide_ret, np.nan, np.asarray(a["retention"], dtype=float))
    attrition["suppressed"] = sup | hide_ret

    interviews = pd.DataFrame({id: scores[id].array, round: scores[round].array,
                               "months_since_return": np.asarray(res["months"], dtype=float)}, index=scores.index)
    prob = res["problems"]
    problems = pd.DataFrame({
        "row": pd.Series([int(x["row"]) for x in prob], dtype=np.int64),
        "index": pd.Series([scores.index[int(x["row"]) - 2] for x in prob], dtype=object),
        "column": pd.Series([x["column"] for x in prob], dtype=object),
        "rule": pd.Series([x["rule"] for x in prob], dtype=object),
        "message": pd.Series([x["message"] for x in prob], dtype=object),
    })
    return PanelReport(changes, per_returnee, transitions, attrition, interviews, problems,
                       [(int(x), int(y)) for x, y in res["pairs"]], [int(r) for r in res["rounds"]],
                       min_cell, level, weight)
