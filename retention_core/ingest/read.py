"""Read an uploaded CSV, Excel or Parquet file into a typed table, setting aside the rows that cannot be read.

:func:`read_table` takes the upload's bytes and file name and returns a
:class:`~retention_core.ingest.result.LoadResult`: the table with float64 number columns, datetime64 date columns
and text otherwise, under the file's own (stripped) headers and with an index ``row_number`` (the line or sheet row
of each record); the rows set aside with their raw values and a ``reason``; and the
:class:`~retention_core.ingest.result.Dialect` that was detected (encoding, separator, decimal mark, date format,
sheet). It refuses what :mod:`retention_core.ingest.guards` refuses and hands the bytes to the reader of their
format (:mod:`~retention_core.ingest.csv_reader`, :mod:`~retention_core.ingest.excel_reader`,
:mod:`~retention_core.ingest.parquet_reader`). Legacy ``.xls`` is refused. Files that cannot be used at all raise
:class:`~retention_core.ingest.contract.LoadError`.
"""

from __future__ import annotations

import time
from pathlib import Path

from retention_core.ingest import guards
from retention_core.ingest.contract import LoadError
from retention_core.ingest.csv_reader import read_csv
from retention_core.ingest.excel_reader import read_xlsx
from retention_core.ingest.guards import (
    CSV_EXTENSIONS,
    OLE_MAGIC,
    PARQUET_EXTENSIONS,
    PARQUET_MAGIC,
    XLSX_EXTENSIONS,
    XLSX_MAGIC,
    is_encrypted_ole,
    megabytes,
    within_time_limit,
)
from retention_core.ingest.parquet_reader import read_parquet
from retention_core.ingest.result import LoadResult


def read_table(data: bytes, filename: str, sheet: str | int | None = None) -> LoadResult:
    """Read an uploaded CSV (``.csv``, ``.txt``, ``.tsv``), XLSX (``.xlsx``, ``.xlsm``) or Parquet (``.parquet``,
    ``.pq``) file.

    ``sheet`` chooses an Excel sheet by name or position (default: the first). Raises :class:`LoadError` for an
    empty or header-only file, a file without columns, binary data that is not text, an unknown extension,
    legacy ``.xls``, a broken ``.xlsx`` or ``.parquet`` or an unknown sheet, and for anything beyond the limits of
    :mod:`retention_core.ingest.guards` (size, zip bombs, XML entities, rows, columns, line length, ``PARSE_SECONDS``).
    """
    if len(data) > guards.MAX_UPLOAD_BYTES:
        raise LoadError("load_too_large", filename=filename, size_mb=megabytes(len(data)),
                        limit_mb=megabytes(guards.MAX_UPLOAD_BYTES))
    data = bytes(data)
    extension = Path(filename).suffix.lower()
    if is_encrypted_ole(data):
        raise LoadError("load_encrypted", filename=filename)
    if data.startswith(OLE_MAGIC) or extension == ".xls":
        raise LoadError("load_legacy_xls", filename=filename)
    if extension not in CSV_EXTENSIONS + XLSX_EXTENSIONS + PARQUET_EXTENSIONS:
        raise LoadError("load_unknown_extension", filename=filename, extension=extension or filename)
    if not data.strip():
        raise LoadError("load_empty_file", filename=filename)
    deadline = time.monotonic() + guards.PARSE_SECONDS
    if extension in PARQUET_EXTENSIONS or data.startswith(PARQUET_MAGIC):
        return within_time_limit(read_parquet, filename, data, filename)
    if extension in XLSX_EXTENSIONS or data.startswith(XLSX_MAGIC):
        return within_time_limit(read_xlsx, filename, data, filename, sheet)
    return within_time_limit(read_csv, filename, data, filename, deadline)
