"""End-to-end tests of the `reinscore` command-line tool.

The binary is taken from $REINSCORE_CLI, else from build/src/cli/reinscore in the
repository that holds this file. A missing binary is a failure, not a skip.

Score numbers are checked against `reference_scores`, an independent numpy version of
the scoring rules written here from the issue text (code -> value, reverse items, item
weights, coverage rule with not_applicable removed from the applicable weight, composite
as the weighted mean of the dimensions, invalid rows without scores).

Bad inputs live in tests/data/bad/ (see its README.md); row numbers are spreadsheet rows
(header = row 1).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import math
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _clitools import Run, ok, run

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
RSS_JSON = DATA / "instruments" / "iom-rss.json"
SAMPLE = DATA / "examples" / "rss_sample.csv"
TEST_DATA = REPO / "tests" / "data"
BAD = TEST_DATA / "bad"
SAMPLE_XLSX = TEST_DATA / "sample.xlsx"
MAKE_SAMPLE = REPO / "tools" / "make_sample.py"
MAKE_XLSX = TEST_DATA / "make_bad_xlsx.py"

DIMS = ("economic", "social", "psychosocial")
SCORE_COLS = (*DIMS, "composite", *(f"coverage_{d}" for d in DIMS))
STATUSES = ("complete", "partial", "insufficient", "invalid")
TOL = 1e-12
REASONS = {
    "answered",
    "dont_know",
    "refused",
    "not_applicable",
    "skipped",
    "invalid_code",
    "out_of_range",
}


# --------------------------------------------------------------------------------------
# Running the binary


def read_scores(data: bytes | Path) -> pd.DataFrame:
    raw = data.read_bytes() if isinstance(data, Path) else data
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)


def numbers(col: pd.Series) -> np.ndarray:
    return np.array([math.nan if v == "" else float(v) for v in col], dtype=float)


def csv_records(path: Path) -> list[list[str]]:
    """Records of a CSV file read by the standard library (independent of the binary)."""
    with path.open(newline="", encoding="utf-8", errors="replace") as f:
        return list(csv.reader(f))


def read_text_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def assert_close(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    a_nan, e_nan = np.isnan(actual), np.isnan(expected)
    bad = np.flatnonzero(a_nan != e_nan)
    assert bad.size == 0, (
        f"{what}: missing where not expected (or the reverse) at rows {bad[:10].tolist()}"
    )
    diff = np.abs(np.where(a_nan, 0.0, actual - expected))
    assert diff.max(initial=0.0) <= TOL, (
        f"{what}: max difference {diff.max()} at row {int(diff.argmax())}"
    )


# --------------------------------------------------------------------------------------
# Independent reference implementation of the scoring


def load_instrument(path: Path = RSS_JSON) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def reference_scores(
    df: pd.DataFrame,
    ins: dict[str, Any],
    item_weights: dict[str, float] | None = None,
    dim_weights: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Scores of every row of `df` (answers as text) by the rules of the issue."""
    items = ins["items"]
    dims = list(ins["dimensions"])
    wset = ins["weight_sets"][ins["default_weights"]]
    if item_weights is None:
        item_weights = {k: float(v["dimension"]) for k, v in wset["items"].items()}
    if dim_weights is None:
        dim_weights = {k: float(v) for k, v in wset["composite"]["weights"].items()}
    n, k_items, n_dims = len(df), len(items), len(dims)
    values = np.zeros((n, k_items))
    answered = np.zeros((n, k_items), dtype=bool)
    not_applicable = np.zeros((n, k_items), dtype=bool)
    gap = np.zeros((n, k_items), dtype=bool)
    invalid_rule = np.full((n, k_items), "", dtype=object)
    W = np.zeros((k_items, n_dims))
    for k, it in enumerate(items):
        W[k, dims.index(it["dimension"])] = item_weights[it["id"]]
        scale = ins["scales"][it["scale"]]
        lookup: dict[str, tuple[str, float]] = {}
        for c in scale["codes"]:
            v = 1.0 - c["value"] if it.get("reverse") else float(c["value"])
            lookup[c["code"]] = ("answered", v)
            if "numeric" in c:
                lookup[str(c["numeric"])] = ("answered", v)
        for m in scale.get("missing", []):
            lookup[m["code"]] = (m["meaning"], math.nan)
            if "numeric" in m:
                lookup[str(m["numeric"])] = (m["meaning"], math.nan)
        for r, raw in enumerate(df[it["column"]].tolist()):
            s = raw.strip(" \t")
            if s == "":
                gap[r, k] = True
                continue
            kind, v = lookup.get(s, ("", math.nan))
            if kind == "answered":
                answered[r, k], values[r, k] = True, v
            elif kind == "not_applicable":
                not_applicable[r, k] = True
            elif kind:
                gap[r, k] = True
            else:
                try:
                    float(s)
                    invalid_rule[r, k] = "out_of_range"
                except ValueError:
                    invalid_rule[r, k] = "invalid_code"
    invalid = (invalid_rule != "").any(axis=1)
    num = np.where(answered, values, 0.0) @ W
    den = answered.astype(float) @ W
    applicable = W.sum(axis=0)[None, :] - not_applicable.astype(float) @ W
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(applicable > 0, den / applicable, 0.0)
        covered = (applicable > 0) & (den > 0) & (coverage >= ins["coverage"]["min_share"] - 1e-12)
        dim_scores = np.where(covered, num / den, math.nan)
    a = np.array([dim_weights[d] for d in dims])
    composite = np.where(covered.all(axis=1), np.nan_to_num(dim_scores) @ a / a.sum(), math.nan)
    cuts = ins["thresholds"]["categories"]
    out = pd.DataFrame(dim_scores, columns=dims)
    out["composite"] = composite
    for j, d in enumerate(dims):
        out[f"coverage_{d}"] = coverage[:, j]
    status, lowest, category, problems = [], [], [], []
    for r in range(n):
        if invalid[r]:
            status.append("invalid")
            lowest.append("")
            category.append("")
            problems.append(
                "; ".join(
                    f"{items[k]['column']}: {invalid_rule[r, k]}"
                    for k in range(k_items)
                    if invalid_rule[r, k]
                )
            )
            continue
        if not covered[r].all():
            status.append("insufficient")
            missing = ",".join(d for j, d in enumerate(dims) if not covered[r, j])
            problems.append(f"insufficient_coverage: {missing}")
            lowest.append("")
        else:
            status.append("partial" if gap[r].any() else "complete")
            problems.append("")
            lowest.append(dims[int(np.argmin(dim_scores[r]))])  # first of equal minima
        c = composite[r]
        label = ""
        if not math.isnan(c):
            for cut in cuts:
                if c >= cut["min"] - 1e-12:
                    label = cut["label"]
        category.append(label)
    out.loc[invalid, [*dims, "composite", *(f"coverage_{d}" for d in dims)]] = math.nan
    out["status"] = status
    out["lowest_dimension"] = lowest
    out["category"] = category
    out["problems"] = problems
    return out


