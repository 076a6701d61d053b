"""Vectorised least squares for the one-distance model ΔS/S0 = f · g(κ D t) (g the RESPDOR or
REDOR universal curve, :func:`cald.recoupling.redor.universal_curve`).

For a fixed D the model is linear in f, so the best f (constrained to [0, 1]) has a closed form
and the χ² minimised over f is a one-dimensional *profile* in D. Evaluated on a log-spaced D
grid for many data vectors at once (matrix products), this gives in one pass

* a global starting point for the nonlinear fit (no local minimum can trap it),
* the profile-likelihood interval of D,
* hundreds of bootstrap refits per second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cald.recoupling.redor import LevelWeights, universal_curve

__all__ = ["DGrid", "ProfileSolution", "d_grid_for_times", "solve_profile", "profile_interval"]


@dataclass(frozen=True)
class DGrid:
    """Model curves of unit f on a log-spaced grid of D values.

    Attributes
    ----------
    t_s
        Recoupling times (s) the curves are evaluated at.
    spin, kappa
        Spin of the saturated nucleus and recoupling scaling factor.
    d_hz
        Grid of dipolar couplings (Hz), increasing, log-spaced.
    curves
        g(κ D_j t_i), shape (n_grid, n_times).
    experiment
        ``"respdor"`` or ``"redor"``: which universal curve g is.
    level_weights
        |Δm| probabilities of an incomplete saturation (RESPDOR; ``None``: ideal).
    """

    t_s: NDArray[np.float64]
    spin: float
    kappa: float
    d_hz: NDArray[np.float64]
    curves: NDArray[np.float64]
    experiment: str = "respdor"
    level_weights: LevelWeights = None

    def curves_at(self, d_hz: NDArray[np.float64]) -> NDArray[np.float64]:
        """g(κ D t) for arbitrary D values, shape (len(d_hz), n_times)."""
        return universal_curve(self.kappa * d_hz[:, None] * self.t_s[None, :], self.spin,
                               self.experiment, self.level_weights)


def d_grid_for_times(
    t_s: NDArray[np.float64], spin: float, kappa: float = 1.0, n_grid: int = 600,
    experiment: str = "respdor", level_weights: LevelWeights = None,
) -> DGrid:
    """D grid spanning couplings the times can resolve: from a curve that barely starts
    (λ = 0.03 at the longest time) to one already saturated at the shortest non-zero time
    (λ = 30)."""
    t_pos = t_s[t_s > 0]
    d_lo = 0.03 / (kappa * t_pos.max())
    d_hi = 30.0 / (kappa * t_pos.min())
    d = np.geomspace(d_lo, d_hi, n_grid)
    curves = universal_curve(kappa * d[:, None] * t_s[None, :], spin, experiment, level_weights)
    return DGrid(t_s, spin, kappa, d, curves, experiment, level_weights)


@dataclass(frozen=True)
class ProfileSolution:
    """Best (D, f) for each data vector, and its χ² profile over the D grid.

    Attributes
    ----------
    d_hz, f, chisqr
        Best values per data vector, shape (n_vectors,).
    at_edge
        True where the minimum lies at the first or last grid point (D not determined).
    profile
        χ² minimised over f at each grid D, shape (n_vectors, n_grid).
    """

    d_hz: NDArray[np.float64]
    f: NDArray[np.float64]
    chisqr: NDArray[np.float64]
    at_edge: NDArray[np.bool_]
    profile: NDArray[np.float64]


def _best_f(b, a, f_fixed):
    if f_fixed is not None:
        return np.full_like(b, f_fixed)
    return np.clip(b / a, 0.0, 1.0)


def solve_profile(
    grid: DGrid,
    y: NDArray[np.float64],
    weights: NDArray[np.float64],
    f_fixed: float | None = None,
) -> ProfileSolution:
    """Least-squares (D, f) for one or many data vectors.

    Parameters
    ----------
    grid
        Model curves on a D grid (:func:`d_grid_for_times`).
    y
        ΔS/S0, shape (n_times,) or (n_vectors, n_times).
    weights
        1/σ² per time, shape (n_times,).
    f_fixed
        Hold f at this value instead of fitting it.

    Returns
    -------
    ProfileSolution
        The grid minimum refined by a parabola through its neighbours in log D (relative error
        well below 1e-3 of D on the default grid).
    """
    y2 = np.atleast_2d(y)
    wg = grid.curves * weights[None, :]
    a = np.einsum("ji,ji->j", wg, grid.curves)  # Σ w g²
    b = y2 @ wg.T  # Σ w g y, (n_vectors, n_grid)
    c = (y2**2) @ weights  # Σ w y²
    f = _best_f(b, a[None, :], f_fixed)
    chi = c[:, None] - 2.0 * f * b + f**2 * a[None, :]
    j = np.argmin(chi, axis=1)
    rows = np.arange(chi.shape[0])
    n = grid.d_hz.size
    at_edge = (j == 0) | (j == n - 1)
    jc = np.clip(j, 1, n - 2)
    ym, y0, yp = chi[rows, jc - 1], chi[rows, jc], chi[rows, jc + 1]
    denom = ym - 2.0 * y0 + yp
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(denom > 0, 0.5 * (ym - yp) / denom, 0.0)
    shift = np.where(at_edge, 0.0, np.clip(shift, -1.0, 1.0))
    log_d = np.log(grid.d_hz)
    step = log_d[1] - log_d[0]
    d_best = np.exp(log_d[jc] + shift * step)
    d_best = np.where(at_edge, grid.d_hz[j], d_best)
    # f and χ² at the refined D, from the model curve there.
    g = grid.curves_at(d_best)
    wg_best = g * weights[None, :]
    f_best = _best_f(np.einsum("vi,vi->v", wg_best, y2), np.einsum("vi,vi->v", wg_best, g), f_fixed)
    resid = y2 - f_best[:, None] * g
    chi_best = (resid**2) @ weights
    return ProfileSolution(d_best, f_best, chi_best, at_edge, chi)


def profile_interval(
    grid: DGrid, profile: NDArray[np.float64], delta_chisqr: float
) -> tuple[float | None, float | None]:
    """Interval of D where the profile χ² is within ``delta_chisqr`` of its minimum.

    Returns ``None`` for a side on which the profile never rises that far inside the grid
    (the data do not bound D on that side).
    """
    prof = np.asarray(profile, dtype=float).ravel()
    j = int(np.argmin(prof))
    level = prof[j] + delta_chisqr
    log_d = np.log(grid.d_hz)

    def crossing(indices: range) -> float | None:
        prev = j
        for k in indices:
            if prof[k] >= level:
                x0, x1, p0, p1 = log_d[prev], log_d[k], prof[prev], prof[k]
                return float(np.exp(x0 + (level - p0) / (p1 - p0) * (x1 - x0)))
            prev = k
        return None

    return crossing(range(j - 1, -1, -1)), crossing(range(j + 1, prof.size))
