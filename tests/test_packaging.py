"""Packaging: every third-party module that cald's code imports is a core dependency, so that
``pip install cald`` without extras gives a program whose main job and README tour work (issue 9:
``cald nmr process`` ended in ``ModuleNotFoundError: nmrglue``)."""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Imported only as a fallback for old versions of a core dependency (typer vendors click).
FALLBACK_ONLY = {"click"}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _core_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_normalise(re.split(r"[\s\[<>=!~;]", dep, maxsplit=1)[0])
            for dep in project["dependencies"]}


def _imported_top_level_modules() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "src" / "cald").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"cald", "__future__"} - FALLBACK_ONLY


def test_every_imported_package_is_a_core_dependency():
    providers = md.packages_distributions()
    core = _core_distributions()
    missing = {}
    for module in sorted(_imported_top_level_modules()):
        dists = {_normalise(d) for d in providers.get(module, [module])}
        if not dists & core:
            missing[module] = sorted(dists)
    assert not missing, f"imported but not core dependencies: {missing}"


def test_the_test_can_fail():
    """The scan sees the heavy imports that once were extras."""
    modules = _imported_top_level_modules()
    assert {"nmrglue", "mrsimulator", "pybaselines", "numpy"} <= modules
