"""`cald init`: recognition of each data-set kind (synthetic and real files), grouping into
samples on three labs' folder layouts, the drafted project.toml and --json, bad inputs, and
(slow) the round trip through the demo's data folder and a draft of the real test data."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest

from cald.cli.app import main
from cald.project.config import load_project
from cald.project.init.draft import NothingFound, draft_project
from cald.project.init.recognise import microwave_state, recognise
from cald.project.init.samples import guess_sample
from cald.project.init.walk import Candidate, walk
from cald.synth.bruker import AcquisitionSetup, Line, lines_fid, write_experiment

DATA = Path(__file__).parent / "data"


def run(capsys: pytest.CaptureFixture[str], argv: list[object]) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _title(folder: Path, text: str) -> None:
    (folder / "pdata" / "1" / "title").write_text(text + "\n", encoding="utf-8")


def _cd113_manifold(folder: Path, title: str) -> None:
    """A 113Cd MAS spectrum at 8 kHz: one site at −50 ppm with sidebands every 90 ppm."""
    setup = AcquisitionSetup("113Cd", sw_hz=200_000.0, td=8192, carrier_ppm=-200.0, mas_hz=8000.0)
    spacing_ppm = 8000.0 / setup.bf1_mhz
    lines = [Line(-50.0 + k * spacing_ppm, 1.0 / (1 + abs(k)), 300.0) for k in range(-3, 4)]
    write_experiment(folder, setup, lines_fid(setup, lines), 0.002, seed=4, lb_hz=0.0,
                     title=title)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder as a lab brings it back: NMR experiments, exports, a VAMAS file, a model."""
    from cald.synth.infrared import CHELATING_CARBOXYLATE, OLEATE_CHAIN, write_ir_csv
    from cald.synth.nmr_sets import (
        write_al27_cp,
        write_dnp_pair,
        write_dosy_series,
        write_respdor_series,
    )
    from cald.synth.optical import write_uvvis_csv
    from cald.synth.solution import write_ligand_qnmr, write_ligand_uvvis
    from cald.synth.titration import write_titration_series
    from cald.synth.xps import demo_regions, write_vamas

    root = tmp_path_factory.mktemp("lab")
    nmr = root / "nmr"
    write_respdor_series(nmr / "respdor", 503.0, 0.24, [2, 16], seed=1, noise_sd=0.004,
                         sample="CdSe@AlOx-1")
    write_dnp_pair(nmr / "cp13c_n1_mw_on", nmr / "cp13c_n1_mw_off", enhancement=30.0, seed=2)
    write_al27_cp(nmr / "al27_n1", ((68.0, 3.0, 0.45), (36.0, 2.5, 0.25), (9.0, 2.0, 0.30)),
                  seed=3)
    _cd113_manifold(nmr / "cd113_n1", "113Cd CP-MAS of CdSe@AlOx-1")
    write_dosy_series(nmr / "dosy_n1", np.linspace(2.0, 50.0, 6), 2.5e-10,
                      gradient_shape="SMSQ10.100", seed=5)
    write_titration_series(nmr / "titration", (0, 10, 20), seed=6)
    write_ligand_qnmr(nmr / "ligands_n0", qd_um=40.0, ligands_per_qd=85.0, standard="CH2Br2",
                      standard_mm=2.5, seed=11)
    optical = root / "optical"
    write_uvvis_csv(optical / "uvvis_n0.csv", 495.0, 25.0, seed=7, note="diluted 20x, path 1 cm")
    write_uvvis_csv(optical / "uvvis_n1.csv", 495.2, 25.1, seed=8)
    write_ligand_uvvis(optical / "ligands_uvvis_n0.csv", exciton_nm=495.0, qd_um=40.0,
                       dilution=10.0, seed=12)
    write_ir_csv(optical / "ftir_n0.csv", OLEATE_CHAIN + CHELATING_CARBOXYLATE, seed=9)
    write_vamas(root / "xps" / "AlOx-1.vms", demo_regions(1, seed=10))
    (root / "models").mkdir()
    (root / "models" / "alme2_n1.xyz").write_text("1\nAl atom\nAl 0 0 0\n")
    (root / "notes.txt").write_text("lab notebook, page 12\n")
    return root


@pytest.fixture(scope="module")
def draft(lab: Path):  # type: ignore[no-untyped-def]
    return draft_project(lab)


