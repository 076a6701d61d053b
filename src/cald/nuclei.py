"""Nuclear isotopes, Larmor frequencies and dipolar couplings.

Isotope data are the IUPAC recommendations of Harris, Becker, Cabral de Menezes, Goodfellow and
Granger, *Pure Appl. Chem.* 73, 1795 (2001), Table 1 (spin, natural abundance, magnetogyric ratio,
frequency ratio Ξ) and their quadrupole moments (Pyykkö 2001, as quoted there).

Units inside this module: γ in rad s⁻¹ T⁻¹, Q in millibarn, Ξ in per cent of the 1H frequency
of TMS, frequencies in MHz or Hz as the names say, distances in ångström.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.errors import ParameterError

__all__ = [
    "Isotope",
    "ISOTOPES",
    "get_isotope",
    "MAX_SPIN",
    "parse_spin",
    "parse_pair",
    "larmor_mhz",
    "dipolar_constant_hz_angstrom3",
    "dipolar_coupling_hz",
    "distance_angstrom",
    "DipolarCoupling",
    "dipolar_from_distance",
    "dipolar_from_coupling",
    "czjzek_pdf",
    "czjzek_weights",
]


@dataclass(frozen=True)
class Isotope:
    """One nuclear isotope.

    Attributes
    ----------
    symbol
        Mass number and element, e.g. ``"27Al"``.
    spin
        Nuclear spin quantum number I (0.5, 1, 1.5, ...).
    gamma_rad_s_t
        Magnetogyric ratio γ in rad s⁻¹ T⁻¹ (signed).
    abundance_percent
        Natural abundance in per cent.
    xi_percent
        Frequency ratio Ξ: resonance frequency of the reference compound in per cent of the 1H
        frequency of TMS in the same field.
    q_mb
        Electric quadrupole moment in millibarn (0 for spin 1/2).
    """

    symbol: str
    spin: float
    gamma_rad_s_t: float
    abundance_percent: float
    xi_percent: float
    q_mb: float = 0.0

    @property
    def spin_label(self) -> str:
        """Spin as a fraction string, e.g. ``"5/2"``."""
        return str(Fraction(self.spin).limit_denominator(2))

    @property
    def is_quadrupolar(self) -> bool:
        """True for I > 1/2."""
        return self.spin > 0.5

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary of the isotope's data."""
        d = asdict(self)
        d["spin_label"] = self.spin_label
        return d


def _iso(symbol: str, spin: str, gamma_1e7: float, abundance: float, xi: float, q_fm2: float = 0.0):
    # IUPAC tables give γ in 10⁷ rad s⁻¹ T⁻¹ and Q in fm² (1 fm² = 10 mb): converted here, once.
    return Isotope(symbol, float(Fraction(spin)), gamma_1e7 * 1e7, abundance, xi, q_fm2 * 10.0)


ISOTOPES: dict[str, Isotope] = {
    i.symbol: i
    for i in (
        _iso("1H", "1/2", 26.7522128, 99.9885, 100.000000),
        _iso("2H", "1", 4.10662791, 0.0115, 15.350609, 0.2860),
        _iso("13C", "1/2", 6.728284, 1.07, 25.145020),
        _iso("14N", "1", 1.9337792, 99.632, 7.226317, 2.044),
        _iso("15N", "1/2", -2.71261804, 0.368, 10.136767),
        _iso("17O", "5/2", -3.62808, 0.038, 13.556457, -2.558),
        _iso("19F", "1/2", 25.18148, 100.0, 94.094011),
        _iso("23Na", "3/2", 7.0808493, 100.0, 26.451900, 10.4),
        _iso("27Al", "5/2", 6.9762715, 100.0, 26.056859, 14.66),
        _iso("29Si", "1/2", -5.3190, 4.6832, 19.867187),
        _iso("31P", "1/2", 10.8394, 100.0, 40.480742),
        _iso("77Se", "1/2", 5.1253857, 7.63, 19.071513),
        _iso("111Cd", "1/2", -5.6983131, 12.80, 21.215480),
        _iso("113Cd", "1/2", -5.9609155, 12.22, 22.193175),
    )
}


