"""Fit of a central-transition MAS spectrum of a half-integer quadrupolar nucleus as sites with
Czjzek distributions (:func:`fit_quadrupolar`); the result is in :mod:`cald.lineshape.czjzekresult`,
the model and its kernel library in :mod:`cald.lineshape.czjzek`.

Intensities
-----------
Each site's ``amplitude`` is the integral of its full CT spectrum (intensity × ppm), including any
part that falls outside the spectral window; fractions are amplitude_k / Σ amplitudes with
uncertainties propagated through the covariance matrix. With cross-polarisation they are not
quantitative (:data:`~cald.lineshape.czjzekresult.CP_WARNING`).

Uncertainties follow the one rule of :mod:`cald.fitting`: points are weighted by 1/σ_noise
(given, or measured with :func:`cald.fitting.measure_noise`), the covariance is not rescaled and
χ²ᵣ is reported (a note when χ²ᵣ ≫ 1); without a noise measure the covariance is scaled by
χ²/(n − k) and the residual standard deviation is reported. A parameter at a bound has no error,
nor has anything derived from it (its note says why). AIC, AICc and BIC come with every fit.

The C_Q grid follows the data: a fitted σ at the grid's limit doubles ``cq_max_mhz`` (and
``n_cq``, so the cells keep their width) and the fit is repeated, at most twice.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import lmfit
import numpy as np
from numpy.typing import NDArray
from scipy.optimize import nnls

from cald.errors import ParameterError
from cald.fitting import (
    SIGMA_GIVEN,
    Estimate,
    FitStatistics,
    covariance_block,
    derived_estimate,
    estimate_of,
    fractions,
    measure_noise,
    parameter_at_bound,
    parameters_at_bound,
)
from cald.lineshape.czjzek import (
    _INFINITE_MAS_HZ,
    _MIN_POINTS,
    DEFAULT_FIELD_1H_MHZ,
    KernelLibrary,
    _mas_value,
    _quadrupolar_isotope,
    czjzek_mean_cq_mhz,
    library_for_axis,
)
from cald.lineshape.czjzekresult import QuadrupolarFitResult, QuadrupolarSite
from cald.nuclei import Isotope, get_isotope, larmor_mhz
from cald.spectrum import Spectrum

if TYPE_CHECKING:
    from cald.tables import TableStore

__all__ = [
    "AL_COORDINATION_RANGES_PPM",
    "AL_COORDINATION_START_PPM",
    "site_label",
    "fit_quadrupolar",
]

#: δiso ranges (ppm) that label 27Al sites in amorphous/ALD alumina (science.md §5).
AL_COORDINATION_RANGES_PPM: dict[int, tuple[str, float, float]] = {
    4: ("Al(IV)", 60.0, 75.0),
    5: ("Al(V)", 30.0, 40.0),
    6: ("Al(VI)", 0.0, 10.0),
}
#: Default starting δiso (ppm) for 27Al sites given as coordination numbers 4, 5, 6.
AL_COORDINATION_START_PPM = {4: 68.0, 5: 35.0, 6: 8.0}


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
    fwhm_lorentz_hz: float = 0.0,
    fit_lb: bool = False,
    fwhm_gauss_hz: float = 0.0,
    noise: float | None = None,
    cq_max_mhz: float = 20.0,
    n_cq: int | None = None,
    n_eta: int = 8,
    library: KernelLibrary | None = None,
    store: TableStore | None = None,
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
    fwhm_lorentz_hz, fit_lb, fwhm_gauss_hz
        Common Lorentzian FWHM (Hz; fitted with ``fit_lb``) and fixed Gaussian FWHM (Hz).
    noise
        Standard deviation of the noise; default measured on the spectrum
        (:func:`cald.fitting.measure_noise`): the covariance is then not rescaled and χ²ᵣ is
        reported; without a noise measure it is scaled by χ²/(n − k) and the residual standard
        deviation is reported (the rule of :mod:`cald.fitting`).
    cq_max_mhz, n_cq, n_eta, store
        The kernel library's (C_Q, η) grid (``n_cq`` default: cells of 0.25 MHz) and where it is
        kept (:func:`~cald.lineshape.czjzek.kernel_library`). The grid follows the data: when a fitted
        σ reaches the grid's limit (cq_max_mhz / 4.5), cq_max_mhz and n_cq are doubled and the fit
        repeated (at most twice), with a note.
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
    opts = _SiteOptions(sigma_start_mhz, spread_ppm, fit_spread, max_spread_ppm, iso_window_ppm,
                        fwhm_lorentz_hz, fit_lb, fwhm_gauss_hz)
    _check_options(opts, requested, x, noise)
    noise_source = SIGMA_GIVEN
    if noise is None:
        measured = measure_noise(Spectrum(y, x, "ppm", meta=dict(spec.meta)), x.size,
                                 float(np.max(np.abs(y))))
        noise = None if measured.sigma is None else float(measured.sigma[0])  # one σ for all points
        noise_source = measured.source
        if measured.note is not None:
            notes.append(measured.note)
    grid_cq = (cq_max_mhz, n_cq or max(4, round(4.0 * cq_max_mhz)))  # default cells of 0.25 MHz
    for widening in range(_MAX_WIDENINGS + 1):
        lib = library if library is not None else library_for_axis(
            x, iso.symbol, field_mhz, mas_hz, cq_max_mhz=grid_cq[0], n_cq=grid_cq[1], n_eta=n_eta,
            store=store)
        _check_library(lib, iso, field_mhz, mas)
        out = _fit_sites(lib, x, y, noise, [start for start, _, _ in requested], opts)
        at_limit = [k for k in range(len(requested))
                    if parameter_at_bound(out.params[f"s{k}_sigma_mhz"]) == "upper"]
        if library is not None or not at_limit or widening == _MAX_WIDENINGS:
            break
        notes.append(f"σ of site(s) {', '.join(str(k + 1) for k in at_limit)} reached the limit of the "
                     f"C_Q grid ({lib.sigma_max_mhz:.3g} MHz with C_Q ≤ {grid_cq[0]:g} MHz): the grid "
                     f"was widened to {2 * grid_cq[0]:g} MHz and the fit repeated")
        grid_cq = (2 * grid_cq[0], 2 * grid_cq[1])
    return _result(out, lib, requested, iso, field_mhz, mas, x, y, noise, noise_source,
                   opts.fwhm_gauss_hz,
                   notes, time.perf_counter() - t_start)


#: How many times the C_Q grid is doubled when a fitted σ reaches its limit.
_MAX_WIDENINGS = 2


@dataclass(frozen=True)
class _SiteOptions:
    """The fit's options for the sites (see :func:`fit_quadrupolar`)."""

    sigma_start_mhz: float | Sequence[float] | None
    spread_ppm: float
    fit_spread: bool
    max_spread_ppm: float
    iso_window_ppm: float
    fwhm_lorentz_hz: float
    fit_lb: bool
    fwhm_gauss_hz: float


