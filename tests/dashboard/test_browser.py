"""End to end in a real Chromium: upload the German sample CSV, use it, move a what-if slider, download a CSV.

Runs ``streamlit run app.py`` on a free loopback port and drives Debian's Chromium (``/usr/bin/chromium``) with
Playwright's sync API. Without Chromium the test skips locally and fails on CI (``CI`` set), so CI never passes
by silently skipping it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest

from browser_support import (CHROMIUM, OFFLINE_ARGS, is_foreign, launch_chromium, log_foreign_requests, open_page,
                             press_slider, streamlit_server, upload_file, wait_until_idle)
from retention_views.texts import t

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SAMPLE_CSV = Path(__file__).resolve().parents[2] / "sample_data" / "transaktionen.csv"
TIMEOUT_MS = 30_000
NBSP = "\u00a0"

# Ten orders, two of them unreadable: one without a date, one without an amount (cp1252, ";", decimal comma).
BAD_ROWS_CSV = ("Kundennummer;Bestelldatum;Betrag\n" + "".join(f"K{i};0{i}.01.2024;1{i},50\n" for i in range(1, 9))
                + "K9;kein Datum;3,00\nK10;10.01.2024;viel\n").encode("cp1252")


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser test, not skip it")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server_url():
    _require_chromium()
    pytest.importorskip("playwright.sync_api")
    with streamlit_server() as url:
        yield url


@pytest.fixture
def page(server_url):
    """A German tab on the Overview page; every test using it fails if the app asked any other host for anything."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, OFFLINE_ARGS)  # another host could not answer, but is still logged
        try:
            # a German browser: the dashboard starts in the browser's language (German or English)
            context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True,
                                          locale="de-DE")
            context.set_default_timeout(TIMEOUT_MS)
            foreign = log_foreign_requests(context, server_url)
            tab = context.new_page()
            tab.goto(server_url, timeout=TIMEOUT_MS)
            tab.get_by_role("heading", name="Überblick", level=1).wait_for()
            wait_until_idle(tab)
            yield tab
        finally:
            browser.close()
    assert foreign == [], f"the app asked other hosts: {foreign}"


def _metric_value(page, label: str):
    """The value element of the KPI card whose label is ``label``, in the current run's drawing.

    While a rerun draws the page, the previous run's card can stay until the run ends, marked stale, beside the new
    one (a strict-mode error for a locator that matched both: it failed the browser test in 2 of 26 runs).
    """
    current = page.locator('[data-testid="stElementContainer"]:not([data-stale="true"])')
    card = current.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    return card.get_by_test_id("stMetricValue")


