"""Saved scenarios: this session's named sets of what-if values, saved from the sidebar and loaded back.

A saved scenario keeps the what-if values with the period and activity window they were made for, not the display
settings (language, currency). The Scenarios page compares and exports them (:mod:`dashboard.comparison`).
"""

from __future__ import annotations

import streamlit as st

from dashboard import keys, sidebar, url_sync, widgets
from dashboard.sidebar import Settings
from retention_views import url_params, whatif
from retention_views.url_params import PARAMS

MAX_SAVED = 20


def saved() -> dict[str, dict]:
    """This session's saved scenarios by name, oldest first (what-if values, period and activity window)."""
    return st.session_state.setdefault(keys.SAVED_SCENARIOS, {})


def snapshot(s: Settings) -> dict:
    """The current what-if values as a saved scenario keeps them, with the period and activity window spelled out."""
    return {**whatif.what_if_values(url_sync.scenario()), keys.PERIOD: s.period, keys.ACTIVITY: s.activity_months}


def save(name: str, s: Settings) -> str:
    """Save the current what-if values as ``name`` (cleaned; the same name overwrites); return the saved name.

    Raises :class:`~retention_views.whatif.ScenarioNameError` for a name that is empty or too long and when the
    session already holds :data:`MAX_SAVED` other scenarios.
    """
    name = whatif.clean_name(name)
    scenarios = saved()
    if name not in scenarios and len(scenarios) >= MAX_SAVED:
        raise whatif.ScenarioNameError("scenario_too_many", f"at most {MAX_SAVED} saved scenarios")
    scenarios[name] = snapshot(s)
    return name


def load(name: str) -> None:
    """Put the saved scenario ``name`` into the widgets and the URL (a button callback: runs before the widgets)."""
    values = {key: value for key, value in saved()[name].items()
              if sidebar.defaults().get(key, object()) != value}  # a default period is not a change
    kept = {key: value for key, value in url_sync.scenario().items() if not PARAMS[key].what_if}
    st.session_state[keys.SCENARIO] = {**kept, **values}
    st.session_state.pop(keys.NUMBER_ERRORS, None)  # a refused entry gives way to the loaded value; every widget
    # then follows the scenario
    st.query_params.from_dict(url_params.to_query(url_sync.scenario()))


def save_form(s: Settings) -> None:
    """The sidebar's "save this scenario" field: a name and a button; the result is shown in plain words."""
    with st.sidebar.expander(s.t("scenario_save_title"), icon=":material/bookmark_add:"):
        with st.form("scenario_save_form", clear_on_submit=True, border=False):
            name = st.text_input(s.t("scenario_name"), max_chars=whatif.MAX_NAME_LENGTH,
                                 key="scenario_save_name", placeholder=s.t("scenario_name_placeholder"))
            submitted = st.form_submit_button(s.t("scenario_save"), icon=":material/save:")
        if submitted:
            try:
                saved_name = save(name, s)
            except whatif.ScenarioNameError as error:
                st.error(s.t(error.key, limit=MAX_SAVED, length=whatif.MAX_NAME_LENGTH),
                         icon=":material/error:")
            else:
                st.success(widgets.message("scenario_saved", s.lang, name=saved_name), icon=":material/check:")
