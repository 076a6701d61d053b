"""``cald simpson``: read SIMPSON output (the input files are written by ``cald respdor
simulate --simpson-input``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

from cald.cli.common import JSON_OPTION, QUIET_OPTION, check_plot_path, show

app = typer.Typer(help="SIMPSON interop: read its .fid/.spe output (text or binary).",
                  no_args_is_help=True)


@app.command("read")
def read(
    file: Path = typer.Argument(..., help="SIMPSON fsave file (.fid or .spe, text or binary)."),
    nucleus: str | None = typer.Option(None, "--nucleus", help="Observed isotope, e.g. 13C."),
    field_1h_mhz: float | None = typer.Option(None, "--field-1h-mhz",
                                              help="Simulated 1H frequency (MHz): with "
                                                   "--nucleus, a ppm axis (from the carrier)."),
    out: Path | None = typer.Option(None, "--out", help="Write axis, intensity, imag as CSV."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (.svg, .png, .pdf)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Read a SIMPSON file: its header, axis and (for a spectrum) its tallest lines."""
    from cald.errors import ParameterError
    from cald.io.simpson import read_simpson
    from cald.nuclei import get_isotope, larmor_mhz

    check_plot_path(plot)
    if field_1h_mhz is not None and nucleus is None:
        raise ParameterError("--field-1h-mhz needs --nucleus")
    sf = None if field_1h_mhz is None or nucleus is None else larmor_mhz(get_isotope(nucleus),
                                                                          field_1h_mhz)
    spec = read_simpson(file, sf_mhz=sf, nucleus=nucleus)
    peaks = []
    if not spec.is_time_domain:
        from cald.nmr.processing import pick_peaks

        peaks = pick_peaks(spec, min_snr=10.0, max_peaks=10)
    if out is not None:
        from cald.io.table import write_table

        write_table(out, {spec.unit: spec.axis, "intensity": np.real(spec.values),
                          "imag": np.imag(spec.values)}, [f"read by cald from {spec.source}"])
    if plot is not None:
        from cald.figures import save_figure, spectrum_figure

        save_figure(spectrum_figure(spec, peaks), plot)
    data = {"type": spec.meta["type"], "np": spec.meta["np"], "sw_hz": spec.meta["sw_hz"],
            "unit": spec.unit, "axis_first": float(spec.axis[0]),
            "axis_last": float(spec.axis[-1]), "peaks": [p.to_dict() for p in peaks],
            "source": spec.source}
    lines = [f"SIMPSON {spec.meta['type']}: {spec.meta['np']} points, SW {spec.meta['sw_hz']:g} "
             f"Hz, axis {spec.axis[0]:g} … {spec.axis[-1]:g} {spec.unit}"]
    lines += [f"  {p.ppm:10.4f} {spec.unit}  height {p.height:.4g}" for p in peaks]
    show(data, "\n".join(lines), as_json, quiet)
