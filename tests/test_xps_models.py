"""XPS models (cald.surface): CasaXPS line shapes against their definitions and CasaXPS's own
exported curves, backgrounds against independent implementations written here and CasaXPS's
exported U 3 Tougaard background, and the region fit (synthetic spectra with known components)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cald.errors import ParameterError
from cald.surface.backgrounds import (
    end_levels,
    linear_background,
    shirley,
    shirley_integral,
    tougaard,
    tougaard_kernel,
    tougaard_u2,
)
from cald.surface.lineshapes import (
    DS_WINDOW,
    doniach_sunjic,
    gl,
    la,
    lf,
    parse_casa_lineshape,
    sgl,
    voigt_xps,
)
from invariants import AreaInvariants

DATA = Path(__file__).parent / "data" / "xps_models"
HV_EV = 1486.61  # Al Kα of the FeO file (its "Characteristic Energy")


def _drawn_fwhm(x, y):
    """FWHM of a sampled single-maximum curve, by linear interpolation at half maximum."""
    i = int(np.argmax(y))
    half = y[i] / 2
    left = np.interp(half, y[: i + 1], x[: i + 1])
    right = np.interp(half, y[i:][::-1], x[i:][::-1])
    return right - left


# --- line shapes: shared invariants ---------------------------------------------------------

class _XpsLine(AreaInvariants):
    x = np.linspace(395.0, 415.0, 801)
    scaling = {"center_ev": 1, "fwhm_ev": 1, "gauss_fwhm_ev": 1}
    output_scaling = -1
    scaling_rtol = 1e-9  # (x − E)/F rounds differently after the change of units

    @classmethod
    def area_axis(cls):
        """The base's sinh-spread axis with 40 001 points (the convolved shapes are slow)."""
        mid, span = float(np.mean(cls.x)), float(np.ptp(cls.x))
        u = np.linspace(-np.arcsinh(1e5), np.arcsinh(1e5), 40_001)
        return mid + 0.1 * span * np.sinh(u)


class TestGL(_XpsLine):
    function = staticmethod(gl)
    params = {"center_ev": 405.3, "fwhm_ev": 1.1, "area": 2.5, "m": 0.3}


class TestSGL(_XpsLine):
    function = staticmethod(sgl)
    params = {"center_ev": 405.3, "fwhm_ev": 1.1, "area": 2.5, "m": 0.3}


class TestLA(_XpsLine):
    function = staticmethod(la)
    params = {"center_ev": 405.3, "fwhm_ev": 1.1, "area": 2.5, "alpha": 0.8, "beta": 2.5,
              "gauss_fwhm_ev": 0.6}


class TestLF(_XpsLine):
    function = staticmethod(lf)
    params = {"center_ev": 405.3, "fwhm_ev": 1.1, "area": 2.5, "alpha": 0.54, "beta": 10.0,
              "w": 80.0, "gauss_fwhm_ev": 0.77}


class TestVoigtXps(_XpsLine):
    function = staticmethod(voigt_xps)
    params = {"center_ev": 405.3, "fwhm_ev": 1.1, "area": 2.5, "lorentz_share": 0.3}


class TestDoniachSunjic(_XpsLine):
    """The DS tail ∝ |x|^(α−1) does not integrate: ``area`` is the integral of the unconvolved
    line over center ± DS_WINDOW·FWHM (50 FWHM); with α = 0 it is a Lorentzian (whole axis)."""

    function = staticmethod(doniach_sunjic)
    params = {"center_ev": 405.3, "fwhm_ev": 1.1, "area": 2.5, "alpha": 0.0, "gauss_fwhm_ev": 0.5}


def test_ds_area_is_over_the_stated_window():
    x = np.linspace(405.3 - DS_WINDOW * 1.1, 405.3 + DS_WINDOW * 1.1, 400_001)
    y = doniach_sunjic(x, 405.3, 1.1, 2.5, alpha=0.12)
    assert np.trapezoid(y, x) == pytest.approx(2.5, rel=1e-4)
    assert y[x > 410].sum() > y[x < 400.6].sum()  # the tail is on the high-BE side


# --- line shapes: definitions and limits ----------------------------------------------------

def test_gl_limits_are_gaussian_and_lorentzian():
    from cald.lineshape.profiles import gaussian, lorentzian

    x = np.linspace(395, 415, 2001)
    np.testing.assert_allclose(gl(x, 405, 1.3, 2.0, m=0.0), gaussian(x, 405, 1.3, 2.0), rtol=1e-12)
    np.testing.assert_allclose(gl(x, 405, 1.3, 2.0, m=1.0), lorentzian(x, 405, 1.3, 2.0), rtol=1e-12)
    np.testing.assert_allclose(sgl(x, 405, 1.3, 2.0, m=0.0), gaussian(x, 405, 1.3, 2.0), rtol=1e-12)
    np.testing.assert_allclose(sgl(x, 405, 1.3, 2.0, m=1.0), lorentzian(x, 405, 1.3, 2.0), rtol=1e-12)


