"""The limits of an upload and the checks that refuse a hostile file before any parser sees it.

These checks are the first line; the second is the capped worker process the app reads every upload in
(:mod:`retention_core.ingest.worker`), which also survives what gets past them. The readers read the limits through
this module (``guards.MAX_ROWS``), so that one setting, or a test's, applies to every reader:

* size: at most ``MAX_UPLOAD_BYTES`` (50 MB, the ``maxUploadSize`` of ``.streamlit/config.toml``);
* magic bytes: XLSX must start with ``PK\\x03\\x04``; an OLE file holding an encrypted workbook is refused as
  encrypted, any other OLE file (legacy ``.xls``) as old Excel; CSV text with NUL bytes or more than 1 % control
  characters is refused as not text;
* XLSX: the zip and its XML parts inspected before calamine opens them (:mod:`retention_core.ingest.xlsx_guards`);
* Parquet: must start and end with ``PAR1``; the footer is read first and the file refused beyond ``MAX_ROWS``
  rows, ``MAX_COLUMNS`` columns or ``MAX_PARQUET_UNCOMPRESSED_BYTES`` of uncompressed pages (a decompression
  bomb), and for nested columns (lists, structs, maps). Then the row groups must add up to the footer's rows, and
  every column chunk's page headers are read (:mod:`retention_core.ingest.parquet_pages`): their own uncompressed
  sizes count against ``MAX_PARQUET_UNCOMPRESSED_BYTES`` whatever the footer declares, and what decoding takes,
  with each dictionary-encoded text value as long as the longest value of its dictionary page, against
  ``MAX_EXPANDED_BYTES``. Any error pyarrow raises on a broken file becomes ``load_not_parquet``;
* CSV: at most ``MAX_LINE_BYTES`` per line (the header included), ``MAX_ROWS`` lines and ``MAX_COLUMNS`` columns;
* time: the whole read runs in a worker thread for at most ``PARSE_SECONDS``; DuckDB is interrupted at the
  deadline (``connection.interrupt()``), the CSV reader checks it between its steps and while decoding, a calamine
  read cannot be interrupted and is abandoned here; in the app the worker process is killed at the deadline, so
  nothing runs on.
"""

from __future__ import annotations

import _thread
import re
import threading
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from retention_core.ingest import parquet_pages
from retention_core.ingest.contract import LoadError


CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
PARQUET_EXTENSIONS = (".parquet", ".pq")
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
PARQUET_MAGIC = b"PAR1"

#: Limits for hostile or accidental uploads (see the module docstring).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # = server.maxUploadSize in .streamlit/config.toml
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_ENTRIES = 1000
XML_PROLOG_BYTES = 65536
MAX_ROWS = 10_000_000
MAX_COLUMNS = 200
MAX_SHEET_CELLS = 30_000_000
MAX_LINE_BYTES = 1024 * 1024
MAX_PARQUET_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_EXPANDED_BYTES = 2 * 1024 * 1024 * 1024
PARSE_SECONDS = 60.0
#: A reading thread not begun after this long could not start (see :func:`within_time_limit`).
THREAD_START_SECONDS = 5.0


