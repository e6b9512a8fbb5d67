"""Charts as PNG: rendered with Kaleido 1.x, which drives a Chrome or Chromium binary.

:func:`png_unavailable` says in plain words when Kaleido or a browser is missing, and :func:`figures_png` raises
:class:`PngUnavailable` instead of failing obscurely; :func:`figures_zip` packs the images for one download.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Mapping, Sequence
from pathlib import Path

import plotly.graph_objects as go

BROWSER_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
PNG_SCALE = 2  # sharp on laptop screens and in slides
PNG_TIMEOUT_S = 60


class PngUnavailable(RuntimeError):
    """PNG export cannot run here; ``key`` is the text key of the plain-words reason."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key


def browser_path() -> str | None:
    """The Chrome/Chromium Kaleido will use: ``BROWSER_PATH`` if it names a file, else the first one on PATH.

    Kaleido (via choreographer) looks in the same places: the ``BROWSER_PATH`` environment variable, then PATH.
    """
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    for name in BROWSER_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def png_unavailable() -> str | None:
    """None when PNG export can run, else the text key of the reason (Kaleido missing, no browser found)."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return "png_no_kaleido"
    if browser_path() is None:
        return "png_no_browser"
    return None


def figures_png(figures: Sequence[go.Figure], width: int = 1000) -> list[bytes]:
    """Each figure as PNG bytes (``PNG_SCALE`` × ``width`` pixels wide), rendered in one Kaleido browser session.

    Runs in a worker thread with its own event loop (the caller may be inside one) and waits at most
    ``PNG_TIMEOUT_S``. Raises :class:`PngUnavailable` when Kaleido or a browser is missing or rendering fails.
    """
    reason = png_unavailable()
    if reason:
        raise PngUnavailable(reason)
    import kaleido

    async def render() -> list[bytes]:
        async with kaleido.Kaleido(n=1) as session:
            return [await session.calc_fig(figure, opts={"format": "png", "width": width, "scale": PNG_SCALE,
                                                         "height": figure.layout.height or 450})
                    for figure in figures]

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(asyncio.run, render()).result(timeout=PNG_TIMEOUT_S)
    except Exception as error:  # Kaleido raises many kinds (browser crash, timeout); the user needs one message
        raise PngUnavailable("png_failed", f"{type(error).__name__}: {error}") from error
    finally:
        pool.shutdown(wait=False)


def figure_png(figure: go.Figure, width: int = 1000) -> bytes:
    """One figure as PNG bytes; see :func:`figures_png`."""
    return figures_png([figure], width)[0]


def figures_zip(figures: Mapping[str, go.Figure]) -> bytes:
    """A ZIP of one PNG per figure, named ``<name>.png`` (names are file stems chosen by the caller)."""
    images = figures_png(list(figures.values()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, image in zip(figures, images, strict=True):
            archive.writestr(f"{name}.png", image)
    return buffer.getvalue()


def note_zip(message: str) -> bytes:
    """A ZIP holding only ``README.txt`` with ``message`` (what a PNG download gives when rendering failed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", message)
    return buffer.getvalue()
