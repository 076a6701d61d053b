"""DOSY: Stejskal–Tanner attenuation, mono- and bi-exponential fits of D, and the hydrodynamic
diameter from Stokes–Einstein.

Attenuation (Stejskal & Tanner; shaped and bipolar gradients after Sinnaeve, Concepts Magn.
Reson. A 40, 39 (2012)): I = I0 exp(−D b), b = (γ σ G δ)² Δ' with G the peak gradient (T/m), δ
the physical length of the encoding (s; 2 × P30 for bipolar pairs), σ = ∫₀¹ s(ε) dε the shape
factor of the gradient's shape s, and the diffusion time corrected for shape and sequence

- monopolar: Δ' = Δ + 2 (κ − λ) δ (rectangular: Δ − δ/3; sine: Δ − δ/4),
- bipolar pairs (two lobes of δ/2 around a 180° pulse, τ between them):
  Δ' = Δ − δ (1 + 2λ − 2κ)/4 − τ/2 (rectangular: Δ − δ/3 − τ/2),

with λ = ∫₀¹ q dε, κ = ∫₀¹ q² dε and q(ε) = ∫₀^ε s / σ (λ = 1/2 for symmetric shapes). The shape
factor is applied here ONCE, to the physical δ read from the data set (P30). TopSpin's T1/T2
module instead fits exp(−D (2π γ G δ_eff)² (Δ − δ_eff/3) · 10⁴) with γ in Hz/G, G in G/cm and
the *effective* δ_eff = σ δ that its diffusion set-up stores: never give that δ_eff together
with a shape. A CSV therefore takes δ as the effective one (shape included, rectangular form
Δ − δ/3 − τ/2).

Uncertainties follow :mod:`cald.fitting`: the noise of each row's integral (measured on the
spectrum) or a CSV noise column is σ known (covariance not rescaled, χ²ᵣ reported); without
one, σ is estimated from the residuals. D of the mono-exponential fit also carries a 95 %
profile-likelihood interval (I0 profiled out exactly).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import lmfit
import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from cald.errors import DataFileError, FieldError
from cald.fitting import (
    SIGMA_ESTIMATED,
    Estimate,
    FitResult,
    FitStatistics,
    Noise,
    derived_estimate,
    estimates_from_params,
)
from cald.fitting.display import ResultDisplay
from cald.nuclei import get_isotope
from cald.qd.viscosity import Viscosity, solvent_name, viscosity

__all__ = ["BOLTZMANN_J_K", "MODELS", "GradientShape", "DosyTiming", "DosyDecay", "DosyFit",
           "DosyResult", "attenuation", "gradient_shape", "b_value_s_m2", "fit_decay", "fit_dosy",
           "hydrodynamic_diameter_nm"]

BOLTZMANN_J_K = 1.380649e-23
MODELS = ("mono", "bi")
_CHI2_95_1DOF = 3.841458820694124
_D_UNIT = 1e-10  # m²/s: D is fitted in these units


@dataclass(frozen=True)
class GradientShape:
    """A gradient shape's factors: σ (area / (peak × length)), λ and κ (module docstring)."""

    name: str
    sigma: float
    lam: float
    kappa: float


def _profile(kind: str, rise: float) -> Any:
    """The shape s(ε) on [0, 1] of a kind without closed-form factors."""
    if kind == "smsq":
        def smsq(e: NDArray[np.float64]) -> NDArray[np.float64]:
            edge = np.minimum(e, 1.0 - e) / rise
            return np.where(edge < 1.0, np.sin(0.5 * np.pi * np.clip(edge, 0, 1)) ** 2, 1.0)
        return smsq
    raise ValueError(kind)


@lru_cache(maxsize=32)
def _factors(kind: str, rise: float) -> tuple[float, float, float]:
    if kind == "rect":
        return 1.0, 0.5, 1.0 / 3.0
    if kind == "sine":
        return 2.0 / math.pi, 0.5, 3.0 / 8.0
    # the smoothed square: integrals of the analytic shape on a fine grid
    e = np.linspace(0.0, 1.0, 200_001)
    s = _profile(kind, rise)(e)
    de = e[1] - e[0]
    cum = np.concatenate([[0.0], np.cumsum((s[1:] + s[:-1]) / 2 * de)])
    sigma = float(cum[-1])
    q = cum / sigma
    return sigma, float(np.trapezoid(q, e)), float(np.trapezoid(q * q, e))


