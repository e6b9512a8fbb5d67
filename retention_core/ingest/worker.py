"""Read and prepare an upload in a capped worker process: :func:`read_table` and :func:`prepare_sheet` as the server
calls them.

:func:`read_upload` and :func:`prepare_upload` hand the work to a child process of :mod:`retention_core.ingest.sandbox`
and give back what the functions in :mod:`retention_core.ingest.read` and :mod:`retention_core.ingest.prepare` give (a
:class:`LoadResult`, a :class:`Prepared`), or raise :class:`LoadError`. What the child could not do becomes the
same plain message as any other unusable file: out of memory (also DuckDB's memory limit) ``load_too_much_memory``,
over the deadline (also a DuckDB statement time-out) ``load_too_slow``, a crash ``load_worker_failed``.

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
import pyarrow.compute as pc

from retention_core.engines import QueryTimeout
from retention_core.ingest import guards, sandbox
from retention_core.ingest.contract import (
    LOAD_ERROR_KEYS,
    LOAD_PROBLEM_KEYS,
    MESSAGE_PARAMS,
    PROBLEM_KEYS,
    SEVERITIES,
    LoadError,
    Problem,
)
from retention_core.ingest.parsing import coerce_strings
from retention_core.ingest.prepare import Prepared, TextCodes, prepare_sheet
from retention_core.ingest.read import read_table
from retention_core.ingest.result import Dialect, LoadResult, Originals
from retention_core.ingest.sandbox import Limits, WorkerFailed


def read_upload(data: bytes, filename: str, sheet: str | int | None = None, limits: Limits | None = None) -> LoadResult:
    """:func:`retention_core.ingest.read.read_table` of ``data`` in a capped worker process (see the module docstring)."""
    limits = limits or Limits.from_environment()
    try:
        answer = sandbox.run(_read_job, {"filename": filename, "sheet": sheet, "seconds": limits.seconds},
                             [data], limits)
    except WorkerFailed as failure:
        raise _load_error(failure, filename, limits) from failure
    header = answer.header
    _raise_reported_error(header, filename)
    try:
        dialect = Dialect(**{**header["dialect"], "sheet_names": tuple(header["dialect"]["sheet_names"])})
        frame, rejected, failed_rows, failures, *texts = answer.tables
        originals = Originals(_texts_from_arrow(header["texts"], texts), _frame(failed_rows), _frame(failures))
        return LoadResult(_frame(frame), dialect, _frame(rejected), _problems(header["problems"]),
                          rows_blank=int(header["rows_blank"]), originals=originals)
    except (KeyError, TypeError, ValueError) as error:
        raise LoadError("load_worker_failed", filename=filename) from error


def prepare_upload(mapped: pd.DataFrame, kind: str, filename: str, limits: Limits | None = None) -> Prepared:
    """:func:`retention_core.ingest.prepare.prepare_sheet` of a mapped sheet in a capped worker process; ``filename`` names
    the upload in a :class:`LoadError` (the same messages as :func:`read_upload`)."""
    limits = limits or Limits.from_environment()
    try:
        answer = sandbox.run(_prepare_job, {"kind": kind, "seconds": limits.seconds},
                             [pa.Table.from_pandas(mapped, preserve_index=True)], limits)
    except WorkerFailed as failure:
        raise _load_error(failure, filename, limits) from failure
    header = answer.header
    _raise_reported_error(header, filename)
    try:
        frame, rejected, codes = answer.tables
        return Prepared(_frame(frame), _frame(rejected), _problems(header["problems"]), _codes_from_arrow(codes))
    except (KeyError, TypeError, ValueError) as error:
        raise LoadError("load_worker_failed", filename=filename) from error


# --- in the worker -----------------------------------------------------------------------------------------------


def _read_job(request: dict, payloads: list[bytes]) -> tuple[dict, list[pa.Table]]:
    guards.PARSE_SECONDS = float(request["seconds"])  # this process's own budget ends with the parent's deadline
    try:
        result = read_table(payloads[0], request["filename"], sheet=request["sheet"])
    except Exception as error:  # noqa: BLE001 - _error_answer passes on what it does not know
        return _error_answer(error, request["filename"]), []
    originals = result.originals
    kinds, texts = _texts_to_arrow(originals.texts)
    header = {"dialect": dataclasses.asdict(result.dialect), "problems": _problem_list(result.problems),
              "rows_blank": result.rows_blank, "texts": kinds}
    return header, [_arrow(result.frame), _arrow(result.rejected), _arrow(originals.failed_rows),
                    _arrow(originals.failures), *texts]


def _prepare_job(request: dict, payloads: list[bytes]) -> tuple[dict, list[pa.Table]]:
    guards.PARSE_SECONDS = float(request["seconds"])
    mapped = _frame(sandbox.table(payloads[0]))
    try:
        prepared = prepare_sheet(mapped, request["kind"])
    except Exception as error:  # noqa: BLE001
        return _error_answer(error, ""), []
    header = {"problems": _problem_list(prepared.problems)}
    return header, [_arrow(prepared.frame), _arrow(prepared.rejected), _codes_to_arrow(prepared.codes)]


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
    return pa.Table.from_pandas(frame, preserve_index=True)


def _texts_to_arrow(texts: Mapping[str, pd.Series | pa.ChunkedArray]) -> tuple[list[list[str]], list[pa.Table]]:
    """The values each typed column had in the file (:class:`~retention_core.ingest.result.Originals`), one table per
    column: a Parquet column as it is (``"arrow"``), a text or Excel column as text by row number (``"text"``;
    :func:`coerce_strings` gives it as ``LoadResult.for_mapping`` would)."""
    kinds, tables = [], []
    for name, values in texts.items():
        if isinstance(values, pa.ChunkedArray):
            kinds.append([str(name), "arrow"])
            tables.append(pa.table({"values": values}))
        else:
            kinds.append([str(name), "text"])
            tables.append(_arrow(coerce_strings(values).rename("values").to_frame()))
    return kinds, tables


def _codes_to_arrow(codes: Mapping[str, TextCodes]) -> pa.Table:
    """Each column's codes as an Arrow dictionary array (indices = codes, missing where −1; dictionary = values).
    A column whose values Arrow cannot hold is left out: ``aggregate`` codes it again itself."""
    arrays = {}
    for name, text in codes.items():
        try:
            values = pa.array(text.values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            continue
        if isinstance(values, pa.ChunkedArray):  # text held by Arrow in pieces
            values = values.combine_chunks()
        if pa.types.is_null(values.type):  # no value at all: still a text dictionary, so that it reads back
            values = values.cast(pa.large_string())
        indices = pa.array(text.codes, mask=text.codes < 0)
        # from_buffers with the type spelled out: from_arrays makes an empty dictionary's values of type null
        arrays[name] = pa.DictionaryArray.from_buffers(pa.dictionary(indices.type, values.type), len(indices),
                                                       indices.buffers(), values)
    return pa.table(arrays)


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


def _texts_from_arrow(kinds: list, tables: list[pa.Table]) -> dict[str, pd.Series | pa.ChunkedArray]:
    if len(kinds) != len(tables):
        raise ValueError("texts and their tables differ in number")
    texts: dict[str, pd.Series | pa.ChunkedArray] = {}
    for (name, kind), table in zip(kinds, tables, strict=True):
        if kind == "arrow":
            texts[str(name)] = table.column("values")
        elif kind == "text":
            texts[str(name)] = _frame(table)["values"]
        else:
            raise ValueError(f"unknown kind of text {kind!r}")
    return texts


def _codes_from_arrow(part: pa.Table) -> dict[str, TextCodes]:
    codes = {}
    for name in part.column_names:
        column = part.column(name).combine_chunks()
        if not pa.types.is_dictionary(column.type):
            raise TypeError(f"codes of {name!r} are not a dictionary array")
        indices = pc.fill_null(column.indices, -1).to_numpy(zero_copy_only=False)
        codes[name] = TextCodes(np.asarray(indices), pd.Index(column.dictionary.to_pandas()))
    return codes
