"""Synthetic XPS spectra written as VAMAS files, optionally with a CasaXPS model in them.

:func:`write_vamas` writes one file of several ``REGULAR`` blocks (kinetic-energy axis, Al Kα
1486.6 eV by default, counts with dwell time and number of scans, every block labelled
synthetic in its comment) the way Kratos/CasaXPS files are laid out, so that
:func:`cald.io.vamas.read_vamas` and CasaXPS read it. A region given
:class:`CasaModelComponent` s also gets ``CASA region``/``CASA comp`` lines: a synthetic file
can carry a "CasaXPS model" for ``--casa-model`` tests.

:func:`gl_shirley_counts` makes realistic counts for such a region: Gaussian–Lorentzian
product peaks (CasaXPS's GL(m), :func:`cald.surface.lineshapes.gl`) of given areas on a flat
level plus a Shirley-like step (the background at a binding energy grows with the peak area at
lower binding energies), with Poisson noise. It is a data generator, not a fit model (those
are in :mod:`cald.surface`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from cald.errors import ParameterError
from cald.io.atomic import atomic_write_text
from cald.io.vamas import AL_KALPHA_EV, VAMAS_IDENTIFIER
from cald.surface.lineshapes import gl

__all__ = ["CasaModelComponent", "GLPeak", "SyntheticRegion", "demo_regions",
           "gl_shirley_counts", "write_vamas"]

_UNSET = "1e+037"


@dataclass(frozen=True)
class CasaModelComponent:
    """A component written as a ``CASA comp`` line.

    Attributes
    ----------
    name, lineshape
        Component name and CasaXPS lineshape string (``"GL(30)"``).
    be_ev, fwhm_ev, area
        Position (binding energy, eV), FWHM parameter (eV) and area (CPS·eV).
    area_tie, fwhm_tie
        ``(j, factor)``: tied to component j (0-based) as ``factor × value(j)``; ``None``: free.
    position_tie
        ``(j, offset_ev)``: position = position(j) + offset in binding energy; ``None``: free.
    rsf
        Relative sensitivity factor written with the component.
    """

    name: str
    lineshape: str
    be_ev: float
    fwhm_ev: float
    area: float
    area_tie: tuple[int, float] | None = None
    fwhm_tie: tuple[int, float] | None = None
    position_tie: tuple[int, float] | None = None
    rsf: float = 1.0


@dataclass(frozen=True, eq=False)
class SyntheticRegion:
    """One block to write.

    Attributes
    ----------
    name
        Block identifier (``"Cd 3d"``); species and transition are its two words when
        ``species`` is empty.
    binding_energy_ev
        Equally spaced binding energies (eV), either order.
    counts
        Counts per point (≥ 0), same length.
    dwell_s, scans
        Collection time per point per scan (s) and number of scans.
    components
        CasaXPS components to store (none: no CASA lines).
    background
        CasaXPS background type of the region line (``"Shirley"``, ``"Linear"`` …).
    sample_id, species, transition
        Labels written in the block.
    """

    name: str
    binding_energy_ev: np.ndarray
    counts: np.ndarray
    dwell_s: float = 0.1
    scans: int = 1
    components: tuple[CasaModelComponent, ...] = ()
    background: str = "Shirley"
    sample_id: str = "synthetic"
    species: str = ""
    transition: str = ""


def _g(x: float) -> str:
    return f"{x:.10g}"


def _casa_lines(region: SyntheticRegion, hv: float) -> list[str]:
    """``Casa Info Follows`` and the region/comp lines (positions as kinetic energies)."""
    be = region.binding_energy_ev
    ke_lo, ke_hi = hv - float(be.max()), hv - float(be.min())
    rsf = region.components[0].rsf
    lines = ["Casa Info Follows", "0", "0", "1",
             f"CASA region (*{region.name}*) (*{region.background}*) {_g(ke_lo)} {_g(ke_hi)} "
             f"{_g(rsf)} 2 0 0 0 0 0 0 (*{region.name}*) 0 0 {_g(rsf)}",
             str(len(region.components))]
    for c in region.components:
        ke = hv - c.be_ev
        area = f"{_g(c.area)} 1e-020 1e+010 " + (f"{c.area_tie[0]} {_g(c.area_tie[1])}"
                                                   if c.area_tie else "-1 1")
        fwhm = f"{_g(c.fwhm_ev)} 0.02 20 " + (f"{c.fwhm_tie[0]} {_g(c.fwhm_tie[1])}"
                                               if c.fwhm_tie else "-1 1")
        pos = (f"{_g(ke)} 0 0 {c.position_tie[0]} {_g(-c.position_tie[1])}" if c.position_tie
               else f"{_g(ke)} {_g(ke_lo)} {_g(ke_hi)} -1 1")
        lines.append(f"CASA comp (*{c.name}*) (*{c.lineshape}*) Area {area} MFWHM {fwhm} "
                     f"Position {pos} RSF {_g(c.rsf)} MASS 0 INDEX -1 (*{region.name}*) "
                     f"CONST (**) UNCORRECTEDRSF {_g(c.rsf)}")
    return lines


def _check(region: SyntheticRegion) -> tuple[np.ndarray, np.ndarray]:
    be = np.asarray(region.binding_energy_ev, dtype=float)
    counts = np.asarray(region.counts, dtype=float)
    if be.ndim != 1 or be.size < 2 or counts.shape != be.shape:
        raise ParameterError(f"region {region.name!r}: binding_energy_ev and counts must be "
                             "1-D arrays of the same length ≥ 2")
    step = np.diff(be)
    if not (np.all(np.isfinite(be)) and np.allclose(step, step[0], rtol=1e-6, atol=1e-9)
            and step[0] != 0):
        raise ParameterError(f"region {region.name!r}: binding energies must be equally spaced")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ParameterError(f"region {region.name!r}: counts must be finite and ≥ 0")
    if not (region.dwell_s > 0 and math.isfinite(region.dwell_s)) or region.scans < 1:
        raise ParameterError(f"region {region.name!r}: dwell_s and scans must be positive")
    order = np.argsort(-be)  # increasing kinetic energy
    return be[order], counts[order]


def write_vamas(path: str | os.PathLike[str], regions: Sequence[SyntheticRegion],
                source_energy_ev: float = AL_KALPHA_EV,
                comment: str = "synthetic spectrum written by cald.synth.xps") -> Path:
    """Write ``regions`` as one VAMAS file (ISO 14976, REGULAR, kinetic-energy axis).

    Parameters
    ----------
    path
        The file to write (atomically).
    regions
        The blocks, in order.
    source_energy_ev
        Photon energy hν (eV); KE = hν − BE.
    comment
        Written as the header comment and in every block comment.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ParameterError
        No regions, unequal spacing, negative or non-finite counts, a non-positive dwell time.
    """
    if not regions:
        raise ParameterError("write_vamas needs at least one region")
    hv = float(source_energy_ev)
    out = [VAMAS_IDENTIFIER, "cald", "synthetic", "cald", "synthetic", "1", comment, "NORM",
           "REGULAR", str(len(regions)), "1", "Exp Variable", "d", "0", "0", "0", "0",
           str(len(regions))]
    for region in regions:
        be, counts = _check(region)
        species, _, transition = region.name.partition(" ")
        block_comment = [f"synthetic: {comment}"]
        if region.components:
            block_comment += _casa_lines(region, hv)
        out += [region.name, region.sample_id, "2026", "1", "1", "0", "0", "0", "0",
                str(len(block_comment)), *block_comment, "XPS", "0", "Al", _g(hv), _UNSET,
                _UNSET, _UNSET, _UNSET, _UNSET, "FAT", "20", _UNSET, "4.5", "0", _UNSET, _UNSET,
                _UNSET, _UNSET, region.species or species, region.transition or transition,
                "-1", "Kinetic Energy", "eV", _g(hv - be[0]), _g(be[0] - be[1]), "1", "counts",
                "d", "pulse counting", _g(region.dwell_s), str(region.scans), "0", _UNSET, _UNSET,
                _UNSET, "0", str(counts.size), _g(float(counts.min())), _g(float(counts.max())),
                *(_g(float(v)) for v in counts)]
    out.append("end of experiment")
    p = Path(path)
    atomic_write_text(p, "\r\n".join(out) + "\r\n")
    return p


@dataclass(frozen=True)
class GLPeak:
    """A peak of :func:`gl_shirley_counts`: position (BE, eV), FWHM parameter (eV), area
    (CPS·eV) and the Lorentzian percentage m of GL(m)."""

    be_ev: float
    fwhm_ev: float
    area: float
    gl_percent: float = 30.0


def gl_shirley_counts(be_ev: np.ndarray, peaks: Sequence[GLPeak], background_cps: float,
                      step_fraction: float = 0.1, dwell_s: float = 0.1, scans: int = 10,
                      seed: int = 0) -> np.ndarray:
    """Poisson counts of GL(m) peaks on a flat level plus a Shirley-like step.

    The noiseless rate (CPS) is ``background_cps + Σ peaks + step_fraction × h × F(BE)`` where F
    is the fraction of the total peak area at binding energies below BE (0 → 1 across the
    peaks) and h the largest peak height: the background rises on the high-BE side of the peaks,
    as inelastic losses make it. Counts = Poisson(rate × dwell_s × scans).

    Parameters
    ----------
    be_ev
        Binding energies (eV), equally spaced, either order.
    peaks
        The peaks (areas in CPS·eV).
    background_cps
        Flat level (counts per second).
    step_fraction
        Height of the step relative to the largest peak height.
    dwell_s, scans
        Collection time per point per scan (s) and scans.
    seed
        Seed of the noise.

    Returns
    -------
    numpy.ndarray
        Counts per point (integers as floats), same order as ``be_ev``.
    """
    be = np.asarray(be_ev, dtype=float)
    peak_cps = np.zeros_like(be)
    for p in peaks:
        peak_cps += gl(be, p.be_ev, p.fwhm_ev, p.area, p.gl_percent / 100.0)
    order = np.argsort(be)
    cumulative = np.empty_like(be)
    cumulative[order] = np.cumsum(peak_cps[order])
    total = cumulative[order[-1]] if be.size else 0.0
    step = step_fraction * float(peak_cps.max(initial=0.0)) * (cumulative / total if total > 0
                                                                else 0.0)
    rate = background_cps + peak_cps + step
    rng = np.random.default_rng(seed)
    return rng.poisson(rate * dwell_s * scans).astype(float)


#: Cd 3d, Se 3d spin–orbit splittings (eV) and the 3d5/2 : 3d3/2 area ratio 3 : 2.
_CD3D_SPLIT_EV = 6.74
_SE3D_SPLIT_EV = 0.86
_D_RATIO = 2.0 / 3.0


def _doublet(name: str, be_ev: float, split_ev: float, fwhm_ev: float, area: float,
             first: int) -> list[CasaModelComponent]:
    """3d5/2 and 3d3/2 with fixed splitting, area ratio 3 : 2 and equal widths; ``first`` is the
    index of the 3d5/2 component in its region."""
    return [CasaModelComponent(f"{name} 3d5/2", "GL(30)", be_ev, fwhm_ev, area),
            CasaModelComponent(f"{name} 3d3/2", "GL(30)", be_ev + split_ev, fwhm_ev,
                               area * _D_RATIO, area_tie=(first, _D_RATIO),
                               fwhm_tie=(first, 1.0), position_tie=(first, split_ev))]


def demo_regions(cycles: int, charge_shift_ev: float = 0.0, dwell_s: float = 0.1,
                 scans: int = 10, seed: int = 0) -> list[SyntheticRegion]:
    """Synthetic Cd 3d, Se 3d, O 1s, Al 2s and C 1s regions of a CdSe QD film after ``cycles``
    c-ALD cycles, each with its true model as CasaXPS components (GL(30), Shirley).

    Positions from the study (science.md §6): Cd 3d5/2 405.3 eV (core) and 406.2 eV (surface),
    3d splitting 6.74 eV, ratio 3 : 2, equal widths; O 1s 531.7 eV (C–O of the carboxylates) and,
    after c-ALD, 532.1 eV (Al–O); Al 2s 119.2 eV; C 1s C–C 284.8 eV (the charge reference) with
    C–O at 286.3 eV and the carboxylate O–C=O near 288.3 eV. Se 3d5/2 of CdSe at 54.2 eV with a
    0.86 eV splitting (typical literature values, used only to make a realistic region). No Cd–O component is
    made, as the study found none. The Al–O and Al 2s areas grow with the number of cycles
    (zero for ``cycles = 0``). Every position is shifted by ``charge_shift_ev`` (sample
    charging) so that charge correction has something to find.

    Parameters
    ----------
    cycles
        Number of c-ALD cycles (≥ 0).
    charge_shift_ev
        Apparent shift added to every binding energy (eV).
    dwell_s, scans
        Acquisition per point (s) and scans.
    seed
        Seed of the Poisson noise (each region gets its own stream).

    Returns
    -------
    list of SyntheticRegion
        Ready for :func:`write_vamas`; each region's components are the true model, positions
        including ``charge_shift_ev`` (where a fit of the uncorrected data finds them).
    """
    if cycles < 0:
        raise ParameterError(f"cycles must be ≥ 0, got {cycles}")
    al = 1.0 - math.exp(-cycles / 3.0)  # Al–O coverage saturating with the cycles
    models: list[tuple[str, tuple[float, float], float, list[CasaModelComponent]]] = [
        ("Cd 3d", (400.0, 420.0), 2000.0,
         _doublet("Cd core", 405.3, _CD3D_SPLIT_EV, 1.1, 20000.0, 0)
         + _doublet("Cd surface", 406.2, _CD3D_SPLIT_EV, 1.3, 6000.0, 2)),
        ("Se 3d", (49.0, 61.0), 400.0, _doublet("Se", 54.2, _SE3D_SPLIT_EV, 0.9, 3000.0, 0)),
        ("O 1s", (526.0, 538.0), 900.0,
         [CasaModelComponent("O 1s C-O", "GL(30)", 531.7, 1.5, 3000.0)]
         + ([CasaModelComponent("O 1s Al-O", "GL(30)", 532.1, 1.5, 4000.0 * al)] if cycles
            else [])),
        ("Al 2s", (112.0, 126.0), 300.0,
         [CasaModelComponent("Al 2s", "GL(30)", 119.2, 2.0, 1500.0 * al)] if cycles else []),
        ("C 1s", (280.0, 292.0), 600.0,
         [CasaModelComponent("C 1s C-C", "GL(30)", 284.8, 1.2, 9000.0),
          CasaModelComponent("C 1s C-O", "GL(30)", 286.3, 1.3, 900.0),
          CasaModelComponent("C 1s O-C=O", "GL(30)", 288.3, 1.3, 1200.0)]),
    ]
    regions = []
    for k, (name, (lo, hi), level, comps) in enumerate(models):
        be = np.round(np.arange(hi, lo - 1e-9, -0.1), 6)
        shifted = tuple(replace(c, be_ev=c.be_ev + charge_shift_ev) for c in comps)
        peaks = [GLPeak(c.be_ev, c.fwhm_ev, c.area, 30.0) for c in shifted]
        counts = gl_shirley_counts(be, peaks, level, 0.08, dwell_s, scans, seed * 100 + k)
        regions.append(SyntheticRegion(name, be, counts, dwell_s, scans, shifted,
                                       sample_id=f"synthetic CdSe, {cycles} c-ALD cycles"))
    return regions
