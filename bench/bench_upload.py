"""Upload benchmark: what the capped worker costs. The Data page's read + prepare of an upload in the server's own
process against the same through the worker (``retention_core.ingest.worker``), alternating, one process each.

Run: python bench/bench_upload.py [--rows 1000000] [--repeats 5] [--before ../main] [--only Parquet]

For each file (the embedded sample's CSV, and ``--rows`` generated order rows as zstd Parquet and as German CSV,
from ``bench/generate_orders.py``, written once to ``bench/out``) and each way of reading, a fresh Python process
(so its peak memory is its own) reads the file's bytes as the Data page does (read, suggested mapping, prepare:
``read_and_prepare`` in process, ``load_upload`` through the worker, which does the same in one child) and reports:

- the wall-clock time of the step, and its CPU time (user + system): this process's (less the sampler's below),
  plus through the worker the child's (reaped by the fork server: its ``cutime + cstime``). On a busy machine the
  CPU time moves far less than the wall-clock time;
- the server process's peak RSS above what it held before the read (``VmHWM``, reset through
  ``/proc/self/clear_refs``), and, through the worker, the largest peak RSS of its children (sampled every 10 ms).

The worker's fork server is started and warm before the clock runs, and so is the child waiting for the next job
(the app starts both when the Data page opens).
``--before PATH`` adds a third way: the worker as another checkout measures it with its own copy of this script
(e.g. an export of the main branch before a change to the worker), run with that checkout as its working directory.

A machine probe (one fixed DuckDB grouping, as in ``bench_scale.py``) and the load average are printed before and
after; compare figures only between runs with similar probes. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def files(rows: int) -> dict[str, Path]:
    parquet, german = OUT / f"orders_{rows}_zstd.parquet", OUT / f"orders_{rows}.csv"
    if not (parquet.exists() and german.exists()):
        subprocess.run([sys.executable, str(Path(__file__).resolve().parent / "bench_scale.py"), "--generate",
                        str(rows)], check=True, cwd=ROOT)
        subprocess.run([sys.executable, str(Path(__file__).resolve().parent / "bench_scale.py"), "--generate",
                        str(rows), "--csv"], check=True, cwd=ROOT)
    return {"sample CSV (31 k rows)": ROOT / "sample_data" / "transaktionen.csv",
            f"{rows // 1_000_000} M rows, Parquet": parquet, f"{rows // 1_000_000} M rows, CSV": german}


def _status(field: str, pid: str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reaped_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the children ``pid`` has waited for (``cutime + cstime`` of ``/proc/pid/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def _wait_until_reaped(pid: int) -> None:
    """Until the fork server ``pid`` has reaped every child but the one waiting for the next job."""
    from retention_core.ingest import sandbox

    waiting = getattr(sandbox, "waiting_child", lambda: None)  # code before the waiting child had none
    while [child for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
           if int(child) != waiting()]:
        time.sleep(0.01)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(mode: str, path: Path) -> dict:
    """One read + prepare of ``path`` as the Data page does it (read, suggested mapping, prepare), ``mode``
    "process" (:func:`read_and_prepare` in this process) or "worker" (``worker.load_upload``: the same in one
    capped child), in this process."""
    from retention_core.ingest.upload_flow import read_and_prepare

    data = path.read_bytes()
    children_peak = [0]
    if mode == "worker":
        import multiprocessing.forkserver

        from retention_core.ingest import sandbox, worker

        sandbox.warm_up()
        worker.load_upload(b"a;b\n1;2\n", "warm.csv", "transactions")  # the fork server has started
        server = multiprocessing.forkserver._forkserver._forkserver_pid
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.01):
                try:
                    children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
                    for child in children:
                        children_peak[0] = max(children_peak[0], _status("VmHWM", child))
                except OSError:
                    continue

        sampler = threading.Thread(target=sample, daemon=True)
    Path("/proc/self/clear_refs").write_text("5")
    before = _status("VmRSS")
    reaped = 0.0
    if mode == "worker":
        _wait_until_reaped(server)  # the warm-up's child too
        reaped = _reaped_cpu(server)
        sampler.start()
        sampler_clock = time.pthread_getcpuclockid(sampler.ident)  # its CPU time is taken off the step's below
        sampler_cpu = time.clock_gettime(sampler_clock)
    cpu = _cpu()
    started = time.perf_counter()
    if mode == "worker":
        loaded = worker.load_upload(data, path.name, "transactions")
    else:
        loaded = read_and_prepare(data, path.name, "transactions")
    total_s = time.perf_counter() - started
    cpu_s = _cpu() - cpu
    if mode == "worker":  # less the sampler's, and the child's once the fork server has reaped it
        cpu_s -= time.clock_gettime(sampler_clock) - sampler_cpu
        _wait_until_reaped(server)
        cpu_s += _reaped_cpu(server) - reaped
    result = {"total_s": total_s, "cpu_s": cpu_s, "rows": len(loaded.prepared.frame),
              "server_peak_mib": (_status("VmHWM") - before) / 2**20}
    if mode == "worker":
        done.set()
        sampler.join()
        result["worker_peak_mib"] = children_peak[0] / 2**20
    return result


def run_one(mode: str, path: Path, before: Path | None) -> dict:
    """One measurement in a fresh process; "before": the worker as the other checkout's own bench measures it."""
    command = [sys.executable, str(Path(__file__).resolve()), "--one", mode, str(path)]
    cwd, env = ROOT, dict(os.environ)
    if mode == "before":
        command = [sys.executable, str(before / "bench" / Path(__file__).name), "--one", "worker", str(path)]
        cwd, env["BENCH_CODE"] = before, str(before)
    child = subprocess.run(command, check=True, capture_output=True, text=True, cwd=cwd, env=env)
    return json.loads(child.stdout.strip().splitlines()[-1])


