"""SIMPSON interop: reading SIMPSON's own output (real files from simpyson's examples), binary
files, the input file written for a RESPDOR geometry (parsed back, dipolar constant known
answer), and the comparison figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cald.errors import DataFileError
from cald.io.simpson import is_simpson, parse_simpson_input, read_simpson
from cald.nmr.processing import fourier_transform, pick_peaks
from cald.nuclei import dipolar_coupling_hz, get_isotope
from cald.recoupling.data import read_simulated_curve
from cald.recoupling.options import RespdorSimulateOptions
from cald.synth.simpson import write_simpson

DATA = Path(__file__).parent / "data" / "simpson"


@pytest.fixture(scope="module")
def spe():
    return read_simpson(DATA / "ethanol.spe", sf_mhz=400.0, nucleus="1H")


def test_real_spectrum_lines_where_simpson_put_them(spe):
    """ethanol.in: shifts 1, 3.5, 7 ppm at 400 MHz (+400, +1400, +2800 Hz)."""
    assert spe.unit == "ppm" and spe.axis[0] > spe.axis[-1]  # high ppm first
    step = abs(spe.axis[1] - spe.axis[0])
    peaks = pick_peaks(spe, min_snr=50)
    assert peaks[0].ppm == pytest.approx(1.0, abs=0.5 * step)  # CH3 triplet, centre line
    assert any(abs(p.ppm - 7.0) < 0.5 * step for p in peaks[:3])
    ch2 = [p.ppm for p in peaks if 3.3 < p.ppm < 3.7]
    assert np.mean(ch2) == pytest.approx(3.5, abs=0.01)  # the quartet around 3.5 ppm
    hz = read_simpson(DATA / "ethanol.spe")
    assert hz.unit == "hz" and hz.axis[-1] == -5000.0 and hz.axis[0] == pytest.approx(5000 - 10000 / 4096)


def test_fid_transforms_into_simpsons_spectrum(spe):
    """Our FT of SIMPSON's FID is SIMPSON's spectrum (one-point label shift of the Nyquist
    point aside) up to the constant offset from SIMPSON's halving of the first point."""
    fid = read_simpson(DATA / "ethanol.fid", sf_mhz=400.0)
    assert fid.is_time_domain and fid.axis[1] == pytest.approx(1e-4)
    ours = fourier_transform(fid)
    np.testing.assert_allclose(ours.axis[1:], spe.axis[:-1], atol=1e-12)
    diff = ours.values[1:] - spe.values[:-1]
    assert np.mean(diff).real == pytest.approx(fid.values[0].real / 2, rel=1e-5)
    assert np.max(np.abs(diff - np.mean(diff))) < 1e-5 * np.max(np.abs(spe.values))


def test_binary_round_trip(tmp_path):
    fid = read_simpson(DATA / "ethanol.fid")
    path = write_simpson(tmp_path / "bin.fid", fid.values, 10_000.0, binary=True)
    back = read_simpson(path)
    np.testing.assert_allclose(back.values, fid.values, atol=1e-6 * np.max(np.abs(fid.values)))
    text = write_simpson(tmp_path / "txt.spe", fid.values[:8], 100.0, spectrum=True)
    assert read_simpson(text).meta["type"] == "SPE" and is_simpson(text)


@pytest.mark.parametrize(("text", "message"), [
    ("SIMP\nNP=4\nSW=10\nTYPE=FID\nDATA\n1 0\n2 0\nEND\n", "2 data points, NP=4"),
    ("SIMP\nNP=4\nSW=10\n", "no DATA line"),
    ("SIMP\nNP=0\nSW=10\nDATA\nEND\n", "NP=0 must be a positive integer"),
    ("SIMP\nNP=1e12\nSW=10\nDATA\nEND\n", "not a SIMPSON data size"),
    ("SIMP\nNP=2\nSW=nan\nDATA\nEND\n", "SW=nan"),
    ("SIMP\nNP=2\nSW=1\nTYPE=FID\nFORMAT=BINARY\nDATA\n!!!!\nEND\n", "do not hold NP=2"),
    ("SIMP\nNP=2\nNI=2\nSW=1\nDATA\nEND\n", "2D SIMPSON data"),
    ("SIMP\nNP=1\nSW=1\nDATA\n1 x\nEND\n", "not a pair of numbers"),
    ("NP=1\n", "not a SIMPSON file"),
])
def test_damaged_files(tmp_path, text, message):
    path = tmp_path / "bad.fid"
    path.write_text(text)
    with pytest.raises(DataFileError, match=message):
        read_simpson(path)


