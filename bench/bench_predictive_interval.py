"""Predictive interval benchmark: what the BG/NBD + Gamma-Gamma interval adds to the fit, and to a slider move.

Run: python bench/bench_predictive_interval.py [--rows 1000000] [--repeats 3]

For the embedded sample and for each generated order log (``bench/out/orders_<rows>_zstd.parquet``, made by
``bench/bench_scale.py`` when missing) this fits the models once (:func:`retention_core.models.fit_predictive_models`,
timed, with the interval), then prints: customers and fit customers; the interval's own time
(:func:`retention_core.models.with_uncertainty` on the fit: the observed information, the draws and the
linearisation on at most ``EVALUATION_CUSTOMERS`` customers), best and median of ``--repeats``; and per slider move the
interval's arithmetic (:meth:`PredictiveUncertainty.clv_interval` at a 5-year horizon), median of 200 calls.
Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def measure(name: str, transactions, repeats: int) -> dict:
    from retention_core import models

    began = time.perf_counter()
    fitted = models.fit_predictive_models(transactions)
    result = {"data": name, "customers": fitted.customers, "fit_customers": fitted.fit_customers,
              "fit_with_interval_s": time.perf_counter() - began}
    bare = dataclasses.replace(fitted, uncertainty=None)
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        models.with_uncertainty(bare)
        times.append(time.perf_counter() - began)
    result["interval_best_s"], result["interval_median_s"] = min(times), statistics.median(times)
    calls = []
    for _ in range(200):
        began = time.perf_counter()
        fitted.uncertainty.clv_interval(100.0, 0.1, 60)
        calls.append(time.perf_counter() - began)
    result["slider_ms"] = statistics.median(calls) * 1000
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    import pandas as pd
    from bench_scale import upload_file

    from sample_data import load_sample

    print(json.dumps(measure("sample", load_sample().transactions, arguments.repeats)))
    for rows in arguments.rows:
        frame = pd.read_parquet(upload_file(rows, csv=False), columns=["customer_id", "order_date", "amount"])
        print(json.dumps(measure(f"{rows} rows", frame, arguments.repeats)))


if __name__ == "__main__":
    main()
