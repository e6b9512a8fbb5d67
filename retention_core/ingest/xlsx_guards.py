"""Refuse a hostile XLSX upload before calamine opens it (the limits are in :mod:`retention_core.ingest.guards`).

The zip is inspected with ``zipfile`` on the bytes: at most ``MAX_ZIP_ENTRIES`` parts, ``MAX_UNCOMPRESSED_BYTES``
unpacked (as declared in the zip directory; the scans below read through ``zipfile``, which never inflates beyond
the declared size) and a compression ratio of at most ``MAX_COMPRESSION_RATIO`` per part larger than 1 MB (zip
bombs). Encrypted parts, an OpenDocument spreadsheet, a binary workbook (``.xlsb``) and a zip without
``xl/workbook.xml`` get their own message. Every part, whatever its name, is refused if its first
``XML_PROLOG_BYTES`` (comments removed) contain ``<!DOCTYPE`` or ``<!ENTITY`` (billion laughs, external entities): a
plain byte scan rather than defusedxml, because no XML is parsed here and a DOCTYPE can only stand in the prolog,
before the root element, which must start within those bytes; XML in UTF-16 is refused (Excel writes UTF-8, and the
scans read bytes). Every part, whatever its name (relationships may put a sheet anywhere), is scanned for worksheet
cell references, so that a sparse sheet (one cell in A1, one in XFD1048576) cannot make calamine allocate its dense
area: at most ``MAX_ROWS`` rows, ``MAX_COLUMNS`` columns and ``MAX_SHEET_CELLS`` cells; references in either quote
and a reference that is not plain letters and digits (a character reference) are refused. Shared strings count by
their expanded size, once per cell that refers to them (a cell whose index is not plain digits as the largest): at
most ``MAX_EXPANDED_BYTES``.
"""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np

from retention_core.ingest import guards
from retention_core.ingest.contract import LoadError
from retention_core.ingest.guards import megabytes


_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
_NAMED_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
_QUOTED_REFERENCE = rb"\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,9})[\"']"
_ROW_TAG = re.compile(_PREFIX + rb"row\b(?:[^>]*?\br\s*=\s*[\"']([0-9]{1,9})[\"'])?")
_REFERENCED_CELL = re.compile(_PREFIX + rb"c\b[^>]*?\br" + _QUOTED_REFERENCE + rb"[^>]*?(/?)>")
_UNREFERENCED_CELL = re.compile(_PREFIX + rb"c(?:\s(?![^>]*\br\s*=)[^>]*[^/>])?>")
# a row or cell reference that is not plain digits / letters and digits (a character reference, say): refused,
# since the reader may well decode it to a far corner the scan did not see
_ODD_REFERENCE = re.compile(
    _PREFIX + rb"(?:row\b[^>]*?\br\s*=\s*[\"'](?![0-9]{1,9}[\"'])"
    rb"|c\b[^>]*?\br\s*=\s*[\"'](?!\$?[A-Za-z]{1,3}\$?[0-9]{1,9}[\"']))"
)
# a cell of a shared string, with its index when that is written as plain digits
_SHARED_CELL = re.compile(
    _PREFIX + rb"c\b[^>]*?\bt\s*=\s*[\"']s[\"'][^>]*>(?:\s*" + _PREFIX + rb"v>\s*([0-9]{1,10})\s*<)?"
)
_SHARED_ITEM = re.compile(_PREFIX + rb"si\b")


_ODS_MIMETYPE = b"application/vnd.oasis.opendocument"


