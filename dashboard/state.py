"""Session state, sidebar settings and data access shared by every page.

Session-state keys are defined here once. Per-user data (uploads, their aggregates) lives only in
``st.session_state``; the global caches hold the embedded sample, which is the same for everybody, and the
server's :class:`WorkQueue`, which lets a few heavy jobs (reading, checking and aggregating an upload, its CLV
forecast) run at once and has the others wait their turn in the order they came, each session with one job at a
time, while their pages say so.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import source as started_on
from retention_core import predictive
from retention_core.dataset import ACTIVITY_MONTHS, Aggregates, Dataset, aggregate, dataset_problems
from retention_core.queries import PERIODS, QueryTimeout
from retention_views import whatif
from retention_views.i18n import CURRENCIES, LANGUAGES, t
import sample_data as sample

LANG = "app_lang"
CURRENCY = "app_currency"
PERIOD = "app_period"
ACTIVITY = "app_activity_months"
SOURCE = "app_source"
UPLOADS = "data_uploads"
RHYTHMS = "data_rhythms"
DATASET = "data_dataset"
AGGREGATES = "data_aggregates"
FACTS = "data_facts"
SCENARIO = "scenario_values"
SAVED_SCENARIOS = "scenario_saved"
LINK_READ = "scenario_link_read"
LINK_CHECKED = "scenario_link_checked"
LINK_REJECTED = "scenario_link_rejected"
SHOWN_LANG = "scenario_shown_lang"
LANG_CHANGED = "scenario_lang_changed"
NUMBER_ERRORS = "scenario_number_errors"
FORECASTS = "data_forecasts"
FORECAST_BASES = "data_forecast_bases"
COHORT_FITS = "data_cohort_fits"
FIGURES = "data_figures"
CALLBACK_ERROR = "app_callback_error"
WORK_OWNER = "work_owner"
BLOCK_RUNS = "app_block_runs"

SOURCES = ("sample", "upload")
SIDEBAR_DEFAULTS = {LANG: "de", CURRENCY: CURRENCIES[0], PERIOD: "quarter", ACTIVITY: ACTIVITY_MONTHS[-1]}
_MAX_AGGREGATES_PER_SESSION = 4
_MAX_FORECASTS_PER_SESSION = 16
_MAX_FORECAST_BASES_PER_SESSION = 2  # the sample's and the upload's: about 230 MB each at 3.6 M customers
_MAX_COHORT_FITS_PER_SESSION = 8
_MAX_FIGURES_PER_SESSION = 16
_LOG = logging.getLogger(__name__)
#: The message for each problem of :func:`dataset_problems` on a page (all take {sheet} and {field}).
_SHEET_PROBLEMS = {"data_missing_column": "error_sheet_field_missing", "data_no_rows": "error_sheet_no_rows",
                   "data_no_purchases": "error_sheet_no_purchases"}
WORK_SLOTS_VARIABLE = "RETENTION_WORK_SLOTS"
DEFAULT_WORK_SLOTS = 2


@dataclass(frozen=True)
class Settings:
    """The sidebar choices every page reads."""

    lang: str
    currency: str
    period: str
    activity_months: int
    source: str


def sidebar(on_change: Callable[[str], None]) -> Settings:
    """Draw the sidebar (language, currency, period, activity window, data source) and return the choices.

    The four settings take their values from the session (put there from the scenario before this runs) and report
    changes to ``on_change(key)``.
    """
    lang = st.session_state.get(LANG, SIDEBAR_DEFAULTS[LANG])
    with st.sidebar:
        lang = st.segmented_control(
            "Sprache / Language", LANGUAGES, key=LANG, required=True, on_change=on_change, args=(LANG,),
            format_func=lambda code: {"de": "Deutsch", "en": "English"}[code],
        )
        currency = st.selectbox(t("sidebar_currency", lang), CURRENCIES, key=CURRENCY, on_change=on_change,
                                args=(CURRENCY,))
        fixed = _fixed_period()
        if fixed is None:
            period = st.segmented_control(t("sidebar_period", lang), PERIODS, key=PERIOD, required=True,
                                          on_change=on_change, args=(PERIOD,),
                                          format_func=lambda code: t(f"period_{code}", lang))
            activity_months = st.selectbox(
                t("sidebar_activity", lang), ACTIVITY_MONTHS, key=ACTIVITY, on_change=on_change, args=(ACTIVITY,),
                format_func=lambda months: t("sidebar_activity_months", lang, months=months),
                help=t("sidebar_activity_help", lang),
            )
        else:
            period, activity_months = fixed
            st.caption(t("sidebar_fixed_period", lang, period=t(f"period_{period}", lang), months=activity_months))
        has_upload = DATASET in st.session_state
        if not has_upload:
            st.session_state[SOURCE] = "sample"
        default_name = "configured" if started_on.configured() else "sample"
        source = st.radio(t("sidebar_source", lang), SOURCES, key=SOURCE, disabled=not has_upload,
                          format_func=lambda code: t(f"source_{default_name if code == 'sample' else code}", lang),
                          help=None if has_upload else t("sidebar_source_help", lang))
    return Settings(lang=lang, currency=currency, period=period, activity_months=activity_months, source=source)


def settings() -> Settings:
    """The current sidebar choices (the sidebar is drawn by ``app.py`` before any page runs)."""
    chosen = {key: st.session_state.get(key, default) for key, default in SIDEBAR_DEFAULTS.items()}
    period, activity_months = _fixed_period() or (chosen[PERIOD], chosen[ACTIVITY])
    return Settings(
        lang=chosen[LANG], currency=chosen[CURRENCY], period=period, activity_months=activity_months,
        source=st.session_state.get(SOURCE, "sample"),
    )


def _fixed_period() -> tuple[str, int] | None:
    """(period, activity months) of the aggregates folder the app was started on while it is shown, else None."""
    if st.session_state.get(SOURCE, "sample") != "sample":
        return None
    return started_on.fixed_period(started_on.configured())


@st.cache_data(max_entries=1, ttl=24 * 3600, show_spinner=False)
def _sample_dataset() -> Dataset:
    return sample.load_sample()


@st.cache_data(max_entries=len(PERIODS) * len(ACTIVITY_MONTHS), ttl=24 * 3600, show_spinner=False)
def _sample_aggregates(period: str, activity_months: int) -> Aggregates:
    return aggregate(_sample_dataset(), period, activity_months)


@st.cache_data(max_entries=len(PERIODS) * len(ACTIVITY_MONTHS), ttl=24 * 3600, show_spinner=False)
def _sample_facts(period: str, activity_months: int) -> whatif.DataFacts:
    return whatif.data_facts(_sample_aggregates(period, activity_months))


def _sample_aggregates_in_progress(period: str, activity_months: int, build: Callable[[str, int], object]):
    """``build(period, activity_months)`` of the sample under a progress message: the first of a server's sessions
    aggregates the sample (seconds on a loaded machine) and would otherwise see an empty page. The message shows
    only when the work takes longer than half a second, not on the cached runs after."""
    with st.spinner(t("status_aggregating_sample", settings().lang)):
        return build(period, activity_months)


def _shown_upload() -> Dataset | None:
    """The user's prepared upload when the sidebar shows it, else None (the embedded sample is shown)."""
    if settings().source == "upload":
        return st.session_state.get(DATASET)
    return None


