"""No page crashes: a broken mapping cannot be put into use, a session stuck with unusable data gets the way back, and
an unexpected error anywhere is a short message in the user's language (logged with its traceback, never shown).

Every check runs through the real frame (``app.py``) with AppTest, in German and English.
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest
import streamlit as st
from apptest_support import open_page
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, ScriptControlException, StopException

from dashboard import widgets
from retention_core.dataset import Dataset

pytestmark = pytest.mark.slow  # whole-page AppTests; the quick run has the smoke test of every page (test_app.py)

PAGES = ("overview", "retention_cost", "clv", "profit", "cohorts", "loyalty", "segments", "scenarios")
USE = {"de": "Meine Daten im Dashboard verwenden", "en": "Use my data in the dashboard"}
APPLY = {"de": "Zuordnung übernehmen", "en": "Apply mapping"}


def upload(app, content: str, name: str = "bestellungen.csv", kind: str = "transactions"):
    app.file_uploader(key=f"data_file_{kind}").set_value((name, content.encode("cp1252"), "text/csv")).run()
    assert not app.exception, app.exception
    return app


def apply_mapping(app, kind: str = "transactions"):
    next(button for button in app.button if button.key.startswith(f"FormSubmitter:data_form_{kind}")).click().run()
    assert not app.exception, app.exception
    return app


def shown(app) -> str:
    return " ".join(str(element.value) for element in (*app.error, *app.warning, *app.info))


# --- the Data page refuses a sheet that cannot be used ----------------------------------------------------------

def mapping_box(app, field: str):
    """The transactions tab's column picker of ``field`` in "Spalten zuordnen"."""
    return next(box for box in app.selectbox
                if box.key.startswith("data_map_transactions_") and box.key.endswith(f"_{field}"))


NO_DATE = "Kunde;Tag;Betrag\nK1;01.01.2024;12,50\nK2;02.01.2024;3,00\n"  # "Tag" is not recognised as a date


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", "Transaktionen: Das Pflichtfeld „Bestelldatum“ ist noch leer. Wählen Sie im Reiter „Transaktionen“ "
           "unter „Spalten zuordnen“ bei „Bestelldatum“ die Spalte mit dem Datum jeder Bestellung und drücken Sie "
           "„Zuordnung übernehmen“."),
    ("en", "Transactions: the required field “Order date” is still empty. In the “Transactions” tab, under “Map "
           "columns”, choose the column with the date of each order for “Order date” and press “Apply mapping”."),
])
def test_a_required_field_left_empty_disables_use_and_names_the_field_by_its_label(lang, expected):
    app = upload(open_page("app_pages/data.py", lang), NO_DATE)
    assert app.button(key="data_use").disabled
    assert expected in shown(app) and "order_date" not in shown(app)
    summary = {"de": "Noch nicht verwendbar: Transaktionen ohne das Pflichtfeld „Bestelldatum“. Wie Sie das beheben, "
                     "steht im jeweiligen Reiter oben.",
               "en": "Not usable yet: Transactions without the required field “Order date”. The tab of each sheet "
                     "above says how to fix it."}[lang]
    assert app.warning[-1].value == summary  # beside the disabled button
    apply_mapping(app)  # applying the incomplete mapping prepares nothing
    assert app.button(key="data_use").disabled and expected in shown(app)
    assert not app.metric  # no kept/rejected counts of a half-mapped sheet
    assert app.session_state["app_source"] == "sample" and "data_dataset" not in app.session_state


def test_mapping_the_missing_field_makes_the_sheet_usable():
    app = upload(open_page("app_pages/data.py"), NO_DATE)
    mapping_box(app, "order_date").set_value("Tag")
    apply_mapping(app)
    assert not app.button(key="data_use").disabled
    assert "Pflichtfeld" not in shown(app)
    app.button(key="data_use").click().run()
    assert app.session_state["app_source"] == "upload"


TWO_AMOUNTS = "Kunde;Datum;Betrag;Netto\nK1;01.01.2024;12,50;10,00\nK2;02.01.2024;3,00;x\nK3;03.01.2024;4,00;2,00\n"


def test_another_mapping_reads_the_file_again_and_keeps_the_rows_it_allows():
    # the read table stays in the upload worker: applying another mapping reads the file again with it
    app = upload(open_page("app_pages/data.py"), TWO_AMOUNTS)
    assert [metric.value for metric in app.metric][:2] == ["3", "0"]  # kept, rejected
    amount = mapping_box(app, "amount")
    assert amount.value == "Betrag"
    amount.set_value("Netto")
    apply_mapping(app)
    assert [metric.value for metric in app.metric][:2] == ["2", "1"]  # "x" is no amount
    assert app.session_state["data_uploads"]["transactions"].mapping["amount"] == "Netto"
    assert not app.button(key="data_use").disabled


