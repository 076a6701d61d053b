"""The bundled example, made of synthetic data in real formats with the reference study's
parameters (clearly labelled synthetic in every file):

* a 13C{27Al} RESPDOR pseudo-2D Bruker data set (interleaved S0/S rows, vclist of rotor periods,
  10 kHz MAS, carboxylate dephased with D = 503 Hz, f = 0.24, 27Al saturated), integrated over
  the carboxylate region into ``respdor.csv`` and fitted (``respdor_fit.json``/``.svg``);
* a 13C CP DNP pair (microwaves on/off, enhancement 33), giving ``dnp.json`` and the processed
  microwave-on spectrum (``spectrum_13c.svg``).

Until the project pipeline lands this is what ``cald demo`` runs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cald.io.atomic import atomic_write_text
from cald.io.bruker import raw_signal, read_bruker
from cald.io.table import write_table
from cald.nmr.dnp import DnpEnhancement, dnp_enhancement
from cald.nmr.processing import pick_peaks, process_fid
from cald.nmr.pseudo2d import respdor_series
from cald.nuclei import parse_pair
from cald.project.report.figures import respdor_figure, save_figure, spectrum_figure
from cald.recoupling.data import read_dephasing_csv
from cald.recoupling.fit import RespdorResult, fit_respdor
from cald.synth.nmr_sets import write_dnp_pair, write_respdor_series

__all__ = ["DemoOutput", "DEMO_PAIR", "DEMO_D_HZ", "DEMO_F", "run_demo"]

DEMO_PAIR = "13C-27Al"
DEMO_D_HZ = 503.0  # the study's fitted value, used as the generator's input
DEMO_F = 0.24
DEMO_MAS_HZ = 10_000.0
DEMO_ROTOR_COUNTS = list(range(2, 31, 2))  # 0.2 … 3.0 ms of recoupling
DEMO_REGION_PPM = (190.0, 178.0)  # carboxylate
DEMO_SEED = 20221
DEMO_ENHANCEMENT = 33.0


@dataclass(frozen=True)
class DemoOutput:
    """Files written by the demo and the results."""

    csv: Path
    json: Path
    figure: Path
    result: RespdorResult
    dnp: DnpEnhancement
    files: tuple[Path, ...]


def run_demo(out_dir: str | os.PathLike[str]) -> DemoOutput:
    """Write the synthetic data sets into ``out_dir/data``, analyse them and write the results
    into ``out_dir``."""
    out = Path(out_dir)
    pair = parse_pair(DEMO_PAIR)
    series_dir = write_respdor_series(out / "data" / "respdor_13c_27al", DEMO_D_HZ, DEMO_F,
                                      DEMO_ROTOR_COUNTS, mas_hz=DEMO_MAS_HZ, spin=pair[1].spin,
                                      noise_sd=0.004, seed=DEMO_SEED)
    series = respdor_series(read_bruker(series_dir), DEMO_REGION_PPM)
    csv = write_table(out / "respdor.csv", series.columns(), series.header())
    result = fit_respdor(read_dephasing_csv(str(csv)), spin=pair[1].spin, pair=pair,
                         models=("single", "two_site", "gaussian"))
    json_path = atomic_write_text(out / "respdor_fit.json",
                                  json.dumps(result.to_dict(), indent=2, allow_nan=False) + "\n")
    figure = save_figure(respdor_figure(result), out / "respdor_fit.svg")

    on_dir, off_dir = write_dnp_pair(out / "data" / "cp_13c_mw_on", out / "data" / "cp_13c_mw_off",
                                     enhancement=DEMO_ENHANCEMENT, seed=DEMO_SEED)
    on, off = read_bruker(on_dir), read_bruker(off_dir)
    dnp = dnp_enhancement(on, off, DEMO_REGION_PPM)
    dnp_path = atomic_write_text(out / "dnp.json", json.dumps(dnp.to_dict(), indent=2) + "\n")
    spectrum = process_fid(raw_signal(on), on.procs)
    spectrum_svg = save_figure(spectrum_figure(spectrum, pick_peaks(spectrum), DEMO_REGION_PPM),
                               out / "spectrum_13c.svg")
    return DemoOutput(csv, json_path, figure, result, dnp,
                      (csv, json_path, figure, dnp_path, spectrum_svg))
