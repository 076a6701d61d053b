"""The drafted project: samples, data sets and analyses with the reason for each guess, as a
commented project.toml and as JSON (the same content).

:func:`draft_project` walks the folder (:mod:`~cald.project.init.walk`), recognises each data
set (:mod:`~cald.project.init.recognise`), groups them into samples
(:mod:`~cald.project.init.samples`) and proposes analyses (:mod:`~cald.project.init.propose`).
Nothing in the folder is written; :meth:`Draft.toml` is the project file, its paths relative to
the folder the file will be written in.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cald.errors import InputError
from cald.project.init.proposal import Proposal, Unplaced
from cald.project.init.propose import propose
from cald.project.init.recognise import Found, recognise
from cald.project.init.samples import SampleGuess, guess_sample, sample_name
from cald.project.init.walk import Skipped, walk

__all__ = ["Draft", "NothingFound", "draft_project"]

_ID_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
#: The shell grown by c-ALD of TMA/O2 in sample names.
_SHELL = "AlOx"
#: How cald's synthetic data (and other generators') say so in titles and comments.
_SYNTHETIC = "SYNTHETIC"


class NothingFound(InputError):
    """The folder holds no data set cald recognises."""


@dataclass
class DatasetEntry:
    """A data set of the draft."""

    id: str
    found: Found
    path: str
    sample: str | None
    guess: SampleGuess

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"id": self.id, "path": self.path, "kind": self.found.format,
                "sample": self.sample, "technique": self.found.technique,
                "nucleus": self.found.nucleus, "recognised_from": self.found.evidence,
                "sample_from": self.guess.source, "sample_sure": self.guess.sure,
                **({"sample_conflict": self.guess.conflict} if self.guess.conflict else {})}


@dataclass
class Draft:
    """Everything :func:`draft_project` found and proposed."""

    folder: Path
    synthetic: bool = False
    samples: list[dict[str, Any]] = field(default_factory=list)
    datasets: list[DatasetEntry] = field(default_factory=list)
    analyses: list[tuple[str, Proposal]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unplaced: list[tuple[str, str]] = field(default_factory=list)
    ungrouped: list[tuple[str, str]] = field(default_factory=list)

    def _ids(self) -> dict[int, str]:
        return {id(d.found): d.id for d in self.datasets}

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``cald init --json``: what :meth:`toml` writes, with the reasons."""
        ids = self._ids()
        return {
            "folder": str(self.folder),
            "synthetic": self.synthetic,
            "samples": self.samples,
            "datasets": [d.to_dict() for d in self.datasets],
            "analyses": [{"id": aid, "kind": p.kind, "inputs": [ids[id(f)] for f in p.inputs],
                          "parameters": p.parameters, "inferred_from": p.reasons,
                          "sure": p.sure} for aid, p in self.analyses],
            "unplaced": [{"path": r, "reason": why} for r, why in self.unplaced],
            "ungrouped": [{"path": r, "reason": why} for r, why in self.ungrouped],
            "skipped": [s.to_dict() for s in self.skipped],
        }

    def toml(self, project_dir: Path) -> str:
        """project.toml for a file in ``project_dir`` (data paths relative to it)."""
        ids = self._ids()
        lines = [f"# Drafted by `cald init` from {self.folder}: check every guess below (each",
                 "# says what it was inferred from and how sure it is: high, medium, low).",
                 "# Paths are relative to this file. Not in the data, to add by hand: the samples'",
                 "# ligands_per_qd and tma_per_qd, and a [synthesis] table (the options of",
                 "# `cald plan`) for the planned c-ALD schedule of each sample.", "",
                 "[project]", f"name = {_str(self.folder.name or 'project')}"]
        if self.synthetic:
            lines += ["# the titles and comments say the data are synthetic",
                      "synthetic = true"]
        lines.append("")
        for s in self.samples:
            lines += [f"# {s['n_datasets']} data sets; cycles first from {s['inferred_from']} "
                      f"(sure: {s['sure']}); core {s['core']} {s['core_from']}", "[[samples]]",
                      f"name = {_str(s['name'])}", f"cycles = {s['cycles']}", ""]
        for d in self.datasets:
            rel = os.path.relpath(d.found.path, project_dir)
            lines += [f"# {d.found.technique}" + (f" {d.found.nucleus}" if d.found.nucleus else "")
                      + f": {'; '.join(d.found.evidence)}"]
            if d.sample is not None:
                lines.append(f"# sample from {d.guess.source} (sure: {d.guess.sure})"
                             + (f"; but {d.guess.conflict}" if d.guess.conflict else ""))
            else:
                lines.append(f"# no sample: {d.guess.source}")
            lines += ["[[datasets]]", f"id = {_str(d.id)}", f"path = {_str(Path(rel).as_posix())}",
                      f"kind = {_str(d.found.format)}"]
            if d.sample is not None:
                lines.append(f"sample = {_str(d.sample)}")
            lines.append("")
        for aid, p in self.analyses:
            lines += [f"# {p.kind}: {'; '.join(p.reasons)} (sure: {p.sure})", "[[analyses]]",
                      f"id = {_str(aid)}", f"kind = {_str(p.kind)}",
                      f"inputs = [{', '.join(_str(ids[id(f)]) for f in p.inputs)}]"]
            if p.parameters:
                lines.append("[analyses.parameters]")
                lines += [f"{k} = {_value(v)}" for k, v in p.parameters.items()]
            lines.append("")
        for what, entries in (("no analysis proposed", self.unplaced),
                              ("not grouped into a sample", self.ungrouped),
                              ("skipped", self.skipped_pairs())):
            if entries:
                lines.append(f"# {what}:")
                lines += [f"#   {r}: {why}" for r, why in entries]
                lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def skipped_pairs(self) -> list[tuple[str, str]]:
        """(path, reason) of the skipped paths."""
        return [(s.rel, s.reason) for s in self.skipped]


