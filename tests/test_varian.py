"""Varian/Agilent VnmrJ ``.fid`` folders (``cald.io.varian``) on real data checked against
VnmrJ's own line listing, on synthetic folders (arrays, REDOR pair → curve) and on bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from cald.errors import DataFileError
from cald.io.nmrdata import NmrDataset, detect_raw_format, raw_signal, read_raw
from cald.io.varian import parse_procpar, read_procpar, read_varian, vnmrj_phases
from cald.nmr.processing import pick_peaks, process_fid
from cald.nmr.pseudo2d import respdor_series
from cald.recoupling.redor import respdor_dephasing
from cald.synth.bruker import AcquisitionSetup, Line, lines_fid
from cald.synth.varian import DELAY, INTEGER, STRING, write_varian_experiment

DATA = Path(__file__).parent / "data" / "varian"
SINGLE = DATA / "p31_s2pul_243mhz.fid"
ARRAY = DATA / "p31_nt_array_162mhz.fid"


def _vnmrj_lines(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """VnmrJ's line listing stored in procpar: ppm (llfrq − rfl + rfp)/reffrq and heights."""
    par = read_procpar(folder / "procpar")
    hz = np.array(par["llfrq"].values) - par["rfl"].values[0] + par["rfp"].values[0]
    return hz / par["reffrq"].values[0], np.array(par["llamp"].values)


def _spectrum(folder: Path, row: int | None = None):
    ds = read_varian(folder)
    sig = raw_signal(ds, None if row is None else (row - 1, row))
    if row is not None:
        sig = sig.evolve(sig.values[0], f"row {row}")
    return ds, process_fid(sig, ds.processing)


# --- real data against VnmrJ ------------------------------------------------------------------


@pytest.mark.parametrize(("folder", "row"), [(SINGLE, None), (ARRAY, 4)])
def test_real_axis_and_lines_as_vnmrj_lists_them(folder, row):
    """Our processing with the stored parameters puts the maxima on VnmrJ's listed lines
    (llfrq, on the grid of sw/(fn/2)) to 1e-6 of a point, with VnmrJ's height ratios (llamp)
    to 2e-4: axis, direction, conjugation, lsfid, lb, fn and rp/lp → PHC0/PHC1 all agree."""
    ds, spec = _spectrum(folder, row)
    par = ds.procpar
    assert ds.nucleus == "31P"
    assert ds.carrier_mhz == par["sfrq"].values[0]
    assert ds.sf_mhz == pytest.approx(par["reffrq"].values[0], abs=1e-9)  # VnmrJ's own reffrq
    ppm, amp = _vnmrj_lines(folder)
    step = abs(spec.axis[1] - spec.axis[0])
    idx = [int(np.argmin(abs(spec.axis - x))) for x in ppm]
    np.testing.assert_allclose((spec.axis[idx] - ppm) / step, 0.0, atol=1e-6)
    # each listed line is a maximum of our spectrum
    y = spec.values.real
    assert all(y[i] >= max(y[i - 1], y[i + 1]) for i in idx)
    np.testing.assert_allclose(y[idx] / y[idx].max(), amp / amp.max(), rtol=2e-4, atol=2e-5)
    picked = [p.ppm for p in pick_peaks(spec, min_snr=20)]
    assert any(abs(p - ppm[np.argmax(amp)]) < 1e-9 for p in picked)


def test_real_header_and_parameters():
    ds = read_varian(SINGLE)
    assert isinstance(ds, NmrDataset) and detect_raw_format(SINGLE) == "varian"
    assert ds.shape == (16384,) and not ds.is_series
    assert ds.layout.dtype == np.dtype(">f4") and ds.layout.lsfid == -3
    assert ds.processing.size == 16384 and ds.processing.window == "exponential"
    assert ds.processing.lb_hz == 10.0
    assert ds.scans == 1000 and ds.receiver_gain == pytest.approx(10 ** (50 / 20))
    assert ds.title == "STANDARD PHOSPHORUS PARAMETERS"  # VnmrJ's text file
    assert ds.raw[:3].tolist() == [0, 0, 0]  # lsfid = −3: three zeros in front
    arr = read_varian(ARRAY / "fid")  # the fid file itself names the folder too
    assert arr.layout.dtype == np.dtype(">i4") and arr.shape == (4, 15542) and arr.is_series
    assert arr.arrays["nt"].unit == "" and arr.arrays["nt"].values.tolist() == [12] * 4
    assert arr.read_rows(3, 4).shape == (1, 15542)
    np.testing.assert_array_equal(arr.read_rows(1, 3), arr.raw[1:3])


