"""reinscore.survey_summary: group estimates under a survey design, checked against
samplics (Taylor linearisation), statsmodels, numpy references written here from the
formulas of docs/statistics.md (domain linearisation, the Rao–Wu bootstrap with the
same random numbers), and the command line."""

from __future__ import annotations

import io
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import reinscore
from _helpers import DIMS, SAMPLE, STATUSES, run_cli
from reinscore import _core
from statsmodels.stats.weightstats import DescrStatsW

with warnings.catch_warnings():
    # samplics is archived and says so on import; nothing else is silenced.
    warnings.filterwarnings("ignore", message=r"samplics is archived", category=FutureWarning)
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam, SinglePSUEst

SCORES = [*DIMS, "composite"]


# --------------------------------------------------------------------------------------
# data


def synthetic(n: int = 3000, seed: int = 1, missing: float = 0.05, strata: int = 5, psus: int = 6) -> pd.DataFrame:
    """A scores-like frame with a stratified cluster design, weights and missing scores."""
    rng = np.random.default_rng(seed)
    country = rng.choice([f"C{i}" for i in range(strata)], n)
    community = np.array([f"{c}-{k}" for c, k in zip(country, rng.integers(0, psus, n))])
    rnd = rng.choice([1, 2, 3], n)
    effect = {c: rng.normal(0, 0.05) for c in np.unique(community)}
    frame: dict[str, object] = {
        "round": rnd,
        "country": country,
        "community_id": community,
        "w": rng.uniform(0.5, 3, n),
    }
    for j, d in enumerate(SCORES):
        y = 0.35 + 0.05 * rnd + 0.02 * j + np.array([effect[c] for c in community]) + rng.normal(0, 0.2, n)
        y = np.round(np.clip(y, 0, 1) * 64) / 64  # ties, as real scores have
        y[rng.random(n) < missing] = np.nan
        frame[d] = y
        if d != "composite":
            frame[f"coverage_{d}"] = np.where(np.isnan(y), 0.25, 1.0)
    frame["status"] = rng.choice(STATUSES, n, p=[0.4, 0.55, 0.03, 0.02])
    return pd.DataFrame(frame)


@pytest.fixture(scope="module")
def design_df() -> pd.DataFrame:
    return synthetic()


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    return reinscore.score(SAMPLE, id="interview_id", keep=["round", "country", "community_id"])


def est(summary: reinscore.SurveySummary, variable: str, statistic: str) -> pd.DataFrame:
    e = summary.estimates
    return e[(e["variable"] == variable) & (e["statistic"] == statistic)].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# independent references


def samplics_domains(
    df: pd.DataFrame, y: np.ndarray, by: str | None, weight: str | None, strata: str | None, cluster: str | None,
    param: str = "mean",
) -> TaylorEstimator:
    """samplics' Taylor estimator over domains = group x observed. Rows without a value
    form a domain of their own (their value is a placeholder), so the whole sample, all
    strata and PSUs, stays in the design, as in domain estimation."""
    observed = ~np.isnan(y)
    group = df[by].astype(str).to_numpy() if by else np.full(len(df), "all")
    domain = np.where(observed, group, "__missing__")
    yy = np.where(observed, y, 0.5)
    # "At or above" with the scorer's 1e-12 tolerance: computed scores such as
    # 0.49999999999999994 reach a threshold of 0.5.
    above = (yy >= 0.5 - 1e-12).astype(int)
    kwargs: dict[str, object] = {"y": above if param == "proportion" else yy, "domain": domain}
    if weight:
        kwargs["samp_weight"] = df[weight].to_numpy(float)
    if strata:
        kwargs["stratum"] = df[strata].astype(str).to_numpy()
    if cluster:
        kwargs["psu"] = df[cluster].astype(str).to_numpy()
    t = TaylorEstimator(PopParam.prop if param == "proportion" else PopParam.mean)
    t.estimate(**kwargs)
    return t


def psu_variance(z: np.ndarray, strata: np.ndarray, psus: np.ndarray) -> float:
    """sum_h n_h/(n_h-1) sum_i (z_hi - zbar_h)^2 over PSU totals z_hi."""
    totals = pd.DataFrame({"h": strata, "p": psus, "z": z}).groupby(["h", "p"], sort=True)["z"].sum()
    v = 0.0
    for _, zs in totals.groupby(level=0):
        n = len(zs)
        assert n > 1
        v += n / (n - 1) * float(((zs - zs.mean()) ** 2).sum())
    return v


def domain_z(y: np.ndarray, w: np.ndarray, in_domain: np.ndarray) -> np.ndarray:
    """Zero-extended linearised variable of the domain ratio mean."""
    d = in_domain & ~np.isnan(y)
    W = w[d].sum()
    R = (w[d] * y[d]).sum() / W
    return np.where(d, w * (np.nan_to_num(y) - R) / W, 0.0)


_M64 = (1 << 64) - 1


