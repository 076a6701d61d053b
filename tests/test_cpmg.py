"""CPMG echo trains (``cald.nmr.cpmg``) on synthetic Bruker qcpmg data sets
(``cald.synth.nmr_sets.write_cpmg``): the echo period from acqus, echo summation (shape,
metadata, validation), the summed-echo spectrum (positions, absorptive lines), the √N S/N gain
and the spikelet comb."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.signal import find_peaks

from cald.errors import DataFileError, ParameterError
from cald.io.bruker import raw_signal, read_bruker
from cald.nmr.cpmg import cpmg_spectrum, echo_period_s, spikelet_spectrum, sum_echoes
from cald.nmr.processing import fourier_transform, signal_to_noise, zero_fill
from cald.synth.nmr_sets import write_cpmg

TAU_S = 0.002  # write_cpmg's default echo period
N_ECHOES = 32
SW_HZ = 100_000.0
POINTS = int(TAU_S * SW_HZ)  # 200 complex points per echo
LINES_PPM = (-50.0, -320.0)  # write_cpmg's default 113Cd lines (800 and 1500 Hz wide)


@pytest.fixture(scope="module")
def train(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Default 113Cd train (32 echoes of 2 ms, T2 50 ms) with a little noise."""
    return write_cpmg(tmp_path_factory.mktemp("cpmg") / "1", seed=1, noise_sd=0.01)


