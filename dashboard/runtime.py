"""Process-wide tuning of the Streamlit server process (not per session)."""

from __future__ import annotations

import atexit
import gc
import sys
import threading

_lock = threading.Lock()
_modules_when_frozen = 0

# at exit, the frozen objects are handed back, so the interpreter's last collection frees them like any other
atexit.register(gc.unfreeze)


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
