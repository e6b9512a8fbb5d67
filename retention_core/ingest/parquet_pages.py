"""The pages of a Parquet column chunk as their headers declare them, read from the file's bytes before any decoding.

A Parquet footer declares each column chunk's total size, but the reader allocates what each *page header* says,
and a dictionary-encoded column expands every row to its dictionary value: a 2 KB value over 5 M rows is 10 GB
from a 1 MB file whose footer looks harmless. :func:`chunk_pages` walks a chunk's page headers (Thrift compact
protocol, the Parquet format's encoding) and :func:`longest_dictionary_value` reads the longest value of a
dictionary page, so :func:`retention_core.ingest.guards.inspect_parquet` can bound what decoding will take before it
starts. Anything that does not parse raises ``ValueError``.

Reference: Apache Parquet format, ``parquet.thrift`` (``PageHeader``, ``DataPageHeader``, ``DataPageHeaderV2``,
``DictionaryPageHeader``); Apache Thrift compact protocol specification.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

DATA_PAGE, INDEX_PAGE, DICTIONARY_PAGE, DATA_PAGE_V2 = 0, 1, 2, 3
#: Encodings of data pages that hold indices into the chunk's dictionary (PLAIN_DICTIONARY, RLE_DICTIONARY).
DICTIONARY_ENCODINGS = frozenset({2, 8})
#: Parquet codec names as pyarrow's metadata writes them -> pyarrow's codec names (None: stored as is).
CODECS = {"UNCOMPRESSED": None, "SNAPPY": "snappy", "GZIP": "gzip", "BROTLI": "brotli", "ZSTD": "zstd",
          "LZ4_RAW": "lz4_raw"}
MAX_PAGES_PER_CHUNK = 1_000_000
_MAX_DEPTH = 16
_LENGTH = struct.Struct("<I")
_DOUBLE = 8


@dataclass(frozen=True)
class Page:
    """One page: its ``kind`` (``DATA_PAGE`` ... ``DATA_PAGE_V2``), sizes, number of values, encoding (data and
    dictionary pages) and where its body starts in the file."""

    kind: int
    uncompressed_bytes: int
    compressed_bytes: int
    values: int
    encoding: int | None
    body_offset: int


def chunk_pages(data: bytes | memoryview, start: int, length: int) -> list[Page]:
    """The pages of the column chunk whose pages fill ``data[start:start + length]``, in file order."""
    view = memoryview(data)
    if start < 0 or length < 0 or start + length > len(view):
        raise ValueError("column chunk outside the file")
    end, position, pages = start + length, start, []
    while position < end:
        if len(pages) >= MAX_PAGES_PER_CHUNK:
            raise ValueError("too many pages in one column chunk")
        fields, body = _struct(view, position, end, 0)
        kind, uncompressed, compressed = fields.get(1), fields.get(2), fields.get(3)
        if not all(isinstance(value, int) for value in (kind, uncompressed, compressed)) or min(
                uncompressed, compressed) < 0:
            raise ValueError("page header without type or sizes")
        details = fields.get({DATA_PAGE: 5, DICTIONARY_PAGE: 7, DATA_PAGE_V2: 8}.get(kind, 0), {})
        details = details if isinstance(details, dict) else {}
        encoding = details.get(4 if kind == DATA_PAGE_V2 else 2)
        pages.append(Page(kind, uncompressed, compressed, int(details.get(1, 0) or 0),
                          encoding if isinstance(encoding, int) else None, body))
        position = body + compressed
    if position != end:
        raise ValueError("the last page runs past the column chunk")
    return pages


def longest_dictionary_value(data: bytes | memoryview, page: Page, codec: str) -> int:
    """The length in bytes of the longest value of a BYTE_ARRAY dictionary page (PLAIN: 4-byte length, bytes).

    ``codec`` is the chunk's compression as the footer names it. A codec pyarrow cannot decompress gives the
    page's whole uncompressed size, an upper bound.
    """
    if page.kind != DICTIONARY_PAGE:
        raise ValueError("not a dictionary page")
    body = memoryview(data)[page.body_offset:page.body_offset + page.compressed_bytes]
    if codec not in CODECS:
        return page.uncompressed_bytes
    name = CODECS[codec]
    if name is not None:
        try:
            body = memoryview(pa.decompress(body, decompressed_size=page.uncompressed_bytes, codec=name,
                                            asbytes=True))
        except (pa.ArrowException, OSError, ValueError) as error:  # OSError: a corrupt stream
            raise ValueError(f"dictionary page does not decompress: {error}") from error
    if page.values == 1:  # one value: it is the page minus its length
        return max(len(body) - _LENGTH.size, 0)
    uniform = _uniform_length(body, page.values)
    if uniform is not None:
        return uniform
    longest, position, unpack = 0, 0, _LENGTH.unpack_from
    for _ in range(page.values):
        if position + _LENGTH.size > len(body):
            raise ValueError("dictionary page shorter than its values")
        (size,) = unpack(body, position)
        longest = size if size > longest else longest
        position += _LENGTH.size + size
    if position > len(body):
        raise ValueError("dictionary value runs past its page")
    return longest


def _uniform_length(body: memoryview, values: int) -> int | None:
    """The length of every value when all values of a dictionary page are equally long (ids often are), checked
    at once; None otherwise."""
    if values < 2 or len(body) % values or len(body) // values < _LENGTH.size:
        return None
    width = len(body) // values
    lengths = np.frombuffer(body, dtype=np.uint8).reshape(values, width)[:, :_LENGTH.size]
    lengths = lengths.astype(np.uint32) @ np.array([1, 1 << 8, 1 << 16, 1 << 24], dtype=np.uint32)
    return width - _LENGTH.size if bool((lengths == width - _LENGTH.size).all()) else None


# --- Thrift compact protocol --------------------------------------------------------------------------------------


def _varint(view: memoryview, position: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if position >= end or shift > 63:
            raise ValueError("truncated or overlong varint")
        byte = view[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def _zigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)


def _struct(view: memoryview, position: int, end: int, depth: int) -> tuple[dict[int, object], int]:
    """A struct's fields by id (nested structs as dicts, binaries as their length, lists as their length) and the
    position after it."""
    if depth > _MAX_DEPTH:
        raise ValueError("structs nested too deeply")
    fields: dict[int, object] = {}
    last = 0
    while True:
        if position >= end:
            raise ValueError("truncated struct")
        header = view[position]
        position += 1
        if header == 0:
            return fields, position
        kind, delta = header & 0x0F, header >> 4
        if delta:
            field = last + delta
        else:
            raw, position = _varint(view, position, end)
            field = _zigzag(raw)
        last = field
        fields[field], position = _value(view, position, end, kind, depth)


def _value(view: memoryview, position: int, end: int, kind: int, depth: int) -> tuple[object, int]:
    if kind in (1, 2):  # bool, carried in the field header
        return kind == 1, position
    if kind == 3:  # byte
        if position >= end:
            raise ValueError("truncated byte")
        return view[position], position + 1
    if kind in (4, 5, 6):  # i16, i32, i64
        raw, position = _varint(view, position, end)
        return _zigzag(raw), position
    if kind == 7:  # double
        if position + _DOUBLE > end:
            raise ValueError("truncated double")
        return None, position + _DOUBLE
    if kind == 8:  # binary: its length only
        size, position = _varint(view, position, end)
        if position + size > end:
            raise ValueError("truncated binary")
        return size, position + size
    if kind in (9, 10):  # list, set
        if position >= end:
            raise ValueError("truncated list")
        header = view[position]
        position += 1
        size, element = header >> 4, header & 0x0F
        if size == 15:
            size, position = _varint(view, position, end)
        if size > end - position:
            raise ValueError("list longer than its bytes")
        for _ in range(size):
            if element in (1, 2):  # booleans in a list take a byte each
                position += 1
            else:
                _, position = _value(view, position, end, element, depth + 1)
        return size, position
    if kind == 11:  # map
        size, position = _varint(view, position, end)
        if size:
            if position >= end or size > end - position:
                raise ValueError("map longer than its bytes")
            types = view[position]
            position += 1
            for _ in range(size):
                for element in (types >> 4, types & 0x0F):
                    if element in (1, 2):
                        position += 1
                    else:
                        _, position = _value(view, position, end, element, depth + 1)
        return size, position
    if kind == 12:
        return _struct(view, position, end, depth + 1)
    raise ValueError(f"unknown Thrift type {kind}")
