"""What a reader gives back: the typed table, the rows set aside, the :class:`Dialect` and the problems.

Nothing is changed or lost on the way. Each typed column keeps what the file wrote (:class:`Originals`), and
:meth:`LoadResult.for_mapping` gives a column mapped to an identifier as that text, so ids are never read through a
number (``9007199254740993``, 20 digits, ``1.234``, Parquet int64 all survive). Every reader checks in code that the
rows it found are the rows kept, rejected and blank (:func:`assemble_result`); a CSV additionally that these account
for every non-empty line of the file. A failed check raises ``load_rows_unaccounted`` instead of losing rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa

from retention_core.ingest.contract import ID_COLUMNS, LoadError, Problem
from retention_core.ingest.parsing import coerce_strings


#: The problems about single values of one column (their ``column`` param): they count only while that column is
#: used as a number or date (see :meth:`LoadResult.for_mapping`).
_VALUE_PROBLEM_KEYS = ("load_values_not_numbers", "load_values_not_dates", "load_values_out_of_range")


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
        ``mapping.map_columns``): apply it before mapping.

        A user column mapped to an identifier (:data:`~retention_core.ingest.contract.ID_COLUMNS`) holds the text the
        file wrote, whatever type its values were read as: ``9007199254740993`` and ``9007199254740992`` stay two
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


# --- assembling a reader's result --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypedColumns:
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


def assemble_result(typed: TypedColumns, rejected_lines: pd.DataFrame, dialect: Dialect, problems: list[Problem],
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
