"""Screens: many configurations built, relaxed (GFN2-xTB) and analysed in parallel, with their
energies ranked among isomers.

:func:`run_screen` builds every configuration of a
:class:`~cald.atomistic.screen_options.ScreenOptions` that has no current result (so that a
clash, an impossible density or a pair absent from a model stops the screen before any
relaxation), then maps :func:`run_configuration`
(relax → analyse) over them with :func:`cald.parallel.map_tasks`: local worker processes, one
thread each, or an existing dask cluster. The worker returns the relaxed model; the calling
process writes ``NAME.xyz`` (extended XYZ with energy and forces) and then ``NAME.json`` into
the output folder, both atomically, as each configuration finishes, so the workers need no
shared file system.

Resuming: ``NAME.json`` records the configuration's input hash, sha256 of its build options and
the shared relax and analysis options, the versions of cald, ase and tblite (:func:`input_hash`).
A configuration whose result holds the same hash (and whose model file exists) is not
recomputed, so a screen re-run after an interruption computes only the rest. A local edit of the
code that does not change cald's version is not seen by the hash. A configuration that fails
with an input error (SCF failure) is reported and gets no result file, so a re-run tries it
again; a worker that dies has its configuration given to another worker by the dask scheduler,
and an unexpected exception is retried (:data:`RETRIES`) before it stops the screen.

Isomers are configurations with the same composition (Hill formula); within each group the
relative energy is E − E_min (eV, 0 for the most stable) and the rank 1 … n by energy.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cald import __version__
from cald.atomistic.analyze import analyze_model
from cald.atomistic.analyze_options import ModelAnalyzeOptions
from cald.atomistic.relax import relax
from cald.atomistic.relax_options import SCF_ACCURACY, RelaxOptions
from cald.atomistic.screen_options import ScreenConfiguration, ScreenFileError, ScreenOptions
from cald.errors import InputError
from cald.io.atomic import atomic_write_text
from cald.io.structure import write_structure
from cald.parallel import map_tasks

if TYPE_CHECKING:
    from ase import Atoms

    from cald.atomistic.analyze import ModelAnalysis

__all__ = ["RETRIES", "SCREEN_TABLE", "ConfigurationResult", "ScreenResult", "ScreenTask",
           "input_hash", "run_configuration", "run_screen"]

#: The results table written into the output folder beside the per-configuration files.
SCREEN_TABLE = "screen.json"
#: Re-runs of a configuration whose task raised an unexpected exception.
RETRIES = 2
#: Distributions whose versions enter the input hash (they compute the numbers).
_HASHED_VERSIONS = ("ase", "tblite")


def _versions() -> dict[str, str]:
    out = {"cald": __version__}
    for name in _HASHED_VERSIONS:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "absent"
    return out


def input_hash(config: ScreenConfiguration, relax_opts: RelaxOptions,
               analyze_opts: ModelAnalyzeOptions) -> str:
    """sha256 (hex) of what a configuration's result depends on: its build options (not its
    name), the relax and analysis options, the SCF accuracy of the relaxation, and the versions
    of cald, ase and tblite."""
    payload = {"build": config.build_options.model_dump(mode="json"),
               "relax": relax_opts.model_dump(mode="json"), "scf_accuracy": SCF_ACCURACY,
               "analyze": analyze_opts.model_dump(mode="json"), "versions": _versions()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class ScreenTask:
    """What a worker gets: a built model and the shared options."""

    name: str
    atoms: Atoms
    relax: RelaxOptions
    analyze: ModelAnalyzeOptions


@dataclass(frozen=True)
class ConfigurationResult:
    """Outcome of one configuration (a worker's answer, or a result file read back).

    Attributes
    ----------
    energy_ev
        Energy of the relaxed model (eV; ``None`` when the configuration failed).
    c_al_angstrom
        Shortest distance from a carboxylate carbon to an Al (Å; ``None`` without either).
    modes, al_cn
        Carboxylates per binding mode, Al atoms per coordination number.
    t_s
        Wall time of relaxation and analysis (s).
    """

    name: str
    formula: str
    n_atoms: int
    energy_ev: float | None = None
    converged: bool | None = None
    fmax_ev_a: float | None = None
    steps: int | None = None
    c_al_angstrom: float | None = None
    modes: dict[str, int] = field(default_factory=dict)
    al_cn: dict[str, int] = field(default_factory=dict)
    t_s: float = 0.0
    error: str | None = None
    relax: dict[str, Any] = field(default_factory=dict)
    analysis: dict[str, Any] = field(default_factory=dict)
    model: Atoms | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        """Whether the configuration was relaxed and analysed."""
        return self.error is None


def _c_al_angstrom(atoms: Atoms, analysis: ModelAnalysis) -> float | None:
    carbons = [c.carbon for c in analysis.carboxylates]
    al = [a.index for a in analysis.aluminium]
    if not carbons or not al:
        return None
    pbc = bool(np.any(atoms.pbc))
    return float(min(atoms.get_distances(c, al, mic=pbc).min() for c in carbons))


def run_configuration(task: ScreenTask) -> ConfigurationResult:
    """Relax and analyse one built configuration (the task of a screen; runs on a worker).

    An :class:`~cald.errors.InputError` (an SCF that fails) becomes the result's ``error``;
    other exceptions propagate, so that dask retries the task.
    """
    start = time.perf_counter()
    formula = task.atoms.get_chemical_formula(mode="hill")
    try:
        final, result, _ = relax(task.atoms, task.relax, source=task.name)
        analysis = analyze_model(final, task.analyze, task.name)
    except InputError as exc:
        return ConfigurationResult(task.name, formula, len(task.atoms), error=str(exc),
                                   t_s=time.perf_counter() - start)
    return ConfigurationResult(
        task.name, formula, len(final), energy_ev=result.energy_ev, converged=result.converged,
        fmax_ev_a=result.fmax_ev_a, steps=result.steps, c_al_angstrom=_c_al_angstrom(final, analysis),
        modes=analysis.mode_counts(), al_cn=analysis.cn_counts(), t_s=time.perf_counter() - start,
        relax=result.to_dict(), analysis=analysis.to_dict(), model=final)


@dataclass(frozen=True)
class ScreenResult:
    """The results table of a screen, in the screen file's order."""

    out_dir: Path
    results: list[ConfigurationResult]
    cached: frozenset[str]

    @property
    def n_failed(self) -> int:
        """Configurations that failed."""
        return sum(not r.ok for r in self.results)

    def rows(self) -> list[dict[str, Any]]:
        """One dictionary per configuration: the table columns, the relative energy within its
        group of isomers (``relative_energy_ev``, ``rank``, ``n_isomers``) and its status
        (``computed``, ``cached`` or ``failed``)."""
        groups: dict[str, list[ConfigurationResult]] = {}
        for r in self.results:
            if r.ok:
                groups.setdefault(r.formula, []).append(r)
        ranked: dict[str, tuple[float, int, int]] = {}
        for members in groups.values():
            members = sorted(members, key=lambda r: float(r.energy_ev or 0.0))
            e_min = float(members[0].energy_ev or 0.0)
            for k, r in enumerate(members, start=1):
                ranked[r.name] = (float(r.energy_ev or 0.0) - e_min, k, len(members))
        rows = []
        for r in self.results:
            rel, rank, n = ranked.get(r.name, (None, None, None))
            status = "failed" if not r.ok else ("cached" if r.name in self.cached else "computed")
            rows.append({
                "name": r.name, "formula": r.formula, "n_atoms": r.n_atoms,
                "energy_ev": r.energy_ev, "relative_energy_ev": rel, "rank": rank, "n_isomers": n,
                "converged": r.converged, "fmax_ev_a": r.fmax_ev_a, "steps": r.steps,
                "c_al_angstrom": r.c_al_angstrom, "modes": r.modes, "al_cn": r.al_cn,
                "status": status, "t_s": r.t_s, "error": r.error,
                "model": None if not r.ok else f"{r.name}.xyz",
                "result": None if not r.ok else f"{r.name}.json"})
        return rows

    def to_dict(self) -> dict[str, Any]:
        """JSON of ``cald model screen``: ``configurations`` (the rows) and the counts."""
        rows = self.rows()
        return {"out_dir": str(self.out_dir), "configurations": rows,
                "n_configurations": len(rows),
                "n_computed": sum(r["status"] == "computed" for r in rows),
                "n_cached": sum(r["status"] == "cached" for r in rows), "n_failed": self.n_failed}

    def report(self) -> str:
        """The table grouped by composition, most stable first."""
        def fmt(v: float | None, spec: str) -> str:
            return "—" if v is None else format(v, spec)

        rows = sorted(self.rows(), key=lambda r: (r["formula"], r["rank"] or 10**9, r["name"]))
        lines = [f"{'name':20s} {'formula':18s} {'atoms':>5s} {'E (eV)':>14s} {'ΔE (eV)':>9s} "
                 f"{'fmax':>7s} {'steps':>5s} {'C–Al (Å)':>8s}  modes / Al CN"]
        for r in rows:
            if r["error"] is not None:
                lines.append(f"{r['name']:20s} {r['formula']:18s} {r['n_atoms']:5d} failed: "
                             f"{r['error']}")
                continue
            modes = ", ".join(f"{n} {m}" for m, n in r["modes"].items() if n) or "none"
            cn = ", ".join(f"{n}×CN{k}" for k, n in r["al_cn"].items()) or "no Al"
            conv = "" if r["converged"] else "*"
            lines.append(f"{r['name']:20s} {r['formula']:18s} {r['n_atoms']:5d} "
                         f"{r['energy_ev']:14.4f} {r['relative_energy_ev']:9.4f} "
                         f"{r['fmax_ev_a']:6.3f}{conv:1s} {r['steps']:5d} "
                         f"{fmt(r['c_al_angstrom'], '8.3f'):>8s}  {modes}; {cn}")
        d = self.to_dict()
        lines.append(f"{d['n_computed']} computed, {d['n_cached']} from earlier runs, "
                     f"{d['n_failed']} failed → {self.out_dir}"
                     + ("  (* not converged within the step limit)"
                        if any(r["converged"] is False for r in rows) else ""))
        return "\n".join(lines)


def _result_json(result: ConfigurationResult, config: ScreenConfiguration, key: str) -> str:
    data = {"name": result.name, "input_hash": key, "versions": _versions(),
            "build": config.build_options.model_dump(mode="json"), "formula": result.formula,
            "n_atoms": result.n_atoms, "energy_ev": result.energy_ev,
            "converged": result.converged, "fmax_ev_a": result.fmax_ev_a, "steps": result.steps,
            "c_al_angstrom": result.c_al_angstrom, "modes": result.modes, "al_cn": result.al_cn,
            "t_s": result.t_s, "model": f"{result.name}.xyz", "relax": result.relax,
            "analysis": result.analysis}
    return json.dumps(data, indent=1, allow_nan=False)


def _load_previous(out: Path, name: str, key: str) -> ConfigurationResult | None:
    """The stored result of a configuration when it is current (same input hash, model file
    present); ``None`` otherwise (missing, unreadable, other inputs)."""
    path, model = out / f"{name}.json", out / f"{name}.xyz"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("input_hash") != key or not model.is_file():
            return None
        return ConfigurationResult(
            name, data["formula"], int(data["n_atoms"]), energy_ev=float(data["energy_ev"]),
            converged=bool(data["converged"]), fmax_ev_a=float(data["fmax_ev_a"]),
            steps=int(data["steps"]), c_al_angstrom=data["c_al_angstrom"],
            modes=dict(data["modes"]), al_cn=dict(data["al_cn"]), t_s=float(data["t_s"]),
            relax=data["relax"], analysis=data["analysis"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _build(config: ScreenConfiguration, index: int, analyze_opts: ModelAnalyzeOptions,
           source: str | os.PathLike[str] | None) -> Atoms:
    """Build a configuration and check that its pair is present, before any relaxation."""
    where = f"configurations[{index}] ({config.name})"
    try:
        atoms = config.build_options.build()
        analyze_model(atoms, analyze_opts)
    except InputError as exc:
        raise ScreenFileError(f"{where}: {exc.detail}", source) from None
    return atoms


def run_screen(screen: ScreenOptions, out_dir: str | os.PathLike[str], *,
               source: str | os.PathLike[str] | None = None, n_workers: int | None = None,
               scheduler: str | None = None,
               progress: Callable[[str, int, int], None] | None = None) -> ScreenResult:
    """Build, relax and analyse every configuration of a screen that has no current result.

    Parameters
    ----------
    screen
        The configurations and the shared options
        (:func:`~cald.atomistic.screen_options.load_screen` reads them from a file).
    out_dir
        Folder of ``NAME.xyz``, ``NAME.json`` and :data:`SCREEN_TABLE` (created).
    source
        The screen file, named in errors.
    n_workers
        Local worker processes (one thread each; default: the number of CPUs; never more
        than there are configurations to compute).
    scheduler
        Address of an existing dask scheduler instead of local workers.
    progress
        Called as ``progress(name, done, total)`` as each configuration finishes (current
        ones count as finished at once).

    Raises
    ------
    ScreenFileError
        A configuration cannot be built or lacks the pair's elements (before any work).
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", out)
    configs = screen.configurations
    keys = [input_hash(c, screen.relax, screen.analyze) for c in configs]
    done: dict[str, ConfigurationResult] = {}
    total = len(configs)
    for config, key in zip(configs, keys, strict=True):
        previous = _load_previous(out, config.name, key)
        if previous is not None:
            done[config.name] = previous
            if progress:
                progress(config.name, len(done), total)
    cached = frozenset(done)
    todo = [(i, c, k) for i, (c, k) in enumerate(zip(configs, keys, strict=True))
            if c.name not in done]
    tasks = [ScreenTask(c.name, _build(c, i, screen.analyze, source), screen.relax, screen.analyze)
             for i, c, _ in todo]
    out.mkdir(parents=True, exist_ok=True)

    def finished(i: int, result: ConfigurationResult) -> None:
        _, config, key = todo[i]
        if result.ok and result.model is not None:
            write_structure(result.model, out / f"{config.name}.xyz")
            atomic_write_text(out / f"{config.name}.json", _result_json(result, config, key))
        done[config.name] = result
        if progress:
            progress(config.name, len(done), total)

    def lost(i: int, exc: BaseException) -> ConfigurationResult:
        task = tasks[i]
        return ConfigurationResult(task.name, task.atoms.get_chemical_formula(mode="hill"),
                                   len(task.atoms),
                                   error=f"task failed for good ({type(exc).__name__}: {exc})")

    map_tasks(run_configuration, tasks, scheduler=scheduler, on_result=finished, on_failure=lost,
              n_workers=None if scheduler else min(n_workers or os.cpu_count() or 1,
                                                   max(len(tasks), 1)),
              retries=RETRIES)
    summary = ScreenResult(out, [done[c.name] for c in configs], cached)
    atomic_write_text(out / SCREEN_TABLE, json.dumps(summary.to_dict(), indent=1, allow_nan=False))
    return summary
