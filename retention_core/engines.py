"""Where the SQL files run: embedded DuckDB (the default) or Apache Spark, behind one small interface.

The ``.sql`` files are written once, in DuckDB's dialect, in the subset of SQL that Spark also accepts.
:class:`DuckDBEngine` runs them as they are; :class:`SparkEngine` transpiles each file once with ``sqlglot``
(``read="duckdb"``, ``write="spark"``) and binds the values as Spark named parameters (``:name``), so on both
engines values reach SQL only as parameters, never as text.

A table handed to an engine is a pandas frame or a :class:`TableSource`, a Parquet / CSV file or folder or a table
of a DuckDB database file given by path. Path sources must already use the canonical column names
(``customer_id, order_date, amount`` and optionally ``product, quantity, gross_margin``, see
:data:`CANONICAL_TYPES`); both engines cast them to the canonical types before the query sees them.

DuckDB keeps today's safety: frames run on a private cursor of one process-wide in-memory database whose external
access is off and whose configuration is locked. A path source never touches that database: it gets its own
connection that may read only the source's file or folder.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, Union, runtime_checkable

import duckdb
import pandas as pd
import pyarrow as pa

from retention_core import scratch

SQL_DIR = Path(__file__).parent / "sql"

#: The canonical column types of a path source (DuckDB type names); see ``columns.py`` for their meaning.
CANONICAL_TYPES: dict[str, str] = {
    "customer_id": "VARCHAR",
    "order_date": "TIMESTAMP",
    "amount": "DOUBLE",
    "product": "VARCHAR",
    "quantity": "DOUBLE",
    "gross_margin": "DOUBLE",
    "order_id": "VARCHAR",
}
REQUIRED_COLUMNS = ("customer_id", "order_date", "amount")
SOURCE_FORMATS = ("parquet", "csv", "duckdb")
_SPARK_TYPES = {"VARCHAR": "string", "TIMESTAMP": "timestamp", "DOUBLE": "double"}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class QueryTimeout(RuntimeError):
    """A query ran longer than :func:`query_timeout_seconds` and was interrupted."""


def query_timeout_seconds() -> float:
    """Longest a single statement may run, from ``RETENTION_QUERY_TIMEOUT_SECONDS`` (default 120 s)."""
    return float(os.environ.get("RETENTION_QUERY_TIMEOUT_SECONDS", "120"))


@functools.cache
def load_sql(name: str) -> str:
    """Text of ``sql/<name>.sql``; ``name`` is a query name from this package, never user input."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


# --- path sources --------------------------------------------------------------------------------------------


class SourceError(ValueError):
    """A path that cannot serve as a table: missing, of an unknown kind, unreadable, or without canonical columns."""


@dataclass(frozen=True)
class TableSource:
    """A table stored outside the process, read by the engine itself (no rows pass through pandas).

    ``path``: a Parquet or CSV file, a folder of them (read recursively), or a DuckDB database file.
    ``format``: ``"parquet"``, ``"csv"`` (comma-separated, header line with the canonical names, ISO dates, decimal
    point) or ``"duckdb"``. ``table``: the table to read from a DuckDB database file. ``columns``: the canonical
    columns the source holds. ``stored_names``: pairs (canonical name, name in the file) for columns stored under
    another name; the engines rename them through their expression APIs, so a stored name never becomes SQL text.
    ``null_columns``: optional columns the query names but the source lacks; they read as typed NULL (see
    :func:`retention_core.queries.with_optional_columns`).
    """

    path: Path
    format: str
    columns: tuple[str, ...]
    table: str | None = None
    stored_names: tuple[tuple[str, str], ...] = field(default=())
    null_columns: tuple[str, ...] = field(default=())

    def stored_name(self, column: str) -> str:
        """The name under which canonical ``column`` is stored in the file."""
        return dict(self.stored_names).get(column, column)

    def with_null_columns(self, names: object) -> TableSource:
        """This source plus every column of ``names`` it lacks, read as NULL."""
        extra = tuple(name for name in names if name not in self.columns and name not in self.null_columns)
        return replace(self, null_columns=self.null_columns + extra) if extra else self

    @property
    def label(self) -> str:
        """What to show the user: the path, plus the table of a database file."""
        return f"{self.path}::{self.table}" if self.table else str(self.path)


Table = Union[pd.DataFrame, TableSource]


