"""The evaluators' report: one call from an export (or a scores file) to a document.

Everything is computed and written by the C++ application layer
(include/reinscore/app/evaluation.hpp), the same code as ``reinscore report``: for the
same file and options, :meth:`EvaluationReport.save` writes the same bytes as the command
line.
"""

from __future__ import annotations

import html as _html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from . import _core
from ._report import frame, names, search

__all__ = ["EvaluationReport", "report"]


class EvaluationReport:
    """The report of :func:`report`.

    Attributes
    ----------
    title : str
    lang : str
        ``en``, ``fr`` or ``pt``.
    banners : list of str
        The PROVISIONAL and SYNTHETIC warnings the document shows under its title.
    tables : dict of str to DataFrame
        Every table of the report, keyed by the file name ``--tables-out`` gives it
        (without ``.csv``), in document order.
    """

    def __init__(self, doc: _core.Document) -> None:
        self._doc = doc
        self._html = doc.html()
        self.title: str = doc.title
        self.lang: str = doc.lang
        self.banners: list[str] = list(doc.banners)
        self.tables: dict[str, pd.DataFrame] = {
            name.removesuffix(".csv"): frame(t) for name, t in zip(doc.table_file_names(), doc.tables)
        }

    @property
    def html(self) -> str:
        """The HTML document as text."""
        return self._html.decode("utf-8", errors="replace")

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Writes the HTML file (the bytes ``reinscore report -o`` writes) and returns its path."""
        out = Path(path)
        out.write_bytes(self._html)
        return out

    def save_tables(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Writes every table as CSV into `directory` (as ``--tables-out`` does)."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        out = []
        for name, t in zip(self._doc.table_file_names(), self._doc.tables):
            p = d / name
            p.write_text(t.render("csv"), encoding="utf-8")
            out.append(p)
        return out

    def __repr__(self) -> str:
        return f"<EvaluationReport {self.title!r} ({self.lang}): {len(self.tables)} tables>"

    def _repr_html_(self) -> str:
        # In its own frame: the document's styles and CSP stay its own.
        return (
            f'<iframe srcdoc="{_html.escape(self.html, quote=True)}" '
            'style="width:100%;height:640px;border:1px solid #ccc" '
            f'title="{_html.escape(self.title, quote=True)}"></iframe>'
        )


def report(
    data: str | os.PathLike[str],
    *,
    by: str | Sequence[str] = (),
    weight: str | None = None,
    strata: str | None = None,
    cluster: str | None = None,
    returnee_id: str | None = None,
    round: str | None = None,
    levels: str | os.PathLike[str] | None = None,
    title: str | None = None,
    lang: str = "en",
    min_cell: int = 10,
    level: float = 0.95,
    date: str | None = None,
    instrument: str = "iom-rss",
    weights: str | None = None,
    delimiter: str = "",
    sheet: str = "",
    column_map: Mapping[str, str] | None = None,
) -> EvaluationReport:
    """The evaluators' report of a survey export or a scores file.

    Parameters
    ----------
    data : path
        A CSV/TSV/XLSX export (validated and scored with `instrument` first) or a scores
        file written by :func:`reinscore.score` / ``reinscore score``.
    by : str or list of str
        One breakdown (tables, charts, differences to the largest group) per column.
    weight, strata, cluster : str, optional
        The survey design: columns of sampling weights, strata and clusters.
    returnee_id, round : str, optional
        Together: change across rounds for the same returnees.
    levels : path, optional
        The per-country file of ``reinscore integrate --country-out`` (or
        :func:`reinscore.integrate`'s ``countries`` saved as CSV): the integrated 3 x 3
        picture (levels x dimensions) per country.
    title : str, optional
        The title (default: the language's).
    lang : {"en", "fr", "pt"}
        The language of the report's words.
    min_cell : int
        Groups with fewer interviews appear nowhere; smaller counts show as ``<N``.
    level : float
        Confidence level of the intervals.
    date : str, optional
        ``yyyy-mm-dd`` shown on the cover (none by default: the same inputs give the same
        bytes).
    instrument, weights : str
        The instrument (name or file) and weight set of an export.
    delimiter, sheet, column_map
        How the export is read, as for :func:`reinscore.score`.

    Returns
    -------
    EvaluationReport
        With ``.save(path)``, ``.tables`` and an HTML view in Jupyter.

    Raises
    ------
    reinscore.InputError
        Unreadable inputs, missing columns, option values out of range.
    """
    req = _core.EvaluationRequest()
    req.by = names(by)
    req.weight = weight or ""
    req.strata = strata or ""
    req.cluster = cluster or ""
    req.returnee_id = returnee_id or ""
    req.round = round or ""
    req.levels = os.fspath(levels) if levels is not None else ""
    req.title = title or ""
    req.lang = lang
    req.min_cell = int(min_cell)
    req.level = float(level)
    req.date = date or ""
    req.instrument = str(instrument)
    req.weights = weights or ""
    opt = _core.ExportOptions()
    opt.delimiter = delimiter
    opt.sheet = sheet
    opt.column_map = dict(column_map or {})
    req.input = opt
    return EvaluationReport(_core.evaluation(os.fspath(data), req, search()))
