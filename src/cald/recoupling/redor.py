"""Analytic REDOR and RESPDOR dephasing curves.

Definitions (science sheet §3). With λ = κ·D·t_rec (D in Hz, t_rec in s, κ the recoupling
scaling factor of the sequence):

* spin-1/2 REDOR, powder average (Mueller, Jagannathan, Rao, Ishii, Schaefer,
  *Chem. Phys. Lett.* 242, 535 (1995))::

      R(λ) = S/S0 = (√2 π / 4) J_{1/4}(√2 λ) J_{−1/4}(√2 λ),   ΔS/S0 = 1 − R(λ)

* RESPDOR with a saturated spin I of any I ≥ 1/2 (Gan, *JACS* 128, 6040 (2006); Chen et al.,
  *PCCP* 12, 9395 (2010)): saturation sends level m to a uniformly random m', the S phase is
  (m − m') times the REDOR phase, so::

      ΔS/S0 = f · g_I(λ),   g_I(λ) = Σ_{k=1}^{2I} 2(2I+1−k) [1 − R(kλ)] / (2I+1)²

  with plateau f · 2I / (2I+1) and short-time limit f · (32/45) I(I+1) λ².

* REDOR with a spin-1/2 dephasing partner inverted by π pulses: ΔS/S0 = f · [1 − R(λ)], plateau
  f (twice the spin-1/2 RESPDOR curve, since π pulses invert every partner spin where
  saturation randomises half of them). With a quadrupolar partner, π pulses do not invert the
  spin as a whole (satellite transitions, incomplete inversion): there is no universal curve,
  and :func:`check_experiment` refuses it; such data call for saturation (RESPDOR).

:func:`universal_curve` and :func:`dephasing` take ``experiment`` (``"respdor"`` or ``"redor"``,
:data:`EXPERIMENTS`) and serve both.

Evaluation uses universal curves tabulated once per spin on a uniform λ grid and interpolated with
cubic splines stored as per-interval polynomials, so one evaluation is an index computation and
a Horner step (absolute error < 1e-9 for λ ≤ ``LAMBDA_TABLE_MAX``); larger λ fall back to direct
Bessel-function evaluation, so every λ is accurate.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.errors import ParameterError

__all__ = [
    "EXPERIMENTS",
    "KAPPA_PRESETS",
    "LevelWeights",
    "LAMBDA_TABLE_MAX",
    "redor_signal_direct",
    "respdor_universal_direct",
    "respdor_universal",
    "respdor_plateau",
    "respdor_short_time_coefficient",
    "redor_dephasing",
    "respdor_dephasing",
    "check_experiment",
    "universal_curve",
    "plateau",
    "short_time_coefficient",
    "dephasing",
]

#: Recoupling experiments: ``respdor`` saturates the dephasing spin (any I), ``redor`` inverts a
#: spin-1/2 dephasing partner with π pulses.
EXPERIMENTS = ("respdor", "redor")

#: Recoupling scaling factors κ (λ = κ·D·t) of named sequences, with their sources.
#: ``redor``: rotor-synchronised π-pulse train, two pulses per rotor period (Gullion & Schaefer,
#: *J. Magn. Reson.* 81, 196 (1989)); the curve above is written for it, so κ = 1.
#: ``sr4``: SR4₁² (Brinkmann and Levitt, *J. Chem. Phys.* 115, 357 (2001)), κ = π/(4√2) =
#: 0.5554 from first-order average Hamiltonian theory, confirmed by the numerical simulation
#: (0.5556 ± 0.0001 at small D/ν_r; :data:`cald.recoupling.spindynamics.KAPPA_SR4_THEORY` and
#: that module's docstring; no published value was checked).
KAPPA_PRESETS: dict[str, float] = {"redor": 1.0, "sr4": float(np.pi / (4.0 * np.sqrt(2.0)))}

#: Largest λ of the tabulated universal curves; larger λ are evaluated directly.
LAMBDA_TABLE_MAX = 25.0
_TABLE_STEP = 0.002


def redor_signal_direct(lam: ArrayLike) -> NDArray[np.float64]:
    """REDOR signal R(λ) = S/S0 of a spin-1/2 pair from Bessel functions (reference evaluation).

    Parameters
    ----------
    lam
        Dimensionless dephasing parameter λ = κ·D·t (R is even in λ).
    """
    from scipy.special import jv  # here: the tabulated curves need scipy only once per spin

    lam_abs = np.abs(np.asarray(lam, dtype=float))
    x = np.sqrt(2.0) * lam_abs
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        r = (np.sqrt(2.0) * np.pi / 4.0) * jv(0.25, x) * jv(-0.25, x)
    # J_{-1/4} overflows near 0: use the series 1 − (16/15) λ² (next term O(λ⁴) < 1e-23 here).
    return np.where(lam_abs < 1e-6, 1.0 - (16.0 / 15.0) * lam_abs**2, r)


def _check_spin(spin: float) -> int:
    two_i = round(2 * spin)
    if two_i < 1 or abs(two_i - 2 * spin) > 1e-9:
        raise ValueError(f"spin must be a positive multiple of 1/2, got {spin}")
    return two_i


def respdor_universal_direct(lam: ArrayLike, spin: float) -> NDArray[np.float64]:
    """Universal RESPDOR curve g_I(λ) (ΔS/S0 for f = 1) from Bessel functions (reference).

    Parameters
    ----------
    lam
        λ = κ·D·t, dimensionless.
    spin
        Spin I of the saturated (dephasing) nucleus; 1/2 gives (1 − R)/2.
    """
    two_i = _check_spin(spin)
    lam = np.asarray(lam, dtype=float)
    total = np.zeros_like(lam)
    for k in range(1, two_i + 1):
        total += 2.0 * (two_i + 1 - k) * (1.0 - redor_signal_direct(k * lam))
    return total / (two_i + 1) ** 2


_N_INTERVALS = int(round(LAMBDA_TABLE_MAX / _TABLE_STEP))


@lru_cache(maxsize=32)
def _universal_table(two_i: int) -> NDArray[np.float64]:
    """Polynomial coefficients (highest power first, shape (4, n_intervals)) of the cubic
    interpolating spline of g_I on the uniform grid [0, LAMBDA_TABLE_MAX] (cached per spin).
    g is even in λ, so the slope at λ = 0 is clamped to zero."""
    from scipy.interpolate import CubicSpline

    grid = np.linspace(0.0, LAMBDA_TABLE_MAX, _N_INTERVALS + 1)
    values = respdor_universal_direct(grid, two_i / 2.0)
    spline = CubicSpline(grid, values, bc_type=((1, 0.0), "not-a-knot"))
    return np.ascontiguousarray(spline.c)


def _evaluate_table(coefficients: NDArray[np.float64], lam: NDArray[np.float64]) -> NDArray[np.float64]:
    scaled = lam / _TABLE_STEP
    index = np.minimum(scaled.astype(np.intp), _N_INTERVALS - 1)
    dx = (scaled - index) * _TABLE_STEP
    out = coefficients[0, index]
    for row in coefficients[1:]:
        out = out * dx + row[index]
    return out


def respdor_universal(lam: ArrayLike, spin: float) -> NDArray[np.float64]:
    """Universal RESPDOR curve g_I(λ) = ΔS/S0 at f = 1, fast (tabulated) evaluation.

    Parameters
    ----------
    lam
        λ = κ·D·t, dimensionless (g is even in λ).
    spin
        Spin I of the saturated nucleus.

    Returns
    -------
    numpy.ndarray
        g_I(λ), same shape as ``lam``; absolute error < 1e-6 against
        :func:`respdor_universal_direct`.
    """
    two_i = _check_spin(spin)
    lam_abs: NDArray[np.float64] = np.abs(np.asarray(lam, dtype=float))
    inside = lam_abs <= LAMBDA_TABLE_MAX
    table = _universal_table(two_i)
    if np.all(inside):
        return _evaluate_table(table, lam_abs)
    out = np.empty_like(lam_abs)
    out[inside] = _evaluate_table(table, lam_abs[inside])
    out[~inside] = respdor_universal_direct(lam_abs[~inside], spin)
    return out


def respdor_plateau(spin: float) -> float:
    """Long-time limit of g_I: 2I / (2I + 1)."""
    two_i = _check_spin(spin)
    return two_i / (two_i + 1.0)


def respdor_short_time_coefficient(spin: float) -> float:
    """Coefficient c of the short-time limit g_I(λ) ≈ c λ², c = (32/45) I (I + 1)."""
    _check_spin(spin)
    return 32.0 / 45.0 * spin * (spin + 1.0)


def redor_dephasing(t_s: ArrayLike, d_hz: float, kappa: float = 1.0) -> NDArray[np.float64]:
    """Spin-1/2 REDOR dephasing ΔS/S0 = 1 − R(κ D t).

    Parameters
    ----------
    t_s
        Total recoupling time(s) in s.
    d_hz
        Dipolar coupling constant D in Hz.
    kappa
        Recoupling scaling factor (1 for π-pulse REDOR).
    """
    # 1 − R(λ) = 2 g_{1/2}(λ): reuse the tabulated spin-1/2 universal curve.
    lam = kappa * d_hz * np.asarray(t_s, dtype=float)
    return 2.0 * respdor_universal(lam, 0.5)


def respdor_dephasing(
    t_s: ArrayLike, d_hz: float, f: float = 1.0, spin: float = 2.5, kappa: float = 1.0
) -> NDArray[np.float64]:
    """RESPDOR dephasing ΔS/S0 = f · g_I(κ D t).

    Parameters
    ----------
    t_s
        Total recoupling time(s) in s.
    d_hz
        Dipolar coupling constant D in Hz.
    f
        Dephased fraction (0 ≤ f ≤ 1).
    spin
        Spin I of the saturated nucleus (5/2 for 27Al).
    kappa
        Recoupling scaling factor (1 for π-pulse REDOR).

    Examples
    --------
    The universal curve of 27Al (I = 5/2) at λ = D·t = 0.2, 0.5 and 1 (f = 1, κ = 1):

    >>> import numpy as np
    >>> from cald.recoupling.redor import respdor_dephasing
    >>> np.round(respdor_dephasing([0.2e-3, 0.5e-3, 1e-3], 1000.0, 1.0, 2.5), 5)
    array([0.20302, 0.55789, 0.73166])
    """
    return dephasing(t_s, d_hz, f, spin, kappa, "respdor")


def check_experiment(experiment: str, spin: float) -> None:
    """Refuse an unknown experiment, and REDOR with a dephasing spin other than 1/2.

    Raises
    ------
    ParameterError
        ``experiment`` not in :data:`EXPERIMENTS`, or ``"redor"`` with I ≠ 1/2.
    """
    if experiment not in EXPERIMENTS:
        raise ParameterError(f"experiment {experiment!r} is not one of {', '.join(EXPERIMENTS)}")
    _check_spin(spin)
    if experiment == "redor" and abs(spin - 0.5) > 1e-9:
        raise ParameterError(
            f"REDOR is modelled for a spin-1/2 dephasing partner inverted by π pulses; a partner "
            f"of spin {spin:g} is not inverted as a whole and has no universal REDOR curve: "
            "measure and fit it as RESPDOR (experiment respdor, saturation pulse)")


LevelWeights = tuple[float, ...] | None


def _check_level_weights(level_weights: LevelWeights, spin: float, experiment: str) -> None:
    if level_weights is None:
        return
    if experiment != "respdor":
        raise ParameterError("level weights (a simulated saturation pulse) apply to RESPDOR only")
    if len(level_weights) != _check_spin(spin) + 1:
        raise ParameterError(f"level weights need 2I + 1 = {_check_spin(spin) + 1} values for spin "
                             f"{spin:g}, got {len(level_weights)}")


def universal_curve(lam: ArrayLike, spin: float, experiment: str = "respdor",
                    level_weights: LevelWeights = None) -> NDArray[np.float64]:
    """ΔS/S0 at f = 1 as a function of λ = κ·D·t: g_I(λ) for RESPDOR, 1 − R(λ) for REDOR.

    Parameters
    ----------
    lam
        λ = κ·D·t, dimensionless.
    spin
        Spin I of the dephasing nucleus (1/2 for REDOR).
    experiment
        ``"respdor"`` or ``"redor"`` (:func:`check_experiment`).
    level_weights
        RESPDOR with an incomplete saturation: the probabilities p_k (k = 0 … 2I) that the pulse
        changes m by |Δm| = k (:func:`cald.recoupling.spindynamics.level_change_weights`); the
        curve is then Σ_{k≥1} p_k [1 − R(kλ)] (g_I for the ideal p_k = 2(2I + 1 − k)/(2I + 1)²).
    """
    check_experiment(experiment, spin)
    _check_level_weights(level_weights, spin, experiment)
    if level_weights is not None:  # 1 − R(kλ) = 2 g_{1/2}(kλ)
        lam_arr = np.asarray(lam, dtype=float)
        return sum((2.0 * w * respdor_universal(k * lam_arr, 0.5)
                    for k, w in enumerate(level_weights) if k > 0), np.zeros_like(lam_arr))
    if experiment == "redor":  # 1 − R(λ) = 2 g_{1/2}(λ)
        return 2.0 * respdor_universal(lam, 0.5)
    return respdor_universal(lam, spin)


def plateau(spin: float, experiment: str = "respdor", level_weights: LevelWeights = None) -> float:
    """Long-time limit of :func:`universal_curve`: 2I/(2I + 1) for RESPDOR, 1 for REDOR,
    Σ_{k≥1} p_k with ``level_weights``."""
    check_experiment(experiment, spin)
    _check_level_weights(level_weights, spin, experiment)
    if level_weights is not None:
        return float(sum(level_weights[1:]))
    return 1.0 if experiment == "redor" else respdor_plateau(spin)


def short_time_coefficient(spin: float, experiment: str = "respdor",
                           level_weights: LevelWeights = None) -> float:
    """c in :func:`universal_curve` ≈ c λ²: (32/45) I(I + 1) for RESPDOR, 16/15 for REDOR,
    (16/15) Σ_k p_k k² with ``level_weights``."""
    check_experiment(experiment, spin)
    _check_level_weights(level_weights, spin, experiment)
    if level_weights is not None:
        return 16.0 / 15.0 * float(sum(w * k * k for k, w in enumerate(level_weights)))
    return 16.0 / 15.0 if experiment == "redor" else respdor_short_time_coefficient(spin)


def dephasing(t_s: ArrayLike, d_hz: float, f: float = 1.0, spin: float = 2.5, kappa: float = 1.0,
              experiment: str = "respdor", level_weights: LevelWeights = None
              ) -> NDArray[np.float64]:
    """Dephasing ΔS/S0 = f · (universal curve)(κ D t) of RESPDOR or REDOR.

    Parameters
    ----------
    t_s
        Total recoupling time(s) in s.
    d_hz
        Dipolar coupling constant D in Hz.
    f
        Dephased fraction (0 ≤ f ≤ 1): the plateau is f·2I/(2I+1) for RESPDOR, f for REDOR.
    spin
        Spin I of the dephasing nucleus (1/2 for REDOR).
    kappa
        Recoupling scaling factor (1 for π-pulse REDOR).
    experiment
        ``"respdor"`` (saturation) or ``"redor"`` (π-pulse inversion of a spin-1/2 partner).
    level_weights
        |Δm| probabilities of an incomplete saturation (:func:`universal_curve`).
    """
    return f * universal_curve(kappa * d_hz * np.asarray(t_s, dtype=float), spin, experiment,
                               level_weights)
