"""Running the `reinscore` binary in the command-line tests: one Run record, one runner.

The binary is taken from $REINSCORE_CLI, else build/src/cli/reinscore in the repository
that holds this file; the shipped instruments are found through
$REINSCORE_INSTRUMENT_PATH, which every run sets.
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"


def binary() -> Path:
    env = os.environ.get("REINSCORE_CLI")
    return (Path(env) if env else REPO / "build" / "src" / "cli" / "reinscore").resolve()


@dataclass
class Run:
    code: int
    out: bytes
    err: str

    @property
    def text(self) -> str:
        return self.out.decode("utf-8")

    @property
    def frame(self) -> pd.DataFrame:
        return pd.read_csv(io.BytesIO(self.out), dtype=str, keep_default_na=False)


def run(
    cli: Path,
    *args: object,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdout: object = subprocess.PIPE,
    timeout: float = 300,
    prefix: Sequence[str] = (),
) -> Run:
    """Runs `cli args...` (after `prefix`, e.g. a shell that sets limits)."""
    full_env = dict(os.environ)
    full_env["REINSCORE_INSTRUMENT_PATH"] = str(DATA / "instruments")
    full_env.update(env or {})
    p = subprocess.run(
        [*prefix, str(cli), *map(str, args)],
        input=stdin if stdin is not None else b"",
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=timeout,
        env=full_env,
        cwd=cwd,
        check=False,
    )
    return Run(p.returncode, p.stdout or b"", p.stderr.decode("utf-8", errors="replace"))


def ok(r: Run) -> Run:
    assert r.code == 0, f"exit {r.code}; stderr:\n{r.err}"
    return r
