"""The tenure step of ``aggregate``: one read of the orders (``tenure_revenue.sql``) against two.

Run: python bench/bench_tenure.py --rows 1000000 [--repeats 3] (above 1 M rows under ``flock /work/bench_out/big.lock``)

Loads the generated order log as the Data page does, codes the customer ids as ``aggregate`` does, then alternates,
``--repeats`` times, on a fresh DuckDB database per query as ``aggregate`` runs them:

- once: ``queries.tenure_revenue`` with the customer rows of tenure years 1 … ``intervals.TENURE_YEARS``, then the
  tenure table (``revenue_by_tenure(parts=...)``) and the customer rows derived from it, as ``aggregate`` does;
- twice: ``revenue_by_tenure`` and ``customer_tenure_revenue`` each reading the orders (every tenure summed, then
  the customer rows), as two queries would.

Prints one JSON line: the times (best and median), the derivation's own time, the resident-memory growth during each
(sampled every 5 ms), the sizes of the results. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from bench_intervals import RssPeak
    from bench_scale import upload_file

    from dashboard import runtime
    from retention_core import intervals, queries
    from retention_core.coded_orders import _customer_codes
    from retention_core.dataset import Dataset, content_key
    from retention_core.engines import DuckDBEngine
    from retention_core.ingest import map_columns, prepare_sheet, read_table, suggest_mapping

    runtime.avoid_huge_page_stalls()
    path = upload_file(args.rows, csv=False)
    data = path.read_bytes()
    loaded = read_table(data, path.name)
    mapping = suggest_mapping(list(loaded.frame.columns), "transactions")
    prepared = prepare_sheet(map_columns(loaded.for_mapping(mapping).frame, mapping), "transactions")
    dataset = Dataset(transactions=prepared.frame, key=content_key(data), name=path.name,
                      transaction_codes=prepared.codes)
    del data, loaded, prepared
    coded, _ = _customer_codes(dataset.transactions, products=False, known=dataset.transaction_codes)
    years = intervals.TENURE_YEARS
    times: dict[str, list[float]] = {"once": [], "derive": [], "twice": []}
    growth: dict[str, list[float]] = {"once": [], "twice": []}
    sizes: dict[str, int] = {}
    for _ in range(args.repeats):
        with RssPeak() as peak:
            began = time.perf_counter()
            parts = queries.tenure_revenue(coded, "year", DuckDBEngine(fresh_database=True), max_tenure=years)
            derived = time.perf_counter()
            table = queries.revenue_by_tenure(coded, "year", parts=parts)
            rows = queries.customer_tenure_revenue(coded, "year", max_tenure=years, parts=parts)
            times["derive"].append(time.perf_counter() - derived)
            times["once"].append(time.perf_counter() - began)
        growth["once"].append(peak.growth_mb)
        sizes = {"customer_rows": len(rows), "tenure_rows": len(parts.tenures), "tenures": len(table)}
        del parts, table, rows
        with RssPeak() as peak:
            began = time.perf_counter()
            queries.revenue_by_tenure(coded, "year", DuckDBEngine(fresh_database=True))
            queries.customer_tenure_revenue(coded, "year", DuckDBEngine(fresh_database=True), max_tenure=years)
            times["twice"].append(time.perf_counter() - began)
        growth["twice"].append(peak.growth_mb)
    result = {"rows": args.rows, **sizes}
    for name, values in times.items():
        result[f"{name}_best_s"] = round(min(values), 3)
        result[f"{name}_median_s"] = round(statistics.median(values), 3)
    for name, values in growth.items():
        result[f"{name}_rss_growth_mb"] = round(max(values))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
