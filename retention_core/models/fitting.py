"""The maximum-likelihood machinery the BTYD and sBG models share: argument checks and the optimiser.

Likelihoods are computed in log space, vectorised over customers; identical rows are aggregated with weights
(:func:`distinct_rows`) before fitting. Parameters are optimised on the log scale with L-BFGS-B (analytic gradients)
and a Nelder-Mead fallback (:func:`minimise`). A fit never raises on data it accepted: when the optimiser fails or a
parameter runs to its bound, the result says ``converged=False`` with a ``message``. Invalid input (wrong shapes,
negative counts, recency > T, percent instead of fractions) raises ``ValueError``.

Forecasts refuse a fit that did not converge or has a parameter that is not a finite number > 0
(:func:`checked_parameters`), and never return NaN or infinity (:func:`require_finite`).

The names here are used by the model modules (:mod:`.bg_nbd`, :mod:`.gamma_gamma`, :mod:`.sbg`, :mod:`.clv`); they
are not part of the package's public API.
"""

from __future__ import annotations

import ctypes
import functools
import math
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from retention_core.models.scipy_on_first_use import optimize

__all__ = [
    "NO_FIT",
    "Objective",
    "checked_parameters",
    "customer_arrays",
    "describe_parameters",
    "distinct_rows",
    "float_vector",
    "minimise",
    "optimiser_on_one_blas_thread",
    "require_finite",
    "same_length_vectors",
    "weighted_objective",
]

_LOG_BOUND = math.log(1e8)  # parameters live in [1e-8, 1e8] on the optimiser's (rescaled) scale
NO_FIT = float("nan")
#: Largest gradient component (of the mean negative log-likelihood in log-parameters) at which a L-BFGS-B run that
#: stopped in its line search counts as converged (see :func:`minimise`).
_STATIONARY_GRADIENT = 1e-6
#: Likelihood evaluations per parameter after which the Nelder-Mead fallback of :func:`minimise` gives up. From the
#: L-BFGS-B estimate, or half a unit away on the log scale, it converges in 300-550 evaluations for the BG/NBD and
#: 200-350 for Gamma-Gamma (CDNOW). Where the likelihood does not let it settle (a model the data do not identify),
#: it would otherwise not stop on a large sample; then the fit reports that it did not converge.
_NELDER_MEAD_EVALUATIONS = 300


def float_vector(name: str, values: object) -> np.ndarray:
    array = np.asarray(values, dtype="float64")
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return array


def same_length_vectors(names: str, *values: object) -> list[np.ndarray]:
    """Float vectors of equal length; single numbers (0-d) are repeated to that length."""
    arrays = [float_vector(name, value) for name, value in zip(names.split(", "), values, strict=True)]
    lengths = {array.size for array, value in zip(arrays, values, strict=True) if np.ndim(value) != 0}
    if len(lengths) > 1:
        sizes = ", ".join(str(array.size) for array in arrays)
        raise ValueError(f"{names} must have the same length, got {sizes}")
    return [np.array(array) for array in np.broadcast_arrays(*arrays)]


def customer_arrays(frequency: object, recency: object, T: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated float arrays (x, t_x, T) of a BTYD summary."""
    x, t_x, big_t = same_length_vectors("frequency, recency, T", frequency, recency, T)
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must be whole numbers >= 0 (repeat purchase days)")
    if np.any(t_x < 0) or np.any(big_t < 0):
        raise ValueError("recency and T must be >= 0")
    if np.any(t_x > big_t * (1 + 1e-9) + 1e-12):
        raise ValueError("recency must not exceed T (last purchase after the end of observation)")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("recency must be 0 where frequency is 0 (no repeat purchase)")
    return x, t_x, big_t


def distinct_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of equal-length columns, their counts, and the index of each input row's distinct row."""
    order = np.lexsort(columns[::-1])
    ordered = [column[order] for column in columns]
    new_row = np.ones(order.size, dtype=bool)
    if order.size > 1:
        new_row[1:] = np.any(np.diff(np.vstack(ordered), axis=1) != 0, axis=0)
    group = np.cumsum(new_row) - 1
    inverse = np.empty(order.size, dtype="int64")
    inverse[order] = group
    counts = np.bincount(group).astype("float64")
    return [column[new_row] for column in ordered], counts, inverse


def checked_parameters(model: str, fit: object, names: tuple[str, ...], forecast: bool = True) -> tuple[float, ...]:
    """The parameters ``names`` of ``fit`` as floats; ``ValueError`` unless each is a finite number > 0 and, for a
    forecast, the fit converged (a fit that did not converge has no estimate to forecast from)."""
    if forecast and not getattr(fit, "converged", True):
        message = getattr(fit, "message", "") or "no message"
        raise ValueError(f"the {model} fit did not converge ({message}); it cannot be used to forecast")
    values = tuple(float(getattr(fit, name)) for name in names)
    bad = [f"{name}={value!r}" for name, value in zip(names, values, strict=True)
           if not (math.isfinite(value) and value > 0)]
    if bad:
        raise ValueError(f"{model} parameters must be finite numbers > 0, got {', '.join(bad)}")
    return values


def require_finite(what: str, values: np.ndarray, parameters: str) -> np.ndarray:
    """``values`` when all are finite; else ``ValueError``: the inputs are beyond what floating point evaluates."""
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{what} is not a finite number at {parameters} for these inputs: the parameters or times "
                         "are too extreme to evaluate")
    return values


