"""Central-transition MAS spectra of half-integer quadrupolar nuclei (27Al, 17O, 23Na …) as sites
with Czjzek distributions of (C_Q, η), and their fit.

Model
-----
A site is an isotropic shift δiso (ppm) with a Czjzek distribution of the quadrupolar coupling
(C_Q, η), d = 5 (Czjzek et al., PRB 23, 2513 (1981); d'Espinose de Lacaillerie, Fretigny and
Massiot, JMR 192, 244 (2008)), an optional Gaussian spread of δiso (FWHM, ppm) and a common
Lorentzian/Gaussian line broadening (FWHM, Hz). Its central-transition (CT) MAS spectrum is the
Czjzek-weighted sum of single-(C_Q, η) CT spectra computed once by mrsimulator (a *kernel
library*, :class:`KernelLibrary`, cached per nucleus, field, MAS rate and spectral grid), shifted
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

Intensities
-----------
Each site's ``amplitude`` is the integral of its full CT spectrum (intensity × ppm), including any
part that falls outside the spectral window; fractions are amplitude_k / Σ amplitudes with
uncertainties propagated through the covariance matrix. With cross-polarisation they are not
quantitative (:data:`CP_WARNING`).

Uncertainties: points are weighted by 1/σ_noise (given, or measured with
:func:`cald.nmr.processing.noise_std`); the covariance is scaled by max(1, χ²ᵣ), so errors never
fall below what the noise implies and grow when the Czjzek model misfits. Without a noise estimate
the covariance is scaled by χ²ᵣ. A parameter at a bound has no error (its note says why).
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import lmfit
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.fft import next_fast_len
from scipy.optimize import nnls

from cald.errors import ParameterError
from cald.fitting import Estimate
from cald.nuclei import Isotope, get_isotope, larmor_mhz
from cald.spectrum import Spectrum

__all__ = [
    "CZJZEK_D",
    "SIGMA_CZJZEK_PER_MRSIMULATOR",
    "MEAN_CQ_PER_SIGMA",
    "SIGMA_CONVENTION",
    "CP_WARNING",
    "AL_COORDINATION_RANGES_PPM",
    "AL_COORDINATION_START_PPM",
    "DEFAULT_FIELD_1H_MHZ",
    "czjzek_pdf",
    "czjzek_weights",
    "czjzek_mean_cq_mhz",
    "sigma_czjzek_from_mrsimulator",
    "sigma_mrsimulator_from_czjzek",
    "site_label",
    "KernelSetup",
    "KernelLibrary",
    "kernel_library",
    "library_for_axis",
    "czjzek_site_spectrum",
    "czjzek_site_spectrum_direct",
    "QuadrupolarSite",
    "QuadrupolarFitResult",
    "fit_quadrupolar",
]

#: Dimension of the Czjzek (Gaussian isotropic) model: five independent EFG tensor components.
CZJZEK_D = 5
#: σ of the Czjzek/dmfit form = this × mrsimulator's ``CzjzekDistribution.sigma``.
SIGMA_CZJZEK_PER_MRSIMULATOR = 2.0
#: ⟨|C_Q|⟩ / σ (Czjzek σ) for d = 5: 5/√(2π) (closed form of the first moment).
MEAN_CQ_PER_SIGMA = 5.0 / np.sqrt(2.0 * np.pi)
SIGMA_CONVENTION = (
    "sigma_mhz is the σ of the Czjzek/dmfit form P ∝ C_Q⁴ η (1 − η²/9) exp(−C_Q²(1 + η²/3)/(2σ²)) "
    "(d = 5); mrsimulator's CzjzekDistribution(sigma) uses sigma = σ/2; mean C_Q = 5σ/√(2π) ≈ 1.995σ"
)
CP_WARNING = (
    "Fractions are relative integrated central-transition intensities. After cross-polarisation "
    "(CP) they are not quantitative: CP efficiency depends on the proximity to 1H, the contact time "
    "and relaxation, and differs between sites. Only direct excitation with short pulses (≤ π/12), "
    "full relaxation and the whole lineshape inside the window gives quantitative fractions."
)
#: δiso ranges (ppm) that label 27Al sites in amorphous/ALD alumina (science.md §5).
AL_COORDINATION_RANGES_PPM: dict[int, tuple[str, float, float]] = {
    4: ("Al(IV)", 60.0, 75.0),
    5: ("Al(V)", 30.0, 40.0),
    6: ("Al(VI)", 0.0, 10.0),
}
#: Default starting δiso (ppm) for 27Al sites given as coordination numbers 4, 5, 6.
AL_COORDINATION_START_PPM = {4: 68.0, 5: 35.0, 6: 8.0}
#: 1H frequency assumed when neither the call nor the spectrum gives the field.
DEFAULT_FIELD_1H_MHZ = 400.13

_FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))
_MIN_POINTS = 32
_MAX_MODEL_POINTS = 4096  # finer data axes are modelled on a coarser grid and interpolated
_INFINITE_MAS_HZ = 1.0e12  # mrsimulator's "infinite spinning speed"


# --- Czjzek distribution ------------------------------------------------------------------


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


def czjzek_mean_cq_mhz(sigma_mhz: float) -> float:
    """Mean |C_Q| (MHz) of the Czjzek distribution (d = 5): 5 σ / √(2π), σ the Czjzek σ."""
    return float(MEAN_CQ_PER_SIGMA * sigma_mhz)


def sigma_czjzek_from_mrsimulator(sigma_mrsimulator: float) -> float:
    """Czjzek/dmfit σ from mrsimulator's ``CzjzekDistribution.sigma`` (× 2)."""
    return SIGMA_CZJZEK_PER_MRSIMULATOR * sigma_mrsimulator


