"""Every word in the user's language: each page and each error path of the Data page, walked through the real frame
with AppTest in German and in English, shows no word of the other language and no internal column name.

The word lists hold words that occur in one language only (``Team``, ``Tools``, ``CLV`` are both); text from the
user's file (shown in code spans, or chosen in the mapping form) is the user's and is not checked.
"""

from __future__ import annotations

import re

import pytest
from apptest_support import open_page
from page_text import shown_texts

from retention_core.ingest import SHEETS

pytestmark = pytest.mark.slow  # whole-page AppTests; the quick run has the smoke test of every page (test_app.py)

ENGLISH = ("the", "and", "with", "cannot", "must", "per file", "Upload", "Browse", "None", "nan", "NaT", "rows",
           "row", "column", "columns", "customers", "missing", "required", "invalid", "canonical", "between", "from",
           "should", "which", "this", "formula", "seed", "article")
GERMAN = ("und", "der", "die", "das", "nicht", "Zeilen", "Zeile", "Spalte", "Kunden", "mit", "für", "Datei", "ein",
          "eine", "Umsatz", "Wert", "Kosten", "Beispiel", "wurden", "über", "Bestellung", "Pflichtfeld", "Betrag")
# internal names: every snake_case column name in both languages; in German also the one-word ones
INTERNAL = sorted({name for spec in SHEETS.values() for name in (*spec.required, *spec.optional)} | {
    "reason", "team", "tools", "engagement", "source_row"})
SNAKE_CASE = tuple(name for name in INTERNAL if "_" in name)
CODE_SPAN = re.compile(r"`+[^`]*`+")
# developer text and a count without its plural, even inside a code span (an exception's text once showed there)
ANYWHERE = re.compile(r"canonical|->|Traceback|\b1 (Zeilen|Werte|rows|values)\b")


def leaks(texts: list[str], words: tuple[str, ...], internal_names: tuple[str, ...] = SNAKE_CASE) -> list[str]:
    """The texts (code spans removed) that contain one of ``words`` or ``internal_names`` as a word."""
    pattern = re.compile(r"(?<![\w/.])(" + "|".join(map(re.escape, words)) + r")(?![\w/])")
    internal = re.compile(r"(?<![\w/.])(" + "|".join(map(re.escape, internal_names)) + r")(?![\w])")
    found = []
    for text in texts:
        bare = CODE_SPAN.sub("", text)
        if pattern.search(bare) or internal.search(bare) or ANYWHERE.search(text):
            found.append(text)
    return found


PAGES = ("overview", "retention_cost", "clv", "profit", "cohorts", "loyalty", "segments", "scenarios", "data")
OTHER = {"de": (ENGLISH, tuple(INTERNAL)), "en": (GERMAN, SNAKE_CASE)}


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_speaks_one_language(page, lang):
    app = open_page(f"app_pages/{page}.py", lang)
    assert leaks(shown_texts(app), *OTHER[lang]) == []


# --- the Data page's error paths ------------------------------------------------------------------------------------

HEADERS = {"de": ("Kundennummer", "Bestelldatum", "Betrag"), "en": ("Customer", "Order date", "Amount")}


def _orders(lang: str, rows: list[tuple[str, str, str]]) -> str:
    separator = ";" if lang == "de" else ","
    return "\n".join(separator.join(row) for row in (HEADERS[lang], *rows)) + "\n"


def _upload(app, content: str, name: str, kind: str = "transactions"):
    app.file_uploader(key=f"data_file_{kind}").set_value((name, content.encode("cp1252"), "text/csv")).run()
    assert not app.exception, app.exception
    return app


def _map(app, field: str, column: str, kind: str = "transactions"):
    box = next(box for box in app.selectbox if box.key.startswith(f"data_map_{kind}_") and box.key.endswith(field))
    box.set_value(column)
    next(button for button in app.button if button.key.startswith(f"FormSubmitter:data_form_{kind}")).click().run()
    assert not app.exception, app.exception
    return app


GOOD = {"de": [("K1", "01.01.2024", "1.317,97"), ("K2", "02.01.2024", "12,50")],
        "en": [("K1", "2024-01-01", "1317.97"), ("K2", "2024-01-02", "12.50")]}
BAD = {"de": [("K3", "kein Datum", "3,00"), ("", "04.01.2024", "viel")],
       "en": [("K3", "no date", "3.00"), ("", "2024-01-04", "lots")]}


