"""How sure we are, through the real frame: the CLV and Retention → profit pages show each measured figure with its
80 % interval (grey under the card, explained in its help) and one plain sentence; a typed-in value has none; the
predictive mean CLV shows the interval of its parameters."""

from __future__ import annotations

import pytest
from apptest_support import open_page, titled_charts
from streamlit.testing.v1 import AppTest

from retention_core import models
from retention_views import page_results, whatif
from retention_views.formats import format_interval_range

pytestmark = pytest.mark.slow  # whole-page AppTests; the quick run has the smoke test of every page (test_app.py)


def card(app: AppTest, label: str):
    found = [metric for metric in app.metric if metric.label == label]
    assert found, [metric.label for metric in app.metric]
    return found[0]


def test_the_clv_page_shows_the_margin_multiple_clv_with_its_interval_in_both_languages(sample_quarterly):
    sample = sample_quarterly
    values = whatif.resolve(sample, {}).values
    sure = whatif.clv_intervals(sample.basis, sample.basis_replicates, values)["margin_multiple_clv"]
    for lang, label, level in (("de", "CLV (Margen-Multiplikator)", "80\u00a0%: "), ("en", "CLV (margin multiple)",
                                                                                       "80%: ")):
        app = open_page("app_pages/clv.py", lang)
        bounds = format_interval_range("money", sure.low, sure.high, lang, "EUR")
        shown = card(app, label)
        assert shown.proto.delta == level + bounds
        assert bounds in shown.proto.help
        sentences = [caption.value for caption in app.caption if "8" in caption.value and bounds[:3] in caption.value]
        assert sentences, [caption.value for caption in app.caption]


def test_the_clv_page_shows_the_predictive_mean_with_the_parameters_interval_in_both_languages(sample_quarterly):
    sample = sample_quarterly
    values = whatif.resolve(sample, {}).values
    forecast = models.predictive_clv_summary(sample.predictive, values["clv_gross_margin"],
                                             values["clv_discount_rate"], 12 * values["clv_horizon"])
    sure = forecast.mean_clv_interval
    assert sure.low < forecast.mean_clv < sure.high
    for lang, label, level, model_error in (
            ("de", "CLV (BG/NBD + Gamma-Gamma), Mittelwert", "80\u00a0%: ", "Modellfehler"),
            ("en", "CLV (BG/NBD + Gamma-Gamma), mean", "80%: ", "Model error")):
        app = open_page("app_pages/clv.py", lang)
        bounds = format_interval_range("money", sure.low, sure.high, lang, "EUR")
        shown = card(app, label)
        assert shown.proto.delta == level + bounds
        assert bounds in shown.proto.help
        assert model_error in shown.proto.help  # the parameters' uncertainty only, and the help says so
        assert "Bootstrap" not in shown.proto.help and "bootstrap" not in shown.proto.help


def test_a_typed_in_retention_cost_shows_no_interval_on_the_lifetime_cost_when_retention_is_typed_too():
    app = open_page("app_pages/clv.py", "en")
    app.select_slider(key="clv_annual_retention").set_value(70.0).run()
    app.text_input(key="clv_retention_cost_year").input("20.00").run()
    assert not app.exception
    assert card(app, "Lifetime retention cost").proto.delta == ""  # 20 × 1.08 / 0.38, certain
    assert card(app, "CLV (margin multiple)").proto.delta.startswith("80%: ")  # the margin is still measured


def test_the_profit_page_shows_the_increase_with_its_interval_and_a_sentence():
    app = open_page("app_pages/profit.py", "en")
    increase = [metric for metric in app.metric if metric.proto.delta.startswith("80%: ")]
    assert increase, [(metric.label, metric.proto.delta) for metric in app.metric]
    assert any("in 8 of 10 cases" in caption.value for caption in app.caption)


