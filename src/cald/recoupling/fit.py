"""Fits of RESPDOR/REDOR dephasing curves: dipolar coupling D (or distance r) and dephased
fraction f, with uncertainties from the covariance matrix, a bootstrap and the profile likelihood.

Models (all ΔS/S0 as functions of the recoupling time t, λ = κ D t; g is the universal curve of
the experiment, :func:`cald.recoupling.redor.universal_curve`: g_I for RESPDOR, 1 − R for REDOR
with a spin-1/2 partner):

``single``
    f · g(κ D t): one distance, the model of the reference study.
``two_site``
    f1 · g(κ D1 t) + f2 · g(κ D2 t) with D2 < D1 and f1 + f2 ≤ 1.
``gaussian``
    f · ⟨g(κ D(r) t)⟩ over a Gaussian distribution of distances r (mean r0, width σ_r);
    needs the spin pair to convert r to D.

AIC, AICc and BIC tell whether a richer model is justified. A model-free short-time estimate
from the second moment (ΔS/S0 ≈ f c κ² D² t², c = (32/45) I(I+1) for RESPDOR, 16/15 for REDOR)
is reported as a cross-check. Data that rise above the largest plateau the chosen experiment
allows (f = 1) get a note: they usually mean the other experiment.

Uncertainties follow the rule of :mod:`cald.fitting`: with σ given (or propagated) the
covariance is *not* rescaled and χ²ᵣ is reported (check ≈ 1); with σ unknown, σ is estimated
from the residuals, the covariance is scaled by χ²/(n − k), the residual standard deviation is
reported instead of χ²ᵣ, and the bootstrap resamples residuals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, ClassVar

import lmfit
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.errors import ParameterError
from cald.fitting import FitResult, FitStatistics, estimates_from_params
from cald.fitting.display import ResultDisplay
from cald.nuclei import Isotope, dipolar_constant_hz_angstrom3
from cald.recoupling import MODELS
from cald.recoupling.data import DephasingCurve
from cald.recoupling.profile import DGrid, d_grid_for_times, profile_interval, solve_profile
from cald.recoupling.redor import (
    LevelWeights,
    check_experiment,
    dephasing,
    plateau,
    short_time_coefficient,
    universal_curve,
)
from cald.spectrum import Spectrum

__all__ = [
    "MODELS",
    "ModelFit",
    "BootstrapSummary",
    "SecondMomentEstimate",
    "RespdorResult",
    "fit_respdor",
    "second_moment_estimate",
]

_CHI2_95_1DOF = 3.841458820694124  # scipy.stats.chi2.ppf(0.95, 1)
_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite.hermgauss(24)


#: Interval keys every RESPDOR estimate carries (``None`` when not computed).
_INTERVALS: dict[str, tuple[float | None, float | None] | None] = {
    "ci95_bootstrap": None, "ci95_profile": None}


@dataclass(frozen=True)
class ModelFit(FitResult):
    """Result of fitting one model: estimates (each with ``ci95_bootstrap`` and ``ci95_profile``
    intervals, ``None`` unless computed), statistics and information criteria
    (:class:`~cald.fitting.FitResult`; ``aic``/``aicc``/``bic`` use χ² when σ is known and
    n·ln(χ²/n) when σ is estimated from the residuals)."""

    model: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        s = self.statistics
        return {
            "model": self.model,
            "params": {k: v.to_dict() for k, v in self.params.items()},
            "chisqr": s.chisqr,
            "redchi": s.redchi,
            "n_points": s.n_points,
            "n_varys": s.n_varys,
            "aic": s.aic,
            "aicc": s.aicc,
            "bic": s.bic,
            "success": self.success,
            "message": self.message,
            "residual_std": s.residual_std,
            "sigma_known": s.sigma_known,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], **fields: Any) -> ModelFit:
        """The fit :meth:`to_dict` wrote."""
        return super().from_dict(d, model=d["model"], **fields)


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
class RespdorResult(ResultDisplay):
    """Everything a RESPDOR fit reports. ``to_dict()`` carries the CLI's JSON keys."""

    plot_ylabel: ClassVar[str] = "ΔS/S0"

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
    experiment: str = "respdor"
    level_weights: LevelWeights = None

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
        return builder.evaluate(np.asarray(t_s, dtype=float), values, self._universal, self.kappa,
                                self.d_r3_hz_angstrom3)

    @property
    def _universal(self) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
        return partial(universal_curve, spin=self.spin, experiment=self.experiment,
                       level_weights=self.level_weights)

    def curves(self) -> dict[str, Spectrum]:
        """``data`` (ΔS/S0 at the measured times) and ``fit`` (the one-distance model on 400
        times up to 1.05 × the longest), against time in s."""
        t_s = self.curve.t_s
        t_fine_s = np.linspace(0.0, max(float(t_s.max()) * 1.05, 1e-6), 400)
        return {"data": Spectrum(self.curve.ds_s0, t_s, "s", source=self.curve.source),
                "fit": Spectrum(self.model_curve(t_fine_s), t_fine_s, "s", history=("fit",))}

    def dephasing(self, t_s: ArrayLike, d_hz: float, f: float) -> NDArray[np.float64]:
        """ΔS/S0 of one distance (coupling ``d_hz``, fraction ``f``) at times ``t_s`` (s), for
        this result's experiment, spin and κ (e.g. curves for r ± 0.2 Å in figures)."""
        return dephasing(t_s, d_hz, f, self.spin, self.kappa, self.experiment, self.level_weights)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary with the command-line contract's keys first."""
        p = self.single.params
        r = p.get("r_angstrom")
        d_err = p["d_hz"].stderr
        method = "covariance"
        # the bootstrap stands in where the covariance failed, never for a parameter at a bound
        # (or derived from one): that one keeps no error bar, as its note says
        if d_err is None and self.bootstrap is not None and not p["d_hz"].limited_by_bound:
            d_err, method = self.bootstrap.d_hz_std, "bootstrap standard deviation"
        f_err = 0.0 if p["f"].fixed else p["f"].stderr
        if f_err is None and self.bootstrap is not None and not p["f"].limited_by_bound:
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
            "residual_std": self.single.residual_std,
            "err_method": None if d_err is None else method,
            "d_hz_ci95": _interval(p["d_hz"].intervals["ci95_profile"]),
            "r_angstrom_ci95": None if r is None else _interval(r.intervals["ci95_profile"]),
            "ci95_method": "profile likelihood (Δχ² = 3.84; null side: not bounded by the data)",
            "experiment": self.experiment,
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
        } | ({} if self.level_weights is None else {"level_weights": list(self.level_weights)})

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RespdorResult:
        """The result :meth:`to_dict` wrote (e.g. an analysis of results.json): the curve, the
        models' estimates and statistics, the bootstrap and second-moment summaries; the
        constant D r³ comes back as D r³ of the one-distance fit (``None`` without r)."""
        data = d["data"]
        # ÷ 1e3 (not × 1e-3) so that the stored times in ms come back bit for bit
        curve = DephasingCurve(np.asarray(data["t_ms"], dtype=float) / 1e3,
                               np.asarray(data["dS_S0"], dtype=float),
                               None if data["sigma"] is None
                               else np.asarray(data["sigma"], dtype=float),
                               data["sigma_source"], data["source"])
        b = d["bootstrap"]
        boot = None if b is None else BootstrapSummary(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in b.items()})  # type: ignore[arg-type]
        weights = d.get("level_weights")
        return cls(curve, d["spin"], d["kappa"], d["pair"],
                   None if d["r_angstrom"] is None else d["d_hz"] * d["r_angstrom"] ** 3,
                   {k: ModelFit.from_dict(v) for k, v in d["models"].items()}, boot,
                   d["bootstrap_note"], SecondMomentEstimate(**d["second_moment"]),
                   list(d["notes"]), d["experiment"], None if weights is None else tuple(weights))

    def report(self) -> str:
        """Short human-readable summary."""
        d = self.to_dict()
        lines = [f"{self.experiment.upper()} fit ({d['pair'] or 'spin ' + str(self.spin)}, "
                 f"κ = {self.kappa:g}, {d['n_points']} points, σ {d['sigma_source']})"]
        for name, fit in self.fits.items():
            params = ", ".join(
                f"{k} = {v.value:.4g}" + (f" ± {v.stderr:.2g}" if v.stderr is not None else "")
                + (f" (at its {v.bound} bound)" if v.at_bound else "")
                for k, v in fit.params.items()
            )
            lines.append(f"  {name:9s} {params}; {fit.statistics.quality()}, BIC = {fit.bic:.2f}")
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


