"""Reading a small text file of an instrument (parameter files, lists): UTF-8, else Latin-1 (as
older consoles write µ and °), with the file named in every error."""

from __future__ import annotations

import os
from pathlib import Path

from cald.errors import DataFileError

__all__ = ["read_text"]


def read_text(path: str | os.PathLike[str], missing: str = "missing file") -> str:
    """The text of ``path``, decoded as UTF-8 or, failing that, Latin-1.

    Parameters
    ----------
    path
        The file.
    missing
        The error message when ``path`` is not a file (e.g. ``"missing procpar"``).

    Raises
    ------
    DataFileError
        When the file is missing or cannot be read, naming it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "vdlist"
    >>> _ = p.write_bytes("10m\\n20 \\xb5s\\n".encode("latin-1"))
    >>> read_text(p).splitlines()
    ['10m', '20 µs']
    """
    p = Path(path)
    if not p.is_file():
        raise DataFileError(missing, p)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror}", p) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
