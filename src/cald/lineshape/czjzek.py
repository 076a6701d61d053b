"""Central-transition MAS spectra of half-integer quadrupolar nuclei (27Al, 17O, 23Na …) as sites
with Czjzek distributions of (C_Q, η), and their fit.

Model
-----
A site is an isotropic shift δiso (ppm) with a Czjzek distribution of the quadrupolar coupling
(C_Q, η), d = 5 (Czjzek et al., PRB 23, 2513 (1981); d'Espinose de Lacaillerie, Fretigny and
Massiot, JMR 192, 244 (2008)), an optional Gaussian spread of δiso (FWHM, ppm) and a common
Lorentzian/Gaussian line broadening (FWHM, Hz). Its central-transition (CT) MAS spectrum is the
Czjzek-weighted sum of single-(C_Q, η) CT spectra computed once by mrsimulator (a *kernel
library*, :class:`KernelLibrary`, one per nucleus, field, MAS rate and spectral grid), shifted
to δiso (the isotropic shift is a pure translation in frequency) and broadened, both in one FFT.
A fit step is therefore a weighted sum and an FFT, not a simulation (see the benchmark in
``benchmarks/bench_quadrupolar.py``).

The fitted δiso is the isotropic chemical shift, the parameter of the model: the observed centre of
gravity of a site lies below it by the second-order quadrupolar-induced shift (reported per site as
``cog_ppm`` for comparison).

Accuracy: against direct mrsimulator simulations of the same distributions (fine (C_Q, η) grid,
mrsimulator's apodizations) the library model agrees to < 1 % of the peak height once the line has
≥ 1 ppm of δiso spread or ≥ 50 Hz of broadening (0.1–0.7 % for typical 27Al sites); unbroadened
lineshapes differ by up to 5–8 % at their sharp edges, because the kernels are binned at δiso = 0
and shifted by a fraction of a bin by linear interpolation. The default grid (80 C_Q cells up to
20 MHz × 8 η cells) holds Czjzek σ up to 4.4 MHz (mean C_Q ≈ 8.9 MHz); beyond, a note says how
much of the distribution the grid misses (raise ``cq_max_mhz``).

σ convention
------------
The density is the Czjzek/Gaussian-isotropic-model form of science.md §5,

    P(C_Q, η) = 2 C_Q⁴ η (1 − η²/9) exp(−C_Q² (1 + η²/3) / (2σ²)) / (√(2π) σ⁵),

normalised here to 1 on C_Q ≥ 0, 0 ≤ η ≤ 1 (:func:`czjzek_pdf`; the form without the factor 2
integrates to 1/2). ``sigma_mhz`` everywhere in this module is this σ (``sigma_czjzek_mhz``).
mrsimulator's ``CzjzekDistribution(sigma=s)`` draws the five tensor components with standard
deviation s and its density is this form with σ = 2 s (checked numerically against both its
analytical and its sampled pdf in ``tests/test_quadrupolar.py``); results also report
``sigma_mrsimulator_mhz`` = σ / 2. The mean C_Q is ⟨|C_Q|⟩ = 5 σ / √(2π) ≈ 1.995 σ (≈ 3.99 s).

The library is pure computation: :func:`build_kernel_library` simulates it; keeping it between
calls and processes is the job of :mod:`cald.tables` (the user's cache directory).
"""

from __future__ import annotations

import functools
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.fft import next_fast_len

from cald.errors import ParameterError
from cald.nuclei import Isotope, czjzek_pdf, czjzek_weights, get_isotope, larmor_mhz

if TYPE_CHECKING:
    from cald.tables import TableStore

__all__ = [
    "CZJZEK_D",
    "SIGMA_CZJZEK_PER_MRSIMULATOR",
    "MEAN_CQ_PER_SIGMA",
    "SIGMA_CONVENTION",
    "DEFAULT_FIELD_1H_MHZ",
    "czjzek_pdf",
    "czjzek_weights",
    "czjzek_mean_cq_mhz",
    "sigma_mrsimulator_from_czjzek",
    "KernelSetup",
    "KernelLibrary",
    "build_kernel_library",
    "kernel_library",
    "library_for_axis",
    "czjzek_site_spectrum",
    "czjzek_site_spectrum_direct",
]

