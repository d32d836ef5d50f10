"""reinscore.score: the same numbers as the command line, whatever shape the input has."""

from __future__ import annotations

import decimal
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import (
    BAD,
    DIMS,
    MINI,
    MINI_WEIGHTS,
    SAMPLE,
    SAMPLE_XLSX,
    SCORE_COLS,
    STATUSES,
    assert_close,
    assert_matches_cli,
    assert_same_scores,
    run_cli,
    texts,
    write_csv,
)

RSS = reinscore.load_instrument("iom-rss")
ITEM_COLUMNS = RSS.items["column"].tolist()


# -- the sample, file input ---------------------------------------------------------------


def test_sample_equals_cli(sample_scores: pd.DataFrame, cli_sample_df: pd.DataFrame) -> None:
    assert list(sample_scores.columns) == [
        "interview_id",
        "round",
        *SCORE_COLS[:4],
        *SCORE_COLS[4:],
        "status",
        "lowest_dimension",
        "category",
        "problems",
        "instrument",
    ]
    assert len(sample_scores) == 5256
    assert_matches_cli(sample_scores, cli_sample_df, tol=1e-15)
    # the columns compared as text above, once more explicitly
    assert texts(sample_scores["status"]) == cli_sample_df["status"].tolist()
    assert texts(sample_scores["problems"]) == cli_sample_df["problems"].tolist()
    counts = sample_scores["status"].value_counts()
    assert counts["invalid"] == 10 and counts["insufficient"] == 8  # data/examples/README.md


def test_sample_dtypes(sample_scores: pd.DataFrame) -> None:
    for c in SCORE_COLS:
        assert sample_scores[c].dtype == np.float64, c
    assert list(sample_scores["status"].cat.categories) == STATUSES
    assert list(sample_scores["lowest_dimension"].cat.categories) == DIMS
    assert list(sample_scores["category"].cat.categories) == ["below_threshold", "sustainable"]
    invalid = sample_scores["status"] == "invalid"
    # missing scores are NaN, never 0
    assert sample_scores.loc[invalid, SCORE_COLS].isna().all().all()
    assert sample_scores.loc[invalid, ["lowest_dimension", "category"]].isna().all().all()
    assert sample_scores["instrument"].unique().tolist() == [RSS.tag]


def test_explain_equals_cli_and_sums_to_scores(cli: Path) -> None:
    py = reinscore.score(SAMPLE, id="interview_id", explain=True)
    want = run_cli("score", SAMPLE, "--id", "interview_id", "--explain", "-q").ok().frame
    assert_matches_cli(py, want)
    items = RSS.items
    assert [c for c in py.columns if c.startswith("contrib.")] == [f"contrib.{i}" for i in items["id"]]
    assert [c for c in py.columns if c.startswith("lost.")] == [f"lost.{i}" for i in items["id"]]
    checked = 0
    for d in DIMS:
        ids = items.loc[items["dimension"] == d, "id"]
        contrib = py[[f"contrib.{i}" for i in ids]].to_numpy()
        lost = py[[f"lost.{i}" for i in ids]].to_numpy()
        has = ~np.isnan(py[d].to_numpy())
        assert_close(np.nansum(contrib[has], axis=1), py[d].to_numpy()[has], d, tol=1e-12)
        assert_close(np.nansum(contrib[has] + lost[has], axis=1), np.ones(int(has.sum())), d, 1e-12)
        assert np.isnan(contrib[~has]).all()
        checked += int(has.sum())
    assert checked > 15000


def test_explain_one_row(sample_df: pd.DataFrame, sample_scores: pd.DataFrame) -> None:
    row = sample_df.iloc[0]
    got = reinscore.explain(row)
    assert got.columns.tolist() == ["item", "dimension", "reason", "value", "weight", "contribution", "lost"]
    assert got["item"].tolist() == RSS.items["id"].tolist()
    for d in DIMS:
        part = got[got["dimension"] == d]
        assert math.isclose(part["contribution"].sum(), sample_scores.loc[0, d], abs_tol=1e-12)
    assert got.loc[got["reason"] != "answered", "contribution"].isna().all()
    with pytest.raises(ValueError, match="one interview"):
        reinscore.explain(sample_df.iloc[:2])


