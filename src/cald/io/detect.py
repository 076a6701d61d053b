"""Which cald data-set format a path holds, from a few header bytes (never the data).

:func:`detect_format` names the reader a path needs:

* ``"bruker"``: a Bruker TopSpin/XWIN-NMR experiment folder (it holds ``acqus``, or ``acqu`` of
  old XWIN-NMR sets);
* ``"vamas"``: a VAMAS (ISO 14976) file, whatever its suffix (``.vms``, PHI's ``.npl``): its first
  non-blank line is the VAMAS identifier;
* ``"jcamp"``: a JCAMP-DX file (first non-blank text starts with ``##``);
* ``"structure"``: an atomistic structure file (``.xyz``/``.extxyz`` whose first line is an atom
  count, ``.cif`` with a ``data_`` block, ASE ``.traj``);
* ``"csv"``: a text table (CSV, TSV, an instrument's text export such as JASCO's): text whose
  first lines hold at least :data:`_MIN_NUMERIC_ROWS` rows of two or more numbers;
* ``None``: anything else (binary files, prose, empty files, folders that are not experiments).

Only the first :data:`SNIFF_BYTES` bytes of a file are read, so detection costs the same for a
file of a kilobyte and of a gigabyte; files are opened read-only and an unreadable file is
``None``, never an error.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["FORMATS", "SNIFF_BYTES", "detect_format", "read_head"]

#: The names :func:`detect_format` returns.
FORMATS = ("bruker", "jcamp", "csv", "vamas", "structure")
#: Bytes read from the start of a file to recognise it.
SNIFF_BYTES = 8192

_VAMAS_IDENTIFIER = b"VAMAS Surface Chemical Analysis Standard Data Transfer Format"
#: ASE's ``.traj`` (ULM) files start with this.
_ULM_MAGIC = b"- of Ulm"
_STRUCTURE_TEXT_SUFFIXES = (".xyz", ".extxyz")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_SEPARATORS = re.compile(r"[,;\t ]+")
#: Rows of two or more numbers needed among the first lines for a text table.
_MIN_NUMERIC_ROWS = 3


def read_head(path: str | os.PathLike[str], n_bytes: int = SNIFF_BYTES) -> bytes | None:
    """The first ``n_bytes`` bytes of a file, or None when it cannot be opened or read."""
    try:
        with open(path, "rb") as fh:
            return fh.read(n_bytes)
    except OSError:
        return None


def _is_bruker_folder(p: Path) -> bool:
    return (p / "acqus").is_file() or (p / "acqu").is_file()


def _text(head: bytes) -> str | None:
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a multi-byte character cut by the sniff window
            return head[:exc.start].decode("utf-8", errors="ignore")
        return head.decode("latin-1")


def _numeric_row(line: str) -> bool:
    cells = [c for c in _SEPARATORS.split(line.strip()) if c]
    return len(cells) >= 2 and all(_NUMBER.match(c) for c in cells)


def _is_table(text: str) -> bool:
    lines = text.splitlines()
    if len(text) == SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut by the sniff window
    return sum(_numeric_row(line) for line in lines) >= _MIN_NUMERIC_ROWS


def _is_structure(p: Path, head: bytes, text: str | None) -> bool:
    suffix = p.suffix.lower()
    if suffix == ".traj":
        return head.startswith(_ULM_MAGIC)
    if text is None:
        return False
    if suffix in _STRUCTURE_TEXT_SUFFIXES:
        first = text.lstrip().split("\n", 1)[0].strip()
        return first.isdigit() and int(first) > 0
    if suffix == ".cif":
        return any(line.startswith("data_") for line in text.splitlines())
    return False


def detect_format(path: str | os.PathLike[str]) -> str | None:
    """The cald format of a data set at ``path`` (one of :data:`FORMATS`), or None.

    Parameters
    ----------
    path
        A file or a folder. A folder is ``"bruker"`` when it holds ``acqus`` (or ``acqu``);
        a file is recognised from its first :data:`SNIFF_BYTES` bytes (and, for structures,
        its suffix).

    Returns
    -------
    str or None
        ``"bruker"``, ``"jcamp"``, ``"csv"``, ``"vamas"``, ``"structure"``, or None when the
        path is missing, unreadable or none of these.
    """
    p = Path(path)
    if p.is_dir():
        return "bruker" if _is_bruker_folder(p) else None
    head = read_head(p)
    if not head:
        return None
    if head.lstrip().startswith(_VAMAS_IDENTIFIER):  # PHI's exports carry NUL padding later
        return "vamas"
    text = _text(head)
    if _is_structure(p, head, text):
        return "structure"
    if text is None:
        return None
    if text.lstrip().startswith("##"):
        return "jcamp"
    if _is_table(text):
        return "csv"
    return None
