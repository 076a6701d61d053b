"""XPS line shapes as CasaXPS names them, area-normalised, on a binding-energy axis.

Every function takes the axis first (binding energy in eV, either orientation), then
``center_ev``, ``fwhm_ev`` and ``area`` (the integral over the axis, in intensity·eV), then the
shape's own parameters. ``u = (x − center_ev)/fwhm_ev`` below; "high-BE side" is ``x > center_ev``.

Shapes (sources and checks in the issue-11 research, ``casaxps-conventions.md``):

``GL(p)`` — :func:`gl`, Gaussian/Lorentzian **product** with m = p/100:
    exp(−4 ln2 (1 − m) u²) / (1 + 4 m u²). GL(0) is a Gaussian, GL(100) a Lorentzian, both of
    FWHM ``fwhm_ev``; for 0 < m < 1 the drawn FWHM is a little smaller than ``fwhm_ev``
    (0.97 × at m = 0.3) — CasaXPS's ``MFWHM`` is this parameter. The infinite-range area of the
    unit-height curve is (π/(2√m))·erfcx(√(ln2 (1 − m)/m))·F (closed form).
``SGL(p)`` — :func:`sgl`, the **sum** (1 − m)·G + m·L of unit-height parts of FWHM ``fwhm_ev``
    (drawn FWHM = ``fwhm_ev`` exactly). Matches CasaXPS's exported SGL(30) curves of the FeO file
    to 0.04 % of the peak height (tests/test_xps_models.py).
``LA(α, β, m)`` — :func:`la`: the Lorentzian 1/(1 + 4u²) raised to α on the high-BE side and to β
    on the low-BE side, convolved with a Gaussian of FWHM ``gauss_fwhm_ev``; α < 1 spreads the
    high-BE tail (the FeO file's LF(0.54,…) has its long tail there). The area of the
    unconvolved curve is closed-form (Γ functions) and needs α, β > ½ (else the tail does not
    integrate); the Gaussian keeps it. ``center_ev`` and ``fwhm_ev`` are the Lorentzian's, not
    the apex and the drawn width (as in CasaXPS).
``LF(α, β, w, m)`` — :func:`lf`: LA with the high-BE tail damped by exp(−|u|/(w·0.0436)). This
    is an **approximate reconstruction** (CasaXPS does not publish the kernel): its two constants
    (:data:`LF_DAMPING_PER_W`, :data:`CASA_GAUSS_PER_M`) were fitted to CasaXPS's exported
    LF(0.54,10,80,100,6) curves of the FeO file, which it then reproduces to 0.7 % rms and 2 %
    at worst of the peak height (in-sample; no other LF curve was available).
``DS(α, m)`` — :func:`doniach_sunjic`: Doniach–Šunjić (tail on the high-BE side) of Lorentzian
    FWHM ``fwhm_ev`` convolved with a Gaussian. Its tail ∝ |x|^(α−1) does not integrate for
    α > 0, so ``area`` is the integral of the unconvolved line over center ± :data:`DS_WINDOW`
    × ``fwhm_ev`` (closed form).
``V(p)`` — :func:`voigt_xps` (a cald notation, not CasaXPS's): a Voigt line whose FWHM is
    ``fwhm_ev`` (Olivero–Longbothum, within 0.024 %) with a Lorentzian width p % of it.

CasaXPS's m (0–499) of LA/LF/DS sets the Gaussian width by a rule it does not publish; cald uses
``gauss_fwhm_ev`` = :data:`CASA_GAUSS_PER_M` × m × ``fwhm_ev``, calibrated at m = 100 on the FeO
LF curves only — **unverified** for other m (a CasaXPS LA(1.53,243) would get 1.7 × F, which looks
too broad for the MoS2 lines it was used on); :attr:`LineShape.approximate` flags these shapes.
The Gaussian convolution is a Gauss–Hermite sum (64 nodes or more), point by point (any axis).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import quad
from scipy.special import erfcx, gammaln, roots_hermite

from cald.errors import ParameterError
from cald.lineshape.profiles import voigt

__all__ = [
    "CASA_GAUSS_PER_M",
    "DS_WINDOW",
    "LF_DAMPING_PER_W",
    "LineShape",
    "doniach_sunjic",
    "gl",
    "la",
    "lf",
    "parse_casa_lineshape",
    "sgl",
    "voigt_xps",
]

_LN2 = float(np.log(2.0))
_FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * _LN2)

#: Gaussian FWHM per unit of CasaXPS's m, in units of ``fwhm_ev``: 0.707 at m = 100, fitted
#: (with :data:`LF_DAMPING_PER_W`, areas fixed to the file's) to CasaXPS's two exported
#: LF(0.54,10,80,100,6) curves of the FeO file; unverified for other m.
CASA_GAUSS_PER_M = 0.00707
#: Decay length of the LF tail damping per unit of w, in units of ``fwhm_ev``: 3.49 F at w = 80,
#: fitted on the same FeO curves.
LF_DAMPING_PER_W = 3.49 / 80.0
#: Half-width, in units of ``fwhm_ev``, of the window over which a DS line has area ``area``.
DS_WINDOW = 50.0



@lru_cache(maxsize=32)
def _hermite(n: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gauss–Hermite nodes and weights normalised to a unit-area Gaussian (weights / √π)."""
    nodes, weights = roots_hermite(n)
    return nodes, weights / np.sqrt(np.pi)


