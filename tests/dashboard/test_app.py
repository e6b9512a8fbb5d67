"""One AppTest per page: it renders on the sample data, a slider moves a displayed number to a hand-checked value.

Expected values are worked out by hand (the café, the CLI) or with a few lines of pandas straight from the sample
CSV, never by calling the code under test.
"""

from __future__ import annotations

import ast
import re
import tomllib

import pandas as pd
import pytest
from apptest_support import APP, ROOT, german_number, metric_value, open_page, rendered
from streamlit.testing.v1 import AppTest

from dashboard import inputs
from retention_views import whatif
from retention_views.url_params import PARAMS

SAMPLE_CSV = ROOT / "sample_data" / "transaktionen.csv"


@pytest.fixture(scope="module")
def sample_orders() -> pd.DataFrame:
    orders = pd.read_csv(SAMPLE_CSV, sep=";", decimal=",", thousands=".", encoding="cp1252",
                         dtype={"Kundennummer": str, "Bestelldatum": str})
    orders["Bestelldatum"] = pd.to_datetime(orders["Bestelldatum"], format="%d.%m.%Y")
    return orders[orders["Betrag"] >= 0]


@pytest.mark.slow
def test_overview_period_slider_shows_that_quarters_active_customers(sample_orders):
    app = open_page("app_pages/overview.py")
    app.select_slider(key="overview_period").set_value(pd.Timestamp("2024-07-01")).run()
    assert not app.exception
    # Active = ordered within the 12 months up to the end of Q3 2024.
    window = sample_orders["Bestelldatum"].between("2023-10-01", "2024-09-30")
    expected = sample_orders.loc[window, "Kundennummer"].nunique()
    assert metric_value(app, "Aktive Kunden") == f"{expected:,}".replace(",", ".")


@pytest.mark.slow
def test_retention_cost_typed_in_cafe_example_is_12_euros_in_german():
    app = open_page("app_pages/retention_cost.py")
    app.button_group(key="cost_mode").set_value("typed").run()
    assert metric_value(app, "Bindungskosten je aktivem Kunden") == "12,00\u00a0€"
    # Team +10 %: (5,500 + 900 + 2,500) / 700 = 12.714… -> 12,71 €.
    app.select_slider(key="cost_change_team").set_value(10.0).run()
    assert not app.exception
    assert metric_value(app, "Bindungskosten je aktivem Kunden") == "12,71\u00a0€"


@pytest.mark.slow
def test_retention_cost_typed_in_cafe_example_is_12_dollars_style_in_english():
    app = open_page("app_pages/retention_cost.py", lang="en")
    app.button_group(key="cost_mode").set_value("typed").run()
    assert metric_value(app, "Retention cost per active customer") == "€12.00"
    # 800 active customers: 8,400 / 800 = 10.50.
    app.text_input(key="cost_active_typed").set_value("800").run()
    assert metric_value(app, "Retention cost per active customer") == "€10.50"


