"""Read an uploaded CSV or Excel file into a typed table, setting aside the rows that cannot be read.

:func:`read_table` takes the upload's bytes and file name and returns a :class:`LoadResult`: the table with
float64 number columns, datetime64 date columns and text otherwise, under the file's own (stripped) headers and
with an index ``row_number`` (the line or sheet row of each record); the rows set aside with their raw values and a
``reason``; and the :class:`Dialect` that was detected (encoding, separator, decimal mark, date format, sheet).

CSV is decoded in Python (byte-order mark, then strict UTF-8, then cp1252), its separator chosen from the first
200 lines (``;`` ``,`` tab ``|``), then written as UTF-8 to a private temporary file and read by DuckDB with every
column as text and positional names, so header names from the upload never reach SQL; lines with the wrong number
of fields land in DuckDB's reject table. Each column is then typed from the evidence of its values (``columns.text_evidence``): one decimal
mark per file, one date format per column, ids (headers like "Kundennummer", values like "00042") stay text.
XLSX is read with calamine; typed cells come through, text cells get the same parsing as CSV. Legacy ``.xls`` is
refused. Files that cannot be used at all raise :class:`LoadError`, whose ``key`` is an ``i18n.TEXTS`` key.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from retention_core.columns import (
    DATE_DTYPE,
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
from retention_core.i18n import t
from retention_core.queries import load_sql

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
SEPARATORS = (";", ",", "\t", "|")
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"

#: Every LoadError key (each has German and English text in i18n.TEXTS).
LOAD_ERROR_KEYS = (
    "load_empty_file",
    "load_header_only",
    "load_no_columns",
    "load_not_text",
    "load_unknown_extension",
    "load_legacy_xls",
    "load_not_xlsx",
    "load_sheet_not_found",
    "load_unreadable",
)
#: Every Problem key a LoadResult can carry.
LOAD_PROBLEM_KEYS = (
    "load_rows_wrong_field_count",
    "load_rows_malformed",
    "load_values_not_numbers",
    "load_values_not_dates",
)


class LoadError(ValueError):
    """A file that cannot be used at all; ``key`` and ``params`` give the message in any language."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(t(key, "en", **params))


@dataclass(frozen=True)
class Dialect:
    """How a file was written. CSV: encoding and separator; XLSX: sheet_name and sheet_names. Both: decimal mark,
    thousands separator and date format of text values (None when no text needed them)."""

    kind: str
    encoding: str | None = None
    separator: str | None = None
    decimal_mark: str | None = None
    thousands_separator: str | None = None
    date_format: str | None = None
    sheet_name: str | None = None
    sheet_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadResult:
    """A read table (index ``row_number``), the rows set aside (raw text, ``row_number``, ``reason``), the dialect
    and problems summarising the rows set aside."""

    frame: pd.DataFrame
    dialect: Dialect
    rejected: pd.DataFrame
    problems: tuple[Problem, ...] = field(default=())

    @property
    def rows_kept(self) -> int:
        return len(self.frame)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)


def read_table(data: bytes, filename: str, sheet: str | int | None = None) -> LoadResult:
    """Read an uploaded CSV (``.csv``, ``.txt``, ``.tsv``) or XLSX (``.xlsx``, ``.xlsm``) file.

    ``sheet`` chooses an Excel sheet by name or position (default: the first). Raises :class:`LoadError` for an
    empty or header-only file, a file without columns, binary data that is not text, an unknown extension,
    legacy ``.xls``, a broken ``.xlsx`` or an unknown sheet.
    """
    data = bytes(data)
    extension = Path(filename).suffix.lower()
    if data.startswith(OLE_MAGIC) or extension == ".xls":
        raise LoadError("load_legacy_xls", filename=filename)
    if extension not in CSV_EXTENSIONS + XLSX_EXTENSIONS:
        raise LoadError("load_unknown_extension", filename=filename, extension=extension or filename)
    if not data.strip():
        raise LoadError("load_empty_file", filename=filename)
    if extension in XLSX_EXTENSIONS or data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, filename, sheet)
    return _read_csv(data, filename)


# --- CSV ---------------------------------------------------------------------------------------------------------


