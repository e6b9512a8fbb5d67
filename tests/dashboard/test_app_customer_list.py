"""The customer list on the Segments page (AppTest, the embedded sample: 4,000 customers): built only once opened,
a page of 50 at a time, next page, sort, the preset "valuable and at risk", the downloads."""

from __future__ import annotations

import re

import pytest
from apptest_support import block_runs, open_page
from streamlit.testing.v1 import AppTest

from dashboard import customer_list

pytestmark = pytest.mark.slow  # whole-page AppTests; the quick run has the smoke test of every page (test_app.py)


def opened() -> AppTest:
    app = open_page("app_pages/segments.py")
    assert customer_list.FRAGMENT not in block_runs(app)  # closed: nothing of it is built
    app.session_state["segments_customers_open"] = True  # what opening the expander does (AppTest cannot click it)
    app.run()
    assert not app.exception, app.exception
    return app


def counts(app: AppTest) -> str:
    return next(caption.value for caption in app.caption if re.fullmatch(r"[\d.]+–[\d.]+ von [\d.]+ Kunden?",
                                                                          caption.value))


def shown(app: AppTest):
    return app.dataframe[-1].value


def test_the_list_shows_fifty_of_the_sample_s_customers_largest_clv_first():
    app = opened()
    assert counts(app) == "1–50 von 4.000 Kunden"
    page = shown(app)
    assert len(page) == 50 and page["clv"].is_monotonic_decreasing
    assert [button.label for button in app.get("download_button")] == ["Ganze Liste als CSV",
                                                                        "Ganze Liste als Excel (.xlsx)"]


def test_next_goes_to_the_second_page_and_previous_back():
    app = opened()
    first_page = shown(app)
    first = first_page["customer_id"].tolist()
    next(button for button in app.button if button.label == "Weiter").click().run()
    assert not app.exception, app.exception
    assert counts(app) == "51–100 von 4.000 Kunden"
    second = shown(app)
    assert not set(second["customer_id"]) & set(first)
    assert second["clv"].max() <= first_page["clv"].min()  # the order goes on
    app.number_input(key="segments_customers_page").set_value(80).run()
    assert counts(app) == "3.951–4.000 von 4.000 Kunden"  # the last page
    next(button for button in app.button if button.label == "Zurück").click().run()
    assert counts(app) == "3.901–3.950 von 4.000 Kunden"


def test_sorting_by_revenue_smallest_first():
    app = opened()
    app.selectbox(key="segments_customers_sort").set_value("revenue").run()
    app.session_state["segments_customers_descending"] = False
    app.run()
    assert not app.exception, app.exception
    page = shown(app)
    assert page["revenue"].is_monotonic_increasing
    assert counts(app) == "1–50 von 4.000 Kunden"


def test_the_preset_lists_the_valuable_customers_at_risk_by_value_at_risk():
    app = opened()
    app.toggle(key="segments_customers_at_risk").set_value(True).run()
    assert not app.exception, app.exception
    assert app.selectbox(key="segments_customers_sort").value == "value_at_risk"
    page = shown(app)
    assert counts(app).endswith(f"von {len(page)} Kunden") and 0 < len(page) <= 50
    assert page["value_at_risk"].is_monotonic_decreasing and (page["probability_alive_drop"] > 0).all()


def test_without_a_fitted_model_the_list_shows_the_history_and_says_why():
    from apptest_support import APP

    from hand_orders import three_years_orders
    from retention_core.dataset import Dataset

    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["app_lang"] = "en"
    app.session_state["data_dataset"] = Dataset(transactions=three_years_orders(), key="six", name="six.csv")
    app.session_state["app_source"] = "upload"
    app.session_state["segments_customers_open"] = True
    app.run()
    app.switch_page("app_pages/segments.py").run()
    assert not app.exception, app.exception
    assert any(info.value.startswith("The model's columns stay empty (–): ") for info in app.info)
    assert next(caption.value for caption in app.caption if caption.value.endswith(" customers")) == (
        "1–6 of 6 customers")
    page = shown(app)
    assert page["customer_id"].tolist() == list("ACEFBD")  # by revenue, the model's columns cannot be sorted by
    assert page["clv"].isna().all() and page["revenue"].tolist() == [75.0, 52.0, 47.0, 29.0, 10.0, 9.0]
    assert not any(toggle.key == "segments_customers_at_risk" for toggle in app.toggle)


def segment_list_script() -> None:
    """The list of one RFM group of the sample, as the Segments page places it (with labels and a segment)."""
    import streamlit as st

    from dashboard import customer_list, shown_data, sidebar
    from retention_core import segments

    s = sidebar.settings()
    aggs = shown_data.current_aggregates()
    labels = segments.assign("rfm", aggs.customers)  # made again on every run, as the Segments page does
    st.session_state["test_labels"] = labels
    customer_list.customer_list(s, aggs, labels, segment="champions", dimension="rfm")


def test_a_segment_s_list_holds_only_its_customers_with_their_segment():
    app = AppTest.from_function(segment_list_script, default_timeout=120)
    app.session_state["app_lang"] = "en"
    app.session_state["segments_customers_open"] = True
    app.run()
    assert not app.exception, app.exception
    labels = app.session_state["test_labels"]
    champions = int((labels["segment"] == "champions").sum())
    assert next(caption.value for caption in app.caption if caption.value.endswith(" customers")) == (
        f"1–50 of {champions:,} customers")
    assert any(caption.value == "Segment: `Champions`" for caption in app.caption)  # user text, shown as text
    page = shown(app)
    assert (page["segment"] == "Champions").all() and page["clv"].is_monotonic_decreasing  # RFM groups by name
    app.run()  # the same labelling in a new table: the labelled list is kept, not made again
    assert not app.exception, app.exception
    kept = [key for key in app.session_state["data_customer_lists"] if key[1] is not None]
    assert len(kept) == 1
