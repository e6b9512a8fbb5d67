"""The predictive sections of the CLV and cohort pages (AppTest): the mean predicted CLV follows the margin slider,
the sBG projection as many periods as its slider says."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from apptest_support import chart_titled, german_number, metric_value, open_page
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.slow  # whole-page AppTests; the quick run has the smoke test of every page (test_app.py)


def german_money(app: AppTest, label: str) -> float:
    return german_number(metric_value(app, label))


def test_clv_page_predictive_mean_doubles_with_the_margin_slider():
    app = open_page("app_pages/clv.py")
    label = "CLV (BG/NBD + Gamma-Gamma), Mittelwert"
    app.select_slider(key="clv_gross_margin").set_value(25.0).run()
    quarter = german_money(app, label)
    app.select_slider(key="clv_gross_margin").set_value(50.0).run()
    assert not app.exception
    assert quarter > 0
    assert german_money(app, label) == pytest.approx(2 * quarter, abs=0.011)  # each shown rounded to cents


def decoded(values: list | dict) -> list:
    """Plotly 6+ sends numeric arrays as ``{"dtype", "bdata"}`` (base64); plain lists pass through."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def test_cohort_page_projects_as_many_quarters_as_the_slider_says():
    app = open_page("app_pages/cohorts.py")
    for periods in (2, 6):
        app.slider(key="cohort_project_periods").set_value(periods).run()
        assert not app.exception
        spec = chart_titled(app, "Bindungskurven mit sBG-Projektion")
        projection = [trace for trace in spec["data"] if trace["name"] == "Durchschnitt · Projektion (sBG)"][0]
        # The oldest cohort (Q1 2022) is observed to Q4 2024, 11 quarters later; the dashed line starts there.
        assert decoded(projection["x"]) == list(range(11, 11 + periods + 1))
