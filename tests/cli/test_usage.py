"""Usage errors and exit codes of the `reinscore` command-line tool: --help exits 0,
usage errors exit 2 with no output, an unwritable output exits 3.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _clitools import ok, run
from _reference import (
    BAD,
    SAMPLE,
    SAMPLE_XLSX,
)


@pytest.mark.parametrize("command", ["score", "validate", "summarize", "instruments", "instrument"])
def test_help_exits_0(cli: Path, command: str) -> None:
    r = ok(run(cli, command, "--help"))
    assert r.text.startswith(f"usage: reinscore {command}")
    assert r.err == ""


# --------------------------------------------------------------------------------------
# Usage errors


USAGE_ERRORS: list[tuple[list[object], str]] = [
    (["frobnicate"], "unknown command 'frobnicate'"),
    ([], "usage: reinscore <command>"),
    (["score", SAMPLE, "--bogus"], "unrecognised option '--bogus'"),
    (["score", SAMPLE, "--threads", "0"], "--threads must be a whole number from 1 to 256"),
    (["score", SAMPLE, "--threads", "abc"], "'--threads' is invalid"),
    (["score", SAMPLE, "--format", "xml"], "--format must be csv or jsonl"),
    (
        ["score", SAMPLE, "--instrument", "no-such-instrument"],
        "no instrument named 'no-such-instrument'",
    ),
    (["score", SAMPLE, "--weights", "no-such-weights"], "no weight set named 'no-such-weights'"),
    (
        ["score", SAMPLE, "--id", "no_such_column"],
        "column 'no_such_column': not in the input [missing_column]",
    ),
    (["score"], "input"),
    (["score", BAD / "does_not_exist.csv"], "[unreadable_file]"),
    (["score", SAMPLE_XLSX, "--sheet", "Nope", "--allow-missing-columns"], "no sheet named 'Nope'"),
    (
        ["validate", SAMPLE, "--instrument", "no-such-instrument"],
        "no instrument named 'no-such-instrument'",
    ),
    (["summarize", SAMPLE, "--by", "round"], "[not_scores]"),
    (["instrument", "show", "no-such-instrument"], "no instrument named 'no-such-instrument'"),
    (["instrument", "frob", "iom-rss"], "unknown action 'frob'"),
]


@pytest.mark.parametrize(
    ("args", "message"),
    USAGE_ERRORS,
    ids=[
        " ".join(x.name if isinstance(x, Path) else str(x) for x in a) or "no-args"
        for a, _ in USAGE_ERRORS
    ],
)
def test_usage_errors_exit_2(cli: Path, tmp_path: Path, args: list[object], message: str) -> None:
    out = tmp_path / "out.csv"
    extra = ["-o", out] if args[:1] == ["score"] and len(args) > 1 else []
    r = run(cli, *args, *extra)
    assert r.code == 2, (r.code, r.err)
    assert message in r.err
    assert r.out == b""
    assert not out.exists()


def test_output_not_writable_exits_3(cli: Path, tmp_path: Path) -> None:
    r = run(cli, "score", SAMPLE, "-o", tmp_path / "no_such_dir" / "out.csv")
    assert r.code == 3, r.err
    assert "cannot create output file" in r.err
