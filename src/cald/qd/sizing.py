"""CdSe quantum-dot size, molar absorptivity and concentration from the first exciton.

Sizing curves (first-exciton absorption peak λ in nm → diameter in nm):

- Yu, Qu, Guo, Peng, Chem. Mater. 15, 2854 (2003), eq. 1:
  D = 1.6122e-9 λ⁴ − 2.6575e-6 λ³ + 1.6242e-3 λ² − 0.4277 λ + 41.57; calibrated here for
  1.5–8 nm (the range of the TEM sizes behind the fit, as taken for this project; λ ≈ 394–653 nm).
- Jasieniak, Smith, van Embden, Mulvaney, Califano, J. Phys. Chem. C 113, 19468 (2009):
  d = 59.60816 − 0.54736 λ + 1.8873e-3 λ² − 2.85743e-6 λ³ + 1.62974e-9 λ⁴; calibrated for
  2–8 nm (λ ≈ 458–658 nm).

Both polynomials increase monotonically over the visible range; outside its calibrated range a
curve extrapolates, which :func:`size_from_exciton` flags. Molar absorptivity at the first
exciton (Yu 2003): ε = 5857 D^2.65 M⁻¹ cm⁻¹; concentration c = A / (ε l) × dilution.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

from cald.errors import ParameterError

__all__ = ["CALIBRATED_RANGE_NM", "SIZING_MODELS", "QdSize", "concentration_um",
           "diameter_nm_jasieniak2009", "diameter_nm_yu2003", "molar_absorptivity_per_m_cm",
           "size_from_exciton"]

SizingModel = Literal["yu2003", "jasieniak2009"]

#: Diameter range (nm) over which each sizing curve was calibrated (see the module docstring).
CALIBRATED_RANGE_NM: dict[str, tuple[float, float]] = {"yu2003": (1.5, 8.0),
                                                       "jasieniak2009": (2.0, 8.0)}


def _positive(name: str, value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        raise ParameterError(f"{name} must be a positive finite number, got {value}")


def diameter_nm_yu2003(peak_nm: float) -> float:
    """CdSe diameter (nm) from the first-exciton peak ``peak_nm`` (nm), Yu et al. 2003 eq. 1
    (Chem. Mater. 15, 2854); calibrated for 1.5–8 nm, extrapolates silently outside."""
    _positive("peak_nm", peak_nm)
    lam = peak_nm
    return 1.6122e-9 * lam**4 - 2.6575e-6 * lam**3 + 1.6242e-3 * lam**2 - 0.4277 * lam + 41.57


def diameter_nm_jasieniak2009(peak_nm: float) -> float:
    """CdSe diameter (nm) from the first-exciton peak ``peak_nm`` (nm), Jasieniak et al. 2009
    (J. Phys. Chem. C 113, 19468); calibrated for 2–8 nm, extrapolates silently outside."""
    _positive("peak_nm", peak_nm)
    lam = peak_nm
    return (59.60816 - 0.54736 * lam + 1.8873e-3 * lam**2 - 2.85743e-6 * lam**3
            + 1.62974e-9 * lam**4)


SIZING_MODELS = {"yu2003": diameter_nm_yu2003, "jasieniak2009": diameter_nm_jasieniak2009}


def molar_absorptivity_per_m_cm(diameter_nm: float) -> float:
    """Molar absorptivity ε (M⁻¹ cm⁻¹) of CdSe at the first exciton: 5857 D^2.65, D in nm
    (Yu et al. 2003)."""
    _positive("diameter_nm", diameter_nm)
    return 5857.0 * diameter_nm**2.65


def concentration_um(absorbance: float, epsilon_per_m_cm: float, path_cm: float = 1.0,
                     dilution: float = 1.0) -> float:
    """QD concentration (µM) of the stock: c = A / (ε l) × dilution.

    Parameters
    ----------
    absorbance
        Absorbance at the first exciton (dimensionless, > 0).
    epsilon_per_m_cm
        Molar absorptivity ε (M⁻¹ cm⁻¹).
    path_cm
        Optical path length l (cm).
    dilution
        Dilution factor of the measured solution relative to the stock (≥ 1 usually).
    """
    for name, value in (("absorbance", absorbance), ("epsilon_per_m_cm", epsilon_per_m_cm),
                        ("path_cm", path_cm), ("dilution", dilution)):
        _positive(name, value)
    return absorbance / (epsilon_per_m_cm * path_cm) * dilution * 1e6


@dataclass(frozen=True)
class QdSize:
    """A diameter from a sizing curve, with the flag and note of an extrapolation."""

    peak_nm: float
    model: str
    diameter_nm: float
    extrapolated: bool
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def size_from_exciton(peak_nm: float, model: SizingModel = "yu2003") -> QdSize:
    """Diameter from the first-exciton peak with the chosen curve (``yu2003`` or
    ``jasieniak2009``); ``extrapolated`` and a note when the diameter lies outside the curve's
    calibrated range (:data:`CALIBRATED_RANGE_NM`).

    Examples
    --------
    >>> from cald.qd.sizing import size_from_exciton
    >>> size = size_from_exciton(495.0)
    >>> print(f"{size.diameter_nm:.2f} nm ({size.model})")
    2.30 nm (yu2003)
    """
    if model not in SIZING_MODELS:
        raise ParameterError(f"model must be one of {', '.join(SIZING_MODELS)}, got {model!r}")
    d_nm = SIZING_MODELS[model](peak_nm)
    lo, hi = CALIBRATED_RANGE_NM[model]
    extrapolated = not lo <= d_nm <= hi
    note = (f"{model} extrapolated: {d_nm:.2f} nm is outside its calibrated {lo:g}–{hi:g} nm"
            if extrapolated else None)
    return QdSize(peak_nm, model, d_nm, extrapolated, note)
