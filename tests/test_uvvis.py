"""UV-vis of CdSe QDs: the reader (CSV, JASCO/Cary-style exports), the first-exciton finder on
seeded synthetic spectra (a Gaussian exciton on a rising continuum with a second exciton at
shorter wavelength, noise), ``cald uvvis size`` and its bad inputs."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from cald.errors import DataFileError, ParameterError
from cald.io.uvvis import read_uvvis
from cald.qd.sizing import concentration_um, diameter_nm_yu2003, molar_absorptivity_per_m_cm
from cald.qd.uvvis import find_exciton
from cald.spectrum import Spectrum
from test_cli import assert_clean_error, run, run_json

NM = np.arange(350.0, 750.0, 1.0)
N_CASES = 60


def synthetic(seed: int) -> tuple[np.ndarray, float, float]:
    """Absorbance on :data:`NM`, the first exciton's position (nm) and σ (nm): a Gaussian
    exciton (480–630 nm, σ 9–15 nm), a broader second exciton 35–55 nm to the blue, an
    exponential continuum rising to the blue, Gaussian noise of 0.2–1 % of the exciton.

    The position is the noise-free spectrum's absorbance maximum near the Gaussian (the
    sizing curves' definition), found by brute force on a 0.001 nm grid; the Gaussian centre
    when there is no maximum (a shoulder)."""
    rng = np.random.default_rng(seed)
    c, s, h = rng.uniform(480, 630), rng.uniform(9, 15), rng.uniform(0.2, 1.0)
    c2, h2 = c - rng.uniform(35, 55), rng.uniform(0.6, 1.2) * h
    hc, tc = rng.uniform(0.2, 1.0) * h, rng.uniform(60, 120)

    def clean(nm: np.ndarray) -> np.ndarray:
        return (h * np.exp(-0.5 * ((nm - c) / s) ** 2)
                + h2 * np.exp(-0.5 * ((nm - c2) / (1.3 * s)) ** 2) + hc * np.exp(-(nm - c) / tc))

    a = clean(NM) + rng.normal(0, rng.uniform(0.002, 0.01) * h, NM.size)
    fine = np.arange(c - 2 * s, c + s, 0.001)
    af = clean(fine)
    maxima = np.flatnonzero((af[1:-1] > af[:-2]) & (af[1:-1] >= af[2:])) + 1
    return a, (float(fine[maxima[-1]]) if maxima.size else c), s


def spectrum(a: np.ndarray, name: str = "synthetic.csv") -> Spectrum:
    return Spectrum(values=a, axis=NM, unit="nm", source=name)


def write_csv(path: Path, nm: np.ndarray, a: np.ndarray, header: str = "wavelength_nm,absorbance",
              sep: str = ",") -> Path:
    path.write_text(header + "\n" + "".join(f"{x:.2f}{sep}{y:.6f}\n" for x, y in zip(nm, a,
                                                                                      strict=True)))
    return path


# --- exciton finding ----------------------------------------------------------------------


def test_peak_within_1p5_nm_over_seeded_cases():
    errors, maxima = [], 0
    for seed in range(N_CASES):
        a, c, _ = synthetic(seed)
        ex = find_exciton(spectrum(a))
        errors.append(ex.peak_nm - c)
        maxima += ex.max_nm is not None
        if ex.max_nm is not None:
            assert ex.peak_nm == ex.max_nm
            assert ex.curvature_min_nm > ex.peak_nm  # the continuum pulls it to the red
    errors = np.abs(errors)
    assert errors.max() < 1.5, (errors.argmax(), errors.max())
    assert np.median(errors) < 1.0
    assert maxima > N_CASES // 2  # most cases have a maximum; the rest are shoulders


def test_fwhm_from_the_long_wavelength_side():
    a = 0.5 * np.exp(-0.5 * ((NM - 560.0) / 12.0) ** 2) + 0.3 * np.exp(-(NM - 350.0) / 60.0)
    ex = find_exciton(spectrum(a))
    assert ex.peak_nm == pytest.approx(560.0, abs=0.3)
    assert ex.fwhm_nm == pytest.approx(2.3548 * 12.0, rel=0.05)
    assert any("low-energy (long-wavelength) side" in n for n in ex.notes)


def test_shoulder_on_a_rising_continuum():
    rng = np.random.default_rng(7)
    a = (0.1 * np.exp(-0.5 * ((NM - 580.0) / 12.0) ** 2) + 0.5 * np.exp(-(NM - 580.0) / 50.0)
         + rng.normal(0, 0.001, NM.size))
    assert np.all(np.diff(a[200:260]) < 0.005)  # no maximum: a shoulder
    ex = find_exciton(spectrum(a))
    assert ex.max_nm is None
    assert ex.peak_nm == pytest.approx(580.0, abs=1.5)
    assert any("shoulder" in n for n in ex.notes)


@pytest.mark.parametrize("shape", ["flat", "exponential", "edge", "linear"])
def test_no_exciton_is_a_clean_error(shape):
    rng = np.random.default_rng(3)
    a = {"flat": 0.5 + 0 * NM, "exponential": np.exp(-(NM - 350.0) / 80.0),
         "edge": 1 / (1 + np.exp((NM - 550.0) / 10.0)), "linear": 1 - (NM - 350.0) / 400.0}[shape]
    a = a + rng.normal(0, 0.003, NM.size)
    with pytest.raises(ParameterError, match="flat.csv: no exciton found"):
        find_exciton(spectrum(a, "flat.csv"))


# --- reader -------------------------------------------------------------------------------


def test_descending_file_reads_as_the_ascending_one(tmp_path):
    a, _, _ = synthetic(1)
    up = read_uvvis(write_csv(tmp_path / "up.csv", NM, a))
    down = read_uvvis(write_csv(tmp_path / "down.csv", NM[::-1], a[::-1], "Wavelength;Abs", ";"))
    assert np.all(np.diff(down.axis) > 0) and down.unit == "nm"
    np.testing.assert_array_equal(up.axis, down.axis)
    np.testing.assert_array_equal(up.values, down.values)
    assert find_exciton(up).peak_nm == find_exciton(down).peak_nm


def test_columns_by_name_in_either_order(tmp_path):
    path = tmp_path / "swapped.csv"
    path.write_text("A,nm\n" + "".join(f"{0.1 * i},{400 + i}\n" for i in range(10)))
    spec = read_uvvis(path)
    np.testing.assert_allclose(spec.axis, 400 + np.arange(10))
    np.testing.assert_allclose(spec.values, 0.1 * np.arange(10))


def test_header_block_export(tmp_path):
    """JASCO-style (XYDATA) and Cary-style (two header lines, tab separated) exports."""
    a, c, _ = synthetic(2)
    rows = "".join(f"{x:.1f}\t{y:.5f}\n" for x, y in zip(NM[::-1], a[::-1], strict=True))
    jasco = tmp_path / "qd.txt"
    jasco.write_text("TITLE\tQD\nDATA TYPE\tUV/VIS SPECTRUM\nXUNITS\tNANOMETERS\n"
                     f"YUNITS\tABSORBANCE\nNPOINTS\t{NM.size}\nXYDATA\n{rows}\n"
                     "##### Extended Information\n[Comments]\nSample name\tQD\n")
    cary = tmp_path / "cary.csv"
    cary.write_text("QD in toluene\nWavelength (nm),Abs\n"
                    + "".join(f"{x:.1f},{y:.5f},\n" for x, y in zip(NM, a, strict=True))
                    + "\nMethod: scan\n")
    for path in (jasco, cary):
        spec = read_uvvis(path)
        assert spec.n_points == np.sum(np.round(a, 5) <= 3.0)  # the blue end is saturated
        assert find_exciton(spec).peak_nm == pytest.approx(c, abs=1.5)


def test_saturated_points_dropped_with_a_note(tmp_path):
    a, _, _ = synthetic(4)
    a = 2.0 * a / a.max()
    a[:20] = 3.5
    spec = read_uvvis(write_csv(tmp_path / "sat.csv", NM, a))
    assert spec.n_points == NM.size - 20
    assert "dropped 20 saturated points (A > 3)" in spec.history
    assert read_uvvis(tmp_path / "sat.csv", saturation_absorbance=4.0).n_points == NM.size


def test_duplicate_wavelengths_name_the_file(tmp_path):
    nm = np.r_[NM[:50], NM[49:100]]
    path = write_csv(tmp_path / "dup.csv", nm, np.linspace(1, 0, nm.size))
    with pytest.raises(DataFileError, match=r"dup.csv: wavelength 399 nm occurs more than once"):
        read_uvvis(path)


# --- command ------------------------------------------------------------------------------


def test_cli_size_json(tmp_path, capsys):
    a, c, _ = synthetic(5)
    path = write_csv(tmp_path / "qd.csv", NM, a)
    out = run_json(capsys, ["uvvis", "size", path, "--material", "CdSe"])
    assert out["peak_nm"] == pytest.approx(c, abs=1.5)
    assert out["diameter_nm"] == pytest.approx(diameter_nm_yu2003(out["peak_nm"]))
    assert out["epsilon_m_cm"] == pytest.approx(molar_absorptivity_per_m_cm(out["diameter_nm"]))
    assert out["fwhm_nm"] > 0 and "concentration_um" not in out
    out = run_json(capsys, ["uvvis", "size", path, "--material", "CdSe", "--path-cm", 0.5,
                            "--dilution", 20, "--model", "jasieniak2009", "--plot",
                            tmp_path / "qd.svg"])
    assert out["model"] == "jasieniak2009"
    assert out["concentration_um"] == pytest.approx(
        concentration_um(out["absorbance"], out["epsilon_m_cm"], 0.5, 20))
    assert (tmp_path / "qd.svg").stat().st_size > 0


@pytest.mark.parametrize("args,fragment", [
    (["--path-cm", 0], "--path-cm"), (["--path-cm", -1], "--path-cm"),
    (["--dilution", 0], "--dilution"), (["--dilution", -2], "--dilution"),
    (["--material", "PbS"], "CdSe"), (["--model", "peng"], "--model"),
])
def test_cli_bad_options(tmp_path, capsys, args, fragment):
    a, _, _ = synthetic(6)
    path = write_csv(tmp_path / "qd.csv", NM, a)
    argv = ["uvvis", "size", path, "--material", "CdSe", *args]
    assert_clean_error(*run(capsys, argv), fragment)


def test_cli_bad_files(tmp_path, capsys):
    flat = write_csv(tmp_path / "flat.csv", NM, 0.4 + 0 * NM)
    assert_clean_error(*run(capsys, ["uvvis", "size", flat, "--material", "CdSe"]),
                       "flat.csv: no exciton found")
    nm = np.r_[NM[:50], NM[49:100]]
    dup = write_csv(tmp_path / "dup.csv", nm, np.linspace(1, 0, nm.size))
    assert_clean_error(*run(capsys, ["uvvis", "size", dup, "--material", "CdSe"]),
                       "dup.csv: wavelength")


# --- a real instrument export -------------------------------------------------------------

JASCO_PBSE = Path(__file__).parent / "data" / "uvvis" / "jasco_pbse_batch1.txt"


def test_real_jasco_export_pbse():
    """JASCO V-570 export of PbSe QDs (WrightTools, MIT; tests/data/README.md): 1801 points
    from 2500 down to 700 nm; the first exciton is the broad band near 1445 nm."""
    spec = read_uvvis(JASCO_PBSE)
    assert spec.n_points == 1801 and spec.axis[0] == 700.0 and spec.axis[-1] == 2500.0
    band = spec.region_mask(1300.0, 1600.0)
    raw_max_nm = spec.axis[band][np.argmax(spec.values[band])]
    ex = find_exciton(spec, smooth_nm=61.0)
    assert ex.max_nm == pytest.approx(raw_max_nm, abs=6.0)
    assert ex.peak_nm == pytest.approx(1446.0, abs=3.0)


def test_region_outside_the_spectrum_and_extrapolation(tmp_path, capsys):
    a = 0.5 * np.exp(-0.5 * ((NM - 690.0) / 12.0) ** 2) + 0.3 * np.exp(-(NM - 350.0) / 60.0)
    path = write_csv(tmp_path / "big.csv", NM, a)
    assert_clean_error(*run(capsys, ["uvvis", "size", path, "--material", "CdSe", "--region",
                                     "800:900"]), "big.csv: region 800–900 nm")
    out = run_json(capsys, ["uvvis", "size", path, "--material", "CdSe", "--region", "600:750"])
    assert out["peak_nm"] == pytest.approx(690.0, abs=0.5)
    assert out["extrapolated"] is True
    assert any("yu2003 extrapolated" in n for n in out["notes"])


# --- declared units -----------------------------------------------------------------------


def jasco_file(path: Path, xunits: str, yunits: str, x: np.ndarray, y: np.ndarray) -> Path:
    rows = "".join(f"{a:.10g},{b:.10g}\n" for a, b in zip(x, y, strict=True))
    path.write_text(f"TITLE,QD\nDATA TYPE,ULTRAVIOLET SPECTRUM\nORIGIN,JASCO\nXUNITS,{xunits}\n"
                    f"YUNITS,{yunits}\nNPOINTS,{x.size}\nXYDATA\n{rows}")
    return path


@pytest.mark.parametrize("yunits, scale", [("%T", 100.0), ("TRANSMITTANCE", 1.0),
                                           ("TRANSMITTANCE", 100.0)])
def test_transmittance_becomes_absorbance(tmp_path, yunits, scale):
    a, c, _ = synthetic(3)
    a = np.clip(a, 0.0, 2.5)
    path = jasco_file(tmp_path / "t.csv", "NANOMETERS", yunits, NM, scale * 10.0 ** -a)
    spec = read_uvvis(path)
    np.testing.assert_allclose(spec.values, a, atol=2e-5)
    assert any("transmittance" in h and "A = −log₁₀ T" in h for h in spec.history)
    assert find_exciton(spec).peak_nm == pytest.approx(c, abs=1.5)


def test_transmittance_column_and_zero_transmittance(tmp_path):
    t = np.full(NM.size, 50.0)
    t[:3] = 0.0  # opaque: infinite absorbance, dropped as saturated
    path = tmp_path / "cary.csv"
    path.write_text("Wavelength (nm),%T\n" + "".join(f"{x:.1f},{y:.3f}\n"
                                                     for x, y in zip(NM, t, strict=True)))
    spec = read_uvvis(path)
    assert spec.n_points == NM.size - 3
    np.testing.assert_allclose(spec.values, np.log10(2.0), rtol=1e-9)


def test_wavenumber_and_micrometre_axes(tmp_path):
    a, c, _ = synthetic(6)
    spec = read_uvvis(jasco_file(tmp_path / "k.csv", "1/CM", "ABSORBANCE", 1e7 / NM, a))
    np.testing.assert_allclose(spec.axis, NM, rtol=1e-9)  # ascending nm
    np.testing.assert_allclose(spec.values, a, atol=1e-6)
    um = read_uvvis(jasco_file(tmp_path / "u.csv", "MICROMETERS", "ABSORBANCE", NM / 1e3, a))
    np.testing.assert_allclose(um.axis, NM, atol=1e-3)


@pytest.mark.parametrize("xunits, yunits, fragment", [
    ("NANOMETERS", "REFLECTANCE", "YUNITS REFLECTANCE: reflectance is not an absorbance"),
    ("SECONDS", "ABSORBANCE", "XUNITS SECONDS: not a wavelength"),
])
def test_units_that_are_not_a_uvvis_spectrum(tmp_path, xunits, yunits, fragment):
    path = jasco_file(tmp_path / "bad.csv", xunits, yunits, NM, np.linspace(1, 0, NM.size))
    with pytest.raises(DataFileError, match=re.escape(f"bad.csv: {fragment}")):
        read_uvvis(path)
