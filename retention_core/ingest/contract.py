"""The data contract of an upload: the five sheets, their canonical columns and types, and what the domain reports.

One declarative spec, :data:`SHEETS`, says for each kind of sheet which canonical columns are required or
optional and what type each has; every module of :mod:`retention_core.ingest` reads it. A column type
(:data:`COLUMN_TYPES`) fixes how values are coerced and which rows are set aside: an ``"id"`` must be present, a
``"money"`` amount may be negative (returns), a ``"cost"`` may not, a ``"score"`` is a whole number from 0 to 10, a
``"fraction"`` lies in [0, 1].

The domain reports findings as keys with parameters, never as text: a :class:`Problem` (a finding about an upload
that can still be used, or an "error" that stops one sheet) and a :class:`LoadError` (a file that cannot be used at
all). :data:`MESSAGE_PARAMS` lists every key and the parameters it carries; ``retention_views.texts.problem_text``
turns one into the user's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd


#: Column types and what they mean: "id" and "text" are strings ("id" must be present, and is read as the file
#: wrote it, never through a number: see :data:`ID_COLUMNS`); "category" is one of :data:`CATEGORIES`; "date" is
#: a day from :data:`EARLIEST_DATE` on, never in the future; "money" is an amount that may be negative (returns);
#: "cost" is a non-negative amount; "quantity" is any number (negative for returns); "count" is a non-negative
#: whole number; "score" is a whole number 0-10; "fraction" is a number in [0, 1] (percent 0-100 accepted and
#: divided by 100). Every number is finite, amounts ("money", "cost") at most :data:`MAX_AMOUNT` and quantities
#: and counts at most :data:`MAX_QUANTITY` in size: a larger value is a mistake (an id column mapped as the
#: amount, an exponent typed by hand) and would turn every sum into infinity.
COLUMN_TYPES = ("id", "text", "category", "date", "money", "cost", "quantity", "count", "score", "fraction")

#: Retention cost categories; free-text categories are mapped to these by the user (see suggest_categories).
CATEGORIES = ("team", "tools", "engagement")

DATE_DTYPE = "datetime64[us]"

#: The sane range of dates in an upload: text is read as a date only between these years (a two-digit year read
#: with %Y, 0024, falls outside), and a typed date before EARLIEST_DATE (a Parquet timestamp in year −61757) is a
#: rejected row. Dates after the day of the upload are rejected as future dates (see :func:`prepare_sheet`).
FIRST_YEAR, LAST_YEAR = 1900, 2200
EARLIEST_DATE = pd.Timestamp(f"{FIRST_YEAR}-01-01")
LATEST_DATE = pd.Timestamp(f"{LAST_YEAR}-12-31 23:59:59.999999")
#: The largest amount ("money", "cost") one row may hold, in the data's currency, and the largest quantity or count.
MAX_AMOUNT = 1e12
MAX_QUANTITY = 1e9


@dataclass(frozen=True)
class SheetSpec:
    """The canonical columns of one kind of sheet: required and optional names, and each name's column type."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    types: Mapping[str, str]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


#: The attribute columns of the optional customers sheet: what a customer is (how they came, where, which kind),
#: each a segment dimension (:func:`retention_core.segments.by_customer_attribute`). German headers such as Kanal,
#: Region, Kundentyp, Filiale are recognised (``headers.HEADER_WORDS``).
CUSTOMER_ATTRIBUTES = ("channel", "region", "customer_type", "branch")

#: The sheets of an upload, only ``transactions`` required. The cost sheets' optional ``segment`` names the segment
#: a row's spend was for (a channel, a customer group): retention cost and CAC per segment then come from the sheet
#: (:mod:`retention_core.segments.costs`); ``customers`` is ``customer_id`` plus any of :data:`CUSTOMER_ATTRIBUTES`.
SHEETS: Mapping[str, SheetSpec] = MappingProxyType(
    {
        "transactions": SheetSpec(
            required=("customer_id", "order_date", "amount"),
            optional=("product", "quantity", "gross_margin", "order_id"),
            types=MappingProxyType(
                {
                    "customer_id": "id",
                    "order_date": "date",
                    "amount": "money",
                    "product": "text",
                    "quantity": "quantity",
                    "gross_margin": "fraction",
                    "order_id": "text",
                }
            ),
        ),
        "retention_costs": SheetSpec(
            required=("period_start", "category", "amount"),
            optional=("segment",),
            types=MappingProxyType({"period_start": "date", "category": "category", "amount": "cost",
                                    "segment": "text"}),
        ),
        "acquisition": SheetSpec(
            required=("period_start", "acquisition_spend"),
            optional=("new_customers", "segment"),
            types=MappingProxyType({"period_start": "date", "acquisition_spend": "cost", "new_customers": "count",
                                    "segment": "text"}),
        ),
        "nps": SheetSpec(
            required=("response_date", "score"),
            optional=("customer_id",),
            types=MappingProxyType({"response_date": "date", "score": "score", "customer_id": "id"}),
        ),
        "customers": SheetSpec(
            required=("customer_id",),
            optional=CUSTOMER_ATTRIBUTES,
            types=MappingProxyType({"customer_id": "id", **{name: "text" for name in CUSTOMER_ATTRIBUTES}}),
        ),
    }
)

#: Sheets that describe customers rather than events (dated rows): the optional customers sheet.
ATTRIBUTE_SHEETS: Mapping[str, SheetSpec] = MappingProxyType({"customers": SHEETS["customers"]})

