"""Peak lineshapes and deconvolution (cald.lineshape.peaks).

The shared invariant tests of tests/invariants.py run for every entry of the SHAPES registry
(finite output, input not mutated, area, reversed axis, change of axis units) and for the fit
(parameters at bounds), then shape-specific invariants (FWHM, symmetry), known answers (analytic
limits, a brute-force Voigt convolution written here), then fits: recovery of synthetic
spectra with noise of known σ against the reported errors, the 13C carboxylate case, ties, a
property test on noiseless spectra, and bad input.
"""

from __future__ import annotations

import inspect
import json
from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.optimize import brentq
from scipy.signal import fftconvolve

from cald.errors import DataFileError, ParameterError
from cald.fitting import FitResult
from cald.lineshape.peak_model import PeakModel, PeakTies
from cald.lineshape.peaks import fit_peaks
from cald.lineshape.profiles import SHAPES, gaussian, lorentzian, pseudo_voigt, voigt, voigt_fwhm
from cald.spectrum import Spectrum
from invariants import AreaInvariants, FitInvariants

EXAMPLES = {
    "gaussian": {"center": 3.0, "fwhm": 1.3, "area": 2.5},
    "lorentzian": {"center": 3.0, "fwhm": 1.3, "area": 2.5},
    "voigt": {"center": 3.0, "fwhm_gauss": 0.9, "fwhm_lorentz": 0.7, "area": 2.5},
    "pseudo_voigt": {"center": 3.0, "fwhm": 1.3, "eta": 0.4, "area": 2.5},
}
ALL_SHAPES = sorted(SHAPES)


def _curve(shape: str, x, **changes):
    return SHAPES[shape].function(x, **{**EXAMPLES[shape], **changes})


def _olivero_longbothum(fg: float, fl: float) -> float:
    return 0.5346 * fl + np.sqrt(0.2166 * fl**2 + fg**2)


def _expected_fwhm(shape: str) -> float:
    p = EXAMPLES[shape]
    return _olivero_longbothum(p["fwhm_gauss"], p["fwhm_lorentz"]) if shape == "voigt" else p["fwhm"]


def _measured_fwhm(shape: str) -> float:
    """Full width at half maximum of the computed curve (half-height crossings solved)."""
    c = EXAMPLES[shape]["center"]
    half = 0.5 * float(_curve(shape, c))
    f = lambda h: float(_curve(shape, c + h)) - half  # noqa: E731
    return 2.0 * brentq(f, 1e-9, 50.0, xtol=1e-14, rtol=1e-14)


# --- shared invariants over the registry -----------------------------------------------------


def test_registry_matches_the_functions():
    assert set(EXAMPLES) == set(SHAPES)
    for name, entry in SHAPES.items():
        assert entry.name == name
        signature = list(inspect.signature(entry.function).parameters)
        assert signature[0] == "x" and tuple(signature[1:]) == entry.params
        assert entry.params[0] == "center" and entry.params[-1] == "area"
        assert set(entry.widths) <= set(entry.params)


class _PeakShapeInvariants(AreaInvariants):
    """The shared invariants (tests/invariants.py) for one line shape of :data:`SHAPES`."""

    shape: ClassVar[str]
    # far out (±10⁶), dense around the line, and the plotting range
    x = np.concatenate([np.linspace(-1e6, 1e6, 101), np.linspace(-20, 20, 4001),
                        np.linspace(-4.0, 11.0, 1001)])
    output_scaling = -1.0  # ppm → Hz: same area, heights ÷ k
    area_rtol = 2e-5  # what the dense axis achieves (the shapes are exact to rounding)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.function = staticmethod(SHAPES[cls.shape].function)
        cls.params = EXAMPLES[cls.shape]
        cls.scaling = {n: 1.0 for n in ("center", *SHAPES[cls.shape].widths)}

    @classmethod
    def area_axis(cls) -> NDArray[np.float64]:
        # dense near the center, out to ±10⁵ FWHM so that even Lorentzian tails miss < 1e-5
        u = np.linspace(-np.arcsinh(1e5), np.arcsinh(1e5), 200_001)
        return EXAMPLES[cls.shape]["center"] + 1.3 * np.sinh(u)


class TestGaussianInvariants(_PeakShapeInvariants):
    shape = "gaussian"


class TestLorentzianInvariants(_PeakShapeInvariants):
    shape = "lorentzian"


