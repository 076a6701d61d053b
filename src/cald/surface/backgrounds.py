"""XPS backgrounds on a binding-energy axis: Shirley (iterative, and the step of the fitted peaks),
Tougaard (CasaXPS's U 2/U 3 forms, Tougaard's universal U2, the Hesse–Denecke four-parameter
form) and linear.

Conventions: ``x`` is binding energy in eV in either orientation, ``y`` the intensity on it; the
background is returned on ``x``'s order. Inelastic losses raise the background on the **high-BE**
side of a peak, so every background here starts at the low-BE end level and integrates towards
high BE. An end level is the mean of ``n_average`` points at that end (CasaXPS averages
2·AvWidth + 1 points; the FeO file's U 3 background is matched to 0.2 % of its range with 5
points, see the tests).

* :func:`shirley` — the classic iterative Shirley: B(E) = I_low + (I_high − I_low)·A(E)/A_tot with
  A(E) = ∫ (y − B) from the low-BE end to E, iterated until B changes by less than ``tol`` × the
  step; the end values are the two end levels exactly.
* :func:`shirley_integral` — ∫ peaks from the low-BE end to E: the "active" Shirley fitted together
  with the peaks (:mod:`cald.surface.xps`) is level + k·shirley_integral(x, peaks) with level and
  k fitted. cald integrates the **model's peaks**, not the data (lmfitxps integrates the data,
  Herrera-Gomez's active background): at the optimum this is the Shirley of the fitted lines, free
  of the noise of the data.
* :func:`tougaard` — B(E) = J_low + ∫_{E′<E} K(E − E′)·(J(E′) − J_low) dE′ with
  K(T) = B·T / ((C + C′·T²)² + D·T²) for T > T₀, else 0 (trapezoid weights, O(n²)).
  C′ = −1 is CasaXPS's form: its ``U 3 Tougaard`` region fields ``B C D T₀`` (FeO: 335.44588 551
  436 3) and its ``U 2 Tougaard`` fields ``B C 0 0`` (``B −450 0 0``: K = B·T/(450 + T²)²) go in as
  stored. :func:`tougaard_u2` is Tougaard's two-parameter universal cross-section
  K = B·T/(C + T²)² (B ≈ 2866 eV², C = 1643 eV²; S. Tougaard, Surf. Interface Anal. 25 (1997) 137).
  A free C′ is the Hesse–Denecke form (R. Hesse, R. Denecke, Surf. Interface Anal. 43 (2011)
  1514); that CasaXPS's ``U 4 Tougaard`` is this form is **unverified** (no U 4 file was found).
* :func:`linear_background` — the straight line between the two end levels.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.errors import ParameterError

__all__ = [
    "end_levels",
    "linear_background",
    "shirley",
    "shirley_integral",
    "tougaard",
    "tougaard_kernel",
    "tougaard_u2",
]


def _axis(x: ArrayLike, y: ArrayLike | None = None
          ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None, NDArray[np.intp]]:
    """x (and y) sorted by increasing binding energy, and the permutation that sorted them."""
    xa = np.asarray(x, dtype=float)
    if xa.ndim != 1 or xa.size < 2:
        raise ParameterError(f"a background needs a 1D axis of at least 2 points, got shape {xa.shape}")
    if not np.all(np.isfinite(xa)):
        raise ParameterError("the energy axis holds non-finite values")
    order = np.argsort(xa, kind="stable")
    xs = xa[order]
    if np.any(np.diff(xs) == 0):
        raise ParameterError("the energy axis repeats a value")
    if y is None:
        return xs, None, order
    ya = np.asarray(y, dtype=float)
    if ya.shape != xa.shape:
        raise ParameterError(f"intensity shape {ya.shape} does not match the axis {xa.shape}")
    if not np.all(np.isfinite(ya)):
        raise ParameterError("the intensity holds NaN or infinite values")
    return xs, ya[order], order


def _unsort(values: NDArray[np.float64], order: NDArray[np.intp]) -> NDArray[np.float64]:
    out = np.empty_like(values)
    out[order] = values
    return out


def _levels(ys: NDArray[np.float64], n_average: int) -> tuple[float, float]:
    if isinstance(n_average, bool) or not isinstance(n_average, int | np.integer) or n_average < 1:
        raise ParameterError(f"n_average must be an integer ≥ 1, got {n_average!r}")
    n = min(int(n_average), ys.size)
    return float(np.mean(ys[:n])), float(np.mean(ys[-n:]))


def end_levels(x: ArrayLike, y: ArrayLike, n_average: int = 1) -> tuple[float, float]:
    """(low-BE level, high-BE level): means of ``n_average`` points at each end of the axis."""
    _, ys, _ = _axis(x, y)
    assert ys is not None
    return _levels(ys, n_average)


def _cumulative(xs: NDArray[np.float64], f: NDArray[np.float64]) -> NDArray[np.float64]:
    """∫ f from xs[0] to each xs[i] (trapezoids)."""
    return np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(xs))])


def shirley_integral(x: ArrayLike, peaks: ArrayLike) -> NDArray[np.float64]:
    """∫ ``peaks`` dE from the low-BE end to each point (trapezoids), on ``x``'s order: 0 at the
    low-BE end, the peaks' area in the window at the high-BE end."""
    xs, ps, order = _axis(x, peaks)
    assert ps is not None
    return _unsort(_cumulative(xs, ps), order)


