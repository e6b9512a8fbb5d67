"""Scale benchmark: load, aggregate and slider reruns for 1 M and 10 M generated order rows, one process per size.

Run: python bench/bench_scale.py [--rows 1000000 10000000] [--repeats 10] [--csv]

For each size a fresh Python process (so its peak RSS is that size's alone) first leaves transparent huge pages
as the app's frame does (``dashboard.runtime.avoid_huge_page_stalls``), then reads the upload file as the Data page
does and reports, in seconds:

- load: ``read_table`` on the file's bytes + ``suggest_mapping`` + ``for_mapping`` + ``map_columns`` +
  ``prepare_sheet``;
- aggregate: ``aggregate(dataset, "quarter", 12)``, everything the pages need (BG/NBD + Gamma-Gamma fits
  included), with the time of each step, and the same for another period reusing the first (a period switch);
- cohort matrix: ``queries.cohort_retention`` alone on the prepared rows;
- peak RSS of the process after load + aggregate, and again after the AppTest runs;
- slider reruns: the prepared data set is put into an AppTest session as an upload (``dashboard.keys``),
  each page is opened once, then one slider per page is moved ``--repeats`` times; median and worst rerun. The
  sliders whose results a session keeps per value (:data:`NEW_VALUE_SLIDERS`) move to a new value every time.

The order logs come from ``bench/generate_orders.py`` (seeded, about 2.8 rows per customer, seasonal), written once
to ``bench/out`` in a separate process (not timed) as zstd Parquet, which keeps 10 M rows under the 50 MB upload
limit; ``--csv`` reads the German CSV export instead (10 M rows of CSV exceed the upload limit, which this script
then lifts). Nothing here asserts a time: the targets (aggregate 10 M rows < 10 s and < 2 GB, reruns < 0.2 s)
are printed beside the figures.

The speed of a shared machine changes from hour to hour (``docs/performance.md`` gives an example), so a machine
probe runs before and after the sizes: one fixed DuckDB grouping of 10 M generated numbers into 3.6 M groups on two
threads (about as much work as one step of ``aggregate``).
Compare figures only between runs with similar probe times.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# beside bench_sliders.SLIDERS (one slider per page, moved between two values): the sliders whose moves compute
# something a session keeps per value (the CLV forecast per discount rate and horizon, the cohort projection chart
# per length). Each rerun moves them to a value not shown before (up to 19 repeats), so every rerun times the work
# of a new value; moving between two values would time it once and then read it back.
NEW_VALUE_SLIDERS = (
    ("app_pages/clv.py", "slider", "clv_horizon", (*range(6, 21), 4, 3, 2, 1)),  # the default is 5 years
    ("app_pages/clv.py", "select_slider", "clv_discount_rate",  # the default is 8 %
     tuple(steps / 2 for steps in (*range(17, 41), *range(15, 0, -1)))),
    ("app_pages/cohorts.py", "slider", "cohort_project_periods", tuple(range(5, 37))),  # the default: a year, 4
)


def upload_file(rows: int, csv: bool) -> Path:
    """The upload file for ``rows`` rows, generated in a child process when missing (generation is not timed)."""
    path = OUT / (f"orders_{rows}.csv" if csv else f"orders_{rows}_zstd.parquet")
    if not path.exists():
        subprocess.run([sys.executable, __file__, "--generate", str(rows)] + (["--csv"] if csv else []), check=True)
    return path


def generate(rows: int, csv: bool) -> None:
    from generate_orders import generate_orders, write_german_csv

    OUT.mkdir(parents=True, exist_ok=True)
    frame = generate_orders(rows)
    if csv:
        write_german_csv(frame, OUT / f"orders_{rows}.csv")
    else:
        frame.to_parquet(OUT / f"orders_{rows}_zstd.parquet", index=False, compression="zstd")


PROBE_SQL = "SELECT count(*) FROM (SELECT i % 3600000 AS k, sum(i) FROM range(10000000) AS t(i) GROUP BY k)"


def machine_probe() -> float:
    """Seconds for one fixed DuckDB grouping (:data:`PROBE_SQL`) on two threads, the best of three."""
    import duckdb

    connection = duckdb.connect(config={"threads": 2})
    connection.execute("SET enable_progress_bar = false")  # a slow machine would otherwise print one
    try:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            connection.execute(PROBE_SQL).fetchall()
            times.append(time.perf_counter() - start)
        return min(times)
    finally:
        connection.close()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


class StepClock:
    """``aggregate``'s ``progress`` callback that keeps each step's seconds (``steps``) and the peak RSS when it
    ended (``peaks``, MiB): a step ends when the next one is announced."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}
        self.peaks: dict[str, float] = {}
        self._started, self._step = time.perf_counter(), None

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if self._step is not None:
            self.steps[self._step] = now - self._started
            self.peaks[self._step] = peak_rss_mib()
        self._started, self._step = now, step


