"""Scenarios: two saved scenarios (or the current settings) side by side, loading one back, and the exports."""

import streamlit as st

from dashboard import comparison, errors, saved_scenarios, sidebar, widgets
from retention_views.texts import t

s = sidebar.settings()
widgets.header("scenarios", s)

options = comparison.choices()
if len(options) == 1:
    st.info(t("scenarios_none_saved", s.lang), icon=":material/bookmark_add:")
left, right = st.columns(2)
name_a = left.selectbox(t("scenarios_pick_a", s.lang), options, key="scenarios_a",
                        format_func=lambda name: comparison.label(name, s))
name_b = right.selectbox(t("scenarios_pick_b", s.lang), options, index=len(options) - 1, key="scenarios_b",
                         format_func=lambda name: comparison.label(name, s))
for side, column, name in (("a", left, name_a), ("b", right, name_b)):
    column.button(t("scenarios_load", s.lang), key=f"scenarios_load_{side}", icon=":material/upload:",
                  disabled=name is comparison.CURRENT, on_click=errors.guarded(saved_scenarios.load), args=(name,),
                  help=t("scenarios_load_help", s.lang))

first, second = comparison.evaluate(name_a, s), comparison.evaluate(name_b, s)
st.subheader(t("scenarios_compare_title", s.lang))
comparison.comparison(first, second, s)
comparison.comparison_charts(first, second, s)

st.subheader(t("scenarios_export_title", s.lang))
st.caption(t("scenarios_export_intro", s.lang))
comparison.exports(s)
