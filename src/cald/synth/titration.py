"""A synthetic 1H NMR TMA titration of oleate-capped CdSe QDs in toluene-d8: one Bruker 1D data
set per TMA/QD value, labelled synthetic, its TMA/QD stated in the title.

The alkene of the bound oleate follows the reference study (Figure 4b): it starts at 5.70 ppm
and moves to lower frequency as TMA is added, broadening a little, while the QDs stay colloidal
(up to :data:`STABILITY_LIMIT` TMA per QD); beyond, the oleates leave the surface as TMA–oleate
complexes and the line sharpens abruptly and loses some intensity (:func:`alkene_line`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from cald.synth.bruker import AcquisitionSetup, Line, lines_fid, write_experiment

__all__ = ["STABILITY_LIMIT", "TITRATION_SETUP", "alkene_line", "write_titration_series"]

#: TMA per QD up to which the synthetic QDs stay colloidal (the study's value).
STABILITY_LIMIT = 25.0

#: 1H at 400 MHz, 20 ppm around 5 ppm, zg30, 16 scans.
TITRATION_SETUP = AcquisitionSetup("1H", sw_hz=8000.0, td=16384, carrier_ppm=5.0, ns=16,
                                   rg=32.0, pulse_program="zg30", d1_s=10.0)

#: Other lines of bound oleate and toluene-d8 (ppm, amplitude, FWHM Hz), outside the alkene region.
_OTHER_LINES = (Line(7.09, 0.15, 3.0), Line(7.01, 0.1, 3.0), Line(2.09, 0.3, 3.0),
                Line(2.05, 2.0, 60.0), Line(1.38, 12.0, 60.0), Line(0.92, 3.0, 50.0))


def alkene_line(tma_per_qd: float, limit: float = STABILITY_LIMIT) -> Line:
    """The bound-oleate alkene line at a TMA/QD value (amplitude 1 for the pristine QDs).

    Up to ``limit``: 5.70 − 0.004 ppm per TMA/QD, FWHM 40 + 0.4 Hz per TMA/QD; beyond: the
    TMA–oleate complexes, sharper (20 Hz, then 18 Hz) at 5.48 ppm and below, 10 % weaker per
    10 TMA/QD."""
    if tma_per_qd <= limit:
        return Line(5.70 - 0.004 * tma_per_qd, 1.0, 40.0 + 0.4 * tma_per_qd)
    past = tma_per_qd - limit
    return Line(5.48 - 0.002 * past, 1.0 - 0.01 * (past + 5.0), 20.0 - 0.13 * past)


def write_titration_series(folder: str | os.PathLike[str], tma_per_qd: Sequence[float],
                           seed: int = 0, noise_sd: float = 0.003,
                           line: Callable[[float], Line] = alkene_line) -> list[Path]:
    """Write one 1H experiment per value into ``folder/tma_<N>`` (same NS, RG and integer
    scale, so areas compare); returns the experiment folders in order."""
    setup = TITRATION_SETUP
    fids = [lines_fid(setup, (*_OTHER_LINES, line(v))) for v in tma_per_qd]
    scale = 2.0**24 / max(float(abs(f).max()) for f in fids)
    out = []
    for i, (v, fid) in enumerate(zip(tma_per_qd, fids, strict=True)):
        alk = line(v)
        title = (f"CdSe QDs 50 uM in toluene-d8 + {v:g} TMA/QD; alkene {alk.ppm:.3f} ppm, "
                 f"FWHM {alk.fwhm_hz:g} Hz, amplitude {alk.amplitude:g}, seed {seed + i}")
        out.append(write_experiment(Path(folder) / f"tma_{v:g}", setup, fid, noise_sd, seed + i,
                                    lb_hz=1.0, title=title, int_scale=scale))
    return out
