"""What the pages ask of the data shown: its aggregates, the facts scenarios need, forecasts, cohort projections and
charts, each computed once and kept.

The data shown is the user's upload when the sidebar says so, else the data the app was started on
(:mod:`dashboard.source`), else the embedded sample. Per-user results (an upload's aggregates, forecasts, charts)
live only in this session (:mod:`dashboard.session_cache`); the global caches here hold the sample's, which are the
same for everybody. Heavy jobs on an upload wait their turn in the server's :mod:`dashboard.work_queue`; an upload's
forecast is made in the background right after its aggregation (:mod:`dashboard.background`), while the Overview is
read.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Hashable
from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import background, keys, session_cache
from dashboard import source as started_on
from dashboard.sidebar import DEFAULT_SETTINGS as SAMPLE_DEFAULT
from dashboard.sidebar import settings, way_back
from dashboard.work_queue import in_turn, queued
from retention_core import models, segments
from retention_core.dataset import ACTIVITY_MONTHS, Aggregates, Dataset, aggregate, dataset_problems, predictive_models
from retention_core.engines import QueryTimeout
from retention_core.queries import PERIODS
from retention_views import text_keys, whatif
from retention_views.texts import t, translator
import sample_data as sample

_LOG = logging.getLogger(__name__)
#: The message for each problem of :func:`dataset_problems` on a page (all take {sheet} and {field}).
_SHEET_PROBLEMS = {"data_missing_column": "error_sheet_field_missing", "data_no_rows": "error_sheet_no_rows",
                   "data_no_purchases": "error_sheet_no_purchases"}


@st.cache_data(max_entries=1, ttl=24 * 3600, show_spinner=False)
def _sample_dataset() -> Dataset:
    return sample.load_sample()


@st.cache_resource(max_entries=len(PERIODS) * len(ACTIVITY_MONTHS), ttl=24 * 3600, show_spinner=False)
def _sample_aggregates(period: str, activity_months: int) -> Aggregates:
    """The sample's aggregates without the BG/NBD and Gamma-Gamma fits (``predictive`` None; the Overview shows no
    model and need not wait for them, see :func:`_sample_aggregates_with_fits`); another period or window than the
    sidebar's default takes the default's period-free parts (customers, annual basis, tenure) over instead of
    computing them again.

    One object for every session (not a copy per call, as ``st.cache_data`` would make): nothing changes aggregates
    after :func:`aggregate`, and so the parts that are made on first use (the first orders, the customers sheet's
    attributes: :class:`~retention_core.dataset.SegmentInputs`, which locks for that) are made when a page needs
    them, not before the first page can be shown."""
    default = (SAMPLE_DEFAULT[keys.PERIOD], SAMPLE_DEFAULT[keys.ACTIVITY])
    reuse = None if (period, activity_months) == default else _sample_aggregates(*default)
    return aggregate(_sample_dataset(), period, activity_months, reuse=reuse, fit_models=False)


@st.cache_resource(max_entries=1, ttl=24 * 3600, show_spinner=False)
def _sample_fits() -> models.PredictiveModels:
    """The sample's BG/NBD and Gamma-Gamma fits (:func:`predictive_models`: those :func:`aggregate` makes), once."""
    return predictive_models(_sample_dataset())


@st.cache_resource(max_entries=len(PERIODS) * len(ACTIVITY_MONTHS), ttl=24 * 3600, show_spinner=False)
def _sample_aggregates_with_fits(period: str, activity_months: int) -> Aggregates:
    """:func:`_sample_aggregates` with the fits: what :func:`aggregate` returns for the sample."""
    return replace(_sample_aggregates(period, activity_months), predictive=_sample_fits())


@st.cache_resource(max_entries=1, ttl=24 * 3600, show_spinner=False)
def _sample_forecast_basis() -> models.ForecastBasis:
    """The forecast basis of the sample's fits (:func:`forecast_basis`), once for every session: the CLV page and
    the Segments page's predictive column read it."""
    return models.forecast_basis(_sample_fits())


