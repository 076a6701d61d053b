"""PASS (phase-adjusted spinning sidebands) of spin-1/2 sites: the isotropic spectrum (sum of the
sideband-order rows), synthetic PASS rows, and the per-site Herzfeld–Berger fit of the sideband
intensities across the orders (:func:`fit_pass` → :class:`PassFitResult`).

PASS rows are given in the order of ``orders`` (default −N … N, or
``Spectrum.meta["sideband_orders"]``); order k is the line at δiso + k·ν_r/ν0 (ppm). Site
fractions are fitted whole-manifold areas A_i / Σ A; ``measured_fraction`` sums the region
integrals over the orders. Uncertainties: each intensity is weighted by the noise of its region
integral; the covariance is not rescaled (the per-site χ²ᵣ is reported).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import lmfit
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.signal import find_peaks, peak_widths

from cald.errors import ParameterError
from cald.fitting import (
    FitStatistics,
    derived_bound_note,
    fractions,
    parameters_at_bound,
    pin_at_bounds,
)
from cald.fitting.display import ResultDisplay
from cald.lineshape.csamodel import _ETA_GRID, _ZETA_GRID_FACTORS
from cald.lineshape.manifolds import _noise
from cald.lineshape.sidebands import (
    _axis,
    _check_mas,
    _check_tensor,
    _OrderSimulator,
    _reference_mhz,
    _spin_half,
)
from cald.lineshape.tensor import (
    CONVENTIONS,
    CsaTensor,
    _derived_without_error,
    _opt,
    _site_keys,
    _site_line,
    _tensor_notes,
    eta_covariance,
)
from cald.spectrum import Spectrum

__all__ = ["pass_isotropic_spectrum", "synthetic_pass", "PassSiteResult", "PassFitResult", "fit_pass"]

_PASS_ZETA_MAX_ORDERS = 12.0  # PASS fits: |ζ| ≤ 12 sideband spacings


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
    """One site of a PASS fit: its sideband intensities across orders, the fitted tensor and the
    fit's :class:`~cald.fitting.FitStatistics` (σ known: each intensity carries the noise of its
    region integral, so χ²ᵣ is reported and the covariance is not rescaled)."""

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
    statistics: FitStatistics
    notes: tuple[str, ...] = ()

    @property
    def redchi(self) -> float:
        """χ²ᵣ of the site's fit over the orders (NaN without degrees of freedom)."""
        return float("nan") if self.statistics.redchi is None else self.statistics.redchi

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
            **{k: v for k, v in self.statistics.to_dict().items() if k != "redchi"},
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class PassFitResult(ResultDisplay):
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
        without = fit["no_error"] | ({"iso"} if c_err is None else set())
        tensor = CsaTensor.from_haeberlen(centroid, fit["zeta"], fit["eta"], cov3, without)
        site_notes = fit["notes"] + _tensor_notes(tensor, 0.05 * spacing)
        fits.append((f"site {i + 1}", region, intens, err, fit, tensor, site_notes))

    areas = np.array([f[4]["area"] for f in fits])
    variances = [f[4]["area_var"] for f in fits]
    cov_a = None if any(v is None for v in variances) else np.diag([float(v) for v in variances])
    fracs, frac_err = fractions(areas, cov_a)
    if cov_a is None and len(fits) > 1:
        notes.append("fractions: no error (an area is at its bound or has no covariance error)")
    measured = np.array([np.sum(f[2]) for f in fits])
    m_total = float(np.sum(measured))
    out_sites = [PassSiteResult(
        label, (float(region[0]), float(region[1])), tuple(int(x) for x in k),
        tuple(map(float, intens)), tuple(map(float, err)), tuple(map(float, fit["fitted"])), tensor,
        float(fit["area"]), None if fit["area_var"] is None else float(np.sqrt(fit["area_var"])),
        float(fracs[i]), None if frac_err is None else float(frac_err[i]),
        float(measured[i] / m_total) if m_total else float("nan"), fit["statistics"], tuple(site_notes))
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
    bound = pin_at_bounds(out.params, out.var_names)
    if bound:  # lmfit gives no covariance with a parameter on a bound: refit without it
        out = lmfit.minimize(residual, out.params, method="least_squares", x_scale="jac",
                             diff_step=1e-6, scale_covar=False)
    v = out.params.valuesdict()
    names = list(out.var_names)
    bound |= set(parameters_at_bound(out.params, names))
    notes = [f"{n} = {v[n]:.4g} is at a bound of its range: no covariance error"
             for n in sorted(bound)]
    tensor_bound = {{"zeta_ppm": "zeta", "eta2": "eta"}[n] for n in bound if n != "area"}
    if lost := _derived_without_error(tensor_bound):
        notes.append(f"{', '.join(lost)}: "
                     + derived_bound_note(n for n in sorted(bound) if n != "area"))
    no_error = set(tensor_bound)
    cov3, area_var = None, None
    if out.covar is None:
        notes.append("covariance unavailable: ζ, η are not determined by these intensities")
        no_error |= {"zeta", "eta"}
    else:
        cov = np.asarray(out.covar)
        sub = np.zeros((3, 3))
        for r_, a_ in enumerate(("zeta_ppm", "eta2")):
            for c_, b_ in enumerate(("zeta_ppm", "eta2")):
                if a_ not in bound and b_ not in bound:
                    sub[r_ + 1, c_ + 1] = cov[names.index(a_), names.index(b_)]
        cov3, eta_note = eta_covariance(sub, v["eta2"])
        if eta_note:
            notes.append(eta_note)
            no_error.add("eta")
        area_var = None if "area" in bound else float(cov[names.index("area"), names.index("area")])
    n_free = 3  # ζ, η², A (also when one ended on a bound and was held there)
    stats = FitStatistics.from_chisqr(float(out.chisqr), k.size, n_free, sigma_known=True)
    if k.size <= n_free:
        notes.append(f"{k.size} orders for {n_free} parameters: no degrees of freedom")
    fitted = v["area"] * engine.intensities([(v["zeta_ppm"], v["eta"])], k)[0]
    return {"zeta": float(v["zeta_ppm"]), "eta": float(v["eta"]), "area": float(v["area"]),
            "area_var": area_var, "cov3": cov3, "no_error": no_error, "notes": notes,
            "statistics": stats, "fitted": fitted}