def test_gl_is_the_documented_product_form():
    """Unit-height CasaXPS GL: exp(−4 ln2 (1 − m) u²)/(1 + 4 m u²), scaled to the area."""
    x = np.linspace(395, 415, 2001)
    u2 = ((x - 405) / 1.3) ** 2
    ref = np.exp(-4 * np.log(2) * 0.7 * u2) / (1 + 4 * 0.3 * u2)
    y = gl(x, 405, 1.3, 1.0, m=0.3)
    np.testing.assert_allclose(y / y.max(), ref, rtol=1e-12)


@pytest.mark.parametrize("text", ["GL(0)", "GL(100)", "SGL(30)", "SGL(70)", "V(30)", "V(80)"])
def test_drawn_fwhm_equals_the_parameter_where_defined(text):
    x = np.linspace(395, 415, 200_001)
    assert _drawn_fwhm(x, parse_casa_lineshape(text)(x, 405, 1.3, 1.0)) == pytest.approx(1.3, rel=3e-4)


def test_gl_product_is_narrower_than_its_parameter():
    """GL(30): half maximum at u = ½ is 2^−0.7/1.3 < ½, so the drawn FWHM < F (0.97 F)."""
    x = np.linspace(395, 415, 200_001)
    fwhm = _drawn_fwhm(x, gl(x, 405, 1.3, 1.0, m=0.3))
    assert 0.96 * 1.3 < fwhm < 0.98 * 1.3


def test_symmetric_limits_of_the_asymmetric_shapes():
    from cald.lineshape.profiles import lorentzian, voigt

    x = np.linspace(395, 415, 4001)
    lor = lorentzian(x, 405, 1.3, 2.0)
    np.testing.assert_allclose(la(x, 405, 1.3, 2.0, 1.0, 1.0, 0.0), lor, rtol=1e-12)
    np.testing.assert_allclose(doniach_sunjic(x, 405, 1.3, 2.0, 0.0, 0.0), lor, rtol=1e-12)
    # with a Gaussian, α = β = 1 is the Voigt line (the Gauss–Hermite convolution to 1e-4)
    np.testing.assert_allclose(la(x, 405, 1.3, 2.0, 1.0, 1.0, 0.8), voigt(x, 405, 0.8, 1.3, 2.0),
                               rtol=2e-3, atol=1e-4 * lor.max())
    # α = β gives a symmetric line
    y = la(x, 405, 1.3, 2.0, 1.7, 1.7, 0.5)
    np.testing.assert_allclose(y, y[::-1], rtol=1e-9)
    # α < β puts the tail on the high-BE side
    y = la(x, 405, 1.3, 2.0, 0.8, 3.0, 0.0)
    assert y[x > 408].sum() > 5 * y[x < 402].sum()


def test_la_convolution_against_a_dense_numerical_one():
    """The Gauss–Hermite convolution against a dense grid convolution (written here)."""
    grid = np.arange(340.0, 470.0, 0.002)
    raw = la(grid, 405, 1.0, 1.0, 1.3, 2.5, 0.0)
    for g in (0.3, 1.0, 2.5):
        sigma = g / 2.3548200450309493
        t = np.arange(-int(6 * sigma / 0.002), int(6 * sigma / 0.002) + 1) * 0.002  # odd, centred
        kern = np.exp(-0.5 * (t / sigma) ** 2)
        dense = np.convolve(raw, kern / kern.sum(), mode="same")
        got = la(grid, 405, 1.0, 1.0, 1.3, 2.5, g)
        sel = (grid > 398) & (grid < 412)
        assert np.max(np.abs(got[sel] - dense[sel])) < 1e-3 * dense.max(), g


def _feo_export():
    """CasaXPS's exported FeO fit: BE, CPS, the 4 components (CPS, each on the background) and
    the background (CPS)."""
    a = np.loadtxt(DATA / "FeO_analyzed_lineshapes_BE_CPS.txt", skiprows=8)
    return a[:, 0], a[:, 1], a[:, 2:6] - a[:, 6:7], a[:, 6]


#: The comp lines of pynx_FeO_analyzed.vms: shape, position (KE, calibrated), MFWHM, area (CPS·eV).
FEO_COMPS = [("LF(0.54,10,80,100,6)", 777.56313, 3.8576238, 63507.374),
             ("SGL(30)", 770.61, 8.0, 35837.064),
             ("LF(0.54,10,80,100,6)", 764.48234, 4.8730051, 49042.126),
             ("SGL(30)", 756.72212, 7.8295407, 17705.155)]


