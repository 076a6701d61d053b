"""Peak deconvolution: Gaussian, Lorentzian, Voigt and pseudo-Voigt lines with bounds and ties.

Two layers, as everywhere in cald:

* plain numpy lineshapes, the axis first, each normalised so that ``area`` is the integral over
  the axis (axis units × intensity, whatever the axis orientation): :func:`gaussian`,
  :func:`lorentzian`, :func:`voigt`, :func:`pseudo_voigt`, listed in the registry :data:`SHAPES`;
* :class:`PeakModel`, an lmfit composite model (one prefixed model ``p0_``, ``p1_`` … per peak
  plus an optional ``bl_`` baseline) with bounds and ties between peaks (:class:`PeakTies`), and
  :func:`fit_peaks`, which fits a region of a :class:`~cald.spectrum.Spectrum` and returns a
  :class:`PeakFitResult`.

Widths are full widths at half maximum (FWHM) in axis units. For the Voigt line the Gaussian and
Lorentzian FWHMs are the parameters; the reported ``fwhm`` is the exact FWHM of the profile
(:func:`voigt_fwhm`, solved numerically; the Olivero–Longbothum formula is within 0.024 %).

Uncertainty conventions (as in :mod:`cald.recoupling.fit`): the points are weighted by 1/σ, with
σ given or measured on the spectrum by :func:`cald.nmr.processing.noise_std`; the covariance is
*not* rescaled by χ²ᵣ (check that ``redchi`` ≈ 1: apodization correlates neighbouring points and
makes the errors look too small). Only when σ cannot be measured is it estimated from the residuals
(covariance scaled by χ²ᵣ). Derived quantities (fractions area_i / Σ areas, heights, the Voigt
FWHM, tied parameters) carry uncertainties propagated with the full covariance matrix (lmfit's
correlated ``uvars``), not independent errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import lmfit
import numpy as np
import uncertainties
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq
from scipy.signal import find_peaks, peak_widths
from scipy.special import voigt_profile

from cald.errors import DataFileError, ParameterError
from cald.spectrum import Spectrum

__all__ = [
    "SHAPES",
    "BASELINES",
    "LineShape",
    "gaussian",
    "lorentzian",
    "voigt",
    "pseudo_voigt",
    "voigt_fwhm",
    "PeakTies",
    "PeakModel",
    "PeakEstimate",
    "BaselineEstimate",
    "PeakFitResult",
    "fit_peaks",
]

_FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))  # Gaussian FWHM = 2√(2 ln 2) σ
_SQRT_2PI = np.sqrt(2.0 * np.pi)


# --- lineshapes -----------------------------------------------------------------------------


def gaussian(x: ArrayLike, center: float, fwhm: float, area: float) -> NDArray[np.float64]:
    """Gaussian line of full width at half maximum ``fwhm`` and integral ``area``."""
    x = np.asarray(x, dtype=float)
    sigma = fwhm / _FWHM_PER_SIGMA
    return area / (sigma * _SQRT_2PI) * np.exp(-0.5 * ((x - center) / sigma) ** 2)


def lorentzian(x: ArrayLike, center: float, fwhm: float, area: float) -> NDArray[np.float64]:
    """Lorentzian (Cauchy) line of full width at half maximum ``fwhm`` and integral ``area``."""
    x = np.asarray(x, dtype=float)
    half = 0.5 * fwhm
    return area / np.pi * half / ((x - center) ** 2 + half**2)


def voigt(x: ArrayLike, center: float, fwhm_gauss: float, fwhm_lorentz: float,
          area: float) -> NDArray[np.float64]:
    """Voigt line (Gaussian ⊗ Lorentzian) from the FWHMs of its two parts and its integral
    ``area``; one width at 0 gives the other shape. The FWHM of the profile is
    :func:`voigt_fwhm`."""
    x = np.asarray(x, dtype=float)
    return area * voigt_profile(x - center, fwhm_gauss / _FWHM_PER_SIGMA, 0.5 * fwhm_lorentz)


def pseudo_voigt(x: ArrayLike, center: float, fwhm: float, eta: float,
                 area: float) -> NDArray[np.float64]:
    """Pseudo-Voigt line η·L + (1 − η)·G, both parts of FWHM ``fwhm`` and unit area, times
    ``area`` (η is the Lorentzian fraction, 0 ≤ η ≤ 1)."""
    return eta * lorentzian(x, center, fwhm, area) + (1.0 - eta) * gaussian(x, center, fwhm, area)


def voigt_fwhm(fwhm_gauss: float, fwhm_lorentz: float) -> float:
    """Exact FWHM of a Voigt profile (half maximum solved numerically); the Olivero–Longbothum
    approximation 0.5346 f_L + √(0.2166 f_L² + f_G²) is within 0.024 % of it (largest near
    f_L/f_G ≈ 0.3)."""
    fg, fl = abs(float(fwhm_gauss)), abs(float(fwhm_lorentz))
    if fg == 0.0 or fl == 0.0:
        return fg + fl
    approx = 0.5346 * fl + np.sqrt(0.2166 * fl**2 + fg**2)
    sigma, gamma = fg / _FWHM_PER_SIGMA, 0.5 * fl
    half = 0.5 * float(voigt_profile(0.0, sigma, gamma))
    root = brentq(lambda h: float(voigt_profile(h, sigma, gamma)) - half, 0.4 * approx, 0.6 * approx,
                  xtol=1e-14 * approx, rtol=1e-14)
    return 2.0 * float(root)


@dataclass(frozen=True)
class LineShape:
    """One entry of :data:`SHAPES`: the function and the names of its parameters after the axis.

    Attributes
    ----------
    name
        Registry key.
    function
        ``function(x, *params)``; area-normalised.
    params
        Parameter names in call order (``center`` first, ``area`` last).
    widths
        The parameters that are widths (FWHM in axis units; tied by ``equal_widths``).
    """

    name: str
    function: Callable[..., NDArray[np.float64]]
    params: tuple[str, ...]
    widths: tuple[str, ...]

    @property
    def shape_params(self) -> tuple[str, ...]:
        """Parameters other than ``center`` and ``area`` (widths and η)."""
        return tuple(p for p in self.params if p not in ("center", "area"))

    def fwhm(self, **shape_values: float) -> float:
        """FWHM of the profile from its shape parameters."""
        if self.name == "voigt":
            return voigt_fwhm(shape_values["fwhm_gauss"], shape_values["fwhm_lorentz"])
        return float(shape_values["fwhm"])

    def peak_height(self, area: float = 1.0, **shape_values: float) -> float:
        """Value at the center (the maximum) of a line of integral ``area``."""
        return float(self.function(0.0, 0.0, **shape_values, area=area))

    def start_values(self, fwhm: float) -> dict[str, float]:
        """Shape parameters giving a profile of FWHM ≈ ``fwhm`` (starting guesses)."""
        if self.name == "voigt":  # equal Gaussian and Lorentzian parts: total ≈ 1.6376 × each
            return {"fwhm_gauss": fwhm / 1.6376, "fwhm_lorentz": fwhm / 1.6376}
        if self.name == "pseudo_voigt":
            return {"fwhm": fwhm, "eta": 0.5}
        return {"fwhm": fwhm}


#: Lineshapes by name.
SHAPES: dict[str, LineShape] = {
    "gaussian": LineShape("gaussian", gaussian, ("center", "fwhm", "area"), ("fwhm",)),
    "lorentzian": LineShape("lorentzian", lorentzian, ("center", "fwhm", "area"), ("fwhm",)),
    "voigt": LineShape("voigt", voigt, ("center", "fwhm_gauss", "fwhm_lorentz", "area"),
                       ("fwhm_gauss", "fwhm_lorentz")),
    "pseudo_voigt": LineShape("pseudo_voigt", pseudo_voigt, ("center", "fwhm", "eta", "area"),
                              ("fwhm",)),
}


def _baseline_constant(x: NDArray[np.float64], c0: float) -> NDArray[np.float64]:
    return np.full(np.shape(x), c0, dtype=float)


def _baseline_linear(x: NDArray[np.float64], c0: float, c1: float, x_ref: float) -> NDArray[np.float64]:
    return c0 + c1 * (np.asarray(x, dtype=float) - x_ref)


#: Baselines fitted together with the peaks (``bl_c0 + bl_c1 (x − bl_x_ref)``, x_ref the middle
#: of the region, fixed).
BASELINES: dict[str, Callable[..., NDArray[np.float64]]] = {
    "constant": _baseline_constant,
    "linear": _baseline_linear,
}


def _lineshape(shape: str) -> LineShape:
    if shape not in SHAPES:
        raise ParameterError(f"unknown peak shape {shape!r}; choose from {', '.join(SHAPES)}")
    return SHAPES[shape]


# --- ties and the composite model -----------------------------------------------------------


@dataclass(frozen=True)
class PeakTies:
    """Constraints between peaks (indices are positions in the peak list, from 0).

    Attributes
    ----------
    equal_widths
        All peaks share the widths of peak 0 (both parts for Voigt lines; η stays free).
    fixed_separations
        ``{(i, j): delta}``: center_j = center_i + delta (axis units), held exactly through an
        lmfit expression. A peak can be tied to one other peak; chains are allowed, loops not.
    fix_centers
        ``True`` holds every center not tied by a separation at its starting value; a sequence
        of indices holds those.
    """

    equal_widths: bool = False
    fixed_separations: Mapping[tuple[int, int], float] = field(default_factory=dict)
    fix_centers: bool | Sequence[int] = False

    @classmethod
    def coerce(cls, ties: PeakTies | Mapping[str, Any] | None) -> PeakTies:
        """A :class:`PeakTies` from ``None``, an instance or a mapping of its field names."""
        if ties is None:
            return cls()
        if isinstance(ties, PeakTies):
            return ties
        if not isinstance(ties, Mapping):
            raise ParameterError(f"ties must be a PeakTies or a mapping, got {type(ties).__name__}")
        unknown = sorted(set(ties) - {"equal_widths", "fixed_separations", "fix_centers"})
        if unknown:
            raise ParameterError(f"unknown tie(s) {unknown}; use equal_widths, fixed_separations, "
                                 "fix_centers")
        return cls(**ties)

    def separation_of(self, n_peaks: int) -> dict[int, tuple[int, float]]:
        """``{j: (i, delta)}`` after checking indices, single ties and loops."""
        out: dict[int, tuple[int, float]] = {}
        for key, delta in dict(self.fixed_separations).items():
            try:
                i, j = (int(k) for k in key)
            except (TypeError, ValueError):
                raise ParameterError(f"fixed separation key {key!r} must be a pair of peak indices "
                                     "(i, j)") from None
            if not (0 <= i < n_peaks and 0 <= j < n_peaks) or i == j:
                raise ParameterError(f"fixed separation ({i}, {j}): indices must be two different "
                                     f"peaks among 0..{n_peaks - 1}")
            if not np.isfinite(delta):
                raise ParameterError(f"fixed separation ({i}, {j}) must be finite, got {delta}")
            if j in out:
                raise ParameterError(f"peak {j} is tied by two fixed separations; tie it once")
            out[j] = (i, float(delta))
        for start in out:
            seen, node = {start}, start
            while node in out:
                node = out[node][0]
                if node in seen:
                    raise ParameterError(f"fixed separations form a loop through peak {start}")
                seen.add(node)
        return out

    def fixed_center_indices(self, n_peaks: int) -> set[int]:
        """Indices whose centers are held fixed."""
        tied = set(self.separation_of(n_peaks))
        if self.fix_centers is True:
            return set(range(n_peaks)) - tied
        if self.fix_centers is False:
            return set()
        if isinstance(self.fix_centers, str | bytes) or not isinstance(self.fix_centers, Sequence):
            raise ParameterError("fix_centers must be True/False or a sequence of peak indices")
        chosen = set()
        for k in self.fix_centers:
            if not (isinstance(k, int | np.integer) and 0 <= k < n_peaks):
                raise ParameterError(f"fix_centers: {k!r} is not a peak index among 0..{n_peaks - 1}")
            if k in tied:
                raise ParameterError(f"peak {k} is both fixed and tied by a fixed separation")
            chosen.add(int(k))
        return chosen

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (separations as ``[i, j, delta]`` triples)."""
        fix = self.fix_centers if isinstance(self.fix_centers, bool) else sorted(self.fix_centers)
        return {"equal_widths": self.equal_widths,
                "fixed_separations": [[int(i), int(j), float(d)]
                                      for (i, j), d in dict(self.fixed_separations).items()],
                "fix_centers": fix}


