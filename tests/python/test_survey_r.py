"""reinscore's survey estimates and reliability against R, the project's independent
reference: the survey package (Lumley) for design-based means, shares, quantiles and
degrees of freedom, and psych::alpha for Cronbach's alpha. R runs once per fixture
(tests/python/_rref.py); R with both packages is installed by tools/install-deps.sh.

The data are seeded: a stratified cluster design with unequal weights, three rounds and
missing scores; reliability uses the bundled sample coded independently here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import DIMS, RSS_JSON, SAMPLE, read_text_csv
from _rref import run_r

SCORES = [*DIMS, "composite"]
THRESHOLD = 0.5
RTOL = 1e-10  # R's numbers come back with 15 significant digits


# -- data ---------------------------------------------------------------------------------------


def synthetic(n: int = 3000, seed: int = 20250607) -> pd.DataFrame:
    """A scores-like frame: 4 strata with 10-20 clusters each, cluster ids reused across
    strata (nested), lognormal weights tripled in one stratum, 3 rounds, missing scores.
    Dimension scores sit on a 1/32 grid (ties, as real scores have), the composite not."""
    rng = np.random.default_rng(seed)
    sizes = {"north": 10, "south": 14, "east": 17, "west": 20}
    stratum = rng.choice(list(sizes), n, p=[0.2, 0.25, 0.25, 0.3])
    cluster = np.array([rng.integers(1, sizes[h] + 1) for h in stratum])
    rnd = rng.choice([1, 2, 3], n)
    effect = {(h, c): rng.normal(0, 0.08) for h in sizes for c in range(1, 21)}
    e = np.array([effect[(h, c)] for h, c in zip(stratum, cluster)])
    w = rng.lognormal(0, 0.5, n) * np.where(stratum == "north", 3.0, 1.0)
    frame: dict[str, Any] = {"round": rnd, "stratum": stratum, "cluster": cluster, "w": w}
    for j, d in enumerate(DIMS):
        y = 0.4 + 0.04 * rnd + 0.03 * j + e + rng.normal(0, 0.18, n)
        y = np.round(np.clip(y, 0, 1) * 32) / 32
        y[rng.random(n) < 0.06] = np.nan
        frame[d] = y
        frame[f"coverage_{d}"] = np.where(np.isnan(y), 0.0, 1.0)
    dims = np.column_stack([frame[d] for d in DIMS])
    with np.errstate(all="ignore"):
        composite = np.nanmean(dims, axis=1) + rng.normal(0, 0.01, n)
    composite[rng.random(n) < 0.04] = np.nan
    frame["composite"] = composite
    return pd.DataFrame(frame)


@pytest.fixture(scope="module")
def design_df() -> pd.DataFrame:
    df = synthetic()
    # reinscore counts y >= t - 1e-12 as reaching t, R's I(y >= t) does not: keep the
    # data clear of that sliver so both rules mean the same.
    y = df[SCORES].to_numpy(float)
    assert not ((y < THRESHOLD) & (y >= THRESHOLD - 1e-12)).any()
    # Every PSU has every round, so R's per-domain degf (svyquantile) is the design's.
    assert (df.groupby(["stratum", "cluster"])["round"].nunique() == 3).all()
    return df


def summarise(
    df: pd.DataFrame, by: str | Sequence[str] = (), share_interval: str = "logit"
) -> reinscore.SurveySummary:
    return reinscore.survey_summary(df, by=by, weight="w", strata="stratum", cluster="cluster",
                                    ci="linearization", threshold=THRESHOLD,
                                    share_interval=share_interval)


@pytest.fixture(scope="module")
def by_round(design_df: pd.DataFrame) -> reinscore.SurveySummary:
    return summarise(design_df, by="round")


@pytest.fixture(scope="module")
def overall(design_df: pd.DataFrame) -> reinscore.SurveySummary:
    return summarise(design_df)


# -- R ------------------------------------------------------------------------------------------

# R survey 4.x defaults throughout: svyquantile with qrule = "math" and
# interval.type = "mean", its df the degf of the (domain) design.
SURVEY_R = r"""
d <- read.csv(file.path(Sys.getenv("RREF_DIR"), "scores.csv"))
thr <- %(threshold)r
des <- svydesign(ids = ~cluster, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
df <- degf(des)
probs <- c(.25, .5, .75)
quant <- function(f, design) {
  q <- svyquantile(f, design, quantiles = probs, na.rm = TRUE)[[1]]
  list(estimate = q[, 1], lo = q[, 2], hi = q[, 3], se = q[, 4])
}
out <- list(degf = df, t = qt(0.975, df), by = list(), all = list())
for (v in %(scores)s) {
  f <- as.formula(paste0("~", v))
  b <- svyby(f, ~round, des, svymean, na.rm = TRUE)
  bci <- confint(b, df = df)
  a <- svyby(as.formula(sprintf("~I(%%s >= %%.17g)", v, thr)), ~round, des, svymean, na.rm = TRUE)
  yes <- endsWith(names(coef(a)), "TRUE")  # the TRUE level of the logical
  aci <- confint(a, df = df)
  rounds <- sort(unique(d$round))
  out$by[[v]] <- list(
    round = b$round,
    mean = list(estimate = unname(coef(b)), se = as.vector(SE(b)), lo = unname(bci[, 1]),
                hi = unname(bci[, 2])),
    above = list(estimate = unname(coef(a)[yes]), se = unname(sqrt(diag(vcov(a)))[yes]),
                 lo = unname(aci[yes, 1]), hi = unname(aci[yes, 2])),
    quantiles = lapply(rounds, function(r) quant(f, subset(des, round == r))),
    quantile_degf = sapply(rounds, function(r) degf(subset(des, round == r & !is.na(d[[v]]))))
  )
  m <- svymean(f, des, na.rm = TRUE)
  mci <- confint(m, df = df)
  out$all[[v]] <- list(
    mean = list(estimate = unname(coef(m)), se = as.vector(SE(m)), lo = mci[1, 1], hi = mci[1, 2]),
    quantiles = quant(f, des)
  )
}
cat(json(out))
"""


@pytest.fixture(scope="module")
def r_survey(design_df: pd.DataFrame) -> dict[str, Any]:
    script = SURVEY_R % {"threshold": THRESHOLD, "scores": f"c({', '.join(map(repr, SCORES))})"}
    result: dict[str, Any] = run_r(script, {"scores": design_df})
    return result


def rows(s: reinscore.SurveySummary, variable: str, statistic: str) -> pd.DataFrame:
    e = s.estimates
    sel = e[(e["variable"] == variable) & (e["statistic"] == statistic)]
    return sel.sort_values(s.by).reset_index(drop=True) if s.by else sel.reset_index(drop=True)


def assert_close(got: pd.DataFrame, ref: dict[str, Any], what: str) -> None:
    for col in ("estimate", "se", "lo", "hi"):
        np.testing.assert_allclose(
            got[col].to_numpy(float), np.atleast_1d(np.asarray(ref[col], float)),
            rtol=RTOL, atol=0, err_msg=f"{what} {col}",
        )


# -- survey: linearisation ------------------------------------------------------------------------


def test_degrees_of_freedom_are_degf(by_round: reinscore.SurveySummary, r_survey: dict[str, Any]) -> None:
    assert by_round.design["psus"] == 61 and by_round.design["n_strata"] == 4
    assert by_round.design["df"] == r_survey["degf"] == 57
    assert by_round.design["t_quantile"] == pytest.approx(r_survey["t"], rel=RTOL)


def test_domain_means_match_svyby(by_round: reinscore.SurveySummary, r_survey: dict[str, Any]) -> None:
    for v in SCORES:
        got = rows(by_round, v, "mean")
        assert got["round"].tolist() == r_survey["by"][v]["round"] == [1, 2, 3]
        # confint(svyby(...), df = degf(design)): the same t interval.
        assert_close(got, r_survey["by"][v]["mean"], f"{v} mean by round")


def test_overall_means_match_svymean(overall: reinscore.SurveySummary, r_survey: dict[str, Any]) -> None:
    for v in SCORES:
        assert_close(rows(overall, v, "mean"), r_survey["all"][v]["mean"], f"{v} overall mean")


def test_shares_above_match_svymean_of_the_indicator(
    design_df: pd.DataFrame, r_survey: dict[str, Any]
) -> None:
    wald = summarise(design_df, by="round", share_interval="wald")
    for v in SCORES:
        # Wald interval on the share: confint(svymean(~I(y >= t))).
        assert_close(rows(wald, v, "above"), r_survey["by"][v]["above"], f"{v} share above")


# svyciprop on each round's domain of observed values, with the design's df as reinscore
# (R's default would be the domain's; beta uses the domain's rows and degf whatever df).
CIPROP_R = r"""
d <- read.csv(file.path(Sys.getenv("RREF_DIR"), "scores.csv"))
thr <- %(threshold)r
des <- svydesign(ids = ~cluster, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
out <- list()
for (v in %(scores)s) {
  f <- as.formula(sprintf("~I(%%s >= %%.17g)", v, thr))
  out[[v]] <- lapply(sort(unique(d$round)), function(r) {
    sub <- subset(des, round == r & !is.na(d[[v]]))
    one <- list(degf = degf(sub))
    for (m in c("logit", "beta", "mean")) {
      ci <- svyciprop(f, sub, method = m, df = degf(des))
      one[[m]] <- list(estimate = as.numeric(ci), lo = attr(ci, "ci")[[1]], hi = attr(ci, "ci")[[2]])
    }
    one
  })
}
cat(json(out))
"""

SHARE_METHODS = {"logit": "logit", "beta": "beta", "wald": "mean"}


def check_shares_against_svyciprop(df: pd.DataFrame) -> list[int]:
    ref = run_r(CIPROP_R % {"threshold": THRESHOLD, "scores": f"c({', '.join(map(repr, SCORES))})"},
                {"scores": df})
    for ours, theirs in SHARE_METHODS.items():
        # R's logit comes from svyglm's iterations (observed 4e-11 from the closed form).
        rtol = 1e-9 if ours == "logit" else RTOL
        s = summarise(df, by="round", share_interval=ours)
        for v in SCORES:
            got = rows(s, v, "above")
            for k, r in enumerate(ref[v]):
                for col in ("estimate", "lo", "hi"):
                    assert float(got[col].iloc[k]) == pytest.approx(r[theirs][col], rel=rtol, abs=0), (
                        ours, v, k + 1, col)
                assert 0 <= got["lo"].iloc[k] <= got["hi"].iloc[k] <= 1
    return [r["degf"] for r in ref["composite"]]


def test_share_intervals_match_svyciprop(design_df: pd.DataFrame) -> None:
    # logit (the default), beta and Wald ("mean").
    assert check_shares_against_svyciprop(design_df) == [57, 57, 57]


# -- survey: quantiles ----------------------------------------------------------------------------

QUANTILES = ["p25", "median", "p75"]


def quantile_pairs(
    by_round: reinscore.SurveySummary, overall: reinscore.SurveySummary, r: dict[str, Any]
) -> list[tuple[str, pd.Series, dict[str, float]]]:
    """(label, our row, R's numbers) for every score, quantile and domain (and overall)."""
    out = []
    for v in SCORES:
        for i, name in enumerate(QUANTILES):
            ours = rows(by_round, v, name)
            for k, ref in enumerate(r["by"][v]["quantiles"]):
                out.append((f"{v} {name} round {k + 1}", ours.iloc[k], {c: ref[c][i] for c in ref}))
            ref = r["all"][v]["quantiles"]
            out.append((f"{v} {name} overall", rows(overall, v, name).iloc[0], {c: ref[c][i] for c in ref}))
    return out


def test_quantile_estimates_match_svyquantile(
    by_round: reinscore.SurveySummary, overall: reinscore.SurveySummary, r_survey: dict[str, Any]
) -> None:
    # Here R's quantile df per domain is the design's (the domain df: see below).
    for v in SCORES:
        assert r_survey["by"][v]["quantile_degf"] == [r_survey["degf"]] * 3
    pairs = quantile_pairs(by_round, overall, r_survey)
    assert len(pairs) == len(SCORES) * len(QUANTILES) * 4
    for label, ours, ref in pairs:
        # Both the inverse of the weighted ECDF (qrule = "math"): always an observed value.
        assert ours["estimate"] == pytest.approx(ref["estimate"], rel=RTOL, abs=0), label


def test_quantile_intervals_match_svyquantile(
    by_round: reinscore.SurveySummary, overall: reinscore.SurveySummary, r_survey: dict[str, Any]
) -> None:
    # woodruffCI: F(q) -/+ t SE(F) mapped back by qrule = "math", SE = (hi - lo) / (2 t).
    bad = []
    for label, ours, ref in quantile_pairs(by_round, overall, r_survey):
        for col in ("lo", "hi", "se"):
            if ours[col] != pytest.approx(ref[col], rel=RTOL, abs=0):
                bad.append(f"{label} {col}: {ours[col]!r} vs R {ref[col]!r}")
    assert not bad, f"{len(bad)} differ:\n" + "\n".join(bad)


# R's svyquantile takes the df of the domain (degf of the subset without missing values):
# PSUs and strata holding the domain's observed values, not the design's.
DOMAIN_DF_R = r"""
d <- read.csv(file.path(Sys.getenv("RREF_DIR"), "scores.csv"))
des <- svydesign(ids = ~cluster, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
out <- list(degf = degf(des), by = list())
for (v in %(scores)s) {
  f <- as.formula(paste0("~", v))
  out$by[[v]] <- lapply(sort(unique(d$round)), function(r) {
    q <- svyquantile(f, subset(des, round == r), quantiles = c(.1, .5, .9), na.rm = TRUE)[[1]]
    list(estimate = q[, 1], lo = q[, 2], hi = q[, 3], se = q[, 4],
         degf = degf(subset(des, round == r & !is.na(d[[v]]))))
  })
}
cat(json(out))
"""


def drop_part_of_round_3(design_df: pd.DataFrame) -> pd.DataFrame:
    """Round 3 without the north stratum and 8 western clusters; the PSUs stay in the design."""
    drop = (design_df["round"] == 3) & (
        (design_df["stratum"] == "north") | ((design_df["stratum"] == "west") & (design_df["cluster"] > 12))
    )
    return design_df[~drop].reset_index(drop=True)


def test_beta_share_intervals_use_the_domain_df(design_df: pd.DataFrame) -> None:
    # Korn-Graubard's df adjustment takes the domain's degf (40 in round 3), as R's.
    assert check_shares_against_svyciprop(drop_part_of_round_3(design_df)) == [57, 57, 40]


def test_domain_quantile_intervals_use_the_domain_df(design_df: pd.DataFrame) -> None:
    df = drop_part_of_round_3(design_df)
    ref = run_r(DOMAIN_DF_R % {"scores": f"c({', '.join(map(repr, SCORES))})"}, {"scores": df})
    s = reinscore.survey_summary(df, by="round", weight="w", strata="stratum", cluster="cluster",
                                 ci="linearization", quantiles=(0.1, 0.5, 0.9), threshold=THRESHOLD)
    assert s.design["df"] == ref["degf"] == 57
    for v in SCORES:
        # 61 - 18 PSUs in 3 strata: 40, where the means keep the design's 57.
        assert [r["degf"] for r in ref["by"][v]] == [57, 57, 40]
        for i, name in enumerate(["p10", "median", "p90"]):
            ours = rows(s, v, name)
            for k, r in enumerate(ref["by"][v]):
                for col in ("estimate", "lo", "hi", "se"):
                    want = np.asarray(r[col], float)[i]
                    got = float(ours[col].iloc[k])
                    assert got == pytest.approx(want, rel=RTOL, abs=0, nan_ok=True), (v, name, k + 1, col)


# -- reliability ------------------------------------------------------------------------------

# Complete cases: R drops the incomplete rows itself. Pairwise: psych's default
# (use = "pairwise"), whose raw alpha is reinscore's missing="pairwise" alpha.
PSYCH_R = r"""
out <- list()
for (dim in %(dims)s) {
  all <- read.csv(file.path(Sys.getenv("RREF_DIR"), paste0(dim, ".csv")))
  x <- na.omit(all)
  a <- psych::alpha(x, check.keys = FALSE, warnings = FALSE)
  pw <- psych::alpha(all, check.keys = FALSE, warnings = FALSE, use = "pairwise")
  out[[dim]] <- list(
    n = nrow(x), alpha = a$total$raw_alpha, standardized_alpha = a$total$std.alpha,
    mean_r = a$total$average_r, alpha_if_deleted = a$alpha.drop$raw_alpha,
    standardized_alpha_if_deleted = a$alpha.drop$std.alpha, item_rest = a$item.stats$r.drop,
    pairwise_alpha = pw$total$raw_alpha
  )
}
cat(json(out))
"""


def coded_sample() -> tuple[dict[str, Any], np.ndarray]:
    """The sample's answers coded as the instrument file says (value, 1 - value for
    reverse items, missing codes and blanks NaN), without the rows reinscore leaves out
    for an unreadable answer."""
    ins: dict[str, Any] = json.loads(RSS_JSON.read_text(encoding="utf-8"))
    raw = read_text_csv(SAMPLE)
    values = np.full((len(raw), len(ins["items"])), np.nan)
    invalid = np.zeros(len(raw), dtype=bool)
    for k, it in enumerate(ins["items"]):
        scale = ins["scales"][it["scale"]]
        value = {c["code"]: 1 - c["value"] if it.get("reverse") else c["value"] for c in scale["codes"]}
        missing = {m["code"] for m in scale.get("missing", [])} | {""}
        for r, cell in enumerate(raw[it.get("column", it["id"])].str.strip()):
            if cell in value:
                values[r, k] = value[cell]
            elif cell not in missing:
                invalid[r] = True
    return ins, values[~invalid]


def test_sample_alpha_matches_psych_alpha() -> None:
    ins, values = coded_sample()
    rep = reinscore.reliability(SAMPLE)
    pairwise = reinscore.reliability(SAMPLE, missing="pairwise")
    assert rep.rows == len(values)
    data = {}
    for dim in ins["dimensions"]:
        ids = [it["id"] for it in ins["items"] if it["dimension"] == dim]
        cols = [k for k, it in enumerate(ins["items"]) if it["dimension"] == dim]
        data[dim] = pd.DataFrame(values[:, cols], columns=ids)
    ref = run_r(PSYCH_R % {"dims": f"c({', '.join(map(repr, ins['dimensions']))})"}, data)
    for dim in ins["dimensions"]:
        row, want = rep.dimensions.loc[dim], ref[dim]
        assert 0 < row["n"] == want["n"] < len(values), dim  # listwise deletion at work
        for key in ("alpha", "standardized_alpha", "mean_r"):
            assert row[key] == pytest.approx(want[key], rel=RTOL, abs=0), (dim, key)
        items = rep.items[rep.items["dimension"] == dim]
        assert items["item"].tolist() == list(data[dim].columns)
        for key in ("alpha_if_deleted", "standardized_alpha_if_deleted", "item_rest"):
            np.testing.assert_allclose(
                items[key].to_numpy(float), want[key], rtol=RTOL, atol=0, err_msg=f"{dim} {key}"
            )
        # Not standardised alpha: psych scales the pairwise covariances by each item's
        # variance over all its answers, reinscore (as pandas' corr) over the pair's rows.
        assert pairwise.dimensions.loc[dim, "alpha"] == pytest.approx(
            want["pairwise_alpha"], rel=RTOL, abs=0
        ), dim
