"""Reading a TOML input file (a project, a screen file) with one-line errors naming the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from cald.errors import InputError

__all__ = ["read_toml"]


def read_toml(path: str | Path, error: type[InputError], what: str) -> dict[str, Any]:
    """The TOML document at ``path`` (opened read-only).

    Parameters
    ----------
    path
        The file.
    error
        The :class:`~cald.errors.InputError` subclass raised, with ``path``, when the file is
        missing, unreadable, not UTF-8 or not valid TOML.
    what
        What the file is, for the message of a missing file (``no such project file``).
    """
    p = Path(path)
    if not p.is_file():
        raise error(f"no such {what}", p)
    try:
        with open(p, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"invalid TOML: {exc}", p) from None
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (byte {exc.start}): invalid TOML", p) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", p) from None
