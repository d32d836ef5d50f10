"""Reliability of the dimensions: Cronbach's alpha, item statistics, ordinal alpha.

Formulas, references and the missing-value policy: docs/statistics.md.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Union

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import _core
from ._instrument import Instrument
from ._table import Data, _pass_columns, _run

__all__ = ["ReliabilityReport", "reliability"]

_INVALID = list(_core.status_names).index("invalid")

Weight = Union[str, "npt.ArrayLike", None]


@dataclass(eq=False)
class ReliabilityReport:
    """Internal consistency of each dimension of an instrument.

    Attributes
    ----------
    dimensions : pandas.DataFrame
        One row per dimension (index ``dimension``): ``items`` (k), ``n`` (rows used:
        complete rows, or with ``missing="pairwise"`` the smallest number of rows behind
        an inter-item covariance), ``weight_sum``, ``alpha`` (raw), ``standardized_alpha``,
        ``mean_r`` (mean inter-item correlation) and, with ``ordinal=True``,
        ``ordinal_alpha`` and ``mean_polychoric``.
    items : pandas.DataFrame
        One row per item: ``dimension, item, column, n, mean, sd, item_rest,
        alpha_if_deleted, standardized_alpha_if_deleted`` (and
        ``ordinal_alpha_if_deleted``). ``item_rest`` is the corrected item-total
        correlation (the item against the sum of the other items of its dimension).
    instrument : str
        ``id@version#hash`` of the instrument.
    missing : str
        ``"complete"`` or ``"pairwise"``.
    weight : str or None
        The weight column, ``"<array>"`` for weights given as an array, or None.
    ordinal : bool
    rows : int
        Rows used (invalid interviews are left out).
    invalid_rows : int
        Interviews left out because an answer could not be read (they get no scores).
    left_out : list of str
        Items without a column in the input (``allow_missing_columns=True``).
    correlations, polychoric : dict of str to DataFrame
        Per dimension, the Pearson correlations behind ``standardized_alpha`` and (with
        ``ordinal=True``) the polychoric correlations behind ``ordinal_alpha``.
    """

    dimensions: pd.DataFrame
    items: pd.DataFrame
    instrument: str
    missing: Literal["complete", "pairwise"]
    weight: str | None
    ordinal: bool
    rows: int
    invalid_rows: int
    left_out: list[str] = field(default_factory=list)
    correlations: dict[str, pd.DataFrame] = field(default_factory=dict)
    polychoric: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __repr__(self) -> str:
        alphas = ", ".join(
            f"{d} {a:.3f}" if np.isfinite(a) else f"{d} -"
            for d, a in self.dimensions["alpha"].items()
        )
        return (
            f"<ReliabilityReport {self.instrument}: alpha {alphas} "
            f"({self.missing}, {self.rows} rows{', weighted' if self.weight else ''})>"
        )

    def _repr_html_(self) -> str:
        weight = "none" if self.weight is None else html.escape(self.weight)
        head = (
            f"<p><b>Reliability</b> of <code>{html.escape(self.instrument)}</code>: "
            f"{self.rows} rows used, {self.invalid_rows} invalid left out; "
            f"missing values: {html.escape(self.missing)}; weights: {weight}</p>"
        )
        if self.left_out:
            left = ", ".join(html.escape(i) for i in self.left_out)
            head += f"<p>Left out (no column in the input): {left}</p>"
        fmt = "{:.4f}".format
        dims = self.dimensions.reset_index().to_html(index=False, float_format=fmt, na_rep="")
        items = self.items.to_html(index=False, float_format=fmt, na_rep="")
        return head + dims + "<p><b>Items</b></p>" + items


def _weights(
    weight: Weight, table: Any, keep: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.float64] | None, str | None]:
    """Weights as float64 (one per row), checked on the rows that are used."""
    if weight is None:
        return None, None
    if isinstance(weight, str):
        raw = _pass_columns(table, [weight])[weight]
        name = weight
        values = pd.to_numeric(pd.Series(np.asarray(raw, dtype=object)), errors="coerce")
        w = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        name = "<array>"
        w = np.asarray(weight, dtype=np.float64)
        if w.shape != (table.rows,):
            raise ValueError(
                f"weight: expected one weight per row ({table.rows}), "
                f"got an array of shape {w.shape}"
            )
    bad = keep & ~(np.isfinite(w) & (w >= 0))
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        rec = table.record
        where = f"row {int(rec[r])}" if rec is not None else f"index {table.index[r]!r}"
        raise ValueError(
            f"weight {name!r}: {where}: a weight must be a finite number >= 0 "
            f"({int(bad.sum())} row(s) are not) (rule: invalid_weight)"
        )
    w = np.where(keep, w, 0.0)
    return w, name


def reliability(
    data: Data,
    instrument: str | os.PathLike[str] | Instrument = "iom-rss",
    missing: Literal["complete", "pairwise"] = "complete",
    weight: Weight = None,
    ordinal: bool = False,
    column_map: Mapping[str, str] | None = None,
    allow_missing_columns: bool = False,
    delimiter: str = "",
    sheet: str = "",
) -> ReliabilityReport:
    """Cronbach's alpha and item statistics per dimension.

    The answers are coded as for :func:`score` (values in [0, 1], reverse items
    reversed; don't know, refused, not applicable and skipped are missing). Interviews
    with an unreadable answer are left out, as they get no scores.

    Parameters
    ----------
    data : DataFrame, dict of arrays, or path
        As for :func:`score`.
    instrument : str, path or Instrument
        Instrument name (default ``"iom-rss"``) or file.
    missing : {"complete", "pairwise"}
        ``"complete"`` (default): per dimension, only the interviews that answer every
        item of it (listwise deletion, as ``pingouin.cronbach_alpha(...,
        nan_policy="listwise")``); alpha if deleted uses the same rows. ``"pairwise"``:
        each covariance/correlation over the interviews that answer both items.
    weight : str or array-like, optional
        Column of sampling weights (numbers >= 0), or one weight per row. Statistics do
        not depend on the scale of the weights.
    ordinal : bool
        Add ordinal alpha: standardised alpha of the polychoric correlations
        (Zumbo, Gadermann & Zeisser 2007), treating the distinct coded values of each
        item as ordered categories.
    column_map, allow_missing_columns, delimiter, sheet
        As for :func:`score`; with ``allow_missing_columns`` an item without a column is
        left out of its dimension.

    Returns
    -------
    ReliabilityReport

    Raises
    ------
    ValueError
        Unknown missing policy, unreadable weights, columns that cannot be matched, an
        item with too many distinct values for ``ordinal=True``.
    """
    if missing not in ("complete", "pairwise"):
        raise ValueError(
            f"missing: unknown missing-value policy {missing!r} (expected 'complete' or 'pairwise')"
        )
    ins, table, item_column, res = _run(
        data, instrument, None, False, column_map, allow_missing_columns, delimiter, sheet
    )
    keep = np.asarray(res["status"]) != _INVALID
    w, weight_name = _weights(weight, table, keep)
    include = [c >= 0 for c in item_column]
    out = _core.reliability(
        ins._core, res["values"], w, keep.astype(np.uint8), missing, ordinal, include
    )
    items_meta = ins._core.items
    dim_rows: list[dict[str, Any]] = []
    item_frames: list[pd.DataFrame] = []
    correlations: dict[str, pd.DataFrame] = {}
    polychoric: dict[str, pd.DataFrame] = {}
    for d in out["dimensions"]:
        idx = list(d["item_index"])
        ids = [items_meta[k]["id"] for k in idx]
        row: dict[str, Any] = {
            "dimension": d["dimension"],
            "items": int(d["k"]),
            "n": int(d["n"]),
            "weight_sum": float(d["weight"]),
            "alpha": d["alpha"],
            "standardized_alpha": d["standardized_alpha"],
            "mean_r": d["mean_r"],
        }
        if ordinal:
            row["ordinal_alpha"] = d["ordinal_alpha"]
            row["mean_polychoric"] = d["mean_polychoric"]
        dim_rows.append(row)
        it = d["items"]
        frame: dict[str, Any] = {
            "dimension": [d["dimension"]] * len(idx),
            "item": ids,
            "column": [table.header[item_column[k]] for k in idx],
            "n": np.asarray(it["n"]).astype(np.int64),
            "mean": it["mean"],
            "sd": it["sd"],
            "item_rest": it["item_rest"],
            "alpha_if_deleted": it["alpha_if_deleted"],
            "standardized_alpha_if_deleted": it["standardized_alpha_if_deleted"],
        }
        if ordinal:
            frame["ordinal_alpha_if_deleted"] = it["ordinal_alpha_if_deleted"]
        item_frames.append(pd.DataFrame(frame))
        correlations[d["dimension"]] = pd.DataFrame(d["correlation"], index=ids, columns=ids)
        if ordinal:
            polychoric[d["dimension"]] = pd.DataFrame(d["polychoric"], index=ids, columns=ids)
    dimensions = pd.DataFrame(dim_rows).set_index("dimension")
    items = pd.concat(item_frames, ignore_index=True) if item_frames else pd.DataFrame()
    return ReliabilityReport(
        dimensions=dimensions,
        items=items,
        instrument=out["instrument"],
        missing=missing,
        weight=weight_name,
        ordinal=ordinal,
        rows=int(out["rows"]),
        invalid_rows=int((~keep).sum()),
        left_out=[items_meta[k]["id"] for k in out["left_out"]],
        correlations=correlations,
        polychoric=polychoric,
    )
