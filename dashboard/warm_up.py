"""The server's start-up work, done in the background so that the first visitor does not wait for it.

``streamlit run serve.py`` serves the app through Streamlit's ``st.App``, whose lifespan (:func:`lifespan`) starts
:func:`warm_up` in a thread and returns at once: the server answers its health check and the browsers as soon as it
would without it. Until then, the first visit of a freshly started server ran the imports of the pages (pandas,
DuckDB, SciPy, Plotly, the models) and the embedded sample's reading and aggregation itself, with a spinner, while
the frontend waited; now that work runs while the browser is still loading the frontend, and a visitor who arrives
before it ends waits only for the rest (the sample's cache computes each entry once). ``streamlit run app.py``
still works, without the warm-up.

Only the embedded sample is computed (the same for every user, kept in the server's bounded caches of
:mod:`dashboard.shown_data`); never an upload, nothing of a session. An app started on other data (``-- --data``,
``-- --aggregates``) gets the imports only. This module imports nothing heavy itself: ``serve.py`` imports it before
the server answers.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator

_LOG = logging.getLogger(__name__)


def warm_up() -> None:
    """Import what the frame and the pages import and compute the sample's aggregates and scenario facts for every
    period (:func:`dashboard.shown_data.warm_sample`); then hide the objects that live as long as the process from
    the garbage collector (:func:`dashboard.runtime.freeze_long_lived_objects`). A failure is logged and left to
    the first run, which computes again and shows its own message."""
    try:
        from dashboard import runtime  # the core: pandas, DuckDB, SciPy, the models

        runtime.avoid_huge_page_stalls()  # before the sample's arrays, as the first run would
        from dashboard import (  # noqa: F401  (imported for the pages; the Data page's upload flow is not)
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

        if started_on.configured() is None:
            shown_data.warm_sample()
        runtime.freeze_long_lived_objects()
    except Exception:  # never take the server down; the first run computes and reports
        _LOG.exception("The start-up warm-up failed; the first visit computes the sample itself")


@contextlib.asynccontextmanager
async def lifespan(app) -> AsyncIterator[None]:
    """``st.App``'s lifespan: start :func:`warm_up` in a daemon thread and go on serving at once."""
    threading.Thread(target=warm_up, name="retention_warm_up", daemon=True).start()
    yield
