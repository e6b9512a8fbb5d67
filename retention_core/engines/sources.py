"""Path sources: the orders in a Parquet / CSV file or folder or a DuckDB database table, described by
:func:`open_source` as a :class:`~retention_core.engines.base.TableSource` that any engine reads itself.

The file's columns are looked up on a DuckDB connection that may read only that file or folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import duckdb

from retention_core.engines.base import CANONICAL_TYPES, REQUIRED_COLUMNS, SourceError, TableSource
from retention_core.engines.duckdb_engine import _duckdb_relation, _path_connection

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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
