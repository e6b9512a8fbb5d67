"""The XLSX writer for long tables (:func:`exports.to_xlsx_table_bytes`): the same safety as ``to_xlsx_bytes``
(text is text, never a formula), read back by openpyxl as Excel would."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from retention_views.exports import to_xlsx_table_bytes


def read(frame: pd.DataFrame, sheet_name: str = "data"):
    return load_workbook(io.BytesIO(to_xlsx_table_bytes(frame, sheet_name))).active


def test_numbers_dates_and_text_become_number_date_and_text_cells():
    frame = pd.DataFrame({"id": pd.array(["007", "K<2>&"], dtype="str"), "count": [4, 2],
                          "amount": [0.1, -75.25], "day": pd.to_datetime(["2024-06-01", "2024-12-31"])})
    sheet = read(frame, "Kunden")
    assert sheet.title == "Kunden"
    assert [cell.value for cell in sheet[1]] == ["id", "count", "amount", "day"]
    assert [cell.value for cell in sheet[2]] == ["007", 4, 0.1, dt.datetime(2024, 6, 1)]
    assert [cell.value for cell in sheet[3]] == ["K<2>&", 2, -75.25, dt.datetime(2024, 12, 31)]
    assert sheet["A2"].data_type == "s" and sheet["B2"].data_type == "n" and sheet["D2"].is_date


def test_formula_like_text_is_text_with_the_quote_prefix():
    frame = pd.DataFrame({"id": pd.array(["=1+2", "+49 30", "@SUM(A1)", "-x", "plain"], dtype="str")})
    sheet = read(frame)
    cells = [sheet.cell(row, 1) for row in range(2, 7)]
    assert [cell.value for cell in cells] == ["=1+2", "+49 30", "@SUM(A1)", "-x", "plain"]
    assert all(cell.data_type == "s" for cell in cells)
    assert [cell.quotePrefix for cell in cells] == [True, True, True, True, False]


def test_missing_values_are_empty_cells_never_zero():
    frame = pd.DataFrame({"id": pd.array(["A", None], dtype="str"), "clv": [np.nan, 1.5],
                          "day": pd.to_datetime([None, "2024-01-01"])})
    sheet = read(frame)
    assert [cell.value for cell in sheet[2]] == ["A", None, None]
    assert [cell.value for cell in sheet[3]] == [None, 1.5, dt.datetime(2024, 1, 1)]


def test_characters_xml_cannot_hold_are_dropped_not_a_broken_file():
    sheet = read(pd.DataFrame({"id": pd.array(["K\x01\x0b1"], dtype="str")}))
    assert sheet["A2"].value == "K1"
