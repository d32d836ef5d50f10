"""`reinscore summarize`: the plain summary against pandas, suppression, the one scores
reader (typed keys, mixed instruments, scores computed elsewhere) and the output formats."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from _clitools import Run, ok, run
from _reference import DIMS, RSS_JSON, STATUSES, numbers, read_scores


def _scores_file(tmp_path: Path, sample_scores: tuple[Run, bytes]) -> Path:
    scores = tmp_path / "scores.csv"
    scores.write_bytes(sample_scores[1])
    return scores


def test_summarize_by_round(cli: Path, sample_scores: tuple[Run, bytes], tmp_path: Path) -> None:
    scores = _scores_file(tmp_path, sample_scores)
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
    table["round"] = table["round"].astype(int)
    groups = table.groupby("round", sort=True)
    assert got["round"].tolist() == [str(k) for k in groups.groups]
    assert got["n"].tolist() == ["2000", "1778", "1478"]
    # CSV is for machines: full round-trip precision, compared to pandas' means.
    for (name, g), (_, line) in zip(groups, got.iterrows()):
        for col in (*DIMS, "composite"):
            assert math.isclose(float(line[f"mean_{col}"]), float(g[col].mean()), rel_tol=1e-13), (name, col)
        for s in STATUSES:
            assert math.isclose(float(line[f"share_{s}"]), float((g["status"] == s).mean()), rel_tol=1e-13)
    assert "suppressed" not in r.err


def test_summarize_suppresses_small_groups(cli: Path, sample_scores: tuple[Run, bytes], tmp_path: Path) -> None:
    scores = _scores_file(tmp_path, sample_scores)
    r = ok(run(cli, "summarize", scores, "--by", "round", "--format", "csv", "--min-cell", 1779))
    got = read_scores(r.out)
    assert got["n"].tolist() == ["2000", "<1779", "<1779"]
    value_cols = [c for c in got.columns if c.startswith(("mean_", "share_"))]
    assert (got.loc[1:, value_cols] == "").all().all(), "nothing of a suppressed group is shown"
    assert (got.loc[0, value_cols] != "").all()
    assert "2 group(s) with fewer than 1779 interviews suppressed" in r.err
    # The terminal spells a missing cell "-" and a suppressed count "<N".
    t = ok(run(cli, "summarize", scores, "--by", "round", "--min-cell", 1779)).out.decode()
    assert t.splitlines()[2].split()[:3] == ["2", "<1779", "-"]
    # default: --min-cell 10, one overall row without --by
    overall = read_scores(ok(run(cli, "summarize", scores, "--format", "csv")).out)
    assert overall["n"].tolist() == ["5256"]


def test_numeric_keys_sort_as_numbers(cli: Path, tmp_path: Path) -> None:
    df = pd.DataFrame({"round": ["10", "2", "1", "2", "10", "1"], "composite": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]})
    path = tmp_path / "s.csv"
    df.to_csv(path, index=False)
    got = read_scores(ok(run(cli, "summarize", path, "--by", "round", "--min-cell", 0, "--format", "csv")).out)
    assert got["round"].tolist() == ["1", "2", "10"]
    assert [float(x) for x in got["mean_composite"]] == [(0.3 + 0.6) / 2, (0.2 + 0.4) / 2, (0.1 + 0.5) / 2]
    assert "share_complete" not in got.columns  # scores computed elsewhere: no status column


def test_mixed_instruments_are_refused_naming_both(cli: Path, tmp_path: Path) -> None:
    df = pd.DataFrame({
        "composite": [0.1, 0.2, 0.3],
        "status": ["complete"] * 3,
        "instrument": ["iom-rss@1#aaa", "iom-rss@1#aaa", "iom-rss@1#bbb"],
    })
    path = tmp_path / "s.csv"
    df.to_csv(path, index=False)
    r = run(cli, "summarize", path)
    assert r.code == 2
    assert "[mixed_instruments]" in r.err and "iom-rss@1#aaa" in r.err and "iom-rss@1#bbb" in r.err
    assert "row 4" in r.err
    ok(run(cli, "summarize", path, "--allow-mixed"))


def test_instrument_option_for_instruments_outside_the_search_path(
    cli: Path, sample_scores: tuple[Run, bytes], tmp_path: Path
) -> None:
    scores = _scores_file(tmp_path, sample_scores)
    # An instrument of the same id and version in a directory of its own, threshold 0.6.
    ins = json.loads(RSS_JSON.read_text())
    ins["thresholds"]["categories"][-1]["min"] = 0.6
    own = tmp_path / "own" / "my-rss.json"
    own.parent.mkdir()
    own.write_text(json.dumps(ins))
    env_free = run(cli, "summarize", scores, "--weight", "round", "--format", "csv", "--instrument", own)
    got = read_scores(ok(env_free).out)
    table = read_scores(sample_scores[1])
    comp = numbers(table["composite"])
    w = table["round"].astype(float).to_numpy()
    have = ~np.isnan(comp)
    expected = float(np.sum(w[have] * (comp[have] >= 0.6)) / np.sum(w[have]))
    assert math.isclose(float(got["above_composite"][0]), expected, rel_tol=1e-12)
    # Another id than the scores' tag: refused, naming the rule.
    other = json.loads(RSS_JSON.read_text())
    other["id"] = "other-rss"
    bad = tmp_path / "own" / "other.json"
    bad.write_text(json.dumps(other))
    r = run(cli, "summarize", scores, "--weight", "round", "--instrument", bad)
    assert r.code == 2 and "[instrument_mismatch]" in r.err


def test_json_format_is_plain_and_typed(cli: Path, sample_scores: tuple[Run, bytes], tmp_path: Path) -> None:
    scores = _scores_file(tmp_path, sample_scores)
    out = ok(run(cli, "summarize", scores, "--by", "round", "--format", "json", "--min-cell", 1779)).out
    doc = json.loads(out)
    t = doc["tables"][0]
    assert t["name"] == "groups" and t["columns"][0] == {"name": "round", "type": "integer"}
    assert t["rows"][1][1] == "<1779" and t["rows"][1][2] is None
    assert b"E-" not in out and b"e-" not in out
    assert doc["notes"][0]["text"].startswith("2 group(s)")
