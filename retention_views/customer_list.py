"""The customer list as a page shows it and as a download hands it over: headers in the user's language, shares in
percent (the core keeps fractions), ids and segment names as written.

The table comes from :func:`retention_core.segments.list_table` (its columns:
:data:`retention_core.segments.customer_list.COLUMNS`); the files are written by :mod:`retention_views.exports`,
safe against formula injection.
"""

from __future__ import annotations

import pandas as pd

from retention_core.segments.customer_list import COLUMNS
from retention_views.exports import to_csv_bytes, to_xlsx_table_bytes
from retention_views.texts import t

#: The header text of each column (``{currency}`` and ``{weeks}`` filled in).
HEADERS = {
    "customer_id": "customers_column_customer_id",
    "segment": "customers_column_segment",
    "last_order": "customers_column_last_order",
    "orders": "customers_column_orders",
    "revenue": "customers_column_revenue",
    "probability_alive": "customers_column_probability_alive",
    "probability_alive_drop": "customers_column_probability_alive_drop",
    "expected_purchases": "customers_column_expected_purchases",
    "clv": "customers_column_clv",
    "value_at_risk": "customers_column_value_at_risk",
}

#: Columns that are fractions in the core and percent (or percentage points) in a download.
PERCENT_COLUMNS = ("probability_alive", "probability_alive_drop")

#: An XLSX sheet holds at most this many rows, the header included (Excel's limit).
XLSX_MAX_ROWS = 1_048_576

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headers(lang: str, currency: str, weeks: float) -> dict[str, str]:
    """The header of every column in ``lang``."""
    return {column: t(HEADERS[column], lang, currency=currency, weeks=f"{weeks:g}") for column in COLUMNS}


def download_frame(table: pd.DataFrame, lang: str, currency: str, weeks: float) -> pd.DataFrame:
    """``table`` for a file: P(alive) and its drop in percent (points), headers in ``lang``; ids and segment names
    as written (the writers of :mod:`.exports` neutralise formula-like text)."""
    frame = table.assign(**{column: table[column] * 100 for column in PERCENT_COLUMNS})
    return frame.rename(columns=headers(lang, currency, weeks))


def csv_bytes(table: pd.DataFrame, lang: str, currency: str, weeks: float) -> bytes:
    """The customer list as CSV in the language's spreadsheet dialect (:func:`.exports.to_csv_bytes`)."""
    return to_csv_bytes(download_frame(table, lang, currency, weeks), lang)


def xlsx_bytes(table: pd.DataFrame, lang: str, currency: str, weeks: float) -> bytes:
    """The customer list as XLSX (:func:`.exports.to_xlsx_table_bytes`: seconds for hundreds of thousands of rows);
    ``ValueError`` beyond Excel's row limit."""
    if len(table) + 1 > XLSX_MAX_ROWS:
        raise ValueError(f"an XLSX sheet holds at most {XLSX_MAX_ROWS - 1:,} rows below its header, "
                         f"got {len(table):,}")
    return to_xlsx_table_bytes(download_frame(table, lang, currency, weeks), t("customers_sheet_name", lang))


def file_stem(lang: str, segment: str | None = None) -> str:
    """The downloads' file name without extension: "kundenliste" / "customer_list", plus the segment (letters,
    digits, ``-`` and ``_`` only)."""
    stem = t("customers_file_stem", lang)
    if segment:
        cleaned = "".join(char if char.isalnum() or char in "-_" else "_" for char in segment)[:40].strip("_")
        stem = f"{stem}_{cleaned}" if cleaned else stem
    return stem
