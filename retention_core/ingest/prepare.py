"""The checks that turn a mapped sheet into data: :func:`prepare_sheet` coerces each canonical column by its type,
sets the rows that cannot be used aside with a reason, and reports :class:`~retention_core.ingest.contract.Problem`
objects (keys with parameters; the views render them in the user's language).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from retention_core.ingest.contract import (
    ATTRIBUTE_SHEETS,
    CATEGORIES,
    EARLIEST_DATE,
    MAX_AMOUNT,
    MAX_QUANTITY,
    Problem,
    SheetSpec,
    sheet_spec,
)
from retention_core.ingest.parsing import coerce_dates, coerce_numbers, coerce_strings


@dataclass(frozen=True, eq=False)
class TextCodes:
    """A text column as whole numbers: row i holds ``values[codes[i]]``, or a missing value where ``codes[i]`` is −1.

    ``values`` are the column's distinct values in sorted order (``pd.factorize(column, sort=True)``), so the codes
    sort as the text does; ``codes`` are the narrowest of int8, int16, int32 and int64 that holds them (products:
    10 MB at 10 M rows, customer ids 40 MB).
    """

    codes: np.ndarray
    values: pd.Index

    @classmethod
    def of(cls, column: pd.Series) -> TextCodes:
        codes, values = pd.factorize(column, sort=True)
        width = next(dtype for dtype in ("int8", "int16", "int32", "int64") if len(values) <= np.iinfo(dtype).max)
        return cls(codes.astype(width), values)

    def describes(self, column: pd.Series, samples: int = 64) -> bool:
        """Whether these are ``column``'s codes: the same length, and the same value in ``samples`` rows spread
        over it (a check against codes of another frame, not a proof)."""
        if len(self.codes) != len(column):
            return False
        rows = np.unique(np.linspace(0, len(column) - 1, num=min(samples, len(column)), dtype="int64"))
        codes = self.codes[rows]
        shown = column.iloc[rows].to_numpy(dtype=object)
        missing = pd.isna(shown)
        if not np.array_equal(codes < 0, missing):
            return False
        return bool((self.values.take(codes[~missing]).to_numpy(dtype=object) == shown[~missing]).all())


@dataclass(frozen=True)
class Prepared:
    """A sheet after :func:`prepare_sheet`: good rows, rows set aside (with ``reason``), and the problems found.

    ``codes``: the frame's text columns as :class:`TextCodes`, by column name. The duplicate check needs them, and
    :func:`retention_core.dataset.aggregate` reuses them (``Dataset.transaction_codes``) instead of coding the
    customer ids again. An attribute sheet (the customers sheet) keeps none: nothing reuses them, and its text
    attribute columns are Categoricals instead (their codes), so that a large sheet is held once, small.
    """

    frame: pd.DataFrame
    rejected: pd.DataFrame
    problems: tuple[Problem, ...]
    codes: Mapping[str, TextCodes] = field(default_factory=dict, compare=False, repr=False)

    @property
    def usable(self) -> bool:
        """Whether the sheet can be put into use: no "error" problem (a required column missing, no row kept)."""
        return not any(problem.severity == "error" for problem in self.problems)


@dataclass(frozen=True)
class _Check:
    """The rows one rule sets aside in one column (their reasons, by position) and the problem to report."""

    reasons: pd.Series
    problem: Problem


def _examples(values: pd.Series, limit: int = 3) -> str:
    return ", ".join(str(value) for value in pd.unique(values.astype("str"))[:limit])


def _flag(bad: pd.Series, column: str, reason: str, key: str, shown: pd.Series, quote: bool = True) -> _Check | None:
    """A check for the rows where ``bad``, with reason ``"<column>: <reason> ('<value>')"`` for each, the value
    taken from ``shown`` (or just the reason when ``quote`` is false; ``shown`` then only gives the examples)."""
    bad = bad.fillna(False).astype(bool)
    if not bad.any():
        return None
    examples = shown[bad].astype("str")
    text = f"{column}: {reason}"
    reasons = text + " ('" + examples + "')" if quote else pd.Series(text, index=examples.index, dtype="str")
    problem = Problem(key, "warning", {"column": column, "rows": int(bad.sum()), "examples": _examples(examples)})
    return _Check(reasons.astype("str"), problem)


def _check_column(
    values: pd.Series, column: str, column_type: str, required: bool, today: pd.Timestamp, row_labels: pd.Series
) -> tuple[pd.Series, list[_Check], list[Problem]]:
    """Coerce one canonical column by its type; return the coerced values, the failed checks, info problems."""
    checks: list[_Check | None] = []
    infos: list[Problem] = []
    failed = pd.Series(False, index=values.index)
    if column_type in ("id", "text", "category"):
        coerced = coerce_strings(values)
        if column_type == "category":
            coerced = coerced.str.lower()
            unknown = coerced.notna() & ~coerced.isin(CATEGORIES)
            reason = f"not one of {', '.join(CATEGORIES)}"
            checks.append(_flag(unknown, column, reason, "data_unknown_category", values))
    elif column_type == "date":
        result = coerce_dates(values)
        coerced, failed = _whole_days(result.values), result.failed
        checks.append(_flag(failed, column, "not a date", "data_not_a_date", values))
        early = coerced < EARLIEST_DATE
        if early.any():
            checks.append(_flag(early, column, f"before {EARLIEST_DATE:%Y-%m-%d}", "data_date_too_early",
                                _date_text(coerced)))
        future = coerced > today
        if future.any():
            day = coerced.dt.strftime("%Y-%m-%d")
            checks.append(_flag(future, column, "in the future", "data_future_dates", day))
    else:
        result = coerce_numbers(values)
        coerced, failed = result.values, result.failed
        checks.append(_flag(failed, column, "not a number", "data_not_a_number", values))
        finite = pd.Series(np.isfinite(coerced.to_numpy(dtype="float64", na_value=np.nan)), index=coerced.index)
        infinite = coerced.notna() & ~finite
        checks.append(_flag(infinite, column, "not a finite number", "data_not_finite", coerced))
        limit = MAX_AMOUNT if column_type in ("money", "cost") else MAX_QUANTITY
        if column_type in ("money", "cost", "quantity", "count"):
            too_large = finite & (coerced.abs() > limit)
            checks.append(_flag(too_large, column, f"larger than {limit:,.0f}", "data_too_large", coerced))
        if column_type == "fraction":
            present = coerced[finite]
            if len(present) and ((present > 1) & (present <= 100)).all():
                coerced = coerced / 100
                infos.append(Problem("data_margin_percent", "info", {"column": column}))
        whole = coerced == np.round(coerced)
        rules = {
            "count": [(~whole, "not a whole number", "data_not_whole_number"),
                      (coerced < 0, "negative", "data_negative_values")],
            "score": [(~whole, "not a whole number", "data_not_whole_number"),
                      ((coerced < 0) | (coerced > 10), "outside 0-10", "data_score_out_of_range")],
            "cost": [(coerced < 0, "negative", "data_negative_values")],
            "fraction": [((coerced < 0) | (coerced > 1), "outside 0-1", "data_margin_out_of_range")],
        }
        for bad, reason, key in rules.get(column_type, []):  # an infinite value has its own reason above
            checks.append(_flag(bad & coerced.notna() & finite, column, reason, key, coerced))
    if required:
        missing = coerced.isna() & ~failed
        checks.append(_flag(missing, column, "missing", "data_missing_values", row_labels, quote=False))
    return coerced, [check for check in checks if check is not None], infos


def _date_text(dates: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` text, also for years before 1 or after 9999 (which strftime cannot write)."""
    years = dates.dt.year.astype("Int64").astype("str")
    return years + "-" + dates.dt.strftime("%m-%d").astype("str").where(dates.notna(), "")


