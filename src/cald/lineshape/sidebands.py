"""MAS sideband manifolds of spin-1/2 sites from mrsimulator: the engine of the CSA fits.

* :func:`csa_sideband_spectrum`: one site's MAS sideband manifold (or static powder pattern) on
  any uniform ppm axis; :func:`sideband_intensities`: Herzfeld–Berger intensities of the orders k;
  :func:`mrsim_spectral_dimension`: an mrsimulator dimension matching a ppm axis.
* :class:`_SiteSimulator` simulates (ζ, η) at δiso = 0 on a grid of the spectrum's own step (twice
  as wide, so every placement stays inside it) and keeps the real FFTs; :class:`_Placer` puts one
  on the axis by a Fourier shift times the broadening's decay, so δiso and the widths cost two FFTs,
  not a simulation.

Conventions
-----------
* mrsimulator's ``shielding_symmetric.zeta`` is −ζ of the shift tensor (checked: a static
  ζ_mrsim = +100 ppm, η = 0 pattern has its edge at δiso − 100 ppm); this module speaks δ and
  passes ``zeta = −ζ``.
* The ppm ↔ Hz scale is the spectrum's reference frequency ν0 (``Spectrum.sf_mhz``, else the
  Larmor frequency of the nucleus' reference compound from the 1H frequency, ν_1H·Ξ/100). The
  mrsimulator field is set with ``Isotope.ref_freq_to_B0(ν0)``: mrsimulator 1.0 places shifts on
  its reference frequency B0·γ_1H·Ξ/100 (same IUPAC Ξ), so its origin offset is ν0 exactly — the
  same as a field from the 1H frequency. (A field from the bare-nucleus γ_X instead would be 0.4 %
  off for 113Cd and misplace high-order sidebands by ~1 ppm.)
* Sideband order k is the line at δiso + k·ν_r/ν0 (ppm): positive k on the high-ppm side,
  whatever the sign of γ.
* Amplitudes are areas (intensity × ppm) of a site's *whole* manifold, including sidebands that
  fall outside the axis. Linewidths are FWHM in Hz.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.fft
from numpy.typing import ArrayLike, NDArray

from cald.errors import ParameterError
from cald.nuclei import Isotope, get_isotope, larmor_mhz

if TYPE_CHECKING:
    from cald.tables import TableStore

__all__ = ["csa_sideband_spectrum", "sideband_intensities", "mrsim_spectral_dimension", "SidebandTable"]

_FOUR_LN2 = 4.0 * np.log(2.0)


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
        from mrsimulator import Simulator as simulator
        from mrsimulator import Site as site_cls
        from mrsimulator import SpinSystem as spin_system
        from mrsimulator.method.lib import BlochDecaySpectrum as bloch_decay
        from mrsimulator.spin_system.isotope import Isotope as mr_isotope

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
    by δiso, broadening as a product in the time domain). The shift and decay factors of the last
    few δiso and widths are kept: a fit's Jacobian varies one of them at a time."""

    def __init__(self, sim: _SiteSimulator | _TableSimulator, a0_ppm: float, n: int) -> None:
        self.sim, self.a0, self.n = sim, float(a0_ppm), int(n)
        self.nu = np.asarray(np.fft.rfftfreq(sim.count), dtype=np.float64)
        self.hz_per_pt = sim.step_ppm * sim.larmor_hz * 1e-6
        self._factors: OrderedDict[tuple[str, float, float], NDArray[Any]] = OrderedDict()

    def _factor(self, kind: str, a: float, b: float) -> NDArray[Any]:
        key = (kind, a, b)
        if key not in self._factors:
            self._factors[key] = (np.exp(2j * np.pi * self.nu * a) if kind == "shift" else
                                  _decay(self.nu, a / self.hz_per_pt, b / self.hz_per_pt))
            if len(self._factors) > 64:
                self._factors.popitem(last=False)
        return self._factors[key]

    def place(self, spec_rfft: NDArray[np.complex128], iso_ppm: float, fwhm_lorentz_hz: float,
              fwhm_gauss_hz: float) -> NDArray[np.float64]:
        """Unit-area (intensity × ppm) manifold of the cached site at ``iso_ppm``, broadened."""
        m = self.sim.count
        u0 = (self.a0 - iso_ppm) / self.sim.step_ppm + m / 2
        n0 = math.floor(u0)
        frac = u0 - n0
        if n0 < 0 or n0 + self.n > m:
            raise ParameterError(f"δiso = {iso_ppm:g} ppm is too far outside the axis")
        factor = self._factor("shift", frac, 0.0) * self._factor("decay", float(fwhm_lorentz_hz),
                                                                 float(fwhm_gauss_hz))
        g = scipy.fft.irfft(spec_rfft * factor, n=m)
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
                             "spin-1/2 nuclei (use cald.lineshape.czjzekfit for quadrupolar sites)")
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
    """Points of a site's grid for an axis of ``n`` points: at least twice the axis (plus any
    part of the manifold outside it), even, and a fast FFT length."""
    return 2 * int(scipy.fft.next_fast_len(n + math.ceil(extra_pts) + 4, real=True))


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
    fwhm_lorentz_hz: float = 0.0,
    fwhm_gauss_hz: float = 0.0,
    integration_density: int = 70,
    table: SidebandTable | None = None,
) -> NDArray[np.float64]:
    """One site's MAS sideband manifold (static powder pattern for ``mas_hz = 0``) on a uniform
    ppm axis, in the axis' own order.

    ``amplitude`` is the area (intensity × ppm) of the whole manifold, so the sum of the values
    times the step is ``amplitude`` when every sideband falls on the axis. ``larmor_mhz`` is the
    reference frequency ν0 that defines the ppm scale. Widths are FWHM in Hz; give at least about
    two points of width (a sub-point δiso shift of an unbroadened spectrum rings). The sideband
    intensities are simulated by mrsimulator, or interpolated in ``table`` when one is given
    (MAS only; the model of :func:`~cald.lineshape.csafit.fit_csa`).
    """
    ax = _axis(ppm)
    iso = _spin_half(nucleus)
    _check_mas(mas_hz, allow_static=True)
    _check_tensor(zeta_ppm, eta, "csa_sideband_spectrum")
    if not (larmor_mhz > 0 and np.isfinite(larmor_mhz)):
        raise ParameterError(f"larmor_mhz must be positive, got {larmor_mhz}")
    outside = max(ax.lo - iso_ppm, iso_ppm - ax.hi, 0.0) / ax.step
    count = _grid_size(ax.n, outside)
    sim: _SiteSimulator | _TableSimulator
    if table is not None and mas_hz > 0:
        sim = _TableSimulator(table, larmor_mhz * 1e6, mas_hz, ax.step, count)
    else:
        sim = _SiteSimulator(iso.symbol, larmor_mhz * 1e6, mas_hz, ax.step, count, abs(zeta_ppm),
                             integration_density)
    placer = _Placer(sim, ax.a0, ax.n)
    y = amplitude * placer.place(sim.spectra_rfft([(zeta_ppm, eta)])[0], iso_ppm, fwhm_lorentz_hz,
                                 fwhm_gauss_hz)
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


