"""Peak deconvolution: Gaussian, Lorentzian, Voigt and pseudo-Voigt lines with bounds and ties.

The family in three layers, as everywhere in cald:

* the line profiles, plain numpy functions (:mod:`cald.lineshape.profiles`: :func:`gaussian`,
  :func:`lorentzian`, :func:`voigt`, :func:`pseudo_voigt`, :data:`SHAPES`);
* the composite model with bounds and ties (:mod:`cald.lineshape.peak_model`:
  :class:`PeakModel`, :class:`PeakTies`, :data:`BASELINES`);
* the fit driver here, :func:`fit_peaks`, which fits a region of a
  :class:`~cald.spectrum.Spectrum` and returns a :class:`~cald.lineshape.peak_result.PeakFitResult`.

Uncertainties follow the rule of :mod:`cald.fitting`: the points are weighted by 1/σ, with σ given
or measured on the spectrum (:func:`cald.fitting.measure_noise`); the covariance is *not* rescaled
(check that ``redchi`` ≈ 1: apodization correlates neighbouring points and makes the errors look
too small). Only when σ cannot be measured is it estimated from the residuals (covariance scaled by
χ²/(n − k), ``residual_std`` reported instead of χ²ᵣ). Derived quantities (fractions
area_i / Σ areas, heights, the Voigt FWHM, tied parameters) carry uncertainties propagated with
the full covariance matrix, not independent errors; none when an input sits at a bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import lmfit
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.signal import find_peaks, peak_widths

from cald.errors import DataFileError, ParameterError
from cald.fitting import (
    Estimate,
    FitStatistics,
    Noise,
    derived_bound_note,
    derived_estimate,
    estimates_from_params,
    fractions,
    measure_noise,
    parameter_covariance,
    point_sigma,
)
from cald.fitting.parameters import NO_COVARIANCE
from cald.lineshape.peak_model import BASELINES, PeakModel, PeakTies
from cald.lineshape.peak_result import BaselineEstimate, PeakEstimate, PeakFitResult
from cald.lineshape.profiles import (
    LineShape,
    line_shape,
    voigt_fwhm,
)
from cald.spectrum import Spectrum

__all__ = ["fit_peaks"]


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
        measured with :func:`cald.fitting.measure_noise`.

    Returns
    -------
    PeakFitResult
        Peaks in the order of ``centers`` or, when picked, along the stored axis.

    Examples
    --------
    Two Gaussian lines (areas 7 and 3) at 184 and 180.5 ppm:

    >>> import numpy as np
    >>> from cald.lineshape.peaks import fit_peaks
    >>> from cald.lineshape.profiles import gaussian
    >>> from cald.spectrum import Spectrum
    >>> ppm = np.linspace(200.0, 160.0, 801)
    >>> y = gaussian(ppm, 184.0, 2.0, 7.0) + gaussian(ppm, 180.5, 3.0, 3.0)
    >>> result = fit_peaks(Spectrum(y, ppm, "ppm", nucleus="13C"), (195.0, 170.0),
    ...                    centers=[184.0, 178.0], shape="gaussian", baseline=None)
    >>> [(round(p.center, 2), round(p.fraction, 3)) for p in result.peaks]
    [(184.0, 0.7), (180.5, 0.3)]
    """
    lineshape = line_shape(shape)
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

    # Noise σ → weights (the uncertainty rule of cald.fitting).
    if sigma is None:
        noise = measure_noise(spec, x.size, float(np.max(np.abs(y))) if y.size else 0.0)
        if noise.note is not None:
            notes.append(noise.note)
    else:
        noise = point_sigma(sigma, spec.n_points, mask)
    sigma_pts = noise.sigma

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
    with np.errstate(invalid="ignore"):
        out = model.fit(x, y, params, noise.weights, scale_covar=not noise.known)
    return _build_result(out, model, x, y, (lo, hi), spec, noise, notes)


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