def _analysis(draft, kind: str, first: str):  # type: ignore[no-untyped-def]
    ids = {id(d.found): d.id for d in draft.datasets}
    hits = [p for _, p in draft.analyses if p.kind == kind and ids[id(p.inputs[0])] == first]
    assert len(hits) == 1, (kind, first, [(p.kind, ids[id(p.inputs[0])]) for _, p in
                                          draft.analyses])
    return hits[0]


# --- recognition of each kind (synthetic) -------------------------------------------------------

def test_respdor_pair_and_region_from_the_dephased_line(draft) -> None:  # type: ignore[no-untyped-def]
    p = _analysis(draft, "respdor", "respdor")
    assert p.parameters["pair"] == "13C-27Al"
    assert p.parameters["region"] == [190.0, 178.0]  # the carboxylate at 184 ppm


def test_dnp_pair_and_13c_overlay(draft) -> None:  # type: ignore[no-untyped-def]
    p = _analysis(draft, "dnp", "cp13c_n1_mw_on")
    assert [f.path.name for f in p.inputs] == ["cp13c_n1_mw_on", "cp13c_n1_mw_off"]
    assert p.parameters == {"region": [135.0, 125.0]}
    assert _analysis(draft, "nmr", "cp13c_n1_mw_on").parameters["overlay"] == "13C CP (DNP)"


def test_quad_sites_csa_lines_dosy_region(draft) -> None:  # type: ignore[no-untyped-def]
    assert _analysis(draft, "quad", "al27_n1").parameters["sites"] == [4, 5, 6]
    csa = _analysis(draft, "csa", "cd113_n1").parameters
    assert csa["mas_khz"] == 8.0 and csa["sites"] == [-50.0]
    assert _analysis(draft, "dosy", "dosy_n1").parameters == {"region": [5.6, 5.2]}


def test_titration_uvvis_ftir_xps_model(draft) -> None:  # type: ignore[no-untyped-def]
    t = _analysis(draft, "titration", "tma_0")
    assert t.parameters["tma_per_qd"] == [0, 10, 20] and len(t.inputs) == 3
    uv = _analysis(draft, "uvvis", "uvvis_n1")
    assert [f.path.name for f in uv.inputs] == ["uvvis_n1.csv", "uvvis_n0.csv"]
    assert uv.parameters["material"] == "CdSe" and "dilution" not in uv.parameters
    uv0 = _analysis(draft, "uvvis", "uvvis_n0").parameters
    assert (uv0["dilution"], uv0["path_cm"], uv0["normalise_region"]) == (20.0, 1.0, [480.0, 510.0])
    _analysis(draft, "ftir", "ftir_n0")
    xps = _analysis(draft, "xps", "AlOx-1").parameters
    assert xps["regions"] == ["Cd 3d", "Se 3d", "O 1s", "Al 2s", "C 1s"]
    assert xps["ratios"] == ["Al 2s/O 1s"]
    model = _analysis(draft, "model", "alme2_n1")
    assert [f.path.name for f in model.inputs] == ["alme2_n1.xyz", "respdor"]


def test_ligands_standard_solvent_and_the_uvvis_of_the_same_solution(draft) -> None:  # type: ignore[no-untyped-def]
    p = _analysis(draft, "ligands", "ligands_n0")
    assert [f.path.name for f in p.inputs] == ["ligands_n0", "ligands_uvvis_n0.csv"]
    assert {k: p.parameters[k] for k in ("standard", "standard_mm", "solvent", "dilution",
                                         "path_cm")} == {
        "standard": "CH2Br2", "standard_mm": 2.5, "solvent": "toluene-d8", "dilution": 10.0,
        "path_cm": 1.0}


def test_a_proposal_its_kind_refuses_is_left_unplaced(draft) -> None:  # type: ignore[no-untyped-def]
    from cald.project.init.draft import _accepted
    from cald.project.init.propose import Proposal

    dosy = _analysis(draft, "dosy", "dosy_n1")
    bad = Proposal("dosy", dosy.inputs, {"region": [5.6]})
    ok, refused = _accepted([dosy, bad], draft.folder)
    assert ok == [dosy]
    assert refused[0].reason.startswith("dosy refuses the proposed parameters: ")