# --- the input file ---------------------------------------------------------------------------


def _options(**kw) -> RespdorSimulateOptions:
    base = {"pair": "13C-27Al", "t_ms": "0.4,0.8,1.6", "mas_khz": 10.0, "r_angstrom": 3.0,
            "cq_mhz": 4.0, "eta": 0.3, "field_1h_mhz": 600.0}
    return RespdorSimulateOptions.model_validate({**base, **kw})


def test_input_round_trip_and_dipolar_constant():
    opts = _options()
    text = opts.simpson_input("run")
    spinsys, par = parse_simpson_input(text)
    c13, al27 = get_isotope("13C"), get_isotope("27Al")
    assert spinsys["channels"] == [["13C", "27Al"]] and spinsys["nuclei"] == [["13C", "27Al"]]
    (dipole,) = spinsys["dipole"]
    assert dipole[:2] == ["1", "2"]
    b = float(dipole[2])
    assert b == pytest.approx(-float(dipolar_coupling_hz(3.0, c13, al27)), rel=1e-6)
    assert b == pytest.approx(-291.8, abs=0.1)  # 7877 Hz Å³ / 27 Å³
    (quad,) = spinsys["quadrupole"]
    assert quad[:4] == ["2", "2", "4000000.000000", "0.300000"]  # second order: field given
    assert float(par["spin_rate"]) == 10_000.0 and par["proton_frequency"].startswith("600000000")
    assert par["crystal_file"] == "zcw376" and par["gamma_angles"] == "8"
    assert par["n_periods"] == '"4 8 16"'
    assert float(par["sat_us"]) == 500.0 and float(par["sat_rf"]) == 10_000.0
    # every rotor period of the pattern lasts one rotor period (100 µs)
    for proc in text.split("proc period")[1:]:
        body = proc.split("}", 2)[1]
        total = sum(float(line.split()[1]) for line in body.splitlines()
                    if line.strip().startswith(("delay", "pulse")))
        assert total == pytest.approx(100.0)
    # the middle block: S π + I pulse centred, whole rotor periods
    middle = float(par["s_pi_us"]) + float(par["before_i_us"]) + float(par["sat_us"]) \
        + float(par["after_i_us"])
    assert middle == pytest.approx(600.0)
    assert float(par["before_i_us"]) + float(par["s_pi_us"]) == pytest.approx(
        float(par["after_i_us"]))


def test_dipolar_constant_known_answer():
    """D = (μ0/4π) γ_I γ_S ħ / (2π r³) from CODATA constants (scipy): 120.12 kHz for 1H–1H at
    1 Å (the "120 kHz" of textbooks), and the 13C–27Al value the input file carries."""
    from scipy import constants as k

    def reference(gamma_a: float, gamma_b: float, r_m: float) -> float:
        return k.mu_0 / (4 * np.pi) * gamma_a * gamma_b * k.hbar / (2 * np.pi * r_m**3)

    gamma_p = k.physical_constants["proton gyromag. ratio"][0]
    h = get_isotope("1H")
    assert float(dipolar_coupling_hz(1.0, h, h)) == pytest.approx(
        reference(gamma_p, gamma_p, 1e-10), rel=1e-6)
    assert reference(gamma_p, gamma_p, 1e-10) == pytest.approx(120_120, rel=1e-4)
    c13, al27 = get_isotope("13C"), get_isotope("27Al")
    b = float(parse_simpson_input(_options().simpson_input("x"))[0]["dipole"][0][2])
    assert -b == pytest.approx(reference(c13.gamma_rad_s_t, al27.gamma_rad_s_t, 3e-10), rel=1e-6)