class TestVoigtInvariants(_PeakShapeInvariants):
    shape = "voigt"


class TestPseudoVoigtInvariants(_PeakShapeInvariants):
    shape = "pseudo_voigt"


def test_every_shape_declares_its_invariants():
    declared = {c.shape for c in _PeakShapeInvariants.__subclasses__()}
    assert declared == set(SHAPES)


class TestPeakFitInvariants(FitInvariants):
    """Pseudo-Voigt fit of Gaussian lines: η of the second line stops at its lower bound 0."""

    bound_param = "p1_eta"

    @classmethod
    def fit_at_bound(cls) -> FitResult:
        axis = np.linspace(200.0, 160.0, 1601)
        y = gaussian(axis, 184.0, 2.0, 50.0) + gaussian(axis, 178.0, 2.5, 20.0)
        y = y + np.random.default_rng(0).normal(0.0, 0.05, axis.size)
        return fit_peaks(Spectrum(y, axis, "ppm"), (192, 170), n_peaks=2, shape="pseudo_voigt",
                         sigma=0.05, baseline=None)


def test_derived_values_of_a_width_at_its_bound_have_no_error():
    """Tied widths and the FWHM/height of a line whose width sits at a bound get no error."""
    axis = np.linspace(200.0, 160.0, 1601)
    y = gaussian(axis, 184.0, 2.0, 50.0) + gaussian(axis, 178.0, 2.5, 20.0)
    y = y + np.random.default_rng(0).normal(0.0, 0.05, axis.size)
    res = fit_peaks(Spectrum(y, axis, "ppm"), (192, 170), n_peaks=2, shape="pseudo_voigt",
                    sigma=0.05, baseline=None)
    peak = res.peaks[1]
    assert peak.estimates["eta"].at_bound and peak.shape_params["eta"][1] is None
    assert peak.height_err is None
    assert any("height" in n and "bound" in n for n in peak.notes)
    assert res.peaks[0].height_err is not None  # the other line keeps its errors


@pytest.mark.parametrize("shape", ALL_SHAPES)
def test_fwhm_of_the_curve(shape):
    measured = _measured_fwhm(shape)
    if shape == "voigt":  # Olivero–Longbothum is good to 0.02 %; voigt_fwhm is exact
        assert measured == pytest.approx(_expected_fwhm(shape), rel=2e-4)
        p = EXAMPLES["voigt"]
        assert voigt_fwhm(p["fwhm_gauss"], p["fwhm_lorentz"]) == pytest.approx(measured, rel=1e-10)
    else:
        assert measured == pytest.approx(_expected_fwhm(shape), rel=1e-10)
    p = EXAMPLES[shape]
    assert SHAPES[shape].fwhm(**{k: p[k] for k in SHAPES[shape].shape_params}) == pytest.approx(
        measured, rel=1e-10)


@pytest.mark.parametrize("shape", ALL_SHAPES)
def test_symmetric_about_center(shape):
    d = np.linspace(0.0, 30.0, 3001)
    c = EXAMPLES[shape]["center"]
    np.testing.assert_allclose(_curve(shape, c + d), _curve(shape, c - d), rtol=1e-12, atol=0)
    assert np.all(np.diff(_curve(shape, c + d)) <= 0)  # maximum at the center
    height = SHAPES[shape].peak_height(
        EXAMPLES[shape]["area"], **{k: EXAMPLES[shape][k] for k in SHAPES[shape].shape_params})
    assert float(_curve(shape, c)) == pytest.approx(height, rel=1e-14)


# --- known answers ------------------------------------------------------------------------


def test_pseudo_voigt_limits():
    x = np.linspace(-10, 10, 2001)
    np.testing.assert_allclose(pseudo_voigt(x, 1.0, 2.0, 0.0, 3.0), gaussian(x, 1.0, 2.0, 3.0), rtol=1e-14)
    np.testing.assert_allclose(pseudo_voigt(x, 1.0, 2.0, 1.0, 3.0), lorentzian(x, 1.0, 2.0, 3.0),
                               rtol=1e-14)


