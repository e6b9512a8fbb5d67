"""The embedded default engine: DuckDB in this process, running the SQL files as they are.

DuckDB keeps today's safety: frames run on a private cursor of one process-wide in-memory database whose external
access is off and whose configuration is locked. A path source never touches that database: it gets its own
connection that may read only the source's file or folder.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from retention_core import config, scratch
from retention_core.engines.base import (
    CANONICAL_TYPES,
    QueryTimeout,
    SourceError,
    Table,
    TableSource,
    load_sql,
)
from retention_core.config import query_timeout_seconds


def _duckdb_config(threads: int | None = None, memory_limit: str | None = None) -> dict[str, object]:
    return {
        "threads": threads or config.duckdb_threads(),
        "memory_limit": memory_limit or config.duckdb_memory_limit(),
        # hand freed memory back to the system after each query instead of keeping up to 128 MiB per thread pooled
        "allocator_flush_threshold": "16MiB",
        # a query beyond the memory limit spills into this process's private directory (mode 0700, removed at exit),
        # never into ".tmp" of the working directory, DuckDB's default; none at all in the upload worker
        "temp_directory": str(scratch.spill_directory() or ""),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }


def _locked_database(*, block_pool: bool = False, threads: int | None = None, memory_limit: str | None = None
                     ) -> duckdb.DuckDBPyConnection:
    """A new in-memory database for frames, external access off and configuration locked; limits come from the
    environment (README, "Scaling out") unless ``threads`` / ``memory_limit`` are given. ``block_pool``: see
    :func:`_pool_blocks`."""
    connection = duckdb.connect(":memory:", config=_duckdb_config(threads, memory_limit))
    connection.execute("SET enable_external_access = false")  # after the spill directory is set, not with it
    if block_pool:
        _pool_blocks(connection, memory_limit)
    return _locked(connection)


def _pool_blocks(connection: duckdb.DuckDBPyConnection, memory_limit: str | None = None) -> None:
    """Let ``connection``'s database keep the memory of the blocks it frees, up to its memory limit, and reuse it.

    Only for a database that is closed after its query: the kept memory is given back when it closes. Without the
    pool DuckDB hands a freed block's memory back to the system and asks for new memory for the next block, and
    the kernel's share of that work is large on big queries; with the pool the customer summary of a large upload
    spends far less time in the kernel. DuckDB refuses a pool larger than the address space it reserves for it
    (80 % of the memory it finds); the database then runs without one.
    """
    try:
        connection.execute("SET block_allocator_memory = $limit",
                           {"limit": _duckdb_config(memory_limit=memory_limit)["memory_limit"]})
    except duckdb.InvalidInputException:
        pass


def _locked(connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """``connection`` without a progress bar (a long query would draw one on the server's stdout) and with its
    configuration locked, so no query can change a limit or reopen external access."""
    connection.execute("SET enable_progress_bar = false")
    connection.execute("SET lock_configuration = true")
    return connection


@functools.cache
def _shared_database() -> duckdb.DuckDBPyConnection:
    """The process-wide in-memory database for frames (a query runs on a private cursor of it)."""
    return _locked_database()


def _path_connection(
    database_file: Path | None = None, readable: tuple[Path, ...] = ()
) -> duckdb.DuckDBPyConnection:
    """A new connection that may read only ``readable`` files / folders (and ``database_file``, opened read-only).
    It serves one query and is closed after it, so it keeps the blocks it frees (:func:`_pool_blocks`)."""
    if database_file is None:
        connection = duckdb.connect(":memory:", config=_duckdb_config())
    else:
        connection = duckdb.connect(str(database_file), read_only=True, config=_duckdb_config())
    _pool_blocks(connection)
    files = [str(path) for path in readable if not path.is_dir()]
    folders = [str(path) + os.sep for path in readable if path.is_dir()]
    if files:
        connection.execute("SET allowed_paths = $paths", {"paths": files})
    if folders:
        connection.execute("SET allowed_directories = $paths", {"paths": folders})
    connection.execute("SET enable_external_access = false")
    return _locked(connection)


def _glob(source: TableSource) -> str:
    return str(source.path / "**" / f"*.{source.format}") if source.path.is_dir() else str(source.path)


def _duckdb_relation(
    source: TableSource, connection: duckdb.DuckDBPyConnection | None = None
) -> tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyRelation]:
    """The raw relation of a Parquet / CSV ``source`` (on ``connection``, else on a new one limited to its path)."""
    connection = connection or _path_connection(readable=(source.path,))
    if source.format == "parquet":
        relation = connection.read_parquet(_glob(source), union_by_name=True)
    else:
        relation = connection.read_csv(_glob(source), header=True, all_varchar=True, delimiter=",")
    return connection, relation


def _canonical_duckdb(relation: duckdb.DuckDBPyRelation, source: TableSource) -> duckdb.DuckDBPyRelation:
    """``relation`` with the canonical columns cast to their types and ``null_columns`` added as typed NULL."""
    expressions = [
        duckdb.ColumnExpression(source.stored_name(name)).cast(duckdb.sqltype(CANONICAL_TYPES[name])).alias(name)
        for name in source.columns
    ]
    expressions += [
        duckdb.ConstantExpression(None).cast(duckdb.sqltype(CANONICAL_TYPES.get(name, "VARCHAR"))).alias(name)
        for name in source.null_columns
    ]
    return relation.select(*expressions)


@dataclass(frozen=True)
class DuckDBEngine:
    """The embedded default: DuckDB in this process.

    Frames run on a private cursor of a locked in-memory database (external access off), registered by name and gone
    when the query returns. That database is the process-wide one, or with ``fresh_database`` a new one per call,
    closed when it returns: DuckDB keeps the memory a query used for later queries of the same database, and only
    closing the database gives it back (for runs of large queries, see :func:`retention_core.dataset.aggregate`).
    A fresh database keeps the blocks it frees for reuse (:func:`_pool_blocks`); the parts of ``run_arrow_each``
    share one database, so each part reuses the memory of the one before.
    When a table is a :class:`TableSource`, the query runs on a connection of its own that may read only the
    sources' paths (a DuckDB database file is opened read-only as that connection's database). A statement still
    running after :func:`query_timeout_seconds` is interrupted: :class:`QueryTimeout`.

    ``threads`` and ``memory_limit``: limits of the fresh databases lower than the environment's, for a query whose
    peak matters more than its speed (DuckDB's hash tables are partitioned per thread; beyond its memory limit a
    query spills to disk); None takes the environment's.
    """

    name: str = "duckdb"
    fresh_database: bool = False
    threads: int | None = None
    memory_limit: str | None = None

    def run(self, query: str, params: Mapping[str, object], tables: Mapping[str, Table]) -> pd.DataFrame:
        frames = self._fetch(
            query, [params], tables, lambda connection, sql, values: connection.execute(sql, values).df()
        )
        return frames[0]

    def run_arrow(self, query: str, params: Mapping[str, object], tables: Mapping[str, Table]) -> pa.Table:
        return self.run_arrow_each(query, [params], tables)[0]

    def run_arrow_each(
        self, query: str, params_each: Sequence[Mapping[str, object]], tables: Mapping[str, Table]
    ) -> list[pa.Table]:
        # a relation straight to Arrow; through execute() DuckDB would copy the rows once more
        return self._fetch(
            query, params_each, tables,
            lambda connection, sql, values: connection.sql(sql, params=values).to_arrow_table(),
        )

    def _fetch(
        self, query: str, params_each: Sequence[Mapping[str, object]], tables: Mapping[str, Table],
        fetch: Callable[[duckdb.DuckDBPyConnection, str, dict[str, object]], object],
    ) -> list:
        """``fetch`` of ``query`` once per parameter set, all on one connection; each statement has its own timeout.
        A query that runs out of memory under this engine's own lower ``memory_limit`` runs again under the
        environment's."""
        sources = {name: table for name, table in tables.items() if isinstance(table, TableSource)}
        if self.memory_limit is not None and self.fresh_database and not sources:
            try:
                return self._fetch_once(query, params_each, tables, fetch)
            except duckdb.OutOfMemoryException:
                return replace(self, threads=None, memory_limit=None)._fetch_once(query, params_each, tables, fetch)
        return self._fetch_once(query, params_each, tables, fetch)

    def _fetch_once(
        self, query: str, params_each: Sequence[Mapping[str, object]], tables: Mapping[str, Table],
        fetch: Callable[[duckdb.DuckDBPyConnection, str, dict[str, object]], object],
    ) -> list:
        sources = {name: table for name, table in tables.items() if isinstance(table, TableSource)}
        if sources:
            connection = self._source_connection(sources)
        else:
            limits = {name: value for name, value in (("threads", self.threads), ("memory_limit", self.memory_limit))
                      if value is not None}
            connection = (_locked_database(block_pool=True, **limits) if self.fresh_database
                          else _shared_database().cursor())
        try:
            for table_name, table in tables.items():
                if isinstance(table, TableSource):
                    self._register_source(connection, table_name, table)
                else:
                    connection.register(table_name, table)
            sql = load_sql(query)
            return [
                self._timed(query, connection, lambda values=dict(params): fetch(connection, sql, values))
                for params in params_each
            ]
        finally:
            connection.close()

    @staticmethod
    def _timed(query: str, connection: duckdb.DuckDBPyConnection, fetch: Callable[[], object]) -> object:
        """``fetch()``, interrupted after :func:`query_timeout_seconds` (:class:`QueryTimeout`)."""
        timer = threading.Timer(query_timeout_seconds(), connection.interrupt)
        timer.daemon = True
        try:
            timer.start()
            return fetch()
        except duckdb.InterruptException as error:
            raise QueryTimeout(
                f"query {query} took longer than {query_timeout_seconds():g} s and was stopped"
            ) from error
        finally:
            timer.cancel()
            if timer.ident is not None:  # started: wait out an interrupt already under way, never close beneath it
                timer.join()

    @staticmethod
    def _source_connection(sources: Mapping[str, TableSource]) -> duckdb.DuckDBPyConnection:
        database_files = {source.path for source in sources.values() if source.format == "duckdb"}
        if len(database_files) > 1:
            raise SourceError("one query can read tables of one DuckDB database file only")
        readable = tuple(source.path for source in sources.values() if source.format != "duckdb")
        return _path_connection(next(iter(database_files), None), readable)

    @staticmethod
    def _register_source(connection: duckdb.DuckDBPyConnection, table_name: str, source: TableSource) -> None:
        if source.format == "duckdb":
            relation = connection.table(source.table)
        else:
            relation = _duckdb_relation(source, connection)[1]
        connection.register(table_name, _canonical_duckdb(relation, source))


#: the engine every query runs on unless it is handed another
DEFAULT_ENGINE = DuckDBEngine()
