"""``cald nuclei``: Larmor frequencies and dipolar couplings."""

from __future__ import annotations

import typer

from cald.cli.common import JSON_OPTION, console, emit_json, finite
from cald.errors import ParameterError
from cald.nuclei import (
    dipolar_from_coupling,
    dipolar_from_distance,
    get_isotope,
    larmor_mhz,
    parse_pair,
)

app = typer.Typer(help="Isotope data, Larmor frequencies and dipolar couplings.",
                  no_args_is_help=True)


@app.command("larmor")
def larmor(
    isotope: str = typer.Argument(..., help="Isotope, e.g. 113Cd."),
    field_1h_mhz: float = typer.Option(..., "--field-1h-mhz", callback=finite,
                                       help="1H frequency of the magnet (MHz)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Larmor frequency of ISOTOPE at a magnet given by its 1H frequency (ν = ν_1H Ξ / 100)."""
    if not field_1h_mhz > 0:
        raise ParameterError(f"--field-1h-mhz must be positive, got {field_1h_mhz}")
    iso = get_isotope(isotope)
    out = {
        "isotope": iso.symbol,
        "spin": iso.spin,
        "spin_label": iso.spin_label,
        "larmor_mhz": larmor_mhz(iso, field_1h_mhz),
        "field_1h_mhz": field_1h_mhz,
        "gamma_rad_s_t": iso.gamma_rad_s_t,
        "xi_percent": iso.xi_percent,
        "abundance_percent": iso.abundance_percent,
        "q_mb": iso.q_mb,
    }
    if as_json:
        emit_json(out)
    else:
        console.print(f"{iso.symbol} (I = {iso.spin_label}): {out['larmor_mhz']:.4f} MHz "
                      f"at 1H {field_1h_mhz:g} MHz")


@app.command("dipolar")
def dipolar(
    pair: str = typer.Option(..., "--pair", help="Spin pair, e.g. 13C-27Al."),
    r_angstrom: float | None = typer.Option(None, "--r-angstrom", help="Distance (Å).", callback=finite),
    d_hz: float | None = typer.Option(None, "--d-hz", callback=finite,
                                      help="Dipolar coupling constant (Hz)."),
    err: float | None = typer.Option(None, "--err", callback=finite,
                                     help="Standard uncertainty of the given r (Å) or D (Hz)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Dipolar coupling D from a distance, or the distance from D, with propagated uncertainty."""
    if (r_angstrom is None) == (d_hz is None):
        raise ParameterError("give exactly one of --r-angstrom and --d-hz")
    if err is not None and err < 0:
        raise ParameterError(f"--err must be ≥ 0, got {err}")
    a, b = parse_pair(pair)
    if r_angstrom is not None:
        result = dipolar_from_distance(r_angstrom, a, b, err)
    else:
        result = dipolar_from_coupling(d_hz, a, b, err)  # type: ignore[arg-type]
    if as_json:
        emit_json(result.to_dict())
        return
    d_err = "" if result.d_hz_err is None else f" ± {result.d_hz_err:.3g}"
    r_err = "" if result.r_angstrom_err is None else f" ± {result.r_angstrom_err:.3g}"
    console.print(f"{result.pair}: D = {result.d_hz:.4g}{d_err} Hz, r = {result.r_angstrom:.4g}"
                  f"{r_err} Å (D·r³ = {result.d_r3_hz_angstrom3:.5g} Hz Å³)")
