"""Checking an export against an instrument without scoring it."""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from ._instrument import Instrument, load_instrument
from ._table import Data, _read, _score_table

__all__ = ["ValidationReport", "validate"]

_MAX_ROWS_LISTED = 5


class ValidationReport:
    """What is wrong with an export, column by column.

    Attributes
    ----------
    problems : pandas.DataFrame
        One row per problem: ``rule, column, answer, count, first_rows``. ``answer`` is
        the unreadable answer itself only when ``show_codes=True`` (answers may be
        personal data); otherwise a number per distinct answer within the column.
    summary : dict
        ``rows, items, items_matched, invalid_rows, clean, instrument``.
    """

    def __init__(self, problems: pd.DataFrame, summary: dict[str, Any]) -> None:
        self.problems = problems
        self.summary = summary

    @property
    def clean(self) -> bool:
        """True when nothing needs fixing."""
        return bool(self.summary["clean"])

    def __repr__(self) -> str:
        s = self.summary
        state = "clean" if self.clean else f"{len(self.problems)} problem(s)"
        return f"<ValidationReport {s['rows']} rows, {s['items_matched']}/{s['items']} items matched: {state}>"

    def _repr_html_(self) -> str:
        s = self.summary
        head = (
            f"<p><b>Validation</b> against <code>{html.escape(s['instrument'])}</code>: "
            f"{s['rows']} rows, {s['items_matched']} of {s['items']} items matched, "
            f"{s['invalid_rows']} row(s) would be invalid &mdash; "
            f"<b>{'clean' if self.clean else 'problems found'}</b></p>"
        )
        if self.problems.empty:
            return head
        # Missing cells (None, NaN or NA, depending on the column's dtype) are shown empty.
        shown = self.problems.astype(object).where(self.problems.notna(), "")
        return head + shown.to_html(index=False)


def _trim(s: str) -> str:
    """Spaces and tabs off both ends, carriage returns off the end: the core's trim."""
    return s.lstrip(" \t").rstrip(" \t\r")


def _label(x: Any) -> Any:
    """A row label as a plain Python value (numpy integers become int)."""
    return int(x) if isinstance(x, np.integer) else x


def validate(
    data: Data,
    instrument: str | os.PathLike[str] | Instrument = "iom-rss",
    column_map: Mapping[str, str] | None = None,
    show_codes: bool = False,
    delimiter: str = "",
    sheet: str = "",
) -> ValidationReport:
    """Check data against an instrument: columns, unreadable answers, malformed rows.

    Parameters
    ----------
    data : DataFrame, dict of arrays, or path
    instrument : str, path or Instrument
    column_map : mapping, optional
    show_codes : bool
        Put the unreadable answers themselves in the report (off by default).
    delimiter, sheet : str
        For paths, as in :func:`reinscore.score`.

    Returns
    -------
    ValidationReport
        Row numbers are spreadsheet rows (header = 1) for files, index labels for
        DataFrames.
    """
    rows: list[dict[str, Any]] = []
    table = _read(data, delimiter, sheet)
    ins = load_instrument(instrument)
    item_column, header_problems = _core.bind_columns(ins._core, table.header, dict(column_map or {}))
    # Same order as `reinscore validate`: no data, header problems, row defects, answers.
    if table.rows == 0:
        rows.append({"rule": "no_data_rows", "column": None, "answer": None, "count": 0, "first_rows": []})
    for p in header_problems:
        rows.append({"rule": p["rule"], "column": p["column"], "answer": None, "count": None, "first_rows": []})
    labels = table.record if table.record is not None else np.asarray(table.index)
    defects = table.defects if table.defects is not None else np.zeros(table.rows, np.uint8)
    for code, rule in ((1, "ragged_row"), (2, "empty_row"), (3, "invalid_utf8")):
        hit = np.flatnonzero(defects == code)
        if len(hit):
            rows.append({"rule": rule, "column": None, "answer": None, "count": len(hit),
                         "first_rows": [_label(x) for x in labels[hit[:_MAX_ROWS_LISTED]]]})
    invalid_rows = int((defects > 0).sum())
    if table.rows and any(c >= 0 for c in item_column):
        # Every matched column is checked, whatever else is wrong with the header (a
        # duplicate column is left unmatched by the binding). Rows with invalid UTF-8 are
        # read as the command line's validate reads them; blank and ragged rows are not.
        res = _score_table(ins, table, item_column, False, None)
        reasons = res["reasons"]
        bad = np.isin(reasons, (5, 6)) & ((defects == 0) | (defects == 3))[:, None]
        invalid_rows = int((bad.any(axis=1) | (defects > 0)).sum())
        for k, c in enumerate(item_column):
            if c < 0 or not bad[:, k].any():
                continue
            hit = np.flatnonzero(bad[:, k])
            col = table.column(c)
            if isinstance(col, tuple):
                values = np.asarray(list(col[1]), dtype=object)[col[0][hit]]
            else:
                values = col.to_numpy()[hit]
            keys = pd.Series([_trim(str(v)) for v in values], dtype=object)
            for n, (value, idx) in enumerate(keys.groupby(keys, sort=True).groups.items(), start=1):
                pos = hit[np.asarray(idx)]
                rows.append({
                    "rule": _core.reason_names[int(reasons[pos[0], k])],
                    "column": table.header[c],
                    "answer": value if show_codes else f"#{n}",
                    "count": len(pos),
                    "first_rows": [_label(x) for x in labels[pos[:_MAX_ROWS_LISTED]]],
                })
    problems = pd.DataFrame(rows, columns=["rule", "column", "answer", "count", "first_rows"])
    problems["count"] = problems["count"].astype("Int64")
    summary = {
        "rows": table.rows,
        "items": len(ins._core.items),
        "items_matched": sum(1 for c in item_column if c >= 0),
        "invalid_rows": invalid_rows,
        "clean": problems.empty,
        "instrument": ins.tag,
    }
    return ValidationReport(problems, summary)
