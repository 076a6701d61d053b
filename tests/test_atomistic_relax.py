"""``cald.atomistic.relax`` and ``cald model relax``: a GFN2-xTB relaxation of a distorted water
molecule (fractions of a second) whose energy agrees with tblite called directly, fixed atoms,
a relaxation stopped by the step limit (reported, not an error), the trajectory, an SCF failure,
the CP2K input writer and runner (a stand-in executable), and every bad input (exit 2, one
``error:`` line)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import ase.io
import numpy as np
import pytest
from ase import Atoms
from ase.build import molecule
from ase.constraints import FixAtoms

from cald.atomistic.cp2k import Cp2kNotFoundError, find_cp2k, relax_cp2k, write_cp2k_input
from cald.atomistic.relax import RelaxError, fixed_indices, relax, trajectory_path
from cald.atomistic.relax_options import SCF_ACCURACY, RelaxOptions
from cald.errors import DataFileError
from cald.io.structure import read_structure
from test_cli import assert_clean_error, run, run_json


def distorted_water() -> Atoms:
    atoms = molecule("H2O")
    atoms.positions[1] += [0.0, 0.15, -0.1]
    atoms.positions[2] += [0.0, -0.05, 0.12]
    return atoms


@pytest.fixture
def water_file(tmp_path: Path) -> Path:
    path = tmp_path / "water.xyz"
    ase.io.write(path, distorted_water(), format="extxyz")
    return path


def test_relaxed_energy_agrees_with_tblite_called_directly():
    from tblite.ase import TBLite

    opts = RelaxOptions(electronic_temperature_k=300.0)
    final, result, frames = relax(distorted_water(), opts)
    assert result.converged and result.status == "converged"
    assert result.fmax_ev_a < 0.05
    direct = Atoms(final.get_chemical_symbols(), positions=final.positions)
    direct.calc = TBLite(method="GFN2-xTB", electronic_temperature=300.0, accuracy=SCF_ACCURACY,
                         verbosity=0)
    assert result.energy_ev == pytest.approx(direct.get_potential_energy(), abs=1e-6)
    forces = direct.get_forces()
    assert np.sqrt((forces ** 2).sum(axis=1)).max() == pytest.approx(result.fmax_ev_a, abs=5e-4)
    assert result.energy_ev < frames[0].get_potential_energy()
    assert len(result.scf_cycles) == result.n_evaluations >= result.steps + 1
    assert all(n >= 1 for n in result.scf_cycles)


@pytest.mark.parametrize("optimizer", ["bfgs", "precon-lbfgs"])
def test_fixed_atoms_do_not_move(optimizer):
    """Both optimisers keep the fixed atoms; PreconLBFGS also on a model without a cell (ase's
    own estimate of the preconditioner's length scale needs one)."""
    start = distorted_water()
    start.info["fixed_indices"] = [1]
    final, result, _ = relax(start, RelaxOptions(fix_below_angstrom=-0.3, steps=20,
                                                 optimizer=optimizer))
    assert result.optimizer == optimizer
    assert result.n_fixed == 2
    fixed = [1, 2]  # index 2 is the only atom below z = −0.3 Å
    assert start.positions[2, 2] < -0.3 < start.positions[0, 2]
    np.testing.assert_array_equal(final.positions[fixed], start.positions[fixed])
    assert not np.allclose(final.positions[0], start.positions[0])


def test_fixed_indices_union_of_constraint_info_and_height():
    atoms = Atoms("H4", positions=[[0, 0, 0], [0, 0, 1], [0, 0, 2], [0, 0, 3]])
    atoms.set_constraint(FixAtoms(indices=[3]))
    atoms.info["fixed_indices"] = [1]
    assert fixed_indices(atoms) == [1, 3]
    assert fixed_indices(atoms, fix_below_angstrom=0.5) == [0, 1, 3]
    atoms.info["fixed_indices"] = [7]
    with pytest.raises(Exception, match="fixed_indices"):
        fixed_indices(atoms)


def test_step_limit_reported_not_an_error(capsys, water_file, tmp_path):
    out = tmp_path / "relaxed.xyz"
    obj = run_json(capsys, ["model", "relax", water_file, "--steps", "1", "--out", out,
                            "--optimizer", "precon-lbfgs"])
    assert obj["converged"] is False and obj["status"] == "not converged"
    assert obj["steps"] == 1 and obj["fmax_ev_a"] > 0.05
    assert obj["scf_accuracy"] == SCF_ACCURACY and obj["optimizer"] == "precon-lbfgs"
    assert any("not converged" in n for n in obj["notes"])
    # the trajectory: the start and one frame per step, energies and forces included
    frames = ase.io.read(obj["trajectory"], index=":")
    assert Path(obj["trajectory"]) == trajectory_path(out) and len(frames) == 2
    assert frames[-1].get_potential_energy() == pytest.approx(obj["energy_ev"])
    np.testing.assert_allclose(ase.io.read(out).positions, frames[-1].positions)


def test_cli_relaxes_to_the_target_with_fire(capsys, water_file, tmp_path):
    obj = run_json(capsys, ["model", "relax", water_file, "--out", tmp_path / "r.cif",
                            "--optimizer", "fire", "--fmax-ev-a", "0.1", "--method", "gfn1"])
    assert obj["converged"] is True and obj["fmax_ev_a"] < 0.1
    assert obj["method"] == "GFN1-xTB" and obj["optimizer"] == "fire"
    assert {"energy_ev", "fmax_ev_a", "converged"} <= obj.keys()
    assert len(ase.io.read(tmp_path / "r.cif")) == 3


def test_scf_failure_is_a_clean_error_naming_the_file(capsys, water_file, tmp_path):
    code, out, err = run(capsys, ["model", "relax", water_file, "--out", tmp_path / "r.xyz",
                                  "--max-scf-iterations", "1"])
    assert_clean_error(code, out, err, str(water_file))
    assert "xTB calculation failed" in err
    assert not (tmp_path / "r.xyz").exists()


@pytest.mark.parametrize(("content", "fragment"), [
    ("3\nwater\nO 0 0 zero\nH 0 0 1\n", "not a readable extxyz file"),
    ("", "bad.xyz"),
    ("2\n\nO 0 0 nan\nH 0 0 1\n", "non-finite"),
])
def test_malformed_model_file(capsys, tmp_path, content, fragment):
    bad = tmp_path / "bad.xyz"
    bad.write_text(content)
    code, out, err = run(capsys, ["model", "relax", bad, "--out", tmp_path / "r.xyz"])
    assert_clean_error(code, out, err, fragment)
    assert str(bad) in err


@pytest.mark.parametrize(("args", "fragment"), [
    (["--steps", "0"], "--steps"),
    (["--steps", "-3"], "--steps"),
    (["--method", "gfn3"], "--method"),
    (["--optimizer", "lbfgs"], "--optimizer"),
    (["--level", "dft"], "--level"),
    (["--fmax-ev-a", "0"], "--fmax-ev-a"),
    (["--electronic-temperature-k", "-5"], "--electronic-temperature-k"),
])
def test_bad_options(capsys, water_file, tmp_path, args, fragment):
    code, out, err = run(capsys, ["model", "relax", water_file, "--out", tmp_path / "r.xyz", *args])
    assert_clean_error(code, out, err, fragment)


def test_missing_file_and_bad_output_name(capsys, tmp_path, water_file):
    code, out, err = run(capsys, ["model", "relax", tmp_path / "none.xyz", "--out", tmp_path / "r.xyz"])
    assert_clean_error(code, out, err, "no such file")
    code, out, err = run(capsys, ["model", "relax", water_file, "--out", tmp_path / "r.pdf"])
    assert_clean_error(code, out, err, "--out")
    with pytest.raises(DataFileError):
        read_structure(tmp_path / "none.xyz")


def slab() -> Atoms:
    atoms = Atoms("Cd2Se2H", positions=[[0, 0, 5], [2, 2, 5], [0, 2, 6.5], [2, 0, 6.5], [0, 0, 3.4]],
                  cell=[4.3, 4.3, 20.0], pbc=True)
    atoms.info["fixed_indices"] = [0, 4]
    return atoms


def test_cp2k_input_content():
    text = write_cp2k_input(slab(), RelaxOptions(level="cp2k", steps=77, fmax_ev_a=0.05))
    assert "RUN_TYPE GEO_OPT" in text and "MAX_ITER 77" in text
    max_force = float(text.split("MAX_FORCE")[1].split()[0])
    assert max_force == pytest.approx(0.05 * 0.529177210903 / 27.211386245988, rel=1e-5)
    assert "LIST 1 5" in text  # 1-based fixed atoms
    assert "&XC_FUNCTIONAL PBE" in text and "TYPE DFTD3" in text and "REFERENCE_FUNCTIONAL PBE" in text
    assert "BASIS_SET_FILE_NAME BASIS_MOLOPT" in text and "POTENTIAL_FILE_NAME GTH_POTENTIALS" in text
    for el in ("Cd", "Se", "H"):
        assert f"&KIND {el}\n      BASIS_SET DZVP-MOLOPT-SR-GTH\n      POTENTIAL GTH-PBE\n" in text
    assert "CUTOFF 400" in text and "REL_CUTOFF 50" in text
    assert "A 4.30000000 0.00000000 0.00000000" in text and "PERIODIC XYZ" in text
    coord = text.split("&COORD\n")[1].split("&END COORD")[0].strip().splitlines()
    assert len(coord) == 5 and coord[2].split() == ["Se", "0.00000000", "2.00000000", "6.50000000"]
    assert "&SMEAR ON" in text and "&CONSTRAINT" in text


def test_cp2k_input_needs_a_cell():
    with pytest.raises(Exception, match="periodic cell"):
        write_cp2k_input(molecule("H2O"))


def test_cp2k_missing_is_a_clean_error(capsys, monkeypatch, water_file, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(Cp2kNotFoundError, match="cp2k not found on PATH"):
        find_cp2k()
    code, out, err = run(capsys, ["model", "relax", water_file, "--out", tmp_path / "r.xyz",
                                  "--level", "cp2k"])
    assert_clean_error(code, out, err, "cp2k not found on PATH")


def test_cp2k_runner_reads_a_finished_optimisation(monkeypatch, tmp_path):
    """A stand-in ``cp2k`` writes the files a two-step optimisation leaves; the runner reads
    the last geometry, energy (Hartree → eV) and gradient (Hartree/Bohr → eV/Å)."""
    model = slab()
    moved = model.copy()
    moved.positions[1, 2] += 0.1
    ase.io.write(tmp_path / "pos.xyz", [model, moved], format="xyz")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "cp2k"
    exe.write_text(f"""#!{sys.executable}
import shutil
shutil.copy({str(tmp_path / "pos.xyz")!r}, "cald-pos-1.xyz")
open("cald.out", "w").write(
    " ENERGY| Total FORCE_EVAL ( QS ) energy [a.u.]:   -100.0\\n"
    "  Max. gradient              =         0.0100000000\\n"
    " ENERGY| Total FORCE_EVAL ( QS ) energy [a.u.]:   -100.5\\n"
    "  Max. gradient              =         0.0005000000\\n"
    " *** GEOMETRY OPTIMIZATION COMPLETED ***\\n")
""")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bindir) + os.pathsep + os.environ.get("PATH", ""))
    final, result, frames = relax_cp2k(model, RelaxOptions(level="cp2k"))
    assert result.converged and result.level == "cp2k" and result.steps == 1
    assert result.energy_ev == pytest.approx(-100.5 * 27.211386245988)
    assert result.fmax_ev_a == pytest.approx(0.0005 * 27.211386245988 / 0.529177210903)
    np.testing.assert_allclose(final.positions, moved.positions, atol=1e-6)
    assert len(frames) == 2 and final.cell[2, 2] == 20.0