def open_source(
    path: str | os.PathLike, table: str = "transactions", rename: Mapping[str, str] | None = None
) -> TableSource:
    """Describe the orders at ``path`` as a :class:`TableSource`, checking that the canonical columns are there.

    ``path`` is a ``.parquet`` or ``.csv`` file, a folder holding such files, or a DuckDB database file (``.duckdb``
    or ``.db``) whose table ``table`` holds the orders. ``rename`` maps canonical names to the names the file uses
    (``{"order_date": "Bestelldatum"}``). Raises :class:`SourceError` with a plain message when the path does not
    exist, is of an unknown kind, cannot be read, or lacks a required column.
    """
    location = Path(path).expanduser().resolve()
    if not location.exists():
        raise SourceError(f"{location} does not exist")
    source_format = _source_format(location)
    if source_format == "duckdb":
        if not _IDENTIFIER.fullmatch(table):
            raise SourceError(f"table name {table!r} must be a plain identifier (letters, digits, underscore)")
        names = _duckdb_file_columns(location, table)
    else:
        names = _file_columns(location, source_format)
    rename = dict(rename or {})
    unknown = sorted(set(rename) - set(CANONICAL_TYPES))
    if unknown:
        raise SourceError(f"cannot map {', '.join(unknown)}: the canonical names are {', '.join(CANONICAL_TYPES)}")
    absent = [stored for stored in rename.values() if stored not in names]
    if absent:
        raise SourceError(f"{location} has no column(s) {', '.join(absent)} to map")
    names = [name for name in names if name not in rename.values()] + list(rename)
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise SourceError(
            f"{location} lacks the column(s) {', '.join(missing)}; a path source must use the canonical names "
            f"{', '.join(REQUIRED_COLUMNS)} (optional: product, quantity, gross_margin). Rename the columns when "
            "exporting, map them when aggregating on the command line (python -m retention_core.cli --column "
            "order_date=Bestelldatum), or upload the file on the Data page."
        )
    columns = tuple(name for name in CANONICAL_TYPES if name in names)
    return TableSource(location, source_format, columns, table if source_format == "duckdb" else None,
                       tuple(sorted(rename.items())))


def _source_format(location: Path) -> str:
    if location.is_dir():
        kinds = {suffix for suffix in (".parquet", ".csv") if any(location.rglob(f"*{suffix}"))}
        if len(kinds) != 1:
            found = "both Parquet and CSV files" if kinds else "no .parquet or .csv file"
            raise SourceError(f"folder {location} holds {found}; it must hold one kind")
        return kinds.pop().lstrip(".")
    suffix = location.suffix.lower()
    if suffix in (".parquet", ".csv"):
        return suffix.lstrip(".")
    if suffix in (".duckdb", ".db"):
        return "duckdb"
    raise SourceError(f"{location} is not a .parquet, .csv or .duckdb file nor a folder of Parquet or CSV files")


def _file_columns(location: Path, source_format: str) -> list[str]:
    try:
        connection, relation = _duckdb_relation(TableSource(location, source_format, ()))
        try:
            return list(relation.columns)
        finally:
            connection.close()
    except duckdb.Error as error:
        raise SourceError(f"{location} cannot be read as {source_format}: {str(error).splitlines()[0]}") from error


def _duckdb_file_columns(location: Path, table: str) -> list[str]:
    try:
        connection = _path_connection(location)
    except duckdb.Error as error:
        raise SourceError(f"{location} cannot be opened as a DuckDB database: {str(error).splitlines()[0]}") from error
    try:
        return list(connection.table(table).columns)
    except duckdb.Error as error:
        raise SourceError(f"{location} has no table {table!r}") from error
    finally:
        connection.close()


def _glob(source: TableSource) -> str:
    return str(source.path / "**" / f"*.{source.format}") if source.path.is_dir() else str(source.path)


# --- engines -------------------------------------------------------------------------------------------------


@runtime_checkable
class Engine(Protocol):
    """Runs one named ``.sql`` file with ``params`` on ``tables`` and returns the result as a pandas frame
    (``run``) or as an Arrow table (``run_arrow``, for large results that are joined before they become a frame,
    see :func:`frame_from_arrow`). ``run_arrow_each`` runs the file once per parameter set on the same tables, in
    order: a large query taken in parts."""

    name: str

    def run(self, query: str, params: Mapping[str, object], tables: Mapping[str, Table]) -> pd.DataFrame: ...

    def run_arrow(self, query: str, params: Mapping[str, object], tables: Mapping[str, Table]) -> pa.Table: ...

    def run_arrow_each(
        self, query: str, params_each: Sequence[Mapping[str, object]], tables: Mapping[str, Table]
    ) -> list[pa.Table]: ...


