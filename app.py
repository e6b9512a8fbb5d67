"""Retention Economics Dashboard — the frame: page config, sidebar, navigation.

Run with ``streamlit run app.py``; it opens on the embedded sample business. Pages live in ``app_pages/``.
``streamlit run app.py -- --aggregates DIR`` (or ``-- --data PATH``) opens pre-aggregated tables or an order file
instead, see ``dashboard/source.py``.
"""

from pathlib import Path

import streamlit as st

from dashboard import (errors, first_paint, keys, run_counts, runtime, saved_scenarios, shown_data, sidebar,
                       url_sync, warm_up, widgets)
from retention_views.texts import t

# A file served by this server: a ":material/...:" or emoji page icon makes the browser fetch it from a Google or
# Twemoji host on every page load, and nothing the app shows may come from outside the server.
FAVICON = Path(__file__).parent / "dashboard" / "assets" / "favicon.png"
st.set_page_config(page_title="Retention Economics", page_icon=str(FAVICON), layout="wide")
runtime.avoid_huge_page_stalls()  # before an upload's large arrays and the upload worker's processes
if configuration_problems := runtime.start_up():
    st.error(widgets.message("error_configuration", st.session_state.get(keys.LANG, sidebar.browser_language()),
                             details="; ".join(configuration_problems)), icon=":material/error:")
    st.stop()

PAGES = (
    ("app_pages/overview.py", "page_overview", ":material/dashboard:"),
    ("app_pages/retention_cost.py", "page_retention_cost", ":material/payments:"),
    ("app_pages/clv.py", "page_clv", ":material/trending_up:"),
    ("app_pages/profit.py", "page_profit", ":material/rocket_launch:"),
    ("app_pages/cohorts.py", "page_cohorts", ":material/grid_on:"),
    ("app_pages/loyalty.py", "page_loyalty", ":material/favorite:"),
    ("app_pages/segments.py", "page_segments", ":material/pie_chart:"),
    ("app_pages/scenarios.py", "page_scenarios", ":material/compare_arrows:"),
    ("app_pages/data.py", "page_data", ":material/upload_file:"),
)

warm_up.run_started()  # the server's start-up work waits while a visitor's page runs
try:
    with errors.boundary():  # an unexpected error: a message in the user's language and the way back, logged
        run_counts.count_run("app_frame")
        first_paint.begin()
        url_sync.restore_from_link()
        url_sync.prepare_settings()
        settings = sidebar.sidebar(on_change=errors.guarded(url_sync.setting_changed))
        url_sync.mirror_url(settings)
        url_sync.check_link(settings)
        url_sync.notice(settings)
        lang = settings.lang
        navigation = st.navigation(
            [st.Page(path, title=t(title, lang), icon=icon, default=index == 0)
             for index, (path, title, icon) in enumerate(PAGES)]
        )
        with st.sidebar:
            st.caption(widgets.message("sidebar_source_caption", lang, name=shown_data.dataset_name(lang)))
        st.session_state[keys.PAGE] = navigation.url_path
        saved_scenarios.save_form(settings)
        errors.show_callback_error()
        navigation.run()
        first_paint.end()  # the session's first run left its charts out: the browser reruns for them
finally:
    warm_up.run_ended()
runtime.freeze_long_lived_objects()  # after the page: its imports are done
warm_up.page_shown()  # the server's start-up work may go on with what the other pages need
