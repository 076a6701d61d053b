"""Fits of RESPDOR/REDOR dephasing curves: dipolar coupling D (or distance r) and dephased
fraction f, with uncertainties from the covariance matrix, a bootstrap and the profile likelihood.

Models (all ΔS/S0 as functions of the recoupling time t, λ = κ D t):

``single``
    f · g_I(κ D t): one distance, the model of the reference study.
``two_site``
    f1 · g_I(κ D1 t) + f2 · g_I(κ D2 t) with D2 < D1 and f1 + f2 ≤ 1.
``gaussian``
    f · ⟨g_I(κ D(r) t)⟩ over a Gaussian distribution of distances r (mean r0, width σ_r);
    needs the spin pair to convert r to D.

AIC, AICc and BIC tell whether a richer model is justified. A model-free short-time estimate
from the second moment (ΔS/S0 ≈ f (32/45) I(I+1) κ² D² t²) is reported as a cross-check.

Uncertainty conventions: with σ given (or propagated) the covariance is *not* rescaled by χ²ᵣ and
σ is trusted (check ``redchi`` ≈ 1); with σ unknown, σ is estimated from the residuals, the
covariance is scaled by χ²ᵣ and the bootstrap resamples residuals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import lmfit
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.errors import ParameterError
from cald.nuclei import Isotope, dipolar_constant_hz_angstrom3
from cald.recoupling import MODELS
from cald.recoupling.data import DephasingCurve
from cald.recoupling.profile import d_grid_for_times, profile_interval, solve_profile
from cald.recoupling.redor import (
    respdor_dephasing,
    respdor_short_time_coefficient,
    respdor_universal,
)

__all__ = [
    "MODELS",
    "ParameterEstimate",
    "ModelFit",
    "BootstrapSummary",
    "SecondMomentEstimate",
    "RespdorResult",
    "fit_respdor",
    "second_moment_estimate",
]

_CHI2_95_1DOF = 3.841458820694124  # scipy.stats.chi2.ppf(0.95, 1)
_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite.hermgauss(24)


@dataclass(frozen=True)
class ParameterEstimate:
    """A fitted (or derived, or fixed) parameter with its uncertainties.

    Attributes
    ----------
    value
        Best-fit value in ``unit``.
    stderr
        Standard error from the covariance matrix (``None`` when unavailable; see ``note``).
    fixed
        True when the parameter was held fixed.
    ci95_bootstrap, ci95_profile
        95 % intervals (low, high) from the bootstrap percentiles and the profile likelihood;
        ``None`` when not computed; a side is ``None`` when the data do not bound it.
    note
        Why an uncertainty is missing, if one is.
    """

    name: str
    value: float
    unit: str
    stderr: float | None = None
    fixed: bool = False
    ci95_bootstrap: tuple[float, float] | None = None
    ci95_profile: tuple[float | None, float | None] | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "value": self.value,
            "stderr": self.stderr,
            "unit": self.unit,
            "fixed": self.fixed,
            "ci95_bootstrap": None if self.ci95_bootstrap is None else list(self.ci95_bootstrap),
            "ci95_profile": None if self.ci95_profile is None else list(self.ci95_profile),
            "note": self.note,
        }


@dataclass(frozen=True)
class ModelFit:
    """Result of fitting one model: parameters, fit statistics and information criteria.

    ``aic``/``aicc``/``bic`` use χ² directly when σ is known and n·ln(χ²/n) when σ is
    estimated from the residuals (Gaussian likelihood in both cases, constants dropped).
    """

    model: str
    params: dict[str, ParameterEstimate]
    chisqr: float
    redchi: float
    n_points: int
    n_varys: int
    aic: float
    aicc: float
    bic: float
    success: bool
    message: str

    def value(self, name: str) -> float:
        """Best value of parameter ``name``."""
        return self.params[name].value

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "model": self.model,
            "params": {k: v.to_dict() for k, v in self.params.items()},
            "chisqr": self.chisqr,
            "redchi": self.redchi,
            "n_points": self.n_points,
            "n_varys": self.n_varys,
            "aic": self.aic,
            "aicc": self.aicc,
            "bic": self.bic,
            "success": self.success,
            "message": self.message,
        }


@dataclass(frozen=True)
class BootstrapSummary:
    """Bootstrap of the one-distance model: spread of refitted D, f (and r)."""

    n_samples: int
    kind: str
    seed: int
    d_hz_std: float
    f_std: float
    d_hz_ci95: tuple[float, float]
    f_ci95: tuple[float, float]
    r_angstrom_ci95: tuple[float, float] | None
    fraction_at_grid_edge: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        d = dict(self.__dict__)
        for k in ("d_hz_ci95", "f_ci95", "r_angstrom_ci95"):
            d[k] = None if d[k] is None else list(d[k])
        return d


@dataclass(frozen=True)
class SecondMomentEstimate:
    """Model-free short-time estimate: ΔS/S0 ≈ a t² on the first points of the curve.

    a = f (32/45) I(I+1) κ² D²; with the fitted f this gives D_M2 = √(a / (f c κ²)).
    Because the quadratic law overestimates the curve as it bends, D_M2 is a lower bound that
    approaches D as the points used get shorter.
    """

    n_points: int
    t_max_ms: float
    coefficient_per_s2: float
    coefficient_per_s2_err: float | None
    d_hz: float | None
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class RespdorResult:
    """Everything a RESPDOR fit reports. ``to_dict()`` carries the CLI's JSON keys."""

    curve: DephasingCurve
    spin: float
    kappa: float
    pair: str | None
    d_r3_hz_angstrom3: float | None
    fits: dict[str, ModelFit]
    bootstrap: BootstrapSummary | None
    bootstrap_note: str | None
    second_moment: SecondMomentEstimate
    notes: list[str] = field(default_factory=list)

    @property
    def single(self) -> ModelFit:
        """The one-distance fit (always present)."""
        return self.fits["single"]

    @property
    def d_hz(self) -> float:
        """Best-fit D (Hz) of the one-distance model."""
        return self.single.value("d_hz")

    @property
    def f(self) -> float:
        """Best-fit dephased fraction of the one-distance model."""
        return self.single.value("f")

    @property
    def preferred_model(self) -> str:
        """Model with the lowest BIC among those fitted."""
        return min(self.fits.values(), key=lambda m: m.bic).model

    def model_curve(self, t_s: ArrayLike, model: str = "single") -> NDArray[np.float64]:
        """ΔS/S0 of a fitted model at times ``t_s`` (s)."""
        builder = _MODEL_BUILDERS[model]
        fit = self.fits[model]
        values = {k: p.value for k, p in fit.params.items()}
        return builder.evaluate(np.asarray(t_s, dtype=float), values, self.spin, self.kappa,
                                self.d_r3_hz_angstrom3)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary with the command-line contract's keys first."""
        p = self.single.params
        r = p.get("r_angstrom")
        d_err = p["d_hz"].stderr
        method = "covariance"
        if d_err is None and self.bootstrap is not None:
            d_err, method = self.bootstrap.d_hz_std, "bootstrap standard deviation"
        f_err = 0.0 if p["f"].fixed else p["f"].stderr
        if f_err is None and self.bootstrap is not None:
            f_err = self.bootstrap.f_std
        r_err = None
        if r is not None and d_err is not None:
            r_err = r.value * d_err / (3.0 * self.d_hz)
        return {
            "d_hz": self.d_hz,
            "d_hz_err": d_err,
            "f": self.f,
            "f_err": f_err,
            "f_fixed": p["f"].fixed,
            "r_angstrom": None if r is None else r.value,
            "r_angstrom_err": r_err,
            "redchi": self.single.redchi,
            "err_method": None if d_err is None else method,
            "d_hz_ci95": _interval(p["d_hz"].ci95_profile),
            "r_angstrom_ci95": None if r is None else _interval(r.ci95_profile),
            "ci95_method": "profile likelihood (Δχ² = 3.84; null side: not bounded by the data)",
            "pair": self.pair,
            "spin": self.spin,
            "kappa": self.kappa,
            "n_points": self.curve.n_points,
            "sigma_source": self.curve.sigma_source,
            "preferred_model": self.preferred_model,
            "models": {k: v.to_dict() for k, v in self.fits.items()},
            "bootstrap": None if self.bootstrap is None else self.bootstrap.to_dict(),
            "bootstrap_note": self.bootstrap_note,
            "second_moment": self.second_moment.to_dict(),
            "notes": list(self.notes),
            "data": self.curve.to_dict(),
        }

    def report(self) -> str:
        """Short human-readable summary."""
        d = self.to_dict()
        lines = [f"RESPDOR fit ({d['pair'] or 'spin ' + str(self.spin)}, κ = {self.kappa:g}, "
                 f"{d['n_points']} points, σ {d['sigma_source']})"]
        for name, fit in self.fits.items():
            params = ", ".join(
                f"{k} = {v.value:.4g}" + (f" ± {v.stderr:.2g}" if v.stderr is not None else "")
                for k, v in fit.params.items()
            )
            lines.append(f"  {name:9s} {params}; χ²ᵣ = {fit.redchi:.3g}, BIC = {fit.bic:.2f}")
        if self.bootstrap is not None:
            lo, hi = self.bootstrap.d_hz_ci95
            lines.append(f"  bootstrap ({self.bootstrap.n_samples}): D 95 % [{lo:.4g}, {hi:.4g}] Hz")
        elif self.bootstrap_note:
            lines.append(f"  bootstrap: {self.bootstrap_note}")
        sm = self.second_moment
        if sm.d_hz is not None:
            lines.append(f"  second moment ({sm.n_points} points ≤ {sm.t_max_ms:.3g} ms): "
                         f"D ≈ {sm.d_hz:.4g} Hz")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


