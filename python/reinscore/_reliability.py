"""Reliability of the dimensions: Cronbach's alpha, item statistics, ordinal alpha.

Computed once, in C++ (include/reinscore/app/reliability.hpp), for the command line and
this module alike: this wrapper builds the request, hands the data over as it is and turns
the report's tables into DataFrames. Formulas, references and the missing-value policy:
docs/statistics.md.
"""

from __future__ import annotations

import html as _html
import math
import os
from collections.abc import Mapping
from typing import Any, Literal, Union

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import _core
from ._instrument import Instrument, load_instrument
from ._report import _column, frame, html
from ._table import Data, _read, _score_table, _Table

__all__ = ["ReliabilityReport", "reliability"]

Weight = Union[str, "npt.ArrayLike", None]


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
    report : reinscore._core.Report
        The report every face renders (``report.render("csv")`` is what
        ``reinscore reliability --format csv`` prints): tables ``dimensions``, ``items``
        (left-out items included, without a column), ``correlations`` and ``input``.
    """

    def __init__(self, report: _core.Report, weight: str | None, ordinal: bool) -> None:
        self.report = report
        self.dimensions: pd.DataFrame = frame(report.table("dimensions")).set_index("dimension")
        items = frame(report.table("items"))
        used = items["column"].notna().to_numpy(dtype=bool)
        self.items: pd.DataFrame = items[used].reset_index(drop=True)
        self.left_out: list[str] = [str(i) for i in items.loc[~used, "item"]]
        info = frame(report.table("input")).iloc[0]
        self.instrument: str = str(info["instrument"])
        self.missing: Literal["complete", "pairwise"] = info["missing"]
        self.weight = weight
        self.ordinal = ordinal
        self.rows = int(info["rows_used"])
        self.invalid_rows = int(info["invalid_rows"])
        self.correlations: dict[str, pd.DataFrame] = {}
        self.polychoric: dict[str, pd.DataFrame] = {}
        if report.has_table("correlations"):
            self._matrices(frame(report.table("correlations")))

    def _matrices(self, pairs: pd.DataFrame) -> None:
        # The table lists every (item, with) pair of a dimension row by row: k x k values.
        for dim in self.dimensions.index:
            rows = pairs[pairs["dimension"] == dim]
            k = math.isqrt(len(rows))
            ids = [str(i) for i in rows["item"].to_numpy()[::k]] if k else []
            self.correlations[dim] = pd.DataFrame(
                rows["r"].to_numpy().reshape(k, k), index=ids, columns=ids
            )
            if self.ordinal:
                self.polychoric[dim] = pd.DataFrame(
                    rows["polychoric"].to_numpy().reshape(k, k), index=ids, columns=ids
                )

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
        weight = "none" if self.weight is None else _html.escape(self.weight)
        head = (
            f"<p><b>Reliability</b> of <code>{_html.escape(self.instrument)}</code>: "
            f"{self.rows} rows used, {self.invalid_rows} invalid left out; "
            f"missing values: {_html.escape(self.missing)}; weights: {weight}</p>"
        )
        if self.left_out:
            left = ", ".join(_html.escape(i) for i in self.left_out)
            head += f"<p>Left out (no column in the input): {left}</p>"
        return (
            head
            + html(self.report.table("dimensions"))
            + html(self.report.table("items"))
        )


def _cells(table: _Table, name: str) -> Any:
    """Column `name` of a frame as the C++ reader takes it (numbers, or text as it is),
    when the frame has it once; the C++ side reports a column that is missing or doubled."""
    hits = [i for i, h in enumerate(table.header) if h == name]
    if len(hits) != 1:
        return None
    col = table.column(hits[0])
    assert not isinstance(col, tuple)  # frames only: files are read by the C++ reader
    return _column(col)


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
    with an unreadable answer are left out, as they get no scores. The same computation
    as ``reinscore reliability``.

    Parameters
    ----------
    data : DataFrame, dict of arrays, or path
        As for :func:`score`. A file is read by the command line's reader, in batches.
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
    InputError
        (a ValueError) An unknown missing policy (rule ``bad_option``), unreadable weights
        (``invalid_weight``), columns that cannot be matched (``missing_column``,
        ``no_item_columns``, ...), an item with too many distinct values for
        ``ordinal=True`` (``not_ordinal``).
    """
    ins = load_instrument(instrument)
    req = _core.ReliabilityRequest()
    req.missing = missing
    req.ordinal = bool(ordinal)
    req.correlations = True
    opts = req.input
    opts.column_map = {str(k): str(v) for k, v in (column_map or {}).items()}
    opts.allow_missing_columns = bool(allow_missing_columns)
    opts.delimiter = delimiter
    opts.sheet = sheet
    given: npt.NDArray[np.float64] | None = None
    if isinstance(weight, str):
        req.weight = weight
        label: str | None = weight
    elif weight is None:
        label = None
    else:
        values = np.asarray(weight)
        if values.ndim != 1 or values.dtype.kind not in "biuf":
            raise TypeError("weight: give a column name, or one number per row")
        given = values.astype(np.float64)
        label = "<array>"
    req.check()
    if isinstance(data, (str, os.PathLike)):
        source = _core.open_export(os.fspath(data), ins._core, opts, weights=given)
    else:
        table = _read(data)
        item_column = _core.bind_export(
            ins._core, table.header, opts.column_map, opts.allow_missing_columns
        )
        res = _score_table(ins, table, item_column, False, table.defects)
        columns: list[tuple[str, Any]] = []
        if req.weight and (cells := _cells(table, req.weight)) is not None:
            columns.append((req.weight, cells))
        source = _core.coded_export(
            res["values"], res["reasons"], res["status"], table.header, columns, given, opts
        )
    report = _core.reliability(source, ins._core, req)
    return ReliabilityReport(report, label, bool(ordinal))
