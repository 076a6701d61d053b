"""``cald nmr process``, ``cald nmr enhancement`` and ``cald respdor extract`` run in-process:
JSON contracts on real Bruker sets, JCAMP-DX and CSV input, output files, the
extract → fit pipeline, the clean-error contract for bad input (exit 2, one ``error:`` line naming
the file or option, nothing on stdout, no output file) and raw data never being modified."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from cald.io.bruker import processed_spectrum
from cald.io.jcamp import read_jcamp
from cald.io.table import read_table
from cald.nmr.processing import pick_peaks
from cald.recoupling.data import read_dephasing_csv
from cald.recoupling.redor import respdor_dephasing
from cald.synth.nmr_sets import write_dnp_pair, write_respdor_series
from test_cli import assert_clean_error, run, run_json
from test_pseudo2d import T_S, respdor_rows, write_series

BRUKER = Path(__file__).parent / "data" / "bruker"
JCAMP = Path(__file__).parent / "data" / "jcamp"
REAL_SETS = {"sucrose_1h_600": ("1H", 600.14), "xwin_13c": ("13C", 150.9027),
             "xwin_1h": ("1H", 600.13)}
REGION = "190:178"
D_HZ, F = 503.0, 0.24


# --- data ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo's synthetic RESPDOR series and DNP pair, and the other series layouts."""
    root = tmp_path_factory.mktemp("synth")
    on, off = write_dnp_pair(root / "on", root / "off", enhancement=33.0, seed=20221)
    s0, s = respdor_rows(T_S)
    s_first = np.empty((2 * len(T_S), s0.shape[1]), dtype=complex)
    s_first[0::2], s_first[1::2] = s, s0
    return {
        "series": write_respdor_series(root / "series", D_HZ, F, list(range(2, 31, 2)),
                                       mas_hz=10_000.0, noise_sd=0.004, seed=20221),
        "on": on, "off": off,
        "s_first": write_series(root / "s_first", s_first, noise_sd=0.004, seed=1),
        "s_only": write_series(root / "s_only", s, noise_sd=0.004, seed=2),
        "s0_only": write_series(root / "s0_only", s0, noise_sd=0.004, seed=3),
    }


@pytest.fixture
def unchanged(digest):
    """``with unchanged(path, …):`` fails if a file (or any file below a folder) changed."""

    def fingerprint(p: Path) -> dict[str, str]:
        return digest(p) if p.is_dir() else {p.name: hashlib.sha256(p.read_bytes()).hexdigest()}

    @contextmanager
    def check(*paths: Path) -> Iterator[None]:
        before = [fingerprint(p) for p in paths]
        yield
        assert [fingerprint(p) for p in paths] == before, "input data were modified"

    return check


def _topspin_peaks(folder: Path) -> list:
    return pick_peaks(processed_spectrum(folder))


# --- nmr process: real Bruker sets -----------------------------------------------------------


@pytest.mark.parametrize("name", list(REAL_SETS))
def test_process_real_set(capsys, unchanged, name):
    folder = BRUKER / name
    with unchanged(folder):
        obj = run_json(capsys, ["nmr", "process", folder])
    nucleus, sf = REAL_SETS[name]
    assert obj["nucleus"] == nucleus
    assert obj["sf_mhz"] == pytest.approx(sf, abs=1e-3)
    assert obj["unit"] == "ppm" and obj["source"] == str(folder)
    assert obj["noise_sd"] > 0 and obj["n_points"] >= 16384
    assert len(obj["peaks"]) >= 5
    for peak in obj["peaks"]:
        assert {"ppm", "height", "width_ppm", "width_hz", "index"} <= peak.keys()
    heights = [p["height"] for p in obj["peaks"]]
    assert heights == sorted(heights, reverse=True)
    # the tallest peaks are TopSpin's (1r), each within one point
    topspin = _topspin_peaks(folder)
    step = abs(processed_spectrum(folder).axis[1] - processed_spectrum(folder).axis[0])
    ts_ppm = np.array([p.ppm for p in topspin[:10]])
    for peak in obj["peaks"][:5]:
        assert np.min(np.abs(ts_ppm - peak["ppm"])) <= step * 1.001, peak


