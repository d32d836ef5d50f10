"""Scoring DataFrames, dicts of arrays and files with the compiled core."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import _core
from ._instrument import Instrument, load_instrument

if TYPE_CHECKING:
    from ._core import CoreColumn, ScoreArrays

__all__ = ["score", "explain", "Data"]

Data = Union[pd.DataFrame, Mapping[str, Any], str, "os.PathLike[str]"]



# A column of the input: a pandas Series (frames and dicts) or, from the file readers,
# int64 codes into the distinct texts.
_Column = Union["pd.Series[Any]", tuple["npt.NDArray[np.int64]", list[str]]]


@dataclass
class _Table:
    """Input normalised to named columns, plus what only a file reader can know."""

    header: list[str]
    columns: list[_Column | None]  # None: a file column that was not read
    index: pd.Index
    rows: int
    record: npt.NDArray[np.uint64] | None = None  # spreadsheet row numbers (files only)
    defects: npt.NDArray[np.uint8] | None = None  # 0 none, 1 ragged, 2 empty, 3 invalid UTF-8
    fields: npt.NDArray[np.uint32] | None = None
    bad_utf8: dict[int, list[int]] | None = None  # row -> columns that are not UTF-8

    def column(self, i: int) -> _Column:
        col = self.columns[i]
        if col is None:  # a caller asked for too few columns: a bug, not bad input
            raise RuntimeError(f"column {self.header[i]!r} was not read")
        return col


def _read(
    data: Data,
    delimiter: str = "",
    sheet: str = "",
    select: Callable[[list[str]], Collection[int]] | None = None,
) -> _Table:
    """Normalise the input; from a file, read only the columns `select(header)` names
    (all when `select` is None, and for standard input, which cannot be read twice)."""
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        wanted: list[int] | None = None
        if select is not None and str(data) != "-":
            wanted = sorted(select(_core.read_header(str(path), delimiter, sheet)))
        raw = _core.read_table(str(path), delimiter, sheet, wanted)
        header = list(raw["header"])
        n = len(raw["record"])
        fields = np.asarray(raw["fields"])
        defects = np.zeros(n, dtype=np.uint8)
        # Same precedence as the command line (io/batch.cpp): a blank row (judged by the
        # reader over all of its fields) is empty, else a row of the wrong width is ragged,
        # else a row with invalid UTF-8 is that.
        defects[fields != len(header)] = 1
        defects[(np.asarray(raw["flags"]) & 1).astype(bool) & (defects == 0)] = 3
        defects[np.asarray(raw["blank"]).astype(bool)] = 2
        bad: dict[int, list[int]] = {}
        for r, c in raw["bad_utf8"]:
            bad.setdefault(int(r), []).append(int(c))
        cols: list[_Column | None] = list(raw["columns"])
        return _Table(header, cols, pd.RangeIndex(n), n, np.asarray(raw["record"]), defects, fields, bad)
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, Mapping):
        frame = pd.DataFrame(dict(data))
    else:
        raise TypeError(
            f"data must be a pandas DataFrame, a dict of arrays or a path, not {type(data).__name__}"
        )
    header = [str(c) for c in frame.columns]
    columns: list[_Column | None] = [frame.iloc[:, i] for i in range(frame.shape[1])]
    return _Table(header, columns, frame.index, len(frame))


def _as_core_column(col: _Column, name: str) -> CoreColumn:
    """('num', float64) or ('cat', int64 codes, categories) without per-cell Python work."""
    if isinstance(col, tuple):  # already factorised by the file reader
        codes, texts = col
        return ("cat", codes, list(texts))
    s = col
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return ("cat", s.cat.codes.to_numpy(dtype=np.int64), _categories(s.cat.categories, name))
    if pd.api.types.is_bool_dtype(dtype):
        raise TypeError(f"column {name!r}: booleans are not answer codes (rule: answer_type)")
    if pd.api.types.is_numeric_dtype(dtype):
        return ("num", s.to_numpy(dtype=np.float64, na_value=np.nan))
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    except TypeError as e:  # unhashable cells: lists, arrays, dicts
        raise TypeError(
            f"column {name!r}: answers must be strings or numbers ({e}) (rule: answer_type)"
        ) from None
    return ("cat", np.asarray(codes, dtype=np.int64), _categories(uniques, name))


def _categories(cats: Any, name: str) -> list[_core.Category]:
    out: list[_core.Category] = []
    for c in list(cats):
        if c is None or (isinstance(c, float) and np.isnan(c)) or c is pd.NA:
            out.append(None)
        elif isinstance(c, (str, int, float, np.integer, np.floating)) and not isinstance(
            c, (bool, np.bool_)
        ):
            out.append(c.item() if isinstance(c, (np.integer, np.floating)) else c)
        else:
            raise TypeError(
                f"column {name!r}: answers must be strings or numbers, found {type(c).__name__} "
                "(rule: answer_type)"
            )
    return out


def _bind(ins: Instrument, header: list[str], column_map: Mapping[str, str] | None,
          allow_missing_columns: bool) -> list[int]:
    item_column, problems = _core.bind_columns(ins._core, header, dict(column_map or {}))
    lines = [
        f"column {p['column']!r}: {p['message']} (rule: {p['rule']})"
        for p in problems
        if p["fatal"] and not (allow_missing_columns and p["rule"] == "missing_column")
    ]
    if item_column and all(c < 0 for c in item_column):
        # As the command line: nothing to score is an error, even with missing columns allowed.
        lines.append(
            f"no column of the input matches an item of instrument {ins.id!r} "
            "(check the delimiter, or use column_map) (rule: no_item_columns)"
        )
    if lines:
        raise ValueError(f"cannot score: {'; '.join(lines)}")
    return list(item_column)


def _pass_columns(table: _Table, names: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        hits = [i for i, h in enumerate(table.header) if h == name]
        if not hits:
            raise ValueError(f"column {name!r}: not in the input (rule: missing_column)")
        if len(hits) > 1:
            raise ValueError(f"column {name!r}: appears more than once (rule: duplicate_column)")
        col = table.column(hits[0])
        if isinstance(col, tuple):
            codes, cats = col
            out[name] = _text(np.asarray(list(cats), dtype=object)[codes])
        else:
            out[name] = col.array  # the input's own dtype, without its index
    return out


def _text(values: npt.NDArray[np.object_]) -> Any:
    """Strings as pandas' text dtype (``str`` from pandas 3, object before), whatever the
    number of rows: so that results of empty and non-empty inputs concatenate cleanly."""
    return pd.Series(values, dtype=object, copy=False).astype(str).array


def _problems(table: _Table, res: ScoreArrays) -> npt.NDArray[np.object_]:
    """The command line's `problems` column: built in C++ by the same code
    (io::row_problems), for the rows that have any."""
    out = np.full(table.rows, "", dtype=object)
    for r, text in res["problems"]:
        out[r] = text
    return out


def _run(
    data: Data,
    instrument: str | os.PathLike[str] | Instrument,
    weights: str | os.PathLike[str] | pd.DataFrame | None,
    explain: bool,
    column_map: Mapping[str, str] | None,
    allow_missing_columns: bool,
    delimiter: str,
    sheet: str,
    keep: Sequence[str] | None = None,
) -> tuple[Instrument, _Table, list[int], ScoreArrays]:
    """Read, bind and score. With `keep`, a file is read for the item columns and the
    columns named in `keep` only; without it, every column is read."""
    ins = load_instrument(instrument)
    if weights is not None:
        ins = ins.with_weights(weights)
    select: Callable[[list[str]], Collection[int]] | None = None
    if keep is not None:
        names = set(keep)

        def needed(header: list[str]) -> set[int]:
            items = _bind(ins, header, column_map, allow_missing_columns)
            return {c for c in items if c >= 0} | {i for i, h in enumerate(header) if h in names}

        select = needed
    table = _read(data, delimiter, sheet, select)
    item_column = _bind(ins, table.header, column_map, allow_missing_columns)
    res = _score_table(ins, table, item_column, explain, table.defects)
    return ins, table, item_column, res


def _score_table(
    ins: Instrument,
    table: _Table,
    item_column: list[int],
    explain: bool,
    defects: npt.NDArray[np.uint8] | None,
) -> ScoreArrays:
    """Scores of the bound columns (-1: no column); rows with `defects` are invalid."""
    cols: list[CoreColumn] = [
        None if c < 0 else _as_core_column(table.column(c), table.header[c]) for c in item_column
    ]
    bad = [(r, c) for r, cs in (table.bad_utf8 or {}).items() for c in cs]
    return _core.score_columns(
        ins._core,
        cols,
        table.rows,
        "",
        explain,
        defects,
        header=table.header,
        item_column=item_column,
        fields=table.fields,
        bad_utf8=bad,
    )


def score(
    data: Data,
    instrument: str | os.PathLike[str] | Instrument = "iom-rss",
    weights: str | os.PathLike[str] | pd.DataFrame | None = None,
    id: str | Sequence[str] | None = None,  # noqa: A002 - the CLI's option name
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
    ins, table, item_column, res = _run(
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
