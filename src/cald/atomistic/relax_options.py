"""Options of ``cald model relax`` (:mod:`cald.atomistic.relax`), see :mod:`cald.options` for the
conventions."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import Field

from cald.options import Options, PositiveFloat, check

__all__ = ["DEFAULT_ELECTRONIC_TEMPERATURE_K", "DEFAULT_OPTIMIZER", "METHODS", "SCF_ACCURACY",
           "RelaxOptions"]

#: tblite method names of the ``--method`` choices.
METHODS = {"gfn2": "GFN2-xTB", "gfn1": "GFN1-xTB"}

#: Fermi smearing of the xTB SCF (K): tblite's default. Measured on the 140-atom charge-balanced
#: CdSe(100) slab with an AlMe2–acetate product (``benchmarks/bench_relax.py``, BENCHMARKS.md),
#: a single point from the SAD guess needs 217 SCF cycles at 300 K and 218 at 1000 K: smearing
#: buys nothing there, while it adds an electronic-entropy term to the energies. Raise it
#: (``--electronic-temperature-k``) for a model whose SCF fails to converge (a Cd-rich top
#: without its X-type ligands carries excess electrons).
DEFAULT_ELECTRONIC_TEMPERATURE_K = 300.0

#: tblite's ``accuracy`` of the xTB SCF (tblite's default 1; larger is looser: the SCF stops
#: when the density change falls below ≈ 2·10⁻⁵ × accuracy). Measured on the 52-atom builder
#: model (``cald model build --ligands 1 --tma 1``; a start and a restart after 0.02 Å random
#: displacements): 36 and 33 SCF cycles at 1, 24 and 20 at 10, forces within 0.0009 eV/Å and
#: energies within 0.02 meV of accuracy 1 (0.01 as reference) — 2 % of the 0.05 eV/Å target.
#: On the 140-atom slab of ``benchmarks/bench_relax.py`` the SCF from the SAD guess has a slow
#: tail (density change 2·10⁻⁴ after ≈ 105 cycles, 2·10⁻⁵ after 212) that tblite's other
#: settings do not shorten (mixer damping 0.2: 218 cycles, EEQ guess: 212, Broyden memory 10:
#: no convergence in 250, against 217); at accuracy 10 the cycles of the first BFGS evaluations
#: drop from 217, 137, 141, 95 to 107, 40, 52, 54 on the same path (BENCHMARKS.md). Not a
#: knob: the reported energy is tblite's at this accuracy.
SCF_ACCURACY = 10.0

#: The default optimiser: ase's BFGS. Measured against ase's preconditioned LBFGS (Exp
#: preconditioner, ``--optimizer precon-lbfgs``) to 0.05 eV/Å at SCF accuracy 10 (BENCHMARKS.md):
#: on the 52-atom builder model (``cald model build --ligands 1 --tma 1``) BFGS needs 226
#: evaluations and 3442 SCF cycles, PreconLBFGS 110 and 1586 (2.2× fewer), on the 25-atom 1 × 1
#: model 267/3421 against 208/2455 (1.4×); but PreconLBFGS stops in higher local minima (by 178
#: and 35 meV; 55 meV at accuracy 1), and on the 140-atom slab it lags after four steps (fmax
#: 11.1 against 2.6 eV/Å from 17.1). Lower minima matter more for ranking isomers than the
#: factor 2, so BFGS stays the default and PreconLBFGS is the knob for a quick relaxation.
DEFAULT_OPTIMIZER: Final = "bfgs"

PositiveInt = Annotated[int, check(lambda v: v >= 1, "must be at least 1")]


class RelaxOptions(Options):
    """``cald model relax``: the level of theory, the optimiser, the convergence target and the
    step limit, the SCF settings and the fixed bottom layers."""

    steps: PositiveInt = Field(200, description="Maximum number of optimiser steps.")
    fmax_ev_a: PositiveFloat = Field(
        0.05, description="Convergence target: largest force on a free atom (eV/Å).")
    optimizer: Literal["bfgs", "precon-lbfgs", "fire"] = Field(
        DEFAULT_OPTIMIZER, description="Optimiser: bfgs, precon-lbfgs (ase's PreconLBFGS with the "
        "Exp preconditioner: ≈ 2× fewer SCF cycles, may stop in a higher local minimum) or fire.")
    method: Literal["gfn2", "gfn1"] = Field("gfn2", description="xTB Hamiltonian (gfn2 or gfn1).")
    level: Literal["xtb", "cp2k"] = Field(
        "xtb", description="xtb (tblite, default) or cp2k (PBE-D3, needs cp2k on PATH).")
    electronic_temperature_k: PositiveFloat = Field(
        DEFAULT_ELECTRONIC_TEMPERATURE_K,
        description="Electronic (Fermi smearing) temperature of the xTB SCF (K).")
    max_scf_iterations: PositiveInt = Field(
        250, description="Maximum number of SCF iterations per energy evaluation.")
    fix_below_angstrom: float | None = Field(
        None, description="Also fix every atom whose z is below this value (Å).")
