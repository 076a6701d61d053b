"""Where `cald demo`'s time goes (issue 9): every analysis of the demo project run one after the
other in this process (imports timed separately), against the demo end to end as a subprocess
(the parallel run a user starts). Prints one line per analysis and the ratio of the sequential
sum to the parallel wall time."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

CALD = [sys.executable, "-m", "cald.cli.app"]


def main() -> None:
    t0 = time.perf_counter()
    from cald.project.analyses import load_kinds
    from cald.project.config import load_project
    from cald.project.demo import write_demo_project
    from cald.project.pipeline import plan_project

    t_import = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        project = write_demo_project(Path(tmp) / "demo")
        t_write = time.perf_counter() - t0
        kinds = load_kinds()
        rows = []
        for plan in plan_project(load_project(project)):
            t0 = time.perf_counter()
            kinds[plan.kind].run(plan.inputs, plan.params, plan.sample_info)
            rows.append((plan.id, plan.kind, time.perf_counter() - t0))
        t0 = time.perf_counter()
        subprocess.run([*CALD, "demo", "--out", str(Path(tmp) / "e2e"), "--quiet"], check=True)
        t_demo = time.perf_counter() - t0
    print(f"imports (pipeline, kinds): {t_import:.2f} s; writing the synthetic data: {t_write:.2f} s")
    for analysis_id, kind, seconds in rows:
        print(f"  {analysis_id:24s} {kind:8s} {seconds:6.2f} s")
    total = sum(r[2] for r in rows)
    print(f"analyses one after the other: {total:.2f} s; `cald demo` end to end (2 workers, data "
          f"written, report): {t_demo:.2f} s; sequential sum / end to end = {total / t_demo:.2f}")


if __name__ == "__main__":
    main()
