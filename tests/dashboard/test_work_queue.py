"""A busy server, honestly (issue 24): heavy jobs of all sessions take turns in a few slots, first come first
served, one per session, and a waiting page says that it waits, behind how many, and for how long."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest
from apptest_support import APP
from streamlit.testing.v1 import AppTest

from dashboard import keys, work_queue
from dashboard.work_queue import WorkQueue, work_slots
from retention_core.dataset import Dataset


class Job:
    """A job in its own thread that takes its turn in ``queue`` and then holds the slot until released."""

    def __init__(self, queue: WorkQueue, owner: str, log: list, name: str | None = None) -> None:
        self.name = name or owner
        self.waits: list[int] = []
        self.release = threading.Event()
        self.started = threading.Event()

        def run() -> None:
            with queue.turn(owner, lambda ahead, seconds: self.waits.append(ahead), poll_seconds=0.01):
                log.append(self.name)
                self.started.set()
                self.release.wait(5)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def finish(self) -> None:
        self.release.set()
        self.thread.join(5)
        assert not self.thread.is_alive()


def until(condition, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_with_one_slot_a_second_job_waits_behind_the_first_and_hears_how_many_are_ahead():
    queue, log = WorkQueue(1), []
    first = Job(queue, "a", log)
    first.started.wait(5)
    second = Job(queue, "b", log)
    until(lambda: second.waits)
    assert log == ["a"] and not second.started.is_set()
    assert second.waits and set(second.waits) == {1}
    first.finish()
    assert second.started.wait(5)
    second.finish()


def test_waiting_jobs_start_in_the_order_they_came():
    queue, log = WorkQueue(1), []
    first = Job(queue, "a", log)
    first.started.wait(5)
    jobs = []
    for owner in "bcd":
        jobs.append(Job(queue, owner, log))
        until(lambda: jobs[-1].waits)  # arrive one after the other
    assert jobs[2].waits[-1] == 3  # a runs, b and c wait before d
    first.finish()
    for job in jobs:
        assert job.started.wait(5)
        job.finish()
    assert log == ["a", "b", "c", "d"]


def test_two_slots_let_a_small_job_run_beside_a_heavy_one():
    queue, log = WorkQueue(2), []
    heavy = Job(queue, "heavy", log)
    heavy.started.wait(5)
    small = Job(queue, "small", log)
    assert small.started.wait(5) and small.waits == []  # never waited
    small.finish()
    heavy.finish()


def test_one_session_runs_one_job_at_a_time_while_others_take_the_free_slot():
    queue, log = WorkQueue(2), []
    first = Job(queue, "x", log, "x1")
    first.started.wait(5)
    again = Job(queue, "x", log, "x2")
    until(lambda: again.waits)
    other = Job(queue, "y", log)
    assert other.started.wait(5)  # the session x does not block the free slot for others
    assert not again.started.is_set()
    first.finish()
    assert again.started.wait(5)
    again.finish()
    other.finish()
    assert log == ["x1", "y", "x2"]


def test_a_job_whose_page_is_left_while_waiting_gives_its_place_up():
    queue, log = WorkQueue(1), []
    first = Job(queue, "a", log)
    first.started.wait(5)
    left = []

    def leave(ahead: int, seconds: float) -> None:
        raise RuntimeError("the user went to another page")

    def run() -> None:
        try:
            with queue.turn("b", leave, poll_seconds=0.01):
                log.append("b")
        except RuntimeError:
            left.append(True)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(5)
    assert left == [True]
    third = Job(queue, "c", log)
    first.finish()
    assert third.started.wait(5)  # b's place is not held by anyone
    third.finish()
    assert log == ["a", "c"]


@pytest.mark.parametrize(("value", "slots"), [(None, 2), ("", 2), ("1", 1), (" 4 ", 4)])
def test_the_number_of_slots_comes_from_the_environment(value, slots):
    assert work_slots({} if value is None else {"RETENTION_WORK_SLOTS": value}) == slots


@pytest.mark.parametrize("value", ["0", "-1", "zwei", "1.5", "²"])
def test_a_number_of_slots_that_is_not_a_whole_number_from_one_is_refused_by_name(value):
    with pytest.raises(ValueError, match="RETENTION_WORK_SLOTS must be a whole number of at least 1"):
        work_slots({"RETENTION_WORK_SLOTS": value})


@pytest.mark.slow
def test_an_aggregation_waiting_for_the_server_says_so_and_how_long_it_waited(monkeypatch):
    queue = WorkQueue(1)
    monkeypatch.setattr(work_queue, "server_queue", lambda: queue)
    orders = pd.DataFrame({"customer_id": pd.array(["A", "A", "B"], dtype="str"),
                           "order_date": pd.to_datetime(["2024-01-05", "2024-04-05", "2024-02-01"]),
                           "amount": [10.0, 20.0, 30.0]})
    busy = Job(queue, "another session", [])
    busy.started.wait(5)

    def release_when_the_page_waits() -> None:
        until(lambda: queue.waiting, seconds=60)
        time.sleep(2)
        busy.release.set()

    threading.Thread(target=release_when_the_page_waits, daemon=True).start()
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state[keys.DATASET] = Dataset(transactions=orders, key="wait", name="wait")
    app.session_state[keys.SOURCE] = "upload"
    began = time.monotonic()
    app.run()
    assert not app.exception, app.exception
    assert time.monotonic() - began >= 2
    [(label, done)] = [(box.label, box.state) for box in app.status]
    assert done == "complete" and label.startswith("Daten zusammengefasst (nach ") and label.endswith(" s Wartezeit)")
    busy.finish()
