"""The HTML report of one scenario: one self-contained page of results, inputs, segments, charts and formulas.

The page inlines plotly.js, so it opens offline, and carries its own style sheet. Every text in it is HTML-escaped,
the scenario's name and the segment names included.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from retention_views.page_results.segments import SegmentView, dimension_name, shown_table
from retention_views.report.formulas import (
    REPORT_FORMULAS,
    Formula,
    formula_line,
    formula_of,
    formula_title,
    reader_reference,
)
from retention_views.texts import translator


def _table(frame: pd.DataFrame, headers: Sequence[str]) -> str:
    """``frame``'s rows as an HTML table under ``headers``, every header and cell escaped."""
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

    ``frame`` is :func:`~retention_views.report.scenario_table.scenario_frame` (its section, item and shown columns
    are used); ``subtitle`` names e.g. the data set. Every text is HTML-escaped, the scenario ``name`` and segment
    names included; ``formulas`` default to those of :data:`REPORT_FORMULAS`, read from their docstrings.
    ``segments``: the Segments page's view, shown as its table with its notes (money in ``currency``).
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
        f'<div class="formula"><strong>{html.escape(formula_title(item, lang))}</strong>'
        f"<br><code>{html.escape(formula_line(item, lang))}</code>"
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
