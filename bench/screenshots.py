"""Full-page screenshots of every dashboard page in German and English, for the README and for visual review.

Run: python bench/screenshots.py [--out docs/screenshots] [--pages overview,clv] [--langs de,en] [--viewport 390x844]
                                 [--open customers_title]
Starts ``streamlit run app.py`` on a free loopback port (the same helper as ``tests/dashboard/test_browser.py``),
opens it in Debian's Chromium at 1440 x 900 (or ``--viewport``; a phone's 390 x 844 shows the sidebar collapsed, as
a phone does: it is opened for each click on the page list and closed again before the shot) on the embedded sample
business and writes ``<page>_<lang>.png`` per page; the Data page is shot after uploading
``sample_data/transaktionen.csv`` so it shows the upload report. ``--open`` names expanders (by the text key of
their title, e.g. ``customers_title``) to open on each page before the shot. The PNGs are reduced to a 256-colour palette so the
README stays light. Prints one line per file with its size.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from browser_support import launch_chromium, open_page, streamlit_server, upload_file, wait_until_idle  # noqa: E402
from retention_views import text_keys  # noqa: E402
from retention_views.texts import t  # noqa: E402

SAMPLE_CSV = ROOT / "sample_data" / "transaktionen.csv"
PAGES = ("overview", "retention_cost", "clv", "profit", "cohorts", "loyalty", "segments", "scenarios", "data")
LANGUAGES = {"de": "Deutsch", "en": "English"}
VIEWPORT = {"width": 1440, "height": 900}


def parse_viewport(text: str) -> dict[str, int]:
    """``"390x844"`` as Playwright's ``{"width": 390, "height": 844}``."""
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit()):
        raise ValueError(f"viewport {text!r} is not WIDTHxHEIGHT")
    return {"width": int(width), "height": int(height)}


def _open_sidebar(page) -> None:
    """Open the sidebar if it is collapsed (a narrow viewport starts with it closed)."""
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.count() and expand.first.is_visible():
        expand.first.click()
        page.get_by_test_id("stSidebarNav").wait_for()
        page.wait_for_timeout(400)  # the sidebar slides in


def _close_sidebar(page, viewport: dict[str, int]) -> None:
    """Close the sidebar again on a narrow viewport: there it lies over the page instead of beside it."""
    sidebar = page.get_by_test_id("stSidebar")
    if viewport["width"] >= 768 or sidebar.get_attribute("data-collapsed") != "false":
        return
    page.get_by_test_id("stSidebar").get_by_role("button", name="Collapse sidebar").click(force=True)
    page.wait_for_timeout(600)  # the sidebar slides out


def _save_small(png: bytes, path: Path) -> int:
    """Write ``png`` as a 256-colour palette PNG (charts and text stay sharp) and return its size in bytes."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path.stat().st_size


def _content_height(page) -> int:
    return int(page.evaluate(
        """() => Math.max(...['stMain', 'stAppViewContainer', 'stMainBlockContainer']
                 .map(id => document.querySelector(`[data-testid="${id}"]`))
                 .filter(Boolean).map(node => node.scrollHeight), document.body.scrollHeight)"""))


def _full_page(page, viewport: dict[str, int]) -> bytes:
    """The whole page: Streamlit scrolls inside its main area, so grow the viewport until the content fits."""
    height = viewport["height"]
    for _ in range(6):
        needed = _content_height(page)
        if needed <= height:
            break
        height = needed
        page.set_viewport_size({"width": viewport["width"], "height": height})
        wait_until_idle(page)
        page.wait_for_timeout(500)  # Plotly relayouts once after a resize
    shot = page.screenshot(full_page=True, animations="disabled")
    page.set_viewport_size(viewport)
    return shot


def _open_expanders(page, titles: list[str]) -> None:
    """Click open the expanders titled ``titles`` that the page has (each builds its content once open)."""
    for title in titles:
        summary = page.locator("summary").filter(has_text=title)
        if summary.count():
            summary.first.click()
            wait_until_idle(page)
            page.wait_for_timeout(500)


def shoot(url: str, out: Path, pages: list[str], langs: list[str], viewport: dict[str, int] = VIEWPORT,
          expanders: tuple[str, ...] = ()) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for lang in langs:
                # a German browser: the dashboard starts in German and each other language is clicked
                context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="de-DE")
                context.set_default_timeout(30_000)
                page = context.new_page()
                page.goto(url)
                page.get_by_role("heading", name=t("page_overview", "de"), level=1).wait_for()
                wait_until_idle(page)
                if lang != "de":
                    _open_sidebar(page)
                    page.get_by_test_id("stSidebar").get_by_role("radio", name=LANGUAGES[lang], exact=True).click()
                    page.get_by_role("heading", name=t("page_overview", lang), level=1).wait_for()
                    wait_until_idle(page)
                for name in pages:
                    started = time.monotonic()
                    _open_sidebar(page)
                    open_page(page, t(text_keys.PAGE_TITLE[name], lang))
                    _close_sidebar(page, viewport)
                    if name == "data":  # show the upload report, not an empty uploader
                        upload_file(page, SAMPLE_CSV.name, SAMPLE_CSV.read_bytes())
                        page.get_by_test_id("stMetric").first.wait_for()
                        wait_until_idle(page)
                    _open_expanders(page, [t(key, lang) for key in expanders])
                    path = out / f"{name}_{lang}.png"
                    size = _save_small(_full_page(page, viewport), path)
                    print(f"{path}  {size / 1024:.0f} KB  {time.monotonic() - started:.1f} s",
                          flush=True)
                context.close()
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated, from: " + ", ".join(PAGES))
    parser.add_argument("--langs", default="de,en", help="comma-separated, from: de, en")
    parser.add_argument("--viewport", default="1440x900", help="WIDTHxHEIGHT, e.g. 390x844 for a phone")
    parser.add_argument("--open", default="", help="comma-separated text keys of expander titles to open, e.g. "
                        "customers_title")
    args = parser.parse_args()
    try:
        viewport = parse_viewport(args.viewport)
    except ValueError as error:
        parser.error(str(error))
    pages = [name for name in args.pages.split(",") if name]
    langs = [lang for lang in args.langs.split(",") if lang]
    unknown = sorted(set(pages) - set(PAGES)) + sorted(set(langs) - set(LANGUAGES))
    if unknown:
        parser.error(f"unknown page or language: {', '.join(unknown)}")
    with streamlit_server() as url:
        shoot(url, args.out.resolve(), pages, langs, viewport, tuple(key for key in args.open.split(",") if key))


if __name__ == "__main__":
    main()