def _check_options(opts: _SiteOptions, requested: list[tuple[float, int | None, str]],
                   x: NDArray[np.float64], noise: float | None) -> None:
    lo, hi = float(np.min(x)), float(np.max(x))
    outside = [text for start, _, text in requested if not lo <= start <= hi]
    if outside:
        raise ParameterError(f"site(s) {', '.join(outside)} lie outside the axis ({lo:.4g} to {hi:.4g} ppm)")
    n_free = len(requested) * (3 + int(opts.fit_spread)) + int(opts.fit_lb)
    if x.size < 3 * n_free:
        raise ParameterError(f"{x.size} points for {n_free} free parameters: need at least {3 * n_free}")
    for name, value in (("spread_ppm", opts.spread_ppm), ("fwhm_lorentz_hz", opts.fwhm_lorentz_hz),
                        ("fwhm_gauss_hz", opts.fwhm_gauss_hz)):
        if not (np.isfinite(value) and value >= 0):
            raise ParameterError(f"{name} must be ≥ 0, got {value}")
    if not opts.max_spread_ppm > 0 or not opts.iso_window_ppm > 0:
        raise ParameterError("max_spread_ppm and iso_window_ppm must be positive")
    if noise is not None and not (np.isfinite(noise) and noise > 0):
        raise ParameterError(f"noise must be positive, got {noise}")


def _check_library(lib: KernelLibrary, iso: Isotope, field_mhz: float, mas: float) -> None:
    st = lib.setup
    same_field = abs(st.ref_mhz / larmor_mhz(iso, field_mhz) - 1) <= 1e-6
    if st.nucleus != iso.symbol or not same_field or st.mas_hz != mas:
        raise ParameterError("the kernel library was built for another nucleus, field or MAS rate")


def _sites_on_grid(lib: KernelLibrary, grid: NDArray[np.float64], v: dict[str, float], n_sites: int,
                   fwhm_gauss_hz: float) -> list[NDArray[np.float64]]:
    return [lib.site_on_grid(grid, v[f"s{k}_iso_ppm"], v[f"s{k}_sigma_mhz"], v[f"s{k}_spread_ppm"],
                             v[f"s{k}_amplitude"], v["fwhm_lorentz_hz"], fwhm_gauss_hz)
            for k in range(n_sites)]


