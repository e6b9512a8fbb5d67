"""A rejected row's reason, as the readers write it (English, canonical column names), in the user's words."""

from __future__ import annotations

import math
import re

import pandas as pd

from retention_views.formats import format_date_pattern


#: The phrases of a rejected row's ``reason`` (written in English by the readers and :func:`prepare_sheet`) in German.
_REASON_PHRASES_DE = (
    (re.compile(r"wrong number of fields: expected (\d+), found (\d+)"),
     r"falsche Zahl von Feldern: \1 erwartet, \2 gefunden"),
    (re.compile(r"malformed line \(([^)]*)\)"), r"fehlerhafte Zeile (\1)"),
    (re.compile(r" \(a carriage return inside a value\)"), " (ein Zeilenumbruch in einem Wert)"),
    (re.compile(r"not a date between (\d+) and (\d+)"), r"kein Datum zwischen \1 und \2"),
    (re.compile(r"not a date \(([^)]*)\)"), lambda match: f"kein Datum ({format_date_pattern(match.group(1), 'de')})"),
    (re.compile(r"not a finite number"), "keine endliche Zahl"),
    (re.compile(r"not a whole number"), "keine ganze Zahl"),
    (re.compile(r"not a number"), "keine Zahl"),
    (re.compile(r"not a date"), "kein Datum"),
    (re.compile(r"larger than ([\d,]+)"), lambda match: "größer als " + match.group(1).replace(",", ".")),
    (re.compile(r"before (\d{4})-(\d{2})-(\d{2})"), r"vor dem \3.\2.\1"),
    (re.compile(r"in the future"), "in der Zukunft"),
    (re.compile(r"outside 0-10"), "nicht zwischen 0 und 10"),
    (re.compile(r"outside 0-1"), "nicht zwischen 0 und 1"),
    (re.compile(r"not one of team, tools, engagement"), "keiner von Team, Tools, Engagement"),
    (re.compile(r"(?<=: )negative\b"), "negativ"),
    (re.compile(r"(?<=: )missing\b"), "leer"),
)


def translate_reason(reason: str | None, lang: str, columns: dict[str, str]) -> str:
    """A rejected row's ``reason`` for the user: the canonical column names replaced by ``columns`` (canonical name
    -> the name the user knows) and, in German, the reader's English phrases translated; ``""`` when missing.

    ``"amount: not a number ('viel')"`` -> ``"Betrag: keine Zahl ('viel')"``. The quoted value is the file's.
    """
    if reason is None or (isinstance(reason, float) and math.isnan(reason)) or pd.isna(reason):
        return ""
    parts = []
    for part in str(reason).split("; "):
        name, colon, rest = part.partition(": ")
        if colon and name in columns:
            part = f"{columns[name]}: {rest}"
        parts.append(part)
    text = "; ".join(parts)
    if lang == "de":
        for pattern, replacement in _REASON_PHRASES_DE:
            text = pattern.sub(replacement, text)
    return text