# --- models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ModelBuilder:
    """How one model makes its lmfit parameters (several starts) and evaluates its curve."""

    name: str
    starts: Callable[[float, float, float | None], list[lmfit.Parameters]]
    evaluate: Callable[[NDArray[np.float64], dict[str, float], float, float, float | None],
                       NDArray[np.float64]]
    needs_pair: bool = False


def _single_evaluate(t_s, v, spin, kappa, _k):
    return respdor_dephasing(t_s, v["d_hz"], v["f"], spin, kappa)


def _single_starts(d0: float, f0: float, k: float | None, *, by_r: bool = False,
                   f_fixed: float | None = None) -> list[lmfit.Parameters]:
    p = lmfit.Parameters()
    if by_r:
        assert k is not None
        p.add("r_angstrom", value=np.cbrt(k / d0), min=0.5, max=50.0)
        p.add("d_hz", expr=f"{k!r} / r_angstrom**3")
    else:
        p.add("d_hz", value=d0, min=d0 * 1e-3, max=d0 * 1e3)
        if k is not None:
            p.add("r_angstrom", expr=f"({k!r} / d_hz)**(1/3)")
    p.add("f", value=f0 if f_fixed is None else f_fixed, min=0.0, max=1.0, vary=f_fixed is None)
    return [p]


