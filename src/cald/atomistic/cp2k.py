"""CP2K (PBE-D3) geometry optimisation of a periodic slab: input writer and runner, the optional
higher level of :mod:`cald.atomistic.relax` (``--level cp2k``).

The input follows common practice for CdSe surfaces with organic ligands (typical values, to be
converged for production work):

- Quickstep GPW, PBE, Grimme D3 (zero damping, ``dftd3.dat``, pair cutoff 15 Å);
- DZVP-MOLOPT-SR-GTH basis sets (``BASIS_MOLOPT``) and GTH-PBE pseudopotentials
  (``GTH_POTENTIALS``; Cd with 12, Se with 6 valence electrons);
- plane-wave cutoff 400 Ry, relative cutoff 50 Ry;
- diagonalisation with Fermi–Dirac smearing (300 K, 20 added MOs per 100 atoms, Broyden mixing):
  a bare Cd-rich slab has a small gap, where orbital transformation (OT) converges poorly;
- fully periodic cell (the slab's vacuum along z separates the images);
- BFGS geometry optimisation to the force target (eV/Å converted to Hartree/Bohr) with the fixed
  atoms as ``FIXED_ATOMS`` (1-based list).

The runner calls ``cp2k.psmp``, ``cp2k.popt`` or ``cp2k`` (the first found on ``PATH``) in a
scratch folder and reads the final geometry (``<project>-pos-1.xyz``), the last total energy and
whether the optimisation completed from the output.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cald.atomistic.relax import RelaxError, RelaxResult, fixed_indices
from cald.atomistic.relax_options import RelaxOptions
from cald.errors import InputError

if TYPE_CHECKING:
    from ase import Atoms

__all__ = ["CP2K_BINARIES", "Cp2kNotFoundError", "Cp2kSettings", "find_cp2k", "relax_cp2k",
           "write_cp2k_input"]

#: Executable names tried in order.
CP2K_BINARIES = ("cp2k.psmp", "cp2k.popt", "cp2k")

_HARTREE_EV = 27.211386245988
_BOHR_A = 0.529177210903
_EV_A_PER_HA_BOHR = _HARTREE_EV / _BOHR_A


class Cp2kNotFoundError(InputError):
    """``--level cp2k`` without a CP2K executable on ``PATH``."""


class Cp2kSettings:
    """Numerical settings of the CP2K input (see the module docstring for the choices)."""

    basis_set = "DZVP-MOLOPT-SR-GTH"
    potential = "GTH-PBE"
    cutoff_ry = 400.0
    rel_cutoff_ry = 50.0
    smear_temperature_k = 300.0
    d3_cutoff_angstrom = 15.0
    eps_scf = 1e-6
    max_scf = 100


def find_cp2k() -> str:
    """Path of the first CP2K executable on ``PATH``.

    Raises
    ------
    Cp2kNotFoundError
        When none of :data:`CP2K_BINARIES` is found.
    """
    for name in CP2K_BINARIES:
        found = shutil.which(name)
        if found:
            return found
    raise Cp2kNotFoundError(f"cp2k not found on PATH (tried {', '.join(CP2K_BINARIES)}); "
                            "install CP2K or use --level xtb")


def write_cp2k_input(atoms: Atoms, opts: RelaxOptions | None = None, *, project: str = "cald",
                     charge: int = 0) -> str:
    """CP2K input text for a PBE-D3 geometry optimisation of ``atoms`` in its cell.

    Parameters
    ----------
    atoms
        The model with its periodic cell (Å); fixed atoms from :func:`fixed_indices`.
    opts
        Force target (eV/Å), step limit and ``fix_below_angstrom``.
    project
        CP2K project name (prefix of its output files).
    charge
        Total charge (e).

    Raises
    ------
    InputError
        When the model has no cell.
    """
    if opts is None:
        opts = RelaxOptions(level="cp2k")
    if atoms.cell.rank < 3:
        raise InputError("CP2K needs a periodic cell with three vectors (a slab with vacuum)")
    s = Cp2kSettings
    n_added = max(20, int(np.ceil(len(atoms) / 100.0 * 20)))
    fixed = fixed_indices(atoms, opts.fix_below_angstrom)
    cell = "\n".join(f"      {v} {a[0]:.8f} {a[1]:.8f} {a[2]:.8f}"
                     for v, a in zip("ABC", np.asarray(atoms.cell), strict=True))
    coords = "\n".join(f"      {sym} {p[0]:.8f} {p[1]:.8f} {p[2]:.8f}"
                       for sym, p in zip(atoms.get_chemical_symbols(), atoms.positions, strict=True))
    kinds = "\n".join(f"    &KIND {el}\n      BASIS_SET {s.basis_set}\n      POTENTIAL {s.potential}\n"
                      f"    &END KIND" for el in sorted(set(atoms.get_chemical_symbols())))
    constraint = ""
    if fixed:
        rows = [" ".join(str(i + 1) for i in fixed[k:k + 20]) for k in range(0, len(fixed), 20)]
        lists = "\n".join(f"        LIST {r}" for r in rows)
        constraint = (f"  &CONSTRAINT\n    &FIXED_ATOMS\n{lists}\n    &END FIXED_ATOMS\n"
                      "  &END CONSTRAINT\n")
    max_force = opts.fmax_ev_a / _EV_A_PER_HA_BOHR
    return f"""&GLOBAL
  PROJECT {project}
  RUN_TYPE GEO_OPT
  PRINT_LEVEL LOW
