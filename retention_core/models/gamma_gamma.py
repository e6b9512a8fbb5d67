"""The Gamma-Gamma model of spend per purchase.

Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (brucehardie.com, note 025), building on Fader,
Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", Journal of Marketing Research
42(4). Inputs are the ``frequency`` and ``monetary`` of a customer summary (:mod:`.summaries`); ``gamma`` is in the
currency of the data it was fitted on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from retention_core.models.scipy_on_first_use import special

from retention_core.models.fitting import (
    NO_FIT,
    checked_parameters,
    describe_parameters,
    distinct_rows,
    minimise,
    require_finite,
    same_length_vectors,
    weighted_objective,
)

__all__ = [
    "GAMMA_GAMMA_PARAMETERS",
    "GammaGammaFit",
    "fit_gamma_gamma",
    "gamma_gamma_expected_spend",
    "gamma_gamma_log_likelihood",
]

GAMMA_GAMMA_PARAMETERS = ("p", "q", "gamma")
"""The parameters of :class:`GammaGammaFit`, in Fader & Hardie's order (checked before every forecast)."""


@dataclass(frozen=True)
class GammaGammaFit:
    """Gamma-Gamma spend parameters (Fader & Hardie 2013): z ~ Gamma(p, nu), nu ~ Gamma(shape q, rate gamma).

    ``gamma`` is in currency units; the population mean spend per purchase is ``p * gamma / (q - 1)`` (q > 1).
    ``n_customers`` customers with a repeat purchase and positive mean spend were used; ``n_excluded`` repeat
    customers with non-positive mean spend were left out.
    """

    p: float
    q: float
    gamma: float
    log_likelihood: float = NO_FIT
    converged: bool = True
    message: str = ""
    n_customers: int = 0
    n_excluded: int = 0


def _spend_arrays(frequency: object, monetary: object) -> tuple[np.ndarray, np.ndarray]:
    x, z = same_length_vectors("frequency, monetary", frequency, monetary)
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must be whole numbers >= 0 (repeat purchase days)")
    return x, z


