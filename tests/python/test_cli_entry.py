"""`python -m reinscore`, the `reinscore` console script and the shipped self-test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import reinscore
from _helpers import BAD, SAMPLE, run_cli

BIN = Path(sys.executable).parent


def _python(*args: object, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Runs the venv's Python outside the repository, so the installed package is used."""
    full = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "REINSCORE_INSTRUMENT_PATH")}
    full.update(env or {})
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, cwd=cwd,
                          env=full, timeout=300, check=False, input=b"")


def test_version(tmp_path: Path, cli: Path) -> None:
    p = _python("-m", "reinscore", "--version", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode().strip() == f"reinscore {reinscore.__version__}"
    assert p.stdout == run_cli("--version").ok().out


@pytest.mark.parametrize(
    "extra",
    [[], ["--id", "interview_id", "--keep", "round", "--explain"], ["--format", "jsonl"],
     ["--weights", "equal", "--threads", "2"]],
    ids=["plain", "explain", "jsonl", "threads"],
)
def test_score_equals_binary_byte_for_byte(extra: list[str], tmp_path: Path, cli: Path) -> None:
    ours, theirs = tmp_path / "python.csv", tmp_path / "binary.csv"
    p = _python("-m", "reinscore", "score", SAMPLE, "-q", "-o", ours, *extra, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout == b""
    run_cli("score", SAMPLE, "-q", "-o", theirs, *extra).ok()
    assert ours.read_bytes() == theirs.read_bytes()
    assert len(ours.read_bytes()) > 100_000


def test_score_to_stdout(tmp_path: Path, cli: Path) -> None:
    p = _python("-m", "reinscore", "score", SAMPLE, "--id", "interview_id", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    r = run_cli("score", SAMPLE, "--id", "interview_id").ok()
    assert p.stdout == r.out
    assert "5256 rows scored" in p.stderr.decode()


@pytest.mark.parametrize(
    ("args", "code"),
    [(["score", BAD / "missing_column.csv"], 2), (["validate", SAMPLE], 1), (["nonsense"], 2),
     (["score", BAD / "empty.csv"], 2)],
)
def test_exit_codes_equal_binary(args: list[object], code: int, tmp_path: Path, cli: Path) -> None:
    p = _python("-m", "reinscore", *args, cwd=tmp_path)
    r = run_cli(*args)
    assert p.returncode == r.code == code
    assert p.stdout == r.out


def test_finds_shipped_instruments_without_env(tmp_path: Path) -> None:
    """The package points the compiled command line at the instruments it ships."""
    p = _python("-m", "reinscore", "instruments", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert reinscore.load_instrument().tag in p.stdout.decode()


def test_console_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = BIN / "reinscore"
    assert script.is_file() and os.access(script, os.X_OK), f"no console script at {script}"
    p = subprocess.run([str(script), "--version"], capture_output=True, cwd=tmp_path, timeout=120,
                       check=False)
    assert p.returncode == 0 and p.stdout.decode().strip() == f"reinscore {reinscore.__version__}"
    from reinscore.__main__ import main

    monkeypatch.setenv("REINSCORE_INSTRUMENT_PATH", "")  # main() sets it; restored after
    assert main(["--version"]) == 0


def test_selftest(tmp_path: Path) -> None:
    p = _python("-m", "reinscore.selftest", cwd=tmp_path)
    assert p.returncode == 0, p.stderr.decode()
    assert "self-test passed" in p.stdout.decode()
    assert reinscore.load_instrument().tag in p.stdout.decode()
