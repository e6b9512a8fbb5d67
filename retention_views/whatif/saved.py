"""What a saved scenario keeps (its what-if values, not the display settings) and the rules for its name."""

from __future__ import annotations

from collections.abc import Mapping

from retention_views.url_params import PARAMS


def what_if_values(values: Mapping[str, object]) -> dict:
    """The part of a scenario a saved scenario keeps: everything but display settings (language, currency)."""
    return {key: value for key, value in values.items() if key in PARAMS and PARAMS[key].what_if}


MAX_NAME_LENGTH = 60


class ScenarioNameError(ValueError):
    """A scenario name that cannot be used; ``key`` is the i18n key of the message shown to the user."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def clean_name(name: str) -> str:
    """``name`` with surrounding and repeated whitespace removed; empty or longer than 60 characters is an error.

    Any other text is allowed (it is escaped wherever it is shown or exported).
    """
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise ScenarioNameError("scenario_name_empty", "a scenario needs a name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ScenarioNameError("scenario_name_too_long",
                                f"a scenario name has at most {MAX_NAME_LENGTH} characters, got {len(cleaned)}")
    return cleaned