@pytest.mark.parametrize("name", list(REAL_SETS))
def test_process_topspin_processed(capsys, unchanged, name):
    folder = BRUKER / name
    with unchanged(folder):
        obj = run_json(capsys, ["nmr", "process", folder, "--processed"])
    assert obj["history"] == ["read TopSpin processed spectrum"]
    assert [p["ppm"] for p in obj["peaks"]] == [p.ppm for p in _topspin_peaks(folder)]
    assert obj["nucleus"] == REAL_SETS[name][0]


@pytest.mark.parametrize("name", ["sucrose_1h_600", "xwin_13c"])
def test_process_auto_phase(capsys, name):
    obj = run_json(capsys, ["nmr", "process", BRUKER / name, "--auto-phase", "acme"])
    assert any(h.startswith("automatic phase (acme)") for h in obj["history"])
    assert np.isfinite(obj["phc0"]) and np.isfinite(obj["phc1"])
    top = _topspin_peaks(BRUKER / name)[0]
    assert abs(obj["peaks"][0]["ppm"] - top.ppm) < 0.01


def test_process_baseline(capsys):
    obj = run_json(capsys, ["nmr", "process", BRUKER / "xwin_13c", "--baseline", "asls"])
    assert obj["history"][-1] == "baseline (asls)"
    assert len(obj["peaks"]) >= 5


@pytest.mark.parametrize("shift", [1.5, -0.25])
def test_process_shift_ppm(capsys, shift):
    base = run_json(capsys, ["nmr", "process", BRUKER / "xwin_1h"])
    moved = run_json(capsys, ["nmr", "process", BRUKER / "xwin_1h", "--shift-ppm", shift])
    assert [p["index"] for p in moved["peaks"]] == [p["index"] for p in base["peaks"]]
    np.testing.assert_allclose([p["ppm"] for p in moved["peaks"]],
                               [p["ppm"] + shift for p in base["peaks"]], atol=1e-9)
    assert moved["sf_mhz"] == pytest.approx(base["sf_mhz"] / (1 + shift * 1e-6), rel=1e-12)


def test_process_options(capsys):
    obj = run_json(capsys, ["nmr", "process", BRUKER / "xwin_13c", "--size", "8192",
                            "--lb-hz", "2", "--phc0", "10", "--phc1", "-5"])
    assert obj["n_points"] == 8192
    assert "exponential window LB = 2 Hz" in obj["history"]
    assert "phased PHC0 = 10.000°, PHC1 = -5.000°" in obj["history"]


def test_process_reported_phases_can_be_given_back(capsys):
    folder = BRUKER / "sucrose_1h_600"
    first = run_json(capsys, ["nmr", "process", folder])
    again = run_json(capsys, ["nmr", "process", folder, "--phc0", first["phc0"],
                              "--phc1", first["phc1"]])
    assert [p["index"] for p in again["peaks"][:5]] == [p["index"] for p in first["peaks"][:5]]
    assert again["peaks"][0]["height"] == pytest.approx(first["peaks"][0]["height"], rel=1e-9)


def test_process_text_and_quiet(capsys):
    code, out, err = run(capsys, ["nmr", "process", BRUKER / "xwin_13c"])
    assert code == 0 and err == ""
    assert "13C spectrum from" in out and "ppm  height" in out
    assert run(capsys, ["nmr", "process", BRUKER / "xwin_13c", "-q"]) == (0, "", "")


# --- nmr process: JCAMP-DX, CSV, output files ------------------------------------------------


@pytest.mark.parametrize("name", ["TESTSPEC", "BRUKDIF", "BRUKNTUP"])
def test_process_jcamp(capsys, unchanged, name):
    p = JCAMP / f"{name}.DX"
    with unchanged(p):
        obj = run_json(capsys, ["nmr", "process", p])
    assert obj["nucleus"] == "13C" and obj["sf_mhz"] == pytest.approx(100.4)
    assert obj["unit"] == "ppm" and obj["n_points"] == 16384
    expected = pick_peaks(read_jcamp(p))
    assert [q["index"] for q in obj["peaks"]] == [q.index for q in expected]
    assert obj["peaks"][0]["ppm"] == pytest.approx(137.6236, abs=1e-3)  # same in all encodings