def _two_site_evaluate(t_s, v, spin, kappa, _k):
    return (respdor_dephasing(t_s, v["d1_hz"], v["f1"], spin, kappa)
            + respdor_dephasing(t_s, v["d2_hz"], v["f2"], spin, kappa))


def _two_site_starts(d0: float, f0: float, k: float | None) -> list[lmfit.Parameters]:
    starts = []
    for d1_factor in (1.5, 3.0):
        for ratio in (0.15, 0.5):
            for share in (0.3, 0.7):
                p = lmfit.Parameters()
                p.add("d1_hz", value=d0 * d1_factor, min=d0 * 1e-2, max=d0 * 1e2)
                p.add("d2_ratio", value=ratio, min=1e-3, max=1.0)
                p.add("f_total", value=max(min(f0 * 1.1, 1.0), 0.02), min=0.0, max=1.0)
                p.add("share", value=share, min=0.0, max=1.0)
                p.add("d2_hz", expr="d1_hz * d2_ratio")
                p.add("f1", expr="f_total * share")
                p.add("f2", expr="f_total * (1 - share)")
                if k is not None:
                    p.add("r1_angstrom", expr=f"({k!r} / d1_hz)**(1/3)")
                    p.add("r2_angstrom", expr=f"({k!r} / d2_hz)**(1/3)")
                starts.append(p)
    return starts


def _gaussian_evaluate(t_s, v, spin, kappa, k):
    r = v["r0_angstrom"] + np.sqrt(2.0) * v["sigma_r_angstrom"] * _GH_NODES
    d = k / r**3
    g = respdor_universal(kappa * d[:, None] * t_s[None, :], spin)
    return v["f"] * (_GH_WEIGHTS / np.sqrt(np.pi)) @ g


