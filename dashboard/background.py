"""This session's work done ahead, in the background: what a page will need of the shown upload, computed while the
user reads another page.

The forecast basis of an upload's fits (:func:`dashboard.shown_data.forecast_basis`: a 2F1 evaluation per distinct
(x, T) and month, seconds for a million order rows) is the longest first computation of any page, and the CLV and
Segments pages need it. So the end of an upload's aggregation starts it here (:func:`start`), and it is made while
the Overview is read; then the Segments page's first parts (:func:`dashboard.segments.parts_ahead`). A page that
needs a result first waits for it under a progress bar (:func:`result`), never on a blank page; a page that finds
no job computes as before.

A job runs in a daemon thread of its own:

- it holds a slot of the server's :mod:`~dashboard.work_queue` like every heavy job, as the session's background
  owner (:func:`~dashboard.work_queue.session_owner`), so the server still runs no more jobs at once than it has
  slots, while the session's own page (another period's aggregation) does not wait behind its background;
- it runs at a lower CPU priority (:func:`lower_priority`: on Linux the thread's nice value, :data:`NICENESS`, which
  the threads it starts inherit), so that the reruns of the page in front come first;
- its result stays in this session (the :class:`Job` is kept in ``st.session_state``): nothing of an upload leaves
  it, and the thread touches no Streamlit API; a page takes the result over into the session's caches.

Another data set put into use cancels the jobs of the old one (:func:`cancel_all`): a job waiting for its slot
gives it up, a running one stops at its next progress report.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, wait
from dataclasses import dataclass, field

import streamlit as st

from dashboard import keys, work_queue

_LOG = logging.getLogger(__name__)

NICENESS = 5
"""How much lower than the server's other threads a background job runs (Linux nice value, added to the
process's): where a page's rerun wants the same core, the rerun gets about three quarters of it (Linux's weights
1024 against 335), and the job all of an idle one. (At 10 the job would get a tenth, and next to other busy
processes on the machine it would hardly progress while a page waits for it.)"""

POLL_SECONDS = 0.2
"""How often a page waiting for a job updates its progress bar."""

Build = Callable[[Callable[[int, int], None], Callable[[object], None]], object]
"""A job's work: called with ``progress(done, total)``, which it calls as it goes, and ``publish(part)``, with which
it may hand out a first part of its result before the rest (:func:`result`); returns the whole result."""


class Cancelled(Exception):
    """Raised inside a job whose data is no longer shown (:func:`cancel_all`)."""


@dataclass(eq=False)
class Job:
    """One background job of a session: its ``future`` result, the share ``done`` so far and the ``part`` it
    published (both written by the job's thread), whether its work has ``started`` (it may wait for the session's
    earlier jobs, ``before``, and its slot first) and whether it was ``cancelled``."""

    future: Future = field(default_factory=Future)
    done: float = 0.0
    part: object | None = None
    cancelled: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)
    before: tuple[Job, ...] = ()

    def publish(self, part: object) -> None:
        """The job's ``publish``: hands out a first part of the result."""
        self.part = part

    def report(self, done: int, total: int) -> None:
        """The job's ``progress``: notes the share done; raises :class:`Cancelled` once the job was cancelled."""
        if self.cancelled.is_set():
            raise Cancelled
        self.done = done / max(total, 1)

    def check(self, ahead: int, seconds: float) -> None:
        """The work queue's ``waiting``: a cancelled job gives up its place."""
        if self.cancelled.is_set():
            raise Cancelled


def lower_priority() -> bool:
    """Lower the calling thread's CPU priority by :data:`NICENESS` (Linux: a thread's nice value is its own, and
    threads it starts inherit it); True when done. Elsewhere, or where the system refuses, nothing changes."""
    if not sys.platform.startswith("linux"):
        return False
    thread = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread, min(os.getpriority(os.PRIO_PROCESS, thread) + NICENESS, 19))
    except OSError:
        return False
    return True


def _jobs() -> dict[Hashable, Job]:
    return st.session_state.setdefault(keys.BACKGROUND_JOBS, {})


def has(key: Hashable) -> bool:
    """Whether this session has a job ``key`` whose result has not been taken (running or done)."""
    return key in _jobs()


