"""Segments benchmark (issue 26): aggregating an upload with a customers sheet, then each dimension's segment table.

Run: python bench/bench_segments.py [--rows 1000000 10000000] [--repeats 5]
(above 1 M rows under ``flock /work/bench_out/big.lock``: 24 GB shared by every session).

For each size a fresh Python process (so its peak RSS is that size's alone) reads the orders
(``bench/out/orders_<rows>_zstd.parquet``, else ``orders_<rows>.parquet``, from ``bench/generate_orders.py``) and
their customers sheet (``bench/out/customers_<rows>.parquet``: channel and region per customer, written by
``generate_orders.py --customers`` when missing) as the Data page does (read, suggested mapping, prepare), then
prints, in seconds:

- load: both sheets read and prepared;
- aggregate: ``aggregate(dataset, "quarter", 12)`` with the customers sheet, everything the pages need, and the time
  of each step (``segments``: the cost sheets' segment columns);
- peak RSS of the process after load + aggregate (target < 2 GB);
- the first use of segments: :class:`~retention_core.segment_inputs.SegmentInputs` made (the first orders, range by
  range over the orders, and the customers sheet matched to the orders), and the peak RSS then;
- per dimension (:func:`segments.available_dimensions_of`): :func:`segments.dimension_bases` (once per data set and
  dimension: the labels and each segment's annual basis), :func:`segments.segment_figures` and the Segments page's
  view (:func:`retention_views.page_results.segment_view`: figures, uplift, names and notes, plus its table as
  shown, :func:`~retention_views.page_results.shown_table`): what a slider move on the page computes (target
  < 0.2 s server-side), median of ``--repeats``.

The peak RSS figures are the process's running peak; beside them, where Linux allows it, the peak of the step alone
(the first use; every dimension's bases), read from ``VmHWM`` after resetting it (``/proc/self/clear_refs``), to
show which step sets the running peak. A machine probe (``bench_scale.machine_probe``: one fixed DuckDB grouping)
runs before and after; compare figures only between runs with similar probe times. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def median_seconds(run, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def reset_step_peak() -> bool:
    """Start a step's own peak RSS: Linux's high-water mark set to the present RSS; False where that is refused.
    (The process's running peak, ``ru_maxrss``, is not kept after a reset: take it before.)"""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def step_peak_mib() -> float:
    """The peak RSS since :func:`reset_step_peak` (``VmHWM``), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def files(rows: int) -> tuple[Path, Path]:
    """The orders and customers files for ``rows`` rows; the customers sheet generated when missing (not timed)."""
    orders = next((path for path in (OUT / f"orders_{rows}_zstd.parquet", OUT / f"orders_{rows}.parquet")
                   if path.exists()), None)
    if orders is None:
        raise SystemExit(f"no order file for {rows:,} rows in {OUT}: python bench/generate_orders.py --rows {rows}")
    customers = OUT / f"customers_{rows}.parquet"
    if not customers.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate_orders.py"), "--rows", str(rows),
                        "--customers"], check=True)
    return orders, customers


def prepared(path: Path, kind: str):
    """``path`` read, mapped by suggestion and prepared as the Data page does (the upload limit lifted)."""
    from retention_core.ingest import guards, map_columns, prepare_sheet, read_table, suggest_mapping

    data = path.read_bytes()
    guards.MAX_UPLOAD_BYTES = max(guards.MAX_UPLOAD_BYTES, len(data))
    loaded = read_table(data, path.name)
    mapping = suggest_mapping(list(loaded.frame.columns), kind)
    return prepare_sheet(map_columns(loaded.for_mapping(mapping).frame, mapping), kind)


def measure(rows: int, repeats: int) -> dict:
    from bench_scale import peak_rss_mib, timed_aggregate

    from dashboard import runtime
    from retention_core import segments
    from retention_core.dataset import Dataset
    from retention_views import page_results

    runtime.avoid_huge_page_stalls()  # as the app's frame does before its first page
    orders_path, customers_path = files(rows)
    result: dict = {"rows": rows, "file": orders_path.name}
    began = time.perf_counter()
    orders = prepared(orders_path, "transactions")
    customers = prepared(customers_path, "customers")
    result["load_s"] = time.perf_counter() - began
    dataset = Dataset(transactions=orders.frame, customers=customers.frame, key=orders_path.name,
                      name=orders_path.name, transaction_codes=orders.codes)
    result["customer_sheet_rows"] = len(customers.frame)
    del orders, customers
    result["rss_after_load_mib"] = peak_rss_mib()

    aggs = timed_aggregate(dataset, result)
    result["customers"] = len(aggs.customers)
    result["match"] = aggs.customers_sheet.to_dict()
    running = result["rss_after_aggregate_mib"]
    own_peaks = reset_step_peak()
    began = time.perf_counter()
    aggs.segment_inputs.made()  # the first orders and the customers sheet: on the Segments page's first use
    result["segment_inputs_s"] = time.perf_counter() - began
    result["rss_inputs_step_mib"] = step_peak_mib() if own_peaks else None
    running = result["rss_after_inputs_mib"] = max(running, result["rss_inputs_step_mib"] or peak_rss_mib())
    own_peaks = reset_step_peak()
    dimensions = {}
    for dimension in segments.available_dimensions_of(aggs):
        bases_s, bases = median_seconds(lambda: segments.dimension_bases(aggs, dimension), 1)
        figures_s, figures = median_seconds(
            lambda: segments.segment_figures(bases, gross_margin=0.4, annual_discount_rate=0.1), repeats)
        view_s, _ = median_seconds(lambda: page_results.shown_table(page_results.segment_view(
            bases, dimension, gross_margin=0.4, annual_discount_rate=0.1, horizon_years=5, lang="de").table,
            "de", "EUR"), repeats)
        dimensions[dimension] = {"bases_s": bases_s, "figures_s": figures_s, "view_s": view_s,
                                 "segments": len(figures.table)}
    result["dimensions"] = dimensions
    result["rss_dimensions_step_mib"] = step_peak_mib() if own_peaks else None
    result["rss_after_segments_mib"] = max(running, result["rss_dimensions_step_mib"] or peak_rss_mib())
    return result


def report(results: list[dict], probes: list[float]) -> None:
    print()
    print(f"machine probe (10 M-row DuckDB grouping), before / after: {probes[0]:.2f} / {probes[1]:.2f} s")
    for result in results:
        print(f"\n{result['rows']:,} rows ({result['file']}), {result['customers']:,} customers; customers sheet "
              f"{result['customer_sheet_rows']:,} rows: {result['match']}")
        print(f"  load (both sheets read+map+prepare)   {result['load_s']:.1f} s")
        print(f"  aggregate (target < 10 s)             {result['aggregate_s']:.1f} s")
        for step, seconds in result["aggregate_steps_s"].items():
            print(f"    {step:<34}  {seconds:.2f} s")
        print(f"  peak RSS after load                   {result['rss_after_load_mib']:.0f} MiB")
        print(f"  peak RSS load+aggregate (< 2 GB)      {result['rss_after_aggregate_mib']:.0f} MiB")
        inputs_step, dimensions_step = result.get("rss_inputs_step_mib"), result.get("rss_dimensions_step_mib")
        print(f"  first use of segments: first orders + customers sheet  {result['segment_inputs_s']:.1f} s, "
              f"peak RSS then {result['rss_after_inputs_mib']:.0f} MiB"
              + ("" if inputs_step is None else f" (the step's own peak {inputs_step:.0f} MiB)"))
        print(f"  peak RSS incl. every dimension        {result['rss_after_segments_mib']:.0f} MiB"
              + ("" if dimensions_step is None else f" (the bases' own peak {dimensions_step:.0f} MiB)"))
        print("  per dimension: bases (once per dimension) / figures / page view (a slider move, target < 0.2 s)")
        for dimension, figures in result["dimensions"].items():
            print(f"    {dimension:<22} {figures['bases_s']:.2f} s / {figures['figures_s']:.4f} s / "
                  f"{figures['view_s']:.4f} s, {figures['segments']} rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.rows[0], args.repeats)))
        return
    from bench_scale import machine_probe

    probes = [machine_probe()]
    results = []
    for rows in args.rows:
        files(rows)
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "--rows", str(rows),
                   "--repeats", str(args.repeats)]
        child = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(f"{rows:,} rows done: aggregate {results[-1]['aggregate_s']:.1f} s", flush=True)
    probes.append(machine_probe())
    report(results, probes)
    if args.json:
        args.json.write_text(json.dumps({"machine_probe_s": probes, "sizes": results}, indent=1))


if __name__ == "__main__":
    main()