def test_samples_and_what_was_left(draft) -> None:  # type: ignore[no-untyped-def]
    by_path = {d.path: d.sample for d in draft.datasets}
    assert by_path["nmr/respdor"] == "CdSe@AlOx-1"  # from the TITLE
    assert by_path["xps/AlOx-1.vms"] == "CdSe@AlOx-1"  # from the name, core from the sample id
    assert by_path["optical/uvvis_n0.csv"] == "CdSe"
    assert by_path["nmr/titration/tma_10"] == "CdSe"  # a title naming the core, no shell
    assert [s["name"] for s in draft.samples] == ["CdSe", "CdSe@AlOx-1"]
    assert ("notes.txt", "not a recognised data format") in draft.skipped_pairs()


def test_drafted_file_validates_and_json_has_the_same_content(
        lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _tree_digest(lab)
    out = tmp_path / "project.toml"
    code, stdout, err = run(capsys, ["init", lab, "--out", out, "--json"])
    assert code == 0, err
    obj = json.loads(stdout)
    config = load_project(out)
    assert [d.id for d in config.datasets] == [d["id"] for d in obj["datasets"]]
    assert [(a.id, a.kind, a.inputs, a.parameters) for a in config.analyses] == [
        (a["id"], a["kind"], a["inputs"], a["parameters"]) for a in obj["analyses"]]
    assert all((config.root / d.path).resolve().is_relative_to(lab.resolve())
               for d in config.datasets)
    text = out.read_text(encoding="utf-8")
    assert "# respdor: pair 13C-27Al; region: the line that dephases" in text
    assert "(sure: " in text
    assert config.project.synthetic  # the titles say SYNTHETIC
    assert _tree_digest(lab) == before  # nothing in FOLDER written or changed


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        h.update(str(p.relative_to(root)).encode())
        if p.is_file():
            h.update(p.read_bytes())
            h.update(str(p.stat().st_mtime_ns).encode())
    return h.hexdigest()


# --- real data -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("rel", "fmt", "technique", "nucleus"), [
    ("bruker/sucrose_1h_600", "bruker", "nmr", "1H"),
    ("bruker/xwin_13c", "bruker", "nmr", "13C"),
    ("xps/lg4x_kratos_0-150W.vms", "vamas", "xps", None),
    ("xps/matkrin_aes_staib.vms", "vamas", "vamas-other", None),
    ("jcamp/TESTSPEC.DX", "jcamp", "nmr", "13C"),
    ("ftir/jtpolys.jdx", "jcamp", "ir", None),
    ("uvvis/jasco_pbse_batch1.txt", "csv", "uvvis", None),
    ("xps_models/cheminfo_assigned_block49_Nb3d.csv", "csv", "xps", None),
])
def test_real_files_recognised(rel: str, fmt: str, technique: str, nucleus: str | None) -> None:
    found = recognise(Candidate(DATA / rel, rel, fmt))
    assert (found.format, found.technique, found.nucleus) == (fmt, technique, nucleus)


def test_real_ir_of_molecules_is_not_taken_for_carboxylates() -> None:
    """Indene and polystyrene have bands in the carboxylate windows, but narrow ones."""
    from cald.project.init.single import carboxylate_bands

    for name in ("fixinc2.jdx", "jtpolys.jdx"):
        assert not carboxylate_bands(recognise(Candidate(DATA / "ftir" / name, name, "jcamp")))


def test_real_files_facts() -> None:
    xwin = recognise(Candidate(DATA / "bruker/xwin_13c", "x", "bruker"))
    assert "mas_hz" not in xwin.facts  # XWIN-NMR's MASR = 1 of a static probe is no MAS rate
    phi = recognise(Candidate(DATA / "xps/lg4x_phi_multipak.npl", "p", "vamas"))
    assert phi.facts["regions"] == ["C 1s", "O 1s", "S 2p", "N 1s", "Mo 3d"]
    assert phi.facts["padded"]["C 1s"] == 1  # NUL-padded names: the block by number
    ir = recognise(Candidate(DATA / "ftir/jtpolys.jdx", "i", "jcamp"))
    assert ir.facts["range"] == pytest.approx([447.5, 4002.3], abs=0.1)  # ##FIRSTX, ##LASTX
    jasco = recognise(Candidate(DATA / "uvvis/jasco_pbse_batch1.txt", "j", "csv"))
    assert jasco.facts["range"] == [700.0, 2500.0]
    dosy = recognise(Candidate(DATA / "dosy/doneshot_dmso_298k", "d", "bruker"))
    assert dosy.reason == "no fid or ser file"  # parameters only: skipped, with the reason