def test_upload_use_slide_and_download_in_a_real_browser(page):
    from playwright.sync_api import expect

    started = time.monotonic()

    # Data page: the German sample CSV through the file chooser; 30,976 rows kept, none rejected.
    open_page(page, "Daten")
    upload_file(page, "transaktionen.csv", SAMPLE_CSV.read_bytes())
    expect(_metric_value(page, "Übernommene Zeilen")).to_have_text("30.976", timeout=TIMEOUT_MS)
    expect(_metric_value(page, "Abgelehnte Zeilen")).to_have_text("0")
    # The mapping form is prefilled from the German headers; confirm it as a user would.
    expect(page.get_by_text("Erkannt: CSV, Trennzeichen „;“", exact=False)).to_be_visible()
    page.get_by_role("button", name="Zuordnung übernehmen").click()
    wait_until_idle(page)
    expect(_metric_value(page, "Übernommene Zeilen")).to_have_text("30.976", timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Meine Daten im Dashboard verwenden").click()
    expect(page.get_by_test_id("stSidebar").get_by_text("Angezeigt: transaktionen.csv")).to_be_visible()

    # Retention cost: no cost sheet, so the typed-in café example (5.000 + 900 + 2.500 €) on 700 customers.
    open_page(page, "Bindungskosten")
    per_customer = _metric_value(page, "Bindungskosten je aktivem Kunden")
    expect(per_customer).to_have_text(f"12,00{NBSP}€")
    # the what-if sliders come in category order: team first
    expect(page.get_by_test_id("stSlider").first.get_by_test_id("stWidgetLabel")).to_have_text("Team (Personal)")
    press_slider(page, 0)  # one step = +5 %
    expect(per_customer).to_have_text(f"12,36{NBSP}€", timeout=TIMEOUT_MS)  # (5.250 + 900 + 2.500) / 700
    press_slider(page, 0)
    press_slider(page, 0)
    expect(per_customer).to_have_text(f"13,07{NBSP}€", timeout=TIMEOUT_MS)  # +15 %: 9.150 / 700
    expect(_metric_value(page, "Bindungskosten gesamt")).to_have_text(f"9.150,00{NBSP}€")  # 5.750 + 900 + 2.500

    # Back on the Data page: a file with two bad rows; download them and read the German CSV.
    open_page(page, "Daten")
    upload_file(page, "bestellungen.csv", BAD_ROWS_CSV)
    expect(_metric_value(page, "Übernommene Zeilen")).to_have_text("8", timeout=TIMEOUT_MS)
    expect(_metric_value(page, "Abgelehnte Zeilen")).to_have_text("2")
    with page.expect_download(timeout=TIMEOUT_MS) as download_info:
        page.get_by_role("button", name="Abgelehnte Zeilen als CSV herunterladen").click()
    download = download_info.value
    assert download.suggested_filename == "rejected_transactions.csv"
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 3, text  # header + the two rejected rows
    assert ";" in lines[0]
    assert any("K9" in line and "kein Datum" in line for line in lines[1:]), text
    assert any("K10" in line and "viel" in line for line in lines[1:]), text

    assert time.monotonic() - started < 90


def test_a_copied_link_reproduces_the_view_in_a_new_session(page, server_url):
    from playwright.sync_api import expect

    # Typed-in café, team +15 % by keyboard: (5.750 + 900 + 2.500) / 700 = 13,07 € per customer.
    open_page(page, "Bindungskosten")
    page.get_by_role("radio", name="Eigene Eingabe", exact=True).click()
    wait_until_idle(page)
    per_customer = _metric_value(page, "Bindungskosten je aktivem Kunden")
    expect(per_customer).to_have_text(f"12,00{NBSP}€", timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stSlider").first.get_by_test_id("stWidgetLabel")).to_have_text("Team (Personal)")
    for _ in range(3):
        press_slider(page, 0)
    expect(per_customer).to_have_text(f"13,07{NBSP}€", timeout=TIMEOUT_MS)
    page.wait_for_function("() => location.search.includes('cost_change_team=0.15')", timeout=TIMEOUT_MS)
    link = page.url
    assert "cost_mode=typed" in link

    # The link in a fresh browser context is a new Streamlit session: same page, same number, no notice.
    other = page.context.browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE")
    try:
        copy = other.new_page()
        copy.goto(link, timeout=TIMEOUT_MS)
        copy.get_by_role("heading", name="Bindungskosten", level=1).wait_for(timeout=TIMEOUT_MS)
        wait_until_idle(copy)
        expect(_metric_value(copy, "Bindungskosten je aktivem Kunden")).to_have_text(f"13,07{NBSP}€")
        expect(copy.get_by_test_id("stAlert")).to_have_count(0)
    finally:
        other.close()


def test_a_margin_step_redraws_the_forecast_fragment_and_keeps_the_link(page):
    """The margin slider's fragment (the CLV cards) reruns the forecast's fragment too: its histogram's mean mark
    follows the card, and the address bar holds the new margin (issue 30: fragments must not leave stale figures)."""
    from playwright.sync_api import expect

    open_page(page, "CLV & Lücke")
    card = _metric_value(page, "CLV (BG/NBD + Gamma-Gamma), Mittelwert")
    before = card.inner_text()
    press_slider(page, 0)  # the gross margin, one step up
    page.wait_for_function("() => location.search.includes('clv_gross_margin=')", timeout=TIMEOUT_MS)
    expect(card).not_to_have_text(before, timeout=TIMEOUT_MS)
    wait_until_idle(page)
    mean = round(float(card.inner_text().replace(".", "").replace(",", ".").rstrip(f"{NBSP}€")))
    mark = page.locator('[data-testid="stPlotlyChart"] .annotation-text').filter(has_text="Mittelwert:").first
    expect(mark).to_have_text(f"Mittelwert: {mean:,}{NBSP}€".replace(",", "."), timeout=TIMEOUT_MS)
    # the holdout check is built only once its expander is opened (a rerun of its own fragment)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("So lesen Sie den Test:")).to_have_count(0)
    main.get_by_test_id("stExpander").filter(has_text="Hält das Modell, was es verspricht?").locator("summary").click()
    expect(main.get_by_text("So lesen Sie den Test:")).to_be_visible(timeout=TIMEOUT_MS)


def test_the_segments_page_s_customer_list_opens_and_shows_a_page_of_customers(page):
    """The customer list at the Segments page's end is built once its expander is opened (a rerun of its own
    fragment) and shows the first 50 of the whole business's customers, with their table."""
    from playwright.sync_api import expect

    open_page(page, "Segmente")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("combobox", name="Kunden von")).to_have_value("Ganzes Geschäft")  # not "Choose an option"
    box = main.get_by_test_id("stExpander").filter(has_text="Kundenliste")
    expect(box.get_by_text("1–50 von 4.000 Kunden")).to_have_count(0)
    box.locator("summary").click()
    expect(box.get_by_text("1–50 von 4.000 Kunden")).to_be_visible(timeout=TIMEOUT_MS)
    expect(box.get_by_test_id("stDataFrame")).to_be_visible(timeout=TIMEOUT_MS)
    expect(box.get_by_role("button", name="Ganze Liste als CSV")).to_be_visible(timeout=TIMEOUT_MS)


def test_the_benchmark_times_a_slider_step_until_the_rerun_it_caused_has_ended(page, server_url):
    """``bench/bench_browser.py``'s step timer: each key press ends only after the rerun it caused was shown running
    and then ended and the page painted (the order of its marks; no time is asserted)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from bench_browser import Bench

    bench = Bench(page.context.browser, server_url, 4 * TIMEOUT_MS, page=page)  # reloads the page with the timer
    view = bench.first_view(bench.page, time.monotonic())
    # the cards' paint, on the page's clock: after the page opened, before the page had settled
    assert view["opened_s"] < view["cards_painted_s"] <= view["idle_s"], view
    bench.switch(bench.page_names(), "loyalty", 0)
    steps = bench.slider_steps("loyalty", 1)  # three sliders, one step away and one back each

    assert [step["widget"] for step in steps] == ["loyalty_cli_recommend"] * 2 + ["loyalty_cli_repurchase"] * 2 \
        + ["loyalty_cli_try_new"] * 2
    for step in steps:
        marks = step["marks"]
        assert step["value_from"] != step["value_to"], step
        assert step["runs"] == 1, step
        assert marks["input"] < marks["sent"] < marks["wsRunning"] <= marks["wsFinished"] < marks["painted"], step
        if not step["batched"]:  # the app showed the run: running after the key press, idle after its end
            assert marks["input"] < marks["domRunning"] < marks["idleShown"] <= marks["painted"], step
            assert marks["wsFinished"] <= marks["idleShown"], step
        assert step["seconds"] == pytest.approx((marks["painted"] - marks["input"]) / 1000)


def test_no_page_asks_another_host_for_anything(page):
    """Favicon, fonts, icons, scripts: every page is drawn from the app's own server alone (privacy, offline use).

    The ``page`` fixture fails the test on any request to another host; this test visits every page for it.
    """
    for key in ("page_retention_cost", "page_clv", "page_profit", "page_cohorts", "page_loyalty", "page_segments",
                "page_scenarios", "page_data", "page_overview"):
        open_page(page, t(key, "de"))
    icon = page.locator('link[rel~="icon"]').first.get_attribute("href")
    assert not is_foreign(urljoin(page.url, icon), page.url), icon


# When the first KPI card and the first chart entered the page, on the page's clock.
FIRST_ELEMENTS_SCRIPT = """
window.__firstSeen = {};
new MutationObserver(() => {
  for (const id of ["stMetric", "stPlotlyChart"]) {
    if (!(id in window.__firstSeen) && document.querySelector(`[data-testid="${id}"]`)) {
      window.__firstSeen[id] = performance.now();
    }
  }
}).observe(document, {childList: true, subtree: true});
"""


def test_a_new_visitor_gets_the_kpi_cards_before_any_chart(server_url):
    """The session's first run leaves the charts out (``dashboard.first_paint``): the browser has the cards on the
    page before Plotly's chart script is loaded and evaluated, and the charts follow with the second run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, OFFLINE_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE")
            context.add_init_script(FIRST_ELEMENTS_SCRIPT)
            tab = context.new_page()
            tab.goto(server_url, timeout=TIMEOUT_MS)
            tab.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=TIMEOUT_MS)
            seen = tab.evaluate("() => window.__firstSeen")
        finally:
            browser.close()
    assert seen["stMetric"] < seen["stPlotlyChart"], seen


