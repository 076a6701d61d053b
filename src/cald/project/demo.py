"""The bundled example project: synthetic data in real formats made with the reference study's
parameters (labelled synthetic in every file and in the report), analysed by the pipeline.

* ``data/respdor_13c_27al``: 13C{27Al} RESPDOR pseudo-2D Bruker series of CdSe@AlOx (n = 1):
  interleaved S0/S rows, vclist of rotor periods, 10 kHz MAS, carboxylate dephased with
  D = 503 Hz, f = 0.24 (27Al, I = 5/2, saturated);
* ``data/cp_13c_n1_mw_on`` / ``_mw_off``: 13C CP of the n = 1 sample with microwaves on and off
  (enhancement 50, a bridging-carboxylate shoulder at 180 ppm);
* ``data/cp_13c_n0``: 13C CP of the pristine QDs (enhancement 33 relative to the same off level);
* ``data/cp_13c_n3_*``: 13C CP after three cycles (more bridging carboxylate);
* ``data/cp_27al_n1``, ``cp_27al_n3``: 27Al CP central transitions with Al(IV)/Al(V)/Al(VI) Czjzek
  sites, more Al(VI) after three cycles (as the study observes);
* ``data/cp_113cd_n0|1|3``: 113Cd CP-MAS sideband spectra (9.4 T, 8 kHz) with the core, CdSe2O2 and,
  after c-ALD, a CdSe3O-like site, fitted for CSA tensors and fractions (Table S2 layout);
* ``data/dosy_1h_n0|1|10``: 1H DOSY (ledbpgp2s, SMSQ10.100 gradients, toluene-d8, 298.15 K) of
  the oleate alkene on the QDs, D giving d_H ≈ 3, 3.5 and 5 nm (Figure 2b of the study);
* ``data/uvvis_n0|1|3|10.csv``: UV-vis of the 2.3 nm CdSe QDs (first exciton ≈ 495 nm, FWHM 25 nm)
  and after 1, 3, 10 cycles, the exciton all but unchanged (red shift ≤ 1 nm, as in Figure 2a);
* ``data/titration_1h/tma_N``: 1H spectra of the pristine QDs titrated with N TMA per QD (Figure 4):
  the bound-oleate alkene moves to lower frequency and broadens slightly up to 25 TMA/QD, then
  sharpens abruptly as the QDs lose colloidal stability;
* ``data/ligands_1h_n0`` and ``ligands_uvvis_n0.csv``: quantitative 1H (CH2Br2 standard) and UV-vis
  of the pristine QDs in toluene-d8: 85 bound oleates per QD of 2.3 nm, 4 % free oleic acid;
* ``data/ftir_n0.csv``, ``ftir_n3.csv``: FTIR of the pristine QDs (chelating carboxylate, Δ = 100
  cm⁻¹) and after c-ALD (the study measured n = 2; here the n = 3 sample): a bridging ν_as
  shoulder near 1560 cm⁻¹, broad Al–O–Al (450–750) and O–H (3000–3600 cm⁻¹) bands;
* ``data/xps_n0.vms``, ``xps_n3.vms``: VAMAS files with Cd 3d, Se 3d, O 1s, Al 2s and C 1s of the
  pristine QDs and after three cycles (no Cd–O; Al–O and Al 2s after c-ALD), charged by 0.6 and
  0.35 eV;
* ``data/model_alme2_n1.extxyz``: an unrelaxed CdSe {100} model with one AlMe2 on a chelating
  acetate (built by cald), analysed beside the RESPDOR series of the n = 1 sample; its predicted
  curves are drawn on the RESPDOR figure of the report;
* ``data/respdor_111cd_27al``: 111Cd{27Al} RESPDOR series of the n = 1 sample recorded with SR4₁²
  (the CdSe2O2 site dephased by one 27Al at 3.42 Å, fraction bound 0.3, simulated with the
  saturation pulse), fitted with κ = π/(4√2) and with the simulated saturation (fraction bound
  f_bound);
* ``data/model_alme2_n1_relaxed.extxyz``: the same model relaxed with GFN2-xTB by ``cald model
  relax`` (shipped with cald, since the relaxation takes ≈ 15 min: see ``demo_models/README.md``;
  the file records how it was relaxed), analysed the same way.

``project.toml`` names the samples (n = 0 and 1, 85 ligands and 25 TMA per QD), the data sets and
the analyses (RESPDOR fit, DNP enhancement, 13C spectra overlaid and normalised to the alkene).
"""