def get_isotope(symbol: str) -> Isotope:
    """Look up an isotope by symbol (``"27Al"``, also ``"Al27"`` or ``"al-27"``).

    Raises
    ------
    ParameterError
        If the symbol is not in the table.
    """
    s = symbol.strip().replace("-", "")
    digits = "".join(c for c in s if c.isdigit())
    letters = "".join(c for c in s if c.isalpha())
    key = digits + letters[:1].upper() + letters[1:].lower()
    if key not in ISOTOPES:
        known = ", ".join(ISOTOPES)
        raise ParameterError(f"unknown isotope {symbol!r}; known: {known}")
    return ISOTOPES[key]


#: Largest nuclear spin accepted (176Lu has I = 7, the largest of any long-lived nucleus).
MAX_SPIN = 8


def parse_spin(text: str | float) -> float:
    """Parse a nuclear spin given as ``"5/2"``, ``"2.5"`` or a number.

    Raises
    ------
    ParameterError
        If the value is not a positive multiple of 1/2.
    """
    try:
        value = Fraction(str(text).strip()) if isinstance(text, str) else Fraction(text)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise ParameterError(f"spin {text!r} is not a number such as 5/2 or 2.5") from None
    if value <= 0 or (2 * value).denominator != 1 or value > MAX_SPIN:
        raise ParameterError(f"spin {text!r} must be a positive multiple of 1/2 up to {MAX_SPIN}")
    return float(value)


def parse_pair(text: str) -> tuple[Isotope, Isotope]:
    """Parse a heteronuclear pair ``"13C-27Al"`` into (observed S, dephasing I) isotopes."""
    parts = [p for p in text.replace("{", "-").replace("}", "").split("-") if p]
    if len(parts) != 2:
        raise ParameterError(f"pair {text!r} must look like 13C-27Al (observed-dephasing)")
    return get_isotope(parts[0]), get_isotope(parts[1])


def larmor_mhz(symbol: str | Isotope, field_1h_mhz: float) -> float:
    """Larmor frequency ν_X = ν_1H · Ξ_X / 100 in MHz for a spectrometer of 1H frequency
    ``field_1h_mhz`` (MHz)."""
    iso = symbol if isinstance(symbol, Isotope) else get_isotope(symbol)
    return field_1h_mhz * iso.xi_percent / 100.0


#: CODATA 2022 (as in scipy.constants, not imported here to keep start-up fast):
#: vacuum permeability μ0 (N A⁻², measured) and the reduced Planck constant ħ (J s, exact).
MU0_N_A2 = 1.25663706127e-6
HBAR_J_S = 1.054571817e-34


def dipolar_constant_hz_angstrom3(a: Isotope, b: Isotope) -> float:
    """D·r³ in Hz Å³: (μ0/4π) |γ_a γ_b| ħ / 2π with r in Å."""
    k_si = MU0_N_A2 / (4 * np.pi) * abs(a.gamma_rad_s_t * b.gamma_rad_s_t)
    return k_si * HBAR_J_S / (2 * np.pi) / 1e-30


def dipolar_coupling_hz(r_angstrom: ArrayLike, a: Isotope, b: Isotope) -> NDArray[np.float64]:
    """Dipolar coupling constant D (Hz, positive) of two spins ``r_angstrom`` apart.

    Examples
    --------
    >>> from cald.nuclei import dipolar_coupling_hz, distance_angstrom, parse_pair
    >>> c13, al27 = parse_pair("13C-27Al")
    >>> print(f"{float(dipolar_coupling_hz(2.5, c13, al27)):.0f} Hz")
    504 Hz
    >>> print(f"{float(distance_angstrom(323.0, c13, al27)):.2f} Å")
    2.90 Å
    """
    r = np.asarray(r_angstrom, dtype=float)
    return dipolar_constant_hz_angstrom3(a, b) / r**3


def distance_angstrom(d_hz: ArrayLike, a: Isotope, b: Isotope) -> NDArray[np.float64]:
    """Distance r (Å) of two spins with dipolar coupling constant ``d_hz`` (Hz)."""
    d = np.abs(np.asarray(d_hz, dtype=float))
    return np.cbrt(dipolar_constant_hz_angstrom3(a, b) / d)


@dataclass(frozen=True)
class DipolarCoupling:
    """A dipolar coupling with its distance, both with first-order uncertainties.

    σ_r / r = σ_D / (3 D), the linear propagation of D ∝ r⁻³.
    """

    pair: str
    d_hz: float
    r_angstrom: float
    d_hz_err: float | None = None
    r_angstrom_err: float | None = None
    d_r3_hz_angstrom3: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return asdict(self)


