"""``cald run`` and ``cald demo`` through ``cald.cli.app.main``: the JSON summary, quiet and human
output, and the clean-error contract (exit 2, one ``error:`` line naming the file or field, no
traceback, nothing on stdout) for bad projects, outputs and schedulers."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cald.cli.app import main
from cald.project.demo import write_demo_project
from conftest import DEMO_IDS
from test_cli import run, run_json

SUMMARY_KEYS = {"out", "results", "report", "n_ok", "n_failed", "n_cached", "analyses"}


def assert_clean_error(code: int, out: str, err: str, *fragments: str) -> None:
    """The error contract: exit 2, stderr is one ``error:`` line, no traceback, empty stdout."""
    assert code == 2, (code, out, err)
    assert err.startswith("error:"), err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    assert out == ""
    for fragment in fragments:
        assert fragment.lower() in err.lower(), (fragment, err)


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_cli(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """``cald demo --out DIR --json`` run once (DIR does not exist yet)."""
    out = tmp_path_factory.mktemp("cli-demo") / "demo"
    code = main(["demo", "--out", str(out), "--json"])  # stdout: pytest's own capture
    assert code == 0
    return out, json.loads((out / "results.json").read_text(encoding="utf-8"))


@pytest.fixture
def demo_copy(demo_cli: tuple[Path, dict], tmp_path: Path) -> Path:
    """A copy of the demo folder (project, data, outputs, cache); returns its project file."""
    return Path(shutil.copytree(demo_cli[0], tmp_path / "demo")) / "project.toml"


@pytest.fixture(scope="module")
def fresh_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project written but never run."""
    return write_demo_project(tmp_path_factory.mktemp("cli-fresh"))


# --- cald demo and cald run -------------------------------------------------------------------


def test_demo_json(demo_cli, capsys):
    out, results = demo_cli
    assert (out / "project.toml").is_file() and (out / "report.html").is_file()
    assert [a["id"] for a in results["analyses"]] == DEMO_IDS
    # the same folder again: everything from the cache, same JSON contract
    copy = Path(shutil.copytree(out, out.parent / "again"))
    obj = run_json(capsys, ["demo", "--out", copy])
    assert set(obj) == SUMMARY_KEYS
    assert (obj["n_ok"], obj["n_failed"], obj["n_cached"]) == (len(DEMO_IDS), 0, len(DEMO_IDS))
    assert obj["out"] == str(copy.resolve())
    assert obj["report"] == str(copy.resolve() / "report.html")


def test_recorded_command_is_the_cald_command(demo_cli):
    out, results = demo_cli
    assert results["command"] == shlex.join(["cald", "demo", "--out", str(out), "--json"])


def test_run_json(demo_copy, capsys):
    folder = demo_copy.parent
    obj = run_json(capsys, ["run", demo_copy, "--out", folder])
    assert set(obj) == SUMMARY_KEYS
    assert obj["out"] == str(folder.resolve())
    assert obj["results"] == str(folder.resolve() / "results.json")
    assert obj["report"] == str(folder.resolve() / "report.html")
    assert Path(obj["results"]).is_file() and Path(obj["report"]).is_file()
    assert (obj["n_ok"], obj["n_failed"], obj["n_cached"]) == (len(DEMO_IDS), 0, len(DEMO_IDS))
    assert [a["id"] for a in obj["analyses"]] == DEMO_IDS
    for a in obj["analyses"]:
        assert set(a) == {"id", "kind", "sample", "status", "summary", "cached", "error"}
        assert a["status"] == "ok" and a["cached"] is True and a["error"] is None


def test_run_json_with_a_failure(demo_copy, capsys):
    folder = demo_copy.parent
    with open(demo_copy, "a", encoding="utf-8") as fh:
        fh.write('\n[[analyses]]\nid = "empty-region"\nkind = "respdor"\ninputs = ["respdor-n1"]\n'
                 '[analyses.parameters]\npair = "13C-27Al"\nregion = [900.0, 880.0]\n')
    code, out, err = run(capsys, ["run", demo_copy, "--out", folder, "--json"])
    assert code == 1, err  # some analyses failed; the others finished and everything is written
    assert err == "" and out.count("\n") == 1
    obj = json.loads(out)
    assert (obj["n_ok"], obj["n_failed"], obj["n_cached"]) == (len(DEMO_IDS), 1, len(DEMO_IDS))
    failed = obj["analyses"][-1]
    assert failed["id"] == "empty-region" and failed["status"] == "failed"
    assert "region" in failed["error"] and failed["summary"] is None
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert [a["status"] for a in results["analyses"]].count("failed") == 1
    assert (folder / "report.html").is_file()


def test_a_bruker_series_without_region_is_an_input_error(fresh_project, capsys):
    """Parameters that depend on the input's kind are checked while planning: exit 2 before any
    work, naming the field (a RESPDOR series needs the region it integrates)."""
    original = fresh_project.read_text(encoding="utf-8")
    fresh_project.write_text(original + '\n[[analyses]]\nid = "no-region"\nkind = "respdor"\n'
                             'inputs = ["respdor-n1"]\n[analyses.parameters]\npair = "13C-27Al"\n',
                             encoding="utf-8")
    out_dir = fresh_project.parent / "never-written"
    try:
        code, out, err = run(capsys, ["run", fresh_project, "--out", out_dir])
    finally:
        fresh_project.write_text(original, encoding="utf-8")
    assert_clean_error(code, out, err, "parameters.region", "Bruker series")
    assert not out_dir.exists()


