"""Read and prepare an upload in a capped worker process: the Data page's step
(:func:`~retention_core.ingest.upload_flow.read_and_prepare`) as the server calls it.

:func:`load_upload` hands the upload's bytes, and the mapping when there is one, to a child process of
:mod:`retention_core.ingest.sandbox`, which reads, maps and prepares; it gives back what ``read_and_prepare``
gives (a :class:`~retention_core.ingest.upload_flow.Loaded`), or raises :class:`LoadError`. The typed table and the
file's own text of its columns stay in the child: only the prepared sheet and the
:class:`~retention_core.ingest.upload_flow.ReadSummary` cross to the server, once, so the worker costs little
beyond the read itself. What the child could not do becomes the same plain message as any other unusable file: out
of memory (also DuckDB's memory limit) ``load_too_much_memory``, over the deadline (also a DuckDB statement
time-out) ``load_too_slow``, a crash ``load_worker_failed``.

Tables come back as Arrow IPC with their pandas types, the rest (dialect, problems, error) as JSON; nothing the
child sends is trusted further than that: message keys must be known keys (``contract.MESSAGE_PARAMS``) and come
with every parameter their texts fill in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from retention_core.engines import QueryTimeout
from retention_core.ingest import guards, sandbox
from retention_core.ingest.contract import (
    CANONICAL_NAMES,
    LOAD_ERROR_KEYS,
    LOAD_PROBLEM_KEYS,
    MESSAGE_PARAMS,
    PROBLEM_KEYS,
    SEVERITIES,
    LoadError,
    Problem,
)
from retention_core.ingest.prepare import Prepared, TextCodes
from retention_core.ingest.result import Dialect
from retention_core.ingest.sandbox import Limits, WorkerFailed
from retention_core.ingest.upload_flow import Loaded, ReadSummary, read_and_prepare


def load_upload(data: bytes, filename: str, kind: str, *, sheet: str | int | None = None,
                mapping: Mapping[str, object] | None = None, categories: Mapping[str, str] | None = None,
                limits: Limits | None = None) -> Loaded:
    """:func:`retention_core.ingest.upload_flow.read_and_prepare` in one capped worker process: the child reads,
    maps and prepares, and sends back only the prepared sheet and the :class:`ReadSummary` (see the module
    docstring)."""
    limits = limits or Limits.from_environment()
    request = {"filename": filename, "sheet": sheet, "kind": kind, "seconds": limits.seconds,
               "mapping": None if mapping is None else dict(mapping),
               "categories": None if categories is None else dict(categories)}
    try:
        answer = sandbox.run(_load_job, request, [data], limits, ahead=True)
    except WorkerFailed as failure:
        raise _load_error(failure, filename, limits) from failure
    header = answer.header
    _raise_reported_error(header, filename)
    try:
        prepared = None
        if header["prepared"] is not None:
            frame, dropped, numbers, *values, sample, rejected = answer.tables
            prepared = Prepared(_frame(frame), _frame(dropped), _problems(header["prepared"]),
                                _codes_from_arrow(numbers, values))
        else:
            sample, rejected = answer.tables
        summary = ReadSummary(_frame(sample), _dialect(header["dialect"]), _frame(rejected),
                              _problems(header["problems"]), int(header["rows_kept"]), int(header["rows_blank"]))
        categories = header["categories"]
        return Loaded(summary, _mapping(header["mapping"], summary.sample.columns),
                      None if categories is None else {str(value): str(code) for value, code in categories.items()},
                      {column: tuple(str(value) for value in values) for column, values in header["values"]},
                      prepared)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise LoadError("load_worker_failed", filename=filename) from error


# --- in the worker -----------------------------------------------------------------------------------------------


def _load_job(request: dict, payloads: list[bytes], ahead: sandbox.Ahead | None = None
              ) -> tuple[dict, list[pa.Table]]:
    """Read and prepare the upload; its tables are, when prepared, the sheet's rows, rejected rows and text codes
    (:func:`_codes_to_arrow`), then the read's first rows and rejected rows. With ``ahead`` the prepared sheet's go
    to the server as soon as they are final, while the duplicate check still runs: the server checks them
    meanwhile, and only the read's small tables are left for the answer."""
    guards.PARSE_SECONDS = float(request["seconds"])
    kept: list[pa.Table] = []

    def rows_ready(frame: pd.DataFrame, rejected: pd.DataFrame, codes: Mapping[str, TextCodes]) -> None:
        tables = [_arrow(frame), _arrow(rejected), *_codes_to_arrow(codes)]
        if ahead is None:
            kept.extend(tables)
        else:
            ahead.send(tables)

    try:
        loaded = read_and_prepare(payloads[0], request["filename"], request["kind"], sheet=request["sheet"],
                                  mapping=request["mapping"], categories=request["categories"],
                                  rows_ready=rows_ready)
    except Exception as error:  # noqa: BLE001 - _error_answer passes on what it does not know
        return _error_answer(error, request["filename"]), []
    read, prepared = loaded.read, loaded.prepared
    header = {"dialect": dataclasses.asdict(read.dialect), "problems": _problem_list(read.problems),
              "rows_kept": read.rows_kept, "rows_blank": read.rows_blank, "mapping": loaded.mapping,
              "categories": loaded.categories, "values": [[column, list(values)]
                                                          for column, values in loaded.category_values.items()],
              "prepared": None if prepared is None else _problem_list(prepared.problems)}
    return header, [*kept, _arrow(read.sample), _arrow(read.rejected)]


