"""Work done ahead in the background (dashboard.background): an upload's forecast basis is made while the Overview
is read and taken over by the CLV page; a job runs at a lower priority, in its own slot of the work queue, and is
cancelled with its data."""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
import time

import pytest
from apptest_support import APP
from streamlit.testing.v1 import AppTest

import sample_data
from dashboard import background, keys, work_queue
from retention_core import models
from retention_core.models import forecast
from retention_views.texts import t


def until(condition, seconds: float = 60) -> None:
    ends = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < ends, "timed out"
        time.sleep(0.05)


def replace_forecast_basis(monkeypatch, replacement) -> None:
    """Make ``replacement`` the forecast basis maker of the pages (``models.forecast_basis``) and of the background's
    growing bases (``forecast.forecast_basis``, which ``models.growing_forecast_bases`` calls)."""
    monkeypatch.setattr(models, "forecast_basis", replacement)
    monkeypatch.setattr(forecast, "forecast_basis", replacement)


def forecast_job(app: AppTest) -> background.Job:
    """The session's background job that makes the forecast basis (the Segments page's parts follow it)."""
    [job] = [job for (name, *_), job in app.session_state[keys.BACKGROUND_JOBS].items() if name == keys.FORECAST_BASES]
    return job


def forecast_jobs_left(app: AppTest) -> list:
    """The names of the session's forecast jobs not yet taken over (the Segments page's parts may still run)."""
    return [name for name, *_ in app.session_state[keys.BACKGROUND_JOBS] if name == keys.FORECAST_BASES]


def background_part(app: AppTest, dimension: str) -> object | None:
    """What the session's job making ``dimension``'s Segments parts has handed out so far (None: nothing yet)."""
    jobs = app.session_state[keys.BACKGROUND_JOBS]
    return next((job.part for (name, *rest), job in jobs.items()
                 if name == keys.SEGMENT_PARTS_AHEAD and rest[-1] == dimension), None)


def sample_as_upload(key: str = "upload") -> AppTest:
    """The app on the Overview with the sample's sheets put into use as an upload (their fits are usable)."""
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state[keys.DATASET] = dataclasses.replace(sample_data.load_sample(), key=key, name="upload.csv")
    app.session_state[keys.SOURCE] = "upload"
    app.run()
    assert not app.exception, app.exception
    return app


@pytest.mark.slow
def test_an_uploads_forecast_is_made_in_the_background_after_its_aggregation_and_taken_over_by_the_clv_page(
        monkeypatch):
    made_in, months, summaries = [], [], []
    make_basis, make_summary = models.forecast_basis, models.predictive_clv_summary

    def counted_basis(*args, **kwargs):
        made_in.append(threading.current_thread().name)
        months.append(kwargs.get("months"))
        return make_basis(*args, **kwargs)

    def counted_summary(*args, **kwargs):
        summaries.append(args[2:4])  # discount rate, horizon in months
        return make_summary(*args, **kwargs)

    replace_forecast_basis(monkeypatch, counted_basis)
    monkeypatch.setattr(models, "predictive_clv_summary", counted_summary)
    app = sample_as_upload()
    job = forecast_job(app)
    until(job.future.done)
    # the default horizon's months and its summary first, then the other months a year at a time
    assert months == list(range(60, models.MAX_FORECAST_MONTHS + 1, 12)) and summaries == [(0.08, 60)]
    assert made_in == ["retention_background"] * len(months)

    app.switch_page("app_pages/clv.py").run()
    assert not app.exception, app.exception
    assert len(made_in) == len(months) and summaries == [(0.08, 60)]  # taken over, not made again
    assert forecast_jobs_left(app) == []
    assert [metric.value for metric in app.metric if metric.label.startswith("CLV (BG/NBD")]


