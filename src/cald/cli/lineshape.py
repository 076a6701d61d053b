"""``cald peaks``, ``cald csa``, ``cald quad``: lineshape fits of a spectrum (Bruker folder,
JCAMP-DX or CSV with ``ppm,intensity``)."""

from __future__ import annotations

from pathlib import Path

import typer

from cald.cli.common import (
    JSON_OPTION,
    QUIET_OPTION,
    console,
    emit_json,
    finite,
    parse_float_list,
    parse_region,
)
from cald.cli.nmr import check_plot_path
from cald.errors import ParameterError

peaks_app = typer.Typer(help="Peak deconvolution (Gauss, Lorentz, Voigt, pseudo-Voigt).",
                        no_args_is_help=True)

SPECTRUM_HELP = "Bruker experiment folder, JCAMP-DX file or CSV with ppm,intensity."


def _save_fit_plot(plot: Path, result: object) -> None:
    from cald.project.report.figures import lineshape_fit_figure, save_figure

    save_figure(lineshape_fit_figure(result), plot)


@peaks_app.command("fit")
def peaks_fit(
    spectrum: Path = typer.Argument(..., help=SPECTRUM_HELP),
    region: str = typer.Option(..., "--region", help="Fit region A:B (axis units)."),
    n: int | None = typer.Option(None, "--n", help="Number of peaks (default: picked)."),
    shape: str = typer.Option("voigt", "--shape", help="gaussian, lorentzian, voigt, pseudo_voigt."),
    centers: str | None = typer.Option(None, "--centers", help="Starting centres, comma-separated."),
    equal_widths: bool = typer.Option(False, "--equal-widths", help="One width for all peaks."),
    baseline: str = typer.Option("linear", "--baseline", help="linear, constant or none."),
    plot: Path | None = typer.Option(None, "--plot", help="Figure (.svg, .png, .pdf)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Deconvolve a region into peaks with areas, fractions and their uncertainties."""
    from cald.lineshape.peaks import SHAPES, fit_peaks
    from cald.reading import read

    check_plot_path(plot)
    bounds = parse_region(region)
    if shape not in SHAPES:
        raise ParameterError(f"--shape must be one of {', '.join(SHAPES)}, got {shape!r}")
    if baseline not in ("linear", "constant", "none"):
        raise ParameterError(f"--baseline must be linear, constant or none, got {baseline!r}")
    if n is not None and n < 1:
        raise ParameterError(f"--n must be at least 1, got {n}")
    start = None if centers is None else parse_float_list(centers, "--centers")
    spec = read(spectrum)
    result = fit_peaks(spec, bounds, n_peaks=n, shape=shape, centers=start,
                       ties={"equal_widths": equal_widths},
                       baseline=None if baseline == "none" else baseline)
    if plot is not None:
        _save_fit_plot(plot, result)
    if as_json:
        emit_json(result.to_dict())
    elif not quiet:
        console.print(result.report())


quad_app = typer.Typer(help="Quadrupolar central-transition MAS spectra: Czjzek sites (27Al …).",
                       no_args_is_help=True)


def _sites(text: str) -> list[float | int | str]:
    """``4,5,6`` (coordination numbers), ``68,35,8`` (ppm, with a decimal point or beyond 9) or
    labels such as ``IV``."""
    out: list[float | int | str] = []
    for token in (t.strip() for t in text.split(",") if t.strip()):
        try:
            value = float(token)
        except ValueError:
            out.append(token)
            continue
        out.append(int(value) if value.is_integer() and "." not in token and 1 <= value <= 9
                   else value)
    if not out:
        raise ParameterError(f"--sites needs at least one site, got {text!r}")
    return out


@quad_app.command("fit")
def quad_fit(
    spectrum: Path = typer.Argument(..., help=SPECTRUM_HELP),
    nucleus: str = typer.Option("27Al", "--nucleus", help="Quadrupolar nucleus, e.g. 27Al."),
    mas_khz: float | None = typer.Option(None, "--mas-khz", callback=finite,
                                         help="MAS rate (kHz); omit for infinitely fast."),
    field_1h_mhz: float | None = typer.Option(None, "--field-1h-mhz", callback=finite,
                                              help="1H frequency (MHz); default from the data."),
    sites: str = typer.Option("4,5,6", "--sites",
                              help="4,5,6 (coordination) or starting δiso in ppm, comma-separated."),
    region: str | None = typer.Option(None, "--region", help="Fit region A:B (ppm)."),
    plot: Path | None = typer.Option(None, "--plot", help="Figure (.svg, .png, .pdf)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Fit Czjzek sites (δiso, σ, fraction) to a central-transition MAS spectrum."""
    from cald.lineshape.quadrupolar import fit_quadrupolar
    from cald.reading import read

    check_plot_path(plot)
    if mas_khz is not None and mas_khz < 0:
        raise ParameterError(f"--mas-khz must be ≥ 0, got {mas_khz}")
    bounds = None if region is None else parse_region(region)
    spec = read(spectrum)
    result = fit_quadrupolar(spec, nucleus, field_1h_mhz,
                             None if mas_khz is None else mas_khz * 1e3, _sites(sites),
                             region=bounds)
    if plot is not None:
        _save_fit_plot(plot, result)
    if as_json:
        emit_json(result.to_dict())
    elif not quiet:
        console.print(result.report())


csa_app = typer.Typer(help="Chemical-shift anisotropy from MAS sideband manifolds (spin 1/2).",
                      no_args_is_help=True)


@csa_app.command("fit")
def csa_fit(
    spectrum: Path = typer.Argument(..., help=SPECTRUM_HELP),
    nucleus: str | None = typer.Option(None, "--nucleus", help="Observed spin-1/2 nucleus, e.g. 113Cd."),
    mas_khz: float = typer.Option(..., "--mas-khz", callback=finite, help="MAS rate (kHz)."),
    field_1h_mhz: float | None = typer.Option(None, "--field-1h-mhz", callback=finite,
                                              help="1H frequency (MHz); default from the data."),
    sites: str | None = typer.Option(None, "--sites",
                                     help="Isotropic shifts (ppm), comma-separated; default: found."),
    lineshape: str = typer.Option("lorentzian", "--lineshape", help="lorentzian, gaussian, voigt."),
    region: str | None = typer.Option(None, "--region", help="Fit region A:B (ppm)."),
    pass_data: bool = typer.Option(False, "--pass",
                                   help="SPECTRUM is a PASS table: CSV with ppm and order_<k> columns."),
    plot: Path | None = typer.Option(None, "--plot", help="Figure (.svg, .png, .pdf)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Fit δiso, ζ, η (Haeberlen; also Herzfeld–Berger Ω, κ and Mehring δ11–δ33) and site
    fractions to a spinning-sideband spectrum, or (with --pass) to PASS sideband intensities."""
    from cald.lineshape.csa import fit_csa, fit_pass, pass_isotropic_spectrum
    from cald.reading import read

    check_plot_path(plot)
    if not mas_khz > 0:
        raise ParameterError(f"--mas-khz must be positive, got {mas_khz}")
    if lineshape not in ("lorentzian", "gaussian", "voigt"):
        raise ParameterError(f"--lineshape must be lorentzian, gaussian or voigt, got {lineshape!r}")
    starts = None if sites is None else parse_float_list(sites, "--sites")
    bounds = None if region is None else parse_region(region)
    if pass_data:
        from cald.io.spectrum_file import read_pass_table

        rows = read_pass_table(spectrum, nucleus)
        fitted = fit_pass(rows, mas_hz=mas_khz * 1e3, sites=starts, nucleus=nucleus,
                          field_1h_mhz=field_1h_mhz)
        if plot is not None:
            from cald.nmr.processing import pick_peaks
            from cald.project.report.figures import save_figure, spectrum_figure

            iso = pass_isotropic_spectrum(rows)
            save_figure(spectrum_figure(iso, pick_peaks(iso)), plot)
        if as_json:
            emit_json(fitted.to_dict(include_curves=False))
        elif not quiet:
            console.print(fitted.report())
        return
    spec = read(spectrum)
    result = fit_csa(spec, mas_hz=mas_khz * 1e3, sites=starts, nucleus=nucleus,
                     field_1h_mhz=field_1h_mhz, lineshape=lineshape, region=bounds)
    if plot is not None:
        _save_fit_plot(plot, result)
    if as_json:
        emit_json(result.to_dict(include_curves=False))
    elif not quiet:
        console.print(result.report())


def register(app: typer.Typer) -> None:
    """Add the lineshape command groups to the root command."""
    app.add_typer(peaks_app, name="peaks")
    app.add_typer(quad_app, name="quad")
    app.add_typer(csa_app, name="csa")


__all__ = ["register"]
