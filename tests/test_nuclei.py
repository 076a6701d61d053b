"""Isotope table and dipolar couplings: known answers and a cross-check against mrsimulator."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cald.errors import ParameterError
from cald.nuclei import (
    ISOTOPES,
    dipolar_constant_hz_angstrom3,
    dipolar_coupling_hz,
    dipolar_from_coupling,
    dipolar_from_distance,
    distance_angstrom,
    get_isotope,
    larmor_mhz,
    parse_pair,
    parse_spin,
)

REQUIRED = ["1H", "2H", "13C", "15N", "17O", "27Al", "77Se", "111Cd", "113Cd"]


def test_required_isotopes_present():
    assert set(REQUIRED) <= set(ISOTOPES)


@pytest.mark.parametrize("symbol", sorted(ISOTOPES))
def test_against_mrsimulator_isotope_data(symbol):
    """Spin exact, γ to 1e-4 relative, abundance to 0.1 %-points, Q to 7 % (the sources differ:
    13C abundance 1.11 vs IUPAC 1.07, Q(27Al) 150 vs 146.6 mb, Q(14N) 19.3 vs 20.44 mb)."""
    isotope_mod = pytest.importorskip("mrsimulator.spin_system.isotope")
    ref = isotope_mod.Isotope(symbol=symbol)
    ours = ISOTOPES[symbol]
    assert ours.spin == ref.spin
    gamma_mhz_t = ours.gamma_rad_s_t / (2 * np.pi) / 1e6
    assert gamma_mhz_t == pytest.approx(ref.gyromagnetic_ratio, rel=1e-4)
    assert ours.abundance_percent == pytest.approx(ref.natural_abundance, abs=0.1)
    assert ours.q_mb / 1000 == pytest.approx(ref.quadrupole_moment, rel=0.07, abs=1e-6)


@pytest.mark.parametrize("symbol", sorted(ISOTOPES))
def test_xi_close_to_gamma_ratio(symbol):
    """Ξ/100 equals |γ_X/γ_1H| up to the shielding of the reference compound: below 1e-3 for light
    nuclei, up to ~5e-3 for heavy ones (Me2Se, Me2Cd are strongly shielded)."""
    iso, h = ISOTOPES[symbol], ISOTOPES["1H"]
    assert iso.xi_percent / 100 == pytest.approx(abs(iso.gamma_rad_s_t / h.gamma_rad_s_t), rel=5e-3)


@pytest.mark.parametrize(("symbol", "expected"),
                         [("13C", 100.61), ("27Al", 104.26), ("111Cd", 84.89), ("113Cd", 88.80)])
def test_larmor_at_400(symbol, expected):
    assert larmor_mhz(symbol, 400.13) == pytest.approx(expected, abs=0.005)


@pytest.mark.parametrize(("pair", "r", "d"),
                         [("13C-27Al", 2.5, 504.0), ("13C-27Al", 2.9, 323.0),
                          ("111Cd-27Al", 2.5, 427.0)])
def test_dipolar_known_values(pair, r, d):
    a, b = parse_pair(pair)
    assert float(dipolar_coupling_hz(r, a, b)) == pytest.approx(d, abs=0.5)


def test_dipolar_constant_13c_27al():
    assert dipolar_constant_hz_angstrom3(*parse_pair("13C-27Al")) == pytest.approx(7878, abs=1)


@given(st.floats(0.8, 20.0))
def test_distance_round_trip(r):
    a, b = parse_pair("13C-27Al")
    assert float(distance_angstrom(dipolar_coupling_hz(r, a, b), a, b)) == pytest.approx(r, rel=1e-12)


@given(st.floats(1.0, 5.0), st.floats(0.0, 0.3))
def test_error_propagation_matches_numerical_derivative(r, r_err):
    a, b = parse_pair("13C-27Al")
    c = dipolar_from_distance(r, a, b, r_err)
    h = 1e-6 * r
    slope = (dipolar_coupling_hz(r + h, a, b) - dipolar_coupling_hz(r - h, a, b)) / (2 * h)
    assert c.d_hz_err == pytest.approx(abs(float(slope)) * r_err, rel=1e-5, abs=1e-12)
    back = dipolar_from_coupling(c.d_hz, a, b, c.d_hz_err)
    assert back.r_angstrom == pytest.approx(r, rel=1e-12)
    assert back.r_angstrom_err == pytest.approx(r_err, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize(("text", "value"), [("5/2", 2.5), ("2.5", 2.5), ("1", 1.0), (" 3/2 ", 1.5)])
def test_parse_spin(text, value):
    assert parse_spin(text) == value


@pytest.mark.parametrize("text", ["abc", "0", "-1/2", "1/3", "0.7", "1/0", ""])
def test_parse_spin_rejects(text):
    with pytest.raises(ParameterError):
        parse_spin(text)


@pytest.mark.parametrize("text", ["Al27", "al-27", "27AL", " 27Al "])
def test_isotope_symbol_forms(text):
    assert get_isotope(text).symbol == "27Al"


@pytest.mark.parametrize("text", ["13C", "13C-27Al-1H", "13C-99Xx", ""])
def test_parse_pair_rejects(text):
    with pytest.raises(ParameterError):
        parse_pair(text)


def test_parse_pair_bracket_notation():
    s, i = parse_pair("13C{27Al}")
    assert (s.symbol, i.symbol) == ("13C", "27Al")


def test_physical_constants_match_scipy():
    from scipy import constants

    from cald.nuclei import HBAR_J_S, MU0_N_A2

    assert MU0_N_A2 == pytest.approx(constants.mu_0, rel=1e-10)
    assert HBAR_J_S == pytest.approx(constants.hbar, rel=1e-12)
