"""The large generated project (`cald demo --size large`, issue 14) end to end: written once, then
run from scratch (first runs, each into a fresh folder) on the default local cluster (threads of
one process) with progress recorded in-process (time to the first progress update), and as a user
runs it with `cald run --workers 2` and `--workers 1` (local worker processes, one thread each;
the 2 vs 1 throughput ratio); an unchanged re-run and a re-run served from the cache (results.json
removed: every analysis loaded from the cache, the report rewritten) as fractions of the first
run; the load time of its results.json. The load average is printed beside each run (the machine
may be shared).

    PYTHONPATH=src python benchmarks/bench_large.py [N_SAMPLES]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
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
              f"{summary.n_ok} ok, {summary.n_failed} failed of {len(updates)}; "
              f"first progress update after {updates[0]:.2f} s ({load()})")

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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else LARGE_N_SAMPLES)
