"""Parity tests (tests/parity): every command run through the command line and through
Python on the same inputs, compared at full precision. Both faces render the same C++
Report (include/reinscore/app), so any difference is a bug of a face.

Like tests/python, these need the installed package and the `reinscore` binary
($REINSCORE_CLI, else build/src/cli/reinscore).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

from _helpers import CLI


@pytest.fixture(scope="session")
def cli() -> Path:
    if not CLI.is_file():
        pytest.fail(f"reinscore binary not found at {CLI}; build it or set REINSCORE_CLI", pytrace=False)
    return CLI
