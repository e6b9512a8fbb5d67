"""The committed sample business: reproducible from its generator, German CSV dialect, XLSX equal to the CSV, the
Parquet copies the app reads equal to the CSV exports as read through the upload path."""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from retention_core.ingest.upload_flow import read_and_prepare
from sample_data import SAMPLE_EXPORTS, SAMPLE_FILES

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
FILES = ("transaktionen.csv", "kundenbindungskosten.csv", "akquisition.csv", "nps_umfrage.csv", "transaktionen.xlsx",
         "kunden.csv", "transaktionen.parquet", "kundenbindungskosten.parquet", "akquisition.parquet",
         "nps_umfrage.parquet", "kunden.parquet")
HEADERS = {
    "transaktionen.csv": ["Kundennummer", "Bestelldatum", "Betrag", "Produkt", "Menge", "Marge"],
    "kundenbindungskosten.csv": ["Quartalsbeginn", "Kategorie", "Posten", "Betrag"],
    "akquisition.csv": ["Quartalsbeginn", "Marketingausgaben", "Neukunden"],
    "nps_umfrage.csv": ["Antwortdatum", "Bewertung", "Kundennummer"],
    "kunden.csv": ["Kundennummer", "Kanal"],
}
GERMAN_DATE = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")
GERMAN_MONEY = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d{2}$")


def load_generator():
    spec = importlib.util.spec_from_file_location("sample_data_generate", SAMPLE_DIR / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def csv_rows(name: str) -> list[list[str]]:
    text = (SAMPLE_DIR / name).read_bytes().decode("cp1252")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    table = pd.read_csv(
        SAMPLE_DIR / "transaktionen.csv", sep=";", decimal=",", thousands=".", encoding="cp1252",
        dtype={"Kundennummer": "str", "Bestelldatum": "str"},
    )
    return table.assign(Bestelldatum=pd.to_datetime(table["Bestelldatum"], format="%d.%m.%Y"))


@pytest.mark.slow
def test_generator_reproduces_the_committed_files_byte_for_byte(tmp_path):
    written = load_generator().generate(tmp_path)
    assert [path.name for path in written] == list(FILES)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), f"{name} differs: regenerate"


def test_csv_files_are_cp1252_semicolon_separated_with_german_headers():
    for name, header in HEADERS.items():
        raw = (SAMPLE_DIR / name).read_bytes()
        assert b"\r\n" in raw
        rows = csv_rows(name)
        assert rows[0] == header
        assert {len(row) for row in rows} == {len(header)}, f"{name}: ragged rows"
    transactions = (SAMPLE_DIR / "transaktionen.csv").read_bytes()
    assert "Zubehör".encode("cp1252") in transactions and "€".encode("cp1252") in transactions
    with pytest.raises(UnicodeDecodeError):
        transactions.decode("utf-8")


@pytest.mark.slow  # reads every sample export twice, through the upload path
@pytest.mark.parametrize("kind", list(SAMPLE_EXPORTS))
def test_the_parquet_copy_the_app_reads_is_the_csv_export_as_an_upload_reads_it(kind):
    exported = read_and_prepare((SAMPLE_DIR / SAMPLE_EXPORTS[kind]).read_bytes(), SAMPLE_EXPORTS[kind], kind)
    copied = read_and_prepare((SAMPLE_DIR / SAMPLE_FILES[kind]).read_bytes(), SAMPLE_FILES[kind], kind)
    assert copied.mapping == exported.mapping and copied.categories == exported.categories
    # the same rows, columns, types and values; only the row numbers differ (a CSV file's count its header line too)
    assert list(copied.prepared.frame.index) == [number - 1 for number in exported.prepared.frame.index]
    pd.testing.assert_frame_equal(copied.prepared.frame.reset_index(drop=True),
                                  exported.prepared.frame.reset_index(drop=True), check_exact=True)
    assert copied.prepared.rejected.empty and exported.prepared.rejected.empty
    assert copied.prepared.problems == exported.prepared.problems
    assert copied.prepared.codes.keys() == exported.prepared.codes.keys()
    for column, codes in copied.prepared.codes.items():
        assert (codes.codes == exported.prepared.codes[column].codes).all()
        pd.testing.assert_index_equal(codes.values, exported.prepared.codes[column].values)


def test_csv_dates_and_money_are_written_the_german_way():
    for row in csv_rows("transaktionen.csv")[1:]:
        assert GERMAN_DATE.match(row[1]) and GERMAN_MONEY.match(row[2]), row
        assert re.match(r"^-?\d+$", row[4]) and re.match(r"^0,\d{2}$", row[5]), row
    spend = [row[1] for row in csv_rows("akquisition.csv")[1:]]
    assert all(GERMAN_MONEY.match(value) for value in spend) and any("." in value for value in spend)


@pytest.mark.slow
def test_xlsx_holds_the_same_rows_as_the_csv_in_real_date_and_number_cells(transactions):
    workbook = openpyxl.load_workbook(SAMPLE_DIR / "transaktionen.xlsx", read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert list(rows[0]) == HEADERS["transaktionen.csv"]
    cells = pd.DataFrame(rows[1:], columns=rows[0])
    assert all(isinstance(value, datetime) for value in cells["Bestelldatum"])
    assert all(isinstance(value, int | float) for value in cells["Betrag"])
    pd.testing.assert_frame_equal(
        cells.astype({"Kundennummer": "str", "Produkt": "str", "Betrag": "float64", "Menge": "int64",
                      "Marge": "float64", "Bestelldatum": "datetime64[us]"}),
        transactions.astype({"Bestelldatum": "datetime64[us]", "Menge": "int64"}),
    )


def test_sample_tells_the_story_of_the_readme(transactions):
    orders = transactions[transactions["Betrag"] >= 0]
    returns = transactions[transactions["Betrag"] < 0]
    assert transactions["Kundennummer"].nunique() == 4000
    assert 30_000 <= len(orders) <= 50_000
    assert 0.005 < len(returns) / len(orders) < 0.015
    assert orders["Bestelldatum"].min() == pd.Timestamp("2022-01-01")
    assert transactions["Bestelldatum"].max() <= pd.Timestamp("2024-12-31")
    december = orders["Bestelldatum"].dt.month == 12
    july = orders["Bestelldatum"].dt.month == 7
    assert december.sum() > 1.3 * july.sum()  # Christmas peak, summer dip
    assert transactions["Marge"].between(0, 1).all()
    nps = pd.read_csv(SAMPLE_DIR / "nps_umfrage.csv", sep=";", encoding="cp1252", dtype={"Kundennummer": "str"})
    assert len(nps) == 1500 and nps["Bewertung"].between(0, 10).all() and nps["Kundennummer"].isna().any()
    categories = {row[1] for row in csv_rows("kundenbindungskosten.csv")[1:]}
    assert categories == {"Personal", "Software", "Treueprogramm/Rabatte"}
    assert sum((SAMPLE_DIR / name).stat().st_size for name in FILES) < 3_000_000
