"""Apache Spark: the DuckDB-dialect SQL files transpiled once with ``sqlglot`` (``read="duckdb"``,
``write="spark"``), values bound as Spark named parameters (``:name``), so values reach SQL only as parameters,
never as text. ``pyspark`` and ``sqlglot`` are imported only when this engine is used.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence

import pandas as pd
import pyarrow as pa

from retention_core.engines.base import CANONICAL_TYPES, SourceError, Table, frame_from_arrow, load_sql

_SPARK_TYPES = {"VARCHAR": "string", "TIMESTAMP": "timestamp", "DOUBLE": "double"}


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
