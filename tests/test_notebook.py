"""Notebook ergonomics: ``Spectrum.plot``, results' ``_repr_html_`` and ``plot``, ``from_dict``
round trips and ``cald.load_results`` on a small results.json (the demo's analyses are checked in
test_pipeline.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import cald
import cald.errors
from cald.errors import DataFileError
from cald.fitting import Estimate, FitResult, FitStatistics, bound_note, derived_bound_note
from cald.fitting.display import Display, key_unit
from cald.project.results import StoredResult
from cald.spectrum import Spectrum


def _ax():
    return Figure().subplots()


# --- Spectrum.plot ------------------------------------------------------------------------------


@pytest.mark.parametrize(("unit", "inverted", "label"), [
    ("ppm", True, "13C δ / ppm"), ("ev", True, "13C binding energy / eV"),
    ("nm", False, "13C wavelength / nm"), ("cm-1", False, "13C wavenumber / cm⁻¹")])
def test_spectrum_plot_axis_direction_and_label(unit, inverted, label):
    spec = Spectrum(np.array([1.0 + 2.0j, 3.0, 0.5]), np.array([3.0, 2.0, 1.0]), unit, "13C")
    ax = spec.plot(_ax(), color="C1")
    assert bool(ax.xaxis_inverted()) is inverted and ax.get_xlabel() == label
    assert list(ax.lines[0].get_ydata()) == [1.0, 3.0, 0.5]  # the real part
    spec.plot(ax)  # a second curve keeps the direction
    assert bool(ax.xaxis_inverted()) is inverted


def test_series_plot_is_stacked_with_the_offset():
    rows = np.array([[0.0, 1.0, 0.0], [0.0, 2.0, 0.0], [0.0, -1.0, 0.0]])
    ax = Spectrum(rows, np.array([2.0, 1.0, 0.0]), "ppm").plot(_ax(), offset=5.0)
    assert [list(line.get_ydata()) for line in ax.lines] == [[0, 1, 0], [5, 7, 5], [10, 9, 10]]
    ax = Spectrum(rows, np.array([2.0, 1.0, 0.0]), "ppm").plot(_ax())
    assert ax.lines[1].get_ydata()[0] == pytest.approx(2.2)  # 1.1 × the largest |value|


def test_plot_without_axes_makes_a_figure():
    import matplotlib.pyplot as plt

    ax = Spectrum(np.ones(4), np.arange(4.0), "s").plot()
    assert ax.get_xlabel() == "time / s"
    plt.close(ax.figure)


# --- _repr_html_ --------------------------------------------------------------------------------


def test_display_reads_pairs_units_estimates_tables_and_statistics():
    d = {"d_hz": 490.0, "d_hz_err": 13.0, "kind<b>": "a & b", "missing": None,
         "params": {"f": {"value": 0.24, "stderr": None, "unit": "", "fixed": True, "note": None}},
         "carboxylate": {"delta_per_cm": 140.0, "delta_per_cm_err": 2.0},
         "peaks": [{"center_ppm": 1.0, "center_ppm_err": 0.1, "label": "<i>x</i>"}],
         "region_ppm": [190.0, 170.5], "curve": list(range(9)),
         "redchi": 0.9, "n_points": 15, "notes": ["σ <estimated>"]}
    shown = Display.from_dict("T", d)
    rows = {r.name: (r.value, r.error, r.unit, r.note) for r in shown.rows}
    assert rows == {"d_hz": (490.0, 13.0, "Hz", None), "kind<b>": ("a & b", None, "", None),
                    "f": (0.24, None, "", "fixed"),
                    "carboxylate.delta_per_cm": (140.0, 2.0, "cm⁻¹", None),
                    "region_ppm": ("190, 170.5", None, "ppm", None)}
    assert shown.tables == {"peaks": [{"center_ppm / ppm": "1.00 ± 0.10", "label": "<i>x</i>"}]}
    assert [r.name for r in shown.statistics] == ["redchi", "n_points"]
    html = shown.html()
    assert "<b>" not in html and "<i>" not in html and "&lt;estimated&gt;" in html
    assert "<td>490</td><td>13</td><td>Hz</td>" in html


@pytest.mark.parametrize(("value", "error", "text"), [
    (490.871, 12.97, ("491", "13")), (0.239876, 0.0026665, ("0.2399", "0.0027")),
    (1.918e9, 2.6e6, ("1.918e+09", "2.6e+06")), (3.0, None, ("3", "")), (2.5, 0.0, ("2.5", "0")),
    ("mono", None, ("mono", ""))])
def test_value_rounded_to_its_error(value, error, text):
    from cald.fitting.display import _pair

    assert _pair(value, error) == text


@pytest.mark.parametrize(("key", "unit"), [("d_hz", "Hz"), ("sigma_mhz", "MHz"), ("f", ""),
                                           ("r_angstrom", "Å"), ("t_ms", "ms"),
                                           ("center_per_cm", "cm⁻¹"), ("diffusion_m2_s", "m²/s")])
def test_key_unit(key, unit):
    assert key_unit(key) == unit


def _fit() -> FitResult:
    stats = FitStatistics.from_chisqr(12.0, 20, 2, sigma_known=False)
    return FitResult(statistics=stats, params={
        "d_hz": Estimate(300.0, 10.0, "Hz", intervals={"ci95_profile": (280.0, None)},
                         name="d_hz"),
        "f": Estimate(1.0, None, "", note=bound_note(0.0, 1.0, "upper"), name="f", bound="upper"),
        "r": Estimate(2.0, None, "Å", note=derived_bound_note(["f"]), name="r", bound="input")},
        notes=("σ estimated",))


def test_fit_result_html_and_no_curves():
    result = _fit()
    html = result._repr_html_()
    assert "<strong>FitResult</strong>" in html and "<td>d_hz</td><td>300</td><td>10</td>" in html
    assert "residual_std" in html and "σ estimated" in html
    with pytest.raises(TypeError, match="no curves"):
        result.plot(_ax())


def test_fit_result_round_trips_through_its_dict():
    result = _fit()
    back = FitResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert back == result  # bounds read back from the notes, intervals as tuples


finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(value=finite, stderr=st.none() | st.floats(0, 1e3), fixed=st.booleans(),
       lo=st.none() | finite, side=st.sampled_from([None, "lower", "upper", "input"]))
def test_estimate_round_trips(value, stderr, fixed, lo, side):
    note = {None: None, "lower": bound_note(0, 1, "lower"), "upper": bound_note(0, 1, "upper"),
            "input": derived_bound_note(["a", "b"])}[side]
    est = Estimate(value, stderr, "Hz", fixed, {"ci95": (lo, 2.0), "other": None}, note, "x",
                   side)
    assert Estimate.from_dict(json.loads(json.dumps(est.to_dict())), "x") == est


@settings(max_examples=30, deadline=None)
@given(chisqr=st.floats(1e-6, 1e6), n=st.integers(3, 500), k=st.integers(1, 3),
       known=st.booleans())
def test_statistics_round_trip(chisqr, n, k, known):
    stats = FitStatistics.from_chisqr(chisqr, n, k, known)
    back = FitStatistics.from_dict(json.loads(json.dumps(stats.to_dict())))
    assert json.dumps(back.to_dict()) == json.dumps(stats.to_dict())
    without_aicc = {k2: v for k2, v in stats.to_dict().items() if k2 != "aicc"}
    assert math.isclose(FitStatistics.from_dict(without_aicc).aicc, stats.aicc) or n - k <= 1


# --- load_results -------------------------------------------------------------------------------


DNP = {"enhancement": 12.0, "enhancement_err": 0.5, "region_ppm": [200.0, 100.0],
       "integral_on": 12.0, "integral_off": 1.0, "integral_on_err": 0.1, "integral_off_err": 0.1,
       "ns_on": 8, "ns_off": 8, "rg_on": 101.0, "rg_off": 101.0, "phc0": 0.0, "phc1": 0.0,
       "on": "on", "off": "off"}


def _results(folder, analyses):
    (folder / "results.json").write_text(json.dumps({"schema_version": 1, "analyses": analyses}),
                                         encoding="utf-8")
    return folder


def test_load_results_small_file(tmp_path):
    entries = [
        {"id": "dnp", "kind": "dnp", "sample": "s", "status": "ok", "result": DNP},
        {"id": "peaks", "kind": "peaks", "sample": None, "status": "ok",
         "result": {"shape": "voigt", "peaks": [{"center_ppm": 1.0, "center_ppm_err": 0.1}]}},
        {"id": "bad", "kind": "quad", "sample": None, "status": "failed", "result": None,
         "error": "x.csv: <no data>"}]
    loaded = cald.load_results(_results(tmp_path, entries) / "results.json")
    assert loaded["dnp"].to_dict() == DNP and loaded["dnp"].region_ppm == (200.0, 100.0)
    assert isinstance(loaded["peaks"], StoredResult)
    assert loaded["peaks"].to_dict() == entries[1]["result"]
    assert "center_ppm / ppm" in loaded["peaks"]._repr_html_()
    assert loaded["bad"].to_dict() == {} and "error: x.csv: &lt;no data&gt;" in \
        loaded["bad"]._repr_html_()


@pytest.mark.parametrize(("content", "message"), [
    (None, "no results.json"), ("{", "not a readable JSON"), ("[1]", "not a cald results"),
    ('{"analyses": [{"id": "d", "kind": "dnp", "status": "ok", "result": {"x": 1}}]}',
     r"analyses\[0\]")])
def test_load_results_bad_file_names_it(tmp_path, content, message):
    if content is not None:
        (tmp_path / "results.json").write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError, match=message) as exc:
        cald.load_results(tmp_path)
    assert str(tmp_path / "results.json") in str(exc.value)


# --- cald.read ----------------------------------------------------------------------------------

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(("content", "fmt"), [
    ("wavelength_nm,absorbance\n400,0.1\n401,0.2\n402,0.3\n", "uvvis"),
    ("wavenumber_cm1,absorbance\n1000,0.1\n1001,0.2\n1002,0.3\n", "ftir"),
    ("binding_energy_ev,counts\n290,10\n289.9,12\n289.8,11\n", "xps"),
    ("ppm,intensity\n3,0.1\n2,0.2\n1,0.3\n", "csv"),
    ("# JASCO export\nXUNITS,1/CM\nYUNITS,ABSORBANCE\nXYDATA\n1000,0.1\n1001,0.2\n1002,0.3\n",
     "ftir"),
    ("ppm,intensity\n1,2\n", "csv"),  # too short to tell from the content: by the suffix
])
def test_detect_refines_tables(tmp_path, content, fmt):
    from cald.nmr.reading import detect

    path = tmp_path / "t.csv"
    path.write_text(content, encoding="utf-8")
    assert detect(path) == fmt


def test_read_dispatches_to_each_format():
    from ase import Atoms

    from cald.io.vamas import read_vamas
    from cald.nmr.reading import read_nmr

    nmr = cald.read(DATA / "bruker" / "xwin_1h", lb_hz=1.0)
    np.testing.assert_array_equal(nmr.values, read_nmr(DATA / "bruker" / "xwin_1h",
                                                       lb_hz=1.0).values)
    assert cald.read(DATA / "ftir" / "pacdec1.jdx").unit == "cm-1"
    assert cald.read(DATA / "uvvis" / "jasco_pbse_batch1.txt").unit == "nm"
    assert isinstance(cald.read(DATA / "models" / "cd_acetate_alme2.extxyz"), Atoms)
    block = read_vamas(DATA / "xps" / "pynx_regular.vms").blocks[0]
    xps = cald.read(DATA / "xps" / "pynx_regular.vms")
    assert xps.unit == "ev" and xps.meta["block"] == block.label
    np.testing.assert_array_equal(xps.axis, block.calibrated_binding_energy_ev)
    np.testing.assert_array_equal(xps.values, block.cps)


def test_read_xps_blocks_by_label_or_index():
    path = DATA / "xps" / "lg4x_kratos_0-150W.vms"
    blocks = cald.read(path)
    assert isinstance(blocks, dict) and list(blocks)[:2] == ["wide", "Ni 2p"]
    assert cald.read(path, block="Ni 2p").meta["block"] == "Ni 2p"
    assert cald.read(path, block=2).meta["block"] == "Ni 2p"
    with pytest.raises(cald.errors.ParameterError, match="blocks: wide, Ni 2p"):
        cald.read(path, block="Cd 3d")


def test_read_refuses_with_the_file_named(tmp_path):
    prose = tmp_path / "notes.md"
    prose.write_text("some words\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="not a format cald reads") as exc:
        cald.read(prose)
    assert str(prose) in str(exc.value)
    with pytest.raises(DataFileError, match="no such file"):
        cald.read(tmp_path / "missing.csv")
    with pytest.raises(cald.errors.ParameterError, match="lb_hz do not apply to ftir"):
        cald.read(DATA / "ftir" / "pacdec1.jdx", lb_hz=3.0)
    with pytest.raises(cald.errors.ParameterError, match="unknown format 'pdf'"):
        cald.read(prose, format="pdf")


def test_read_bruker_without_raw_data_gives_topspins_spectrum(tmp_path):
    from badfiles import _bruker_1d
    from cald.io.bruker import processed_spectrum

    folder = _bruker_1d(tmp_path)
    (folder / "fid").unlink()
    np.testing.assert_array_equal(cald.read(folder).values, processed_spectrum(folder).values)


CASA_EXPORT = DATA / "xps_models" / "FeO_analyzed_lineshapes_BE_CPS.txt"


def test_casa_export_against_casaxps_table():
    """CasaXPS's own export of its Fe 2p fit: the component table as CasaXPS wrote it, each
    component curve on top of the background (the curve minus the background integrates to
    CasaXPS's area within the 4 % its tails beyond the region take)."""
    spec = cald.read(CASA_EXPORT)
    assert spec.unit == "ev" and spec.n_points == 1121 and spec.meta["source_energy_ev"] == 1486.61
    comps = spec.meta["components"]
    assert [(c["position_ev"], c["fwhm_ev"], c["area"]) for c in comps] == [
        (709.05, 3.86, 63507.37), (716.0, 8.0, 35837.06), (722.13, 4.87, 49042.13),
        (729.89, 7.83, 17705.16)]
    assert comps[1]["lineshape"] == "SGL(30)" and spec.meta["envelope"] is None
    for c in comps:
        area = abs(np.trapezoid(c["curve"] - spec.meta["background"], spec.axis))
        assert 0.96 < area / c["area"] < 1.001


def test_casa_export_kinetic_half(tmp_path):
    """The K.E. half of an export (K.E., Counts, components, Background) gives BE = hν − KE."""
    lines = CASA_EXPORT.read_text(encoding="latin-1").splitlines()
    head = lines.index(next(line for line in lines if line.startswith("B.E.")))
    rows = [[float(c) for c in line.split("\t")] for line in lines[head + 1:head + 6]]
    ke = ["K.E.\tCounts\tFe 2p\tFe 2p\tFe 2p\tFe 2p\tBackground"] + [
        "\t".join(f"{v:g}" for v in [1486.61 - r[0], *(2 * x for x in r[1:])]) for r in rows]
    path = tmp_path / "ke.txt"
    path.write_text("\n".join(lines[:head] + ke) + "\n", encoding="latin-1")
    spec = cald.read(path)
    np.testing.assert_allclose(spec.axis, [r[0] for r in rows], atol=1e-9)
    np.testing.assert_allclose(spec.values, [2 * r[1] for r in rows])
    path.write_text("\n".join(lines[2:head] + ke) + "\n", encoding="latin-1")  # no hν line
    with pytest.raises(DataFileError, match="Characteristic Energy"):
        cald.read(path, format="casa")
