"""The ``cald`` command line, run in-process through ``cald.cli.app.main`` (and once as the
installed console script): JSON contracts of every command and the clean-error contract (exit 2,
one ``error:`` line on stderr, no traceback, nothing on stdout)."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cald import __version__
from cald.cli.app import main
from cald.io.table import write_table
from cald.nuclei import dipolar_coupling_hz, parse_pair
from cald.recoupling.redor import dephasing, respdor_dephasing
from cald.synth.respdor import synthetic_respdor

TRUE_D_HZ = 503.0
TRUE_F = 0.24
PAIR = "13C-27Al"
FIT_KEYS = ("d_hz", "d_hz_err", "f", "f_err", "r_angstrom", "r_angstrom_err", "redchi")


# --- helpers ------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """Run ``cald ARGV`` in-process; returns (exit status, stdout, stderr)."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    """Run a ``--json`` command that must succeed; returns its one JSON object."""
    code, out, err = run(capsys, [*argv, "--json"])
    assert code == 0, err
    assert err == ""
    assert out.endswith("\n") and out.count("\n") == 1, "exactly one JSON line on stdout"
    obj = json.loads(out)
    assert isinstance(obj, dict)
    return obj


def assert_clean_error(code: int, out: str, err: str, fragment: str = "") -> None:
    """The error contract: exit 2, stderr is one ``error:`` line, no traceback, empty stdout."""
    assert code == 2, (code, out, err)
    assert err.startswith("error:"), err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    assert out == ""
    assert fragment.lower() in err.lower(), (fragment, err)


def is_finite_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- data files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Synthetic 13C{27Al} RESPDOR data (D = 503 Hz, f = 0.24) in the three accepted layouts."""
    folder = tmp_path_factory.mktemp("data")
    t_s = np.arange(2, 31, 2) * 1e-4  # 0.2 … 3.0 ms
    syn = synthetic_respdor(t_s, TRUE_D_HZ, TRUE_F, spin=2.5, seed=42)
    cols = syn.columns()
    ds = 1.0 - cols["S"] / cols["S0"]
    sigma = np.hypot(cols["S_noise"] / cols["S0"], cols["S"] * cols["S0_noise"] / cols["S0"] ** 2)
    return {
        "intensities": write_table(folder / "intensities.csv", cols, syn.header()),
        "sigma": write_table(folder / "sigma.csv", {"t_ms": cols["t_ms"], "dS_S0": ds,
                                                    "sigma": sigma}),
        "no_sigma": write_table(folder / "no_sigma.csv", {"t_ms": cols["t_ms"], "dS_S0": ds}),
    }


# --- version and nuclei -------------------------------------------------------------------


def test_version(capsys):
    code, out, err = run(capsys, ["--version"])
    assert code == 0 and err == ""
    assert out.strip() == f"cald {__version__}"


def test_no_arguments_prints_help(capsys):
    code, out, _ = run(capsys, [])
    assert code == 0
    assert "Usage" in out and "respdor" in out


@pytest.mark.parametrize("isotope", ["113Cd", "Cd113", "cd-113"])
def test_larmor_json(capsys, isotope):
    obj = run_json(capsys, ["nuclei", "larmor", isotope, "--field-1h-mhz", "400.13"])
    assert {"isotope", "spin", "larmor_mhz"} <= obj.keys()
    assert obj["isotope"] == "113Cd"
    assert obj["spin"] == 0.5
    assert obj["larmor_mhz"] == pytest.approx(88.80, abs=0.01)


def test_dipolar_from_distance(capsys):
    obj = run_json(capsys, ["nuclei", "dipolar", "--pair", PAIR, "--r-angstrom", "2.5"])
    assert {"d_hz", "r_angstrom"} <= obj.keys()
    assert obj["d_hz"] == pytest.approx(504.0, abs=1.0)
    assert obj["r_angstrom"] == 2.5
    assert obj["d_hz_err"] is None and obj["r_angstrom_err"] is None


