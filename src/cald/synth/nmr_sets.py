"""Synthetic Bruker experiments of the kinds the reference study records: a 13C{27Al} RESPDOR
series, a 113Cd CPMG echo train, DNP on/off pairs and a 1H DOSY series.

Each writer returns the folder it wrote; the truth behind the data is stated in the ``title``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from cald.io.atomic import atomic_write_text
from cald.recoupling.redor import respdor_dephasing
from cald.synth.bruker import AcquisitionSetup, Line, lines_fid, write_experiment

__all__ = [
    "OLEATE_13C_LINES",
    "write_cd113_mas",
    "write_al27_cp",
    "write_respdor_series",
    "write_cd111_respdor_series",
    "write_cpmg",
    "write_dnp_pair",
    "write_dosy_series",
]

#: 13C lines of oleate-capped QDs in TCE at 100 K (ppm, relative amplitude, FWHM Hz at 9.4 T).
OLEATE_13C_LINES = (
    Line(184.0, 0.6, 250.0),  # carboxylate
    Line(130.0, 1.0, 200.0),  # alkene CH=CH
    Line(74.0, 3.0, 150.0),  # TCE
    Line(30.0, 4.0, 400.0),  # chain CH2
    Line(14.5, 0.8, 200.0),  # CH3
)


def write_respdor_series(folder: str | os.PathLike[str], d_hz: float, f: float,
                         rotor_counts: Sequence[int], mas_hz: float = 10_000.0,
                         spin: float = 2.5, noise_sd: float = 0.02, t2_echo_s: float = 0.015,
                         seed: int = 0, field_1h_mhz: float = 400.13, sample: str = "") -> Path:
    """13C{27Al} RESPDOR pseudo-2D: rows interleaved S0, S for each entry of a vclist that counts
    rotor periods of total recoupling; only the carboxylate (184 ppm) is dephased, by
    f · g_I(D t). All lines decay as exp(−t/T2') with the echo. ``sample`` (e.g.
    ``"CdSe@AlOx-1"``) starts the title, as a spectrometer's TITLE names the sample."""
    setup = AcquisitionSetup("13C", field_1h_mhz=field_1h_mhz, sw_hz=50_000.0, td=4096,
                             carrier_ppm=100.0, ns=256, rg=128.0, pulse_program="respdor_redor",
                             mas_hz=mas_hz)
    t_s = np.asarray(rotor_counts, dtype=float) / mas_hz
    rows = []
    for t in t_s:
        decay = np.exp(-t / t2_echo_s)
        s0 = [Line(x.ppm, x.amplitude * decay, x.fwhm_hz) for x in OLEATE_13C_LINES]
        dephased = float(respdor_dephasing(t, d_hz, f, spin))
        s = [Line(x.ppm, x.amplitude * (1 - dephased if x.ppm > 170 else 1.0), x.fwhm_hz)
             for x in s0]
        rows += [lines_fid(setup, s0), lines_fid(setup, s)]
    title = (f"{sample + ': ' if sample else ''}13C{{27Al}} RESPDOR, interleaved S0/S rows, "
             f"carboxylate D = {d_hz:g} Hz, f = {f:g}, I = {spin:g}, MAS {mas_hz:g} Hz, seed {seed}")
    return write_experiment(folder, setup, np.array(rows), noise_sd, seed,
                            acqu2s={"TD": len(rows)}, lists={"vclist": (list(rotor_counts), "")},
                            lb_hz=50.0, title=title)


#: 111Cd lines of CdSe@AlOx QDs (ppm, relative amplitude, FWHM Hz at 9.4 T): the core, a
#: CdSe3O-like and the CdSe2O2 surface site (the demo's 113Cd shifts; 111Cd and 113Cd shifts agree).
CDSE_111CD_LINES = (
    Line(-50.0, 0.30, 1200.0),  # core
    Line(-140.0, 0.20, 2000.0),  # CdSe3O-like
    Line(-320.0, 0.50, 2500.0),  # CdSe2O2 (carboxylate-bound surface Cd)
)