def _splitmix(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def numpy_factors(sizes: list[int], seed: int, b: int) -> np.ndarray:
    """Rao–Wu factors of replicate b: numpy's MT19937 (RandomState's classic seeding is
    mt19937's) and Boost's uniform_int_distribution (raw 32-bit draw // bucket, reject
    above the range), written here independently of the C++."""
    rs = np.random.RandomState(_splitmix(seed ^ _splitmix(b)) >> 32)
    out = []
    for n in sizes:
        if n == 1:
            out.append(np.ones(1))
            continue
        rng = n - 1
        bucket = 0xFFFFFFFF // (rng + 1) + (1 if 0xFFFFFFFF % (rng + 1) == rng else 0)
        draws: list[int] = []
        while len(draws) < n - 1:
            raw = rs.randint(0, 2**32, size=n - 1 - len(draws), dtype=np.uint64) // bucket
            draws += [int(r) for r in raw if r <= rng]
        out.append(np.bincount(draws, minlength=n) * n / (n - 1))
    return np.concatenate(out)


def psu_layout(df: pd.DataFrame, strata: str, cluster: str) -> tuple[list[int], np.ndarray]:
    """PSUs ordered by (stratum id, cluster id), ids by first appearance; n_h; PSU of each row."""
    h = pd.factorize(df[strata])[0]
    c = pd.factorize(df[cluster])[0]
    keys = sorted(set(zip(h.tolist(), c.tolist())))
    index = {k: i for i, k in enumerate(keys)}
    sizes = pd.Series([k[0] for k in keys]).value_counts(sort=False).sort_index().tolist()
    return sizes, np.array([index[k] for k in zip(h.tolist(), c.tolist())])


def weighted_quantile(y: np.ndarray, w: np.ndarray, p: float) -> float:
    """Smallest y with weighted ECDF >= p (1e-12 relative tolerance)."""
    keep = (w > 0) & ~np.isnan(y)
    order = np.argsort(y[keep], kind="stable")
    ys, cum = y[keep][order], np.cumsum(w[keep][order])
    return float(ys[np.searchsorted(cum, p * cum[-1] - 1e-12 * cum[-1], side="left")])


# --------------------------------------------------------------------------------------
# linearisation against samplics


@pytest.mark.parametrize(
    "weight, strata, cluster",
    [("w", "country", "community_id"), (None, "country", "community_id"), ("w", None, "community_id"),
     ("w", "country", None), ("w", None, None)],
)
def test_means_and_se_match_samplics(design_df: pd.DataFrame, weight: str | None, strata: str | None,
                                     cluster: str | None) -> None:
    s = reinscore.survey_summary(design_df, by="round", weight=weight, strata=strata, cluster=cluster, threshold=0.5)
    for var in SCORES:
        y = design_df[var].to_numpy(float)
        ref = samplics_domains(design_df, y, "round", weight, strata, cluster)
        got = est(s, var, "mean")
        assert got["round"].tolist() == [1, 2, 3]
        for _, row in got.iterrows():
            key = str(row["round"])
            assert row["estimate"] == pytest.approx(ref.point_est[key], abs=1e-10)
            assert row["se"] == pytest.approx(ref.stderror[key], abs=1e-10)
            assert row["lo"] == pytest.approx(ref.lower_ci[key], abs=1e-10)
            assert row["hi"] == pytest.approx(ref.upper_ci[key], abs=1e-10)
        assert s.design["df"] == ref.degree_of_freedom
        prop = samplics_domains(design_df, y, "round", weight, strata, cluster, param="proportion")
        got = est(s, var, "above")
        for _, row in got.iterrows():
            key = str(row["round"])
            assert row["estimate"] == pytest.approx(prop.point_est[key][1], abs=1e-10)
            assert row["se"] == pytest.approx(prop.stderror[key][1], abs=1e-10)


def test_overall_matches_samplics_without_domains(design_df: pd.DataFrame) -> None:
    df = design_df.dropna(subset=["composite"]).reset_index(drop=True)
    s = reinscore.survey_summary(df, weight="w", strata="country", cluster="community_id", threshold=0.5)
    t = TaylorEstimator(PopParam.mean)
    t.estimate(y=df["composite"].to_numpy(float), samp_weight=df["w"].to_numpy(float),
               stratum=df["country"].to_numpy(), psu=df["community_id"].to_numpy())
    row = est(s, "composite", "mean").iloc[0]
    assert row["estimate"] == pytest.approx(t.point_est, abs=1e-12)
    assert row["se"] == pytest.approx(t.stderror, abs=1e-12)
    assert (row["lo"], row["hi"]) == (pytest.approx(t.lower_ci, abs=1e-12), pytest.approx(t.upper_ci, abs=1e-12))


def test_scored_sample_matches_samplics(scored: pd.DataFrame) -> None:
    s = reinscore.survey_summary(scored, by="round", strata="country", cluster="community_id")
    assert s.design["threshold"] == 0.5  # iom-rss: lowest value of its highest category
    assert s.design["n_strata"] == scored["country"].nunique()
    assert s.design["psus"] == scored["community_id"].nunique()
    for var in SCORES:
        y = scored[var].to_numpy(float)
        ref = samplics_domains(scored, y, "round", None, "country", "community_id")
        prop = samplics_domains(scored, y, "round", None, "country", "community_id", param="proportion")
        for _, row in est(s, var, "mean").iterrows():
            key = str(row["round"])
            assert row["estimate"] == pytest.approx(ref.point_est[key], abs=1e-10)
            assert row["se"] == pytest.approx(ref.stderror[key], abs=1e-10)
            assert row["hi"] == pytest.approx(ref.upper_ci[key], abs=1e-10)
        for _, row in est(s, var, "above").iterrows():
            assert row["se"] == pytest.approx(prop.stderror[str(row["round"])][1], abs=1e-10)
    # Status shares are means of indicators: the same estimator.
    share = est(s, "status", "share_complete")
    for _, row in share.iterrows():
        g = scored[scored["round"].astype(str) == str(row["round"])]
        assert row["estimate"] == pytest.approx((g["status"] == "complete").mean(), abs=1e-12)


def test_share_intervals_stay_in_the_unit_interval(scored: pd.DataFrame) -> None:
    # The bundled sample: few "insufficient" interviews, so a Wald interval leaves [0, 1].
    kw: dict[str, Any] = {"by": "round", "strata": "country", "cluster": "community_id"}
    wald = reinscore.survey_summary(scored, share_interval="wald", **kw)

    def shares(s: reinscore.SurveySummary) -> pd.DataFrame:
        return s.estimates[s.estimates["statistic"].str.startswith(("share_", "above"))]

    assert (shares(wald)["lo"] < 0).any()
    for how in ("logit", "wilson", "beta"):
        s = reinscore.survey_summary(scored, share_interval=how, **kw)
        assert s.design["share_interval"] == how
        e = shares(s).dropna(subset=["lo"])
        assert len(e) == len(shares(wald).dropna(subset=["lo"])) > 0, how
        assert ((e["lo"] >= 0) & (e["lo"] <= e["estimate"]) & (e["estimate"] <= e["hi"]) & (e["hi"] <= 1)).all(), how
        # The SE is the linearised one whatever the interval.
        np.testing.assert_array_equal(e["se"].to_numpy(), shares(wald).dropna(subset=["lo"])["se"].to_numpy())
    assert reinscore.survey_summary(scored, **kw).design["share_interval"] == "logit"


def test_wilson_interval_at_the_effective_sample_size(design_df: pd.DataFrame) -> None:
    kw: dict[str, Any] = {"by": "round", "weight": "w", "strata": "country", "cluster": "community_id",
                          "threshold": 0.5}
    wilson = reinscore.survey_summary(design_df, share_interval="wilson", **kw)
    t = wilson.design["t_quantile"]
    for var in SCORES:
        y = design_df[var].to_numpy(float)
        w, h, c = design_df["w"].to_numpy(float), design_df["country"].to_numpy(), design_df["community_id"].to_numpy()
        for r, row in est(wilson, var, "above").set_index("round").iterrows():
            d = (design_df["round"].to_numpy() == r) & ~np.isnan(y)
            p = float(w[d & (y >= 0.5)].sum() / w[d].sum())
            se = math.sqrt(psu_variance(domain_z(np.where(np.isnan(y), np.nan, (y >= 0.5) * 1.0), w,
                                                 design_df["round"].to_numpy() == r), h, c))
            n = p * (1 - p) / se**2  # effective sample size
            centre = (p + t**2 / (2 * n)) / (1 + t**2 / n)
            half = t / (1 + t**2 / n) * math.sqrt(p * (1 - p) / n + t**2 / (4 * n**2))
            assert row["estimate"] == pytest.approx(p, abs=1e-14)
            assert row["se"] == pytest.approx(se, abs=1e-14)
            assert (row["lo"], row["hi"]) == (pytest.approx(centre - half, abs=1e-14),
                                              pytest.approx(centre + half, abs=1e-14)), (var, r)


# --------------------------------------------------------------------------------------
# without a design


def test_unweighted_se_is_sd_over_sqrt_n(design_df: pd.DataFrame) -> None:
    # Every score present: the overall mean is not a domain (with missing values it is).
    full = design_df.dropna(subset=SCORES).reset_index(drop=True)
    s = reinscore.survey_summary(full, threshold=0.5)
    for var in SCORES:
        y = full[var].to_numpy(float)
        row = est(s, var, "mean").iloc[0]
        assert row["estimate"] == pytest.approx(y.mean(), abs=1e-13)
        assert row["se"] == pytest.approx(y.std(ddof=1) / math.sqrt(len(y)), abs=1e-13)
        d = DescrStatsW(y)
        assert row["se"] == pytest.approx(d.std_mean, abs=1e-13)
        lo, hi = d.tconfint_mean(alpha=0.05)
        assert (row["lo"], row["hi"]) == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))
    assert s.design["df"] == len(full) - 1


