"""Atomic output: write to a temporary file in the target folder, then rename over the target,
so a crash never leaves a half-written file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cald.errors import DataFileError

__all__ = ["atomic_write_bytes", "atomic_write_text"]


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes | Iterable[bytes]) -> Path:
    """Write ``data`` to ``path`` atomically (creating parent folders); returns the path.
    ``data`` may come in chunks (an iterable of bytes), for files too large to hold in memory.

    Raises
    ------
    DataFileError
        When the file cannot be written (the target is a folder, a parent is a file, no space,
        no permission); no partial file is left behind.
    """
    target = Path(path)
    if target.is_dir():
        raise DataFileError("is a folder; cannot write a file there", target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise DataFileError(f"cannot write: {exc.strerror or exc}", target) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in [data] if isinstance(data, bytes) else data:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise DataFileError(f"cannot write: {exc.strerror or exc}", target) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically; returns the path."""
    return atomic_write_bytes(path, text.encode("utf-8"))
