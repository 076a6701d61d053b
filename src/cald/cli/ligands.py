"""``cald ligands density``: bound and free oleate, ligands per QD and per nm² from a quantitative
1H spectrum with an internal standard."""

from __future__ import annotations

from pathlib import Path

import typer

from cald.cli.common import (
    JSON_OPTION,
    QUIET_OPTION,
    build_options,
    check_plot_path,
    option,
    show,
)
from cald.errors import ParameterError
from cald.io.uvvis import read_uvvis
from cald.qd.options import LigandDensityOptions as Opts

__all__ = ["register"]

ligands_app = typer.Typer(help="Oleate ligands of quantum dots from quantitative 1H NMR.",
                          no_args_is_help=True)


@ligands_app.command("density")
def density(
    spectrum: Path = typer.Argument(..., help="1H spectrum: Bruker folder, JCAMP-DX or CSV "
                                              "(ppm,intensity)."),
    standard: str | None = option(Opts, "standard"),
    standard_mm: float = option(Opts, "standard_mm"),
    standard_protons: int | None = option(Opts, "standard_protons"),
    standard_region: str | None = option(Opts, "standard_region"),
    solvent: str = option(Opts, "solvent"),
    standard_rel_err: float = option(Opts, "standard_rel_err"),
    region: str | None = typer.Option(None, "--region", help="Alkene fit region A:B (ppm); "
                                                              "default 6.0:5.1."),
    ligand_protons: int = option(Opts, "ligand_protons"),
    n_peaks: int = option(Opts, "n_peaks", "--n"),
    shape: str = option(Opts, "shape"),
    centers: str | None = option(Opts, "centers"),
    free_max_fwhm_hz: float = option(Opts, "free_max_fwhm_hz"),
    field_1h_mhz: float | None = option(Opts, "field_1h_mhz"),
    qd_um: float | None = option(Opts, "qd_um"),
    qd_rel_err: float = option(Opts, "qd_rel_err"),
    diameter_nm: float | None = option(Opts, "diameter_nm"),
    uvvis: Path | None = typer.Option(None, "--uvvis", help="UV-vis spectrum of the same QDs "
                                                            "(CSV or instrument ASCII): diameter, "
                                                            "and with --path-cm the concentration."),
    path_cm: float | None = option(Opts, "path_cm"),
    dilution: float | None = typer.Option(None, "--dilution", help="Dilution of the UV-vis "
                                          "solution relative to the NMR solution (default 1)."),
    model: str | None = typer.Option(None, "--model", help="Sizing curve of the UV-vis diameter: "
                                     "yu2003 (default) or jasieniak2009."),
    t1_s: float | None = option(Opts, "t1_s"),
    plot: Path | None = typer.Option(None, "--plot", help="Figure of the alkene fit "
                                                          "(.svg, .png, .pdf)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Bound and free oleate (mM, fractions), ligands per QD and per nm², with errors and the
    d1 ≥ 5 T1 check."""
    opts = build_options(Opts, {"n_peaks": "--n"}, standard=standard, standard_mm=standard_mm,
                         standard_protons=standard_protons, standard_region=standard_region,
                         solvent=solvent, standard_rel_err=standard_rel_err, region=region,
                         ligand_protons=ligand_protons, n_peaks=n_peaks, shape=shape,
                         centers=centers, free_max_fwhm_hz=free_max_fwhm_hz,
                         field_1h_mhz=field_1h_mhz, qd_um=qd_um, qd_rel_err=qd_rel_err,
                         diameter_nm=diameter_nm, path_cm=path_cm, dilution=dilution,
                         model=model, t1_s=t1_s)
    problem = opts.uvvis_problem(uvvis is not None)
    if problem is not None:
        raise ParameterError(f"--{problem[0].replace('_', '-')} {problem[1]}")
    check_plot_path(plot)
    opts.standard_signal()  # an unknown standard fails before any file is read
    exciton = None if uvvis is None else opts.size_uvvis(read_uvvis(uvvis))
    result = opts.density(opts.read(spectrum), exciton)
    if plot is not None:
        from cald.figures import lineshape_fit_figure, save_figure

        save_figure(lineshape_fit_figure(result.fit, list(result.labels)), plot)
    if result.relaxation.note is not None:
        typer.echo(f"warning: {result.relaxation.note}", err=True)
    out = result.to_dict()
    if exciton is not None:
        out["uvvis"] = exciton.to_dict()
    show(out, result.report(), as_json, quiet)


def register(app: typer.Typer) -> None:
    """Add ``cald ligands`` to the root command."""
    app.add_typer(ligands_app, name="ligands")
