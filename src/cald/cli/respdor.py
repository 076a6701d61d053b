"""``cald respdor``: dephasing curves and their fits."""

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
    parse_float_list,
    parse_region,
)
from cald.cli.nmr import check_plot_path
from cald.errors import ParameterError
from cald.nuclei import Isotope, dipolar_coupling_hz, parse_pair, parse_spin
from cald.recoupling import MODELS

app = typer.Typer(help="REDOR/RESPDOR dephasing curves and fits (times in ms).",
                  no_args_is_help=True)

PAIR_HELP = "Observed-dephasing pair, e.g. 13C-27Al (sets I from the dephasing nucleus)."
SPIN_HELP = "Spin I of the saturated nucleus, 5/2 or 2.5 (overrides the pair's)."
KAPPA_HELP = "Recoupling scaling factor κ, λ = κ·D·t (1 for π-pulse REDOR)."
EXPERIMENT_HELP = ("respdor (saturation of the dephasing spin, plateau f·2I/(2I+1)) or redor "
                   "(π pulses invert a spin-1/2 partner, plateau f).")
EXPERIMENT_OPTION = typer.Option("respdor", "--experiment", help=EXPERIMENT_HELP)


def _spin_and_pair(pair: str | None, spin: str | None) -> tuple[float, tuple[Isotope, Isotope] | None]:
    isotopes = None if pair is None else parse_pair(pair)
    if spin is not None:
        return parse_spin(spin), isotopes
    if isotopes is None:
        raise ParameterError("give --pair (e.g. 13C-27Al) or --spin")
    return isotopes[1].spin, isotopes


def _check_kappa(kappa: float) -> None:
    if not kappa > 0:
        raise ParameterError(f"--kappa must be positive, got {kappa}")