def test_input_refuses_ideal_and_names_sr4():
    from cald.errors import ParameterError

    with pytest.raises(ParameterError, match="ideal limits"):
        _options(ideal=True).simpson_input("x")
    text = _options(recoupling="sr4", field_1h_mhz=None).simpson_input("x")
    spinsys, _ = parse_simpson_input(text)
    assert spinsys["quadrupole"][0][1] == "1"  # first order without a field
    assert text.count("proc period") == 6  # the SR4 supercycle spans 6 rotor periods


# --- comparisons on the command line ---------------------------------------------------------


@pytest.mark.slow
def test_cli_read_simulate_input_and_compare(tmp_path, capsys):
    from cald.cli.app import main

    assert main(["simpson", "read", str(DATA / "ethanol.spe"), "--nucleus", "1H",
                 "--field-1h-mhz", "400", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["type"] == "SPE" and out["peaks"][0]["ppm"] == pytest.approx(1.0, abs=0.01)
    infile = tmp_path / "redor.in"
    assert main(["respdor", "simulate", "--pair", "13C-27Al", "--t-ms", "0.4,0.8",
                 "--mas-khz", "10", "--r-angstrom", "3", "--simpson-input", str(infile),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["simpson_input"] == str(infile)
    assert "set out [open redor.csv w]" in infile.read_text()
    # a measured curve and a SIMPSON-style curve (ΔS/S0 against t = k/SW) on one figure
    t = np.arange(1, 9) * 2e-4
    dephased = 0.6 * (1 - np.exp(-(t / 6e-4) ** 2))
    curve = tmp_path / "curve.csv"
    curve.write_text("t_ms,dS_S0\n" + "".join(f"{a * 1e3:g},{b:.5f}\n" for a, b in
                                             zip(t, dephased, strict=True)))
    sim = write_simpson(tmp_path / "sim.fid", np.r_[0.0, dephased], 5000.0)
    assert read_simulated_curve(str(sim)).t_s[1] == pytest.approx(2e-4)
    plot = tmp_path / "fit.svg"
    assert main(["respdor", "fit", str(curve), "--spin", "2.5", "--bootstrap", "0",
                 "--plot", str(plot), "--compare", str(sim), "--quiet"]) == 0
    assert "sim.fid" in plot.read_text()
    assert main(["respdor", "fit", str(curve), "--spin", "2.5", "--compare", str(sim)]) == 2
    assert "--compare draws on the figure" in capsys.readouterr().err
    # a SIMPSON spectrum over a measured one
    spectrum_plot = tmp_path / "p31.svg"
    assert main(["nmr", "process", str(Path(__file__).parent / "data" / "varian" /
                                        "p31_s2pul_243mhz.fid"),
                 "--plot", str(spectrum_plot), "--compare", str(DATA / "ethanol.spe"),
                 "--quiet"]) == 0
    assert "ethanol.spe" in spectrum_plot.read_text()


def test_a_comparison_that_is_not_simpson_is_read_as_one_spectrum(tmp_path):
    """``--compare`` with a measured data set takes the NMR path (a 1D spectrum): a raw series
    needs a row, it is not drawn as a whole series."""
    from cald.errors import DataFileError
    from cald.nmr.reading import read_comparison, read_nmr

    one = Path(__file__).parent / "data" / "varian" / "p31_s2pul_243mhz.fid"
    like = read_nmr(one)
    assert np.array_equal(read_comparison(one, like).values, like.values)
    with pytest.raises(DataFileError, match="choose one with --row"):
        read_comparison(one.with_name("p31_nt_array_162mhz.fid"), like)
