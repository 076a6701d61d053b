"""``cald peaks``, ``cald csa``, ``cald quad``: lineshape fits of a spectrum (Bruker folder,
JCAMP-DX or CSV with ``ppm,intensity``)."""

from __future__ import annotations

from pathlib import Path

import typer

from cald.cli.common import (
    JSON_OPTION,
    PLOT_OPTION,
    QUIET_OPTION,
    build_options,
    check_plot_path,
    option,
    show,
)
from cald.cli.nmr import (
    CPMG_OPTION,
    ECHO_PERIOD_OPTION,
    GRPDLY_OPTION,
    ROW_OPTION,
)
from cald.lineshape.options import CsaFitOptions, PeaksFitOptions, QuadFitOptions

peaks_app = typer.Typer(help="Peak deconvolution (Gauss, Lorentz, Voigt, pseudo-Voigt).",
                        no_args_is_help=True)

SPECTRUM_HELP = ("Bruker or Varian/Agilent folder, JCAMP-DX file, SIMPSON spectrum or CSV with "
                 "ppm,intensity.")


def _save_fit_plot(plot: Path, result: object) -> None:
    from cald.figures import lineshape_fit_figure, save_figure

    save_figure(lineshape_fit_figure(result), plot)


@peaks_app.command("fit")
def peaks_fit(
    spectrum: Path = typer.Argument(..., help=SPECTRUM_HELP),
    region: str = option(PeaksFitOptions, "region"),
    n: int | None = option(PeaksFitOptions, "n_peaks", "--n"),
    shape: str = option(PeaksFitOptions, "shape"),
    centers: str | None = option(PeaksFitOptions, "centers"),
    equal_widths: bool = option(PeaksFitOptions, "equal_widths"),
    baseline: str = option(PeaksFitOptions, "baseline"),
    row: int | None = ROW_OPTION,
    cpmg: bool = CPMG_OPTION,
    echo_period_us: float | None = ECHO_PERIOD_OPTION,
    grpdly: float | None = GRPDLY_OPTION,
    plot: Path | None = PLOT_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Deconvolve a region into peaks with areas, fractions and their uncertainties."""
    opts = build_options(PeaksFitOptions, {"n_peaks": "--n"}, region=region, n_peaks=n,
                         shape=shape, centers=centers, equal_widths=equal_widths,
                         baseline=baseline, row=row, cpmg=cpmg, echo_period_us=echo_period_us, grpdly=grpdly)
    check_plot_path(plot)
    result = opts.fit(opts.read(spectrum))
    if plot is not None:
        _save_fit_plot(plot, result)
    show(result.to_dict(), result.report(), as_json, quiet)


quad_app = typer.Typer(help="Quadrupolar central-transition MAS spectra: Czjzek sites (27Al …).",
                       no_args_is_help=True)


@quad_app.command("fit")
def quad_fit(
    spectrum: Path = typer.Argument(..., help=SPECTRUM_HELP),
    nucleus: str = option(QuadFitOptions, "nucleus"),
    mas_khz: float | None = option(QuadFitOptions, "mas_khz"),
    field_1h_mhz: float | None = option(QuadFitOptions, "field_1h_mhz"),
    sites: str = option(QuadFitOptions, "sites"),
    region: str | None = option(QuadFitOptions, "region"),
    cq_max_mhz: float = option(QuadFitOptions, "cq_max_mhz"),
    row: int | None = ROW_OPTION,
    cpmg: bool = CPMG_OPTION,
    echo_period_us: float | None = ECHO_PERIOD_OPTION,
    grpdly: float | None = GRPDLY_OPTION,
    plot: Path | None = PLOT_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Fit Czjzek sites (δiso, σ, fraction) to a central-transition MAS spectrum."""
    opts = build_options(QuadFitOptions, nucleus=nucleus, mas_khz=mas_khz,
                         field_1h_mhz=field_1h_mhz, sites=sites, region=region,
                         cq_max_mhz=cq_max_mhz, row=row, cpmg=cpmg,
                         echo_period_us=echo_period_us, grpdly=grpdly)
    check_plot_path(plot)
    result = opts.fit(opts.read(spectrum))
    if plot is not None:
        _save_fit_plot(plot, result)
    show(result.to_dict(), result.report(), as_json, quiet)


csa_app = typer.Typer(help="Chemical-shift anisotropy from MAS sideband manifolds (spin 1/2).",
                      no_args_is_help=True)


@csa_app.command("fit")
def csa_fit(
    spectrum: Path = typer.Argument(..., help=SPECTRUM_HELP),
    nucleus: str | None = option(CsaFitOptions, "nucleus"),
    mas_khz: float = option(CsaFitOptions, "mas_khz"),
    fix_mas: bool = option(CsaFitOptions, "fix_mas"),
    field_1h_mhz: float | None = option(CsaFitOptions, "field_1h_mhz"),
    sites: str | None = option(CsaFitOptions, "sites"),
    lineshape: str = option(CsaFitOptions, "lineshape"),
    region: str | None = option(CsaFitOptions, "region"),
    pass_data: bool = option(CsaFitOptions, "pass_data", "--pass"),
    row: int | None = ROW_OPTION,
    cpmg: bool = CPMG_OPTION,
    echo_period_us: float | None = ECHO_PERIOD_OPTION,
    grpdly: float | None = GRPDLY_OPTION,
    plot: Path | None = PLOT_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Fit δiso, ζ, η (Haeberlen; also Herzfeld–Berger Ω, κ and Mehring δ11–δ33) and site
    fractions to a spinning-sideband spectrum, or (with --pass) to PASS sideband intensities."""
    opts = build_options(CsaFitOptions, {"pass_data": "--pass"}, nucleus=nucleus,
                         mas_khz=mas_khz, fix_mas=fix_mas, field_1h_mhz=field_1h_mhz, sites=sites,
                         lineshape=lineshape, region=region,
                         pass_data=pass_data, row=row, cpmg=cpmg, echo_period_us=echo_period_us,
                         grpdly=grpdly)
    check_plot_path(plot)
    if opts.pass_data:
        from cald.io.spectrum_file import read_pass_table
        from cald.lineshape.pass_ import pass_isotropic_spectrum

        rows = read_pass_table(spectrum, opts.nucleus)
        fitted = opts.fit_pass(rows)
        if plot is not None:
            from cald.figures import save_figure, spectrum_figure
            from cald.nmr.processing import pick_peaks

            iso = pass_isotropic_spectrum(rows)
            save_figure(spectrum_figure(iso, pick_peaks(iso)), plot)
        show(fitted.to_dict(include_curves=False), fitted.report(), as_json, quiet)
        return
    result = opts.fit(opts.read(spectrum))
    if plot is not None:
        _save_fit_plot(plot, result)
    show(result.to_dict(include_curves=False), result.report(), as_json, quiet)


def register(app: typer.Typer) -> None:
    """Add the lineshape command groups to the root command."""
    app.add_typer(peaks_app, name="peaks")
    app.add_typer(quad_app, name="quad")
    app.add_typer(csa_app, name="csa")


__all__ = ["register"]
