"""``cald model analyze``: what an atomistic model predicts for NMR (pairs, binding modes, Al
coordination, RESPDOR curves); :func:`register_analyze` adds it to the ``model`` group."""

from __future__ import annotations

from pathlib import Path

import typer

from cald.atomistic.analyze_options import ModelAnalyzeOptions
from cald.cli.common import JSON_OPTION, QUIET_OPTION, build_options, check_plot_path, option, show

__all__ = ["analyze", "register_analyze"]


def analyze(
    file: Path = typer.Argument(..., help="Structure: xyz, extxyz or CIF (last frame)."),
    pair: str = option(ModelAnalyzeOptions, "pair"),
    cutoff_angstrom: float = option(ModelAnalyzeOptions, "cutoff_angstrom"),
    cd_o_max_angstrom: float = option(ModelAnalyzeOptions, "cd_o_max_angstrom"),
    al_o_max_angstrom: float = option(ModelAnalyzeOptions, "al_o_max_angstrom"),
    kappa: float = option(ModelAnalyzeOptions, "kappa"),
    t_max_ms: float = option(ModelAnalyzeOptions, "t_max_ms"),
    plot: Path | None = typer.Option(None, "--plot", help="Figure of the predicted curves "
                                                          "(.svg, .png, .pdf)."),
    curve: Path | None = typer.Option(None, "--curve", help="Measured dephasing CSV (t_ms, "
                                                            "dS_S0 [, sigma]) drawn on --plot."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """S–I pairs with r and D, carboxylate binding modes, Al coordination and the RESPDOR curve
    each observed site of a model would show."""
    opts = build_options(ModelAnalyzeOptions, pair=pair, cutoff_angstrom=cutoff_angstrom,
                         cd_o_max_angstrom=cd_o_max_angstrom, al_o_max_angstrom=al_o_max_angstrom,
                         kappa=kappa, t_max_ms=t_max_ms)
    check_plot_path(plot)
    from cald.atomistic.analyze import analyze_model
    from cald.io.structure import read_structure
    from cald.recoupling.data import read_dephasing_csv

    measured = None if curve is None else read_dephasing_csv(str(curve))
    result = analyze_model(read_structure(file), opts, str(file))
    if plot is not None:
        from cald.figures import model_curves_figure, save_figure

        save_figure(model_curves_figure(result.to_dict(), measured), plot)
    show(result.to_dict(), result.report(), as_json, quiet)


def register_analyze(model_app: typer.Typer) -> None:
    """Add ``analyze`` to the ``cald model`` group."""
    model_app.command("analyze")(analyze)
