"""Read a Parquet upload with pyarrow from its bytes. Its columns are typed already, so numbers become float64
(whole-number id columns text), dates and timestamps datetime64 (outside the years 1900-2200: a rejected row) and
everything else text; text in a number or date column is parsed later by ``prepare_sheet``, as for any upload.
The file has passed :func:`retention_core.ingest.guards.inspect_parquet` before any page is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from retention_core.ingest.contract import (
    DATE_DTYPE,
    EARLIEST_DATE,
    FIRST_YEAR,
    LAST_YEAR,
    LATEST_DATE,
    LoadError,
    Problem,
)
from retention_core.ingest.guards import PARQUET_MAGIC, inspect_parquet
from retention_core.ingest.headers import looks_like_id
from retention_core.ingest.result import Dialect, LoadResult, TypedColumns, assemble_result
from retention_core.ingest.table_typing import header_names


def read_parquet(data: bytes, filename: str) -> LoadResult:
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
        # later as an Arrow error or a crash while converting
        table.validate(full=True)
    except Exception as error:  # a broken page, checksum or compression stream, or invalid decoded data
        raise LoadError("load_not_parquet", filename=filename) from error
    names = header_names(table.column_names)
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
    typed = TypedColumns(frame=frame, raw=frame, failures=pd.DataFrame(failures, dtype="str"),
                         problems=tuple(problems), decimal_mark=None, date_format=None,
                         texts={name: column.text for name, column in columns.items() if column.text is not None})
    rejected = pd.DataFrame({name: pd.Series([], dtype="str") for name in [*names, "row_number", "reason"]})
    return assemble_result(typed, rejected, Dialect(kind="parquet"), [], filename, rows_read=rows)


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