def test_sgl_against_casaxps_exported_curves():
    """SGL(30) from the file's parameters alone (position, MFWHM, area over the whole axis) vs
    CasaXPS's exported component curves: measured agreement 0.14 % of the peak height (largest
    deviation) and 0.035 % rms, with the exported area taken as the infinite-range integral."""
    be, _, comps, _ = _feo_export()
    for k in (1, 3):
        shape, pos_ke, fwhm, area = FEO_COMPS[k]
        y = parse_casa_lineshape(shape)(be, HV_EV - pos_ke, fwhm, area)
        ref = comps[:, k]
        assert np.max(np.abs(y - ref)) < 0.002 * ref.max()
        assert np.sqrt(np.mean((y - ref) ** 2)) < 0.0005 * ref.max()


def test_lf_against_casaxps_exported_curves():
    """LF(0.54,10,80,100,6), cald's approximate reconstruction, from the file's parameters vs
    CasaXPS's exported curves: measured 0.63 and 0.68 % rms and 2.0 % largest deviation of the
    peak height, areas within 0.15 % (best scale 1.0014). In-sample: the reconstruction's two
    constants were fitted to these two curves (no other LF curve was available; with the
    research's first guesses, Gaussian 0.70 F and damping 4 F, it was 1.1 % rms, 4.3 % at worst).
    An approximation, flagged by LineShape.approximate."""
    be, _, comps, _ = _feo_export()
    for k in (0, 2):
        shape, pos_ke, fwhm, area = FEO_COMPS[k]
        line = parse_casa_lineshape(shape)
        assert line.approximate
        y = line(be, HV_EV - pos_ke, fwhm, area)
        ref = comps[:, k]
        assert np.sqrt(np.mean((y - ref) ** 2)) < 0.0075 * ref.max()
        assert np.max(np.abs(y - ref)) < 0.022 * ref.max()
        assert (y @ ref) / (y @ y) == pytest.approx(1.0, abs=0.005)


def test_parse_casa_lineshape():
    assert parse_casa_lineshape("GL(30)").args == (30.0,)
    la2 = parse_casa_lineshape("LA(1.53,243)")
    assert la2.kind == "LA" and la2.args == (1.53, 243.0) and la2.approximate
    assert parse_casa_lineshape(" sgl(30) ").kind == "SGL"
    assert not parse_casa_lineshape("GL(30)").approximate
    assert parse_casa_lineshape("LF(0.54,10,80,100,6)").kind == "LF"


@pytest.mark.parametrize("text", ["GX(30)", "GL", "GL(30", "A(0.3,0.5,30)GL(30)", "GL(a)", "GL(130)",
                                  "LA(0.4,10,20)", "LA(1,2,3,4)", "GL(nan)", "DS(1.2,20)", ""])
def test_unknown_or_bad_lineshape_strings_are_named(text):
    with pytest.raises(ParameterError, match=re.escape(repr(text))):
        parse_casa_lineshape(text)


@pytest.mark.parametrize("fwhm", [0.0, -1.0, float("nan")])
def test_bad_widths(fwhm):
    with pytest.raises(ParameterError, match="fwhm_ev"):
        gl(np.zeros(3), 0.0, fwhm, 1.0)


# --- backgrounds ----------------------------------------------------------------------------

def _two_peaks(x):
    return gl(x, 405.3, 1.0, 300.0, 0.3) + gl(x, 412.04, 1.0, 200.0, 0.3)


def _brute_shirley(x, y, n_iter=60):
    """Shirley written as loops (x ascending in BE): B_i = lo + (hi − lo)·Σ_{j<i}/Σ_all of the
    trapezoids of (y − B)."""
    lo, hi = y[0], y[-1]
    b = [lo] * len(x)
    for _ in range(n_iter):
        parts = [0.0]
        for i in range(1, len(x)):
            parts.append(parts[-1] + 0.5 * ((y[i] - b[i]) + (y[i - 1] - b[i - 1])) * (x[i] - x[i - 1]))
        b = [lo + (hi - lo) * p / parts[-1] for p in parts]
    return np.array(b)


def test_shirley_against_a_brute_force_loop_and_orientation():
    x = np.linspace(398, 418, 201)
    peaks = _two_peaks(x)
    y = 50 + peaks + 0.3 * np.cumsum(peaks) * (x[1] - x[0])
    ref = _brute_shirley(x, y)
    np.testing.assert_allclose(shirley(x, y), ref, rtol=1e-6)
    np.testing.assert_allclose(shirley(x[::-1], y[::-1]), ref[::-1], rtol=1e-6)


def test_shirley_properties():
    x = np.linspace(390, 430, 801)
    peaks = _two_peaks(x)
    true_bg = 50 + 0.3 * shirley_integral(x, peaks)
    y = peaks + true_bg
    bg = shirley(x, y, n_average=1)
    lo, hi = end_levels(x, y, 1)
    assert bg[0] == pytest.approx(lo) and bg[-1] == pytest.approx(hi)
    assert np.all(np.diff(bg) >= -1e-9 * np.ptp(bg))  # monotone for a spectrum above its background
    # the Shirley of a Shirley-built spectrum is its step (a fixed point of the iteration), up to
    # the peaks' tails outside the window
    assert np.max(np.abs(bg - true_bg)) < 0.01 * np.ptp(true_bg)
    assert end_levels(x, y, 5)[0] == pytest.approx(np.mean(y[:5]))


