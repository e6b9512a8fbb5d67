"""The Segments page on the sample: it renders in both languages, the dimension picker changes the table and goes
into the link, a margin step reruns the page's fragment alone without making the segment bases again, and the
whole-business row is the CLV page's cards. At its end the customer list of a segment picked in "Kunden von",
which goes into the link too. A first view shows its table before what takes long on an upload (the forecast, the
intervals); on the sample, once the server's start-up work has made its parts, it waits for nothing and shows what a
session makes itself."""

from __future__ import annotations

from dataclasses import replace
from unittest import mock

import pandas as pd
import pytest
from apptest_support import APP, block_runs, german_number, metric_value, open_page, run_fragment
from streamlit.testing.v1 import AppTest

from dashboard import keys, shown_data, warm_up
from dashboard import segments as segment_data
from retention_core import models
from retention_core.models import forecast
from retention_core.dataset import Dataset
import sample_data

CLV = "CLV Margen-Multipl. (EUR)"
PREDICTIVE = "Ø CLV Vorhersage (EUR)"
pytestmark = pytest.mark.slow  # whole-page AppTests; the quick run has the smoke test of every page (test_app.py)


def segment_table(app: AppTest, index: int = 0):
    """The page's ``index``-th segment table as shown (text in the language), by segment name."""
    return app.dataframe[index].value.set_index(app.dataframe[index].value.columns[0])


@pytest.mark.parametrize(("lang", "whole", "cohorts"), [("de", "Ganzes Geschäft", "Jahr des Erstkaufs"),
                                                         ("en", "Whole business", "Year of first purchase")])
def test_the_segments_page_opens_on_the_channels_with_the_whole_business_and_offers_what_the_sample_has(
        lang, whole, cohorts):
    app = open_page("app_pages/segments.py", lang)
    table = segment_table(app)
    # the customers sheet's channels by customers, most first; the 77 customers it does not list are "missing"
    assert table.index[0] == "Empfehlung" and table.index[-1] == whole
    customers = table.iloc[:, 0].map(lambda text: int(text.replace(".", "").replace(",", "")))
    assert customers.iloc[:-1].sum() == customers[whole] == 4000
    assert customers.iloc[-2] == 77 and customers["Empfehlung"] == 1109
    assert app.selectbox(key="segments_dimension").value == "channel"
    assert cohorts in app.selectbox(key="segments_dimension").options
    assert len(app.dataframe) == 2  # the NPS groups' table: the sample's survey names its customers
    assert "segments_dimension" not in app.query_params  # the default is not written into the link


def test_a_dimension_change_shows_its_segments_and_goes_into_the_link():
    app = open_page("app_pages/segments.py")
    app.selectbox(key="segments_dimension").set_value("rfm").run()
    assert not app.exception, app.exception
    assert "Champions" in segment_table(app).index and "Gefährdet" in segment_table(app).index
    assert app.query_params["segments_dimension"] == "rfm"
    assert block_runs(app)["segments_bases"] == 3  # the cohorts, the NPS groups, now RFM: each made once
    app.switch_page("app_pages/overview.py").run()
    assert app.query_params["segments_dimension"] == "rfm"  # the frame mirrors it like every setting


def test_a_margin_step_reruns_the_table_alone_and_does_not_make_the_bases_again():
    app = open_page("app_pages/segments.py")  # the customer list closed: its fragment is not rerun either
    clv_before = german_number(segment_table(app).loc["Ganzes Geschäft", CLV].split(" (")[0])
    before = block_runs(app)
    app.select_slider(key="clv_gross_margin").set_value(60.0)
    run_fragment(app, "segments_what_if")
    after = block_runs(app)
    assert {block: after[block] - before.get(block, 0) for block in after
            if after[block] != before.get(block, 0)} == {"segments_what_if": 1}
    assert german_number(segment_table(app).loc["Ganzes Geschäft", CLV].split(" (")[0]) > clv_before
    assert app.query_params["clv_gross_margin"] == "0.6"


def test_the_whole_business_row_is_the_clv_page_s_figures_at_the_same_margin():
    app = open_page("app_pages/segments.py")
    app.select_slider(key="clv_gross_margin").set_value(45.0)
    run_fragment(app, "segments_what_if")
    app.run()
    whole = segment_table(app).loc["Ganzes Geschäft"]
    app.switch_page("app_pages/clv.py").run()
    assert app.select_slider(key="clv_gross_margin").value == 45.0  # one margin for both pages
    # the table writes whole euros, the CLV page's cards cents
    for label, column in (("CLV (Margen-Multiplikator)", CLV), ("Einfacher CLV", "Einfacher CLV (EUR)"),
                          ("CLV (fester Horizont)", "CLV fester Horizont (EUR)"),
                          ("Nettowert je Neukunde", "Nettowert (EUR)")):
        shown = whole[column].split(" (")[0]  # the margin-multiple CLV and net value carry the row's interval
        assert german_number(metric_value(app, label)) == pytest.approx(german_number(shown), abs=0.5), label


