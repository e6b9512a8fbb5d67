"""Helpers shared by the AppTest modules: open a page through the real frame and read its numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from unittest import mock

import streamlit.testing.v1.local_script_runner as local_script_runner
from streamlit.runtime.scriptrunner import RerunData
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def open_page(page: str, lang: str = "de") -> AppTest:
    """Run the app (frame and sidebar included) in ``lang`` and switch to ``page``; fail on any exception."""
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["app_lang"] = lang
    app.run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def titled_charts(app: AppTest) -> dict[str, dict]:
    """The page's Plotly charts (their JSON) by the title shown above each (``widgets.chart``), in page order."""
    charts, title = {}, None
    for node in app.main:
        if node.type == "markdown":
            title = node.value.removeprefix("**").removesuffix("**").replace("\\$", "$")
        elif node.type == "plotly_chart":
            charts[title] = json.loads(node.proto.spec)
            title = None
    return charts


def chart_titled(app: AppTest, title_start: str) -> dict:
    """The JSON of the chart whose title starts with ``title_start``."""
    charts = titled_charts(app)
    found = [spec for title, spec in charts.items() if title and title.startswith(title_start)]
    assert found, f"no chart titled {title_start!r}; have {list(charts)}"
    return found[0]


def run_fragment(app: AppTest, fragment: str) -> AppTest:
    """Rerun ``app`` as the browser does after a widget inside the fragment keyed ``fragment`` changed: the fragment
    alone (with the widget callbacks first), not the whole script, which is all ``AppTest.run()`` can do.

    The rerun request is the browser's (``fragment_id_queue`` of the widget's fragment); AppTest builds it without
    one, so the request class it uses is replaced for this run.
    """
    ids = app._fragment_storage.resolve_target(fragment)
    with mock.patch.object(local_script_runner, "RerunData",
                           lambda **fields: RerunData(**fields, fragment_id_queue=list(ids))):
        app.run()
    assert not app.exception, app.exception
    return app


def block_runs(app: AppTest) -> dict[str, int]:
    """How often each counted block (``run_counts.count_run``) has run in the app's session, a copy."""
    return dict(app.session_state["app_block_runs"])


def metric_value(app: AppTest, label: str) -> str:
    """The displayed value of the metric card labelled ``label``."""
    values = [metric.value for metric in app.metric if metric.label == label]
    assert values, f"no metric labelled {label!r}; have {[metric.label for metric in app.metric]}"
    return values[0]


def german_number(text: str) -> float:
    """``1.234,56 €`` -> 1234.56; ``-12,5 %`` -> -12.5."""
    return float(re.sub(r"[^0-9,\-−]", "", text).replace("−", "-").replace(",", "."))


CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def rendered(markdown: str) -> str:
    """The text a Markdown element shows for ``markdown`` whose only markup is inline code spans, the way user text
    is shown on the pages (``widgets.plain``): ``Angezeigt: `orders.csv` `` shows ``Angezeigt: orders.csv``."""
    def content(match: re.Match) -> str:
        text = match.group(2)
        return text[1:-1] if len(text) > 2 and text[0] == " " and text[-1] == " " and text.strip() else text

    return CODE_SPAN.sub(content, markdown)
