"""Exports of one scenario: a table of inputs and results, charts as PNG, and a self-contained HTML report.

Everything is pure and never imports streamlit. Text a user typed (the scenario name) is escaped wherever it
lands: HTML-escaped in the report, formula-escaped in CSV and XLSX (:mod:`retention_views.exports`). The HTML report
inlines plotly.js, so it opens offline; the formulas it lists are read from the docstrings of
:mod:`retention_core.metrics` and :mod:`retention_core.revenue`, so report and code cannot disagree.

PNG rendering uses Kaleido 1.x, which drives a Chrome or Chromium binary; :func:`png_unavailable` says in plain
words when none is found, and :func:`figures_png` raises :class:`PngUnavailable` instead of failing obscurely.
"""

from __future__ import annotations

import asyncio
import html
import inspect
import io
import os
import re
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from retention_core import metrics, revenue
from retention_core.intervals import informative
from retention_views import text_keys
from retention_views.formats import (
    format_interval_range,
    format_kind,
    format_money,
    format_number,
    format_percent,
    format_period,
)
from retention_views.page_results.segments import TABLE_COLUMNS, SegmentView, dimension_name, shown_table
from retention_views.texts import t, translator
from retention_views.url_params import MAX_MONEY, PARAMS
from retention_views.whatif.comparison import outcome_kpis
from retention_views.whatif.outcomes import Outcome

BROWSER_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
PNG_SCALE = 2  # sharp on laptop screens and in slides
PNG_TIMEOUT_S = 60
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


# --- tables of a scenario -------------------------------------------------------------------------------------------


def format_param(key: str, value: object, lang: str, currency: str, period: str) -> str:
    """One scenario value as the pages show it: percent, money, counts, period names, translated choices."""
    tr = translator(lang)
    spec = PARAMS[key]
    if key == "profit_uplift":  # percentage points, as the slider's help says
        return f"{format_number(value * 100, lang, 1)} pp"
    if spec.kind == "fraction":
        return format_percent(value, lang)
    if spec.kind == "number" and spec.high == MAX_MONEY:
        return format_money(value, lang, currency)
    if spec.kind == "number":
        return format_number(value, lang, 1)
    if spec.kind == "integer":
        return format_number(value, lang)
    if spec.kind == "date":
        return format_period(value, period, lang)
    if spec.kind == "profits":
        return "; ".join(f"{year}: {format_money(profit, lang, currency)}" for year, profit in sorted(value.items())) \
            or tr("report_profits_unchanged")
    named = {"app_lang": lambda: {"de": "Deutsch", "en": "English"}[value],
             "app_period": lambda: tr(text_keys.PERIOD[value]),
             "app_activity_months": lambda: tr("sidebar_activity_months", months=value),
             "cost_mode": lambda: tr(text_keys.COST_MODE[value]),
             "segments_dimension": lambda: tr(f"segments_dimension_{value}"),
             "profit_horizon": lambda: tr("profit_horizon_unlimited") if value is None
             else tr("label_years", years=value)}
    return named[key]() if key in named else str(value)


#: Inputs a cost mode does not use: with a cost sheet the typed-in café figures, typed in the sheet's period.
_UNUSED_IN_COST_MODE = {
    "data": ("cost_typed_team", "cost_typed_tools", "cost_typed_engagement", "cost_typed_active", "cost_active_typed",
             "cost_typed_cac"),
    "typed": ("cost_period", "cost_active_data"),
}


def scenario_frame(name: str, values: Mapping[str, object], outcome: Outcome, lang: str, currency: str,
                   period: str, segments: SegmentView | None = None) -> pd.DataFrame:
    """Inputs and results of one scenario as rows: section, item, raw value (fractions, money as numbers), shown;
    a result measured with uncertainty also has its 80 % interval as shown and raw (low, high), else they are empty.
    With ``segments`` (the Segments page's view at the scenario's margin and discount rate) the segment table
    follows, one row per segment and figure (:func:`segment_rows`).

    The first row carries the scenario's name. Raw values are what a spreadsheet should compute with; ``shown`` is
    the text the dashboard displays. Column headers are translated. Inputs the scenario's cost mode does not use
    (the typed-in figures when a cost sheet is used, and the sheet's period when they are typed in) are left out.
    """
    tr = translator(lang)
    rows = [(tr("report_section_scenario"), tr("scenario_name"), name, name)]
    unused = _UNUSED_IN_COST_MODE.get(values.get("cost_mode"), ())
    for key, value in values.items():
        if key not in PARAMS or key == "app_lang" or key in unused:
            continue
        raw = value
        if isinstance(value, dict):
            raw = format_param(key, value, lang, currency, period)
        elif isinstance(value, pd.Timestamp):
            raw = value.strftime("%Y-%m-%d")
        elif value is None:
            raw = ""
        rows.append((tr("report_section_input"), tr(text_keys.PARAM[key]), raw,
                     format_param(key, value, lang, currency, period)))
    rows = [(*row, "", None, None) for row in rows]
    for kpi in outcome_kpis(outcome):
        sure = informative(kpi.interval, kpi.value)
        rows.append((tr("report_section_result"), tr(kpi.key), kpi.value,
                     format_kind(kpi.kind, kpi.value, lang, currency),
                     "" if sure is None else format_interval_range(kpi.kind, sure.low, sure.high, lang, currency),
                     None if sure is None else sure.low, None if sure is None else sure.high))
    if segments is not None:
        rows += segment_rows(segments, lang, currency)
    columns = [tr("report_column_section"), tr("report_column_item"), tr("report_column_value"),
               tr("report_column_shown"), tr("report_column_interval"), tr("report_column_low"),
               tr("report_column_high")]
    return pd.DataFrame(rows, columns=columns)


