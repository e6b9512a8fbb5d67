"""SciPy's ``special`` and ``optimize`` for the model modules, imported the first time one of their names is used.

Importing them takes about 0.3 s of CPU, and the dashboard's first view (the Overview) fits and forecasts no model:
with these stand-ins the server's start-up reaches that view without them, and the first fit or forecast imports
them (:mod:`dashboard.warm_up` does it after the first view). A name is looked up in the real module on every use,
as with ``from scipy import special``, so a test that patches ``scipy.optimize.minimize`` patches it here too.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class _OnFirstUse:
    """A module, imported when one of its names is first asked for (Python's import lock makes that safe from any
    thread)."""

    def __init__(self, module: str) -> None:
        self._name = module
        self._module: ModuleType | None = None

    def __getattr__(self, name: str) -> object:  # every name but the two above
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, name)

    def __repr__(self) -> str:
        return f"<{self._name}, imported on first use>"


special = _OnFirstUse("scipy.special")
optimize = _OnFirstUse("scipy.optimize")
