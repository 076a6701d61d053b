"""DOSY benchmark (issue 10): a 32-row 1H DOSY series (ledbpgp2s, 16k points per row, SMSQ10.100
gradients) from its Bruker folder to D, I0 and d_H with uncertainties and the profile interval
(`cald.qd.dosy_data.read_dosy` + `DosyFitOptions.fit`, goal < 1 s), against the same steps done
with nmrglue's functions and scipy (read, em, FT, integrate each row, `curve_fit` of
I0 exp(−D b) with TopSpin's b; no phase search, no noise per row, no pulse-program reading).
"""

from __future__ import annotations

import math
import tempfile
import warnings
from pathlib import Path

import nmrglue as ng
import numpy as np
from scipy.optimize import curve_fit

from _timing import best_of
from cald.qd.dosy_data import read_dosy
from cald.qd.options import DosyFitOptions
from cald.synth.nmr_sets import write_dosy_series


def bench_dosy(folder: Path) -> None:
    gradients = np.linspace(2.0, 50.0, 32)
    write_dosy_series(folder, gradients, 1.5e-10, gradient_shape="SMSQ10.100", seed=5)
    opts = DosyFitOptions(region=(5.6, 5.2))

    def ours():
        return opts.fit(read_dosy(folder, opts.region, opts.timing))

    def nmrglue_scipy():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dic, data = ng.bruker.read(str(folder))
            data = ng.bruker.remove_digital_filter(dic, data)
            data = ng.proc_base.em(data, lb=1.0 / 8000.0)
            data = ng.proc_base.fft(data)
            uc = ng.fileiobase.uc_from_udic(ng.bruker.guess_udic(dic, data))
            lo, hi = sorted((uc.i("5.6 ppm"), uc.i("5.2 ppm")))
            y = data.real[:, lo:hi + 1].sum(axis=1)
            delta = 0.9 * 2 * dic["acqus"]["P"][30] * 1e-6
            big = dic["acqus"]["D"][20]
            x = (2 * math.pi * 4257.7 * gradients * delta) ** 2 * (big - delta / 3) * 1e4 * 1e-10
            popt, pcov = curve_fit(lambda b, i0, d: i0 * np.exp(-d * b), x, y / y[0], p0=(1.0, 1.0))
            return popt[1] * 1e-10, math.sqrt(pcov[1, 1]) * 1e-10

    result = ours()
    t_ours, t_ref = best_of(ours)[0], best_of(nmrglue_scipy)[0]
    print(f"32-row DOSY fit from a Bruker folder (D = {result.diffusion.format()}): cald "
          f"{t_ours:.3f} s, nmrglue + scipy {t_ref:.3f} s, ratio {t_ref / t_ours:.2f}x "
          "(goal < 1 s)")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        bench_dosy(Path(tmp) / "1")
