"""One-dimensional processing (``cald.nmr.processing``) against analytic answers: windows and
Lorentzian widths, zero filling, the Fourier-transform axis, TopSpin's phase convention,
automatic phasing, baseline removal, referencing, integrals, noise, peak picking; and invariants
every processing step keeps (input untouched, one history entry, finite output)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cald.errors import ParameterError
from cald.io.bruker import processed_spectrum, processing_options, raw_signal, read_bruker
from cald.nmr.processing import (
    SECONDARY_REFERENCES,
    apodize,
    autophase,
    baseline_correct,
    dc_offset,
    fourier_transform,
    integrate,
    phase,
    pick_peaks,
    process_fid,
    reference,
    reference_to,
    reference_to_peak,
    signal_to_noise,
    zero_fill,
)
from cald.noise import noise_std
from cald.spectrum import Spectrum
from cald.synth.bruker import AcquisitionSetup, Line, lines_fid

BRUKER = Path(__file__).parent / "data" / "bruker"


# --- helpers ------------------------------------------------------------------------------


def make_fid(lines: list[Line], *, nucleus: str = "13C", sw_hz: float = 20_000.0, n: int = 4096,
             carrier_ppm: float = 0.0, noise_sd: float = 0.0, seed: int = 0,
             field_1h_mhz: float = 400.13) -> Spectrum:
    """Noise-free (or noisy) FID of Lorentzian lines, no digital filter, as a time-domain
    Spectrum. With ``carrier_ppm = 0`` an offset of ν Hz sits at ν / SF ppm."""
    setup = AcquisitionSetup(nucleus, field_1h_mhz=field_1h_mhz, sw_hz=sw_hz, td=2 * n,
                             carrier_ppm=carrier_ppm, group_delay=0)
    fid = lines_fid(setup, lines)
    if noise_sd:
        rng = np.random.default_rng(seed)
        fid = fid + noise_sd * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    return Spectrum(fid, np.arange(n) / sw_hz, "s", nucleus, setup.bf1_mhz, setup.sfo1_mhz,
                    source="synthetic", history=("synthetic FID",), meta={"group_delay": 0.0})


def make_spectrum(lines: list[Line], *, zero_fill_to: int | None = None, **kwargs) -> Spectrum:
    """Absorptive spectrum (no window) of ``make_fid``."""
    sig = make_fid(lines, **kwargs)
    if zero_fill_to:
        sig = zero_fill(sig, zero_fill_to)
    return fourier_transform(sig)


def index_of(spec: Spectrum, ppm: float) -> int:
    return int(np.argmin(np.abs(spec.axis - ppm)))


def wrap_deg(angle: float) -> float:
    return (angle + 180.0) % 360.0 - 180.0


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


#: Six well separated lines spread over a 20 kHz, 13C (100.6 MHz) window of ±99 ppm.
SPREAD_LINES = [Line(ppm, amp, 60.0) for ppm, amp in
                ((-85.0, 0.8), (-52.0, 1.0), (-18.0, 0.55), (15.0, 0.9), (48.0, 0.65), (82.0, 0.75))]


@pytest.fixture(scope="module")
def spread_spectrum() -> Spectrum:
    return make_spectrum(SPREAD_LINES, n=4096, zero_fill_to=8192, noise_sd=2e-3, seed=1)


# --- windows ------------------------------------------------------------------------------


@pytest.mark.parametrize("lb_hz", [0.0, 3.0, 20.0])
@pytest.mark.parametrize("r2", [20.0, 80.0, 300.0])
def test_exponential_window_lorentzian_fwhm(r2, lb_hz):
    """exp(−R2 t) has a Lorentzian of FWHM R2/π; the window exp(−π LB t) adds LB."""
    sw, n = 10_000.0, 32768
    t = np.arange(n) / sw
    fid = np.exp((2j * np.pi * 1234.5 - r2) * t)
    fid[0] *= 0.5
    sig = Spectrum(fid, t, "s", "1H", 400.13, 400.13)
    spec = fourier_transform(apodize(sig, "exponential", lb_hz=lb_hz))
    (peak,) = pick_peaks(spec, max_peaks=1)
    assert peak.ppm * 400.13 == pytest.approx(1234.5, abs=sw / n)
    assert peak.width_hz == pytest.approx(r2 / np.pi + lb_hz, rel=0.01)
    # the peak height of a Lorentzian: amplitude × SW / (π · FWHM)
    assert peak.height == pytest.approx(sw / (np.pi * (r2 / np.pi + lb_hz)), rel=0.01)


@pytest.mark.parametrize("gb_hz", [20.0, 60.0])
def test_gaussian_window_fwhm(gb_hz):
    """A very narrow line under the Gaussian window takes the window's FWHM."""
    sw, n = 10_000.0, 16384
    t = np.arange(n) / sw
    fid = np.exp((2j * np.pi * 500.0 - 0.01) * t)
    fid[0] *= 0.5
    sig = Spectrum(fid, t, "s", "1H", 400.13, 400.13)
    (peak,) = pick_peaks(fourier_transform(apodize(sig, "gaussian", gb_hz=gb_hz)), max_peaks=1)
    assert peak.width_hz == pytest.approx(gb_hz, rel=0.02)


