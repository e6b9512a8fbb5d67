"""The Segments page's view function and charts, on the six hand-worked customers of tests/hand_orders.py.

``three_years`` (E = 2024-12-31: L = 2024, P = 2023): web = {A, C, E}, shop = {B, D, F} (see
tests/core/segments/test_figures.py for every figure by hand). At a 50 % margin and 10 % discount rate:
web: r = 1, m = 0.5 · 147 / 3 = 24.5, CLV = 24.5 · 1.1 / 0.1 = 269.5; shop: r = 0, m = 10, CLV = 10; nobody in
shop was won in L, so its CAC and net value are unknown. The whole: r = 2/3, m = 0.5 · 167 / 4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hand_orders import three_years_orders
from retention_core import segments
from retention_core.dataset import Dataset, aggregate
from retention_views import charts, page_results, text_keys, whatif
from retention_views.texts import t

GROSS_MARGIN, DISCOUNT = 0.5, 0.1
CHANNEL = {"A": "web", "C": "web", "E": "web", "B": "shop", "D": "shop", "F": "shop"}


@pytest.fixture(scope="module")
def aggregates():
    costs_sheet = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-07-01"]),
                                "category": ["team", "tools"], "amount": [60.0, 40.0]})
    acquisition = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01"]), "acquisition_spend": [60.0]})
    dataset = Dataset(transactions=three_years_orders(), retention_costs=costs_sheet, acquisition=acquisition,
                      key="t", name="t")
    return aggregate(dataset, "quarter", 12)


def channel_bases(aggregates, min_customers=1) -> segments.SegmentBases:
    customers = aggregates.customers
    labels = segments.label_table(customers["customer_id"], customers["customer_id"].map(CHANNEL), ["web", "shop"])
    return segments.segment_bases(customers, labels, aggregates.basis, min_customers=min_customers)


def view_of(bases, dimension="attribute", lang="de") -> page_results.SegmentView:
    return page_results.segment_view(bases, dimension, gross_margin=GROSS_MARGIN, annual_discount_rate=DISCOUNT,
                                     horizon_years=5, lang=lang)


def test_the_table_has_a_row_per_segment_and_the_whole_business_last(aggregates):
    table = view_of(channel_bases(aggregates)).table
    assert table["segment"].tolist() == ["web", "shop", "Ganzes Geschäft"]
    assert table["kind"].tolist() == ["segment", "segment", "whole"]
    assert table.columns.tolist() == ["segment", "kind", *(name for name, _ in page_results.TABLE_COLUMNS)]
    assert table["customers"].tolist() == [3, 3, 6] and table["customer_share"].tolist() == [0.5, 0.5, 1.0]
    assert table["retention_rate"].tolist() == pytest.approx([1.0, 0.0, 2 / 3])
    assert table["margin_multiple_clv"].tolist() == pytest.approx([269.5, 10.0, 0.5 * 167 / 4 * 1.1 / (1.1 - 2 / 3)])


def test_an_unknown_figure_is_missing_never_zero(aggregates):
    shop = view_of(channel_bases(aggregates)).table.iloc[1]
    assert pd.isna(shop["acquisition_cost"]) and pd.isna(shop["net_value"]) and pd.isna(shop["clv_to_cac"])
    assert shop["retention_rate"] == 0.0  # a measured 0 stays 0


def test_the_whole_business_row_is_the_clv_page_s_result_at_the_same_margin_and_discount(aggregates):
    whole = view_of(channel_bases(aggregates)).table.iloc[-1]
    values = whatif.resolve(aggregates, {"clv_gross_margin": GROSS_MARGIN, "clv_discount_rate": DISCOUNT}).values
    page = whatif.clv_result(aggregates.basis, values)
    # the CLV page starts from retention at 4 decimals (66.67 %) and money at cents, as its fields show them
    for name in ("margin_per_year", "simple_clv", "margin_multiple_clv", "finite_horizon_clv",
                 "lifetime_retention_cost", "clv_gap", "net_value", "break_even_retention_spend", "clv_to_cac",
                 "acquisition_cost"):
        assert whole[name] == pytest.approx(getattr(page, name), rel=1e-3), name


def test_small_segments_are_pooled_into_other_with_a_note_that_says_why(aggregates):
    view = view_of(channel_bases(aggregates, min_customers=segments.MIN_SEGMENT_CUSTOMERS))
    assert view.table["segment"].tolist() == ["Übrige", "Ganzes Geschäft"]
    assert view.pooled == ("web", "shop")
    assert view.notes[0].startswith("2 kleine Segmente sind unter „Übrige“ zusammengefasst")
    assert "mindestens 30 Kunden" in view.notes[0]


def test_the_notes_say_how_costs_were_split_in_both_languages(aggregates):
    for lang, retention, acquisition in (("de", "nach aktiven Kundenjahren", "nach Neukunden"),
                                         ("en", "by active customer-years", "by new customers")):
        notes = view_of(channel_bases(aggregates), lang=lang).notes
        assert any(retention in note for note in notes) and any(acquisition in note for note in notes)


def test_customers_the_dimension_cannot_place_form_the_missing_row(aggregates):
    customers = aggregates.customers
    labels = segments.label_table(customers["customer_id"], customers["customer_id"].map({"A": "web", "C": "web"}),
                                  ["web"])
    bases = segments.segment_bases(customers, labels, aggregates.basis, min_customers=1)
    view = view_of(bases, lang="en")
    assert view.table["segment"].tolist() == ["web", "Missing", "Whole business"]
    assert view.table["customers"].tolist() == [2, 4, 6]
    assert any(note.startswith('"Missing": 4 customers') for note in view.notes)


def test_coded_labels_are_named_in_the_language():
    assert page_results.segment_name("rfm", "at_risk", "segment", "de") == "Gefährdet"
    assert page_results.segment_name("rfm", "at_risk", "segment", "en") == "At risk"
    assert page_results.segment_name("first_order_value", "high", "segment", "en") == "High (top third)"
    assert page_results.segment_name("first_product", "at_risk", "segment", "en") == "at_risk"  # a data value
    assert page_results.segment_name("nps_group", None, "other", "de") == "Übrige"


def nps_bases(aggregates) -> segments.SegmentBases:
    # A and C promoters (10, 9), B and F detractors (3, 5; F answered 9 first, the latest answer counts)
    survey = pd.DataFrame({"response_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01",
                                                            "2023-06-01", "2024-06-01"]),
                           "score": [10, 9, 3, 9, 5], "customer_id": ["A", "C", "B", "F", "F"]})
    return segments.segment_bases(aggregates.customers, segments.by_nps_group(survey), aggregates.basis,
                                  min_customers=1)


def test_a_detractor_costs_the_difference_of_the_clvs(aggregates):
    # promoters {A, C}: both bought in P and again in L, r = 1, m = 0.5 · (60 + 40) / 2 = 25, CLV = 25 · 1.1 / 0.1;
    # detractors {B, F}: P {B}, not back, r = 0; L buyers {F}, revenue −5 + 25 = 20, m = 10, CLV = 10
    nps = page_results.nps_value(view_of(nps_bases(aggregates), dimension="nps_group", lang="en"))
    assert nps.table["segment"].tolist() == ["Promoters", "Detractors", "Missing"]
    assert nps.promoter_clv == pytest.approx(275.0) and nps.detractor_clv == pytest.approx(10.0)
    assert nps.detractor_cost == pytest.approx(265.0)


def test_nps_value_needs_the_nps_group_view(aggregates):
    with pytest.raises(ValueError, match="nps_value needs the NPS-group view, got the dimension 'attribute'"):
        page_results.nps_value(view_of(channel_bases(aggregates)))


def test_the_value_chart_draws_an_unknown_net_value_grey_not_as_zero(aggregates):
    view = view_of(channel_bases(aggregates), lang="en")
    by_name = {trace.name: trace for trace in charts.segment_value_chart(view.table, "en", "EUR").data}
    assert list(by_name["Segment (colour: net value)"].text) == ["web"]
    assert list(by_name["Net value unknown"].text) == ["shop"]
    assert by_name["Net value unknown"].marker.color == charts.segments.UNKNOWN_COLOUR
    assert list(by_name["Whole business"].x) == pytest.approx([2 / 3])


def test_a_segment_name_is_text_in_the_charts(aggregates):
    table = view_of(channel_bases(aggregates)).table.replace({"segment": {"web": "<b>web</b> & co"}})
    texts = [text for trace in charts.segment_value_chart(table, "de", "EUR").data for text in trace.text or ()]
    assert "&lt;b&gt;web&lt;/b&gt; &amp; co" in texts


def test_the_uplift_chart_leaves_out_segments_without_room_for_five_points(aggregates):
    view = view_of(channel_bases(aggregates), lang="en")
    # web retains everyone: no room for 5 more points; shop (r = 0) and the whole have a value
    assert charts.unplaced(view.uplift) == ["web"]
    bars = charts.segment_uplift_chart(view.uplift, "en", "EUR").data[0]
    assert sorted(bars.y) == ["Whole business", "shop"]


# --- in the exports: the same view's table --------------------------------------------------------------------------


def test_the_scenario_table_carries_the_segment_table_raw_and_as_shown(aggregates):
    from retention_views import report

    values = whatif.resolve(aggregates, {"clv_gross_margin": GROSS_MARGIN, "clv_discount_rate": DISCOUNT}).values
    view = view_of(channel_bases(aggregates))
    frame = report.scenario_frame("A", values, whatif.evaluate(aggregates, values), "de", "EUR", "quarter", view)
    rows = frame[frame["Bereich"] == "Segmente: Merkmal der Erstbestellung"].set_index("Größe")
    assert len(rows) == 3 * len(page_results.TABLE_COLUMNS)  # web, shop, the whole business
    assert rows.loc["web: CLV Margen-Multipl. (EUR)", "Wert"] == pytest.approx(269.5)
    assert rows.loc["web: CLV Margen-Multipl. (EUR)", "Anzeige"] == "269,50\u00a0€"
    assert rows.loc["shop: Nettowert (EUR)", "Wert"] is None and rows.loc["shop: Nettowert (EUR)", "Anzeige"] == "–"


def test_the_html_report_shows_the_segment_table_with_its_notes_escaped(aggregates):
    from retention_views import report

    customers = aggregates.customers
    hostile = {"A": "<script>x</script>", "C": "<script>x</script>", "E": "<script>x</script>"}
    labels = segments.label_table(customers["customer_id"], customers["customer_id"].map(hostile),
                                  ["<script>x</script>"])
    view = view_of(segments.segment_bases(customers, labels, aggregates.basis, min_customers=1), lang="en")
    values = whatif.resolve(aggregates, {}).values
    frame = report.scenario_frame("A", values, whatif.evaluate(aggregates, values), "en", "EUR", "quarter", view)
    page = report.html_report("A", "t", frame, [], "en", segments=view, currency="EUR")
    assert "<h2>Segments: Attribute of the first order</h2>" in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    assert "Retention cost: allocated to the segments by active customer-years" in page
    assert "<td>Whole business</td>" in page and "<td>–</td>" in page  # unknown shows "–", never 0


def test_the_shown_table_writes_numbers_in_the_language_and_unknown_as_a_dash(aggregates):
    table = view_of(channel_bases(aggregates)).table
    shown = page_results.shown_table(table, "de", "EUR", ("customers", "retention_rate", "net_value"))
    assert shown.columns.tolist() == ["Segment", "Kunden", "Bindung / Jahr", "Nettowert (EUR)"]
    assert shown.iloc[1].tolist() == ["shop", "3", "0,0\u00a0%", "–"]
    english = page_results.shown_table(table, "en", "USD", ("margin_per_year",))
    assert english.iloc[0].tolist() == ["web", "24.50"] and english.columns[1] == "Margin / customer-year (USD)"


def test_a_dimension_without_a_text_of_its_own_is_named_by_its_column_or_itself():
    assert page_results.dimension_name("first_product", "de") == "Erstes Produkt"
    assert page_results.dimension_name("customer_id", "en") == t(text_keys.COLUMN["customer_id"], "en")
    assert page_results.dimension_name("loyalty_card", "en") == "loyalty_card"


def test_the_page_opens_on_how_customers_came_or_what_they_first_bought():
    assert page_results.default_dimension(("acquisition_year", "rfm", "first_product", "channel")) == "channel"
    assert page_results.default_dimension(("acquisition_year", "rfm", "first_product")) == "first_product"
    assert page_results.default_dimension(("acquisition_year", "rfm")) == "acquisition_year"


def test_two_neighbouring_bubbles_put_their_names_away_from_each_other():
    positions = charts.segments.label_positions(np.array([0.50, 0.51, 0.70]), np.array([70.0, 95.0, 250.0]))
    assert positions.tolist() == ["bottom center", "top center", "top center"]


def test_a_segment_without_measured_retention_is_named_not_placed(aggregates):
    table = view_of(channel_bases(aggregates)).table
    table.loc[1, "retention_rate"] = float("nan")  # as for a cohort won in the last 12 months
    assert charts.not_placeable(table) == ["shop"] and charts.placeable(table)["segment"].tolist() == ["web"]


# --- the predictive mean CLV per segment and the customer list's segment picker -------------------------------------


def predictive_rows(labels=("web", "shop"), kinds=("segment", "segment"), means=(120.0, 30.0)) -> pd.DataFrame:
    """:func:`segments.predictive_mean_clv`'s frame, written out (the six customers have no fitted model)."""
    return pd.DataFrame({"segment": pd.array(list(labels), dtype="str"), "kind": list(kinds),
                         "forecast_customers": [3] * len(labels), "predictive_mean_clv": list(means)})