@st.cache_data(max_entries=len(PERIODS) * len(ACTIVITY_MONTHS), ttl=24 * 3600, show_spinner=False)
def _sample_facts(period: str, activity_months: int) -> whatif.DataFacts:
    return whatif.data_facts(_sample_aggregates(period, activity_months))


def _sample_aggregates_in_progress(period: str, activity_months: int, build: Callable[[str, int], object]):
    """``build(period, activity_months)`` of the sample under a progress message: the first of a server's sessions
    aggregates the sample (seconds on a loaded machine) and would otherwise see an empty page. The message shows
    only when the work takes longer than half a second, not on the cached runs after."""
    with st.spinner(t("status_aggregating_sample", settings().lang)):
        return build(period, activity_months)


def warm_sample_first_view() -> None:
    """Compute what the first view of the sample needs into the server's caches: the aggregates (without the fits)
    and scenario facts of the sidebar's default period and window, all the frame and the Overview read.

    This and :func:`warm_sample_rest` are for the server's start (:mod:`dashboard.warm_up`), outside any session:
    the sample is the same for every user, and nothing of an upload is touched. A session that asks for an entry
    still being computed waits for it (Streamlit's caches compute each entry once)."""
    _sample_facts(SAMPLE_DEFAULT[keys.PERIOD], SAMPLE_DEFAULT[keys.ACTIVITY])


def warm_sample_rest(pause: Callable[[], None] = lambda: None) -> None:
    """Compute what the other pages need of the sample (after :func:`warm_sample_first_view`): the BG/NBD and
    Gamma-Gamma fits and their forecast basis (the CLV page, Segments), the first orders and customers sheet's
    attributes (Segments), then the other periods' aggregates and facts (a switch of the sidebar's period then finds
    them); ``pause()`` before each step (the start-up work waits there while a visitor's page runs)."""
    activity_months = SAMPLE_DEFAULT[keys.ACTIVITY]
    pause()
    default = _sample_aggregates_with_fits(SAMPLE_DEFAULT[keys.PERIOD], activity_months)
    if default.segment_inputs is not None:
        pause()
        default.segment_inputs.made()
    pause()
    _sample_forecast_basis()
    for period in PERIODS:
        pause()
        _sample_facts(period, activity_months)
        _sample_aggregates_with_fits(period, activity_months)


def sample_dataset() -> Dataset:
    """The embedded sample's sheets (read once per server), for work on the sample outside a session."""
    return _sample_dataset()


def sample_aggregates() -> Aggregates:
    """The sample's aggregates of the sidebar's default period and window, without the fits: for the sample's
    period-free parts made once for every session (every period's aggregates share its customers and annual
    basis), also outside a session."""
    return _sample_aggregates(SAMPLE_DEFAULT[keys.PERIOD], SAMPLE_DEFAULT[keys.ACTIVITY])


def shows_sample() -> bool:
    """Whether the data shown is the embedded sample (no upload shown, the app not started on other data)."""
    return _shown_upload() is None and started_on.configured() is None


def _shown_upload() -> Dataset | None:
    """The user's prepared upload when the sidebar shows it, else None (the embedded sample is shown)."""
    if settings().source == "upload":
        return st.session_state.get(keys.DATASET)
    return None


def current_aggregates(*, with_fits: bool = True) -> Aggregates:
    """Aggregates of the current data set for the sidebar's period, computed once and reused by every slider.

    ``with_fits=False``: for a page that shows no BG/NBD or Gamma-Gamma model (the Overview, Retention cost, Profit,
    Cohorts, Loyalty), their fits may be missing (``predictive`` None): on the sample its first view then does not
    wait for them (the server's start-up work makes them a few seconds after the first page). An upload's aggregates
    and those of the data the app was started on always carry them."""
    chosen = settings()
    return aggregates_for(chosen.period, chosen.activity_months, with_fits=with_fits)


