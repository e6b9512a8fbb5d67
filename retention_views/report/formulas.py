"""The formulas the report cites, read from the docstrings of the functions that compute them.

:data:`REPORT_FORMULAS` are the functions of :mod:`retention_core.metrics` and :mod:`retention_core.revenue` the
report lists; :func:`formula_of` reads each one's summary, ``Formula:`` and ``Reference:`` lines, so report and code
cannot disagree. :func:`formula_title`, :func:`formula_line` and :func:`reader_reference` put them in the reader's
language.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass

from retention_core import metrics, revenue
from retention_views import text_keys
from retention_views.texts import t, translator

REPORT_FORMULAS: tuple[Callable, ...] = (
    metrics.retention_cost_per_customer,
    metrics.annual_retention_rate,
    metrics.margin_per_customer_year,
    metrics.simple_clv,
    metrics.margin_multiple_clv,
    metrics.finite_horizon_clv,
    metrics.lifetime_retention_cost,
    metrics.clv_gap,
    metrics.net_value,
    metrics.break_even_retention_spend,
    metrics.clv_to_cac,
    metrics.tenure_profit_value,
    metrics.retention_uplift,
    revenue.net_revenue_retention,
    revenue.gross_revenue_retention,
    revenue.bridge_ending,
)


@dataclass(frozen=True)
class Formula:
    """One formula as its docstring states it: function name, one-line summary, formula line and reference."""

    name: str
    summary: str
    formula: str
    reference: str


def formula_of(function: Callable) -> Formula:
    """Read summary, ``Formula:`` and ``Reference:`` sections from a metrics function's docstring.

    Raises ``ValueError`` naming the function when its docstring lacks a ``Formula:`` line: every formula the
    report cites must state itself.
    """
    doc = inspect.getdoc(function) or ""
    sections: dict[str, list[str]] = {}
    current = None
    for line in doc.splitlines():
        head, _, rest = line.partition(":")
        if head in ("Formula", "Reference", "Units") and rest.startswith(" "):
            current = head
            sections[current] = [rest.strip()]
        elif not line.strip():
            current = None
        elif current:
            sections[current].append(line.strip())
    if "Formula" not in sections:
        raise ValueError(f"{function.__name__} has no 'Formula:' line in its docstring")
    return Formula(name=function.__name__, summary=doc.splitlines()[0].strip(),
                   formula=" ".join(sections["Formula"]), reference=" ".join(sections.get("Reference", [])))


_SEED_ARTICLE = re.compile(r"seed article (\d{3})( \([^)]*\))?")
#: The works the formulas cite, as a reader finds them (what the German report lists as its sources).
_CITATION = re.compile(r"Farris et al\. \(2010\)(, §[\d.–]+)?|Reichheld & Sasser \(1990\)|Gupta & Lehmann(?:'s)? "
                       r"\(2003\)|Gallo \(2014\)|SaaS Capital|ChartMogul|Baremetrics|Trustmary \(?2024\)?")


def formula_title(item: Formula, lang: str) -> str:
    """The docstring's one-line summary; in another language its translation."""
    key = text_keys.REPORT_FORMULA_TITLE.get(item.name)
    return t(key, lang) if lang != "en" and key else item.summary


def formula_line(item: Formula, lang: str) -> str:
    """The docstring's formula line, translated where it has words (the English text is the docstring's, a test
    keeps them equal); symbols stay as they are."""
    key = text_keys.REPORT_FORMULA_LINE.get(item.name)
    return t(key, lang) if key else item.formula


def reader_reference(reference: str, lang: str) -> str:
    """A docstring's ``Reference:`` for the report's reader: the German source articles by their titles instead of
    the repository's "seed article 000"; in German only the works cited (the notes are English)."""
    tr = translator(lang)
    text = _SEED_ARTICLE.sub(lambda match: tr(text_keys.REPORT_SEED.get(match.group(1), "report_seed_other")),
                             reference)
    if lang == "en":
        return text
    works = []
    for match in _CITATION.finditer(reference):
        work = match.group(0).replace("Gupta & Lehmann's", "Gupta & Lehmann").rstrip(".")
        if work not in works:
            works.append(work)
    for seed in _SEED_ARTICLE.finditer(reference):
        work = tr(text_keys.REPORT_SEED.get(seed.group(1), "report_seed_other"))
        if work not in works:
            works.append(work)
    return "; ".join(works) or text
