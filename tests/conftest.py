"""Shared fixtures: the real CDNOW transaction log from ../shared/data, as canonical transactions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

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