def aggregates_for(period: str, activity_months: int, *, with_fits: bool = True) -> Aggregates:
    """Aggregates of the current data set for ``period`` and activity window (a saved scenario may use others);
    ``with_fits`` as for :func:`current_aggregates`."""
    chosen = settings()
    dataset = _shown_upload()
    if dataset is None:
        return _default_aggregates(period, activity_months, chosen.lang, with_fits)
    earlier = next((aggs for (data_key, *_), aggs in reversed(session_cache.entries(keys.AGGREGATES).items())
                    if data_key == dataset.key), None)
    aggs = session_cache.kept(keys.AGGREGATES, (dataset.key, period, activity_months),
                              lambda: _aggregate_with_progress(dataset, period, activity_months, chosen.lang, earlier))
    _forecast_ahead(aggs, dataset.key)
    from dashboard import segments as segment_data  # it imports this module: here, once it is loaded

    segment_data.parts_ahead(aggs)  # after the forecast: a session's background jobs run in the order started
    _cohort_fits_ahead(aggs, dataset.key)
    return aggs


def facts_for(period: str, activity_months: int) -> whatif.DataFacts:
    """What scenario defaults and bounds need from the current data set, computed once per period and window."""
    if _shown_upload() is None and started_on.configured() is None:
        return _sample_aggregates_in_progress(period, activity_months, _sample_facts)
    return session_cache.kept(keys.FACTS, (_shown_key(), period, activity_months),
                              lambda: whatif.data_facts(aggregates_for(period, activity_months)))


def _aggregate_with_progress(dataset: Dataset, period: str, activity_months: int, lang: str,
                             earlier: Aggregates | None) -> Aggregates:
    """Aggregate an upload inside an ``st.status`` box whose bar names each step while it runs; the period-free
    parts of ``earlier`` (same data, other period) are reused. The box always ends: complete, or as an error when
    aggregating fails; data that :func:`aggregate` refuses (``ValueError``) stop the page with the way back. When
    other sessions' jobs hold the server's work slots, the box first says that the job waits, behind how many, and
    for how long; at the end it says how long it waited."""
    tr = translator(lang)
    problems = dataset_problems(dataset)
    if problems:  # cannot happen through the Data page, which refuses such a sheet; never crash on it either
        unusable_upload("; ".join(tr(_SHEET_PROBLEMS[problem.key], sheet=tr(text_keys.SHEET[kind]),
                                     field=tr(text_keys.COLUMN[problem.params.get("column", "customer_id")]))
                                  for kind, problem in problems), lang)
    incident = None
    with st.status(tr("status_aggregating"), expanded=True) as status:
        bar = st.progress(0.0)

        def progress(step: str, done: int, total: int) -> None:
            bar.progress(done / max(total, 1), text=tr(text_keys.AGGREGATE_STEP[step]))

        waited_for_others = []

        def waiting(text: str) -> None:
            waited_for_others.append(True)
            status.update(label=text, state="running")

        with queued(waiting, lang) as waited:
            if waited_for_others:
                status.update(label=tr("status_aggregating"))
            try:
                result = aggregate(dataset, period, activity_months, reuse=earlier, progress=progress)
            except QueryTimeout:
                status.update(state="error")
                st.error(tr("error_query_timeout"), icon=":material/timer_off:")
                st.stop()
            except ValueError as error:  # aggregate's documented refusal of data it cannot summarise
                incident = secrets.token_hex(4)
                _LOG.warning("An upload could not be aggregated (incident %s)", incident, exc_info=error)
                status.update(label=tr("status_failed"), state="error", expanded=False)
            except Exception:
                status.update(label=tr("status_failed"), state="error", expanded=False)  # no box left spinning
                raise
        if incident is None:
            done = tr("status_aggregated") if waited < 1 else tr("status_aggregated_after_wait",
                                                                  seconds=f"{waited:.0f}")
            status.update(label=done, state="complete", expanded=False)
    if incident is not None:
        unusable_upload(tr("error_data_not_computable", incident=incident), lang)
    return result


