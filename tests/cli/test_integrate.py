"""`reinscore integrate` (docs/levels.md, docs/cli.md): the four outputs, the notes on
stderr (counts and rows, never keys), suppression, the typed order of --by groups, the
formats, the instrument found through the scores' tag, and the errors that stop a run."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from _clitools import DATA, Run, ok, run

EXAMPLES = DATA / "examples"
SAMPLE = EXAMPLES / "rss_sample.csv"
COMMUNITY = EXAMPLES / "community_sample.csv"
HOST = EXAMPLES / "host_sample.csv"
STRUCTURAL = EXAMPLES / "structural_sample.csv"
SCORES = ["economic", "social", "psychosocial", "composite"]


def _text(path: Path | bytes) -> pd.DataFrame:
    src = io.BytesIO(path) if isinstance(path, bytes) else path
    return pd.read_csv(src, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def scores(cli: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("integrate") / "scores.csv"
    ok(run(cli, "score", SAMPLE, "--id", "interview_id", "--keep", "round", "--keep", "community_id",
           "--keep", "country", "-q", "-o", path))
    return path


def _integrate(cli: Path, tmp: Path, scores: Path, *extra: object) -> tuple[Run, dict[str, pd.DataFrame]]:
    outs = {k: tmp / f"{k}.csv" for k in ("interviews", "communities", "countries", "problems")}
    r = ok(run(cli, "integrate", "--individual", scores, "--community", COMMUNITY, "--structural", STRUCTURAL,
               "--host", HOST, "-o", outs["interviews"], "--community-out", outs["communities"],
               "--country-out", outs["countries"], "--problems-out", outs["problems"], *extra))
    return r, {k: _text(v) for k, v in outs.items()}


def test_the_four_outputs(cli: Path, tmp_path: Path, scores: Path) -> None:
    r, out = _integrate(cli, tmp_path, scores)
    assert r.out == b""
    pi = out["interviews"]
    assert len(pi) == 5256
    assert pi.columns[:4].tolist() == ["interview_id", "round", "community_id", "country"]
    assert pi.columns[-7:].tolist() == ["individual_status", "community_status", "structural_status", "problems",
                                        "instrument", "community_instrument", "structural_instrument"]
    # The first interview (I000001, LSO-C03, LSO) by hand: the mean of its three levels.
    first = pi.iloc[0]
    assert first["interview_id"] == "I000001"
    assert float(first["composite_individual"]) == 0.625
    assert float(first["composite_integrated"]) == pytest.approx((0.625 + 0.17361111111111108
                                                                  + 0.31388888888888894) / 3, abs=1e-15)
    com = out["communities"]
    assert com.columns[:5].tolist() == ["community_id", "country", "n", "suppressed", "n_economic"]
    assert "gap_composite" in com.columns and "host_n" in com.columns
    assert out["countries"].columns[:3].tolist() == ["country", "communities", "n"]
    assert out["problems"].columns.tolist() == ["rule", "source", "column", "key", "count", "rows"]
    assert out["problems"]["key"].tolist() == ["ZMB-C05", "ZWE-C03"]
    assert out["problems"]["rows"].tolist() == ["23", "26"]


def test_notes_give_counts_and_rows_never_keys(cli: Path, tmp_path: Path, scores: Path) -> None:
    r, _ = _integrate(cli, tmp_path, scores)
    assert ("reinscore integrate: " + str(COMMUNITY) + ": column 'community_id': community without any returnee "
            "in the scores file: 1 row(s) (23) [community_without_returnees]") in r.err
    assert "[unscored_unit]" in r.err
    assert "ZMB-C05" not in r.err and "ZWE-C03" not in r.err
    assert "5256 interviews, 29 community row(s) (1 with fewer than 10 returnees suppressed), 5 country row(s)" in r.err
    assert "PROVISIONAL" in r.err
    quiet, _ = _integrate(cli, tmp_path, scores, "-q")
    assert "5256 interviews" not in quiet.err
    assert "[community_without_returnees]" in quiet.err  # problems are never hidden


def test_min_respondents_overrides_the_instrument(cli: Path, tmp_path: Path, scores: Path) -> None:
    _, out = _integrate(cli, tmp_path, scores, "--min-respondents", "200")
    t = out["communities"].set_index("community_id")
    small = t[t["suppressed"] == "true"]
    assert (small["n"] == "<200").all()
    assert (small["n_composite"] == "").all()
    assert (small["composite_individual"] == "").all()
    assert len(small) > (t["suppressed"] == "false").sum() > 0
    assert (t.loc[t["suppressed"] == "false", "n"].astype(int) >= 200).all()


def test_numeric_by_columns_sort_as_numbers(cli: Path, tmp_path: Path, scores: Path) -> None:
    df = _text(scores)
    df["round"] = df["round"].replace({"3": "10"})
    renamed = tmp_path / "rounds.csv"
    df.to_csv(renamed, index=False)
    _, out = _integrate(cli, tmp_path, renamed, "--by", "round")
    rounds = out["countries"]["round"].tolist()
    assert rounds == sorted(rounds, key=int) and rounds[-1] == "10"
    assert out["countries"]["round"].drop_duplicates().tolist() == ["1", "2", "10"]


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_formats(cli: Path, tmp_path: Path, scores: Path, fmt: str) -> None:
    r = ok(run(cli, "integrate", "--individual", scores, "--community", COMMUNITY, "--structural", STRUCTURAL,
               "--format", fmt, "-q", "--problems-out", tmp_path / "p.txt"))
    problems = (tmp_path / "p.txt").read_text(encoding="utf-8")
    if fmt == "json":
        doc = json.loads(r.text)
        assert doc["name"] == "interviews" and len(doc["rows"]) == 5256
        assert json.loads(problems)["columns"][4] == {"name": "count", "type": "count"}
    else:
        assert r.text.splitlines()[0].split()[:2] == ["interview_id", "round"]
        assert "community_without_returnees" in problems.splitlines()[1]


def test_the_instrument_is_the_one_the_scores_name(cli: Path, tmp_path: Path, scores: Path) -> None:
    base = ["integrate", "--community", COMMUNITY, "--structural", STRUCTURAL, "-q"]
    # Another weight set (its hash) than the instrument has: refused, at its first row.
    other = tmp_path / "other.csv"
    other.write_bytes(scores.read_bytes().replace(b"#4ad3", b"#0000"))
    r = run(cli, *base, "--individual", other)
    assert r.code == 2 and "row 2: column 'instrument'" in r.err and "[instrument_mismatch]" in r.err
    assert "--allow-mixed" in r.err
    # A tag that is not a plain name is never opened as a path.
    df = _text(scores)
    df["instrument"] = "../../etc/passwd@1#000000000000"
    bad = tmp_path / "bad.csv"
    df.to_csv(bad, index=False)
    r = run(cli, *base, "--individual", bad)
    assert r.code == 2 and "[instrument_mismatch]" in r.err and "passwd" not in r.err
    # Scores without a tag need --instrument.
    untagged = tmp_path / "untagged.csv"
    df.drop(columns="instrument").to_csv(untagged, index=False)
    r = run(cli, *base, "--individual", untagged)
    assert r.code == 2 and "[no_instrument]" in r.err and "--instrument" in r.err
    a = ok(run(cli, *base, "--individual", untagged, "--instrument", "iom-rss"))
    b = ok(run(cli, *base, "--individual", scores))
    assert _text(a.out).drop(columns="instrument").equals(_text(b.out).drop(columns="instrument"))


def test_mixed_weight_sets_are_refused_unless_allowed(cli: Path, tmp_path: Path, scores: Path) -> None:
    lines = scores.read_bytes().split(b"\n")
    lines[5] = lines[5].replace(b"#4ad3", b"#0000")
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(b"\n".join(lines))
    base = ["integrate", "--individual", mixed, "--community", COMMUNITY, "--structural", STRUCTURAL, "-q"]
    r = run(cli, *base)
    assert r.code == 2 and "[mixed_instruments]" in r.err and "row 6" in r.err
    # Pooled knowingly: the run says so (a warning, shown with -q too).
    r = ok(run(cli, *base, "--allow-mixed"))
    assert "2 weight sets of the instrument, pooled as asked (--allow-mixed)" in r.err
    other = _text(scores)
    other.loc[4, "instrument"] = "community@0.1.0-example#000000000000"
    path = tmp_path / "other.csv"
    other.to_csv(path, index=False)
    r = run(cli, "integrate", "--individual", path, "--community", COMMUNITY, "--structural", STRUCTURAL,
            "--allow-mixed")
    assert r.code == 2 and "row 6: column 'instrument'" in r.err and "[instrument_mismatch]" in r.err


def test_errors_name_rule_row_and_column(cli: Path, tmp_path: Path, scores: Path) -> None:
    com = _text(COMMUNITY)
    dup = pd.concat([com, com.iloc[[4]]])
    dup_path = tmp_path / "dup.csv"
    dup.to_csv(dup_path, index=False, lineterminator="\n")
    base = ["integrate", "--individual", scores, "--structural", STRUCTURAL, "-o", tmp_path / "o.csv"]
    r = run(cli, *base, "--community", dup_path)
    assert r.code == 2
    assert ("row 31: column 'community_id': the same community key is on more than one row (first on row 6) "
            "[duplicate_key]") in r.err
    assert com["community_id"].iloc[4] not in r.err
    r = run(cli, *base, "--community", COMMUNITY, "--community-instrument", "iom-rss")
    assert r.code == 2 and "[level_mismatch]" in r.err
    no_keys = tmp_path / "nokeys.csv"
    ok(run(cli, "score", SAMPLE, "--id", "interview_id", "-q", "-o", no_keys))
    r = run(cli, "integrate", "--individual", no_keys, "--community", COMMUNITY, "--structural", STRUCTURAL)
    assert r.code == 2 and "column 'community_id'" in r.err and "[missing_column]" in r.err
    assert "--community-instrument" in r.err
    w = _text(scores)
    w["w"] = "1"
    w.loc[2, "w"] = "0"
    weighted = tmp_path / "w.csv"
    w.to_csv(weighted, index=False)
    r = run(cli, "integrate", "--individual", weighted, "--community", COMMUNITY, "--structural", STRUCTURAL,
            "--weight", "w")
    assert r.code == 2 and "row 4: column 'w'" in r.err and "[invalid_weight]" in r.err
    r = run(cli, *base, "--community", COMMUNITY, "--min-respondents", "0")
    assert r.code == 2 and "--min-respondents must be a whole number from 1 to" in r.err
    assert not (tmp_path / "o.csv").exists()


def test_unreadable_keys_are_said_to_be_unreadable(cli: Path, tmp_path: Path, scores: Path) -> None:
    lines = COMMUNITY.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",", ";")  # row 3: one field holding the whole line
    community = tmp_path / "community.csv"
    community.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = ok(run(cli, "integrate", "--individual", scores, "--community", community, "--structural", STRUCTURAL,
               "-q", "-o", tmp_path / "o.csv"))
    assert "column 'community_id': the key could not be read (a malformed row): 1 row(s) (3) [missing_key]" in r.err
    assert lines[2] not in r.err


def test_help_has_an_example_and_typed_defaults(cli: Path) -> None:
    r = ok(run(cli, "integrate", "--help"))
    assert "example:" in r.text and "reinscore integrate --individual" in r.text
    assert "--community-instrument arg (=community)" in r.text
    assert "--format arg (=csv)" in r.text
    assert "--allow-mixed" in r.text
