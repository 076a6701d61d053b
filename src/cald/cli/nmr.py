"""``cald nmr``: process spectra and measure DNP enhancements."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

from cald.cli.common import (
    JSON_OPTION,
    QUIET_OPTION,
    check_auto_phase,
    console,
    emit_json,
    finite,
    parse_region,
)
from cald.errors import ParameterError

app = typer.Typer(help="NMR spectra: Bruker folders, JCAMP-DX, CSV.", no_args_is_help=True)

PLOT_SUFFIXES = (".svg", ".png", ".pdf")


def check_plot_path(plot: Path | None) -> None:
    """Refuse a figure name whose format is unknown before any work starts."""
    if plot is not None and plot.suffix.lower() not in PLOT_SUFFIXES:
        raise ParameterError(f"--plot {plot}: file must end in .svg, .png or .pdf")


@app.command("process")
def process(
    source: Path = typer.Argument(..., help="Bruker experiment folder, JCAMP-DX file or CSV."),
    out: Path | None = typer.Option(None, "--out", help="Write the spectrum as CSV (ppm, intensity, imag)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (.svg, .png, .pdf)."),
    processed: bool = typer.Option(False, "--processed", help="Use TopSpin's pdata/1/1r as it is."),
    lb_hz: float | None = typer.Option(None, "--lb-hz", callback=finite,
                                       help="Exponential line broadening (Hz); default: stored LB."),
    size: int | None = typer.Option(None, "--size", help="Zero fill to this many points; default SI."),
    phc0: float | None = typer.Option(None, "--phc0", callback=finite, help="Zero-order phase (°)."),
    phc1: float | None = typer.Option(None, "--phc1", callback=finite, help="First-order phase (°)."),
    auto_phase: str | None = typer.Option(None, "--auto-phase", help="acme or negative."),
    baseline: str | None = typer.Option(None, "--baseline", help="pybaselines method, e.g. asls."),
    shift_ppm: float = typer.Option(0.0, "--shift-ppm", callback=finite,
                                    help="Move the axis by this many ppm (referencing)."),
    min_snr: float = typer.Option(5.0, "--min-snr", callback=finite, help="Peak-picking threshold."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Process a spectrum and pick its peaks."""
    from cald.io.table import write_table
    from cald.nmr.processing import pick_peaks
    from cald.nmr.workflow import spectrum_summary
    from cald.reading import read

    check_plot_path(plot)
    if size is not None and size < 8:
        raise ParameterError(f"--size must be at least 8 points, got {size}")
    check_auto_phase(auto_phase)
    spec = read(source, processed=processed, lb_hz=lb_hz, size=size, p0_deg=phc0, p1_deg=phc1,
                auto_phase=auto_phase, baseline=baseline, shift_ppm=shift_ppm)
    peaks = pick_peaks(spec, min_snr=min_snr)
    if out is not None:
        write_table(out, {spec.unit: spec.axis, "intensity": np.real(spec.values),
                          "imag": np.imag(spec.values)},
                    [f"spectrum processed by cald from {spec.source}", *spec.history])
    if plot is not None:
        from cald.project.report.figures import save_figure, spectrum_figure

        save_figure(spectrum_figure(spec, peaks), plot)
    result = spectrum_summary(spec, peaks)
    if as_json:
        emit_json(result)
    elif not quiet:
        console.print(f"{spec.nucleus or ''} spectrum from {spec.source}: {spec.n_points} points, "
                      f"SF {spec.sf_mhz} MHz")
        for p in peaks[:20]:
            console.print(f"  {p.ppm:10.4f} {spec.unit}  height {p.height:.4g}")


@app.command("enhancement")
def enhancement(
    on: Path = typer.Argument(..., help="Bruker folder acquired with microwaves on."),
    off: Path = typer.Argument(..., help="Bruker folder acquired with microwaves off."),
    region: str = typer.Option(..., "--region", help="Integration region A:B (ppm)."),
    auto_phase: str | None = typer.Option(None, "--auto-phase", help="acme or negative."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """DNP enhancement ε = I_on/I_off per scan and unit receiver gain, with its error."""
    from cald.io.bruker import read_bruker
    from cald.nmr.dnp import dnp_enhancement

    bounds = parse_region(region)
    check_auto_phase(auto_phase)
    result = dnp_enhancement(read_bruker(on), read_bruker(off), bounds, auto_phase)
    if as_json:
        emit_json(result.to_dict())
    elif not quiet:
        console.print(f"ε = {result.enhancement:.4g} ± {result.enhancement_err:.2g} over "
                      f"{bounds[0]:g}:{bounds[1]:g} ppm")
