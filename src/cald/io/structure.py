"""Structure files (xyz, extended xyz, CIF) through ``ase.io``: read with one-line errors,
write extended xyz atomically."""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.io import read, write

from cald.errors import DataFileError
from cald.io.atomic import atomic_write_text

__all__ = ["STRUCTURE_FORMATS", "read_structure", "write_structure"]

#: File suffix → ``ase.io`` format.
STRUCTURE_FORMATS = {".xyz": "extxyz", ".extxyz": "extxyz", ".cif": "cif"}


def read_structure(path: str | os.PathLike[str]) -> Atoms:
    """The (last) structure of an xyz/extxyz/CIF file, opened read-only.

    Raises
    ------
    DataFileError
        Missing or unreadable file, unknown suffix, or content that is not a structure (no atoms,
        non-finite coordinates), in one line naming the file.
    """
    p = Path(path)
    fmt = STRUCTURE_FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise DataFileError(f"unknown structure format {p.suffix!r}; known: "
                            f"{', '.join(STRUCTURE_FORMATS)}", p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError("no such file", p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read: {exc}", p) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # ase warns on token counts, duplicated tags, overflow
            atoms = read(io.StringIO(text), format=fmt, index=-1)
    except Exception as exc:  # ase raises many kinds (and warnings) on malformed input
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataFileError(f"not a readable {fmt} file ({detail})", p) from None
    if not isinstance(atoms, Atoms) or len(atoms) == 0:
        raise DataFileError("holds no atoms", p)
    if not np.all(np.isfinite(atoms.positions)) or not np.all(np.isfinite(atoms.cell.array)):
        raise DataFileError("has non-finite coordinates or cell", p)
    return atoms


def write_structure(atoms: Atoms, path: str | os.PathLike[str]) -> Path:
    """Write ``atoms`` as extended xyz (with ``info``, per-atom arrays and constraints)
    atomically; returns the path."""
    buf = io.StringIO()
    write(buf, atoms, format="extxyz")
    return atomic_write_text(path, buf.getvalue())