def _gaussian_starts(d0: float, f0: float, k: float | None) -> list[lmfit.Parameters]:
    assert k is not None
    r0 = float(np.cbrt(k / d0))
    starts = []
    for rel in (0.05, 0.15):
        p = lmfit.Parameters()
        p.add("r0_angstrom", value=r0, min=0.5, max=50.0)
        p.add("sigma_rel", value=rel, min=1e-3, max=0.3)
        p.add("f", value=f0, min=0.0, max=1.0)
        p.add("sigma_r_angstrom", expr="sigma_rel * r0_angstrom")
        starts.append(p)
    return starts


_MODEL_BUILDERS: dict[str, _ModelBuilder] = {
    "single": _ModelBuilder("single", _single_starts, _single_evaluate),
    "two_site": _ModelBuilder("two_site", _two_site_starts, _two_site_evaluate),
    "gaussian": _ModelBuilder("gaussian", _gaussian_starts, _gaussian_evaluate, needs_pair=True),
}

_UNITS = {"hz": "Hz", "angstrom": "Å"}


def _unit_of(name: str) -> str:
    return next((u for suffix, u in _UNITS.items() if name.endswith(suffix)), "")


def _information_criteria(chisqr: float, n: int, k: int, sigma_known: bool) -> tuple[float, float, float]:
    core = chisqr if sigma_known else n * np.log(max(chisqr, 1e-300) / n)
    aic = core + 2 * k
    aicc = aic + (2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else np.inf)
    bic = core + k * np.log(n)
    return float(aic), float(aicc), float(bic)


def _run_model(curve: DephasingCurve, builder: _ModelBuilder, starts: list[lmfit.Parameters],
               spin: float, kappa: float, k: float | None) -> ModelFit:
    sqrt_w = np.sqrt(curve.weights())
    sigma_known = curve.sigma is not None

    def residual(params: lmfit.Parameters) -> NDArray[np.float64]:
        values = params.valuesdict()
        return (curve.ds_s0 - builder.evaluate(curve.t_s, values, spin, kappa, k)) * sqrt_w

    best = None
    for params in starts:
        with np.errstate(invalid="ignore"):  # degenerate starts: lmfit takes √ of negative variances
            out = lmfit.minimize(residual, params, method="least_squares",
                                 scale_covar=not sigma_known)
        if best is None or out.chisqr < best.chisqr:
            best = out
    assert best is not None
    n, nv = curve.n_points, best.nvarys
    aic, aicc, bic = _information_criteria(best.chisqr, n, nv, sigma_known)
    estimates = {}
    for name, par in best.params.items():
        fixed = not par.vary and par.expr is None
        stderr = None if par.stderr is None or not np.isfinite(par.stderr) else float(par.stderr)
        note = None
        at_bound = par.vary and any(np.isfinite(b) and abs(par.value - b) <= 1e-6 * max(abs(b), 1e-3)
                                    for b in (par.min, par.max))
        if at_bound:
            stderr, note = None, "at a bound of its range: the covariance error does not apply"
        elif stderr is None and not fixed:
            note = "covariance unavailable (data do not constrain it)"
        estimates[name] = ParameterEstimate(name, float(par.value), _unit_of(name),
                                            stderr=stderr, fixed=fixed, note=note)
    redchi = best.chisqr / (n - nv) if n > nv else float("nan")
    return ModelFit(builder.name, estimates, float(best.chisqr), float(redchi), n, nv,
                    aic, aicc, bic, bool(best.success), str(best.message))


# --- cross-checks and bootstrap -----------------------------------------------------------


