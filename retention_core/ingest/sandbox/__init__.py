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

One module per part of the work; this file lists their public API, so ``sandbox.<name>`` reaches each one:

* :mod:`.parent`: the server's side: :func:`run` (the request sent, the deadline kept, the child reaped), the
  child started ahead (:func:`waiting_child`), the fork server (:func:`warm_up`).
* :mod:`.child`: the child's side: the entry point multiprocessing runs in each child, which caps itself, runs the
  job it is named and answers.
* :mod:`.limits`: what a child may use (:class:`Limits`) and how it caps itself.
* :mod:`.frames`: length-prefixed frames on the pipe and the socket, tables as Arrow IPC (:func:`table`).
* :mod:`.messages`: the answer's tagged messages on the socket: the parts sent ahead (:class:`Ahead`), the answer
  (:class:`Answer`) and the parent's checks of both.
* :mod:`.failures`: why a child gave no answer (:class:`WorkerFailed`).
"""

from retention_core.ingest.sandbox.failures import MEMORY_SHARE_FOR_FAILURE, WorkerFailed
from retention_core.ingest.sandbox.frames import MAX_HEADER_BYTES, PIPE_BYTES, table
from retention_core.ingest.sandbox.limits import SELF_DESTRUCT_GRACE_SECONDS, Limits
from retention_core.ingest.sandbox.messages import MAX_AHEAD_PARTS, MAX_TABLES, Ahead, Answer
from retention_core.ingest.sandbox.parent import PRELOAD, run, waiting_child, warm_up

__all__ = [
    "MAX_AHEAD_PARTS", "MAX_HEADER_BYTES", "MAX_TABLES", "MEMORY_SHARE_FOR_FAILURE", "PIPE_BYTES", "PRELOAD",
    "SELF_DESTRUCT_GRACE_SECONDS", "Ahead", "Answer", "Limits", "WorkerFailed", "run", "table", "waiting_child",
    "warm_up",
]
