"""Content hashes of inputs and the on-disk cache of analysis outcomes.

An outcome is cached under sha256(kind, parameters, input hashes, code fingerprint): an unchanged
re-run finds every outcome and recomputes nothing; any change to a byte of an input, a
parameter, the installed cald code or a numerical dependency's version makes a new key. An entry
records its key and the layout version :data:`CACHE_VERSION`; an entry that cannot be read, is of
another version or under another key is recomputed, never served.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cald.io.atomic import atomic_write_text
from cald.project.analyses import AnalysisOutput, FigureOutput
from cald.project.provenance import code_fingerprint

__all__ = ["CACHE_VERSION", "hash_path", "cache_key", "load_outcome", "store_outcome"]

#: Layout version of a cache entry.
CACHE_VERSION = 1

_CHUNK = 1 << 20


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def hash_path(path: str | os.PathLike[str]) -> str:
    """sha256 of a file, or of a folder's files (relative names and contents, sorted)."""
    p = Path(path)
    if p.is_file():
        return _hash_file(p)
    h = hashlib.sha256()
    for f in sorted(x for x in p.rglob("*") if x.is_file()):
        h.update(str(f.relative_to(p)).encode())
        h.update(b"\0")
        h.update(_hash_file(f).encode())
    return h.hexdigest()


def cache_key(kind: str, parameters: dict[str, Any], input_hashes: list[str]) -> str:
    """Key of an outcome."""
    blob = json.dumps({"kind": kind, "parameters": parameters, "inputs": input_hashes,
                       "code": code_fingerprint()}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def store_outcome(cache_dir: Path, key: str, output: AnalysisOutput, duration_s: float) -> None:
    """Write an outcome atomically."""
    doc = {
        "cache_version": CACHE_VERSION, "key": key,
        "result": output.result, "summary": output.summary, "duration_s": duration_s,
        "figures": [{"name": f.name, "caption": f.caption, "svg": f.svg.decode(),
                     "png": base64.b64encode(f.png).decode()} for f in output.figures],
        "files": {k: base64.b64encode(v).decode() for k, v in output.files.items()},
    }
    atomic_write_text(cache_dir / f"{key}.json", json.dumps(doc, allow_nan=True))


def load_outcome(cache_dir: Path, key: str) -> tuple[AnalysisOutput, float] | None:
    """A cached outcome and its original duration, or ``None``."""
    path = cache_dir / f"{key}.json"
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc["cache_version"] != CACHE_VERSION or doc["key"] != key:
            return None
        figures = [FigureOutput(f["name"], f["caption"], f["svg"].encode(),
                                base64.b64decode(f["png"])) for f in doc["figures"]]
        files = {k: base64.b64decode(v) for k, v in doc["files"].items()}
        return AnalysisOutput(doc["result"], figures, files, doc["summary"]), doc["duration_s"]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged cache entry is recomputed
