"""Downloads that are safe to open in a spreadsheet: CSV and XLSX without formula injection.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab, carriage return or line feed is run as a formula
by Excel, LibreOffice and Google Sheets ("CSV injection", OWASP). In a CSV such text gets a leading apostrophe,
which spreadsheets show as plain text; in an XLSX it is a text cell with Excel's "quote prefix" (the text as
written, never a formula, also when edited). A signed number as the dashboard writes it (``-20,0 %``,
``+1.234,50 €``) is no formula and is written as it is. Real numbers (also negative ones) stay numbers: in the
CSV with the language's decimal mark, so German Excel reads ``5,02`` as the number the English one reads as
``5.02``.
"""

from __future__ import annotations

import io
import math
import numbers
import re

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
#: A signed number with grouping, decimal mark and a unit, as the dashboard shows it: no operator, no reference.
_SIGNED_NUMBER = re.compile(r"[-+]\d[\d.,\u00a0\u202f ]*(\s?(%|pp|€|\$|£|CHF|EUR|USD|GBP))?")


def is_formula_like(value: object) -> bool:
    """Whether ``value`` is text a spreadsheet would run as a formula (a signed number as shown is not)."""
    return (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
            and _SIGNED_NUMBER.fullmatch(value) is None)


def escape_cell(value: object) -> object:
    """``value`` unchanged unless it is text that a spreadsheet would run as a formula; then ``'`` + value."""
    return "'" + value if is_formula_like(value) else value


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _number_text(value: numbers.Real, decimal: str) -> str:
    """A number for a CSV cell: every digit Python keeps (``repr``), the language's decimal mark, no grouping."""
    if isinstance(value, float) and math.isnan(value):
        return ""
    text = repr(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))
    return text.replace(".", decimal)


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and header escaped; numeric and date columns untouched."""
    safe = frame.copy()
    safe.columns = [escape_cell(str(column)) for column in frame.columns]
    for position, dtype in enumerate(frame.dtypes):
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype)):
            safe.isetitem(position, frame.iloc[:, position].map(escape_cell, na_action="ignore"))
    return safe


def to_csv_bytes(frame: pd.DataFrame, lang: str = "en") -> bytes:
    """CSV for the user's spreadsheet: German ``;`` and decimal comma with a UTF-8 BOM, else ``,`` and dot.

    Numbers in a column that also holds text (a table of inputs and results) get the same decimal mark as
    numeric columns: ``0,05`` and ``11479,68`` in German, which German Excel reads as numbers."""
    german = lang == "de"
    decimal = "," if german else "."
    safe = safe_frame(frame)
    for position, dtype in enumerate(safe.dtypes):
        if dtype == object:
            safe.isetitem(position, safe.iloc[:, position].map(
                lambda value: _number_text(value, decimal) if _is_number(value) else value))
    text = safe.to_csv(index=False, sep=";" if german else ",", decimal=decimal)
    return ("\ufeff" + text).encode("utf-8")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "data") -> bytes:
    """XLSX with numbers as number cells and text as text cells, never formulas: text a spreadsheet would run as
    one is stored as written with Excel's quote prefix (shown without an apostrophe, kept as text when edited)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet_name)
        for row in writer.sheets[sheet_name].iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if cell.value.startswith(FORMULA_PREFIXES):
                        cell.quotePrefix = True
    return buffer.getvalue()