from __future__ import annotations

import os
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

from cald.atomistic.options import BuildOptions
from cald.io.atomic import atomic_write_bytes, atomic_write_text
from cald.io.structure import write_structure
from cald.nuclei import dipolar_coupling_hz, parse_pair
from cald.project.pipeline import RunSummary, run_project
from cald.synth.bruker import Line
from cald.synth.infrared import (
    ALUMINA,
    BRIDGING_CARBOXYLATE,
    CHELATING_CARBOXYLATE,
    OLEATE_CHAIN,
    write_ir_csv,
)
from cald.synth.nmr_sets import (
    OLEATE_13C_LINES,
    write_al27_cp,
    write_cd111_respdor_series,
    write_cd113_mas,
    write_dnp_pair,
    write_dosy_series,
    write_respdor_series,
)
from cald.synth.optical import write_uvvis_csv
from cald.synth.solution import write_ligand_qnmr, write_ligand_uvvis
from cald.synth.titration import write_titration_series
from cald.synth.xps import demo_regions, write_vamas

#: The demo model relaxed by ``cald model relax`` (shipped: the relaxation takes ≈ 15 min).
RELAXED_DEMO_MODEL = "model_alme2_n1_relaxed.extxyz"


def relaxed_demo_model() -> Traversable:
    """The shipped relaxed demo model (``cald/project/demo_models``, provenance in its
    README.md): ``BuildOptions(ligands=4, tma=1).build()`` relaxed with GFN2-xTB to 0.05 eV/Å."""
    return files("cald.project").joinpath("demo_models", RELAXED_DEMO_MODEL)

__all__ = ["DEMO_D_HZ", "DEMO_F", "write_demo_project", "run_demo"]

DEMO_D_HZ = 503.0  # the study's fitted values, used as the generators' inputs
DEMO_F = 0.24
#: 111Cd{27Al} generator inputs: the nearest Cd–Al of the demo model (Å) and the dephased fraction.
DEMO_CD_AL_ANGSTROM = 3.42
DEMO_CD_F = 0.3
DEMO_SEED = 20221
#: TMA per QD of the demo's titration series, and the first exciton (peak nm, FWHM nm) per cycles.
DEMO_TMA_PER_QD = (0, 5, 10, 15, 20, 25, 30, 40)
DEMO_EXCITONS = {0: (495.0, 25.0), 1: (495.2, 25.1), 3: (495.5, 25.4), 10: (496.0, 25.9)}

