"""``cald xps read``: the regions of a VAMAS file (or ``binding_energy_ev,counts`` CSV) with the
CasaXPS regions and components stored in it; ``cald xps fit``: one region fitted with a preset
(or refitted with CasaXPS's own model, ``--casa-model``), optionally charge-corrected from C 1s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
)
from cald.errors import ParameterError
from cald.io.vamas import VamasFile, block_summary, read_xps
from cald.surface.options import XpsFitOptions, block_spectrum, find_block

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


_FLAGS = {"preset": "--region", "region_ev": "--window"}


def _charge_reference(ref: str, vamas: VamasFile, opts: XpsFitOptions) -> tuple[Any, dict[str, Any]]:
    """The charge shift (Estimate) and its provenance from ``--charge-ref``: a file (its C 1s
    block) or a block of the same file."""
    ref_path = Path(ref)
    if ref_path.is_file():
        ref_file, name = read_xps(ref_path), "C 1s"
    else:
        ref_file, name = vamas, ref
    c1s_opts = opts.model_copy(update={"preset": "C 1s", "region_ev": None, "background": None,
                                       "background_params": None, "components": None,
                                       "block": None})
    block, notes = find_block(ref_file.blocks, "C 1s", None if name == "C 1s" else name,
                              str(ref_file.path), "--charge-ref")
    c1s = c1s_opts.fit_block(block, str(ref_file.path))
    shift = opts.charge_shift(c1s)
    return shift, {"file": str(ref_file.path), "block": block.index + 1,
                   "component": opts.charge_component, "reference_ev": opts.charge_reference_ev,
                   "fitted_be_ev": c1s.component(opts.charge_component).be_ev.value,
                   "notes": notes}


def _casa_fit(vamas: VamasFile, region: str, block_name: str | None
              ) -> tuple[dict[str, Any], str, Any]:
    from cald.surface.casa import casa_model_from_block, fit_casa_model

    with_model = [b for b in vamas.blocks if b.casa_components] or list(vamas.blocks)
    try:  # blocks with a CasaXPS model first: a file often holds the same region unfitted too
        block, notes = find_block(with_model, region, block_name, str(vamas.path))
    except ParameterError:
        block, notes = find_block(vamas.blocks, region, block_name, str(vamas.path))
    model = casa_model_from_block(block, region, str(vamas.path))
    be, cps, acquisition_s = block_spectrum(block, str(vamas.path))
    try:
        cmp = fit_casa_model(be, cps, model, "cps", acquisition_s, str(vamas.path))
    except ParameterError as exc:  # e.g. an unknown line shape: name the file and block
        raise ParameterError(f"block {block.index + 1} ({block.label}): {exc.detail}",
                             vamas.path) from None
    out = {"file": str(vamas.path), "block": block.index + 1, "block_name": block.label,
           "region": model.region.name, "casa_background": model.region.background,
           **cmp.result.to_dict(), "charge_shift_ev": None,
           "casa_comparison": list(cmp.rows), "max_abs_d_be_ev": cmp.max_abs_d_be_ev,
           "table_s1": cmp.result.table_s1()}
    out["notes"] = [*notes, *out["notes"]]
    lines = [f"{vamas.path.name} block {block.index + 1} ({block.label}): CasaXPS model "
             f"{model.region.name}, {model.region.background} background",
             f"  {'component':<26} {'BE CasaXPS':>10} {'cald':>9} {'Δ':>7}  {'FWHM Casa':>9} "
             f"{'cald':>6} {'Δ':>6}  {'area% Casa':>10} {'cald':>6} {'Δ':>6}"]
    for r in cmp.rows:
        lines.append(f"  {r['name'][:26]:<26} {r['casa_be_ev']:>10.3f} {r['cald_be_ev']:>9.3f} "
                     f"{r['d_be_ev']:>+7.3f}  {r['casa_fwhm_ev']:>9.3f} {r['cald_fwhm_ev']:>6.3f} "
                     f"{r['d_fwhm_ev']:>+6.3f}  {r['casa_area_pct']:>10.1f} "
                     f"{r['cald_area_pct']:>6.1f} {r['d_area_pct']:>+6.1f}")
    lines.append(cmp.result.report())
    return out, "\n".join(lines), cmp.result


@xps_app.command("fit")
def fit(
    path: Path = typer.Argument(..., help="VAMAS file (or CSV binding_energy_ev,counts)."),
    region: str = typer.Option(..., "--region", help="Region preset (Cd 3d, Se 3d, O 1s, Al 2s, "
                               "Al 2p, C 1s) or, with --casa-model, the CasaXPS region's name."),
    block: str | None = option(XpsFitOptions, "block"),
    casa_model: bool = typer.Option(False, "--casa-model", help="Refit with the background, line "
                                    "shapes and constraints CasaXPS stored in the block and show "
                                    "cald's values beside CasaXPS's."),
    charge_ref: str | None = typer.Option(None, "--charge-ref", help="C 1s reference: a block of "
                                          "this file (e.g. 'C 1s') or another file (its C 1s "
                                          "block); the C–C shift to 284.8 eV is applied."),
    window: str | None = option(XpsFitOptions, "region_ev", "--window"),
    background: str | None = option(XpsFitOptions, "background"),
    background_params: str | None = option(XpsFitOptions, "background_params"),
    n_average: int = option(XpsFitOptions, "n_average"),
    plot: Path | None = PLOT_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Fit one region: components with BE, FWHM, area and % area (errors from counting
    statistics), Table S1 rows, fit statistics and, with --charge-ref, the charge shift."""
    check_plot_path(plot)
    vamas = read_xps(path)
    if casa_model:
        if charge_ref is not None:
            raise ParameterError("--casa-model compares in CasaXPS's own (calibrated) frame; "
                                 "leave out --charge-ref")
        given = [f for f, v in (("--window", window), ("--background", background),
                                ("--background-params", background_params)) if v is not None]
        if given:
            raise ParameterError(f"--casa-model uses CasaXPS's own region and background; leave "
                                 f"out {', '.join(given)}")
        out, text, result = _casa_fit(vamas, region, block)
    else:
        opts = build_options(XpsFitOptions, _FLAGS, preset=region, block=block, region_ev=window,
                             background=background, background_params=background_params,
                             n_average=n_average)
        blk, notes = find_block(vamas.blocks, opts.region_preset().name, opts.block,
                                str(vamas.path))
        shift, reference = (None, None) if charge_ref is None else _charge_reference(
            charge_ref, vamas, opts)
        result = opts.fit_block(blk, str(vamas.path), shift)
        out = {"file": str(vamas.path), "block": blk.index + 1, "block_name": blk.label,
               "region": opts.region_preset().name, **result.to_dict(),
               "charge_shift_ev": None if shift is None else shift.value,
               "charge_shift_ev_err": None if shift is None else shift.stderr,
               "charge_reference": reference, "table_s1": result.table_s1()}
        out["notes"] = [*notes, *out["notes"]]
        text = (f"{vamas.path.name} block {blk.index + 1} ({blk.label}), preset "
                f"{out['region']}\n{result.report()}")
    if plot is not None:
        from cald.figures import save_figure, xps_regions_figure

        save_figure(xps_regions_figure([(str(out["region"]), result)]), plot)
    if as_json:
        emit_json(out)
    elif not quiet:
        console.print(text, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``cald xps`` to the root command."""
    app.add_typer(xps_app, name="xps")
