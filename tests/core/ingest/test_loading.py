"""read_table: every CSV dialect and encoding, and XLSX, give the same table; bad rows are counted, never lost.

The fixtures are built here from one small hand-written order book (ten orders), written out the way German and
English tools export it, so the expected table can be read off the list below.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from message_support import raises_load_error
from retention_core.ingest import LoadError, LoadResult, map_columns, prepare_sheet, read_table, suggest_mapping
from retention_core.ingest import csv_reader, guards
from retention_core.ingest.contract import LOAD_ERROR_KEYS, LOAD_PROBLEM_KEYS
from retention_views.texts import LANGUAGES, problem_text, template


# customer id, order date, amount, product, quantity — ids keep their leading zeros, one return (negative amount).
ORDERS = [
    ("00042", dt.datetime(2024, 12, 31), 1234.56, "Müller Buch", 2.0),
    ("00042", dt.datetime(2024, 1, 15), 12.5, "CD", 1.0),
    ("00107", dt.datetime(2024, 2, 1), 99.0, "Vinyl", 3.0),
    ("00107", dt.datetime(2024, 3, 20), -12.5, "CD", 1.0),
    ("00555", dt.datetime(2023, 11, 5), 0.99, "Ärmel-Shirt", 1.0),
    ("01000", dt.datetime(2023, 6, 30), 1000000.0, "Großhandel", 500.0),
    ("01000", dt.datetime(2024, 7, 4), 45.1, "Straße", 2.0),
    ("12345", dt.datetime(2024, 8, 13), 7.0, "CD", 1.0),
    ("12345", dt.datetime(2024, 9, 9), 19.99, "Vinyl", 1.0),
    ("99999", dt.datetime(2024, 10, 1), 250.0, "Öl", 4.0),
]


def german_number(value: float) -> str:
    """1234.56 -> "1.234,56" (and 12.5 -> "12,50")."""
    return f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def english_number(value: float) -> str:
    return f"{value:,.2f}"


def german_csv(orders=ORDERS) -> str:
    lines = ["Kundennummer;Bestelldatum;Betrag;Artikel;Menge"]
    for customer, date, amount, product, quantity in orders:
        lines.append(f"{customer};{date:%d.%m.%Y};{german_number(amount)};{product};{quantity:g}")
    return "\r\n".join(lines) + "\r\n"


def english_csv() -> str:
    lines = ["Customer ID,Order Date,Amount,Product,Quantity"]
    for customer, date, amount, product, quantity in ORDERS:
        lines.append(f'{customer},{date:%m/%d/%Y},"{english_number(amount)}",{product},{quantity:g}')
    return "\n".join(lines) + "\n"


def tab_csv() -> str:
    lines = ["customer\tdate\trevenue\tproduct\tqty"]
    for customer, date, amount, product, quantity in ORDERS:
        lines.append(f"{customer}\t{date:%Y-%m-%d}\t{amount}\t{product}\t{quantity:g}")
    return "\n".join(lines)


def pipe_csv() -> str:
    lines = ["KdNr|Datum|Umsatz|Produkt|Anzahl"]
    for customer, date, amount, product, quantity in ORDERS:
        lines.append(f"{customer}|{date:%Y%m%d}|{amount}|{product}|{quantity:g}")
    return "\n".join(lines) + "\n"


def xlsx(rows: list[list[object]], title: str = "Umsätze", extra_sheets: tuple[str, ...] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name in extra_sheets:
        extra = workbook.create_sheet(name)
        extra.append(["Name"])
        extra.append([name])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def typed_xlsx(**options) -> bytes:
    header = ["Kundennummer", "Bestelldatum", "Betrag", "Artikel", "Menge"]
    return xlsx([header] + [list(order) for order in ORDERS], **options)


def text_xlsx() -> bytes:
    """Every cell typed in as text, the German way (as when a CSV was pasted into Excel)."""
    header = ["Kunde", "Datum", "Umsatz", "Artikel", "Menge"]
    rows = [[c, f"{d:%d.%m.%Y}", german_number(a), p, f"{q:g}"] for c, d, a, p, q in ORDERS]
    return xlsx([header] + rows)


DIALECTS = {
    "german_cp1252.csv": german_csv().encode("cp1252"),
    "german_utf8_bom.csv": b"\xef\xbb\xbf" + german_csv().encode("utf-8"),
    "german_utf16_le.csv": b"\xff\xfe" + german_csv().encode("utf-16-le"),
    "german_utf16_be.csv": b"\xfe\xff" + german_csv().encode("utf-16-be"),
    "english_utf8.csv": english_csv().encode("utf-8"),
    "tab_iso.tsv": tab_csv().encode("utf-8"),
    "pipe_yyyymmdd.txt": pipe_csv().encode("utf-8"),
    "typed.xlsx": typed_xlsx(),
    "text.xlsx": text_xlsx(),
}


def expected_transactions() -> pd.DataFrame:
    customers, dates, amounts, products, quantities = (list(column) for column in zip(*ORDERS))
    index = pd.RangeIndex(2, 12, name="row_number")
    return pd.DataFrame(
        {
            "customer_id": pd.Series(customers, index=index, dtype="str"),
            "order_date": pd.Series(dates, index=index, dtype="datetime64[us]"),
            "amount": pd.Series(amounts, index=index, dtype="float64"),
            "product": pd.Series(products, index=index, dtype="str"),
            "quantity": pd.Series(quantities, index=index, dtype="float64"),
        }
    )


def prepared(result: LoadResult) -> pd.DataFrame:
    mapping = suggest_mapping(result.frame.columns, "transactions")
    frame = result.for_mapping(mapping).frame
    return prepare_sheet(map_columns(frame, mapping), "transactions", today=dt.date(2025, 1, 1)).frame


# --- one table from every dialect ---------------------------------------------------------------------------------


@pytest.mark.slow  # prepares the sample in every dialect; the quick run keeps the detection of each below
@pytest.mark.parametrize("filename", sorted(DIALECTS))
def test_every_dialect_gives_the_same_prepared_transactions(filename):
    result = read_table(DIALECTS[filename], filename)
    assert result.rows_rejected == 0
    pd.testing.assert_frame_equal(prepared(result), expected_transactions())


def test_xlsx_reads_exactly_like_the_german_csv():
    from_csv = read_table(DIALECTS["german_cp1252.csv"], "orders.csv").frame
    from_xlsx = read_table(DIALECTS["typed.xlsx"], "orders.xlsx").frame
    pd.testing.assert_frame_equal(from_xlsx, from_csv)


@pytest.mark.parametrize(
    ("filename", "encoding", "separator", "decimal_mark", "date_format"),
    [
        ("german_cp1252.csv", "cp1252", ";", ",", "%d.%m.%Y"),
        ("german_utf8_bom.csv", "utf-8-sig", ";", ",", "%d.%m.%Y"),
        ("german_utf16_le.csv", "utf-16-le", ";", ",", "%d.%m.%Y"),
        ("german_utf16_be.csv", "utf-16-be", ";", ",", "%d.%m.%Y"),
        ("english_utf8.csv", "utf-8", ",", ".", "%m/%d/%Y"),
        ("tab_iso.tsv", "utf-8", "\t", ".", "%Y-%m-%d"),
        ("pipe_yyyymmdd.txt", "utf-8", "|", ".", "%Y%m%d"),
    ],
)
def test_the_dialect_of_each_csv_is_detected(filename, encoding, separator, decimal_mark, date_format):
    dialect = read_table(DIALECTS[filename], filename).dialect
    assert (dialect.kind, dialect.encoding, dialect.separator) == ("csv", encoding, separator)
    assert (dialect.decimal_mark, dialect.date_format) == (decimal_mark, date_format)
    assert dialect.thousands_separator == {",": ".", ".": ","}[decimal_mark]


def test_the_loaded_frame_keeps_the_headers_and_types_numbers_dates_and_text():
    frame = read_table(DIALECTS["german_cp1252.csv"], "orders.csv").frame
    assert list(frame.columns) == ["Kundennummer", "Bestelldatum", "Betrag", "Artikel", "Menge"]
    assert frame.index.name == "row_number"
    assert frame.dtypes.astype(str).tolist() == ["str", "datetime64[us]", "float64", "str", "float64"]


def test_umlauts_survive_cp1252():
    frame = read_table("Kunde;Stadt\n1;Müller aus Köln\n2;Straße\n".encode("cp1252"), "k.csv").frame
    assert frame["Stadt"].tolist() == ["Müller aus Köln", "Straße"]


def test_ids_with_leading_zeros_stay_text_even_without_an_id_header():
    frame = read_table(b"Wer;Wert\n00042;1\n00107;2\n", "ids.csv").frame
    assert frame["Wer"].tolist() == ["00042", "00107"]


def test_a_numeric_column_under_an_id_header_stays_text():
    frame = read_table(b"Kundennummer,Amount\n42,1.5\n107,2\n", "ids.csv").frame
    assert frame["Kundennummer"].tolist() == ["42", "107"]
    assert frame["Amount"].tolist() == [1.5, 2.0]


def test_numeric_customer_ids_typed_in_excel_read_without_decimals():
    frame = read_table(xlsx([["Kunde", "Betrag"], [42, 1.5], [107, 2]]), "ids.xlsx").frame
    assert frame["Kunde"].tolist() == ["42", "107"]


def test_plain_decimal_comma_with_semicolons_is_german():
    frame = read_table(b"a;b\n12,5;1\n3;2\n", "n.csv").frame
    assert frame["a"].tolist() == [12.5, 3.0]


def test_ambiguous_thousands_follow_the_separator():
    german = read_table(b"a;b\n1.234;x\n2.500;y\n", "n.csv")
    english = read_table(b"a,b\n1.234,x\n2.500,y\n", "n.csv")
    assert german.frame["a"].tolist() == [1234.0, 2500.0]
    assert english.frame["a"].tolist() == [1.234, 2.5]


def test_day_and_month_that_fit_both_ways_are_read_day_first_in_german_files():
    frame = read_table(b"Datum;Betrag\n01/02/2024;1,5\n03/04/2024;2,5\n", "d.csv").frame
    assert frame["Datum"].tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-04-03")]


def test_day_and_month_follow_the_only_reading_where_all_dates_parse():
    frame = read_table(b"Datum;Betrag\n01/02/2024;1,5\n12/31/2024;2,5\n", "d.csv").frame
    assert frame["Datum"].tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-12-31")]


def test_dates_with_times_keep_the_time():
    frame = read_table(b"Zeit;Wert\n31.12.2024 23:59;1\n01.01.2024 08:00:30;2\n", "t.csv").frame
    assert frame["Zeit"].tolist() == [pd.Timestamp("2024-12-31 23:59"), pd.Timestamp("2024-01-01 08:00:30")]


def test_sap_style_trailing_minus_and_currency_signs_are_numbers():
    frame = read_table("Betrag;x\n12,50-;a\n1.000,00 €;b\n€ 3,5;c\n".encode("utf-8"), "sap.csv").frame
    assert frame["Betrag"].tolist() == [-12.5, 1000.0, 3.5]


def test_blank_lines_and_leading_blank_lines_are_skipped_and_rows_keep_their_line_numbers():
    result = read_table(b"\n\na;b\n1;x\n\n   \n2;y\n", "blank.csv")
    assert result.frame["a"].tolist() == [1.0, 2.0]
    assert result.frame.index.tolist() == [4, 7]
    assert result.rows_rejected == 0


def test_an_excel_sheet_is_chosen_by_name_or_position():
    data = xlsx([["a", "b"], [1, 2]], title="Erstes", extra_sheets=("Zweites",))
    by_name = read_table(data, "book.xlsx", sheet="Zweites")
    assert by_name.dialect.sheet_name == "Zweites"
    assert by_name.frame["Name"].tolist() == ["Zweites"]
    assert by_name.dialect.sheet_names == ("Erstes", "Zweites")
    assert read_table(data, "book.xlsx", sheet=0).frame.columns.tolist() == ["a", "b"]


def test_an_excel_table_may_start_below_and_right_of_a1():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B3"], sheet["C3"] = "Kunde", "Betrag"
    sheet["B4"], sheet["C4"] = "A", 5
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_table(buffer.getvalue(), "offset.xlsx")
    assert result.frame.columns.tolist() == ["Kunde", "Betrag"]
    assert result.frame.index.tolist() == [4]


# --- bad rows -----------------------------------------------------------------------------------------------------


def test_two_bad_rows_of_ten_are_set_aside_with_reasons_and_eight_kept():
    lines = german_csv().splitlines()
    lines[3] = lines[3] + ";zu viel"  # line 4: six fields
    lines[7] = "01000;04.07.2024;abc;Straße;2"  # line 8: amount is not a number
    result = read_table("\n".join(lines).encode("cp1252"), "bad.csv")
    assert (result.rows_kept, result.rows_rejected) == (8, 2)
    assert result.rejected["row_number"].tolist() == [4, 8]
    assert result.rejected["reason"].tolist() == [
        "wrong number of fields: expected 5, found 6",
        "Betrag: not a number: 'abc'",
    ]
    assert result.rejected.loc[1, "Betrag"] == "abc"
    assert 4 not in result.frame.index and 8 not in result.frame.index
    assert {problem.key for problem in result.problems} == {"load_rows_wrong_field_count", "load_values_not_numbers"}


def test_dates_that_do_not_exist_are_set_aside():
    days = ["31.12.2024", "32.01.2024", "01.01.2024", "30.02.2024"] + [f"0{day}.03.2024" for day in range(1, 7)]
    result = read_table(("Datum;Betrag\n" + "".join(f"{day};1\n" for day in days)).encode(), "d.csv")
    assert (result.rows_kept, result.rows_rejected) == (8, 2)
    assert result.rejected["reason"].tolist() == [
        "Datum: not a date (%d.%m.%Y): '32.01.2024'",
        "Datum: not a date (%d.%m.%Y): '30.02.2024'",
    ]
    assert result.rejected["row_number"].tolist() == [3, 5]


def test_text_in_a_typed_excel_column_is_set_aside():
    rows = [["Kunde", "Betrag"], ["A", 1.5], ["B", "1.234,50"], ["C", "zwölf"], ["D", 4], ["E", 5]]
    result = read_table(xlsx(rows), "mixed.xlsx")
    assert result.frame["Betrag"].tolist() == [1.5, 1234.5, 4.0, 5.0]
    assert result.rejected[["Kunde", "row_number", "reason"]].values.tolist() == [
        ["C", 4, "Betrag: not a number: 'zwölf'"]
    ]


def test_an_unterminated_quote_sets_the_rest_of_the_file_aside_in_one_row():
    result = read_table(b'a,b\n1,2\n"3,4\n5,6\n', "q.csv")
    assert result.rows_kept == 1
    assert result.rows_rejected == 1
    assert result.rejected["reason"].str.startswith("malformed line").all()


# --- files that cannot be read ------------------------------------------------------------------------------------


def zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "key", "message"),
    [
        (b"", "leer.csv", "load_empty_file", "is empty"),
        (b" \r\n\r\n", "leer.csv", "load_empty_file", "is empty"),
        (b"Kunde;Datum;Betrag\r\n", "kopf.csv", "load_header_only", "only a header row"),
        (b"Kunde;Datum\n;\n\n", "kopf.csv", "load_header_only", "only a header row"),
        (b";;\n;;\n", "spalten.csv", "load_no_columns", "No columns"),
        (bytes(range(256)) * 8, "binary.csv", "load_not_text", "not a readable text"),
        (b"\x00\x01\x02\x03garbage" * 50, "binary.csv", "load_not_text", "not a readable text"),
        (b"a;b\n1;2\n", "tabelle.pdf", "load_unknown_extension", r"file type \"\.pdf\" is not supported"),
        (b"a;b\n1;2\n", "tabelle", "load_unknown_extension", "is not supported"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "alt.xls", "load_legacy_xls", "save as .xlsx or CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "alt.xlsx", "load_legacy_xls", "save as .xlsx or CSV"),
        (b"a;b\n1;2\n", "falsch.xlsx", "load_not_xlsx", "not a valid .xlsx file"),
        (zip_without_workbook(), "zip.xlsx", "load_not_a_workbook", "a ZIP archive but not an Excel workbook"),
        (xlsx([]), "leer.xlsx", "load_empty_file", "is empty"),
        (xlsx([["Kunde", "Betrag"]]), "kopf.xlsx", "load_header_only", "only a header row"),
    ],
)
def test_files_that_cannot_be_used_raise_a_load_error(data, filename, key, message):
    with raises_load_error(message) as raised:
        read_table(data, filename)
    assert raised.value.key == key
    assert isinstance(raised.value, ValueError)


def test_an_unknown_sheet_raises_a_load_error_listing_the_sheets():
    with raises_load_error('Sheet "Fehlt" not found. Available sheets: Umsätze') as raised:
        read_table(typed_xlsx(), "orders.xlsx", sheet="Fehlt")
    assert raised.value.key == "load_sheet_not_found"
    with raises_load_error("not found"):
        read_table(typed_xlsx(), "orders.xlsx", sheet=5)


def test_a_duckdb_failure_while_reading_becomes_a_load_error(monkeypatch):
    broken = "SELECT * FROM read_csv($path, delim = $separator, quote = $separator)"  # quote equals delimiter
    monkeypatch.setattr(csv_reader, "load_sql", lambda name: broken)
    with raises_load_error("could not be read") as raised:
        read_table(b"a;b\n1;2\n", "x.csv")
    assert raised.value.key == "load_unreadable"


def test_every_load_message_key_has_german_and_english_text():
    for key in LOAD_ERROR_KEYS + LOAD_PROBLEM_KEYS:
        assert LANGUAGES == ("de", "en")
        assert template(key, "de") and template(key, "en"), key


def test_load_problems_render_in_both_languages():
    lines = german_csv().splitlines()
    lines[3] += ";zu viel"
    lines[5] = "00555;05.13.2023;0,99;x;1"
    result = read_table("\n".join(lines).encode("cp1252"), "bad.csv")
    assert result.problems
    for problem in result.problems:
        assert problem_text(problem, "de") and problem_text(problem, "en")


# --- random input -------------------------------------------------------------------------------------------------

CSV_ALPHABET = list(";,|\t\"'\n\r .-/:0123456789abcäöüß€E") + ["\x00", "\ufeff"]


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=CSV_ALPHABET, max_size=300), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_random_csv_text_either_loads_or_raises_a_load_error(text, encoding):
    data = text.encode(encoding, errors="replace")
    try:
        result = read_table(data, "random.csv")
    except LoadError as error:
        assert error.key in LOAD_ERROR_KEYS
        return
    assert result.rows_kept + result.rows_rejected >= 1
    assert list(result.rejected.columns[-2:]) == ["row_number", "reason"]


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=400),
       filename=st.sampled_from(["random.csv", "random.xlsx", "random.txt", "random.parquet"]))
def test_random_bytes_either_load_or_raise_a_load_error(data, filename):
    try:
        read_table(data, filename)
    except LoadError as error:
        assert error.key in LOAD_ERROR_KEYS


# --- the real CDNOW log -------------------------------------------------------------------------------------------


def test_the_cdnow_log_as_german_csv_loads_every_order(cdnow):
    text = "Kundennummer;Bestelldatum;Anzahl CDs;Umsatz\r\n" + "".join(
        f"{row.customer_id};{row.order_date:%d.%m.%Y};{row.quantity};{german_number(row.amount)}\r\n"
        for row in cdnow.itertuples()
    )
    result = read_table(text.encode("cp1252"), "cdnow.csv")
    frame = prepared(result)
    assert (len(frame), frame["customer_id"].nunique()) == (6919, 2357)
    assert frame["customer_id"].iloc[0] == "00004"
    assert frame["amount"].sum() == pytest.approx(cdnow["amount"].sum())


@pytest.mark.slow
def test_the_cdnow_log_as_xlsx_loads_every_order_like_the_csv(cdnow):
    rows = [["Customer ID", "Order Date", "Quantity", "Revenue"]] + [
        [row.customer_id, row.order_date.to_pydatetime(), row.quantity, row.amount] for row in cdnow.itertuples()
    ]
    frame = prepared(read_table(xlsx(rows), "cdnow.xlsx"))
    assert (len(frame), frame["customer_id"].nunique()) == (6919, 2357)
    assert frame["order_date"].min() == pd.Timestamp("1997-01-01")
    assert np.isclose(frame["amount"].sum(), cdnow["amount"].sum())


# --- Parquet ------------------------------------------------------------------------------------------------------


def parquet_bytes(table: pa.Table, **options) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **options)
    return buffer.getvalue()


def german_parquet() -> bytes:
    """The ten orders as a typed Parquet file with German headers, ids as text, amounts as numbers."""
    customers, dates, amounts, products, quantities = (list(column) for column in zip(*ORDERS))
    return parquet_bytes(pa.table({
        "Kundennummer": pa.array(customers, pa.string()),
        "Bestelldatum": pa.array(dates, pa.timestamp("ms")),
        "Betrag": pa.array(amounts, pa.float64()),
        "Produkt": pa.array(products, pa.string()).dictionary_encode(),
        "Menge": pa.array([int(quantity) for quantity in quantities], pa.int32()),
    }))


def test_a_parquet_file_with_german_headers_maps_and_prepares_like_the_csv():
    result = read_table(german_parquet(), "bestellungen.parquet")
    assert result.dialect.kind == "parquet"
    assert suggest_mapping(result.frame.columns, "transactions") == {
        "customer_id": "Kundennummer", "order_date": "Bestelldatum", "amount": "Betrag", "product": "Produkt",
        "quantity": "Menge",
    }
    expected = expected_transactions()
    expected.index = pd.RangeIndex(1, 11, name="row_number")  # Parquet rows count from 1: there is no header line
    pd.testing.assert_frame_equal(prepared(result), expected)


def test_parquet_columns_keep_their_stored_types():
    table = pa.table({
        "Kundennummer": pa.array([42, 107], pa.int64()),
        "Datum": pa.array([dt.date(2024, 12, 31), dt.date(2024, 1, 2)], pa.date32()),
        "Zeit": pa.array([dt.datetime(2024, 5, 1, 23, 30)] * 2, pa.timestamp("us", tz="Europe/Berlin")),
        "Betrag": pa.array([12, 7], pa.int16()),
        "Neu": pa.array([True, None], pa.bool_()),
    })
    frame = read_table(parquet_bytes(table), "x.parquet").frame
    assert frame["Kundennummer"].tolist() == ["42", "107"]  # whole numbers under an id header are text
    assert frame["Datum"].tolist() == [pd.Timestamp("2024-12-31"), pd.Timestamp("2024-01-02")]
    assert frame["Zeit"].iloc[0] == pd.Timestamp("2024-05-02 01:30")  # the Berlin wall clock, as Excel shows it
    assert frame["Betrag"].dtype == "float64" and frame["Betrag"].tolist() == [12.0, 7.0]
    assert frame["Neu"].iloc[0] == "true" and pd.isna(frame["Neu"].iloc[1])


def test_a_parquet_file_cut_short_is_refused_with_a_message():
    data = german_parquet()
    with raises_load_error(r"kaputt\.parquet is not a valid Parquet file") as caught:
        read_table(data[: len(data) // 2], "kaputt.parquet")
    assert caught.value.key == "load_not_parquet"
    assert "keine gültige Parquet-Datei" in problem_text(caught.value, "de")


def test_a_parquet_file_with_damaged_pages_is_refused_with_a_message():
    data = bytearray(german_parquet())
    data[8:200] = bytes(192)  # the first column chunk: the footer still reads, the pages do not
    with raises_load_error("is not a valid Parquet file|could not be read"):
        read_table(bytes(data), "kaputt.parquet")


def test_a_parquet_file_beyond_the_limits_is_refused_before_its_pages_are_read(monkeypatch):
    data = german_parquet()
    monkeypatch.setattr(guards, "MAX_ROWS", 5)
    with raises_load_error("has 10 data rows; at most 5") as caught:
        read_table(data, "gross.parquet")
    assert caught.value.key == "load_too_many_rows"
    monkeypatch.setattr(guards, "MAX_ROWS", 100)
    monkeypatch.setattr(guards, "MAX_PARQUET_UNCOMPRESSED_BYTES", 10)
    with pytest.raises(LoadError) as caught:
        read_table(data, "bombe.parquet")
    assert caught.value.key == "load_too_complex"


def test_a_parquet_file_with_nested_columns_is_refused():
    table = pa.table({"Kunde": ["a"], "Positionen": pa.array([[1.0, 2.0]], pa.list_(pa.float64()))})
    with raises_load_error("nested column 'Positionen'"):
        read_table(parquet_bytes(table), "verschachtelt.parquet")


def test_parquet_bytes_under_a_csv_name_are_read_as_parquet_not_as_text():
    result = read_table(german_parquet(), "export.csv")
    assert result.dialect.kind == "parquet" and result.rows_kept == 10


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(middle=st.binary(max_size=300), cut=st.integers(min_value=0, max_value=2000))
@example(middle=b"\x02", cut=592)  # found by Hypothesis: a page that decodes to dictionary indices out of range
def test_broken_parquet_bytes_either_load_or_raise_a_load_error(middle, cut):
    # hostile files: the magic bytes right, the footer or pages garbled or cut short
    good = german_parquet()
    for data in (b"PAR1" + middle + b"PAR1", good[:cut] + middle + good[cut + len(middle):]):
        try:
            read_table(data, "angriff.parquet")
        except LoadError as error:
            assert error.key in LOAD_ERROR_KEYS