def unusable_upload(reason: str, lang: str) -> None:
    """Stop the page with a plain message that the shown upload cannot be used (``reason``) and the way back."""
    tr = translator(lang)
    st.warning(tr("error_data_unusable", reason=reason) + " "
               + tr("error_way_back_upload", source=tr("sidebar_source"), sample=tr("source_sample"),
                    data_page=tr("page_data")), icon=":material/block:")
    way_back(lang, key="data_unusable_show_sample")
    st.stop()


def _forecast_ahead(aggs: Aggregates, data_key: str) -> None:
    """Start making the forecast basis of an upload's usable fits in the background (:mod:`dashboard.background`),
    once per data set: first the months of the scenario's horizon and the forecast summary at its discount rate
    (published as soon as they are made: the CLV page's first view, and any discount rate at that horizon), then the
    other months a year at a time, each year published (a longer horizon waits only for its own months; the whole
    basis serves the Segments page's customer list). The pages take them over with :func:`_forecasts_made_ahead`."""
    fitted = aggs.predictive
    job = (keys.FORECAST_BASES, data_key)
    if (fitted is None or fitted.reason is not None or background.has(job)
            or data_key in session_cache.entries(keys.FORECAST_BASES)):
        return
    values = whatif.resolve(aggs, whatif.what_if_values(st.session_state.get(keys.SCENARIO, {}))).values
    scenario = None
    if "clv_discount_rate" in values and "clv_horizon" in values:
        scenario = (values["clv_discount_rate"], min(12 * values["clv_horizon"], models.MAX_FORECAST_MONTHS))

    def build(progress: Callable[[int, int], None], publish: Callable[[object], None]) -> tuple:
        if scenario is None:
            return models.forecast_basis(fitted, progress=progress), None, None
        bases = models.growing_forecast_bases(fitted, scenario[1], progress=progress)
        basis = next(bases)  # the scenario's horizon: its summary, published with every later part
        summary = models.predictive_clv_summary(fitted, 1.0, *scenario, basis=basis)
        publish((basis, scenario, summary))
        for basis in bases:
            publish((basis, scenario, summary))  # a horizon step a year further finds its months soon
        return basis, scenario, summary

    background.start(job, build)


def _forecasts_made_ahead(months: int | None = None) -> models.ForecastBasis | None:
    """Take what the background made of the shown data's forecast (:func:`_forecast_ahead`) into this session's
    caches, waiting for it under a progress bar while it is being made, and return its basis: the whole one, or with
    ``months`` the first part as soon as it holds that many months (it is not kept: only the whole basis serves
    every horizon). None when there is no such job."""
    data_key = _shown_key()
    made = background.result((keys.FORECAST_BASES, data_key), t("status_forecasting", settings().lang),
                             None if months is None else lambda part: part[0].months >= months)
    if made is None:
        return None
    basis, scenario, summary = made
    if basis.months == models.MAX_FORECAST_MONTHS:
        session_cache.kept(keys.FORECAST_BASES, data_key, lambda: basis)
    if scenario is not None:
        session_cache.kept(keys.FORECASTS, (data_key, *scenario), lambda: summary)
    return basis


def predictive_forecast(aggs: Aggregates, gross_margin: float, annual_discount_rate: float,
                        horizon_months: int) -> models.PredictiveClvSummary:
    """The CLV page's predictive summary: computed once per data set, discount rate and horizon (at margin 1) and
    kept in this session, then rescaled to ``gross_margin``, so the margin slider never touches the customers."""
    key = (_shown_key(), annual_discount_rate, horizon_months)
    made = None if key in session_cache.entries(keys.FORECASTS) else _forecasts_made_ahead(horizon_months)
    summary = session_cache.kept(keys.FORECASTS, key, lambda: models.predictive_clv_summary(
        aggs.predictive, 1.0, annual_discount_rate, horizon_months,
        basis=made if made is not None and made.months >= horizon_months else forecast_basis(aggs)))
    return summary.at_margin(gross_margin)


