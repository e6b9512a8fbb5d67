"""The texts are complete in German and English: every key the code uses is in both locale files, with the same
placeholders, and a text is shown exactly as written there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retention_core.benchmarks import INDUSTRY_RETENTION
from retention_core.dataset import AGGREGATE_STEPS
from retention_core.ingest import CANONICAL_NAMES, CATEGORIES, SHEETS
from retention_core.ingest.contract import PROBLEM_KEYS
from retention_core.models import REASONS as PREDICTIVE_REASONS
from retention_core.queries import PERIODS
from retention_views import text_keys, texts
from retention_views.page_results import KPI_FIELDS, REVENUE_KPI_FIELDS
from retention_views.report import REPORT_FORMULAS
from retention_views.texts import LANGUAGES, placeholders, t, template, translator
from retention_views.url_params import PARAMS, RETIRED_KEYS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*ROOT.glob("app.py"), *ROOT.glob("app_pages/*.py"), *ROOT.glob("dashboard/**/*.py"),
           *ROOT.glob("retention_core/**/*.py"), *ROOT.glob("retention_views/**/*.py")]
LITERAL_KEY = re.compile(r"""\b(?:t|tr)\(\s*["']([a-z0-9_]+)["']""")
KEY_ARGUMENT = re.compile(r"""\bmetric\(\s*["']([a-z0-9_]+)["']""")
# Keys the code passes around as values (an exception's key, a problem's short form) rather than to t().
PASSED_KEYS = ("png_no_kaleido", "png_no_browser", "png_failed", "scenario_name_empty", "scenario_name_too_long",
               "scenario_too_many", "error_sheet_field_missing", "error_sheet_no_rows", "error_sheet_no_purchases",
               "error_sheet_not_applied")
PAGES = ("overview", "retention_cost", "clv", "profit", "cohorts", "loyalty", "segments", "scenarios", "data")
# What each explicit key map of text_keys must cover: the values the code looks up in it.
COVERED = {
    "PERIOD": PERIODS,
    "PERIOD_PLURAL": PERIODS,
    "PERIOD_NOUN": PERIODS,
    "CATEGORY": CATEGORIES,
    "CATEGORY_SHORT": CATEGORIES,
    "COST_MODE": ("data", "typed"),
    "SOURCE": ("sample", "upload", "configured"),
    "SHEET": tuple(SHEETS),
    "SHEET_HELP": tuple(SHEETS),
    "COLUMN": ("row_number", "reason", *CANONICAL_NAMES),
    "COLUMN_HINT": tuple(dict.fromkeys(name for spec in SHEETS.values() for name in spec.required)),
    "REJECTED_REASON": ("load_rows_wrong_field_count", "load_rows_malformed", "load_values_not_numbers",
                        "load_values_not_dates", *(key for key in PROBLEM_KEYS
                                                   if key not in ("data_missing_column", "data_no_rows",
                                                                  "data_no_purchases", "data_negative_amounts",
                                                                  "data_margin_percent", "data_duplicate_rows"))),
    "AGGREGATE_STEP": (*AGGREGATE_STEPS, "done"),
    "PAGE_TITLE": PAGES,
    "PAGE_INTRO": PAGES,
    "PARAM": (*PARAMS, *RETIRED_KEYS),
    "UNKNOWN_RETENTION": ("short_history", "no_previous_buyers", "assumed"),
    "PREDICTIVE_REASON": PREDICTIVE_REASONS,
    "THIN_DATA": ("wide", "few_repeaters", "few_customers"),  # intervals.thin_data's reasons
    "LOYALTY_QUESTION": ("recommend", "repurchase", "try_new"),
    "INPUT_SOURCE": ("measured", "assumed", "yours"),
    "INDUSTRY": tuple(industry.key for industry in INDUSTRY_RETENTION),
    "VERDICT": ("inside", "below", "above", "absolute", "no_room"),
    "VERDICT_REASON": ("short_lifetime", "flat_profits", "high_discount", "near_zero", "long_lifetime", "capped"),
    "PROFIT_VALUE": (True, False),
    "REPORT_SEED": ("000", "001"),
    "KPI": (*(name for name, *_ in KPI_FIELDS), *(name for name, *_ in REVENUE_KPI_FIELDS)),
    "CARD_HELP": (*text_keys.KPI.values(), "clv_annual_retention", "kpi_repeat_purchase_rate_year",
                  "clv_margin_multiple", "kpi_clv_gap", "label_net_value", "kpi_clv_to_cac"),
    "REPORT_FORMULA_TITLE": tuple(function.__name__ for function in REPORT_FORMULAS),
    "REPORT_FORMULA_LINE": ("retention_cost_per_customer", "annual_retention_rate", "margin_per_customer_year",
                            "simple_clv", "clv_gap", "net_value", "retention_uplift", "net_revenue_retention",
                            "gross_revenue_retention", "bridge_ending"),
}


def key_maps() -> dict[str, dict]:
    return {name: value for name, value in vars(text_keys).items() if name.isupper() and isinstance(value, dict)}


def used_keys() -> set[str]:
    keys = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        keys |= set(LITERAL_KEY.findall(text)) | set(KEY_ARGUMENT.findall(text))
    return keys


def test_every_text_has_a_german_and_an_english_version():
    incomplete = [key for key in texts.keys() if not all(texts.table(lang).get(key) for lang in LANGUAGES)]
    assert incomplete == []


def test_each_locale_file_has_the_same_keys_in_the_same_order():
    assert list(texts.table("de")) == list(texts.table("en")) == list(texts.keys())
    assert len(texts.keys()) > 600


def test_every_key_the_code_uses_is_in_the_table():
    mapped = {key for keys in key_maps().values() for value in keys.values()
              for key in (value if isinstance(value, tuple) else (value,))}
    missing = sorted(key for key in used_keys() | mapped | set(PASSED_KEYS) if not texts.has(key))
    assert missing == []


def test_each_key_map_covers_the_values_it_is_looked_up_with():
    assert set(key_maps()) == set(COVERED)
    uncovered = {name: sorted(set(COVERED[name]) - set(keys), key=str) for name, keys in key_maps().items()
                 if set(COVERED[name]) - set(keys)}
    assert uncovered == {}


def test_both_languages_use_the_same_placeholders():
    def fields(text: str) -> set[str]:
        return placeholders(text)

    mismatched = [key for key in texts.keys() if fields(template(key, "de")) != fields(template(key, "en"))]
    assert mismatched == []


def test_a_missing_key_raises_instead_of_showing_nothing():
    with pytest.raises(KeyError, match="no_such_key"):
        t("no_such_key", "de")
    with pytest.raises(KeyError, match="no_such_key"):
        translator("en")("no_such_key")
    assert not texts.has("no_such_key") and texts.has("data_dialect_parquet")


def test_a_missing_parameter_raises_instead_of_showing_a_placeholder():
    with pytest.raises(KeyError, match="rows"):
        t("data_not_a_number", "en", column="Amount", examples="lots")
    with pytest.raises(KeyError, match="rows"):
        translator("de")("data_dialect_parquet", column="Betrag")


def test_a_language_without_a_locale_file_is_refused():
    with pytest.raises(KeyError, match="fr"):
        translator("fr")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_bound_translator_gives_the_same_text_as_t(lang):
    tr = translator(lang)
    assert tr.lang == lang
    plain = [key for key in texts.keys() if not placeholders(template(key, lang))]
    assert [tr(key) for key in plain] == [t(key, lang) for key in plain]
    assert tr("data_dialect_parquet", rows=2) == t("data_dialect_parquet", lang, rows=2)


def test_a_count_of_one_takes_the_singular_in_both_languages():
    assert t("data_dialect_parquet", "de", rows=1) == "Erkannt: Parquet; 1 Zeile gelesen."
    assert t("data_dialect_parquet", "de", rows="1.317") == "Erkannt: Parquet; 1.317 Zeilen gelesen."
    assert t("data_dialect_parquet", "en", rows=1) == "Detected: Parquet; 1 row read."
    assert translator("de")("data_dialect_parquet", rows=2) == "Erkannt: Parquet; 2 Zeilen gelesen."
    assert translator("en")("data_dialect_parquet", rows=2) == "Detected: Parquet; 2 rows read."
    assert t("data_not_a_number", "de", rows=1, column="Betrag", examples="viel") == (
        "1 Wert in „Betrag“ ist keine Zahl (z. B. viel); diese Zeile wurde aussortiert.")
    assert t("data_not_a_number", "en", rows=2, column="Amount", examples="lots") == (
        "2 values in \"Amount\" are not numbers (e.g. lots); these rows were set aside.")


def test_a_plural_choice_names_its_parameter():
    assert placeholders("{rows} {rows|Zeile|Zeilen} in {column}") == {"rows", "column"}
