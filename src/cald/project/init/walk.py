"""Walk a folder tree for data sets: Bruker experiment folders and files in a cald format.

The walk follows symbolic links to folders but visits each folder once (by device and inode),
so a link loop ends; it does not enter a Bruker experiment folder (its ``pdata`` belongs to
it), hidden folders, cald's cache, or the ``figures``/``files`` folders of a cald output
(a folder holding ``results.json`` and ``report.html``). Only a few header bytes of each file
are read (:func:`cald.io.detect.detect_format`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cald.io.detect import detect_format

__all__ = ["Candidate", "Skipped", "walk"]

#: Sub-folders of a cald output folder (results.json + report.html) that hold outputs, not data.
_OUTPUT_FOLDERS = ("figures", "files")
#: Files a cald output or project holds beside the data.
_PROJECT_FILES = ("project.toml", "results.json", "report.html")


@dataclass(frozen=True)
class Candidate:
    """A path in a recognised format, ``rel`` its path relative to the walked folder."""

    path: Path
    rel: str
    format: str


@dataclass(frozen=True)
class Skipped:
    """A path left out, with the reason."""

    rel: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready dictionary."""
        return {"path": self.rel, "reason": self.reason}


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def walk(root: Path) -> tuple[list[Candidate], list[Skipped]]:
    """Candidates (sorted by relative path) and the paths skipped, with their reasons."""
    found: list[Candidate] = []
    skipped: list[Skipped] = []
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = folder.stat()
        except OSError as exc:
            skipped.append(Skipped(_rel(folder, root), f"cannot open: {exc.strerror}"))
            continue
        if (st.st_dev, st.st_ino) in seen:
            skipped.append(Skipped(_rel(folder, root), "folder already visited (symbolic link "
                                                       "loop or second link)"))
            continue
        seen.add((st.st_dev, st.st_ino))
        if detect_format(folder) == "bruker":  # the root too: `cald init` of one experiment
            found.append(Candidate(folder, _rel(folder, root) if folder != root else root.name,
                                   "bruker"))
            continue
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(_rel(folder, root), f"cannot list: {exc.strerror}"))
            continue
        names = {e.name for e in entries}
        is_output = {"results.json", "report.html"} <= names
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()  # follows links
            except OSError:
                is_dir = False
            if is_dir:
                if not (is_output and entry.name in _OUTPUT_FOLDERS):
                    stack.append(path)
                continue
            if entry.name in _PROJECT_FILES:
                continue
            try:
                regular = entry.is_file()
            except OSError as exc:  # ELOOP: a link to itself
                skipped.append(Skipped(_rel(path, root), f"cannot open: {exc.strerror}"))
                continue
            if not regular:
                reason = "broken symbolic link" if entry.is_symlink() else "not a regular file"
                skipped.append(Skipped(_rel(path, root), reason))
                continue
            fmt = detect_format(path)
            if fmt is None:
                skipped.append(Skipped(_rel(path, root), "not a recognised data format"
                                       if os.access(path, os.R_OK) else "not readable"))
            else:
                found.append(Candidate(path, _rel(path, root), fmt))
    found.sort(key=lambda c: c.rel)
    skipped.sort(key=lambda s: s.rel)
    return found, skipped
