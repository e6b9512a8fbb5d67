"""Read an uploaded CSV, Excel or Parquet file into a typed table, setting aside the rows that cannot be read.

:func:`read_table` takes the upload's bytes and file name and returns a :class:`LoadResult`: the table with
float64 number columns, datetime64 date columns and text otherwise, under the file's own (stripped) headers and
with an index ``row_number`` (the line or sheet row of each record); the rows set aside with their raw values and a
``reason``; and the :class:`Dialect` that was detected (encoding, separator, decimal mark, date format, sheet).

CSV is decoded in Python (byte-order mark, then strict UTF-8, then cp1252; a file mixing UTF-8 and cp1252 lines
line by line, the cp1252 lines counted in a warning), its separator chosen from the first 200 lines (``;`` ``,``
tab ``|``); a carriage return inside a line stays in its value (see :func:`_normalize_lines`). The lines after
the header are handed as UTF-8 to DuckDB in a memory file (``scratch.memory_file``: nothing reaches a disk) and
read with every column as text and positional names, so header names from the upload never reach SQL; lines with the wrong number of fields land in
DuckDB's reject table. Each column is then typed from the evidence of its values (``columns.text_evidence``): one
decimal mark per file, one date format per column, ids (headers like "Kundennummer", values like "00042") stay
text. XLSX is read with calamine; typed cells come through, text cells get the same parsing as CSV. Parquet is read
with pyarrow from the bytes: its columns are typed already, so numbers become float64 (whole-number id columns
text), dates and timestamps datetime64 (outside the years 1900-2200: a rejected row) and everything else text; text
in a number or date column is parsed later by ``prepare_sheet``, as for any upload. Legacy ``.xls`` is refused.
Files that cannot be used at all raise :class:`LoadError`, whose ``key`` is an ``i18n.TEXTS`` key.

Nothing is changed or lost on the way. Each typed column keeps what the file wrote (:class:`Originals`), and
:meth:`LoadResult.for_mapping` gives a column mapped to an identifier as that text, so ids are never read through a
number (``9007199254740993``, 20 digits, ``1.234``, Parquet int64 all survive). Every reader checks in code that the
rows it found are the rows kept, rejected and blank; a CSV additionally that these account for every non-empty line
of the file. A failed check raises ``load_rows_unaccounted`` instead of losing rows. Rejected lines are handled in
Arrow, not line by line in Python, and the reader stops itself at the deadline between its steps.

Hostile uploads are refused before any parser sees them, and parsing is bounded. These checks are the first line;
the second is the capped worker process the app reads every upload in (``retention_core.upload_worker``), which
also survives what gets past them:

* size: at most ``MAX_UPLOAD_BYTES`` (50 MB, the ``maxUploadSize`` of ``.streamlit/config.toml``);
* magic bytes: XLSX must start with ``PK\\x03\\x04``; an OLE file holding an encrypted workbook is refused as
  encrypted, any other OLE file (legacy ``.xls``) as old Excel; CSV text with NUL bytes or more than 1 % control
  characters is refused as not text;
* XLSX zip inspection (``zipfile`` on the bytes, before calamine opens them): at most ``MAX_ZIP_ENTRIES`` parts,
  ``MAX_UNCOMPRESSED_BYTES`` unpacked (as declared in the zip directory; the scans below read through
  ``zipfile``, which never inflates beyond the declared size) and a compression ratio of at most
  ``MAX_COMPRESSION_RATIO`` per part larger than 1 MB (zip bombs). Encrypted parts, an OpenDocument spreadsheet,
  a binary workbook (``.xlsb``) and a zip without ``xl/workbook.xml`` get their own message. Every part, whatever
  its name, is refused if its first ``XML_PROLOG_BYTES`` (comments removed) contain ``<!DOCTYPE`` or ``<!ENTITY``
  (billion laughs, external entities): a plain byte scan rather than defusedxml, because no XML is parsed here and
  a DOCTYPE can only stand in the prolog, before the root element, which must start within those bytes; XML in
  UTF-16 is refused (Excel writes UTF-8, and the scans read bytes). Every part, whatever its name (relationships
  may put a sheet anywhere), is scanned for worksheet cell references, so that a sparse sheet (one cell in A1, one
  in XFD1048576) cannot make calamine allocate its dense area: at most ``MAX_ROWS`` rows, ``MAX_COLUMNS`` columns
  and ``MAX_SHEET_CELLS`` cells; references in either quote and a reference that is not plain letters and digits
  (a character reference) are refused. Shared strings count by their expanded size, once per cell that refers
  to them (a cell whose index is not plain digits as the largest): at most ``MAX_EXPANDED_BYTES``;
* Parquet: must start and end with ``PAR1``; the footer is read first and the file refused beyond ``MAX_ROWS``
  rows, ``MAX_COLUMNS`` columns or ``MAX_PARQUET_UNCOMPRESSED_BYTES`` of uncompressed pages (a decompression
  bomb), and for nested columns (lists, structs, maps). Then the row groups must add up to the footer's rows, and
  every column chunk's page headers are read (``parquet_pages``): their own uncompressed sizes count against
  ``MAX_PARQUET_UNCOMPRESSED_BYTES`` whatever the footer declares, and what decoding takes, with each
  dictionary-encoded text value as long as the longest value of its dictionary page, against
  ``MAX_EXPANDED_BYTES``. Any error pyarrow raises on a broken file becomes ``load_not_parquet``;
* CSV: at most ``MAX_LINE_BYTES`` per line (the header included), ``MAX_ROWS`` lines and ``MAX_COLUMNS`` columns;
* time: the whole read runs in a worker thread for at most ``PARSE_SECONDS``; DuckDB is interrupted at the
  deadline (``connection.interrupt()``), the CSV reader checks it between its steps and while decoding, a calamine
  read cannot be interrupted and is abandoned here; in the app the worker process is killed at the deadline, so
  nothing runs on.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import threading
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from retention_core import parquet_pages, scratch
from retention_core.columns import (
    DATE_DTYPE,
    EARLIEST_DATE,
    FIRST_YEAR,
    ID_COLUMNS,
    LAST_YEAR,
    LATEST_DATE,
    TYPE_THRESHOLD,
    Problem,
    choose_date_format,
    choose_decimal_mark,
    coerce_dates,
    coerce_numbers,
    coerce_strings,
    looks_like_id,
    split_cells,
    text_evidence,
)
from retention_core.queries import load_sql
from retention_views.i18n import t

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
PARQUET_EXTENSIONS = (".parquet", ".pq")
SEPARATORS = (";", ",", "\t", "|")
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

#: Every LoadError key (each has German and English text in i18n.TEXTS).
LOAD_ERROR_KEYS = (
    "load_empty_file",
    "load_header_only",
    "load_no_columns",
    "load_not_text",
    "load_unknown_extension",
    "load_legacy_xls",
    "load_not_xlsx",
    "load_not_parquet",
    "load_sheet_not_found",
    "load_unreadable",
    "load_too_large",
    "load_too_complex",
    "load_xml_entities",
    "load_too_many_rows",
    "load_too_many_columns",
    "load_line_too_long",
    "load_too_slow",
    "load_too_much_memory",
    "load_worker_failed",
    "load_too_much_data",
    "load_encrypted",
    "load_no_sheets",
    "load_not_a_workbook",
    "load_opendocument",
    "load_xlsb",
    "load_one_column",
    "load_mixed_encoding",
    "load_rows_unaccounted",
)
#: Every Problem key a LoadResult can carry.
LOAD_PROBLEM_KEYS = (
    "load_rows_wrong_field_count",
    "load_rows_malformed",
    "load_values_not_numbers",
    "load_values_not_dates",
    "load_values_out_of_range",
    "load_lines_cp1252",
    "load_rows_blank",
)
#: The problems about single values of one column (their ``column`` param): they count only while that column is
#: used as a number or date (see :meth:`LoadResult.for_mapping`).
_VALUE_PROBLEM_KEYS = ("load_values_not_numbers", "load_values_not_dates", "load_values_out_of_range")


class LoadError(ValueError):
    """A file that cannot be used at all; ``key`` and ``params`` give the message in any language."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(t(key, "en", **params))