def current_aggregates() -> Aggregates:
    """Aggregates of the current data set for the sidebar's period, computed once and reused by every slider."""
    chosen = settings()
    return aggregates_for(chosen.period, chosen.activity_months)


def aggregates_for(period: str, activity_months: int) -> Aggregates:
    """Aggregates of the current data set for ``period`` and activity window (a saved scenario may use others)."""
    chosen = settings()
    dataset = _shown_upload()
    if dataset is None:
        return _default_aggregates(period, activity_months, chosen.lang)
    earlier = next((aggs for (data_key, *_), aggs in reversed(st.session_state.get(AGGREGATES, {}).items())
                    if data_key == dataset.key), None)
    return _kept(AGGREGATES, (dataset.key, period, activity_months), _MAX_AGGREGATES_PER_SESSION,
                 lambda: _aggregate_with_progress(dataset, period, activity_months, chosen.lang, earlier))


def facts_for(period: str, activity_months: int) -> whatif.DataFacts:
    """What scenario defaults and bounds need from the current data set, computed once per period and window."""
    if _shown_upload() is None and started_on.configured() is None:
        return _sample_aggregates_in_progress(period, activity_months, _sample_facts)
    return _kept(FACTS, (_shown_key(), period, activity_months), _MAX_AGGREGATES_PER_SESSION,
                 lambda: whatif.data_facts(aggregates_for(period, activity_months)))


