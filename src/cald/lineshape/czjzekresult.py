"""Results of the Czjzek-site fit (:func:`cald.lineshape.czjzekfit.fit_quadrupolar`): one
:class:`QuadrupolarSite` per site and :class:`QuadrupolarFitResult`, a
:class:`~cald.fitting.FitResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cald.fitting import Estimate, FitResult, curve_spectra
from cald.lineshape.czjzek import (
    SIGMA_CONVENTION,
    SIGMA_CZJZEK_PER_MRSIMULATOR,
    sigma_mrsimulator_from_czjzek,
)
from cald.spectrum import Spectrum

__all__ = ["CP_WARNING", "QuadrupolarSite", "QuadrupolarFitResult"]

#: The warning a Czjzek fit of a CP spectrum carries: its fractions are not quantitative.
CP_WARNING = (
    "Fractions are relative integrated central-transition intensities. After cross-polarisation "
    "(CP) they are not quantitative: CP efficiency depends on the proximity to 1H, the contact time "
    "and relaxation, and differs between sites. Only direct excitation with short pulses (≤ π/12), "
    "full relaxation and the whole lineshape inside the window gives quantitative fractions."
)


@dataclass(frozen=True)
class QuadrupolarSite:
    """One fitted Czjzek site.

    ``sigma_mhz`` is the Czjzek/dmfit σ (:data:`SIGMA_CONVENTION`); ``cq_mean_mhz`` the mean
    |C_Q| it implies; ``cog_ppm`` and ``peak_ppm`` the centre of gravity and maximum of the fitted
    component on the axis (below δiso by the quadrupolar-induced shift).
    """

    index: int
    label: str
    requested: str
    iso_ppm: Estimate
    sigma_mhz: Estimate
    spread_ppm: Estimate
    amplitude: Estimate
    fraction: Estimate
    cq_mean_mhz: Estimate
    cog_ppm: float
    peak_ppm: float
    grid_probability: float
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary; the CLI contract's keys first."""
        sig = self.sigma_mhz
        half = None if sig.stderr is None else sig.stderr / SIGMA_CZJZEK_PER_MRSIMULATOR
        return {
            "label": self.label,
            "iso_ppm": self.iso_ppm.value,
            "fraction": self.fraction.value,
            "fraction_err": self.fraction.stderr,
            "iso_ppm_err": self.iso_ppm.stderr,
            "sigma_mhz": sig.value,
            "sigma_mhz_err": sig.stderr,
            "sigma_convention": "czjzek",
            "sigma_czjzek_mhz": sig.value,
            "sigma_czjzek_mhz_err": sig.stderr,
            "sigma_mrsimulator_mhz": sigma_mrsimulator_from_czjzek(sig.value),
            "sigma_mrsimulator_mhz_err": half,
            "cq_mean_mhz": self.cq_mean_mhz.value,
            "cq_mean_mhz_err": self.cq_mean_mhz.stderr,
            "spread_ppm": self.spread_ppm.value,
            "spread_ppm_err": self.spread_ppm.stderr,
            "amplitude": self.amplitude.value,
            "amplitude_err": self.amplitude.stderr,
            "cog_ppm": self.cog_ppm,
            "peak_ppm": self.peak_ppm,
            "requested": self.requested,
            "grid_probability": self.grid_probability,
            "params": {p.name: p.to_dict() for p in (self.iso_ppm, self.sigma_mhz, self.spread_ppm,
                                                      self.amplitude, self.fraction, self.cq_mean_mhz)},
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class QuadrupolarFitResult(FitResult):
    """A Czjzek-site fit of a CT MAS spectrum (a :class:`~cald.fitting.FitResult`: statistics,
    ``params``, notes). ``to_dict()`` carries the CLI's JSON keys.

    ``axis``, ``data``, ``best_fit`` and ``components`` (one row per site) are on the fitted
    region of the spectrum's axis, in its order; they are not in ``to_dict()``.
    """

    nucleus: str
    field_1h_mhz: float
    larmor_mhz: float
    mas_hz: float | None
    sites: tuple[QuadrupolarSite, ...]
    fwhm_lorentz_hz: Estimate
    fwhm_gauss_hz: float
    noise: float | None
    noise_source: str
    nfev: int
    fit_seconds: float
    region: tuple[float, float]
    library: dict[str, Any]
    axis: NDArray[np.float64] = field(repr=False)
    data: NDArray[np.float64] = field(repr=False)
    best_fit: NDArray[np.float64] = field(repr=False)
    components: NDArray[np.float64] = field(repr=False)
    warning: str = CP_WARNING
    sigma_convention: str = SIGMA_CONVENTION

    @property
    def residual(self) -> NDArray[np.float64]:
        """data − best fit."""
        return self.data - self.best_fit

    def curves(self) -> dict[str, Spectrum]:
        """Data, fit, residual and one component per site (by label) on the fitted region."""
        return curve_spectra(self.axis, "ppm", {
            "data": self.data, "fit": self.best_fit, "residual": self.residual,
            **{s.label: c for s, c in zip(self.sites, self.components, strict=True)}},
            nucleus=self.nucleus, sf_mhz=self.larmor_mhz)

    def fraction(self, label: str) -> float:
        """Fraction of the (first) site named ``label``."""
        return next(s.fraction.value for s in self.sites if s.label == label)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "sites": [s.to_dict() for s in self.sites],
            **self.statistics.to_dict(),
            "warning": self.warning,
            "sigma_convention": self.sigma_convention,
            "nucleus": self.nucleus,
            "field_1h_mhz": self.field_1h_mhz,
            "larmor_mhz": self.larmor_mhz,
            "mas_hz": self.mas_hz,
            "fwhm_lorentz_hz": self.fwhm_lorentz_hz.value,
            "fwhm_lorentz_hz_err": self.fwhm_lorentz_hz.stderr,
            "fwhm_gauss_hz": self.fwhm_gauss_hz,
            "noise": self.noise,
            "noise_source": self.noise_source,
            "success": self.success,
            "message": self.message,
            "nfev": self.nfev,
            "region_ppm": list(self.region),
            "kernel_library": dict(self.library),
            "notes": list(self.notes),
        }

    def report(self) -> str:
        """Short human-readable summary."""
        mas = "∞" if self.mas_hz is None else f"{self.mas_hz / 1e3:g} kHz"
        lines = [f"{self.nucleus} CT MAS Czjzek fit ({self.field_1h_mhz:g} MHz 1H, MAS {mas}, "
                 f"{self.n_points} points): {self.statistics.quality()}, BIC = {self.bic:.1f}"]
        for s in self.sites:
            lines.append(
                f"  {s.label:8s} δiso = {_pm(s.iso_ppm)} ppm, σ = {_pm(s.sigma_mhz)} MHz "
                f"(⟨C_Q⟩ = {s.cq_mean_mhz.value:.3g} MHz), spread {_pm(s.spread_ppm)} ppm, "
                f"fraction {_pm(s.fraction)}; c.o.g. {s.cog_ppm:.1f} ppm")
        lines.append(f"  σ: {self.sigma_convention}")
        lines.append(f"  warning: {self.warning}")
        lines.extend(f"  note: {n}" for n in self.notes)
        for s in self.sites:
            lines.extend(f"  note ({s.label}): {n}" for n in s.notes)
        return "\n".join(lines)


def _pm(p: Estimate) -> str:
    return f"{p.value:.4g}" + ("" if p.stderr is None else f" ± {p.stderr:.2g}")
