"""Run one job on untrusted bytes in a child process whose crash, memory hunger or slowness cannot reach the server.

A crafted upload can make a parser abort the whole process (a Rust allocator asked for 512 GB), take gigabytes in
seconds or run for minutes; DuckDB's own guidance is that data files are trusted input. So the server hands the
bytes to a fresh child process and waits for its answer. A child that crashes, runs out of its memory or overruns
its deadline is ended and reported as :class:`WorkerFailed` with its ``reason`` (``"memory"``, ``"time"`` or
``"crash"``); the server and every other session carry on.

* **One child per job.** Children are forked by multiprocessing's fork server, which imports the libraries once
  (:mod:`retention_core.ingest.fork_server`) and holds no user data, so a fork is cheap. No child serves a second
  job, so one upload's data never meets another's; a child that dies takes nothing with it, and the next job gets a
  new one (multiprocessing restarts the fork server if it died). The next job's child is started ahead, once the
  last job has its answer, and waits capped and empty for it (:func:`waiting_child`): a job does not wait for the
  fork.
* **Caps, set in the child before it reads anything** (:class:`Limits`): its address space (``RLIMIT_AS``: an
  allocation beyond it fails inside the child; the libraries take about 0.7 GB of it and their allocators reserve
  up to 1–2 GB more while reading), its CPU time (``RLIMIT_CPU``), no core file (an upload must not land on disk
  in a crash dump) and not dumpable (no other process of the user may read its memory). It is the first process
  the kernel ends when memory runs short (``oom_score_adj`` 1000), it is killed when the fork server goes, and it
  ends itself a little after the deadline should the server not be there to do it.
* **The wall-clock deadline is the parent's**: at ``Limits.seconds`` the parent kills the child (``SIGKILL``),
  also while it is still reading the answer, so no work goes on after the user has been told.
* **Messages are data, never code.** The request is length-prefixed frames on a pipe: a JSON header, then byte
  payloads or tables as Arrow IPC streams. The answer is a JSON header on a Unix socket, and the tables as Arrow
  IPC in a memory file the child sends over that socket first and seals before it answers: the parent maps it
  only sealed, without a copy (:mod:`retention_core.ingest.sealed_memory`). A job run with ``ahead=True`` may
  also send tables before its answer, each part in a sealed memory file of its own (:class:`Ahead`): the parent
  checks them while the job goes on. The parent never unpickles what the child sends: a child that a crafted file
  took over can send wrong tables (they are validated, all of them, before any is used) but cannot run code in
  the server, and the parent maps no more than the child's memory cap for all parts together.

A job is a module-level function ``job(request: dict, payloads: list[bytes]) -> (dict, list[pyarrow.Table])``,
run in the child (with ``ahead=True`` it gets an :class:`Ahead` as a third argument); :func:`run` returns its
:class:`Answer`. A job raises ``MemoryError`` for anything that ran out of memory (the sandbox also counts any
failure with the address space nearly used up as one).
"""

from __future__ import annotations

import ctypes
import errno
import importlib
import io
import json
import math
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import multiprocessing.process
import os
import resource
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from retention_core import config, scratch
from retention_core.ingest import sealed_memory

#: What the fork server imports once, so that a child starts with the libraries loaded (see :func:`warm_up`).
PRELOAD = ("retention_core.ingest.fork_server",)
#: Largest JSON header a child may send (bytes); tables are bounded by the child's memory cap.
MAX_HEADER_BYTES = 16 * 1024 * 1024
#: Most tables one answer may hold (all parts together), and most parts a job may send ahead of its answer.
MAX_TABLES, MAX_AHEAD_PARTS = 64, 4
#: Grace after the deadline before a child ends itself (``SIGALRM``), in case no parent is left to kill it.
SELF_DESTRUCT_GRACE_SECONDS = 10
#: A failure with at least this share of the address space in use counts as running out of memory.
MEMORY_SHARE_FOR_FAILURE = 0.9
#: Pipe buffer asked for per pipe (Linux ``F_SETPIPE_SZ``); larger buffers halve the switches for a large table.
PIPE_BYTES = 1024 * 1024

_FRAME = struct.Struct("!Q")
_MEMORY_EXIT = 75  # a child that ran out of memory after it began to answer
_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE = 1, 4
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
#: glibc's largest ``M_MMAP_THRESHOLD`` on 64-bit systems (32 MiB): blocks below it come from the heap (see _confine).
_MMAP_THRESHOLD_MAX = 32 * 1024 * 1024
_F_SETPIPE_SZ = 1031
_CONTEXT = multiprocessing.get_context("forkserver")
_START_LOCK = threading.Lock()


