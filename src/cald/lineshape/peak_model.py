"""The composite peak model: lines of one shape plus a baseline, with ties between peaks
(:class:`PeakTies`), as an lmfit composite model (:class:`PeakModel`) evaluated with plain numpy in
the fit."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import lmfit
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.errors import ParameterError
from cald.lineshape.profiles import line_shape

__all__ = ["BASELINES", "PeakTies", "PeakModel"]


def _baseline_constant(x: NDArray[np.float64], c0: float) -> NDArray[np.float64]:
    return np.full(np.shape(x), c0, dtype=float)


def _baseline_linear(x: NDArray[np.float64], c0: float, c1: float, x_ref: float) -> NDArray[np.float64]:
    return c0 + c1 * (np.asarray(x, dtype=float) - x_ref)


#: Baselines fitted together with the peaks (``bl_c0 + bl_c1 (x − bl_x_ref)``, x_ref the middle
#: of the region, fixed).
BASELINES: dict[str, Callable[..., NDArray[np.float64]]] = {
    "constant": _baseline_constant,
    "linear": _baseline_linear,
}


# --- ties and the composite model -----------------------------------------------------------


@dataclass(frozen=True)
class PeakTies:
    """Constraints between peaks (indices are positions in the peak list, from 0).

    Attributes
    ----------
    equal_widths
        All peaks share the widths of peak 0 (both parts for Voigt lines; η stays free).
    fixed_separations
        ``{(i, j): delta}``: center_j = center_i + delta (axis units), held exactly through an
        lmfit expression. A peak can be tied to one other peak; chains are allowed, loops not.
    fix_centers
        ``True`` holds every center not tied by a separation at its starting value; a sequence
        of indices holds those.
    """

    equal_widths: bool = False
    fixed_separations: Mapping[tuple[int, int], float] = field(default_factory=dict)
    fix_centers: bool | Sequence[int] = False

    @classmethod
    def coerce(cls, ties: PeakTies | Mapping[str, Any] | None) -> PeakTies:
        """A :class:`PeakTies` from ``None``, an instance or a mapping of its field names."""
        if ties is None:
            return cls()
        if isinstance(ties, PeakTies):
            return ties
        if not isinstance(ties, Mapping):
            raise ParameterError(f"ties must be a PeakTies or a mapping, got {type(ties).__name__}")
        unknown = sorted(set(ties) - {"equal_widths", "fixed_separations", "fix_centers"})
        if unknown:
            raise ParameterError(f"unknown tie(s) {unknown}; use equal_widths, fixed_separations, "
                                 "fix_centers")
        return cls(**ties)

    def separation_of(self, n_peaks: int) -> dict[int, tuple[int, float]]:
        """``{j: (i, delta)}`` after checking indices, single ties and loops."""
        out: dict[int, tuple[int, float]] = {}
        for key, delta in dict(self.fixed_separations).items():
            try:
                i, j = (int(k) for k in key)
            except (TypeError, ValueError):
                raise ParameterError(f"fixed separation key {key!r} must be a pair of peak indices "
                                     "(i, j)") from None
            if not (0 <= i < n_peaks and 0 <= j < n_peaks) or i == j:
                raise ParameterError(f"fixed separation ({i}, {j}): indices must be two different "
                                     f"peaks among 0..{n_peaks - 1}")
            if not np.isfinite(delta):
                raise ParameterError(f"fixed separation ({i}, {j}) must be finite, got {delta}")
            if j in out:
                raise ParameterError(f"peak {j} is tied by two fixed separations; tie it once")
            out[j] = (i, float(delta))
        for start in out:
            seen, node = {start}, start
            while node in out:
                node = out[node][0]
                if node in seen:
                    raise ParameterError(f"fixed separations form a loop through peak {start}")
                seen.add(node)
        return out

    def fixed_center_indices(self, n_peaks: int) -> set[int]:
        """Indices whose centers are held fixed."""
        tied = set(self.separation_of(n_peaks))
        if self.fix_centers is True:
            return set(range(n_peaks)) - tied
        if self.fix_centers is False:
            return set()
        if isinstance(self.fix_centers, str | bytes) or not isinstance(self.fix_centers, Sequence):
            raise ParameterError("fix_centers must be True/False or a sequence of peak indices")
        chosen = set()
        for k in self.fix_centers:
            if not (isinstance(k, int | np.integer) and 0 <= k < n_peaks):
                raise ParameterError(f"fix_centers: {k!r} is not a peak index among 0..{n_peaks - 1}")
            if k in tied:
                raise ParameterError(f"peak {k} is both fixed and tied by a fixed separation")
            chosen.add(int(k))
        return chosen

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (separations as ``[i, j, delta]`` triples)."""
        fix = self.fix_centers if isinstance(self.fix_centers, bool) else sorted(self.fix_centers)
        return {"equal_widths": self.equal_widths,
                "fixed_separations": [[int(i), int(j), float(d)]
                                      for (i, j), d in dict(self.fixed_separations).items()],
                "fix_centers": fix}