# --- samples on three labs' layouts --------------------------------------------------------------

@pytest.mark.parametrize(("rel", "title", "sample_text", "cycles", "core"), [
    # flat experiment numbers, the sample in the TITLE
    ("20231012/10", "CdSe@AlOx-3 13C CP mw on", "", 3, "CdSe"),
    ("20231012/11", "CdSe QDs, 1 cycle, 27Al CP", "", 1, "CdSe"),
    ("20231012/12", "pristine CdSe, 113Cd", "", 0, "CdSe"),
    # one folder per sample
    ("CdSe_n=10/dosy", "1H DOSY", "", 10, "CdSe"),
    ("AlOx-3/cp27al", "", "", 3, None),
    # mixed: names, VAMAS sample ids, CSV comments
    ("xps/run4.vms", "", "CdSe 2 cycles", 2, "CdSe"),
    ("uv/InP_n1.csv", "", "", 1, "InP"),
    ("misc/expt7", "test", "", None, None),
])
def test_sample_guess_on_three_layouts(rel: str, title: str, sample_text: str,
                                       cycles: int | None, core: str | None) -> None:
    g = guess_sample(rel, title, sample_text)
    assert (g.cycles, g.core) == (cycles, core), g


def test_sample_guess_conflict_lowers_sureness() -> None:
    g = guess_sample("ftir_n3.csv", "", "after c-ALD (study: n = 2)")
    assert g.cycles == 3 and g.sure == "low" and "n = 2" in g.conflict


def test_microwave_state() -> None:
    assert microwave_state("13C CP, microwaves on") == "on"
    assert microwave_state("cp_13c_n1_mw_off") == "off"
    assert microwave_state("MW on vs MW off") is None
    assert microwave_state("the swoff") is None


def test_flat_expno_layout_pairs_dnp_by_title(tmp_path: Path) -> None:
    from cald.synth.nmr_sets import write_dnp_pair

    on, off = write_dnp_pair(tmp_path / "10", tmp_path / "11", enhancement=20.0, seed=3)
    _title(on, "CdSe@AlOx-3 13C CP MW on")
    _title(off, "CdSe@AlOx-3 13C CP MW off")
    d = draft_project(tmp_path)
    assert [(p.kind, [f.path.name for f in p.inputs]) for _, p in d.analyses] == [
        ("dnp", ["10", "11"]), ("nmr", ["10"])]
    assert {x.sample for x in d.datasets} == {"CdSe@AlOx-3"}


def test_one_experiment_folder(lab: Path) -> None:
    d = draft_project(lab / "nmr" / "dosy_n1")
    assert [(x.id, x.path) for x in d.datasets] == [("dosy_n1", "dosy_n1")]
    assert [p.kind for _, p in d.analyses] == ["dosy"]


# --- bad input -----------------------------------------------------------------------------------

def _one_error(code: int, out: str, err: str, fragment: str) -> None:
    assert code == 2 and out == "" and err.startswith("error:") and err.count("\n") == 1, err
    assert fragment in err, err


def test_empty_and_unrecognisable_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    _one_error(*run(capsys, ["init", empty, "--out", tmp_path / "p.toml"]), "is empty")
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "a.txt").write_text("hello\n")
    (junk / "b.bin").write_bytes(bytes(range(256)))
    _one_error(*run(capsys, ["init", junk, "--out", tmp_path / "p.toml"]), "recognises")
    _one_error(*run(capsys, ["init", tmp_path / "missing", "--out", tmp_path / "p.toml"]),
               "no such folder")
    assert not (tmp_path / "p.toml").exists()
    with pytest.raises(NothingFound):
        draft_project(empty)


