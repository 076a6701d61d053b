"""``cald.atomistic.analyze``, ``cald model analyze`` and the ``model`` kind on hand-made
geometries with exact distances (tests/data/models/README.md)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import typer
from ase import Atoms

from cald.atomistic.analyze import analyze_model
from cald.atomistic.analyze_options import ModelAnalyzeOptions
from cald.cli import app as cli_app
from cald.cli.model_analyze import register_analyze
from cald.errors import DataFileError, ParameterError
from cald.io.structure import read_structure
from cald.io.table import write_table
from cald.recoupling.redor import dephasing
from test_cli import assert_clean_error, run
from test_pipeline import validate

MODEL = Path(__file__).parent / "data" / "models" / "cd_acetate_alme2.extxyz"

if not any(g.name == "model" for g in cli_app.app.registered_groups):  # until `model` is wired
    _group = typer.Typer(no_args_is_help=True)
    register_analyze(_group)
    cli_app.app.add_typer(_group, name="model")


def acetate(origin, symbols, positions):
    """Carboxyl C at ``origin`` with O at (±1.10, 0, −0.635) Å (C–O 1.270 Å) and a methyl C."""
    o = np.asarray(origin, dtype=float)
    symbols += ["C", "O", "O", "C"]
    positions += [o, o + [-1.10, 0, -0.635], o + [1.10, 0, -0.635], o + [0, 0, 1.51]]


def with_metals(metals):
    symbols, positions = [], []
    acetate((0, 0, 0), symbols, positions)
    for el, pos in metals:
        symbols.append(el)
        positions.append(np.asarray(pos, dtype=float))
    return Atoms(symbols, positions=np.array(positions))


# --- pairs and couplings ----------------------------------------------------------------------


def test_pair_at_2_5_angstrom_gives_504_hz():
    result = analyze_model(Atoms("CAl", positions=[[0, 0, 0], [2.5, 0, 0]]))
    (pair,) = result.to_dict()["pairs"]
    assert pair == {"i": 0, "j": 1, "r_angstrom": pytest.approx(2.5), "d_hz": pytest.approx(504, abs=1)}


def test_cd_al_pairs_and_cutoff():
    atoms = Atoms("CdAlAl", positions=[[0, 0, 0], [2.5, 0, 0], [0, 6.5, 0]])
    result = analyze_model(atoms, ModelAnalyzeOptions(pair="111Cd-27Al"))
    assert [(p.i, p.j) for p in result.pairs] == [(0, 1)]  # 6.5 Å is beyond the 6 Å cutoff
    assert result.pairs[0].d_hz == pytest.approx(427, abs=1)  # science sheet §2
    wide = analyze_model(atoms, ModelAnalyzeOptions(pair="113Cd-27Al", cutoff_angstrom=7))
    assert len(wide.pairs) == 2 and wide.f == 1.0
    assert wide.curves[0].n_partners == 2


def test_minimum_image_across_a_periodic_boundary():
    atoms = Atoms("CAl", positions=[[0.5, 5, 5], [9.0, 5, 5]], cell=[10, 10, 10], pbc=True)
    (pair,) = analyze_model(atoms).pairs
    assert pair.r_angstrom == pytest.approx(1.5)
    atoms.pbc = False
    assert analyze_model(atoms).pairs == []  # 8.5 Å without the periodic image
    wide = analyze_model(atoms, ModelAnalyzeOptions(cutoff_angstrom=9))
    assert wide.pairs[0].r_angstrom == pytest.approx(8.5)


def test_every_periodic_image_within_the_cutoff_couples():
    atoms = Atoms("CAl", positions=[[0, 0, 0], [2.5, 0, 0]], cell=[5, 20, 20],
                  pbc=[True, False, False])
    result = analyze_model(atoms)
    assert [(p.i, p.j) for p in result.pairs] == [(0, 1), (0, 1)]  # at +2.5 and −2.5 Å
    (site,) = result.curves
    assert site.r_angstrom == pytest.approx(2.5) and site.n_partners == 2
    assert site.d_eff_hz == pytest.approx(math.sqrt(2) * 504, abs=2)


# --- binding modes and Al coordination ----------------------------------------------------------


@pytest.mark.parametrize("metals, mode", [
    ([("Cd", (0, 0, -2.6))], "chelating"),                        # both O 2.249 Å from one Cd
    ([("Cd", (-2.3, 0, -1.4)), ("Cd", (2.3, 0, -1.4))], "bridging"),  # one Cd per O, 1.42 Å
    ([("Cd", (-1.1, 0, -2.935))], "monodentate"),                 # 2.30 Å from O1, 2.87 from O2
    ([("Al", (2.85, 0, -0.2))], "monodentate"),                   # AlMe2–O2CR
    ([("Cd", (0, 0, -5.0))], "unbound"),
])
def test_binding_modes(metals, mode):
    (carboxylate,) = analyze_model(with_metals(metals), ModelAnalyzeOptions(pair="13C-27Al")
                                   if any(el == "Al" for el, _ in metals)
                                   else ModelAnalyzeOptions(pair="13C-113Cd")).carboxylates
    assert carboxylate.mode == mode
    assert carboxylate.oxygens == (1, 2)


def test_mode_cutoffs_are_options():
    atoms = with_metals([("Cd", (0, 0, -2.6))])  # Cd–O 2.249 Å
    opts = ModelAnalyzeOptions(pair="13C-113Cd", cd_o_max_angstrom=2.2)
    assert analyze_model(atoms, opts).carboxylates[0].mode == "unbound"


def _al_cluster(n_o: int, r: float) -> Atoms:
    dirs = {4: [(1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)],
            6: [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)]}[n_o]
    pos = [np.zeros(3)] + [r * np.asarray(d, float) / np.linalg.norm(d) for d in dirs]
    pos.append(np.array([0, 0, 4.0]))  # a carbon to make the 13C-27Al pair present
    return Atoms("Al" + "O" * n_o + "C", positions=pos)


@pytest.mark.parametrize("n_o, r", [(4, 1.76), (6, 1.91)])
def test_al_coordination_numbers(n_o, r):
    result = analyze_model(_al_cluster(n_o, r))
    (al,) = result.aluminium
    assert al.cn == al.cn_o == n_o and al.r_o_angstrom == pytest.approx([r] * n_o)
    assert result.to_dict()["al_cn"] == {str(n_o): 1}


def test_corundum_every_al_is_octahedral():
    """α-Al2O3 (R-3c, a = 4.7602, c = 12.9933 Å, Al z = 0.35216, O x = 0.30624; Lewis,
    Schwarzenbach and Flack, Acta Cryst. A38, 733 (1982)): Al–O 3 × 1.855 and 3 × 1.972 Å."""
    from ase.spacegroup import crystal

    atoms = crystal(["Al", "O"], basis=[(0, 0, 0.35216), (0.30624, 0, 0.25)], spacegroup=167,
                    cellpar=[4.7602, 4.7602, 12.9933, 90, 90, 120])
    result = analyze_model(atoms, ModelAnalyzeOptions(pair="17O-27Al"))
    assert result.cn_counts() == {"6": 12}
    for site in result.aluminium:
        assert site.r_o_angstrom == pytest.approx([1.855] * 3 + [1.972] * 3, abs=0.001)


def test_al_coordination_counts_methyls():
    result = analyze_model(read_structure(MODEL))
    (al,) = result.aluminium
    assert (al.cn, al.cn_o) == (3, 1)


# --- predicted curves ---------------------------------------------------------------------------


def test_one_pair_gives_the_analytic_two_spin_curve():
    atoms = with_metals([("Al", (2.85, 0, -0.2))])
    result = analyze_model(atoms, ModelAnalyzeOptions(kappa=0.8))
    (site,) = result.curves
    r = math.dist((0, 0, 0), (2.85, 0, -0.2))
    assert site.r_angstrom == pytest.approx(r) and site.d_hz == pytest.approx(7878 / r**3, rel=1e-3)
    expected = dephasing(result.t_s, site.d_hz, 1.0, 2.5, 0.8)
    np.testing.assert_allclose(site.ds_s0, expected, rtol=1e-12)
    np.testing.assert_allclose(site.ds_s0_multi, expected, rtol=1e-12)
    np.testing.assert_allclose(result.ensemble(), expected, rtol=1e-12)


def test_two_equal_al_give_sqrt2_d_eff():
    atoms = Atoms("CAlAl", positions=[[0, 0, 0], [2.5, 0, 0], [0, 2.5, 0]])
    (site,) = analyze_model(atoms).curves
    assert site.d_eff_hz == pytest.approx(math.sqrt(2) * site.d_hz)
    np.testing.assert_allclose(site.ds_s0_multi, dephasing(np.linspace(0, 3e-3, 61),
                                                           math.sqrt(2) * site.d_hz))


def test_test_model_numbers_and_json_contract():
    result = analyze_model(read_structure(MODEL), source="m").to_dict()
    assert result["modes"] == {"chelating": 1, "bridging": 0, "monodentate": 1, "unbound": 0}
    assert result["carboxylates"][0]["metal_symbols"] == [["Cd"], ["Cd", "Al"]]
    assert result["site_r_angstrom"] == pytest.approx(math.hypot(2.85, 0.2))
    assert result["shortest_r_angstrom"] == pytest.approx(math.sqrt(0.81 + 2.56 + 0.25))  # Al–CH3
    assert result["f"] == 0.5
    ens = np.asarray(result["curves"]["ensemble"]["dS_S0"])
    assert ens == pytest.approx(0.5 * np.asarray(result["curves"]["sites"][0]["dS_S0"]))
    assert len(result["curves"]["t_ms"]) == len(ens) and result["curves"]["t_ms"][-1] == 3.0
    assert set(result["pairs"][0]) == {"i", "j", "r_angstrom", "d_hz"}
    json.dumps(result, allow_nan=False)


# --- bad input ----------------------------------------------------------------------------------


def test_pair_absent_from_model():
    with pytest.raises(ParameterError, match="no Al atoms"):
        analyze_model(Atoms("CO", positions=[[0, 0, 0], [1.2, 0, 0]]))
    with pytest.raises(ParameterError, match="no Cd and no Al"):
        analyze_model(Atoms("CO", positions=[[0, 0, 0], [1.2, 0, 0]]),
                      ModelAnalyzeOptions(pair="111Cd-27Al"))


@pytest.mark.parametrize("text", ["3\ncomment\nC 0 0 0\nAl 1 x 0\n", "not a structure at all\n",
                                  "", "0\n\n"])
def test_malformed_files(tmp_path, text):
    path = tmp_path / "bad.xyz"
    path.write_text(text)
    with pytest.raises(DataFileError, match="bad.xyz"):
        read_structure(path)


def test_cif_reads(tmp_path):
    path = tmp_path / "m.cif"
    from ase.io import write

    write(path, Atoms("CAl", positions=[[1, 1, 1], [3.5, 1, 1]], cell=[8, 8, 8], pbc=True))
    assert analyze_model(read_structure(path)).pairs[0].r_angstrom == pytest.approx(2.5)


# --- command line -------------------------------------------------------------------------------


def test_cli_json_and_plot(capsys, tmp_path):
    curve = tmp_path / "curve.csv"
    t_ms = [0.5, 1.0, 2.0, 3.0]
    write_table(curve, {"t_ms": t_ms, "dS_S0": list(0.24 * dephasing(np.array(t_ms) * 1e-3, 503))})
    code, out, err = run(capsys, ["model", "analyze", MODEL, "--pair", "13C-27Al", "--json",
                                  "--plot", tmp_path / "c.svg", "--curve", curve])
    assert code == 0, err
    obj = json.loads(out)
    assert obj["cutoff_angstrom"] == 6.0 and obj["modes"]["chelating"] == 1
    assert (tmp_path / "c.svg").read_bytes().startswith(b"<?xml")
    code, out, err = run(capsys, ["model", "analyze", MODEL, "--cutoff-angstrom", "2"])
    assert code == 0 and "f = 0.000" in out


@pytest.mark.parametrize("args, fragment", [
    (["--cutoff-angstrom", "-1"], "--cutoff-angstrom must be positive"),
    (["--pair", "111Cd-15N"], "no N atoms"),
    (["--pair", "13C-99Xx"], "unknown isotope"),
    (["--plot", "x.txt"], "--plot"),
])
def test_cli_bad_options(capsys, args, fragment):
    assert_clean_error(*run(capsys, ["model", "analyze", MODEL, *args]), fragment)


def test_cli_bad_files(capsys, tmp_path):
    bad = tmp_path / "bad.xyz"
    bad.write_text("2\n\nC 0 0\n")
    assert_clean_error(*run(capsys, ["model", "analyze", bad]), "bad.xyz")
    assert_clean_error(*run(capsys, ["model", "analyze", tmp_path / "none.xyz"]), "none.xyz")
    curve = tmp_path / "curve.csv"
    curve.write_text("t_ms,dS_S0\n1,abc\n")
    assert_clean_error(*run(capsys, ["model", "analyze", MODEL, "--curve", curve]), "curve.csv")


# --- the kind -----------------------------------------------------------------------------------


def test_kind_presentation(tmp_path):
    from cald.project.analyses import get_kind

    kind = get_kind("model")
    assert kind.section == "models" and "structure" in kind.input_kinds
    curve = tmp_path / "curve.csv"
    t_ms = [0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0]
    rng = np.random.default_rng(1)
    y = 0.24 * dephasing(np.array(t_ms) * 1e-3, 503) + rng.normal(0, 0.005, len(t_ms))
    write_table(curve, {"t_ms": t_ms, "dS_S0": list(y), "sigma": [0.005] * len(t_ms)})
    params = kind.parse_parameters({"pair": "13C-27Al"}, "analyses[0]", tmp_path / "p.toml")
    bare = kind.run([MODEL], params, None)
    paired = kind.run([MODEL, curve], params, None)
    assert [f.name for f in paired.figures] == ["model", "curves"]
    assert all(f.svg.startswith(b"<?xml") and f.png for f in paired.figures)
    assert bare.result["measured"] is None and "2.86 Å" in bare.summary
    measured = paired.result["measured"]
    assert measured["r_angstrom"] == pytest.approx(2.5, abs=0.1)
    assert paired.result["curves"]["t_ms"][-1] == pytest.approx(4.2)  # extended to the data
    entries = [{"id": "m-bare", "sample": None, "kind": "model", "result": bare.result},
               {"id": "m-nmr", "sample": None, "kind": "model", "result": paired.result}]
    rows = dict(kind.key_numbers(paired.result))
    assert rows["shortest carboxylate C–Al"] == "2.857 Å"
    assert rows["carboxylate modes"] == "1 chelating, 1 monodentate"
    assert rows["Al coordination"] == "1 × 3"
    assert "measured r (one-distance fit)" in rows
    (card,) = kind.card_tables(paired.result)
    assert len(card.rows) == 2
    (table,) = kind.tables(entries, {})
    assert [r[0] for r in table.rows] == ["m-bare", "m-nmr"] and table.rows[0][-1] == "—"
    assert table.rows[1][2] == "not relaxed by cald (no relaxation record)"
    assert rows["geometry"] == table.rows[1][2]
    assert table.rows[1][3] == "2.86 Å"
    (across,) = kind.figures(entries, {})
    assert across.svg.startswith(b"<?xml") and b"measured fit" in across.svg
    (statement,) = kind.mechanism(entries[1], {})
    assert statement.value == pytest.approx(2.857, abs=1e-3) and statement.unit == "Å"
    assert "longer" in statement.text and "measured" in statement.text
    with pytest.raises(DataFileError, match="structure first"):
        kind.run([curve, MODEL], params, None)


def test_model_kind_in_a_project(tmp_path):
    import shutil

    from cald.project.pipeline import run_project

    shutil.copy(MODEL, tmp_path / "model.extxyz")
    t_ms = [0.25, 0.5, 1.0, 2.0, 3.0]
    write_table(tmp_path / "curve.csv", {"t_ms": t_ms, "dS_S0": list(0.24 * dephasing(
        np.array(t_ms) * 1e-3, 503) + 0.003), "sigma": [0.01] * len(t_ms)})
    (tmp_path / "project.toml").write_text(
        '[project]\nname = "models"\n\n[[samples]]\nname = "CdSe@AlOx-1"\ncycles = 1\n\n'
        '[[datasets]]\nid = "model-a"\npath = "model.extxyz"\nkind = "structure"\n\n'
        '[[datasets]]\nid = "curve"\npath = "curve.csv"\nkind = "csv"\nsample = "CdSe@AlOx-1"\n\n'
        '[[analyses]]\nid = "model-a"\nkind = "model"\ninputs = ["model-a", "curve"]\n'
        '[analyses.parameters]\npair = "13C-27Al"\ncutoff_angstrom = 6\n', encoding="utf-8")
    summary = run_project(tmp_path / "project.toml", tmp_path / "out")
    assert summary.n_failed == 0
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    validate(results)
    (statement,) = results["mechanism"]
    assert statement["text"].startswith("Shortest carboxylate C–Al")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Atomistic models beside the NMR distance" in html
    assert (tmp_path / "out" / "figures" / "model-a_model.svg").is_file()


def test_command_line_and_project_give_the_same_options():
    from cald.cli.common import build_options
    from cald.project.analyses import get_kind

    cli = build_options(ModelAnalyzeOptions, pair="111Cd-27Al", cutoff_angstrom=5.0, t_max_ms=2.5,
                        cd_o_max_angstrom=2.6, al_o_max_angstrom=2.1, kappa=0.55)
    project = get_kind("model").parse_parameters(
        {"pair": "111Cd-27Al", "cutoff_angstrom": 5.0, "t_max_ms": 2.5, "cd_o_max_angstrom": 2.6,
         "al_o_max_angstrom": 2.1, "kappa": 0.55}, "analyses[0]", Path("project.toml"))
    # the kind's parameters add those of a Bruker series' extraction to the command's
    assert project.model_dump(include=set(ModelAnalyzeOptions.model_fields)) == cli.model_dump()
    assert cli.t_max_s == pytest.approx(2.5e-3)


# --- a Bruker series as the measured input, predicted curves on the RESPDOR figure --------------


@pytest.fixture(scope="module")
def series(tmp_path_factory) -> Path:
    """A synthetic 13C{27Al} RESPDOR series (D = 503 Hz, f = 0.24, 10 kHz MAS)."""
    from cald.synth.nmr_sets import write_respdor_series

    return write_respdor_series(tmp_path_factory.mktemp("series") / "respdor", 503.0, 0.24,
                                list(range(2, 31, 4)), noise_sd=0.004, seed=7)


def test_kind_reads_a_bruker_series_as_the_respdor_kind_does(series, tmp_path):
    """The model kind integrates a Bruker series with the respdor kind's code and parameters:
    its one-distance fit is the respdor kind's."""
    from cald.project.analyses import PREDICTIONS, get_kind

    where, source = "analyses[0]", tmp_path / "p.toml"
    model = get_kind("model")
    params = model.parse_parameters({"pair": "13C-27Al", "region": [190.0, 178.0]}, where, source)
    out = model.run([MODEL, series], params, None)
    fit = get_kind("respdor").run(
        [series], get_kind("respdor").parse_parameters(
            {"pair": "13C-27Al", "region": [190.0, 178.0], "bootstrap": 0}, where, source),
        None).result
    measured = out.result["measured"]
    assert measured["source"] == "respdor"
    for key in ("d_hz", "f", "r_angstrom"):
        assert measured[key] == pytest.approx(fit[key], rel=1e-9), key
    assert measured["r_angstrom"] == pytest.approx(2.5, abs=0.1)
    assert out.result["curves"]["t_ms"][-1] == pytest.approx(3.0 * 1.05)  # extended to the data
    # the closest site's two-spin curve, published for the respdor observable of the pair and κ
    (two_spin,) = out.result[PREDICTIONS]  # one Al in reach: no separate D_eff curve
    assert two_spin["observable"] == {"experiment": "respdor", "pair": "13C-27Al", "kappa": 1.0}
    assert "2.86 Å (two-spin)" in two_spin["label"]
    assert two_spin["y"] == pytest.approx(list(dephasing(np.array(two_spin["x"]) * 1e-3,
                                                         out.result["site_d_hz"])))
    # the series' own parameters reach the extraction (times in ms, half the vclist's: 2 × D)
    times = model.parse_parameters({"pair": "13C-27Al", "region": [190.0, 178.0],
                                    "t_ms": [0.05 * k for k in range(2, 31, 4)]}, where, source)
    assert model.run([MODEL, series], times, None).result["measured"]["d_hz"] == pytest.approx(
        2 * measured["d_hz"], rel=1e-6)