def test_vnmrj_phase_mapping():
    """PHC0 = −(rp + lp), PHC1 = lp (the alternatives do not reproduce VnmrJ's heights, see
    the real-data test)."""
    assert vnmrj_phases(-171.4, 749.3) == (pytest.approx(-577.9), 749.3)


# --- procpar parsing -----------------------------------------------------------------------------


def test_procpar_strings_flags_and_inactive(tmp_path):
    text = ('seqfil 2 2 8 0 0 2 1 0 1 64\n1 "redor"\n0 \n'
            'dephase 4 2 2 0 0 2 1 0 1 64\n2 "n"\n"y"\n2 "n" "y" \n'
            'lb 1 1 1e6 -1e6 0 3 1 1 0 64\n1 10 \n0 \n'
            'comment 2 2 8 0 0 2 1 0 1 64\n1 "say \\"hi\\"\nthere"\n0 \n')
    par = parse_procpar(text, tmp_path / "procpar")
    assert par["seqfil"].values == ("redor",)
    assert par["dephase"].values == ("n", "y") and par["dephase"].subtype == 4
    assert par["lb"].values == (10.0,) and not par["lb"].active
    assert par["comment"].values == ('say "hi"\nthere',)


@pytest.mark.parametrize(("text", "message"), [
    ("sw 1 1 1 1 1 2 1 0 1 64\n", "no values"),
    ("sw 1 1 1 1 1 2 1 0 1 64\n3 1 2\n", "2 of 3 values"),
    ('tn 2 2 8 0 0 2 1 0 1 64\n1 "C13\n', "string not closed"),
    ("sw 1 1 1 1 1 2 1 0 1 64\n1 x\n0\n", "not numbers"),
    ("sw 1 1\n", "not a parameter header"),
    ("sw 1 1 1 1 1 2 1 0 1 64\n1 5\n", "enumeration line missing"),
])
def test_procpar_damaged(tmp_path, text, message):
    with pytest.raises(DataFileError, match=message):
        parse_procpar(text, tmp_path / "procpar")


# --- synthetic folders: arrays and the REDOR pair -------------------------------------------------

MAS_HZ = 10_000.0
SETUP = AcquisitionSetup("13C", sw_hz=50_000.0, td=2048, carrier_ppm=100.0, ns=64, rg=32.0,
                         pulse_program="redor", mas_hz=MAS_HZ, group_delay=0.0)
COUNTS = [4, 8, 16, 24, 32]
D_HZ, F = 650.0, 0.8
LINES = [Line(175.0, 1.0, 60.0), Line(30.0, 1.5, 60.0)]


def _write(folder: Path, dephased: bool, noise_sd: float = 0.0) -> Path:
    rows = []
    for n in COUNTS:
        s = 1.0 - float(respdor_dephasing(n / MAS_HZ, D_HZ, F, 1.5)) if dephased else 1.0
        rows.append(lines_fid(SETUP, [Line(175.0, s, 60.0), LINES[1]]))
    return write_varian_experiment(folder, SETUP, np.array(rows), noise_sd=noise_sd,
                                   arrays={"ncyc": (INTEGER, COUNTS)}, int_scale=1e6)


@pytest.fixture(scope="module")
def redor_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("varian")
    return _write(root / "s.fid", True), _write(root / "s0.fid", False)


def test_synthetic_axis_and_arrays(redor_pair):
    s, _ = redor_pair
    ds = read_raw(s)
    assert ds.vendor == "varian" and ds.nucleus == "13C" and ds.shape == (5, 1024)
    assert ds.rotor_period_s == pytest.approx(1e-4)
    assert ds.arrays["ncyc"].unit == "count" and ds.arrays["ncyc"].values.tolist() == COUNTS
    spec = process_fid(raw_signal(ds, (0, 1)).evolve(ds.read_rows(0, 1)[0], "row 1"),
                       ds.processing)
    peaks = sorted(p.ppm for p in pick_peaks(spec, min_snr=10)[:2])  # noise-free: the tallest
    step = abs(spec.axis[1] - spec.axis[0])
    assert peaks == pytest.approx([30.0, 175.0], abs=0.51 * step)


def test_redor_pair_to_curve(redor_pair):
    """An arrayed S experiment and a separate S0 experiment: times = ncyc × 1/srate, and
    ΔS/S0 is the dephasing the rows were written with."""
    s, s0 = redor_pair
    curve = respdor_series(read_raw(s), (185.0, 165.0), reference=read_raw(s0))
    np.testing.assert_allclose(curve.t_s, np.array(COUNTS) / MAS_HZ)
    assert curve.times_from.startswith("ncyc (5 loop counts")
    expected = respdor_dephasing(np.array(COUNTS) / MAS_HZ, D_HZ, F, 1.5)
    np.testing.assert_allclose(1 - curve.s / curve.s0, expected, atol=2e-3)