class PeakModel:
    """Sum of ``n_peaks`` lines of one shape plus an optional baseline, as an lmfit composite
    model; parameters ``p{i}_center``, ``p{i}_<width>``, ``p{i}_area`` … and ``bl_c0``,
    ``bl_c1``, ``bl_x_ref`` (fixed).

    Parameters
    ----------
    n_peaks
        Number of lines (≥ 1).
    shape
        Key of :data:`SHAPES`.
    baseline
        ``"linear"``, ``"constant"`` or ``None``.
    ties
        :class:`PeakTies` (or a mapping of its fields).
    """

    def __init__(self, n_peaks: int, shape: str = "voigt", baseline: str | None = "linear",
                 ties: PeakTies | Mapping[str, Any] | None = None) -> None:
        if isinstance(n_peaks, bool) or not isinstance(n_peaks, int | np.integer) or n_peaks < 1:
            raise ParameterError(f"the number of peaks must be an integer ≥ 1, got {n_peaks!r}")
        if baseline is not None and baseline not in BASELINES:
            raise ParameterError(f"unknown baseline {baseline!r}; choose from "
                                 f"{', '.join(BASELINES)} or None")
        self.n_peaks = int(n_peaks)
        self.shape = _lineshape(shape)
        self.baseline = baseline
        self.ties = PeakTies.coerce(ties)
        self.separations = self.ties.separation_of(self.n_peaks)
        self.fixed_centers = self.ties.fixed_center_indices(self.n_peaks)
        model: lmfit.Model = lmfit.Model(self.shape.function, prefix="p0_")
        for i in range(1, self.n_peaks):
            model = model + lmfit.Model(self.shape.function, prefix=f"p{i}_")
        if baseline is not None:
            model = model + lmfit.Model(BASELINES[baseline], prefix="bl_")
        self.model = model

    def peak_param(self, i: int, name: str) -> str:
        """lmfit name of parameter ``name`` of peak ``i``."""
        return f"p{i}_{name}"

    def make_params(self, starts: Sequence[Mapping[str, float]],
                    center_bounds: tuple[float, float] = (-np.inf, np.inf),
                    width_bounds: tuple[float, float] = (0.0, np.inf),
                    baseline_start: tuple[float, float] = (0.0, 0.0),
                    x_ref: float = 0.0) -> lmfit.Parameters:
        """Parameters with bounds and ties from one starting mapping per peak (keys: the shape's
        parameter names; missing shape parameters come from ``fwhm`` via
        :meth:`LineShape.start_values`). Tied centers start at center_i + delta."""
        if len(starts) != self.n_peaks:
            raise ParameterError(f"{len(starts)} starting guesses for {self.n_peaks} peaks")
        params = lmfit.Parameters()
        lo_c, hi_c = center_bounds
        lo_w, hi_w = width_bounds
        centers = [float(s["center"]) for s in starts]
        for j in self._tie_order():
            i, delta = self.separations[j]
            centers[j] = centers[i] + delta
        for i, start in enumerate(starts):
            values = dict(start)
            if any(p not in values for p in self.shape.shape_params):
                values = {**self.shape.start_values(float(values.get("fwhm", 1.0))), **values}
            p = self.peak_param
            if i in self.separations:
                src, delta = self.separations[i]
                params.add(p(i, "center"), expr=f"{p(src, 'center')} + ({delta!r})")
            else:
                params.add(p(i, "center"), value=centers[i], min=lo_c, max=hi_c,
                           vary=i not in self.fixed_centers)
            for w in self.shape.widths:
                if self.ties.equal_widths and i > 0:
                    params.add(p(i, w), expr=p(0, w))
                else:
                    params.add(p(i, w), value=float(np.clip(values[w], lo_w, hi_w)), min=lo_w, max=hi_w)
            if "eta" in self.shape.params:
                params.add(p(i, "eta"), value=float(np.clip(values["eta"], 0.0, 1.0)), min=0.0, max=1.0)
            params.add(p(i, "area"), value=max(float(values["area"]), 0.0), min=0.0)
        if self.baseline is not None:
            params.add("bl_c0", value=float(baseline_start[0]))
        if self.baseline == "linear":
            params.add("bl_c1", value=float(baseline_start[1]))
            params.add("bl_x_ref", value=float(x_ref), vary=False)
        return params

    def _tie_order(self) -> list[int]:
        """Tied peaks ordered so that every source comes before the peaks tied to it."""
        order: list[int] = []

        def visit(j: int) -> None:
            if j in order:
                return
            src = self.separations[j][0]
            if src in self.separations:
                visit(src)
            order.append(j)

        for j in self.separations:
            visit(j)
        return order

    def n_varys(self) -> int:
        """Number of parameters the fit varies."""
        starts = [{"center": 0.0, "fwhm": 1.0, "area": 1.0}] * self.n_peaks
        return sum(1 for par in self.make_params(starts).values() if par.vary and par.expr is None)

    def evaluate(self, x: ArrayLike, values: Mapping[str, float]) -> NDArray[np.float64]:
        """Total model (peaks + baseline) at ``x`` for parameter ``values``."""
        x = np.asarray(x, dtype=float)
        return np.sum(self.components(x, values), axis=0) + self.baseline_curve(x, values)

    def components(self, x: ArrayLike, values: Mapping[str, float]) -> list[NDArray[np.float64]]:
        """One curve per peak (no baseline)."""
        x = np.asarray(x, dtype=float)
        return [self.shape.function(x, **{n: values[self.peak_param(i, n)] for n in self.shape.params})
                for i in range(self.n_peaks)]

    def baseline_curve(self, x: ArrayLike, values: Mapping[str, float]) -> NDArray[np.float64]:
        """The baseline at ``x`` (zeros without one)."""
        x = np.asarray(x, dtype=float)
        if self.baseline == "linear":
            return _baseline_linear(x, values["bl_c0"], values["bl_c1"], values["bl_x_ref"])
        if self.baseline == "constant":
            return _baseline_constant(x, values["bl_c0"])
        return np.zeros(x.shape)

    def fit(self, x: ArrayLike, y: ArrayLike, params: lmfit.Parameters,
            weights: ArrayLike | None = None, scale_covar: bool = False) -> lmfit.minimizer.MinimizerResult:
        """Weighted least squares on ``params`` (from :meth:`make_params`): trust-region reflective
        (bounds honoured exactly, no variable transform to distort the covariance) with LSMR
        steps (no dense SVD per iteration), tolerances 10⁻¹⁰ so that noiseless data are fitted to
        ~10⁻⁸ even for weak lines.

        The residual evaluates the same sum as :attr:`model` (``self.model.eval(params, x=x)``)
        with plain numpy, which is several times faster than going through ``Model.fit``; the
        result is lmfit's ``MinimizerResult`` (``params``, ``covar``, ``uvars``, ``chisqr`` …)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        w = None if weights is None else np.asarray(weights, dtype=float)

        def residual(p: lmfit.Parameters) -> NDArray[np.float64]:
            r = self.evaluate(x, p.valuesdict()) - y
            return r if w is None else r * w

        return lmfit.minimize(residual, params, method="least_squares", scale_covar=scale_covar,
                              x_scale="jac", tr_solver="lsmr", ftol=1e-10, xtol=1e-10, gtol=1e-10)



# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeakEstimate:
    """One fitted line. Errors are standard errors (``None`` when missing: see ``notes``); a
    center held fixed has error 0.

    Attributes
    ----------
    shape_params
        The shape's own parameters (``fwhm_gauss``/``fwhm_lorentz`` for Voigt, ``eta`` for
        pseudo-Voigt, ``fwhm`` otherwise) as ``{name: (value, stderr)}``.
    height
        Value of the line at its center (axis-independent maximum).
    fraction
        area / Σ areas of all peaks in the fit.
    tied
        ``{parameter: lmfit expression}`` for parameters set by a tie.
    """

    index: int
    center: float
    center_err: float | None
    fwhm: float
    fwhm_err: float | None
    area: float
    area_err: float | None
    fraction: float
    fraction_err: float | None
    height: float
    height_err: float | None
    shape_params: dict[str, tuple[float, float | None]]
    fixed: tuple[str, ...] = ()
    tied: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary: ``center``, ``fwhm``, ``area``, ``fraction``, ``height`` with
        their ``*_err``, then the shape parameters with theirs."""
        d: dict[str, Any] = {
            "index": self.index,
            "center": self.center, "center_err": self.center_err,
            "fwhm": self.fwhm, "fwhm_err": self.fwhm_err,
            "area": self.area, "area_err": self.area_err,
            "fraction": self.fraction, "fraction_err": self.fraction_err,
            "height": self.height, "height_err": self.height_err,
        }
        for name, (value, err) in self.shape_params.items():
            if name != "fwhm":
                d[name], d[f"{name}_err"] = value, err
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
class PeakFitResult:
    """A peak deconvolution. ``to_dict()`` is JSON-ready; ``model_curve``/``component_curves``
    evaluate the fit on any axis for plots.

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
    aic, bic
        χ² + 2k and χ² + k ln n with σ known; n ln(χ²/n) + … when σ came from the residuals.
    """

    shape: str
    region: tuple[float, float]
    unit: str
    peaks: tuple[PeakEstimate, ...]
    baseline: BaselineEstimate | None
    chisqr: float
    redchi: float
    aic: float
    bic: float
    n_points: int
    n_varys: int
    sigma: float | None
    sigma_source: str
    success: bool
    message: str
    x: NDArray[np.float64]
    data: NDArray[np.float64]
    values: dict[str, float]
    ties: PeakTies
    var_names: tuple[str, ...] = ()
    covar: NDArray[np.float64] | None = None
    nucleus: str | None = None
    source: str | None = None
    notes: tuple[str, ...] = ()

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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (no arrays)."""
        return {
            "shape": self.shape,
            "region": list(self.region),
            "unit": self.unit,
            "n_peaks": len(self.peaks),
            "peaks": [p.to_dict() for p in self.peaks],
            "redchi": self.redchi,
            "chisqr": self.chisqr,
            "aic": self.aic,
            "bic": self.bic,
            "n_points": self.n_points,
            "n_varys": self.n_varys,
            "baseline": None if self.baseline is None else self.baseline.to_dict(),
            "sigma": self.sigma,
            "sigma_source": self.sigma_source,
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
                 f"χ²ᵣ = {self.redchi:.3g}, AIC = {self.aic:.2f}, BIC = {self.bic:.2f}"]
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


# --- fitting --------------------------------------------------------------------------------


def fit_peaks(
    spec: Spectrum,
    region: tuple[float, float],
    n_peaks: int | None = None,
    shape: str = "voigt",
    centers: Sequence[float] | None = None,
    ties: PeakTies | Mapping[str, Any] | None = None,
    baseline: str | None = "linear",
    sigma: float | ArrayLike | None = None,
) -> PeakFitResult:
    """Deconvolve a region of a 1D spectrum into lines of one shape.

    Parameters
    ----------
    spec
        One spectrum (1D values; the real part of complex values is fitted), axis in either
        orientation.
    region
        (a, b) limits in axis units, either order.
    n_peaks
        Number of lines; with ``centers`` it must equal their number; without either, every
        peak rising 5σ above its surroundings is fitted.
    shape
        Key of :data:`SHAPES`: ``gaussian``, ``lorentzian``, ``voigt``, ``pseudo_voigt``.
    centers
        Starting centers (inside the region), in the order of the result's peaks. Without them
        the tallest ``n_peaks`` local maxima are used, and shoulders that are not maxima are found
        one at a time at the largest residual of a fit with the peaks found so far.
    ties
        :class:`PeakTies` (or a mapping of its fields): ``equal_widths``,
        ``fixed_separations={(i, j): delta}``, ``fix_centers``.
    baseline
        ``"linear"`` (default), ``"constant"`` or ``None``, fitted together with the lines.
    sigma
        Noise σ: a number, or one per point of the spectrum (or of the region); by default
        measured with :func:`cald.nmr.processing.noise_std`.

    Returns
    -------
    PeakFitResult
        Peaks in the order of ``centers`` or, when picked, along the stored axis.
    """
    from cald.nmr.processing import noise_std  # here: processing imports a lot

    lineshape = _lineshape(shape)
    if baseline is not None and baseline not in BASELINES:
        raise ParameterError(f"unknown baseline {baseline!r}; choose from {', '.join(BASELINES)} or None")
    ties = PeakTies.coerce(ties)
    values = np.asarray(spec.values)
    if values.ndim != 1:
        raise ParameterError(f"peak fits work on one spectrum at a time; these values have shape "
                             f"{values.shape} (fit one row: spec.evolve(spec.values[i], ...))")
    try:
        a, b = (float(v) for v in region)
    except (TypeError, ValueError):
        raise ParameterError(f"region must be two numbers (a, b), got {region!r}") from None
    if not (np.isfinite(a) and np.isfinite(b)) or a == b:
        raise ParameterError(f"region {a:g}:{b:g} must be two different finite numbers")
    lo, hi = min(a, b), max(a, b)
    axis = np.asarray(spec.axis, dtype=float)
    ax_lo, ax_hi = float(np.min(axis)), float(np.max(axis))
    mask = spec.region_mask(lo, hi)
    if hi < ax_lo or lo > ax_hi or not mask.any():
        raise ParameterError(f"region {a:g}:{b:g} lies outside the axis ({ax_lo:g} to {ax_hi:g} "
                             f"{spec.unit})")
    notes: list[str] = []
    if lo < ax_lo or hi > ax_hi:
        notes.append(f"region {lo:g}:{hi:g} extends past the axis ({ax_lo:g} to {ax_hi:g}); "
                     "fitted where there are data")
    c_lo, c_hi = max(lo, ax_lo), min(hi, ax_hi)
    x = axis[mask]
    y = np.real(values[mask]).astype(float)
    if np.iscomplexobj(values):
        notes.append("complex values: the real part was fitted")
    if not np.all(np.isfinite(y)):
        raise DataFileError(f"the region {lo:g}:{hi:g} holds non-finite values", source=spec.source)

    if n_peaks is not None and (isinstance(n_peaks, bool) or not isinstance(n_peaks, int | np.integer)
                                or n_peaks < 1):
        raise ParameterError(f"n_peaks must be an integer ≥ 1, got {n_peaks!r}")
    if centers is not None:
        centers = [float(c) for c in centers]
        if not centers:
            raise ParameterError("centers is empty; give at least one")
        outside = [c for c in centers if not (c_lo <= c <= c_hi)]
        if outside:
            raise ParameterError(f"center(s) {', '.join(f'{c:g}' for c in outside)} outside the "
                                 f"fitted region {c_lo:g}:{c_hi:g} {spec.unit}")
        if n_peaks is not None and n_peaks != len(centers):
            raise ParameterError(f"n_peaks = {n_peaks} but {len(centers)} centers given")

    # Noise σ → weights.
    sigma_pts: NDArray[np.float64] | None
    if sigma is None:
        try:
            s = float(noise_std(spec))
        except (ParameterError, ValueError, np.linalg.LinAlgError):
            s = float("nan")
        scale = float(np.max(np.abs(y))) if y.size else 0.0
        if np.isfinite(s) and s > 1e-10 * scale:  # below: rounding noise of noiseless data
            sigma_pts, sigma_source = np.full(x.size, s), "measured on the spectrum (noise_std)"
        else:
            sigma_pts, sigma_source = None, "estimated from the residuals"
            notes.append("the noise σ could not be measured on the spectrum: σ estimated from the "
                         "residuals (covariance scaled by χ²ᵣ)")
    else:
        sig = np.asarray(sigma, dtype=float)
        if sig.ndim == 0:
            sigma_pts, sigma_source = np.full(x.size, float(sig)), "given"
        elif sig.shape == (spec.n_points,):
            sigma_pts, sigma_source = sig[mask], "given per point"
        elif sig.shape == (x.size,):
            sigma_pts, sigma_source = sig.copy(), "given per point"
        else:
            raise ParameterError(f"sigma must be a number or one value per point of the spectrum "
                                 f"({spec.n_points}) or of the region ({x.size}); got shape {sig.shape}")
        if not np.all(np.isfinite(sigma_pts) & (sigma_pts > 0)):
            raise ParameterError("sigma must be positive and finite")

    step = float(np.median(np.abs(np.diff(x)))) if x.size > 1 else 0.0
    width_region = c_hi - c_lo
    width_bounds = (1e-6 * width_region, width_region)
    x_ref = 0.5 * (c_lo + c_hi)
    base0 = _baseline_start(x, y, baseline, x_ref)
    y_net = y - (base0[0] + base0[1] * (x - x_ref))
    sigma_scalar = None if sigma_pts is None else float(np.median(sigma_pts))

    def check_points(n: int) -> PeakModel:
        model = PeakModel(n, shape, baseline, ties)
        k = model.n_varys()
        if x.size < k + 2:
            raise ParameterError(f"region {lo:g}:{hi:g} holds {x.size} points; {n} {shape} peak(s) "
                                 f"with this baseline and these ties need at least {k + 2} "
                                 f"({k} parameters + 2)")
        return model

    if n_peaks is not None or centers is not None:
        n = len(centers) if centers is not None else int(n_peaks)  # type: ignore[arg-type]
        model = check_points(n)
    if centers is not None:
        starts = _starts_at(x, y_net, centers, step, width_bounds, lineshape)
    else:
        if n_peaks is None:
            check_points(1)
        starts = _picked_starts(x, y, y_net, n_peaks, step, width_bounds, lineshape, baseline, base0,
                                x_ref, (c_lo, c_hi), sigma_pts, sigma_scalar)
        n = len(starts)
        model = check_points(n)
        if n_peaks is None:
            notes.append(f"{n} peak(s) found above 5σ in the region")

    params = model.make_params(starts, (c_lo, c_hi), width_bounds, base0, x_ref)
    for j in model.separations:
        c = params[model.peak_param(j, "center")].value
        if not c_lo <= c <= c_hi:
            i, delta = model.separations[j]
            raise ParameterError(f"fixed separation ({i}, {j}) = {delta:g} puts peak {j} at {c:g}, "
                                 f"outside the region {c_lo:g}:{c_hi:g}")
    weights = None if sigma_pts is None else 1.0 / sigma_pts
    with np.errstate(invalid="ignore"):
        out = model.fit(x, y, params, weights, scale_covar=sigma_pts is None)
    return _build_result(out, model, x, y, (lo, hi), spec, sigma_pts, sigma_source, notes)


def _baseline_start(x: NDArray[np.float64], y: NDArray[np.float64], baseline: str | None,
                    x_ref: float) -> tuple[float, float]:
    """Baseline through the medians of both ends of the region (constant: their lower one)."""
    if baseline is None or x.size < 2:
        return 0.0, 0.0
    k = max(2, x.size // 20)
    x1, y1 = float(np.median(x[:k])), float(np.median(y[:k]))
    x2, y2 = float(np.median(x[-k:])), float(np.median(y[-k:]))
    if baseline == "constant" or x1 == x2:
        return min(y1, y2), 0.0
    slope = (y2 - y1) / (x2 - x1)
    return y1 + slope * (x_ref - x1), slope


def _start(lineshape: LineShape, center: float, fwhm: float, height: float) -> dict[str, float]:
    shape_values = lineshape.start_values(fwhm)
    area = max(height, 0.0) / lineshape.peak_height(1.0, **shape_values)
    return {"center": center, **shape_values, "area": area, "fwhm": fwhm}


def _widths(y_net: NDArray[np.float64], idx: NDArray[np.intp], step: float,
            bounds: tuple[float, float]) -> NDArray[np.float64]:
    widths = peak_widths(y_net, idx, rel_height=0.5)[0] * step
    return np.clip(widths, max(2.0 * step, bounds[0]), 0.5 * bounds[1])


def _starts_at(x: NDArray[np.float64], y_net: NDArray[np.float64], centers: Sequence[float],
               step: float, bounds: tuple[float, float], lineshape: LineShape) -> list[dict[str, float]]:
    """Starts at the user's centers: height of the data there, width of the tallest feature
    (at most the smallest spacing between the centers)."""
    idx = np.array([int(np.argmin(np.abs(x - c))) for c in centers])
    top = np.array([int(np.argmax(y_net))])
    with np.errstate(all="ignore"):
        fwhm = float(_widths(y_net, top, step, bounds)[0])
    if len(centers) > 1:
        spacing = float(np.min(np.diff(np.sort(centers))))
        if spacing > 0:
            fwhm = min(fwhm, max(spacing, 2.0 * step))
    return [_start(lineshape, c, fwhm, float(y_net[i])) for c, i in zip(centers, idx, strict=True)]


def _smooth(y: NDArray[np.float64], sigma_points: float) -> tuple[NDArray[np.float64], float]:
    """Gaussian smoothing (σ in points, edges reflected) and the factor it scales white noise by."""
    sigma_points = max(float(sigma_points), 0.5)
    half = int(np.ceil(4.0 * sigma_points))
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma_points) ** 2)
    kernel /= kernel.sum()
    if y.size <= half:
        return y.copy(), 1.0
    padded = np.pad(y, half, mode="reflect")
    return np.convolve(padded, kernel, mode="valid"), float(np.sqrt(np.sum(kernel**2)))


def _picked_starts(x: NDArray[np.float64], y: NDArray[np.float64], y_net: NDArray[np.float64],
                   n_peaks: int | None, step: float, bounds: tuple[float, float], lineshape: LineShape,
                   baseline: str | None, base0: tuple[float, float], x_ref: float,
                   center_bounds: tuple[float, float], sigma_pts: NDArray[np.float64] | None,
                   sigma_scalar: float | None) -> list[dict[str, float]]:
    """Local maxima of the data smoothed on a sixth of the tallest line's width (so that noise
    spikes are not taken for peaks), tallest first; then shoulders, one at a time, at the largest
    smoothed residual of a fit with the peaks found so far."""
    spread = float(np.ptp(y_net)) if y_net.size else 0.0
    noise = sigma_scalar if sigma_scalar is not None else 0.02 * spread
    light, _ = _smooth(y_net, 1.0)
    top = int(np.argmax(light))
    with np.errstate(all="ignore"):
        top_width = float(peak_widths(light, [top], rel_height=0.5)[0][0])
    smooth, factor = _smooth(y_net, max(top_width, 2.0) / 6.0)
    noise_s = noise * factor
    idx, props = find_peaks(smooth, prominence=4.0 * noise_s)
    if n_peaks is None:
        idx = idx[props["prominences"] >= 5.0 * noise_s]
        if idx.size == 0:
            raise ParameterError("no peak rises 5σ above its surroundings in the region; give "
                                 "n_peaks or centers")
        n_peaks = int(idx.size)
    idx = idx[np.argsort(smooth[idx])[::-1][:n_peaks]]
    if idx.size == 0:
        idx = np.array([top])
    with np.errstate(all="ignore"):
        widths = _widths(smooth, idx, step, bounds)
    starts = [_start(lineshape, float(x[i]), float(w), float(smooth[i]))
              for i, w in zip(idx, widths, strict=True)]
    weights = None if sigma_pts is None else 1.0 / sigma_pts
    while len(starts) < n_peaks:
        model = PeakModel(len(starts), lineshape.name, baseline)
        params = model.make_params(starts, center_bounds, bounds, base0, x_ref)
        with np.errstate(invalid="ignore"):
            out = model.fit(x, y, params, weights, scale_covar=sigma_pts is None)
        starts = [{n: out.params[model.peak_param(i, n)].value for n in lineshape.params}
                  for i in range(len(starts))]
        resid = y - model.evaluate(x, out.params.valuesdict())
        fwhm = float(np.median([lineshape.fwhm(**{k: s[k] for k in lineshape.shape_params})
                                for s in starts]))
        smooth_resid, _ = _smooth(resid, fwhm / step / 6.0 if step > 0 else 1.0)
        j = int(np.argmax(smooth_resid))
        height = max(float(smooth_resid[j]), 0.1 * max(float(np.max(y_net)), 0.0))
        starts.append(_start(lineshape, float(x[j]), fwhm, height))
    order = np.argsort([int(np.argmin(np.abs(x - s["center"]))) for s in starts], kind="stable")
    return [starts[k] for k in order]


def _at_bound(par: lmfit.Parameter, scale: float) -> bool:
    """A varied parameter within 10⁻⁶ of a bound (relative to its range, or to ``scale`` when
    the range is open)."""
    if not par.vary or par.expr is not None:
        return False
    span = par.max - par.min
    tol = 1e-6 * (span if np.isfinite(span) else max(scale, 1e-300))
    return any(np.isfinite(bound) and abs(par.value - bound) <= tol for bound in (par.min, par.max))


def _build_result(out: lmfit.minimizer.MinimizerResult, model: PeakModel, x: NDArray[np.float64],
                  y: NDArray[np.float64], region: tuple[float, float], spec: Spectrum,
                  sigma_pts: NDArray[np.float64] | None, sigma_source: str,
                  notes: list[str]) -> PeakFitResult:
    params = out.params
    shape = model.shape
    uv: dict[str, Any] | None = getattr(out, "uvars", None) if out.errorbars else None
    if uv is None:
        notes.append("covariance matrix unavailable (the data do not constrain every parameter, or "
                     "the fit did not converge): no uncertainties")
    n, k = int(x.size), int(out.nvarys)
    area_names = [model.peak_param(i, "area") for i in range(model.n_peaks)]
    total = sum(float(params[nm].value) for nm in area_names)
    area_scale = total if total > 0 else 1.0

    def estimate(name: str, notes_out: list[str]) -> tuple[float, float | None]:
        par = params[name]
        value = float(par.value)
        if not par.vary and par.expr is None:
            return value, 0.0
        if _at_bound(par, area_scale):
            notes_out.append(f"{name.split('_', 1)[1]} at a bound of its range "
                             f"[{par.min:g}, {par.max:g}]: its covariance error does not apply")
            return value, None
        if uv is None or par.stderr is None or not np.isfinite(par.stderr):
            return value, None
        if par.stderr == 0.0:
            notes_out.append(f"{name.split('_', 1)[1]}: the covariance gives a zero error "
                             "(degenerate Jacobian); no error reported")
            return value, None
        return value, float(par.stderr)

    def derived(func: Callable[..., float], names: Sequence[str]) -> tuple[float, float | None]:
        value = float(func(*(float(params[nm].value) for nm in names)))
        if uv is None:
            return value, None
        err = uncertainties.wrap(func)(*(uv[nm] for nm in names)).std_dev
        return value, float(err) if np.isfinite(err) else None

    if uv is not None:
        total_u = sum(uv[nm] for nm in area_names)
    peaks = []
    for i in range(model.n_peaks):
        p = model.peak_param
        pnotes: list[str] = []
        center, center_err = estimate(p(i, "center"), pnotes)
        area, area_err = estimate(p(i, "area"), pnotes)
        shape_params = {name: estimate(p(i, name), pnotes) for name in shape.shape_params}
        names = [p(i, nm) for nm in shape.shape_params]
        if shape.name == "voigt":
            fwhm, fwhm_err = derived(voigt_fwhm, names)
        else:
            fwhm, fwhm_err = shape_params["fwhm"]

        def height_of(a: float, *sv: float) -> float:
            return shape.peak_height(a, **dict(zip(shape.shape_params, sv, strict=True)))

        height, height_err = derived(height_of, [p(i, "area"), *names])
        if total > 0:
            fraction = area / total
            fraction_err = None
            if uv is not None:
                fraction_err = float((uv[p(i, "area")] / total_u).std_dev)
        else:
            fraction, fraction_err = float("nan"), None
            pnotes.append("all areas are 0: no fraction")
        if shape.name == "voigt" and fwhm_err is None and uv is not None:
            pnotes.append("FWHM error unavailable")
        fixed = tuple(nm for nm in ("center", *shape.shape_params, "area")
                      if not params[p(i, nm)].vary and params[p(i, nm)].expr is None)
        tied = {nm: params[p(i, nm)].expr for nm in ("center", *shape.shape_params)
                if params[p(i, nm)].expr is not None}
        if "center" in tied and not region[0] <= center <= region[1]:
            pnotes.append("tied center lies outside the region")
        peaks.append(PeakEstimate(i, center, center_err, fwhm, fwhm_err, area, area_err, fraction,
                                  fraction_err, height, height_err, shape_params, fixed, tied,
                                  tuple(pnotes)))

    base = None
    if model.baseline is not None:
        bnotes: list[str] = []
        c0, c0_err = estimate("bl_c0", bnotes)
        c1 = c1_err = x_ref = None
        if model.baseline == "linear":
            c1, c1_err = estimate("bl_c1", bnotes)
            x_ref = float(params["bl_x_ref"].value)
        base = BaselineEstimate(model.baseline, c0, c0_err, c1, c1_err, x_ref)

    chisqr = float(out.chisqr)
    redchi = chisqr / (n - k) if n > k else float("nan")
    sigma_known = sigma_pts is not None
    core = chisqr if sigma_known else n * np.log(max(chisqr, 1e-300) / n)
    aic, bic = float(core + 2 * k), float(core + k * np.log(n))
    if sigma_known and redchi > 2.0:
        notes.append(f"χ²ᵣ = {redchi:.3g} ≫ 1: σ looks underestimated (apodization correlates the "
                     "noise) or the model misses something; the errors are too small")
    if not out.success:
        notes.append(f"the optimiser did not report success: {out.message}")
    sigma_value = None if sigma_pts is None else float(np.mean(sigma_pts))
    return PeakFitResult(
        shape=shape.name, region=region, unit=spec.unit, peaks=tuple(peaks), baseline=base,
        chisqr=chisqr, redchi=float(redchi), aic=aic, bic=bic, n_points=n, n_varys=k,
        sigma=sigma_value, sigma_source=sigma_source, success=bool(out.success),
        message=str(out.message), x=x.copy(), data=y.copy(),
        values={name: float(par.value) for name, par in params.items()}, ties=model.ties,
        var_names=tuple(out.var_names),
        covar=None if uv is None or out.covar is None else np.array(out.covar, dtype=float),
        nucleus=spec.nucleus, source=spec.source, notes=tuple(notes))
