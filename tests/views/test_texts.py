"""The texts are complete in German and English: every key the code uses is in both locale files, with the same
placeholders, and a text is shown exactly as written there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retention_core.ingest import SHEETS
from retention_core.ingest.contract import PROBLEM_KEYS
from retention_views import texts
from retention_views.texts import LANGUAGES, placeholders, t, template, translator
from retention_views.url_params import PARAMS, RETIRED_KEYS

ROOT = Path(__file__).resolve().parents[2]
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
    incomplete = [key for key in texts.keys() if not all(texts.table(lang).get(key) for lang in LANGUAGES)]
    assert incomplete == []


def test_each_locale_file_has_the_same_keys_in_the_same_order():
    assert list(texts.table("de")) == list(texts.table("en")) == list(texts.keys())
    assert len(texts.keys()) > 600


def test_every_key_the_code_uses_is_in_the_table():
    from retention_core import revenue
    from retention_core.ingest import CANONICAL_NAMES
    from retention_views.page_results import KPI_FIELDS, REVENUE_KPI_FIELDS

    families = {pattern.format(name) for pattern, names in FAMILIES.items() for name in names}
    kpis = {f"kpi_{name}{suffix}" for name, _, _ in KPI_FIELDS for suffix in ("", "_help")}
    kpis |= {f"kpi_{name}{suffix}" for name, *_ in REVENUE_KPI_FIELDS for suffix in ("", "_help")}
    columns = {f"column_{name}" for name in CANONICAL_NAMES}
    missing = sorted(key for key in used_keys() | families | kpis | columns if not texts.has(key))
    assert missing == []


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


