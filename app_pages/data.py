"""Data: upload the four sheets, map their columns, see what was kept and rejected, and use them."""

import streamlit as st

from dashboard import sidebar, upload, widgets
from retention_core.ingest import SHEETS
from retention_views import text_keys
from retention_views.texts import t

s = sidebar.settings()
widgets.header("data", s)

tabs = st.tabs([t(text_keys.SHEET[kind], s.lang) + ("" if kind == "transactions" else " " + t("data_optional", s.lang))
                for kind in SHEETS])
for tab, kind in zip(tabs, SHEETS):
    with tab:
        upload.sheet_section(kind, s)

upload.use_section(s)