def test_the_overview_shows_the_same_interval_as_the_clv_page():
    overview = open_page("app_pages/overview.py", "de")
    clv = open_page("app_pages/clv.py", "de")
    for label in ("CLV (Margen-Multiplikator)", "CLV-Lücke", "Nettowert je Neukunde"):
        assert card(overview, label).proto.delta == card(clv, label).proto.delta != ""


def uplift_spec(app: AppTest, title: str) -> dict:
    charts = titled_charts(app)
    assert title in charts, f"no chart titled {title!r}; have {list(charts)}"
    return charts[title]


def test_the_profit_pages_uplift_curve_has_its_band_in_both_languages():
    for lang, title, name, level in (("de", "Mehr Gewinn je Prozentpunkt Bindung", "80-%-Intervall (Ihre Daten)",
                                      "80\u00a0%: "),
                                     ("en", "Profit increase per point of retention", "80% interval (your data)",
                                      "80%: ")):
        app = open_page("app_pages/profit.py", lang)
        traces = uplift_spec(app, title)["data"]
        band = [trace for trace in traces if trace.get("fill") == "tonexty"]
        assert len(band) == 1 and band[0]["name"] == name and band[0]["text"][-1].startswith(level)
        lower = traces[traces.index(band[0]) - 1]
        assert lower["hoverinfo"] == "skip" and lower["y"][-1] < band[0]["y"][-1]  # a band, not a line


def test_the_scenarios_charts_carry_each_scenarios_band_and_error_bars():
    app = open_page("app_pages/scenarios.py", "en")
    assert not app.exception
    uplift = uplift_spec(app, "Profit increase per point of retention")["data"]
    assert sum(trace.get("fill") == "tonexty" for trace in uplift) == 2  # A and B (both the current settings)
    steps = uplift_spec(app, "From CLV to net value")["data"]
    assert all(any(bar["error_y"]["array"]) for bar in steps)


def test_the_loyalty_page_shows_the_nps_with_the_interval_of_its_answers_in_both_languages(sample_quarterly):
    facts = page_results.loyalty_facts(sample_quarterly)
    shown_in = (("de", "NPS (alle Daten)", "80\u00a0%: ", "Antworten Ihrer Umfrage"),
                ("en", "NPS (all data)", "80%: ", "survey's answers"))
    for lang, label, level, words in shown_in:
        app = open_page("app_pages/loyalty.py", lang)
        bounds = format_interval_range("points", facts.nps_interval.low, facts.nps_interval.high, lang, "EUR")
        shown = card(app, label)  # the whole survey, not the Overview's period NPS
        assert shown.proto.delta == level + bounds
        assert words in shown.proto.help


@pytest.mark.parametrize(("lang", "few_customers", "few_repeaters", "wide"), [
    ("de", "Das Modell wurde an nur 640 Kundinnen und Kunden angepasst",
     "Das Modell wurde an nur 120 Wiederkäufern angepasst", "Das Intervall ist breit"),
    ("en", "The model was fitted on only 640 customers", "The model was fitted on only 120 repeat buyers",
     "The interval is wide"),
])
def test_the_predictive_card_says_when_its_data_are_thin_in_both_languages(lang, few_customers, few_repeaters,
                                                                          wide):
    from dashboard import widgets
    from dashboard.sidebar import Settings
    from retention_core.intervals import Interval
    s = Settings(lang, "EUR", "quarter", 12, "sample")
    narrow, broad = (Interval(low, high, 0.8, 200, 200) for low, high in ((95.0, 105.0), (60.0, 130.0)))
    assert widgets.thin_data_text(narrow, 100.0, s, customers=4_000, repeaters=2_895) is None  # the sample's fit
    assert widgets.thin_data_text(narrow, 100.0, s, customers=640, repeaters=300).startswith(few_customers)
    assert widgets.thin_data_text(narrow, 100.0, s, customers=4_000, repeaters=120).startswith(few_repeaters)
    assert widgets.thin_data_text(broad, 100.0, s, customers=4_000, repeaters=2_895).startswith(wide)