@pytest.mark.slow
def test_typed_numbers_are_read_as_the_language_writes_them():
    # The café example typed the German way. Streamlit's number field read "2.500" as 2.5 (5.902,50 € in all).
    app = open_page("app_pages/retention_cost.py")
    app.button_group(key="cost_mode").set_value("typed").run()
    field = app.text_input(key="cost_typed_engagement")
    assert (app.text_input(key="cost_typed_team").value, field.value) == ("5.000,00", "2.500,00")
    field.set_value("3.500").run()  # 5.000 + 900 + 3.500
    assert metric_value(app, "Bindungskosten gesamt") == "9.400,00\u00a0€"
    assert app.text_input(key="cost_typed_engagement").value == "3.500,00"
    assert app.query_params["cost_typed_engagement"] == "3500"
    # refused, each with what to do; the text stays to be corrected and the last good value keeps counting
    app.text_input(key="cost_typed_engagement").set_value("2.50").run()
    assert app.text_input(key="cost_typed_engagement").value == "2.50"
    assert [error.value for error in app.error] == [
        "„2.50“ ist keine Zahl, die sich lesen lässt. Bitte so schreiben: 2.500,50 (Punkte zwischen den Tausendern, "
        "ein Komma vor den Nachkommastellen). Es gilt weiter 3.500,00."]
    assert metric_value(app, "Bindungskosten gesamt") == "9.400,00\u00a0€"
    app.text_input(key="cost_typed_active").set_value("12,5").run()
    assert "12,5 ist keine ganze Zahl; hier zählen ganze Kunden, z. B. 12. Es gilt weiter 700." in app.error[1].value
    app.text_input(key="cost_typed_active").set_value("0").run()
    assert "0 liegt nicht zwischen 1 und " in app.error[1].value
    # in English the messages follow; an English number is read the English way and clears its message
    app.button_group(key="app_lang").set_value("en").run()
    assert app.error[0].value.startswith("“2.50” is not a number that can be read. Please write it like 2,500.50")
    app.text_input(key="cost_typed_engagement").set_value("2,500.50").run()
    assert metric_value(app, "Total retention spend") == "€8,400.50"
    assert app.text_input(key="cost_typed_engagement").value == "2,500.50"
    assert len(app.error) == 1 and not app.exception  # only the customers' field still waits for a fix
    # a refused text outlives a visit to another page; emptying the field brings back the default
    app.switch_page("app_pages/clv.py").run()
    app.switch_page("app_pages/retention_cost.py").run()
    assert app.text_input(key="cost_typed_active").value == "0" and len(app.error) == 1
    app.text_input(key="cost_typed_active").set_value("").run()
    assert app.text_input(key="cost_typed_active").value == "700" and not app.error
    assert metric_value(app, "Retention cost per active customer") == "€12.00"  # 8,400.50 / 700


@pytest.mark.slow
def test_clv_doubles_when_the_gross_margin_doubles():
    app = open_page("app_pages/clv.py")
    app.select_slider(key="clv_gross_margin").set_value(25.0).run()
    quarter = german_number(metric_value(app, "CLV (Margen-Multiplikator)"))
    app.select_slider(key="clv_gross_margin").set_value(50.0).run()
    assert not app.exception
    # m · r / (1 + i − r) is linear in the margin m.
    assert german_number(metric_value(app, "CLV (Margen-Multiplikator)")) == pytest.approx(2 * quarter, abs=0.011)


@pytest.mark.slow
def test_profit_simulator_shows_that_90_to_95_percent_halves_churn():
    app = open_page("app_pages/profit.py")
    app.select_slider(key="profit_retention").set_value(90.0).run()
    app.select_slider(key="profit_uplift").set_value(5.0).run()
    assert not app.exception
    sentence = " ".join(markdown.value for markdown in app.markdown)
    assert "10,0\u00a0% → 5,0\u00a0%" in sentence
    assert "50\u00a0% weniger Abwanderung" in sentence
    # Lifetime 1 / churn: 10 years before, 20 after.
    assert metric_value(app, "Lebensdauer (Jahre)") == "10,0 → 20,0"


@pytest.mark.slow
def test_profits_per_customer_year_are_typed_as_the_language_writes_numbers():
    app = open_page("app_pages/profit.py")
    first = app.text_input(key="profit_tenure_1")
    # revenue measured × the measured gross margin: the profit is measured
    assert (first.label, first.value) == ("Gewinn im 1. Kundenjahr (Umsatz 190,61\u00a0€) (gemessen)", "80,05")
    assert app.text_input(key="profit_tenure_2").value == "89,72"
    before = german_number(metric_value(app, "Kundenwert heute"))
    first.set_value("1.000").run()  # one thousand: year 1 is certain and comes at once, undiscounted
    assert app.query_params["profit_tenure"] == "1:1000"
    assert app.text_input(key="profit_tenure_1").value == "1.000,00"
    assert app.text_input(key="profit_tenure_1").label.endswith("(Ihr Wert)")
    assert app.text_input(key="profit_tenure_2").label.endswith("(gemessen)")
    after = german_number(metric_value(app, "Kundenwert heute"))
    assert after - before == pytest.approx(1000 - 190.61 * 0.42, abs=0.02)
    app.text_input(key="profit_tenure_2").set_value("89.72").run()  # a point is no German decimal mark
    assert app.error[0].value.startswith("„89.72“ ist keine Zahl, die sich lesen lässt.")
    assert app.error[0].value.endswith("Es gilt weiter 89,72.")
    assert app.query_params["profit_tenure"] == "1:1000" and not app.exception


