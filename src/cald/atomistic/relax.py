"""Geometry relaxation of atomistic models: GFN2-xTB (tblite's ASE calculator) by default, CP2K
(PBE-D3, :mod:`cald.atomistic.cp2k`) as an optional higher level.

Fixed atoms are the union of an existing :class:`ase.constraints.FixAtoms`, the indices in
``atoms.info["fixed_indices"]`` (written by the slab builder for the passivated bottom layers)
and, with ``fix_below_angstrom``, every atom below that height. The optimiser (BFGS, ase's
preconditioned LBFGS with the Exp preconditioner, or FIRE) runs until the largest force on a
free atom is below ``fmax_ev_a`` or the step limit is reached; a relaxation that does not
converge is a result (``converged`` false, its final ``fmax_ev_a``), not an error. An SCF that
fails raises :class:`RelaxError` naming the file.

The electronic temperature (Fermi smearing) defaults to tblite's 300 K
(:data:`cald.atomistic.relax_options.DEFAULT_ELECTRONIC_TEMPERATURE_K`, where the measurement
behind the choice is given); the reported energy is tblite's energy at that temperature, the
same number tblite gives when called directly with the same settings (the SCF accuracy
:data:`cald.atomistic.relax_options.SCF_ACCURACY` included). tblite's printed SCF
tables are captured to count the SCF cycles of every energy evaluation.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import time
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cald.atomistic.relax_options import METHODS, SCF_ACCURACY, RelaxOptions
from cald.errors import InputError, ParameterError
from cald.io.structure import STRUCTURE_FORMATS, read_structure, write_structure

if TYPE_CHECKING:
    from ase import Atoms

__all__ = ["RELAXATION_PREFIX", "RelaxError", "RelaxResult", "fixed_indices", "relax",
           "relax_file", "relaxation_record", "scf_cycles_from_log", "trajectory_path"]

#: One line of tblite's SCF table (verbosity 1): cycle number, energy, two errors.
_SCF_LINE = re.compile(r"^\s*(\d+)\s+-?\d+\.\d+\s+\S+E[+-]\d+\s+\S+E[+-]\d+\s*$", re.MULTILINE)


class RelaxError(InputError):
    """The energy or forces of a model could not be computed (SCF failure, unsupported
    element or charge)."""


@dataclass(frozen=True)
class RelaxResult:
    """Outcome of one relaxation.

    Attributes
    ----------
    energy_ev
        Energy of the final geometry (eV; xTB: tblite's free energy at the electronic
        temperature).
    fmax_ev_a
        Largest force on a free atom at the final geometry (eV/Å).
    converged
        Whether ``fmax_ev_a`` reached the target within the step limit.
    steps
        Optimiser steps taken.
    t_per_step_s
        Wall time per energy-and-forces evaluation (s).
    scf_cycles
        SCF cycles of each energy evaluation, in order (xTB; empty for CP2K).
    scf_accuracy
        tblite's ``accuracy`` of the SCF (xTB; None for CP2K).
    """

    energy_ev: float
    fmax_ev_a: float
    converged: bool
    status: str
    steps: int
    n_evaluations: int
    t_total_s: float
    t_per_step_s: float
    scf_cycles: list[int]
    n_atoms: int
    n_fixed: int
    level: str
    method: str
    optimizer: str
    fmax_target_ev_a: float
    step_limit: int
    electronic_temperature_k: float
    max_scf_iterations: int
    scf_accuracy: float | None = None
    trajectory: str | None = None
    output: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (design.md keys ``energy_ev``, ``fmax_ev_a``, ``converged``)."""
        out = asdict(self)
        out["scf_cycles_mean"] = float(np.mean(self.scf_cycles)) if self.scf_cycles else None
        return out

    def report(self) -> str:
        """Human-readable summary."""
        scf = (f", SCF {np.mean(self.scf_cycles):.1f} cycles/evaluation" if self.scf_cycles else "")
        lines = [
            f"{self.status}: E = {self.energy_ev:.6f} eV, fmax = {self.fmax_ev_a:.4f} eV/Å "
            f"(target {self.fmax_target_ev_a} eV/Å) after {self.steps} of {self.step_limit} "
            f"{self.optimizer.upper()} steps",
            f"{self.level} {self.method}, {self.n_atoms} atoms ({self.n_fixed} fixed), "
            f"{self.t_per_step_s:.2f} s/evaluation{scf}",
        ]
        if self.output:
            lines.append(f"relaxed model: {self.output}")
        if self.trajectory:
            lines.append(f"trajectory: {self.trajectory}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


#: Prefix of the ``atoms.info`` keys in which a relaxed model records how it was relaxed (they
#: travel with the model in extended XYZ: ``relaxed_method``, ``relaxed_energy_ev`` …).
RELAXATION_PREFIX = "relaxed_"

#: RelaxResult fields recorded in a relaxed model's ``atoms.info``.
_RECORDED = ("method", "level", "optimizer", "energy_ev", "fmax_ev_a", "fmax_target_ev_a",
             "converged", "steps")


def relaxation_record(atoms: Atoms) -> dict[str, Any] | None:
    """How a model was relaxed, from the ``relaxed_*`` keys of its ``atoms.info`` (written by
    :func:`relax`; they survive extended XYZ), or ``None`` for a model without that record
    (e.g. as built)."""
    record = {k[len(RELAXATION_PREFIX):]: v for k, v in atoms.info.items()
              if k.startswith(RELAXATION_PREFIX) and k[len(RELAXATION_PREFIX):] in _RECORDED}
    if not record:
        return None
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in record.items()}