def test_window_shapes():
    sig = make_fid([Line(10.0, 1.0)], n=1024)
    ones = Spectrum(np.ones(1024, complex), sig.axis, "s", "13C", sig.sf_mhz, sig.carrier_mhz)
    cos = apodize(ones, "sine", ssb=2).values.real
    assert cos[0] == pytest.approx(1.0) and cos[-1] == pytest.approx(0.0, abs=1e-12)
    sine = apodize(ones, "sine", ssb=0).values.real
    assert sine[0] == pytest.approx(0.0, abs=1e-12) and sine.max() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(apodize(ones, "qsine", ssb=3).values.real,
                               apodize(ones, "sine", ssb=3).values.real ** 2)
    gm = apodize(ones, "gm", lb_hz=-10.0, gm_fraction=0.3).values.real
    aq = ones.axis[-1]
    assert ones.axis[int(np.argmax(gm))] == pytest.approx(0.3 * aq, abs=2 * ones.axis[1])
    np.testing.assert_array_equal(apodize(sig, "none").values, sig.values)


@pytest.mark.parametrize("kwargs", [{"kind": "gm", "lb_hz": -5.0, "gm_fraction": 0.0},
                                    {"kind": "gm", "lb_hz": -5.0, "gm_fraction": 1.0},
                                    {"kind": "hamming"}])
def test_window_bad_options(kwargs):
    with pytest.raises(ParameterError):
        apodize(make_fid([Line(10.0, 1.0)], n=256), **kwargs)


# --- zero filling and Fourier transform ---------------------------------------------------


@pytest.mark.parametrize("size", [1, 100, 512, 1024, 4096, 3001])
def test_zero_fill_size(size):
    sig = make_fid([Line(10.0, 1.0, 80.0)], n=1024)
    out = zero_fill(sig, size)
    assert out.n_points == size and out.values.shape == (size,)
    keep = min(size, sig.n_points)
    np.testing.assert_array_equal(out.values[:keep], sig.values[:keep])
    assert np.all(out.values[keep:] == 0)
    np.testing.assert_allclose(out.axis, np.arange(size) * sig.axis[1], rtol=1e-12)


def test_zero_fill_series():
    sig = make_fid([Line(10.0, 1.0, 80.0)], n=256)
    series = sig.evolve(np.stack([sig.values, 2 * sig.values]), "two rows")
    out = zero_fill(series, 1024)
    assert out.values.shape == (2, 1024)
    np.testing.assert_array_equal(out.values[1, :256], 2 * sig.values)


@pytest.mark.parametrize("size", [0, -8])
def test_zero_fill_bad_size(size):
    with pytest.raises(ParameterError):
        zero_fill(make_fid([Line(10.0, 1.0)], n=64), size)


