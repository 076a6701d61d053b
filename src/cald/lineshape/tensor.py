"""Chemical-shift tensors of spin-1/2 nuclei in the three conventions (science.md §4).

Plain functions, vectorised over numpy arrays: Haeberlen (δiso, ζ, η) ↔ principal components
(δxx, δyy, δzz) ↔ Mehring (δ11 ≥ δ22 ≥ δ33) ↔ Herzfeld–Berger (δiso, Ω, κ); :class:`CsaTensor`
holds all of them with first-order uncertainties propagated from the covariance of (δiso, ζ, η).

Conventions
-----------
* Chemical shifts δ (ppm, deshielding positive). Haeberlen: |δzz − δiso| ≥ |δxx − δiso| ≥
  |δyy − δiso|, ζ = δzz − δiso (either sign), η = (δyy − δxx)/ζ ∈ [0, 1]. A tie at η = 1 is resolved
  with ζ > 0. Herzfeld–Berger: Ω = δ11 − δ33 ≥ 0, κ = 3(δ22 − δiso)/Ω ∈ [−1, 1] (undefined, NaN,
  when Ω = 0). In closed form Ω = |ζ|(3 + η)/2 and κ = −sign(ζ)·3(1 − η)/(3 + η).
* mrsimulator's ``shielding_symmetric.zeta`` is the anisotropy of the *shielding* tensor, so it is
  −ζ of the shift tensor (:mod:`cald.lineshape.sidebands` passes ``zeta = −ζ``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "eta_covariance",
    "CONVENTIONS",
    "haeberlen_to_principal",
    "principal_to_haeberlen",
    "principal_to_mehring",
    "mehring_to_herzfeld_berger",
    "herzfeld_berger_to_mehring",
    "haeberlen_to_herzfeld_berger",
    "herzfeld_berger_to_haeberlen",
    "CsaTensor",
]

CONVENTIONS = ("δ in ppm; Haeberlen ζ = δzz − δiso, η = (δyy − δxx)/ζ ∈ [0, 1]; Mehring δ11 ≥ δ22 ≥ δ33; "
               "Herzfeld–Berger Ω = δ11 − δ33, κ = 3(δ22 − δiso)/Ω; fraction = whole-manifold area / "
               "sum; widths FWHM in Hz")


def _scalars(*arrays: NDArray[np.float64]) -> tuple[Any, ...]:
    """0-d results as numpy scalars (float-like), arrays unchanged."""
    return tuple(np.asarray(a, dtype=float)[()] for a in arrays)


def haeberlen_to_principal(iso_ppm: ArrayLike, zeta_ppm: ArrayLike, eta: ArrayLike
                           ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Principal components (δxx, δyy, δzz) of a Haeberlen tensor (δiso, ζ, η):
    δzz = δiso + ζ, δxx = δiso − ζ(1 + η)/2, δyy = δiso − ζ(1 − η)/2."""
    iso, z, e = (np.asarray(v, dtype=float) for v in (iso_ppm, zeta_ppm, eta))
    return _scalars(iso - z * (1.0 + e) / 2.0, iso - z * (1.0 - e) / 2.0, iso + z)