def assert_matches_reference(got: pd.DataFrame, ref: pd.DataFrame) -> None:
    assert len(got) == len(ref)
    for col in SCORE_COLS:
        assert_close(numbers(got[col]), ref[col].to_numpy(dtype=float), col)
    for col in ("status", "lowest_dimension", "category", "problems"):
        mismatch = np.flatnonzero(got[col].to_numpy() != ref[col].to_numpy())
        assert mismatch.size == 0, (
            f"{col} differs at rows {mismatch[:5].tolist()}: "
            f"{got[col].iloc[mismatch[:3]].tolist()} vs {ref[col].iloc[mismatch[:3]].tolist()}"
        )


# --------------------------------------------------------------------------------------
# Shared data


@pytest.fixture(scope="session")
def sample_df() -> pd.DataFrame:
    return read_text_table(SAMPLE)


@pytest.fixture(scope="session")
def rss() -> dict[str, Any]:
    return load_instrument()


@pytest.fixture(scope="session")
def sample_scores(cli: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, bytes]:
    out = tmp_path_factory.mktemp("scores") / "scores.csv"
    r = ok(run(cli, "score", SAMPLE, "-o", out, "--id", "interview_id", "--keep", "round"))
    assert r.out == b"", "with -o nothing goes to stdout"
    return r, out.read_bytes()


@pytest.fixture(scope="session")
def rss_tag(cli: Path) -> str:
    r = ok(run(cli, "instrument", "show", "iom-rss"))
    m = re.search(r"^sha256 ([0-9a-f]{64})$", r.text, re.MULTILINE)
    assert m, r.text
    return f"iom-rss@0.1.0-provisional#{m.group(1)[:12]}"


def item_columns(ins: dict[str, Any]) -> list[str]:
    return [it["column"] for it in ins["items"]]


def without_problems(data: bytes) -> pd.DataFrame:
    return read_scores(data).drop(columns=["problems"])


# --------------------------------------------------------------------------------------
# The sample, end to end


def test_sample_end_to_end(
    sample_scores: tuple[Run, bytes], sample_df: pd.DataFrame, rss_tag: str
) -> None:
    r, data = sample_scores
    got = read_scores(data)
    assert list(got.columns) == [
        "interview_id",
        "round",
        *DIMS,
        "composite",
        *(f"coverage_{d}" for d in DIMS),
        "status",
        "lowest_dimension",
        "category",
        "problems",
        "instrument",
    ]
    assert len(got) == 5256 == len(sample_df)
    assert got["interview_id"].tolist() == sample_df["interview_id"].tolist(), "input order"
    assert got["round"].tolist() == sample_df["round"].tolist()
    counts = got["status"].value_counts().to_dict()
    assert set(counts) == set(STATUSES), counts
    assert counts["invalid"] == 10 and counts["insufficient"] == 8, (
        counts
    )  # planted, data/examples/README.md
    assert got["instrument"].unique().tolist() == [rss_tag]
    summary = (
        "reinscore score: 5256 rows scored "
        f"(complete {counts['complete']}, partial {counts['partial']}, "
        f"insufficient 8, invalid 10)"
    )
    assert summary in r.err
    invalid = got[got["status"] == "invalid"]
    cols = "|".join(item_columns(load_instrument()))
    for text in invalid["problems"]:
        assert re.fullmatch(rf"({cols}): (invalid_code|out_of_range)", text), text
    # missing scores are empty cells, never 0
    for col in SCORE_COLS:
        assert (invalid[col] == "").all()
    assert (got.loc[got["status"] == "insufficient", "composite"] == "").all()


def test_sample_scores_match_reference(
    sample_scores: tuple[Run, bytes], sample_df: pd.DataFrame, rss: dict[str, Any]
) -> None:
    got = read_scores(sample_scores[1])
    ref = reference_scores(sample_df, rss)
    assert_matches_reference(got, ref)
    # Not-applicable answers leave the coverage base: the interview with 4 of 8
    # applicable social items answered is covered (README of the sample).
    na_rows = sample_df["children_in_school"].eq("not_applicable")
    assert (numbers(got.loc[na_rows, "coverage_social"]) == 0.5).any()


def test_threads_give_identical_bytes(cli: Path, tmp_path: Path) -> None:
    outputs = []
    for threads in (1, 2, 3):
        out = tmp_path / f"t{threads}.csv"
        ok(
            run(
                cli,
                "score",
                SAMPLE,
                "-o",
                out,
                "--threads",
                threads,
                "--chunk-rows",
                100,
                "--id",
                "interview_id",
                "--explain",
                "-q",
            )
        )
        outputs.append(out.read_bytes())
    default = ok(run(cli, "score", SAMPLE, "--id", "interview_id", "--explain", "-q")).out
    assert outputs[0] == outputs[1] == outputs[2] == default
    jsonl = [
        ok(
            run(
                cli, "score", SAMPLE, "--format", "jsonl", "--threads", t, "--chunk-rows", 100, "-q"
            )
        ).out
        for t in (1, 3)
    ]
    assert jsonl[0] == jsonl[1]


def test_stdin_input(cli: Path, sample_scores: tuple[Run, bytes]) -> None:
    r = ok(
        run(
            cli,
            "score",
            "-",
            "--id",
            "interview_id",
            "--keep",
            "round",
            "-q",
            stdin=SAMPLE.read_bytes(),
        )
    )
    assert r.out == sample_scores[1]


def test_tsv_crlf_and_forced_delimiter(cli: Path, tmp_path: Path) -> None:
    plain = ok(run(cli, "score", SAMPLE, "--id", "interview_id", "-q")).out
    tsv = tmp_path / "sample.tsv"
    tsv.write_bytes(SAMPLE.read_bytes().replace(b",", b"\t"))
    assert ok(run(cli, "score", tsv, "--id", "interview_id", "-q")).out == plain  # detected
    assert (
        ok(run(cli, "score", tsv, "--delimiter", "tab", "--id", "interview_id", "-q")).out == plain
    )
    crlf = SAMPLE.read_bytes().replace(b"\n", b"\r\n")
    assert ok(run(cli, "score", "-", "--id", "interview_id", "-q", stdin=crlf)).out == plain


