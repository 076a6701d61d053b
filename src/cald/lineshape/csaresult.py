"""Results of the CSA sideband fit: :class:`CsaSiteResult` per site and :class:`CsaFitResult`
(curves, statistics, ``to_dict()``, ``report()``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.fitting import FitResult, curve_spectra
from cald.lineshape.sidebands import SidebandTable, csa_sideband_spectrum
from cald.lineshape.tensor import CONVENTIONS, CsaTensor, _opt, _site_keys, _site_line
from cald.spectrum import Spectrum

__all__ = ["CsaSiteResult", "CsaFitResult"]


@dataclass(frozen=True)
class CsaSiteResult:
    """One fitted site: the tensor in all conventions, its amplitude, fraction and widths."""

    label: str
    tensor: CsaTensor
    amplitude: float
    amplitude_err: float | None
    fraction: float
    fraction_err: float | None
    fwhm_hz: float
    fwhm_hz_err: float | None
    fwhm_lorentz_hz: float
    fwhm_gauss_hz: float
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON-ready dictionary (the CLI contract's keys: ``iso_ppm``, ``zeta_ppm``, ``eta``,
        ``omega_ppm``, ``kappa``, ``fraction``; each with ``_err``)."""
        return {
            **_site_keys(self.label, self.tensor, self.fraction, self.fraction_err),
            "amplitude": self.amplitude,
            "amplitude_err": _opt(self.amplitude_err),
            "fwhm_hz": self.fwhm_hz,
            "fwhm_hz_err": _opt(self.fwhm_hz_err),
            "fwhm_lorentz_hz": self.fwhm_lorentz_hz,
            "fwhm_gauss_hz": self.fwhm_gauss_hz,
            "notes": list(self.notes),
        }



