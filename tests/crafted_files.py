"""Small crafted uploads that once took the whole server down (issue 29), generated here, never stored.

Each is what an attacker would send: a few kilobytes to a megabyte that expand to gigabytes or run for minutes
once a reader believes them. ``tests/core/ingest/test_hardening.py`` feeds them to ``read_table`` (the checks must
refuse them before any parser) and ``tests/core/ingest/test_upload_worker.py`` to the capped worker (the test process
must survive them even where the checks are bypassed).
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

SHEET = "xl/worksheets/sheet1.xml"
NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook_bytes(rows=(("Customer ID", "Order Date", "Amount"), ("00042", "2024-12-31", 12.5))) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook_parts(data: bytes | None = None) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data or workbook_bytes()))
    return {entry.filename: archive.read(entry.filename) for entry in archive.infolist()}


def zip_bytes(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sheet_xml(cells: str | bytes) -> bytes:
    cells = cells.encode() if isinstance(cells, str) else cells
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NAMESPACE}"><sheetData>'.encode() + cells
            + b"</sheetData></worksheet>")


def with_sheet(cells: str | bytes, part_name: str = SHEET, extra: dict[str, bytes] | None = None) -> bytes:
    """A valid workbook whose first sheet holds ``cells``, stored as ``part_name`` (the relationships and content
    types follow the name, so Excel readers find the sheet there)."""
    parts = workbook_parts()
    del parts[SHEET]
    parts[part_name] = sheet_xml(cells)
    target = part_name.removeprefix("xl/").encode()
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"worksheets/sheet1.xml", target)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"/xl/worksheets/sheet1.xml",
                                                                        b"/" + part_name.encode())
    parts.update(extra or {})
    return zip_bytes(parts)


def sparse_sheet_not_named_xml() -> bytes:
    """4.7 KB: a worksheet part named ``sheet1.bin`` with one cell in A1 and one in XFD1048576. The Excel reader
    allocates the dense area between them, ~512 GB, and its allocator aborts the process."""
    return with_sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
                      '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "xl/worksheets/sheet1.bin")


def shared_string_bomb(length: int = 900_000, cells: int = 5_000) -> bytes:
    """~0.6 MB: one shared string of ``length`` random letters referenced by ``cells`` cells; the reader copies it
    into every cell: 4.5 GB."""
    letters = np.random.default_rng(29).integers(ord("a"), ord("z") + 1, size=length, dtype=np.uint8).tobytes()
    strings = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NAMESPACE}" count="{cells}" uniqueCount="1">'
               ).encode() + b"<si><t>" + letters + b"</t></si></sst>"
    rows = "".join(f'<row r="{row}"><c r="A{row}" t="s"><v>0</v></c><c r="B{row}" t="s"><v>0</v></c></row>'
                   for row in range(1, cells // 2 + 1))
    relationship = (b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.'
                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>')
    parts = workbook_parts()
    parts[SHEET] = sheet_xml(rows)
    parts["xl/sharedStrings.xml"] = strings
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>",
                                                                                      relationship)
    return zip_bytes(parts)


def parquet_dictionary_bomb(rows: int = 5_000_000, value_bytes: int = 2048) -> bytes:
    """1.1 MB: one ``value_bytes`` dictionary value over ``rows`` rows, ~10 GB decoded; the footer's sizes look
    harmless (the data pages hold only run-length-encoded indices)."""
    column = pa.DictionaryArray.from_arrays(pa.array(np.zeros(rows, dtype=np.int32)), pa.array(["x" * value_bytes]))
    table = pa.table({"customer_id": column, "amount": pa.array(np.zeros(rows))})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def slow_workbook(rows: int = 200_000, columns: int = 10) -> bytes:
    """A workbook within every cap (rows, columns, cells, unpacked size, ratio) that still takes the reader many
    seconds: ``rows`` x ``columns`` cells of text and numbers."""
    letters = [chr(ord("A") + column) for column in range(columns)]
    body = io.StringIO()
    for row in range(1, rows + 1):
        body.write(f'<row r="{row}">')
        for column, letter in enumerate(letters):
            if column % 2:
                body.write(f'<c r="{letter}{row}"><v>{row * 7 + column}.25</v></c>')
            else:
                body.write(f'<c r="{letter}{row}" t="inlineStr"><is><t>K{row * 31 + column:09d}</t></is></c>')
        body.write("</row>")
    return with_sheet(body.getvalue())