def test_multiline_field_counts_as_one_row(cli: Path, tmp_path: Path) -> None:
    src = (BAD / "unknown_codes.csv").read_text().splitlines()
    path = tmp_path / "multiline.csv"
    path.write_text(
        "\n".join(["note," + src[0], '"line1\nline2",' + src[1], "x," + src[2], "y," + src[3]])
        + "\n"
    )
    got = read_scores(ok(run(cli, "score", path, "--keep", "note", "-q")).out)
    assert got["note"].tolist() == ["line1\nline2", "x", "y"]
    assert got["status"].tolist() == ["complete", "invalid", "invalid"]
    v = run(cli, "validate", path)
    assert v.code == 1
    assert (
        "column 'econ_satisfaction': unreadable answer #1 in 1 row(s) (rows 3) [invalid_code]"
        in v.text
    )
    assert "column 'belonging': unreadable answer #1 in 1 row(s) (rows 4) [invalid_code]" in v.text


@pytest.mark.parametrize("command", ["score", "validate", "summarize", "instruments", "instrument"])
def test_help_exits_0(cli: Path, command: str) -> None:
    r = ok(run(cli, command, "--help"))
    assert r.text.startswith(f"usage: reinscore {command}")
    assert r.err == ""


def test_jsonl_equals_csv(cli: Path) -> None:
    args = ("score", SAMPLE, "--id", "interview_id", "--keep", "round", "--explain", "-q")
    csv_out = ok(run(cli, *args)).out
    jsonl_out = ok(run(cli, *args, "--format", "jsonl")).text
    table = read_scores(csv_out)
    lines = jsonl_out.splitlines()
    assert len(lines) == len(table) == 5256
    text_cols = {
        "interview_id",
        "round",
        "status",
        "lowest_dimension",
        "category",
        "problems",
        "instrument",
    }
    for i, line in enumerate(lines):
        obj = json.loads(line)
        assert list(obj) == list(table.columns), "same columns in the same order"
        row = table.iloc[i]
        for col, value in obj.items():
            if col in text_cols:
                assert value == row[col], (i, col)
            elif value is None:
                assert row[col] == "", (i, col)
            else:
                assert isinstance(value, (int, float)) and value == float(row[col]), (i, col)


# --------------------------------------------------------------------------------------
# Column matching: Kobo groups, --map, label headers, XLSX


def _write_csv(path: Path, df: pd.DataFrame) -> Path:
    df.to_csv(path, index=False, lineterminator="\n")
    return path


def _same_scores_except_problems(a: bytes, b: bytes, rename: dict[str, str]) -> None:
    """Equal outputs, except that the problems text names the input's own column."""
    ta, tb = read_scores(a), read_scores(b)
    pd.testing.assert_frame_equal(ta.drop(columns=["problems"]), tb.drop(columns=["problems"]))
    for pa, pb in zip(ta["problems"], tb["problems"]):
        for new, old in rename.items():
            pb = pb.replace(f"{new}: ", f"{old}: ")
        assert pa == pb


@pytest.mark.parametrize("prefix", ["group_{dim}/", "survey/group_{dim}/"])
def test_kobo_group_prefixes(
    cli: Path,
    tmp_path: Path,
    sample_df: pd.DataFrame,
    rss: dict[str, Any],
    sample_scores: tuple[Run, bytes],
    prefix: str,
) -> None:
    rename = {
        it["column"]: prefix.format(dim=it["dimension"]) + it["column"] for it in rss["items"]
    }
    path = _write_csv(tmp_path / "kobo.csv", sample_df.rename(columns=rename))
    r = ok(run(cli, "score", path, "--id", "interview_id", "--keep", "round", "-q"))
    _same_scores_except_problems(sample_scores[1], r.out, {v: k for k, v in rename.items()})
    assert b"group_" in r.out, "problems name the column as it is in the file"


def test_make_sample_kobo_groups(cli: Path, tmp_path: Path) -> None:
    plain, kobo = tmp_path / "plain.csv", tmp_path / "kobo.csv"
    base = [
        sys.executable,
        str(MAKE_SAMPLE),
        "--returnees",
        "150",
        "--rounds",
        "2",
        "--seed",
        "7",
        "-q",
    ]
    subprocess.run([*base, "--out", str(plain)], check=True, timeout=120)
    subprocess.run([*base, "--kobo-groups", "--out", str(kobo)], check=True, timeout=120)
    assert "group_economic/econ_satisfaction" in kobo.read_text().splitlines()[0]
    a = ok(run(cli, "score", plain, "--id", "interview_id", "-q")).out
    b = ok(run(cli, "score", kobo, "--id", "interview_id", "-q")).out
    rename = {
        f"group_{it['dimension']}/{it['column']}": it["column"] for it in load_instrument()["items"]
    }
    _same_scores_except_problems(a, b, rename)
    assert len(read_scores(a)) == len(read_text_table(plain))


def test_column_map(
    cli: Path,
    tmp_path: Path,
    sample_df: pd.DataFrame,
    rss: dict[str, Any],
    sample_scores: tuple[Run, bytes],
) -> None:
    rename = {c: f"q{k + 1:02d}" for k, c in enumerate(item_columns(rss))}
    path = _write_csv(tmp_path / "renamed.csv", sample_df.rename(columns=rename))
    map_file = tmp_path / "map.csv"
    map_file.write_text("column,item\n" + "".join(f"{q},{c}\n" for c, q in rename.items()))
    out = tmp_path / "out.csv"
    # Without the map nothing matches: a file-level error, no output.
    r = run(cli, "score", path, "-o", out)
    assert r.code == 2 and "[no_item_columns]" in r.err and not out.exists()
    r = ok(
        run(cli, "score", path, "--map", map_file, "--id", "interview_id", "--keep", "round", "-q")
    )
    _same_scores_except_problems(sample_scores[1], r.out, {v: k for k, v in rename.items()})


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("q01,no_such_item\n", "unknown_map_item"),
        ("no_such_column,econ_satisfaction\n", "unknown_map_column"),
    ],
)
def test_column_map_errors(cli: Path, tmp_path: Path, line: str, rule: str) -> None:
    map_file = tmp_path / "map.csv"
    map_file.write_text("column,item\n" + line)
    out = tmp_path / "out.csv"
    r = run(cli, "score", BAD / "unknown_codes.csv", "--map", map_file, "-o", out)
    assert r.code == 2, r.err
    assert f"[{rule}]" in r.err and line.split(",")[0] in r.err
    assert not out.exists()