@dataclass(frozen=True)
class Limits:
    """What one child may use: ``memory_bytes`` of address space, ``seconds`` of wall-clock time (the parent kills
    it then) and ``cpu_seconds`` of processor time (the kernel stops it then)."""

    memory_bytes: int
    seconds: float
    cpu_seconds: int

    @classmethod
    def from_environment(cls) -> Limits:
        """``RETENTION_UPLOAD_MEMORY_LIMIT`` and ``RETENTION_UPLOAD_SECONDS`` (:mod:`retention_core.config`); the CPU
        time allows every core of the machine (at most four) busy until the deadline, plus five seconds."""
        seconds = config.upload_seconds()
        return cls(config.upload_memory_bytes(), seconds, math.ceil(seconds * min(os.cpu_count() or 1, 4)) + 5)


class WorkerFailed(RuntimeError):
    """The child gave no answer: ``reason`` is ``"memory"`` (it ran out of its memory), ``"time"`` (deadline or CPU
    time) or ``"crash"`` (anything else); ``detail`` says what is known, for the server's log."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"worker failed ({reason}): {detail}")


@dataclass(frozen=True)
class Answer:
    """A job's answer: its JSON header and its tables (validated): those sent ahead first, in the order sent, then
    those of the answer."""

    header: dict
    tables: tuple[pa.Table, ...]


def warm_up() -> None:
    """Start the fork server now (it imports the libraries in the background), and a child that waits for the first
    upload (:func:`waiting_child`), so the first upload does not wait for either.

    The fork server is a fresh interpreter that imports :data:`PRELOAD` (:mod:`retention_core.ingest.fork_server`). It
    finds this package through ``PYTHONPATH``, which gets the package's folder when the working directory does not
    hold it. Multiprocessing starts it again if it died.
    """
    _start_fork_server()
    _start_waiting_in_background(Limits.from_environment())


def _start_fork_server() -> None:
    with _START_LOCK:
        root = str(Path(__file__).resolve().parents[1])
        if not (Path.cwd() / "retention_core" / "sandbox.py").exists():
            paths = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]
            if root not in paths:
                os.environ["PYTHONPATH"] = os.pathsep.join([root, *paths])
        _CONTEXT.set_forkserver_preload(list(PRELOAD))
        multiprocessing.forkserver.ensure_running()


def run(job: Callable[..., tuple[dict, list[pa.Table]]], request: dict,
        payloads: Sequence[bytes | memoryview | pa.Table] = (), limits: Limits | None = None, *,
        ahead: bool = False) -> Answer:
    """Run ``job(request, payloads)`` in a new capped child process and return its answer.

    ``request`` must be JSON; ``payloads`` are bytes (handed over as they are) or Arrow tables (handed over as
    Arrow IPC; the job reads them with :func:`table`). Raises :class:`WorkerFailed` when the child runs out of
    memory, crashes, or has not answered within ``limits.seconds`` (default :meth:`Limits.from_environment`).
    ``ahead``: the job is called as ``job(request, payloads, ahead)`` and may send tables before its answer with
    ``ahead.send(tables)`` (:class:`Ahead`); they come first in the answer's tables.

    The child is the one started ahead for these limits, when one is waiting (see :func:`waiting_child`), else a
    new one; after the answer the next one is started in the background.
    """
    limits = limits or Limits.from_environment()
    _start_fork_server()
    child = _take_waiting(limits) or _Child.start(limits)
    process, from_child, to_child = child.process, child.from_child, child.to_child
    late = threading.Event()

    def kill_at_deadline() -> None:
        late.set()
        process.kill()

    watchdog = threading.Timer(limits.seconds, kill_at_deadline)
    watchdog.daemon = True
    watchdog.start()
    answer = None
    try:
        try:
            with open(to_child.fileno(), "wb", closefd=False) as stream:
                kinds = ["table" if isinstance(payload, pa.Table) else "bytes" for payload in payloads]
                envelope = {"job": [job.__module__, job.__qualname__], "request": request, "payloads": kinds,
                            "ahead": ahead}
                _write_frame(stream, json.dumps(envelope).encode())
                for payload in payloads:
                    _write_payload(stream, payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the child is gone; what it said, or how it ended, tells why
        finally:
            to_child.close()
        try:
            answer = _read_answer(from_child, limits)
        except (EOFError, OSError, ValueError, pa.ArrowException):
            answer = None
    finally:
        watchdog.cancel()
        from_child.close()
        if not isinstance(answer, Answer):  # an answered child is ending itself; multiprocessing reaps it later
            process.join(5.0)
            if process.exitcode is None:
                process.kill()
                process.join()
        _start_waiting_in_background(limits)
    if isinstance(answer, Answer):
        return answer
    if isinstance(answer, WorkerFailed):
        raise answer
    if late.is_set():
        raise WorkerFailed("time", f"no answer within {limits.seconds:g} s; the child was killed")
    raise _failure_from_exit(process.exitcode)


def waiting_child() -> int | None:
    """The process id of the child started ahead for the next job, if one waits (once any start under way ended).

    Starting a child (the fork server forks it, it caps itself) takes a few milliseconds on a quiet machine and
    far longer on a busy one; so after each job the next child is started in the background, capped as the last
    job's was, and waits, holding nothing but its caps and an empty memory file, until a job with the same limits
    takes it. It serves that one job only, as any child. It ends with the fork server, or the server."""
    with _WAITING_LOCK:
        child = _WAITING.get("child")
        return None if child is None else child.process.pid


def table(payload: bytes | bytearray | pa.Buffer) -> pa.Table:
    """A table handed over as Arrow IPC (in a job: one of its ``payloads``). Its buffers are those of ``payload``
    (no copy): ``to_pandas(split_blocks=True, self_destruct=True)`` then gives columns without a copy either, and,
    as tables arrive in writable memory, columns that can be changed."""
    with pa.ipc.open_stream(pa.py_buffer(payload)) as reader:
        return reader.read_all()


# --- the parent's side ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Child:
    """A started child and the parent's ends of its pipes."""

    process: multiprocessing.process.BaseProcess
    from_child: multiprocessing.connection.Connection
    to_child: multiprocessing.connection.Connection
    limits: Limits

    @classmethod
    def start(cls, limits: Limits) -> _Child:
        from_child, child_out = _CONTEXT.Pipe(duplex=True)  # a Unix socket: it also carries the answer's memory file
        child_in, to_child = _CONTEXT.Pipe(duplex=False)
        process = _CONTEXT.Process(target=_child_main, args=(child_in, child_out, limits), daemon=True,
                                   name="retention_upload_worker")
        process.start()
        child_in.close()
        child_out.close()
        return cls(process, from_child, to_child, limits)

    def discard(self) -> None:
        self.process.kill()
        self.process.join()
        self.from_child.close()
        self.to_child.close()