def test_joint_and_nested_arrays(tmp_path):
    """``(a,b)`` arrayed jointly, ``a,b`` nested with the last varying fastest; string flags
    kept apart; the number of FIDs must match."""
    fids = np.array([lines_fid(SETUP, LINES)] * 6)
    folder = write_varian_experiment(tmp_path / "a.fid", SETUP, fids,
                                     arrays={"d2": (DELAY, [0.1, 0.2, 0.3]),
                                             "dephase": (STRING, ["n", "y"])})
    ds = read_varian(folder)
    assert ds.arrays["d2"].values.tolist() == [0.1, 0.1, 0.2, 0.2, 0.3, 0.3]
    assert ds.arrays["d2"].unit == "s" and ds.array_flags["dephase"] == ("n", "y") * 3
    folder = write_varian_experiment(tmp_path / "b.fid", SETUP, fids[:3],
                                     arrays={"ncyc": (INTEGER, [2, 4, 6]),
                                             "d2": (DELAY, [1, 2, 3])})
    text = (folder / "procpar").read_text().replace('"ncyc,d2"', '"(ncyc,d2)"')
    (folder / "procpar").write_text(text)
    assert read_varian(folder).arrays["d2"].values.tolist() == [1, 2, 3]
    (folder / "procpar").write_text(text.replace('"(ncyc,d2)"', '"ncyc,d2"'))
    with pytest.raises(DataFileError, match=r"gives 9 FIDs \(3 × 3\), but the fid holds 3"):
        read_varian(folder)
    # a 2D experiment: the increments ni are the outermost loop, the phase array inside
    folder = write_varian_experiment(tmp_path / "c.fid", SETUP, fids,
                                     arrays={"phase": (INTEGER, [1, 2])},
                                     extra={"ni": (INTEGER, [3])})
    phase = read_varian(folder).arrays["phase"]
    assert phase.values.tolist() == [1, 2] * 3 and phase.unit == ""


# --- bad input --------------------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SINGLE, tmp_path / "x.fid"))


def _drop(procpar: Path, *names: str) -> None:
    lines = procpar.read_text(encoding="latin-1").split("\n")
    out, i = [], 0
    while i < len(lines):
        if lines[i].split()[:1] and lines[i].split()[0] in names and len(lines[i].split()) == 11:
            i += 3
            continue
        out.append(lines[i])
        i += 1
    procpar.write_text("\n".join(out), encoding="latin-1")


def test_procpar_without_needed_keys(tmp_path):
    folder = _copy(tmp_path)
    _drop(folder / "procpar", "tn", "sw")
    with pytest.raises(DataFileError, match="procpar lacks tn, sw"):
        read_varian(folder)


def test_truncated_fid(tmp_path):
    folder = _copy(tmp_path)
    data = (folder / "fid").read_bytes()
    (folder / "fid").write_bytes(data[:-100])
    with pytest.raises(DataFileError, match="the header says 1 blocks"):
        read_varian(folder)
    (folder / "fid").write_bytes(data[:20])
    with pytest.raises(DataFileError, match="shorter than the 32-byte file header"):
        read_varian(folder)