def sigma_mrsimulator_from_czjzek(sigma_czjzek: float) -> float:
    """mrsimulator's ``CzjzekDistribution.sigma`` from the Czjzek/dmfit σ (÷ 2)."""
    return sigma_czjzek / SIGMA_CZJZEK_PER_MRSIMULATOR


def site_label(iso_ppm: float, nucleus: str, index: int, coordination: int | None = None) -> str:
    """Name of site ``index`` (0-based): for 27Al, Al(IV)/Al(V)/Al(VI) when δiso lies in the
    ranges of :data:`AL_COORDINATION_RANGES_PPM`, otherwise the coordination the user asked for
    (if any), otherwise ``"site k"`` (k = index + 1)."""
    if get_isotope(nucleus).symbol == "27Al":
        for name, lo, hi in AL_COORDINATION_RANGES_PPM.values():
            if lo <= iso_ppm <= hi:
                return name
        if coordination is not None:
            return AL_COORDINATION_RANGES_PPM[coordination][0]
    return f"site {index + 1}"


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
                     spread_ppm: float = 0.0, amplitude: float = 1.0, lb_hz: float = 0.0,
                     gb_hz: float = 0.0, weights: NDArray[np.float64] | None = None
                     ) -> NDArray[np.float64]:
        """Spectrum (intensity per ppm) of one site on a grid from :meth:`model_grid`.

        The isotropic shift and the broadenings are applied together in the Fourier domain of
        the grid (period ≥ grid + kernel window, zero-padded): convolution with the sampled,
        unit-sum Lorentzian (FWHM ``lb_hz``) and Gaussian (FWHM √(spread² + gb²)), and the
        translation by δiso — whole grid steps exactly, the fraction of a step by linear
        interpolation between bins, which is exact for histogram bins of uniform density. All
        three are non-negative, so the spectrum is non-negative and does not ring.
        """
        st = self.setup
        h = st.step_ppm
        w = self.weights(sigma_mhz)[0] if weights is None else weights
        # einsum, not BLAS: a multithreaded gemv of this size is 10× slower on a loaded machine
        summed = np.einsum("k,kn->n", w, self.kernels)
        m = grid_ppm.size
        n_fft = _fft_length(st.n_points + m)
        f, ramp = _rfft_frequencies(n_fft)
        shift = (iso_ppm - st.half_width_ppm - float(grid_ppm[0])) / h
        whole = np.floor(shift)
        part = shift - whole
        gauss = np.hypot(spread_ppm, gb_hz / st.ref_mhz) / h
        lor = (lb_hz / st.ref_mhz) / h
        phase = _sampled_broadening(f, gauss, lor) * np.exp(-2j * np.pi * whole * f)
        phase *= (1.0 - part) + part * ramp
        spec = np.fft.irfft(np.fft.rfft(summed, n_fft) * phase, n_fft)[:m]
        return spec * (amplitude / h)

    def site_spectrum(self, ppm: ArrayLike, iso_ppm: float, sigma_mhz: float,
                      spread_ppm: float = 0.0, amplitude: float = 1.0, lb_hz: float = 0.0,
                      gb_hz: float = 0.0) -> NDArray[np.float64]:
        """Spectrum of one site on any monotonic ``ppm`` axis (see :func:`czjzek_site_spectrum`)."""
        x = np.asarray(ppm, dtype=float)
        grid = self.model_grid(x)
        y = self.site_on_grid(grid, iso_ppm, sigma_mhz, spread_ppm, amplitude, lb_hz, gb_hz)
        return np.asarray(np.interp(x, grid, y), dtype=np.float64)

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


