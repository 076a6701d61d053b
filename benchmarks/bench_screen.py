"""Screen throughput benchmark (issue 12): the same N small configurations (33-atom CdSe(100)
2×1 slabs, two atomic layers, two acetates and one TMA product: chelating or monodentate,
AlMe2 or the AlMe3 adduct) relaxed for a fixed number of GFN2-xTB BFGS steps (the force target
is set out of reach so every configuration takes the same number of steps) and analysed by
:func:`cald.atomistic.screen.run_screen` on 1 local worker process and on 2 (one thread each,
``OMP_NUM_THREADS=1``), each into a new output folder (nothing resumed).

Prints the wall time of each screen (cluster start included), the throughput ratio (goal
≥ 1.8× with 2 workers on 2 cores), how many configurations ran at once (the sum of the
per-configuration times over the wall time), the time of each configuration on its worker, and
the load average of the machine before and after (the machine is shared: a busy core lowers the
ratio, not the overlap).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from _timing import best_of
from cald.atomistic.screen import ScreenResult, run_screen
from cald.atomistic.screen_options import ScreenOptions

#: (mode, recipe) of the configurations, cycled to N.
VARIANTS = [("chelating", "alme2"), ("monodentate", "alme2"), ("chelating", "alme3"),
            ("monodentate", "alme3")]


def screen_options(n: int, steps: int) -> ScreenOptions:
    """N configurations sharing [build] and [relax]."""
    configs = [{"name": f"c{i}-{mode}-{recipe}", "mode": mode, "recipe": recipe}
               for i, (mode, recipe) in enumerate(VARIANTS[k % len(VARIANTS)] for k in range(n))]
    return ScreenOptions.model_validate({
        "relax": {"steps": steps, "fmax_ev_a": 1e-4},
        "build": {"size": "2x1", "layers": 2, "ligands": 2, "tma": 1, "fixed_layers": 1},
        "configurations": configs})


def run(options: ScreenOptions, workers: int, repeat: int) -> tuple[float, ScreenResult]:
    """Best wall time of ``repeat`` screens on ``workers`` local processes, each into a new
    folder."""
    def once() -> ScreenResult:
        with tempfile.TemporaryDirectory(prefix="bench-screen-") as tmp:
            return run_screen(options, Path(tmp) / "out", n_workers=workers)

    return best_of(once, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=4, help="configurations (default 4)")
    parser.add_argument("--steps", type=int, default=25, help="BFGS steps each (default 25)")
    parser.add_argument("--repeat", type=int, default=1, help="screens per worker count (best of)")
    args = parser.parse_args()
    options = screen_options(args.n, args.steps)
    load_before = os.getloadavg()
    t1, r1 = run(options, 1, args.repeat)
    t2, r2 = run(options, 2, args.repeat)
    load_after = os.getloadavg()
    print(f"{args.n} configurations × {args.steps} GFN2-xTB BFGS steps, "
          f"{min(r.n_atoms for r in r1.results)}–{max(r.n_atoms for r in r1.results)} atoms")
    print(f"1 worker : {t1:7.2f} s  ({args.n / t1 * 3600:.0f} configurations/h)")
    print(f"2 workers: {t2:7.2f} s  ({args.n / t2 * 3600:.0f} configurations/h)")
    print(f"throughput ratio 2 vs 1 worker: {t1 / t2:.2f}× (goal ≥ 1.8×)")
    busy1, busy2 = (sum(r.t_s for r in res.results) for res in (r1, r2))
    print(f"configurations running at once (Σ time per configuration / wall): "
          f"{busy1 / t1:.2f} with 1 worker, {busy2 / t2:.2f} with 2 (a loaded machine slows each "
          "configuration, not the overlap)")
    print("per configuration (s, on its worker): " + ", ".join(
        f"{a.name} {a.t_s:.1f} / {b.t_s:.1f}" for a, b in zip(r1.results, r2.results, strict=True))
          + "  (1 worker / 2 workers)")
    failed = [r.name for r in (*r1.results, *r2.results) if not r.ok]
    if failed:
        print(f"failed: {failed}")
    print("load average before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}".format(
        *load_before, *load_after))


if __name__ == "__main__":  # the worker processes are spawned: they re-import this module
    main()
