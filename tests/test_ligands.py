"""Ligand density from quantitative 1H NMR (cald.qd.ligands, ``cald ligands density``, kind
``ligands``): known answers on synthetic Bruker data, the bound/free separation, the errors
against a brute-force Monte Carlo, the d1 check, a real qNMR data set and every bad input."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from cald.errors import InputError, ParameterError
from cald.io.table import write_table
from cald.io.uvvis import read_uvvis
from cald.project.analyses import MissingParameter, get_kind
from cald.qd.ligands import QdSolution, ligand_density, relaxation_check, standard_signal
from cald.qd.options import LigandDensityOptions
from cald.qd.standards import STANDARDS
from cald.spectrum import Spectrum
from cald.synth.solution import write_ligand_qnmr, write_ligand_uvvis
from test_cli import assert_clean_error, run, run_json

QD_UM, LIGANDS, D_NM, FREE = 40.0, 85.0, 2.3, 0.04
#: Ligands per nm² of 85 per QD of 2.3 nm; the study's 5.3 nm⁻² and ≈ 85 per QD go together
#: for d ≈ 2.26 nm (both numbers rounded).
DENSITY = LIGANDS / (math.pi * D_NM**2)
BOUND_MM = LIGANDS * QD_UM * 1e-3
FREE_MM = BOUND_MM * FREE / (1 - FREE)


@pytest.fixture(scope="module")
def qnmr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's kind of spectrum: 40 µM QDs, 85 bound oleates each, 4 % free, CH2Br2 2 mM."""
    return write_ligand_qnmr(tmp_path_factory.mktemp("qnmr") / "1", qd_um=QD_UM,
                             ligands_per_qd=LIGANDS, free_fraction=FREE, standard_mm=2.0,
                             noise_sd=0.1, seed=11)


def opts(**kw: object) -> LigandDensityOptions:
    return LigandDensityOptions.model_validate({"standard": "CH2Br2", "standard_mm": 2.0, **kw})


# --- known answers ----------------------------------------------------------------------------


def test_known_answer_ligands_per_qd_and_per_nm2(qnmr):
    o = opts(qd_um=QD_UM, diameter_nm=D_NM)
    r = o.density(o.read(qnmr))
    assert r.relaxation.ok is True and r.relaxation.d1_s == 30.0
    n, n_err = r.ligands_per_qd.value, r.ligands_per_qd.stderr
    assert 0 < n_err < 0.05 * n
    assert abs(n - LIGANDS) < 2 * n_err, (n, n_err)
    rho = r.ligands_per_nm2
    assert rho.value == pytest.approx(n / (math.pi * D_NM**2))
    assert abs(rho.value - DENSITY) < 2 * rho.stderr
    assert abs(r.bound_mol_l.value * 1e3 - BOUND_MM) < 2 * r.bound_mol_l.stderr * 1e3
    assert abs(r.free_mol_l.value * 1e3 - FREE_MM) < 2 * r.free_mol_l.stderr * 1e3 + 0.02 * FREE_MM
    assert r.free_fraction.value == pytest.approx(FREE, abs=0.003)
    assert r.total_mol_l.value == pytest.approx(r.bound_mol_l.value + r.free_mol_l.value)


def test_qd_from_the_uvvis_of_the_same_solution(qnmr, tmp_path):
    csv = write_ligand_uvvis(tmp_path / "uv.csv", exciton_nm=495.0, qd_um=QD_UM, path_cm=1.0,
                             dilution=10.0, seed=2)
    o = opts(path_cm=1.0, dilution=10.0, qd_rel_err=0.1)
    r = o.density(o.read(qnmr), o.size_uvvis(read_uvvis(csv)))
    assert r.qd.diameter_nm == pytest.approx(D_NM, abs=0.01)
    assert r.qd.mol_l * 1e6 == pytest.approx(QD_UM, rel=0.03)
    assert abs(r.ligands_per_qd.value - LIGANDS) < r.ligands_per_qd.stderr
    assert r.ligands_per_qd.stderr / r.ligands_per_qd.value > 0.1  # the 10 % of c_QD included
    exciton = re.search(r"UV-vis .*uv\.csv: exciton ([0-9.]+) nm", r.qd.source)
    assert exciton and float(exciton[1]) == pytest.approx(495.0, abs=0.3)


