"""Type stubs of reinscore._core, the compiled core (bindings/*.cpp).

Hand-written: keep in step with bindings/register_*.cpp. The record types below
(``ItemRecord``, ``ScoreArrays``, ...) exist only for type checkers; at run time the
functions return plain dicts, lists and numpy arrays.
"""

from collections.abc import Mapping, Sequence
from typing import Literal, SupportsFloat, SupportsIndex, SupportsInt, TypeAlias, TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray
from typing_extensions import NotRequired  # typing has it from Python 3.11

__version__: str

#: Names of the row statuses, indexed by the codes in ``ScoreArrays["status"]``:
#: ``complete, partial, insufficient, invalid``.
status_names: list[str]
#: Names of the cell reasons, indexed by the codes in ``ScoreArrays["reasons"]``:
#: ``answered, dont_know, refused, not_applicable, skipped, invalid_code, out_of_range``.
reason_names: list[str]

# -- records returned by Instrument ----------------------------------------------------

class ItemRecord(TypedDict):
    id: str
    column: str
    aliases: list[str]
    dimension: str
    level: str  # the item's own level, else the instrument's
    scale: str
    reverse: bool
    question: str

class ScaleRecord(TypedDict):
    """One answer or missing code of a scale (a numeric scale adds one range row)."""

    scale: str
    type: Literal["categorical", "numeric"]
    code: str | None  # None on the range row of a numeric scale
    numeric: int | None
    label: str
    value: float | None  # None for missing codes and the numeric range row
    meaning: str  # "answer", "dont_know", "refused", "not_applicable", "skipped"
    min: float | None  # numeric range row only
    max: float | None

class Thresholds(TypedDict):
    score: str
    provisional: bool
    categories: list[tuple[str, float]]  # (label, min), ascending

class WeightItemRecord(TypedDict):
    item: str
    dimension: str
    dimension_weight: float
    composite_weight: float | None  # item-mode weight sets only

class WeightSetRecord(TypedDict):
    name: str
    source: str
    citation: str
    provisional: bool
    mode: Literal["item", "dimension"]
    dimension_weights: dict[str, float]  # empty in item mode
    items: list[WeightItemRecord]
    diagnostics: str  # a JSON object

