"""End-to-end tests of `reinscore score`: the sample against the independent reference
scorer (tests/cli/_reference.py), input forms (stdin, TSV, CRLF, XLSX), column matching
(Kobo groups, --map, label headers) and output details (formula escaping, --explain,
--weights, JSON Lines).
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _clitools import Run, ok, run
from _reference import (
    BAD,
    DIMS,
    MAKE_SAMPLE,
    MAKE_XLSX,
    SAMPLE,
    SAMPLE_XLSX,
    SCORE_COLS,
    STATUSES,
    TEST_DATA,
    TOL,
    assert_close,
    assert_matches_reference,
    clean_rows,
    item_columns,
    load_instrument,
    load_module,
    numbers,
    read_scores,
    read_text_table,
    reference_scores,
    write_csv,
)

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
    # validate's problems table: rule, column, answer, count, rows (spreadsheet rows)
    assert re.search(r"^invalid_code\s+econ_satisfaction\s+#1\s+1\s+3\s", v.text, re.MULTILINE)
    assert re.search(r"^invalid_code\s+belonging\s+#1\s+1\s+4\s", v.text, re.MULTILINE)


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
    path = write_csv(tmp_path / "kobo.csv", sample_df.rename(columns=rename))
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
    path = write_csv(tmp_path / "renamed.csv", sample_df.rename(columns=rename))
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
    path = write_csv(tmp_path / "labels.csv", df)
    r = ok(run(cli, "score", path, "--id", "interview_id", "--keep", "round", "-q"))
    _same_scores_except_problems(sample_scores[1], r.out, {v: k for k, v in rename.items()})


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
    fixture = load_module(MAKE_XLSX, "make_bad_xlsx")
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
    fixture = load_module(MAKE_XLSX, "make_bad_xlsx")
    part = sample_df.iloc[:300]
    book = tmp_path / "part.xlsx"
    fixture.write_xlsx(
        book, fixture.workbook_parts(tuple(part.columns), tuple(map(tuple, part.to_numpy())))
    )
    flat = write_csv(tmp_path / "part.csv", part)
    a = ok(run(cli, "score", book, "--id", "interview_id", "--keep", "round", "-q")).out
    b = ok(run(cli, "score", flat, "--id", "interview_id", "--keep", "round", "-q")).out
    assert a == b
    assert len(read_scores(a)) == 300


# --------------------------------------------------------------------------------------
# Output details: formula escaping, --explain, --weights, answers never printed


def test_formula_injection_escaped_in_csv(cli: Path, tmp_path: Path) -> None:
    notes = ['=HYPERLINK("http://example.org","x")', "+SUM(A1:A9)", "-2", "@cmd", "plain", "a=b"]
    df = clean_rows(len(notes))
    df.insert(1, "note", notes)
    df["interview_id"] = ["=1+1", "ok1", "ok2", "ok3", "ok4", "ok5"]
    path = write_csv(tmp_path / "notes.csv", df)
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


def test_score_never_prints_answers(cli: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    r = ok(run(cli, "score", BAD / "unknown_codes.csv", "-o", out, "--id", "interview_id"))
    text = out.read_text() + r.err
    for v in ("satisfiedd", "N/A", "maybe_later"):
        assert v not in text
    r = run(cli, "score", BAD / "unterminated_quote.csv")
    assert "satisfied" not in r.err and "never" not in r.err.replace("is never closed", "")