# -- DataFrames and dicts -----------------------------------------------------------------


def test_dataframe_equals_path(sample_df: pd.DataFrame, sample_scores: pd.DataFrame) -> None:
    got = reinscore.score(sample_df, id="interview_id", keep=["round"])
    assert_same_scores(got, sample_scores)


def _as(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    out = df.copy()
    if kind == "categorical":
        return out.astype("category")
    for c in out.columns:
        out[c] = out[c].astype(kind)
    return out


@pytest.mark.parametrize(
    "kind", ["object", "str", "string", "string[python]", "string[pyarrow]", "categorical"]
)
def test_text_column_types(kind: str, sample_df: pd.DataFrame, sample_scores: pd.DataFrame) -> None:
    frame = _as(sample_df, kind)
    if kind == "string[pyarrow]":
        assert isinstance(frame["distress"].dtype, pd.StringDtype)
        assert frame["distress"].dtype.storage == "pyarrow"
    got = reinscore.score(frame, id="interview_id", keep=["round"])
    assert_same_scores(got[SCORE_COLS], sample_scores[SCORE_COLS])
    for c in ("status", "lowest_dimension", "category", "problems", "instrument"):
        assert texts(got[c]) == texts(sample_scores[c]), c
    assert texts(got["interview_id"]) == sample_df["interview_id"].tolist()


def _numeric_export(df: pd.DataFrame) -> pd.DataFrame:
    """The sample as a numeric export: each code replaced by its `numeric` code.

    Empty cells become NaN; text that is no code of the scale (the planted misspellings
    and `N/A`) becomes 999, which no scale has.
    """
    scales = RSS.scales
    out = df.copy()
    for it in RSS.items.itertuples():
        rows = scales[(scales["scale"] == it.scale) & scales["code"].notna()]
        lookup = {str(r.code): float(r.numeric) for r in rows.itertuples()}

        def code(v: str, lookup: dict[str, float] = lookup) -> float:
            if v.strip() == "":
                return math.nan
            if v in lookup:
                return lookup[v]
            try:
                return float(v)
            except ValueError:
                return 999.0

        out[it.column] = df[it.column].map(code).astype(np.float64)
    return out


@pytest.mark.parametrize("kind", ["float64", "Int64", "int64", "text"])
def test_numeric_codes(kind: str, sample_df: pd.DataFrame, sample_scores: pd.DataFrame) -> None:
    frame = _numeric_export(sample_df)
    if kind == "Int64":
        for c in ITEM_COLUMNS:
            frame[c] = frame[c].astype("Int64")
        assert frame[ITEM_COLUMNS].isna().to_numpy().any(), "pd.NA for empty cells"
    elif kind == "int64":
        # no empty cell possible: only the rows without any
        keep = ~frame[ITEM_COLUMNS].isna().any(axis=1)
        frame = frame[keep].astype({c: np.int64 for c in ITEM_COLUMNS})
    elif kind == "text":
        for c in ITEM_COLUMNS:
            frame[c] = [("" if math.isnan(v) else f"{v:g}") for v in frame[c]]
    else:
        assert frame[ITEM_COLUMNS].isna().to_numpy().any()
    got = reinscore.score(frame, id="interview_id", keep=["round"])
    want = sample_scores.loc[frame.index]
    assert_same_scores(got[SCORE_COLS], want[SCORE_COLS])
    assert texts(got["status"]) == texts(want["status"])
    assert texts(got["category"]) == texts(want["category"])
    # the misspelt codes became numbers outside every scale
    expected = [p.replace("invalid_code", "out_of_range") for p in want["problems"]]
    assert texts(got["problems"]) == expected
    assert (got["status"] == "invalid").sum() == (want["status"] == "invalid").sum() > 0


def test_dict_of_arrays(sample_df: pd.DataFrame, sample_scores: pd.DataFrame) -> None:
    data = {c: sample_df[c].to_numpy(dtype=object) for c in sample_df.columns}
    got = reinscore.score(data, id="interview_id", keep=["round"])
    assert_same_scores(got[SCORE_COLS], sample_scores[SCORE_COLS])
    assert texts(got["problems"]) == texts(sample_scores["problems"])
    lists = {c: sample_df[c].tolist() for c in sample_df.columns}
    got2 = reinscore.score(lists, id="interview_id", keep=["round"])
    assert_same_scores(got2[SCORE_COLS], sample_scores[SCORE_COLS])


def test_output_index_is_input_index(sample_df: pd.DataFrame, sample_scores: pd.DataFrame) -> None:
    frame = sample_df.copy()
    frame.index = pd.Index([f"row-{i * 7}" for i in range(len(frame))], name="key")
    got = reinscore.score(frame, id="interview_id")
    assert got.index.equals(frame.index) and got.index.name == "key"
    assert_same_scores(got[SCORE_COLS], sample_scores[SCORE_COLS], check_index=False)
    # shuffled rows with an integer index: each row keeps its own label and scores
    rng = np.random.default_rng(5)
    order = rng.permutation(len(sample_df))
    shuffled = sample_df.iloc[order]
    got = reinscore.score(shuffled)
    assert got.index.equals(shuffled.index)
    assert_same_scores(got[SCORE_COLS], sample_scores[SCORE_COLS].iloc[order])


# -- weights ------------------------------------------------------------------------------


def _weights_table(path: Path) -> pd.DataFrame:
    rows: list[dict[str, Any]] = [
        {"item": i, "dimension_weight": float(1 + k % 3), "composite_weight": math.nan}
        for k, i in enumerate(RSS.items["id"])
    ]
    rows += [
        {"item": d, "dimension_weight": math.nan, "composite_weight": w}
        for d, w in zip(DIMS, (2.0, 1.0, 1.0))
    ]
    table = pd.DataFrame(rows)
    table.to_csv(path, index=False, lineterminator="\n")
    return table


def test_weights_by_name(sample_scores: pd.DataFrame) -> None:
    got = reinscore.score(SAMPLE, weights="equal", id="interview_id", keep=["round"])
    assert_same_scores(got, sample_scores)
    with pytest.raises(ValueError, match="no weight set named 'official'"):
        reinscore.score(SAMPLE, weights="official")
    frame = pd.DataFrame({"e1": ["high", "low"], "e2": ["yes", "no"], "e3": ["5", "10"],
                          "s1": ["mid", "mid"], "s2": ["low", "mid"], "p1": ["high", "dk"],
                          "p2": ["yes", "no"]})
    items = reinscore.score(frame, instrument=MINI)
    dims = reinscore.score(frame, instrument=MINI, weights="dims")
    assert items["instrument"][0] != dims["instrument"][0]
    # weight set "dims": composite = (2 econ + soc + psy) / 4
    want = (2 * dims["econ"] + dims["soc"] + dims["psy"]) / 4
    assert_close(dims["composite"].to_numpy(), want.to_numpy(), "dims composite", 1e-15)
    assert not np.allclose(items["composite"], dims["composite"])


def test_weights_by_csv_path_equals_cli(tmp_path: Path, cli: Path) -> None:
    path = tmp_path / "official.csv"
    _weights_table(path)
    got = reinscore.score(SAMPLE, weights=path, id="interview_id")
    want = run_cli("score", SAMPLE, "--weights", path, "--id", "interview_id", "-q").ok().frame
    assert_matches_cli(got, want)
    assert got["instrument"][0] != RSS.tag
    got2 = reinscore.score(SAMPLE, weights=str(path), id="interview_id")
    assert_same_scores(got, got2)


def test_weights_by_dataframe(tmp_path: Path, cli: Path) -> None:
    table = _weights_table(tmp_path / "official.csv")
    got = reinscore.score(SAMPLE, weights=table, id="interview_id")
    (tag,) = got["instrument"].unique()
    assert tag != RSS.tag and tag.startswith("iom-rss@0.1.0-provisional#")
    want = run_cli("score", SAMPLE, "--weights", tmp_path / "official.csv", "--id", "interview_id", "-q")
    cli_frame = want.ok().frame
    assert_matches_cli(got.drop(columns="instrument"), cli_frame.drop(columns="instrument"))
    base = reinscore.score(SAMPLE, id="interview_id")
    assert not np.allclose(got["composite"], base["composite"], equal_nan=True)


def test_weights_mini_official() -> None:
    """tests/data/weights/mini_official.csv, numbers checked by hand in tests/cli."""
    frame = pd.DataFrame({"id": ["A", "B", "C"], "e1": ["high", "low", "high"],
                          "e2": ["no", "yes", "no"], "e3": ["5", "10", "11"],
                          "s1": ["mid", "na", "mid"], "s2": ["low", "mid", "low"],
                          "p1": ["high", "dk", "high"], "p2": ["yes", "no", "yes"]})
    got = reinscore.score(frame, instrument=MINI, weights=MINI_WEIGHTS, id="id")
    assert got["econ"].tolist()[:2] == [0.75, 0.5]
    assert got["soc"].tolist()[:2] == [0.75, 0.5]
    assert got["composite"][0] == 0.875
    assert got["coverage_psy"].tolist()[:2] == [1.0, 0.25]
    assert texts(got["status"]) == ["complete", "insufficient", "invalid"]
    assert texts(got["problems"]) == ["", "insufficient_coverage: psy", "e3: out_of_range"]


# -- column names -------------------------------------------------------------------------


def test_column_map(tmp_path: Path, sample_df: pd.DataFrame, cli: Path) -> None:
    rename = {c: f"q{k + 1:02d}" for k, c in enumerate(ITEM_COLUMNS)}
    frame = sample_df.rename(columns=rename)
    with pytest.raises(ValueError, match="no_item_columns"):
        reinscore.score(frame, allow_missing_columns=True)
    got = reinscore.score(frame, id="interview_id", column_map={q: c for c, q in rename.items()})
    path = write_csv(tmp_path / "renamed.csv", frame)
    map_file = tmp_path / "map.csv"
    map_file.write_text("column,item\n" + "".join(f"{q},{c}\n" for c, q in rename.items()))
    want = run_cli("score", path, "--map", map_file, "--id", "interview_id", "-q").ok().frame
    assert_matches_cli(got, want)
    assert got["problems"].str.contains(r"^q\d\d: ", regex=True).sum() == 10
    with pytest.raises(ValueError, match="unknown_map_item"):
        reinscore.score(frame, column_map={"q01": "no_such_item"})


@pytest.mark.parametrize("prefix", ["group_{dim}/", "survey/group_{dim}/"])
def test_kobo_group_prefixes(prefix: str, tmp_path: Path, sample_df: pd.DataFrame,
                             sample_scores: pd.DataFrame, cli: Path) -> None:
    rename = {it.column: prefix.format(dim=it.dimension) + it.column for it in RSS.items.itertuples()}
    frame = sample_df.rename(columns=rename)
    got = reinscore.score(frame, id="interview_id", keep=["round"])
    assert_same_scores(got.drop(columns="problems"), sample_scores.drop(columns="problems"))
    want = run_cli("score", write_csv(tmp_path / "kobo.csv", frame), "--id", "interview_id",
                   "--keep", "round", "-q").ok().frame
    assert_matches_cli(got, want)
    assert got["problems"].str.startswith(prefix.split("{")[0]).sum() == 10, "named as in the input"


# -- errors -------------------------------------------------------------------------------


def test_missing_column(sample_df: pd.DataFrame, cli: Path) -> None:
    with pytest.raises(ValueError, match=r"column 'distress'.*rule: missing_column"):
        reinscore.score(sample_df.drop(columns=["distress"]))
    got = reinscore.score(BAD / "missing_column.csv", allow_missing_columns=True)
    want = run_cli("score", BAD / "missing_column.csv", "--allow-missing-columns", "-q").ok().frame
    assert_matches_cli(got, want)
    with pytest.raises(ValueError, match=r"column 'nope': not in the input \(rule: missing_column\)"):
        reinscore.score(sample_df, keep=["nope"])


@pytest.mark.parametrize("dtype", ["bool", "boolean", "object"])
def test_bool_column_is_type_error(dtype: str, sample_df: pd.DataFrame) -> None:
    frame = sample_df.head(20).copy()
    frame["has_work"] = pd.Series([True, False] * 10, dtype=dtype)
    with pytest.raises(TypeError, match=r"column 'has_work'.*boolean|column 'has_work'.*bool"):
        reinscore.score(frame)


@pytest.mark.parametrize(
    "value",
    [b"yes", decimal.Decimal(1), {"a": 1}, ["yes"], np.array([1]), pd.Timestamp("2024-01-01"), 1j],
    ids=["bytes", "decimal", "dict", "list", "ndarray", "timestamp", "complex"],
)
def test_other_objects_are_type_error(value: object, sample_df: pd.DataFrame) -> None:
    frame = sample_df.head(3).astype(object)
    frame["distress"] = pd.Series([value, "often", value], dtype=object, index=frame.index)
    with pytest.raises(TypeError, match=r"column 'distress'"):
        reinscore.score(frame)


def test_unknown_instrument() -> None:
    with pytest.raises(ValueError, match="no instrument named 'no-such-instrument'"):
        reinscore.score(SAMPLE, instrument="no-such-instrument")
    with pytest.raises(ValueError, match="instrument file not found"):
        reinscore.score(SAMPLE, instrument="no/such/file.json")


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("broken_instrument.json", r'items\[1\]\.scale: unknown scale "likert7"'),
        ("broken_instrument_syntax.json", r"invalid JSON at line 4, column 3"),
    ],
)
def test_broken_instrument(file: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as e:
        reinscore.score(SAMPLE, instrument=BAD / file)
    assert file in str(e.value)


def test_wrong_data_type() -> None:
    with pytest.raises(TypeError, match="data must be"):
        reinscore.score(42)  # type: ignore[arg-type]


# -- files --------------------------------------------------------------------------------


def test_xlsx(cli: Path) -> None:
    with pytest.raises(ValueError, match="missing_column"):
        reinscore.score(SAMPLE_XLSX)
    got = reinscore.score(SAMPLE_XLSX, allow_missing_columns=True, id="interview_id")
    assert len(got) == 5
    want = run_cli("score", SAMPLE_XLSX, "--allow-missing-columns", "--id", "interview_id", "-q")
    assert_matches_cli(got, want.written().frame)


def test_xlsx_equals_csv(tmp_path: Path) -> None:
    book = pd.read_excel(SAMPLE_XLSX, dtype=str, keep_default_na=False)
    flat = write_csv(tmp_path / "sample.csv", book)
    a = reinscore.score(SAMPLE_XLSX, allow_missing_columns=True, id="interview_id")
    b = reinscore.score(flat, allow_missing_columns=True, id="interview_id")
    assert_same_scores(a, b)


@pytest.mark.parametrize(
    "file",
    ["ragged.csv", "invalid_utf8.csv", "empty_rows.csv", "unknown_codes.csv", "out_of_range.csv",
     "bom_crlf.csv", "semicolon_wrong_delimiter.csv", "header_only.csv"],
)
def test_bad_files_equal_cli(file: str, cli: Path) -> None:
    got = reinscore.score(BAD / file, allow_missing_columns=True, id="interview_id")
    want = run_cli("score", BAD / file, "--allow-missing-columns", "--id", "interview_id", "-q")
    assert_matches_cli(got, want.written().frame)


def test_ragged_rows() -> None:
    got = reinscore.score(BAD / "ragged.csv", allow_missing_columns=True, id="interview_id")
    # Never dropped; the id of a ragged row is not copied (its fields are not in place).
    assert got["interview_id"].tolist() == ["R001", "", "", "R004"]
    assert texts(got["status"])[1:3] == ["invalid", "invalid"]
    assert got["problems"].tolist()[1:3] == [
        "ragged_row: 2 fields, header has 3; interview_id: id_unreadable: ragged_row",
        "ragged_row: 4 fields, header has 3; interview_id: id_unreadable: ragged_row"]
    assert got.loc[1:2, SCORE_COLS].isna().all().all()


def test_invalid_utf8() -> None:
    got = reinscore.score(BAD / "invalid_utf8.csv", allow_missing_columns=True)
    assert texts(got["status"])[1] == "invalid"
    assert got["problems"][1] == "food_reduced: invalid_utf8"
    assert texts(got["status"])[0] != "invalid" and texts(got["status"])[2] != "invalid"


@pytest.mark.parametrize(
    ("file", "rule"),
    [("empty.csv", "empty_file"), ("unterminated_quote.csv", "unterminated_quote"),
     ("truncated.xlsx", "unreadable_xlsx"), ("no_such_file.csv", "unreadable_file")],
)
def test_unreadable_files(file: str, rule: str) -> None:
    with pytest.raises(ValueError, match=rf"\[{rule}\]"):
        reinscore.score(BAD / file, allow_missing_columns=True)


def test_header_only_gives_empty_frame() -> None:
    got = reinscore.score(BAD / "header_only.csv", allow_missing_columns=True, id="interview_id")
    assert got.empty
    assert list(got.columns) == ["interview_id", *SCORE_COLS, "status", "lowest_dimension",
                                 "category", "problems", "instrument"]
    assert got["economic"].dtype == np.float64


def test_no_item_columns(cli: Path) -> None:
    """A file split at the wrong delimiter matches nothing: an error, as in the CLI."""
    path = BAD / "semicolon_wrong_delimiter.csv"
    with pytest.raises(ValueError, match="no_item_columns"):
        reinscore.score(path, delimiter=",", allow_missing_columns=True)
    r = run_cli("score", path, "--delimiter", ",", "--allow-missing-columns")
    assert r.code == 2 and "[no_item_columns]" in r.err


EDGE_ROWS = (
    b"interview_id,econ_satisfaction,food_reduced\n"
    b"R1,very_satisfied,never\n"
    b"R2,bogus\n"  # ragged with an invalid code: the row is not read
    b"R3,bogus,never,x\n"
    b",,,x\n"  # blank fields but one extra field: ragged, not empty
    b"\xe9,,\n"  # the only field is invalid UTF-8: not an empty row
    b"R6,bogus,n\xe9ver\n"
    b"\xc2\xa0,\xc2\xa0,\xc2\xa0\n"  # no-break spaces are not blanks
    b'"\n","\n",\n'  # nor are line breaks inside quotes
    b"R9, satisfied\t, never \r\n"
    b" , \t,\r\n"  # spaces, tabs and a CR: an empty row
)


def test_edge_rows_equal_cli(tmp_path: Path, cli: Path) -> None:
    path = tmp_path / "edge.csv"
    path.write_bytes(EDGE_ROWS)
    got = reinscore.score(path, allow_missing_columns=True)
    want = run_cli("score", path, "--allow-missing-columns", "-q").written().frame
    assert_matches_cli(got, want)
    assert got["problems"].tolist()[1:6] == [
        "ragged_row: 2 fields, header has 3",
        "ragged_row: 4 fields, header has 3",
        "ragged_row: 4 fields, header has 3",
        "interview_id: invalid_utf8",
        "food_reduced: invalid_utf8",
    ]
    assert got["problems"].tolist()[-1] == "empty_row"


def test_keep_and_id_columns(sample_df: pd.DataFrame) -> None:
    got = reinscore.score(sample_df, id=["interview_id", "returnee_id"], keep=["round", "sex"])
    assert list(got.columns[:4]) == ["interview_id", "returnee_id", "round", "sex"]
    assert got["sex"].tolist() == sample_df["sex"].tolist()
    dup = pd.concat([sample_df.head(3), sample_df[["sex"]].head(3)], axis=1)
    with pytest.raises(ValueError, match="duplicate_column"):
        reinscore.score(dup, keep=["sex"])


def test_instrument_object_and_json_file(tmp_path: Path, sample_scores: pd.DataFrame) -> None:
    got = reinscore.score(SAMPLE, instrument=RSS, id="interview_id", keep=["round"])
    assert_same_scores(got, sample_scores)
    copy = tmp_path / "rss-copy.json"
    copy.write_text(json.dumps(json.loads(RSS.to_json())))
    got = reinscore.score(SAMPLE, instrument=copy, id="interview_id", keep=["round"])
    assert_same_scores(got, sample_scores)


# -- reading only the columns a file job needs ---------------------------------------------


def test_read_table_factorises_only_the_columns_asked_for(tmp_path: Path) -> None:
    # Texts across the 16-byte boundary of the short-text table, longer texts, many
    # distinct values (the table grows several times) and repeats: the codes must be
    # pandas' factorisation of every column read, and the others must not be read.
    rng = np.random.default_rng(11)
    n = 3000
    lengths = rng.integers(0, 30, size=n)
    words = ["".join(rng.choice(list("abcxyz_"), size=int(k))) for k in lengths]
    frame = pd.DataFrame(
        {
            "id": [f"I{i:07d}-{'z' * (i % 20)}" for i in range(n)],
            "answer": rng.choice(["yes", "no", "", "very_satisfied", "x" * 17], size=n),
            "text": words,
            "prefix": [f"same_pre{i % 37}" for i in range(n)],  # first 8 bytes shared
            "skipped": ["never read"] * n,
        }
    )
    path = write_csv(tmp_path / "t.csv", frame)
    raw = reinscore._core.read_table(str(path), "", "", [0, 1, 2, 3])
    assert raw["columns"][4] is None
    for c, name in enumerate(["id", "answer", "text", "prefix"]):
        got = raw["columns"][c]
        assert got is not None
        codes, cats = got
        want_codes, want_cats = pd.factorize(frame[name].to_numpy(dtype=object))
        assert list(cats) == list(want_cats), name
        np.testing.assert_array_equal(codes, want_codes, err_msg=name)
    full = reinscore._core.read_table(str(path))
    assert all(col is not None for col in full["columns"])
    # A function of the header chooses the columns as the file is opened.
    seen: list[list[str]] = []

    def pick(header: list[str]) -> list[int]:
        seen.append(header)
        return [header.index("prefix")]

    chosen = reinscore._core.read_table(str(path), "", "", pick)
    assert seen == [list(frame.columns)]
    assert [c is not None for c in chosen["columns"]] == [False, False, False, True, False]


def test_path_reads_items_and_requested_columns_only(tmp_path: Path) -> None:
    # A file column that is neither an item nor asked for may hold anything; the scores and
    # the columns passed through are the same as when every column is read.
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).head(200)
    df["notes"] = [f"free text {i}" for i in range(len(df))]
    path = write_csv(tmp_path / "s.csv", df)
    got = reinscore.score(path, id="interview_id", keep=["notes"])
    whole = reinscore.score(df, id="interview_id", keep=["notes"])
    assert list(got["notes"]) == list(whole["notes"])
    assert list(got["interview_id"]) == list(whole["interview_id"])
    assert_same_scores(got.reset_index(drop=True), whole.reset_index(drop=True))
