"""``cald model relax``: relax an atomistic model with GFN2-xTB (tblite) or CP2K (PBE-D3)."""

from __future__ import annotations

from pathlib import Path

import typer

from cald.atomistic.relax_options import RelaxOptions
from cald.cli.common import JSON_OPTION, QUIET_OPTION, build_options, option, show

__all__ = ["register_relax", "relax"]


def relax(
    path: Path = typer.Argument(..., help="Model (xyz, extxyz, CIF, traj; the last frame is used)."),
    out: Path = typer.Option(..., "--out", help="Relaxed model (.xyz/.extxyz: extended XYZ, .cif, .traj); "
                             "the trajectory goes beside it as <name>.traj.xyz."),
    steps: int = option(RelaxOptions, "steps"),
    fmax_ev_a: float = option(RelaxOptions, "fmax_ev_a"),
    optimizer: str = option(RelaxOptions, "optimizer"),
    method: str = option(RelaxOptions, "method"),
    level: str = option(RelaxOptions, "level"),
    electronic_temperature_k: float = option(RelaxOptions, "electronic_temperature_k"),
    max_scf_iterations: int = option(RelaxOptions, "max_scf_iterations"),
    fix_below_angstrom: float | None = option(RelaxOptions, "fix_below_angstrom"),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Relax a model to the force target within the step limit (fixed atoms: FixAtoms,
    fixed_indices in the file, --fix-below-angstrom). Not reaching the target is reported
    (converged false, final fmax), not an error."""
    from cald.atomistic.relax import relax_file

    opts = build_options(RelaxOptions, steps=steps, fmax_ev_a=fmax_ev_a, optimizer=optimizer,
                         method=method, level=level,
                         electronic_temperature_k=electronic_temperature_k,
                         max_scf_iterations=max_scf_iterations,
                         fix_below_angstrom=fix_below_angstrom)
    result = relax_file(path, out, opts)
    show(result.to_dict(), result.report(), as_json, quiet)


def register_relax(model_app: typer.Typer) -> None:
    """Add ``relax`` to the ``cald model`` group."""
    model_app.command("relax")(relax)
