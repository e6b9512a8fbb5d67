"""The optional customers sheet: customer_id plus attributes, read, mapped and prepared like the other sheets, and
a segment dimension for each attribute."""

from __future__ import annotations

import pandas as pd
import pytest

from retention_core import segments
from retention_core.ingest import (
    ATTRIBUTE_SHEETS,
    CUSTOMER_ATTRIBUTES,
    EVENT_SHEETS,
    SHEETS,
    looks_like,
    map_columns,
    prepare_sheet,
    suggest_mapping,
)
from retention_core.ingest.contract import sheet_spec


def test_the_customers_sheet_is_the_fifth_sheet_an_id_and_text_attributes():
    spec = SHEETS["customers"]
    assert spec.required == ("customer_id",) and spec.optional == CUSTOMER_ATTRIBUTES
    assert dict(spec.types) == {"customer_id": "id", "channel": "text", "region": "text", "customer_type": "text",
                                "branch": "text"}
    assert sheet_spec("customers") is spec and ATTRIBUTE_SHEETS["customers"] is spec
    assert list(SHEETS) == ["transactions", "retention_costs", "acquisition", "nps", "customers"]
    assert EVENT_SHEETS == ("transactions", "retention_costs", "acquisition", "nps")
    with pytest.raises(ValueError, match="Unknown sheet kind 'kunden'; expected one of transactions, "
                                         "retention_costs, acquisition, nps, customers"):
        sheet_spec("kunden")


def test_german_headers_are_recognised():
    headers = ["Kundennummer", "Kanal", "Region", "Kundentyp", "Filiale", "Notiz"]
    assert suggest_mapping(headers, "customers") == {
        "customer_id": "Kundennummer", "channel": "Kanal", "region": "Region", "customer_type": "Kundentyp",
        "branch": "Filiale"}
    assert suggest_mapping(["Customer ID", "Sales Channel", "Store"], "customers") == {
        "customer_id": "Customer ID", "channel": "Sales Channel", "branch": "Store"}


def test_the_sheet_is_mapped_and_prepared_like_the_others():
    upload = pd.DataFrame({"Kundennummer": ["K1", "K2", None, "00042"], "Kanal": ["Web", None, "Laden", "Laden"]},
                          index=pd.Index([2, 3, 4, 5], name="row_number"))
    mapped = map_columns(upload, {"customer_id": "Kundennummer", "channel": "Kanal"})
    prepared = prepare_sheet(mapped, "customers")
    assert prepared.frame["customer_id"].tolist() == ["K1", "K2", "00042"]  # ids stay text
    assert prepared.frame["channel"].tolist()[0] == "Web" and pd.isna(prepared.frame["channel"].tolist()[1])
    assert prepared.rejected["row_number"].tolist() == [4]  # a row without a customer id is set aside
    assert [problem.key for problem in prepared.problems] == ["data_missing_values"]
    with pytest.raises(ValueError, match="Unknown canonical column"):
        map_columns(upload, {"kanal": "Kanal"})


def test_a_customer_attribute_is_a_segment_dimension():
    sheet = pd.DataFrame({"customer_id": pd.array(["A", "B", "C", "A", "D"], dtype="str"),
                          "channel": pd.array(["web", "shop", "web", "shop", None], dtype="str")})
    table = segments.by_customer_attribute(sheet, "channel")
    # A's first row counts; D has no value; web has two customers, shop one
    assert table["customer_id"].tolist() == ["A", "B", "C", "D"]
    assert [None if pd.isna(label) else label for label in table["segment"]] == ["web", "shop", "web", None]
    assert list(table["segment"].cat.categories) == ["web", "shop"]
    with pytest.raises(ValueError, match="the customers sheet has no column 'region' to take segments from"):
        segments.by_customer_attribute(sheet, "region")


def test_a_sheet_with_only_a_customer_id_is_not_taken_for_a_customers_sheet():
    nps_with_ids = pd.DataFrame({"Kundennummer": ["K1"], "Notiz": ["x"]})
    assert looks_like(nps_with_ids, "transactions") is None  # the customers sheet is never proposed


def test_the_cost_sheets_take_a_segment_column_by_its_german_or_english_header():
    assert suggest_mapping(["Monat", "Kategorie", "Betrag", "Segment"], "retention_costs")["segment"] == "Segment"
    assert suggest_mapping(["Monat", "Werbeausgaben", "Kanal"], "acquisition")["segment"] == "Kanal"
    assert suggest_mapping(["Month", "Ad Spend", "Channel"], "acquisition")["segment"] == "Channel"
    costs = prepare_sheet(pd.DataFrame({"period_start": ["2024-01-01", "2024-02-01"], "category": ["team", "tools"],
                                        "amount": [100.0, 50.0], "segment": ["web", None]}), "retention_costs")
    assert costs.frame["segment"].tolist()[0] == "web" and pd.isna(costs.frame["segment"].tolist()[1])
    assert len(costs.rejected) == 0  # the segment is optional: a row without one is kept (its spend is allocated)


def test_the_prepared_sheet_holds_its_attributes_as_categories_and_keeps_no_codes():
    upload = pd.DataFrame({"customer_id": ["K2", "K1", "K2", "K3"], "channel": ["Web", "Laden", "Laden", None],
                           "region": ["Nord", "Nord", "Süd", "Süd"]})
    prepared = prepare_sheet(upload, "customers")
    channel = prepared.frame["channel"]
    assert list(channel.cat.categories) == ["Laden", "Web"]  # the distinct values, sorted
    assert [None if pd.isna(value) else value for value in channel] == ["Web", "Laden", "Laden", None]
    assert prepared.frame["region"].tolist() == ["Nord", "Nord", "Süd", "Süd"]
    assert prepared.frame["customer_id"].tolist() == ["K2", "K1", "K2", "K3"]  # ids stay text
    assert prepared.codes == {}


def test_a_customers_sheet_is_handed_on_once_its_attributes_are_categories():
    handed = []
    prepared = prepare_sheet(pd.DataFrame({"customer_id": ["K2", "K1"], "channel": ["Web", "Laden"]}), "customers",
                             rows_ready=lambda rows, rejected, codes: handed.append((rows, rejected, codes)))
    assert len(handed) == 1
    rows, rejected, codes = handed[0]
    assert rows is prepared.frame and rejected is prepared.rejected and codes == {}
    assert rows["channel"].dtype == "category"


def test_a_prepared_sheet_counts_a_repeated_customer_with_their_first_row():
    prepared = prepare_sheet(pd.DataFrame({"customer_id": ["K2", "K1", "K2"], "channel": ["Web", "Laden", "Laden"]}),
                             "customers")
    table = segments.by_customer_attribute(prepared.frame, "channel")
    assert table["customer_id"].tolist() == ["K2", "K1"]
    assert table["segment"].tolist() == ["Web", "Laden"]