def test_kind_refuses_inputs_out_of_order(series, tmp_path):
    from cald.project.analyses import get_kind

    kind = get_kind("model")
    params = kind.parse_parameters({"region": [190.0, 178.0]}, "analyses[0]", tmp_path / "p.toml")
    curve = tmp_path / "curve.csv"
    write_table(curve, {"t_ms": [1.0, 2.0], "dS_S0": [0.1, 0.2]})
    for inputs in ([series, MODEL], [MODEL, curve, series], [MODEL, MODEL]):
        with pytest.raises(DataFileError, match="structure first.*Bruker series"):
            kind.run(inputs, params, None)


def test_predicted_curves_on_the_respdor_figure(series, tmp_path):
    """A model of the pair measured by a respdor analysis is drawn on the respdor section's
    figure, scaled by the measured f; a model of another pair (or κ) is not."""
    import base64
    import re
    import shutil

    from cald.project.pipeline import run_project

    shutil.copy(MODEL, tmp_path / "model.extxyz")
    shutil.copytree(series, tmp_path / "respdor")
    models = "".join(
        f'[[analyses]]\nid = "{aid}"\nkind = "model"\ninputs = ["model", "series"]\n'
        f'[analyses.parameters]\nregion = [190.0, 178.0]\n{extra}\n\n'
        for aid, extra in (("model-c", 'pair = "13C-27Al"'), ("model-cd", 'pair = "111Cd-27Al"'),
                           ("model-kappa", 'pair = "13C-27Al"\nkappa = 0.5')))
    (tmp_path / "project.toml").write_text(
        '[project]\nname = "overlay"\n\n[[samples]]\nname = "n1"\ncycles = 1\n\n'
        '[[datasets]]\nid = "model"\npath = "model.extxyz"\nkind = "structure"\nsample = "n1"\n\n'
        '[[datasets]]\nid = "series"\npath = "respdor"\nkind = "bruker"\nsample = "n1"\n\n'
        '[[analyses]]\nid = "fit"\nkind = "respdor"\ninputs = ["series"]\n[analyses.parameters]\n'
        'pair = "13C-27Al"\nregion = [190.0, 178.0]\nbootstrap = 0\n\n' + models,
        encoding="utf-8")
    summary = run_project(tmp_path / "project.toml", tmp_path / "out")
    assert summary.n_failed == 0
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    figures = re.findall(r'<figure class="overlay"><img alt="(respdor_predicted[^"]*)" '
                         r'src="data:image/svg\+xml;base64,([^"]+)"><figcaption>([^<]*)', html)
    assert [name for name, _, _ in figures] == ["respdor_predicted_13C-27Al_kappa1"]
    _, svg, caption = figures[0]
    assert html.rindex('id="section-', 0, html.index(svg)) == html.index('id="section-respdor"')
    assert "model-c " in caption and "model-cd" not in caption and "model-kappa" not in caption
    texts = re.findall(r"<!-- (.*?) -->", base64.b64decode(svg).decode())
    f = next(a for a in summary.results["analyses"] if a["id"] == "fit")["result"]["f"]
    assert "fit (measured)" in texts and any(t.startswith("fit: r = 2.") for t in texts)
    assert f"model-c: shortest carboxylate C–Al 2.86 Å (two-spin), × measured f = {f:.2f}" in texts
    assert not any("model-cd" in t or "model-kappa" in t for t in texts)


