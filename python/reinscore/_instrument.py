"""Instruments: items, scales and weight sets, loaded from instrument files."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import _core
from ._report import frame, note_text
from ._report import html as _report_html

if TYPE_CHECKING:
    from ._core import Thresholds, WeightSetRecord

__all__ = ["Instrument", "WeightSet", "instrument_dirs", "list_instruments", "load_instrument"]


def instrument_dirs() -> list[Path]:
    """Directories searched for instrument names, in order.

    ``$REINSCORE_INSTRUMENT_PATH`` (``:`` separated), the instruments shipped inside the
    package, then ``data/instruments`` of a source checkout; the same search as the
    command line's (the C++ ``app::InstrumentSearch``).
    """
    from ._report import search

    return [Path(d) for d in search().dirs]


def _resolve(name_or_path: str | os.PathLike[str]) -> Path:
    """The file an instrument name or path names, found by the command line's rule
    (``app::instrument_file``): a path ends in ``.json`` or holds a ``/``; a name is
    ``NAME.json`` in the first of :func:`instrument_dirs` that has it."""
    from ._report import search

    return Path(_core.instrument_file(os.fspath(name_or_path), search()))


def list_instruments() -> pd.DataFrame:
    """The instruments found in :func:`instrument_dirs`, as ``reinscore instruments``
    lists them.

    Returns
    -------
    pandas.DataFrame
        One row per instrument file: ``name, tag, level, provisional, title,
        weight_sets, file, problem`` (``problem`` says why a file cannot be loaded; the
        other columns are then missing).
    """
    from ._report import frame, search

    return frame(_core.list_instruments(search()).table("instruments"))


class WeightSet:
    """One named weight set of an instrument.

    Attributes
    ----------
    name, source, citation : str
        Identification and provenance ("provisional", "official", "fitted:...").
    provisional : bool
        True for placeholder numbers that must not be reported as official.
    mode : {"dimension", "item"}
        How the composite is formed: weighted mean of the dimension scores, or of the
        answered items with their composite weights.
    items : pandas.DataFrame
        One row per item: ``item, dimension, dimension_weight, composite_weight``.
    dimension_weights : dict
        Composite weight of each dimension (dimension mode only).
    """

    def __init__(self, raw: WeightSetRecord) -> None:
        self.name: str = raw["name"]
        self.source: str = raw["source"]
        self.citation: str = raw["citation"]
        self.provisional: bool = raw["provisional"]
        self.mode: str = raw["mode"]
        self.dimension_weights: dict[str, float] = dict(raw["dimension_weights"])
        self.items = pd.DataFrame(
            raw["items"], columns=["item", "dimension", "dimension_weight", "composite_weight"]
        )
        # None (dimension-mode sets have no composite weight per item) as NaN: a float column.
        self.items["composite_weight"] = self.items["composite_weight"].astype(float)
        self.diagnostics: dict[str, Any] = json.loads(raw["diagnostics"])

    def __repr__(self) -> str:
        flag = ", provisional" if self.provisional else ""
        return f"WeightSet({self.name!r}, mode={self.mode!r}, source={self.source!r}{flag})"

    def _repr_html_(self) -> str:
        flag = " <b>(provisional)</b>" if self.provisional else ""
        head = (
            f"<p><b>Weight set {html.escape(self.name)}</b>{flag}: "
            f"composite by {html.escape(self.mode)}; source {html.escape(self.source)}</p>"
        )
        dims = ""
        if self.mode == "dimension":
            dims = "<p>dimension weights: " + ", ".join(
                f"{html.escape(k)} {v:g}" for k, v in self.dimension_weights.items()
            ) + "</p>"
        return head + dims + self.items.to_html(index=False, na_rep="")


class Instrument:
    """A survey instrument: items, scales, weight sets, coverage rule and thresholds.

    Load one with :func:`load_instrument`. Every score computed with an instrument
    carries its :attr:`tag` (``id@version#hash``), so results can be traced to the
    exact items, codes and weights used.

    Attributes
    ----------
    id, version, title, level : str
    provisional : bool
        True when the numbers are placeholders (the shipped RSS instrument is).
    dimensions : list of str
    items : pandas.DataFrame
        ``id, column, aliases, dimension, level, scale, reverse, question``.
    scales : pandas.DataFrame
        One row per answer or missing code: ``scale, type, code, numeric, label, value,
        meaning``.
    weight_sets : dict of str to WeightSet
    default_weights : str
        The weight set used when none is named.
    """

    def __init__(self, core: _core.Instrument, path: Path | None = None) -> None:
        self._core = core
        self.path = path

    # -- identification -------------------------------------------------------------
    @property
    def id(self) -> str:
        return self._core.id

    @property
    def version(self) -> str:
        return self._core.version

    @property
    def title(self) -> str:
        return self._core.title

    @property
    def level(self) -> str:
        return self._core.level

    @property
    def unit_key(self) -> str:
        """The column that identifies a unit of this instrument's level."""
        return self._core.unit_key

    @property
    def integration(self) -> dict[str, Any] | None:
        """Integration settings (level weights, minimum respondents), if any."""
        settings = _core.integration_settings(self._core)
        return None if settings is None else dict(settings)

    @property
    def provisional(self) -> bool:
        return self._core.provisional

    @property
    def hash(self) -> str:
        """SHA-256 of the canonical instrument document (weights included)."""
        return self._core.hash

    @property
    def tag(self) -> str:
        """``id@version#`` and the first 12 hex digits of :attr:`hash`."""
        return self._core.tag

    # -- content --------------------------------------------------------------------
    @property
    def dimensions(self) -> list[str]:
        return list(self._core.dimensions)

    @property
    def coverage_min_share(self) -> float:
        return self._core.coverage_min_share

    @property
    def items(self) -> pd.DataFrame:
        return pd.DataFrame(self._core.items)

    @property
    def scales(self) -> pd.DataFrame:
        return pd.DataFrame(self._core.scales)

    @property
    def thresholds(self) -> Thresholds | None:
        """``score``, ``provisional`` and ``categories`` (``(label, min)`` pairs), or None."""
        return self._core.thresholds

    @property
    def default_weights(self) -> str:
        return self._core.default_weights

    @property
    def weight_sets(self) -> dict[str, WeightSet]:
        return {n: WeightSet(self._core.weight_set(n)) for n in self._core.weight_set_names}

    def weights(self, name: str | None = None) -> WeightSet:
        """The named weight set, or the default one."""
        return WeightSet(self._core.weight_set(name or ""))

    def to_json(self) -> str:
        """The instrument in the instrument file format (indented JSON)."""
        return self._core.to_json()

    # -- variants -------------------------------------------------------------------
    def with_weights(
        self,
        weights: str | os.PathLike[str] | pd.DataFrame,
        name: str | None = None,
    ) -> Instrument:
        """A copy whose default weight set is `weights`.

        Parameters
        ----------
        weights : str, path or DataFrame
            The name of one of the instrument's weight sets; a ``.csv`` or ``.json``
            weight file; or a DataFrame with columns ``item``, ``dimension_weight`` and
            optionally ``composite_weight`` (rows may also name a dimension with only a
            composite weight: a dimension-mode composite).
        name : str, optional
            Name of the new weight set (default: the file stem, or ``"custom"``).

        Returns
        -------
        Instrument
            A new instrument; its :attr:`hash` reflects the new weights.
        """
        if isinstance(weights, pd.DataFrame):
            text = weights.to_csv(index=False)
            return Instrument(self._core.with_weights_csv(text, name or "custom", "DataFrame"), self.path)
        w = str(weights)
        if w in self._core.weight_set_names:
            return Instrument(self._core.with_default_weights(w), self.path)
        if not Path(w).suffix in (".csv", ".json"):
            raise ValueError(
                f"no weight set named {w!r} (known: {', '.join(self._core.weight_set_names)}); "
                "or give a .csv or .json weight file or a DataFrame"
            )
        return Instrument(self._core.with_weights_file(w, name or ""), self.path)

    # -- display --------------------------------------------------------------------
    def __repr__(self) -> str:
        flag = " PROVISIONAL" if self.provisional else ""
        return f"<Instrument {self.tag}: {len(self._core.items)} items, {len(self.dimensions)} dimensions{flag}>"

    def describe(self) -> dict[str, pd.DataFrame]:
        """What ``reinscore instrument show`` prints, as DataFrames: ``instrument``
        (``field``, ``value``: id, version, title, level, tag, sha256, provisional,
        coverage_min_share, default_weights), ``items``, ``scales``, ``categories``,
        ``weight_sets``, ``dimension_weights`` and ``item_weights``
        (include/reinscore/app/instrument_info.hpp)."""
        report = self._core.describe()
        return {t.name: frame(t) for t in report.tables}

    def _repr_html_(self) -> str:
        report = self._core.describe()
        flag = "".join(f"<p><b>{html.escape(note_text(text))}</b></p>"
                       for level, text in report.notes if level == "warning")
        shown = [report.table(name) for name in ("instrument", "items", "weight_sets")]
        return f"<div>{flag}{''.join(_report_html(t) for t in shown)}</div>"


def load_instrument(name_or_path: str | os.PathLike[str] | Instrument = "iom-rss") -> Instrument:
    """Load an instrument by name (``"iom-rss"``) or from a JSON file.

    Parameters
    ----------
    name_or_path : str, path or Instrument
        A shipped instrument's name (see :func:`instrument_dirs`) or a path; an
        Instrument is returned as it is.

    Returns
    -------
    Instrument

    Raises
    ------
    ValueError
        If no such instrument exists, or the file is not a valid instrument (the
        message names the JSON path of the problem, e.g. ``items[4].scale``).
    """
    if isinstance(name_or_path, Instrument):
        return name_or_path
    path = _resolve(name_or_path)
    return Instrument(_core.Instrument.load(str(path)), path)