def test_process_ir_jcamp(capsys):
    obj = run_json(capsys, ["nmr", "process", JCAMP / "SPECFILE.DX"])
    assert obj["unit"] == "cm-1" and obj["n_points"] == 1801 and obj["nucleus"] is None


def test_process_out_csv_round_trip_and_csv_input(capsys, tmp_path):
    out = tmp_path / "spectrum.csv"
    obj = run_json(capsys, ["nmr", "process", BRUKER / "xwin_1h", "--out", out])
    table = read_table(out)
    assert list(table.columns) == ["ppm", "intensity", "imag"]
    assert table.columns["ppm"].size == obj["n_points"]
    assert any("spectrum processed by cald from" in c for c in table.comments)
    peak = obj["peaks"][0]
    assert table.columns["ppm"][peak["index"]] == pytest.approx(peak["ppm"], abs=1e-9)
    assert table.columns["intensity"][peak["index"]] == pytest.approx(peak["height"], rel=1e-9)
    assert [p.name for p in tmp_path.iterdir()] == ["spectrum.csv"]
    # and the CSV is itself an input
    again = run_json(capsys, ["nmr", "process", out])
    assert again["unit"] == "ppm" and again["n_points"] == obj["n_points"]
    np.testing.assert_allclose([p["ppm"] for p in again["peaks"][:5]],
                               [p["ppm"] for p in obj["peaks"][:5]], atol=1e-9)


def test_process_jcamp_fid(capsys):
    obj = run_json(capsys, ["nmr", "process", JCAMP / "TESTFID.DX", "--lb-hz", "1"])
    assert obj["unit"] == "ppm" and obj["nucleus"] == "13C" and len(obj["peaks"]) >= 5


@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".png", b"\x89PNG")])
def test_process_plot(capsys, tmp_path, suffix, magic):
    plot = tmp_path / f"spectrum{suffix}"
    code, out, err = run(capsys, ["nmr", "process", BRUKER / "xwin_13c", "--plot", plot, "-q"])
    assert (code, out, err) == (0, "", "")
    assert plot.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [plot.name]


# --- nmr enhancement -----------------------------------------------------------------------


def test_enhancement(capsys, synth, unchanged):
    with unchanged(synth["on"], synth["off"]):
        obj = run_json(capsys, ["nmr", "enhancement", synth["on"], synth["off"], "--region",
                                REGION])
    assert abs(obj["enhancement"] - 33.0) < 3 * obj["enhancement_err"]
    assert obj["region_ppm"] == [190.0, 178.0]
    assert obj["on"] == str(synth["on"]) and obj["off"] == str(synth["off"])
    reverse = run_json(capsys, ["nmr", "enhancement", synth["on"], synth["off"], "--region",
                                "178:190"])
    assert reverse == obj


def test_enhancement_text(capsys, synth):
    code, out, err = run(capsys, ["nmr", "enhancement", synth["on"], synth["off"],
                                  "--region", REGION])
    assert code == 0 and err == "" and out.startswith("ε = 33")


# --- respdor extract → fit -----------------------------------------------------------------


def test_extract_then_fit(capsys, synth, tmp_path, unchanged):
    out = tmp_path / "curve.csv"
    with unchanged(synth["series"]):
        obj = run_json(capsys, ["respdor", "extract", synth["series"], "--region", REGION,
                                "--out", out])
    assert obj["out"] == str(out) and obj["source"] == str(synth["series"])
    assert obj["region_ppm"] == [190.0, 178.0] and "vclist" in obj["times_from"]
    np.testing.assert_allclose(obj["t_ms"], T_S * 1e3)
    curve = read_dephasing_csv(str(out))
    assert curve.n_points == 15 and curve.sigma_source == "propagated from intensity noise"
    fit = run_json(capsys, ["respdor", "fit", out, "--pair", "13C-27Al", "--bootstrap", "0"])
    assert fit["d_hz"] == pytest.approx(D_HZ, rel=0.10)
    assert fit["f"] == pytest.approx(F, abs=0.03)
    assert 0.3 < fit["redchi"] < 2.5


def test_extract_given_times(capsys, synth, tmp_path):
    times = ",".join(f"{t:g}" for t in np.linspace(0.1, 2.9, 15))
    obj = run_json(capsys, ["respdor", "extract", synth["series"], "--region", REGION,
                            "--out", tmp_path / "c.csv", "--t-ms", times])
    assert obj["times_from"] == "given"
    np.testing.assert_allclose(obj["t_ms"], np.linspace(0.1, 2.9, 15))


