"""The Data page's work on one upload as one step: read it, map its columns (the user's mapping, else the suggested
one), and prepare the sheet when the mapping gives every required field.

:func:`read_and_prepare` is that step. The app runs it in the capped worker process
(:func:`retention_core.ingest.worker.load_upload`), so that the typed table never leaves the child that read it:
only the prepared sheet and what the page shows of the read (:class:`ReadSummary`: headers and first rows, the
dialect, the rows set aside, the problems, the counts) come back. Another mapping later means reading the file
again with it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from retention_core.ingest.contract import SHEETS, Problem
from retention_core.ingest.headers import SUGGESTION_SAMPLE_ROWS, suggest_mapping
from retention_core.ingest.mapping import apply_categories, map_columns, suggest_categories
from retention_core.ingest.prepare import Prepared, TextCodes, prepare_sheet
from retention_core.ingest.read import read_table
from retention_core.ingest.result import Dialect, LoadResult

#: How many distinct values of a cost sheet's column the mapping form offers a category for.
CATEGORY_VALUES_SHOWN = 30
#: The category a value gets in the mapping form when :func:`suggest_categories` has no guess for it.
DEFAULT_CATEGORY = "engagement"


@dataclass(frozen=True)
class ReadSummary:
    """What the Data page shows of a read upload, without its rows.

    ``sample``: the first :data:`~retention_core.ingest.headers.SUGGESTION_SAMPLE_ROWS` rows as read (the headers,
    and all that :func:`suggest_mapping` and :func:`~retention_core.ingest.headers.looks_like` look at);
    ``rejected``, ``problems``, ``rows_kept`` and ``rows_blank`` as in
    :class:`~retention_core.ingest.result.LoadResult` (after ``for_mapping`` when the sheet was prepared).
    """

    sample: pd.DataFrame
    dialect: Dialect
    rejected: pd.DataFrame
    problems: tuple[Problem, ...]
    rows_kept: int
    rows_blank: int

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @classmethod
    def of(cls, loaded: LoadResult) -> ReadSummary:
        as_read = loaded.origin or loaded
        return cls(as_read.frame.head(SUGGESTION_SAMPLE_ROWS), loaded.dialect, loaded.rejected, loaded.problems,
                   loaded.rows_kept, loaded.rows_blank)


@dataclass(frozen=True)
class Loaded:
    """One upload read and, when ``mapping`` gives every required field of its sheet, prepared.

    ``mapping``: the mapping used (the one asked for, else the suggestion); ``categories``: the cost categories
    applied (the ones asked for, else :func:`default_categories` of the category column's values), None without
    a category column; ``category_values``: for a cost sheet, the first :data:`CATEGORY_VALUES_SHOWN` distinct
    values of each column (the form's choices), else empty; ``prepared``: None when the mapping is incomplete.
    """

    read: ReadSummary
    mapping: dict[str, object]
    categories: dict[str, str] | None
    category_values: dict[object, tuple[str, ...]]
    prepared: Prepared | None


def category_values(frame: pd.DataFrame) -> dict[object, tuple[str, ...]]:
    """The first :data:`CATEGORY_VALUES_SHOWN` distinct values of each column of ``frame``, as text."""
    return {column: tuple(frame[column].dropna().astype(str).unique()[:CATEGORY_VALUES_SHOWN])
            for column in frame.columns}


def default_categories(values: tuple[str, ...]) -> dict[str, str]:
    """The mapping form's first choice for each category value: :func:`suggest_categories`, else
    :data:`DEFAULT_CATEGORY`."""
    suggested = suggest_categories(values)
    return {value: suggested.get(value, DEFAULT_CATEGORY) for value in values}


def read_and_prepare(data: bytes, filename: str, kind: str, *, sheet: str | int | None = None,
                     mapping: Mapping[str, object] | None = None,
                     categories: Mapping[str, str] | None = None,
                     rows_ready: Callable[[pd.DataFrame, pd.DataFrame, Mapping[str, TextCodes]], None] | None = None
                     ) -> Loaded:
    """Read an upload (:func:`read_table`), map it with ``mapping`` (default: :func:`suggest_mapping` of its headers
    and first rows) and, when that gives every required field of sheet ``kind``, prepare it (``for_mapping``,
    ``map_columns``, ``apply_categories``, :func:`prepare_sheet`), as the Data page does.

    ``rows_ready``: passed to :func:`prepare_sheet` (called with the prepared sheet's rows, rejected rows and text
    codes once they are final).
    Raises what :func:`read_table` raises, and ``SharedColumnError`` for one column mapped to two fields.
    """
    loaded = read_table(data, filename, sheet=sheet)
    if mapping is None:
        mapping = suggest_mapping(loaded.frame.columns, kind, sample=loaded.frame)
    mapping = {name: column for name, column in mapping.items() if column is not None}
    complete = all(name in mapping for name in SHEETS[kind].required)
    if complete:
        loaded = loaded.for_mapping(mapping)  # id columns as the file wrote them
    values = category_values(loaded.frame) if kind == "retention_costs" else {}
    if categories is None and mapping.get("category") in values:
        categories = default_categories(values[mapping["category"]])
    if not complete:
        return Loaded(ReadSummary.of(loaded), mapping, categories, values, None)
    mapped = map_columns(loaded.frame, mapping)
    if categories is not None and "category" in mapped.columns:
        mapped = apply_categories(mapped, categories)
    return Loaded(ReadSummary.of(loaded), mapping, None if categories is None else dict(categories), values,
                  prepare_sheet(mapped, kind, rows_ready=rows_ready))


def read_sheet_file(path: str | os.PathLike, kind: str) -> Prepared:
    """A sheet of ``kind`` from a file on disk (CSV, XLSX, Parquet), read, mapped by suggestion from its headers
    (German or English: ``Kundennummer``, ``Kanal`` …) and prepared as the Data page does with its defaults: for
    the command line and a ``--customers`` file given at start, whose files the operator trusts (no worker process).

    Raises :class:`~retention_core.ingest.contract.LoadError` for a file that cannot be read and ``ValueError``
    naming the required columns whose header was not recognised.
    """
    location = Path(path).expanduser()
    loaded = read_and_prepare(location.read_bytes(), location.name, kind)
    if loaded.prepared is None:
        missing = [name for name in SHEETS[kind].required if name not in loaded.mapping]
        raise ValueError(f"{location} is read as the {kind} sheet, but no column header was recognised as "
                         f"{', '.join(missing)}; see docs/data-format.md for the headers recognised")
    return loaded.prepared
