"""The server's side: a job run in a capped child, its request sent, its deadline kept (:func:`run`).

* **One child per job.** Children are forked by multiprocessing's fork server, which imports the libraries once
  (:mod:`retention_core.ingest.fork_server`) and holds no user data, so a fork is cheap. No child serves a second
  job, so one upload's data never meets another's; a child that dies takes nothing with it, and the next job gets a
  new one (multiprocessing restarts the fork server if it died). The next job's child is started ahead, once the
  last job has its answer, and waits capped and empty for it (:func:`waiting_child`): a job does not wait for the
  fork.
* **The wall-clock deadline is the parent's**: at ``Limits.seconds`` the parent kills the child (``SIGKILL``),
  also while it is still reading the answer, so no work goes on after the user has been told. A child that sent
  no answer is reaped (killed if it does not end) before :func:`run` reports why.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import multiprocessing.process
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from retention_core.ingest.sandbox import child as child_side
from retention_core.ingest.sandbox.failures import WorkerFailed, failure_from_exit
from retention_core.ingest.sandbox.frames import write_frame, write_payload
from retention_core.ingest.sandbox.limits import Limits
from retention_core.ingest.sandbox.messages import Answer, read_answer

#: What the fork server imports once, so that a child starts with the libraries loaded (see :func:`warm_up`).
PRELOAD = ("retention_core.ingest.fork_server",)
_CONTEXT = multiprocessing.get_context("forkserver")
_START_LOCK = threading.Lock()


def warm_up() -> None:
    """Start the fork server now (it imports the libraries in the background), and a child that waits for the first
    upload (:func:`waiting_child`), so the first upload does not wait for either.

    The fork server is a fresh interpreter that imports :data:`PRELOAD` (:mod:`retention_core.ingest.fork_server`). It
    finds this package through ``PYTHONPATH``, which gets the checkout's folder when the working directory does not
    hold ``retention_core``. Multiprocessing starts it again if it died.
    """
    _start_fork_server()
    _start_waiting_in_background(Limits.from_environment())


def _start_fork_server() -> None:
    with _START_LOCK:
        root = str(Path(__file__).resolve().parents[3])  # the checkout, which holds retention_core/
        if not (Path.cwd() / "retention_core" / "__init__.py").exists():
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
    Arrow IPC; the job reads them with :func:`~retention_core.ingest.sandbox.frames.table`). Raises :class:`WorkerFailed` when the child runs out of
    memory, crashes, or has not answered within ``limits.seconds`` (default :meth:`Limits.from_environment`).
    ``ahead``: the job is called as ``job(request, payloads, ahead)`` and may send tables before its answer with
    ``ahead.send(tables)`` (:class:`~retention_core.ingest.sandbox.messages.Ahead`); they come first in the answer's tables.

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
                write_frame(stream, json.dumps(envelope).encode())
                for payload in payloads:
                    write_payload(stream, payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the child is gone; what it said, or how it ended, tells why
        finally:
            to_child.close()
        try:
            answer = read_answer(from_child, limits)
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
    raise failure_from_exit(process.exitcode)


def waiting_child() -> int | None:
    """The process id of the child started ahead for the next job, if one waits (once any start under way ended).

    Starting a child (the fork server forks it, it caps itself) takes a few milliseconds on a quiet machine and
    far longer on a busy one; so after each job the next child is started in the background, capped as the last
    job's was, and waits, holding nothing but its caps and an empty memory file, until a job with the same limits
    takes it. It serves that one job only, as any child. It ends with the fork server, or the server."""
    with _WAITING_LOCK:
        child = _WAITING.get("child")
        return None if child is None else child.process.pid


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
        process = _CONTEXT.Process(target=child_side.main, args=(child_in, child_out, limits), daemon=True,
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
