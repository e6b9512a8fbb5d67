"""The translation table is complete in German and English, and numbers are formatted per locale."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from retention_views.i18n import (
    LANGUAGES, TEXTS, format_date_pattern, format_money, format_number, format_percent, format_period, parse_number,
    placeholders, t, translate_reason,
)

from retention_core.ingest import SHEETS
from retention_core.ingest.contract import PROBLEM_KEYS
from retention_views.url_params import PARAMS, RETIRED_KEYS

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*ROOT.glob("app.py"), *ROOT.glob("app_pages/*.py"), *ROOT.glob("dashboard/*.py"),
           *ROOT.glob("retention_core/*.py")]
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_]+)["']""")
KEY_ARGUMENT = re.compile(r"""\bmetric\(\s*["']([a-z0-9_]+)["']""")
# Keys built from a prefix and a known set of names (f-strings in the pages).
FAMILIES = {
    "period_{}": ("month", "quarter", "year"),
    "period_plural_{}": ("month", "quarter", "year"),
    "period_noun_{}": ("month", "quarter", "year"),
    "category_{}": ("team", "tools", "engagement"),
    "category_short_{}": ("team", "tools", "engagement"),
    "cost_mode_{}": ("data", "typed"),
    "source_{}": ("sample", "upload"),
    "sheet_{}": ("transactions", "retention_costs", "acquisition", "nps"),
    "data_help_{}": ("transactions", "retention_costs", "acquisition", "nps"),
    "page_{}": ("overview", "retention_cost", "clv", "profit", "cohorts", "loyalty", "scenarios", "data"),
    "intro_{}": ("overview", "retention_cost", "clv", "profit", "cohorts", "loyalty", "scenarios", "data"),
    "param_{}": (*PARAMS, *RETIRED_KEYS),
    "png_{}": ("no_kaleido", "no_browser", "failed"),
    "scenario_{}": ("name_empty", "name_too_long", "too_many"),
    "verdict_{}": ("inside", "below", "above", "absolute", "no_room"),
    "reason_{}": ("short_lifetime", "flat_profits", "high_discount", "near_zero", "long_lifetime", "capped"),
    "unknown_retention_{}": ("short_history", "no_previous_buyers", "assumed"),
    "profit_value_{}": ("before", "after", "before_no_cac", "after_no_cac"),
    "loyalty_cli_{}": ("recommend", "repurchase", "try_new"),
    "aggregate_step_{}": ("prepare", "activity", "cohorts", "costs", "acquisition", "nps", "customers", "tenure",
                          "predictive", "done"),
    "industry_{}": ("retail", "media", "hospitality", "saas", "financial_services", "telecom"),
    "column_hint_{}": tuple(dict.fromkeys(name for spec in SHEETS.values() for name in spec.required)),
    "rejected_reason_{}": ("load_rows_wrong_field_count", "load_rows_malformed", "load_values_not_numbers",
                           "load_values_not_dates", *(key for key in PROBLEM_KEYS
                                                      if key not in ("data_missing_column", "data_no_rows",
                                                                     "data_no_purchases", "data_negative_amounts",
                                                                     "data_margin_percent", "data_duplicate_rows"))),
    "error_sheet_{}": ("field_missing", "no_rows", "no_purchases", "not_applied"),
}


def used_keys() -> set[str]:
    keys = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        keys |= set(LITERAL_KEY.findall(text)) | set(KEY_ARGUMENT.findall(text))
    return keys


def test_every_text_has_a_german_and_an_english_version():
    incomplete = [key for key, texts in TEXTS.items() if set(texts) != set(LANGUAGES) or not all(texts.values())]
    assert incomplete == []


def test_every_key_the_code_uses_is_in_the_table():
    from retention_core import revenue
    from retention_core.ingest import CANONICAL_NAMES
    from retention_views.page_results import KPI_FIELDS, REVENUE_KPI_FIELDS

    families = {pattern.format(name) for pattern, names in FAMILIES.items() for name in names}
    kpis = {f"kpi_{name}{suffix}" for name, _, _ in KPI_FIELDS for suffix in ("", "_help")}
    kpis |= {f"kpi_{name}{suffix}" for name, *_ in REVENUE_KPI_FIELDS for suffix in ("", "_help")}
    columns = {f"column_{name}" for name in CANONICAL_NAMES}
    missing = sorted((used_keys() | families | kpis | columns) - set(TEXTS))
    assert missing == []


def test_both_languages_use_the_same_placeholders():
    def fields(text: str) -> set[str]:
        return placeholders(text)

    mismatched = [key for key, texts in TEXTS.items() if fields(texts["de"]) != fields(texts["en"])]
    assert mismatched == []


def test_a_missing_key_raises_instead_of_showing_nothing():
    with pytest.raises(KeyError):
        t("no_such_key", "de")


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


def test_a_count_of_one_takes_the_singular_in_both_languages():
    assert t("data_dialect_parquet", "de", rows=1) == "Erkannt: Parquet; 1 Zeile gelesen."
    assert t("data_dialect_parquet", "de", rows="1.317") == "Erkannt: Parquet; 1.317 Zeilen gelesen."
    assert t("data_dialect_parquet", "en", rows=1) == "Detected: Parquet; 1 row read."
    assert t("data_not_a_number", "de", rows=1, column="Betrag", examples="viel") == (
        "1 Wert in „Betrag“ ist keine Zahl (z. B. viel); diese Zeile wurde aussortiert.")
    assert t("data_not_a_number", "en", rows=2, column="Amount", examples="lots") == (
        "2 values in \"Amount\" are not numbers (e.g. lots); these rows were set aside.")


def test_a_plural_choice_names_its_parameter():
    assert placeholders("{rows} {rows|Zeile|Zeilen} in {column}") == {"rows", "column"}


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
