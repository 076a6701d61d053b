"""CdSe sizing from the first exciton (Yu 2003, Jasieniak 2009), ε and concentration."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq

from cald.errors import ParameterError
from cald.qd.sizing import (
    concentration_um,
    diameter_nm_jasieniak2009,
    diameter_nm_yu2003,
    molar_absorptivity_per_m_cm,
    size_from_exciton,
)


@pytest.mark.parametrize(("curve", "expected_nm"), [(diameter_nm_yu2003, 495.0),
                                                     (diameter_nm_jasieniak2009, 488.0)])
def test_2_3_nm_matches_the_science_sheet(curve, expected_nm):
    """science.md §7: 2.3 nm ↔ λ ≈ 495 nm (Yu), 488 nm (Jasieniak); inverted numerically."""
    peak_nm = brentq(lambda lam: curve(lam) - 2.3, 400.0, 700.0)
    assert peak_nm == pytest.approx(expected_nm, abs=0.5)


def test_known_values_of_the_polynomials():
    # hand evaluation of the two polynomials at 600 nm
    assert diameter_nm_yu2003(600.0) == pytest.approx(4.58312, abs=1e-5)
    assert diameter_nm_jasieniak2009(600.0) == pytest.approx(4.629584, abs=1e-5)


@given(st.floats(394.0, 652.0), st.floats(0.5, 50.0))
def test_yu_diameter_increases_with_wavelength(lam, step):
    assert diameter_nm_yu2003(lam + step) > diameter_nm_yu2003(lam)


@given(st.floats(459.0, 657.0), st.floats(0.5, 50.0))
def test_jasieniak_diameter_increases_with_wavelength(lam, step):
    assert diameter_nm_jasieniak2009(lam + step) > diameter_nm_jasieniak2009(lam)


def test_extrapolation_is_flagged():
    inside = size_from_exciton(550.0, "jasieniak2009")
    assert not inside.extrapolated and inside.note is None
    below = size_from_exciton(440.0, "jasieniak2009")  # ≈ 1.8 nm < 2 nm
    assert below.extrapolated and "outside its calibrated 2–8 nm" in below.note
    assert not size_from_exciton(440.0, "yu2003").extrapolated  # Yu is calibrated down to 1.5 nm
    assert size_from_exciton(680.0).extrapolated  # > 8 nm for both
    with pytest.raises(ParameterError, match="model"):
        size_from_exciton(500.0, "peng")  # type: ignore[arg-type]


def test_absorptivity_and_concentration():
    eps = molar_absorptivity_per_m_cm(2.3)
    assert eps == pytest.approx(5857.0 * 2.3**2.65)
    # A = 0.1 in a 1 cm cell, stock diluted 10×: c = 0.1 / ε × 10 M
    assert concentration_um(0.1, eps, 1.0, 10.0) == pytest.approx(0.1 / eps * 10 * 1e6)
    assert concentration_um(0.5, 1e5, path_cm=0.5) == pytest.approx(10.0)


@pytest.mark.parametrize(("args", "name"), [((0.0, 1e5), "absorbance"),
                                            ((0.1, -1.0), "epsilon_per_m_cm"),
                                            ((0.1, 1e5, 0.0), "path_cm"),
                                            ((0.1, 1e5, 1.0, -2.0), "dilution")])
def test_non_positive_inputs_are_errors(args, name):
    with pytest.raises(ParameterError, match=name):
        concentration_um(*args)


@pytest.mark.parametrize("bad", [0.0, -500.0, float("nan")])
def test_non_positive_wavelength_or_diameter(bad):
    with pytest.raises(ParameterError, match="peak_nm"):
        diameter_nm_yu2003(bad)
    with pytest.raises(ParameterError, match="diameter_nm"):
        molar_absorptivity_per_m_cm(bad)