def frame_from_arrow(table: pa.Table) -> pd.DataFrame:
    """``table`` (from :meth:`Engine.run_arrow`) as the pandas frame DuckDB's own ``.df()`` gives for it.

    Whole-number and true/false columns with a missing value become pandas' nullable ``Int64`` … / ``boolean``, as
    in ``.df()`` (Arrow alone would make them floats / objects); decimals (DuckDB's HUGEINT sums too) become
    float64; dates become datetime64[us]; time-zone-aware timestamps become naive UTC (Spark's session time zone).
    Measured at 10 M order rows: the customer summary's 3.6 M rows in four parts took 0.4–0.7 s per part through
    ``.df()``, plus 1.7 s to concatenate the four frames; as Arrow tables, joined with ``pa.concat_tables`` and
    converted once, 0.05–0.16 s per part plus 0.1–0.3 s.
    """
    fields = []
    for column_field in table.schema:
        column_type = column_field.type
        if pa.types.is_timestamp(column_type) and column_type.tz is not None:
            column_type = pa.timestamp(column_type.unit)
        elif pa.types.is_decimal(column_type):
            column_type = pa.float64()
        elif pa.types.is_date(column_type):
            column_type = pa.timestamp("us")
        fields.append(pa.field(column_field.name, column_type))
    table = table.cast(pa.schema(fields))
    frame = table.to_pandas()
    nullable = {
        name: _NULLABLE[table.schema.field(name).type].__from_arrow__(table.column(name))
        for name in table.column_names
        if table.schema.field(name).type in _NULLABLE and table.column(name).null_count
    }
    return frame.assign(**nullable) if nullable else frame


#: pandas' nullable dtypes for the Arrow types ``.df()`` gives one when a value is missing
_NULLABLE = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype(),
}


def _duckdb_config() -> dict[str, object]:
    return {
        "threads": int(os.environ.get("RETENTION_DUCKDB_THREADS", "2")),
        "memory_limit": os.environ.get("RETENTION_DUCKDB_MEMORY_LIMIT", "2GB"),
        # hand freed memory back to the system after each query instead of keeping up to 128 MiB per thread pooled
        "allocator_flush_threshold": "16MiB",
        # a query beyond the memory limit spills into this process's private directory (mode 0700, removed at exit),
        # never into ".tmp" of the working directory, DuckDB's default; none at all in the upload worker
        "temp_directory": str(scratch.spill_directory() or ""),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }


def _locked_database(*, block_pool: bool = False) -> duckdb.DuckDBPyConnection:
    """A new in-memory database for frames, external access off and configuration locked; limits come from the
    environment (README, "Configuration"). ``block_pool``: see :func:`_pool_blocks`."""
    connection = duckdb.connect(":memory:", config=_duckdb_config())
    connection.execute("SET enable_external_access = false")  # after the spill directory is set, not with it
    if block_pool:
        _pool_blocks(connection)
    return _locked(connection)