def segment_rows(view: SegmentView, lang: str, currency: str) -> list[tuple]:
    """The segment table of ``view`` as rows of :func:`scenario_frame`: section "Segmente: <dimension>", item
    "<segment>: <figure>", the raw value (empty where unknown, never 0) and the value as the page shows it."""
    tr = translator(lang)
    section = tr("report_section_segments", dimension=dimension_name(view.dimension, lang))
    rows = []
    table = view.table
    for position, record in enumerate(table.itertuples(index=False)):
        for column, kind in TABLE_COLUMNS:
            value = getattr(record, column)
            known = pd.notna(value)
            low, high = ((table[f"{column}_low"].iloc[position], table[f"{column}_high"].iloc[position])
                         if f"{column}_low" in table.columns else (None, None))
            sure = known and pd.notna(low) and pd.notna(high)
            rows.append((section, f"{record.segment}: {tr(f'segments_column_{column}', currency=currency)}",
                         float(value) if known else None, format_kind(kind, value, lang, currency),
                         format_interval_range(kind, low, high, lang, currency) if sure else "",
                         float(low) if sure else None, float(high) if sure else None))
    return rows


# --- PNG ------------------------------------------------------------------------------------------------------------


class PngUnavailable(RuntimeError):
    """PNG export cannot run here; ``key`` is the text key of the plain-words reason."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key


def browser_path() -> str | None:
    """The Chrome/Chromium Kaleido will use: ``BROWSER_PATH`` if it names a file, else the first one on PATH.

    Kaleido (via choreographer) looks in the same places: the ``BROWSER_PATH`` environment variable, then PATH.
    """
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    for name in BROWSER_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def png_unavailable() -> str | None:
    """None when PNG export can run, else the text key of the reason (Kaleido missing, no browser found)."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return "png_no_kaleido"
    if browser_path() is None:
        return "png_no_browser"
    return None


def figures_png(figures: Sequence[go.Figure], width: int = 1000) -> list[bytes]:
    """Each figure as PNG bytes (``PNG_SCALE`` × ``width`` pixels wide), rendered in one Kaleido browser session.

    Runs in a worker thread with its own event loop (the caller may be inside one) and waits at most
    ``PNG_TIMEOUT_S``. Raises :class:`PngUnavailable` when Kaleido or a browser is missing or rendering fails.
    """
    reason = png_unavailable()
    if reason:
        raise PngUnavailable(reason)
    import kaleido

    async def render() -> list[bytes]:
        async with kaleido.Kaleido(n=1) as session:
            return [await session.calc_fig(figure, opts={"format": "png", "width": width, "scale": PNG_SCALE,
                                                         "height": figure.layout.height or 450})
                    for figure in figures]

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(asyncio.run, render()).result(timeout=PNG_TIMEOUT_S)
    except Exception as error:  # Kaleido raises many kinds (browser crash, timeout); the user needs one message
        raise PngUnavailable("png_failed", f"{type(error).__name__}: {error}") from error
    finally:
        pool.shutdown(wait=False)


def figure_png(figure: go.Figure, width: int = 1000) -> bytes:
    """One figure as PNG bytes; see :func:`figures_png`."""
    return figures_png([figure], width)[0]