def shirley(x: ArrayLike, y: ArrayLike, n_average: int = 1, tol: float = 1e-7,
            max_iter: int = 200) -> NDArray[np.float64]:
    """Iterative Shirley background of ``y`` on ``x`` (binding energy, eV).

    Parameters
    ----------
    x, y
        Axis (either orientation) and intensity.
    n_average
        Points averaged for each end level.
    tol
        Convergence: largest change of the background < ``tol`` × |I_high − I_low| (or × the
        largest |y| when the ends are level).
    max_iter
        Iterations before giving up.

    Raises
    ------
    ParameterError
        No signal above the background (A_tot ≤ 0 at some iteration), or no convergence.

    Examples
    --------
    A GL(30) line on a step of 50 counts (100 at low BE, 150 at high BE):

    >>> import numpy as np
    >>> from cald.surface.backgrounds import shirley
    >>> from cald.surface.lineshapes import gl
    >>> be = np.linspace(400.0, 415.0, 301)
    >>> peak = gl(be, 405.3, 1.0, 1000.0)
    >>> y = peak + 100.0 + 50.0 * np.cumsum(peak) / peak.sum()
    >>> bg = shirley(be, y, n_average=3)
    >>> print(f"{bg[0]:.1f} {bg[-1]:.1f}")
    100.0 150.0
    """
    xs, ys, order = _axis(x, y)
    assert ys is not None
    low, high = _levels(ys, n_average)
    scale = abs(high - low) or float(np.max(np.abs(ys))) or 1.0
    bg = np.full(ys.size, low)
    for _ in range(max_iter):
        area = _cumulative(xs, ys - bg)
        if not area[-1] > 0:
            raise ParameterError("no signal above the Shirley background in the region "
                                 "(the area between the data and the background is not positive)")
        new = low + (high - low) * area / area[-1]
        if np.max(np.abs(new - bg)) < tol * scale:
            return _unsort(new, order)
        bg = new
    raise ParameterError(f"the Shirley background did not converge in {max_iter} iterations")


def tougaard_kernel(t_ev: ArrayLike, b: float, c: float, c_prime: float = -1.0, d: float = 0.0,
                    t0_ev: float = 0.0) -> NDArray[np.float64]:
    """K(T) = B·T / ((C + C′·T²)² + D·T²) for T > T₀, 0 elsewhere (1/eV; T = energy loss, eV;
    B, C, D in the eV powers that make K so)."""
    t = np.asarray(t_ev, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = b * t / ((c + c_prime * t * t) ** 2 + d * t * t)
    return np.where(t > t0_ev, np.nan_to_num(k, nan=0.0, posinf=0.0, neginf=0.0), 0.0)


def tougaard(x: ArrayLike, y: ArrayLike, b: float, c: float, d: float = 0.0, t0_ev: float = 0.0,
             c_prime: float = -1.0, n_average: int = 1) -> NDArray[np.float64]:
    """Tougaard background with the cross-section :func:`tougaard_kernel` (CasaXPS's form by
    default: C′ = −1 and the ``U 2``/``U 3`` region fields B, C, D, T₀ as stored).

    Returns
    -------
    The background on ``x``'s order; the low-BE end level J_low at the low-BE end.
    """
    xs, ys, order = _axis(x, y)
    assert ys is not None
    for name, value in (("b", b), ("c", c), ("d", d), ("t0_ev", t0_ev), ("c_prime", c_prime)):
        if not np.isfinite(value):
            raise ParameterError(f"Tougaard {name} must be finite, got {value!r}")
    low, _ = _levels(ys, n_average)
    dx = np.diff(xs)
    weights = np.concatenate([[0.5 * dx[0]], 0.5 * (dx[1:] + dx[:-1]), [0.5 * dx[-1]]])
    loss = xs[:, None] - xs[None, :]  # T = E − E′ ≥ 0 below the diagonal
    kernel = tougaard_kernel(loss, b, c, c_prime, d, t0_ev)
    return _unsort(low + kernel @ (weights * (ys - low)), order)


def tougaard_u2(x: ArrayLike, y: ArrayLike, b: float = 2866.0, c: float = 1643.0,
                n_average: int = 1) -> NDArray[np.float64]:
    """Tougaard's two-parameter universal background, K = B·T/(C + T²)² (B, C in eV²; defaults
    the universal values of Tougaard 1997)."""
    return tougaard(x, y, b, c, 0.0, 0.0, 1.0, n_average)


def linear_background(x: ArrayLike, y: ArrayLike, n_average: int = 1) -> NDArray[np.float64]:
    """Straight line through the two end levels (at the end points of the axis)."""
    xs, ys, order = _axis(x, y)
    assert ys is not None
    low, high = _levels(ys, n_average)
    return _unsort(low + (high - low) * (xs - xs[0]) / (xs[-1] - xs[0]), order)