def _build_library(setup: KernelSetup) -> KernelLibrary:
    try:
        import mrsimulator
        from mrsimulator import Simulator
    except ModuleNotFoundError:  # pragma: no cover - optional dependency
        raise ModuleNotFoundError("quadrupolar lineshapes need mrsimulator: "
                                  "pip install 'cald[all]'") from None
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
                         time.perf_counter() - t0, str(mrsimulator.__version__))


def _disk_key(setup: KernelSetup) -> str:
    import mrsimulator

    text = json.dumps({**setup.to_dict(), "mrsimulator": mrsimulator.__version__}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@functools.lru_cache(maxsize=8)
def _library_cached(setup: KernelSetup, cache_dir: str | None) -> KernelLibrary:
    if cache_dir is None:
        return _build_library(setup)
    path = Path(cache_dir) / f"czjzek_kernels_{_disk_key(setup)}.npz"
    if path.is_file():
        with np.load(path) as z:
            return KernelLibrary(setup, z["cq_mhz"], z["eta"], z["ppm"], z["kernels"],
                                 float(z["build_seconds"]), str(z["mrsimulator_version"]))
    lib = _build_library(setup)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, cq_mhz=lib.cq_mhz, eta=lib.eta, ppm=lib.ppm, kernels=lib.kernels,
             build_seconds=lib.build_seconds, mrsimulator_version=lib.mrsimulator_version)
    tmp.replace(path)
    return lib


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
                   cache_dir: str | Path | None = None) -> KernelLibrary:
    """Kernel library for ``nucleus`` at 1H frequency ``field_1h_mhz`` (MHz) and MAS rate
    ``mas_hz`` (Hz; ``None`` infinite, 0 static), on a grid of spacing ``step_ppm`` reaching at
    least ± ``half_width_ppm`` around 0 ppm; (C_Q, η) cells up to ``cq_max_mhz``.

    Built with mrsimulator once per setup and kept in memory (the last 8 setups); with
    ``cache_dir`` also stored there as ``.npz`` and reloaded by later processes.
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
    return _library_cached(setup, None if cache_dir is None else str(cache_dir))


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
    ``n_eta``, ``cache_dir`` of :func:`kernel_library`."""
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
                         amplitude: float = 1.0, lb_hz: float = 0.0, gb_hz: float = 0.0, *,
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
    lb_hz, gb_hz
        Lorentzian and Gaussian line broadening, FWHM in Hz.
    library
        Kernel library of the nucleus, field and MAS rate (:func:`library_for_axis`).
    """
    return library.site_spectrum(ppm, iso_ppm, sigma_mhz, spread_ppm, amplitude, lb_hz, gb_hz)


def czjzek_site_spectrum_direct(ppm: ArrayLike, iso_ppm: float, sigma_mhz: float,
                                spread_ppm: float = 0.0, amplitude: float = 1.0, lb_hz: float = 0.0,
                                gb_hz: float = 0.0, *, nucleus: str = "27Al",
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
    gauss_hz = float(np.hypot(spread_ppm * ref, gb_hz))
    ops = [sp.IFFT()]
    if gauss_hz > 0:
        ops.append(sp.apodization.Gaussian(FWHM=f"{gauss_hz} Hz"))
    if lb_hz > 0:
        ops.append(sp.apodization.Exponential(FWHM=f"{lb_hz} Hz"))
    ops.append(sp.FFT())
    processed = sp.SignalProcessor(operations=ops).apply_operations(dataset=sim.methods[0].simulation)
    y = np.real(processed.y[0].components[0]) / norm
    grid_hz = method.spectral_dimensions[0].coordinates_Hz()
    total_abundance = float(w.ravel()[keep].sum())
    return np.interp(x, grid_hz / ref, y) * amplitude / step / total_abundance


# --- results ------------------------------------------------------------------------------


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
class QuadrupolarFitResult:
    """A Czjzek-site fit of a CT MAS spectrum. ``to_dict()`` carries the CLI's JSON keys.

    ``axis``, ``data``, ``best_fit`` and ``components`` (one row per site) are on the fitted
    region of the spectrum's axis, in its order; they are not in ``to_dict()``.
    """

    nucleus: str
    field_1h_mhz: float
    larmor_mhz: float
    mas_hz: float | None
    sites: tuple[QuadrupolarSite, ...]
    lb_hz: Estimate
    gb_hz: float
    chisqr: float
    redchi: float
    n_points: int
    n_varys: int
    noise: float | None
    noise_source: str
    err_scale: float
    success: bool
    message: str
    nfev: int
    fit_seconds: float
    region: tuple[float, float]
    library: dict[str, Any]
    axis: NDArray[np.float64] = field(repr=False)
    data: NDArray[np.float64] = field(repr=False)
    best_fit: NDArray[np.float64] = field(repr=False)
    components: NDArray[np.float64] = field(repr=False)
    notes: tuple[str, ...] = ()
    warning: str = CP_WARNING
    sigma_convention: str = SIGMA_CONVENTION

    @property
    def residual(self) -> NDArray[np.float64]:
        """data − best fit."""
        return self.data - self.best_fit

    def fraction(self, label: str) -> float:
        """Fraction of the (first) site named ``label``."""
        return next(s.fraction.value for s in self.sites if s.label == label)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "sites": [s.to_dict() for s in self.sites],
            "redchi": self.redchi,
            "warning": self.warning,
            "sigma_convention": self.sigma_convention,
            "nucleus": self.nucleus,
            "field_1h_mhz": self.field_1h_mhz,
            "larmor_mhz": self.larmor_mhz,
            "mas_hz": self.mas_hz,
            "lb_hz": self.lb_hz.value,
            "lb_hz_err": self.lb_hz.stderr,
            "gb_hz": self.gb_hz,
            "chisqr": self.chisqr,
            "n_points": self.n_points,
            "n_varys": self.n_varys,
            "noise": self.noise,
            "noise_source": self.noise_source,
            "err_scale": self.err_scale,
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
                 f"{self.n_points} points): χ²ᵣ = {self.redchi:.3g}"]
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


# --- fit ----------------------------------------------------------------------------------


def _parse_sites(sites: Sequence[float | int | str], nucleus: str) -> list[tuple[float, int | None, str]]:
    """(start δiso, coordination or None, as given) for each requested site."""
    if len(sites) == 0:
        raise ParameterError("give at least one site (δiso in ppm, or 4, 5, 6 for 27Al)")
    is_al = get_isotope(nucleus).symbol == "27Al"
    out: list[tuple[float, int | None, str]] = []
    for s in sites:
        text = str(s).strip()
        coord = None
        if is_al and not isinstance(s, float):
            key = text.upper().removeprefix("AL").strip("()")
            roman = {"IV": 4, "V": 5, "VI": 6, "4": 4, "5": 5, "6": 6}
            coord = roman.get(key)
        if coord is not None:
            out.append((AL_COORDINATION_START_PPM[coord], coord, text))
            continue
        try:
            value = float(text)
        except ValueError:
            hint = " or 4, 5, 6 / IV, V, VI" if is_al else ""
            raise ParameterError(f"site {text!r} is not a δiso in ppm{hint}") from None
        if not np.isfinite(value):
            raise ParameterError(f"site δiso {text!r} is not finite")
        out.append((value, None, text))
    return out


def _resolve_field(spec: Spectrum, iso: Isotope, field_1h_mhz: float | None,
                   notes: list[str]) -> float:
    from_sf = None if spec.sf_mhz is None else spec.sf_mhz * 100.0 / iso.xi_percent
    if field_1h_mhz is None:
        if from_sf is not None:
            return float(from_sf)
        notes.append(f"field not given and the spectrum has no sf_mhz: assumed {DEFAULT_FIELD_1H_MHZ} "
                     "MHz 1H")
        return DEFAULT_FIELD_1H_MHZ
    if not (np.isfinite(field_1h_mhz) and field_1h_mhz > 0):
        raise ParameterError(f"1H frequency must be positive, got {field_1h_mhz} MHz")
    if from_sf is not None and abs(from_sf / field_1h_mhz - 1) > 0.01:
        raise ParameterError(
            f"field_1h_mhz = {field_1h_mhz} MHz disagrees with the spectrum's SF {spec.sf_mhz} MHz "
            f"({iso.symbol} at {from_sf:.2f} MHz 1H); the quadrupolar shift scales with 1/B0²")
    return float(field_1h_mhz)


def _check_spectrum(spec: Spectrum, iso: Isotope, region: tuple[float, float] | None
                    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if spec.unit != "ppm":
        raise ParameterError(f"the spectrum's axis is in {spec.unit!r}; the Czjzek fit needs a ppm axis")
    if spec.nucleus is not None and get_isotope(spec.nucleus).symbol != iso.symbol:
        raise ParameterError(f"the spectrum is of {spec.nucleus} but nucleus {iso.symbol} was given")
    values = np.real(np.asarray(spec.values))
    if values.ndim != 1:
        raise ParameterError("the Czjzek fit takes one 1-D spectrum (got a series)")
    x = np.asarray(spec.axis, dtype=float)
    if region is not None:
        mask = spec.region_mask(*region)
        x, values = x[mask], values[mask]
    if x.size < _MIN_POINTS:
        raise ParameterError(f"{x.size} points{' in the region' if region else ''}: the Czjzek fit "
                             f"needs at least {_MIN_POINTS}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(values))):
        raise ParameterError("the spectrum holds non-finite values")
    d = np.diff(x)
    if not (np.all(d > 0) or np.all(d < 0)):
        raise ParameterError("the ppm axis must be strictly monotonic")
    return x, values


def fit_quadrupolar(
    spec: Spectrum,
    nucleus: str | None = None,
    field_1h_mhz: float | None = None,
    mas_hz: float | None = None,
    sites: Sequence[float | int | str] = (4, 5, 6),
    *,
    region: tuple[float, float] | None = None,
    sigma_start_mhz: float | Sequence[float] | None = None,
    spread_ppm: float = 5.0,
    fit_spread: bool = True,
    max_spread_ppm: float = 30.0,
    iso_window_ppm: float = 20.0,
    lb_hz: float = 0.0,
    fit_lb: bool = False,
    gb_hz: float = 0.0,
    noise: float | None = None,
    cq_max_mhz: float = 20.0,
    n_cq: int = 80,
    n_eta: int = 8,
    library: KernelLibrary | None = None,
    cache_dir: str | Path | None = None,
) -> QuadrupolarFitResult:
    """Fit a CT MAS spectrum of a half-integer quadrupolar nucleus as Czjzek sites.

    Parameters
    ----------
    spec
        1-D spectrum with a ppm axis (either order).
    nucleus
        Observed isotope; default the spectrum's nucleus, else ``"27Al"``. Spin 1/2 or integer
        spin → :class:`~cald.errors.ParameterError`.
    field_1h_mhz
        1H frequency (MHz) of the spectrometer; default from the spectrum's ``sf_mhz``, else
        400.13 (with a note). Must agree with ``sf_mhz`` within 1 %.
    mas_hz
        MAS rate (Hz); ``None`` infinitely fast, 0 static.
    sites
        One entry per site: a starting δiso (ppm), or for 27Al a coordination 4, 5, 6 (int or
        string, also ``"IV"``, ``"Al(VI)"``) meaning a start of 68, 35, 8 ppm. A float such as
        ``5.0`` is always a shift.
    region
        Fit only the points between these two shifts (ppm, either order).
    sigma_start_mhz
        Starting Czjzek σ (MHz), one for all or one per site; default: the best of a small grid
        (1–4 MHz) for each site, amplitudes by non-negative least squares.
    spread_ppm, fit_spread, max_spread_ppm
        Start (or fixed value) and upper bound of each site's Gaussian δiso spread (FWHM, ppm).
    iso_window_ppm
        δiso may move at most this far from its start (and not off the axis).
    lb_hz, fit_lb, gb_hz
        Common Lorentzian FWHM (Hz; fitted with ``fit_lb``) and fixed Gaussian FWHM (Hz).
    noise
        Standard deviation of the noise; default measured on the spectrum
        (:func:`cald.nmr.processing.noise_std`). Covariances are scaled by max(1, χ²ᵣ): errors
        never fall below what the noise gives and grow when the model misfits.
    cq_max_mhz, n_cq, n_eta, cache_dir
        The kernel library's (C_Q, η) grid and disk cache (:func:`kernel_library`).
    library
        A ready kernel library (overrides the grid arguments; must suit the axis).

    Returns
    -------
    QuadrupolarFitResult
    """
    t_start = time.perf_counter()
    notes: list[str] = []
    iso = _quadrupolar_isotope(nucleus or spec.nucleus or "27Al")
    x, y = _check_spectrum(spec, iso, region)
    field_mhz = _resolve_field(spec, iso, field_1h_mhz, notes)
    mas = _mas_value(mas_hz)
    requested = _parse_sites(sites, iso.symbol)
    n_sites = len(requested)
    lo, hi = float(np.min(x)), float(np.max(x))
    outside = [text for start, _, text in requested if not lo <= start <= hi]
    if outside:
        raise ParameterError(f"site(s) {', '.join(outside)} lie outside the axis ({lo:.4g} to {hi:.4g} ppm)")
    n_free = n_sites * (3 + int(fit_spread)) + int(fit_lb)
    if x.size < 3 * n_free:
        raise ParameterError(f"{x.size} points for {n_free} free parameters: need at least {3 * n_free}")
    for name, value in (("spread_ppm", spread_ppm), ("lb_hz", lb_hz), ("gb_hz", gb_hz)):
        if not (np.isfinite(value) and value >= 0):
            raise ParameterError(f"{name} must be ≥ 0, got {value}")
    if not max_spread_ppm > 0 or not iso_window_ppm > 0:
        raise ParameterError("max_spread_ppm and iso_window_ppm must be positive")
    if noise is not None and not (np.isfinite(noise) and noise > 0):
        raise ParameterError(f"noise must be positive, got {noise}")

    lib = library if library is not None else library_for_axis(
        x, iso.symbol, field_mhz, mas_hz, cq_max_mhz=cq_max_mhz, n_cq=n_cq, n_eta=n_eta,
        cache_dir=cache_dir)
    st = lib.setup
    same_field = abs(st.ref_mhz / larmor_mhz(iso, field_mhz) - 1) <= 1e-6
    if st.nucleus != iso.symbol or not same_field or st.mas_hz != mas:
        raise ParameterError("the kernel library was built for another nucleus, field or MAS rate")
    grid = lib.model_grid(x)
    sigma_lo, sigma_hi = 0.05, lib.sigma_max_mhz

    noise_source = "given"
    if noise is None:
        noise, noise_source = _measure_noise(spec, x, y)
    scale = 1.0 if noise is None else 1.0 / noise

    def sites_on_grid(v: dict[str, float]) -> list[NDArray[np.float64]]:
        return [lib.site_on_grid(grid, v[f"s{k}_iso_ppm"], v[f"s{k}_sigma_mhz"], v[f"s{k}_spread_ppm"],
                                 v[f"s{k}_amplitude"], v["lb_hz"], gb_hz) for k in range(n_sites)]

    def model(v: dict[str, float]) -> NDArray[np.float64]:
        return np.interp(x, grid, np.sum(sites_on_grid(v), axis=0))

    # starts: δiso as given; σ from a small grid per site with NNLS amplitudes (all combinations)
    starts_iso = [start for start, _, _ in requested]
    sigma_starts = _sigma_start_sets(sigma_start_mhz, n_sites, sigma_lo, sigma_hi)
    unit = {(k, s): np.interp(x, grid, lib.site_on_grid(grid, starts_iso[k], s, spread_ppm, 1.0, lb_hz,
                                                        gb_hz))
            for k in range(n_sites) for s in {s for combo in sigma_starts for s in combo}}
    best_start: tuple[float, tuple[float, ...], NDArray[np.float64]] | None = None
    for combo in sigma_starts:
        a_mat = np.column_stack([unit[(k, s)] for k, s in enumerate(combo)])
        amps, rnorm = nnls(a_mat, y)
        if best_start is None or rnorm < best_start[0]:
            best_start = (float(rnorm), combo, amps)
    assert best_start is not None
    _, sigma0, amp0 = best_start
    area_scale = max(abs(float(np.sum(y))) * st.step_ppm, 1e-300)

    params = lmfit.Parameters()
    for k, start in enumerate(starts_iso):
        params.add(f"s{k}_iso_ppm", value=start, min=max(lo, start - iso_window_ppm),
                   max=min(hi, start + iso_window_ppm))
        params.add(f"s{k}_sigma_mhz", value=sigma0[k], min=sigma_lo, max=sigma_hi)
        params.add(f"s{k}_spread_ppm", value=min(spread_ppm, max_spread_ppm), min=0.0, max=max_spread_ppm,
                   vary=fit_spread)
        params.add(f"s{k}_amplitude", value=max(float(amp0[k]), 0.01 * area_scale / n_sites), min=0.0)
    params.add("lb_hz", value=lb_hz, min=0.0, vary=fit_lb)

    def residual(p: lmfit.Parameters) -> NDArray[np.float64]:
        return (y - model(p.valuesdict())) * scale

    out = lmfit.minimize(residual, params, method="least_squares", scale_covar=False,
                         x_scale="jac")
    n, nv = x.size, int(out.nvarys)
    chisqr = float(out.chisqr)
    redchi = chisqr / (n - nv) if n > nv else float("nan")
    if noise is None:
        err_scale = float(np.sqrt(redchi))
        noise_source = "estimated from the residuals (covariance scaled by χ²ᵣ)"
    else:
        err_scale = float(np.sqrt(max(1.0, redchi)))
        if redchi > 2.0:
            notes.append(f"χ²ᵣ = {redchi:.3g} ≫ 1: the model does not describe the data to the noise "
                         "level; errors are scaled by √χ²ᵣ")
    cov, names = _scaled_covariance(out, err_scale)

    best = out.params.valuesdict()
    comps_grid = sites_on_grid(best)
    components = np.array([np.interp(x, grid, c) for c in comps_grid])
    best_fit = components.sum(axis=0)
    fractions, fraction_errs = _fractions(best, cov, names, n_sites)

    result_sites = []
    labels_seen: dict[str, int] = {}
    for k, (_, coord, text) in enumerate(requested):
        site_notes: list[str] = []
        iso_est = _estimate(out.params[f"s{k}_iso_ppm"], "ppm", cov, names)
        sigma_est = _estimate(out.params[f"s{k}_sigma_mhz"], "MHz", cov, names)
        label = site_label(iso_est.value, iso.symbol, k, coord)
        if coord is not None and label != AL_COORDINATION_RANGES_PPM[coord][0]:
            site_notes.append(f"asked for as Al({'IV V VI'.split()[coord - 4]}) but δiso = "
                              f"{iso_est.value:.1f} ppm lies in the {label} range")
        elif coord is not None and not _in_range(iso_est.value, coord):
            _, r_lo, r_hi = AL_COORDINATION_RANGES_PPM[coord]
            site_notes.append(f"δiso = {iso_est.value:.1f} ppm is outside the usual {label} range "
                              f"{r_lo:g}–{r_hi:g} ppm; labelled as asked")
        labels_seen[label] = labels_seen.get(label, 0) + 1
        if labels_seen[label] > 1:
            label = f"{label} ({k + 1})"
        if sigma_est.note and "bound" in sigma_est.note:
            edge = "upper" if sigma_est.value > 0.5 * (sigma_lo + sigma_hi) else "lower"
            site_notes.append(f"σ stopped at the {edge} limit of its range ({sigma_lo:g}–"
                              f"{sigma_hi:.3g} MHz, set by the C_Q grid up to {st.cq_max_mhz:g} MHz): "
                              "widen the grid (cq_max_mhz) if the line is broader")
        _, captured = lib.weights(sigma_est.value)
        if captured < 0.99:
            site_notes.append(f"σ = {sigma_est.value:.3g} MHz: {100 * (1 - captured):.1f} % of the Czjzek "
                              f"distribution lies beyond the C_Q grid ({st.cq_max_mhz:g} MHz)")
        mean_err = None if sigma_est.stderr is None else MEAN_CQ_PER_SIGMA * sigma_est.stderr
        cq_mean = Estimate(czjzek_mean_cq_mhz(sigma_est.value), mean_err, "MHz",
                           intervals=_NO_INTERVALS, note=sigma_est.note, name=f"s{k}_cq_mean_mhz")
        frac = Estimate(fractions[k], fraction_errs[k], "", intervals=_NO_INTERVALS,
                        note=None if fraction_errs[k] is not None else
                        "covariance unavailable (amplitudes not constrained)", name=f"s{k}_fraction")
        comp = comps_grid[k]
        total = float(comp.sum())
        cog = float(np.sum(comp * grid) / total) if total > 0 else float("nan")
        result_sites.append(QuadrupolarSite(
            k, label, text, iso_est, sigma_est,
            _estimate(out.params[f"s{k}_spread_ppm"], "ppm", cov, names),
            _estimate(out.params[f"s{k}_amplitude"], "", cov, names), frac, cq_mean,
            cog, float(grid[int(np.argmax(comp))]), captured, tuple(site_notes)))

    if not out.success:
        notes.append(f"optimiser did not report convergence: {out.message}")
    return QuadrupolarFitResult(
        iso.symbol, field_mhz, st.ref_mhz, None if mas >= _INFINITE_MAS_HZ else mas,
        tuple(result_sites), _estimate(out.params["lb_hz"], "Hz", cov, names), gb_hz, chisqr, redchi,
        n, nv, noise, noise_source, err_scale, bool(out.success), str(out.message), int(out.nfev),
        time.perf_counter() - t_start, (lo, hi), lib.to_dict(), x.copy(), y.copy(), best_fit,
        components, tuple(notes))


def _in_range(iso_ppm: float, coord: int) -> bool:
    _, lo, hi = AL_COORDINATION_RANGES_PPM[coord]
    return lo <= iso_ppm <= hi


def _sigma_start_sets(sigma_start_mhz: float | Sequence[float] | None, n_sites: int, lo: float,
                      hi: float) -> list[tuple[float, ...]]:
    if sigma_start_mhz is None:
        candidates = [float(np.clip(s, lo, hi)) for s in (1.0, 2.0, 3.0, 4.0)]
        candidates = sorted(set(candidates))
        if len(candidates) ** n_sites > 4096:  # many sites: one common σ
            return [(s,) * n_sites for s in candidates]
        mesh = np.meshgrid(*([candidates] * n_sites), indexing="ij")
        return [tuple(float(m.ravel()[i]) for m in mesh) for i in range(mesh[0].size)]
    values = np.atleast_1d(np.asarray(sigma_start_mhz, dtype=float))
    if values.size == 1:
        values = np.repeat(values, n_sites)
    if values.size != n_sites or not np.all((values > 0) & np.isfinite(values)):
        raise ParameterError(f"sigma_start_mhz needs one positive value or one per site ({n_sites})")
    return [tuple(float(np.clip(v, lo, hi)) for v in values)]


def _measure_noise(spec: Spectrum, x: NDArray[np.float64], y: NDArray[np.float64]
                   ) -> tuple[float | None, str]:
    from cald.nmr.processing import noise_std  # here: processing imports a lot

    try:
        s = float(noise_std(Spectrum(y, x, "ppm", meta=dict(spec.meta))))
    except (ParameterError, ValueError):
        s = float("nan")
    if np.isfinite(s) and s > 0:
        return s, "measured on the spectrum (noise_std)"
    return None, "estimated from the residuals"


def _scaled_covariance(out: lmfit.minimizer.MinimizerResult, err_scale: float
                       ) -> tuple[NDArray[np.float64] | None, list[str]]:
    names = list(out.var_names)
    covar = getattr(out, "covar", None)
    if covar is None or not np.all(np.isfinite(covar)):
        return None, names
    return np.asarray(covar) * err_scale**2, names


#: Interval keys of the estimates in the JSON (never computed here).
_NO_INTERVALS: dict[str, None] = {"ci95_bootstrap": None, "ci95_profile": None}


def _estimate(par: lmfit.Parameter, unit: str, cov: NDArray[np.float64] | None,
              names: list[str]) -> Estimate:
    fixed = not par.vary
    stderr, note = None, None
    if fixed:
        note = "held fixed"
    elif cov is None or par.name not in names:
        note = "covariance unavailable (the data do not constrain the fit)"
    else:
        i = names.index(par.name)
        stderr = float(np.sqrt(max(float(cov[i, i]), 0.0)))
        at_bound = any(np.isfinite(b) and abs(par.value - b) <= 1e-6 * max(abs(b), 1e-3)
                       for b in (par.min, par.max))
        if at_bound:
            stderr, note = None, "at a bound of its range: the covariance error does not apply"
    return Estimate(float(par.value), stderr, unit, fixed, _NO_INTERVALS, note, par.name)


def _fractions(best: dict[str, float], cov: NDArray[np.float64] | None, names: list[str],
               n_sites: int) -> tuple[list[float], list[float | None]]:
    """f_k = A_k / ΣA with σ_f from the gradient and the amplitudes' covariance block."""
    amps = np.array([best[f"s{k}_amplitude"] for k in range(n_sites)])
    total = float(amps.sum())
    if not total > 0:
        return [float("nan")] * n_sites, [None] * n_sites
    fractions = [float(a / total) for a in amps]
    amp_names = [f"s{k}_amplitude" for k in range(n_sites)]
    if cov is None or not all(a in names for a in amp_names):
        return fractions, [None] * n_sites
    idx = [names.index(a) for a in amp_names]
    c = cov[np.ix_(idx, idx)]
    errs: list[float | None] = []
    for k in range(n_sites):
        grad = -amps / total**2
        grad[k] += 1.0 / total
        errs.append(float(np.sqrt(max(float(grad @ c @ grad), 0.0))))
    return fractions, errs
