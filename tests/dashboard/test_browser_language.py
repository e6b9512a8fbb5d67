"""The language the dashboard starts in: the link's (``app_lang``), else the session's choice, else the browser's
(``st.context.locale``) when it is German or English, else German. The browser's language is the session's default:
the link names the language only when the user chose another one.
"""

from __future__ import annotations

import pytest
from apptest_support import APP
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.slow  # whole-page AppTests; the quick run has the smoke test of every page (test_app.py)

TITLE = {"de": "Überblick", "en": "Overview"}


def open_in_browser(locale: str | None, link: dict[str, str] | None = None) -> AppTest:
    """Open the app's first page as a browser with ``locale`` (None: it sends none) opens ``link``."""
    app = AppTest.from_file(APP, default_timeout=120)
    if locale is not None:
        app.context["locale"] = locale
    for key, value in (link or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


@pytest.mark.parametrize(("locale", "lang"), [("en-US", "en"), ("en-GB", "en"), ("en", "en"), ("de-DE", "de"),
                                              ("de-AT", "de"), ("fr-FR", "de"), ("", "de"), (None, "de")])
def test_without_a_language_in_the_link_the_page_speaks_the_browsers_language_or_german(locale, lang):
    app = open_in_browser(locale)
    assert app.button_group(key="app_lang").value == lang
    assert app.title[0].value == TITLE[lang]
    assert "app_lang" not in app.query_params  # the session's default is not written into the link


@pytest.mark.parametrize(("locale", "lang"), [("en-US", "de"), ("de-DE", "en"), (None, "en")])
def test_the_links_language_wins_over_the_browsers(locale, lang):
    app = open_in_browser(locale, {"app_lang": lang})
    assert app.button_group(key="app_lang").value == lang
    assert app.title[0].value == TITLE[lang]
    assert app.query_params["app_lang"] == lang


def test_the_users_choice_wins_over_the_browsers_and_the_link_names_it_until_the_browsers_is_chosen_again():
    app = open_in_browser("en-US")
    app.button_group(key="app_lang").set_value("de").run()
    assert not app.exception, app.exception
    assert app.title[0].value == TITLE["de"] and app.query_params["app_lang"] == "de"
    app.run()  # the choice stays on the next run
    assert app.button_group(key="app_lang").value == "de" and app.title[0].value == TITLE["de"]
    app.button_group(key="app_lang").set_value("en").run()
    assert app.title[0].value == TITLE["en"] and "app_lang" not in app.query_params
