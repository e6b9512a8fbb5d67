"""The server's start-up work, done in the background so that the first visitor does not wait for it.

``streamlit run serve.py`` serves the app through Streamlit's ``st.App``, whose lifespan (:func:`lifespan`) starts
:func:`warm_up` in a thread and returns at once: the server answers its health check and the browsers as soon as it
would without it. Until then, the first visit of a freshly started server ran the imports of the pages (pandas,
DuckDB, SciPy, Plotly, the models) and the embedded sample's reading and aggregation itself, with a spinner, while
the frontend waited; now that work runs while the browser is still loading the frontend, and a visitor who arrives
before it ends waits only for the rest (the sample's caches compute each entry once). ``streamlit run app.py``
still works, without the warm-up.

The work comes in two parts. First what the first view needs — the imports of the frame and the pages and the
sample's aggregates of the default period without the models' fits, all the Overview shows — then, once a page has
been shown (:func:`page_shown`, called at the end of every run) and the browser has had
:data:`DRAWING_SECONDS` to draw it, or after :data:`FIRST_VISIT_WAIT_SECONDS`, the rest: the BG/NBD and
Gamma-Gamma fits and their forecast basis, the segments' first orders, the other periods, and what a first visit
of the Segments page reads (:func:`dashboard.segments.warm_sample`). On two cores the rest would otherwise compete
with the first visitor's run, with the browser loading the frontend and then with it drawing the first page. A
session that needs a part of the rest before then computes it itself (the caches compute each entry once).

Only the embedded sample is computed (the same for every user, kept in the server's bounded caches of
:mod:`dashboard.shown_data` and :mod:`dashboard.segments`); never an upload, nothing of a session. An app started
on other data (``-- --data``, ``-- --aggregates``) gets the imports only. This module imports nothing heavy
itself: ``serve.py`` imports it before the server answers.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator

_LOG = logging.getLogger(__name__)

FIRST_VISIT_WAIT_SECONDS = 20.0
"""How long the rest of the start-up work waits for the first page to be shown before it starts anyway (a server
that nobody visits yet gets it done while it is idle)."""

DRAWING_SECONDS = 4.0
"""How long the rest of the start-up work waits after the first run has ended: the browser is still drawing that
page (its KPI cards, compiling Plotly for its charts), and on the loaded machine of ``docs/performance.md`` the
rest, started at once or 2 s later, delayed the KPI cards by seconds. A page that needs a part of the rest before
then computes it itself."""

QUIET_SECONDS = 1.0
"""How long after a visitor's page has run the rest of the start-up work waits before its next step: a page
switch or a slider step that comes soon after another finds the interpreter free (the rest's steps run in this
process, beside the visitors' runs, and share the interpreter with them)."""

#: The visitors' runs of the frame in progress now, and when the last one ended (:func:`run_started`,
#: :func:`run_ended`); process-wide like the server's caches, and nothing of a session.
_RUNS = {"in_progress": 0, "last_ended": 0.0}
_RUNS_CHANGED = threading.Condition()

#: Set at the end of a session's run (:func:`page_shown`). Process-wide like the server's caches, and it holds
#: nothing of a session: only that some page has been shown since the server started.
_PAGE_SHOWN = threading.Event()

#: Set when the rest of the start-up work has made the sample's parts (:func:`sample_rest_made`); process-wide
#: like :data:`_PAGE_SHOWN`, and it holds nothing of a session.
_SAMPLE_REST_MADE = threading.Event()


def page_shown() -> None:
    """Say that a run of the app has ended (``app.py`` calls it last): the rest of the warm-up may begin."""
    _PAGE_SHOWN.set()


def run_started() -> None:
    """Say that a visitor's run of the frame (``app.py``) has begun: the rest of the start-up work waits."""
    with _RUNS_CHANGED:
        _RUNS["in_progress"] += 1


def run_ended() -> None:
    """Say that a run of the frame has ended, however it ended (``app.py`` calls it in a ``finally``)."""
    with _RUNS_CHANGED:
        _RUNS["in_progress"] = max(_RUNS["in_progress"] - 1, 0)
        _RUNS["last_ended"] = time.monotonic()
        _RUNS_CHANGED.notify_all()


def when_quiet(quiet_seconds: float = QUIET_SECONDS, at_most_seconds: float = FIRST_VISIT_WAIT_SECONDS) -> None:
    """Wait until no visitor's run of the frame is in progress and the last ended ``quiet_seconds`` ago (at most
    ``at_most_seconds``: a server busy with visitors still gets its start-up work done)."""
    gives_up = time.monotonic() + at_most_seconds
    with _RUNS_CHANGED:
        while (now := time.monotonic()) < gives_up:
            if _RUNS["in_progress"] == 0 and now - _RUNS["last_ended"] >= quiet_seconds:
                return
            wait = quiet_seconds if _RUNS["in_progress"] else quiet_seconds - (now - _RUNS["last_ended"])
            _RUNS_CHANGED.wait(min(max(wait, 0.01), gives_up - now))


def sample_rest_made() -> bool:
    """Whether this server's start-up work has made the rest of the sample (:func:`warm_up`): the fits and their
    forecast basis, and the Segments page's default dimension and NPS groups, in the server's caches for every
    session, so a page need not show its figures before them. False under ``streamlit run app.py`` (no start-up
    work) and while the work goes on."""
    return _SAMPLE_REST_MADE.is_set()


def warm_up(first_visit_wait_seconds: float = FIRST_VISIT_WAIT_SECONDS,
            drawing_seconds: float = DRAWING_SECONDS) -> None:
    """Import what the frame and the pages import, hide those long-lived objects from the garbage collector
    (:func:`dashboard.runtime.freeze_long_lived_objects`: its full collection takes the interpreter for a moment,
    better now than during the first visitor's run), do the first run's other once-per-process work and compute
    what the sample's first view needs (:func:`dashboard.shown_data.warm_sample_first_view`); then, when a page has
    been shown and ``drawing_seconds`` have passed, or after ``first_visit_wait_seconds``, the rest
    (:func:`dashboard.shown_data.warm_sample_rest`, :func:`dashboard.segments.warm_sample`; then
    :func:`sample_rest_made`) at the lower CPU priority of a session's work done ahead
    (:func:`dashboard.background.lower_priority`), each step when no visitor's page runs (:func:`when_quiet`), and
    freeze again. A failure is logged and left to the sessions, which compute what they need and show their own
    message."""
    try:
        from dashboard import runtime  # the core: pandas, DuckDB, the models

        runtime.avoid_huge_page_stalls()  # before the sample's arrays, as the first run would
        from dashboard import (  # noqa: F401  (imported for the pages; the Data page's upload flow is not)
            background,
            comparison,
            customer_list,
            errors,
            inputs,
            revenue_views,
            saved_scenarios,
            segments,
            shown_data,
            url_sync,
            widgets,
        )
        from dashboard import source as started_on
        from retention_views import charts, page_results, whatif  # noqa: F401

        runtime.freeze_long_lived_objects()  # the modules: now, and not while the first visitor's run goes on
        if not _first_run_one_time_work():
            return
        sample = started_on.configured() is None
        if sample:
            shown_data.warm_sample_first_view()
            if _PAGE_SHOWN.wait(first_visit_wait_seconds):
                time.sleep(drawing_seconds)
            background.lower_priority()  # the rest is work ahead: the visitors' reruns and browsers come first
            shown_data.warm_sample_rest(pause=when_quiet)
            segments.warm_sample(pause=when_quiet)
            _SAMPLE_REST_MADE.set()
        runtime.freeze_long_lived_objects()
    except Exception:  # never take the server down; the sessions compute and report
        _LOG.exception("The start-up warm-up failed; the sessions compute the sample themselves")


def _first_run_one_time_work() -> bool:
    """What the first run of a page does once per process beside its own work, done here: the server's start-up
    checks (:func:`dashboard.runtime.start_up`: the configuration, what earlier processes left in the temporary
    directory), the modules that a page loads on first use (PIL for the page icon; Plotly's figure classes, narwhals
    and JSON writer for a chart) and the map of every module loaded to its file (``inspect``'s cache, which
    Streamlit fills with ``inspect.stack()`` on the first element it sends, once per process: thousands of
    file-system lookups). False when the configuration has problems (the first run shows them)."""
    import inspect

    from PIL import Image  # noqa: F401  (st.set_page_config reads the page icon with it)

    from dashboard import runtime
    from retention_views import charts

    if runtime.start_up():
        return False
    charts.industry_benchmark_chart(None, "de").to_json(validate=False)  # what st.plotly_chart does with a figure
    inspect.stack()
    return True


@contextlib.asynccontextmanager
async def lifespan(app) -> AsyncIterator[None]:
    """``st.App``'s lifespan: start :func:`warm_up` in a daemon thread and go on serving at once."""
    threading.Thread(target=warm_up, name="retention_warm_up", daemon=True).start()
    yield
