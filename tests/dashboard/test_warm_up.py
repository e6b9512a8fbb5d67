"""dashboard.warm_up and the sample's caches: the server's start-up work runs beside the server, computes what the
first view needs first (no model fits) and the rest once a page has been shown, the embedded sample once for every
period (the other periods from the default's period-free parts), never an upload, and a failure of it is logged,
not raised. The Overview's first run fits no model; the CLV page gets the fits."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from apptest_support import APP
from streamlit.testing.v1 import AppTest

from dashboard import segments as segment_data
from dashboard import background, shown_data, warm_up
from dashboard import source as started_on
from retention_core import segment_inputs
from retention_core.dataset import aggregate
from retention_core.queries import PERIODS
from retention_views.texts import t

SAMPLE_CACHES = (shown_data._sample_aggregates, shown_data._sample_facts, shown_data._sample_fits,
                 shown_data._sample_aggregates_with_fits)


@pytest.fixture
def counted_aggregations(monkeypatch):
    """Every call of ``aggregate`` by the sample's cache as (period, window, reused) and every fit of the models
    (``"fits"``), on emptied caches."""
    calls = []
    real, real_fits = shown_data.aggregate, shown_data.predictive_models

    def counting(dataset, period, activity_months, *, reuse=None, fit_models=True):
        assert not fit_models  # the fits are made apart, once (below)
        calls.append((period, activity_months, reuse is not None))
        return real(dataset, period, activity_months, reuse=reuse, fit_models=fit_models)

    def counting_fits(dataset):
        calls.append("fits")
        return real_fits(dataset)

    monkeypatch.setattr(shown_data, "aggregate", counting)
    monkeypatch.setattr(shown_data, "predictive_models", counting_fits)
    for cached in SAMPLE_CACHES:
        cached.clear()
    yield calls
    for cached in SAMPLE_CACHES:
        cached.clear()  # the next tests get aggregates made by the real function again


@pytest.fixture(autouse=True)
def priority_kept(monkeypatch):
    """The warm-up lowers its thread's CPU priority before the rest; a test that runs it in pytest's own thread
    must not leave that thread lowered for the tests after it."""
    monkeypatch.setattr(background, "lower_priority", lambda: True)


@pytest.fixture
def no_page_shown():
    """The warm-up's signals that a page has been shown and that the rest of the sample is made, unset before and
    after the test."""
    warm_up._PAGE_SHOWN.clear()
    warm_up._SAMPLE_REST_MADE.clear()
    yield
    warm_up._PAGE_SHOWN.clear()
    warm_up._SAMPLE_REST_MADE.clear()


@pytest.mark.slow  # aggregates the sample three times
def test_warming_the_sample_aggregates_the_default_once_and_the_other_periods_from_its_parts(counted_aggregations):
    shown_data.warm_sample_first_view()
    assert counted_aggregations == [("quarter", 12, False)]  # no fits: the first view shows no model
    shown_data.warm_sample_rest()
    assert counted_aggregations == [("quarter", 12, False), "fits", ("month", 12, True), ("year", 12, True)]
    shown_data.warm_sample_first_view()
    shown_data.warm_sample_rest()
    for period in PERIODS:
        shown_data._sample_aggregates(period, 12)
        assert shown_data._sample_aggregates_with_fits(period, 12).predictive is shown_data._sample_fits()
    assert len(counted_aggregations) == 4  # all kept: a later session or a period switch computes nothing


@pytest.mark.slow  # aggregates the sample
def test_the_segments_first_orders_are_made_after_the_first_view_once(counted_aggregations, monkeypatch):
    made = []
    real = segment_inputs._first_orders
    monkeypatch.setattr(segment_inputs, "_first_orders", lambda *args: made.append(True) or real(*args))
    shown_data.warm_sample_first_view()
    assert not made  # made on first use, not before the first view
    shown_data.warm_sample_rest()
    assert len(made) == 1
    for period in PERIODS:  # every period's aggregates share them, and every session
        assert shown_data._sample_aggregates_with_fits(period, 12).first_orders is not None
    assert len(made) == 1


def test_the_rest_of_the_start_up_work_waits_until_a_page_has_been_shown(monkeypatch, no_page_shown):
    done, first_view_done = [], threading.Event()
    monkeypatch.setattr(background, "lower_priority", lambda: done.append("lower priority"))
    monkeypatch.setattr(started_on, "configured", lambda: None)
    monkeypatch.setattr(shown_data, "warm_sample_first_view", lambda: done.append("first view") or first_view_done.set())
    monkeypatch.setattr(shown_data, "warm_sample_rest", lambda **_: done.append("rest"))
    monkeypatch.setattr(segment_data, "warm_sample", lambda **_: done.append("segments"))
    monkeypatch.setattr(warm_up, "time", SimpleNamespace(sleep=lambda seconds: done.append(f"{seconds} s to draw")))
    worker = threading.Thread(target=warm_up.warm_up, args=(60.0, 1.5), daemon=True)
    worker.start()
    assert first_view_done.wait(60)
    worker.join(0.5)
    assert worker.is_alive() and done == ["first view"] and not warm_up.sample_rest_made()
    warm_up.page_shown()
    worker.join(10.0)
    assert not worker.is_alive() and done == ["first view", "1.5 s to draw", "lower priority", "rest", "segments"]
    assert warm_up.sample_rest_made()  # the pages may count on it now


@pytest.mark.slow  # waits real time / runs the app: the full suite's
def test_the_rest_waits_while_a_visitors_page_runs_and_for_a_quiet_moment_after_it():
    warm_up.run_started()
    waiter = threading.Thread(target=warm_up.when_quiet, args=(0.3, 30.0))
    try:
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive()  # a run in progress: the rest's next step waits
    finally:
        warm_up.run_ended()
    ended = time.monotonic()
    waiter.join(10)
    assert not waiter.is_alive() and time.monotonic() - ended >= 0.29  # then a quiet moment after it


@pytest.mark.slow  # waits real time / runs the app: the full suite's
def test_a_server_always_busy_still_gets_its_start_up_work_done():
    warm_up.run_started()
    try:
        began = time.monotonic()
        warm_up.when_quiet(0.3, at_most_seconds=0.5)
        assert 0.45 <= time.monotonic() - began < 5
    finally:
        warm_up.run_ended()


@pytest.mark.slow  # waits real time / runs the app: the full suite's
def test_every_run_of_the_frame_is_counted_as_ended_however_it_ends():
    """app.py ends its count in a ``finally``, so a page that stops (``st.stop``) or fails leaves none running."""
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.switch_page("app_pages/segments.py").run()
    assert not app.exception, app.exception
    assert warm_up._RUNS["in_progress"] == 0 and warm_up._RUNS["last_ended"] > 0


def test_the_rest_of_the_start_up_work_starts_without_a_visitor_after_the_wait(monkeypatch, no_page_shown):
    done = []
    monkeypatch.setattr(started_on, "configured", lambda: None)
    monkeypatch.setattr(shown_data, "warm_sample_first_view", lambda: done.append("first view"))
    monkeypatch.setattr(shown_data, "warm_sample_rest", lambda **_: done.append("rest"))
    monkeypatch.setattr(segment_data, "warm_sample", lambda **_: done.append("segments"))
    monkeypatch.setattr(warm_up, "time", SimpleNamespace(sleep=lambda seconds: done.append(f"{seconds} s to draw")))
    warm_up.warm_up(first_visit_wait_seconds=0.0)
    assert done == ["first view", "rest", "segments"]  # no page to draw


def test_a_rest_that_failed_does_not_say_the_sample_is_made(monkeypatch, no_page_shown):
    def broken(**_) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(started_on, "configured", lambda: None)
    monkeypatch.setattr(shown_data, "warm_sample_first_view", lambda: None)
    monkeypatch.setattr(shown_data, "warm_sample_rest", lambda **_: None)
    monkeypatch.setattr(segment_data, "warm_sample", broken)
    warm_up.warm_up(first_visit_wait_seconds=0.0)
    assert not warm_up.sample_rest_made()  # the pages make what they need themselves, and show it in two steps


@pytest.mark.slow  # fits the sample's models and makes their forecast basis
def test_the_rest_makes_the_forecast_basis_and_the_segments_first_view_for_every_session(monkeypatch):
    made = []
    real_basis, real_replicates = shown_data.models.forecast_basis, segment_data.segments.segment_replicates
    monkeypatch.setattr(shown_data.models, "forecast_basis",
                        lambda *args, **kwargs: made.append("forecast basis") or real_basis(*args, **kwargs))
    monkeypatch.setattr(segment_data.segments, "segment_replicates",
                        lambda *args, **kwargs: made.append("replicates") or real_replicates(*args, **kwargs))
    shown_data._sample_forecast_basis.clear()
    segment_data._sample_parts.clear()
    shown_data.warm_sample_rest()
    segment_data.warm_sample()
    assert made == ["forecast basis", "replicates", "replicates"]  # the default dimension's and the NPS groups'
    assert shown_data._sample_forecast_basis().months == shown_data.models.MAX_FORECAST_MONTHS
    assert segment_data._sample_parts("channel").bases.rows and segment_data._sample_parts("nps_group").bases.rows
    assert len(made) == 3  # kept for every session


@pytest.mark.slow  # aggregates the sample and fits its models
def test_the_overviews_first_run_fits_no_model_and_the_clv_page_gets_the_fits(counted_aggregations, no_page_shown):
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["app_lang"] = "de"
    app.run()
    assert not app.exception, app.exception
    assert app.metric, "no KPI cards"
    assert "fits" not in counted_aggregations and ("quarter", 12, False) in counted_aggregations
    assert warm_up._PAGE_SHOWN.is_set()  # the run said so: the server's start-up work may go on
    app.switch_page("app_pages/clv.py").run()
    assert not app.exception, app.exception
    assert counted_aggregations.count("fits") == 1
    assert t("predictive_title", "de") in [block.value for block in app.subheader]


@pytest.mark.slow  # aggregates the sample three times
def test_a_period_from_the_defaults_parts_equals_the_period_aggregated_alone(sample_dataset, counted_aggregations):
    monthly = shown_data._sample_aggregates("month", 12)
    assert counted_aggregations == [("quarter", 12, False), ("month", 12, True)]
    alone = aggregate(sample_dataset, "month", 12)
    pd.testing.assert_frame_equal(monthly.activity, alone.activity)
    pd.testing.assert_frame_equal(monthly.cohorts, alone.cohorts)
    # the annual basis is the default period's own (a display setting never changes it), and the fresh one's up to
    # the order of DuckDB's sums
    assert monthly.basis == shown_data._sample_aggregates("quarter", 12).basis
    assert monthly.basis.revenue == pytest.approx(alone.basis.revenue, rel=1e-12)
    assert monthly.basis.retention_rate == pytest.approx(alone.basis.retention_rate, rel=1e-12)


def test_the_start_up_work_runs_beside_the_server_and_does_not_hold_it_up(monkeypatch):
    started, release = threading.Event(), threading.Event()

    def slow_warm_up() -> None:
        started.set()
        release.wait(10)

    monkeypatch.setattr(warm_up, "warm_up", slow_warm_up)

    async def serve() -> None:
        async with warm_up.lifespan(None):
            assert started.wait(10)  # the work began in its own thread ...
            assert not release.is_set()  # ... and the server goes on while it is still running

    asyncio.run(serve())
    release.set()


def test_a_failing_warm_up_is_logged_and_not_raised(monkeypatch, caplog):
    def broken() -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(shown_data, "warm_sample_first_view", broken)
    monkeypatch.setattr(started_on, "configured", lambda: None)
    with caplog.at_level(logging.ERROR, logger="dashboard.warm_up"):
        warm_up.warm_up(first_visit_wait_seconds=0.0)
    assert "The start-up warm-up failed" in caplog.text and "disk gone" in caplog.text


def test_a_server_with_configuration_problems_leaves_the_sample_to_the_first_run(monkeypatch):
    from dashboard import runtime

    monkeypatch.setattr(runtime, "start_up", lambda: ("RETENTION_DUCKDB_THREADS='many': not a whole number",))
    monkeypatch.setattr(started_on, "configured", lambda: None)
    for part in ("warm_sample_first_view", "warm_sample_rest"):
        monkeypatch.setattr(shown_data, part, lambda **_: pytest.fail("computed the sample"))
    monkeypatch.setattr(segment_data, "warm_sample", lambda **_: pytest.fail("computed the sample"))
    warm_up.warm_up()  # the first run shows the problems and stops


def test_an_app_started_on_other_data_gets_the_imports_but_not_the_sample(monkeypatch):
    for part in ("warm_sample_first_view", "warm_sample_rest"):
        monkeypatch.setattr(shown_data, part, lambda **_: pytest.fail("computed the sample"))
    monkeypatch.setattr(segment_data, "warm_sample", lambda **_: pytest.fail("computed the sample"))
    monkeypatch.setattr(started_on, "configured", lambda: started_on.Configured("data", Path("orders.parquet")))
    warm_up.warm_up()  # and does not wait for a visitor either


@pytest.mark.slow  # starts a fresh interpreter that imports the whole app
def test_the_frame_and_the_pages_import_scipy_only_when_a_model_is_fitted():
    """SciPy's import is a fifth of the start-up's imports, and the first view fits no model."""
    script = """if True:
        import sys
        from dashboard import (comparison, customer_list, errors, inputs, revenue_views, saved_scenarios, segments,
                               shown_data, sidebar, url_sync, widgets)
        from retention_views import charts, page_results, whatif
        print(any(name.split(".")[0] == "scipy" for name in sys.modules))
        from retention_core import models
        models.fit_bg_nbd([0, 1, 2], [0.0, 3.0, 5.0], [6.0, 6.0, 6.0])
        print(any(name.split(".")[0] == "scipy" for name in sys.modules))
    """
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[2], check=True)
    assert result.stdout.split() == ["False", "True"], result.stderr