def second_moment_estimate(curve: DephasingCurve, spin: float, kappa: float, f: float | None,
                           max_fraction: float = 0.3) -> SecondMomentEstimate:
    """Short-time estimate a in ΔS/S0 ≈ a t², from the points with 0 < t whose ΔS/S0 is at
    most ``max_fraction`` of the largest ΔS/S0 observed; D from a and ``f`` when f > 0."""
    y = curve.ds_s0
    use = (curve.t_s > 0) & (y <= max_fraction * y.max())
    n_use = int(use.sum())
    if n_use < 2:
        return SecondMomentEstimate(n_use, 0.0, float("nan"), None, None,
                                    "fewer than 2 short-time points; no estimate")
    t, yy, w = curve.t_s[use], y[use], curve.weights()[use]
    s4 = float(np.sum(w * t**4))
    a = float(np.sum(w * yy * t**2) / s4)
    if curve.sigma is not None:
        a_err = float(np.sqrt(1.0 / s4))
    else:
        resid = yy - a * t**2
        a_err = float(np.sqrt(np.sum(resid**2) / (n_use - 1) / s4))
    c = respdor_short_time_coefficient(spin)
    note = None
    d = None
    if f is None or f <= 0 or a <= 0:
        note = "no D: needs f > 0 and a positive short-time slope"
    else:
        d = float(np.sqrt(a / (f * c * kappa**2)))
    return SecondMomentEstimate(n_use, float(t.max() * 1e3), a, a_err, d, note)


def _bootstrap(curve: DephasingCurve, best_curve: NDArray[np.float64], spin: float, kappa: float,
               f_fixed: float | None, n_samples: int, seed: int, n_varys: int,
               k: float | None) -> BootstrapSummary:
    rng = np.random.default_rng(seed)
    n = curve.n_points
    if curve.sigma is not None:
        kind = "parametric (Gaussian noise of the given σ around the best fit)"
        noise = rng.standard_normal((n_samples, n)) * curve.sigma[None, :]
    else:
        kind = "residual resampling (residuals inflated by √(n/(n−p)))"
        resid = (curve.ds_s0 - best_curve) * np.sqrt(n / max(n - n_varys, 1))
        noise = resid[rng.integers(0, n, size=(n_samples, n))]
    grid = d_grid_for_times(curve.t_s, spin, kappa)
    sol = solve_profile(grid, best_curve[None, :] + noise, curve.weights(), f_fixed)
    d_lo, d_hi = np.percentile(sol.d_hz, [2.5, 97.5])
    f_lo, f_hi = np.percentile(sol.f, [2.5, 97.5])
    r_ci = None
    if k is not None:  # r is monotone decreasing in D: percentiles map across
        r_ci = (float(np.cbrt(k / d_hi)), float(np.cbrt(k / d_lo)))
    return BootstrapSummary(n_samples, kind, seed, float(np.std(sol.d_hz, ddof=1)),
                            float(np.std(sol.f, ddof=1)), (float(d_lo), float(d_hi)),
                            (float(f_lo), float(f_hi)), r_ci, float(np.mean(sol.at_edge)))


# --- entry point --------------------------------------------------------------------------


