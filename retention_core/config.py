"""The configuration variables of the app and the command line, checked once at start-up with a clear message.

=================================  =========  ======================================================================
Variable                           Default    Meaning
=================================  =========  ======================================================================
``RETENTION_DUCKDB_THREADS``       ``2``      threads of each DuckDB database (a whole number, at least 1)
``RETENTION_DUCKDB_MEMORY_LIMIT``  ``2GB``    memory of each DuckDB database: a size (``2GB``, ``1.5GiB``,
                                              ``512MB``) or a share of the machine's memory (``50%``)
``RETENTION_QUERY_TIMEOUT_SECONDS`` ``120``   longest one SQL statement may run (seconds, more than 0)
``RETENTION_UPLOAD_MEMORY_LIMIT``  ``4GB``    address space of the worker process that reads one upload (a size,
                                              at least ``1GB``; see :mod:`retention_core.ingest.sandbox`)
``RETENTION_UPLOAD_SECONDS``       ``60``     longest reading and preparing one upload may take (seconds, more than 0)
``RETENTION_WORK_SLOTS``           ``2``      heavy jobs of all sessions that run at once (a whole number, at least 1;
                                              see ``dashboard.work_queue.WorkQueue``)
=================================  =========  ======================================================================

:func:`check` reads them all and raises :class:`ConfigurationError` naming every variable that is wrong, its value
and what it accepts, so a typo stops the server at start-up instead of failing at the first upload. The readers
(:func:`upload_memory_bytes`, ...) are for code that runs after the check.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping

DEFAULTS = {
    "RETENTION_DUCKDB_THREADS": "2",
    "RETENTION_DUCKDB_MEMORY_LIMIT": "2GB",
    "RETENTION_QUERY_TIMEOUT_SECONDS": "120",
    "RETENTION_UPLOAD_MEMORY_LIMIT": "4GB",
    "RETENTION_UPLOAD_SECONDS": "60",
    "RETENTION_WORK_SLOTS": "2",
}
#: The least address space the upload worker can start a read in: its interpreter and libraries alone map ~0.7 GB.
MIN_UPLOAD_MEMORY_BYTES = 1024**3
#: The least memory a DuckDB database is given (below it every query fails).
MIN_DUCKDB_MEMORY_BYTES = 64 * 1024**2

_UNITS = {
    "": 1, "b": 1, "byte": 1, "bytes": 1,
    "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3, "t": 1000**4, "tb": 1000**4,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4,
}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", re.IGNORECASE)
_SHARE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*%\s*")


class ConfigurationError(ValueError):
    """One or more configuration variables are invalid; the message has one line per variable."""


def size_bytes(text: str) -> int:
    """A size as DuckDB writes it, in bytes: ``2GB`` -> 2,000,000,000, ``1.5GiB`` -> 1,610,612,736, ``512`` bytes.
    ``ValueError`` for anything else (a share such as ``50%`` included)."""
    match = _SIZE.fullmatch(text)
    unit = match.group(2).lower() if match else None
    if unit not in _UNITS:
        raise ValueError(f"not a size: {text!r}")
    return int(float(match.group(1)) * _UNITS[unit])


def memory_limit_bytes(text: str) -> int:
    """:func:`size_bytes`, or a share of the machine's physical memory (``50%``)."""
    share = _SHARE.fullmatch(text)
    if share:
        return int(float(share.group(1)) / 100 * _physical_memory())
    return size_bytes(text)


def _physical_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _value(name: str, environ: Mapping[str, str] | None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get(name, DEFAULTS[name])


def duckdb_threads(environ: Mapping[str, str] | None = None) -> int:
    return int(_value("RETENTION_DUCKDB_THREADS", environ))


def duckdb_memory_limit(environ: Mapping[str, str] | None = None) -> str:
    """The DuckDB memory limit as written (DuckDB reads it)."""
    return _value("RETENTION_DUCKDB_MEMORY_LIMIT", environ).strip()


def query_timeout_seconds(environ: Mapping[str, str] | None = None) -> float:
    return float(_value("RETENTION_QUERY_TIMEOUT_SECONDS", environ))


def upload_memory_bytes(environ: Mapping[str, str] | None = None) -> int:
    return size_bytes(_value("RETENTION_UPLOAD_MEMORY_LIMIT", environ))


def upload_seconds(environ: Mapping[str, str] | None = None) -> float:
    return float(_value("RETENTION_UPLOAD_SECONDS", environ))


def _whole_number(text: str) -> None:
    if not re.fullmatch(r"\s*\d+\s*", text) or not 1 <= int(text) <= 1024:
        raise ValueError("a whole number from 1 to 1024")


def _seconds(text: str) -> None:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= 24 * 3600):
        raise ValueError("a number of seconds above 0 and at most 86400, e.g. 120")


def _duckdb_memory(text: str) -> None:
    try:
        limit = memory_limit_bytes(text)
    except ValueError:
        raise ValueError("a size such as 2GB, 1.5GiB or 512MB, or a share of the memory such as 50%") from None
    if limit < MIN_DUCKDB_MEMORY_BYTES:
        raise ValueError("at least 64MB")
    import duckdb  # DuckDB itself has the last word on what it reads

    try:
        duckdb.connect(":memory:", config={"memory_limit": text}).close()
    except duckdb.Error as error:
        raise ValueError(f"DuckDB refuses it ({str(error).splitlines()[0]})") from None


def _upload_memory(text: str) -> None:
    try:
        limit = size_bytes(text)
    except ValueError:
        raise ValueError("a size such as 4GB or 3.5GiB") from None
    if limit < MIN_UPLOAD_MEMORY_BYTES:
        raise ValueError("at least 1GiB (the worker's libraries alone take about 0.7 GB)")


_CHECKS: dict[str, Callable[[str], None]] = {
    "RETENTION_DUCKDB_THREADS": _whole_number,
    "RETENTION_DUCKDB_MEMORY_LIMIT": _duckdb_memory,
    "RETENTION_QUERY_TIMEOUT_SECONDS": _seconds,
    "RETENTION_UPLOAD_MEMORY_LIMIT": _upload_memory,
    "RETENTION_UPLOAD_SECONDS": _seconds,
    "RETENTION_WORK_SLOTS": _whole_number,
}


def problems(environ: Mapping[str, str] | None = None) -> list[str]:
    """One line per invalid configuration variable: its name, its value and what it accepts; empty when all fit."""
    found = []
    for name, check in _CHECKS.items():
        value = _value(name, environ)
        try:
            check(value)
        except ValueError as error:
            found.append(f"{name}={value!r} is invalid: expected {error}")
    return found


def check(environ: Mapping[str, str] | None = None) -> None:
    """Raise :class:`ConfigurationError` listing every invalid configuration variable (see the module docstring)."""
    found = problems(environ)
    if found:
        raise ConfigurationError("; ".join(found))