#: Dimension of the Czjzek (Gaussian isotropic) model: five independent EFG tensor components.
CZJZEK_D = 5
#: σ of the Czjzek/dmfit form = this × mrsimulator's ``CzjzekDistribution.sigma``.
SIGMA_CZJZEK_PER_MRSIMULATOR = 2.0
#: ⟨|C_Q|⟩ / σ (Czjzek σ) for d = 5: 5/√(2π) (closed form of the first moment).
MEAN_CQ_PER_SIGMA = 5.0 / np.sqrt(2.0 * np.pi)
#: The σ convention in words, as results and reports state it.
SIGMA_CONVENTION = (
    "sigma_mhz is the σ of the Czjzek/dmfit form P ∝ C_Q⁴ η (1 − η²/9) exp(−C_Q²(1 + η²/3)/(2σ²)) "
    "(d = 5); mrsimulator's CzjzekDistribution(sigma) uses sigma = σ/2; mean C_Q = 5σ/√(2π) ≈ 1.995σ"
)
#: 1H frequency assumed when neither the call nor the spectrum gives the field.
DEFAULT_FIELD_1H_MHZ = 400.13


_FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))
_MIN_POINTS = 32
_MAX_MODEL_POINTS = 4096  # finer data axes are modelled on a coarser grid and interpolated
_INFINITE_MAS_HZ = 1.0e12  # mrsimulator's "infinite spinning speed"


# --- Czjzek distribution ------------------------------------------------------------------


def czjzek_mean_cq_mhz(sigma_mhz: float) -> float:
    """Mean |C_Q| (MHz) of the Czjzek distribution (d = 5): 5 σ / √(2π), σ the Czjzek σ.

    Examples
    --------
    >>> from cald.lineshape.czjzek import czjzek_mean_cq_mhz
    >>> print(f"{czjzek_mean_cq_mhz(2.0):.3f} MHz")
    3.989 MHz
    """
    return float(MEAN_CQ_PER_SIGMA * sigma_mhz)


def sigma_mrsimulator_from_czjzek(sigma_czjzek: float) -> float:
    """mrsimulator's ``CzjzekDistribution.sigma`` from the Czjzek/dmfit σ (÷ 2)."""
    return sigma_czjzek / SIGMA_CZJZEK_PER_MRSIMULATOR


# --- kernel library -----------------------------------------------------------------------


@dataclass(frozen=True)
class KernelSetup:
    """What a kernel library depends on (its cache key).

    Attributes
    ----------
    nucleus
        Isotope symbol (``"27Al"``).
    ref_mhz
        Frequency (MHz) of 0 ppm of the nucleus, Ξ × the 1H frequency; mrsimulator's field B0 is
        set so that its reference frequency equals this.
    mas_hz
        Spinning rate (Hz); ≥ 1e12 means infinite, 0 static.
    step_ppm
        Grid spacing (ppm).
    n_points
        Number of grid points (even); the grid runs from −n/2·step to (n/2 − 1)·step ppm.
    cq_max_mhz, n_cq, n_eta
        The (C_Q, η) grid: cell centres (i + ½)·cq_max/n_cq and (j + ½)/n_eta.
    """

    nucleus: str
    ref_mhz: float
    mas_hz: float
    step_ppm: float
    n_points: int
    cq_max_mhz: float = 20.0
    n_cq: int = 80
    n_eta: int = 8

    @property
    def half_width_ppm(self) -> float:
        """Half the width of the grid (ppm)."""
        return 0.5 * self.n_points * self.step_ppm

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return asdict(self)


