"""reinscore.integrate and `reinscore integrate`: the levels of the integrated approach.

Checked against independent references: pandas groupby for the roll-ups, numpy for the
returnee-resident gap (Welch SE, normal interval), hand arithmetic for the 3x3 matrix
of a few interviews, and the command line for every cell of every table.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import DATA, DIMS, REPO, SAMPLE, assert_close, read_text_csv, run_cli

EXAMPLES = DATA / "examples"
COMMUNITY = EXAMPLES / "community_sample.csv"
HOST = EXAMPLES / "host_sample.csv"
STRUCTURAL = EXAMPLES / "structural_sample.csv"
SCORES = [*DIMS, "composite"]
LEVEL_COLS = [f"{s}_{lvl}" for lvl in ("individual", "community", "structural", "integrated") for s in SCORES]
Z975 = 1.959963984540054


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    """Sample scores with the unit keys and the round kept. Do not modify."""
    return reinscore.score(SAMPLE, id="interview_id", keep=["round", "community_id", "country"])


@pytest.fixture(scope="module")
def result(scores: pd.DataFrame) -> reinscore.IntegratedResult:
    return reinscore.integrate(scores, community=COMMUNITY, structural=STRUCTURAL, host=HOST)


@pytest.fixture(scope="module")
def community_raw() -> pd.DataFrame:
    return read_text_csv(COMMUNITY)


@pytest.fixture(scope="module")
def structural_raw() -> pd.DataFrame:
    return read_text_csv(STRUCTURAL)


def _level_scores(path: Path, instrument: str, key: str) -> pd.DataFrame:
    return reinscore.score(path, instrument=instrument, id=key).set_index(key)


# --------------------------------------------------------------------------------------
# The shipped frameworks: levels, keys and the foundation's invariants.


@pytest.mark.parametrize(
    ("name", "level", "key"), [("community", "community", "community_id"), ("structural-gcm21", "structural", "country")]
)
def test_frameworks_declare_level_and_unit_key(name: str, level: str, key: str) -> None:
    ins = reinscore.load_instrument(name)
    assert ins.level == level
    assert ins._core.unit_key == key
    assert ins.provisional
    assert "EXAMPLE" in ins.title
    assert ins.dimensions == DIMS
    doc = json.loads((DATA / "instruments" / f"{name}.json").read_text(encoding="utf-8"))
    assert doc["provisional"] is True
    assert set(ins.items["dimension"]) == set(DIMS)


def _end_answers(ins: reinscore.Instrument, best: bool) -> dict[str, list[str]]:
    scales = ins.scales
    out = {}
    for _, it in ins.items.iterrows():
        codes = scales[(scales["scale"] == it["scale"]) & (scales["meaning"] == "answer")]
        codes = codes.sort_values("value")
        high = best != bool(it["reverse"])
        out[it["column"]] = [codes["code"].iloc[-1 if high else 0]]
    return out


@pytest.mark.parametrize("name", ["community", "structural-gcm21"])
def test_best_answers_score_one_and_worst_zero(name: str) -> None:
    ins = reinscore.load_instrument(name)
    best = reinscore.score(_end_answers(ins, True), instrument=name)
    worst = reinscore.score(_end_answers(ins, False), instrument=name)
    for s in SCORES:
        assert best[s].iloc[0] == 1.0, s
        assert worst[s].iloc[0] == 0.0, s
    assert best["status"].iloc[0] == "complete"


@pytest.mark.parametrize(("name", "path"), [("community", COMMUNITY), ("structural-gcm21", STRUCTURAL)])
def test_scores_in_unit_interval_and_monotone(name: str, path: Path) -> None:
    raw = read_text_csv(path)
    ins = reinscore.load_instrument(name)
    got = reinscore.score(raw, instrument=name)
    values = got[SCORES].to_numpy(dtype=float)
    assert np.nanmin(values) >= 0 and np.nanmax(values) <= 1
    assert not got["status"].eq("invalid").any()
    # Raising every answer of the file to the favourable end never lowers a score.
    best = _end_answers(ins, True)
    for col, (code,) in best.items():
        better = raw.copy()
        better[col] = code
        after = reinscore.score(better, instrument=name)[SCORES].to_numpy(dtype=float)
        ok = ~np.isnan(values)
        assert (after[ok] >= values[ok] - 1e-12).all(), col


def test_structural_status_scale() -> None:
    columns = reinscore.load_instrument("structural-gcm21").items["column"].tolist()
    assert len(columns) == 14
    for code, value in [("none", 0), ("planned", 0.25), ("adopted", 0.5), ("implemented", 0.75), ("monitored", 1)]:
        got = reinscore.score({c: [code] for c in columns}, instrument="structural-gcm21")
        assert got["composite"].iloc[0] == value, code


# --------------------------------------------------------------------------------------
# Roll-ups against pandas.


def test_community_rollup_equals_pandas_groupby(result: reinscore.IntegratedResult, scores: pd.DataFrame) -> None:
    t = result.per_community.set_index("community_id")
    g = scores.groupby("community_id", observed=True)
    ref_mean = g[SCORES].mean()
    ref_n = g.size()
    # Shares above use the categories' rule: score >= cut - 1e-12 (a composite can compute
    # as 0.49999999999999994 and counts as reaching 0.5).
    ref_share = scores[SCORES].ge(0.5 - 1e-12).where(scores[SCORES].notna()).groupby(scores["community_id"]).mean()
    ref_count = g[SCORES].count()
    keys = ref_mean.index
    assert int(t.loc[keys, "n"].sum()) == len(scores)
    assert t.loc[keys, "n"].astype(int).tolist() == ref_n.loc[keys].tolist()
    for s in SCORES:
        assert_close(t.loc[keys, f"{s}_individual"].to_numpy(), ref_mean.loc[keys, s].to_numpy(), s, 1e-12)
        assert_close(t.loc[keys, f"share_above_{s}"].to_numpy(), ref_share.loc[keys, s].to_numpy(), s, 1e-12)
        assert t.loc[keys, f"n_{s}"].astype(int).tolist() == ref_count.loc[keys, s].tolist()
    # The community's own level and its country's structural level.
    com = _level_scores(COMMUNITY, "community", "community_id")
    assert_close(t.loc[keys, "composite_community"].to_numpy(), com.loc[keys, "composite"].to_numpy(), "community")


def test_weighted_rollups_by_round_equal_pandas(scores: pd.DataFrame) -> None:
    frame = scores.copy()
    rng = np.random.default_rng(5)
    frame["w"] = rng.uniform(0.2, 3.0, len(frame))
    got = reinscore.integrate(frame, community=COMMUNITY, structural=STRUCTURAL, weight="w", by="round",
                              min_respondents=1)
    assert str(got.per_country["round"].dtype) == "Int64"  # a numeric key is typed, not text
    frame["round"] = frame["round"].astype(int)
    t = got.per_country.set_index(["round", "country"])
    for s in SCORES:
        ok = frame[s].notna()
        f = frame[ok]
        num = (f[s] * f["w"]).groupby([f["round"], f["country"]]).sum()
        den = f["w"].groupby([f["round"], f["country"]]).sum()
        ref = num / den
        above = ((f[s] >= 0.5 - 1e-12) * f["w"]).groupby([f["round"], f["country"]]).sum() / den
        assert_close(t.loc[ref.index, f"{s}_individual"].to_numpy(), ref.to_numpy(), s, 1e-12)
        assert_close(t.loc[ref.index, f"share_above_{s}"].to_numpy(), above.to_numpy(), s, 1e-12)
    # The community level of a country: its returnees' communities, weighted like them.
    com = _level_scores(COMMUNITY, "community", "community_id")["economic"]
    frame["com_econ"] = frame["community_id"].map(com)
    f = frame[frame["com_econ"].notna()]
    ref = (f["com_econ"] * f["w"]).groupby([f["round"], f["country"]]).sum() / f["w"].groupby(
        [f["round"], f["country"]]).sum()
    assert_close(t.loc[ref.index, "economic_community"].to_numpy(), ref.to_numpy(), "community level", 1e-12)


def test_host_gap_is_welch_with_a_normal_interval(result: reinscore.IntegratedResult, scores: pd.DataFrame) -> None:
    hosts = reinscore.score(HOST, keep=["community_id"])
    t = result.per_community.set_index("community_id")
    checked = 0
    for key in ["LSO-C01", "MOZ-C03", "ZWE-C05"]:
        for s in SCORES:
            r = scores.loc[scores["community_id"] == key, s].dropna().to_numpy()
            h = hosts.loc[hosts["community_id"] == key, s].dropna().to_numpy()
            gap = r.mean() - h.mean()
            se = math.sqrt(r.var(ddof=1) / len(r) + h.var(ddof=1) / len(h))
            assert t.loc[key, f"host_mean_{s}"] == pytest.approx(h.mean(), abs=1e-12)
            assert t.loc[key, f"gap_{s}"] == pytest.approx(gap, abs=1e-12)
            assert t.loc[key, f"gap_se_{s}"] == pytest.approx(se, abs=1e-12)
            assert t.loc[key, f"gap_low_{s}"] == pytest.approx(gap - Z975 * se, abs=1e-12)
            assert t.loc[key, f"gap_high_{s}"] == pytest.approx(gap + Z975 * se, abs=1e-12)
            checked += 1
    assert checked == 12
    assert int(t["host_n"].sum()) == len(hosts)


# --------------------------------------------------------------------------------------
# The integrated matrix, by hand.


def test_interview_matrix_by_hand(result: reinscore.IntegratedResult, scores: pd.DataFrame) -> None:
    com = _level_scores(COMMUNITY, "community", "community_id")
    cty = _level_scores(STRUCTURAL, "structural-gcm21", "country")
    pi = result.per_interview
    assert len(pi) == len(scores)
    assert (pi["interview_id"] == scores["interview_id"]).all()
    for i in [0, 1, 2500, len(scores) - 1]:
        row = scores.iloc[i]
        m = result.matrix(i)
        for s in SCORES:
            levels = [row[s], com.loc[row["community_id"], s], cty.loc[row["country"], s]]
            assert m.loc[s, "individual"] == row[s]
            assert m.loc[s, "community"] == levels[1]
            assert m.loc[s, "structural"] == levels[2]
            want = sum(levels) / 3 if not any(math.isnan(x) for x in levels) else math.nan
            if math.isnan(want):
                assert math.isnan(m.loc[s, "integrated"])
            else:
                assert m.loc[s, "integrated"] == pytest.approx(want, abs=1e-15)
    # Hand numbers for the first interview (I000001, LSO-C03, LSO).
    first = pi.iloc[0]
    assert first["interview_id"] == "I000001"
    assert first["composite_integrated"] == pytest.approx((0.625 + 0.17361111111111108 + 0.31388888888888894) / 3)


def test_level_weights_and_available_levels_come_from_the_instrument(tmp_path: Path, scores: pd.DataFrame) -> None:
    doc = json.loads((DATA / "instruments" / "community.json").read_text(encoding="utf-8"))
    doc["integration"] = {"level_weights": {"individual": 2, "community": 1, "structural": 1},
                          "min_respondents": 5, "min_level_share": 0.7, "provisional": False}
    path = tmp_path / "community-w.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    got = reinscore.integrate(scores, community=COMMUNITY, structural=STRUCTURAL, community_instrument=path)
    assert got.settings["level_weights"] == {"individual": 2, "community": 1, "structural": 1}
    assert got.settings["min_respondents"] == 5
    assert got.settings["provisional"] is False
    pi = got.per_interview
    want = (2 * pi["economic_individual"] + pi["economic_community"] + pi["economic_structural"]) / 4
    ok = want.notna()
    assert_close(pi.loc[ok, "economic_integrated"].to_numpy(), want[ok].to_numpy(), "weighted", 1e-15)
    # ZWE-C03 has no social score: 3 of 4 of the level weight remain (>= 0.7).
    z = pi[(pi["community_id"] == "ZWE-C03") & pi["social_individual"].notna()]
    assert len(z) > 100
    assert z["social_community"].isna().all()
    assert (z["level_share_social"] == 0.75).all()
    want = (2 * z["social_individual"] + z["social_structural"]) / 3
    assert_close(z["social_integrated"].to_numpy(), want.to_numpy(), "available levels", 1e-15)


def test_every_level_needed_by_default(result: reinscore.IntegratedResult) -> None:
    pi = result.per_interview
    z = pi[pi["community_id"] == "ZWE-C03"]  # its informant's answers leave social unscored
    assert len(z) > 0
    assert z["social_integrated"].isna().all()
    assert z["composite_integrated"].isna().all()
    assert (z["problems"] == "unscored_unit: community_id").all()
    assert (z["community_status"] == "insufficient").all()
    assert z["economic_integrated"].notna().any()
    assert result.settings["min_level_share"] == 1


# --------------------------------------------------------------------------------------
# Suppression and key mismatches.


def test_suppression_below_the_minimum(scores: pd.DataFrame) -> None:
    got = reinscore.integrate(scores, community=COMMUNITY, structural=STRUCTURAL, host=HOST, by="round")
    t = got.per_community
    counts = scores.groupby(["round", "community_id"], observed=True).size()
    small = t[(t["round"] == 3) & (t["community_id"] == "LSO-C04")].iloc[0]
    assert counts[("3", "LSO-C04")] == 9
    assert bool(small["suppressed"]) and small["n"] is pd.NA
    assert all(math.isnan(small[f"{s}_individual"]) for s in SCORES)
    assert all(math.isnan(small[f"share_above_{s}"]) for s in SCORES)
    assert all(math.isnan(small[f"gap_{s}"]) for s in SCORES)
    assert small["economic_community"] == small["economic_community"]  # the community level stays
    big = t[(t["round"] == 2) & (t["community_id"] == "LSO-C04")].iloc[0]
    assert not big["suppressed"] and big["n"] == counts[("2", "LSO-C04")] == 14
    # Every row below the minimum is suppressed, and only those.
    n_true = t.apply(lambda r: counts.get((str(r["round"]), r["community_id"]), 0), axis=1)
    assert (t["suppressed"] == (n_true < 10)).all()
    assert t.loc[t["suppressed"], [f"{s}_individual" for s in SCORES]].isna().all().all()
    # Raising the minimum suppresses residents too.
    hosts_n = reinscore.score(HOST, keep=["community_id"]).groupby("community_id").size()
    high = reinscore.integrate(scores, community=COMMUNITY, structural=STRUCTURAL, host=HOST, min_respondents=16)
    h = high.per_community.set_index("community_id")
    assert (h["host_suppressed"] == (hosts_n.reindex(h.index, fill_value=0) < 16)).all()
    assert h.loc[h["host_suppressed"], "host_mean_composite"].isna().all()
    assert h.loc[h["host_suppressed"], "host_n"].isna().all()


def test_community_without_returnees_is_reported(result: reinscore.IntegratedResult) -> None:
    p = result.problems
    row = p[p["rule"] == "community_without_returnees"]
    assert row["key"].tolist() == ["ZMB-C05"]
    assert row["rows"].tolist() == [[23]]  # its row in community_sample.csv, header = 1
    t = result.per_community.set_index("community_id")
    assert bool(t.loc["ZMB-C05", "suppressed"])
    assert t.loc["ZMB-C05", "problems"] == "community_without_returnees"
    assert t.loc["ZMB-C05", "host_n"] >= 10
    assert t.loc["ZMB-C05", "composite_community"] == t.loc["ZMB-C05", "composite_community"]


def test_key_mismatches_are_reported_never_dropped(
    scores: pd.DataFrame, community_raw: pd.DataFrame, structural_raw: pd.DataFrame
) -> None:
    com = community_raw[community_raw["community_id"] != "MWI-C02"]  # a community is missing
    cty = structural_raw[structural_raw["country"] != "MOZ"]  # a country is missing
    sc = scores.copy()
    sc["community_id"] = sc["community_id"].astype(object)
    sc.loc[sc.index[[3, 7]], "community_id"] = "XXX-C99"
    sc.loc[sc.index[5], "community_id"] = ""
    got = reinscore.integrate(sc, community=com, structural=cty)
    pi = got.per_interview
    assert len(pi) == len(sc)  # no row dropped
    p = got.problems.set_index(["rule", "source", "key"])
    mwi = (sc["community_id"] == "MWI-C02").to_numpy()
    moz = (sc["country"] == "MOZ").to_numpy()
    # Rows of a data frame are its 1-based positions.
    assert p.loc[("community_not_found", "individual", "MWI-C02"), "rows"] == (np.flatnonzero(mwi) + 1).tolist()
    assert p.loc[("community_not_found", "individual", "MWI-C02"), "count"] == mwi.sum()
    assert p.loc[("community_not_found", "individual", "XXX-C99"), "rows"] == [4, 8]
    assert p.loc[("missing_key", "individual", ""), "rows"] == [6]
    assert p.loc[("country_not_found", "individual", "MOZ"), "count"] == moz.sum()
    assert ("country_not_found", "community", "MOZ") in p.index  # MOZ communities point to it
    assert pi.loc[mwi, [f"{s}_community" for s in SCORES]].isna().all().all()
    assert (pi.loc[mwi & ~moz, "problems"] == "community_not_found: community_id").all()
    assert pi.loc[moz, [f"{s}_structural" for s in SCORES]].isna().all().all()
    assert pi.loc[mwi, "economic_individual"].notna().all()  # the individual's own cells stay
    assert pi["problems"].iloc[5] == "missing_key: community_id"
    # The unknown communities still get roll-up rows, with their problem.
    t = got.per_community.set_index("community_id")
    # Rows 4 and 8 lie in different countries: the community's country is its first
    # returnee's, and the other row is a country mismatch.
    assert sc["country"].iloc[3] != sc["country"].iloc[7]
    assert t.loc["XXX-C99", "problems"] == "community_not_found: community_id; country_mismatch: country"
    assert t.loc["XXX-C99", "country"] == sc["country"].iloc[3]
    assert p.loc[("country_mismatch", "individual", "XXX-C99"), "rows"] == [8]
    want = ["community_not_found: community_id", *(["country_not_found: country"] if moz[7] else []),
            "country_mismatch: country"]
    assert pi["problems"].iloc[7] == "; ".join(want)
    assert t.loc["MWI-C02", "n"] == mwi.sum()
    assert got.per_country.set_index("country").loc["MOZ", "problems"] == "country_not_found: country"


# --------------------------------------------------------------------------------------
# Errors. (The command line's own tests are in tests/cli/test_integrate.py; every table
# through both faces in tests/parity/test_integrate.py.)


def test_python_errors(scores: pd.DataFrame, community_raw: pd.DataFrame) -> None:
    # Rows of a data frame are its 1-based positions.
    dup = pd.concat([community_raw, community_raw.iloc[[4]]], ignore_index=True)
    with pytest.raises(reinscore.InputError, match=r"row 30: column 'community_id'.*first on row 5.*duplicate_key") as e:
        reinscore.integrate(scores, community=dup, structural=STRUCTURAL)
    assert (e.value.rule, e.value.row, e.value.column) == ("duplicate_key", 30, "community_id")
    assert community_raw["community_id"].iloc[4] not in str(e.value)
    with pytest.raises(reinscore.InputError, match="level_mismatch"):
        reinscore.integrate(scores, community=COMMUNITY, structural=STRUCTURAL, community_instrument="iom-rss")
    with pytest.raises(reinscore.InputError, match="column 'country'.*missing_column") as e:
        reinscore.integrate(scores.drop(columns="country"), community=COMMUNITY, structural=STRUCTURAL)
    assert e.value.column == "country"
    with pytest.raises(reinscore.InputError, match=r"column 'community_id': community: not in the data"):
        reinscore.integrate(scores, community=community_raw.drop(columns="community_id"), structural=STRUCTURAL)
    # Scores of two weight sets: both tags named, at the row the second one starts.
    bad = scores.copy()
    bad["instrument"] = bad["instrument"].astype(object)
    bad.loc[bad.index[3], "instrument"] = "iom-rss@0#000000000000"
    with pytest.raises(reinscore.InputError, match=r"row 4: column 'instrument'.*iom-rss@0#000000000000") as e:
        reinscore.integrate(bad, community=COMMUNITY, structural=STRUCTURAL)
    assert e.value.rule == "mixed_instruments"
    # Pooled knowingly, the other version is still another instrument.
    with pytest.raises(reinscore.InputError, match=r"row 4: column 'instrument'.*instrument_mismatch"):
        reinscore.integrate(bad, community=COMMUNITY, structural=STRUCTURAL, allow_mixed=True)
    with pytest.raises(reinscore.InputError, match=r"no_instrument"):
        reinscore.integrate(scores.drop(columns="instrument"), community=COMMUNITY, structural=STRUCTURAL)
    w = scores.assign(w=1.0)
    w.loc[w.index[2], "w"] = 0.0
    with pytest.raises(reinscore.InputError, match=r"row 3: column 'w'.*invalid_weight"):
        reinscore.integrate(w, community=COMMUNITY, structural=STRUCTURAL, weight="w")
    for m in (0, -3):
        with pytest.raises(reinscore.InputError, match="min_respondents must be a whole number from 1") as e:
            reinscore.integrate(scores, community=COMMUNITY, structural=STRUCTURAL, min_respondents=m)
        assert e.value.option == "min_respondents"


def test_untagged_scores_with_an_instrument(scores: pd.DataFrame) -> None:
    """Scores computed elsewhere (no instrument column) are integrated with the instrument
    given; the tag-found instrument gives the same numbers."""
    got = reinscore.integrate(scores.drop(columns="instrument"), community=COMMUNITY, structural=STRUCTURAL,
                              instrument="iom-rss")
    ref = reinscore.integrate(scores, community=COMMUNITY, structural=STRUCTURAL)
    assert got.instruments == ref.instruments
    for col in LEVEL_COLS:
        assert_close(got.per_interview[col].to_numpy(), ref.per_interview[col].to_numpy(), col, 0)
    assert (got.per_interview["instrument"] == "").all()


def test_instruments_command_lists_the_frameworks() -> None:
    out = run_cli("instruments", "--format", "csv").ok().frame.set_index("name")
    for name, tag, level in (("community", r"community@0\.1\.0-example#\w{12}", "community"),
                             ("structural-gcm21", r"structural-gcm21@0\.1\.0-example#\w{12}",
                              "structural"),
                             ("iom-rss", r"iom-rss@.*", "individual")):
        assert re.fullmatch(tag, out.loc[name, "tag"]), out
        assert (out.loc[name, "level"], out.loc[name, "provisional"]) == (level, "yes")


# --------------------------------------------------------------------------------------
# Result object, sample data and docs.


def test_result_repr(result: reinscore.IntegratedResult) -> None:
    text = result._repr_html_()
    assert "PROVISIONAL" in text and "Per country" in text and "ZMB-C05" in text
    assert "5256 interviews" in repr(result)
    m = result.matrix(0, "per_country")
    assert list(m.index) == SCORES and list(m.columns) == ["individual", "community", "structural", "integrated"]
    with pytest.raises(ValueError):
        result.matrix(0, "nope")
    assert list(result.per_interview.columns[-7:]) == [
        "individual_status", "community_status", "structural_status", "problems", "instrument",
        "community_instrument", "structural_instrument"]


def test_sample_files_are_the_generators_output() -> None:
    p = subprocess.run([sys.executable, str(REPO / "tools" / "make_levels_sample.py"), "--check"],
                       capture_output=True, text=True, check=False)
    assert p.returncode == 0, p.stderr
    com = read_text_csv(COMMUNITY)
    sample = read_text_csv(SAMPLE)
    assert set(sample["community_id"]) < set(com["community_id"])
    assert set(com["community_id"]) - set(sample["community_id"]) == {"ZMB-C05"}
    hosts = read_text_csv(HOST).groupby("community_id").size()
    assert hosts.between(10, 20).all() and set(hosts.index) == set(com["community_id"])
    assert set(read_text_csv(STRUCTURAL)["country"]) == set(sample["country"])
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for name in ("community_sample.csv", "host_sample.csv", "structural_sample.csv", "make_levels_sample.py"):
        assert name in readme


def test_levels_doc_states_the_formulas() -> None:
    doc = (REPO / "docs" / "levels.md").read_text(encoding="utf-8")
    for needle in ("Welch", "1.959963984540054", "min_level_share", "min_respondents", "suppressed"):
        assert needle in doc, needle
    fmt = (REPO / "docs" / "instrument-format.md").read_text(encoding="utf-8")
    assert "## Integration" in fmt and "level_weights" in fmt
