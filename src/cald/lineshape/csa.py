"""Chemical-shift anisotropy of spin-1/2 nuclei: tensor conventions, MAS sideband and PASS fits.

Three layers:

* plain functions for the tensor conventions (science.md §4), vectorised over numpy arrays:
  Haeberlen (δiso, ζ, η) ↔ principal components (δxx, δyy, δzz) ↔ Mehring (δ11 ≥ δ22 ≥ δ33) ↔
  Herzfeld–Berger (δiso, Ω, κ); :class:`CsaTensor` holds all of them with first-order
  uncertainties propagated from the covariance of (δiso, ζ, η);
* lineshapes from mrsimulator: :func:`csa_sideband_spectrum` (one site's MAS sideband manifold, or
  static powder pattern, on any uniform ppm axis), :func:`sideband_intensities` (Herzfeld–Berger
  intensities of the orders k), :func:`synthetic_pass` (sideband-order-separated PASS rows);
* fits: :func:`fit_csa` (a 1D MAS spectrum with several sites) and :func:`fit_pass` (PASS rows:
  isotropic spectrum = sum of the rows, and each site's sideband intensities across the orders),
  returning :class:`CsaFitResult` / :class:`PassFitResult` with ``to_dict()`` and ``report()``.

Conventions
-----------
* Chemical shifts δ (ppm, deshielding positive). Haeberlen: |δzz − δiso| ≥ |δxx − δiso| ≥
  |δyy − δiso|, ζ = δzz − δiso (either sign), η = (δyy − δxx)/ζ ∈ [0, 1]. A tie at η = 1 is resolved
  with ζ > 0. Herzfeld–Berger: Ω = δ11 − δ33 ≥ 0, κ = 3(δ22 − δiso)/Ω ∈ [−1, 1] (undefined, NaN,
  when Ω = 0). In closed form Ω = |ζ|(3 + η)/2 and κ = −sign(ζ)·3(1 − η)/(3 + η).
* mrsimulator's ``shielding_symmetric.zeta`` is the anisotropy of the *shielding* tensor, so it is
  −ζ of the shift tensor (checked: a static ζ_mrsim = +100 ppm, η = 0 pattern has its edge at
  δiso − 100 ppm). This module always speaks δ and passes ``zeta = −ζ`` to mrsimulator.
* The ppm ↔ Hz scale is the spectrum's reference frequency ν0 (``Spectrum.sf_mhz``, else the
  Larmor frequency of the nucleus' reference compound from the 1H frequency, ν_1H·Ξ/100). The
  mrsimulator field is set with ``Isotope.ref_freq_to_B0(ν0)``: mrsimulator 1.0 places shifts on
  its reference frequency B0·γ_1H·Ξ/100 (same IUPAC Ξ), so its origin offset is ν0 exactly — the
  same as a field from the 1H frequency. (A field from the bare-nucleus γ_X instead would be 0.4 %
  off for 113Cd and misplace high-order sidebands by ~1 ppm.)
* Sideband order k is the line at δiso + k·ν_r/ν0 (ppm): positive k on the high-ppm side,
  whatever the sign of γ. PASS rows are given in the order of ``orders`` (default −N … N, or
  ``Spectrum.meta["sideband_orders"]``).
* Amplitudes are areas (intensity × ppm) of a site's *whole* manifold, including sidebands that
  fall outside the axis; site fractions are amplitude_i / Σ amplitudes. Linewidths are FWHM in Hz
  (Lorentzian, Gaussian, or both for a Voigt line).

How the fit is fast
-------------------
A site's manifold at δiso is the manifold at δiso = 0 translated (exact for the CSA), and line
broadening is a product in the time domain. Each (ζ, η) is simulated once by mrsimulator at
δiso = 0 on a grid of the spectrum's own step (twice as wide, so every placement stays inside it),
cached as its real FFT, and placed on the axis by a Fourier shift times the broadening's decay:
δiso and the widths cost two FFTs, not a simulation. Amplitudes (and an optional constant
baseline) are solved linearly at every step (variable projection), so the nonlinear search covers
δiso, ζ, η and widths only. Starts: a Herzfeld–Berger style grid of (ζ, η) per site, simulated in
one batched mrsimulator run; with no sites given, centrebands are picked from the tallest peaks
that repeat with the sideband spacing (the member nearest the manifold's first moment, which
equals δiso). A last lmfit pass over all parameters, amplitudes included, gives the covariance.
The search runs in η² rather than η: the powder spectrum is even in η (δxx ↔ δyy), so ∂/∂η = 0 at
η = 0 and a search started there never leaves it (likewise ζ = 0 is kept out of the grid); and it
never starts on a bound, where trf's Coleman–Li scaling can pin a parameter for good. lmfit gives
no covariance at all while a parameter sits on a bound, so such parameters are fixed there for
the covariance pass. A two-site 113Cd fit takes 1–2 s (benchmarks/bench_csa.py).

Uncertainties (as :mod:`cald.recoupling.fit` and :mod:`cald.lineshape.peaks`): points are weighted
by 1/σ, σ given or measured on the spectrum (:func:`cald.nmr.processing.noise_std`), and the
covariance is *not* rescaled by χ²ᵣ (check ``redchi`` ≈ 1). A parameter at a bound of its range
(η = 0 or 1, typically) has no covariance error; derived quantities are then propagated with it
held fixed, and a note says so.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import lmfit
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import lsq_linear
from scipy.signal import find_peaks, peak_widths

from cald.errors import ParameterError
from cald.nuclei import Isotope, get_isotope, larmor_mhz
from cald.spectrum import Spectrum

__all__ = [
    "LINESHAPES",
    "haeberlen_to_principal",
    "principal_to_haeberlen",
    "principal_to_mehring",
    "mehring_to_herzfeld_berger",
    "herzfeld_berger_to_mehring",
    "haeberlen_to_herzfeld_berger",
    "herzfeld_berger_to_haeberlen",
    "CsaTensor",
    "CsaSite",
    "csa_sideband_spectrum",
    "sideband_intensities",
    "mrsim_spectral_dimension",
    "SidebandManifold",
    "find_manifolds",
    "CsaSiteResult",
    "CsaFitResult",
    "fit_csa",
    "pass_isotropic_spectrum",
    "synthetic_pass",
    "PassSiteResult",
    "PassFitResult",
    "fit_pass",
]

#: Line broadenings of :func:`fit_csa`: which FWHM parameters each one varies.
LINESHAPES = {"lorentzian": ("lorentz",), "gaussian": ("gauss",), "voigt": ("lorentz", "gauss")}

_FOUR_LN2 = 4.0 * np.log(2.0)
_ETA_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
_ZETA_GRID_FACTORS = (0.25, 0.5, 0.8, 1.2, 1.7, 2.4, 3.3, 4.5, 6.0)  # × sideband spacing (ppm)
_PASS_ZETA_MAX_ORDERS = 12.0  # PASS fits: |ζ| ≤ 12 sideband spacings


# --- tensor conventions ---------------------------------------------------------------------


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
    |δxx − δiso| (η = 1) the positive deviation is taken as ζ. ζ = 0 gives η = 0."""
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
                       cov: ArrayLike | None = None) -> CsaTensor:
        """All conventions from (δiso, ζ, η) and, optionally, their 3 × 3 covariance matrix
        (order δiso, ζ, η). Errors follow from J C Jᵀ with the analytic Jacobian J; near ζ = 0
        the linearisation of Ω = |ζ|(3 + η)/2 does not hold."""
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
        err: dict[str, float | None] = dict.fromkeys([*rows, "iso", "zeta", "eta"])
        if cov is not None:
            c = np.asarray(cov, dtype=float)
            if c.shape == (3, 3) and np.all(np.isfinite(c)):
                for key, row in rows.items():
                    j = np.asarray(row)
                    err[key] = float(np.sqrt(max(j @ c @ j, 0.0)))
                err["iso"], err["zeta"], err["eta"] = (float(np.sqrt(max(c[i, i], 0.0)))
                                                       for i in range(3))
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


# --- mrsimulator engine ---------------------------------------------------------------------



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

def _mrsim() -> Any:
    try:
        import mrsimulator  # noqa: F401
        from mrsimulator import Simulator, Site, SpinSystem
        from mrsimulator.method.lib import BlochDecaySpectrum
        from mrsimulator.spin_system.isotope import Isotope as MrIsotope
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("CSA lineshapes need mrsimulator: pip install 'cald[all]'") from exc
    return Simulator, Site, SpinSystem, BlochDecaySpectrum, MrIsotope


