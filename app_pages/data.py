"""Data: upload the four sheets, map their columns, see what was kept and rejected, and use them."""

import streamlit as st

from dashboard import state, upload, widgets
from retention_core.columns import SHEETS
from retention_core.i18n import t

s = state.settings()
widgets.header("data", s)

tabs = st.tabs([t(f"sheet_{kind}", s.lang) + ("" if kind == "transactions" else " " + t("data_optional", s.lang))
                for kind in SHEETS])
for tab, kind in zip(tabs, SHEETS):
    with tab:
        upload.sheet_section(kind, s)

if upload.prepared("transactions") is None:
    st.info(t("data_transactions_required", s.lang), icon=":material/info:")
else:
    upload.subscription_hint(s)
    st.button(t("data_use", s.lang), type="primary", key="data_use", icon=":material/check:",
              on_click=lambda: state.use_uploaded(upload.dataset()))
