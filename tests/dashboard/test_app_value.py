"""Customer value through the real frame: every page renders on the data sets that used to crash it, unknown inputs
show "–" instead of 0, and a label shows the same value on every page, in the Scenarios comparison and the export.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from apptest_support import APP, metric_value
from streamlit.testing.v1 import AppTest

from dashboard import keys
from retention_core.dataset import Dataset, aggregate
from retention_views import report, whatif
from retention_views.formats import format_money
from sample_data import load_sample

pytestmark = pytest.mark.slow  # whole-page AppTests; the quick run has the smoke test of every page (test_app.py)

PAGES = ("overview", "retention_cost", "clv", "profit", "cohorts", "loyalty", "scenarios")
CLV = "CLV (Margen-Multiplikator)"


def open_data(dataset: Dataset | None, page: str, lang: str = "de", params: dict | None = None) -> AppTest:
    """The app on ``dataset`` as an upload put into use (the sample when None), on ``page``, after ``params`` as a
    link's query; fails on any exception."""
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["app_lang"] = lang
    for key, value in (params or {}).items():
        app.query_params[key] = value
    if dataset is not None:
        app.session_state[keys.DATASET] = dataset
        app.session_state[keys.SOURCE] = "upload"
    app.run()
    app.switch_page(f"app_pages/{page}.py").run()
    assert not app.exception, (page, app.exception)
    return app


