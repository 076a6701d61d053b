"""Options of ``cald model relax`` (:mod:`cald.atomistic.relax`), see :mod:`cald.options` for the
conventions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from cald.options import Options, PositiveFloat, check

__all__ = ["DEFAULT_ELECTRONIC_TEMPERATURE_K", "METHODS", "RelaxOptions"]

#: tblite method names of the ``--method`` choices.
METHODS = {"gfn2": "GFN2-xTB", "gfn1": "GFN1-xTB"}

#: Fermi smearing of the xTB SCF (K): tblite's default. Measured on the 140-atom charge-balanced
#: CdSe(100) slab with an AlMe2–acetate product (``benchmarks/bench_relax.py``, BENCHMARKS.md),
#: a single point from the SAD guess needs 217 SCF cycles at 300 K and 218 at 1000 K: smearing
#: buys nothing there, while it adds an electronic-entropy term to the energies. Raise it
#: (``--electronic-temperature-k``) for a model whose SCF fails to converge (a Cd-rich top
#: without its X-type ligands carries excess electrons).
DEFAULT_ELECTRONIC_TEMPERATURE_K = 300.0

PositiveInt = Annotated[int, check(lambda v: v >= 1, "must be at least 1")]


class RelaxOptions(Options):
    """``cald model relax``: the level of theory, the optimiser, the convergence target and the
    step limit, the SCF settings and the fixed bottom layers."""

    steps: PositiveInt = Field(200, description="Maximum number of optimiser steps.")
    fmax_ev_a: PositiveFloat = Field(
        0.05, description="Convergence target: largest force on a free atom (eV/Å).")
    optimizer: Literal["bfgs", "fire"] = Field("bfgs", description="Optimiser (bfgs or fire).")
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
