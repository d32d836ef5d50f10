"""Weights derived from data (PCA, the OECD/JRC varimax procedure) and the sensitivity
of the composite to the weights (Monte Carlo over weight sets).

Both commands run in the C++ application layer (``include/reinscore/app/fit_weights.hpp``
and ``sensitivity.hpp``), the code behind ``reinscore fit-weights`` and ``reinscore
sensitivity``: a path is read by the command line's readers, a DataFrame is coded by the
core's coder and read in the same chunks. A set fitted here and the file written by the
command line are the same bytes. This module only fills the requests and turns the
reports into DataFrames. Formulas: ``docs/statistics.md``.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import _core
from ._instrument import Instrument, WeightSet, load_instrument
from ._report import _column, frame, names
from ._report import html as table_html
from ._table import Data, _read, _score_table, _Table

__all__ = ["FitResult", "SensitivityResult", "fit_weights", "sensitivity"]


def _options(
    column_map: Mapping[str, str] | None, delimiter: str, sheet: str, allow_missing_columns: bool = False
) -> _core.ExportOptions:
    opt = _core.ExportOptions()
    opt.column_map = dict(column_map or {})
    opt.delimiter = delimiter
    opt.sheet = sheet
    opt.allow_missing_columns = allow_missing_columns
    return opt


def _export(
    data: Data,
    ins: Instrument,
    options: _core.ExportOptions,
    weight: str | npt.ArrayLike | None,
    copied: Sequence[str] = (),
) -> tuple[_core.ExportSource, _Table | None]:
    """The input as the application layer reads it. A path goes to the C++ readers as the
    command line's input does; a DataFrame is bound and coded by the core and handed over
    with the columns a pass may name (as they are: nothing is parsed here)."""
    given = None if weight is None or isinstance(weight, str) else np.asarray(weight, dtype=float)
    if isinstance(data, (str, os.PathLike)):
        return _core.open_export(str(data), ins._core, options, given), None
    table = _read(data)
    item_column = _core.bind_export(
        ins._core, table.header, options.column_map, options.allow_missing_columns
    )
    res = _score_table(ins, table, list(item_column), False, None)
    wanted = set(copied) | ({weight} if isinstance(weight, str) else set())
    columns = [
        (h, _column(table.column(i)))  # type: ignore[arg-type]  # frames hold Series
        for i, h in enumerate(table.header)
        if h in wanted
    ]
    source = _core.coded_export(
        res["values"], res["reasons"], res["status"], table.header, columns, given, options
    )
    return source, table


# -- fitting ---------------------------------------------------------------------------------


class FitResult:
    """A weight set fitted to data, with its diagnostics.

    Attributes
    ----------
    instrument : Instrument
        The instrument with the fitted set added and made the default: score later rounds
        with ``reinscore.score(data, instrument=result.instrument)``.
    weight_set : WeightSet
        The fitted set (name, source ``fitted:<method>``, citation naming the data).
    method, composite, missing : str
        The options of the fit.
    rows, rows_used, rows_invalid : int
        Rows read, rows used, invalid rows left out.
    warnings : list of str
        What the diagnostics advise against (low KMO, Bartlett not significant, varimax
        not converged, a pairwise correlation matrix that is not positive semi-definite).
    raw_diagnostics : dict
        The diagnostics as stored in the weight set (JSON).
    report : reinscore._core.Report
        The report of the application layer the frames are built from (tables ``fit``,
        ``blocks``, ``weights``, ``dimension_weights``, ``eigenvalues``, ``loadings``,
        ``rotated_loadings``, ``kmo``).
    """

    def __init__(
        self, fitted: _core.FittedWeights, base: Instrument, method: str, composite: str, missing: str
    ) -> None:
        self.report: _core.Report = fitted.report
        self.instrument = Instrument(fitted.instrument, base.path)
        self.weight_set: WeightSet = self.instrument.weights()
        self.method = method
        self.composite = composite
        self.missing = missing
        fit = frame(self.report.table("fit"))
        self.rows = int(fit["rows"].iloc[0])
        self.rows_used = int(fit["rows_used"].iloc[0])
        self.rows_invalid = int(fit["rows_invalid"].iloc[0])
        self.warnings: list[str] = [text for level, text in self.report.notes if level == "warning"]
        self.raw_diagnostics: dict[str, Any] = self.weight_set.diagnostics
        self._json: str = fitted.file

    @property
    def name(self) -> str:
        return self.weight_set.name

    # -- weights ------------------------------------------------------------------------
    @property
    def weights(self) -> pd.DataFrame:
        """One row per item: ``item, dimension, dimension_weight, composite_weight``
        (composite_weight NaN in dimension mode)."""
        return frame(self.report.table("weights"))

    @property
    def dimension_weights(self) -> pd.Series[float] | None:
        """Composite weight of each dimension (dimension-shares), else None."""
        if not self.report.has_table("dimension_weights"):
            return None
        t = frame(self.report.table("dimension_weights"))
        return pd.Series(
            t["composite_weight"].to_numpy(), index=list(t["dimension"]), name="composite_weight"
        )

    # -- diagnostics as frames ------------------------------------------------------------
    @property
    def blocks(self) -> pd.DataFrame:
        """One row per block (each dimension, then ``all`` items): ``items, n, kmo,
        bartlett_chi2, bartlett_df, bartlett_p, eigenvalue_1, explained_1,
        components_kept``."""
        return frame(self.report.table("blocks")).set_index("block")

    @property
    def eigenvalues(self) -> pd.DataFrame:
        """``block, component, eigenvalue, explained_variance_ratio, cumulative`` (components
        numbered from 1, eigenvalues descending)."""
        return frame(self.report.table("eigenvalues"))

    def _matrix(self, name: str) -> pd.DataFrame:
        if not self.report.has_table(name):
            return pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=["block", "item"]))
        return frame(self.report.table(name)).set_index(["block", "item"])

    @property
    def loadings(self) -> pd.DataFrame:
        """Unrotated loadings (eigenvector x sqrt(eigenvalue)), indexed by ``(block, item)``,
        columns ``PC1 ...`` (NaN beyond a block's size)."""
        return self._matrix("loadings")

    @property
    def rotated_loadings(self) -> pd.DataFrame:
        """Varimax-rotated loadings of the retained components (oecd-varimax), indexed by
        ``(block, item)``, columns ``F1 ...``; empty for the other methods."""
        return self._matrix("rotated_loadings")

    @property
    def kmo(self) -> pd.DataFrame:
        """Per-item KMO, ``block, item, kmo`` (the overall value is in :attr:`blocks`)."""
        return frame(self.report.table("kmo"))

    @property
    def diagnostics(self) -> dict[str, pd.DataFrame]:
        """The diagnostics as DataFrames: ``blocks``, ``eigenvalues``, ``loadings``,
        ``rotated_loadings``, ``kmo``."""
        return {
            "blocks": self.blocks,
            "eigenvalues": self.eigenvalues,
            "loadings": self.loadings,
            "rotated_loadings": self.rotated_loadings,
            "kmo": self.kmo,
        }

    # -- files --------------------------------------------------------------------------
    def to_json(self) -> str:
        """The weight-set file, byte for byte what ``reinscore fit-weights -o`` writes."""
        return self._json

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Writes :meth:`to_json` to ``path``; ``reinscore score --weights PATH`` and
        ``Instrument.with_weights(PATH)`` load it (as the weight set named by the file's stem)."""
        p = Path(path)
        p.write_text(self._json, encoding="utf-8")
        return p

    # -- display ------------------------------------------------------------------------
    def __repr__(self) -> str:
        return (
            f"FitResult({self.name!r}: {self.method}, composite {self.composite}, "
            f"{self.rows_used} of {self.rows} rows, {len(self.warnings)} warning(s))"
        )

    def _repr_html_(self) -> str:
        e = html.escape
        warn = "".join(f"<li>{e(w)}</li>" for w in self.warnings)
        tables = "".join(
            table_html(self.report.table(t))
            for t in ("blocks", "dimension_weights", "weights")
            if self.report.has_table(t)
        )
        return (
            f"<div><p><b>Fitted weights {e(self.name)}</b>: {e(self.method)}, composite "
            f"{e(self.composite)}, {e(self.missing)} correlations; {self.rows_used} of {self.rows} "
            f"rows ({self.rows_invalid} invalid left out)<br><small>{e(self.weight_set.citation)}</small></p>"
            + (f"<p><b>Warnings</b></p><ul>{warn}</ul>" if warn else "")
            + tables
            + "</div>"
        )


def fit_weights(
    data: Data,
    method: str = "pca-first",
    instrument: str | os.PathLike[str] | Instrument = "iom-rss",
    weight: str | npt.ArrayLike | None = None,
    missing: str = "pairwise",
    composite: str = "dimension-shares",
    name: str | None = None,
    min_eigenvalue: float = 1.0,
    min_cumulative: float = 0.0,
    column_map: Mapping[str, str] | None = None,
    delimiter: str = "",
    sheet: str = "",
) -> FitResult:
    """Derive a weight set from data.

    Parameters
    ----------
    data : DataFrame, dict of arrays, or path
        Interviews, as for :func:`reinscore.score`. Invalid rows (an unreadable answer,
        a malformed row) are left out.
    method : {"pca-first", "oecd-varimax", "equal"}
        ``pca-first``: normalised absolute loadings of the first principal component of
        each dimension's correlation matrix. ``oecd-varimax``: the OECD/JRC Handbook
        (2008) procedure (components with eigenvalue > ``min_eigenvalue``, varimax,
        squared loadings). ``equal``: every weight 1 (diagnostics are still computed).
    instrument : str, path or Instrument
    weight : str or array, optional
        Sampling weights: a column of ``data`` or one number per row.
    missing : {"pairwise", "complete"}
        Pairwise-complete correlations, or complete cases (per dimension).
    composite : {"dimension-shares", "pca"}
        Dimension mode, each dimension weighted by the explained-variance ratio of its
        first component (normalised); or item mode, ``method`` applied over all items.
    name : str, optional
        Name of the weight set (default ``fitted-<method>``).
    min_eigenvalue, min_cumulative : float
        oecd-varimax: keep the components with eigenvalue above ``min_eigenvalue`` and at
        least as many as reach ``min_cumulative`` explained variance (0: off).
    column_map, delimiter, sheet
        As for :func:`reinscore.score`. Every item needs a column (an item without
        answers cannot be correlated).

    Returns
    -------
    FitResult

    Raises
    ------
    reinscore.InputError
        Option values out of range (``option`` names the parameter); a missing or
        duplicated column; a sampling weight that is not a number >= 0; data that cannot
        support a fit (rule ``cannot_fit``: an item never answered or without variance,
        items never answered together, no usable rows).
    """
    req = _core.FitWeightsRequest()
    req.method = method
    req.composite = composite
    req.missing = missing
    req.name = name or ""
    req.weight = weight if isinstance(weight, str) else ""
    req.min_eigenvalue = min_eigenvalue
    req.min_cumulative = min_cumulative
    req.input = _options(column_map, delimiter, sheet)
    req.check()  # options before any reading, as the command line does
    ins = load_instrument(instrument)
    source, _ = _export(data, ins, req.input, weight)
    return FitResult(_core.fit_weights(source, ins._core, req), ins, method, composite, missing)


# -- sensitivity -----------------------------------------------------------------------------


class SensitivityResult:
    """Monte Carlo over weight sets.

    Attributes
    ----------
    interviews : pandas.DataFrame
        One row per interview (the input's index): the ``id``/``keep`` columns, then
        ``composite`` and ``category`` with the base weights, ``status``, ``lower``,
        ``median``, ``upper`` (the central ``level`` interval of the composite over the
        draws), ``mean``, ``min``, ``max``, ``draws_scored`` (draws that gave a composite)
        and ``category_change_share`` (share of draws whose category differs from the
        base one; NaN without a base category). The same columns as ``reinscore
        sensitivity``.
    summary : dict
        Options and totals: interval widths, the share of categorised interviews whose
        category changes per draw (mean, percentiles), the share that changes in at
        least one draw, the methods drawn. The document ``reinscore sensitivity
        --summary`` writes.
    draws : pandas.DataFrame
        One row per draw (numbered from 0): ``method`` (methods/both mode) and
        ``category_change_share``.
    id_columns : list of str
        The ``id``/``keep`` columns of ``interviews``.
    show_ids : bool
        Whether the notebook view (``_repr_html_``) shows the ``id_columns`` and the
        index. False by default: a rendered notebook is easily shared, and identifiers
        are personal data. Set it to True to see them.
    report : reinscore._core.Report or None
        The report of the application layer (tables ``interviews``, ``summary``,
        ``draws``, ``methods``).
    """

    def __init__(
        self,
        interviews: pd.DataFrame,
        summary: dict[str, Any],
        draws: pd.DataFrame,
        id_columns: Sequence[str] = (),
        report: _core.Report | None = None,
    ) -> None:
        self.interviews = interviews
        self.summary = summary
        self.draws = draws
        self.id_columns = list(id_columns)
        self.show_ids = False
        self.report = report

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"SensitivityResult({s['draws']} draws, {s['mode']}, bound {s['bound']}: "
            f"{s['rows']} interviews)"
        )

    def _repr_html_(self) -> str:
        e = html.escape
        s = self.summary
        items = "".join(
            f"<tr><td>{e(str(k))}</td><td>{e(_show(v))}</td></tr>" for k, v in s.items()
        )
        # Identifiers (and an index that may hold them) only on request.
        shown = self.interviews if self.show_ids else self.interviews.drop(columns=self.id_columns)
        return (
            f"<div><p><b>Sensitivity of the composite</b>: {s['draws']} draws ({e(str(s['mode']))}, "
            f"bound {s['bound']}, seed {s['seed']}) over {s['rows']} interviews</p>"
            f"<table>{items}</table>"
            + shown.head(10).to_html(
                float_format=lambda x: f"{x:.4f}", na_rep="", index=self.show_ids
            )
            + "</div>"
        )


def _show(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, dict):
        return ", ".join(f"{k} {x}" for k, x in v.items())
    return str(v)


def _summary(report: _core.Report, seed: int) -> dict[str, Any]:
    """The summary table as the document of ``--summary`` (null for a missing number)."""
    out: dict[str, Any] = {}
    t = report.table("summary")
    for c in t.columns:
        if c.kind == "text":
            value: Any = c.text[0]
        else:
            x = float(c.values[0])
            value = None if math.isnan(x) else (int(x) if c.kind == "count" else x)
        if c.name == "upper_quantile":
            out["quantiles"] = [out.pop("lower_quantile"), value]
        else:
            out[c.name] = value
    out["seed"] = seed  # exact beyond 2^53, where a table's number is not
    if report.has_table("methods"):
        m = frame(report.table("methods"))
        out["method_draws"] = {str(k): int(v) for k, v in zip(m["method"], m["draws"])}
    return out


def sensitivity(
    data: Data,
    instrument: str | os.PathLike[str] | Instrument = "iom-rss",
    weights: str | os.PathLike[str] | pd.DataFrame | None = None,
    draws: int = 1000,
    bound: float = 0.2,
    seed: int = 1,
    mode: str = "perturb",
    level: float = 0.9,
    id: str | Sequence[str] | None = None,
    keep: Sequence[str] = (),
    composite: str = "dimension-shares",
    missing: str = "pairwise",
    weight: str | npt.ArrayLike | None = None,
    threads: int = 1,
    column_map: Mapping[str, str] | None = None,
    allow_missing_columns: bool = False,
    delimiter: str = "",
    sheet: str = "",
) -> SensitivityResult:
    """Monte Carlo over weight sets: how much each interview's composite depends on them.

    Parameters
    ----------
    data : DataFrame, dict of arrays, or path
    instrument, weights
        The instrument and the base weight set (default: the instrument's default set).
    draws : int
        Replicates. Replicate r uses a Mersenne Twister (boost::random::mt19937) seeded
        from ``(seed, r)``: results are the same for the same seed on any platform and
        for any ``threads``.
    bound : float
        perturb/both: every weight times a factor uniform in ``[1 - bound, 1 + bound]``,
        then renormalised (``0 <= bound < 1``).
    seed : int
    mode : {"perturb", "methods", "both"}
        Perturb the base set; or draw one of the sets fitted to ``data`` by ``equal``,
        ``pca-first`` and ``oecd-varimax`` with equal probability; or both.
    level : float
        Central interval of the composite (0.9: 5th to 95th percentile, numpy's linear
        quantiles).
    id, keep : column names
        Columns copied to the result, as for :func:`reinscore.score`.
    composite, missing, weight
        methods/both: options of the fits (see :func:`fit_weights`).
    threads : int
    column_map, allow_missing_columns, delimiter, sheet
        As for :func:`reinscore.score`.

    Returns
    -------
    SensitivityResult

    Raises
    ------
    reinscore.InputError
        Option values out of range or not allowed together (``option`` names the
        parameter), as ``reinscore sensitivity`` checks them; missing columns; data that
        cannot support the fits of methods/both mode.
    """
    copied = names(id) + list(keep)
    req = _core.SensitivityRequest()
    req.draws = draws
    req.bound = bound
    req.seed = seed
    req.mode = mode
    req.level = level
    req.composite = composite
    req.missing = missing
    req.weight = weight if isinstance(weight, str) else ""
    req.id = names(id)
    req.keep = list(keep)
    req.threads = threads
    req.input = _options(column_map, delimiter, sheet, allow_missing_columns)
    req.check()  # options before any reading, as the command line does
    ins = load_instrument(instrument)
    if weights is not None:
        ins = ins.with_weights(weights)
    source, table = _export(data, ins, req.input, weight, copied)
    report, _summary_json = _core.sensitivity(source, ins._core, req)

    interviews = frame(report.table("interviews"))
    th = ins.thresholds
    labels = [c[0] for c in th["categories"]] if th is not None else []
    interviews["category"] = pd.Categorical(interviews["category"], categories=labels)
    interviews["status"] = pd.Categorical(interviews["status"], categories=list(_core.status_names))
    if table is not None:
        # A DataFrame's copied columns keep their own dtype (the report holds them as text).
        own = [
            pd.Series(table.column(table.header.index(n)).array, name=n, index=interviews.index)  # type: ignore[union-attr]
            for n in copied
        ]
        interviews = pd.concat([*own, interviews.iloc[:, len(copied):]], axis=1)
        interviews.index = table.index

    d = frame(report.table("draws"))
    methods = list(frame(report.table("methods"))["method"]) if report.has_table("methods") else []
    draw_frame = pd.DataFrame(
        {
            "method": pd.Categorical(d["method"], categories=methods),
            "category_change_share": d["category_change_share"].to_numpy(dtype=np.float64),
        },
        index=pd.Index(d["draw"].to_numpy(dtype=np.int64), name="draw"),
    )
    return SensitivityResult(interviews, _summary(report, seed), draw_frame, copied, report)
