"""Process-wide tuning of the Streamlit server process (not per session)."""

from __future__ import annotations

import atexit
import ctypes
import functools
import gc
import os
import sys
import threading

from retention_core import config, scratch

_lock = threading.Lock()
_modules_when_frozen = 0

# at exit, the frozen objects are handed back, so the interpreter's last collection frees them like any other
atexit.register(gc.unfreeze)


#: Linux's prctl options for the process-wide "no transparent huge pages" flag (since Linux 3.15).
_PR_SET_THP_DISABLE, _PR_GET_THP_DISABLE = 41, 42


def avoid_huge_page_stalls() -> None:
    """Keep this process off transparent huge pages (THP), unless the user chose to keep them.

    Linux backs memory with 2 MiB pages where a program asks for them (``madvise``; NumPy does it for each array of
    4 MiB or more; DuckDB's memory got them too). Where the kernel's THP ``defrag`` setting is ``madvise`` (the
    kernel's default, and this project's machine), a first write into such memory may wait while the kernel
    compacts memory into a free 2 MiB page; databases such as Redis advise turning THP off for that reason. The
    app writes its large tables once and reads them a few times, so it gains little from huge pages (the
    measurements are in ``docs/performance.md``).

    This sets Linux's per-process flag (``prctl(PR_SET_THP_DISABLE)``; inherited by child processes) and turns
    NumPy's advice off, which is all that happens where the flag is not available. ``RETENTION_HUGE_PAGES=1``
    keeps both as they are; a set ``NUMPY_MADVISE_HUGEPAGE`` (NumPy reads it at import) keeps NumPy's. Only memory
    that is touched after the call is affected; calling it again changes nothing. A NumPy without the switch (it
    is NumPy's own, not public API) keeps its advice.
    """
    if os.environ.get("RETENTION_HUGE_PAGES") == "1":
        return
    _disable_transparent_huge_pages()
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return
    try:
        from numpy._core.multiarray import _set_madvise_hugepage  # the switch behind the variable (NumPy >= 2)
    except ImportError:
        return
    _set_madvise_hugepage(False)


def _disable_transparent_huge_pages() -> bool:
    """Set Linux's flag that keeps this process off transparent huge pages; True when the kernel took it.

    Elsewhere (not Linux, a kernel before 3.15, a sandbox that refuses the call) nothing changes and this gives
    False.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None).prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):  # no C library with prctl
        return False


def freeze_long_lived_objects() -> None:
    """Hide the objects that live as long as the process from Python's full garbage collections.

    A full (generation 2) collection walks every tracked object of the process, and most of them are the modules
    the pages import (pandas, Plotly, SciPy, Streamlit) with their classes and constants, which never become
    garbage, and such a collection pauses the slider rerun it falls into (measured in ``docs/performance.md``).

    After a run that imported new modules (a few times per process: the first run of each page), this collects
    once and then moves every object alive to the permanent generation (``gc.freeze``), so later collections walk
    only what the sessions create after it. A frozen object is still freed when its last reference goes (uploads
    and their tables are); only a reference cycle among frozen objects that dies later stays until the process
    ends: bounded by the few freezes, and small (a chart kept for a session is such a cycle).
    """
    global _modules_when_frozen
    if len(sys.modules) <= _modules_when_frozen:  # the common case: a rerun that imported nothing new
        return
    with _lock:
        if len(sys.modules) > _modules_when_frozen:
            gc.collect()
            gc.freeze()
            _modules_when_frozen = len(sys.modules)


@functools.cache
def start_up() -> tuple[str, ...]:
    """Once per server process, on the first run: check the configuration variables and remove what earlier
    processes left in the temporary directory. Returns the configuration problems, one line each (also written to
    the server's log); empty when all is well. (The upload worker's fork server starts when the Data page first
    opens, :func:`retention_core.ingest.sandbox.warm_up`, so that its imports do not slow the first page.)"""
    problems = tuple(config.problems())
    if problems:
        print("Retention dashboard: invalid configuration: " + "; ".join(problems), file=sys.stderr)
        return problems
    scratch.sweep_leftovers()
    return problems
