"""read_table against hostile and broken uploads: every file either loads (good rows kept, bad rows counted) or
raises a LoadError with German and English text; never another exception, never unbounded memory or time.

The corpus is generated here (no binaries in the repository); each file is small, so the whole corpus runs in
seconds. Limits the files must cross (zip bomb, 10^6-column header) are crossed with small files where possible,
and otherwise with a monkeypatched limit.
"""

from __future__ import annotations

import codecs
import io
import json
import time
import tracemalloc
import zipfile

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import crafted_files
from retention_core import loading, upload_worker
from retention_core.i18n import TEXTS
from retention_core.loading import LOAD_ERROR_KEYS, LoadError, LoadResult, read_table

GOOD_CSV = "Kundennummer;Bestelldatum;Betrag\n00042;31.12.2024;12,50\n00107;01.02.2024;99,00\n00555;05.11.2023;0,99\n"


def workbook_bytes(rows=(("Customer ID", "Order Date", "Amount"), ("00042", "2024-12-31", 12.5))) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_xlsx(replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
                 compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A valid openpyxl workbook with some parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, (replace or {}).get(entry.filename, source.read(entry.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def sheet_xml(cells: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{cells}</sheetData></worksheet>"
    ).encode()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'.encode()
               for n in range(1, 10))
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    b"<si><t>&lol9;</t></si></sst>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>'
)
SHEET = "xl/worksheets/sheet1.xml"


def corpus() -> dict[str, tuple[str, bytes]]:
    """Readable id -> (file name, bytes)."""
    good_xlsx = workbook_bytes()
    files: dict[str, tuple[str, bytes]] = {
        # empty and nearly empty
        "empty_csv": ("x.csv", b""),
        "empty_xlsx": ("x.xlsx", b""),
        "only_spaces": ("x.csv", b"   \t  "),
        "only_newlines": ("x.csv", b"\n" * 5000),
        "only_crlf": ("x.csv", b"\r\n" * 5000),
        "only_separators": ("x.csv", b";;;;;;\n;;;;;;\n;;;;;;\n"),
        "only_commas_one_line": ("x.csv", b"," * 10000),
        "utf8_bom_only": ("x.csv", codecs.BOM_UTF8),
        "utf16_bom_only": ("x.csv", codecs.BOM_UTF16_LE),
        "header_only": ("x.csv", b"Kundennummer;Bestelldatum;Betrag\n"),
        "header_only_xlsx": ("x.xlsx", workbook_bytes([("a", "b", "c")])),
        "single_value": ("x.csv", b"42"),
        # magic bytes and wrong formats
        "ole_xls_header": ("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),
        "ole_named_xlsx": ("x.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),
        "ole_named_csv": ("x.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),
        "csv_named_xlsx": ("x.xlsx", GOOD_CSV.encode()),
        "xlsx_named_csv": ("x.csv", good_xlsx),
        "pdf_named_csv": ("x.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 20),
        "png_named_csv": ("x.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4),
        "gzip_named_csv": ("x.csv", b"\x1f\x8b\x08\x00" + bytes(range(256)) * 8),
        "unknown_extension": ("x.json", b'{"a": 1}'),
        "no_extension": ("orders", GOOD_CSV.encode()),
        "html_as_csv": ("x.csv", b"<!DOCTYPE html><html><head><title>Export</title></head><body><table>"
                        b"<tr><td>a</td><td>b</td></tr><tr><td>1</td><td>2</td></tr></table></body></html>\n"),
        "json_as_csv": ("x.csv", json.dumps([{"customer": "00042", "amount": 12.5}] * 50, indent=1).encode()),
        "xml_as_csv": ("x.csv", b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<rows><r a="1"/></rows>\n'),
        # binary garbage and NUL bytes
        "binary_garbage": ("x.csv", bytes((n * 7919 + 13) % 256 for n in range(20000))),
        "control_characters": ("x.csv", b"a;b\n" + b"\x01\x02\x03\x04;\x05\x06\n" * 2000),
        "nul_bytes_everywhere": ("x.csv", b"a\x00;b\x00\n1\x00;2\x00\n" * 100),
        "nul_byte_after_64k": ("x.csv", (GOOD_CSV + "00042;31.12.2024;1,00\n" * 4000).encode() + b"\x00x;y;z\n"),
        # encodings
        "utf16_le_without_bom": ("x.csv", GOOD_CSV.encode("utf-16-le")),
        "utf16_be_without_bom": ("x.csv", GOOD_CSV.encode("utf-16-be")),
        "utf16_with_bom": ("x.csv", GOOD_CSV.encode("utf-16")),
        "utf16_odd_length": ("x.csv", GOOD_CSV.encode("utf-16-le")[:-1]),
        "latin1_in_utf8": ("x.csv", "Name;Betrag\nMüller;1,00\n".encode() + "Größe;2,00\n".encode("latin-1")),
        "cp1252_file": ("x.csv", "Name;Betrag\nMüller;1,00\nStraße;2,00\n€uro;3,00\n".encode("cp1252")),
        "utf32": ("x.csv", GOOD_CSV.encode("utf-32")),
        "invalid_utf8_bytes": ("x.csv", b"a;b\n\xff\xfe\xfd;\xc3\x28\n1;2\n"),
        # broken CSV structure
        "truncated_mid_quote": ("x.csv", b'a,b,c\n1,"hello, world",3\n2,"unterminated'),
        "unbalanced_quotes": ("x.csv", b'a;b\n"1;2\n3;"4"x"\n5;6\n'),
        "mixed_types": ("x.csv", b"id;amount;date\n" + b"1;12,50;01.01.2024\n" * 20 + b"2;abc;02.01.2024\n"
                        b"3;7;not a date\n4;;\n"),
        "ragged_rows": ("x.csv", b"a;b;c\n1\n1;2\n1;2;3\n1;2;3;4;5;6\n"),
        "mixed_newlines": ("x.csv", b"a;b\r\n1;2\r3;4\n5;6\r\n"),
        "duplicate_headers": ("x.csv", b"a;a;a;;\n1;2;3;4;5\n"),
        "formula_injection": ("x.csv", b"name;amount\n=cmd|' /C calc'!A0;1\n+SUM(1);2\n@x;3\n"),
        "very_wide_rows": ("x.csv", b"a;b\n" + (";".join(["1"] * 5000) + "\n").encode() * 20 + b"1;2\n"),
        "many_columns_header": ("x.csv", (";".join(f"c{n}" for n in range(1000)) + "\n"
                                          + ";".join("1" * 1000) + "\n").encode()),
        "million_column_header": ("x.csv", b"a;" * 1_000_000 + b"\n1\n"),
        "million_empty_header_fields": ("x.csv", b";" * 1_000_000 + b"\n1\n"),
        "two_megabyte_line": ("x.csv", b"a;b\n" + b"x" * 2_000_000 + b"\n1;2\n"),
        "long_quoted_field": ("x.csv", b'a;b\n"' + b"y" * 500_000 + b'";1\n2;3\n'),
        "huge_number_strings": ("x.csv", b"a;b\n" + b"9" * 400 + b";1e999999\n-inf;nan\n"),
        # broken and hostile XLSX
        "truncated_xlsx": ("x.xlsx", good_xlsx[: len(good_xlsx) // 2]),
        "zip_without_directory": ("x.xlsx", good_xlsx[:-22]),
        "zip_magic_only": ("x.xlsx", b"PK\x03\x04" + b"\x00" * 100),
        "empty_zip": ("x.xlsx", b"PK\x05\x06" + b"\x00" * 18),
        "zip_not_a_workbook": ("x.xlsx", _zip({"hello.txt": b"hello"})),
        "zip_bomb_part": ("x.xlsx", rewrite_xlsx(add={"xl/media/bomb.xml": b"<a>" + b"\x20" * 20_000_000 + b"</a>"})),
        "zip_bomb_sheet": ("x.xlsx", rewrite_xlsx(replace={SHEET: sheet_xml("<row r=\"1\"/>" * 400_000)})),
        "zip_many_entries": ("x.xlsx", rewrite_xlsx(add={f"xl/junk/{n}.bin": b"" for n in range(1200)},
                                                    compression=zipfile.ZIP_STORED)),
        "billion_laughs_shared_strings": ("x.xlsx", rewrite_xlsx(add={"xl/sharedStrings.xml": BILLION_LAUGHS})),
        "billion_laughs_workbook": ("x.xlsx", rewrite_xlsx(replace={"xl/workbook.xml": BILLION_LAUGHS})),
        "external_entity_sheet": ("x.xlsx", rewrite_xlsx(replace={SHEET: EXTERNAL_ENTITY})),
        "doctype_after_comment": ("x.xlsx", rewrite_xlsx(
            replace={SHEET: b"<?xml version='1.0'?><!-- <a> --><!DOCTYPE x [<!ENTITY e 'e'>]>" + sheet_xml("")[38:]})),
        # the comment ends just before the scanned 64 KB, the DOCTYPE straddles the boundary
        "doctype_after_long_comment": ("x.xlsx", rewrite_xlsx(replace={SHEET: b"<?xml version='1.0'?><!--"
                                       + b" " * 65502 + b"--><!DOCTYPE x [<!ENTITY e 'e'>]>" + sheet_xml("")[38:]})),
        "prolog_without_root": ("x.xlsx", rewrite_xlsx(replace={SHEET: b"<?xml version='1.0'?>" + b" " * 70000})),
        "utf16_doctype": ("x.xlsx", rewrite_xlsx(replace={SHEET: BILLION_LAUGHS.decode().encode("utf-16")})),
        "sparse_far_corner": ("x.xlsx", rewrite_xlsx(replace={SHEET: sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')})),
        "sparse_far_row": ("x.xlsx", rewrite_xlsx(replace={SHEET: sheet_xml(
            '<row r="1"><c r="A1"><v>1</v></c></row><row r="99999999"><c r="A99999999"><v>1</v></c></row>')})),
        "wide_sheet": ("x.xlsx", rewrite_xlsx(replace={SHEET: sheet_xml(
            '<row r="1">' + "".join(f"<c><v>{n}</v></c>" for n in range(300)) + "</row>")})),
        "sheet_not_xml": ("x.xlsx", rewrite_xlsx(replace={SHEET: b"this is not xml at all \x00\x01"})),
        "sheet_empty_part": ("x.xlsx", rewrite_xlsx(replace={SHEET: b""})),
        "styled_empty_cells_far_right": ("x.xlsx", rewrite_xlsx(replace={SHEET: sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>amount</t></is></c><c r="XFD1" s="0"/></row>'
            '<row r="2"><c r="A2"><v>1.5</v></c></row>')})),
        "mixed_types_xlsx": ("x.xlsx", workbook_bytes([("id", "amount"), ("1", 12.5), ("2", "abc"), (None, None),
                                                       ("3", "=1+1")])),
        # files that are not what they claim (issue 29)
        "encrypted_workbook": ("x.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
                               + "EncryptedInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")),
        "encrypted_zip_entries": ("x.xlsx", _encrypted_flag(good_xlsx)),
        "opendocument_named_xlsx": ("x.xlsx", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                                                    "content.xml": b"<office:document-content/>"})),
        "binary_workbook_named_xlsx": ("x.xlsx", _zip({"[Content_Types].xml": b"<Types/>",
                                                       "xl/workbook.bin": b"\x83\x01\x00"})),
        "workbook_without_sheets": ("x.xlsx", _without_sheets(good_xlsx)),
        "utf16_sheet": ("x.xlsx", rewrite_xlsx(replace={SHEET: sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')
                                                            .decode().encode("utf-16")})),
        "ten_digit_row": ("x.xlsx", rewrite_xlsx(replace={SHEET: sheet_xml(
            '<row r="1"><c r="A1"><v>1</v></c></row><row r="1234567890"><c><v>1</v></c></row>')})),
        "character_reference_in_cell_reference": ("x.xlsx", rewrite_xlsx(replace={SHEET: sheet_xml(
            '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="&#88;FD1048576"><v>1</v></c></row>')})),
    }
    return files


def _encrypted_flag(data: bytes) -> bytes:
    """``data`` (a zip) with every entry flagged as encrypted (general purpose bit 0), as a password-protected zip
    has them; zipfile cannot write such a zip itself."""
    patched = bytearray(data)
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := patched.find(signature, start)) >= 0:
            patched[start + flags_at] |= 0x01
            start += 4
    return bytes(patched)


def _without_sheets(data: bytes) -> bytes:
    archive = zipfile.ZipFile(io.BytesIO(data))
    parts = {entry.filename: archive.read(entry.filename) for entry in archive.infolist()}
    start, end = parts["xl/workbook.xml"].index(b"<sheets>"), parts["xl/workbook.xml"].index(b"</sheets>") + 9
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"][:start] + b"<sheets/>" + parts["xl/workbook.xml"][end:]
    return _zip(parts)


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


CORPUS = corpus()


def load_or_error(data: bytes, filename: str) -> LoadResult | LoadError:
    try:
        return read_table(data, filename)
    except LoadError as error:
        return error


def test_the_corpus_has_at_least_fifty_files_each_small():
    assert len(CORPUS) >= 50
    assert all(len(data) < 2_500_000 for _, data in CORPUS.values())


@pytest.mark.parametrize("name", list(CORPUS))
def test_a_hostile_file_loads_or_raises_a_load_error_with_german_and_english_text(name):
    filename, data = CORPUS[name]
    outcome = load_or_error(data, filename)
    if isinstance(outcome, LoadError):
        assert outcome.key in LOAD_ERROR_KEYS
        assert set(TEXTS[outcome.key]) == {"de", "en"}
        assert TEXTS[outcome.key]["de"].format(**outcome.params)
        assert TEXTS[outcome.key]["en"].format(**outcome.params)
        return
    assert outcome.rows_kept + outcome.rows_rejected >= 1
    assert list(outcome.rejected.columns[-2:]) == ["row_number", "reason"]


EXPECTED_KEYS = {
    "empty_csv": "load_empty_file",
    "only_newlines": "load_empty_file",
    "header_only": "load_header_only",
    "ole_xls_header": "load_legacy_xls",
    "ole_named_xlsx": "load_legacy_xls",
    "ole_named_csv": "load_legacy_xls",
    "binary_garbage": "load_not_text",
    "nul_bytes_everywhere": "load_not_text",
    "nul_byte_after_64k": "load_not_text",
    "truncated_xlsx": "load_not_xlsx",
    "zip_bomb_part": "load_too_complex",
    "zip_bomb_sheet": "load_too_complex",
    "zip_many_entries": "load_too_complex",
    "billion_laughs_shared_strings": "load_xml_entities",
    "billion_laughs_workbook": "load_xml_entities",
    "external_entity_sheet": "load_xml_entities",
    "doctype_after_comment": "load_xml_entities",
    "utf16_doctype": "load_xml_entities",
    "doctype_after_long_comment": "load_xml_entities",
    "prolog_without_root": "load_xml_entities",
    "sparse_far_corner": "load_too_many_columns",
    "sparse_far_row": "load_too_many_rows",
    "wide_sheet": "load_too_many_columns",
    "many_columns_header": "load_too_many_columns",
    "million_column_header": "load_line_too_long",
    "two_megabyte_line": "load_line_too_long",
    "zip_not_a_workbook": "load_not_a_workbook",
    "encrypted_workbook": "load_encrypted",
    "encrypted_zip_entries": "load_encrypted",
    "opendocument_named_xlsx": "load_opendocument",
    "binary_workbook_named_xlsx": "load_xlsb",
    "workbook_without_sheets": "load_no_sheets",
    "utf16_sheet": "load_not_xlsx",
    "ten_digit_row": "load_too_complex",
    "character_reference_in_cell_reference": "load_too_complex",
}


@pytest.mark.parametrize("name", list(EXPECTED_KEYS))
def test_a_hostile_file_is_refused_for_the_right_reason(name):
    filename, data = CORPUS[name]
    with pytest.raises(LoadError) as raised:
        read_table(data, filename)
    assert raised.value.key == EXPECTED_KEYS[name]


def test_good_rows_of_a_mixed_file_are_kept_and_bad_ones_counted():
    result = read_table(*reversed(CORPUS["mixed_types"]))
    assert (result.rows_kept, result.rows_rejected) == (21, 2)
    assert {problem.key for problem in result.problems} == {"load_values_not_numbers", "load_values_not_dates"}


def test_styled_empty_cells_far_to_the_right_do_not_count_as_columns():
    result = read_table(*reversed(CORPUS["styled_empty_cells_far_right"]))
    assert list(result.frame.columns) == ["amount"]


def test_the_whole_corpus_stays_below_300_mb_of_python_memory():
    tracemalloc.start()
    try:
        for filename, data in CORPUS.values():
            load_or_error(data, filename)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 300 * 1024 * 1024


# --- limits ---------------------------------------------------------------------------------------------------------


def test_an_upload_above_the_size_cap_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(loading, "MAX_UPLOAD_BYTES", 1024)
    with pytest.raises(LoadError, match=r"at most 1 MB are allowed") as raised:
        read_table(GOOD_CSV.encode() * 100, "big.csv")
    assert raised.value.key == "load_too_large"


def test_the_size_cap_matches_the_server_upload_limit():
    config = open("/".join(__file__.split("/")[:-2]) + "/.streamlit/config.toml", encoding="utf-8").read()
    assert f"maxUploadSize = {loading.MAX_UPLOAD_BYTES // (1024 * 1024)}\n" in config


def test_too_many_csv_rows_are_refused(monkeypatch):
    monkeypatch.setattr(loading, "MAX_ROWS", 2)
    with pytest.raises(LoadError, match="has 3 data rows; at most 2 are allowed"):
        read_table(GOOD_CSV.encode(), "rows.csv")


def test_too_many_xlsx_rows_are_refused(monkeypatch):
    monkeypatch.setattr(loading, "MAX_ROWS", 2)
    rows = [("id", "amount")] + [(str(n), float(n)) for n in range(5)]
    with pytest.raises(LoadError, match="has 5 data rows; at most 2 are allowed"):
        read_table(workbook_bytes(rows), "rows.xlsx")


def test_a_slow_parse_is_stopped_with_a_load_error(monkeypatch):
    data = (GOOD_CSV + "00042;31.12.2024;1,00\n" * 200_000).encode()
    monkeypatch.setattr(loading, "PARSE_SECONDS", 0.001)
    started = time.monotonic()
    with pytest.raises(LoadError, match="took longer than 0.001 seconds") as raised:
        read_table(data, "slow.csv")
    assert raised.value.key == "load_too_slow"
    assert time.monotonic() - started < 5


def test_a_slow_xlsx_parse_is_stopped_with_a_load_error(monkeypatch):
    rows = [("id", "amount")] + [(str(n), float(n)) for n in range(5000)]
    data = workbook_bytes(rows)
    monkeypatch.setattr(loading, "PARSE_SECONDS", 0.001)
    with pytest.raises(LoadError) as raised:
        read_table(data, "slow.xlsx")
    assert raised.value.key == "load_too_slow"


def test_duckdb_is_interrupted_at_the_deadline(monkeypatch):
    data = ("a;b\n" + "1;2\n" * 1_000_000).encode()
    for budget in (0.0, 0.05):
        started = time.monotonic()
        with pytest.raises(LoadError) as raised:
            loading._duckdb_read(data, ";", 1, 2, "slow.csv", deadline=started + budget)
        assert raised.value.key == "load_too_slow"
        assert time.monotonic() - started < 1


def test_a_normal_file_still_loads_within_the_limits():
    result = read_table(GOOD_CSV.encode(), "orders.csv")
    assert result.rows_kept == 3
    result = read_table(workbook_bytes(), "orders.xlsx")
    assert result.rows_kept == 1


# --- crafted files that once took the whole server down (issue 29) -------------------------------------------------
# Each would crash or exhaust this test process if the checks let it through, so the checks are called on their
# own here (they parse nothing); the whole read runs in the capped worker. tests/test_upload_worker.py shows the
# worker alone holds when the checks are switched off.

DANGEROUS = {
    # a worksheet part not named .xml, a cell in A1 and one in XFD1048576: the reader asks for ~512 GB and aborts
    "sheet_part_not_named_xml": ("x.xlsx", crafted_files.sparse_sheet_not_named_xml, "load_too_many_columns"),
    # the same with the references in single quotes, which the earlier scan did not see either
    "single_quoted_references": ("x.xlsx", lambda: crafted_files.with_sheet(
        "<row r='1'><c r='A1' t='inlineStr'><is><t>a</t></is></c></row>"
        "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"), "load_too_many_columns"),
    # one ~900 KB shared string in 5,000 cells: 4.5 GB of text
    "shared_string_bomb": ("x.xlsx", crafted_files.shared_string_bomb, "load_too_much_data"),
    # one 2 KB dictionary value over 5 M rows: ~10 GB decoded from 1.1 MB
    "parquet_dictionary_bomb": ("x.parquet", crafted_files.parquet_dictionary_bomb, "load_too_much_data"),
}


def _inspect(filename: str, data: bytes) -> None:
    if filename.endswith(".parquet"):
        parquet = pq.ParquetFile(pa.BufferReader(data))
        loading.inspect_parquet(parquet.metadata, parquet.schema_arrow, filename, data)
    else:
        loading.inspect_xlsx(data, filename)


@pytest.mark.parametrize("name", list(DANGEROUS))
def test_a_crafted_file_is_refused_by_the_checks_before_any_parser(name):
    filename, make, key = DANGEROUS[name]
    data = make()
    assert len(data) < 1_200_000
    with pytest.raises(LoadError) as raised:
        _inspect(filename, data)
    assert raised.value.key == key


@pytest.mark.parametrize("name", list(DANGEROUS))
def test_a_crafted_file_read_in_the_worker_gets_its_plain_message(name):
    filename, make, key = DANGEROUS[name]
    with pytest.raises(LoadError) as raised:
        upload_worker.read_upload(make(), filename)
    assert raised.value.key == key
    assert TEXTS[key]["de"].format(**raised.value.params) and TEXTS[key]["en"].format(**raised.value.params)


def test_a_shared_string_counts_once_per_cell_that_uses_it(monkeypatch):
    item = b"<si><t>" + b"y" * 490 + b"</t></si>"
    strings = b'<?xml version="1.0"?><sst>' + item + b"</sst>"
    size = len(item) + len(b"</sst>")  # its span, markup included: 512 bytes, counted for each cell using it
    monkeypatch.setattr(loading, "MAX_EXPANDED_BYTES", 20 * size)
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(1, 21))
    loading.inspect_xlsx(rewrite_xlsx(replace={SHEET: sheet_xml(rows)}, add={"xl/sharedStrings.xml": strings}),
                         "fits.xlsx")
    rows += '<row r="21"><c r="A21" t="s"><v>&#48;</v></c></row>'  # an index the scan cannot read counts as the largest
    with pytest.raises(LoadError, match="holds 1 MB of data; at most 1 MB") as raised:
        loading.inspect_xlsx(rewrite_xlsx(replace={SHEET: sheet_xml(rows)}, add={"xl/sharedStrings.xml": strings}),
                             "too_much.xlsx")
    assert raised.value.key == "load_too_much_data"


def test_parquet_pages_larger_than_the_cap_are_refused_whatever_the_footer_says(monkeypatch):
    filename, make, _ = DANGEROUS["parquet_dictionary_bomb"]
    data = make()
    monkeypatch.setattr(loading, "MAX_EXPANDED_BYTES", 2**62)  # only the pages' own sizes count here
    monkeypatch.setattr(loading, "MAX_PARQUET_UNCOMPRESSED_BYTES", 10_000)
    with pytest.raises(LoadError) as raised:
        _inspect(filename, data)
    assert raised.value.key == "load_too_complex"
