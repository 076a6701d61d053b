"""NMR processing benchmarks (issue 4), on synthetic Bruker data written to a temporary folder.

1. A 64k-point 1D spectrum: read, window, zero fill, FT, automatic phase and baseline (goal
   < 0.3 s), against the same steps with nmrglue's functions (nmrglue reader, proc_base.em,
   zf_size, fft, proc_autophase.autops ACME, proc_bl.baseline_corrector).
2. A 32-row × 8k pseudo-2D RESPDOR series to a curve with noise (goal < 2 s), against nmrglue
   doing the same per row (read, em, fft, phase, integrate; no noise propagation).
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import nmrglue as ng
import numpy as np

from _timing import best_of
from cald.io.bruker import raw_signal, read_bruker
from cald.nmr.processing import baseline_correct, process_fid
from cald.nmr.pseudo2d import respdor_series
from cald.synth.bruker import AcquisitionSetup, Line, lines_fid, write_experiment
from cald.synth.nmr_sets import OLEATE_13C_LINES


def bench_1d(folder: Path) -> None:
    setup = AcquisitionSetup("13C", td=65536, sw_hz=50_000.0, carrier_ppm=100.0)
    lines = [Line(184.0, 0.6, 60.0), Line(130.0, 1.0, 40.0), Line(74.0, 3.0, 30.0),
             Line(30.0, 4.0, 80.0), Line(14.5, 0.8, 40.0)]
    write_experiment(folder, setup, lines_fid(setup, lines), 0.01, 1, lb_hz=5.0)

    def ours():
        ds = read_bruker(folder)
        spec = process_fid(raw_signal(ds), ds.processing, auto_phase="acme")
        return baseline_correct(spec, "asls")

    def nmrglue_only():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dic, data = ng.bruker.read(str(folder))
            data = ng.bruker.remove_digital_filter(dic, data)
            data = ng.proc_base.em(data, lb=5.0 / 50_000.0)
            data = ng.proc_base.zf_size(data, 65536)
            data = ng.proc_base.fft(data)
            data = ng.proc_autophase.autops(data, "acme", disp=False)
            return ng.proc_bl.baseline_corrector(data.real, wd=20)

    ours()
    t_ours, t_ng = best_of(ours)[0], best_of(nmrglue_only, repeat=1)[0]
    print(f"64k 1D, read+window+FT+autophase+baseline: cald {t_ours:.3f} s, nmrglue functions "
          f"{t_ng:.3f} s, ratio {t_ng / t_ours:.1f}x (goal < 0.3 s)")


def bench_series(folder: Path) -> None:
    setup = AcquisitionSetup("13C", td=16384, sw_hz=50_000.0, carrier_ppm=100.0, mas_hz=10_000.0)
    rows = [lines_fid(setup, OLEATE_13C_LINES) * (0.8 if i % 2 else 1.0) for i in range(32)]
    write_experiment(folder, setup, np.array(rows), 0.01, 2, acqu2s={"TD": 32},
                     lists={"vclist": (list(range(2, 34, 2)), "")}, lb_hz=50.0)

    def ours():
        return respdor_series(read_bruker(folder), (190.0, 178.0))

    def nmrglue_only():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dic, data = ng.bruker.read(str(folder))
            data = ng.bruker.remove_digital_filter(dic, data)
            data = ng.proc_base.em(data, lb=50.0 / 50_000.0)
            data = ng.proc_base.fft(data)
            uc = ng.fileiobase.uc_from_udic(ng.bruker.guess_udic(dic, data))
            lo, hi = sorted((uc.i("190 ppm"), uc.i("178 ppm")))
            return data.real[:, lo:hi + 1].sum(axis=1)

    ours()
    t_ours, t_ng = best_of(ours)[0], best_of(nmrglue_only)[0]
    print(f"32 x 8k pseudo-2D to curve (+ noise): cald {t_ours:.3f} s, nmrglue functions "
          f"{t_ng:.3f} s, ratio {t_ng / t_ours:.2f}x (goal < 2 s)")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        bench_1d(Path(tmp) / "one_d")
        bench_series(Path(tmp) / "series")
