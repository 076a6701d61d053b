"""Line profiles of the peak family: plain numpy functions, the axis first, each normalised so
that ``area`` is the integral over the axis (axis units × intensity, whatever the axis
orientation): :func:`gaussian`, :func:`lorentzian`, :func:`voigt`, :func:`pseudo_voigt`, listed in
the registry :data:`SHAPES`.

Widths are full widths at half maximum (FWHM) in axis units. For the Voigt line the Gaussian and
Lorentzian FWHMs are the parameters; the FWHM of the profile is exact (:func:`voigt_fwhm`,
solved numerically; the Olivero–Longbothum formula is within 0.024 %).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq
from scipy.special import voigt_profile

from cald.errors import ParameterError

__all__ = [
    "SHAPES",
    "LineShape",
    "gaussian",
    "lorentzian",
    "voigt",
    "pseudo_voigt",
    "voigt_fwhm",
    "line_shape",
]

_FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))  # Gaussian FWHM = 2√(2 ln 2) σ
_SQRT_2PI = np.sqrt(2.0 * np.pi)


# --- lineshapes -----------------------------------------------------------------------------


def gaussian(x: ArrayLike, center: float, fwhm: float, area: float) -> NDArray[np.float64]:
    """Gaussian line of full width at half maximum ``fwhm`` and integral ``area``."""
    x = np.asarray(x, dtype=float)
    sigma = fwhm / _FWHM_PER_SIGMA
    return area / (sigma * _SQRT_2PI) * np.exp(-0.5 * ((x - center) / sigma) ** 2)


def lorentzian(x: ArrayLike, center: float, fwhm: float, area: float) -> NDArray[np.float64]:
    """Lorentzian (Cauchy) line of full width at half maximum ``fwhm`` and integral ``area``."""
    x = np.asarray(x, dtype=float)
    half = 0.5 * fwhm
    return area / np.pi * half / ((x - center) ** 2 + half**2)


def voigt(x: ArrayLike, center: float, fwhm_gauss: float, fwhm_lorentz: float,
          area: float) -> NDArray[np.float64]:
    """Voigt line (Gaussian ⊗ Lorentzian) from the FWHMs of its two parts and its integral
    ``area``; one width at 0 gives the other shape. The FWHM of the profile is
    :func:`voigt_fwhm`."""
    x = np.asarray(x, dtype=float)
    return area * voigt_profile(x - center, fwhm_gauss / _FWHM_PER_SIGMA, 0.5 * fwhm_lorentz)


def pseudo_voigt(x: ArrayLike, center: float, fwhm: float, eta: float,
                 area: float) -> NDArray[np.float64]:
    """Pseudo-Voigt line η·L + (1 − η)·G, both parts of FWHM ``fwhm`` and unit area, times
    ``area`` (η is the Lorentzian fraction, 0 ≤ η ≤ 1)."""
    return eta * lorentzian(x, center, fwhm, area) + (1.0 - eta) * gaussian(x, center, fwhm, area)


def voigt_fwhm(fwhm_gauss: float, fwhm_lorentz: float) -> float:
    """Exact FWHM of a Voigt profile (half maximum solved numerically); the Olivero–Longbothum
    approximation 0.5346 f_L + √(0.2166 f_L² + f_G²) is within 0.024 % of it (largest near
    f_L/f_G ≈ 0.3)."""
    fg, fl = abs(float(fwhm_gauss)), abs(float(fwhm_lorentz))
    if fg == 0.0 or fl == 0.0:
        return fg + fl
    approx = 0.5346 * fl + np.sqrt(0.2166 * fl**2 + fg**2)
    sigma, gamma = fg / _FWHM_PER_SIGMA, 0.5 * fl
    half = 0.5 * float(voigt_profile(0.0, sigma, gamma))
    root = brentq(lambda h: float(voigt_profile(h, sigma, gamma)) - half, 0.4 * approx, 0.6 * approx,
                  xtol=1e-14 * approx, rtol=1e-14)
    return 2.0 * float(root)


@dataclass(frozen=True)
class LineShape:
    """One entry of :data:`SHAPES`: the function and the names of its parameters after the axis.

    Attributes
    ----------
    name
        Registry key.
    function
        ``function(x, *params)``; area-normalised.
    params
        Parameter names in call order (``center`` first, ``area`` last).
    widths
        The parameters that are widths (FWHM in axis units; tied by ``equal_widths``).
    """

    name: str
    function: Callable[..., NDArray[np.float64]]
    params: tuple[str, ...]
    widths: tuple[str, ...]

    @property
    def shape_params(self) -> tuple[str, ...]:
        """Parameters other than ``center`` and ``area`` (widths and η)."""
        return tuple(p for p in self.params if p not in ("center", "area"))

    def fwhm(self, **shape_values: float) -> float:
        """FWHM of the profile from its shape parameters."""
        if self.name == "voigt":
            return voigt_fwhm(shape_values["fwhm_gauss"], shape_values["fwhm_lorentz"])
        return float(shape_values["fwhm"])

    def peak_height(self, area: float = 1.0, **shape_values: float) -> float:
        """Value at the center (the maximum) of a line of integral ``area``."""
        return float(self.function(0.0, 0.0, **shape_values, area=area))

    def start_values(self, fwhm: float) -> dict[str, float]:
        """Shape parameters giving a profile of FWHM ≈ ``fwhm`` (starting guesses)."""
        if self.name == "voigt":  # equal Gaussian and Lorentzian parts: total ≈ 1.6376 × each
            return {"fwhm_gauss": fwhm / 1.6376, "fwhm_lorentz": fwhm / 1.6376}
        if self.name == "pseudo_voigt":
            return {"fwhm": fwhm, "eta": 0.5}
        return {"fwhm": fwhm}


#: Lineshapes by name.
SHAPES: dict[str, LineShape] = {
    "gaussian": LineShape("gaussian", gaussian, ("center", "fwhm", "area"), ("fwhm",)),
    "lorentzian": LineShape("lorentzian", lorentzian, ("center", "fwhm", "area"), ("fwhm",)),
    "voigt": LineShape("voigt", voigt, ("center", "fwhm_gauss", "fwhm_lorentz", "area"),
                       ("fwhm_gauss", "fwhm_lorentz")),
    "pseudo_voigt": LineShape("pseudo_voigt", pseudo_voigt, ("center", "fwhm", "eta", "area"),
                              ("fwhm",)),
}


def line_shape(shape: str) -> LineShape:
    """The :data:`SHAPES` entry named ``shape``.

    Raises
    ------
    ParameterError
        Unknown shape.
    """
    if shape not in SHAPES:
        raise ParameterError(f"unknown peak shape {shape!r}; choose from {', '.join(SHAPES)}")
    return SHAPES[shape]