def _gamma_gamma_terms(
    p: float, q: float, gamma: float, x: np.ndarray, z: np.ndarray, gradient: bool = False,
    levels: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-customer log density of the mean spend z of x purchases and its gradient in (log p, log q, log gamma).

    ln f = ln G(px+q) - ln G(px) - ln G(q) + q ln gamma + (px-1) ln z + px ln x - (px+q) ln(gamma + x z).

    As in :func:`.bg_nbd._bg_nbd_terms`, the log-gamma, digamma and ln x terms are evaluated once per distinct x
    (``levels``: ``np.unique(x, return_inverse=True)``, computed here when not given).
    """
    values_x, at = levels if levels is not None else np.unique(x, return_inverse=True)
    px_by_value = p * values_x
    px = px_by_value[at]
    log_x = np.log(values_x)[at]
    log_z = np.log(z)
    log_total = np.log(gamma + x * z)
    values = (
        special.gammaln(px_by_value + q)[at] - special.gammaln(px_by_value)[at] - special.gammaln(q)
        + q * np.log(gamma) + (px - 1) * log_z + px * log_x - (px + q) * log_total
    )
    if not gradient:
        return values, None
    psi = special.digamma
    psi_px_q = psi(px_by_value + q)[at]
    d_p = x * (psi_px_q - psi(px_by_value)[at] + log_z + log_x - log_total)
    d_q = psi_px_q - psi(q) + np.log(gamma) - log_total
    d_gamma = q / gamma - (px + q) / (gamma + x * z)
    return values, np.vstack([d_p * p, d_q * q, d_gamma * gamma])


def gamma_gamma_log_likelihood(fit: GammaGammaFit, frequency: object, monetary: object) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of mean spend z over x purchases (Fader & Hardie 2013).

    f(z | p, q, gamma; x) = G(px+q)/(G(px) G(q)) * gamma^q x^(px) z^(px-1) / (gamma + x z)^(px+q),
    for x >= 1 and z > 0 (other customers get NaN). Depends on the currency unit of z.
    """
    p, q, gamma = checked_parameters("Gamma-Gamma", fit, GAMMA_GAMMA_PARAMETERS, forecast=False)
    x, z = _spend_arrays(frequency, monetary)
    usable = (x > 0) & (z > 0)
    values = np.full_like(x, np.nan)
    with np.errstate(all="ignore"):
        values[usable] = _gamma_gamma_terms(p, q, gamma, x[usable], z[usable])[0]
    return values


def fit_gamma_gamma(frequency: object, monetary: object) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma fit (Fader & Hardie 2013) on customers with at least one repeat purchase.

    ``monetary`` is each customer's mean spend over their ``frequency`` repeat purchases (the first purchase
    excluded). Customers with x = 0 are ignored; repeat customers with mean spend <= 0 are excluded and counted
    in ``n_excluded``. Spend is rescaled by its mean for the optimiser and ``gamma`` scaled back, so it is in the
    currency unit of the input. With fewer than two usable customers the result has NaN parameters and
    ``converged=False``.
    """
    x, z = _spend_arrays(frequency, monetary)
    repeat = x > 0
    usable = repeat & (z > 0)
    n_customers, n_excluded = int(usable.sum()), int((repeat & ~usable).sum())
    if n_customers < 2:
        return GammaGammaFit(
            NO_FIT, NO_FIT, NO_FIT, NO_FIT, False,
            "fewer than two repeat customers with positive spend: the Gamma-Gamma model is not identified",
            n_customers, n_excluded,
        )
    x, z = x[usable], z[usable]
    scale = float(np.mean(z))
    (ux, uz), weights, _ = distinct_rows(x, z / scale)
    total = weights.sum()
    levels = np.unique(ux, return_inverse=True)

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, gamma = np.exp(log_params)
        values, jacobian = _gamma_gamma_terms(p, q, gamma, ux, uz, gradient=True, levels=levels)
        return weighted_objective(values, jacobian, weights, total)

    start = np.log([2.0, 3.0, 1.0])  # population mean p * gamma / (q - 1) = 1 = the rescaled mean spend
    log_params, converged, message = minimise(objective, start, 3)
    p, q, gamma_scaled = np.exp(log_params)
    gamma = gamma_scaled * scale
    with np.errstate(all="ignore"):
        log_likelihood = float(np.sum(_gamma_gamma_terms(p, q, gamma, x, z)[0]))
    if converged and not (math.isfinite(log_likelihood) and math.isfinite(gamma)):
        converged, message = False, f"{message}; the likelihood is not finite at the estimate in the data's units"
    return GammaGammaFit(
        float(p), float(q), float(gamma), log_likelihood, converged, message, n_customers, n_excluded
    )


def gamma_gamma_expected_spend(fit: GammaGammaFit, frequency: object, monetary: object) -> np.ndarray:
    """Expected spend per future purchase given x repeat purchases with mean spend z (Fader & Hardie 2013).

    E[M | p, q, gamma, z, x] = p (gamma + x z) / (p x + q - 1)
        = (q-1)/(px+q-1) * p gamma/(q-1) + px/(px+q-1) * z,
    a weighted average of the population mean p gamma/(q-1) and the customer's own mean. For x = 0 this is the
    population mean, which needs q > 1. Currency units of ``monetary``.

    Raises ``ValueError`` for a fit that did not converge, for a negative mean spend of a customer with repeat
    purchases (the model describes spend per purchase, which is positive; returns that outweigh a customer's
    purchases are outside it), where p x + q - 1 <= 0 (for x = 0: q <= 1, no population mean exists) and where the
    value overflows.
    """
    p, q, gamma = checked_parameters("Gamma-Gamma", fit, GAMMA_GAMMA_PARAMETERS)
    x, z = _spend_arrays(frequency, monetary)
    negative = (x > 0) & (z < 0)
    if np.any(negative):
        position = int(np.flatnonzero(negative)[0])
        raise ValueError(f"monetary must be >= 0 for customers with repeat purchases (the Gamma-Gamma model "
                         f"describes positive spend), got {z[position]:g} at position {position}")
    z = np.where(x > 0, z, 0.0)
    denominator = p * x + q - 1
    if np.any(denominator <= 0):
        raise ValueError(f"the expected spend needs p * x + q > 1 for every customer, got p={p:.6g}, q={q:.6g}: "
                         "with q <= 1 the population mean spend p * gamma / (q - 1) does not exist")
    with np.errstate(all="ignore"):
        spend = p * (gamma + x * z) / denominator
    return require_finite("E[spend]", spend, describe_parameters(fit, GAMMA_GAMMA_PARAMETERS))