def test_bound_and_free_are_told_apart_by_width(qnmr, tmp_path):
    o = opts(qd_um=QD_UM)
    r = o.density(o.read(qnmr))
    widths = {lab: pk.fwhm * r.sf_mhz for lab, pk in zip(r.labels, r.fit.peaks, strict=True)}
    assert set(widths) == {"bound", "free"}
    assert widths["bound"] == pytest.approx(60.3, rel=0.05)  # 60 Hz + 0.3 Hz line broadening
    assert widths["free"] < 5
    # all lines counted free when the threshold lies above the broad line: no bound oleate
    o = opts(qd_um=QD_UM, free_max_fwhm_hz=100.0)
    r = o.density(o.read(qnmr))
    assert r.labels == ("free", "free") and r.bound_mol_l.value == 0
    assert r.ligands_per_qd.value == 0 and any("no bound oleate" in n for n in r.notes)
    # pristine QDs without free oleic acid: one broad line, no free oleate
    clean = write_ligand_qnmr(tmp_path / "clean", qd_um=QD_UM, ligands_per_qd=LIGANDS,
                              free_fraction=0.0, noise_sd=0.1, seed=12)
    o = opts(qd_um=QD_UM, n_peaks=1)
    r = o.density(o.read(clean))
    assert r.labels == ("bound",) and r.free_mol_l.value == 0
    assert r.bound_fraction.value == 1.0
    assert abs(r.ligands_per_qd.value - LIGANDS) < 2 * r.ligands_per_qd.stderr


def test_reversed_axis_gives_the_same_numbers(qnmr):
    o = opts(qd_um=QD_UM, diameter_nm=D_NM)
    spec = o.read(qnmr)
    flipped = spec.evolve(spec.values[::-1].copy(), "axis reversed", axis=spec.axis[::-1].copy())
    a, b = o.density(spec), o.density(flipped)
    assert b.ligands_per_qd.value == pytest.approx(a.ligands_per_qd.value, rel=1e-6)
    assert b.ligands_per_qd.stderr == pytest.approx(a.ligands_per_qd.stderr, rel=0.02)


def test_csv_spectrum_needs_the_field_and_gives_the_same_numbers(qnmr, tmp_path):
    o = opts(qd_um=QD_UM, diameter_nm=D_NM)
    spec = o.read(qnmr)
    bruker = o.density(spec)
    csv = write_table(tmp_path / "h1.csv", {"ppm": spec.axis, "intensity": spec.real()})
    with pytest.raises(ParameterError, match="--field-1h-mhz"):
        o.density(o.read(csv))
    o = opts(qd_um=QD_UM, diameter_nm=D_NM, field_1h_mhz=400.13)
    r = o.density(o.read(csv))
    assert r.ligands_per_qd.value == pytest.approx(bruker.ligands_per_qd.value, rel=1e-4)
    assert r.relaxation.ok is None and any("d1 is not known" in n for n in r.notes)


# --- errors against a brute-force Monte Carlo ---------------------------------------------------

SF = 400.0
AXIS = np.arange(12.0, -2.0, -0.001)


def _lorentz(x: np.ndarray, center: float, fwhm_hz: float, area: float) -> np.ndarray:
    half = fwhm_hz / SF / 2
    return area / np.pi * half / ((x - center) ** 2 + half**2)


def _noisy(rng: np.random.Generator, sigma: float) -> Spectrum:
    clean = (_lorentz(AXIS, 3.9, 1.5, 4.0) + _lorentz(AXIS, 5.60, 60.0, 6.8)
             + _lorentz(AXIS, 5.47, 3.0, 0.28))
    return Spectrum(clean + rng.normal(0.0, sigma, AXIS.size), AXIS.copy(), "ppm", "1H", SF)


