"""Time the command-line aggregation on DuckDB and on Spark (local mode) over the same Parquet file.

Runs ``python -m retention_core.cli --engine {duckdb,spark} --input bench/out/orders_<rows>.parquet --output
bench/out/aggregates_<engine>`` as a child process per engine, one after the other, and prints the wall time and
the peak resident memory of the whole process tree (Python plus Spark's JVM), sampled every 0.2 s from /proc.
The order file is made with ``bench/generate_orders.py`` when it is missing. Afterwards it checks that both engines
wrote the same tables. Figures on a shared machine include whatever else runs there: say so when quoting them.

    python bench/bench_engines.py [--rows 10000000] [--engines duckdb spark]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

from retention_core import store  # noqa: E402


def _children(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc/<pid>/stat (field 4 is the parent)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def _rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def run_engine(engine: str, orders: Path) -> tuple[float, int, str]:
    """(wall seconds, peak RSS of the process tree in bytes, the command's last output line)."""
    output = OUT / f"aggregates_{engine}"
    command = [sys.executable, "-m", "retention_core.cli", "--engine", engine, "--input", str(orders),
               "--output", str(output)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _rss_bytes(_children(process.pid)))
        time.sleep(0.2)
    wall = time.perf_counter() - started
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{engine} failed ({process.returncode}):\n{stderr[-2000:]}")
    return wall, peak, stdout.strip().splitlines()[-1]


def same_tables(left: Path, right: Path) -> bool:
    """Whether two aggregates folders hold equal tables (floats to 1e-9 relative)."""
    first, second = store.read_aggregates(left), store.read_aggregates(right)
    for name in ("activity", "cohorts", "tenure", "customers"):
        try:
            pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name), check_dtype=False, rtol=1e-9)
        except AssertionError as error:
            print(f"{name} differs: {str(error)[:300]}")
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"], choices=["duckdb", "spark"])
    args = parser.parse_args()
    orders = OUT / f"orders_{args.rows}.parquet"
    if not orders.exists():
        print(f"{orders} missing; generating it")
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate_orders.py"), "--rows", str(args.rows)],
                       check=True)
    print(f"input: {orders} ({orders.stat().st_size / 1e6:.0f} MB), {os.cpu_count()} cores, "
          f"load average before: {os.getloadavg()[0]:.1f}")
    for engine in args.engines:
        wall, peak, last_line = run_engine(engine, orders)
        print(f"{engine:7s} wall {wall:7.1f} s   peak RSS (process tree) {peak / 2**20:7.0f} MiB   "
              f"load average after: {os.getloadavg()[0]:.1f}")
        print(f"        {last_line}")
    if len(args.engines) == 2:
        print("same tables on both engines:", same_tables(OUT / "aggregates_duckdb", OUT / "aggregates_spark"))


if __name__ == "__main__":
    main()