def timed_aggregate(dataset, result: dict):
    """``aggregate(dataset, "quarter", 12)`` as the app's first view does; its time, each step's time and the peak
    RSS after it written into ``result``. Returns the aggregates."""
    from retention_core.dataset import aggregate

    clock = StepClock()
    began = time.perf_counter()
    aggs = aggregate(dataset, "quarter", 12, progress=clock)
    result["aggregate_s"] = time.perf_counter() - began
    result["aggregate_steps_s"] = clock.steps
    result["rss_after_aggregate_mib"] = peak_rss_mib()
    return aggs


def measure(rows: int, repeats: int, csv: bool) -> dict:
    """Everything for one size, in this process (see the module docstring)."""
    from bench_sliders import SLIDERS, time_reruns
    from streamlit.testing.v1 import AppTest

    from dashboard import keys, runtime
    from retention_core import queries
    from retention_core.dataset import Dataset, aggregate, content_key
    from retention_core.ingest import guards, map_columns, prepare_sheet, read_table, suggest_mapping

    runtime.avoid_huge_page_stalls()  # as the app's frame does before its first page
    path = upload_file(rows, csv)
    if csv:
        guards.MAX_UPLOAD_BYTES = max(guards.MAX_UPLOAD_BYTES, path.stat().st_size)
    data = path.read_bytes()
    result: dict = {"rows": rows, "file": path.name, "file_mb": round(len(data) / 1e6, 1)}

    began = time.perf_counter()
    loaded = read_table(data, path.name)
    read = time.perf_counter()
    mapping = suggest_mapping(list(loaded.frame.columns), "transactions")
    mapped = map_columns(loaded.for_mapping(mapping).frame, mapping)
    prepared = prepare_sheet(mapped, "transactions")
    result["read_s"] = read - began
    result["load_s"] = time.perf_counter() - began
    dataset = Dataset(
        transactions=prepared.frame, key=content_key(data), name=path.name, transaction_codes=prepared.codes
    )
    del data, loaded, mapped, prepared
    result["customers"] = int(dataset.transactions["customer_id"].nunique())
    result["rss_after_load_mib"] = peak_rss_mib()

    aggs = timed_aggregate(dataset, result)
    began = time.perf_counter()
    monthly = aggregate(dataset, "month", 12, reuse=aggs)
    result["period_switch_s"] = time.perf_counter() - began
    del monthly
    began = time.perf_counter()
    queries.cohort_retention(dataset.transactions, "quarter")
    result["cohort_matrix_s"] = time.perf_counter() - began
    result["fit_customers"] = aggs.predictive.fit_customers

    reruns: dict[str, list[float]] = {}
    first_view: dict[str, float] = {}
    for page, kind, key, values in (*SLIDERS, *NEW_VALUE_SLIDERS):
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        app.session_state[keys.DATASET] = dataset
        app.session_state[keys.AGGREGATES] = {(dataset.key, "quarter", 12): aggs}
        app.session_state[keys.SOURCE] = "upload"
        app.run()
        began = time.perf_counter()
        app.switch_page(page).run()
        first_view[f"{page}:{key}"] = time.perf_counter() - began
        reruns[f"{page}:{key}"] = time_reruns(app, page, kind, key, values, repeats)
    result["first_view_s"] = first_view
    result["reruns_s"] = reruns
    result["rss_after_apptest_mib"] = peak_rss_mib()
    return result


