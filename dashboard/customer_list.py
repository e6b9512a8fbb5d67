"""The customer list (issue 26, "the customers behind the numbers"): a sortable, paged table of every customer, the
preset "valuable and at risk" and the whole selection as CSV or XLSX.

One fragment (``segments_customers``): sorting, paging and the preset rerun it alone. Only the shown page becomes a
table and reaches the browser; the downloads are built when their button is clicked (``data`` as a callable), so a
rerun never writes a file of every customer. The list and the model columns come from the session's caches
(:func:`shown_data.customer_list`, :func:`shown_data.customer_values`): a slider move never refits or re-reads.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import inputs, run_counts, shown_data, widgets
from dashboard.sidebar import Settings
from retention_core import models, segments
from retention_core.dataset import Aggregates
from retention_core.segments.customer_list import COLUMNS, MODEL_COLUMNS
from retention_views import customer_list as views
from retention_views import page_results, text_keys
from retention_views.formats import format_number

FRAGMENT = "segments_customers"
"""The fragment's key: a page whose sliders move the forecast names it among the fragments they rerun
(:func:`reruns_while_open`)."""

PAGE_SIZES = (25, 50, 100, 250)
_PREFIX = "segments_customers_"
_SORT, _DESCENDING, _PAGE, _PAGE_SIZE, _AT_RISK, _OPEN = (_PREFIX + name for name in
                                                            ("sort", "descending", "page", "page_size", "at_risk",
                                                             "open"))
EXPANDER_RUNS = "segments_customers_expander"
"""The block count of the fragment's runs, open or closed (``FRAGMENT`` counts those that built the list)."""


def is_open() -> bool:
    """Whether the list's expander is open in this session."""
    return bool(st.session_state.get(_OPEN))


def reruns_while_open(fragment: str) -> Callable[[], tuple[str, ...]]:
    """The ``reruns`` (:func:`dashboard.inputs._changed`) of a slider in ``fragment`` that also moves the list's
    CLV column: ``fragment`` and the list while the list is open; while it is closed none, so the slider reruns
    its own fragment alone (a closed list shows nothing the value moves)."""
    return lambda: (fragment, FRAGMENT) if is_open() else ()


def _first_page() -> None:
    st.session_state[_PAGE] = 1


def _at_risk_changed() -> None:
    """Turning the preset on sorts by value at risk, largest first (its own order); either way back to page 1."""
    if st.session_state.get(_AT_RISK):
        st.session_state[_SORT] = "value_at_risk"
        st.session_state[_DESCENDING] = True
    _first_page()


def _turn_page(step: int, pages: int) -> None:
    st.session_state[_PAGE] = min(max(1, int(st.session_state.get(_PAGE, 1)) + step), pages)


@st.fragment(key=FRAGMENT)
def customer_list(s: Settings, aggs: Aggregates, labels: pd.DataFrame | None = None,
                  segment: str | tuple[str | None, ...] | None = None, dimension: str | None = None) -> None:
    """The customer list inside an expander ("Kundenliste"), built only while it is open (opening reruns this
    alone). ``labels``: the label table of the page's dimension (adds the segment column); ``segment``: a label (or
    the labels of a pooled row; None among them: the customers without one) to list only its customers;
    ``dimension``: the labels' dimension, whose coded labels (RFM groups, tiers, NPS groups) are shown by name."""
    run_counts.count_run(EXPANDER_RUNS)
    box = st.expander(s.t("customers_title"), key=_OPEN, on_change="rerun", icon=":material/groups:")
    if not box.open:
        return
    run_counts.count_run(FRAGMENT)
    with box:
        _list(s, aggs, labels, segment, dimension)


