"""dashboard.runtime: the long-lived objects are frozen once per new set of modules, and frozen data still goes;
the process leaves transparent huge pages (Linux flag, NumPy's advice) unless the user chose."""

from __future__ import annotations

import ctypes
import gc
import sys
import types
import weakref

import pytest

from dashboard import runtime


class Holder:
    """A weak-referenceable stand-in for a session's data."""


@pytest.fixture
def fresh_runtime(monkeypatch):
    monkeypatch.setattr(runtime, "_modules_when_frozen", 0)
    yield
    gc.unfreeze()


def test_objects_alive_at_the_freeze_leave_the_collections_and_are_still_freed(fresh_runtime):
    gc.unfreeze()
    kept = Holder()
    runtime.freeze_long_lived_objects()
    assert gc.get_freeze_count() > 0
    assert all(kept is not tracked for tracked in gc.get_objects())  # frozen: no collection walks it
    assert runtime._modules_when_frozen == len(sys.modules)
    gone = weakref.ref(kept)
    del kept
    assert gone() is None  # its last reference went: freed at once, frozen or not


def test_a_rerun_without_new_modules_freezes_nothing_and_a_new_module_freezes_again(fresh_runtime, monkeypatch):
    runtime.freeze_long_lived_objects()
    monkeypatch.setattr(gc, "freeze", lambda: pytest.fail("froze again without a new module"))
    runtime.freeze_long_lived_objects()
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(len(sys.modules)))
    monkeypatch.setitem(sys.modules, "new_page_module", types.ModuleType("new_page_module"))
    runtime.freeze_long_lived_objects()
    assert frozen == [len(sys.modules)] and runtime._modules_when_frozen == len(sys.modules)


LINUX = sys.platform.startswith("linux")


def thp_disabled() -> int:
    """Linux's per-process "no transparent huge pages" flag: 1 set, 0 not."""
    return ctypes.CDLL(None).prctl(runtime._PR_GET_THP_DISABLE, 0, 0, 0, 0)


@pytest.fixture
def hugepage_advice(monkeypatch):
    """NumPy's huge-page switch, turned on; it and the process's THP flag are restored after the test."""
    from numpy._core.multiarray import _set_madvise_hugepage

    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    monkeypatch.delenv("RETENTION_HUGE_PAGES", raising=False)
    before = _set_madvise_hugepage(True)
    flag = thp_disabled() if LINUX else None
    if LINUX:
        ctypes.CDLL(None).prctl(runtime._PR_SET_THP_DISABLE, 0, 0, 0, 0)
    yield _set_madvise_hugepage
    _set_madvise_hugepage(before)
    if LINUX:
        ctypes.CDLL(None).prctl(runtime._PR_SET_THP_DISABLE, flag, 0, 0, 0)


def test_numpy_stops_advising_huge_pages(hugepage_advice):
    runtime.avoid_huge_page_stalls()
    assert hugepage_advice(True) is False  # the switch returns its previous state


@pytest.mark.skipif(not LINUX, reason="the per-process THP flag is Linux's")
def test_the_process_leaves_transparent_huge_pages(hugepage_advice):
    assert thp_disabled() == 0
    runtime.avoid_huge_page_stalls()
    assert thp_disabled() == 1


def test_the_users_numpy_hugepage_choice_wins(hugepage_advice, monkeypatch):
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    runtime.avoid_huge_page_stalls()
    assert hugepage_advice(True) is True


def test_retention_huge_pages_1_keeps_huge_pages(hugepage_advice, monkeypatch):
    monkeypatch.setenv("RETENTION_HUGE_PAGES", "1")
    runtime.avoid_huge_page_stalls()
    assert hugepage_advice(True) is True
    assert not LINUX or thp_disabled() == 0


def test_the_app_frame_leaves_huge_pages_before_any_page_runs(hugepage_advice):
    from apptest_support import APP
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not app.exception
    assert hugepage_advice(True) is False
    assert not LINUX or thp_disabled() == 1


def test_without_the_flag_or_numpys_switch_the_app_still_starts(hugepage_advice, monkeypatch):
    monkeypatch.setattr(runtime, "_PR_SET_THP_DISABLE", -1)  # an option Linux refuses
    assert runtime._disable_transparent_huge_pages() is False
    monkeypatch.setitem(sys.modules, "numpy._core.multiarray", types.ModuleType("numpy._core.multiarray"))
    runtime.avoid_huge_page_stalls()  # no ImportError
    assert not LINUX or thp_disabled() == 0