def megabytes(size: int) -> int:
    return -(-size // (1024 * 1024))


def within_time_limit(function, filename: str, *args):
    """``function(*args)`` run in a worker thread for at most ``PARSE_SECONDS``; LoadError ``load_too_slow`` after.
    The worker's own result or exception is passed on. A worker still running at the deadline is left behind (a
    daemon thread): DuckDB reads stop themselves at the same deadline, calamine reads end when calamine does.

    A thread that has not begun within ``THREAD_START_SECONDS`` could not start: ``MemoryError`` (near a process's
    address-space cap, as in the upload worker, the new thread's first allocations fail and it dies before it runs).
    ``Thread.start`` itself would wait for such a thread without a limit, so it is called from a helper thread, which
    is then left waiting; the work is taken from both first, so that they hold nothing of the upload.
    """
    outcome: dict[str, object] = {}
    task = [function, args]
    began = threading.Event()

    def work() -> None:
        began.set()
        try:
            run, arguments = task  # empty for a thread that began too late: it does nothing
            outcome["result"] = run(*arguments)
        except BaseException as error:  # handed to the calling thread below
            outcome["error"] = error

    def start() -> None:
        try:
            worker.start()
        except BaseException as error:  # no thread for the worker (RuntimeError, MemoryError): raised below
            outcome["not_started"] = error
            began.set()

    worker = threading.Thread(target=work, name="retention_read_table", daemon=True)
    started = time.monotonic()
    _thread.start_new_thread(start, ())
    if not began.wait(THREAD_START_SECONDS):
        task.clear()
        worker.name = "retention_read_table (could not start)"
        raise MemoryError(f"the reading thread could not start within {THREAD_START_SECONDS:g} s (out of memory)")
    if "not_started" in outcome:
        raise outcome["not_started"]
    worker.join(max(PARSE_SECONDS - (time.monotonic() - started), 0.0))
    if worker.is_alive():
        raise LoadError("load_too_slow", filename=filename, seconds=f"{PARSE_SECONDS:g}")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def check_deadline(deadline: float | None, filename: str) -> None:
    """LoadError ``load_too_slow`` once ``deadline`` (a ``time.monotonic()`` value) has passed: the read stops
    itself instead of working on after the user was told it took too long."""
    if deadline is not None and time.monotonic() > deadline:
        raise LoadError("load_too_slow", filename=filename, seconds=f"{PARSE_SECONDS:g}")


# --- text (CSV) --------------------------------------------------------------------------------------------------


def looks_like_text(text: str) -> bool:
    """No NUL characters and at most 1 % other control characters (tab, newlines and form feed allowed)."""
    sample = text[:65536]
    if "\x00" in sample:
        return False
    controls = len(re.findall(r"[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f]", sample))
    return controls <= 0.01 * max(len(sample), 1)


def check_lines(encoded: bytes, filename: str) -> None:
    """LoadError for a line longer than ``MAX_LINE_BYTES`` or more than ``MAX_ROWS`` data lines (plus header)."""
    newlines = np.flatnonzero(np.frombuffer(encoded, dtype=np.uint8) == 10)
    starts = np.concatenate([[0], newlines + 1])
    ends = np.concatenate([newlines, [len(encoded)]])
    lengths = ends - starts
    longest = int(np.argmax(lengths))
    if lengths[longest] > MAX_LINE_BYTES:
        raise LoadError("load_line_too_long", filename=filename, line=longest + 1,
                        limit_kb=MAX_LINE_BYTES // 1024)
    lines = int(np.count_nonzero(lengths))
    if lines - 1 > MAX_ROWS:
        raise LoadError("load_too_many_rows", filename=filename, rows=lines - 1, limit=MAX_ROWS)


# --- XLSX (the archive's inspection: xlsx_guards) ----------------------------------------------------------------


_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def is_encrypted_ole(data: bytes) -> bool:
    """An OLE compound file holding an encrypted OOXML package (a workbook saved with a password)."""
    return data.startswith(OLE_MAGIC) and _ENCRYPTED_PACKAGE in data


# --- Parquet -----------------------------------------------------------------------------------------------------


def inspect_parquet(metadata: pq.FileMetaData, schema: pa.Schema, filename: str, data: bytes | None = None) -> None:
    """Refuse a Parquet file beyond the row and column caps, with more than ``MAX_PARQUET_UNCOMPRESSED_BYTES`` of
    uncompressed column data (as its footer declares) or with nested columns, before any page is read. Given the
    file's ``data``, also its row groups and page headers (:func:`_check_parquet_pages`)."""
    if metadata.num_rows > MAX_ROWS:
        raise LoadError("load_too_many_rows", filename=filename, rows=metadata.num_rows, limit=MAX_ROWS)
    if len(schema.names) > MAX_COLUMNS:
        raise LoadError("load_too_many_columns", filename=filename, columns=len(schema.names), limit=MAX_COLUMNS)
    uncompressed = sum(
        max(group.column(column).total_uncompressed_size, 0)
        for group in (metadata.row_group(index) for index in range(metadata.num_row_groups))
        for column in range(group.num_columns)
    )
    if uncompressed > MAX_PARQUET_UNCOMPRESSED_BYTES:
        raise LoadError("load_too_complex", filename=filename)
    nested = [field.name for field in schema if pa.types.is_nested(field.type)]
    if nested:
        raise LoadError("load_unreadable", filename=filename, detail=f"nested column {nested[0]!r}")
    if data is not None:
        _check_parquet_row_groups(metadata, filename)
        _check_parquet_pages(data, metadata, schema, filename)


def _check_parquet_row_groups(metadata: pq.FileMetaData, filename: str) -> None:
    """The row groups must add up to the file's rows, and no column chunk may hold more values than its group has
    rows (flat columns hold one value per row): a footer that says otherwise is refused."""
    rows = 0
    for index in range(metadata.num_row_groups):
        group = metadata.row_group(index)
        if group.num_rows < 0 or any(group.column(column).num_values > group.num_rows
                                     for column in range(group.num_columns)):
            raise LoadError("load_not_parquet", filename=filename)
        rows += group.num_rows
    if rows != metadata.num_rows:
        raise LoadError("load_not_parquet", filename=filename)


def _check_parquet_pages(data: bytes, metadata: pq.FileMetaData, schema: pa.Schema, filename: str) -> None:
    """Walk every column chunk's page headers and bound what decoding will allocate, before it starts: the pages'
    own uncompressed sizes (at most ``MAX_PARQUET_UNCOMPRESSED_BYTES``, whatever the footer says) and the decoded
    columns (at most ``MAX_EXPANDED_BYTES``), where a dictionary-encoded text value counts as long as the longest
    value of its dictionary page (:mod:`retention_core.ingest.parquet_pages`)."""
    pages_total = decoded = 0
    try:
        for index in range(metadata.num_row_groups):
            group = metadata.row_group(index)
            for column in range(group.num_columns):
                chunk = group.column(column)
                start = chunk.data_page_offset
                if chunk.has_dictionary_page and chunk.dictionary_page_offset:
                    start = min(start, chunk.dictionary_page_offset)
                pages = parquet_pages.chunk_pages(data, start, chunk.total_compressed_size)
                pages_total += sum(page.uncompressed_bytes for page in pages)
                decoded += _decoded_bytes(data, chunk, pages, schema.field(column).type, group.num_rows)
    except ValueError as error:  # a page header that does not parse or does not fit its chunk
        raise LoadError("load_not_parquet", filename=filename) from error
    if pages_total > MAX_PARQUET_UNCOMPRESSED_BYTES:
        raise LoadError("load_too_complex", filename=filename)
    if decoded > MAX_EXPANDED_BYTES:
        raise LoadError("load_too_much_data", filename=filename, size_mb=megabytes(decoded),
                        limit_mb=megabytes(MAX_EXPANDED_BYTES))


def _decoded_bytes(data: bytes, chunk: pq.ColumnChunkMetaData, pages: list, kind: pa.DataType, rows: int) -> int:
    """An upper bound of the memory one column chunk takes decoded: text and binary as their bytes plus an 8-byte
    offset per value (dictionary-encoded values as long as the dictionary's longest), other types at least 8 bytes
    a row (they become float64 or datetime64)."""
    if chunk.physical_type != "BYTE_ARRAY":
        try:
            width = kind.bit_width // 8
        except ValueError:  # not fixed-width
            width = 8
        return rows * max(width, 8)
    dictionaries = [page for page in pages if page.kind == parquet_pages.DICTIONARY_PAGE]
    longest = max((parquet_pages.longest_dictionary_value(data, page, chunk.compression) for page in dictionaries),
                  default=0)
    total = 0
    for page in pages:
        if page.kind not in (parquet_pages.DATA_PAGE, parquet_pages.DATA_PAGE_V2):
            continue
        if page.encoding in parquet_pages.DICTIONARY_ENCODINGS:
            total += page.values * (longest + 8)
        else:
            total += page.uncompressed_bytes + page.values * 8
    return total
