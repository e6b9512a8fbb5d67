"""Process-wide tuning of the Streamlit server process (not per session)."""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading

_lock = threading.Lock()
_modules_when_frozen = 0

# at exit, the frozen objects are handed back, so the interpreter's last collection frees them like any other
atexit.register(gc.unfreeze)


def avoid_huge_page_stalls() -> None:
    """Stop NumPy from asking Linux for transparent huge pages for its large arrays, unless the user chose.

    On Linux NumPy marks each array of 4 MiB or more with ``madvise(MADV_HUGEPAGE)``. Where the kernel's THP
    ``defrag`` setting is ``madvise`` (the kernel's default, and this project's machine), a first write into such
    an array may wait while the kernel compacts memory into a free 2 MiB page. The app writes its large arrays
    (an upload's columns, the per-customer tables) once and reads them a few times, so huge pages save it little.
    Measured on the project's machine: allocating and filling 350 MB took 0.08–2.0 s with the advice and
    0.19–0.43 s without; aggregating 10 M rows took 9.0–9.6 s instead of 9.4–10.1 s, faster in five of five
    alternating pairs. In those pairs the peak RSS moved by less than 40 MiB either way.

    NumPy reads ``NUMPY_MADVISE_HUGEPAGE`` at import: when it is set, the user has chosen and this does nothing.
    Only arrays allocated after the call are affected; calling it again changes nothing. A NumPy without the switch
    (it is NumPy's own, not public API) keeps its advice; the app runs as before.
    """
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return
    try:
        from numpy._core.multiarray import _set_madvise_hugepage  # the switch behind the variable (NumPy >= 2)
    except ImportError:
        return
    _set_madvise_hugepage(False)


def freeze_long_lived_objects() -> None:
    """Hide the objects that live as long as the process from Python's full garbage collections.

    A full (generation 2) collection walks every tracked object of the process, and most of them are the modules
    the pages import (pandas, Plotly, SciPy, Streamlit) with their classes and constants, which never become
    garbage. Measured in the benchmark's app process at 1 M rows: one such collection paused a CLV slider rerun
    for 0.10 s (0.18 s instead of 0.06 s); with the objects frozen, a rerun's collections walk 6–12 thousand
    objects instead of about 160 thousand, and no rerun paused.

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
