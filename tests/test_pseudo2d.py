"""Pseudo-2D series (``cald.nmr.pseudo2d``) on synthetic Bruker series: RESPDOR recoupling times
(vclist × rotor period, vdlist, given), the three row layouts (S0/S interleaved either way, a
separate S0 experiment), refusals, the end-to-end fit (D, f and χ²ᵣ ≈ 1, which checks the
integral-noise propagation), the integral noise against the scatter of many noise realisations,
and DOSY decays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cald.errors import DataFileError, ParameterError
from cald.io.bruker import raw_signal, read_bruker
from cald.nmr.processing import integral_noise, integrate, process_fid, time_noise_sd
from cald.nmr.pseudo2d import (
    dosy_series,
    process_series,
    recoupling_times_s,
    respdor_series,
    rotor_period_s,
)
from cald.recoupling.data import DephasingCurve
from cald.recoupling.fit import fit_respdor
from cald.recoupling.redor import respdor_dephasing
from cald.synth.bruker import AcquisitionSetup, Line, lines_fid, write_experiment
from cald.synth.nmr_sets import OLEATE_13C_LINES, write_dosy_series, write_respdor_series

D_HZ, F = 503.0, 0.24
MAS_HZ = 10_000.0
COUNTS = list(range(2, 31, 2))  # rotor periods of recoupling: 0.2 … 3.0 ms
T_S = np.array(COUNTS) / MAS_HZ
REGION = (190.0, 178.0)  # carboxylate, the dephased line
SETUP = AcquisitionSetup("13C", sw_hz=50_000.0, td=4096, carrier_ppm=100.0, ns=256, rg=128.0,
                         pulse_program="respdor_redor", mas_hz=MAS_HZ)
INT_SCALE = 2.0**24 / sum(x.amplitude for x in OLEATE_13C_LINES)
GAMMA_1H = 267.5222e6  # rad s⁻¹ T⁻¹


def respdor_rows(t_s: np.ndarray, t2_s: float = 0.015) -> tuple[np.ndarray, np.ndarray]:
    """Noise-free S0 and S FIDs, as ``write_respdor_series`` makes them."""
    s0_rows, s_rows = [], []
    for t in t_s:
        decay = np.exp(-t / t2_s)
        dephased = float(respdor_dephasing(t, D_HZ, F, 2.5))
        s0 = [Line(x.ppm, x.amplitude * decay, x.fwhm_hz) for x in OLEATE_13C_LINES]
        s = [Line(x.ppm, x.amplitude * (1 - dephased if x.ppm > 170 else 1.0), x.fwhm_hz)
             for x in s0]
        s0_rows.append(lines_fid(SETUP, s0))
        s_rows.append(lines_fid(SETUP, s))
    return np.array(s0_rows), np.array(s_rows)


def write_series(folder: Path, rows: np.ndarray, lists: dict | None = None,
                 setup: AcquisitionSetup = SETUP, noise_sd: float = 0.0, seed: int = 0) -> Path:
    """A series of ``rows`` with one integer scale for all experiments (absolute intensities
    comparable between separate experiments)."""
    if lists is None:
        lists = {"vclist": (COUNTS, "")}
    return write_experiment(folder, setup, rows, noise_sd, seed, acqu2s={"TD": len(rows)},
                            lists=lists, lb_hz=50.0, int_scale=INT_SCALE)


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's RESPDOR series: interleaved S0/S rows, vclist, 10 kHz MAS."""
    return write_respdor_series(tmp_path_factory.mktemp("respdor") / "1", D_HZ, F, COUNTS,
                                mas_hz=MAS_HZ, noise_sd=0.004, seed=20221)