#: The experiment's universal curve g(λ) (spin and experiment bound).
_Universal = Callable[[NDArray[np.float64]], NDArray[np.float64]]


@dataclass(frozen=True)
class _ModelBuilder:
    """How one model makes its lmfit parameters (several starts) and evaluates its curve."""

    name: str
    starts: Callable[[float, float, float | None], list[lmfit.Parameters]]
    evaluate: Callable[[NDArray[np.float64], dict[str, float], _Universal, float, float | None],
                       NDArray[np.float64]]
    needs_pair: bool = False


def _single_evaluate(t_s, v, g, kappa, _k):
    return v["f"] * g(kappa * v["d_hz"] * t_s)


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


def _two_site_evaluate(t_s, v, g, kappa, _k):
    return v["f1"] * g(kappa * v["d1_hz"] * t_s) + v["f2"] * g(kappa * v["d2_hz"] * t_s)


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


def _gaussian_evaluate(t_s, v, g, kappa, k):
    r = v["r0_angstrom"] + np.sqrt(2.0) * v["sigma_r_angstrom"] * _GH_NODES
    d = k / r**3
    t = np.atleast_1d(t_s)
    out = v["f"] * (_GH_WEIGHTS / np.sqrt(np.pi)) @ g(kappa * d[:, None] * t[None, :])
    return out.reshape(np.shape(t_s))


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