def test_voigt_limits():
    x = np.linspace(-10, 10, 2001)
    np.testing.assert_allclose(voigt(x, 1.0, 2.0, 0.0, 3.0), gaussian(x, 1.0, 2.0, 3.0), rtol=1e-12)
    np.testing.assert_allclose(voigt(x, 1.0, 0.0, 2.0, 3.0), lorentzian(x, 1.0, 2.0, 3.0), rtol=1e-12)
    assert voigt_fwhm(2.0, 0.0) == 2.0 and voigt_fwhm(0.0, 2.0) == 2.0


def test_voigt_against_brute_force_convolution():
    """Voigt = Gaussian ⊗ Lorentzian, by direct numerical convolution on a fine grid."""
    h = 0.002
    t = np.arange(-400.0, 400.0 + h / 2, h)
    g = gaussian(t, 0.0, 1.1, 1.0)
    lor = lorentzian(t, 0.0, 0.8, 1.0)
    conv = fftconvolve(lor, g, mode="same") * h
    keep = np.abs(t) <= 8.0
    expected = voigt(t[keep], 0.0, 1.1, 0.8, 1.0)
    assert np.max(np.abs(conv[keep] - expected)) < 1e-5 * expected.max()


@pytest.mark.parametrize("fl_over_fg", [0.01, 0.3, 1.0, 3.0, 100.0])
def test_voigt_fwhm_against_olivero_longbothum(fl_over_fg):
    """The approximation's worst case is 0.0237 % near f_L/f_G = 0.29 (0.02 % is its nominal
    accuracy); away from there it is well inside 0.02 %."""
    fg = 1.7
    fl = fl_over_fg * fg
    rel = 2.4e-4 if fl_over_fg == 0.3 else 2e-4
    assert voigt_fwhm(fg, fl) == pytest.approx(_olivero_longbothum(fg, fl), rel=rel)
    half = 0.5 * float(voigt(0.0, 0.0, fg, fl, 1.0))
    assert float(voigt(0.5 * voigt_fwhm(fg, fl), 0.0, fg, fl, 1.0)) == pytest.approx(half, rel=1e-10)


# --- fits on synthetic spectra ------------------------------------------------------------

AXIS = np.linspace(220.0, 140.0, 4096)  # decreasing ppm, as NMR spectra are stored


def _spectrum(shape, peaks, sigma=0.0, seed=0, baseline=(0.0, 0.0), axis=AXIS, imag=None):
    y = sum(SHAPES[shape].function(axis, **p) for p in peaks)
    y = y + baseline[0] + baseline[1] * (axis - 180.0)
    if sigma:
        y = y + np.random.default_rng(seed).normal(0.0, sigma, axis.size)
    if imag is not None:
        y = y + 1j * imag
    return Spectrum(y, axis.copy(), "ppm", nucleus="13C", sf_mhz=150.9)


RECOVERY = {  # overlapping lines: (shape, peaks in axis order, σ)
    "gaussian": [{"center": 186.0, "fwhm": 2.0, "area": 40.0}, {"center": 184.0, "fwhm": 2.4, "area": 60.0},
                 {"center": 180.8, "fwhm": 2.2, "area": 25.0}],
    "lorentzian": [{"center": 186.0, "fwhm": 1.6, "area": 40.0}, {"center": 184.0, "fwhm": 2.0, "area": 60.0},
                   {"center": 181.0, "fwhm": 1.8, "area": 25.0}],
    "voigt": [{"center": 184.0, "fwhm_gauss": 1.5, "fwhm_lorentz": 1.2, "area": 75.0},
              {"center": 180.5, "fwhm_gauss": 1.8, "fwhm_lorentz": 1.0, "area": 25.0}],
    "pseudo_voigt": [{"center": 184.0, "fwhm": 2.2, "eta": 0.5, "area": 75.0},
                     {"center": 180.7, "fwhm": 2.6, "eta": 0.3, "area": 25.0}],
}
SEEDS = range(20)


