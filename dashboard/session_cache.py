"""This session's bounded caches of what is computed from the data shown, kept in ``st.session_state``.

Each cache is a dict in the session under its key (:mod:`dashboard.keys`), its entries keyed by the data set's
content key and the inputs; past its limit the oldest entry goes. They hold a user's results only for that user
(nothing of an upload reaches a cache shared by every session), live as long as the session, also across a dropped
connection, and are emptied together when another data set is put into use (:func:`forget_data`).

Streamlit's session-scoped cache (``st.cache_resource(scope="session")``) keeps the results that draw nothing while
they are computed (the cohort fits, the purchase rhythm). These do not move there: building them draws on the page
(the aggregation's status box with its progress bar and the way back to the sample, the forecast's spinner, the
waiting text of the work queue; a figure's build may run the forecast), and Streamlit replays what a cached function
drew on every later hit; the aggregation reuses an earlier entry of the same data for another period, which needs
the cache's entries; and Streamlit empties a session's caches when its connection drops, while the session goes on
after the reconnect, so an upload would be aggregated and forecast again, box and wait included.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import streamlit as st

from dashboard import keys

#: The most entries each cache keeps.
LIMITS = {
    keys.AGGREGATES: 4,
    keys.FACTS: 4,
    keys.FORECASTS: 16,
    keys.FORECAST_BASES: 2,  # the sample's and the upload's (each large: a value per customer)
    keys.FIGURES: 32,  # the charts no slider of their page changes, and the Overview's bridge per period
    keys.SEGMENT_BASES: 8,  # a few small rows each: every dimension of the shown data, and the NPS groups
    keys.SEGMENT_LABELS: 1,  # a label per customer: the dimension shown (the page's list reads it on every run)
    keys.SEGMENT_PREDICTIVE: 8,  # a row per segment: the predictive mean CLVs of a dimension at margin 1
    keys.SEGMENT_REPLICATES: 8,  # four small arrays (segment rows × 200 replicates) per dimension
    keys.SEGMENT_VIEWS: 16,  # a few small tables each: the page's last scenarios (its dimension and the NPS groups)
    keys.CUSTOMER_LISTS: 4,  # the shown data's list, plain and with the labels of the page's dimension
    keys.CUSTOMER_VALUES: 2,  # a scenario's columns of the list (large: five values per customer)
}


def kept(store: str, key: Hashable, build: Callable[[], object]):
    """``build()`` kept in this session's cache ``store`` under ``key``; past the store's limit the oldest goes."""
    cache: dict = st.session_state.setdefault(store, {})
    if key not in cache:
        cache[key] = build()
        while len(cache) > LIMITS[store]:
            cache.pop(next(iter(cache)))
    return cache[key]


def entries(store: str) -> dict:
    """The entries of this session's cache ``store``, oldest first (empty before the first)."""
    return st.session_state.get(store, {})


def forget_data() -> None:
    """Empty the caches (another data set is put into use)."""
    for store in LIMITS:
        st.session_state[store] = {}