def test_weighted_no_design_se(design_df: pd.DataFrame) -> None:
    # Each interview its own PSU, one stratum: n/(n-1) sum w_i^2 (y_i - ybar)^2 / (sum w)^2.
    s = reinscore.survey_summary(design_df, weight="w", threshold=0.5)
    df = design_df.dropna(subset=["social"])
    y, w = df["social"].to_numpy(float), df["w"].to_numpy(float)
    m = np.average(y, weights=w)
    n = len(design_df)  # rows without a value stay in the sample (domain estimation)
    se = math.sqrt(n / (n - 1) * np.sum(w**2 * (y - m) ** 2)) / w.sum()
    row = est(s, "social", "mean").iloc[0]
    assert row["estimate"] == pytest.approx(m, abs=1e-13)
    assert row["se"] == pytest.approx(se, abs=1e-13)


def test_quantiles_are_the_inverse_ecdf(design_df: pd.DataFrame) -> None:
    s = reinscore.survey_summary(design_df, by="round", ci=None, quantiles=(0.1, 0.25, 0.5, 0.75), threshold=0.5)
    for r, g in design_df.groupby("round"):
        y = g["economic"].dropna().to_numpy(float)
        for p, name in [(0.1, "p10"), (0.25, "p25"), (0.5, "median"), (0.75, "p75")]:
            got = est(s, "economic", name)
            value = got.loc[got["round"] == r, "estimate"].item()
            assert value == np.quantile(y, p, method="inverted_cdf"), (r, p)
    # Integer weights: the same as repeating each value.
    df = design_df.assign(iw=np.random.default_rng(3).integers(1, 5, len(design_df)))
    sw = reinscore.survey_summary(df, weight="iw", ci=None, threshold=0.5)
    y = df["psychosocial"].to_numpy(float)
    rep = np.repeat(y, df["iw"].to_numpy())
    rep = rep[~np.isnan(rep)]
    for p, name in [(0.25, "p25"), (0.5, "median"), (0.75, "p75")]:
        assert est(sw, "psychosocial", name)["estimate"].item() == np.quantile(rep, p, method="inverted_cdf")