def test_shirley_refuses_a_region_without_signal():
    x = np.linspace(0, 10, 50)
    with pytest.raises(ParameterError, match="no signal"):
        shirley(x, 100 - 5 * np.exp(-((x - 5) ** 2)))


def test_shirley_integral_is_the_cumulative_area():
    x = np.linspace(398, 418, 2001)
    s = shirley_integral(x, _two_peaks(x))
    assert s[0] == 0 and s[-1] == pytest.approx(500, rel=5e-3)
    np.testing.assert_allclose(shirley_integral(x[::-1], _two_peaks(x)[::-1]), s[::-1], atol=1e-9)


def _brute_tougaard(x, y, kernel, n_average):
    """B(E_i) = J_low + Σ_{j} K(E_i − E_j)(J_j − J_low) w_j, loops, x ascending in BE."""
    low = np.mean(y[:n_average])
    dx = np.diff(x)
    w = np.concatenate([[dx[0] / 2], (dx[1:] + dx[:-1]) / 2, [dx[-1] / 2]])
    out = []
    for i in range(len(x)):
        s = 0.0
        for j in range(i):
            s += kernel(x[i] - x[j]) * (y[j] - low) * w[j]
        out.append(low + s)
    return np.array(out)


def test_tougaard_against_a_brute_force_loop():
    x = np.sort(np.random.default_rng(1).uniform(398, 430, 150))  # a non-uniform axis too
    y = 40 + _two_peaks(x)
    b, c, d, t0 = 335.44588, 551.0, 436.0, 3.0

    def k3(t):
        return b * t / ((c - t * t) ** 2 + d * t * t) if t > t0 else 0.0

    np.testing.assert_allclose(tougaard(x, y, b, c, d, t0, n_average=3),
                               _brute_tougaard(x, y, k3, 3), rtol=1e-10)
    np.testing.assert_allclose(tougaard(x[::-1], y[::-1], b, c, d, t0, n_average=3),
                               _brute_tougaard(x, y, k3, 3)[::-1], rtol=1e-10)

    def k2(t):
        return 2866 * t / (1643 + t * t) ** 2

    np.testing.assert_allclose(tougaard_u2(x, y), _brute_tougaard(x, y, k2, 1), rtol=1e-10)
    # end value: the low-BE end level; the background rises towards high BE
    bg = tougaard(x, y, b, c, d, t0, n_average=3)
    assert bg[0] == pytest.approx(np.mean(y[:3])) and bg[-1] > bg[0]


def test_casaxps_u2_fields_are_the_universal_form_with_c_450():
    """CasaXPS stores U 2 as ``B −450 0 0``: with C′ = −1, (−450 − T²)² = (450 + T²)²."""
    t = np.linspace(0, 100, 501)
    np.testing.assert_allclose(tougaard_kernel(t, 2684.0, -450.0), 2684.0 * t / (450 + t**2) ** 2)


def test_tougaard_against_casaxps_exported_u3_background():
    """FeO region ``U 3 Tougaard`` 737.52081…786.7632 eV KE, B C D T₀ = 335.44588 551 436 3,
    AvWidth 2 (5 points): cald's background vs CasaXPS's exported Background column — measured
    0.21 % of the background's range with 5 end points (CasaXPS's stated averaging) and 0.04 %
    with 3; the exact end-averaging rule of CasaXPS is unverified."""
    be, cps, _, ref = _feo_export()
    sel = (be >= HV_EV - 786.7632) & (be <= HV_EV - 737.52081)
    for n, tol in ((5, 0.0025), (3, 0.0006)):
        bg = tougaard(be[sel], cps[sel], 335.44588, 551.0, 436.0, 3.0, n_average=n)
        assert np.max(np.abs(bg - ref[sel])) < tol * np.ptp(ref[sel]), n


def test_linear_background():
    x = np.linspace(10, 0, 11)
    y = np.arange(11.0)
    np.testing.assert_allclose(linear_background(x, y), y)


@pytest.mark.parametrize("y", [np.array([1.0, np.nan, 2.0]), np.array([1.0, 2.0])])
def test_backgrounds_refuse_bad_arrays(y):
    with pytest.raises(ParameterError):
        shirley(np.array([0.0, 1.0, 2.0]), y)


# --- the region fit -------------------------------------------------------------------------

