"""The likelihood terms the optimiser evaluates (per distinct frequency, with analytic gradients) and the shared
optimiser of retention_core.models.fitting: stopped line searches, the bounded Nelder-Mead fallback, the weighted
objective."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, special

from retention_core.models import bg_nbd, fitting, gamma_gamma


# ---------------------------------------------------------------------------------------------------------------
# Likelihood terms per distinct frequency, their gradients, and the optimiser
# ---------------------------------------------------------------------------------------------------------------


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


def _scipy_openblas() -> object | None:
    """SciPy's own OpenBLAS of this installation (ctypes), None where its wheels do not bring one."""
    import ctypes
    import sys
    from pathlib import Path

    import scipy

    if not sys.platform.startswith("linux"):
        return None
    for path in (Path(scipy.__file__).resolve().parent.parent / "scipy.libs").glob("libscipy_openblas*.so"):
        library = ctypes.CDLL(str(path))
        if hasattr(library, "scipy_openblas_get_num_threads"):
            return library
    return None


def test_the_optimiser_runs_scipys_openblas_on_one_thread():
    library = _scipy_openblas()
    if library is None:
        pytest.skip("this SciPy brings no OpenBLAS of its own")
    fitting.optimiser_on_one_blas_thread.cache_clear()
    library.scipy_openblas_set_num_threads(2)
    try:
        fitting.minimise(lambda log_params: (float(log_params @ log_params), 2 * log_params), np.ones(2), 2)
        assert library.scipy_openblas_get_num_threads() == 1
    finally:
        fitting.optimiser_on_one_blas_thread.cache_clear()
