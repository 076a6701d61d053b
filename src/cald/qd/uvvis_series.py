"""A series of UV-vis spectra against a variable (TMA per QD in a titration, or c-ALD cycles):
first-exciton shift and broadening, and the onset of aggregation.

Per spectrum the first exciton comes from :func:`cald.qd.uvvis.find_exciton` (peak: the minimum
of the second derivative; FWHM: twice the low-energy half width); the shift and the broadening
are taken relative to the first spectrum of the series.

Aggregation criterion (scattering tail). Below the band gap a QD solution does not absorb: the
apparent absorbance there is the baseline plus light scattered by particles, which grows steeply
with their size (Rayleigh, ∝ λ⁻⁴, for aggregates much smaller than λ). The *tail ratio* of a
spectrum is its mean absorbance in a window below the gap — from ``tail_offset_nm`` to
``tail_offset_nm + tail_width_nm`` past the spectrum's own exciton, so that a shifted exciton
never reaches into it (a window fixed at the first spectrum's exciton caught the exciton of a
real growth series 35 nm further red) — divided by its absorbance at the exciton. The *tail
rise* is the tail ratio minus that of the first spectrum (so the baseline offset of the first
measurement cancels). Aggregation is flagged when the rise exceeds ``scatter_threshold``
(default 0.05: scattered light worth 5 % of the exciton absorbance); the onset is the first value
so flagged. The log–log slope of the tail (d ln A / d ln λ; −4 for Rayleigh scattering) is
reported as a diagnostic when the tail absorbance is positive throughout the window. On a real
growth series of CdSe aliquots (exciton 531 → 566 nm, no aggregation) the rise stays below 0.04:
baselines of separate measurements differ by a few per cent of the exciton absorbance, which is
what the default threshold leaves room for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cald.errors import ParameterError
from cald.fitting.display import ResultDisplay
from cald.qd.uvvis import SMOOTH_NM, Exciton, find_exciton
from cald.spectrum import Spectrum

__all__ = ["SCATTER_THRESHOLD", "TAIL_OFFSET_NM", "TAIL_WIDTH_NM", "SeriesPoint",
           "UvvisSeriesResult", "uvvis_series"]

#: Start of the scattering window past the first exciton (nm).
TAIL_OFFSET_NM = 60.0
#: Width of the scattering window (nm).
TAIL_WIDTH_NM = 40.0
#: Rise of the tail ratio that flags aggregation (fraction of the exciton absorbance).
SCATTER_THRESHOLD = 0.05


@dataclass(frozen=True)
class SeriesPoint:
    """One spectrum of a series: its variable value, exciton, shift and broadening relative to
    the first spectrum (nm), scattering window (nm), tail ratio and rise, tail slope, and
    whether it is aggregated."""

    value: float
    source: str | None
    exciton: Exciton
    shift_nm: float
    broadening_nm: float | None
    tail_window_nm: tuple[float, float]
    tail_ratio: float
    tail_rise: float
    tail_slope: float | None
    aggregated: bool

    def to_dict(self, variable: str) -> dict[str, Any]:
        """JSON keys of one point of ``cald uvvis series``."""
        ex = self.exciton
        return {variable: self.value, "source": self.source, "peak_nm": ex.peak_nm,
                "fwhm_nm": ex.fwhm_nm, "absorbance": ex.absorbance, "shift_nm": self.shift_nm,
                "broadening_nm": self.broadening_nm,
                "tail_window_nm": list(self.tail_window_nm), "tail_ratio": self.tail_ratio,
                "tail_rise": self.tail_rise, "tail_slope": self.tail_slope,
                "aggregated": self.aggregated}


@dataclass(frozen=True)
class UvvisSeriesResult(ResultDisplay):
    """Exciton shift and broadening over a series, and the onset of aggregation (``None``: not
    flagged)."""

    variable: str
    points: tuple[SeriesPoint, ...]
    tail_offset_nm: float
    tail_width_nm: float
    scatter_threshold: float
    onset: float | None
    notes: tuple[str, ...] = field(default=())

    @property
    def stable_up_to(self) -> float:
        """The largest value before the onset (the last value when none is flagged)."""
        before = [p.value for p in self.points if self.onset is None or p.value < self.onset]
        return before[-1] if before else self.points[0].value

    def to_dict(self) -> dict[str, Any]:
        """JSON keys of ``cald uvvis series``."""
        return {"variable": self.variable,
                "points": [p.to_dict(self.variable) for p in self.points],
                "tail_offset_nm": self.tail_offset_nm, "tail_width_nm": self.tail_width_nm,
                "scatter_threshold": self.scatter_threshold,
                "aggregation_onset": self.onset, "stable_up_to": self.stable_up_to,
                "criterion": ("aggregated when the mean absorbance from tail_offset_nm to "
                              "tail_offset_nm + tail_width_nm past the exciton, relative to the "
                              "exciton absorbance, rises by more than scatter_threshold over the "
                              "first spectrum's"),
                "notes": list(self.notes)}

    def report(self) -> str:
        """A table of the points and the onset."""
        lines = [f"{self.variable:>11}  peak/nm  shift/nm  FWHM/nm  broad./nm  tail rise"]
        for p in self.points:
            fwhm = "—" if p.exciton.fwhm_nm is None else f"{p.exciton.fwhm_nm:.1f}"
            broad = "—" if p.broadening_nm is None else f"{p.broadening_nm:+.1f}"
            lines.append(f"{p.value:11g}  {p.exciton.peak_nm:7.1f}  {p.shift_nm:+8.1f}  "
                         f"{fwhm:>7}  {broad:>9}  {p.tail_rise:+9.3f}"
                         f"{'  aggregated' if p.aggregated else ''}")
        onset = ("none flagged" if self.onset is None else f"{self.onset:g} {self.variable}")
        lines.append(f"aggregation onset: {onset} (tail {self.tail_offset_nm:g}–"
                     f"{self.tail_offset_nm + self.tail_width_nm:g} nm past each exciton, "
                     f"threshold {self.scatter_threshold:g})")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _tail(spectrum: Spectrum, window: tuple[float, float]) -> tuple[float, float | None]:
    """Mean absorbance in the window and the slope of ln A against ln λ there (``None`` when
    some absorbance is not positive)."""
    wl = np.asarray(spectrum.axis, float)
    a = np.asarray(spectrum.real(), float)
    mask = (wl >= window[0]) & (wl <= window[1])
    if mask.sum() < 5 or window[0] < wl.min() or window[1] > wl.max():
        raise ParameterError(f"the scattering window {window[0]:.0f}–{window[1]:.0f} nm is not "
                             f"inside the spectrum ({wl.min():g}–{wl.max():g} nm); record "
                             "further to the red or narrow the window (--tail-offset-nm, "
                             "--tail-width-nm)", spectrum.source)
    tail = a[mask]
    slope = (float(np.polyfit(np.log(wl[mask]), np.log(tail), 1)[0])
             if np.all(tail > 0) else None)
    return float(tail.mean()), slope


def uvvis_series(spectra: Sequence[Spectrum], values: Sequence[float],
                 variable: str = "tma_per_qd", region: tuple[float, float] | None = None,
                 smooth_nm: float = SMOOTH_NM, tail_offset_nm: float = TAIL_OFFSET_NM,
                 tail_width_nm: float = TAIL_WIDTH_NM,
                 scatter_threshold: float = SCATTER_THRESHOLD) -> UvvisSeriesResult:
    """Exciton shift and broadening over a series, and the onset of aggregation.

    Parameters
    ----------
    spectra
        Absorbance spectra (nm), in the order of ``values``.
    values
        The variable of each spectrum (e.g. TMA per QD, or c-ALD cycles), increasing.
    variable
        Name of the variable (the JSON key of each point's value).
    region
        Wavelength range (nm) searched for the exciton.
    smooth_nm
        Savitzky–Golay window (nm) of :func:`cald.qd.uvvis.find_exciton`.
    tail_offset_nm, tail_width_nm
        The scattering window: from each spectrum's exciton + ``tail_offset_nm``,
        ``tail_width_nm`` wide (nm).
    scatter_threshold
        Rise of the tail ratio (fraction of the exciton absorbance) that flags aggregation.

    Raises
    ------
    ParameterError
        An empty series, as many values as spectra missing, values not increasing, no exciton
        in a spectrum, or a scattering window outside a spectrum.
    """
    if not spectra:
        raise ParameterError("empty series: give at least one spectrum")
    if len(values) != len(spectra):
        raise ParameterError(f"{len(values)} value(s) for {len(spectra)} spectra; give one per "
                             "spectrum", "--values")
    if any(b <= a for a, b in zip(values[:-1], values[1:], strict=True)):
        raise ParameterError(f"values must increase, got {', '.join(f'{v:g}' for v in values)}",
                             "--values")
    excitons = [find_exciton(s, region, smooth_nm) for s in spectra]
    first = excitons[0]
    windows = [(ex.peak_nm + tail_offset_nm, ex.peak_nm + tail_offset_nm + tail_width_nm)
               for ex in excitons]
    tails = [_tail(s, w) for s, w in zip(spectra, windows, strict=True)]
    ratios = [t[0] / ex.absorbance if ex.absorbance > 0 else float("inf")
              for t, ex in zip(tails, excitons, strict=True)]
    points = []
    for v, s, ex, w, (_, slope), ratio in zip(values, spectra, excitons, windows, tails, ratios,
                                              strict=True):
        broad = (None if ex.fwhm_nm is None or first.fwhm_nm is None
                 else ex.fwhm_nm - first.fwhm_nm)
        rise = ratio - ratios[0]
        points.append(SeriesPoint(float(v), s.source, ex, ex.peak_nm - first.peak_nm, broad, w,
                                  ratio, rise, slope, bool(rise > scatter_threshold)))
    onset = next((p.value for p in points if p.aggregated), None)
    notes = ["shift and broadening relative to the first spectrum; FWHM = 2 × the low-energy "
             "half width (cald.qd.uvvis.find_exciton)"]
    return UvvisSeriesResult(variable, tuple(points), tail_offset_nm, tail_width_nm,
                             scatter_threshold, onset, tuple(notes))