def test_label_headers_and_answers(
    cli: Path,
    tmp_path: Path,
    sample_df: pd.DataFrame,
    rss: dict[str, Any],
    sample_scores: tuple[Run, bytes],
) -> None:
    """A Kobo export 'with labels': question text as header, answer labels as values."""
    df = sample_df.copy()
    rename = {}
    for it in rss["items"]:
        scale = rss["scales"][it["scale"]]
        labels = {c["code"]: c["label"] for c in (*scale["codes"], *scale.get("missing", []))}
        df[it["column"]] = df[it["column"]].map(lambda v, labels=labels: labels.get(v, v))
        rename[it["column"]] = it["question"]
    df = df.rename(columns=rename)
    assert (df[rss["items"][0]["question"]] == "Very dissatisfied").any()
    path = _write_csv(tmp_path / "labels.csv", df)
    r = ok(run(cli, "score", path, "--id", "interview_id", "--keep", "round", "-q"))
    _same_scores_except_problems(sample_scores[1], r.out, {v: k for k, v in rename.items()})


def _load_module(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _econ2_instrument(tmp_path: Path) -> Path:
    """iom-rss cut down to the two items of tests/data/sample.xlsx, so the rows get scores."""
    ins = load_instrument()
    keep = {"econ_satisfaction", "food_reduced"}
    ins["id"] = "rss-econ2"
    ins["dimensions"] = ["economic"]
    ins["items"] = [it for it in ins["items"] if it["id"] in keep]
    w = ins["weight_sets"]["equal"]
    w["items"] = {k: v for k, v in w["items"].items() if k in keep}
    w["composite"]["weights"] = {"economic": 1}
    path = tmp_path / "econ2.json"
    path.write_text(json.dumps(ins))
    return path


def test_xlsx_sample_matches_csv(cli: Path, tmp_path: Path) -> None:
    fixture = _load_module(MAKE_XLSX, "make_bad_xlsx")
    equivalent = tmp_path / "sample.csv"
    equivalent.write_text("\n".join(",".join(r) for r in (fixture.HEADER, *fixture.ROWS)) + "\n")
    econ2 = _econ2_instrument(tmp_path)
    for extra, code in ((["--instrument", econ2], 0), (["--allow-missing-columns"], 1)):
        # without econ2 no row reaches the coverage rule: exit 1, output written all the same
        a = run(cli, "score", SAMPLE_XLSX, "--id", "interview_id", "-q", *extra)
        b = run(cli, "score", equivalent, "--id", "interview_id", "-q", *extra)
        assert (a.code, b.code) == (code, code), (a.err, b.err)
        assert a.out == b.out
    got = read_scores(
        ok(run(cli, "score", SAMPLE_XLSX, "--instrument", econ2, "--id", "interview_id", "-q")).out
    )
    # very_satisfied/never = 1, satisfied/rarely = .75, dont_know/sometimes = .5 (half covered), ...
    assert numbers(got["economic"]).tolist() == [1.0, 0.75, 0.5, 0.25, 0.0]
    assert got["status"].tolist() == ["complete", "complete", "partial", "complete", "complete"]


def test_xlsx_full_width_matches_csv(cli: Path, tmp_path: Path, sample_df: pd.DataFrame) -> None:
    fixture = _load_module(MAKE_XLSX, "make_bad_xlsx")
    part = sample_df.iloc[:300]
    book = tmp_path / "part.xlsx"
    fixture.write_xlsx(
        book, fixture.workbook_parts(tuple(part.columns), tuple(map(tuple, part.to_numpy())))
    )
    flat = _write_csv(tmp_path / "part.csv", part)
    a = ok(run(cli, "score", book, "--id", "interview_id", "--keep", "round", "-q")).out
    b = ok(run(cli, "score", flat, "--id", "interview_id", "--keep", "round", "-q")).out
    assert a == b
    assert len(read_scores(a)) == 300


# --------------------------------------------------------------------------------------
# Output details: formula escaping, --explain, --weights


def _clean_rows(n: int) -> pd.DataFrame:
    base = read_text_table(BAD / "unknown_codes.csv")
    clean = base[base["interview_id"].isin(["R001", "R005"])]
    out = pd.concat([clean] * ((n + 1) // 2), ignore_index=True).iloc[:n].copy()
    out["interview_id"] = [f"X{i:03d}" for i in range(n)]
    return out


def test_formula_injection_escaped_in_csv(cli: Path, tmp_path: Path) -> None:
    notes = ['=HYPERLINK("http://example.org","x")', "+SUM(A1:A9)", "-2", "@cmd", "plain", "a=b"]
    df = _clean_rows(len(notes))
    df.insert(1, "note", notes)
    df["interview_id"] = ["=1+1", "ok1", "ok2", "ok3", "ok4", "ok5"]
    path = _write_csv(tmp_path / "notes.csv", df)
    out = ok(run(cli, "score", path, "--id", "interview_id", "--keep", "note", "-q")).out
    lines = out.decode().splitlines()
    assert lines[1].startswith('"\'=1+1","\'=HYPERLINK(""http://example.org"",""x"")",')
    assert lines[2].startswith('ok1,"\'+SUM(A1:A9)",')
    assert lines[3].startswith('ok2,"\'-2",')
    assert lines[4].startswith('ok3,"\'@cmd",')
    assert lines[5].startswith("ok4,plain,")
    assert lines[6].startswith("ok5,a=b,")
    got = read_scores(out)
    assert got["note"].tolist() == ["'" + notes[0], "'+SUM(A1:A9)", "'-2", "'@cmd", "plain", "a=b"]
    assert (got["status"] == "complete").all()
    # JSON Lines is not opened by spreadsheets: values stay as they are.
    jl = [
        json.loads(x)
        for x in ok(
            run(cli, "score", path, "--keep", "note", "--format", "jsonl", "-q")
        ).text.splitlines()
    ]
    assert [o["note"] for o in jl] == notes


def _explain(cli: Path) -> pd.DataFrame:
    return read_scores(ok(run(cli, "score", SAMPLE, "--id", "interview_id", "--explain", "-q")).out)


def test_explain_contributions_sum_to_dimension_scores(
    cli: Path, rss: dict[str, Any], sample_df: pd.DataFrame
) -> None:
    got = _explain(cli)
    items = rss["items"]
    assert [c for c in got.columns if c.startswith("contrib.")] == [
        f"contrib.{it['id']}" for it in items
    ]
    assert [c for c in got.columns if c.startswith("lost.")] == [f"lost.{it['id']}" for it in items]
    ref = reference_scores(sample_df, rss)
    checked = 0
    for d in DIMS:
        ids = [it["id"] for it in items if it["dimension"] == d]
        contrib = np.column_stack([numbers(got[f"contrib.{i}"]) for i in ids])
        lost = np.column_stack([numbers(got[f"lost.{i}"]) for i in ids])
        score = numbers(got[d])
        has = ~np.isnan(score)
        total = np.nansum(contrib[has], axis=1)
        assert np.abs(total - score[has]).max() <= TOL, d
        # contribution + loss = the item's normalised weight: they sum to 1 per dimension
        assert np.abs(np.nansum(contrib[has] + lost[has], axis=1) - 1).max() <= TOL, d
        # no contribution where the item was not answered
        answered = np.column_stack(
            [
                sample_df[it["column"]]
                .isin([c["code"] for c in rss["scales"][it["scale"]]["codes"]])
                .to_numpy()
                for it in items
                if it["dimension"] == d
            ]
        )
        assert (np.isnan(contrib[has]) == ~answered[has]).all(), d
        checked += int(has.sum())
    assert checked > 15000
    assert_close(numbers(got["composite"]), ref["composite"].to_numpy(dtype=float), "composite")
    invalid = got["status"] == "invalid"
    contrib_cols = [c for c in got.columns if c.startswith(("contrib.", "lost."))]
    assert (got.loc[invalid, contrib_cols] == "").all().all()


def test_explain_empty_where_dimension_score_missing(cli: Path, rss: dict[str, Any]) -> None:
    got = _explain(cli)
    insufficient = got[got["status"] == "insufficient"]
    assert len(insufficient) == 8
    econ = [
        f"{p}.{it['id']}"
        for it in rss["items"]
        if it["dimension"] == "economic"
        for p in ("contrib", "lost")
    ]
    assert (insufficient["economic"] == "").all()
    assert (insufficient[econ] == "").all().all(), insufficient[econ].to_dict("records")[0]


def _weights_table(path: Path, rss: dict[str, Any]) -> tuple[dict[str, float], dict[str, float]]:
    items = {it["id"]: float(1 + k % 3) for k, it in enumerate(rss["items"])}
    dims = {"economic": 2.0, "social": 1.0, "psychosocial": 1.0}
    lines = ["item,dimension_weight,composite_weight"]
    lines += [f"{i},{w:g}," for i, w in items.items()]
    lines += [f"{d},,{w:g}" for d, w in dims.items()]
    path.write_text("\n".join(lines) + "\n")
    return items, dims


def test_weights_table(
    cli: Path, tmp_path: Path, rss: dict[str, Any], sample_df: pd.DataFrame, rss_tag: str
) -> None:
    table = tmp_path / "official.csv"
    item_w, dim_w = _weights_table(table, rss)
    got = read_scores(ok(run(cli, "score", SAMPLE, "--weights", table, "-q")).out)
    tags = got["instrument"].unique().tolist()
    assert (
        len(tags) == 1 and tags[0] != rss_tag and tags[0].startswith("iom-rss@0.1.0-provisional#")
    )
    assert_matches_reference(got, reference_scores(sample_df, rss, item_w, dim_w))
    # The weighted instrument, written out and loaded back, gives the same bytes.
    shown = tmp_path / "weighted.json"
    shown.write_bytes(
        ok(run(cli, "instrument", "show", "iom-rss", "--json", "--weights", table)).out
    )
    a = ok(run(cli, "score", SAMPLE, "--weights", table, "-q")).out
    b = ok(run(cli, "score", SAMPLE, "--instrument", shown, "-q")).out
    assert a == b


def test_weights_table_mini_official(cli: Path, tmp_path: Path) -> None:
    """tests/data/weights/mini_official.csv on the mini instrument, checked by hand."""
    mini = TEST_DATA / "instruments" / "mini.json"
    path = tmp_path / "mini.csv"
    path.write_text(
        "id,e1,e2,e3,s1,s2,p1,p2\n"
        "A,high,no,5,mid,low,high,yes\n"
        "B,low,yes,10,na,mid,dk,no\n"
        "C,high,no,11,mid,low,high,yes\n"
    )
    base = read_scores(ok(run(cli, "score", path, "--instrument", mini, "--id", "id", "-q")).out)
    weighted = read_scores(
        ok(
            run(
                cli,
                "score",
                path,
                "--instrument",
                mini,
                "--id",
                "id",
                "-q",
                "--weights",
                TEST_DATA / "weights" / "mini_official.csv",
            )
        ).out
    )
    (tag,) = weighted["instrument"].unique()
    (base_tag,) = base["instrument"].unique()
    assert tag != base_tag and tag.startswith("mini@1#") and base_tag.startswith("mini@1#")
    # default set "items": econ (2*1 + 1*1 + 1*.5)/4, soc (.5 + 3*1)/4,
    # composite 9/11 (item weights)
    assert numbers(base["composite"])[:2].tolist() == [9 / 11, 1.5 / 7]
    assert numbers(base["econ"])[:2].tolist() == [0.875, 0.25]
    # official table: econ (1 + 1 + 2*.5)/4; psy (3*1 + 1)/4; composite (.75 + .75 + 2*1)/4;
    # row B: s1 not applicable leaves soc = s2 = .5; p1 don't know -> psy coverage 1/4
    assert numbers(weighted["econ"]).tolist()[:2] == [0.75, 0.5]
    assert numbers(weighted["soc"]).tolist()[:2] == [0.75, 0.5]
    assert numbers(weighted["psy"])[0] == 1.0 and math.isnan(numbers(weighted["psy"])[1])
    assert numbers(weighted["composite"])[0] == 0.875
    assert numbers(weighted["coverage_psy"])[:2].tolist() == [1.0, 0.25]
    assert weighted["status"].tolist() == ["complete", "insufficient", "invalid"]
    assert weighted["category"].tolist() == ["high", "", ""]
    assert weighted["problems"].tolist() == ["", "insufficient_coverage: psy", "e3: out_of_range"]


def test_weight_set_by_name(cli: Path, sample_scores: tuple[Run, bytes]) -> None:
    r = ok(
        run(
            cli,
            "score",
            SAMPLE,
            "--weights",
            "equal",
            "--id",
            "interview_id",
            "--keep",
            "round",
            "-q",
        )
    )
    assert r.out == sample_scores[1]


# --------------------------------------------------------------------------------------
# summarize


def _fmt4(x: float) -> str:
    return "" if math.isnan(x) else f"{x:.4f}"


def test_summarize_by_round(cli: Path, sample_scores: tuple[Run, bytes], tmp_path: Path) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_bytes(sample_scores[1])
    r = ok(run(cli, "summarize", scores, "--by", "round", "--format", "csv", "--min-cell", 1))
    got = read_scores(r.out)
    assert list(got.columns) == [
        "round",
        "n",
        *(f"mean_{d}" for d in (*DIMS, "composite")),
        *(f"share_{s}" for s in STATUSES),
    ]
    table = read_scores(sample_scores[1])
    for col in (*DIMS, "composite"):
        table[col] = numbers(table[col])
    groups = table.groupby("round", sort=True)
    assert got["round"].tolist() == list(groups.groups)
    assert got["n"].tolist() == [str(len(g)) for _, g in groups]
    assert got["n"].tolist() == ["2000", "1778", "1478"]
    for (name, g), (_, line) in zip(groups, got.iterrows()):
        for col in (*DIMS, "composite"):
            mean = float(g[col].mean())
            printed = line[f"mean_{col}"]
            assert abs(float(printed) - mean) <= 0.5e-4 + 1e-12, (name, col)
            assert printed == _fmt4(mean), (name, col, printed, mean)
        for s in STATUSES:
            assert line[f"share_{s}"] == _fmt4(float((g["status"] == s).mean())), (name, s)
    assert "suppressed" not in r.err


def test_summarize_suppresses_small_groups(
    cli: Path, sample_scores: tuple[Run, bytes], tmp_path: Path
) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_bytes(sample_scores[1])
    r = ok(run(cli, "summarize", scores, "--by", "round", "--format", "csv", "--min-cell", 1779))
    got = read_scores(r.out)
    assert got["n"].tolist() == ["2000", "<1779", "<1779"]
    value_cols = [c for c in got.columns if c.startswith(("mean_", "share_"))]
    assert (got.loc[1:, value_cols] == "").all().all(), "nothing of a suppressed group is shown"
    assert (got.loc[0, value_cols] != "").all()
    assert "2 group(s) with fewer than 1779 interviews suppressed" in r.err
    # default: --min-cell 10, one overall row without --by
    overall = read_scores(ok(run(cli, "summarize", scores, "--format", "csv")).out)
    assert overall["n"].tolist() == ["5256"]


# --------------------------------------------------------------------------------------
# instruments / instrument show


def test_instruments_lists_rss(cli: Path, rss_tag: str) -> None:
    r = ok(run(cli, "instruments"))
    assert re.search(
        rf"^iom-rss  {re.escape(rss_tag)}  level individual  PROVISIONAL$", r.text, re.MULTILINE
    ), r.text
    assert "weight sets: equal (default) [provisional]" in r.text


def test_instruments_reports_broken_file(cli: Path, tmp_path: Path, rss_tag: str) -> None:
    shutil.copy(BAD / "broken_instrument.json", tmp_path / "broken_instrument.json")
    r = ok(
        run(
            cli,
            "instruments",
            env={"REINSCORE_INSTRUMENT_PATH": f"{tmp_path}:{DATA / 'instruments'}"},
        )
    )
    assert re.search(r"^broken_instrument  BROKEN: .*likert7", r.text, re.MULTILINE), r.text
    assert rss_tag in r.text


def test_instrument_show_json_round_trips(
    cli: Path, tmp_path: Path, rss: dict[str, Any], sample_scores: tuple[Run, bytes]
) -> None:
    shown = tmp_path / "shown.json"
    shown.write_bytes(ok(run(cli, "instrument", "show", "iom-rss", "--json")).out)
    assert json.loads(shown.read_text()) == rss
    again = ok(run(cli, "instrument", "show", shown, "--json")).out
    assert again == shown.read_bytes()
    r = ok(
        run(
            cli,
            "score",
            SAMPLE,
            "--instrument",
            shown,
            "--id",
            "interview_id",
            "--keep",
            "round",
            "-q",
        )
    )
    assert r.out == sample_scores[1]  # same scores and the same instrument tag (hash)


def test_instrument_show_text(cli: Path) -> None:
    r = ok(run(cli, "instrument", "show", "iom-rss"))
    assert "PROVISIONAL" in r.text
    assert re.search(r"^food_reduced\s+economic\s+frequency5\s+reversed$", r.text, re.MULTILINE)
    assert "at least 50% of its applicable item weight" in r.text


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


# --------------------------------------------------------------------------------------
# Bad input files (tests/data/bad/)


@dataclass(frozen=True)
class FileLevel:
    file: str
    args: tuple[str, ...]
    rule: str | None  # rule id in brackets, or None for instrument errors
    mentions: tuple[str, ...]  # row / column / file mentions in the message
    validate_code: int  # exit code of `validate` on the same file ...
    validate_rule: str  # ... and the rule it reports


FILE_LEVEL = [
    FileLevel(
        "unterminated_quote.csv",
        ("--allow-missing-columns",),
        "unterminated_quote",
        ("row 3: ", "column 'econ_satisfaction'"),
        2,
        "unterminated_quote",
    ),
    FileLevel("empty.csv", (), "empty_file", ("the file is empty",), 2, "empty_file"),
    FileLevel(
        "truncated.xlsx",
        (),
        "unreadable_xlsx",
        ("truncated.xlsx' is not a readable XLSX workbook",),
        2,
        "unreadable_xlsx",
    ),
    FileLevel(
        "duplicate_columns.csv",
        ("--allow-missing-columns",),
        "duplicate_column",
        ("column 'econ_satisfaction'", "(columns 2, 4)"),
        1,
        "duplicate_column",
    ),
    FileLevel(
        "missing_column.csv",
        (),
        "missing_column",
        ("column 'distress'", "no column for item 'distress'"),
        1,
        "missing_column",
    ),
    # forcing the wrong delimiter: one header column, nothing matches
    FileLevel(
        "semicolon_wrong_delimiter.csv",
        ("--delimiter", ","),
        "no_item_columns",
        ("no column of the file matches", "use --delimiter"),
        1,
        "missing_column",
    ),
]


@pytest.mark.parametrize("case", FILE_LEVEL, ids=[c.file for c in FILE_LEVEL])
def test_file_level_problem(cli: Path, tmp_path: Path, case: FileLevel) -> None:
    out = tmp_path / "out.csv"
    r = run(cli, "score", BAD / case.file, "-o", out, *case.args)
    assert r.code == 2, r.err
    assert f"[{case.rule}]" in r.err
    for m in case.mentions:
        assert m in r.err, (m, r.err)
    assert r.out == b""
    assert not out.exists(), "no partial output file"
    assert list(tmp_path.iterdir()) == [], "no temporary file left behind"
    v = run(
        cli, "validate", BAD / case.file, *[a for a in case.args if a != "--allow-missing-columns"]
    )
    assert v.code == case.validate_code, v.err
    assert f"[{case.validate_rule}]" in (v.err if v.code == 2 else v.text)


@pytest.mark.parametrize(
    ("file", "mentions"),
    [
        (
            "broken_instrument.json",
            ("broken_instrument.json", "items[1].scale", 'unknown scale "likert7"'),
        ),
        (
            "broken_instrument_syntax.json",
            ("broken_instrument_syntax.json", "invalid JSON at line 4, column 3"),
        ),
    ],
)
@pytest.mark.parametrize("command", ["score", "validate", "instrument"])
def test_broken_instrument(
    cli: Path, tmp_path: Path, file: str, mentions: tuple[str, ...], command: str
) -> None:
    out = tmp_path / "out.csv"
    if command == "score":
        r = run(cli, "score", BAD / "unknown_codes.csv", "--instrument", BAD / file, "-o", out)
    elif command == "validate":
        r = run(cli, "validate", BAD / "unknown_codes.csv", "--instrument", BAD / file)
    else:
        r = run(cli, "instrument", "show", BAD / file)
    assert r.code == 2, r.err
    assert r.out == b""
    for m in mentions:
        assert m in r.err, (m, r.err)
    assert "internal error" not in r.err
    assert not out.exists()


@pytest.mark.parametrize("file", ["broken_instrument.json", "broken_instrument_syntax.json"])
def test_broken_instrument_names_file_once(cli: Path, file: str) -> None:
    r = run(cli, "instrument", "show", BAD / file)
    assert r.code == 2
    assert r.err.count(file) == 1, r.err
    assert r.err.startswith(f"reinscore instrument: {BAD / file}: "), r.err


def test_file_level_error_mid_stream_leaves_no_output(cli: Path, tmp_path: Path) -> None:
    """An unterminated quote in the last row, after many batches were written."""
    text = SAMPLE.read_text()
    lines = text.splitlines()
    head = lines[0].split(",")
    bad = lines[1].split(",")
    bad[0] = "I999999"
    bad[head.index("econ_satisfaction")] = '"satisfied'
    path = tmp_path / "late.csv"
    path.write_text("\n".join([*lines, ",".join(bad)]) + "\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "scores.csv"
    r = run(cli, "score", path, "-o", out, "--chunk-rows", 100, "--threads", 2)
    assert r.code == 2, r.err
    assert "row 5258: column 'econ_satisfaction'" in r.err and "[unterminated_quote]" in r.err
    assert list(out_dir.iterdir()) == []


@dataclass(frozen=True)
class RowLevel:
    file: str
    args: tuple[str, ...]
    problems: dict[int, str]  # spreadsheet row -> exact problems text of an invalid row
    validate: tuple[str, ...]  # lines expected in the `validate` report
    score_code: int = 0  # 1: no row could be scored (two items only: below the coverage rule)


ROW_LEVEL = [
    RowLevel(
        "ragged.csv",
        ("--allow-missing-columns",),
        {
            3: "ragged_row: 2 fields, header has 3; interview_id: id_unreadable: ragged_row",
            4: "ragged_row: 4 fields, header has 3; interview_id: id_unreadable: ragged_row",
        },
        ("2 ragged rows: field count differs from the header (rows 3, 4) [ragged_row]",),
        score_code=1,
    ),
    RowLevel(
        "unknown_codes.csv",
        (),
        {
            3: "econ_satisfaction: invalid_code",
            4: "belonging: invalid_code",
            5: "econ_satisfaction: invalid_code; has_work: invalid_code",
        },
        (
            (
                "column 'econ_satisfaction': unreadable answer #1 in 2 row(s) (rows 3, 5) "
                "[invalid_code]"
            ),
            "column 'has_work': unreadable answer #1 in 1 row(s) (rows 5) [invalid_code]",
            "column 'belonging': unreadable answer #1 in 1 row(s) (rows 4) [invalid_code]",
            "3 row(s) would be invalid",
        ),
    ),
    RowLevel(
        "out_of_range.csv",
        (),
        {
            3: "access_water: out_of_range",
            4: "has_work: out_of_range",
            5: "children_in_school: out_of_range",
        },
        (
            "column 'access_water': unreadable answer #1 in 1 row(s) (rows 3) [out_of_range]",
            "column 'has_work': unreadable answer #1 in 1 row(s) (rows 4) [out_of_range]",
            "column 'children_in_school': unreadable answer #1 in 1 row(s) (rows 5) [out_of_range]",
            "3 row(s) would be invalid",
        ),
    ),
    RowLevel(
        "empty_rows.csv",
        (),
        {3: "empty_row", 4: "empty_row"},
        ("2 empty rows (rows 3, 4) [empty_row]", "2 row(s) would be invalid"),
    ),
    RowLevel(
        "header_only.csv",
        ("--allow-missing-columns",),
        {},
        ("the file has a header but no data rows [no_data_rows]",),
        score_code=1,
    ),
    RowLevel(
        "bom_crlf.csv",
        ("--allow-missing-columns",),
        {},
        ("(2 data rows, 3 columns, delimiter ',')",),
        score_code=1,
    ),
    RowLevel(
        "semicolon_wrong_delimiter.csv",
        ("--allow-missing-columns",),
        {},
        ("(2 data rows, 3 columns, delimiter ';')",),
        score_code=1,
    ),
    RowLevel(
        "invalid_utf8.csv",
        ("--allow-missing-columns",),
        {3: "food_reduced: invalid_utf8"},
        ("1 rows with invalid UTF-8 (rows 3) [invalid_utf8]",),
        score_code=1,
    ),
]


@pytest.mark.parametrize("case", ROW_LEVEL, ids=[c.file for c in ROW_LEVEL])
def test_row_level_problem(cli: Path, tmp_path: Path, case: RowLevel) -> None:
    path = BAD / case.file
    records = csv_records(path) if path.read_bytes() else []
    delim = ";" if "semicolon" in case.file else ","
    if delim == ";":
        records = list(csv.reader(path.read_text().splitlines(), delimiter=";"))
    out = tmp_path / "out.csv"
    r = run(cli, "score", path, "-o", out, "--id", "interview_id", *case.args)
    assert r.code == case.score_code, r.err
    assert ("[nothing_scored]" in r.err) == (case.score_code == 1), r.err
    got = read_scores(out)
    assert len(got) == len(records) - 1, "one output row per input row, none dropped"
    # The id of a ragged row is not copied: its fields are not in place.
    assert got["interview_id"].tolist() == [
        rec[0] if rec and len(rec) == len(records[0]) else "" for rec in records[1:]
    ]
    for i, row in got.iterrows():
        sheet_row = int(i) + 2
        if sheet_row in case.problems:
            assert row["status"] == "invalid", sheet_row
            assert row["problems"] == case.problems[sheet_row], sheet_row
            assert all(row[c] == "" for c in SCORE_COLS), "an invalid row has no scores"
        else:
            assert row["status"] != "invalid", (sheet_row, row["problems"])
    n_invalid = len(case.problems)
    assert f"invalid {n_invalid})" in r.err
    v = run(cli, "validate", path, *[a for a in case.args if a != "--allow-missing-columns"])
    assert v.code == 1, v.err
    for line in case.validate:
        assert line in v.text, (line, v.text)


def test_invalid_utf8_problem_names_column(cli: Path) -> None:
    r = run(cli, "score", BAD / "invalid_utf8.csv", "--allow-missing-columns", "-q")
    assert r.code == 1 and "[nothing_scored]" in r.err, r.err  # two items: none reaches coverage
    got = read_scores(r.out)
    assert got["problems"].tolist()[1] == "food_reduced: invalid_utf8"


def test_validate_counts_invalid_utf8_rows_like_score(cli: Path, tmp_path: Path) -> None:
    src = (BAD / "unknown_codes.csv").read_bytes().split(b"\n")
    path = tmp_path / "note.csv"
    path.write_bytes(b"\n".join([b"note," + src[0], b"ok," + src[1], b"caf\xe9," + src[5]]) + b"\n")
    scored = read_scores(ok(run(cli, "score", path, "-q")).out)
    assert scored["status"].tolist() == ["complete", "invalid"]
    v = run(cli, "validate", path)
    assert v.code == 1
    assert "1 row(s) would be invalid" in v.text, v.text


# --------------------------------------------------------------------------------------
# validate: report contents and data protection


def _cell_values(path: Path) -> set[str]:
    records = csv_records(path)
    header = set(records[0])
    return {v for rec in records[1:] for v in rec if len(v) >= 3 and v not in header}


@pytest.mark.parametrize("file", ["unknown_codes.csv", "out_of_range.csv", "rss_sample"])
def test_validate_does_not_print_answers(cli: Path, file: str) -> None:
    path = SAMPLE if file == "rss_sample" else BAD / file
    values = _cell_values(path)
    for extra in ([], ["--json"]):
        r = run(cli, "validate", path, *extra)
        assert r.code == 1, r.err
        text = r.text + r.err
        if extra:
            # compare the values, not the layout; the reason names are the keys of "cells"
            report = json.loads(r.text)
            for c in report["columns_report"]:
                assert set(c["cells"]) == REASONS
                c["cells"] = list(c["cells"].values())
            text = json.dumps(report)
        leaked = sorted(v for v in values if re.search(rf"(?<![\w/]){re.escape(v)}(?![\w/])", text))
        # row numbers and counts are numbers too; answers of more than one character are not
        leaked = [v for v in leaked if not v.isdigit()]
        assert leaked == [], f"answer values printed without --show-codes: {leaked[:10]}"
    # ... and the answers do appear with --show-codes
    if file == "unknown_codes.csv":
        shown = run(cli, "validate", path, "--show-codes")
        assert (
            "'satisfiedd'" in shown.text and "'N/A'" in shown.text and "'maybe_later'" in shown.text
        )
        assert "add --show-codes" not in shown.text


def test_validate_json_report(cli: Path) -> None:
    r = run(cli, "validate", BAD / "unknown_codes.csv", "--json")
    assert r.code == 1
    rep = json.loads(r.text)
    assert rep["rows"] == 5 and rep["items_matched"] == 26 and rep["clean"] is False
    assert rep["rows_with_unreadable_answers"] == {"count": 3, "first_rows": [3, 4, 5]}
    by_col = {c["column"]: c for c in rep["columns_report"]}
    assert by_col["econ_satisfaction"]["unreadable"] == [
        {"code": None, "code_number": 1, "rule": "invalid_code", "count": 2, "first_rows": [3, 5]}
    ]
    assert by_col["econ_satisfaction"]["cells"]["invalid_code"] == 2
    assert by_col["econ_satisfaction"]["cells"]["answered"] == 3
    assert by_col["has_work"]["unreadable"][0]["first_rows"] == [5]
    shown = json.loads(
        run(cli, "validate", BAD / "unknown_codes.csv", "--json", "--show-codes").text
    )
    codes = {
        c["column"]: [u["code"] for u in c["unreadable"]]
        for c in shown["columns_report"]
        if c["unreadable"]
    }
    assert codes == {
        "econ_satisfaction": ["satisfiedd"],
        "has_work": ["maybe_later"],
        "belonging": ["N/A"],
    }


def test_validate_lists_first_rows_only(cli: Path, tmp_path: Path) -> None:
    df = _clean_rows(9)
    df.loc[1:7, "distress"] = "sometimez"  # rows 3..9
    df.loc[8, "distress"] = "99.5"  # row 10: out of range, a second unreadable answer
    path = _write_csv(tmp_path / "many.csv", df)
    r = run(cli, "validate", path)
    assert r.code == 1
    assert "column 'distress': unreadable answer #1 in 1 row(s) (rows 10) [out_of_range]" in r.text
    assert (
        "column 'distress': unreadable answer #2 in 7 row(s) (rows 3, 4, 5, 6, 7, ...) "
        "[invalid_code]" in r.text
    )
    assert "result      8 row(s) would be invalid; problems found" in r.text
    rep = json.loads(run(cli, "validate", path, "--json", "--show-codes").text)
    (col,) = [c for c in rep["columns_report"] if c["column"] == "distress"]
    assert col["unreadable"] == [
        {"code": "99.5", "code_number": 1, "rule": "out_of_range", "count": 1, "first_rows": [10]},
        {
            "code": "sometimez",
            "code_number": 2,
            "rule": "invalid_code",
            "count": 7,
            "first_rows": [3, 4, 5, 6, 7],
        },
    ]


def test_validate_sample(cli: Path) -> None:
    rep = json.loads(run(cli, "validate", SAMPLE, "--json").text)
    assert rep["rows"] == 5256 and rep["header_problems"] == []
    assert rep["rows_with_unreadable_answers"]["count"] == 10
    assert len(rep["rows_with_unreadable_answers"]["first_rows"]) == 5
    bad = sum(u["count"] for c in rep["columns_report"] for u in c["unreadable"])
    assert bad == 10


def test_validate_clean_file(cli: Path, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "clean.csv", _clean_rows(4))
    r = run(cli, "validate", path)
    assert r.code == 0, r.text + r.err
    assert r.text.rstrip().endswith("result      clean")
    assert json.loads(run(cli, "validate", path, "--json").text)["clean"] is True


def test_score_never_prints_answers(cli: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    r = ok(run(cli, "score", BAD / "unknown_codes.csv", "-o", out, "--id", "interview_id"))
    text = out.read_text() + r.err
    for v in ("satisfiedd", "N/A", "maybe_later"):
        assert v not in text
    r = run(cli, "score", BAD / "unterminated_quote.csv")
    assert "satisfied" not in r.err and "never" not in r.err.replace("is never closed", "")