@pytest.mark.slow
def test_cohort_slider_shows_the_pooled_share_buying_again_one_quarter_later(sample_orders):
    app = open_page("app_pages/cohorts.py")
    app.slider(key="cohort_periods_since").set_value(1).run()
    assert not app.exception
    quarter = sample_orders.assign(q=sample_orders["Bestelldatum"].dt.to_period("Q"))
    first = quarter.groupby("Kundennummer")["q"].min().rename("first")
    bought = quarter.join(first, on="Kundennummer")
    observed = first[first < quarter["q"].max()]
    again = bought[(bought["q"] == bought["first"] + 1)]["Kundennummer"].nunique()
    expected = again / len(observed)
    assert metric_value(app, "Anteil noch kaufender Kunden") == f"{expected:.1%}".replace(".", ",").replace(
        "%", "\u00a0%")


@pytest.mark.slow
def test_loyalty_index_is_the_mean_of_the_three_question_means():
    app = open_page("app_pages/loyalty.py")
    for question, value in (("recommend", 9.0), ("repurchase", 6.0), ("try_new", 3.0)):
        app.select_slider(key=f"loyalty_cli_{question}").set_value(value).run()
    assert not app.exception
    assert metric_value(app, "CLI (0–10)") == "6,0"  # (9 + 6 + 3) / 3


@pytest.mark.slow
def test_sliders_write_their_values_as_the_language_writes_numbers():
    # Streamlit's number slider can only write a decimal point ("68.8 %"), so the percent and decimal sliders list
    # their steps with labels in the page's language
    app = open_page("app_pages/profit.py")
    uplift = app.select_slider(key="profit_uplift")  # 0 to 10 % by 0.5 %
    assert (len(uplift.options), uplift.options[:2], uplift.options[-1]) == (21, ["0,0\u00a0%", "0,5\u00a0%"],
                                                                             "10,0\u00a0%")
    # the retention measured in the sample (1,096 of 2023's 1,878 buyers bought again in 2024) lies between two
    # steps: it is an option of its own, written to two decimals, and the default
    retention = app.select_slider(key="profit_retention")
    assert retention.value == 58.36 and "58,36\u00a0%" in retention.options and len(retention.options) == 199 + 1
    app.button_group(key="app_lang").set_value("en").run()
    assert app.select_slider(key="profit_uplift").options[:2] == ["0.0%", "0.5%"]
    app.switch_page("app_pages/loyalty.py").run()
    assert app.select_slider(key="loyalty_cli_recommend").options[74:76] == ["7.4", "7.5"]
    app.button_group(key="app_lang").set_value("de").run()
    assert app.select_slider(key="loyalty_cli_recommend").options[74:76] == ["7,4", "7,5"]
    assert not app.exception


def test_slider_steps_are_exact_decimals_and_take_in_values_between_them():
    # 0.1 · 3 is 0.30000000000000004 in binary floating point: the steps are rounded to the step's decimals, so a
    # link's 0.3 is the third step, not an option beside it
    loyalty = inputs._steps(PARAMS["loyalty_cli_recommend"], 0.3, 7.5)
    assert len(loyalty) == 101 and loyalty[:4] == [0.0, 0.1, 0.2, 0.3]
    assert all(step == round(step, 1) for step in loyalty)
    discount = inputs._steps(PARAMS["clv_discount_rate"], 8.3)  # percent steps of 0.5, and 8.3 % between
    assert len(discount) == 62 and discount[16:19] == [8.0, 8.3, 8.5] and discount[-1] == 30.0
    assert inputs._steps(PARAMS["cost_change_team"])[:3] == [-50.0, -45.0, -40.0]


