"""Customer summaries drawn from known BG/NBD and Gamma-Gamma parameters (the model's own story, seeded by the
caller's generator): for parameter recovery and for the coverage of the predictive interval."""

from __future__ import annotations

import numpy as np
import pandas as pd


def simulate_bg_nbd(n, r, alpha, a, b, rng, observed_weeks=(30, 40)):
    """BG/NBD customers observed for T ~ U(30, 40) weeks: Poisson purchases, dropout after each repeat purchase."""
    rate = rng.gamma(r, 1 / alpha, n)
    dropout = rng.beta(a, b, n)
    big_t = rng.uniform(*observed_weeks, n)
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


def simulate_mean_spend(frequency, p, q, gamma, rng):
    """Gamma-Gamma mean spend of each customer's repeat purchases: nu ~ Gamma(q, rate gamma), each spend ~
    Gamma(p, rate nu), so the mean of x spends is Gamma(p x, rate nu x); 0 where x = 0 (as in the summary)."""
    nu = rng.gamma(q, 1 / gamma, frequency.size)
    repeat = frequency > 0
    monetary = np.zeros(frequency.size)
    monetary[repeat] = rng.gamma(p * frequency[repeat], 1 / (nu[repeat] * frequency[repeat]))
    return monetary


def simulate_summary(n, bg_nbd, gamma_gamma, rng):
    """A weekly customer summary (``frequency, recency, T, monetary``) of ``n`` customers drawn from the BG/NBD
    parameters ``bg_nbd`` (dict r, alpha, a, b) and the Gamma-Gamma parameters ``gamma_gamma`` (dict p, q, gamma)."""
    x, t_x, big_t = simulate_bg_nbd(n, **bg_nbd, rng=rng)
    summary = pd.DataFrame({"frequency": x, "recency": t_x, "T": big_t,
                            "monetary": simulate_mean_spend(x, **gamma_gamma, rng=rng)})
    summary.attrs["time_unit"] = "W"
    return summary
