"""Scenarios: two saved scenarios (or the current settings) side by side, loading one back, and the exports."""

import streamlit as st

from dashboard import comparison, errors, saved_scenarios, sidebar, widgets

s = sidebar.settings()
widgets.header("scenarios", s)

options = comparison.choices()
if len(options) == 1:
    st.info(s.t("scenarios_none_saved"), icon=":material/bookmark_add:")
left, right = st.columns(2)
name_a = left.selectbox(s.t("scenarios_pick_a"), options, key="scenarios_a",
                        format_func=lambda name: comparison.label(name, s))
name_b = right.selectbox(s.t("scenarios_pick_b"), options, index=len(options) - 1, key="scenarios_b",
                         format_func=lambda name: comparison.label(name, s))
for side, column, name in (("a", left, name_a), ("b", right, name_b)):
    column.button(s.t("scenarios_load"), key=f"scenarios_load_{side}", icon=":material/upload:",
                  disabled=name is comparison.CURRENT, on_click=errors.guarded(saved_scenarios.load), args=(name,),
                  help=s.t("scenarios_load_help"))

first, second = comparison.evaluate(name_a, s), comparison.evaluate(name_b, s)
st.subheader(s.t("scenarios_compare_title"))
comparison.comparison(first, second, s)
comparison.comparison_charts(first, second, s)

st.subheader(s.t("scenarios_export_title"))
st.caption(s.t("scenarios_export_intro"))
comparison.exports(s)
