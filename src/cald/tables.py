"""Precomputed tables kept between calls and between processes: the Czjzek kernel libraries and
the CSA sideband tables, built with mrsimulator once and stored in the user's cache directory.

The physics modules say *what* a table is (a key, and a function that builds its arrays); this
module keeps it: in memory for the process (the last few tables) and on disk as ``.npz`` under
:func:`cache_root` — ``$CALD_CACHE_DIR`` when set (an empty value keeps tables in memory only),
else ``platformdirs.user_cache_dir("cald")``. Files are written atomically
(:mod:`cald.io.atomic`), named by a hash of the key, and rebuilt when missing or unreadable; a
cache folder that cannot be written only costs the rebuild next time.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cald.errors import DataFileError

__all__ = ["CACHE_ENV", "cache_root", "TableStore", "default_store", "mrsimulator_version"]

#: Environment variable naming the cache folder (empty: memory only).
CACHE_ENV = "CALD_CACHE_DIR"
#: Bump when the layout of stored tables changes: older files are then ignored.
_FORMAT = 1
_MEMORY_ITEMS = 16

Arrays = dict[str, NDArray[Any]]


def mrsimulator_version() -> str:
    """The installed mrsimulator version: part of the key of every table it simulates, so that a
    table made by another version is rebuilt rather than served."""
    from importlib.metadata import version

    return version("mrsimulator")


def cache_root() -> Path | None:
    """The folder of the disk cache (``$CALD_CACHE_DIR``, else the user's cache directory), or
    ``None`` when ``$CALD_CACHE_DIR`` is set but empty (memory only)."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return Path(value).expanduser() if value.strip() else None
    import platformdirs

    return Path(platformdirs.user_cache_dir("cald"))


class TableStore:
    """Tables in memory and (when ``root`` is given) in ``root/tables/KIND_HASH.npz``."""

    def __init__(self, root: str | os.PathLike[str] | None) -> None:
        self.root = None if root is None else Path(root)
        self._memory: OrderedDict[tuple[str, str], Arrays] = OrderedDict()

    def path(self, kind: str, key: Mapping[str, Any]) -> Path | None:
        """Where the table ``kind`` with ``key`` is stored on disk (``None``: memory only)."""
        return None if self.root is None else self.root / "tables" / f"{kind}_{_digest(key)}.npz"

    def get(self, kind: str, key: Mapping[str, Any], build: Callable[[], Arrays]) -> Arrays:
        """The arrays of table ``kind`` with ``key`` (JSON-able; it names everything the table
        depends on), from memory, else from disk, else from ``build()`` (then stored)."""
        mem_key = (kind, _digest(key))
        if mem_key in self._memory:
            self._memory.move_to_end(mem_key)
            return self._memory[mem_key]
        path = self.path(kind, key)
        arrays = None if path is None else _load(path)
        if arrays is None:
            arrays = {k: np.asarray(v) for k, v in build().items()}
            if path is not None:
                _save(path, arrays)
        self._memory[mem_key] = arrays
        while len(self._memory) > _MEMORY_ITEMS:
            self._memory.popitem(last=False)
        return arrays


_STORES: dict[Path | None, TableStore] = {}


def default_store() -> TableStore:
    """The store of :func:`cache_root` (one per folder and process)."""
    root = cache_root()
    if root not in _STORES:
        _STORES[root] = TableStore(root)
    return _STORES[root]


def _digest(key: Mapping[str, Any]) -> str:
    text = json.dumps({"format": _FORMAT, **key}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _load(path: Path) -> Arrays | None:
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):  # damaged or truncated: rebuild it
        return None


def _save(path: Path, arrays: Arrays) -> None:
    from cald.io.atomic import atomic_write_bytes

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub types the keywords as allow_pickle
    try:
        atomic_write_bytes(path, buffer.getvalue())
    except DataFileError:  # read-only or full cache folder: the table is rebuilt next time
        pass
