"""Intervals benchmark: the bootstrap replicates of the annual basis, and the slider-time work they add.

Run: python bench/bench_intervals.py [--rows 1000000 10000000] [--repeats 5]

For each size (the generated order logs of ``bench/bench_scale.py``, about 2.8 rows per customer) this prepares the
upload as the Data page does and aggregates it once (not timed here: ``bench_scale.py`` reports it), then prints:

- customers in the summary and those the bootstrap weights (bought in the last 24 months);
- replicates: :func:`retention_core.intervals.basis_replicates` on the customer summary (what ``aggregate`` adds
  to its "customers" step), best and median of ``--repeats`` runs, and its peak of traced allocations (NumPy
  reports its arrays to ``tracemalloc``);
- per rerun: :func:`whatif.clv_intervals` and :func:`whatif.profit_intervals` at the page defaults with the retention
  moved (so the replicates' arrays are read, not rebuilt), median of 50 calls; the first call of each, which
  builds the replicates' arrays of measurements once per data set, separately.

A machine probe (``bench_scale.machine_probe``) runs before and after. Nothing here asserts a time; the targets
(a few seconds and a few hundred MB at 3.6 M customers, reruns < 0.2 s) are printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def measure(rows: int, repeats: int) -> dict:
    from bench_scale import upload_file

    from retention_core import intervals
    from retention_core.dataset import Dataset, aggregate, content_key
    from retention_core.ingest import map_columns, prepare_sheet, read_table, suggest_mapping
    from retention_views import whatif

    path = upload_file(rows, csv=False)
    data = path.read_bytes()
    loaded = read_table(data, path.name)
    mapping = suggest_mapping(list(loaded.frame.columns), "transactions")
    prepared = prepare_sheet(map_columns(loaded.for_mapping(mapping).frame, mapping), "transactions")
    dataset = Dataset(transactions=prepared.frame, key=content_key(data), name=path.name,
                      transaction_codes=prepared.codes)
    del data, loaded, prepared
    aggs = aggregate(dataset, "quarter", 12)
    customers, basis = aggs.customers, aggs.basis
    result = {"rows": rows, "customers": len(customers),
              "weighted": len(intervals.basis_columns(customers, basis))}
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        intervals.basis_replicates(customers, basis)
        times.append(time.perf_counter() - began)
    result["replicates_best_s"], result["replicates_median_s"] = min(times), statistics.median(times)
    tracemalloc.start()
    replicates = intervals.basis_replicates(customers, basis)
    result["replicates_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
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
              f"replicates {found['replicates_best_s']:.2f} s best / {found['replicates_median_s']:.2f} s median, "
              f"peak {found['replicates_peak_mb']:.0f} MB traced (target: a few s, a few hundred MB); "
              f"per rerun CLV {found['clv_rerun_ms']:.1f} ms, profit {found['profit_rerun_ms']:.1f} ms "
              f"(first call {found['clv_first_ms']:.0f} / {found['profit_first_ms']:.0f} ms; target rerun < 200 ms)")
    probes.append(machine_probe())
    print(f"machine probe: {probes[0]:.2f} s before, {probes[1]:.2f} s after")


if __name__ == "__main__":
    main()