def figures_zip(figures: Mapping[str, go.Figure]) -> bytes:
    """A ZIP of one PNG per figure, named ``<name>.png`` (names are file stems chosen by the caller)."""
    images = figures_png(list(figures.values()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, image in zip(figures, images, strict=True):
            archive.writestr(f"{name}.png", image)
    return buffer.getvalue()


def note_zip(message: str) -> bytes:
    """A ZIP holding only ``README.txt`` with ``message`` (what a PNG download gives when rendering failed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", message)
    return buffer.getvalue()


# --- HTML report ----------------------------------------------------------------------------------------------------


def _table(frame: pd.DataFrame, headers: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(str(header))}</th>" for header in headers)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2733; max-width: 1100px;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
.meta { color: #5b6776; } table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid #dde3ea; vertical-align: top; }
td:last-child { font-variant-numeric: tabular-nums; } code { background: #f2f5f8; padding: 0 0.25rem; }
.formula { margin-bottom: 0.8rem; } .reference { color: #5b6776; font-size: 0.9rem; }
"""


def html_report(name: str, subtitle: str, frame: pd.DataFrame, figures: Sequence[go.Figure], lang: str,
                formulas: Sequence[Formula] | None = None, *, segments: SegmentView | None = None,
                currency: str = "EUR") -> str:
    """A self-contained HTML page of one scenario: results, inputs, the segment table, charts (plotly.js inlined)
    and formulas.

    ``frame`` is :func:`scenario_frame` (its section, item and shown columns are used); ``subtitle`` names e.g. the
    data set. Every text is HTML-escaped, the scenario ``name`` and segment names included; ``formulas`` default to
    those of :data:`REPORT_FORMULAS`, read from their docstrings. ``segments``: the Segments page's view, shown as
    its table with its notes (money in ``currency``).
    """
    tr = translator(lang)
    formulas = [formula_of(function) for function in REPORT_FORMULAS] if formulas is None else formulas
    sections = frame.iloc[:, 0]
    results = frame[sections == tr("report_section_result")].iloc[:, [1, 3, 4]]
    inputs = frame[sections == tr("report_section_input")].iloc[:, [1, 3]]
    charts = "".join(
        '<div class="chart">'
        + pio.to_html(figure, full_html=False, include_plotlyjs=False, config={"displaylogo": False})
        + "</div>"
        for figure in figures
    )
    formula_items = "".join(
        f'<div class="formula"><strong>{html.escape(_formula_title(item, lang))}</strong>'
        f"<br><code>{html.escape(_formula_line(item, lang))}</code>"
        f'<div class="reference">{html.escape(tr("report_reference"))}: '
        f"{html.escape(reader_reference(item.reference, lang))}</div></div>"
        for item in formulas
    )
    title = tr("report_title", name=name)
    headers = (tr("report_column_item"), tr("report_column_value"))
    return (
        f'<!DOCTYPE html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f'<h1>{html.escape(title)}</h1><p class="meta">{html.escape(subtitle)}</p>'
        f"<h2>{html.escape(tr('report_results'))}</h2>"
        f"{_table(results, (*headers, tr('report_column_interval')))}"
        f"<p class=\"meta\">{html.escape(tr('report_interval_note'))}</p>"
        f"<h2>{html.escape(tr('report_inputs'))}</h2>{_table(inputs, headers)}"
        f"{_segment_section(segments, lang, currency)}"
        f"<h2>{html.escape(tr('report_charts'))}</h2>{charts}"
        f"<h2>{html.escape(tr('report_formulas'))}</h2><p>{html.escape(tr('report_formulas_intro'))}</p>"
        f"{formula_items}</body></html>"
    )


def _segment_section(view: SegmentView | None, lang: str, currency: str) -> str:
    """The report's segment section: the table as the page shows it, its notes and the pooled labels, escaped."""
    if view is None:
        return ""
    tr = translator(lang)
    shown = shown_table(view.table, lang, currency)
    notes = list(view.notes)
    if view.pooled:
        notes.append(f"{tr('segments_pooled_labels')} {', '.join(view.pooled)}")
    return (f"<h2>{html.escape(tr('report_section_segments', dimension=dimension_name(view.dimension, lang)))}</h2>"
            f"<p>{html.escape(tr('segments_table_caption'))}</p>{_table(shown, shown.columns)}"
            + "".join(f'<p class="meta">{html.escape(note)}</p>' for note in notes))


_SEED_ARTICLE = re.compile(r"seed article (\d{3})( \([^)]*\))?")
#: The works the formulas cite, as a reader finds them (what the German report lists as its sources).
_CITATION = re.compile(r"Farris et al\. \(2010\)(, §[\d.–]+)?|Reichheld & Sasser \(1990\)|Gupta & Lehmann(?:'s)? "
                       r"\(2003\)|Gallo \(2014\)|SaaS Capital|ChartMogul|Baremetrics|Trustmary \(?2024\)?")


def _formula_title(item: Formula, lang: str) -> str:
    """The docstring's one-line summary; in another language its translation."""
    key = text_keys.REPORT_FORMULA_TITLE.get(item.name)
    return t(key, lang) if lang != "en" and key else item.summary


def _formula_line(item: Formula, lang: str) -> str:
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


def file_stem(name: str) -> str:
    """A safe file name stem from a scenario name: letters, digits, ``-`` and ``_`` only, at most 40 characters."""
    stem = "".join(char if char.isascii() and (char.isalnum() or char in "-_") else "_" for char in name.strip())
    stem = "_".join(part for part in stem.split("_") if part)[:40]
    return stem or "scenario"