@app.command("curve")
def curve(
    t_ms: str = typer.Option(..., "--t-ms", help="Recoupling times (ms), comma-separated."),
    d_hz: float | None = typer.Option(None, "--d-hz", help="Dipolar coupling D (Hz).", callback=finite),
    r_angstrom: float | None = typer.Option(None, "--r-angstrom",
                                            help="Distance (Å), needs --pair.", callback=finite),
    f: float = typer.Option(1.0, "--f", help="Dephased fraction f, 0 ≤ f ≤ 1.", callback=finite),
    spin: str | None = typer.Option(None, "--spin", help=SPIN_HELP),
    pair: str | None = typer.Option(None, "--pair", help=PAIR_HELP),
    kappa: float = typer.Option(1.0, "--kappa", help=KAPPA_HELP, callback=finite),
    experiment: str = EXPERIMENT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Dephasing ΔS/S0 at the given times: RESPDOR f·g_I(κ D t) or REDOR f·[1 − R(κ D t)]."""
    from cald.recoupling.redor import check_experiment, dephasing

    spin_value, isotopes = _spin_and_pair(pair, spin)
    _check_kappa(kappa)
    check_experiment(experiment, spin_value)
    if not 0.0 <= f <= 1.0:
        raise ParameterError(f"--f must be within [0, 1], got {f}")
    if (d_hz is None) == (r_angstrom is None):
        raise ParameterError("give exactly one of --d-hz and --r-angstrom")
    if r_angstrom is not None:
        if isotopes is None:
            raise ParameterError("--r-angstrom needs --pair to convert the distance to D")
        if not r_angstrom > 0:
            raise ParameterError(f"--r-angstrom must be positive, got {r_angstrom}")
        d_hz = float(dipolar_coupling_hz(r_angstrom, *isotopes))
    assert d_hz is not None
    if not d_hz > 0:
        raise ParameterError(f"--d-hz must be positive, got {d_hz}")
    times = np.asarray(parse_float_list(t_ms, "--t-ms"))
    if np.any(times < 0):
        raise ParameterError(f"--t-ms must not contain negative times, got {t_ms!r}")
    values = dephasing(times * 1e-3, d_hz, f, spin_value, kappa, experiment)
    if as_json:
        emit_json({"t_ms": times.tolist(), "dS_S0": values.tolist(), "d_hz": d_hz, "f": f,
                   "spin": spin_value, "kappa": kappa, "experiment": experiment})
        return
    console.print(f"{experiment.upper()} I = {spin_value:g}, D = {d_hz:.4g} Hz, f = {f:g}, "
                  f"κ = {kappa:g}")
    for t, v in zip(times, values, strict=True):
        console.print(f"  {t:8.4g} ms  {v:.6f}")


@app.command("fit")
def fit(
    file: Path = typer.Argument(..., help="CSV: t_ms with dS_S0 [+ sigma], or S0, S "
                                          "[+ S0_noise, S_noise]."),
    pair: str | None = typer.Option(None, "--pair", help=PAIR_HELP),
    spin: str | None = typer.Option(None, "--spin", help=SPIN_HELP),
    kappa: float = typer.Option(1.0, "--kappa", help=KAPPA_HELP, callback=finite),
    fix_f: float | None = typer.Option(None, "--fix-f", callback=finite,
                                       help="Hold f at this value (0 < f ≤ 1)."),
    model: list[str] = typer.Option(["single"], "--model",
                                    help=f"Model(s) to fit: {', '.join(MODELS)} or all "
                                         "(repeat the option; single is always fitted)."),
    fit_distance: bool = typer.Option(False, "--fit-distance",
                                      help="Fit r directly instead of D (needs --pair)."),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap samples (0: none)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
    experiment: str = EXPERIMENT_OPTION,
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (.svg, .png, .pdf)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Fit D (and r) and f to a measured RESPDOR or REDOR dephasing curve, with uncertainties."""
    from cald.recoupling.redor import check_experiment

    spin_value, isotopes = _spin_and_pair(pair, spin)
    _check_kappa(kappa)
    check_experiment(experiment, spin_value)
    if fix_f is not None and not 0.0 < fix_f <= 1.0:
        raise ParameterError(f"--fix-f must be within (0, 1], got {fix_f}")
    if bootstrap < 0:
        raise ParameterError(f"--bootstrap must be ≥ 0, got {bootstrap}")
    models = list(MODELS) if "all" in model else model
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise ParameterError(f"--model {unknown[0]!r} is not one of {', '.join(MODELS)}, all")
    check_plot_path(plot)
    from cald.recoupling.data import read_dephasing_csv
    from cald.recoupling.fit import fit_respdor

    data = read_dephasing_csv(str(file))
    result = fit_respdor(data, spin=spin_value, kappa=kappa, pair=isotopes, f_fixed=fix_f,
                         models=models, fit_distance=fit_distance, n_bootstrap=bootstrap,
                         seed=seed, experiment=experiment)
    if plot is not None:
        from cald.project.report.figures import respdor_figure, save_figure

        save_figure(respdor_figure(result), plot)
    if as_json:
        emit_json(result.to_dict())
    elif not quiet:
        console.print(result.report())


@app.command("extract")
def extract(
    source: Path = typer.Argument(..., help="Bruker pseudo-2D folder (ser with S0/S rows)."),
    region: str = typer.Option(..., "--region", help="Integration region A:B (ppm)."),
    out: Path = typer.Option(..., "--out", help="CSV to write (read by `cald respdor fit`)."),
    reference: Path | None = typer.Option(None, "--reference",
                                          help="Separate S0 experiment; SOURCE then holds S rows."),
    t_ms: str | None = typer.Option(None, "--t-ms", help="Recoupling times (ms), comma-separated; "
                                                         "default from vclist × rotor period or vdlist."),
    s_first: bool = typer.Option(False, "--s-first", help="Interleaved rows start with S, not S0."),
    auto_phase: str | None = typer.Option(None, "--auto-phase", help="acme or negative (on the sum)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Integrate a RESPDOR series into the S0/S curve CSV that `cald respdor fit` reads."""
    from cald.io.bruker import read_bruker
    from cald.io.table import write_table
    from cald.nmr.pseudo2d import respdor_series

    bounds = parse_region(region)
    check_auto_phase(auto_phase)
    times = None
    if t_ms is not None:
        times = np.asarray(parse_float_list(t_ms, "--t-ms")) * 1e-3
        if np.any(times < 0):
            raise ParameterError(f"--t-ms must not contain negative times, got {t_ms!r}")
    series = respdor_series(read_bruker(source), bounds, times,
                            None if reference is None else read_bruker(reference),
                            s0_first=not s_first, auto_phase=auto_phase)
    write_table(out, series.columns(), series.header())
    if as_json:
        emit_json({**series.to_dict(), "out": str(out)})
    elif not quiet:
        console.print(f"wrote {out}: {series.t_s.size} recoupling times, region "
                      f"{bounds[0]:g}:{bounds[1]:g} ppm, times from {series.times_from}")
