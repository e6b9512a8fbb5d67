"""What every formula of :mod:`retention_core.metrics` shares: the checks of its arguments and the promise of a
finite result.

Each check returns the checked value as a float (or array) and raises ``ValueError`` naming the argument, what is
wrong, and the value given. :func:`_finite_results` wraps every public function of a formula module so that it
returns a finite number or raises ``ValueError`` instead.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import numbers
from collections.abc import Callable

import numpy as np

# Sums like 0.95 + 0.05 may land a rounding error above 1; closer than this counts as exactly 1.
_ROUNDING_SLACK = 1e-12


def _show(value: object) -> str:
    """The value as it should appear in an error message (numpy scalars shown as plain numbers)."""
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(name: str, value: object) -> float:
    """A finite real number (bools and strings are rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {_show(value)}")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond the largest float
        raise ValueError(f"{name} must be a finite number, got {_show(value)}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {_show(value)}")
    return number


def _non_negative(name: str, value: object) -> float:
    """A finite number >= 0 (counts, money spent)."""
    number = _number(name, value)
    if number < 0:
        raise ValueError(f"{name} must be >= 0, got {_show(value)}")
    return number


def _positive(name: str, value: object) -> float:
    """A finite number > 0 (denominators)."""
    number = _number(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be > 0, got {_show(value)}")
    return number


def _fraction(name: str, value: object) -> float:
    """A rate between 0 and 1 inclusive."""
    number = _number(name, value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be a fraction between 0 and 1 (0.9 = 90 %), got {_show(value)}")
    return number


def _discount_rate(name: str, value: object) -> float:
    """A discount rate above −1 (at −1 money would be worth infinitely more next period)."""
    number = _number(name, value)
    if number <= -1.0:
        raise ValueError(f"{name} must be > -1, got {_show(value)}")
    return number


def _part_of_whole(part_name: str, part: float, whole_name: str, whole: float) -> None:
    """A sub-count cannot exceed the count it is part of."""
    if part > whole:
        raise ValueError(f"{part_name} ({part:g}) cannot exceed {whole_name} ({whole:g})")


def _converges(r: float, i: float) -> None:
    """The infinite discounted sum of r^t / (1 + i)^t is finite only if r < 1 + i."""
    if r >= 1.0 + i:
        raise ValueError(
            "retention_rate must be < 1 + discount_rate for the infinite-horizon sum to converge, "
            f"got retention_rate={r:g}, discount_rate={i:g}"
        )


def _whole_number(name: str, value: object, minimum: int) -> int:
    """An integer >= minimum (horizons in periods)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number of periods, got {_show(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {_show(value)}")
    return int(value)


def _values(name: str, values: object, low: float | None = None, high: float | None = None) -> np.ndarray:
    """A non-empty one-dimensional sequence of finite numbers, optionally within [low, high]."""
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise ValueError(f"{name} must be a sequence of numbers, got {_show(values)}")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must contain only numbers, got {_show(values)}") from None
    if array.size == 0:
        raise ValueError(f"{name} must contain at least one value, got an empty sequence")
    _first_bad(name, array, ~np.isfinite(array), "must contain only finite numbers")
    if low is not None and high is not None:
        _first_bad(name, array, (array < low) | (array > high), f"must be between {low:g} and {high:g}")
    return array


def _first_bad(name: str, array: np.ndarray, bad: np.ndarray, problem: str) -> None:
    """Raise for the first position where ``bad`` is true, naming that position and its value."""
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} {problem}, got {array[position]:g} at position {position}")


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator as a float; callers have already checked the denominator."""
    return float(numerator / denominator)


# --------------------------------------------------------------------------------------------------------------
# The promise of every public function: a finite result, or a ValueError
# --------------------------------------------------------------------------------------------------------------

#: Result fields that are infinite by definition (an expected lifetime at retention 1, see UpliftResult).
_INFINITE_BY_DEFINITION = frozenset({"lifetime_before", "lifetime_after"})


def _finite_result(function: Callable) -> Callable:
    """``function`` that raises ``ValueError`` instead of returning a number that is not finite.

    Valid inputs can still be too large for floating point (a margin of 1e308 times a margin multiple of 10, a
    divisor of 1e-320): the result or an intermediate overflows. Python's float arithmetic then raises
    ``OverflowError`` or ``ZeroDivisionError`` and NumPy warns and returns infinity; here the warnings are silenced,
    the result is checked and either case becomes a ``ValueError`` that names the function.
    """

    @functools.wraps(function)
    def checked(*args: object, **kwargs: object) -> object:
        try:
            with np.errstate(all="ignore"):
                result = function(*args, **kwargs)
        except (OverflowError, ZeroDivisionError, FloatingPointError) as error:
            raise ValueError(f"{function.__name__}: the inputs are too large for a finite result ({error})") from None
        values = ({field.name: getattr(result, field.name) for field in dataclasses.fields(result)
                   if field.name not in _INFINITE_BY_DEFINITION}
                  if dataclasses.is_dataclass(result) else {"result": result})
        bad = [name for name, value in values.items() if isinstance(value, float) and not math.isfinite(value)]
        if bad:
            raise ValueError(f"{function.__name__}: the inputs are too large for a finite result "
                             f"({', '.join(bad)} would be {values[bad[0]]!r})")
        return result

    return checked


def _finite_results(namespace: dict[str, object]) -> None:
    """Wrap every function listed in a formula module's ``__all__`` (``namespace`` is its ``globals()``) in
    :func:`_finite_result`; called once at the end of each formula module, so a formula calling another one calls
    the checked version, as the pages do."""
    for name in namespace["__all__"]:
        if inspect.isfunction(namespace[name]):
            namespace[name] = _finite_result(namespace[name])
