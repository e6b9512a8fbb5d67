"""Notes under the uploaded sheets about what they hold: how the customers sheet meets the orders
(:func:`customers_match_note`), and a hint when the orders look like subscriptions (:func:`subscription_hint`).
Each is worked out once per upload and mapping and kept for the session."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import keys, url_sync
from dashboard.sidebar import Settings
from dashboard.upload_session import entries
from retention_core.purchase_rhythm import PurchaseRhythm, purchase_rhythm
from retention_core.segments import CustomersSheetMatch, customer_attributes
from retention_views.formats import format_number, format_percent


# --- how the customers sheet meets the orders ------------------------------------------------------------------


def customers_match_note(s: Settings) -> None:
    """Under the customers sheet, once the transactions are prepared too: how many of its customers have no order
    (counted, not used) and how many customers of the orders it does not list (their segment is "missing")."""
    match = _customers_match()
    if match is None:
        return
    st.info(s.t("data_customers_match", listed=format_number(match.listed, s.lang),
                in_orders=format_number(match.in_orders, s.lang),
                not_in_orders=format_number(match.not_in_orders, s.lang),
                unlisted=format_number(match.unlisted, s.lang)), icon=":material/group:")


def _customers_match() -> CustomersSheetMatch | None:
    """:func:`customer_attributes`' match of the prepared customers sheet and transactions (None without both)."""
    customers, orders = entries().get("customers"), entries().get("transactions")
    if customers is None or orders is None or customers.prepared is None or orders.prepared is None:
        return None
    ids = orders.prepared.codes.get("customer_id")
    return _match(customers.key, str(customers.mapping), orders.key, str(orders.mapping), customers.prepared.frame,
                  orders.prepared.frame["customer_id"] if ids is None else ids.values)


@st.cache_resource(scope="session", max_entries=1, show_spinner=False)  # one pair of uploads at a time
def _match(customers_key: str, customers_mapping: str, orders_key: str, orders_mapping: str, _customers: pd.DataFrame,
           _ids) -> CustomersSheetMatch:
    """How the customers sheet ``customers_key`` meets the customers of the orders ``orders_key`` (their distinct
    ids, the codes' values when prepared), kept for this session by Streamlit."""
    return customer_attributes(_customers, pd.Series(pd.unique(pd.Series(_ids))))[1]


# --- subscription hint ------------------------------------------------------------------------------------------


def subscription_hint(s: Settings) -> None:
    """When most repeat customers of the uploaded transactions buy at regular monthly intervals, suggest the
    monthly period and the contractual view (sBG) and say why; a button switches the period to months."""
    rhythm = _rhythm()
    if rhythm is None or not rhythm.looks_like_subscriptions:
        return
    with st.container(border=True, key="data_subscription_hint"):
        st.markdown(s.t("data_subscription_hint", share=format_percent(rhythm.share, s.lang, 0)))
        if s.period != "month":
            st.button(s.t("data_subscription_use_month"), key="data_use_month", icon=":material/calendar_month:",
                      on_click=_use_month)


def _rhythm() -> PurchaseRhythm | None:
    """The purchase rhythm of the prepared transactions, worked out once per upload and mapping (None without)."""
    entry = entries().get("transactions")
    if entry is None or entry.prepared is None:
        return None
    codes = entry.prepared.codes.get("customer_id")
    return _purchase_rhythm(entry.key, str(entry.mapping), entry.prepared.frame, None if codes is None else codes.codes)


@st.cache_resource(scope="session", max_entries=1, show_spinner=False)  # one upload of transactions at a time
def _purchase_rhythm(upload_key: str, mapping: str, _frame: pd.DataFrame, _codes) -> PurchaseRhythm:
    """:func:`purchase_rhythm` of the prepared transactions ``_frame`` (the upload ``upload_key`` under ``mapping``),
    kept for this session by Streamlit."""
    return purchase_rhythm(_frame, _codes)


def _use_month() -> None:
    """The hint's button: the sidebar's period becomes "month" (and the link says so)."""
    st.session_state[keys.PERIOD] = "month"
    url_sync.setting_changed(keys.PERIOD)
