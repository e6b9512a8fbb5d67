"""Typing text values: numbers with either decimal mark, dates in the common formats, and cells of mixed type.

``read_table`` (the readers) and ``prepare_sheet`` parse exactly alike through these functions; the parsing runs in
DuckDB (``sql/load_column_evidence.sql``, ``sql/load_parse_numbers.sql``, ``sql/load_parse_dates.sql``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import infer_dtype, is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from retention_core.ingest.contract import DATE_DTYPE, FIRST_YEAR, LAST_YEAR
from retention_core.queries import run_sql


#: Ignored inside numbers: whitespace (also no-break spaces used for grouping), apostrophes, currency signs/codes.
NUMBER_STRIP_PATTERN = r"(?i)[\s\x{00A0}\x{202F}'’€$£]|EUR|USD|CHF|GBP"
#: An unsigned number for each decimal mark, with optional thousands grouping: "1.234,56" / "1,234.56".
NUMBER_PATTERNS = MappingProxyType(
    {
        ",": r"(\d{1,3}(\.\d{3})+|\d+)(,\d*)?|,\d+",
        ".": r"(\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+",
    }
)
THOUSANDS_SEPARATORS = MappingProxyType({",": ".", ".": ","})

#: Date formats tried on text, in order of preference on a tie (day-before-month first; swapped in files with a
#: decimal point). Each also accepts a time of day after the date (see :func:`date_variants`).
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d", "%d.%m.%y", "%m.%Y", "%Y-%m", "%m/%Y")
_TIMES = (" %H:%M", " %H:%M:%S")


def date_variants(date_format: str) -> tuple[str, ...]:
    """A date format and the same with a time (``%H:%M``, ``%H:%M:%S``; ISO also with ``T``); month formats
    alone."""
    if "%d" not in date_format:
        return (date_format,)
    variants = (date_format,) + tuple(date_format + time for time in _TIMES)
    if date_format == "%Y-%m-%d":
        variants += tuple(date_format + "T" + time.strip() for time in _TIMES)
    return variants


#: The characters a date in one of DATE_FORMATS consists of.
DATE_SHAPE = r"[0-9./: T-]+"

#: Share of a column's non-empty values that must parse for the column to be typed as numbers or dates.
TYPE_THRESHOLD = 0.8


@dataclass(frozen=True)
class Coerced:
    """A column coerced to numbers or dates, and which non-empty values failed."""

    values: pd.Series
    failed: pd.Series


def _positional(strings: pd.Series) -> pd.DataFrame:
    values = strings.astype("str").reset_index(drop=True)
    return pd.DataFrame({"position": np.arange(len(strings), dtype="int64"), "value": values})


def text_evidence(strings: pd.Series, dates: bool = False) -> dict[str, int]:
    """How many non-empty text values pass each typing test: the number tests of
    ``sql/load_column_evidence.sql`` and, when enough values are shaped like dates, ``"date:<format>"`` for each
    of :data:`DATE_FORMATS` with its :func:`date_variants` (``sql/load_count_dates.sql``); with ``dates`` the
    date formats are counted whatever the shape of the values."""
    raw = _positional(strings)
    params = {
        "strip_pattern": NUMBER_STRIP_PATTERN,
        "comma_pattern": NUMBER_PATTERNS[","],
        "point_pattern": NUMBER_PATTERNS["."],
        "date_shape": DATE_SHAPE,
    }
    table = run_sql("load_column_evidence", params, raw=raw)
    evidence = {str(test): int(rows) for test, rows in zip(table["test"], table["rows"])}
    if evidence["date_shaped"] and (dates or evidence["date_shaped"] >= TYPE_THRESHOLD * evidence["non_empty"]):
        candidates = run_sql("load_date_candidates", {"date_shape": DATE_SHAPE}, raw=raw)
        for date_format in DATE_FORMATS:
            params = {"date_formats": list(date_variants(date_format)), "first_year": FIRST_YEAR,
                      "last_year": LAST_YEAR}
            rows = int(run_sql("load_count_dates", params, candidates=candidates)["rows"].iloc[0])
            if rows:
                evidence[f"date:{date_format}"] = rows
    return evidence


def choose_decimal_mark(evidence: Iterable[Mapping[str, int]], default: str) -> str:
    """The decimal mark the evidence of a file's columns supports: values only readable with a comma (``12,5``,
    ``1.234,56``) against values only readable with a point (``12.5``, ``1,234.56``); ``default`` on a tie."""
    comma = point = 0
    for column in evidence:
        comma += column.get("only_decimal_comma", 0)
        point += column.get("only_decimal_point", 0)
    if comma == point:
        return default
    return "," if comma > point else "."


def choose_date_format(evidence: Mapping[str, int], day_first: bool = True) -> tuple[str | None, int]:
    """The date format that parses most values, and how many; ties go to day-before-month when ``day_first``."""
    formats = list(DATE_FORMATS)
    if not day_first:
        formats = [_swap_day_month(date_format) for date_format in formats]
    best, best_rows = None, 0
    for date_format in formats:
        rows = evidence.get(f"date:{date_format}", 0)
        if rows > best_rows:
            best, best_rows = date_format, rows
    return best, best_rows


def _swap_day_month(date_format: str) -> str:
    return {"%d/%m/%Y": "%m/%d/%Y", "%m/%d/%Y": "%d/%m/%Y"}.get(date_format, date_format)


def parse_numbers(strings: pd.Series, decimal_mark: str) -> pd.Series:
    """Text -> float64 with ``decimal_mark`` ("," or "."); NaN where missing or not a number (also where the digits
    are too many for a double: 400 nines are not a number, not infinity). Keeps the index."""
    parsed = run_sql(
        "load_parse_numbers",
        {
            "strip_pattern": NUMBER_STRIP_PATTERN,
            "number_pattern": NUMBER_PATTERNS[decimal_mark],
            "thousands_separator": THOUSANDS_SEPARATORS[decimal_mark],
            "decimal_mark": decimal_mark,
        },
        raw=_positional(strings),
    )
    return pd.Series(parsed["number"].to_numpy(dtype="float64", na_value=np.nan), index=strings.index)


def parse_dates(strings: pd.Series, date_format: str) -> pd.Series:
    """Text -> datetime64 in a strptime ``date_format`` (one of :data:`DATE_FORMATS`, with or without a time);
    NaT where missing, not matching, or year outside FIRST_YEAR-LAST_YEAR. Keeps the index."""
    params = {"date_formats": list(date_variants(date_format)), "first_year": FIRST_YEAR, "last_year": LAST_YEAR}
    parsed = run_sql("load_parse_dates", params, raw=_positional(strings))
    return pd.Series(parsed["date"].astype(DATE_DTYPE).to_numpy(), index=strings.index)


@dataclass(frozen=True)
class Cells:
    """The non-missing cells of a column split by Python type: stripped text, numbers, dates."""

    strings: pd.Series
    numbers: pd.Series
    dates: pd.Series

    @property
    def count(self) -> int:
        return len(self.strings) + len(self.numbers) + len(self.dates)


def split_cells(values: pd.Series) -> Cells:
    """Split a column into text, number and date cells (missing and empty text left out), keeping the index.

    Typed columns take a fast path; only mixed object columns (Excel sheets, hand-made frames) are inspected cell
    by cell.
    """
    no_strings = pd.Series([], dtype="str")
    no_numbers = pd.Series([], dtype="float64")
    no_dates = pd.Series([], dtype=DATE_DTYPE)
    if is_bool_dtype(values.dtype):
        return Cells(values.dropna().astype("str"), no_numbers, no_dates)
    if is_numeric_dtype(values.dtype):
        return Cells(no_strings, values.dropna().astype("float64"), no_dates)
    if is_datetime64_any_dtype(values.dtype):
        return Cells(no_strings, no_numbers, _as_dates(values.dropna()))
    present = values.dropna()
    inferred = infer_dtype(present, skipna=True)
    if inferred in ("string", "empty"):
        strings = present.astype("str").str.strip()
        return Cells(strings[strings != ""], no_numbers, no_dates)
    if inferred in ("floating", "integer", "mixed-integer-float", "decimal"):
        return Cells(no_strings, present.astype("float64"), no_dates)
    kinds = present.map(_cell_kind)
    strings = present[kinds == "string"].astype("str").str.strip()
    dates = present[kinds == "date"]
    return Cells(
        strings[strings != ""],
        present[kinds == "number"].astype("float64"),
        _as_dates(pd.to_datetime(dates)) if len(dates) else no_dates,
    )


def _cell_kind(value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "string"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "missing" if value != value else "number"
    if isinstance(value, (dt.date, np.datetime64)):
        return "date"
    return "string"


def _as_dates(values: pd.Series) -> pd.Series:
    if getattr(values.dtype, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values.astype(DATE_DTYPE)


def coerce_numbers(values: pd.Series, decimal_mark: str | None = None) -> Coerced:
    """A column as float64: numbers kept, text parsed with ``decimal_mark`` (guessed from the text if None,
    decimal point on a tie); text that is not a number, and dates, fail."""
    if is_numeric_dtype(values.dtype) and not is_bool_dtype(values.dtype):  # typed already (Parquet, Excel)
        return Coerced(values.astype("float64"), pd.Series(False, index=values.index))
    cells = split_cells(values)
    result = pd.Series(np.nan, index=values.index, dtype="float64")
    failed = pd.Series(False, index=values.index)
    if len(cells.numbers):
        result.loc[cells.numbers.index] = cells.numbers
    failed.loc[cells.dates.index] = True
    if len(cells.strings):
        mark = decimal_mark or choose_decimal_mark([text_evidence(cells.strings)], default=".")
        parsed = parse_numbers(cells.strings, mark)
        result.loc[parsed.index] = parsed
        failed.loc[parsed.index] = parsed.isna()
    return Coerced(result, failed)


def coerce_dates(values: pd.Series, date_format: str | None = None, day_first: bool = True) -> Coerced:
    """A column as datetime64: dates kept, text parsed with ``date_format`` (guessed from the text if None);
    text in no known format, and numbers, fail."""
    if is_datetime64_any_dtype(values.dtype):  # typed already (Parquet, Excel)
        return Coerced(_as_dates(values), pd.Series(False, index=values.index))
    cells = split_cells(values)
    result = pd.Series(pd.NaT, index=values.index, dtype=DATE_DTYPE)
    failed = pd.Series(False, index=values.index)
    if len(cells.dates):
        result.loc[cells.dates.index] = cells.dates
    failed.loc[cells.numbers.index] = True
    if len(cells.strings):
        chosen = date_format or choose_date_format(text_evidence(cells.strings, dates=True), day_first)[0]
        parsed = parse_dates(cells.strings, chosen) if chosen else pd.Series(pd.NaT, index=cells.strings.index)
        result.loc[parsed.index] = parsed.astype(DATE_DTYPE)
        failed.loc[parsed.index] = parsed.isna()
    return Coerced(result, failed)


def coerce_strings(values: pd.Series) -> pd.Series:
    """A column as text: stripped, empty -> missing, whole numbers without ``.0`` (an id 42.0 reads "42"),
    dates as ``YYYY-MM-DD`` (with the time when there is one)."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        # a text column (Parquet, prepared frames): no Python object per cell, and no copy when already clean
        text = pa.array(values.array)  # the Arrow data itself (__arrow_array__), not a copy
        length = pc.binary_length(text)
        trimmed = pc.binary_length(pc.utf8_trim_whitespace(text))  # Unicode whitespace, as str.strip: NBSP too
        if not pc.any(pc.or_(pc.equal(trimmed, 0), pc.not_equal(trimmed, length))).as_py():
            return values.astype("str")
        stripped = values.str.strip()
        return stripped.where(stripped != "").astype("str")
    cells = split_cells(values)
    result = pd.Series(np.nan, index=values.index, dtype="object")
    result.loc[cells.strings.index] = cells.strings.astype("object")
    if len(cells.numbers):
        result.loc[cells.numbers.index] = number_text(cells.numbers)
    if len(cells.dates):
        dates = cells.dates
        with_time = dates != dates.dt.normalize()
        text = dates.dt.strftime("%Y-%m-%d %H:%M:%S").where(with_time, dates.dt.strftime("%Y-%m-%d"))
        result.loc[text.index] = text.astype("object")
    return result.astype("str")


def number_text(numbers: pd.Series) -> pd.Series:
    """Numbers as text: whole numbers as their digits without ``.0`` (42.0 -> "42", 1e20 -> "100000000000000000000",
    exactly the double's value, also beyond int64), other numbers as the shortest text that reads back the same
    (1.234 -> "1.234")."""
    values = numbers.to_numpy(dtype="float64")
    text = numbers.astype("str").astype("object")
    whole = np.isfinite(values) & (values == np.round(values))
    small = whole & (np.abs(values) < 2.0**63)
    text[small] = numbers[small].astype("int64").astype("str").astype("object")
    large = np.flatnonzero(whole & ~small)  # a few at most: ids of more than 19 digits written as numbers
    text.iloc[large] = [str(int(value)) for value in values[large]]
    return text
