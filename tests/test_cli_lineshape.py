"""`cald peaks fit` and the `peaks` analysis kind, on the demo's synthetic 13C CP spectrum
(carboxylate 184 ppm chelating, 180.5 ppm bridging with 0.25/(0.6 + 0.25) of the area)."""

import json
import shutil

import pytest

from cald.project.demo import write_demo_project
from cald.project.pipeline import run_project
from test_cli import assert_clean_error, run, run_json

BRIDGING_FRACTION = 0.25 / (0.6 + 0.25)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo_project(folder)
    return folder


def test_peaks_fit_json_and_plot(capsys, demo, tmp_path):
    plot = tmp_path / "fit.png"
    obj = run_json(capsys, ["peaks", "fit", demo / "data" / "cp_13c_n1_mw_on", "--region",
                            "172:195", "--n", "2", "--plot", plot])
    assert {"shape", "peaks", "redchi"} <= set(obj)
    fractions = sorted(p["fraction"] for p in obj["peaks"])
    assert fractions[0] == pytest.approx(BRIDGING_FRACTION, abs=0.03)
    assert all(p["fraction_err"] is not None and p["fraction_err"] > 0 for p in obj["peaks"])
    assert plot.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(("extra", "fragment"), [
    (["--shape", "triangle"], "--shape must be one of"),
    (["--baseline", "cubic"], "--baseline must be"),
    (["--n", "0"], "--n must be at least 1"),
    (["--plot", "fit.txt"], "--plot"),
    (["--centers", "184,abc"], "--centers"),
])
def test_peaks_fit_bad_options(capsys, demo, extra, fragment):
    code, out, err = run(capsys, ["peaks", "fit", demo / "data" / "cp_13c_n1_mw_on", "--region",
                                  "172:195", *extra])
    assert_clean_error(code, out, err, fragment)


def test_peaks_fit_bad_region_and_file(capsys, demo, tmp_path):
    code, out, err = run(capsys, ["peaks", "fit", demo / "data" / "cp_13c_n1_mw_on", "--region",
                                  "900:950"])
    assert_clean_error(code, out, err)
    code, out, err = run(capsys, ["peaks", "fit", tmp_path / "missing", "--region", "1:2"])
    assert_clean_error(code, out, err, "missing")


def test_peaks_analysis_kind_in_a_project(demo, tmp_path):
    folder = tmp_path / "project"
    shutil.copytree(demo, folder)
    with open(folder / "project.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[[analyses]]\nid = "carboxylate-n1"\nkind = "peaks"\ninputs = ["cp13c-n1-on"]\n'
                 '[analyses.parameters]\nregion = [195.0, 172.0]\nn_peaks = 2\n'
                 'labels = ["chelating", "bridging"]\n')
    summary = run_project(folder / "project.toml", folder)
    assert summary.n_failed == 0
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    peaks = next(a for a in results["analyses"] if a["kind"] == "peaks")
    bridging = next(p for p in peaks["result"]["peaks"] if p["label"] == "bridging")
    assert bridging["fraction"] == pytest.approx(BRIDGING_FRACTION, abs=0.03)
    assert "Peak deconvolution" in (folder / "report.html").read_text(encoding="utf-8")


AL_SITES = ((68.0, 3.0, 0.5), (36.0, 2.5, 0.2), (9.0, 2.0, 0.3))  # δiso ppm, σ MHz, fraction


@pytest.fixture(scope="module")
def al27_csv(tmp_path_factory):
    """A 27Al central-transition spectrum of three Czjzek sites with 1 % noise (CSV)."""
    import numpy as np

    from cald.io.table import write_table
    from cald.lineshape.czjzek import czjzek_site_spectrum, library_for_axis

    ppm = np.linspace(140.0, -80.0, 1100)
    library = library_for_axis(ppm, "27Al", 400.13, None)
    y = sum(czjzek_site_spectrum(ppm, iso, sigma, 3.0, frac, library=library)
            for iso, sigma, frac in AL_SITES)
    y = y + np.random.default_rng(0).normal(0.0, 0.01 * y.max(), y.size)
    path = tmp_path_factory.mktemp("al27") / "al27.csv"
    write_table(path, {"ppm": ppm, "intensity": y}, ["synthetic 27Al, three Czjzek sites"])
    return path


