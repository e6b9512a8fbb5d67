"""Bounded soak: concurrent headless sessions upload the sample and close; server memory must return near baseline.

Run: python bench/soak.py [--sessions 12] [--concurrency 4] [--ttl 5]
Starts `streamlit run app.py` on a loopback port with a short session TTL, reads the server's resident memory
(VmRSS from /proc) at baseline, after every session has uploaded the German sample CSV (30,976 rows) and after
the sessions have closed and their TTL has passed. Every loop is bounded; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import launch_chromium, open_page, streamlit_process, upload_file, wait_until_idle  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

SAMPLE = ROOT / "sample_data" / "transaktionen.csv"


def rss_mib(pid: int) -> float:
    """Resident memory of a process in MiB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def one_session(url: str, content: bytes) -> float:
    """Open the app in a fresh browser, upload the sample on the Data page, use it, close; return seconds taken."""
    start = time.perf_counter()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url, timeout=60_000)
            wait_until_idle(page)
            open_page(page, "Daten")
            upload_file(page, SAMPLE.name, content)
            page.get_by_text("30.976").first.wait_for(timeout=60_000)
            page.get_by_role("button", name="Meine Daten im Dashboard verwenden").click()
            wait_until_idle(page)
        finally:
            browser.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--ttl", type=int, default=5, help="server.disconnectedSessionTTL in seconds")
    args = parser.parse_args()
    content = SAMPLE.read_bytes()
    extra = ("--server.disconnectedSessionTTL", str(args.ttl))
    with streamlit_process(extra_args=extra) as (url, server):
        with sync_playwright() as playwright:  # warm the sample cache once, as any first visitor would
            browser = launch_chromium(playwright)
            page = browser.new_page()
            page.goto(url, timeout=60_000)
            wait_until_idle(page)
            browser.close()
        baseline = rss_mib(server.pid)
        peak = baseline
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            futures = [pool.submit(one_session, url, content) for _ in range(args.sessions)]
            while not all(future.done() for future in futures):
                peak = max(peak, rss_mib(server.pid))
                time.sleep(0.2)
            durations = [future.result(timeout=300) for future in futures]
        after_sessions = rss_mib(server.pid)
        deadline = time.monotonic() + args.ttl + 30
        settled = after_sessions
        while time.monotonic() < deadline:
            time.sleep(1)
            settled = rss_mib(server.pid)
    print(f"sessions: {args.sessions} ({args.concurrency} at a time), each uploading {len(content) / 1e6:.1f} MB")
    print(f"session time: median {sorted(durations)[len(durations) // 2]:.1f} s, worst {max(durations):.1f} s")
    print(f"server RSS: baseline {baseline:.0f} MiB, peak {peak:.0f} MiB, right after {after_sessions:.0f} MiB, "
          f"{args.ttl + 30} s later {settled:.0f} MiB ({settled - baseline:+.0f} MiB vs baseline)")


if __name__ == "__main__":
    main()