def _pair_label(a: Isotope, b: Isotope) -> str:
    return f"{a.symbol}-{b.symbol}"


def dipolar_from_distance(
    r_angstrom: float, a: Isotope, b: Isotope, r_angstrom_err: float | None = None
) -> DipolarCoupling:
    """Dipolar coupling of a pair at distance ``r_angstrom`` (Å), with σ_D = 3 D σ_r / r."""
    if not (r_angstrom > 0 and np.isfinite(r_angstrom)):
        raise ParameterError(f"distance must be positive and finite, got {r_angstrom} Å")
    d = float(dipolar_coupling_hz(r_angstrom, a, b))
    d_err = None if r_angstrom_err is None else 3.0 * d * r_angstrom_err / r_angstrom
    return DipolarCoupling(
        _pair_label(a, b), d, r_angstrom, d_err, r_angstrom_err, dipolar_constant_hz_angstrom3(a, b)
    )


def dipolar_from_coupling(
    d_hz: float, a: Isotope, b: Isotope, d_hz_err: float | None = None
) -> DipolarCoupling:
    """Distance of a pair with dipolar coupling ``d_hz`` (Hz), with σ_r = r σ_D / (3 D)."""
    if not (d_hz > 0 and np.isfinite(d_hz)):
        raise ParameterError(f"dipolar coupling must be positive and finite, got {d_hz} Hz")
    r = float(distance_angstrom(d_hz, a, b))
    r_err = None if d_hz_err is None else r * d_hz_err / (3.0 * d_hz)
    return DipolarCoupling(
        _pair_label(a, b), d_hz, r, d_hz_err, r_err, dipolar_constant_hz_angstrom3(a, b)
    )


# --- Czjzek distribution of quadrupolar couplings (shared by the 27Al lineshapes and the
# RESPDOR saturation model) ------------------------------------------------------------------


def czjzek_pdf(cq_mhz: ArrayLike, eta: ArrayLike, sigma_mhz: float) -> NDArray[np.float64]:
    """Czjzek probability density (d = 5) of (C_Q, η), normalised to 1 on C_Q ≥ 0, 0 ≤ η ≤ 1.

    P(C_Q, η) = 2 C_Q⁴ η (1 − η²/9) exp(−C_Q² (1 + η²/3) / (2σ²)) / (√(2π) σ⁵), zero outside
    that domain; ``sigma_mhz`` is the Czjzek/dmfit σ (twice mrsimulator's ``sigma``). Arguments
    broadcast; units of C_Q and σ must agree (MHz).
    """
    c = np.asarray(cq_mhz, dtype=float)
    e = np.asarray(eta, dtype=float)
    s = float(sigma_mhz)
    inside = (c >= 0) & (e >= 0) & (e <= 1)
    p = (2.0 / (np.sqrt(2.0 * np.pi) * s**5) * c**4 * e * (1.0 - e**2 / 9.0)
         * np.exp(-(c**2) * (1.0 + e**2 / 3.0) / (2.0 * s**2)))
    return np.where(inside, p, 0.0)


def czjzek_weights(cq_mhz: ArrayLike, eta: ArrayLike, sigma_mhz: float) -> tuple[NDArray[np.float64], float]:
    """Weights of the cells of a midpoint grid (1-D, uniform ``cq_mhz`` and ``eta`` cell centres).

    Returns the weights, shape (len(cq), len(eta)), normalised to sum 1, and the probability the
    grid captures before normalisation (≈ 1; less when σ is so large that the distribution
    reaches beyond the last C_Q cell).
    """
    c = np.asarray(cq_mhz, dtype=float)
    e = np.asarray(eta, dtype=float)
    dc = float(c[1] - c[0]) if c.size > 1 else 1.0
    de = float(e[1] - e[0]) if e.size > 1 else 1.0
    w = czjzek_pdf(c[:, None], e[None, :], sigma_mhz) * dc * de
    total = float(w.sum())
    if not total > 0:
        raise ParameterError(f"σ = {sigma_mhz} MHz puts no weight on the C_Q grid "
                             f"({c[0]:.3g}–{c[-1]:.3g} MHz)")
    return w / total, total