def gradient_shape(name: str) -> GradientShape:
    """Shape factors of a Bruker gradient shape: ``""``/``RECT`` (rectangular), ``SINE.N``
    (half sine), ``SMSQr.N`` (smoothed square, sin² ramps over r % of each end; SMSQ10.100 has
    σ = 0.900). Factors are integrals of the analytic shape (not of TopSpin's shape file).

    Raises
    ------
    FieldError
        An unknown shape name.
    """
    key = name.strip().upper()
    if key in ("", "RECT", "SQUARE", "RECTANGLE"):
        kind, rise = "rect", 0.0
    elif re.fullmatch(r"SINE(\.\d+)?", key):
        kind, rise = "sine", 0.0
    elif (m := re.fullmatch(r"SMSQ(\d+)(\.\d+)?", key)) and 0 < int(m.group(1)) <= 50:
        kind, rise = "smsq", int(m.group(1)) / 100.0
    else:
        raise FieldError("gradient_shape", f"unknown gradient shape {name!r} (known: rectangular, "
                                           "SINE.N, SMSQr.N)")
    return GradientShape(name.strip() or "rectangular", *_factors(kind, rise))


@dataclass(frozen=True)
class DosyTiming:
    """The diffusion encoding: Δ, physical δ, τ, bipolar or not, the gradient shape, nucleus."""

    big_delta_s: float
    little_delta_s: float
    tau_s: float = 0.0
    bipolar: bool = False
    shape: GradientShape = field(default_factory=lambda: gradient_shape(""))
    nucleus: str = "1H"
    sequence: str = ""

    @property
    def effective_little_delta_s(self) -> float:
        """σ δ: the δ of a rectangular pulse of the same area (TopSpin's stored δ)."""
        return self.shape.sigma * self.little_delta_s

    @property
    def diffusion_time_s(self) -> float:
        """Δ' corrected for shape and sequence (module docstring)."""
        d, s = self.little_delta_s, self.shape
        if self.bipolar:
            return self.big_delta_s - d * (1 + 2 * s.lam - 2 * s.kappa) / 4 - self.tau_s / 2
        return self.big_delta_s + 2 * (s.kappa - s.lam) * d

    def b_value_s_m2(self, gradient_t_m: NDArray[np.float64]) -> NDArray[np.float64]:
        """b (s/m²) at peak gradients ``gradient_t_m`` (T/m)."""
        return b_value_s_m2(gradient_t_m, self)

    def to_dict(self) -> dict[str, Any]:
        """The timing in ms, the shape and its factors."""
        return {"sequence": self.sequence, "bipolar": self.bipolar,
                "big_delta_ms": self.big_delta_s * 1e3, "little_delta_ms": self.little_delta_s * 1e3,
                "little_delta_effective_ms": self.effective_little_delta_s * 1e3,
                "tau_ms": self.tau_s * 1e3, "diffusion_time_ms": self.diffusion_time_s * 1e3,
                "gradient_shape": self.shape.name, "shape_factor_sigma": self.shape.sigma,
                "shape_factor_lambda": self.shape.lam, "shape_factor_kappa": self.shape.kappa,
                "nucleus": self.nucleus}


def b_value_s_m2(gradient_t_m: Any, timing: DosyTiming) -> NDArray[np.float64]:
    """Stejskal–Tanner b = (γ σ G δ)² Δ' (s/m²) for peak gradients in T/m."""
    gamma = get_isotope(timing.nucleus).gamma_rad_s_t
    g = np.asarray(gradient_t_m, dtype=float)
    return (gamma * timing.effective_little_delta_s * g) ** 2 * timing.diffusion_time_s


