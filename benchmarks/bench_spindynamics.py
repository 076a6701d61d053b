"""Numerical RESPDOR spin dynamics (issue 13): a 16-point 13C{27Al} curve with finite pulses and a
saturation pulse, powder averaged to convergence; the ideal-pulse curve; three 27Al; and the
ratio against a straightforward per-crystallite loop of the same physics (full S ⊗ I Hilbert
space, scipy expm per step: :func:`cald.recoupling.spindynamics.simulate_dense`), timed on a few
crystallites in the same run and scaled to the full set.

Run: PYTHONPATH=src python benchmarks/bench_spindynamics.py
"""

from __future__ import annotations

import time

import numpy as np

from _timing import best_of
from cald.recoupling.spindynamics import (
    CoupledSpin,
    Crystallites,
    Experiment,
    IPulse,
    crystallite_set,
    simulate_curve,
    simulate_dense,
)

MAS_HZ = 10e3
T_S = np.arange(16) * 0.2e-3  # 0 … 3 ms, 16 points
SITE = CoupledSpin(2.5, 504.0, cq_hz=5e6, eta=0.3, efg_euler_rad=(0.3, 0.7, 0.2))
FINITE = Experiment(MAS_HZ, s_rf_hz=50e3, i_pulse=IPulse(300e-6, 10e3), steps_per_period=100)
IDEAL = Experiment(MAS_HZ, delta_pulses=True)
CONVERGED = (987, 16)  # base orientations × rotor phases (see the convergence table)


def convergence() -> None:
    ref = simulate_curve([SITE], T_S, FINITE, crystallite_set("zcw", 4181, 16)).ds_s0
    print("| ZCW base × rotor phases | crystallites | max abs(Δ ΔS/S0) vs 4181 × 16 | time (s) |")
    print("|---|---|---|---|")
    for n in (144, 233, 377, 610, 987, 1597, 2584):
        t0 = time.perf_counter()
        curve = simulate_curve([SITE], T_S, FINITE, crystallite_set("zcw", n, 16))
        dt = time.perf_counter() - t0
        print(f"| {n} × 16 | {curve.n_crystallites} | {np.max(np.abs(curve.ds_s0 - ref)):.4f} "
              f"| {dt:.1f} |")


def main() -> None:
    cryst = crystallite_set("zcw", *CONVERGED)
    t_fast, curve = best_of(lambda: simulate_curve([SITE], T_S, FINITE, cryst), repeat=1)
    print(f"finite pulses + saturation, 16 points, {cryst.n} crystallites: {t_fast:.2f} s "
          f"(saturation efficiency {curve.saturation_efficiency[0]:.3f}, ΔS/S0(3 ms) "
          f"{curve.ds_s0[-1]:.4f})")
    ideal_set = crystallite_set("zcw", 987, 8)
    t_ideal, _ = best_of(lambda: simulate_curve([CoupledSpin(2.5, 504.0)], T_S, IDEAL, ideal_set))
    print(f"ideal pulses, 16 points, {ideal_set.n} crystallites: {t_ideal:.3f} s")

    # baseline: the dense per-crystallite loop on a few crystallites of the same set
    n_base = 4
    pick = np.linspace(cryst.n // 7, cryst.n - 1, n_base).astype(int)  # away from the pole β = π
    few = Crystallites(cryst.alpha_rad[pick], cryst.beta_rad[pick], cryst.gamma_rad[pick],
                       np.full(n_base, 1.0 / n_base), "zcw")
    t0 = time.perf_counter()
    z0, z1 = simulate_dense([SITE], T_S, FINITE, few.rotations(), few.weights)
    t_dense = (time.perf_counter() - t0) / n_base * cryst.n
    check = simulate_curve([SITE], T_S, FINITE, few)
    phase = np.exp(-1j * np.angle(z0))
    agree = float(np.max(np.abs(np.real(z1 * phase) - check.s)))
    print(f"dense per-crystallite loop: {t_dense / cryst.n:.2f} s per crystallite → "
          f"{t_dense:.0f} s for {cryst.n} (max |ΔS| on {n_base} crystallites {agree:.1e}, "
          f"ΔS/S0 there up to {np.max(check.ds_s0):.3f}); ratio {t_dense / t_fast:.0f}×")

    # second baseline: the fast engine itself called crystallite by crystallite
    n_loop = 16
    t0 = time.perf_counter()
    for k in np.linspace(0, cryst.n - 1, n_loop).astype(int):
        one = Crystallites(cryst.alpha_rad[k:k + 1], cryst.beta_rad[k:k + 1],
                           cryst.gamma_rad[k:k + 1], np.ones(1), "zcw")
        simulate_curve([SITE], T_S, FINITE, one)
    t_loop = (time.perf_counter() - t0) / n_loop * cryst.n
    print(f"fast engine in a per-crystallite loop: {t_loop / cryst.n * 1e3:.0f} ms per "
          f"crystallite → {t_loop:.0f} s for {cryst.n}; ratio {t_loop / t_fast:.0f}×")

    three = [CoupledSpin(2.5, d, u, cq_hz=5e6) for d, u in
             ((323.0, (0, 0, 1)), (290.0, (0.9, 0.1, -0.4)), (220.0, (-0.5, 0.8, 0.3)))]
    set3 = crystallite_set("zcw", 233, 8)
    t3, c3 = best_of(lambda: simulate_curve(three, T_S, FINITE, set3), repeat=1)
    print(f"three 27Al (216 I configurations), 16 points, {set3.n} crystallites: {t3:.1f} s "
          f"(ΔS/S0(3 ms) {c3.ds_s0[-1]:.4f})")
    convergence()


if __name__ == "__main__":
    main()