@pytest.mark.parametrize("shape", ALL_SHAPES)
def test_recovery_within_reported_errors(shape):
    """Over 20 noise realisations (σ = 0.2, peak S/N ≈ 50–100; starting centers 0.3 ppm off),
    the errors the fit reports match the actual scatter: ≥ 98 % of the center/width/area
    z-scores within 3σ and none beyond 4.5σ (a strict "all within 3σ" would fail by chance for
    ~0.3 % of ~170 z-scores), ⟨z²⟩ ≈ 1, and the 95 % interval of the area fraction covers the
    truth in ≥ 85 % of seeds."""
    truth = RECOVERY[shape]
    total = sum(p["area"] for p in truth)
    z, covered = [], []
    for seed in SEEDS:
        spec = _spectrum(shape, truth, sigma=0.2, seed=seed, baseline=(0.3, 0.01))
        starts = [p["center"] + (0.3 if k % 2 else -0.3) for k, p in enumerate(truth)]
        res = fit_peaks(spec, (192.0, 174.0), centers=starts, shape=shape, sigma=0.2)
        assert [p.index for p in res.peaks] == list(range(len(truth)))
        for est, true in zip(res.peaks, truth, strict=True):
            pairs = [(est.center, est.center_err, true["center"]), (est.area, est.area_err, true["area"])]
            pairs += [(est.shape_params[k][0], est.shape_params[k][1], true[k])
                      for k in SHAPES[shape].shape_params]
            for value, err, expected in pairs:
                assert err is not None and err > 0
                z.append((value - expected) / err)
        last = res.peaks[-1]
        covered.append(abs(last.fraction - truth[-1]["area"] / total) <= 1.96 * last.fraction_err)
    z = np.abs(np.array(z))
    assert np.mean(z < 3.0) >= 0.98, np.sort(z)[-5:]
    assert z.max() < 4.5
    assert 0.5 < np.mean(z**2) < 1.5
    assert np.mean(covered) >= 0.85


def test_three_overlapping_lines_picked():
    """Two of the three lines merge into one maximum: the third start comes from the residual."""
    truth = RECOVERY["gaussian"]
    res = fit_peaks(_spectrum("gaussian", truth, sigma=0.2, seed=11), (192, 174), n_peaks=3,
                    shape="gaussian", sigma=0.2)
    for est, true in zip(res.peaks, truth, strict=True):
        assert abs(est.center - true["center"]) < 4 * est.center_err
        assert abs(est.area - true["area"]) < 4 * est.area_err


@pytest.mark.parametrize("reverse", [False, True])
def test_carboxylate_bridging_fraction(reverse):
    """13C carboxylate: chelating 184 ppm (75 %) and a bridging shoulder at 180.5 ppm (25 %),
    peaks picked automatically, σ measured on the spectrum; either axis orientation."""
    truth = [{"center": 184.0, "fwhm_gauss": 1.6, "fwhm_lorentz": 1.2, "area": 75.0},
             {"center": 180.5, "fwhm_gauss": 2.0, "fwhm_lorentz": 1.2, "area": 25.0}]
    axis = AXIS[::-1].copy() if reverse else AXIS
    for seed in range(5):
        spec = _spectrum("voigt", truth, sigma=0.4, seed=seed, baseline=(0.5, -0.02), axis=axis)
        res = fit_peaks(spec, (174.0, 192.0), n_peaks=2, shape="voigt")
        bridging = min(res.peaks, key=lambda p: p.center)
        chelating = max(res.peaks, key=lambda p: p.center)
        assert bridging.fraction == pytest.approx(0.25, abs=0.03)
        assert bridging.fraction + chelating.fraction == pytest.approx(1.0, abs=1e-12)
        assert bridging.fraction_err is not None and bridging.fraction_err < 0.03
        # correlated propagation: the two fractions' errors are equal (f₀ = 1 − f₁)
        assert bridging.fraction_err == pytest.approx(chelating.fraction_err, rel=1e-6)
        assert bridging.center == pytest.approx(180.5, abs=0.2)
        assert res.sigma == pytest.approx(0.4, rel=0.1)
        assert 0.8 < res.redchi < 1.25
        # picked peaks follow the stored axis
        order = [p.center for p in res.peaks]
        assert order == sorted(order, reverse=not reverse)


def test_fraction_error_uses_the_covariance():
    """The fraction's error is g·C·g with the full covariance C of the fit (computed here by
    hand); the overlapping areas are anticorrelated, so treating them as independent would
    understate it."""
    truth = RECOVERY["voigt"]
    res = fit_peaks(_spectrum("voigt", truth, sigma=0.2, seed=3), (192, 174), n_peaks=2, sigma=0.2)
    a0, a1 = res.peaks[0].area, res.peaks[1].area
    t = a0 + a1
    i0, i1 = res.var_names.index("p0_area"), res.var_names.index("p1_area")
    c = res.covar[np.ix_([i0, i1], [i0, i1])]
    assert c[0, 1] < 0
    grad = np.array([a1 / t**2, -a0 / t**2])
    assert res.peaks[0].fraction_err == pytest.approx(np.sqrt(grad @ c @ grad), rel=1e-6)
    assert res.peaks[1].fraction_err == pytest.approx(np.sqrt(grad @ c @ grad), rel=1e-6)
    independent = np.hypot(grad[0] * res.peaks[0].area_err, grad[1] * res.peaks[1].area_err)
    assert res.peaks[0].fraction_err > 1.05 * independent