def test_errors_match_a_brute_force_monte_carlo():
    """The reported error of ligands per QD, of the bound fraction and of the standard's
    integral against their spread over 120 noise realisations (white noise, exact lines)."""
    rng = np.random.default_rng(7)
    std = standard_signal("CH2Br2")
    qd = QdSolution(40e-6, 0.0, D_NM)
    runs = [ligand_density(_noisy(rng, 2.0), std, 2e-3, qd=qd) for _ in range(120)]
    n = np.array([r.ligands_per_qd.value for r in runs])
    n_err = np.mean([r.ligands_per_qd.stderr for r in runs])
    assert np.std(n, ddof=1) == pytest.approx(n_err, rel=0.25)
    assert abs(np.mean(n) - 85.0) < 3 * n_err
    frac = np.array([r.bound_fraction.value for r in runs])
    assert np.std(frac, ddof=1) == pytest.approx(np.mean([r.bound_fraction.stderr for r in runs]),
                                                 rel=0.25)
    i_std = np.array([r.standard_integral.value for r in runs])
    assert np.std(i_std, ddof=1) == pytest.approx(
        np.mean([r.standard_integral.stderr for r in runs]), rel=0.3)


def test_given_relative_errors_add_in_quadrature_as_sampling_says():
    """c_std and c_QD errors: the propagated error against sampling the formula."""
    spec = _noisy(np.random.default_rng(3), 0.5)
    std = standard_signal("CH2Br2")
    base = ligand_density(spec, std, 2e-3, qd=QdSolution(40e-6, 0.0, D_NM))
    r = ligand_density(spec, std, 2e-3, qd=QdSolution(40e-6, 0.08, D_NM), standard_rel_err=0.03)
    rng = np.random.default_rng(4)
    rel_nmr = base.ligands_per_qd.stderr / base.ligands_per_qd.value
    samples = (base.ligands_per_qd.value * (1 + rel_nmr * rng.standard_normal(200_000))
               * (1 + 0.03 * rng.standard_normal(200_000))
               / (1 + 0.08 * rng.standard_normal(200_000)))
    assert r.ligands_per_qd.value == pytest.approx(base.ligands_per_qd.value)
    assert r.ligands_per_qd.stderr == pytest.approx(np.std(samples), rel=0.03)


# --- the d1 check -----------------------------------------------------------------------------


def test_relaxation_check():
    assert relaxation_check(30.0).ok is True and relaxation_check(30.0).required_s == 15.0
    short = relaxation_check(2.0)
    assert short.ok is False and "shorter than 5 T1 = 15 s" in short.note
    assert "typical" in short.t1_source
    assert relaxation_check(2.0, t1_s=0.3).ok is True
    assert relaxation_check(None).ok is None and "not known" in relaxation_check(None).note


def test_short_d1_warns_in_the_result_and_on_the_command_line(tmp_path, capsys):
    fast = write_ligand_qnmr(tmp_path / "fast", qd_um=QD_UM, ligands_per_qd=LIGANDS, d1_s=2.0,
                             noise_sd=0.1, seed=13)
    argv = ["ligands", "density", fast, "--standard", "CH2Br2", "--standard-mm", 2, "--qd-um",
            QD_UM, "--json"]
    code, out, err = run(capsys, argv)
    assert code == 0 and err.startswith("warning: d1 = 2 s is shorter than 5 T1 = 15 s")
    d = json.loads(out)
    assert d["d1_check"] == {"d1_s": 2.0, "t1_s": 3.0, "required_s": 15.0, "ok": False,
                             "t1_source": d["d1_check"]["t1_source"]}
    assert any("not quantitative" in n for n in d["notes"])
    code, out, err = run(capsys, [*argv, "--t1-s", 0.3])
    assert code == 0 and err == "" and json.loads(out)["d1_check"]["ok"] is True


# --- command line -----------------------------------------------------------------------------


