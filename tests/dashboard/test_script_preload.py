"""dashboard.script_preload: the page served by ``serve.py`` has the first view's element scripts preloaded; every
other answer of the server passes untouched, and without those scripts the page is served as it is."""

from __future__ import annotations

import asyncio

import pytest

from dashboard import script_preload
from dashboard.script_preload import FIRST_VIEW_ELEMENTS, ScriptPreload, element_script, preload_tag, with_preload

PAGE = b"<!DOCTYPE html><html><head><title>Streamlit</title></head><body><div id=root></div></body></html>"
SCRIPTS = ("Metric.X1.js", "Slider.Y2.js")


class App:
    """An app behind the middleware: answers with ``parts`` of a body under ``headers`` and notes the scope."""

    def __init__(self, parts=(PAGE,), headers=((b"content-type", b"text/html; charset=utf-8"),), status=200):
        self.parts, self.headers, self.status, self.seen = parts, list(headers), status, {}

    async def __call__(self, scope, receive, send):
        self.seen = scope
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [*self.headers, (b"content-length", str(sum(map(len, self.parts))).encode()),
                                (b"etag", b'"abc"'), (b"last-modified", b"Mon, 07 Dec 2026 10:00:00 GMT")]})
        for index, part in enumerate(self.parts):
            await send({"type": "http.response.body", "body": part, "more_body": index < len(self.parts) - 1})


def serve(middleware: ScriptPreload, path: str = "/", method: str = "GET", kind: str = "http") -> list[dict]:
    """What the middleware sends for one request (the scope the app behind it saw is in ``app.seen``)."""
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": kind, "method": method, "path": path,
             "headers": [(b"accept-encoding", b"gzip"), (b"host", b"x")]}
    asyncio.run(middleware(scope, receive, send))
    return sent


def body(sent: list[dict]) -> bytes:
    return b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")


def headers(sent: list[dict]) -> dict[bytes, bytes]:
    return dict(sent[0]["headers"])


def test_the_installed_streamlit_has_each_first_view_element_s_script_once():
    """After an upgrade that renames a script this fails, rather than its preload going quietly missing."""
    for name in FIRST_VIEW_ELEMENTS:
        found = element_script(name)
        assert found is not None and found.startswith(f"{name}.") and found.endswith(".js"), name
        assert (script_preload.STATIC_SCRIPTS / found).stat().st_size > 1_000


def test_no_script_or_two_of_them_find_none(tmp_path):
    assert element_script("Metric", tmp_path) is None
    (tmp_path / "Metric.a1.js").write_text("")
    (tmp_path / "MetricGroup.c3.js").write_text("")  # another element whose name starts alike
    assert element_script("Metric", tmp_path) == "Metric.a1.js"
    (tmp_path / "Metric.b2.js").write_text("")
    assert element_script("Metric", tmp_path) is None


def test_the_tag_preloads_each_script_beside_the_page():
    assert preload_tag(SCRIPTS) == (b'<link rel="modulepreload" crossorigin href="./static/js/Metric.X1.js">'
                                    b'<link rel="modulepreload" crossorigin href="./static/js/Slider.Y2.js">')


def test_the_default_preloads_the_first_view_s_elements_and_not_plotly():
    tag = ScriptPreload(App()).tag.decode()
    assert tag.count('rel="modulepreload"') == len(FIRST_VIEW_ELEMENTS)
    assert all(f"/{element_script(name)}\"" in tag for name in FIRST_VIEW_ELEMENTS)
    assert "Plotly" not in tag


def test_the_tag_goes_just_before_the_head_s_end_and_a_page_without_one_is_unchanged():
    assert with_preload(b"<head><title>t</title></head><body>", b"<X>") == b"<head><title>t</title><X></head><body>"
    assert with_preload(b"<body>no head</body>", b"<X>") == b"<body>no head</body>"


@pytest.mark.parametrize("parts", [(PAGE,), (PAGE[:30], PAGE[30:70], PAGE[70:])], ids=["one part", "three parts"])
def test_the_page_gets_the_tag_with_its_length_and_without_its_validators(parts):
    app = App(parts)
    sent = serve(ScriptPreload(app, SCRIPTS))
    page = body(sent)
    assert page == with_preload(PAGE, preload_tag(SCRIPTS))
    assert headers(sent)[b"content-length"] == str(len(page)).encode()
    assert b"etag" not in headers(sent) and b"last-modified" not in headers(sent)
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    assert dict(app.seen["headers"]) == {b"host": b"x"}  # asked for uncompressed, so that the tag can be added


@pytest.mark.parametrize("path, method, kind", [
    ("/static/js/index.js", "GET", "http"),
    ("/_stcore/health", "GET", "http"),
    ("/media/abc.png", "GET", "http"),
    ("/app/component/x/index.html", "GET", "http"),
    ("/", "POST", "http"),
    ("/_stcore/stream", "GET", "websocket"),
], ids=["script", "health", "media", "component", "post", "websocket"])
def test_every_other_request_passes_untouched(path, method, kind):
    app = App()
    sent = serve(ScriptPreload(app, SCRIPTS), path, method, kind)
    assert body(sent) == PAGE and headers(sent)[b"etag"] == b'"abc"'
    assert (b"accept-encoding", b"gzip") in app.seen["headers"]


@pytest.mark.parametrize("app", [
    App(parts=(b'{"ok": true}',), headers=((b"content-type", b"application/json"),)),
    App(headers=((b"content-type", b"text/html"), (b"content-encoding", b"gzip"))),
    App(status=404),
], ids=["json", "compressed html", "not found"])
def test_an_answer_that_is_not_a_plain_html_page_passes_untouched(app):
    sent = serve(ScriptPreload(app, SCRIPTS))
    assert body(sent) == b"".join(app.parts) and headers(sent)[b"etag"] == b'"abc"'


def test_without_the_scripts_the_page_is_served_as_it_is(monkeypatch):
    monkeypatch.setattr(script_preload, "element_script", lambda name: None)
    app = App()
    sent = serve(ScriptPreload(app))
    assert body(sent) == PAGE and (b"accept-encoding", b"gzip") in app.seen["headers"]
