"""FTIR: the IR reader (CSV, the public-domain JCAMP-DX IR test files in ``tests/data/ftir``),
carboxylate binding modes on seeded synthetic bands, band areas against analytic Gaussian areas,
every bad input through ``cald ftir analyze``, and the ``ftir`` kind's presentation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from cald.errors import DataFileError
from cald.io.ir import read_ir
from cald.io.jcamp import read_jcamp
from cald.surface.ftir import BindingThresholds, analyze_ftir
from cald.surface.ftir_options import FtirOptions
from cald.synth.infrared import (
    ALUMINA,
    BRIDGING_CARBOXYLATE,
    CHELATING_CARBOXYLATE,
    OLEATE_CHAIN,
    IrBand,
    write_ir_csv,
)
from test_cli import assert_clean_error, run, run_json

DATA = Path(__file__).parent / "data" / "ftir"
FAST = {"start_cm1": 1200.0, "stop_cm1": 3200.0, "step_cm1": 2.0}


def _spectrum(tmp_path: Path, bands, name: str = "ir.csv", seed: int = 1, **kw) -> Path:
    return write_ir_csv(tmp_path / name, bands, seed=seed, **{**FAST, **kw})


# --- binding modes on synthetic bands ------------------------------------------------------


@pytest.mark.parametrize(("nu_as", "nu_s", "mode"), [
    (1530.0, 1430.0, "chelating"),       # Δ 100: the study's CdSe oleate
    (1545.0, 1420.0, "chelating or bridging"),  # Δ 125: between the two ranges
    (1575.0, 1410.0, "bridging"),        # Δ 165
    (1620.0, 1385.0, "monodentate"),     # Δ 235
])
def test_binding_mode_recovered(tmp_path, nu_as, nu_s, mode):
    bands = (*OLEATE_CHAIN, IrBand(nu_as, 40.0, 0.30), IrBand(nu_s, 40.0, 0.20))
    result = analyze_ftir(read_ir(_spectrum(tmp_path, bands, seed=int(nu_as))))
    assert result.nu_as.value == pytest.approx(nu_as, abs=2.0)
    assert result.nu_s.value == pytest.approx(nu_s, abs=2.0)
    assert result.delta.value == pytest.approx(nu_as - nu_s, abs=3.0)
    assert result.delta.stderr is not None and 0 < result.delta.stderr < 2.0
    assert result.mode == mode
    d = result.to_dict()["carboxylate"]
    assert {"nu_as", "nu_s", "delta", "mode"} <= set(d) and d["unit"] == "cm-1"


def test_bridging_shoulder_found_only_when_present(tmp_path):
    plain = analyze_ftir(read_ir(_spectrum(tmp_path, OLEATE_CHAIN + CHELATING_CARBOXYLATE)))
    assert plain.bridging_fraction is None and "bridging" not in plain.components
    both = OLEATE_CHAIN + CHELATING_CARBOXYLATE + BRIDGING_CARBOXYLATE
    shoulder = analyze_ftir(read_ir(_spectrum(tmp_path, both, "b.csv")))
    assert shoulder.components["bridging"].center == pytest.approx(1560.0, abs=3.0)
    assert shoulder.mode == "chelating"
    # truth: bridging area / (bridging + chelating ν_as area) = 0.1·30 / (0.1·30 + 0.3·40)
    assert shoulder.bridging_fraction is not None
    assert shoulder.bridging_fraction.value == pytest.approx(0.2, abs=0.02)


def test_ionic_reference_rule():
    rule = BindingThresholds(ionic_delta_cm1=150.0, ionic_margin_cm1=30.0)
    assert [rule.classify(d) for d in (100.0, 119.0, 121.0, 150.0, 179.0, 181.0)] == [
        "chelating", "chelating", "bridging", "bridging", "bridging", "monodentate"]
    absolute = BindingThresholds()
    assert [absolute.classify(d) for d in (105.0, 110.0, 125.0, 140.0, 200.0, 201.0)] == [
        "chelating", "chelating or bridging", "chelating or bridging", "bridging", "bridging",
        "monodentate"]


def test_ionic_option_changes_the_mode(tmp_path, capsys):
    bands = (*OLEATE_CHAIN, IrBand(1545.0, 40.0, 0.30), IrBand(1420.0, 40.0, 0.20))
    path = _spectrum(tmp_path, bands)
    assert run_json(capsys, ["ftir", "analyze", path])["carboxylate"]["mode"] == \
        "chelating or bridging"
    obj = run_json(capsys, ["ftir", "analyze", path, "--ionic-delta-cm1", "140"])
    assert obj["carboxylate"]["mode"] == "bridging"
    assert "ionic reference" in obj["carboxylate"]["rule"]


# --- band areas against analytic Gaussian areas --------------------------------------------


def _gauss_area(band: IrBand, lo: float, hi: float) -> float:
    s = band.fwhm_cm1 / (2 * math.sqrt(2 * math.log(2)))
    return band.height * s * math.sqrt(math.pi / 2) * (
        math.erf((hi - band.center_cm1) / (s * math.sqrt(2)))
        - math.erf((lo - band.center_cm1) / (s * math.sqrt(2))))


def test_band_areas_match_analytic(tmp_path):
    bands = OLEATE_CHAIN + CHELATING_CARBOXYLATE + BRIDGING_CARBOXYLATE + ALUMINA
    result = analyze_ftir(read_ir(write_ir_csv(tmp_path / "n2.csv", bands, seed=7)))
    areas = {a.name: a for a in result.band_areas}
    for name, (lo, hi) in {"al_o_al": (450, 750), "o_h": (3000, 3600),
                           "ch2_stretch": (2800, 3000)}.items():
        truth = sum(_gauss_area(b, lo, hi) for b in bands)
        assert areas[name].area == pytest.approx(truth, rel=0.05), name
        assert areas[name].area_err is not None and 0 < areas[name].area_err < 0.01 * truth
    ratio = areas["al_o_al"].area / areas["ch2_stretch"].area
    assert areas["al_o_al"].per_ch2 == pytest.approx(ratio)
    assert areas["al_o_al"].per_ch2_err is not None and areas["al_o_al"].per_ch2_err > 0


# --- reading ---------------------------------------------------------------------------------


def test_transmittance_and_descending_axis(tmp_path):
    bands = OLEATE_CHAIN + CHELATING_CARBOXYLATE
    a = read_ir(_spectrum(tmp_path, bands, "a.csv", descending=False))
    t = read_ir(_spectrum(tmp_path, bands, "t.csv", transmittance=True, descending=True))
    assert np.all(np.diff(t.axis) > 0) and a.meta["ordinate"] == "absorbance"
    assert t.meta["ordinate"] == "transmittance"
    assert any("converted to absorbance" in h for h in t.history)
    assert any("reversed" in h for h in t.history)
    np.testing.assert_array_equal(a.axis, t.axis)
    np.testing.assert_allclose(t.values, a.values, atol=2e-6)  # 6-decimal rounding of %T
    assert analyze_ftir(t).delta.value == pytest.approx(analyze_ftir(a).delta.value, abs=0.01)


JCAMP_FILES = {"xyinc1": (3601, "TRANSMITTANCE"), "fixinc2": (3601, "ABSORBANCE"),
               "jtpolys": (1844, "TRANSMITTANCE"), "jtpolysd": (1844, "TRANSMITTANCE"),
               "sqzdupd1": (18669, "TRANSMITTANCE"), "pacdec1": (3301, "TRANSMITTANCE"),
               "dupdec1": (3951, "TRANSMITTANCE")}


@pytest.mark.parametrize("name", JCAMP_FILES)
def test_jcamp_ir_test_files(name):
    """Every compression of the JCAMP-DX test disk: NPOINTS, FIRSTX and LASTX as the header says."""
    spec = read_jcamp(DATA / f"{name}.jdx")
    text = (DATA / f"{name}.jdx").read_text(encoding="latin-1")
    first = float(text.split("##FIRSTX=")[1].split()[0])
    last = float(text.split("##LASTX=")[1].split()[0])
    assert spec.unit == "cm-1" and spec.n_points == JCAMP_FILES[name][0]
    assert (spec.axis[0], spec.axis[-1]) == (first, last)
    assert spec.meta["yunits"] == JCAMP_FILES[name][1]
    assert np.all(np.isfinite(spec.values))


def test_jcamp_encodings_agree():
    """FIX and DIF/DUP files of one spectrum hold the same integers (their YFACTORs differ in
    the 4th digit); the transmittance file xyinc1 is the absorbance file fixinc2 as −log₁₀ T."""
    fix, dif = read_jcamp(DATA / "jtpolys.jdx"), read_jcamp(DATA / "jtpolysd.jdx")
    np.testing.assert_allclose(fix.values / 2.384185791e-09, dif.values / 2.3884185791e-09,
                               rtol=0, atol=0.5)
    t, a = read_jcamp(DATA / "xyinc1.jdx"), read_jcamp(DATA / "fixinc2.jdx")
    ok = t.values > 0.01
    np.testing.assert_allclose(-np.log10(t.values[ok]), a.values[ok], atol=2e-3)


def test_read_ir_jcamp_descending_to_ascending():
    spec = read_ir(DATA / "pacdec1.jdx")  # 4000 → 700 cm⁻¹, %T
    assert spec.axis[0] == 700.0 and spec.axis[-1] == 4000.0
    assert spec.meta["ordinate"] == "transmittance"
    assert 0 < spec.values.max() < 0.1  # %T 86–102 → small absorbances


def test_real_file_with_negative_transmittance_is_refused():
    """xyinc1.jdx (Indene) holds T = −0.0023 at a saturated band: no absorbance exists there."""
    with pytest.raises(DataFileError, match="transmittance ≤ 0"):
        read_ir(DATA / "xyinc1.jdx")


def test_jcamp_dup_of_a_difference(tmp_path):
    """A DUP count after a DIF repeats the difference (dupdec1 line 34 'j3U' = three −13 steps)."""
    spec = read_jcamp(DATA / "dupdec1.jdx")
    assert spec.values[0] == pytest.approx(82.25) and spec.values[-1] == pytest.approx(78.58)


# --- bad input -------------------------------------------------------------------------------


def _csv(tmp_path: Path, rows: str, header: str = "wavenumber_cm1,absorbance",
         name: str = "bad.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + "\n" + rows, encoding="utf-8")
    return path


def test_bad_inputs(tmp_path, capsys):
    cases = []
    chain = _spectrum(tmp_path, OLEATE_CHAIN, "chain.csv")
    cases.append((chain, [], "no carboxylate band found"))
    short = _spectrum(tmp_path, OLEATE_CHAIN + CHELATING_CARBOXYLATE, "short.csv", start_cm1=1400.0)
    cases.append((short, [], "lies outside the data"))
    rows = "".join(f"{4000 - i},{50 + i % 7}\n" for i in range(40)) + "3960,0\n"
    cases.append((_csv(tmp_path, rows, "wavenumber_cm1,transmittance", "t.csv"), [], "transmittance ≤ 0"))
    dup = "".join(f"{1000 + i},{0.1}\n" for i in range(20)) + "1019,0.2\n"
    cases.append((_csv(tmp_path, dup, name="dup.csv"), [], "occurs more than once"))
    zigzag = "".join(f"{1000 + i},{0.1}\n" for i in range(20)) + "1005.5,0.2\n"
    cases.append((_csv(tmp_path, zigzag, name="zigzag.csv"), [], "not monotonic"))
    for path, extra, fragment in cases:
        code, out, err = run(capsys, ["ftir", "analyze", path, *extra])
        assert_clean_error(code, out, err, fragment)
        assert str(path) in err
    good = _spectrum(tmp_path, OLEATE_CHAIN + CHELATING_CARBOXYLATE, "good.csv")
    for extra, fragment in ((["--fit-region-cm1", "1750"], "--fit-region-cm1"),
                            (["--chelating-max-cm1", "300"], "--chelating-max-cm1"),
                            (["--shape", "lorentzian"], "--shape")):
        code, out, err = run(capsys, ["ftir", "analyze", good, *extra])
        assert_clean_error(code, out, err, fragment)
    code, out, err = run(capsys, ["ftir", "analyze", _csv(tmp_path, "1,2\n", "ppm,intensity")])
    assert_clean_error(code, out, err, "wavenumber column")


def test_cli_plot_and_json(tmp_path, capsys):
    path = _spectrum(tmp_path, OLEATE_CHAIN + CHELATING_CARBOXYLATE)
    obj = run_json(capsys, ["ftir", "analyze", path, "--plot", tmp_path / "f.svg"])
    assert (tmp_path / "f.svg").stat().st_size > 1000
    assert {"carboxylate", "bridging", "components", "band_areas", "fit", "notes"} <= set(obj)
    assert [c["name"] for c in obj["components"]] == ["nu_as", "nu_s", "ch2_scissor"]
    narrow = run_json(capsys, ["ftir", "analyze", path, "--ch2-region-cm1", "2900:2940"])
    assert narrow["band_areas"]["ch2_stretch"]["region_cm1"] == [2900.0, 2940.0]
    assert narrow["band_areas"]["ch2_stretch"]["area"] < obj["band_areas"]["ch2_stretch"]["area"]


# --- the kind ---------------------------------------------------------------------------------


def test_kind_presentation(tmp_path):
    from cald.project.analyses import get_kind

    kind = get_kind("ftir")
    params = FtirOptions()
    entries = []
    for sample, bands in (("CdSe", OLEATE_CHAIN + CHELATING_CARBOXYLATE),
                          ("CdSe@AlOx-3", OLEATE_CHAIN + CHELATING_CARBOXYLATE
                           + BRIDGING_CARBOXYLATE + ALUMINA)):
        path = write_ir_csv(tmp_path / f"{sample}.csv", bands, seed=5)
        out = kind.run([path], params, None)
        entries.append({"id": f"ftir-{sample}", "sample": sample, "kind": "ftir",
                        "result": out.result})
        assert out.figures and "Δ" in out.summary
    cycles = {"CdSe": 0, "CdSe@AlOx-3": 3}
    rows = dict(kind.key_numbers(entries[1]["result"]))
    assert rows["binding mode"] == "chelating" and "bridging shoulder" in rows
    (table,) = kind.tables(entries, cycles)
    assert len(table.rows) == 2 and table.rows[0][4] == "chelating" and table.rows[0][5] == "—"
    (figure,) = kind.figures(entries, cycles)
    assert figure.svg.startswith(b"<?xml")
    statements = kind.mechanism(entries[1], {})
    assert "chelating" in statements[0].text and statements[0].unit == "cm⁻¹"
    assert any("bridging" in s.text for s in statements)
    assert any("Al–O–Al" in s.text and s.value > 0.5 for s in statements)


def test_free_acid_band_kept_and_voigt_shape(tmp_path):
    bands = (*OLEATE_CHAIN, *CHELATING_CARBOXYLATE, IrBand(1710.0, 25.0, 0.08))
    spec = read_ir(_spectrum(tmp_path, bands))
    result = analyze_ftir(spec)
    assert result.components["acid_co"].center == pytest.approx(1710.0, abs=2.0)
    assert result.mode == "chelating" and "bridging" not in result.components
    voigt = FtirOptions(shape="voigt").analyze(spec)
    assert voigt.delta.value == pytest.approx(100.0, abs=2.0)


def test_absurd_absorbance_refused(tmp_path):
    """A mutant transmittance of 1e308 % made the baseline and fit run past 10 s."""
    rows = "".join(f"{1000 + i},{50.0 if i != 7 else 1e308}\n" for i in range(30))
    path = _csv(tmp_path, rows, "wavenumber_cm1,transmittance")
    with pytest.raises(DataFileError, match="not a measured IR absorbance"):
        read_ir(path)


@pytest.mark.parametrize("name", ["jtpolys", "jtpolysd", "dupdec1"])
def test_polystyrene_band_positions(name):
    """Real spectra: the polystyrene film of the JCAMP-DX test disk. Its aromatic ring bands at
    1601.2 and 1583.0 cm⁻¹ (the usual calibration values, e.g. ASTM E1421; quoted here, not
    checked against the standard) come out of the band fit within 1 cm⁻¹. They are no
    carboxylates: the analysis assumes carboxylate ligands and calls this pair 'bridging'."""
    result = analyze_ftir(read_ir(DATA / f"{name}.jdx"))
    assert result.nu_as.value == pytest.approx(1601.2, abs=1.0)
    if "bridging" in result.components:  # resolved at 4 cm⁻¹ (jtpolys), not at 1605's resolution
        assert result.components["bridging"].center == pytest.approx(1583.0, abs=1.0)


def test_baseline_lambda_follows_the_spacing(tmp_path):
    """λ is given for 1 cm⁻¹ and scaled by the spacing⁴: band areas agree at 0.5 and 4 cm⁻¹."""
    bands = OLEATE_CHAIN + CHELATING_CARBOXYLATE + ALUMINA
    areas = []
    for step in (0.5, 4.0):
        path = write_ir_csv(tmp_path / f"s{step}.csv", bands, step_cm1=step, seed=2)
        result = analyze_ftir(read_ir(path))
        areas.append({a.name: a.area for a in result.band_areas})
        assert result.lam == pytest.approx(result.lam_1cm / step**4)
    for name in ("al_o_al", "o_h", "ch2_stretch"):
        assert areas[0][name] == pytest.approx(areas[1][name], rel=0.03), name


def test_reversed_axis_and_input_untouched(tmp_path):
    spec = read_ir(_spectrum(tmp_path, OLEATE_CHAIN + CHELATING_CARBOXYLATE))
    values = spec.values.copy()
    forward = analyze_ftir(spec)
    backward = analyze_ftir(spec.evolve(spec.values[::-1], "reversed", axis=spec.axis[::-1]))
    np.testing.assert_array_equal(spec.values, values)
    assert backward.delta.value == pytest.approx(forward.delta.value, abs=1e-6)
    assert np.all(np.diff(backward.corrected.axis) > 0)