@dataclass(frozen=True)
class Dialect:
    """How a file was written. CSV: encoding and separator; XLSX: sheet_name and sheet_names. Both: decimal mark,
    thousands separator and date format of text values (None when no text needed them). Parquet: only ``kind``."""

    kind: str
    encoding: str | None = None
    separator: str | None = None
    decimal_mark: str | None = None
    thousands_separator: str | None = None
    date_format: str | None = None
    sheet_name: str | None = None
    sheet_names: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Originals:
    """What a reader keeps beside its typed table so that a column can be read again as text after mapping.

    ``texts``: for each column whose values were typed (numbers or dates read from text, numeric Excel cells,
    Parquet integers and decimals read as float64), the values as the file wrote them, for every row read (the kept
    rows and those set aside for a value): a Series indexed by ``row_number`` (CSV text, Excel cells), or the Parquet
    column itself (row ``i`` is row number ``i + 1``), turned into text only when needed. ``failed_rows``: the typed
    values of the rows set aside for a value (index ``row_number``); ``failures``: for those rows, the reason per
    column (missing where that column's value was fine).
    """

    texts: Mapping[str, pd.Series | pa.ChunkedArray]
    failed_rows: pd.DataFrame
    failures: pd.DataFrame


@dataclass(frozen=True)
class LoadResult:
    """A read table (index ``row_number``), the rows set aside (raw text, ``row_number``, ``reason``), the dialect
    and problems summarising the rows set aside.

    Every row of the file is accounted for: ``rows_kept + rows_rejected`` rows that hold at least one value, and
    ``rows_blank`` rows of only separators or empty cells (skipped and reported; empty lines of a CSV are not rows).
    The readers check this in code and raise ``load_rows_unaccounted`` instead of losing a row.
    """

    frame: pd.DataFrame
    dialect: Dialect
    rejected: pd.DataFrame
    problems: tuple[Problem, ...] = field(default=())
    rows_blank: int = 0
    originals: Originals | None = field(default=None, compare=False, repr=False)
    #: the result as read, when this one was made from it by :meth:`for_mapping`
    origin: LoadResult | None = field(default=None, compare=False, repr=False)

    @property
    def rows_kept(self) -> int:
        return len(self.frame)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    def for_mapping(self, mapping: Mapping[str, str | None]) -> LoadResult:
        """The result as the columns are used by ``mapping`` (canonical name -> user column, as for
        ``columns.map_columns``): apply it before mapping.

        A user column mapped to an identifier (:data:`~retention_core.columns.ID_COLUMNS`) holds the text the file
        wrote, whatever type its values were read as: ``9007199254740993`` and ``9007199254740992`` stay two
        customers, ``1.234`` stays ``1.234``, a 20-digit number keeps its digits, a Parquet int64 its exact
        decimal text. A value that failed to read as a number or date sets its row aside only while its column is
        used as one: rows set aside for an id column's or an unused column's value come back, with their values,
        and those columns' problems are dropped. Always made from the result as read (``origin``), so applying
        another mapping later starts afresh. Without any such column it is this result itself.
        """
        base = self.origin or self
        originals = base.originals
        if originals is None:
            return base
        chosen = {canonical: column for canonical, column in mapping.items() if column is not None}
        ids = [column for canonical, column in chosen.items() if canonical in ID_COLUMNS]
        checked = {column for canonical, column in chosen.items() if canonical not in ID_COLUMNS}
        retyped = [column for column in ids if column in originals.texts]
        ignored = [column for column in originals.failures.columns if column not in checked]
        if not retyped and not ignored:
            return base
        frame, rejected = base.frame, base.rejected
        failures = originals.failures[[column for column in originals.failures.columns if column in checked]]
        still_failing = failures.notna().any(axis=1).to_numpy()
        back = originals.failures.index[~still_failing]
        if len(back):
            frame = pd.concat([frame, originals.failed_rows.loc[back]]).sort_index(kind="stable")
            rejected = rejected[~rejected["row_number"].isin(back)]
        if still_failing.any():  # their reasons now name only the columns in use
            reasons = _joined_reasons(failures[still_failing])
            numbers = rejected["row_number"]
            rejected = rejected.assign(reason=rejected["reason"].mask(
                numbers.isin(reasons.index), numbers.map(reasons)))
        if retyped:
            frame = frame.assign(**{column: _as_written(originals.texts[column], frame.index) for column in retyped})
        problems = tuple(problem for problem in base.problems
                         if problem.key not in _VALUE_PROBLEM_KEYS or problem.params.get("column") in checked)
        return replace(base, frame=frame, rejected=rejected.reset_index(drop=True), problems=problems, origin=base)


def _as_written(text: pd.Series | pa.ChunkedArray, rows: pd.Index) -> pd.Series:
    """A column's values as the file wrote them, for the row numbers ``rows``: text as is (stripped), whole
    numbers of Excel as their digits, Parquet integers and decimals as their exact decimal text."""
    if isinstance(text, pa.ChunkedArray):
        positions = pa.array(np.asarray(rows, dtype="int64") - 1)
        values = text.take(positions).cast(pa.large_string()).combine_chunks()
        return pd.Series(pd.array(values, dtype="str"), index=rows)
    return coerce_strings(text.reindex(rows))


def _joined_reasons(failures: pd.DataFrame) -> pd.Series:
    """One reason per row: the non-missing reasons of its columns, joined with ``; ``."""
    stacked = failures.stack().dropna()
    return stacked.groupby(level=0, sort=False).agg("; ".join)


