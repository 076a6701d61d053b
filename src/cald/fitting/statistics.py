"""Goodness of fit and information criteria, computed once for every fit family.

:class:`FitStatistics` carries χ², χ²ᵣ (or the residual standard deviation), AIC, AICc, BIC and
applies the uncertainty rule of :mod:`cald.fitting`: with σ known the covariance is not
rescaled and χ²ᵣ is reported; with σ estimated from the residuals the covariance is scaled by
χ²/(n − k), ``redchi`` is ``None`` and ``residual_std`` = √(χ²/(n − k)) is reported instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["FitStatistics", "information_criteria"]


def information_criteria(chisqr: float, n_points: int, n_varys: int,
                         sigma_known: bool) -> tuple[float, float, float]:
    """AIC, AICc and BIC of a least-squares fit (Gaussian likelihood, constants dropped).

    Parameters
    ----------
    chisqr
        Sum of squared (weighted) residuals.
    n_points, n_varys
        Number of data points n and of varied parameters k.
    sigma_known
        True when the residuals are weighted by a known σ: the log-likelihood term is χ²;
        otherwise σ is estimated from the residuals and the term is n·ln(χ²/n).

    Returns
    -------
    tuple of float
        (AIC, AICc, BIC) = (L + 2k, AIC + 2k(k+1)/(n−k−1), L + k ln n); AICc is ``inf`` when
        n − k − 1 ≤ 0.
    """
    n, k = int(n_points), int(n_varys)
    core = chisqr if sigma_known else n * np.log(max(chisqr, 1e-300) / n)
    aic = core + 2 * k
    aicc = aic + (2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else np.inf)
    bic = core + k * np.log(n)
    return float(aic), float(aicc), float(bic)


@dataclass(frozen=True)
class FitStatistics:
    """Statistics of one least-squares fit.

    Attributes
    ----------
    chisqr
        Σ (residual/σ)² with σ known; Σ residual² (unit weights) when σ is estimated.
    redchi
        χ²/(n − k) when σ is known; ``None`` when σ is estimated from the residuals (it would
        be 1 by construction, or a meaningless number computed with σ = 1).
    residual_std
        √(χ²/(n − k)): the standard deviation of the residuals in data units, reported when σ is
        estimated (``None`` when σ is known).
    aic, aicc, bic
        From :func:`information_criteria`.
    n_points, n_varys
        n and k.
    sigma_known
        True when σ was given or measured (not estimated from the residuals).
    """

    chisqr: float
    redchi: float | None
    residual_std: float | None
    aic: float
    aicc: float
    bic: float
    n_points: int
    n_varys: int
    sigma_known: bool

    @classmethod
    def from_chisqr(cls, chisqr: float, n_points: int, n_varys: int,
                    sigma_known: bool) -> FitStatistics:
        """Statistics of a fit with this χ² (see the class attributes for the rule)."""
        n, k = int(n_points), int(n_varys)
        raw = float(chisqr) / (n - k) if n > k else float("nan")
        aic, aicc, bic = information_criteria(float(chisqr), n, k, sigma_known)
        return cls(float(chisqr), raw if sigma_known else None,
                   None if sigma_known else float(np.sqrt(raw)), aic, aicc, bic, n, k,
                   bool(sigma_known))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FitStatistics:
        """The statistics :meth:`to_dict` wrote (``aicc`` recomputed when a family's dictionary
        leaves it out)."""
        aicc = d.get("aicc")
        if aicc is None:
            aicc = information_criteria(d["chisqr"], d["n_points"], d["n_varys"],
                                        d["sigma_known"])[1]
        return cls(d["chisqr"], d.get("redchi"), d.get("residual_std"), d["aic"], aicc, d["bic"],
                   d["n_points"], d["n_varys"], d["sigma_known"])

    @property
    def chisqr_per_dof(self) -> float:
        """χ²/(n − k) whatever σ is (NaN when n ≤ k): the factor the covariance is scaled by
        when σ is estimated, and the Δχ² scale of profile intervals."""
        n, k = self.n_points, self.n_varys
        return self.chisqr / (n - k) if n > k else float("nan")

    @property
    def covariance_scale(self) -> float:
        """Factor applied to the unscaled covariance (J^T W J)⁻¹: 1 with σ known, χ²/(n − k)
        with σ estimated."""
        return 1.0 if self.sigma_known else self.chisqr_per_dof

    def quality(self) -> str:
        """``χ²ᵣ = …`` with σ known, ``residual s.d. = …`` with σ estimated."""
        if self.redchi is not None:
            return f"χ²ᵣ = {self.redchi:.3g}"
        return f"residual s.d. = {self.residual_std:.3g} (σ estimated)"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (``redchi`` is always present, ``None`` with σ estimated)."""
        return {"chisqr": self.chisqr, "redchi": self.redchi, "residual_std": self.residual_std,
                "aic": self.aic, "aicc": self.aicc, "bic": self.bic, "n_points": self.n_points,
                "n_varys": self.n_varys, "sigma_known": self.sigma_known}
