"""Why a child gave no answer: :class:`WorkerFailed` and its ``reason`` (``"memory"``, ``"time"`` or ``"crash"``).

The child names the reason of a failure it can still report (:func:`out_of_memory`); a child that could not is
judged by the parent from how it ended (:func:`failure_from_exit`).
"""

from __future__ import annotations

import errno
import signal

from retention_core.ingest.sandbox.limits import Limits

#: A failure with at least this share of the address space in use counts as running out of memory.
MEMORY_SHARE_FOR_FAILURE = 0.9
#: The exit code of a child that ran out of memory after it began to answer.
MEMORY_EXIT = 75


class WorkerFailed(RuntimeError):
    """The child gave no answer: ``reason`` is ``"memory"`` (it ran out of its memory), ``"time"`` (deadline or CPU
    time) or ``"crash"`` (anything else); ``detail`` says what is known, for the server's log."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"worker failed ({reason}): {detail}")


def failure_from_exit(exitcode: int | None) -> WorkerFailed:
    """How a child that sent no answer ended: killed by the kernel (out of memory), aborted (an allocation that
    failed in native code), out of CPU time, or another crash."""
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.Signals._value2member_map_ else str(-exitcode)
        if -exitcode == signal.SIGXCPU:
            return WorkerFailed("time", f"CPU time limit ({name})")
        if -exitcode in (signal.SIGKILL, signal.SIGABRT):
            return WorkerFailed("memory", f"ended by {name} (out of memory, or a failed allocation in native code)")
        return WorkerFailed("crash", f"ended by {name}")
    if exitcode == MEMORY_EXIT:
        return WorkerFailed("memory", "ran out of memory while sending its answer")
    return WorkerFailed("crash", f"ended with exit code {exitcode} without an answer")


def out_of_memory(error: BaseException, limits: Limits) -> bool:
    """Whether ``error`` (in the child) came from running out of memory: a ``MemoryError``, a memory file past its
    cap (``EFBIG``), or any failure with the address space nearly used up (native code reports failed allocations
    in its own ways)."""
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