@dataclass(frozen=True)
class CsaFitResult(FitResult):
    """A fitted MAS sideband spectrum (a :class:`~cald.fitting.FitResult`: ``statistics`` with χ²,
    χ²ᵣ, AIC, AICc, BIC; ``params`` as estimates; notes).

    ``ppm``, ``data``, ``best_fit`` and ``components`` (one row per site) are on the fitted axis,
    in the spectrum's order; ``baseline`` is the constant offset (0 unless fitted). ``sigma`` is
    the noise σ the points were weighted with (``sigma_source`` says where it came from; ``None``
    when it was estimated from the residuals: unit weights, ``residual_std`` reported);
    ``mas_hz`` is the fitted MAS rate (``mas_hz_err``; the rate given in ``mas_hz_given``, held
    there when ``fix_mas``). ``start`` holds the starting (δiso, ζ, η, FWHM) after the grid,
    ``n_simulations`` the mrsimulator runs of this call (0 when the sideband table was stored),
    ``n_evaluations`` the model evaluations (grid points
    included), ``correl`` the parameter correlations with |r| > 0.5.
    """

    sites: tuple[CsaSiteResult, ...]
    nucleus: str
    larmor_mhz: float
    mas_hz: float
    lineshape: str
    ppm: NDArray[np.float64]
    data: NDArray[np.float64]
    best_fit: NDArray[np.float64]
    components: NDArray[np.float64]
    baseline: float
    sigma: float | None
    sigma_source: str
    n_simulations: int
    n_evaluations: int
    elapsed_s: float
    start: tuple[dict[str, float], ...]
    correl: dict[str, dict[str, float]] = field(default_factory=dict)
    table: SidebandTable | None = field(default=None, repr=False, compare=False)
    mas_hz_err: float | None = None
    mas_hz_given: float | None = None
    fix_mas: bool = False

    @property
    def fractions(self) -> NDArray[np.float64]:
        """Site fractions, in site order."""
        return np.array([s.fraction for s in self.sites])

    def model_curve(self, ppm: ArrayLike | None = None) -> NDArray[np.float64]:
        """The fitted spectrum (sites + baseline) on the data axis, or recomputed on ``ppm``."""
        if ppm is None:
            return self.best_fit.copy()
        return np.sum(self.component_curves(ppm), axis=0) + self.baseline

    def component_curves(self, ppm: ArrayLike | None = None) -> NDArray[np.float64]:
        """One row per site: its fitted manifold, on the data axis or recomputed on ``ppm``."""
        if ppm is None:
            return self.components.copy()
        return np.array([csa_sideband_spectrum(
            ppm, s.tensor.iso_ppm, s.tensor.zeta_ppm, s.tensor.eta, mas_hz=self.mas_hz,
            larmor_mhz=self.larmor_mhz, nucleus=self.nucleus, amplitude=s.amplitude,
            fwhm_lorentz_hz=s.fwhm_lorentz_hz, fwhm_gauss_hz=s.fwhm_gauss_hz, table=self.table)
            for s in self.sites])

    @property
    def residual(self) -> NDArray[np.float64]:
        """Data − fit on the data axis."""
        return self.data - self.best_fit

    def curves(self) -> dict[str, Spectrum]:
        """Data, fit, residual and one component per site (by label) as spectra on the fitted axis."""
        return curve_spectra(self.ppm, "ppm", {
            "data": self.data, "fit": self.best_fit, "residual": self.residual,
            **{s.label: c for s, c in zip(self.sites, self.components, strict=True)}},
            nucleus=self.nucleus, sf_mhz=self.larmor_mhz)

    def curve_lists(self) -> dict[str, Any]:
        """Curves for plotting: axis, data, fit, residual and one component per site (lists)."""
        return {"ppm": self.ppm.tolist(), "data": self.data.tolist(), "model": self.best_fit.tolist(),
                "residual": self.residual.tolist(),
                "components": {s.label: c.tolist() for s, c in zip(self.sites, self.components,
                                                                   strict=True)}}

    def to_dict(self, include_curves: bool = True) -> dict[str, Any]:
        """JSON-ready dictionary: ``sites`` (the CLI contract), fit statistics, notes and, unless
        ``include_curves`` is false, the curves for plotting."""
        out = {
            "sites": [s.to_dict() for s in self.sites],
            **self.statistics.to_dict(),
            "nucleus": self.nucleus,
            "larmor_mhz": self.larmor_mhz,
            "mas_hz": self.mas_hz,
            "mas_hz_err": _opt(self.mas_hz_err),
            "mas_hz_given": self.mas_hz_given,
            "fix_mas": self.fix_mas,
            "lineshape": self.lineshape,
            "baseline": self.baseline,
            "sigma": self.sigma,
            "sigma_source": self.sigma_source,
            "success": self.success,
            "message": self.message,
            "n_simulations": self.n_simulations,
            "n_evaluations": self.n_evaluations,
            "start": [dict(s) for s in self.start],
            "correl": self.correl,
            "conventions": CONVENTIONS,
            "notes": list(self.notes),
        }
        if include_curves:
            out["curves"] = self.curve_lists()
        return out

    def report(self) -> str:
        """Short human-readable summary."""
        lines = [f"CSA sideband fit: {self.nucleus} at {self.larmor_mhz:.4f} MHz, MAS "
                 f"{self.mas_hz / 1e3:.3g} kHz, {len(self.sites)} site(s), {self.lineshape}; "
                 f"{self.statistics.quality()} (σ {self.sigma_source}), BIC = {self.bic:.1f}"]
        if not self.fix_mas:
            err = "" if self.mas_hz_err is None else f" ± {self.mas_hz_err:.2g}"
            lines.append(f"  MAS rate fitted: {self.mas_hz:.2f}{err} Hz (given {self.mas_hz_given:g} Hz)")
        for s in self.sites:
            lines.append(_site_line(s.label, s.tensor, s.fraction, s.fraction_err)
                         + f", FWHM {s.fwhm_hz:.0f} Hz")
            lines.extend(f"    note: {n}" for n in s.notes)
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)