class PeakModel:
    """Sum of ``n_peaks`` lines of one shape plus an optional baseline, as an lmfit composite
    model; parameters ``p{i}_center``, ``p{i}_<width>``, ``p{i}_area`` … and ``bl_c0``,
    ``bl_c1``, ``bl_x_ref`` (fixed).

    Parameters
    ----------
    n_peaks
        Number of lines (≥ 1).
    shape
        Key of :data:`SHAPES`.
    baseline
        ``"linear"``, ``"constant"`` or ``None``.
    ties
        :class:`PeakTies` (or a mapping of its fields).
    """

    def __init__(self, n_peaks: int, shape: str = "voigt", baseline: str | None = "linear",
                 ties: PeakTies | Mapping[str, Any] | None = None) -> None:
        if isinstance(n_peaks, bool) or not isinstance(n_peaks, int | np.integer) or n_peaks < 1:
            raise ParameterError(f"the number of peaks must be an integer ≥ 1, got {n_peaks!r}")
        if baseline is not None and baseline not in BASELINES:
            raise ParameterError(f"unknown baseline {baseline!r}; choose from "
                                 f"{', '.join(BASELINES)} or None")
        self.n_peaks = int(n_peaks)
        self.shape = line_shape(shape)
        self.baseline = baseline
        self.ties = PeakTies.coerce(ties)
        self.separations = self.ties.separation_of(self.n_peaks)
        self.fixed_centers = self.ties.fixed_center_indices(self.n_peaks)
        model: lmfit.Model = lmfit.Model(self.shape.function, prefix="p0_")
        for i in range(1, self.n_peaks):
            model = model + lmfit.Model(self.shape.function, prefix=f"p{i}_")
        if baseline is not None:
            model = model + lmfit.Model(BASELINES[baseline], prefix="bl_")
        self.model = model

    def peak_param(self, i: int, name: str) -> str:
        """lmfit name of parameter ``name`` of peak ``i``."""
        return f"p{i}_{name}"

    def make_params(self, starts: Sequence[Mapping[str, float]],
                    center_bounds: tuple[float, float] = (-np.inf, np.inf),
                    width_bounds: tuple[float, float] = (0.0, np.inf),
                    baseline_start: tuple[float, float] = (0.0, 0.0),
                    x_ref: float = 0.0) -> lmfit.Parameters:
        """Parameters with bounds and ties from one starting mapping per peak (keys: the shape's
        parameter names; missing shape parameters come from ``fwhm`` via
        :meth:`LineShape.start_values`). Tied centers start at center_i + delta."""
        if len(starts) != self.n_peaks:
            raise ParameterError(f"{len(starts)} starting guesses for {self.n_peaks} peaks")
        params = lmfit.Parameters()
        lo_c, hi_c = center_bounds
        lo_w, hi_w = width_bounds
        centers = [float(s["center"]) for s in starts]
        for j in self._tie_order():
            i, delta = self.separations[j]
            centers[j] = centers[i] + delta
        for i, start in enumerate(starts):
            values = dict(start)
            if any(p not in values for p in self.shape.shape_params):
                values = {**self.shape.start_values(float(values.get("fwhm", 1.0))), **values}
            p = self.peak_param
            if i in self.separations:
                src, delta = self.separations[i]
                params.add(p(i, "center"), expr=f"{p(src, 'center')} + ({delta!r})")
            else:
                params.add(p(i, "center"), value=centers[i], min=lo_c, max=hi_c,
                           vary=i not in self.fixed_centers)
            for w in self.shape.widths:
                if self.ties.equal_widths and i > 0:
                    params.add(p(i, w), expr=p(0, w))
                else:
                    params.add(p(i, w), value=float(np.clip(values[w], lo_w, hi_w)), min=lo_w, max=hi_w)
            if "eta" in self.shape.params:
                params.add(p(i, "eta"), value=float(np.clip(values["eta"], 0.0, 1.0)), min=0.0, max=1.0)
            params.add(p(i, "area"), value=max(float(values["area"]), 0.0), min=0.0)
        if self.baseline is not None:
            params.add("bl_c0", value=float(baseline_start[0]))
        if self.baseline == "linear":
            params.add("bl_c1", value=float(baseline_start[1]))
            params.add("bl_x_ref", value=float(x_ref), vary=False)
        return params

    def _tie_order(self) -> list[int]:
        """Tied peaks ordered so that every source comes before the peaks tied to it."""
        order: list[int] = []

        def visit(j: int) -> None:
            if j in order:
                return
            src = self.separations[j][0]
            if src in self.separations:
                visit(src)
            order.append(j)

        for j in self.separations:
            visit(j)
        return order

    def n_varys(self) -> int:
        """Number of parameters the fit varies."""
        starts = [{"center": 0.0, "fwhm": 1.0, "area": 1.0}] * self.n_peaks
        return sum(1 for par in self.make_params(starts).values() if par.vary and par.expr is None)

    def evaluate(self, x: ArrayLike, values: Mapping[str, float]) -> NDArray[np.float64]:
        """Total model (peaks + baseline) at ``x`` for parameter ``values``."""
        x = np.asarray(x, dtype=float)
        return np.sum(self.components(x, values), axis=0) + self.baseline_curve(x, values)

    def components(self, x: ArrayLike, values: Mapping[str, float]) -> list[NDArray[np.float64]]:
        """One curve per peak (no baseline)."""
        x = np.asarray(x, dtype=float)
        return [self.shape.function(x, **{n: values[self.peak_param(i, n)] for n in self.shape.params})
                for i in range(self.n_peaks)]

    def baseline_curve(self, x: ArrayLike, values: Mapping[str, float]) -> NDArray[np.float64]:
        """The baseline at ``x`` (zeros without one)."""
        x = np.asarray(x, dtype=float)
        if self.baseline == "linear":
            return _baseline_linear(x, values["bl_c0"], values["bl_c1"], values["bl_x_ref"])
        if self.baseline == "constant":
            return _baseline_constant(x, values["bl_c0"])
        return np.zeros(x.shape)

    def fit(self, x: ArrayLike, y: ArrayLike, params: lmfit.Parameters,
            weights: ArrayLike | None = None, scale_covar: bool = False) -> lmfit.minimizer.MinimizerResult:
        """Weighted least squares on ``params`` (from :meth:`make_params`): trust-region reflective
        (bounds honoured exactly, no variable transform to distort the covariance) with LSMR
        steps (no dense SVD per iteration), tolerances 10⁻¹⁰ so that noiseless data are fitted to
        ~10⁻⁸ even for weak lines.

        The residual evaluates the same sum as :attr:`model` (``self.model.eval(params, x=x)``)
        with plain numpy, which is several times faster than going through ``Model.fit``; the
        result is lmfit's ``MinimizerResult`` (``params``, ``covar``, ``uvars``, ``chisqr`` …)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        w = None if weights is None else np.asarray(weights, dtype=float)

        def residual(p: lmfit.Parameters) -> NDArray[np.float64]:
            r = self.evaluate(x, p.valuesdict()) - y
            return r if w is None else r * w

        return lmfit.minimize(residual, params, method="least_squares", scale_covar=scale_covar,
                              x_scale="jac", tr_solver="lsmr", ftol=1e-10, xtol=1e-10, gtol=1e-10)