def forecast_basis(aggs: Aggregates) -> models.ForecastBasis:
    """The :class:`models.ForecastBasis` of the shown data's usable fits (``aggs.predictive``), made once per data
    set and kept in this session: made in the background after an upload's aggregation (:func:`_forecast_ahead`),
    the sample's once for every session (:func:`_sample_forecast_basis`, usually by the server's start-up work),
    else here under a spinner, in the server's work queue."""
    _forecasts_made_ahead()

    def basis() -> models.ForecastBasis:
        lang = settings().lang
        with st.spinner(t("status_forecasting", lang)), in_turn(lang):
            return _sample_forecast_basis() if shows_sample() else models.forecast_basis(aggs.predictive)

    return session_cache.kept(keys.FORECAST_BASES, _shown_key(), basis)


def forecast_basis_kept() -> bool:
    """Whether this session already has the shown data's forecast basis (:func:`forecast_basis`), so a forecast
    costs little now: a page may show its other figures first while it is still to be made. A basis made in the
    background is taken over here once it is there (without waiting)."""
    if background.done((keys.FORECAST_BASES, _shown_key())):
        _forecasts_made_ahead()
    return _shown_key() in session_cache.entries(keys.FORECAST_BASES)


def customer_list(aggs: Aggregates, labels: pd.DataFrame | None = None) -> segments.CustomerList:
    """:func:`segments.customer_list` of the shown data (with the forecast basis when the fits are usable), made
    once per data set and kept in this session; with ``labels`` (a label table of the shown data) the same list with
    its segments, kept per labelling: a page that makes the same label table again on every run finds it."""
    def build() -> segments.CustomerList:
        usable = aggs.predictive is not None and aggs.predictive.reason is None
        return segments.customer_list(aggs.customers, aggs.predictive, forecast_basis(aggs) if usable else None)

    plain_list = session_cache.kept(keys.CUSTOMER_LISTS, (_shown_key(), None), build)
    if labels is None:
        return plain_list
    # the labelling's content: its categories and each row's code (a digest of a byte per customer, not the ids)
    codes = labels["segment"].cat.codes.to_numpy()
    labelling = (tuple(str(label) for label in labels["segment"].cat.categories), len(codes),
                 hashlib.blake2b(codes.tobytes(), digest_size=16).hexdigest())
    return session_cache.kept(keys.CUSTOMER_LISTS, (_shown_key(), labelling),
                              lambda: plain_list.with_labels(labels))


def customer_values(aggs: Aggregates, gross_margin: float, annual_discount_rate: float,
                    horizon_months: int) -> segments.CustomerValues:
    """:func:`segments.customer_values` of the shown data's :func:`customer_list` at a margin, discount rate and
    horizon (no refit), kept in this session for the last few scenarios. In the list's order, so they also go with
    the list with labels (:func:`segments.predictive_mean_clv` of both gives the segments' predictive mean CLV)."""
    return session_cache.kept(
        keys.CUSTOMER_VALUES, (_shown_key(), gross_margin, annual_discount_rate, horizon_months),
        lambda: segments.customer_values(customer_list(aggs), gross_margin, annual_discount_rate, horizon_months))


def cohort_projection(aggs: Aggregates, periods_ahead: int) -> pd.DataFrame:
    """:func:`models.project_cohorts` of the shown data: the sBG fits (:func:`models.fit_cohorts`, one per
    cohort, too slow to repeat on every slider move) are made once per period and window and kept in this session
    (an upload's in the background after its aggregation, :func:`_cohort_fits_ahead`, unless that job has not begun
    when the page needs them); projecting them ``periods_ahead`` periods is quick."""
    job = (keys.COHORT_FITS, _shown_key(), aggs.period, aggs.activity_months)
    if background.not_started(job):  # still behind the session's other jobs: made here, sooner
        background.forget(job)
    ahead = background.result(job, t("status_cohort_fits", settings().lang)) if background.has(job) else None
    return _cohort_fits(_shown_key(), aggs.period, aggs.activity_months, aggs, ahead).project(periods_ahead)


