"""Issue 10, points 4, 6 and 7: data is never a path, outputs never destroy, exit codes
never lie.

The binary is taken from $REINSCORE_CLI, else build/src/cli/reinscore (as in the other
tests/cli files).
Every run has a time limit and an address-space limit, so that a binary that opens a
FIFO or /dev/zero named in the data fails the test instead of hanging or eating memory.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import stat
import subprocess
import threading
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
from _clitools import DATA, REPO, Run, ok
from _clitools import run as _run

SAMPLE = DATA / "examples" / "rss_sample.csv"
BAD = REPO / "tests" / "data" / "bad"
MEMORY_LIMIT = 2 << 30  # bytes of address space for each run


def _limited_prefix() -> list[str]:
    """A shell that runs the command line under an address-space limit (a shell's
    ulimit: no preexec_fn, which is unsafe next to the reader threads of these tests)."""
    # ASan reserves terabytes of shadow address space: `make test-asan` bounds RSS instead.
    limit = "" if os.environ.get("REINSCORE_SANITIZED") else f"ulimit -v {MEMORY_LIMIT >> 10}; "
    return ["/bin/sh", "-c", f'{limit}exec "$@"', "sh"]


def _limited(cli: Path, *args: object) -> list[str]:
    """The argv of _limited_prefix() running `cli args...` (for Popen)."""
    return [*_limited_prefix(), str(cli), *map(str, args)]


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["REINSCORE_INSTRUMENT_PATH"] = str(DATA / "instruments")
    env.update(extra or {})
    return env


def run(
    cli: Path,
    *args: object,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdout: object = subprocess.PIPE,
    timeout: float = 60,
) -> Run:
    """_clitools.run under the limits of _limited()."""
    return _run(cli, *args, cwd=cwd, env=env, stdout=stdout, timeout=timeout,
                prefix=_limited_prefix())


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".partial" in p.name)


# --------------------------------------------------------------------------------------
# Point 4: data is never a path


@pytest.fixture(scope="module")
def scores(cli: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("scores") / "scores.csv"
    keep = ("returnee_id", "round", "interview_date", "return_date")
    ok(
        run(
            cli,
            "score",
            SAMPLE,
            "-q",
            "--id",
            "interview_id",
            *(f"--keep={k}" for k in keep),
            "-o",
            out,
        )
    )
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def _tag_cases(tmp: Path) -> dict[str, str]:
    """Instrument ids that a scores file could carry and must never be opened."""
    fifo = tmp / "fifo"
    os.mkfifo(fifo)
    os.mkfifo(tmp / "evil.json")  # in the working directory: a relative path from data
    (tmp / "adir.json").mkdir()
    return {
        "dev_zero": "/dev/zero",
        "fifo": str(fifo),
        "directory": str(tmp / "adir.json"),
        "relative": "../../x",
        "relative_json": "evil.json",  # a name with .json would have been taken as a path
        "dot_dot": "..",
    }


TAG_CASES = ["dev_zero", "fifo", "directory", "relative", "relative_json", "dot_dot"]


@pytest.mark.parametrize("case", TAG_CASES)
@pytest.mark.parametrize("command", ["summarize", "panel"])
def test_instrument_tag_is_never_opened(
    cli: Path, tmp_path: Path, scores: pd.DataFrame, case: str, command: str
) -> None:
    tag_id = _tag_cases(tmp_path)[case]
    frame = scores.copy()
    frame["instrument"] = f"{tag_id}@0.1.0-provisional#4ad3857e4dcf"
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    if command == "summarize":
        r = run(cli, "summarize", path, "--ci", "linearization", cwd=tmp_path, timeout=30)
    else:
        r = run(cli, "panel", path, "--format", "csv", cwd=tmp_path, timeout=30)
    assert r.code == 0, r.err
    assert "internal error" not in r.err
    if command == "summarize":
        plain = case in ("relative_json",)
        why = (
            "the instrument was not found"
            if plain
            else "the instrument column is not id@version#hash with a plain id"
        )
        assert f"no threshold ({why}" in r.err, r.err
    assert tag_id not in r.err, "a value from the data is not echoed"


def test_plain_name_in_search_path_must_be_a_regular_file(
    cli: Path, tmp_path: Path, scores: pd.DataFrame
) -> None:
    """A plain id is looked up in the instrument directories only, and a FIFO there named
    like an instrument is skipped without blocking."""
    trap = tmp_path / "trapdir"
    trap.mkdir()
    os.mkfifo(trap / "iom-rss.json")
    frame = scores.copy()
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    env = {"REINSCORE_INSTRUMENT_PATH": f"{trap}:{DATA / 'instruments'}"}
    r = run(cli, "summarize", path, "--ci", "linearization", env=env, timeout=30)
    assert r.code == 0, r.err
    assert "no threshold" not in r.err, "found the real instrument after the FIFO"
    r = run(cli, "panel", path, "--format", "csv", env=env, timeout=30)
    assert r.code == 0, r.err


def test_python_survey_never_opens_a_tag(tmp_path: Path, scores: pd.DataFrame) -> None:
    reinscore = pytest.importorskip("reinscore")
    from reinscore import _core

    cases = _tag_cases(tmp_path)
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        # The lookup itself is the C++ application layer's (tested above through the CLI).
        for case, tag_id in cases.items():
            assert _core.split_instrument_tag(f"{tag_id}@1#abc") is None or case == "relative_json"
        frame = scores.copy()
        for c in frame.columns:
            if c.startswith("coverage_") or c in (
                "economic",
                "social",
                "psychosocial",
                "composite",
            ):
                frame[c] = pd.to_numeric(frame[c], errors="coerce")
        frame["instrument"] = f"{cases['fifo']}@0.1.0-provisional#4ad3857e4dcf"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            reinscore.survey_summary(frame, ci="linearization")
        assert any("plain id" in str(w.message) for w in caught)
    finally:
        os.chdir(cwd)
    assert _core.split_instrument_tag("iom-rss@0.1.0-provisional#4ad3857e4dcf") == (
        "iom-rss",
        "0.1.0-provisional",
    )


# --------------------------------------------------------------------------------------
# Point 6: outputs never destroy


def _reference_scores(cli: Path, tmp_path: Path) -> bytes:
    ref = tmp_path / "ref.csv"
    ok(run(cli, "score", SAMPLE, "-q", "-o", ref))
    return ref.read_bytes()


def test_output_device_is_written_in_place(cli: Path, tmp_path: Path) -> None:
    # First a private character device (same numbers as /dev/null)...
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod needs root")
    ok(run(cli, "score", SAMPLE, "-q", "-o", node))
    assert stat.S_ISCHR(node.stat().st_mode), "the device was replaced by a regular file"
    assert leftovers(tmp_path) == []
    # ... then the real one, only once the binary has shown it leaves devices alone.
    ok(run(cli, "score", SAMPLE, "-q", "-o", "/dev/null"))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    ok(run(cli, "fit-weights", SAMPLE, "-q", "-o", "/dev/null"))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("command", ["score", "sensitivity"])
def test_output_fifo_with_a_reader_gets_the_bytes(cli: Path, tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    extra = ["--draws", "5"] if command == "sensitivity" else []
    r = run(cli, command, SAMPLE, "-q", *extra, "-o", fifo, timeout=120)
    reader.join(timeout=30)
    assert r.code == 0, r.err
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    ref = tmp_path / "ref.csv"
    ok(run(cli, command, SAMPLE, "-q", *extra, "-o", ref, timeout=120))
    assert got == [ref.read_bytes()]


def test_failure_leaves_existing_target_untouched(cli: Path, tmp_path: Path) -> None:
    """An unterminated quote after many written batches: the old file stays as it was and
    no temporary file is left."""
    lines = SAMPLE.read_text().splitlines()
    head = lines[0].split(",")
    bad = lines[1].split(",")
    bad[head.index("econ_satisfaction")] = '"satisfied'
    src = tmp_path / "late.csv"
    src.write_text("\n".join([*lines, ",".join(bad)]) + "\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "scores.csv"
    target.write_text("previous results\n")
    target.chmod(0o640)
    r = run(cli, "score", src, "-o", target, "--chunk-rows", 100, "--threads", 2)
    assert r.code == 2, r.err
    assert target.read_text() == "previous results\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["scores.csv"]
    # a successful run replaces it whole, keeping its permissions
    ok(run(cli, "score", SAMPLE, "-q", "-o", target))
    assert target.read_bytes() == _reference_scores(cli, tmp_path)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(out_dir) == []


def test_symlink_target_is_replaced_and_link_kept(cli: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    ok(run(cli, "score", SAMPLE, "-q", "-o", link))
    assert link.is_symlink()
    assert real.read_bytes() == _reference_scores(cli, tmp_path)
    assert leftovers(tmp_path) == []


def test_dangling_symlink_is_kept_and_its_target_written(cli: Path, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    link = tmp_path / "sub" / "link.csv"
    link.symlink_to("../named.csv")  # relative to the link's directory, not yet existing
    ok(run(cli, "score", SAMPLE, "-q", "-o", link))
    assert link.is_symlink()
    assert (tmp_path / "named.csv").read_bytes() == _reference_scores(cli, tmp_path)
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "sub") == []


def test_integrate_checks_every_output_before_writing(cli: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("keep me\n")
    r = run(
        cli,
        "integrate",
        "--individual",
        SAMPLE,
        "--community",
        SAMPLE,
        "--structural",
        SAMPLE,
        "-o",
        out,
        "--problems-out",
        tmp_path,
    )
    assert r.code == 2, r.err
    assert "--problems-out" in r.err and "[output_is_directory]" in r.err
    assert out.read_text() == "keep me\n"
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------------------------
# Point 7: exit codes never lie


@pytest.mark.parametrize(
    "args",
    [
        ["score", SAMPLE, "-q"],
        ["validate", SAMPLE],
        ["summarize", SAMPLE],  # exit 2 (not a scores file) wins over the write
        ["instrument", "show", "iom-rss"],
        ["fit-weights", SAMPLE, "-q", "-o", "-"],
        ["--help"],
    ],
    ids=["score", "validate", "summarize", "instrument", "fit-weights", "help"],
)
def test_full_disk_on_stdout_is_exit_3(cli: Path, args: list[object]) -> None:
    with open("/dev/full", "wb") as full:
        r = run(cli, *args, stdout=full)
    if args[0] == "summarize":
        assert r.code == 2, r.err
        return
    assert r.code == 3, r.err
    assert "No space left on device" in r.err
    assert "internal error" not in r.err


@pytest.mark.parametrize(
    "args",
    [
        ["score", SAMPLE, "-q"],
        ["sensitivity", SAMPLE, "-q", "--draws", "5"],
        ["fit-weights", SAMPLE, "-q"],
    ],
    ids=["score", "sensitivity", "fit-weights"],
)
def test_full_disk_as_output_file_is_exit_3(cli: Path, tmp_path: Path, args: list[object]) -> None:
    # A private copy of /dev/full: a binary that renames over its output replaces this one.
    full = tmp_path / "full"
    try:
        os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("mknod needs root")
    r = run(cli, *args, "-o", full, timeout=120)
    assert r.code == 3, r.err
    assert f"writing to '{full}' failed: No space left on device" in r.err
    assert stat.S_ISCHR(full.stat().st_mode)
    assert leftovers(tmp_path) == []


def test_closed_pipe_on_stdout_is_quiet_exit_3(cli: Path) -> None:
    """`reinscore score x | head -1`: the reader goes away after one line."""
    with subprocess.Popen(
        _limited(cli, "score", SAMPLE, "--chunk-rows", "100"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    ) as p:
        assert p.stdout is not None and p.stderr is not None
        first = p.stdout.readline()
        p.stdout.close()
        err = p.stderr.read()
        code = p.wait(timeout=60)
    assert first.startswith(b"economic,")
    assert code == 3, err
    assert err == b"", "a closed pipe is not an error worth a message"


NUMERIC_USAGE_ERRORS = [
    (["score", SAMPLE, "--threads", "0"], "--threads must be a whole number from 1 to 256"),
    (["score", SAMPLE, "--threads", "100000"], "--threads must be a whole number from 1 to 256"),
    (["score", SAMPLE, "--threads", "-1"], "--threads must be a whole number from"),
    (["score", SAMPLE, "--chunk-rows", "0"], "--chunk-rows must be a whole number from 1 to"),
    (["score", SAMPLE, "--chunk-rows", "-1"], "--chunk-rows must be a whole number from"),
    (["score", SAMPLE, "--max-invalid", "-0.1"], "--max-invalid must be a number from 0 to 1"),
    (["score", SAMPLE, "--max-invalid", "nan"], "--max-invalid must be a number from 0 to 1"),
    (["score", SAMPLE, "--delimiter", '"'], "--delimiter must be one printable ASCII character"),
    (["score", SAMPLE, "--delimiter", "\n"], "--delimiter must be one printable ASCII character"),
    (["score", SAMPLE, "--delimiter", "ab"], "--delimiter must be one printable ASCII character"),
    (["validate", SAMPLE, "--delimiter", '"'], "--delimiter must be one printable ASCII character"),
    (["summarize", SAMPLE, "--min-cell", "-1"], "--min-cell must be a whole number from 0 to 1000000000"),
    (
        ["summarize", SAMPLE, "--min-cell", "2000000000"],
        "--min-cell must be a whole number from 0 to",
    ),
    (["summarize", SAMPLE, "--ci", "bootstrap", "--seed", "-1"], "--seed must be a whole number from"),
    (["sensitivity", SAMPLE, "--seed=-7"], "--seed must be a whole number from"),
    (
        ["summarize", SAMPLE, "--ci", "bootstrap", "--replicates", "4e9"],
        "'--replicates' is invalid",
    ),
    (
        ["summarize", SAMPLE, "--ci", "bootstrap", "--replicates", "4000000000"],
        "--replicates must be a whole number from 2 to 1000000",
    ),
    (["summarize", SAMPLE, "--ci", "bootstrap", "--threads", "100000"], "--threads must be"),
    (["summarize", SAMPLE, "--ci", "linearization", "--level", "2"], "--level must be a number"),
    (["summarize", SAMPLE, "--ci", "linearization", "--level", "nan"], "--level must be a number"),
    (["summarize", SAMPLE, "--ci", "linearization", "--digits", "99"], "--digits must be"),
    (["panel", SAMPLE, "--min-cell", "-1"], "--min-cell must be a whole number from"),
    (["panel", SAMPLE, "--level", "2"], "--level must be a number between 0 and 1"),
    (["panel", SAMPLE, "--level", "nan"], "--level must be a number between 0 and 1"),
    (
        [
            "integrate",
            "--individual",
            SAMPLE,
            "--community",
            SAMPLE,
            "--structural",
            SAMPLE,
            "--min-respondents",
            "0",
        ],
        "--min-respondents must be a whole number from 1 to",
    ),
    (
        [
            "integrate",
            "--individual",
            SAMPLE,
            "--community",
            SAMPLE,
            "--structural",
            SAMPLE,
            "--min-respondents",
            "-5",
        ],
        "--min-respondents must be a whole number from",
    ),
    (["fit-weights", SAMPLE, "--chunk-rows", "0"], "--chunk-rows must be a whole number"),
    (["fit-weights", SAMPLE, "--varimax-max-iterations", "0"], "--varimax-max-iterations must"),
    (["fit-weights", SAMPLE, "--varimax-tolerance", "inf"], "--varimax-tolerance must"),
    (["fit-weights", SAMPLE, "--min-cumulative", "2"], "--min-cumulative must"),
    (["fit-weights", SAMPLE, "--min-eigenvalue", "-1"], "--min-eigenvalue must"),
    (["reliability", SAMPLE, "--chunk-rows", "0"], "--chunk-rows must be a whole number"),
    (["sensitivity", SAMPLE, "--draws", "-3"], "--draws must be a whole number from"),
    (["sensitivity", SAMPLE, "--draws", "0"], "--draws must be a whole number from 1 to"),
    (["sensitivity", SAMPLE, "--threads", "0"], "--threads must be a whole number from 1 to 256"),
    (["sensitivity", SAMPLE, "--level", "1"], "--level must be a number between 0 and 1"),
    (["sensitivity", SAMPLE, "--bound", "1"], "--bound must be a number from 0 up to"),
    (["sensitivity", SAMPLE, "--bound", "nan"], "--bound must be a number from 0 up to"),
    (["sensitivity", SAMPLE, "--chunk-rows", "0"], "--chunk-rows must be a whole number"),
]


@pytest.mark.parametrize(
    ("args", "message"),
    NUMERIC_USAGE_ERRORS,
    ids=[" ".join(str(a) for a in args[:1] + args[2:]) for args, _ in NUMERIC_USAGE_ERRORS],
)
def test_option_ranges_are_usage_errors(
    cli: Path, tmp_path: Path, args: list[object], message: str
) -> None:
    r = run(cli, *args, cwd=tmp_path)
    assert r.code == 2, (r.code, r.err)
    assert message in r.err, r.err
    assert "internal error" not in r.err
    assert r.out == b""
    assert list(tmp_path.iterdir()) == [], "nothing written"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", SAMPLE, "--map", "{dir}"], "--map '{dir}' is a directory"),
        (["score", SAMPLE, "-o", "{dir}"], "-o '{dir}' is a directory"),
        (["score", SAMPLE, "--weights", "{dir}/w.csv"], "--weights '{dir}/w.csv' is a directory"),
        (["score", "{dir}"], "Is a directory [unreadable_file]"),
        (["validate", SAMPLE, "--map", "{dir}"], "--map '{dir}' is a directory"),
        (["fit-weights", SAMPLE, "-o", "{dir}"], "-o '{dir}' is a directory"),
        (["sensitivity", SAMPLE, "--summary", "{dir}"], "--summary '{dir}' is a directory"),
        (["reliability", SAMPLE, "--map", "{dir}"], "--map '{dir}' is a directory"),
    ],
    ids=[
        "score-map",
        "score-o",
        "score-weights",
        "score-input",
        "validate-map",
        "fit-o",
        "sensitivity-summary",
        "reliability-map",
    ],
)
def test_directory_arguments_are_usage_errors(
    cli: Path, tmp_path: Path, args: list[object], message: str
) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "w.csv").mkdir()
    fill = [str(a).replace("{dir}", str(d)) for a in args]
    r = run(cli, *fill, cwd=tmp_path)
    assert r.code == 2, (r.code, r.err)
    assert message.replace("{dir}", str(d)) in r.err, r.err
    assert "internal error" not in r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"], "nothing written"


def _csv(path: Path, rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue())
    return path


def test_score_exit_1_when_no_row_is_scored(cli: Path, tmp_path: Path) -> None:
    lines = SAMPLE.read_text().splitlines()
    head = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:4]]
    for row in rows:
        row[head.index("econ_satisfaction")] = "not-a-code"
    src = _csv(tmp_path / "all_invalid.csv", [head, *rows])
    out = tmp_path / "out.csv"
    r = run(cli, "score", src, "-o", out)
    assert r.code == 1, r.err
    assert "no row could be scored [nothing_scored]" in r.err
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["status"].tolist() == ["invalid"] * 3, "the output is written all the same"
    header_only = _csv(tmp_path / "header_only.csv", [head])
    r = run(cli, "score", header_only, "-o", out)
    assert r.code == 1 and "(the file has no data rows) [nothing_scored]" in r.err, r.err


@pytest.mark.parametrize(("limit", "code"), [("0.5", 1), ("0.6", 0), ("1", 0), ("0", 1)])
def test_score_max_invalid(cli: Path, tmp_path: Path, limit: str, code: int) -> None:
    """unknown_codes.csv: 3 of 5 rows invalid."""
    out = tmp_path / "out.csv"
    r = run(cli, "score", BAD / "unknown_codes.csv", "-o", out, "--max-invalid", limit)
    assert r.code == code, r.err
    assert ("3 of 5 rows are invalid" in r.err) == (code == 1), r.err
    assert len(pd.read_csv(out, dtype=str)) == 5
    assert ok(run(cli, "score", BAD / "unknown_codes.csv", "-o", out)).code == 0  # no limit


DELIMITER_CASES = [
    # rows split at ';' under a header split at ',': each row is one field
    (
        "header_comma_rows_semicolon.csv",
        (),
        "4 of 4 rows are a single field holding another delimiter",
    ),
    # a header quoted as a whole: one column, rows of 3 fields
    ("header_quoted_whole.csv", (), "4 of 4 rows have more than twice the header's 1 fields"),
    # --delimiter ',' on a ';' file: the header is one column holding ';'
    (
        "semicolon_wrong_delimiter.csv",
        ("--delimiter", ","),
        "the header is a single column holding ';'",
    ),
]


@pytest.mark.parametrize(
    ("file", "args", "mentions"), DELIMITER_CASES, ids=[c[0] for c in DELIMITER_CASES]
)
def test_delimiter_mismatch_reported_by_score_and_validate(
    cli: Path, tmp_path: Path, file: str, args: tuple[str, ...], mentions: str
) -> None:
    out = tmp_path / "out.csv"
    r = run(
        cli,
        "score",
        BAD / file,
        "-o",
        out,
        "--id",
        "interview_id",
        "--allow-missing-columns",
        *args,
    )
    if file == "header_comma_rows_semicolon.csv":
        assert r.code == 1, r.err
        assert mentions in r.err and "[delimiter_mismatch]" in r.err, r.err
        got = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert got["interview_id"].tolist() == [""] * 4, "no id from a row that was not split"
        assert got["status"].tolist() == ["invalid"] * 4
    else:  # no header column matches an item: exit 2 before any row is read, as before
        assert r.code == 2 and "[no_item_columns]" in r.err, r.err
        assert not out.exists()
    v = run(cli, "validate", BAD / file, *args)
    assert v.code == 1, v.err
    text = v.out.decode()
    assert mentions in text and re.search(r"^delimiter_mismatch\s", text, re.MULTILINE), text
    j = json.loads(run(cli, "validate", BAD / file, "--json", *args).out)
    (problems,) = [t for t in j["tables"] if t["name"] == "problems"]
    rules = [row[0] for row in problems["rows"]]  # the first column is the rule
    assert rules.count("delimiter_mismatch") == 1, rules


def test_clean_files_have_no_delimiter_problem(cli: Path) -> None:
    for f in ("ragged.csv", "semicolon_wrong_delimiter.csv", "bom_crlf.csv"):
        v = run(cli, "validate", BAD / f)
        assert "delimiter_mismatch" not in v.out.decode(), f
    v = run(cli, "validate", SAMPLE)
    assert v.code in (0, 1) and "delimiter_mismatch" not in v.out.decode()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_mid_run_leaves_no_temporary_file(cli: Path, tmp_path: Path, sig: int) -> None:
    """Killed while the output is being written (its input is still arriving on stdin)."""
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    out = tmp_path / "scores.csv"
    with subprocess.Popen(
        _limited(cli, "score", "-", "-q", "-o", out),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_env(),
    ) as p:
        assert p.stdin is not None
        p.stdin.write(b"".join(lines))  # more than the reader's first block; no EOF yet
        p.stdin.flush()
        for _ in range(200):  # until the temporary output exists
            if leftovers(tmp_path):
                break
            time.sleep(0.05)
        assert leftovers(tmp_path), "the run is writing its temporary file"
        p.send_signal(sig)
        code = p.wait(timeout=30)
        p.stdin.close()
    assert code == -sig, "dies of the signal as usual"
    assert leftovers(tmp_path) == []
    assert not out.exists()