def _whole_days(dates: pd.Series) -> pd.Series:
    """``dates`` without their time of day; the column itself (no copy) when no value has one."""
    ticks = dates.to_numpy().view("int64")
    if not (ticks % (86_400 * 10**6)).any():  # DATE_DTYPE counts microseconds; a NaT takes the normalize path
        return dates
    return dates.dt.normalize()


def _final_dtype(column_type: str, required: bool) -> str | None:
    if column_type == "count" or (column_type == "score" and not required):
        return "Int64"
    return "int64" if column_type == "score" else None


def prepare_sheet(frame: pd.DataFrame, kind: str, *, today: dt.date | None = None,
                  rows_ready: Callable[[pd.DataFrame, pd.DataFrame, Mapping[str, TextCodes]], None] | None = None
                  ) -> Prepared:
    """Coerce a mapped sheet to the types of :data:`SHEETS` and set aside the rows that cannot be used.

    Text in number and date columns is parsed (either decimal mark; the common date formats); dates lose their
    time of day. A row is set aside, with a ``reason``, when a required value is missing, a value does not parse,
    a date lies after ``today`` (default: the current date), a score is outside 0-10 or not whole, a margin is
    outside [0, 1], a cost or count is negative, or a category is not one of :data:`CATEGORIES`. A margin column
    whose values all lie in (1, 100] is read as percent and divided by 100 (info problem). Negative transaction
    amounts are returns: kept, with a warning. Exact duplicate rows are kept, with an info problem. A missing
    required column is an error problem; the columns present are still checked. Columns that are not canonical
    for ``kind`` are dropped.

    ``frame`` keeps its index (``read_table`` names it ``row_number``: the line in the file). ``rejected`` holds
    the rejected rows' input values, then ``row_number`` when the index is so named (or a ``row_number`` column
    was given), then ``reason``.

    ``rows_ready``, when given, is called with the kept rows, the rejected rows and the text codes (the ``frame``,
    ``rejected`` and ``codes`` of the result) as soon as they are final: before the duplicate check for an event
    sheet (transactions, costs), at the end for an attribute sheet (customers). Nothing changes them after; the
    upload worker sends them to the server while the rest runs.
    """
    spec = sheet_spec(kind)
    if "row_number" in frame.columns:
        frame = frame.set_index("row_number")
    today_stamp = pd.Timestamp(today if today is not None else dt.date.today()).normalize()
    present = [name for name in spec.columns if name in frame.columns]
    labelled = frame.index.name == "row_number"
    source = frame[present].reset_index(drop=True)
    row_labels = pd.Series(frame.index if labelled else np.arange(1, len(frame) + 1))  # text only where shown

    coerced: dict[str, pd.Series] = {}
    checks: list[_Check] = []
    infos: list[Problem] = []
    for name in present:
        required = name in spec.required
        coerced[name], column_checks, column_infos = _check_column(
            source[name], name, spec.types[name], required, today_stamp, row_labels
        )
        checks += column_checks
        infos += column_infos

    reasons = pd.Series([], dtype="str")
    if checks:
        reasons = pd.concat([check.reasons for check in checks]).groupby(level=0).agg("; ".join)
    bad = np.asarray(source.index.isin(reasons.index))
    # concat keeps one block per column; the DataFrame constructor would copy all number columns into one block
    good = pd.concat(coerced, axis=1) if coerced else pd.DataFrame(index=source.index)
    if bad.any():
        good = good[~bad]
    dtypes = {name: _final_dtype(spec.types[name], name in spec.required) for name in present}
    good = good.astype({name: dtype for name, dtype in dtypes.items() if dtype})
    good.index = frame.index[~bad] if bad.any() else frame.index

    rejected = frame.loc[bad, present].reset_index(drop=not labelled)
    if labelled:
        rejected = rejected[present + ["row_number"]]
    rejected["reason"] = pd.Series(reasons.reindex(np.flatnonzero(bad)).to_numpy(), dtype="str")

    problems = missing_column_problems(frame, kind) + [check.problem for check in checks] + infos
    codes = {name: TextCodes.of(good[name]) for name in good.columns if _is_text(good[name])}
    if rows_ready is not None and kind not in ATTRIBUTE_SHEETS:
        rows_ready(good, rejected, codes)  # final: the checks below only read them
    problems += _kept_row_problems(good, spec, codes)
    if kind in ATTRIBUTE_SHEETS:  # held while a data set lives: attributes as categories, no codes kept
        good, codes = _attributes_as_categories(good, spec, codes), {}
        if rows_ready is not None:
            rows_ready(good, rejected, codes)
    if not len(good):
        problems.append(Problem("data_no_rows", "error", {"rows": len(frame)}))
    pa.default_memory_pool().release_unused()  # the checks' scratch Arrow buffers: give them back, not pooled
    return Prepared(good, rejected, tuple(problems), codes)


