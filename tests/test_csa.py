"""CSA of spin-1/2 nuclei: tensor conventions, mrsimulator lineshapes, sideband and PASS fits.

Independent references written here: hand-computed tensors, a brute-force powder average of the
MAS phase (Herzfeld–Berger intensities in the δ convention, without mrsimulator), and test spectra
simulated by mrsimulator directly on the spectrum's axis (δiso inside mrsimulator, broadening by
its own signal processor) rather than by the module's shift-and-broaden engine.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.signal import find_peaks
from scipy.spatial.transform import Rotation

from cald.errors import InputError, ParameterError
from cald.fitting import FitResult
from cald.lineshape.csafit import CsaSite, fit_csa
from cald.lineshape.manifolds import find_manifolds
from cald.lineshape.pass_ import fit_pass, pass_isotropic_spectrum, synthetic_pass
from cald.lineshape.sidebands import (
    SidebandTable,
    csa_sideband_spectrum,
    mrsim_spectral_dimension,
    sideband_intensities,
)
from cald.lineshape.tensor import (
    CsaTensor,
    haeberlen_to_herzfeld_berger,
    haeberlen_to_principal,
    herzfeld_berger_to_haeberlen,
    herzfeld_berger_to_mehring,
    mehring_to_herzfeld_berger,
    principal_to_haeberlen,
    principal_to_mehring,
)
from cald.nuclei import larmor_mhz
from cald.spectrum import Spectrum
from cald.tables import TableStore
from invariants import AreaInvariants, FitInvariants

mrsimulator = pytest.importorskip("mrsimulator")

FIELD_1H = 400.13  # MHz, 9.4 T as in the study
NU_CD = larmor_mhz("113Cd", FIELD_1H)
CD_AXIS = np.linspace(300.0, -1300.0, 2048)  # TopSpin order: decreasing ppm


# --- conventions: hand-computed cases -------------------------------------------------------


def test_hand_computed_general_tensor():
    # principal values 100, 50, −30: δiso 40, deviations 60, 10, −70
    iso, zeta, eta = principal_to_haeberlen(50.0, -30.0, 100.0)
    assert (iso, zeta, eta) == pytest.approx((40.0, -70.0, 5.0 / 7.0))
    assert principal_to_mehring(50.0, -30.0, 100.0) == pytest.approx((100.0, 50.0, -30.0))
    assert mehring_to_herzfeld_berger(100.0, 50.0, -30.0) == pytest.approx((40.0, 130.0, 3.0 / 13.0))
    assert haeberlen_to_herzfeld_berger(40.0, -70.0, 5.0 / 7.0) == pytest.approx((40.0, 130.0, 3.0 / 13.0))
    xx, yy, zz = haeberlen_to_principal(40.0, -70.0, 5.0 / 7.0)
    assert (xx, yy, zz) == pytest.approx((100.0, 50.0, -30.0))


@pytest.mark.parametrize(("iso", "zeta", "mehring", "omega", "kappa"), [
    (0.0, 100.0, (100.0, -50.0, -50.0), 150.0, -1.0),   # axial, ζ > 0: δ11 unique, κ = −1
    (10.0, -60.0, (40.0, 40.0, -50.0), 90.0, 1.0),      # axial, ζ < 0: δ33 unique, κ = +1
])
def test_axial_tensors_and_sign_of_zeta(iso, zeta, mehring, omega, kappa):
    assert principal_to_mehring(*haeberlen_to_principal(iso, zeta, 0.0)) == pytest.approx(mehring)
    assert haeberlen_to_herzfeld_berger(iso, zeta, 0.0) == pytest.approx((iso, omega, kappa))
    assert herzfeld_berger_to_haeberlen(iso, omega, kappa) == pytest.approx((iso, zeta, 0.0))
    t = CsaTensor.from_haeberlen(iso, zeta, 0.0)
    assert (t.delta_11_ppm, t.delta_22_ppm, t.delta_33_ppm) == pytest.approx(mehring)
    assert np.sign(t.delta_zz_ppm - iso) == np.sign(zeta)


def test_eta_one_tie_takes_positive_zeta_and_kappa_zero():
    assert principal_to_haeberlen(-100.0, 0.0, 100.0) == pytest.approx((0.0, 100.0, 1.0))
    assert haeberlen_to_herzfeld_berger(0.0, -100.0, 1.0) == pytest.approx((0.0, 200.0, 0.0))
    assert haeberlen_to_herzfeld_berger(0.0, 100.0, 1.0) == pytest.approx((0.0, 200.0, 0.0))


def test_zero_anisotropy_kappa_undefined():
    _, omega, kappa = mehring_to_herzfeld_berger(5.0, 5.0, 5.0)
    assert omega == 0.0 and np.isnan(kappa)
    assert principal_to_haeberlen(5.0, 5.0, 5.0) == pytest.approx((5.0, 0.0, 0.0))
    d = CsaTensor.from_haeberlen(5.0, 0.0, 0.0).to_dict()
    assert d["kappa"] is None and d["omega_ppm"] == 0.0


def test_conversions_are_vectorised():
    iso = np.array([0.0, 10.0, -320.0])
    zeta = np.array([100.0, -60.0, -350.0])
    eta = np.array([0.0, 0.5, 0.2])
    back = principal_to_haeberlen(*haeberlen_to_principal(iso, zeta, eta))
    for got, want in zip(back, (iso, zeta, eta), strict=True):
        assert got == pytest.approx(want)


# --- conventions: round trips (hypothesis) --------------------------------------------------

shift = st.floats(-2000.0, 2000.0, allow_nan=False)
zeta_st = st.floats(1.0, 1500.0).flatmap(lambda z: st.sampled_from([z, -z]))


@settings(max_examples=200, deadline=None)
@given(shift, shift, shift)
def test_principal_haeberlen_round_trip(d1, d2, d3):
    iso, zeta, eta = principal_to_haeberlen(d1, d2, d3)
    assert 0.0 <= eta <= 1.0
    xx, yy, zz = haeberlen_to_principal(iso, zeta, eta)
    assert sorted([float(xx), float(yy), float(zz)]) == pytest.approx(sorted([d1, d2, d3]), abs=1e-9)
    # Haeberlen ordering |δzz − δiso| ≥ |δxx − δiso| ≥ |δyy − δiso|
    assert abs(zz - iso) >= abs(xx - iso) - 1e-9 >= abs(yy - iso) - 2e-9
    assert float(zeta) == pytest.approx(float(zz - iso), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(shift, zeta_st, st.floats(0.0, 1.0))
def test_haeberlen_herzfeld_berger_round_trip(iso, zeta, eta):
    i2, omega, kappa = haeberlen_to_herzfeld_berger(iso, zeta, eta)
    assert omega >= 0 and -1.0 - 1e-12 <= kappa <= 1.0 + 1e-12
    # closed form equals the route through the Mehring components
    via = mehring_to_herzfeld_berger(*principal_to_mehring(*haeberlen_to_principal(iso, zeta, eta)))
    assert (i2, omega, kappa) == pytest.approx(via, abs=1e-9)
    iso_b, zeta_b, eta_b = herzfeld_berger_to_haeberlen(i2, omega, kappa)
    assert float(iso_b) == pytest.approx(iso, abs=1e-9)
    if eta < 1.0 - 1e-9:
        assert float(zeta_b) == pytest.approx(zeta, rel=1e-9, abs=1e-9)
        assert float(eta_b) == pytest.approx(eta, abs=1e-9)
    # in every case the same three principal components
    a = sorted(map(float, haeberlen_to_principal(iso_b, zeta_b, eta_b)))
    assert a == pytest.approx(sorted(map(float, haeberlen_to_principal(iso, zeta, eta))), abs=1e-8)


@settings(max_examples=100, deadline=None)
@given(shift, st.floats(0.0, 3000.0), st.floats(-1.0, 1.0))
def test_mehring_herzfeld_berger_round_trip(iso, omega, kappa):
    d11, d22, d33 = herzfeld_berger_to_mehring(iso, omega, kappa)
    assert d11 >= d22 - 1e-9 and d22 >= d33 - 1e-9
    back = mehring_to_herzfeld_berger(d11, d22, d33)
    assert back[0] == pytest.approx(iso, abs=1e-9) and back[1] == pytest.approx(omega, abs=1e-9)
    if omega > 1e-3 * max(1.0, abs(iso)):  # κ is a ratio over Ω: cancellation below that
        assert back[2] == pytest.approx(kappa, abs=1e-8)


# --- conventions: first-order propagation -----------------------------------------------------


@pytest.mark.parametrize(("iso", "zeta", "eta"), [(-320.0, -350.0, 0.2), (-630.0, 150.0, 0.8),
                                                   (184.0, 80.0, 0.45)])
def test_error_propagation_matches_numerical_jacobian(iso, zeta, eta):
    rng = np.random.default_rng(3)
    a = rng.normal(size=(3, 3)) * np.array([0.3, 2.0, 0.02])
    cov = a @ a.T
    t = CsaTensor.from_haeberlen(iso, zeta, eta, cov)

    def outputs(x):
        xx, yy, zz = haeberlen_to_principal(*x)
        d11, d22, d33 = principal_to_mehring(xx, yy, zz)
        _, om, ka = haeberlen_to_herzfeld_berger(*x)
        return np.array([xx, yy, zz, d11, d22, d33, om, ka], dtype=float)

    x0 = np.array([iso, zeta, eta])
    h = np.array([1e-4, 1e-4, 1e-6])
    jac = np.column_stack([(outputs(x0 + h[i] * np.eye(3)[i]) - outputs(x0 - h[i] * np.eye(3)[i]))
                           / (2 * h[i]) for i in range(3)])
    want = np.sqrt(np.diag(jac @ cov @ jac.T))
    got = [t.delta_xx_ppm_err, t.delta_yy_ppm_err, t.delta_zz_ppm_err, t.delta_11_ppm_err,
           t.delta_22_ppm_err, t.delta_33_ppm_err, t.omega_ppm_err, t.kappa_err]
    assert got == pytest.approx(want, rel=1e-5)
    assert t.iso_ppm_err == pytest.approx(np.sqrt(cov[0, 0]))


def test_an_input_without_error_leaves_everything_derived_from_it_without_one():
    """η at a bound (or consistent with 0): Ω, κ, δxx, δyy have no error (not η held fixed);
    δzz = δiso + ζ does not involve η and keeps its error."""
    cov = np.diag([0.3, 4.0, 0.0]) ** 2  # η's row zeroed, as for η at a bound
    t = CsaTensor.from_haeberlen(-320.0, -350.0, 0.0, cov, without_error={"eta"})
    assert t.eta_err is None and t.kappa_err is None and t.omega_ppm_err is None
    assert t.delta_xx_ppm_err is None and t.delta_yy_ppm_err is None
    assert t.delta_zz_ppm_err == pytest.approx(np.hypot(0.3, 4.0))
    assert t.iso_ppm_err == pytest.approx(0.3) and t.zeta_ppm_err == pytest.approx(4.0)
    # ζ < 0: δ11 = δxx, δ33 = δzz
    assert t.delta_11_ppm_err is None and t.delta_33_ppm_err == pytest.approx(t.delta_zz_ppm_err)
    t = CsaTensor.from_haeberlen(-320.0, -350.0, 0.3, cov, without_error={"iso"})
    assert t.kappa_err is not None and t.omega_ppm_err is not None and t.delta_zz_ppm_err is None


def test_fit_site_with_eta_consistent_with_zero_gives_no_derived_errors():
    """csafit's site tensor: η² consistent with 0 → no κ error (it was 0.0: η held fixed) and a
    note; a parameter at a bound does the same for what depends on it."""
    from types import SimpleNamespace

    from cald.lineshape.csafit import _Covariance, _site_tensor

    names = ["s0_iso_ppm", "s0_zeta_ppm", "s0_eta2"]
    vals = {"s0_iso_ppm": -320.0, "s0_zeta_ppm": -350.0, "s0_eta2": 1e-4, "s0_eta": 1e-2}
    out = SimpleNamespace(var_names=names, covar=np.diag([0.09, 16.0, 1e-4]))
    t, notes = _site_tensor(0, vals, _Covariance(out, set()), 1.0)
    assert t.kappa_err is None and t.omega_ppm_err is None and t.eta_err is None
    assert t.delta_zz_ppm_err is not None
    assert any("consistent with 0" in n and "Ω" in n for n in notes)
    vals = {**vals, "s0_eta2": 0.0, "s0_eta": 0.0}
    t, notes = _site_tensor(0, vals, _Covariance(out, {"s0_eta2"}), 1.0)
    assert t.kappa_err is None and t.delta_11_ppm_err is None and t.delta_33_ppm_err is not None
    assert any("derived from eta2 at a bound" in n for n in notes)


def test_fit_fractions_have_no_error_when_an_area_is_at_its_bound():
    """An area at 0 (its bound) has a zeroed covariance row; the fractions computed from it then
    have no error (they had one that ignored that area) and a note."""
    from types import SimpleNamespace

    from cald.lineshape.csafit import _Covariance, _site_results

    names, vals = [], {}
    for i, (iso, area) in enumerate(((-320.0, 0.7), (-630.0, 0.0))):
        v = {f"s{i}_iso_ppm": iso, f"s{i}_zeta_ppm": -350.0, f"s{i}_eta2": 0.25, f"s{i}_eta": 0.5,
             f"s{i}_lorentz_hz": 100.0, f"s{i}_area": area}
        vals |= v
        names += [n for n in v if n != f"s{i}_eta"]
    out = SimpleNamespace(var_names=names, covar=np.eye(len(names)) * 1e-4)
    pb = SimpleNamespace(scale=1.0, ax=SimpleNamespace(step=0.1))
    states = [SimpleNamespace(label="a"), SimpleNamespace(label="b")]
    free = _site_results(pb, states, vals, _Covariance(out, set()))
    assert all(s.fraction_err is not None for s in free)
    res = _site_results(pb, states, vals, _Covariance(out, {"s1_area"}))
    assert [s.fraction for s in res] == pytest.approx([1.0, 0.0])
    assert all(s.fraction_err is None for s in res)
    assert all(any("derived from s1_area at a bound" in n for n in s.notes) for s in res)


# --- lineshapes: sign of ζ, Herzfeld–Berger intensities, placement on the axis ---------------


def test_static_pattern_puts_delta_zz_at_iso_plus_zeta():
    # δ convention: ζ > 0, η = 0 → edge at δzz = δiso + ζ (high ppm), horn at δiso − ζ/2
    ppm = np.linspace(300.0, -300.0, 3001)
    y = csa_sideband_spectrum(ppm, 0.0, 100.0, 0.0, mas_hz=0.0, larmor_mhz=100.0, nucleus="13C",
                              fwhm_lorentz_hz=100.0)
    assert ppm[np.argmax(y)] == pytest.approx(-50.0, abs=2.0)
    support = ppm[y > 0.02 * y.max()]
    assert support.max() == pytest.approx(100.0, abs=3.0)
    assert support.min() == pytest.approx(-50.0, abs=6.0)  # Lorentzian tail of the horn
    flipped = csa_sideband_spectrum(ppm, 0.0, -100.0, 0.0, mas_hz=0.0, larmor_mhz=100.0,
                                    nucleus="13C", fwhm_lorentz_hz=100.0)
    assert flipped == pytest.approx(y[::-1], abs=1e-3 * y.max())


def brute_force_sidebands(zeta, eta, nu0_mhz, mas_hz, orders, n=12000, samples=256, seed=1):
    """⟨|F_k|²⟩ over random crystallites, F_k the Fourier coefficients of exp(iΦ(φ)) over one rotor
    period, Φ the integral of ν(φ) = ν0 · b(φ)ᵀ R Δ Rᵀ b(φ) (shift convention, b the field
    direction in the rotor frame at the magic angle). Order k at +k ν_r."""
    dxx, dyy, dzz = (float(v) for v in haeberlen_to_principal(0.0, zeta, eta))
    r = Rotation.random(n, random_state=seed).as_matrix()
    a = r @ (np.diag([dxx, dyy, dzz]) * nu0_mhz) @ np.transpose(r, (0, 2, 1))
    th = np.arccos(1.0 / np.sqrt(3.0))
    phi = 2 * np.pi * np.arange(samples) / samples
    b = np.stack([np.sin(th) * np.cos(phi), np.sin(th) * np.sin(phi), np.full_like(phi, np.cos(th))])
    nu = np.einsum("ip,nij,jp->np", b, a, b)
    c = np.fft.fft(nu, axis=1) / samples
    phase = np.zeros_like(nu)
    for m in (1, 2):
        for sgn, idx in ((1, m), (-1, samples - m)):
            phase += np.real(c[:, idx][:, None] * (np.exp(1j * sgn * m * phi) - 1) / (1j * sgn * m))
    phase /= mas_hz  # Φ = 2π ∫ ν dt with dt = dφ / (2π ν_r), in radians
    f = np.fft.fft(np.exp(1j * phase), axis=1) / samples
    return np.mean(np.abs(f) ** 2, axis=0)[np.asarray(orders) % samples]


@pytest.mark.parametrize(("zeta", "eta"), [(300.0, 0.4), (-300.0, 0.4), (-150.0, 0.0)])
def test_sideband_intensities_match_brute_force(zeta, eta):
    orders = np.arange(-6, 7)
    mr = sideband_intensities(zeta, eta, orders, mas_hz=8000.0, larmor_mhz=88.8, nucleus="113Cd")
    bf = brute_force_sidebands(zeta, eta, 88.8, 8000.0, orders)
    assert mr == pytest.approx(bf, abs=5e-3)
    assert np.sum(sideband_intensities(zeta, eta, np.arange(-40, 41), mas_hz=8000.0, larmor_mhz=88.8,
                                       nucleus="113Cd")) == pytest.approx(1.0, abs=1e-6)
    # ζ → −ζ mirrors the manifold about δiso
    mirror = sideband_intensities(-zeta, eta, orders, mas_hz=8000.0, larmor_mhz=88.8, nucleus="113Cd")
    assert mirror == pytest.approx(mr[::-1], abs=1e-9)


def direct_mrsim(ppm, sites, nucleus, nu0_mhz, mas_hz, lineshape="lorentzian"):
    """Sites simulated by mrsimulator on the axis itself (δiso inside mrsimulator, broadening by its
    signal processor), each scaled to its area (intensity × ppm). sites: (iso, ζ, η, area, fwhm)."""
    from mrsimulator import Simulator, Site, SpinSystem
    from mrsimulator import signal_processor as sp
    from mrsimulator.method.lib import BlochDecaySpectrum
    from mrsimulator.spin_system.isotope import Isotope

    dim = mrsim_spectral_dimension(ppm, nu0_mhz)
    b0 = Isotope(symbol=nucleus).ref_freq_to_B0(nu0_mhz * 1e6)
    step = abs(ppm[1] - ppm[0])
    total = np.zeros(len(ppm))
    for iso, zeta, eta, area, fwhm in sites:
        method = BlochDecaySpectrum(channels=[nucleus], magnetic_flux_density=b0, rotor_frequency=mas_hz,
                                    spectral_dimensions=[dim])
        site = Site(isotope=nucleus, isotropic_chemical_shift=iso,
                    shielding_symmetric={"zeta": -zeta, "eta": eta})  # mrsimulator: shielding
        sim = Simulator(spin_systems=[SpinSystem(sites=[site])], methods=[method])
        sim.run()
        apod = (sp.apodization.Exponential(FWHM=f"{fwhm} Hz") if lineshape == "lorentzian"
                else sp.apodization.Gaussian(FWHM=f"{fwhm} Hz"))
        out = sp.SignalProcessor(operations=[sp.IFFT(), apod, sp.FFT()]).apply_operations(
            dataset=sim.methods[0].simulation)
        y = np.asarray(out.y[0].components[0].real)
        total += area * y / y.sum() / step
    return total[::-1] if ppm[0] > ppm[-1] else total


def test_mrsim_dimension_coincides_with_the_axis():
    from mrsimulator.method import SpectralDimension

    dim = SpectralDimension(**mrsim_spectral_dimension(CD_AXIS, NU_CD))
    assert dim.coordinates_ppm() == pytest.approx(CD_AXIS[::-1], abs=1e-9)


def test_engine_matches_direct_mrsimulator_on_the_axis():
    # δiso on an axis point, no broadening: the same binning (up to mrsimulator's rounding of
    # sideband positions against differently offset bins)
    iso = float(CD_AXIS[700])
    mine = csa_sideband_spectrum(CD_AXIS, iso, -350.0, 0.2, mas_hz=8000.0, larmor_mhz=NU_CD)
    direct = direct_mrsim(CD_AXIS, [(iso, -350.0, 0.2, 1.0, 0.0)], "113Cd", NU_CD, 8000.0)
    assert mine == pytest.approx(direct, abs=1e-4 * direct.max())
    # δiso between points, broadened by mrsimulator's own apodization: interpolation differences only
    mine = csa_sideband_spectrum(CD_AXIS, -320.3, -350.0, 0.2, mas_hz=8000.0, larmor_mhz=NU_CD,
                                 fwhm_lorentz_hz=500.0)
    direct = direct_mrsim(CD_AXIS, [(-320.3, -350.0, 0.2, 1.0, 500.0)], "113Cd", NU_CD, 8000.0)
    assert np.max(np.abs(mine - direct)) < 0.015 * direct.max()
    assert CD_AXIS[np.argmax(mine)] == CD_AXIS[np.argmax(direct)]


def test_sidebands_sit_at_multiples_of_the_spinning_rate():
    y = csa_sideband_spectrum(CD_AXIS, -320.0, -350.0, 0.2, mas_hz=8000.0, larmor_mhz=NU_CD,
                              fwhm_lorentz_hz=300.0)
    idx, _ = find_peaks(y, height=0.01 * y.max())
    orders = (CD_AXIS[idx] + 320.0) / (8000.0 / NU_CD)
    assert orders == pytest.approx(np.round(orders), abs=0.02)
    assert len(idx) >= 7


# --- shared invariants of the lineshape models ----------------------------------------------

INV_AXIS = np.linspace(400.0, -1100.0, 1500)


def _pass_iso(ppm, amplitude):
    rows = synthetic_pass(ppm, [{"iso_ppm": -320.0, "zeta_ppm": -300.0, "eta": 0.3, "area": amplitude,
                                 "linewidth_hz": 400.0}], mas_hz=8000.0, sf_mhz=NU_CD,
                          orders=range(-10, 11))
    return np.asarray(pass_isotropic_spectrum(rows).values)


MODELS = {
    "mas_lorentzian": lambda ppm, amplitude: csa_sideband_spectrum(
        ppm, -320.0, -300.0, 0.3, mas_hz=8000.0, larmor_mhz=NU_CD, amplitude=amplitude,
        fwhm_lorentz_hz=400.0),
    "mas_voigt_13C": lambda ppm, amplitude: csa_sideband_spectrum(
        ppm, 150.0, 120.0, 0.7, mas_hz=10000.0, larmor_mhz=100.6, nucleus="13C", amplitude=amplitude,
        fwhm_lorentz_hz=300.0, fwhm_gauss_hz=300.0),
    "static_gaussian": lambda ppm, amplitude: csa_sideband_spectrum(
        ppm, -320.0, 150.0, 0.5, mas_hz=0.0, larmor_mhz=NU_CD, amplitude=amplitude, fwhm_gauss_hz=500.0),
    "pass_isotropic": _pass_iso,
}


@pytest.mark.parametrize("name", MODELS)
def test_invariants(name):
    model = MODELS[name]
    ppm = INV_AXIS.copy()
    y = model(ppm, 1.0)
    assert np.all(np.isfinite(y)) and y.shape == ppm.shape
    assert np.array_equal(ppm, INV_AXIS)  # input not mutated
    step = abs(ppm[1] - ppm[0])
    assert np.sum(y) * step == pytest.approx(1.0, abs=0.01)  # area = amplitude (all on the axis)
    assert model(ppm, 2.5) == pytest.approx(2.5 * y, rel=1e-9, abs=1e-12)
    assert model(ppm[::-1].copy(), 1.0) == pytest.approx(y[::-1], rel=1e-9, abs=1e-9 * y.max())


# --- fits: recovery from independent mrsimulator spectra with noise ---------------------------

RECOVERY_CASES = {
    # nucleus, 1H MHz, MAS Hz, axis, sites (iso, ζ, η, fraction, FWHM Hz), lineshape, give sites
    "113Cd two sites (study), given": (
        "113Cd", FIELD_1H, 8000.0, CD_AXIS,
        [(-320.0, -350.0, 0.2, 0.6, 500.0), (-630.0, 150.0, 0.8, 0.4, 400.0)], "lorentzian", True),
    "113Cd picked, η = 0, opposite signs": (
        "113Cd", FIELD_1H, 8000.0, CD_AXIS,
        [(-320.0, 400.0, 0.0, 0.35, 600.0), (-630.0, -200.0, 0.5, 0.65, 450.0)], "lorentzian", False),
    "113Cd three sites with the small-CSA core": (
        "113Cd", FIELD_1H, 8000.0, CD_AXIS,
        [(-50.0, 40.0, 0.5, 0.25, 350.0), (-320.0, -350.0, 0.3, 0.45, 500.0),
         (-630.0, 150.0, 0.8, 0.30, 400.0)], "lorentzian", True),
    "13C Gaussian lines, η = 1": (
        "13C", FIELD_1H, 5000.0, np.linspace(450.0, -150.0, 2048),
        [(184.0, -80.0, 0.6, 0.5, 150.0), (130.0, 100.0, 1.0, 0.5, 200.0)], "gaussian", True),
}


def _noisy(nucleus, field, mas, axis, sites, lineshape, seed=0, snr=300.0):
    nu0 = larmor_mhz(nucleus, field)
    y = direct_mrsim(axis, [(i, z, e, f, w) for i, z, e, f, w in sites], nucleus, nu0, mas, lineshape)
    y = y + np.random.default_rng(seed).normal(0.0, y.max() / snr, y.size)
    return Spectrum(y, axis.copy(), "ppm", nucleus, nu0, source="test")


@pytest.mark.parametrize("case", RECOVERY_CASES)
def test_recovery_with_noise(case):
    nucleus, field, mas, axis, sites, lineshape, give = RECOVERY_CASES[case]
    spec = _noisy(nucleus, field, mas, axis, sites, lineshape)
    res = fit_csa(spec, mas_hz=mas, sites=[s[0] for s in sites] if give else None,
                  n_sites=len(sites), lineshape=lineshape)
    assert res.success
    assert 0.7 < res.redchi < 1.3
    got = sorted(res.sites, key=lambda s: -s.tensor.iso_ppm)
    for (iso, zeta, eta, frac, fwhm), s in zip(sorted(sites, key=lambda s: -s[0]), got, strict=True):
        t = s.tensor
        assert t.iso_ppm == pytest.approx(iso, abs=0.5)
        assert s.fraction == pytest.approx(frac, abs=0.03)
        assert s.fraction_err is not None and s.fraction_err < 0.03
        assert s.fwhm_hz == pytest.approx(fwhm, rel=0.1)
        eta_determined = t.eta_err is not None
        if not eta_determined:  # pinned on a bound (η = 0 or 1): said so, never a bare number
            assert any("at a bound" in n for n in s.notes)
        if eta < 0.9:
            tol = max(4 * (t.zeta_ppm_err or 0.0), 0.03 * abs(zeta), 1.0)
            assert t.zeta_ppm == pytest.approx(zeta, abs=tol)
        if eta_determined:
            assert t.eta == pytest.approx(eta, abs=max(4 * t.eta_err, 0.05))
        if eta_determined or eta in (0.0, 1.0):
            # all conventions agree, whatever the sign ambiguity at η ≈ 1
            want = principal_to_mehring(*haeberlen_to_principal(iso, zeta, eta))
            omega = float(haeberlen_to_herzfeld_berger(iso, zeta, eta)[1])
            assert (t.delta_11_ppm, t.delta_22_ppm, t.delta_33_ppm) == pytest.approx(
                [float(v) for v in want], abs=max(0.05 * omega, 3.0))


@pytest.fixture(scope="module")
def two_site_result():
    nucleus, field, mas, axis, sites, lineshape, _ = RECOVERY_CASES["113Cd two sites (study), given"]
    spec = _noisy(nucleus, field, mas, axis, sites, lineshape, seed=5)
    return spec, fit_csa(spec, mas_hz=mas, sites=[CsaSite(-320.0, label="CdSe2O2"),
                                                  CsaSite(-630.0, label="Cd(oleate)2")])


def test_result_dict_contract_and_curves(two_site_result):
    spec, res = two_site_result
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    required = {"iso_ppm", "zeta_ppm", "eta", "omega_ppm", "kappa", "fraction"}
    for site in d["sites"]:
        assert required <= set(site)
        for key in ("iso_ppm_err", "zeta_ppm_err", "eta_err", "omega_ppm_err", "kappa_err",
                    "fraction_err", "delta_11_ppm", "delta_22_ppm", "delta_33_ppm", "fwhm_hz"):
            assert key in site
    assert [s["label"] for s in d["sites"]] == ["CdSe2O2", "Cd(oleate)2"]
    assert sum(s["fraction"] for s in d["sites"]) == pytest.approx(1.0)
    for key in ("redchi", "aic", "bic", "curves", "notes", "conventions"):
        assert key in d
    assert np.array_equal(res.ppm, spec.axis)  # curves on the spectrum's axis, in its order
    assert res.component_curves().sum(axis=0) + res.baseline == pytest.approx(res.best_fit)
    assert res.model_curve(spec.axis) == pytest.approx(res.best_fit, abs=1e-9 * res.best_fit.max())
    assert "CdSe2O2" in res.report() and "Ω" in res.report()
    assert set(d["curves"]) == {"ppm", "data", "model", "residual", "components"}


def test_fraction_errors_use_the_covariance(two_site_result):
    _, res = two_site_result
    a, b = res.sites
    # two sites: f1 = 1 − f2, so their first-order errors are equal
    assert a.fraction_err == pytest.approx(b.fraction_err, rel=1e-6)
    assert a.tensor.omega_ppm_err is not None and a.tensor.kappa_err is not None


def test_reversed_axis_gives_the_same_fit(two_site_result):
    spec, res = two_site_result
    rev = Spectrum(spec.values[::-1].copy(), spec.axis[::-1].copy(), "ppm", spec.nucleus, spec.sf_mhz)
    res2 = fit_csa(rev, mas_hz=8000.0, sites=[-320.0, -630.0])
    for s1, s2 in zip(res.sites, res2.sites, strict=True):
        assert s2.tensor.iso_ppm == pytest.approx(s1.tensor.iso_ppm, abs=0.02)
        assert s2.tensor.zeta_ppm == pytest.approx(s1.tensor.zeta_ppm, abs=0.5)
        assert s2.fraction == pytest.approx(s1.fraction, abs=2e-3)
    assert res2.best_fit == pytest.approx(res.best_fit[::-1], abs=0.01 * res.best_fit.max())


def test_voigt_baseline_region_and_given_starts(two_site_result):
    spec, ref = two_site_result
    offset = 0.02 * float(np.max(spec.values))
    shifted = spec.evolve(spec.values + offset, "constant offset")
    res = fit_csa(shifted, mas_hz=8000.0, lineshape="voigt", baseline=True, region=(250.0, -1250.0),
                  sites=[CsaSite(-320.0, zeta_ppm=-300.0, eta=0.3, linewidth_hz=450.0, label="A"), -630.0])
    assert res.n_points < spec.n_points and res.ppm[0] == pytest.approx(250.0, abs=1.0)
    assert res.baseline == pytest.approx(offset, rel=0.05)
    assert res.start[0]["zeta_ppm"] == -300.0  # a given (ζ, η) skips the grid
    for s, r in zip(res.sites, ref.sites, strict=True):
        assert s.tensor.zeta_ppm == pytest.approx(r.tensor.zeta_ppm, abs=3.0)
        assert s.fraction == pytest.approx(r.fraction, abs=0.01)
        assert s.fwhm_hz == pytest.approx(r.fwhm_hz, rel=0.05)  # Voigt FWHM ≈ Lorentzian
        assert s.fwhm_hz_err is not None


def test_find_manifolds_picks_centrebands(two_site_result):
    spec, _ = two_site_result
    found = find_manifolds(spec, 8000.0, n_sites=2)
    assert [m.iso_ppm for m in found] == pytest.approx([-320.0, -630.0], abs=1.0)
    assert all(len(m.peaks_ppm) >= 3 for m in found)


# --- PASS -----------------------------------------------------------------------------------

PASS_SITES = [{"iso_ppm": -320.0, "zeta_ppm": -350.0, "eta": 0.2, "area": 0.6, "linewidth_hz": 500.0},
              {"iso_ppm": -630.0, "zeta_ppm": 150.0, "eta": 0.8, "area": 0.4, "linewidth_hz": 400.0}]


def test_pass_isotropic_is_the_row_sum_and_the_manifold_area():
    rows = synthetic_pass(CD_AXIS, PASS_SITES[:1], mas_hz=8000.0, sf_mhz=NU_CD, orders=range(-9, 10))
    iso = pass_isotropic_spectrum(rows)
    assert np.asarray(iso.values) == pytest.approx(np.asarray(rows.values).sum(axis=0))
    assert "sideband_orders" not in iso.meta and iso.history[-1].startswith("PASS isotropic")
    step = abs(CD_AXIS[1] - CD_AXIS[0])
    manifold = csa_sideband_spectrum(CD_AXIS, -320.0, -350.0, 0.2, mas_hz=8000.0, larmor_mhz=NU_CD,
                                     amplitude=0.6, fwhm_lorentz_hz=500.0)
    # the isotropic line carries the area of the whole sideband manifold of the 1D spectrum
    assert np.sum(iso.values) * step == pytest.approx(np.sum(manifold) * step, rel=5e-3)
    # and each row the Herzfeld–Berger intensity of its order (times the line's area on the axis)
    p = sideband_intensities(-350.0, 0.2, range(-9, 10), mas_hz=8000.0, larmor_mhz=NU_CD)
    ratio = np.asarray(rows.values).sum(axis=1) * step / (0.6 * p)
    assert ratio == pytest.approx(np.full(ratio.size, ratio[0]), rel=1e-9)
    assert ratio[0] == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("give_sites", [True, False])
def test_pass_fit_recovers_tensors_and_fractions(give_sites):
    rows = synthetic_pass(CD_AXIS, PASS_SITES, mas_hz=8000.0, sf_mhz=NU_CD, orders=range(-6, 7),
                          noise=2e-5, seed=2)
    res = fit_pass(rows, mas_hz=8000.0, sites=[-320.0, -630.0] if give_sites else None, n_sites=2)
    assert [s.tensor.iso_ppm for s in res.sites] == pytest.approx([-320.0, -630.0], abs=0.3)
    for want, got in zip(PASS_SITES, res.sites, strict=True):
        t = got.tensor
        assert t.zeta_ppm == pytest.approx(want["zeta_ppm"], abs=max(4 * (t.zeta_ppm_err or 0), 5.0))
        assert t.eta == pytest.approx(want["eta"], abs=max(4 * (t.eta_err or 0), 0.05))
        assert got.fraction == pytest.approx(want["area"], abs=0.03)
        assert got.redchi < 3.0
        # the same statistics as every family (σ known: the intensities carry their noise)
        st_ = got.statistics
        assert st_.sigma_known and st_.redchi == got.redchi and st_.n_points == 13
        assert st_.aicc > st_.aic and np.isfinite(st_.bic)
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert {"iso_ppm", "zeta_ppm", "eta", "omega_ppm", "kappa", "fraction"} <= set(d["sites"][0])
    assert {"redchi", "chisqr", "aic", "aicc", "bic", "n_points", "n_varys"} <= set(d["sites"][0])
    assert "site 1" in res.report()


def test_pass_orders_must_match_the_rows():
    rows = synthetic_pass(CD_AXIS, PASS_SITES, mas_hz=8000.0, sf_mhz=NU_CD, orders=range(-3, 4))
    with pytest.raises(ParameterError, match="orders"):
        fit_pass(rows, mas_hz=8000.0, orders=[0, 1, 2])
    even = Spectrum(np.asarray(rows.values)[:6], CD_AXIS, "ppm", "113Cd", NU_CD)
    with pytest.raises(ParameterError, match="orders"):
        fit_pass(even, mas_hz=8000.0)


# --- bad input ------------------------------------------------------------------------------


def _spec(n=256, nucleus="113Cd", unit="ppm"):
    axis = np.linspace(300.0, -1300.0, n)
    y = csa_sideband_spectrum(axis, -320.0, -300.0, 0.3, mas_hz=8000.0, larmor_mhz=NU_CD,
                              fwhm_lorentz_hz=2000.0) if nucleus == "113Cd" and unit == "ppm" else np.ones(n)
    return Spectrum(y, axis, unit, nucleus, NU_CD)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"spectrum": {"n": 20}}, "at least"),
    ({"spectrum": {"nucleus": "27Al"}}, "spin"),
    ({"sites": [500.0]}, "outside the axis"),
    ({"sites": [CsaSite(-320.0, zeta_ppm=-300.0, eta=1.5)]}, "η"),
    ({"sites": [CsaSite(-320.0, zeta_ppm=-300.0, eta=-0.1)]}, "η"),
    ({"sites": [CsaSite(-320.0, zeta_ppm=-300.0)]}, "both"),
    ({"mas_hz": 0.0}, "MAS"),
    ({"lineshape": "sinc"}, "lineshape"),
    ({"sites": []}, "empty"),
])
def test_bad_input_raises_parameter_error(kwargs, match):
    args = {"spectrum": {}, "mas_hz": 8000.0, "sites": [-320.0]} | kwargs
    spectrum = _spec(**args.pop("spectrum"))
    with pytest.raises(ParameterError, match=match):
        fit_csa(spectrum, **args)


def test_bad_axes_and_shapes():
    good = _spec()
    with pytest.raises(ParameterError, match="ppm axis"):
        fit_csa(Spectrum(good.values, good.axis, "s", "113Cd", NU_CD), mas_hz=8000.0, sites=[-320.0])
    bent = good.axis.copy()
    bent[100:] -= 3.0
    with pytest.raises(ParameterError, match="uniformly"):
        fit_csa(Spectrum(good.values, bent, "ppm", "113Cd", NU_CD), mas_hz=8000.0, sites=[-320.0])
    with pytest.raises(ParameterError, match="PASS"):
        fit_csa(Spectrum(np.vstack([good.values] * 3), good.axis, "ppm", "113Cd", NU_CD), mas_hz=8000.0)
    with pytest.raises(ParameterError, match="frequency"):
        fit_csa(Spectrum(good.values, good.axis, "ppm", "113Cd"), mas_hz=8000.0, sites=[-320.0])
    with pytest.raises(ParameterError, match="nucleus"):
        fit_csa(Spectrum(good.values, good.axis, "ppm", None, NU_CD), mas_hz=8000.0, sites=[-320.0])
    with pytest.raises(ParameterError, match="spin"):
        csa_sideband_spectrum(good.axis, 0.0, 10.0, 0.1, mas_hz=8000.0, larmor_mhz=104.2, nucleus="27Al")
    with pytest.raises(ParameterError, match="η"):
        sideband_intensities(100.0, 1.2, [0, 1], mas_hz=8000.0, larmor_mhz=NU_CD)
    with pytest.raises(ParameterError, match="2D"):
        fit_pass(good, mas_hz=8000.0)


def test_field_from_1h_frequency_when_sf_is_missing():
    spec = _spec()
    no_sf = Spectrum(spec.values, spec.axis, "ppm", "113Cd")
    res = fit_csa(no_sf, mas_hz=8000.0, sites=[-320.0], field_1h_mhz=FIELD_1H)
    assert res.larmor_mhz == pytest.approx(NU_CD)
    assert res.sites[0].tensor.iso_ppm == pytest.approx(-320.0, abs=1.0)


def _fwhm_hz(ppm, y, sf_mhz):
    """FWHM (Hz) of the tallest line, by linear interpolation of the half-height crossings."""
    a, v = (ppm[::-1], y[::-1]) if ppm[0] > ppm[-1] else (ppm, y)
    i = int(np.argmax(v))
    half = v[i] / 2.0
    lo = i
    while v[lo] > half:
        lo -= 1
    hi = i
    while v[hi] > half:
        hi += 1
    left = a[lo] + (half - v[lo]) / (v[lo + 1] - v[lo]) * (a[lo + 1] - a[lo])
    right = a[hi - 1] + (half - v[hi - 1]) / (v[hi] - v[hi - 1]) * (a[hi] - a[hi - 1])
    return (right - left) * sf_mhz


def test_sideband_model_independent_of_point_density():
    """The same lines on a 2× denser axis over the same range (a zero-filled spectrum's axis):
    the same FWHM in Hz, and the same values at the common points."""
    sf = 88.8
    coarse = 776.1 - np.arange(4096) * 200_000.0 / 4096 / sf
    dense = 776.1 - np.arange(8192) * 200_000.0 / 8192 / sf
    kw = dict(mas_hz=8000.0, larmor_mhz=sf, nucleus="113Cd", fwhm_lorentz_hz=600.0, fwhm_gauss_hz=200.0)
    y1 = csa_sideband_spectrum(coarse, -320.0, -350.0, 0.3, **kw)
    y2 = csa_sideband_spectrum(dense, -320.0, -350.0, 0.3, **kw)
    assert np.max(np.abs(y2[0::2] - y1)) < 0.01 * np.max(y1)
    assert _fwhm_hz(dense, y2, sf) == pytest.approx(_fwhm_hz(coarse, y1, sf), rel=0.01)
    assert np.sum(y2) * abs(dense[1] - dense[0]) == pytest.approx(
        np.sum(y1) * abs(coarse[1] - coarse[0]), rel=1e-3)


# --- the MAS rate is fitted (issue 9: a rate given 1 Hz off biased η to its bound) -----------------

GLYCINE_C1 = (176.0, -70.0, 0.915, 1.0, 30.0)  # δiso, ζ ppm, η, area, FWHM Hz (carboxyl-like)
GLYCINE_AXIS = np.linspace(290.0, 60.0, 4096)  # 13C at 100.6 MHz: 5.6 Hz per point


@pytest.fixture(scope="module")
def glycine_spectrum():
    """13C CP-MAS sidebands of a glycine-carboxyl-like site spun at 1060 Hz (ν(1H) 400 MHz)."""
    return _noisy("13C", 400.0, 1060.0, GLYCINE_AXIS, [GLYCINE_C1], "lorentzian", seed=3, snr=500.0)


def test_mas_rate_given_a_hertz_off_is_refined(glycine_spectrum):
    res = fit_csa(glycine_spectrum, mas_hz=1059.0, sites=[176.0])
    site = res.sites[0]
    assert abs(site.tensor.eta - GLYCINE_C1[2]) < 0.02
    assert abs(site.tensor.zeta_ppm - GLYCINE_C1[1]) < 2.0
    assert 0.7 < res.redchi < 1.3
    assert res.mas_hz_err is not None and abs(res.mas_hz - 1060.0) < max(3 * res.mas_hz_err, 0.1)
    d = res.to_dict(include_curves=False)
    assert d["mas_hz_given"] == 1059.0 and d["fix_mas"] is False and d["mas_hz_err"] > 0


def test_fixed_mas_rate_a_hertz_off_misfits(glycine_spectrum):
    """The defect the refinement cures: held at 1059 Hz, every sideband leaves a residual."""
    res = fit_csa(glycine_spectrum, mas_hz=1059.0, sites=[176.0], fix_mas=True)
    assert res.mas_hz == 1059.0 and res.mas_hz_err is None and res.fix_mas
    assert res.redchi > 10.0


# --- the shared invariants (tests/invariants.py) -------------------------------------------------


class TestCsaSidebandModel(AreaInvariants):
    """One site's sideband manifold: a uniform ppm axis (either order), area = amplitude."""

    function = staticmethod(csa_sideband_spectrum)
    params = {"iso_ppm": -320.0, "zeta_ppm": -350.0, "eta": 0.3, "mas_hz": 8000.0,
              "larmor_mhz": NU_CD, "amplitude": 2.0, "fwhm_lorentz_hz": 400.0}
    x = np.linspace(300.0, -1300.0, 1024)
    # ppm → k·ppm with ν0 → ν0/k: the same spectrum in Hz, so the same values per unit of area
    scaling = {"iso_ppm": 1, "zeta_ppm": 1, "larmor_mhz": -1, "amplitude": 1}
    output_scaling = 0.0
    area = "amplitude"
    unit_factor = 2.0
    scaling_rtol = 1e-6
    non_negative = False  # a sub-point Fourier shift rings at the 1e-6 level

    def test_finite_output(self) -> None:
        """The model needs a uniform axis: finite on it and at its far ends."""
        y = self.evaluate(np.linspace(3000.0, -4000.0, 4096))
        assert np.all(np.isfinite(y)) and np.all(np.isfinite(self.evaluate(self.x)))

    @classmethod
    def area_axis(cls) -> NDArray[np.float64]:
        return np.linspace(-7000.0, 6000.0, 2**16)


class TestCsaFit(FitInvariants):
    """A site with η = 0: η² ends at its lower bound, η (derived from it) has no error."""

    bound_param = "s0_eta2"

    @classmethod
    def fit_at_bound(cls) -> FitResult:
        spec = _noisy("113Cd", FIELD_1H, 8000.0, CD_AXIS, [(-320.0, 400.0, 0.0, 1.0, 600.0)],
                      "lorentzian", seed=2)
        return fit_csa(spec, mas_hz=8000.0, sites=[-320.0])


# --- the sideband table against direct simulation --------------------------------------------------


@pytest.mark.parametrize(("zeta", "eta"), [(-350.0, 0.3), (150.0, 0.8), (420.0, 0.0), (-90.0, 1.0),
                                           (233.3, 0.55)])
def test_sideband_table_matches_direct_simulation(zeta, eta):
    """Interpolated intensities (and the manifold built from them) agree with mrsimulator run
    directly, to ≲ 1e-5 of the largest intensity (the table's quintic splines)."""
    table = SidebandTable("113Cd", 8.0)  # |ζ|·ν0/ν_r ≤ 8: |ζ| ≤ 720 ppm at 9.4 T, 8 kHz
    direct = sideband_intensities(zeta, eta, table.orders, mas_hz=8000.0, larmor_mhz=NU_CD)
    tabulated = table.intensities(zeta * NU_CD / 8000.0, eta)
    assert np.abs(tabulated - direct).max() < 5e-5 * direct.max()
    kw = {"mas_hz": 8000.0, "larmor_mhz": NU_CD, "fwhm_lorentz_hz": 300.0}
    on_axis = csa_sideband_spectrum(CD_AXIS, -320.0, zeta, eta, **kw, table=table)
    simulated = csa_sideband_spectrum(CD_AXIS, -320.0, zeta, eta, **kw)
    assert np.abs(on_axis - simulated).max() < 5e-5 * simulated.max()


def test_sideband_table_is_kept_on_disk(tmp_path):
    first = SidebandTable("13C", 4.0, store=TableStore(tmp_path))
    assert first.n_simulations > 0 and len(list((tmp_path / "tables").glob("csa_sidebands_*.npz"))) == 1
    again = SidebandTable("13C", 3.0, store=TableStore(tmp_path))  # same table (x_max rounds up to 4)
    assert again.n_simulations == 0
    np.testing.assert_array_equal(again.table, first.table)


# --- TopSpin's processed 2D PASS data (issue 9) ---------------------------------------------


@pytest.mark.parametrize("xdim", [(1, 256), (13, 128), (13, 2048)])
def test_pass_2rr_reads_back_as_the_pass_table(tmp_path, xdim):
    """2rr (submatrix layout, int32 with NC_proc) + proc2s → the same rows, orders and axis as
    the CSV PASS table; nmrglue's read_pdata puts the submatrices in the same order."""
    import nmrglue as ng

    from cald.io.spectrum_file import read_pass_table
    from cald.synth.bruker import write_pass_pdata

    rows = synthetic_pass(CD_AXIS, PASS_SITES, mas_hz=8000.0, sf_mhz=NU_CD, orders=range(-6, 7))
    folder = write_pass_pdata(tmp_path / "pass", rows, 8000.0, xdim=xdim)
    back = read_pass_table(folder)
    assert back.meta["sideband_orders"] == list(range(-6, 7))
    assert back.meta["mas_hz"] == pytest.approx(8000.0)
    assert back.nucleus == "113Cd" and back.sf_mhz == pytest.approx(NU_CD)
    np.testing.assert_allclose(back.axis, CD_AXIS, rtol=0, atol=1e-9)
    scale = np.abs(rows.values).max()
    np.testing.assert_allclose(back.values, rows.values, rtol=0, atol=1e-7 * scale)
    _, data = ng.bruker.read_pdata(str(folder / "pdata" / "1"), scale_data=True)
    np.testing.assert_allclose(data[::-1], back.values, rtol=0, atol=1e-7 * scale)


def test_pass_2rr_fit_equals_table_fit(tmp_path):
    from cald.io.spectrum_file import read_pass_table
    from cald.synth.bruker import write_pass_pdata

    # with noise: on noise-free rows the fit is sensitive to the 1e-9 rounding of int32 storage
    rows = synthetic_pass(CD_AXIS, PASS_SITES, mas_hz=8000.0, sf_mhz=NU_CD, orders=range(-6, 7),
                          noise=0.005, seed=3)
    back = read_pass_table(write_pass_pdata(tmp_path / "pass", rows, 8000.0))
    a = fit_pass(rows, mas_hz=8000.0, sites=[-320.0, -630.0])
    b = fit_pass(back, mas_hz=8000.0, sites=[-320.0, -630.0])
    for sa, sb in zip(a.to_dict()["sites"], b.to_dict()["sites"], strict=True):
        assert sb["zeta_ppm"] == pytest.approx(sa["zeta_ppm"], rel=1e-4)
        assert sb["eta"] == pytest.approx(sa["eta"], abs=1e-4)


def test_pass_2rr_bad_f1_axis(tmp_path):
    from cald.io.spectrum_file import read_pass_table
    from cald.synth.bruker import write_pass_pdata

    rows = synthetic_pass(CD_AXIS, PASS_SITES, mas_hz=8000.0, sf_mhz=NU_CD, orders=range(-6, 7))
    folder = write_pass_pdata(tmp_path / "pass", rows, 8000.0)
    proc2s = folder / "pdata" / "1" / "proc2s"
    text = proc2s.read_text(encoding="latin-1")
    proc2s.write_text(text.replace("##$OFFSET=", "##$OFFSET= 1000.0\n##$OLD_OFFSET="),
                      encoding="latin-1")
    with pytest.raises(InputError, match="not at whole multiples"):
        read_pass_table(folder)
    (folder / "pdata" / "1" / "2rr").unlink()
    with pytest.raises(InputError, match="2rr"):
        read_pass_table(folder)


# --- σ: the shared measure_noise (issue 9 review: CSA took σ ≈ 1e-17 as measured) -----------------


def test_noiseless_spectrum_estimates_sigma_and_reports_residual_sd_in_data_units():
    """Noiseless data: σ is below the noise floor, so it is estimated from the residuals (unit
    weights, covariance rescaled, χ²ᵣ None) and the residual s.d. is in the data's units."""
    from cald.fitting import SIGMA_ESTIMATED

    ppm = np.linspace(260.0, 90.0, 1024)
    # Gaussian lines: the baseline is exactly flat, noise_std gives ≈ 1e-17 of the peak
    y = 1e3 * csa_sideband_spectrum(ppm, 176.0, -70.0, 0.6, mas_hz=3000.0, larmor_mhz=100.6,
                                    nucleus="13C", fwhm_gauss_hz=150.0)
    spec = Spectrum(y, ppm, "ppm", "13C", 100.6)
    res = fit_csa(spec, mas_hz=3000.0, sites=[176.0], lineshape="gaussian", fix_mas=True)
    assert res.sigma_source == SIGMA_ESTIMATED and res.sigma is None
    assert res.redchi is None and res.statistics.residual_std is not None
    n, k = res.statistics.n_points, res.statistics.n_varys
    assert res.statistics.residual_std == pytest.approx(
        np.sqrt(np.sum((res.data - res.best_fit) ** 2) / (n - k)), rel=1e-3)
    assert any("could not be measured" in n_ for n_ in res.notes)
    assert res.sites[0].tensor.eta == pytest.approx(0.6, abs=0.01)
