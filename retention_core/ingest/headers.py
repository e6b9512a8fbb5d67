"""Guessing which column of an upload is which canonical column, from its header (and a sample of its values).

``suggest_mapping`` proposes a mapping the user confirms on the Data page; ``looks_like`` recognises a sheet
uploaded as the wrong kind; ``looks_like_id`` tells the readers which columns hold identifiers, whose values stay
text even when they look like numbers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from retention_core.ingest.contract import EVENT_SHEETS, SHEETS, sheet_spec
from retention_core.ingest.parsing import coerce_numbers


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
        # the cost sheets' segment: what the spend was for (a channel, a customer group)
        "segment": (
            "Segment", "Kundensegment", "Kanal", "Vertriebskanal", "Akquisekanal", "Akquisitionskanal",
            "Marketingkanal", "Werbekanal", "Zielgruppe", "Kundengruppe", "Channel", "Customer Segment",
            "Marketing Channel", "Acquisition Channel", "Sales Channel", "Target Group",
        ),
        # the customers sheet's attributes (contract.CUSTOMER_ATTRIBUTES)
        "channel": (
            "Kanal", "Vertriebskanal", "Akquisekanal", "Akquisitionskanal", "Verkaufskanal", "Herkunft", "Quelle",
            "Channel", "Sales Channel", "Acquisition Channel", "Source",
        ),
        "region": ("Region", "Gebiet", "Verkaufsgebiet", "Bundesland", "Land", "Area", "Territory", "Country"),
        "customer_type": (
            "Kundentyp", "Kundenart", "Kundengruppe", "Kundenklasse", "Kundensegment", "Customer Type",
            "Customer Group", "Customer Segment", "Segment",
        ),
        "branch": ("Filiale", "Niederlassung", "Standort", "Geschäftsstelle", "Branch", "Store", "Location", "Shop"),
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
    spec = sheet_spec(kind)
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


def looks_like(frame: pd.DataFrame, uploaded_as: str) -> str | None:
    """The other sheet kind whose every required column :func:`suggest_mapping` finds in ``frame``'s headers, when
    the kind it was ``uploaded_as`` does not have all of its own: a cost sheet dropped on the transactions
    uploader. None when the upload fits its own kind or no other kind fits (then the mapping form says which field
    is empty). Only the sheets of events (:data:`EVENT_SHEETS`) are proposed: the customers sheet needs nothing but a
    customer id, which most sheets have."""
    def complete(kind: str) -> bool:
        suggested = suggest_mapping(frame.columns, kind, sample=frame)
        return all(name in suggested for name in SHEETS[kind].required)

    if complete(uploaded_as):
        return None
    return next((kind for kind in EVENT_SHEETS if kind != uploaded_as and complete(kind)), None)