def test_result_curves_dict_and_report():
    truth = RECOVERY["pseudo_voigt"]
    spec = _spectrum("pseudo_voigt", truth, sigma=0.2, seed=1, baseline=(0.3, 0.01))
    res = fit_peaks(spec, (192, 174), n_peaks=2, shape="pseudo_voigt")
    np.testing.assert_allclose(res.model_curve(res.x),
                               np.sum(res.component_curves(res.x), axis=0) + res.baseline_curve(res.x))
    np.testing.assert_allclose(res.residual, res.data - res.model_curve(res.x))
    assert res.residual.shape == (res.n_points,)
    for comp, est in zip(res.component_curves(AXIS), res.peaks, strict=True):
        assert -np.trapezoid(comp, AXIS) == pytest.approx(est.area, rel=0.02)  # finite axis
    d = json.loads(json.dumps(res.to_dict()))
    for key in ("shape", "region", "peaks", "redchi", "aic", "bic", "baseline", "n_varys", "sigma_source"):
        assert key in d
    for peak in d["peaks"]:
        for key in ("center_ppm", "center_ppm_err", "fwhm_ppm", "fwhm_ppm_err", "area", "area_err",
                    "fraction", "fraction_err", "height", "eta", "eta_err"):
            assert key in peak
    assert d["region"] == [174.0, 192.0]
    assert sum(p["fraction"] for p in d["peaks"]) == pytest.approx(1.0)
    text = res.report()
    assert "pseudo_voigt" in text and "fraction" in text and "χ²ᵣ" in text


@pytest.mark.parametrize("shape", ALL_SHAPES)
def test_lmfit_composite_model_matches_the_fast_evaluation(shape):
    """PeakModel.model (lmfit composite, for notebooks) and the residual's numpy sum agree."""
    model = PeakModel(2, shape, "linear", PeakTies(equal_widths=True, fixed_separations={(0, 1): -2.5}))
    starts = [{"center": 184.0, "fwhm": 2.0, "area": 10.0}, {"center": 0.0, "fwhm": 1.0, "area": 4.0}]
    params = model.make_params(starts, (170, 195), (1e-3, 20), (0.5, 0.02), 182.0)
    x = np.linspace(195, 170, 300)
    np.testing.assert_allclose(model.model.eval(params, x=x), model.evaluate(x, params.valuesdict()),
                               rtol=1e-14)
    assert params["p1_center"].value == 181.5
    n_eta = 2 if shape == "pseudo_voigt" else 0  # η is not a width: stays free per peak
    assert model.n_varys() == 1 + len(SHAPES[shape].widths) + n_eta + 2 + 2  # centers, widths, η, areas, bl


def test_missing_error_comes_with_a_note():
    """A line held where there is no signal ends with area 0 at its bound: no error, a note."""
    truth = [{"center": 184.0, "fwhm": 2.0, "area": 50.0}]
    spec = _spectrum("gaussian", truth, sigma=0.05, seed=2)
    res = fit_peaks(spec, (192, 172), centers=[184.0, 176.0], shape="gaussian",
                    ties={"fix_centers": [1]}, sigma=0.05, baseline=None)
    empty = res.peaks[1]
    if empty.area_err is None:
        assert any("bound" in n for n in empty.notes)
    else:  # the optimiser stopped just inside the bound: the error is then honest
        assert empty.area < 3 * empty.area_err
    assert res.peaks[1].center == 176.0 and res.peaks[1].center_err == 0.0
    assert res.peaks[1].fixed == ("center",)