@dataclass(frozen=True, eq=False)
class KernelLibrary:
    """Unit-area CT MAS spectra of single sites at δiso = 0 on a (C_Q, η) grid.

    ``kernels[k]`` is the fraction of the CT intensity of grid cell k = i·n_eta + j falling in
    each bin of ``ppm`` (so a kernel sums to 1 when the whole pattern lies inside the grid).
    """

    setup: KernelSetup
    cq_mhz: NDArray[np.float64]
    eta: NDArray[np.float64]
    ppm: NDArray[np.float64]
    kernels: NDArray[np.float64]
    build_seconds: float
    mrsimulator_version: str
    #: rFFTs of the Czjzek-weighted kernel sums of the last σ values (a fit's Jacobian varies
    #: δiso, spread and amplitude at fixed σ: the sum over the kernels is done once per σ)
    _sums: OrderedDict[tuple[float, int], NDArray[np.complex128]] = field(
        default_factory=OrderedDict, init=False, repr=False)

    @property
    def n_kernels(self) -> int:
        """Number of (C_Q, η) cells."""
        return int(self.kernels.shape[0])

    @property
    def sigma_max_mhz(self) -> float:
        """Largest Czjzek σ whose distribution the C_Q grid holds (99.9 % of |C_Q| ≤ cq_max)."""
        return self.setup.cq_max_mhz / 4.5

    def weights(self, sigma_mhz: float) -> tuple[NDArray[np.float64], float]:
        """Flattened Czjzek weights of the kernels and the captured probability."""
        w, total = czjzek_weights(self.cq_mhz, self.eta, sigma_mhz)
        return w.ravel(), total

    def model_grid(self, axis_ppm: ArrayLike) -> NDArray[np.float64]:
        """Uniform increasing grid with this library's step covering ``axis_ppm``."""
        a = np.asarray(axis_ppm, dtype=float)
        lo, hi = float(np.min(a)), float(np.max(a))
        m = int(np.ceil((hi - lo) / self.setup.step_ppm - 1e-9)) + 1
        if (m - 1) * self.setup.step_ppm > self.setup.half_width_ppm:
            raise ParameterError(
                f"the axis spans {hi - lo:.4g} ppm but the kernel library only "
                f"{self.setup.half_width_ppm:.4g} ppm: build it with library_for_axis for this axis")
        return np.asarray(lo + self.setup.step_ppm * np.arange(m), dtype=np.float64)

    def site_on_grid(self, grid_ppm: NDArray[np.float64], iso_ppm: float, sigma_mhz: float,
                     spread_ppm: float = 0.0, amplitude: float = 1.0, fwhm_lorentz_hz: float = 0.0,
                     fwhm_gauss_hz: float = 0.0, weights: NDArray[np.float64] | None = None
                     ) -> NDArray[np.float64]:
        """Spectrum (intensity per ppm) of one site on a grid from :meth:`model_grid`.

        The isotropic shift and the broadenings are applied together in the Fourier domain of
        the grid (period ≥ grid + kernel window, zero-padded): convolution with the sampled,
        unit-sum Lorentzian (FWHM ``fwhm_lorentz_hz``) and Gaussian (FWHM √(spread² + gb²)), and the
        translation by δiso — whole grid steps exactly, the fraction of a step by linear
        interpolation between bins, which is exact for histogram bins of uniform density. All
        three are non-negative, so the spectrum is non-negative and does not ring.
        """
        st = self.setup
        h = st.step_ppm
        m = grid_ppm.size
        n_fft = _fft_length(st.n_points + m)
        summed = self._summed_rfft(sigma_mhz, n_fft) if weights is None else \
            np.fft.rfft(np.einsum("k,kn->n", weights, self.kernels), n_fft)
        f, ramp = _rfft_frequencies(n_fft)
        shift = (iso_ppm - st.half_width_ppm - float(grid_ppm[0])) / h
        whole = np.floor(shift)
        part = shift - whole
        gauss = np.hypot(spread_ppm, fwhm_gauss_hz / st.ref_mhz) / h
        lor = (fwhm_lorentz_hz / st.ref_mhz) / h
        phase = _sampled_broadening(f, gauss, lor) * np.exp(-2j * np.pi * whole * f)
        phase *= (1.0 - part) + part * ramp
        spec = np.fft.irfft(summed * phase, n_fft)[:m]
        return spec * (amplitude / h)

    def _summed_rfft(self, sigma_mhz: float, n_fft: int) -> NDArray[np.complex128]:
        key = (float(sigma_mhz), n_fft)
        if key in self._sums:
            self._sums.move_to_end(key)
            return self._sums[key]
        # einsum, not BLAS: a multithreaded gemv of this size is 10× slower on a loaded machine
        summed = np.fft.rfft(np.einsum("k,kn->n", self.weights(sigma_mhz)[0], self.kernels), n_fft)
        self._sums[key] = summed
        if len(self._sums) > 32:
            self._sums.popitem(last=False)
        return summed

    def site_spectrum(self, ppm: ArrayLike, iso_ppm: float, sigma_mhz: float,
                      spread_ppm: float = 0.0, amplitude: float = 1.0, fwhm_lorentz_hz: float = 0.0,
                      fwhm_gauss_hz: float = 0.0) -> NDArray[np.float64]:
        """Spectrum of one site on any monotonic ``ppm`` axis (see :func:`czjzek_site_spectrum`)."""
        x = np.asarray(ppm, dtype=float)
        grid = self.model_grid(x)
        y = self.site_on_grid(grid, iso_ppm, sigma_mhz, spread_ppm, amplitude, fwhm_lorentz_hz, fwhm_gauss_hz)
        return np.asarray(np.interp(x, grid, y), dtype=np.float64)

    def arrays(self) -> dict[str, NDArray[Any]]:
        """The arrays that :meth:`from_arrays` restores the library from (for :mod:`cald.tables`)."""
        return {"cq_mhz": self.cq_mhz, "eta": self.eta, "ppm": self.ppm, "kernels": self.kernels,
                "build_seconds": np.asarray(self.build_seconds),
                "mrsimulator_version": np.asarray(self.mrsimulator_version)}

    @classmethod
    def from_arrays(cls, setup: KernelSetup, arrays: Mapping[str, NDArray[Any]]) -> KernelLibrary:
        """The library of ``setup`` from the arrays of :meth:`arrays`."""
        return cls(setup, arrays["cq_mhz"], arrays["eta"], arrays["ppm"], arrays["kernels"],
                   float(arrays["build_seconds"]), str(arrays["mrsimulator_version"]))

    def to_dict(self) -> dict[str, Any]:
        """Description of the library (not the kernels, nor timings: results stay reproducible)."""
        return {**self.setup.to_dict(), "n_kernels": self.n_kernels,
                "mrsimulator_version": self.mrsimulator_version}


