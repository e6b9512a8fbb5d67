"""Canonical columns: guessing the mapping from headers, renaming, and preparing each kind of sheet.

Every frame here is small enough to check the answer on paper; ``today`` is fixed to 1 January 2025.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from retention_core.ingest import (
    CATEGORIES,
    ID_COLUMNS,
    SHEETS,
    Problem,
    SheetSpec,
    TextCodes,
    map_columns,
    prepare_sheet,
    suggest_categories,
    suggest_mapping,
    unusable_sheet_problems,
    validate_transactions,
)
from retention_core.ingest import prepare as prepare_module
from retention_core.ingest.contract import MESSAGE_PARAMS, PROBLEM_KEYS
from retention_core.ingest.headers import normalize_header
from retention_core.ingest.parsing import coerce_strings, number_text
from retention_views.texts import LANGUAGES, placeholders, problem_text, template

TODAY = dt.date(2025, 1, 1)


def keys(problems) -> list[str]:
    return [problem.key for problem in problems]


def problem(problems, key: str) -> Problem:
    return next(found for found in problems if found.key == key)


# --- the spec -----------------------------------------------------------------------------------------------------


def test_every_sheet_kind_declares_a_type_for_each_of_its_columns():
    for spec in SHEETS.values():
        assert set(spec.types) == set(spec.required) | set(spec.optional)


def test_transactions_need_customer_date_and_amount():
    assert SHEETS["transactions"].required == ("customer_id", "order_date", "amount")
    assert SHEETS["transactions"].optional == ("product", "quantity", "gross_margin", "order_id")


# --- suggest_mapping ----------------------------------------------------------------------------------------------


def test_headers_are_normalised_for_case_umlauts_and_punctuation():
    assert normalize_header(" Kunden-ID ") == "kunden id"
    assert normalize_header("KUNDEN_ID") == "kunden id"
    assert normalize_header("CustomerID") == "customer id"
    assert normalize_header("Stück") == "stueck"
    assert normalize_header("Deckungsbeitrag %") == "deckungsbeitrag prozent"
    assert normalize_header("Café") == "cafe"


def test_german_transaction_headers_are_recognised():
    columns = ["Kundennummer", "Rechnungsdatum", "Umsatz", "Artikel", "Menge", "Deckungsbeitrag %", "Bemerkung"]
    assert suggest_mapping(columns) == {
        "customer_id": "Kundennummer",
        "order_date": "Rechnungsdatum",
        "amount": "Umsatz",
        "product": "Artikel",
        "quantity": "Menge",
        "gross_margin": "Deckungsbeitrag %",
    }


def test_english_transaction_headers_are_recognised():
    columns = ["customer_id", "Order Date", "Revenue", "Product", "Quantity", "Gross Margin"]
    assert suggest_mapping(columns, "transactions") == {
        "customer_id": "customer_id",
        "order_date": "Order Date",
        "amount": "Revenue",
        "product": "Product",
        "quantity": "Quantity",
        "gross_margin": "Gross Margin",
    }


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("Kunden-ID", "customer_id"),
        ("KdNr", "customer_id"),
        ("kunde", "customer_id"),
        ("Customer", "customer_id"),
        ("Bestelldatum", "order_date"),
        ("DATUM", "order_date"),
        ("date", "order_date"),
        ("Betrag", "amount"),
        ("Netto", "amount"),
        ("Brutto", "amount"),
        ("Total", "amount"),
        ("Rechnungsbetrag", "amount"),
        ("Produkt", "product"),
        ("Anzahl", "quantity"),
        ("Marge", "gross_margin"),
    ],
)
def test_a_single_common_header_is_recognised(header, canonical):
    assert suggest_mapping([header]) == {canonical: header}


def test_an_exact_header_beats_one_that_only_contains_the_word():
    columns = ["Kundenname", "Kunde", "Lieferdatum", "Datum", "Betrag"]
    mapping = suggest_mapping(columns)
    assert (mapping["customer_id"], mapping["order_date"]) == ("Kunde", "Datum")


def test_each_user_column_is_used_at_most_once():
    mapping = suggest_mapping(["Datum", "Betrag"], "acquisition")
    assert mapping == {"period_start": "Datum", "acquisition_spend": "Betrag"}
    assert len(set(mapping.values())) == len(mapping)


def test_cost_acquisition_and_nps_headers_are_recognised():
    assert suggest_mapping(["Monat", "Kostenart", "Betrag"], "retention_costs") == {
        "period_start": "Monat",
        "category": "Kostenart",
        "amount": "Betrag",
    }
    assert suggest_mapping(["Quartal", "Marketingkosten", "Neukunden"], "acquisition") == {
        "period_start": "Quartal",
        "acquisition_spend": "Marketingkosten",
        "new_customers": "Neukunden",
    }
    assert suggest_mapping(["Zeitraum", "Werbekosten"], "acquisition")["acquisition_spend"] == "Werbekosten"
    assert suggest_mapping(["Datum", "Empfehlung", "Kunden-Nr."], "nps") == {
        "response_date": "Datum",
        "score": "Empfehlung",
        "customer_id": "Kunden-Nr.",
    }
    assert suggest_mapping(["Survey Date", "Score"], "nps") == {"response_date": "Survey Date", "score": "Score"}


@pytest.mark.parametrize("header", ["Werbeausgaben", "Marketingkosten", "Marketingausgaben", "Ads (EUR)", "Ad spend",
                                    "Werbekosten", "Spend", "Werbebudget", "Werbeausgaben Neukunden"])
def test_acquisition_spend_headers_are_recognised_as_spend(header):
    assert suggest_mapping(["Monat", header], "acquisition") == {"period_start": "Monat", "acquisition_spend": header}


@pytest.mark.parametrize("header", ["Neukunden", "Anzahl Neukunden", "new customers", "New Customers"])
def test_new_customer_headers_are_recognised_as_counts(header):
    mapping = suggest_mapping(["Monat", "Werbeausgaben", header], "acquisition")
    assert mapping == {"period_start": "Monat", "acquisition_spend": "Werbeausgaben", "new_customers": header}


@pytest.mark.parametrize("header", ["Werbeausgaben Neukunden", "Kosten Neukunden", "Neukunden (EUR)", "Neukunden €",
                                    "Neukundenkosten", "New customers cost"])
def test_a_header_that_names_money_is_never_proposed_as_the_new_customer_count(header):
    assert "new_customers" not in suggest_mapping(["Monat", header], "acquisition")
    assert suggest_mapping(["Monat", header, "Neukunden"], "acquisition")["new_customers"] == "Neukunden"


def test_spend_about_new_customers_is_spend_beside_their_count():
    assert suggest_mapping(["Monat", "Anzahl Neukunden", "Werbeausgaben Neukunden"], "acquisition") == {
        "period_start": "Monat", "acquisition_spend": "Werbeausgaben Neukunden", "new_customers": "Anzahl Neukunden"}


def test_a_column_of_fractions_or_negative_numbers_is_not_proposed_as_a_count():
    sheet = pd.DataFrame({"Monat": ["01.2024", "02.2024"], "Neukunden": ["12,5", "3"], "Betrag": [10.0, 20.0]})
    assert suggest_mapping(sheet.columns, "acquisition", sample=sheet) == {
        "period_start": "Monat", "acquisition_spend": "Betrag"}
    negative = sheet.assign(Neukunden=[4.0, -1.0])
    assert "new_customers" not in suggest_mapping(negative.columns, "acquisition", sample=negative)
    whole = sheet.assign(Neukunden=["12", "3"])
    assert suggest_mapping(whole.columns, "acquisition", sample=whole)["new_customers"] == "Neukunden"


def test_unrecognised_headers_are_left_unmapped():
    assert suggest_mapping(["foo", "bar"]) == {}


def test_an_unknown_sheet_kind_is_a_value_error():
    with pytest.raises(ValueError, match="Unknown sheet kind 'orders'"):
        suggest_mapping(["Kunde"], "orders")


def test_cost_categories_are_guessed_from_german_and_english_words():
    values = ["Personal", "Gehälter", "Salaries", "Team", "Software", "CRM-Tools", "Rabatte", "Prämien",
              "Treueprogramm", "Gutscheine", "Discounts", "Loyalty rewards", "Miete"]
    assert suggest_categories(values) == {
        "Personal": "team", "Gehälter": "team", "Salaries": "team", "Team": "team",
        "Software": "tools", "CRM-Tools": "tools",
        "Rabatte": "engagement", "Prämien": "engagement", "Treueprogramm": "engagement", "Gutscheine": "engagement",
        "Discounts": "engagement", "Loyalty rewards": "engagement",
    }


# --- map_columns --------------------------------------------------------------------------------------------------


def test_map_columns_renames_and_keeps_only_mapped_columns():
    frame = pd.DataFrame({"Kunde": ["a"], "Datum": ["01.01.2024"], "Betrag": ["5"], "Notiz": ["x"]})
    mapped = map_columns(frame, {"customer_id": "Kunde", "order_date": "Datum", "amount": "Betrag", "product": None})
    assert list(mapped.columns) == ["customer_id", "order_date", "amount"]
    assert mapped["customer_id"].tolist() == ["a"]


def test_map_columns_keeps_the_row_numbers():
    frame = pd.DataFrame({"Kunde": ["a", "b"]}, index=pd.Index([2, 5], name="row_number"))
    assert map_columns(frame, {"customer_id": "Kunde"}).index.tolist() == [2, 5]


def test_map_columns_rejects_a_column_that_is_not_in_the_table():
    frame = pd.DataFrame({"Kunde": ["a"]})
    with pytest.raises(ValueError, match=r"not in the table: 'Betrag' \(for amount\)\. Available columns: 'Kunde'"):
        map_columns(frame, {"customer_id": "Kunde", "amount": "Betrag"})


def test_map_columns_rejects_one_column_mapped_twice():
    frame = pd.DataFrame({"Betrag": [1.0]})
    with pytest.raises(ValueError, match="'Betrag' -> amount and quantity"):
        map_columns(frame, {"amount": "Betrag", "quantity": "Betrag"})


def test_map_columns_rejects_an_unknown_canonical_name():
    with pytest.raises(ValueError, match="Unknown canonical column.*ammount"):
        map_columns(pd.DataFrame({"Betrag": [1.0]}), {"ammount": "Betrag"})


# --- prepare_sheet: transactions ----------------------------------------------------------------------------------


def test_text_transactions_are_typed_with_either_decimal_mark():
    frame = pd.DataFrame(
        {"customer_id": ["7", "8"], "order_date": ["31.12.2024", "01.06.2024"], "amount": ["1.234,50", "12,5"]}
    )
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame["amount"].tolist() == [1234.5, 12.5]
    assert prepared.frame["order_date"].tolist() == [pd.Timestamp("2024-12-31"), pd.Timestamp("2024-06-01")]
    assert prepared.frame.dtypes.astype(str).tolist() == ["str", "datetime64[us]", "float64"]
    english = frame.assign(amount=["1,234.50", "12.5"], order_date=["12/31/2024", "06/01/2024"])
    assert prepare_sheet(english, "transactions", today=TODAY).frame["amount"].tolist() == [1234.5, 12.5]


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_ids_lose_unicode_whitespace_too_so_one_customer_stays_one(dtype):
    # a no-break space (Excel, web shops) or an ideographic space around an id, and no plain space anywhere
    frame = pd.DataFrame({
        "customer_id": pd.Series(["\xa0K1", "K1", "K2\u3000"], dtype=dtype),
        "order_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
        "amount": [1.0, 2.0, 3.0],
    })
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame["customer_id"].tolist() == ["K1", "K1", "K2"]


def test_typed_values_pass_through_and_dates_lose_their_time():
    frame = pd.DataFrame(
        {
            "customer_id": [42.0, 43.0],
            "order_date": [pd.Timestamp("2024-01-01 10:30"), pd.Timestamp("2024-01-02")],
            "amount": [10, 20],
        }
    )
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame["customer_id"].tolist() == ["42", "43"]
    assert prepared.frame["order_date"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02")]
    assert prepared.frame["amount"].tolist() == [10.0, 20.0]
    assert prepared.problems == ()


def test_rows_that_cannot_be_used_are_set_aside_with_their_reason_and_row_number():
    frame = pd.DataFrame(
        {
            "customer_id": ["a", None, "c", "d", "e"],
            "order_date": ["2024-01-01", "2024-01-02", "kein Datum", "2031-05-01", "2024-01-05"],
            "amount": ["10", "20", "30", "40", "vierzig"],
        },
        index=pd.Index([2, 3, 4, 5, 6], name="row_number"),
    )
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame.index.tolist() == [2]
    assert prepared.rejected["row_number"].tolist() == [3, 4, 5, 6]
    assert prepared.rejected["reason"].tolist() == [
        "customer_id: missing",
        "order_date: not a date ('kein Datum')",
        "order_date: in the future ('2031-05-01')",
        "amount: not a number ('vierzig')",
    ]
    assert list(prepared.rejected.columns) == ["customer_id", "order_date", "amount", "row_number", "reason"]
    assert keys(prepared.problems) == [
        "data_missing_values", "data_not_a_date", "data_future_dates", "data_not_a_number"
    ]
    missing = problem(prepared.problems, "data_missing_values")
    assert missing.params == {"column": "customer_id", "rows": 1, "examples": "3"}


def test_two_reasons_in_one_row_are_both_given():
    frame = pd.DataFrame({"customer_id": [None, "b"], "order_date": ["x", "2024-01-01"], "amount": [1.0, 2.0]})
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.rejected["reason"].tolist() == ["customer_id: missing; order_date: not a date ('x')"]
    assert "row_number" not in prepared.rejected.columns


def test_negative_amounts_are_returns_kept_with_a_warning():
    frame = pd.DataFrame(
        {"customer_id": ["a", "a", "b"], "order_date": ["2024-01-01"] * 3, "amount": [50.0, -20.0, -5.0]}
    )
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame["amount"].tolist() == [50.0, -20.0, -5.0]
    warning = problem(prepared.problems, "data_negative_amounts")
    assert (warning.severity, warning.params["rows"], warning.params["total"]) == ("warning", 2, -25.0)


def test_exact_duplicate_rows_are_kept_with_an_info():
    frame = pd.DataFrame(
        {"customer_id": ["a", "a", "a", "b"], "order_date": ["2024-01-01"] * 4, "amount": [5, 5, 5, 5]}
    )
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert len(prepared.frame) == 4
    info = problem(prepared.problems, "data_duplicate_rows")
    assert (info.severity, info.params) == ("info", {"rows": 2})


def test_prepared_text_columns_come_with_sorted_codes_of_the_kept_rows():
    frame = pd.DataFrame({
        "customer_id": ["k2", "k1", "bad", "k2"], "order_date": ["2024-01-02", "2024-01-01", "x", "2024-01-03"],
        "amount": [5, 6, 7, 8], "product": ["Tee", None, "Tee", "Kaffee"],
    })
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert len(prepared.frame) == 3 and set(prepared.codes) == {"customer_id", "product"}  # the bad date is gone
    ids = prepared.codes["customer_id"]
    assert ids.values.tolist() == ["k1", "k2"] and ids.codes.tolist() == [1, 0, 1] and ids.codes.dtype == "int8"
    products = prepared.codes["product"]
    assert products.values.tolist() == ["Kaffee", "Tee"] and products.codes.tolist() == [1, -1, 0]
    assert ids.describes(prepared.frame["customer_id"]) and products.describes(prepared.frame["product"])
    assert not ids.describes(prepared.frame["customer_id"].iloc[[1, 0, 2]])  # same values, other order
    assert not ids.describes(prepared.frame["customer_id"].iloc[:2])  # other length
    assert not products.describes(prepared.frame["product"].fillna("Tee"))  # a missing value filled


def test_the_kept_rows_rejected_rows_and_codes_are_handed_on_before_the_duplicate_check(monkeypatch):
    frame = pd.DataFrame({"customer_id": ["k2", "k1", "bad"], "order_date": ["2024-01-02", "2024-01-01", "x"],
                          "amount": [5, 6, 7]})
    steps = []
    check = prepare_module._duplicate_rows
    monkeypatch.setattr(prepare_module, "_duplicate_rows", lambda *args: steps.append("duplicates") or check(*args))
    prepared = prepare_sheet(frame, "transactions", today=TODAY,
                             rows_ready=lambda rows, rejected, codes: steps.append((rows, rejected, codes)))
    assert len(steps) == 2 and steps[1] == "duplicates"
    rows, rejected, codes = steps[0]
    assert rows is prepared.frame and rejected is prepared.rejected  # nothing changed them after
    assert codes is prepared.codes and codes["customer_id"].codes.tolist() == [1, 0]
    assert rows["customer_id"].tolist() == ["k2", "k1"] and rejected["reason"].tolist() == ["order_date: not a date ('x')"]


@pytest.mark.parametrize("distinct, width", [(127, "int8"), (128, "int16"), (32_767, "int16"), (32_768, "int32")])
def test_text_codes_take_the_narrowest_whole_number_type(distinct, width):
    column = pd.Series([f"p{number:05d}" for number in range(distinct)], dtype="str")
    codes = TextCodes.of(column)
    assert codes.codes.dtype == width and codes.codes.max() == distinct - 1 and codes.describes(column)


def test_duplicate_rows_tell_a_missing_text_from_a_given_one():
    frame = pd.DataFrame({"customer_id": ["a", "a", "a"], "order_date": ["2024-01-01"] * 3, "amount": [5, 5, 5],
                          "product": [None, "Tee", None]})
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert problem(prepared.problems, "data_duplicate_rows").params["rows"] == 1  # the third row: like the first


def test_a_margin_column_in_percent_is_divided_by_100():
    frame = pd.DataFrame({"customer_id": ["a", "b"], "order_date": ["2024-01-01"] * 2, "amount": [1, 2],
                          "gross_margin": ["35", "40,5"]})
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame["gross_margin"].tolist() == pytest.approx([0.35, 0.405])
    assert problem(prepared.problems, "data_margin_percent").severity == "info"


def test_a_margin_outside_zero_and_one_is_set_aside():
    frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "order_date": ["2024-01-01"] * 3, "amount": [1, 2, 3],
                          "gross_margin": [0.3, 1.5, -0.1]})
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame["gross_margin"].tolist() == [0.3]
    assert problem(prepared.problems, "data_margin_out_of_range").params["rows"] == 2
    assert "data_margin_percent" not in keys(prepared.problems)


def test_a_missing_required_column_is_an_error_problem_and_the_rest_is_still_checked():
    frame = pd.DataFrame({"customer_id": ["a", "b"], "order_date": ["2024-01-01", "2040-01-01"]})
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    missing = problem(prepared.problems, "data_missing_column")
    assert (missing.severity, missing.params) == ("error", {"column": "amount"})
    assert "data_future_dates" in keys(prepared.problems)


def test_validate_transactions_reports_the_problems_of_prepare_sheet():
    frame = pd.DataFrame({"customer_id": ["a", "b"], "order_date": ["2024-01-01", "nie"]})
    problems = validate_transactions(frame)
    assert keys(problems) == ["data_missing_column", "data_not_a_date"]
    assert all(isinstance(found, Problem) for found in problems)


def test_no_usable_rows_is_an_error_problem():
    frame = pd.DataFrame({"customer_id": [None], "order_date": ["2024-01-01"], "amount": [1.0]})
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame.empty
    assert problem(prepared.problems, "data_no_rows").severity == "error"
    assert not prepared.usable


def test_a_sheet_is_usable_with_warnings_but_not_without_a_required_column():
    returns = pd.DataFrame({"customer_id": ["a", "b"], "order_date": ["2024-01-01"] * 2, "amount": [5, -2]})
    assert prepare_sheet(returns, "transactions", today=TODAY).usable  # a return is a warning, not an error
    no_date = returns.drop(columns="order_date")
    assert not prepare_sheet(no_date, "transactions", today=TODAY).usable


def test_transactions_that_are_all_returns_cannot_be_used():
    returns = pd.DataFrame({"customer_id": ["a", "b"], "order_date": ["2024-01-01"] * 2, "amount": [-5, 0]})
    prepared = prepare_sheet(returns, "transactions", today=TODAY)
    assert len(prepared.frame) == 2 and not prepared.usable  # kept, but not a single purchase
    assert problem(prepared.problems, "data_no_purchases").params == {"column": "amount"}
    assert keys(unusable_sheet_problems(prepared.frame, "transactions")) == ["data_no_purchases"]


def test_an_unusable_sheet_names_each_missing_required_column_and_an_empty_one():
    frame = pd.DataFrame({"customer_id": pd.Series([], dtype="str"), "amount": pd.Series([], dtype="float64")})
    found = unusable_sheet_problems(frame, "transactions")
    assert [(item.key, dict(item.params)) for item in found] == [
        ("data_missing_column", {"column": "order_date"}), ("data_no_rows", {"rows": 0})]
    ready = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01"]), "acquisition_spend": [100.0]})
    assert unusable_sheet_problems(ready, "acquisition") == []


# --- prepare_sheet: the other sheets ------------------------------------------------------------------------------


def test_retention_costs_keep_known_categories_and_set_aside_negative_costs():
    frame = pd.DataFrame(
        {
            "period_start": ["01.01.2024", "01.01.2024", "01.02.2024", "01.02.2024"],
            "category": ["Team", "tools", "Miete", "engagement"],
            "amount": ["1.000,00", "250", "80", "-5"],
        }
    )
    prepared = prepare_sheet(frame, "retention_costs", today=TODAY)
    assert prepared.frame["category"].tolist() == ["team", "tools"]
    assert prepared.frame["amount"].tolist() == [1000.0, 250.0]
    assert prepared.rejected["reason"].tolist() == [
        "category: not one of team, tools, engagement ('Miete')",
        "amount: negative ('-5.0')",
    ]
    assert set(CATEGORIES) == {"team", "tools", "engagement"}


def test_acquisition_new_customers_are_whole_non_negative_counts():
    frame = pd.DataFrame(
        {"period_start": ["2024-01", "2024-02", "2024-03", "2024-04"], "acquisition_spend": [1000, 1200, 900, 800],
         "new_customers": [10, 12.5, -1, None]}
    )
    prepared = prepare_sheet(frame, "acquisition", today=TODAY)
    assert prepared.frame["period_start"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-04-01")]
    assert prepared.frame["new_customers"].tolist() == [10, pd.NA]
    assert str(prepared.frame["new_customers"].dtype) == "Int64"
    assert keys(prepared.problems) == ["data_not_whole_number", "data_negative_values"]


def test_nps_scores_are_whole_numbers_from_0_to_10():
    frame = pd.DataFrame({"response_date": ["2024-03-01"] * 5, "score": ["0", "10", "11", "7,5", "-1"]})
    prepared = prepare_sheet(frame, "nps", today=TODAY)
    assert prepared.frame["score"].tolist() == [0, 10]
    assert str(prepared.frame["score"].dtype) == "int64"
    assert problem(prepared.problems, "data_score_out_of_range").params["rows"] == 2
    assert problem(prepared.problems, "data_not_whole_number").params["examples"] == "7.5"


def test_columns_that_are_not_canonical_for_the_sheet_are_dropped():
    frame = pd.DataFrame({"response_date": ["2024-03-01"], "score": [9], "amount": [5.0]})
    assert list(prepare_sheet(frame, "nps", today=TODAY).frame.columns) == ["response_date", "score"]


# --- messages -----------------------------------------------------------------------------------------------------


def test_every_message_key_of_the_domain_declares_the_parameters_its_texts_fill_in():
    # the worker checks a reported message against MESSAGE_PARAMS, so they must be what the texts need
    for key, params in MESSAGE_PARAMS.items():
        assert {lang: placeholders(template(key, lang)) for lang in LANGUAGES} == {"de": set(params), "en": set(params)}


def test_every_problem_key_has_german_and_english_text():
    for key in PROBLEM_KEYS:
        assert LANGUAGES == ("de", "en")
        assert template(key, "de") and template(key, "en"), key


def test_german_and_english_texts_use_the_same_placeholders():
    for key in PROBLEM_KEYS:
        fields = {
            lang: placeholders(template(key, lang))
            for lang in LANGUAGES
        }
        assert fields["de"] == fields["en"], key


def test_every_problem_emitted_renders_in_both_languages():
    frames = {
        "transactions": pd.DataFrame(
            {
                "customer_id": ["a", None, "a", "a", "b"],
                "order_date": ["2024-01-01", "x", "2040-01-01", "2024-01-01", "y"],
                "amount": ["-1", "2", "z", "-1", "3"],
                "gross_margin": [0.5, 2, 0.5, 0.5, 0.1],
            }
        ),
        "retention_costs": pd.DataFrame({"period_start": ["2024-01-01"], "category": ["Miete"], "amount": [-1]}),
        "acquisition": pd.DataFrame({"period_start": ["2024-01"], "acquisition_spend": [1.5]}),
        "nps": pd.DataFrame({"response_date": ["2024-01-01", "2024-01-01"], "score": [11, 2.5]}),
    }
    emitted = set()
    for kind, frame in frames.items():
        for found in prepare_sheet(frame, kind, today=TODAY).problems:
            emitted.add(found.key)
            for lang in ("de", "en"):
                message = problem_text(found, lang)
                assert message and not re.search(r"\{\w+\}", message)
    assert emitted <= set(PROBLEM_KEYS)
    assert len(emitted) >= 10


def test_a_frame_with_a_non_unique_index_is_prepared_row_by_row():
    frame = pd.DataFrame(
        {"customer_id": ["a", None, "c"], "order_date": ["2024-01-01"] * 3, "amount": [1.0, 2.0, np.nan]},
        index=[0, 0, 1],
    )
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame["customer_id"].tolist() == ["a"]
    assert prepared.rejected["reason"].tolist() == ["customer_id: missing", "amount: missing"]


# --- impossible values (issue 24) -------------------------------------------------------------------------------


def test_infinite_amounts_are_set_aside_as_not_finite():
    frame = pd.DataFrame({"customer_id": ["A", "B", "C"], "order_date": pd.to_datetime(["2024-01-01"] * 3),
                          "amount": [np.inf, -np.inf, 5.0]})
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame["customer_id"].tolist() == ["C"]
    assert prepared.rejected["reason"].tolist() == ["amount: not a finite number ('inf')",
                                                    "amount: not a finite number ('-inf')"]
    assert problem(prepared.problems, "data_not_finite").params["rows"] == 2


def test_amounts_beyond_a_trillion_and_quantities_beyond_a_billion_are_set_aside():
    frame = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "order_date": pd.to_datetime(["2024-01-01"] * 4),
                          "amount": [1e12, -1.5e12, 1e300, 5.0], "quantity": [1.0, 1.0, 1.0, 2e9]})
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame["customer_id"].tolist() == ["A"]  # exactly 10^12 is still possible
    assert prepared.rejected["reason"].tolist() == ["amount: larger than 1,000,000,000,000 ('-1500000000000.0')",
                                                    "amount: larger than 1,000,000,000,000 ('1e+300')",
                                                    "quantity: larger than 1,000,000,000 ('2000000000.0')"]
    assert keys(prepared.problems)[:2] == ["data_too_large", "data_too_large"]


def test_dates_before_1900_are_set_aside_with_the_date_as_written_out():
    dates = pd.Series([pd.Timestamp("1899-12-31"), pd.Timestamp("1900-01-01"),
                       pd.Timestamp("0001-01-01")]).astype("datetime64[us]")
    frame = pd.DataFrame({"customer_id": ["A", "B", "C"], "order_date": dates, "amount": [1.0, 2.0, 3.0]})
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame["customer_id"].tolist() == ["B"]
    assert prepared.rejected["reason"].tolist() == ["order_date: before 1900-01-01 ('1899-12-31')",
                                                    "order_date: before 1900-01-01 ('1-01-01')"]


def test_a_margin_column_in_percent_is_still_recognised_beside_an_infinite_value():
    frame = pd.DataFrame({"customer_id": ["A", "B", "C"], "order_date": pd.to_datetime(["2024-01-01"] * 3),
                          "amount": [1.0, 2.0, 3.0], "gross_margin": [35.0, 40.0, np.inf]})
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame["gross_margin"].tolist() == [0.35, 0.40]
    assert prepared.rejected["reason"].tolist() == ["gross_margin: not a finite number ('inf')"]


def test_text_amounts_with_too_many_digits_for_a_double_are_not_numbers_not_infinity():
    frame = pd.DataFrame({"customer_id": ["A", "B"], "order_date": pd.to_datetime(["2024-01-01"] * 2),
                          "amount": ["9" * 400, "12,50"]})
    prepared = prepare_sheet(frame, "transactions", today=TODAY)
    assert prepared.frame["amount"].tolist() == [12.5]
    assert prepared.rejected["reason"].str.startswith("amount: not a number").all()


def test_whole_numbers_become_their_digits_also_beyond_int64():
    numbers = pd.Series([42.0, 1.234, -3.0, 1e20, -(2.0**63), 2.0**63, 9007199254740993.0])
    assert number_text(numbers).tolist() == ["42", "1.234", "-3", "100000000000000000000", "-9223372036854775808",
                                             "9223372036854775808", "9007199254740992"]  # the double's value
    assert coerce_strings(pd.Series([1e20, "K1", None], dtype=object)).tolist()[:2] == ["100000000000000000000", "K1"]


def test_id_columns_are_every_canonical_column_of_type_id_in_any_sheet(monkeypatch):
    assert ID_COLUMNS == ("customer_id",)
    # an id column added to a sheet (an order id) is covered without touching the list
    from retention_core.ingest import contract
    sheets = dict(contract.SHEETS)
    spec = sheets["transactions"]
    sheets["transactions"] = SheetSpec(spec.required, spec.optional + ("order_id",),
                                       {**spec.types, "order_id": "id"})
    derived = tuple(dict.fromkeys(name for sheet in sheets.values() for name, kind in sheet.types.items()
                                  if kind == "id"))
    assert derived == ("customer_id", "order_id")


def test_a_sheet_uploaded_as_another_kind_is_recognised_by_its_headers():
    from retention_core.ingest import looks_like

    survey = pd.DataFrame({"Antwortdatum": ["01.01.2024"], "Bewertung": ["9"]})
    orders = pd.DataFrame({"Kundennummer": ["K1"], "Bestelldatum": ["01.01.2024"], "Betrag": ["12,50"]})
    assert looks_like(survey, "transactions") == "nps"
    assert looks_like(orders, "transactions") is None  # fits its own kind
    assert looks_like(pd.DataFrame({"x": ["1"]}), "transactions") is None  # fits none