def describe_parameters(fit: object, names: tuple[str, ...]) -> str:
    return ", ".join(f"{name}={float(getattr(fit, name)):.6g}" for name in names)


Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]

_blas_lock = threading.Lock()


@functools.cache
def optimiser_on_one_blas_thread() -> bool:
    """Run the OpenBLAS that SciPy's wheels bring (``scipy.libs``) on one thread; True when it was found and set.

    L-BFGS-B calls it on matrices of a few dozen numbers (twice its memory of ten steps, times the parameters):
    nothing to share between threads, but each call woke OpenBLAS's threads, and on a machine with few, busy cores
    that waiting cost more than the fit (the sBG fits of 22 cohorts took 0.2-1.3 CPU seconds instead of 0.05 s, the
    BG/NBD fit on 100,000 customers 0.19-0.33 s instead of 0.10-0.13 s; ``docs/performance.md``). The fitted numbers
    are the same. Only SciPy's copy of OpenBLAS is set (NumPy's wheels bring their own, which this leaves alone), and
    SciPy uses it here only for the optimiser. Done once per process, on the first fit; elsewhere (a SciPy built
    against another BLAS, not Linux) nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return False
    import scipy.optimize  # on the first fit (scipy_on_first_use); it loads the OpenBLAS set here

    with _blas_lock:
        for path in sorted((Path(scipy.__file__).resolve().parent.parent / "scipy.libs").glob("libscipy_openblas*.so")):
            try:
                library = ctypes.CDLL(str(path))  # already loaded by scipy.optimize: the same copy
                set_threads = getattr(library, "scipy_openblas_set_num_threads")
            except (OSError, AttributeError):
                continue
            set_threads(1)
            return True
    return False


def weighted_objective(
    values: np.ndarray, jacobian: np.ndarray, weights: np.ndarray, total: float
) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood of weighted distinct rows and its gradient: -sum(w * l) / n, -(J @ w) / n.

    Summed with ``einsum``, not BLAS (``@``): a product of this size woke OpenBLAS's threads at every evaluation,
    and on a machine with few cores that slowed the optimiser's own steps too. The fitted parameters agree with
    those of the BLAS sum to 12 digits.
    """
    return -float(np.einsum("i,i", weights, values)) / total, -np.einsum("ij,j", jacobian, weights) / total


def minimise(objective: Objective, start: np.ndarray, n_params: int) -> tuple[np.ndarray, bool, str]:
    """Minimise a mean negative log-likelihood over log-parameters; never raises.

    L-BFGS-B with the analytic gradient first; Nelder-Mead from the best point so far when that fails. A
    L-BFGS-B run whose line search stops while every gradient component is within :data:`_STATIONARY_GRADIENT`
    of zero has found the optimum as well as the float rounding of the likelihood allows (Nelder-Mead then only
    confirms the same point, in a few hundred evaluations): it counts as converged. Nelder-Mead stops after
    :data:`_NELDER_MEAD_EVALUATIONS` evaluations per parameter.
    Returns (log-parameters, converged, message); converged is False when a parameter sits on its bound.
    """
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * n_params
    optimiser_on_one_blas_thread()

    def safe(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = objective(log_params)
        if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
            return 1e10, np.zeros(n_params)
        return value, gradient

    best, converged, message = np.asarray(start, dtype="float64"), False, "not started"
    with np.errstate(all="ignore"):
        try:
            result = optimize.minimize(
                safe, best, jac=True, method="L-BFGS-B", bounds=bounds,
                options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9},
            )
            best, converged, message = result.x, bool(result.success), f"L-BFGS-B: {result.message}"
            if not converged and np.all(np.abs(result.jac) <= _STATIONARY_GRADIENT):
                converged, message = True, f"{message} (gradient within {_STATIONARY_GRADIENT:g} of zero)"
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
            message = f"L-BFGS-B failed: {error}"
        if not converged:
            try:
                result = optimize.minimize(
                    lambda log_params: safe(log_params)[0], best, method="Nelder-Mead", bounds=bounds,
                    options={"maxfev": _NELDER_MEAD_EVALUATIONS * n_params, "xatol": 1e-9, "fatol": 1e-13},
                )
                best, converged = result.x, bool(result.success)
                message = f"{message}; Nelder-Mead: {result.message}"
            except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
                message = f"{message}; Nelder-Mead failed: {error}"
        value = safe(best)[0]
    if not np.isfinite(value) or value >= 1e10:
        return best, False, f"{message}; the likelihood is not finite at the estimate"
    if np.any(np.abs(best) > _LOG_BOUND - 1e-3):
        return best, False, f"{message}; a parameter ran to its bound (the data do not identify the model)"
    return best, converged, message
