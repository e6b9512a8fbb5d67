"""The sidebar's settings every page reads: language, currency, period, activity window and data source.

The settings are widgets whose keys (:mod:`dashboard.keys`) are also their URL parameters; the scenario puts their
values into the session before the sidebar is drawn (:mod:`dashboard.url_sync`). The language starts as the
browser's when the link and the session do not set it (:func:`browser_language`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dashboard import keys
from dashboard import source as started_on
from retention_core.dataset import ACTIVITY_MONTHS
from retention_core.queries import PERIODS
from retention_views import text_keys, texts
from retention_views.formats import CURRENCIES
from retention_views.texts import LANGUAGES, translator

SOURCES = ("sample", "upload")
FALLBACK_LANGUAGE = "de"
"""The language of a browser that names neither German nor English."""
DEFAULT_SETTINGS = {keys.CURRENCY: CURRENCIES[0], keys.PERIOD: "quarter", keys.ACTIVITY: ACTIVITY_MONTHS[-1]}
"""The settings other than the language while the link and the user leave them alone."""


@dataclass(frozen=True)
class Settings:
    """The sidebar choices every page reads."""

    lang: str
    currency: str
    period: str
    activity_months: int
    source: str

    def t(self, key: str, **params: object) -> str:
        """The text for ``key`` in the page's language with ``params`` filled in (:func:`retention_views.texts.t`)."""
        return texts.t(key, self.lang, **params)


def browser_language() -> str:
    """The language of the user's browser (``st.context.locale``, e.g. ``en-US``) when the dashboard speaks it,
    else :data:`FALLBACK_LANGUAGE` (also when the browser sends no locale)."""
    locale = st.context.locale or ""
    language = locale.replace("_", "-").split("-")[0].lower()
    return language if language in LANGUAGES else FALLBACK_LANGUAGE


def defaults() -> dict[str, object]:
    """Each setting's value while the link and the user leave it alone: the browser's language, the first currency,
    quarters, the longest activity window. A link keeps only the values that differ from these."""
    return {keys.LANG: browser_language(), **DEFAULT_SETTINGS}


def sidebar(on_change: Callable[[str], None]) -> Settings:
    """Draw the sidebar (language, currency, period, activity window, data source) and return the choices.

    The four settings take their values from the session (put there from the scenario before this runs) and report
    changes to ``on_change(key)``.
    """
    lang = st.session_state.get(keys.LANG, browser_language())
    with st.sidebar:
        lang = st.segmented_control(
            "Sprache / Language", LANGUAGES, key=keys.LANG, required=True, on_change=on_change, args=(keys.LANG,),
            format_func=lambda code: {"de": "Deutsch", "en": "English"}[code],
        )
        tr = translator(lang)
        currency = st.selectbox(tr("sidebar_currency"), CURRENCIES, key=keys.CURRENCY, on_change=on_change,
                                args=(keys.CURRENCY,))
        fixed = _fixed_period()
        if fixed is None:
            period = st.segmented_control(tr("sidebar_period"), PERIODS, key=keys.PERIOD, required=True,
                                          on_change=on_change, args=(keys.PERIOD,),
                                          format_func=lambda code: tr(text_keys.PERIOD[code]))
            activity_months = st.selectbox(
                tr("sidebar_activity"), ACTIVITY_MONTHS, key=keys.ACTIVITY, on_change=on_change,
                args=(keys.ACTIVITY,), format_func=lambda months: tr("sidebar_activity_months", months=months),
                help=tr("sidebar_activity_help"),
            )
        else:
            period, activity_months = fixed
            st.caption(tr("sidebar_fixed_period", period=tr(text_keys.PERIOD[period]), months=activity_months))
        has_upload = keys.DATASET in st.session_state
        if not has_upload:
            st.session_state[keys.SOURCE] = "sample"
        default_name = "configured" if started_on.configured() else "sample"
        source = st.radio(tr("sidebar_source"), SOURCES, key=keys.SOURCE, disabled=not has_upload,
                          format_func=lambda code: tr(text_keys.SOURCE[default_name if code == "sample" else code]),
                          help=None if has_upload else tr("sidebar_source_help"))
    return Settings(lang=lang, currency=currency, period=period, activity_months=activity_months, source=source)


def settings() -> Settings:
    """The current sidebar choices (the sidebar is drawn by ``app.py`` before any page runs)."""
    chosen = {key: st.session_state.get(key, default) for key, default in defaults().items()}
    period, activity_months = _fixed_period() or (chosen[keys.PERIOD], chosen[keys.ACTIVITY])
    return Settings(
        lang=chosen[keys.LANG], currency=chosen[keys.CURRENCY], period=period, activity_months=activity_months,
        source=st.session_state.get(keys.SOURCE, "sample"),
    )


def _fixed_period() -> tuple[str, int] | None:
    """(period, activity months) of the aggregates folder the app was started on while it is shown, else None."""
    if st.session_state.get(keys.SOURCE, "sample") != "sample":
        return None
    return started_on.fixed_period(started_on.configured())


def show_sample() -> None:
    """Switch the data source back to the sample (a widget callback: before the sidebar's radio is drawn)."""
    st.session_state[keys.SOURCE] = "sample"


def way_back(lang: str, key: str) -> None:
    """A button that switches the data source back to the sample, and a link to the Data page to fix the upload."""
    tr = translator(lang)
    with st.container(horizontal=True):
        st.button(tr("error_show_sample"), key=key, icon=":material/undo:", on_click=show_sample)
        st.page_link("app_pages/data.py", label=tr("error_to_data_page"), icon=":material/upload_file:")
