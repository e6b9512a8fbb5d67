"""Rendering helpers every page shares: headers, KPI cards, value formatting, notices and safe downloads."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard import first_paint
from dashboard.sidebar import Settings
from retention_core.customer_value import AnnualBasis
from retention_core.intervals import Interval, informative, thin_data
from retention_views import text_keys
from retention_views.exports import to_csv_bytes
from retention_views.formats import format_day, format_interval_range, format_kind, format_number, format_percent
from retention_views.page_results import MAX_RETENTION, Kpi
from retention_views.texts import t

PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": "hover", "modeBarButtons": [["toImage", "resetScale2d"]],
                 "locale": "de"}
"""Plotly's toolbar only while the pointer is on a chart (a tap on a phone), and only its two buttons an owner uses
(save as PNG, reset the zoom): the full bar of eight covered the chart's title and legend on a phone."""
CHART_TOP_MARGIN = 30
"""The top margin of a chart in the app, whose title stands above it (:func:`chart`); a legend above the plot
widens it as Plotly needs."""
PLOTLY_HEIGHT = 450  # pixels: Plotly's height of a figure that sets none
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Message values the app writes itself (counts, limits, the detected dialect); every other value is user text.
_OWN_VALUES = frozenset({"rows", "limit", "columns", "line", "limit_kb", "size_mb", "limit_mb", "limit_gb", "seconds",
                         "expected", "separator", "decimal", "dates", "encoding", "format"})


def plain(text: object) -> str:
    """``text`` from a user (a file, column, sheet or scenario name, a cell) for a place where Streamlit reads
    Markdown (messages, captions, widget labels), as an inline code span: Markdown shows a code span's characters
    as they are, with no image, link, heading, emphasis, directive (``:red[...]``, ``:material/...:``), formula
    or HTML. Backslash escapes are not enough: the address in ``![x](https://host/x.png)`` still became a link
    (GitHub's autolinks look for addresses in the text after escapes are read). Control characters and line
    breaks become spaces; the fence is one backtick longer than any run of backticks in ``text``."""
    text = _CONTROL.sub(" ", str(text))
    if not text.strip():
        return text
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    padded = text[0] == "`" or text[-1] == "`" or (text[0] == " " and text[-1] == " ")
    return f"{fence} {text} {fence}" if padded else f"{fence}{text}{fence}"


def message(key: str, lang: str, **params: object) -> str:
    """``t(key, lang, **params)`` for a Markdown place: each value that is user text (any but the app's own counts,
    limits and dialect, ``_OWN_VALUES``) shown as text with :func:`plain`."""
    return t(key, lang, **{name: value if name in _OWN_VALUES else plain(value) for name, value in params.items()})


def header(page: str, s: Settings) -> None:
    """Page title and the one-paragraph "how to read this page"."""
    st.title(s.t(text_keys.PAGE_TITLE[page]))
    st.caption(s.t(text_keys.PAGE_INTRO[page]))


def format_value(kind: str, value: float | None, s: Settings) -> str:
    """A KPI value as text: counts grouped, fractions as percent, money in the currency, ratios as ``x : 1``."""
    return format_kind(kind, value, s.lang, s.currency)


def format_delta(kind: str, delta: float | None, s: Settings) -> str | None:
    """The change as text: fractions in percentage points (``+1,2 pp``), ``relative`` changes in percent."""
    if delta is None or delta == 0:
        return None
    sign = "+" if delta >= 0 else "-"  # ASCII minus: Streamlit reads it to point the arrow down
    if kind == "relative":
        return sign + format_percent(abs(delta), s.lang)
    if kind == "fraction":
        return f"{sign}{format_number(abs(delta) * 100, s.lang, 1)} pp"
    if kind == "ratio":
        return sign + format_number(abs(delta), s.lang, 1)
    return sign + format_value(kind, abs(delta), s)


def format_range(kind: str, bounds: tuple[float, float], s: Settings) -> str:
    """``low – high`` in the KPI's format."""
    return f"{format_value(kind, bounds[0], s)} – {format_value(kind, bounds[1], s)}"