@dataclass(frozen=True)
class DosyDecay:
    """Intensities against gradient with the encoding: what a DOSY fit needs.

    ``noise`` is one σ per row (``noise_source`` says where it came from) or ``None``;
    ``solvent`` and ``temperature_k`` are the data set's (``""``/``None`` when unknown).
    """

    gradient_t_m: NDArray[np.float64]
    intensity: NDArray[np.float64]
    noise: NDArray[np.float64] | None
    timing: DosyTiming
    source: str
    noise_source: str = SIGMA_ESTIMATED
    region_ppm: tuple[float, float] | None = None
    solvent: str = ""
    temperature_k: float | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        g, y = self.gradient_t_m, self.intensity
        if g.ndim != 1 or g.shape != y.shape or (self.noise is not None and self.noise.shape != g.shape):
            raise DataFileError("gradients, intensities and noise differ in length", self.source)
        if g.size < 4:
            raise DataFileError(f"{g.size} rows: a DOSY fit needs at least 4 gradients", self.source)
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(y))):
            raise DataFileError("gradients and intensities must be finite", self.source)
        step = np.flatnonzero(np.diff(g) <= 0)
        if step.size or g[0] < 0:
            i = int(step[0]) + 1 if step.size else 0
            raise DataFileError(f"gradients must increase from ≥ 0 (row {i + 1}: {g[i]:g} T/m "
                                f"after {g[i - 1] if i else float('nan'):g})", self.source)
        if self.noise is not None and not np.all(np.isfinite(self.noise) & (self.noise > 0)):
            raise DataFileError("noise must be positive and finite", self.source)
        with np.errstate(over="ignore"):
            chi = np.sum(y**2) if self.noise is None else np.sum((y / self.noise) ** 2)
        if not np.isfinite(chi) or np.max(np.abs(y)) == 0:
            raise DataFileError("intensities all zero, or too large (relative to the noise) for "
                                "a least-squares fit", self.source)
        t = self.timing
        if not (t.big_delta_s > 0 and t.little_delta_s > 0 and t.tau_s >= 0):
            raise DataFileError("Δ and δ must be positive and τ ≥ 0", self.source)
        if t.little_delta_s + t.tau_s >= t.big_delta_s:
            raise DataFileError(f"δ = {t.little_delta_s * 1e3:g} ms (+ τ = {t.tau_s * 1e3:g} ms) "
                                f"is not shorter than Δ = {t.big_delta_s * 1e3:g} ms", self.source)

    @property
    def b_s_m2(self) -> NDArray[np.float64]:
        """b of every row (s/m²)."""
        return self.timing.b_value_s_m2(self.gradient_t_m)


@dataclass(frozen=True, kw_only=True)
class DosyFit(FitResult):
    """One model fitted to a decay: ``i0``, ``diffusion_m2_s`` (mono) or ``d_slow_m2_s``,
    ``d_fast_m2_s``, ``fraction_slow`` (bi); the fitted curve at the data's b."""

    model: str
    best_fit: NDArray[np.float64]

    def to_dict(self) -> dict[str, Any]:
        """The base dictionary with the model name."""
        return {"model": self.model, **super().to_dict()}

    def curve(self, b_s_m2: Any) -> NDArray[np.float64]:
        """The fitted decay at b-values ``b_s_m2`` (s/m²), from the estimates."""
        v = {k: e.value for k, e in self.params.items()}
        if self.model == "mono":
            return attenuation(b_s_m2, v["i0"], v["diffusion_m2_s"])
        f = v["fraction_slow"]
        return f * attenuation(b_s_m2, v["i0"], v["d_slow_m2_s"]) + (1 - f) * attenuation(
            b_s_m2, v["i0"], v["d_fast_m2_s"])


def attenuation(b_s_m2: Any, i0: float, diffusion_m2_s: float) -> NDArray[np.float64]:
    """Stejskal–Tanner I = I0 exp(−D b) at b-values ``b_s_m2`` (s/m²) (the exponent capped at
    700 so that an unphysical b < 0 gives a finite number)."""
    return i0 * np.exp(np.minimum(-diffusion_m2_s * np.asarray(b_s_m2, dtype=float), 700.0))


