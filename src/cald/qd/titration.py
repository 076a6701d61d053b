"""A TMA titration of oleate-capped QDs followed by 1H NMR: the alkene resonance of the bound
oleate (≈ 5.7 ppm in toluene-d8) against TMA per QD (the reference study's Figure 4b).

Per data set the alkene region is fitted with one line (:func:`cald.lineshape.peaks.fit_peaks`,
linear baseline; errors by the rule of :mod:`cald.fitting`): its position (ppm), FWHM (Hz,
from ppm × SF) and area. The area is divided by NS × RG when the data set states them, and given
relative to the first data set (signal loss), with both fits' errors propagated.

Stability criterion. While the QDs stay colloidal, TMA binding to the oleates moves the alkene
shift gradually and leaves its width nearly unchanged; when they lose colloidal stability the
oleates leave the surface as TMA–oleate complexes and the width changes abruptly (it sharpens in
the study). The *stability limit* is the largest TMA per QD before the first step whose FWHM
differs from the previous point's by more than ``jump_fraction`` (default 30 %) of it *and* by
more than :data:`JUMP_SIGMAS` (5) combined standard errors; with no such step the series never left the stable
range and no limit is derived (``None``).

:func:`tma_per_qd_from_title` reads the TMA per QD a data set's title states, conservatively: a
single ``N TMA/QD`` (or ``N TMA per QD``) and nothing else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cald.errors import ParameterError
from cald.fitting.display import ResultDisplay
from cald.spectrum import Spectrum

__all__ = ["JUMP_SIGMAS", "LINE_SNR", "TitrationPoint", "TitrationResult", "tma_per_qd_from_title",
           "tma_per_qd_from_titles", "track_titration"]

#: A width step counts as a jump only beyond this many combined standard errors: five, not three,
#: because zero filling and apodization correlate neighbouring points, which makes the fitted
#: errors look up to about twice too small (see :mod:`cald.fitting`).
JUMP_SIGMAS = 5.0
#: The fitted alkene line must rise this many noise σ above the baseline.
LINE_SNR = 5.0

_TITLE_TMA = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*TMA\s*(?:/|per)\s*QDs?\b", re.IGNORECASE)


@dataclass(frozen=True)
class TitrationPoint:
    """One data set: TMA per QD, alkene shift (ppm) and FWHM (Hz) with errors, the area (per
    scan and unit receiver gain when known) and the area relative to the first data set."""

    tma_per_qd: float
    source: str | None
    shift_ppm: float
    shift_ppm_err: float | None
    fwhm_hz: float
    fwhm_hz_err: float | None
    area: float
    area_err: float | None
    relative_integral: float
    relative_integral_err: float | None
    redchi: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON keys of one point of ``cald titration track``."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class TitrationResult(ResultDisplay):
    """The alkene over a titration and the colloidal-stability limit it implies."""

    points: tuple[TitrationPoint, ...]
    region_ppm: tuple[float, float]
    shape: str
    jump_fraction: float
    jump_at: float | None
    stability_limit: float | None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON keys of ``cald titration track``: ``points``, ``stability_limit_tma_per_qd``
        (``None`` without a jump), ``jump_at_tma_per_qd``, the criterion and notes."""
        return {"points": [p.to_dict() for p in self.points],
                "stability_limit_tma_per_qd": self.stability_limit,
                "jump_at_tma_per_qd": self.jump_at, "region_ppm": list(self.region_ppm),
                "shape": self.shape, "jump_fraction": self.jump_fraction,
                "criterion": (f"largest TMA/QD before the first step whose alkene FWHM changes "
                              f"by more than {self.jump_fraction:.0%} of the previous value and "
                              f"by more than {JUMP_SIGMAS:g} combined standard errors"),
                "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TitrationResult:
        """The result :meth:`to_dict` wrote."""
        return cls(tuple(TitrationPoint(**p) for p in d["points"]), tuple(d["region_ppm"]),
                   d["shape"], d["jump_fraction"], d["jump_at_tma_per_qd"],
                   d["stability_limit_tma_per_qd"], tuple(d["notes"]))

    def report(self) -> str:
        """A table of the points and the stability limit."""
        lines = ["TMA/QD  shift/ppm           FWHM/Hz          relative integral"]
        for p in self.points:
            lines.append(f"{p.tma_per_qd:6g}  {p.shift_ppm:.4f} ± {_err(p.shift_ppm_err):7}  "
                         f"{p.fwhm_hz:6.1f} ± {_err(p.fwhm_hz_err):7}  "
                         f"{p.relative_integral:.3f} ± {_err(p.relative_integral_err)}")
        if self.stability_limit is None:
            lines.append("stability limit: no width jump in the series (stable up to "
                         f"{self.points[-1].tma_per_qd:g} TMA/QD at least)")
        else:
            lines.append(f"stability limit: {self.stability_limit:g} TMA/QD (FWHM jumps at "
                         f"{self.jump_at:g})")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _err(value: float | None) -> str:
    return "—" if value is None else f"{value:.2g}"


def tma_per_qd_from_title(title: str) -> float | None:
    """The TMA per QD a title states (``"QDs + 10 TMA/QD in toluene-d8"`` → 10.0), or ``None``
    when it states none or more than one value."""
    values = {float(m.group(1)) for m in _TITLE_TMA.finditer(title)}
    return values.pop() if len(values) == 1 else None


def tma_per_qd_from_titles(titles: Sequence[str], sources: Sequence[str | None]) -> list[float]:
    """The TMA per QD of each data set from its title (:func:`tma_per_qd_from_title`).

    Raises
    ------
    ParameterError
        A title that states no single TMA/QD value (naming the data set).
    """
    values = []
    for title, source in zip(titles, sources, strict=True):
        value = tma_per_qd_from_title(title)
        if value is None:
            short = " ".join(title.split())[:60]
            raise ParameterError(f"no --tma-per-qd given and the title ({short!r}) does not state "
                                 "one 'N TMA/QD'", source)
        values.append(value)
    return values


def _ratio(a: float, a_err: float | None, b: float, b_err: float | None) -> tuple[float,
                                                                                   float | None]:
    r = a / b
    if a_err is None or b_err is None:
        return r, None
    return r, abs(r) * math.hypot(a_err / a, b_err / b)


def track_titration(spectra: Sequence[Spectrum], tma_per_qd: Sequence[float],
                    region: tuple[float, float] = (6.2, 5.0), shape: str = "lorentzian",
                    jump_fraction: float = 0.3, sf_mhz: float | None = None) -> TitrationResult:
    """Alkene shift, FWHM and relative integral over a titration, and the stability limit.

    Parameters
    ----------
    spectra
        Processed 1H spectra (ppm), one per entry of ``tma_per_qd``.
    tma_per_qd
        TMA molecules per QD of each spectrum, all different; the points are ordered by them
        (so data sets may come in any order, e.g. from a shell glob).
    region
        The alkene region (ppm, either order), inside every spectrum.
    shape
        Line shape of the one-line fit: ``lorentzian``, ``gaussian`` or ``voigt``.
    jump_fraction
        Relative FWHM change between neighbouring points that marks the loss of stability.
    sf_mhz
        Spectrometer frequency (MHz) for spectra that do not state one (CSV).

    Raises
    ------
    ParameterError
        An empty series, a count of TMA/QD values that differs from the data sets', repeated
        values, a spectrum of another nucleus than 1H or without SF (no Hz), a region outside
        a spectrum or without a line (naming the spectrum).
    """
    from cald.lineshape.peaks import fit_peaks

    if not spectra:
        raise ParameterError("empty series: give at least one data set")
    if len(tma_per_qd) != len(spectra):
        raise ParameterError(f"{len(tma_per_qd)} value(s) for {len(spectra)} data sets; give one "
                             "per data set", "--tma-per-qd")
    if len(set(tma_per_qd)) < len(tma_per_qd):
        raise ParameterError("values must differ, got "
                             f"{', '.join(f'{v:g}' for v in tma_per_qd)}", "--tma-per-qd")
    order = sorted(range(len(spectra)), key=lambda i: tma_per_qd[i])
    spectra = [spectra[i] for i in order]
    tma_per_qd = [tma_per_qd[i] for i in order]
    lo, hi = min(region), max(region)
    notes: list[str] = []
    fits = []
    for spec in spectra:
        if spec.unit != "ppm":
            raise ParameterError(f"the alkene needs a ppm axis, got {spec.unit}", spec.source)
        if spec.nucleus not in (None, "1H"):
            raise ParameterError(f"the titration follows the 1H alkene; this data set observes "
                                 f"{spec.nucleus}", spec.source)
        sf = spec.sf_mhz or sf_mhz
        if not sf:
            raise ParameterError("no spectrometer frequency: give --sf-mhz for the FWHM in Hz",
                                 spec.source)
        ax_lo, ax_hi = float(spec.axis.min()), float(spec.axis.max())
        if lo < ax_lo or hi > ax_hi:
            raise ParameterError(f"region {hi:g}:{lo:g} ppm lies outside the spectrum "
                                 f"({ax_hi:.3g} to {ax_lo:.3g} ppm)", spec.source)
        fit = fit_peaks(spec, (hi, lo), n_peaks=1, shape=shape, baseline="linear")
        peak = fit.to_dict()["peaks"][0]
        if not (peak["area"] > 0 and (fit.sigma is None or peak["height"] > LINE_SNR * fit.sigma)):
            raise ParameterError(f"no line rises {LINE_SNR:g} σ above the noise in the region "
                                 f"{hi:g}:{lo:g} ppm", spec.source)
        scale = 1.0
        ns, rg = spec.meta.get("ns"), spec.meta.get("rg")
        if ns and rg:
            scale = float(ns) * float(rg)
        fits.append((spec, peak, scale, fit.statistics.redchi, float(sf)))
    if any(f[2] != 1.0 for f in fits):
        notes.append("areas per scan and unit receiver gain (NS × RG of each data set)")
    area0, area0_err = fits[0][1]["area"] / fits[0][2], fits[0][1]["area_err"]
    area0_err = None if area0_err is None else area0_err / fits[0][2]
    points: list[TitrationPoint] = []
    for v, (spec, pk, scale, redchi, sf_point) in zip(tma_per_qd, fits, strict=True):
        area = pk["area"] / scale
        area_err = None if pk["area_err"] is None else pk["area_err"] / scale
        if points:
            rel, rel_err = _ratio(area, area_err, area0, area0_err)
        else:  # the reference itself: 1 exactly
            rel, rel_err = 1.0, None if area_err is None else 0.0
        fwhm_err = None if pk["fwhm_ppm_err"] is None else pk["fwhm_ppm_err"] * sf_point
        points.append(TitrationPoint(float(v), spec.source, pk["center_ppm"], pk["center_ppm_err"],
                                     pk["fwhm_ppm"] * sf_point, fwhm_err, area, area_err, rel, rel_err,
                                     redchi))
    jump_at = None
    for prev, cur in zip(points[:-1], points[1:], strict=True):
        step = abs(cur.fwhm_hz - prev.fwhm_hz)
        sigma = math.hypot(prev.fwhm_hz_err or 0.0, cur.fwhm_hz_err or 0.0)
        if step > jump_fraction * prev.fwhm_hz and step > JUMP_SIGMAS * sigma:
            jump_at = cur.tma_per_qd
            break
    limit = None if jump_at is None else max(p.tma_per_qd for p in points
                                             if p.tma_per_qd < jump_at)
    return TitrationResult(tuple(points), (hi, lo), shape, jump_fraction, jump_at, limit,
                           tuple(notes))