def _data_page_texts(lang: str, steps) -> list[str]:
    app = open_page("app_pages/data.py", lang)
    steps(app)
    return shown_texts(app)


ERROR_PATHS = {
    "rejected rows": lambda lang, app: _upload(app, _orders(lang, GOOD[lang] + BAD[lang]), "orders.csv"),
    "one row": lambda lang, app: _upload(app, _orders(lang, GOOD[lang][:1]), "orders.csv"),
    "one column on two fields": lambda lang, app: _map(
        _upload(app, _orders(lang, GOOD[lang]), "orders.csv"), "amount", HEADERS[lang][0]),
    "required field left empty": lambda lang, app: _map(
        _upload(app, _orders(lang, GOOD[lang]), "orders.csv"), "amount", None),
    "no row kept": lambda lang, app: _upload(app, _orders(lang, BAD[lang]), "orders.csv"),
    "not a table": lambda lang, app: _upload(app, "\x00\x01binary", "orders.csv"),
    "empty file": lambda lang, app: _upload(app, "", "orders.csv"),
    "costs uploaded": lambda lang, app: _upload(
        _upload(app, _orders(lang, GOOD[lang]), "orders.csv"),
        {"de": "Monat;Kategorie;Betrag\n01.01.2024;Personal;5.000,00\n01.01.2024;Software;900,00\n"
               "01.01.2024;Rabatte;2.500,00\n",
         "en": "Month,Category,Amount\n2024-01-01,Staff,5000.00\n2024-01-01,Software,900.00\n"
               "2024-01-01,Discounts,2500.00\n"}[lang], "costs.csv", kind="retention_costs"),
}


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path", list(ERROR_PATHS))
def test_every_error_path_of_the_data_page_speaks_one_language(path, lang):
    texts = _data_page_texts(lang, lambda app: ERROR_PATHS[path](lang, app))
    assert leaks(texts, *OTHER[lang]) == []


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", "Die Spalte `Kundennummer` ist mehreren Feldern zugeordnet: „Kundennummer“ und „Betrag“."),
    ("en", "The column `Customer` is chosen for more than one field: “Customer id” and “Amount”."),
])
def test_one_column_chosen_for_two_fields_is_named_with_both_fields(lang, expected):
    texts = _data_page_texts(lang, lambda app: ERROR_PATHS["one column on two fields"](lang, app))
    assert any(text.startswith(expected) for text in texts), texts


@pytest.mark.parametrize(("lang", "header", "row"), [
    ("de", ["Kundennummer", "Bestelldatum", "Betrag", "Zeile", "Grund"],
     ["K3", "kein Datum", "3,00", "4", "Bestelldatum: kein Datum ('kein Datum')"]),
    ("en", ["Customer", "Order date", "Amount", "Row", "Reason"],
     ["K3", "no date", "3", "4", "Order date: not a date ('no date')"]),
])
def test_rejected_rows_are_headed_and_written_in_the_users_language(lang, header, row):
    app = open_page("app_pages/data.py", lang)
    ERROR_PATHS["rejected rows"](lang, app)
    table = app.dataframe[-1].value  # the cells as the file wrote them, the reason in the user's words
    assert list(table.columns) == header
    assert table.iloc[0].tolist() == row
    assert table.iloc[1, 0] == ""  # a missing customer number is empty, not None


COSTS = {"de": "Monat;Kategorie;Betrag\n01.01.2024;Personal;5.000,00\n01.01.2024;Software;900,00\n",
         "en": "Month,Category,Amount\n2024-01-01,Staff,5000.00\n2024-01-01,Software,900.00\n"}


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", "Diese Datei sieht nicht nach Transaktionen aus, sondern nach der Tabelle „Kundenbindungskosten“: Eine "
           "Zeile pro Kostenposten"),
    ("en", "This file does not look like Transactions but like the “Retention costs” sheet: One row per cost item"),
])
def test_a_cost_sheet_on_the_transactions_uploader_is_named_as_what_it_looks_like(lang, expected):
    app = _upload(open_page("app_pages/data.py", lang), COSTS[lang], "kosten.csv")
    assert any(warning.value.startswith(expected) for warning in app.warning), [w.value for w in app.warning]
    assert leaks(shown_texts(app), *OTHER[lang]) == []


def test_a_transactions_file_is_not_said_to_look_like_another_sheet():
    app = _upload(open_page("app_pages/data.py"), _orders("de", GOOD["de"]), "orders.csv")
    assert not any("sieht nicht nach" in warning.value for warning in app.warning)
