"""The worker's tables handed to the server without a copy: Arrow IPC in a sealed memory file (Linux ``memfd``).

The child (:mod:`retention_core.ingest.sandbox`) writes its tables into an anonymous memory file it created at its
start and sent to the server (:func:`send_descriptor`, over a Unix socket), then seals it: from then on no process
can write, grow or shrink it (``F_SEAL_WRITE``, ``F_SEAL_GROW``, ``F_SEAL_SHRINK``; the seals themselves are
sealed). The server maps the file only once it carries those seals (:func:`read_tables`), so what it validated is
what it keeps, whatever the child does next; its mapping is private, so the columns can be changed without
touching the file. Through a pipe the same tables were written by the child and read by the server, in pieces,
each side waiting for the other.

The file lives in memory only, has no name in any file system, and is freed when the last column on it is. The
child's ``RLIMIT_FSIZE`` bounds it to the child's memory cap, and the server maps no more than that.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import socket
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa

#: The seals a memory file must carry before the server maps it.
REQUIRED_SEALS = fcntl.F_SEAL_WRITE | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_SEAL
#: Threads that check the columns of the child's tables (:func:`read_tables`).
VALIDATING_THREADS = 2


def new_file() -> int:
    """A new anonymous memory file that can be sealed (its descriptor)."""
    return os.memfd_create("retention_upload_answer", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)


def send_descriptor(connection, descriptor: int) -> None:
    """Send ``descriptor`` over ``connection`` (one end of a ``Pipe(duplex=True)``: a Unix socket)."""
    with socket.socket(fileno=os.dup(connection.fileno())) as channel:
        socket.send_fds(channel, [b"F"], [descriptor])


def receive_descriptor(connection) -> int:
    """The descriptor the other end sent with :func:`send_descriptor`; ``EOFError`` when none came."""
    with socket.socket(fileno=os.dup(connection.fileno())) as channel:
        message, descriptors, _flags, _address = socket.recv_fds(channel, 1, 1)
    if message != b"F" or len(descriptors) != 1:
        for descriptor in descriptors:
            os.close(descriptor)
        raise EOFError("the child sent no memory file")
    return descriptors[0]


def write_tables(descriptor: int, tables: Sequence[pa.Table]) -> list[int]:
    """Write ``tables`` into the memory file as Arrow IPC streams one after another, seal it, and return the size
    of each stream in bytes."""
    sizes = []
    with open(descriptor, "wb", closefd=False) as file:
        sink = pa.PythonFile(file, mode="w")
        for table in tables:
            start = file.tell()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            file.flush()
            sizes.append(file.tell() - start)
    fcntl.fcntl(descriptor, fcntl.F_ADD_SEALS, REQUIRED_SEALS)
    return sizes


def read_tables(descriptor: int, sizes: object, limit: int) -> list[pa.Table]:
    """The tables of a sealed memory file written by :func:`write_tables`, on a private mapping of it (no copy).

    ``sizes`` (from the child) must be whole numbers that add up to the file's size, at most ``limit`` bytes;
    ``ValueError`` otherwise, or when the file lacks a seal of :data:`REQUIRED_SEALS`."""
    if not isinstance(sizes, list) or not all(isinstance(size, int) and size >= 0 for size in sizes):
        raise ValueError("the sizes of the child's tables are malformed")
    total = sum(sizes)
    if total > limit or os.fstat(descriptor).st_size != total:
        raise ValueError(f"the child's tables ({total} bytes) do not fit its memory file or the limit of {limit}")
    if fcntl.fcntl(descriptor, fcntl.F_GET_SEALS) & REQUIRED_SEALS != REQUIRED_SEALS:
        raise ValueError("the child's memory file is not sealed")
    if not total:
        if sizes:
            raise ValueError("an empty table stream")
        return []
    memory = pa.py_buffer(mmap.mmap(descriptor, total, flags=mmap.MAP_PRIVATE,
                                    prot=mmap.PROT_READ | mmap.PROT_WRITE))
    tables, offset = [], 0
    for size in sizes:
        tables.append(_table(memory.slice(offset, size)))
        offset += size
    _validate(tables)
    return tables


def _table(buffer: pa.Buffer) -> pa.Table:
    with pa.ipc.open_stream(buffer) as reader:
        return reader.read_all()


def _validate(tables: list[pa.Table]) -> None:
    """``Table.validate(full=True)`` of every table, ``ArrowInvalid`` for the first that fails: the structure of
    each table (its columns as long as its rows), then every value of every column (offsets within their data, text
    that is UTF-8, codes within their dictionary), the columns on two threads (Arrow checks them without the GIL).
    Nothing of a table is used before all of it has passed: the child is not trusted."""
    for table in tables:
        table.validate()
    columns = [column for table in tables for column in table.columns]
    with ThreadPoolExecutor(max_workers=VALIDATING_THREADS, thread_name_prefix="retention_validate") as pool:
        for _ in pool.map(lambda column: column.validate(full=True), columns):
            pass