#: The child started ahead (key "child"), guarded by the lock; it holds no user data (see :func:`waiting_child`).
_WAITING: dict[str, _Child] = {}
_WAITING_LOCK = threading.Lock()


def _take_waiting(limits: Limits) -> _Child | None:
    with _WAITING_LOCK:
        child = _WAITING.pop("child", None)
    if child is not None and (child.limits != limits or not child.process.is_alive()):
        child.discard()
        child = None
    return child


def _start_waiting_in_background(limits: Limits) -> None:
    if "child" in _WAITING:  # read without the lock: at worst a thread that finds one waiting
        return

    def start() -> None:
        with _WAITING_LOCK:
            if "child" in _WAITING:
                return
            try:
                _WAITING["child"] = _Child.start(limits)
            except Exception:  # noqa: BLE001 - the next job then starts its own child, and says why if it cannot
                pass

    threading.Thread(target=start, name="retention_start_upload_worker", daemon=True).start()


def _write_payload(stream: io.BufferedWriter, payload: bytes | memoryview | pa.Table) -> None:
    if isinstance(payload, pa.Table):
        _write_table(stream, payload)
    else:
        _write_frame(stream, payload)


def _read_answer(connection, limits: Limits) -> Answer | WorkerFailed:
    """The child's messages: the memory file of its answer (``F``); any tables it sends ahead (``A``: a sealed
    memory file of their own and their sizes), each part checked on a thread of its own as soon as it comes, while
    the child works on; its header (``H``) and the answer's tables from the first file. Every length is checked
    before anything is mapped for it, all parts together within the child's memory cap; nothing is returned before
    every table has passed its check."""
    answer_file = sealed_memory.receive_descriptor(connection)
    ahead: list[_Checking] = []
    try:
        room, count = limits.memory_bytes, 0
        while True:
            tag, descriptor = sealed_memory.receive_tagged(connection)
            if tag == b"H" and descriptor is None:
                break
            try:
                if tag != b"A" or descriptor is None or len(ahead) == MAX_AHEAD_PARTS:
                    raise ValueError(f"an unexpected message from the child ({tag!r})")
                sizes = json.loads(_receive_frame(connection, MAX_HEADER_BYTES))
                if not isinstance(sizes, list) or count + len(sizes) > MAX_TABLES:
                    raise ValueError("the sizes of the child's tables sent ahead are malformed")
                tables = sealed_memory.map_tables(descriptor, sizes, room)
            finally:
                if descriptor is not None:
                    os.close(descriptor)
            room, count = room - sum(sizes), count + len(sizes)
            ahead.append(_Checking(tables))
        header = json.loads(_receive_frame(connection, MAX_HEADER_BYTES))
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
        before = [table for checking in ahead for table in checking.result()]
    finally:
        os.close(answer_file)
        for checking in ahead:
            checking.thread.join()
    return Answer(header["answer"], tuple(before + tables))