def spread(values: list[float], unit: str, digits: int = 2) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}{unit}"
    return f"{statistics.median(values):.{digits}f}{unit} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", type=Path, help="also read in process with the code of this checkout")
    parser.add_argument("--only", help="only the files whose label contains this text (e.g. Parquet)")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        if os.environ.get("BENCH_CODE"):
            sys.path.insert(0, os.environ["BENCH_CODE"])
        from dashboard import runtime

        runtime.avoid_huge_page_stalls()  # as the app's frame does
        print(json.dumps(measure(args.one[0], Path(args.one[1]))))
        return
    from bench_scale import machine_probe

    modes = ["process", "worker"] + (["before"] if args.before else [])
    print(f"load average {os.getloadavg()[0]:.1f}; machine probe {machine_probe():.2f} s", flush=True)
    for label, path in files(args.rows).items():
        if args.only and args.only not in label:
            continue
        runs: dict[str, list[dict]] = {mode: [] for mode in modes}
        for _ in range(args.repeats):
            for mode in modes:
                runs[mode].append(run_one(mode, path, args.before))
        print(f"\n{label} ({path.stat().st_size / 1e6:.1f} MB):", flush=True)
        for mode in modes:
            results = runs[mode]
            line = (f"  {mode:8} read + prepare {spread([r['total_s'] for r in results], ' s')}, "
                    f"CPU {spread([r['cpu_s'] for r in results], ' s') if 'cpu_s' in results[0] else '?'}, "
                    f"server peak +{spread([r['server_peak_mib'] for r in results], ' MiB', 0)}")
            if "worker_peak_mib" in results[0]:
                line += f", worker peak {spread([r['worker_peak_mib'] for r in results], ' MiB', 0)}"
            print(line, flush=True)
        inside = [r["total_s"] for r in runs["process"]]
        worker = [r["total_s"] for r in runs["worker"]]
        pairs = [w - p for w, p in zip(worker, inside)]
        print(f"  worker - process, per alternating pair: {spread(pairs, ' s')}, "
              f"{100 * statistics.median(pairs) / statistics.median(inside):.1f} % of the in-process median",
              flush=True)
        inside_cpu = [r["cpu_s"] for r in runs["process"]]
        pairs = [w["cpu_s"] - p for w, p in zip(runs["worker"], inside_cpu)]
        print(f"  worker - process, CPU time: {spread(pairs, ' s')}, "
              f"{100 * statistics.median(pairs) / statistics.median(inside_cpu):.1f} % of the in-process median",
              flush=True)
        if args.before:
            pairs = [b["total_s"] - p for b, p in zip(runs["before"], inside)]
            print(f"  before - process, per alternating pair: {spread(pairs, ' s')}, "
                  f"{100 * statistics.median(pairs) / statistics.median(inside):.1f} % of the in-process median",
                  flush=True)
            pairs = [b["cpu_s"] - p for b, p in zip(runs["before"], inside_cpu)]
            print(f"  before - process, CPU time: {spread(pairs, ' s')}, "
                  f"{100 * statistics.median(pairs) / statistics.median(inside_cpu):.1f} % of the in-process median",
                  flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f}; machine probe {machine_probe():.2f} s")


if __name__ == "__main__":
    main()
