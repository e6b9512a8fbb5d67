"""The house style every chart shares: the palette, the locale's separators, money axes, and :func:`figure`, which
builds a figure from trace and layout dicts in one ``go.Figure`` call."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from retention_views.formats import format_period

PALETTE = {
    "primary": "#1f5f8b",
    "secondary": "#e07b39",
    "good": "#2a9d8f",
    "bad": "#c8553d",
    "neutral": "#8d99ae",
    "band": "rgba(42, 157, 143, 0.15)",
    "team": "#1f5f8b",
    "tools": "#8ab6d6",
    "engagement": "#e07b39",
}
SCENARIO_COLOURS = ("#1f5f8b", "#e07b39", "#2a9d8f", "#8d99ae")  # A, B, then any further ones
SEPARATORS = {"de": ",.", "en": ".,"}
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "CHF": "CHF", "GBP": "£"}


def money_axis(lang: str, currency: str) -> dict:
    symbol = CURRENCY_SYMBOLS[currency]
    if lang == "de":
        return {"ticksuffix": f"\u00a0{symbol}", "tickformat": ",.0f"}
    return {"tickprefix": symbol if len(symbol) == 1 else f"{symbol}\u00a0", "tickformat": ",.0f"}


GRID = "#ebf0f8"
"""Grid and axis-line colour of Plotly's "plotly_white" look, written into each figure's axes by :func:`figure`:
giving every figure the whole template instead re-validates the template on every figure. Untemplated parts
follow the renderer's default (Streamlit's chart theme in the app, Plotly's in the exported report)."""


def figure(traces: list[dict], title: str, lang: str, x_title: str = "", y_title: str = "", *,
            xaxis: Mapping | None = None, yaxis: Mapping | None = None, **layout) -> go.Figure:
    """``traces`` (Plotly trace dicts) in the house style, built in one ``go.Figure`` call.

    The style is the translated title, the locale's separators, white background, the legend above the plot and
    ``GRID`` on both axes with the axis titles. ``xaxis`` / ``yaxis`` are the chart's own axis settings (tick
    format, range ...; one the style also sets, such as ``automargin``, is the chart's); ``layout`` any further layout settings (``height``, ``shapes``, ``barmode`` ...): a dict
    given for a styled one (``legend``, ``margin``) is merged into it, as ``update_layout`` would, anything else
    replaces the style's value.

    Why one call: Plotly validates the whole figure once when it is constructed from dicts, but again on every
    ``update_layout`` / ``update_xaxes`` / ``add_shape`` / ``add_annotation`` afterwards, and a trace object
    (``go.Bar``) is validated once when made and again when put into the figure. One call gives the same
    ``to_plotly_json()`` as the update calls for a fraction of their cost; a CLV slider rerun builds five.
    The charts here have one x and one y axis; a chart with more (``yaxis2``) needs the grid styling in each.
    """
    grid = {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID, "automargin": True}
    style = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "separators": SEPARATORS[lang],
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 10, "r": 10, "t": 90, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        "hovermode": "x unified",
        "height": 380,
        "xaxis": {"title": {"text": x_title}, **grid, **(xaxis or {})},
        "yaxis": {"title": {"text": y_title}, **grid, "zerolinewidth": 2, **(yaxis or {})},
    }
    for key, value in layout.items():
        style[key] = {**style[key], **value} if isinstance(value, dict) and key in style else value
    return go.Figure(data=traces, layout=style)


_ANNOTATION_ANCHORS = {"top": ("center", "bottom"), "top right": ("left", "top"), "top left": ("right", "top")}


def vline(x: float, colour: str, dash: str | None = None, width: float = 2, text: str | None = None,
           position: str = "top right") -> tuple[dict, dict | None]:
    """A vertical line over the whole plot height at ``x``, labelled at the top as Plotly's ``add_vline`` does:
    the shape and its annotation (None without ``text``), to put into a figure's ``shapes`` and ``annotations``.

    Given as layout entries: ``add_vline`` looks up every axis of the figure first and validates the figure again,
    which costs more than the rest of a small chart (a CLV slider rerun builds several).
    """
    shape = {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
             "line": {"color": colour, "width": width, "dash": dash}}
    if text is None:
        return shape, None
    xanchor, yanchor = _ANNOTATION_ANCHORS[position]
    return shape, {"x": x, "xref": "x", "y": 1, "yref": "paper", "text": text, "showarrow": False,
                   "xanchor": xanchor, "yanchor": yanchor}


def period_labels(starts: pd.Series | list, period: str, lang: str) -> list[str]:
    """Readable period names: ``Q3 2024`` / ``Jul 2024`` / ``2024``."""
    return [format_period(pd.Timestamp(start), period, lang) for start in starts]


STEP_LABEL_WIDTH = 16
"""Characters per line of a step's label under a bar: five steps of two such lines fit a phone's width."""


def step_labels(labels: list[str], width: int = STEP_LABEL_WIDTH) -> list[str]:
    """Category labels broken into lines of at most ``width`` characters (Plotly's ``<br>``), so that a narrow chart
    stacks the words instead of slanting them and squeezing the plot. A word longer than ``width`` stays whole."""
    return ["<br>".join(textwrap.wrap(label, width, break_long_words=False)) or label for label in labels]
