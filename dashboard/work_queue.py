"""The server's queue for heavy jobs: a few run at once, the others wait their turn in the order they came.

Reading, checking and aggregating an upload and its CLV forecast take one of the server's work slots
(:func:`work_slots`); each session runs one job at a time, and a waiting page says how many jobs are ahead of it
and for how long it has waited. The one :class:`WorkQueue` is shared by every session, as its purpose is.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from dashboard import keys
from retention_views.texts import t

WORK_SLOTS_VARIABLE = "RETENTION_WORK_SLOTS"
DEFAULT_WORK_SLOTS = 2


class WorkQueue:
    """Heavy jobs of all sessions of this server: at most ``slots`` run at once, the others wait in the order they
    came (first come, first served: none waits longer than the jobs ahead of it take), and one session runs one
    job at a time. A waiting job hears every ``poll_seconds`` how many jobs are ahead of it.

    The slots bound what one heavy upload can take from everybody else: it holds one slot while it aggregates,
    and the other slots keep serving the other sessions in turn.
    """

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"a work queue needs at least one slot, got {slots}")
        self.slots = slots
        self._condition = threading.Condition()
        self._tickets = 0
        self._waiting: list[tuple[int, str]] = []  # (ticket, owner) in the order they came
        self._running: dict[int, str] = {}

    @property
    def waiting(self) -> int:
        """How many jobs wait for a slot now."""
        with self._condition:
            return len(self._waiting)

    def ahead(self, ticket: int) -> int:
        """How many jobs run or wait before ``ticket`` (call with the lock held)."""
        position = next(index for index, (waiting, _) in enumerate(self._waiting) if waiting == ticket)
        return len(self._running) + position

    def _may_start(self, ticket: int, owner: str) -> bool:
        if len(self._running) >= self.slots or owner in self._running.values():
            return False
        busy = set(self._running.values())
        first = next((waiting for waiting, waiting_owner in self._waiting if waiting_owner not in busy), None)
        return first == ticket

    @contextmanager
    def turn(self, owner: str, waiting: Callable[[int, float], None] | None = None,
             poll_seconds: float = 0.5) -> Iterator[float]:
        """Wait for a slot for ``owner``'s job and hold it while the block runs; yields the seconds waited.

        While waiting, ``waiting(ahead, seconds)`` is called (without the lock) with the jobs ahead and the seconds
        waited so far; an exception from it (the user left the page) gives the place up.
        """
        began = time.monotonic()
        with self._condition:
            ticket = self._tickets
            self._tickets += 1
            self._waiting.append((ticket, owner))
        try:
            while True:
                with self._condition:
                    if self._may_start(ticket, owner):
                        self._waiting.remove((ticket, owner))
                        self._running[ticket] = owner
                        break
                    ahead = self.ahead(ticket)
                if waiting is not None:
                    waiting(ahead, time.monotonic() - began)
                with self._condition:
                    if not self._may_start(ticket, owner):
                        self._condition.wait(poll_seconds)
        except BaseException:
            with self._condition:
                if (ticket, owner) in self._waiting:
                    self._waiting.remove((ticket, owner))
                self._condition.notify_all()
            raise
        try:
            yield time.monotonic() - began
        finally:
            with self._condition:
                del self._running[ticket]
                self._condition.notify_all()


def work_slots(environ: dict[str, str] | None = None) -> int:
    """The number of heavy jobs the server runs at once: ``RETENTION_WORK_SLOTS`` (a whole number from 1), else
    :data:`DEFAULT_WORK_SLOTS`. A value that is not one raises ``ValueError`` naming the variable."""
    text = (os.environ if environ is None else environ).get(WORK_SLOTS_VARIABLE, "").strip()
    if not text:
        return DEFAULT_WORK_SLOTS
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ValueError(f"{WORK_SLOTS_VARIABLE} must be a whole number of at least 1, got {text!r}")
    return int(text)


@st.cache_resource(show_spinner=False)
def server_queue() -> WorkQueue:
    """The server's one :class:`WorkQueue` (shared by every session, as its purpose is)."""
    return WorkQueue(work_slots())


def session_owner(background: bool = False) -> str:
    """This session's name in the server's queue; with ``background``, that of its background jobs
    (:mod:`dashboard.background`), which wait for a slot of their own rather than behind the session's page."""
    owner = st.session_state.setdefault(keys.WORK_OWNER, uuid.uuid4().hex)
    return f"{owner}/background" if background else owner


@contextmanager
def queued(label: Callable[[str], None], lang: str) -> Iterator[float]:
    """Hold one of the server's work slots for this session's heavy job; while waiting for it, ``label`` is given
    the waiting text (how many jobs are ahead, for how long) to show. Yields the seconds waited."""
    owner = session_owner()

    def waiting(ahead: int, seconds: float) -> None:
        label(t("status_waiting", lang, ahead=ahead, seconds=f"{seconds:.0f}"))

    with server_queue().turn(owner, waiting) as waited:
        yield waited


@contextmanager
def in_turn(lang: str) -> Iterator[float]:
    """:func:`queued` with the waiting text as a caption where this is called, removed when the job starts (for a
    job shown with a spinner: reading and checking an upload, the CLV forecast). Yields the seconds waited."""
    notice = st.empty()
    with queued(notice.caption, lang) as waited:
        notice.empty()
        yield waited
