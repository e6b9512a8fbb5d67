"""Canonical columns of the four upload sheets, header guessing, and the checks that turn a mapped table into data.

One declarative spec, :data:`SHEETS`, says for each kind of sheet which canonical columns are required or
optional and what type each has; every function here reads it. A column type (:data:`COLUMN_TYPES`) fixes how
values are coerced and which rows are set aside: an ``"id"`` must be present, a ``"money"`` amount may be
negative (returns), a ``"cost"`` may not, a ``"score"`` is a whole number from 0 to 10, a ``"fraction"`` lies in
[0, 1].

The flow is ``suggest_mapping`` (guess which upload column is which canonical column) -> the user confirms ->
``map_columns`` (rename and keep only the mapped columns) -> ``prepare_sheet`` (coerce, set bad rows aside with a
reason, report :class:`Problem` objects the UI renders with ``i18n.t(problem.key, lang, **problem.params)``).

Text values are typed here too (numbers with either decimal mark, dates in the common formats), so that
``loading.read_table`` and ``prepare_sheet`` parse exactly alike; the parsing runs in DuckDB
(``sql/load_column_evidence.sql``, ``sql/load_parse_numbers.sql``, ``sql/load_parse_dates.sql``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import infer_dtype, is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from retention_core.queries import run_sql
from retention_views.i18n import t

# --- the data contract -------------------------------------------------------------------------------------------

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
            optional=(),
            types=MappingProxyType({"period_start": "date", "category": "category", "amount": "cost"}),
        ),
        "acquisition": SheetSpec(
            required=("period_start", "acquisition_spend"),
            optional=("new_customers",),
            types=MappingProxyType({"period_start": "date", "acquisition_spend": "cost", "new_customers": "count"}),
        ),
        "nps": SheetSpec(
            required=("response_date", "score"),
            optional=("customer_id",),
            types=MappingProxyType({"response_date": "date", "score": "score", "customer_id": "id"}),
        ),
    }
)

#: Every canonical identifier column of any sheet (type "id"), derived from :data:`SHEETS` so that an id column
#: added to a sheet is covered: a user column mapped to one of these is taken as the text the file wrote
#: (``loading.LoadResult.for_mapping``), never through a number, so ids such as ``00042``, ``1.234``,
#: ``9007199254740993`` or 20-digit numbers stay distinct and unchanged.
ID_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(
    name for spec in SHEETS.values() for name, column_type in spec.types.items() if column_type == "id"))

#: Header words for each canonical column, best first, written as they appear in exports; they are compared
#: after :func:`normalize_header`. A column name shared by several sheets (``amount``) shares its words.
HEADER_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "customer_id": (
            "Kunden-ID", "Kundennummer", "Kundennr", "KdNr", "Kd-Nr", "Kunden-Nr", "Customer ID", "Customer Number",
            "Customer No", "Client ID", "Debitor", "Debitorennummer", "Kunde", "Kunden", "Customer", "Client",
            "Account ID", "User ID", "E-Mail", "Email",
        ),
        "order_date": (
            "Bestelldatum", "Rechnungsdatum", "Auftragsdatum", "Kaufdatum", "Belegdatum", "Buchungsdatum",
            "Order Date", "Invoice Date", "Purchase Date", "Transaction Date", "Datum", "Date",
        ),
        "amount": (
            "Betrag", "Umsatz", "Netto", "Nettobetrag", "Nettoumsatz", "Brutto", "Bruttobetrag", "Amount", "Revenue",
            "Total", "Sales", "Order Value", "Summe", "Gesamt", "Wert", "Value", "Kosten", "Cost", "Costs",
            "Ausgaben", "Spend", "Preis", "Price",
        ),
        "product": (
            "Artikel", "Produkt", "Artikelname", "Produktname", "Bezeichnung", "Product", "Product Name", "Item",
            "Artikelnummer", "SKU",
        ),
        "quantity": ("Menge", "Anzahl", "Stück", "Stückzahl", "Quantity", "Qty", "Units"),
        "order_id": (
            "Bestellnummer", "Bestell-Nr", "Bestellnr", "Auftragsnummer", "Auftrags-Nr", "Auftragsnr",
            "Belegnummer", "Beleg-Nr", "Rechnungsnummer", "Rechnungs-Nr", "Order ID", "Order Number", "Order No",
            "Invoice Number", "Invoice No", "Invoice ID", "Transaction ID",
        ),
        "gross_margin": (
            "Marge", "Deckungsbeitrag %", "DB %", "Rohertrag %", "Marge %", "Gross Margin", "Margin",
            "Gross Margin %", "Margin %",
        ),
        "category": ("Kategorie", "Kostenart", "Kostenkategorie", "Category", "Cost Type", "Type", "Art"),
        "period_start": (
            "Monat", "Quartal", "Periode", "Zeitraum", "Periodenbeginn", "Period Start", "Period", "Month",
            "Quarter", "Start", "Datum", "Date",
        ),
        "acquisition_spend": (
            "Akquisitionskosten", "Marketingkosten", "Werbekosten", "Werbeausgaben", "Marketingausgaben",
            "Werbebudget", "Marketingbudget", "Anzeigenkosten", "Acquisition Spend", "Acquisition Cost",
            "Acquisition Costs", "Marketing Spend", "Ad Spend", "Advertising Spend", "Advertising Costs", "Ads",
            "Marketing", "Werbung", "Advertising", "Spend", "Kosten", "Costs", "Budget", "Betrag", "Amount",
        ),
        "new_customers": (
            "Neukunden", "Neue Kunden", "Anzahl Neukunden", "New Customers", "Customers Acquired",
            "Acquired Customers", "New Clients",
        ),
        "response_date": (
            "Antwortdatum", "Umfragedatum", "Response Date", "Survey Date", "Datum", "Date", "Zeitstempel",
            "Timestamp",
        ),
        "score": (
            "Bewertung", "Score", "NPS", "NPS Score", "Empfehlung", "Weiterempfehlung", "Rating", "Punkte", "Note",
        ),
    }
)

#: Words in a category name that suggest one of the three retention cost categories.
CATEGORY_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "team": (
            "personal", "gehalt", "gehaelter", "lohn", "loehne", "team", "mitarbeiter", "salary", "salaries", "staff",
            "payroll", "wages", "support", "service", "kundenservice", "betreuung", "account manager",
        ),
        "tools": ("software", "tool", "tools", "crm", "lizenz", "lizenzen", "license", "saas", "it", "hosting"),
        "engagement": (
            "rabatt", "rabatte", "praemie", "praemien", "treueprogramm", "treue", "bonus", "gutschein", "gutscheine",
            "geschenk", "geschenke", "discount", "discounts", "reward", "rewards", "loyalty", "voucher", "vouchers",
            "coupon", "coupons", "gift", "gifts", "cashback", "newsletter", "events", "event",
        ),
    }
)

#: Words that mark a header as money (``Werbeausgaben Neukunden``, ``Ads (EUR)``): such a column is never proposed
#: for a column of type "count". Long words also count inside a German compound; short ones only as whole words.
MONEY_WORDS = ("ausgaben", "kosten", "spend", "costs", "budget", "betrag", "umsatz", "amount", "revenue")
MONEY_SHORT_WORDS = frozenset({"cost", "ads", "eur", "euro", "usd", "chf", "gbp"})
_CURRENCY_SIGNS = frozenset("€$£¥")

#: How many rows :func:`suggest_mapping` reads from its ``sample`` to check a column's values.
SUGGESTION_SAMPLE_ROWS = 1000

#: Header words that mark an identifier column, whose values stay text even when they look like numbers.
ID_WORDS = frozenset(
    {"id", "nr", "no", "nummer", "number", "code", "sku", "ean", "gtin", "plz", "zip", "iban", "kunde", "kunden",
     "customer", "client", "debitor", "telefon", "phone", "tel", "kdnr"}
)
_ID_SUFFIXES = ("nummer", "nr", "id")

# --- problems ----------------------------------------------------------------------------------------------------

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Problem:
    """A plain-language finding about an upload, rendered by the UI as ``t(key, lang, **params)``.

    ``severity`` is "error" (the sheet cannot be used), "warning" (rows were set aside or need a look) or "info".
    """

    key: str
    severity: str
    params: Mapping[str, object] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.params)


#: Every Problem key this module emits (each has German and English text in i18n.TEXTS).
PROBLEM_KEYS = (
    "data_missing_column",
    "data_no_rows",
    "data_no_purchases",
    "data_missing_values",
    "data_not_a_number",
    "data_not_a_date",
    "data_not_whole_number",
    "data_future_dates",
    "data_negative_values",
    "data_negative_amounts",
    "data_score_out_of_range",
    "data_margin_out_of_range",
    "data_margin_percent",
    "data_unknown_category",
    "data_duplicate_rows",
    "data_not_finite",
    "data_too_large",
    "data_date_too_early",
)


@dataclass(frozen=True, eq=False)
class TextCodes:
    """A text column as whole numbers: row i holds ``values[codes[i]]``, or a missing value where ``codes[i]`` is −1.

    ``values`` are the column's distinct values in sorted order (``pd.factorize(column, sort=True)``), so the codes
    sort as the text does; ``codes`` are the narrowest of int8, int16, int32 and int64 that holds them (products:
    10 MB at 10 M rows, customer ids 40 MB).
    """

    codes: np.ndarray
    values: pd.Index

    @classmethod
    def of(cls, column: pd.Series) -> TextCodes:
        codes, values = pd.factorize(column, sort=True)
        width = next(dtype for dtype in ("int8", "int16", "int32", "int64") if len(values) <= np.iinfo(dtype).max)
        return cls(codes.astype(width), values)

    def describes(self, column: pd.Series, samples: int = 64) -> bool:
        """Whether these are ``column``'s codes: the same length, and the same value in ``samples`` rows spread
        over it (a check against codes of another frame, not a proof)."""
        if len(self.codes) != len(column):
            return False
        rows = np.unique(np.linspace(0, len(column) - 1, num=min(samples, len(column)), dtype="int64"))
        codes = self.codes[rows]
        shown = column.iloc[rows].to_numpy(dtype=object)
        missing = pd.isna(shown)
        if not np.array_equal(codes < 0, missing):
            return False
        return bool((self.values.take(codes[~missing]).to_numpy(dtype=object) == shown[~missing]).all())


@dataclass(frozen=True)
class Prepared:
    """A sheet after :func:`prepare_sheet`: good rows, rows set aside (with ``reason``), and the problems found.

    ``codes``: the frame's text columns as :class:`TextCodes`, by column name. The duplicate check needs them, and
    :func:`retention_core.dataset.aggregate` reuses them (``Dataset.transaction_codes``) instead of coding the
    customer ids again: at 10 M rows that coding took 1.1–2.2 s.
    """

    frame: pd.DataFrame
    rejected: pd.DataFrame
    problems: tuple[Problem, ...]
    codes: Mapping[str, TextCodes] = field(default_factory=dict, compare=False, repr=False)

    @property
    def usable(self) -> bool:
        """Whether the sheet can be put into use: no "error" problem (a required column missing, no row kept)."""
        return not any(problem.severity == "error" for problem in self.problems)


# --- header guessing ---------------------------------------------------------------------------------------------

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def normalize_header(header: object) -> str:
    """A header as lower-case ASCII words: ``"Kunden-ID"`` -> ``"kunden id"``, ``"Deckungsbeitrag %"`` ->
    ``"deckungsbeitrag prozent"``, ``"CustomerID"`` -> ``"customer id"``, ``"Stück"`` -> ``"stueck"``."""
    text = str(header).translate(_UMLAUTS)
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("%", " prozent ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


_NORMALIZED_WORDS = {name: tuple(normalize_header(word) for word in words) for name, words in HEADER_WORDS.items()}


def _match_strength(header: str, word: str) -> int:
    """3: the header is the word; 2: the word appears as whole words in the header; 1: a German compound
    ends with or starts with the word (``rechnungsbetrag`` ~ ``betrag``); 0: no match."""
    if not header:
        return 0
    if header == word:
        return 3
    if f" {word} " in f" {header} ":
        return 2
    compact_header, compact_word = header.replace(" ", ""), word.replace(" ", "")
    if len(compact_word) >= 4 and (compact_header.endswith(compact_word) or compact_header.startswith(compact_word)):
        return 1
    return 0


def suggest_mapping(
    columns: Iterable[object], kind: str = "transactions", *, sample: pd.DataFrame | None = None
) -> dict[str, str]:
    """Guess which upload column holds each canonical column of sheet ``kind``: canonical name -> user column.

    Headers are compared after :func:`normalize_header` with :data:`HEADER_WORDS`; an exact header beats a header
    that contains the word, which beats a German compound ending in it; among equals the earlier word and the
    earlier canonical column win. Each user column is used at most once; unmatched canonical names are left out.

    A column of type "count" (``new_customers``) is a number of customers, so a header that names money
    (:func:`names_money`: ``Werbeausgaben Neukunden``, ``Kosten Neukunden``, ``Ads (EUR)``) is never proposed for
    it, nor, when ``sample`` (the upload's rows, of which the first :data:`SUGGESTION_SAMPLE_ROWS` are read) is
    given, a column whose numbers are not all whole and non-negative.
    """
    spec = _spec(kind)
    columns = list(columns)
    normalized = [normalize_header(column) for column in columns]
    rows = sample.head(SUGGESTION_SAMPLE_ROWS) if sample is not None else None
    candidates = []
    for order, name in enumerate(spec.columns):
        counts = spec.types[name] == "count"
        for rank, word in enumerate(_NORMALIZED_WORDS[name]):
            for position, header in enumerate(normalized):
                strength = _match_strength(header, word)
                if strength and counts and not _could_be_count(columns[position], rows):
                    continue
                if strength:
                    candidates.append((-strength, rank, order, position, name))
    mapping: dict[str, str] = {}
    used: set[int] = set()
    for _, _, _, position, name in sorted(candidates):
        if name not in mapping and position not in used:
            mapping[name] = columns[position]
            used.add(position)
    return {name: mapping[name] for name in spec.columns if name in mapping}


def names_money(header: object) -> bool:
    """True when a header names an amount of money: a word of :data:`MONEY_WORDS` (also inside a German compound,
    ``Werbeausgaben``), a whole word of :data:`MONEY_SHORT_WORDS` (``Ads (EUR)``) or a currency sign."""
    if any(sign in str(header) for sign in _CURRENCY_SIGNS):
        return True
    words = normalize_header(header).split()
    return any(word in MONEY_SHORT_WORDS for word in words) or any(
        money in word for word in words for money in MONEY_WORDS
    )


def _could_be_count(column: object, rows: pd.DataFrame | None) -> bool:
    """Whether ``column`` may hold counts: its header names no money, and its numbers in ``rows`` (when given and
    the column is there) are whole and non-negative (text that is not a number is left to :func:`prepare_sheet`)."""
    if names_money(column):
        return False
    if rows is None or column not in rows.columns:
        return True
    numbers = coerce_numbers(rows[column]).values.dropna()
    return bool(((numbers >= 0) & (numbers == np.round(numbers))).all())


def looks_like_id(header: object) -> bool:
    """True when a header names an identifier (``Kundennummer``, ``Customer ID``, ``KdNr``, ``SKU``)."""
    words = normalize_header(header).split()
    return any(word in ID_WORDS or (len(word) > 4 and word.endswith(_ID_SUFFIXES)) for word in words)


def suggest_categories(values: Iterable[object]) -> dict[str, str]:
    """Guess team / tools / engagement for free-text cost categories: category value -> canonical category.

    ``Personal``, ``Gehälter``, ``Salaries`` -> team; ``Software``, ``CRM`` -> tools; ``Rabatte``, ``Prämien``,
    ``Treueprogramm``, ``Gutscheine``, ``Loyalty`` -> engagement. Values with no recognisable word are left out.
    """
    suggestions: dict[str, str] = {}
    for value in dict.fromkeys(values):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        words = normalize_header(value).split()
        text = " ".join(words)
        if text in CATEGORIES:
            suggestions[value] = text
            continue
        for category, category_words in CATEGORY_WORDS.items():
            if any(word in words or (len(word) >= 5 and word in text) for word in category_words):
                suggestions[value] = category
                break
    return suggestions


def apply_categories(frame: pd.DataFrame, categories: Mapping[str, str]) -> pd.DataFrame:
    """``frame`` with its free-text ``category`` values replaced by the canonical categories in ``categories``.

    Values the mapping does not name stay as they are, so :func:`prepare_sheet` rejects them with a reason
    instead of their costs vanishing silently.
    """
    unknown = set(categories.values()) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"categories must map to {', '.join(CATEGORIES)}, got {', '.join(sorted(unknown))}")
    text = frame["category"].astype("string")
    return frame.assign(category=text.map(lambda value: categories.get(value, value), na_action="ignore"))


# --- mapping -----------------------------------------------------------------------------------------------------

CANONICAL_NAMES = tuple(dict.fromkeys(name for spec in SHEETS.values() for name in spec.columns))


class SharedColumnError(ValueError):
    """One column of the file chosen for two or more fields; ``column`` and ``fields`` (canonical names) let the
    page say it in the user's language."""

    def __init__(self, column: object, fields: tuple[str, ...]) -> None:
        self.column = column
        self.fields = fields
        super().__init__(f"One column cannot be mapped to two canonical columns: {column!r} -> {' and '.join(fields)}")


def looks_like(frame: pd.DataFrame, uploaded_as: str) -> str | None:
    """The other sheet kind whose every required column :func:`suggest_mapping` finds in ``frame``'s headers, when
    the kind it was ``uploaded_as`` does not have all of its own: a cost sheet dropped on the transactions
    uploader. None when the upload fits its own kind or no other kind fits (then the mapping form says which field
    is empty)."""
    def complete(kind: str) -> bool:
        suggested = suggest_mapping(frame.columns, kind, sample=frame)
        return all(name in suggested for name in SHEETS[kind].required)

    if complete(uploaded_as):
        return None
    return next((kind for kind in SHEETS if kind != uploaded_as and complete(kind)), None)


def map_columns(frame: pd.DataFrame, mapping: Mapping[str, str | None]) -> pd.DataFrame:
    """Keep only the mapped user columns of ``frame``, renamed to their canonical names (in mapping order).

    ``mapping`` is canonical name -> user column; a ``None`` value means "not mapped". The index (the file's
    ``row_number`` after ``read_table``) is kept. Raises ``ValueError`` for an unknown canonical name, a user
    column that is not in ``frame``, and :class:`SharedColumnError` (a ``ValueError``) for the first user column
    mapped to two canonical names.
    """
    chosen = {name: column for name, column in mapping.items() if column is not None}
    unknown = [name for name in chosen if name not in CANONICAL_NAMES]
    if unknown:
        expected = ", ".join(CANONICAL_NAMES)
        raise ValueError(f"Unknown canonical column(s): {', '.join(unknown)}; expected one of {expected}")
    missing = [f"{column!r} (for {name})" for name, column in chosen.items() if column not in frame.columns]
    if missing:
        available = ", ".join(repr(column) for column in frame.columns)
        raise ValueError(f"Column(s) not in the table: {', '.join(missing)}. Available columns: {available}")
    by_column: dict[object, list[str]] = {}
    for name, column in chosen.items():
        by_column.setdefault(column, []).append(name)
    for column, names in by_column.items():
        if len(names) > 1:
            raise SharedColumnError(column, tuple(names))
    mapped = frame[list(chosen.values())]
    mapped.columns = list(chosen)
    return mapped


# --- typing text values ------------------------------------------------------------------------------------------

#: Ignored inside numbers: whitespace (also no-break spaces used for grouping), apostrophes, currency signs/codes.
NUMBER_STRIP_PATTERN = r"(?i)[\s\x{00A0}\x{202F}'’€$£]|EUR|USD|CHF|GBP"
#: An unsigned number for each decimal mark, with optional thousands grouping: "1.234,56" / "1,234.56".
NUMBER_PATTERNS = MappingProxyType(
    {
        ",": r"(\d{1,3}(\.\d{3})+|\d+)(,\d*)?|,\d+",
        ".": r"(\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+",
    }
)
THOUSANDS_SEPARATORS = MappingProxyType({",": ".", ".": ","})

#: Date formats tried on text, in order of preference on a tie (day-before-month first; swapped in files with a
#: decimal point). Each also accepts a time of day after the date (see :func:`date_variants`).
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d", "%d.%m.%y", "%m.%Y", "%Y-%m", "%m/%Y")
_TIMES = (" %H:%M", " %H:%M:%S")


def date_variants(date_format: str) -> tuple[str, ...]:
    """A date format and the same with a time (``%H:%M``, ``%H:%M:%S``; ISO also with ``T``); month formats
    alone."""
    if "%d" not in date_format:
        return (date_format,)
    variants = (date_format,) + tuple(date_format + time for time in _TIMES)
    if date_format == "%Y-%m-%d":
        variants += tuple(date_format + "T" + time.strip() for time in _TIMES)
    return variants


#: The characters a date in one of DATE_FORMATS consists of.
DATE_SHAPE = r"[0-9./: T-]+"

#: Share of a column's non-empty values that must parse for the column to be typed as numbers or dates.
TYPE_THRESHOLD = 0.8


@dataclass(frozen=True)
class Coerced:
    """A column coerced to numbers or dates, and which non-empty values failed."""

    values: pd.Series
    failed: pd.Series


def _positional(strings: pd.Series) -> pd.DataFrame:
    values = strings.astype("str").reset_index(drop=True)
    return pd.DataFrame({"position": np.arange(len(strings), dtype="int64"), "value": values})


def text_evidence(strings: pd.Series, dates: bool = False) -> dict[str, int]:
    """How many non-empty text values pass each typing test: the number tests of
    ``sql/load_column_evidence.sql`` and, when enough values are shaped like dates, ``"date:<format>"`` for each
    of :data:`DATE_FORMATS` with its :func:`date_variants` (``sql/load_count_dates.sql``); with ``dates`` the
    date formats are counted whatever the shape of the values."""
    raw = _positional(strings)
    params = {
        "strip_pattern": NUMBER_STRIP_PATTERN,
        "comma_pattern": NUMBER_PATTERNS[","],
        "point_pattern": NUMBER_PATTERNS["."],
        "date_shape": DATE_SHAPE,
    }
    table = run_sql("load_column_evidence", params, raw=raw)
    evidence = {str(test): int(rows) for test, rows in zip(table["test"], table["rows"])}
    if evidence["date_shaped"] and (dates or evidence["date_shaped"] >= TYPE_THRESHOLD * evidence["non_empty"]):
        candidates = run_sql("load_date_candidates", {"date_shape": DATE_SHAPE}, raw=raw)
        for date_format in DATE_FORMATS:
            params = {"date_formats": list(date_variants(date_format)), "first_year": FIRST_YEAR,
                      "last_year": LAST_YEAR}
            rows = int(run_sql("load_count_dates", params, candidates=candidates)["rows"].iloc[0])
            if rows:
                evidence[f"date:{date_format}"] = rows
    return evidence


def choose_decimal_mark(evidence: Iterable[Mapping[str, int]], default: str) -> str:
    """The decimal mark the evidence of a file's columns supports: values only readable with a comma (``12,5``,
    ``1.234,56``) against values only readable with a point (``12.5``, ``1,234.56``); ``default`` on a tie."""
    comma = point = 0
    for column in evidence:
        comma += column.get("only_decimal_comma", 0)
        point += column.get("only_decimal_point", 0)
    if comma == point:
        return default
    return "," if comma > point else "."


def choose_date_format(evidence: Mapping[str, int], day_first: bool = True) -> tuple[str | None, int]:
    """The date format that parses most values, and how many; ties go to day-before-month when ``day_first``."""
    formats = list(DATE_FORMATS)
    if not day_first:
        formats = [_swap_day_month(date_format) for date_format in formats]
    best, best_rows = None, 0
    for date_format in formats:
        rows = evidence.get(f"date:{date_format}", 0)
        if rows > best_rows:
            best, best_rows = date_format, rows
    return best, best_rows


def _swap_day_month(date_format: str) -> str:
    return {"%d/%m/%Y": "%m/%d/%Y", "%m/%d/%Y": "%d/%m/%Y"}.get(date_format, date_format)


def parse_numbers(strings: pd.Series, decimal_mark: str) -> pd.Series:
    """Text -> float64 with ``decimal_mark`` ("," or "."); NaN where missing or not a number (also where the digits
    are too many for a double: 400 nines are not a number, not infinity). Keeps the index."""
    parsed = run_sql(
        "load_parse_numbers",
        {
            "strip_pattern": NUMBER_STRIP_PATTERN,
            "number_pattern": NUMBER_PATTERNS[decimal_mark],
            "thousands_separator": THOUSANDS_SEPARATORS[decimal_mark],
            "decimal_mark": decimal_mark,
        },
        raw=_positional(strings),
    )
    return pd.Series(parsed["number"].to_numpy(dtype="float64", na_value=np.nan), index=strings.index)


def parse_dates(strings: pd.Series, date_format: str) -> pd.Series:
    """Text -> datetime64 in a strptime ``date_format`` (one of :data:`DATE_FORMATS`, with or without a time);
    NaT where missing, not matching, or year outside FIRST_YEAR-LAST_YEAR. Keeps the index."""
    params = {"date_formats": list(date_variants(date_format)), "first_year": FIRST_YEAR, "last_year": LAST_YEAR}
    parsed = run_sql("load_parse_dates", params, raw=_positional(strings))
    return pd.Series(parsed["date"].astype(DATE_DTYPE).to_numpy(), index=strings.index)


@dataclass(frozen=True)
class Cells:
    """The non-missing cells of a column split by Python type: stripped text, numbers, dates."""

    strings: pd.Series
    numbers: pd.Series
    dates: pd.Series

    @property
    def count(self) -> int:
        return len(self.strings) + len(self.numbers) + len(self.dates)


def split_cells(values: pd.Series) -> Cells:
    """Split a column into text, number and date cells (missing and empty text left out), keeping the index.

    Typed columns take a fast path; only mixed object columns (Excel sheets, hand-made frames) are inspected cell
    by cell.
    """
    no_strings = pd.Series([], dtype="str")
    no_numbers = pd.Series([], dtype="float64")
    no_dates = pd.Series([], dtype=DATE_DTYPE)
    if is_bool_dtype(values.dtype):
        return Cells(values.dropna().astype("str"), no_numbers, no_dates)
    if is_numeric_dtype(values.dtype):
        return Cells(no_strings, values.dropna().astype("float64"), no_dates)
    if is_datetime64_any_dtype(values.dtype):
        return Cells(no_strings, no_numbers, _as_dates(values.dropna()))
    present = values.dropna()
    inferred = infer_dtype(present, skipna=True)
    if inferred in ("string", "empty"):
        strings = present.astype("str").str.strip()
        return Cells(strings[strings != ""], no_numbers, no_dates)
    if inferred in ("floating", "integer", "mixed-integer-float", "decimal"):
        return Cells(no_strings, present.astype("float64"), no_dates)
    kinds = present.map(_cell_kind)
    strings = present[kinds == "string"].astype("str").str.strip()
    dates = present[kinds == "date"]
    return Cells(
        strings[strings != ""],
        present[kinds == "number"].astype("float64"),
        _as_dates(pd.to_datetime(dates)) if len(dates) else no_dates,
    )


def _cell_kind(value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "string"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "missing" if value != value else "number"
    if isinstance(value, (dt.date, np.datetime64)):
        return "date"
    return "string"


def _as_dates(values: pd.Series) -> pd.Series:
    if getattr(values.dtype, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values.astype(DATE_DTYPE)


def coerce_numbers(values: pd.Series, decimal_mark: str | None = None) -> Coerced:
    """A column as float64: numbers kept, text parsed with ``decimal_mark`` (guessed from the text if None,
    decimal point on a tie); text that is not a number, and dates, fail."""
    if is_numeric_dtype(values.dtype) and not is_bool_dtype(values.dtype):  # typed already (Parquet, Excel)
        return Coerced(values.astype("float64"), pd.Series(False, index=values.index))
    cells = split_cells(values)
    result = pd.Series(np.nan, index=values.index, dtype="float64")
    failed = pd.Series(False, index=values.index)
    if len(cells.numbers):
        result.loc[cells.numbers.index] = cells.numbers
    failed.loc[cells.dates.index] = True
    if len(cells.strings):
        mark = decimal_mark or choose_decimal_mark([text_evidence(cells.strings)], default=".")
        parsed = parse_numbers(cells.strings, mark)
        result.loc[parsed.index] = parsed
        failed.loc[parsed.index] = parsed.isna()
    return Coerced(result, failed)


def coerce_dates(values: pd.Series, date_format: str | None = None, day_first: bool = True) -> Coerced:
    """A column as datetime64: dates kept, text parsed with ``date_format`` (guessed from the text if None);
    text in no known format, and numbers, fail."""
    if is_datetime64_any_dtype(values.dtype):  # typed already (Parquet, Excel)
        return Coerced(_as_dates(values), pd.Series(False, index=values.index))
    cells = split_cells(values)
    result = pd.Series(pd.NaT, index=values.index, dtype=DATE_DTYPE)
    failed = pd.Series(False, index=values.index)
    if len(cells.dates):
        result.loc[cells.dates.index] = cells.dates
    failed.loc[cells.numbers.index] = True
    if len(cells.strings):
        chosen = date_format or choose_date_format(text_evidence(cells.strings, dates=True), day_first)[0]
        parsed = parse_dates(cells.strings, chosen) if chosen else pd.Series(pd.NaT, index=cells.strings.index)
        result.loc[parsed.index] = parsed.astype(DATE_DTYPE)
        failed.loc[parsed.index] = parsed.isna()
    return Coerced(result, failed)


def coerce_strings(values: pd.Series) -> pd.Series:
    """A column as text: stripped, empty -> missing, whole numbers without ``.0`` (an id 42.0 reads "42"),
    dates as ``YYYY-MM-DD`` (with the time when there is one)."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        # a text column (Parquet, prepared frames): no Python object per cell, and no copy when already clean
        text = pa.array(values.array)  # the Arrow data itself (__arrow_array__), not a copy
        length = pc.binary_length(text)
        trimmed = pc.binary_length(pc.utf8_trim_whitespace(text))  # Unicode whitespace, as str.strip: NBSP too
        if not pc.any(pc.or_(pc.equal(trimmed, 0), pc.not_equal(trimmed, length))).as_py():
            return values.astype("str")
        stripped = values.str.strip()
        return stripped.where(stripped != "").astype("str")
    cells = split_cells(values)
    result = pd.Series(np.nan, index=values.index, dtype="object")
    result.loc[cells.strings.index] = cells.strings.astype("object")
    if len(cells.numbers):
        result.loc[cells.numbers.index] = number_text(cells.numbers)
    if len(cells.dates):
        dates = cells.dates
        with_time = dates != dates.dt.normalize()
        text = dates.dt.strftime("%Y-%m-%d %H:%M:%S").where(with_time, dates.dt.strftime("%Y-%m-%d"))
        result.loc[text.index] = text.astype("object")
    return result.astype("str")


def number_text(numbers: pd.Series) -> pd.Series:
    """Numbers as text: whole numbers as their digits without ``.0`` (42.0 -> "42", 1e20 -> "100000000000000000000",
    exactly the double's value, also beyond int64), other numbers as the shortest text that reads back the same
    (1.234 -> "1.234")."""
    values = numbers.to_numpy(dtype="float64")
    text = numbers.astype("str").astype("object")
    whole = np.isfinite(values) & (values == np.round(values))
    small = whole & (np.abs(values) < 2.0**63)
    text[small] = numbers[small].astype("int64").astype("str").astype("object")
    large = np.flatnonzero(whole & ~small)  # a few at most: ids of more than 19 digits written as numbers
    text.iloc[large] = [str(int(value)) for value in values[large]]
    return text


# --- preparing a sheet -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Check:
    """The rows one rule sets aside in one column (their reasons, by position) and the problem to report."""

    reasons: pd.Series
    problem: Problem


def _examples(values: pd.Series, limit: int = 3) -> str:
    return ", ".join(str(value) for value in pd.unique(values.astype("str"))[:limit])


def _flag(bad: pd.Series, column: str, reason: str, key: str, shown: pd.Series, quote: bool = True) -> _Check | None:
    """A check for the rows where ``bad``, with reason ``"<column>: <reason> ('<value>')"`` for each, the value
    taken from ``shown`` (or just the reason when ``quote`` is false; ``shown`` then only gives the examples)."""
    bad = bad.fillna(False).astype(bool)
    if not bad.any():
        return None
    examples = shown[bad].astype("str")
    text = f"{column}: {reason}"
    reasons = text + " ('" + examples + "')" if quote else pd.Series(text, index=examples.index, dtype="str")
    problem = Problem(key, "warning", {"column": column, "rows": int(bad.sum()), "examples": _examples(examples)})
    return _Check(reasons.astype("str"), problem)


def _check_column(
    values: pd.Series, column: str, column_type: str, required: bool, today: pd.Timestamp, row_labels: pd.Series
) -> tuple[pd.Series, list[_Check], list[Problem]]:
    """Coerce one canonical column by its type; return the coerced values, the failed checks, info problems."""
    checks: list[_Check | None] = []
    infos: list[Problem] = []
    failed = pd.Series(False, index=values.index)
    if column_type in ("id", "text", "category"):
        coerced = coerce_strings(values)
        if column_type == "category":
            coerced = coerced.str.lower()
            unknown = coerced.notna() & ~coerced.isin(CATEGORIES)
            reason = f"not one of {', '.join(CATEGORIES)}"
            checks.append(_flag(unknown, column, reason, "data_unknown_category", values))
    elif column_type == "date":
        result = coerce_dates(values)
        coerced, failed = _whole_days(result.values), result.failed
        checks.append(_flag(failed, column, "not a date", "data_not_a_date", values))
        early = coerced < EARLIEST_DATE
        if early.any():
            checks.append(_flag(early, column, f"before {EARLIEST_DATE:%Y-%m-%d}", "data_date_too_early",
                                _date_text(coerced)))
        future = coerced > today
        if future.any():
            day = coerced.dt.strftime("%Y-%m-%d")
            checks.append(_flag(future, column, "in the future", "data_future_dates", day))
    else:
        result = coerce_numbers(values)
        coerced, failed = result.values, result.failed
        checks.append(_flag(failed, column, "not a number", "data_not_a_number", values))
        finite = pd.Series(np.isfinite(coerced.to_numpy(dtype="float64", na_value=np.nan)), index=coerced.index)
        infinite = coerced.notna() & ~finite
        checks.append(_flag(infinite, column, "not a finite number", "data_not_finite", coerced))
        limit = MAX_AMOUNT if column_type in ("money", "cost") else MAX_QUANTITY
        if column_type in ("money", "cost", "quantity", "count"):
            too_large = finite & (coerced.abs() > limit)
            checks.append(_flag(too_large, column, f"larger than {limit:,.0f}", "data_too_large", coerced))
        if column_type == "fraction":
            present = coerced[finite]
            if len(present) and ((present > 1) & (present <= 100)).all():
                coerced = coerced / 100
                infos.append(Problem("data_margin_percent", "info", {"column": column}))
        whole = coerced == np.round(coerced)
        rules = {
            "count": [(~whole, "not a whole number", "data_not_whole_number"),
                      (coerced < 0, "negative", "data_negative_values")],
            "score": [(~whole, "not a whole number", "data_not_whole_number"),
                      ((coerced < 0) | (coerced > 10), "outside 0-10", "data_score_out_of_range")],
            "cost": [(coerced < 0, "negative", "data_negative_values")],
            "fraction": [((coerced < 0) | (coerced > 1), "outside 0-1", "data_margin_out_of_range")],
        }
        for bad, reason, key in rules.get(column_type, []):  # an infinite value has its own reason above
            checks.append(_flag(bad & coerced.notna() & finite, column, reason, key, coerced))
    if required:
        missing = coerced.isna() & ~failed
        checks.append(_flag(missing, column, "missing", "data_missing_values", row_labels, quote=False))
    return coerced, [check for check in checks if check is not None], infos


def _date_text(dates: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` text, also for years before 1 or after 9999 (which strftime cannot write)."""
    years = dates.dt.year.astype("Int64").astype("str")
    return years + "-" + dates.dt.strftime("%m-%d").astype("str").where(dates.notna(), "")


def _whole_days(dates: pd.Series) -> pd.Series:
    """``dates`` without their time of day; the column itself (no copy) when no value has one."""
    ticks = dates.to_numpy().view("int64")
    if not (ticks % (86_400 * 10**6)).any():  # DATE_DTYPE counts microseconds; a NaT takes the normalize path
        return dates
    return dates.dt.normalize()


def _final_dtype(column_type: str, required: bool) -> str | None:
    if column_type == "count" or (column_type == "score" and not required):
        return "Int64"
    return "int64" if column_type == "score" else None


def prepare_sheet(frame: pd.DataFrame, kind: str, *, today: dt.date | None = None) -> Prepared:
    """Coerce a mapped sheet to the types of :data:`SHEETS` and set aside the rows that cannot be used.

    Text in number and date columns is parsed (either decimal mark; the common date formats); dates lose their
    time of day. A row is set aside, with a ``reason``, when a required value is missing, a value does not parse,
    a date lies after ``today`` (default: the current date), a score is outside 0-10 or not whole, a margin is
    outside [0, 1], a cost or count is negative, or a category is not one of :data:`CATEGORIES`. A margin column
    whose values all lie in (1, 100] is read as percent and divided by 100 (info problem). Negative transaction
    amounts are returns: kept, with a warning. Exact duplicate rows are kept, with an info problem. A missing
    required column is an error problem; the columns present are still checked. Columns that are not canonical
    for ``kind`` are dropped.

    ``frame`` keeps its index (``read_table`` names it ``row_number``: the line in the file). ``rejected`` holds
    the rejected rows' input values, then ``row_number`` when the index is so named (or a ``row_number`` column
    was given), then ``reason``.
    """
    spec = _spec(kind)
    if "row_number" in frame.columns:
        frame = frame.set_index("row_number")
    today_stamp = pd.Timestamp(today if today is not None else dt.date.today()).normalize()
    present = [name for name in spec.columns if name in frame.columns]
    labelled = frame.index.name == "row_number"
    source = frame[present].reset_index(drop=True)
    row_labels = pd.Series(frame.index if labelled else np.arange(1, len(frame) + 1))  # text only where shown

    coerced: dict[str, pd.Series] = {}
    checks: list[_Check] = []
    infos: list[Problem] = []
    for name in present:
        required = name in spec.required
        coerced[name], column_checks, column_infos = _check_column(
            source[name], name, spec.types[name], required, today_stamp, row_labels
        )
        checks += column_checks
        infos += column_infos

    reasons = pd.Series([], dtype="str")
    if checks:
        reasons = pd.concat([check.reasons for check in checks]).groupby(level=0).agg("; ".join)
    bad = np.asarray(source.index.isin(reasons.index))
    # concat keeps one block per column; the DataFrame constructor would copy all number columns into one block
    good = pd.concat(coerced, axis=1) if coerced else pd.DataFrame(index=source.index)
    if bad.any():
        good = good[~bad]
    dtypes = {name: _final_dtype(spec.types[name], name in spec.required) for name in present}
    good = good.astype({name: dtype for name, dtype in dtypes.items() if dtype})
    good.index = frame.index[~bad] if bad.any() else frame.index

    rejected = frame.loc[bad, present].reset_index(drop=not labelled)
    if labelled:
        rejected = rejected[present + ["row_number"]]
    rejected["reason"] = pd.Series(reasons.reindex(np.flatnonzero(bad)).to_numpy(), dtype="str")

    problems = missing_column_problems(frame, kind) + [check.problem for check in checks] + infos
    codes = {name: TextCodes.of(good[name]) for name in good.columns if _is_text(good[name])}
    problems += _kept_row_problems(good, spec, codes)
    if not len(good):
        problems.append(Problem("data_no_rows", "error", {"rows": len(frame)}))
    pa.default_memory_pool().release_unused()  # the checks' scratch Arrow buffers: give them back, not pooled
    return Prepared(good, rejected, tuple(problems), codes)


def _is_text(column: pd.Series) -> bool:
    """Whether ``column`` holds text (ids, products, categories): not numbers, true/false or dates."""
    return not (
        is_numeric_dtype(column.dtype) or is_bool_dtype(column.dtype) or is_datetime64_any_dtype(column.dtype)
    )


def _kept_row_problems(good: pd.DataFrame, spec: SheetSpec, codes: Mapping[str, TextCodes]) -> list[Problem]:
    """Findings about rows that are kept: negative amounts (returns), no positive amount at all (an error: returns
    alone are no purchases) and exact duplicates."""
    problems = [Problem("data_no_purchases", "error", {"column": name}) for name in _no_purchases(good, spec)]
    for name in good.columns:
        if spec.types[name] == "money":
            negative = good[name] < 0
            if negative.any():
                total = float(good.loc[negative, name].sum())
                params = {"column": name, "rows": int(negative.sum()), "total": total}
                problems.append(Problem("data_negative_amounts", "warning", params))
    duplicates = _duplicate_rows(good, codes)
    if duplicates:
        problems.append(Problem("data_duplicate_rows", "info", {"rows": duplicates}))
    return problems


def _no_purchases(frame: pd.DataFrame, spec: SheetSpec) -> list[str]:
    """The money columns (transaction amounts) of a frame with rows in which no amount is positive."""
    return [name for name in frame.columns if spec.types.get(name) == "money" and len(frame)
            and not (frame[name] > 0).any()]


def _duplicate_rows(frame: pd.DataFrame, codes: Mapping[str, TextCodes]) -> int:
    """Rows equal to an earlier row in every column.

    A 64-bit key per row (text columns by their ``codes``, numbers and dates by their bits) finds the candidates
    without a Python object per cell; only rows whose key repeats are then compared exactly.
    """
    if frame.empty:
        return 0
    key = np.zeros(len(frame), dtype="uint64")
    with np.errstate(over="ignore"):
        for name in frame.columns:
            column = frame[name]
            if name in codes:
                bits = codes[name].codes.astype("uint64")  # −1 (missing) wraps to 2**64 − 1 ...
                bits += np.uint64(1)  # ... and to 0 here: every value its code + 1, in one array
            elif is_datetime64_any_dtype(column.dtype):  # prepared dates are naive: a view of their int64
                bits = column.to_numpy().view("int64").view("uint64")
            else:  # numbers, nullable ones too (a missing one as NaN)
                bits = column.to_numpy(dtype="float64", na_value=np.nan).view("uint64")
            key = key * np.uint64(0x9E3779B97F4A7C15) + bits + np.uint64(0x632BE59BD9B4E019)
    ordered = np.sort(key)  # a sorted copy instead of a hash table: a quarter of the memory at 10 M rows
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not repeated.size:
        return 0
    candidates = np.isin(key, repeated)
    return int(frame[candidates].duplicated().sum())


def missing_column_problems(frame: pd.DataFrame, kind: str) -> list[Problem]:
    """An error problem for each required column of sheet ``kind`` that ``frame`` lacks."""
    return [
        Problem("data_missing_column", "error", {"column": name})
        for name in _spec(kind).required
        if name not in frame.columns
    ]


def unusable_sheet_problems(frame: pd.DataFrame, kind: str) -> list[Problem]:
    """Why a prepared sheet of ``kind`` cannot be used, as "error" problems: each required column it lacks
    (``data_missing_column``), for a frame without a single row ``data_no_rows``, and for transactions whose amounts
    are all returns (none positive) ``data_no_purchases``. Empty when it can be used. ``frame`` may also be a table
    read by path (anything with ``columns``); its rows are not looked at."""
    problems = missing_column_problems(frame, kind)
    if isinstance(frame, pd.DataFrame) and frame.empty:
        problems.append(Problem("data_no_rows", "error", {"rows": 0}))
    elif isinstance(frame, pd.DataFrame):
        problems += [Problem("data_no_purchases", "error", {"column": name})
                     for name in _no_purchases(frame, _spec(kind))]
    return problems


def validate_transactions(frame: pd.DataFrame) -> list[Problem]:
    """Plain-language problems of a mapped transactions table, for the UI (never raises for bad data).

    The same findings as :func:`prepare_sheet`: missing required columns, values that are not numbers or dates,
    future dates, negative amounts (returns), duplicates, and so on.
    """
    return list(prepare_sheet(frame, "transactions").problems)


def _spec(kind: str) -> SheetSpec:
    if kind not in SHEETS:
        raise ValueError(f"Unknown sheet kind {kind!r}; expected one of {', '.join(SHEETS)}")
    return SHEETS[kind]