# --- ties ------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["gaussian", "voigt", "pseudo_voigt"])
def test_equal_widths(shape):
    truth = RECOVERY[shape][:2] if shape != "gaussian" else RECOVERY["gaussian"][1:]
    spec = _spectrum(shape, truth, sigma=0.2, seed=4)
    free = fit_peaks(spec, (192, 174), n_peaks=2, shape=shape, sigma=0.2)
    tied = fit_peaks(spec, (192, 174), n_peaks=2, shape=shape, sigma=0.2, ties=PeakTies(equal_widths=True))
    for w in SHAPES[shape].widths:
        assert tied.peaks[1].shape_params[w][0] == tied.peaks[0].shape_params[w][0]
        assert tied.peaks[1].to_dict()["tied"][w] == f"p0_{w}"
    assert tied.peaks[1].fwhm == tied.peaks[0].fwhm
    assert tied.n_varys == free.n_varys - len(SHAPES[shape].widths)


def test_fixed_separation_and_fixed_centers():
    truth = RECOVERY["voigt"]
    spec = _spectrum("voigt", truth, sigma=0.2, seed=5)
    free = fit_peaks(spec, (192, 174), centers=[184.2, 180.2], sigma=0.2)
    sep = fit_peaks(spec, (192, 174), centers=[184.2, 180.2], sigma=0.2,
                    ties={"fixed_separations": {(0, 1): -3.5}})
    assert sep.peaks[1].center - sep.peaks[0].center == pytest.approx(-3.5, abs=1e-12)
    assert sep.n_varys == free.n_varys - 1
    assert sep.peaks[1].center_err == pytest.approx(sep.peaks[0].center_err, rel=1e-6)
    assert sep.peaks[0].center == pytest.approx(184.0, abs=0.02)
    fixed = fit_peaks(spec, (192, 174), centers=[184.0, 180.5], sigma=0.2, ties={"fix_centers": True})
    assert [p.center for p in fixed.peaks] == [184.0, 180.5]
    assert [p.center_err for p in fixed.peaks] == [0.0, 0.0]
    assert fixed.n_varys == free.n_varys - 2
    both = fit_peaks(spec, (192, 174), centers=[184.0, 180.5], sigma=0.2,
                     ties={"fix_centers": True, "fixed_separations": {(0, 1): -3.5}})
    assert [p.center for p in both.peaks] == [184.0, 180.5]
    assert both.n_varys == free.n_varys - 2
    assert both.to_dict()["ties"]["fixed_separations"] == [[0, 1, -3.5]]


def test_chained_separations():
    truth = [{"center": c, "fwhm": 1.0, "area": 10.0} for c in (186.0, 183.0, 180.0)]
    spec = _spectrum("gaussian", truth, sigma=0.05, seed=6)
    res = fit_peaks(spec, (190, 176), centers=[186.1, 183.1, 180.1], shape="gaussian", sigma=0.05,
                    ties={"fixed_separations": {(1, 2): -3.0, (0, 1): -3.0}, "equal_widths": True})
    c = [p.center for p in res.peaks]
    assert c[1] - c[0] == pytest.approx(-3.0, abs=1e-12) and c[2] - c[1] == pytest.approx(-3.0, abs=1e-12)
    assert res.n_varys == 1 + 1 + 3 + 2  # one center, one width, three areas, linear baseline


# --- property test ---------------------------------------------------------------------------


@st.composite
def _two_lines(draw):
    shape = draw(st.sampled_from(ALL_SHAPES))
    c1 = draw(st.floats(170.0, 175.0))
    c2 = c1 + draw(st.floats(8.0, 12.0))
    peaks = []
    for c in (c2, c1):  # axis order (decreasing ppm)
        p = {"center": c, "area": draw(st.floats(1.0, 100.0))}
        if shape == "voigt":
            p["fwhm_gauss"] = draw(st.floats(0.3, 1.5))
            p["fwhm_lorentz"] = draw(st.floats(0.3, 1.5))
        else:
            p["fwhm"] = draw(st.floats(0.5, 2.0))
        if shape == "pseudo_voigt":
            p["eta"] = draw(st.floats(0.1, 0.9))
        peaks.append(p)
    return shape, peaks


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_two_lines())
def test_noiseless_round_trip(case):
    """parameters → curve → fit returns the parameters (relative error < 1e-4)."""
    shape, truth = case
    res = fit_peaks(_spectrum(shape, truth), (195.0, 160.0), n_peaks=2, shape=shape, sigma=1e-3,
                    baseline=None)
    for est, true in zip(res.peaks, truth, strict=True):
        width = SHAPES[shape].fwhm(**{k: true[k] for k in SHAPES[shape].shape_params})
        assert abs(est.center - true["center"]) < 1e-4 * width
        assert est.area == pytest.approx(true["area"], rel=1e-4)
        assert est.fwhm == pytest.approx(width, rel=1e-4)
        for k in SHAPES[shape].shape_params:
            assert est.shape_params[k][0] == pytest.approx(true[k], rel=1e-4, abs=1e-6)