def _bi(x: NDArray[np.float64], i0: float, d_slow: float, ratio: float,
        fraction_slow: float) -> NDArray[np.float64]:
    return i0 * (fraction_slow * np.exp(-d_slow * x) + (1 - fraction_slow) * np.exp(-d_slow * ratio * x))


def _profile_chi2(x: NDArray[np.float64], y: NDArray[np.float64], w: NDArray[np.float64],
                  d: float) -> float:
    e = np.exp(-d * x)
    den = float(np.sum(w * w * e * e))
    i0 = float(np.sum(w * w * y * e)) / den if den > 0 else 0.0  # all e underflowed: I0 = 0
    return float(np.sum((w * (y - i0 * e)) ** 2))


def _profile_interval(x: NDArray[np.float64], y: NDArray[np.float64], w: NDArray[np.float64],
                      d_hat: float, threshold: float) -> tuple[float | None, float | None]:
    chi_min = _profile_chi2(x, y, w, d_hat)

    def excess(d: float) -> float:
        return _profile_chi2(x, y, w, d) - chi_min - threshold

    ends: list[float | None] = []
    for factor in (0.5, 2.0):
        inner, outer = d_hat, d_hat * factor
        for _ in range(60):
            if excess(outer) > 0:
                break
            inner, outer = outer, outer * factor
        else:
            ends.append(None)
            continue
        ends.append(float(brentq(excess, min(inner, outer), max(inner, outer), xtol=1e-12 * d_hat)))
    return ends[0], ends[1]


def fit_decay(decay: DosyDecay, model: str = "mono") -> DosyFit:
    """Fit ``mono`` (I0 e^(−D b)) or ``bi`` (I0 [f e^(−D_slow b) + (1 − f) e^(−D_fast b)],
    D_fast > D_slow) to a decay; estimates in m²/s (D) and the intensity's unit (I0)."""
    if model not in MODELS:
        raise FieldError("model", f"must be one of {', '.join(MODELS)}, got {model!r}")
    x = decay.b_s_m2 * _D_UNIT
    y = decay.intensity
    scale = float(np.max(np.abs(y))) or 1.0
    noise = Noise(None if decay.noise is None else decay.noise, decay.noise_source)
    w = (np.ones_like(y) if noise.weights is None else noise.weights) * scale  # data units
    yn = y / scale
    pos = yn > 0.05
    slope = np.polyfit(x[pos], np.log(yn[pos]), 1)[0] if pos.sum() >= 2 else -1.0 / max(x[-1], 1e-30)
    d0 = max(-slope, 1e-6 / max(x[-1], 1e-30))
    params = lmfit.Parameters()
    params.add("i0", value=float(yn[0]) or 1.0)
    func: Callable[..., NDArray[np.float64]]
    if model == "mono":
        params.add("d", value=d0, min=0.0)
        func = attenuation
    else:
        params.add("d", value=d0 / 2, min=0.0)
        params.add("ratio", value=10.0, min=1.0)
        params.add("fraction_slow", value=0.7, min=0.0, max=1.0)
        func = _bi
    names = list(params)

    def residual(p: lmfit.Parameters) -> NDArray[np.float64]:
        return w * (func(x, *(p[n].value for n in names)) - yn)

    out = lmfit.minimize(residual, params, scale_covar=not noise.known)
    stats = FitStatistics.from_chisqr(float(out.chisqr), y.size, int(out.nvarys), noise.known)
    units = {"i0": ("i0", "", scale), "d": ("diffusion_m2_s" if model == "mono" else "d_slow_m2_s",
                                            "m²/s", _D_UNIT),
             "ratio": ("d_fast_ratio", "", 1.0), "fraction_slow": ("fraction_slow", "", 1.0)}
    # a D below 1/b_max (× the bound tolerance) cannot be told from 0: the bound rule's scale
    raw = estimates_from_params(out.params, scale=1.0 / max(float(x[-1]), 1e-30))
    est: dict[str, Estimate] = {}
    for key, e in raw.items():
        label, unit, factor = units[key]
        est[label] = Estimate(e.value * factor, None if e.stderr is None else e.stderr * factor,
                              unit, e.fixed, {}, e.note, label, e.bound)
    notes: list[str] = [] if noise.known else [
        "no noise per row: σ estimated from the residuals (covariance scaled by χ²/(n − k))"]
    if model == "mono" and est["diffusion_m2_s"].bound is None:
        thr = _CHI2_95_1DOF * (1.0 if noise.known else stats.chisqr_per_dof)
        lo, hi = _profile_interval(x, yn, w, float(out.params["d"].value), thr)
        est["diffusion_m2_s"] = est["diffusion_m2_s"].with_interval(
            "ci95_profile", (None if lo is None else lo * _D_UNIT, None if hi is None else hi * _D_UNIT))
    if model == "bi":
        d = est["d_slow_m2_s"]
        covar = None
        if out.covar is not None and out.var_names[1:3] == ["d", "ratio"]:
            units_ = np.array([_D_UNIT, 1.0])
            covar = np.asarray(out.covar)[1:3, 1:3] * np.outer(units_, units_)
        est["d_fast_m2_s"] = derived_estimate(lambda a, b: a * b, [d, est["d_fast_ratio"]], covar,
                                              "m²/s", "d_fast_m2_s")
    best = func(x, *(out.params[n].value for n in names)) * scale
    return DosyFit(model=model, best_fit=best, statistics=stats, params=est,
                   success=bool(out.success), message=str(out.message), notes=tuple(notes))


