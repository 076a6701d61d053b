"""Which sample a data set belongs to: the number of c-ALD cycles and the core, from its file
and folder names, its title and the sample identifiers it carries.

Sources are tried nearest first: the data set's own name, then its folders upwards (one folder
per sample), then the title (flat experiment numbers with titles), then sample identifiers and
comments inside the file (VAMAS sample ids, CSV comment lines). The first source that states the
cycles decides; a later source that states other cycles is reported as a conflict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

__all__ = ["SampleGuess", "CORES", "guess_sample", "sample_name"]

#: Core materials recognised in names and titles.
CORES = ("CdSe", "CdS", "CdTe", "InP", "PbS", "PbSe", "ZnSe", "ZnS")
_CORE = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(CORES, key=len, reverse=True))
                   + r")(?![a-z])")

#: (pattern, how sure) that give the number of cycles; the first group is the number.
_CYCLE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"alox[\s_-]*(\d{1,3})(?!\d)", re.I), "high"),
    (re.compile(r"(?<![a-z0-9])n\s*=\s*(\d{1,3})(?!\d)", re.I), "high"),
    (re.compile(r"(?<![0-9])(\d{1,3})\s*(?:c-?ald\s*|ald\s*)?cycles?(?![a-z])", re.I), "high"),
    (re.compile(r"(?<![a-z0-9])n(\d{1,3})(?![0-9a-z])", re.I), "medium"),
)
_PRISTINE = re.compile(r"(?<![a-z])(pristine|as[\s_-]?synthesi[sz]ed|bare|uncoated|core[\s_-]only|"
                       r"no[\s_-]shell)(?![a-z])", re.I)
_SHELL = re.compile(r"(alox|al2o3|c-ald|(?<![a-z])ald(?![a-z]))", re.I)


@dataclass(frozen=True)
class SampleGuess:
    """Cycles and core of one data set, where they were read and how sure the guess is."""

    cycles: int | None
    core: str | None
    source: str
    sure: str
    conflict: str = ""


def _cycles_in(text: str) -> tuple[int, str, str] | None:
    """(cycles, sureness, matched text) stated by one text."""
    for pattern, sure in _CYCLE_PATTERNS:
        m = pattern.search(text)
        if m:
            return int(m.group(1)), sure, m.group(0)
    m = _PRISTINE.search(text)
    if m:
        return 0, "medium", m.group(0)
    return None


def guess_sample(rel: str, title: str, sample_text: str) -> SampleGuess:
    """The sample of a data set at ``rel`` (relative path) with its title and inner text."""
    parts = PurePosixPath(rel).parts
    sources: list[tuple[str, str]] = [(f"name {parts[-1]!r}", PurePosixPath(parts[-1]).stem)]
    sources += [(f"folder {p!r}", p) for p in reversed(parts[:-1])]
    sources += [("TITLE", title), ("sample id/comment", sample_text)]
    core = next((m.group(1) for _, text in sources for m in [_CORE.search(text)] if m), None)
    found: tuple[int, str, str] | None = None
    conflict = ""
    for where, text in sources:
        hit = _cycles_in(text)
        if hit is None:
            continue
        if found is None:
            found = (hit[0], hit[1], f"{where}: {hit[2]!r}")
        elif hit[0] != found[0] and not conflict:
            conflict = f"{where} says {hit[2]!r}"
    if found is not None:
        sure = "low" if conflict else found[1]
        return SampleGuess(found[0], core, found[2], sure, conflict)
    if core is not None and not any(_SHELL.search(t) for _, t in sources):
        return SampleGuess(0, core, f"names the core {core} and no shell or cycles", "low")
    return SampleGuess(None, core, "no cycles, sample name or core found in the names, title "
                                   "or sample ids", "none")


def sample_name(core: str, cycles: int, shell: str = "AlOx") -> str:
    """``CdSe`` for the pristine core, ``CdSe@AlOx-3`` after three cycles."""
    return core if cycles == 0 else f"{core}@{shell}-{cycles}"