def principal_to_haeberlen(d1_ppm: ArrayLike, d2_ppm: ArrayLike, d3_ppm: ArrayLike
                           ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Haeberlen (δiso, ζ, η) of three principal components given in any order.

    δzz is the component farthest from δiso, δyy the nearest; on a tie |δzz − δiso| =
    |δxx − δiso| (η = 1) the positive deviation is taken as ζ. ζ = 0 gives η = 0.

    Examples
    --------
    Principal components 100, 50 and −30 ppm:

    >>> from cald.lineshape.tensor import haeberlen_to_herzfeld_berger, principal_to_haeberlen
    >>> iso, zeta, eta = principal_to_haeberlen(50.0, -30.0, 100.0)
    >>> print(f"δiso {iso:.1f}, ζ {zeta:.1f}, η {eta:.4f}")
    δiso 40.0, ζ -70.0, η 0.7143
    >>> iso, omega, kappa = haeberlen_to_herzfeld_berger(iso, zeta, eta)
    >>> print(f"Ω {omega:.1f}, κ {kappa:.4f}")
    Ω 130.0, κ 0.2308
    """
    d = np.stack(np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (d1_ppm, d2_ppm, d3_ppm))),
                 axis=-1)
    iso = d.mean(axis=-1)
    dev = d - iso[..., None]
    scale = np.maximum(np.max(np.abs(dev), axis=-1, keepdims=True), 1e-300)
    # sort by |deviation| (rounded relative to the largest, so float ties are ties), then sign
    key_abs = np.round(np.abs(dev) / scale, 12)
    order = np.lexsort((dev, key_abs), axis=-1)  # ascending: yy, xx, zz
    dev_sorted = np.take_along_axis(dev, order, axis=-1)
    dyy, dxx, dzz = dev_sorted[..., 0], dev_sorted[..., 1], dev_sorted[..., 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        eta = np.where(dzz == 0.0, 0.0, (dyy - dxx) / np.where(dzz == 0.0, 1.0, dzz))
    return _scalars(iso, dzz, np.clip(eta, 0.0, 1.0))


def principal_to_mehring(d1_ppm: ArrayLike, d2_ppm: ArrayLike, d3_ppm: ArrayLike
                         ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Mehring order δ11 ≥ δ22 ≥ δ33 of three principal components given in any order."""
    d = np.sort(np.stack(np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                               for v in (d1_ppm, d2_ppm, d3_ppm))), axis=-1),
                axis=-1)
    return _scalars(d[..., 2], d[..., 1], d[..., 0])