@pytest.mark.slow
def test_an_uploads_segments_first_parts_are_made_in_the_background_after_its_forecast_and_taken_over(
        monkeypatch):
    """The Segments page's first visit finds the first orders, the default dimension's labels, bases, replicates
    and predictive mean CLVs and the NPS groups' parts made by the session's background jobs after the forecast
    (seconds at 10 M rows), and sends its table and charts once, complete."""
    from dashboard import segments as segment_data
    from retention_core import segment_inputs

    made = []
    make_first_orders, make_replicates = segment_inputs._first_orders, segment_data.segments.segment_replicates
    make_predictive = segment_data.segments.predictive_mean_clv

    def counted_first_orders(*args, **kwargs):
        made.append(("first orders", threading.current_thread().name))
        return make_first_orders(*args, **kwargs)

    def counted_replicates(*args, **kwargs):
        made.append(("replicates", threading.current_thread().name))
        return make_replicates(*args, **kwargs)

    def counted_predictive(*args, **kwargs):
        made.append(("predictive", threading.current_thread().name))
        return make_predictive(*args, **kwargs)

    monkeypatch.setattr(segment_inputs, "_first_orders", counted_first_orders)
    monkeypatch.setattr(segment_data.segments, "segment_replicates", counted_replicates)
    monkeypatch.setattr(segment_data.segments, "predictive_mean_clv", counted_predictive)
    app = sample_as_upload()
    jobs = app.session_state[keys.BACKGROUND_JOBS]
    assert [key[0::2] for key in jobs][:3] == [(keys.FORECAST_BASES,), (keys.SEGMENT_PARTS_AHEAD, "channel"),
                                               (keys.SEGMENT_PARTS_AHEAD, "nps_group")]  # the default, the NPS's
    until(lambda: all(job.future.done() for job in jobs.values()))
    ahead = [(part, "retention_background") for part in ("first orders", "replicates", "predictive", "replicates")]
    assert made == ahead

    waited, real_waiting = [], segment_data.waiting
    monkeypatch.setattr(segment_data, "waiting", lambda *args: waited.append(real_waiting(*args)) or waited[-1])
    app.switch_page("app_pages/segments.py").run()
    assert not app.exception, app.exception
    assert made == ahead  # taken over, not made again
    assert not any(key[0] == keys.SEGMENT_PARTS_AHEAD for key in app.session_state[keys.BACKGROUND_JOBS])
    assert waited == [frozenset()]  # the table, the charts and the NPS table sent once, complete
    assert not [caption for caption in app.caption if caption.value == t("segments_intervals_pending", "de")]


@pytest.mark.slow
def test_a_first_visit_while_the_segments_parts_are_made_shows_the_table_first_and_completes_it(monkeypatch):
    """The background has handed out the default dimension's labels and bases but is still making the intervals
    and the predictive means: the page shows the table and charts from the first part (both columns "computing
    …"), then the complete table once the job is done, without making anything itself."""
    from dashboard import segments as segment_data

    asked, made = threading.Event(), []
    make_replicates, real_waiting = segment_data.segments.segment_replicates, segment_data.waiting

    def held_replicates(*args, **kwargs):  # the default dimension's go on once the page has looked
        if not made:
            asked.wait(timeout=60)
        made.append(threading.current_thread().name)
        return make_replicates(*args, **kwargs)

    waited = []

    def waiting(*args):
        waited.append(real_waiting(*args))
        asked.set()
        return waited[-1]

    monkeypatch.setattr(segment_data.segments, "segment_replicates", held_replicates)
    monkeypatch.setattr(segment_data, "waiting", waiting)
    app = sample_as_upload("segments parts in the making")
    until(lambda: background_part(app, "channel") is not None)  # the labels and bases handed out
    app.switch_page("app_pages/segments.py").run()
    assert not app.exception, app.exception
    assert waited == [frozenset({segment_data.PREDICTIVE, segment_data.INTERVALS})]
    assert made == ["retention_background", "retention_background"]  # the default's and the NPS groups'
    [table, *_] = app.dataframe
    shown = table.value
    assert not shown.astype(str).apply(lambda column: column.str.contains("berechnet")).any().any()
    assert not [caption for caption in app.caption if caption.value == t("segments_intervals_pending", "de")]


