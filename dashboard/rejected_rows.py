"""The rows of an upload that were set aside, as the user reads them: the file's column names, the reasons in the
user's language, numbers and days as the language writes them; shown on the Data page and offered as CSV."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from dashboard import widgets
from dashboard.sidebar import Settings
from retention_core.ingest import SHEETS
from retention_views import text_keys
from retention_views.formats import format_day, format_number
from retention_views.reasons import translate_reason
from retention_views.texts import translator

_NUMBER_TEXT = re.compile(r"^-?\d+(\.\d+)?$")


def _cell_as_written(value: object, column_type: str | None, lang: str) -> str:
    """A rejected row's cell for the user: empty when missing, a number the preparation read (``1317.97``) as the
    language writes it (``1.317,97``), a day without a time of day; anything else as it is."""
    if value is None or pd.isna(value):
        return ""
    text = str(value)
    if column_type in ("money", "cost", "quantity", "count", "fraction", "score") and _NUMBER_TEXT.match(text):
        decimals = len(text.partition(".")[2].rstrip("0"))
        return format_number(float(text), lang, decimals)
    if column_type == "date" and text.endswith(" 00:00:00"):
        return format_day(text[:-9], lang)
    return text


def readable(kind: str, rejected: pd.DataFrame, mapping: dict | None, lang: str) -> pd.DataFrame:
    """The rejected rows as the user reads them (table and CSV): the file's column names, the row number and the
    reason headed in the user's language, the reason in that language, no ``None`` cells, numbers and days as the
    language writes them."""
    tr = translator(lang)
    names = mapping or {}
    types = SHEETS[kind].types
    shown = pd.DataFrame({
        column: [_cell_as_written(value, types.get(column), lang) for value in rejected[column]]
        for column in rejected.columns if column != "reason"
    }, index=rejected.index)
    labels = {field: tr(text_keys.COLUMN[field]) for field in types}
    shown["reason"] = [translate_reason(reason, lang, {**labels, **names}) for reason in rejected["reason"]]
    return shown.rename(columns={**names, "row_number": tr("column_row_number"),
                                 "reason": tr("column_reason")})


def show(kind: str, rejected: pd.DataFrame, s: Settings, mapping: dict | None, rows: int) -> None:
    """The first ``rows`` rejected rows with their reasons, and all of them as CSV, in the user's language."""
    if len(rejected):
        table = readable(kind, rejected, mapping, s.lang)
        st.dataframe(table.head(rows), hide_index=True)
        widgets.csv_download(table, f"rejected_{kind}.csv", s, key=f"data_rejected_{kind}",
                             label_key="data_download_rejected")
