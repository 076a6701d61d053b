"""Pipeline benchmarks (issue 5): `cald demo` end to end (goal < 60 s on 2 cores) and an
unchanged re-run of the same project (goal < 10 % of the first run), both as subprocesses, as a
user runs them."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

CALD = [sys.executable, "-m", "cald.cli.app"]


def timed(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        first = timed([*CALD, "demo", "--out", str(out), "--quiet"])
        fresh = Path(tmp) / "fresh"
        run_first = timed([*CALD, "run", str(out / "project.toml"), "--out", str(fresh), "--quiet"])
        rerun = timed([*CALD, "run", str(out / "project.toml"), "--out", str(fresh), "--quiet"])
    print(f"cald demo end to end (synthetic data, all analyses, report): {first:.2f} s (goal < 60 s)")
    print(f"cald run, first: {run_first:.2f} s; unchanged re-run: {rerun:.2f} s; "
          f"re-run/first {rerun / run_first:.1%} (goal < 10 %)")
