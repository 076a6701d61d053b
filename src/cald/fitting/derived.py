"""Quantities derived from fitted parameters, with errors propagated through the full covariance.

First-order propagation: σ_g² = ∇g · C · ∇g with the gradient by central differences (or exact
for fractions). A derived quantity whose inputs include a parameter at a bound gets no error and
a note: the covariance error of that input does not apply, so nothing computed from it does.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.fitting.bounds import derived_bound_note
from cald.fitting.estimate import NO_COVARIANCE, Estimate

__all__ = ["covariance_block", "fractions", "gradient", "propagate", "derived_estimate"]

_STEP = float(np.sqrt(np.finfo(float).eps))


def covariance_block(covar: NDArray[np.float64] | None, var_names: Sequence[str],
                     names: Sequence[str], exclude: Container[str] = ()
                     ) -> NDArray[np.float64] | None:
    """The covariance of ``names`` from that of the varied parameters ``var_names``.

    Rows and columns of parameters that were not varied (fixed) or are in ``exclude`` (e.g. at a
    bound) are zero. ``None`` when ``covar`` is ``None`` or not finite.
    """
    if covar is None or not np.all(np.isfinite(covar)):
        return None
    index = {n: i for i, n in enumerate(var_names)}
    idx = [index[n] if n in index and n not in exclude else -1 for n in names]
    out = np.zeros((len(names), len(names)))
    for r, i in enumerate(idx):
        for c, j in enumerate(idx):
            if i >= 0 and j >= 0:
                out[r, c] = covar[i, j]
    return out


def fractions(amounts: ArrayLike, covar: NDArray[np.float64] | None
              ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
    """f_i = A_i / Σ A with first-order errors from the full (correlated) covariance of the A.

    Parameters
    ----------
    amounts
        Areas or amplitudes A_i (one per component).
    covar
        Their covariance matrix, or ``None``.

    Returns
    -------
    fractions, errors
        NaN fractions and no errors when Σ A ≤ 0; errors ``None`` without a covariance.
    """
    a = np.asarray(amounts, dtype=float)
    total = float(np.sum(a))
    if not total > 0:
        return np.full(a.size, np.nan), None
    f = a / total
    if covar is None:
        return f, None
    jac = (np.eye(a.size) - f[:, None]) / total
    return f, np.sqrt(np.clip(np.diag(jac @ np.asarray(covar) @ jac.T), 0.0, None))


def gradient(func: Callable[..., float], values: Sequence[float]) -> NDArray[np.float64]:
    """∂func/∂values by central differences (step √ε·|x|, √ε at 0; the scheme of the
    ``uncertainties`` package, so that both give the same numbers)."""
    x = [float(v) for v in values]
    grad = np.zeros(len(x))
    for i in range(len(x)):
        h = _STEP * abs(x[i]) or _STEP
        shifted = list(x)
        shifted[i] += h
        plus = float(func(*shifted))
        shifted[i] -= 2 * h
        grad[i] = (plus - float(func(*shifted))) / 2 / h
    return grad


def propagate(func: Callable[..., float], values: Sequence[float],
              covar: NDArray[np.float64] | None) -> float | None:
    """Standard error of ``func(*values)`` from the covariance of ``values`` (``None`` without a
    covariance or when the result is not finite)."""
    if covar is None:
        return None
    g = gradient(func, values)
    var = float(g @ np.asarray(covar) @ g)
    return float(np.sqrt(max(var, 0.0))) if np.isfinite(var) else None


def derived_estimate(func: Callable[..., float], inputs: Sequence[Estimate],
                     covar: NDArray[np.float64] | None, unit: str = "", name: str = "") -> Estimate:
    """An :class:`Estimate` of ``func(*input values)`` with its propagated error.

    Parameters
    ----------
    func
        The derived quantity as a function of the input values, in order.
    inputs
        The estimates it is computed from.
    covar
        Covariance of the inputs (zero rows for fixed ones; see :func:`covariance_block`), or
        ``None`` when unavailable.
    unit, name
        Unit and name of the result.

    Returns
    -------
    Estimate
        Without error and with a note when an input is at a bound (or is derived from one), when
        a varied input has no error, or when the covariance is missing.
    """
    value = float(func(*(e.value for e in inputs)))
    labels = [e.name or f"input {i}" for i, e in enumerate(inputs)]
    bounded = [n for n, e in zip(labels, inputs, strict=True) if e.limited_by_bound]
    if bounded:
        return Estimate(value, None, unit, note=derived_bound_note(bounded), name=name,
                        bound="input")
    if covar is None:
        return Estimate(value, None, unit, note=NO_COVARIANCE, name=name)
    missing = [n for n, e in zip(labels, inputs, strict=True) if not e.fixed and e.stderr is None]
    if missing:
        return Estimate(value, None, unit, name=name,
                        note=f"derived from {', '.join(missing)}, which has no error: no error")
    return Estimate(value, propagate(func, [e.value for e in inputs], covar), unit, name=name)
