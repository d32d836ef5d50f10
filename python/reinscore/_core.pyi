"""Type stubs of reinscore._core, the compiled core (bindings/*.cpp).

Hand-written: keep in step with bindings/register_*.cpp. The record types below
(``ItemRecord``, ``ScoreArrays``, ...) exist only for type checkers; at run time the
functions return plain dicts, lists and numpy arrays.
"""

from collections.abc import Callable, Collection, Mapping, Sequence
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
    #: (row, text) of the rows with something to report; empty without `header`.
    problems: list[tuple[int, str]]
    #: (row, j): `pass_columns[j]` of that row was not read cleanly and must be left empty.
    pass_unreadable: list[tuple[int, int]]

def is_plain_name(name: str) -> bool: ...
def split_instrument_tag(tag: str) -> tuple[str, str] | None: ...
def score_columns(
    instrument: Instrument,
    columns: list[CoreColumn],
    n: SupportsInt | SupportsIndex,
    weights: str = "",
    explain: bool = False,
    defects: ArrayLike | None = None,
    header: Sequence[str] | None = None,
    item_column: Sequence[SupportsInt | SupportsIndex] = ...,
    fields: ArrayLike | None = None,
    bad_utf8: Sequence[tuple[SupportsInt | SupportsIndex, SupportsInt | SupportsIndex]] = ...,
    pass_columns: Sequence[SupportsInt | SupportsIndex] = ...,
) -> ScoreArrays: ...

# -- reading and column binding --------------------------------------------------------

class RawTable(TypedDict):
    header: list[str]
    #: Per header column: int64 codes (one per row) into the distinct strings; None for
    #: a column not asked for.
    columns: list[tuple[NDArray[np.int64], list[str]] | None]
    record: NDArray[np.uint64]  # spreadsheet row of each record (header = 1)
    fields: NDArray[np.uint32]  # fields in each record
    flags: NDArray[np.uint8]  # bit 0: the record has invalid UTF-8
    blank: NDArray[np.uint8]  # 1: every field of the record is empty after trimming
    delimiter: str  # detected or given; "" for XLSX
    bad_utf8: list[tuple[int, int]]  # (row, column) of the fields that are not UTF-8

def read_table(
    path: str,
    delimiter: str = "",
    sheet: str = "",
    columns: Sequence[int] | Callable[[list[str]], Collection[int]] | None = None,
) -> RawTable: ...

# -- pseudonyms (src/io/pseudonymise.hpp) ---------------------------------------------

key_file_header: str
pseudonym_hex_digits: int

def pseudonymise(key_file: str, values: Sequence[str]) -> list[str]: ...
def hmac_sha256_hex(key: bytes, data: bytes) -> str: ...

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

def bivariate_normal_cdf(h: ArrayLike, k: ArrayLike, rho: ArrayLike) -> NDArray[np.float64] | float: ...
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

# -- panel (bindings/register_panel.cpp) -----------------------------------------------

# Functional form: these records have a key "from", a Python keyword.
PanelChangeArrays = TypedDict(
    "PanelChangeArrays",
    {
        "from": NDArray[np.int64],
        "to": NDArray[np.int64],
        "score": list[str],
        "pairs": NDArray[np.uint64],  # returnees interviewed in both rounds
        "missing": NDArray[np.uint64],  # of those, with the score missing in either
        "n": NDArray[np.uint64],
        "sum_weights": NDArray[np.float64],
        "mean_from": NDArray[np.float64],
        "mean_to": NDArray[np.float64],
        "mean_change": NDArray[np.float64],
        "sd": NDArray[np.float64],
        "se": NDArray[np.float64],
        "ci_low": NDArray[np.float64],
        "ci_high": NDArray[np.float64],
        "df": NDArray[np.float64],
        "t": NDArray[np.float64],
        "p_value": NDArray[np.float64],
        "months_from": NDArray[np.float64],
        "months_to": NDArray[np.float64],
    },
)
PanelPerReturneeArrays = TypedDict(
    "PanelPerReturneeArrays",
    {
        "id_code": NDArray[np.int64],  # index into the `ids` given
        "from": NDArray[np.int64],
        "to": NDArray[np.int64],
        "row_from": NDArray[np.uint64],
        "row_to": NDArray[np.uint64],
        "change": NDArray[np.float64],  # (pairs, scores): later minus earlier
        "months_from": NDArray[np.float64],
        "months_to": NDArray[np.float64],
        "weight": NDArray[np.float64],
        "category_from": NDArray[np.int32],  # -1: none
        "category_to": NDArray[np.int32],
        "status_from": NDArray[np.int32],
        "status_to": NDArray[np.int32],
    },
)
PanelTransitionRecord = TypedDict(
    "PanelTransitionRecord",
    {
        "variable": Literal["category", "status"],
        "from": int,
        "to": int,
        "from_states": list[str],  # labels, then "none"
        "to_states": list[str],  # labels, "none", "attrited"
        "counts": NDArray[np.uint64],  # (from_states, to_states)
    },
)

