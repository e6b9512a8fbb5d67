"""Read a CSV upload into a typed table, setting aside the lines that cannot be read.

The text (:mod:`retention_core.ingest.decoding`) has its separator chosen from the first 200 lines (``;`` ``,``
tab ``|``); a carriage return inside a line stays in its value (see ``decoding.normalize_lines``). The lines after
the header are handed as UTF-8 to DuckDB in a memory file (``scratch.memory_file``: nothing reaches a disk) and
read with every column as text and positional names, so header names from the upload never reach SQL; lines with
the wrong number of fields land in DuckDB's reject table. Each column is then typed from the evidence of its values
(:mod:`retention_core.ingest.table_typing`). The rows kept and rejected must account for every non-empty line of
the file (``load_rows_unaccounted`` otherwise). Rejected lines are handled in Arrow, not line by line in Python, and
the reader stops itself at the deadline between its steps.
"""

from __future__ import annotations

import csv
import re
import threading
import time

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from retention_core import config, scratch
from retention_core.engines import load_sql
from retention_core.ingest import guards
from retention_core.ingest.guards import check_deadline, check_lines
from retention_core.ingest.contract import LoadError, Problem
from retention_core.ingest.decoding import decode, normalize_lines
from retention_core.ingest.result import Dialect, LoadResult, assemble_result
from retention_core.ingest.table_typing import header_names, thousands_separator_for, type_columns


SEPARATORS = (";", ",", "\t", "|")


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


def read_csv(data: bytes, filename: str, deadline: float | None = None) -> LoadResult:
    decoded = decode(data, filename, deadline)
    text = decoded.text
    if "\x00" in text:  # decode_text samples the start; a NUL further on is binary data too
        raise LoadError("load_not_text", filename=filename)
    text, stand_in = normalize_lines(text, filename)
    first = re.search(r"[^\n]", text)
    if first is None:
        raise LoadError("load_empty_file", filename=filename)
    header_index = text.count("\n", 0, first.start())
    encoded = text.encode("utf-8")
    check_lines(encoded, filename)
    header_end = text.find("\n", first.start())
    header_end = len(text) if header_end < 0 else header_end
    head = [text[first.start() : header_end]] + text[header_end + 1 : header_end + 1 + 262144].split("\n")[:200]
    sample = [line for line in head if line]
    separator = detect_separator(sample)
    headers = header_names(_fit_header(sample, separator))
    if stand_in is not None:
        headers = [name.replace(stand_in, "\r") for name in headers]
    if len(headers) > guards.MAX_COLUMNS:
        raise LoadError("load_too_many_columns", filename=filename, columns=len(headers), limit=guards.MAX_COLUMNS)
    # DuckDB reads the lines after the header only: with `skip` its reader drops the end of a file that has many
    # rejected lines (1.2 M good and 1.2 M bad lines lost 537,881 rows), so the header is cut off here instead.
    body = memoryview(encoded)[min(len(text[: header_end + 1].encode("utf-8")), len(encoded)):]
    lines_before = header_index + 1  # the header line and the empty lines above it
    if len(headers) < 2:  # a second field decides whether a line is a row; a table needs two columns anyway
        raise LoadError("load_header_only" if not bytes(body).strip() else "load_one_column", filename=filename)
    raw, rejects = _duckdb_read(body, separator, 0, len(headers), filename, deadline)
    if not len(raw) and not len(rejects):
        raise LoadError("load_header_only", filename=filename)
    check_deadline(deadline, filename)
    if stand_in is not None:  # the carriage returns inside values, as the file wrote them
        raw = raw.apply(lambda column: column.str.replace(stand_in, "\r", regex=False))
        rejects["csv_line"] = rejects["csv_line"].str.replace(stand_in, "\r", regex=False)
    rejects["line"] = rejects["line"].astype("int64") + lines_before
    raw.index = pd.Index(_csv_row_numbers(body, lines_before, raw, rejects, filename), name="row_number")
    raw.columns = headers
    rejected_lines = _split_rejected_lines(rejects, headers, separator)
    check_deadline(deadline, filename)
    typed = type_columns(raw, default_mark="," if separator == ";" else ".", kind="csv", deadline=deadline,
                         filename=filename)
    dialect = Dialect(
        kind="csv",
        encoding=decoded.encoding,
        separator=separator,
        decimal_mark=typed.decimal_mark,
        thousands_separator=thousands_separator_for(typed.decimal_mark),
        date_format=typed.date_format,
    )
    problems = _field_problems(rejects, len(headers))
    if decoded.cp1252_lines:
        problems.append(Problem("load_lines_cp1252", "warning", {
            "rows": decoded.cp1252_lines, "examples": ", ".join(map(str, decoded.cp1252_examples))}))
    return assemble_result(typed, rejected_lines, dialect, problems, filename, rows_read=len(raw) + len(rejects))


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
                "threads": config.duckdb_threads(),
                "memory_limit": config.duckdb_memory_limit(),
                "temp_directory": "",  # nothing of an upload is spilled to disk
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
            },
        )
        budget = guards.PARSE_SECONDS if deadline is None else deadline - time.monotonic()
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
            raise LoadError("load_too_slow", filename=filename, seconds=f"{guards.PARSE_SECONDS:g}") from error
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
