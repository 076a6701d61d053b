"""SIMPSON input files for the RESPDOR/REDOR experiment that :mod:`cald.recoupling.spindynamics`
simulates.

A user can run the same geometry and sequence in SIMPSON (Bak, Rasmussen and Nielsen,
*J. Magn. Reson.* 147, 296 (2000)) and compare with cald's curve.

What is written, from the same objects cald's simulation takes:

* ``spinsys``: the observed S (spin 1) and the dephasing spins I (2, 3, …); ``dipole 1 j b α β
  γ`` lines with SIMPSON's dipolar coupling constant b = −(μ0/4π)γ_Sγ_I ħ/(2π r³) in Hz
  (the sign of −γ_Sγ_I, the magnitude cald's D) and the S→I direction as Euler angles (deg);
  ``quadrupole j order C_Q η α β γ`` for quadrupolar I (order 2 when the 1H frequency is given,
  as cald then adds the second-order shift), the EFG angles cald uses (its z axis along the S–I
  vector; cald's ZYZ convention, which matters only for several I spins);
* ``par``: ``spin_rate``, ``proton_frequency``, a ZCW ``crystal_file`` with at least cald's base
  orientations and ``gamma_angles`` = cald's rotor phases, one acquired point, ``maxdt`` from
  cald's steps per rotor period, and the sequence's numbers as ``variable`` lines;
* ``pulseq``: each rotor period of cald's recoupling pattern (:meth:`Experiment.period_pattern`:
  REDOR XY-8 π pulses or SR4₁²) as delays and pulses on channel 1; the first half of N/2
  periods, the middle block (π pulse on S at its start, the saturation pulse on I centred, at
  its offset; none for S0), the second half restarting the pattern, then detection;
* ``main``: for every recoupling time one S0 and one S run; a CSV ``<name>.csv`` with t_ms, S0,
  S, dS_S0 (the columns ``cald respdor fit`` reads, and ``--compare``).

The ideal limits (``--ideal``: δ-pulses and perfect saturation) have no SIMPSON counterpart and
are refused.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from cald.errors import ParameterError
from cald.nuclei import Isotope
from cald.recoupling.spindynamics import CoupledSpin, Experiment, rotor_periods

__all__ = ["ZCW_SETS", "simpson_input", "zcw_file"]

#: The ZCW crystal files SIMPSON ships (number of orientations).
ZCW_SETS = (4, 20, 54, 144, 232, 376, 610, 986, 1154, 2584, 4180)


def zcw_file(n_orientations: int) -> str:
    """The smallest SIMPSON ZCW file with at least ``n_orientations`` (the largest if none)."""
    return f"zcw{next((n for n in ZCW_SETS if n >= n_orientations), ZCW_SETS[-1])}"


def _euler_deg(direction: Sequence[float]) -> tuple[float, float, float]:
    """(α, β, γ) in degrees taking the z axis onto ``direction``: α = azimuth, β = polar."""
    u = np.asarray(direction, dtype=float)
    u = u / np.linalg.norm(u)
    return (float(np.degrees(np.arctan2(u[1], u[0]))),
            float(np.degrees(np.arccos(np.clip(u[2], -1.0, 1.0)))), 0.0)


def _period_proc(index: int, segments: list[tuple[float, float, float, float]],
                 period_s: float) -> str:
    """A Tcl proc with one rotor period of the pattern: delays and pulses on channel 1."""
    body, t = [], 0.0
    for start, end, nu1, phase_rad in segments:
        if start > t + 1e-15:
            body.append(f"  delay {(start - t) * 1e6:.6f}")
        body.append(f"  pulse {(end - start) * 1e6:.6f} {nu1:.6f} {math.degrees(phase_rad):.4f} "
                    "0 0")
        t = end
    if period_s > t + 1e-15:
        body.append(f"  delay {(period_s - t) * 1e6:.6f}")
    return f"proc period{index} {{}} {{\n" + "\n".join(body) + "\n}\n"


def simpson_input(name: str, observed: Isotope, dephasing: Isotope,
                  spins: Sequence[CoupledSpin], experiment: Experiment, t_s: ArrayLike,
                  crystallites: int, rotor_phases: int, field_1h_mhz: float | None) -> str:
    """The text of a SIMPSON input file (see the module docstring).

    Parameters
    ----------
    name
        Base name of the files SIMPSON writes (``<name>.csv``).
    observed, dephasing
        The isotopes S and I.
    spins
        The dephasing spins (D, direction, C_Q, η, EFG angles), as cald's simulation takes them.
    experiment
        The sequence (MAS rate, recoupling, S rf, the I pulse); not the ideal limits.
    t_s
        Recoupling times (s): even multiples of the rotor period.
    crystallites, rotor_phases
        cald's powder set: base orientations (a ZCW file with at least as many is named) and
        rotor phases (SIMPSON's ``gamma_angles``).
    field_1h_mhz
        1H frequency (MHz); ``None``: first-order quadrupolar coupling only (and 400 MHz as
        SIMPSON's ``proton_frequency``, which nothing then depends on).
    """
    experiment.check()
    if experiment.delta_pulses or experiment.i_pulse is None:
        raise ParameterError("the ideal limits (δ-pulses, perfect saturation) have no SIMPSON "
                             "input; give the real pulses")
    if not spins:
        raise ParameterError("no dephasing spin")
    n_periods = rotor_periods(np.asarray(t_s, dtype=float), experiment.mas_hz)
    period = experiment.period_s
    pattern = experiment.period_pattern()
    pulse = experiment.i_pulse
    tp = experiment.s_pi_s
    block = experiment.n_middle * period
    before_i = (block - pulse.length_s) / 2.0 - tp  # I pulse centred in the block
    if before_i < -1e-12:
        raise ParameterError("the I pulse and the S π pulse do not fit in the middle block")
    s_pi_rf = 0.5 / tp
    sign = -math.copysign(1.0, observed.gamma_rad_s_t * dephasing.gamma_rad_s_t)
    order = 2 if field_1h_mhz is not None else 1
    lines = ["spinsys {",
             f"  channels {observed.symbol} {dephasing.symbol}",
             "  nuclei " + " ".join([observed.symbol] + [dephasing.symbol] * len(spins))]
    for j, sp in enumerate(spins, start=2):
        alpha, beta, gamma = _euler_deg(sp.direction)
        lines.append(f"  dipole 1 {j} {sign * sp.d_hz:.6f} {alpha:.4f} {beta:.4f} {gamma:.4f}")
        if sp.cq_hz:
            efg = [math.degrees(a) for a in sp.efg_euler_rad]
            lines.append(f"  quadrupole {j} {order} {sp.cq_hz:.6f} {sp.eta:.6f} "
                         f"{efg[0]:.4f} {efg[1]:.4f} {efg[2]:.4f}")
    lines += ["}", "", "par {",
              f"  spin_rate        {experiment.mas_hz:.6f}",
              f"  proton_frequency {(field_1h_mhz or 400.0) * 1e6:.6f}",
              f"  crystal_file     {zcw_file(crystallites)}",
              f"  gamma_angles     {rotor_phases}",
              "  np               1",
              f"  sw               {experiment.mas_hz:.6f}",
              "  start_operator   I1x",
              "  detect_operator  I1p",
              "  verbose          0",
              f"  variable maxdt_us    {period * 1e6 / experiment.steps_per_period:.6f}",
              f"  variable n_periods   \"{' '.join(str(int(n)) for n in n_periods)}\"",
              f"  variable s_pi_us     {tp * 1e6:.6f}",
              f"  variable s_pi_rf     {s_pi_rf:.6f}",
              f"  variable before_i_us {before_i * 1e6:.6f}",
              f"  variable sat_us      {pulse.length_s * 1e6:.6f}",
              f"  variable sat_rf      {pulse.rf_hz:.6f}",
              f"  variable sat_offset  {pulse.offset_hz:.6f}",
              f"  variable after_i_us  {(block - tp - before_i - pulse.length_s) * 1e6:.6f}",
              "  variable n_half      0",
              "  variable i_pulse     0",
              "}", ""]
    procs = [_period_proc(k, segs, period) for k, segs in enumerate(pattern)]
    calls = "\n".join(f"    {k} {{ period{k} }}" for k in range(len(pattern)))
    half = ("proc recouple_half {} {\n  global par\n  for {set k 0} {$k < $par(n_half)} {incr k} {\n"
            f"    switch [expr {{$k % {len(pattern)}}}] {{\n{calls}\n    }}\n  }}\n}}\n")
    pulseq = """proc pulseq {} {
  global par
  maxdt $par(maxdt_us)
  reset
  recouple_half
  pulse $par(s_pi_us) $par(s_pi_rf) 0 0 0
  if {$par(before_i_us) > 0} { delay $par(before_i_us) }
  if {$par(i_pulse)} {
    offset 0 $par(sat_offset)
    pulse $par(sat_us) 0 0 $par(sat_rf) 0
    offset 0 0
  } else {
    delay $par(sat_us)
  }
  if {$par(after_i_us) > 0} { delay $par(after_i_us) }
  recouple_half
  acq
}
"""
    main = f"""proc main {{}} {{
  global par
  set out [open {name}.csv w]
  puts $out "# RESPDOR curve simulated by SIMPSON from an input written by cald"
  puts $out "t_ms,S0,S,dS_S0"
  foreach n $par(n_periods) {{
    set par(n_half) [expr {{$n / 2}}]
    set par(i_pulse) 0
    set f [fsimpson]
    set s0 [findex $f 1 -re]
    funload $f
    set par(i_pulse) 1
    set f [fsimpson]
    set s [findex $f 1 -re]
    funload $f
    puts $out [format "%.9g,%.9g,%.9g,%.9g" [expr {{$n * 1000.0 / $par(spin_rate)}}] $s0 $s \\
      [expr {{($s0 - $s) / $s0}}]]
  }}
  close $out
}}
"""
    header = (f"# SIMPSON input written by cald: {observed.symbol}{{{dephasing.symbol}}} "
              f"{experiment.recoupling.upper()}-RESPDOR, {len(spins)} I spin(s), "
              f"{experiment.mas_hz:g} Hz MAS\n")
    return header + "\n".join(lines) + "\n" + "".join(procs) + "\n" + half + "\n" + pulseq \
        + "\n" + main
