"""Ligand density of oleate-capped quantum dots from a quantitative 1H spectrum with an internal
standard of known concentration.

The standard's signal (:data:`STANDARDS`, or any signal given by its proton count and region) is
integrated numerically over its region, above a straight baseline through the means of the
region's ends, as qNMR integrates. The oleate alkene CH=CH (2 H per oleate, 5.3–5.7 ppm) is
fitted with :func:`cald.lineshape.peaks.fit_peaks` over a wider region (default 6.0–5.1 ppm, so
that the wings of the broad line are fitted too): lines broader than ``free_max_fwhm_hz`` are
bound oleate (tens of Hz to over 100 Hz: slow tumbling with the QD), narrower ones free oleate
or oleic acid. Then

    c_oleate = (A_alkene / 2) / (I_std / N_std) × c_std,
    ligands per QD = c_bound / c_QD,   ligands per nm² = N / (π d²).

Uncertainties: the noise of a processed spectrum is correlated between neighbouring points
(apodization, zero filling), which makes errors computed for independent points too small (by
√κ, κ ≈ 6 for 0.3 Hz line broadening and twofold zero filling). The point noise σ
(:func:`cald.noise.noise_std`) and the correlation ρ between points are measured on the
spectrum's signal-free stretches (:func:`noise_autocorrelation`); the standard's integral error
is σ × step × √(wᵀ R w) with the integral's weights w (:func:`integral_noise`), and the alkene
fit is weighted with σ √κ (the fit's covariance errors then hold for the correlated noise;
χ²ᵣ ≈ 1/κ). The relative errors of c_std and c_QD are added in quadrature when given; the
diameter is taken as exact. On synthetic spectra these errors match the spread of repeated
noise realisations within about 10 % (25 % for the free line, narrower than the noise
correlation makes exact).

Quantitation needs fully relaxed signals: :func:`relaxation_check` compares the relaxation
delay d1 (acqus D1) with 5 T1 — a T1 given by the user, else a typical value
(:data:`TYPICAL_T1_S`, documented there, not measured).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from cald.errors import ParameterError
from cald.fitting import Estimate, covariance_block, fractions
from cald.fitting.display import ResultDisplay
from cald.noise import noise_std, segment_noise
from cald.qd.standards import (
    ALKENE_REGION_PPM,
    FREE_MAX_FWHM_HZ,
    OLEATE_ALKENE_PROTONS,
    STANDARD_HALF_WIDTH_PPM,
    STANDARDS,
    TYPICAL_T1_S,
)
from cald.spectrum import Spectrum

if TYPE_CHECKING:
    from cald.lineshape.peak_result import PeakFitResult

__all__ = ["LigandDensityResult", "QdSolution", "RelaxationCheck", "StandardSignal",
           "correlation_factor", "fit_alkene", "integral_noise", "integral_weights",
           "noise_autocorrelation", "ligand_density", "net_integral", "relaxation_check",
           "standard_signal"]

#: A signal must exceed this many integral σ to count as present.
_SIGNAL_SIGMAS = 5.0
#: Fewer signal-free windows than this: the integral error is computed from the point noise.
_MIN_WINDOWS = 8


@dataclass(frozen=True)
class StandardSignal:
    """The standard as integrated: name, protons, region (high, low ppm) and where the region
    comes from."""

    name: str
    protons: int
    region_ppm: tuple[float, float]
    note: str

    def to_dict(self) -> dict[str, Any]:
        """``name``, ``protons``, ``region_ppm``, ``note``."""
        return {"name": self.name, "protons": self.protons, "region_ppm": list(self.region_ppm),
                "note": self.note}


def standard_signal(name: str | None, solvent: str = "toluene-d8", protons: int | None = None,
                    region_ppm: tuple[float, float] | None = None) -> StandardSignal:
    """The standard's signal from the table (:data:`STANDARDS`) or given by the user.

    Parameters
    ----------
    name
        A key of :data:`STANDARDS`, or any name (or ``None``) for a standard given by
        ``protons`` and ``region_ppm``.
    solvent
        Solvent of the table's shift (one of :data:`cald.qd.standards.SOLVENTS`).
    protons, region_ppm
        Protons of the integrated signal and its region (either order); each overrides the
        table's value.
    """
    std = STANDARDS.get(name or "")
    if std is None and (protons is None or region_ppm is None):
        known = ", ".join(STANDARDS)
        raise ParameterError(f"--standard: unknown standard {name!r}; known: {known} (or give "
                             "--standard-protons and --standard-region)")
    if std is not None and region_ppm is None and solvent not in std.shifts_ppm:
        raise ParameterError(f"--solvent: no shift of {std.name} known in {solvent!r}; known: "
                             f"{', '.join(std.shifts_ppm)} (or give --standard-region)")
    if region_ppm is not None:
        region = (max(region_ppm), min(region_ppm))
        note = "region given"
    else:
        assert std is not None
        shift = std.shifts_ppm[solvent]
        region = (shift + STANDARD_HALF_WIDTH_PPM, shift - STANDARD_HALF_WIDTH_PPM)
        note = f"{shift:g} ppm in {solvent} ± {STANDARD_HALF_WIDTH_PPM:g} ppm; {std.source}"
    n_h = protons if protons is not None else std.protons if std is not None else 0
    return StandardSignal(std.name if std is not None else (name or "user"), int(n_h), region,
                          note)


@dataclass(frozen=True)
class QdSolution:
    """The QDs in the NMR solution: molar concentration (mol/L) with its relative error,
    diameter (nm) and where they come from (``None`` when unknown)."""

    mol_l: float | None = None
    rel_err: float = 0.0
    diameter_nm: float | None = None
    source: str = "given"


@dataclass(frozen=True)
class RelaxationCheck:
    """d1 against 5 T1: the delay (s; ``None`` when the file does not store it), the T1 (s)
    and its source, and whether d1 ≥ 5 T1 (``None`` when d1 is unknown)."""

    d1_s: float | None
    t1_s: float
    t1_source: str
    ok: bool | None

    @property
    def required_s(self) -> float:
        """5 T1 (s)."""
        return 5.0 * self.t1_s

    @property
    def note(self) -> str | None:
        """Why the integrals may not be quantitative, or ``None``."""
        if self.ok is None:
            return (f"d1 is not known (not stored in this file): quantitation needs d1 ≥ 5 T1 = "
                    f"{self.required_s:g} s ({self.t1_source})")
        if not self.ok:
            return (f"d1 = {self.d1_s:g} s is shorter than 5 T1 = {self.required_s:g} s "
                    f"({self.t1_source}): the signals are partly saturated and the integrals are "
                    "not quantitative")
        return None

    def to_dict(self) -> dict[str, Any]:
        """``d1_s``, ``t1_s``, ``t1_source``, ``required_s``, ``ok``."""
        return {"d1_s": self.d1_s, "t1_s": self.t1_s, "t1_source": self.t1_source,
                "required_s": self.required_s, "ok": self.ok}


def relaxation_check(d1_s: float | None, t1_s: float | None = None) -> RelaxationCheck:
    """d1 ≥ 5 T1? With ``t1_s`` ``None`` the longest typical T1 of :data:`TYPICAL_T1_S`.

    The repetition time is d1 plus the acquisition time, so the check on d1 alone errs on the
    safe side."""
    if t1_s is None:
        label, t1 = max(TYPICAL_T1_S.items(), key=lambda kv: kv[1])
        source = f"typical T1 of the {label}, {t1:g} s, assumed; give --t1-s"
    else:
        t1, source = float(t1_s), "T1 given"
    ok = None if d1_s is None else bool(d1_s >= 5.0 * t1)
    return RelaxationCheck(d1_s, t1, source, ok)


# --- integrals --------------------------------------------------------------------------------


def _step(axis: NDArray[np.float64]) -> float:
    return float(np.median(np.abs(np.diff(axis))))


def integral_weights(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Weights w of the net integral Σ w_i y_i × step over a region with axis ``x``: each
    point once, minus a straight baseline through the means of the first and the last twentieth
    (at least 2 points) of the region."""
    n = x.size
    k = max(2, n // 20)
    x1, x2 = float(np.mean(x[:k])), float(np.mean(x[-k:]))
    t = (x - x1) / (x2 - x1) if x2 != x1 else np.full(n, 0.5)
    w = np.ones(n)
    w[:k] -= float(np.sum(1.0 - t)) / k
    w[-k:] -= float(np.sum(t)) / k
    return w


def net_integral(x: NDArray[np.float64], y: NDArray[np.float64], step: float) -> float:
    """Σ (y − baseline) × step over a region (:func:`integral_weights`)."""
    return float(np.dot(integral_weights(x), y) * step)


def _blank_starts(y: NDArray[np.float64], n_points: int, sigma: float) -> list[int]:
    """Starts of the non-overlapping windows of ``n_points`` that hold no signal: their spread
    about a straight line is within 1.5 × the point noise ``sigma``."""
    idx = np.arange(n_points)
    starts = []
    for start in range(0, y.size - n_points + 1, n_points):
        seg = y[start:start + n_points]
        if np.std(seg - np.polyval(np.polyfit(idx, seg, 1), idx)) <= 1.5 * sigma:
            starts.append(start)
    return starts


def noise_autocorrelation(spec: Spectrum, window_points: int = 512,
                          max_lag: int = 128) -> NDArray[np.float64]:
    """ρ(k), k = 0 … the last positive lag: the autocorrelation of the noise between
    neighbouring points of a processed spectrum (apodization and zero filling correlate them).

    Measured on the signal-free windows of ``window_points`` (straight line removed) and cut at
    its first non-positive value (at most ``max_lag``); ``[1.0]`` (white noise) when fewer than
    8 such windows exist."""
    y = np.real(np.asarray(spec.values)).astype(float)
    starts = _blank_starts(y, window_points, segment_noise(y))
    if len(starts) < _MIN_WINDOWS:
        return np.ones(1)
    idx = np.arange(window_points)
    acov = np.zeros(max_lag + 1)
    for start in starts:
        seg = y[start:start + window_points]
        r = seg - np.polyval(np.polyfit(idx, seg, 1), idx)
        acov += [float(np.mean(r[:window_points - k] * r[k:])) for k in range(max_lag + 1)]
    rho = acov / acov[0]
    stop = np.flatnonzero(rho[1:] <= 0)
    return rho[:int(stop[0]) + 1] if stop.size else rho


def correlation_factor(rho: NDArray[np.float64]) -> float:
    """κ = Σ_k ρ(|k|): how much more a sum of many neighbouring points varies than a sum of
    independent ones (1 for white noise)."""
    return float(rho[0] + 2.0 * np.sum(rho[1:]))


def integral_noise(x: NDArray[np.float64], sigma: float, rho: NDArray[np.float64],
                   step: float) -> float:
    """Standard error of :func:`net_integral` over the points ``x``: σ × step × √(wᵀ R w), with
    w the integral's weights and R the noise correlation between points (ρ of
    :func:`noise_autocorrelation`)."""
    w = integral_weights(x)
    var = float(np.dot(w, w))
    for k in range(1, min(rho.size, w.size)):
        var += 2.0 * float(rho[k]) * float(np.dot(w[:-k], w[k:]))
    return sigma * step * math.sqrt(max(var, 0.0))


def _region_points(spec: Spectrum, region: tuple[float, float], what: str,
                   min_points: int = 8) -> NDArray[np.bool_]:
    mask = spec.region_mask(*region)
    if int(mask.sum()) < min_points:
        lo, hi = float(np.min(spec.axis)), float(np.max(spec.axis))
        raise ParameterError(f"{what} {max(region):g}:{min(region):g} ppm lies outside the "
                             f"spectrum ({hi:g} to {lo:g} ppm) or holds fewer than {min_points} "
                             "points", spec.source)
    return mask


# --- the result -------------------------------------------------------------------------------


def _estimate_dict(prefix: str, est: Estimate | None) -> dict[str, Any]:
    if est is None:
        return {prefix: None, f"{prefix}_err": None}
    return {prefix: est.value, f"{prefix}_err": est.stderr}


@dataclass(frozen=True)
class LigandDensityResult(ResultDisplay):
    """Bound and free oleate, ligands per QD and per nm², with their errors.

    Concentrations are in mol/L (``to_dict`` gives mM and µM); ``ligands_per_qd`` and
    ``ligands_per_nm2`` are ``None`` without a QD concentration or a diameter.
    """

    source: str | None
    standard: StandardSignal
    standard_mol_l: float
    standard_rel_err: float
    standard_integral: Estimate
    integral_noise_source: str
    fit: PeakFitResult
    labels: tuple[str, ...]
    bound_area: Estimate
    free_area: Estimate
    bound_mol_l: Estimate
    free_mol_l: Estimate
    total_mol_l: Estimate
    bound_fraction: Estimate
    free_fraction: Estimate
    qd: QdSolution
    ligands_per_qd: Estimate | None
    ligands_per_nm2: Estimate | None
    relaxation: RelaxationCheck
    free_max_fwhm_hz: float
    sf_mhz: float
    ligand_protons: int
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON keys of ``cald ligands density``."""
        mm = 1e3
        out: dict[str, Any] = {"source": self.source}
        out.update(_estimate_dict("ligands_per_qd", self.ligands_per_qd))
        out.update(_estimate_dict("ligands_per_nm2", self.ligands_per_nm2))
        for name, est in (("bound_mm", self.bound_mol_l), ("free_mm", self.free_mol_l),
                          ("total_mm", self.total_mol_l)):
            out[name] = est.value * mm
            out[f"{name}_err"] = None if est.stderr is None else est.stderr * mm
        out.update(_estimate_dict("bound_fraction", self.bound_fraction))
        out.update(_estimate_dict("free_fraction", self.free_fraction))
        out["standard"] = {**self.standard.to_dict(), "mm": self.standard_mol_l * mm,
                           "rel_err": self.standard_rel_err,
                           "integral": self.standard_integral.value,
                           "integral_err": self.standard_integral.stderr,
                           "integral_err_source": self.integral_noise_source}
        out["qd_um"] = None if self.qd.mol_l is None else self.qd.mol_l * 1e6
        out["qd_rel_err"] = self.qd.rel_err
        out["diameter_nm"] = self.qd.diameter_nm
        out["qd_source"] = self.qd.source
        peaks = []
        for label, pk in zip(self.labels, self.fit.peaks, strict=True):
            peaks.append({"label": label, "center_ppm": pk.center, "center_ppm_err": pk.center_err,
                          "fwhm_hz": pk.fwhm * self.sf_mhz,
                          "fwhm_hz_err": None if pk.fwhm_err is None else pk.fwhm_err * self.sf_mhz,
                          "area": pk.area, "area_err": pk.area_err})
        stats = self.fit.statistics
        out["alkene"] = {"region_ppm": [max(self.fit.region), min(self.fit.region)],
                         "protons": self.ligand_protons, "shape": self.fit.shape,
                         "free_max_fwhm_hz": self.free_max_fwhm_hz,
                         "bound_area": self.bound_area.value, "bound_area_err": self.bound_area.stderr,
                         "free_area": self.free_area.value, "free_area_err": self.free_area.stderr,
                         "peaks": peaks, "redchi": stats.redchi, "residual_std": stats.residual_std,
                         "sigma_source": self.fit.sigma_source}
        out["d1_check"] = self.relaxation.to_dict()
        out["notes"] = list(self.notes)
        return out

    def report(self) -> str:
        """A few readable lines."""
        def fmt(est: Estimate | None, scale: float = 1.0, unit: str = "") -> str:
            if est is None:
                return "n/a"
            text = f"{est.value * scale:.4g}"
            if est.stderr is not None:
                text += f" ± {est.stderr * scale:.2g}"
            return f"{text} {unit}".rstrip()

        std = self.standard
        lines = [f"standard       {std.name}, {std.protons} H, {std.region_ppm[0]:g}–"
                 f"{std.region_ppm[1]:g} ppm, {self.standard_mol_l * 1e3:g} mM",
                 f"bound oleate   {fmt(self.bound_mol_l, 1e3, 'mM')} (fraction "
                 f"{fmt(self.bound_fraction)})",
                 f"free oleate    {fmt(self.free_mol_l, 1e3, 'mM')} (fraction "
                 f"{fmt(self.free_fraction)})",
                 f"ligands per QD {fmt(self.ligands_per_qd)}",
                 f"ligands / nm²  {fmt(self.ligands_per_nm2)}"]
        if self.qd.mol_l is not None:
            lines.append(f"QDs            {self.qd.mol_l * 1e6:.4g} µM ({self.qd.source})")
        if self.qd.diameter_nm is not None:
            lines.append(f"diameter       {self.qd.diameter_nm:.3g} nm")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


# --- the analysis -----------------------------------------------------------------------------


def ligand_density(spec: Spectrum, standard: StandardSignal, standard_mol_l: float, *,
                   region_ppm: tuple[float, float] = ALKENE_REGION_PPM, n_peaks: int = 2,
                   shape: str = "lorentzian", centers: Sequence[float] | None = None,
                   qd: QdSolution | None = None, standard_rel_err: float = 0.0,
                   t1_s: float | None = None, free_max_fwhm_hz: float = FREE_MAX_FWHM_HZ,
                   sf_mhz: float | None = None,
                   ligand_protons: int = OLEATE_ALKENE_PROTONS) -> LigandDensityResult:
    """Bound and free oleate concentrations, ligands per QD and per nm² (pure; no I/O).

    Parameters
    ----------
    spec
        The processed 1H spectrum (ppm axis); ``spec.meta["d1_s"]`` is the relaxation delay
        when the file stores it.
    standard
        The standard's signal (:func:`standard_signal`).
    standard_mol_l
        Concentration of the standard in the NMR solution (mol/L).
    region_ppm, n_peaks, shape, centers
        The alkene fit (:func:`fit_alkene`): region (either order), number of lines (bound and
        free), line shape, optional starting centres (ppm).
    qd
        QD concentration and diameter (``None``: ligands per QD and per nm² not computed).
    standard_rel_err
        Relative standard error of ``standard_mol_l``.
    t1_s
        The longest T1 of the integrated signals (s); default typical (:data:`TYPICAL_T1_S`).
    free_max_fwhm_hz
        Lines narrower than this are free oleate, broader ones bound.
    sf_mhz
        Spectrometer frequency for the widths in Hz when the spectrum does not carry one.
    ligand_protons
        Protons per ligand in the fitted signal (2 for the oleate CH=CH).
    """
    src = spec.source
    if spec.unit != "ppm":
        raise ParameterError(f"the spectrum's axis is in {spec.unit}, not ppm", src)
    if spec.nucleus not in (None, "1H"):
        raise ParameterError(f"a 1H spectrum is needed, this one is {spec.nucleus}", src)
    sf = spec.sf_mhz if spec.sf_mhz else sf_mhz
    if not sf:
        raise ParameterError("the spectrometer frequency is not stored in the file: give "
                             "--field-1h-mhz (lines are told bound or free by their width in Hz)",
                             src)
    if not standard_mol_l > 0:
        raise ParameterError(f"--standard-mm must be positive, got {standard_mol_l * 1e3:g}")
    qd = qd or QdSolution(source="not given")
    notes: list[str] = []

    # the standard: numeric integral above a straight baseline
    mask = _region_points(spec, standard.region_ppm, "standard region")
    x = np.asarray(spec.axis, dtype=float)[mask]
    y = np.real(np.asarray(spec.values))[mask].astype(float)
    step = _step(np.asarray(spec.axis, dtype=float))
    sigma = noise_std(spec)
    rho = noise_autocorrelation(spec)
    kappa = correlation_factor(rho)
    i_std = net_integral(x, y, step)
    i_std_err = integral_noise(x, sigma, rho, step)
    noise_source = (f"point noise σ = {sigma:.4g} with the measured correlation between points "
                    f"(κ = {kappa:.3g})")
    if not i_std > _SIGNAL_SIGMAS * i_std_err:
        raise ParameterError(f"no signal in the standard region {standard.region_ppm[0]:g}:"
                             f"{standard.region_ppm[1]:g} ppm (integral {i_std:.3g} ± "
                             f"{i_std_err:.2g}); give --standard-region where {standard.name} "
                             "lies", src)
    std_integral = Estimate(i_std, i_std_err, name="standard integral")
    notes.append(f"standard {standard.name}: {standard.note}")

    # the alkene lines: bound (broad) and free (sharp) by width
    fit = fit_alkene(spec, region_ppm, n_peaks, shape, centers, sigma=sigma * math.sqrt(kappa))
    if kappa > 1.0:
        notes.append(f"alkene fit weighted with the point noise × √κ, κ = {kappa:.3g} (noise "
                     "correlated between neighbouring points by the processing): χ²ᵣ ≈ 1/κ "
                     "expected")
    widths_hz = [pk.fwhm * sf for pk in fit.peaks]
    labels = tuple("free" if w < free_max_fwhm_hz else "bound" for w in widths_hz)
    names = [f"p{i}_area" for i in range(len(fit.peaks))]
    cov = covariance_block(fit.covar, fit.var_names, names)
    groups = np.array([[1.0 if lab == kind else 0.0 for lab in labels]
                       for kind in ("bound", "free")])
    areas = groups @ np.array([pk.area for pk in fit.peaks])
    area_errs_missing = [pk.area_err is None for pk in fit.peaks]
    cov_g = None if cov is None or any(area_errs_missing) else groups @ cov @ groups.T
    no_err = ("the alkene fit gives no error for an area (at a bound, or no covariance): "
              "no error")

    def area_est(k: int, name: str) -> Estimate:
        if cov_g is None:
            return Estimate(float(areas[k]), None, note=no_err, name=name)
        return Estimate(float(areas[k]), float(math.sqrt(max(cov_g[k, k], 0.0))), name=name)

    bound_area, free_area = area_est(0, "bound area"), area_est(1, "free area")
    if "bound" not in labels:
        notes.append(f"no alkene line broader than {free_max_fwhm_hz:g} Hz: no bound oleate "
                     "found")
    frac, frac_err = fractions(areas, cov_g)
    bound_fraction = Estimate(float(frac[0]), None if frac_err is None else float(frac_err[0]),
                              note=None if frac_err is not None else no_err, name="bound fraction")
    free_fraction = Estimate(float(frac[1]), None if frac_err is None else float(frac_err[1]),
                             note=None if frac_err is not None else no_err, name="free fraction")

    # concentrations: c = (A / 2) / (I_std / N_std) × c_std
    per_area = standard.protons / ligand_protons / i_std * standard_mol_l
    rel_std = math.hypot(i_std_err / i_std, standard_rel_err)

    def conc(area: Estimate, name: str) -> Estimate:
        c = area.value * per_area
        if area.stderr is None:
            return Estimate(c, None, "mol/L", note=no_err, name=name)
        return Estimate(c, math.hypot(area.stderr * per_area, c * rel_std), "mol/L", name=name)

    total_area = Estimate(float(areas.sum()),
                          None if cov_g is None else float(math.sqrt(max(cov_g.sum(), 0.0))))
    if total_area.stderr is not None and not total_area.value > _SIGNAL_SIGMAS * total_area.stderr:
        notes.append(f"the alkene lines hold no signal above {_SIGNAL_SIGMAS:g}σ")
    bound_mol_l = conc(bound_area, "bound")
    free_mol_l = conc(free_area, "free")
    total_mol_l = conc(total_area, "total")

    per_qd = per_nm2 = None
    if qd.mol_l is None:
        notes.append("no QD concentration (give --qd-um, or --uvvis with --path-cm): no ligands "
                     "per QD")
    else:
        n = bound_mol_l.value / qd.mol_l
        n_err = None if bound_mol_l.stderr is None else math.hypot(bound_mol_l.stderr / qd.mol_l,
                                                                   n * qd.rel_err)
        per_qd = Estimate(n, n_err, "", note=bound_mol_l.note, name="ligands per QD")
        if qd.diameter_nm is None:
            notes.append("no QD diameter (give --diameter-nm or --uvvis): no ligands per nm²")
        else:
            area_nm2 = math.pi * qd.diameter_nm**2
            per_nm2 = Estimate(per_qd.value / area_nm2,
                               None if per_qd.stderr is None else per_qd.stderr / area_nm2,
                               "nm^-2", note=per_qd.note, name="ligands per nm²")
            notes.append("ligands per nm² = N / (π d²), sphere of diameter d taken as exact")
    relax = relaxation_check(spec.meta.get("d1_s"), t1_s)
    if relax.note is not None:
        notes.append(relax.note)
    notes.extend(fit.notes)
    return LigandDensityResult(src, standard, standard_mol_l, standard_rel_err, std_integral,
                               noise_source, fit, labels, bound_area, free_area, bound_mol_l,
                               free_mol_l, total_mol_l, bound_fraction, free_fraction, qd,
                               per_qd, per_nm2, relax, free_max_fwhm_hz, float(sf),
                               ligand_protons, tuple(notes))


def fit_alkene(spec: Spectrum, region_ppm: tuple[float, float] = ALKENE_REGION_PPM,
               n_peaks: int = 2, shape: str = "lorentzian",
               centers: Sequence[float] | None = None,
               sigma: float | None = None) -> PeakFitResult:
    """The alkene lines of ``spec``: :func:`cald.lineshape.peaks.fit_peaks` over
    ``region_ppm`` with a linear baseline and noise ``sigma`` (default measured on the
    spectrum); a region outside the spectrum is an error naming the file."""
    from cald.lineshape.peaks import fit_peaks

    _region_points(spec, region_ppm, "alkene region")
    return fit_peaks(spec, region_ppm, n_peaks=None if centers is not None else n_peaks,
                     shape=shape, centers=centers, baseline="linear", sigma=sigma)
