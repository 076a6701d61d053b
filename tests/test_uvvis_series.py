"""UV-vis series (cald.qd.uvvis_series, ``cald uvvis series``) on seeded synthetic spectra
(cald.synth.optical): exciton shift and broadening against the first spectrum, the aggregation
onset from the scattering tail, the bad inputs; and the ``uvvis`` analysis kind's presentation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cald.errors import ParameterError
from cald.project.analyses import get_kind
from cald.qd.uvvis_series import uvvis_series
from cald.spectrum import Spectrum
from cald.synth.optical import uvvis_absorbance, write_uvvis_csv
from test_cli import assert_clean_error, run, run_json

NM = np.arange(350.0, 701.0, 1.0)
VALUES = [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0]
#: (peak nm, FWHM nm) per value: small changes up to 25 TMA/QD, then red shift and broadening.
EXCITONS = [(495.0, 25.0), (495.2, 25.2), (495.4, 25.5), (495.6, 25.8), (495.8, 26.2),
            (496.0, 26.5), (500.0, 31.0), (505.0, 36.0)]


def series_spectra(scatter_from: int | None, seed: int = 0) -> list[Spectrum]:
    """The synthetic series; from index ``scatter_from`` on a Rayleigh tail (0.3 of the exciton
    absorbance at the exciton)."""
    return [Spectrum(uvvis_absorbance(NM, p, w, scatter=0.3 if scatter_from is not None
                                      and i >= scatter_from else 0.0, seed=seed + i),
                     NM, "nm", source=f"s{i}.csv")
            for i, (p, w) in enumerate(EXCITONS)]


def true_maximum_nm(peak_nm: float, fwhm_nm: float) -> float:
    """The noise-free spectrum's absorbance maximum near the exciton (brute force on a 0.001 nm
    grid): the position cald reports, pulled to the blue of the Gaussian's centre by the
    continuum, the more the broader the exciton."""
    fine = np.arange(peak_nm - fwhm_nm, peak_nm + fwhm_nm / 2, 0.001)
    a = uvvis_absorbance(fine, peak_nm, fwhm_nm, noise_sd=0.0)
    maxima = np.flatnonzero((a[1:-1] > a[:-2]) & (a[1:-1] >= a[2:])) + 1
    return float(fine[maxima[-1]])


def test_shift_and_broadening_recovered():
    """Shift (of the absorbance maximum) within 0.5 nm; broadening within 0.5 nm + 40 %: the
    low-energy half width is measured from the maximum, which the continuum pulls to the blue
    the more the broader the exciton, so large broadenings come out ≈ 37 % large (11 nm → 15 nm
    here; systematic, the same for every seed)."""
    first = true_maximum_nm(*EXCITONS[0])
    for seed in range(5):
        result = uvvis_series(series_spectra(None, seed), VALUES)
        for point, (peak, fwhm) in zip(result.points, EXCITONS, strict=True):
            assert point.shift_nm == pytest.approx(true_maximum_nm(peak, fwhm) - first, abs=0.5)
            true = fwhm - EXCITONS[0][1]
            assert point.broadening_nm == pytest.approx(true, abs=0.5 + 0.4 * true)
        assert result.points[0].shift_nm == 0.0
        broadening = [p.broadening_nm for p in result.points]
        assert broadening[-1] > broadening[-2] > broadening[5] + 2.0


def test_aggregation_onset_flagged_at_the_first_scattering_spectrum():
    for start in (3, 6):
        result = uvvis_series(series_spectra(start), VALUES)
        assert result.onset == VALUES[start]
        assert [p.aggregated for p in result.points] == [i >= start for i in range(len(VALUES))]
        assert result.stable_up_to == VALUES[start - 1]
        assert result.points[start].tail_slope == pytest.approx(-4.0, abs=0.5)  # Rayleigh


def test_clean_series_not_flagged_even_with_red_shift_and_broadening():
    result = uvvis_series(series_spectra(None), VALUES)
    assert result.onset is None
    assert result.stable_up_to == VALUES[-1]
    assert max(abs(p.tail_rise) for p in result.points) < 0.01


def test_window_follows_each_exciton():
    """A growing, clean series (exciton 495 → 540 nm, as real growth aliquots shift): a window
    fixed past the first exciton would catch the last one's exciton; each spectrum's own window
    does not."""
    growth = [(495.0, 25.0), (515.0, 27.0), (540.0, 30.0)]
    spectra = [Spectrum(uvvis_absorbance(NM, p, w, seed=i), NM, "nm", source=f"g{i}.csv")
               for i, (p, w) in enumerate(growth)]
    result = uvvis_series(spectra, [0, 1, 2], variable="cycles")
    assert result.onset is None
    assert max(abs(p.tail_rise) for p in result.points) < 0.01
    assert result.points[2].tail_window_nm[0] == pytest.approx(600.0, abs=2.0)


def test_library_refuses_bad_series():
    spectra = series_spectra(None)
    with pytest.raises(ParameterError, match="empty series"):
        uvvis_series([], [])
    with pytest.raises(ParameterError, match="--values: 7 value"):
        uvvis_series(spectra, VALUES[:-1])
    with pytest.raises(ParameterError, match="must increase"):
        uvvis_series(spectra, VALUES[::-1])


@pytest.fixture(scope="module")
def csv_series(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("uvvis_series")
    return [write_uvvis_csv(folder / f"tma_{v:g}.csv", p, w, scatter=0.3 if v >= 30 else 0.0,
                            seed=i)
            for i, (v, (p, w)) in enumerate(zip(VALUES, EXCITONS, strict=True))]


def test_cli_series_json_and_plot(capsys, csv_series, tmp_path):
    plot = tmp_path / "series.svg"
    obj = run_json(capsys, ["uvvis", "series", *csv_series, "--values",
                            ",".join(f"{v:g}" for v in VALUES), "--plot", plot])
    assert obj["variable"] == "tma_per_qd" and obj["aggregation_onset"] == 30.0
    assert obj["stable_up_to"] == 25.0
    assert [p["tma_per_qd"] for p in obj["points"]] == VALUES
    assert {"peak_nm", "fwhm_nm", "shift_nm", "broadening_nm", "tail_rise",
            "aggregated"} <= set(obj["points"][0])
    assert plot.stat().st_size > 1000
    code, out, _ = run(capsys, ["uvvis", "series", *csv_series[:2], "--values", "0,1",
                                "--variable", "cycles"])
    assert code == 0 and "aggregation onset: none flagged" in out


def test_cli_series_bad_inputs(capsys, csv_series, tmp_path):
    assert_clean_error(*run(capsys, ["uvvis", "series", "--values", "0,1"]), "paths")
    assert_clean_error(*run(capsys, ["uvvis", "series", *csv_series[:3], "--values", "0,5"]),
                       "--values: 2 value(s) for 3 spectra")
    assert_clean_error(*run(capsys, ["uvvis", "series", *csv_series[:2], "--values", "5,0"]),
                       "must increase")
    short = write_uvvis_csv(tmp_path / "short.csv", 495.0, 25.0, stop_nm=560.0)
    assert_clean_error(*run(capsys, ["uvvis", "series", csv_series[0], short, "--values", "0,5"]),
                       f"{short}: the scattering window")
    flat = tmp_path / "flat.csv"
    flat.write_text("wavelength_nm,absorbance\n" + "".join(f"{x:g},0.1\n" for x in NM))
    assert_clean_error(*run(capsys, ["uvvis", "series", csv_series[0], flat, "--values", "0,5"]),
                       f"{flat}: no exciton found")
    assert_clean_error(*run(capsys, ["uvvis", "series", *csv_series[:2], "--values", "0,5",
                                     "--scatter-threshold", "0"]), "--scatter-threshold")


# --- the uvvis analysis kind ---------------------------------------------------------------


def test_uvvis_kind_presentation(tmp_path):
    kind = get_kind("uvvis")
    n0 = write_uvvis_csv(tmp_path / "n0.csv", 495.0, 25.0, seed=1)
    n3 = write_uvvis_csv(tmp_path / "n3.csv", 497.0, 26.0, seed=2)
    params = kind.parse_parameters({"material": "CdSe", "path_cm": 1.0, "dilution": 10.0,
                                    "overlay": "UV-vis", "normalise_region": [480, 510]},
                                   "analyses[0]", tmp_path / "project.toml")
    out0 = kind.run([n0], params, None)
    out3 = kind.run([n3, n0], params, None)
    r0, r3 = out0.result, out3.result
    assert r0["unit"] == "nm" and r0["overlay"] == "UV-vis" and "shift_nm" not in r0
    assert r0["diameter_nm"] == pytest.approx(2.30, abs=0.02)
    assert r3["shift_nm"] == pytest.approx(2.0, abs=0.5)
    assert max(r0["spectrum"]["values"]) > 1.0  # normalised to the exciton: the UV is higher
    labels = dict(kind.key_numbers(r3))
    assert set(labels) == {"first exciton", "FWHM", "diameter", "ε", "concentration",
                           "shift vs reference"}
    analyses = [{"id": "u0", "sample": "CdSe", "result": r0},
                {"id": "u3", "sample": "CdSe@AlOx-3", "result": r3}]
    (table,) = kind.tables(analyses, {"CdSe": 0, "CdSe@AlOx-3": 3})
    assert table.rows[0][-1] == "0" and float(table.rows[1][-1]) == pytest.approx(2.0, abs=0.5)
    statements = kind.mechanism(analyses[1], {"name": "CdSe@AlOx-3"})
    assert [s.unit for s in statements] == ["nm", "µM", "nm"]
    assert "shift of sample CdSe@AlOx-3" in statements[2].text
    assert statements[1].value == pytest.approx(r3["concentration_um"])