&END GLOBAL
&MOTION
  &GEO_OPT
    OPTIMIZER BFGS
    MAX_ITER {opts.steps}
    MAX_FORCE {max_force:.6e}
  &END GEO_OPT
{constraint}&END MOTION
&FORCE_EVAL
  METHOD Quickstep
  &DFT
    BASIS_SET_FILE_NAME BASIS_MOLOPT
    POTENTIAL_FILE_NAME GTH_POTENTIALS
    CHARGE {charge}
    &MGRID
      CUTOFF {s.cutoff_ry:g}
      REL_CUTOFF {s.rel_cutoff_ry:g}
    &END MGRID
    &QS
      EPS_DEFAULT 1.0E-10
    &END QS
    &SCF
      SCF_GUESS ATOMIC
      EPS_SCF {s.eps_scf:.1e}
      MAX_SCF {s.max_scf}
      ADDED_MOS {n_added}
      &DIAGONALIZATION
        ALGORITHM STANDARD
      &END DIAGONALIZATION
      &MIXING
        METHOD BROYDEN_MIXING
        ALPHA 0.2
        NBROYDEN 8
      &END MIXING
      &SMEAR ON
        METHOD FERMI_DIRAC
        ELECTRONIC_TEMPERATURE [K] {s.smear_temperature_k:g}
      &END SMEAR
    &END SCF
    &XC
      &XC_FUNCTIONAL PBE
      &END XC_FUNCTIONAL
      &VDW_POTENTIAL
        POTENTIAL_TYPE PAIR_POTENTIAL
        &PAIR_POTENTIAL
          TYPE DFTD3
          PARAMETER_FILE_NAME dftd3.dat
          REFERENCE_FUNCTIONAL PBE
          R_CUTOFF [angstrom] {s.d3_cutoff_angstrom:g}
        &END PAIR_POTENTIAL
      &END VDW_POTENTIAL
    &END XC
  &END DFT
  &SUBSYS
    &CELL
{cell}
      PERIODIC XYZ
    &END CELL
    &COORD
{coords}
    &END COORD
{kinds}
  &END SUBSYS
&END FORCE_EVAL
"""


_ENERGY = re.compile(r"ENERGY\| Total FORCE_EVAL \( QS \) energy.*?:\s*(-?\d+\.\d+)")
_MAX_GRAD = re.compile(r"Max\. gradient\s+=\s+(-?\d+\.\d+(?:E[+-]\d+)?)")


def relax_cp2k(atoms: Atoms, opts: RelaxOptions, *,
               source: str | None = None) -> tuple[Atoms, RelaxResult, list[Atoms]]:
    """Relax ``atoms`` with CP2K (PBE-D3); the same return value as
    :func:`cald.atomistic.relax.relax`.

    Raises
    ------
    Cp2kNotFoundError
        When no CP2K executable is on ``PATH`` (checked before any work).
    RelaxError
        When CP2K fails or writes no geometry.
    """
    import ase.io
    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.constraints import FixAtoms

    if opts.optimizer != "bfgs":
        raise InputError(f"--optimizer {opts.optimizer} is not available with --level cp2k (bfgs only)")
    exe = find_cp2k()
    where = source or "model"
    fixed = fixed_indices(atoms, opts.fix_below_angstrom)
    text = write_cp2k_input(atoms, opts)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cald-cp2k-") as tmp:
        work = Path(tmp)
        (work / "cald.inp").write_text(text, encoding="utf-8")
        proc = subprocess.run([exe, "-i", "cald.inp", "-o", "cald.out"], cwd=work,
                              capture_output=True, text=True, check=False)
        out = (work / "cald.out").read_text(encoding="utf-8", errors="replace") \
            if (work / "cald.out").is_file() else ""
        pos = work / "cald-pos-1.xyz"
        if proc.returncode != 0 or not pos.is_file():
            tail = " ".join((proc.stderr or out).split()[-12:])
            raise RelaxError(f"cp2k failed (exit {proc.returncode}): {tail}", where)
        frames = ase.io.read(pos, index=":")
    t_total = time.perf_counter() - t0
    energies = [float(e) * _HARTREE_EV for e in _ENERGY.findall(out)]
    grads = [float(g) * _EV_A_PER_HA_BOHR for g in _MAX_GRAD.findall(out)]
    if not energies:
        raise RelaxError("cp2k wrote no total energy", where)
    converged = "GEOMETRY OPTIMIZATION COMPLETED" in out
    final = atoms.copy()
    final.positions = frames[-1].positions
    if fixed:
        final.set_constraint(FixAtoms(indices=fixed))
    final.calc = SinglePointCalculator(final, energy=energies[-1])
    n_eval = len(energies)
    fmax = grads[-1] if grads else float("nan")
    result = RelaxResult(
        energy_ev=energies[-1], fmax_ev_a=fmax, converged=converged,
        status="converged" if converged else "not converged", steps=max(len(frames) - 1, 0),
        n_evaluations=n_eval, t_total_s=t_total, t_per_step_s=t_total / n_eval, scf_cycles=[],
        n_atoms=len(atoms), n_fixed=len(fixed), level="cp2k", method="PBE-D3",
        optimizer="bfgs", fmax_target_ev_a=opts.fmax_ev_a, step_limit=opts.steps,
        electronic_temperature_k=Cp2kSettings.smear_temperature_k, max_scf_iterations=Cp2kSettings.max_scf,
        notes=[f"cp2k: {exe}", "fmax_ev_a is CP2K's largest gradient component"])
    for f in frames:
        f.cell, f.pbc = atoms.cell, atoms.pbc
    return final, result, list(frames)
