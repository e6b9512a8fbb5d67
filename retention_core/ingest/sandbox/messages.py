"""The answer's messages on the Unix socket, each behind a one-byte tag: both sides of the exchange.

The child sends, in this order: ``F``, the memory file its answer's tables will be in (sent at its start, before it
reads a byte); ``A`` for each part a job run with ``ahead=True`` sends before its answer (:class:`Ahead`: a sealed
memory file of its own, then a frame with its tables' sizes); ``H``, the JSON header of its answer with the sizes of
the tables in the first file, or the reason it has none. The parent reads them (:func:`read_answer`), maps a file
only sealed (:mod:`retention_core.ingest.sealed_memory`), checks each part sent ahead on a thread of its own as soon
as it comes (while the child works on), and returns nothing before every table has passed its check. The parent
never unpickles what the child sends, and maps no more than the child's memory cap for all parts together.
"""

from __future__ import annotations

import json
import os
import resource
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pyarrow as pa

from retention_core.ingest import sealed_memory
from retention_core.ingest.sandbox.failures import WorkerFailed
from retention_core.ingest.sandbox.frames import MAX_HEADER_BYTES, receive_frame, send_frame
from retention_core.ingest.sandbox.limits import Limits

#: Most tables one answer may hold (all parts together), and most parts a job may send ahead of its answer.
MAX_TABLES, MAX_AHEAD_PARTS = 64, 4


@dataclass(frozen=True)
class Answer:
    """A job's answer: its JSON header and its tables (validated): those sent ahead first, in the order sent, then
    those of the answer."""

    header: dict
    tables: tuple[pa.Table, ...]


class Ahead:
    """What a job run with ``ahead=True`` gets as its third argument: :meth:`send` hands tables to the parent before
    the answer, so that the parent checks them while the job goes on.

    Each part is written into a memory file of its own on a thread (Arrow writes without Python's lock), sealed
    and sent with its sizes; the file cap (``RLIMIT_FSIZE``) is then lowered by its size, so that all parts and
    the answer together stay within the child's memory cap. One part is under way at a time; the child waits for
    it before it answers (:meth:`wait`). The tables must not change after they are handed over.
    """

    def __init__(self, connection) -> None:
        self._connection = connection
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retention_send_ahead")
        self._sending: Future | None = None

    def send(self, tables: Sequence[pa.Table]) -> None:
        """Send ``tables`` (in the background: this returns at once)."""
        self.wait()
        self._sending = self._sender.submit(self._send, list(tables))

    def wait(self) -> None:
        """Until the part under way is sent; raises what sending it raised (``OSError`` ``EFBIG`` past the cap)."""
        sending, self._sending = self._sending, None
        if sending is not None:
            sending.result()

    def _send(self, tables: list[pa.Table]) -> None:
        descriptor = sealed_memory.new_file()
        try:
            sizes = sealed_memory.write_tables(descriptor, tables)
            soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
            if soft != resource.RLIM_INFINITY:
                resource.setrlimit(resource.RLIMIT_FSIZE, (max(soft - sum(sizes), 0), hard))
            sealed_memory.send_descriptor(self._connection, descriptor, b"A")
        finally:
            os.close(descriptor)
        send_frame(self._connection, json.dumps(sizes).encode())


def read_answer(connection, limits: Limits) -> Answer | WorkerFailed:
    """The child's messages: the memory file of its answer (``F``); any tables it sends ahead (``A``: a sealed
    memory file of their own and their sizes), each part checked on a thread of its own as soon as it comes, while
    the child works on; its header (``H``) and the answer's tables from the first file. Every length is checked
    before anything is mapped for it, all parts together within the child's memory cap; nothing is returned before
    every table has passed its check."""
    answer_file = sealed_memory.receive_descriptor(connection)
    try:
        with ThreadPoolExecutor(max_workers=MAX_AHEAD_PARTS, thread_name_prefix="retention_check_ahead") as checks:
            ahead: list[Future] = []
            room, count = limits.memory_bytes, 0
            while True:
                tag, descriptor = sealed_memory.receive_tagged(connection)
                if tag == b"H" and descriptor is None:
                    break
                try:
                    if tag != b"A" or descriptor is None or len(ahead) == MAX_AHEAD_PARTS:
                        raise ValueError(f"an unexpected message from the child ({tag!r})")
                    sizes = json.loads(receive_frame(connection, MAX_HEADER_BYTES))
                    if not isinstance(sizes, list) or count + len(sizes) > MAX_TABLES:
                        raise ValueError("the sizes of the child's tables sent ahead are malformed")
                    tables = sealed_memory.map_tables(descriptor, sizes, room)
                finally:
                    if descriptor is not None:
                        os.close(descriptor)
                room, count = room - sum(sizes), count + len(sizes)
                ahead.append(checks.submit(_checked, tables))
            header = json.loads(receive_frame(connection, MAX_HEADER_BYTES))
            if not isinstance(header, dict):
                raise ValueError("the child's header is not an object")
            if "failed" in header:
                reason = header["failed"] if header["failed"] in ("memory", "time", "crash") else "crash"
                return WorkerFailed(reason, str(header.get("detail", ""))[:500])
            sizes = header.get("sizes")
            if not isinstance(sizes, list) or count + len(sizes) > MAX_TABLES or not isinstance(header.get("answer"),
                                                                                               dict):
                raise ValueError("the child's header is malformed")
            tables = sealed_memory.read_tables(answer_file, sizes, room)
            before = [table for part in ahead for table in part.result()]
    finally:
        os.close(answer_file)
    return Answer(header["answer"], tuple(before + tables))


def _checked(tables: list[pa.Table]) -> list[pa.Table]:
    """``tables`` sent ahead by the child, once checked in full (``sealed_memory.validate``, on a thread of the
    parent's while the child works on); what the check raises otherwise."""
    sealed_memory.validate(tables)
    return tables