@pytest.mark.slow
def test_an_uploads_cohort_fits_are_made_in_the_background_and_taken_over_by_the_cohorts_page(monkeypatch):
    fitted, fit = [], models.fit_cohorts

    def counted(*args, **kwargs):
        fitted.append(threading.current_thread().name)
        return fit(*args, **kwargs)

    monkeypatch.setattr(models, "fit_cohorts", counted)
    app = sample_as_upload("cohorts made ahead")  # AppTest's sessions share the session-scoped cache: a key of its own
    jobs = app.session_state[keys.BACKGROUND_JOBS]
    assert [key[0] for key in jobs][-1] == keys.COHORT_FITS  # the last of the session's jobs
    until(lambda: all(job.future.done() for job in jobs.values()))
    assert fitted == ["retention_background"]

    app.switch_page("app_pages/cohorts.py").run()
    assert not app.exception, app.exception
    assert fitted == ["retention_background"]  # taken over, not fitted again
    assert not [key for key in app.session_state[keys.BACKGROUND_JOBS] if key[0] == keys.COHORT_FITS]
    app.switch_page("app_pages/overview.py").run()
    app.switch_page("app_pages/cohorts.py").run()  # kept by the session's cache
    assert not app.exception and fitted == ["retention_background"]


@pytest.mark.slow
def test_the_cohorts_page_fits_itself_when_its_job_is_still_behind_the_sessions_other_jobs(monkeypatch):
    fitted, fit, release, make_basis = [], models.fit_cohorts, threading.Event(), models.forecast_basis

    def counted(*args, **kwargs):
        fitted.append(threading.current_thread().name)
        return fit(*args, **kwargs)

    def held_back(*args, **kwargs):
        release.wait(60)  # the forecast, first in the session's queue, holds every later job back
        return make_basis(*args, **kwargs)

    monkeypatch.setattr(models, "fit_cohorts", counted)
    replace_forecast_basis(monkeypatch, held_back)
    try:
        app = sample_as_upload("cohorts made here")  # a key of its own (the session-scoped cache is shared)
        [cohort_job] = [job for key, job in app.session_state[keys.BACKGROUND_JOBS].items()
                        if key[0] == keys.COHORT_FITS]
        app.switch_page("app_pages/cohorts.py").run()
        assert not app.exception, app.exception
        assert fitted == ["ScriptRunner.scriptThread"] and cohort_job.cancelled.is_set()
    finally:
        release.set()
    until(cohort_job.future.done)
    assert fitted == ["ScriptRunner.scriptThread"]  # the job gave up its place and fitted nothing
    assert isinstance(cohort_job.future.exception(), background.Cancelled)