def test_cli_json_keys_and_plot(qnmr, tmp_path, capsys):
    out = run_json(capsys, ["ligands", "density", qnmr, "--standard", "CH2Br2", "--standard-mm",
                            2, "--qd-um", QD_UM, "--diameter-nm", D_NM, "--qd-rel-err", 0.1,
                            "--plot", tmp_path / "alkene.svg"])
    for key in ("ligands_per_qd", "ligands_per_qd_err", "ligands_per_nm2", "ligands_per_nm2_err",
                "bound_mm", "bound_mm_err", "free_mm", "free_mm_err", "bound_fraction",
                "bound_fraction_err", "free_fraction", "free_fraction_err", "standard", "d1_check",
                "qd_um", "diameter_nm", "alkene", "notes"):
        assert key in out, key
    assert out["standard"]["name"] == "CH2Br2" and out["standard"]["protons"] == 2
    assert abs(out["ligands_per_qd"] - LIGANDS) < out["ligands_per_qd_err"]
    assert (tmp_path / "alkene.svg").stat().st_size > 0
    # a user's standard: CH2Br2 again, given by its protons and region
    user = run_json(capsys, ["ligands", "density", qnmr, "--standard-protons", 2,
                             "--standard-region", "3.5:4.3", "--standard-mm", 2, "--qd-um",
                             QD_UM])
    assert user["ligands_per_qd"] == pytest.approx(out["ligands_per_qd"])
    assert user["ligands_per_nm2"] is None and user["standard"]["name"] == "user"


@pytest.mark.parametrize("args,fragment", [
    (["--standard-mm", 0], "--standard-mm must be positive"),
    (["--standard-mm", -2], "--standard-mm must be positive"),
    (["--qd-um", 0], "--qd-um must be positive"),
    (["--diameter-nm", -1], "--diameter-nm must be positive"),
    (["--standard", "TMS"], "--standard must be one of CH2Br2, ferrocene, TMB, TMB-OMe"),
    (["--solvent", "D2O"], "--solvent must be one of"),
    (["--standard-region", "50:40"], "standard region 50:40 ppm lies outside the spectrum"),
    (["--region", "30:25"], "alkene region 30:25 ppm lies outside the spectrum"),
    (["--standard-region", "10:9"], "no signal in the standard region 10:9 ppm"),
    (["--path-cm", 1], "--path-cm needs a UV-vis spectrum"),
    (["--qd-rel-err", -0.1], "--qd-rel-err must be ≥ 0"),
    (["--t1-s", 0], "--t1-s must be positive"),
    (["--plot", "fit.gif"], "--plot"),
])
def test_cli_bad_inputs(qnmr, capsys, args, fragment):
    argv = ["ligands", "density", qnmr, "--standard", "CH2Br2", "--standard-mm", 2, *args]
    if "--standard-mm" in args:
        argv = ["ligands", "density", qnmr, "--standard", "CH2Br2", *args]
    code, out, err = run(capsys, argv)
    assert_clean_error(code, out, err, fragment)
    if "outside" in fragment or "no signal" in fragment:
        assert str(qnmr) in err  # names the file


def test_cli_standard_missing(qnmr, capsys):
    argv = ["ligands", "density", qnmr, "--standard-mm", 2, "--standard-protons", 2]
    assert_clean_error(*run(capsys, argv), "or give --standard-protons and --standard-region")


def test_cli_bad_uvvis_inputs(qnmr, tmp_path, capsys):
    csv = write_ligand_uvvis(tmp_path / "uv.csv", exciton_nm=495.0, qd_um=QD_UM, seed=2)
    base = ["ligands", "density", qnmr, "--standard", "CH2Br2", "--standard-mm", 2, "--uvvis", csv]
    assert_clean_error(*run(capsys, [*base, "--path-cm", 0]), "--path-cm must be positive")
    assert_clean_error(*run(capsys, [*base, "--path-cm", 1, "--qd-um", 40]), "not both")
    flat = write_table(tmp_path / "flat.csv", {"wavelength_nm": np.arange(400.0, 700.0),
                                               "absorbance": np.full(300, 0.3)})
    assert_clean_error(*run(capsys, [*base[:-1], flat, "--path-cm", 1]), "flat.csv: no exciton")