def test_out_inside_folder_or_existing_is_refused(lab: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _one_error(*run(capsys, ["init", lab, "--out", lab / "project.toml"]), "never writes")
    existing = tmp_path / "project.toml"
    existing.write_text("# mine\n")
    _one_error(*run(capsys, ["init", lab, "--out", existing]), "--force")
    assert existing.read_text() == "# mine\n"
    _one_error(*run(capsys, ["init", lab, "--out", existing / "sub" / "p.toml"]), "cannot write")


def test_damaged_files_are_skipped_with_reason(tmp_path: Path) -> None:
    from cald.synth.optical import write_uvvis_csv

    write_uvvis_csv(tmp_path / "uvvis_n0_CdSe.csv", 495.0, 25.0, seed=1)
    cut = tmp_path / "exp1"
    cut.mkdir()
    (cut / "acqus").write_text("##TITLE= x\n##$NUC1= <13C\n")  # cut inside a text value
    (cut / "fid").write_bytes(b"\0" * 64)
    (tmp_path / "broken.vms").write_text(
        "VAMAS Surface Chemical Analysis Standard Data Transfer Format 1988 May 4\nx\n")
    d = draft_project(tmp_path)
    reasons = dict(d.skipped_pairs())
    assert "NUC1" in reasons["exp1"] and "broken.vms" in reasons
    assert [x.path for x in d.datasets] == ["uvvis_n0_CdSe.csv"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_symlink_loop_ends(tmp_path: Path) -> None:
    from cald.synth.optical import write_uvvis_csv

    write_uvvis_csv(tmp_path / "a" / "uv_n0_CdSe.csv", 495.0, 25.0, seed=1)
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a" / "self")
    found, skipped = walk(tmp_path)
    assert [c.rel for c in found] == ["a/uv_n0_CdSe.csv"]
    reasons = dict((s.rel, s.reason) for s in skipped)
    assert "already visited" in reasons["a/loop"] and "a/self" in reasons


# --- slow: the round trip and the real test data -------------------------------------------------

def _by_inputs(config) -> dict[tuple[str, tuple[Path, ...]], object]:  # type: ignore[no-untyped-def]
    return {(a.kind, tuple(config.dataset_path(i) for i in a.inputs)): a for a in config.analyses}


@pytest.mark.slow
def test_round_trip_through_the_demo_folder(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """`cald init` on the demo's data folder reproduces the demo's analyses (kinds, inputs,
    samples, parameters) and `cald run` of the draft gives the demo's key numbers."""
    from test_pipeline import _value_at

    demo = tmp_path / "demo"
    code, _, err = run(capsys, ["demo", "--out", demo, "--quiet"])
    assert code == 0, err
    reference = load_project(demo / "project.toml")
    shutil.copy(demo / "project.toml", tmp_path / "demo-project.toml")
    (demo / "project.toml").unlink()
    drafted_file = tmp_path / "drafted" / "project.toml"
    code, _, err = run(capsys, ["init", demo, "--out", drafted_file, "--run", "--quiet"])
    assert code == 0, err
    drafted = load_project(drafted_file)
    ours = _by_inputs(drafted)
    mapping = {}
    for key, a in _by_inputs(reference).items():
        assert key in ours, f"{a.id} not drafted"  # type: ignore[attr-defined]
        b = ours.pop(key)
        assert b.parameters == a.parameters, a.id  # type: ignore[attr-defined]
        assert (drafted.analysis_sample(b) == reference.analysis_sample(a)), a.id  # type: ignore
        mapping[a.id] = b.id  # type: ignore[attr-defined]
    # the only extra: the DNP of the n = 3 on/off pair, which the demo records but analyses
    # only as an overlay
    assert [(k[0], [p.name for p in k[1]]) for k in ours] == [
        ("dnp", ["cp_13c_n3_mw_on", "cp_13c_n3_mw_off"])]
    assert {s.name: s.cycles for s in drafted.samples} == {
        s.name: s.cycles for s in reference.samples}
    results = {a["id"]: a for a in json.loads(
        (drafted_file.parent / "results" / "results.json").read_text())["analyses"]}
    recorded = json.loads((DATA / "demo_key_numbers.json").read_text())["analyses"]
    for analysis_id, numbers in recorded.items():
        result = results[mapping[analysis_id]]["result"]
        for path, (value, tolerance) in numbers.items():
            got = _value_at(result, path)
            assert abs(got - value) <= tolerance, (analysis_id, path, got, value, tolerance)


@pytest.mark.slow
def test_real_test_data_draft_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A draft of tests/data validates and every analysis of it runs."""
    out = tmp_path / "project.toml"
    code, stdout, err = run(capsys, ["init", DATA, "--out", out, "--json", "--run"])
    assert code == 0, (err, stdout[-2000:])
    kinds = {a["kind"] for a in tomllib.loads(out.read_text())["analyses"]}
    assert kinds == {"nmr", "ftir", "xps"}
