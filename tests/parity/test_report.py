"""`report` through the command line and through Python on the same inputs: the same bytes
of HTML and the same tables. Both render the one C++ document (app::evaluation)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import reinscore
from _helpers import SAMPLE, run_cli


@pytest.mark.parametrize(
    ("cli_args", "kwargs"),
    [
        ([], {}),
        (
            ["--by", "country", "--by", "round", "--returnee-id", "returnee_id", "--round",
             "round", "--lang", "fr", "--min-cell", "600", "--title", "Rapport d'essai",
             "--date", "2026-12-06", "--level", "0.9"],
            {"by": ["country", "round"], "returnee_id": "returnee_id", "round": "round",
             "lang": "fr", "min_cell": 600, "title": "Rapport d'essai", "date": "2026-12-06",
             "level": 0.9},
        ),
    ],
)
def test_same_bytes_and_tables(tmp_path: Path, cli_args: list[str], kwargs: dict[str, object]) -> None:
    out, tables = tmp_path / "cli.html", tmp_path / "tables"
    run_cli("report", SAMPLE, "-o", out, *cli_args, "--tables-out", tables).ok()
    r = reinscore.report(SAMPLE, **kwargs)  # type: ignore[arg-type]
    saved = r.save(tmp_path / "py.html")
    assert saved.read_bytes() == out.read_bytes()
    written = sorted(p.name for p in tables.iterdir())
    assert [f"{k}.csv" for k in r.tables] == written
    for name, frame in r.tables.items():
        from_cli = pd.read_csv(tables / f"{name}.csv", keep_default_na=False, na_values=[""])
        assert list(frame.columns) == list(from_cli.columns), name
        for c in frame.columns:
            a, b = frame[c], from_cli[c]
            if pd.api.types.is_numeric_dtype(a.dtype) and pd.api.types.is_numeric_dtype(b.dtype):
                pd.testing.assert_series_equal(a.astype(float), b.astype(float), check_names=False,
                                               rtol=0, atol=0)
            else:
                # A suppressed count is "<N" in CSV and NA in a DataFrame (reinscore._report).
                b = b.mask(b.astype(str).str.fullmatch(r"<\d+"))
                assert [None if pd.isna(x) else str(x) for x in a] == [
                    None if pd.isna(x) else str(x) for x in b], (name, c)
    saved_tables = r.save_tables(tmp_path / "py_tables")
    for p in saved_tables:
        assert p.read_bytes() == (tables / p.name).read_bytes()


def test_errors_are_the_same(tmp_path: Path) -> None:
    r = run_cli("report", SAMPLE, "-o", tmp_path / "r.html", "--by", "nope")
    with pytest.raises(reinscore.InputError) as e:
        reinscore.report(SAMPLE, by="nope")
    assert r.code == 2 and e.value.rule == "missing_column" and "[missing_column]" in r.err
    with pytest.raises(reinscore.InputError) as e:
        reinscore.report(SAMPLE, lang="de")
    assert e.value.option == "lang" and e.value.rule == "bad_option"


def test_repr_html_is_framed() -> None:
    r = reinscore.report(SAMPLE)
    h = r._repr_html_()
    assert h.startswith("<iframe srcdoc=") and "&lt;!DOCTYPE html&gt;" in h
    assert repr(r).startswith("<EvaluationReport ")
