"""Weights derived from data (PCA, the OECD/JRC varimax procedure) and the sensitivity
of the composite to the weights (Monte Carlo over weight sets).

The statistics run in the compiled core (``include/reinscore/fit.hpp`` and
``sensitivity.hpp``), on the same coded values, in the same chunks, as the command line
(``reinscore fit-weights``, ``reinscore sensitivity``): a set fitted here and the JSON file
written by the command line hold the same numbers. Formulas: ``docs/statistics.md``.
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import _core
from ._instrument import Instrument, WeightSet
from ._table import Data, _blank_unreadable, _pass_columns, _run, _Table

if TYPE_CHECKING:
    from ._core import FitRecord

__all__ = ["FitResult", "SensitivityResult", "fit_weights", "sensitivity"]

_METHODS = ("equal", "pca-first", "oecd-varimax")
_COMPOSITES = ("dimension-shares", "pca")
_MISSING = ("pairwise", "complete")
_MODES = ("perturb", "methods", "both")
_INVALID = 3  # index of "invalid" in _core.status_names


def _choice(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is unknown (expected {', '.join(allowed)})")
    return value


def _sampling_weights(
    table: _Table, weight: str | npt.ArrayLike | None, invalid: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.float64] | None, str]:
    """The sampling weights (0 on invalid rows, which a fit leaves out) and the label
    that the citation gives them, as the command line's --weight COLUMN does."""
    if weight is None:
        return None, ""
    if isinstance(weight, str):
        hits = [i for i, h in enumerate(table.header) if h == weight]
        if len(hits) != 1:
            rule = "duplicate_column" if hits else "missing_column"
            what = "appears more than once" if hits else "weight column not in the input"
            raise ValueError(f"column {weight!r}: {what} (rule: {rule})")
        col = table.column(hits[0])
        if isinstance(col, tuple):  # file: int codes into the distinct texts
            codes, texts = col
            lookup = np.array([_number(t) for t in texts] + [math.nan], dtype=np.float64)
            w = lookup[np.where(np.asarray(codes) < 0, len(texts), codes)]
        else:
            w = np.array([_number(v) for v in col.astype(object)], dtype=np.float64)
        label = f"column '{weight}'"
    else:
        w = np.asarray(weight, dtype=np.float64)
        if w.shape != (table.rows,):
            raise ValueError(
                f"weight: expected one sampling weight per row ({table.rows}), got shape {w.shape}"
            )
        w = w.copy()
        label = "given weights"
    bad = ~(np.isfinite(w) & (w >= 0)) & ~invalid
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        where = (
            f"row {int(table.record[r])}" if table.record is not None else f"row {table.index[r]!r}"
        )
        raise ValueError(
            f"{where}: the sampling weight ({label}) is not a finite number >= 0 (rule: weight_value)"
        )
    w[invalid] = 0.0
    return w, label


