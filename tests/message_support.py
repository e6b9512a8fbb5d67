"""Checking what the user reads of an error the domain reports as a key with parameters.

The domain's :class:`LoadError` carries ``key`` and ``params`` only; the text comes from the views
(:func:`retention_views.texts.problem_text`). :func:`raises_load_error` is ``pytest.raises(LoadError, match=...)`` on
that text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from retention_core.ingest import LoadError
from retention_views.texts import problem_text


@contextmanager
def raises_load_error(match: str, lang: str = "en") -> Iterator[pytest.ExceptionInfo]:
    """Expect a :class:`LoadError` whose text in ``lang`` matches the regular expression ``match`` (``re.search``,
    as ``pytest.raises`` does); yields the ``ExceptionInfo``."""
    with pytest.raises(LoadError) as raised:
        yield raised
    text = problem_text(raised.value, lang)
    assert re.search(match, text), f"{match!r} does not match {text!r}"
