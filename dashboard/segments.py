"""The Segments page's data: which dimensions the shown data offers, and each dimension's segment bases, made once
per data set and dimension and kept in this session (a slider reads figures off them, never touches a customer).

The labels and bases come from :mod:`retention_core.segments` (:func:`~retention_core.segments.dimension_bases`
with what the aggregates carry: the first orders and the customers sheet, made on first use, and the cost sheets'
segment columns; :func:`~retention_core.segments.by_nps_group` for the survey); the dimensions offered are
:func:`~retention_core.segments.available_dimensions_of` the shown aggregates (an aggregates folder's too), so a
dimension added there appears in the picker without a change here. The chosen dimension is a scenario setting
(``segments_dimension``, in the link), and so is the segment whose customers the customer list shows
(``segments_segment``, free text: a data value).

The table's predictive mean CLV per segment (:func:`predictive`) comes from the customer list's model columns
(:func:`shown_data.customer_list`: no refit), kept per dimension, discount rate and horizon at a margin of 1 and
scaled to the page's margin (it is linear in the margin, as the CLV page's forecast summary), so a margin step reads
it off; the whole business's is the CLV page's card (:func:`shown_data.predictive_forecast`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from dashboard import background, keys, run_counts, session_cache, shown_data, url_sync, warm_up
from dashboard.sidebar import Settings, settings
from retention_core import models, segments
from retention_core.dataset import Aggregates, Dataset
from retention_views import page_results
from retention_views.texts import t

DIMENSION_KEY = "segments_dimension"
SEGMENT_KEY = "segments_segment"
NPS_GROUP = "nps_group"


def survey_has_ids(dataset: Dataset | None) -> bool:
    """Whether the survey sheet names its customers (a ``customer_id`` with at least one value): NPS groups need it."""
    nps = None if dataset is None else dataset.nps
    return nps is not None and "customer_id" in nps.columns and bool(nps["customer_id"].notna().any())


def dimensions(aggs: Aggregates) -> tuple[str, ...]:
    """The dimensions the shown data offers, in the picker's order: those of
    :func:`~retention_core.segments.available_dimensions_of` (only cohort and RFM without the first orders, as for
    an aggregates folder written before them; the customers sheet's attributes), then the NPS group when the
    survey has customer ids."""
    offered = segments.available_dimensions_of(aggs)
    return (*offered, NPS_GROUP) if survey_has_ids(shown_data.shown_dataset()) else offered


def only_summary(offered: tuple[str, ...]) -> bool:
    """Whether ``offered`` holds only the dimensions read off the customer summary (cohort, RFM): the page says
    the first orders are not there (an aggregates folder written before them)."""
    return set(offered) <= set(segments.SUMMARY_DIMENSIONS)


def chosen_dimension(offered: tuple[str, ...]) -> str:
    """The scenario's dimension if the data offers it, else the default (:func:`page_results.default_dimension`;
    a link's dimension this data lacks is dropped and named in the notice)."""
    chosen = url_sync.scenario().get(DIMENSION_KEY)
    if chosen is not None and chosen not in offered:
        url_sync.reject([DIMENSION_KEY])
        chosen = None
    return chosen or page_results.default_dimension(offered)


def dimension_changed(offered: tuple[str, ...]) -> None:
    """``on_change`` of the picker: the choice joins the scenario (and the link) unless it is the default; the
    segment picked for the customer list was one of the old dimension's, so the list shows the whole business."""
    url_sync.remember(DIMENSION_KEY, st.session_state[DIMENSION_KEY], page_results.default_dimension(offered))
    url_sync.remember(SEGMENT_KEY, None, None)


def bases(aggs: Aggregates, dimension: str) -> segments.SegmentBases:
    """The segment bases of ``dimension`` for the shown data, made once per data set and dimension and kept in
    this session (counted as ``segments_bases``: a slider must not make them again); the sample's are every
    session's (:func:`_sample_parts`)."""
    def build() -> segments.SegmentBases:
        run_counts.count_run("segments_bases")
        if shown_data.shows_sample():
            return _sample_parts(dimension).bases
        if (ahead := _made_ahead(dimension, whole=False)) is not None:
            return ahead.bases
        return _bases(aggs, dimension, labels(aggs, dimension) if dimension == NPS_GROUP else None)

    return session_cache.kept(keys.SEGMENT_BASES, (shown_data.content_key(), dimension), build)


def _bases(aggs: Aggregates, dimension: str, nps_labels: pd.DataFrame | None) -> segments.SegmentBases:
    if dimension == NPS_GROUP:
        return segments.segment_bases(aggs.customers, nps_labels, aggs.basis)
    return segments.dimension_bases(aggs, dimension)  # the cost sheets' segment columns where they fit


def labels(aggs: Aggregates, dimension: str):
    """The label table of ``dimension`` (:mod:`retention_core.segments`), made once per data set and dimension and
    kept in this session for the dimension shown last (the predictive means and the customer list read it; the
    page needs it on every run); the sample's are every session's (:func:`_sample_parts`)."""
    def build():
        if shown_data.shows_sample():
            return _sample_parts(dimension).labels
        if (ahead := _made_ahead(dimension, whole=False)) is not None:
            return ahead.labels
        return _labels(aggs, dimension, shown_data.shown_dataset())

    return session_cache.kept(keys.SEGMENT_LABELS, (shown_data.content_key(), dimension), build)


def _labels(aggs: Aggregates, dimension: str, dataset: Dataset):
    if dimension == NPS_GROUP:
        return segments.by_nps_group(dataset.nps, as_of=aggs.basis.as_of)
    if dimension in segments.SUMMARY_DIMENSIONS:
        return segments.assign(dimension, aggs.customers)
    if segments.customer_attribute_of(dimension) is not None:
        return segments.assign(dimension, aggs.customers, customer_attributes=aggs.customer_attributes)
    return segments.assign(dimension, aggs.customers, aggs.first_orders)  # made on first use, then kept


def view(aggs: Aggregates, dimension: str, values: dict, s: Settings, *, with_predictive: bool = True,
         with_intervals: bool = True) -> page_results.SegmentView:
    """The segment view of ``dimension`` at the scenario's gross margin, discount rate and horizon (``values``:
    the resolved scenario, :func:`dashboard.inputs.plan`), with the predictive mean CLV per segment
    (:func:`predictive`) unless ``with_predictive`` is False (a table that does not show it, or not yet), and each
    row's own 80 % intervals (:func:`replicates`) unless ``with_intervals`` is False (not yet). Kept in this
    session for the last few scenarios, so a slider moved back to a value it had reads the view off."""
    margin, discount, years = values["clv_gross_margin"], values["clv_discount_rate"], values["clv_horizon"]

    def build() -> page_results.SegmentView:
        return page_results.segment_view(
            bases(aggs, dimension), dimension, gross_margin=margin, annual_discount_rate=discount,
            horizon_years=years, lang=s.lang,
            predictive=predictive(aggs, dimension, values) if with_predictive else None,
            intervals=segments.segment_intervals(replicates(aggs, dimension), gross_margin=margin,
                                                 annual_discount_rate=discount) if with_intervals else None)

    return session_cache.kept(keys.SEGMENT_VIEWS, (shown_data.content_key(), dimension, margin, discount, years,
                                                   s.lang, with_predictive, with_intervals), build)


def replicates(aggs: Aggregates, dimension: str) -> segments.SegmentReplicates:
    """Each segment's bootstrap replicates (:func:`segments.segment_replicates`, the whole's are the aggregates'),
    made once per data set and dimension and kept in this session (counted as ``segments_replicates``); a slider
    move reads the intervals off them by closed forms (:func:`segments.segment_intervals`)."""
    def build() -> segments.SegmentReplicates:
        run_counts.count_run("segments_replicates")
        if shown_data.shows_sample():
            return _sample_parts(dimension).replicates
        if (ahead := _made_ahead(dimension, whole=True)) is not None:
            return ahead.replicates
        return segments.segment_replicates(aggs.customers, labels(aggs, dimension), bases(aggs, dimension),
                                           whole=aggs.basis_replicates)

    return session_cache.kept(keys.SEGMENT_REPLICATES, (shown_data.content_key(), dimension), build)


@dataclass(frozen=True)
class DimensionParts:
    """What :func:`labels`, :func:`bases` and :func:`replicates` give for one dimension: of the embedded sample for
    every session (:func:`_sample_parts`), of an upload made ahead (:func:`parts_ahead`; ``replicates`` None in the
    part it hands out first)."""

    labels: pd.DataFrame
    bases: segments.SegmentBases
    replicates: segments.SegmentReplicates | None
    predictive: PredictiveAhead | None = None


@dataclass(frozen=True)
class PredictiveAhead:
    """An upload's predictive mean CLV per segment made ahead (:func:`parts_ahead`): the ``rows`` of
    :func:`predictive` at a margin of 1 for the ``scenario``'s discount rate and horizon in months, and the plain
    ``customers`` list they were read off (:func:`shown_data.customer_list`)."""

    scenario: tuple[float, int]
    customers: segments.CustomerList
    rows: pd.DataFrame


def parts_ahead(aggs: Aggregates) -> None:
    """Start making what the Segments page's first visit reads of the shown upload in the background
    (:mod:`dashboard.background`), once per data set: the segments' first use (each customer's first order, the
    customers sheet matched: a pass over the orders), then the scenario's dimension's label table and bases (handed
    out first: the page's table) and its replicates (the intervals), then the NPS groups' (the page's NPS table),
    each dimension a job. A session's background jobs run one after the other, in the order started (the forecast
    first, :func:`shown_data.aggregates_for`), so the scenario's dimension's job also reads the predictive mean CLV
    per segment off the forecast (:class:`PredictiveAhead`), at the scenario's discount rate and horizon. The page
    takes the parts over (:func:`_made_ahead`); nothing for the sample (its parts are every session's) or data
    without an annual basis (the page has no table)."""
    if shown_data.shows_sample() or aggs.basis is None:
        return
    data_key, offered = shown_data.content_key(), dimensions(aggs)
    chosen = url_sync.scenario().get(DIMENSION_KEY)
    first = chosen if chosen in offered else page_results.default_dimension(offered)
    inputs, dataset = aggs.segment_inputs, shown_data.shown_dataset()
    forecast = background.future((keys.FORECAST_BASES, data_key))
    for dimension in dict.fromkeys((first, *((NPS_GROUP,) if NPS_GROUP in offered else ()))):
        job = (keys.SEGMENT_PARTS_AHEAD, data_key, dimension)
        if background.has(job) or (data_key, dimension) in session_cache.entries(keys.SEGMENT_REPLICATES):
            continue

        def build(progress, publish, dimension: str = dimension) -> DimensionParts:
            def first_part(part: DimensionParts) -> None:
                publish(part)
                progress(2, 4)

            if inputs is not None and dimension != NPS_GROUP:
                inputs.made()
            progress(1, 4)  # the first orders, the labels and bases, the replicates, the predictive means
            parts = _dimension_parts(aggs, dimension, dataset, first_part)
            progress(3, 4)
            if forecast is None or dimension == NPS_GROUP:
                return parts
            return replace(parts, predictive=_predictive_ahead(aggs, forecast, parts.labels, parts.bases))

        background.start(job, build)


def _predictive_ahead(aggs: Aggregates, forecast, labelled: pd.DataFrame,
                      made: segments.SegmentBases) -> PredictiveAhead | None:
    """:func:`predictive`'s rows for the scenario the forecast job made its first part for (its ``forecast``
    future's result, there: it ran before; the whole basis, that scenario, its summary); None without a scenario or
    when the forecast failed or was cancelled — the page then makes them."""
    if not forecast.done() or forecast.exception() is not None:
        return None
    basis, scenario, _ = forecast.result()
    if scenario is None:
        return None
    plain = segments.customer_list(aggs.customers, aggs.predictive, basis)
    rows = segments.predictive_mean_clv(plain.with_labels(labelled), segments.customer_values(plain, 1.0, *scenario),
                                        min_customers=made.min_customers)
    return PredictiveAhead(scenario, plain, rows)


def _made_ahead(dimension: str, *, whole: bool) -> DimensionParts | None:
    """What :func:`parts_ahead` made of the shown upload's ``dimension``, waiting for it under a progress bar while
    it is being made: the label table and bases as soon as they are there, with ``whole`` the replicates too. The
    whole is taken into this session's caches at once (the job is then forgotten). None without such a job, or
    when it failed (the page then makes the parts itself)."""
    job = (keys.SEGMENT_PARTS_AHEAD, shown_data.content_key(), dimension)
    if not background.has(job):
        return None
    made = background.result(job, t("status_segments_ahead", settings().lang),
                             None if whole else lambda part: True)
    if made is not None and made.replicates is not None:
        cached = (shown_data.content_key(), dimension)
        session_cache.kept(keys.SEGMENT_LABELS, cached, lambda: made.labels)
        session_cache.kept(keys.SEGMENT_BASES, cached, lambda: made.bases)
        session_cache.kept(keys.SEGMENT_REPLICATES, cached, lambda: made.replicates)
        if (ahead := made.predictive) is not None:
            session_cache.kept(keys.CUSTOMER_LISTS, (shown_data.content_key(), None), lambda: ahead.customers)
            session_cache.kept(keys.SEGMENT_PREDICTIVE, (*cached, *ahead.scenario), lambda: ahead.rows)
    return made


@st.cache_resource(max_entries=16, ttl=24 * 3600, show_spinner=False)
def _sample_parts(dimension: str) -> DimensionParts:
    """The sample's label table, segment bases and replicates of ``dimension``, made once for every session (the
    sample is the same for everybody; a few small tables and 4,000 labels) from the period-free parts of its
    aggregates (:func:`shown_data.sample_aggregates`: every period's share them). The default dimension's and the
    NPS groups' are made by the server's start-up work (:func:`warm_sample`), so a first visit finds them."""
    return _dimension_parts(shown_data.sample_aggregates(), dimension, shown_data.sample_dataset())


def _dimension_parts(aggs: Aggregates, dimension: str, dataset: Dataset,
                     publish: Callable[[DimensionParts], None] = lambda part: None) -> DimensionParts:
    """``dimension``'s label table, bases and replicates of ``aggs`` (of ``dataset``), as :func:`labels`,
    :func:`bases` and :func:`replicates` make them; ``publish`` gets the label table and bases before the replicates
    are made (a background job hands them out first). Needs no session."""
    labelled = _labels(aggs, dimension, dataset)
    made = _bases(aggs, dimension, labelled)
    publish(DimensionParts(labelled, made, None))
    return DimensionParts(labelled, made, segments.segment_replicates(aggs.customers, labelled, made,
                                                                      whole=aggs.basis_replicates))


def warm_sample(pause: Callable[[], None] = lambda: None) -> None:
    """Make what a first visit of the Segments page reads of the sample, for every session: the default
    dimension's and the NPS groups' :class:`DimensionParts` (the page's table and intervals, its NPS table). For the
    server's start-up work (:mod:`dashboard.warm_up`), outside any session, after
    :func:`shown_data.warm_sample_rest` (the sample's first orders and attributes); ``pause()`` before each part."""
    offered = segments.available_dimensions_of(shown_data.sample_aggregates())
    pause()
    _sample_parts(page_results.default_dimension(offered))
    if survey_has_ids(shown_data.sample_dataset()):
        pause()
        _sample_parts(NPS_GROUP)


PREDICTIVE, INTERVALS = "predictive", "intervals"


def waiting(aggs: Aggregates, dimension: str) -> frozenset[str]:
    """What of ``dimension``'s table is still to be made in this session and takes long on a large upload: the
    predictive mean CLV column (``PREDICTIVE``: a model to forecast with, but no forecast basis yet; seconds) and
    the segments' own intervals (``INTERVALS``: no replicates of the dimension yet). The page shows its table and
    charts first without them (the column "computing …", :func:`table` with ``pending``) and completes them at
    the end of the same run. On the embedded sample the intervals never wait: its replicates take a tenth of a
    second (the default dimension's and the NPS groups' are made for every session by the server's start-up work,
    :func:`warm_sample`), less than sending the table and the value chart twice costs the browser; nor does the
    predictive column once that work has made the sample's forecast basis
    (:func:`dashboard.warm_up.sample_rest_made`); nor do an upload's intervals once the background has made them
    (:func:`parts_ahead`). While the background still makes them (with the predictive means), both wait: the
    table and charts come from the part it handed out first, not after the whole."""
    fitted = aggs.predictive
    sample = shown_data.shows_sample()
    job = (keys.SEGMENT_PARTS_AHEAD, shown_data.content_key(), dimension)
    if background.done(job):
        _made_ahead(dimension, whole=True)  # made in the background: into the caches, nothing waits for it
    waits = set()
    if fitted is not None and fitted.reason is None and (
            background.has(job)  # still making the predictive means (after the intervals)
            or not (shown_data.forecast_basis_kept() or (sample and warm_up.sample_rest_made()))):
        waits.add(PREDICTIVE)
    if not sample and (shown_data.content_key(), dimension) not in session_cache.entries(keys.SEGMENT_REPLICATES):
        waits.add(INTERVALS)
    return frozenset(waits)


def predictive(aggs: Aggregates, dimension: str, values: dict) -> page_results.PredictiveMeans:
    """The predictive mean CLV of each segment row of ``dimension`` and of the whole business at ``values``'s
    margin, discount rate and horizon (:class:`page_results.PredictiveMeans`), or why there is none.

    Per segment: :func:`segments.predictive_mean_clv` of the labelled customer list at a margin of 1, kept per data
    set, dimension, discount rate and horizon (counted as ``segments_predictive``), times the margin; the whole
    business: the CLV page's predictive mean CLV at the same settings."""
    fitted = aggs.predictive
    if fitted is None or fitted.reason is not None:
        return page_results.PredictiveMeans(reason="not_stored" if fitted is None else fitted.reason,
                                            reason_params={} if fitted is None else models.reason_params(fitted))
    margin, discount, months = values["clv_gross_margin"], values["clv_discount_rate"], 12 * values["clv_horizon"]

    if background.has((keys.SEGMENT_PARTS_AHEAD, shown_data.content_key(), dimension)):
        _made_ahead(dimension, whole=True)  # it may hold these rows: wait for it rather than make them beside it

    def build():
        run_counts.count_run("segments_predictive")
        at_one = segments.customer_values(shown_data.customer_list(aggs), 1.0, discount, months)
        return segments.predictive_mean_clv(shown_data.customer_list(aggs, labels(aggs, dimension)), at_one,
                                            min_customers=bases(aggs, dimension).min_customers)

    rows = session_cache.kept(keys.SEGMENT_PREDICTIVE, (shown_data.content_key(), dimension, discount, months),
                              build)
    whole = shown_data.predictive_forecast(aggs, margin, discount, months).mean_clv
    return page_results.PredictiveMeans(
        rows=rows.assign(predictive_mean_clv=rows["predictive_mean_clv"] * margin), whole=whole)


def picker(offered: tuple[str, ...], s: Settings) -> str:
    """The dimension picker (``segments_dimension``, in the link): the dimensions ``offered``, named in the
    language; returns the chosen one. Its value is set on every run, so a language change keeps the choice."""
    chosen = chosen_dimension(offered)
    st.session_state[DIMENSION_KEY] = chosen
    st.selectbox(s.t("segments_dimension"), offered, key=DIMENSION_KEY, help=s.t("segments_dimension_help"),
                 format_func=lambda dimension: page_results.dimension_name(dimension, s.lang),
                 on_change=dimension_changed, args=(offered,))
    url_sync.mirror(DIMENSION_KEY)
    return chosen


def chosen_segment(choices: tuple[page_results.SegmentChoice, ...]) -> page_results.SegmentChoice:
    """The scenario's segment if the table has it, else the whole business (the first choice; a link's segment this
    data or dimension lacks is dropped and named in the notice, like a dimension)."""
    by_link = {choice.link: choice for choice in choices}
    chosen = url_sync.scenario().get(SEGMENT_KEY)
    if chosen is not None and chosen not in by_link:
        url_sync.reject([SEGMENT_KEY])
        chosen = None
    return by_link[chosen]


_WHOLE = ""
"""The picker's option for the whole business (a choice of None would show as no choice); no link holds it (a
link's text is never empty)."""


def segment_changed() -> None:
    """``on_change`` of the segment picker: a segment joins the scenario (and the link); the whole business
    leaves it."""
    url_sync.remember(SEGMENT_KEY, st.session_state[SEGMENT_KEY] or None, None)


def segment_picker(aggs: Aggregates, dimension: str, s: Settings) -> page_results.SegmentChoice:
    """The customer list's segment picker (``segments_segment``, in the link): the whole business, then every row
    of the dimension's table ("other" and "missing" too), named as the table names them; returns the chosen one.
    Segment names are data values: the picker shows them as text. Its value is set on every run, so a language
    change keeps the choice."""
    choices = page_results.segment_choices(bases(aggs, dimension), dimension, s.lang)
    chosen = chosen_segment(choices)
    st.session_state[SEGMENT_KEY] = chosen.link or _WHOLE
    names = {choice.link or _WHOLE: choice.name for choice in choices}
    st.selectbox(s.t("segments_customers_of"), list(names), key=SEGMENT_KEY, format_func=names.__getitem__,
                 help=s.t("segments_customers_of_help"), on_change=segment_changed)
    url_sync.mirror(SEGMENT_KEY)
    return chosen


def table(frame, s: Settings, key: str, columns: tuple[str, ...] = page_results.PAGE_COLUMNS, *,
          pending: bool = False) -> None:
    """A segment table (:attr:`page_results.SegmentView.table`, or rows of it) as the page shows it
    (:func:`page_results.shown_table`): the segment's name pinned on the left, the key figures first
    (:data:`page_results.PAGE_COLUMNS`), each interval in brackets after its value (the caption says what they
    hold), unknown figures "–", the whole business's row shaded; with ``pending`` the predictive mean CLV column
    says "computing …" (its forecast is still being made, :func:`waiting`). Segment names are cells of
    a table: shown as text, never as Markdown."""
    shown = page_results.shown_table(frame, s.lang, s.currency, columns, short_intervals=True)
    predictive = s.t("segments_column_predictive_mean_clv", currency=s.currency)
    if pending and predictive in shown.columns:
        shown[predictive] = s.t("segments_predictive_pending")
    whole = frame["kind"].eq("whole").to_numpy()
    styled = shown  # a Styler costs Streamlit a pass over every cell on each rerun: only for the row it shades
    if whole.any():
        shade = pd.DataFrame("", index=shown.index, columns=shown.columns)
        shade.loc[whole] = "background-color: #eef3f8; font-weight: bold"
        styled = shown.style.apply(lambda _: shade, axis=None)
    name = shown.columns[0]
    config = {name: st.column_config.TextColumn(name, pinned=True)}
    if predictive in shown.columns:  # the one CLV of today's customers among those of a new one: said where it is
        config[predictive] = st.column_config.TextColumn(predictive,
                                                         help=s.t("segments_column_predictive_mean_clv_help"))
    st.dataframe(styled, hide_index=True, key=key, column_config=config)


def export_view(aggs: Aggregates, values: dict, s: Settings) -> page_results.SegmentView | None:
    """The segment view the exports carry: the chosen dimension (the default when the link's is not offered) at
    ``values``'s margin, discount rate and horizon (a scenario's resolved values); None without an annual basis."""
    if aggs.basis is None or "clv_horizon" not in values:
        return None
    offered = dimensions(aggs)
    chosen = url_sync.scenario().get(DIMENSION_KEY)
    return view(aggs, chosen if chosen in offered else page_results.default_dimension(offered), values, s)
