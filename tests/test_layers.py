"""The direction of imports (ARCHITECTURE.md): every module of ``src/cald`` imports only from its
own layer or the layers below it; a reader never processes, a line-shape family never reaches into
recoupling, the library never imports the project pipeline or the command line, and the report
core names no analysis kind."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "cald"

#: package (first component below cald) → packages it must not import.
LIBRARY = {"io", "nmr", "recoupling", "lineshape", "fitting", "synth", "figures",
           "tables", "options", "parallel", "qd", "surface", "atomistic"}
PHYSICS = {"nmr", "recoupling", "lineshape"}
FORBIDDEN = {
    # types: below everything
    "errors": LIBRARY | {"project", "cli", "spectrum", "nuclei", "noise", "processing_options"},
    "spectrum": LIBRARY | {"project", "cli"},
    "nuclei": LIBRARY | {"project", "cli"},
    "noise": LIBRARY | {"project", "cli"},
    "processing_options": LIBRARY | {"project", "cli"},
    # the fitting core and the cache of precomputed tables: above the types only
    "fitting": LIBRARY - {"fitting"} | {"project", "cli"},
    "tables": LIBRARY - {"tables", "io"} | {"project", "cli"},
    # readers never process
    "io": LIBRARY - {"io"} | {"project", "cli"},
    # physics: one family never reaches into another (nmr's options read through cald.read)
    "nmr": {"recoupling", "lineshape", "qd", "surface", "synth", "figures", "atomistic", "project",
            "cli"},
    "recoupling": {"lineshape", "surface", "synth", "figures", "atomistic", "project", "cli"},
    "lineshape": {"recoupling", "surface", "synth", "figures", "atomistic", "project", "cli"},
    # surface chemistry (XPS, FTIR): computation on arrays like lineshape, on the types, the
    # fitting core, the options models and lineshape's profiles and peak fits; it reads no files
    # (io) and nothing below uses it
    "surface": LIBRARY - {"surface", "fitting", "options", "lineshape"} | {"project", "cli"},
    "options": LIBRARY - {"options"} | {"project", "cli"},
    "figures": {"synth", "project", "cli"},
    "synth": {"figures", "atomistic", "project", "cli"},
    "parallel": LIBRARY - {"parallel"} | {"project", "cli"},
    # quantum dots in solution: on the types, the fitting core and the options models, the
    # readers (a DOSY series with its pulse program), and the line-shape fits and spectrum
    # processing of the physics layer (the 1H alkene of a titration, the 1H ligand density);
    # nothing below uses qd
    "qd": LIBRARY - {"qd", "fitting", "options", "io", "lineshape", "nmr"} | {"project", "cli"},
    # atomistic models (ASE Atoms): on the types, the readers/writers of structure files, the
    # recoupling physics (RESPDOR curves of a model), the fitting core, the options models and
    # the dask mapping (screens); nothing below uses it
    "atomistic": LIBRARY - {"atomistic", "io", "recoupling", "fitting", "options", "parallel"}
    | {"project", "cli"},
    # the project layer is below the command line
    "project": {"cli"},
}

def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "cald":
            names.update(f"cald.{a.name}" for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n.split(".")[1] for n in names if n.startswith("cald.") and n.count(".") >= 1}


def _package(path: Path) -> str:
    return path.relative_to(SRC).parts[0].removesuffix(".py")


MODULES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_run_downwards(path):
    wrong = _imports(path) & FORBIDDEN.get(_package(path), set())
    assert not wrong, f"{path.relative_to(SRC)} imports {sorted(wrong)}"


def test_every_package_has_a_rule():
    packages = {_package(p) for p in MODULES} - {"__init__", "cli", "py.typed"}
    assert packages <= set(FORBIDDEN), sorted(packages - set(FORBIDDEN))


KIND_NAME = re.compile(r"""["'](respdor|dnp|nmr|peaks|quad|csa)["']""")


@pytest.mark.parametrize("name", ["project/pipeline.py", "project/mechanism.py",
                                  "project/report/html.py"])
def test_report_core_names_no_kind(name):
    path = SRC / name
    found = KIND_NAME.findall(path.read_text(encoding="utf-8"))
    assert not found, f"{name} names kinds {sorted(set(found))}"
