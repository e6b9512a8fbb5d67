"""Length-prefixed frames between the server and an upload child: data, never code.

A frame is its length (8 bytes, network order) and its body. The request goes on a pipe as frames: a JSON header,
then each payload, as its bytes or a table as one Arrow IPC stream (:func:`write_payload`, :func:`read_frame`). The
answer's JSON goes on the Unix socket as a frame after its one-byte tag (:func:`send_frame`, :func:`receive_frame`).
Every length is checked against its limit before anything is allocated for it.
"""

from __future__ import annotations

import io
import os
import socket
import struct

import pyarrow as pa

#: Largest JSON header a child may send (bytes); tables are bounded by the child's memory cap.
MAX_HEADER_BYTES = 16 * 1024 * 1024
#: Pipe buffer asked for per pipe (Linux ``F_SETPIPE_SZ``); larger buffers halve the switches for a large table.
PIPE_BYTES = 1024 * 1024

_FRAME = struct.Struct("!Q")
_F_SETPIPE_SZ = 1031


def table(payload: bytes | bytearray | pa.Buffer) -> pa.Table:
    """A table handed over as Arrow IPC (in a job: one of its ``payloads``). Its buffers are those of ``payload``
    (no copy): ``to_pandas(split_blocks=True, self_destruct=True)`` then gives columns without a copy either, and,
    as tables arrive in writable memory, columns that can be changed."""
    with pa.ipc.open_stream(pa.py_buffer(payload)) as reader:
        return reader.read_all()


def write_payload(stream: io.BufferedWriter, payload: bytes | memoryview | pa.Table) -> None:
    """One payload of the request as one frame: bytes as they are, a table as Arrow IPC."""
    if isinstance(payload, pa.Table):
        _write_table(stream, payload)
    else:
        write_frame(stream, payload)


def write_frame(stream: io.BufferedWriter, body: bytes | memoryview) -> None:
    """``body`` as one frame on the pipe ``stream``."""
    stream.write(_FRAME.pack(memoryview(body).nbytes))
    stream.write(body)
    stream.flush()


def _write_table(stream: io.BufferedWriter, data: pa.Table) -> None:
    """``data`` as one frame of Arrow IPC, streamed into the pipe without a copy in between."""
    counter = pa.MockOutputStream()
    _write_ipc(counter, data)
    stream.write(_FRAME.pack(counter.size()))
    _write_ipc(pa.PythonFile(stream, mode="w"), data)
    stream.flush()


def _write_ipc(sink, data: pa.Table) -> None:
    with pa.ipc.new_stream(sink, data.schema) as writer:
        writer.write_table(data)


def read_frame(stream: io.BufferedReader, limit: int, writable: bool = False) -> bytes | bytearray:
    """One frame's body; its length is checked against ``limit`` before anything is allocated. ``writable``: in a
    bytearray (for tables, whose columns then live in it), else as bytes."""
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        raise EOFError("the other side closed the pipe")
    (size,) = _FRAME.unpack(head)
    if size > limit:
        raise ValueError(f"a frame of {size} bytes exceeds its limit of {limit}")
    if writable:
        body = bytearray(size)
        received = stream.readinto(body)
    else:
        body = stream.read(size)
        received = len(body)
    if received < size:
        raise EOFError("the other side closed the pipe in the middle of a frame")
    return body


def send_frame(connection, body: bytes, tag: bytes = b"") -> None:
    """``tag`` (when given) and one frame on the socket ``connection``, in whole."""
    with socket.socket(fileno=os.dup(connection.fileno())) as channel:
        channel.sendall(tag + _FRAME.pack(len(body)))
        channel.sendall(body)


def receive_frame(connection, limit: int) -> bytearray:
    """One frame's body from the socket ``connection``, read to its last byte and no further (the next message may
    carry a memory file); its length is checked against ``limit`` before anything is allocated."""
    with socket.socket(fileno=os.dup(connection.fileno())) as channel:
        (size,) = _FRAME.unpack(_receive_exactly(channel, _FRAME.size))
        if size > limit:
            raise ValueError(f"a frame of {size} bytes exceeds its limit of {limit}")
        return _receive_exactly(channel, size)


def _receive_exactly(channel: socket.socket, size: int) -> bytearray:
    body = bytearray(size)
    view, received = memoryview(body), 0
    while received < size:
        got = channel.recv_into(view[received:], size - received)
        if not got:
            raise EOFError("the other side closed the connection in the middle of a frame")
        received += got
    return body


def enlarge_pipe(descriptor: int) -> None:
    """Ask for a pipe buffer of :data:`PIPE_BYTES` (where the kernel refuses, the pipe stays as it is)."""
    try:
        import fcntl

        fcntl.fcntl(descriptor, _F_SETPIPE_SZ, PIPE_BYTES)
    except (OSError, ImportError):
        pass