def _str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return _str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_str(k)} = {_value(x)}" for k, x in v.items()) + "}"
    return "[" + ", ".join(_value(x) for x in v) + "]"


def _dataset_ids(found: list[Found]) -> list[str]:
    """Ids from the data sets' names (their stems), with folders added where names repeat."""
    parts = [Path(f.rel).with_suffix("").parts if f.format != "bruker" else Path(f.rel).parts
             for f in found]
    depth = [1] * len(found)
    while True:
        ids = [_ID_CHARS.sub("-", "-".join(p[-d:])).strip("-.") or "data" for p, d in
               zip(parts, depth, strict=True)]
        counts = Counter(ids)
        grow = [i for i, x in enumerate(ids) if counts[x] > 1 and depth[i] < len(parts[i])]
        if not grow:
            break
        for i in grow:
            depth[i] += 1
    seen: Counter[str] = Counter()
    out = []
    for x in ids:
        seen[x] += 1
        out.append(x if seen[x] == 1 else f"{x}-{seen[x]}")
    return out


def _core_from(g: SampleGuess, cores: Counter[str]) -> str:
    if g.core:
        return "named in its name, title or sample id"
    if cores:
        core, n = cores.most_common(1)[0]
        return f"assumed: {n} data sets name {core}"
    return "assumed (no core named anywhere)"


def _accepted(proposals: list[Proposal], root: Path) -> tuple[list[Proposal], list[Unplaced]]:
    """The proposals whose parameters their kind accepts (as `cald run` will check them), and
    the others as unplaced with the kind's message (a safety net: proposals are made valid)."""
    from cald.project.analyses import MissingParameter, load_kinds

    kinds = load_kinds()
    ok, refused = [], []
    for p in proposals:
        kind = kinds[p.kind]
        try:
            params = kind.parse_parameters(p.parameters, "parameters", root)
            kind.check_inputs([f.format for f in p.inputs], params)
        except (InputError, MissingParameter) as exc:
            refused.append(Unplaced(p.inputs[0], f"{p.kind} refuses the proposed parameters: "
                                                 f"{getattr(exc, 'detail', exc)}"))
            continue
        ok.append(p)
    return ok, refused


def draft_project(folder: str | os.PathLike[str]) -> Draft:
    """Walk ``folder`` and draft its project (nothing in it is written).

    Raises
    ------
    InputError
        The folder does not exist or is not a folder.
    NothingFound
        No data set in it is recognised (empty, or nothing in a cald format).
    """
    root = Path(folder).resolve()
    if not root.exists():
        raise InputError("no such folder", folder)
    if not root.is_dir():
        raise InputError("not a folder", folder)
    candidates, skipped = walk(root)
    found: list[Found] = []
    for c in candidates:
        r = recognise(c)
        if isinstance(r, Skipped):
            skipped.append(r)
        else:
            found.append(r)
    draft = Draft(root, skipped=sorted(skipped, key=lambda s: s.rel),
                  synthetic=any(_SYNTHETIC in f.title + f.sample_text for f in found))
    if not found:
        what = "is empty" if not skipped else (f"holds no data set cald recognises ({len(skipped)} "
                                               "paths skipped; see `cald init --json`)")
        raise NothingFound(what, folder)

    guesses = {id(f): guess_sample(f.rel, f.title, f.sample_text) for f in found}
    cores = Counter(g.core for g in guesses.values() if g.core)
    default_core = cores.most_common(1)[0][0] if cores else "QD"
    samples: dict[str, dict[str, Any]] = {}
    assignment: dict[int, tuple[str | None, int | None, str | None]] = {}
    for f in found:
        g = guesses[id(f)]
        if g.cycles is None:
            assignment[id(f)] = (None, None, g.core or default_core)
            draft.ungrouped.append((f.rel, g.source))
            continue
        core = g.core or default_core
        name = sample_name(core, g.cycles, _SHELL)
        assignment[id(f)] = (name, g.cycles, core)
        s = samples.setdefault(name, {"name": name, "cycles": g.cycles, "core": core,
                                      "inferred_from": g.source, "sure": g.sure, "n_datasets": 0,
                                      "core_from": _core_from(g, cores)})
        s["n_datasets"] += 1
    draft.samples = sorted(samples.values(), key=lambda s: (s["core"], s["cycles"]))

    proposals, unplaced, failed = propose(found, assignment)
    proposals, refused = _accepted(proposals, root)
    unplaced += refused
    bad = {id(f) for f, _ in failed}
    draft.skipped += [Skipped(f.rel, why) for f, why in failed]
    draft.skipped.sort(key=lambda s: s.rel)
    kept = [f for f in found if id(f) not in bad]
    ids = _dataset_ids(kept)
    draft.datasets = [DatasetEntry(i, f, f.rel, assignment[id(f)][0], guesses[id(f)])
                      for i, f in zip(ids, kept, strict=True)]
    by_found = {id(d.found): d.id for d in draft.datasets}
    draft.unplaced = [(u.found.rel, u.reason) for u in unplaced if id(u.found) not in bad]
    order = {id(f): i for i, f in enumerate(kept)}
    proposals = [p for p in proposals if not any(id(f) in bad for f in p.inputs)]
    proposals.sort(key=lambda p: order[id(p.inputs[0])])
    used: Counter[str] = Counter()
    for p in proposals:
        aid = f"{p.kind}-{by_found[id(p.inputs[0])]}"
        used[aid] += 1
        draft.analyses.append((aid if used[aid] == 1 else f"{aid}-{used[aid]}", p))
    return draft
