"""``cald model screen`` and :mod:`cald.atomistic.screen`: two tiny configurations (21-atom
CdSe(100) 1×1 slabs with one acetate and AlMe2, chelating and monodentate: isomers) relaxed for
two GFN2-xTB steps on local worker processes and on a scheduler and a worker started as separate
processes; resuming (nothing recomputed, then only a deleted result); the isomer ranking; a
killed worker's task finished by another worker; every bad screen file (exit 2, one
``error:`` line)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cald
from cald.atomistic.screen import ConfigurationResult, ScreenResult, input_hash, run_screen
from cald.atomistic.screen_options import ScreenFileError, ScreenOptions, load_screen
from cald.parallel import map_tasks
from test_cli import assert_clean_error, run, run_json

#: Two isomers (same composition C4H11AlCdO2Se2), two relaxation steps each (≈ 1 s).
TINY = """\
[relax]
steps = 2
[build]
size = "1x1"
layers = 2
ligands = 1
tma = 1
fixed_layers = 1
[[configurations]]
name = "chelating"
mode = "chelating"
[[configurations]]
name = "monodentate"
mode = "monodentate"
"""

ROW_KEYS = {"name", "formula", "n_atoms", "energy_ev", "relative_energy_ev", "rank", "n_isomers",
            "converged", "fmax_ev_a", "steps", "c_al_angstrom", "modes", "al_cn", "status"}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "screen.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


def _check_table(rows: list[dict]) -> None:
    assert [r["name"] for r in rows] == ["chelating", "monodentate"]
    for r in rows:
        assert ROW_KEYS <= r.keys()
        assert r["formula"] == "AlC4H11CdO2Se2" or r["formula"] == rows[0]["formula"]
        assert r["n_atoms"] == 21 and r["steps"] == 2 and r["n_isomers"] == 2
        assert r["converged"] is False and r["fmax_ev_a"] > 0
        assert r["al_cn"] == {"3": 1}
    assert sorted(r["rank"] for r in rows) == [1, 2]
    best = min(rows, key=lambda r: r["energy_ev"])
    assert best["rank"] == 1 and best["relative_energy_ev"] == 0.0
    other = max(rows, key=lambda r: r["energy_ev"])
    assert other["relative_energy_ev"] == pytest.approx(other["energy_ev"] - best["energy_ev"])


def test_screen_on_local_workers_then_resumes(tiny: Path, tmp_path: Path):
    out = tmp_path / "out"
    first = run_screen(load_screen(tiny), out, n_workers=2)
    rows = first.to_dict()["configurations"]
    _check_table(rows)
    assert [r["status"] for r in rows] == ["computed", "computed"]
    for name in ("chelating", "monodentate"):
        stored = json.loads((out / f"{name}.json").read_text())
        assert stored["energy_ev"] == next(r["energy_ev"] for r in rows if r["name"] == name)
        assert stored["relax"]["energy_ev"] == stored["energy_ev"]
        assert stored["analysis"]["pair"] == "13C-27Al"
        assert (out / f"{name}.xyz").is_file()
    assert json.loads((out / "screen.json").read_text())["configurations"] == rows
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.xyz")}

    second = run_screen(load_screen(tiny), out, n_workers=2)
    assert [r["status"] for r in second.rows()] == ["cached", "cached"]
    assert [r["energy_ev"] for r in second.rows()] == [r["energy_ev"] for r in rows]
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.xyz")} == stamps

    (out / "monodentate.json").unlink()
    third = run_screen(load_screen(tiny), out, n_workers=2)
    assert [r["status"] for r in third.rows()] == ["cached", "computed"]
    assert (out / "chelating.xyz").stat().st_mtime_ns == stamps["chelating.xyz"]
    _check_table(third.rows())


def test_an_interrupted_screen_computes_only_the_rest(tiny: Path, tmp_path: Path):
    """Stopped after its first configuration finished (an exception in the progress callback,
    as Ctrl-C would): the re-run takes the finished one from its file."""
    out = tmp_path / "out"

    def stop(name: str, done: int, total: int) -> None:
        raise RuntimeError(f"interrupted after {name}")

    with pytest.raises(RuntimeError, match="interrupted after") as info:
        run_screen(load_screen(tiny), out, n_workers=2, progress=stop)
    first = str(info.value).rsplit(" ", 1)[1]
    assert sorted(p.name for p in out.glob("*.json")) == [f"{first}.json"]
    again = run_screen(load_screen(tiny), out, n_workers=2)
    assert {r["name"]: r["status"] for r in again.rows()} == {
        first: "cached", ({"chelating", "monodentate"} - {first}).pop(): "computed"}


def test_input_hash_follows_the_options_not_the_name(tiny: Path):
    screen = load_screen(tiny)
    a, b = screen.configurations
    key = input_hash(a, screen.relax, screen.analyze)
    assert key != input_hash(b, screen.relax, screen.analyze)
    renamed = a.model_copy(update={"name": "other"})
    assert input_hash(renamed, screen.relax, screen.analyze) == key
    more_steps = screen.relax.model_copy(update={"steps": 3})
    assert input_hash(a, more_steps, screen.analyze) != key


def test_a_result_of_other_inputs_is_recomputed(tiny: Path, tmp_path: Path):
    out = tmp_path / "out"
    one = tiny.read_text().split("[[configurations]]")
    single = tmp_path / "one.toml"
    single.write_text("[[configurations]]".join(one[:2]))  # the chelating configuration alone
    first = run_screen(load_screen(single), out)
    assert first.rows()[0]["status"] == "computed"
    single.write_text(single.read_text().replace("steps = 2", "steps = 1"))
    again = run_screen(load_screen(single), out)
    assert again.rows()[0]["status"] == "computed" and again.rows()[0]["steps"] == 1


def test_isomers_ranked_within_each_composition():
    def row(name: str, formula: str, e: float | None) -> ConfigurationResult:
        return ConfigurationResult(name, formula, 3, energy_ev=e, converged=True, fmax_ev_a=0.01,
                                   steps=4, error=None if e is not None else "SCF failed")

    result = ScreenResult(Path("x"), [row("a", "AB", -10.0), row("b", "AB", -12.5),
                                      row("c", "A2", -3.0), row("d", "AB", -11.0),
                                      row("e", "AB", None)], frozenset({"c"}))
    rows = {r["name"]: r for r in result.rows()}
    assert [rows[n]["rank"] for n in "abd"] == [3, 1, 2]
    assert [rows[n]["relative_energy_ev"] for n in "abd"] == [2.5, 0.0, 1.5]
    assert rows["b"]["n_isomers"] == 3
    assert (rows["c"]["rank"], rows["c"]["relative_energy_ev"], rows["c"]["status"]) == (1, 0.0, "cached")
    assert rows["e"]["status"] == "failed" and rows["e"]["rank"] is None
    assert result.n_failed == 1 and "failed: SCF failed" in result.report()


# --- a scheduler and a worker started as separate processes ----------------------------------


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    fh = open(log, "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "dask", *args], env=env, stdout=fh,
                            stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def test_screen_on_a_separately_started_scheduler(tiny: Path, tmp_path: Path, capsys):
    """``cald model screen --scheduler ADDRESS`` against ``dask scheduler`` and ``dask worker``
    processes (the worker finds cald through PYTHONPATH)."""
    from dask.distributed import Client

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(cald.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
    sched_file = tmp_path / "scheduler.json"
    scheduler = _start(["scheduler", "--scheduler-file", str(sched_file), "--host", "127.0.0.1",
                        "--port", "0", "--no-dashboard"], env, tmp_path / "scheduler.log")
    worker = None
    try:
        deadline = time.monotonic() + 30
        while not sched_file.is_file() and time.monotonic() < deadline:
            assert scheduler.poll() is None, (tmp_path / "scheduler.log").read_text()
            time.sleep(0.2)
        worker = _start(["worker", "--scheduler-file", str(sched_file), "--nthreads", "1",
                         "--no-dashboard"], env, tmp_path / "worker.log")
        with Client(scheduler_file=str(sched_file), timeout=30) as client:
            client.wait_for_workers(1, timeout=30)
            address = client.scheduler.address
        out = tmp_path / "out"
        result = run_json(capsys, ["model", "screen", tiny, "--out", out, "--scheduler", address])
        _check_table(result["configurations"])
        assert result["n_computed"] == 2
        assert sorted(p.name for p in out.iterdir()) == [
            "chelating.json", "chelating.xyz", "monodentate.json", "monodentate.xyz", "screen.json"]
    finally:
        if worker is not None:
            _stop(worker)
        _stop(scheduler)


# --- a killed worker ---------------------------------------------------------------------------


def _die_once(item: tuple[str, int]) -> tuple[int, int]:
    """Kill this worker process the first time ``item`` is seen (marker file); else return
    (value², pid)."""
    marker, value = Path(item[0]), item[1]
    if value == 1 and not marker.exists():
        marker.write_text(str(os.getpid()))
        os._exit(1)
    return value * value, os.getpid()


def test_a_killed_workers_task_is_run_by_another_worker(tmp_path: Path):
    marker = tmp_path / "killed"
    results = map_tasks(_die_once, [(str(marker), 1), (str(marker), 2)], n_workers=2)
    assert [r[0] for r in results] == [1, 4]
    assert marker.is_file() and results[0][1] != int(marker.read_text())


def _always_fails(value: int) -> int:
    if value == 2:
        raise RuntimeError("always")
    return value


def test_map_tasks_on_failure_turns_a_task_that_fails_for_good_into_its_result():
    """Without ``on_failure`` the error is raised; with it the other items still finish."""
    with pytest.raises(RuntimeError, match="always"):
        map_tasks(_always_fails, [1, 2, 3], n_threads=2, retries=1)
    seen: list[tuple[int, str]] = []

    def lost(i: int, exc: BaseException) -> int:
        seen.append((i, str(exc)))
        return -1

    assert map_tasks(_always_fails, [1, 2, 3], n_threads=2, retries=1, on_failure=lost) == [1, -1, 3]
    assert seen == [(1, "always")]


def test_a_task_lost_for_good_is_a_failed_row_not_a_traceback(tiny: Path, tmp_path: Path,
                                                               monkeypatch):
    """A configuration whose task keeps failing (here relax raises a non-input error each time,
    as a worker that dies each time would) becomes a failed row; the others finish. The map
    runs on in-process threads here so that the patched relax is the one called."""
    import cald.atomistic.screen as screen_module

    real_relax, real_map = screen_module.relax, screen_module.map_tasks

    def flaky(atoms, options, source=None):
        if source == "monodentate":
            raise MemoryError("worker ran out of memory")
        return real_relax(atoms, options, source=source)

    def in_threads(fn, items, scheduler=None, on_result=None, *, n_workers=None, retries=0,
                   on_failure=None):
        return real_map(fn, items, n_threads=1, on_result=on_result, retries=retries,
                        on_failure=on_failure)

    monkeypatch.setattr(screen_module, "relax", flaky)
    monkeypatch.setattr(screen_module, "map_tasks", in_threads)
    result = run_screen(load_screen(tiny), tmp_path / "out")
    rows = {r["name"]: r for r in result.to_dict()["configurations"]}
    assert rows["monodentate"]["status"] == "failed"
    assert "MemoryError" in rows["monodentate"]["error"]
    assert rows["chelating"]["status"] == "computed"
    assert not (tmp_path / "out" / "monodentate.json").exists()


def test_map_tasks_refuses_threads_and_processes_together():
    with pytest.raises(ValueError, match="not both"):
        map_tasks(abs, [1, 2], n_threads=2, n_workers=2)


# --- command line ----------------------------------------------------------------------------


def test_cli_one_configuration(tiny: Path, tmp_path: Path, capsys):
    single = tmp_path / "one.toml"
    single.write_text("[[configurations]]".join(tiny.read_text().split("[[configurations]]")[:2]))
    out = tmp_path / "out"
    code, text, err = run(capsys, ["model", "screen", single, "--out", out, "--workers", "1"])
    assert code == 0 and err == ""
    assert "chelating" in text and "1 computed" in text
    result = run_json(capsys, ["model", "screen", single, "--out", out])
    assert result["configurations"][0]["status"] == "cached"
    code, text, err = run(capsys, ["model", "screen", single, "--out", out, "--quiet"])
    assert (code, text, err) == (0, "", "")


def test_failed_configuration_exit_1_and_tried_again(tiny: Path, tmp_path: Path, capsys):
    """An SCF that fails is a failed row (exit 1), not an error; it leaves no result file, so a
    re-run tries it again."""
    single = tmp_path / "one.toml"
    single.write_text("[[configurations]]".join(tiny.read_text().split("[[configurations]]")[:2])
                      .replace("steps = 2", "steps = 2\nmax_scf_iterations = 2"))
    out = tmp_path / "out"
    for _ in range(2):
        code, text, err = run(capsys, ["model", "screen", single, "--out", out, "--json"])
        assert code == 1 and err == ""
        row = json.loads(text)["configurations"][0]
        assert row["status"] == "failed" and "SCF not converged" in row["error"]
        assert sorted(p.name for p in out.iterdir()) == ["screen.json"]


# --- bad screen files ------------------------------------------------------------------------

BAD = {
    "toml": ("[relax\nsteps = 2", "invalid TOML"),
    "no_configurations": ("[relax]\nsteps = 2\n", "configurations: missing"),
    "empty_configurations": ("configurations = []\n", "configurations:"),
    "top_key": ("colour = 1\n[[configurations]]\nname = 'a'\n", "colour: unknown key"),
    "build_key": ("[build]\nlayer = 2\n[[configurations]]\nname = 'a'\n",
                  "build.layer: unknown key; known: facet"),
    "config_key": ("[[configurations]]\nname = 'a'\nmodee = 'chelating'\n",
                   "configurations[0].modee: unknown key; known: facet"),
    "relax_key": ("[relax]\nstep = 2\n[[configurations]]\nname = 'a'\n", "relax.step: unknown key"),
    "relax_value": ("[relax]\nsteps = 0\n[[configurations]]\nname = 'a'\n",
                    "relax.steps: must be at least 1"),
    "ligand": ("[build]\nligand = 'stearate'\n[[configurations]]\nname = 'a'\n",
               "configurations[0].ligand: unknown ligand 'stearate'; known: formate"),
    "recipe": ("[[configurations]]\nname = 'a'\n[[configurations]]\nname = 'b'\nrecipe = 'alme9'\n",
               "configurations[1].recipe: unknown recipe 'alme9'; known: alme2"),
    "mode": ("[[configurations]]\nname = 'a'\nmode = 'tridentate'\n", "configurations[0].mode"),
    "pair": ("[analyze]\npair = '13C-99Xx'\n[[configurations]]\nname = 'a'\n", "analyze.pair"),
    "no_name": ("[[configurations]]\nmode = 'bridging'\n", "configurations[0].name: missing"),
    "bad_name": ("[[configurations]]\nname = '../a'\n", "configurations[0].name: must be"),
    "duplicate": ("[[configurations]]\nname = 'a'\n[[configurations]]\nname = 'a'\n",
                  "duplicate names ['a']"),
    "o2": ("[[configurations]]\nname = 'a'\ntma = 1\no2 = 2\n",
           "configurations[0]: o2 (2) cannot exceed tma (1)"),
    # found when the models are built, before any relaxation
    "crowded": ("[build]\nsize = '1x1'\nlayers = 2\nfixed_layers = 1\n[[configurations]]\n"
                "name = 'a'\nligands = 2\nmode = 'bridging'\ntma = 1\ncd_vacancies = false\n",
                "configurations[0] (a): the requested model has overlapping atoms"),
    "pair_absent": ("[analyze]\npair = '111Cd-27Al'\n[build]\nsize = '1x1'\nlayers = 2\n"
                    "fixed_layers = 1\nligands = 1\n[[configurations]]\nname = 'bare'\n",
                    "configurations[0] (bare): pair 111Cd-27Al: the model has no Al"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_screen_file(case: str, tmp_path: Path, capsys):
    text, fragment = BAD[case]
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, ["model", "screen", path, "--out", tmp_path / "out"])
    assert_clean_error(code, out, err, fragment)
    assert str(path) in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_missing_screen_file_and_conflicting_options(tiny: Path, tmp_path: Path, capsys):
    code, out, err = run(capsys, ["model", "screen", tmp_path / "nope.toml", "--out", tmp_path])
    assert_clean_error(code, out, err, "no such screen file")
    code, out, err = run(capsys, ["model", "screen", tiny, "--out", tmp_path / "o", "--workers",
                                  "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert_clean_error(code, out, err, "not both")
    (tmp_path / "file").write_text("x")
    code, out, err = run(capsys, ["model", "screen", tiny, "--out", tmp_path / "file"])
    assert_clean_error(code, out, err, "not a folder")


def test_library_error_names_the_file(tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_text("[[configurations]]\nname = 'a'\nligand = 'x'\n")
    with pytest.raises(ScreenFileError, match=r"s\.toml: configurations\[0\]\.ligand"):
        load_screen(path)
    assert ScreenOptions.model_validate(
        {"configurations": [{"name": "a"}]}).configurations[0].ligand == "acetate"