def test_the_predictive_mean_clv_follows_the_three_clvs_with_the_clv_page_s_card_in_the_whole_row(aggregates):
    view = page_results.segment_view(channel_bases(aggregates), "attribute", gross_margin=GROSS_MARGIN,
                                     annual_discount_rate=DISCOUNT, horizon_years=5, lang="en",
                                     predictive=page_results.PredictiveMeans(rows=predictive_rows(), whole=75.0))
    columns = [name for name, _ in page_results.TABLE_COLUMNS]
    assert columns.index("predictive_mean_clv") == columns.index("finite_horizon_clv") + 1
    assert view.table["predictive_mean_clv"].tolist() == [120.0, 30.0, 75.0]
    shown = page_results.shown_table(view.table, "de", "EUR", ("predictive_mean_clv",))
    assert shown.columns[1] == "Ø CLV Vorhersage (EUR)" and shown.iloc[:, 1].tolist() == ["120", "30", "75"]


def test_without_the_predictive_means_the_column_is_unknown_never_zero(aggregates):
    assert view_of(channel_bases(aggregates)).table["predictive_mean_clv"].isna().all()


@pytest.mark.parametrize(("lang", "start"), [("de", "Ø CLV Vorhersage bleibt leer (–): Es gibt nur 6 Kunden"),
                                             ("en", "The mean predicted CLV stays empty (–): There are only 6")])