def _check_width(fwhm_ev: float, name: str = "fwhm_ev") -> None:
    if not (np.isfinite(fwhm_ev) and fwhm_ev > 0):
        raise ParameterError(f"{name} must be positive and finite, got {fwhm_ev!r}")


def _gauss_convolved(func: Callable[[NDArray[np.float64]], NDArray[np.float64]],
                     x: NDArray[np.float64], gauss_fwhm_ev: float, fwhm_ev: float
                     ) -> NDArray[np.float64]:
    """``func`` (a function of the axis, a line of width ``fwhm_ev``) convolved with a unit-area
    Gaussian of FWHM ``gauss_fwhm_ev`` (0: ``func`` itself), by Gauss–Hermite quadrature point by
    point: 64 nodes, more when the Gaussian is wider than the line (node spacing ≲ ¼ of the
    line's width; within 0.1 % of the peak of a dense convolution up to g = 2 F)."""
    if gauss_fwhm_ev == 0.0:
        return func(x)
    ratio = gauss_fwhm_ev / fwhm_ev
    nodes, weights = _hermite(int(min(1000, max(64, np.ceil(60.0 * ratio * ratio)))))
    step = np.sqrt(2.0) * gauss_fwhm_ev / _FWHM_PER_SIGMA
    out = np.zeros_like(x)
    for node, weight in zip(nodes, weights, strict=True):
        out += weight * func(x - step * node)
    return out


def gl(x: ArrayLike, center_ev: float, fwhm_ev: float, area: float,
       m: float = 0.3) -> NDArray[np.float64]:
    """CasaXPS GL(100·m): Gaussian/Lorentzian product, integral ``area`` over the whole axis.

    Parameters
    ----------
    x
        Binding energy, eV.
    center_ev, fwhm_ev
        Position and width parameter (the drawn FWHM for m = 0 or 1), eV.
    area
        Integral over −∞…∞ (intensity·eV).
    m
        Lorentzian share, 0 ≤ m ≤ 1 (CasaXPS's p/100).
    """
    x = np.asarray(x, dtype=float)
    _check_width(fwhm_ev)
    if not 0.0 <= m <= 1.0:
        raise ParameterError(f"GL mixing m must lie in [0, 1], got {m!r}")
    u2 = ((x - center_ev) / fwhm_ev) ** 2
    shape = np.exp(-4.0 * _LN2 * (1.0 - m) * u2) / (1.0 + 4.0 * m * u2)
    if m == 0.0:
        unit_area = np.sqrt(np.pi / (4.0 * _LN2))
    else:
        unit_area = np.pi / (2.0 * np.sqrt(m)) * erfcx(np.sqrt(_LN2 * (1.0 - m) / m))
    return area / (unit_area * fwhm_ev) * shape


