"""``cald uvvis size``: first exciton, diameter, ε and concentration of CdSe QDs from UV-vis."""

from __future__ import annotations

from pathlib import Path

import typer

from cald.cli.common import (
    JSON_OPTION,
    QUIET_OPTION,
    build_options,
    check_plot_path,
    console,
    emit_json,
    option,
)
from cald.io.uvvis import read_uvvis
from cald.qd.options import UvvisSizeOptions

__all__ = ["register"]

uvvis_app = typer.Typer(help="UV-vis absorption of quantum dots.", no_args_is_help=True)


@uvvis_app.command("size")
def size(
    path: Path = typer.Argument(..., help="UV-vis spectrum (CSV or JASCO/PerkinElmer/Cary ASCII)."),
    material: str = option(UvvisSizeOptions, "material"),
    model: str = option(UvvisSizeOptions, "model"),
    path_cm: float | None = option(UvvisSizeOptions, "path_cm"),
    dilution: float = option(UvvisSizeOptions, "dilution"),
    saturation_absorbance: float = option(UvvisSizeOptions, "saturation_absorbance"),
    region: str | None = option(UvvisSizeOptions, "region"),
    smooth_nm: float = option(UvvisSizeOptions, "smooth_nm"),
    plot: Path | None = typer.Option(None, "--plot", help="Figure (.svg, .png, .pdf)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """First exciton (peak, FWHM), diameter, ε and, with --path-cm, the concentration."""
    opts = build_options(UvvisSizeOptions, material=material, model=model, path_cm=path_cm,
                         dilution=dilution, saturation_absorbance=saturation_absorbance,
                         region=region, smooth_nm=smooth_nm)
    check_plot_path(plot)
    spectrum = read_uvvis(path, opts.saturation_absorbance)
    result = opts.size(spectrum)
    if plot is not None:
        from cald.figures import exciton_figure, save_figure

        save_figure(exciton_figure(spectrum, result), plot)
    if as_json:
        out = result.to_dict()
        out["history"] = list(spectrum.history)
        emit_json(out)
    elif not quiet:
        console.print(result.report())
        for step in spectrum.history[1:]:
            console.print(f"note: {step}")


def register(app: typer.Typer) -> None:
    """Add ``cald uvvis`` to the root command."""
    app.add_typer(uvvis_app, name="uvvis")
