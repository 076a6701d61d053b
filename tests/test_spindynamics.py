"""Numerical REDOR/RESPDOR spin dynamics: ideal limits against the analytic curves, an
independent powder quadrature written here, finite-pulse effects, the SR4₁² scaling factor and
bad input."""

import numpy as np
import pytest
from scipy.optimize import least_squares

from cald.errors import ParameterError
from cald.recoupling.redor import dephasing, redor_signal_direct
from cald.recoupling.spindynamics import (
    KAPPA_SR4_THEORY,
    CoupledSpin,
    Crystallites,
    Experiment,
    IPulse,
    crystallite_set,
    rotor_periods,
    saturation_efficiency,
    scaling_factor,
    simulate_curve,
    simulate_dense,
)

D_HZ = 500.0
MAS_HZ = 10e3
T_S = np.arange(0.0, 3.01, 0.4) * 1e-3  # λ = D t up to 1.5
IDEAL = Experiment(MAS_HZ, delta_pulses=True)


@pytest.fixture(scope="module")
def powder():
    return crystallite_set("zcw", 610, 4)


@pytest.mark.parametrize("spin", [0.5, 1.5, 2.5])
def test_ideal_limit_equals_analytic_respdor(spin, powder):
    curve = simulate_curve([CoupledSpin(spin, D_HZ)], T_S, IDEAL, powder)
    analytic = dephasing(T_S, D_HZ, 1.0, spin, 1.0, "respdor")
    assert np.max(np.abs(curve.ds_s0 - analytic)) < 0.01
    assert np.allclose(curve.s0, 1.0, atol=1e-12)  # δ-pulses: S0 refocuses exactly
    assert curve.saturation_efficiency is None


def test_ideal_limit_at_several_couplings(powder):
    for d_hz in (150.0, 320.0, 800.0):
        curve = simulate_curve([CoupledSpin(2.5, d_hz)], T_S, IDEAL, powder)
        assert np.max(np.abs(curve.ds_s0 - dephasing(T_S, d_hz, 1.0, 2.5))) < 0.01


def test_spin_half_redor_equals_mueller_formula(powder):
    seq = Experiment(MAS_HZ, delta_pulses=True, ideal_i="inversion")
    curve = simulate_curve([CoupledSpin(0.5, D_HZ)], T_S, seq, powder)
    assert np.max(np.abs(curve.s / curve.s0 - redor_signal_direct(D_HZ * T_S))) < 0.01


def test_finite_pi_pulse_on_spin_half_partner_is_redor(powder):
    # a real (10 µs, 50 kHz) π pulse on a spin-1/2 I inverts it: the REDOR curve, efficiency 2
    seq = Experiment(MAS_HZ, delta_pulses=True, i_pulse=IPulse(10e-6, 50e3))
    curve = simulate_curve([CoupledSpin(0.5, D_HZ)], T_S, seq, powder)
    assert np.max(np.abs(curve.ds_s0 - dephasing(T_S, D_HZ, 1.0, 0.5, 1.0, "redor"))) < 0.01
    assert curve.saturation_efficiency == pytest.approx([2.0], abs=1e-3)  # D during the pulse


def _lab_phase_brute_force(vectors, d_hz, mas_hz, t_period, rot, n_t=1000):
    """Per-crystallite REDOR phase per rotor period, ∫ s(t) ω_D(t) dt (that of m = 1/2), from the
    vector turned into the lab frame at each time (rotor tilted by the magic angle), δ-pulses
    at T/4 and 3T/4: no Fourier coefficients involved."""
    theta = np.arccos(1.0 / np.sqrt(3.0))
    t = (np.arange(n_t) + 0.5) * t_period / n_t
    sign = np.where((t > t_period / 4) & (t < 3 * t_period / 4), -1.0, 1.0)
    out = []
    for u, d in zip(vectors, d_hz, strict=True):
        u = np.asarray(u, float) / np.linalg.norm(u)
        v = rot @ u  # rotor frame, (c, 3)
        wt = 2 * np.pi * mas_hz * t
        # field direction in the rotor frame: (sinθ cos ωt, sinθ sin ωt, cosθ)
        cos_lab = (np.sin(theta) * (np.outer(v[:, 0], np.cos(wt)) + np.outer(v[:, 1], np.sin(wt)))
                   + np.cos(theta) * v[:, 2:3])
        omega = -2 * np.pi * d * (3 * cos_lab**2 - 1) / 2
        out.append((omega * sign).sum(axis=1) * (t_period / n_t))
    return out