def sgl(x: ArrayLike, center_ev: float, fwhm_ev: float, area: float,
        m: float = 0.3) -> NDArray[np.float64]:
    """CasaXPS SGL(100·m): (1 − m)·Gaussian + m·Lorentzian of unit height and one FWHM,
    integral ``area`` over the whole axis (parameters as :func:`gl`)."""
    x = np.asarray(x, dtype=float)
    _check_width(fwhm_ev)
    if not 0.0 <= m <= 1.0:
        raise ParameterError(f"SGL mixing m must lie in [0, 1], got {m!r}")
    u2 = ((x - center_ev) / fwhm_ev) ** 2
    shape = (1.0 - m) * np.exp(-4.0 * _LN2 * u2) + m / (1.0 + 4.0 * u2)
    unit_area = (1.0 - m) * np.sqrt(np.pi / (4.0 * _LN2)) + m * np.pi / 2.0
    return area / (unit_area * fwhm_ev) * shape


def _half_area(power: float) -> float:
    """∫₀^∞ (1 + 4u²)^(−power) du = √π Γ(power − ½) / (4 Γ(power)), power > ½."""
    return float(np.sqrt(np.pi) / 4.0 * np.exp(gammaln(power - 0.5) - gammaln(power)))


@lru_cache(maxsize=256)
def _damped_half_area(power: float, decay: float) -> float:
    """∫₀^∞ (1 + 4u²)^(−power) exp(−u/decay) du."""
    value, _ = quad(lambda u: (1.0 + 4.0 * u * u) ** (-power) * np.exp(-u / decay), 0.0, np.inf,
                    limit=200)
    return float(value)


def _check_powers(alpha: float, beta: float, damped: bool) -> None:
    if not (alpha > (0.0 if damped else 0.5) and beta > 0.5):
        need = "α > 0" if damped else "α > ½"
        raise ParameterError(f"asymmetric Lorentzian powers need {need} and β > ½ (else the tail "
                             f"has no finite area), got α = {alpha!r}, β = {beta!r}")


def _asym_lorentzian(x, center_ev, fwhm_ev, alpha, beta, decay):
    u = (x - center_ev) / fwhm_ev
    base = 1.0 / (1.0 + 4.0 * u * u)
    high = base**alpha if decay is None else base**alpha * np.exp(-np.abs(u) / decay)
    return np.where(u > 0, high, base**beta)


def la(x: ArrayLike, center_ev: float, fwhm_ev: float, area: float, alpha: float = 1.0,
       beta: float = 1.0, gauss_fwhm_ev: float = 0.0) -> NDArray[np.float64]:
    """CasaXPS-style LA(α, β, m): asymmetric Lorentzian (power α on the high-BE side, β on the
    low-BE side) convolved with a Gaussian of FWHM ``gauss_fwhm_ev``; integral ``area`` over
    the whole axis. α = β = 1 with no Gaussian is the Lorentzian of FWHM ``fwhm_ev``."""
    x = np.asarray(x, dtype=float)
    _check_width(fwhm_ev)
    _check_powers(alpha, beta, damped=False)
    if not gauss_fwhm_ev >= 0:
        raise ParameterError(f"gauss_fwhm_ev must be ≥ 0, got {gauss_fwhm_ev!r}")
    unit_area = (_half_area(alpha) + _half_area(beta)) * fwhm_ev
    return area / unit_area * _gauss_convolved(
        lambda e: _asym_lorentzian(e, center_ev, fwhm_ev, alpha, beta, None), x, gauss_fwhm_ev, fwhm_ev)


def lf(x: ArrayLike, center_ev: float, fwhm_ev: float, area: float, alpha: float = 1.0,
       beta: float = 1.0, w: float = 80.0, gauss_fwhm_ev: float = 0.0) -> NDArray[np.float64]:
    """Approximate CasaXPS LF(α, β, w, m): :func:`la` with the high-BE tail damped by
    exp(−|u|/(w·:data:`LF_DAMPING_PER_W`)); integral ``area`` over the whole axis."""
    x = np.asarray(x, dtype=float)
    _check_width(fwhm_ev)
    _check_powers(alpha, beta, damped=True)
    if not (w > 0 and gauss_fwhm_ev >= 0):
        raise ParameterError(f"LF needs w > 0 and gauss_fwhm_ev ≥ 0, got {w!r}, {gauss_fwhm_ev!r}")
    decay = float(w) * LF_DAMPING_PER_W
    unit_area = (_damped_half_area(float(alpha), decay) + _half_area(beta)) * fwhm_ev
    return area / unit_area * _gauss_convolved(
        lambda e: _asym_lorentzian(e, center_ev, fwhm_ev, alpha, beta, decay), x, gauss_fwhm_ev, fwhm_ev)


