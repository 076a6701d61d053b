"""``cald nmr``: process spectra and measure DNP enhancements."""

from __future__ import annotations

from pathlib import Path

import numpy as np
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
from cald.errors import ParameterError
from cald.nmr.options import EnhancementOptions, ProcessOptions, SpectrumOptions

app = typer.Typer(help="NMR spectra: Bruker and Varian/Agilent folders, JCAMP-DX, CSV, SIMPSON.",
                  no_args_is_help=True)



#: Options of reading one spectrum, shared by every command that reads one (SpectrumOptions).
ROW_OPTION = option(SpectrumOptions, "row")
CPMG_OPTION = option(SpectrumOptions, "cpmg")
ECHO_PERIOD_OPTION = option(SpectrumOptions, "echo_period_us")
GRPDLY_OPTION = option(SpectrumOptions, "grpdly")


@app.command("process")
def process(
    source: Path = typer.Argument(..., help="Bruker or Varian/Agilent folder, JCAMP-DX, CSV or "
                                            "SIMPSON file."),
    out: Path | None = typer.Option(None, "--out", help="Write the spectrum as CSV (ppm, intensity, imag)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (.svg, .png, .pdf)."),
    compare: Path | None = typer.Option(None, "--compare",
                                        help="Draw this spectrum over the figure (needs --plot): "
                                             "a SIMPSON .spe/.fid (its frequencies placed at the "
                                             "measured carrier) or any spectrum source."),
    processed: bool = option(ProcessOptions, "processed"),
    lb_hz: float | None = option(ProcessOptions, "lb_hz"),
    size: int | None = option(ProcessOptions, "size"),
    phc0: float | None = option(ProcessOptions, "phc0"),
    phc1: float | None = option(ProcessOptions, "phc1"),
    auto_phase: str | None = option(ProcessOptions, "auto_phase"),
    baseline: str | None = option(ProcessOptions, "baseline"),
    shift_ppm: float = option(ProcessOptions, "shift_ppm"),
    min_snr: float = option(ProcessOptions, "min_snr"),
    row: int | None = ROW_OPTION,
    cpmg: bool = CPMG_OPTION,
    echo_period_us: float | None = ECHO_PERIOD_OPTION,
    grpdly: float | None = GRPDLY_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Process a spectrum and pick its peaks."""
    from cald.io.table import write_table
    from cald.nmr.processing import pick_peaks
    from cald.nmr.workflow import spectrum_summary

    opts = build_options(ProcessOptions, processed=processed, lb_hz=lb_hz, size=size, phc0=phc0,
                         phc1=phc1, auto_phase=auto_phase, baseline=baseline, shift_ppm=shift_ppm,
                         min_snr=min_snr, row=row, cpmg=cpmg, echo_period_us=echo_period_us, grpdly=grpdly)
    check_plot_path(plot)
    if compare is not None and plot is None:
        raise ParameterError("--compare draws on the figure: give --plot too")
    spec = opts.read(source)
    peaks = pick_peaks(spec, min_snr=opts.min_snr)
    if out is not None:
        write_table(out, {spec.unit: spec.axis, "intensity": np.real(spec.values),
                          "imag": np.imag(spec.values)},
                    [f"spectrum processed by cald from {spec.source}", *spec.history])
    if plot is not None:
        from cald.figures import save_figure, spectrum_figure
        from cald.nmr.reading import read_comparison

        overlay = None if compare is None else read_comparison(compare, spec)
        save_figure(spectrum_figure(spec, peaks, overlay=overlay), plot)
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
    on: Path = typer.Argument(..., help="Raw data folder acquired with microwaves on."),
    off: Path = typer.Argument(..., help="Raw data folder acquired with microwaves off."),
    region: str = option(EnhancementOptions, "region"),
    auto_phase: str | None = option(EnhancementOptions, "auto_phase"),
    grpdly: float | None = GRPDLY_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """DNP enhancement ε = I_on/I_off per scan and unit receiver gain, with its error."""
    opts = build_options(EnhancementOptions, region=region, auto_phase=auto_phase, grpdly=grpdly)
    result = opts.enhancement(opts.dataset(on), opts.dataset(off))
    bounds = opts.region
    if as_json:
        emit_json(result.to_dict())
    elif not quiet:
        console.print(f"ε = {result.enhancement:.4g} ± {result.enhancement_err:.2g} over "
                      f"{bounds[0]:g}:{bounds[1]:g} ppm")
