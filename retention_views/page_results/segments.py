"""The Segments page: one dimension's segment table with the whole business beside it, the uplift per segment, the
NPS groups' value, and the plain notes on pooling and costs.

Everything is read off :class:`retention_core.segments.SegmentBases` (made once per data set and dimension) at a gross
margin and discount rate (the CLV page's), so a slider move never touches a customer. Every figure is the core's
(:func:`retention_core.segments.segment_figures`, :func:`retention_core.segments.uplift_by_segment`); this module
only picks the columns a page shows, names the rows in the user's language and writes the notes. The page, the
report and the exports call :func:`segment_view`: one path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from retention_core import segments
from retention_core.ingest import CUSTOMER_ATTRIBUTES
from retention_views.formats import format_interval_range, format_number, format_percent
from retention_views import text_keys
from retention_views.texts import has, translator

#: Every dimension a link may name: the core's (:data:`retention_core.segments.DIMENSIONS`), the NPS group, and the
#: customers sheet's attributes. Which of them a data set offers is :func:`retention_core.segments.available_dimensions`
#: (plus the NPS group when the survey has customer ids); a link naming one the data lacks falls back to the first.
SEGMENT_DIMENSIONS = tuple(dict.fromkeys((*segments.DIMENSIONS, "nps_group", *CUSTOMER_ATTRIBUTES)))

#: The dimension the page opens on, the first of these the data offers (else the first offered): how customers came
#: and what they first bought are an owner's first questions, and their segments have new customers of the last 12
#: months, so a CAC and a net value (an old cohort has none).
DEFAULT_PREFERENCE = ("channel", "attribute", "first_product")

#: The columns of the segment table after ``segment`` (the row's name) and ``kind``, with how each is written:
#: ``count``, ``fraction`` (percent), ``money`` or ``ratio`` (:func:`retention_views.formats.format_kind`).
TABLE_COLUMNS = (
    ("customers", "count"),
    ("customer_share", "fraction"),
    ("retention_rate", "fraction"),
    ("repeat_purchase_rate", "fraction"),
    ("average_order_value", "money"),
    ("margin_per_year", "money"),
    ("simple_clv", "money"),
    ("margin_multiple_clv", "money"),
    ("finite_horizon_clv", "money"),
    ("predictive_mean_clv", "money"),
    ("acquisition_cost", "money"),
    ("lifetime_retention_cost", "money"),
    ("clv_gap", "money"),
    ("net_value", "money"),
    ("break_even_retention_spend", "money"),
    ("clv_to_cac", "ratio"),
)

#: The order the Segments page shows the columns in (its table is wide): what an owner reads first – customers,
#: retention, the CLVs and the net value – then what they rest on, so the key figures are on screen without
#: scrolling sideways on a laptop (the segment's name stays pinned on the left). The report and the exports keep
#: :data:`TABLE_COLUMNS`' order.
PAGE_COLUMNS = (
    "customers",
    "retention_rate",
    "margin_multiple_clv",
    "finite_horizon_clv",
    "predictive_mean_clv",
    "net_value",
    "simple_clv",
    "clv_gap",
    "customer_share",
    "repeat_purchase_rate",
    "average_order_value",
    "margin_per_year",
    "acquisition_cost",
    "lifetime_retention_cost",
    "break_even_retention_spend",
    "clv_to_cac",
)

#: The figures a segment's own 80 % interval is shown for (:class:`retention_core.segments.SegmentIntervals`): the
#: table's ``<figure>_low`` and ``<figure>_high`` columns, written beside the value (``144 (80 %: 130–160)``).
INTERVAL_COLUMNS = ("margin_multiple_clv", "clv_gap", "net_value")

#: The figures of the NPS groups side by side (retention, CLV, net value and what they rest on).
NPS_COLUMNS = ("customers", "customer_share", "retention_rate", "margin_per_year", "margin_multiple_clv",
               "finite_horizon_clv", "net_value")

#: Decimals of each kind of figure as a table writes it: money in whole units (order value and margin per
#: customer-year with cents, they are small), percent and ratios with one decimal.
_DIGITS = {"count": 0, "fraction": 1, "money": 0, "ratio": 1}
_CENTS = ("average_order_value", "margin_per_year")

#: Dimensions whose labels are codes the page translates (the others are data values: a product, a year, a channel).
_CODED = {"rfm": "segments_rfm_", "first_order_value": "segments_tier_", "nps_group": "segments_nps_"}


@dataclass(frozen=True)
class PredictiveMeans:
    """The predictive mean CLV (BG/NBD + Gamma-Gamma, the CLV page's) of each segment row and of the whole business
    at the page's margin, discount rate and horizon, or why the model gives none.

    ``rows``: :func:`retention_core.segments.predictive_mean_clv` of the dimension's labels (the rows of
    :func:`retention_core.segments.segment_figures`, in their order); ``whole``: the CLV page's predictive mean CLV
    (:attr:`retention_core.models.PredictiveClvSummary.mean_clv`), so the whole-business row is that card's figure;
    ``reason``: a key of :data:`retention_views.text_keys.PREDICTIVE_REASON` when there is no usable model (then
    ``rows`` and ``whole`` are None), with ``reason_params`` (:func:`retention_core.models.reason_params`).
    """

    rows: pd.DataFrame | None = None
    whole: float | None = None
    reason: str | None = None
    reason_params: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SegmentView:
    """What the Segments page (and the report, the exports) shows for one dimension at one margin and discount rate.

    ``table``: one row per segment and a last row for the whole business (``kind`` "whole"), columns ``segment``
    (the row's name as shown: a data value as it is, a code translated, "other", "missing", "whole business"),
    ``kind`` and :data:`TABLE_COLUMNS`; unknown figures NaN, never 0. ``uplift``: the +5 pp effect per segment
    (:func:`retention_core.segments.uplift_by_segment`) with ``segment`` named like the table. ``notes``: plain
    sentences on what the pooling and the costs mean for this table (no user text in them); ``pooled``: the labels
    pooled into "other", by name in the dimension's order (user text: shown escaped). ``figures``: the core's
    result, for whoever needs more columns.
    """

    dimension: str
    table: pd.DataFrame
    uplift: pd.DataFrame
    notes: tuple[str, ...]
    pooled: tuple[str, ...]
    figures: segments.SegmentFigures


def segment_name(dimension: str, label: object, kind: str, lang: str) -> str:
    """A row's name as shown: a coded label (RFM group, first-order tier, NPS group) translated, a data value as it
    is, and the "other", "missing" and "whole business" rows by name."""
    tr = translator(lang)
    if kind != "segment":
        return tr(f"segments_row_{kind}")
    if dimension in _CODED:
        return tr(_CODED[dimension] + str(label))
    return str(label)


def default_dimension(offered: tuple[str, ...]) -> str:
    """The dimension the page shows until the user picks one: the first of :data:`DEFAULT_PREFERENCE` in
    ``offered``, else the first offered."""
    return next((name for name in DEFAULT_PREFERENCE if name in offered), offered[0])


def dimension_name(dimension: str, lang: str) -> str:
    """A dimension's name in the picker and the report (``Erstes Produkt`` / ``First product``).

    A dimension without a text of its own (one a later sheet brings, named after its column) is called by its
    column's name (``text_keys.COLUMN``), else by itself, so a new dimension never breaks the picker."""
    key = f"segments_dimension_{dimension}"
    if has(key):
        return translator(lang)(key)
    return translator(lang)(text_keys.COLUMN[dimension]) if dimension in text_keys.COLUMN else str(dimension)


def segment_view(bases: segments.SegmentBases, dimension: str, *, gross_margin: float, annual_discount_rate: float,
                 horizon_years: int, lang: str, predictive: PredictiveMeans | None = None,
                 intervals: segments.SegmentIntervals | None = None) -> SegmentView:
    """The segment table of ``dimension`` (``bases``: :func:`retention_core.segments.segment_bases` of its labels)
    at the CLV page's ``gross_margin``, ``annual_discount_rate`` and ``horizon_years``, named in ``lang``.

    ``predictive``: the predictive mean CLV per row at the same margin, discount rate and horizon
    (:class:`PredictiveMeans`); without it the column is unknown ("–"), with a model's reason it is unknown and a
    note says why once. ``intervals``: each row's own intervals (:func:`retention_core.segments.segment_intervals`
    at the same margin and discount rate), as ``<figure>_low`` and ``<figure>_high`` columns of
    :data:`INTERVAL_COLUMNS` (NaN where there is none). Raises ``ValueError`` when the predictive means or the
    intervals are not of the figures' rows (another labelling)."""
    figures = segments.segment_figures(bases, gross_margin=gross_margin, annual_discount_rate=annual_discount_rate,
                                       horizon_years=horizon_years)
    rows = pd.concat([figures.table, figures.whole], ignore_index=True)
    rows["predictive_mean_clv"] = _predictive_column(figures.table, predictive)
    names = [segment_name(dimension, label, kind, lang) for label, kind in zip(rows["segment"], rows["kind"])]
    table = rows[[name for name, _ in TABLE_COLUMNS]].assign(segment=names, kind=rows["kind"])
    table = table[["segment", "kind", *(name for name, _ in TABLE_COLUMNS)]]
    if intervals is not None:
        table = table.assign(**_interval_columns(figures.table, intervals))
    uplift = segments.uplift_by_segment(bases, gross_margin=gross_margin, annual_discount_rate=annual_discount_rate)
    uplift = uplift.assign(segment=names)  # the same rows in the same order: segments, then the whole
    notes = segment_notes(figures, lang, dimension)
    if predictive is not None and predictive.reason is not None:
        tr = translator(lang)
        notes += (tr("segments_note_predictive_none", reason=tr(text_keys.PREDICTIVE_REASON[predictive.reason],
                                                                 **predictive.reason_params)),)
    return SegmentView(dimension=dimension, table=table, uplift=uplift, notes=notes,
                       pooled=tuple(segment_name(dimension, label, "segment", lang) for label in bases.pooled),
                       figures=figures)


def _interval_columns(segment_rows: pd.DataFrame, intervals: segments.SegmentIntervals) -> dict[str, list[float]]:
    """The ``<figure>_low`` and ``<figure>_high`` columns of :data:`INTERVAL_COLUMNS`, segment rows then the whole."""
    if intervals.table["kind"].tolist() != segment_rows["kind"].tolist():
        raise ValueError("the intervals are not of the segment table's rows (another labelling or pooling)")
    rows = pd.concat([intervals.table, intervals.whole], ignore_index=True)
    return {f"{figure}_{end}": rows[f"{figure}_{end}"].astype("float64").tolist()
            for figure in INTERVAL_COLUMNS for end in ("low", "high")}


def _predictive_column(segment_rows: pd.DataFrame, predictive: PredictiveMeans | None) -> list[float]:
    """The predictive mean CLV of each segment row and the whole (last), NaN where unknown."""
    unknown = float("nan")
    if predictive is None or predictive.rows is None:
        return [unknown] * (len(segment_rows) + 1)
    means = predictive.rows
    same = (means["kind"].tolist() == segment_rows["kind"].tolist()
            and [None if pd.isna(label) else str(label) for label in means["segment"]]
            == [None if pd.isna(label) else str(label) for label in segment_rows["segment"]])
    if not same:
        raise ValueError("the predictive means are not of the segment table's rows (another labelling or pooling)")
    whole = unknown if predictive.whole is None else float(predictive.whole)
    return [*means["predictive_mean_clv"].astype("float64").tolist(), whole]


def segment_notes(figures: segments.SegmentFigures, lang: str, dimension: str | None = None) -> tuple[str, ...]:
    """Plain sentences on the table: how many labels went into "other" and why, who is "missing", how the costs
    were split, why retention is unknown when it is, and for RFM groups (scored on today's data) that their
    retention is no forecast (:func:`retention_core.segments.by_rfm`). The sentences hold no user text (the
    pooled labels are :attr:`SegmentView.pooled`, for the page to show as text)."""
    tr = translator(lang)
    bases = figures.bases
    kinds = [kind for _, kind, _ in bases.rows]
    notes = []
    if bases.pooled:
        notes.append(tr("segments_note_other", count=len(bases.pooled), minimum=bases.min_customers,
                        maximum=segments.MAX_SEGMENTS - 1))
    if "missing" in kinds:
        notes.append(tr("segments_note_missing", customers=bases.customer_counts[kinds.index("missing")]))
    notes.append(tr(f"segments_cost_retention_{bases.retention_cost_source}"))
    notes.append(tr(f"segments_cost_acquisition_{bases.acquisition_cost_source}"))
    if figures.unknown_retention is not None:
        notes.append(tr("segments_note_retention_unknown"))
    if dimension == "rfm":
        notes.append(tr("segments_note_rfm"))
    return tuple(notes)


@dataclass(frozen=True)
class SegmentChoice:
    """One row of a segment table as the customer list's segment picker offers it.

    ``link``: how the link names it (``segments_segment``): None for the whole business (the default, not in the
    link), a segment's label as it is (a data value, or the code of a coded label: ``champions``), ``~other`` and
    ``~missing`` for the pooled rows; a label that itself begins with ``~`` gets a second one (``~~x``), so no label
    is mistaken for a pooled row. ``name``: the row's name as the table shows it. ``labels``: the customer list's
    ``segment`` (:func:`retention_core.segments.selected_rows`): None for everyone, a label, or the pooled labels
    (None among them: the customers without a label).
    """

    link: str | None
    name: str
    labels: str | tuple[str | None, ...] | None


def segment_choices(bases: segments.SegmentBases, dimension: str, lang: str) -> tuple[SegmentChoice, ...]:
    """The whole business first, then every row of the segment table of ``bases`` (segments, "other", "missing")
    as :class:`SegmentChoice`, named as :func:`segment_view` names them: whose customers the customer list can
    show. Read off the bases alone (no figure), so a picker costs nothing."""
    choices = [SegmentChoice(None, segment_name(dimension, None, "whole", lang), None)]
    for label, kind, _ in bases.rows:
        name = segment_name(dimension, label, kind, lang)
        if kind == "segment":
            text = str(label)
            choices.append(SegmentChoice("~" + text if text.startswith("~") else text, name, text))
        elif kind == "other":
            choices.append(SegmentChoice("~other", name, tuple(bases.pooled)))
        else:
            choices.append(SegmentChoice("~missing", name, (None,)))
    return tuple(choices)


@dataclass(frozen=True)
class NpsValue:
    """The NPS groups' value side by side and what a detractor costs compared with a promoter.

    ``table``: the promoter, passive and detractor rows of the NPS-group :class:`SegmentView` (those with a row of
    their own) and the "missing" row (customers without a survey answer); ``promoter_clv``, ``detractor_clv``: their
    margin-multiple CLVs (None when unknown or pooled); ``detractor_cost``: promoter CLV − detractor CLV per
    customer (None unless both are known).
    """

    table: pd.DataFrame
    promoter_clv: float | None
    detractor_clv: float | None
    detractor_cost: float | None


def nps_value(view: SegmentView) -> NpsValue:
    """:class:`NpsValue` of the NPS-group view (``view.dimension == "nps_group"``)."""
    if view.dimension != "nps_group":
        raise ValueError(f"nps_value needs the NPS-group view, got the dimension {view.dimension!r}")
    core = view.figures.table
    clv = {label: value for label, kind, value in zip(core["segment"], core["kind"], core["margin_multiple_clv"])
           if kind == "segment" and pd.notna(value)}
    promoter, detractor = clv.get("promoter"), clv.get("detractor")
    cost = None if promoter is None or detractor is None else float(promoter - detractor)
    return NpsValue(table=view.table[view.table["kind"] != "whole"].reset_index(drop=True),
                    promoter_clv=None if promoter is None else float(promoter),
                    detractor_clv=None if detractor is None else float(detractor), detractor_cost=cost)


def shown_table(table: pd.DataFrame, lang: str, currency: str, columns: tuple[str, ...] | None = None, *,
                short_intervals: bool = False) -> pd.DataFrame:
    """A segment table (:attr:`SegmentView.table`, or rows of it) as the page and the report write it: the
    segment's name, then each figure of ``columns`` (default: all of :data:`TABLE_COLUMNS`) as text in the
    language (``1.004``, ``57,5 %``), unknown as "–" (never 0), under a translated header with the currency; a
    figure with its row's interval (``<figure>_low``/``_high`` columns) as ``144 (80 %: 130–160)``: the bounds
    written like the cell (whole units; the header names the currency), ``-17 (80 %: -20 bis -13)`` below zero;
    with ``short_intervals`` as ``144 (130–160)``, for a page whose caption says what the brackets hold.
    Text cells: a missing number would otherwise show as "None" in the app's table."""
    tr = translator(lang)
    written = "interval_value_short" if short_intervals else "interval_value"
    kinds = dict(TABLE_COLUMNS)
    shown = {tr("segments_column_segment"): table["segment"].to_list()}
    for column in columns or tuple(kinds):
        digits = 2 if column in _CENTS else _DIGITS[kinds[column]]
        write = format_percent if kinds[column] == "fraction" else format_number
        cells = [write(value, lang, digits) for value in table[column]]
        if f"{column}_low" in table.columns:  # the row's own 80 % interval beside the value, where there is one
            cells = [cell if pd.isna(value) or pd.isna(low) or pd.isna(high) else tr(
                         written, value=cell,
                         range=format_interval_range("count", low, high, lang, currency))
                     for cell, value, low, high in zip(cells, table[column], table[f"{column}_low"],
                                                       table[f"{column}_high"])]
        shown[tr(f"segments_column_{column}", currency=currency)] = cells
    return pd.DataFrame(shown)