def test_dipolar_from_coupling(capsys):
    obj = run_json(capsys, ["nuclei", "dipolar", "--pair", PAIR, "--d-hz", "504.2"])
    assert obj["d_hz"] == 504.2
    assert obj["r_angstrom"] == pytest.approx(2.5, abs=1e-3)


@pytest.mark.parametrize(("given", "value", "err"), [("--d-hz", 504.2, 12.0),
                                                      ("--r-angstrom", 2.5, 0.05)])
def test_dipolar_error_propagation(capsys, given, value, err):
    obj = run_json(capsys, ["nuclei", "dipolar", "--pair", PAIR, given, value, "--err", err])
    # D ∝ r⁻³ to first order: σ_r / r = σ_D / (3 D)
    assert obj["r_angstrom_err"] / obj["r_angstrom"] == pytest.approx(
        obj["d_hz_err"] / (3.0 * obj["d_hz"]), rel=1e-12)
    own = obj["d_hz_err"] if given == "--d-hz" else obj["r_angstrom_err"]
    assert own == err


# --- respdor curve ------------------------------------------------------------------------


def test_curve_json_matches_library(capsys):
    obj = run_json(capsys, ["respdor", "curve", "--spin", "5/2", "--d-hz", "503", "--f", "0.24",
                            "--t-ms", "0.5,1,2"])
    assert {"t_ms", "dS_S0"} <= obj.keys()
    assert obj["t_ms"] == [0.5, 1.0, 2.0]
    assert len(obj["dS_S0"]) == len(obj["t_ms"])
    expected = respdor_dephasing(np.array([0.5, 1.0, 2.0]) * 1e-3, 503.0, 0.24, 2.5, 1.0)
    np.testing.assert_allclose(obj["dS_S0"], expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("spin_args", [["--spin", "2.5"], ["--pair", PAIR],
                                       ["--pair", "13C{27Al}"], ["--pair", "Al27-C13", "--spin",
                                                                 "5/2"]])
def test_curve_spin_spellings_agree(capsys, spin_args):
    base = ["respdor", "curve", "--d-hz", "503", "--f", "0.24", "--t-ms", "0.5,1,2"]
    reference = run_json(capsys, [*base, "--spin", "5/2"])
    assert run_json(capsys, [*base, *spin_args]) == reference


def test_curve_from_distance(capsys):
    obj = run_json(capsys, ["respdor", "curve", "--pair", PAIR, "--r-angstrom", "2.5",
                            "--f", "0.24", "--t-ms", "0.5,1,2,3"])
    d_hz = float(dipolar_coupling_hz(2.5, *parse_pair(PAIR)))
    assert obj["d_hz"] == pytest.approx(d_hz, rel=1e-12)
    assert obj["spin"] == 2.5
    expected = respdor_dephasing(np.array(obj["t_ms"]) * 1e-3, d_hz, 0.24, 2.5, 1.0)
    np.testing.assert_allclose(obj["dS_S0"], expected, rtol=1e-12)


def test_curve_redor_matches_library(capsys):
    obj = run_json(capsys, ["respdor", "curve", "--pair", "13C-15N", "--d-hz", "950", "--f",
                            "0.86", "--t-ms", "0.5,1,2", "--experiment", "redor"])
    assert obj["experiment"] == "redor" and obj["spin"] == 0.5
    expected = dephasing(np.array([0.5, 1.0, 2.0]) * 1e-3, 950.0, 0.86, 0.5, 1.0, "redor")
    np.testing.assert_allclose(obj["dS_S0"], expected, rtol=1e-12, atol=0)


# --- respdor fit --------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["intensities", "sigma", "no_sigma"])
def test_fit_json_contract(capsys, data_files, layout):
    path = data_files[layout]
    before = sha256(path)
    obj = run_json(capsys, ["respdor", "fit", path, "--pair", PAIR, "--bootstrap", "200"])
    assert sha256(path) == before, "the input file must not be modified"
    for key in FIT_KEYS:
        if key == "redchi" and layout == "no_sigma":  # σ estimated: residual s.d. instead
            assert obj[key] is None and is_finite_number(obj["residual_std"])
            continue
        assert is_finite_number(obj[key]), (key, obj[key])
    assert obj["d_hz_err"] > 0 and obj["f_err"] > 0 and obj["r_angstrom_err"] > 0
    assert abs(obj["d_hz"] - TRUE_D_HZ) < min(3 * obj["d_hz_err"], 0.08 * TRUE_D_HZ)
    assert obj["f"] == pytest.approx(TRUE_F, abs=0.02)
    assert obj["r_angstrom"] == pytest.approx(2.5, abs=0.1)
    assert obj["sigma_source"] == {"intensities": "propagated from intensity noise",
                                   "sigma": "given", "no_sigma": "unknown"}[layout]
    assert obj["n_points"] == 15


@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".png", b"\x89PNG"),
                                               (".pdf", b"%PDF")])