def test_woodruff_interval(design_df: pd.DataFrame) -> None:
    # R's svyquantile default (woodruffCI, "mean"): the interval F -/+ t SE(F) on the
    # probability scale, F the share at or below the estimate (not p), mapped back.
    s = reinscore.survey_summary(design_df, weight="w", strata="country", cluster="community_id",
                                 quantiles=(0.25, 0.5, 0.75), threshold=0.5)
    y, w = design_df["composite"].to_numpy(float), design_df["w"].to_numpy(float)
    h, c = design_df["country"].to_numpy(), design_df["community_id"].to_numpy()
    # Every PSU has an observed composite: the domain's df is the design's.
    assert design_df.assign(o=~np.isnan(y)).groupby(["country", "community_id"])["o"].any().all()
    t = s.design["t_quantile"]
    obs = ~np.isnan(y)
    for p, name in [(0.25, "p25"), (0.5, "median"), (0.75, "p75")]:
        q = weighted_quantile(y, w, p)
        share = float(w[obs & (y <= q)].sum() / w[obs].sum())
        assert share > p  # a weighted ECDF step: centring at p would differ
        ind = np.where(obs, (y <= q).astype(float), np.nan)
        se_f = math.sqrt(psu_variance(domain_z(ind, w, np.ones(len(y), bool)), h, c))
        row = est(s, "composite", name).iloc[0]
        assert row["estimate"] == q
        assert row["lo"] == weighted_quantile(y, w, share - t * se_f)
        assert row["hi"] == weighted_quantile(y, w, share + t * se_f)
        assert row["se"] == pytest.approx((row["hi"] - row["lo"]) / (2 * t), abs=1e-15)
        assert row["lo"] < row["estimate"] < row["hi"]


def test_woodruff_bounds_outside_the_unit_interval_are_nan(design_df: pd.DataFrame) -> None:
    # Two PSUs (t with 1 df is 12.7) and p = 0.98: the probability interval passes 1, and
    # the upper bound is NaN as in R, not the maximum.
    few = design_df[design_df["community_id"].isin(sorted(design_df["community_id"].unique())[:2])]
    s = reinscore.survey_summary(few, weight="w", cluster="community_id", quantiles=(0.02, 0.98),
                                 threshold=0.5)
    assert s.design["df"] == 1
    for name in ("p2", "p98"):
        row = est(s, "composite", name).iloc[0]
        assert not np.isnan(row["estimate"])
        assert np.isnan(row["lo" if name == "p2" else "hi"]) and np.isnan(row["se"])


# --------------------------------------------------------------------------------------
# differences