def hydrodynamic_diameter_nm(diffusion_m2_s: float, temperature_k: float,
                             viscosity_mpa_s: float) -> float:
    """Stokes–Einstein d_H = k_B T / (3π η D) (nm).

    Examples
    --------
    D = 1.5e-10 m²/s in toluene-d8 (0.5779 mPa s) at 298.15 K:

    >>> from cald.qd.dosy import hydrodynamic_diameter_nm
    >>> print(f"{hydrodynamic_diameter_nm(1.5e-10, 298.15, 0.5779):.2f} nm")
    5.04 nm
    """
    return BOLTZMANN_J_K * temperature_k / (3 * math.pi * viscosity_mpa_s * 1e-3
                                            * diffusion_m2_s) * 1e9


@dataclass(frozen=True)
class DosyResult(ResultDisplay):
    """A DOSY fit with its Stokes–Einstein size. ``to_dict()`` carries the CLI's JSON keys."""

    decay: DosyDecay
    fit: DosyFit
    models: dict[str, DosyFit]
    diffusion: Estimate
    d_h_nm: Estimate | None
    viscosity: Viscosity | None
    temperature_k: float | None
    solvent: str
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary, the command-line contract's keys first."""
        d, dh = self.diffusion, self.d_h_nm
        ci = d.intervals.get("ci95_profile")
        dh_ci = None
        if dh is not None and ci is not None and self.viscosity is not None and self.temperature_k:
            dh_ci = [None if v is None else hydrodynamic_diameter_nm(
                v, self.temperature_k, self.viscosity.value_mpa_s) for v in (ci[1], ci[0])]
        i0 = self.fit.params["i0"]
        s = self.fit.statistics
        out: dict[str, Any] = {
            "diffusion_m2_s": d.value, "diffusion_m2_s_err": d.stderr,
            "diffusion_m2_s_ci95": None if ci is None else list(ci),
            "d_h_nm": None if dh is None else dh.value, "d_h_nm_err": None if dh is None else dh.stderr,
            "d_h_nm_ci95": dh_ci,
            "viscosity_mpa_s": None if self.viscosity is None else self.viscosity.value_mpa_s,
            "viscosity_source": None if self.viscosity is None else self.viscosity.source,
            "solvent": self.solvent or None, "temperature_k": self.temperature_k,
            "model": self.fit.model, "i0": i0.value, "i0_err": i0.stderr,
            **self.decay.timing.to_dict(),
            "region_ppm": None if self.decay.region_ppm is None else list(self.decay.region_ppm),
            "chisqr": s.chisqr, "redchi": s.redchi, "residual_std": s.residual_std,
            "aic": s.aic, "bic": s.bic, "n_points": s.n_points, "sigma_known": s.sigma_known,
            "sigma_source": self.decay.noise_source, "success": self.fit.success,
            "gradient_t_m": self.decay.gradient_t_m.tolist(), "b_s_m2": self.decay.b_s_m2.tolist(),
            "intensity": self.decay.intensity.tolist(),
            "noise": None if self.decay.noise is None else self.decay.noise.tolist(),
            "best_fit": self.fit.best_fit.tolist(),
            "models": {k: v.to_dict() for k, v in self.models.items()},
            "source": self.decay.source, "notes": list(self.notes),
        }
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DosyResult:
        """The result :meth:`to_dict` wrote (e.g. an analysis of results.json): the decay with
        its encoding, every model's fit (the other models' curves evaluated from their
        estimates), D, d_H and the viscosity."""
        timing = DosyTiming(d["big_delta_ms"] / 1e3, d["little_delta_ms"] / 1e3, d["tau_ms"] / 1e3,
                            d["bipolar"], GradientShape(d["gradient_shape"], d["shape_factor_sigma"],
                                                        d["shape_factor_lambda"],
                                                        d["shape_factor_kappa"]),
                            d["nucleus"], d["sequence"])
        region = d["region_ppm"]
        decay = DosyDecay(np.asarray(d["gradient_t_m"], dtype=float),
                          np.asarray(d["intensity"], dtype=float),
                          None if d["noise"] is None else np.asarray(d["noise"], dtype=float),
                          timing, d["source"], d["sigma_source"],
                          None if region is None else tuple(region), d["solvent"] or "",
                          d["temperature_k"])
        models = {}
        for name, m in d["models"].items():
            fit = DosyFit.from_dict(m, model=name, best_fit=np.zeros(0))
            best = (np.asarray(d["best_fit"], dtype=float) if name == d["model"]
                    else fit.curve(decay.b_s_m2))
            models[name] = replace(fit, best_fit=best)
        fit = models[d["model"]]
        diffusion = fit.params["diffusion_m2_s" if d["model"] == "mono" else "d_slow_m2_s"]
        d_h = None if d["d_h_nm"] is None else Estimate(d["d_h_nm"], d["d_h_nm_err"], "nm",
                                                        name="d_h_nm")
        eta = None if d["viscosity_mpa_s"] is None else Viscosity(
            d["solvent"] or "", d["temperature_k"], d["viscosity_mpa_s"], d["viscosity_source"])
        return cls(decay, fit, models, diffusion, d_h, eta, d["temperature_k"], d["solvent"] or "",
                   tuple(d["notes"]))

    def plot(self, ax: Any = None, *, residual: bool = False) -> Any:
        """The decay (intensity against b, log scale) with the fitted model(s); returns the
        matplotlib ``Axes`` (``residual`` is not drawn: the b axis is not a spectrum's)."""
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(4.8, 3.6), layout="constrained")
        b = self.decay.b_s_m2
        ax.plot(b, self.decay.intensity, "o", color="black", ms=4, label="data")
        for i, (name, fit) in enumerate(self.models.items()):
            ax.plot(b, fit.best_fit, color=f"C{3 + i}", lw=1.5, label=f"{name}-exponential fit")
        ax.set_yscale("log")
        ax.set_xlabel("b / s m⁻²")
        ax.set_ylabel("intensity")
        ax.legend(fontsize=7, frameon=False)
        return ax

    def report(self) -> str:
        """Human-readable summary."""
        t = self.decay.timing
        lines = [f"DOSY {self.fit.model}-exponential fit of {self.decay.source}",
                 f"  sequence {t.sequence or '—'}: Δ = {t.big_delta_s * 1e3:g} ms, δ = "
                 f"{t.little_delta_s * 1e3:g} ms ({t.shape.name}, σ = {t.shape.sigma:.4f}), "
                 f"τ = {t.tau_s * 1e3:g} ms, Δ' = {t.diffusion_time_s * 1e3:.4g} ms",
                 f"  D = {self.diffusion.format()}"]
        if self.d_h_nm is not None and self.viscosity is not None:
            lines.append(f"  d_H = {self.d_h_nm.format()} (η = {self.viscosity.value_mpa_s:.4g} mPa s, "
                         f"{self.viscosity.solvent}, {self.temperature_k:g} K)")
        lines.append("  " + self.fit.report().replace("\n", "\n  "))
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def _viscosity(solvent: str | None, temperature_k: float | None, viscosity_mpa_s: float | None,
               decay: DosyDecay, notes: list[str]) -> tuple[Viscosity | None, float | None, str]:
    name = solvent if solvent is not None else decay.solvent
    temp = temperature_k if temperature_k is not None else decay.temperature_k
    if temp is None:
        notes.append("no temperature (TE) in the data and none given: d_H omitted")
        return None, None, name
    if viscosity_mpa_s is not None:
        return Viscosity(name or "given", temp, viscosity_mpa_s, "given"), temp, name
    if solvent is not None:
        return viscosity(solvent, temp), temp, name  # an unknown explicit solvent is an error
    if not name:
        notes.append("no solvent in the data and none given: d_H omitted (give --solvent or "
                     "--viscosity-mpa-s)")
        return None, temp, name
    if solvent_name(name) is None:
        notes.append(f"solvent {name!r} of the data set has no viscosity in the table: d_H "
                     "omitted (give --viscosity-mpa-s)")
        return None, temp, name
    return viscosity(name, temp), temp, name