def _record(final: Atoms, result: RelaxResult) -> None:
    final.info.update({RELAXATION_PREFIX + k: getattr(result, k) for k in _RECORDED})


def fixed_indices(atoms: Atoms, fix_below_angstrom: float | None = None) -> list[int]:
    """Indices of the atoms held fixed: an existing ``FixAtoms`` constraint, the indices in
    ``atoms.info["fixed_indices"]`` and, when given, every atom with z below
    ``fix_below_angstrom`` (Å)."""
    from ase.constraints import FixAtoms

    fixed: set[int] = set()
    for c in atoms.constraints:
        if isinstance(c, FixAtoms):
            fixed.update(int(i) for i in c.get_indices())
    info = atoms.info.get("fixed_indices")
    if info is not None:
        idx = np.atleast_1d(np.asarray(info, dtype=int))
        if idx.size and (idx.min() < 0 or idx.max() >= len(atoms)):
            raise InputError(f"fixed_indices must lie in 0..{len(atoms) - 1}")
        fixed.update(int(i) for i in idx)
    if fix_below_angstrom is not None:
        fixed.update(int(i) for i in np.flatnonzero(atoms.positions[:, 2] < fix_below_angstrom))
    return sorted(fixed)


def _xtb_calculator(opts: RelaxOptions) -> Any:
    from tblite.ase import TBLite

    return TBLite(method=METHODS[opts.method], electronic_temperature=opts.electronic_temperature_k,
                  max_iterations=opts.max_scf_iterations, accuracy=SCF_ACCURACY, verbosity=1)


def _nearest_neighbour_angstrom(atoms: Atoms) -> float:
    """The largest nearest-neighbour distance of any atom (Å; minimum image in a periodic cell),
    the length scale of the Exp preconditioner (ase's own estimate needs a cell)."""
    d = atoms.get_all_distances(mic=bool(atoms.pbc.any()))
    np.fill_diagonal(d, np.inf)
    return float(d.min(axis=1).max()) if len(atoms) > 1 else 1.0


def _optimizer(name: str, atoms: Atoms) -> Any:
    """The ase optimiser of a ``--optimizer`` choice, silent."""
    from ase.optimize import BFGS, FIRE

    if name == "precon-lbfgs":
        from ase.optimize.precon import Exp, PreconLBFGS

        return PreconLBFGS(atoms, precon=Exp(r_NN=_nearest_neighbour_angstrom(atoms)),
                           logfile=None)
    return (BFGS if name == "bfgs" else FIRE)(atoms, logfile=None)


@contextlib.contextmanager
def _quiet_line_search() -> Iterator[None]:
    """Silence the error ase's Armijo line search logs (to stderr, no handler) before
    PreconLBFGS resets its Hessian and carries on."""
    logger = logging.getLogger("ase.utils.linesearcharmijo")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _fmax(forces: np.ndarray) -> float:
    return float(np.sqrt((forces ** 2).sum(axis=1)).max()) if len(forces) else 0.0