def test_two_formats_in_one_folder_cli(tmp_path, capsys):
    from cald.cli.app import main

    folder = _copy(tmp_path)
    (folder / "acqus").write_text("##$TD= 4\n", encoding="ascii")
    assert main(["nmr", "process", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1
    assert "looks like bruker and varian data at once" in err


@pytest.mark.slow
def test_cli_process_row_and_extract(redor_pair, tmp_path, capsys):
    from cald.cli.app import main

    assert main(["nmr", "process", str(ARRAY), "--row", "4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["nucleus"] == "31P" and out["n_points"] == 16384
    ppm, amp = _vnmrj_lines(ARRAY)
    assert out["peaks"][0]["ppm"] == pytest.approx(ppm[np.argmax(amp)], abs=1e-9)
    assert main(["nmr", "process", str(ARRAY)]) == 2
    assert "a varian array of 4 rows; choose one with --row N" in capsys.readouterr().err
    s, s0 = redor_pair
    csv = tmp_path / "curve.csv"
    assert main(["respdor", "extract", str(s), "--reference", str(s0), "--region", "185:165",
                 "--out", str(csv), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["t_ms"] == pytest.approx([c / 10 for c in COUNTS])
    assert main(["respdor", "fit", str(csv), "--spin", "1.5", "--bootstrap", "0", "--json"]) == 0
    fit = json.loads(capsys.readouterr().out)
    assert fit["d_hz"] == pytest.approx(D_HZ, rel=0.02)


# --- everything downstream --------------------------------------------------------------------


def _single(folder: Path, scale: float, d1_s: float = 3.0) -> Path:
    from dataclasses import replace

    setup = replace(SETUP, d1_s=d1_s)
    return write_varian_experiment(folder, setup, lines_fid(setup, LINES) * scale,
                                   noise_sd=0.002, seed=int(scale), int_scale=1e6)


def test_dnp_enhancement_of_a_varian_pair(tmp_path):
    from cald.nmr.dnp import dnp_enhancement

    on, off = _single(tmp_path / "on.fid", 12.0), _single(tmp_path / "off.fid", 1.0)
    result = dnp_enhancement(read_raw(on), read_raw(off), (185.0, 165.0))
    assert result.enhancement == pytest.approx(12.0, rel=0.01)
    assert result.ns_on == 64 and result.rg_on == pytest.approx(32.0)
    other = _single(tmp_path / "other.fid", 1.0, d1_s=1.0)
    with pytest.raises(DataFileError, match=r"d1 \(3.0 vs 1.0\)"):
        dnp_enhancement(read_raw(on), read_raw(other), (185.0, 165.0))


@pytest.mark.slow
def test_lineshape_fit_of_a_varian_spectrum(tmp_path):
    from cald.lineshape.options import PeaksFitOptions

    opts = PeaksFitOptions.model_validate({"region": "200:150", "n_peaks": 1,
                                           "shape": "lorentzian"})
    result = opts.fit(opts.read(_single(tmp_path / "one.fid", 1.0)))
    peak = result.to_dict()["peaks"][0]
    assert peak["center_ppm"] == pytest.approx(175.0, abs=0.02)


@pytest.mark.slow
def test_project_with_varian_data(redor_pair, tmp_path):
    """kind = "varian" and a kind left out (detected) run like Bruker data sets."""
    from cald.project.pipeline import run_project

    s, s0 = redor_pair
    project = tmp_path / "project.toml"
    project.write_text(f'''[project]
name = "varian"
[[samples]]
name = "A"
cycles = 1
[[datasets]]
id = "s"
path = "{s}"
kind = "varian"
sample = "A"
[[datasets]]
id = "s0"
path = "{s0}"
sample = "A"
[[datasets]]
id = "p31"
path = "{SINGLE}"
kind = "varian"
[[analyses]]
id = "redor"
kind = "respdor"
inputs = ["s", "s0"]
[analyses.parameters]
spin = 1.5
region = [185, 165]
bootstrap = 0
[[analyses]]
id = "p31"
kind = "nmr"
inputs = ["p31"]
''', encoding="utf-8")
    run_project(project, tmp_path / "out")
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    by_id = {a["id"]: a for a in results["analyses"]}
    assert by_id["redor"]["status"] == "ok" and by_id["p31"]["status"] == "ok"
    assert by_id["redor"]["result"]["d_hz"] == pytest.approx(D_HZ, rel=0.02)
    ppm, amp = _vnmrj_lines(SINGLE)
    assert by_id["p31"]["result"]["peaks"][0]["ppm"] == pytest.approx(ppm[np.argmax(amp)],
                                                                      abs=1e-9)


def test_interleaved_s0_s_array(tmp_path):
    """One array ``ncyc,dephase``: S0 and S alternate (the flag fastest); one time per pair."""
    rows = []
    for n in COUNTS:
        s = 1.0 - float(respdor_dephasing(n / MAS_HZ, D_HZ, F, 1.5))
        rows += [lines_fid(SETUP, LINES), lines_fid(SETUP, [Line(175.0, s, 60.0), LINES[1]])]
    folder = write_varian_experiment(tmp_path / "pairs.fid", SETUP, np.array(rows),
                                     arrays={"ncyc": (INTEGER, COUNTS),
                                             "dephase": (STRING, ["n", "y"])}, int_scale=1e6)
    ds = read_raw(folder)
    assert ds.array_flags["dephase"] == ("n", "y") * len(COUNTS)
    curve = respdor_series(ds, (185.0, 165.0))
    np.testing.assert_allclose(curve.t_s, np.array(COUNTS) / MAS_HZ)
    expected = respdor_dephasing(np.array(COUNTS) / MAS_HZ, D_HZ, F, 1.5)
    np.testing.assert_allclose(1 - curve.s / curve.s0, expected, atol=2e-3)
