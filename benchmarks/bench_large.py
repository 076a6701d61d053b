"""The large generated project (`cald demo --size large`, issue 14) end to end: written once, then
run from scratch (first runs, each into a fresh folder) on the default local cluster (threads of
one process) with progress recorded in-process (time to the first progress update), and as a user
runs it with `cald run --workers 2` and `--workers 1` (local worker processes, one thread each;
the 2 vs 1 throughput ratio) and with `cald run --scheduler ADDRESS` on a separately started
`dask scheduler` with 2 and then 1 `dask worker` processes (one thread each); an unchanged
re-run and a re-run served from the cache (results.json
removed: every analysis loaded from the cache, the report rewritten) as fractions of the first
run; the load time of its results.json. The load average is printed beside each run (the machine
may be shared).

    PYTHONPATH=src python benchmarks/bench_large.py [N_SAMPLES]
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from cald.project.demo_large import LARGE_N_SAMPLES, write_large_project
from cald.project.pipeline import run_project

CALD = [sys.executable, "-m", "cald.cli.app"]


def load() -> str:
    return "load " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


def cald_run(project: Path, out: Path, *extra: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([*CALD, "run", str(project), "--out", str(out), "--quiet", *extra],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


@contextlib.contextmanager
def dask_cluster(folder: Path, n_workers: int) -> Iterator[str]:
    """A `dask scheduler` and ``n_workers`` `dask worker` processes (one thread each), started
    as separate processes the way a facility's cluster is; yields the scheduler's address."""
    dask = str(Path(sys.executable).with_name("dask"))
    scheduler_file = folder / f"scheduler-{n_workers}.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    procs = [subprocess.Popen([dask, "scheduler", "--scheduler-file", str(scheduler_file),
                               "--host", "127.0.0.1", "--port", "0",
                               "--dashboard-address", "127.0.0.1:0"], env=env, **quiet)]
    procs += [subprocess.Popen([dask, "worker", "--scheduler-file", str(scheduler_file),
                                "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                               env=env, **quiet) for _ in range(n_workers)]
    try:
        while not scheduler_file.is_file():
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        from dask.distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(n_workers, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)


def main(n_samples: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        project = write_large_project(root / "project", n_samples)
        size_mb = sum(f.stat().st_size for f in project.parent.rglob("*") if f.is_file()) / 1e6
        print(f"written ({n_samples} generated samples): {time.perf_counter() - t0:.1f} s; "
              f"data {size_mb:.0f} MB")

        out = root / "threads"
        updates: list[float] = []
        t0 = time.perf_counter()
        summary = run_project(project, out,
                              progress=lambda *_: updates.append(time.perf_counter() - t0))
        first = summary.wall_s
        print(f"first run, default local cluster ({os.cpu_count()} threads): {first:.1f} s, "
              f"{summary.n_ok} ok, {summary.n_failed} failed of {len(updates) - 1}; "
              f"first progress update (0 of N, planned) after {updates[0]:.2f} s, first analysis "
              f"done after {updates[1]:.2f} s ({load()})")

        rerun = cald_run(project, out)
        (out / "results.json").unlink()
        t0 = time.perf_counter()
        cached = run_project(project, out)
        from_cache = time.perf_counter() - t0
        print(f"unchanged re-run (cald run, subprocess): {rerun:.2f} s = {rerun / first:.1%} of "
              f"the first; re-run from the cache (results.json removed, in-process, "
              f"{cached.n_cached} cached): {from_cache:.2f} s = {from_cache / first:.1%} ({load()})")

        results = out / "results.json"
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            json.loads(results.read_bytes())
            times.append(time.perf_counter() - t0)
        print(f"results.json ({results.stat().st_size / 1e6:.1f} MB) loads in {min(times):.3f} s")

        by_workers = {}
        for n in (2, 1):
            by_workers[n] = cald_run(project, root / f"workers{n}", "--workers", str(n))
            print(f"first run, cald run --workers {n}: {by_workers[n]:.1f} s ({load()})")
        print(f"2 workers vs 1: {by_workers[1] / by_workers[2]:.2f}x (goal >= 1.8x)")

        on_cluster = {}
        for n in (2, 1):
            with dask_cluster(root, n) as address:
                on_cluster[n] = cald_run(project, root / f"cluster{n}", "--scheduler", address)
            print(f"first run, cald run --scheduler (separate dask scheduler + {n} dask worker "
                  f"processes): {on_cluster[n]:.1f} s ({load()})")
        print(f"separate cluster, 2 workers vs 1: {on_cluster[1] / on_cluster[2]:.2f}x "
              f"(goal >= 1.8x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else LARGE_N_SAMPLES)