def relax(atoms: Atoms, opts: RelaxOptions | None = None, *,
          source: str | None = None) -> tuple[Atoms, RelaxResult, list[Atoms]]:
    """Relax a copy of ``atoms``.

    Parameters
    ----------
    atoms
        The model (positions in Å); not modified.
    opts
        Level, optimiser, target, step limit, SCF settings (default :class:`RelaxOptions`).
    source
        Name of the model's file, for messages.

    Returns
    -------
    tuple
        The relaxed copy (with the fixed atoms as a ``FixAtoms`` constraint and the final
        energy and forces attached), the :class:`RelaxResult`, and the frames of the
        trajectory (initial geometry and one per step, each with its energy and forces).

    Raises
    ------
    RelaxError
        When the SCF fails or the calculator refuses the model.
    """
    if opts is None:
        opts = RelaxOptions()
    if opts.level == "cp2k":
        from cald.atomistic.cp2k import relax_cp2k

        final, result, frames = relax_cp2k(atoms, opts, source=source)
        _record(final, result)
        return final, result, frames
    from ase.calculators.calculator import CalculationFailed
    from ase.calculators.calculator import InputError as AseInputError
    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.constraints import FixAtoms

    work = atoms.copy()
    fixed = fixed_indices(work, opts.fix_below_angstrom)
    others = [c for c in work.constraints if not isinstance(c, FixAtoms)]
    work.set_constraint([*others, FixAtoms(indices=fixed)] if fixed else others)
    work.calc = _xtb_calculator(opts)
    frames: list[Atoms] = []

    def snapshot() -> None:
        frame = work.copy()
        frame.calc = SinglePointCalculator(frame, energy=work.get_potential_energy(),
                                           forces=work.get_forces())
        frames.append(frame)

    where = source or "model"
    log = io.StringIO()
    optimizer = _optimizer(opts.optimizer, work)
    optimizer.attach(snapshot, interval=1)
    t0 = time.perf_counter()
    try:
        with contextlib.redirect_stdout(log), warnings.catch_warnings(), _quiet_line_search():
            # PreconLBFGS warns on a cell-less model and on a line search it restarts itself
            warnings.filterwarnings("ignore", category=UserWarning, module="ase.optimize.precon")
            converged = bool(optimizer.run(fmax=opts.fmax_ev_a, steps=opts.steps))
            energy = float(work.get_potential_energy())
            forces = work.get_forces()
    except (CalculationFailed, AseInputError, RuntimeError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise RelaxError(f"xTB calculation failed ({detail}); try a higher "
                         "--electronic-temperature-k or check charge and geometry", where) from None
    t_total = time.perf_counter() - t0
    scf = scf_cycles_from_log(log.getvalue())
    n_eval = max(len(scf), 1)
    fmax = _fmax(forces)
    steps = int(optimizer.nsteps)
    notes = []
    if not converged:
        notes.append(f"not converged: fmax {fmax:.4f} eV/Å after the step limit of {opts.steps}; "
                     "continue from the written model with more --steps")
    if not fixed:
        notes.append("no atom fixed (no FixAtoms, fixed_indices or --fix-below-angstrom)")
    result = RelaxResult(
        energy_ev=energy, fmax_ev_a=fmax, converged=converged,
        status="converged" if converged else "not converged", steps=steps, n_evaluations=n_eval,
        t_total_s=t_total, t_per_step_s=t_total / n_eval, scf_cycles=scf, n_atoms=len(work),
        n_fixed=len(fixed), level=opts.level, method=METHODS[opts.method],
        optimizer=opts.optimizer, fmax_target_ev_a=opts.fmax_ev_a, step_limit=opts.steps,
        electronic_temperature_k=opts.electronic_temperature_k,
        max_scf_iterations=opts.max_scf_iterations, scf_accuracy=SCF_ACCURACY, notes=notes)
    final = work.copy()
    _record(final, result)
    final.calc = SinglePointCalculator(final, energy=energy, forces=forces)
    return final, result, frames


def scf_cycles_from_log(log: str) -> list[int]:
    """SCF cycles per energy evaluation from tblite's printed SCF tables (the last cycle number
    of each table)."""
    cycles: list[int] = []
    last = 0
    for m in _SCF_LINE.finditer(log):
        n = int(m.group(1))
        if n <= last and last:
            cycles.append(last)
        last = n
    if last:
        cycles.append(last)
    return cycles


def trajectory_path(out: str | Path) -> Path:
    """The trajectory written beside ``out``: ``relaxed.xyz`` → ``relaxed.traj.xyz``."""
    p = Path(out)
    return p.with_name(f"{p.stem}.traj.xyz")


def relax_file(path: str | Path, out: str | Path, opts: RelaxOptions | None = None) -> RelaxResult:
    """Read a model (:func:`cald.io.structure.read_structure`), relax it, write the relaxed
    model to ``out`` (:func:`cald.io.structure.write_structure`: the format from the suffix) and
    the trajectory beside it (:func:`trajectory_path`); returns the result with both paths."""
    out_p = Path(out)
    if out_p.suffix.lower() not in STRUCTURE_FORMATS:
        raise ParameterError(f"--out {out_p}: a model is written as {', '.join(STRUCTURE_FORMATS)}")
    atoms = read_structure(path)
    final, result, frames = relax(atoms, opts, source=str(path))
    write_structure(final, out_p)
    traj = write_structure(frames, trajectory_path(out_p)) if frames else None
    return RelaxResult(**{**asdict(result), "output": str(out_p),
                          "trajectory": None if traj is None else str(traj)})
