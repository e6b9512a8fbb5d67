"""AppTests of revenue retention: the Overview's cards and revenue bridge, the Cohorts page's NRR per cohort, the
scenario comparison, and the Data page's subscription hint.

Expected values come from a few lines of pandas on the sample CSV that follow the definitions (buyers = customers
with an order in the period, revenue net of returns), never from the code under test.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from apptest_support import ROOT, chart_titled, german_number, metric_value, open_page

pytestmark = pytest.mark.slow  # whole-page AppTests; the quick run has the smoke test of every page (test_app.py)

SAMPLE_CSV = ROOT / "sample_data" / "transaktionen.csv"


@pytest.fixture(scope="module")
def quarters() -> pd.DataFrame:
    """Per customer and quarter of the sample: net revenue and whether they ordered."""
    rows = pd.read_csv(SAMPLE_CSV, sep=";", decimal=",", thousands=".", encoding="cp1252",
                       dtype={"Kundennummer": str, "Bestelldatum": str})
    rows["quarter"] = pd.to_datetime(rows["Bestelldatum"], format="%d.%m.%Y").dt.to_period("Q")
    return rows.groupby(["Kundennummer", "quarter"]).agg(revenue=("Betrag", "sum"),
                                                         ordered=("Betrag", lambda a: bool((a >= 0).any())))


def bridge_by_hand(quarters: pd.DataFrame, previous: str, current: str) -> dict[str, float]:
    buyers = quarters[quarters["ordered"]]["revenue"].unstack(fill_value=np.nan)
    before, now = buyers[pd.Period(previous)], buyers[pd.Period(current)]
    both = before.notna() & now.notna()
    ordered_earlier = buyers.loc[:, buyers.columns < pd.Period(previous)].notna().any(axis=1)
    arriving = now.notna() & before.isna()
    return {
        "starting": before.sum(), "ending": now.sum(),
        "new": now[arriving & ~ordered_earlier].sum(), "reactivated": now[arriving & ordered_earlier].sum(),
        "expansion": (now - before)[both].clip(lower=0).sum(), "contraction": (before - now)[both].clip(lower=0).sum(),
        "churned": before[before.notna() & now.isna()].sum(),
    }


def test_overview_shows_nrr_grr_and_the_revenue_bridge_of_the_chosen_quarter(quarters):
    app = open_page("app_pages/overview.py")
    app.select_slider(key="overview_period").set_value(pd.Timestamp("2024-07-01")).run()
    assert not app.exception
    lines = bridge_by_hand(quarters, "2024Q2", "2024Q3")
    nrr = (lines["starting"] + lines["expansion"] - lines["contraction"] - lines["churned"]) / lines["starting"]
    grr = (lines["starting"] - lines["contraction"] - lines["churned"]) / lines["starting"]
    assert german_number(metric_value(app, "Netto-Umsatzbindung (NRR)")) == pytest.approx(100 * nrr, abs=0.05)
    assert german_number(metric_value(app, "Brutto-Umsatzbindung (GRR)")) == pytest.approx(100 * grr, abs=0.05)
    assert german_number(metric_value(app, "Abgewanderter Umsatz")) == pytest.approx(lines["churned"], abs=0.005)
    assert german_number(metric_value(app, "Mehrumsatz (Expansion)")) == pytest.approx(lines["expansion"], abs=0.005)
    waterfall = chart_titled(app, "Umsatzbrücke Q2 2024 → Q3 2024")["data"][0]
    assert waterfall["x"] == ["Käufer Q2 2024", "+ Neukunden", "+ Reaktiviert", "+ Expansion", "− Kontraktion",
                              "− Abwanderung", "Käufer Q3 2024"]
    expected = [lines["starting"], lines["new"], lines["reactivated"], lines["expansion"], -lines["contraction"],
                -lines["churned"], lines["ending"]]
    assert waterfall["y"] == pytest.approx(expected, abs=0.005)
    assert waterfall["measure"] == ["absolute", *["relative"] * 5, "total"]
    app.run()  # the step reran the slider's fragments alone; the trend is drawn by the whole page (the browser keeps it)
    trend = chart_titled(app, "Netto- und Brutto-Umsatzbindung je Zeitraum")
    assert [trace["name"] for trace in trend["data"]] == [
        "Netto-Umsatzbindung (NRR)", "Brutto-Umsatzbindung (GRR)", "100 %: Bestandskunden halten ihren Umsatz"]


def test_overview_in_english_on_the_yearly_grid_compares_grr_with_the_subscription_benchmark(quarters):
    app = open_page("app_pages/overview.py", lang="en")
    app.button_group(key="app_period").set_value("year").run()
    assert not app.exception
    assert metric_value(app, "Net revenue retention (NRR)").endswith("%")
    trend = chart_titled(app, "NRR and GRR by period")
    names = [trace["name"] for trace in trend["data"]]
    assert names[-1] == "Typical annual GRR of subscription software: 90% (SaaS Capital 2023)"
    assert chart_titled(app, "Revenue bridge 2023 → 2024")["data"][0]["x"][0] == "Buyers 2023"
    assert any("SaaS Capital, 2023 B2B SaaS Retention Benchmarks" in caption.value for caption in app.caption)


def test_cohorts_page_shows_nrr_per_cohort_beside_the_head_count_cohorts():
    app = open_page("app_pages/cohorts.py")
    heatmap = chart_titled(app, "Netto-Umsatzbindung je Kohorte")["data"][0]
    assert heatmap["type"] == "heatmap" and len(heatmap["y"]) == 12  # the 12 quarterly cohorts, as above
    assert heatmap["x"][0] == "1"  # from one period after the first purchase: period 0 has no period before
    assert any(subheader.value == "Umsatz-Kohorten" for subheader in app.subheader)


def test_the_scenario_comparison_lists_nrr_and_grr_of_each_scenarios_period():
    app = open_page("app_pages/scenarios.py", lang="en")
    rows = app.dataframe[0].value
    kpis = list(rows["kpi"])
    assert kpis[:2] == ["Net revenue retention (NRR)", "Gross revenue retention (GRR)"]
    assert rows["a"].iloc[0].endswith("%") and rows["difference"].iloc[0] == "±0"


def monthly_subscriptions(customers: int = 40) -> bytes:
    """A German CSV of subscribers billed on the same day every month for a year, a few with one extra order."""
    lines = ["Kundennummer;Bestelldatum;Betrag"]
    for number in range(customers):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=number % 28)
        for month in range(12):
            day = start + pd.DateOffset(months=month)
            lines.append(f"A{number};{day:%d.%m.%Y};19,90")
        if number % 5 == 0:
            lines.append(f"A{number};{start + pd.Timedelta(days=40):%d.%m.%Y};7,50")
    return "\n".join(lines).encode("cp1252")


def upload(app, name: str, content: bytes):
    app.file_uploader(key="data_file_transactions").set_value((name, content, "text/csv")).run()
    assert not app.exception, app.exception
    return app


def test_the_data_page_suggests_the_monthly_period_for_a_subscription_business():
    app = upload(open_page("app_pages/data.py"), "abos.csv", monthly_subscriptions())
    hint = " ".join(markdown.value for markdown in app.markdown)
    assert "Abo-Muster erkannt" in hint and "100\u00a0% der Kunden mit mindestens drei Käufen" in hint
    assert "sBG" in hint
    app.button(key="data_use_month").click().run()
    assert not app.exception
    assert app.session_state["app_period"] == "month" and app.query_params["app_period"] == "month"
    assert not [button for button in app.button if button.key == "data_use_month"]  # month chosen: no button


def test_the_sample_business_is_no_subscription_business_and_gets_no_hint():
    # a third of the roastery's customers subscribe; the others buy when they like
    app = upload(open_page("app_pages/data.py"), "transaktionen.csv", SAMPLE_CSV.read_bytes())
    assert not any("Abo-Muster" in markdown.value for markdown in app.markdown)
