"""Synthetic solution data of oleate-capped QDs for the ligand-density analysis: a quantitative
1H spectrum with an internal standard (Bruker folder) and the UV-vis absorbance (CSV) of the
same solution.

The inputs are what the chemist made (QD concentration, ligands per QD, the free fraction, the
standard's concentration), never the analysis' answers; the ``title`` and the CSV header say so.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from cald.io.atomic import atomic_write_text
from cald.qd.sizing import diameter_nm_yu2003, molar_absorptivity_per_m_cm
from cald.qd.standards import OLEATE_ALKENE_PROTONS, STANDARDS
from cald.synth.bruker import AcquisitionSetup, Line, lines_fid, write_experiment

__all__ = ["BOUND_ALKENE_PPM", "FREE_ALKENE_PPM", "ligand_uvvis_absorbance", "write_ligand_qnmr",
           "write_ligand_uvvis"]

#: Alkene CH=CH of bound oleate (broad) and of free oleic acid (sharp) in toluene-d8 (ppm).
BOUND_ALKENE_PPM = 5.60
FREE_ALKENE_PPM = 5.47
#: The carbon-13 satellites of the standard: 2 × 0.55 % at ±¹J_CH/2 (Hz).
_C13_SATELLITE = 0.0055
_J_CH_HZ = 178.0


def write_ligand_qnmr(folder: str | os.PathLike[str], *, qd_um: float, ligands_per_qd: float,
                      free_fraction: float = 0.04, standard: str = "CH2Br2",
                      standard_mm: float = 2.0, solvent: str = "toluene-d8",
                      bound_fwhm_hz: float = 60.0, free_fwhm_hz: float = 3.0, d1_s: float = 30.0,
                      noise_sd: float = 0.02, seed: int = 0,
                      field_1h_mhz: float = 400.13) -> Path:
    """A quantitative 1H spectrum (zg, d1 = ``d1_s``) of oleate-capped QDs with an internal
    standard, as a Bruker folder.

    Parameters
    ----------
    qd_um
        QD concentration of the NMR solution (µM).
    ligands_per_qd
        Bound oleates per QD: the bound alkene line holds 2 H × ``ligands_per_qd`` × ``qd_um``.
    free_fraction
        Free oleic acid as a fraction of all oleate (sharp alkene line).
    standard, standard_mm
        Internal standard (a key of :data:`cald.qd.ligands.STANDARDS`) and its concentration
        (mM); its line sits at the table's shift in ``solvent``, with 13C satellites.
    bound_fwhm_hz, free_fwhm_hz
        Widths of the bound and free alkene lines (Hz).
    noise_sd
        Receiver noise (per channel, in units where 1 mM of protons has amplitude 1).
    """
    std = STANDARDS[standard]
    bound_mm = ligands_per_qd * qd_um * 1e-3
    free_mm = bound_mm * free_fraction / (1.0 - free_fraction)
    std_ppm = std.shifts_ppm[solvent]
    sat_ppm = _J_CH_HZ / 2 / field_1h_mhz
    std_h = std.protons * standard_mm
    lines = [
        Line(std_ppm, std_h * (1 - 2 * _C13_SATELLITE), 1.0),
        Line(std_ppm + sat_ppm, std_h * _C13_SATELLITE, 1.0),
        Line(std_ppm - sat_ppm, std_h * _C13_SATELLITE, 1.0),
        Line(BOUND_ALKENE_PPM, OLEATE_ALKENE_PROTONS * bound_mm, bound_fwhm_hz),
        Line(FREE_ALKENE_PPM, OLEATE_ALKENE_PROTONS * free_mm, free_fwhm_hz),
        # the rest of the oleate chain (broad when bound) and the solvent's residual protons
        Line(2.05, 4 * bound_mm, 80.0),  # allylic CH2
        Line(1.40, 20 * bound_mm, 90.0),  # chain CH2
        Line(0.92, 3 * bound_mm, 60.0),  # CH3
        Line(2.09, 0.6, 2.0),  # toluene-d7 CHD2 (residual)
        Line(7.09, 0.15, 2.0), Line(7.01, 0.25, 2.0), Line(6.98, 0.12, 2.0),  # aromatic residual
    ]
    setup = AcquisitionSetup("1H", field_1h_mhz=field_1h_mhz, sw_hz=8000.0, td=65536,
                             carrier_ppm=5.0, ns=64, rg=32.0, pulse_program="zg", d1_s=d1_s)
    title = (f"quantitative 1H of oleate-capped CdSe QDs in {solvent}: QDs {qd_um:g} µM, "
             f"{ligands_per_qd:g} bound oleates per QD, free fraction {free_fraction:g}, "
             f"{standard} {standard_mm:g} mM, d1 {d1_s:g} s, seed {seed}")
    return write_experiment(folder, setup, lines_fid(setup, lines), noise_sd, seed,
                            extra_acqus={"SOLVENT": solvent}, lb_hz=0.3, title=title)


def ligand_uvvis_absorbance(nm: np.ndarray, exciton_nm: float, qd_um: float, path_cm: float,
                            dilution: float, fwhm_nm: float = 25.0) -> np.ndarray:
    """Absorbance of the QD solution diluted ``dilution`` times: a first exciton whose
    absorbance maximum lies at ``exciton_nm`` (a Gaussian of FWHM ``fwhm_nm``, placed so that the
    continuum's pull is undone) and the next one on a continuum rising to the blue, scaled so that
    the maximum is ε(d) c l / dilution with d from ``exciton_nm`` (Yu 2003: the sizing curves
    read the absorbance maximum, as :mod:`cald.qd.uvvis` does)."""
    sigma = fwhm_nm / (2 * np.sqrt(2 * np.log(2)))

    def shape(x: np.ndarray) -> np.ndarray:  # the Gaussian centred on exciton_nm
        exciton = np.exp(-0.5 * ((x - exciton_nm) / sigma) ** 2)
        second = 0.7 * np.exp(-0.5 * ((x - (exciton_nm - 45.0)) / (1.4 * sigma)) ** 2)
        continuum = 0.25 * np.exp((exciton_nm - x) / 60.0) / (1 + np.exp((x - exciton_nm) / 8.0))
        return exciton + second + continuum

    fine = np.arange(exciton_nm - sigma, exciton_nm + sigma, 1e-3)
    pull_nm = exciton_nm - float(fine[np.argmax(shape(fine))])  # the maximum lies to the blue
    shifted = shape(np.asarray(nm, dtype=float) - pull_nm)
    epsilon = molar_absorptivity_per_m_cm(diameter_nm_yu2003(exciton_nm))
    return shifted * epsilon * qd_um * 1e-6 * path_cm / dilution / float(shape(fine).max())


def write_ligand_uvvis(path: str | os.PathLike[str], *, exciton_nm: float, qd_um: float,
                       path_cm: float = 1.0, dilution: float = 10.0, noise_sd: float = 0.001,
                       seed: int = 0) -> Path:
    """The UV-vis CSV (``wavelength_nm,absorbance``, 350–700 nm) of the ligand sample, diluted
    ``dilution`` times into a cell of ``path_cm``; see :func:`ligand_uvvis_absorbance`."""
    nm = np.arange(350.0, 700.5, 0.5)
    a = ligand_uvvis_absorbance(nm, exciton_nm, qd_um, path_cm, dilution)
    a = a + np.random.default_rng(seed).normal(0.0, noise_sd, nm.size)
    header = (f"# SYNTHETIC UV-vis of oleate-capped CdSe QDs (cald, not a measurement): exciton "
              f"{exciton_nm:g} nm, {qd_um:g} µM diluted {dilution:g}x, path {path_cm:g} cm, "
              f"seed {seed}\nwavelength_nm,absorbance\n")
    body = "".join(f"{w:.1f},{v:.5f}\n" for w, v in zip(nm, a, strict=True))
    return atomic_write_text(path, header + body)