def test_without_a_model_the_column_is_a_dash_and_a_note_says_why_once(aggregates, lang, start):
    means = page_results.PredictiveMeans(reason="too_few_customers", reason_params={
        "customers": 6, "repeaters": 3, "minimum_customers": 50, "minimum_repeaters": 20, "minimum_weeks": 26})
    view = page_results.segment_view(channel_bases(aggregates), "attribute", gross_margin=GROSS_MARGIN,
                                     annual_discount_rate=DISCOUNT, horizon_years=5, lang=lang, predictive=means)
    assert view.table["predictive_mean_clv"].isna().all()
    assert [note for note in view.notes if note.startswith(start)] == [view.notes[-1]]


def test_predictive_means_of_other_rows_are_refused(aggregates):
    means = page_results.PredictiveMeans(rows=predictive_rows(labels=("shop", "web")), whole=75.0)
    with pytest.raises(ValueError, match="the predictive means are not of the segment table's rows"):
        page_results.segment_view(channel_bases(aggregates), "attribute", gross_margin=GROSS_MARGIN,
                                  annual_discount_rate=DISCOUNT, horizon_years=5, lang="en", predictive=means)


def test_the_picker_offers_the_whole_business_then_every_row_with_the_labels_the_list_selects(aggregates):
    customers = aggregates.customers
    names = {"A": "~web", "C": "~web", "E": "~web", "B": "shop"}  # D and F without a label; shop pooled (1 customer)
    labels = segments.label_table(customers["customer_id"], customers["customer_id"].map(names), ["~web", "shop"])
    bases = segments.segment_bases(customers, labels, aggregates.basis, min_customers=2)
    choices = page_results.segment_choices(bases, "attribute", "de")
    assert [(choice.link, choice.name, choice.labels) for choice in choices] == [
        (None, "Ganzes Geschäft", None),
        ("~~web", "~web", "~web"),  # a label that begins with "~" is never read as a pooled row
        ("~other", "Übrige", ("shop",)),
        ("~missing", "Ohne Angabe", (None,)),
    ]
    assert [choice.name for choice in choices[1:]] == view_of(bases).table["segment"].tolist()[:-1]