class PanelAttritionArrays(TypedDict):
    round: NDArray[np.int64]
    present: NDArray[np.uint64]
    first_seen: NDArray[np.uint64]
    retained: NDArray[np.uint64]
    lost: NDArray[np.uint64]
    returned: NDArray[np.uint64]
    absent: NDArray[np.uint64]
    baseline_present: NDArray[np.uint64]
    retention: NDArray[np.float64]

class PanelProblemRecord(TypedDict):
    row: int
    column: str
    rule: str  # missing_date, bad_date, interview_before_return
    message: str

class PanelRecord(TypedDict):
    rounds: list[int]
    pairs: list[tuple[int, int]]
    changes: PanelChangeArrays
    per_returnee: PanelPerReturneeArrays
    transitions: list[PanelTransitionRecord]
    attrition: PanelAttritionArrays
    months: NDArray[np.float64]  # per input row
    problems: list[PanelProblemRecord]

def panel(
    ids: Sequence[str],
    id_codes: ArrayLike,  # per row, index into ids; negative: missing id (an error)
    rounds: ArrayLike | list[str],  # float numbers, or texts parsed as whole numbers
    scores: ArrayLike,  # (rows, scores), NaN = missing
    score_names: Sequence[str],
    category_codes: ArrayLike | None,
    category_labels: Sequence[str],
    status_codes: ArrayLike | None,
    weights: ArrayLike | None,
    interview_dates: Sequence[str] | None,
    return_dates: Sequence[str] | None,
    rows: ArrayLike,  # row numbers for messages (header = 1)
    columns: Mapping[str, str],  # id, round, weight, interview_date, return_date
    pairs: Sequence[tuple[int, int]] | None,
    status_transitions: bool = False,
    level: float = 0.95,
) -> PanelRecord: ...

# -- fitting weights and sensitivity (bindings/register_fit.cpp) -----------------------

class FitRecord(TypedDict):
    instrument: Instrument  # with the fitted set added and made the default
    json: str  # the weight-set file, as `reinscore fit-weights -o` writes it
    diagnostics: str  # a JSON object (WeightSet.diagnostics)
    warnings: list[str]
    rows: float
    rows_used: float
    rows_skipped: float

def fit_weights(
    instrument: Instrument,
    values: ArrayLike,  # (rows, items) coded values, NaN = not answered
    skip: ArrayLike | None = None,  # (rows,) uint8: 1 leaves the row out (invalid rows)
    weights: ArrayLike | None = None,  # (rows,) sampling weights
    method: str = "pca-first",  # equal, pca-first, oecd-varimax
    composite: str = "dimension-shares",  # dimension-shares, pca
    missing: str = "pairwise",  # pairwise, complete
    name: str = "",
    weight_label: str = "",
    min_eigenvalue: float = 1.0,
    min_cumulative: float = 0.0,
    varimax_tolerance: float = 1e-12,
    varimax_max_iterations: int = 1000,
    chunk_rows: int = 8192,
) -> FitRecord: ...

class SensitivityRecord(TypedDict):
    composite: NDArray[np.float64]  # (rows,) with the base weights
    category: NDArray[np.int32]  # (rows,) base category, -1 for none
    lower: NDArray[np.float64]
    median: NDArray[np.float64]
    upper: NDArray[np.float64]
    mean: NDArray[np.float64]
    min: NDArray[np.float64]
    max: NDArray[np.float64]
    draws_scored: NDArray[np.int32]
    category_change_share: NDArray[np.float64]
    summary: str  # a JSON object
    draw_share: NDArray[np.float64]  # (draws,) share of categorised interviews that changed
    draw_method: list[int]  # (draws,) index into methods, -1 in perturb mode
    methods: list[str]

def sensitivity(
    instrument: Instrument,
    values: ArrayLike,  # (rows, items)
    reasons: ArrayLike,  # (rows, items) uint8, index into reason_names
    invalid: ArrayLike | None = None,  # (rows,) uint8: 1 forces the row invalid
    draws: int = 1000,
    bound: float = 0.2,
    seed: int = 1,
    mode: str = "perturb",  # perturb, methods, both
    level: float = 0.9,
    composite: str = "dimension-shares",
    missing: str = "pairwise",
    weights: ArrayLike | None = None,  # sampling weights for the fits (methods, both)
    weight_label: str = "",
    threads: int = 1,
    chunk_rows: int = 8192,
) -> SensitivityRecord: ...

class PcaRecord(TypedDict):
    eigenvalues: NDArray[np.float64]  # descending
    vectors: NDArray[np.float64]  # columns; largest |entry| of each positive
    loadings: NDArray[np.float64]  # vectors * sqrt(max(eigenvalue, 0))
    explained_ratio: NDArray[np.float64]