def _kept(store: str, key: Hashable, limit: int, build: Callable[[], object]):
    """``build()`` kept in this session's cache ``store`` under ``key``; past ``limit`` entries the oldest goes."""
    cache: dict = st.session_state.setdefault(store, {})
    if key not in cache:
        cache[key] = build()
        while len(cache) > limit:
            cache.pop(next(iter(cache)))
    return cache[key]


class WorkQueue:
    """Heavy jobs of all sessions of this server: at most ``slots`` run at once, the others wait in the order they
    came (first come, first served: none waits longer than the jobs ahead of it take), and one session runs one
    job at a time. A waiting job hears every ``poll_seconds`` how many jobs are ahead of it.

    The slots bound what one heavy upload can take from everybody else: it holds one slot while it aggregates,
    and the other slots keep serving the other sessions in turn.
    """

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"a work queue needs at least one slot, got {slots}")
        self.slots = slots
        self._condition = threading.Condition()
        self._tickets = 0
        self._waiting: list[tuple[int, str]] = []  # (ticket, owner) in the order they came
        self._running: dict[int, str] = {}

    @property
    def waiting(self) -> int:
        """How many jobs wait for a slot now."""
        with self._condition:
            return len(self._waiting)

    def ahead(self, ticket: int) -> int:
        """How many jobs run or wait before ``ticket`` (call with the lock held)."""
        position = next(index for index, (waiting, _) in enumerate(self._waiting) if waiting == ticket)
        return len(self._running) + position

    def _may_start(self, ticket: int, owner: str) -> bool:
        if len(self._running) >= self.slots or owner in self._running.values():
            return False
        busy = set(self._running.values())
        first = next((waiting for waiting, waiting_owner in self._waiting if waiting_owner not in busy), None)
        return first == ticket

    @contextmanager
    def turn(self, owner: str, waiting: Callable[[int, float], None] | None = None,
             poll_seconds: float = 0.5) -> Iterator[float]:
        """Wait for a slot for ``owner``'s job and hold it while the block runs; yields the seconds waited.

        While waiting, ``waiting(ahead, seconds)`` is called (without the lock) with the jobs ahead and the seconds
        waited so far; an exception from it (the user left the page) gives the place up.
        """
        began = time.monotonic()
        with self._condition:
            ticket = self._tickets
            self._tickets += 1
            self._waiting.append((ticket, owner))
        try:
            while True:
                with self._condition:
                    if self._may_start(ticket, owner):
                        self._waiting.remove((ticket, owner))
                        self._running[ticket] = owner
                        break
                    ahead = self.ahead(ticket)
                if waiting is not None:
                    waiting(ahead, time.monotonic() - began)
                with self._condition:
                    if not self._may_start(ticket, owner):
                        self._condition.wait(poll_seconds)
        except BaseException:
            with self._condition:
                if (ticket, owner) in self._waiting:
                    self._waiting.remove((ticket, owner))
                self._condition.notify_all()
            raise
        try:
            yield time.monotonic() - began
        finally:
            with self._condition:
                del self._running[ticket]
                self._condition.notify_all()


def work_slots(environ: dict[str, str] | None = None) -> int:
    """The number of heavy jobs the server runs at once: ``RETENTION_WORK_SLOTS`` (a whole number from 1), else
    :data:`DEFAULT_WORK_SLOTS`. A value that is not one raises ``ValueError`` naming the variable."""
    text = (os.environ if environ is None else environ).get(WORK_SLOTS_VARIABLE, "").strip()
    if not text:
        return DEFAULT_WORK_SLOTS
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ValueError(f"{WORK_SLOTS_VARIABLE} must be a whole number of at least 1, got {text!r}")
    return int(text)


@st.cache_resource(show_spinner=False)
def work_queue() -> WorkQueue:
    """The server's one :class:`WorkQueue` (shared by every session, as its purpose is)."""
    return WorkQueue(work_slots())


