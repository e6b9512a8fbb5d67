"""Peak RSS of load + aggregate at one size, with or without the tenure rows of the intervals (issue 27).

Run (one size per process, so the peak is its own):
python bench/bench_aggregate_peak.py --rows 10000000 [--without] [--customers]

Loads the generated order log as the Data page does (``bench_scale.upload_file``, transparent huge pages left as the
app's frame does), runs ``aggregate(dataset, "quarter", 12)`` and prints one JSON line: the time of each step, the
peak RSS after load and after the aggregation. ``--without`` patches out the tenure rows
(``queries.customer_tenure_revenue`` and ``intervals.customer_tenure_positions``; the one tenure query still runs):
the replicates are then the basis alone, as before the tenure profits were resampled. ``--customers`` also loads the customers sheet
(``bench/out/customers_<rows>.parquet``, as ``bench_segments.py`` does) into the data set (issue 26). The peak RSS
at the end of each step (``step_peaks_mib``) shows in which step the peak was reached. Run above 1 M rows under
``flock /work/bench_out/big.lock``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--without", action="store_true", help="without the tenure rows (the basis alone)")
    parser.add_argument("--customers", action="store_true", help="with the customers sheet (issue 26)")
    args = parser.parse_args()
    from bench_scale import StepClock, peak_rss_mib, upload_file
    from bench_segments import files, prepared

    from dashboard import runtime
    from retention_core import intervals, queries
    from retention_core.dataset import Dataset, aggregate

    runtime.avoid_huge_page_stalls()
    if args.without:
        queries.customer_tenure_revenue = lambda *_, **__: None
        intervals.customer_tenure_positions = lambda *_: None
    path = upload_file(args.rows, False)
    orders = prepared(path, "transactions")
    dataset = Dataset(transactions=orders.frame, key=path.name, name=path.name, transaction_codes=orders.codes)
    del orders
    if args.customers:  # read and prepared after the orders' read is gone, as the Data page's second upload
        dataset = replace(dataset, customers=prepared(files(args.rows)[1], "customers").frame)
    after_load = peak_rss_mib()
    clock = StepClock()
    began = time.perf_counter()
    aggs = aggregate(dataset, "quarter", 12, progress=clock)
    print(json.dumps({
        "rows": args.rows, "aggregate_s": round(time.perf_counter() - began, 2),
        "steps": {step: round(seconds, 2) for step, seconds in clock.steps.items()},
        "peak_after_load_mib": round(after_load), "peak_after_aggregate_mib": round(peak_rss_mib()),
        "step_peaks_mib": {step: round(peak) for step, peak in clock.peaks.items()}, "customers_sheet": args.customers,
        "tenure_replicates": aggs.basis_replicates.tenure_revenue_per_active is not None,
    }))


if __name__ == "__main__":
    main()