def test_standard_table_and_user_standards():
    assert {k: s.protons for k, s in STANDARDS.items()} == {
        "CH2Br2": 2, "ferrocene": 10, "TMB": 3, "TMB-OMe": 9}
    fc = standard_signal("ferrocene", "CDCl3")
    assert fc.protons == 10 and fc.region_ppm == pytest.approx((4.56, 3.76))
    assert standard_signal("ferrocene", protons=5).protons == 5
    with pytest.raises(ParameterError, match="known: CH2Br2"):
        standard_signal(None)


# --- the analysis kind ------------------------------------------------------------------------


def test_kind_with_uvvis_input(qnmr, tmp_path):
    kind = get_kind("ligands")
    params = kind.parse_parameters({"standard": "CH2Br2", "standard_mm": 2.0, "path_cm": 1.0,
                                    "dilution": 10.0}, "analyses[0]", tmp_path / "p.toml")
    kind.check_inputs(["bruker", "csv"], params)
    with pytest.raises(InputError, match=r"analyses\[0\]\.parameters: standard must be one of"):
        kind.parse_parameters({"standard": "TMS", "standard_mm": 2.0}, "analyses[0]",
                              tmp_path / "p.toml")
    with pytest.raises(MissingParameter, match="second input"):
        kind.check_inputs(["bruker"], params)
    with pytest.raises(MissingParameter, match="UV-vis CSV"):
        kind.check_inputs(["bruker", "jcamp"], params)
    csv = write_ligand_uvvis(tmp_path / "uv.csv", exciton_nm=495.0, qd_um=QD_UM, path_cm=1.0,
                             dilution=10.0, seed=2)
    out = kind.run([qnmr, csv], params, {"name": "CdSe", "cycles": 0})
    res = out.result
    assert abs(res["ligands_per_qd"] - LIGANDS) < 2 * res["ligands_per_qd_err"]
    assert res["uvvis"]["diameter_nm"] == pytest.approx(D_NM, abs=0.01)
    labels = dict(kind.key_numbers(res))
    assert labels["d1"] == "30 s (≥ 5 T1 = 15 s)" and "±" in labels["ligands per QD"]
    analysis = {"id": "lig", "sample": "CdSe", "result": res}
    statements = kind.mechanism(analysis, {"name": "CdSe"})
    assert [s.unit for s in statements] == ["per QD", "nm⁻²", "nm", "µM"]
    (table,) = kind.tables([analysis], {"CdSe": 0})
    assert table.rows[0][0].startswith("CdSe") and len(table.rows[0]) == len(table.header)
    assert out.figures and out.figures[0].name == "alkene"


# --- real data --------------------------------------------------------------------------------

SUCROSE = Path(__file__).parent / "data" / "bruker" / "sucrose_1h_600"


def test_real_qnmr_sucrose_against_dss(capsys):
    """Bruker's standard sample "2 mM sucrose, 0.5 mM DSS" (600 MHz, zg30, D1 = 1 s; nmrXiv P52,
    CC0; see tests/data/ligands/README.md): the glucose anomeric H1 doublet (1 H, 5.34 ppm as
    referenced in the data set) against the DSS methyl singlet (9 H, −0.06 ppm). The doublet sits
    on the tail of the unsuppressed water line and d1 is short: within 20 % of the label (the
    README says why), and the d1 warning fires."""
    code, out, err = run(capsys, ["ligands", "density", SUCROSE, "--standard-protons", 9,
                                  "--standard-region", "0.05:-0.15", "--standard-mm", 0.5,
                                  "--ligand-protons", 1, "--region", "5.42:5.26", "--json"])
    assert code == 0 and err.startswith("warning: d1 = 1 s is shorter than 5 T1")
    out = json.loads(out)
    peaks = out["alkene"]["peaks"]
    assert [p["label"] for p in peaks] == ["free", "free"]  # two sharp lines: the doublet
    assert abs(abs(peaks[0]["center_ppm"] - peaks[1]["center_ppm"]) * 600.14 - 3.8) < 0.3  # ³J
    assert out["total_mm"] == pytest.approx(2.0, rel=0.2)
    assert out["d1_check"]["d1_s"] == 1.0 and out["d1_check"]["ok"] is False