def test_quad_fit_json_and_plot(capsys, al27_csv, tmp_path):
    plot = tmp_path / "quad.svg"
    obj = run_json(capsys, ["quad", "fit", al27_csv, "--nucleus", "27Al", "--field-1h-mhz",
                            "400.13", "--sites", "4,5,6", "--plot", plot])
    sites = obj["sites"]
    assert [s["label"] for s in sites] == ["Al(IV)", "Al(V)", "Al(VI)"]
    for site, (iso, _, frac) in zip(sites, AL_SITES, strict=True):
        assert {"label", "iso_ppm", "fraction", "fraction_err"} <= set(site)
        assert site["iso_ppm"] == pytest.approx(iso, abs=0.5)
        assert site["fraction"] == pytest.approx(frac, abs=0.03)
        assert site["fraction_err"] > 0
    assert "not quantitative" in obj["warning"]
    assert plot.read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize(("extra", "fragment"), [
    (["--nucleus", "13C"], "13C"),
    (["--mas-khz", "-1"], "--mas-khz"),
    (["--sites", "400"], "400"),
    (["--plot", "quad.gif"], "--plot"),
    (["--cq-max-mhz", "0"], "--cq-max-mhz"),
])
def test_quad_fit_bad_input(capsys, al27_csv, extra, fragment):
    code, out, err = run(capsys, ["quad", "fit", al27_csv, "--field-1h-mhz", "400.13", *extra])
    assert_clean_error(code, out, err, fragment)


CD_SITES = ((-320.0, -350.0, 0.3, 0.6), (-630.0, 150.0, 0.6, 0.4))  # δiso, ζ (ppm), η, fraction


@pytest.fixture(scope="module")
def cd113_csv(tmp_path_factory):
    """113Cd sideband manifolds of two sites at 9.4 T, 8 kHz MAS, S/N ≈ 300 (CSV)."""
    import numpy as np

    from cald.io.table import write_table
    from cald.lineshape.sidebands import csa_sideband_spectrum
    from cald.nuclei import larmor_mhz

    ppm = np.linspace(100.0, -900.0, 4000)
    lm = larmor_mhz("113Cd", 400.13)
    y = sum(csa_sideband_spectrum(ppm, iso, zeta, eta, mas_hz=8000.0, larmor_mhz=lm,
                                  amplitude=frac, fwhm_lorentz_hz=300.0)
            for iso, zeta, eta, frac in CD_SITES)
    y = y + np.random.default_rng(1).normal(0.0, y.max() / 300, y.size)
    path = tmp_path_factory.mktemp("cd113") / "cd113.csv"
    write_table(path, {"ppm": ppm, "intensity": y}, ["synthetic 113Cd sideband spectrum"])
    return path


def test_quad_fit_cq_grid_option(capsys, al27_csv):
    obj = run_json(capsys, ["quad", "fit", al27_csv, "--field-1h-mhz", "400.13", "--cq-max-mhz", "30"])
    assert obj["kernel_library"]["cq_max_mhz"] == 30.0 and obj["kernel_library"]["n_cq"] == 120


def test_csa_fit_mas_rate_refined_or_fixed(capsys, cd113_csv):
    args = ["csa", "fit", cd113_csv, "--nucleus", "113Cd", "--mas-khz", "8.002", "--field-1h-mhz",
            "400.13", "--sites", "-320,-630"]
    refined = run_json(capsys, args)
    assert refined["mas_hz"] == pytest.approx(8000.0, abs=max(3 * refined["mas_hz_err"], 0.5))
    assert refined["mas_hz_given"] == pytest.approx(8002.0) and not refined["fix_mas"]
    fixed = run_json(capsys, [*args, "--fix-mas"])
    assert fixed["mas_hz"] == pytest.approx(8002.0) and fixed["mas_hz_err"] is None and fixed["fix_mas"]
    assert fixed["redchi"] > refined["redchi"]