def _ds_antiderivative(eps: float, gamma: float, alpha: float) -> float:
    """∫ DS dε for ε = center − x (see :func:`doniach_sunjic`)."""
    if alpha == 0.0:
        return float(np.arctan(eps / gamma))
    z = (gamma - 1j * eps) ** alpha
    return float((np.exp(1j * np.pi * alpha / 2) * 1j * z / alpha).real)


def doniach_sunjic(x: ArrayLike, center_ev: float, fwhm_ev: float, area: float,
                   alpha: float = 0.1, gauss_fwhm_ev: float = 0.0) -> NDArray[np.float64]:
    """Doniach–Šunjić line (asymmetry 0 ≤ α < 1, tail on the high-BE side, Lorentzian FWHM
    ``fwhm_ev``) convolved with a Gaussian of FWHM ``gauss_fwhm_ev``.

    DS(ε) = cos(πα/2 + (1 − α) arctan(ε/γ)) / (ε² + γ²)^((1−α)/2), ε = center − x, γ = FWHM/2.
    ``area`` is the integral of the unconvolved line over center ± :data:`DS_WINDOW` ×
    ``fwhm_ev`` (the full tail does not integrate for α > 0); α = 0 is a Lorentzian whose area
    is taken over the whole axis.
    """
    x = np.asarray(x, dtype=float)
    _check_width(fwhm_ev)
    if not 0.0 <= alpha < 1.0:
        raise ParameterError(f"Doniach–Šunjić asymmetry must lie in [0, 1), got {alpha!r}")
    if not gauss_fwhm_ev >= 0:
        raise ParameterError(f"gauss_fwhm_ev must be ≥ 0, got {gauss_fwhm_ev!r}")
    gamma = 0.5 * fwhm_ev
    if alpha == 0.0:
        unit_area = np.pi
    else:
        half = DS_WINDOW * fwhm_ev
        unit_area = (_ds_antiderivative(half, gamma, alpha)
                     - _ds_antiderivative(-half, gamma, alpha))
    def line(e: NDArray[np.float64]) -> NDArray[np.float64]:
        eps = center_ev - e
        return (np.cos(np.pi * alpha / 2 + (1.0 - alpha) * np.arctan(eps / gamma))
                / (eps * eps + gamma * gamma) ** ((1.0 - alpha) / 2.0))
    return area / unit_area * _gauss_convolved(line, x, gauss_fwhm_ev, fwhm_ev)


def voigt_xps(x: ArrayLike, center_ev: float, fwhm_ev: float, area: float,
              lorentz_share: float = 0.3) -> NDArray[np.float64]:
    """Voigt line of FWHM ``fwhm_ev`` (Olivero–Longbothum, within 0.024 %) whose Lorentzian FWHM
    is ``lorentz_share`` × ``fwhm_ev`` (0 ≤ share ≤ 1); integral ``area``."""
    _check_width(fwhm_ev)
    if not 0.0 <= lorentz_share <= 1.0:
        raise ParameterError(f"Voigt Lorentzian share must lie in [0, 1], got {lorentz_share!r}")
    fl = lorentz_share * fwhm_ev
    fg = float(np.sqrt(max((fwhm_ev - 0.5346 * fl) ** 2 - 0.2166 * fl**2, 0.0)))
    return voigt(x, center_ev, fg, fl, area)


