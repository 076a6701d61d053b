"""The bundled example: a synthetic 13C{27Al} RESPDOR series made with the reference study's
parameters (D = 503 Hz, f = 0.24, 27Al saturated, REDOR recoupling up to 3 ms at 10 kHz MAS),
written as a CSV of S0/S integrals, then fitted like measured data.

Until the project pipeline lands this is what ``cald demo`` runs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cald.io.atomic import atomic_write_text
from cald.io.table import write_table
from cald.nuclei import parse_pair
from cald.project.report.figures import respdor_figure, save_figure
from cald.recoupling.data import read_dephasing_csv
from cald.recoupling.fit import RespdorResult, fit_respdor
from cald.synth.respdor import synthetic_respdor

__all__ = ["DemoOutput", "DEMO_PAIR", "DEMO_D_HZ", "DEMO_F", "run_demo"]

DEMO_PAIR = "13C-27Al"
DEMO_D_HZ = 503.0  # the study's fitted value, used as the generator's input
DEMO_F = 0.24
DEMO_MAS_HZ = 10_000.0
DEMO_SEED = 20221
DEMO_SNR = 300.0


@dataclass(frozen=True)
class DemoOutput:
    """Files written by the demo and the fit result."""

    csv: Path
    json: Path
    figure: Path
    result: RespdorResult


def run_demo(out_dir: str | os.PathLike[str]) -> DemoOutput:
    """Write the synthetic data set into ``out_dir``, fit it and write the results.

    Files: ``respdor.csv`` (data), ``respdor_fit.json`` (fit, the ``cald respdor fit --json``
    keys), ``respdor_fit.svg`` (figure).
    """
    out = Path(out_dir)
    pair = parse_pair(DEMO_PAIR)
    rotor_period_s = 1.0 / DEMO_MAS_HZ
    t_s = rotor_period_s * np.arange(2, 31, 2)  # 0.2 … 3.0 ms, even numbers of rotor periods
    data = synthetic_respdor(t_s, DEMO_D_HZ, DEMO_F, spin=pair[1].spin, snr=DEMO_SNR,
                             seed=DEMO_SEED)
    csv = write_table(out / "respdor.csv", data.columns(),
                      data.header() + [f"pair {DEMO_PAIR}, MAS {DEMO_MAS_HZ / 1e3:g} kHz"])
    result = fit_respdor(read_dephasing_csv(str(csv)), spin=pair[1].spin, pair=pair,
                         models=("single", "two_site", "gaussian"))
    json_path = atomic_write_text(out / "respdor_fit.json",
                                  json.dumps(result.to_dict(), indent=2, allow_nan=False) + "\n")
    figure = save_figure(respdor_figure(result), out / "respdor_fit.svg")
    return DemoOutput(csv, json_path, figure, result)