def test_the_whole_number_slider_refuses_fractions_and_decimals():
    specs = {key: PARAMS[key] for key in ("clv_gross_margin", "loyalty_cli_recommend")}
    plan = whatif.Resolved(values={}, defaults={}, specs=specs, rejected=())
    with pytest.raises(ValueError, match="slider is for whole numbers; clv_gross_margin is a fraction, use "
                                         "percent_slider or decimal_slider"):
        inputs.slider(plan, "clv_gross_margin", "Marge")
    with pytest.raises(ValueError, match="loyalty_cli_recommend is a number"):
        inputs.slider(plan, "loyalty_cli_recommend", "Weiterempfehlung")


def upload(app: AppTest, name: str, content: bytes, mime: str = "text/csv") -> AppTest:
    app.file_uploader(key="data_file_transactions").set_value((name, content, mime)).run()
    assert not app.exception, app.exception
    return app


@pytest.mark.slow
def test_german_sample_csv_uploads_through_the_file_uploader_and_becomes_the_data():
    app = upload(open_page("app_pages/data.py"), "transaktionen.csv", SAMPLE_CSV.read_bytes())
    assert metric_value(app, "Übernommene Zeilen") == "30.976"
    assert metric_value(app, "Abgelehnte Zeilen") == "0"
    app.button(key="data_use").click().run()
    assert app.session_state["app_source"] == "upload"
    app.switch_page("app_pages/overview.py").run()
    assert not app.exception
    assert metric_value(app, "Bindungskosten je aktivem Kunden") == "–"  # no cost sheet uploaded


@pytest.mark.slow
def test_a_parquet_export_of_the_sample_uploads_and_shows_the_same_numbers(sample_orders):
    orders = pd.read_csv(SAMPLE_CSV, sep=";", decimal=",", thousands=".", encoding="cp1252",
                         dtype={"Kundennummer": str, "Bestelldatum": str})
    orders["Bestelldatum"] = pd.to_datetime(orders["Bestelldatum"], format="%d.%m.%Y")
    app = upload(open_page("app_pages/data.py"), "transaktionen.parquet", orders.to_parquet(index=False),
                 "application/vnd.apache.parquet")
    assert any("Parquet" in caption.value for caption in app.caption)
    assert metric_value(app, "Übernommene Zeilen") == "30.976"
    app.button(key="data_use").click().run()
    app.switch_page("app_pages/loyalty.py").run()
    assert not app.exception
    # the first page on the upload aggregates it inside a status box that names its steps and ends complete
    assert [(box.label, box.state) for box in app.status] == [("Daten zusammengefasst", "complete")]
    # customers with two or more order days: two lines of one basket are one purchase
    repeat_buyers = (sample_orders.groupby("Kundennummer")["Bestelldatum"].nunique() >= 2).mean()
    shown = german_number(metric_value(app, "Wiederkaufsrate (alle Daten)")) / 100
    assert shown == pytest.approx(repeat_buyers, abs=0.0006)  # shown to 0.1 %


@pytest.mark.slow
def test_bad_rows_are_counted_shown_and_offered_for_download():
    content = ("Kundennummer;Bestelldatum;Betrag\n" + "".join(f"K{i};0{i}.01.2024;1{i},50\n" for i in range(1, 9))
               + "K9;kein Datum;3,00\nK10;10.01.2024;viel\n").encode("cp1252")
    app = upload(open_page("app_pages/data.py"), "bestellungen.csv", content)
    assert metric_value(app, "Übernommene Zeilen") == "8"
    assert metric_value(app, "Abgelehnte Zeilen") == "2"
    messages = " ".join(element.value for element in (*app.warning, *app.error))
    assert "kein Datum" in messages and "viel" in messages
    assert any(button.label == "Abgelehnte Zeilen als CSV herunterladen" for button in app.get("download_button"))