def _build_result(out: lmfit.minimizer.MinimizerResult, model: PeakModel, x: NDArray[np.float64],
                  y: NDArray[np.float64], region: tuple[float, float], spec: Spectrum, noise: Noise,
                  notes: list[str]) -> PeakFitResult:
    params = out.params
    uv: dict[str, Any] | None = getattr(out, "uvars", None) if out.errorbars else None
    if uv is None:
        notes.append("covariance matrix unavailable (the data do not constrain every parameter, or "
                     "the fit did not converge): no uncertainties")
    area_names = [model.peak_param(i, "area") for i in range(model.n_peaks)]
    total = sum(float(params[nm].value) for nm in area_names)
    axis_names = ("center", *model.shape.widths)

    def unit_of(name: str) -> str:
        return spec.unit if name.split("_", 1)[-1] in axis_names else ""

    estimates = estimates_from_params(params, unit_of, scale=total if total > 0 else 1.0)
    areas = [estimates[nm] for nm in area_names]
    frac_values, frac_errs = fractions([a.value for a in areas], parameter_covariance(uv, area_names))
    bounded = [nm for nm, a in zip(area_names, areas, strict=True) if a.at_bound]
    frac_note = derived_bound_note(bounded) if bounded else None
    peaks = []
    for i in range(model.n_peaks):
        fraction = Estimate(float(frac_values[i]), None if frac_errs is None or bounded
                            else float(frac_errs[i]), note=frac_note, name="fraction")
        peaks.append(_peak(i, model, params, estimates, uv, fraction, total, region, spec.unit,
                           NO_COVARIANCE if uv is None else None))

    base = None
    if model.baseline is not None:
        c0 = estimates["bl_c0"]
        c1 = estimates.get("bl_c1")
        base = BaselineEstimate(model.baseline, c0.value, c0.stderr,
                                None if c1 is None else c1.value, None if c1 is None else c1.stderr,
                                None if c1 is None else float(params["bl_x_ref"].value))

    stats = FitStatistics.from_chisqr(float(out.chisqr), int(x.size), int(out.nvarys), noise.known)
    if stats.redchi is not None and stats.redchi > 2.0:
        notes.append(f"χ²ᵣ = {stats.redchi:.3g} ≫ 1: σ looks underestimated (apodization correlates "
                     "the noise) or the model misses something; the errors are too small")
    if not out.success:
        notes.append(f"the optimiser did not report success: {out.message}")
    return PeakFitResult(
        shape=model.shape.name, region=region, unit=spec.unit, peaks=tuple(peaks), baseline=base,
        sigma=noise.typical, sigma_source=noise.source, x=x.copy(), data=y.copy(),
        values={name: float(par.value) for name, par in params.items()}, ties=model.ties,
        var_names=tuple(out.var_names),
        covar=None if uv is None or out.covar is None else np.array(out.covar, dtype=float),
        nucleus=spec.nucleus, source=spec.source, statistics=stats, params=estimates,
        success=bool(out.success), message=str(out.message), notes=tuple(notes))


def _peak(i: int, model: PeakModel, params: lmfit.Parameters, estimates: Mapping[str, Estimate],
          uv: dict[str, Any] | None,
          fraction: Estimate, total: float, region: tuple[float, float], unit: str,
          skip_note: str | None) -> PeakEstimate:
    """One line's estimates: its own parameters, then the FWHM of the profile and the height
    derived from them with their covariance."""
    shape, p = model.shape, model.peak_param
    own = ("center", *shape.shape_params, "area")
    est = {n: replace(estimates[p(i, n)], name=n) for n in own}
    shape_est = [est[n] for n in shape.shape_params]
    shape_names = [p(i, n) for n in shape.shape_params]
    if shape.name == "voigt":
        est["fwhm"] = derived_estimate(voigt_fwhm, shape_est, parameter_covariance(uv, shape_names),
                                       unit, "fwhm")

    def height_of(a: float, *sv: float) -> float:
        return shape.peak_height(a, **dict(zip(shape.shape_params, sv, strict=True)))

    est["height"] = derived_estimate(height_of, [est["area"], *shape_est],
                                     parameter_covariance(uv, [p(i, "area"), *shape_names]),
                                     "", "height")
    est["fraction"] = fraction
    notes = [f"{n}: {e.note}" for n, e in est.items()
             if e.note is not None and e.note != skip_note and n != "fraction"]
    if not total > 0:
        notes.append("all areas are 0: no fraction")
    elif fraction.note is not None:
        notes.append(f"fraction: {fraction.note}")
    fixed = tuple(n for n in own if est[n].fixed)
    tied = {n: params[p(i, n)].expr for n in own[:-1] if params[p(i, n)].expr is not None}
    if "center" in tied and not region[0] <= est["center"].value <= region[1]:
        notes.append("tied center lies outside the region")
    return PeakEstimate(i, unit, est, tuple(shape.shape_params), fixed, tied, tuple(notes))