class _Checking:
    """Tables sent ahead by the child, checked in full (``sealed_memory.validate``) on a thread of their own."""

    def __init__(self, tables: list[pa.Table]) -> None:
        self.tables = tables
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._check, name="retention_check_ahead", daemon=True)
        self.thread.start()

    def _check(self) -> None:
        try:
            sealed_memory.validate(self.tables)
        except BaseException as error:  # noqa: BLE001 - raised again by result(), in the thread that waits
            self.error = error

    def result(self) -> list[pa.Table]:
        """The tables, once their check has passed; what the check raised otherwise."""
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.tables


def _failure_from_exit(exitcode: int | None) -> WorkerFailed:
    """How a child that sent no answer ended: killed by the kernel (out of memory), aborted (an allocation that
    failed in native code), out of CPU time, or another crash."""
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.Signals._value2member_map_ else str(-exitcode)
        if -exitcode == signal.SIGXCPU:
            return WorkerFailed("time", f"CPU time limit ({name})")
        if -exitcode in (signal.SIGKILL, signal.SIGABRT):
            return WorkerFailed("memory", f"ended by {name} (out of memory, or a failed allocation in native code)")
        return WorkerFailed("crash", f"ended by {name}")
    if exitcode == _MEMORY_EXIT:
        return WorkerFailed("memory", "ran out of memory while sending its answer")
    return WorkerFailed("crash", f"ended with exit code {exitcode} without an answer")


# --- frames ----------------------------------------------------------------------------------------------------


def _write_frame(stream: io.BufferedWriter, body: bytes | memoryview) -> None:
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


def _send_frame(connection, body: bytes, tag: bytes = b"") -> None:
    """``tag`` (when given) and one frame on the socket ``connection``, in whole."""
    with socket.socket(fileno=os.dup(connection.fileno())) as channel:
        channel.sendall(tag + _FRAME.pack(len(body)))
        channel.sendall(body)


def _receive_frame(connection, limit: int) -> bytearray:
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


def _read_frame(stream: io.BufferedReader, limit: int, writable: bool = False) -> bytes | bytearray:
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


# --- the child's side -----------------------------------------------------------------------------------------