def test_fit_plot(capsys, data_files, tmp_path, suffix, magic):
    plot = tmp_path / f"out{suffix}"
    before = sha256(data_files["intensities"])
    code, _, err = run(capsys, ["respdor", "fit", data_files["intensities"], "--pair", PAIR,
                                "--bootstrap", "0", "--quiet", "--plot", plot])
    assert code == 0, err
    assert plot.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [plot.name], "no temporary files left"
    assert sha256(data_files["intensities"]) == before


@pytest.mark.parametrize(("options", "check"), [
    (["--model", "all"],
     lambda o: set(o["models"]) == {"single", "two_site", "gaussian"}),
    (["--model", "gaussian"],
     lambda o: set(o["models"]) == {"single", "gaussian"}),
    (["--fix-f", "0.24"],
     lambda o: o["f"] == 0.24 and o["f_fixed"] is True and o["f_err"] == 0.0),
    (["--bootstrap", "0"],
     lambda o: o["bootstrap"] is None and isinstance(o["bootstrap_note"], str)
     and o["bootstrap_note"] != ""),
    (["--bootstrap", "50", "--seed", "3"],
     lambda o: o["bootstrap"] is not None and o["bootstrap_note"] is None),
    (["--fit-distance"],
     lambda o: o["r_angstrom"] == pytest.approx(2.5, abs=0.1)),
], ids=["model-all", "model-gaussian", "fix-f", "no-bootstrap", "bootstrap", "fit-distance"])
def test_fit_options(capsys, data_files, options, check):
    argv = ["respdor", "fit", data_files["intensities"], "--pair", PAIR]
    if "--bootstrap" not in options:
        argv += ["--bootstrap", "0"]
    obj = run_json(capsys, [*argv, *options])
    assert check(obj), obj
    assert is_finite_number(obj["d_hz"])


def test_fit_with_spin_only_has_no_distance(capsys, data_files):
    obj = run_json(capsys, ["respdor", "fit", data_files["sigma"], "--spin", "5/2",
                            "--bootstrap", "0"])
    assert obj["pair"] is None and obj["r_angstrom"] is None and obj["r_angstrom_err"] is None
    assert is_finite_number(obj["d_hz"]) and is_finite_number(obj["d_hz_err"])


@pytest.fixture(scope="module")
def redor_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """13C{15N} REDOR of a 1.48 Å Cα–N pair with plateau 0.86 (15N-glycine-like), σ given."""
    t_s = np.arange(1, 21) * 0.2e-3
    d_hz = float(dipolar_coupling_hz(1.48, *parse_pair("13C-15N")))
    y = dephasing(t_s, d_hz, 0.86, 0.5, 1.0, "redor")
    y = y + np.random.default_rng(3).normal(0.0, 0.01, y.size)
    path = tmp_path_factory.mktemp("redor") / "glycine_redor.csv"
    write_table(path, {"t_ms": t_s * 1e3, "dS_S0": y, "sigma": np.full(y.size, 0.01)},
                ["synthetic 13C{15N} REDOR"])
    return path