@pytest.mark.parametrize(("n", "sw_hz", "carrier_ppm", "nucleus"), [
    (1024, 20_000.0, 0.0, "13C"),
    (4096, 50_000.0, 100.0, "13C"),
    (2048, 100_000.0, -40.0, "27Al"),
    (8192, 8_000.0, 4.7, "1H"),
])
def test_fourier_transform_axis(n, sw_hz, carrier_ppm, nucleus):
    sig = make_fid([Line(carrier_ppm, 1.0)], nucleus=nucleus, sw_hz=sw_hz, n=n,
                   carrier_ppm=carrier_ppm)
    spec = fourier_transform(sig)
    sf, carrier = sig.sf_mhz, sig.carrier_mhz
    assert spec.unit == "ppm" and spec.n_points == n
    assert spec.axis[0] == pytest.approx((carrier * 1e6 + sw_hz / 2 - sf * 1e6) / sf, abs=1e-9)
    np.testing.assert_allclose(np.diff(spec.axis), -sw_hz / n / sf, rtol=1e-9)
    assert spec.meta["sw_hz"] == pytest.approx(sw_hz)
    # the line at the carrier lands on the carrier point, N/2
    assert int(np.argmax(spec.real())) == n // 2
    assert spec.axis[n // 2] == pytest.approx(carrier_ppm, abs=1e-9)


@pytest.mark.parametrize("n", [
    64, 4096, 1000,
    65, 6009,
])
@pytest.mark.parametrize("m", [7, -3, 0])
def test_line_on_grid_lands_on_its_axis_value(n, m):
    """A line exactly at m·SW/N Hz from the carrier peaks at the point whose axis value is that
    frequency, for every N."""
    sw = 1000.0
    t = np.arange(n) / sw
    nu = m * sw / n
    sig = Spectrum(np.exp(2j * np.pi * nu * t), t, "s", "1H", 100.0, 100.0)
    spec = fourier_transform(sig)
    i = int(np.argmax(np.abs(spec.values)))
    assert spec.axis[i] * 100.0 == pytest.approx(nu, abs=1e-6 * sw / n)


def test_fourier_transform_edges_even_n():
    """The highest-frequency line sits at the left end, the lowest at the right (even N)."""
    n, sw = 64, 1000.0
    t = np.arange(n) / sw
    low = Spectrum(np.exp(2j * np.pi * (-(n // 2 - 1) * sw / n) * t), t, "s", "1H", 100.0, 100.0)
    high = Spectrum(np.exp(2j * np.pi * ((n // 2 - 1) * sw / n) * t), t, "s", "1H", 100.0, 100.0)
    assert int(np.argmax(np.abs(fourier_transform(low).values))) == n - 1
    assert int(np.argmax(np.abs(fourier_transform(high).values))) == 1


@pytest.mark.parametrize("group_delay", [0.0, 12.0, 68.0, 67.9862060546875, 71.5625])
def test_group_delay_is_first_order_phase(group_delay):
    """Removing GRPDLY is the first-order phase 360°·GRPDLY with the left-edge pivot."""
    sig = make_fid(SPREAD_LINES, n=1024, noise_sd=1e-3)
    plain = fourier_transform(sig, group_delay=0.0)
    np.testing.assert_allclose(fourier_transform(sig, group_delay=group_delay).values,
                               phase(plain, 0.0, 360.0 * group_delay).values,
                               rtol=1e-9, atol=1e-9 * np.abs(plain.values).max())
    # the default is meta["group_delay"]
    with_meta = sig.evolve(sig.values, "meta", meta={**sig.meta, "group_delay": group_delay})
    np.testing.assert_array_equal(fourier_transform(with_meta).values,
                                  fourier_transform(sig, group_delay=group_delay).values)


def test_integer_group_delay_removes_circular_shift():
    """An FID circularly delayed by an even number of points comes back unchanged."""
    sig = make_fid(SPREAD_LINES, n=1024)
    delayed = sig.evolve(np.roll(sig.values, 68), "delayed")
    np.testing.assert_allclose(fourier_transform(delayed, group_delay=68).values,
                               fourier_transform(sig).values, atol=1e-9)


def test_fourier_transform_needs_frequencies():
    sig = make_fid([Line(10.0, 1.0)], n=64)
    with pytest.raises(ParameterError):
        fourier_transform(sig.evolve(sig.values, "no sf", sf_mhz=None))
    with pytest.raises(ParameterError):
        fourier_transform(sig.evolve(sig.values, "no carrier", carrier_mhz=None))


# --- phase --------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, derandomize=True)
@given(p0=st.floats(-720, 720), p1=st.floats(-1440, 1440))
def test_phase_inverse_is_identity(p0, p1):
    spec = make_spectrum([Line(20.0, 1.0, 80.0), Line(-30.0, 0.5, 40.0)], n=256)
    back = phase(phase(spec, p0, p1), -p0, -p1)
    np.testing.assert_allclose(back.values, spec.values, rtol=1e-9,
                               atol=1e-12 * np.abs(spec.values).max())
    assert back.history == (*spec.history, back.history[-2], back.history[-1])


@pytest.mark.parametrize(("p0", "p1"), [(35.0, 0.0), (-120.0, 0.0), (10.0, 90.0), (0.0, -250.0),
                                        (170.0, 400.0)])
def test_phase_corrects_known_dephasing(spread_spectrum, p0, p1):
    """TopSpin's convention: a point k carrying the phase p0 + p1·k/N (degrees, left-edge pivot)
    is made absorptive by PHC0 = p0, PHC1 = p1."""
    spec = spread_spectrum
    k = np.arange(spec.n_points) / spec.n_points
    dephased = spec.evolve(spec.values * np.exp(1j * np.deg2rad(p0 + p1 * k)), "dephased")
    for line in SPREAD_LINES:
        i = index_of(spec, line.ppm)
        got = np.rad2deg(np.angle(dephased.values[i] / spec.values[i]))
        assert wrap_deg(got - (p0 + p1 * i / spec.n_points)) == pytest.approx(0.0, abs=1e-6)
    fixed = phase(dephased, p0, p1)
    np.testing.assert_allclose(fixed.values, spec.values, atol=1e-9 * np.abs(spec.values).max())


@pytest.mark.parametrize("theta", [30.0, -75.0, 160.0])
def test_phase_of_a_dephased_fid(theta):
    """An FID multiplied by exp(iθ) needs PHC0 = θ (not −θ)."""
    sig = make_fid([Line(25.0, 1.0, 50.0)], n=2048)
    absorptive = fourier_transform(sig)
    spec = fourier_transform(sig.evolve(sig.values * np.exp(1j * np.deg2rad(theta)), "rotated"))
    np.testing.assert_allclose(phase(spec, theta).values, absorptive.values,
                               atol=1e-9 * np.abs(absorptive.values).max())
    (peak,) = pick_peaks(phase(spec, theta), max_peaks=1)
    assert peak.ppm == pytest.approx(25.0, abs=abs(spec.axis[1] - spec.axis[0]))
    wrong = phase(spec, -theta).values[peak.index] / absorptive.values[peak.index]
    assert np.angle(wrong, deg=True) == pytest.approx(wrap_deg(2 * theta), abs=1e-6)


# --- automatic phasing --------------------------------------------------------------------


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(p0=st.floats(-180, 180), p1=st.floats(-270, 270), method=st.sampled_from(["acme", "negative"]))
def test_autophase_recovers_known_phases(spread_spectrum, p0, p1, method):
    dephased = phase(spread_spectrum, -p0, -p1)
    out = autophase(dephased, method)
    assert wrap_deg(out.meta["phc0"] - p0) == pytest.approx(0.0, abs=3.0)
    assert out.meta["phc1"] == pytest.approx(p1, abs=5.0)
    assert -180.0 <= out.meta["phc0"] < 180.0
    assert correlation(out.real(), spread_spectrum.real()) > 0.995


@pytest.mark.parametrize("seed", [3, 17, 2024])
@pytest.mark.parametrize("method", ["acme", "negative"])
def test_autophase_zero_order_only(spread_spectrum, seed, method):
    p0 = float(np.random.default_rng(seed).uniform(-180, 180))
    out = autophase(phase(spread_spectrum, -p0), method, first_order=False)
    assert wrap_deg(out.meta["phc0"] - p0) == pytest.approx(0.0, abs=3.0)
    assert out.meta["phc1"] == 0.0


@pytest.mark.parametrize(("name", "min_r"), [("sucrose_1h_600", {"acme": 0.999, "negative": 0.999}),
                                             ("xwin_13c", {"acme": 0.965, "negative": 0.965})])
def test_autophase_real_data_matches_topspin(name, min_r):
    """From the unphased FT of the real FID, autophase gets (close to) TopSpin's phasing. (Not
    xwin_1h: its TopSpin-phased 1r has genuinely negative signals of 27 % of the tallest line,
    which no negativity-penalising method reproduces.) On the overlapping 13C multiplets of
    xwin_13c both methods measured 0.971 (noise allowance 1σ, chosen for the known-answer test
    on clean lines; 3σ gave 0.991 there but a −3.9° bias on clean lines)."""
    ds = read_bruker(BRUKER / name)
    unphased = process_fid(raw_signal(ds), ds.processing, p0_deg=0.0, p1_deg=0.0)
    topspin = processed_spectrum(BRUKER / name).real()
    for method in ("acme", "negative"):
        r = correlation(autophase(unphased, method).real(), topspin)
        assert r > min_r[method], (method, r)


def test_autophase_bad_input(spread_spectrum):
    with pytest.raises(ParameterError):
        autophase(spread_spectrum, "simplex")
    series = spread_spectrum.evolve(np.stack([spread_spectrum.values] * 2), "two rows")
    with pytest.raises(ParameterError):
        autophase(series)


# --- baseline -----------------------------------------------------------------------------


def _baselines(n: int, height: float) -> dict[str, np.ndarray]:
    x = np.linspace(-1.0, 1.0, n)
    return {
        "polynomial": height * (0.04 + 0.03 * x - 0.05 * x**2 + 0.02 * x**3),
        "sinusoidal": height * (0.02 + 0.03 * np.sin(2 * np.pi * 1.3 * x + 0.4)),
    }


@pytest.mark.parametrize(("shape", "method", "kwargs"), [
    ("polynomial", "asls", {}), ("sinusoidal", "asls", {}),
    ("polynomial", "arpls", {"lam": 1e7}), ("sinusoidal", "arpls", {"lam": 1e7}),
    ("polynomial", "modpoly", {"poly_order": 3}),
])
def test_baseline_correct_removes_known_baseline(spread_spectrum, shape, method, kwargs):
    clean = spread_spectrum
    height = float(clean.real().max())
    base = _baselines(clean.n_points, height)[shape]
    distorted = clean.evolve(clean.values + base, "baseline added")
    out = baseline_correct(distorted, method, **kwargs)
    residual = out.real() - clean.real()
    rms = float(np.sqrt(np.mean(residual**2)))
    assert rms < 0.01 * height
    assert rms < 0.25 * float(np.sqrt(np.mean(base**2)))
    assert np.max(np.abs(residual)) < 0.03 * height
    # the imaginary part is left alone
    np.testing.assert_array_equal(np.imag(out.values), np.imag(distorted.values))


def test_baseline_correct_real_input_and_bad_method(spread_spectrum):
    real_only = spread_spectrum.evolve(spread_spectrum.real(), "real part")
    out = baseline_correct(real_only)
    assert not np.iscomplexobj(out.values)
    with pytest.raises(ParameterError):
        baseline_correct(spread_spectrum, "no_such_method")


# --- referencing --------------------------------------------------------------------------


@pytest.mark.parametrize("shift", [-12.5, 0.0, 3.25])
def test_reference_moves_axis(spread_spectrum, shift):
    spec = spread_spectrum
    out = reference(spec, shift)
    np.testing.assert_allclose(out.axis, spec.axis + shift, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(out.values, spec.values)
    assert out.sf_mhz == pytest.approx(spec.sf_mhz / (1 + shift * 1e-6), rel=1e-15)
    # the absolute frequency of each point stays (to first order in the shift: the error is
    # shift × δ × 1e-12 relative)
    np.testing.assert_allclose(out.sf_mhz * (1 + out.axis * 1e-6),
                               spec.sf_mhz * (1 + spec.axis * 1e-6), rtol=1e-8)


@pytest.mark.parametrize(("observed", "true"), [(15.0, 15.0), (-52.0, -50.0), (48.0, 46.3)])
def test_reference_to_peak(spread_spectrum, observed, true):
    out = reference_to_peak(spread_spectrum, observed + 0.2, true)
    peak = min(pick_peaks(out), key=lambda p: abs(p.ppm - true))
    assert peak.ppm == pytest.approx(true, abs=1e-9)


def test_reference_to_peak_outside_axis(spread_spectrum):
    with pytest.raises(ParameterError):
        reference_to_peak(spread_spectrum, 5000.0, 0.0)


@pytest.mark.parametrize("name", ["tce", "TCE", "Tce"])
def test_reference_to_tce(name):
    """A TCE line observed at 75.3 ppm is moved to 74.0 ppm."""
    spec = make_spectrum([Line(75.3, 1.0, 40.0), Line(20.0, 0.5, 40.0)], n=4096, zero_fill_to=8192)
    out = reference_to(spec, name, 75.3)
    assert SECONDARY_REFERENCES["tce"][1] == 74.0
    assert out.axis[index_of(spec, 75.3)] == pytest.approx(74.0, abs=1e-9)
    assert pick_peaks(out)[0].ppm == pytest.approx(74.0, abs=1e-9)


def test_reference_to_wrong_nucleus():
    spec = make_spectrum([Line(4.7, 1.0, 5.0)], nucleus="1H", sw_hz=8000.0, n=1024,
                         carrier_ppm=4.7)
    with pytest.raises(ParameterError, match="13C"):
        reference_to(spec, "tce", 4.7)
    with pytest.raises(ParameterError):
        reference_to(spec, "al(no3)3", 4.7)


def test_reference_to_unknown_standard(spread_spectrum):
    with pytest.raises(ParameterError, match="unknown reference"):
        reference_to(spread_spectrum, "tetramethylsilane-ish", 0.0)


def test_reference_to_without_nucleus_allowed(spread_spectrum):
    anonymous = spread_spectrum.evolve(spread_spectrum.values, "no nucleus", nucleus=None)
    out = reference_to(anonymous, "adamantane", 48.0)
    moved = min(pick_peaks(out), key=lambda p: abs(p.ppm - 38.48))
    assert moved.ppm == pytest.approx(38.48, abs=1e-9)


# --- integrals ----------------------------------------------------------------------------


def lorentzian_integral_ppm(line: Line, sw_hz: float, sf_mhz: float, a_ppm: float,
                            b_ppm: float) -> float:
    """∫ Re S over [a, b] (ppm) for an FID amplitude·exp(2πiνt − πFt) with halved first point:
    the spectrum is SW·(amplitude/2)·L(ν) with L a unit-area Lorentzian of FWHM F."""
    gamma = line.fwhm_hz / 2
    nu = line.ppm * sf_mhz
    lo, hi = sorted((a_ppm * sf_mhz, b_ppm * sf_mhz))
    frac = (np.arctan((hi - nu) / gamma) - np.arctan((lo - nu) / gamma)) / np.pi
    return sw_hz * line.amplitude / 2 * frac / sf_mhz


@pytest.mark.parametrize(("lo_fwhm", "hi_fwhm", "zf"), [
    (-2, 2, None), (-10, 10, None), (-3, 8, None), (1.5, 6, None),
    (-2, 2, 16384), (-10, 10, 16384), (1.5, 6, 16384),
    # edges near the maximum need a finer grid for 1 % (the rectangle rule counts whole points)
    (-0.5, 0.5, 16384), (0.2, 4, 32768),
])
def test_integrate_lorentzian_analytic(lo_fwhm, hi_fwhm, zf):
    sw, n = 20_000.0, 8192
    line = Line(5.0, 0.8, 40.0)
    spec = make_spectrum([line], sw_hz=sw, n=n, zero_fill_to=zf)
    sf = spec.sf_mhz
    a = line.ppm + lo_fwhm * line.fwhm_hz / sf
    b = line.ppm + hi_fwhm * line.fwhm_hz / sf
    want = lorentzian_integral_ppm(line, sw, sf, a, b)
    assert integrate(spec, a, b) == pytest.approx(want, rel=0.01)
    assert integrate(spec, b, a) == integrate(spec, a, b)


def test_integrate_whole_axis_is_exact():
    """Σ_k S_k = N·fid[0]: the whole-axis integral is SW·amplitude/2 (in Hz·intensity)."""
    line = Line(-20.0, 1.3, 70.0)
    spec = make_spectrum([line], sw_hz=20_000.0, n=2048)
    total = integrate(spec, spec.axis.max(), spec.axis.min())
    assert total * spec.sf_mhz == pytest.approx(20_000.0 * 1.3 / 2, rel=1e-9)


def test_integrate_series_and_outside_axis(spread_spectrum):
    series = spread_spectrum.evolve(np.stack([spread_spectrum.values, 3 * spread_spectrum.values]),
                                    "two rows")
    out = integrate(series, 10.0, 20.0)
    assert out.shape == (2,)
    assert out[1] == pytest.approx(3 * out[0])
    assert out[0] == pytest.approx(integrate(spread_spectrum, 20.0, 10.0))
    for region in ((500.0, 600.0), (-600.0, -500.0)):
        with pytest.raises(ParameterError):
            integrate(spread_spectrum, *region)


# --- noise, signal-to-noise, peaks --------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("sigma", [0.01, 3.0])
def test_noise_std_real_noise(seed, sigma):
    """White noise of σ under a few narrow lines: the segment estimate and a blank region."""
    rng = np.random.default_rng(seed)
    n = 8192
    axis = np.linspace(100.0, -100.0, n)
    lines = sum(h / (1 + ((axis - c) / 0.3) ** 2) for c, h in ((40.0, 200.0), (-10.0, 150.0),
                                                               (-60.0, 80.0)))
    values = sigma * (lines + rng.standard_normal(n) + 1j * rng.standard_normal(n))
    spec = Spectrum(values, axis, "ppm", "13C", 100.0)
    assert noise_std(spec) == pytest.approx(sigma, rel=0.15)
    assert noise_std(spec, region=(90.0, 60.0)) == pytest.approx(sigma, rel=0.15)
    tallest = values.real[spec.region_mask(35.0, 45.0)].max()
    assert signal_to_noise(spec, (45.0, 35.0)) == pytest.approx(tallest / noise_std(spec))
    assert signal_to_noise(spec, (35.0, 45.0), (90.0, 60.0)) == pytest.approx(200.0, rel=0.2)


@pytest.mark.parametrize("lb_hz", [0.0, 30.0])
@pytest.mark.parametrize("seed", [4, 5])
def test_noise_std_of_processed_fid(seed, lb_hz):
    """Receiver noise σ_t per channel becomes σ_t·√(Σ w²) in the real part of the spectrum; for
    no window and no zero filling that is σ_t·√N."""
    n, sigma_t = 4096, 0.02
    sig = make_fid(SPREAD_LINES, n=n, noise_sd=sigma_t, seed=seed)
    spec = process_fid(sig, window="exponential" if lb_hz else "none", lb_hz=lb_hz)
    t = sig.axis
    expected = sigma_t * np.sqrt(np.sum(np.exp(-np.pi * lb_hz * t) ** 2))
    assert noise_std(spec) == pytest.approx(expected, rel=0.15)
    if lb_hz == 0:
        assert expected == pytest.approx(sigma_t * np.sqrt(n))
        blank = (97.0, 90.0)
        assert noise_std(spec, region=blank) == pytest.approx(expected, rel=0.15)
    # S/N of the tallest line: height / σ
    line = max(SPREAD_LINES, key=lambda ln: ln.amplitude)
    region = (line.ppm - 2, line.ppm + 2)
    height = spec.real()[spec.region_mask(*region)].max()
    assert signal_to_noise(spec, region) == pytest.approx(height / expected, rel=0.15)


def test_noise_std_needs_points_and_one_row(spread_spectrum):
    with pytest.raises(ParameterError):
        noise_std(spread_spectrum, region=(0.0, 0.05))
    series = spread_spectrum.evolve(np.stack([spread_spectrum.values] * 2), "two rows")
    with pytest.raises(ParameterError):
        noise_std(series)
    with pytest.raises(ParameterError):
        pick_peaks(series)
    with pytest.raises(ParameterError):
        signal_to_noise(spread_spectrum, (500.0, 600.0))


@pytest.mark.parametrize("fwhm", [15.0, 40.0, 120.0])
def test_pick_peaks_widths_and_positions(fwhm):
    lines = [Line(ppm, amp, fwhm) for ppm, amp in ((-60.0, 0.5), (-5.0, 1.0), (55.0, 0.75))]
    spec = make_spectrum(lines, n=8192, zero_fill_to=16384, noise_sd=1e-3, seed=9)
    peaks = pick_peaks(spec, max_peaks=3)
    assert len(peaks) == 3
    assert [p.height for p in peaks] == sorted((p.height for p in peaks), reverse=True)
    step = abs(spec.axis[1] - spec.axis[0])
    for line in lines:
        peak = min(peaks, key=lambda p, line=line: abs(p.ppm - line.ppm))
        assert abs(peak.ppm - line.ppm) <= step
        assert peak.width_hz == pytest.approx(fwhm, rel=0.02)
        assert peak.width_ppm == pytest.approx(fwhm / spec.sf_mhz, rel=0.02)
        assert peak.index == index_of(spec, peak.ppm)
        assert set(peak.to_dict()) == {"ppm", "height", "width_ppm", "width_hz", "index"}
    # region and max_peaks
    in_region = pick_peaks(spec, region=(0.0, 80.0), max_peaks=1)
    assert [p.ppm for p in in_region] == [p.ppm for p in peaks if 0.0 <= p.ppm <= 80.0]
    assert pick_peaks(spec, max_peaks=1) == peaks[:1]
    assert pick_peaks(spec, min_snr=1e9) == []


def test_pick_peaks_pure_noise_finds_little():
    rng = np.random.default_rng(12)
    axis = np.linspace(10.0, -10.0, 8192)
    spec = Spectrum(rng.standard_normal(8192) + 0j, axis, "ppm", "1H", 400.0)
    assert len(pick_peaks(spec)) <= 1
    assert pick_peaks(spec, min_snr=6.0) == []


# --- process_fid --------------------------------------------------------------------------


def test_process_fid_removes_dc_offset_only_without_filter():
    sig = make_fid([Line(30.0, 1.0, 60.0)], n=2048)
    offset = sig.evolve(sig.values + (0.05 + 0.02j), "receiver offset")
    clean = process_fid(sig, window="none")
    carrier = index_of(clean, 0.0)
    no_filter = process_fid(offset, window="none")
    assert abs(no_filter.values[carrier] - clean.values[carrier]) < 0.01 * clean.real().max()
    # with a digital filter (group delay > 0) the offset is left to the filter
    filtered = offset.evolve(offset.values, "filtered", meta={"group_delay": 2.0})
    kept = process_fid(filtered, window="none")
    assert not any("DC offset" in h for h in kept.history)
    assert any("DC offset" in h for h in no_filter.history)


def test_process_fid_takes_procs():
    sig = make_fid(SPREAD_LINES, n=2048)
    procs = processing_options({"WDW": 1, "LB": 15.0, "SI": 8192, "PHC0": 25.0, "PHC1": -40.0},
                               Path("procs"), sig.n_points)
    out = process_fid(sig, procs)
    assert out.n_points == 8192
    manual = phase(fourier_transform(zero_fill(apodize(dc_offset(sig), "exponential", lb_hz=15.0),
                                               8192)), 25.0, -40.0)
    np.testing.assert_allclose(out.values, manual.values, atol=1e-9 * np.abs(manual.values).max())
    # keyword options override procs
    override = process_fid(sig, procs, lb_hz=0.0, size=2048, p0_deg=0.0, p1_deg=0.0)
    assert override.n_points == 2048
    np.testing.assert_allclose(override.values, fourier_transform(dc_offset(sig)).values,
                               atol=1e-9 * np.abs(override.values).max())


# --- invariants of every processing step --------------------------------------------------


@pytest.fixture
def fid_input() -> Spectrum:
    return make_fid(SPREAD_LINES, n=1024, noise_sd=1e-3, seed=3)


@pytest.fixture
def spectrum_input() -> Spectrum:
    return make_spectrum([*SPREAD_LINES, Line(75.0, 0.7, 60.0)], n=1024, zero_fill_to=2048,
                         noise_sd=1e-3, seed=3)


TIME_STEPS: dict[str, Callable[[Spectrum], Spectrum]] = {
    "dc_offset": dc_offset,
    "apodize exponential": lambda s: apodize(s, "exponential", lb_hz=20.0),
    "apodize gaussian": lambda s: apodize(s, "gaussian", lb_hz=-5.0, gb_hz=30.0),
    "apodize gm": lambda s: apodize(s, "gm", lb_hz=-10.0, gm_fraction=0.2),
    "apodize sine": lambda s: apodize(s, "sine", ssb=2),
    "apodize qsine": lambda s: apodize(s, "qsine", ssb=3),
    "zero_fill larger": lambda s: zero_fill(s, 4096),
    "zero_fill smaller": lambda s: zero_fill(s, 512),
    "fourier_transform": fourier_transform,
    "fourier_transform with group delay": lambda s: fourier_transform(s, group_delay=68.0),
}
FREQUENCY_STEPS: dict[str, Callable[[Spectrum], Spectrum]] = {
    "phase": lambda s: phase(s, 30.0, -45.0),
    "autophase": autophase,
    "baseline_correct asls": baseline_correct,
    "baseline_correct modpoly": lambda s: baseline_correct(s, "modpoly", poly_order=2),
    "reference": lambda s: reference(s, 1.5),
    "reference_to_peak": lambda s: reference_to_peak(s, 15.0, 14.0),
    "reference_to": lambda s: reference_to(s, "tce", 75.0),
}
def _snapshot(s: Spectrum) -> tuple:
    return (s.values.copy(), s.axis.copy(), s.history, dict(s.meta), s.unit, s.sf_mhz,
            s.carrier_mhz, s.nucleus)


def _assert_unchanged(s: Spectrum, snap: tuple) -> None:
    values, axis, history, meta, unit, sf, carrier, nucleus = snap
    np.testing.assert_array_equal(s.values, values)
    np.testing.assert_array_equal(s.axis, axis)
    assert s.history == history and s.unit == unit
    assert (s.sf_mhz, s.carrier_mhz, s.nucleus) == (sf, carrier, nucleus)
    assert s.meta.keys() == meta.keys()
    assert all(s.meta[k] is meta[k] for k in meta)


def _invariants(step: Callable[[Spectrum], Spectrum], inp: Spectrum, unit_after: str) -> None:
    snap = _snapshot(inp)
    out = step(inp)
    _assert_unchanged(inp, snap)
    assert out is not inp
    assert out.unit == unit_after
    assert out.values.shape[-1] == out.n_points == out.axis.size
    assert np.all(np.isfinite(out.values)) and np.all(np.isfinite(out.axis))
    assert out.history[: len(inp.history)] == inp.history
    assert len(out.history) == len(inp.history) + 1, out.history[len(inp.history):]
    assert (out.nucleus, out.source) == (inp.nucleus, inp.source)


def _params(steps: dict[str, Callable[[Spectrum], Spectrum]]) -> list:
    return [pytest.param(name, fn, id=name) for name, fn in steps.items()]


@pytest.mark.parametrize(("name", "step"), _params(TIME_STEPS))
def test_time_step_invariants(name, step, fid_input):
    _invariants(step, fid_input, "ppm" if name.startswith("fourier") else "s")


@pytest.mark.parametrize(("name", "step"), _params(FREQUENCY_STEPS))
def test_frequency_step_invariants(name, step, spectrum_input):
    _invariants(step, spectrum_input, "ppm")


@pytest.mark.parametrize(("name", "step"), _params({k: v for k, v in TIME_STEPS.items()
                                                    if not k.startswith("fourier")}))
def test_time_steps_keep_series_shape(name, step, fid_input):
    series = fid_input.evolve(np.stack([fid_input.values, 0.5 * fid_input.values]), "two rows")
    out = step(series)
    assert out.values.shape == (2, out.n_points)
    np.testing.assert_allclose(out.values[1], 0.5 * out.values[0], atol=1e-12)


TIME_ONLY = [dc_offset, lambda s: apodize(s, "none"), lambda s: apodize(s, "exponential", lb_hz=5.0),
             lambda s: zero_fill(s, 4096), fourier_transform]
FREQUENCY_ONLY = [lambda s: phase(s, 10.0), autophase, baseline_correct, lambda s: reference(s, 1.0),
                  lambda s: reference_to_peak(s, 0.001, 0.0), lambda s: reference_to(s, "tce", 0.001),
                  pick_peaks]


@pytest.mark.parametrize("step", TIME_ONLY)
def test_time_domain_steps_reject_spectra(step, spectrum_input):
    with pytest.raises(ParameterError, match="time-domain"):
        step(spectrum_input)


@pytest.mark.parametrize("step", FREQUENCY_ONLY)
def test_frequency_steps_reject_fids(step, fid_input):
    with pytest.raises(ParameterError, match="spectrum"):
        step(fid_input)
