"""The first exciton of a quantum-dot UV-vis spectrum, and the size and concentration from it.

:func:`find_exciton` smooths the absorbance (Savitzky–Golay on a uniform wavelength grid),
takes its second derivative and keeps the negative lobes that stand out of the noise and lie
between two points of positive curvature (a peak, or a shoulder on a rising continuum;
a monotonic edge has positive curvature on one side only). The lobe at the longest wavelength
is the first (lowest-energy) exciton.

Its position is the one the sizing curves were calibrated with (Yu 2003 and Jasieniak 2009 read
the first absorption peak): the absorbance maximum in the lobe (parabola through the smoothed
absorbance). A shoulder without a maximum has no such position; the minimum of the second
derivative stands in, with a note. That minimum is reported for every spectrum
(``curvature_min_nm``): on real ensemble spectra, whose excitons are steeper on the red side, it
lies 6–16 nm to the red of the maximum (eight JASCO V-670 spectra of CdSe QDs with maxima at
524–550 nm), so it is not used when a maximum exists.
The FWHM is twice the half width at half height on the low-energy (long-wavelength) side, above
the lowest absorbance on that side: the high side is overlapped by the higher excitons and the
continuum.

:func:`size_exciton` adds the diameter (:func:`cald.qd.sizing.size_from_exciton`), the molar
absorptivity ε at the first exciton and, with a path length, the concentration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.signal import savgol_coeffs, savgol_filter

from cald.errors import ParameterError
from cald.fitting.display import ResultDisplay
from cald.qd.sizing import (
    SizingModel,
    concentration_um,
    molar_absorptivity_per_m_cm,
    size_from_exciton,
)
from cald.spectrum import Spectrum

__all__ = ["Exciton", "ExcitonResult", "find_exciton", "size_exciton"]

#: Width (nm) of the Savitzky–Golay windows for the smoothing and the second derivative.
SMOOTH_NM = 21.0
#: A curvature lobe must exceed this many noise σ of the second derivative.
NOISE_SIGMAS = 6.0


@dataclass(frozen=True)
class Exciton:
    """The first exciton: position (nm: the absorbance maximum, or a shoulder's flattest point),
    absorbance there, FWHM (nm), the absorbance maximum (nm; ``None`` for a shoulder), the
    minimum of the second derivative (nm), notes."""

    peak_nm: float
    absorbance: float
    fwhm_nm: float | None
    max_nm: float | None
    curvature_min_nm: float
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExcitonResult(ResultDisplay):
    """First exciton, size, ε and (with a path length) concentration of a CdSe QD solution."""

    source: str | None
    material: str
    model: str
    exciton: Exciton
    diameter_nm: float
    extrapolated: bool
    epsilon_m_cm: float
    path_cm: float | None
    dilution: float
    concentration_um: float | None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON keys of ``cald uvvis size``."""
        out: dict[str, Any] = {
            "source": self.source, "material": self.material, "model": self.model,
            "peak_nm": self.exciton.peak_nm, "absorbance": self.exciton.absorbance,
            "fwhm_nm": self.exciton.fwhm_nm, "absorbance_max_nm": self.exciton.max_nm,
            "curvature_min_nm": self.exciton.curvature_min_nm,
            "diameter_nm": self.diameter_nm, "extrapolated": self.extrapolated,
            "epsilon_m_cm": self.epsilon_m_cm}
        if self.path_cm is not None:
            out.update(path_cm=self.path_cm, dilution=self.dilution,
                       concentration_um=self.concentration_um)
        out["notes"] = list(self.notes)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ExcitonResult:
        """The result :meth:`to_dict` wrote (the exciton's own notes are not part of it)."""
        exciton = Exciton(d["peak_nm"], d["absorbance"], d["fwhm_nm"], d["absorbance_max_nm"],
                          d["curvature_min_nm"])
        return cls(d["source"], d["material"], d["model"], exciton, d["diameter_nm"],
                   d["extrapolated"], d["epsilon_m_cm"], d.get("path_cm"), d.get("dilution", 1.0),
                   d.get("concentration_um"), tuple(d["notes"]))

    def report(self) -> str:
        """A few readable lines."""
        ex = self.exciton
        fwhm = "n/a" if ex.fwhm_nm is None else f"{ex.fwhm_nm:.1f} nm"
        lines = [f"first exciton  {ex.peak_nm:.1f} nm ({'shoulder' if ex.max_nm is None else 'maximum'}),"
                 f" A = {ex.absorbance:.4g}, FWHM {fwhm}",
                 f"diameter       {self.diameter_nm:.2f} nm ({self.material}, {self.model})",
                 f"epsilon        {self.epsilon_m_cm:.4g} M^-1 cm^-1"]
        if self.concentration_um is not None:
            lines.append(f"concentration  {self.concentration_um:.4g} µM "
                         f"(path {self.path_cm:g} cm, dilution {self.dilution:g})")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _odd(n: float, at_least: int) -> int:
    k = max(at_least, int(round(n)))
    return k if k % 2 else k + 1


def _parabola_vertex(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, float]:
    """Vertex (x, curvature coefficient) of the least-squares parabola through (x, y)."""
    x0 = float(np.mean(x))
    c2, c1, _ = np.polyfit(x - x0, y, 2)
    return (x0 - c1 / (2 * c2) if c2 != 0 else math.nan), float(c2)


def _vertex_near(x: NDArray[np.float64], y: NDArray[np.float64], k: int, half: int,
                 upward: bool) -> float:
    """The extremum of ``y`` near index ``k``: the vertex of a parabola through ``k ± half``
    points when it opens the expected way (``upward`` for a minimum) within them, else ``x[k]``."""
    sl = slice(max(0, k - half), min(x.size, k + half + 1))
    vertex, c2 = _parabola_vertex(x[sl], y[sl])
    if c2 != 0 and (c2 > 0) == upward and x[sl][0] <= vertex <= x[sl][-1]:
        return vertex
    return float(x[k])


def find_exciton(spectrum: Spectrum, region: tuple[float, float] | None = None,
                 smooth_nm: float = SMOOTH_NM) -> Exciton:
    """The first (lowest-energy) exciton of an absorbance spectrum.

    Parameters
    ----------
    spectrum
        Absorbance against wavelength (unit ``nm``).
    region
        Wavelength range (nm, either order) searched; default the whole spectrum.
    smooth_nm
        Width of the Savitzky–Golay windows (nm): about the exciton's FWHM or less; a broad
        exciton (PbSe in the near infrared) needs a wider window to stand out of the noise.

    Raises
    ------
    ParameterError
        No exciton (a flat or monotonic spectrum), too few points, or a region outside the
        spectrum; the message names the spectrum's file.
    """
    src = spectrum.source
    if spectrum.unit != "nm":
        raise ParameterError(f"axis unit must be nm for UV-vis, got {spectrum.unit}", src)
    wl = np.asarray(spectrum.axis, float)
    a = np.asarray(spectrum.real(), float)
    order = np.argsort(wl)
    wl, a = wl[order], a[order]
    if region is not None:
        mask = (wl >= min(region)) & (wl <= max(region))
        if mask.sum() < 5:
            raise ParameterError(f"region {min(region):g}–{max(region):g} nm holds fewer than 5 "
                                 f"points of the spectrum ({wl[0]:g}–{wl[-1]:g} nm)", src)
        wl, a = wl[mask], a[mask]
    step = float(np.median(np.diff(wl)))
    if not step > 0:
        raise ParameterError("the wavelength axis is not increasing", src)
    n_grid = int((wl[-1] - wl[0]) / step) + 1
    if n_grid > 10 * wl.size:
        raise ParameterError(f"wavelength axis too uneven ({wl.size} points over "
                             f"{wl[0]:g}–{wl[-1]:g} nm, median step {step:g} nm)", src)
    grid = wl[0] + step * np.arange(n_grid)
    y = np.interp(grid, wl, a)
    window = _odd(smooth_nm / step, 7)
    if window >= grid.size:
        raise ParameterError(f"too few points ({grid.size}) for a {smooth_nm:g} nm smoothing "
                             "window", src)
    smooth = savgol_filter(y, window, 3, mode="interp")
    d2 = savgol_filter(y, window, 3, deriv=2, delta=step, mode="interp")
    noise = float(np.std(y - smooth)) * float(np.linalg.norm(
        savgol_coeffs(window, 3, deriv=2, delta=step)))
    scale = max(float(np.ptp(smooth)), 1e-12) / smooth_nm**2
    threshold = max(NOISE_SIGMAS * noise, 1e-3 * scale)
    edge = window // 2
    inner = np.zeros(grid.size, bool)
    inner[edge:grid.size - edge] = True
    pos = np.flatnonzero((d2 > threshold) & inner)
    # a lobe: the stretch between two points of positive curvature that dips below -threshold
    lobes: list[tuple[int, int]] = []
    for i, j in zip(pos[:-1], pos[1:], strict=True):
        if j - i > 1 and d2[i + 1:j].min() < -threshold:
            lobes.append((i + 1, j - 1))
    if not lobes:
        raise ParameterError("no exciton found: the spectrum has no peak or shoulder standing "
                             "out of the noise (flat or monotonic)", src)
    i, j = lobes[-1]
    k = i + int(np.argmin(d2[i:j + 1]))
    half = max(2, window // 4)
    notes: list[str] = []
    curvature_min = _vertex_near(grid, d2, k, 2 * half, upward=True)
    # the absorbance maximum in the lobe (the red-most one), else the curvature minimum
    d1 = savgol_filter(y, window, 3, deriv=1, delta=step, mode="interp")
    falls = np.flatnonzero((d1[i - 1:j] > 0) & (d1[i:j + 1] <= 0))
    max_nm: float | None = None
    if falls.size:
        m = i + int(falls[-1])
        m = m if smooth[m] >= smooth[m - 1] else m - 1
        # a short parabola (±window/6): a wider one is pulled by the exciton's asymmetry
        peak = max_nm = _vertex_near(grid, smooth, m, max(2, window // 6), upward=False)
    else:
        peak = curvature_min
        notes.append("first exciton is a shoulder (no absorbance maximum): position at the "
                     "minimum of the second derivative, which on real spectra lies up to "
                     "~15 nm to the red of where a maximum would be: the size is an upper "
                     "estimate")
    absorbance = float(np.interp(peak, grid, smooth))
    # FWHM: twice the half width at half height on the long-wavelength side
    red = smooth[grid >= peak]
    red_x = grid[grid >= peak]
    base = float(red.min())
    level = base + (absorbance - base) / 2
    below = np.flatnonzero(red < level)
    fwhm: float | None = None
    if below.size and below[0] > 0 and absorbance > base:
        b = int(below[0])
        x_half = float(np.interp(level, [red[b], red[b - 1]], [red_x[b], red_x[b - 1]]))
        fwhm = 2.0 * (x_half - peak)
        notes.append("FWHM = 2 × the half width at half height on the low-energy "
                     "(long-wavelength) side, above the lowest absorbance on that side")
    else:
        notes.append("no FWHM: the absorbance does not fall to half height on the "
                     "long-wavelength side")
    return Exciton(float(peak), absorbance, fwhm, max_nm, curvature_min, tuple(notes))


def size_exciton(spectrum: Spectrum, material: str = "CdSe", model: SizingModel = "yu2003",
                 path_cm: float | None = None, dilution: float = 1.0,
                 region: tuple[float, float] | None = None,
                 smooth_nm: float = SMOOTH_NM) -> ExcitonResult:
    """First exciton, diameter, ε and (with ``path_cm``) the stock concentration.

    Parameters
    ----------
    spectrum
        Absorbance against wavelength (nm).
    material
        Only ``"CdSe"`` has sizing curves.
    model
        ``"yu2003"`` or ``"jasieniak2009"`` (:func:`cald.qd.sizing.size_from_exciton`).
    path_cm
        Optical path length (cm); without it no concentration.
    dilution
        Dilution of the measured solution relative to the stock.
    region
        Wavelength range (nm) searched for the exciton.
    smooth_nm
        Width of the Savitzky–Golay windows (nm), see :func:`find_exciton`.

    Examples
    --------
    A synthetic spectrum of 2.3 nm CdSe dots (exciton at 495 nm, FWHM 25 nm):

    >>> import numpy as np
    >>> from cald.qd.uvvis import size_exciton
    >>> from cald.spectrum import Spectrum
    >>> from cald.synth.optical import uvvis_absorbance
    >>> nm = np.arange(350.0, 701.0)
    >>> spectrum = Spectrum(uvvis_absorbance(nm, 495.0, 25.0, noise_sd=0.0), nm, "nm")
    >>> print(size_exciton(spectrum, "CdSe", path_cm=1.0).report().splitlines()[1])
    diameter       2.30 nm (CdSe, yu2003)
    """
    if material != "CdSe":
        raise ParameterError(f"unknown material {material!r}; known: CdSe", "--material")
    ex = find_exciton(spectrum, region, smooth_nm)
    size = size_from_exciton(ex.peak_nm, model)
    eps = molar_absorptivity_per_m_cm(size.diameter_nm)
    notes = list(ex.notes)
    if size.note:
        notes.append(size.note)
    notes.append("ε = 5857 D^2.65 M⁻¹ cm⁻¹ (Yu 2003) at the first exciton")
    conc = None
    if path_cm is not None:
        if ex.absorbance <= 0:
            raise ParameterError(f"absorbance at the exciton is {ex.absorbance:.3g}: no "
                                 "concentration", spectrum.source)
        conc = concentration_um(ex.absorbance, eps, path_cm, dilution)
    return ExcitonResult(spectrum.source, material, model, ex, size.diameter_nm,
                         size.extrapolated, eps, path_cm, dilution, conc, tuple(notes))
