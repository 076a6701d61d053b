"""``cald ftir analyze``: carboxylate binding mode (Δ = ν_as − ν_s) and the Al–O–Al, O–H and CH2
band areas of an FTIR spectrum (CSV or JCAMP-DX, absorbance or transmittance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
from cald.io.ir import read_ir
from cald.surface.ftir_options import FtirOptions

__all__ = ["register"]

def _region(name: str) -> Any:
    """A region option ``A:B`` whose default (the model's) is shown in the help."""
    info = FtirOptions.model_fields[name]
    high, low = info.default
    return typer.Option(None, "--" + name.replace("_", "-"),
                        help=f"{info.description} Default {high:g}:{low:g}.")


ftir_app = typer.Typer(help="FTIR of carboxylate-capped nanocrystals.", no_args_is_help=True)


@ftir_app.command("analyze")
def analyze(
    path: Path = typer.Argument(..., help="FTIR spectrum: CSV (wavenumber_cm1 and absorbance or "
                                "transmittance) or JCAMP-DX."),
    ionic_delta_cm1: float | None = option(FtirOptions, "ionic_delta_cm1"),
    ionic_margin_cm1: float = option(FtirOptions, "ionic_margin_cm1"),
    chelating_max_cm1: float = option(FtirOptions, "chelating_max_cm1"),
    bridging_min_cm1: float = option(FtirOptions, "bridging_min_cm1"),
    monodentate_min_cm1: float = option(FtirOptions, "monodentate_min_cm1"),
    fit_region_cm1: str | None = _region("fit_region_cm1"),
    nu_as_window_cm1: str | None = _region("nu_as_window_cm1"),
    nu_s_window_cm1: str | None = _region("nu_s_window_cm1"),
    bridging_window_cm1: str | None = _region("bridging_window_cm1"),
    al_o_al_region_cm1: str | None = _region("al_o_al_region_cm1"),
    o_h_region_cm1: str | None = _region("o_h_region_cm1"),
    ch2_region_cm1: str | None = _region("ch2_region_cm1"),
    shape: str = option(FtirOptions, "shape"),
    lam_1cm: float = option(FtirOptions, "lam_1cm"),
    bic_threshold: float = option(FtirOptions, "bic_threshold"),
    plot: Path | None = typer.Option(None, "--plot", help="Figure (.svg, .png, .pdf)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """ν_as, ν_s, Δ and the binding mode of the carboxylates, a bridging shoulder when the data
    need one, and the Al–O–Al and O–H band areas per CH2-stretch area."""
    opts = build_options(FtirOptions, ionic_delta_cm1=ionic_delta_cm1,
                         ionic_margin_cm1=ionic_margin_cm1, chelating_max_cm1=chelating_max_cm1,
                         bridging_min_cm1=bridging_min_cm1, monodentate_min_cm1=monodentate_min_cm1,
                         fit_region_cm1=fit_region_cm1, nu_as_window_cm1=nu_as_window_cm1,
                         nu_s_window_cm1=nu_s_window_cm1, bridging_window_cm1=bridging_window_cm1,
                         al_o_al_region_cm1=al_o_al_region_cm1, o_h_region_cm1=o_h_region_cm1,
                         ch2_region_cm1=ch2_region_cm1, shape=shape, lam_1cm=lam_1cm,
                         bic_threshold=bic_threshold)
    check_plot_path(plot)
    spectrum = read_ir(path)
    result = opts.analyze(spectrum)
    if plot is not None:
        from cald.figures import ftir_figure, save_figure

        save_figure(ftir_figure(result), plot)
    if as_json:
        emit_json({**result.to_dict(), "history": list(spectrum.history)})
    elif not quiet:
        console.print(result.report())
        for step in spectrum.history[1:]:
            console.print(f"note: {step}")


def register(app: typer.Typer) -> None:
    """Add ``cald ftir`` to the root command."""
    app.add_typer(ftir_app, name="ftir")
