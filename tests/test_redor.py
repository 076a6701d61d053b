"""REDOR/RESPDOR curves: analytic limits, published check values and an independent brute-force
powder average written here (orientations × uniform (m, m') pairs, no Bessel functions)."""

from functools import partial

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cald.errors import ParameterError
from cald.recoupling.redor import (
    LAMBDA_TABLE_MAX,
    check_experiment,
    dephasing,
    plateau,
    redor_dephasing,
    redor_signal_direct,
    respdor_dephasing,
    respdor_plateau,
    respdor_short_time_coefficient,
    respdor_universal,
    respdor_universal_direct,
    short_time_coefficient,
)
from invariants import ModelInvariants

SPINS = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.5]


def brute_force_respdor(lam, spin, n_beta=400, n_gamma=256):
    """ΔS/S0 for f = 1 by direct powder and saturation averaging.

    Per crystallite (β, γ) the REDOR phase is φ = 2√2 λ sin2β sinγ; saturation turns level m into a
    uniformly random m', so the S signal is cos((m − m') φ) averaged over all (m, m') pairs.
    β: Gauss–Legendre on [0, π/2] with weight sin β; γ: trapezoid over the period.
    """
    x, w = np.polynomial.legendre.leggauss(n_beta)
    beta = (x + 1) * np.pi / 4
    w_beta = w * np.pi / 4 * np.sin(beta)
    gamma = np.arange(n_gamma) * 2 * np.pi / n_gamma
    m = np.arange(-spin, spin + 0.5, 1.0)
    dm = (m[:, None] - m[None, :]).ravel()
    out = []
    for lv in np.atleast_1d(lam):
        phase = 2 * np.sqrt(2) * lv * np.sin(2 * beta)[:, None] * np.sin(gamma)[None, :]
        signal = 0.0
        for k in dm:
            signal += np.sum(w_beta[:, None] * np.cos(k * phase)) / n_gamma
        out.append(1.0 - signal / dm.size)
    return np.array(out)


@pytest.mark.parametrize("spin", [0.5, 1.0, 1.5, 2.5])
def test_brute_force_agreement(spin):
    lam = np.array([0.05, 0.2, 0.5, 1.0, 1.7, 3.0])
    expected = brute_force_respdor(lam, spin)
    assert np.max(np.abs(respdor_universal(lam, spin) - expected)) < 1e-6
    assert np.max(np.abs(respdor_universal_direct(lam, spin) - expected)) < 1e-6


def test_redor_published_values():
    r = 1 - redor_dephasing([0.5, 1.0, 2.0], 1.0)
    np.testing.assert_allclose(r, [0.75758, 0.27166, 0.00880], atol=6e-6)
    np.testing.assert_allclose(redor_signal_direct([0.5, 1.0, 2.0]), [0.75758, 0.27166, 0.00880],
                               atol=6e-6)


@pytest.mark.parametrize(("spin", "values"),
                         [(2.5, [0.20302, 0.55789, 0.73166]), (1.5, [0.09774, 0.40096, 0.62998])])
def test_respdor_check_values(spin, values):
    np.testing.assert_allclose(respdor_universal([0.2, 0.5, 1.0], spin), values, atol=6e-6)


@pytest.mark.parametrize("spin", SPINS)
def test_zero_at_origin(spin):
    assert respdor_universal(0.0, spin) == pytest.approx(0.0, abs=1e-12)
    assert respdor_universal_direct(0.0, spin) == 0.0


@pytest.mark.parametrize("spin", SPINS)
def test_short_time_limit(spin):
    c = respdor_short_time_coefficient(spin)
    for lam in (1e-3, 3e-3):
        assert respdor_universal_direct(lam, spin) / lam**2 == pytest.approx(c, rel=1e-3)
    assert respdor_universal(0.01, spin) / 0.01**2 == pytest.approx(c, rel=2e-3)


def test_short_time_coefficients():
    assert respdor_short_time_coefficient(2.5) == pytest.approx(32 / 45 * 2.5 * 3.5)
    # spin-1/2 REDOR: 1 − R ≈ (16/15) λ²
    lam = 2e-3
    assert redor_dephasing(lam, 1.0) / lam**2 == pytest.approx(16 / 15, rel=1e-4)


@pytest.mark.parametrize("spin", SPINS)
def test_plateau(spin):
    """Long-time mean of g_I is 2I/(2I+1); oscillations decay like 1/λ."""
    lam = np.linspace(200, 400, 20001)
    assert np.mean(respdor_universal(lam, spin)) == pytest.approx(respdor_plateau(spin), abs=2e-3)
    assert respdor_plateau(spin) == pytest.approx(2 * spin / (2 * spin + 1))


