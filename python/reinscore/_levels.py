"""Levels of the integrated approach: individual, community and structural scores together.

:func:`integrate` links returnees' scores to the community and structural frameworks
by the frameworks' unit keys (``community_id``, ``country``), aggregates the returnees
per community and country, compares them with non-migrant residents of the same
communities, and combines the three levels into the integrated index, exactly as
``reinscore integrate`` does (the same C++ core, docs/levels.md).
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np
import pandas as pd

from . import _core
from ._instrument import Instrument, load_instrument
from ._table import Data, _pass_columns, _read, _run

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["LEVELS", "IntegratedResult", "integrate"]

#: The levels, in the order of the integration's level weights.
LEVELS: tuple[str, str, str] = ("individual", "community", "structural")

_InstrumentArg = Union[str, "os.PathLike[str]", Instrument]
_OWN_SCORE_COLUMNS = ("status", "lowest_dimension", "category", "problems", "instrument")
_DEFAULT_SETTINGS: dict[str, Any] = {
    "provisional": True,
    "level_weights": {"individual": 1.0, "community": 1.0, "structural": 1.0},
    "min_respondents": 10,
    "min_level_share": 1.0,
}


class IntegratedResult:
    """Result of :func:`integrate`: the integrated tables of docs/levels.md.

    Attributes
    ----------
    per_interview : pandas.DataFrame
        One row per row of the individual scores, in their order and with their index:
        the carried columns, then the 3x3 matrix ``<score>_<level>`` for the scores
        (the dimensions and the composite) and the levels (individual, community,
        structural), the integrated scores ``<score>_integrated``, the share of level
        weight each is based on (``level_share_<score>``), the status of each level's
        row and a ``problems`` text. Rows whose keys do not match keep their place with
        empty level cells.
    per_community, per_country : pandas.DataFrame
        Roll-ups per (by groups and) community or country: returnees (``n``, weighted
        means ``<score>_individual``, ``share_above_<score>``), residents and the gap
        (with ``host=``), the community and structural levels and the integrated
        scores. Groups of fewer than ``min_respondents`` people are suppressed: their
        counts are NA and ``suppressed`` is True.
    problems : pandas.DataFrame
        Keys that do not match and units without scores: ``rule, source, column, key,
        count, rows`` (row numbers as a spreadsheet shows them, header = 1).
    settings : dict
        The integration used: ``level_weights``, ``min_respondents``,
        ``min_level_share``, ``provisional`` and the share ``threshold``.
    instruments : dict
        Tags of the individual, community and structural instruments.
    score_names : list of str
        The dimensions and ``composite``.
    """

    def __init__(
        self,
        per_interview: pd.DataFrame,
        per_community: pd.DataFrame,
        per_country: pd.DataFrame,
        problems: pd.DataFrame,
        settings: dict[str, Any],
        instruments: dict[str, str],
        score_names: list[str],
    ) -> None:
        self.per_interview = per_interview
        self.per_community = per_community
        self.per_country = per_country
        self.problems = problems
        self.settings = settings
        self.instruments = instruments
        self.score_names = score_names

    def matrix(self, row: int, table: str = "per_interview") -> pd.DataFrame:
        """The score x level matrix of one row (by position) of a table.

        Rows are the scores (dimensions, composite); columns the three levels and the
        integrated score.
        """
        if table not in ("per_interview", "per_community", "per_country"):
            raise ValueError(f"table must be per_interview, per_community or per_country, not {table!r}")
        frame = getattr(self, table)
        r = frame.iloc[row]
        cols = [*LEVELS, "integrated"]
        return pd.DataFrame(
            [[r[f"{s}_{c}"] for c in cols] for s in self.score_names],
            index=pd.Index(self.score_names, name="score"),
            columns=pd.Index(cols, name="level"),
            dtype=float,
        )

    def __repr__(self) -> str:
        return (
            f"<IntegratedResult: {len(self.per_interview)} interviews, {len(self.per_community)} community "
            f"row(s), {len(self.per_country)} country row(s), {len(self.problems)} problem(s)>"
        )

    def _repr_html_(self) -> str:
        s = self.settings
        w = s["level_weights"]
        parts = [
            (
                "<p><b>Integrated reintegration scores</b>: "
                f"{len(self.per_interview)} interviews, {len(self.per_community)} community row(s), "
                f"{len(self.per_country)} country row(s).</p>"
            ),
            "<p>Level weights individual {individual:g}, community {community:g}, structural "
            "{structural:g}; minimum respondents {m}; integrated scores need {share:.0%} of the level "
            "weight.{prov}</p>".format(
                **w,
                m=s["min_respondents"],
                share=s["min_level_share"],
                prov=" <b>PROVISIONAL</b> settings." if s["provisional"] else "",
            ),
            "<p>Instruments: " + ", ".join(html.escape(t) for t in self.instruments.values()) + "</p>",
        ]
        cols = [c for c in self.per_country.columns if c.endswith(("_individual", "_community", "_structural",
                                                                   "_integrated"))]
        key = self.per_country.columns[: self.per_country.columns.get_loc("communities")].tolist()
        shown = self.per_country[[*key, "n", *cols]].astype(object).map(_cell)
        parts.append("<p><b>Per country</b></p>" + shown.to_html(index=False))
        suppressed = int(self.per_community["suppressed"].sum())
        if suppressed:
            parts.append(
                f"<p>{suppressed} community row(s) with fewer than {s['min_respondents']} returnees "
                "suppressed.</p>"
            )
        if len(self.problems):
            parts.append("<p><b>Problems</b> (keys that do not match, units without scores)</p>")
            probs = self.problems.copy()
            probs["rows"] = [_rows_text(r) for r in probs["rows"]]
            parts.append(probs.to_html(index=False))
        else:
            parts.append("<p>Every key matched.</p>")
        return "".join(parts)


def _cell(x: object) -> object:
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:.3f}" if isinstance(x, float) else x


def _rows_text(rows: Sequence[int]) -> str:
    head = ", ".join(str(r) for r in list(rows)[:10])
    return head + (", ..." if len(rows) > 10 else "")


def _text_values(values: Any) -> list[str]:
    """Cells as text, missing as empty (keys and group values)."""
    out = []
    for v in values:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            out.append("")
        elif isinstance(v, (float, np.floating)) and float(v).is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v))
    return out


def _read_scores(data: Data) -> tuple[pd.DataFrame, npt.NDArray[np.uint64]]:
    """Individual scores as a frame and the row number of each row (header = 1)."""
    if isinstance(data, pd.DataFrame):
        return data, np.arange(2, len(data) + 2, dtype=np.uint64)
    if isinstance(data, (str, os.PathLike)):
        table = _read(data)
        cols = {}
        for i, name in enumerate(table.header):
            col = table.column(i)
            if not isinstance(col, tuple):  # pragma: no cover - files are always factorised
                raise TypeError("unexpected column")
            codes, cats = col
            cols[name] = pd.Series(np.asarray(list(cats), dtype=object)[codes], dtype=object)
        if table.defects is not None and (table.defects > 0).any():
            r = int(np.flatnonzero(table.defects > 0)[0])
            rec = int(table.record[r]) if table.record is not None else r + 2
            raise ValueError(f"row {rec}: the scores file has a malformed row (rule: ragged_row)")
        frame = pd.DataFrame(cols, index=table.index)
        assert table.record is not None
        return frame, np.asarray(table.record, dtype=np.uint64)
    raise TypeError(f"individual_scores must be a DataFrame or a path, not {type(data).__name__}")


def _score_matrix(frame: pd.DataFrame, names: list[str], rows: npt.NDArray[np.uint64]) -> npt.NDArray[np.float64]:
    out = np.empty((len(frame), len(names)), dtype=np.float64)
    for j, name in enumerate(names):
        if name not in frame.columns:
            raise ValueError(f"column {name!r}: not in the individual scores (rule: not_scores)")
        col = frame[name]
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            out[:, j] = col.to_numpy(dtype=np.float64, na_value=np.nan)
            continue
        text = pd.Series(_text_values(col), dtype=object).str.strip()
        num = pd.to_numeric(text.mask(text == ""), errors="coerce")
        bad = num.isna() & (text != "")
        if bad.any():
            r = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"row {int(rows[r])}: column {name!r}: score is not a number (rule: not_a_number)")
        out[:, j] = num.to_numpy(dtype=np.float64)
    return out


def _scored_file(
    data: Data, ins: Instrument, names: list[str], key: str, parent: str | None
) -> tuple[dict[str, Any], str]:
    """Scores a raw level file with its framework: the dict integrate_levels takes."""
    ins, table, _, res = _run(data, ins, None, False, None, False, "", "")
    keys = _pass_columns(table, [key])[key]
    dims = ins.dimensions
    cols = [res["dimension"][:, dims.index(s)] if s in dims else res["composite"] for s in names]
    out: dict[str, Any] = {
        "key": _text_values(keys),
        "scores": np.column_stack(cols) if cols else np.empty((table.rows, 0)),
        "status": res["status"].astype(int).tolist(),
        "row": (table.record.astype(np.uint64) if table.record is not None
                else np.arange(2, table.rows + 2, dtype=np.uint64)).tolist(),
    }
    if parent is not None and parent in table.header:
        out["parent"] = _text_values(_pass_columns(table, [parent])[parent])
    return out, ins.tag


def _check_level(ins: Instrument, level: str, arg: str, dims: list[str]) -> None:
    if ins.level != level:
        raise ValueError(
            f"instrument {ins.id!r} ({arg}) is of level {ins.level!r}, expected {level!r} (rule: level_mismatch)"
        )
    if not ins._core.unit_key:
        raise ValueError(f"instrument {ins.id!r} ({arg}) declares no unit_key (rule: no_unit_key)")
    if sorted(ins.dimensions) != sorted(dims):
        raise ValueError(
            f"instrument {ins.id!r} ({arg}) must have the dimensions {dims} (rule: dimension_mismatch)"
        )


def integrate(
    individual_scores: Data,
    community: Data,
    structural: Data,
    host: Data | None = None,
    *,
    community_instrument: _InstrumentArg = "community",
    structural_instrument: _InstrumentArg = "structural-gcm21",
    instrument: _InstrumentArg = "iom-rss",
    weights: str | os.PathLike[str] | pd.DataFrame | None = None,
    min_respondents: int | None = None,
    weight: str | None = None,
    by: str | Sequence[str] = (),
) -> IntegratedResult:
    """Individual, community and structural levels together (docs/levels.md).

    Parameters
    ----------
    individual_scores : DataFrame or path
        Scores of returnee interviews, from :func:`reinscore.score` (or a scores file of
        ``reinscore score``) with the unit keys kept: ``keep=["community_id",
        "country"]`` (the ``unit_key`` of the community and structural instruments).
    community : DataFrame or path
        Raw answers to the community framework, one row per community (with its
        ``community_id``; a ``country`` column, if present, names its country).
    structural : DataFrame or path
        Raw answers to the structural framework, one row per country.
    host : DataFrame or path, optional
        Raw answers of non-migrant residents to the individual instrument, with
        ``community_id``: gives the returnee-resident gap per community and country.
    community_instrument, structural_instrument : str, path or Instrument
        The frameworks (levels ``community`` and ``structural``). The community
        instrument's ``integration`` object gives the level weights and the minimum
        number of respondents (defaults when it has none: equal weights, 10, every
        level needed).
    instrument, weights : optional
        The individual instrument (and weight set) the scores were made with; it scores
        the residents and gives the threshold of ``share_above_*`` (its first cut).
        Scores whose ``instrument`` tag differs are refused.
    min_respondents : int, optional
        Overrides the minimum number of people below which a group is suppressed.
    weight : str, optional
        A survey-weight column of ``individual_scores`` for the roll-ups.
    by : str or list of str
        Columns of ``individual_scores`` that split the roll-ups (e.g. ``"round"``).

    Returns
    -------
    IntegratedResult

    Raises
    ------
    ValueError
        Unknown instruments, missing key columns, duplicate unit keys, scores that are
        not numbers in [0, 1], weights that are not positive, scores of another
        instrument. Keys that do not match are not errors: they are in ``problems``.
    """
    ind = load_instrument(instrument)
    if weights is not None:
        ind = ind.with_weights(weights)
    com_ins = load_instrument(community_instrument)
    str_ins = load_instrument(structural_instrument)
    dims = list(ind.dimensions)
    _check_level(com_ins, "community", "community_instrument", dims)
    _check_level(str_ins, "structural", "structural_instrument", dims)
    names = [*dims, "composite"]
    com_key, cty_key = com_ins._core.unit_key, str_ins._core.unit_key
    by_list = [by] if isinstance(by, str) else list(by)

    settings = _core.integration_settings(com_ins._core) or _DEFAULT_SETTINGS
    settings = {**settings, "level_weights": dict(settings["level_weights"])}
    if min_respondents is not None:
        if int(min_respondents) < 1:
            raise ValueError("min_respondents must be at least 1")
        settings["min_respondents"] = int(min_respondents)
    th = ind.thresholds
    settings["threshold"] = float(th["categories"][1][1]) if th and len(th["categories"]) >= 2 else math.nan

    frame, rows = _read_scores(individual_scores)
    for col in [com_key, cty_key, *by_list, *([weight] if weight else [])]:
        if col not in frame.columns:
            raise ValueError(f"column {col!r}: not in the individual scores (keep it when scoring) "
                             "(rule: missing_column)")
    scores = _score_matrix(frame, names, rows)
    if "instrument" in frame.columns:
        tags = frame["instrument"].astype(object).to_numpy()
        bad = np.flatnonzero(tags != ind.tag)
        if len(bad):
            raise ValueError(
                f"row {int(rows[bad[0]])}: column 'instrument': scored with another instrument or weight set "
                f"than instrument/weights ({ind.tag}) (rule: instrument_mismatch)"
            )
    returnees: dict[str, Any] = {
        "community": _text_values(frame[com_key]),
        "country": _text_values(frame[cty_key]),
        "by": [_text_values(frame[b]) for b in by_list],
        "row": rows.tolist(),
        "scores": scores,
    }
    if weight:
        wt = pd.Series(_text_values(frame[weight]), dtype=object).str.strip()
        w = pd.to_numeric(wt.mask(wt == ""), errors="coerce")
        returnees["weight"] = w.fillna(-1.0).to_numpy(dtype=np.float64).tolist()  # invalid: refused by the core

    communities, com_tag = _scored_file(community, com_ins, names, com_key, cty_key)
    countries, str_tag = _scored_file(structural, str_ins, names, cty_key, None)
    hosts = None
    if host is not None:
        hosts, _ = _scored_file(host, ind, names, com_key, None)
        hosts = {"community": hosts["key"], "row": hosts["row"], "scores": hosts["scores"]}

    raw = _core.integrate_levels(
        names,
        returnees,
        communities,
        countries,
        hosts,
        {**settings, "level_weights": [settings["level_weights"][lvl] for lvl in LEVELS]},
        {"community": com_key, "country": cty_key, "weight": weight or "", "by": by_list},
    )

    instruments = {"individual": ind.tag, "community": com_tag, "structural": str_tag}
    statuses = pd.CategoricalDtype(list(_core.status_names))

    def status(codes: Sequence[int]) -> pd.Categorical:
        return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int8), dtype=statuses)

    # Per interview.
    carried = [
        c for c in frame.columns
        if c not in names and not str(c).startswith(("coverage_", "contrib.", "lost."))
        and c not in _OWN_SCORE_COLUMNS
    ]
    out: dict[str, Any] = {c: frame[c].array for c in carried}
    iv = raw["interviews"]
    level_values = [scores, iv["community"], iv["structural"], iv["integrated"]]
    for lvl, values in zip([*LEVELS, "integrated"], level_values):
        for j, s in enumerate(names):
            out[f"{s}_{lvl}"] = values[:, j]
    for j, s in enumerate(names):
        out[f"level_share_{s}"] = iv["level_share"][:, j]
    out["individual_status"] = (
        pd.Categorical(frame["status"].astype(object), dtype=statuses) if "status" in frame.columns
        else pd.Categorical([None] * len(frame), dtype=statuses)
    )
    out["community_status"] = status(iv["community_status"])
    out["structural_status"] = status(iv["structural_status"])
    out["problems"] = pd.array(iv["problems"], dtype=object)
    out["instrument"] = frame["instrument"].array if "instrument" in frame.columns else ""  # as the CLI
    out["community_instrument"] = com_tag
    out["structural_instrument"] = str_tag
    per_interview = pd.DataFrame(out, index=frame.index)

    def rollup(r: Mapping[str, Any], communities_table: bool) -> pd.DataFrame:
        groups = raw["groups"]
        o: dict[str, Any] = {b: [groups[g][i] for g in r["group"]] for i, b in enumerate(by_list)}
        if communities_table:
            o[com_key] = r["key"]
            o[cty_key] = r["parent"]
        else:
            o[cty_key] = r["key"]
            o["communities"] = np.asarray(r["units"], dtype=np.int64)
        suppressed = np.asarray(r["suppressed"], dtype=bool)
        o["n"] = pd.array(np.asarray(r["n"], dtype=np.int64), dtype="Int64")
        o["n"][suppressed] = pd.NA
        o["suppressed"] = suppressed
        for j, s in enumerate(names):
            col = pd.array(np.asarray(r["n_score"][:, j], dtype=np.int64), dtype="Int64")
            col[suppressed] = pd.NA
            o[f"n_{s}"] = col
        for j, s in enumerate(names):
            o[f"share_above_{s}"] = r["share_above"][:, j]
        if hosts is not None:
            hsup = np.asarray(r["host_suppressed"], dtype=bool)
            o["host_n"] = pd.array(np.asarray(r["host_n"], dtype=np.int64), dtype="Int64")
            o["host_n"][hsup] = pd.NA
            o["host_suppressed"] = hsup
            for prefix, key in [("host_mean_", "host_mean"), ("gap_", "gap"), ("gap_se_", "gap_se"),
                                ("gap_low_", "gap_low"), ("gap_high_", "gap_high")]:
                for j, s in enumerate(names):
                    o[f"{prefix}{s}"] = r[key][:, j]
        for lvl in [*LEVELS, "integrated"]:
            for j, s in enumerate(names):
                o[f"{s}_{lvl}"] = r[lvl][:, j]
        for j, s in enumerate(names):
            o[f"level_share_{s}"] = r["level_share"][:, j]
        if communities_table:
            o["community_status"] = status(r["community_status"])
        o["structural_status"] = status(r["structural_status"])
        o["problems"] = pd.array(r["problems"], dtype=object)
        o["community_instrument"] = com_tag
        o["structural_instrument"] = str_tag
        return pd.DataFrame(o)

    problems = pd.DataFrame(
        {
            "rule": [p["rule"] for p in raw["problems"]],
            "source": [p["source"] for p in raw["problems"]],
            "column": [p["column"] for p in raw["problems"]],
            "key": [p["key"] for p in raw["problems"]],
            "count": np.asarray([len(p["rows"]) for p in raw["problems"]], dtype=np.int64),
            "rows": [list(p["rows"]) for p in raw["problems"]],
        }
    )
    return IntegratedResult(
        per_interview,
        rollup(raw["communities"], True),
        rollup(raw["countries"], False),
        problems,
        settings,
        instruments,
        names,
    )
