"""The scenario in the session and in the URL: read from a link once, mirrored to the address bar on every run.

The scenario is ``st.session_state[keys.SCENARIO]``: the values the user changed from their defaults, typed, by
widget key (the same keys as the widgets, so ``clv_gross_margin`` is the CLV page's margin slider). Every change
is mirrored to ``st.query_params``, so the address bar always holds the scenario and a copied link reproduces the
view. A link is read once, on the session's first run; values that are not valid are left out, removed from the
URL and named in a notice. Parsing and bounds are in :mod:`retention_views.url_params`, defaults and checks
against the data in :mod:`retention_views.whatif`; the widgets that show the values are in :mod:`dashboard.inputs`.

Streamlit's own binding of a widget to the URL (``bind="query-params"``) is not used: it writes a select slider's or
choice's label (``35 %``, ``Quartal``) and a text field's text rather than the value, so a link would depend on the
language; it drops the parameters of the other pages' widgets on a page switch, while the link holds the whole
scenario; it removes an invalid value without saying so and cannot check a value against the data; and a bound
parameter cannot be set through ``st.query_params``, which loading a saved scenario does.
"""

from __future__ import annotations

import streamlit as st

from dashboard import first_paint, keys, shown_data, sidebar
from dashboard.sidebar import Settings
from retention_views import text_keys, url_params, whatif
from retention_views.url_params import PARAMS, SIDEBAR_KEYS


def scenario() -> dict:
    """The scenario: the values that differ from their defaults, by widget key (changed in place)."""
    return st.session_state.setdefault(keys.SCENARIO, {})


def restore_from_link() -> None:
    """On the session's first run, take the valid scenario values from the URL and note the invalid ones."""
    if st.session_state.get(keys.LINK_READ):
        return
    st.session_state[keys.LINK_READ] = True
    parsed = url_params.parse_query(st.query_params.to_dict())
    defaults = sidebar.defaults()
    for key in SIDEBAR_KEYS:  # a setting put into the session before the first run counts like a link value
        preset = st.session_state.get(key)
        if preset is not None and key not in parsed.values and preset != defaults[key]:
            scenario()[key] = preset
    scenario().update(parsed.values)
    reject(parsed.rejected)


def prepare_settings() -> None:
    """Before the sidebar is drawn: each setting widget shows the scenario's value, else its default.

    Setting the value on every run (rather than passing a default) keeps a choice when the language changes the
    labels of the options; the widgets report changes through :func:`setting_changed`.
    """
    defaults = sidebar.defaults()
    for key in SIDEBAR_KEYS:
        st.session_state[key] = scenario().get(key, defaults[key])


def setting_changed(key: str) -> None:
    """``on_change`` of the sidebar settings: a value other than the default joins the scenario."""
    remember(key, st.session_state[key], sidebar.defaults()[key])


def check_link(s: Settings) -> None:
    """On the session's first run, also drop link values this data cannot take, so one notice names them all."""
    if st.session_state.get(keys.LINK_CHECKED):
        return
    st.session_state[keys.LINK_CHECKED] = True
    given = whatif.what_if_values(scenario())
    if given:
        reject(whatif.resolve(shown_data.facts_for(s.period, s.activity_months), given).rejected)


def mirror_url(s: Settings) -> None:
    """Write the whole scenario into the URL (a page switch may have cleared it): the address bar always holds it.

    Also notes whether this run changed the language (choice widgets then need their values set again).
    """
    for key in PARAMS:
        mirror(key)
    st.session_state[keys.LANG_CHANGED] = st.session_state.get(keys.SHOWN_LANG, s.lang) != s.lang
    st.session_state[keys.SHOWN_LANG] = s.lang


def reject(rejected: tuple[str, ...] | list[str]) -> None:
    """Drop the keys ``rejected`` from the scenario, the URL and the widgets (they show their defaults) and queue
    the notice."""
    pending = st.session_state.setdefault(keys.LINK_REJECTED, [])
    for key in rejected:
        if key not in pending:
            pending.append(key)
        scenario().pop(key, None)
        st.session_state.pop(key, None)
        if key in st.query_params:
            del st.query_params[key]


def notice(s: Settings) -> None:
    """Name the settings that were ignored since the last notice (invalid in the link or not fitting the data).

    The session's first run is followed by the one that draws its charts, which the browser asks for once it has
    painted the first (:mod:`dashboard.first_paint`): the names stay queued for that run, so the notice stays on the
    page until the user's next action."""
    pending = st.session_state.get(keys.LINK_REJECTED, [])
    if pending:
        names = ", ".join(s.t(text_keys.PARAM[key]) for key in pending)
        st.info(s.t("scenario_ignored", names=names), icon=":material/link_off:")
    if not first_paint.first_run():
        st.session_state.pop(keys.LINK_REJECTED, None)


def remember(key: str, value: object, default: object) -> None:
    """``value`` joins the scenario under ``key``, or leaves it when it is the ``default``."""
    if value == default:
        scenario().pop(key, None)
    else:
        scenario()[key] = value


def mirror(key: str) -> None:
    """Write the scenario's value of ``key`` to the URL, or remove the parameter when the value is the default."""
    if key not in scenario():
        if key in st.query_params:
            del st.query_params[key]
        return
    text = url_params.format_value(PARAMS[key], scenario()[key])
    if st.query_params.get(key) != text:
        st.query_params[key] = text
