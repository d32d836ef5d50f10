"""Checking an export against an instrument without scoring it.

A typed wrapper: the report is computed by the C++ application layer
(``include/reinscore/app/validate.hpp``), the same code as ``reinscore validate``; this
module hands it the file or the DataFrame's columns and builds DataFrames from the report.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import _core, _report
from ._instrument import Instrument, load_instrument
from ._table import Data, _as_frame

__all__ = ["ValidationReport", "validate"]


class ValidationReport:
    """What is wrong with an export, column by column.

    Attributes
    ----------
    problems : pandas.DataFrame
        One row per problem: ``rule, column, answer, count, first_rows``. ``answer`` is
        the unreadable answer itself only when ``show_codes=True`` (answers may be
        personal data); otherwise a number per distinct answer within the column (``#1``).
        ``first_rows`` lists the first rows concerned (at most five).
    summary : dict
        ``rows, items, items_matched, invalid_rows, clean, instrument``.
    cells : pandas.DataFrame
        Per column bound to an item: the count of its cells for each reason
        (``answered, dont_know, refused, not_applicable, skipped, invalid_code,
        out_of_range``).
    report : reinscore._core.Report
        The report itself, as ``reinscore validate --format json`` prints it
        (``report.render("json")``).
    """

    def __init__(self, report: _core.Report, labels: pd.Index | None = None) -> None:
        self.report = report
        table = report.table("problems")
        problems = _report.frame(table)[["rule", "column", "answer", "count"]]
        # The listed rows, typed (never read back from the "3, 5, ..." text).
        listed = _report.frame(report.table("problem_rows"))
        first: list[list[Any]] = [[] for _ in range(table.rows)]
        for p, row in zip(listed["problem"].to_numpy(), listed["row"].to_numpy()):
            # Frames: rows are 1-based positions, shown as the frame's index labels.
            first[int(p) - 1].append(_label(labels[int(row) - 1]) if labels is not None else int(row))
        problems["first_rows"] = pd.Series(first, dtype=object, index=problems.index)
        self.problems = problems
        s = _report.frame(report.table("summary")).iloc[0]
        self.summary: dict[str, Any] = {
            "rows": int(s["rows"]),
            "items": int(s["items"]),
            "items_matched": int(s["items_matched"]),
            "invalid_rows": int(s["invalid_rows"]),
            "clean": bool(_core.validate_is_clean(report)),
            "instrument": str(s["instrument"]),
        }
        self.cells = _report.frame(report.table("cells"))

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
        # Missing cells (None or NA) are shown empty; rows as the frame's labels.
        shown = self.problems.astype(object).where(self.problems.notna(), "")
        return head + shown.to_html(index=False)


def _label(x: Any) -> Any:
    """A row label as a plain Python value (numpy integers become int)."""
    return int(x) if isinstance(x, np.integer) else x


def _frame_column(s: pd.Series) -> Any:
    """A column as app::validate_frame takes it: numbers as float64, anything else as
    (codes, distinct cells as text). The cells are handed over, never parsed here."""
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    except TypeError as e:  # unhashable cells: lists, arrays, dicts
        raise TypeError(
            f"column {s.name!r}: answers must be strings or numbers ({e}) (rule: answer_type)"
        ) from None
    return (np.asarray(codes, dtype=np.int64), [str(u) for u in uniques])


def validate(
    data: Data,
    instrument: str | os.PathLike[str] | Instrument = "iom-rss",
    column_map: Mapping[str, str] | None = None,
    show_codes: bool = False,
    delimiter: str = "",
    sheet: str = "",
) -> ValidationReport:
    """Check data against an instrument: columns, unreadable answers, malformed rows.

    The report of ``reinscore validate``, computed by the same code.

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

    Raises
    ------
    reinscore.InputError
        For a file that cannot be read (``rule`` says why) or a bad ``delimiter``.
    """
    ins = load_instrument(instrument)
    request = _core.ValidateRequest()
    request.show_codes = bool(show_codes)
    request.delimiter = delimiter
    request.sheet = sheet
    mapping = {str(k): str(v) for k, v in (column_map or {}).items()}
    if isinstance(data, (str, os.PathLike)):
        return ValidationReport(_core.validate_file(os.fspath(data), ins._core, mapping, request))
    frame = _as_frame(data)
    columns = [(str(c), _frame_column(frame.iloc[:, i])) for i, c in enumerate(frame.columns)]
    report = _core.validate_frame(columns, ins._core, mapping, request)
    return ValidationReport(report, frame.index)
