"""Nothing silently changed, nothing silently lost (issue 24): every row of an upload is kept or rejected with a
reason, and every kept row holds exactly what the file wrote.

Two properties over generated messy German CSV files (good rows, rows with a wrong field count or a stray quote,
rows of only separators, empty and blank lines, quoted separators and line breaks, carriage returns inside values,
UTF-8, cp1252 and lines of both mixed), and the same round trip for Excel and Parquet on the ids of the issue:

* rows in = kept + rejected (+ rows of only separators, counted as blank) for every file that loads, and no file
  fails with ``load_rows_unaccounted`` (that check in the reader would mean rows were lost);
* round trip: after reading, mapping and preparing, each kept row's customer id, amount and product equal what the
  generator wrote on that row's line, and the rows set aside are exactly the bad ones.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from retention_core.ingest import LoadError, map_columns, prepare_sheet, read_table

TODAY = dt.date(2025, 1, 1)

#: Ids as exports write them: leading zeros, German thousands that are no thousands (1.234), numbers beyond a
#: double's 2**53 and beyond int64, letters, quoted separators and quotes.
IDS = st.one_of(
    st.sampled_from(["9007199254740993", "9007199254740992", "12345678901234567890", "1.234", "1234", "00042",
                     "42", "K;1", 'K"2', "-7"]),
    st.from_regex(r"0[0-9]{1,6}", fullmatch=True),
    st.integers(0, 10**25).map(str),
    st.from_regex(r"[0-9]{1,3}\.[0-9]{3}", fullmatch=True),
    st.from_regex(r"[A-Z]{1,2}-?[0-9]{1,5}", fullmatch=True),
)
#: Products: umlauts (lead bytes in cp1252, so a cp1252 line is never valid UTF-8 by accident), separators, quotes,
#: line breaks and carriage returns inside the value.
PRODUCT_LETTERS = "abcäöüßÄ;\"-"


@dataclass
class Messy:
    """A generated CSV and what the reader must make of it."""

    data: bytes
    header: list[str]
    records: int = 0  # rows holding at least one value, good or bad
    blank: int = 0  # rows of only separators
    good: dict[int, tuple[str, Decimal, str | None]] = field(default_factory=dict)  # row number -> values
    bad: set[int] = field(default_factory=set)  # row numbers that must be set aside
    cp1252_lines: list[int] = field(default_factory=list)
    encoding: str = "utf-8"


def quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if re.search(r'[;"\n\r]', value) or value != value.strip() else value


def german_amount(cents: int) -> str:
    sign, cents = ("-" if cents < 0 else ""), abs(cents)
    return sign + f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"


@st.composite
def messy_csv(draw, multiline: bool | None = None) -> Messy:
    header = [draw(st.sampled_from(["Kundennummer", "Wer"])), "Datum", "Betrag", "Artikel"]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "mixed"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    multiline = draw(st.booleans()) if multiline is None else multiline
    messy = Messy(b"", header, encoding=encoding)
    lines: list[tuple[str, bool]] = [(";".join(header), False)]  # (text, written as cp1252)
    row = 1  # the row number of the last line written: a record with line breaks in its values counts once
    widths = {"header": 0, "wider": 0}  # records as wide as the header, and records with a field too many
    for _ in range(draw(st.integers(1, 40))):
        kind = draw(st.sampled_from(["good"] * 6 + ["few", "many", "stray_quote", "no_id", "bad_amount",
                                                    "separators", "empty", "spaces"]))
        if kind in ("empty", "spaces"):
            if multiline:  # line numbers are exact with empty lines or with line breaks in values, not both
                continue
            lines.append(("" if kind == "empty" else " \t ", False))
            row += 1
            continue
        row += 1
        if kind == "separators":
            lines.append((";;;", False))
            messy.blank += 1
            continue
        customer = "" if kind == "no_id" else draw(IDS)
        cents = draw(st.integers(-10**9, 10**11))
        product = draw(st.text(PRODUCT_LETTERS + ("\n\r" if multiline else "\r"), max_size=6))
        date = draw(st.dates(dt.date(1990, 1, 1), dt.date(2024, 12, 31)))
        amount = "abc" if kind == "bad_amount" else german_amount(cents)
        fields = [quoted(customer), f"{date:%d.%m.%Y}", amount, quoted(product)]
        if kind == "few":
            fields = fields[:2]
        elif kind == "many":
            fields.append("zu viel")
        elif kind == "stray_quote":
            fields[2] = f'"{amount}"x'
        if kind in ("good", "no_id", "bad_amount"):
            widths["header"] += 1
        elif kind == "many":
            widths["wider"] += 1
        as_cp1252 = encoding == "cp1252" or (encoding == "mixed" and draw(st.booleans()))
        lines.append((";".join(fields), as_cp1252))
        messy.records += 1
        if kind == "good":
            expected_product = re.sub(r"\r+\n", "\n", product).strip() or None  # prepare_sheet strips text
            messy.good[row] = (customer, Decimal(cents) / 100, expected_product)
        else:
            messy.bad.add(row)
    text_lines = [text for text, _ in lines]
    if sum(text.count("\r") for text in text_lines) >= len(lines):  # would read as an old Mac file: CR ends lines
        return draw(messy_csv(multiline))
    if widths["wider"] and widths["wider"] >= widths["header"]:  # the usual width: the header lacks a name (kept)
        return draw(messy_csv(multiline))
    encoded = []
    physical = 1
    for text, as_cp1252 in lines:
        encoded.append(text.encode("cp1252" if as_cp1252 else "utf-8"))
        for piece in text.split("\n"):  # the reader counts the file's lines, also those inside a quoted value
            if as_cp1252 and encoding == "mixed" and re.search(r"[^\x00-\x7f]", piece):
                messy.cp1252_lines.append(physical)
            physical += 1
    body = newline.encode().join(encoded) + newline.encode()
    messy.data = (b"\xef\xbb\xbf" if encoding == "utf-8-sig" else b"") + body
    return messy


def mapped(result) -> pd.DataFrame:
    mapping = {"customer_id": result.frame.columns[0], "order_date": "Datum", "amount": "Betrag", "product": "Artikel"}
    loaded = result.for_mapping(mapping)
    return loaded, prepare_sheet(map_columns(loaded.frame, mapping), "transactions", today=TODAY)


def utf8_lines_exist(messy: Messy) -> bool:
    return messy.encoding == "mixed" and bool(messy.cp1252_lines) and bool(
        re.search(rb"[\xc3-\xc5][\x80-\xbf]", messy.data))


# FAST: the quick run's pass over the same two properties that the THOROUGH tests (marked slow) check with 100
# examples each, the same code path; the full suite runs both
FAST = settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(messy_csv())
@example(Messy(b"Wer;Datum;Betrag;Artikel\n1;01.01.2024;1,00;a\r2;3\n", ["Wer"], records=1, bad={2}))
def test_every_row_of_a_messy_csv_is_kept_rejected_or_blank(messy):
    check_every_row_is_kept_rejected_or_blank(messy)


@pytest.mark.slow
@THOROUGH
@given(messy_csv())
def test_every_row_of_many_messy_csvs_is_kept_rejected_or_blank(messy):
    check_every_row_is_kept_rejected_or_blank(messy)


def check_every_row_is_kept_rejected_or_blank(messy: Messy) -> None:
    try:
        result = read_table(messy.data, "messy.csv")
    except LoadError as error:  # only a file without any row may fail, never with rows unaccounted for
        assert error.key == "load_header_only" and messy.records == 0, error
        return
    assert result.rows_kept + result.rows_rejected == messy.records  # rows in = kept + rejected
    assert result.rows_blank == messy.blank
    numbers = list(result.frame.index) + list(result.rejected["row_number"])
    assert len(set(numbers)) == len(numbers)  # every row once


@FAST
@given(messy_csv())
def test_ids_amounts_and_products_of_every_kept_row_are_what_the_file_wrote(messy):
    check_round_trip(messy)


@pytest.mark.slow
@THOROUGH
@given(messy_csv())
def test_ids_amounts_and_products_of_many_messy_csvs_are_what_the_files_wrote(messy):
    check_round_trip(messy)


def check_round_trip(messy: Messy) -> None:
    try:
        result = read_table(messy.data, "messy.csv")
    except LoadError as error:
        assert error.key in ("load_header_only", "load_no_columns"), error
        assert not messy.good
        return
    loaded, prepared = mapped(result)
    kept = prepared.frame
    assert sorted(kept.index) == sorted(messy.good)
    rejected = set(loaded.rejected["row_number"]) | set(prepared.rejected["row_number"])
    assert rejected == messy.bad
    for number, (customer, amount, product) in messy.good.items():
        row = kept.loc[number]
        assert row["customer_id"] == customer  # byte for byte
        assert row["amount"] == float(amount)  # the nearest double to the decimal the file wrote
        assert (pd.isna(row["product"]) and product is None) or row["product"] == product
    if utf8_lines_exist(messy):
        problem = next(problem for problem in result.problems if problem.key == "load_lines_cp1252")
        assert problem.params["rows"] == len(messy.cp1252_lines)
        assert problem.params["examples"] == ", ".join(map(str, messy.cp1252_lines[:5]))


# --- the cases of the issue, by reader ---------------------------------------------------------------------------

ISSUE_IDS = ["9007199254740993", "9007199254740992", "12345678901234567890", "1.234", "1234", "00042", "-0"]


@pytest.mark.parametrize("header", ["Kundennummer", "Wer"])
def test_csv_ids_stay_distinct_and_as_written_whatever_their_header(header):
    text = f"{header};Datum;Betrag\n" + "".join(f"{customer};01.06.2024;{n},50\n"
                                                for n, customer in enumerate(ISSUE_IDS, start=1))
    result = read_table(text.encode(), "ids.csv")
    _, prepared = mapped_ids(result, header)
    assert prepared.frame["customer_id"].tolist() == ISSUE_IDS
    assert prepared.frame["customer_id"].nunique() == len(ISSUE_IDS)
    assert prepared.frame["amount"].tolist() == [n + 0.5 for n in range(1, len(ISSUE_IDS) + 1)]


def mapped_ids(result, column: str):
    mapping = {"customer_id": column, "order_date": "Datum", "amount": "Betrag"}
    loaded = result.for_mapping(mapping)
    return loaded, prepare_sheet(map_columns(loaded.frame, mapping), "transactions", today=TODAY)


def test_a_mostly_numeric_id_column_keeps_the_rows_whose_ids_are_not_numbers():
    # "Wer" is typed as numbers (9 of 10 values); read alone, row 11 is set aside as "not a number" ...
    text = "Wer;Datum;Betrag\n" + "".join(f"{n};01.06.2024;1,00\n" for n in range(1, 10)) + "A-17;01.06.2024;2,00\n"
    result = read_table(text.encode(), "ids.csv")
    assert result.rejected["reason"].tolist() == ["Wer: not a number: 'A-17'"]
    # ... mapped as the customer id it is the text it was, and the row is kept
    loaded, prepared = mapped_ids(result, "Wer")
    assert loaded.rows_rejected == 0 and not any(problem.params.get("column") == "Wer" for problem in loaded.problems)
    assert prepared.frame["customer_id"].tolist() == [str(n) for n in range(1, 10)] + ["A-17"]
    assert prepared.frame.index.tolist() == list(range(2, 12))
    # mapped as an amount, the row is set aside again: for_mapping always starts from the file as read
    again = loaded.for_mapping({"customer_id": None, "amount": "Wer"})
    assert again.rejected["row_number"].tolist() == [11]


def test_a_value_that_fails_in_an_unused_column_does_not_set_its_row_aside():
    text = "Kunde;Datum;Betrag;Notiz\n" + "".join(f"K{n};01.06.2024;1,00;{n}\n" for n in range(9)) \
        + "K9;01.06.2024;1,00;siehe Brief\n"
    result = read_table(text.encode(), "notes.csv")
    assert result.rows_rejected == 1
    loaded, prepared = mapped_ids(result, "Kunde")
    assert loaded.rows_rejected == 0 and len(prepared.frame) == 10


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_excel_ids_as_text_cells_are_kept_as_written_and_number_cells_as_their_digits():
    # Excel stores numbers as doubles with 15 significant digits: an id typed as a number keeps its digits up to
    # 2**53; longer ids survive only as text cells (which Excel makes of any value entered with a leading ').
    rows = [["Wer", "Datum", "Betrag"]] + [[customer, dt.datetime(2024, 6, 1), 1.5] for customer in ISSUE_IDS] + [
        [123456789012345, dt.datetime(2024, 6, 1), 2.5], [42, dt.datetime(2024, 6, 1), 3.5]]
    _, prepared = mapped_ids(read_table(xlsx_bytes(rows), "ids.xlsx"), "Wer")
    assert prepared.frame["customer_id"].tolist() == ISSUE_IDS + ["123456789012345", "42"]


def test_excel_whole_number_cells_of_a_numeric_column_mapped_as_ids_are_digits_not_floats():
    rows = [["Wer", "Datum", "Betrag"]] + [[n * 1000, dt.datetime(2024, 6, 1), 1.0] for n in range(1, 6)]
    result = read_table(xlsx_bytes(rows), "ids.xlsx")
    assert result.frame["Wer"].dtype == "float64"  # read as numbers ...
    _, prepared = mapped_ids(result, "Wer")
    assert prepared.frame["customer_id"].tolist() == ["1000", "2000", "3000", "4000", "5000"]  # ... ids as digits


def parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("header", ["customer", "buyer"])
@pytest.mark.parametrize("kind", [pa.int64(), pa.uint64(), pa.decimal128(20, 0)])
def test_parquet_integer_ids_keep_every_digit(header, kind):
    ids = [9007199254740993, 9007199254740992, 2**63 - 1 if kind != pa.uint64() else 2**64 - 1, 42]
    ids = ids if kind != pa.int64() else ids[:2] + [-(2**63), 42]
    table = pa.table({header: pa.array(ids, kind), "order_date": pa.array([dt.datetime(2024, 6, 1)] * 4),
                      "amount": pa.array([1.0, 2.0, 3.0, 4.0])})
    result = read_table(parquet_bytes(table), "ids.parquet")
    mapping = {"customer_id": header, "order_date": "order_date", "amount": "amount"}
    loaded = result.for_mapping(mapping)
    prepared = prepare_sheet(map_columns(loaded.frame, mapping), "transactions", today=TODAY)
    assert prepared.frame["customer_id"].tolist() == [str(customer) for customer in ids]
    assert prepared.frame["amount"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_parquet_string_ids_are_unchanged():
    ids = ["00042", "1.234", " 7", "K-1"]
    table = pa.table({"Kunde": ids, "Datum": pa.array([dt.date(2024, 6, 1)] * 4), "Betrag": [1.0, 2.0, 3.0, 4.0]})
    _, prepared = mapped_ids_parquet(table)
    assert prepared.frame["customer_id"].tolist() == ["00042", "1.234", "7", "K-1"]  # surrounding spaces stripped


def mapped_ids_parquet(table: pa.Table):
    result = read_table(parquet_bytes(table), "x.parquet")
    mapping = {"customer_id": "Kunde", "order_date": "Datum", "amount": "Betrag"}
    loaded = result.for_mapping(mapping)
    return loaded, prepare_sheet(map_columns(loaded.frame, mapping), "transactions", today=TODAY)