@functools.lru_cache(maxsize=8)
def _fft_length(n: int) -> int:
    return int(next_fast_len(2 * n, real=True))


@functools.lru_cache(maxsize=8)
def _rfft_frequencies(n: int) -> tuple[NDArray[np.float64], NDArray[np.complex128]]:
    """Frequencies (cycles per point) of an n-point rfft and the phase ramp of a one-point shift."""
    f = np.asarray(np.fft.rfftfreq(n), dtype=np.float64)
    return f, np.asarray(np.exp(-2j * np.pi * f), dtype=np.complex128)


_GAUSS_FT = np.pi**2 / (4.0 * np.log(2.0))


def _sampled_broadening(f: NDArray[np.float64], gauss_pts: float, lor_pts: float) -> NDArray[np.float64]:
    """Fourier transform (at ``f`` cycles per point) of the unit-sum sampled Gaussian ⊛ Lorentzian
    of FWHM ``gauss_pts`` and ``lor_pts`` points: the continuous transforms summed over their
    aliases (Poisson), so that the real-space kernels are non-negative even below one point."""
    out = np.ones_like(f)
    if gauss_pts > 0:
        a = _GAUSS_FT * gauss_pts**2
        if a >= 160.0:  # wide: the aliases of the continuous transform are below 1e-17
            out = np.exp(-a * f**2)
        elif gauss_pts > 1e-3:  # narrow: the sampled kernel itself (all aliases), unit-sum
            s = gauss_pts / (2.0 * np.sqrt(2.0 * np.log(2.0)))
            n = np.arange(-int(np.ceil(8.0 * s)) - 1, int(np.ceil(8.0 * s)) + 2)
            g = np.exp(-0.5 * (n / s) ** 2)
            out = (g[None, :] * np.cos(2.0 * np.pi * f[:, None] * n[None, :])).sum(axis=1) / g.sum()
    if lor_pts > 0:
        q = np.exp(-np.pi * lor_pts)  # Σ_k exp(−π l |f + k|) in closed form, normalised at f = 0
        out = out * (np.exp(-np.pi * lor_pts * f) + q * np.exp(np.pi * lor_pts * f)) / (1.0 + q)
    return out