def fit_respdor(
    curve: DephasingCurve,
    spin: float = 2.5,
    kappa: float = 1.0,
    pair: tuple[Isotope, Isotope] | None = None,
    f_fixed: float | None = None,
    models: Sequence[str] = ("single",),
    fit_distance: bool = False,
    n_bootstrap: int = 1000,
    seed: int = 0,
) -> RespdorResult:
    """Fit a dephasing curve.

    Parameters
    ----------
    curve
        The data (:class:`~cald.recoupling.data.DephasingCurve`).
    spin
        Spin I of the saturated nucleus (5/2 for 27Al; 1/2 gives spin-1/2 RESPDOR).
    kappa
        Recoupling scaling factor, λ = κ D t.
    pair
        (observed, dephasing) isotopes; enables distances and the ``gaussian`` model.
    f_fixed
        Hold f at this value (0 < f ≤ 1) instead of fitting it.
    models
        Models to fit in addition to ``single`` (always fitted): ``two_site``, ``gaussian``.
    fit_distance
        Fit r directly (D derived) instead of D (r derived); needs ``pair``.
    n_bootstrap
        Bootstrap samples for the one-distance model (0 disables it).
    seed
        Seed of the bootstrap's random generator (results are reproducible).

    Returns
    -------
    RespdorResult
    """
    unknown = [m for m in models if m not in _MODEL_BUILDERS]
    if unknown:
        raise ParameterError(f"unknown model(s) {unknown}; choose from {list(MODELS)}")
    if f_fixed is not None and not 0.0 < f_fixed <= 1.0:
        raise ParameterError(f"fixed f must be in (0, 1], got {f_fixed}")
    if not (kappa > 0 and np.isfinite(kappa)):
        raise ParameterError(f"kappa must be positive and finite, got {kappa}")
    if seed < 0:
        raise ParameterError(f"seed must be ≥ 0, got {seed}")
    k = None if pair is None else dipolar_constant_hz_angstrom3(*pair)
    if fit_distance and k is None:
        raise ParameterError("fitting the distance directly needs the spin pair (--pair)")
    notes: list[str] = []

    # Global start and profile likelihood from the vectorised one-distance solver.
    grid = d_grid_for_times(curve.t_s, spin, kappa)
    start = solve_profile(grid, curve.ds_s0, curve.weights(), f_fixed)
    d0 = float(start.d_hz[0])
    f0 = float(start.f[0]) if f_fixed is None else f_fixed
    if start.at_edge[0]:
        notes.append("D is at the edge of what these recoupling times resolve: the curve is "
                     "flat or saturated, D is not determined")
    f_start = min(max(f0, 0.02), 0.98) if f_fixed is None else f_fixed
    fits = {"single": _run_model(curve, _MODEL_BUILDERS["single"],
                                 _single_starts(d0, f_start, k, by_r=fit_distance, f_fixed=f_fixed),
                                 spin, kappa, k)}
    for name in models:
        builder = _MODEL_BUILDERS[name]
        if name == "single":
            continue
        if builder.needs_pair and k is None:
            notes.append(f"model {name!r} skipped: it needs the spin pair (--pair)")
            continue
        n_free = len([p for p in builder.starts(d0, f_start, k)[0].values() if p.expr is None])
        if curve.n_points <= n_free:
            notes.append(f"model {name!r} skipped: {curve.n_points} points for {n_free} parameters")
            continue
        fits[name] = _run_model(curve, builder, builder.starts(d0, f_start, k), spin, kappa, k)

    single = fits["single"]
    # Profile-likelihood interval of D (f re-optimised at each D).
    scale = 1.0 if curve.sigma is not None else max(single.redchi, 1e-300)
    d_lo, d_hi = profile_interval(grid, start.profile[0], _CHI2_95_1DOF * scale)
    params = dict(single.params)
    params["d_hz"] = _with(params["d_hz"], ci95_profile=(d_lo, d_hi))
    if k is not None:
        r_prof = (None if d_hi is None else float(np.cbrt(k / d_hi)),
                  None if d_lo is None else float(np.cbrt(k / d_lo)))
        params["r_angstrom"] = _with(params["r_angstrom"], ci95_profile=r_prof)

    bootstrap, bootstrap_note = None, None
    if n_bootstrap <= 0:
        bootstrap_note = "bootstrap disabled (n_bootstrap = 0)"
    elif curve.n_points <= single.n_varys:
        bootstrap_note = f"bootstrap skipped: {curve.n_points} points for {single.n_varys} parameters"
    else:
        best_curve = _single_evaluate(curve.t_s, {k_: p.value for k_, p in params.items()},
                                      spin, kappa, k)
        bootstrap = _bootstrap(curve, best_curve, spin, kappa, f_fixed, n_bootstrap, seed,
                               single.n_varys, k)
        params["d_hz"] = _with(params["d_hz"], ci95_bootstrap=bootstrap.d_hz_ci95)
        if f_fixed is None:
            params["f"] = _with(params["f"], ci95_bootstrap=bootstrap.f_ci95)
        if bootstrap.r_angstrom_ci95 is not None:
            params["r_angstrom"] = _with(params["r_angstrom"],
                                         ci95_bootstrap=bootstrap.r_angstrom_ci95)
    fits["single"] = ModelFit(**{**single.__dict__, "params": params})

    if curve.sigma is not None and single.redchi > 2.0:
        notes.append(f"χ²ᵣ = {single.redchi:.2g} ≫ 1: the given σ looks underestimated or the "
                     "one-distance model does not describe the data")
    moment = second_moment_estimate(curve, spin, kappa, fits["single"].value("f"))
    pair_label = None if pair is None else f"{pair[0].symbol}-{pair[1].symbol}"
    return RespdorResult(curve, spin, kappa, pair_label, k, fits, bootstrap, bootstrap_note,
                         moment, notes)


def _interval(ci: tuple[float | None, float | None] | None) -> list[float | None] | None:
    return None if ci is None else list(ci)


def _with(p: ParameterEstimate, **changes: Any) -> ParameterEstimate:
    return ParameterEstimate(**{**p.__dict__, **changes})