def in_a_session(script) -> AppTest:
    """``script`` run as a Streamlit app (AppTest.from_function), with the repository importable."""
    app = AppTest.from_function(script, default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app


def test_a_page_waits_for_a_running_job_and_gets_its_result():
    def script():
        import threading
        import time

        import streamlit as st

        from dashboard import background

        def slow(progress, publish):
            for month in range(1, 4):
                time.sleep(0.2)
                progress(month, 3)
            return threading.current_thread().name

        background.start("job", slow)
        st.session_state["got"] = background.result("job", "wird berechnet")

    app = in_a_session(script)
    assert app.session_state["got"] == "retention_background"
    assert app.session_state[keys.BACKGROUND_JOBS] == {}  # taken: forgotten


def test_a_page_takes_a_published_part_that_will_do_and_the_whole_result_later():
    def script():
        import threading

        import streamlit as st

        from dashboard import background

        release = threading.Event()
        st.session_state["release"] = release

        def staged(progress, publish):
            publish(("first", 60))
            release.wait(10)
            return ("whole", 240)

        background.start("job", staged)
        st.session_state["first"] = background.result("job", "wird berechnet", lambda part: part[1] >= 60)
        st.session_state["still_there"] = background.has("job")
        release.set()
        st.session_state["whole"] = background.result("job", "wird berechnet", lambda part: part[1] >= 120)

    app = in_a_session(script)
    assert app.session_state["first"] == ("first", 60) and app.session_state["still_there"]
    assert app.session_state["whole"] == ("whole", 240) and app.session_state[keys.BACKGROUND_JOBS] == {}


def test_a_failed_job_gives_nothing_so_that_the_page_computes_itself():
    def script():
        import streamlit as st

        from dashboard import background

        def broken(progress, publish):
            raise ValueError("kaputt")

        background.start("job", broken)
        st.session_state["got"] = background.result("job", "wird berechnet")
        st.session_state["none"] = background.result("no such job", "wird berechnet")

    app = in_a_session(script)
    assert app.session_state["got"] is None and app.session_state["none"] is None


def test_a_job_whose_data_is_put_aside_stops_at_its_next_progress_report():
    reported, release = [], threading.Event()
    job = background.Job()

    def work(progress, publish):
        progress(1, 3)
        reported.append(1)
        release.wait(10)
        progress(2, 3)
        reported.append(2)
        return "made"

    queue = work_queue.WorkQueue(1)
    runner = threading.Thread(target=background._run, args=(job, work, queue, "someone/background"))
    runner.start()
    until(lambda: reported)
    job.cancelled.set()
    release.set()
    runner.join(10)
    assert reported == [1] and isinstance(job.future.exception(), background.Cancelled)
    assert job.done == pytest.approx(1 / 3)


def test_a_page_waiting_for_a_job_sees_the_jobs_before_it_count_in_its_progress():
    finished, running = background.Job(), background.Job()
    finished.future.set_result("made")
    job = background.Job(before=(finished, running))
    share = background._share_done(job)  # the finished job is not waited for: the running one and this count
    assert share() == 0.0
    running.done = 0.5
    assert share() == pytest.approx(0.25)
    running.future.set_result("made")
    assert share() == pytest.approx(0.5)  # not back to this job's own 0
    job.done = 0.5
    assert share() == pytest.approx(0.75)


def test_a_job_lets_go_of_the_jobs_before_it_once_they_are_done():
    earlier = background.Job()
    earlier.future.set_result("a large result")
    job = background.Job(before=(earlier,))
    background._run(job, lambda progress, publish: "made", work_queue.WorkQueue(1), "someone/background",
                    (earlier.future,))
    assert job.future.result() == "made" and job.before == ()


def test_putting_other_data_into_use_cancels_the_jobs_of_the_old():
    def script():
        import threading

        import streamlit as st

        from dashboard import background

        release = threading.Event()
        background.start("job", lambda progress, publish: release.wait(10))
        st.session_state["job"] = st.session_state["data_background_jobs"]["job"]
        import pandas as pd

        from dashboard import shown_data
        from retention_core.dataset import Dataset

        shown_data.use_uploaded(Dataset(transactions=pd.DataFrame(), key="other", name="other.csv"))
        release.set()

    app = in_a_session(script)
    assert app.session_state["job"].cancelled.is_set() and app.session_state[keys.BACKGROUND_JOBS] == {}


@pytest.mark.slow  # waits real time: the full suite's
def test_a_sessions_jobs_run_in_the_order_they_were_started_even_when_a_later_thread_comes_first():
    queue, order = work_queue.WorkQueue(2), []
    first, second = background.Job(), background.Job()

    def job(name):
        def work(progress, publish):
            order.append(name)
            return name
        return work

    later = threading.Thread(target=background._run, args=(second, job("second"), queue, "s/background",
                                                           (first.future,)))
    later.start()  # its thread runs first, but it waits for the job started before it, holding no slot
    time.sleep(0.3)
    assert order == [] and queue.waiting == 0
    background._run(first, job("first"), queue, "s/background")
    later.join(10)
    assert order == ["first", "second"] and second.future.result() == "second"


def test_a_job_cancelled_while_it_waits_for_the_jobs_before_it_does_not_run():
    earlier, job, ran = background.Job(), background.Job(), []
    runner = threading.Thread(target=background._run, args=(job, lambda *given: ran.append(given),
                                                            work_queue.WorkQueue(1), "s/background", (earlier.future,)))
    runner.start()
    job.cancelled.set()
    earlier.future.set_result(None)
    runner.join(10)
    assert ran == [] and isinstance(job.future.exception(), background.Cancelled)


def test_a_cancelled_job_waiting_for_a_slot_gives_its_place_up():
    queue = work_queue.WorkQueue(1)
    job, ran = background.Job(), []
    with queue.turn("another session"):
        runner = threading.Thread(target=background._run, args=(job, lambda *given: ran.append(given), queue,
                                                                     "someone/background"))
        runner.start()
        until(lambda: queue.waiting == 1)
        job.cancelled.set()
        runner.join(10)
    assert ran == [] and queue.waiting == 0 and isinstance(job.future.exception(), background.Cancelled)


def test_a_background_job_holds_its_own_slot_not_the_one_of_its_sessions_page():
    queue = work_queue.WorkQueue(2)
    job, inside, release = background.Job(), threading.Event(), threading.Event()

    def work(progress, publish):
        inside.set()
        release.wait(10)

    runner = threading.Thread(target=background._run, args=(job, work, queue, "session/background"))
    runner.start()
    inside.wait(10)
    with queue.turn("session") as waited:  # the session's page does not wait behind its background
        assert waited < 1
    release.set()
    runner.join(10)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value is Linux's")
def test_a_background_thread_runs_at_a_lower_priority_than_the_server():
    seen = {}

    def lowered() -> None:
        thread = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, thread)
        seen["done"] = background.lower_priority()
        seen["change"] = os.getpriority(os.PRIO_PROCESS, thread) - before
        child = threading.Thread(target=lambda: seen.setdefault(
            "child", os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) - before))
        child.start()
        child.join()

    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    worker = threading.Thread(target=lowered)
    worker.start()
    worker.join()
    expected = min(main_before + background.NICENESS, 19) - main_before
    assert seen == {"done": True, "change": expected, "child": expected}  # the threads it starts inherit it
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before  # this thread is untouched