from cald.surface.casa import (  # noqa: E402
    CasaComponent,
    CasaModel,
    CasaParam,
    CasaRegion,
    casa_components,
    fit_casa_model,
)
from cald.surface.components import ComponentSpec, doublet, region_preset  # noqa: E402
from cald.surface.xps import (  # noqa: E402
    apply_charge_shift,
    atomic_ratio,
    charge_shift_ev,
    fit_xps_region,
    sensitivity_factor,
)
from invariants import FitInvariants  # noqa: E402

CD_TRUE = {"core": (405.3, 1.0, 3000.0), "surface": (406.2, 1.1, 1200.0)}


def _cd3d_counts(seed, x=None, level=200.0, k=0.02):
    """Synthetic Cd 3d (counts, Poisson): core + surface doublets (6.74 eV, 2/3, equal widths),
    GL(30), on a Shirley step of the peaks."""
    x = np.arange(400.0, 418.0, 0.05)[::-1] if x is None else x
    peaks = sum(gl(x, be + d, w, a * r, 0.3) for be, w, a in CD_TRUE.values()
                for d, r in ((0.0, 1.0), (6.74, 2 / 3)))
    mean = level + peaks + k * shirley_integral(x, peaks)
    return x, np.random.default_rng(seed).poisson(mean).astype(float)


def _cd_fit(seed, **kw):
    x, y = _cd3d_counts(seed)
    preset = region_preset("Cd 3d")
    return fit_xps_region(x, y, preset.components, (400.0, 417.95), **kw)


@pytest.mark.parametrize("seed", range(3))
def test_cd3d_doublets_with_shirley_are_recovered(seed):
    r = _cd_fit(seed)
    total = 5 / 3 * sum(a for _, _, a in CD_TRUE.values())
    for label, (be, _, a) in CD_TRUE.items():
        major = r.component(f"Cd 3d {label} 5/2")
        minor = r.component(f"Cd 3d {label} 3/2")
        assert major.be_ev.value == pytest.approx(be, abs=0.05)
        assert minor.be_ev.value - major.be_ev.value == pytest.approx(6.74, abs=1e-9)
        assert minor.fwhm_ev.value == pytest.approx(major.fwhm_ev.value, rel=1e-12)
        assert minor.area.value / major.area.value == pytest.approx(2 / 3, rel=1e-9)
        assert major.area_fraction.value == pytest.approx(a / total, abs=0.03)
    assert r.sigma_known and r.redchi == pytest.approx(1.0, abs=0.25)


def test_reported_intervals_cover_the_truth():
    """±1σ intervals of the core 5/2 BE and area fraction over 12 seeded spectra: coverage of
    the 68 % interval within binomial reason (≥ 5 of 12 each; expected ≈ 8)."""
    total = 5 / 3 * sum(a for _, _, a in CD_TRUE.values())
    hits_be = hits_frac = 0
    for seed in range(12):
        c = _cd_fit(100 + seed).component("Cd 3d core 5/2")
        hits_be += abs(c.be_ev.value - 405.3) <= c.be_ev.stderr
        hits_frac += abs(c.area_fraction.value - 3000 / total) <= c.area_fraction.stderr
    assert 5 <= hits_be <= 12 and 5 <= hits_frac <= 12


def test_static_backgrounds_and_cps():
    x, y = _cd3d_counts(7)
    preset = region_preset("Cd 3d")
    for bg in ("shirley_iterative", "linear", "tougaard_u2"):
        r = fit_xps_region(x, y, preset.components, (400.0, 417.95), background=bg)
        assert r.component("Cd 3d core 5/2").be_ev.value == pytest.approx(405.3, abs=0.08), bg
    # the general (Hesse–Denecke) form with C′ = +1, D = 0 is the universal U2
    hd = fit_xps_region(x, y, preset.components, (400.0, 417.95), "tougaard", (2866, 1643, 0, 0, 1))
    np.testing.assert_allclose(hd.background_curve, r.background_curve, rtol=1e-12)
    cps = fit_xps_region(x, y / 2.0, preset.components, (400, 417.95), intensity_unit="cps",
                         acquisition_s=2.0)
    counts = fit_xps_region(x, y, preset.components, (400, 417.95))
    assert cps.sigma_known and cps.redchi == pytest.approx(counts.redchi, rel=1e-4)
    unknown_t = fit_xps_region(x, y / 2.0, preset.components, (400, 417.95), intensity_unit="cps")
    assert not unknown_t.sigma_known and any("estimated" in n for n in unknown_t.notes)


def test_asymmetric_lines_fit_and_are_flagged():
    x = np.arange(400.0, 415.0, 0.05)
    truth = la(x, 405.3, 1.0, 3000.0, 1.3, 2.5, 0.77)
    y = np.random.default_rng(4).poisson(150 + truth).astype(float)
    r = fit_xps_region(x, y, [ComponentSpec("Cd", 405.5, "LA(1.3,2.5,110)", 1.2)],
                       background="linear", n_average=5)
    assert r.component("Cd").be_ev.value == pytest.approx(405.3, abs=0.05)
    assert r.components[0].approximate and any("approximate" in n for n in r.notes)


