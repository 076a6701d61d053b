"""``cald run`` under faults, each shown with real processes (the ``cald`` console script, and a
separately started dask scheduler and workers): an interrupted or killed run, a full or read-only
output, two runs into one folder at once, damaged cache entries and a lost dask worker.

The projects are small generated ones (UV-vis sizing of N synthetic spectra, a fraction of a
second per analysis), so that a run can be interrupted half-way: the tests wait for the first
outcomes to appear in the cache before they interrupt, and the interrupted runs' analyses each
wait :data:`DELAY_S` first (tests/faults_site/sitecustomize.py) so that the run is still half-way
when the signal arrives on a loaded machine.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cald
from cald.project.cache import load_outcome
from cald.project.config import load_project
from cald.project.pipeline import CACHE_DIR, plan_project
from cald.synth.optical import write_uvvis_csv
from conftest import _digest

SRC = Path(cald.__file__).parents[1]
CALD = Path(sys.executable).with_name("cald")
#: tests/faults_site/sitecustomize.py delays each analysis by CALD_TEST_ANALYSIS_DELAY_S.
SITE = Path(__file__).with_name("faults_site")
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(SITE),
                                                    os.environ.get("PYTHONPATH", "")]),
       "PYTHONWARNINGS": "ignore"}
#: Seconds each analysis of an interrupted run waits first (the run is still half-way when the
#: signal arrives, even if this test process was not scheduled for seconds on a loaded machine).
DELAY_S = 0.3
TIMEOUT_S = 120


def write_project(root: Path, n: int) -> Path:
    """A project of ``n`` UV-vis analyses of synthetic spectra (the same data for the same
    index, whatever ``n``); returns the project file."""
    parts = ['[project]\nname = "faults"\n']
    for i in range(n):
        csv = root / "data" / f"uv{i}.csv"
        if not csv.is_file():
            write_uvvis_csv(csv, 495.0 + 0.1 * i, 25.0, seed=100 + i)
        parts.append(f'[[datasets]]\nid = "uv{i}"\npath = "data/uv{i}.csv"\nkind = "csv"\n')
    for i in range(n):
        parts.append(f'[[analyses]]\nid = "a{i}"\nkind = "uvvis"\ninputs = ["uv{i}"]\n'
                     '[analyses.parameters]\nmaterial = "CdSe"\npath_cm = 1.0\ndilution = 20.0\n')
    project = root / "project.toml"
    project.write_text("\n".join(parts), encoding="utf-8")
    return project


def start(project: Path, out: Path, *extra: str, delay_s: float = 0.0) -> subprocess.Popen[str]:
    return subprocess.Popen([str(CALD), "run", str(project), "--out", str(out), "--json", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**ENV, "CALD_TEST_ANALYSIS_DELAY_S": str(delay_s)})


def run(project: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    proc = start(project, out, *extra)
    stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
    return proc.returncode, stdout, stderr


def run_ok(project: Path, out: Path, *extra: str) -> dict[str, Any]:
    code, stdout, stderr = run(project, out, *extra)
    assert code == 0, stderr
    return json.loads(stdout)


def cached_ids(project: Path, out: Path) -> set[str]:
    """Ids of the project's analyses whose outcome the cache serves."""
    plans = plan_project(load_project(project))
    return {p.id for p in plans if load_outcome(out / CACHE_DIR, p.key) is not None}


def wait_for_cache(out: Path, n: int, proc: subprocess.Popen[str]) -> None:
    """Wait until ``n`` outcomes are in the cache (the run is then half-way)."""
    deadline = time.monotonic() + TIMEOUT_S
    while len(list((out / CACHE_DIR).glob("*.json"))) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)


def outputs(out: Path) -> dict[str, str]:
    """Digest of the results folder without its cache."""
    return {k: v for k, v in _digest(out).items() if not k.startswith(CACHE_DIR)}


def assert_one_error_line(code: int, stdout: str, stderr: str, status: int, *fragments: str) -> None:
    assert code == status, (code, stdout, stderr)
    assert stdout == ""
    assert stderr.startswith("error:") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment.lower() in stderr.lower(), (fragment, stderr)


# --- interrupted runs -------------------------------------------------------------------------


def test_sigint_stops_cleanly_and_the_next_run_computes_only_the_rest(tmp_path):
    project, out = write_project(tmp_path, 16), tmp_path / "out"
    proc = start(project, out, delay_s=DELAY_S)
    wait_for_cache(out, 2, proc)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
    assert_one_error_line(proc.returncode, stdout, stderr, 130, "interrupted")
    assert not (out / "results.json").exists()
    assert not list((out / CACHE_DIR).glob("staging-*"))
    done = cached_ids(project, out)
    assert 2 <= len(done) < 16
    summary = run_ok(project, out)
    assert (summary["n_ok"], summary["n_cached"]) == (16, len(done))
    assert {a["id"] for a in summary["analyses"] if a["cached"]} == done