def _error_answer(error: Exception, filename: str) -> dict:
    """A LoadError, or a DuckDB statement stopped at its time-out, as the answer ``{"error": ...}``; DuckDB's memory
    errors (also inside a LoadError) become ``MemoryError`` (the sandbox reports it); anything else is raised again."""
    if isinstance(error, LoadError) and isinstance(error.__cause__, duckdb.OutOfMemoryException):
        raise MemoryError(str(error.__cause__)) from error  # the CSV reader reports it as unreadable
    if isinstance(error, LoadError):
        return {"error": {"key": error.key, "params": error.params}}
    if isinstance(error, (QueryTimeout, duckdb.InterruptException)):
        return {"error": {"key": "load_too_slow", "params": {"filename": filename,
                                                             "seconds": f"{guards.PARSE_SECONDS:g}"}}}
    if isinstance(error, duckdb.OutOfMemoryException):
        raise MemoryError(str(error)) from error
    raise error


def _problem_list(problems: tuple[Problem, ...]) -> list[dict]:
    return [{"key": problem.key, "severity": problem.severity, "params": dict(problem.params)} for problem in problems]


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as an Arrow table that :func:`_frame` turns back into the same frame, without copying its large
    columns: NumPy numbers and dates are handed to Arrow as they are (a float's NaN stays a NaN instead of being
    scanned for and made missing: it reads back the same), text on Arrow already is; a range index travels as its
    bounds in the pandas metadata (when there is a column to give the rows' count), any other index as columns."""
    index = frame.index
    as_bounds = isinstance(index, pd.RangeIndex) and frame.shape[1] > 0
    schema = pa.Schema.from_pandas(frame, preserve_index=None if as_bounds else True)
    levels = [] if as_bounds else [index.get_level_values(level) for level in range(index.nlevels)]
    values = [frame.iloc[:, position] for position in range(frame.shape[1])] + levels
    return pa.Table.from_arrays([_array(part, field.type) for part, field in zip(values, schema)], schema=schema)


def _array(values: pd.Series | pd.Index, kind: pa.DataType) -> pa.Array:
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "M" and pa.types.is_timestamp(kind) and not kind.tz:
        # the ticks as they are (no scan for NaT: it reads back as NaT, the same value)
        ticks = values.to_numpy().view("int64")
        return pa.Array.from_buffers(kind, len(ticks), [None, pa.py_buffer(ticks)])
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "fiuM":  # NaT becomes missing here too
        return pa.array(values.to_numpy(), type=kind)
    return pa.array(values, type=kind, from_pandas=True)


def _codes_to_arrow(codes: Mapping[str, TextCodes]) -> list[pa.Table]:
    """The text codes as tables: first one table of the codes of every column, as they are (whole numbers, −1
    where missing; no copy), then, per column in the same order, a table of its values (one column). A column whose
    values Arrow cannot hold is left out: ``aggregate`` codes it again itself."""
    numbers, values = {}, []
    for name, text in codes.items():
        try:
            held = pa.array(text.values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            continue
        if isinstance(held, pa.ChunkedArray):  # text held by Arrow in pieces
            held = held.combine_chunks()
        if pa.types.is_null(held.type):  # no value at all: still text, so that it reads back
            held = held.cast(pa.large_string())
        numbers[name] = pa.array(text.codes)
        values.append(pa.table({"values": held}))
    return [pa.table(numbers), *values]


# --- back in the server ------------------------------------------------------------------------------------------


def _load_error(failure: WorkerFailed, filename: str, limits: Limits) -> LoadError:
    if failure.reason == "memory":
        return LoadError("load_too_much_memory", filename=filename,
                         limit_gb=f"{limits.memory_bytes / 1000**3:.1f}".removesuffix(".0"))  # as 4GB is written
    if failure.reason == "time":
        return LoadError("load_too_slow", filename=filename, seconds=f"{limits.seconds:g}")
    return LoadError("load_worker_failed", filename=filename)


def _raise_reported_error(header: dict, filename: str) -> None:
    """Raise the LoadError the worker reported, if any; one whose key or values do not make a known message is
    reported as the worker failing."""
    reported = header.get("error")
    if reported is None:
        return
    try:
        key, params = reported["key"], _scalars(reported["params"])
        if key not in LOAD_ERROR_KEYS:
            raise ValueError(key)
        if "filename" in params:
            params["filename"] = filename
        _check_params(key, params)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise LoadError("load_worker_failed", filename=filename) from error
    raise LoadError(key, **params)


def _dialect(fields: dict) -> Dialect:
    return Dialect(**{**fields, "sheet_names": tuple(fields["sheet_names"])})


def _mapping(mapping: dict, columns: pd.Index) -> dict[str, object]:
    """The mapping the worker used: known canonical names to columns of the file."""
    if any(name not in CANONICAL_NAMES or column not in columns for name, column in mapping.items()):
        raise ValueError("the mapping names an unknown field or column")
    return dict(mapping)


def _problems(items: list) -> tuple[Problem, ...]:
    problems = []
    for item in items:
        key, severity, params = item["key"], item["severity"], _scalars(item["params"])
        if key not in PROBLEM_KEYS + LOAD_PROBLEM_KEYS or severity not in SEVERITIES:
            raise ValueError(f"unknown problem {key!r} ({severity!r})")
        _check_params(key, params)  # a message the values cannot fill raises here, not on the page
        problems.append(Problem(key, severity, params))
    return tuple(problems)


def _check_params(key: str, params: Mapping[str, object]) -> None:
    """``KeyError`` unless ``params`` holds every parameter the message of ``key`` needs (:data:`MESSAGE_PARAMS`)."""
    missing = [name for name in MESSAGE_PARAMS[key] if name not in params]
    if missing:
        raise KeyError(f"{key} lacks {', '.join(missing)}")


def _scalars(params: object) -> dict[str, object]:
    """Message values from the worker: text and numbers only."""
    if not isinstance(params, dict):
        raise TypeError("message values must be an object")
    return {str(name): value if isinstance(value, (str, int, float)) else str(value) for name, value in params.items()}


def _frame(part: pa.Table) -> pd.DataFrame:
    """The frame a table from the other process holds, its columns on the table's memory (no copy, no blocks
    joined); the table is not used after."""
    return part.to_pandas(split_blocks=True, self_destruct=True)


def _codes_from_arrow(numbers: pa.Table, values: list[pa.Table]) -> dict[str, TextCodes]:
    """The text codes :func:`_codes_to_arrow` sent: each column's codes on the table's memory (no copy), after a
    check that every code is −1 or points at one of the column's values (``ValueError`` otherwise)."""
    if len(values) != numbers.num_columns:
        raise ValueError("the codes and their values do not pair up")
    codes = {}
    for name, texts in zip(numbers.column_names, values):
        column = numbers.column(name)
        column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
        if not pa.types.is_signed_integer(column.type) or texts.num_columns != 1:
            raise TypeError(f"codes of {name!r} are not whole numbers with one column of values")
        indices = column.to_numpy(zero_copy_only=True)  # a missing code raises (ArrowInvalid is a ValueError)
        if len(indices) and (indices.min() < -1 or indices.max() >= texts.num_rows):
            raise ValueError(f"codes of {name!r} point outside their {texts.num_rows} values")
        codes[name] = TextCodes(indices, pd.Index(texts.column(0).to_pandas()))
    return codes
