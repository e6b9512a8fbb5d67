"""Downloads that are safe to open in a spreadsheet: CSV and XLSX without formula injection.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab, carriage return or line feed is run as a formula
by Excel, LibreOffice and Google Sheets ("CSV injection", OWASP). Text cells starting with one of those get a
leading apostrophe, which spreadsheets show as plain text; real numbers (also negative ones) stay numbers.
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def escape_cell(value: object) -> object:
    """``value`` unchanged unless it is text that a spreadsheet would run as a formula; then ``'`` + value."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and header escaped; numeric and date columns untouched."""
    safe = frame.copy()
    safe.columns = [escape_cell(str(column)) for column in frame.columns]
    for position, dtype in enumerate(frame.dtypes):
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype)):
            safe.isetitem(position, frame.iloc[:, position].map(escape_cell, na_action="ignore"))
    return safe


def to_csv_bytes(frame: pd.DataFrame, lang: str = "en") -> bytes:
    """CSV for the user's spreadsheet: German ``;`` and decimal comma with a UTF-8 BOM, else ``,`` and dot."""
    german = lang == "de"
    text = safe_frame(frame).to_csv(index=False, sep=";" if german else ",", decimal="," if german else ".")
    return ("\ufeff" + text).encode("utf-8")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "data") -> bytes:
    """XLSX with text cells written as text (never formulas) and numbers as numbers."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, index=False, sheet_name=sheet_name)
        for row in writer.sheets[sheet_name].iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    return buffer.getvalue()
