"""The base of every fit result: :class:`FitResult`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cald.fitting.display import Display, ResultDisplay, estimate_cells
from cald.fitting.estimate import Estimate
from cald.fitting.statistics import FitStatistics
from cald.spectrum import Spectrum

__all__ = ["FitResult", "curve_spectra"]


def curve_spectra(axis: Any, unit: str, curves: Mapping[str, Any], **meta: Any
                  ) -> dict[str, Spectrum]:
    """``{name: Spectrum}`` of curves sampled on one axis (what
    :meth:`ResultDisplay.curves <cald.fitting.display.ResultDisplay.curves>` returns); ``meta``
    are further :class:`~cald.spectrum.Spectrum` fields (``nucleus``, ``sf_mhz``, ``source``),
    the name goes into each spectrum's history."""
    return {name: Spectrum(np.asarray(values, dtype=float), np.asarray(axis, dtype=float), unit,
                           history=(name,), **meta)
            for name, values in curves.items()}


@dataclass(frozen=True, kw_only=True)
class FitResult(ResultDisplay):
    """What every fit reports: parameter estimates, statistics, notes, curves.

    Families derive from it (their own fields come first and stay positional) and override
    :meth:`curves`, :meth:`to_dict` and :meth:`report` where they show more; the report, the
    command line and the figures can read any fit through this interface, and a notebook shows
    it with ``_repr_html_`` and ``plot()`` (:class:`~cald.fitting.display.ResultDisplay`).

    Attributes
    ----------
    statistics
        χ², χ²ᵣ or residual s.d., AIC, AICc, BIC, n, k (:class:`FitStatistics`).
    params
        Estimates by parameter name.
    success, message
        The optimiser's verdict.
    notes
        Everything a reader must know to trust the numbers (at bounds, σ estimated …).
    """

    statistics: FitStatistics
    params: Mapping[str, Estimate] = field(default_factory=dict)
    success: bool = True
    message: str = ""
    notes: tuple[str, ...] = ()

    @property
    def chisqr(self) -> float:
        """χ² (see :class:`FitStatistics`)."""
        return self.statistics.chisqr

    @property
    def redchi(self) -> float | None:
        """χ²ᵣ with σ known; ``None`` with σ estimated (see :attr:`residual_std`)."""
        return self.statistics.redchi

    @property
    def residual_std(self) -> float | None:
        """Residual standard deviation with σ estimated; ``None`` with σ known."""
        return self.statistics.residual_std

    @property
    def aic(self) -> float:
        """Akaike information criterion."""
        return self.statistics.aic

    @property
    def aicc(self) -> float:
        """AIC with the small-sample correction."""
        return self.statistics.aicc

    @property
    def bic(self) -> float:
        """Bayesian information criterion."""
        return self.statistics.bic

    @property
    def n_points(self) -> int:
        """Number of fitted points."""
        return self.statistics.n_points

    @property
    def n_varys(self) -> int:
        """Number of varied parameters."""
        return self.statistics.n_varys

    @property
    def sigma_known(self) -> bool:
        """True when σ was given or measured."""
        return self.statistics.sigma_known

    def display(self) -> Display:
        """The notebook table of :meth:`to_dict`; a family whose dictionary has no ``params``
        (its estimates are shown per peak or site) also gets the fitted parameters, each with
        its error, unit and note, as a table of their own."""
        shown = super().display()
        if "params" not in self.to_dict() and self.params:
            shown.tables["fitted parameters"] = [estimate_cells(k, v)
                                                 for k, v in self.params.items()]
        return shown

    def value(self, name: str) -> float:
        """Best value of parameter ``name``."""
        return self.params[name].value

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary: ``params`` (each :meth:`Estimate.to_dict`), the statistics'
        keys, ``success``, ``message``, ``notes``."""
        return {"params": {k: v.to_dict() for k, v in self.params.items()},
                **self.statistics.to_dict(), "success": self.success, "message": self.message,
                "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], **fields: Any) -> Any:
        """The result :meth:`to_dict` wrote: the base fields (``params``, the statistics,
        ``success``, ``message``, ``notes``); a family passes its own ``fields``."""
        return cls(statistics=FitStatistics.from_dict(dict(d)),
                   params={k: Estimate.from_dict(v, k) for k, v in d.get("params", {}).items()},
                   success=bool(d.get("success", True)), message=d.get("message", ""),
                   notes=tuple(d.get("notes", ())), **fields)

    def report(self) -> str:
        """Short human-readable summary: one line per parameter, the fit quality, the notes."""
        lines = [f"fit: {self.statistics.quality()}, AIC = {self.aic:.2f}, BIC = {self.bic:.2f} "
                 f"({self.n_points} points, {self.n_varys} varied)"]
        lines.extend(f"  {k} = {v.format()}" + (f"  ({v.note})" if v.note else "")
                     for k, v in self.params.items())
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)
