"""Typing the columns a CSV or XLSX reader found, from the evidence of their values, and naming them.

One decimal mark per file, one date format per column; ids (headers like "Kundennummer", values like "00042")
stay text. The parsing itself is :mod:`retention_core.ingest.parsing`, the same as ``prepare_sheet`` uses.
"""

from __future__ import annotations

import pandas as pd

from retention_core.ingest.contract import Problem
from retention_core.ingest.guards import check_deadline
from retention_core.ingest.headers import looks_like_id
from retention_core.ingest.parsing import (
    TYPE_THRESHOLD,
    choose_date_format,
    choose_decimal_mark,
    coerce_dates,
    coerce_numbers,
    coerce_strings,
    split_cells,
    text_evidence,
)
from retention_core.ingest.result import TypedColumns


def header_names(fields: list[str]) -> list[str]:
    """Stripped header names; empty ones become ``column_<n>``; repeats get `` (2)``, `` (3)``."""
    names, seen = [], {}
    for position, name in enumerate(fields, start=1):
        name = str(name).strip() or f"column_{position}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def thousands_separator_for(decimal_mark: str | None) -> str | None:
    return {",": ".", ".": ","}.get(decimal_mark) if decimal_mark else None


def type_columns(raw: pd.DataFrame, default_mark: str, kind: str, deadline: float | None = None,
                 filename: str = "") -> TypedColumns:
    """Type each column of ``raw`` (text for CSV, mixed cells for XLSX) from its evidence.

    Order of the decision per column: header looks like an id -> text; at least TYPE_THRESHOLD of the values are
    dates in one format -> date; values with leading zeros ("00042") -> text; at least TYPE_THRESHOLD are numbers
    with the file's decimal mark -> float; else text. Cells that fail in a typed column mark their row as rejected.
    The input of each typed column is kept (``texts``), so that a column mapped as an id can be read as written.
    Rows without any value are left out and counted (``blank``). Checks ``deadline`` after each column.
    """
    rows = len(raw)
    raw = raw.loc[raw.notna().any(axis=1) & ~all_blank(raw)]
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
        check_deadline(deadline, filename)
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
    return TypedColumns(
        frame=frame,
        raw=raw,
        failures=pd.DataFrame(failure_reasons, dtype="str"),
        problems=tuple(problems),
        decimal_mark=decimal_mark if used_marks or kind == "csv" else None,
        date_format=max(set(used_formats), key=used_formats.count) if used_formats else None,
        texts=texts,
        blank=blank,
    )


def all_blank(raw: pd.DataFrame) -> pd.Series:
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