# --- bad input -------------------------------------------------------------------------------

ONE = [{"center": 184.0, "fwhm": 2.0, "area": 50.0}]


def test_region_outside_the_axis():
    with pytest.raises(ParameterError, match="outside the axis"):
        fit_peaks(_spectrum("gaussian", ONE), (300.0, 250.0), n_peaks=1)


def test_too_few_points():
    spec = _spectrum("gaussian", ONE, sigma=0.1)
    # 0.25 ppm holds 13 points; one Voigt + linear baseline has 6 parameters → 8 needed: fine,
    # but three lines (14 parameters) need 16
    with pytest.raises(ParameterError, match="need at least 16"):
        fit_peaks(spec, (184.0, 184.25), n_peaks=3)
    with pytest.raises(ParameterError, match="points"):
        fit_peaks(spec, (184.0, 184.03), centers=[184.01])
    with pytest.raises(ParameterError, match="points"):
        fit_peaks(spec, (184.0, 184.03))  # peaks to be picked: at least one line's worth


def test_unknown_shape_and_baseline():
    spec = _spectrum("gaussian", ONE, sigma=0.1)
    with pytest.raises(ParameterError, match="unknown peak shape"):
        fit_peaks(spec, (190, 178), n_peaks=1, shape="sech2")
    with pytest.raises(ParameterError, match="unknown baseline"):
        fit_peaks(spec, (190, 178), n_peaks=1, baseline="cubic")
    with pytest.raises(ParameterError):
        PeakModel(1, "triangle")


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_bad_number_of_peaks(n):
    with pytest.raises(ParameterError, match="n_peaks"):
        fit_peaks(_spectrum("gaussian", ONE, sigma=0.1), (190, 178), n_peaks=n)


def test_centers_outside_the_region_or_inconsistent():
    spec = _spectrum("gaussian", ONE, sigma=0.1)
    with pytest.raises(ParameterError, match="outside the fitted region"):
        fit_peaks(spec, (190, 178), centers=[184.0, 195.0])
    with pytest.raises(ParameterError, match="2 centers"):
        fit_peaks(spec, (190, 178), n_peaks=3, centers=[184.0, 182.0])
    with pytest.raises(ParameterError, match="empty"):
        fit_peaks(spec, (190, 178), centers=[])


@pytest.mark.parametrize("ties, match", [
    ({"fixed_separations": {(0, 2): 1.0}}, "indices"),
    ({"fixed_separations": {(0, 1): 1.0, (1, 0): -1.0}}, "loop"),
    ({"fixed_separations": {(0, 1): -20.0}}, "outside the region"),
    ({"fix_centers": [1], "fixed_separations": {(0, 1): -2.0}}, "both fixed and tied"),
    ({"fix_centers": [5]}, "not a peak index"),
    ({"equal_width": True}, "unknown tie"),
])
def test_bad_ties(ties, match):
    with pytest.raises(ParameterError, match=match):
        fit_peaks(_spectrum("gaussian", ONE, sigma=0.1), (190, 178), centers=[184.0, 182.0], ties=ties)


def test_bad_sigma_and_region_and_data():
    spec = _spectrum("gaussian", ONE, sigma=0.1)
    with pytest.raises(ParameterError, match="positive"):
        fit_peaks(spec, (190, 178), n_peaks=1, sigma=0.0)
    with pytest.raises(ParameterError, match="one value per point"):
        fit_peaks(spec, (190, 178), n_peaks=1, sigma=np.ones(7))
    with pytest.raises(ParameterError, match="different"):
        fit_peaks(spec, (184, 184), n_peaks=1)
    series = Spectrum(np.vstack([spec.values, spec.values]), spec.axis, "ppm")
    with pytest.raises(ParameterError, match="one spectrum at a time"):
        fit_peaks(series, (190, 178), n_peaks=1)
    bad = spec.values.copy()
    bad[np.argmin(np.abs(AXIS - 185.0))] = np.nan
    with pytest.raises(DataFileError, match="non-finite"):
        fit_peaks(Spectrum(bad, spec.axis, "ppm", source="x.csv"), (190, 178), n_peaks=1)