@contextmanager
def queued(label: Callable[[str], None], lang: str) -> Iterator[float]:
    """Hold one of the server's work slots for this session's heavy job; while waiting for it, ``label`` is given
    the waiting text (how many jobs are ahead, for how long) to show. Yields the seconds waited."""
    owner = st.session_state.setdefault(WORK_OWNER, uuid.uuid4().hex)

    def waiting(ahead: int, seconds: float) -> None:
        label(t("status_waiting", lang, ahead=ahead, seconds=f"{seconds:.0f}"))

    with work_queue().turn(owner, waiting) as waited:
        yield waited


@contextmanager
def in_turn(lang: str) -> Iterator[float]:
    """:func:`queued` with the waiting text as a caption where this is called, removed when the job starts (for a
    job shown with a spinner: reading and checking an upload, the CLV forecast). Yields the seconds waited."""
    notice = st.empty()
    with queued(notice.caption, lang) as waited:
        notice.empty()
        yield waited


def _aggregate_with_progress(dataset: Dataset, period: str, activity_months: int, lang: str,
                             earlier: Aggregates | None) -> Aggregates:
    """Aggregate an upload inside an ``st.status`` box whose bar names each step while it runs; the period-free
    parts of ``earlier`` (same data, other period) are reused. The box always ends: complete, or as an error when
    aggregating fails; data that :func:`aggregate` refuses (``ValueError``) stop the page with the way back. When
    other sessions' jobs hold the server's work slots, the box first says that the job waits, behind how many, and
    for how long; at the end it says how long it waited."""
    problems = dataset_problems(dataset)
    if problems:  # cannot happen through the Data page, which refuses such a sheet; never crash on it either
        unusable_upload("; ".join(t(_SHEET_PROBLEMS[problem.key], lang, sheet=t(f"sheet_{kind}", lang),
                                    field=t(f"column_{problem.params.get('column', 'customer_id')}", lang))
                                  for kind, problem in problems), lang)
    incident = None
    with st.status(t("status_aggregating", lang), expanded=True) as status:
        bar = st.progress(0.0)

        def progress(step: str, done: int, total: int) -> None:
            bar.progress(done / max(total, 1), text=t(f"aggregate_step_{step}", lang))

        waited_for_others = []

        def waiting(text: str) -> None:
            waited_for_others.append(True)
            status.update(label=text, state="running")

        with queued(waiting, lang) as waited:
            if waited_for_others:
                status.update(label=t("status_aggregating", lang))
            try:
                result = aggregate(dataset, period, activity_months, reuse=earlier, progress=progress)
            except QueryTimeout:
                status.update(state="error")
                st.error(t("error_query_timeout", lang), icon=":material/timer_off:")
                st.stop()
            except ValueError as error:  # aggregate's documented refusal of data it cannot summarise
                incident = secrets.token_hex(4)
                _LOG.warning("An upload could not be aggregated (incident %s)", incident, exc_info=error)
                status.update(label=t("status_failed", lang), state="error", expanded=False)
            except Exception:
                status.update(label=t("status_failed", lang), state="error", expanded=False)  # no box left spinning
                raise
        if incident is None:
            done = t("status_aggregated", lang) if waited < 1 else t("status_aggregated_after_wait", lang,
                                                                      seconds=f"{waited:.0f}")
            status.update(label=done, state="complete", expanded=False)
    if incident is not None:
        unusable_upload(t("error_data_not_computable", lang, incident=incident), lang)
    return result


def unusable_upload(reason: str, lang: str) -> None:
    """Stop the page with a plain message that the shown upload cannot be used (``reason``) and the way back."""
    st.warning(t("error_data_unusable", lang, reason=reason) + " "
               + t("error_way_back_upload", lang, source=t("sidebar_source", lang), sample=t("source_sample", lang),
                   data_page=t("page_data", lang)), icon=":material/block:")
    way_back(lang, key="data_unusable_show_sample")
    st.stop()


def show_sample() -> None:
    """Switch the data source back to the sample (a widget callback: before the sidebar's radio is drawn)."""
    st.session_state[SOURCE] = "sample"


def way_back(lang: str, key: str) -> None:
    """A button that switches the data source back to the sample, and a link to the Data page to fix the upload."""
    with st.container(horizontal=True):
        st.button(t("error_show_sample", lang), key=key, icon=":material/undo:", on_click=show_sample)
        st.page_link("app_pages/data.py", label=t("error_to_data_page", lang), icon=":material/upload_file:")


