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
import zipfile

import numpy as np
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


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_XLSX_CHUNK_ROWS = 20_000
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'styles" Target="styles.xml"/></Relationships>'),
    # cell styles: 0 plain, 1 text with Excel's quote prefix, 2 a date (built-in format 14, the user's short date)
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}


def _xml_text(value: str) -> str:
    return _XML_UNSAFE.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_cell(value: object) -> str:
    text = str(value)
    style = ' s="1"' if text.startswith(FORMULA_PREFIXES) else ""
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{_xml_text(text)}</t></is></c>'


def _column_cells(column: pd.Series) -> list[str]:
    """Each value of ``column`` as a ``<c>`` element: numbers as numbers, dates as date serials with the date style,
    text as inline text (formula-like text with the quote prefix); a missing value as an empty cell."""
    if pd.api.types.is_bool_dtype(column.dtype):
        return [f'<c t="b"><v>{int(value)}</v></c>' for value in column]
    if pd.api.types.is_numeric_dtype(column.dtype):
        numbers = column.to_numpy(dtype="float64", na_value=np.nan)
        return [f"<c><v>{text}</v></c>" if known else "<c/>"
                for text, known in zip(numbers.astype(str).tolist(), np.isfinite(numbers).tolist())]
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        serial = (column.dt.tz_localize(None) if column.dt.tz is not None else column) - _EXCEL_EPOCH
        days = (serial / pd.Timedelta(days=1)).to_numpy(dtype="float64", na_value=np.nan)
        return [f'<c s="2"><v>{text}</v></c>' if known else "<c/>"
                for text, known in zip(days.astype(str).tolist(), np.isfinite(days).tolist())]
    return ["<c/>" if value is None or (not isinstance(value, str) and pd.isna(value)) else _text_cell(value)
            for value in column.astype(object)]


def to_xlsx_table_bytes(frame: pd.DataFrame, sheet_name: str = "data") -> bytes:
    """A long table as XLSX, with the safety of :func:`to_xlsx_bytes` (text is a text cell, never a formula, and
    formula-like text carries Excel's quote prefix), written as the sheet's XML directly instead of cell objects:
    a list of hundreds of thousands of customers in seconds, where openpyxl takes minutes. Each column one kind:
    numbers, dates (shown in the user's short date format) or text; missing values are empty cells. The caller
    keeps within Excel's 1,048,576 rows."""
    header = "".join(_text_cell(column) for column in frame.columns)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text)
        name = _xml_text(str(sheet_name))[:31].replace('"', "&quot;")
        archive.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            sheet.write(f"<row>{header}</row>".encode())
            for start in range(0, len(frame), _XLSX_CHUNK_ROWS):  # a chunk at a time: memory stays small
                part = frame.iloc[start:start + _XLSX_CHUNK_ROWS]
                cells = [_column_cells(part[column]) for column in part.columns]
                sheet.write("".join("<row>" + "".join(row) + "</row>" for row in zip(*cells)).encode())
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()