def test_table_s1_charge_shift_and_ratio():
    x = np.arange(280.0, 292.0, 0.05)
    y = np.random.default_rng(3).poisson(
        100 + gl(x, 285.1, 1.2, 2000, 0.3) + gl(x, 288.8, 1.2, 300, 0.3)).astype(float)
    c1s = fit_xps_region(x, y, [ComponentSpec("C 1s C–C", 285.0),
                                ComponentSpec("C 1s O–C=O", 288.7)], background="linear")
    shift = charge_shift_ev(c1s)
    assert shift.value == pytest.approx(-0.3, abs=0.03) and shift.stderr > 0
    cd = apply_charge_shift(_cd_fit(1), shift)
    before = _cd_fit(1).component("Cd 3d core 5/2").be_ev
    after = cd.component("Cd 3d core 5/2").be_ev
    assert after.value == pytest.approx(before.value + shift.value)
    assert after.stderr == pytest.approx(np.hypot(before.stderr, shift.stderr))
    assert cd.charge_shift_ev == shift.value
    rows = cd.table_s1()
    assert [r["component"] for r in rows][0] == "Cd 3d core 5/2"
    assert sum(r["area_pct"] for r in rows) == pytest.approx(100)
    assert set(rows[0]) >= {"be_ev", "be_ev_err", "fwhm_ev", "area", "area_pct", "area_pct_err"}
    assert sensitivity_factor("O 1s") == 2.93 and sensitivity_factor("Cd 3d", 12.0) == 12.0
    with pytest.raises(ParameterError, match="no RSF for 'Cd 3d'"):
        sensitivity_factor("Cd 3d")
    ratio = atomic_ratio(c1s.total_area(), 1.0, cd.total_area(), 12.0)
    expected = (c1s.total_area().value / 1.0) / (cd.total_area().value / 12.0)
    assert ratio.value == pytest.approx(expected) and ratio.stderr > 0
    import json
    json.dumps(cd.to_dict(), allow_nan=False)
    assert set(cd.curves()) >= {"data", "fit", "background", "residual", "Cd 3d core 5/2"}


class TestXpsFitInvariants(FitInvariants):
    """A surface line forced to its lower BE bound: no error, and its tied 3/2 partner none."""

    bound_param = "p2_be_ev"

    @classmethod
    def fit_at_bound(cls):
        x, y = _cd3d_counts(5)
        comps = list(region_preset("Cd 3d").components)
        comps[2] = replace(comps[2], be_bounds_ev=(406.5, 407.0), be_ev=406.7)
        return fit_xps_region(x, y, comps, (400, 417.95))

    def test_tied_partner_of_the_bound_line_has_no_error(self, result):
        assert result.params["p3_be_ev"].stderr is None
        assert result.params["p3_be_ev"].limited_by_bound


def test_presets_and_overrides():
    assert region_preset("cd 3d").name == "Cd 3d"
    p = region_preset("O 1s", {"region_ev": (526, 538),
                               "components": {"O 1s Al–O": {"be_ev": 532.3}}})
    assert p.region_ev == (526.0, 538.0) and p.components[1].be_ev == 532.3
    with pytest.raises(ParameterError, match="known: Cd 3d, Se 3d, O 1s, Al 2s, Al 2p, C 1s"):
        region_preset("Zn 2p")
    with pytest.raises(ParameterError, match="no component"):
        region_preset("O 1s", {"components": {"O 1s X": {}}})
    se = region_preset("Se 3d").components
    assert se[1].be_link == (se[0].name, 0.86) and se[1].area_link == (se[0].name, 2 / 3)


@pytest.mark.parametrize(("change", "match"), [
    ({"y": np.nan}, "NaN"),
    ({"y": -5.0}, "negative"),
    ({"x_swap": True}, "not monotonic"),
    ({"region": (600.0, 610.0)}, "outside the data"),
    ({"lineshape": "GX(30)"}, "GX"),
    ({"background": "spline"}, "unknown background"),
    ({"link": ("nope", 1.0)}, "nope"),
])
def test_bad_inputs(change, match):
    x, y = _cd3d_counts(0)
    y = y.copy()
    if "y" in change:
        y[10] = change["y"]
    if change.get("x_swap"):
        x = x.copy()
        x[[3, 4]] = x[[4, 3]]
    comps = [ComponentSpec("a", 405.3, change.get("lineshape", "GL(30)")),
             ComponentSpec("b", 412.0, area_link=change.get("link"))]
    with pytest.raises(ParameterError, match=match):
        fit_xps_region(x, y, comps, change.get("region", (400, 417)),
                       background=change.get("background", "shirley"))


