"""Segments benchmark (issue 26): the first orders, each dimension's labels, the segment bases and the figures.

Run: python bench/bench_segments.py [--rows 1000000] [--repeats 3]

Reads ``bench/out/orders_<rows>.parquet`` (``bench/generate_orders.py``), builds the customer summary with its
annual columns and the annual basis (not timed: the aggregation's "customers" step), gives every order a synthetic
channel (a hash of the customer id), then prints the median of ``--repeats`` runs of:

- :func:`segments.first_orders` (one pass over the orders; what every first-order dimension needs);
- per dimension: :func:`segments.assign`, :func:`segments.segment_bases` (once per data set and dimension) and
  :func:`segments.segment_figures` (per slider move; target < 0.2 s server-side), and the Segments page's view
  (:func:`retention_views.page_results.segment_view`: figures, uplift, names and notes, plus its table as shown,
  :func:`~retention_views.page_results.shown_table`): what a slider move on the page computes.

Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def median_seconds(run, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import pandas as pd

    from retention_core import queries, segments
    from retention_core.customer_value import annual_basis
    from retention_views import page_results

    orders = pd.read_parquet(ROOT / "bench" / "out" / f"orders_{args.rows}.parquet")
    end = orders.loc[orders["amount"] >= 0, "order_date"].max()
    customer_table = queries.customer_summary(orders, basis_end=end)
    basis = annual_basis(customer_table)
    channels = pd.Series(["web", "shop", "phone", "market"]).to_numpy()
    hashed = pd.util.hash_pandas_object(orders["customer_id"], index=False).to_numpy() % len(channels)
    orders = orders.assign(channel=pd.array(channels[hashed], dtype="str"))
    print(f"{len(orders):,} rows, {len(customer_table):,} customers")
    seconds, first = median_seconds(lambda: segments.first_orders(orders, attribute="channel"), args.repeats)
    print(f"first_orders: {seconds:.2f} s")
    for dimension in segments.DIMENSIONS:
        assign_s, labels = median_seconds(lambda: segments.assign(dimension, customer_table, first), args.repeats)
        bases_s, bases = median_seconds(lambda: segments.segment_bases(customer_table, labels, basis), args.repeats)
        figures_s, figures = median_seconds(
            lambda: segments.segment_figures(bases, gross_margin=0.4, annual_discount_rate=0.1), args.repeats)
        view_s, _ = median_seconds(lambda: page_results.shown_table(page_results.segment_view(
            bases, dimension, gross_margin=0.4, annual_discount_rate=0.1, horizon_years=5, lang="de").table,
            "de", "EUR"), args.repeats)
        print(f"{dimension:18} assign {assign_s:.2f} s, bases {bases_s:.2f} s, figures {figures_s:.3f} s, "
              f"page view {view_s:.3f} s, {len(figures.table)} rows")


if __name__ == "__main__":
    main()