def read_table(data: bytes, filename: str, sheet: str | int | None = None) -> LoadResult:
    """Read an uploaded CSV (``.csv``, ``.txt``, ``.tsv``), XLSX (``.xlsx``, ``.xlsm``) or Parquet (``.parquet``,
    ``.pq``) file.

    ``sheet`` chooses an Excel sheet by name or position (default: the first). Raises :class:`LoadError` for an
    empty or header-only file, a file without columns, binary data that is not text, an unknown extension,
    legacy ``.xls``, a broken ``.xlsx`` or ``.parquet`` or an unknown sheet, and for anything beyond the limits of
    the module docstring (size, zip bombs, XML entities, rows, columns, line length, ``PARSE_SECONDS``).
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise LoadError("load_too_large", filename=filename, size_mb=_megabytes(len(data)),
                        limit_mb=_megabytes(MAX_UPLOAD_BYTES))
    data = bytes(data)
    extension = Path(filename).suffix.lower()
    if _is_encrypted_ole(data):
        raise LoadError("load_encrypted", filename=filename)
    if data.startswith(OLE_MAGIC) or extension == ".xls":
        raise LoadError("load_legacy_xls", filename=filename)
    if extension not in CSV_EXTENSIONS + XLSX_EXTENSIONS + PARQUET_EXTENSIONS:
        raise LoadError("load_unknown_extension", filename=filename, extension=extension or filename)
    if not data.strip():
        raise LoadError("load_empty_file", filename=filename)
    deadline = time.monotonic() + PARSE_SECONDS
    if extension in PARQUET_EXTENSIONS or data.startswith(PARQUET_MAGIC):
        return _within_time_limit(_read_parquet, filename, data, filename)
    if extension in XLSX_EXTENSIONS or data.startswith(XLSX_MAGIC):
        return _within_time_limit(_read_xlsx, filename, data, filename, sheet)
    return _within_time_limit(_read_csv, filename, data, filename, deadline)


def _megabytes(size: int) -> int:
    return -(-size // (1024 * 1024))


def _within_time_limit(function, filename: str, *args):
    """``function(*args)`` run in a worker thread for at most ``PARSE_SECONDS``; LoadError ``load_too_slow`` after.
    The worker's own result or exception is passed on. A worker still running at the deadline is left behind (a
    daemon thread): DuckDB reads stop themselves at the same deadline, calamine reads end when calamine does."""
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["result"] = function(*args)
        except BaseException as error:  # handed to the calling thread below
            outcome["error"] = error

    worker = threading.Thread(target=work, name="retention_read_table", daemon=True)
    worker.start()
    worker.join(PARSE_SECONDS)
    if worker.is_alive():
        raise LoadError("load_too_slow", filename=filename, seconds=f"{PARSE_SECONDS:g}")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


# --- CSV ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Decoded:
    """The text of a CSV upload, its encoding, and the lines (1-based) read as cp1252 in a file that mixes it with
    UTF-8 (their count and the first few)."""

    text: str
    encoding: str
    cp1252_lines: int = 0
    cp1252_examples: tuple[int, ...] = ()


#: A character beyond ASCII decoded from valid UTF-8 (not one of the surrogates that stand for undecodable bytes).
_UTF8_BEYOND_ASCII = re.compile(r"[^\x00-\x7f\udc80-\udcff]")
#: How much of a mixed file is tried as UTF-8 at once before its lines are decoded one by one.
_DECODE_CHUNK_BYTES = 1024 * 1024


def decode_text(data: bytes, filename: str = "") -> tuple[str, str]:
    """The text of a CSV upload and its encoding: byte-order marks (UTF-8, UTF-16 LE/BE) first, then strict UTF-8,
    then cp1252; UTF-16 without a mark is recognised by its zero bytes. A file that is valid UTF-8 is UTF-8; one
    with valid UTF-8 beyond ASCII on some lines and bytes that are not UTF-8 on others mixes the two (copy and
    paste between tools): each line is read as UTF-8 where it is valid and as cp1252 where not (encoding
    ``utf-8+cp1252``; :func:`_decode` counts those lines). Binary data, and a mixed line that is not cp1252 either,
    raise LoadError."""
    decoded = _decode(data, filename)
    return decoded.text, decoded.encoding


def _decode(data: bytes, filename: str, deadline: float | None = None) -> _Decoded:
    """:func:`decode_text` with the lines read as cp1252 in a mixed file; checks ``deadline`` while decoding."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        codec = "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        return _decoded_as(data[2:], codec, codec, filename)
    if not data.startswith(codecs.BOM_UTF8) and b"\x00" in data[:4096] and len(data) >= 2:
        sample = np.frombuffer(data[: min(len(data) // 2 * 2, 4096)], dtype=np.uint8)
        even_zero, odd_zero = (sample[0::2] == 0).mean(), (sample[1::2] == 0).mean()
        codec = "utf-16-le" if odd_zero > 0.3 > even_zero else "utf-16-be" if even_zero > 0.3 > odd_zero else None
        if codec is None:
            raise LoadError("load_not_text", filename=filename)
        return _decoded_as(data, codec, codec, filename)
    name, payload = ("utf-8-sig", data[len(codecs.BOM_UTF8):]) if data.startswith(codecs.BOM_UTF8) else ("utf-8", data)
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_like_text(text):
            return _Decoded(text.removeprefix("\ufeff"), name)
        return _decoded_as(payload, "cp1252", "cp1252", filename)
    if _UTF8_BEYOND_ASCII.search(payload.decode("utf-8", errors="surrogateescape")):
        return _decode_lines(payload, f"{name}+cp1252", filename, deadline)
    return _decoded_as(payload, "cp1252", "cp1252", filename)


def _decoded_as(payload: bytes, codec: str, name: str, filename: str) -> _Decoded:
    """``payload`` decoded strictly with ``codec``; LoadError ``load_not_text`` if it fails or is not text."""
    try:
        text = payload.decode(codec)
    except UnicodeDecodeError as error:
        raise LoadError("load_not_text", filename=filename) from error
    if not _looks_like_text(text):
        raise LoadError("load_not_text", filename=filename)
    return _Decoded(text.removeprefix("\ufeff"), name)


def _decode_lines(payload: bytes, name: str, filename: str, deadline: float | None) -> _Decoded:
    """A file mixing UTF-8 and cp1252, decoded line by line: each chunk of about a megabyte (cut after a line end;
    no UTF-8 character contains a newline byte) as UTF-8 where it is valid, otherwise each of its lines as UTF-8 or,
    failing that, as cp1252. A line that is neither raises ``load_mixed_encoding``."""
    pieces: list[str] = []
    recoded: list[int] = []
    first_line, position = 1, 0
    while position < len(payload):
        end = payload.find(b"\n", min(position + _DECODE_CHUNK_BYTES, len(payload)))
        end = len(payload) if end < 0 else end + 1
        chunk = payload[position:end]
        try:
            pieces.append(chunk.decode("utf-8"))
        except UnicodeDecodeError:
            lines = []
            for number, line in enumerate(chunk.split(b"\n"), start=first_line):
                try:
                    lines.append(line.decode("utf-8"))
                except UnicodeDecodeError:
                    try:
                        lines.append(line.decode("cp1252"))
                    except UnicodeDecodeError:
                        raise LoadError("load_mixed_encoding", filename=filename, line=number) from None
                    recoded.append(number)
            pieces.append("\n".join(lines))
        first_line += chunk.count(b"\n")
        position = end
        _check_deadline(deadline, filename)
    text = "".join(pieces)
    if not _looks_like_text(text):
        raise LoadError("load_not_text", filename=filename)
    return _Decoded(text.removeprefix("\ufeff"), name, len(recoded), tuple(recoded[:5]))


def _check_deadline(deadline: float | None, filename: str) -> None:
    """LoadError ``load_too_slow`` once ``deadline`` (a ``time.monotonic()`` value) has passed: the read stops
    itself instead of working on after the user was told it took too long."""
    if deadline is not None and time.monotonic() > deadline:
        raise LoadError("load_too_slow", filename=filename, seconds=f"{PARSE_SECONDS:g}")


def _looks_like_text(text: str) -> bool:
    """No NUL characters and at most 1 % other control characters (tab, newlines and form feed allowed)."""
    sample = text[:65536]
    if "\x00" in sample:
        return False
    controls = len(re.findall(r"[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f]", sample))
    return controls <= 0.01 * max(len(sample), 1)


#: Stand-ins for a carriage return inside a line while DuckDB reads it (its CSV parser takes any CR for a line end
#: or refuses the file): Unicode noncharacters, the first that the text does not contain.
_CR_STAND_INS = ("\uffff", "\ufffe", "\U0010ffff")


def _normalize_lines(text: str, filename: str = "") -> tuple[str, str | None]:
    """Unix newlines, lines of only spaces or tabs made empty (the CSV reader skips empty lines), and the stand-in
    used for carriage returns inside lines (None when there are none).

    CR LF (and CR CR LF) end a line. A file that ends its lines with a bare CR (more CRs than LFs: old Mac exports)
    has them read as newlines. In a file whose lines end with LF, a CR inside a line belongs to its value: it is
    kept as written (replaced by a stand-in while DuckDB reads, and put back), so it never splits a row in two; a
    line where it makes the field count wrong is rejected with its reason.
    """
    stand_in = None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r\n" in text:  # CR CR LF
            text = re.sub(r"\r+\n", "\n", text)
    if "\r" in text:
        if text.count("\r") > text.count("\n"):
            text = text.replace("\r", "\n")
        else:
            stand_in = next((candidate for candidate in _CR_STAND_INS if candidate not in text), None)
            if stand_in is None:
                raise LoadError("load_not_text", filename=filename)
            text = text.replace("\r", stand_in)
    if " \n" in text or "\t\n" in text or text.endswith((" ", "\t")):  # else no line of only spaces (a quick test)
        text = re.sub(r"(?m)^[ \t]+$", "", text)
    return text, stand_in


def _split_line(line: str, separator: str) -> list[str]:
    """The fields of one CSV line (quotes respected); a plain split if the csv module refuses the line."""
    try:
        return next(csv.reader([line], delimiter=separator), [])
    except csv.Error:
        return line.split(separator)


def detect_separator(lines: list[str]) -> str:
    """The separator among ``;`` ``,`` tab ``|`` whose field count on the sample lines most often equals the
    header's, the wider header winning ties; ``,`` when none splits the header (a single-column file)."""
    best, best_score = ",", (0.0, 1)
    for separator in SEPARATORS:
        widths = [len(_split_line(line, separator)) for line in lines]
        if not widths or widths[0] < 2:
            continue
        agreeing = sum(width == widths[0] for width in widths[1:]) / max(len(widths) - 1, 1)
        score = (agreeing, widths[0])
        if score > best_score:
            best, best_score = separator, score
    return best


def _fit_header(sample: list[str], separator: str) -> list[str]:
    """The header fields, fitted to the usual (most common) width of the first data lines: when the usual line is
    wider than the header (a trailing separator, or a column the header does not name), the header gets unnamed
    extra columns and lines of that width are kept; empty trailing header fields that the usual line lacks are
    dropped. Lines of another width are rejected as having the wrong number of fields."""
    header = _split_line(sample[0], separator)
    widths = [len(_split_line(line, separator)) for line in sample[1:]]
    if not widths:
        return header
    usual = max(set(widths), key=widths.count)
    if usual > len(header):
        return header + [""] * (usual - len(header))
    if usual < len(header) and not "".join(header[usual:]).strip():
        return header[:usual]
    return header


def _header_names(fields: list[str]) -> list[str]:
    """Stripped header names; empty ones become ``column_<n>``; repeats get `` (2)``, `` (3)``."""
    names, seen = [], {}
    for position, name in enumerate(fields, start=1):
        name = str(name).strip() or f"column_{position}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def _read_csv(data: bytes, filename: str, deadline: float | None = None) -> LoadResult:
    decoded = _decode(data, filename, deadline)
    text = decoded.text
    if "\x00" in text:  # decode_text samples the start; a NUL further on is binary data too
        raise LoadError("load_not_text", filename=filename)
    text, stand_in = _normalize_lines(text, filename)
    first = re.search(r"[^\n]", text)
    if first is None:
        raise LoadError("load_empty_file", filename=filename)
    header_index = text.count("\n", 0, first.start())
    encoded = text.encode("utf-8")
    _check_lines(encoded, filename)
    header_end = text.find("\n", first.start())
    header_end = len(text) if header_end < 0 else header_end
    head = [text[first.start() : header_end]] + text[header_end + 1 : header_end + 1 + 262144].split("\n")[:200]
    sample = [line for line in head if line]
    separator = detect_separator(sample)
    headers = _header_names(_fit_header(sample, separator))
    if stand_in is not None:
        headers = [name.replace(stand_in, "\r") for name in headers]
    if len(headers) > MAX_COLUMNS:
        raise LoadError("load_too_many_columns", filename=filename, columns=len(headers), limit=MAX_COLUMNS)
    # DuckDB reads the lines after the header only: with `skip` its reader drops the end of a file that has many
    # rejected lines (1.2 M good and 1.2 M bad lines lost 537,881 rows), so the header is cut off here instead.
    body = memoryview(encoded)[min(len(text[: header_end + 1].encode("utf-8")), len(encoded)):]
    lines_before = header_index + 1  # the header line and the empty lines above it
    if len(headers) < 2:  # a second field decides whether a line is a row; a table needs two columns anyway
        raise LoadError("load_header_only" if not bytes(body).strip() else "load_one_column", filename=filename)
    raw, rejects = _duckdb_read(body, separator, 0, len(headers), filename, deadline)
    if not len(raw) and not len(rejects):
        raise LoadError("load_header_only", filename=filename)
    _check_deadline(deadline, filename)
    if stand_in is not None:  # the carriage returns inside values, as the file wrote them
        raw = raw.apply(lambda column: column.str.replace(stand_in, "\r", regex=False))
        rejects["csv_line"] = rejects["csv_line"].str.replace(stand_in, "\r", regex=False)
    rejects["line"] = rejects["line"].astype("int64") + lines_before
    raw.index = pd.Index(_csv_row_numbers(body, lines_before, raw, rejects, filename), name="row_number")
    raw.columns = headers
    rejected_lines = _split_rejected_lines(rejects, headers, separator)
    _check_deadline(deadline, filename)
    typed = _type_columns(raw, default_mark="," if separator == ";" else ".", kind="csv", deadline=deadline,
                          filename=filename)
    dialect = Dialect(
        kind="csv",
        encoding=decoded.encoding,
        separator=separator,
        decimal_mark=typed.decimal_mark,
        thousands_separator=_thousands(typed.decimal_mark),
        date_format=typed.date_format,
    )
    problems = _field_problems(rejects, len(headers))
    if decoded.cp1252_lines:
        problems.append(Problem("load_lines_cp1252", "warning", {
            "rows": decoded.cp1252_lines, "examples": ", ".join(map(str, decoded.cp1252_examples))}))
    return _result(typed, rejected_lines, dialect, problems, filename, rows_read=len(raw) + len(rejects))


def _check_lines(encoded: bytes, filename: str) -> None:
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


def _duckdb_read(
    encoded: bytes, separator: str, skip: int, width: int, filename: str, deadline: float | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Positional text columns ``c0, c1, ...`` of the data lines, and the rejected lines (line, error_type,
    csv_line), read by DuckDB from a memory file (:func:`scratch.memory_file`) that only this connection may open. At
    ``deadline`` (a ``time.monotonic()`` value) the read is interrupted: LoadError ``load_too_slow``."""
    columns = {f"c{position}": "VARCHAR" for position in range(width)}
    with scratch.memory_file(encoded, "upload.csv") as path:
        connection = duckdb.connect(
            ":memory:",
            config={
                "threads": int(os.environ.get("RETENTION_DUCKDB_THREADS", "2")),
                "memory_limit": os.environ.get("RETENTION_DUCKDB_MEMORY_LIMIT", "2GB"),
                "temp_directory": "",  # nothing of an upload is spilled to disk
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
            },
        )
        budget = PARSE_SECONDS if deadline is None else deadline - time.monotonic()
        finished = threading.Event()

        def interrupt_after_deadline() -> None:
            # Repeated: an interrupt that arrives between two statements would otherwise be lost.
            if finished.wait(max(budget, 0.0)):
                return
            while True:
                connection.interrupt()
                if finished.wait(0.05):
                    return

        watchdog = threading.Thread(target=interrupt_after_deadline, name="retention_read_deadline", daemon=True)
        watchdog.start()
        try:
            connection.execute("SET allowed_paths = $paths", {"paths": [path]})
            connection.execute("SET enable_external_access = false")
            connection.execute("SET lock_configuration = true")
            raw = connection.execute(
                load_sql("load_read_csv"), {"path": path, "separator": separator, "skip": skip, "columns": columns}
            ).df()
            rejects = connection.execute(load_sql("load_csv_rejects")).df()
        except duckdb.InterruptException as error:
            raise LoadError("load_too_slow", filename=filename, seconds=f"{PARSE_SECONDS:g}") from error
        except duckdb.Error as error:
            detail = str(error).splitlines()[0][:200]
            raise LoadError("load_unreadable", filename=filename, detail=detail) from error
        finally:
            finished.set()
            watchdog.join()
            connection.close()
    rejects = rejects[~rejects["csv_line"].fillna("").str.strip().eq("")].reset_index(drop=True)
    return raw, rejects


#: In a kept value, a run of line breaks: a non-empty line of the file follows each (the value's next line, or the
#: line with its closing quote), so each is one more non-empty line the row spans. (Arrow's regular expressions
#: are searched again from each match, so ``^`` and ``$`` cannot anchor; runs need neither.)
_VALUE_LINE_BREAK = r"\n+"
#: In a rejected line's raw text, each non-empty line.
_LINE_START = r"[^\n]+"


def _csv_row_numbers(body: bytes | memoryview, lines_before: int, raw: pd.DataFrame, rejects: pd.DataFrame,
                     filename: str) -> np.ndarray:
    """The row numbers of the rows DuckDB kept, after checking that the kept and rejected rows account for every
    non-empty line of the ``body`` (the file after its header and the ``lines_before`` lines up to it).

    A kept row spans one line plus one for each line break inside its quoted values (:data:`_VALUE_LINE_BREAK`);
    a rejected row the non-empty lines of its raw text. If they do not add up to the body's non-empty lines, rows
    were lost on the way: LoadError ``load_rows_unaccounted``, never a silent loss.

    A row's number is its line in the file as a spreadsheet shows it, the header line included: a row whose quoted
    values span several lines counts as one line (DuckDB numbers the rejected lines that way). The numbers are
    exact unless a file has both empty lines and values with line breaks; then the kept rows' numbers after the
    first such value are the nearest estimate.
    """
    bytes_ = np.frombuffer(body, dtype=np.uint8)
    newlines = np.flatnonzero(bytes_ == 10)
    starts = np.concatenate([[0], newlines + 1])
    ends = np.concatenate([newlines, [len(bytes_)]])
    non_empty = ends > starts
    extra = np.zeros(len(raw), dtype="int64")
    for name in raw.columns:
        extra += pc.count_substring_regex(_arrow_text(raw[name]), _VALUE_LINE_BREAK).fill_null(0).to_numpy()
    rejected_spans = pc.count_substring_regex(_arrow_text(rejects["csv_line"]), _LINE_START).fill_null(0).to_numpy()
    accounted = len(raw) + int(extra.sum()) + int(rejected_spans.sum())
    if accounted != int(non_empty.sum()):
        raise LoadError("load_rows_unaccounted", filename=filename, lines=int(non_empty.sum()), kept=len(raw),
                        rejected=len(rejects), missing=int(non_empty.sum()) - accounted)
    rejected_lines = rejects["line"].to_numpy(dtype="int64")
    if not extra.any() and not (rejected_spans > 1).any():  # one line per row: every number exact
        candidates = np.flatnonzero(non_empty) + 1 + lines_before
    else:  # DuckDB's numbering: a row with line breaks in its values is one line
        candidates = np.arange(1, len(raw) + len(rejects) + 1) + lines_before
    return candidates[~np.isin(candidates, rejected_lines)][: len(raw)]


def _arrow_text(column: pd.Series) -> pa.Array:
    """A text column as an Arrow large_string array (the Arrow data itself where it is one already)."""
    values = pa.array(column.array) if len(column) else pa.array([], pa.large_string())
    if pa.types.is_null(values.type):
        return pa.nulls(len(values), pa.large_string())
    return values.cast(pa.large_string())


def _split_rejected_lines(rejects: pd.DataFrame, headers: list[str], separator: str) -> pd.DataFrame:
    """Rejected CSV lines as raw values under the headers (extra fields dropped, missing ones empty, quotes
    around a field removed), with ``row_number`` and ``reason``.

    Vectorised in Arrow (a file may have millions of rejected lines): a line is split at every separator, so a
    separator inside quotes splits too; the count of fields in the reason is DuckDB's. Line breaks inside a
    rejected line become spaces.
    """
    width = len(headers)
    lines = pc.replace_substring(_arrow_text(rejects["csv_line"]).fill_null(""), "\n", " ")
    fields = pc.split_pattern(lines, separator, max_splits=width)
    flat = pc.replace_substring(pc.replace_substring_regex(
        pc.utf8_trim(pc.list_flatten(fields), " \t\u00a0"), r'^"(.*)"$', r"\1"), '""', '"')
    row = pc.list_parent_indices(fields).to_numpy()
    position = np.arange(len(row)) - np.asarray(fields.offsets)[row]
    values = {}
    for index, name in enumerate(headers):
        taken = np.full(len(rejects), -1, dtype="int64")  # each line's field at this position, -1 where it has none
        at = np.flatnonzero(position == index)
        taken[row[at]] = at
        values[name] = pd.array(flat.take(pa.array(taken, mask=taken < 0)), dtype="str")
    frame = pd.DataFrame(values, index=pd.RangeIndex(len(rejects)))
    found = pd.Series(rejects["found"].to_numpy(dtype="float64"), dtype="Int64").fillna(
        pd.Series(pc.list_value_length(pc.split_pattern(lines, separator)).to_numpy(), dtype="Int64"))
    wrong_count = rejects["error_type"].astype("str").str.contains("COLUMNS").to_numpy()
    reasons = pd.Series(np.where(
        wrong_count,
        f"wrong number of fields: expected {width}, found " + found.astype("str"),
        "malformed line (" + rejects["error_type"].astype("str").str.lower() + ")",
    ), dtype="str")
    with_cr = rejects["csv_line"].str.contains("\r", regex=False).fillna(False).to_numpy()
    reasons[with_cr] = reasons[with_cr] + " (a carriage return inside a value)"
    frame["row_number"] = rejects["line"].astype("int64").to_numpy()
    frame["reason"] = reasons
    return frame


def _field_problems(rejects: pd.DataFrame, width: int) -> list[Problem]:
    wrong_count = rejects["error_type"].astype("str").str.contains("COLUMNS")
    problems = []
    for mask, key in ((wrong_count, "load_rows_wrong_field_count"), (~wrong_count, "load_rows_malformed")):
        if mask.any():
            lines = rejects.loc[mask, "line"].astype("int64")
            params = {"rows": int(mask.sum()), "examples": ", ".join(map(str, lines[:5])), "expected": width}
            problems.append(Problem(key, "warning", params))
    return problems


def _thousands(decimal_mark: str | None) -> str | None:
    return {",": ".", ".": ","}.get(decimal_mark) if decimal_mark else None


# --- typing columns (CSV and XLSX alike) --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Typed:
    """Typed columns of the rows read (``frame``) and their input (``raw``); ``failures``: the reason per column
    of each row with a value that failed (index ``row_number``); ``texts``: the input of the typed columns (see
    :class:`Originals`); ``blank``: rows without any value, left out of ``frame``."""

    frame: pd.DataFrame
    raw: pd.DataFrame
    failures: pd.DataFrame
    problems: tuple[Problem, ...]
    decimal_mark: str | None
    date_format: str | None
    texts: Mapping[str, pd.Series | pa.ChunkedArray] = field(default_factory=dict)
    blank: int = 0


def _type_columns(raw: pd.DataFrame, default_mark: str, kind: str, deadline: float | None = None,
                  filename: str = "") -> _Typed:
    """Type each column of ``raw`` (text for CSV, mixed cells for XLSX) from its evidence.

    Order of the decision per column: header looks like an id -> text; at least TYPE_THRESHOLD of the values are
    dates in one format -> date; values with leading zeros ("00042") -> text; at least TYPE_THRESHOLD are numbers
    with the file's decimal mark -> float; else text. Cells that fail in a typed column mark their row as rejected.
    The input of each typed column is kept (``texts``), so that a column mapped as an id can be read as written.
    Rows without any value are left out and counted (``blank``). Checks ``deadline`` after each column.
    """
    rows = len(raw)
    raw = raw.loc[raw.notna().any(axis=1) & ~_all_blank(raw)]
    blank = rows - len(raw)
    raw = raw.loc[:, [not (str(name).startswith("column_") and raw[name].isna().all()) for name in raw.columns]]
    cells = {name: split_cells(raw[name]) for name in raw.columns}
    text_columns = [name for name in raw.columns if not looks_like_id(name)]
    evidence = {name: text_evidence(cells[name].strings) if len(cells[name].strings) else {} for name in text_columns}
    decimal_mark = choose_decimal_mark(evidence.values(), default=default_mark)
    day_first = decimal_mark == ","

    typed: dict[str, pd.Series] = {}
    texts: dict[str, pd.Series] = {}
    failure_reasons: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    used_marks, used_formats = [], []
    for name in raw.columns:
        _check_deadline(deadline, filename)
        column, facts = raw[name], evidence.get(name, {})
        total = cells[name].count
        date_format, date_rows = choose_date_format(facts, day_first)
        number_rows = facts.get("decimal_comma" if decimal_mark == "," else "decimal_point", 0)
        typed_dates, typed_numbers = len(cells[name].dates), len(cells[name].numbers)
        if total == 0 or looks_like_id(name):
            typed[name] = coerce_strings(column)
            continue
        if date_rows + typed_dates >= TYPE_THRESHOLD * total and date_rows + typed_dates > 0:
            result = coerce_dates(column, date_format or "%Y-%m-%d", day_first)
            typed[name] = result.values
            if date_rows:
                used_formats.append(date_format)
            what, key = f"not a date ({date_format or 'date'})", "load_values_not_dates"
        elif facts.get("leading_zero", 0):
            typed[name] = coerce_strings(column)
            continue
        elif number_rows + typed_numbers >= TYPE_THRESHOLD * total:
            result = coerce_numbers(column, decimal_mark)
            typed[name] = result.values
            if number_rows:
                used_marks.append(decimal_mark)
            what, key = "not a number", "load_values_not_numbers"
        else:
            typed[name] = coerce_strings(column)
            continue
        texts[name] = column
        if result.failed.any():
            bad = column[result.failed].astype("str")
            failure_reasons[name] = f"{name}: {what}: '" + bad + "'"
            params = {"column": name, "rows": int(result.failed.sum()), "examples": ", ".join(pd.unique(bad)[:3])}
            if key == "load_values_not_dates":
                params["format"] = date_format or "-"
            problems.append(Problem(key, "warning", params))

    frame = pd.DataFrame(typed, index=raw.index)
    return _Typed(
        frame=frame,
        raw=raw,
        failures=pd.DataFrame(failure_reasons, dtype="str"),
        problems=tuple(problems),
        decimal_mark=decimal_mark if used_marks or kind == "csv" else None,
        date_format=max(set(used_formats), key=used_formats.count) if used_formats else None,
        texts=texts,
        blank=blank,
    )


def _all_blank(raw: pd.DataFrame) -> pd.Series:
    """Rows whose text cells are all spaces (Excel leaves such cells behind)."""
    blank = pd.Series(True, index=raw.index)
    for name in raw.columns:
        column = raw[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            text = column.astype("str").str.strip()
            blank &= column.isna() | (text == "")
        else:
            blank &= column.isna()
    return blank


def _result(typed: _Typed, rejected_lines: pd.DataFrame, dialect: Dialect, problems: list[Problem],
            filename: str, rows_read: int) -> LoadResult:
    """Assemble the LoadResult: rows with failed cells move to ``rejected`` next to the file-level rejects.

    ``rows_read``: the rows the reader found (kept by it or rejected as lines). They must equal the rows kept, set
    aside and blank, or the read ends with ``load_rows_unaccounted`` instead of losing rows silently.
    """
    if not len(typed.frame.columns):
        raise LoadError("load_no_columns", filename=filename)
    if not len(typed.frame) and not len(rejected_lines):
        raise LoadError("load_header_only", filename=filename)
    _check_accounted(rows_read, len(typed.frame), len(rejected_lines), typed.blank, filename)
    bad = typed.frame.index.isin(typed.failures.index)
    frame = typed.frame[~bad] if bad.any() else typed.frame  # no copy of a large table without a bad row
    failed_raw = typed.raw[bad].apply(lambda column: column.astype("str"))
    failed_raw = failed_raw.reset_index()
    failed_raw["reason"] = _joined_reasons(typed.failures).reindex(typed.raw.index[bad]).to_numpy()
    rejected_lines = rejected_lines[[name for name in rejected_lines.columns if name in failed_raw.columns]]
    columns = list(typed.raw.columns) + ["row_number", "reason"]
    parts = [part.reindex(columns=columns) for part in (rejected_lines, failed_raw) if len(part)]
    rejected = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    rejected = rejected.astype({name: "str" for name in columns if name != "row_number"})
    rejected["row_number"] = rejected["row_number"].astype("int64")
    rejected = rejected.sort_values("row_number", kind="stable").reset_index(drop=True)
    _check_accounted(rows_read, len(frame), len(rejected), typed.blank, filename)
    if typed.blank:
        problems = [*problems, Problem("load_rows_blank", "info", {"rows": typed.blank})]
    originals = Originals(typed.texts, typed.frame[bad], typed.failures)
    return LoadResult(frame, dialect, rejected, tuple(problems) + typed.problems, rows_blank=typed.blank,
                      originals=originals)


def _check_accounted(rows_read: int, kept: int, rejected: int, blank: int, filename: str) -> None:
    """LoadError ``load_rows_unaccounted`` unless the rows read are the rows kept, rejected and blank."""
    if kept + rejected + blank != rows_read:
        raise LoadError("load_rows_unaccounted", filename=filename, lines=rows_read, kept=kept, rejected=rejected,
                        missing=rows_read - kept - rejected - blank)


# --- XLSX --------------------------------------------------------------------------------------------------------


def _read_xlsx(data: bytes, filename: str, sheet: str | int | None) -> LoadResult:
    if not data.startswith(XLSX_MAGIC):
        raise LoadError("load_not_xlsx", filename=filename)
    inspect_xlsx(data, filename)
    try:
        workbook = pd.ExcelFile(io.BytesIO(data), engine="calamine")
        sheet_names = tuple(str(name) for name in workbook.sheet_names)
    except Exception as error:  # calamine raises its own errors for any broken workbook
        raise LoadError("load_not_xlsx", filename=filename) from error
    chosen = _choose_sheet(sheet, sheet_names, filename)
    try:
        cells = pd.read_excel(workbook, sheet_name=chosen, header=None, engine="calamine")
    except Exception as error:  # a sheet calamine cannot read
        raise LoadError("load_unreadable", filename=filename, detail=str(error)[:200]) from error
    if len(cells) > MAX_ROWS + 1:
        raise LoadError("load_too_many_rows", filename=filename, rows=len(cells) - 1, limit=MAX_ROWS)
    if cells.shape[1] > MAX_COLUMNS:
        raise LoadError("load_too_many_columns", filename=filename, columns=cells.shape[1], limit=MAX_COLUMNS)
    cells.index = pd.RangeIndex(1, len(cells) + 1, name="row_number")
    filled = cells.notna().any(axis=1) & ~_all_blank(cells)
    if not filled.any():
        raise LoadError("load_empty_file", filename=filename)
    blank = int((~filled[cells.index > filled.idxmax()]).sum())  # empty rows below the header row
    cells = cells.loc[filled]
    header = cells.iloc[0]
    body = cells.iloc[1:]
    keep = [
        position
        for position in range(len(header))
        if pd.notna(header.iloc[position]) or body.iloc[:, position].notna().any()
    ]
    if not keep:
        raise LoadError("load_no_columns", filename=filename)
    if not len(body):
        raise LoadError("load_header_only", filename=filename)
    names = _header_names(coerce_strings(header.iloc[keep]).fillna("").tolist())
    body = body.iloc[:, keep]
    body.columns = names
    typed = _type_columns(body, default_mark=".", kind="xlsx")
    typed = replace(typed, blank=typed.blank + blank)
    dialect = Dialect(
        kind="xlsx",
        decimal_mark=typed.decimal_mark,
        thousands_separator=_thousands(typed.decimal_mark),
        date_format=typed.date_format,
        sheet_name=chosen,
        sheet_names=sheet_names,
    )
    return _result(typed, pd.DataFrame(columns=names + ["row_number", "reason"]), dialect, [], filename,
                   rows_read=len(body) + blank)


_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
_NAMED_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
_QUOTED_REFERENCE = rb"\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,9})[\"']"
_ROW_TAG = re.compile(_PREFIX + rb"row\b(?:[^>]*?\br\s*=\s*[\"']([0-9]{1,9})[\"'])?")
_REFERENCED_CELL = re.compile(_PREFIX + rb"c\b[^>]*?\br" + _QUOTED_REFERENCE + rb"[^>]*?(/?)>")
_UNREFERENCED_CELL = re.compile(_PREFIX + rb"c(?:\s(?![^>]*\br\s*=)[^>]*[^/>])?>")
# a row or cell reference that is not plain digits / letters and digits (a character reference, say): refused,
# since the reader may well decode it to a far corner the scan did not see
_ODD_REFERENCE = re.compile(
    _PREFIX + rb"(?:row\b[^>]*?\br\s*=\s*[\"'](?![0-9]{1,9}[\"'])"
    rb"|c\b[^>]*?\br\s*=\s*[\"'](?!\$?[A-Za-z]{1,3}\$?[0-9]{1,9}[\"']))"
)
# a cell of a shared string, with its index when that is written as plain digits
_SHARED_CELL = re.compile(
    _PREFIX + rb"c\b[^>]*?\bt\s*=\s*[\"']s[\"'][^>]*>(?:\s*" + _PREFIX + rb"v>\s*([0-9]{1,10})\s*<)?"
)
_SHARED_ITEM = re.compile(_PREFIX + rb"si\b")
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument"


def inspect_xlsx(data: bytes, filename: str) -> None:
    """Refuse a zip bomb, an encrypted or non-XLSX archive, XML entity declarations, sheets spanning too large an
    area and cell text that expands beyond ``MAX_EXPANDED_BYTES`` before any XLSX reader opens the file (limits in
    the module docstring). Every part is inspected, whatever its name: relationships may put a sheet anywhere.
    A file that is not a zip raises ``load_not_xlsx``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise LoadError("load_not_xlsx", filename=filename) from error
    with archive:
        total = sum(entry.file_size for entry in entries)
        if len(entries) > MAX_ZIP_ENTRIES or total > MAX_UNCOMPRESSED_BYTES:
            raise LoadError("load_too_complex", filename=filename)
        for entry in entries:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO:
                raise LoadError("load_too_complex", filename=filename)
        _check_workbook_kind(archive, entries, filename)
        parts = [entry for entry in entries if not entry.is_dir()]
        try:
            roots = [_check_xml_prolog(archive, entry, filename) for entry in parts]
            shared = _shared_string_sizes(archive, [entry for entry, root in zip(parts, roots) if root == b"sst"])
            expanded = sum(_check_sheet_area(archive, entry, filename, shared) for entry in parts)
        except LoadError:
            raise
        except Exception as error:  # a broken part: zlib, CRC, unsupported compression
            raise LoadError("load_not_xlsx", filename=filename) from error
    if expanded > MAX_EXPANDED_BYTES:
        raise LoadError("load_too_much_data", filename=filename, size_mb=_megabytes(expanded),
                        limit_mb=_megabytes(MAX_EXPANDED_BYTES))


def _check_workbook_kind(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], filename: str) -> None:
    """An archive with encrypted parts, an OpenDocument spreadsheet, a binary workbook (.xlsb) or a zip without a
    workbook each get their own message."""
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise LoadError("load_encrypted", filename=filename)
    names = {entry.filename for entry in entries}
    if "mimetype" in names and archive.open("mimetype").read(64).startswith(_ODS_MIMETYPE):
        raise LoadError("load_opendocument", filename=filename)
    if "xl/workbook.bin" in names:
        raise LoadError("load_xlsb", filename=filename)
    if "xl/workbook.xml" not in names:
        raise LoadError("load_not_a_workbook", filename=filename)


def _is_encrypted_ole(data: bytes) -> bool:
    """An OLE compound file holding an encrypted OOXML package (a workbook saved with a password)."""
    return data.startswith(OLE_MAGIC) and _ENCRYPTED_PACKAGE in data


def _check_xml_prolog(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, filename: str) -> bytes | None:
    """Refuse entity declarations in a part's head, an XML part whose root element is not in its first
    ``XML_PROLOG_BYTES``, and XML in UTF-16 (Excel writes UTF-8; the scans below read bytes). Returns the local
    name of the root element of an XML part (``b"sst"`` for shared strings), None for other parts."""
    with archive.open(entry) as part:
        head = part.read(XML_PROLOG_BYTES)
    whole_part = len(head) < XML_PROLOG_BYTES
    wide = b"\x00" in head
    head = _COMMENT.sub(b"", head.replace(b"\x00", b""))  # NULs: UTF-16 text read as bytes
    if _DOCTYPE.search(head):
        raise LoadError("load_xml_entities", filename=filename)
    if not head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").startswith(b"<"):
        return None  # not XML: an image, a printer's settings ... (still scanned for cells below)
    if wide:
        raise LoadError("load_not_xlsx", filename=filename)
    if not whole_part and not _ROOT_ELEMENT.search(head):
        raise LoadError("load_xml_entities", filename=filename)
    root = _NAMED_ROOT.search(re.sub(rb"<[?!][^>]*>", b"", head))
    return root.group(1) if root else None


def _shared_string_sizes(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> np.ndarray:
    """The size in bytes of each shared string, as an upper bound of its text: the span of its ``<si>`` item,
    markup included (entities and CDATA only ever shrink). With several shared-string parts, the larger size per
    position."""
    sizes = np.zeros(0, dtype=np.int64)
    for entry in parts:
        content = archive.read(entry)
        starts = np.fromiter((match.start() for match in _SHARED_ITEM.finditer(content)), dtype=np.int64)
        spans = np.diff(np.append(starts, len(content)))
        if len(spans) > len(sizes):
            sizes = np.concatenate([sizes, np.zeros(len(spans) - len(sizes), dtype=np.int64)])
        sizes[:len(spans)] = np.maximum(sizes[:len(spans)], spans)
    return sizes


def _check_sheet_area(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, filename: str,
                      shared: np.ndarray | None = None) -> int:
    """The rows and columns a worksheet part spans, read from its cell references (cells without a value do not
    count; cells without a reference count as one more column each), checked against the caps. Returns the bytes
    of ``shared`` strings (sizes by index) its cells refer to, each reference counted: a cell whose index is not
    plain digits counts as the largest."""
    shared = np.zeros(0, dtype=np.int64) if shared is None else shared
    largest = int(shared.max()) if len(shared) else 0
    max_row = rows = max_column = unreferenced = expanded = 0
    tail = b""
    with archive.open(entry) as part:
        while chunk := part.read(4 * 1024 * 1024):
            buffer = tail + chunk
            cut = _last_cell_end(buffer)
            body, tail = buffer[:cut], buffer[cut:]
            if len(tail) > MAX_LINE_BYTES:
                raise LoadError("load_too_complex", filename=filename)
            expanded += _check_sheet_chunk(body, filename, shared, largest, counts := [0, 0, 0, 0])
            rows += counts[0]
            max_row = max(max_row, counts[1])
            max_column = max(max_column, counts[2])
            unreferenced += counts[3]
    if tail:
        expanded += _check_sheet_chunk(tail, filename, shared, largest, counts := [0, 0, 0, 0])
        rows, max_row = rows + counts[0], max(max_row, counts[1])
        max_column, unreferenced = max(max_column, counts[2]), unreferenced + counts[3]
    max_row, max_column = max(max_row, rows), max_column + unreferenced
    if max_row > MAX_ROWS + 1:
        raise LoadError("load_too_many_rows", filename=filename, rows=max_row - 1, limit=MAX_ROWS)
    if max_column > MAX_COLUMNS:
        raise LoadError("load_too_many_columns", filename=filename, columns=max_column, limit=MAX_COLUMNS)
    if max_row * max_column > MAX_SHEET_CELLS:
        raise LoadError("load_too_complex", filename=filename)
    return expanded


def _last_cell_end(buffer: bytes) -> int:
    """Where to cut a chunk of a sheet so that no cell is split: after its last ``</c>`` (or, in a part without
    cells, after its last ``>``)."""
    end = max(buffer.rfind(b"</c>"), buffer.rfind(b":c>"))
    if end >= 0:
        return buffer.index(b">", end) + 1
    return buffer.rfind(b">") + 1


def _check_sheet_chunk(body: bytes, filename: str, shared: np.ndarray, largest: int, counts: list[int]) -> int:
    """One chunk of :func:`_check_sheet_area`: ``counts`` gets [row tags, largest row, largest column, cells
    without a reference]; returns the shared-string bytes its cells refer to."""
    if _ODD_REFERENCE.search(body):
        raise LoadError("load_too_complex", filename=filename)
    row_refs = _ROW_TAG.findall(body)
    counts[0] = len(row_refs)
    counts[1] = max([0, *map(int, filter(None, row_refs))])
    # <c r="Z9" s="1"/> (self-closing) carries formatting only, no value: it does not widen the sheet.
    cells = [(letters, digits) for letters, digits, closed in _REFERENCED_CELL.findall(body) if not closed]
    if cells:
        letters, digits = zip(*cells)
        counts[1] = max([counts[1], *map(int, set(digits))])
        counts[2] = max(map(_column_number, set(letters)))
    counts[3] = len(_UNREFERENCED_CELL.findall(body))
    references = _SHARED_CELL.findall(body)
    if not references:
        return 0
    plain = np.array([int(index) for index in references if index], dtype=np.int64)
    known = plain[plain < len(shared)]
    return int(shared[known].sum()) + (len(references) - len(plain)) * largest


def _column_number(letters: bytes) -> int:
    """Excel column letters as a 1-based number: A -> 1, Z -> 26, AA -> 27, XFD -> 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _choose_sheet(sheet: str | int | None, sheet_names: tuple[str, ...], filename: str) -> str:
    if not sheet_names:
        raise LoadError("load_no_sheets", filename=filename)
    if sheet is None:
        return sheet_names[0]
    if isinstance(sheet, int) and 0 <= sheet < len(sheet_names):
        return sheet_names[sheet]
    if isinstance(sheet, str) and sheet in sheet_names:
        return sheet
    raise LoadError("load_sheet_not_found", filename=filename, sheet=sheet, sheets=", ".join(sheet_names))


# --- Parquet -----------------------------------------------------------------------------------------------------


def _read_parquet(data: bytes, filename: str) -> LoadResult:
    """A Parquet file's flat columns as float64 numbers, datetime64 dates and text (see the module docstring)."""
    if len(data) < 12 or not (data.startswith(PARQUET_MAGIC) and data.endswith(PARQUET_MAGIC)):
        raise LoadError("load_not_parquet", filename=filename)
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        schema = parquet.schema_arrow
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ... for a broken footer
        raise LoadError("load_not_parquet", filename=filename) from error
    inspect_parquet(parquet.metadata, schema, filename, data)
    if not len(schema.names):
        raise LoadError("load_no_columns", filename=filename)
    if parquet.metadata.num_rows == 0:
        raise LoadError("load_header_only", filename=filename)
    try:
        table = parquet.read()
        # pages that decode but hold garbage (a dictionary index out of range, broken offsets) are caught here, not
        # later as an Arrow error or a crash while converting: 0.2 s for 10 M rows
        table.validate(full=True)
    except Exception as error:  # a broken page, checksum or compression stream, or invalid decoded data
        raise LoadError("load_not_parquet", filename=filename) from error
    names = _header_names(table.column_names)
    columns = {name: _parquet_column(name, table.column(position), filename)
               for position, name in enumerate(names)}
    rows = table.num_rows
    del table
    pa.default_memory_pool().release_unused()  # the decompressed pages: give them back, do not keep them pooled
    frame = pd.DataFrame({name: column.values for name, column in columns.items()}, copy=False)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row_number")
    failures = {name: pd.Series(column.reasons.to_numpy(), index=column.reasons.index + 1, dtype="str")
                for name, column in columns.items() if len(column.reasons)}
    problems = [Problem("load_values_out_of_range", "warning", {
        "column": name, "rows": len(reasons), "examples": ", ".join(columns[name].examples),
        "first": FIRST_YEAR, "last": LAST_YEAR}) for name, reasons in failures.items()]
    typed = _Typed(frame=frame, raw=frame, failures=pd.DataFrame(failures, dtype="str"), problems=tuple(problems),
                   decimal_mark=None, date_format=None,
                   texts={name: column.text for name, column in columns.items() if column.text is not None})
    rejected = pd.DataFrame({name: pd.Series([], dtype="str") for name in [*names, "row_number", "reason"]})
    return _result(typed, rejected, Dialect(kind="parquet"), [], filename, rows_read=rows)


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
    value of its dictionary page (:mod:`retention_core.parquet_pages`)."""
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
        raise LoadError("load_too_much_data", filename=filename, size_mb=_megabytes(decoded),
                        limit_mb=_megabytes(MAX_EXPANDED_BYTES))


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


@dataclass(frozen=True, eq=False)
class _ParquetColumn:
    """One Parquet column read: its ``values``; the column as stored when its values were typed from integers or
    decimals (``text``, for an id: see :class:`Originals`); the reasons of the values that cannot be used, by
    position (dates outside FIRST_YEAR-LAST_YEAR), and a few of those values as text."""

    values: pd.Series
    text: pa.ChunkedArray | None = None
    reasons: pd.Series = field(default_factory=lambda: pd.Series([], dtype="str"))
    examples: tuple[str, ...] = ()


#: Ticks per second of Arrow's timestamp units.
_TICKS = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}


def _parquet_column(name: str, column: pa.ChunkedArray, filename: str) -> _ParquetColumn:
    """One Parquet column as float64 (numbers; whole-number ids become text), datetime64 (dates) or text.

    Dates and timestamps outside the years FIRST_YEAR-LAST_YEAR (a timestamp in year −61757) are not converted
    (their microseconds could overflow) but set aside with a reason."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column, kind = column.cast(kind.value_type), kind.value_type
    if pa.types.is_temporal(kind) and not (pa.types.is_time(kind) or pa.types.is_duration(kind)):
        column, reasons, examples = _dates_in_range(name, column, kind)
        if pa.types.is_timestamp(kind) and kind.tz is not None:
            column = pc.local_timestamp(column)  # the wall-clock time, as _as_dates keeps it for Excel dates
        values = pd.Series(column.cast(pa.timestamp("us")).to_numpy(), dtype=DATE_DTYPE, copy=False)
        return _ParquetColumn(values, reasons=reasons, examples=examples)
    if pa.types.is_integer(kind) and looks_like_id(name):
        column = column.cast(pa.string())
    elif pa.types.is_integer(kind) or pa.types.is_decimal(kind):  # as float64; an id mapped later reads the digits
        return _ParquetColumn(pd.Series(column.cast(pa.float64(), safe=False).to_numpy(), dtype="float64",
                                        copy=False), text=column)
    elif pa.types.is_floating(kind):
        return _ParquetColumn(pd.Series(column.cast(pa.float64()).to_numpy(), dtype="float64", copy=False))
    try:
        text = column if pa.types.is_string(kind) or pa.types.is_large_string(kind) else column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:  # binary that is not UTF-8, ...
        raise LoadError("load_unreadable", filename=filename, detail=f"column {name!r}: {kind}") from error
    return _ParquetColumn(text.to_pandas())


def _dates_in_range(name: str, column: pa.ChunkedArray, kind: pa.DataType
                    ) -> tuple[pa.ChunkedArray, pd.Series, tuple[str, ...]]:
    """``column`` with the dates outside FIRST_YEAR-LAST_YEAR made missing, their reasons by position, and up to
    three of them as text. Compared as the stored integers (days, milliseconds or the timestamp's unit)."""
    if pa.types.is_date32(kind):
        ticks, per_second = column.cast(pa.int32()).cast(pa.int64()), None
        first, last = (EARLIEST_DATE - pd.Timestamp(0)).days, (LATEST_DATE - pd.Timestamp(0)).days
    else:
        per_second = 10**3 if pa.types.is_date64(kind) else _TICKS[kind.unit]
        ticks = column.cast(pa.int64())
        first = int((EARLIEST_DATE - pd.Timestamp(0)).total_seconds()) * per_second
        last = int((LATEST_DATE.floor("s") - pd.Timestamp(0)).total_seconds()) * per_second
    outside = pc.fill_null(pc.or_(pc.less(ticks, first), pc.greater(ticks, last)), False)
    if not pc.any(outside).as_py():
        return column, pd.Series([], dtype="str"), ()
    positions = np.flatnonzero(outside.to_numpy(zero_copy_only=False))
    taken = ticks.take(pa.array(positions)).to_numpy()
    seconds = taken * 86_400.0 if per_second is None else taken / per_second
    years = pd.Series(np.floor(1970 + seconds / 31_556_952).astype("int64"), index=positions)  # mean Gregorian year
    try:
        shown = pd.Series(pd.array(column.take(pa.array(positions)).cast(pa.string()).combine_chunks(), dtype="str"),
                          index=positions)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # a date Arrow cannot write
        shown = pd.Series(pd.NA, index=positions, dtype="str")
    unwritable = shown.isna() | shown.str.startswith("<")  # Arrow writes "<value out of range: …>" for some
    shown = shown.mask(unwritable, "year " + years.astype("str"))
    reasons = f"{name}: not a date between {FIRST_YEAR} and {LAST_YEAR}: '" + shown + "'"
    column = pc.if_else(outside, pa.scalar(None, column.type), column)
    return column, reasons, tuple(pd.unique(shown.iloc[:1000]))[:3]


__all__ = [
    "DATE_DTYPE", "Dialect", "LOAD_ERROR_KEYS", "LOAD_PROBLEM_KEYS", "LoadError", "LoadResult", "inspect_parquet",
    "inspect_xlsx", "read_table",
]