def test_csa_fit_json_and_plot(capsys, cd113_csv, tmp_path):
    plot = tmp_path / "csa.svg"
    obj = run_json(capsys, ["csa", "fit", cd113_csv, "--nucleus", "113Cd", "--mas-khz", "8",
                            "--field-1h-mhz", "400.13", "--sites", "-320,-630", "--plot", plot])
    for site, (iso, zeta, eta, frac) in zip(obj["sites"], CD_SITES, strict=True):
        assert {"iso_ppm", "zeta_ppm", "eta", "omega_ppm", "kappa", "fraction"} <= set(site)
        assert site["iso_ppm"] == pytest.approx(iso, abs=0.5)
        assert site["zeta_ppm"] == pytest.approx(zeta, abs=10)
        assert site["eta"] == pytest.approx(eta, abs=0.05)
        assert site["fraction"] == pytest.approx(frac, abs=0.03)
    assert plot.read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize(("extra", "fragment"), [
    (["--nucleus", "27Al", "--mas-khz", "8"], "27Al"),
    (["--mas-khz", "0"], "--mas-khz"),
    (["--nucleus", "113Cd", "--mas-khz", "8", "--sites", "-2000"], "-2000"),
    (["--mas-khz", "8", "--lineshape", "box"], "--lineshape"),
    (["--mas-khz", "8"], "nucleus"),
])
def test_csa_fit_bad_input(capsys, cd113_csv, extra, fragment):
    code, out, err = run(capsys, ["csa", "fit", cd113_csv, "--field-1h-mhz", "400.13", *extra])
    assert_clean_error(code, out, err, fragment)