ALL_REJECTED = "Kundennummer;Bestelldatum;Betrag\nK1;gestern;12,50\nK2;heute;3,00\nK3;morgen;viel\n"


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", "Transaktionen: Keine Zeile übernommen – alle 3 Zeilen wurden abgelehnt, am häufigsten wegen: kein Datum "
           "in „`Bestelldatum`“ (3); keine Zahl in „`Betrag`“ (1)."),
    ("en", "Transactions: no row kept – all 3 rows were rejected, most often for: not a date in “`Bestelldatum`” (3); "
           "not a number in “`Betrag`” (1)."),
])
def test_a_mapping_that_keeps_no_row_says_how_many_were_rejected_and_why(lang, expected):
    app = upload(open_page("app_pages/data.py", lang), ALL_REJECTED)
    assert app.button(key="data_use").disabled
    assert expected in " ".join(element.value for element in app.error)
    assert any(button.key == "data_rejected_transactions" for button in app.get("download_button"))


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", "Transaktionen: Keine Zeile hat einen positiven Betrag in „`Betrag`“ – nur Retouren oder Gutschriften, "
           "keine Käufe. Prüfen Sie, ob „Betrag“ die Spalte mit den Umsätzen zugeordnet ist"),
    ("en", "Transactions: not a single row has a positive amount in “`Betrag`” – only returns or credit notes, no "
           "purchases. Check that “Amount” is mapped to the column with the sales"),
])
def test_a_sheet_of_returns_only_cannot_be_used_and_says_which_column_to_check(lang, expected):
    app = upload(open_page("app_pages/data.py", lang),
                 "Kundennummer;Bestelldatum;Betrag\nK1;01.01.2024;-12,50\nK2;02.01.2024;-3,00\n")
    assert app.button(key="data_use").disabled
    assert expected in " ".join(element.value for element in app.error)


def test_a_broken_optional_sheet_blocks_use_until_fixed_or_removed():
    app = upload(open_page("app_pages/data.py"), "Kundennummer;Bestelldatum;Betrag\nK1;01.01.2024;12,50\n")
    assert not app.button(key="data_use").disabled
    upload(app, "Monat;Neukunden\n01.01.2024;12\n", "akquise.csv", "acquisition")  # no spend column
    assert app.button(key="data_use").disabled
    assert ("Akquisitionskosten: Das Pflichtfeld „Akquisitionsausgaben“ ist noch leer." in shown(app)
            and "Oder entfernen Sie die Datei im Reiter „Akquisitionskosten“ (×)" in shown(app))
    app.file_uploader(key="data_file_acquisition").set_value(None).run()
    assert not app.button(key="data_use").disabled


def test_an_acquisition_sheet_headed_werbeausgaben_neukunden_is_proposed_as_spend_and_usable():
    app = upload(open_page("app_pages/data.py"), "Kundennummer;Bestelldatum;Betrag\nK1;01.01.2024;12,50\n")
    upload(app, "Monat;Werbeausgaben Neukunden\n01.01.2024;1.200,00\n", "akquise.csv", "acquisition")
    assert not app.button(key="data_use").disabled
    spend = next(box for box in app.selectbox if box.key.endswith("_acquisition_spend"))
    count = next(box for box in app.selectbox if box.key.endswith("_new_customers"))
    assert (spend.value, count.value) == ("Werbeausgaben Neukunden", None)


# --- a session that holds unusable data: every page says so and shows the way back --------------------------------

def stuck_session(lang: str, page: str):
    from apptest_support import APP
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["app_lang"] = lang
    broken = pd.DataFrame({"customer_id": ["K1"], "amount": [12.5]})  # no order date
    app.session_state["data_dataset"] = Dataset(transactions=broken, key="broken", name="kaputt.csv")
    app.session_state["app_source"] = "upload"
    app.run()
    app.switch_page(f"app_pages/{page}.py").run()
    return app


@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_a_session_stuck_with_unusable_data_shows_the_way_back(page):
    app = stuck_session("de", page)
    assert not app.exception, app.exception
    message = " ".join(element.value for element in app.warning)
    assert ("Ihre hochgeladenen Daten lassen sich so nicht auswerten: Transaktionen ohne das Pflichtfeld "
            "„Bestelldatum“." in message)
    assert "Wählen Sie in der Seitenleiste unter „Daten“ wieder „Beispieldaten“" in message
    assert any(button.label == "Beispieldaten anzeigen" for button in app.button)


def test_the_way_back_switches_to_the_sample_and_the_page_shows_its_numbers():
    app = stuck_session("en", "overview")
    assert "Your uploaded data cannot be analysed as they are" in shown(app)
    next(button for button in app.button if button.label == "Show the sample data").click().run()
    assert not app.exception
    assert app.session_state["app_source"] == "sample" and app.metric and not app.warning


