"""``cald uvvis size``: first exciton, diameter, ε and concentration of CdSe QDs from UV-vis;
``cald uvvis series``: exciton shift, broadening and aggregation onset over a series of spectra."""

from __future__ import annotations

from pathlib import Path

import typer

from cald.cli.common import (
    JSON_OPTION,
    PLOT_OPTION,
    QUIET_OPTION,
    build_options,
    check_plot_path,
    console,
    emit_json,
    option,
    show,
)
from cald.io.uvvis import read_uvvis
from cald.qd.options import UvvisSeriesOptions, UvvisSizeOptions

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
    plot: Path | None = PLOT_OPTION,
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


@uvvis_app.command("series")
def series(
    paths: list[Path] = typer.Argument(..., help="UV-vis spectra, in the order of --values."),
    values: str = option(UvvisSeriesOptions, "values"),
    variable: str = option(UvvisSeriesOptions, "variable"),
    saturation_absorbance: float = option(UvvisSeriesOptions, "saturation_absorbance"),
    region: str | None = option(UvvisSeriesOptions, "region"),
    smooth_nm: float = option(UvvisSeriesOptions, "smooth_nm"),
    tail_offset_nm: float = option(UvvisSeriesOptions, "tail_offset_nm"),
    tail_width_nm: float = option(UvvisSeriesOptions, "tail_width_nm"),
    scatter_threshold: float = option(UvvisSeriesOptions, "scatter_threshold"),
    plot: Path | None = PLOT_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Exciton peak, FWHM, shift and broadening per spectrum (relative to the first), and the
    onset of aggregation (a rising scattering tail below the gap)."""
    opts = build_options(UvvisSeriesOptions, values=values, variable=variable,
                         saturation_absorbance=saturation_absorbance, region=region,
                         smooth_nm=smooth_nm, tail_offset_nm=tail_offset_nm,
                         tail_width_nm=tail_width_nm, scatter_threshold=scatter_threshold)
    check_plot_path(plot)
    spectra = [read_uvvis(p, opts.saturation_absorbance) for p in paths]
    result = opts.series(spectra)
    if plot is not None:
        from cald.figures import save_figure, uvvis_series_figure

        save_figure(uvvis_series_figure(spectra, result), plot)
    show(result.to_dict(), result.report(), as_json, quiet)


def register(app: typer.Typer) -> None:
    """Add ``cald uvvis`` to the root command."""
    app.add_typer(uvvis_app, name="uvvis")
