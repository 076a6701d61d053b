"""Structure files through ``ase.io``: extended xyz (one model or frames), CIF and ASE
trajectories (``.traj``), the format from the suffix. Read the last frame with one-line
errors; write one model or frames atomically."""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
from ase import Atoms
from ase.io import read, write

from cald.errors import DataFileError, ParameterError
from cald.io.atomic import atomic_write_bytes, atomic_write_text

__all__ = ["STRUCTURE_FORMATS", "read_structure", "write_structure"]

#: File suffix → ``ase.io`` format.
STRUCTURE_FORMATS = {".xyz": "extxyz", ".extxyz": "extxyz", ".cif": "cif", ".traj": "traj"}

#: Formats ``ase.io`` reads and writes as bytes.
_BINARY_FORMATS = {"cif", "traj"}


def _format(p: Path) -> str | None:
    return STRUCTURE_FORMATS.get(p.suffix.lower())


def read_structure(path: str | os.PathLike[str]) -> Atoms:
    """The last structure (frame) of an xyz/extxyz/CIF/traj file, opened read-only.

    Raises
    ------
    DataFileError
        Missing or unreadable file, unknown suffix, or content that is not a structure (no atoms,
        non-finite coordinates), in one line naming the file.
    """
    p = Path(path)
    fmt = _format(p)
    if fmt is None:
        raise DataFileError(f"unknown structure format {p.suffix!r}; known: "
                            f"{', '.join(STRUCTURE_FORMATS)}", p)
    try:
        raw = p.read_bytes()
        source: IO[Any] = (io.BytesIO(raw) if fmt in _BINARY_FORMATS
                             else io.StringIO(raw.decode("utf-8")))
    except FileNotFoundError:
        raise DataFileError("no such file", p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read: {exc}", p) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # ase warns on token counts, duplicated tags, overflow
            atoms = read(source, format=fmt, index=-1)
    except Exception as exc:  # ase raises many kinds (and warnings) on malformed input
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataFileError(f"not a readable {fmt} file ({detail})", p) from None
    if not isinstance(atoms, Atoms) or len(atoms) == 0:
        raise DataFileError("holds no atoms", p)
    if not np.all(np.isfinite(atoms.positions)) or not np.all(np.isfinite(atoms.cell.array)):
        raise DataFileError("has non-finite coordinates or cell", p)
    return atoms


def write_structure(atoms: Atoms | Sequence[Atoms], path: str | os.PathLike[str]) -> Path:
    """Write one model or frames atomically in the format of the suffix: extended xyz (with
    ``info``, per-atom arrays, constraints and any attached energy and forces), CIF or ASE
    trajectory; returns the path.

    Raises
    ------
    ParameterError
        For a suffix not in :data:`STRUCTURE_FORMATS`.
    """
    p = Path(path)
    fmt = _format(p)
    if fmt is None:
        raise ParameterError(f"{p}: a model is written as {', '.join(STRUCTURE_FORMATS)}")
    frames = atoms if isinstance(atoms, Atoms) else list(atoms)
    if fmt in _BINARY_FORMATS:  # ase's CIF and trajectory writers want a binary stream
        raw = io.BytesIO()
        write(raw, frames, format=fmt)
        return atomic_write_bytes(p, raw.getvalue())
    buf = io.StringIO()
    write(buf, frames, format=fmt)
    return atomic_write_text(p, buf.getvalue())
