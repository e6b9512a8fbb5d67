"""Where the SQL files run: embedded DuckDB (the default) or Apache Spark, behind one small interface.

The ``.sql`` files are written once, in DuckDB's dialect, in the subset of SQL that Spark also accepts.
:class:`DuckDBEngine` runs them as they are; :class:`SparkEngine` transpiles each file once with ``sqlglot``
(``read="duckdb"``, ``write="spark"``) and binds the values as Spark named parameters (``:name``), so on both
engines values reach SQL only as parameters, never as text.

- :mod:`~retention_core.engines.base`: the :class:`Engine` interface, the tables it takes (a pandas frame or a
  :class:`TableSource`), the SQL files, :class:`QueryTimeout` and the Arrow-to-frame conversion both engines share.
- :mod:`~retention_core.engines.sources`: :func:`open_source`, a file, folder or database table as a path source.
- :mod:`~retention_core.engines.duckdb_engine`: :class:`DuckDBEngine` and its locked, private connections.
- :mod:`~retention_core.engines.spark_engine`: :class:`SparkEngine` and :func:`local_spark`.
"""

from retention_core.engines.base import (
    CANONICAL_TYPES,
    REQUIRED_COLUMNS,
    SOURCE_FORMATS,
    SQL_DIR,
    Engine,
    QueryTimeout,
    SourceError,
    Table,
    TableSource,
    frame_from_arrow,
    frame_from_arrow_parts,
    load_sql,
)
from retention_core.engines.duckdb_engine import DEFAULT_ENGINE, DuckDBEngine
from retention_core.engines.sources import open_source
from retention_core.engines.spark_engine import SparkEngine, local_spark, spark_sql

__all__ = [
    "CANONICAL_TYPES", "DEFAULT_ENGINE", "REQUIRED_COLUMNS", "SOURCE_FORMATS", "SQL_DIR", "DuckDBEngine", "Engine",
    "QueryTimeout", "SourceError", "SparkEngine", "Table", "TableSource", "frame_from_arrow", "frame_from_arrow_parts",
    "load_sql", "local_spark", "open_source", "spark_sql",
]
