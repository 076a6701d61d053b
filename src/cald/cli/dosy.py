"""``cald dosy fit``: diffusion coefficient and hydrodynamic diameter from a DOSY series or CSV."""

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
from cald.qd.options import DosyFitOptions

__all__ = ["register"]

dosy_app = typer.Typer(help="DOSY of quantum-dot solutions.", no_args_is_help=True)


@dosy_app.command("fit")
def fit(
    path: Path = typer.Argument(..., help="Bruker DOSY experiment folder (ser, difflist, "
                                          "pulseprogram) or CSV with gradient_T_m,intensity[,noise]."),
    region: str | None = option(DosyFitOptions, "region"),
    model: str = option(DosyFitOptions, "model"),
    solvent: str | None = option(DosyFitOptions, "solvent"),
    temperature_k: float | None = option(DosyFitOptions, "temperature_k"),
    viscosity_mpa_s: float | None = option(DosyFitOptions, "viscosity_mpa_s"),
    little_delta_ms: float | None = option(DosyFitOptions, "little_delta_ms"),
    big_delta_ms: float | None = option(DosyFitOptions, "big_delta_ms"),
    tau_ms: float = option(DosyFitOptions, "tau_ms"),
    nucleus: str = option(DosyFitOptions, "nucleus"),
    plot: Path | None = PLOT_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """D (mono- or bi-exponential Stejskal–Tanner fit) and the Stokes–Einstein d_H."""
    from cald.qd.dosy_data import read_dosy

    opts = build_options(DosyFitOptions, region=region, model=model, solvent=solvent,
                         temperature_k=temperature_k, viscosity_mpa_s=viscosity_mpa_s,
                         little_delta_ms=little_delta_ms, big_delta_ms=big_delta_ms,
                         tau_ms=tau_ms, nucleus=nucleus)
    check_plot_path(plot)
    result = opts.fit(read_dosy(path, opts.region, opts.timing))
    out = result.to_dict()
    if plot is not None:
        from cald.figures import dosy_figure, save_figure

        save_figure(dosy_figure(out), plot)
    show(out, result.report(), as_json, quiet)


def register(app: typer.Typer) -> None:
    """Add ``cald dosy`` to the root command."""
    app.add_typer(dosy_app, name="dosy")