@pytest.mark.slow
def test_numeric_ids_under_any_header_reach_the_dashboard_as_the_file_wrote_them():
    # issue 24: 9007199254740993 and ...992 were one customer, 1.234 merged with 1234, 20 digits turned negative
    ids = ["9007199254740993", "9007199254740992", "1.234", "1234", "12345678901234567890"] + [
        str(n) for n in range(100, 120)] + ["A-17"]
    content = ("Wer;Bestelldatum;Betrag\n" + "".join(f"{customer};01.06.2024;1,00\n" for customer in ids)).encode()
    app = upload(open_page("app_pages/data.py"), "bestellungen.csv", content)
    [customer] = [box for box in app.selectbox if box.key.endswith("_customer_id")]
    customer.set_value("Wer")
    app.button(key="FormSubmitter:data_form_transactions-Zuordnung übernehmen").click().run()
    assert not app.exception, app.exception
    assert metric_value(app, "Übernommene Zeilen") == str(len(ids))
    assert metric_value(app, "Abgelehnte Zeilen") == "0"  # "A-17" is an id, not a failed number
    assert app.dataframe[0].value["customer_id"].tolist()[:5] == ids[:5]
    app.button(key="data_use").click().run()
    assert app.session_state["data_dataset"].transactions["customer_id"].nunique() == len(ids)


@pytest.mark.slow
def test_the_preview_writes_amounts_and_margins_as_the_page_language_does():
    import pyarrow as pa

    content = ("Kundennummer;Bestelldatum;Betrag;Marge;Menge\nK1;01.01.2024;1.234,56;35;2\n"
               "K2;02.01.2024;10;40;1,5\n").encode("cp1252")
    app = upload(open_page("app_pages/data.py"), "bestellungen.csv", content)
    preview = app.dataframe[0]
    assert preview.value["amount"].tolist() == [1234.56, 10.0]  # the cells stay numbers
    shown = pa.ipc.open_stream(preview.proto.arrow_data.styler.display_values).read_all().to_pandas()
    assert shown["amount"].tolist() == ["1.234,56", "10,00"]
    assert shown["gross_margin"].tolist() == ["35,0\u00a0%", "40,0\u00a0%"]
    assert shown["quantity"].tolist() == ["2", "1,50"]  # other decimal columns: no decimals when whole


@pytest.mark.slow
def test_an_upload_in_one_session_is_invisible_in_another():
    owner = upload(open_page("app_pages/data.py"), "geheim.csv",
                   "Kundennummer;Bestelldatum;Betrag\nGEHEIM-1;01.01.2024;999,99\n".encode())
    owner.button(key="data_use").click().run()
    assert owner.session_state["app_source"] == "upload"
    visitor = AppTest.from_file(APP, default_timeout=120).run()
    assert visitor.radio(key="app_source").disabled  # nothing uploaded in this session: only the sample
    assert "Angezeigt: Kaffeerösterei Lindenberg (Beispiel)" in [rendered(caption.value) for caption in visitor.caption]
    shown = " ".join(str(element.value) for element in (*visitor.caption, *visitor.markdown, *visitor.metric))
    assert "GEHEIM" not in shown and "geheim.csv" not in shown and "999,99" not in shown
    visitor.switch_page("app_pages/data.py").run()
    assert not visitor.metric  # no kept/rejected counts: the visitor has uploaded nothing


