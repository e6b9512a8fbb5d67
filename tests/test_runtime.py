"""dashboard.runtime: the long-lived objects are frozen once per new set of modules, and frozen data still goes;
NumPy stops advising huge pages unless the user chose."""

from __future__ import annotations

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


@pytest.fixture
def hugepage_advice():
    """NumPy's huge-page switch; restored after the test."""
    from numpy._core.multiarray import _set_madvise_hugepage

    before = _set_madvise_hugepage(True)
    yield _set_madvise_hugepage
    _set_madvise_hugepage(before)


def test_numpy_stops_advising_huge_pages(hugepage_advice, monkeypatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    runtime.avoid_huge_page_stalls()
    assert hugepage_advice(True) is False  # the switch returns its previous state


def test_the_users_numpy_hugepage_choice_wins(hugepage_advice, monkeypatch):
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    runtime.avoid_huge_page_stalls()
    assert hugepage_advice(True) is True


def test_the_app_frame_stops_the_advice_before_any_page_runs(hugepage_advice, monkeypatch):
    from apptest_support import APP
    from streamlit.testing.v1 import AppTest

    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not app.exception
    assert hugepage_advice(True) is False


def test_a_numpy_without_the_switch_keeps_its_advice_and_the_app_starts(monkeypatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    monkeypatch.setitem(sys.modules, "numpy._core.multiarray", types.ModuleType("numpy._core.multiarray"))
    runtime.avoid_huge_page_stalls()  # no ImportError