def test_fit_redor_recovers_the_bond_and_respdor_warns(capsys, redor_file):
    argv = ["respdor", "fit", redor_file, "--pair", "13C-15N", "--bootstrap", "0"]
    redor = run_json(capsys, [*argv, "--experiment", "redor"])
    assert redor["experiment"] == "redor"
    assert redor["r_angstrom"] == pytest.approx(1.48, abs=0.02)
    assert not any("plateau" in n for n in redor["notes"])
    respdor = run_json(capsys, argv)
    assert respdor["experiment"] == "respdor"
    assert any("plateau" in n and "redor" in n for n in respdor["notes"])
    code, out, err = run(capsys, argv)
    assert code == 0 and "plateau" in out


def test_fit_redor_with_quadrupolar_partner_is_a_clean_error(capsys, data_files):
    code, out, err = run(capsys, ["respdor", "fit", data_files["sigma"], "--pair", PAIR,
                                  "--experiment", "redor"])
    assert_clean_error(code, out, err, "respdor")
    code, out, err = run(capsys, ["respdor", "curve", "--pair", PAIR, "--d-hz", "500",
                                  "--t-ms", "1", "--experiment", "redox"])
    assert_clean_error(code, out, err, "redox")


# --- human-readable output ----------------------------------------------------------------


@pytest.mark.parametrize(("argv", "expected"), [
    (["nuclei", "larmor", "113Cd", "--field-1h-mhz", "400.13"], "88.80"),
    (["nuclei", "dipolar", "--pair", PAIR, "--r-angstrom", "2.5", "--err", "0.1"], "504"),
    (["respdor", "curve", "--spin", "5/2", "--d-hz", "503", "--t-ms", "0.5,1"], "ms"),
    (["respdor", "fit", "{csv}", "--pair", PAIR, "--bootstrap", "0"], "Hz"),
])
def test_text_output(capsys, data_files, argv, expected):
    argv = [str(a).replace("{csv}", str(data_files["intensities"])) for a in argv]
    code, out, err = run(capsys, argv)
    assert code == 0 and err == ""
    assert expected in out


def test_fit_quiet_prints_nothing(capsys, data_files):
    code, out, err = run(capsys, ["respdor", "fit", data_files["sigma"], "--pair", PAIR,
                                  "--bootstrap", "0", "-q"])
    assert (code, out, err) == (0, "", "")


# --- demo ---------------------------------------------------------------------------------


def test_demo(capsys, tmp_path):
    """`cald demo` writes the example project with its data, runs it, and the RESPDOR result
    recovers the generator's D and f; the extracted curve fits the same through the CLI."""
    out_dir = tmp_path / "demo"
    summary = run_json(capsys, ["demo", "--out", out_dir])
    names = {p.name for p in out_dir.iterdir()}
    assert {"project.toml", "data", "results.json", "report.html", "figures", "files"} <= names
    assert summary["n_failed"] == 0 and summary["n_ok"] >= 5
    results = json.loads((out_dir / "results.json").read_text(encoding="utf-8"))
    respdor = next(a for a in results["analyses"] if a["kind"] == "respdor")
    fit = respdor["result"]
    assert fit["d_hz"] == pytest.approx(TRUE_D_HZ, rel=0.05)
    assert fit["f"] == pytest.approx(TRUE_F, abs=0.03)
    assert fit["d_hz_err"] is not None and fit["d_hz_err"] > 0
    assert fit["f_err"] is not None and fit["f_err"] > 0
    curve_csv = out_dir / respdor["files"][0]
    assert "SYNTHETIC" in curve_csv.read_text(encoding="utf-8")
    again = run_json(capsys, ["respdor", "fit", curve_csv, "--pair", PAIR])
    assert {k: again[k] for k in FIT_KEYS} == pytest.approx({k: fit[k] for k in FIT_KEYS},
                                                            rel=1e-6)
    for figure in respdor["figures"]:
        assert (out_dir / figure["svg"]).read_bytes().startswith(b"<?xml")


