"""Customer list benchmark (issue 26, point 4): build, sort, page, the "valuable and at risk" preset, downloads.

Run: python bench/bench_customer_list.py [--rows 1000000] [--repeats 3]

Reads ``bench/out/orders_<rows>.parquet`` (``bench/generate_orders.py``), aggregates it with the predictive fits and
makes the forecast basis (not timed here: the aggregation's and the CLV page's work), labels the customers by RFM
group, then prints the median of ``--repeats`` runs and the peak of traced allocations (NumPy reports its arrays to
``tracemalloc``; a separate run, so tracing does not slow the timed one) of:

- :func:`segments.customer_list` (once per data set: ids matched to the fits' summary, P(alive) 13 weeks ago);
- :func:`segments.customer_values` (per slider move of margin, discount rate or horizon);
- sorting every customer by CLV and by id with :func:`segments.sorted_rows` (NumPy, stable argsort), against the
  same order and page from DuckDB (``ORDER BY … LIMIT … OFFSET`` on a private connection);
- one page of 50 rows (:func:`segments.page_rows` + :func:`segments.list_table`);
- the preset (:func:`segments.selected_rows` with ``at_risk``) sorted by value at risk;
- the whole list as a table and as the CSV and XLSX downloads (:mod:`retention_views.customer_list`), and the
  first ``--openpyxl-rows`` as XLSX both by openpyxl (:func:`exports.to_xlsx_bytes`) and written directly.

Prints the machine load (``os.getloadavg``) first and last. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def measured(run, repeats: int) -> tuple[float, float, object]:
    """Median seconds of ``repeats`` runs, the traced peak (MB) of one more, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return statistics.median(times), peak, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--openpyxl-rows", type=int, default=20_000,
                        help="rows for the comparison with openpyxl (minutes for the whole list)")
    args = parser.parse_args()

    import duckdb
    import numpy as np
    import pandas as pd

    from retention_core import models, segments
    from retention_core.dataset import Dataset, aggregate
    from retention_views import customer_list as views
    from retention_views import exports

    print(f"load average at start: {' '.join(f'{value:.2f}' for value in os.getloadavg())} ({os.cpu_count()} cores)")
    orders = pd.read_parquet(ROOT / "bench" / "out" / f"orders_{args.rows}.parquet")
    start = time.perf_counter()
    aggs = aggregate(Dataset(transactions=orders, key="bench", name="bench"), "quarter", 12)
    basis = models.forecast_basis(aggs.predictive)
    labels = segments.assign("rfm", aggs.customers)
    print(f"{len(orders):,} rows, {len(aggs.customers):,} customers; aggregation, fits and forecast basis "
          f"{time.perf_counter() - start:.1f} s (not part of the list)")
    del orders

    def report(name: str, seconds: float, peak: float, extra: str = "") -> None:
        print(f"{name:44} {seconds * 1000:9.1f} ms  peak {peak:7.1f} MB traced {extra}")

    seconds, peak, customers = measured(
        lambda: segments.customer_list(aggs.customers, aggs.predictive, basis, labels), args.repeats)
    report("customer_list (once per data set)", seconds, peak)
    seconds, peak, values = measured(lambda: segments.customer_values(customers, 0.4, 0.1, 60), args.repeats)
    report("customer_values (per slider move)", seconds, peak)
    every = np.arange(customers.customers)
    seconds, peak, _ = measured(lambda: type(customers).id_rank.func(customers), args.repeats)
    report("id ranks (once, for sorting by id)", seconds, peak)
    for column in ("clv", "customer_id", "last_order"):
        seconds, peak, order = measured(lambda: segments.sorted_rows(customers, values, every, column),
                                        args.repeats)
        report(f"sort all by {column} (NumPy)", seconds, peak)
    seconds, peak, page = measured(lambda: segments.list_table(
        customers, values, segments.page_rows(segments.sorted_rows(customers, values, every, "clv"), 2,
                                              args.page_size)), args.repeats)
    report(f"sort by clv + page 2 of {args.page_size} rows (NumPy)", seconds, peak)
    seconds, peak, page = measured(lambda: segments.list_table(customers, values, segments.sorted_page(
        customers, values, every, "clv", True, 2, args.page_size)), args.repeats)
    report(f"page 2 of {args.page_size} by clv (NumPy partition)", seconds, peak)

    connection = duckdb.connect()  # a private in-memory database
    frame = pd.DataFrame({"position": every, "clv": values.clv, "id_rank": customers.id_rank})
    connection.register("customers", frame)
    query = ("SELECT position FROM customers ORDER BY clv DESC NULLS LAST, position "
             "LIMIT $size OFFSET $offset")
    seconds, peak, positions = measured(lambda: connection.execute(
        query, {"size": args.page_size, "offset": args.page_size}).fetchnumpy()["position"], args.repeats)
    report(f"page 2 of {args.page_size} by clv (DuckDB ORDER BY LIMIT)", seconds, peak)
    numpy_page = segments.page_rows(segments.sorted_rows(customers, values, every, "clv"), 2, args.page_size)
    print(f"{'':44} same rows as NumPy: {bool(np.array_equal(positions, numpy_page))}")
    seconds, peak, _ = measured(lambda: connection.execute(
        "SELECT position FROM customers ORDER BY clv DESC NULLS LAST, position").fetchnumpy()["position"],
        args.repeats)
    report("full order by clv (DuckDB)", seconds, peak)
    connection.close()

    def preset():
        rows = segments.selected_rows(customers, values, at_risk=True)
        return segments.sorted_rows(customers, values, rows, "value_at_risk")

    seconds, peak, at_risk = measured(preset, args.repeats)
    report("preset 'valuable and at risk', sorted", seconds, peak, f"({len(at_risk):,} customers)")
    seconds, peak, means = measured(lambda: segments.predictive_mean_clv(customers, values), args.repeats)
    report("predictive mean CLV per segment", seconds, peak, f"({len(means)} rows)")

    seconds, peak, table = measured(lambda: segments.list_table(customers, values, every), 1)
    report(f"whole list as a table ({len(table):,} rows)", seconds, peak)
    for lang in ("de", "en"):
        seconds, peak, data = measured(lambda: views.csv_bytes(table, lang, "EUR", 13), 1)
        report(f"CSV download ({lang})", seconds, peak, f"({len(data) / 1e6:.1f} MB)")
    seconds, peak, data = measured(lambda: views.xlsx_bytes(table, "de", "EUR", 13), 1)
    report("XLSX download (sheet XML written directly)", seconds, peak, f"({len(data) / 1e6:.1f} MB)")
    sample = table.iloc[:args.openpyxl_rows]
    seconds, peak, data = measured(lambda: exports.to_xlsx_bytes(views.download_frame(sample, "de", "EUR", 13)), 1)
    report(f"XLSX of the first {len(sample):,} rows by openpyxl", seconds, peak, "(for comparison)")
    seconds, peak, data = measured(lambda: views.xlsx_bytes(sample, "de", "EUR", 13), 1)
    report(f"XLSX of the first {len(sample):,} rows written directly", seconds, peak, "(for comparison)")
    print(f"load average at end: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
