"""Helpers shared by the AppTest modules: open a page through the real frame and read its numbers."""

from __future__ import annotations

import re
from pathlib import Path

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
