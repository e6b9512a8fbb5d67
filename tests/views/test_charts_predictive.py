"""The predictive charts (retention_views.charts.predictive): the P(alive) histogram marks its mean with the
parameters' 80 % interval in both languages, and the mean alone without one."""

from __future__ import annotations

import dataclasses

import pandas as pd

from retention_core.intervals import Interval
from retention_core.models import PredictiveClvSummary
from retention_views.charts import predictive

HISTOGRAM = pd.DataFrame({"bin_start": [0.0, 0.5], "bin_end": [0.5, 1.0], "customers": [3, 7]})
SUMMARY = PredictiveClvSummary(
    gross_margin=1.0, annual_discount_rate=0.1, horizon_months=12, customers=10, mean_clv=50.0, median_clv=40.0,
    total_clv=500.0, mean_probability_alive=0.74, clv_histogram=HISTOGRAM, alive_histogram=HISTOGRAM,
    top_customers=pd.DataFrame(), mean_probability_alive_interval=Interval(0.735, 0.741, 0.8, 200, 200))


def test_the_alive_mean_is_marked_with_its_interval_in_both_languages():
    german = predictive.probability_alive_histogram(SUMMARY, "de").layout.annotations[0].text
    english = predictive.probability_alive_histogram(SUMMARY, "en").layout.annotations[0].text
    assert german == "Mittelwert: 74\u00a0% (80\u00a0%: 73,5–74,1\u00a0%)"
    assert english == "Mean: 74% (80%: 73.5–74.1%)"


def test_without_an_interval_the_mean_stands_alone():
    bare = dataclasses.replace(SUMMARY, mean_probability_alive_interval=None)
    assert predictive.probability_alive_histogram(bare, "en").layout.annotations[0].text == "Mean: 74%"