_PROJECT = """\
# cald example project: SYNTHETIC data generated by `cald demo` with the reference study's
# parameters (CdSe@AlOx by colloidal ALD). Paths are relative to this file.

[project]
name = "CdSe@AlOx c-ALD: synthetic example"
description = "Oleate-capped CdSe QDs before and after one c-ALD cycle of TMA/O2 (synthetic data)."
synthetic = true

# The c-ALD recipe (the study's: 3 µM QDs, 1.6 mM TMA at 1 mL/h, 5 min waits, oleic acid
# instead of O2 after cycle 3); the 5 mL volume is this example's. Each sample below with
# cycles and tma_per_qd gets its planned schedule in the report.
[synthesis]
qd_um = 3.0
volume_ml = 5.0
tma_mm = 1.6
olac_after = 3

[[samples]]
name = "CdSe"
cycles = 0
ligands_per_qd = 85
notes = "as-synthesised, oleate-capped, 2.3 nm"

[[samples]]
name = "CdSe@AlOx-1"
cycles = 1
ligands_per_qd = 85
tma_per_qd = 25
notes = "one c-ALD cycle"

[[samples]]
name = "CdSe@AlOx-3"
cycles = 3
ligands_per_qd = 85
tma_per_qd = 25
notes = "three c-ALD cycles"

[[samples]]
name = "CdSe@AlOx-10"
cycles = 10
ligands_per_qd = 85
tma_per_qd = 25
notes = "ten c-ALD cycles (OLAC instead of O2 after cycle 3)"

[[datasets]]
id = "respdor-n1"
path = "data/respdor_13c_27al"
kind = "bruker"
sample = "CdSe@AlOx-1"

[[datasets]]
id = "cp13c-n1-on"
path = "data/cp_13c_n1_mw_on"
kind = "bruker"
sample = "CdSe@AlOx-1"

[[datasets]]
id = "cp13c-n1-off"
path = "data/cp_13c_n1_mw_off"
kind = "bruker"
sample = "CdSe@AlOx-1"

[[datasets]]
id = "cp13c-n0-on"
path = "data/cp_13c_n0_mw_on"
kind = "bruker"
sample = "CdSe"

[[datasets]]
id = "cp13c-n0-off"
path = "data/cp_13c_n0_mw_off"
kind = "bruker"
sample = "CdSe"

[[datasets]]
id = "cp13c-n3-on"
path = "data/cp_13c_n3_mw_on"
kind = "bruker"
sample = "CdSe@AlOx-3"

[[datasets]]
id = "cp13c-n3-off"
path = "data/cp_13c_n3_mw_off"
kind = "bruker"
sample = "CdSe@AlOx-3"

[[datasets]]
id = "cp27al-n1"
path = "data/cp_27al_n1"
kind = "bruker"
sample = "CdSe@AlOx-1"

[[datasets]]
id = "cp27al-n3"
path = "data/cp_27al_n3"
kind = "bruker"
sample = "CdSe@AlOx-3"

[[datasets]]
id = "cp113cd-n0"
path = "data/cp_113cd_n0"
kind = "bruker"
sample = "CdSe"

[[datasets]]
id = "cp113cd-n1"
path = "data/cp_113cd_n1"
kind = "bruker"
sample = "CdSe@AlOx-1"

[[datasets]]
id = "cp113cd-n3"
path = "data/cp_113cd_n3"
kind = "bruker"
sample = "CdSe@AlOx-3"

[[analyses]]
id = "respdor-13c-27al-n1"
kind = "respdor"
inputs = ["respdor-n1"]
[analyses.parameters]
pair = "13C-27Al"
region = [190.0, 178.0]
models = ["single", "two_site", "gaussian"]

[[analyses]]
id = "dnp-n0"
kind = "dnp"
inputs = ["cp13c-n0-on", "cp13c-n0-off"]
[analyses.parameters]
region = [135.0, 125.0]

[[analyses]]
id = "dnp-n1"
kind = "dnp"
inputs = ["cp13c-n1-on", "cp13c-n1-off"]
[analyses.parameters]
region = [135.0, 125.0]

[[analyses]]
id = "cp13c-n0"
kind = "nmr"
inputs = ["cp13c-n0-on"]
[analyses.parameters]
normalise_region = [135.0, 125.0]
overlay = "13C CP (DNP)"

[[analyses]]
id = "cp13c-n1"
kind = "nmr"
inputs = ["cp13c-n1-on"]
[analyses.parameters]
normalise_region = [135.0, 125.0]
overlay = "13C CP (DNP)"

[[analyses]]
id = "cp13c-n3"
kind = "nmr"
inputs = ["cp13c-n3-on"]
[analyses.parameters]
normalise_region = [135.0, 125.0]
overlay = "13C CP (DNP)"

[[analyses]]
id = "al27-sites-n1"
kind = "quad"
inputs = ["cp27al-n1"]
[analyses.parameters]
sites = [4, 5, 6]
overlay = "27Al CP"
normalise_region = [80.0, 55.0]

[[analyses]]
id = "al27-sites-n3"
kind = "quad"
inputs = ["cp27al-n3"]
[analyses.parameters]
sites = [4, 5, 6]
overlay = "27Al CP"
normalise_region = [80.0, 55.0]

[[analyses]]
id = "cd113-csa-n0"
kind = "csa"
inputs = ["cp113cd-n0"]
[analyses.parameters]
mas_khz = 8.0
sites = [-50.0, -320.0]
overlay = "113Cd CP-MAS"
normalise_region = [-40.0, -60.0]

[[analyses]]
id = "cd113-csa-n1"
kind = "csa"
inputs = ["cp113cd-n1"]
[analyses.parameters]
mas_khz = 8.0
sites = [-50.0, -140.0, -320.0]
overlay = "113Cd CP-MAS"
normalise_region = [-40.0, -60.0]

[[analyses]]
id = "cd113-csa-n3"
kind = "csa"
inputs = ["cp113cd-n3"]
[analyses.parameters]
mas_khz = 8.0
sites = [-50.0, -140.0, -320.0]
overlay = "113Cd CP-MAS"
normalise_region = [-40.0, -60.0]

# --- DOSY (issue 10, item 4) ---
[[datasets]]
id = "dosy-n0"
path = "data/dosy_1h_n0"
kind = "bruker"
sample = "CdSe"

[[datasets]]
id = "dosy-n1"
path = "data/dosy_1h_n1"
kind = "bruker"
sample = "CdSe@AlOx-1"

[[datasets]]
id = "dosy-n10"
path = "data/dosy_1h_n10"
kind = "bruker"
sample = "CdSe@AlOx-10"

[[analyses]]
id = "dosy-n0"
kind = "dosy"
inputs = ["dosy-n0"]
[analyses.parameters]
region = [5.6, 5.2]

[[analyses]]
id = "dosy-n1"
kind = "dosy"
inputs = ["dosy-n1"]
[analyses.parameters]
region = [5.6, 5.2]

[[analyses]]
id = "dosy-n10"
kind = "dosy"
inputs = ["dosy-n10"]
[analyses.parameters]
region = [5.6, 5.2]

# --- QDs in solution: UV-vis across cycles (Figure 2a), TMA titration (Figure 4) ---
# The titration is of the pristine QDs (sample CdSe): one 1H data set per TMA/QD value.

[[datasets]]
id = "uvvis-n0"
path = "data/uvvis_n0.csv"
kind = "csv"
sample = "CdSe"

[[datasets]]
id = "uvvis-n1"
path = "data/uvvis_n1.csv"
kind = "csv"
sample = "CdSe@AlOx-1"

[[datasets]]
id = "uvvis-n3"
path = "data/uvvis_n3.csv"
kind = "csv"
sample = "CdSe@AlOx-3"

[[datasets]]
id = "uvvis-n10"
path = "data/uvvis_n10.csv"
kind = "csv"
sample = "CdSe@AlOx-10"

[[datasets]]
id = "h1-tma-0"
path = "data/titration_1h/tma_0"
kind = "bruker"
sample = "CdSe"

[[datasets]]
id = "h1-tma-5"
path = "data/titration_1h/tma_5"
kind = "bruker"
sample = "CdSe"

[[datasets]]
id = "h1-tma-10"
path = "data/titration_1h/tma_10"
kind = "bruker"
sample = "CdSe"

[[datasets]]
id = "h1-tma-15"
path = "data/titration_1h/tma_15"
kind = "bruker"
sample = "CdSe"

[[datasets]]
id = "h1-tma-20"
path = "data/titration_1h/tma_20"
kind = "bruker"
sample = "CdSe"

[[datasets]]
id = "h1-tma-25"
path = "data/titration_1h/tma_25"
kind = "bruker"
sample = "CdSe"

[[datasets]]
id = "h1-tma-30"
path = "data/titration_1h/tma_30"
kind = "bruker"
sample = "CdSe"

[[datasets]]
id = "h1-tma-40"
path = "data/titration_1h/tma_40"
kind = "bruker"
sample = "CdSe"

[[analyses]]
id = "uvvis-size-n0"
kind = "uvvis"
inputs = ["uvvis-n0"]
[analyses.parameters]
material = "CdSe"
path_cm = 1.0
dilution = 20.0
overlay = "UV-vis"
normalise_region = [480.0, 510.0]

[[analyses]]
id = "uvvis-size-n1"
kind = "uvvis"
inputs = ["uvvis-n1", "uvvis-n0"]
[analyses.parameters]
material = "CdSe"
path_cm = 1.0
dilution = 20.0
overlay = "UV-vis"
normalise_region = [480.0, 510.0]

[[analyses]]
id = "uvvis-size-n3"
kind = "uvvis"
inputs = ["uvvis-n3", "uvvis-n0"]
[analyses.parameters]
material = "CdSe"
path_cm = 1.0
dilution = 20.0
overlay = "UV-vis"
normalise_region = [480.0, 510.0]

[[analyses]]
id = "uvvis-size-n10"
kind = "uvvis"
inputs = ["uvvis-n10", "uvvis-n0"]
[analyses.parameters]
material = "CdSe"
path_cm = 1.0
dilution = 20.0
overlay = "UV-vis"
normalise_region = [480.0, 510.0]

[[analyses]]
id = "titration-tma"
kind = "titration"
inputs = ["h1-tma-0", "h1-tma-5", "h1-tma-10", "h1-tma-15", "h1-tma-20", "h1-tma-25",
          "h1-tma-30", "h1-tma-40"]
[analyses.parameters]
tma_per_qd = [0, 5, 10, 15, 20, 25, 30, 40]
region = [6.2, 5.0]

# --- ligand density (quantitative 1H with CH2Br2, UV-vis of the same solution) ---
[[datasets]]
id = "ligands-1h-n0"
path = "data/ligands_1h_n0"
kind = "bruker"
sample = "CdSe"

[[datasets]]
id = "ligands-uvvis-n0"
path = "data/ligands_uvvis_n0.csv"
kind = "csv"
sample = "CdSe"

[[analyses]]
id = "ligands-n0"
kind = "ligands"
inputs = ["ligands-1h-n0", "ligands-uvvis-n0"]
[analyses.parameters]
standard = "CH2Br2"
standard_mm = 2.0
solvent = "toluene-d8"
standard_rel_err = 0.01
path_cm = 1.0
dilution = 10.0
qd_rel_err = 0.1

# --- FTIR (issue 11, item 3): carboxylate binding mode and Al–O–Al/O–H bands; the study
# measured n = 2, the demo uses its n = 3 sample with n = 2-like synthetic bands ---
[[datasets]]
id = "ftir-n0"
path = "data/ftir_n0.csv"
kind = "csv"
sample = "CdSe"

[[datasets]]
id = "ftir-n3"
path = "data/ftir_n3.csv"
kind = "csv"
sample = "CdSe@AlOx-3"

[[analyses]]
id = "ftir-n0"
kind = "ftir"
inputs = ["ftir-n0"]

[[analyses]]
id = "ftir-n3"
kind = "ftir"
inputs = ["ftir-n3"]

# --- XPS (issue 11): Cd 3d, Se 3d, O 1s, Al 2s, C 1s of one VAMAS file per sample ---
# The study's XPS sample after c-ALD is n = 2; the demo uses its n = 3 sample (CdSe@AlOx-3).
# RSFs: cald's Al Kα table values for Al 2s and O 1s, set here because the synthetic files'
# RSF fields (1.0) are placeholders.
[[datasets]]
id = "xps-n0"
path = "data/xps_n0.vms"
kind = "vamas"
sample = "CdSe"

[[datasets]]
id = "xps-n3"
path = "data/xps_n3.vms"
kind = "vamas"
sample = "CdSe@AlOx-3"

[[analyses]]
id = "xps-n0"
kind = "xps"
inputs = ["xps-n0"]
[analyses.parameters]
regions = ["Cd 3d", "Se 3d", "O 1s", "Al 2s", "C 1s"]
ratios = ["Al 2s/O 1s"]
rsf = {"Al 2s" = 0.753, "O 1s" = 2.93}

[[analyses]]
id = "xps-n3"
kind = "xps"
inputs = ["xps-n3"]
[analyses.parameters]
regions = ["Cd 3d", "Se 3d", "O 1s", "Al 2s", "C 1s"]
ratios = ["Al 2s/O 1s"]
rsf = {"Al 2s" = 0.753, "O 1s" = 2.93}

# --- atomistic model (issue 12): an UNRELAXED starting model of one c-ALD cycle built by cald
# (CdSe {100} 2x2, 4 chelating acetates, one AlMe2 on a carboxylate O), analysed for 13C–27Al
# beside the RESPDOR series of the n = 1 sample (integrated as by respdor-13c-27al-n1), and the
# same model RELAXED with GFN2-xTB (cald model relax, ≈ 15 min on 2 cores, so the relaxed file
# ships with cald; `relax = {}` in an analysis' parameters would relax it in the run instead)
[[datasets]]
id = "model-n1"
path = "data/model_alme2_n1.extxyz"
kind = "structure"
sample = "CdSe@AlOx-1"

[[datasets]]
id = "model-n1-relaxed"
path = "data/model_alme2_n1_relaxed.extxyz"
kind = "structure"
sample = "CdSe@AlOx-1"

[[analyses]]
id = "model-alme2-n1"
kind = "model"
inputs = ["model-n1", "respdor-n1"]
[analyses.parameters]
pair = "13C-27Al"
region = [190.0, 178.0]

[[analyses]]
id = "model-alme2-n1-relaxed"
kind = "model"
inputs = ["model-n1-relaxed", "respdor-n1"]
[analyses.parameters]
pair = "13C-27Al"
region = [190.0, 178.0]

# --- saturation-corrected RESPDOR (issue 13): a 111Cd{27Al} series recorded with SR4₁²
# (κ = π/(4√2), KAPPA_PRESETS["sr4"]), simulated with a finite saturation pulse (500 µs at
# 10 kHz, this example's choice) and refitted with it: fraction bound f_bound and the saturation
# efficiency ε beside the uncorrected f (the 13C{27Al} series above were generated with ideal
# saturation, so they are not refitted this way)
[[datasets]]
id = "respdor-cd-n1"
path = "data/respdor_111cd_27al"
kind = "bruker"
sample = "CdSe@AlOx-1"

[[analyses]]
id = "respdor-111cd-27al-n1"
kind = "respdor"
inputs = ["respdor-cd-n1"]
[analyses.parameters]
pair = "111Cd-27Al"
region = [-270.0, -370.0]
kappa = 0.5553603673
simulate = true
mas_khz = 10.0
recoupling = "sr4"
sat_pulse_us = 500.0
sat_rf_khz = 10.0
cq_mhz = 5.0
eta = 0.5
"""


