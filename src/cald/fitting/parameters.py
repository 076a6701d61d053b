"""lmfit parameters → :class:`~cald.fitting.estimate.Estimate`, with the bound rule applied."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import lmfit
import numpy as np
import uncertainties
from numpy.typing import NDArray

from cald.fitting.bounds import (
    bound_note,
    derived_bound_note,
    expression_inputs,
    parameter_at_bound,
)
from cald.fitting.estimate import NO_COVARIANCE, Estimate, Interval

__all__ = ["estimate_of", "estimates_from_params", "parameter_covariance"]

ZERO_ERROR = "the covariance gives a zero error (degenerate Jacobian): no error reported"


def estimate_of(params: lmfit.Parameters, name: str, unit: str = "", scale: float = 1.0,
                intervals: dict[str, Interval | None] | None = None) -> Estimate:
    """The :class:`Estimate` of one parameter of a finished lmfit fit.

    Fixed parameters: no error, ``fixed`` True. Varied ones: lmfit's standard error, unless the
    parameter is at a bound (:func:`~cald.fitting.bounds.parameter_at_bound` with ``scale``), the
    error is missing or exactly zero; tied ones (an expression): lmfit's propagated error,
    unless a parameter they depend on is at a bound. Each missing error comes with a note.
    """
    par = params[name]
    value = float(par.value)
    extra = {} if intervals is None else dict(intervals)
    if par.expr is None and not par.vary:
        return Estimate(value, None, unit, True, extra, name=name)
    stderr = None if par.stderr is None or not np.isfinite(par.stderr) else float(par.stderr)
    if par.expr is not None:
        bounded = {n for n in expression_inputs(params, name)
                   if parameter_at_bound(params[n], scale) is not None}
        if bounded:
            return Estimate(value, None, unit, False, extra, derived_bound_note(bounded), name,
                            "input")
        return Estimate(value, stderr, unit, False, extra, None if stderr is not None
                        else NO_COVARIANCE, name)
    side = parameter_at_bound(par, scale)
    if side is not None:
        return Estimate(value, None, unit, False, extra, bound_note(par.min, par.max, side), name,
                        side)
    if stderr is None:
        return Estimate(value, None, unit, False, extra, NO_COVARIANCE, name)
    if stderr == 0.0:
        return Estimate(value, None, unit, False, extra, ZERO_ERROR, name)
    return Estimate(value, stderr, unit, False, extra, None, name)


def estimates_from_params(params: lmfit.Parameters, unit_of: Callable[[str], str] = lambda _: "",
                          names: Iterable[str] | None = None, scale: float = 1.0,
                          intervals: dict[str, Interval | None] | None = None
                          ) -> dict[str, Estimate]:
    """:func:`estimate_of` for every parameter (or ``names``), in order; ``unit_of(name)`` gives
    each unit and ``intervals`` the interval keys every estimate carries."""
    return {n: estimate_of(params, n, unit_of(n), scale, intervals)
            for n in (params if names is None else names)}


def parameter_covariance(uvars: Mapping[str, Any] | None, names: Sequence[str]
                         ) -> NDArray[np.float64] | None:
    """Covariance of any parameters of a finished lmfit fit, varied or tied (an expression of
    varied ones), from lmfit's correlated ``result.uvars``; parameters missing from ``uvars``
    (fixed) get zero rows. ``None`` when ``uvars`` is ``None`` (no covariance)."""
    if uvars is None:
        return None
    values = [uvars[n] for n in names if n in uvars]
    sub = np.asarray(uncertainties.covariance_matrix(values), dtype=float) if values else np.zeros((0, 0))
    idx = [i for i, n in enumerate(names) if n in uvars]
    out = np.zeros((len(names), len(names)))
    out[np.ix_(idx, idx)] = sub
    return out