def test_quad_and_csa_analysis_kinds_in_a_project(al27_csv, cd113_csv, tmp_path):
    """The csa and quad kinds run from a project on CSV data and land in the report."""
    folder = tmp_path / "lineshapes"
    (folder / "data").mkdir(parents=True)
    shutil.copy(al27_csv, folder / "data" / "al27.csv")
    shutil.copy(cd113_csv, folder / "data" / "cd113.csv")
    (folder / "project.toml").write_text(
        '[project]\nname = "lineshapes"\n\n[[samples]]\nname = "n1"\ncycles = 1\n\n'
        '[[datasets]]\nid = "al27"\npath = "data/al27.csv"\nkind = "csv"\nsample = "n1"\n\n'
        '[[datasets]]\nid = "cd113"\npath = "data/cd113.csv"\nkind = "csv"\nsample = "n1"\n\n'
        '[[analyses]]\nid = "al-sites"\nkind = "quad"\ninputs = ["al27"]\n'
        '[analyses.parameters]\nfield_1h_mhz = 400.13\nsites = [4, 5, 6]\n\n'
        '[[analyses]]\nid = "cd-csa"\nkind = "csa"\ninputs = ["cd113"]\n'
        '[analyses.parameters]\nmas_khz = 8.0\nnucleus = "113Cd"\nfield_1h_mhz = 400.13\n'
        'sites = [-320.0, -630.0]\noverlay = "113Cd MAS"\nnormalise_region = [-300.0, -340.0]\n\n'
        '[[samples]]\nname = "n3"\ncycles = 3\n\n'
        '[[datasets]]\nid = "cd113-n3"\npath = "data/cd113.csv"\nkind = "csv"\nsample = "n3"\n\n'
        '[[analyses]]\nid = "cd-csa-n3"\nkind = "csa"\ninputs = ["cd113-n3"]\n'
        '[analyses.parameters]\nmas_khz = 8.0\nnucleus = "113Cd"\nfield_1h_mhz = 400.13\n'
        'sites = [-320.0, -630.0]\noverlay = "113Cd MAS"\nnormalise_region = [-300.0, -340.0]\n',
        encoding="utf-8")
    summary = run_project(folder / "project.toml", folder)
    assert summary.n_failed == 0, summary.results["analyses"]
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    by_id = {a["id"]: a["result"] for a in results["analyses"]}
    assert [s["label"] for s in by_id["al-sites"]["sites"]] == ["Al(IV)", "Al(V)", "Al(VI)"]
    assert by_id["cd-csa"]["sites"][0]["fraction"] == pytest.approx(0.6, abs=0.03)
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Quadrupolar sites (Czjzek)" in html and "CSA sites (sideband manifolds)" in html
    # Table S2 layout across samples (n = 1 then n = 3, two sites each) and the 113Cd overlay
    assert "CSA parameters across samples (layout of Table S2)" in html
    table = html.split("layout of Table S2")[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 4
    assert table.index("(n = 1)") < table.index("(n = 3)")
    assert "113Cd MAS: normalised to the tallest point of -300–-340 ppm" in html
    assert by_id["cd-csa-n3"]["normalisation"]["region"] == [-300.0, -340.0]


def test_csa_and_quad_fit_on_the_demo_bruker_data(capsys, demo):
    """Both fits read the demo's synthetic Bruker folders (nucleus and field from acqus/procs)."""
    cd = run_json(capsys, ["csa", "fit", demo / "data" / "cp_113cd_n1", "--mas-khz", "8",
                           "--sites=-50,-140,-320"])
    assert [round(s["iso_ppm"]) for s in cd["sites"]] == [-50, -140, -320]
    assert [s["fraction"] for s in cd["sites"]] == pytest.approx([0.30, 0.20, 0.50], abs=0.03)
    al = run_json(capsys, ["quad", "fit", demo / "data" / "cp_27al_n3", "--sites", "4,5,6"])
    assert [s["fraction"] for s in al["sites"]] == pytest.approx([0.35, 0.25, 0.40], abs=0.03)


@pytest.fixture(scope="module")
def pass_csv(tmp_path_factory):
    """PASS slices (orders −6 … 6) of two 113Cd sites with areas 0.6 and 0.4 (CSV)."""
    import numpy as np

    from cald.io.table import write_table
    from cald.lineshape.pass_ import synthetic_pass

    ppm = np.linspace(100.0, -900.0, 2000)
    rows = synthetic_pass(ppm, [
        {"iso_ppm": -320.0, "zeta_ppm": -350.0, "eta": 0.3, "area": 0.6, "linewidth_hz": 400.0},
        {"iso_ppm": -630.0, "zeta_ppm": 150.0, "eta": 0.6, "area": 0.4, "linewidth_hz": 400.0}],
        mas_hz=8000.0, nucleus="113Cd", field_1h_mhz=400.13, noise=2e-4, seed=1)
    columns = {"ppm": rows.axis}
    columns.update({f"order_{k}": row for k, row in
                    zip(rows.meta["sideband_orders"], np.real(rows.values), strict=True)})
    path = tmp_path_factory.mktemp("pass") / "pass.csv"
    write_table(path, columns, ["synthetic 113Cd PASS slices"])
    return path


def test_csa_fit_pass_table(capsys, pass_csv, tmp_path):
    plot = tmp_path / "iso.svg"
    obj = run_json(capsys, ["csa", "fit", pass_csv, "--pass", "--nucleus", "113Cd", "--mas-khz",
                            "8", "--field-1h-mhz", "400.13", "--sites=-320,-630", "--plot", plot])
    (a, b) = obj["sites"]
    assert (a["zeta_ppm"], a["eta"]) == pytest.approx((-350.0, 0.3), abs=0.1, rel=0.05)
    assert [a["fraction"], b["fraction"]] == pytest.approx([0.6, 0.4], abs=0.03)
    assert plot.read_bytes().startswith(b"<?xml")


def test_csa_fit_pass_table_without_orders(capsys, tmp_path):
    path = tmp_path / "flat.csv"
    path.write_text("ppm,intensity\n1,2\n2,3\n3,4\n", encoding="utf-8")
    code, out, err = run(capsys, ["csa", "fit", path, "--pass", "--nucleus", "113Cd",
                                  "--mas-khz", "8", "--field-1h-mhz", "400.13"])
    assert_clean_error(code, out, err, "order_")


def test_csa_kind_with_pass_data(pass_csv, tmp_path):
    folder = tmp_path / "pass-project"
    (folder / "data").mkdir(parents=True)
    shutil.copy(pass_csv, folder / "data" / "pass.csv")
    (folder / "project.toml").write_text(
        '[project]\nname = "pass"\n\n[[samples]]\nname = "n1"\ncycles = 1\n\n'
        '[[datasets]]\nid = "pass"\npath = "data/pass.csv"\nkind = "csv"\nsample = "n1"\n\n'
        '[[analyses]]\nid = "cd-pass"\nkind = "csa"\ninputs = ["pass"]\n'
        '[analyses.parameters]\nmas_khz = 8.0\nnucleus = "113Cd"\nfield_1h_mhz = 400.13\n'
        'sites = [-320.0, -630.0]\npass_data = true\n', encoding="utf-8")
    summary = run_project(folder / "project.toml", folder)
    assert summary.n_failed == 0, summary.results["analyses"]
    sites = summary.results["analyses"][0]["result"]["sites"]
    assert [s["fraction"] for s in sites] == pytest.approx([0.6, 0.4], abs=0.03)


@pytest.fixture(scope="module")
def pass_2rr(pass_csv, tmp_path_factory):
    """The same PASS slices as TopSpin's processed 2D data (pdata/1/2rr + proc2s)."""
    from cald.io.spectrum_file import read_pass_table
    from cald.nuclei import larmor_mhz
    from cald.synth.bruker import write_pass_pdata

    rows = read_pass_table(pass_csv, "113Cd", larmor_mhz("113Cd", 400.13))
    return write_pass_pdata(tmp_path_factory.mktemp("pass2rr") / "5", rows, 8000.0,
                            xdim=(13, 250))


def test_csa_fit_pass_2rr_equals_table(capsys, pass_csv, pass_2rr):
    args = ["--pass", "--nucleus", "113Cd", "--mas-khz", "8", "--field-1h-mhz", "400.13",
            "--sites=-320,-630"]
    table = run_json(capsys, ["csa", "fit", pass_csv, *args])
    folder = run_json(capsys, ["csa", "fit", pass_2rr, *args])
    for a, b in zip(table["sites"], folder["sites"], strict=True):
        assert b["zeta_ppm"] == pytest.approx(a["zeta_ppm"], rel=1e-4)
        assert b["fraction"] == pytest.approx(a["fraction"], abs=1e-4)


def test_kinds_take_row_cpmg_grpdly(tmp_path):
    """The project file's spectrum kinds accept the reading options of the command line."""
    from cald.project.analyses.nmr import Nmr, NmrParameters
    from cald.synth.nmr_sets import write_cpmg, write_respdor_series

    series = write_respdor_series(tmp_path / "series", 503.0, 0.24, [2, 4], mas_hz=10_000.0)
    out = Nmr().run([series], NmrParameters(row=2, grpdly=68.0), None)
    assert "row 2 of 4" in out.result["history"]
    train = write_cpmg(tmp_path / "cpmg", n_echoes=8)
    out = Nmr().run([train], NmrParameters.model_validate({"cpmg": True, "echo_period_us": 2000}),
                    None)
    assert any(h.startswith("summed 7 echoes") for h in out.result["history"])