def test_no_peak_to_pick():
    flat = Spectrum(np.random.default_rng(0).normal(0, 1, AXIS.size), AXIS, "ppm")
    with pytest.raises(ParameterError, match="no peak"):
        fit_peaks(flat, (190, 178))


def test_complex_values_fitted_on_the_real_part():
    truth = RECOVERY["voigt"]
    junk = np.random.default_rng(9).normal(0, 5.0, AXIS.size)
    real = fit_peaks(_spectrum("voigt", truth, sigma=0.2, seed=7), (192, 174), n_peaks=2, sigma=0.2)
    cplx = fit_peaks(_spectrum("voigt", truth, sigma=0.2, seed=7, imag=junk), (192, 174), n_peaks=2,
                     sigma=0.2)
    assert [p.area for p in cplx.peaks] == pytest.approx([p.area for p in real.peaks], rel=1e-12)
    assert any("real part" in n for n in cplx.notes)


def test_noiseless_data_without_sigma():
    """No measurable noise: σ comes from the residuals (covariance scaled by χ²ᵣ), with a note."""
    res = fit_peaks(_spectrum("gaussian", ONE), (190, 178), n_peaks=1, shape="gaussian")
    assert res.sigma is None and res.sigma_source == "estimated from the residuals"
    assert any("could not be measured" in n for n in res.notes)
    assert res.peaks[0].area == pytest.approx(50.0, rel=1e-8)


def test_region_partly_outside_is_noted_and_auto_peaks():
    spec = _spectrum("gaussian", [{"center": 150.0, "fwhm": 2.0, "area": 50.0}], sigma=0.1)
    res = fit_peaks(spec, (130.0, 160.0), shape="gaussian")
    assert len(res.peaks) == 1 and res.peaks[0].center == pytest.approx(150.0, abs=0.01)
    assert any("extends past the axis" in n for n in res.notes)
    assert any("found above 5σ" in n for n in res.notes)


# --- keys named by the axis unit (issue 9) --------------------------------------------------


@pytest.mark.parametrize(("unit", "suffix"), [("ev", "ev"), ("cm-1", "per_cm"), ("ppm", "ppm")])
def test_keys_follow_the_axis_unit(unit, suffix):
    """Positions and widths are reported in the spectrum's axis unit and named by it: an XPS
    (eV) or FTIR (cm⁻¹) fit has no ``ppm`` key."""
    axis = np.linspace(300.0, 280.0, 801)
    truth = [{"center": 290.0, "fwhm_gauss": 1.2, "fwhm_lorentz": 0.4, "area": 10.0}]
    y = sum(SHAPES["voigt"].function(axis, **p) for p in truth)
    y = y + np.random.default_rng(0).normal(0.0, 0.01, axis.size)
    d = fit_peaks(Spectrum(y, axis, unit), (296.0, 284.0), n_peaks=1, sigma=0.01).to_dict()
    peak = d["peaks"][0]
    for name in ("center", "fwhm", "fwhm_gauss", "fwhm_lorentz"):
        assert f"{name}_{suffix}" in peak and f"{name}_{suffix}_err" in peak
    assert peak[f"center_{suffix}"] == pytest.approx(290.0, abs=0.01)
    assert not any(k.startswith("center") and k != f"center_{suffix}" and not k.endswith("_err")
                   for k in peak)
    assert d["unit"] == unit


@pytest.mark.parametrize(("unit", "key"), [("ev", "ev"), ("cm-1", "per_cm"), ("ppm", "ppm")])
def test_picked_peaks_are_keyed_by_the_axis_unit(unit, key):
    """``pick_peaks`` of a non-NMR spectrum does not report its positions under ``ppm``."""
    from cald.nmr.processing import pick_peaks

    axis = np.linspace(300.0, 280.0, 801)
    y = gaussian(axis, 290.0, 1.0, 5.0) + np.random.default_rng(1).normal(0.0, 0.01, axis.size)
    peaks = [p.to_dict() for p in pick_peaks(Spectrum(y, axis, unit))]
    assert peaks and peaks[0][key] == pytest.approx(290.0, abs=0.05)
    assert f"width_{key}" in peaks[0]
    assert ("ppm" in peaks[0]) == (unit == "ppm")