def test_the_picker_names_coded_segments_in_the_language_and_links_them_by_code(aggregates):
    choices = page_results.segment_choices(nps_bases(aggregates), "nps_group", "en")
    assert [(choice.link, choice.name) for choice in choices[1:3]] == [("promoter", "Promoters"),
                                                                       ("detractor", "Detractors")]


def test_the_exports_carry_the_predictive_mean_clv_of_the_same_view(aggregates):
    from retention_views import report

    values = whatif.resolve(aggregates, {"clv_gross_margin": GROSS_MARGIN, "clv_discount_rate": DISCOUNT}).values
    view = page_results.segment_view(channel_bases(aggregates), "attribute", gross_margin=GROSS_MARGIN,
                                     annual_discount_rate=DISCOUNT, horizon_years=5, lang="de",
                                     predictive=page_results.PredictiveMeans(rows=predictive_rows(), whole=75.0))
    frame = report.scenario_frame("A", values, whatif.evaluate(aggregates, values), "de", "EUR", "quarter", view)
    rows = frame.set_index("Größe")
    assert rows.loc["web: Ø CLV Vorhersage (EUR)", "Wert"] == pytest.approx(120.0)
    assert rows.loc["Ganzes Geschäft: Ø CLV Vorhersage (EUR)", "Anzeige"] == "75,00\u00a0€"
    page = report.html_report("A", "t", frame, [], "de", segments=view, currency="EUR")
    assert "<th>Ø CLV Vorhersage (EUR)</th>" in page