def _mrsimulator_b0(nucleus: str, ref_mhz: float) -> float:
    """Field B0 (T) at which mrsimulator's 0-ppm frequency of ``nucleus`` is ``ref_mhz``."""
    from mrsimulator.spin_system.isotope import Isotope as MrsIsotope

    iso = MrsIsotope(symbol=nucleus)
    return ref_mhz / (abs(iso.gyromagnetic_ratio) * iso.ref_larmor_ratio)


def _ct_method(nucleus: str, ref_mhz: float, mas_hz: float, count: int, step_hz: float,
               offset_hz: float) -> Any:
    from mrsimulator.method.lib import BlochDecayCTSpectrum

    return BlochDecayCTSpectrum(
        channels=[nucleus], magnetic_flux_density=_mrsimulator_b0(nucleus, ref_mhz),
        rotor_frequency=mas_hz,
        spectral_dimensions=[{"count": count, "spectral_width": count * step_hz,
                              "reference_offset": offset_hz}])


def _single_site_systems(nucleus: str, iso_ppm: float, cq_hz: NDArray[np.float64],
                         eta: NDArray[np.float64], abundance: NDArray[np.float64]) -> list[Any]:
    from mrsimulator import Site, SpinSystem

    return [SpinSystem(sites=[Site(isotope=nucleus, isotropic_chemical_shift=iso_ppm,
                                   quadrupolar={"Cq": float(c), "eta": float(e)})],
                       abundance=float(a))
            for c, e, a in zip(cq_hz, eta, abundance, strict=True)]


def build_kernel_library(setup: KernelSetup) -> KernelLibrary:
    """Simulate the kernel library of ``setup`` with mrsimulator (seconds; no caching here —
    :func:`kernel_library` keeps libraries through :mod:`cald.tables`)."""
    from mrsimulator import Simulator

    from cald.tables import mrsimulator_version

    t0 = time.perf_counter()
    cq = (np.arange(setup.n_cq) + 0.5) * setup.cq_max_mhz / setup.n_cq
    eta = (np.arange(setup.n_eta) + 0.5) / setup.n_eta
    c_grid, e_grid = np.meshgrid(cq, eta, indexing="ij")
    # cell 0 is a C_Q = 0 site: its total intensity normalises every kernel
    c_all = np.concatenate([[0.0], c_grid.ravel()]) * 1e6
    e_all = np.concatenate([[0.0], e_grid.ravel()])
    systems = _single_site_systems(setup.nucleus, 0.0, c_all, e_all, np.ones(c_all.size))
    step_hz = setup.step_ppm * setup.ref_mhz
    method = _ct_method(setup.nucleus, setup.ref_mhz, setup.mas_hz, setup.n_points, step_hz, 0.0)
    sim = Simulator(spin_systems=systems, methods=[method])
    sim.config.decompose_spectrum = "spin_system"
    sim.run()
    sd = sim.methods[0].spectral_dimensions[0]
    ppm = sd.coordinates_Hz() / setup.ref_mhz
    raw = np.array([np.real(dv.components[0]) for dv in sim.methods[0].simulation.y])
    kernels = raw[1:] / raw[0].sum()
    return KernelLibrary(setup, cq, eta, ppm, np.ascontiguousarray(kernels),
                         time.perf_counter() - t0, mrsimulator_version())


def _quadrupolar_isotope(nucleus: str) -> Isotope:
    iso = get_isotope(nucleus)
    if not iso.is_quadrupolar or (2 * iso.spin) % 2 != 1:
        raise ParameterError(f"{iso.symbol} has spin {iso.spin_label}: the central-transition Czjzek "
                             "model needs a half-integer quadrupolar nucleus (I = 3/2, 5/2, …)")
    return iso


def _mas_value(mas_hz: float | None) -> float:
    if mas_hz is None:
        return _INFINITE_MAS_HZ
    if not (np.isfinite(mas_hz) and mas_hz >= 0):
        raise ParameterError(f"MAS rate must be ≥ 0 Hz (0 static), got {mas_hz}")
    return min(float(mas_hz), _INFINITE_MAS_HZ)