def write_cd111_respdor_series(folder: str | os.PathLike[str], rotor_counts: Sequence[int],
                               ds_s0: ArrayLike, truth: str, mas_hz: float = 10_000.0,
                               dephased_ppm: float = -320.0, noise_sd: float = 0.01,
                               t2_echo_s: float = 0.02, seed: int = 0,
                               field_1h_mhz: float = 400.13) -> Path:
    """111Cd{27Al} RESPDOR pseudo-2D recorded with SR4₁² recoupling on 111Cd: rows interleaved
    S0, S for each vclist entry (rotor periods of total recoupling); only the line at
    ``dephased_ppm`` is dephased, by ``ds_s0`` (one ΔS/S0 per entry, e.g. from
    :func:`cald.recoupling.spindynamics.simulate_curve`; ``truth`` says how it was made and goes
    into the title). All lines decay as exp(−t/T2') with the echo."""
    setup = AcquisitionSetup("111Cd", field_1h_mhz=field_1h_mhz, sw_hz=50_000.0, td=2048,
                             carrier_ppm=-200.0, ns=4096, rg=128.0, pulse_program="respdor_sr4",
                             mas_hz=mas_hz)
    rows = []
    for t, dephased in zip(np.asarray(rotor_counts, dtype=float) / mas_hz,
                           np.asarray(ds_s0, dtype=float), strict=True):
        decay = np.exp(-t / t2_echo_s)
        s0 = [Line(x.ppm, x.amplitude * decay, x.fwhm_hz) for x in CDSE_111CD_LINES]
        s = [Line(x.ppm, x.amplitude * (1 - dephased if x.ppm == dephased_ppm else 1.0),
                  x.fwhm_hz) for x in s0]
        rows += [lines_fid(setup, s0), lines_fid(setup, s)]
    title = (f"111Cd{{27Al}} SR4-RESPDOR, interleaved S0/S rows, {dephased_ppm:g} ppm site "
             f"dephased: {truth}; MAS {mas_hz:g} Hz, seed {seed}")
    return write_experiment(folder, setup, np.array(rows), noise_sd, seed,
                            acqu2s={"TD": len(rows)}, lists={"vclist": (list(rotor_counts), "")},
                            lb_hz=200.0, title=title)


def write_cpmg(folder: str | os.PathLike[str], n_echoes: int = 32, echo_period_s: float = 0.002,
               lines: Sequence[Line] = (Line(-50.0, 1.0, 800.0), Line(-320.0, 0.6, 1500.0)),
               t2_s: float = 0.05, noise_sd: float = 0.05, seed: int = 0,
               field_1h_mhz: float = 400.13, row_scales: Sequence[float] | None = None) -> Path:
    """113Cd CPMG echo train: ``n_echoes`` full echoes, each centred in its block of
    ``echo_period_s`` (acquired continuously, Bruker qcpmg style: L22 echoes, D6 echo length,
    D3 = P2 = 0 here), decaying with T2. With ``row_scales`` a series (``ser``): one train per
    row, scaled by each value (e.g. the S0/S rows of a CPMG-detected RESPDOR experiment)."""
    sw = 100_000.0
    points = int(round(echo_period_s * sw))
    setup = AcquisitionSetup("113Cd", field_1h_mhz=field_1h_mhz, sw_hz=sw, td=2 * points * n_echoes,
                             carrier_ppm=-200.0, pulse_program="qcpmg", ns=1024)
    half = points // 2
    t_local = (np.arange(points) - half) / sw
    train = []
    for m in range(n_echoes):
        echo = np.zeros(points, dtype=complex)
        for line in lines:
            nu = setup.offset_hz(line.ppm)
            echo += line.amplitude * np.exp(2j * np.pi * nu * t_local
                                            - np.pi * line.fwhm_hz * np.abs(t_local))
        train.append(echo * np.exp(-(m + 0.5) * echo_period_s / t2_s))
    title = f"113Cd CPMG, {n_echoes} echoes of {echo_period_s * 1e3:g} ms, T2 {t2_s:g} s, seed {seed}"
    data = np.concatenate(train)
    if row_scales is not None:
        data = np.array([scale * data for scale in row_scales])
        title += f", {len(row_scales)} rows"
    return write_experiment(folder, setup, data, noise_sd, seed,
                            extra_acqus={"l22": ("L", 22, n_echoes),
                                         "d6": ("D", 6, echo_period_s)},
                            acqu2s=None if row_scales is None else {"TD": len(row_scales)},
                            lb_hz=100.0, title=title)


