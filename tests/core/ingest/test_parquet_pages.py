"""retention_core.ingest.parquet_pages: page headers read from hand-encoded Thrift compact bytes, and the longest value
of a dictionary page."""

from __future__ import annotations

import struct

import pyarrow as pa
import pytest

from retention_core.ingest import parquet_pages
from retention_core.ingest.parquet_pages import DATA_PAGE, DICTIONARY_PAGE, Page

# PageHeader{1: type=DATA_PAGE, 2: uncompressed=100, 3: compressed=5,
#            5: DataPageHeader{1: num_values=10, 2: encoding=RLE_DICTIONARY (8), 5: Statistics{1: max=b"abc"}}}
# Compact protocol: field header = (id delta << 4) | type (5 = i32, 8 = binary, 12 = struct); i32 as zigzag varint.
DATA_HEADER = bytes([
    0x15, 0x00,              # 1: type 0
    0x15, 0xC8, 0x01,        # 2: 100 -> zigzag 200 -> varint C8 01
    0x15, 0x0A,              # 3: 5 -> zigzag 10
    0x2C,                    # 5: struct (delta 2)
    0x15, 0x14,              #    1: 10 -> zigzag 20
    0x15, 0x10,              #    2: 8 -> zigzag 16
    0x3C,                    #    5: struct (delta 3): statistics
    0x18, 0x03, *b"abc",     #       1: binary of 3 bytes
    0x00,                    #    end of statistics
    0x00,                    # end of data page header
    0x00,                    # end of page header
])


def test_a_data_page_header_is_read_with_its_sizes_values_and_encoding():
    chunk = DATA_HEADER + b"\x01" * 5
    assert parquet_pages.chunk_pages(chunk, 0, len(chunk)) == [
        Page(kind=DATA_PAGE, uncompressed_bytes=100, compressed_bytes=5, values=10, encoding=8,
             body_offset=len(DATA_HEADER))]


def test_pages_follow_each_other_to_the_end_of_the_chunk():
    chunk = (DATA_HEADER + b"\x01" * 5) * 3
    pages = parquet_pages.chunk_pages(b"PAR1" + chunk, 4, len(chunk))
    assert [page.body_offset for page in pages] == [4 + len(DATA_HEADER) + n * (len(DATA_HEADER) + 5)
                                                    for n in range(3)]


@pytest.mark.parametrize(("chunk", "message"), [
    (DATA_HEADER[:9], "truncated"),
    (DATA_HEADER + b"\x01" * 4, "runs past the column chunk"),
    (bytes([0x1D, 0x00]), "unknown Thrift type 13"),
    (bytes([0x15, 0x00, 0x00]), "without type or sizes"),
])
def test_a_header_that_does_not_parse_or_fit_raises(chunk, message):
    with pytest.raises(ValueError, match=message):
        parquet_pages.chunk_pages(chunk, 0, len(chunk))


def test_a_chunk_outside_the_file_raises():
    with pytest.raises(ValueError, match="outside the file"):
        parquet_pages.chunk_pages(b"1234", 2, 10)


def plain_values(*values: bytes) -> bytes:
    return b"".join(struct.pack("<I", len(value)) + value for value in values)


@pytest.mark.parametrize("codec", ["UNCOMPRESSED", "ZSTD", "SNAPPY", "GZIP"])
def test_the_longest_value_of_a_dictionary_page_is_found_whatever_its_compression(codec):
    body = plain_values(b"a", b"bbbb", b"cc")
    stored = body if codec == "UNCOMPRESSED" else pa.compress(body, codec=codec.lower(), asbytes=True)
    page = Page(DICTIONARY_PAGE, len(body), len(stored), 3, 0, 4)
    assert parquet_pages.longest_dictionary_value(b"PAR1" + stored, page, codec) == 4


def test_equally_long_values_and_a_single_value_are_read_at_once():
    body = plain_values(b"K0001", b"K0002", b"K0003")
    assert parquet_pages.longest_dictionary_value(body, Page(DICTIONARY_PAGE, len(body), len(body), 3, 0, 0),
                                                  "UNCOMPRESSED") == 5
    one = plain_values(b"x" * 2048)
    assert parquet_pages.longest_dictionary_value(one, Page(DICTIONARY_PAGE, len(one), len(one), 1, 0, 0),
                                                  "UNCOMPRESSED") == 2048


def test_a_dictionary_page_shorter_than_its_values_raises():
    body = plain_values(b"a", b"bb")
    with pytest.raises(ValueError, match="shorter than its values"):
        parquet_pages.longest_dictionary_value(body, Page(DICTIONARY_PAGE, len(body), len(body), 5, 0, 0),
                                               "UNCOMPRESSED")