def _number(v: Any) -> float:
    if v is None or v is pd.NA:
        return math.nan
    if isinstance(v, str):
        s = v.strip()
        try:  # as the command line reads it: an optional "+", then a decimal number
            return float(s.removeprefix("+"))
        except ValueError:
            return math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


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
    """

    def __init__(
        self, raw: FitRecord, base: Instrument, method: str, composite: str, missing: str
    ) -> None:
        self.instrument = Instrument(raw["instrument"], base.path)
        self.weight_set: WeightSet = self.instrument.weights()
        self.method = method
        self.composite = composite
        self.missing = missing
        self.rows = int(raw["rows"])
        self.rows_used = int(raw["rows_used"])
        self.rows_invalid = int(raw["rows_skipped"])
        self.warnings: list[str] = list(raw["warnings"])
        self.raw_diagnostics: dict[str, Any] = json.loads(raw["diagnostics"])
        self._json: str = raw["json"]
        self._dims = self.instrument.dimensions

    @property
    def name(self) -> str:
        return self.weight_set.name

    # -- weights ------------------------------------------------------------------------
    @property
    def weights(self) -> pd.DataFrame:
        """One row per item: ``item, dimension, dimension_weight, composite_weight``
        (composite_weight NaN in dimension mode)."""
        return self.weight_set.items.copy()

    @property
    def dimension_weights(self) -> pd.Series[float] | None:
        """Composite weight of each dimension (dimension-shares), else None."""
        if self.weight_set.mode != "dimension":
            return None
        return pd.Series(self.weight_set.dimension_weights, name="composite_weight", dtype=float)

    # -- diagnostics as frames ------------------------------------------------------------
    def _blocks(self) -> list[tuple[str, dict[str, Any]]]:
        blocks: dict[str, Any] = self.raw_diagnostics["blocks"]
        return [(b, blocks[b]) for b in [*self._dims, "all"]]

    @property
    def blocks(self) -> pd.DataFrame:
        """One row per block (each dimension, then ``all`` items): ``items, n, kmo,
        bartlett_chi2, bartlett_df, bartlett_p, eigenvalue_1, explained_1,
        components_kept``."""
        rows = []
        for name, b in self._blocks():
            bt = b["bartlett"]
            rows.append(
                {
                    "block": name,
                    "items": len(b["items"]),
                    "n": int(b["n"]),
                    "kmo": _f(b["kmo"]),
                    "bartlett_chi2": _f(bt["chi2"]),
                    "bartlett_df": int(bt["df"]),
                    "bartlett_p": _f(bt["p_value"]),
                    "eigenvalue_1": b["eigenvalues"][0],
                    "explained_1": b["explained_variance_ratio"][0],
                    "components_kept": b.get("components_kept", pd.NA),
                }
            )
        return pd.DataFrame(rows).set_index("block")

    @property
    def eigenvalues(self) -> pd.DataFrame:
        """``block, component, eigenvalue, explained_variance_ratio, cumulative`` (components
        numbered from 1, eigenvalues descending)."""
        rows = []
        for name, b in self._blocks():
            cum = 0.0
            for j, (ev, ratio) in enumerate(zip(b["eigenvalues"], b["explained_variance_ratio"])):
                cum += ratio
                rows.append(
                    {
                        "block": name,
                        "component": j + 1,
                        "eigenvalue": ev,
                        "explained_variance_ratio": ratio,
                        "cumulative": cum,
                    }
                )
        return pd.DataFrame(rows)

    def _matrix(self, key: str, prefix: str) -> pd.DataFrame:
        frames = []
        for name, b in self._blocks():
            if key not in b:
                continue
            m = np.array([[_f(v) for v in row] for row in b[key]], dtype=np.float64)
            cols = [f"{prefix}{j + 1}" for j in range(m.shape[1])]
            idx = pd.MultiIndex.from_product([[name], b["items"]], names=["block", "item"])
            frames.append(pd.DataFrame(m, index=idx, columns=cols))
        if not frames:
            return pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=["block", "item"]))
        return pd.concat(frames)

    @property
    def loadings(self) -> pd.DataFrame:
        """Unrotated loadings (eigenvector x sqrt(eigenvalue)), indexed by ``(block, item)``,
        columns ``PC1 ...`` (NaN beyond a block's size)."""
        return self._matrix("loadings", "PC")

    @property
    def rotated_loadings(self) -> pd.DataFrame:
        """Varimax-rotated loadings of the retained components (oecd-varimax), indexed by
        ``(block, item)``, columns ``F1 ...``; empty for the other methods."""
        return self._matrix("rotated_loadings", "F")

    @property
    def kmo(self) -> pd.DataFrame:
        """Per-item KMO, ``block, item, kmo`` (the overall value is in :attr:`blocks`)."""
        rows = []
        for name, b in self._blocks():
            for item, v in zip(b["items"], b["kmo_items"]):
                rows.append({"block": name, "item": item, "kmo": _f(v)})
        return pd.DataFrame(rows)

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
        dims = ""
        dw = self.dimension_weights
        if dw is not None:
            dims = (
                "<p>composite by dimension: "
                + ", ".join(f"{e(str(k))} {v:.4f}" for k, v in dw.items())
                + "</p>"
            )
        return (
            f"<div><p><b>Fitted weights {e(self.name)}</b>: {e(self.method)}, composite "
            f"{e(self.composite)}, {e(self.missing)} correlations; {self.rows_used} of {self.rows} "
            f"rows ({self.rows_invalid} invalid left out)<br><small>{e(self.weight_set.citation)}</small></p>"
            + (f"<p><b>Warnings</b></p><ul>{warn}</ul>" if warn else "")
            + self.blocks.to_html(float_format=lambda x: f"{x:.4g}", na_rep="")
            + dims
            + self.weights.to_html(index=False, float_format=lambda x: f"{x:.4f}", na_rep="")
            + "</div>"
        )


def _f(v: Any) -> float:
    return math.nan if v is None else float(v)


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
    ValueError
        Unknown options; data that cannot support a fit (an item never answered or
        without variance, items never answered together, no usable rows).
    """
    _choice(method, _METHODS, "method")
    _choice(composite, _COMPOSITES, "composite")
    _choice(missing, _MISSING, "missing")
    ins, table, _, res = _run(data, instrument, None, False, column_map, False, delimiter, sheet)
    invalid = np.asarray(res["status"]) == _INVALID
    w, label = _sampling_weights(table, weight, invalid)
    raw = _core.fit_weights(
        ins._core,
        res["values"],
        invalid.astype(np.uint8),
        w,
        method=method,
        composite=composite,
        missing=missing,
        name=name or "",
        weight_label=label,
        min_eigenvalue=float(min_eigenvalue),
        min_cumulative=float(min_cumulative),
    )
    return FitResult(raw, ins, method, composite, missing)


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
        least one draw, the methods drawn.
    draws : pandas.DataFrame
        One row per draw: ``method`` (methods/both mode) and ``category_change_share``.
    id_columns : list of str
        The ``id``/``keep`` columns of ``interviews``.
    show_ids : bool
        Whether the notebook view (``_repr_html_``) shows the ``id_columns`` and the
        index. False by default: a rendered notebook is easily shared, and identifiers
        are personal data. Set it to True to see them.
    """

    def __init__(
        self,
        interviews: pd.DataFrame,
        summary: dict[str, Any],
        draws: pd.DataFrame,
        id_columns: Sequence[str] = (),
    ) -> None:
        self.interviews = interviews
        self.summary = summary
        self.draws = draws
        self.id_columns = list(id_columns)
        self.show_ids = False

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
    """
    _choice(mode, _MODES, "mode")
    _choice(composite, _COMPOSITES, "composite")
    _choice(missing, _MISSING, "missing")
    if weight is not None and mode == "perturb":
        raise ValueError("weight applies to the fits of mode 'methods' or 'both' only")
    ids = [id] if isinstance(id, str) else list(id or [])
    ins, table, _, res = _run(
        data, instrument, weights, False, column_map, allow_missing_columns, delimiter, sheet,
        pass_columns=ids + list(keep),
    )
    invalid = np.asarray(res["status"]) == _INVALID
    w, label = _sampling_weights(table, weight, invalid)
    raw = _core.sensitivity(
        ins._core,
        res["values"],
        res["reasons"],
        invalid.astype(np.uint8),
        draws=int(draws),
        bound=float(bound),
        seed=int(seed),
        mode=mode,
        level=float(level),
        composite=composite,
        missing=missing,
        weights=w,
        weight_label=label,
        threads=int(threads),
    )
    out: dict[str, Any] = _pass_columns(table, ids + list(keep))
    _blank_unreadable(out, ids + list(keep), res)
    out["composite"] = raw["composite"]
    th = ins.thresholds
    if th is not None:
        labels = [c[0] for c in th["categories"]]
        out["category"] = pd.Categorical.from_codes(
            np.asarray(raw["category"]).astype(np.int16), dtype=pd.CategoricalDtype(labels)
        )
    else:
        out["category"] = pd.Categorical.from_codes(
            np.full(table.rows, -1, dtype=np.int8), dtype=pd.CategoricalDtype([])
        )
    out["status"] = pd.Categorical.from_codes(
        np.asarray(res["status"]).astype(np.int8),
        dtype=pd.CategoricalDtype(list(_core.status_names)),
    )
    for key in ("lower", "median", "upper", "mean", "min", "max"):
        out[key] = raw[key]
    out["draws_scored"] = raw["draws_scored"]
    out["category_change_share"] = raw["category_change_share"]
    summary: dict[str, Any] = json.loads(raw["summary"])
    methods = list(raw["methods"])
    draw_frame = pd.DataFrame(
        {
            "method": pd.Categorical.from_codes(
                np.asarray(raw["draw_method"], dtype=np.int8), dtype=pd.CategoricalDtype(methods)
            ),
            "category_change_share": np.asarray(raw["draw_share"], dtype=np.float64),
        }
    )
    draw_frame.index.name = "draw"
    return SensitivityResult(
        pd.DataFrame(out, index=table.index), summary, draw_frame, ids + list(keep)
    )