def kernel_library(nucleus: str = "27Al", field_1h_mhz: float = DEFAULT_FIELD_1H_MHZ,
                   mas_hz: float | None = None, *, step_ppm: float, half_width_ppm: float,
                   cq_max_mhz: float = 20.0, n_cq: int = 80, n_eta: int = 8,
                   store: TableStore | None = None) -> KernelLibrary:
    """Kernel library for ``nucleus`` at 1H frequency ``field_1h_mhz`` (MHz) and MAS rate
    ``mas_hz`` (Hz; ``None`` infinite, 0 static), on a grid of spacing ``step_ppm`` reaching at
    least ± ``half_width_ppm`` around 0 ppm; (C_Q, η) cells up to ``cq_max_mhz``.

    Built with mrsimulator (:func:`build_kernel_library`) once per setup and kept by ``store``
    (default :func:`cald.tables.default_store`: memory and the user's cache directory).
    """
    iso = _quadrupolar_isotope(nucleus)
    if not (np.isfinite(field_1h_mhz) and field_1h_mhz > 0):
        raise ParameterError(f"1H frequency must be positive, got {field_1h_mhz} MHz")
    if not (step_ppm > 0 and half_width_ppm > 0):
        raise ParameterError("step_ppm and half_width_ppm must be positive")
    if not (cq_max_mhz > 0 and n_cq >= 4 and n_eta >= 2):
        raise ParameterError("the (C_Q, η) grid needs cq_max_mhz > 0, n_cq ≥ 4 and n_eta ≥ 2")
    n_points = 2 * int(np.ceil(half_width_ppm / step_ppm / 32.0)) * 32
    setup = KernelSetup(iso.symbol, round(larmor_mhz(iso, field_1h_mhz), 9), _mas_value(mas_hz),
                        float(f"{step_ppm:.12g}"), n_points, float(cq_max_mhz), int(n_cq), int(n_eta))
    from cald.tables import default_store, mrsimulator_version

    key = {**setup.to_dict(), "mrsimulator": mrsimulator_version()}
    arrays = (store or default_store()).get("czjzek_kernels", key,
                                            lambda: build_kernel_library(setup).arrays())
    return KernelLibrary.from_arrays(setup, arrays)


def _grid_step(axis_ppm: NDArray[np.float64]) -> float:
    span = float(np.max(axis_ppm) - np.min(axis_ppm))
    step = float(np.median(np.abs(np.diff(axis_ppm))))
    return max(step, span / (_MAX_MODEL_POINTS - 1))


def library_for_axis(axis_ppm: ArrayLike, nucleus: str = "27Al",
                     field_1h_mhz: float = DEFAULT_FIELD_1H_MHZ, mas_hz: float | None = None,
                     **grid: Any) -> KernelLibrary:
    """Kernel library suited to a ppm axis: the axis' step (coarsened to at most 4096 points over
    the axis) and a half width of the axis span plus 10 % (so that any δiso on the axis places the
    site's whole span-wide neighbourhood on the grid). ``grid``: ``cq_max_mhz``, ``n_cq``,
    ``n_eta``, ``store`` of :func:`kernel_library`."""
    a = np.asarray(axis_ppm, dtype=float)
    if a.ndim != 1 or a.size < 2 or not np.all(np.isfinite(a)):
        raise ParameterError("the ppm axis must be a finite 1-D array of at least 2 points")
    span = float(np.max(a) - np.min(a))
    step = _grid_step(a)
    # round to 4 significant digits so that spectra of one acquisition share a library
    step = float(f"{step:.4g}")
    return kernel_library(nucleus, field_1h_mhz, mas_hz, step_ppm=step,
                          half_width_ppm=1.1 * span + 4 * step, **grid)


def czjzek_site_spectrum(ppm: ArrayLike, iso_ppm: float, sigma_mhz: float, spread_ppm: float = 0.0,
                         amplitude: float = 1.0, fwhm_lorentz_hz: float = 0.0, fwhm_gauss_hz: float = 0.0, *,
                         library: KernelLibrary) -> NDArray[np.float64]:
    """CT MAS spectrum (intensity per ppm) of one Czjzek site on the axis ``ppm`` (any order).

    Parameters
    ----------
    ppm
        Chemical-shift axis (ppm), monotonic; values are returned in the same order.
    iso_ppm
        Isotropic chemical shift δiso (ppm) — not the peak position, which lies lower by the
        quadrupolar-induced shift.
    sigma_mhz
        Czjzek σ (MHz), the convention of :data:`SIGMA_CONVENTION` (2 × mrsimulator's sigma).
    spread_ppm
        FWHM (ppm) of a Gaussian distribution of δiso.
    amplitude
        Integral of the site's whole CT spectrum over ppm (intensity × ppm).
    fwhm_lorentz_hz, fwhm_gauss_hz
        Lorentzian and Gaussian line broadening, FWHM in Hz.
    library
        Kernel library of the nucleus, field and MAS rate (:func:`library_for_axis`).
    """
    return library.site_spectrum(ppm, iso_ppm, sigma_mhz, spread_ppm, amplitude, fwhm_lorentz_hz,
                                 fwhm_gauss_hz)