def test_a_link_opens_the_page_on_its_dimension_and_one_the_data_lacks_is_named():
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["segments_dimension"] = "acquisition_year"
    app.run()
    app.switch_page("app_pages/segments.py").run()
    assert not app.exception, app.exception
    assert app.selectbox(key="segments_dimension").value == "acquisition_year"
    assert list(segment_table(app).index) == ["2022", "2023", "2024", "Ganzes Geschäft"]
    lacking = AppTest.from_file(APP, default_timeout=120)
    lacking.query_params["segments_dimension"] = "region"  # the sample's customers sheet has channels only
    lacking.run()
    lacking.switch_page("app_pages/segments.py").run()
    assert not lacking.exception, lacking.exception
    assert lacking.selectbox(key="segments_dimension").value == "channel"
    assert any("Segmente: Merkmal" in info.value for info in lacking.info)
    assert "segments_dimension" not in lacking.query_params


def test_nine_months_of_orders_and_a_survey_without_ids_are_said_plainly_never_drawn_as_zero():
    orders = pd.DataFrame({"customer_id": pd.array(["A", "A", "B", "C", "C", "D"], dtype="str"),
                           "order_date": pd.to_datetime(["2024-01-05", "2024-04-05", "2024-02-01", "2024-05-01",
                                                         "2024-08-01", "2024-09-30"]),
                           "amount": [10.0, 20.0, 40.0, 50.0, 60.0, 70.0]})
    survey = pd.DataFrame({"response_date": pd.to_datetime(["2024-03-01", "2024-06-01"]), "score": [9, 4]})
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["app_lang"] = "en"
    app.session_state[keys.DATASET] = Dataset(transactions=orders, nps=survey, key="nine", name="nine")
    app.session_state[keys.SOURCE] = "upload"
    app.run()
    app.switch_page("app_pages/segments.py").run()
    assert not app.exception, app.exception
    table = segment_table(app)
    assert table.loc["Whole business", "Retention / year"] == "–"  # unknown, not 0 %
    assert table.loc["Whole business", "CLV margin multiple (EUR)"] == "–"
    infos = " ".join(info.value for info in app.info)
    assert "No segment can be shown: annual retention is unknown" in infos
    assert "needs a \"customer id\" column (customer_id)" in infos
    assert "NPS group" not in app.selectbox(key="segments_dimension").options
    assert any("Annual retention is unknown" in caption.value for caption in app.caption)


def test_a_language_switch_keeps_the_dimension_and_names_its_segments_anew():
    app = open_page("app_pages/segments.py")
    app.selectbox(key="segments_dimension").set_value("rfm").run()
    app.segmented_control(key="app_lang").set_value("en").run()
    assert not app.exception, app.exception
    assert app.selectbox(key="segments_dimension").value == "rfm"
    assert list(segment_table(app).index[:2]) == ["Champions", "Loyal customers"]


def test_the_whole_business_s_predictive_mean_clv_is_the_clv_page_s_card_at_the_same_settings():
    app = open_page("app_pages/segments.py")
    app.select_slider(key="clv_gross_margin").set_value(45.0)
    run_fragment(app, "segments_what_if")
    app.select_slider(key="clv_discount_rate").set_value(12.0)
    run_fragment(app, "segments_what_if")
    table = segment_table(app)
    whole = table.loc["Ganzes Geschäft", PREDICTIVE]
    assert list(table.columns).index(PREDICTIVE) == list(table.columns).index("CLV fester Horizont (EUR)") + 1
    assert table[PREDICTIVE].map(german_number).gt(0).all()  # every product's customers have a forecast
    app.switch_page("app_pages/clv.py").run()
    assert not app.exception, app.exception
    card = german_number(metric_value(app, "CLV (BG/NBD + Gamma-Gamma), Mittelwert"))
    assert card == pytest.approx(german_number(whole), abs=0.5)  # the table writes whole euros, the card cents


def opened_list(app: AppTest) -> AppTest:
    app.session_state["segments_customers_open"] = True  # what opening the expander does (AppTest cannot click it)
    app.run()
    assert not app.exception, app.exception
    return app


