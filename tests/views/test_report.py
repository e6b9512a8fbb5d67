"""Exports of a scenario: the table, the offline HTML report, PNG charts and the A/B figures, checked by hand."""

from __future__ import annotations

import io
import os
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from retention_core import intervals, metrics

from retention_views import charts, report, whatif
from retention_views.exports import to_csv_bytes, to_xlsx_bytes
from retention_views.page_results import ClvResult

HOSTILE_NAME = "<script>alert(1)</script> =cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def cafe(tiny_aggregates):
    """The typed-in café (12.00 per customer) and the CLV at margin 50 %, no discounting and an assumed annual
    retention of 75 % (the tiny data cover nine months): m = 0.5 × 280 / 4 buyers = 35, CLV = 35 / 0.25 = 140."""
    values = whatif.resolve(tiny_aggregates, {"clv_gross_margin": 0.5, "clv_discount_rate": 0.0,
                                              "clv_annual_retention": 0.75, "clv_retention_cost_year": 10.0}).values
    return values, whatif.evaluate(tiny_aggregates, values)


def test_formulas_are_read_from_the_metrics_docstrings():
    formula = report.formula_of(metrics.margin_multiple_clv)
    assert formula.formula == "CLV = m · (1 + i) / (1 + i − r)"
    assert formula.summary.startswith("Customer lifetime value of a newly won customer")
    assert "Farris et al. (2010), §5.3" in formula.reference


def test_a_function_without_a_formula_line_cannot_be_cited():
    def undocumented():
        """Does something."""

    with pytest.raises(ValueError, match="undocumented has no 'Formula:' line"):
        report.formula_of(undocumented)


def test_the_scenario_table_lists_inputs_and_results_raw_and_as_shown(cafe):
    values, outcome = cafe
    frame = report.scenario_frame("Café", values, outcome, "de", "EUR", "quarter")
    assert list(frame.columns) == ["Bereich", "Größe", "Wert", "Anzeige", "80-%-Intervall", "80 % von", "80 % bis"]
    assert frame.iloc[0].tolist()[:5] == ["Szenario", "Name des Szenarios", "Café", "Café", ""]
    rows = frame.set_index("Größe")
    assert rows.loc["CLV: Bruttomarge", "Wert"] == 0.5  # fractions stay fractions for spreadsheets
    assert rows.loc["CLV: Bruttomarge", "Anzeige"] == "50,0\u00a0%"
    assert rows.loc["Bindungskosten je aktivem Kunden", "Wert"] == pytest.approx(12.0)
    assert rows.loc["Bindungskosten je aktivem Kunden", "Anzeige"] == "12,00\u00a0€"
    assert rows.loc["CLV (Margen-Multiplikator)", "Anzeige"] == "140,00\u00a0€"
    # 140 − 10 · 1 / 0.25 = 100; no acquisition data: net value and CLV : CAC unknown, blank and "–", never 0
    assert rows.loc["CLV-Lücke", "Anzeige"] == "100,00\u00a0€"
    assert pd.isna(rows.loc["Nettowert je Neukunde", "Wert"]) and rows.loc["Nettowert je Neukunde", "Anzeige"] == "–"
    assert rows.loc["CLV : CAC", "Anzeige"] == "–"
    assert rows.loc["CLV: CAC (letzte 12 Monate)", "Anzeige"] == "–"


