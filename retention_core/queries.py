"""Run the SQL files in ``retention_core/sql`` on DuckDB, one function per query.

Every query runs on its own cursor of one process-wide, in-memory DuckDB database. The database holds no
user data: frames are registered by name on the cursor, which is closed when the query returns, so nothing
one session registers is visible to another. External access (files, HTTP, extension downloads) is off and the
configuration is locked, so SQL can only see the frames handed to it. Values reach SQL only as ``$params``;
column names from uploads never do (frames are renamed to canonical names before they get here).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).parent / "sql"

PERIODS = ("month", "quarter", "year")


@functools.cache
def _database() -> duckdb.DuckDBPyConnection:
    """The process-wide in-memory database; limits come from the environment (see README, "Configuration")."""
    config = {
        "threads": int(os.environ.get("RETENTION_DUCKDB_THREADS", "2")),
        "memory_limit": os.environ.get("RETENTION_DUCKDB_MEMORY_LIMIT", "2GB"),
        "enable_external_access": False,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    database = duckdb.connect(":memory:", config=config)
    database.execute("SET lock_configuration = true")
    return database


@functools.cache
def load_sql(name: str) -> str:
    """Text of ``sql/<name>.sql``; ``name`` is a query name from this package, never user input."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run_sql(name: str, params: Mapping[str, object] | None = None, **tables: pd.DataFrame) -> pd.DataFrame:
    """Run ``sql/<name>.sql`` on a private cursor with ``tables`` registered under their keyword names.

    >>> run_sql("period_activity", {"period": "quarter"}, transactions=frame)  # doctest: +SKIP
    """
    cursor = _database().cursor()
    try:
        for table_name, frame in tables.items():
            cursor.register(table_name, frame)
        return cursor.execute(load_sql(name), dict(params or {})).df()
    finally:
        cursor.close()


def check_period(period: str) -> str:
    """Return ``period`` if it is one of :data:`PERIODS`, else raise ``ValueError``."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    return period