@pytest.mark.slow
def test_the_clv_page_and_its_discount_rate_need_only_the_horizons_months_not_the_rest(monkeypatch):
    rest, make_basis = threading.Event(), models.forecast_basis

    def held_back(fitted, *args, extending=None, **kwargs):
        if extending is not None and extending.months >= 72:  # beyond the horizon's year after the default's
            rest.wait(60)
        return make_basis(fitted, *args, extending=extending, **kwargs)

    replace_forecast_basis(monkeypatch, held_back)
    try:
        app = sample_as_upload()
        job = forecast_job(app)
        until(lambda: job.part is not None)
        app.switch_page("app_pages/clv.py").run(timeout=30)
        assert not app.exception, app.exception
        app.select_slider(key="clv_discount_rate").set_value(10.0).run(timeout=30)
        assert not app.exception, app.exception
        until(lambda: job.part[0].months == 72)
        app.slider(key="clv_horizon").set_value(6).run(timeout=30)  # a year further: its months are published
        assert not app.exception, app.exception
        assert not job.future.done()  # all served by the parts made: the rest is still held back
    finally:
        rest.set()
    until(job.future.done)
    app.slider(key="clv_horizon").set_value(10).run()  # 120 months: the whole basis, taken over now
    assert not app.exception, app.exception
    assert forecast_jobs_left(app) == []