def kpi_cards(kpis: Sequence[Kpi], s: Settings, per_row: int = 4,
              labels: Mapping[str, str] | None = text_keys.KPI) -> None:
    """KPI cards in rows, each with its formula as help text and the change against the previous period.

    A card's label is the text ``labels[kpi.key]`` (``kpi.key`` itself when ``labels`` is None) and its help
    ``text_keys.CARD_HELP[label]``; a KPI with an interval shows it as :func:`metric` does."""
    for start in range(0, len(kpis), per_row):
        for column, kpi in zip(st.columns(per_row), kpis[start:start + per_row]):
            label = kpi.key if labels is None else labels[kpi.key]
            if kpi.interval is not None:
                metric(label, kpi.kind, kpi.value, s, text_keys.CARD_HELP[label],
                       delta=format_delta(kpi.kind, kpi.delta, s), container=column,
                       lower_is_better=kpi.lower_is_better, interval=kpi.interval)
                continue
            column.metric(
                s.t(label), format_value(kpi.kind, kpi.value, s),
                delta=format_delta(kpi.kind, kpi.delta, s), help=s.t(text_keys.CARD_HELP[label]),
                delta_color="inverse" if kpi.lower_is_better else "normal", border=True,
            )


def shown_interval(interval: Interval | None, value: float | None) -> Interval | None:
    """:func:`retention_core.intervals.informative`: the interval worth showing with ``value``, else None."""
    return informative(interval, value)


def metric(label_key: str, kind: str, value: float | None, s: Settings, help_key: str | None = None,
           delta: str | None = None, container=st, lower_is_better: bool = False,
           interval: Interval | None = None, interval_help_key: str = "interval_help") -> None:
    """One number with a translated label; ``lower_is_better`` turns a rise red (costs, churn).

    With an ``interval`` (:func:`shown_interval`) the card shows it in grey under the number ("80 %: 142–177 €")
    unless it has a ``delta``, and its help explains it (text ``interval_help_key``: the bootstrap's, unless the
    interval comes from elsewhere)."""
    help_text = s.t(help_key) if help_key else None
    interval = shown_interval(interval, value)
    if interval is None:
        container.metric(s.t(label_key), format_value(kind, value, s), delta=delta,
                         delta_color="inverse" if lower_is_better else "normal", help=help_text, border=True)
        return
    bounds = format_interval_range(kind, interval.low, interval.high, s.lang, s.currency)
    help_text = "\n\n".join(part for part in (help_text, s.t(interval_help_key, range=bounds)) if part)
    if delta is None:
        container.metric(s.t(label_key), format_value(kind, value, s),
                         delta=s.t("interval_level", range=bounds), delta_color="off", delta_arrow="off",
                         help=help_text, border=True)
    else:
        container.metric(s.t(label_key), format_value(kind, value, s), delta=delta,
                         delta_color="inverse" if lower_is_better else "normal", help=help_text, border=True)


def interval_sentence(key: str, kind: str, value: float | None, interval: Interval | None, s: Settings) -> None:
    """The page's one plain sentence on how sure a figure is (text ``key`` with ``low`` and ``high``), and a second
    one when its data are thin (:func:`thin_data_text`); nothing without an interval."""
    interval = shown_interval(interval, value)
    if interval is None:
        return
    text = s.t(key, low=format_value(kind, interval.low, s), high=format_value(kind, interval.high, s))
    thin = thin_data_text(interval, value, s)
    st.caption(f"{text} {thin}" if thin else text)


def thin_data_text(interval: Interval | None, value: float | None, s: Settings, customers: int | None = None,
                   repeaters: int | None = None) -> str | None:
    """The sentence saying a figure rests on thin data (:func:`retention_core.intervals.thin_data` decides:
    a wide interval, or a model fitted on few ``customers`` or ``repeaters``); None when it does not."""
    thin = thin_data(shown_interval(interval, value), value, customers, repeaters)
    if thin is None:
        return None
    return s.t(text_keys.THIN_DATA[thin.reason],
               **{name: format_number(count, s.lang) for name, count in thin.params.items() if count is not None})


def chart(figure: go.Figure, s: Settings, key: str | None = None) -> None:
    """A Plotly chart under its title, with the language's locale for its toolbar and dates.

    The title is a line of text above the chart instead of inside it: Plotly does not wrap a title, so on a phone
    a long one was cut at the chart's edge (and the toolbar lay over it); text above the chart wraps. The figure
    keeps its title for the report and the PNG exports: it is taken out only while Streamlit writes the chart
    (a copy would be validated again, and cached figures are shared between reruns).

    In a session's first run the chart is left out, its title and a blank of its height drawn instead
    (:mod:`dashboard.first_paint`): the browser paints the page's figures before it loads Plotly's script."""
    layout = figure.layout
    title, top = layout.title.text, layout.margin.t
    if title:
        st.markdown(f"**{chart_title(title)}**")
    if first_paint.first_run():  # the session's first run: the figures first, the charts in the run after it
        st.container(height=layout.height or PLOTLY_HEIGHT, border=False, key=key and f"{key}_later")
        return
    if title:
        layout.title.text, layout.margin.t = "", CHART_TOP_MARGIN
    try:
        st.plotly_chart(figure, config={**PLOTLY_CONFIG, "locale": s.lang}, key=key)
    finally:
        layout.title.text, layout.margin.t = title, top


