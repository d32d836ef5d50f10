"""reinscore: scores of sustainable reintegration from returnee surveys.

Turns answers to the Reintegration Sustainability Survey (or any instrument described
in an instrument file) into economic, social, psychosocial and composite scores per
interview, with coverage, status, lowest dimension and per-item explanations.

The shipped ``iom-rss`` instrument has the structure of IOM's RSS with PROVISIONAL
numbers (answer values and equal weights), not the official tables.
"""

from __future__ import annotations

from . import _core, _evaluation, _fit, _levels, _panel, _reliability, _survey
from ._errors import InputError
from ._evaluation import *
from ._fit import *
from ._instrument import Instrument, WeightSet, instrument_dirs, load_instrument
from ._levels import *
from ._panel import *
from ._reliability import *
from ._score import explain, score
from ._summary import ScoreSummary, summarize
from ._survey import *
from ._validate import ValidationReport, validate

__version__: str = _core.__version__

__all__ = [  # noqa: PLE0604 - the star entries are the submodules' __all__ lists
    "InputError",
    "Instrument",
    "ScoreSummary",
    "ValidationReport",
    "WeightSet",
    "__version__",
    "explain",
    "instrument_dirs",
    "load_instrument",
    "score",
    "summarize",
    "validate",
    *_evaluation.__all__,
    *_fit.__all__,
    *_levels.__all__,
    *_panel.__all__,
    *_reliability.__all__,
    *_survey.__all__,
]