@pytest.fixture(scope="module")
def layouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Noise-free series in every layout, from the same FIDs and with the same integer scale."""
    root = tmp_path_factory.mktemp("layouts")
    s0, s = respdor_rows(T_S)
    s0_first = np.empty((2 * len(T_S), s0.shape[1]), dtype=complex)
    s0_first[0::2], s0_first[1::2] = s0, s
    s_first = np.empty_like(s0_first)
    s_first[0::2], s_first[1::2] = s, s0
    return {"s0_first": write_series(root / "s0_first", s0_first),
            "s_first": write_series(root / "s_first", s_first),
            "s_only": write_series(root / "s_only", s),
            "s0_only": write_series(root / "s0_only", s0)}


# --- recoupling times ----------------------------------------------------------------------


def test_times_from_vclist_times_rotor_period(series):
    ds = read_bruker(series)
    assert ds.raw.shape == (2 * len(COUNTS), SETUP.n_complex)
    assert rotor_period_s(ds) == pytest.approx(1 / MAS_HZ, rel=1e-12)
    times, how = recoupling_times_s(ds, len(COUNTS))
    np.testing.assert_allclose(times, T_S, rtol=1e-12)
    assert "vclist" in how and "100 µs" in how
    curve = respdor_series(ds, REGION)
    np.testing.assert_allclose(curve.t_s, T_S, rtol=1e-12)
    assert curve.times_from == how
    assert curve.region_ppm == REGION and curve.source == str(series)
    for values in (curve.s0, curve.s, curve.s0_noise, curve.s_noise):
        assert values.shape == (len(COUNTS),) and np.all(np.isfinite(values))
    assert np.all(curve.s0_noise > 0) and np.all(curve.s_noise > 0)
    assert np.all(curve.s < curve.s0)  # dephased
    cols = curve.columns()
    assert list(cols) == ["t_ms", "S0", "S", "S0_noise", "S_noise"]
    np.testing.assert_allclose(cols["t_ms"], T_S * 1e3)
    header = "\n".join(curve.header())
    assert str(series) in header and "190:178" in header and "SYNTHETIC" in header


def test_region_either_order(series):
    ds = read_bruker(series)
    a, b = respdor_series(ds, (190.0, 178.0)), respdor_series(ds, (178.0, 190.0))
    np.testing.assert_array_equal(a.s, b.s)
    np.testing.assert_array_equal(a.s0_noise, b.s0_noise)
    assert a.region_ppm == b.region_ppm == (190.0, 178.0)


def test_list_shorter_than_series(series):
    with pytest.raises(DataFileError, match="list has 15 entries but the series holds 16"):
        recoupling_times_s(read_bruker(series), 16)


def test_rotor_period_from_cnst31_then_missing(series, copy_dataset, set_parameter):
    folder = copy_dataset(series, "no_masr")
    set_parameter(folder / "acqus", "MASR", 0)
    assert rotor_period_s(read_bruker(folder)) == pytest.approx(1 / MAS_HZ)  # CNST31
    set_parameter(folder / "acqus", "CNST", 0, index=31)
    ds = read_bruker(folder)
    with pytest.raises(DataFileError, match="no MAS rate") as info:
        rotor_period_s(ds)
    assert str(folder / "acqus") in str(info.value)
    with pytest.raises(DataFileError, match="no MAS rate"):
        respdor_series(ds, REGION)
    # given times do not need the MAS rate
    assert respdor_series(ds, REGION, times_s=T_S).times_from == "given"


def test_given_times(series):
    ds = read_bruker(series)
    times = np.linspace(1e-4, 3e-3, len(COUNTS))
    curve = respdor_series(ds, REGION, times_s=times)
    np.testing.assert_array_equal(curve.t_s, times)
    assert curve.times_from == "given"
    np.testing.assert_array_equal(curve.s, respdor_series(ds, REGION).s)
    with pytest.raises(ParameterError, match="3 recoupling times given for 15 S0/S pairs"):
        respdor_series(ds, REGION, times_s=times[:3])


def test_times_from_vdlist(series, copy_dataset):
    folder = copy_dataset(series, "vd")
    (folder / "vclist").unlink()
    (folder / "vdlist").write_text("".join(f"{c / 10:g}m\n" for c in COUNTS), encoding="ascii")
    ds = read_bruker(folder)
    assert "vclist" not in ds.lists
    curve = respdor_series(ds, REGION)
    assert curve.times_from == "vdlist (s)"
    np.testing.assert_allclose(curve.t_s, T_S, rtol=1e-12)


def test_no_list_and_short_list(series, copy_dataset):
    folder = copy_dataset(series, "nolist")
    (folder / "vclist").unlink()
    with pytest.raises(DataFileError, match="no vclist or vdlist") as info:
        respdor_series(read_bruker(folder), REGION)
    assert str(folder) in str(info.value)
    (folder / "vdlist").write_text("1m\n2m\n3m\n", encoding="ascii")
    with pytest.raises(DataFileError, match="list has 3 entries"):
        respdor_series(read_bruker(folder), REGION)


# --- row layouts ---------------------------------------------------------------------------


def test_layouts_give_the_same_curve(layouts):
    truth = respdor_dephasing(T_S, D_HZ, F, 2.5)
    ref = respdor_series(read_bruker(layouts["s0_first"]), REGION)
    others = {
        "s_first": respdor_series(read_bruker(layouts["s_first"]), REGION, s0_first=False),
        "reference": respdor_series(read_bruker(layouts["s_only"]), REGION,
                                    reference=read_bruker(layouts["s0_only"])),
    }
    for name, curve in others.items():
        np.testing.assert_allclose(curve.s0, ref.s0, rtol=1e-6, err_msg=name)
        np.testing.assert_allclose(curve.s, ref.s, rtol=1e-6, err_msg=name)
        np.testing.assert_allclose(curve.t_s, T_S, rtol=1e-12, err_msg=name)
    # ΔS/S0 is the model's (the carboxylate alone is dephased; other lines' tails are tiny)
    np.testing.assert_allclose(1 - ref.s / ref.s0, truth, atol=2e-3)


def test_s0_first_false_swaps_rows(series):
    ds = read_bruker(series)
    a = respdor_series(ds, REGION)
    b = respdor_series(ds, REGION, s0_first=False)
    np.testing.assert_array_equal(b.s0, a.s)
    np.testing.assert_array_equal(b.s, a.s0)
    np.testing.assert_array_equal(b.s0_noise, a.s_noise)


def test_reference_with_other_shape(layouts, tmp_path):
    s0, _ = respdor_rows(T_S[:5])
    short = write_series(tmp_path / "short", s0)
    with pytest.raises(DataFileError, match="reference series shape") as info:
        respdor_series(read_bruker(layouts["s_only"]), REGION, reference=read_bruker(short))
    assert str(short) in str(info.value)


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("region", [(500.0, 400.0), (-400.0, -300.0)])
def test_region_outside_spectrum(series, region):
    with pytest.raises(ParameterError, match="lies outside the spectrum"):
        respdor_series(read_bruker(series), region)


def test_odd_number_of_rows(tmp_path):
    s0, s = respdor_rows(T_S[:8])
    rows = np.empty((16, s0.shape[1]), dtype=complex)
    rows[0::2], rows[1::2] = s0, s
    folder = write_series(tmp_path / "odd", rows[:15])
    with pytest.raises(DataFileError, match="15 rows: interleaved S0/S needs an even number") \
            as info:
        respdor_series(read_bruker(folder), REGION)
    assert str(folder) in str(info.value)


def test_one_dimensional_data_refused(tmp_path):
    fid = lines_fid(SETUP, OLEATE_13C_LINES)
    folder = write_experiment(tmp_path / "1d", SETUP, fid, 0.01, 0)
    with pytest.raises(DataFileError, match="not a series"):
        respdor_series(read_bruker(folder), REGION)


# --- end to end: fit -----------------------------------------------------------------------


def _fit(curve):
    data = DephasingCurve.from_intensities(curve.t_s, curve.s0, curve.s, curve.s0_noise,
                                           curve.s_noise)
    return fit_respdor(data, spin=2.5, n_bootstrap=0)


def test_fit_recovers_d_and_f(series):
    result = _fit(respdor_series(read_bruker(series), REGION))
    d, d_err = result.d_hz, result.single.params["d_hz"].stderr
    f, f_err = result.f, result.single.params["f"].stderr
    assert abs(d - D_HZ) < min(3 * d_err, 0.1 * D_HZ), (d, d_err)
    assert abs(f - F) < min(3 * f_err, 0.03), (f, f_err)
    assert 0.3 < result.single.redchi < 2.5


def test_reduced_chi_square_near_one(tmp_path):
    """χ²ᵣ of the fit averages ≈ 1 over seeds only if the integral noise is right: this checks
    the noise propagation from the receiver to the curve end to end."""
    chi = []
    for seed in range(5):
        folder = write_respdor_series(tmp_path / str(seed), D_HZ, F, COUNTS, mas_hz=MAS_HZ,
                                      noise_sd=0.02, seed=seed)
        chi.append(_fit(respdor_series(read_bruker(folder), REGION)).single.redchi)
    assert 0.5 < np.mean(chi) < 1.6, chi


# --- integral noise: known answer ----------------------------------------------------------

NOISE_SETUP = AcquisitionSetup("13C", sw_hz=20_000.0, td=512, carrier_ppm=100.0, group_delay=68.0)
NOISE_ROWS = 600
NOISE_SD = 0.05
NOISE_SCALE = 1e6


@pytest.fixture(scope="module")
def realisations(tmp_path_factory: pytest.TempPathFactory):
    """600 noise realisations of the same two lines (150 and 60 ppm), as rows of a ser."""
    fid = lines_fid(NOISE_SETUP, [Line(150.0, 0.5, 300.0), Line(60.0, 0.25, 200.0)])
    folder = write_experiment(tmp_path_factory.mktemp("noise") / "1", NOISE_SETUP,
                              np.tile(fid, (NOISE_ROWS, 1)), NOISE_SD, 7,
                              acqu2s={"TD": NOISE_ROWS}, int_scale=NOISE_SCALE)
    return read_bruker(folder)


NOISE_CASES = {
    "exponential": {"window": "exponential", "lb_hz": 50.0},
    "gaussian": {"window": "gaussian", "lb_hz": -20.0, "gb_hz": 150.0},
    "sine": {"window": "sine"},
    "qsine": {"window": "qsine"},
    "zero-fill": {"window": "exponential", "lb_hz": 30.0, "size": 2048},
    "phases": {"window": "exponential", "lb_hz": 30.0, "p0_deg": 40.0, "p1_deg": -70.0},
    "zero-fill-phases-no-window": {"window": "none", "size": 1024, "p0_deg": 10.0,
                                   "p1_deg": 100.0},
}


@pytest.mark.parametrize("case", list(NOISE_CASES))
@pytest.mark.parametrize("region", [(165.0, 135.0), (75.0, 45.0), (112.0, 104.0)],
                         ids=["line-150", "line-60", "no-line"])
def test_integral_noise_matches_scatter(realisations, case, region):
    spec = process_fid(raw_signal(realisations), None, **NOISE_CASES[case])
    integrals = integrate(spec, *region)
    predicted = integral_noise(spec, *region)
    assert integrals.shape == predicted.shape == (NOISE_ROWS,)
    ratio = np.std(integrals, ddof=1) / np.mean(predicted)
    assert ratio == pytest.approx(1.0, abs=0.15), ratio


@pytest.mark.parametrize("phases", [(0.0, 0.0), (35.0, -60.0), (-120.0, 400.0)])
def test_integral_noise_of_process_series(realisations, phases):
    """The pseudo-2D path (process without phase, then one phase for every row)."""
    spec = process_series(realisations, phases_deg=phases)
    assert (spec.meta["phc0"], spec.meta["phc1"]) == phases
    for region in ((165.0, 135.0), (112.0, 104.0)):
        ratio = np.std(integrate(spec, *region), ddof=1) / np.mean(integral_noise(spec, *region))
        assert ratio == pytest.approx(1.0, abs=0.15), (region, ratio)


def test_receiver_noise_estimate_unbiased_at_moderate_snr(realisations):
    sd = np.asarray(time_noise_sd(raw_signal(realisations)))
    assert np.mean(sd) == pytest.approx(NOISE_SD * NOISE_SCALE, rel=0.05)


@pytest.mark.parametrize("amplitude", [10.0, 100.0])
def test_receiver_noise_estimate_at_high_snr(tmp_path, amplitude):
    """Strong lines (peak S/N ≈ 2·10³ and 2·10⁴ after LB 50 Hz, TD 4096) must not inflate the
    receiver-noise estimate (the second-difference estimator once gave +5 % and +14 %)."""
    setup = AcquisitionSetup("13C", sw_hz=50_000.0, td=4096, carrier_ppm=100.0)
    fid = lines_fid(setup, [Line(x.ppm, amplitude * x.amplitude, x.fwhm_hz)
                            for x in OLEATE_13C_LINES])
    folder = write_experiment(tmp_path / "1", setup, np.tile(fid, (20, 1)), 0.05, 5,
                              acqu2s={"TD": 20}, int_scale=1e5)
    sd = np.asarray(time_noise_sd(raw_signal(read_bruker(folder))))
    assert np.mean(sd) == pytest.approx(0.05 * 1e5, rel=0.05)


# --- DOSY ----------------------------------------------------------------------------------

GRADIENTS = np.array([2.0, 8.0, 14.0, 20.0, 26.0, 32.0, 38.0, 44.0])  # G/cm
DIFFUSION = 2.0e-10  # m²/s
BIG_DELTA, LITTLE_DELTA = 0.1, 0.002


@pytest.fixture(scope="module")
def dosy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dosy_series(tmp_path_factory.mktemp("dosy") / "1", GRADIENTS,
                             diffusion_m2_s=DIFFUSION, big_delta_s=BIG_DELTA,
                             little_delta_s=LITTLE_DELTA, seed=3)


def _fitted_d(series, weighted: bool = True) -> float:
    g_t_m = series.gradient_g_cm * 1e-2
    b = (GAMMA_1H * g_t_m * series.little_delta_s) ** 2 * (series.big_delta_s
                                                          - series.little_delta_s / 3)
    w = series.intensity / series.noise if weighted else None
    return -float(np.polyfit(b, np.log(series.intensity), 1, w=w)[0])


def test_dosy_series(dosy):
    series = dosy_series(read_bruker(dosy), (5.6, 5.2))
    np.testing.assert_allclose(series.gradient_g_cm, GRADIENTS, rtol=1e-5)
    assert series.big_delta_s == pytest.approx(BIG_DELTA)  # D20
    assert series.little_delta_s == pytest.approx(LITTLE_DELTA)  # 2 × P30
    assert series.region_ppm == (5.6, 5.2) and series.source == str(dosy)
    assert series.intensity.shape == series.noise.shape == GRADIENTS.shape
    assert np.all(np.diff(series.intensity) < 0) and np.all(series.noise > 0)
    assert list(series.columns()) == ["gradient_g_cm", "intensity", "noise"]
    assert _fitted_d(series) == pytest.approx(DIFFUSION, rel=0.02)


def test_dosy_fast_component(dosy):
    """The toluene-d8 residual (2.09 ppm) diffuses 11× faster: first points only."""
    series = dosy_series(read_bruker(dosy), (2.2, 2.0))
    keep = series.intensity > 20 * series.noise
    assert keep.sum() >= 3
    trimmed = type(series)(series.gradient_g_cm[keep], series.intensity[keep],
                           series.noise[keep], series.big_delta_s, series.little_delta_s,
                           series.region_ppm, series.source)
    assert _fitted_d(trimmed) == pytest.approx(2.2e-9, rel=0.05)


def test_dosy_refusals(dosy, copy_dataset):
    folder = copy_dataset(dosy, "nodiff")
    (folder / "difflist").write_text("2\n8\n14\n", encoding="ascii")
    with pytest.raises(DataFileError, match="difflist has 3 entries for 8 rows"):
        dosy_series(read_bruker(folder), (5.6, 5.2))
    (folder / "difflist").unlink()
    with pytest.raises(DataFileError, match="no difflist") as info:
        dosy_series(read_bruker(folder), (5.6, 5.2))
    assert str(folder) in str(info.value)


# --- one row of a series as a 1D spectrum (issue 9: --row N) --------------------------------


@pytest.mark.parametrize("row", [1, 2, len(COUNTS) * 2])
def test_read_row_of_series_equals_row_of_processed_series(series, row):
    from cald.nmr.reading import read

    whole = process_series(read_bruker(series))
    spec = read(series, row=row)
    np.testing.assert_allclose(spec.values, whole.values[row - 1], rtol=0,
                               atol=1e-9 * np.abs(whole.values).max())
    np.testing.assert_array_equal(spec.axis, whole.axis)
    assert f"row {row} of {len(COUNTS) * 2}" in spec.history