def test_linearised_differences(design_df: pd.DataFrame) -> None:
    s = reinscore.survey_summary(design_df, by="round", weight="w", strata="country", cluster="community_id",
                                 compare="round:1", threshold=0.5)
    d = s.differences
    assert sorted(d["round"].unique().tolist()) == [2, 3]
    assert set(d["reference"]) == {1}
    h, p, w = design_df["country"].to_numpy(), design_df["community_id"].to_numpy(), design_df["w"].to_numpy(float)
    rnd = design_df["round"].to_numpy()
    for var in SCORES:
        y = design_df[var].to_numpy(float)
        for r in (2, 3):
            row = d[(d["round"] == r) & (d["variable"] == var) & (d["statistic"] == "mean")].iloc[0]
            za, zb = domain_z(y, w, rnd == r), domain_z(y, w, rnd == 1)
            se = math.sqrt(psu_variance(za - zb, h, p))
            means = est(s, var, "mean").set_index("round")
            assert row["estimate"] == pytest.approx(means.loc[r, "estimate"] - means.loc[1, "estimate"], abs=1e-14)
            assert row["se"] == pytest.approx(se, abs=1e-13)
            # Rounds share communities: the covariance matters.
            naive = math.hypot(means.loc[r, "se"], means.loc[1, "se"])
            assert abs(row["se"] - naive) > 1e-5
            t = s.design["t_quantile"]
            assert row["lo"] == pytest.approx(row["estimate"] - t * row["se"], abs=1e-14)
            from scipy import stats

            pv = 2 * stats.t.sf(abs(row["estimate"] / row["se"]), s.design["df"])
            assert row["p_value"] == pytest.approx(pv, rel=1e-9, abs=1e-300)
    # Compare within the other by column: each (country, round) against (country, 1).
    s2 = reinscore.survey_summary(design_df, by=["country", "round"], compare=("round", 1), ci="linearization",
                                  threshold=0.5, min_cell=1)
    assert len(s2.differences.groupby(["country", "round"])) == 2 * design_df["country"].nunique()
    assert (s2.differences["reference"] == 1).all()


def test_wide_has_the_difference_columns(design_df: pd.DataFrame) -> None:
    s = reinscore.survey_summary(design_df, by="round", compare="round:1", threshold=0.5)
    wide = s.wide()
    assert math.isnan(wide.loc[0, "diff_mean_composite"])  # the reference itself
    d = s.differences.set_index(["round", "variable", "statistic"])
    assert wide.loc[2, "diff_above_social"] == d.loc[(3, "social", "above"), "estimate"]
    assert wide.loc[1, "p_diff_mean_economic"] == d.loc[(2, "economic", "mean"), "p_value"]


# --------------------------------------------------------------------------------------
# bootstrap


def test_replicate_factors_match_an_independent_numpy_generator() -> None:
    sizes = [3, 2, 1, 5, 17, 2]
    for seed in (0, 42, 2**63 + 5):
        for b in (0, 1, 999):
            assert np.array_equal(_core.rao_wu_factors(sizes, seed, b), numpy_factors(sizes, seed, b))


def test_bootstrap_matches_a_numpy_bootstrap(design_df: pd.DataFrame) -> None:
    B, seed = 150, 123
    s = reinscore.survey_summary(design_df, by="round", weight="w", strata="country", cluster="community_id",
                                 ci="bootstrap", replicates=B, seed=seed, threshold=0.5, compare="round:1",
                                 level=0.9)
    sizes, psu = psu_layout(design_df, "country", "community_id")
    w = design_df["w"].to_numpy(float)
    rnd = design_df["round"].to_numpy()
    y = design_df["composite"].to_numpy(float)
    obs = ~np.isnan(y)
    reps = {"mean": np.empty((B, 3)), "above": np.empty((B, 3)), "median": np.empty((B, 3))}
    for b in range(B):
        wb = w * numpy_factors(sizes, seed, b)[psu]
        for i, r in enumerate((1, 2, 3)):
            d = (rnd == r) & obs
            reps["mean"][b, i] = np.sum(wb[d] * y[d]) / np.sum(wb[d])
            reps["above"][b, i] = np.sum(wb[d] * (y[d] >= 0.5)) / np.sum(wb[d])
            reps["median"][b, i] = weighted_quantile(y[d], wb[d], 0.5)
    for stat in ("mean", "above", "median"):
        got = est(s, "composite", stat)
        for i in range(3):
            v = reps[stat][:, i]
            row = got.iloc[i]
            assert row["se"] == pytest.approx(v.std(ddof=1), abs=1e-12), stat
            assert row["lo"] == pytest.approx(np.quantile(v, 0.05), abs=1e-12), stat
            assert row["hi"] == pytest.approx(np.quantile(v, 0.95), abs=1e-12), stat
            assert row["replicates"] == B
    d = s.differences
    row = d[(d["round"] == 3) & (d["variable"] == "composite") & (d["statistic"] == "mean")].iloc[0]
    diff = reps["mean"][:, 2] - reps["mean"][:, 0]
    assert row["se"] == pytest.approx(diff.std(ddof=1), abs=1e-12)
    assert row["lo"] == pytest.approx(np.quantile(diff, 0.05), abs=1e-12)


