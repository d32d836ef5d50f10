"""Scoring DataFrames, dicts of arrays and files with the compiled core."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from ._instrument import Instrument
from ._table import Data, _blank_unreadable, _pass_columns, _problems, _run, _text

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
    pseudonymise: str | os.PathLike[str] | None = None,
    pseudonymise_columns: Sequence[str] = (),
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
    pseudonymise : str or path, optional
        A key file made by ``reinscore keygen``. The ``id`` columns (and the
        ``pseudonymise_columns``) are then written as keyed pseudonyms: the first 32 hex
        digits of HMAC-SHA256 of the value (trimmed of surrounding spaces and tabs), the
        same as ``reinscore score --pseudonymise`` writes for the same key; empty values
        stay empty. Non-text values are turned into text first (whole floats as integers,
        so that ``12.0`` and ``"12"`` agree). See docs/privacy.md for what this does and
        does not protect.
    pseudonymise_columns : list of str
        ``keep`` columns to pseudonymise too (``--pseudonymise-column``); needs
        ``pseudonymise``.

    Returns
    -------
    pandas.DataFrame
        Same columns and order as ``reinscore score``, with the input's index. Missing
        scores are NaN, never 0. From a file, an ``id``/``keep`` value is copied only
        when its field was read cleanly: in a ragged row (wrong field count, e.g. a
        wrong delimiter) or for a field that is not UTF-8 it is empty, and ``problems``
        says ``COLUMN: id_unreadable: REASON``.

    Raises
    ------
    ValueError
        Unknown instrument or weights, columns that cannot be matched, unreadable files,
        a malformed key file, ``pseudonymise_columns`` that are not kept.
    TypeError
        Unsupported input or column types.
    """
    ids = [id] if isinstance(id, str) else list(id or [])
    hidden = _pseudonymised_columns(ids, list(keep), pseudonymise, pseudonymise_columns)
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
        pass_columns=ids + list(keep),
    )
    out: dict[str, Any] = _pass_columns(table, ids + list(keep))
    _blank_unreadable(out, ids + list(keep), res)
    if pseudonymise is not None:
        for name in hidden:
            out[name] = _pseudonyms(out[name], pseudonymise)
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


def _pseudonymised_columns(
    ids: list[str],
    keep: list[str],
    key: str | os.PathLike[str] | None,
    columns: Sequence[str],
) -> list[str]:
    """The output columns to pseudonymise, checked as the command line checks them."""
    names = [columns] if isinstance(columns, str) else list(columns)
    if key is None:
        if names:
            raise ValueError("pseudonymise_columns needs pseudonymise=KEYFILE")
        return []
    _core.pseudonymise(os.fspath(key), [])  # a bad key file fails before any reading
    for n in names:
        if n not in ids and n not in keep:
            raise ValueError(
                f"column {n!r}: pseudonymise_columns names a column that is not copied to the "
                "output (add it to keep) (rule: pseudonymise_column)"
            )
    return list(dict.fromkeys(ids + [n for n in keep if n in names]))


def _id_text(v: Any) -> str:
    """A value as the text a CSV export would hold: empty for missing, whole floats
    without a decimal part (pandas reads an integer id column with gaps as floats)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return ""
        if float(v).is_integer():
            return str(int(v))
    if isinstance(v, (np.integer, np.bool_)):
        return str(v.item())
    return str(v)


def _pseudonyms(values: Any, key: str | os.PathLike[str]) -> Any:
    """Keyed pseudonyms of a column, computed once per distinct value by the core."""
    codes, uniques = pd.factorize(pd.Series(np.asarray(values, dtype=object)), use_na_sentinel=True)
    texts = [_id_text(u) for u in uniques] + [""]  # the last entry: missing (code -1)
    mapped = np.asarray(_core.pseudonymise(os.fspath(key), texts), dtype=object)
    return _text(mapped[codes])


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
