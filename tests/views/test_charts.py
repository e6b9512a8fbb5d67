"""Charts read at a glance: the predicted-CLV histogram with a few customers worth a lot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention_core import models
from retention_core.models import PredictiveClvSummary
from retention_views import charts
from retention_views.charts.common import step_labels
from retention_views.page_results import ClvResult


def _summary(values: np.ndarray, bins: int) -> PredictiveClvSummary:
    histogram, median, _ = models.clv_distribution(values, bins, 1)
    return PredictiveClvSummary(gross_margin=0.3, annual_discount_rate=0.1, horizon_months=60.0,
                                customers=values.size, mean_clv=float(values.mean()), median_clv=median,
                                total_clv=float(values.sum()), mean_probability_alive=0.7, clv_histogram=histogram,
                                alive_histogram=histogram, top_customers=pd.DataFrame())


def test_the_customers_above_the_99th_percentile_are_one_labelled_grey_bar():
    # 1 ... 99 and one customer at 10 000: four bars of 24.75 € up to 99 €, then a gap of one bar, then the grey bar
    summary = _summary(np.append(np.arange(1.0, 100.0), 10_000.0), 5)
    figure = charts.predictive_clv_histogram(summary, "de", "EUR")
    bars, rest = figure.data
    assert list(bars.y) == [24, 25, 25, 25] and list(rest.y) == [1]
    assert rest.x == (99 + 1.5 * 24.75,) and rest.marker.color == "#8d99ae"
    label = figure.layout.annotations[0]  # ends at the bar's right edge, above it
    assert (label.text, label.x, label.y, label.xanchor) == ("≥ 99\u00a0€", 99 + 2 * 24.75, 1, "right")
    # the mean (149,50 €) lies beyond the grey bar: marked at its right edge, labelled with its value
    assert figure.layout.shapes[0].x0 == 99 + 2 * 24.75
    assert figure.layout.annotations[1].text == "Mittelwert: 150\u00a0€"
    assert charts.predictive_clv_histogram_note(summary, "en", "EUR") == (
        "The grey bar holds the 1 customer with the highest predicted CLV (from €99 up to €10,000): shown one by "
        "one, they would squeeze everyone else into the first bars.")


def test_without_outliers_the_histogram_has_no_grey_bar_and_no_note():
    summary = _summary(np.arange(1.0, 101.0), 4)
    figure = charts.predictive_clv_histogram(summary, "de", "EUR")
    assert len(figure.data) == 1 and list(figure.data[0].y) == [24, 25, 25, 26]
    assert charts.predictive_clv_histogram_note(summary, "de", "EUR") is None


def test_step_labels_stack_words_in_lines_of_sixteen_characters_and_keep_a_long_word_whole():
    assert step_labels(["CLV (Margen-Multiplikator)", "− Bindungskosten", "Nettowert je Neukunde",
                        "Kundenbindungskostenübersicht"]) == [
        "CLV (Margen-<br>Multiplikator)", "− Bindungskosten", "Nettowert je<br>Neukunde",
        "Kundenbindungskostenübersicht"]


def test_the_clv_waterfall_names_its_steps_in_stacked_lines():
    result = ClvResult(margin_per_year=60.0, expected_lifetime_years=3.0, simple_clv=200.0, margin_multiple_clv=180.0,
                       finite_horizon_clv=170.0, lifetime_retention_cost=40.0, acquisition_cost=100.0, clv_gap=140.0,
                       net_value=40.0, break_even_retention_spend=None, clv_to_cac=1.8)
    assert list(charts.clv_waterfall_chart(result, "de", "EUR").data[0].x) == [
        "CLV (Margen-<br>Multiplikator)", "− Bindungskosten", "CLV-Lücke", "− CAC", "Nettowert je<br>Neukunde"]