#: Grid of the sideband tables: x = ζ·ν0/ν_r (ζ in Hz over the spinning rate) in steps of
#: 0.25, η in steps of 0.1; quintic splines between (error ≲ 1e-5 of the largest p_k).
_TABLE_X_STEP = 0.25
_TABLE_N_ETA = 11
_SPLINE_K = 5


class SidebandTable:
    """Herzfeld–Berger intensities p_k(x, η) of a spin-1/2 site as a function of x = ζ·ν0/ν_r
    (the anisotropy in units of the spinning rate) and η, for orders |k| ≤ K: simulated once by
    mrsimulator on a grid of x ≥ 0 (p_k(−x, η) = p_−k(x, η): ζ → −ζ mirrors the spectrum) and
    interpolated by quintic splines. One table serves every field, spinning rate and ζ with
    |x| ≤ ``x_max``; ``store`` keeps it (default :func:`cald.tables.default_store`)."""

    def __init__(self, nucleus: str, x_max: float, integration_density: int = 70,
                 store: TableStore | None = None) -> None:
        from scipy.interpolate import make_interp_spline

        from cald.tables import default_store, mrsimulator_version

        self.nucleus = nucleus
        self.x_max = 4.0 * max(1, math.ceil(abs(x_max) / 4.0 - 1e-9))  # 4, 8, 12 … (tables shared)
        self.integration_density = int(integration_density)
        self.max_order = int(math.ceil(1.25 * self.x_max)) + 8
        self.orders = np.arange(-self.max_order, self.max_order + 1)
        self.x = np.arange(0.0, self.x_max + 0.5 * _TABLE_X_STEP, _TABLE_X_STEP)
        self.eta = np.linspace(0.0, 1.0, _TABLE_N_ETA)
        key = {"nucleus": nucleus, "x_max": self.x_max, "x_step": _TABLE_X_STEP, "n_eta": _TABLE_N_ETA,
               "max_order": self.max_order, "integration_density": self.integration_density,
               "mrsimulator": mrsimulator_version()}
        self.n_simulations = 0  # mrsimulator runs of this process (0: the table was stored)
        self.table = (store or default_store()).get("csa_sidebands", key, self._build)["p"]
        # cubic-spline weights of the grid values at any point (the interpolation is linear in them)
        self._wx = make_interp_spline(self.x, np.eye(self.x.size), k=_SPLINE_K)
        self._we = make_interp_spline(self.eta, np.eye(self.eta.size), k=_SPLINE_K)

    def _build(self) -> dict[str, NDArray[np.float64]]:
        larmor_hz, mas_hz = 100.0e6, 10.0e3  # any: p_k depends on ζ(Hz)/ν_r and η only
        ppm_per_x = mas_hz / larmor_hz * 1e6
        engine = _OrderSimulator(self.nucleus, larmor_hz, mas_hz, self.max_order,
                                 self.x_max * ppm_per_x, self.integration_density)
        pairs = [(x * ppm_per_x, e) for x in self.x for e in self.eta]
        p = engine.intensities(pairs, self.orders)
        self.n_simulations = engine.sim.n_simulations
        return {"p": p.reshape(self.x.size, self.eta.size, self.orders.size)}

    def intensities(self, x: float, eta: float) -> NDArray[np.float64]:
        """p_k for the orders ``self.orders`` (−K … K) at x = ζ·ν0/ν_r and η."""
        if abs(x) > self.x_max + 1e-9 or not 0.0 <= eta <= 1.0:
            raise ParameterError(f"|ζ|·ν0/ν_r = {abs(x):.3g} or η = {eta:.3g} lies outside the "
                                 f"sideband table (|x| ≤ {self.x_max:g}, 0 ≤ η ≤ 1)")
        p = np.einsum("i,j,ijk->k", self._wx(abs(x)), self._we(eta), self.table)
        return np.asarray(p[::-1] if x < 0 else p, dtype=np.float64)