def predictive_forecast(aggs: Aggregates, gross_margin: float, annual_discount_rate: float,
                        horizon_months: int) -> predictive.PredictiveClvSummary:
    """The CLV page's predictive summary: computed once per data set, discount rate and horizon (at margin 1) and
    kept in this session, then rescaled to ``gross_margin``, so the margin slider never touches the customers."""
    def basis() -> predictive.ForecastBasis:
        lang = settings().lang
        with st.spinner(t("status_forecasting", lang)), in_turn(lang):
            return predictive.forecast_basis(aggs.predictive)

    summary = _kept(FORECASTS, (_shown_key(), annual_discount_rate, horizon_months), _MAX_FORECASTS_PER_SESSION,
                    lambda: predictive.predictive_clv_summary(
                        aggs.predictive, 1.0, annual_discount_rate, horizon_months,
                        basis=_kept(FORECAST_BASES, _shown_key(), _MAX_FORECAST_BASES_PER_SESSION, basis)))
    return summary.at_margin(gross_margin)


def cohort_projection(aggs: Aggregates, periods_ahead: int) -> pd.DataFrame:
    """:func:`predictive.project_cohorts` of the shown data: the sBG fits (:func:`predictive.fit_cohorts`, one per
    cohort, too slow to repeat on every slider move) are made once per period and window and kept in this session;
    projecting them ``periods_ahead`` periods is quick."""
    fits = _kept(COHORT_FITS, (_shown_key(), aggs.period, aggs.activity_months), _MAX_COHORT_FITS_PER_SESSION,
                 lambda: predictive.fit_cohorts(aggs))
    return fits.project(periods_ahead)


def _default_aggregates(period: str, activity_months: int, lang: str) -> Aggregates:
    """Aggregates of the data the app was started on (``--aggregates`` / ``--data``), else of the sample."""
    configured = started_on.configured()
    if configured is None:
        return _sample_aggregates_in_progress(period, activity_months, _sample_aggregates)
    with st.spinner(t("status_aggregating", lang)):
        try:
            return started_on.aggregates(configured, period, activity_months)
        except started_on.SourceUnavailable as error:
            st.error(t("error_source_unavailable", lang, path=str(configured.path), reason=str(error)),
                     icon=":material/folder_off:")
            st.stop()


def use_uploaded(dataset: Dataset) -> None:
    """Make ``dataset`` this session's data and switch the source to it (call from a widget callback)."""
    st.session_state[DATASET] = dataset
    st.session_state[AGGREGATES] = {}
    st.session_state[FACTS] = {}
    st.session_state[FORECASTS] = {}
    st.session_state[FORECAST_BASES] = {}
    st.session_state[COHORT_FITS] = {}
    st.session_state[FIGURES] = {}
    st.session_state[SOURCE] = "upload"


def count_run(block: str) -> None:
    """Count one run of the page block ``block`` in this session (``st.session_state[BLOCK_RUNS]``).

    A slider inside a fragment reruns only its own block; the counts let the tests and benchmarks check that a
    slider does not rerun the blocks it cannot change (the frame, a page's prologue, the predictive section).
    """
    runs = st.session_state.setdefault(BLOCK_RUNS, {})
    runs[block] = runs.get(block, 0) + 1


def figure(aggs: Aggregates, name: str, build: Callable[[], go.Figure], *inputs: Hashable) -> go.Figure:
    """A chart of the shown data that no slider of its page changes, built once per period, window, language,
    currency and ``inputs`` and kept in this session: a slider rerun then only sends it again."""
    chosen = settings()
    key = (_shown_key(), aggs.period, aggs.activity_months, chosen.lang, chosen.currency, name, *inputs)
    return _kept(FIGURES, key, _MAX_FIGURES_PER_SESSION, build)


def dataset_name(lang: str) -> str:
    """What the sidebar says is shown: the uploaded file names, the path given at start or the sample's name."""
    upload = _shown_upload()
    if upload is not None:
        return upload.name
    configured = started_on.configured()
    return t("sample_name", lang) if configured is None else started_on.name(configured)


def _shown_key() -> str:
    """Content key of the data shown, without loading the sample just to read its key."""
    upload = _shown_upload()
    if upload is not None:
        return upload.key
    configured = started_on.configured()
    return "sample" if configured is None else configured.key
