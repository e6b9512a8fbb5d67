"""Start the dashboard (``streamlit run serve.py``) on a free loopback port and drive Debian's Chromium with Playwright.

Shared by ``tests/dashboard/test_browser.py`` and ``bench/screenshots.py``. Playwright cannot download browsers here, so
Chromium is the system one at ``/usr/bin/chromium``. Everything has a bounded timeout; nothing leaves loopback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)
# every host name but loopback resolves to "not found": nothing leaves the machine, nothing waits on the internet
OFFLINE_ARGS = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",)
HOST = "127.0.0.1"
START_TIMEOUT_S = 45.0
RUN_TIMEOUT_MS = 30_000  # one script run of any page, sample data included


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def server_script(app_dir: Path = REPO) -> str:
    """The file ``streamlit run`` starts in ``app_dir``: ``serve.py`` (the app with its start-up work, see
    ``dashboard/warm_up.py``) where the checkout has it, else ``app.py`` (older checkouts)."""
    return "serve.py" if (app_dir / "serve.py").exists() else "app.py"


@contextmanager
def streamlit_process(timeout_s: float = START_TIMEOUT_S, extra_args: Sequence[str] = (), app_dir: Path = REPO,
                      poll_s: float = 0.25) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run the dashboard headless on a free loopback port; yield its base URL and process; stop it afterwards.

    ``app_dir`` is the checkout whose app runs (:func:`server_script`; its ``.streamlit/config.toml`` applies); the
    default is this repository. The health endpoint is asked every ``poll_s`` seconds until it answers.
    """
    port = free_port()
    url = f"http://{HOST}:{port}"
    command = [sys.executable, "-m", "streamlit", "run", server_script(app_dir), "--server.headless", "true",
               "--server.port", str(port), "--server.address", HOST, "--browser.gatherUsageStats", "false", *extra_args]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=app_dir, stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            deadline = time.monotonic() + timeout_s
            while not _healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")[-3000:]
                    raise RuntimeError(f"streamlit did not answer {url}/_stcore/health within {timeout_s:.0f} s "
                                       f"(exit code {process.poll()}):\n{output}")
                time.sleep(poll_s)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def streamlit_server(timeout_s: float = START_TIMEOUT_S) -> Iterator[str]:
    """:func:`streamlit_process`, yielding only the base URL."""
    with streamlit_process(timeout_s) as (url, _):
        yield url


def launch_chromium(playwright, extra_args: Sequence[str] = ()):
    """Debian's Chromium, headless, with no background traffic; ``extra_args`` are further command-line switches."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *extra_args],
                                      timeout=30_000)


def is_foreign(request_url: str, app_url: str) -> bool:
    """True when the browser asked a host other than the app's own (data: and blob: URLs stay in the page)."""
    parts = urlsplit(request_url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != urlsplit(app_url).netloc


def log_foreign_requests(context, app_url: str) -> list[str]:
    """Record every request of ``context``'s pages to a host other than ``app_url``'s; the list fills as they go.

    Playwright's request event sees a request before name resolution, so one that :data:`OFFLINE_ARGS` stops is
    still recorded: the app must make none (fonts, icons, scripts, the favicon all come from its own server).
    """
    foreign: list[str] = []
    context.on("request", lambda request: foreign.append(f"{request.resource_type} {request.url}")
               if is_foreign(request.url, app_url) else None)
    return foreign


NOT_DRAWN = '[data-testid="stSkeleton"], [data-testid^="stBidiComponent"]'
"""The elements that mean a page is not drawn yet: a widget still a placeholder for its script (``stSkeleton``), and
the signal a session's first run ends with, which starts the run drawing its charts (``dashboard.first_paint``, a
``stBidiComponent``). The browser test's idle wait and the benchmark's step timer (``bench/step_timer.js``) both
read it."""


def wait_until_idle(page, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished the script run, nothing on the page is :data:`NOT_DRAWN` and every chart
    drew."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=timeout_ms)
    page.wait_for_function(
        """notDrawn => !document.querySelector(notDrawn)
                 && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                    .every(chart => chart.querySelector('.main-svg'))""",
        arg=NOT_DRAWN,
        timeout=timeout_ms,
    )


def press_slider(page, index: int = 0, key: str = "ArrowRight", tries: int = 3) -> None:
    """Press ``key`` on the page's ``index``-th slider once, as a user would, and wait until the slider took it.

    A key pressed while Streamlit is still drawing the page can land on a slider element that is being replaced
    and is then lost (it happened in two full-suite runs, never with the browser tests alone); the press is
    repeated only when the slider's value did not move, so a press that did arrive is never doubled.
    """
    for _ in range(tries):
        wait_until_idle(page)
        slider = page.get_by_role("slider").nth(index)
        before = slider.get_attribute("aria-valuenow")
        slider.focus()
        slider.press(key)
        try:
            page.wait_for_function(
                "([index, before]) => document.querySelectorAll('[role=slider]')[index]"
                "?.getAttribute('aria-valuenow') !== before",
                arg=[index, before], timeout=5_000,
            )
            return
        except Exception:  # playwright's TimeoutError: the press was lost, the slider still shows `before`
            continue
    raise AssertionError(f"slider {index} did not take {key!r} in {tries} tries")


def open_page(page, title: str, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Click the sidebar link ``title`` (same session, so uploads stay) and wait for that page's heading."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click(timeout=timeout_ms)
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=timeout_ms)
    wait_until_idle(page, timeout_ms)


def upload_file(page, name: str, content: bytes, mime: str = "text/csv") -> None:
    """Pick ``content`` as file ``name`` through the file chooser of the first uploader on the page."""
    uploader = page.get_by_test_id("stFileUploader").first
    with page.expect_file_chooser() as chooser:
        uploader.get_by_role("button", name="Upload", exact=True).click()
    chooser.value.set_files(files=[{"name": name, "mimeType": mime, "buffer": content}])