def decode_text(data: bytes, filename: str = "") -> tuple[str, str]:
    """The text of a CSV upload and its encoding: byte-order marks (UTF-8, UTF-16 LE/BE) first, then strict UTF-8,
    then cp1252; UTF-16 without a mark is recognised by its zero bytes. Binary data raises LoadError."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", data[len(codecs.BOM_UTF8):], "utf-8")]
    elif data.startswith(codecs.BOM_UTF16_LE):
        candidates = [("utf-16-le", data[2:], "utf-16-le")]
    elif data.startswith(codecs.BOM_UTF16_BE):
        candidates = [("utf-16-be", data[2:], "utf-16-be")]
    elif b"\x00" in data[:4096] and len(data) >= 2:
        sample = np.frombuffer(data[: min(len(data) // 2 * 2, 4096)], dtype=np.uint8)
        even_zero, odd_zero = (sample[0::2] == 0).mean(), (sample[1::2] == 0).mean()
        codec = "utf-16-le" if odd_zero > 0.3 > even_zero else "utf-16-be" if even_zero > 0.3 > odd_zero else None
        candidates = [(codec, data, codec)] if codec else []
    else:
        candidates = [("utf-8", data, "utf-8"), ("cp1252", data, "cp1252")]
    for name, payload, codec in candidates:
        try:
            text = payload.decode(codec)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text.removeprefix("\ufeff"), name
    raise LoadError("load_not_text", filename=filename)


def _looks_like_text(text: str) -> bool:
    """No NUL characters and at most 1 % other control characters (tab, newlines and form feed allowed)."""
    sample = text[:65536]
    if "\x00" in sample:
        return False
    controls = len(re.findall(r"[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f]", sample))
    return controls <= 0.01 * max(len(sample), 1)


def _normalize_lines(text: str) -> str:
    """Unix newlines, and lines of only spaces or tabs made empty (the CSV reader skips empty lines)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"(?m)^[ \t]+$", "", text)


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
    """The header fields, fitted to the usual width of the data lines when only empty fields differ: data lines
    that end in a separator the header lacks get unnamed extra columns; empty trailing header fields that no data
    line has are dropped."""
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


def _read_csv(data: bytes, filename: str) -> LoadResult:
    text, encoding = decode_text(data, filename)
    text = _normalize_lines(text)
    first = re.search(r"[^\n]", text)
    if first is None:
        raise LoadError("load_empty_file", filename=filename)
    header_index = text.count("\n", 0, first.start())
    head = text[first.start() : first.start() + 262144].split("\n")[:201]
    sample = [line for line in head if line]
    separator = detect_separator(sample)
    headers = _header_names(_fit_header(sample, separator))
    encoded = text.encode("utf-8")
    raw, rejects = _duckdb_read(encoded, separator, header_index + 1, len(headers), filename)
    if not len(raw) and not len(rejects):
        raise LoadError("load_header_only", filename=filename)

    raw.index = pd.Index(_good_line_numbers(encoded, header_index, rejects["line"], len(raw)), name="row_number")
    raw.columns = headers
    rejected_lines = _split_rejected_lines(rejects, headers, separator)
    typed = _type_columns(raw, default_mark="," if separator == ";" else ".", kind="csv")
    dialect = Dialect(
        kind="csv",
        encoding=encoding,
        separator=separator,
        decimal_mark=typed.decimal_mark,
        thousands_separator=_thousands(typed.decimal_mark),
        date_format=typed.date_format,
    )
    return _result(typed, rejected_lines, dialect, _field_problems(rejects, len(headers)), filename)


