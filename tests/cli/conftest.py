"""Fixtures of the command-line tests (tests/cli): the binary under test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _clitools import binary


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `reinscore` executable; a missing binary is a failure, never a skip."""
    path = binary()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"reinscore binary not found or not executable at {path}. Build it with "
            "`make build`, or set REINSCORE_CLI to the executable.",
            pytrace=False,
        )
    return path