def _named(frame: pd.DataFrame, customers: segments.CustomerList, dimension: str | None, lang: str) -> pd.DataFrame:
    """``frame`` with each segment label as the Segments page names it (a data value as it is)."""
    if dimension is None or customers.segment is None or "segment" not in frame.columns:
        return frame
    names = {label: page_results.segment_name(dimension, label, "segment", lang)
             for label in customers.segment.categories}
    return frame.assign(segment=frame["segment"].map(names).astype("str"))


def _list(s: Settings, aggs: Aggregates, labels: pd.DataFrame | None,
          segment: str | tuple[str | None, ...] | None, dimension: str | None) -> None:
    st.caption(s.t("customers_intro"))
    customers = shown_data.customer_list(aggs, labels)
    values = inputs.plan(s).values
    scenario = shown_data.customer_values(aggs, values["clv_gross_margin"], values["clv_discount_rate"],
                                          12 * values["clv_horizon"])
    weeks = customers.interval_weeks
    if customers.reason is not None:
        st.info(s.t("customers_no_model", reason=s.t(text_keys.PREDICTIVE_REASON[customers.reason],
                                                     **_reason_params(aggs))), icon=":material/info:")
    if segment is not None:
        named = ", ".join(s.t("customers_segment_missing") if label is None
                          else label if dimension is None
                          else page_results.segment_name(dimension, label, "segment", s.lang)
                          for label in ([segment] if isinstance(segment, str) else segment))
        st.caption(widgets.message("customers_segment_caption", s.lang, segment=named))
    columns = [column for column in COLUMNS if column != "segment" or customers.segment is not None]
    sortable = [column for column in columns if customers.reason is None or column not in MODEL_COLUMNS]
    titles = views.headers(s.lang, s.currency, weeks)
    first_sort = "clv" if customers.reason is None else "revenue"
    if st.session_state.get(_SORT) not in sortable:  # first run, or a model column of data without a model
        st.session_state[_SORT] = first_sort
    st.session_state.setdefault(_DESCENDING, True)
    st.session_state.setdefault(_PAGE_SIZE, 50)
    left, middle, right = st.columns([2, 2, 1])
    sort_by = left.selectbox(s.t("customers_sort_by"), sortable, key=_SORT, format_func=titles.get,
                             on_change=_first_page)
    descending = middle.segmented_control(
        s.t("customers_direction"), [True, False], key=_DESCENDING, on_change=_first_page,
        format_func=lambda value: s.t("customers_descending" if value else "customers_ascending"))
    page_size = right.selectbox(s.t("customers_page_size"), PAGE_SIZES, key=_PAGE_SIZE, on_change=_first_page)
    at_risk = False
    if customers.reason is None:
        at_risk = st.toggle(s.t("customers_at_risk"), key=_AT_RISK, on_change=_at_risk_changed,
                            help=s.t("customers_at_risk_help", weeks=f"{weeks:g}"))
        if at_risk:
            st.caption(s.t("customers_at_risk_note"))
    rows = segments.selected_rows(customers, scenario, segment=segment, at_risk=at_risk)
    descending = True if descending is None else descending  # a click on the chosen option clears it
    total = len(rows)
    pages = segments.page_count(total, page_size)
    if int(st.session_state.get(_PAGE, 1)) > pages:  # fewer pages since (another selection)
        st.session_state[_PAGE] = pages
    page = _pager(s, pages)
    shown = segments.sorted_page(customers, scenario, rows, sort_by, descending, page, page_size)
    if total == 0:
        st.caption(s.t("customers_caption_empty"))
    else:
        first = (page - 1) * page_size + 1
        st.caption(s.t("customers_caption", first=format_number(first, s.lang),
                       last=format_number(first + len(shown) - 1, s.lang), total=format_number(total, s.lang)))
    table = _named(segments.list_table(customers, scenario, shown)[columns], customers, dimension, s.lang)
    st.dataframe(_localized(table, s), hide_index=True, column_config=_column_config(columns, titles, s),
                 placeholder="–")  # unknown is not zero: the mark the number formats write for a missing value
    if total:
        _downloads(s, customers, scenario, rows, sort_by, descending, segment, dimension)


