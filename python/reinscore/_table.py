"""Input tables for every entry point: reading files and frames into named columns,
binding them to items, and coding and scoring them with the compiled core.

Internal: score, validate, fit, reliability, sensitivity and the levels share it."""

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


def _as_frame(data: object) -> pd.DataFrame:
    """A DataFrame or a dict of arrays as a DataFrame (paths are read elsewhere)."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Mapping):
        return pd.DataFrame(dict(data))
    raise TypeError(f"data must be a pandas DataFrame, a dict of arrays or a path, not {type(data).__name__}")


def _read(
    data: Data,
    delimiter: str = "",
    sheet: str = "",
    select: Callable[[list[str]], Collection[int]] | None = None,
) -> _Table:
    """Normalise the input; from a file, read only the columns `select(header)` names
    (all when `select` is None). The reader calls `select` once it has the header."""
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        raw = _core.read_table(str(path), delimiter, sheet, select)
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
    frame = _as_frame(data)
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


def _blank_unreadable(out: dict[str, Any], names: list[str], res: ScoreArrays) -> None:
    """Empties the copied fields the core found unreadable (ragged rows, invalid UTF-8)."""
    unreadable = res.get("pass_unreadable", [])
    if not unreadable:
        return
    for j, name in enumerate(names):
        rows = [r for r, k in unreadable if k == j]
        if rows:
            values = np.asarray(out[name], dtype=object).copy()
            values[rows] = ""
            out[name] = _text(values)


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
    pass_columns: Sequence[str] = (),
) -> tuple[Instrument, _Table, list[int], ScoreArrays]:
    """Read, bind and score. With `keep`, a file is read for the item columns and the
    columns named in `keep` only; without it, every column is read. `pass_columns` (names
    copied to the output) get `problems` entries and `pass_unreadable` when a row's field
    cannot be copied."""
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
    passed = [table.header.index(n) for n in pass_columns if n in table.header]
    res = _score_table(ins, table, item_column, explain, table.defects, passed)
    return ins, table, item_column, res


def _score_table(
    ins: Instrument,
    table: _Table,
    item_column: list[int],
    explain: bool,
    defects: npt.NDArray[np.uint8] | None,
    pass_columns: Sequence[int] = (),
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
        pass_columns=list(pass_columns),
    )