@dataclass(frozen=True)
class LineShape:
    """A parsed CasaXPS line-shape string (``GL(30)``, ``LA(1.53,243)``, …) that draws itself.

    Attributes
    ----------
    text
        The string as given.
    kind
        ``GL``, ``SGL``, ``LA``, ``LF``, ``DS`` or ``V``.
    args
        Its numeric arguments, in order.
    approximate
        True when cald's curve is a reconstruction, not CasaXPS's exact form (LA/LF/DS with a
        Gaussian, LF always).
    """

    text: str
    kind: str
    args: tuple[float, ...]

    @property
    def approximate(self) -> bool:
        """True for LF, and for LA/DS with a Gaussian (the m → width rule is unverified)."""
        return self.kind == "LF" or (self.kind in ("LA", "DS") and self.args[-1] != 0.0)

    def __call__(self, x: ArrayLike, center_ev: float, fwhm_ev: float,
                 area: float) -> NDArray[np.float64]:
        """The line at ``x`` (binding energy, eV) with integral ``area``."""
        a = self.args
        if self.kind == "GL":
            return gl(x, center_ev, fwhm_ev, area, a[0] / 100.0)
        if self.kind == "SGL":
            return sgl(x, center_ev, fwhm_ev, area, a[0] / 100.0)
        if self.kind == "V":
            return voigt_xps(x, center_ev, fwhm_ev, area, a[0] / 100.0)
        gauss = CASA_GAUSS_PER_M * a[-1] * fwhm_ev
        if self.kind == "LA":
            alpha, beta = (a[0], a[0]) if len(a) == 2 else (a[0], a[1])
            return la(x, center_ev, fwhm_ev, area, alpha, beta, gauss)
        if self.kind == "LF":
            return lf(x, center_ev, fwhm_ev, area, a[0], a[1], a[2], CASA_GAUSS_PER_M * a[3] * fwhm_ev)
        return doniach_sunjic(x, center_ev, fwhm_ev, area, a[0], gauss)


#: Number of arguments each kind accepts.
_ARITY = {"GL": (1,), "SGL": (1,), "V": (1,), "LA": (2, 3), "LF": (4, 5), "DS": (2,)}
_PATTERN = re.compile(r"^\s*([A-Za-z]+)\s*\(([^()]*)\)\s*$")


def parse_casa_lineshape(text: str) -> LineShape:
    """A :class:`LineShape` from a CasaXPS line-shape string.

    Accepted: ``GL(p)``, ``SGL(p)`` (0 ≤ p ≤ 100), ``LA(α,m)`` (α = β), ``LA(α,β,m)``,
    ``LF(α,β,w,m)`` and CasaXPS 2.3.25's ``LF(α,β,w,m,k)`` (k, undocumented, is kept and not
    used), ``DS(α,m)``, and cald's ``V(p)`` (Voigt, Lorentzian width p % of the FWHM).

    Raises
    ------
    ParameterError
        Any other string (named in the message), or arguments out of range.
    """
    match = _PATTERN.match(str(text))
    kind = match.group(1).upper() if match else ""
    if kind not in _ARITY:
        raise ParameterError(f"unknown CasaXPS line shape {text!r}; cald knows "
                             "GL(p), SGL(p), LA(a,m), LA(a,b,m), LF(a,b,w,m), DS(a,m), V(p)")
    assert match is not None
    try:
        args = tuple(float(v) for v in match.group(2).split(","))
    except ValueError:
        raise ParameterError(f"line shape {text!r}: arguments must be numbers") from None
    if len(args) not in _ARITY[kind] or not all(np.isfinite(args)):
        raise ParameterError(f"line shape {text!r}: {kind} takes "
                             f"{' or '.join(map(str, _ARITY[kind]))} finite argument(s)")
    if kind in ("GL", "SGL", "V") and not 0.0 <= args[0] <= 100.0:
        raise ParameterError(f"line shape {text!r}: p must lie in 0…100")
    if kind in ("LA", "LF", "DS") and args[-1 if kind != "LF" else 3] < 0:
        raise ParameterError(f"line shape {text!r}: m must be ≥ 0")
    shape = LineShape(str(text).strip(), kind, args)
    try:
        shape(np.zeros(1), 0.0, 1.0, 1.0)  # range checks of the shape's own parameters
    except ParameterError as exc:
        raise ParameterError(f"line shape {text!r}: {exc}") from None
    return shape
