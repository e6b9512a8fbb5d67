"""Intervals benchmark: the bootstrap replicates of the annual basis, and the slider-time work they add.

Run: python bench/bench_intervals.py [--rows 1000000 10000000] [--repeats 5]

For each size (the generated order logs of ``bench/bench_scale.py``, about 2.8 rows per customer) this prepares the
upload as the Data page does and aggregates it once (not timed here: ``bench_scale.py`` reports it), then prints:

- customers in the summary and those the bootstrap weights (bought in the last 24 months, or with a whole tenure
  year in the data);
- the tenure rows: :func:`retention_core.queries.customer_tenure_revenue` as ``aggregate`` runs it in its "tenure"
  step (coded ids, a fresh DuckDB database), best and median of ``--repeats`` runs, its result's rows and size and
  the process's resident memory at its peak during the query over that before it (sampled every 5 ms: DuckDB's
  memory is not traced), and :func:`retention_core.queries.revenue_by_tenure` beside it for scale (the same load),
  then :func:`retention_core.intervals.customer_tenure_positions`;
- replicates: :func:`retention_core.intervals.basis_replicates` on the customer summary with the tenure rows
  (what ``aggregate`` adds to its "customers" step) and without them (the basis alone, as before), best and
  median of ``--repeats`` runs, and their peak of traced allocations (NumPy reports its arrays to
  ``tracemalloc``);
- per rerun: :func:`whatif.clv_intervals` and :func:`whatif.profit_intervals` at the page defaults with the retention
  moved (so the replicates' arrays are read, not rebuilt), median of 50 calls; the first call of each, which
  builds the replicates' arrays of measurements once per data set, separately.

- segments (by acquisition year): :func:`retention_core.segments.segment_replicates` (once per data set and
  dimension; the whole's replicates reused), best and median of ``--repeats`` runs, and
  :func:`retention_core.segments.segment_intervals` per rerun (median of 50 margins).

A machine probe (``bench_scale.machine_probe``) runs before and after. Nothing here asserts a time; the targets
(a few seconds and a few hundred MB at 3.6 M customers, reruns < 0.2 s) are printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


class RssPeak:
    """The process's resident memory sampled every 5 ms while the ``with`` block runs: ``growth_mb`` is its peak
    over its value at the start."""

    def __enter__(self) -> RssPeak:
        self._start = self._peak = _rss_mb()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._done.wait(0.005):
            self._peak = max(self._peak, _rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        self.growth_mb = max(self._peak, _rss_mb()) - self._start


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def measure(rows: int, repeats: int) -> dict:
    import numpy as np
    import pandas as pd
    from bench_scale import upload_file
    from bench_segments import prepared

    from retention_core import intervals, queries, segments
    from retention_core.coded_orders import _customer_codes
    from retention_core.dataset import Dataset, aggregate
    from retention_core.engines import DuckDBEngine
    from retention_views import whatif

    path = upload_file(rows, csv=False)
    orders = prepared(path, "transactions")
    dataset = Dataset(transactions=orders.frame, key=path.name, name=path.name, transaction_codes=orders.codes)
    del orders
    aggs = aggregate(dataset, "quarter", 12)
    customers, basis = aggs.customers, aggs.basis
    result = {"rows": rows, "customers": len(customers)}
    coded, uniques = _customer_codes(dataset.transactions, products=False, known=dataset.transaction_codes)
    ids = pd.Series(np.arange(len(uniques), dtype=np.int32)) if uniques is not None else customers["customer_id"]
    engine = DuckDBEngine(fresh_database=True)
    times, growth = [], []
    for _ in range(repeats):
        with RssPeak() as peak:
            began = time.perf_counter()
            tenure_rows = queries.customer_tenure_revenue(coded, "year", engine, max_tenure=intervals.TENURE_YEARS)
            times.append(time.perf_counter() - began)
        growth.append(peak.growth_mb)
    result["tenure_rows"], result["tenure_rows_mb"] = len(tenure_rows), tenure_rows.memory_usage().sum() / 1e6
    result["tenure_query_best_s"], result["tenure_query_median_s"] = min(times), statistics.median(times)
    result["tenure_query_rss_growth_mb"] = max(growth)
    table_times, table_growth = [], []
    for _ in range(repeats):  # the tenure table's own query, under the same load, for scale
        with RssPeak() as peak:
            began = time.perf_counter()
            queries.revenue_by_tenure(coded, "year", engine)
            table_times.append(time.perf_counter() - began)
        table_growth.append(peak.growth_mb)
    result["tenure_table_best_s"], result["tenure_table_rss_growth_mb"] = min(table_times), max(table_growth)
    began = time.perf_counter()
    tenures = intervals.customer_tenure_positions(ids, tenure_rows)
    result["positions_s"] = time.perf_counter() - began
    del tenure_rows, coded
    result["weighted"] = intervals.ReplicateColumns.of(customers, basis, tenures,
                                                      intervals.TENURE_YEARS).customer_count
    for name, rows_of_tenures in (("replicates", tenures), ("basis_only", None)):
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            intervals.basis_replicates(customers, basis, customer_tenures=rows_of_tenures)
            times.append(time.perf_counter() - began)
        result[f"{name}_best_s"], result[f"{name}_median_s"] = min(times), statistics.median(times)
        tracemalloc.start()
        replicates = intervals.basis_replicates(customers, basis, customer_tenures=rows_of_tenures)
        result[f"{name}_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    replicates = intervals.basis_replicates(customers, basis, customer_tenures=tenures)
    labels = segments.assign("acquisition_year", customers)
    bases = segments.segment_bases(customers, labels, basis)
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        made = segments.segment_replicates(customers, labels, bases, whole=aggs.basis_replicates)
        times.append(time.perf_counter() - began)
    result["segment_rows"] = len(bases.rows)
    result["segments_best_s"], result["segments_median_s"] = min(times), statistics.median(times)
    calls = []
    for margin in np.linspace(0.2, 0.6, 50):
        began = time.perf_counter()
        segments.segment_intervals(made, gross_margin=float(margin), annual_discount_rate=0.1)
        calls.append(time.perf_counter() - began)
    result["segments_rerun_ms"] = statistics.median(calls) * 1000
    values = whatif.resolve(aggs, {}).values
    aggs = type(aggs)(**{**{name: getattr(aggs, name) for name in aggs.__dataclass_fields__},
                         "basis_replicates": replicates})
    for name, call in (("clv", lambda v: whatif.clv_intervals(basis, replicates, v)),
                       ("profit", lambda v: whatif.profit_intervals(aggs, v))):
        began = time.perf_counter()
        call(values)
        result[f"{name}_first_ms"] = (time.perf_counter() - began) * 1000
        moved = {**values, "clv_annual_retention": 0.5, "profit_uplift": 0.03}
        calls = []
        for _ in range(50):
            began = time.perf_counter()
            call(moved)
            calls.append(time.perf_counter() - began)
        result[f"{name}_rerun_ms"] = statistics.median(calls) * 1000
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process measuring one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.repeats)))
        return
    from bench_scale import machine_probe

    probes = [machine_probe()]
    for rows in args.rows:
        output = subprocess.run([sys.executable, __file__, "--one", str(rows), "--repeats", str(args.repeats)],
                                check=True, capture_output=True, text=True).stdout
        found = json.loads(output.strip().splitlines()[-1])
        print(f"{found['rows']:>10,} rows, {found['customers']:,} customers ({found['weighted']:,} weighted): "
              f"tenure rows query {found['tenure_query_best_s']:.2f} s best / "
              f"{found['tenure_query_median_s']:.2f} s median, {found['tenure_rows']:,} rows "
              f"({found['tenure_rows_mb']:.0f} MB), resident memory +{found['tenure_query_rss_growth_mb']:.0f} MB "
              f"at most (the tenure table's own query {found['tenure_table_best_s']:.2f} s best, "
              f"+{found['tenure_table_rss_growth_mb']:.0f} MB); "
              f"positions {found['positions_s']:.2f} s; "
              f"replicates with tenures {found['replicates_best_s']:.2f} s best / "
              f"{found['replicates_median_s']:.2f} s median, peak {found['replicates_peak_mb']:.0f} MB traced; "
              f"basis alone {found['basis_only_best_s']:.2f} s / {found['basis_only_median_s']:.2f} s, "
              f"peak {found['basis_only_peak_mb']:.0f} MB (target: a few s, a few hundred MB); "
              f"per rerun CLV {found['clv_rerun_ms']:.1f} ms, profit {found['profit_rerun_ms']:.1f} ms "
              f"(first call {found['clv_first_ms']:.0f} / {found['profit_first_ms']:.0f} ms; target rerun < 200 ms); "
              f"segments by acquisition year ({found['segment_rows']} rows): replicates "
              f"{found['segments_best_s']:.2f} s best / {found['segments_median_s']:.2f} s median, intervals per "
              f"rerun {found['segments_rerun_ms']:.1f} ms")
    probes.append(machine_probe())
    print(f"machine probe: {probes[0]:.2f} s before, {probes[1]:.2f} s after")


if __name__ == "__main__":
    main()
