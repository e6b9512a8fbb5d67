"""User text is text: a Markdown image, link or heading in a file name, a column header, a cell, a sheet name or a
scenario name is shown as those characters, never as an image, link or heading (issue 29).

Streamlit reads Markdown in messages, captions and widget labels, where an image makes the viewer's browser fetch
its address. AppTest gives each element's Markdown source: it must hold no live image or link syntax, and shown
(``rendered``) it must read as the text the user wrote: user text goes into inline code spans, which Markdown shows
character for character. ``tests/dashboard/test_browser.py`` checks the same in Chromium, where no request may reach the
address.
"""

from __future__ import annotations

import re

import pytest
from apptest_support import CODE_SPAN, open_page, rendered

import crafted_files

pytestmark = pytest.mark.slow  # whole-page AppTests; the quick run has the smoke test of every page (test_app.py)

HOST = "http://127.0.0.1:9"
IMAGE = f"![i]({HOST}/image.png)"
LINK = f"[l]({HOST}/link)"
NAME = f"{IMAGE} {LINK} # Titel.csv"


def markdown_places(app) -> list[str]:
    """The Markdown source of every message, caption, text and widget label on the page."""
    bodies = [element.value for kind in ("markdown", "caption", "error", "warning", "info", "success")
              for element in getattr(app, kind)]
    bodies += [element.label for element in (*app.selectbox, *app.button, *app.get("download_button"))]
    return [str(body) for body in bodies]


def assert_shown_as_text(app, *texts: str) -> None:
    places = markdown_places(app)
    for body in places:
        outside = CODE_SPAN.sub("", body)  # a code span shows its characters as they are
        assert not re.search(r"!\[|\]\(|https?:|^\s*#", outside), f"live Markdown in {body!r}"
    shown = " ".join(rendered(body) for body in places)
    for text in texts:
        assert text in shown, f"{text!r} is not shown as written"


def upload(app, key: str, name: str, content: bytes):
    app.file_uploader(key=key).set_value((name, content, "application/octet-stream")).run()
    assert not app.exception, app.exception
    return app


def test_a_file_name_header_and_cell_written_as_markdown_are_shown_as_text():
    content = (f"Kundennummer;Bestelldatum;Betrag;{IMAGE}\n"
               f"K1;01.01.2024;12,50;a\nK2;02.01.2024;{IMAGE};b\nK3;03.01.2024;7,00;c\n").encode()
    app = upload(open_page("app_pages/data.py"), "data_file_transactions", NAME, content)
    assert_shown_as_text(app, IMAGE)  # the cell, in the message about values that are not numbers
    app.button(key="data_use").click().run()
    assert_shown_as_text(app, IMAGE, LINK, "# Titel.csv")  # the file name, in the sidebar's "Showing: ..."


def test_a_file_name_in_an_error_message_is_shown_as_text():
    app = upload(open_page("app_pages/data.py", "en"), "data_file_transactions", NAME, b"")
    assert [rendered(error.value) for error in app.error] == [f"The file {NAME} is empty."]
    assert_shown_as_text(app, NAME)


def test_a_sheet_name_written_as_markdown_is_shown_as_text():
    data = crafted_files.workbook_bytes([("Kundennummer", "Bestelldatum", "Betrag"), ("K1", "2024-01-02", 12.5)])
    parts = crafted_files.workbook_parts(data)
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'name="Sheet"', f'name="{IMAGE}"'.encode())
    app = upload(open_page("app_pages/data.py"), "data_file_transactions", "bestellungen.xlsx",
                 crafted_files.zip_bytes(parts))
    assert_shown_as_text(app, IMAGE)  # "Blatt ![i](...), 1 Zeilen"


def test_a_cost_category_written_as_markdown_labels_its_choice_as_text():
    content = (f"Monat;Kategorie;Betrag\n01.01.2024;{IMAGE};100,00\n01.01.2024;Team;50,00\n").encode()
    app = upload(open_page("app_pages/data.py"), "data_file_retention_costs", "kosten.csv", content)
    assert any(rendered(box.label) == IMAGE for box in app.selectbox)
    assert_shown_as_text(app, IMAGE)


def test_a_scenario_name_written_as_markdown_is_shown_as_text():
    app = open_page("app_pages/overview.py")
    app.text_input(key="scenario_save_name").input(f"{IMAGE} #A")
    next(button for button in app.button if button.label == "Speichern").click().run()
    assert not app.exception
    assert_shown_as_text(app, f"{IMAGE} #A")
    app.switch_page("app_pages/scenarios.py").run()
    assert not app.exception
    assert_shown_as_text(app, f"{IMAGE} #A")


def test_a_segment_named_in_markdown_is_picked_from_the_link_and_shown_as_text():
    import dataclasses

    from apptest_support import APP
    from streamlit.testing.v1 import AppTest

    from dashboard import keys
    from sample_data import load_sample

    product = f"{IMAGE} **Abo** <b>x</b>"
    sample = load_sample()
    orders = sample.transactions.assign(product=sample.transactions["product"].replace("Kaffee-Abo", product))
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state[keys.DATASET] = dataclasses.replace(sample, transactions=orders, key="md", name="md")
    app.session_state[keys.SOURCE] = "upload"
    app.session_state["segments_customers_open"] = True
    app.query_params["segments_dimension"] = "first_product"
    app.query_params["segments_segment"] = product
    app.run()
    app.switch_page("app_pages/segments.py").run()
    assert not app.exception, app.exception
    assert app.selectbox(key="segments_segment").value == product  # a data value, read from the link as written
    assert (app.dataframe[-1].value["segment"] == product).all()
    assert_shown_as_text(app, f"Segment: {product}")  # the list's caption
