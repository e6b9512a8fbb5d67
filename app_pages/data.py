"""Data: upload the five sheets, map their columns, see what was kept and rejected, and use them."""

import streamlit as st

from dashboard import sidebar, upload, upload_blockers, widgets
from retention_core.ingest import SHEETS
from retention_views import text_keys

s = sidebar.settings()
widgets.header("data", s)

tabs = st.tabs([s.t(text_keys.SHEET[kind]) + ("" if kind == "transactions" else " " + s.t("data_optional"))
                for kind in SHEETS])
for tab, kind in zip(tabs, SHEETS):
    with tab:
        upload.sheet_section(kind, s)

upload_blockers.use_section(s)
