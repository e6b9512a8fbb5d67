"""Shared fixtures: the embedded sample business (loaded and aggregated once per test run), the real CDNOW
transaction log as canonical transactions, and a tiny hand-checked business aggregated by quarter.

The CDNOW log is not part of the repository (its README in the shared data directory asks not to copy it in). It is
read from ``$CDNOW_SAMPLE`` when that is set, else from ``../shared/data/CDNOW_sample.txt`` beside the checkout. The
published-number tests that need it skip without it, and pytest says so once after collecting and again in the
summary: how many tests cannot run and where to put the file.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

from retention_core.dataset import Aggregates, Dataset, aggregate
from sample_data import load_sample

CDNOW_VARIABLE = "CDNOW_SAMPLE"
CDNOW_BESIDE = Path(__file__).resolve().parents[2] / "shared" / "data" / "CDNOW_sample.txt"
CDNOW = Path(os.environ[CDNOW_VARIABLE]).expanduser() if os.environ.get(CDNOW_VARIABLE) else CDNOW_BESIDE
CDNOW_MISSING = (f"CDNOW sample not found at {CDNOW}: put CDNOW_sample.txt (Fader, Hardie & Lee 2005) there or set "
                 f"{CDNOW_VARIABLE}=/path/to/CDNOW_sample.txt")


# Property-based tests draw the same examples on every run (a seed per test, no example database kept between
# runs): a failure found once is found again, and the suite cannot turn red on an example nobody can reproduce.
settings.register_profile("reproducible", derandomize=True, database=None)
settings.load_profile("reproducible")


@pytest.fixture(autouse=True)
def _background_jobs_end_with_their_test():
    """After each test, wait for the sessions' background jobs it started (dashboard/background.py: an upload's
    forecast and the segments' first use) to end: a daemon thread still inside DuckDB when the interpreter exits
    aborts the process (exit code 134), and a job left running would compete with the next tests."""
    yield
    for thread in threading.enumerate():
        if thread.name == "retention_background":
            thread.join(120)


def _cdnow_tests(items: list[pytest.Item]) -> list[pytest.Item]:
    return [item for item in items if "cdnow" in getattr(item, "fixturenames", ())]


def pytest_report_collectionfinish(config: pytest.Config, start_path: Path, items: list[pytest.Item]) -> list[str]:
    """One line under "collected N items": where the CDNOW log is read from, or how many tests will skip without it."""
    count = len(_cdnow_tests(items))
    if not count:
        return []
    if CDNOW.exists():
        return [f"CDNOW sample: {CDNOW} ({count} published-number tests use it)"]
    return [f"CDNOW sample MISSING: {count} published-number tests will skip. {CDNOW_MISSING}"]


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Repeat the missing-CDNOW line at the end, where a reader of the summary looks."""
    skipped = [report for report in terminalreporter.stats.get("skipped", [])
               if isinstance(report.longrepr, tuple) and "CDNOW sample not found" in str(report.longrepr[2])]
    if skipped:
        terminalreporter.write_sep("=", f"{len(skipped)} published-number tests skipped: no CDNOW sample",
                                   yellow=True)
        terminalreporter.write_line(CDNOW_MISSING)


@pytest.fixture(scope="session")
def cdnow() -> pd.DataFrame:
    """CDNOW's 2,357 first-quarter-1997 customers (Fader, Hardie & Lee 2005): customer_id, order_date, amount
    (dollars) and quantity (CDs), 6,919 rows. Skips with the reason when the file is not found (see the module)."""
    if not CDNOW.exists():
        pytest.skip(CDNOW_MISSING)
    log = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["customer_id", "sample_id", "date", "cds", "dollars"],
                      dtype={"customer_id": "str", "date": "str"})
    return pd.DataFrame({
        "customer_id": log["customer_id"],
        "order_date": pd.to_datetime(log["date"], format="%Y%m%d"),
        "amount": log["dollars"].astype("float64"),
        "quantity": log["cds"].astype("float64"),
    })


@pytest.fixture(scope="session")
def tiny_aggregates():
    """Aggregates of four customers: A: Q1, Q2, Q3; B: Q1 only; C: Q2, Q3; D: Q3. Quarterly, 3-month window.

    Q2: S = 2, N = 1 (C), E = 2; Q3: S = 2, N = 1 (D), E = 3. Pooled retention Σ(E − N) / ΣS = 3 / 4 per
    quarter; revenue per active customer Σrevenue / ΣE = (70 + 160) / 5 = 46 per quarter. No cost sheet.
    """
    orders = pd.DataFrame({
        "customer_id": pd.array(["A", "A", "A", "B", "C", "C", "D"], dtype="str"),
        "order_date": pd.to_datetime(["2024-01-05", "2024-04-05", "2024-07-05", "2024-02-01", "2024-05-01",
                                      "2024-08-01", "2024-09-30"]),
        "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0],
    })
    return aggregate(Dataset(transactions=orders, key="tiny", name="tiny"), "quarter", 3)


@pytest.fixture(scope="session")
def sample_dataset() -> Dataset:
    """The embedded sample business as the app loads it (through the upload path), once per test run: reading and
    preparing its four German sheets is the slow part of many test modules. A frozen dataclass; a test that needs
    to change its frames makes a copy."""
    return load_sample()


@pytest.fixture(scope="session")
def sample_quarterly(sample_dataset: Dataset) -> Aggregates:
    """The sample aggregated as the app first shows it: quarters, a 12-month activity window."""
    return aggregate(sample_dataset, "quarter", 12)