def future(key: Hashable) -> Future | None:
    """The future of this session's job ``key`` (None without one): for a job started after it, which may read its
    result (a session's jobs run one after the other, in the order they were started: :func:`start`)."""
    job = _jobs().get(key)
    return None if job is None else job.future


def done(key: Hashable) -> bool:
    """Whether this session has a job ``key`` whose result is there (made, failed or cancelled) and not taken."""
    job = _jobs().get(key)
    return job is not None and job.future.done()


def not_started(key: Hashable) -> bool:
    """Whether this session has a job ``key`` that still waits to begin its work (behind the session's earlier jobs
    or for a slot): a page in a hurry may rather :func:`forget` it and do the work itself."""
    job = _jobs().get(key)
    return job is not None and not job.started.is_set()


def forget(key: Hashable) -> None:
    """Cancel and forget this session's job ``key`` (if any): it gives up its place or stops at its next report."""
    job = _jobs().pop(key, None)
    if job is not None:
        job.cancelled.set()


def start(key: Hashable, build: Build) -> None:
    """Start ``build`` for this session in a background thread under ``key``, unless a job ``key`` is there; it
    runs after the session's jobs started before it have ended."""
    jobs = _jobs()
    if key in jobs:
        return
    job = jobs[key] = Job(before=tuple(jobs.values()))
    queue, owner = work_queue.server_queue(), work_queue.session_owner(background=True)
    threading.Thread(target=_run, args=(job, build, queue, owner, tuple(earlier.future for earlier in job.before)),
                     name="retention_background", daemon=True).start()


def _run(job: Job, build: Build, queue: work_queue.WorkQueue, owner: str, before: tuple[Future, ...] = ()) -> None:
    job.future.set_running_or_notify_cancel()
    try:
        lower_priority()
        wait(before)  # the session's jobs started earlier come first (no slot is held while waiting)
        job.before = ()  # all done: nothing of them to show any more, nor to keep
        if job.cancelled.is_set():
            raise Cancelled
        with queue.turn(owner, job.check):
            job.started.set()
            result = build(job.report, job.publish)
            job.future.set_result(result)  # before the slot goes: the session's next job finds it there
    except BaseException as error:  # handed to the page that takes the result
        if not job.future.done():
            job.future.set_exception(error)


def result(key: Hashable, label: str, enough: Callable[[object], bool] | None = None) -> object | None:
    """The result of this session's job ``key``, which is then forgotten; or, with ``enough``, the part the job
    published once ``enough(part)`` is true (the job then goes on and stays). While neither is there, the page waits
    under a progress bar labelled ``label``. None when there is no such job, or it was cancelled or failed (logged:
    the page then computes itself, and shows its own message if that fails too)."""
    jobs = _jobs()
    job = jobs.get(key)
    if job is None:
        return None

    def part_will_do() -> bool:
        part = job.part
        return enough is not None and part is not None and enough(part)

    if not job.future.done() and not part_will_do():
        share = _share_done(job)
        bar = st.progress(share(), text=label)
        while not wait([job.future], timeout=POLL_SECONDS).done and not part_will_do():
            bar.progress(share(), text=label)
        bar.empty()
    if not job.future.done():
        return job.part
    jobs.pop(key, None)
    error = job.future.exception()
    if error is None:
        return job.future.result()
    if not isinstance(error, Cancelled):
        _LOG.warning("A background job failed; the page computes it itself", exc_info=error)
    return None


def _share_done(job: Job) -> Callable[[], float]:
    """The share done of ``job`` and of the session's jobs it still waits for (each counting one, as they stand
    now), for a progress bar: it moves while the earlier jobs run, instead of standing at zero until ``job``'s own
    work begins, and never goes back."""
    chain = [*(earlier for earlier in job.before if not earlier.future.done()), job]
    return lambda: sum(1.0 if each.future.done() else each.done for each in chain) / len(chain)


def cancel_all() -> None:
    """Cancel and forget this session's jobs (another data set is put into use)."""
    for job in _jobs().values():
        job.cancelled.set()
    st.session_state[keys.BACKGROUND_JOBS] = {}