@pytest.mark.parametrize("spin", SPINS)
def test_table_accuracy_dense(spin):
    lam = np.linspace(0.0, LAMBDA_TABLE_MAX, 200_001)
    assert np.max(np.abs(respdor_universal(lam, spin) - respdor_universal_direct(lam, spin))) < 1e-6


@given(st.lists(st.floats(0.0, 60.0), min_size=1, max_size=30), st.sampled_from(SPINS))
def test_fast_matches_direct_everywhere(lams, spin):
    lam = np.array(lams)
    np.testing.assert_allclose(respdor_universal(lam, spin), respdor_universal_direct(lam, spin),
                               atol=1e-6, rtol=0)


def test_even_in_lambda_and_shapes():
    lam = np.linspace(0, 5, 12).reshape(3, 4)
    out = respdor_universal(-lam, 2.5)
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out, respdor_universal(lam, 2.5))


def test_input_not_mutated():
    t = np.linspace(0, 3e-3, 7)
    copy = t.copy()
    respdor_dephasing(t, 503.0, 0.24, 2.5)
    np.testing.assert_array_equal(t, copy)


def test_dephasing_scales_with_f_kappa_and_d():
    t = np.linspace(1e-4, 3e-3, 9)
    base = respdor_dephasing(t, 500.0, 1.0, 2.5)
    np.testing.assert_allclose(respdor_dephasing(t, 500.0, 0.3, 2.5), 0.3 * base)
    np.testing.assert_allclose(respdor_dephasing(t, 1000.0, 1.0, 2.5, kappa=0.5), base)
    np.testing.assert_allclose(respdor_dephasing(t / 2, 1000.0, 1.0, 2.5), base)


@pytest.mark.parametrize("spin", [0.0, 0.3, -0.5])
def test_bad_spin(spin):
    with pytest.raises(ValueError):
        respdor_universal(0.5, spin)


# --- REDOR (π-pulse inversion of a spin-1/2 partner) next to RESPDOR -----------------------


def test_redor_curve_is_one_minus_r_with_plateau_f():
    lam = np.linspace(0.0, 6.0, 61)
    t_s = lam / 800.0
    got = dephasing(t_s, 800.0, 0.86, 0.5, 1.0, "redor")
    np.testing.assert_allclose(got, 0.86 * (1.0 - redor_signal_direct(lam)), atol=1e-7)
    assert plateau(0.5, "redor") == 1.0
    assert plateau(0.5, "respdor") == pytest.approx(0.5)
    # REDOR dephases twice as fast as spin-1/2 RESPDOR, which saturates half the partners
    np.testing.assert_allclose(got, 2.0 * dephasing(t_s, 800.0, 0.86, 0.5, 1.0, "respdor"))


def test_redor_short_time_coefficient():
    lam = 1e-3
    assert (1.0 - redor_signal_direct(lam)) / lam**2 == pytest.approx(
        short_time_coefficient(0.5, "redor"), rel=1e-5)


@pytest.mark.parametrize(("experiment", "spin", "fragment"),
                         [("redor", 2.5, "respdor"), ("redor", 1.0, "spin 1"), ("rdor", 0.5, "rdor")])
def test_redor_refuses_quadrupolar_partner_and_unknown_experiment(experiment, spin, fragment):
    with pytest.raises(ParameterError, match=fragment):
        check_experiment(experiment, spin)
    with pytest.raises(ParameterError):
        dephasing([1e-3], 500.0, 1.0, spin, 1.0, experiment)


# --- shared invariants (tests/invariants.py) of the curves -----------------------------------


class _CurveInvariants(ModelInvariants):
    """ΔS/S0 against t (s): s → ms scales t by 10³ and D by 10⁻³, the curve is unchanged."""

    x = np.linspace(0.0, 5e-3, 201)
    params = {"d_hz": 503.0, "f": 0.8}
    scaling = {"d_hz": -1.0}
    unit_factor = 1e3
    scaling_rtol = 1e-9


class TestRespdorCurveInvariants(_CurveInvariants):
    function = staticmethod(partial(dephasing, spin=2.5, kappa=1.0, experiment="respdor"))


class TestSpinHalfRespdorCurveInvariants(_CurveInvariants):
    function = staticmethod(partial(dephasing, spin=0.5, kappa=1.0, experiment="respdor"))


class TestRedorCurveInvariants(_CurveInvariants):
    function = staticmethod(partial(dephasing, spin=0.5, kappa=1.0, experiment="redor"))