def czjzek_site_spectrum_direct(ppm: ArrayLike, iso_ppm: float, sigma_mhz: float,
                                spread_ppm: float = 0.0, amplitude: float = 1.0, fwhm_lorentz_hz: float = 0.0,
                                fwhm_gauss_hz: float = 0.0, *, nucleus: str = "27Al",
                                field_1h_mhz: float = DEFAULT_FIELD_1H_MHZ, mas_hz: float | None = None,
                                cq_max_mhz: float = 20.0, n_cq: int = 80, n_eta: int = 8
                                ) -> NDArray[np.float64]:
    """The same spectrum as :func:`czjzek_site_spectrum`, simulated afresh by mrsimulator.

    All (C_Q, η) cells of the grid become spin systems with their Czjzek weights as abundances,
    at δiso, in one mrsimulator run on a uniform grid covering ``ppm``; the δiso spread and the
    broadenings are mrsimulator's Gaussian and exponential apodizations. Seconds per call: the
    reference the kernel library is checked and benchmarked against.
    """
    from mrsimulator import Simulator
    from mrsimulator import signal_processor as sp

    iso = _quadrupolar_isotope(nucleus)
    ref = larmor_mhz(iso, field_1h_mhz)
    x = np.asarray(ppm, dtype=float)
    step = _grid_step(x)
    lo = float(np.min(x))
    m = int(np.ceil((float(np.max(x)) - lo) / step - 1e-9)) + 1
    m += m % 2
    offset_hz = (lo + (m // 2) * step) * ref  # so that point 0 of mrsimulator's grid is at lo
    cq = (np.arange(n_cq) + 0.5) * cq_max_mhz / n_cq
    eta = (np.arange(n_eta) + 0.5) / n_eta
    w, _ = czjzek_weights(cq, eta, sigma_mhz)
    c_grid, e_grid = np.meshgrid(cq, eta, indexing="ij")
    keep = w.ravel() > 1e-12
    systems = _single_site_systems(iso.symbol, iso_ppm, c_grid.ravel()[keep] * 1e6,
                                   e_grid.ravel()[keep], w.ravel()[keep])
    method = _ct_method(iso.symbol, ref, _mas_value(mas_hz), m, step * ref, offset_hz)
    sim = Simulator(spin_systems=systems, methods=[method])
    sim.run()
    # normalisation: total CT intensity of one unit-abundance C_Q = 0 site inside the window
    ref_method = _ct_method(iso.symbol, ref, _mas_value(mas_hz), m, step * ref, offset_hz)
    ref_sim = Simulator(spin_systems=_single_site_systems(iso.symbol, lo + (m // 2) * step,
                                                          np.zeros(1), np.zeros(1), np.ones(1)),
                        methods=[ref_method])
    ref_sim.run()
    norm = float(np.sum(np.real(ref_sim.methods[0].simulation.y[0].components[0])))
    total_gauss_hz = float(np.hypot(spread_ppm * ref, fwhm_gauss_hz))
    ops = [sp.IFFT()]
    if total_gauss_hz > 0:
        ops.append(sp.apodization.Gaussian(FWHM=f"{total_gauss_hz} Hz"))
    if fwhm_lorentz_hz > 0:
        ops.append(sp.apodization.Exponential(FWHM=f"{fwhm_lorentz_hz} Hz"))
    ops.append(sp.FFT())
    processed = sp.SignalProcessor(operations=ops).apply_operations(dataset=sim.methods[0].simulation)
    y = np.real(processed.y[0].components[0]) / norm
    grid_hz = method.spectral_dimensions[0].coordinates_Hz()
    total_abundance = float(w.ravel()[keep].sum())
    return np.interp(x, grid_hz / ref, y) * amplitude / step / total_abundance
