"""dashboard.runtime: the long-lived objects are frozen once per new set of modules, and frozen data still goes."""

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