def write_demo_project(out_dir: str | os.PathLike[str]) -> Path:
    """Write ``project.toml`` and its synthetic data into ``out_dir``; returns the project file."""
    out = Path(out_dir)
    data = out / "data"
    write_respdor_series(data / "respdor_13c_27al", DEMO_D_HZ, DEMO_F, list(range(2, 31, 2)),
                         mas_hz=10_000.0, spin=2.5, noise_sd=0.004, seed=DEMO_SEED,
                         sample="CdSe@AlOx-1")
    write_dnp_pair(data / "cp_13c_n0_mw_on", data / "cp_13c_n0_mw_off", enhancement=33.0,
                   seed=DEMO_SEED + 1, noise_sd=0.5)
    shoulder = (*OLEATE_13C_LINES, Line(180.5, 0.25, 300.0))  # bridging carboxylates
    write_dnp_pair(data / "cp_13c_n1_mw_on", data / "cp_13c_n1_mw_off", enhancement=50.0,
                   seed=DEMO_SEED + 2, lines=shoulder, noise_sd=0.5)
    more_bridging = (*OLEATE_13C_LINES, Line(180.5, 0.35, 300.0))
    write_dnp_pair(data / "cp_13c_n3_mw_on", data / "cp_13c_n3_mw_off", enhancement=40.0,
                   seed=DEMO_SEED + 3, lines=more_bridging, noise_sd=0.5)
    # 27Al Czjzek sites (δiso ppm, σ MHz, fraction): more Al(VI) after three cycles
    write_al27_cp(data / "cp_27al_n1", ((68.0, 3.0, 0.45), (36.0, 2.5, 0.25), (9.0, 2.0, 0.30)),
                  seed=DEMO_SEED + 4)
    write_al27_cp(data / "cp_27al_n3", ((68.0, 3.0, 0.35), (36.0, 2.5, 0.25), (9.0, 2.0, 0.40)),
                  seed=DEMO_SEED + 5)
    # 113Cd sites (δiso ppm, ζ ppm, η, fraction): core, CdSe2O2 and, after c-ALD, CdSe3O
    core, cdse2o2, cdse3o = (-50.0, 30.0, 0.5), (-320.0, -350.0, 0.3), (-140.0, 200.0, 0.5)
    for n, sites in (("0", ((*core, 0.35), (*cdse2o2, 0.65))),
                     ("1", ((*core, 0.30), (*cdse3o, 0.20), (*cdse2o2, 0.50))),
                     ("3", ((*core, 0.30), (*cdse3o, 0.30), (*cdse2o2, 0.40)))):
        write_cd113_mas(data / f"cp_113cd_n{n}", sites, seed=DEMO_SEED + 10 + int(n))
    # --- DOSY (issue 10, item 4): oleate alkene on the QDs in toluene-d8 at 298.15 K, D chosen
    # so that d_H ≈ 3, 3.5 and 5 nm (generator inputs; the analysis fits D from the rows)
    for n, d_m2_s in (("0", 2.5e-10), ("1", 2.15e-10), ("10", 1.5e-10)):
        write_dosy_series(data / f"dosy_1h_n{n}", np.linspace(2.0, 50.0, 16), d_m2_s,
                          gradient_shape="SMSQ10.100", seed=DEMO_SEED + 20 + int(n))
    # --- QDs in solution: UV-vis across cycles, TMA titration of the pristine QDs ---
    for n, (peak_nm, fwhm_nm) in DEMO_EXCITONS.items():
        write_uvvis_csv(data / f"uvvis_n{n}.csv", peak_nm, fwhm_nm, seed=DEMO_SEED + 20 + n,
                        note="diluted 20x, path 1 cm")
    write_titration_series(data / "titration_1h", DEMO_TMA_PER_QD, seed=DEMO_SEED + 40,
                           noise_sd=0.01)
    # ligand density: 40 µM QDs (exciton 495 nm ↔ 2.3 nm, Yu 2003) with 85 bound oleates per QD
    # and 4 % free oleic acid, CH2Br2 2 mM in toluene-d8; UV-vis of a 10× dilution in 1 cm
    write_ligand_qnmr(data / "ligands_1h_n0", qd_um=40.0, ligands_per_qd=85.0, free_fraction=0.04,
                      standard="CH2Br2", standard_mm=2.0, noise_sd=0.1, seed=DEMO_SEED + 20)
    write_ligand_uvvis(data / "ligands_uvvis_n0.csv", exciton_nm=495.0, qd_um=40.0, path_cm=1.0,
                       dilution=10.0, seed=DEMO_SEED + 21)
    # --- FTIR: pristine QDs (chelating, Δ = 100 cm⁻¹) and after c-ALD (the study's n = 2, here
    # the n = 3 sample): a bridging ν_as shoulder near 1560, broad Al–O–Al and O–H bands ---
    write_ir_csv(data / "ftir_n0.csv", OLEATE_CHAIN + CHELATING_CARBOXYLATE,
                 note="oleate-capped CdSe QDs, chelating carboxylate", seed=DEMO_SEED + 50)
    write_ir_csv(data / "ftir_n3.csv", OLEATE_CHAIN + CHELATING_CARBOXYLATE + BRIDGING_CARBOXYLATE
                 + ALUMINA, note="CdSe@AlOx after c-ALD (study: n = 2), bridging shoulder, "
                 "Al-O-Al and Al-OH bands", seed=DEMO_SEED + 51)
    # --- XPS: synthetic regions of the pristine QDs (no Al) and after c-ALD, each sample
    # charged differently (generator inputs; the analysis finds the shift from C 1s C–C)
    for n, charge_shift_ev in ((0, 0.6), (3, 0.35)):
        write_vamas(data / f"xps_n{n}.vms",
                    demo_regions(n, charge_shift_ev=charge_shift_ev, seed=DEMO_SEED + 50 + n),
                    comment=f"synthetic XPS of the cald demo, CdSe after {n} c-ALD cycles")
    # --- atomistic model: built (not relaxed) with cald.atomistic
    write_structure(BuildOptions(ligands=4, tma=1).build(), data / "model_alme2_n1.extxyz")
    atomic_write_bytes(data / RELAXED_DEMO_MODEL, relaxed_demo_model().read_bytes())
    # --- saturation-corrected RESPDOR (issue 13): 111Cd{27Al} SR4₁² series simulated with
    # cald.recoupling.spindynamics (finite SR4₁² pulses, 500 µs / 10 kHz saturation pulse, one
    # 27Al with C_Q = 5 MHz, η = 0.5 at the nearest Cd–Al distance of the demo's atomistic model,
    # 3.42 Å, unrelaxed), CdSe2O2 fraction bound 0.3 (generator inputs); 12 to 192 rotor periods
    counts = list(range(12, 193, 12))
    write_cd111_respdor_series(data / "respdor_111cd_27al", counts, _cd_dephasing(counts),
                               f"CdSe@AlOx-1, f_bound = {DEMO_CD_F:g}, one 27Al at {DEMO_CD_AL_ANGSTROM:g} A "
                               "(C_Q 5 MHz, eta 0.5), SR4 with a 500 us 10 kHz saturation pulse, "
                               "simulated", noise_sd=0.003, t2_echo_s=0.05, seed=DEMO_SEED + 60)
    return atomic_write_text(out / "project.toml", _PROJECT)


