"""Scoring DataFrames, dicts of arrays and files with the compiled core."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from ._instrument import Instrument
from ._table import Data, _pass_columns, _problems, _run, _text

__all__ = ["Data", "explain", "score"]


def score(
    data: Data,
    instrument: str | os.PathLike[str] | Instrument = "iom-rss",
    weights: str | os.PathLike[str] | pd.DataFrame | None = None,
    id: str | Sequence[str] | None = None,
    keep: Sequence[str] = (),
    explain: bool = False,
    column_map: Mapping[str, str] | None = None,
    allow_missing_columns: bool = False,
    delimiter: str = "",
    sheet: str = "",
) -> pd.DataFrame:
    """Score every interview.

    Parameters
    ----------
    data : DataFrame, dict of arrays, or path
        One row per interview. Answer columns may hold choice names, labels or numeric
        codes as strings, categoricals, integers or floats (NaN for empty); a path is
        read with the same CSV/XLSX readers as the command line.
    instrument : str, path or Instrument
        Instrument name (default ``"iom-rss"``) or file.
    weights : str, path or DataFrame, optional
        A weight set of the instrument, a weight file, or a weight table.
    id, keep : column names
        Columns copied to the output, first ``id`` then ``keep``.
    explain : bool
        Add ``contrib.ITEM`` and ``lost.ITEM``: each item's share of its dimension
        score and the points its answer cost.
    column_map : mapping, optional
        Input column name to item id, overriding the instrument's names.
    allow_missing_columns : bool
        Score even if item columns are absent (their answers count as skipped).
    delimiter, sheet : str
        For paths: the CSV delimiter (default detected) and the XLSX sheet.

    Returns
    -------
    pandas.DataFrame
        Same columns and order as ``reinscore score``, with the input's index. Missing
        scores are NaN, never 0.

    Raises
    ------
    ValueError
        Unknown instrument or weights, columns that cannot be matched, unreadable files.
    TypeError
        Unsupported input or column types.
    """
    ids = [id] if isinstance(id, str) else list(id or [])
    ins, table, _, res = _run(
        data,
        instrument,
        weights,
        explain,
        column_map,
        allow_missing_columns,
        delimiter,
        sheet,
        keep=ids + list(keep),
    )
    out: dict[str, Any] = _pass_columns(table, ids + list(keep))
    dims = ins.dimensions
    for j, d in enumerate(dims):
        out[d] = res["dimension"][:, j]
    out["composite"] = res["composite"]
    for j, d in enumerate(dims):
        out[f"coverage_{d}"] = res["coverage"][:, j]
    out["status"] = pd.Categorical.from_codes(
        res["status"].astype(np.int8), dtype=pd.CategoricalDtype(list(_core.status_names))
    )
    out["lowest_dimension"] = pd.Categorical.from_codes(
        res["lowest"].astype(np.int8), dtype=pd.CategoricalDtype(dims)
    )
    th = ins.thresholds
    if th is not None:
        labels = [c[0] for c in th["categories"]]
        out["category"] = pd.Categorical.from_codes(
            res["category"].astype(np.int16), dtype=pd.CategoricalDtype(labels)
        )
    out["problems"] = _text(_problems(table, res))
    # A scalar is broadcast by pandas (fast); with no rows it would leave an object column.
    out["instrument"] = ins.tag if table.rows else _text(np.empty(0, dtype=object))
    if explain:
        items = [it["id"] for it in ins._core.items]
        for k, it in enumerate(items):
            out[f"contrib.{it}"] = res["contrib"][:, k]
        for k, it in enumerate(items):
            out[f"lost.{it}"] = res["lost"][:, k]
    return pd.DataFrame(out, index=table.index)


def explain(
    row: pd.Series[Any] | pd.DataFrame | Mapping[str, Any],
    instrument: str | os.PathLike[str] | Instrument = "iom-rss",
    weights: str | os.PathLike[str] | pd.DataFrame | None = None,
    column_map: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Per-item contributions for one interview: why a score is what it is.

    Parameters
    ----------
    row : Series, one-row DataFrame, or mapping of column to answer
    instrument, weights, column_map
        As for :func:`score`.

    Returns
    -------
    pandas.DataFrame
        One row per item: ``item, dimension, reason, value, weight, contribution,
        lost``. ``weight`` is the item's share among the answered items of its
        dimension; ``contribution`` (weight x value) sums to the dimension score and
        ``lost`` (weight x (1 - value)) is what the answer cost it.
    """
    if isinstance(row, pd.Series):
        frame = row.to_frame().T
    elif isinstance(row, pd.DataFrame):
        frame = row
    else:
        frame = pd.DataFrame({k: [v] for k, v in row.items()})
    if len(frame) != 1:
        raise ValueError(f"explain takes one interview, got {len(frame)} rows")
    frame = frame.reset_index(drop=True).astype(object)
    ins, _, _, res = _run(frame, instrument, weights, True, column_map, True, "", "")
    items = ins._core.items
    contrib = res["contrib"][0]
    lost = res["lost"][0]
    return pd.DataFrame(
        {
            "item": [it["id"] for it in items],
            "dimension": [it["dimension"] for it in items],
            "reason": [_core.reason_names[r] for r in res["reasons"][0]],
            "value": res["values"][0],
            "weight": contrib + lost,
            "contribution": contrib,
            "lost": lost,
        }
    )
