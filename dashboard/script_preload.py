"""The scripts of the first view's elements, fetched by the page while it waits for the server's first run.

Streamlit's frontend loads the script of most elements (a KPI card's ``Metric``, a ``Slider``, a ``Selectbox`` …)
only when the first such element arrives, and the browser fetches at most six files from one server at a time. On
the first view the sidebar's widgets, the KPI cards and the Overview's first chart arrived together, and their
scripts with their dependencies — some 45 files — queued behind one another: the cards' own script came after the
cards, and then raced Plotly's chart script, whose evaluation is a long task of the page's main thread; when
Plotly's was ready first, the cards were painted only after it (measured in ``docs/performance.md``).

:class:`ScriptPreload`, a middleware of the server started by ``serve.py``, adds a ``modulepreload`` link for each of
:data:`FIRST_VIEW_ELEMENTS`' scripts to the page's head, so the browser fetches and compiles them while it loads
the frontend; the frontend evaluates each when its first element comes, as before. Plotly's script is left out on
purpose: preloaded (or imported ahead), its evaluation lands when the server's elements arrive and holds them up
(tried, ``docs/performance.md``: the cards came later, not sooner).

The scripts are this server's own (Streamlit's static files), like every script the page runs; nothing is asked of
another host. An element whose script is not found (a later Streamlit named it otherwise) is left out, and without
any the page is served as it is — as with ``streamlit run app.py``, which has no middleware.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import streamlit

Message = MutableMapping[str, Any]
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STATIC_SCRIPTS = Path(streamlit.__file__).parent / "static" / "static" / "js"
"""Where Streamlit keeps its frontend's scripts (served under ``static/js/``)."""

FIRST_VIEW_ELEMENTS = ("Metric", "Slider", "Selectbox", "Radio", "TextInput", "ButtonGroup")
"""The elements of the sidebar and the Overview's first screen whose scripts the frontend loads on demand: the KPI
cards and the widgets (each script is ``<name>.<build hash>.js``)."""

_NOT_PAGES = ("/_stcore/", "/static/", "/media/", "/component/")
"""The server's paths that never answer with the page (its API, scripts, media, components)."""


def element_script(name: str, scripts: Path = STATIC_SCRIPTS) -> str | None:
    """The file name of element ``name``'s script among ``scripts``, or None unless there is exactly one."""
    found = sorted(path.name for path in scripts.glob(f"{name}.*.js"))
    return found[0] if len(found) == 1 else None


def preload_tag(scripts: tuple[str, ...]) -> bytes:
    """The links added to the page's head: a ``modulepreload`` of each of ``scripts`` at ``./static/js/`` beside the
    page (the URL the frontend imports it from, as Streamlit's own script tags). The browser fetches and compiles
    them while it loads the frontend and evaluates each only when the frontend imports it."""
    return "".join(f'<link rel="modulepreload" crossorigin href="./static/js/{script}">' for script in scripts).encode()


def with_preload(page: bytes, tag: bytes) -> bytes:
    """``page`` with ``tag`` just before its ``</head>``; unchanged if it has none."""
    head_end = page.find(b"</head>")
    return page if head_end < 0 else page[:head_end] + tag + page[head_end:]


class ScriptPreload:
    """ASGI middleware: the page (any ``GET`` answered with HTML) gets :func:`preload_tag` for ``scripts`` (default:
    those of :data:`FIRST_VIEW_ELEMENTS` that :func:`element_script` finds); everything else passes untouched. The
    page is asked for uncompressed (8 KB, one request per visit) so that the tag can be added, and its validators
    are dropped: it is no longer the file they describe."""

    def __init__(self, app: ASGIApp, scripts: tuple[str, ...] | None = None) -> None:
        self.app = app
        if scripts is None:
            scripts = tuple(found for name in FIRST_VIEW_ELEMENTS if (found := element_script(name)) is not None)
        self.tag = preload_tag(scripts) if scripts else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (self.tag is None or scope["type"] != "http" or scope["method"] != "GET"
                or any(part in scope["path"] for part in _NOT_PAGES)):
            await self.app(scope, receive, send)
            return
        scope = {**scope, "headers": [(name, value) for name, value in scope["headers"]
                                      if name.lower() != b"accept-encoding"]}
        held: Message | None = None
        body = bytearray()

        async def send_page(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and _is_plain_html(message):
                held = message
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            page = with_preload(bytes(body), self.tag)
            headers = [(name, value) for name, value in held["headers"]
                       if name.lower() not in (b"content-length", b"etag", b"last-modified")]
            await send({**held, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
            await send({"type": "http.response.body", "body": page, "more_body": False})

        await self.app(scope, receive, send_page)


def _is_plain_html(start: Message) -> bool:
    """Whether a response's start announces an uncompressed HTML body with a 200."""
    headers = {name.lower(): value for name, value in start.get("headers", [])}
    return (start.get("status") == 200 and headers.get(b"content-type", b"").startswith(b"text/html")
            and b"content-encoding" not in headers)
