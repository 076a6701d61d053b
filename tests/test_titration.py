"""TMA titration followed by 1H NMR (cald.qd.titration, ``cald titration track``) on seeded
synthetic Bruker series (cald.synth.titration): alkene shift, FWHM and relative integral per
point, the stability limit derived from the width jump, TMA/QD from titles, the bad inputs, and
the ``titration`` analysis kind's presentation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cald.errors import ParameterError
from cald.nmr.reading import read, read_title
from cald.project.analyses import get_kind
from cald.qd.titration import tma_per_qd_from_title, track_titration
from cald.synth.bruker import Line
from cald.synth.titration import alkene_line, write_titration_series
from test_cli import assert_clean_error, run, run_json

VALUES = [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0]
LB_HZ = 1.0  # the stored exponential window adds to a Lorentzian's FWHM


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_titration_series(tmp_path_factory.mktemp("titration"), VALUES, seed=7,
                                  noise_sd=0.01)


def test_points_and_stability_limit_recovered(series):
    result = track_titration([read(p) for p in series], VALUES)
    assert [p.tma_per_qd for p in result.points] == VALUES
    for point in result.points:
        truth = alkene_line(point.tma_per_qd)
        assert point.shift_ppm == pytest.approx(truth.ppm, abs=max(5 * point.shift_ppm_err, 1e-3))
        assert point.fwhm_hz == pytest.approx(truth.fwhm_hz + LB_HZ, abs=1.5)
        assert point.relative_integral == pytest.approx(truth.amplitude, abs=0.03)
        assert point.fwhm_hz_err is not None and 0 < point.fwhm_hz_err < 1.0
    assert result.points[0].relative_integral == 1.0
    assert (result.stability_limit, result.jump_at) == (25.0, 30.0)
    assert "NS × RG" in result.notes[0]


def test_limit_comes_from_the_data_not_the_study(tmp_path):
    """A series whose width jumps past 10 TMA/QD gives 10; one without a jump gives none."""
    early = write_titration_series(tmp_path / "early", [0, 5, 10, 15], seed=3, noise_sd=0.01,
                                   line=lambda v: alkene_line(v, limit=10.0))
    result = track_titration([read(p) for p in early], [0, 5, 10, 15])
    assert (result.stability_limit, result.jump_at) == (10.0, 15.0)
    stable = write_titration_series(tmp_path / "stable", [0, 10, 20, 25], seed=4, noise_sd=0.01)
    result = track_titration([read(p) for p in stable], [0, 10, 20, 25])
    assert result.stability_limit is None and result.jump_at is None
    assert "no width jump" in result.report()


def test_noise_alone_does_not_make_a_jump(tmp_path):
    """Constant width, noisy data: steps within the errors are no jump (the 5σ condition)."""
    noisy = write_titration_series(tmp_path / "noisy", [0, 5, 10, 15], seed=5, noise_sd=0.15,
                                   line=lambda v: Line(5.7, 1.0, 20.0))
    result = track_titration([read(p) for p in noisy], [0, 5, 10, 15], jump_fraction=0.05)
    assert result.jump_at is None


@pytest.mark.parametrize(("title", "value"), [
    ("CdSe QDs + 10 TMA/QD in toluene-d8", 10.0), ("2.5 TMA per QD", 2.5),
    ("QDs, 40 tma/qds", 40.0), ("0 TMA/QD (reference)", 0.0), ("QDs in toluene-d8", None),
    ("10 TMA/QD then 20 TMA/QD", None), ("x10 TMA/QD", None), ("10 TMA/QDot", None),
    ("10 TMA", None)])
def test_tma_per_qd_from_title_is_conservative(title, value):
    assert tma_per_qd_from_title(title) == value


def test_cli_json_from_titles_and_plot(capsys, series, tmp_path):
    plot = tmp_path / "trend.png"
    obj = run_json(capsys, ["titration", "track", *series, "--plot", plot])
    assert [p["tma_per_qd"] for p in obj["points"]] == VALUES
    assert {"tma_per_qd", "shift_ppm", "shift_ppm_err", "fwhm_hz", "fwhm_hz_err",
            "relative_integral", "relative_integral_err"} <= set(obj["points"][0])
    assert obj["stability_limit_tma_per_qd"] == 25.0 and obj["jump_at_tma_per_qd"] == 30.0
    assert obj["region_ppm"] == [6.2, 5.0] and "30%" in obj["criterion"]
    assert plot.stat().st_size > 1000
    code, out, _ = run(capsys, ["titration", "track", *series[:3], "--tma-per-qd", "0,5,10"])
    assert code == 0 and "no width jump" in out
    shuffled = run_json(capsys, ["titration", "track", *series[::-1]])  # a shell glob's order
    assert shuffled["points"] == obj["points"]


def test_cli_csv_needs_sf(capsys, series, tmp_path):
    spec = read(series[0])
    csvs = []
    for i in range(2):
        path = tmp_path / f"s{i}.csv"
        path.write_text("ppm,intensity\n" + "".join(
            f"{x:.6f},{y:.6g}\n" for x, y in zip(spec.axis, np.real(spec.values), strict=True)))
        csvs.append(path)
    assert_clean_error(*run(capsys, ["titration", "track", *csvs, "--tma-per-qd", "0,5"]),
                       f"{csvs[0]}: no spectrometer frequency: give --sf-mhz")
    obj = run_json(capsys, ["titration", "track", *csvs, "--tma-per-qd", "0,5",
                            "--sf-mhz", f"{spec.sf_mhz}"])
    assert obj["points"][0]["fwhm_hz"] == pytest.approx(41.0, abs=1.5)


def test_cli_bad_inputs(capsys, series, tmp_path):
    assert_clean_error(*run(capsys, ["titration", "track", "--tma-per-qd", "0"]), "paths")
    assert_clean_error(*run(capsys, ["titration", "track", *series[:3], "--tma-per-qd", "0,5"]),
                       "--tma-per-qd: 2 value(s) for 3 data sets")
    assert_clean_error(*run(capsys, ["titration", "track", *series[:2], "--tma-per-qd", "5,5"]),
                       "--tma-per-qd: values must differ")
    assert_clean_error(*run(capsys, ["titration", "track", *series[:2], "--tma-per-qd", "0,5",
                                     "--region", "30:25"]),
                       f"{series[0]}: region 30:25 ppm lies outside the spectrum")
    assert_clean_error(*run(capsys, ["titration", "track", *series[:2], "--tma-per-qd", "0,5",
                                     "--region", "9.5:8.5"]), "no line rises 5 σ above the noise")
    assert_clean_error(*run(capsys, ["titration", "track", *series[:2], "--tma-per-qd", "0,5",
                                     "--shape", "square"]), "--shape")
    untitled = tmp_path / "untitled"
    write_titration_series(untitled, [0], seed=1)
    (untitled / "tma_0" / "pdata" / "1" / "title").write_text("QDs in toluene-d8\n")
    assert_clean_error(*run(capsys, ["titration", "track", series[0], untitled / "tma_0"]),
                       f"{untitled / 'tma_0'}: no --tma-per-qd given")
    with pytest.raises(ParameterError, match="empty series"):
        track_titration([], [])
    carbon = Path(__file__).parent / "data" / "bruker" / "xwin_13c"
    assert_clean_error(*run(capsys, ["titration", "track", series[0], carbon, "--tma-per-qd",
                                     "0,5"]), f"{carbon}: the titration follows the 1H alkene")


def test_real_bruker_1h_data_set():
    """A real 600 MHz 1H data set (sucrose, nmrpy test data): the anomeric H1 line at 5.34 ppm
    read and fitted through the titration path, identical points with no jump; its title
    states no TMA/QD."""
    real = Path(__file__).parent / "data" / "bruker" / "sucrose_1h_600"
    result = track_titration([read(real)] * 4, [0, 5, 10, 15], region=(5.30, 5.38))
    assert result.points[0].shift_ppm == pytest.approx(5.34, abs=0.005)
    assert 0.5 < result.points[0].fwhm_hz < 5.0
    assert result.stability_limit is None
    assert tma_per_qd_from_title(read_title(real)) is None


# --- the titration analysis kind --------------------------------------------------------------


def test_titration_kind_presentation(series, tmp_path):
    kind = get_kind("titration")
    assert (kind.section, kind.n_inputs[0]) == ("solution", 4)
    params = kind.parse_parameters({"tma_per_qd": [0, 10, 25, 30]}, "analyses[0]",
                                   tmp_path / "project.toml")
    chosen = [series[0], series[2], series[5], series[6]]
    out = kind.run(chosen, params, None)
    assert [f.name for f in out.figures] == ["alkene_stack", "alkene_trend"]
    result = out.result
    assert result["stability_limit_tma_per_qd"] == 25.0
    numbers = dict(kind.key_numbers(result))
    assert numbers["stability limit"] == "25 TMA/QD (width jumps at 30)"
    assert numbers["points"] == "4 (0–30 TMA/QD)"
    (statement,) = kind.mechanism({"id": "t", "sample": "CdSe", "result": result}, {})
    assert (statement.value, statement.unit) == (25.0, "TMA/QD")
    assert "colloidal stability limit of sample CdSe" in statement.text
    titled = kind.parse_parameters({}, "analyses[0]", tmp_path / "project.toml")
    assert kind.run(chosen, titled, None).result["points"][2]["tma_per_qd"] == 25.0


def test_read_title_of_each_source(series, tmp_path):
    assert tma_per_qd_from_title(read_title(series[3])) == VALUES[3]  # Bruker pdata/1/title
    jcamp = Path(__file__).parent / "data" / "jcamp" / "TESTSPEC.DX"
    assert read_title(jcamp) == "ETHYLBENZOL/CDCL3"  # JCAMP-DX ##TITLE
    csv = tmp_path / "s.csv"
    csv.write_text("ppm,intensity\n1,0\n2,1\n")
    assert read_title(csv) == ""
