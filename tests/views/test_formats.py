"""Numbers, money, percentages, periods and dates are written and read as each language writes them; a rejected
row's reason is shown in the user's words."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from retention_views.formats import (
    format_date_pattern,
    format_money,
    format_number,
    format_percent,
    format_period,
    parse_number,
)
from retention_views.reasons import translate_reason


@pytest.mark.parametrize(("lang", "expected"), [("de", "1.234,56\u00a0€"), ("en", "€1,234.56")])
def test_money_follows_the_locale(lang, expected):
    assert format_money(1234.56, lang, "EUR") == expected


@pytest.mark.parametrize(("lang", "expected"), [("de", "12,00\u00a0€"), ("en", "€12.00")])
def test_the_cafe_result_reads_twelve_in_both_languages(lang, expected):
    assert format_money(8400 / 700, lang, "EUR") == expected


@pytest.mark.parametrize(("lang", "expected"), [("de", "90,5\u00a0%"), ("en", "90.5%")])
def test_fractions_become_percent_only_when_formatted(lang, expected):
    assert format_percent(0.905, lang) == expected


def test_numbers_group_thousands_per_locale_and_missing_values_show_a_dash():
    assert format_number(30976, "de") == "30.976"
    assert format_number(30976, "en") == "30,976"
    assert format_money(None, "de", "EUR") == format_percent(float("nan"), "en") == "–"


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("de", "2.500", 2500.0),  # a German thousands point, not 2.5
    ("de", "2.500,50", 2500.5),
    ("de", "76,89", 76.89),
    ("de", "12,50 €", 12.5),
    ("de", "1.234.567", 1234567.0),
    ("de", "-5", -5.0),
    ("en", "2,500.50", 2500.5),
    ("en", "2.5", 2.5),
    ("en", "$1,200", 1200.0),
    ("en", "2 500", 2500.0),
])
def test_numbers_are_read_as_the_language_writes_them(lang, text, expected):
    assert parse_number(text, lang) == expected


@pytest.mark.parametrize(("lang", "text"), [
    ("de", "2.50"),  # 250 or 2,50? refused, not guessed
    ("de", "76.89"),
    ("en", "12,5"),
    ("en", "5.000,00"),
    ("de", "zwölf"),
    ("de", ""),
])
def test_a_number_written_the_other_way_or_not_at_all_is_refused(lang, text):
    with pytest.raises(ValueError, match=f"{re.escape(repr(text))} is not a number in {lang}"):
        parse_number(text, lang)


def test_a_number_must_be_finite():
    with pytest.raises(ValueError, match="'NaN' is not a finite number"):
        parse_number("NaN", "de")


def test_periods_have_readable_names():
    assert format_period(pd.Timestamp("2024-07-01"), "quarter", "de") == "Q3 2024"
    assert format_period(pd.Timestamp("2024-03-01"), "month", "de") == "März 2024"
    assert format_period(pd.Timestamp("2024-03-01"), "month", "en") == "Mar 2024"
    assert format_period(pd.Timestamp("2024-01-01"), "year", "en") == "2024"


def test_detected_date_formats_are_shown_as_people_write_them():
    assert format_date_pattern("%d.%m.%Y", "de") == "TT.MM.JJJJ"
    assert format_date_pattern("%m/%d/%Y %H:%M", "en") == "MM/DD/YYYY hh:mm"
    assert format_date_pattern(None, "en") == "–"


def test_a_rejected_rows_reason_names_the_users_columns_and_speaks_german():
    names = {"customer_id": "Kunde", "order_date": "Datum", "amount": "Betrag"}
    assert translate_reason("customer_id: missing; order_date: not a date ('x')", "de", names) == (
        "Kunde: leer; Datum: kein Datum ('x')")
    assert translate_reason("amount: larger than 1,000,000,000,000 ('2e12')", "de", names) == (
        "Betrag: größer als 1.000.000.000.000 ('2e12')")
    assert translate_reason("wrong number of fields: expected 3, found 2", "de", names) == (
        "falsche Zahl von Feldern: 3 erwartet, 2 gefunden")
    assert translate_reason("amount: not a number ('lots')", "en", names) == "Betrag: not a number ('lots')"
    assert translate_reason(None, "de", names) == ""
