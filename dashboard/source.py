"""The data the app was started on instead of the embedded sample: an aggregates folder or an order file by path.

    streamlit run app.py -- --aggregates DIR   # a folder written by python -m retention_core.cli (any engine)
    streamlit run app.py -- --data PATH        # Parquet / CSV file or folder, or a DuckDB file (table transactions)
    streamlit run app.py -- --data PATH --customers FILE   # with the customers sheet (CSV / XLSX / Parquet)

The same settings can come from the environment (``RETENTION_AGGREGATES``, ``RETENTION_DATA``,
``RETENTION_CUSTOMERS``), e.g. in a service definition; the command line wins, and ``--aggregates`` wins over
``--data``. An aggregates folder carries its customers sheet already (``python -m retention_core.cli --customers``). Uploads on the Data page still work
and are shown instead while the sidebar says so.

An aggregates folder is read once per content (path, modification time and size of its files); a ``--data`` path is
aggregated on DuckDB once per content, period and activity window. Both caches are bounded and hold read-only
results that every session shares: ``st.cache_resource``, because copying millions of customer rows out of
``st.cache_data`` on every slider move would cost more than the slider itself.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import streamlit as st

from retention_core import engines, store
from retention_core.dataset import ACTIVITY_MONTHS, Aggregates, Dataset, aggregate
from retention_core.engines import QueryTimeout
from retention_core.ingest import LoadError
from retention_core.ingest.upload_flow import read_sheet_file
from retention_core.queries import PERIODS

ENVIRONMENT = {"aggregates": "RETENTION_AGGREGATES", "data": "RETENTION_DATA", "customers": "RETENTION_CUSTOMERS"}
_TTL_SECONDS = 24 * 3600


class SourceUnavailable(RuntimeError):
    """The configured path cannot be shown; the message says why in plain words."""


@dataclass(frozen=True)
class Configured:
    """A data source given at start: ``kind`` is ``"aggregates"`` or ``"data"``, ``path`` where it is;
    ``customers`` the customers sheet given with ``--data`` (None without)."""

    kind: str
    path: Path
    customers: Path | None = None

    @property
    def key(self) -> str:
        """Identifies the source for per-data-set settings (assumptions)."""
        return f"{self.kind}:{self.path}" + ("" if self.customers is None else f"+customers:{self.customers}")


def configured(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> Configured | None:
    """The source from the command line after ``--`` (``argv``, default ``sys.argv[1:]``) or the environment."""
    environ = os.environ if environ is None else environ
    return _configured(tuple(sys.argv[1:] if argv is None else argv),
                       tuple(environ.get(ENVIRONMENT[kind]) for kind in ("aggregates", "data", "customers")))


@functools.lru_cache(maxsize=8)
def _configured(argv: tuple[str, ...], environment: tuple[str | None, ...]) -> Configured | None:
    """:func:`configured` for one command line and environment: parsed once, not on each of a rerun's calls."""
    parse = argparse.ArgumentParser(add_help=False, allow_abbrev=False, exit_on_error=False)
    parse.add_argument("--aggregates")
    parse.add_argument("--data")
    parse.add_argument("--customers")
    try:
        args, _ = parse.parse_known_args(list(argv))
    except (argparse.ArgumentError, SystemExit):
        args = argparse.Namespace(aggregates=None, data=None, customers=None)
    customers = args.customers or environment[2]
    for kind, from_environment in zip(("aggregates", "data"), environment[:2]):
        value = getattr(args, kind) or from_environment
        if value:
            sheet = Path(customers).expanduser().resolve() if customers and kind == "data" else None
            return Configured(kind, Path(value).expanduser().resolve(), sheet)
    return None


def fixed_period(source: Configured | None) -> tuple[str, int] | None:
    """(period, activity_months) an aggregates folder was made for; None when the sidebar may choose."""
    if source is None or source.kind != "aggregates":
        return None
    try:
        manifest = _manifest(str(source.path), _stamp(source.path))
    except (store.AggregatesError, OSError):
        return None
    return manifest["period"], manifest["activity_months"]


def name(source: Configured) -> str:
    """What the sidebar calls the source: the folder or file name."""
    return source.path.name or str(source.path)


def aggregates(source: Configured, period: str, activity_months: int) -> Aggregates:
    """The aggregates of ``source``; :class:`SourceUnavailable` with the reason when it cannot be read."""
    try:
        if source.kind == "aggregates":
            return _read_folder(str(source.path), _stamp(source.path))
        customers = None if source.customers is None else (str(source.customers), _stamp(source.customers))
        return _aggregate_path(str(source.path), _stamp(source.path), period, activity_months, customers)
    except (engines.SourceError, store.AggregatesError, duckdb.Error, QueryTimeout, OSError, LoadError,
            ValueError) as error:
        raise SourceUnavailable(str(error).strip().splitlines()[0] if str(error).strip() else repr(error)) from error


def _stamp(path: Path) -> tuple[int, int]:
    """(newest modification time in ns, total size in bytes) of ``path`` and every file below it: the cache key."""
    if not path.exists():
        raise engines.SourceError(f"{path} does not exist")
    files = [path] if path.is_file() else [item for item in path.rglob("*") if item.is_file()]
    stats = [item.stat() for item in files]
    return max((stat.st_mtime_ns for stat in stats), default=0), sum(stat.st_size for stat in stats)


@st.cache_resource(max_entries=4, ttl=_TTL_SECONDS, show_spinner=False)
def _manifest(path: str, stamp: tuple[int, int]) -> dict:
    return store.read_manifest(path)


@st.cache_resource(max_entries=2, ttl=_TTL_SECONDS, show_spinner=False)
def _read_folder(path: str, stamp: tuple[int, int]) -> Aggregates:
    return store.read_aggregates(path)


@st.cache_resource(max_entries=len(PERIODS) * len(ACTIVITY_MONTHS), ttl=_TTL_SECONDS, show_spinner=False)
def _aggregate_path(path: str, stamp: tuple[int, int], period: str, activity_months: int,
                    customers: tuple[str, tuple[int, int]] | None = None) -> Aggregates:
    """The aggregates of the orders at ``path`` and, when given, the customers sheet at ``customers[0]`` (its stamp
    in the cache key beside it)."""
    source = engines.open_source(path)
    sheet = None if customers is None else read_sheet_file(customers[0], "customers").frame
    return aggregate(Dataset(transactions=source, customers=sheet, key=f"data:{path}", name=Path(path).name),
                     period, activity_months)