def transactions(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    return frame.assign(customer_id=frame["customer_id"].astype("str"), order_date=pd.to_datetime(frame["order_date"]))


def one_time_buyers() -> Dataset:
    """300 customers over three years, each buying once for 40."""
    days = pd.date_range("2022-01-01", "2024-12-31", periods=300).normalize()
    rows = [(f"K{index}", str(day.date()), 40.0) for index, day in enumerate(days)]
    return Dataset(transactions=transactions(rows), key="once", name="once")


def single_customer() -> Dataset:
    """One customer buying every month for three years (annual retention 100 %)."""
    rows = [("K1", f"{year}-{month:02d}-15", 30.0) for year in (2022, 2023, 2024) for month in range(1, 13)]
    return Dataset(transactions=transactions(rows), key="single", name="single")


def single_day() -> Dataset:
    """20 customers, all on one day."""
    return Dataset(transactions=transactions([(f"K{i}", "2024-03-05", 10.0 + i) for i in range(20)]), key="day",
                   name="day")


def short_history() -> Dataset:
    """Eight months of orders from 60 customers, most buying again: less than a year."""
    rng = np.random.default_rng(7)
    rows = [(f"K{rng.integers(60)}", str(day.date()), float(rng.integers(5, 80)))
            for day in pd.date_range("2024-01-01", "2024-08-31", periods=400)]
    return Dataset(transactions=transactions(rows), key="short", name="short")


def negative_quarter() -> Dataset:
    """Three years of orders of 50 customers; in Q3 2024, the quarter before the one the Overview opens on (so its
    change is computed from it), more goods come back than are sold."""
    rng = np.random.default_rng(11)
    rows = [(f"K{rng.integers(50)}", str(day.date()), float(rng.integers(5, 50)))
            for day in pd.date_range("2022-01-01", "2024-12-31", periods=900)]
    rows += [(f"K{index}", "2024-08-15", -400.0) for index in range(10)]
    return Dataset(transactions=transactions(rows), key="negative-quarter", name="negative-quarter")


def negative_total() -> Dataset:
    """Two customers over three years whose returns exceed everything they bought, also in the last 12 months."""
    rows = [(customer, f"{year}-06-01", 20.0) for customer in ("K1", "K2") for year in (2022, 2023, 2024)]
    rows += [("K1", "2024-05-01", -500.0), ("K2", "2023-03-01", -400.0)]
    return Dataset(transactions=transactions(rows), key="negative-total", name="negative-total")


def spend_without_new_customers() -> Dataset:
    """The sample with an acquisition sheet that spends money but wins nobody."""
    sample = load_sample()
    acquisition = sample.acquisition.assign(new_customers=0.0)
    return Dataset(transactions=sample.transactions, retention_costs=sample.retention_costs, acquisition=acquisition,
                   key="no-new", name="no-new")


CASES = {
    "one_time_buyers": (one_time_buyers, None),
    "single_customer": (single_customer, None),
    "single_day": (single_day, None),
    "short_history": (short_history, None),
    "negative_quarter": (negative_quarter, None),
    "negative_total": (negative_total, None),
    "spend_without_new_customers": (spend_without_new_customers, None),
    "old_link_retention_0": (None, {"clv_retention_rate": "0"}),
    "retention_0": (None, {"clv_annual_retention": "0", "profit_retention": "0"}),
    "retention_99": (None, {"clv_annual_retention": "0.99", "profit_retention": "0.99"}),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_data_that_used_to_crash_it(case, page):
    build, params = CASES[case]
    open_data(build() if build else None, page, params=params)


def test_a_quarter_whose_returns_exceed_its_sales_shows_a_negative_revenue():
    app = open_data(negative_quarter(), "overview")
    app.select_slider(key="overview_period").set_value(pd.Timestamp("2024-07-01")).run()
    assert not app.exception
    assert metric_value(app, "Umsatz je aktivem Kunden").startswith("-")


@pytest.mark.parametrize("page", ("overview", "clv", "profit"))
def test_the_value_pages_render_in_english_on_one_time_buyers(page):
    app = open_data(one_time_buyers(), page, "en")
    assert app.title[0].value == {"overview": "Overview", "clv": "CLV & gap", "profit": "Retention → profit"}[page]


def test_one_time_buyers_are_worth_one_purchases_margin_on_the_clv_page():
    # retention 0 (nobody of 2023 bought again in 2024); 40 per purchase × the default margin 30 % = 12.00
    app = open_data(one_time_buyers(), "clv")
    assert app.select_slider(key="clv_annual_retention").value == 0.0
    for label in ("Einfacher CLV", CLV, "CLV (fester Horizont)"):
        assert metric_value(app, label) == "12,00\u00a0€"
    # no cost or acquisition sheet: their figures are unknown, shown as "–" with where to get them
    assert metric_value(app, "CLV-Lücke") == "–" and metric_value(app, "Nettowert je Neukunde") == "–"
    hints = " ".join(info.value for info in app.info)
    assert "Kundenbindungskosten" in hints and "Akquisitionskosten" in hints


def test_without_two_years_of_orders_retention_is_empty_and_can_be_assumed():
    app = open_data(short_history(), "clv")
    retention = app.select_slider(key="clv_annual_retention")
    assert retention.value == "none" and retention.label == "Bindungsrate pro Jahr"  # at "—" nothing is assumed
    assert retention.options[0] == "—"
    assert metric_value(app, CLV) == "–"
    assert any("Ihre Daten umfassen 7 Monate" in info.value for info in app.info)
    retention.set_value(50.0).run()
    assert not app.exception and metric_value(app, CLV) != "–"
    assert app.query_params["clv_annual_retention"] == "0.5"


def test_spend_without_new_customers_gives_no_cac_no_net_value_and_no_ratio_bar():
    app = open_data(spend_without_new_customers(), "clv")
    assert app.text_input(key="clv_cac").value == ""
    assert metric_value(app, "Nettowert je Neukunde") == "–"
    assert metric_value(app, "CLV-Lücke") != "–"
    assert any("CLV : CAC braucht die Akquisitionskosten" in info.value for info in app.info)
    overview = open_data(spend_without_new_customers(), "overview")
    assert metric_value(overview, "CLV : CAC") == "–"


def test_an_old_links_per_period_retention_is_named_and_ignored():
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["clv_retention_rate"] = "0"
    app.run()  # the notice comes with the link's first page
    assert any("CLV: Bindungsrate je Zeitraum (alter Link; jetzt pro Jahr)" in info.value for info in app.info)
    assert "clv_retention_rate" not in app.query_params
    app.switch_page("app_pages/clv.py").run()
    assert not app.exception
    assert app.select_slider(key="clv_annual_retention").value == 58.36  # the measured value


def test_a_label_shows_the_same_value_on_every_page_the_comparison_and_the_export(sample_quarterly):
    sample = sample_quarterly
    overview = open_data(None, "overview")
    clv = open_data(None, "clv")
    labels = (CLV, "CLV-Lücke", "Nettowert je Neukunde", "CLV : CAC")
    shown = {label: metric_value(overview, label) for label in labels}
    assert shown == {label: metric_value(clv, label) for label in labels}
    # another period and activity window: the same values
    for period, months in (("month", 3), ("year", 6)):
        app = open_data(None, "overview", params={"app_period": period, "app_activity_months": str(months)})
        assert {label: metric_value(app, label) for label in labels} == shown, (period, months)
    # the Scenarios comparison of the current settings and its export
    scenarios_page = open_data(None, "scenarios")
    table = scenarios_page.dataframe[0].value.set_index("kpi")
    for label in labels:
        assert table.loc[label, "a"] == table.loc[label, "b"] == shown[label], label
    values = whatif.resolve(sample, {}).values
    frame = report.scenario_frame("x", values, whatif.evaluate(sample, values), "de", "EUR", "quarter")
    exported = frame.set_index("Größe")["Anzeige"]
    for label in labels:
        assert exported[label] == shown[label], label
    # the simulator with the same profit every year is worth the CLV minus CAC (its value before the uplift)
    margin = sample.basis.margin_per_year(values["clv_gross_margin"])
    flat = ",".join(f"{year}:{margin!r}" for year in (1, 2))
    profit = open_data(None, "profit", params={"profit_tenure": flat})
    result = whatif.evaluate(sample, values).clv
    assert metric_value(profit, "Kundenwert heute") == format_money(
        result.margin_multiple_clv - values["profit_cac"], "de", "EUR")