def test_data_that_aggregate_refuses_end_the_status_box_and_show_the_way_back(monkeypatch):
    from dashboard import shown_data

    def refuse(*args, **kwargs):
        raise ValueError("the amounts net to less than nothing")

    app = upload(open_page("app_pages/data.py", "en"), "Kundennummer;Bestelldatum;Betrag\nK1;01.01.2024;12,50\n")
    app.button(key="data_use").click().run()
    monkeypatch.setattr(shown_data, "aggregate", refuse)
    app.switch_page("app_pages/overview.py").run()
    assert not app.exception
    assert [box.state for box in app.status] == ["error"]  # not a box left spinning
    assert "the figures cannot be computed from these data (incident " in shown(app)
    assert "less than nothing" not in shown(app)


# --- the last line of defence --------------------------------------------------------------------------------------

def test_streamlits_control_flow_is_not_an_exception_the_boundary_could_catch():
    for control in (StopException, RerunException):
        assert issubclass(control, ScriptControlException) and not issubclass(control, Exception)


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", "Hier ist ein unerwarteter Fehler aufgetreten; Ihre Daten sind unverändert. Laden Sie die Seite neu (F5). "
           "Hilft das nicht, melden Sie das Problem mit der Fehlernummer "),
    ("en", "An unexpected error occurred here; your data are unchanged. Reload the page (F5). If that does not help, "
           "report the problem with the incident code "),
])
@pytest.mark.parametrize("page", [*PAGES, "data"])
def test_a_page_that_raises_shows_a_short_message_in_the_users_language(page, lang, expected, monkeypatch, caplog):
    def broken_header(*args, **kwargs):
        raise RuntimeError("secret customer K-4711 broke it")

    monkeypatch.setattr(widgets, "header", broken_header)
    with caplog.at_level(logging.ERROR, logger="dashboard.errors"):
        app = sample_page(page, lang)
    assert not app.exception
    [message] = [element.value for element in app.error]
    assert message.startswith(expected)
    assert "K-4711" not in message and "RuntimeError" not in message and "Traceback" not in message
    incident = message.rsplit(" ", 1)[-1].rstrip(".")
    record = [record for record in caplog.records if record.name == "dashboard.errors"][-1]
    assert incident in record.getMessage() and record.exc_info[0] is RuntimeError  # the traceback, server side


def sample_page(page: str, lang: str):
    from apptest_support import APP
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["app_lang"] = lang
    app.run()
    app.switch_page(f"app_pages/{page}.py").run()
    return app


def test_an_error_while_the_upload_is_shown_offers_the_sample_and_the_data_page(monkeypatch):
    app = upload(open_page("app_pages/data.py"), "Kundennummer;Bestelldatum;Betrag\nK1;01.01.2024;12,50\n")
    app.button(key="data_use").click().run()

    def broken_header(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(widgets, "header", broken_header)
    app.switch_page("app_pages/clv.py").run()
    assert not app.exception
    assert "Wählen Sie in der Seitenleiste unter „Daten“ wieder „Beispieldaten“" in shown(app)
    monkeypatch.undo()
    next(button for button in app.button if button.label == "Beispieldaten anzeigen").click().run()
    assert app.session_state["app_source"] == "sample" and not app.exception and not app.error


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_failing_callback_is_a_message_on_the_next_run_not_a_crash(lang, monkeypatch):
    from dashboard import url_sync

    def broken(*args, **kwargs):
        raise ZeroDivisionError("in a callback")

    monkeypatch.setattr(url_sync, "setting_changed", broken)
    app = sample_page("overview", lang)
    app.selectbox(key="app_currency").set_value("USD").run()
    assert not app.exception
    assert any(("Fehlernummer" if lang == "de" else "incident code") in element.value for element in app.error)
    app.run()  # shown once
    assert not app.error


def test_st_stop_in_a_page_passes_the_boundary_untouched(monkeypatch):
    monkeypatch.setattr(widgets, "header", lambda *args, **kwargs: st.stop())
    app = sample_page("overview", "de")
    assert not app.exception and not app.error and not app.metric  # stopped before its numbers, no message


def test_st_switch_page_in_a_page_passes_the_boundary_untouched(monkeypatch):
    original = widgets.header

    def to_data(page, s):
        if page == "overview":
            st.switch_page("app_pages/data.py")
        original(page, s)

    monkeypatch.setattr(widgets, "header", to_data)
    app = sample_page("overview", "en")
    assert not app.exception and not app.error
    assert app.title[0].value == "Data"


def test_st_rerun_in_a_page_passes_the_boundary_untouched(monkeypatch):
    original = widgets.header

    def rerun_once(page, s):
        if not st.session_state.get("test_reran"):
            st.session_state["test_reran"] = True
            st.rerun()
        original(page, s)

    monkeypatch.setattr(widgets, "header", rerun_once)
    app = sample_page("loyalty", "en")
    assert not app.exception and not app.error
    assert app.session_state["test_reran"] and app.title[0].value == "Loyalty"
