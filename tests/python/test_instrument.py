"""Instruments: loading, items and scales as DataFrames, weight sets, variants, JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import reinscore
from _helpers import BAD, DATA, MINI, MINI_WEIGHTS, RSS_JSON, SAMPLE, assert_same_scores, run_cli
from reinscore import _core

DOC: dict[str, Any] = json.loads(RSS_JSON.read_text(encoding="utf-8"))
MINI_DOC: dict[str, Any] = json.loads(MINI.read_text(encoding="utf-8"))


def test_load_by_name_and_path() -> None:
    by_name = reinscore.load_instrument("iom-rss")
    by_path = reinscore.load_instrument(RSS_JSON)
    by_str = reinscore.load_instrument(str(RSS_JSON))
    assert by_name.tag == by_path.tag == by_str.tag
    assert by_name.to_json() == by_path.to_json()
    assert by_path.path == RSS_JSON
    assert reinscore.load_instrument().tag == by_name.tag, "iom-rss is the default"
    assert reinscore.load_instrument(by_path) is by_path
    assert by_name.id == "iom-rss" and by_name.version == "0.1.0-provisional"
    assert by_name.tag == f"iom-rss@0.1.0-provisional#{by_name.hash[:12]}"
    assert len(by_name.hash) == 64 and int(by_name.hash, 16) >= 0
    assert by_name.dimensions == ["economic", "social", "psychosocial"]
    assert by_name.level == DOC["level"] and by_name.title == DOC["title"]
    assert by_name.coverage_min_share == 0.5
    assert repr(by_name).startswith(f"<Instrument {by_name.tag}: 26 items, 3 dimensions")


def test_hash_matches_cli(cli: Path) -> None:
    shown = run_cli("instrument", "show", "iom-rss", "--table", "instrument", "--format", "csv").ok().out.decode()
    assert f"\nsha256,{reinscore.load_instrument().hash}\n" in shown
    described = reinscore.load_instrument().describe()["instrument"].set_index("field")["value"]
    assert described["sha256"] == reinscore.load_instrument().hash


def test_load_by_name_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REINSCORE_INSTRUMENT_PATH", str(MINI.parent))
    assert MINI.parent in reinscore.instrument_dirs()
    assert reinscore.load_instrument("mini").tag == reinscore.load_instrument(MINI).tag
    shipped = [d for d in reinscore.instrument_dirs() if (d / "iom-rss.json").is_file()]
    assert shipped, "the package ships iom-rss"


def test_load_errors() -> None:
    with pytest.raises(ValueError, match="no instrument named 'nope'"):
        reinscore.load_instrument("nope")
    with pytest.raises(ValueError, match="instrument file not found"):
        reinscore.load_instrument(Path("/no/such/instrument.json"))
    with pytest.raises(ValueError, match=r"items\[1\]\.scale"):
        reinscore.load_instrument(BAD / "broken_instrument.json")


def test_items_frame() -> None:
    items = reinscore.load_instrument().items
    assert list(items.columns) == ["id", "column", "aliases", "dimension", "level", "scale",
                                   "reverse", "question"]
    assert items["id"].tolist() == [it["id"] for it in DOC["items"]]
    assert items["column"].tolist() == [it["column"] for it in DOC["items"]]
    assert items["question"].tolist() == [it["question"] for it in DOC["items"]]
    assert items.groupby("dimension", sort=False).size().to_dict() == {
        "economic": 8, "social": 9, "psychosocial": 9}
    assert items["reverse"].dtype == bool
    assert set(items.loc[items["reverse"], "id"]) == {
        "food_reduced", "borrow_frequency", "debt_exceeds_spending", "family_tension",
        "discrimination", "distress", "wants_psych_support"}
    assert (items["level"] == DOC["level"]).all()


def test_scales_frame() -> None:
    scales = reinscore.load_instrument().scales
    assert list(scales.columns) == ["scale", "type", "code", "numeric", "label", "value", "meaning",
                                    "min", "max"]
    for name, scale in DOC["scales"].items():
        rows = scales[scales["scale"] == name]
        answers = rows[rows["meaning"] == "answer"]
        assert answers["code"].tolist() == [c["code"] for c in scale["codes"]]
        assert answers["value"].tolist() == [float(c["value"]) for c in scale["codes"]]
        assert answers["numeric"].tolist() == [c["numeric"] for c in scale["codes"]]
        assert answers["label"].tolist() == [c["label"] for c in scale["codes"]]
        missing = rows[rows["meaning"] != "answer"]
        assert missing["code"].tolist() == [m["code"] for m in scale["missing"]]
        assert missing["meaning"].tolist() == [m["meaning"] for m in scale["missing"]]
        assert missing["value"].isna().all()
    mini = reinscore.load_instrument(MINI).scales
    count = mini[(mini["scale"] == "count") & (mini["meaning"] == "answer")]
    assert len(count) == 1 and count["min"].iloc[0] == 0 and count["max"].iloc[0] == 10
    assert pd.isna(count["code"].iloc[0]) and count["type"].iloc[0] == "numeric"


def test_weight_sets() -> None:
    rss = reinscore.load_instrument()
    assert list(rss.weight_sets) == ["equal"] and rss.default_weights == "equal"
    w = rss.weights()
    assert w.name == "equal" and w.mode == "dimension" and w.provisional
    assert w.dimension_weights == {"economic": 1.0, "social": 1.0, "psychosocial": 1.0}
    assert list(w.items.columns) == ["item", "dimension", "dimension_weight", "composite_weight"]
    assert w.items["item"].tolist() == rss.items["id"].tolist()
    assert (w.items["dimension_weight"] == 1.0).all()
    assert isinstance(w.diagnostics, dict)
    assert "provisional" in repr(w)

    mini = reinscore.load_instrument(MINI)
    assert set(mini.weight_sets) == {"items", "dims"} and mini.default_weights == "items"
    items = mini.weights("items")
    assert items.mode == "item" and items.dimension_weights == {}
    doc = MINI_DOC["weight_sets"]["items"]["items"]
    assert items.items["dimension_weight"].tolist() == [float(doc[i]["dimension"]) for i in doc]
    assert items.items["composite_weight"].tolist() == [float(doc[i]["composite"]) for i in doc]
    dims = mini.weights("dims")
    assert dims.mode == "dimension" and dims.dimension_weights == {"econ": 2.0, "soc": 1.0, "psy": 1.0}
    with pytest.raises(ValueError):
        mini.weights("nope")


def test_with_weights_variants(tmp_path: Path) -> None:
    mini = reinscore.load_instrument(MINI)
    same = mini.with_weights("items")  # already the default
    assert same.hash == mini.hash
    dims = mini.with_weights("dims")
    assert dims.default_weights == "dims" and dims.hash != mini.hash
    assert mini.default_weights == "items", "the original is unchanged"

    from_csv = mini.with_weights(MINI_WEIGHTS)
    assert from_csv.default_weights == "mini_official"
    assert from_csv.hash not in (mini.hash, dims.hash)
    w = from_csv.weights()
    assert w.source == "imported:mini_official.csv" and not w.provisional
    assert w.dimension_weights == {"econ": 1.0, "soc": 1.0, "psy": 2.0}
    assert w.items["dimension_weight"].tolist() == [1.0, 1.0, 2.0, 1.0, 1.0, 3.0, 1.0]
    named = mini.with_weights(MINI_WEIGHTS, name="official")
    assert named.default_weights == "official" and named.hash != from_csv.hash

    table = pd.read_csv(MINI_WEIGHTS)
    from_frame = mini.with_weights(table)
    assert from_frame.default_weights == "custom" and from_frame.hash not in (mini.hash, from_csv.hash)
    assert from_frame.weights().items["dimension_weight"].tolist() == w.items["dimension_weight"].tolist()
    frame = pd.DataFrame({"e1": ["high", "low"], "e2": ["no", "yes"], "e3": ["5", "10"],
                          "s1": ["mid", "na"], "s2": ["low", "mid"], "p1": ["high", "high"],
                          "p2": ["yes", "no"]})
    a = reinscore.score(frame, instrument=from_frame).drop(columns="instrument")
    b = reinscore.score(frame, instrument=from_csv).drop(columns="instrument")
    assert_same_scores(a, b)

    with pytest.raises(ValueError, match="no weight set named 'nope'"):
        mini.with_weights("nope")
    bad = tmp_path / "bad.csv"
    bad.write_text("item,dimension_weight\nno_such_item,1\n")
    with pytest.raises(ValueError):
        mini.with_weights(bad)


def test_to_json_round_trip(tmp_path: Path) -> None:
    for ins in (reinscore.load_instrument(), reinscore.load_instrument(MINI).with_weights(MINI_WEIGHTS)):
        path = tmp_path / f"{ins.id}.json"
        path.write_text(ins.to_json(), encoding="utf-8")
        back = reinscore.load_instrument(path)
        assert back.hash == ins.hash and back.tag == ins.tag
        assert back.to_json() == ins.to_json()
        assert back.default_weights == ins.default_weights
        parsed = _core.Instrument.parse(ins.to_json())
        assert parsed.hash == ins.hash
        json.loads(ins.to_json())  # valid JSON


def test_weighted_instrument_scores_like_weights(tmp_path: Path) -> None:
    rss = reinscore.load_instrument()
    table = pd.DataFrame({"item": rss.items["id"], "dimension_weight": [1.0 + k % 3 for k in range(26)]})
    weighted = rss.with_weights(table)
    path = tmp_path / "weighted.json"
    path.write_text(weighted.to_json(), encoding="utf-8")
    a = reinscore.score(SAMPLE, weights=table)
    b = reinscore.score(SAMPLE, instrument=path)
    assert_same_scores(a, b)


def test_to_json_equals_cli(cli: Path) -> None:
    shown = run_cli("instrument", "show", "iom-rss", "--json").ok().out.decode()
    assert shown == reinscore.load_instrument().to_json()


def test_provisional_flags(tmp_path: Path) -> None:
    rss = reinscore.load_instrument()
    assert rss.provisional and rss.weights().provisional
    assert rss.thresholds is not None and rss.thresholds["provisional"]
    assert rss.thresholds["categories"] == [("below_threshold", 0.0), ("sustainable", 0.5)]
    assert "PROVISIONAL" in repr(rss) and "PROVISIONAL instrument" in rss._repr_html_()
    doc = json.loads(json.dumps(MINI_DOC))
    doc["provisional"] = False
    path = tmp_path / "final.json"
    path.write_text(json.dumps(doc))
    final = reinscore.load_instrument(path)
    assert not final.provisional
    assert "PROVISIONAL" not in repr(final) and "PROVISIONAL" not in final._repr_html_()
    assert final.hash != reinscore.load_instrument(MINI).hash


def test_shipped_instrument_is_the_repository_one() -> None:
    shipped = Path(reinscore.__file__).parent / "instruments" / "iom-rss.json"
    assert shipped.read_bytes() == (DATA / "instruments" / "iom-rss.json").read_bytes()
    assert reinscore.load_instrument(shipped).hash == reinscore.load_instrument(RSS_JSON).hash
