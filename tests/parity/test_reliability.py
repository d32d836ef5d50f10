"""reliability through the command line and through Python, on the same export, compared at
full precision (CSV keeps every digit): every table (dimensions, items, correlations, input),
every key and every number, for a file and for a DataFrame, with the missing-value policies,
weights, ordinal alpha and items left out."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import SAMPLE, read_text_csv, run_cli
from reinscore._report import frame as report_frame

TABLES = ("dimensions", "items", "correlations", "input")


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    df = read_text_csv(SAMPLE)
    df["w"] = [str(0.5 + (i * 7919) % 5 / 4) for i in range(len(df))]
    df = df.drop(columns=["has_work"])  # an item without a column (allow_missing_columns)
    path = tmp_path_factory.mktemp("parity") / "export.csv"
    df.to_csv(path, index=False)
    return path


def _cli(path: Path, table: str, *args: object) -> pd.DataFrame:
    out = run_cli("reliability", path, "--format", "csv", "--table", table, *args).ok().out
    return pd.read_csv(io.BytesIO(out), dtype=str, keep_default_na=False)


def _same(cli: pd.DataFrame, py: reinscore._core.ReportTable, exact: bool) -> None:
    """The CLI's CSV equals the report Python got: names, keys as text, counts exactly,
    numbers to the last bit (exact) or to 1e-12 relative."""
    frame = report_frame(py)
    assert list(cli.columns) == list(frame.columns)
    assert len(cli) == len(frame) > 0
    for c in cli.columns:
        for i, (a, b) in enumerate(zip(cli[c], frame[c])):
            if b is None or b is pd.NA or (isinstance(b, float) and math.isnan(b)):
                assert a == "", (c, i, a)
            elif isinstance(b, str):
                assert a == b, (c, i)
            elif exact:
                assert float(a) == float(b), (c, i, a, b)
            else:
                assert float(a) == pytest.approx(float(b), rel=1e-12, abs=1e-15), (c, i, a, b)


CASES = [
    ([], {}),
    (["--missing", "pairwise", "--weight", "w", "--ordinal"],
     {"missing": "pairwise", "weight": "w", "ordinal": True}),
    (["--ordinal", "--chunk-rows", "7"], {"ordinal": True}),
]


@pytest.mark.parametrize(("args", "kwargs"), CASES)
def test_file_and_frame_match_the_command_line(export: Path, args: list[object],
                                                kwargs: dict[str, object]) -> None:
    args = [*args, "--allow-missing-columns"]
    from_file = reinscore.reliability(export, allow_missing_columns=True, **kwargs)  # type: ignore[arg-type]
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    from_frame = reinscore.reliability(frame, allow_missing_columns=True, **kwargs)  # type: ignore[arg-type]
    # The same batches give the same sums to the last bit; other batches merge the same
    # statistics in another order.
    exact = "--chunk-rows" not in args
    for table in TABLES:
        cli = _cli(export, table, *args)
        _same(cli, from_file.report.table(table), exact=exact)
        _same(cli, from_frame.report.table(table), exact=False)
    assert from_file.left_out == from_frame.left_out == ["has_work"]
    # The frames of the result are the report's tables (the left-out item aside).
    items = _cli(export, "items", *args)
    assert from_file.items["item"].tolist() == [i for i, c in zip(items["item"], items["column"]) if c]
    dims = _cli(export, "dimensions", *args)
    np.testing.assert_array_equal(from_file.dimensions["alpha"].to_numpy(),
                                  dims["alpha"].astype(float).to_numpy())


def test_correlation_matrices_are_the_table(export: Path) -> None:
    rep = reinscore.reliability(export, allow_missing_columns=True, ordinal=True)
    cli = _cli(export, "correlations", "--allow-missing-columns", "--ordinal")
    for dim, matrix in rep.polychoric.items():
        rows = cli[cli["dimension"] == dim]
        assert list(matrix.index) == list(dict.fromkeys(rows["item"]))
        np.testing.assert_array_equal(matrix.to_numpy().ravel(), rows["polychoric"].astype(float))
        np.testing.assert_array_equal(rep.correlations[dim].to_numpy().ravel(), rows["r"].astype(float))


def test_json_and_table_render_the_same_report(export: Path) -> None:
    rep = reinscore.reliability(export, allow_missing_columns=True)
    for fmt in ("json", "table"):
        out = run_cli("reliability", export, "--allow-missing-columns", "--correlations",
                      "--format", fmt).ok().out.decode()
        assert out == rep.report.render(fmt)


def test_errors_are_the_same(export: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    frame.loc[5, "w"] = "heavy"
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    r = run_cli("reliability", bad, "--weight", "w", "--allow-missing-columns")
    assert r.code == 2 and "row 7: column 'w':" in r.err and "[invalid_weight]" in r.err
    with pytest.raises(reinscore.InputError) as e:
        reinscore.reliability(bad, weight="w", allow_missing_columns=True)
    assert (e.value.rule, e.value.row, e.value.column) == ("invalid_weight", 7, "w")
    with pytest.raises(reinscore.InputError) as e:
        reinscore.reliability(frame, weight="w", allow_missing_columns=True)
    assert (e.value.rule, e.value.row, e.value.column) == ("invalid_weight", 6, "w")
    assert "heavy" not in str(e.value) and "heavy" not in r.err
    r = run_cli("reliability", export)
    assert r.code == 2 and "column 'has_work'" in r.err and "[missing_column]" in r.err
    with pytest.raises(reinscore.InputError) as e:
        reinscore.reliability(export)
    assert (e.value.rule, e.value.column) == ("missing_column", "has_work")
    assert str(e.value) in r.err