def write_dnp_pair(folder_on: str | os.PathLike[str], folder_off: str | os.PathLike[str],
                   enhancement: float = 33.0, ns_on: int = 16, ns_off: int = 256,
                   rg_on: float = 32.0, rg_off: float = 128.0, noise_sd: float = 0.02,
                   seed: int = 0, field_1h_mhz: float = 400.13,
                   lines: Sequence[Line] = OLEATE_13C_LINES) -> tuple[Path, Path]:
    """13C CP spectra with microwaves on and off. Signals scale with NS × RG (noise with √NS ×
    RG); the on/off signal ratio per scan and unit gain is ``enhancement``."""
    paths = []
    int_scale = 2.0**24 / (sum(x.amplitude for x in lines) * enhancement * ns_on * rg_on)
    for folder, eps, ns, rg, s in ((folder_on, enhancement, ns_on, rg_on, seed),
                                    (folder_off, 1.0, ns_off, rg_off, seed + 1)):
        setup = AcquisitionSetup("13C", field_1h_mhz=field_1h_mhz, sw_hz=50_000.0, td=4096,
                                 carrier_ppm=100.0, ns=ns, rg=rg, pulse_program="cp")
        fid = lines_fid(setup, [Line(x.ppm, x.amplitude * eps * ns * rg, x.fwhm_hz)
                                for x in lines])
        title = f"13C CP, microwaves {'on' if eps != 1.0 else 'off'}, true enhancement {enhancement:g}"
        paths.append(write_experiment(folder, setup, fid, noise_sd * np.sqrt(ns) * rg, s,
                                      lb_hz=50.0, title=title, int_scale=int_scale))
    return paths[0], paths[1]


def write_dosy_series(folder: str | os.PathLike[str], gradients_g_cm: ArrayLike,
                      diffusion_m2_s: float = 2.0e-10, big_delta_s: float = 0.1,
                      little_delta_s: float = 0.002, noise_sd: float = 0.005, seed: int = 0,
                      field_1h_mhz: float = 400.13, gradient_shape: str = "",
                      recovery_s: float = 2e-4, solvent: str = "Tol",
                      temperature_k: float = 298.15) -> Path:
    """1H DOSY (ledbpgp2s-like) of oleate alkene (5.4 ppm) on QDs and toluene-d8 residual
    (2.09 ppm, fast), with a ``pulseprogram`` that names its delays as Bruker's do.

    The rows follow TopSpin's T1/T2-module model, I = I0 exp(−D (γ g δ_eff)² (Δ − δ_eff/3)),
    g in T/m, with δ_eff = σ δ the effective δ of the gradient shape ``gradient_shape`` (GPNAM6;
    ``""``: rectangular, σ = 1; ``SMSQ10.100``: σ = 0.9; ``SINE.100``: σ = 2/π) and
    ``little_delta_s`` the physical δ = 2 × P30. τ = D16 = ``recovery_s``; SOLVENT and TE as given.
    """
    setup = AcquisitionSetup("1H", field_1h_mhz=field_1h_mhz, sw_hz=8000.0, td=16384,
                             carrier_ppm=5.0, pulse_program="ledbpgp2s", ns=32, group_delay=76.0)
    gamma = 267.5222e6
    sigma = {"": 1.0, "SMSQ10.100": 0.9, "SINE.100": 2 / np.pi}[gradient_shape]
    delta_eff = sigma * little_delta_s
    g_t_m = np.asarray(gradients_g_cm, dtype=float) * 1e-2  # 1 G/cm = 0.01 T/m
    rows = []
    for g in g_t_m:
        b = (gamma * g * delta_eff) ** 2 * (big_delta_s - delta_eff / 3)
        rows.append(lines_fid(setup, [Line(5.4, np.exp(-diffusion_m2_s * b), 20.0),
                                      Line(2.09, 0.5 * np.exp(-2.2e-9 * b), 2.0)]))
    title = f"1H DOSY, D = {diffusion_m2_s:g} m2/s, Delta {big_delta_s:g} s, delta {little_delta_s:g} s"
    gpnam = ["SINE.100"] * 32
    gpnam[6] = gradient_shape
    out = write_experiment(folder, setup, np.array(rows), noise_sd, seed,
                           extra_acqus={"d20": ("D", 20, big_delta_s),
                                        "d16": ("D", 16, recovery_s),
                                        "p30": ("P", 30, little_delta_s / 2 * 1e6),
                                        "GPNAM": [f"<{n}>" for n in gpnam],
                                        "SOLVENT": f"<{solvent}>", "TE": temperature_k},
                           acqu2s={"TD": len(rows)},
                           lists={"difflist": (list(np.asarray(gradients_g_cm, float)), "")},
                           lb_hz=1.0, title=title)
    atomic_write_text(out / "pulseprogram", _DOSY_PULSE_PROGRAM)
    return out


