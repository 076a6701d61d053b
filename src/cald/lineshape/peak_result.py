"""Results of a peak deconvolution: one :class:`PeakEstimate` per line, the baseline, and the
:class:`PeakFitResult` (a :class:`~cald.fitting.FitResult`).

Keys in axis units carry the unit of the spectrum's axis (:func:`cald.spectrum.axis_key`):
``center_ppm``, ``fwhm_ppm``, ``fwhm_gauss_ppm``, ``fwhm_lorentz_ppm`` on a ppm axis,
``center_ev``, ``fwhm_ev`` … on an eV axis, ``center_per_cm`` on a wavenumber axis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.fitting import Estimate, FitResult, curve_spectra
from cald.lineshape.peak_model import PeakModel, PeakTies
from cald.spectrum import Spectrum, axis_key

__all__ = ["PeakEstimate", "BaselineEstimate", "PeakFitResult"]

#: Quantities of a peak that are in axis units (the others are area, fraction, height, η).
_AXIS_QUANTITIES = ("center", "fwhm", "fwhm_gauss", "fwhm_lorentz")


@dataclass(frozen=True)
class PeakEstimate:
    """One fitted line: its estimates and how they were constrained.

    Errors are standard errors (``None`` when missing: see ``notes``); a parameter held fixed
    has error 0 in the attributes and in ``to_dict()``.

    Attributes
    ----------
    index
        Position in the peak list, from 0.
    unit
        Axis unit of ``center`` and the widths.
    estimates
        ``center``, ``fwhm`` (of the profile), ``area``, ``fraction`` (area / Σ areas), ``height``
        (value at the center) and the shape's own parameters (``fwhm_gauss``/``fwhm_lorentz``
        for Voigt, ``eta`` for pseudo-Voigt, ``fwhm`` otherwise) as :class:`~cald.fitting.Estimate`.
    shape_names
        Names of the shape's own parameters, in call order.
    fixed
        Parameters held fixed.
    tied
        ``{parameter: lmfit expression}`` for parameters set by a tie.
    notes
        Why an error is missing, and anything else to know about this line.
    """

    index: int
    unit: str
    estimates: Mapping[str, Estimate]
    shape_names: tuple[str, ...]
    fixed: tuple[str, ...] = ()
    tied: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def _err(self, name: str) -> float | None:
        est = self.estimates[name]
        return 0.0 if est.fixed else est.stderr

    @property
    def center(self) -> float:
        """Center in axis units."""
        return self.estimates["center"].value

    @property
    def center_err(self) -> float | None:
        """Standard error of the center (0 when held fixed)."""
        return self._err("center")

    @property
    def fwhm(self) -> float:
        """FWHM of the profile in axis units."""
        return self.estimates["fwhm"].value

    @property
    def fwhm_err(self) -> float | None:
        """Standard error of the FWHM."""
        return self._err("fwhm")

    @property
    def area(self) -> float:
        """Integral of the line (axis units × intensity)."""
        return self.estimates["area"].value

    @property
    def area_err(self) -> float | None:
        """Standard error of the area."""
        return self._err("area")

    @property
    def fraction(self) -> float:
        """area / Σ areas of all peaks in the fit."""
        return self.estimates["fraction"].value

    @property
    def fraction_err(self) -> float | None:
        """Standard error of the fraction (full covariance of the areas)."""
        return self._err("fraction")

    @property
    def height(self) -> float:
        """Value of the line at its center."""
        return self.estimates["height"].value

    @property
    def height_err(self) -> float | None:
        """Standard error of the height."""
        return self._err("height")

    @property
    def shape_params(self) -> dict[str, tuple[float, float | None]]:
        """The shape's own parameters as ``{name: (value, stderr)}``."""
        return {n: (self.estimates[n].value, self._err(n)) for n in self.shape_names}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary: ``center_<unit>``, ``fwhm_<unit>``, ``area``, ``fraction``,
        ``height`` with their ``*_err``, then the shape's own parameters (``fwhm_gauss_<unit>``,
        ``fwhm_lorentz_<unit>`` or ``eta``) with theirs."""
        d: dict[str, Any] = {"index": self.index}
        names = ["center", "fwhm", "area", "fraction", "height"]
        names += [n for n in self.shape_names if n != "fwhm"]
        for name in names:
            key = axis_key(name, self.unit) if name in _AXIS_QUANTITIES else name
            d[key], d[f"{key}_err"] = self.estimates[name].value, self._err(name)
        d.update(fixed=list(self.fixed), tied=dict(self.tied), notes=list(self.notes))
        return d


@dataclass(frozen=True)
class BaselineEstimate:
    """The fitted baseline ``c0 + c1 (x − x_ref)`` (``c1`` only for ``linear``)."""

    kind: str
    c0: float
    c0_err: float | None
    c1: float | None = None
    c1_err: float | None = None
    x_ref: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class PeakFitResult(FitResult):
    """A peak deconvolution. ``to_dict()`` is JSON-ready; ``model_curve``/``component_curves``
    evaluate the fit on any axis for plots, :meth:`curves` gives them as spectra.

    Attributes
    ----------
    region
        (low, high) limits of the fitted region in ``unit``.
    x, data
        The fitted points (axis in stored order, real part of the values).
    sigma
        Noise σ per point used for the weights (scalar, or the mean of per-point σ); ``None`` when
        it could not be measured and was estimated from the residuals.
    values
        Best values of every lmfit parameter (including tied and fixed ones).
    var_names, covar
        The varied parameters and their covariance matrix (``None`` when unavailable), from which
        every reported error is propagated.

    The statistics (χ², χ²ᵣ or residual s.d., AIC, AICc, BIC), ``params`` (every lmfit
    parameter as an estimate), ``success``, ``message`` and ``notes`` come from
    :class:`~cald.fitting.FitResult`.
    """

    shape: str
    region: tuple[float, float]
    unit: str
    peaks: tuple[PeakEstimate, ...]
    baseline: BaselineEstimate | None
    sigma: float | None
    sigma_source: str
    x: NDArray[np.float64]
    data: NDArray[np.float64]
    values: dict[str, float]
    ties: PeakTies
    var_names: tuple[str, ...] = ()
    covar: NDArray[np.float64] | None = None
    nucleus: str | None = None
    source: str | None = None

    @property
    def _model(self) -> PeakModel:
        return PeakModel(len(self.peaks), self.shape, None if self.baseline is None else self.baseline.kind,
                         self.ties)

    @property
    def fractions(self) -> NDArray[np.float64]:
        """area_i / Σ areas, in peak order."""
        return np.array([p.fraction for p in self.peaks])

    def model_curve(self, x: ArrayLike) -> NDArray[np.float64]:
        """Fitted spectrum (all peaks + baseline) at ``x``."""
        return self._model.evaluate(x, self.values)

    def component_curves(self, x: ArrayLike) -> list[NDArray[np.float64]]:
        """One curve per peak at ``x`` (without the baseline; add :meth:`baseline_curve`)."""
        return self._model.components(x, self.values)

    def baseline_curve(self, x: ArrayLike) -> NDArray[np.float64]:
        """The fitted baseline at ``x`` (zeros without one)."""
        return self._model.baseline_curve(x, self.values)

    @property
    def residual(self) -> NDArray[np.float64]:
        """data − fit on the fitted points (unweighted)."""
        return self.data - self.model_curve(self.x)

    def curves(self) -> dict[str, Spectrum]:
        """``data``, ``fit``, ``residual``, ``baseline`` and ``peak <i>`` on the fitted points."""
        return curve_spectra(self.x, self.unit, {
            "data": self.data, "fit": self.model_curve(self.x), "residual": self.residual,
            "baseline": self.baseline_curve(self.x),
            **{f"peak {i}": c for i, c in enumerate(self.component_curves(self.x))}},
            nucleus=self.nucleus, source=self.source)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (no arrays; peaks as :meth:`PeakEstimate.to_dict`)."""
        s = self.statistics
        return {
            "shape": self.shape,
            "region": list(self.region),
            "unit": self.unit,
            "n_peaks": len(self.peaks),
            "peaks": [p.to_dict() for p in self.peaks],
            "redchi": s.redchi,
            "residual_std": s.residual_std,
            "chisqr": s.chisqr,
            "aic": s.aic,
            "aicc": s.aicc,
            "bic": s.bic,
            "n_points": s.n_points,
            "n_varys": s.n_varys,
            "baseline": None if self.baseline is None else self.baseline.to_dict(),
            "sigma": self.sigma,
            "sigma_source": self.sigma_source,
            "sigma_known": s.sigma_known,
            "ties": self.ties.to_dict(),
            "success": self.success,
            "message": self.message,
            "nucleus": self.nucleus,
            "source": self.source,
            "notes": list(self.notes),
        }

    def report(self) -> str:
        """Short human-readable summary."""
        lo, hi = self.region
        lines = [f"Peak fit ({self.shape}, {len(self.peaks)} peak(s), {lo:g}–{hi:g} {self.unit}, "
                 f"{self.n_points} points, {self.n_varys} varied; σ {self.sigma_source}): "
                 f"{self.statistics.quality()}, AIC = {self.aic:.2f}, BIC = {self.bic:.2f}"]
        for p in self.peaks:
            lines.append(f"  #{p.index}  center {_pm(p.center, p.center_err)} {self.unit}, "
                         f"FWHM {_pm(p.fwhm, p.fwhm_err)}, area {_pm(p.area, p.area_err)}, "
                         f"fraction {_pm(p.fraction, p.fraction_err)}")
            extra = [f"{k} {_pm(*v)}" for k, v in p.shape_params.items() if k != "fwhm"]
            if extra:
                lines.append("       " + ", ".join(extra))
            lines.extend(f"       note: {n}" for n in p.notes)
        if self.baseline is not None:
            b = self.baseline
            text = f"  baseline ({b.kind}): c0 {_pm(b.c0, b.c0_err)}"
            if b.c1 is not None:
                text += f", c1 {_pm(b.c1, b.c1_err)} per {self.unit} about {b.x_ref:g}"
            lines.append(text)
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def _pm(value: float, err: float | None) -> str:
    return f"{value:.5g}" + ("" if err is None else f" ± {err:.2g}")