# --- a segment's own intervals --------------------------------------------------------------------------------------


def hand_intervals(kinds=("segment", "segment")) -> segments.SegmentIntervals:
    """Intervals written out for web, shop and the whole (only the CLV's; the gap's and net value's unknown)."""
    columns = {f"{figure}_{end}": [float("nan")] * (len(kinds) + 1)
               for figure in page_results.INTERVAL_COLUMNS for end in ("low", "high")}
    columns["margin_multiple_clv_low"], columns["margin_multiple_clv_high"] = [250.0, 8.0, 140.0], [290.0, 12.5, 160.0]
    frame = pd.DataFrame({"segment": ["web", "shop", None], "kind": [*kinds, "whole"], **columns})
    return segments.SegmentIntervals(table=frame.iloc[:2].reset_index(drop=True),
                                     whole=frame.iloc[2:].reset_index(drop=True))


def test_a_segment_s_own_interval_is_written_beside_its_clv_and_none_where_unknown(aggregates):
    view = page_results.segment_view(channel_bases(aggregates), "attribute", gross_margin=GROSS_MARGIN,
                                     annual_discount_rate=DISCOUNT, horizon_years=5, lang="de",
                                     intervals=hand_intervals())
    assert view.table["margin_multiple_clv_low"].tolist() == [250.0, 8.0, 140.0]
    shown = page_results.shown_table(view.table, "de", "EUR", ("margin_multiple_clv", "net_value"))
    # the bounds written like the cell: whole units, the currency in the column's header
    assert shown.iloc[:, 1].tolist() == ["269 (80\u00a0%: 250–290)", "10 (80\u00a0%: 8–12)", shown.iloc[2, 1]]
    assert shown.iloc[2, 1].endswith("(80\u00a0%: 140–160)")
    assert shown.columns[1].endswith("(EUR)")
    assert "80" not in shown.iloc[0, 2] and shown.iloc[1, 2] == "–"  # no interval: the value alone; unknown: "–"