def test_bootstrap_reproducible_and_thread_independent(design_df: pd.DataFrame) -> None:
    kw: dict[str, Any] = {"by": "round", "weight": "w", "strata": "country", "cluster": "community_id",
                          "ci": "bootstrap", "replicates": 200, "threshold": 0.5, "compare": "round:1"}
    one = reinscore.survey_summary(design_df, seed=5, threads=1, **kw)
    pd.testing.assert_frame_equal(one.estimates, reinscore.survey_summary(design_df, seed=5, threads=1, **kw).estimates)
    for threads in (2, 3, 8):
        other = reinscore.survey_summary(design_df, seed=5, threads=threads, **kw)
        pd.testing.assert_frame_equal(one.estimates, other.estimates, check_exact=True)
        pd.testing.assert_frame_equal(one.differences, other.differences, check_exact=True)
    changed = reinscore.survey_summary(design_df, seed=6, **kw)
    assert not np.array_equal(one.estimates["se"].to_numpy(), changed.estimates["se"].to_numpy(), equal_nan=True)


def test_bootstrap_se_close_to_linearised_on_a_large_sample() -> None:
    df = synthetic(n=20000, seed=9, strata=20, psus=15)
    kw: dict[str, Any] = {"by": "round", "weight": "w", "strata": "country", "cluster": "community_id",
                          "threshold": 0.5, "compare": "round:1"}
    lin = reinscore.survey_summary(df, **kw)
    boot = reinscore.survey_summary(df, ci="bootstrap", replicates=1000, threads=2, **kw)
    for stat in ("mean", "above"):
        ratio = est(boot, "composite", stat)["se"] / est(lin, "composite", stat)["se"]
        assert np.all(np.abs(ratio - 1) < 0.1), (stat, ratio.tolist())
    dl, db = lin.differences, boot.differences
    sel = (dl["variable"] == "composite") & (dl["statistic"] == "mean")
    ratio = db.loc[sel, "se"].to_numpy() / dl.loc[sel, "se"].to_numpy()
    assert np.all(np.abs(ratio - 1) < 0.1), ratio
    normal = reinscore.survey_summary(df, ci="bootstrap", replicates=200, interval="normal", **kw)
    row = est(normal, "composite", "mean").iloc[0]
    assert row["hi"] - row["estimate"] == pytest.approx(normal.design["t_quantile"] * row["se"], abs=1e-14)


# --------------------------------------------------------------------------------------
# the command line gives the same numbers


def _cli_scores(tmp_path: Path) -> Path:
    out = tmp_path / "scores.csv"
    run_cli("score", SAMPLE, "--id", "interview_id", "--keep", "round", "--keep", "country", "--keep",
            "community_id", "-q", "-o", out).ok()
    return out


@pytest.mark.parametrize("ci, weighted", [("linearization", False), ("bootstrap", False), ("linearization", True),
                                          ("bootstrap", True)])
def test_cli_equals_python(tmp_path: Path, scored: pd.DataFrame, ci: str, weighted: bool) -> None:
    scores = _cli_scores(tmp_path)
    weight = None
    if weighted:  # a weight column, written with 17 digits so that both read the same numbers
        w = np.random.default_rng(11).uniform(0.2, 4.0, len(scored))
        frame = pd.read_csv(scores, dtype=str, keep_default_na=False)
        frame["w"] = [f"{x:.17g}" for x in w]
        frame.to_csv(scores, index=False)
        scored = scored.assign(w=w)
        weight = "w"
    args = ["summarize", scores, "--by", "round", "--strata", "country", "--cluster", "community_id", "--ci", ci,
            "--compare", "round:1", "--format", "csv", "--digits", "12"]
    if weighted:
        args += ["--weight", "w"]
    if ci == "bootstrap":
        args += ["--replicates", "300", "--seed", "77"]
    r = run_cli(*args).ok()
    got = pd.read_csv(io.BytesIO(r.out))
    s = reinscore.survey_summary(scored, by="round", weight=weight, strata="country", cluster="community_id", ci=ci,
                                 compare="round:1", **({"replicates": 300, "seed": 77} if ci == "bootstrap" else {}))
    wide = s.wide()
    assert list(got.columns) == list(wide.columns)
    for col in wide.columns:
        if col == "round":
            assert got[col].astype(str).tolist() == wide[col].astype(str).tolist()
            continue
        np.testing.assert_allclose(got[col].to_numpy(float), wide[col].to_numpy(float), atol=1e-11, rtol=0,
                                   err_msg=col)
    assert f"{ci}, 5 strata, 28 PSUs, df 23" in r.err