def test_model_kind_relaxes_first_with_a_relax_table(tmp_path):
    """``relax = {…}`` in the analysis' parameters relaxes the model (GFN2-xTB) before the
    analysis; the card says how (here the step limit stops it), the parameters are validated."""
    from cald.atomistic.options import BuildOptions
    from cald.errors import InputError
    from cald.io.structure import write_structure
    from cald.project.analyses import get_kind

    start = tmp_path / "tiny.extxyz"
    write_structure(BuildOptions(size="1x1", layers=2, ligands=1, tma=1, fixed_layers=1).build(),
                    start)
    kind = get_kind("model")
    params = kind.parse_parameters({"pair": "13C-27Al", "relax": {"steps": 2}}, "analyses[0]",
                                   tmp_path / "p.toml")
    out = kind.run([start], params, None)
    relaxation = out.result["relaxation"]
    assert relaxation["method"] == "GFN2-xTB" and relaxation["steps"] == 2
    assert relaxation["converged"] is False
    assert dict(kind.key_numbers(out.result))["geometry"].startswith("relaxed (GFN2-xTB")
    assert "relaxed (GFN2-xTB" in out.figures[0].caption
    unrelaxed = kind.run([start], kind.parse_parameters({"pair": "13C-27Al"}, "a", start), None)
    assert unrelaxed.result["relaxation"] is None
    assert unrelaxed.result["site_r_angstrom"] != out.result["site_r_angstrom"]
    with pytest.raises(InputError, match=r"analyses\[0\]\.parameters\.relax\.steps"):
        kind.parse_parameters({"relax": {"steps": 0}}, "analyses[0]", tmp_path / "p.toml")