def list_count(app: AppTest) -> str:
    return next(caption.value for caption in app.caption if caption.value.endswith(" Kunden"))


def test_the_list_shows_the_picked_segment_s_customers_and_the_segment_goes_into_the_link():
    app = opened_list(open_page("app_pages/segments.py"))
    table = segment_table(app)
    largest = table.index[0]  # a data value (the sample's channels): its link text is the label as written
    picker = app.selectbox(key="segments_segment")
    assert picker.value == "" and picker.options[:2] == ["Ganzes Geschäft", largest]  # as the table names them
    assert list_count(app) == "1–50 von 4.000 Kunden"
    picker.set_value(largest)
    run_fragment(app, "segments_customers_of")
    assert list_count(app) == f"1–50 von {table.loc[largest, 'Kunden']} Kunden"
    assert (app.dataframe[-1].value["segment"] == largest).all()
    assert app.query_params["segments_segment"] == largest
    app.run()  # the whole page (AppTest keeps only the fragment's elements after a fragment run)
    assert app.selectbox(key="segments_segment").value == largest
    app.selectbox(key="segments_dimension").set_value("rfm").run()  # another dimension: the whole business again
    assert not app.exception, app.exception
    assert app.selectbox(key="segments_segment").value == "" and "segments_segment" not in app.query_params
    assert not any("Kunden von" in info.value for info in app.info)  # no notice: the user changed the dimension


def test_a_margin_step_moves_the_list_s_clv_without_refitting_or_making_the_bases_again():
    app = opened_list(open_page("app_pages/segments.py"))
    top = app.dataframe[-1].value["clv"].iloc[0]
    before = block_runs(app)
    app.select_slider(key="clv_gross_margin").set_value(60.0)
    run_fragment(app, "segments_what_if")
    after = block_runs(app)
    assert {block for block in after if after[block] != before.get(block, 0)} == {
        "segments_what_if", "segments_customers_expander", "segments_customers"}
    assert app.dataframe[-1].value["clv"].iloc[0] > top


def test_a_link_opens_the_list_on_its_segment_and_one_the_data_lacks_is_dropped_and_named():
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["segments_dimension"] = "rfm"
    app.query_params["segments_segment"] = "champions"
    app.run()
    app.switch_page("app_pages/segments.py").run()
    assert not app.exception, app.exception
    assert app.selectbox(key="segments_segment").value == "champions"
    assert app.query_params["segments_segment"] == "champions"
    for named in ("Espresso Lungo", "<img src=x onerror=alert(1)> **fett** [l](http://127.0.0.1:9/)", "x" * 199):
        lacking = AppTest.from_file(APP, default_timeout=120)
        lacking.query_params["segments_segment"] = named
        lacking.run()
        lacking.switch_page("app_pages/segments.py").run()
        assert not lacking.exception, lacking.exception
        assert lacking.selectbox(key="segments_segment").value == ""  # the whole business
        assert "segments_segment" not in lacking.query_params
        lacking.run()  # the notice of a value dropped on the page shows on the next run, as for a dimension
        assert any("Segmente: Kunden von" in info.value for info in lacking.info)
        assert not any(named in element.value for kind in ("info", "caption", "markdown")
                       for element in getattr(lacking, kind))  # a link's text is never shown


def test_each_segment_shows_its_own_interval_made_once_per_dimension():
    app = open_page("app_pages/segments.py")
    table = segment_table(app)
    for column in (CLV, "CLV-Lücke (EUR)", "Nettowert (EUR)"):
        assert table[column].str.fullmatch(r"-?[\d.]+ \(-?[\d.]+(–| bis -?)[\d.]+\)").all(), column  # every row
    assert list(table.columns[:6]) == ["Kunden", "Bindung / Jahr", CLV, "CLV fester Horizont (EUR)", PREDICTIVE,
                                       "Nettowert (EUR)"]  # the key figures first, then what they rest on
    assert any("In Klammern: das 80-%-Intervall" in caption.value for caption in app.caption)
    assert block_runs(app)["segments_replicates"] == 2  # the channels and the NPS groups, once each


def sample_as_upload(app: AppTest) -> AppTest:
    """``app`` showing the sample's sheets as this session's upload: the same figures, made by the session."""
    app.session_state[keys.DATASET] = replace(sample_data.load_sample(), key="sample-as-upload", name="upload")
    app.session_state[keys.SOURCE] = "upload"
    return app


