"""`reinscore report`: the evaluators' document from an export or a scores file, its
tables (--tables-out) against the commands they come from, its rules (suppression, no
identifiers, deterministic bytes), languages, and its usage errors."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from _clitools import ok, run
from _reference import SAMPLE

PANEL = ["--by", "country", "--returnee-id", "returnee_id", "--round", "round"]


@pytest.fixture(scope="module")
def report(cli: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("report")
    out, tables = d / "report.html", d / "tables"
    r = ok(run(cli, "report", SAMPLE, "-o", out, *PANEL, "--tables-out", tables))
    assert r.out == b"" and r.err == ""
    return out, tables


def _table(tables: Path, suffix: str) -> pd.DataFrame:
    [path] = [p for p in tables.iterdir() if p.name.endswith(suffix)]
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def test_writes_one_html_file_and_every_table(report: tuple[Path, Path]) -> None:
    html, tables = report
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.endswith("</html>\n")
    for title in ("Key figures", "By country", "Case management", "Data quality",
                  "Change across rounds", "Reliability", "Methods"):
        assert f">{title}</h2>" in text, title
    names = sorted(p.name for p in tables.iterdir())
    assert names[0] == "01-cover-inputs.csv" and len(names) == 17
    assert "PROVISIONAL" in text and "SYNTHETIC DATA" in text


def test_key_figures_are_summarize_estimates(cli: Path, report: tuple[Path, Path],
                                             tmp_path: Path) -> None:
    """The report's means and shares equal `summarize --ci linearization` on the scores of
    the same export, to the last digit (CSV keeps full precision)."""
    _, tables = report
    scores = tmp_path / "scores.csv"
    ok(run(cli, "score", SAMPLE, "-o", scores, "--keep", "country", "-q"))
    js = json.loads(ok(run(cli, "summarize", scores, "--ci", "linearization", "--format",
                           "json")).text)
    [est] = [t for t in js["tables"] if t["name"] == "estimates"]
    cols = [c["name"] for c in est["columns"]]
    rows = {(r[cols.index("variable")], r[cols.index("statistic")]): r for r in est["rows"]}
    means = _table(tables, "key-figures-means.csv")
    words = {"composite": "composite", "economic": "economic", "social": "social",
             "psychosocial": "psychosocial"}
    for _, row in means.iterrows():
        var = {v: k for k, v in words.items()}[row["score"]]
        ref = rows[(var, "mean")]
        assert row["mean"] == ref[cols.index("estimate")]
        assert row["lo"] == ref[cols.index("lo")] and row["hi"] == ref[cols.index("hi")]
        assert row["share_above"] == rows[(var, "above")][cols.index("estimate")]
    # Interviews by status: summarize's shares and intervals of the status.
    status = _table(tables, "key-figures-status.csv")
    assert status["interviews"].sum() == 5256
    for name, (_, row) in zip(["complete", "partial", "insufficient", "invalid"], status.iterrows()):
        ref = rows[("status", f"share_{name}")]
        assert (row["share"], row["lo"], row["hi"]) == tuple(
            ref[cols.index(k)] for k in ("estimate", "lo", "hi"))
        assert 0 <= row["lo"] <= row["share"] <= row["hi"] <= 1
    # By country: the same as summarize --by country.
    js = json.loads(ok(run(cli, "summarize", scores, "--by", "country", "--ci", "linearization",
                           "--format", "json")).text)
    [est] = [t for t in js["tables"] if t["name"] == "estimates"]
    cols = [c["name"] for c in est["columns"]]
    by = _table(tables, "by_country_composite.csv")
    for _, row in by.iterrows():
        [ref] = [r for r in est["rows"] if r[0] == row["country"] and r[1] == "composite"
                 and r[2] == "mean"]
        assert (row["mean"], row["lo"], row["hi"]) == (ref[3], ref[5], ref[6])


def test_a_scores_file_gives_the_same_key_figures(cli: Path, report: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    _, tables = report
    scores = tmp_path / "scores.csv"
    ok(run(cli, "score", SAMPLE, "-o", scores, "--keep", "country", "--keep", "returnee_id",
           "--keep", "round", "-q"))
    out = tmp_path / "from_scores"
    ok(run(cli, "report", scores, "-o", tmp_path / "r.html", *PANEL, "--tables-out", out))
    pd.testing.assert_frame_equal(_table(out, "key-figures-means.csv"),
                                  _table(tables, "key-figures-means.csv"))
    pd.testing.assert_frame_equal(_table(out, "change-changes.csv"),
                                  _table(tables, "change-changes.csv"))
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "scores file" in text and ">Reliability</h2>" not in text  # needs the answers


def test_same_inputs_same_bytes_and_a_date_only_when_given(cli: Path, report: tuple[Path, Path],
                                                           tmp_path: Path) -> None:
    html, _ = report
    again = tmp_path / "again.html"
    ok(run(cli, "report", SAMPLE, "-o", again, *PANEL))
    assert again.read_bytes() == html.read_bytes()
    assert not re.search(rb"20\d\d-\d\d-\d\d", html.read_bytes())
    dated = tmp_path / "dated.html"
    ok(run(cli, "report", SAMPLE, "-o", dated, "--date", "2026-12-06"))
    assert b"2026-12-06" in dated.read_bytes()


def test_no_identifier_and_no_answer_anywhere(report: tuple[Path, Path], sample_df: pd.DataFrame) -> None:
    html, tables = report
    text = html.read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in tables.iterdir())
    for column in ("interview_id", "returnee_id"):
        values = set(sample_df[column])
        found = [v for v in values if v and v in text]
        assert not found, (column, found[:3])


def test_a_group_below_min_cell_appears_nowhere(cli: Path, tmp_path: Path) -> None:
    # LSO has 575 interviews, every other country more than 850.
    out, tables = tmp_path / "r.html", tmp_path / "t"
    ok(run(cli, "report", SAMPLE, "-o", out, "--by", "country", "--min-cell", 600,
           "--tables-out", tables))
    text = out.read_text(encoding="utf-8")
    assert "LSO" not in text and "ZWE" in text
    assert "1 group(s) with fewer than 600 interviews are not shown" in text
    for p in tables.iterdir():
        assert "LSO" not in p.read_text(encoding="utf-8"), p.name


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ["Chiffres clés", "Méthodes", "traduction provisoire", 'lang="fr"']),
    ("pt", ["Números principais", "Métodos", "tradução provisória", 'lang="pt"']),
])
def test_languages(cli: Path, tmp_path: Path, lang: str, words: list[str]) -> None:
    out = tmp_path / "r.html"
    ok(run(cli, "report", SAMPLE, "-o", out, "--lang", lang, "--by", "country"))
    text = out.read_text(encoding="utf-8")
    for w in words:
        assert w in text, w
    assert re.search(r'<td class="n">0,\d{3}</td>', text), "decimal commas"
    assert "Key figures" not in text


def test_methods_give_the_command_that_reproduces(report: tuple[Path, Path]) -> None:
    html, _ = report
    text = html.read_text(encoding="utf-8")
    assert ("$ reinscore report rss_sample.csv --by country --returnee-id returnee_id "
            "--round round -o report.html") in text
    assert "Computed with reinscore " in text


@pytest.mark.parametrize(("args", "message"), [
    (["--lang", "de"], "--lang must be en, fr or pt [bad_option]"),
    (["--round", "round"], "--round needs --returnee-id"),
    (["--min-cell", "-1"], "--min-cell must be a whole number from 0"),
    (["--level", "1"], "--level must be a number"),
    (["--date", "tomorrow"], "--date must be a date written yyyy-mm-dd"),
    (["--by", "nope"], "[missing_column]"),
])
def test_usage_errors(cli: Path, tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "r.html"
    r = run(cli, "report", SAMPLE, "-o", out, *args)
    assert r.code == 2 and message in r.err, r.err
    assert not out.exists(), "nothing written"


def test_outputs_are_checked_before_work(cli: Path, tmp_path: Path) -> None:
    r = run(cli, "report", SAMPLE, "-o", tmp_path)
    assert r.code == 2, r.err
    f = tmp_path / "file.txt"
    f.write_text("x")
    r = run(cli, "report", SAMPLE, "-o", tmp_path / "r.html", "--tables-out", f)
    assert r.code == 2 and "--tables-out must name a directory" in r.err
    assert not (tmp_path / "r.html").exists()
    r = run(cli, "report", SAMPLE)
    assert r.code == 2 and "output" in r.err


def test_help(cli: Path) -> None:
    h = ok(run(cli, "report", "--help")).text
    assert "--input" not in h and "examples:\n  reinscore report export.csv -o report.html" in h
    assert "--level arg (=0.95)" in h
    assert "report INPUT -o report.html" in ok(run(cli, "--help")).text


def test_tables_are_plain_csv(report: tuple[Path, Path]) -> None:
    _, tables = report
    for p in tables.iterdir():
        frame = pd.read_csv(io.StringIO(p.read_text(encoding="utf-8")))
        assert len(frame.columns) >= 2, p.name


def test_levels_give_the_integrated_picture(cli: Path, tmp_path: Path) -> None:
    data = SAMPLE.parent
    scores, countries = tmp_path / "scores.csv", tmp_path / "countries.csv"
    ok(run(cli, "score", SAMPLE, "-o", scores, "--keep", "community_id", "--keep", "country", "-q"))
    ok(run(cli, "integrate", "--individual", scores, "--community", data / "community_sample.csv",
           "--structural", data / "structural_sample.csv", "-o", tmp_path / "i.csv",
           "--country-out", countries, "-q"))
    out, tables = tmp_path / "r.html", tmp_path / "t"
    ok(run(cli, "report", SAMPLE, "-o", out, "--levels", countries, "--tables-out", tables))
    picture = _table(tables, "levels-levels.csv")
    want = pd.read_csv(countries, keep_default_na=False, na_values=[""])
    want = want[want["suppressed"].astype(str) != "true"]
    assert list(picture["country"].unique()) == list(want["country"])
    for _, row in picture.iterrows():
        [ref] = want[want["country"] == row["country"]].to_dict("records")
        for dim in ("economic", "social", "psychosocial"):
            assert row[dim] == ref[f"{dim}_{row['level']}"], (row["country"], row["level"], dim)
    assert ">Individual, community and structural levels</h2>" in out.read_text(encoding="utf-8")
    # A file that is not integrate's countries: the column and the rule, exit 2.
    r = run(cli, "report", SAMPLE, "-o", tmp_path / "bad.html", "--levels", scores)
    assert r.code == 2 and "[missing_column]" in r.err and not (tmp_path / "bad.html").exists()


def test_html_shows_the_tables_numbers(report: tuple[Path, Path]) -> None:
    """The numbers people read are the tables' numbers, rounded to the shown decimals."""
    html, tables = report
    text = html.read_text(encoding="utf-8")
    means = _table(tables, "key-figures-means.csv")
    cells = [f"{v:.3f}" for v in means.iloc[0][["mean", "lo", "hi", "share_above"]]]
    row = re.search(r"<tr><td>composite</td>(.*?)</tr>", text)
    assert row, "the composite row of the key figures"
    shown = re.findall(r'<td class="n">([^<]*)</td>', row.group(1))
    assert shown[:3] == cells[:3] and shown[3] == cells[3]


def test_banners_only_when_they_apply(cli: Path, tmp_path: Path) -> None:
    """PROVISIONAL while the instrument, its weights or thresholds are; SYNTHETIC for the
    bundled samples only (recognised by their SHA-256)."""
    doc = json.loads(ok(run(cli, "instrument", "show", "iom-rss", "--json")).text)
    final = tmp_path / "final.json"
    copy = tmp_path / "export.csv"
    copy.write_bytes(SAMPLE.read_bytes() + b"\n")  # another file: not the bundled sample
    for part in ("instrument", "weights", "thresholds", None):
        d = json.loads(json.dumps(doc))
        d["provisional"] = part == "instrument"
        d["thresholds"]["provisional"] = part == "thresholds"
        for w in d["weight_sets"].values():
            w["provisional"] = part == "weights"
        final.write_text(json.dumps(d))
        out = tmp_path / "r.html"
        ok(run(cli, "report", copy, "-o", out, "--instrument", final))
        text = out.read_text(encoding="utf-8")
        assert ('<p class="banner">PROVISIONAL' in text) == (part is not None), part
        assert "SYNTHETIC DATA" not in text
