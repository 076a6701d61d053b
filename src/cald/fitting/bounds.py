"""When is a fitted parameter "at a bound"? One tolerance rule for every fit family.

A varied parameter is at a bound when it lies within ``BOUND_RTOL`` × (its range) of that bound;
for a half-open range the tolerance is ``BOUND_RTOL`` × max(|bound|, ``scale``), ``scale`` being
a typical magnitude of the parameter that the caller knows (1 by default; e.g. the total area
for peak areas bounded below by 0). The covariance error of such a parameter does not apply
(the likelihood is cut by the bound), and nothing derived from it gets an error either.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Literal

import lmfit
import numpy as np

__all__ = [
    "BOUND_RTOL",
    "Side",
    "at_bound",
    "parameter_at_bound",
    "parameters_at_bound",
    "pin_at_bounds",
    "expression_inputs",
    "bound_note",
    "derived_bound_note",
]

#: Relative tolerance of :func:`at_bound`.
BOUND_RTOL = 1e-6

Side = Literal["lower", "upper"]


def at_bound(value: float, lower: float, upper: float, scale: float = 1.0) -> Side | None:
    """Which bound of [``lower``, ``upper``] ``value`` sits on, if any.

    Parameters
    ----------
    value
        Fitted value.
    lower, upper
        Bounds of the range (``-inf``/``inf`` for none).
    scale
        Typical magnitude of the parameter, used for the tolerance when the range is open on
        one side (> 0).

    Returns
    -------
    ``"lower"``, ``"upper"`` or ``None``.
    """
    span = upper - lower
    for side, bound in (("lower", lower), ("upper", upper)):
        if not np.isfinite(bound):
            continue
        tol = BOUND_RTOL * (span if np.isfinite(span) else max(abs(bound), scale))
        if abs(value - bound) <= tol:
            return side  # type: ignore[return-value]
    return None


def parameter_at_bound(par: lmfit.Parameter, scale: float = 1.0) -> Side | None:
    """:func:`at_bound` for a varied lmfit parameter (``None`` for fixed or tied ones)."""
    if not par.vary or par.expr is not None:
        return None
    return at_bound(float(par.value), float(par.min), float(par.max), scale)


def parameters_at_bound(params: lmfit.Parameters, names: Iterable[str] | None = None,
                        scale: float = 1.0) -> dict[str, Side]:
    """``{name: side}`` of the varied parameters (among ``names``, default all) at a bound."""
    out: dict[str, Side] = {}
    for name in params if names is None else names:
        side = parameter_at_bound(params[name], scale)
        if side is not None:
            out[name] = side
    return out


def pin_at_bounds(params: lmfit.Parameters, names: Iterable[str]) -> set[str]:
    """Fix the parameters among ``names`` that sit on a bound (the rule of :func:`at_bound`),
    exactly at that bound (before a final refit, so the others' errors exclude them); returns
    their names."""
    pinned = set(parameters_at_bound(params, names))
    for name in pinned:
        par = params[name]
        par.set(value=par.min if abs(par.value - par.min) <= abs(par.value - par.max) else par.max,
                vary=False)
    return pinned


def expression_inputs(params: lmfit.Parameters, name: str) -> set[str]:
    """Varied, untied parameters that parameter ``name`` depends on through its expression
    (transitively); empty for a parameter without an expression."""
    out: set[str] = set()
    pending = [name]
    seen = {name}
    while pending:
        par = params[pending.pop()]
        if par.expr is None:
            continue
        for node in ast.walk(ast.parse(par.expr, mode="eval")):
            if isinstance(node, ast.Name) and node.id in params and node.id not in seen:
                seen.add(node.id)
                dep = params[node.id]
                if dep.expr is not None:
                    pending.append(node.id)
                elif dep.vary:
                    out.add(node.id)
    return out


def bound_note(lower: float, upper: float, side: Side | None = None) -> str:
    """The note of an estimate at a bound."""
    where = "a bound" if side is None else f"the {side} bound"
    return f"at {where} of its range [{lower:g}, {upper:g}]: the covariance error does not apply"


def derived_bound_note(names: Iterable[str]) -> str:
    """The note of a derived estimate whose inputs include parameters at a bound."""
    listed = ", ".join(sorted(names))
    return f"derived from {listed} at a bound of its range: no error"
