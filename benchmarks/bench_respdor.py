"""RESPDOR benchmarks (issue 3).

1. Curve evaluation: tabulated universal curve vs direct scipy.special.jv evaluation of the same
   sum, on 10⁶ λ values, I = 5/2 (goal ≥ 20× at ≤ 1e-6 absolute error).
2. One fit plus a 1000-sample bootstrap (goal < 1 s on 2 cores), against a baseline bootstrap that
   refits every sample with lmfit (timed on 50 samples, scaled to 1000).

Prints one line per benchmark with the ratio against the baseline measured in the same run.
"""

from __future__ import annotations

import lmfit
import numpy as np

from _timing import best_of
from cald.nuclei import parse_pair
from cald.recoupling.data import DephasingCurve
from cald.recoupling.fit import fit_respdor
from cald.recoupling.redor import respdor_dephasing, respdor_universal, respdor_universal_direct


def bench_curve() -> None:
    lam = np.random.default_rng(0).uniform(0.0, 20.0, 1_000_000)
    respdor_universal(lam[:10], 2.5)  # build the table once, outside the timing
    fast = best_of(lambda: respdor_universal(lam, 2.5), repeat=5)[0]
    direct = best_of(lambda: respdor_universal_direct(lam, 2.5), repeat=2)[0]
    err = np.max(np.abs(respdor_universal(lam, 2.5) - respdor_universal_direct(lam, 2.5)))
    print(f"curve I=5/2, 1e6 points: tabulated {fast * 1e3:.1f} ms, scipy.special.jv "
          f"{direct * 1e3:.0f} ms, speed-up {direct / fast:.0f}x, max abs error {err:.1e}")


def bench_fit_bootstrap() -> None:
    pair = parse_pair("13C-27Al")
    t = np.arange(1, 16) * 0.2e-3
    rng = np.random.default_rng(1)
    y = respdor_dephasing(t, 503.0, 0.24, 2.5) + rng.normal(0, 0.005, t.size)
    curve = DephasingCurve.from_dephasing(t, y, np.full(t.size, 0.005))
    fit_respdor(curve, pair=pair, n_bootstrap=10)  # warm-up (table, imports)
    ours = best_of(lambda: fit_respdor(curve, pair=pair, n_bootstrap=1000), repeat=3)[0]

    best = fit_respdor(curve, pair=pair, n_bootstrap=0)
    model = respdor_dephasing(t, best.d_hz, best.f, 2.5)

    def lmfit_bootstrap(n):
        for _ in range(n):
            yb = model + rng.normal(0, 0.005, t.size)
            p = lmfit.Parameters()
            p.add("d_hz", value=best.d_hz, min=1.0, max=1e5)
            p.add("f", value=best.f, min=0, max=1)
            lmfit.minimize(lambda q, yb=yb: (yb - respdor_dephasing(t, q["d_hz"].value,
                                                                       q["f"].value, 2.5)) / 0.005,
                           p, method="least_squares")

    baseline = best_of(lambda: lmfit_bootstrap(50), repeat=1)[0] * 1000 / 50
    print(f"fit + 1000-sample bootstrap: {ours:.3f} s; lmfit refit per sample (baseline, "
          f"scaled from 50): {baseline:.1f} s; ratio {baseline / ours:.0f}x")


if __name__ == "__main__":
    bench_curve()
    bench_fit_bootstrap()