def test_circular_links_are_refused():
    x, y = _cd3d_counts(0)
    comps = [ComponentSpec("a", 405.3, area_link=("b", 1.0)), ComponentSpec("b", 412, area_link=("a", 1.0))]
    with pytest.raises(ParameterError, match="circle"):
        fit_xps_region(x, y, comps)


# --- CasaXPS models -------------------------------------------------------------------------

def _casa_nb_like(hv=1486.69):
    """A CasaXPS-like model in KE with a doublet tied as CasaXPS stores it (area ×2/3, position
    −2.72 eV in KE, equal FWHM)."""
    P = CasaParam
    comps = (CasaComponent("Cd 3d", "GL(30)", P(3000, 1e-20, 1e6), P(1.0, 0.2, 3),
                           P(hv - 405.3, hv - 406, hv - 404.6)),
             CasaComponent("Cd 3d", "GL(30)", P(2000, 1e-20, 1e6, 0, 2 / 3), P(1.0, 0.2, 3, 0, 1.0),
                           P(hv - 412.04, 0, 0, 0, -6.74)),
             CasaComponent("Cd 3d s", "SGL(30)", P(1200, 1e-20, 1e6), P(1.1, 0.2, 3),
                           P(hv - 406.2, hv - 406.8, hv - 405.8)))
    region = CasaRegion("Cd 3d", "Shirley", hv - 417.9, hv - 400.0, (), 2, 12.0)
    return CasaModel.from_kinetic(region, comps, hv)


def test_casa_model_maps_one_to_one():
    model = _casa_nb_like()
    assert model.region.lo_ev == pytest.approx(400.0) and model.region.hi_ev == pytest.approx(417.9)
    specs = casa_components(model)
    assert [s.name for s in specs] == ["Cd 3d #0", "Cd 3d #1", "Cd 3d s"]
    assert specs[1].be_link == ("Cd 3d #0", pytest.approx(6.74))
    assert specs[1].area_link == ("Cd 3d #0", 2 / 3) and specs[1].fwhm_link == ("Cd 3d #0", 1.0)
    assert specs[0].be_bounds_ev == (pytest.approx(404.6), pytest.approx(406.0))


def test_fit_casa_model_on_synthetic_data():
    """Data drawn from the model itself (Shirley + GL/SGL), starts moved: cald's positions within
    0.05 eV of CasaXPS's, area % within 3 points."""
    x = np.arange(400.0, 418.0, 0.05)
    peaks = (gl(x, 405.3, 1.0, 3000, 0.3) + gl(x, 412.04, 1.0, 2000, 0.3) + sgl(x, 406.2, 1.1, 1200, 0.3))
    y = np.random.default_rng(11).poisson(150 + peaks + 0.03 * shirley_integral(x, peaks)).astype(float)
    model = _casa_nb_like()
    moved = replace(model, components=(replace(model.components[0], position=replace(
        model.components[0].position, value=405.5)), *model.components[1:]))
    cmp = fit_casa_model(x, y, moved)
    for row in cmp.rows:
        assert abs(row["cald_be_ev"] - {0: 405.3, 1: 412.04, 2: 406.2}[cmp.rows.index(row)]) < 0.05
    assert abs(cmp.rows[1]["d_be_ev"]) < 0.05 and abs(cmp.rows[2]["d_area_pct"]) < 3
    assert cmp.to_dict()["casa_comparison"][0]["name"] == "Cd 3d #0"


def test_fit_casa_model_on_casaxps_feo_fit():
    """The real CasaXPS model of pynx_FeO_analyzed.vms (U 3 Tougaard, LF ×2, SGL ×2, fields
    copied from its CASA lines) refitted by cald on CasaXPS's exported data (CPS, 2 s):
    measured main-line (LF) positions 0.011 and 0.010 eV from CasaXPS's, FWHM −0.06/+0.34 eV,
    area % within 3.3 points; the SGL satellites: 716.00 stays at its limit, 729.89 moves by
    0.44 eV (weak, broad); χ²ᵣ ≈ 5 (LF is cald's approximation)."""
    be, cps, _, _ = _feo_export()
    P = CasaParam
    comps = [CasaComponent("Fe 2p", "LF(0.54,10,80,100,6)", P(63507.374, 1e-20, 6383903.5),
                           P(3.8576238, 1.07, 26.75), P(777.56313, 738.01, 782.59919)),
             CasaComponent("Fe 2p", "SGL(30)", P(35837.064, 1e-20, 6383903.5), P(8, 1.07, 8),
                           P(770.61, 770.61, 772.61)),
             CasaComponent("Fe 2p", "LF(0.54,10,80,100,6)", P(49042.126, 1e-20, 6383903.5),
                           P(4.8730051, 1.07, 26.75), P(764.48234, 738.01, 782.59919, -1, -13)),
             CasaComponent("Fe 2p", "SGL(30)", P(17705.155, 1e-20, 6383903.5),
                           P(7.8295407, 1.07, 8), P(756.72212, 756.11, 759.61))]
    region = CasaRegion("Fe 2p", "U 3 Tougaard", 737.52081, 786.7632, (335.44588, 551, 436, 3), 2,
                        16.42)
    cmp = fit_casa_model(be, cps, CasaModel.from_kinetic(region, comps, HV_EV), "cps", 2.0)
    assert abs(cmp.rows[0]["d_be_ev"]) < 0.03 and abs(cmp.rows[2]["d_be_ev"]) < 0.03
    assert all(abs(r["d_area_pct"]) < 3.5 for r in cmp.rows)
    assert cmp.rows[0]["approximate_lineshape"]