class _SiteSimulator:
    """mrsimulator powder spectra of one spin-1/2 site at δiso = 0 on an ascending ppm grid
    x_j = (j − count/2)·step_ppm, normalised so that a manifold inside the grid sums to 1;
    cached per (ζ, η) as real FFTs."""

    def __init__(self, nucleus: str, larmor_hz: float, mas_hz: float, step_ppm: float, count: int,
                 zeta_max_ppm: float, integration_density: int = 70, cache_bytes: float = 96e6) -> None:
        self.nucleus, self.larmor_hz, self.mas_hz = nucleus, float(larmor_hz), float(mas_hz)
        self.step_ppm, self.count = float(step_ppm), int(count)
        self.integration_density = int(integration_density)
        # sidebands per rotor period: the manifold spans Ω ≤ 2|ζ|; sample well beyond it
        omega_max_hz = 2.0 * abs(zeta_max_ppm) * self.larmor_hz * 1e-6
        self.n_sidebands = 1 if mas_hz == 0 else int(max(32, 2 ** math.ceil(
            math.log2(2.0 * omega_max_hz / mas_hz + 16))))
        self.n_simulations = 0
        self._cache: OrderedDict[tuple[float, float], NDArray[np.complex128]] = OrderedDict()
        self._max_items = max(16, int(cache_bytes // (16 * (self.count // 2 + 1))))
        self._norm = 1.0
        self._norm = float(np.sum(self._simulate([(0.0, 0.0)])[0]))

    def _simulate(self, pairs: Sequence[tuple[float, float]]) -> list[NDArray[np.float64]]:
        simulator, site_cls, spin_system, bloch_decay, mr_isotope = _mrsim()
        b0 = mr_isotope(symbol=self.nucleus).ref_freq_to_B0(self.larmor_hz)
        increment_hz = self.step_ppm * self.larmor_hz * 1e-6
        method = bloch_decay(
            channels=[self.nucleus], magnetic_flux_density=b0, rotor_frequency=self.mas_hz,
            spectral_dimensions=[{"count": self.count, "spectral_width": self.count * increment_hz,
                                  "reference_offset": 0.0}])
        systems = [spin_system(sites=[site_cls(isotope=self.nucleus, isotropic_chemical_shift=0.0,
                                               shielding_symmetric={"zeta": -z, "eta": e})])
                   for z, e in pairs]
        sim = simulator(spin_systems=systems, methods=[method])
        sim.config.number_of_sidebands = self.n_sidebands
        sim.config.integration_density = self.integration_density
        if len(systems) > 1:
            sim.config.decompose_spectrum = "spin_system"
        sim.run()
        self.n_simulations += len(systems)
        return [np.asarray(y.components[0].real, dtype=float) / self._norm
                for y in sim.methods[0].simulation.y]

    @staticmethod
    def _key(zeta_ppm: float, eta: float) -> tuple[float, float]:
        return (round(float(zeta_ppm), 9), round(float(eta), 9))

    def spectra_rfft(self, pairs: Sequence[tuple[float, float]]) -> list[NDArray[np.complex128]]:
        """Cached rFFTs of the normalised spectra of (ζ, η) pairs; the missing ones are simulated
        in one batched mrsimulator run."""
        keys = [self._key(z, e) for z, e in pairs]
        missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        for chunk in range(0, len(missing), 128):
            part = missing[chunk:chunk + 128]
            for k, y in zip(part, self._simulate(part), strict=True):
                self._cache[k] = np.fft.rfft(y)
        out = []
        for k in keys:
            self._cache.move_to_end(k)
            out.append(self._cache[k])
        while len(self._cache) > self._max_items:
            self._cache.popitem(last=False)
        return out

    def spectrum(self, zeta_ppm: float, eta: float) -> NDArray[np.float64]:
        """The normalised spectrum (sum 1 inside the grid) of one (ζ, η) at δiso = 0."""
        return np.fft.irfft(self.spectra_rfft([(zeta_ppm, eta)])[0], n=self.count)


def _decay(nu: NDArray[np.float64], lorentz_pts: float, gauss_pts: float) -> NDArray[np.float64]:
    """Fourier transform of a unit-area Lorentzian ⊗ Gaussian of FWHMs in points, at
    frequencies ``nu`` (cycles per point)."""
    return np.exp(-np.pi * abs(lorentz_pts) * nu - (np.pi * gauss_pts * nu) ** 2 / _FOUR_LN2)


class _Placer:
    """Places cached site spectra on an ascending uniform axis a_k = a0 + k·step (Fourier shift
    by δiso, broadening as a product in the time domain)."""

    def __init__(self, sim: _SiteSimulator, a0_ppm: float, n: int) -> None:
        self.sim, self.a0, self.n = sim, float(a0_ppm), int(n)
        self.nu = np.asarray(np.fft.rfftfreq(sim.count), dtype=np.float64)
        self.hz_per_pt = sim.step_ppm * sim.larmor_hz * 1e-6

    def place(self, spec_rfft: NDArray[np.complex128], iso_ppm: float, lorentz_hz: float,
              gauss_hz: float) -> NDArray[np.float64]:
        """Unit-area (intensity × ppm) manifold of the cached site at ``iso_ppm``, broadened."""
        m = self.sim.count
        u0 = (self.a0 - iso_ppm) / self.sim.step_ppm + m / 2
        n0 = math.floor(u0)
        frac = u0 - n0
        if n0 < 0 or n0 + self.n > m:
            raise ParameterError(f"δiso = {iso_ppm:g} ppm is too far outside the axis")
        factor = np.exp(2j * np.pi * self.nu * frac) * _decay(
            self.nu, lorentz_hz / self.hz_per_pt, gauss_hz / self.hz_per_pt)
        g = np.fft.irfft(spec_rfft * factor, n=m)
        return g[n0:n0 + self.n] / self.sim.step_ppm


# --- axis and input checks ------------------------------------------------------------------


@dataclass(frozen=True)
class _Axis:
    """A uniform ppm axis in ascending order, remembering whether the caller's was reversed."""

    a0: float
    step: float
    n: int
    reversed: bool

    @property
    def ascending(self) -> NDArray[np.float64]:
        return np.asarray(self.a0 + self.step * np.arange(self.n), dtype=np.float64)

    def to_caller(self, y: NDArray[Any]) -> NDArray[Any]:
        return y[..., ::-1] if self.reversed else y

    def from_caller(self, y: NDArray[Any]) -> NDArray[Any]:
        return y[..., ::-1] if self.reversed else y

    @property
    def lo(self) -> float:
        return self.a0

    @property
    def hi(self) -> float:
        return self.a0 + self.step * (self.n - 1)


def _axis(ppm: ArrayLike, min_points: int = 2) -> _Axis:
    a = np.asarray(ppm, dtype=float)
    if a.ndim != 1 or a.size < min_points:
        raise ParameterError(f"the ppm axis needs at least {min_points} points, got {a.size}")
    if not np.all(np.isfinite(a)):
        raise ParameterError("the ppm axis has non-finite values")
    rev = bool(a[0] > a[-1])
    asc = a[::-1] if rev else a
    step = (asc[-1] - asc[0]) / (asc.size - 1)
    if not step > 0 or np.max(np.abs(np.diff(asc) - step)) > 1e-3 * step:
        raise ParameterError("the ppm axis must be uniformly spaced and monotonic")
    return _Axis(float(asc[0]), float(step), int(asc.size), rev)


def _spin_half(nucleus: str | Isotope | None) -> Isotope:
    if nucleus is None:
        raise ParameterError("the nucleus is not known: give nucleus= (e.g. '113Cd')")
    iso = nucleus if isinstance(nucleus, Isotope) else get_isotope(nucleus)
    if iso.is_quadrupolar:
        raise ParameterError(f"{iso.symbol} has spin {iso.spin_label}: the CSA sideband fit is for "
                             "spin-1/2 nuclei (use cald.lineshape.quadrupolar for quadrupolar sites)")
    return iso


def _reference_mhz(iso: Isotope, sf_mhz: float | None, field_1h_mhz: float | None,
                   notes: list[str] | None = None) -> float:
    from_field = None if field_1h_mhz is None else larmor_mhz(iso, field_1h_mhz)
    if field_1h_mhz is not None and not (field_1h_mhz > 0 and np.isfinite(field_1h_mhz)):
        raise ParameterError(f"the 1H frequency must be positive, got {field_1h_mhz} MHz")
    if sf_mhz is None:
        if from_field is None:
            raise ParameterError("the spectrometer frequency is not known: the spectrum has no "
                                 "sf_mhz, give field_1h_mhz (1H frequency in MHz)")
        return float(from_field)
    if not (sf_mhz > 0 and np.isfinite(sf_mhz)):
        raise ParameterError(f"the spectrometer frequency must be positive, got {sf_mhz} MHz")
    if from_field is not None and abs(from_field - sf_mhz) > 1e-3 * sf_mhz and notes is not None:
        notes.append(f"the spectrum's SF ({sf_mhz:.4f} MHz) differs from the {iso.symbol} "
                     f"frequency at 1H {field_1h_mhz} MHz ({from_field:.4f} MHz); SF is used")
    return float(sf_mhz)


def _check_mas(mas_hz: float, allow_static: bool = False) -> float:
    ok = np.isfinite(mas_hz) and (mas_hz > 0 or (allow_static and mas_hz == 0))
    if not ok:
        raise ParameterError(f"the MAS rate must be {'≥' if allow_static else '>'} 0 Hz, "
                             f"got {mas_hz} Hz")
    return float(mas_hz)


def _check_tensor(zeta_ppm: float | None, eta: float | None, where: str) -> None:
    if eta is not None and not (0.0 <= eta <= 1.0):
        raise ParameterError(f"{where}: η must be in [0, 1] (Haeberlen), got {eta}")
    if zeta_ppm is not None and not np.isfinite(zeta_ppm):
        raise ParameterError(f"{where}: ζ must be finite, got {zeta_ppm}")


def _grid_size(n: int, extra_pts: float = 0.0) -> int:
    return int(2 ** math.ceil(math.log2(2 * (n + math.ceil(extra_pts)) + 8)))


def mrsim_spectral_dimension(ppm: ArrayLike, larmor_mhz: float) -> dict[str, float]:
    """An mrsimulator spectral dimension (``count``, ``spectral_width``, ``reference_offset``,
    ``origin_offset``, in Hz) whose ``coordinates_ppm()`` coincide with the uniform axis ``ppm``
    sorted in increasing order; reverse the simulated values for a decreasing (TopSpin) axis.
    Use it with a field from ``Isotope.ref_freq_to_B0(larmor_mhz * 1e6)`` so that mrsimulator's
    ppm scale is the spectrum's."""
    ax = _axis(ppm)
    nu0 = float(larmor_mhz) * 1e6
    inc = ax.step * nu0 * 1e-6
    return {"count": ax.n, "spectral_width": ax.n * inc,
            "reference_offset": (ax.a0 + ax.step * (ax.n // 2)) * nu0 * 1e-6, "origin_offset": nu0}


# --- plain lineshape functions ----------------------------------------------------------------


def csa_sideband_spectrum(
    ppm: ArrayLike,
    iso_ppm: float,
    zeta_ppm: float,
    eta: float,
    *,
    mas_hz: float,
    larmor_mhz: float,
    nucleus: str = "113Cd",
    amplitude: float = 1.0,
    lorentz_hz: float = 0.0,
    gauss_hz: float = 0.0,
    integration_density: int = 70,
) -> NDArray[np.float64]:
    """One site's MAS sideband manifold (static powder pattern for ``mas_hz = 0``) on a uniform
    ppm axis, in the axis' own order.

    ``amplitude`` is the area (intensity × ppm) of the whole manifold, so the sum of the values
    times the step is ``amplitude`` when every sideband falls on the axis. ``larmor_mhz`` is the
    reference frequency ν0 that defines the ppm scale. Widths are FWHM in Hz; give at least about
    two points of width (a sub-point δiso shift of an unbroadened spectrum rings).
    """
    ax = _axis(ppm)
    iso = _spin_half(nucleus)
    _check_mas(mas_hz, allow_static=True)
    _check_tensor(zeta_ppm, eta, "csa_sideband_spectrum")
    if not (larmor_mhz > 0 and np.isfinite(larmor_mhz)):
        raise ParameterError(f"larmor_mhz must be positive, got {larmor_mhz}")
    outside = max(ax.lo - iso_ppm, iso_ppm - ax.hi, 0.0) / ax.step
    sim = _SiteSimulator(iso.symbol, larmor_mhz * 1e6, mas_hz, ax.step, _grid_size(ax.n, outside),
                         abs(zeta_ppm), integration_density)
    placer = _Placer(sim, ax.a0, ax.n)
    y = amplitude * placer.place(sim.spectra_rfft([(zeta_ppm, eta)])[0], iso_ppm, lorentz_hz, gauss_hz)
    return ax.to_caller(y)


class _OrderSimulator:
    """Herzfeld–Berger sideband intensities p_k(ζ, η) (Σ over all orders = 1) from mrsimulator,
    on a grid whose increment is the spinning rate, so each order is one bin."""

    def __init__(self, nucleus: str, larmor_hz: float, mas_hz: float, max_order: int,
                 zeta_max_ppm: float, integration_density: int = 70) -> None:
        omega_orders = 2.0 * abs(zeta_max_ppm) * larmor_hz * 1e-6 / mas_hz
        count = int(max(64, 2 ** math.ceil(math.log2(max(4 * max_order, 2 * omega_orders) + 16))))
        self.sim = _SiteSimulator(nucleus, larmor_hz, mas_hz, mas_hz / larmor_hz * 1e6, count,
                                  zeta_max_ppm, integration_density)

    def intensities(self, pairs: Sequence[tuple[float, float]], orders: NDArray[np.int_]
                    ) -> NDArray[np.float64]:
        c = self.sim.count
        spectra = [np.fft.irfft(s, n=c) for s in self.sim.spectra_rfft(pairs)]
        return np.array([y[c // 2 + orders] for y in spectra])


def sideband_intensities(
    zeta_ppm: float,
    eta: float,
    orders: ArrayLike,
    *,
    mas_hz: float,
    larmor_mhz: float,
    nucleus: str = "113Cd",
    integration_density: int = 70,
) -> NDArray[np.float64]:
    """Herzfeld–Berger intensities of sideband orders ``orders`` (order k at δiso + k·ν_r/ν0 ppm)
    of one site, normalised so that the sum over *all* orders is 1."""
    iso = _spin_half(nucleus)
    _check_mas(mas_hz)
    _check_tensor(zeta_ppm, eta, "sideband_intensities")
    k = np.asarray(orders, dtype=int)
    engine = _OrderSimulator(iso.symbol, larmor_mhz * 1e6, mas_hz,
                             int(np.max(np.abs(k))) if k.size else 1, abs(zeta_ppm), integration_density)
    return engine.intensities([(zeta_ppm, eta)], k)[0]


# --- starting guesses -----------------------------------------------------------------------


@dataclass(frozen=True)
class CsaSite:
    """What is known of one site before the fit.

    Attributes
    ----------
    iso_ppm
        Isotropic shift (start; the fit keeps it within ±0.45 sideband spacings).
    zeta_ppm, eta
        Haeberlen start; ``None`` → chosen on a Herzfeld–Berger style (ζ, η) grid.
    linewidth_hz
        Start of the FWHM; ``None`` → measured on the spectrum.
    label
        Name used in the results (default ``"site N"``).
    """

    iso_ppm: float
    zeta_ppm: float | None = None
    eta: float | None = None
    linewidth_hz: float | None = None
    label: str | None = None


@dataclass(frozen=True)
class SidebandManifold:
    """Peaks that repeat with the sideband spacing, and the centreband chosen among them.

    ``iso_ppm`` is the member nearest the height-weighted first moment (which equals δiso for a
    complete manifold); ``candidates_ppm`` the nearest members, tried by the grid search.
    """

    iso_ppm: float
    candidates_ppm: tuple[float, ...]
    peaks_ppm: tuple[float, ...]
    heights: tuple[float, ...]
    first_moment_ppm: float
    width_hz: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def _noise(values: NDArray[np.float64]) -> float:
    """Noise σ of one row of values (:func:`cald.nmr.processing.noise_std`: median spread of
    segments, trend removed)."""
    from cald.nmr.processing import noise_std

    return noise_std(Spectrum(np.asarray(values, dtype=float), np.arange(np.size(values), dtype=float),
                              "ppm"))


def _manifolds(a: NDArray[np.float64], y: NDArray[np.float64], spacing_ppm: float, sigma: float,
               n_sites: int | None, min_snr: float, max_sites: int, hz_per_ppm: float
               ) -> list[SidebandManifold]:
    step = a[1] - a[0]
    threshold = max(min_snr * sigma, 0.01 * float(np.max(y)))
    idx, _ = find_peaks(y, height=threshold, prominence=threshold)
    if idx.size == 0:
        return []
    idx = idx[np.argsort(y[idx])[::-1]][:200]
    widths = peak_widths(y, idx, rel_height=0.5)[0] * step
    tol = max(3 * step, 0.03 * spacing_ppm)
    free = np.ones(idx.size, bool)
    groups = []
    for i in range(idx.size):
        if not free[i]:
            continue
        off = (a[idx] - a[idx[i]]) / spacing_ppm
        member = free & (np.abs(off - np.round(off)) * spacing_ppm <= tol)
        free &= ~member
        groups.append(np.flatnonzero(member))
    totals = np.array([y[idx[g]].sum() for g in groups])
    order = np.argsort(totals)[::-1]
    keep = [o for o in order if totals[o] >= 0.02 * totals[order[0]]][:n_sites or max_sites]
    out = []
    for o in keep:
        g = groups[o]
        pos, h = a[idx[g]], y[idx[g]]
        moment = float(np.sum(pos * h) / np.sum(h))
        near = np.argsort(np.abs(pos - moment))[:3]
        top = g[int(near[0])]
        out.append(SidebandManifold(float(pos[near[0]]), tuple(float(p) for p in pos[near]),
                                    tuple(float(p) for p in np.sort(pos)[::-1]),
                                    tuple(float(v) for v in h[np.argsort(pos)[::-1]]), moment,
                                    float(widths[top]) * hz_per_ppm))
    return sorted(out, key=lambda m: -m.iso_ppm)


def find_manifolds(spectrum: Spectrum, mas_hz: float, *, nucleus: str | None = None,
                   field_1h_mhz: float | None = None, n_sites: int | None = None, min_snr: float = 5.0,
                   max_sites: int = 6) -> list[SidebandManifold]:
    """Sideband manifolds in a 1D MAS spectrum: peaks above ``min_snr`` × noise σ, grouped (tallest
    first) with the peaks that sit a whole number of sideband spacings ν_r/ν0 away; the ``n_sites``
    (else up to ``max_sites``) strongest groups, by decreasing δiso. ``width_hz`` is the FWHM of the
    chosen centreband. Two sites whose shifts differ by a multiple of the spacing merge: give the
    shifts to :func:`fit_csa` then."""
    _check_mas(mas_hz)
    if spectrum.unit != "ppm":
        raise ParameterError(f"find_manifolds needs a ppm axis, got {spectrum.unit!r}")
    ax = _axis(spectrum.axis, 8)
    nu0 = _reference_mhz(_spin_half(nucleus or spectrum.nucleus), spectrum.sf_mhz, field_1h_mhz)
    y = ax.from_caller(np.real(np.asarray(spectrum.values, dtype=complex)))
    if y.ndim != 1:
        raise ParameterError("find_manifolds works on one 1D spectrum")
    return _manifolds(ax.ascending, y, mas_hz / nu0, _noise(y), n_sites, min_snr, max_sites, nu0)


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsaSiteResult:
    """One fitted site: the tensor in all conventions, its amplitude, fraction and widths."""

    label: str
    tensor: CsaTensor
    amplitude: float
    amplitude_err: float | None
    fraction: float
    fraction_err: float | None
    linewidth_hz: float
    linewidth_hz_err: float | None
    lorentz_hz: float
    gauss_hz: float
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON-ready dictionary (the CLI contract's keys: ``iso_ppm``, ``zeta_ppm``, ``eta``,
        ``omega_ppm``, ``kappa``, ``fraction``; each with ``_err``)."""
        return {
            **_site_keys(self.label, self.tensor, self.fraction, self.fraction_err),
            "amplitude": self.amplitude,
            "amplitude_err": _opt(self.amplitude_err),
            "linewidth_hz": self.linewidth_hz,
            "linewidth_hz_err": _opt(self.linewidth_hz_err),
            "lorentz_hz": self.lorentz_hz,
            "gauss_hz": self.gauss_hz,
            "notes": list(self.notes),
        }


CONVENTIONS = ("δ in ppm; Haeberlen ζ = δzz − δiso, η = (δyy − δxx)/ζ ∈ [0, 1]; Mehring δ11 ≥ δ22 ≥ δ33; "
               "Herzfeld–Berger Ω = δ11 − δ33, κ = 3(δ22 − δiso)/Ω; fraction = whole-manifold area / "
               "sum; widths FWHM in Hz")


@dataclass(frozen=True)
class CsaFitResult:
    """A fitted MAS sideband spectrum.

    ``ppm``, ``data``, ``best_fit`` and ``components`` (one row per site) are on the fitted axis,
    in the spectrum's order; ``baseline`` is the constant offset (0 unless fitted). ``sigma`` is
    the noise σ the points were weighted with (``sigma_source`` says where it came from);
    ``chisqr``, ``redchi``, ``aic``, ``bic`` the fit statistics (AIC/BIC = χ² + 2k / k ln n, σ
    known). ``start`` holds the starting (δiso, ζ, η, FWHM) after the grid, ``n_simulations`` the
    mrsimulator runs (per site and (ζ, η)), ``n_evaluations`` the model evaluations (grid points
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
    sigma: float
    sigma_source: str
    chisqr: float
    redchi: float
    aic: float
    bic: float
    n_points: int
    n_varys: int
    success: bool
    message: str
    n_simulations: int
    n_evaluations: int
    elapsed_s: float
    start: tuple[dict[str, float], ...]
    correl: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

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
            lorentz_hz=s.lorentz_hz, gauss_hz=s.gauss_hz) for s in self.sites])

    @property
    def residual(self) -> NDArray[np.float64]:
        """Data − fit on the data axis."""
        return self.data - self.best_fit

    def curves(self) -> dict[str, Any]:
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
            "redchi": self.redchi,
            "chisqr": self.chisqr,
            "aic": self.aic,
            "bic": self.bic,
            "n_points": self.n_points,
            "n_varys": self.n_varys,
            "nucleus": self.nucleus,
            "larmor_mhz": self.larmor_mhz,
            "mas_hz": self.mas_hz,
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
            out["curves"] = self.curves()
        return out

    def report(self) -> str:
        """Short human-readable summary."""
        lines = [f"CSA sideband fit: {self.nucleus} at {self.larmor_mhz:.4f} MHz, MAS "
                 f"{self.mas_hz / 1e3:.3g} kHz, {len(self.sites)} site(s), {self.lineshape}; "
                 f"χ²ᵣ = {self.redchi:.3g} (σ {self.sigma_source}), BIC = {self.bic:.1f}"]
        for s in self.sites:
            lines.append(_site_line(s.label, s.tensor, s.fraction, s.fraction_err)
                         + f", FWHM {s.linewidth_hz:.0f} Hz")
            lines.extend(f"    note: {n}" for n in s.notes)
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def _pm(value: float, err: float | None, fmt: str) -> str:
    return format(value, fmt) + ("" if err is None else " ± " + format(err, ".2g"))


def _site_line(label: str, t: CsaTensor, fraction: float, fraction_err: float | None) -> str:
    kappa = "undefined" if not np.isfinite(t.kappa) else _pm(t.kappa, t.kappa_err, ".3f")
    return (f"  {label}: δiso {_pm(t.iso_ppm, t.iso_ppm_err, '.1f')} ppm, ζ "
            f"{_pm(t.zeta_ppm, t.zeta_ppm_err, '.0f')} ppm, η {_pm(t.eta, t.eta_err, '.2f')}; "
            f"Ω {_pm(t.omega_ppm, t.omega_ppm_err, '.0f')} ppm, κ {kappa}; δ11/22/33 "
            f"{t.delta_11_ppm:.0f}/{t.delta_22_ppm:.0f}/{t.delta_33_ppm:.0f} ppm; fraction "
            f"{_pm(fraction, fraction_err, '.3f')}")


# --- the 1D fit -----------------------------------------------------------------------------


@dataclass
class _SiteState:
    label: str
    iso: float
    zeta: float
    eta: float
    lorentz: float
    gauss: float
    candidates: tuple[float, ...]
    iso_window: tuple[float, float]
    given_tensor: bool = False


class _Model:
    """Everything the objective needs: axis, data, weights, simulator and placer."""

    def __init__(self, ax: _Axis, y: NDArray[np.float64], sigma: float, sim: _SiteSimulator,
                 lineshape: str, baseline: bool) -> None:
        self.ax, self.y, self.sigma = ax, y, sigma
        self.sim, self.placer = sim, _Placer(sim, ax.a0, ax.n)
        self.widths = LINESHAPES[lineshape]
        self.baseline = baseline
        self.n_evaluations = 0

    def basis(self, sites: Sequence[tuple[float, float, float, float, float]]
              ) -> NDArray[np.float64]:
        """Columns: unit-area manifolds of (iso, ζ, η, lorentz, gauss) sites [+ a constant]."""
        self.n_evaluations += 1
        spectra = self.sim.spectra_rfft([(z, e) for _, z, e, _, _ in sites])
        cols = [self.placer.place(s, iso, lw, gw) for s, (iso, _, _, lw, gw) in
                zip(spectra, sites, strict=True)]
        if self.baseline:
            cols.append(np.ones(self.ax.n))
        return np.column_stack(cols)

    def project(self, b: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Amplitudes ≥ 0 (baseline free) minimising |y − B c|, and the residual."""
        c, *_ = np.linalg.lstsq(b, self.y, rcond=None)
        n_sites = b.shape[1] - int(self.baseline)
        if np.any(c[:n_sites] < 0):
            lower = np.r_[np.zeros(n_sites), np.full(int(self.baseline), -np.inf)]
            c = lsq_linear(b, self.y, bounds=(lower, np.inf), method="bvls").x
        return np.asarray(c, dtype=np.float64), self.y - b @ c


def _site_tuple(p: dict[str, float], i: int, st: _SiteState) -> tuple[float, float, float, float, float]:
    return (p.get(f"s{i}_iso_ppm", st.iso), p.get(f"s{i}_zeta_ppm", st.zeta), p.get(f"s{i}_eta", st.eta),
            p.get(f"s{i}_lorentz_hz", st.lorentz), p.get(f"s{i}_gauss_hz", st.gauss))


def _grid_search(model: _Model, states: list[_SiteState], zeta_max: float, spacing_ppm: float) -> None:
    """Herzfeld–Berger style start: for each site in turn (two sweeps), every (ζ, η) of a coarse
    grid and every centreband candidate, amplitudes by linear least squares; keep the best."""
    mags = [f * spacing_ppm for f in _ZETA_GRID_FACTORS if f * spacing_ppm <= zeta_max] or [zeta_max]
    # no ζ = 0: like η = 0 it is a stationary point (sideband intensities grow as ζ²)
    grid = [(s * z, e) for z in mags for s in (1.0, -1.0) for e in _ETA_GRID if not (s < 0 and e == 1.0)]
    spectra = model.sim.spectra_rfft(grid)  # one batched mrsimulator run
    for _sweep in range(2 if len(states) > 1 else 1):
        for i, st in enumerate(states):
            if st.given_tensor and len(st.candidates) == 1:
                continue
            others = {j: model.placer.place(model.sim.spectra_rfft([(o.zeta, o.eta)])[0], o.iso,
                                            o.lorentz, o.gauss) for j, o in enumerate(states) if j != i}
            fixed_cols = [others[j] for j in sorted(others)] + ([np.ones(model.ax.n)] if model.baseline
                                                                 else [])
            best = (np.inf, st.iso, st.zeta, st.eta)
            pairs = [(st.zeta, st.eta)] if st.given_tensor else grid
            pair_spectra = model.sim.spectra_rfft(pairs) if st.given_tensor else spectra
            for iso in st.candidates:
                for (z, e), s in zip(pairs, pair_spectra, strict=True):
                    model.n_evaluations += 1
                    col = model.placer.place(s, iso, st.lorentz, st.gauss)
                    _, r = model.project(np.column_stack([col, *fixed_cols]))
                    chi = float(r @ r)
                    if chi < best[0]:
                        best = (chi, iso, z, e)
            _, st.iso, st.zeta, st.eta = best
            lo, hi = st.iso - 0.45 * spacing_ppm, st.iso + 0.45 * spacing_ppm
            st.iso_window = (max(lo, model.ax.lo), min(hi, model.ax.hi))


def _width_start(a: NDArray[np.float64], y: NDArray[np.float64], iso: float, hz_per_ppm: float,
                 step: float) -> float:
    k = int(np.clip(np.round((iso - a[0]) / step), 0, a.size - 1))
    lo, hi = max(k - 5, 0), min(k + 6, a.size)
    k = lo + int(np.argmax(y[lo:hi]))
    w = float(peak_widths(y, [k], rel_height=0.5)[0][0]) * step * hz_per_ppm
    return w if np.isfinite(w) and w > 0 else 4 * step * hz_per_ppm


def _information(chisqr: float, n: int, k: int) -> tuple[float, float]:
    return float(chisqr + 2 * k), float(chisqr + k * np.log(n))


def fit_csa(
    spectrum: Spectrum,
    *,
    mas_hz: float,
    sites: Sequence[float | CsaSite] | None = None,
    n_sites: int | None = None,
    nucleus: str | None = None,
    field_1h_mhz: float | None = None,
    lineshape: str = "lorentzian",
    region: tuple[float, float] | None = None,
    noise_sigma: float | None = None,
    baseline: bool = False,
    integration_density: int = 70,
) -> CsaFitResult:
    """Fit the spinning-sideband manifolds of several spin-1/2 sites in a 1D MAS spectrum.

    Parameters
    ----------
    spectrum
        1D frequency-domain :class:`~cald.spectrum.Spectrum` with a uniform ppm axis (either order;
        the real part is fitted).
    mas_hz
        MAS rate ν_r in Hz.
    sites
        Isotropic shifts (ppm) or :class:`CsaSite` starts; ``None`` → picked with
        :func:`find_manifolds` (``n_sites`` of them, else every manifold found, up to 6).
    nucleus
        Observed isotope; default ``spectrum.nucleus``. Quadrupolar nuclei are refused.
    field_1h_mhz
        1H frequency (MHz), used when the spectrum has no ``sf_mhz``.
    lineshape
        ``"lorentzian"``, ``"gaussian"`` or ``"voigt"`` broadening (FWHM in Hz, per site).
    region
        Fit only ``(a, b)`` ppm (either order); the whole axis by default.
    noise_sigma
        Noise σ of the points; measured on the spectrum when ``None``.
    baseline
        Fit a constant offset too.
    integration_density
        mrsimulator's powder-averaging density (70 is its default).
    """
    t_start = time.perf_counter()
    notes: list[str] = []
    if lineshape not in LINESHAPES:
        raise ParameterError(f"lineshape {lineshape!r} not one of {list(LINESHAPES)}")
    if spectrum.unit != "ppm":
        raise ParameterError(f"the CSA fit needs a ppm axis, got {spectrum.unit!r}")
    if np.ndim(spectrum.values) != 1:
        raise ParameterError("fit_csa takes one 1D spectrum; PASS rows go to fit_pass")
    iso_nuc = _spin_half(nucleus or spectrum.nucleus)
    mas = _check_mas(mas_hz)
    nu0 = _reference_mhz(iso_nuc, spectrum.sf_mhz, field_1h_mhz, notes)
    spec = spectrum
    if region is not None:
        mask = spectrum.region_mask(*region)
        spec = spectrum.evolve(np.asarray(spectrum.values)[mask], f"region {region}",
                               axis=spectrum.axis[mask])
    ax = _axis(spec.axis, 32)
    y_all = ax.from_caller(np.real(np.asarray(spec.values, dtype=complex)).astype(float))
    if not np.all(np.isfinite(y_all)):
        raise ParameterError("the spectrum has non-finite values")
    a = ax.ascending
    spacing = mas / nu0  # ppm per sideband order
    hz_per_ppm = nu0
    if n_sites is not None and n_sites < 1:
        raise ParameterError(f"n_sites must be ≥ 1, got {n_sites}")

    # σ and scaling (the objective works on y / scale for conditioning)
    if noise_sigma is not None:
        if not (noise_sigma > 0 and np.isfinite(noise_sigma)):
            raise ParameterError(f"noise_sigma must be positive, got {noise_sigma}")
        sigma, sigma_source = float(noise_sigma), "given"
    else:
        from cald.nmr.processing import noise_std

        sigma = noise_std(spectrum.evolve(np.real(np.asarray(spectrum.values)), "real part"))
        sigma_source = "measured on the spectrum (cald.nmr.processing.noise_std)"
        if not sigma > 0:
            sigma, sigma_source = float(np.std(y_all)) or 1.0, "residuals (noise not measurable)"
    scale = float(np.max(np.abs(y_all))) or 1.0

    # starts
    states: list[_SiteState] = []
    if sites is None:
        found = _manifolds(a, y_all, spacing, sigma, n_sites, 5.0, 6, nu0)
        if not found:
            raise ParameterError("no peaks above 5σ: give the isotropic shifts (sites=)")
        for k, m in enumerate(found):
            states.append(_SiteState(f"site {k + 1}", m.iso_ppm, 0.0, 0.0, 0.0, 0.0, m.candidates_ppm,
                                     (ax.lo, ax.hi)))
        notes.append("sites picked from peaks repeating with the sideband spacing: "
                     + ", ".join(f"{m.iso_ppm:.1f}" for m in found) + " ppm")
    else:
        if len(sites) == 0:
            raise ParameterError("sites is empty: give at least one isotropic shift")
        for k, s in enumerate(sites):
            cs = s if isinstance(s, CsaSite) else CsaSite(float(s))
            where = f"site {k + 1} ({cs.iso_ppm:g} ppm)"
            if not (np.isfinite(cs.iso_ppm) and ax.lo <= cs.iso_ppm <= ax.hi):
                raise ParameterError(f"{where} lies outside the axis ({ax.lo:g} to {ax.hi:g} ppm)")
            _check_tensor(cs.zeta_ppm, cs.eta, where)
            if (cs.zeta_ppm is None) != (cs.eta is None):
                raise ParameterError(f"{where}: give both ζ and η as a start, or neither")
            if cs.linewidth_hz is not None and not cs.linewidth_hz > 0:
                raise ParameterError(f"{where}: linewidth must be positive, got {cs.linewidth_hz}")
            states.append(_SiteState(cs.label or f"site {k + 1}", cs.iso_ppm, cs.zeta_ppm or 0.0,
                                     cs.eta or 0.0, cs.linewidth_hz or 0.0, 0.0, (cs.iso_ppm,),
                                     (ax.lo, ax.hi), cs.zeta_ppm is not None))
    n_free = len(states) * (4 + len(LINESHAPES[lineshape])) + int(baseline)
    if ax.n < 4 * n_free:
        raise ParameterError(f"{ax.n} points are too few for {len(states)} site(s) "
                             f"({n_free} parameters): need at least {4 * n_free}")
    min_w, max_w = 1.0 * ax.step * hz_per_ppm, max(0.5 * mas, 3 * ax.step * hz_per_ppm)
    for st in states:
        w = st.lorentz or _width_start(a, y_all, st.iso, hz_per_ppm, ax.step)
        w = float(np.clip(w, 2 * min_w, max_w / 1.5))
        if lineshape == "voigt":
            st.lorentz, st.gauss = w / 2, w / 2
        elif lineshape == "gaussian":
            st.lorentz, st.gauss = 0.0, w
        else:
            st.lorentz, st.gauss = w, 0.0
        st.iso_window = (max(st.iso - 0.45 * spacing, ax.lo), min(st.iso + 0.45 * spacing, ax.hi))

    count = _grid_size(ax.n)
    zeta_max = min(0.6 * (ax.hi - ax.lo), 0.4 * count * ax.step)
    sim = _SiteSimulator(iso_nuc.symbol, nu0 * 1e6, mas, ax.step, count, zeta_max, integration_density)
    for st in states:
        if abs(st.zeta) > zeta_max:
            raise ParameterError(f"{st.label}: |ζ| = {abs(st.zeta):g} ppm is beyond what the axis "
                                 f"can hold (≤ {zeta_max:.0f} ppm)")
    model = _Model(ax, y_all / scale, sigma / scale, sim, lineshape, baseline)
    _grid_search(model, states, zeta_max, spacing)
    start = tuple({"iso_ppm": st.iso, "zeta_ppm": st.zeta, "eta": st.eta,
                   "linewidth_hz": st.lorentz + st.gauss} for st in states)

    # stage 1: variable projection over the nonlinear parameters. The powder spectrum is even in
    # η (δxx ↔ δyy), so ∂/∂η = 0 at η = 0 and a search in η stalls there: search in η² instead.
    params = lmfit.Parameters()
    for i, st in enumerate(states):
        lo, hi = st.iso_window
        params.add(f"s{i}_iso_ppm", value=float(np.clip(st.iso, lo, hi)), min=lo, max=hi)
        # ζ = 0 is stationary (sideband intensities grow as ζ²): start just off it
        z0 = st.zeta if abs(st.zeta) >= 0.02 * spacing else 0.05 * spacing
        params.add(f"s{i}_zeta_ppm", value=z0, min=-zeta_max, max=zeta_max)
        # never start on a bound: trf's Coleman–Li scaling can pin a parameter there for good
        params.add(f"s{i}_eta2", value=float(np.clip(st.eta**2, 0.01, 0.97)), min=0.0, max=1.0)
        params.add(f"s{i}_eta", expr=f"sqrt(s{i}_eta2)")
        for wname in model.widths:
            params.add(f"s{i}_{wname}_hz", value=getattr(st, wname), min=min_w / 2, max=max_w)

    def sites_of(p: dict[str, float]) -> list[tuple[float, float, float, float, float]]:
        return [_site_tuple(p, i, st) for i, st in enumerate(states)]

    def vp_residual(p: lmfit.Parameters) -> NDArray[np.float64]:
        _, r = model.project(model.basis(sites_of(p.valuesdict())))
        return r / model.sigma

    out1 = lmfit.minimize(vp_residual, params, method="least_squares", x_scale="jac",
                          diff_step=1e-6, scale_covar=False)
    coef, _ = model.project(model.basis(sites_of(out1.params.valuesdict())))

    # stage 2: all parameters (amplitudes and baseline too) from the optimum, for the covariance;
    # lmfit gives no covariance at all when a parameter sits on a bound, so those are held fixed
    params2 = out1.params.copy()
    bound1 = _pin_at_bounds(params2, out1.var_names)
    n_sites_ = len(states)
    for i in range(n_sites_):
        params2.add(f"s{i}_area", value=max(float(coef[i]), 1e-12), min=0.0)
    if baseline:
        params2.add("baseline", value=float(coef[-1]))

    def full_residual(p: lmfit.Parameters) -> NDArray[np.float64]:
        v = p.valuesdict()
        b = model.basis(sites_of(v))
        c = [v[f"s{i}_area"] for i in range(n_sites_)] + ([v["baseline"]] if baseline else [])
        return (model.y - b @ np.asarray(c)) / model.sigma

    out = lmfit.minimize(full_residual, params2, method="least_squares", x_scale="jac",
                         diff_step=1e-6, scale_covar=sigma_source.startswith("residuals"))
    vals = out.params.valuesdict()
    b = model.basis(sites_of(vals))
    c = np.array([vals[f"s{i}_area"] for i in range(n_sites_)] + ([vals["baseline"]] if baseline else []))
    comps = b[:, :n_sites_] * c[:n_sites_]
    fit = b @ c

    # uncertainties
    var_names = list(out.var_names)
    covar = None if out.covar is None else np.asarray(out.covar, dtype=float)
    if covar is None:
        notes.append("covariance unavailable (singular Jacobian): the data do not constrain every "
                     "parameter; errors are missing")
    at_bound = bound1 | _at_bound(out.params, var_names)

    def cov_of(names: list[str]) -> NDArray[np.float64] | None:
        """Covariance block of ``names``; rows/columns of parameters at a bound are zero."""
        if covar is None:
            return None
        idx = [var_names.index(n) if n in var_names and n not in at_bound else -1 for n in names]
        m = np.zeros((len(names), len(names)))
        for r_, i_ in enumerate(idx):
            for c_, j_ in enumerate(idx):
                if i_ >= 0 and j_ >= 0:
                    m[r_, c_] = covar[i_, j_]
        return m

    areas = c[:n_sites_] * scale
    area_names = [f"s{i}_area" for i in range(n_sites_)]
    area_cov = cov_of(area_names)
    if area_cov is not None:
        area_cov = area_cov * scale**2
    fractions, frac_err = _fractions(areas, area_cov)

    results = []
    for i, st in enumerate(states):
        site_notes: list[str] = []
        names = [f"s{i}_iso_ppm", f"s{i}_zeta_ppm", f"s{i}_eta2"]
        for n_ in names:
            if n_ in at_bound:
                site_notes.append(f"{n_.split('_', 1)[1]} = {vals[n_]:.4g} is at a bound of its range: "
                                  "no covariance error; derived errors hold it fixed")
        cov3, eta_note = _eta_covariance(cov_of(names), vals[names[2]])
        if eta_note:
            site_notes.append(eta_note)
        tensor = CsaTensor.from_haeberlen(vals[names[0]], vals[names[1]], vals[f"s{i}_eta"], cov3)
        if cov3 is not None:
            missing = [f for f, n_ in zip(("iso_ppm_err", "zeta_ppm_err", "eta_err"), names, strict=True)
                       if n_ in at_bound or (f == "eta_err" and eta_note)]
            if missing:
                tensor = CsaTensor(**{**tensor.__dict__, **dict.fromkeys(missing)})
        site_notes.extend(_tensor_notes(tensor, 2 * ax.step))
        widths = {w: vals.get(f"s{i}_{w}_hz", 0.0) for w in ("lorentz", "gauss")}
        lw_names = [f"s{i}_{w}_hz" for w in ("lorentz", "gauss")]
        fwhm = _voigt_fwhm(widths["lorentz"], widths["gauss"])
        lw_err = None
        cov_w = cov_of(lw_names)
        if cov_w is not None and not any(n_ in at_bound for n_ in lw_names if n_ in var_names):
            lo_, ga_ = widths["lorentz"], widths["gauss"]
            root = np.sqrt(0.2166 * lo_**2 + ga_**2) or 1.0
            jw = np.array([0.5346 + 0.2166 * lo_ / root, ga_ / root])
            lw_err = float(np.sqrt(max(jw @ cov_w @ jw, 0.0)))
        a_err = None if area_cov is None or area_names[i] in at_bound else float(np.sqrt(area_cov[i, i]))
        results.append(CsaSiteResult(
            st.label, tensor, float(areas[i]), a_err, float(fractions[i]),
            None if frac_err is None else float(frac_err[i]), fwhm, lw_err,
            widths["lorentz"], widths["gauss"], tuple(site_notes)))

    n, nv = ax.n, int(out.nvarys)
    chisqr = float(out.chisqr)
    redchi = chisqr / (n - nv)
    aic, bic = _information(chisqr, n, nv)
    if sigma_source != "given" and not sigma_source.startswith("residuals") and redchi > 2.0:
        notes.append(f"χ²ᵣ = {redchi:.2g} ≫ 1: the model misses part of the spectrum (more sites, "
                     "a baseline, distributions?) or the noise is correlated; errors are too small")
    correl = {}  # strong correlations only (|r| > 0.5)
    for name in var_names:
        strong = {k: float(v) for k, v in (out.params[name].correl or {}).items() if abs(v) > 0.5}
        if strong:
            correl[name] = strong
    return CsaFitResult(
        tuple(results), iso_nuc.symbol, nu0, mas, lineshape, np.asarray(spec.axis, dtype=float),
        ax.to_caller(y_all), ax.to_caller(fit * scale), ax.to_caller(comps.T * scale),
        float(c[-1] * scale) if baseline else 0.0, sigma, sigma_source, chisqr, redchi, aic, bic,
        n, nv, bool(out.success), str(out.message), sim.n_simulations, model.n_evaluations,
        time.perf_counter() - t_start, start, correl, tuple(notes))


def _at_bound(params: lmfit.Parameters, names: Sequence[str]) -> set[str]:
    """Varied parameters sitting on a bound of their range."""
    out = set()
    for name in names:
        par = params[name]
        span = par.max - par.min if np.isfinite(par.max - par.min) else 1.0
        tol = 1e-6 * max(abs(span), 1e-3)
        if any(np.isfinite(bd) and abs(par.value - bd) <= tol for bd in (par.min, par.max)):
            out.add(name)
    return out


def _pin_at_bounds(params: lmfit.Parameters, names: Sequence[str]) -> set[str]:
    """Fix the parameters among ``names`` that sit on a bound, exactly at that bound."""
    pinned = _at_bound(params, names)
    for name in pinned:
        par = params[name]
        par.set(value=par.min if abs(par.value - par.min) <= abs(par.value - par.max) else par.max,
                vary=False)
    return pinned


def _eta_covariance(cov: NDArray[np.float64] | None, eta2: float
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
                   "no first-order η error, derived errors hold η fixed")
    d = np.array([1.0, 1.0, 1.0 / (2 * eta)])
    return c * d[:, None] * d[None, :], None


def _fractions(areas: NDArray[np.float64], cov: NDArray[np.float64] | None
               ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
    """f_i = A_i / Σ A and first-order errors from the (correlated) covariance of the areas."""
    total = float(np.sum(areas))
    if not total > 0:
        return np.full(areas.size, np.nan), None
    f = np.asarray(areas / total, dtype=np.float64)
    if cov is None:
        return f, None
    jac = (np.eye(areas.size) - f[:, None]) / total
    return f, np.sqrt(np.clip(np.diag(jac @ cov @ jac.T), 0.0, None))


def _tensor_notes(t: CsaTensor, small_zeta_ppm: float) -> list[str]:
    if abs(t.zeta_ppm) < small_zeta_ppm:
        return ["ζ is near 0: Ω, κ and their errors are not meaningful"]
    if t.eta > 0.9:
        return ["η near 1: the sign of ζ is poorly defined; compare Ω, κ and δ11/δ22/δ33"]
    return []


def _voigt_fwhm(lorentz: float, gauss: float) -> float:
    """Olivero–Longbothum approximation of the Voigt FWHM (exact for either width zero)."""
    return float(0.5346 * lorentz + np.sqrt(0.2166 * lorentz**2 + gauss**2))


# --- PASS -----------------------------------------------------------------------------------


def _orders_of(pass_data: Spectrum, orders: Sequence[int] | None) -> NDArray[np.int_]:
    n_rows = np.shape(pass_data.values)[0]
    if orders is None:
        orders = pass_data.meta.get("sideband_orders")
    if orders is None:
        if n_rows % 2 == 0:
            raise ParameterError(f"{n_rows} PASS rows: give the sideband orders (orders=) — the "
                                 "default −N … N needs an odd number of rows")
        orders = list(range(-(n_rows // 2), n_rows // 2 + 1))
    k = np.asarray(orders)
    if k.ndim != 1 or k.size != n_rows or not np.all(k == np.round(k)):
        raise ParameterError(f"orders must be {n_rows} integers (one per row), got {list(k)}")
    if len(set(k.tolist())) != k.size:
        raise ParameterError("sideband orders must be distinct")
    return k.astype(int)


def _check_pass(pass_data: Spectrum) -> None:
    if pass_data.unit != "ppm":
        raise ParameterError(f"PASS data need a ppm axis, got {pass_data.unit!r}")
    if np.ndim(pass_data.values) != 2:
        raise ParameterError("PASS data are a 2D Spectrum: one row per sideband order")


def pass_isotropic_spectrum(pass_data: Spectrum) -> Spectrum:
    """The isotropic spectrum of sheared PASS data: the sum of the order rows (as the study does,
    Figure 5c); every site appears at δiso with the area of its whole measured manifold."""
    _check_pass(pass_data)
    values = np.sum(np.asarray(pass_data.values), axis=0)
    meta = {k: v for k, v in pass_data.meta.items() if k != "sideband_orders"}
    return pass_data.evolve(values, f"PASS isotropic spectrum: sum of {np.shape(pass_data.values)[0]} "
                            "order rows", meta=meta)


def synthetic_pass(
    ppm: ArrayLike,
    sites: Sequence[dict[str, float]],
    *,
    mas_hz: float,
    nucleus: str = "113Cd",
    sf_mhz: float | None = None,
    field_1h_mhz: float | None = None,
    orders: Sequence[int] | None = None,
    noise: float = 0.0,
    seed: int = 0,
    integration_density: int = 70,
) -> Spectrum:
    """Sheared PASS rows for tests and the demo: row k = Σ_sites area · p_k(ζ, η) · Lorentzian at
    δiso, with p_k the mrsimulator sideband intensities (:func:`sideband_intensities`).

    ``sites``: dicts with ``iso_ppm``, ``zeta_ppm``, ``eta``, ``area`` (whole-manifold area,
    intensity × ppm) and ``linewidth_hz`` (Lorentzian FWHM). ``orders`` default −6 … 6. Gaussian
    noise of σ ``noise`` is added with ``seed``. The orders travel in ``meta["sideband_orders"]``.
    """
    iso_nuc = _spin_half(nucleus)
    nu0 = _reference_mhz(iso_nuc, sf_mhz, field_1h_mhz)
    mas = _check_mas(mas_hz)
    _axis(ppm, 8)
    k = np.asarray(list(range(-6, 7)) if orders is None else orders, dtype=int)
    zeta_max = max([abs(s["zeta_ppm"]) for s in sites] + [1.0])
    engine = _OrderSimulator(iso_nuc.symbol, nu0 * 1e6, mas, int(np.max(np.abs(k))), zeta_max,
                             integration_density)
    a = np.asarray(ppm, dtype=float)
    rows = np.zeros((k.size, a.size))
    for s in sites:
        missing = {"iso_ppm", "zeta_ppm", "eta", "linewidth_hz"} - set(s)
        if missing:
            raise ParameterError(f"synthetic_pass: site {s} lacks {sorted(missing)}")
        _check_tensor(s["zeta_ppm"], s["eta"], "synthetic_pass")
        p = engine.intensities([(s["zeta_ppm"], s["eta"])], k)[0]
        hw = s["linewidth_hz"] / nu0 / 2.0  # half width, ppm
        line = hw / np.pi / ((a - s["iso_ppm"]) ** 2 + hw**2)
        rows += s.get("area", 1.0) * p[:, None] * line[None, :]
    if noise > 0:
        rows += np.random.default_rng(seed).normal(0.0, noise, rows.shape)
    return Spectrum(rows, a, "ppm", iso_nuc.symbol, nu0,
                    meta={"sideband_orders": k.tolist(), "mas_hz": mas, "synthetic": "PASS"},
                    history=("synthetic PASS rows (mrsimulator sideband intensities × Lorentzian)",))


@dataclass(frozen=True)
class PassSiteResult:
    """One site of a PASS fit: its sideband intensities across orders and the fitted tensor."""

    label: str
    region_ppm: tuple[float, float]
    orders: tuple[int, ...]
    intensities: tuple[float, ...]
    intensities_err: tuple[float, ...]
    fitted: tuple[float, ...]
    tensor: CsaTensor
    area: float
    area_err: float | None
    fraction: float
    fraction_err: float | None
    measured_fraction: float
    redchi: float
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON-ready dictionary with the same site keys as :class:`CsaSiteResult`."""
        return {
            **_site_keys(self.label, self.tensor, self.fraction, self.fraction_err),
            "area": self.area,
            "area_err": _opt(self.area_err),
            "measured_fraction": self.measured_fraction,
            "region_ppm": list(self.region_ppm),
            "orders": list(self.orders),
            "intensities": list(self.intensities),
            "intensities_err": list(self.intensities_err),
            "fitted_intensities": list(self.fitted),
            "redchi": self.redchi,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class PassFitResult:
    """PASS analysis: the isotropic spectrum and one Herzfeld–Berger fit per site."""

    sites: tuple[PassSiteResult, ...]
    isotropic: Spectrum
    nucleus: str
    larmor_mhz: float
    mas_hz: float
    n_simulations: int
    elapsed_s: float
    notes: tuple[str, ...] = ()

    def to_dict(self, include_curves: bool = True) -> dict[str, Any]:
        """JSON-ready dictionary: ``sites`` (same keys as the 1D fit), notes and, unless
        ``include_curves`` is false, the isotropic spectrum."""
        out: dict[str, Any] = {
            "sites": [s.to_dict() for s in self.sites],
            "nucleus": self.nucleus,
            "larmor_mhz": self.larmor_mhz,
            "mas_hz": self.mas_hz,
            "n_simulations": self.n_simulations,
            "conventions": CONVENTIONS + "; PASS fraction = fitted whole-manifold area / sum "
                                         "(measured_fraction: region integrals summed over orders)",
            "notes": list(self.notes),
        }
        if include_curves:
            out["isotropic"] = {"ppm": np.asarray(self.isotropic.axis).tolist(),
                                "intensity": np.real(np.asarray(self.isotropic.values)).tolist()}
        return out

    def report(self) -> str:
        """Short human-readable summary."""
        lines = [f"PASS fit: {self.nucleus} at {self.larmor_mhz:.4f} MHz, MAS "
                 f"{self.mas_hz / 1e3:.3g} kHz, {len(self.sites)} site(s)"]
        for s in self.sites:
            lines.append(_site_line(s.label, s.tensor, s.fraction, s.fraction_err)
                         + f"; χ²ᵣ {s.redchi:.2g}")
            lines.extend(f"    note: {n}" for n in s.notes)
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def fit_pass(
    pass_data: Spectrum,
    *,
    mas_hz: float,
    sites: Sequence[float] | None = None,
    n_sites: int | None = None,
    nucleus: str | None = None,
    field_1h_mhz: float | None = None,
    orders: Sequence[int] | None = None,
    half_width_ppm: float | Sequence[float] | None = None,
    integration_density: int = 70,
) -> PassFitResult:
    """Fit PASS data (sheared: row k holds the order-k sidebands at the isotropic positions).

    The isotropic spectrum is the sum of the rows. For each site, each row is integrated over the
    site's region δiso ± ``half_width_ppm`` (default: 4 FWHM of the isotropic line, at most half
    the distance to the next site and half the sideband spacing), giving intensities I_k with
    σ_k from the row noise; I_k = A · p_k(ζ, η) is then fitted with mrsimulator's Herzfeld–Berger
    intensities p_k (Σ over all orders = 1), from the best point of a coarse (ζ, η) grid. Site
    fractions are A_i / Σ A. ``sites`` are isotropic shifts; ``None`` → the tallest peaks of the
    isotropic spectrum (``n_sites`` of them, else all above 5σ, up to 6).
    """
    from cald.nmr.processing import integral_noise, integrate

    t_start = time.perf_counter()
    notes: list[str] = []
    _check_pass(pass_data)
    iso_nuc = _spin_half(nucleus or pass_data.nucleus)
    mas = _check_mas(mas_hz)
    nu0 = _reference_mhz(iso_nuc, pass_data.sf_mhz, field_1h_mhz, notes)
    k = _orders_of(pass_data, orders)
    ax = _axis(pass_data.axis, 16)
    iso_spec = pass_isotropic_spectrum(pass_data)
    y_iso = ax.from_caller(np.real(np.asarray(iso_spec.values)))
    a = ax.ascending
    spacing = mas / nu0
    rows = np.real(np.asarray(pass_data.values))
    row_sigma = np.array([_noise(r) for r in rows])
    iso_sigma = float(np.sqrt(np.sum(row_sigma**2)))

    if sites is None:
        thr = 5.0 * iso_sigma
        idx, _ = find_peaks(y_iso, height=thr, prominence=thr)
        if idx.size == 0:
            raise ParameterError("no peaks above 5σ in the isotropic spectrum: give sites=")
        idx = idx[np.argsort(y_iso[idx])[::-1]][:n_sites or 6]
        centres = sorted((float(a[i]) for i in idx), reverse=True)
        notes.append("sites picked from the isotropic spectrum: "
                     + ", ".join(f"{c:.1f}" for c in centres) + " ppm")
    else:
        centres = [float(s) for s in sites]
        if not centres:
            raise ParameterError("sites is empty: give at least one isotropic shift")
        for c in centres:
            if not (np.isfinite(c) and ax.lo <= c <= ax.hi):
                raise ParameterError(f"site {c:g} ppm lies outside the axis ({ax.lo:g} to {ax.hi:g} ppm)")
    if half_width_ppm is None:
        hws = []
        for i, c in enumerate(centres):
            j = int(np.argmin(np.abs(a - c)))
            lo_, hi_ = max(j - 3, 0), min(j + 4, a.size)
            j = lo_ + int(np.argmax(y_iso[lo_:hi_]))
            fwhm = float(peak_widths(y_iso, [j], rel_height=0.5)[0][0]) * ax.step
            others = [0.5 * abs(c - o) for m, o in enumerate(centres) if m != i]
            hws.append(max(min(4.0 * fwhm, 0.5 * spacing, *others), 2 * ax.step))
    else:
        hws = [float(h) for h in np.ravel(np.asarray(half_width_ppm, dtype=float))]
        hws = hws * len(centres) if len(hws) == 1 else hws
        if len(hws) != len(centres):
            raise ParameterError(f"half_width_ppm has {len(hws)} values for {len(centres)} sites")
        if any(not (h > 0 and np.isfinite(h)) for h in hws):
            raise ParameterError(f"half_width_ppm must be positive, got {half_width_ppm}")
    if k.size < 3:
        raise ParameterError(f"{k.size} sideband orders are too few to fit ζ and η (need ≥ 3)")

    zeta_max = _PASS_ZETA_MAX_ORDERS * spacing
    engine = _OrderSimulator(iso_nuc.symbol, nu0 * 1e6, mas, int(np.max(np.abs(k))), zeta_max,
                             integration_density)
    mags = [f * spacing for f in _ZETA_GRID_FACTORS if f * spacing <= zeta_max]
    grid = [(s * z, e) for z in mags for s in (1.0, -1.0) for e in _ETA_GRID if not (s < 0 and e == 1.0)]
    library = engine.intensities(grid, k)
    row_spec = Spectrum(rows, np.asarray(pass_data.axis, dtype=float), "ppm", iso_nuc.symbol, nu0)
    fits = []
    for i, c in enumerate(centres):
        region = (c - hws[i], c + hws[i])
        intens = np.atleast_1d(integrate(row_spec, *region)).astype(float)
        err = np.atleast_1d(integral_noise(row_spec, *region)).astype(float)
        err = np.where(err > 0, err, max(float(np.max(np.abs(intens))) * 1e-6, 1e-300))
        fit = _fit_orders(engine, k, intens, err, grid, library, zeta_max)
        # δiso: centroid of the isotropic line over the region, with its noise error
        m = (a >= region[0]) & (a <= region[1])
        wsum = float(np.sum(y_iso[m]))
        centroid = float(np.sum(a[m] * y_iso[m]) / wsum) if wsum > 0 else c
        c_err = float(iso_sigma * np.sqrt(np.sum((a[m] - centroid) ** 2)) / abs(wsum)) if wsum > 0 else None
        cov3 = fit["cov3"]
        if cov3 is not None and c_err is not None:
            cov3[0, 0] = c_err**2
        tensor = CsaTensor.from_haeberlen(centroid, fit["zeta"], fit["eta"], cov3)
        missing = [f for f in ("zeta_ppm_err", "eta_err") if f in fit["no_error"]]
        if c_err is None:
            missing.append("iso_ppm_err")
        if missing:
            tensor = CsaTensor(**{**tensor.__dict__, **dict.fromkeys(missing)})
        site_notes = fit["notes"] + _tensor_notes(tensor, 0.05 * spacing)
        fits.append((f"site {i + 1}", region, intens, err, fit, tensor, site_notes))

    areas = np.array([f[4]["area"] for f in fits])
    variances = [f[4]["area_var"] for f in fits]
    cov_a = None if any(v is None for v in variances) else np.diag([float(v) for v in variances])
    fractions, frac_err = _fractions(areas, cov_a)
    measured = np.array([np.sum(f[2]) for f in fits])
    m_total = float(np.sum(measured))
    out_sites = [PassSiteResult(
        label, (float(region[0]), float(region[1])), tuple(int(x) for x in k),
        tuple(map(float, intens)), tuple(map(float, err)), tuple(map(float, fit["fitted"])), tensor,
        float(fit["area"]), None if fit["area_var"] is None else float(np.sqrt(fit["area_var"])),
        float(fractions[i]), None if frac_err is None else float(frac_err[i]),
        float(measured[i] / m_total) if m_total else float("nan"), fit["redchi"], tuple(site_notes))
        for i, (label, region, intens, err, fit, tensor, site_notes) in enumerate(fits)]
    return PassFitResult(tuple(out_sites), iso_spec, iso_nuc.symbol, nu0, mas,
                         engine.sim.n_simulations, time.perf_counter() - t_start, tuple(notes))


def _fit_orders(engine: _OrderSimulator, k: NDArray[np.int_], intens: NDArray[np.float64],
                err: NDArray[np.float64], grid: list[tuple[float, float]], library: NDArray[np.float64],
                zeta_max: float) -> dict[str, Any]:
    """I_k = A · p_k(ζ, η) by weighted least squares: best grid point (A linear), then lmfit over
    ζ, η² and A; covariance converted to (δiso, ζ, η) with δiso's row left for the caller."""
    w = 1.0 / err**2
    amps = (library * (w * intens)).sum(axis=1) / np.maximum((library**2 * w).sum(axis=1), 1e-300)
    chi = ((intens - amps[:, None] * library) ** 2 * w).sum(axis=1)
    best = int(np.argmin(chi))
    z0, e0 = grid[best]
    params = lmfit.Parameters()
    params.add("zeta_ppm", value=z0, min=-zeta_max, max=zeta_max)
    params.add("eta2", value=float(np.clip(e0**2, 0.01, 0.97)), min=0.0, max=1.0)
    params.add("eta", expr="sqrt(eta2)")
    params.add("area", value=max(float(amps[best]), 1e-300), min=0.0)
    sq_w = np.sqrt(w)

    def residual(pr: lmfit.Parameters) -> NDArray[np.float64]:
        v = pr.valuesdict()
        return (intens - v["area"] * engine.intensities([(v["zeta_ppm"], v["eta"])], k)[0]) * sq_w

    out = lmfit.minimize(residual, params, method="least_squares", x_scale="jac", diff_step=1e-6,
                         scale_covar=False)
    bound = _pin_at_bounds(out.params, out.var_names)
    if bound:  # lmfit gives no covariance with a parameter on a bound: refit without it
        out = lmfit.minimize(residual, out.params, method="least_squares", x_scale="jac",
                             diff_step=1e-6, scale_covar=False)
    v = out.params.valuesdict()
    names = list(out.var_names)
    bound |= _at_bound(out.params, names)
    notes = [f"{n} = {v[n]:.4g} is at a bound of its range: no covariance error; derived errors hold "
             "it fixed" for n in sorted(bound)]
    no_error = {"zeta_ppm_err" for n in bound if n == "zeta_ppm"} | {"eta_err" for n in bound if n == "eta2"}
    cov3, area_var = None, None
    if out.covar is None:
        notes.append("covariance unavailable: ζ, η are not determined by these intensities")
        no_error |= {"zeta_ppm_err", "eta_err"}
    else:
        cov = np.asarray(out.covar)
        sub = np.zeros((3, 3))
        for r_, a_ in enumerate(("zeta_ppm", "eta2")):
            for c_, b_ in enumerate(("zeta_ppm", "eta2")):
                if a_ not in bound and b_ not in bound:
                    sub[r_ + 1, c_ + 1] = cov[names.index(a_), names.index(b_)]
        cov3, eta_note = _eta_covariance(sub, v["eta2"])
        if eta_note:
            notes.append(eta_note)
            no_error.add("eta_err")
        area_var = None if "area" in bound else float(cov[names.index("area"), names.index("area")])
    n_free = 3
    redchi = float(out.chisqr / (k.size - n_free)) if k.size > n_free else float("nan")
    if k.size <= n_free:
        notes.append(f"{k.size} orders for {n_free} parameters: no degrees of freedom")
    fitted = v["area"] * engine.intensities([(v["zeta_ppm"], v["eta"])], k)[0]
    return {"zeta": float(v["zeta_ppm"]), "eta": float(v["eta"]), "area": float(v["area"]),
            "area_var": area_var, "cov3": cov3, "no_error": no_error, "notes": notes,
            "redchi": redchi, "fitted": fitted}
