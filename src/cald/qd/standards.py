"""The internal standards of quantitative 1H NMR and the constants of the oleate alkene used by
:mod:`cald.qd.ligands` (kept apart so that the options models can name them without importing
the fitting core)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ALKENE_REGION_PPM", "FREE_MAX_FWHM_HZ", "OLEATE_ALKENE_PROTONS", "SOLVENTS",
           "STANDARDS", "STANDARD_HALF_WIDTH_PPM", "TYPICAL_T1_S", "Standard"]

#: Protons of the oleate alkene CH=CH.
OLEATE_ALKENE_PROTONS = 2
#: Default alkene fit region (ppm, high to low): the alkene lies at 5.3–5.7 ppm; the region is
#: wider so that the wings of the broad bound line are part of the fit.
ALKENE_REGION_PPM = (6.0, 5.1)
#: Lines narrower than this (Hz) are free oleate/oleic acid, broader ones bound oleate.
FREE_MAX_FWHM_HZ = 25.0
#: Half width (ppm) of a table standard's integration region around its shift: it holds the 13C
#: satellites of CH2Br2 and ferrocene (¹J_CH ≈ 175–180 Hz: ±0.22 ppm at 400 MHz, ±0.30 ppm at
#: 300 MHz) with room to spare, so that the baseline anchored at the region's ends is not lifted
#: by them (at ±0.25 ppm the satellites sit on the anchors and the integral comes out ≈ 1.5 % low).
STANDARD_HALF_WIDTH_PPM = 0.4
#: Typical 1H T1 (s) used by the d1 check when no T1 is given: small molecules in non-viscous
#: deuterated solvents relax in about 1–5 s (the standards: 3 s assumed; degassed samples and
#: CH2Br2 can be longer — measure it by inversion recovery and give it); bound oleate relaxes
#: faster than free oleic acid (slow tumbling with the QD). Not measured values: orders of
#: magnitude for the warning only.
TYPICAL_T1_S: dict[str, float] = {"standard": 3.0, "free oleate": 2.0, "bound oleate": 1.0}


@dataclass(frozen=True)
class Standard:
    """An internal standard: protons of its integrated signal and its shift per solvent.

    Attributes
    ----------
    name
        Name as given on the command line (``--standard``).
    protons
        Protons contributing to the integrated signal.
    shifts_ppm
        Solvent → shift (ppm) of the signal.
    source
        Where the shifts come from, and which are estimates.
    """

    name: str
    protons: int
    shifts_ppm: Mapping[str, float]
    source: str


#: Internal standards. Shifts in CDCl3 are the commonly tabulated values (e.g. the SDBS
#: database); the values in aromatic solvents are NOT verified here: CH2Br2 in toluene-d8/C6D6
#: is estimated from the aromatic-solvent upfield shift of CH2Cl2 (5.30 ppm in CDCl3 → 4.27 in
#: C6D6, 4.32 in toluene-d8; Fulmer et al., Organometallics 29, 2176 (2010)) applied to 4.94 ppm;
#: check the signal in your spectrum and give ``--standard-region`` when it lies elsewhere.
STANDARDS: dict[str, Standard] = {
    "CH2Br2": Standard("CH2Br2", 2, {"CDCl3": 4.94, "toluene-d8": 3.9, "C6D6": 3.9},
                       "CDCl3 4.94 ppm (tabulated); toluene-d8/C6D6 ≈ 3.9 ppm estimated from the "
                       "aromatic-solvent shift of CH2Cl2 (unverified)"),
    "ferrocene": Standard("ferrocene", 10, {"CDCl3": 4.16, "C6D6": 4.00, "toluene-d8": 4.00},
                          "CDCl3 4.16, C6D6 4.00 ppm (tabulated); toluene-d8 taken as in C6D6 "
                          "(unverified)"),
    "TMB": Standard("TMB", 3, {"CDCl3": 6.09, "C6D6": 6.25, "toluene-d8": 6.2},
                    "1,3,5-trimethoxybenzene aromatic CH: CDCl3 6.09 ppm (tabulated); "
                    "C6D6/toluene-d8 unverified estimates"),
    "TMB-OMe": Standard("TMB-OMe", 9, {"CDCl3": 3.77, "C6D6": 3.35, "toluene-d8": 3.4},
                        "1,3,5-trimethoxybenzene OCH3: CDCl3 3.77 ppm (tabulated); "
                        "C6D6/toluene-d8 unverified estimates"),
}
#: Solvents of the standards' shift table.
SOLVENTS = ("toluene-d8", "C6D6", "CDCl3")
