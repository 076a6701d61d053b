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
from cald.errors import ParameterError
from cald.nmr.options import RespdorSeriesOptions
from cald.recoupling.options import RespdorCurveOptions, RespdorFitOptions, RespdorSimulateOptions

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
    simulate: bool = option(RespdorFitOptions, "simulate"),
    mas_khz: float | None = option(RespdorFitOptions, "mas_khz"),
    recoupling: str = option(RespdorFitOptions, "recoupling"),
    sat_pulse_us: float = option(RespdorFitOptions, "sat_pulse_us"),
    sat_rf_khz: float = option(RespdorFitOptions, "sat_rf_khz"),
    sat_offset_khz: float = option(RespdorFitOptions, "sat_offset_khz"),
    s_rf_khz: float = option(RespdorFitOptions, "s_rf_khz"),
    cq_mhz: float = option(RespdorFitOptions, "cq_mhz"),
    eta: float = option(RespdorFitOptions, "eta"),
    cq_sigma_mhz: float | None = option(RespdorFitOptions, "cq_sigma_mhz"),
    cq_from: Path | None = option(RespdorFitOptions, "cq_from"),
    cq_nodes: int = option(RespdorFitOptions, "cq_nodes"),
    field_1h_mhz: float | None = option(RespdorFitOptions, "field_1h_mhz"),
    crystallites: int = option(RespdorFitOptions, "crystallites"),
    rotor_phases: int = option(RespdorFitOptions, "rotor_phases"),
    crystallite_set: str = option(RespdorFitOptions, "crystallite_set"),
    steps_per_period: int = option(RespdorFitOptions, "steps_per_period"),
    convergence: bool = option(RespdorFitOptions, "convergence"),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (.svg, .png, .pdf)."),
    compare: Path | None = typer.Option(None, "--compare",
                                        help="Draw a simulated curve on the figure (needs --plot): "
                                             "a SIMPSON FID (t = k/SW, ΔS/S0) or a CSV (t_ms with "
                                             "dS_S0, or S0 and S)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Fit D (and r) and f to a measured RESPDOR or REDOR dephasing curve, with uncertainties;
    with --simulate also the fraction bound f_bound and D corrected for the simulated saturation
    pulse (JSON key ``saturation``)."""
    opts = build_options(RespdorFitOptions, {"models": "--model"}, pair=pair, spin=spin,
                         kappa=kappa, fix_f=fix_f, models=model, fit_distance=fit_distance,
                         bootstrap=bootstrap, seed=seed, experiment=experiment,
                         simulate=simulate, mas_khz=mas_khz, recoupling=recoupling,
                         sat_pulse_us=sat_pulse_us, sat_rf_khz=sat_rf_khz,
                         sat_offset_khz=sat_offset_khz, s_rf_khz=s_rf_khz, cq_mhz=cq_mhz, eta=eta,
                         cq_sigma_mhz=cq_sigma_mhz,
                         cq_from=None if cq_from is None else str(cq_from), cq_nodes=cq_nodes,
                         field_1h_mhz=field_1h_mhz,
                         crystallites=crystallites, rotor_phases=rotor_phases,
                         crystallite_set=crystallite_set, steps_per_period=steps_per_period,
                         convergence=convergence)
    check_plot_path(plot)
    if compare is not None and plot is None:
        raise ParameterError("--compare draws on the figure: give --plot too")
    from cald.recoupling.data import read_dephasing_csv, read_simulated_curve

    data = read_dephasing_csv(str(file))
    other = None if compare is None else read_simulated_curve(str(compare))
    result = opts.fit(data)
    corrected = opts.correct(data, result) if opts.simulate else None
    if plot is not None:
        from cald.figures import respdor_figure, save_figure

        shown = None if other is None else (compare.name, other.t_s, other.ds_s0)
        fig = (respdor_figure(result, compare=shown) if corrected is None else
               respdor_figure(result, corrected=corrected.corrected,
                              simulated=corrected.scaled_simulation(), compare=shown))
        save_figure(fig, plot)
    if corrected is None:
        show(result.to_dict(), result.report(), as_json, quiet)
    else:
        show(corrected.to_dict(), corrected.report(), as_json, quiet)


@app.command("extract")
def extract(
    source: Path = typer.Argument(..., help="Raw series: Bruker pseudo-2D folder (ser with S0/S "
                                            "rows) or Varian/Agilent array."),
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


S = RespdorSimulateOptions


@app.command("simulate")
def simulate(
    pair: str = option(S, "pair"),
    t_ms: str = option(S, "t_ms"),
    mas_khz: float = option(S, "mas_khz"),
    r_angstrom: float | None = option(S, "r_angstrom"),
    geometry: Path | None = option(S, "geometry"),
    max_spins: int = option(S, "max_spins"),
    cutoff_angstrom: float = option(S, "cutoff_angstrom"),
    recoupling: str = option(S, "recoupling"),
    ideal: bool = option(S, "ideal"),
    sat_pulse_us: float = option(S, "sat_pulse_us"),
    sat_rf_khz: float = option(S, "sat_rf_khz"),
    sat_offset_khz: float = option(S, "sat_offset_khz"),
    s_rf_khz: float = option(S, "s_rf_khz"),
    cq_mhz: float = option(S, "cq_mhz"),
    eta: float = option(S, "eta"),
    field_1h_mhz: float | None = option(S, "field_1h_mhz"),
    crystallites: int = option(S, "crystallites"),
    rotor_phases: int = option(S, "rotor_phases"),
    crystallite_set: str = option(S, "crystallite_set"),
    steps_per_period: int = option(S, "steps_per_period"),
    convergence: bool = option(S, "convergence"),
    simpson_input: Path | None = typer.Option(
        None, "--simpson-input", help="Write a SIMPSON input file for these spins and this "
                                      "sequence instead of simulating (its main writes "
                                      "<name>.csv with t_ms, S0, S, dS_S0)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Numerical RESPDOR/REDOR curve: finite pulses, a real saturation pulse, several I spins;
    or the SIMPSON input file for the same (--simpson-input)."""
    opts = build_options(S, pair=pair, t_ms=t_ms, mas_khz=mas_khz, r_angstrom=r_angstrom,
                         geometry=None if geometry is None else str(geometry),
                         max_spins=max_spins, cutoff_angstrom=cutoff_angstrom,
                         recoupling=recoupling, ideal=ideal, sat_pulse_us=sat_pulse_us,
                         sat_rf_khz=sat_rf_khz, sat_offset_khz=sat_offset_khz, s_rf_khz=s_rf_khz,
                         cq_mhz=cq_mhz, eta=eta, field_1h_mhz=field_1h_mhz,
                         crystallites=crystallites, rotor_phases=rotor_phases,
                         crystallite_set=crystallite_set, steps_per_period=steps_per_period,
                         convergence=convergence)
    spins, distances = opts.spins()
    if simpson_input is not None:
        from cald.io.atomic import atomic_write_text

        atomic_write_text(simpson_input, opts.simpson_input(simpson_input.stem))
        show({"simpson_input": str(simpson_input), "pair": opts.pair, "r_angstrom": distances,
              "d_hz": [sp.d_hz for sp in spins]},
             f"wrote {simpson_input}: {opts.pair}, {len(spins)} I spin(s), D = "
             + ", ".join(f"{sp.d_hz:.4g} Hz" for sp in spins), as_json, quiet)
        return
    curve = opts.simulate()
    data = {**curve.to_dict(), "pair": opts.pair, "r_angstrom": distances,
            "d_hz": [sp.d_hz for sp in spins]}
    eff = curve.saturation_efficiency
    lines = [f"{opts.pair} {opts.recoupling.upper()}-RESPDOR, {len(spins)} I spin(s) at "
             + ", ".join(f"{r:.3g} Å (D = {sp.d_hz:.4g} Hz)" for r, sp in
                         zip(distances, spins, strict=True))
             + f"; {curve.n_crystallites} crystallites"
             + ("" if eff is None else f"; saturation efficiency {eff[0]:.3f}")
             + ("" if curve.convergence is None else f"; convergence {curve.convergence:.2g}")]
    lines += [f"  {t * 1e3:8.4g} ms  S0 {s0:.4f}  S {s:.4f}  ΔS/S0 {d:.4f}"
              for t, s0, s, d in zip(curve.t_s, curve.s0, curve.s, curve.ds_s0, strict=True)]
    show(data, "\n".join(lines), as_json, quiet)