def _fit_sites(lib: KernelLibrary, x: NDArray[np.float64], y: NDArray[np.float64],
               noise: float | None, starts_iso: list[float], o: _SiteOptions
               ) -> lmfit.minimizer.MinimizerResult:
    """Least squares over δiso, σ, spread and amplitude of every site (and lb), from δiso as
    given and σ the best of a small grid per site (amplitudes by NNLS, all combinations)."""
    grid = lib.model_grid(x)
    n_sites = len(starts_iso)
    sigma_lo, sigma_hi = 0.05, lib.sigma_max_mhz
    lo, hi = float(np.min(x)), float(np.max(x))
    scale = 1.0 if noise is None else 1.0 / noise
    sigma_starts = _sigma_start_sets(o.sigma_start_mhz, n_sites, sigma_lo, sigma_hi)
    unit = {(k, s): np.interp(x, grid, lib.site_on_grid(grid, starts_iso[k], s, o.spread_ppm, 1.0,
                                                        o.fwhm_lorentz_hz, o.fwhm_gauss_hz))
            for k in range(n_sites) for s in {s for combo in sigma_starts for s in combo}}
    best_start: tuple[float, tuple[float, ...], NDArray[np.float64]] | None = None
    for combo in sigma_starts:
        amps, rnorm = nnls(np.column_stack([unit[(k, s)] for k, s in enumerate(combo)]), y)
        if best_start is None or rnorm < best_start[0]:
            best_start = (float(rnorm), combo, amps)
    assert best_start is not None
    _, sigma0, amp0 = best_start
    area_scale = max(abs(float(np.sum(y))) * lib.setup.step_ppm, 1e-300)
    params = lmfit.Parameters()
    for k, start in enumerate(starts_iso):
        params.add(f"s{k}_iso_ppm", value=start, min=max(lo, start - o.iso_window_ppm),
                   max=min(hi, start + o.iso_window_ppm))
        params.add(f"s{k}_sigma_mhz", value=sigma0[k], min=sigma_lo, max=sigma_hi)
        params.add(f"s{k}_spread_ppm", value=min(o.spread_ppm, o.max_spread_ppm), min=0.0,
                   max=o.max_spread_ppm, vary=o.fit_spread)
        params.add(f"s{k}_amplitude", value=max(float(amp0[k]), 0.01 * area_scale / n_sites), min=0.0)
    params.add("fwhm_lorentz_hz", value=o.fwhm_lorentz_hz, min=0.0, vary=o.fit_lb)

    def residual(p: lmfit.Parameters) -> NDArray[np.float64]:
        model = np.interp(x, grid, np.sum(_sites_on_grid(lib, grid, p.valuesdict(), n_sites, o.fwhm_gauss_hz),
                                          axis=0))
        return (y - model) * scale

    # the one uncertainty rule (cald.fitting): σ known → covariance as is; estimated → scaled
    return lmfit.minimize(residual, params, method="least_squares", scale_covar=noise is None,
                          x_scale="jac")


