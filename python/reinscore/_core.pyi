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

# -- the application layer (bindings/register_app.cpp) ---------------------------------

class ReportColumn:
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def digits(self) -> int: ...
    @property
    def values(self) -> NDArray[np.float64]: ...
    @property
    def text(self) -> list[str]: ...
    @property
    def state(self) -> NDArray[np.uint8]: ...

class ReportTable:
    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def keys(self) -> int: ...
    @property
    def min_cell(self) -> int: ...
    @property
    def rows(self) -> int: ...
    @property
    def columns(self) -> list[ReportColumn]: ...
    def render(self, format: str = "table") -> str: ...

class Report:
    @property
    def command(self) -> str: ...
    @property
    def tables(self) -> list[ReportTable]: ...
    @property
    def notes(self) -> list[tuple[str, str]]: ...
    def table(self, name: str) -> ReportTable: ...
    def has_table(self, name: str) -> bool: ...
    def render(self, format: str = "table") -> str: ...

class EvaluationRequest:
    instrument: str
    weights: str
    by: list[str]
    weight: str
    strata: str
    cluster: str
    returnee_id: str
    round: str
    levels: str
    title: str
    lang: str
    min_cell: int
    level: float
    date: str
    input: ExportOptions
    def __init__(self) -> None: ...
    def check(self) -> None: ...
    def command_line(self, input_name: str) -> str: ...