#: The sheets of events, each row dated: what an upload is made of; an attribute sheet only adds to them.
EVENT_SHEETS = tuple(kind for kind in SHEETS if kind not in ATTRIBUTE_SHEETS)

#: Every canonical identifier column of any sheet (type "id"), derived from :data:`SHEETS` so that an id column
#: added to a sheet is covered: a user column mapped to one of these is taken as the text the file wrote
#: (``LoadResult.for_mapping``), never through a number, so ids such as ``00042``, ``1.234``,
#: ``9007199254740993`` or 20-digit numbers stay distinct and unchanged.
ID_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(
    name for spec in SHEETS.values() for name, column_type in spec.types.items() if column_type == "id"))


CANONICAL_NAMES = tuple(dict.fromkeys(name for spec in SHEETS.values() for name in spec.columns))


def sheet_spec(kind: str) -> SheetSpec:
    """The spec of sheet ``kind``, one of :data:`SHEETS`."""
    spec = SHEETS.get(kind)
    if spec is None:
        raise ValueError(f"Unknown sheet kind {kind!r}; expected one of {', '.join(SHEETS)}")
    return spec


# --- what the domain reports -------------------------------------------------------------------------------------


SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Problem:
    """A finding about an upload, as a message key and its parameters (the views give it in the user's language).

    ``severity`` is "error" (the sheet cannot be used), "warning" (rows were set aside or need a look) or "info".
    """

    key: str
    severity: str
    params: Mapping[str, object] = field(default_factory=dict)


#: Every Problem key ``prepare_sheet`` emits, with the parameters it carries (names the message texts fill in).
PROBLEM_PARAMS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "data_missing_column": ("column",),
    "data_no_rows": ("rows",),
    "data_no_purchases": ("column",),
    "data_missing_values": ("column", "examples", "rows"),
    "data_not_a_number": ("column", "examples", "rows"),
    "data_not_a_date": ("column", "examples", "rows"),
    "data_not_whole_number": ("column", "examples", "rows"),
    "data_future_dates": ("column", "examples", "rows"),
    "data_negative_values": ("column", "examples", "rows"),
    "data_negative_amounts": ("column", "rows"),
    "data_score_out_of_range": ("column", "examples", "rows"),
    "data_margin_out_of_range": ("column", "examples", "rows"),
    "data_margin_percent": ("column",),
    "data_unknown_category": ("examples", "rows"),
    "data_duplicate_rows": ("rows",),
    "data_not_finite": ("column", "examples", "rows"),
    "data_too_large": ("column", "examples", "rows"),
    "data_date_too_early": ("column", "examples", "rows"),
})
PROBLEM_KEYS = tuple(PROBLEM_PARAMS)

#: Every LoadError key, with its parameters.
LOAD_ERROR_PARAMS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "load_empty_file": ("filename",),
    "load_header_only": ("filename",),
    "load_no_columns": ("filename",),
    "load_not_text": ("filename",),
    "load_unknown_extension": ("extension",),
    "load_legacy_xls": ("filename",),
    "load_not_xlsx": ("filename",),
    "load_not_parquet": ("filename",),
    "load_sheet_not_found": ("sheet", "sheets"),
    "load_unreadable": ("detail", "filename"),
    "load_too_large": ("filename", "limit_mb", "size_mb"),
    "load_too_complex": ("filename",),
    "load_xml_entities": ("filename",),
    "load_too_many_rows": ("filename", "limit", "rows"),
    "load_too_many_columns": ("columns", "filename", "limit"),
    "load_line_too_long": ("filename", "limit_kb", "line"),
    "load_too_slow": ("filename", "seconds"),
    "load_too_much_memory": ("filename", "limit_gb"),
    "load_worker_failed": ("filename",),
    "load_too_much_data": ("filename", "limit_mb", "size_mb"),
    "load_encrypted": ("filename",),
    "load_no_sheets": ("filename",),
    "load_not_a_workbook": ("filename",),
    "load_opendocument": ("filename",),
    "load_xlsb": ("filename",),
    "load_one_column": ("filename",),
    "load_mixed_encoding": ("filename", "line"),
    "load_rows_unaccounted": ("filename", "kept", "lines", "missing", "rejected"),
})
LOAD_ERROR_KEYS = tuple(LOAD_ERROR_PARAMS)

#: Every Problem key a LoadResult can carry, with its parameters.
LOAD_PROBLEM_PARAMS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "load_rows_wrong_field_count": ("examples", "expected", "rows"),
    "load_rows_malformed": ("examples", "rows"),
    "load_values_not_numbers": ("column", "examples", "rows"),
    "load_values_not_dates": ("column", "examples", "format", "rows"),
    "load_values_out_of_range": ("column", "examples", "first", "last", "rows"),
    "load_lines_cp1252": ("examples", "rows"),
    "load_rows_blank": ("rows",),
})
LOAD_PROBLEM_KEYS = tuple(LOAD_PROBLEM_PARAMS)

#: Every message key the domain reports, with the parameters its text needs.
MESSAGE_PARAMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {**PROBLEM_PARAMS, **LOAD_ERROR_PARAMS, **LOAD_PROBLEM_PARAMS})


class LoadError(ValueError):
    """A file that cannot be used at all: a message ``key`` and its ``params`` (the views give it in the user's
    language); ``str()`` shows both, for logs."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(f"{key} {params!r}")