def test_cli_without_survey_options_is_unchanged(tmp_path: Path) -> None:
    scores = _cli_scores(tmp_path)
    plain = run_cli("summarize", scores, "--by", "round", "--format", "csv").ok().frame
    assert list(plain.columns) == ["round", "n", *(f"mean_{d}" for d in SCORES), *(f"share_{s}" for s in STATUSES)]
    weighted = run_cli("summarize", scores, "--by", "round", "--format", "csv", "--threshold", "0.5").ok().frame
    assert list(weighted.columns[: len(plain.columns)]) == list(plain.columns)
    assert (weighted[plain.columns] == plain).all().all()  # unit weights: the same numbers
    assert "above_composite" in weighted.columns and "se_mean_composite" not in weighted.columns


def test_cli_errors(tmp_path: Path) -> None:
    scores = _cli_scores(tmp_path)
    r = run_cli("summarize", scores, "--by", "round", "--compare", "round:1")
    assert r.code == 2 and "--compare needs --ci" in r.err
    r = run_cli("summarize", scores, "--by", "round", "--ci", "linearization", "--strata", "interview_id")
    assert r.code == 2 and "[singleton_stratum]" in r.err and "column 'interview_id'" in r.err
    r = run_cli("summarize", scores, "--by", "round", "--ci", "bootstrap", "--compare", "round:7")
    assert r.code == 2 and "[unknown_level]" in r.err
    r = run_cli("summarize", scores, "--by", "round", "--replicates", "10")
    assert r.code == 2 and "--replicates needs --ci" in r.err
    r = run_cli("summarize", scores, "--by", "round", "--ci", "linearization", "--replicates", "10")
    assert r.code == 2 and "--replicates needs --ci bootstrap [option_needs]" in r.err
    r = run_cli("summarize", scores, "--weight", "round2")
    assert r.code == 2 and "column 'round2'" in r.err and "[missing_column]" in r.err
    bad = tmp_path / "bad.csv"
    frame = pd.read_csv(scores, dtype=str, keep_default_na=False)
    frame["w"] = "1"
    frame.loc[4, "w"] = "-3"
    frame.to_csv(bad, index=False)
    r = run_cli("summarize", bad, "--weight", "w", "--ci", "linearization")
    assert r.code == 2 and "row 6: column 'w'" in r.err and "[invalid_weight]" in r.err and "-3" not in r.err


# --------------------------------------------------------------------------------------
# suppression, options, errors, display


def test_small_groups_are_suppressed(design_df: pd.DataFrame) -> None:
    df = design_df.copy()
    df.loc[df.index[:4], "round"] = 9  # a group of four
    s = reinscore.survey_summary(df, by="round", compare="round:9", min_cell=5, threshold=0.5)
    small = s.estimates[s.estimates["round"] == 9]
    assert small["suppressed"].all()
    assert small["n"].isna().all() and small["observed"].isna().all()
    assert small[["estimate", "se", "lo", "hi", "sum_w", "missing_share"]].isna().all().all()
    assert s.differences["suppressed"].all()
    assert s.differences[["estimate", "se", "lo", "hi", "p_value"]].isna().all().all()
    wide = s.wide()
    assert wide.loc[wide["round"] == 9, "n"].isna().all()
    assert "1 group(s) with fewer than 5 interviews suppressed" in s._repr_html_()


def test_missing_share_and_counts(design_df: pd.DataFrame) -> None:
    s = reinscore.survey_summary(design_df, by="round", weight="w", threshold=0.5)
    row = est(s, "economic", "mean").set_index("round").loc[2]
    g = design_df[design_df["round"] == 2]
    assert row["n"] == len(g)
    assert row["observed"] == g["economic"].notna().sum()
    assert row["missing_share"] == pytest.approx(g["economic"].isna().mean(), abs=1e-15)
    assert row["sum_w"] == pytest.approx(g["w"].sum(), abs=1e-9)


def test_threshold_default_and_override(scored: pd.DataFrame) -> None:
    s = reinscore.survey_summary(scored, ci=None)
    s3 = reinscore.survey_summary(scored, ci=None, threshold=0.3)
    y = scored["composite"].dropna()
    assert est(s, "composite", "above")["estimate"].item() == pytest.approx((y >= 0.5 - 1e-12).mean(), abs=1e-14)
    assert est(s3, "composite", "above")["estimate"].item() == pytest.approx((y >= 0.3 - 1e-12).mean(), abs=1e-14)
    # The tolerance matters on the sample: some composites are 0.5 only up to rounding.
    assert ((y >= 0.5 - 1e-12) & (y < 0.5)).any()
    cat = scored.loc[y.index, "category"]
    assert ((y >= 0.5 - 1e-12) == (cat == "sustainable")).all()  # as the scorer's categories
    with pytest.warns(UserWarning, match="no threshold"):
        nothing = reinscore.survey_summary(scored.drop(columns="instrument"), ci=None)
    assert "above" not in set(nothing.estimates["statistic"])
    assert nothing.design["threshold"] is None