@pytest.fixture(scope="module")
def clean_train(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Noise-free train without T2 decay: every echo is the same."""
    return write_cpmg(tmp_path_factory.mktemp("cpmg_clean") / "1", noise_sd=0.0, t2_s=1e9)


# --- echo period ---------------------------------------------------------------------------


def test_echo_period_from_d6(train):
    ds = read_bruker(train)
    assert ds.acqus["D"][6] == pytest.approx(TAU_S)
    assert echo_period_s(ds) == pytest.approx(TAU_S, rel=1e-12)


def test_echo_period_adds_ring_down_delays_and_pi_pulse(train, copy_dataset, set_parameter):
    """τ = D6 + 2·D3 + P2 (P2 in µs)."""
    folder = copy_dataset(train, "edited")
    set_parameter(folder / "acqus", "D", 2.5e-5, index=3)
    set_parameter(folder / "acqus", "P", 12.5, index=2)
    ds = read_bruker(folder)
    assert ds.acqus["D"][3] == pytest.approx(2.5e-5)
    assert echo_period_s(ds) == pytest.approx(TAU_S + 2 * 2.5e-5 + 12.5e-6, rel=1e-12)


def test_echo_period_without_d6(train, copy_dataset, set_parameter):
    folder = copy_dataset(train, "no_d6")
    set_parameter(folder / "acqus", "D", 0, index=6)
    with pytest.raises(DataFileError, match="D6") as info:
        echo_period_s(read_bruker(folder))
    assert str(folder / "acqus") in str(info.value)


# --- echo summation -------------------------------------------------------------------------


def test_sum_echoes_shape_and_metadata(train):
    ds = read_bruker(train)
    sig = raw_signal(ds)
    before = sig.values.copy()
    echo = sum_echoes(sig, echo_period_s(ds))
    # the digital filter delays the train by GRPDLY = 68 points: the last echo is incomplete
    available = (N_ECHOES * POINTS - 68) // POINTS
    assert available == N_ECHOES - 1
    assert echo.values.shape == (POINTS,)
    assert echo.is_time_domain
    np.testing.assert_allclose(echo.axis, np.arange(POINTS) / SW_HZ)
    assert echo.meta["n_echoes"] == available
    assert echo.meta["echo_points"] == POINTS
    assert echo.meta["group_delay"] == 0.0  # removed by dropping whole points
    assert echo.history[-1].startswith(f"summed {available} echoes of {POINTS} points "
                                       "(skipped 0)")
    assert echo.nucleus == "113Cd" and echo.sf_mhz == ds.sf_mhz
    np.testing.assert_array_equal(sig.values, before)  # input untouched


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"skip": 2}, 29), ({"n_echoes": 5}, 5), ({"n_echoes": 5, "skip": 26}, 5),
    ({"n_echoes": 1, "skip": 30}, 1),
])
def test_sum_echoes_counts(train, kwargs, expected):
    echo = sum_echoes(raw_signal(read_bruker(train)), TAU_S, **kwargs)
    assert echo.meta["n_echoes"] == expected
    assert f"skipped {kwargs.get('skip', 0)}" in echo.history[-1]


def test_sum_echoes_is_the_sum_of_single_echoes(train):
    sig = raw_signal(read_bruker(train))
    total = sum_echoes(sig, TAU_S, n_echoes=4, skip=3).values
    singles = [sum_echoes(sig, TAU_S, n_echoes=1, skip=k).values for k in range(3, 7)]
    np.testing.assert_allclose(total, np.sum(singles, axis=0), rtol=1e-12, atol=1e-9)


def test_summed_echo_top_is_first_point(clean_train):
    echo = sum_echoes(raw_signal(read_bruker(clean_train)), TAU_S)
    assert np.argmax(np.abs(echo.values)) == 0


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"skip": 31}, "nothing left after skipping 31"),
    ({"skip": 40}, "nothing left"),
    ({"n_echoes": 0}, "asked for 0 echoes"),
    ({"n_echoes": -2}, "asked for -2 echoes"),
    ({"n_echoes": 32}, "the train holds 31"),
    ({"n_echoes": 10, "skip": 25}, "asked for 10 echoes after 25"),
])
def test_sum_echoes_bad_counts(train, kwargs, fragment):
    with pytest.raises(ParameterError, match=fragment):
        sum_echoes(raw_signal(read_bruker(train)), TAU_S, **kwargs)


@pytest.mark.parametrize("kwargs", [{"skip": -1}, {"n_echoes": 3, "skip": -1}])
def test_sum_echoes_negative_skip(train, kwargs):
    with pytest.raises(ParameterError, match="skip"):
        sum_echoes(raw_signal(read_bruker(train)), TAU_S, **kwargs)


def test_sum_echoes_bad_period_and_domain(train):
    sig = raw_signal(read_bruker(train))
    with pytest.raises(ParameterError, match="shorter than 4 points"):
        sum_echoes(sig, 3e-5)
    spectrum = fourier_transform(sig)
    with pytest.raises(ParameterError, match="time-domain"):
        sum_echoes(spectrum, TAU_S)


# --- summed-echo spectrum ------------------------------------------------------------------


def _line_maxima(spec, width_ppm: float = 15.0) -> list[int]:
    real = np.real(spec.values)
    out = []
    for ppm in LINES_PPM:
        idx = np.flatnonzero(spec.region_mask(ppm - width_ppm, ppm + width_ppm))
        out.append(int(idx[np.argmax(real[idx])]))
    return out


def _assert_lines_on_point_and_absorptive(spec) -> None:
    step = abs(spec.axis[1] - spec.axis[0])
    real, imag = np.real(spec.values), np.imag(spec.values)
    for ppm, i in zip(LINES_PPM, _line_maxima(spec), strict=True):
        assert abs(spec.axis[i] - ppm) <= step, (ppm, spec.axis[i], step)
        assert abs(imag[i]) < 0.01 * real[i]
    assert real.min() > -0.01 * real.max()


def test_summed_echo_spectrum_positions_and_absorptive(clean_train):
    spec = cpmg_spectrum(raw_signal(read_bruker(clean_train)), TAU_S)
    assert spec.unit == "ppm" and spec.n_points == POINTS
    _assert_lines_on_point_and_absorptive(spec)


def test_summed_echo_zero_filled_by_sum_echoes(clean_train):
    """``size`` puts the zeros between the t ≥ 0 half and the wrapped t < 0 half: lines within
    one (16× finer) point of their positions, absorptive."""
    sig = raw_signal(read_bruker(clean_train))
    echo = sum_echoes(sig, TAU_S)
    filled = sum_echoes(sig, TAU_S, size=16 * POINTS)
    assert filled.n_points == 16 * POINTS and filled.meta["echo_points"] == POINTS
    np.testing.assert_allclose(filled.axis, np.arange(16 * POINTS) / SW_HZ)
    half = POINTS // 2
    np.testing.assert_array_equal(filled.values[:half], echo.values[:half])
    np.testing.assert_array_equal(filled.values[-half:], echo.values[half:])
    assert not np.any(filled.values[half:-half])
    _assert_lines_on_point_and_absorptive(fourier_transform(filled))
    spec = cpmg_spectrum(sig, TAU_S, size=16 * POINTS)
    np.testing.assert_allclose(spec.values, fourier_transform(filled).values)
    with pytest.raises(ParameterError, match="smaller than the echo"):
        sum_echoes(sig, TAU_S, size=POINTS - 1)


def test_summed_echo_zero_filled_with_zero_fill(clean_train):
    echo = sum_echoes(raw_signal(read_bruker(clean_train)), TAU_S)
    _assert_lines_on_point_and_absorptive(fourier_transform(zero_fill(echo, 16 * POINTS)))


def test_snr_gain_of_summed_echoes_is_sqrt_n(tmp_path):
    """Without T2 decay N summed echoes have √N times the S/N of one echo (mean of 4 seeds;
    noise measured in a signal-free region, 350…60 ppm, ≈ 500 points)."""
    gains = []
    for seed in range(4):
        folder = write_cpmg(tmp_path / str(seed), n_echoes=17, echo_period_s=0.02, t2_s=1e9,
                            noise_sd=0.05, seed=seed)
        ds = read_bruker(folder)
        sig = raw_signal(ds)
        one = cpmg_spectrum(sig, echo_period_s(ds), n_echoes=1)
        summed = cpmg_spectrum(sig, echo_period_s(ds))
        n = summed.meta["n_echoes"]
        assert n == 16
        snr = [signal_to_noise(s, (-30.0, -70.0), (350.0, 60.0)) for s in (one, summed)]
        assert snr[0] > 20  # the single echo is well above the noise
        gains.append(snr[1] / snr[0] / np.sqrt(n))
    assert np.mean(gains) == pytest.approx(1.0, rel=0.15), gains


# --- spikelets -----------------------------------------------------------------------------


def test_spikelet_spectrum_comb(train):
    ds = read_bruker(train)
    sig = raw_signal(ds)
    spec = spikelet_spectrum(sig)
    assert spec.unit == "ppm" and spec.n_points == sig.n_points == N_ECHOES * POINTS
    mag = np.abs(spec.values)
    idx, _ = find_peaks(mag, height=0.1 * mag.max())
    assert idx.size >= 6
    # offsets from the carrier (Hz): the comb sits at multiples of 1/τ
    offset_hz = spec.axis[idx] * spec.sf_mhz - (spec.carrier_mhz - spec.sf_mhz) * 1e6
    multiples = offset_hz * TAU_S
    np.testing.assert_allclose(multiples, np.round(multiples), atol=0.01)
    spacing = np.diff(np.sort(offset_hz))
    np.testing.assert_allclose(spacing[spacing < 1.5 / TAU_S], 1 / TAU_S, rtol=1e-3)
    # the two strongest spikelets lie on the strongest line (−50 ppm, 800 Hz wide)
    top = idx[np.argsort(mag[idx])[::-1][:2]]
    assert np.all(np.abs(spec.axis[top] + 50.0) < 800.0 / spec.sf_mhz)


# --- exposure (issue 9): cald.read(cpmg=True), rows of a series, CPMG-detected RESPDOR -----

ROW_SCALES = (1.0, 0.6, 1.0, 0.3)  # S0, S, S0, S


@pytest.fixture(scope="module")
def cpmg_series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CPMG-detected series: one 113Cd train per row, scaled by ROW_SCALES."""
    return write_cpmg(tmp_path_factory.mktemp("cpmg_series") / "1", seed=2, noise_sd=0.01,
                      row_scales=ROW_SCALES)


def test_sum_echoes_of_a_series_is_row_by_row(cpmg_series):
    sig = raw_signal(read_bruker(cpmg_series))
    rows = sum_echoes(sig, TAU_S).values
    for k in range(len(ROW_SCALES)):
        one = sum_echoes(sig.evolve(sig.values[k], "one row"), TAU_S).values
        np.testing.assert_allclose(rows[k], one, rtol=0, atol=1e-9 * np.abs(one).max())


def test_read_cpmg_is_the_summed_echo_spectrum(train):
    from cald.nmr.reading import read

    expected = cpmg_spectrum(raw_signal(read_bruker(train)), TAU_S)
    spec = read(train, cpmg=True)
    np.testing.assert_array_equal(spec.values, expected.values)
    given = read(train, cpmg=True, echo_period_s=TAU_S, size=4 * POINTS)
    assert given.n_points == 4 * POINTS


def test_read_row_of_a_cpmg_series(cpmg_series):
    from cald.nmr.reading import read

    spectra = [read(cpmg_series, row=k + 1, cpmg=True) for k in range(len(ROW_SCALES))]
    peak = [float(np.max(s.real())) for s in spectra]
    np.testing.assert_allclose(np.array(peak) / peak[0], ROW_SCALES, rtol=0.02)
    with pytest.raises(DataFileError, match="--row N"):
        read(cpmg_series, cpmg=True)
    with pytest.raises(ParameterError, match="outside the series' rows 1–4"):
        read(cpmg_series, row=5)


def test_respdor_series_sums_echoes_of_each_row(cpmg_series):
    from cald.nmr.pseudo2d import respdor_series

    series = respdor_series(read_bruker(cpmg_series), (0.0, -400.0), np.array([1e-3, 2e-3]),
                            cpmg=True)
    np.testing.assert_allclose(series.s / series.s0, [0.6, 0.3], rtol=0.02)
    plain = respdor_series(read_bruker(cpmg_series), (0.0, -400.0), np.array([1e-3, 2e-3]))
    # without summation only the spikelet comb of the whole train is integrated: S/S0 alike,
    # but the summed echoes give the larger S/N
    assert np.all(series.s0 / series.s0_noise > plain.s0 / plain.s0_noise)