class _TableSimulator:
    """Drop-in for :class:`_SiteSimulator` in the 1D fit (MAS only): the spectrum of (ζ, η) at
    δiso = 0 on the grid x_j = (j − count/2)·step_ppm is Σ_k p_k δ(x − k·ν_r/ν0), each line split
    between its two neighbouring bins by linear interpolation — as mrsimulator bins it, so with
    exact p_k the two agree to 1e-12 — with p_k from a :class:`SidebandTable`. The spinning rate
    is an argument of :meth:`spectra_rfft`, so it can be fitted."""

    def __init__(self, table: SidebandTable, larmor_hz: float, mas_hz: float, step_ppm: float,
                 count: int, cache_items: int = 256) -> None:
        self.table, self.larmor_hz, self.mas_hz = table, float(larmor_hz), float(mas_hz)
        self.step_ppm, self.count = float(step_ppm), int(count)
        self._cache: OrderedDict[tuple[float, float, float], NDArray[np.complex128]] = OrderedDict()
        self._max_items = cache_items

    @property
    def n_simulations(self) -> int:
        """mrsimulator runs behind the table in this process (look-ups are not simulations)."""
        return self.table.n_simulations

    def spectra_rfft(self, pairs: Sequence[tuple[float, float]], mas_hz: float | None = None
                     ) -> list[NDArray[np.complex128]]:
        """rFFTs of the normalised spectra of (ζ, η) pairs at ``mas_hz`` (default the rate given)."""
        mas = self.mas_hz if mas_hz is None else float(mas_hz)
        out = []
        for z, e in pairs:
            key = (round(float(z), 9), round(float(e), 9), round(mas, 9))
            if key not in self._cache:
                self._cache[key] = np.fft.rfft(self._spectrum(float(z), float(e), mas))
                while len(self._cache) > self._max_items:
                    self._cache.popitem(last=False)
            self._cache.move_to_end(key)
            out.append(self._cache[key])
        return out

    def _spectrum(self, zeta_ppm: float, eta: float, mas_hz: float) -> NDArray[np.float64]:
        p = self.table.intensities(zeta_ppm * self.larmor_hz * 1e-6 / mas_hz, eta)
        u = self.count / 2 + self.table.orders * (mas_hz / self.larmor_hz * 1e6) / self.step_ppm
        inside = (u >= 0) & (u < self.count - 1)
        n0 = np.floor(u[inside]).astype(int)
        frac = u[inside] - n0
        y = np.zeros(self.count)
        np.add.at(y, n0, p[inside] * (1.0 - frac))
        np.add.at(y, n0 + 1, p[inside] * frac)
        return y


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
