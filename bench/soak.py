"""Bounded soak: concurrent headless sessions upload a file, open the Overview on it and close; server memory must
return near baseline, and the first view of each upload is timed.

Run: python bench/soak.py [--sessions 12] [--concurrency 4] [--ttl 5] [--file PATH]
Starts `streamlit run app.py` on a loopback port with a short session TTL, reads the server's resident memory
(VmRSS from /proc) at baseline, after every session has uploaded the file (default: the German sample CSV, 30,976
rows) and after the sessions have closed and their TTL has passed. Each session's times are printed: the upload
(file chosen until the Data page shows the rows kept) and the first Overview on the upload (the click on "use my
data" and the Overview link until its KPI cards are drawn and the run has ended), and whether the page said that
it waited for the server. With ``--sessions 8 --concurrency 8`` all eight sessions upload at once. Every loop is
bounded; only 127.0.0.1 is contacted. The machine probe of ``bench_scale.py`` runs before and after: compare runs
only at similar probe times.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_scale import machine_probe  # noqa: E402
from browser_support import launch_chromium, open_page, streamlit_process, upload_file, wait_until_idle  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

SAMPLE = ROOT / "sample_data" / "transaktionen.csv"


def rss_mib(pid: int) -> float:
    """Resident memory of a process in MiB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


WAITING_TEXT = "Wartet auf freie Rechenzeit"
TIMEOUT_MS = 300_000


def one_session(url: str, name: str, content: bytes) -> dict[str, float | bool]:
    """Open the app in a fresh browser, upload ``content`` on the Data page, use it, open the Overview, close.

    Returns the seconds of the whole session, of the upload and of the first Overview on the upload, and whether
    the page said that the job waited for the server."""
    start = time.perf_counter()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url, timeout=60_000)
            wait_until_idle(page, TIMEOUT_MS)
            open_page(page, "Daten", TIMEOUT_MS)
            uploading = time.perf_counter()
            upload_file(page, name, content, "text/csv" if name.endswith(".csv") else "application/octet-stream")
            waited_upload = until_shown(page, page.get_by_text("Übernommene Zeilen"))
            uploaded = time.perf_counter()
            page.get_by_role("button", name="Meine Daten im Dashboard verwenden").click()
            wait_until_idle(page, TIMEOUT_MS)
            page.get_by_test_id("stSidebarNav").get_by_role("link", name="Überblick", exact=True).click()
            waited_view = until_shown(page, page.get_by_test_id("stMetric"))
            viewed = time.perf_counter()
        finally:
            browser.close()
    return {"session": time.perf_counter() - start, "upload": uploaded - uploading, "first_view": viewed - uploaded,
            "waited_upload": waited_upload, "waited_view": waited_view}


def until_shown(page, shown) -> bool:
    """Wait until ``shown`` is on the page and the script run has ended; return whether the page said meanwhile
    that its job waited for the server (looked for every 0.2 s)."""
    waited = False
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        waited = waited or page.get_by_text(WAITING_TEXT).count() > 0
        if shown.count() > 0 and page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').count():
            break
        time.sleep(0.2)
    wait_until_idle(page, TIMEOUT_MS)
    return waited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--ttl", type=int, default=5, help="server.disconnectedSessionTTL in seconds")
    parser.add_argument("--file", type=Path, default=SAMPLE, help="the file each session uploads")
    args = parser.parse_args()
    content = args.file.read_bytes()
    probe_before = machine_probe()
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
            futures = [pool.submit(one_session, url, args.file.name, content) for _ in range(args.sessions)]
            while not all(future.done() for future in futures):
                peak = max(peak, rss_mib(server.pid))
                time.sleep(0.2)
            sessions = [future.result(timeout=600) for future in futures]
        after_sessions = rss_mib(server.pid)
        deadline = time.monotonic() + args.ttl + 30
        settled = after_sessions
        while time.monotonic() < deadline:
            time.sleep(1)
            settled = rss_mib(server.pid)
    print(f"machine probe (10 M-row DuckDB grouping, bench_scale), before / after: {probe_before:.2f} / "
          f"{machine_probe():.2f} s")
    print(f"sessions: {args.sessions} ({args.concurrency} at a time), each uploading {args.file.name} "
          f"({len(content) / 1e6:.1f} MB)")
    for label, key in (("session", "session"), ("upload until the rows kept show", "upload"),
                       ("first Overview on the upload", "first_view")):
        times = sorted(session[key] for session in sessions)
        print(f"{label}: median {times[len(times) // 2]:.1f} s, worst {times[-1]:.1f} s "
              f"({', '.join(f'{seconds:.1f}' for seconds in times)})")
    print(f"sessions whose page said it waited for the server: {sum(session['waited_upload'] for session in sessions)}"
          f" while uploading, {sum(session['waited_view'] for session in sessions)} before the first Overview")
    print(f"server RSS: baseline {baseline:.0f} MiB, peak {peak:.0f} MiB, right after {after_sessions:.0f} MiB, "
          f"{args.ttl + 30} s later {settled:.0f} MiB ({settled - baseline:+.0f} MiB vs baseline)")


if __name__ == "__main__":
    main()