def _cd_dephasing(rotor_counts: list[int]) -> np.ndarray:
    """ΔS/S0 of the demo's 111Cd{27Al} SR4₁² series (see write_demo_project), simulated on a
    finer powder set (ZCW 377 × 8) than the analysis uses."""
    from cald.recoupling.spindynamics import (
        CoupledSpin,
        Experiment,
        IPulse,
        crystallite_set,
        simulate_curve,
    )

    d_hz = float(dipolar_coupling_hz(DEMO_CD_AL_ANGSTROM, *parse_pair("111Cd-27Al")))
    seq = Experiment(10e3, "sr4", i_pulse=IPulse(500e-6, 10e3))
    sim = simulate_curve([CoupledSpin(2.5, d_hz, cq_hz=5e6, eta=0.5)],
                         np.array(rotor_counts) / 10e3, seq, crystallite_set("zcw", 377, 8))
    return DEMO_CD_F * sim.ds_s0


def run_demo(out_dir: str | os.PathLike[str], command: str = "cald demo",
             progress=None, large: bool = False) -> RunSummary:  # type: ignore[no-untyped-def]
    """Write the example project (with ``large``: the large one of
    :mod:`cald.project.demo_large`) into ``out_dir`` and run it there."""
    from cald.project.demo_large import write_large_project

    project = write_large_project(out_dir) if large else write_demo_project(out_dir)
    return run_project(project, out_dir, command=command, progress=progress)
