"""dashboard.warm_up and the sample's caches: the server's start-up work runs beside the server, computes the
embedded sample once for every period (the other periods from the default's period-free parts), never an upload,
and a failure of it is logged, not raised."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pandas as pd
import pytest

from dashboard import shown_data, warm_up
from dashboard import source as started_on
from retention_core.dataset import aggregate
from retention_core.queries import PERIODS


@pytest.fixture
def counted_aggregations(monkeypatch):
    """Every call of ``aggregate`` by the sample's cache as (period, window, reused), on emptied caches."""
    calls = []
    real = shown_data.aggregate

    def counting(dataset, period, activity_months, *, reuse=None):
        calls.append((period, activity_months, reuse is not None))
        return real(dataset, period, activity_months, reuse=reuse)

    monkeypatch.setattr(shown_data, "aggregate", counting)
    for cached in (shown_data._sample_aggregates, shown_data._sample_facts):
        cached.clear()
    yield calls
    for cached in (shown_data._sample_aggregates, shown_data._sample_facts):
        cached.clear()  # the next tests get aggregates made by the real function again


@pytest.mark.slow  # aggregates the sample three times
def test_warming_the_sample_aggregates_the_default_once_and_the_other_periods_from_its_parts(counted_aggregations):
    shown_data.warm_sample()
    assert counted_aggregations == [("quarter", 12, False), ("month", 12, True), ("year", 12, True)]
    shown_data.warm_sample()
    for period in PERIODS:
        shown_data._sample_aggregates(period, 12)
    assert len(counted_aggregations) == 3  # all kept: a later session or a period switch computes nothing


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

    monkeypatch.setattr(shown_data, "warm_sample", broken)
    monkeypatch.setattr(started_on, "configured", lambda: None)
    with caplog.at_level(logging.ERROR, logger="dashboard.warm_up"):
        warm_up.warm_up()
    assert "The start-up warm-up failed" in caplog.text and "disk gone" in caplog.text


def test_an_app_started_on_other_data_gets_the_imports_but_not_the_sample(monkeypatch):
    monkeypatch.setattr(shown_data, "warm_sample", lambda: pytest.fail("computed the sample"))
    monkeypatch.setattr(started_on, "configured", lambda: started_on.Configured("data", Path("orders.parquet")))
    warm_up.warm_up()