def _run_model(curve: DephasingCurve, builder: _ModelBuilder, starts: list[lmfit.Parameters],
               g: _Universal, kappa: float, k: float | None) -> ModelFit:
    sqrt_w = np.sqrt(curve.weights())
    sigma_known = curve.sigma is not None

    def residual(params: lmfit.Parameters) -> NDArray[np.float64]:
        values = params.valuesdict()
        return (curve.ds_s0 - builder.evaluate(curve.t_s, values, g, kappa, k)) * sqrt_w

    best = None
    for params in starts:
        with np.errstate(invalid="ignore"):  # degenerate starts: lmfit takes √ of negative variances
            out = lmfit.minimize(residual, params, method="least_squares",
                                 scale_covar=not sigma_known)
        if best is None or out.chisqr < best.chisqr:
            best = out
    assert best is not None
    stats = FitStatistics.from_chisqr(best.chisqr, curve.n_points, best.nvarys, sigma_known)
    estimates = estimates_from_params(best.params, _unit_of, intervals=_INTERVALS)
    return ModelFit(builder.name, statistics=stats, params=estimates, success=bool(best.success),
                    message=str(best.message))


# --- cross-checks and bootstrap -----------------------------------------------------------


def second_moment_estimate(curve: DephasingCurve, spin: float, kappa: float, f: float | None,
                           max_fraction: float = 0.3, experiment: str = "respdor",
                           level_weights: LevelWeights = None) -> SecondMomentEstimate:
    """Short-time estimate a in ΔS/S0 ≈ a t², from the points with 0 < t whose ΔS/S0 is at
    most ``max_fraction`` of the largest ΔS/S0 observed; D from a and ``f`` when f > 0
    (a = f c κ² D², c from :func:`~cald.recoupling.redor.short_time_coefficient`)."""
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
    c = short_time_coefficient(spin, experiment, level_weights)
    note = None
    d = None
    if f is None or f <= 0 or a <= 0:
        note = "no D: needs f > 0 and a positive short-time slope"
    else:
        d = float(np.sqrt(a / (f * c * kappa**2)))
    return SecondMomentEstimate(n_use, float(t.max() * 1e3), a, a_err, d, note)