def report(results: list[dict], probes: list[float]) -> None:
    print()
    print(f"machine probe (10 M-row DuckDB grouping), before / after: {probes[0]:.2f} / {probes[1]:.2f} s")
    print(f"{'':<36}" + "".join(f"{format(result['rows'], ',') + ' rows':>22}" for result in results))

    def row(label: str, values: list[str]) -> None:
        print(f"{label:<36}" + "".join(f"{value:>22}" for value in values))

    row("file", [f"{result['file']} ({result['file_mb']} MB)" for result in results])
    row("customers", [f"{result['customers']:,}" for result in results])
    row("load (read+map+prepare)", [f"{result['load_s']:.1f} s (read {result['read_s']:.1f})" for result in results])
    row("aggregate (target < 10 s)", [f"{result['aggregate_s']:.1f} s" for result in results])
    for step in results[0]["aggregate_steps_s"]:
        row(f"  {step}", [f"{result['aggregate_steps_s'].get(step, 0):.2f} s" for result in results])
    row("period switch (reuse)", [f"{result['period_switch_s']:.1f} s" for result in results])
    row("cohort matrix query alone", [f"{result['cohort_matrix_s']:.2f} s" for result in results])
    row("peak RSS after load", [f"{result['rss_after_load_mib']:.0f} MiB" for result in results])
    row("peak RSS load+aggregate (< 2 GB)", [f"{result['rss_after_aggregate_mib']:.0f} MiB" for result in results])
    row("peak RSS incl. AppTest", [f"{result['rss_after_apptest_mib']:.0f} MiB" for result in results])
    print("slider rerun, median / worst (target < 0.2 s); first view of the page")
    for name in results[0]["reruns_s"]:
        row(f"  {name.removeprefix('app_pages/')}", [
            f"{statistics.median(result['reruns_s'][name]):.3f} / {max(result['reruns_s'][name]):.3f} s"
            for result in results])
    pages = dict.fromkeys(name.split(":")[0] for name in results[0]["first_view_s"])
    for page in pages:  # each slider's session opens its page anew: the fastest and slowest of them
        views = [[seconds for name, seconds in result["first_view_s"].items() if name.split(":")[0] == page]
                 for result in results]
        row(f"  first view {page.removeprefix('app_pages/')}",
            [f"{min(times):.2f} s" if len(times) == 1 else f"{min(times):.2f}–{max(times):.2f} s" for times in views])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--csv", action="store_true", help="read the German CSV export instead of Parquet")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args()
    if args.generate:
        generate(args.generate, args.csv)
        return
    if args.child:
        print(json.dumps(measure(args.rows[0], args.repeats, args.csv)))
        return
    results = []
    probes = [machine_probe()]
    for rows in args.rows:
        upload_file(rows, args.csv)
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "--rows", str(rows),
                   "--repeats", str(args.repeats)]
        # run in the project folder, as the app is: Streamlit reads .streamlit/config.toml from there
        child = subprocess.run(command + (["--csv"] if args.csv else []), check=True, capture_output=True, text=True,
                               cwd=ROOT)
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(f"{rows:,} rows done: aggregate {results[-1]['aggregate_s']:.1f} s", flush=True)
    probes.append(machine_probe())
    report(results, probes)
    if args.json:
        args.json.write_text(json.dumps({"machine_probe_s": probes, "sizes": results}, indent=1))


if __name__ == "__main__":
    main()