def _child_main(inbox, outbox, limits: Limits) -> None:
    """The child: cap itself, wait for the job and its request, run it, send the answer or why there is none."""
    _confine(limits)
    _enlarge_pipe(inbox.fileno())
    answer_file = sealed_memory.new_file()  # the tables go here; the parent has it before any byte is read
    sealed_memory.send_descriptor(outbox, answer_file)
    answering = False
    ahead = None
    try:
        with open(inbox.fileno(), "rb", closefd=False) as source:
            envelope = json.loads(_read_frame(source, MAX_HEADER_BYTES))
            # the deadline runs from here (a child may have waited for its job): the parent's, then its own
            signal.alarm(math.ceil(limits.seconds) + SELF_DESTRUCT_GRACE_SECONDS)
            payloads = [_read_frame(source, limits.memory_bytes, writable=kind == "table")
                        for kind in envelope["payloads"]]
        inbox.close()
        job = _job(*envelope["job"])
        if envelope.get("ahead"):
            ahead = Ahead(outbox)
            header, tables = job(envelope["request"], payloads, ahead)
            ahead.wait()  # what it sends goes before the answer
        else:
            header, tables = job(envelope["request"], payloads)
        del payloads
        sizes = sealed_memory.write_tables(answer_file, tables)
        answer = json.dumps({"answer": header, "sizes": sizes}, default=_jsonable).encode()
        answering = True
        _send_frame(outbox, answer, b"H")
    except BaseException as error:  # noqa: BLE001 - anything at all becomes a reason for the parent
        if ahead is not None:
            try:
                ahead.wait()  # a part under way is sent whole before the reason
            except BaseException:  # noqa: BLE001 - the first failure is the one reported
                pass
        reason = "memory" if _out_of_memory(error, limits) else "crash"
        if reason == "crash":
            import traceback

            traceback.print_exc(file=sys.stderr)  # the server's log; never shown to the user
        if answering:  # half an answer is on its way: only the exit code can still tell
            os._exit(_MEMORY_EXIT if reason == "memory" else 1)
        detail = f"{type(error).__name__}: {error}"[:500]
        try:
            _send_frame(outbox, json.dumps({"failed": reason, "detail": detail}).encode(), b"H")
        except OSError:
            pass
    os._exit(0)  # no clean-up of half-done native work: the process ends here


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
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def send(self, tables: Sequence[pa.Table]) -> None:
        """Send ``tables`` (in the background: this returns at once)."""
        self.wait()
        self._thread = threading.Thread(target=self._send, args=(list(tables),), name="retention_send_ahead",
                                        daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Until the part under way is sent; raises what sending it raised (``OSError`` ``EFBIG`` past the cap)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _send(self, tables: list[pa.Table]) -> None:
        try:
            descriptor = sealed_memory.new_file()
            try:
                sizes = sealed_memory.write_tables(descriptor, tables)
                soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
                if soft != resource.RLIM_INFINITY:
                    resource.setrlimit(resource.RLIMIT_FSIZE, (max(soft - sum(sizes), 0), hard))
                sealed_memory.send_descriptor(self._connection, descriptor, b"A")
            finally:
                os.close(descriptor)
            _send_frame(self._connection, json.dumps(sizes).encode())
        except BaseException as error:  # noqa: BLE001 - raised again by wait(), in the job's thread
            self._error = error


def _confine(limits: Limits) -> None:
    """Caps and protections of the child, set before it reads a byte of the request (see the module docstring)."""
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getppid()
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the fork server went before the line above took effect
        os._exit(1)
    libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    try:  # under memory pressure the kernel ends this process first, never the server
        with open("/proc/self/oom_score_adj", "w", encoding="ascii") as score:
            score.write("1000")
    except OSError:
        pass
    libc.mallopt(_M_ARENA_MAX, 2)  # glibc reserves 64 MiB of address space per arena, up to 8 per core otherwise
    # A child lives for one job: blocks of up to 32 MiB (the columns of a million rows) come from the heap and go back
    # to it, so a column freed by one step is reused by the next instead of being returned to the kernel and faulted
    # in page by page again (glibc maps and unmaps such blocks one by one otherwise). The address-space cap applies to
    # the heap as to any mapping.
    libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)
    libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)  # the largest value (an int): the heap is not trimmed
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    # memory files (the answer's, the CSV reader's) are not address space: capped alike; beyond, a write fails
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.memory_bytes, limits.memory_bytes))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    scratch.forbid_disk()
    # DuckDB's own limit below the address space, so that it refuses a query itself instead of failing to allocate
    configured = config.memory_limit_bytes(config.duckdb_memory_limit())
    os.environ["RETENTION_DUCKDB_MEMORY_LIMIT"] = f"{min(configured, limits.memory_bytes // 2) // 1024**2}MiB"


def _job(module: str, name: str) -> Callable:
    """The job the parent named (its module and qualified name; the parent is trusted, the child is not)."""
    job = importlib.import_module(module)
    for part in name.split("."):
        job = getattr(job, part)
    return job


def _enlarge_pipe(descriptor: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(descriptor, _F_SETPIPE_SZ, PIPE_BYTES)
    except (OSError, ImportError):
        pass


def _out_of_memory(error: BaseException, limits: Limits) -> bool:
    """Whether ``error`` came from running out of memory: a ``MemoryError``, a memory file past its cap
    (``EFBIG``), or any failure with the address space nearly used up (native code reports failed allocations in
    its own ways)."""
    if isinstance(error, MemoryError) or (isinstance(error, OSError) and error.errno == errno.EFBIG):
        return True
    return _peak_address_space() >= MEMORY_SHARE_FOR_FAILURE * limits.memory_bytes


def _peak_address_space() -> int:
    """The most address space this process has had mapped (``VmPeak``), in bytes; 0 where unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _jsonable(value: object) -> object:
    """NumPy scalars as Python numbers; anything else JSON cannot take as its text."""
    item = getattr(value, "item", None)
    return item() if callable(item) else str(value)

