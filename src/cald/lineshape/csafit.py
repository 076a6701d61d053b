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
broadening is a product in the time domain. The sideband intensities p_k depend on ζ·ν0/ν_r and η
only: they are simulated once by mrsimulator on a grid of both and kept in the user's cache
directory (:class:`~cald.lineshape.sidebands.SidebandTable`, :mod:`cald.tables`); a site's
spectrum at δiso = 0 is those lines binned on a grid of the spectrum's own step (twice as wide,
so every placement stays inside it) and placed on the axis by a Fourier shift times the
broadening's decay: (ζ, η), ν_r, δiso and the widths cost a spline evaluation and two FFTs, not a
simulation. Amplitudes (and an optional constant baseline) are solved linearly at every step
(variable projection), so the nonlinear search covers δiso, ζ, η, widths and the MAS rate only.
Starts: a Herzfeld–Berger style grid of (ζ, η) per site; with no sites given, centrebands are
picked from the tallest peaks that repeat with the sideband spacing (the member nearest the
manifold's first moment, which equals δiso). A pass over all parameters, amplitudes included,
gives the covariance, and a Levenberg–Marquardt pass from its optimum finishes the fit. The
search runs in η² rather than η: the powder spectrum is even in η (δxx ↔ δyy), so ∂/∂η = 0 at
η = 0 and a search started there never leaves it (likewise ζ = 0 is kept out of the grid); and it
never starts on a bound, where trf's Coleman–Li scaling can pin a parameter for good. lmfit gives
no covariance at all while a parameter sits on a bound, so such parameters are held there for
the covariance pass (and reported at that bound). A site that ends at η = 1 is refitted from the
mirror tensor (−ζ, η just below 1): at η = 1 both signs of ζ are the same tensor, so the search
cannot cross to an optimum just below 1 on the other side.

The MAS rate is fitted (within ±2 % of the rate given) unless ``fix_mas``: a rate off by a few Hz
shifts the k-th sideband by k times that and leaves a dispersive residual at every sideband.

Uncertainties follow the one rule of :mod:`cald.fitting`: points are weighted by 1/σ, σ given or
measured on the spectrum (:func:`cald.fitting.measure_noise`), and the covariance is *not*
rescaled (check ``redchi`` ≈ 1); when σ cannot be measured the points get unit weights, the
covariance is rescaled and the residual standard deviation (data units) is reported. A
parameter at a bound of its range (η = 0 or 1, typically) has no covariance error, nor has
anything tied to it or derived from it: Ω, κ and the principal components whose Jacobian
involves it carry no error (``None``) and a note says so; likewise for η consistent with 0, and
the site fractions when an amplitude is at its bound.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import lmfit
import numpy as np
from numpy.typing import NDArray

from cald.errors import ParameterError
from cald.fitting import (
    SIGMA_GIVEN,
    SIGMA_MEASURED,
    Estimate,
    FitStatistics,
    Noise,
    bound_note,
    covariance_block,
    derived_bound_note,
    estimate_of,
    expression_inputs,
    fractions,
    measure_noise,
    parameters_at_bound,
    pin_at_bounds,
    propagate,
)
from cald.lineshape.csamodel import (
    LINESHAPES,
    _grid_search,
    _Model,
    _site_tuple,
    _SiteState,
    _width_start,
)
from cald.lineshape.csaresult import CsaFitResult, CsaSiteResult
from cald.lineshape.manifolds import _manifolds
from cald.lineshape.profiles import voigt_fwhm
from cald.lineshape.sidebands import (
    SidebandTable,
    _Axis,
    _axis,
    _check_mas,
    _check_tensor,
    _grid_size,
    _reference_mhz,
    _spin_half,
    _TableSimulator,
)
from cald.lineshape.tensor import CsaTensor, _derived_without_error, _tensor_notes, eta_covariance
from cald.spectrum import Spectrum

__all__ = ["LINESHAPES", "CsaSite", "fit_csa"]


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


#: The fitted MAS rate may move this far (relative) from the rate given.
MAS_RANGE = 0.02


@dataclass
class _Problem:
    """The validated input of one fit: ascending axis, real data, noise σ and scale."""

    nucleus: str
    nu0_mhz: float
    mas_hz: float
    spec: Spectrum
    ax: _Axis
    y: NDArray[np.float64]
    noise: Noise
    scale: float
    lineshape: str
    baseline: bool
    notes: list[str]

    @property
    def sigma(self) -> float:
        """σ the points are weighted with: the noise σ when known (one value for every point),
        1 (unit weights) when it is estimated from the residuals."""
        return 1.0 if self.noise.sigma is None else float(self.noise.sigma[0])

    @property
    def spacing_ppm(self) -> float:
        """Sideband spacing ν_r/ν0 (ppm) at the rate given."""
        return self.mas_hz / self.nu0_mhz


def _prepare(spectrum: Spectrum, mas_hz: float, nucleus: str | None, field_1h_mhz: float | None,
             lineshape: str, region: tuple[float, float] | None, noise_sigma: float | None,
             baseline: bool) -> _Problem:
    """Check the input and cut the region: the spectrum as the fit sees it."""
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
    y = ax.from_caller(np.real(np.asarray(spec.values, dtype=complex)).astype(float))
    if not np.all(np.isfinite(y)):
        raise ParameterError("the spectrum has non-finite values")
    scale = float(np.max(np.abs(y))) or 1.0
    if noise_sigma is not None:
        if not (noise_sigma > 0 and np.isfinite(noise_sigma)):
            raise ParameterError(f"noise_sigma must be positive, got {noise_sigma}")
        noise = Noise(np.full(y.size, float(noise_sigma)), SIGMA_GIVEN)
    else:  # measured on the whole spectrum, not only the region
        noise = measure_noise(spectrum, y.size, scale)
        if noise.note is not None:
            notes.append(noise.note)
    return _Problem(iso_nuc.symbol, nu0, mas, spec, ax, y, noise, scale, lineshape, baseline, notes)


def _initial_states(pb: _Problem, sites: Sequence[float | CsaSite] | None,
                    n_sites: int | None) -> list[_SiteState]:
    """One state per site: the shifts given (checked), or the manifolds found in the spectrum."""
    ax = pb.ax
    if n_sites is not None and n_sites < 1:
        raise ParameterError(f"n_sites must be ≥ 1, got {n_sites}")
    if sites is None:
        found = _manifolds(ax.ascending, pb.y, pb.spacing_ppm, pb.sigma if pb.noise.known else 0.0,
                           n_sites, 5.0, 6, pb.nu0_mhz)
        if not found:
            raise ParameterError("no peaks above 5σ (and 1 % of the tallest): give the isotropic "
                             "shifts (sites=)")
        pb.notes.append("sites picked from peaks repeating with the sideband spacing: "
                        + ", ".join(f"{m.iso_ppm:.1f}" for m in found) + " ppm")
        return [_SiteState(f"site {k + 1}", m.iso_ppm, 0.0, 0.0, 0.0, 0.0, m.candidates_ppm,
                           (ax.lo, ax.hi)) for k, m in enumerate(found)]
    if len(sites) == 0:
        raise ParameterError("sites is empty: give at least one isotropic shift")
    states = []
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
    return states


def _width_range(pb: _Problem) -> tuple[float, float]:
    """Bounds (Hz) of every FWHM: one point of the axis to half the spinning rate."""
    hz_per_pt = pb.ax.step * pb.nu0_mhz
    return hz_per_pt, max(0.5 * pb.mas_hz, 3 * hz_per_pt)


def _start_widths(pb: _Problem, states: list[_SiteState]) -> None:
    """Widths measured on each centreband (or given), split by the lineshape; δiso windows."""
    ax = pb.ax
    n_free = len(states) * (4 + len(LINESHAPES[pb.lineshape])) + int(pb.baseline)
    if ax.n < 4 * n_free:
        raise ParameterError(f"{ax.n} points are too few for {len(states)} site(s) "
                             f"({n_free} parameters): need at least {4 * n_free}")
    min_w, max_w = _width_range(pb)
    for st in states:
        w = st.lorentz or _width_start(ax.ascending, pb.y, st.iso, pb.nu0_mhz, ax.step)
        w = float(np.clip(w, 2 * min_w, max_w / 1.5))
        st.lorentz, st.gauss = {"voigt": (w / 2, w / 2), "gaussian": (0.0, w)}.get(pb.lineshape, (w, 0.0))
        st.iso_window = (max(st.iso - 0.45 * pb.spacing_ppm, ax.lo),
                         min(st.iso + 0.45 * pb.spacing_ppm, ax.hi))


def _build_model(pb: _Problem, states: list[_SiteState], integration_density: int
                 ) -> tuple[_Model, float]:
    """The model (sideband table, placement on the axis) and the largest |ζ| (ppm) it allows."""
    ax = pb.ax
    count = _grid_size(ax.n)
    zeta_max = min(0.6 * (ax.hi - ax.lo), 0.4 * count * ax.step)
    for st in states:
        if abs(st.zeta) > zeta_max:
            raise ParameterError(f"{st.label}: |ζ| = {abs(st.zeta):g} ppm is beyond what the axis "
                                 f"can hold (≤ {zeta_max:.0f} ppm)")
    slowest = pb.mas_hz * (1.0 - MAS_RANGE)
    table = SidebandTable(pb.nucleus, zeta_max * pb.nu0_mhz / slowest, integration_density)
    sim = _TableSimulator(table, pb.nu0_mhz * 1e6, pb.mas_hz, ax.step, count)
    return _Model(ax, pb.y / pb.scale, pb.sigma / pb.scale, sim, pb.lineshape, pb.baseline), zeta_max


def _nonlinear_parameters(pb: _Problem, states: list[_SiteState], zeta_max: float,
                          fix_mas: bool, mas_start_hz: float | None = None) -> lmfit.Parameters:
    """δiso, ζ, η², widths per site and the MAS rate. The powder spectrum is even in η
    (δxx ↔ δyy), so ∂/∂η = 0 at η = 0 and a search in η stalls there: η² is searched instead."""
    spacing = pb.spacing_ppm
    min_w, max_w = _width_range(pb)
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
        for wname in LINESHAPES[pb.lineshape]:
            params.add(f"s{i}_{wname}_hz", value=getattr(st, wname), min=min_w / 2, max=max_w)
    params.add("mas_hz", value=mas_start_hz or pb.mas_hz, min=pb.mas_hz * (1.0 - MAS_RANGE),
               max=pb.mas_hz * (1.0 + MAS_RANGE), vary=not fix_mas)
    return params


class _Objective:
    """Residuals of the model for lmfit: with the amplitudes projected out (variable projection)
    or as parameters of their own (for the covariance)."""

    def __init__(self, model: _Model, states: list[_SiteState]) -> None:
        self.model, self.states = model, states

    def basis(self, v: dict[str, float]) -> NDArray[np.float64]:
        return self.model.basis([_site_tuple(v, i, st) for i, st in enumerate(self.states)],
                                v.get("mas_hz"))

    def amplitudes(self, v: dict[str, float]) -> NDArray[np.float64]:
        n = len(self.states)
        return np.array([v[f"s{i}_area"] for i in range(n)] + ([v["baseline"]] if self.model.baseline
                                                                else []))

    def projected(self, p: lmfit.Parameters) -> NDArray[np.float64]:
        _, r = self.model.project(self.basis(p.valuesdict()))
        return r / self.model.sigma

    def full(self, p: lmfit.Parameters) -> NDArray[np.float64]:
        v = p.valuesdict()
        return (self.model.y - self.basis(v) @ self.amplitudes(v)) / self.model.sigma


def _refine(obj: _Objective, params: lmfit.Parameters, rescale: bool
            ) -> tuple[lmfit.minimizer.MinimizerResult, set[str]]:
    """Variable projection over the nonlinear parameters, then every parameter (amplitudes and
    baseline too) from that optimum, finished by Levenberg–Marquardt from the best point (trf
    alone can stop short of the minimum). lmfit gives no covariance at all while a parameter sits
    on a bound, so such parameters are held there. Returns the final fit and the pinned names."""
    out1 = lmfit.minimize(obj.projected, params, method="least_squares", x_scale="jac",
                          diff_step=1e-6, scale_covar=False)
    coef, _ = obj.model.project(obj.basis(out1.params.valuesdict()))
    full = out1.params.copy()
    pinned = pin_at_bounds(full, out1.var_names)
    for i in range(len(obj.states)):
        full.add(f"s{i}_area", value=max(float(coef[i]), 1e-12), min=0.0)
    if obj.model.baseline:
        full.add("baseline", value=float(coef[-1]))
    out = lmfit.minimize(obj.full, full, method="least_squares", x_scale="jac", diff_step=1e-6,
                         scale_covar=rescale)
    pinned |= pin_at_bounds(polish := out.params.copy(), out.var_names)
    local = lmfit.minimize(obj.full, polish, method="leastsq", epsfcn=1e-12, scale_covar=rescale)
    if local.chisqr <= out.chisqr and (local.covar is not None or out.covar is None):
        out = local
    return out, pinned


def _mirrored_starts(out: lmfit.minimizer.MinimizerResult, states: list[_SiteState]) -> bool:
    """Move the states to the fit's values; a site that ended at η = 1 restarts from the mirror
    tensor (−ζ, η² = 0.9). At η = 1 the signs of ζ describe the same tensor, so a search that
    reached η = 1 from one side cannot reach an optimum just below 1 on the other. Returns
    whether any site was mirrored."""
    v = out.params.valuesdict()
    mirrored = False
    for i, st in enumerate(states):
        st.iso, st.zeta, st.eta = v[f"s{i}_iso_ppm"], v[f"s{i}_zeta_ppm"], v[f"s{i}_eta"]
        st.lorentz, st.gauss = v.get(f"s{i}_lorentz_hz", st.lorentz), v.get(f"s{i}_gauss_hz", st.gauss)
        if v[f"s{i}_eta2"] >= 1.0 - 1e-6:
            st.zeta, st.eta, mirrored = -st.zeta, float(np.sqrt(0.9)), True
    return mirrored


class _Covariance:
    """Blocks of the final fit's covariance; parameters at a bound (or pinned there) get zero rows
    (their callers give no error to anything derived from them)."""

    def __init__(self, out: lmfit.minimizer.MinimizerResult, at_bound: set[str]) -> None:
        self.names = list(out.var_names)
        self.covar = None if out.covar is None else np.asarray(out.covar, dtype=float)
        self.at_bound = at_bound

    def block(self, names: list[str]) -> NDArray[np.float64] | None:
        return covariance_block(self.covar, self.names, names, self.at_bound)

    def stderr(self, name: str) -> float | None:
        block = self.block([name])
        if block is None or name not in self.names or name in self.at_bound:
            return None
        return float(np.sqrt(max(block[0, 0], 0.0)))


def _site_tensor(i: int, vals: dict[str, float], cov: _Covariance, small_zeta_ppm: float
                 ) -> tuple[CsaTensor, list[str]]:
    """Site i's tensor with errors from the (δiso, ζ, η²) covariance, and its notes. An input at
    a bound (or η consistent with 0) has no error, nor has anything derived from it."""
    notes: list[str] = []
    names = [f"s{i}_iso_ppm", f"s{i}_zeta_ppm", f"s{i}_eta2"]
    bounded = [n_ for n_ in names if n_ in cov.at_bound]
    for n_ in bounded:
        notes.append(f"{n_.split('_', 1)[1]} = {vals[n_]:.4g} is at a bound of its range: "
                     "no covariance error")
    cov3, eta_note = eta_covariance(cov.block(names), vals[names[2]])
    short = dict(zip(names, ("iso", "zeta", "eta"), strict=True))
    without = {short[n_] for n_ in bounded} | ({"eta"} if eta_note else set())
    if bounded and (lost := _derived_without_error({short[n_] for n_ in bounded})):
        notes.append(f"{', '.join(lost)}: "
                     + derived_bound_note(n_.split("_", 1)[1] for n_ in bounded))
    if eta_note:
        notes.append(eta_note)
    tensor = CsaTensor.from_haeberlen(vals[names[0]], vals[names[1]], vals[f"s{i}_eta"], cov3,
                                      without)
    return tensor, notes + _tensor_notes(tensor, small_zeta_ppm)


def _site_width(i: int, vals: dict[str, float], cov: _Covariance) -> tuple[float, float | None]:
    """FWHM (Hz) of site i's line (the exact Voigt FWHM for two widths) and its error."""
    lo_, ga_ = (vals.get(f"s{i}_{w}_hz", 0.0) for w in ("lorentz", "gauss"))
    names = [f"s{i}_{w}_hz" for w in ("lorentz", "gauss")]
    cov_w = cov.block(names)
    if cov_w is None or any(n_ in cov.at_bound for n_ in names if n_ in cov.names):
        return voigt_fwhm(ga_, lo_), None
    return voigt_fwhm(ga_, lo_), propagate(lambda lw, gw: voigt_fwhm(gw, lw), [lo_, ga_], cov_w)


def _site_results(pb: _Problem, states: list[_SiteState], vals: dict[str, float], cov: _Covariance
                  ) -> list[CsaSiteResult]:
    """Tensors, amplitudes, fractions (errors from the amplitudes' covariance; none when an
    amplitude is at its bound) and widths."""
    n = len(states)
    areas = np.array([vals[f"s{i}_area"] for i in range(n)]) * pb.scale
    area_cov = cov.block([f"s{i}_area" for i in range(n)])
    if area_cov is not None:
        area_cov = area_cov * pb.scale**2
    fracs, frac_err = fractions(areas, area_cov)
    bounded = [f"s{i}_area" for i in range(n) if f"s{i}_area" in cov.at_bound]
    if bounded:  # every fraction involves every area
        frac_err = None
    results = []
    for i, st in enumerate(states):
        tensor, notes = _site_tensor(i, vals, cov, 2 * pb.ax.step)
        if bounded:
            notes.append("fraction: " + derived_bound_note(bounded))
        fwhm, fwhm_err = _site_width(i, vals, cov)
        a_err = cov.stderr(f"s{i}_area")
        results.append(CsaSiteResult(
            st.label, tensor, float(areas[i]), None if a_err is None else a_err * pb.scale,
            float(fracs[i]), None if frac_err is None else float(frac_err[i]), fwhm, fwhm_err,
            vals.get(f"s{i}_lorentz_hz", 0.0), vals.get(f"s{i}_gauss_hz", 0.0), tuple(notes)))
    return results


def _mas_estimate(pb: _Problem, out: lmfit.minimizer.MinimizerResult, cov: _Covariance,
                  fix_mas: bool) -> tuple[float, float | None]:
    """The fitted MAS rate and its error, with a note when it ran into its range."""
    mas = float(out.params["mas_hz"].value)
    if fix_mas:
        return mas, None
    if "mas_hz" in cov.at_bound:
        pb.notes.append(f"the MAS rate ran to the edge of its range (±{100 * MAS_RANGE:g} % of "
                        f"{pb.mas_hz:g} Hz): check the rate given; no error")
    return mas, cov.stderr("mas_hz")


def _estimates(out: lmfit.minimizer.MinimizerResult, pinned: set[str], scale: float
               ) -> dict[str, Estimate]:
    """Every parameter as an :class:`~cald.fitting.Estimate` (the core's bound rule; parameters
    held at the bound they reached count as at that bound, and so does anything tied to them);
    areas and baseline in the spectrum's intensity units."""
    units = {"ppm": "ppm", "hz": "Hz"}
    est = {}
    for name, par in out.params.items():
        unit = units.get(name.rsplit("_", 1)[-1], "")
        tied = {n for n in expression_inputs(out.params, name) if n in pinned} if par.expr else set()
        if name in pinned:
            side: Literal["lower", "upper"] = "lower" if par.value == par.min else "upper"
            e = Estimate(float(par.value), None, unit, note=bound_note(par.min, par.max, side),
                         name=name, bound=side)
        elif tied:
            e = Estimate(float(par.value), None, unit, note=derived_bound_note(tied), name=name,
                         bound="input")
        else:
            e = estimate_of(out.params, name, unit)
        if name.endswith("_area") or name == "baseline":
            e = replace(e, value=e.value * scale, stderr=None if e.stderr is None else e.stderr * scale)
        est[name] = e
    return est


def _correlations(out: lmfit.minimizer.MinimizerResult) -> dict[str, dict[str, float]]:
    """Strong parameter correlations only (|r| > 0.5)."""
    correl = {}
    for name in out.var_names:
        strong = {k: float(v) for k, v in (out.params[name].correl or {}).items() if abs(v) > 0.5}
        if strong:
            correl[name] = strong
    return correl


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
    fix_mas: bool = False,
    integration_density: int = 70,
) -> CsaFitResult:
    """Fit the spinning-sideband manifolds of several spin-1/2 sites in a 1D MAS spectrum.

    Parameters
    ----------
    spectrum
        1D frequency-domain :class:`~cald.spectrum.Spectrum` with a uniform ppm axis (either order;
        the real part is fitted).
    mas_hz
        MAS rate ν_r in Hz: the start of the fitted rate (within ±2 %), or the rate itself with
        ``fix_mas``. A rate off by a few Hz leaves a dispersive residual at every sideband and
        biases η.
    sites
        Isotropic shifts (ppm) or :class:`CsaSite` starts; ``None`` → picked with
        :func:`~cald.lineshape.manifolds.find_manifolds` (``n_sites`` of them, else every manifold
        found, up to 6).
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
    fix_mas
        Hold the MAS rate at ``mas_hz`` instead of fitting it.
    integration_density
        mrsimulator's powder-averaging density (70 is its default).
    """
    t_start = time.perf_counter()
    pb = _prepare(spectrum, mas_hz, nucleus, field_1h_mhz, lineshape, region, noise_sigma, baseline)
    states = _initial_states(pb, sites, n_sites)
    _start_widths(pb, states)
    model, zeta_max = _build_model(pb, states, integration_density)
    _grid_search(model, states, zeta_max, pb.spacing_ppm)
    start = tuple({"iso_ppm": st.iso, "zeta_ppm": st.zeta, "eta": st.eta,
                   "linewidth_hz": st.lorentz + st.gauss} for st in states)
    obj = _Objective(model, states)
    rescale = not pb.noise.known
    out, pinned = _refine(obj, _nonlinear_parameters(pb, states, zeta_max, fix_mas), rescale)
    if _mirrored_starts(out, states):
        again = _refine(obj, _nonlinear_parameters(pb, states, zeta_max, fix_mas,
                                                   out.params["mas_hz"].value), rescale)
        if again[0].chisqr < out.chisqr:
            out, pinned = again
    vals = out.params.valuesdict()
    cov = _Covariance(out, pinned | set(parameters_at_bound(out.params, list(out.var_names))))
    if cov.covar is None:
        pb.notes.append("covariance unavailable (singular Jacobian): the data do not constrain every "
                        "parameter; errors are missing")
    results = _site_results(pb, states, vals, cov)
    mas, mas_err = _mas_estimate(pb, out, cov, fix_mas)
    b, c = obj.basis(vals), obj.amplitudes(vals)
    stats = FitStatistics.from_chisqr(float(out.chisqr), pb.ax.n, int(out.nvarys), pb.noise.known)
    if pb.noise.source == SIGMA_MEASURED and (stats.redchi or 0.0) > 2.0:
        pb.notes.append(f"χ²ᵣ = {stats.redchi:.2g} ≫ 1: the model misses part of the spectrum (more "
                        "sites, a baseline, distributions?) or the noise is correlated; errors are "
                        "too small")
    ax, s = pb.ax, pb.scale
    return CsaFitResult(
        tuple(results), pb.nucleus, pb.nu0_mhz, mas, lineshape, np.asarray(pb.spec.axis, dtype=float),
        ax.to_caller(pb.y), ax.to_caller(b @ c * s),
        ax.to_caller((b[:, :len(states)] * c[:len(states)]).T * s),
        float(c[-1] * s) if baseline else 0.0, pb.sigma if pb.noise.known else None,
        pb.noise.source, model.sim.n_simulations,
        model.n_evaluations, time.perf_counter() - t_start, start, _correlations(out), model.sim.table,
        mas_err, pb.mas_hz, fix_mas, statistics=stats, params=_estimates(out, pinned, pb.scale),
        success=bool(out.success), message=str(out.message), notes=tuple(pb.notes))