def test_cp2k_refuses_fire():
    with pytest.raises(Exception, match="bfgs only"):
        relax(slab(), RelaxOptions(level="cp2k", optimizer="fire"))


def test_scf_failure_in_the_library():
    with pytest.raises(RelaxError, match="water.xyz"):
        relax(distorted_water(), RelaxOptions(max_scf_iterations=1), source="water.xyz")


def test_relaxed_model_records_its_relaxation_through_extxyz(capsys, water_file, tmp_path):
    """The relaxed model carries how it was relaxed (``relaxed_*`` info keys) through extended
    XYZ, and ``cald model analyze`` reports it; a model without the record says so."""
    from cald.atomistic.analyze import geometry_text
    from cald.atomistic.relax import relaxation_record

    out = tmp_path / "r.extxyz"
    obj = run_json(capsys, ["model", "relax", water_file, "--out", out, "--steps", "2"])
    record = relaxation_record(read_structure(out))
    assert record == {"method": "GFN2-xTB", "level": "xtb", "optimizer": "bfgs",
                      "energy_ev": pytest.approx(obj["energy_ev"], abs=1e-9),
                      "fmax_ev_a": pytest.approx(obj["fmax_ev_a"], abs=1e-9),
                      "fmax_target_ev_a": 0.05, "converged": obj["converged"], "steps": 2}
    assert "NOT converged in 2 steps" in geometry_text(record)
    assert relaxation_record(read_structure(water_file)) is None
    assert geometry_text(None).startswith("not relaxed")