def test_the_first_view_shows_the_table_and_charts_before_the_forecast_and_says_it_is_computing():
    app = sample_as_upload(AppTest.from_file(APP, default_timeout=120))
    app.session_state["app_lang"] = "de"
    # the forecast basis fails here (made ahead after the aggregation, then by the page): whatever the page showed
    # before asking for it is what a visitor sees meanwhile
    failing = RuntimeError("still forecasting")
    with (mock.patch.object(models, "forecast_basis", side_effect=failing),
          mock.patch.object(forecast, "forecast_basis", side_effect=failing)):  # the background's growing bases
        app.run()
        app.switch_page("app_pages/segments.py").run()
    assert app.exception  # the forecast, asked for last, failed (its message is redacted)
    table = segment_table(app)
    assert table[PREDICTIVE].eq("wird berechnet …").all() and table[CLV].str.fullmatch(r"[\d.]+").all()
    assert any(caption.value == "Die 80-%-Intervalle der Segmente werden berechnet …" for caption in app.caption)
    assert len(app.get("plotly_chart")) == 2 and len(app.dataframe) == 2  # the charts and the NPS groups' table


def test_on_the_sample_the_intervals_do_not_wait_and_the_predictive_column_waits_for_its_forecast():
    shown_data._sample_forecast_basis.clear()  # not made by the server's start-up work (nor by an earlier test)
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["app_lang"] = "de"
    app.run()
    with mock.patch.object(models, "forecast_basis", side_effect=RuntimeError("still forecasting")):
        app.switch_page("app_pages/segments.py").run()
    assert app.exception
    table = segment_table(app)
    assert table[PREDICTIVE].eq("wird berechnet …").all()
    assert table[CLV].str.contains(r" \(").all()  # each row's interval at once: a tenth of a second on the sample
    assert not any("werden berechnet" in caption.value for caption in app.caption)


@pytest.fixture
def sample_rest_made():
    """The server's start-up work done (the rest of the sample made for every session, then the signal), as
    ``serve.py`` does it; the signal unset again after the test."""
    shown_data.warm_sample_rest()
    segment_data.warm_sample()
    warm_up._SAMPLE_REST_MADE.set()
    yield
    warm_up._SAMPLE_REST_MADE.clear()


def test_after_the_server_s_start_up_work_the_first_view_waits_for_nothing_and_shows_what_a_session_makes(
        sample_rest_made):
    waited = []
    real = segment_data.waiting
    with mock.patch.object(segment_data, "waiting", side_effect=lambda *args: waited.append(real(*args)) or
                           waited[-1]):
        app = open_page("app_pages/segments.py")
    assert waited == [frozenset()]  # the table, the charts and the NPS table sent once, complete
    table = segment_table(app)
    assert table[CLV].str.contains(r" \(").all() and table[PREDICTIVE].map(german_number).gt(0).all()
    assert not any("berechnet" in caption.value for caption in app.caption)
    # the same figures as a session that makes everything itself (the sample's sheets as its upload)
    upload = sample_as_upload(AppTest.from_file(APP, default_timeout=120))
    upload.session_state["app_lang"] = "de"
    upload.run()
    upload.switch_page("app_pages/segments.py").run()
    assert not upload.exception, upload.exception
    pd.testing.assert_frame_equal(table, segment_table(upload))
    pd.testing.assert_frame_equal(segment_table(app, 1), segment_table(upload, 1))  # the NPS groups' table


def test_the_predictive_column_and_the_intervals_are_filled_in_on_the_first_view_and_kept_after():
    app = open_page("app_pages/segments.py")
    assert not segment_table(app)[PREDICTIVE].str.contains("berechnet").any()
    assert segment_table(app)[CLV].str.contains(r" \(").all()  # each row's interval, in brackets
    assert not any("werden berechnet" in caption.value for caption in app.caption)
    value_chart = app.get("plotly_chart")[0].proto.spec
    assert '"error_y"' in value_chart  # the chart drawn again with each segment's interval
    assert block_runs(app)["segments_predictive"] == 1
    app.switch_page("app_pages/overview.py").run()
    app.switch_page("app_pages/segments.py").run()
    assert block_runs(app)["segments_predictive"] == 1  # kept: the second visit shows the column at once


def test_the_nps_groups_first_view_shows_their_intervals_in_the_nps_table_too():
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["segments_dimension"] = "nps_group"  # the page opens on them: nothing of theirs made yet
    app.run()
    app.switch_page("app_pages/segments.py").run()
    assert not app.exception, app.exception
    assert segment_table(app)[CLV].str.contains(r" \(").all()  # the page's table, completed at the run's end
    nps = segment_table(app, 1)
    assert nps[CLV].str.contains(r" \(").all() and nps["Nettowert (EUR)"].str.contains(r" \(").all()