PAGES = ("overview", "retention_cost", "clv", "profit", "cohorts", "loyalty", "segments", "scenarios", "data")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_page_renders_in_both_languages(lang):
    # the smoke test of the quick run: one session per language, each page run once (the frame opens on the
    # Overview); each page opened on its own in a new session is in test_app_language.py (marked slow)
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["app_lang"] = lang
    app.run()
    titles = []
    for page in PAGES:
        if page != "overview":
            app.switch_page(f"app_pages/{page}.py").run()
        assert not app.exception, (page, app.exception)
        assert app.title[0].value, page
        titles.append(app.title[0].value)
    assert len(set(titles)) == len(PAGES), titles  # every switch reached its page


def test_no_page_relies_on_magic_which_the_server_config_turns_off():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False
    for path in [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Call):
                docstring = isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                assert docstring, f"{path.name}, line {node.lineno}: a bare expression shows nothing without magic"


def test_a_table_writes_its_numbers_as_the_language_does_and_keeps_them_numbers():
    from dashboard import widgets
    from dashboard.sidebar import Settings

    frame = pd.DataFrame({"customer_id": ["K1"], "monetary": [1234.5], "probability_alive": [0.9876]})
    formats = {"monetary": ("number", 2), "probability_alive": ("percent", 1)}
    german = widgets.localized(frame, formats, Settings("de", "EUR", "quarter", 12, "sample")).to_string()
    english = widgets.localized(frame, formats, Settings("en", "EUR", "quarter", 12, "sample")).to_string()
    assert "1.234,50" in german and "98,8\u00a0%" in german and "K1" in german
    assert "1,234.50" in english and "98.8%" in english
    assert widgets.localized(frame, formats, Settings("de", "EUR", "quarter", 12, "sample")).data.equals(frame)


@pytest.mark.slow
def test_the_customer_base_projection_names_the_acquisition_it_assumes():
    app = open_page("app_pages/profit.py")
    caption = next(caption.value for caption in app.caption if caption.value.startswith("Angenommen: Jedes Jahr"))
    assert "der Käufer des Vorjahres" in caption and "nicht aus der Bindung" in caption
    assert re.search(r"\(\+[\d.]+\u00a0% nach 5 Jahren\)", caption), caption


@pytest.mark.slow
def test_a_customers_sheet_uploads_as_the_fifth_sheet_and_reaches_the_data_set():
    orders = ("Kundennummer;Bestelldatum;Betrag\n" + "".join(f"K{i};0{i}.01.2024;1{i},50\n" for i in range(1, 8))
              ).encode("cp1252")
    customers = "Kundennummer;Kanal;Filiale\nK1;Web;Köln\nK2;Laden;\n;Web;Bonn\nK99;Web;Köln\n".encode("cp1252")
    app = upload(open_page("app_pages/data.py"), "bestellungen.csv", orders)
    assert [tab.label for tab in app.tabs][-1] == "Kunden (optional)"
    app.file_uploader(key="data_file_customers").set_value(("kunden.csv", customers, "text/csv")).run()
    assert not app.exception, app.exception
    # the German headers are mapped by suggestion; a row without a customer number is set aside like anywhere else
    mapped = {box.key.rsplit("_", 1)[-1]: box.value for box in app.selectbox
              if box.key.startswith("data_map_customers")}
    assert mapped["id"] == "Kundennummer" and mapped["channel"] == "Kanal" and mapped["branch"] == "Filiale"
    counts = [(metric.label, metric.value) for metric in app.metric]  # the transactions' tab first, then this one
    assert counts[-2:] == [("Übernommene Zeilen", "3"), ("Abgelehnte Zeilen", "1")]
    assert any("Kundennummer" in warning.value for warning in app.warning)
    note = " ".join(info.value for info in app.info)
    assert "Von den 3 Kunden der Kundentabelle kommen 2 in den Transaktionen vor, 1 nicht" in note
    assert "5 Kunden der Transaktionen stehen nicht in der Tabelle" in note
    app.button(key="data_use").click().run()
    used = app.session_state["data_dataset"]
    assert used.customers["customer_id"].tolist() == ["K1", "K2", "K99"]
    assert used.customers["branch"].tolist()[0] == "Köln"
