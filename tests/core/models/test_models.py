"""BTYD and sBG models: hand-checkable frames, slow reference likelihoods, simulations, published examples.

Tolerances: parameter recovery from simulated data within 25 % relative (a few standard errors at the sample
sizes used); published CDNOW and FH 2007 estimates within 1 %; likelihoods against slow references to 1e-9.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, special, stats

from retention_core import queries
from retention_core.models import (
    BgNbdFit,
    GammaGammaFit,
    SbgFit,
    assess_btyd_data,
    bg_nbd_conditional_expected_purchases,
    bg_nbd_expected_purchases,
    bg_nbd_log_likelihood,
    bg_nbd_probability_alive,
    bg_nbd_purchase_probability,
    btyd_summary,
    calibration_holdout_split,
    discounted_expected_lifetime,
    discounted_expected_residual_lifetime,
    fit_bg_nbd,
    fit_gamma_gamma,
    fit_shifted_beta_geometric,
    gamma_gamma_expected_spend,
    gamma_gamma_log_likelihood,
    predictive_clv,
    rfm_summary,
    sbg_churn_probability,
    sbg_log_likelihood,
    sbg_retention_rate,
    sbg_survival,
)
from retention_core.models import bg_nbd, fitting, gamma_gamma

RECOVERY_TOLERANCE = 0.25
PUBLISHED_TOLERANCE = 0.01

# Published CDNOW estimates (2,357 customers, calibration 1997-01-01..1997-09-30 = 39 weeks, times in weeks):
# BG/NBD: Fader, Hardie & Lee (2005), Marketing Science 24(2), Sec. 4: r = 0.243, alpha = 4.414, a = 0.793,
# b = 2.426, LL = -9582.4. Gamma-Gamma: Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value": fitted
# to the 946 customers with a repeat purchase in the same 39-week calibration period (not the full 78 weeks):
# p = 6.25, q = 3.74, gamma = 15.44 (the lifetimes docs show the same numbers, "fitted with 946 subjects").
CDNOW_BG_NBD = BgNbdFit(r=0.243, alpha=4.414, a=0.793, b=2.426)
CDNOW_GAMMA_GAMMA = GammaGammaFit(p=6.25, q=3.74, gamma=15.44)


def _transactions(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": pd.Series([row[0] for row in rows], dtype="str"),
            "order_date": pd.to_datetime([row[1] for row in rows]),
            "amount": [row[2] for row in rows],
        }
    )


@pytest.fixture
def small_shop() -> pd.DataFrame:
    """Three customers; amounts chosen so every summary value can be worked out on paper."""
    return _transactions(
        [
            ("a", "2024-01-01", 10.0),  # two orders on one day: one purchase day worth 15
            ("a", "2024-01-01", 5.0),
            ("a", "2024-01-15", 20.0),
            ("a", "2024-01-29", 40.0),  # order and same-day return: one purchase day worth 30
            ("a", "2024-01-29", -10.0),
            ("a", "2024-02-20", 12.0),
            ("b", "2024-01-08", 7.0),
            ("b", "2024-01-22", -7.0),  # return only: not a purchase
            ("c", "2024-02-13", 3.0),
        ]
    )


@pytest.fixture(scope="module")
def cdnow_split(cdnow: pd.DataFrame) -> pd.DataFrame:
    return calibration_holdout_split(cdnow, "1997-09-30", "1998-06-30", time_unit="W")


# ---------------------------------------------------------------------------------------------------------------
# Customer summaries
# ---------------------------------------------------------------------------------------------------------------


def test_rfm_summary_counts_repeat_purchase_days_up_to_observation_end(small_shop):
    summary = rfm_summary(small_shop, observation_end="2024-02-12", time_unit="W").set_index("customer_id")
    # a: purchase days 01-01, 01-15, 01-29 (the 02-20 order is after the end) -> 2 repeats, last 4 weeks after
    # the first, 6 weeks observed, repeat spend (20 + 30) / 2 = 25. b: one purchase day, the return is ignored.
    # c: first purchase after the end -> absent.
    assert list(summary.index) == ["a", "b"]
    assert summary.loc["a", ["frequency", "recency", "T", "monetary"]].tolist() == [2, 4.0, 6.0, 25.0]
    assert summary.loc["b", ["frequency", "recency", "T", "monetary"]].tolist() == [0, 0.0, 5.0, 0.0]
    assert summary.attrs["time_unit"] == "W"


def test_rfm_summary_observation_end_defaults_to_last_order_date(small_shop):
    summary = rfm_summary(small_shop, time_unit="D").set_index("customer_id")
    # End = 2024-02-20. a: 3 repeats, 50 days, spend (20 + 30 + 12) / 3; c: first purchase 7 days before the end.
    assert summary.loc["a", ["frequency", "recency", "T"]].tolist() == [3, 50.0, 50.0]
    assert summary.loc["a", "monetary"] == pytest.approx(62 / 3)
    assert summary.loc["c", ["frequency", "recency", "T", "monetary"]].tolist() == [0, 0.0, 7.0, 0.0]


def test_customer_summary_carries_the_btyd_columns_and_rfm_summary_keeps_only_buyers(small_shop):
    # z only returned goods: a customer of the summary (revenue -5, no orders) without a purchase day.
    shop = pd.concat([small_shop, _transactions([("z", "2024-01-10", -5.0)])], ignore_index=True)
    customers = queries.customer_summary(shop, unit_days=7.0).set_index("customer_id")
    # a by hand (end 2024-02-20): purchase days 01-01, 01-15, 01-29, 02-20 -> 3 repeats over 50 days = 50/7 weeks;
    # the two 01-01 rows are one order day (one purchase occasion) and two of the five orders (the 01-29 return is
    # no order).
    assert customers.loc["a", ["orders", "occasions", "frequency"]].tolist() == [5, 4, 3]
    assert customers.loc["a", "recency"] == pytest.approx(50 / 7) and customers.loc["a", "T"] == pytest.approx(50 / 7)
    assert customers.loc["a", "monetary"] == pytest.approx(62 / 3)
    assert customers.loc["z", "orders"] == 0 and customers.loc["z", "revenue"] == -5.0
    assert customers.loc["z", ["frequency", "recency", "T", "monetary"]].isna().all()
    summary = rfm_summary(shop, time_unit="W")
    assert list(summary["customer_id"]) == ["a", "b", "c"] and summary["frequency"].dtype == "int64"
    pd.testing.assert_frame_equal(summary, btyd_summary(customers.reset_index(), "W"))


def test_btyd_summary_rejects_unknown_time_unit(small_shop):
    with pytest.raises(ValueError, match="time_unit must be one of D, W, M"):
        btyd_summary(queries.customer_summary(small_shop), "weeks")


def test_rfm_summary_months_are_days_over_30_4375(small_shop):
    summary = rfm_summary(small_shop, observation_end="2024-02-12", time_unit="M").set_index("customer_id")
    assert summary.loc["a", "recency"] == pytest.approx(28 / 30.4375)
    assert summary.loc["a", "T"] == pytest.approx(42 / 30.4375)


def test_rfm_summary_rejects_unknown_time_unit(small_shop):
    with pytest.raises(ValueError, match="time_unit must be one of D, W, M"):
        rfm_summary(small_shop, time_unit="weeks")


def test_rfm_summary_rejects_missing_columns_and_text_dates(small_shop):
    with pytest.raises(ValueError, match="lack the column"):
        rfm_summary(small_shop.drop(columns="amount"))
    with pytest.raises(ValueError, match="order_date must be datetime64"):
        rfm_summary(small_shop.assign(order_date=small_shop["order_date"].dt.strftime("%Y-%m-%d")))
    with pytest.raises(ValueError, match="observation_end must be a date"):
        rfm_summary(small_shop, observation_end="not a date")


def test_calibration_holdout_split_counts_holdout_purchase_days(small_shop):
    split = calibration_holdout_split(small_shop, "2024-01-15", dt.date(2024, 2, 12)).set_index("customer_id")
    # a: calibration 01-01, 01-15 -> 1 repeat at 2 weeks, T 2 weeks; holdout 01-29 (net 30) -> 1 purchase day.
    # b: no holdout purchase (the 01-22 return is not one). c: first purchase after the calibration end -> absent.
    assert list(split.index) == ["a", "b"]
    assert split.loc["a", ["frequency", "recency", "T", "monetary"]].tolist() == [1, 2.0, 2.0, 20.0]
    assert split.loc["a", ["holdout_frequency", "holdout_monetary"]].tolist() == [1, 30.0]
    assert split.loc["b", ["holdout_frequency", "holdout_monetary"]].tolist() == [0, 0.0]
    assert (split["holdout_duration"] == 4.0).all()


def test_calibration_holdout_split_needs_end_after_calibration(small_shop):
    with pytest.raises(ValueError, match="must be after calibration_end"):
        calibration_holdout_split(small_shop, "2024-02-01", "2024-01-01")


def test_assess_btyd_data_names_the_first_problem():
    rng = np.random.default_rng(1)
    few = pd.DataFrame({"frequency": [1] * 150, "T": [30.0] * 150})
    one_timers = pd.DataFrame({"frequency": [0] * 190 + [2] * 10, "T": [30.0] * 200})
    short = pd.DataFrame({"frequency": rng.integers(0, 3, 300), "T": [5.0] * 300})
    good = pd.DataFrame({"frequency": rng.integers(0, 3, 300), "T": [30.0] * 300})
    assert assess_btyd_data(few) == "too_few_customers"
    assert assess_btyd_data(one_timers) == "too_few_repeaters"
    assert assess_btyd_data(short, time_unit="W") == "short_history"  # 5 weeks < 8 weeks
    assert assess_btyd_data(short, time_unit="M") is None  # 5 months is enough
    assert assess_btyd_data(good) is None


# ---------------------------------------------------------------------------------------------------------------
# Likelihoods against slow references
# ---------------------------------------------------------------------------------------------------------------


def _log_beta(u: float, v: float) -> float:
    return math.lgamma(u) + math.lgamma(v) - math.lgamma(u + v)


def _slow_bg_nbd_log_likelihood(r, alpha, a, b, frequency, recency, T):
    """FHL 2005 eq. (6) written out term by term, one customer at a time."""
    total = 0.0
    for x, t_x, big_t in zip(frequency, recency, T, strict=True):
        nbd = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
        still_alive = math.exp(_log_beta(a, b + x) - _log_beta(a, b) + nbd - (r + x) * math.log(alpha + big_t))
        dropped = 0.0
        if x > 0:
            dropped = math.exp(_log_beta(a + 1, b + x - 1) - _log_beta(a, b) + nbd - (r + x) * math.log(alpha + t_x))
        total += math.log(still_alive + dropped)
    return total


def test_bg_nbd_log_likelihood_matches_slow_reference():
    frequency, recency, T = [0, 1, 2, 5, 0], [0.0, 3.5, 10.0, 20.0, 0.0], [12.0, 30.0, 25.0, 20.0, 1.0]
    fit = BgNbdFit(r=0.6, alpha=3.0, a=0.9, b=2.2)
    fast = bg_nbd_log_likelihood(fit, frequency, recency, T).sum()
    assert fast == pytest.approx(_slow_bg_nbd_log_likelihood(0.6, 3.0, 0.9, 2.2, frequency, recency, T), rel=1e-12)


def test_gamma_gamma_log_likelihood_matches_numerical_mixture():
    # Reference: integrate the gamma(px, rate nu x) density of a mean of x spends over nu ~ gamma(q, rate gamma).
    p, q, gamma = 4.0, 3.0, 20.0
    frequency, monetary = [1, 3, 6], [25.0, 8.0, 40.0]

    def mixture(x: int, z: float) -> float:
        def integrand(nu: float) -> float:
            return stats.gamma.pdf(z, p * x, scale=1 / (nu * x)) * stats.gamma.pdf(nu, q, scale=1 / gamma)

        return integrate.quad(integrand, 0, np.inf, epsabs=0, epsrel=1e-12, limit=200)[0]

    expected = [math.log(mixture(x, z)) for x, z in zip(frequency, monetary, strict=True)]
    fast = gamma_gamma_log_likelihood(GammaGammaFit(p=p, q=q, gamma=gamma), frequency, monetary)
    assert fast == pytest.approx(expected, rel=1e-8)


def test_sbg_log_likelihood_matches_recursion_of_fader_hardie_2007():
    # FH 2007 compute P(T=t) by recursion: P(T=1) = alpha/(alpha+beta), P(T=t) = (beta+t-2)/(alpha+beta+t-1) P(T=t-1).
    alpha, beta, survival = 0.7, 1.2, [0.631, 0.468, 0.382, 0.326]
    churn, surviving, reference, previous = alpha / (alpha + beta), 1.0, 0.0, 1.0
    for t, active in enumerate(survival, start=1):
        if t > 1:
            churn *= (beta + t - 2) / (alpha + beta + t - 1)
        surviving -= churn
        reference += 1000 * (previous - active) * math.log(churn)
        previous = active
    reference += 1000 * survival[-1] * math.log(surviving)
    assert sbg_log_likelihood(SbgFit(alpha, beta), survival, cohort_size=1000) == pytest.approx(reference, rel=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# Parameter recovery from simulated data (fixed seeds)
# ---------------------------------------------------------------------------------------------------------------


def _simulate_bg_nbd(n, r, alpha, a, b, rng):
    """BG/NBD customers observed for T ~ U(30, 40) weeks: Poisson purchases, dropout after each repeat purchase."""
    rate = rng.gamma(r, 1 / alpha, n)
    dropout = rng.beta(a, b, n)
    big_t = rng.uniform(30, 40, n)
    x, t_x, now = np.zeros(n), np.zeros(n), np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        who = np.flatnonzero(active)
        nxt = now[who] + rng.exponential(1 / rate[who])
        bought = nxt <= big_t[who]
        active[who[~bought]] = False
        buyers = who[bought]
        x[buyers] += 1
        t_x[buyers] = now[buyers] = nxt[bought]
        active[buyers[rng.random(buyers.size) < dropout[buyers]]] = False
    return x, t_x, big_t


def test_fit_bg_nbd_recovers_simulated_parameters():
    rng = np.random.default_rng(20050301)
    truth = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    fit = fit_bg_nbd(*_simulate_bg_nbd(10_000, **truth, rng=rng))
    assert fit.converged, fit.message
    assert fit.n_customers == 10_000
    for name, value in truth.items():
        assert getattr(fit, name) == pytest.approx(value, rel=RECOVERY_TOLERANCE), name


def test_fit_gamma_gamma_recovers_simulated_parameters():
    rng = np.random.default_rng(2013)
    p, q, gamma, n = 6.0, 4.0, 15.0, 5_000
    frequency = 1 + rng.poisson(2.0, n)
    nu = rng.gamma(q, 1 / gamma, n)
    monetary = rng.gamma(p * frequency, 1 / (nu * frequency))  # mean of x gamma(p, rate nu) spends
    fit = fit_gamma_gamma(np.concatenate([frequency, [0, 2]]), np.concatenate([monetary, [0.0, -5.0]]))
    assert fit.converged, fit.message
    assert (fit.n_customers, fit.n_excluded) == (n, 1)  # x = 0 is ignored, x = 2 with spend -5 is excluded
    assert fit.p == pytest.approx(p, rel=RECOVERY_TOLERANCE)
    assert fit.q == pytest.approx(q, rel=RECOVERY_TOLERANCE)
    assert fit.gamma == pytest.approx(gamma, rel=RECOVERY_TOLERANCE)


def test_fit_shifted_beta_geometric_recovers_simulated_parameters():
    rng = np.random.default_rng(2007)
    alpha, beta, n = 0.7, 1.2, 20_000
    lifetime = rng.geometric(rng.beta(alpha, beta, n))  # period in which each customer cancels
    survival = [(lifetime > t).mean() for t in range(1, 11)]
    fit = fit_shifted_beta_geometric(survival, cohort_size=n)
    assert fit.converged, fit.message
    assert fit.alpha == pytest.approx(alpha, rel=RECOVERY_TOLERANCE)
    assert fit.beta == pytest.approx(beta, rel=RECOVERY_TOLERANCE)


# ---------------------------------------------------------------------------------------------------------------
# Published examples
# ---------------------------------------------------------------------------------------------------------------

# Fader & Hardie (2007), "How to Project Customer Retention", J. Interactive Marketing 21(1), Table 1 / Fig. 1:
# percent of a 1,000-customer cohort surviving years 1..7 (year 0 = 100 left out); fitted to these 7 years the
# paper reports High End alpha = 0.668, beta = 3.806 and Regular alpha = 0.704, beta = 1.182.
HIGH_END = [0.869, 0.743, 0.653, 0.593, 0.551, 0.517, 0.491]
REGULAR = [0.631, 0.468, 0.382, 0.326, 0.289, 0.262, 0.241]


@pytest.mark.parametrize(
    ("survival", "alpha", "beta"), [(HIGH_END, 0.668, 3.806), (REGULAR, 0.704, 1.182)], ids=["high_end", "regular"]
)
def test_sbg_reproduces_fader_hardie_2007_estimates(survival, alpha, beta):
    fit = fit_shifted_beta_geometric(survival, cohort_size=1000)
    assert fit.converged, fit.message
    assert fit.alpha == pytest.approx(alpha, rel=PUBLISHED_TOLERANCE)
    assert fit.beta == pytest.approx(beta, rel=PUBLISHED_TOLERANCE)
    assert sbg_survival(fit, np.arange(1, 8)) == pytest.approx(survival, abs=0.02)


def test_cdnow_bg_nbd_matches_fader_hardie_lee_2005(cdnow_split):
    assert len(cdnow_split) == 2357
    assert int((cdnow_split["frequency"] == 0).sum()) == 1411  # FHL 2005: 1,411 made no repeat purchase
    fit = fit_bg_nbd(cdnow_split["frequency"], cdnow_split["recency"], cdnow_split["T"])
    assert fit.converged, fit.message
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fit, name) == pytest.approx(getattr(CDNOW_BG_NBD, name), rel=PUBLISHED_TOLERANCE), name
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.1)


def test_cdnow_gamma_gamma_matches_fader_hardie_2013_on_calibration_period(cdnow_split):
    fit = fit_gamma_gamma(cdnow_split["frequency"], cdnow_split["monetary"])
    assert fit.converged, fit.message
    assert (fit.n_customers, fit.n_excluded) == (946, 0)
    for name in ("p", "q", "gamma"):
        assert getattr(fit, name) == pytest.approx(getattr(CDNOW_GAMMA_GAMMA, name), rel=PUBLISHED_TOLERANCE), name
    assert fit.log_likelihood == pytest.approx(-4055.92, abs=0.05)  # as in the CLVTools test suite


def test_conditional_expectation_reproduces_fhl_2005_worked_example():
    # FHL 2005, Sec. 4: a customer with x = 2, t_x = 30.43, T = 38.86 weeks is expected to make 1.226 purchases
    # in the next 39 weeks.
    expected = bg_nbd_conditional_expected_purchases(CDNOW_BG_NBD, 39, 2, 30.43, 38.86)
    assert expected[0] == pytest.approx(1.226, abs=0.001)


def test_cdnow_holdout_forecast_tracks_actual_purchases(cdnow_split):
    fit = fit_bg_nbd(cdnow_split["frequency"], cdnow_split["recency"], cdnow_split["T"])
    duration = float(cdnow_split["holdout_duration"].iloc[0])
    assert duration == 39.0
    predicted = bg_nbd_conditional_expected_purchases(
        fit, duration, cdnow_split["frequency"], cdnow_split["recency"], cdnow_split["T"]
    )
    actual = cdnow_split["holdout_frequency"]
    # 1,882 actual holdout repeat purchase days; the model predicts about 1,653 (-12 %), so assert within 15 %.
    assert actual.sum() == 1882
    assert predicted.sum() == pytest.approx(actual.sum(), rel=0.15)
    by_frequency = (
        cdnow_split.assign(predicted=predicted, group=cdnow_split["frequency"].clip(upper=7))
        .groupby("group")[["holdout_frequency", "predicted"]]
        .mean()
    )
    assert by_frequency["predicted"].is_monotonic_increasing
    assert by_frequency["holdout_frequency"].is_monotonic_increasing
    assert by_frequency["predicted"].to_numpy() == pytest.approx(by_frequency["holdout_frequency"], rel=0.3)


def test_cdnow_rfm_summary_matches_hand_count_for_one_customer(cdnow_split):
    # Customer 00004 bought on 1997-01-01, 01-18, 08-02 and 12-12: two repeats by 1997-09-30, the last 213 days
    # after the first, 272 days observed; repeat spend (29.73 + 14.96) / 2; one holdout purchase of 26.48.
    row = cdnow_split.set_index("customer_id").loc["00004"]
    assert row["frequency"] == 2
    assert row["recency"] == pytest.approx(213 / 7)
    assert row["T"] == pytest.approx(272 / 7)
    assert row["monetary"] == pytest.approx((29.73 + 14.96) / 2)
    assert (row["holdout_frequency"], row["holdout_monetary"]) == (1, pytest.approx(26.48))


# ---------------------------------------------------------------------------------------------------------------
# Model identities
# ---------------------------------------------------------------------------------------------------------------


def test_purchase_probabilities_sum_to_one_and_to_the_expected_count():
    t = 39.0
    n = np.arange(0, 400)
    probabilities = bg_nbd_purchase_probability(CDNOW_BG_NBD, t, n)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-9)
    assert (n * probabilities).sum() == pytest.approx(bg_nbd_expected_purchases(CDNOW_BG_NBD, t), rel=1e-9)


def test_new_customer_conditional_expectation_is_the_unconditional_one():
    t = np.array([1.0, 13.0, 52.0])
    conditional = [bg_nbd_conditional_expected_purchases(CDNOW_BG_NBD, step, 0, 0, 0)[0] for step in t]
    assert conditional == pytest.approx(bg_nbd_expected_purchases(CDNOW_BG_NBD, t), rel=1e-10)


def test_conditional_expectation_stays_finite_for_heavy_buyers_and_long_horizons():
    # Direct eq. (10) with scipy's 2F1(r+x, b+x; a+b+x-1; z) returns NaN for x = 600 over five years (in days);
    # the Euler-transformed form agrees with it where it works and stays finite and increasing in t.
    fit = BgNbdFit(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426)
    x, t_x, big_t = np.array([1.0, 10.0, 600.0]), np.array([600.0, 690.0, 690.0]), np.full(3, 700.0)
    r, alpha, a, b, t = fit.r, fit.alpha, fit.a, fit.b, 365.0
    head = ((alpha + big_t) / (alpha + big_t + t)) ** (r + x)
    series = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + big_t + t))
    direct = (a + b + x - 1) / (a - 1) * (1 - head * series)
    direct *= bg_nbd_probability_alive(fit, x, t_x, big_t)
    assert bg_nbd_conditional_expected_purchases(fit, t, x, t_x, big_t)[:2] == pytest.approx(direct[:2], rel=1e-9)
    horizons = [365.0, 1826.0, 5000.0]
    heavy = [bg_nbd_conditional_expected_purchases(fit, step, 600, 690.0, 700.0)[0] for step in horizons]
    assert np.all(np.isfinite(heavy)) and np.all(np.diff(heavy) > 0)


def test_probability_alive_is_one_without_repeat_and_falls_with_silence():
    fit = CDNOW_BG_NBD
    alive = bg_nbd_probability_alive(fit, [0, 2, 2], [0.0, 30.0, 5.0], [38.0, 38.0, 38.0])
    assert alive[0] == 1.0
    # By hand: 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)) with x = 2, t_x = 30, T = 38.
    odds = 0.793 / (2.426 + 1) * ((4.414 + 38) / (4.414 + 30)) ** 2.243
    assert alive[1] == pytest.approx(1 / (1 + odds), rel=1e-12)
    assert alive[2] < alive[1]


def test_expected_spend_shrinks_towards_population_mean():
    fit = GammaGammaFit(p=6.25, q=3.74, gamma=15.44)
    population = 6.25 * 15.44 / 2.74
    spend = gamma_gamma_expected_spend(fit, [0, 1, 10], [0.0, 100.0, 100.0])
    assert spend[0] == pytest.approx(population)
    assert spend[1] == pytest.approx((2.74 * population + 6.25 * 100) / (6.25 + 2.74))
    assert population < spend[1] < spend[2] < 100
    with pytest.raises(ValueError, match=r"with q <= 1 the population mean spend p \* gamma / \(q - 1\) does not exist"):
        gamma_gamma_expected_spend(GammaGammaFit(p=1.0, q=0.8, gamma=5.0), 0, 0.0)


def test_sbg_survival_is_the_product_of_retention_rates():
    fit = SbgFit(alpha=0.704, beta=1.182)
    t = np.arange(1, 13)
    assert sbg_survival(fit, 0) == pytest.approx(1.0)
    assert sbg_survival(fit, t) == pytest.approx(np.cumprod(sbg_retention_rate(fit, t)), rel=1e-12)
    assert np.all(np.diff(sbg_retention_rate(fit, t)) > 0)
    assert sbg_churn_probability(fit, t) == pytest.approx(-np.diff(sbg_survival(fit, np.arange(0, 13))), rel=1e-10)


@pytest.mark.parametrize("periods_survived", [0, 1, 4])
def test_derl_equals_its_discounted_survival_series(periods_survived):
    # FH 2010: DERL(d | n-1 renewals) = sum_{t>=n} S(t | T > n-1) / (1+d)^(t-n), with n - 1 = periods_survived.
    fit, d = SbgFit(alpha=0.668, beta=3.806), 0.10
    n = periods_survived + 1
    t = np.arange(n, n + 3000)
    series = np.sum(sbg_survival(fit, t) / sbg_survival(fit, n - 1) / (1 + d) ** (t - n))
    assert discounted_expected_residual_lifetime(fit, d, periods_survived) == pytest.approx(series, rel=1e-9)


def test_del_is_one_plus_discounted_derl_of_a_new_customer():
    fit, d = SbgFit(alpha=0.704, beta=1.182), 0.10
    assert discounted_expected_lifetime(fit, d) == pytest.approx(
        1 + discounted_expected_residual_lifetime(fit, d, 0) / (1 + d), rel=1e-12
    )


# ---------------------------------------------------------------------------------------------------------------
# Customer lifetime value and its units
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture
def weekly_summary() -> pd.DataFrame:
    summary = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "frequency": [0, 2, 7],
            "recency": [0.0, 30.43, 35.0],
            "T": [38.86, 38.86, 36.0],
            "monetary": [0.0, 40.0, 25.0],
        }
    )
    summary.attrs["time_unit"] = "W"
    return summary


def test_clv_without_discount_is_margin_times_spend_times_expected_purchases(weekly_summary):
    result = predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, weekly_summary, horizon=12, discount_rate=0.0, margin=0.3)
    weeks = 12 * 30.4375 / 7
    expected = bg_nbd_conditional_expected_purchases(
        CDNOW_BG_NBD, weeks, weekly_summary["frequency"], weekly_summary["recency"], weekly_summary["T"]
    )
    spend = gamma_gamma_expected_spend(CDNOW_GAMMA_GAMMA, weekly_summary["frequency"], weekly_summary["monetary"])
    assert list(result.columns) == [
        "customer_id", "expected_purchases", "discounted_purchases", "expected_spend", "probability_alive", "clv"
    ]
    assert result["expected_purchases"].to_numpy() == pytest.approx(expected, rel=1e-12)
    assert result["discounted_purchases"].to_numpy() == pytest.approx(expected, rel=1e-12)
    assert result["clv"].to_numpy() == pytest.approx(0.3 * spend * expected, rel=1e-12)


def test_clv_discounts_one_month_at_the_twelfth_root_of_the_annual_rate(weekly_summary):
    result = predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, weekly_summary, horizon=1, discount_rate=0.1, margin=1.0)
    assert result["clv"].to_numpy() == pytest.approx(
        result["expected_spend"] * result["expected_purchases"] / 1.1 ** (1 / 12), rel=1e-12
    )


def test_clv_does_not_depend_on_the_time_unit_of_the_summary(weekly_summary):
    # The same customers in days: times x 7, and alpha (a time scale) x 7.
    daily = weekly_summary.assign(recency=weekly_summary["recency"] * 7, T=weekly_summary["T"] * 7)
    daily_fit = BgNbdFit(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426)
    weekly = predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, weekly_summary, 24, 0.08, 0.4)
    in_days = predictive_clv(daily_fit, CDNOW_GAMMA_GAMMA, daily, 24, 0.08, 0.4, time_unit="D")
    assert in_days["clv"].to_numpy() == pytest.approx(weekly["clv"], rel=1e-9)
    assert weekly["clv"].is_monotonic_increasing  # more and dearer purchases, more recently


def test_clv_rejects_percent_inputs_and_unknown_units(weekly_summary):
    with pytest.raises(ValueError, match="discount_rate must be an annual fraction"):
        predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, weekly_summary, 12, 10, 0.3)
    with pytest.raises(ValueError, match="margin must be a fraction"):
        predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, weekly_summary, 12, 0.1, 30)
    with pytest.raises(ValueError, match="horizon must be a number of months"):
        predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, weekly_summary, -1, 0.1, 0.3)
    no_unit = weekly_summary.copy()
    no_unit.attrs = {}
    with pytest.raises(ValueError, match="time_unit is unknown"):
        predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, no_unit, 12, 0.1, 0.3)


# ---------------------------------------------------------------------------------------------------------------
# Bad data: clear errors for invalid input, converged=False for unidentifiable data
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([1, 2], [1.0], [2.0, 3.0], "same length"),
        ([-1], [0.0], [2.0], "whole numbers >= 0"),
        ([1.5], [1.0], [2.0], "whole numbers >= 0"),
        ([1], [3.0], [2.0], "recency must not exceed T"),
        ([0], [1.0], [2.0], "recency must be 0 where frequency is 0"),
        ([1], [-1.0], [2.0], "recency and T must be >= 0"),
        ([1], [float("nan")], [2.0], "recency must be finite"),
        ([[1, 2]], [[1.0, 1.0]], [[2.0, 2.0]], "one-dimensional"),
    ],
)
def test_fit_bg_nbd_rejects_invalid_summaries(frequency, recency, T, message):
    with pytest.raises(ValueError, match=message):
        fit_bg_nbd(frequency, recency, T)


def test_fit_bg_nbd_without_repeat_purchases_reports_instead_of_raising():
    fit = fit_bg_nbd([0, 0, 0], [0.0, 0.0, 0.0], [5.0, 6.0, 7.0])
    assert not fit.converged
    assert "not identified" in fit.message
    assert math.isnan(fit.r)


def test_fit_bg_nbd_flags_a_parameter_at_its_bound():
    # Everyone buys at a steady pace to the very end: no sign of dropout, so a/b runs to zero.
    frequency = np.full(300, 10)
    fit = fit_bg_nbd(frequency, np.full(300, 40.0), np.full(300, 40.0))
    assert not fit.converged
    assert "bound" in fit.message


def test_fit_gamma_gamma_with_too_few_spenders_reports_instead_of_raising():
    fit = fit_gamma_gamma([0, 3, 2], [0.0, 10.0, 0.0])
    assert (fit.converged, fit.n_customers, fit.n_excluded) == (False, 1, 1)
    assert math.isnan(fit.p)
    with pytest.raises(ValueError, match="same length"):
        fit_gamma_gamma([1, 2, 3], [1.0, 2.0])


@pytest.mark.parametrize(
    ("survival", "cohort_size", "message"),
    [
        ([86.9, 74.3], 1000, "not percent"),
        ([0.8, 0.9], 1000, "must not increase"),
        ([0.8], 1000, "at least 2 periods"),
        ([0.8, 0.7], 0, "cohort_size must be > 0"),
    ],
)
def test_fit_shifted_beta_geometric_rejects_invalid_curves(survival, cohort_size, message):
    with pytest.raises(ValueError, match=message):
        fit_shifted_beta_geometric(survival, cohort_size=cohort_size)


def test_sbg_valuation_rejects_invalid_rates_and_periods():
    fit = SbgFit(alpha=0.7, beta=1.2)
    with pytest.raises(ValueError, match="per-period fraction"):
        discounted_expected_residual_lifetime(fit, 10, 0)
    with pytest.raises(ValueError, match="periods_survived must be a whole number"):
        discounted_expected_residual_lifetime(fit, 0.1, -1)
    with pytest.raises(ValueError, match="t must be finite and >= 1"):
        sbg_retention_rate(fit, 0)


def _central_differences(function, log_params: np.ndarray, step: float = 1e-6) -> np.ndarray:
    """d function / d log_params by central differences, one row per parameter."""
    rows = []
    for index in range(log_params.size):
        shift = np.zeros_like(log_params)
        shift[index] = step
        rows.append((function(log_params + shift) - function(log_params - shift)) / (2 * step))
    return np.vstack(rows)


def test_bg_nbd_terms_per_distinct_frequency_match_the_formula_row_by_row_and_their_gradient():
    rng = np.random.default_rng(7)
    x = rng.integers(0, 6, 300).astype(float)
    big_t = rng.uniform(5.0, 60.0, 300)
    t_x = np.where(x > 0, big_t * rng.uniform(0.1, 1.0, 300), 0.0)
    r, alpha, a, b = 0.24, 4.4, 0.79, 2.43
    by_row = np.array([  # FHL 2005 eq. (6), one customer at a time
        math.log(
            math.exp(special.betaln(a, b + xi) - special.betaln(a, b)) * (alpha + ti) ** -(r + xi)
            + (math.exp(special.betaln(a + 1, b + xi - 1) - special.betaln(a, b)) * (alpha + txi) ** -(r + xi)
               if xi > 0 else 0.0)
        ) + special.gammaln(r + xi) - special.gammaln(r) + r * math.log(alpha)
        for xi, txi, ti in zip(x, t_x, big_t)
    ])
    values, jacobian = bg_nbd._bg_nbd_terms(r, alpha, a, b, x, t_x, big_t, gradient=True)
    np.testing.assert_allclose(values, by_row, rtol=1e-12)
    levels = np.unique(x, return_inverse=True)
    given = bg_nbd._bg_nbd_terms(r, alpha, a, b, x, t_x, big_t, gradient=True, levels=levels)
    np.testing.assert_array_equal(given[0], values)
    np.testing.assert_array_equal(given[1], jacobian)
    numeric = _central_differences(
        lambda log_params: bg_nbd._bg_nbd_terms(*np.exp(log_params), x, t_x, big_t)[0], np.log([r, alpha, a, b])
    )
    np.testing.assert_allclose(jacobian, numeric, rtol=1e-5, atol=1e-8)


def test_gamma_gamma_terms_per_distinct_frequency_match_the_formula_row_by_row_and_their_gradient():
    rng = np.random.default_rng(8)
    x = rng.integers(1, 8, 300).astype(float)
    z = rng.lognormal(3.0, 0.8, 300)
    p, q, gamma = 6.25, 3.74, 15.44  # Fader & Hardie (2013), CDNOW
    by_row = np.array([
        special.gammaln(p * xi + q) - special.gammaln(p * xi) - special.gammaln(q) + q * math.log(gamma)
        + (p * xi - 1) * math.log(zi) + p * xi * math.log(xi) - (p * xi + q) * math.log(gamma + xi * zi)
        for xi, zi in zip(x, z)
    ])
    values, jacobian = gamma_gamma._gamma_gamma_terms(p, q, gamma, x, z, gradient=True)
    np.testing.assert_allclose(values, by_row, rtol=1e-12)
    numeric = _central_differences(
        lambda log_params: gamma_gamma._gamma_gamma_terms(*np.exp(log_params), x, z)[0], np.log([p, q, gamma])
    )
    np.testing.assert_allclose(jacobian, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize(("lbfgsb_steps", "nelder_mead"), [(None, False), (1, True)])
def test_a_line_search_that_stops_at_a_zero_gradient_counts_as_converged(monkeypatch, lbfgsb_steps, nelder_mead):
    """L-BFGS-B reports ABNORMAL (its line search stopped, as float rounding makes it do at an optimum): at a zero
    gradient that is the optimum; one step away from the start it is not, and Nelder-Mead goes on."""
    minimize, methods = optimize.minimize, []

    def stopped_line_search(fun, x0, method=None, options=None, **kwargs):
        methods.append(method)
        if method != "L-BFGS-B":
            return minimize(fun, x0, method=method, options=options, **kwargs)
        steps = {**options, "maxiter": lbfgsb_steps} if lbfgsb_steps else options
        result = minimize(fun, x0, method=method, options=steps, **kwargs)
        return optimize.OptimizeResult(x=result.x, jac=result.jac, success=False, message="ABNORMAL: ")

    monkeypatch.setattr(optimize, "minimize", stopped_line_search)
    centre = np.array([0.5, -0.25])
    best, converged, message = fitting.minimise(
        lambda p: (float(np.sum((p - centre) ** 2)), 2 * (p - centre)), np.array([3.0, 2.0]), 2
    )
    assert converged and best == pytest.approx(centre, abs=1e-6)
    assert methods == (["L-BFGS-B", "Nelder-Mead"] if nelder_mead else ["L-BFGS-B"])
    assert ("gradient within 1e-06 of zero" in message) is not nelder_mead


def test_nelder_mead_gives_up_after_a_bounded_number_of_evaluations(monkeypatch):
    """A likelihood that no optimiser can settle (here: noise, after a L-BFGS-B run that stopped away from the
    optimum): Nelder-Mead stops after 300 evaluations per parameter and the fit is not converged, instead of running
    for minutes on a large sample."""
    minimize, noise, calls = optimize.minimize, np.random.default_rng(5), []

    def stopped_line_search(fun, x0, method=None, **kwargs):
        if method == "L-BFGS-B":
            return optimize.OptimizeResult(x=x0, jac=np.ones_like(x0), success=False, message="ABNORMAL: ")
        return minimize(fun, x0, method=method, **kwargs)

    def restless(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        calls.append(1)
        return float(noise.random()), np.ones_like(log_params)

    monkeypatch.setattr(optimize, "minimize", stopped_line_search)
    best, converged, message = fitting.minimise(restless, np.zeros(4), 4)
    assert not converged and "Nelder-Mead: Maximum number of function evaluations" in message
    assert len(calls) <= 4 * 300 + 1  # and one check of the estimate


def test_the_weighted_objective_is_minus_the_weighted_mean_and_its_gradient():
    values, weights = np.array([1.0, 2.0]), np.array([1.0, 3.0])
    jacobian = np.array([[1.0, 2.0], [3.0, 4.0]])  # one row per parameter, one column per distinct row
    value, gradient = fitting.weighted_objective(values, jacobian, weights, 4.0)
    assert value == -(1 * 1 + 3 * 2) / 4
    np.testing.assert_array_equal(gradient, [-(1 * 1 + 3 * 2) / 4, -(1 * 3 + 3 * 4) / 4])