def test_sigkill_keeps_the_previous_results_and_every_finished_analysis(tmp_path):
    out = tmp_path / "out"
    first = run_ok(write_project(tmp_path, 2), out)
    assert (first["n_ok"], first["n_cached"]) == (2, 0)
    previous = outputs(out)
    project = write_project(tmp_path, 16)  # 14 more analyses
    proc = start(project, out, delay_s=DELAY_S)
    wait_for_cache(out, 4, proc)
    proc.kill()
    proc.communicate(timeout=TIMEOUT_S)
    assert outputs(out) == previous, "the previous results folder is intact"
    done = cached_ids(project, out)
    assert {"a0", "a1"} < done and len(done) < 16
    stale = out / CACHE_DIR / "staging-killed"  # as a run killed while publishing leaves it
    (stale / "figures").mkdir(parents=True)
    summary = run_ok(project, out)
    assert not stale.exists()
    assert (summary["n_ok"], summary["n_failed"], summary["n_cached"]) == (16, 0, len(done))
    assert {a["id"] for a in summary["analyses"] if not a["cached"]} == \
        {f"a{i}" for i in range(16)} - done


# --- unwritable outputs -----------------------------------------------------------------------


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs (needs root and a container that allows mounts)."""
    fs = tmp_path / "fs"
    fs.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs",
                                            str(fs)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs without root (test_publish_without_space_in_process "
                    "simulates the full disk)")
    try:
        yield fs
    finally:
        subprocess.run(["umount", "-l", str(fs)], check=False)


def fill(fs: Path) -> None:
    """Fill a file system up to the last byte."""
    with open(fs / "filler", "wb", buffering=0) as fh:
        for chunk in (1 << 16, 1 << 10, 1):
            try:
                while True:
                    fh.write(b"\0" * chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC


def test_disk_full_output_is_a_clean_error_and_keeps_the_previous_results(tmp_path, small_fs):
    out = small_fs / "out"
    project = write_project(tmp_path, 2)
    run_ok(project, out)
    previous = outputs(out)
    with open(project, "a", encoding="utf-8") as fh:  # a new run, every analysis from the cache
        fh.write("# edited\n")
    fill(small_fs)
    code, stdout, stderr = run(project, out)
    assert_one_error_line(code, stdout, stderr, 2, str(out), "no space left")
    assert outputs(out) == previous
    assert not list((out / CACHE_DIR).glob("staging-*"))
    (small_fs / "filler").unlink()
    assert run_ok(project, out)["n_cached"] == 2


def test_publish_without_space_in_process(tmp_path, monkeypatch, capsys):
    """The full disk of the test above, simulated (for machines without tmpfs mounts): every
    results file fails to be written with ENOSPC."""
    from cald.cli.app import main

    out = tmp_path / "out"
    project = write_project(tmp_path, 2)
    assert main(["run", str(project), "--out", str(out), "--quiet"]) == 0
    previous = outputs(out)
    with open(project, "a", encoding="utf-8") as fh:
        fh.write("# edited\n")

    def no_space(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_bytes", no_space)
    code = main(["run", str(project), "--out", str(out), "--json"])
    stdout, stderr = capsys.readouterr()
    assert_one_error_line(code, stdout, stderr, 2, str(out), "no space left")
    assert outputs(out) == previous
    assert not list((out / CACHE_DIR).glob("staging-*"))


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder that this process cannot write into: a read-only tmpfs under root (which
    ignores permission bits), else a folder without write permission."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs in this container, and root ignores permission bits")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_read_only_output_is_a_clean_error_and_leaves_nothing(tmp_path, read_only_folder):
    out = read_only_folder / "out"
    code, stdout, stderr = run(write_project(tmp_path, 2), out)
    assert_one_error_line(code, stdout, stderr, 2, str(out))
    assert not out.exists()


def test_disk_full_while_caching_is_a_clean_error(tmp_path, small_fs):
    """No room even for the first outcome: the error names the cache entry, no results."""
    out = small_fs / "out"
    (out / CACHE_DIR).mkdir(parents=True)
    (out / CACHE_DIR / "run.lock").touch()
    fill(small_fs)
    code, stdout, stderr = run(write_project(tmp_path, 3), out)
    assert_one_error_line(code, stdout, stderr, 2, CACHE_DIR, "no space left")
    assert sorted(p.name for p in out.iterdir()) == [CACHE_DIR]
    assert not list((out / CACHE_DIR).glob("staging-*"))


# --- concurrent runs --------------------------------------------------------------------------


def test_two_runs_into_one_folder_take_turns(tmp_path):
    project, out = write_project(tmp_path, 6), tmp_path / "out"
    procs = [start(project, out), start(project, out)]
    summaries = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
        assert proc.returncode == 0, stderr
        summaries.append(json.loads(stdout))
    # one computed everything, the other waited for it and found every outcome in place
    assert sorted(s["n_cached"] for s in summaries) == [0, 6]
    assert all(s["n_ok"] == 6 for s in summaries)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [a["id"] for a in results["analyses"]] == [f"a{i}" for i in range(6)]
    for a in results["analyses"]:
        assert all((out / f[k]).is_file() for f in a["figures"] for k in ("svg", "png"))
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted(
        f[k].removeprefix("figures/") for a in results["analyses"] for f in a["figures"]
        for k in ("svg", "png"))
    assert not list((out / CACHE_DIR).glob("staging-*"))
    assert cached_ids(project, out) == {f"a{i}" for i in range(6)}


# --- damaged cache entries --------------------------------------------------------------------


def test_damaged_cache_entries_are_recomputed_never_served(tmp_path):
    project, out = write_project(tmp_path, 4), tmp_path / "out"
    run_ok(project, out)
    first = json.loads((out / "results.json").read_text(encoding="utf-8"))
    entries = {p.id: out / CACHE_DIR / f"{p.key}.json"
               for p in plan_project(load_project(project))}
    text = entries["a0"].read_text(encoding="utf-8")
    entries["a0"].write_text(text[: len(text) // 2], encoding="utf-8")  # truncated
    doc = json.loads(entries["a1"].read_text(encoding="utf-8"))
    entries["a1"].write_text(json.dumps({**doc, "cache_version": 0}), encoding="utf-8")
    shutil.copy(entries["a3"], entries["a2"])  # another analysis's outcome under a2's key
    with open(project, "a", encoding="utf-8") as fh:
        fh.write("# edited\n")
    summary = run_ok(project, out)
    assert [a["id"] for a in summary["analyses"] if a["cached"]] == ["a3"]
    again = json.loads((out / "results.json").read_text(encoding="utf-8"))
    for before, after in zip(first["analyses"], again["analyses"], strict=True):
        assert after["result"] == before["result"], before["id"]
    assert cached_ids(project, out) == {"a0", "a1", "a2", "a3"}  # rewritten whole


# --- a lost dask worker -----------------------------------------------------------------------


def _dask(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(CALD.with_name("dask")), *args], env={**ENV, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.slow
@pytest.mark.parametrize("allowed_failures", [3, 0])
def test_killed_dask_worker(tmp_path, allowed_failures):
    """A worker killed half-way: with dask's default its tasks go to the other worker and every
    analysis finishes once; with no failure allowed (``allowed-failures = 0``) the tasks it was
    running become failed analyses (dask's KilledWorker), the others finish and the next run
    computes only those."""
    project, out = write_project(tmp_path, 12), tmp_path / "out"
    ids = [f"a{i}" for i in range(12)]
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = _dask("scheduler", "--scheduler-file", str(scheduler_file), "--host", "127.0.0.1",
                      "--port", "0", "--dashboard-address", "127.0.0.1:0",
                      env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(allowed_failures)})
    workers = [_dask("worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1",
                     "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                     "--death-timeout", "60", env={"CALD_TEST_ANALYSIS_DELAY_S": str(DELAY_S)})
               for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file():
            assert time.monotonic() < deadline
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        from dask.distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        proc = start(project, out, "--scheduler", address)
        wait_for_cache(out, 2, proc)
        workers[0].kill()
        stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
        assert "Traceback" not in stderr
        summary = json.loads(stdout)
        assert [a["id"] for a in summary["analyses"]] == ids  # each once
        failed = {a["id"] for a in summary["analyses"] if a["status"] == "failed"}
        assert len(list((out / CACHE_DIR).glob("*.json"))) == 12 - len(failed)
        assert cached_ids(project, out) == set(ids) - failed
        if allowed_failures:
            assert (proc.returncode, summary["n_ok"], summary["n_cached"]) == (0, 12, 0)
            return
        assert proc.returncode == 1 and failed, stderr
        assert all("KilledWorker" in a["error"] for a in summary["analyses"]
                   if a["id"] in failed)
        again = run_ok(project, out, "--scheduler", address)
        assert {a["id"] for a in again["analyses"] if not a["cached"]} == failed
    finally:
        for p in (*workers, scheduler):
            p.kill()
            p.wait(timeout=30)
