"""Every visible text in German and English, read from one data file per language (``locales/de.toml``,
``locales/en.toml``).

A page binds a :class:`Translator` to its language once (``tr = translator(lang)``) and asks it for texts by key:
``tr("data_dialect_parquet", rows=1)``. :func:`t` is the same lookup with the language passed each time, for code that
holds no translator (a domain problem rendering its own message). Placeholders are ``str.format`` names (``{rows}``);
``{rows|Zeile|Zeilen}`` is the plural choice: the singular when ``rows`` is one, else the plural form. German and
English both have just these two forms, and keeping them inside the sentence lets one text hold several choices
(``1 Wert … ist keine Zahl …; diese Zeile wurde …``) where separate ``key.one`` / ``key.other`` entries would
repeat the sentence.

A missing key raises ``KeyError`` (a page never shows an empty label); a missing parameter raises ``KeyError`` too.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

LANGUAGES = ("de", "en")
LOCALE_DIR = Path(__file__).with_name("locales")

_PLURAL = re.compile(r"\{(\w+)\|([^|{}]*)\|([^|{}]*)\}")


@cache
def table(lang: str) -> Mapping[str, str]:
    """The texts of ``lang`` by key, in the file's order, read once per process (read-only)."""
    if lang not in LANGUAGES:
        raise KeyError(lang)
    with (LOCALE_DIR / f"{lang}.toml").open("rb") as file:
        return MappingProxyType(tomllib.load(file))


def has(key: str) -> bool:
    """Whether ``key`` has a text (both locale files hold the same keys)."""
    return key in table(LANGUAGES[0])


def keys() -> tuple[str, ...]:
    """Every key, in the order of the locale files."""
    return tuple(table(LANGUAGES[0]))


def template(key: str, lang: str) -> str:
    """The text for ``key`` in ``lang`` as written, placeholders unfilled; ``KeyError`` when it is missing."""
    return table(lang)[key]


def placeholders(text: str) -> set[str]:
    """The parameter names ``text`` uses: ``{rows}`` and the plural choice ``{rows|Zeile|Zeilen}`` both name
    ``rows``."""
    return {name for _, name, _, _ in string.Formatter().parse(_PLURAL.sub(r"{\1}", text)) if name}


def _is_one(count: object) -> bool:
    """Whether a count, as a number or as the text a caller formatted (``"1"``), is exactly one."""
    return str(count).strip() in ("1", "1.0")


def t(key: str, lang: str, **params: object) -> str:
    """The text for ``key`` in ``lang`` with ``params`` filled in; a missing key raises ``KeyError``.

    ``{rows|Zeile|Zeilen}`` in a text is the singular when the parameter ``rows`` is one, else the plural form:
    ``"{rows} {rows|Zeile|Zeilen} gelesen"`` gives ``1 Zeile gelesen`` and ``2 Zeilen gelesen``.
    """
    text = template(key, lang)
    if not params:
        return text
    text = _PLURAL.sub(lambda match: match.group(2) if _is_one(params[match.group(1)]) else match.group(3), text)
    return text.format(**params)


@dataclass(frozen=True)
class Translator:
    """The texts of one language: ``tr(key, **params)`` is ``t(key, tr.lang, **params)``."""

    lang: str

    def __call__(self, key: str, **params: object) -> str:
        return t(key, self.lang, **params)


def translator(lang: str) -> Translator:
    """A translator bound to ``lang``; ``KeyError`` for a language without a locale file."""
    table(lang)
    return Translator(lang)


def problem_text(problem: object, lang: str) -> str:
    """The text of what the domain reports (a ``Problem`` or a ``LoadError``: a ``key`` with ``params``) in
    ``lang``."""
    return t(problem.key, lang, **problem.params)