class Instrument:
    """An instrument file, parsed and checked (reinscore::Instrument)."""

    @staticmethod
    def load(path: str) -> Instrument: ...
    @staticmethod
    def parse(text: str) -> Instrument: ...
    def to_json(self) -> str: ...
    @property
    def hash(self) -> str: ...
    @property
    def tag(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def unit_key(self) -> str: ...
    @property
    def provisional(self) -> bool: ...
    @property
    def dimensions(self) -> list[str]: ...
    @property
    def coverage_min_share(self) -> float: ...
    @property
    def default_weights(self) -> str: ...
    @property
    def items(self) -> list[ItemRecord]: ...
    @property
    def scales(self) -> list[ScaleRecord]: ...
    @property
    def thresholds(self) -> Thresholds | None: ...
    @property
    def weight_set_names(self) -> list[str]: ...
    def weight_set(self, name: str = "") -> WeightSetRecord: ...
    def with_default_weights(self, name: str) -> Instrument: ...
    def with_weights_file(self, path: str, name: str = "") -> Instrument: ...
    def with_weights_csv(self, text: str, name: str, source: str = "table") -> Instrument: ...
    def with_weights_table(
        self,
        name: str,
        dimension_weights: Sequence[SupportsFloat | SupportsIndex],
        composite_weights: Sequence[SupportsFloat | SupportsIndex | None],
        dimension_composite: Sequence[SupportsFloat | SupportsIndex] | None,
        source: str,
        citation: str = "",
        provisional: bool = False,
        diagnostics_json: str = "",
    ) -> Instrument: ...

# -- scoring ---------------------------------------------------------------------------

#: A category of a factorised column: an answer as text or a number; None for empty.
Category: TypeAlias = str | int | float | None
#: One input column per item: absent (None), numbers (NaN for empty), or int codes into
#: a list of categories (a negative code is an empty cell).
NumericColumn: TypeAlias = tuple[Literal["num"], ArrayLike]
CategoricalColumn: TypeAlias = tuple[Literal["cat"], ArrayLike, list[Category]]
CoreColumn: TypeAlias = NumericColumn | CategoricalColumn | None

class ScoreArrays(TypedDict):
    dimension: NDArray[np.float64]  # (rows, dimensions), NaN where not covered
    coverage: NDArray[np.float64]  # (rows, dimensions)
    composite: NDArray[np.float64]  # (rows,)
    values: NDArray[np.float64]  # (rows, items): coded answer values, reverse applied
    reasons: NDArray[np.uint8]  # (rows, items): index into reason_names
    status: NDArray[np.uint8]  # (rows,): index into status_names
    lowest: NDArray[np.int32]  # (rows,): index into dimensions, -1 for none
    category: NDArray[np.int32]  # (rows,): index into threshold categories, -1 for none
    contrib: NotRequired[NDArray[np.float64]]  # (rows, items), explain=True only
    lost: NotRequired[NDArray[np.float64]]  # (rows, items), explain=True only

def score_columns(
    instrument: Instrument,
    columns: list[CoreColumn],
    n: SupportsInt | SupportsIndex,
    weights: str = "",
    explain: bool = False,
    defects: ArrayLike | None = None,
) -> ScoreArrays: ...

# -- reading and column binding --------------------------------------------------------

class RawTable(TypedDict):
    header: list[str]
    #: Per header column: int64 codes (one per row) into the distinct strings.
    columns: list[tuple[NDArray[np.int64], list[str]]]
    record: NDArray[np.uint64]  # spreadsheet row of each record (header = 1)
    fields: NDArray[np.uint32]  # fields in each record
    flags: NDArray[np.uint8]  # bit 0: the record has invalid UTF-8
    blank: NDArray[np.uint8]  # 1: every field of the record is empty after trimming
    delimiter: str  # detected or given; "" for XLSX
    bad_utf8: list[tuple[int, int]]  # (row, column) of the fields that are not UTF-8

def read_table(path: str, delimiter: str = "", sheet: str = "") -> RawTable: ...

class BindProblem(TypedDict):
    rule: str
    column: str
    message: str
    fatal: bool

def bind_columns(
    instrument: Instrument,
    header: Sequence[str],
    column_map: Mapping[str, str] = ...,
) -> tuple[list[int], list[BindProblem]]: ...

# -- command line ----------------------------------------------------------------------

def run_cli(args: Sequence[str]) -> int: ...

# -- reliability (bindings/register_reliability.cpp) -----------------------------------

class ItemAlphaArrays(TypedDict):
    n: NDArray[np.float64]  # rows behind each item (complete rows, or rows observing it)
    mean: NDArray[np.float64]
    sd: NDArray[np.float64]
    item_rest: NDArray[np.float64]
    alpha_if_deleted: NDArray[np.float64]
    standardized_alpha_if_deleted: NDArray[np.float64]
    ordinal_alpha_if_deleted: NDArray[np.float64]  # NaN unless ordinal=True

class AlphaRecord(TypedDict):
    k: int
    missing: Literal["complete", "pairwise"]
    n: float  # complete rows, or the smallest pair count (pairwise)
    weight: float  # sum of weights of those rows
    alpha: float
    standardized_alpha: float
    mean_r: float
    ordinal_alpha: float  # NaN unless ordinal=True
    mean_polychoric: float
    items: ItemAlphaArrays
    covariance: NDArray[np.float64]  # (k, k)
    correlation: NDArray[np.float64]  # (k, k)
    polychoric: NDArray[np.float64]  # (k, k), or (0, 0) unless ordinal=True

class DimensionAlphaRecord(AlphaRecord):
    dimension: str
    item_index: list[int]  # indices into Instrument.items

class ReliabilityRecord(TypedDict):
    instrument: str  # tag
    missing: Literal["complete", "pairwise"]
    ordinal: bool
    rows: float  # rows used (keep != 0)
    left_out: list[int]  # items excluded by `include`
    dimensions: list[DimensionAlphaRecord]

class PolychoricRecord(TypedDict):
    rho: float  # NaN when a variable has fewer than two non-empty categories
    row_thresholds: list[float]
    col_thresholds: list[float]
    log_likelihood: float
    n: float
    at_bound: bool

def bivariate_normal_cdf(h: ArrayLike, k: ArrayLike, rho: ArrayLike) -> NDArray[np.float64]: ...
def polychoric(table: ArrayLike) -> PolychoricRecord: ...
def item_alpha(
    values: ArrayLike,
    weights: ArrayLike | None = None,
    missing: Literal["complete", "listwise", "pairwise"] = "complete",
    ordinal: bool = False,
    chunk_rows: SupportsInt | SupportsIndex = 0,
) -> AlphaRecord: ...
def reliability(
    instrument: Instrument,
    values: ArrayLike,
    weights: ArrayLike | None = None,
    keep: ArrayLike | None = None,
    missing: Literal["complete", "listwise", "pairwise"] = "complete",
    ordinal: bool = False,
    include: Sequence[bool] = ...,
) -> ReliabilityRecord: ...