def _pager(s: Settings, pages: int) -> int:
    """Previous / page number / next; returns the page to show (1 … ``pages``)."""
    st.session_state.setdefault(_PAGE, 1)
    back, number, forward = st.columns([1, 2, 1], vertical_alignment="bottom")
    back.button(s.t("customers_previous"), key=_PREFIX + "previous", on_click=_turn_page, args=(-1, pages),
                disabled=st.session_state[_PAGE] <= 1, icon=":material/chevron_left:", width="stretch")
    page = number.number_input(s.t("customers_page"), min_value=1, max_value=pages, step=1, key=_PAGE,
                               help=f"1 … {format_number(pages, s.lang)}")
    forward.button(s.t("customers_next"), key=_PREFIX + "next", on_click=_turn_page, args=(1, pages),
                   disabled=st.session_state[_PAGE] >= pages, icon=":material/chevron_right:", width="stretch")
    return int(page)


def _localized(table: pd.DataFrame, s: Settings):
    """The page with shares in percent and numbers as the language writes them (ids and segments as text)."""
    shown = table.assign(**{column: table[column] * 100 for column in views.PERCENT_COLUMNS})
    return widgets.localized(shown, {"orders": ("number", 0), "revenue": ("number", 2),
                                     "probability_alive": ("number", 1), "probability_alive_drop": ("number", 1),
                                     "expected_purchases": ("number", 2), "clv": ("number", 2),
                                     "value_at_risk": ("number", 2)}, s)


def _column_config(columns: list[str], titles: dict[str, str], s: Settings) -> dict:
    config = {column: titles[column] for column in columns}
    config["last_order"] = st.column_config.DateColumn(
        titles["last_order"], format="DD.MM.YYYY" if s.lang == "de" else "YYYY-MM-DD")
    config["customer_id"] = st.column_config.TextColumn(titles["customer_id"], pinned=True)
    if "segment" in columns:
        config["segment"] = st.column_config.TextColumn(titles["segment"])
    return config


def _downloads(s: Settings, customers: segments.CustomerList, scenario: segments.CustomerValues,
               rows: np.ndarray, sort_by: str, descending: bool, segment: object, dimension: str | None) -> None:
    """CSV and XLSX of the whole selection in the chosen order, written only when a button is clicked."""
    def table() -> pd.DataFrame:
        ordered = segments.sorted_rows(customers, scenario, rows, sort_by, descending)
        frame = segments.list_table(customers, scenario, ordered)
        return (_named(frame, customers, dimension, s.lang) if customers.segment is not None
                else frame.drop(columns="segment"))

    weeks, total = customers.interval_weeks, len(rows)
    stem = views.file_stem(s.lang, segment if isinstance(segment, str) else None)
    help_text = s.t("customers_download_help", total=format_number(total, s.lang))
    left, right = st.columns(2)
    left.download_button(s.t("customers_download_csv"), lambda: views.csv_bytes(table(), s.lang, s.currency, weeks),
                         file_name=f"{stem}.csv", mime="text/csv", key=_PREFIX + "csv", help=help_text,
                         icon=":material/download:", on_click="ignore")
    if total + 1 > views.XLSX_MAX_ROWS:
        right.info(s.t("customers_xlsx_too_large", limit=format_number(views.XLSX_MAX_ROWS - 1, s.lang)),
                   icon=":material/table:")
        return
    right.download_button(s.t("customers_download_xlsx"),
                          lambda: views.xlsx_bytes(table(), s.lang, s.currency, weeks), file_name=f"{stem}.xlsx",
                          mime=views.XLSX_MIME, key=_PREFIX + "xlsx", help=help_text, icon=":material/download:",
                          on_click="ignore")


def _reason_params(aggs: Aggregates) -> dict[str, int]:
    return models.reason_params(aggs.predictive) if aggs.predictive is not None else {}
