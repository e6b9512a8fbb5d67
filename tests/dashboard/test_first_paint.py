"""A session's first view is two runs: the first paints the figures, the second draws the charts
(``dashboard.first_paint``)."""

from __future__ import annotations

import pytest
from apptest_support import APP, block_runs, titled_charts
from streamlit.testing.v1 import AppTest

from dashboard import keys

# A tiny page: each run records whether it was the session's first, as ``widgets.chart`` asks.
SCRIPT = """
import streamlit as st
from dashboard import first_paint

first_paint.begin()
st.session_state.setdefault("first_runs", []).append(first_paint.first_run())
if st.session_state.get("stop"):
    st.stop()
first_paint.end()
"""


def _tiny_app(**state) -> AppTest:
    app = AppTest.from_string(SCRIPT, default_timeout=30)
    for name, value in state.items():
        app.session_state[name] = value
    return app.run()


def test_the_first_run_asks_the_browser_for_the_run_that_draws_the_charts():
    app = _tiny_app()
    assert app.session_state["first_runs"] == [True]
    assert [element.type for element in app.main][-1] == "bidi_component"  # the browser's "painted" signal
    app.run()  # the run the signal starts (AppTest runs no script of the page)
    assert app.session_state["first_runs"] == [True, False]
    assert app.session_state[keys.FIRST_PAINT] == "done"
    assert "bidi_component" not in [element.type for element in app.main]


def test_a_first_run_that_stops_leaves_the_charts_to_the_user_s_next_run():
    app = _tiny_app(stop=True)  # the pages stop only before their first chart, on data they cannot show
    assert app.session_state["first_runs"] == [True]
    assert "bidi_component" not in [element.type for element in app.main]
    app.session_state["stop"] = False
    app.run()
    assert app.session_state["first_runs"] == [True, False]


@pytest.mark.slow
def test_the_overview_s_first_run_shows_the_cards_and_the_next_the_charts():
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["app_lang"] = "de"
    app.run()
    assert not app.exception, app.exception
    assert not titled_charts(app) and any(metric.label == "Aktive Kunden" for metric in app.metric)
    app.run()  # the browser's "painted"
    assert "Bindung und Abwanderung je Zeitraum" in titled_charts(app)
    assert block_runs(app)["app_frame"] == 2 and block_runs(app)["overview_page"] == 2
