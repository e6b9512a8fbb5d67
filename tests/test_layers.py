"""The import rule of the layers: ``retention_core`` (the domain) imports no streamlit, plotly, babel, views or
dashboard; ``retention_views`` imports no streamlit or dashboard.

Checked twice: each module of a package is imported in a fresh interpreter with the forbidden packages blocked (an
import of one raises ``ImportError``), and the source of each module is read for import statements naming them (with
file and line). The packages are walked as they are on disk, so modules added or moved later are covered.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: The packages each layer must not import (top-level names).
FORBIDDEN = {
    "retention_core": ("streamlit", "plotly", "babel", "retention_views", "dashboard"),
    "retention_views": ("streamlit", "dashboard"),
}

#: Run in a fresh interpreter: block the forbidden packages, then import every module of the package.
_IMPORT_ALL = """
import importlib, importlib.abc, importlib.util, json, pkgutil, sys

package, blocked = sys.argv[1], tuple(sys.argv[2:])

class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"{name} may not be imported by {package}")
        return None

sys.meta_path.insert(0, Blocked())
spec = importlib.util.find_spec(package)  # walked from its folder: importing the package itself may fail
names = [package] + sorted(info.name for info in pkgutil.walk_packages(spec.submodule_search_locations,
                                                                      package + "."))
failures = {}
for name in names:
    try:
        importlib.import_module(name)
    except Exception as error:
        failures[name] = f"{type(error).__name__}: {error}"
print(json.dumps({"modules": names, "failures": failures}))
"""


def modules_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported_names(path: Path) -> list[tuple[int, str]]:
    """The top-level package of each absolute import in ``path``, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def forbidden_imports(package: str) -> list[str]:
    """``path:line imports name`` for every import of a package ``package`` may not import."""
    return [f"{path.relative_to(ROOT)}:{line} imports {name}"
            for path in modules_of(package) for line, name in imported_names(path) if name in FORBIDDEN[package]]


@pytest.mark.parametrize("package", list(FORBIDDEN))
def test_every_module_of_a_layer_imports_with_the_layers_above_it_blocked(package):
    run = subprocess.run([sys.executable, "-c", _IMPORT_ALL, package, *FORBIDDEN[package]], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(outcome["modules"]) > 1
    assert outcome["failures"] == {}


@pytest.mark.parametrize("package", list(FORBIDDEN))
def test_no_module_of_a_layer_names_a_forbidden_package_in_an_import(package):
    assert forbidden_imports(package) == []


def test_the_static_check_names_the_file_and_line_of_a_forbidden_import(tmp_path, monkeypatch):
    module = tmp_path / "retention_core" / "charts_here.py"
    module.parent.mkdir()
    module.write_text('"""A domain module that draws."""\n\nimport numpy as np\nfrom plotly import graph_objects\n')
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert forbidden_imports("retention_core") == ["retention_core/charts_here.py:4 imports plotly"]
