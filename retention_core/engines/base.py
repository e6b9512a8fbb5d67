"""What every engine shares: the :class:`Engine` interface, the tables it takes, the SQL files and their results.

The ``.sql`` files are written once, in DuckDB's dialect, in the subset of SQL that Spark also accepts
(:func:`load_sql`). A table handed to an engine is a pandas frame or a :class:`TableSource`, a Parquet / CSV file or
folder or a table of a DuckDB database file given by path. Path sources must already use the canonical column names
(``customer_id, order_date, amount`` and optionally ``product, quantity, gross_margin``, see
:data:`CANONICAL_TYPES`); every engine casts them to the canonical types before the query sees them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, Union, runtime_checkable

import pandas as pd
import pyarrow as pa

SQL_DIR = Path(__file__).parent.parent / "sql"

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


class QueryTimeout(RuntimeError):
    """A query ran longer than :func:`retention_core.config.query_timeout_seconds` and was interrupted."""



@functools.cache
def load_sql(name: str) -> str:
    """Text of ``sql/<name>.sql``; ``name`` is a query name from this package, never user input."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


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
    Taking a large result as Arrow tables, joined with ``pa.concat_tables`` and converted once, is much faster than
    converting each part with ``.df()`` and concatenating the frames.
    """
    table = _canonical_arrow(table)
    frame = table.to_pandas()
    nullable = _nullable_columns(table)
    return frame.assign(**nullable) if nullable else frame


def frame_from_arrow_parts(parts: list[pa.Table]) -> pd.DataFrame:
    """:func:`frame_from_arrow` of ``parts`` joined (``pa.concat_tables``), given up while it converts: ``parts`` is
    emptied, and each column's Arrow memory is freed as soon as it is converted (Arrow's ``self_destruct``, one
    block per column), so the conversion holds about one copy of the result, not two (at 3.6 M customers the
    customer summary's 300 MB). The same frame as :func:`frame_from_arrow`, its columns not consolidated into
    blocks. Nothing else may hold the parts' columns."""
    table = _canonical_arrow(pa.concat_tables(parts))
    parts.clear()
    nullable = _nullable_columns(table)  # before the table goes
    positions = {name: table.column_names.index(name) for name in nullable}
    table = table.drop_columns(list(nullable)) if nullable else table
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    for name in sorted(nullable, key=positions.__getitem__):  # back in their places, in order
        frame.insert(positions[name], name, nullable[name])
    return frame


def _nullable_columns(table: pa.Table) -> dict[str, object]:
    """The columns of ``table`` with missing values whose type has a pandas nullable dtype (:data:`_NULLABLE`),
    converted to it: ``to_pandas`` would make them floats or objects."""
    return {
        name: _NULLABLE[table.schema.field(name).type].__from_arrow__(table.column(name))
        for name in table.column_names
        if table.schema.field(name).type in _NULLABLE and table.column(name).null_count
    }


def _canonical_arrow(table: pa.Table) -> pa.Table:
    """``table`` with the types :func:`frame_from_arrow` converts (see there) cast."""
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
    return table.cast(pa.schema(fields))


#: pandas' nullable dtypes for the Arrow types ``.df()`` gives one when a value is missing
_NULLABLE = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype(),
}