def test_casa_background_refusals():
    model = _casa_nb_like()
    bad = replace(model, region=replace(model.region, background="U 4 Tougaard"))
    with pytest.raises(ParameterError, match="U 4 Tougaard"):
        fit_casa_model(np.arange(400, 418, 0.05), np.ones(360) * 100, bad)


def test_doublet_helper():
    a, b = doublet("Se 3d", 54.2, 0.86, 2 / 3, lines=("5/2", "3/2"))
    assert (a.name, b.name, b.be_ev) == ("Se 3d 5/2", "Se 3d 3/2", pytest.approx(55.06))


def test_options_model():
    from pydantic import ValidationError

    from cald.surface.options import XpsFitOptions

    opts = XpsFitOptions(preset="Cd 3d", region_ev="418:400", background="shirley")
    x, y = _cd3d_counts(2)
    r = opts.fit(x, y)
    assert r.region_ev == (400.0, pytest.approx(417.95))
    assert r.component("Cd 3d core 5/2").be_ev.value == pytest.approx(405.3, abs=0.05)
    over = XpsFitOptions(preset="O 1s", components={"O 1s Al–O": {"be_ev": 532.3}})
    assert over.region_preset().components[1].be_ev == 532.3
    with pytest.raises(ValidationError, match="Cd 3d, Se 3d"):
        XpsFitOptions(preset="Zn 2p")
    with pytest.raises(ValidationError):
        XpsFitOptions(preset="Cd 3d", background="spline")


def test_fit_casa_model_on_casaxps_nb3d_fit():
    """A real CasaXPS-analysed region (cheminfo/vamas assigned.vms block 49, Kratos → CasaXPS
    2.3.22, Nb 3d: Shirley AvWidth 2, two GL(30) doublets tied by area × 2/3, position −2.78 eV
    KE and equal FWHM), its comp lines copied into CasaParam fields: cald's refit lands
    +0.006 eV and −0.001 eV from CasaXPS's main-line positions (203.116, 207.179 eV), FWHM
    −0.03/+0.06 eV, area % within 1.1 points, χ²ᵣ = 0.63 with σ = √counts."""
    ke, counts = np.loadtxt(DATA / "cheminfo_assigned_block49_Nb3d.csv", delimiter=",",
                            skiprows=1, unpack=True)
    hv, shift = 1486.69, (285.09 - 281.0399) + (284.8 - 285.0903)
    P = CasaParam
    comps = [CasaComponent("Nb 3d Nb metal", "GL(30)", P(343.63388, 1e-20, 47261.55),
                           P(1.1412059, 0.2, 5), P(1283.5736, 1283.3736, 1283.7736)),
             CasaComponent("Nb 3d Nb metal", "GL(30)", P(229.08926, 1e-20, 47261.55, 0, 0.66666667),
                           P(1.1412059, 0.2, 5, 0, 1), P(1280.7936, 0, 0, 0, -2.78)),
             CasaComponent("Nb 3d Nb2O5, NbS2", "GL(30)", P(1361.0609, 1e-20, 47261.55),
                           P(1.6358577, 0.2, 5), P(1279.511, 1279.311, 1279.711)),
             CasaComponent("Nb 3d Nb2O5, NbS2", "GL(30)", P(907.37396, 1e-20, 47261.55, 2, 0.66666667),
                           P(1.6358577, 0.2, 5, 2, 1), P(1276.731, 0, 0, 2, -2.78))]
    region = CasaRegion("Nb 3d", "Shirley", 1271.7981, 1285.0516, (2622.1736, -450, 0, 0), 2, 2.92)
    cmp = fit_casa_model(hv - ke + shift, counts, CasaModel.from_kinetic(region, comps, hv))
    main = [cmp.rows[0], cmp.rows[2]]
    assert [round(r["casa_be_ev"], 3) for r in main] == [203.116, 207.179]
    assert all(abs(r["d_be_ev"]) < 0.02 for r in main)
    assert all(abs(r["d_fwhm_ev"]) < 0.1 and abs(r["d_area_pct"]) < 2 for r in cmp.rows)
    assert cmp.result.redchi == pytest.approx(0.63, abs=0.05)