def _attributes_as_categories(good: pd.DataFrame, spec: SheetSpec, codes: Mapping[str, TextCodes]) -> pd.DataFrame:
    """``good`` with its text attribute columns (all but the ids) as Categoricals made from their ``codes``.

    An attribute sheet (the customers sheet) has one row per customer and a few distinct values per attribute: as
    text, the attributes of 3.6 M customers take 95 MiB; as categories (one int8 code per row) 7 MiB. The values
    are the same (categories: the distinct values in sorted order, a missing value missing).
    """
    good = good.copy(deep=False)
    for name in good.columns:
        if name in codes and spec.types[name] == "text":
            good[name] = pd.Categorical.from_codes(codes[name].codes, categories=codes[name].values)
    return good


def _is_text(column: pd.Series) -> bool:
    """Whether ``column`` holds text (ids, products, categories): not numbers, true/false or dates."""
    return not (
        is_numeric_dtype(column.dtype) or is_bool_dtype(column.dtype) or is_datetime64_any_dtype(column.dtype)
    )


def _kept_row_problems(good: pd.DataFrame, spec: SheetSpec, codes: Mapping[str, TextCodes]) -> list[Problem]:
    """Findings about rows that are kept: negative amounts (returns), no positive amount at all (an error: returns
    alone are no purchases) and exact duplicates."""
    problems = [Problem("data_no_purchases", "error", {"column": name}) for name in _no_purchases(good, spec)]
    for name in good.columns:
        if spec.types[name] == "money":
            negative = good[name] < 0
            if negative.any():
                total = float(good.loc[negative, name].sum())
                params = {"column": name, "rows": int(negative.sum()), "total": total}
                problems.append(Problem("data_negative_amounts", "warning", params))
    duplicates = _duplicate_rows(good, codes)
    if duplicates:
        problems.append(Problem("data_duplicate_rows", "info", {"rows": duplicates}))
    return problems


