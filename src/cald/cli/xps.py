"""``cald xps read``: the regions of a VAMAS file (or ``binding_energy_ev,counts`` CSV) with the
CasaXPS regions and components stored in it."""

from __future__ import annotations

from pathlib import Path

import typer

from cald.cli.common import JSON_OPTION, QUIET_OPTION, console, emit_json
from cald.io.vamas import block_summary, read_xps

__all__ = ["register"]

xps_app = typer.Typer(help="X-ray photoelectron spectra (VAMAS, CSV).", no_args_is_help=True)


def _fmt(value: object, spec: str = ".2f") -> str:
    return "—" if value is None else format(value, spec)


@xps_app.command("read")
def read(
    path: Path = typer.Argument(..., help="VAMAS file (any name, e.g. .vms, .npl) or a CSV "
                                          "table binding_energy_ev,counts."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """List the regions (blocks): points, binding-energy range, source, dwell and scans, and
    the CasaXPS regions and components stored in the file."""
    vamas = read_xps(path)
    regions = [block_summary(b) for b in vamas.blocks]
    if as_json:
        emit_json({"file": str(vamas.path), "instrument": vamas.instrument,
                   "experiment_mode": vamas.experiment_mode, "scan_mode": vamas.scan_mode,
                   "casa_version": vamas.casa_version, "regions": regions})
        return
    if quiet:
        return
    console.print(f"{vamas.path.name}: {len(regions)} regions, {vamas.scan_mode}"
                  + (f", instrument {vamas.instrument}" if vamas.instrument else "")
                  + (f", CasaXPS {vamas.casa_version}" if vamas.casa_version else ""))
    console.print(f"{'#':>3}  {'region':<18} {'sample':<16} {'points':>6}  {'BE range (eV)':<17}"
                  f" {'hν (eV)':>8} {'dwell s':>8} {'scans':>5}  ordinate")
    for r in regions:
        be = f"{_fmt(r['be_min_ev'])}–{_fmt(r['be_max_ev'])}"
        console.print(f"{r['index'] + 1:>3}  {str(r['name'])[:18]:<18} "
                      f"{str(r['sample_id'])[:16]:<16} {r['n_points']:>6}  {be:<17} "
                      f"{r['source_energy_ev']:>8.2f} {r['dwell_s']:>8.3g} {r['scans']:>5}  "
                      f"{r['ordinate']}")
        shift = r["calibration_shift_ev"]
        for reg in r["casa_regions"]:
            console.print(f"     CasaXPS region {reg['name']}: {reg['background']} background, "
                          f"BE {reg['be_min_ev']:.2f}–{reg['be_max_ev']:.2f} eV"
                          + (f" (calibration {shift:+.2f} eV)" if shift else ""))
        for c in r["casa_components"]:
            ties = ", ".join(f"{t['parameter']}→{t['component'] + 1}" for t in c["ties"])
            console.print(f"     {c['name'][:24]:<24} {c['lineshape']:<20} BE {c['be_ev']:8.2f}"
                          f" (CasaXPS {c['casa_be_ev']:.2f}) FWHM {c['fwhm_ev']:.2f}"
                          f" area {c['area']:.4g}" + (f"  tied: {ties}" if ties else ""))
        for note in r["notes"]:
            console.print(f"     note: {note}")


def register(app: typer.Typer) -> None:
    """Add ``cald xps`` to the root command."""
    app.add_typer(xps_app, name="xps")