def test_errors_name_column_and_rule(design_df: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"column 'nope'.*missing_column"):
        reinscore.survey_summary(design_df, by="nope", threshold=0.5)
    bad = design_df.assign(w=design_df["w"].where(design_df.index != 7, -2.5))
    with pytest.raises(reinscore.InputError, match=r"row 8: column 'w'.*invalid_weight") as e:
        reinscore.survey_summary(bad, weight="w", threshold=0.5)
    assert "-2.5" not in str(e.value) and (e.value.row, e.value.column) == (8, "w")
    lonely = design_df.assign(country=np.where(design_df["community_id"] == "C0-0", "solo", design_df["country"]))
    with pytest.raises(ValueError, match=r"column 'country'.*singleton_stratum"):
        reinscore.survey_summary(lonely, strata="country", cluster="community_id", threshold=0.5)
    for rule in ("certainty", "centered"):
        ok = reinscore.survey_summary(lonely, strata="country", cluster="community_id", singleton=rule, threshold=0.5)
        assert ok.design["singleton_strata"] == 1
    with pytest.raises(reinscore.InputError, match=r"compare needs ci.*option_needs"):
        reinscore.survey_summary(design_df, by="round", ci=None, compare="round:1")
    with pytest.raises(ValueError, match="unknown_level"):
        reinscore.survey_summary(design_df, by="round", compare="round:4", threshold=0.5)
    with pytest.raises(reinscore.InputError, match=r"compare must be COLUMN:LEVEL.*bad_option"):
        reinscore.survey_summary(design_df, by="round", compare="country:C1", threshold=0.5)
    with pytest.raises(reinscore.InputError, match=r"ci must be .*linearization or bootstrap.*bad_option"):
        reinscore.survey_summary(design_df, ci="jackknife", threshold=0.5)
    with pytest.raises(reinscore.InputError, match="level must be a number between 0 and 1") as e:
        reinscore.survey_summary(design_df, level=95, threshold=0.5)
    assert e.value.option == "level"


def test_singleton_rules_by_hand(design_df: pd.DataFrame) -> None:
    lonely = design_df.assign(country=np.where(design_df["community_id"] == "C0-0", "solo", design_df["country"]))
    y, w = lonely["composite"].to_numpy(float), lonely["w"].to_numpy(float)
    z = domain_z(y, w, np.ones(len(y), bool))
    totals = pd.DataFrame({"h": lonely["country"], "p": lonely["community_id"], "z": z}).groupby(["h", "p"])["z"].sum()
    multi = totals[totals.index.get_level_values(0) != "solo"]
    v = 0.0
    for _, zs in multi.groupby(level=0):
        v += len(zs) / (len(zs) - 1) * float(((zs - zs.mean()) ** 2).sum())
    solo = totals.loc["solo"].iloc[0]
    cert = reinscore.survey_summary(lonely, weight="w", strata="country", cluster="community_id",
                                    singleton="certainty", threshold=0.5)
    cent = reinscore.survey_summary(lonely, weight="w", strata="country", cluster="community_id",
                                    singleton="centered", threshold=0.5)
    assert est(cert, "composite", "mean")["se"].item() == pytest.approx(math.sqrt(v), abs=1e-14)
    grand = totals.mean()
    assert est(cent, "composite", "mean")["se"].item() == pytest.approx(math.sqrt(v + (solo - grand) ** 2), abs=1e-14)
    # samplics' "skip" leaves singleton strata out: our "certainty".
    t = TaylorEstimator(PopParam.mean)
    obs = ~np.isnan(y)
    t.estimate(y=y[obs], samp_weight=w[obs], stratum=lonely["country"].to_numpy()[obs],
               psu=lonely["community_id"].to_numpy()[obs], single_psu=SinglePSUEst.skip)
    # (Rows without a composite add zero to their PSU's total, and every PSU keeps rows.)
    assert est(cert, "composite", "mean")["se"].item() == pytest.approx(t.stderror, abs=1e-10)


def test_long_and_wide_forms(design_df: pd.DataFrame) -> None:
    s = reinscore.survey_summary(design_df, by=["round"], weight="w", threshold=0.5)
    e = s.estimates
    assert list(e.columns) == ["round", "variable", "statistic", "estimate", "se", "lo", "hi", "n", "sum_w",
                               "observed", "missing_share", "suppressed"]
    assert set(e["statistic"]) == {"mean", "p25", "median", "p75", "above", *(f"share_{x}" for x in STATUSES)}
    wide = s.wide()
    assert wide.columns[:2].tolist() == ["round", "n"]
    assert "se_median_composite" in wide.columns and "lo_share_complete" in wide.columns
    m = est(s, "composite", "median")
    assert wide["hi_median_composite"].tolist() == m["hi"].tolist()
    html = s._repr_html_()
    assert "<table>" in html and "Survey summary by round" in html and "strata" not in html.split("<table>")[0]
    assert "linearization" in repr(s)
    b = reinscore.survey_summary(design_df, ci="bootstrap", replicates=20, threshold=0.5)
    assert "replicates" in b.estimates.columns and b.design["replicates"] == 20
