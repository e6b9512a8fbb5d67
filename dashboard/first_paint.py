"""A session's first page paints its figures before its charts.

The browser loads Plotly's chart script (4.7 MB) when the first chart arrives and evaluates it in one task of the
page's main thread (0.7–0.8 s on the benchmark machine). When a session's first run sent the KPI cards and the
charts together, the cards were painted after that task in about half of the first views (``docs/performance.md``,
"The first view's KPI cards and the page's on-demand scripts"). So a session's first view is two runs: the first
leaves each chart out (its title and a blank of its height, so nothing below it moves) and ends with a small
script (:data:`_PAINTED`, inline: nothing is fetched) that tells the server once the browser has painted what it
got; the run this starts draws the charts from the same cached figures.

A rerun asked for at once by the server did not do: the second run's charts then reached the browser while it was
still loading the cards' own script, and React revealed both together after Plotly's evaluation.

The frame calls :func:`begin` first and :func:`end` after the page; ``widgets.chart`` asks :func:`first_run`, and
so does what the first view shows once (the link's notice, ``url_sync.notice``), which waits for the second run.
A page that stops (``st.stop``) does so before its first chart, on data it cannot show: its next run is the
user's. The state is the session's ``keys.FIRST_PAINT``: ``"first"`` during its first run, ``"done"`` after.
"""

from __future__ import annotations

import streamlit as st

from dashboard import keys

FIRST, DONE = "first", "done"

#: Waits until no element of the page is still a placeholder for its script (``stSkeleton``) and two frames have
#: been painted, at most ``SECONDS`` (then it goes on: the charts never wait longer than that), and then sets the
#: trigger that reruns the app.
_SCRIPT = """
export default function ({ setTriggerValue }) {
  const SECONDS = 3;
  const started = performance.now();
  const painted = () => setTriggerValue("painted", true);
  const check = () => {
    const waiting = document.querySelector('[data-testid="stSkeleton"]');
    if (waiting && performance.now() - started < SECONDS * 1000) {
      requestAnimationFrame(check);
    } else {
      requestAnimationFrame(() => requestAnimationFrame(painted));
    }
  };
  requestAnimationFrame(check);
}
"""
_PAINTED = st.components.v2.component("retention_first_paint", js=_SCRIPT)


def begin() -> None:
    """Mark this run as the session's first, or any later one as a run that draws its charts."""
    state = st.session_state
    state[keys.FIRST_PAINT] = FIRST if keys.FIRST_PAINT not in state else DONE


def first_run() -> bool:
    """Whether this is the session's first run, which leaves its charts to the run the browser asks for."""
    return st.session_state.get(keys.FIRST_PAINT) == FIRST


def end() -> None:
    """In the session's first run, ask the browser to rerun the app once it has painted the page (call it last)."""
    if first_run():
        _PAINTED(key=keys.FIRST_PAINT_SIGNAL, on_painted_change=lambda: None, height=0)
