"""The fit of one XPS region on the fitting core, the charge correction and atomic ratios.

:func:`fit_xps_region` fits components (:class:`~cald.surface.components.ComponentSpec`: CasaXPS
line shapes, bounds, CasaXPS-style ties, doublets) on a background in a binding-energy window
and returns an :class:`XpsFitResult` (components with errors, Table S1 rows, statistics).

Backgrounds (:mod:`cald.surface.backgrounds`): ``"shirley"`` (default) is the Shirley **fitted
together with the peaks**: level + k·∫(fitted peaks) from the low-BE end, level and k free — at
the optimum the Shirley of the fitted lines. ``"shirley_iterative"``, ``"tougaard"`` (CasaXPS's
U 2/U 3 fields B, C, D, T₀), ``"tougaard_u2"`` (B, C of Tougaard's universal form) and
``"linear"`` are computed once from the data, as CasaXPS does, and the lines fitted on top.

Uncertainties (the rule of :mod:`cald.fitting`): raw counts are Poisson, σ = √max(counts, 1), a
**measured** σ: the covariance is not rescaled and χ²ᵣ is reported. Counts per second with the
acquisition time t (dwell × scans) become counts (cps·t) for σ, σ_cps = √(cps·t)/t, also
measured. CPS without t: σ is estimated from the residuals (covariance scaled, residual s.d.
reported, and a note says so). A static background's own noise is not propagated.

:func:`charge_shift_ev` (284.8 eV − the fitted C 1s C–C position) and :func:`apply_charge_shift`
carry the C 1s reference to a sample's other regions; :func:`atomic_ratio` divides RSF-corrected
areas (:data:`SCOFIELD_AL_KA`, or a file's RSF).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import lmfit
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.errors import ParameterError
from cald.fitting import (
    Estimate,
    FitResult,
    FitStatistics,
    Noise,
    curve_spectra,
    derived_bound_note,
    derived_estimate,
    estimates_from_params,
    fractions,
)
from cald.fitting.estimate import NO_COVARIANCE
from cald.spectrum import Spectrum
from cald.surface import backgrounds as bgs
from cald.surface.components import BACKGROUNDS, ComponentSpec
from cald.surface.lineshapes import LineShape, parse_casa_lineshape

__all__ = [
    "C1S_REFERENCE_EV",
    "SCOFIELD_AL_KA",
    "XpsComponent",
    "XpsFitResult",
    "apply_charge_shift",
    "atomic_ratio",
    "charge_shift_ev",
    "fit_xps_region",
    "sensitivity_factor",
]

#: Adventitious carbon C–C/C–H reference, eV.
C1S_REFERENCE_EV = 284.8

#: Scofield photoionisation cross-sections for Al Kα relative to C 1s = 1 (J. H. Scofield,
#: J. Electron Spectrosc. Relat. Phenom. 8 (1976) 129), as CasaXPS's Scofield library carries
#: them. Fe 2p = 16.42 is the RSF CasaXPS wrote into the FeO file; the others are the commonly
#: tabulated values, **not checked against the paper here**. Cd 3d and Se 3d are absent on
#: purpose (no value could be checked): give the file's RSF or ``rsf=``. No Mg Kα table.
SCOFIELD_AL_KA: dict[str, float] = {
    "C 1s": 1.0, "O 1s": 2.93, "Al 2p": 0.537, "Al 2s": 0.753, "Fe 2p": 16.42,
}



def sensitivity_factor(line: str, rsf: float | None = None) -> float:
    """The RSF of ``line`` (``"Al 2s"``): ``rsf`` when given (the file's), else
    :data:`SCOFIELD_AL_KA`.

    Raises
    ------
    ParameterError
        ``rsf`` not positive, or no value for the line (the table's lines listed).
    """
    if rsf is not None:
        if not (np.isfinite(rsf) and rsf > 0):
            raise ParameterError(f"RSF of {line} must be positive, got {rsf!r}")
        return float(rsf)
    if line not in SCOFIELD_AL_KA:
        raise ParameterError(f"no RSF for {line!r} in cald's Al Kα table ({', '.join(SCOFIELD_AL_KA)}); "
                             "give the file's RSF or rsf=")
    return SCOFIELD_AL_KA[line]


_SIGMA_POISSON = "counting statistics (σ = √counts)"
_SIGMA_CPS = "counting statistics (σ = √(cps·t)/t)"


@dataclass(frozen=True)
class XpsComponent:
    """One fitted line.

    Attributes
    ----------
    name, lineshape, assignment
        From its :class:`ComponentSpec`.
    be_ev, fwhm_ev, area
        Fitted (or tied) parameters with errors; area in intensity·eV (the data's unit × eV).
    area_fraction
        area / Σ areas of the region, error from the full covariance.
    approximate
        True when the line shape is cald's reconstruction of a CasaXPS shape (LF, LA/DS with m).
    """

    name: str
    lineshape: str
    assignment: str
    be_ev: Estimate
    fwhm_ev: Estimate
    area: Estimate
    area_fraction: Estimate
    approximate: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``name``, ``lineshape``, ``assignment``, ``be_ev``, ``fwhm_ev``, ``area``,
        ``area_pct`` (values) with ``*_err`` (``None`` when missing) and the estimates' notes."""
        out: dict[str, Any] = {"name": self.name, "lineshape": self.lineshape,
                               "assignment": self.assignment}
        for key, est, scale in (("be_ev", self.be_ev, 1.0), ("fwhm_ev", self.fwhm_ev, 1.0),
                                ("area", self.area, 1.0), ("area_pct", self.area_fraction, 100.0)):
            out[key] = est.value * scale
            out[f"{key}_err"] = None if est.stderr is None else est.stderr * scale
        out["approximate_lineshape"] = self.approximate
        out["notes"] = [f"{k}: {e.note}" for k, e in (("be_ev", self.be_ev), ("fwhm_ev", self.fwhm_ev),
                                                      ("area", self.area)) if e.note]
        return out


@dataclass(frozen=True)
class XpsFitResult(FitResult):
    """A fitted XPS region.

    Attributes
    ----------
    region_ev
        (low, high) binding-energy window fitted.
    components
        The lines in the order given.
    background
        Background name (one of :data:`~cald.surface.components.BACKGROUNDS`).
    x, data, fit, background_curve
        Axis (BE, eV, as given), data, model and background on the fitted points.
    area_covariance
        Covariance of the component areas (``None`` without one).
    intensity_unit
        ``"counts"`` or ``"cps"``.
    sigma_source
        Where σ came from.
    charge_shift_ev
        Shift added to every BE (0 until :func:`apply_charge_shift`).
    source
        File or label.
    """

    region_ev: tuple[float, float]
    components: tuple[XpsComponent, ...]
    background: str
    x: NDArray[np.float64]
    data: NDArray[np.float64]
    fit: NDArray[np.float64]
    background_curve: NDArray[np.float64]
    area_covariance: NDArray[np.float64] | None
    intensity_unit: str
    sigma_source: str
    charge_shift_ev: float = 0.0
    source: str = ""

    def component(self, name: str) -> XpsComponent:
        """The component ``name``; ParameterError listing the names when absent."""
        for c in self.components:
            if c.name == name:
                return c
        raise ParameterError(f"no component {name!r} in this fit; components: "
                             f"{', '.join(c.name for c in self.components)}")

    def total_area(self, names: Sequence[str] | None = None) -> Estimate:
        """Σ area of ``names`` (default all), error from the full covariance."""
        idx = list(range(len(self.components))) if names is None else [
            self.components.index(self.component(n)) for n in names]
        cov = None if self.area_covariance is None else self.area_covariance[np.ix_(idx, idx)]
        return derived_estimate(lambda *a: float(np.sum(a)), [self.components[i].area for i in idx],
                                cov, name="area")

    def table_s1(self) -> list[dict[str, Any]]:
        """Rows of Table S1: ``component``, ``assignment``, ``be_ev``, ``fwhm_ev``, ``area``,
        ``area_pct``, each with ``*_err`` (``None`` when missing)."""
        rows = []
        for c in self.components:
            d = c.to_dict()
            rows.append({"component": c.name, "assignment": c.assignment,
                         **{k: d[k] for k in ("be_ev", "be_ev_err", "fwhm_ev", "fwhm_ev_err", "area",
                                              "area_err", "area_pct", "area_pct_err")}})
        return rows

    def curves(self) -> dict[str, Spectrum]:
        """Data, fit, background, residual and each component (on the background)."""
        lines = {c.name: parse_casa_lineshape(c.lineshape)(self.x, c.be_ev.value - self.charge_shift_ev,
                                                           c.fwhm_ev.value, c.area.value)
                 + self.background_curve for c in self.components}
        return curve_spectra(self.x + self.charge_shift_ev, "ev",
                             {"data": self.data, "fit": self.fit, "background": self.background_curve,
                              "residual": self.data - self.fit, **lines}, source=self.source)

    def to_dict(self) -> dict[str, Any]:
        """:meth:`FitResult.to_dict` plus ``components``, ``region_ev``, ``background``,
        ``charge_shift_ev``, ``intensity_unit``, ``sigma_source``."""
        return {**super().to_dict(), "components": [c.to_dict() for c in self.components],
                "region_ev": list(self.region_ev), "background": self.background,
                "charge_shift_ev": self.charge_shift_ev, "intensity_unit": self.intensity_unit,
                "sigma_source": self.sigma_source}

    def report(self) -> str:
        """One line per component, then the fit quality and notes."""
        head = [f"XPS {self.region_ev[0]:g}–{self.region_ev[1]:g} eV, {self.background} background"
                + (f", charge shift {self.charge_shift_ev:+.2f} eV" if self.charge_shift_ev else "")]
        for c in self.components:
            head.append(f"  {c.name}: BE {c.be_ev.format(5)}, FWHM {c.fwhm_ev.format(3)}, "
                        f"area {c.area.format(4)}, {100 * c.area_fraction.value:.1f} %")
        return "\n".join(head) + "\n" + super().report()


def _validated(energy_ev: ArrayLike, intensity: ArrayLike, intensity_unit: str
               ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x = np.asarray(energy_ev, dtype=float)
    y = np.asarray(intensity, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or x.size < 3:
        raise ParameterError(f"energy and intensity must be 1D arrays of one length ≥ 3, got shapes "
                             f"{x.shape} and {y.shape}")
    if not np.all(np.isfinite(x)):
        raise ParameterError("the binding-energy axis holds NaN or infinite values")
    step = np.diff(x)
    if not (np.all(step > 0) or np.all(step < 0)):
        raise ParameterError("the binding-energy axis is not monotonic")
    if not np.all(np.isfinite(y)):
        raise ParameterError("the intensities hold NaN or infinite values")
    if np.any(y < 0):
        raise ParameterError(f"negative {intensity_unit} (min {float(y.min()):g}): XPS intensities "
                             "are counts")
    return x, y


def _noise(y: NDArray[np.float64], intensity_unit: str, acquisition_s: float | None) -> Noise:
    if intensity_unit == "counts":
        return Noise(np.sqrt(np.maximum(y, 1.0)), _SIGMA_POISSON)
    if intensity_unit != "cps":
        raise ParameterError(f"intensity_unit must be 'counts' or 'cps', got {intensity_unit!r}")
    if acquisition_s is None:
        return Noise(None, "estimated from the residuals",
                     "counts per second without the acquisition time: σ estimated from the "
                     "residuals (covariance scaled by χ²/(n − k))")
    if not (np.isfinite(acquisition_s) and acquisition_s > 0):
        raise ParameterError(f"acquisition_s must be positive, got {acquisition_s!r}")
    return Noise(np.sqrt(np.maximum(y * acquisition_s, 1.0)) / acquisition_s, _SIGMA_CPS)


def _static_background(name: str, x: NDArray[np.float64], y: NDArray[np.float64],
                       params: Sequence[float], n_average: int) -> NDArray[np.float64]:
    if name == "shirley_iterative":
        return bgs.shirley(x, y, n_average)
    if name == "linear":
        return bgs.linear_background(x, y, n_average)
    if name == "tougaard":
        if len(params) not in (4, 5):
            raise ParameterError("the tougaard background takes (B, C, D, T0) as CasaXPS stores them "
                                 "(U 2: B −450 0 0), or (B, C, D, T0, C′) for the Hesse–Denecke "
                                 f"form, got {tuple(params)!r}")
        b, c, d, t0 = (float(v) for v in params[:4])
        return bgs.tougaard(x, y, b, c, d, t0, float(params[4]) if len(params) == 5 else -1.0,
                            n_average)
    if name == "tougaard_u2":
        b, c = params if len(params) == 2 else (2866.0, 1643.0)
        return bgs.tougaard_u2(x, y, b, c, n_average)
    return np.zeros_like(x)


def _link_order(specs: Sequence[ComponentSpec]) -> None:
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ParameterError(f"component names must be unique, got {names}")
    for kind in ("be_link", "fwhm_link", "area_link"):
        target = {s.name: getattr(s, kind)[0] for s in specs if getattr(s, kind) is not None}
        for start, first in target.items():
            if first not in names:
                raise ParameterError(f"component {start!r}: {kind} names {first!r}, not a "
                                     f"component of the region ({', '.join(names)})")
            seen, cur = {start}, first
            while cur in target:
                if cur in seen:
                    raise ParameterError(f"{kind}s form a circle through {start!r}")
                seen.add(cur)
                cur = target[cur]


def _params(specs: Sequence[ComponentSpec], x: NDArray[np.float64], net: NDArray[np.float64],
            lo: float, hi: float) -> lmfit.Parameters:
    index = {s.name: i for i, s in enumerate(specs)}
    params = lmfit.Parameters()
    for i, s in enumerate(specs):
        b_lo, b_hi = s.be_range_ev
        height = max(float(np.interp(s.be_ev, x, net)) if x[0] < x[-1] else
                     float(np.interp(s.be_ev, x[::-1], net[::-1])), 1e-3 * float(np.max(net)), 1e-9)
        area0 = s.area if s.area is not None else height * s.fwhm_ev * 1.2
        for name, value, (p_lo, p_hi), link, op in (
                ("be_ev", s.be_ev, (max(b_lo, lo), min(b_hi, hi)), s.be_link, "+"),
                ("fwhm_ev", s.fwhm_ev, s.fwhm_bounds_ev, s.fwhm_link, "*"),
                ("area", area0, s.area_bounds, s.area_link, "*")):
            pname = f"p{i}_{name}"
            if link is not None:
                ref = f"p{index[link[0]]}_{name}"
                params.add(pname, expr=f"{ref} + ({link[1]!r})" if op == "+" else f"({link[1]!r}) * {ref}")
                continue
            if not p_lo < p_hi:
                raise ParameterError(f"component {s.name!r}: its position range {s.be_range_ev} "
                                     f"lies outside the fitted region {lo:g}:{hi:g} eV")
            params.add(pname, value=float(np.clip(value, p_lo, p_hi)), min=p_lo, max=p_hi)
    return params


def fit_xps_region(energy_ev: ArrayLike, intensity: ArrayLike, components: Sequence[ComponentSpec],
                   region_ev: tuple[float, float] | None = None, background: str = "shirley",
                   background_params: Sequence[float] = (), n_average: int = 3,
                   intensity_unit: str = "counts", acquisition_s: float | None = None,
                   source: str = "") -> XpsFitResult:
    """Fit one XPS region.

    Parameters
    ----------
    energy_ev, intensity
        Binding energy (eV, monotonic, either orientation) and counts (or cps).
    components
        The lines (:class:`ComponentSpec`; presets: :func:`cald.surface.components.region_preset`).
    region_ev
        (a, b) binding-energy window, either order; default the whole axis.
    background
        One of :data:`~cald.surface.components.BACKGROUNDS` (default ``"shirley"``, fitted with the
        peaks).
    background_params
        ``tougaard``: (B, C, D, T₀) in CasaXPS's form, or (B, C, D, T₀, C′) for the
        Hesse–Denecke form; ``tougaard_u2``: (B, C), default (2866, 1643) eV².
    n_average
        Points averaged for each end level of the background.
    intensity_unit, acquisition_s
        ``"counts"`` (σ = √counts) or ``"cps"`` with the acquisition time (s) that makes it counts.
    source
        Label carried into the result.

    Raises
    ------
    ParameterError
        Bad arrays (NaN, negative counts, non-monotonic axis), a region outside the data or with
        too few points, unknown background or line shape, bad links.
    """
    x_all, y_all = _validated(energy_ev, intensity, intensity_unit)
    if background not in BACKGROUNDS:
        raise ParameterError(f"unknown background {background!r}; choose from {', '.join(BACKGROUNDS)}")
    specs = [s.checked() for s in components]
    if not specs:
        raise ParameterError("no components to fit")
    _link_order(specs)
    shapes: list[LineShape] = [parse_casa_lineshape(s.lineshape) for s in specs]
    d_lo, d_hi = float(x_all.min()), float(x_all.max())
    lo, hi = (d_lo, d_hi) if region_ev is None else (min(region_ev), max(region_ev))
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo == hi:
        raise ParameterError(f"region {region_ev!r} must be two different finite energies")
    mask = (x_all >= lo) & (x_all <= hi)
    if hi < d_lo or lo > d_hi or np.count_nonzero(mask) < 3:
        raise ParameterError(f"region {lo:g}:{hi:g} eV lies outside the data ({d_lo:g} to {d_hi:g} "
                             "eV binding energy)")
    notes: list[str] = []
    if lo < d_lo or hi > d_hi:
        notes.append(f"region {lo:g}:{hi:g} eV extends past the data ({d_lo:g} to {d_hi:g} eV); "
                     "fitted where there are data")
        lo, hi = max(lo, d_lo), min(hi, d_hi)
    x, y = x_all[mask], y_all[mask]
    noise = _noise(y, intensity_unit, acquisition_s)
    if noise.note:
        notes.append(noise.note)

    active = background == "shirley"
    static = np.zeros_like(x) if active else _static_background(background, x, y,
                                                                  background_params, n_average)
    low_level, high_level = bgs.end_levels(x, y, n_average)
    net = y - (bgs.linear_background(x, y, n_average) if active else static)
    params = _params(specs, x, net, lo, hi)
    if active:
        total0 = sum(float(params[f"p{i}_area"].value) for i in range(len(specs)))
        params.add("bg_level", value=low_level)
        params.add("bg_k", value=max((high_level - low_level) / max(total0, 1e-12), 0.0), min=0.0)
    n_var = sum(1 for p in params.values() if p.vary and p.expr is None)
    if x.size < n_var + 2:
        raise ParameterError(f"region {lo:g}:{hi:g} eV holds {x.size} points; the model has {n_var} "
                             f"free parameters and needs at least {n_var + 2}")

    def peaks_of(values: dict[str, float]) -> list[NDArray[np.float64]]:
        return [shape(x, values[f"p{i}_be_ev"], values[f"p{i}_fwhm_ev"], values[f"p{i}_area"])
                for i, shape in enumerate(shapes)]

    def model(values: dict[str, float]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        total = np.sum(peaks_of(values), axis=0)
        bg = (values["bg_level"] + values["bg_k"] * bgs.shirley_integral(x, total)) if active else static
        return total + bg, bg

    weights = noise.weights

    def residual(p: lmfit.Parameters) -> NDArray[np.float64]:
        r = model(p.valuesdict())[0] - y
        return r if weights is None else r * weights

    with np.errstate(invalid="ignore", over="ignore"):
        try:
            out = lmfit.minimize(residual, params, method="least_squares",
                                 scale_covar=not noise.known, x_scale="jac", ftol=1e-10,
                                 xtol=1e-10, gtol=1e-10)
        except ValueError as exc:  # the model overflowed (e.g. a width bound of 1e308)
            raise ParameterError(f"region {lo:g}:{hi:g} eV: the fit reached non-finite values "
                                 f"({exc}); check the components' bounds") from None
    return _result(out, specs, shapes, x, y, (lo, hi), background, noise, intensity_unit, model,
                   notes, source)


def _area_covariance(out: Any, specs: Sequence[ComponentSpec]) -> NDArray[np.float64] | None:
    """Covariance of the component areas, J·C·Jᵀ from the optimiser's covariance C of the varied
    parameters: a free area is its own row of J, a tied one its factor times its target's row.
    Computed this way rather than from ``uvars`` (whose summation order follows object hashes
    and changes the last bits from run to run, which a tied doublet's area fraction — an exact
    cancellation — magnifies): the same data give the same numbers."""
    covar = getattr(out, "covar", None)
    if covar is None:
        return None
    index = {n: k for k, n in enumerate(out.var_names)}
    names = {s.name: i for i, s in enumerate(specs)}
    rows: dict[int, NDArray[np.float64]] = {}

    def row(i: int) -> NDArray[np.float64]:
        if i not in rows:
            link = specs[i].area_link
            if link is not None:
                rows[i] = float(link[1]) * row(names[link[0]])
            else:
                r = np.zeros(len(index))
                if f"p{i}_area" in index:
                    r[index[f"p{i}_area"]] = 1.0
                rows[i] = r
        return rows[i]

    jac = np.array([row(i) for i in range(len(specs))])
    return jac @ np.asarray(covar, dtype=float) @ jac.T


def _result(out: Any, specs: Sequence[ComponentSpec], shapes: Sequence[LineShape],
            x: NDArray[np.float64], y: NDArray[np.float64], region: tuple[float, float],
            background: str, noise: Noise, intensity_unit: str, model: Any, notes: list[str],
            source: str) -> XpsFitResult:
    params = out.params
    uv = getattr(out, "uvars", None) if out.errorbars else None
    if uv is None:
        notes.append("covariance unavailable (the data do not constrain every parameter): no "
                     "uncertainties")
    area_names = [f"p{i}_area" for i in range(len(specs))]
    total = sum(float(params[n].value) for n in area_names)
    estimates = estimates_from_params(
        params, lambda n: "eV" if n.endswith("_ev") else "", scale=total if total > 0 else 1.0)
    area_cov = None if uv is None else _area_covariance(out, specs)
    frac, frac_err = fractions([estimates[n].value for n in area_names], area_cov)
    bounded = [n for n in area_names if estimates[n].limited_by_bound]
    comps = []
    for i, s in enumerate(specs):
        err = None if frac_err is None or bounded else float(frac_err[i])
        note = derived_bound_note(bounded) if bounded else (None if err is not None else NO_COVARIANCE)
        comps.append(XpsComponent(
            s.name, shapes[i].text, s.assignment,
            replace(estimates[f"p{i}_be_ev"], name="be_ev"),
            replace(estimates[f"p{i}_fwhm_ev"], name="fwhm_ev"),
            replace(estimates[f"p{i}_area"], name="area"),
            Estimate(float(frac[i]), err, note=note, name="area_fraction",
                     bound="input" if bounded else None),
            shapes[i].approximate))
    if any(c.approximate for c in comps):
        notes.append("approximate line shape(s) (cald's reconstruction of CasaXPS's LA/LF/DS with "
                     "a Gaussian width m): compare parameters with CasaXPS with care")
    fit, bg = model(params.valuesdict())
    stats = FitStatistics.from_chisqr(float(out.chisqr), int(x.size), int(out.nvarys), noise.known)
    if stats.redchi is not None and stats.redchi > 2.0:
        notes.append(f"χ²ᵣ = {stats.redchi:.3g} ≫ 1: the model misses something (or the counts are "
                     "not raw counts); the errors are too small")
    if not out.success:
        notes.append(f"the optimiser did not report success: {out.message}")
    return XpsFitResult(
        statistics=stats, params=estimates, success=bool(out.success), message=str(out.message),
        notes=tuple(notes), region_ev=region, components=tuple(comps), background=background,
        x=x.copy(), data=y.copy(), fit=np.asarray(fit), background_curve=np.asarray(bg),
        area_covariance=area_cov, intensity_unit=intensity_unit, sigma_source=noise.source,
        source=source)


def charge_shift_ev(c1s: XpsFitResult, component: str = "C 1s C–C",
                    reference_ev: float = C1S_REFERENCE_EV) -> Estimate:
    """``reference_ev`` − the fitted BE of ``component`` (the C 1s C–C line): the shift to add to
    every BE of the sample; its error is that of the position."""
    if c1s.charge_shift_ev:
        raise ParameterError("this C 1s fit is already charge-corrected")
    be = c1s.component(component).be_ev
    return derived_estimate(lambda v: reference_ev - v, [be], None if be.stderr is None
                            else np.array([[be.stderr**2]]), "eV", "charge_shift_ev")


def apply_charge_shift(result: XpsFitResult, shift: Estimate | float) -> XpsFitResult:
    """``result`` with every BE moved by ``shift`` (eV); the BE errors combine the fit's and the
    shift's in quadrature (separate fits, independent)."""
    est = shift if isinstance(shift, Estimate) else Estimate(float(shift), None, "eV", fixed=True)
    if result.charge_shift_ev:
        raise ParameterError("this fit is already charge-corrected")

    def moved(be: Estimate) -> Estimate:
        err = None
        if be.stderr is not None and (est.stderr is not None or est.fixed):
            err = float(np.hypot(be.stderr, est.stderr or 0.0))
        note = be.note or (None if err is not None or be.fixed else "charge shift without error")
        return replace(be, value=be.value + est.value, stderr=err, note=note)

    comps = tuple(replace(c, be_ev=moved(c.be_ev)) for c in result.components)
    return replace(result, components=comps, charge_shift_ev=float(est.value),
                   notes=(*result.notes, f"binding energies charge-corrected by {est.value:+.3f} eV "
                          "(C 1s C–C at 284.8 eV)"))


def atomic_ratio(area_a: Estimate, rsf_a: float, area_b: Estimate, rsf_b: float) -> Estimate:
    """(A_a/RSF_a) / (A_b/RSF_b), the errors of two separate fits combined in quadrature.

    Raises
    ------
    ParameterError
        An RSF that is not positive, or a zero denominator area.
    """
    for label, rsf in (("rsf_a", rsf_a), ("rsf_b", rsf_b)):
        if not (np.isfinite(rsf) and rsf > 0):
            raise ParameterError(f"{label} must be positive, got {rsf!r}")
    if not area_b.value > 0:
        raise ParameterError("the reference area is zero: no atomic ratio")
    cov = None
    if area_a.stderr is not None and area_b.stderr is not None:
        cov = np.diag([area_a.stderr**2, area_b.stderr**2])
    return derived_estimate(lambda a, b: (a / rsf_a) / (b / rsf_b), [area_a, area_b], cov, "",
                            "atomic_ratio")
