"""``cald model``: atomistic models of CdSe surfaces with carboxylates and TMA products."""

from __future__ import annotations

from pathlib import Path

import typer

from cald.atomistic.options import BuildOptions, QdModelOptions
from cald.cli.common import JSON_OPTION, QUIET_OPTION, build_options, option, show

__all__ = ["register"]

model_app = typer.Typer(help="Atomistic models: build, relax, analyze, screen.", no_args_is_help=True)


# --- build ---
@model_app.command("build")
def build(
    out: Path = typer.Option(..., "--out", help="Model file to write (.xyz/.extxyz: extended "
                             "xyz, .cif, .traj)."),
    facet: str = option(BuildOptions, "facet"),
    size: str = typer.Option("2x2", "--size", help="Lateral repeats NxM of the surface cell."),
    layers: int = option(BuildOptions, "layers"),
    vacuum_angstrom: float = option(BuildOptions, "vacuum_angstrom"),
    ligand: str = option(BuildOptions, "ligand"),
    chain_carbons: int | None = option(BuildOptions, "chain_carbons"),
    ligands: int | None = option(BuildOptions, "ligands"),
    density_nm2: float | None = option(BuildOptions, "density_nm2"),
    mode: str = option(BuildOptions, "mode"),
    tma: int = option(BuildOptions, "tma"),
    o2: int = option(BuildOptions, "o2"),
    recipe: str = option(BuildOptions, "recipe"),
    o2_recipe: str = option(BuildOptions, "o2_recipe"),
    fixed_layers: int = option(BuildOptions, "fixed_layers"),
    cd_vacancies: bool = option(BuildOptions, "cd_vacancies"),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """A Cd-terminated zinc-blende CdSe slab, H-capped at the bottom, with carboxylates in one
    binding mode and TMA products (recipes: alme2, alme3, alme-ome, alme-oome, al-ome2).

    JSON keys: formula, n_atoms, atoms_by_element, facet, size, ligand, n_ligands,
    ligands_by_mode, density_nm2, area_nm2, n_tma, tma_by_recipe, c_al_angstrom (one per
    product), n_fixed, n_h_bottom, n_cd_vacancies, n_se_vacancies (1 when an odd count took a
    bottom Se away), min_contact_ratio, cell_angstrom, file."""
    from cald.atomistic.build import summarize
    from cald.io.structure import write_structure

    opts = build_options(BuildOptions, facet=facet, size=size, layers=layers,
                         vacuum_angstrom=vacuum_angstrom, ligand=ligand,
                         chain_carbons=chain_carbons, ligands=ligands, density_nm2=density_nm2,
                         mode=mode, tma=tma, o2=o2, recipe=recipe, o2_recipe=o2_recipe,
                         fixed_layers=fixed_layers, cd_vacancies=cd_vacancies)
    atoms = opts.build()
    written = write_structure(atoms, out)
    summary = summarize(atoms)
    summary["file"] = str(written)
    c_al = ", ".join(f"{r:.2f}" for r in summary["c_al_angstrom"])  # type: ignore[attr-defined]
    text = (f"{summary['formula']} ({summary['n_atoms']} atoms), {{{summary['facet']}}} "
            f"{summary['size']}, {summary['n_ligands']} {summary['ligand']} "
            f"({summary['density_nm2']:.2f} nm⁻², {opts.mode}), {summary['n_tma']} TMA"
            + (f" (C–Al {c_al} Å)" if c_al else "") + f" → {written}")
    show(summary, text, as_json, quiet)


@model_app.command("qd")
def qd(
    out: Path = typer.Option(..., "--out", help="Model file to write (.xyz/.extxyz: extended "
                             "xyz, .cif, .traj)."),
    diameter_nm: float = option(QdModelOptions, "diameter_nm"),
    density_nm2: float = option(QdModelOptions, "density_nm2"),
    ligand: str = option(QdModelOptions, "ligand"),
    chain_carbons: int | None = option(QdModelOptions, "chain_carbons"),
    mode: str = option(QdModelOptions, "mode"),
    place: bool = option(QdModelOptions, "place", "--place/--no-place"),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """A spherical-ish CdSe dot (zinc blende, Cd-rich surface) with round(ρ π d²) carboxylates
    asked for, placed on the surface Cd in one binding mode without clashes (as many as fit),
    or only counted with --no-place; the formal charges are counted (Cd²⁺, Se²⁻, carboxylate −1).

    JSON keys: formula, n_atoms, atoms_by_element, diameter_nm, density_nm2, n_cd, n_se,
    ligands_placed (bool), n_ligands_asked (round(ρ π d²)), n_ligands (placed, or counted with
    --no-place), core_charge (2 n_Cd − 2 n_Se), net_formal_charge (core_charge − n_ligands),
    charge_balance (what balances the charges and what not), file; with placement also ligand,
    mode, n_surface_cd, n_dangling_bonds, min_contact_ratio (closest distance / sum of covalent
    radii)."""
    from cald.atomistic.build import summarize
    from cald.io.structure import write_structure

    opts = build_options(QdModelOptions, diameter_nm=diameter_nm, density_nm2=density_nm2,
                         ligand=ligand, chain_carbons=chain_carbons, mode=mode, place=place)
    atoms = opts.build()
    written = write_structure(atoms, out)
    counts = summarize(atoms)
    info = atoms.info
    summary = {k: counts[k] for k in ("formula", "n_atoms", "atoms_by_element")}
    summary.update({k: info[k] for k in ("diameter_nm", "density_nm2", "n_cd", "n_se",
                                         "ligands_placed", "n_ligands_asked", "n_ligands",
                                         "core_charge", "net_formal_charge", "charge_balance")})
    if opts.place:
        summary.update(ligand=opts.ligand, mode=opts.mode,
                       **{k: info[k] for k in ("n_surface_cd", "n_dangling_bonds",
                                               "min_contact_ratio")})
    summary["file"] = str(written)
    placed = (f"{summary['n_ligands']} of {summary['n_ligands_asked']} {opts.ligand} placed "
              f"({opts.mode}) on {summary.get('n_surface_cd')} surface Cd" if opts.place
              else f"{summary['n_ligands']} ligands counted, not placed")
    show(summary, f"{summary['formula']} ({summary['n_atoms']} atoms, {opts.diameter_nm} nm, "
                  f"{opts.density_nm2} nm⁻²): {placed}; net formal charge "
                  f"{summary['net_formal_charge']:+d} → {written}", as_json, quiet)


def register(app: typer.Typer) -> None:
    """Add ``cald model`` (build, qd, relax, analyze, screen) to the root command."""
    from cald.cli.model_analyze import register_analyze
    from cald.cli.model_relax import register_relax
    from cald.cli.model_screen import register_screen

    register_relax(model_app)
    register_analyze(model_app)
    register_screen(model_app)
    app.add_typer(model_app, name="model")
