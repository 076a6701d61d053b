"""Provenance of a run: the versions of cald and its numerical dependencies, and a fingerprint of
the installed code.

The fingerprint is part of every cache key, so an outcome computed by other code (an upgrade, a
local edit of the installed package, another version of a numerical dependency) is recomputed,
not served from the cache.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata as md
import platform
from pathlib import Path

from cald import __version__

__all__ = ["versions", "code_fingerprint", "tree_fingerprint"]

#: Distributions whose versions are recorded (and enter the fingerprint: they compute numbers).
_DEPENDENCIES = ("numpy", "scipy", "lmfit", "matplotlib", "nmrglue", "pybaselines", "mrsimulator",
                 "dask", "distributed", "pydantic", "jinja2")
#: Files of the installed package that shape results: code, report templates, schemas.
_CODE_SUFFIXES = (".py", ".j2", ".json")


@functools.cache
def versions() -> dict[str, str]:
    """Versions of Python, cald and the installed dependencies that cald uses."""
    out = {"python": platform.python_version(), "cald": __version__}
    for name in _DEPENDENCIES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            continue
    return out


def tree_fingerprint(root: Path, extra: dict[str, str]) -> str:
    """sha256 (hex) of the code files under ``root`` (relative names and contents) and of the
    ``extra`` name → version entries."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in _CODE_SUFFIXES and p.is_file()):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    for name, version in sorted(extra.items()):
        h.update(f"{name}={version}\n".encode())
    return h.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """Fingerprint of the installed cald package and of :func:`versions`; computed once per
    process."""
    return tree_fingerprint(Path(__file__).resolve().parents[1], versions())