def test_two_spins_ideal_against_independent_quadrature():
    # 13C with two 27Al at 2.6 and 3.1 Å in different directions, ideal saturation of both:
    # S/S0 per crystallite is the product over spins of the mean over (m, m') of cos((m − m')Φ)
    vectors = [(0.0, 0.0, 1.0), (0.8, 0.1, -0.6)]
    d_hz = [440.0, 260.0]
    spins = [CoupledSpin(2.5, d, u) for d, u in zip(d_hz, vectors, strict=True)]
    cryst = crystallite_set("legendre", 400, 4)
    curve = simulate_curve(spins, T_S, IDEAL, cryst)
    phases = _lab_phase_brute_force(vectors, d_hz, MAS_HZ, 1 / MAS_HZ, cryst.rotations())
    m = 2.5 - np.arange(6)
    dm = m[:, None] - m[None, :]
    expected = []
    for n in rotor_periods(T_S, MAS_HZ):
        signal = np.ones(cryst.n)
        for phi in phases:  # phase 2(m − m') × (phase of m = 1/2 over one half, n/2 periods)
            total = phi * (n // 2)
            signal *= np.cos(2 * dm[None] * total[:, None, None]).mean(axis=(1, 2))
        expected.append(1.0 - cryst.weights @ signal)
    assert np.max(np.abs(curve.ds_s0 - np.array(expected))) < 2e-3


def test_powder_sets_agree_for_a_quadrupolar_site():
    # finite pulses, a 5 MHz 27Al with a tilted EFG, a 200 µs saturation pulse: ZCW and the
    # Gauss–Legendre product grid (independent quadratures) agree
    spin = CoupledSpin(2.5, D_HZ, cq_hz=5e6, eta=0.3, efg_euler_rad=(0.3, 0.7, 0.2))
    seq = Experiment(MAS_HZ, i_pulse=IPulse(200e-6, 10e3), steps_per_period=48)
    t = T_S[:5]
    zcw = simulate_curve([spin], t, seq, crystallite_set("zcw", 610, 8))
    leg = simulate_curve([spin], t, seq, crystallite_set("legendre", 800, 8))
    assert np.max(np.abs(zcw.ds_s0 - leg.ds_s0)) < 0.01
    assert zcw.saturation_efficiency[0] == pytest.approx(leg.saturation_efficiency[0], abs=0.02)


def test_finite_pulses_reduce_dephasing(powder):
    finite = Experiment(MAS_HZ, s_rf_hz=25e3)  # 20 µs π pulses, 40 % of the rotor period
    ideal = simulate_curve([CoupledSpin(2.5, D_HZ)], T_S[1:], IDEAL, powder).ds_s0
    real = simulate_curve([CoupledSpin(2.5, D_HZ)], T_S[1:], finite, powder).ds_s0
    assert np.all(real < ideal - 1e-3)


def test_sr4_scaling_factor_matches_theory(powder):
    # the SR4₁² curve has the REDOR shape with λ = κ D t; κ → π/(4√2) as the time step shrinks
    # (32 steps per rotor period: 1.2 % low, 128: 0.1 %)
    t = np.arange(0.0, 12.01, 1.2) * 1e-3
    seq = Experiment(20e3, recoupling="sr4", steps_per_period=128)
    curve = simulate_curve([CoupledSpin(2.5, 300.0)], t, seq, powder)
    fit = least_squares(lambda k: dephasing(t, 300.0, 1.0, 2.5, k[0]) - curve.ds_s0, [0.5])
    assert fit.x[0] == pytest.approx(KAPPA_SR4_THEORY, abs=0.003)
    kappa, rms = scaling_factor(curve, 300.0, 2.5)
    assert kappa == pytest.approx(fit.x[0], abs=1e-6) and rms < 0.003
    assert KAPPA_SR4_THEORY == pytest.approx(0.5554, abs=1e-4)


def test_fast_engine_equals_dense_full_hilbert_space_propagation():
    # a few crystallites, a 3 MHz 27Al with a tilted EFG, finite REDOR pulses and a real
    # saturation pulse: the factorised engine against the full S ⊗ I propagation (expm per step)
    spins = [CoupledSpin(2.5, 500.0, cq_hz=3e6, eta=0.3, efg_euler_rad=(0.3, 0.7, 0.2))]
    # 200 steps per rotor period: single crystallites converge slowly with the step through the
    # saturation pulse (at 100 steps the two engines differ by 0.007, at 400 by 0.0005)
    seq = Experiment(MAS_HZ, s_rf_hz=50e3, i_pulse=IPulse(200e-6, 20e3), steps_per_period=200)
    cryst = _few_crystallites(2)
    t = np.array([0.0, 0.4, 0.8]) * 1e-3
    z0, z1 = simulate_dense(spins, t, seq, cryst.rotations(), cryst.weights)
    phase = np.exp(-1j * np.angle(z0))
    curve = simulate_curve(spins, t, seq, cryst)
    assert np.real(z0 * phase) == pytest.approx(curve.s0, abs=3e-3)
    assert np.real(z1 * phase) == pytest.approx(curve.s, abs=3e-3)
    assert curve.ds_s0[-1] > 0.1  # these crystallites do dephase


def _few_crystallites(n):
    """n crystallites of ZCW 21 away from its pole (β = π: no dipolar coupling under MAS)."""
    c = crystallite_set("zcw", 21, 1)
    pick = np.array([4, 13, 8, 17, 2])[:n]
    return Crystallites(c.alpha_rad[pick], c.beta_rad[pick], c.gamma_rad[pick],
                        np.full(n, 1.0 / n), "zcw")


@pytest.mark.slow
def test_fast_engine_equals_dense_for_two_spins():
    spins = [CoupledSpin(1.5, 400.0, (0, 0, 1), cq_hz=1e6),
             CoupledSpin(0.5, 250.0, (0.6, 0.0, 0.8))]
    seq = Experiment(MAS_HZ, s_rf_hz=50e3, i_pulse=IPulse(50e-6, 10e3), steps_per_period=100)
    cryst = _few_crystallites(4)
    t = np.array([0.4, 1.2]) * 1e-3
    z0, z1 = simulate_dense(spins, t, seq, cryst.rotations(), cryst.weights)
    phase = np.exp(-1j * np.angle(z0))
    curve = simulate_curve(spins, t, seq, cryst)
    assert np.real(z1 * phase) == pytest.approx(curve.s, abs=3e-3)
    assert curve.ds_s0[-1] > 0.1


def test_saturation_efficiency_grows_with_pulse_length():
    spin = CoupledSpin(2.5, D_HZ, cq_hz=5e6)
    cryst = crystallite_set("zcw", 233, 4)
    eff = [saturation_efficiency(spin, Experiment(MAS_HZ, i_pulse=IPulse(length, 10e3),
                                                  steps_per_period=48), cryst)
           for length in (100e-6, 300e-6, 1000e-6)]
    assert eff[0] < eff[1] < eff[2] < 1.0


def test_without_coupling_nothing_dephases():
    spin = CoupledSpin(2.5, 1e-6, cq_hz=3e6)
    seq = Experiment(MAS_HZ, i_pulse=IPulse(100e-6, 10e3), steps_per_period=32)
    curve = simulate_curve([spin], T_S[:3], seq, crystallite_set("zcw", 89, 2))
    assert np.max(np.abs(curve.ds_s0)) < 1e-6


def test_convergence_is_reported():
    curve = simulate_curve([CoupledSpin(1.5, D_HZ)], T_S, IDEAL, crystallite_set("zcw", 377, 4),
                           check_convergence=True)
    assert curve.convergence is not None and 0 <= curve.convergence < 0.02
    d = curve.to_dict()
    assert set(d) >= {"t_ms", "dS_S0", "S0", "S", "saturation_efficiency"}
    assert d["t_ms"][1] == pytest.approx(0.4)


@pytest.mark.parametrize(("kwargs", "t_s", "match"), [
    ({}, [0.45e-3], "not an even multiple of the rotor period.*0.4 ms .N = 4. and 0.6 ms"),
    ({}, [0.3e-3], "nearest are 0.2 ms .N = 2. and 0.4 ms"),
    ({}, [-0.4e-3], "must be ≥ 0"),
    ({"mas_hz": 0.0}, [0.0], "MAS rate must be positive"),
    ({"mas_hz": -5e3}, [0.0], "MAS rate must be positive"),
    ({"i_pulse": IPulse(150e-6, 10e3), "middle_periods": 1}, [0.4e-3], "longer than the middle"),
    ({"i_pulse": IPulse(100e-6, 0.0)}, [0.4e-3], "positive length and rf"),
    ({"recoupling": "c7"}, [0.4e-3], "recoupling"),
    ({"s_rf_hz": 5e3}, [0.4e-3], "does not fit twice"),
])
def test_bad_input(kwargs, t_s, match):
    seq = Experiment(**{"mas_hz": MAS_HZ, **kwargs})
    with pytest.raises(ParameterError, match=match):
        simulate_curve([CoupledSpin(2.5, D_HZ)], t_s, seq, crystallite_set("zcw", 21, 1))


def test_bad_spin_data_and_sets():
    with pytest.raises(ParameterError, match="C_Q"):
        simulate_curve([CoupledSpin(2.5, D_HZ, cq_hz=-1.0)], [0.0], IDEAL)
    with pytest.raises(ParameterError, match="dipolar"):
        simulate_curve([CoupledSpin(2.5, 0.0)], [0.0], IDEAL)
    with pytest.raises(ParameterError, match="crystallite set"):
        crystallite_set("repulsion", 100)


# --- command line -----------------------------------------------------------------------------


def _cli(capsys, argv):
    from cald.cli.app import main

    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


BASE = ["respdor", "simulate", "--pair", "13C-27Al", "--mas-khz", "10", "--t-ms", "0,0.8,1.6",
        "--crystallites", "89", "--rotor-phases", "4", "--steps-per-period", "32"]


def test_cli_ideal_matches_the_analytic_curve(capsys):
    import json

    code, out, err = _cli(capsys, [*BASE, "--r-angstrom", "2.5", "--ideal", "--crystallites",
                                   "610", "--json"])
    assert code == 0, err
    obj = json.loads(out)
    assert {"t_ms", "dS_S0", "S0", "S", "saturation_efficiency"} <= set(obj)
    assert obj["t_ms"] == [0.0, 0.8, 1.6] and obj["saturation_efficiency"] is None
    expected = dephasing(np.array(obj["t_ms"]) * 1e-3, obj["d_hz"][0], 1.0, 2.5)
    assert np.max(np.abs(np.array(obj["dS_S0"]) - expected)) < 0.01


def test_cli_saturation_pulse_and_geometry(tmp_path, capsys):
    import json

    xyz = tmp_path / "site.xyz"
    xyz.write_text("5\nC near two Al\nC 0 0 0\nAl 0 0 2.5\nAl 2.4 1.0 -1.5\nO 0 1.2 0\n"
                   "C 9 9 9\n")
    code, out, err = _cli(capsys, [*BASE, "--geometry", xyz, "--sat-pulse-us", "200",
                                   "--sat-rf-khz", "10", "--cq-mhz", "4", "--json"])
    assert code == 0, err
    obj = json.loads(out)
    assert obj["r_angstrom"] == pytest.approx([2.5, np.sqrt(2.4**2 + 1 + 1.5**2)])
    assert 0 < obj["saturation_efficiency"] < 1
    assert len(obj["saturation_efficiency_per_spin"]) == 2
    assert 0 < obj["dS_S0"][2] < 0.8


@pytest.mark.parametrize(("extra", "fragment"), [
    (["--r-angstrom", "2.5", "--t-ms", "0.5"], "not an even multiple"),
    (["--r-angstrom", "2.5", "--pair", "13C-99Xx"], "unknown isotope"),
    (["--r-angstrom", "2.5", "--pair", "27Al-13C"], "must have spin 1/2"),
    (["--r-angstrom", "0"], "--r-angstrom must be positive"),
    (["--r-angstrom", "2.5", "--mas-khz", "0"], "--mas-khz must be positive"),
    (["--r-angstrom", "2.5", "--sat-rf-khz", "-1"], "--sat-rf-khz must be positive"),
    (["--r-angstrom", "2.5", "--cq-mhz", "0"], "--cq-mhz must be positive"),
    (["--r-angstrom", "2.5", "--crystallite-set", "repulsion"], "zcw or legendre"),
    (["--r-angstrom", "2.5", "--s-rf-khz", "5"], "does not fit twice"),
    ([], "exactly one of --r-angstrom and --geometry"),
])
def test_cli_bad_input(capsys, extra, fragment):
    code, out, err = _cli(capsys, [*BASE, *extra])
    assert code == 2 and out == ""
    assert err.startswith("error:") and err.count("\n") == 1, err
    assert fragment in err, err


def test_cli_geometry_without_the_isotopes(tmp_path, capsys):
    xyz = tmp_path / "noal.xyz"
    xyz.write_text("2\nno aluminium\nC 0 0 0\nO 0 0 1.3\n")
    code, out, err = _cli(capsys, [*BASE, "--geometry", xyz])
    assert code == 2 and "holds no Al atom" in err and str(xyz) in err
    far = tmp_path / "far.xyz"
    far.write_text("2\nfar\nC 0 0 0\nAl 0 0 6\n")
    code, out, err = _cli(capsys, [*BASE, "--geometry", far])
    assert code == 2 and "no Al within 4 Å" in err


@pytest.mark.parametrize("eta", [0.0, 0.6])
def test_second_order_shift_gives_the_isotropic_central_transition_shift(eta):
    # powder and rotor-period average of the second-order shift of the levels: the central
    # transition moves by −(3/40) (C_Q²/ν0) [I(I+1) − 3/4] / [I²(2I−1)²] (1 + η²/3) (textbook
    # second-order quadrupolar shift, e.g. Freude and Haase, NMR Basic Principles and Progress
    # 29 (1993)); 27Al, C_Q = 5 MHz at 9.4 T: −1439 Hz for η = 0
    from cald.recoupling.spindynamics import _second_order_factors, _second_order_shift

    cq_hz, nu0_hz, spin = 5e6, 104.26e6, 2.5
    site = CoupledSpin(spin, 1.0, cq_hz=cq_hz, eta=eta)
    cryst = crystallite_set("legendre", 4000, 1)
    rot = cryst.rotations()
    v = rot @ site.efg_tensor() @ rot.transpose(0, 2, 1)
    c_q = 2 * np.pi * cq_hz / (2 * spin * (2 * spin - 1))
    f2 = _second_order_factors(spin) * c_q**2 / (2 * np.pi * nu0_hz)
    times = np.linspace(0.0, 1e-4, 16, endpoint=False)
    shift = np.mean([_second_order_shift(v, t, 2 * np.pi * 1e4, f2) for t in times], axis=0)
    levels_hz = cryst.weights @ shift / (2 * np.pi)  # m = 5/2 … −5/2
    expected = (-3 / 40 * cq_hz**2 / nu0_hz * (spin * (spin + 1) - 0.75)
                / (spin**2 * (2 * spin - 1) ** 2) * (1 + eta**2 / 3))
    assert levels_hz[3] - levels_hz[2] == pytest.approx(expected, rel=1e-6)