def test_the_page_writes_an_interval_in_brackets_after_its_value_and_puts_the_key_figures_first(aggregates):
    view = page_results.segment_view(channel_bases(aggregates), "attribute", gross_margin=GROSS_MARGIN,
                                     annual_discount_rate=DISCOUNT, horizon_years=5, lang="en",
                                     intervals=hand_intervals())
    shown = page_results.shown_table(view.table, "en", "EUR", page_results.PAGE_COLUMNS, short_intervals=True)
    assert list(shown.columns[:7]) == ["Segment", "Customers", "Retention / year", "CLV margin multiple (EUR)",
                                       "CLV finite horizon (EUR)", "Mean predicted CLV (EUR)", "Net value (EUR)"]
    assert shown["CLV margin multiple (EUR)"].tolist()[:2] == ["269 (250–290)", "10 (8–12)"]
    assert sorted(page_results.PAGE_COLUMNS) == sorted(name for name, _ in page_results.TABLE_COLUMNS)  # all

def test_the_exports_carry_a_segment_s_interval_raw_and_as_shown(aggregates):
    from retention_views import report

    values = whatif.resolve(aggregates, {"clv_gross_margin": GROSS_MARGIN, "clv_discount_rate": DISCOUNT}).values
    view = page_results.segment_view(channel_bases(aggregates), "attribute", gross_margin=GROSS_MARGIN,
                                     annual_discount_rate=DISCOUNT, horizon_years=5, lang="en",
                                     intervals=hand_intervals())
    rows = [row for row in report.segment_rows(view, "en", "EUR") if row[1] == "web: CLV margin multiple (EUR)"]
    assert rows[0][4:] == ("€250–290", 250.0, 290.0)


def test_intervals_of_other_rows_are_refused(aggregates):
    with pytest.raises(ValueError, match="the intervals are not of the segment table's rows"):
        page_results.segment_view(channel_bases(aggregates), "attribute", gross_margin=GROSS_MARGIN,
                                  annual_discount_rate=DISCOUNT, horizon_years=5, lang="en",
                                  intervals=hand_intervals(kinds=("segment", "other")))


def test_the_value_chart_draws_each_segment_s_clv_interval_as_an_error_bar(aggregates):
    view = page_results.segment_view(channel_bases(aggregates), "attribute", gross_margin=GROSS_MARGIN,
                                     annual_discount_rate=DISCOUNT, horizon_years=5, lang="en",
                                     intervals=hand_intervals())
    by_name = {trace.name: trace for trace in charts.segment_value_chart(view.table, "en", "EUR").data}
    web = by_name["Segment (colour: net value)"].error_y
    assert list(web.array) == pytest.approx([290.0 - 269.5]) and list(web.arrayminus) == pytest.approx([19.5])


def test_a_cluster_of_small_bubbles_names_only_those_whose_names_cover_nothing():
    # a large segment far away and four small ones within a point of retention and a few euros of each other
    x = np.array([0.70, 0.50, 0.505, 0.51, 0.515])
    y = np.array([250.0, 80.0, 82.0, 84.0, 86.0])
    customers = np.array([1000.0, 300.0, 120.0, 110.0, 100.0])
    names = ["Kaffee-Abo", "Filterkaffee Hausröstung", "Espresso Crema", "Filterkaffee Äthiopien", "Gutschein"]
    positions = charts.segments.label_positions(x, y)
    named = charts.segments.labelled(x, y, customers, names, positions)
    # the cluster's largest (its name below it) and its topmost (its name above the cluster); the two between
    # would print into their neighbours' bubbles
    assert named.tolist() == [True, True, False, False, True]


def test_at_most_six_bubbles_carry_their_names():
    x, y = np.linspace(0.1, 0.9, 9), np.linspace(50.0, 900.0, 9)  # far apart: every name would fit
    named = charts.segments.labelled(x, y, np.full(9, 100.0), ["A"] * 9, np.full(9, "top center", dtype=object))
    assert named.sum() == charts.segments.MAX_LABELS == 6 and named[:6].all()  # the first six by customers (ties)