def test_extract_reference_and_s_first(capsys, synth, tmp_path, unchanged):
    with unchanged(synth["s_only"], synth["s0_only"], synth["s_first"]):
        ref = run_json(capsys, ["respdor", "extract", synth["s_only"], "--region", REGION,
                                "--out", tmp_path / "ref.csv", "--reference", synth["s0_only"]])
        s_first = run_json(capsys, ["respdor", "extract", synth["s_first"], "--region", REGION,
                                    "--out", tmp_path / "sf.csv", "--s-first"])
    expected = respdor_dephasing(T_S, D_HZ, F, 2.5)
    for obj in (ref, s_first):
        s0, s = np.array(obj["S0"]), np.array(obj["S"])
        assert np.all(s < s0)
        np.testing.assert_allclose(obj["t_ms"], T_S * 1e3)
        sigma = np.hypot(np.array(obj["S_noise"]) / s0, s * np.array(obj["S0_noise"]) / s0**2)
        assert np.all(np.abs(1 - s / s0 - expected) < 5 * sigma + 2e-3)
    # without --s-first the same file has its S0/S swapped
    swapped = run_json(capsys, ["respdor", "extract", synth["s_first"], "--region", REGION,
                                "--out", tmp_path / "sw.csv"])
    assert swapped["S0"] == s_first["S"] and swapped["S"] == s_first["S0"]


# --- bad input -----------------------------------------------------------------------------