def _cohort_fits_ahead(aggs: Aggregates, data_key: str) -> None:
    """Start making an upload's sBG fits of ``aggs``'s period in the background (:mod:`dashboard.background`), once
    per data set, period and window, after the session's jobs started before (the forecast, the Segments page's
    parts): the Cohorts page's first visit then takes them over (:func:`cohort_projection`)."""
    job = (keys.COHORT_FITS, data_key, aggs.period, aggs.activity_months)
    started = st.session_state.setdefault(keys.COHORT_FITS, set())  # the jobs' keys: a taken job is forgotten
    if job not in started:
        started.add(job)
        background.start(job, lambda progress, publish: models.fit_cohorts(aggs))


@st.cache_resource(scope="session", max_entries=8, show_spinner=False)
def _cohort_fits(data_key: str, period: str, activity_months: int, _aggs: Aggregates,
                 _made: models.CohortFits | None = None) -> models.CohortFits:
    """:func:`models.fit_cohorts` of ``_aggs``, the aggregates of the data ``data_key`` for ``period`` and
    ``activity_months`` (or ``_made``, those fits made in the background): kept for this session by Streamlit (the
    fits draw nothing and need nothing of the session)."""
    return _made if _made is not None else models.fit_cohorts(_aggs)


def _default_aggregates(period: str, activity_months: int, lang: str, with_fits: bool) -> Aggregates:
    """Aggregates of the data the app was started on (``--aggregates`` / ``--data``), else of the sample (with the
    fits, or without: see :func:`current_aggregates`)."""
    tr = translator(lang)
    configured = started_on.configured()
    if configured is None:
        unfitted = _sample_aggregates_in_progress(period, activity_months, _sample_aggregates)
        if not with_fits:
            return unfitted
        with st.spinner(tr("aggregate_step_predictive")):  # shown only when it takes over half a second
            return _sample_aggregates_with_fits(period, activity_months)
    with st.spinner(tr("status_aggregating")):
        try:
            return started_on.aggregates(configured, period, activity_months)
        except started_on.SourceUnavailable as error:
            st.error(tr("error_source_unavailable", path=str(configured.path), reason=str(error)),
                     icon=":material/folder_off:")
            st.stop()


def use_uploaded(dataset: Dataset) -> None:
    """Make ``dataset`` this session's data and switch the source to it (call from a widget callback)."""
    st.session_state[keys.DATASET] = dataset
    session_cache.forget_data()
    background.cancel_all()
    _cohort_fits.clear()  # this session's only
    st.session_state[keys.SOURCE] = "upload"


def figure(aggs: Aggregates, name: str, build: Callable[[], go.Figure], *inputs: Hashable) -> go.Figure:
    """A chart of the shown data that no slider of its page changes, built once per period, window, language,
    currency and ``inputs`` and kept in this session: a slider rerun then only sends it again."""
    chosen = settings()
    key = (_shown_key(), aggs.period, aggs.activity_months, chosen.lang, chosen.currency, name, *inputs)
    return session_cache.kept(keys.FIGURES, key, build)


def dataset_name(lang: str) -> str:
    """What the sidebar says is shown: the uploaded file names, the path given at start or the sample's name."""
    upload = _shown_upload()
    if upload is not None:
        return upload.name
    configured = started_on.configured()
    return t("sample_name", lang) if configured is None else started_on.name(configured)


def shown_dataset() -> Dataset | None:
    """The sheets of the data shown: the upload, or the sample; None for data the app was started on (an
    aggregates folder or an order file read by the server: only its aggregates are at hand)."""
    upload = _shown_upload()
    if upload is not None:
        return upload
    return _sample_dataset() if started_on.configured() is None else None


def content_key() -> str:
    """Content key of the data shown (what the session caches are keyed by)."""
    return _shown_key()


def _shown_key() -> str:
    """Content key of the data shown, without loading the sample just to read its key."""
    upload = _shown_upload()
    if upload is not None:
        return upload.key
    configured = started_on.configured()
    return "sample" if configured is None else configured.key