class VarimaxRecord(TypedDict):
    loadings: NDArray[np.float64]
    rotation: NDArray[np.float64]
    iterations: int
    converged: bool

class KmoRecord(TypedDict):
    overall: float
    items: NDArray[np.float64]
    pseudo_inverse: bool

class BartlettRecord(TypedDict):
    chi2: float
    df: float
    p_value: float
    n: float

def correlation(
    values: ArrayLike, weights: ArrayLike | None = None, missing: str = "pairwise", chunk_rows: int = 65536
) -> NDArray[np.float64]: ...
def pca(correlation: ArrayLike) -> PcaRecord: ...
def varimax(
    loadings: ArrayLike, kaiser: bool = True, tolerance: float = 1e-12, max_iterations: int = 1000
) -> VarimaxRecord: ...
def kmo(correlation: ArrayLike) -> KmoRecord: ...
def bartlett(correlation: ArrayLike, n: float) -> BartlettRecord: ...

# -- levels (bindings/register_levels.cpp) ---------------------------------------------

class LevelProblemRecord(TypedDict):
    rule: str  # missing_key, community_not_found, country_not_found, ...
    source: str  # individual, host, community, structural
    column: str
    key: str
    rows: list[int]  # spreadsheet rows (header = 1)

class InterviewLevelArrays(TypedDict):
    community: NDArray[np.float64]  # (rows, scores)
    structural: NDArray[np.float64]
    integrated: NDArray[np.float64]
    level_share: NDArray[np.float64]
    community_status: list[int]  # index into status_names, -1 when not matched
    structural_status: list[int]
    problems: list[str]

class RollupArrays(TypedDict):
    group: list[int]  # index into LevelArrays["groups"]
    key: list[str]
    parent: list[str]
    units: NDArray[np.uint64]
    n: NDArray[np.uint64]
    suppressed: NDArray[np.uint8]
    n_score: NDArray[np.uint64]  # (rows, scores)
    individual: NDArray[np.float64]
    share_above: NDArray[np.float64]
    host_n: NDArray[np.uint64]
    host_suppressed: NDArray[np.uint8]
    host_n_score: NDArray[np.uint64]
    host_mean: NDArray[np.float64]
    gap: NDArray[np.float64]
    gap_se: NDArray[np.float64]
    gap_low: NDArray[np.float64]
    gap_high: NDArray[np.float64]
    community: NDArray[np.float64]
    structural: NDArray[np.float64]
    integrated: NDArray[np.float64]
    level_share: NDArray[np.float64]
    community_status: list[int]
    structural_status: list[int]
    problems: list[str]

class LevelArrays(TypedDict):
    groups: list[list[str]]
    interviews: InterviewLevelArrays
    communities: RollupArrays
    countries: RollupArrays
    problems: list[LevelProblemRecord]

class IntegrationRecord(TypedDict):
    provisional: bool
    level_weights: dict[str, float]  # individual, community, structural
    min_respondents: int
    min_level_share: float

def integrate_levels(
    score_names: Sequence[str],
    returnees: Mapping[str, object],  # community, country, scores, [weight, by, row]
    communities: Mapping[str, object],  # key, scores, [parent, status, row]
    countries: Mapping[str, object],  # key, scores, [status, row]
    hosts: Mapping[str, object] | None,  # community, scores, [row]
    settings: Mapping[str, object],  # level_weights (3), min_respondents, min_level_share, provisional, threshold
    columns: Mapping[str, object],  # community, country, weight, by
) -> LevelArrays: ...
def integration_settings(instrument: Instrument) -> IntegrationRecord | None: ...

# -- survey summaries (bindings/register_summary.cpp) ------------------------------------

def survey_summary(
    values: ArrayLike,
    groups: ArrayLike,
    thresholds: Sequence[SupportsFloat | SupportsIndex],
    quantiles: Sequence[bool],
    weights: ArrayLike | None = None,
    strata: ArrayLike | None = None,
    clusters: ArrayLike | None = None,
    method: str = "linearization",
    level: SupportsFloat | SupportsIndex = 0.95,
    probabilities: Sequence[SupportsFloat | SupportsIndex] = ...,
    replicates: SupportsInt | SupportsIndex = 1000,
    seed: SupportsInt | SupportsIndex = 20250101,
    threads: SupportsInt | SupportsIndex = 1,
    singleton: str = "error",
    interval: str = "percentile",
    min_cell: SupportsInt | SupportsIndex = 10,
    contrasts: Sequence[tuple[SupportsInt | SupportsIndex, SupportsInt | SupportsIndex]] = ...,
    strata_column: str = "",
) -> dict[str, object]: ...
def rao_wu_factors(
    psus_per_stratum: Sequence[SupportsInt | SupportsIndex],
    seed: SupportsInt | SupportsIndex,
    replicate: SupportsInt | SupportsIndex,
) -> NDArray[np.float64]: ...
