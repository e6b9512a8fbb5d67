"""Shared fixtures: the real CDNOW transaction log from ../shared/data, as canonical transactions, and a tiny
hand-checked business aggregated by quarter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from retention_core.dataset import Dataset, aggregate

CDNOW = Path(__file__).resolve().parents[2] / "shared" / "data" / "CDNOW_sample.txt"


@pytest.fixture(scope="session")
def cdnow() -> pd.DataFrame:
    """CDNOW's 2,357 first-quarter-1997 customers (Fader, Hardie & Lee 2005): customer_id, order_date, amount
    (dollars) and quantity (CDs), 6,919 rows. Skips with the reason when ../shared/data is not beside the repo."""
    if not CDNOW.exists():
        pytest.skip(f"CDNOW sample not found at {CDNOW} (the shared data directory is not beside this checkout)")
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
