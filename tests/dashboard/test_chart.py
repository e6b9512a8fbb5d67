"""widgets.chart: the title above the chart (it wraps on a phone), the figure's own title kept, a small toolbar."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest


def _page() -> None:
    from types import SimpleNamespace

    import plotly.graph_objects as go
    import streamlit as st

    from dashboard import widgets

    figure = go.Figure([{"type": "bar", "x": [1], "y": [2]}],
                       layout={"title": {"text": "Kosten in $ je Kunde und $ je Jahr"}, "margin": {"t": 90, "l": 10}})
    widgets.chart(figure, SimpleNamespace(lang="de"))
    st.session_state["kept_title"] = figure.layout.title.text


def test_the_title_stands_above_the_chart_and_the_figure_keeps_it():
    app = AppTest.from_function(_page).run()
    assert not app.exception
    assert [node.value for node in app.markdown] == ["**Kosten in \\$ je Kunde und \\$ je Jahr**"]  # no formula
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"] == ""
    assert spec["layout"]["margin"] == {"t": 30, "l": 10}
    assert app.session_state["kept_title"] == "Kosten in $ je Kunde und $ je Jahr"  # the report and PNGs keep it
    config = json.loads(app.get("plotly_chart")[0].proto.config)
    assert config["displayModeBar"] == "hover" and config["modeBarButtons"] == [["toImage", "resetScale2d"]]
    assert config["displaylogo"] is False and config["locale"] == "de"


def _empty_page() -> None:
    from types import SimpleNamespace

    import plotly.graph_objects as go

    from dashboard import widgets

    widgets.chart(go.Figure(layout={"title": {"text": "Noch keine Daten"}}), SimpleNamespace(lang="en"))


def test_a_chart_without_traces_still_shows():
    app = AppTest.from_function(_empty_page).run()
    assert not app.exception
    assert [node.value for node in app.markdown] == ["**Noch keine Daten**"]
    assert len(app.get("plotly_chart")) == 1