def test_run_exit_status_is_documented():
    from typer.testing import CliRunner

    from cald.cli.app import app

    help_text = " ".join(CliRunner().invoke(app, ["run", "--help"]).output.split())
    assert "Exit status: 0" in help_text and "1 some analyses failed" in help_text


def test_relative_paths_from_another_directory(demo_copy, tmp_path, capsys, monkeypatch):
    """Relative paths from another working directory; outputs only where --out says."""
    (demo_copy.parent / "report.html").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    before = sorted(p.name for p in demo_copy.parent.iterdir())
    # out = the project folder itself, given relative to the working directory
    obj = run_json(capsys, ["run", Path("..") / "demo" / "project.toml", "--out",
                            Path("..") / "demo"])
    assert obj["n_cached"] == len(DEMO_IDS)
    assert sorted(p.name for p in demo_copy.parent.iterdir()) == sorted({*before, "report.html"})
    assert list(elsewhere.iterdir()) == []


def test_run_quiet_prints_nothing(demo_copy, capsys):
    code, out, err = run(capsys, ["run", demo_copy, "--out", demo_copy.parent, "--quiet"])
    assert (code, out, err) == (0, "", "")
    code, out, err = run(capsys, ["run", demo_copy, "--out", demo_copy.parent, "-q"])
    assert (code, out, err) == (0, "", "")


def test_run_human_output_lists_analyses(demo_copy, capsys):
    code, out, err = run(capsys, ["run", demo_copy, "--out", demo_copy.parent])
    assert code == 0 and err == ""
    lines = out.splitlines()
    for analysis_id in DEMO_IDS:
        line = next(line for line in lines if line.strip().startswith(analysis_id))
        assert "cached" in line
    assert f"{len(DEMO_IDS)} ok, 0 failed ({len(DEMO_IDS)} from cache)" in out
    assert str(demo_copy.parent.resolve() / "report.html") in out.replace("\n", "")
    assert "{" not in out  # not JSON


# --- bad input --------------------------------------------------------------------------------


def test_missing_project_file(tmp_path, capsys):
    missing = tmp_path / "nope.toml"
    code, out, err = run(capsys, ["run", missing, "--out", tmp_path / "out"])
    assert_clean_error(code, out, err, str(missing), "no such project file")
    assert not (tmp_path / "out").exists()


def test_invalid_toml(tmp_path, capsys):
    project = tmp_path / "project.toml"
    project.write_text('[project]\nname = "x"\n\n[[samples]\nname = "a"\n', encoding="utf-8")
    code, out, err = run(capsys, ["run", project, "--out", tmp_path / "out"])
    assert_clean_error(code, out, err, str(project), "invalid TOML", "line 4")
    assert not (tmp_path / "out").exists()


def test_unknown_kind(fresh_project, tmp_path, capsys):
    project = Path(shutil.copytree(fresh_project.parent, tmp_path / "p")) / "project.toml"
    text = project.read_text(encoding="utf-8").replace('kind = "dnp"', 'kind = "dnq"', 1)
    project.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, ["run", project, "--out", tmp_path / "out", "--json"])
    assert_clean_error(code, out, err, "project.toml", "analyses[1].kind", "'dnq'")
    assert not (tmp_path / "out").exists()


def test_bad_parameter(fresh_project, tmp_path, capsys):
    project = Path(shutil.copytree(fresh_project.parent, tmp_path / "p")) / "project.toml"
    text = project.read_text(encoding="utf-8").replace('pair = "13C-27Al"',
                                                       'pair = "13C-27Al"\nbootstrap = -1')
    project.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, ["run", project, "--out", tmp_path / "out"])
    assert_clean_error(code, out, err, "project.toml", "analyses[0].parameters.bootstrap")


@pytest.mark.parametrize("command", ["run", "demo"])
def test_out_is_a_file(fresh_project, tmp_path, capsys, command):
    target = tmp_path / "taken.txt"
    target.write_text("keep")
    argv = ["run", fresh_project] if command == "run" else ["demo"]
    code, out, err = run(capsys, [*argv, "--out", target])
    assert_clean_error(code, out, err, str(target), "not a folder")
    assert target.read_text() == "keep"


def test_run_without_out_is_a_usage_error(fresh_project, capsys):
    code, out, err = run(capsys, ["run", fresh_project])
    assert_clean_error(code, out, err, "--out")


def test_unreachable_scheduler_is_a_clean_error(fresh_project, tmp_path):
    """Nothing listens on port 1: a clean error within seconds, not a hang or a traceback."""
    project = Path(shutil.copytree(fresh_project.parent, tmp_path / "p")) / "project.toml"
    out_dir = tmp_path / "out"
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "COLUMNS": "200"}
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "cald.cli.app", "run", str(project), "--out",
                           str(out_dir), "--scheduler", "tcp://127.0.0.1:1", "--json"],
                          capture_output=True, text=True, timeout=60, env=env, check=False)
    elapsed = time.monotonic() - start
    assert_clean_error(proc.returncode, proc.stdout, proc.stderr, "tcp://127.0.0.1:1",
                       "scheduler")
    assert elapsed < 20, f"took {elapsed:.1f} s"
    assert not (out_dir / "results.json").exists()
