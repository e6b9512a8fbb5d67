"""Read an XLSX upload (calamine) into a typed table: typed cells come through, text cells get the same parsing as
CSV. The file has passed :func:`retention_core.ingest.guards.inspect_xlsx` before calamine opens it.
"""

from __future__ import annotations

import io
from dataclasses import replace

import pandas as pd

from retention_core.ingest import guards
from retention_core.ingest.contract import LoadError
from retention_core.ingest.guards import XLSX_MAGIC
from retention_core.ingest.xlsx_guards import inspect_xlsx
from retention_core.ingest.parsing import coerce_strings
from retention_core.ingest.result import Dialect, LoadResult, assemble_result
from retention_core.ingest.table_typing import all_blank, header_names, thousands_separator_for, type_columns


def read_xlsx(data: bytes, filename: str, sheet: str | int | None) -> LoadResult:
    if not data.startswith(XLSX_MAGIC):
        raise LoadError("load_not_xlsx", filename=filename)
    inspect_xlsx(data, filename)
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
    if len(cells) > guards.MAX_ROWS + 1:
        raise LoadError("load_too_many_rows", filename=filename, rows=len(cells) - 1, limit=guards.MAX_ROWS)
    if cells.shape[1] > guards.MAX_COLUMNS:
        raise LoadError("load_too_many_columns", filename=filename, columns=cells.shape[1], limit=guards.MAX_COLUMNS)
    cells.index = pd.RangeIndex(1, len(cells) + 1, name="row_number")
    filled = cells.notna().any(axis=1) & ~all_blank(cells)
    if not filled.any():
        raise LoadError("load_empty_file", filename=filename)
    blank = int((~filled[cells.index > filled.idxmax()]).sum())  # empty rows below the header row
    cells = cells.loc[filled]
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
    names = header_names(coerce_strings(header.iloc[keep]).fillna("").tolist())
    body = body.iloc[:, keep]
    body.columns = names
    typed = type_columns(body, default_mark=".", kind="xlsx")
    typed = replace(typed, blank=typed.blank + blank)
    dialect = Dialect(
        kind="xlsx",
        decimal_mark=typed.decimal_mark,
        thousands_separator=thousands_separator_for(typed.decimal_mark),
        date_format=typed.date_format,
        sheet_name=chosen,
        sheet_names=sheet_names,
    )
    return assemble_result(typed, pd.DataFrame(columns=names + ["row_number", "reason"]), dialect, [], filename,
                           rows_read=len(body) + blank)


def _choose_sheet(sheet: str | int | None, sheet_names: tuple[str, ...], filename: str) -> str:
    if not sheet_names:
        raise LoadError("load_no_sheets", filename=filename)
    if sheet is None:
        return sheet_names[0]
    if isinstance(sheet, int) and 0 <= sheet < len(sheet_names):
        return sheet_names[sheet]
    if isinstance(sheet, str) and sheet in sheet_names:
        return sheet
    raise LoadError("load_sheet_not_found", filename=filename, sheet=sheet, sheets=", ".join(sheet_names))