def fit_dosy(decay: DosyDecay, model: str = "mono", solvent: str | None = None,
             temperature_k: float | None = None, viscosity_mpa_s: float | None = None) -> DosyResult:
    """Fit a decay (the mono-exponential model always, the bi-exponential one with ``model="bi"``)
    and convert the D reported into d_H (Stokes–Einstein).

    Parameters
    ----------
    decay
        The decay.
    model
        ``mono`` or ``bi``; with ``bi`` the D reported is the slow component's (the particle;
        the fast one is typically free ligand or solvent).
    solvent, temperature_k
        Override the data set's SOLVENT and TE. An unknown explicit ``solvent`` is an error; an
        unknown solvent of the data set only omits d_H (with a note).
    viscosity_mpa_s
        Use this viscosity instead of the table.

    Examples
    --------
    A noise-free decay with D = 1.5e-10 m²/s (Δ = 100 ms, δ = 2 ms), toluene-d8 at 298.15 K:

    >>> import numpy as np
    >>> from cald.qd.dosy import DosyDecay, DosyTiming, fit_dosy
    >>> timing = DosyTiming(big_delta_s=0.1, little_delta_s=0.002)
    >>> g_t_m = np.linspace(0.02, 0.5, 16)
    >>> decay = DosyDecay(g_t_m, 1e6 * np.exp(-1.5e-10 * timing.b_value_s_m2(g_t_m)), None, timing,
    ...                   "synthetic")
    >>> result = fit_dosy(decay, viscosity_mpa_s=0.5779, temperature_k=298.15)
    >>> print(f"D = {result.diffusion.value:.3e} m²/s, d_H = {result.d_h_nm.value:.2f} nm")
    D = 1.500e-10 m²/s, d_H = 5.04 nm
    """
    notes = list(decay.notes)
    models = {"mono": fit_decay(decay, "mono")}
    if model == "bi":
        models["bi"] = fit_decay(decay, "bi")
    elif model != "mono":
        raise FieldError("model", f"must be one of {', '.join(MODELS)}, got {model!r}")
    fit = models[model]
    diffusion = fit.params["diffusion_m2_s" if model == "mono" else "d_slow_m2_s"]
    visc, temp, name = _viscosity(solvent, temperature_k, viscosity_mpa_s, decay, notes)
    d_h = None
    if visc is not None and temp is not None:
        if visc.note:
            notes.append(visc.note)
        eta = visc.value_mpa_s
        d_h = derived_estimate(lambda dd: hydrodynamic_diameter_nm(dd, temp, eta), [diffusion],
                               None if diffusion.stderr is None else np.array([[diffusion.stderr ** 2]]),
                               "nm", "d_h_nm")
        notes.append("d_H error from D only (T and η taken as exact)")
    notes.extend(fit.notes)
    return DosyResult(decay, fit, models, diffusion, d_h, visc, temp, name, tuple(notes))