def mehring_to_herzfeld_berger(d11_ppm: ArrayLike, d22_ppm: ArrayLike, d33_ppm: ArrayLike
                               ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Herzfeld–Berger (δiso, Ω, κ) from δ11 ≥ δ22 ≥ δ33: Ω = δ11 − δ33, κ = 3(δ22 − δiso)/Ω
    (NaN when Ω = 0)."""
    d11, d22, d33 = (np.asarray(v, dtype=float) for v in (d11_ppm, d22_ppm, d33_ppm))
    iso = (d11 + d22 + d33) / 3.0
    omega = d11 - d33
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = np.where(omega == 0.0, np.nan, 3.0 * (d22 - iso) / np.where(omega == 0, 1.0, omega))
    return _scalars(iso, omega, kappa)


def herzfeld_berger_to_mehring(iso_ppm: ArrayLike, omega_ppm: ArrayLike, kappa: ArrayLike
                               ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(δ11, δ22, δ33) from Herzfeld–Berger (δiso, Ω, κ): δ22 = δiso + κΩ/3,
    δ11 = (3δiso − δ22 + Ω)/2, δ33 = (3δiso − δ22 − Ω)/2."""
    iso, om, ka = (np.asarray(v, dtype=float) for v in (iso_ppm, omega_ppm, kappa))
    d22 = iso + ka * om / 3.0
    return _scalars((3.0 * iso - d22 + om) / 2.0, d22, (3.0 * iso - d22 - om) / 2.0)


def haeberlen_to_herzfeld_berger(iso_ppm: ArrayLike, zeta_ppm: ArrayLike, eta: ArrayLike
                                 ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(δiso, Ω, κ) of a Haeberlen tensor: Ω = |ζ|(3 + η)/2, κ = −sign(ζ)·3(1 − η)/(3 + η)
    (NaN for ζ = 0)."""
    iso, z, e = (np.asarray(v, dtype=float) for v in (iso_ppm, zeta_ppm, eta))
    omega = np.abs(z) * (3.0 + e) / 2.0
    kappa = np.where(z == 0.0, np.nan, -np.sign(z) * 3.0 * (1.0 - e) / (3.0 + e))
    return _scalars(iso + 0.0 * z, omega, kappa)


def herzfeld_berger_to_haeberlen(iso_ppm: ArrayLike, omega_ppm: ArrayLike, kappa: ArrayLike
                                 ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Haeberlen (δiso, ζ, η) of a Herzfeld–Berger tensor (via the Mehring components)."""
    return principal_to_haeberlen(*herzfeld_berger_to_mehring(iso_ppm, omega_ppm, kappa))


#: The Haeberlen inputs of :meth:`CsaTensor.from_haeberlen`, in the covariance's order.
_INPUTS = ("iso", "zeta", "eta")

#: Which inputs each derived quantity depends on (structurally; order of ``_INPUTS``).
_DEPENDS = {
    "xx": (True, True, True),
    "yy": (True, True, True),
    "zz": (True, True, False),
    "omega": (False, True, True),
    "kappa": (False, False, True),
}


def _opt(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


@dataclass(frozen=True)
class CsaTensor:
    """One shift tensor in the three conventions, with first-order uncertainties (``None`` when
    the covariance is unavailable).

    Build it with :meth:`from_haeberlen`; all values in ppm except η and κ.
    """

    iso_ppm: float
    zeta_ppm: float
    eta: float
    iso_ppm_err: float | None = None
    zeta_ppm_err: float | None = None
    eta_err: float | None = None
    omega_ppm: float = 0.0
    omega_ppm_err: float | None = None
    kappa: float = float("nan")
    kappa_err: float | None = None
    delta_xx_ppm: float = 0.0
    delta_yy_ppm: float = 0.0
    delta_zz_ppm: float = 0.0
    delta_xx_ppm_err: float | None = None
    delta_yy_ppm_err: float | None = None
    delta_zz_ppm_err: float | None = None
    delta_11_ppm: float = 0.0
    delta_22_ppm: float = 0.0
    delta_33_ppm: float = 0.0
    delta_11_ppm_err: float | None = None
    delta_22_ppm_err: float | None = None
    delta_33_ppm_err: float | None = None

    @classmethod
    def from_haeberlen(cls, iso_ppm: float, zeta_ppm: float, eta: float,
                       cov: ArrayLike | None = None, without_error: Collection[str] = ()
                       ) -> CsaTensor:
        """All conventions from (δiso, ζ, η) and, optionally, their 3 × 3 covariance matrix
        (order δiso, ζ, η). Errors follow from J C Jᵀ with the analytic Jacobian J; near ζ = 0
        the linearisation of Ω = |ζ|(3 + η)/2 does not hold.

        ``without_error`` names inputs (``"iso"``, ``"zeta"``, ``"eta"``) that have no
        covariance error (at a bound of their range, or η consistent with 0): they get no error,
        and neither does any quantity whose Jacobian row depends on them (the uncertainty rule of
        :mod:`cald.fitting`), e.g. η at a bound leaves Ω, κ, δxx, δyy (and the Mehring
        components they become) without an error, δzz keeps its own."""
        unknown = set(without_error) - set(_INPUTS)
        if unknown:
            raise ValueError(f"without_error: unknown input(s) {sorted(unknown)}")
        xx, yy, zz = (float(v) for v in haeberlen_to_principal(iso_ppm, zeta_ppm, eta))
        _, omega, kappa = (float(v) for v in haeberlen_to_herzfeld_berger(iso_ppm, zeta_ppm, eta))
        s = 1.0 if zeta_ppm >= 0 else -1.0
        z, e = float(zeta_ppm), float(eta)
        rows = {
            "xx": [1.0, -(1.0 + e) / 2.0, -z / 2.0],
            "yy": [1.0, -(1.0 - e) / 2.0, z / 2.0],
            "zz": [1.0, 1.0, 0.0],
            "omega": [0.0, s * (3.0 + e) / 2.0, abs(z) / 2.0],
            "kappa": [0.0, 0.0, 12.0 * s / (3.0 + e) ** 2],
        }
        err: dict[str, float | None] = dict.fromkeys([*rows, *_INPUTS])
        if cov is not None:
            c = np.asarray(cov, dtype=float)
            if c.shape == (3, 3) and np.all(np.isfinite(c)):
                for key, row in rows.items():
                    if not any(_DEPENDS[key][i] for i, n in enumerate(_INPUTS) if n in without_error):
                        j = np.asarray(row)
                        err[key] = float(np.sqrt(max(j @ c @ j, 0.0)))
                for i, n in enumerate(_INPUTS):
                    if n not in without_error:
                        err[n] = float(np.sqrt(max(c[i, i], 0.0)))
        principal = {"xx": (xx, err["xx"]), "yy": (yy, err["yy"]), "zz": (zz, err["zz"])}
        m11, m22, m33 = ("zz", "yy", "xx") if s > 0 else ("xx", "yy", "zz")
        return cls(
            float(iso_ppm), z, e, err["iso"], err["zeta"], err["eta"],
            omega, err["omega"], kappa, None if not np.isfinite(kappa) else err["kappa"],
            xx, yy, zz, err["xx"], err["yy"], err["zz"],
            principal[m11][0], principal[m22][0], principal[m33][0],
            principal[m11][1], principal[m22][1], principal[m33][1],
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (NaN → ``None``)."""
        return {k: (_opt(v) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def _derived_without_error(without_error: Collection[str]) -> list[str]:
    """Names of the tensor quantities that ``without_error`` leaves without an error (see
    :meth:`CsaTensor.from_haeberlen`), e.g. ``["Ω", "κ", "δxx", "δyy"]`` for ``{"eta"}``."""
    return [name for key, name in _DERIVED_NAMES.items()
            if any(_DEPENDS[key][i] for i, n in enumerate(_INPUTS) if n in without_error)]


_DERIVED_NAMES = {"omega": "Ω", "kappa": "κ", "xx": "δxx", "yy": "δyy", "zz": "δzz"}


def _site_keys(label: str, tensor: CsaTensor, fraction: float, fraction_err: float | None
               ) -> dict[str, Any]:
    """The site keys shared by 1D and PASS results: label, Haeberlen/Herzfeld–Berger values with
    errors, fraction, and the principal components δ11, δ22, δ33."""
    t = tensor.to_dict()
    return {
        "label": label,
        **{k: t[k] for k in ("iso_ppm", "iso_ppm_err", "zeta_ppm", "zeta_ppm_err", "eta",
                             "eta_err", "omega_ppm", "omega_ppm_err", "kappa", "kappa_err")},
        "fraction": fraction,
        "fraction_err": _opt(fraction_err),
        **{k: t[k] for k in t if k.startswith("delta_")},
    }


def _pm(value: float, err: float | None, fmt: str) -> str:
    return format(value, fmt) + ("" if err is None else " ± " + format(err, ".2g"))


def _site_line(label: str, t: CsaTensor, fraction: float, fraction_err: float | None) -> str:
    kappa = "undefined" if not np.isfinite(t.kappa) else _pm(t.kappa, t.kappa_err, ".3f")
    return (f"  {label}: δiso {_pm(t.iso_ppm, t.iso_ppm_err, '.1f')} ppm, ζ "
            f"{_pm(t.zeta_ppm, t.zeta_ppm_err, '.0f')} ppm, η {_pm(t.eta, t.eta_err, '.2f')}; "
            f"Ω {_pm(t.omega_ppm, t.omega_ppm_err, '.0f')} ppm, κ {kappa}; δ11/22/33 "
            f"{t.delta_11_ppm:.0f}/{t.delta_22_ppm:.0f}/{t.delta_33_ppm:.0f} ppm; fraction "
            f"{_pm(fraction, fraction_err, '.3f')}")


def _tensor_notes(t: CsaTensor, small_zeta_ppm: float) -> list[str]:
    if abs(t.zeta_ppm) < small_zeta_ppm:
        return ["ζ is near 0: Ω, κ and their errors are not meaningful"]
    if t.eta > 0.9:
        return ["η near 1: the sign of ζ is poorly defined; compare Ω, κ and δ11/δ22/δ33"]
    return []


def eta_covariance(cov: NDArray[np.float64] | None, eta2: float
                    ) -> tuple[NDArray[np.float64] | None, str | None]:
    """Covariance of (δiso, ζ, η) from that of (δiso, ζ, η²): the row/column of η² is divided by
    2η. When η is too small for that linearisation (σ_η > η/2), η's variance is set to zero and a
    note gives a 2σ upper bound instead."""
    if cov is None:
        return None, None
    c = cov.copy()
    var_s = c[2, 2]
    eta = float(np.sqrt(max(eta2, 0.0)))
    if var_s <= 0:  # at a bound (or exactly determined): nothing to convert
        return c, None
    sd_s = float(np.sqrt(var_s))
    if eta <= 0 or sd_s / (2 * eta) > eta / 2:
        c[2, :] = c[:, 2] = 0.0
        upper = float(np.sqrt(min(max(eta2 + 2 * sd_s, 0.0), 1.0)))
        return c, (f"η is consistent with 0 (η² = {eta2:.3g} ± {sd_s:.2g}): η ≤ {upper:.2f} at 2σ; "
                   "no first-order η error, nor for Ω, κ, δxx, δyy (and the δ11/δ22/δ33 they are)")
    d = np.array([1.0, 1.0, 1.0 / (2 * eta)])
    return c * d[:, None] * d[None, :], None
