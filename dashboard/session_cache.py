"""This session's bounded caches of what is computed from the data shown, kept in ``st.session_state``.

Each cache is a dict in the session under its key (:mod:`dashboard.keys`), its entries keyed by the data set's
content key and the inputs; past its limit the oldest entry goes. They hold a user's results only for that user
(nothing of an upload reaches a cache shared by every session), survive a reconnect of the browser as the session
does, and are emptied together when another data set is put into use (:func:`forget_data`).
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
    keys.COHORT_FITS: 8,
    keys.FIGURES: 16,
    keys.RHYTHMS: 1,  # one upload of transactions at a time
}
#: The caches of results of the data set shown (not of the uploaded sheets, which stay when another data set is used).
DATA_CACHES = (keys.AGGREGATES, keys.FACTS, keys.FORECASTS, keys.FORECAST_BASES, keys.COHORT_FITS, keys.FIGURES)


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
    """Empty the caches of the data set's results (a new data set is put into use)."""
    for store in DATA_CACHES:
        st.session_state[store] = {}