def chart_title(title: str) -> str:
    """A chart's title as Markdown: a dollar sign stays a dollar sign (two of them would start a formula), and
    Plotly's ``<br>`` becomes a space."""
    return title.replace("<br>", " ").replace("$", "\\$")


def localized(frame: pd.DataFrame, formats: Mapping[str, tuple[str, int]], s: Settings) -> Styler:
    """``frame`` for ``st.dataframe`` with the numbers of each column in ``formats`` written as the language writes
    them: ``("number", 2)`` gives ``33,54`` / ``33.54``, ``("percent", 1)`` gives ``98,9 %`` / ``98.9%``; other
    decimal columns get no decimals for whole numbers and two otherwise (a Styler would write six). The cells keep
    their numbers, so the table still sorts by value; Streamlit's own number formats write a decimal point in every
    language."""
    writers = {"number": format_number, "percent": format_percent}
    chosen = {column: (lambda value, write=writers[kind], digits=digits: write(value, s.lang, digits))
              for column, (kind, digits) in formats.items()}
    others = {column: (lambda value: format_number(value, s.lang, 0 if float(value).is_integer() else 2))
              for column in frame.columns if column not in formats and pd.api.types.is_float_dtype(frame[column])}
    return frame.style.format({**others, **chosen})


def basis_caption(basis: AnnualBasis, s: Settings) -> None:
    """What customer value is measured on: the last 12 months before the data's last order date, in the numbers a
    consultant needs to recompute it (buyers, revenue, purchases, and who bought again)."""
    first_day = max(basis.year_start + pd.Timedelta(days=1), basis.first_order)  # a shorter history starts later
    dates = {"start": format_day(first_day, s.lang), "end": format_day(basis.as_of, s.lang)}
    text = s.t("basis_caption", **dates, buyers=format_number(basis.buyers, s.lang),
               revenue=format_value("money", basis.revenue, s), occasions=format_number(basis.occasions, s.lang))
    if basis.retention_rate is not None:
        text += " " + s.t("basis_caption_retention", previous=format_number(basis.previous_year_buyers, s.lang),
                          retained=format_number(basis.retained_buyers, s.lang),
                          rate=format_percent(basis.retention_rate, s.lang))
        if basis.retention_rate > MAX_RETENTION:
            text += " " + s.t("basis_caption_capped", cap=format_percent(MAX_RETENTION, s.lang, 0))
    st.caption(text)


def unknown_inputs(basis: AnnualBasis, values: Mapping[str, float | None], s: Settings) -> None:
    """One line each for the customer-value inputs that are unknown (``values``: ``retention``, ``cost``, ``cac``
    as the fields hold them; a key left out is not reported): why the data does not measure it and where to get
    it."""
    lines = []
    if "retention" in values and values["retention"] is None:
        reason = basis.retention_unknown_reason or "assumed"
        lines.append(s.t(text_keys.UNKNOWN_RETENTION[reason], months=basis.history_months))
    if "cost" in values and values["cost"] is None:
        lines.append(s.t("unknown_retention_cost"))
    if "cac" in values and values["cac"] is None:
        lines.append(s.t("unknown_cac"))
    if lines:
        st.info("\n\n".join(lines), icon=":material/info:")


def missing_sheet(sheet: str, s: Settings) -> None:
    """Explain which sheet a section needs and where to upload it, instead of failing."""
    st.info(s.t("missing_sheet", sheet=s.t(text_keys.SHEET[sheet])), icon=":material/info:")


def csv_download(frame: pd.DataFrame, file_name: str, s: Settings, key: str, label_key: str = "download_csv") -> None:
    """A download button for ``frame`` as a formula-injection-safe CSV in the user's spreadsheet dialect."""
    st.download_button(s.t(label_key), to_csv_bytes(frame, s.lang), file_name=file_name, mime="text/csv",
                       key=key, icon=":material/download:")


def column_labels(frame: pd.DataFrame, s: Settings) -> dict:
    """Column configuration for a canonical frame: translated headers, dates as dates in the language's order."""
    date_format = "DD.MM.YYYY" if s.lang == "de" else "YYYY-MM-DD"
    config = {}
    for column in frame.columns:
        label = s.t(text_keys.COLUMN[column]) if column in text_keys.COLUMN else str(column)
        is_date = pd.api.types.is_datetime64_any_dtype(frame[column])
        config[column] = st.column_config.DateColumn(label, format=date_format) if is_date else label
    return config