def _duckdb_read(
    encoded: bytes, separator: str, skip: int, width: int, filename: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Positional text columns ``c0, c1, ...`` of the data lines, and the rejected lines (line, error_type,
    csv_line), read by DuckDB from a private temporary UTF-8 file that only this connection may open."""
    columns = {f"c{position}": "VARCHAR" for position in range(width)}
    with tempfile.TemporaryDirectory(prefix="retention_upload_") as directory:
        path = os.path.join(directory, "upload.csv")
        with open(path, "wb") as handle:
            handle.write(encoded)
        connection = duckdb.connect(
            ":memory:",
            config={
                "threads": int(os.environ.get("RETENTION_DUCKDB_THREADS", "2")),
                "memory_limit": os.environ.get("RETENTION_DUCKDB_MEMORY_LIMIT", "2GB"),
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
            },
        )
        try:
            connection.execute("SET allowed_paths = $paths", {"paths": [path]})
            connection.execute("SET enable_external_access = false")
            connection.execute("SET lock_configuration = true")
            raw = connection.execute(
                load_sql("load_read_csv"), {"path": path, "separator": separator, "skip": skip, "columns": columns}
            ).df()
            rejects = connection.execute(load_sql("load_csv_rejects")).df()
        except duckdb.Error as error:
            detail = str(error).splitlines()[0][:200]
            raise LoadError("load_unreadable", filename=filename, detail=detail) from error
        finally:
            connection.close()
    rejects = rejects[~rejects["csv_line"].fillna("").str.strip().eq("")].reset_index(drop=True)
    return raw, rejects


def _good_line_numbers(encoded: bytes, header_index: int, rejected_lines: pd.Series, rows: int) -> np.ndarray:
    """The 1-based line numbers of the rows DuckDB kept: every non-empty line after the header that was not
    rejected, in order. (Exact unless a quoted value spans lines; then the numbers are the nearest estimate.)"""
    newlines = np.flatnonzero(np.frombuffer(encoded, dtype=np.uint8) == 10)
    starts = np.concatenate([[0], newlines + 1])
    ends = np.concatenate([newlines, [len(encoded)]])
    numbers = np.arange(1, len(starts) + 1)
    candidates = numbers[(numbers > header_index + 1) & (ends > starts)]
    candidates = candidates[~np.isin(candidates, rejected_lines.to_numpy(dtype=np.int64))]
    if len(candidates) < rows:
        start = candidates[-1] + 1 if len(candidates) else header_index + 2
        candidates = np.concatenate([candidates, np.arange(start, start + rows - len(candidates))])
    return candidates[:rows]


def _split_rejected_lines(rejects: pd.DataFrame, headers: list[str], separator: str) -> pd.DataFrame:
    """Rejected CSV lines as raw values under the headers (extra fields dropped, missing ones empty), with
    ``row_number`` and ``reason``."""
    width = len(headers)
    fields = [_split_line(line.replace("\n", " "), separator) for line in rejects["csv_line"]]
    values = pd.DataFrame([(row + [None] * width)[:width] for row in fields], columns=headers, dtype="str")
    counts = [len(row) for row in fields]
    reasons = [
        f"wrong number of fields: expected {width}, found {count}"
        if "COLUMNS" in str(error_type)
        else f"malformed line ({str(error_type).lower()})"
        for error_type, count in zip(rejects["error_type"], counts)
    ]
    values["row_number"] = rejects["line"].astype("int64").to_numpy()
    values["reason"] = pd.Series(reasons, dtype="str")
    return values


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
    frame: pd.DataFrame
    raw: pd.DataFrame
    failures: pd.DataFrame
    problems: tuple[Problem, ...]
    decimal_mark: str | None
    date_format: str | None


def _type_columns(raw: pd.DataFrame, default_mark: str, kind: str) -> _Typed:
    """Type each column of ``raw`` (text for CSV, mixed cells for XLSX) from its evidence.

    Order of the decision per column: header looks like an id -> text; at least TYPE_THRESHOLD of the values are
    dates in one format -> date; values with leading zeros ("00042") -> text; at least TYPE_THRESHOLD are numbers
    with the file's decimal mark -> float; else text. Cells that fail in a typed column mark their row as rejected.
    """
    raw = raw.loc[raw.notna().any(axis=1) & ~_all_blank(raw)]
    raw = raw.loc[:, [not (str(name).startswith("column_") and raw[name].isna().all()) for name in raw.columns]]
    cells = {name: split_cells(raw[name]) for name in raw.columns}
    text_columns = [name for name in raw.columns if not looks_like_id(name)]
    evidence = {name: text_evidence(cells[name].strings) if len(cells[name].strings) else {} for name in text_columns}
    decimal_mark = choose_decimal_mark(evidence.values(), default=default_mark)
    day_first = decimal_mark == ","

    typed: dict[str, pd.Series] = {}
    failure_reasons: list[pd.Series] = []
    problems: list[Problem] = []
    used_marks, used_formats = [], []
    for name in raw.columns:
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
        if result.failed.any():
            bad = column[result.failed].astype("str")
            failure_reasons.append(f"{name}: {what}: '" + bad + "'")
            params = {"column": name, "rows": int(result.failed.sum()), "examples": ", ".join(pd.unique(bad)[:3])}
            if key == "load_values_not_dates":
                params["format"] = date_format or "-"
            problems.append(Problem(key, "warning", params))

    frame = pd.DataFrame(typed, index=raw.index)
    reasons = (
        pd.concat(failure_reasons).groupby(level=0, sort=False).agg("; ".join)
        if failure_reasons
        else pd.Series([], dtype="str")
    )
    return _Typed(
        frame=frame,
        raw=raw,
        failures=pd.DataFrame({"reason": reasons}),
        problems=tuple(problems),
        decimal_mark=decimal_mark if used_marks or kind == "csv" else None,
        date_format=max(set(used_formats), key=used_formats.count) if used_formats else None,
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
            filename: str) -> LoadResult:
    """Assemble the LoadResult: rows with failed cells move to ``rejected`` next to the file-level rejects."""
    if not len(typed.frame.columns):
        raise LoadError("load_no_columns", filename=filename)
    if not len(typed.frame) and not len(rejected_lines):
        raise LoadError("load_header_only", filename=filename)
    bad = typed.frame.index.isin(typed.failures.index)
    frame = typed.frame[~bad]
    failed_raw = typed.raw[bad].apply(lambda column: column.astype("str"))
    failed_raw = failed_raw.reset_index()
    failed_raw["reason"] = typed.failures["reason"].reindex(typed.raw.index[bad]).to_numpy()
    rejected_lines = rejected_lines[[name for name in rejected_lines.columns if name in failed_raw.columns]]
    columns = list(typed.raw.columns) + ["row_number", "reason"]
    parts = [part.reindex(columns=columns) for part in (rejected_lines, failed_raw) if len(part)]
    rejected = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    rejected = rejected.astype({name: "str" for name in columns if name != "row_number"})
    rejected["row_number"] = rejected["row_number"].astype("int64")
    rejected = rejected.sort_values("row_number", kind="stable").reset_index(drop=True)
    return LoadResult(frame, dialect, rejected, tuple(problems) + typed.problems)


# --- XLSX --------------------------------------------------------------------------------------------------------


def _read_xlsx(data: bytes, filename: str, sheet: str | int | None) -> LoadResult:
    if not data.startswith(XLSX_MAGIC):
        raise LoadError("load_not_xlsx", filename=filename)
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
    cells.index = pd.RangeIndex(1, len(cells) + 1, name="row_number")
    cells = cells.loc[cells.notna().any(axis=1) & ~_all_blank(cells)]
    if not len(cells):
        raise LoadError("load_empty_file", filename=filename)
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
    dialect = Dialect(
        kind="xlsx",
        decimal_mark=typed.decimal_mark,
        thousands_separator=_thousands(typed.decimal_mark),
        date_format=typed.date_format,
        sheet_name=chosen,
        sheet_names=sheet_names,
    )
    return _result(typed, pd.DataFrame(columns=names + ["row_number", "reason"]), dialect, [], filename)


def _choose_sheet(sheet: str | int | None, sheet_names: tuple[str, ...], filename: str) -> str:
    if not sheet_names:
        raise LoadError("load_empty_file", filename=filename)
    if sheet is None:
        return sheet_names[0]
    if isinstance(sheet, int) and 0 <= sheet < len(sheet_names):
        return sheet_names[sheet]
    if isinstance(sheet, str) and sheet in sheet_names:
        return sheet
    raise LoadError("load_sheet_not_found", filename=filename, sheet=sheet, sheets=", ".join(sheet_names))


__all__ = ["DATE_DTYPE", "Dialect", "LOAD_ERROR_KEYS", "LOAD_PROBLEM_KEYS", "LoadError", "LoadResult", "read_table"]