def inspect_xlsx(data: bytes, filename: str) -> None:
    """Refuse a zip bomb, an encrypted or non-XLSX archive, XML entity declarations, sheets spanning too large an
    area and cell text that expands beyond ``MAX_EXPANDED_BYTES`` before any XLSX reader opens the file (limits in
    the module docstring). Every part is inspected, whatever its name: relationships may put a sheet anywhere.
    A file that is not a zip raises ``load_not_xlsx``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise LoadError("load_not_xlsx", filename=filename) from error
    with archive:
        total = sum(entry.file_size for entry in entries)
        if len(entries) > guards.MAX_ZIP_ENTRIES or total > guards.MAX_UNCOMPRESSED_BYTES:
            raise LoadError("load_too_complex", filename=filename)
        for entry in entries:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > 1024 * 1024 and ratio > guards.MAX_COMPRESSION_RATIO:
                raise LoadError("load_too_complex", filename=filename)
        _check_workbook_kind(archive, entries, filename)
        parts = [entry for entry in entries if not entry.is_dir()]
        try:
            roots = [_check_xml_prolog(archive, entry, filename) for entry in parts]
            shared = _shared_string_sizes(archive, [entry for entry, root in zip(parts, roots) if root == b"sst"])
            expanded = sum(_check_sheet_area(archive, entry, filename, shared) for entry in parts)
        except LoadError:
            raise
        except Exception as error:  # a broken part: zlib, CRC, unsupported compression
            raise LoadError("load_not_xlsx", filename=filename) from error
    if expanded > guards.MAX_EXPANDED_BYTES:
        raise LoadError("load_too_much_data", filename=filename, size_mb=megabytes(expanded),
                        limit_mb=megabytes(guards.MAX_EXPANDED_BYTES))


def _check_workbook_kind(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], filename: str) -> None:
    """An archive with encrypted parts, an OpenDocument spreadsheet, a binary workbook (.xlsb) or a zip without a
    workbook each get their own message."""
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise LoadError("load_encrypted", filename=filename)
    names = {entry.filename for entry in entries}
    if "mimetype" in names and archive.open("mimetype").read(64).startswith(_ODS_MIMETYPE):
        raise LoadError("load_opendocument", filename=filename)
    if "xl/workbook.bin" in names:
        raise LoadError("load_xlsb", filename=filename)
    if "xl/workbook.xml" not in names:
        raise LoadError("load_not_a_workbook", filename=filename)


def _check_xml_prolog(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, filename: str) -> bytes | None:
    """Refuse entity declarations in a part's head, an XML part whose root element is not in its first
    ``XML_PROLOG_BYTES``, and XML in UTF-16 (Excel writes UTF-8; the scans below read bytes). Returns the local
    name of the root element of an XML part (``b"sst"`` for shared strings), None for other parts."""
    with archive.open(entry) as part:
        head = part.read(guards.XML_PROLOG_BYTES)
    whole_part = len(head) < guards.XML_PROLOG_BYTES
    wide = b"\x00" in head
    head = _COMMENT.sub(b"", head.replace(b"\x00", b""))  # NULs: UTF-16 text read as bytes
    if _DOCTYPE.search(head):
        raise LoadError("load_xml_entities", filename=filename)
    if not head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").startswith(b"<"):
        return None  # not XML: an image, a printer's settings ... (still scanned for cells below)
    if wide:
        raise LoadError("load_not_xlsx", filename=filename)
    if not whole_part and not _ROOT_ELEMENT.search(head):
        raise LoadError("load_xml_entities", filename=filename)
    root = _NAMED_ROOT.search(re.sub(rb"<[?!][^>]*>", b"", head))
    return root.group(1) if root else None


def _shared_string_sizes(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> np.ndarray:
    """The size in bytes of each shared string, as an upper bound of its text: the span of its ``<si>`` item,
    markup included (entities and CDATA only ever shrink). With several shared-string parts, the larger size per
    position."""
    sizes = np.zeros(0, dtype=np.int64)
    for entry in parts:
        content = archive.read(entry)
        starts = np.fromiter((match.start() for match in _SHARED_ITEM.finditer(content)), dtype=np.int64)
        spans = np.diff(np.append(starts, len(content)))
        if len(spans) > len(sizes):
            sizes = np.concatenate([sizes, np.zeros(len(spans) - len(sizes), dtype=np.int64)])
        sizes[:len(spans)] = np.maximum(sizes[:len(spans)], spans)
    return sizes


def _check_sheet_area(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, filename: str,
                      shared: np.ndarray | None = None) -> int:
    """The rows and columns a worksheet part spans, read from its cell references (cells without a value do not
    count; cells without a reference count as one more column each), checked against the caps. Returns the bytes
    of ``shared`` strings (sizes by index) its cells refer to, each reference counted: a cell whose index is not
    plain digits counts as the largest."""
    shared = np.zeros(0, dtype=np.int64) if shared is None else shared
    largest = int(shared.max()) if len(shared) else 0
    max_row = rows = max_column = unreferenced = expanded = 0
    tail = b""
    with archive.open(entry) as part:
        while chunk := part.read(4 * 1024 * 1024):
            buffer = tail + chunk
            cut = _last_cell_end(buffer)
            body, tail = buffer[:cut], buffer[cut:]
            if len(tail) > guards.MAX_LINE_BYTES:
                raise LoadError("load_too_complex", filename=filename)
            expanded += _check_sheet_chunk(body, filename, shared, largest, counts := [0, 0, 0, 0])
            rows += counts[0]
            max_row = max(max_row, counts[1])
            max_column = max(max_column, counts[2])
            unreferenced += counts[3]
    if tail:
        expanded += _check_sheet_chunk(tail, filename, shared, largest, counts := [0, 0, 0, 0])
        rows, max_row = rows + counts[0], max(max_row, counts[1])
        max_column, unreferenced = max(max_column, counts[2]), unreferenced + counts[3]
    max_row, max_column = max(max_row, rows), max_column + unreferenced
    if max_row > guards.MAX_ROWS + 1:
        raise LoadError("load_too_many_rows", filename=filename, rows=max_row - 1, limit=guards.MAX_ROWS)
    if max_column > guards.MAX_COLUMNS:
        raise LoadError("load_too_many_columns", filename=filename, columns=max_column, limit=guards.MAX_COLUMNS)
    if max_row * max_column > guards.MAX_SHEET_CELLS:
        raise LoadError("load_too_complex", filename=filename)
    return expanded


def _last_cell_end(buffer: bytes) -> int:
    """Where to cut a chunk of a sheet so that no cell is split: after its last ``</c>`` (or, in a part without
    cells, after its last ``>``)."""
    end = max(buffer.rfind(b"</c>"), buffer.rfind(b":c>"))
    if end >= 0:
        return buffer.index(b">", end) + 1
    return buffer.rfind(b">") + 1


def _check_sheet_chunk(body: bytes, filename: str, shared: np.ndarray, largest: int, counts: list[int]) -> int:
    """One chunk of :func:`_check_sheet_area`: ``counts`` gets [row tags, largest row, largest column, cells
    without a reference]; returns the shared-string bytes its cells refer to."""
    if _ODD_REFERENCE.search(body):
        raise LoadError("load_too_complex", filename=filename)
    row_refs = _ROW_TAG.findall(body)
    counts[0] = len(row_refs)
    counts[1] = max([0, *map(int, filter(None, row_refs))])
    # <c r="Z9" s="1"/> (self-closing) carries formatting only, no value: it does not widen the sheet.
    cells = [(letters, digits) for letters, digits, closed in _REFERENCED_CELL.findall(body) if not closed]
    if cells:
        letters, digits = zip(*cells)
        counts[1] = max([counts[1], *map(int, set(digits))])
        counts[2] = max(map(_column_number, set(letters)))
    counts[3] = len(_UNREFERENCED_CELL.findall(body))
    references = _SHARED_CELL.findall(body)
    if not references:
        return 0
    plain = np.array([int(index) for index in references if index], dtype=np.int64)
    known = plain[plain < len(shared)]
    return int(shared[known].sum()) + (len(references) - len(plain)) * largest


def _column_number(letters: bytes) -> int:
    """Excel column letters as a 1-based number: A -> 1, Z -> 26, AA -> 27, XFD -> 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number
