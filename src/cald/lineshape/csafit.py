"""CSA sideband fit of a 1D MAS spectrum of spin-1/2 sites (:func:`fit_csa`).

The CSA family is split by role: :mod:`cald.lineshape.tensor` (conventions, :class:`CsaTensor`),
:mod:`cald.lineshape.sidebands` (the mrsimulator engine), :mod:`cald.lineshape.manifolds` (sites
found in the spectrum), this module (the fit driver), :mod:`cald.lineshape.csaresult` (its result)
and :mod:`cald.lineshape.pass_` (PASS data).

Conventions: δ in ppm, Haeberlen ζ = δzz − δiso (the shift convention; mrsimulator's ζ is −ζ),
sideband order k at δiso + k·ν_r/ν0 (:mod:`cald.lineshape.sidebands`). Amplitudes are areas
(intensity × ppm) of a site's *whole* manifold, including sidebands that fall outside the axis;
site fractions are amplitude_i / Σ amplitudes. Linewidths are FWHM in Hz (Lorentzian, Gaussian,
or both for a Voigt line).

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

import time
from collections.abc import Sequence
from dataclasses import dataclass

import lmfit
import numpy as np
from numpy.typing import NDArray
from scipy.optimize import lsq_linear
from scipy.signal import peak_widths

from cald.errors import ParameterError
from cald.lineshape.csaresult import CsaFitResult, CsaSiteResult
from cald.lineshape.manifolds import _manifolds
from cald.lineshape.sidebands import (
    SidebandTable,
    _Axis,
    _axis,
    _check_mas,
    _check_tensor,
    _grid_size,
    _Placer,
    _reference_mhz,
    _spin_half,
    _TableSimulator,
)
from cald.lineshape.tensor import CsaTensor, _tensor_notes
from cald.spectrum import Spectrum

__all__ = ["LINESHAPES", "CsaSite", "fit_csa"]

#: Line broadenings of :func:`fit_csa`: which FWHM parameters each one varies.
LINESHAPES = {"lorentzian": ("lorentz",), "gaussian": ("gauss",), "voigt": ("lorentz", "gauss")}

_ETA_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
_ZETA_GRID_FACTORS = (0.25, 0.5, 0.8, 1.2, 1.7, 2.4, 3.3, 4.5, 6.0)  # × sideband spacing (ppm)


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

    def __init__(self, ax: _Axis, y: NDArray[np.float64], sigma: float, sim: _TableSimulator,
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
    table = SidebandTable(iso_nuc.symbol, zeta_max * nu0 / mas, integration_density)
    sim = _TableSimulator(table, nu0 * 1e6, mas, ax.step, count)
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
        time.perf_counter() - t_start, start, correl, tuple(notes), table)


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



def _voigt_fwhm(lorentz: float, gauss: float) -> float:
    """Olivero–Longbothum approximation of the Voigt FWHM (exact for either width zero)."""
    return float(0.5346 * lorentz + np.sqrt(0.2166 * lorentz**2 + gauss**2))