def _bootstrap(curve: DephasingCurve, best_curve: NDArray[np.float64], grid: DGrid,
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
    experiment: str = "respdor",
    level_weights: LevelWeights = None,
) -> RespdorResult:
    """Fit a dephasing curve.

    Parameters
    ----------
    curve
        The data (:class:`~cald.recoupling.data.DephasingCurve`).
    spin
        Spin I of the dephasing nucleus (5/2 for 27Al; 1/2 gives spin-1/2 RESPDOR, and is the
        only spin REDOR accepts).
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
    experiment
        ``"respdor"`` (saturation of the dephasing spin, plateau f·2I/(2I+1)) or ``"redor"``
        (π-pulse inversion of a spin-1/2 partner, plateau f).
    level_weights
        RESPDOR with a simulated, incomplete saturation: the |Δm| probabilities p_k of the pulse
        (:func:`cald.recoupling.spindynamics.level_change_weights`); f is then the fraction
        bound (the curve is f Σ_{k≥1} p_k [1 − R(kκDt)]).

    Returns
    -------
    RespdorResult

    Raises
    ------
    ParameterError
        Unknown model or experiment, REDOR with a dephasing spin other than 1/2, f, κ or seed
        out of range.

    Examples
    --------
    A noise-free 13C{27Al} curve with D = 503 Hz and f = 0.24, σ = 0.003 given per point:

    >>> import numpy as np
    >>> from cald.nuclei import parse_pair
    >>> from cald.recoupling.data import DephasingCurve
    >>> from cald.recoupling.fit import fit_respdor
    >>> from cald.recoupling.redor import respdor_dephasing
    >>> t_s = np.arange(1, 16) * 0.2e-3
    >>> curve = DephasingCurve.from_dephasing(t_s, respdor_dephasing(t_s, 503.0, 0.24, 2.5),
    ...                                       sigma=np.full(t_s.size, 0.003))
    >>> result = fit_respdor(curve, pair=parse_pair("13C-27Al"), n_bootstrap=0)
    >>> print(f"D = {result.d_hz:.1f} Hz, f = {result.f:.3f}, {result.single.params['r_angstrom'].format(3)}")
    D = 503.0 Hz, f = 0.240, 2.5 ± 0.019 Å
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
    check_experiment(experiment, spin)
    g = partial(universal_curve, spin=spin, experiment=experiment, level_weights=level_weights)
    k = None if pair is None else dipolar_constant_hz_angstrom3(*pair)
    if fit_distance and k is None:
        raise ParameterError("fitting the distance directly needs the spin pair (--pair)")
    notes: list[str] = []

    # Global start and profile likelihood from the vectorised one-distance solver.
    grid = d_grid_for_times(curve.t_s, spin, kappa, experiment=experiment,
                            level_weights=level_weights)
    start = solve_profile(grid, curve.ds_s0, curve.weights(), f_fixed)
    d0 = float(start.d_hz[0])
    f0 = float(start.f[0]) if f_fixed is None else f_fixed
    if start.at_edge[0]:
        notes.append("D is at the edge of what these recoupling times resolve: the curve is "
                     "flat or saturated, D is not determined")
    f_start = min(max(f0, 0.02), 0.98) if f_fixed is None else f_fixed
    fits = {"single": _run_model(curve, _MODEL_BUILDERS["single"],
                                 _single_starts(d0, f_start, k, by_r=fit_distance, f_fixed=f_fixed),
                                 g, kappa, k)}
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
        fits[name] = _run_model(curve, builder, builder.starts(d0, f_start, k), g, kappa, k)

    single = fits["single"]
    # Profile-likelihood interval of D (f re-optimised at each D).
    scale = max(single.statistics.covariance_scale, 1e-300)
    d_lo, d_hi = profile_interval(grid, start.profile[0], _CHI2_95_1DOF * scale)
    params = dict(single.params)
    params["d_hz"] = params["d_hz"].with_interval("ci95_profile", (d_lo, d_hi))
    if k is not None:
        r_prof = (None if d_hi is None else float(np.cbrt(k / d_hi)),
                  None if d_lo is None else float(np.cbrt(k / d_lo)))
        params["r_angstrom"] = params["r_angstrom"].with_interval("ci95_profile", r_prof)

    bootstrap, bootstrap_note = None, None
    if n_bootstrap <= 0:
        bootstrap_note = "bootstrap disabled (n_bootstrap = 0)"
    elif curve.n_points <= single.n_varys:
        bootstrap_note = f"bootstrap skipped: {curve.n_points} points for {single.n_varys} parameters"
    else:
        best_curve = _single_evaluate(curve.t_s, {k_: p.value for k_, p in params.items()},
                                      g, kappa, k)
        bootstrap = _bootstrap(curve, best_curve, grid, f_fixed, n_bootstrap, seed,
                               single.n_varys, k)
        params["d_hz"] = params["d_hz"].with_interval("ci95_bootstrap", bootstrap.d_hz_ci95)
        if f_fixed is None:
            params["f"] = params["f"].with_interval("ci95_bootstrap", bootstrap.f_ci95)
        if bootstrap.r_angstrom_ci95 is not None:
            params["r_angstrom"] = params["r_angstrom"].with_interval(
                "ci95_bootstrap", bootstrap.r_angstrom_ci95)
    fits["single"] = replace(single, params=params)

    if single.redchi is not None and single.redchi > 2.0:
        notes.append(f"χ²ᵣ = {single.redchi:.2g} ≫ 1: the given σ looks underestimated or the "
                     "one-distance model does not describe the data")
    above = _above_plateau(curve, plateau(spin, experiment, level_weights))
    if above is not None:
        redor_likely = experiment == "respdor" and abs(spin - 0.5) < 1e-9
        notes.append(above + (_REDOR_HINT if redor_likely else _NORMALISATION_HINT))
    moment = second_moment_estimate(curve, spin, kappa, fits["single"].value("f"),
                                    experiment=experiment, level_weights=level_weights)
    pair_label = None if pair is None else f"{pair[0].symbol}-{pair[1].symbol}"
    return RespdorResult(curve, spin, kappa, pair_label, k, fits, bootstrap, bootstrap_note,
                         moment, notes, experiment, level_weights)


_REDOR_HINT = ("; if π pulses invert the spin-1/2 partner, this is a REDOR curve (plateau f): "
               "fit it with experiment redor")
_NORMALISATION_HINT = "; check the normalisation of ΔS/S0 (S0 and S scaled alike?)"


def _above_plateau(curve: DephasingCurve, top: float) -> str | None:
    """Why the data cannot be this experiment's curve, when they rise above its largest plateau
    ``top`` (f = 1): one point more than 3σ above it, or two more than 2σ (σ given, else the
    point-to-point scatter of the data, which a wrong model cannot inflate)."""
    sigma = curve.sigma if curve.sigma is not None else _scatter(curve.ds_s0)
    if sigma is None:
        return None
    excess = (curve.ds_s0 - top) / np.maximum(sigma, 1e-12)
    n_above = int(np.sum(excess > 2.0))
    if not (np.any(excess > 3.0) or n_above >= 2):
        return None
    return (f"{n_above} of {curve.n_points} points rise above {top:.3g}, the largest plateau "
            f"this model allows (f = 1; largest ΔS/S0 = {float(np.max(curve.ds_s0)):.3g}): D, r "
            "and f are not meaningful")


def _scatter(y: NDArray[np.float64]) -> float | None:
    """Noise σ of a smooth curve from its second differences (median absolute deviation;
    Var(Δ²y) = 6σ² for white noise); ``None`` below 5 points or when it is 0."""
    if y.size < 5:
        return None
    d2 = np.diff(y, n=2)
    sigma = 1.4826 * float(np.median(np.abs(d2 - np.median(d2)))) / np.sqrt(6.0)
    return sigma if sigma > 0 else None


def _interval(ci: tuple[float | None, float | None] | None) -> list[float | None] | None:
    return None if ci is None else list(ci)