# --- bad input: files ---------------------------------------------------------------------

BAD_FILES = {
    "missing-file": (None, "no such file"),
    "directory": ("<dir>", "is a directory"),
    "no-t_ms": ("time,dS_S0\n1,0.1\n2,0.2\n", "missing column 't_ms'"),
    "no-dS_S0-or-S0-S": ("t_ms,signal\n1,0.1\n2,0.2\n", "need column 'dS_S0'"),
    "S0-without-S": ("t_ms,S0\n1,1\n2,1\n", "need column 'dS_S0'"),
    "non-numeric": ("t_ms,dS_S0\n1,0.1\n2,abc\n", "line 3, column 'dS_S0': 'abc' is not a number"),
    "nan": ("t_ms,dS_S0\n1,nan\n2,0.2\n", "line 2, column 'dS_S0'"),
    "infinity": ("t_ms,dS_S0\ninf,0.1\n2,0.2\n", "not a finite number"),
    "empty-cell": ("t_ms,dS_S0\n1,\n2,0.2\n", "line 2, column 'dS_S0': empty cell"),
    "ragged-row": ("t_ms,dS_S0\n1,0.1,7\n2,0.2\n", "line 2: 3 cells"),
    "negative-time": ("t_ms,dS_S0\n-1,0.1\n2,0.2\n", "negative recoupling time"),
    "one-row": ("t_ms,dS_S0\n1,0.1\n", "at least 2 points"),
    "header-only": ("# comment\nt_ms,dS_S0\n", "no data rows"),
    "empty-file": ("", "no header row"),
    "sigma-zero": ("t_ms,dS_S0,sigma\n1,0.1,0.01\n2,0.2,0\n", "'sigma' must be > 0"),
    "sigma-negative": ("t_ms,dS_S0,sigma\n1,0.1,-0.01\n2,0.2,0.01\n", "'sigma' must be > 0"),
    "S0-zero": ("t_ms,S0,S\n1,0,0.9\n2,1,0.8\n", "'S0' must be > 0"),
    "only-S0_noise": ("t_ms,S0,S,S0_noise\n1,1,0.9,0.01\n2,1,0.8,0.01\n",
                      "give both noise columns"),
    "only-S_noise": ("t_ms,S0,S,S_noise\n1,1,0.9,0.01\n2,1,0.8,0.01\n",
                     "give both noise columns"),
    "noise-zero": ("t_ms,S0,S,S0_noise,S_noise\n1,1,0.9,0.01,0\n2,1,0.8,0.01,0.01\n",
                   "noise columns must be > 0"),
    "all-times-zero": ("t_ms,dS_S0\n0,0.1\n0,0.2\n", "all recoupling times are zero"),
    "not-utf8": (b"t_ms,dS_S0\n1,0.1\n2,\xff\xfe\n", "not a UTF-8"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file(capsys, tmp_path, case):
    content, fragment = BAD_FILES[case]
    path = tmp_path / "bad data.csv"  # a space in the name: the message must still name it
    if content == "<dir>":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    before = sha256(path) if path.is_file() else None
    code, out, err = run(capsys, ["respdor", "fit", path, "--pair", PAIR, "--bootstrap", "0"])
    assert_clean_error(code, out, err, fragment)
    assert str(path) in err, "the message names the file"
    if before is not None:
        assert sha256(path) == before


# --- bad input: options -------------------------------------------------------------------

CURVE = ["respdor", "curve", "--d-hz", "503", "--t-ms", "0.5,1"]
CURVE_52 = [*CURVE, "--spin", "5/2"]
FIT = ["respdor", "fit", "{csv}", "--pair", PAIR, "--bootstrap", "0"]
DIPOLAR = ["nuclei", "dipolar", "--pair", PAIR]

BAD_OPTIONS = {
    "curve-f-above-1": ([*CURVE_52, "--f", "1.5"], "--f must be within [0, 1]"),
    "curve-f-negative": ([*CURVE_52, "--f", "-0.1"], "--f must be within [0, 1]"),
    "fit-fix-f-above-1": ([*FIT, "--fix-f", "1.5"], "--fix-f must be within (0, 1]"),
    "fit-fix-f-zero": ([*FIT, "--fix-f", "0"], "--fix-f must be within (0, 1]"),
    "spin-abc": ([*CURVE, "--spin", "abc"], "spin 'abc' is not a number"),
    "spin-zero": ([*CURVE, "--spin", "0"], "positive multiple of 1/2"),
    "spin-one-third": ([*CURVE, "--spin", "1/3"], "positive multiple of 1/2"),
    "spin-divide-by-zero": ([*CURVE, "--spin", "1/0"], "is not a number"),
    "fit-spin-abc": ([*FIT, "--spin", "abc"], "is not a number"),
    "pair-unknown-isotope": ([*CURVE, "--pair", "13C-99Xx"], "unknown isotope '99Xx'"),
    "pair-format": ([*CURVE, "--pair", "13C"], "must look like 13C-27Al"),
    "fit-pair-format": (["respdor", "fit", "{csv}", "--pair", "13C-27Al-1H"],
                        "must look like 13C-27Al"),
    "curve-kappa-zero": ([*CURVE_52, "--kappa", "0"], "--kappa must be positive"),
    "fit-kappa-zero": ([*FIT, "--kappa", "0"], "--kappa must be positive"),
    "t-ms-not-number": (["respdor", "curve", "--spin", "5/2", "--d-hz", "503", "--t-ms", "1,abc"],
                        "--t-ms must be a comma-separated list"),
    "t-ms-negative": (["respdor", "curve", "--spin", "5/2", "--d-hz", "503", "--t-ms", "-1"],
                      "--t-ms must not contain negative times"),
    "t-ms-empty": (["respdor", "curve", "--spin", "5/2", "--d-hz", "503", "--t-ms", ","],
                   "non-empty list"),
    "model-nonsense": ([*FIT, "--model", "nonsense"], "--model 'nonsense' is not one of"),
    "plot-txt": ([*FIT, "--plot", "{tmp}/out.txt"], "file must end in .svg, .png or .pdf"),
    "bootstrap-negative": ([*FIT, "--bootstrap", "-1"], "--bootstrap must be ≥ 0"),
    "curve-no-pair-no-spin": (CURVE, "give --pair (e.g. 13C-27Al) or --spin"),
    "fit-no-pair-no-spin": (["respdor", "fit", "{csv}"], "give --pair (e.g. 13C-27Al) or --spin"),
    "fit-distance-without-pair": (["respdor", "fit", "{csv}", "--spin", "5/2", "--fit-distance",
                                   "--bootstrap", "0"], "needs the spin pair"),
    "curve-d-and-r": ([*CURVE_52, "--pair", PAIR, "--r-angstrom", "2.5"],
                      "give exactly one of --d-hz and --r-angstrom"),
    "curve-neither-d-nor-r": (["respdor", "curve", "--spin", "5/2", "--t-ms", "1"],
                              "give exactly one of --d-hz and --r-angstrom"),
    "curve-r-without-pair": (["respdor", "curve", "--spin", "5/2", "--r-angstrom", "2.5",
                              "--t-ms", "1"], "--r-angstrom needs --pair"),
    "curve-d-zero": (["respdor", "curve", "--spin", "5/2", "--d-hz", "0", "--t-ms", "1"],
                     "--d-hz must be positive"),
    "curve-r-negative": (["respdor", "curve", "--pair", PAIR, "--r-angstrom", "-2",
                          "--t-ms", "1"], "--r-angstrom must be positive"),
    "dipolar-d-and-r": ([*DIPOLAR, "--d-hz", "504", "--r-angstrom", "2.5"],
                        "give exactly one of --r-angstrom and --d-hz"),
    "dipolar-neither": (DIPOLAR, "give exactly one of --r-angstrom and --d-hz"),
    "dipolar-negative-err": ([*DIPOLAR, "--d-hz", "504", "--err", "-1"], "--err must be ≥ 0"),
    "dipolar-r-zero": ([*DIPOLAR, "--r-angstrom", "0"], "distance must be positive"),
    "dipolar-d-negative": ([*DIPOLAR, "--d-hz", "-5"], "dipolar coupling must be positive"),
    "dipolar-unknown-isotope": (["nuclei", "dipolar", "--pair", "13C-99Xx", "--d-hz", "5"],
                                "unknown isotope"),
    "larmor-unknown-isotope": (["nuclei", "larmor", "99Xx", "--field-1h-mhz", "400"],
                               "unknown isotope '99Xx'"),
    "larmor-field-zero": (["nuclei", "larmor", "13C", "--field-1h-mhz", "0"],
                          "--field-1h-mhz must be positive"),
    "demo-out-is-a-file": (["demo", "--out", "{csv}"], "{csv}: exists and is not a folder"),
    # usage errors from the option parser
    "usage-missing-option": (["nuclei", "larmor", "113Cd"], "missing option '--field-1h-mhz'"),
    "usage-missing-t-ms": (["respdor", "curve", "--spin", "5/2", "--d-hz", "503"],
                           "missing option '--t-ms'"),
    "usage-missing-file": (["respdor", "fit", "--pair", PAIR], "missing argument"),
    "usage-missing-value": (["respdor", "curve", "--spin", "5/2", "--t-ms"],
                            "requires an argument"),
    "usage-unknown-option": ([*CURVE_52, "--bogus"], "no such option"),
    "usage-unknown-command": (["frobnicate"], "no such command"),
    "usage-not-a-float": ([*CURVE_52, "--kappa", "abc"], "invalid value"),
    "usage-not-an-int": ([*FIT, "--bootstrap", "many"], "invalid value"),
    "usage-extra-argument": ([*CURVE_52, "surplus"], "unexpected extra argument"),
}


def _fill(argv: list[str], csv: Path, tmp: Path) -> list[str]:
    return [a.replace("{csv}", str(csv)).replace("{tmp}", str(tmp)) for a in argv]


@pytest.mark.parametrize("case", list(BAD_OPTIONS))
def test_bad_option(capsys, data_files, tmp_path, case):
    argv, fragment = BAD_OPTIONS[case]
    csv = data_files["sigma"]
    if not case.startswith("usage-"):  # the JSON mode must fail the same way
        argv = [*argv, "--json"]
    code, out, err = run(capsys, _fill(argv, csv, tmp_path))
    assert_clean_error(code, out, err, _fill([fragment], csv, tmp_path)[0])
    assert list(tmp_path.iterdir()) == [], "a failed command writes nothing"


# --- output-side and range problems (bugs once, now clean errors) ---------------------------

OUTPUT_AND_RANGE_ERRORS = {
    "plot-parent-is-a-file": (
        [*FIT, "--plot", "{tmp}/afile/out.svg"],
        "OSError (FileExistsError) from atomic_write_bytes is not turned into an input error"),
    "plot-is-a-directory": (
        [*FIT, "--plot", "{tmp}/adir.svg"],
        "OSError (IsADirectoryError) from os.replace is not turned into an input error"),
    "demo-out-below-a-file": (
        ["demo", "--out", "{tmp}/afile/sub"],
        "OSError (NotADirectoryError) from mkdir is not turned into an input error"),
    "fit-negative-seed": (
        [*FIT[:-2], "--bootstrap", "10", "--seed", "-1"],
        "--seed -1 reaches numpy.random.default_rng, whose ValueError escapes as a traceback"),
    "curve-huge-spin": (
        [*CURVE, "--spin", "1e400"],
        "parse_spin accepts 1e400 (float → inf); OverflowError escapes from _check_spin"),
    "curve-infinite-d": (
        [*CURVE_52, "--d-hz", "inf"],
        "--d-hz inf is accepted (exit 0, d_hz and dS_S0 become null in JSON)"),
    "dipolar-nan-err": (
        [*DIPOLAR, "--d-hz", "504", "--err", "nan"],
        "--err nan is accepted (exit 0, errors become null in JSON)"),
}


@pytest.mark.parametrize("case", list(OUTPUT_AND_RANGE_ERRORS))
def test_output_and_range_errors_are_clean(capsys, data_files, tmp_path, case):
    (tmp_path / "afile").write_text("not a folder\n", encoding="utf-8")
    (tmp_path / "adir.svg").mkdir()
    argv, _ = OUTPUT_AND_RANGE_ERRORS[case]
    code, out, err = run(capsys, _fill([*argv, "--json"], data_files["sigma"], tmp_path))
    assert_clean_error(code, out, err)


# --- --debug, partial output, console script -----------------------------------------------


@pytest.mark.parametrize("position", [0, 2, -1], ids=["first", "middle", "last"])
@pytest.mark.parametrize("argv", [
    ["respdor", "fit", "{tmp}/missing.csv", "--pair", PAIR],
    ["respdor", "curve", "--spin", "abc", "--d-hz", "503", "--t-ms", "1"],
    ["nuclei", "larmor", "113Cd"],
], ids=["file", "parameter", "usage"])
def test_debug_shows_traceback(capsys, tmp_path, argv, position):
    argv = _fill(list(argv), tmp_path, tmp_path)
    argv.insert(position if position >= 0 else len(argv), "--debug")
    code, out, err = run(capsys, argv)
    assert code == 2
    assert out == ""
    assert "Traceback" in err
    assert err.splitlines()[-1].startswith("error:")


def test_failed_plot_leaves_no_file(capsys, data_files, tmp_path):
    plot = tmp_path / "out.txt"
    code, out, err = run(capsys, ["respdor", "fit", data_files["sigma"], "--pair", PAIR,
                                  "--plot", plot])
    assert_clean_error(code, out, err, str(plot))
    assert list(tmp_path.iterdir()) == []


def test_plot_interrupted_while_writing_leaves_no_partial_file(capsys, data_files, tmp_path,
                                                               monkeypatch):
    """A crash (here: disk full) while the figure is written leaves neither the target nor a
    temporary file behind (atomic write)."""

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    plot = tmp_path / "out.svg"
    try:
        main([str(a) for a in ["respdor", "fit", data_files["sigma"], "--pair", PAIR,
                               "--bootstrap", "0", "--plot", plot]])
    except OSError:
        pass  # how the exit looks is covered by test_known_bug_gives_clean_error
    capsys.readouterr()
    assert list(tmp_path.iterdir()) == []


def _console_script() -> Path:
    script = Path(sys.executable).with_name("cald")
    assert script.exists(), f"console script not installed next to {sys.executable}"
    return script


@pytest.mark.parametrize(("args", "status"), [
    (["--version"], 0),
    (["respdor", "fit", "{tmp}/missing.csv", "--pair", PAIR], 2),
], ids=["version", "missing-file"])
def test_console_script(tmp_path, args, status):
    proc = subprocess.run([str(_console_script()), *_fill(args, tmp_path, tmp_path)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False)
    assert proc.returncode == status, proc.stderr
    assert "Traceback" not in proc.stderr
    if status == 0:
        assert proc.stdout.strip() == f"cald {__version__}"
        assert proc.stderr == ""
    else:
        assert proc.stdout == ""
        assert proc.stderr.startswith("error:")
        assert str(tmp_path / "missing.csv") in proc.stderr
        assert proc.stderr.count("\n") == 1
