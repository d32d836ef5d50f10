#!/usr/bin/env python3
"""Generate SYNTHETIC Reintegration Sustainability Survey (RSS) answers.

The item columns, answer codes and missing codes are read from an instrument
file (``data/instruments/iom-rss.json`` by default); only the latent model
below (countries, communities, dimension levels, attrition) is written here.
No real person is behind any row.

Two modes:

* default (panel): ``--returnees`` returnees followed over ``--rounds``
  follow-up rounds with attrition, with planted missingness (don't know,
  refused, skipped, not applicable, whole-dimension gaps) and about ten
  invalid cells so that validation has something to find.  This mode writes
  the committed ``data/examples/rss_sample.csv``::

      python3 tools/make_sample.py --out data/examples/rss_sample.csv

* ``--rows N --plain`` (benchmarks): N single-round interviews, generated and
  written in chunks, with don't know / refused / skipped cells only::

      python3 tools/make_sample.py --rows 1000000 --plain --out build/w1.csv

Output is deterministic for a given ``--seed``, instrument and numpy version.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import BinaryIO

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INSTRUMENT = REPO_ROOT / "data" / "instruments" / "iom-rss.json"
DEFAULT_SEED = 20261127
DEFAULT_RETURNEES = 2000
DEFAULT_ROUNDS = 3
CHUNK_ROWS = 100_000

META_COLUMNS = (
    "interview_id",
    "returnee_id",
    "country",
    "community_id",
    "round",
    "interview_date",
    "return_date",
    "sex",
    "age",
    "assistance_type",
)

# --- Latent model -----------------------------------------------------------
# Everything substantive about the synthetic population lives here.
COUNTRIES = ("ZWE", "MWI", "MOZ", "ZMB", "LSO")
COUNTRY_SHARES = (0.30, 0.22, 0.20, 0.16, 0.12)
COMMUNITIES_PER_COUNTRY = (4, 7)  # inclusive range
COMMUNITY_SIZE_CONCENTRATION = 3.0  # Dirichlet parameter for community sizes
FEMALE_SHARE = 0.38
AGE_MIN, AGE_MAX = 18, 65
AGE_GAMMA_SHAPE, AGE_GAMMA_SCALE = 2.2, 6.0  # age = 18 + Gamma(...), mean ~31
# An assistance type named like a dimension boosts that dimension; "multiple"
# boosts every dimension a little; "none" boosts nothing.
ASSISTANCE_TYPES = ("economic", "social", "psychosocial", "multiple", "none")
ASSISTANCE_SHARES = (0.34, 0.12, 0.10, 0.28, 0.16)
RETURN_DATE_FIRST, RETURN_DATE_LAST = "2024-01-08", "2025-06-30"
ROUND_SPACING_DAYS = 91  # round r is about r * 3 months after return
ROUND_JITTER_DAYS = 14
# Share of returnees interviewed in round 1, 2, 3; later rounds keep 85 %.
CUMULATIVE_RETENTION = (1.0, 0.90, 0.75)
LATER_ROUND_RETENTION = 0.85
RECONTACT_SHARE = 0.25  # of those missed in a round, share found again next round
ATTRITION_LATENT_SLOPE = 0.3  # better-off returnees drop out slightly less
SD_COUNTRY = 0.30
SD_COMMUNITY = 0.20
SD_PERSON = 0.80
SD_OCCASION = 0.35  # interview-to-interview noise of the latent level
DIMENSION_CORRELATION = 0.35  # between a person's dimension levels
ROUND_GAIN = 0.12  # mean improvement per round, every dimension
ASSISTANCE_GAIN = 0.10  # extra per round in the assisted dimension
MULTIPLE_ASSISTANCE_FACTOR = 0.6  # "multiple": this share of the gain, everywhere
LOADING_RANGE = (0.6, 1.1)
ITEM_NOISE_SD = 0.8
ITEM_SHIFT_SD = 0.25  # per-item difficulty, in standard deviations
CUT_SPREAD = 1.2  # > 1 puts more answers in the middle categories

# --- Planted missingness and errors -----------------------------------------
SHARE_DONT_KNOW = 0.02
SHARE_REFUSED = 0.01
SHARE_SKIPPED = 0.01
SHARE_NOT_APPLICABLE = 0.30  # returnees for whom "not applicable" items are NA
GAP_DIMENSION = "economic"
GAP_ROWS = 8
INVALID_CELLS = 10
INVALID_NUMBERS = ("7", "6", "0", "2", "9")
INVALID_TEXT = "N/A"
SHARE_DOUBLED_LETTER = 0.5  # typos: doubled last letter, else two letters swapped
MIN_CODES = 2

# Negative sentinels in the code matrix; they index the end of each item's
# lookup table: [code_0, ..., code_k-1, not_applicable, refused, dont_know, ""].
SKIPPED, DONT_KNOW, REFUSED, NOT_APPLICABLE = -1, -2, -3, -4


@dataclass(frozen=True)
class Item:
    """One scored item as needed by the generator.

    Attributes
    ----------
    column : str
        Column header in the data file.
    dimension : str
        Dimension the item belongs to.
    codes : tuple of str
        Answer codes ordered by scale value, least valuable first.
    numerics : frozenset of str
        Numeric codes of the scale, valid and missing, as strings.
    reverse : bool
        Whether the favourable answer is the one of value 0.
    dont_know, refused, not_applicable : str or None
        Missing codes of the scale with that meaning, if any.
    """

    column: str
    dimension: str
    codes: tuple[str, ...]
    numerics: frozenset[str]
    reverse: bool
    dont_know: str | None
    refused: str | None
    not_applicable: str | None

    def lookup(self) -> np.ndarray:
        """Return the code table indexed by the code matrix.

        Returns
        -------
        numpy.ndarray
            Object array ``[codes..., not_applicable, refused, dont_know, ""]``
            so that the negative sentinels select the missing codes.
        """
        tail = [self.not_applicable or "", self.refused or "", self.dont_know or "", ""]
        return np.array([*self.codes, *tail], dtype=object)


@dataclass(frozen=True)
class Instrument:
    """The parts of an instrument file the generator uses.

    Attributes
    ----------
    id, version : str
        Instrument identification, for messages.
    dimensions : tuple of str
        Dimension names in instrument order.
    items : tuple of Item
        Items in instrument order.
    min_coverage : float
        Share of a dimension's items that must be answered.
    """

    id: str
    version: str
    dimensions: tuple[str, ...]
    items: tuple[Item, ...]
    min_coverage: float

    def dimension_index(self) -> np.ndarray:
        """Return, for every item, the index of its dimension."""
        return np.array([self.dimensions.index(it.dimension) for it in self.items])


@dataclass(frozen=True)
class Geography:
    """Countries and communities with their latent effects.

    Attributes
    ----------
    community_ids : numpy.ndarray
        Object array of community ids such as ``"ZWE-C03"``.
    community_country : numpy.ndarray
        Country index of every community.
    community_share : numpy.ndarray
        Probability of every community within its country.
    country_effect : numpy.ndarray
        Shape (countries, dimensions).
    community_effect : numpy.ndarray
        Shape (communities, dimensions).
    """

    community_ids: np.ndarray
    community_country: np.ndarray
    community_share: np.ndarray
    country_effect: np.ndarray
    community_effect: np.ndarray


@dataclass(frozen=True)
class ItemModel:
    """Measurement model of the items.

    Attributes
    ----------
    dim : numpy.ndarray
        Dimension index of every item.
    loading : numpy.ndarray
        Loading of every item on its dimension's latent level.
    cuts : tuple of numpy.ndarray
        Increasing cut points of every item, least favourable category first.
    """

    dim: np.ndarray
    loading: np.ndarray
    cuts: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class Returnees:
    """Per-returnee attributes, all arrays of the same length.

    Attributes
    ----------
    country, community, assistance : numpy.ndarray
        Indices into ``COUNTRIES``, the geography and ``ASSISTANCE_TYPES``.
    female : numpy.ndarray
        Boolean.
    age : numpy.ndarray
        Age at return, 18 to 65.
    return_day : numpy.ndarray
        ``datetime64[D]``.
    level : numpy.ndarray
        Latent level at round 1 before interview noise, (n, dimensions).
    gain : numpy.ndarray
        Latent improvement per round, (n, dimensions).
    not_applicable : numpy.ndarray
        Boolean: "not applicable" items are NA for this returnee.
    """

    country: np.ndarray
    community: np.ndarray
    assistance: np.ndarray
    female: np.ndarray
    age: np.ndarray
    return_day: np.ndarray
    level: np.ndarray
    gain: np.ndarray
    not_applicable: np.ndarray


def load_instrument(path: Path) -> Instrument:
    """Read the items, codes and missing codes of an instrument file.

    Parameters
    ----------
    path : pathlib.Path
        Instrument JSON file.

    Returns
    -------
    Instrument
        Items in file order with codes sorted by scale value.

    Raises
    ------
    ValueError
        If an item has no usable categorical scale or a code would need
        CSV quoting.
    """
    doc = json.loads(path.read_text(encoding="utf-8"))
    scales = doc["scales"]
    dimensions = tuple(doc["dimensions"])
    items = []
    for raw in doc["items"]:
        column = raw.get("column", raw["id"])
        scale = scales.get(raw["scale"])
        if scale is None or len(scale.get("codes", [])) < MIN_CODES:
            raise ValueError(
                f"item {column}: scale {raw['scale']!r} has no answer codes"
            )
        if raw["dimension"] not in dimensions:
            raise ValueError(f"item {column}: unknown dimension {raw['dimension']!r}")
        codes = sorted(scale["codes"], key=lambda c: c["value"])
        missing = {m["meaning"]: m["code"] for m in scale.get("missing", [])}
        numerics = {
            str(c["numeric"]) for c in [*scale["codes"], *scale.get("missing", [])]
        }
        item = Item(
            column=column,
            dimension=raw["dimension"],
            codes=tuple(c["code"] for c in codes),
            numerics=frozenset(numerics),
            reverse=bool(raw.get("reverse", False)),
            dont_know=missing.get("dont_know"),
            refused=missing.get("refused"),
            not_applicable=missing.get("not_applicable"),
        )
        for text in [item.column, *item.lookup()]:
            if any(ch in text for ch in ',"\r\n'):
                raise ValueError(f"item {column}: {text!r} would need CSV quoting")
        items.append(item)
    return Instrument(
        id=doc.get("id", path.stem),
        version=str(doc.get("version", "")),
        dimensions=dimensions,
        items=tuple(items),
        min_coverage=float(doc.get("coverage", {}).get("min_share", 0.5)),
    )


def make_geography(rng: np.random.Generator, n_dims: int) -> Geography:
    """Draw communities per country and their latent effects.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    n_dims : int
        Number of dimensions.

    Returns
    -------
    Geography
        Communities numbered ``C01``, ``C02``... within each country.
    """
    lo, hi = COMMUNITIES_PER_COUNTRY
    counts = rng.integers(lo, hi + 1, size=len(COUNTRIES))
    ids, country_of, shares = [], [], []
    for c, (iso3, n) in enumerate(zip(COUNTRIES, counts, strict=True)):
        ids += [f"{iso3}-C{k:02d}" for k in range(1, n + 1)]
        country_of += [c] * n
        shares.append(rng.dirichlet(np.full(n, COMMUNITY_SIZE_CONCENTRATION)))
    return Geography(
        community_ids=np.array(ids, dtype=object),
        community_country=np.array(country_of),
        community_share=np.concatenate(shares),
        country_effect=rng.normal(0.0, SD_COUNTRY, (len(COUNTRIES), n_dims)),
        community_effect=rng.normal(0.0, SD_COMMUNITY, (len(ids), n_dims)),
    )


def make_item_model(rng: np.random.Generator, instrument: Instrument) -> ItemModel:
    """Draw loadings and category cut points of every item.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    instrument : Instrument
        Items to model.

    Returns
    -------
    ItemModel
        Cut points are placed on the approximate marginal scale of each
        item's response so that every category is used.
    """
    normal = NormalDist()
    n = len(instrument.items)
    loading = rng.uniform(*LOADING_RANGE, size=n)
    shift = rng.normal(0.0, ITEM_SHIFT_SD, size=n)
    latent_var = SD_COUNTRY**2 + SD_COMMUNITY**2 + SD_PERSON**2 + SD_OCCASION**2
    cuts = []
    for j, item in enumerate(instrument.items):
        k = len(item.codes)
        sd = float(np.sqrt(loading[j] ** 2 * latent_var + ITEM_NOISE_SD**2))
        spread = CUT_SPREAD if k > MIN_CODES else 1.0
        z = np.array([normal.inv_cdf(q / k) for q in range(1, k)])
        cuts.append(sd * (spread * z + shift[j]))
    return ItemModel(
        dim=instrument.dimension_index(), loading=loading, cuts=tuple(cuts)
    )


def draw_returnees(
    rng: np.random.Generator, n: int, geo: Geography, dimensions: Sequence[str]
) -> Returnees:
    """Draw returnees with demographics and latent levels.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    n : int
        Number of returnees.
    geo : Geography
        Countries and communities.
    dimensions : sequence of str
        Dimension names, matched against assistance types.

    Returns
    -------
    Returnees
        Latent levels combine country, community and correlated person
        effects; gains combine the common trend and the assistance effect.
    """
    n_dims = len(dimensions)
    country = rng.choice(len(COUNTRIES), size=n, p=COUNTRY_SHARES)
    community = np.empty(n, dtype=np.int64)
    for c in range(len(COUNTRIES)):
        members = np.flatnonzero(geo.community_country == c)
        mask = country == c
        community[mask] = rng.choice(
            members, size=mask.sum(), p=geo.community_share[members]
        )
    female = rng.random(n) < FEMALE_SHARE
    age = np.minimum(AGE_MIN + rng.gamma(AGE_GAMMA_SHAPE, AGE_GAMMA_SCALE, n), AGE_MAX)
    assistance = rng.choice(len(ASSISTANCE_TYPES), size=n, p=ASSISTANCE_SHARES)
    first = np.datetime64(RETURN_DATE_FIRST, "D")
    span = int((np.datetime64(RETURN_DATE_LAST, "D") - first).astype(int))
    return_day = first + rng.integers(0, span + 1, n).astype("timedelta64[D]")

    corr = np.full((n_dims, n_dims), DIMENSION_CORRELATION)
    np.fill_diagonal(corr, 1.0)
    person = SD_PERSON * rng.standard_normal((n, n_dims)) @ np.linalg.cholesky(corr).T
    level = geo.country_effect[country] + geo.community_effect[community] + person

    boost = np.zeros((len(ASSISTANCE_TYPES), n_dims))
    for a, name in enumerate(ASSISTANCE_TYPES):
        if name in dimensions:
            boost[a, list(dimensions).index(name)] = ASSISTANCE_GAIN
        elif name == "multiple":
            boost[a, :] = ASSISTANCE_GAIN * MULTIPLE_ASSISTANCE_FACTOR
    gain = ROUND_GAIN + boost[assistance]
    return Returnees(
        country=country,
        community=community,
        assistance=assistance,
        female=female,
        age=np.rint(age).astype(np.int64),
        return_day=return_day,
        level=level,
        gain=gain,
        not_applicable=rng.random(n) < SHARE_NOT_APPLICABLE,
    )


def _calibrated_logistic(shift: np.ndarray, mean: float) -> np.ndarray:
    """Probabilities ``logistic(a + shift)`` whose average is ``mean``.

    Parameters
    ----------
    shift : numpy.ndarray
        Individual shifts on the logit scale.
    mean : float
        Target average probability, strictly between 0 and 1.

    Returns
    -------
    numpy.ndarray
        Probabilities, same shape as ``shift``.
    """
    lo, hi = -20.0, 20.0
    for _ in range(60):  # bisection on the intercept
        mid = 0.5 * (lo + hi)
        if np.mean(1.0 / (1.0 + np.exp(-(mid + shift)))) < mean:
            lo = mid
        else:
            hi = mid
    return 1.0 / (1.0 + np.exp(-(0.5 * (lo + hi) + shift)))


def draw_attendance(
    rng: np.random.Generator, people: Returnees, rounds: int
) -> np.ndarray:
    """Decide which returnee is interviewed in which round.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    people : Returnees
        The panel.
    rounds : int
        Number of rounds.

    Returns
    -------
    numpy.ndarray
        Boolean (returnees, rounds); everyone is present in round 1.
    """
    n = len(people.country)
    mean_level = people.level.mean(axis=1)
    z = (mean_level - mean_level.mean()) / (mean_level.std() or 1.0)
    present = np.zeros((n, rounds), dtype=bool)
    present[:, 0] = True
    target = list(CUMULATIVE_RETENTION)
    while len(target) < rounds:
        target.append(target[-1] * LATER_ROUND_RETENTION)
    for r in range(1, rounds):
        prev, now = target[r - 1], target[r]
        stay = np.clip((now - (1.0 - prev) * RECONTACT_SHARE) / prev, 0.01, 0.99)
        p_stay = _calibrated_logistic(
            ATTRITION_LATENT_SLOPE * z[present[:, r - 1]], stay
        )
        u = rng.random(n)
        kept = np.zeros(n, dtype=bool)
        kept[present[:, r - 1]] = u[present[:, r - 1]] < p_stay
        present[:, r] = np.where(present[:, r - 1], kept, u < RECONTACT_SHARE)
    return present


def interview_latent(
    rng: np.random.Generator, people: Returnees, who: np.ndarray, rnd: np.ndarray
) -> np.ndarray:
    """Latent level of every interview.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    people : Returnees
        The returnees.
    who : numpy.ndarray
        Returnee index of every interview.
    rnd : numpy.ndarray
        Round (1-based) of every interview.

    Returns
    -------
    numpy.ndarray
        Shape (interviews, dimensions).
    """
    trend = people.gain[who] * (rnd - 1)[:, None]
    noise = rng.normal(0.0, SD_OCCASION, (len(who), people.level.shape[1]))
    return people.level[who] + trend + noise


def code_answers(
    rng: np.random.Generator, latent: np.ndarray, model: ItemModel
) -> np.ndarray:
    """Cut latent levels plus item noise into answer categories.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    latent : numpy.ndarray
        Shape (interviews, dimensions).
    model : ItemModel
        Loadings and cut points.

    Returns
    -------
    numpy.ndarray
        ``int16`` (interviews, items), category index in favourable order
        (0 is the least favourable answer).
    """
    m, n_items = latent.shape[0], len(model.cuts)
    y = latent[:, model.dim] * model.loading + rng.normal(
        0.0, ITEM_NOISE_SD, (m, n_items)
    )
    out = np.empty((m, n_items), dtype=np.int16)
    for j, cuts in enumerate(model.cuts):
        out[:, j] = np.searchsorted(cuts, y[:, j])
    return out


def to_code_index(favourable: np.ndarray, instrument: Instrument) -> np.ndarray:
    """Turn favourable-order categories into indices of the value-ordered codes.

    Parameters
    ----------
    favourable : numpy.ndarray
        Output of :func:`code_answers`.
    instrument : Instrument
        Items, for their ``reverse`` flags.

    Returns
    -------
    numpy.ndarray
        Same shape; for reverse items the most favourable answer becomes the
        code of value 0.
    """
    out = favourable.copy()
    for j, item in enumerate(instrument.items):
        if item.reverse:
            out[:, j] = len(item.codes) - 1 - out[:, j]
    return out


def plant_missing(
    rng: np.random.Generator,
    codes: np.ndarray,
    instrument: Instrument,
    not_applicable_rows: np.ndarray | None,
) -> None:
    """Replace answers with don't know, refused, skipped and NA sentinels.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    codes : numpy.ndarray
        Code indices, modified in place.
    instrument : Instrument
        Items, for which missing codes their scales have.
    not_applicable_rows : numpy.ndarray or None
        Boolean per row: items with a "not applicable" code get it.
    """
    u = rng.random(codes.shape)
    has_dk = np.array([it.dont_know is not None for it in instrument.items])
    has_ref = np.array([it.refused is not None for it in instrument.items])
    dk = (u < SHARE_DONT_KNOW) & has_dk
    ref = (u >= SHARE_DONT_KNOW) & (u < SHARE_DONT_KNOW + SHARE_REFUSED) & has_ref
    top = SHARE_DONT_KNOW + SHARE_REFUSED
    skip = (u >= top) & (u < top + SHARE_SKIPPED)
    codes[dk] = DONT_KNOW
    codes[ref] = REFUSED
    codes[skip] = SKIPPED
    if not_applicable_rows is not None:
        for j, item in enumerate(instrument.items):
            if item.not_applicable is not None:
                codes[not_applicable_rows, j] = NOT_APPLICABLE


def plant_gaps(
    rng: np.random.Generator, codes: np.ndarray, instrument: Instrument
) -> np.ndarray:
    """Leave most items of one dimension empty in a few rows.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    codes : numpy.ndarray
        Code indices, modified in place.
    instrument : Instrument
        Items and coverage rule.

    Returns
    -------
    numpy.ndarray
        Sorted indices of the rows with a gap (empty if ``GAP_DIMENSION`` is
        not in the instrument).
    """
    cols = [j for j, it in enumerate(instrument.items) if it.dimension == GAP_DIMENSION]
    if not cols:
        return np.array([], dtype=np.int64)
    # Largest number of answered items that still falls below coverage.
    max_keep = max(int(np.ceil(instrument.min_coverage * len(cols))) - 1, 0)
    rows = np.sort(
        rng.choice(codes.shape[0], size=min(GAP_ROWS, codes.shape[0]), replace=False)
    )
    for r in rows:
        keep = int(rng.integers(1, max_keep + 1)) if max_keep >= 1 else 0
        blank = rng.permutation(cols)[keep:]
        codes[r, blank] = SKIPPED
    return rows


def misspell(rng: np.random.Generator, code: str, taken: set[str]) -> str:
    """Return a plausible typo of ``code`` that is not a valid code.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    code : str
        A valid answer code.
    taken : set of str
        Codes the typo must not equal.

    Returns
    -------
    str
        The code with its last letter doubled, or two letters swapped.
    """
    candidates = [code + code[-1]]
    for i in range(1, len(code) - 2):
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        if swapped != code and "_" not in code[i : i + 2]:
            candidates.append(swapped)
    candidates = [c for c in candidates if c not in taken] or [code + "x"]
    if len(candidates) == 1 or rng.random() < SHARE_DOUBLED_LETTER:
        return candidates[0]
    return candidates[int(rng.integers(1, len(candidates)))]


def plant_invalid(
    rng: np.random.Generator, codes: np.ndarray, instrument: Instrument, n: int
) -> dict[int, dict[int, str]]:
    """Choose cells to overwrite with invalid values.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    codes : numpy.ndarray
        Code indices; only cells holding a valid answer are chosen.
    instrument : Instrument
        Items, for codes and numeric codes.
    n : int
        Number of invalid cells.

    Returns
    -------
    dict
        ``{item index: {row: text}}``.  The kinds (misspelt code,
        out-of-scale number, stray ``N/A``) are used in turn.
    """
    rows, cols = np.nonzero(codes >= 0)
    pick = rng.choice(len(rows), size=min(n, len(rows)), replace=False)
    kinds = ("misspelt", "number", "text")
    out: dict[int, dict[int, str]] = {}
    for k, p in enumerate(pick):
        r, j = int(rows[p]), int(cols[p])
        item = instrument.items[j]
        kind = kinds[k % len(kinds)]
        if kind == "misspelt":
            taken = set(item.lookup())
            text = misspell(rng, item.codes[codes[r, j]], taken)
        elif kind == "number":
            numbers = [x for x in INVALID_NUMBERS if x not in item.numerics]
            text = numbers[int(rng.integers(len(numbers)))]
        else:
            text = INVALID_TEXT
        out.setdefault(j, {})[r] = text
    return out


def render(
    meta: Sequence[list[str]],
    codes: np.ndarray,
    instrument: Instrument,
    overrides: dict[int, dict[int, str]] | None = None,
) -> bytes:
    """Format rows as CSV lines (no field needs quoting).

    Parameters
    ----------
    meta : sequence of list of str
        Values of the ``META_COLUMNS``, one list per column.
    codes : numpy.ndarray
        Code indices and sentinels, (rows, items).
    instrument : Instrument
        Items, for their code tables.
    overrides : dict, optional
        ``{item index: {row: text}}`` cells to replace.

    Returns
    -------
    bytes
        UTF-8 text, one LF-terminated line per row.
    """
    columns = list(meta)
    for j, item in enumerate(instrument.items):
        col = item.lookup()[codes[:, j]]
        for r, text in (overrides or {}).get(j, {}).items():
            col[r] = text
        columns.append(col.tolist())
    lines = map(",".join, zip(*columns, strict=True))
    return ("\n".join(lines) + "\n").encode("utf-8")


def header(instrument: Instrument, kobo_groups: bool) -> bytes:
    """Return the header line.

    Parameters
    ----------
    instrument : Instrument
        Items, in column order.
    kobo_groups : bool
        Prefix item columns with ``group_<dimension>/``.

    Returns
    -------
    bytes
        LF-terminated header line.
    """
    items = [
        f"group_{it.dimension}/{it.column}" if kobo_groups else it.column
        for it in instrument.items
    ]
    return (",".join([*META_COLUMNS, *items]) + "\n").encode("utf-8")


def meta_columns(
    people: Returnees,
    geo: Geography,
    who: np.ndarray,
    rnd: np.ndarray,
    interview_day: np.ndarray,
    first_interview: int,
    first_returnee: int,
    id_widths: tuple[int, int],
) -> list[list[str]]:
    """Format the non-item columns.

    Parameters
    ----------
    people : Returnees
        The returnees.
    geo : Geography
        Community ids.
    who : numpy.ndarray
        Returnee index of every row.
    rnd : numpy.ndarray
        Round of every row.
    interview_day : numpy.ndarray
        ``datetime64[D]`` interview date of every row.
    first_interview, first_returnee : int
        Number of the first interview and returnee in this block (1-based),
        for ids.
    id_widths : tuple of int
        Digits of interview and returnee ids.

    Returns
    -------
    list of list of str
        One list per ``META_COLUMNS`` entry.
    """
    wi, wr = id_widths
    m = len(who)
    small = np.array(
        [str(i) for i in range(max(AGE_MAX, int(rnd.max())) + 1)], dtype=object
    )
    sex = np.array(["male", "female"], dtype=object)
    return [
        [f"I{i:0{wi}d}" for i in range(first_interview, first_interview + m)],
        [f"R{i:0{wr}d}" for i in (who + first_returnee).tolist()],
        np.array(COUNTRIES, dtype=object)[people.country[who]].tolist(),
        geo.community_ids[people.community[who]].tolist(),
        small[rnd].tolist(),
        np.datetime_as_string(interview_day, unit="D").tolist(),
        np.datetime_as_string(people.return_day[who], unit="D").tolist(),
        sex[people.female[who].astype(np.int64)].tolist(),
        small[people.age[who]].tolist(),
        np.array(ASSISTANCE_TYPES, dtype=object)[people.assistance[who]].tolist(),
    ]


def interview_days(
    rng: np.random.Generator, return_day: np.ndarray, rnd: np.ndarray
) -> np.ndarray:
    """Interview dates about three months apart, starting three months after return.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    return_day : numpy.ndarray
        ``datetime64[D]`` return date of every row.
    rnd : numpy.ndarray
        Round of every row.

    Returns
    -------
    numpy.ndarray
        ``datetime64[D]``.
    """
    jitter = rng.integers(-ROUND_JITTER_DAYS, ROUND_JITTER_DAYS + 1, len(rnd))
    return return_day + (ROUND_SPACING_DAYS * rnd + jitter).astype("timedelta64[D]")


def write_panel(
    out: BinaryIO,
    instrument: Instrument,
    seed: int,
    returnees: int,
    rounds: int,
    kobo: bool,
) -> str:
    """Write the panel sample with all planted problems.

    Parameters
    ----------
    out : BinaryIO
        Destination.
    instrument : Instrument
        Items.
    seed : int
        Random seed.
    returnees : int
        Number of returnees.
    rounds : int
        Number of follow-up rounds.
    kobo : bool
        Kobo-style group prefixes in the header.

    Returns
    -------
    str
        One-line summary for the user.
    """
    rng = np.random.default_rng(seed)
    geo = make_geography(rng, len(instrument.dimensions))
    model = make_item_model(rng, instrument)
    people = draw_returnees(rng, returnees, geo, instrument.dimensions)
    present = draw_attendance(rng, people, rounds)
    # Rows ordered by round, then returnee.
    rnd_idx, who = np.nonzero(present.T)
    rnd = rnd_idx + 1
    latent = interview_latent(rng, people, who, rnd)
    codes = to_code_index(code_answers(rng, latent, model), instrument)
    plant_missing(rng, codes, instrument, people.not_applicable[who])
    gaps = plant_gaps(rng, codes, instrument)
    invalid = plant_invalid(rng, codes, instrument, INVALID_CELLS)
    days = interview_days(rng, people.return_day[who], rnd)
    widths = (max(6, len(str(len(who)))), max(5, len(str(returnees))))
    meta = meta_columns(people, geo, who, rnd, days, 1, 1, widths)
    out.write(header(instrument, kobo))
    out.write(render(meta, codes, instrument, invalid))
    per_round = ", ".join(str(int(c)) for c in present.sum(axis=0))
    n_invalid = sum(len(v) for v in invalid.values())
    return (
        f"{len(who)} interviews of {returnees} returnees (per round: {per_round}); "
        f"{len(gaps)} {GAP_DIMENSION} gap rows, {n_invalid} invalid cells"
    )


def write_plain(
    out: BinaryIO, instrument: Instrument, seed: int, rows: int, kobo: bool
) -> str:
    """Write single-round rows in chunks, with ordinary missingness only.

    Parameters
    ----------
    out : BinaryIO
        Destination.
    instrument : Instrument
        Items.
    seed : int
        Random seed.
    rows : int
        Number of rows (one returnee each).
    kobo : bool
        Kobo-style group prefixes in the header.

    Returns
    -------
    str
        One-line summary for the user.
    """
    rng = np.random.default_rng(seed)
    geo = make_geography(rng, len(instrument.dimensions))
    model = make_item_model(rng, instrument)
    widths = (max(6, len(str(rows))), max(5, len(str(rows))))
    out.write(header(instrument, kobo))
    for start in range(0, rows, CHUNK_ROWS):
        m = min(CHUNK_ROWS, rows - start)
        people = draw_returnees(rng, m, geo, instrument.dimensions)
        who = np.arange(m)
        rnd = np.ones(m, dtype=np.int64)
        latent = interview_latent(rng, people, who, rnd)
        codes = to_code_index(code_answers(rng, latent, model), instrument)
        plant_missing(rng, codes, instrument, None)
        days = interview_days(rng, people.return_day, rnd)
        meta = meta_columns(people, geo, who, rnd, days, start + 1, start + 1, widths)
        out.write(render(meta, codes, instrument))
    return f"{rows} single-round interviews (plain)"


def positive_int(text: str) -> int:
    """Argparse type for integers of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments; ``sys.argv[1:]`` by default.

    Returns
    -------
    argparse.Namespace
        Parsed options.
    """
    parser = argparse.ArgumentParser(
        description="Generate SYNTHETIC RSS survey answers (no real person) as CSV.",
        epilog="Sample: make_sample.py --out data/examples/rss_sample.csv; "
        "benchmark: make_sample.py --rows 1000000 --plain --out build/w1.csv",
    )
    parser.add_argument(
        "--instrument",
        type=Path,
        default=DEFAULT_INSTRUMENT,
        help="instrument JSON (default: data/instruments/iom-rss.json in the repo)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help="random seed (default: %(default)s)",
    )
    parser.add_argument(
        "--returnees",
        type=positive_int,
        default=DEFAULT_RETURNEES,
        help="returnees in the panel sample (default: %(default)s)",
    )
    parser.add_argument(
        "--rounds",
        type=positive_int,
        default=DEFAULT_ROUNDS,
        help="follow-up rounds in the panel sample (default: %(default)s)",
    )
    parser.add_argument(
        "--rows", type=positive_int, help="rows to write in --plain mode"
    )
    parser.add_argument(
        "--plain",
        action="store_true",
        help="single round, no invalid cells; only don't know, refused and skipped",
    )
    parser.add_argument(
        "--kobo-groups",
        action="store_true",
        help="prefix item headers with Kobo group names (group_economic/...)",
    )
    parser.add_argument(
        "--out", default="-", help="output CSV path, '-' for stdout (default)"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no summary on stderr"
    )
    args = parser.parse_args(argv)
    if args.plain != (args.rows is not None):
        parser.error("--rows and --plain go together")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments.

    Returns
    -------
    int
        Exit status.
    """
    args = parse_args(argv)
    instrument = load_instrument(args.instrument)
    to_stdout = args.out == "-"
    if not to_stdout:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    out = sys.stdout.buffer if to_stdout else open(args.out, "wb")  # noqa: SIM115
    try:
        if args.plain:
            summary = write_plain(
                out, instrument, args.seed, args.rows, args.kobo_groups
            )
        else:
            summary = write_panel(
                out,
                instrument,
                args.seed,
                args.returnees,
                args.rounds,
                args.kobo_groups,
            )
        out.flush()
    except BrokenPipeError:
        # The reader went away (e.g. piped into head): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    finally:
        if not to_stdout:
            out.close()
    if not args.quiet:
        where = "stdout" if to_stdout else args.out
        print(
            f"make_sample: {summary} -> {where} "
            f"(seed {args.seed}, {instrument.id} {instrument.version})",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
