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


def rendered(markdown: str) -> str:
    """The text a Markdown element shows for ``markdown`` whose only markup is backslash escapes: user text on the
    pages is escaped that way (``widgets.plain``), so ``Lindenberg \\(Beispiel\\)`` shows ``Lindenberg (Beispiel)``."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
