"""What one upload child may use (:class:`Limits`), and how the child caps itself before it reads a byte (:func:`confine`).

The caps: its address space (``RLIMIT_AS``: an allocation beyond it fails inside the child; the libraries take about
0.7 GB of it and their allocators reserve up to 1–2 GB more while reading), its CPU time (``RLIMIT_CPU``), its memory
files (``RLIMIT_FSIZE``, as large as the address space), no core file (an upload must not land on disk in a crash
dump) and not dumpable (no other process of the user may read its memory). It is the first process the kernel ends
when memory runs short (``oom_score_adj`` 1000), it is killed when the fork server goes, and it ends itself
:data:`SELF_DESTRUCT_GRACE_SECONDS` after the deadline should the server not be there to do it. The wall-clock
deadline itself is the parent's (:mod:`.parent`).
"""

from __future__ import annotations

import ctypes
import math
import os
import resource
import signal
from dataclasses import dataclass

from retention_core import config, scratch

#: Grace after the deadline before a child ends itself (``SIGALRM``), in case no parent is left to kill it.
SELF_DESTRUCT_GRACE_SECONDS = 10

_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE = 1, 4
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
#: glibc's largest ``M_MMAP_THRESHOLD`` on 64-bit systems (32 MiB): blocks below it come from the heap (see confine).
_MMAP_THRESHOLD_MAX = 32 * 1024 * 1024


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


def confine(limits: Limits) -> None:
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