def _pool_blocks(connection: duckdb.DuckDBPyConnection) -> None:
    """Let ``connection``'s database keep the memory of the blocks it frees, up to its memory limit, and reuse it.

    Only for a database that is closed after its query: the kept memory is given back when it closes. Without the
    pool DuckDB hands a freed block's memory back to the system and asks for new memory for the next block, and
    on this project's machine the kernel's share of that is large: at 10 M order rows the customer summary spent
    2.2–3.0 s in the kernel, with the pool 1.2–1.9 s (README, "Performance"). DuckDB refuses a pool larger than the
    address space it reserves for it (80 % of the memory it finds); the database then runs without one.
    """
    try:
        connection.execute("SET block_allocator_memory = $limit", {"limit": _duckdb_config()["memory_limit"]})
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
    """

    name: str = "duckdb"
    fresh_database: bool = False

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
        """``fetch`` of ``query`` once per parameter set, all on one connection; each statement has its own timeout."""
        sources = {name: table for name, table in tables.items() if isinstance(table, TableSource)}
        if sources:
            connection = self._source_connection(sources)
        else:
            connection = _locked_database(block_pool=True) if self.fresh_database else _shared_database().cursor()
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


def _transpile(sql: str) -> str:
    import sqlglot  # imported here: only the Spark engine needs it

    statements = sqlglot.transpile(
        sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE, comments=False
    )
    if len(statements) != 1:
        raise ValueError(f"a query file must hold one statement, found {len(statements)}")
    return statements[0]


@functools.cache
def spark_sql(query: str) -> str:
    """``sql/<query>.sql`` transpiled to Spark SQL (DuckDB ``$name`` parameters become ``:name`` markers), cached."""
    return _transpile(load_sql(query))


class SparkEngine:
    """Apache Spark: the same SQL files, transpiled, on a cluster or in local mode.

    ``spark`` is a ``pyspark.sql.SparkSession`` (Spark 3.4+ for named parameters; set
    ``spark.sql.session.timeZone=UTC`` so timestamps are not shifted). Tables are registered as temporary views
    under their names for one query; a lock keeps two queries of this engine from seeing each other's views.
    Results are collected through Arrow and converted as DuckDB's are (:func:`frame_from_arrow`): timestamps come
    back as naive UTC, whole numbers with a missing value as nullable integers.
    """

    name = "spark"

    def __init__(self, spark: object) -> None:
        self.spark = spark
        self._lock = threading.Lock()

    def run(self, query: str, params: Mapping[str, object], tables: Mapping[str, Table]) -> pd.DataFrame:
        return frame_from_arrow(self.run_arrow(query, params, tables))

    def run_arrow(self, query: str, params: Mapping[str, object], tables: Mapping[str, Table]) -> pa.Table:
        return self.run_arrow_each(query, [params], tables)[0]

    def run_arrow_each(
        self, query: str, params_each: Sequence[Mapping[str, object]], tables: Mapping[str, Table]
    ) -> list[pa.Table]:
        text = spark_sql(query)
        with self._lock, _pandas_version_warning_ignored():
            try:
                for table_name, table in tables.items():
                    self._frame(table).createOrReplaceTempView(table_name)
                return [self.spark.sql(text, args=dict(params)).toArrow() for params in params_each]
            finally:
                for table_name in tables:
                    self.spark.catalog.dropTempView(table_name)

    def _frame(self, table: Table):
        from pyspark.sql import functions

        if isinstance(table, pd.DataFrame):
            return self.spark.createDataFrame(pa.Table.from_pandas(table, preserve_index=False))
        if table.format == "duckdb":
            raise SourceError(
                f"Spark cannot read the DuckDB database {table.path}; export the table to Parquet "
                "(COPY transactions TO 'orders.parquet') or use --engine duckdb"
            )
        reader = self.spark.read
        if table.format == "csv":
            frame = reader.option("header", True).option("recursiveFileLookup", True).csv(str(table.path))
        else:
            frame = reader.option("recursiveFileLookup", True).parquet(str(table.path))
        columns = [
            frame[table.stored_name(name)].cast(_SPARK_TYPES[CANONICAL_TYPES[name]]).alias(name)
            for name in table.columns
        ]
        columns += [
            functions.lit(None).cast(_SPARK_TYPES[CANONICAL_TYPES.get(name, "VARCHAR")]).alias(name)
            for name in table.null_columns
        ]
        return frame.select(*columns)


@contextlib.contextmanager
def _pandas_version_warning_ignored() -> Iterator[None]:
    """Silence pyspark's notice that it does not yet fully support pandas 3: it is handed Arrow tables only."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
        yield


def local_spark(master: str = "local[2]", shuffle_partitions: int = 4, driver_memory: str = "2g"):
    """A quiet Spark session for the command line and tests, local mode by default (needs ``pyspark``, Java 17+).

    The UI is off, the session time zone is UTC (timestamps are not shifted), shuffles use few partitions (the
    default 200 is made for clusters; raise ``shuffle_partitions`` with ``master`` naming a cluster) and only errors
    are logged.
    """
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName("retention-aggregate")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.driver.memory", driver_memory)
        .config("spark.log.level", "ERROR")
        .config("spark.ui.showConsoleProgress", "false")
    )
    with _pandas_version_warning_ignored():
        return builder.getOrCreate()


DEFAULT_ENGINE = DuckDBEngine()