class _Text(HTMLParser):
    """Visible text and the script tags of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.scripts: list[dict] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            self.text.append(data)


@pytest.fixture(scope="module")
def html_report(cafe) -> str:
    values, outcome = cafe
    frame = report.scenario_frame(HOSTILE_NAME, values, outcome, "en", "EUR", "quarter")
    figures = [charts.clv_waterfall_chart(outcome.clv, "en", "EUR")]
    return report.html_report(HOSTILE_NAME, "Data: tiny", frame, figures, "en")


def test_the_html_report_shows_the_numbers_and_the_formulas_with_references(html_report):
    parser = _Text()
    parser.feed(html_report)
    text = " ".join(parser.text)
    assert "€12.00" in text  # retention cost per customer, 8,400 / 700
    assert "€140.00" in text  # CLV, 35 / (1 − 0.75)
    assert "50.0%" in text  # the margin input
    assert "CLV = m · (1 + i) / (1 + i − r)" in text
    assert "LRC = c · (1 + i) / (1 + i − r)" in text
    assert "r = buyers in both years / buyers in the earlier year" in text
    assert "Reichheld & Sasser (1990)" in text


def test_the_html_report_works_offline(html_report):
    parser = _Text()
    parser.feed(html_report)
    assert all("src" not in attributes for attributes in parser.scripts)  # nothing loaded from a CDN
    assert "Plotly.newPlot" in html_report
    assert len(html_report) > 1_000_000  # plotly.js inlined


def test_the_html_report_escapes_the_scenario_name(html_report):
    assert "<script>alert(1)" not in html_report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_report
    parser = _Text()
    parser.feed(html_report)
    assert f"Scenario “{HOSTILE_NAME}”" in " ".join(parser.text)


def test_csv_and_xlsx_exports_neutralise_a_formula_in_the_name(cafe):
    from openpyxl import load_workbook

    values, outcome = cafe
    frame = report.scenario_frame("=cmd|' /C calc'!A0", values, outcome, "en", "EUR", "quarter")
    csv = pd.read_csv(io.StringIO(to_csv_bytes(frame, "en").decode("utf-8-sig")))
    assert csv.iloc[0]["Value"] == "'=cmd|' /C calc'!A0"
    assert csv.iloc[0]["Shown"] == "'=cmd|' /C calc'!A0"
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(frame, "scenario"))).active
    assert sheet.cell(row=2, column=3).value == "=cmd|' /C calc'!A0"  # as written, a text cell, quote prefix
    assert sheet.cell(row=2, column=3).data_type == "s" and sheet.cell(row=2, column=3).quotePrefix


def test_file_names_keep_only_safe_characters():
    assert report.file_stem("Marge 35 % / <b>") == "Marge_35_b"
    assert report.file_stem("../../etc/passwd") == "etc_passwd"
    assert report.file_stem("   ") == "scenario"


def test_png_export_names_a_missing_browser(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert report.png_unavailable() == "png_no_browser"
    with pytest.raises(report.PngUnavailable, match="png_no_browser"):
        report.figure_png(charts.clv_cac_chart(2.0, "en"))


@pytest.mark.slow
def test_charts_render_as_png_in_one_zip_with_chromium():
    if report.png_unavailable() and not os.environ.get("CI"):
        pytest.skip(f"PNG export unavailable here: {report.png_unavailable()} (install chromium)")
    archive = report.figures_zip({"clv_cac": charts.clv_cac_chart(2.0, "en"),
                                  "waterfall": charts.clv_waterfall_chart(_clv(200, 50, 100), "de", "EUR")})
    import zipfile

    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.namelist() == ["clv_cac.png", "waterfall.png"]
        png = opened.read("clv_cac.png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")
    assert width == 1000 * report.PNG_SCALE


def _clv(clv: float, lifetime_cost: float | None, cac: float | None) -> ClvResult:
    gap = None if lifetime_cost is None else clv - lifetime_cost
    return ClvResult(margin_per_year=0, expected_lifetime_years=0, simple_clv=0, margin_multiple_clv=clv,
                     finite_horizon_clv=0, lifetime_retention_cost=lifetime_cost, acquisition_cost=cac, clv_gap=gap,
                     net_value=None if gap is None or cac is None else gap - cac, break_even_retention_spend=0,
                     clv_to_cac=None)


def test_the_ab_clv_chart_puts_both_scenarios_step_by_step_side_by_side():
    figure = charts.clv_steps_chart({"A": _clv(200, 50, 100), "<b>B</b>": _clv(240, 40, 100)}, "en", "EUR")
    assert [trace.name for trace in figure.data] == ["A", "&lt;b&gt;B&lt;/b&gt;"]  # a name stays text
    assert list(figure.data[0].y) == [200, -50, 150, -100, 50]
    assert list(figure.data[1].y) == [240, -40, 200, -100, 100]


def test_unknown_steps_of_the_clv_charts_are_left_out_not_drawn_as_zero():
    # without a CAC: no "− CAC" bar and no net value in the A/B chart, and the waterfall ends at the CLV gap
    steps = charts.clv_steps_chart({"A": _clv(200, 50, None)}, "en", "EUR")
    assert list(steps.data[0].y) == [200, -50, 150, None, None]
    waterfall = charts.clv_waterfall_chart(_clv(200, 50, None), "en", "EUR")
    assert list(waterfall.data[0].x) == ["CLV (margin<br>multiple)", "− retention cost", "CLV gap"]
    # without a retention cost the waterfall is the CLV alone
    assert list(charts.clv_waterfall_chart(_clv(200, None, 80), "en", "EUR").data[0].y) == [200]
    # and the cost chart shows no CAC bar without a CAC
    band = charts.cac_band_chart(12.0, (60.0, 300.0), None, "en", "EUR")
    assert list(band.data[0].x) == [12.0] and list(band.data[0].y) == ["Retention per customer"]


def test_the_ab_uplift_chart_overlays_both_curves_and_the_reichheld_band():
    curve = pd.DataFrame({"uplift_points": [0.0, 0.05], "relative_change": [0.0, 0.3], "value_change": [0.0, 9.0]})
    figure = charts.uplift_curves_chart({"A": curve, "B": curve.assign(relative_change=[0.0, 0.5])}, "de", "EUR")
    assert [trace.name for trace in figure.data][:2] == ["A", "B"]
    assert list(figure.data[1].y) == [0.0, 0.5]
    assert list(figure.data[2].y) == [0.25, 0.95]  # Reichheld's published band at 5 pp


def test_each_scenarios_uplift_band_is_drawn_in_its_colour_behind_its_line():
    curve = pd.DataFrame({"uplift_points": [0.0, 0.05], "relative_change": [0.0, 0.3], "value_change": [0.0, 9.0]})
    band = pd.DataFrame({"uplift_points": [0.0, 0.05], "relative_low": [0.0, 0.2], "relative_high": [0.0, 0.4],
                         "value_low": [0.0, 6.0], "value_high": [0.0, 12.0]})
    figure = charts.uplift_curves_chart({"A": curve, "B": curve.assign(relative_change=[0.0, 0.5])}, "en", "EUR",
                                        {"A": band, "B": None})
    lower, upper, line_a, line_b = figure.data[:4]
    assert list(lower.y) == [0.0, 0.2] and list(upper.y) == [0.0, 0.4] and upper.fill == "tonexty"
    assert upper.fillcolor == "rgba(31, 95, 139, 0.18)"  # A's colour #1f5f8b, light
    assert upper.text[1] == "80%: 20.0–40.0%" and upper.showlegend is False
    assert lower.legendgroup == upper.legendgroup == line_a.legendgroup != line_b.legendgroup
    assert (line_a.name, line_b.name) == ("A", "B")  # B without replicates: no band


def test_the_ab_clv_steps_carry_each_scenarios_intervals_as_error_bars():
    sure = {"A": {"clv_margin_multiple": intervals.Interval(180.0, 230.0, 0.8, 200, 200),
                  "label_lifetime_retention_cost": intervals.Interval(40.0, 70.0, 0.8, 200, 200),
                  "kpi_clv_gap": intervals.Interval(130.0, 170.0, 0.8, 200, 200)}}
    figure = charts.clv_steps_chart({"A": _clv(200, 50, 100), "B": _clv(240, 40, 100)}, "en", "EUR", sure)
    a, b = figure.data
    # CLV 200 (180–230), − retention cost −50 (−70 to −40), gap 150 (130–170), CAC and net value without one
    assert list(a.error_y.array) == pytest.approx([30.0, 10.0, 20.0, 0.0, 0.0])
    assert list(a.error_y.arrayminus) == pytest.approx([20.0, 20.0, 20.0, 0.0, 0.0])
    assert b.error_y.array is None  # B has no interval


def test_uplift_curves_near_a_customer_value_of_zero_are_drawn_in_money_without_the_band():
    curve = pd.DataFrame({"uplift_points": [0.0, 0.05], "relative_change": [float("nan"), float("nan")],
                          "value_change": [0.0, 9.0]})
    figure = charts.uplift_curve_chart(curve, 0.05, "en", "EUR")
    assert len(figure.data) == 1 and list(figure.data[0].y) == [0.0, 9.0]
    assert figure.layout.title.text == "Customer value gained per point of retention (per new customer)"


def test_the_uplift_band_is_drawn_behind_the_line_with_its_range_on_hover():
    curve = pd.DataFrame({"uplift_points": [0.0, 0.05], "relative_change": [0.0, 0.3], "value_change": [0.0, 9.0]})
    band = pd.DataFrame({"uplift_points": [0.0, 0.05], "relative_low": [0.0, 0.18], "relative_high": [0.0, 0.44],
                         "value_low": [0.0, 5.0], "value_high": [0.0, 14.0]})
    figure = charts.uplift_curve_chart(curve, 0.05, "de", "EUR", band)
    lower, upper, line = figure.data[:3]
    assert list(lower.y) == [0.0, 0.18] and lower.showlegend is False and lower.hoverinfo == "skip"
    assert list(upper.y) == [0.0, 0.44] and upper.fill == "tonexty" and upper.line.width == 0
    assert upper.name == "80-%-Intervall (Ihre Daten)" and upper.text[1] == "80\u00a0%: 18,0–44,0\u00a0%"
    assert line.name == "Ihr Unternehmen" and list(line.y) == [0.0, 0.3]
    english = charts.uplift_curve_chart(curve, 0.05, "en", "EUR", band)
    assert english.data[1].name == "80% interval (your data)" and english.data[1].text[1] == "80%: 18.0–44.0%"
    # in money near a customer value of zero, the band in money; a band with a hole is left out
    money = charts.uplift_curve_chart(curve.assign(relative_change=float("nan")), 0.05, "en", "EUR", band)
    assert list(money.data[1].y) == [0.0, 14.0] and money.data[1].text[1] == "80%: €5.00–14.00"
    holed = band.assign(relative_high=[0.0, float("nan")])
    assert len(charts.uplift_curve_chart(curve, 0.05, "en", "EUR", holed).data) == 2


def test_the_ab_cost_chart_stacks_each_category_per_customer(tiny_aggregates):
    a = whatif.evaluate(tiny_aggregates, whatif.resolve(tiny_aggregates, {}).values).cost.scenario
    b = whatif.evaluate(tiny_aggregates, whatif.resolve(tiny_aggregates, {"cost_change_team": 1.0}).values).cost.scenario
    figure = charts.cost_per_customer_compare_chart({"A": a, "B": b}, "en", "EUR")
    team = figure.data[0]
    assert list(team.y) == pytest.approx([5000 / 700, 10000 / 700])
    assert figure.data[-1].text[1] == "€19.14"  # 13,400 / 700


def test_the_scenario_carries_nrr_and_grr_of_its_overview_period_into_table_and_report(cafe):
    # tiny_aggregates, Q2 -> Q3 2024: the buyers of Q2 (A 20, C 50) spend 30 and 60 in Q3, D (70) is new:
    # NRR = (70 + 20) / 70, GRR = 70 / 70
    values, outcome = cafe
    assert values["overview_period"] == pd.Timestamp("2024-07-01")
    kpis = whatif.outcome_kpis(outcome)[:2]
    assert [(kpi.key, kpi.kind) for kpi in kpis] == [("kpi_net_revenue_retention", "fraction"),
                                                     ("kpi_gross_revenue_retention", "fraction")]
    assert (kpis[0].value, kpis[1].value) == (pytest.approx(90 / 70), pytest.approx(1.0))
    rows = report.scenario_frame("Café", values, outcome, "de", "EUR", "quarter").set_index("Größe")
    assert rows.loc["Netto-Umsatzbindung (NRR)", "Anzeige"] == "128,6\u00a0%"
    page = report.html_report("Café", "tiny", report.scenario_frame("Café", values, outcome, "en", "EUR", "quarter"),
                              [], "en")
    assert "Net revenue retention (NRR) from one period to the next." in page
    assert "NRR = (S + E − C − L) / S" in page and "Σ min(r_P, r_P−1) / Σ r_P−1" in page


def _numbers_of(column: pd.Series) -> list[float]:
    return [float(value) for value in column if isinstance(value, (int, float)) and not isinstance(value, bool)]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_csv_export_reads_back_to_the_same_numbers_in_the_users_spreadsheet_dialect(cafe, lang):
    values, outcome = cafe
    frame = report.scenario_frame("Café", values, outcome, lang, "EUR", "quarter")
    value_column = frame.columns[2]
    assert len(_numbers_of(frame[value_column])) >= 10  # inputs and results as numbers
    text = to_csv_bytes(frame, lang).decode("utf-8-sig")
    # German Excel: ";" between cells and "," as decimal mark; English: "," and "."
    separator, decimal = (";", ",") if lang == "de" else (",", ".")
    back = pd.read_csv(io.StringIO(text), sep=separator, decimal=decimal, dtype=str, keep_default_na=False)
    number = re.compile(r"-?\d+(" + re.escape(decimal) + r"\d+)?(e[-+]\d+)?")  # no grouping, the language's mark
    read = [float(cell.replace(decimal, ".")) for cell in back[value_column] if number.fullmatch(cell)]
    assert read == pytest.approx(_numbers_of(frame[value_column]))
    if lang == "de":  # nothing German Excel would take for a date or a thousands group
        assert not any(re.fullmatch(r"-?\d+\.\d+", cell) for cell in back[value_column])


def test_the_xlsx_export_has_number_cells_for_numbers_and_text_cells_for_text(cafe):
    from openpyxl import load_workbook

    values, outcome = cafe
    frame = report.scenario_frame("Café", values, outcome, "de", "EUR", "quarter")
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(frame, "scenario"))).active
    for row, (value, shown) in enumerate(zip(frame.iloc[:, 2], frame.iloc[:, 3]), start=2):
        raw, text = sheet.cell(row=row, column=3), sheet.cell(row=row, column=4)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            assert raw.data_type == "n" and raw.value == pytest.approx(value), (row, raw.value)
        assert text.data_type == "s" and text.value == shown  # shown as the dashboard writes it, no apostrophe
        assert not str(text.value).startswith("'")


def test_a_signed_number_as_shown_is_written_as_shown_and_a_formula_is_not_run():
    from openpyxl import load_workbook

    frame = pd.DataFrame({"Wert": [-0.2, 5.02], "Angezeigt": ["-20,0 %", "=1+1"]})
    text = to_csv_bytes(frame, "de").decode("utf-8-sig")
    assert text.splitlines()[1:] == ["-0,2;-20,0 %", "5,02;'=1+1"]
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    assert [sheet.cell(row=2, column=1).value, sheet.cell(row=2, column=2).value] == [-0.2, "-20,0 %"]
    assert sheet.cell(row=2, column=1).data_type == "n" and sheet.cell(row=2, column=2).data_type == "s"
    formula = sheet.cell(row=3, column=2)
    assert formula.value == "=1+1" and formula.data_type == "s" and formula.quotePrefix


def test_the_report_states_each_formula_in_the_readers_language_and_its_english_line_is_the_docstrings():
    from retention_views import text_keys, texts

    for function in report.REPORT_FORMULAS:
        key = text_keys.REPORT_FORMULA_LINE.get(function.__name__)
        if key:
            assert texts.template(key, "en") == report.formula_of(function).formula, key


def test_the_german_report_has_no_developer_text_and_no_unused_typed_costs(cafe):
    values, outcome = cafe
    frame = report.scenario_frame("Café", {**values, "cost_mode": "data", "cost_typed_team": 5000.0}, outcome,
                                  "de", "EUR", "quarter")
    page = report.html_report("Café", "Daten: Beispiel", frame, [], "de")
    formulas = page[page.index("Verwendete Formeln"):]
    for developer_text in ("seed article", "retention_core", ".py", "<code>margin_multiple_clv</code>",
                           "total retention cost", "Formula"):
        assert developer_text not in formulas, developer_text
    assert "Bindungskosten je Kunde = gesamte Bindungskosten / aktive Kunden" in formulas
    assert "Farris et al. (2010), §5.3" in formulas
    assert "Bindungskosten: Team (eingegeben)" not in frame.iloc[:, 1].tolist()  # a cost sheet was used
    typed = report.scenario_frame("Café", {**values, "cost_mode": "typed", "cost_typed_team": 5000.0}, outcome,
                                  "de", "EUR", "quarter")
    assert "Bindungskosten: Team (eingegeben)" in typed.iloc[:, 1].tolist()
