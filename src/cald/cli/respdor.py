"""``cald respdor``: dephasing curves and their fits."""

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
    show,
)
from cald.cli.nmr import CPMG_OPTION, ECHO_PERIOD_OPTION, GRPDLY_OPTION
from cald.nmr.options import RespdorSeriesOptions
from cald.recoupling.options import RespdorCurveOptions, RespdorFitOptions

app = typer.Typer(help="REDOR/RESPDOR dephasing curves and fits (times in ms).",
                  no_args_is_help=True)


@app.command("curve")
def curve(
    t_ms: str = option(RespdorCurveOptions, "t_ms"),
    d_hz: float | None = option(RespdorCurveOptions, "d_hz"),
    r_angstrom: float | None = option(RespdorCurveOptions, "r_angstrom"),
    f: float = option(RespdorCurveOptions, "f"),
    spin: str | None = option(RespdorCurveOptions, "spin"),
    pair: str | None = option(RespdorCurveOptions, "pair"),
    kappa: float = option(RespdorCurveOptions, "kappa"),
    experiment: str = option(RespdorCurveOptions, "experiment"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Dephasing ΔS/S0 at the given times: RESPDOR f·g_I(κ D t) or REDOR f·[1 − R(κ D t)]."""
    opts = build_options(RespdorCurveOptions, t_ms=t_ms, d_hz=d_hz, r_angstrom=r_angstrom, f=f,
                         spin=spin, pair=pair, kappa=kappa, experiment=experiment)
    from cald.recoupling.redor import dephasing

    d_value = opts.coupling_hz()
    values = dephasing(np.asarray(opts.t_s), d_value, opts.f, opts.spin_value, opts.kappa,
                       opts.experiment)
    times_ms = opts.boundary_value("t_s")
    if as_json:
        emit_json({"t_ms": times_ms, "dS_S0": values.tolist(), "d_hz": d_value, "f": opts.f,
                   "spin": opts.spin_value, "kappa": opts.kappa, "experiment": opts.experiment})
        return
    console.print(f"{opts.experiment.upper()} I = {opts.spin_value:g}, D = {d_value:.4g} Hz, "
                  f"f = {opts.f:g}, κ = {opts.kappa:g}")
    for t, v in zip(times_ms, values, strict=True):
        console.print(f"  {t:8.4g} ms  {v:.6f}")


@app.command("fit")
def fit(
    file: Path = typer.Argument(..., help="CSV: t_ms with dS_S0 [+ sigma], or S0, S "
                                          "[+ S0_noise, S_noise]."),
    pair: str | None = option(RespdorFitOptions, "pair"),
    spin: str | None = option(RespdorFitOptions, "spin"),
    kappa: float = option(RespdorFitOptions, "kappa"),
    fix_f: float | None = option(RespdorFitOptions, "fix_f"),
    model: list[str] = option(RespdorFitOptions, "models", "--model", multiple=True,
                              help="Model(s) to fit: single, two_site, gaussian or all (repeat "
                                   "the option; single is always fitted)."),
    fit_distance: bool = option(RespdorFitOptions, "fit_distance"),
    bootstrap: int = option(RespdorFitOptions, "bootstrap"),
    seed: int = option(RespdorFitOptions, "seed"),
    experiment: str = option(RespdorFitOptions, "experiment"),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (.svg, .png, .pdf)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Fit D (and r) and f to a measured RESPDOR or REDOR dephasing curve, with uncertainties."""
    opts = build_options(RespdorFitOptions, {"models": "--model"}, pair=pair, spin=spin,
                         kappa=kappa, fix_f=fix_f, models=model, fit_distance=fit_distance,
                         bootstrap=bootstrap, seed=seed, experiment=experiment)
    check_plot_path(plot)
    from cald.recoupling.data import read_dephasing_csv

    result = opts.fit(read_dephasing_csv(str(file)))
    if plot is not None:
        from cald.figures import respdor_figure, save_figure

        save_figure(respdor_figure(result), plot)
    show(result.to_dict(), result.report(), as_json, quiet)


@app.command("extract")
def extract(
    source: Path = typer.Argument(..., help="Bruker pseudo-2D folder (ser with S0/S rows)."),
    region: str = option(RespdorSeriesOptions, "region"),
    out: Path = typer.Option(..., "--out", help="CSV to write (read by `cald respdor fit`)."),
    reference: Path | None = typer.Option(None, "--reference",
                                          help="Separate S0 experiment; SOURCE then holds S rows."),
    t_ms: str | None = option(RespdorSeriesOptions, "t_ms"),
    s_first: bool = option(RespdorSeriesOptions, "s_first"),
    auto_phase: str | None = option(RespdorSeriesOptions, "auto_phase"),
    cpmg: bool = CPMG_OPTION,
    echo_period_us: float | None = ECHO_PERIOD_OPTION,
    grpdly: float | None = GRPDLY_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Integrate a RESPDOR series into the S0/S curve CSV that `cald respdor fit` reads."""
    opts = build_options(RespdorSeriesOptions, region=region, t_ms=t_ms, s_first=s_first,
                         auto_phase=auto_phase, cpmg=cpmg, echo_period_us=echo_period_us,
                         grpdly=grpdly)
    from cald.io.table import write_table

    series = opts.read_series(source, reference)
    write_table(out, series.columns(), series.header())
    if as_json:
        emit_json({**series.to_dict(), "out": str(out)})
    elif not quiet:
        bounds = opts.region
        console.print(f"wrote {out}: {series.t_s.size} recoupling times, region "
                      f"{bounds[0]:g}:{bounds[1]:g} ppm, times from {series.times_from}")
