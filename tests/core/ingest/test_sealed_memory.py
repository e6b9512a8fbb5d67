"""The worker's answer in a sealed memory file (retention_core.ingest.sealed_memory): the server takes the tables
only from a file no process can change any more, of the size the child declared, within the limit."""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pytest

from retention_core.ingest import sealed_memory

TABLES = [pa.table({"customer_id": ["K1", "K2", None], "amount": [1.5, 2.0, 3.25]}),
          pa.table({"n": pa.array([], pa.int64())})]


def test_tables_written_into_the_file_come_back_identical():
    descriptor = sealed_memory.new_file()
    try:
        sizes = sealed_memory.write_tables(descriptor, TABLES)
        tables = sealed_memory.read_tables(descriptor, sizes, limit=10**6)
    finally:
        os.close(descriptor)
    assert len(tables) == 2
    assert all(got.equals(want) for got, want in zip(tables, TABLES))


def test_a_written_file_is_sealed_against_any_further_change():
    descriptor = sealed_memory.new_file()
    try:
        sealed_memory.write_tables(descriptor, TABLES)
        with pytest.raises(PermissionError):
            os.write(descriptor, b"x")
        with pytest.raises(PermissionError):
            os.ftruncate(descriptor, 0)
    finally:
        os.close(descriptor)


def _unsealed(tables: list[pa.Table]) -> tuple[int, list[int]]:
    descriptor = sealed_memory.new_file()
    sizes = []
    for table in tables:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        sizes.append(os.write(descriptor, sink.getvalue().to_pybytes()))
    return descriptor, sizes


def test_a_file_the_child_did_not_seal_is_refused():
    descriptor, sizes = _unsealed(TABLES)
    try:
        with pytest.raises(ValueError, match="not sealed"):
            sealed_memory.read_tables(descriptor, sizes, limit=10**6)
    finally:
        os.close(descriptor)


@pytest.mark.parametrize(("change", "limit"), [(lambda sizes: [sizes[0] + 1, sizes[1]], 10**6),
                                               (lambda sizes: sizes[:1], 10**6),
                                               (lambda sizes: sizes, 100)])
def test_sizes_that_do_not_add_up_to_the_file_or_pass_the_limit_are_refused(change, limit):
    descriptor = sealed_memory.new_file()
    try:
        sizes = sealed_memory.write_tables(descriptor, TABLES)
        with pytest.raises(ValueError, match="do not fit"):
            sealed_memory.read_tables(descriptor, change(sizes), limit=limit)
    finally:
        os.close(descriptor)


@pytest.mark.parametrize("sizes", [None, [1.5], [-1, 2], "12"])
def test_sizes_that_are_not_whole_numbers_are_refused(sizes):
    descriptor = sealed_memory.new_file()
    try:
        with pytest.raises(ValueError, match="malformed"):
            sealed_memory.read_tables(descriptor, sizes, limit=10**6)
    finally:
        os.close(descriptor)


def corrupted_tables() -> dict[str, pa.Table]:
    """Tables a child taken over by a crafted file could send: text whose offsets point 1 MB past its data, and
    codes that point past their dictionary. Arrow's cheap check (sizes, first and last offset) lets both through."""
    offsets = pa.py_buffer(np.array([0, 1_000_000, 3, 6], dtype=np.int32).tobytes())
    text = pa.StringArray.from_buffers(3, offsets, pa.py_buffer(b"abbccc"))
    codes = pa.DictionaryArray.from_arrays(pa.array([0, 7, 1], pa.int32()), pa.array(["K1", "K2"]), safe=False)
    return {"offsets past the data": pa.table({"customer_id": text}),
            "codes past the dictionary": pa.table({"customer_id": codes})}


@pytest.mark.parametrize("name", list(corrupted_tables()))
def test_a_table_whose_values_point_outside_its_buffers_is_refused_not_read(name):
    # converting such a column would read the server's memory beyond the file (or crash it): the full validation
    # (every offset and every code) is what stops it, so it stays on for every table of the child
    table = corrupted_tables()[name]
    table.validate()  # the cheap check passes: it is not enough
    descriptor = sealed_memory.new_file()
    try:
        sizes = sealed_memory.write_tables(descriptor, [table])
        with pytest.raises(pa.ArrowInvalid, match="out of bounds"):
            sealed_memory.read_tables(descriptor, sizes, limit=10**6)
    finally:
        os.close(descriptor)
