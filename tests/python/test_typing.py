"""The package type-checks under mypy --strict and passes ruff (configuration in
pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_finds_nothing() -> None:
    # Lint rules are configured in pyproject.toml; the check covers every Python file of
    # the repository (package, tests, benchmarks, tools).
    r = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "python", "tests", "benchmarks", "tools"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
