"""The worker's tables handed to the server without a copy: Arrow IPC in a sealed memory file (Linux ``memfd``).

The child (:mod:`retention_core.ingest.sandbox.child`) writes its tables into an anonymous memory file it created at
its start and sent to the server (:func:`send_descriptor`, over a Unix socket), then seals it: from then on no process
can write, grow or shrink it (``F_SEAL_WRITE``, ``F_SEAL_GROW``, ``F_SEAL_SHRINK``; the seals themselves are
sealed). The server maps the file only once it carries those seals (:func:`read_tables`), so what it validated is
what it keeps, whatever the child does next; its mapping is private, so the columns can be changed without
touching the file. Through a pipe the same tables were written by the child and read by the server, in pieces,
each side waiting for the other.

Tables a job sends before its answer (``sandbox.Ahead``) go the same way, each part in a memory file of its own:
the server maps it once sealed (:func:`map_tables`) and checks it (:func:`validate`) while the child works on.

The file lives in memory only, has no name in any file system, and is freed when the last column on it is. The
child's ``RLIMIT_FSIZE`` bounds it to the child's memory cap (lowered by each part sent ahead), and the server maps
no more than that for all parts together.
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
#: Threads that check the columns of the child's tables (:func:`validate`).
VALIDATING_THREADS = 2


def new_file() -> int:
    """A new anonymous memory file that can be sealed (its descriptor)."""
    return os.memfd_create("retention_upload_answer", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)


def send_descriptor(connection, descriptor: int, tag: bytes = b"F") -> None:
    """Send ``descriptor`` over ``connection`` (one end of a ``Pipe(duplex=True)``: a Unix socket, or a socket),
    with the one-byte ``tag`` that says what it is."""
    with _channel(connection) as channel:
        socket.send_fds(channel, [tag], [descriptor])


def receive_descriptor(connection, tag: bytes = b"F") -> int:
    """The descriptor the other end sent with :func:`send_descriptor` and ``tag``; ``EOFError`` when none came."""
    received, descriptor = receive_tagged(connection)
    if received != tag or descriptor is None:
        if descriptor is not None:
            os.close(descriptor)
        raise EOFError("the child sent no memory file")
    return descriptor


def receive_tagged(connection) -> tuple[bytes, int | None]:
    """The next one-byte tag on ``connection`` and the descriptor sent with it (None without); ``EOFError`` at the
    end. More than one descriptor is refused (``EOFError``; all are closed)."""
    with _channel(connection) as channel:
        message, descriptors, _flags, _address = socket.recv_fds(channel, 1, 2)
    if len(message) != 1 or len(descriptors) > 1:
        for descriptor in descriptors:
            os.close(descriptor)
        raise EOFError("the child sent no tag, or more than one memory file")
    return message, descriptors[0] if descriptors else None


def _channel(connection) -> socket.socket:
    return socket.socket(fileno=os.dup(connection.fileno()))


def write_tables(descriptor: int, tables: Sequence[pa.Table]) -> list[int]:
    """Write ``tables`` into the memory file as Arrow IPC streams one after another, seal it, and return the size
    of each stream in bytes. Arrow writes without Python's lock (a native sink), so a thread may write while
    another computes."""
    sizes = []
    with pa.OSFile(f"/proc/self/fd/{descriptor}", "wb") as sink:
        for table in tables:
            start = sink.tell()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            sizes.append(sink.tell() - start)
    fcntl.fcntl(descriptor, fcntl.F_ADD_SEALS, REQUIRED_SEALS)
    return sizes


def read_tables(descriptor: int, sizes: object, limit: int) -> list[pa.Table]:
    """The tables of a sealed memory file written by :func:`write_tables`, on a private mapping of it (no copy),
    each checked in full (:func:`validate`). ``ValueError`` as :func:`map_tables`."""
    tables = map_tables(descriptor, sizes, limit)
    validate(tables)
    return tables


def map_tables(descriptor: int, sizes: object, limit: int) -> list[pa.Table]:
    """The tables of a sealed memory file written by :func:`write_tables`, on a private mapping of it (no copy),
    NOT yet checked value by value: nothing of them may be used before :func:`validate` has passed.

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
    return tables


def _table(buffer: pa.Buffer) -> pa.Table:
    with pa.ipc.open_stream(buffer) as reader:
        return reader.read_all()


def validate(tables: list[pa.Table]) -> None:
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
