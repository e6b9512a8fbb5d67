"""The Segments page's charts: where the value is (retention against CLV, one bubble per segment) and where one
more point of retention pays most (Reichheld's +5 pp per segment). Segment names are user text: escaped for Plotly."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention_views.charts.common import PALETTE, figure, money_axis
from retention_views.formats import format_kind, format_money, format_number, format_percent
from retention_views.texts import translator

#: Net value's colours: losses red, gains green, 0 white in between (a diverging scale centred on 0).
NET_VALUE_SCALE = [[0.0, PALETTE["bad"]], [0.5, "#f7f7f7"], [1.0, PALETTE["good"]]]
UNKNOWN_COLOUR = "#bfc5d2"
"""A bubble whose net value is unknown (no CAC or no retention cost): grey, never the colour of 0."""
LARGEST_BUBBLE = 60
"""Diameter in pixels of the bubble of the segment with the most customers; the others by area."""
SMALLEST_BUBBLE = 6
"""Diameter in pixels of the smallest bubble drawn (Plotly's ``sizemin``)."""
NARROW_PLOT = (300, 360)
"""Width and height in pixels of the value chart's plot area on a phone (390 px wide): the bubble names are
chosen so that none covers another there; a wider screen has room to spare."""
LABEL_FONT = (7.0, 16.0)
"""Pixels a character of a bubble's name takes across (on average) and a line takes down, at Plotly's 12 px."""
MAX_LABELS = 6
"""At most this many bubbles are named on the chart (the most customers first); the others by hover."""


def _plain(name: str) -> str:
    """A segment's name as Plotly text: ``<`` and ``&`` escaped, so Plotly's HTML-like tags stay text."""
    return html.escape(str(name), quote=False)


def placeable(table: pd.DataFrame) -> pd.DataFrame:
    """The segment rows of a segment table (:class:`~retention_views.page_results.segments.SegmentView`) that the
    value chart can place: retention and margin-multiple CLV known (the whole business's row is not a segment)."""
    rows = table[table["kind"] != "whole"]
    return rows[rows["retention_rate"].notna() & rows["margin_multiple_clv"].notna()]


def not_placeable(table: pd.DataFrame) -> list[str]:
    """The segments (names as shown) the value chart leaves out: retention or CLV unknown."""
    placed = set(placeable(table)["segment"])
    return [str(name) for name, kind in zip(table["segment"], table["kind"]) if kind != "whole" and name not in placed]


def segment_value_chart(table: pd.DataFrame, lang: str, currency: str) -> go.Figure:
    """Annual retention (x) against margin-multiple CLV (y), one bubble per segment, its area the customers, its
    colour the net value (red below 0, green above; grey where unknown), with the segment's own 80 % interval of
    its CLV as an error bar when ``table`` has it (``margin_multiple_clv_low``/``_high``). The whole business is a
    cross."""
    tr = translator(lang)
    rows = placeable(table)
    sizes = rows["customers"].to_numpy(dtype=float)
    sizeref = 2.0 * (sizes.max() if len(sizes) else 1.0) / LARGEST_BUBBLE ** 2
    hover = [tr("segments_chart_value_hover", segment=_plain(row.segment),
                retention=format_percent(row.retention_rate, lang),
                clv=format_money(row.margin_multiple_clv, lang, currency, 0),
                customers=format_number(row.customers, lang),
                net=format_kind("money", row.net_value, lang, currency))
             for row in rows.itertuples(index=False)]
    known = rows["net_value"].notna().to_numpy()
    spread = float(np.nanmax(np.abs(rows["net_value"].to_numpy(dtype=float)))) if known.any() else 1.0
    positions = label_positions(rows["retention_rate"].to_numpy(dtype=float),
                                rows["margin_multiple_clv"].to_numpy(dtype=float))
    reach = [rows[column].to_numpy(dtype=float) for column in ("margin_multiple_clv_low", "margin_multiple_clv_high")
             if column in rows.columns]  # the error bars widen the y axis's range
    named = labelled(rows["retention_rate"].to_numpy(dtype=float), rows["margin_multiple_clv"].to_numpy(dtype=float),
                     sizes, [str(name) for name in rows["segment"]], positions, y_reach=reach)
    traces = []
    for is_known in (True, False):
        part = rows[known == is_known]
        if part.empty:
            continue
        marker = {"size": part["customers"], "sizemode": "area", "sizeref": sizeref, "sizemin": SMALLEST_BUBBLE,
                  "line": {"color": "#4a4a4a", "width": 1}}
        if is_known:  # no colour bar: the caption says red below zero, green above, and the hover the figure
            marker.update(color=part["net_value"], colorscale=NET_VALUE_SCALE, cmin=-spread or -1, cmax=spread or 1,
                          showscale=False)
        else:
            marker.update(color=UNKNOWN_COLOUR)
        bars = {}
        if "margin_multiple_clv_low" in part.columns:  # the segment's own 80 % interval of its CLV, where known
            clv = part["margin_multiple_clv"].to_numpy(dtype=float)
            bars = {"error_y": {"type": "data", "symmetric": False, "color": "#8a8a8a", "thickness": 1, "width": 4,
                                "array": part["margin_multiple_clv_high"].to_numpy(dtype=float) - clv,
                                "arrayminus": clv - part["margin_multiple_clv_low"].to_numpy(dtype=float)}}
        traces.append(dict(type="scatter", mode="markers+text", x=part["retention_rate"], **bars,
                           y=part["margin_multiple_clv"],
                           text=[_plain(name) if keep else "" for name, keep in zip(part["segment"],
                                                                                    named[known == is_known])],
                           textposition=list(positions[known == is_known]), marker=marker,
                           name=tr("segments_chart_known" if is_known else "segments_chart_unknown_net"),
                           hovertext=[text for text, keep in zip(hover, known == is_known) if keep],
                           hovertemplate="%{hovertext}<extra></extra>", cliponaxis=False))
    whole = table[table["kind"] == "whole"]
    if not whole.empty and whole["retention_rate"].notna().all() and whole["margin_multiple_clv"].notna().all():
        traces.append(dict(type="scatter", mode="markers", x=whole["retention_rate"], y=whole["margin_multiple_clv"],
                           marker={"symbol": "x", "size": 12, "color": PALETTE["primary"]},
                           name=tr("segments_row_whole"), hovertemplate=tr("segments_row_whole")
                           + "<extra></extra>"))
    spread_x = float(rows["retention_rate"].max() - rows["retention_rate"].min()) if len(rows) else 1.0
    y_ends = [rows["margin_multiple_clv"].to_numpy(dtype=float), *reach,
              whole["margin_multiple_clv"].to_numpy(dtype=float)]
    widest = max((len(format_money(value, lang, currency, 0)) for value in np.concatenate(y_ends)
                  if np.isfinite(value)), default=6)
    return figure(traces, tr("segments_chart_value_title"), lang, tr("segments_chart_retention_axis"),
                  tr("segments_chart_clv_axis", currency=currency),
                  xaxis={"tickformat": ".1%" if spread_x < 0.1 else ".0%", **_FIXED_AXIS},
                  yaxis={**money_axis(lang, currency), **_FIXED_AXIS}, hovermode="closest", height=480,
                  margin={"b": AXIS_TITLE_ROOM, "l": AXIS_TITLE_ROOM + round(LABEL_FONT[0] * (widest + 1)),
                          "r": 20})


AXIS_TITLE_ROOM = 50
"""Pixels beside the plot for an axis's tick labels' height (below) or its title (left) and their gaps."""
_FIXED_AXIS = {"automargin": False, "ticklabeloverflow": "allow"}
"""An axis whose margin is set from its labels here: Streamlit draws a changed chart anew (its element's identity
is the figure's), and Plotly's automatic margins measure every tick label and draw the chart a second time when
they move; its default for a numeric axis also measures each tick label to hide one past the chart's edge."""




def labelled(x: np.ndarray, y: np.ndarray, customers: np.ndarray, names: list[str], positions: np.ndarray,
             y_reach: list[np.ndarray] = ()) -> np.ndarray:
    """Which bubbles carry their name on the value chart: the most customers first, at most :data:`MAX_LABELS`,
    each only where its name would cover neither a name placed before it nor another bubble on a phone's plot
    (:data:`NARROW_PLOT`; names above or below their bubble as ``positions`` say; ``y_reach``: further values the
    y axis spans, the error bars' ends). The others are named by hover (the page's caption says so), so a cluster
    of small segments stays legible."""
    count = len(x)
    chosen = np.zeros(count, dtype=bool)
    if not count:
        return chosen
    width, height = NARROW_PLOT
    char, line = LABEL_FONT

    def pixels(values: np.ndarray, extent: float, *reach: np.ndarray) -> np.ndarray:
        spanned = np.concatenate([values, *reach])
        low, high = float(np.nanmin(spanned)), float(np.nanmax(spanned))
        span = (high - low) or 1.0
        return (values - low) / span * extent * 0.9  # Plotly pads the range by some 5 % each side

    across, down = pixels(x, width), -pixels(y, height, *y_reach)  # screen y grows downwards
    radius = np.maximum(np.sqrt(customers / (customers.max() or 1.0)) * LARGEST_BUBBLE / 2, SMALLEST_BUBBLE / 2)
    bubbles = [(across[index] - radius[index], across[index] + radius[index], down[index] - radius[index],
                down[index] + radius[index]) for index in range(count)]

    def overlaps(box: tuple, other: tuple) -> bool:
        return box[0] < other[1] and other[0] < box[1] and box[2] < other[3] and other[2] < box[3]

    names_placed = []
    for index in np.argsort(-customers, kind="stable"):
        if len(names_placed) == MAX_LABELS:
            break
        half = len(names[index]) * char / 2
        top = (down[index] - radius[index] - line if positions[index] == "top center"
               else down[index] + radius[index])
        box = (across[index] - half, across[index] + half, top, top + line)
        if any(overlaps(box, other) for other in names_placed) or any(
                overlaps(box, bubble) for other, bubble in enumerate(bubbles) if other != index):
            continue
        names_placed.append(box)
        chosen[index] = True
    return chosen


def label_positions(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Where each bubble's name goes: above it, unless its nearest neighbour along x lies higher, then below, so
    two neighbours' names point away from each other instead of one printing into the other's bubble."""
    positions = np.full(len(x), "top center", dtype=object)
    for index in range(len(x)):
        others = np.delete(np.arange(len(x)), index)
        if not len(others):
            break
        nearest = others[np.argmin(np.abs(x[others] - x[index]))]
        if y[nearest] > y[index]:
            positions[index] = "bottom center"
    return positions


def segment_uplift_chart(uplift: pd.DataFrame, lang: str, currency: str) -> go.Figure:
    """Per segment, what five more points of annual retention add to a new customer's value (money per new
    customer; :func:`retention_core.segments.uplift_by_segment`), largest on top; the whole business in its own
    colour. Segments where the effect cannot be computed are left out (the page says which)."""
    tr = translator(lang)
    rows = uplift[uplift["value_change"].notna()].sort_values("value_change")
    colours = [PALETTE["primary"] if kind == "whole" else PALETTE["good"] if change >= 0 else PALETTE["bad"]
               for kind, change in zip(rows["kind"], rows["value_change"])]
    texts = [format_money(change, lang, currency, 0) for change in rows["value_change"]]
    hover = [tr("segments_chart_uplift_hover", segment=_plain(row.segment),
                before=format_percent(row.retention_before, lang), after=format_percent(row.retention_after, lang),
                change=format_money(row.value_change, lang, currency),
                relative=format_percent(row.relative_change, lang) if pd.notna(row.relative_change) else "–")
             for row in rows.itertuples(index=False)]
    bar = dict(type="bar", orientation="h", x=rows["value_change"], y=[_plain(name) for name in rows["segment"]],
               marker={"color": colours}, text=texts, textposition="outside", cliponaxis=False, hovertext=hover,
               hovertemplate="%{hovertext}<extra></extra>", showlegend=False)
    names = max((len(str(name)) for name in rows["segment"]), default=8)
    return figure([bar], tr("segments_chart_uplift_title"), lang, tr("segments_chart_uplift_axis", currency=currency),
                  "", xaxis={**money_axis(lang, currency), **_FIXED_AXIS}, yaxis={"type": "category", **_FIXED_AXIS},
                  hovermode="closest", height=max(260, 60 + 30 * len(rows)),
                  margin={"b": AXIS_TITLE_ROOM, "l": min(MAX_NAME_ROOM, 16 + round(LABEL_FONT[0] * names)), "r": 40})


MAX_NAME_ROOM = 220
"""Pixels at most for the segments' names left of the uplift chart's bars (a longer name is cut at the edge; the
hover and the table name it whole)."""


def unplaced(uplift: pd.DataFrame) -> list[str]:
    """The segments (names as shown) whose +5 pp effect is unknown: retention or margin unknown, or retention
    above 95 % (no room for five more points)."""
    return [str(name) for name, kind, change in zip(uplift["segment"], uplift["kind"], uplift["value_change"])
            if kind != "whole" and pd.isna(change)]