@pytest.fixture
def broken(tmp_path, synth, copy_dataset, set_parameter) -> dict[str, Path]:
    """Copies with problems: no acqus, truncated fid/ser, off experiment with another D1."""
    empty = tmp_path / "empty"
    empty.mkdir()
    fid = copy_dataset(BRUKER / "xwin_1h", "truncated_fid")
    data = (fid / "fid").read_bytes()
    (fid / "fid").write_bytes(data[: len(data) // 2])
    off = copy_dataset(synth["off"], "truncated_off")
    data = (off / "fid").read_bytes()
    (off / "fid").write_bytes(data[: len(data) // 2])
    ser = copy_dataset(synth["series"], "truncated_ser")
    data = (ser / "ser").read_bytes()
    (ser / "ser").write_bytes(data[: len(data) // 2 + 1000])
    d1 = copy_dataset(synth["off"], "off_d1")
    set_parameter(d1 / "acqus", "D", 5.0, index=1)
    return {"empty": empty, "truncated_fid": fid, "truncated_off": off, "truncated_ser": ser,
            "off_d1": d1, "missing": tmp_path / "missing"}


# (argv, fragment, folder the message must name or None); {on} {off} {series} {tmp} are filled
BAD = {
    # nmr process
    "process-missing": (["nmr", "process", "{missing}"], "no such file or folder", "{missing}"),
    "process-no-acqus": (["nmr", "process", "{empty}"], "missing acqus", "{empty}"),
    "process-truncated-fid": (["nmr", "process", "{truncated_fid}"], "file truncated",
                              "{truncated_fid}/fid"),
    "process-no-1r": (["nmr", "process", "{on}", "--processed"], "no processed spectrum (1r)",
                      "{on}"),
    "process-plot-suffix": (["nmr", "process", "{on}", "--plot", "{tmp}/spectrum.txt"],
                            "file must end in .svg, .png or .pdf", "{tmp}/spectrum.txt"),
    "process-auto-phase": (["nmr", "process", "{on}", "--auto-phase", "bogus"],
                           "--auto-phase must be acme or negative", None),
    "process-size": (["nmr", "process", "{on}", "--size", "2"], "--size must be at least 8",
                     None),
    "process-series": (["nmr", "process", "{series}"], "a series (ser)", "{series}"),
    # nmr enhancement
    "enh-missing": (["nmr", "enhancement", "{on}", "{missing}", "--region", REGION],
                    "no such folder", "{missing}"),
    "enh-no-acqus": (["nmr", "enhancement", "{empty}", "{off}", "--region", REGION],
                     "missing acqus", "{empty}"),
    "enh-truncated": (["nmr", "enhancement", "{on}", "{truncated_off}", "--region", REGION],
                      "file truncated", "{truncated_off}/fid"),
    "enh-outside": (["nmr", "enhancement", "{on}", "{off}", "--region", "500:400"],
                    "lies outside the axis", None),
    "enh-region-one-number": (["nmr", "enhancement", "{on}", "{off}", "--region", "190"],
                              "--region must look like A:B", None),
    "enh-region-letters": (["nmr", "enhancement", "{on}", "{off}", "--region", "a:b"],
                           "--region must hold two numbers", None),
    "enh-region-empty": (["nmr", "enhancement", "{on}", "{off}", "--region", "5:5"],
                         "--region needs two different finite numbers", None),
    "enh-auto-phase": (["nmr", "enhancement", "{on}", "{off}", "--region", REGION,
                        "--auto-phase", "bogus"], "--auto-phase must be acme or negative", None),
    "enh-different-d1": (["nmr", "enhancement", "{on}", "{off_d1}", "--region", REGION],
                         "D1 (3 vs 5)", "{off_d1}"),
    "enh-series": (["nmr", "enhancement", "{series}", "{off}", "--region", REGION],
                   "two 1D experiments", "{series}"),
    # respdor extract
    "ext-missing": (["respdor", "extract", "{missing}", "--region", REGION], "no such folder",
                    "{missing}"),
    "ext-no-acqus": (["respdor", "extract", "{empty}", "--region", REGION], "missing acqus",
                     "{empty}"),
    "ext-truncated-ser": (["respdor", "extract", "{truncated_ser}", "--region", REGION],
                          "not 30 rows", "{truncated_ser}/ser"),
    "ext-outside": (["respdor", "extract", "{series}", "--region", "500:400"],
                    "lies outside the spectrum", None),
    "ext-region-one-number": (["respdor", "extract", "{series}", "--region", "190"],
                              "--region must look like A:B", None),
    "ext-region-letters": (["respdor", "extract", "{series}", "--region", "a:b"],
                           "--region must hold two numbers", None),
    "ext-region-empty": (["respdor", "extract", "{series}", "--region", "5:5"],
                         "--region needs two different finite numbers", None),
    "ext-t-ms-negative": (["respdor", "extract", "{series}", "--region", REGION, "--t-ms",
                           "-0.2,0.4"], "--t-ms must not contain negative times", None),
    "ext-t-ms-count": (["respdor", "extract", "{series}", "--region", REGION, "--t-ms",
                        "0.2,0.4,0.6"], "3 recoupling times given for 15 S0/S pairs", "--t-ms"),
    "ext-t-ms-text": (["respdor", "extract", "{series}", "--region", REGION, "--t-ms", "a,b"],
                      "--t-ms must be a comma-separated list", None),
    "ext-1d": (["respdor", "extract", "{on}", "--region", REGION], "not a series", "{on}"),
    "ext-auto-phase": (["respdor", "extract", "{series}", "--region", REGION, "--auto-phase",
                        "bogus"], "--auto-phase must be acme or negative", None),
    "ext-reference-1d": (["respdor", "extract", "{series}", "--region", REGION, "--reference",
                          "{on}"], "not a series", "{on}"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_clean_error(capsys, tmp_path, synth, broken, unchanged, case):
    argv, fragment, named = BAD[case]
    names = {**{k: str(v) for k, v in synth.items()}, **{k: str(v) for k, v in broken.items()},
             "tmp": str(tmp_path)}

    def fill(text: str) -> str:
        return text.format(**names)

    argv = [fill(a) for a in argv]
    out_file = tmp_path / "out.csv"
    if argv[0] == "respdor" or argv[1] == "process":
        argv += ["--out", str(out_file)]
    inputs = [Path(a) for a in argv if Path(a).is_dir()]
    listing = sorted(p.name for p in tmp_path.iterdir())
    with unchanged(*inputs):
        code, out, err = run(capsys, [*argv, "--json"])
    assert_clean_error(code, out, err, fragment)
    if named is not None:
        assert fill(named) in err, err
    assert not out_file.exists(), "a failed command leaves no output file"
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


# --- issue 9: --grpdly, --row, --cpmg, warnings of a failed command -------------------------


def test_process_grpdly_for_unknown_filter(capsys, tmp_path, copy_dataset, set_parameter):
    folder = copy_dataset(BRUKER / "xwin_13c", "dspfvs0")
    set_parameter(folder / "acqus", "DSPFVS", 0)
    assert_clean_error(*run(capsys, ["nmr", "process", folder]), "--grpdly POINTS")
    given = run_json(capsys, ["nmr", "process", folder, "--grpdly", "59.083333333333336"])
    stored = run_json(capsys, ["nmr", "process", BRUKER / "xwin_13c"])
    assert given["peaks"] == stored["peaks"]
    assert_clean_error(*run(capsys, ["nmr", "process", folder, "--grpdly", "-3"]), "--grpdly")


def test_process_row_of_series(capsys, synth):
    assert_clean_error(*run(capsys, ["nmr", "process", synth["series"]]), "--row N")
    s0 = run_json(capsys, ["nmr", "process", synth["series"], "--row", "1"])
    s = run_json(capsys, ["nmr", "process", synth["series"], "--row", "30"])
    assert "row 1 of 30" in s0["history"]
    assert s["peaks"][0]["height"] < s0["peaks"][0]["height"]  # the last S row is dephased
    assert_clean_error(*run(capsys, ["nmr", "process", synth["series"], "--row", "0"]), "--row")
    assert_clean_error(*run(capsys, ["nmr", "process", synth["series"], "--row", "31"]), "rows 1–30")


def test_peaks_fit_row_of_series(capsys, synth):
    obj = run_json(capsys, ["peaks", "fit", synth["series"], "--row", "1", "--region", "195:170",
                            "--n", "1"])
    assert len(obj["peaks"]) == 1


@pytest.fixture(scope="module")
def cpmg_sets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from cald.synth.nmr_sets import write_cpmg

    root = tmp_path_factory.mktemp("cpmg")
    return {"train": write_cpmg(root / "train", seed=1, noise_sd=0.01),
            "series": write_cpmg(root / "series", seed=2, noise_sd=0.01,
                                 row_scales=(1.0, 0.6, 1.0, 0.3))}


def test_process_cpmg(capsys, cpmg_sets):
    summed = run_json(capsys, ["nmr", "process", cpmg_sets["train"], "--cpmg"])
    given = run_json(capsys, ["nmr", "process", cpmg_sets["train"], "--cpmg",
                              "--echo-period-us", "2000"])
    assert summed["peaks"] == given["peaks"]
    assert any(h.startswith("summed 31 echoes") for h in summed["history"])  # 32nd cut by GRPDLY
    ppm = sorted(p["ppm"] for p in summed["peaks"][:2])
    assert ppm == pytest.approx([-320.0, -50.0], abs=5.0)
    assert_clean_error(*run(capsys, ["nmr", "process", cpmg_sets["train"], "--cpmg",
                                     "--echo-period-us", "-5"]), "--echo-period-us")


def test_extract_cpmg_series(capsys, cpmg_sets, tmp_path):
    out = tmp_path / "curve.csv"
    run_json(capsys, ["respdor", "extract", cpmg_sets["series"], "--region", "0:-400", "--out", out,
                      "--t-ms", "1,2", "--cpmg"])
    table = read_table(out)
    np.testing.assert_allclose(table.columns["S"] / table.columns["S0"], [0.6, 0.3], rtol=0.02)


def test_failed_command_prints_one_line_despite_warnings(capsys, monkeypatch, recwarn, synth):
    """A parser's UserWarning lines used to come before the error line."""
    import warnings

    import cald.nmr.reading
    from cald.errors import DataFileError

    def warn_then_fail(source, **kwargs):
        warnings.warn("Unable to correctly parse line: ##$NS=", UserWarning, stacklevel=1)
        raise DataFileError("parameter TD missing", source)

    monkeypatch.setattr(cald.nmr.reading, "read_nmr", warn_then_fail)
    assert_clean_error(*run(capsys, ["nmr", "process", synth["on"]]), "TD missing")
    assert not [w for w in recwarn if "Unable to correctly parse" in str(w.message)]
    code, out, err = run(capsys, ["--debug", "nmr", "process", synth["on"]])
    assert code == 2 and "Traceback" in err
    assert [w for w in recwarn if "Unable to correctly parse" in str(w.message)]  # shown
