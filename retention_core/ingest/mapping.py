"""Applying the mapping the user confirmed: upload columns renamed to canonical ones, free-text cost categories
mapped to the three retention cost categories.

The flow is ``suggest_mapping`` (:mod:`retention_core.ingest.headers`) -> the user confirms -> ``map_columns``
(rename and keep only the mapped columns) -> ``prepare_sheet`` (:mod:`retention_core.ingest.prepare`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from retention_core.ingest.contract import CANONICAL_NAMES, CATEGORIES
from retention_core.ingest.headers import normalize_header


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


class SharedColumnError(ValueError):
    """One column of the file chosen for two or more fields; ``column`` and ``fields`` (canonical names) let the
    page say it in the user's language."""

    def __init__(self, column: object, fields: tuple[str, ...]) -> None:
        self.column = column
        self.fields = fields
        super().__init__(f"One column cannot be mapped to two canonical columns: {column!r} -> {' and '.join(fields)}")


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
