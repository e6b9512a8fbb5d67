"""Start-up of the upload worker's fork server: imported by that process only, never by the app or a test.

Multiprocessing's fork server (see :mod:`retention_core.ingest.sandbox`) imports this module once. It loads the
libraries an upload job needs, so that each child forked from here starts with them; it tells multiprocessing not to
run the parent's main script again in each child (its rule for a main module given by path: for the app that would
be ``app.py`` under Streamlit, which a child has no business running; jobs are module-level functions, imported by
name); and it moves every object alive now out of reach of the garbage collector (``gc.freeze``, undone when the
fork server exits), so that a collection in a child does not copy the pages of these shared modules one by one.
"""

import atexit
import gc
import multiprocessing.spawn

import retention_core.ingest.worker  # noqa: F401 - loaded here once for every child

multiprocessing.spawn._fixup_main_from_path = lambda main_path: None
multiprocessing.spawn._fixup_main_from_name = lambda mod_name: None
gc.collect()
gc.freeze()
atexit.register(gc.unfreeze)  # when the fork server ends, its objects are freed like any others