def _shipped_demo_model():
    from cald.atomistic.options import BuildOptions
    from cald.project.demo import relaxed_demo_model

    with relaxed_demo_model().open("r", encoding="utf-8") as fh:
        shipped = ase.io.read(fh, format="extxyz")
    return BuildOptions(ligands=4, tma=1).build(), shipped


def test_shipped_relaxed_demo_model_is_the_demo_build_relaxed():
    """The relaxed model the demo ships (cald/project/demo_models) is the demo's built model
    relaxed by cald: same atoms in the same order, fixed atoms in place, free atoms moved, and a
    relaxation record of a converged GFN2-xTB run."""
    from cald.atomistic.relax import relaxation_record

    built, shipped = _shipped_demo_model()
    assert shipped.get_chemical_symbols() == built.get_chemical_symbols()
    fixed = fixed_indices(built)
    assert fixed and np.allclose(shipped.positions[fixed], built.positions[fixed], atol=1e-6)
    free = np.setdiff1d(np.arange(len(built)), fixed)
    assert np.abs(shipped.positions[free] - built.positions[free]).max() > 0.1
    record = relaxation_record(shipped)
    assert record is not None and record["method"] == "GFN2-xTB" and record["converged"] is True
    assert record["fmax_ev_a"] <= record["fmax_target_ev_a"] == 0.05


@pytest.mark.slow
def test_shipped_relaxed_demo_model_is_a_minimum_for_tblite_called_directly():
    """tblite called directly on the shipped geometry gives the recorded energy and forces on the
    free atoms below the 0.05 eV/Å target."""
    from tblite.ase import TBLite

    from cald.atomistic.relax import relaxation_record

    built, shipped = _shipped_demo_model()
    record = relaxation_record(shipped)
    direct = Atoms(shipped.get_chemical_symbols(), positions=shipped.positions,
                   cell=shipped.cell, pbc=shipped.pbc)
    direct.calc = TBLite(method="GFN2-xTB", electronic_temperature=300.0, accuracy=SCF_ACCURACY,
                         max_iterations=250, verbosity=0)
    assert direct.get_potential_energy() == pytest.approx(record["energy_ev"], abs=1e-4)
    free = np.setdiff1d(np.arange(len(built)), fixed_indices(built))
    forces = direct.get_forces()[free]
    assert np.sqrt((forces ** 2).sum(axis=1)).max() <= 0.05 + 1e-3
