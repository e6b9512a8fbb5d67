"""The customer list's downloads: headers in both languages, shares in percent, ids as written and never run as a
formula, the whole selection in the chosen order."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from retention_core import models, segments
from retention_views import customer_list as views


def tiny_table() -> pd.DataFrame:
    """Three customers as :func:`segments.list_table` gives them: an id that looks like a formula, one with leading
    zeros, one customer without a forecast."""
    return pd.DataFrame({
        "customer_id": pd.array(["=HYPERLINK(\"http://x\")", "007", "K3"], dtype="str"),
        "segment": pd.array(["web", "@shop", None], dtype="str"),
        "last_order": pd.to_datetime(["2024-06-01", "2024-12-31", None]),
        "orders": np.array([4, 2, 0]),
        "revenue": [75.0, 52.5, -4.0],
        "probability_alive": [0.7345, 0.75, np.nan],
        "probability_alive_drop": [0.05, np.nan, np.nan],
        "expected_purchases": [1.25, 0.5, np.nan],
        "clv": [8.5, 7.25, np.nan],
        "value_at_risk": [0.5, np.nan, np.nan],
    })


def test_headers_are_in_the_user_s_language_with_currency_and_interval():
    german = views.headers("de", "EUR", 13)
    english = views.headers("en", "USD", 13)
    assert german["probability_alive_drop"] == "Rückgang in 13 Wochen (Pp.)"
    assert english["probability_alive_drop"] == "Drop over 13 weeks (pp)"
    assert german["clv"] == "CLV (EUR)" and english["value_at_risk"] == "Value at risk (USD)"
    assert german["customer_id"] == "Kundennummer" and english["customer_id"] == "Customer ID"


def test_the_csv_keeps_ids_as_written_and_neutralises_formulas():
    text = views.csv_bytes(tiny_table(), "de", "EUR", 13).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].split(";")[:3] == ["Kundennummer", "Segment", "Letzte Bestellung"]
    # the formula-like id gets a leading apostrophe (quoted for the CSV's own quotes); P(alive) and its drop in
    # percent with the German decimal comma; a missing value is an empty cell, never 0
    assert lines[1] == "\"'=HYPERLINK(\"\"http://x\"\")\";web;2024-06-01;4;75,0;73,45;5,0;1,25;8,5;0,5"
    assert lines[2] == "007;'@shop;2024-12-31;2;52,5;75,0;;0,5;7,25;"
    assert lines[3] == "K3;;;0;-4,0;;;;;"


def test_the_xlsx_keeps_ids_as_text_and_never_writes_a_formula():
    data = views.xlsx_bytes(tiny_table(), "en", "EUR", 13)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Customers"
    assert sheet["A1"].value == "Customer ID" and sheet["A3"].value == "007" and sheet["A3"].data_type == "s"
    assert sheet["A2"].value == "=HYPERLINK(\"http://x\")" and sheet["A2"].data_type == "s"
    assert sheet["A2"].quotePrefix and sheet["B3"].quotePrefix  # '@shop too
    assert sheet["F2"].value == pytest.approx(73.45)


def test_a_list_longer_than_an_excel_sheet_is_refused(monkeypatch):
    monkeypatch.setattr(views, "XLSX_MAX_ROWS", 3)
    with pytest.raises(ValueError, match="an XLSX sheet holds at most 2 rows below its header, got 3"):
        views.xlsx_bytes(tiny_table(), "de", "EUR", 13)


def test_the_file_name_carries_a_cleaned_segment():
    assert views.file_stem("de") == "kundenliste"
    assert views.file_stem("en", "Web / Shop") == "customer_list_Web___Shop"
    assert views.file_stem("en", "///") == "customer_list"


def test_the_sample_s_whole_list_downloads_every_customer_in_the_chosen_order(sample_quarterly):
    aggs = sample_quarterly
    customers = segments.customer_list(aggs.customers, aggs.predictive, models.forecast_basis(aggs.predictive))
    values = segments.customer_values(customers, 0.4, 0.1, 60)
    rows = segments.selected_rows(customers, values)
    order = segments.sorted_rows(customers, values, rows, "revenue", descending=True)
    table = segments.list_table(customers, values, order)
    read = pd.read_csv(io.BytesIO(views.csv_bytes(table, "en", "EUR", 13)), encoding="utf-8-sig",
                       dtype={"Customer ID": "str"})
    assert len(read) == customers.customers == len(aggs.customers)
    assert read["Customer ID"].tolist() == customers.customer_id.iloc[order].tolist()
    assert read["Revenue (EUR)"].is_monotonic_decreasing
    assert read["CLV (EUR)"].to_numpy() == pytest.approx(values.clv[order])
    assert read["Probability active (%)"].to_numpy() == pytest.approx(100 * values.probability_alive[order])