#: A pulse program in the form of Bruker's ledbpgp2s (written for cald, not Bruker's text): the
#: comments name the delays, the statements show the bipolar diffusion gradient gp6.
_DOSY_PULSE_PROGRAM = """;ledbpgp2s
;cald synthetic: stimulated echo with LED, bipolar diffusion gradients, 2 spoilers
;
;d1 : relaxation delay
;d16: delay for gradient recovery
;d20: diffusion time (big DELTA)
;d21: eddy current delay (Te)
;p1 : f1 channel -  90 degree high power pulse
;p2 : f1 channel - 180 degree high power pulse
;p19: gradient pulse 2 (spoil gradient)
;p30: gradient pulse (little DELTA * 0.5)
;gpz6: 100% (diffusion gradient, scaled by the difflist)
;gpnam6: SMSQ10.100
;
1 ze
2 d1
  p1 ph1
  p30:gp6
  d16
  p2 ph2
  p30:gp6*-1
  d16
  p1 ph3
  p19:gp7
  d16
  d20
  p1 ph4
  p30:gp6
  d16
  p2 ph5
  p30:gp6*-1
  d16
  p1 ph6
  p19:gp8
  d16
  d21
  p1 ph7
  go=2 ph31
  wr #0 if #0 zd igrad gp6
  lo to 2 times td1
exit
"""


def write_cd113_mas(folder: str | os.PathLike[str], sites: Sequence[tuple[float, float, float, float]],
                    mas_hz: float = 8000.0, linewidth_hz: float = 600.0, snr: float = 200.0,
                    seed: int = 0, field_1h_mhz: float = 400.13) -> Path:
    """113Cd CP-MAS spinning-sideband spectrum of sites (δiso ppm, ζ ppm, η, fraction), made in
    the frequency domain by mrsimulator (through :func:`cald.lineshape.sidebands.csa_sideband_spectrum`)
    and written as the FID that gives it, with receiver noise (peak S/N ≈ ``snr``)."""
    from cald.lineshape.sidebands import csa_sideband_spectrum
    from cald.synth.bruker import axis_ppm, spectrum_fid

    setup = AcquisitionSetup("113Cd", field_1h_mhz=field_1h_mhz, sw_hz=200_000.0, td=8192,
                             carrier_ppm=-350.0, pulse_program="cp", mas_hz=mas_hz, ns=2048)
    ppm = axis_ppm(setup)
    y = sum(csa_sideband_spectrum(ppm, iso, zeta, eta, mas_hz=mas_hz, larmor_mhz=setup.bf1_mhz,
                                  nucleus="113Cd", amplitude=frac, fwhm_lorentz_hz=linewidth_hz)
            for iso, zeta, eta, frac in sites)
    fid = spectrum_fid(np.asarray(y))
    noise = float(np.max(y)) / snr / np.sqrt(2.0 * fid.size)
    title = "113Cd CP-MAS sidebands, sites (δiso, ζ, η, fraction): " + "; ".join(
        f"{iso:g}, {zeta:g}, {eta:g}, {frac:g}" for iso, zeta, eta, frac in sites)
    return write_experiment(folder, setup, fid, noise, seed, lb_hz=0.0, title=title)


def write_al27_cp(folder: str | os.PathLike[str], sites: Sequence[tuple[float, float, float]],
                  spread_ppm: float = 3.0, snr: float = 150.0, seed: int = 0,
                  field_1h_mhz: float = 400.13, cq_max_mhz: float = 20.0) -> Path:
    """27Al CP central-transition spectrum (fast MAS) of Czjzek sites (δiso ppm, σ MHz in the
    Czjzek convention, fraction), from the kernel library of
    :mod:`cald.lineshape.czjzek` (C_Q grid up to ``cq_max_mhz``: raise it for σ above
    cq_max_mhz / 4.5), written as the FID that gives it, with noise."""
    from cald.lineshape.czjzek import czjzek_site_spectrum, library_for_axis
    from cald.synth.bruker import axis_ppm, spectrum_fid

    setup = AcquisitionSetup("27Al", field_1h_mhz=field_1h_mhz, sw_hz=50_000.0, td=4096,
                             carrier_ppm=30.0, pulse_program="cp", ns=4096)
    ppm = axis_ppm(setup)
    library = library_for_axis(ppm, "27Al", field_1h_mhz, None, cq_max_mhz=cq_max_mhz,
                               n_cq=round(4.0 * cq_max_mhz))
    y = sum(czjzek_site_spectrum(ppm, iso, sigma, spread_ppm, frac, library=library)
            for iso, sigma, frac in sites)
    fid = spectrum_fid(np.asarray(y))
    noise = float(np.max(y)) / snr / np.sqrt(2.0 * fid.size)
    title = "27Al CP central transition, Czjzek sites (δiso, σ, fraction): " + "; ".join(
        f"{iso:g}, {sigma:g}, {frac:g}" for iso, sigma, frac in sites)
    return write_experiment(folder, setup, fid, noise, seed, lb_hz=0.0, title=title)