def _no_purchases(frame: pd.DataFrame, spec: SheetSpec) -> list[str]:
    """The money columns (transaction amounts) of a frame with rows in which no amount is positive."""
    return [name for name in frame.columns if spec.types.get(name) == "money" and len(frame)
            and not (frame[name] > 0).any()]


def _duplicate_rows(frame: pd.DataFrame, codes: Mapping[str, TextCodes]) -> int:
    """Rows equal to an earlier row in every column.

    A 64-bit key per row (text columns by their ``codes``, numbers and dates by their bits) finds the candidates
    without a Python object per cell; only rows whose key repeats are then compared exactly.
    """
    if frame.empty:
        return 0
    key = np.zeros(len(frame), dtype="uint64")
    with np.errstate(over="ignore"):
        for name in frame.columns:
            column = frame[name]
            if name in codes:
                bits = codes[name].codes.astype("uint64")  # −1 (missing) wraps to 2**64 − 1 ...
                bits += np.uint64(1)  # ... and to 0 here: every value its code + 1, in one array
            elif is_datetime64_any_dtype(column.dtype):  # prepared dates are naive: a view of their int64
                bits = column.to_numpy().view("int64").view("uint64")
            else:  # numbers, nullable ones too (a missing one as NaN)
                bits = column.to_numpy(dtype="float64", na_value=np.nan).view("uint64")
            key = key * np.uint64(0x9E3779B97F4A7C15) + bits + np.uint64(0x632BE59BD9B4E019)
    ordered = np.sort(key)  # a sorted copy instead of a hash table: a quarter of the memory at 10 M rows
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not repeated.size:
        return 0
    candidates = np.isin(key, repeated)
    return int(frame[candidates].duplicated().sum())


def missing_column_problems(frame: pd.DataFrame, kind: str) -> list[Problem]:
    """An error problem for each required column of sheet ``kind`` that ``frame`` lacks."""
    return [
        Problem("data_missing_column", "error", {"column": name})
        for name in sheet_spec(kind).required
        if name not in frame.columns
    ]


def unusable_sheet_problems(frame: pd.DataFrame, kind: str) -> list[Problem]:
    """Why a prepared sheet of ``kind`` cannot be used, as "error" problems: each required column it lacks
    (``data_missing_column``), for a frame without a single row ``data_no_rows``, and for transactions whose amounts
    are all returns (none positive) ``data_no_purchases``. Empty when it can be used. ``frame`` may also be a table
    read by path (anything with ``columns``); its rows are not looked at."""
    problems = missing_column_problems(frame, kind)
    if isinstance(frame, pd.DataFrame) and frame.empty:
        problems.append(Problem("data_no_rows", "error", {"rows": 0}))
    elif isinstance(frame, pd.DataFrame):
        problems += [Problem("data_no_purchases", "error", {"column": name})
                     for name in _no_purchases(frame, sheet_spec(kind))]
    return problems


def validate_transactions(frame: pd.DataFrame) -> list[Problem]:
    """Plain-language problems of a mapped transactions table, for the UI (never raises for bad data).

    The same findings as :func:`prepare_sheet`: missing required columns, values that are not numbers or dates,
    future dates, negative amounts (returns), duplicates, and so on.
    """
    return list(prepare_sheet(frame, "transactions").problems)
