"""The last line of defence: an unexpected error becomes a short message in the user's language, with the way back.

An exception that no page or view function expected, raised while the frame or a page runs (:func:`boundary`
around ``navigation.run()`` in ``app.py``) or in a widget callback (:func:`guarded`), is written to the server log
with its traceback under a short incident code, and the page shows only a plain message with that code: reload,
switch the sidebar's data source back to the sample when an upload is shown, or report the code. The browser never
sees the traceback, the exception's text or any of the user's data (Streamlit's own box is also generic, in English,
with ``client.showErrorDetails = "none"``).

Streamlit's own control flow passes through untouched: ``st.stop()``, ``st.rerun()`` and ``st.switch_page()`` raise
``StopException`` and ``RerunException`` (``streamlit.runtime.scriptrunner_utils.exceptions``), which derive from
``ScriptControlException(BaseException)`` in Streamlit 1.67, so ``except Exception`` never catches them
(``tests/test_errors.py`` checks both).
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from dashboard import keys, sidebar

_LOG = logging.getLogger(__name__)


def log_unexpected(error: BaseException, where: str) -> str:
    """Log ``error`` with its traceback (server side only) and return the incident code the user may report."""
    incident = secrets.token_hex(4)
    _LOG.error("Unexpected error %s (incident %s)", where, incident, exc_info=error)
    return incident


@contextmanager
def boundary() -> Iterator[None]:
    """Run the frame and its page; an unexpected exception is logged and shown as :func:`show_unexpected`."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - the last line of defence; st.stop/st.rerun are BaseExceptions
        show_unexpected(log_unexpected(error, "while a page ran"))


def guarded(callback: Callable[..., None]) -> Callable[..., None]:
    """``callback`` (a widget's ``on_change`` / ``on_click``) that logs an unexpected exception instead of letting
    it end the run: the next run's frame shows the message (:func:`show_callback_error`)."""

    @functools.wraps(callback)
    def run(*args: object, **kwargs: object) -> None:
        try:
            callback(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - see boundary()
            st.session_state[keys.CALLBACK_ERROR] = log_unexpected(error, f"in the callback {callback.__name__}")

    return run


def show_callback_error() -> None:
    """The message of a :func:`guarded` callback that failed before this run, once."""
    incident = st.session_state.pop(keys.CALLBACK_ERROR, None)
    if incident is not None:
        show_unexpected(incident)


def show_unexpected(incident: str) -> None:
    """What the user sees of an unexpected error: a plain message in their language with the incident code and the
    way back; with an upload shown, a button back to the sample and a link to the Data page."""
    s = sidebar.settings()
    on_upload = s.source == "upload"
    text = s.t("error_unexpected", incident=incident)
    if on_upload:
        text += " " + s.t("error_way_back_upload", source=s.t("sidebar_source"),
                          sample=s.t("source_sample"), data_page=s.t("page_data"))
    st.error(text, icon=":material/report:")
    if on_upload:
        sidebar.way_back(s.lang, key="error_show_sample")