def _result(out: lmfit.minimizer.MinimizerResult, lib: KernelLibrary,
            requested: list[tuple[float, int | None, str]], iso: Isotope, field_mhz: float, mas: float,
            x: NDArray[np.float64], y: NDArray[np.float64], noise: float | None, noise_source: str,
            fwhm_gauss_hz: float, notes: list[str], seconds: float) -> QuadrupolarFitResult:
    """Sites (labels, estimates, fractions with covariance errors, notes) and statistics."""
    st = lib.setup
    n_sites = len(requested)
    grid = lib.model_grid(x)
    stats = FitStatistics.from_chisqr(float(out.chisqr), x.size, int(out.nvarys), noise is not None)
    if stats.redchi is not None and stats.redchi > 2.0:
        notes.append(f"χ²ᵣ = {stats.redchi:.3g} ≫ 1: the model does not describe the data to the noise "
                     "level; the errors (from the measured noise) are too small")
    names = list(out.var_names)
    cov = None if out.covar is None or not np.all(np.isfinite(out.covar)) else np.asarray(out.covar)
    best = out.params.valuesdict()
    comps_grid = _sites_on_grid(lib, grid, best, n_sites, fwhm_gauss_hz)
    components = np.array([np.interp(x, grid, c) for c in comps_grid])
    amp_names = [f"s{k}_amplitude" for k in range(n_sites)]
    bounded = parameters_at_bound(out.params, amp_names)
    fracs, frac_errs = fractions([best[a] for a in amp_names], covariance_block(cov, names, amp_names))
    result_sites = []
    labels_seen: dict[str, int] = {}
    for k, (_, coord, text) in enumerate(requested):
        iso_est = estimate_of(out.params, f"s{k}_iso_ppm", "ppm")
        sigma_est = estimate_of(out.params, f"s{k}_sigma_mhz", "MHz")
        label, site_notes = _label(iso_est.value, iso.symbol, k, coord, labels_seen)
        if sigma_est.at_bound:
            site_notes.append(f"σ stopped at the {sigma_est.bound} limit of its range (0.05–"
                              f"{lib.sigma_max_mhz:.3g} MHz, set by the C_Q grid up to "
                              f"{st.cq_max_mhz:g} MHz): widen the grid (cq_max_mhz) if the line is broader")
        _, captured = lib.weights(sigma_est.value)
        if captured < 0.99:
            site_notes.append(f"σ = {sigma_est.value:.3g} MHz: {100 * (1 - captured):.1f} % of the Czjzek "
                              f"distribution lies beyond the C_Q grid ({st.cq_max_mhz:g} MHz)")
        cq_mean = derived_estimate(czjzek_mean_cq_mhz, [sigma_est],
                                   covariance_block(cov, names, [f"s{k}_sigma_mhz"]), "MHz",
                                   name=f"s{k}_cq_mean_mhz")
        frac_err = None if frac_errs is None or bounded else float(frac_errs[k])
        frac = Estimate(float(fracs[k]), frac_err, "", intervals=_NO_INTERVALS, name=f"s{k}_fraction",
                        note=None if frac_err is not None else
                        "no error: an amplitude is at a bound or the covariance is unavailable")
        comp = comps_grid[k]
        total = float(comp.sum())
        cog = float(np.sum(comp * grid) / total) if total > 0 else float("nan")
        result_sites.append(QuadrupolarSite(
            k, label, text, _with_intervals(iso_est), _with_intervals(sigma_est),
            _with_intervals(estimate_of(out.params, f"s{k}_spread_ppm", "ppm")),
            _with_intervals(estimate_of(out.params, f"s{k}_amplitude")), frac,
            _with_intervals(cq_mean), cog, float(grid[int(np.argmax(comp))]), captured,
            tuple(site_notes)))
    if not out.success:
        notes.append(f"optimiser did not report convergence: {out.message}")
    lb = _with_intervals(estimate_of(out.params, "fwhm_lorentz_hz", "Hz"))
    params = {e.name: e for s in result_sites for e in (s.iso_ppm, s.sigma_mhz, s.spread_ppm,
                                                         s.amplitude, s.fraction, s.cq_mean_mhz)}
    return QuadrupolarFitResult(
        iso.symbol, field_mhz, st.ref_mhz, None if mas >= _INFINITE_MAS_HZ else mas,
        tuple(result_sites), lb, fwhm_gauss_hz, noise, noise_source, int(out.nfev), seconds,
        (float(np.min(x)), float(np.max(x))), lib.to_dict(), x.copy(), y.copy(), components.sum(axis=0),
        components, statistics=stats, params={**params, "fwhm_lorentz_hz": lb}, success=bool(out.success),
        message=str(out.message), notes=tuple(notes))


def _label(iso_ppm: float, nucleus: str, k: int, coord: int | None, seen: dict[str, int]
           ) -> tuple[str, list[str]]:
    """Site k's label (Al(IV)/(V)/(VI) by δiso, else as asked; numbered when repeated) and notes
    when δiso and the coordination asked for disagree."""
    notes = []
    label = site_label(iso_ppm, nucleus, k, coord)
    if coord is not None and label != AL_COORDINATION_RANGES_PPM[coord][0]:
        notes.append(f"asked for as Al({'IV V VI'.split()[coord - 4]}) but δiso = "
                     f"{iso_ppm:.1f} ppm lies in the {label} range")
    elif coord is not None and not _in_range(iso_ppm, coord):
        _, r_lo, r_hi = AL_COORDINATION_RANGES_PPM[coord]
        notes.append(f"δiso = {iso_ppm:.1f} ppm is outside the usual {label} range "
                     f"{r_lo:g}–{r_hi:g} ppm; labelled as asked")
    seen[label] = seen.get(label, 0) + 1
    return (f"{label} ({k + 1})" if seen[label] > 1 else label), notes


def _with_intervals(est: Estimate) -> Estimate:
    return replace(est, intervals={**_NO_INTERVALS, **est.intervals})


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


#: Interval keys of the estimates in the JSON (never computed here).
_NO_INTERVALS: dict[str, None] = {"ci95_bootstrap": None, "ci95_profile": None}
