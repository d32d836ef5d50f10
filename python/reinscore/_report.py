"""Reports of the application layer as pandas objects, and its inputs from pandas.

Every command is computed once, in C++ (include/reinscore/app): it returns a
``_core.Report`` of typed tables. This module only turns those tables into DataFrames and
HTML, and hands DataFrames to the C++ scores-table reader as they are (no number, weight
or tag is parsed here).
"""

from __future__ import annotations

import html as _html
import math
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import _core
from ._errors import _OPTION, _python_name

__all__ = ["frame", "html", "note_text", "scores_table", "search", "suppressed", "warn_notes"]

_VALUE, _MISSING, _SUPPRESSED = 0, 1, 2


def frame(table: _core.ReportTable) -> pd.DataFrame:
    """The table as a DataFrame: text columns as object (None where missing), counts and
    integers as ``Int64`` (NA where missing or suppressed), numbers and p-values as float64."""
    data: dict[str, Any] = {}
    for c in table.columns:
        state = c.state
        if c.kind == "text":
            values = np.array(c.text, dtype=object)
            if len(values):
                values[state != _VALUE] = None
            data[c.name] = values
        elif c.kind in ("count", "integer"):
            v = np.asarray(c.values)
            mask = (state != _VALUE) | np.isnan(v)
            data[c.name] = pd.arrays.IntegerArray(np.where(mask, 0, v).astype(np.int64), mask)
        else:
            data[c.name] = np.array(c.values, dtype=float)  # a copy the frame owns
    return pd.DataFrame(data, columns=[c.name for c in table.columns])


def suppressed(table: _core.ReportTable) -> npt.NDArray[np.bool_]:
    """Per row: True when a cell of it is suppressed (a group below the minimum cell)."""
    out = np.zeros(table.rows, dtype=bool)
    for c in table.columns:
        out |= c.state == _SUPPRESSED
    return out


def _cell(c: _core.ReportColumn, r: int, state: int, min_cell: int) -> str:
    if state == _SUPPRESSED:
        return f"&lt;{min_cell}"
    if state == _MISSING:
        return ""
    if c.kind == "text":
        return _html.escape(c.text[r])
    x = float(c.values[r])
    if math.isnan(x):
        return ""
    if c.kind in ("count", "integer"):
        return f"{x:.0f}"
    return f"{x:.{c.digits}f}" if c.digits >= 0 else f"{x:g}"


def html(table: _core.ReportTable, title: str | None = None, max_rows: int = 200) -> str:
    """The table as HTML, with the command line's terminal spellings (digits, ``<N``)."""
    cols = table.columns
    states = [c.state for c in cols]
    head = "".join(f"<th>{_html.escape(c.name)}</th>" for c in cols)
    body = []
    for r in range(min(table.rows, max_rows)):
        cells = "".join(f"<td>{_cell(c, r, int(s[r]), table.min_cell)}</td>" for c, s in zip(cols, states))
        body.append(f"<tr>{cells}</tr>")
    more = f"<p>{table.rows - max_rows} more row(s)</p>" if table.rows > max_rows else ""
    caption = f"<p><b>{_html.escape(title if title is not None else table.title)}</b></p>"
    return f"{caption}<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def note_text(text: str) -> str:
    """A note of the report with option names spelled the Python way (``min_cell``)."""
    return _OPTION.sub(lambda m: _python_name(m.group(0)), text)


def warn_notes(report: _core.Report, stacklevel: int = 3) -> None:
    """Each warning note of the report as a Python warning (info notes stay in the report)."""
    for level, text in report.notes:
        if level == "warning":
            warnings.warn(note_text(text), stacklevel=stacklevel)


def _column(series: pd.Series) -> Any:
    """A column as the C++ reader takes it (bindings/register_app.cpp, raw_column):
    float64 for real numbers, whole numbers as an integer array with a mask of missing
    cells, else a list of str (None for missing). Values are handed over, never parsed
    or formatted here; a categorical column goes as its categories' values."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        cats = _column(pd.Series(series.cat.categories))
        if isinstance(cats, tuple):
            return cats[0][np.maximum(codes, 0)], codes < 0
        if isinstance(cats, np.ndarray):
            return np.where(codes < 0, np.nan, cats[np.maximum(codes, 0)])
        labels = np.array([*cats, None], dtype=object)
        return labels[codes].tolist()  # code -1 is the None at the end
    if pd.api.types.is_datetime64_any_dtype(dtype):
        # Dates as the exports write them (yyyy-mm-dd; with a time when there is one).
        def iso(x: Any) -> str | None:
            if x is None or x is pd.NaT or pd.isna(x):
                return None
            return str(x.strftime("%Y-%m-%d") if x == x.normalize() else x.isoformat())
        return [iso(x) for x in series]
    if pd.api.types.is_integer_dtype(dtype):
        # Exact beyond 2**53 (ids); the C++ side writes their digits and types them again.
        numpy_dtype: Any = getattr(dtype, "numpy_dtype", dtype)  # nullable Int64 -> int64
        return series.to_numpy(dtype=numpy_dtype, na_value=0), series.isna().to_numpy()
    if pd.api.types.is_bool_dtype(dtype):
        return [None if pd.isna(x) else str(x) for x in series.astype(object)]
    if pd.api.types.is_numeric_dtype(dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    return [None if (x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))) else str(x)
            for x in series.astype(object)]


def scores_table(
    scores: pd.DataFrame,
    want: Iterable[tuple[str, str]] = (),
    allow_mixed: bool = False,
    need_status: bool = False,
    all_columns: bool = False,
) -> _core.ScoresTable:
    """A DataFrame of scores as the application layer's ScoresTable.

    Only the score, coverage, status, category and instrument columns and the wanted
    ones (``(column, parameter)`` pairs, for messages) are handed over, unless
    ``all_columns``. A wanted column that is missing raises InputError(missing_column).
    """
    want = list(want)
    names = {str(c) for c in scores.columns}
    wanted = {c for c, _ in want}
    keep = []
    for c in scores.columns:
        name = str(c)
        if (all_columns or name in wanted or name in ("composite", "status", "instrument", "category")
                or name.startswith("coverage_") or f"coverage_{name}" in names):
            keep.append((name, _column(scores[c])))
    return _core.scores_table(keep, want=want, allow_mixed=allow_mixed, need_status=need_status,
                              all_columns=all_columns)


def _builtin_dirs() -> list[str]:
    here = Path(__file__).resolve().parent
    return [str(here / "instruments"), str(here.parent.parent / "data" / "instruments")]


def search() -> _core.InstrumentSearch:
    """Where instrument names are looked up: $REINSCORE_INSTRUMENT_PATH, then the
    instruments inside the package (and a source checkout's data/instruments)."""
    return _core.InstrumentSearch.from_environment(_builtin_dirs())


def names(values: Sequence[str] | str | None) -> list[str]:
    """A column name or a sequence of them as a list (None: empty)."""
    if values is None:
        return []
    return [values] if isinstance(values, str) else list(values)