class Document:
    @property
    def lang(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def banners(self) -> list[str]: ...
    @property
    def tables(self) -> list[ReportTable]: ...
    def table_file_names(self) -> list[str]: ...
    def html(self) -> bytes: ...

def evaluation(path: str, request: EvaluationRequest, search: InstrumentSearch) -> Document: ...

class ScoresTable:
    @property
    def rows(self) -> int: ...
    @property
    def scores(self) -> list[str]: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def has_status(self) -> bool: ...
    @property
    def header(self) -> list[str]: ...

def scores_table(
    columns: Sequence[tuple[str, object]],
    want: Sequence[tuple[str, str]] = ...,
    allow_mixed: bool = False,
    need_status: bool = False,
    all_columns: bool = False,
    source: str = "the DataFrame",
) -> ScoresTable: ...
def key_texts(name: str, values: object) -> list[str]: ...
def read_scores(
    path: str,
    want: Sequence[tuple[str, str]] = ...,
    allow_mixed: bool = False,
    need_status: bool = False,
    all_columns: bool = False,
) -> ScoresTable: ...

class InstrumentSearch:
    dirs: list[str]
    def __init__(self) -> None: ...
    @staticmethod
    def from_environment(builtin: Sequence[str]) -> InstrumentSearch: ...

# -- instruments (bindings/register_instrument.cpp; app/instrument_info.hpp) ----------

def instrument_file(name_or_path: str, search: InstrumentSearch) -> str: ...
def list_instruments(search: InstrumentSearch) -> Report: ...

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
    def describe(self) -> Report: ...
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

# -- validate (bindings/register_io.cpp; include/reinscore/app/validate.hpp) -----------

max_rows_listed: int

class ValidateRequest:
    show_codes: bool
    delimiter: str
    sheet: str
    def __init__(self) -> None: ...
    def check(self) -> None: ...

def validate_file(
    path: str, instrument: Instrument, column_map: Mapping[str, str], request: ValidateRequest
) -> Report: ...
def validate_frame(
    columns: Sequence[tuple[str, NDArray[np.float64] | tuple[NDArray[np.int64], Sequence[str]]]],
    instrument: Instrument,
    column_map: Mapping[str, str],
    request: ValidateRequest,
    source: str = "DataFrame",
) -> Report: ...
def validate_is_clean(report: Report) -> bool: ...

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
class ReliabilityRequest:
    instrument: str
    missing: str
    ordinal: bool
    correlations: bool
    weight: str
    input: ExportOptions
    def __init__(self) -> None: ...
    def check(self) -> None: ...

def bind_export(
    instrument: Instrument,
    header: Sequence[str],
    column_map: Mapping[str, str] = ...,
    allow_missing_columns: bool = False,
) -> list[int]: ...
def reliability(source: ExportSource, instrument: Instrument, request: ReliabilityRequest) -> Report: ...

# -- panel (bindings/register_panel.cpp; include/reinscore/app/panel.hpp) -----------------

class PanelWantRecord(TypedDict):  # the arguments of reinscore._report.scores_table
    want: list[tuple[str, str]]
    allow_mixed: bool
    need_status: bool
    all_columns: bool

class PanelRequest:
    id_column: str
    round_column: str
    from_round: int | None
    to_round: int | None
    weight: str
    date_column: str
    return_date_column: str
    status: bool
    tables: list[str]  # changes, transitions, attrition, per-returnee, interviews, problems, all
    min_cell: int
    level: float
    categories: list[str]
    instrument: str
    allow_mixed: bool
    def __init__(self) -> None: ...
    def check(self) -> None: ...
    def want(self) -> PanelWantRecord: ...
    def table_list(self) -> list[str]: ...

def panel(scores: ScoresTable, request: PanelRequest, search: InstrumentSearch) -> Report: ...

# -- fitting weights and sensitivity (bindings/register_fit.cpp; app/fit_weights.hpp) ---

class ExportOptions:
    delimiter: str
    sheet: str
    map: str
    column_map: dict[str, str]
    allow_missing_columns: bool
    chunk_rows: int
    def __init__(self) -> None: ...
    def check(self) -> None: ...

class ExportSource:
    @property
    def header(self) -> list[str]: ...
    @property
    def restartable(self) -> bool: ...

def open_export(
    path: str, instrument: Instrument, options: ExportOptions, weights: ArrayLike | None = None
) -> ExportSource: ...
def coded_export(
    values: ArrayLike,  # (rows, items) coded values, NaN = not answered
    reasons: ArrayLike,  # (rows, items) uint8, index into reason_names
    status: ArrayLike,  # (rows,) uint8, index into status_names
    header: Sequence[str],
    columns: Sequence[tuple[str, object]],  # float64 arrays or sequences of str/None
    weights: ArrayLike | None,  # one sampling weight per row
    options: ExportOptions,
) -> ExportSource: ...

class FitWeightsRequest:
    method: str
    composite: str
    missing: str
    weight: str
    name: str
    min_eigenvalue: float
    min_cumulative: float
    varimax_tolerance: float
    varimax_max_iterations: int
    instrument: str
    input: ExportOptions
    def __init__(self) -> None: ...
    def check(self) -> None: ...
    def set_name(self) -> str: ...

class FittedWeights:
    @property
    def report(self) -> Report: ...
    @property
    def instrument(self) -> Instrument: ...  # with the fitted set added and made the default
    @property
    def file(self) -> str: ...  # the weight file, as `reinscore fit-weights -o` writes it

def fit_weights(source: ExportSource, instrument: Instrument, request: FitWeightsRequest) -> FittedWeights: ...

class SensitivityRequest:
    draws: int
    bound: float
    seed: int
    mode: str
    level: float
    composite: str
    missing: str
    weight: str
    id: list[str]
    keep: list[str]
    threads: int
    instrument: str
    weights: str
    input: ExportOptions
    def __init__(self) -> None: ...
    def check(self) -> None: ...

def sensitivity(
    source: ExportSource, instrument: Instrument, request: SensitivityRequest
) -> tuple[Report, str]: ...

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

# -- levels: the integrate command (bindings/register_levels.cpp) -----------------------

class IntegrationRecord(TypedDict):
    provisional: bool
    level_weights: dict[str, float]  # individual, community, structural
    min_respondents: int
    min_level_share: float

class IntegrateRequest:
    instrument: str
    weights: str
    community_instrument: str
    structural_instrument: str
    min_respondents: int | None
    weight: str
    by: list[str]
    allow_mixed: bool
    digits: int
    def __init__(self) -> None: ...
    def check(self) -> None: ...

class LevelFile:
    @property
    def source(self) -> str: ...
    @property
    def tag(self) -> str: ...
    @property
    def rows(self) -> int: ...

def check_framework(instrument: Instrument, level: str, option: str) -> None: ...
def integrate_want(request: IntegrateRequest, community: Instrument, structural: Instrument) -> list[tuple[str, str]]: ...
def scores_instrument(scores: ScoresTable, search: InstrumentSearch) -> Instrument: ...
def read_level_file(path: str, instrument: Instrument, key: str, parent: str = "") -> LevelFile: ...
def level_file(
    source: str,
    instrument: Instrument,
    key_column: str,
    key: object | None,  # _report._column: float64 array or list of str/None; None: no such column
    parent: object | None,
    scores: ArrayLike,  # (rows, dimensions + 1): the dimensions, then the composite
    status: ArrayLike,  # index into status_names
    rows: ArrayLike,  # source rows
) -> LevelFile: ...
def integrate(
    scores: ScoresTable,
    community: LevelFile,
    structural: LevelFile,
    host: LevelFile | None,
    individual: Instrument,
    community_instrument: Instrument,
    structural_instrument: Instrument,
    request: IntegrateRequest,
) -> Report: ...
def integration_settings(instrument: Instrument) -> IntegrationRecord | None: ...

# -- survey summaries (bindings/register_summary.cpp) ------------------------------------

class SummarizeRequest:
    by: list[str]
    weight: str
    strata: str
    cluster: str
    ci: str
    replicates: int
    seed: int
    threads: int
    level: float
    interval: str
    singleton: str
    share_interval: str
    threshold: float | None
    compare: str
    min_cell: int
    quantiles: list[float]
    instrument: str
    allow_mixed: bool
    digits: int
    survey: bool
    def __init__(self) -> None: ...
    def check(self) -> None: ...
    def want(self) -> list[tuple[str, str]]: ...

def summarize(scores: ScoresTable, request: SummarizeRequest, search: InstrumentSearch) -> Report: ...
def rao_wu_factors(
    psus_per_stratum: Sequence[SupportsInt | SupportsIndex],
    seed: SupportsInt | SupportsIndex,
    replicate: SupportsInt | SupportsIndex,
) -> NDArray[np.float64]: ...
