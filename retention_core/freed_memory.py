"""Memory handed back to the system between the large steps of the aggregation and of the segments' first use.

What a large step's scratch memory leaves pooled (Arrow's memory pool, glibc's arenas after DuckDB frees its working
memory) is handed back before the next step, so that the next peak starts from what is really held.
:func:`retention_core.dataset.aggregate` and :class:`~retention_core.segment_inputs.SegmentInputs` call these after
their large steps. Apart from both because it changes no result, only how much memory the process holds; the names
keep their leading underscore, as those of :mod:`retention_core.coded_orders`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

import pyarrow as pa


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, None where the C library is not glibc."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _give_back_freed_memory() -> None:
    """Hand the memory that C code has freed back to the system, where the C library keeps it (glibc).

    A DuckDB query's working memory, freed when its database closes, partly stays in glibc's arenas: after the
    tenure rows query at 10 M rows about 110 MiB of it, which the customer summary's step, the aggregation's
    highest point, does not all reuse. ``malloc_trim(0)`` returns it; it changes no result.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _give_back_working_memory() -> None:
    """Hand back what a large step's scratch memory left pooled: Arrow's unused pool memory and what glibc keeps of
    the memory C code freed (:func:`_give_back_freed_memory`). After a step whose peak is over, before the next
    one's: the next peak then starts from what is really held. Changes no result."""
    pa.default_memory_pool().release_unused()
    _give_back_freed_memory()