@pytest.fixture
def listener():
    """A web server on loopback that counts the requests reaching it (the address a crafted upload points to)."""
    import http.server
    import threading

    hits: list[str] = []

    class Count(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Count)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_markdown_in_an_upload_fetches_nothing_and_shows_as_written(page, listener):
    from playwright.sync_api import expect

    address, hits = listener
    header, cell, name = (f"![{what}]({address}/{what}.png)" for what in ("header", "cell", "name"))
    content = (f"Kundennummer;Bestelldatum;Betrag;{header}\nK1;01.01.2024;12,50;a\n"
               f"K2;02.01.2024;{cell};b\nK3;03.01.2024;7,00;c\n").encode()
    open_page(page, "Daten")
    upload_file(page, f"{name} # Titel.csv", content)
    expect(_metric_value(page, "Abgelehnte Zeilen")).to_have_text("1", timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Meine Daten im Dashboard verwenden").click()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("# Titel.csv", exact=False)).to_be_visible(timeout=TIMEOUT_MS)
    wait_until_idle(page)  # the run that put the upload into use has ended: no stale element of the run before
    shown = page.get_by_test_id("stAlert").get_by_text(cell, exact=False)
    expect(shown).to_have_count(1, timeout=TIMEOUT_MS)  # once, as written (a rerun's stale copy goes when it ends)
    expect(shown).to_be_visible()
    page.wait_for_timeout(1_000)  # time for any image to be requested
    assert page.locator(f'img[src^="{address}"], a[href^="{address}"]').count() == 0
    assert page.locator("[data-testid=stMain] h1").count() == 1  # only the page's own title
    assert hits == []

