"""FTIR of carboxylate-capped nanocrystals: baseline, carboxylate bands, binding mode, band areas.

Steps of :func:`analyze_ftir` on an absorbance spectrum (:func:`cald.io.ir.read_ir`):

1. **Baseline**: arPLS (asymmetrically reweighted penalised least squares, Baek et al., Analyst
   140, 250 (2015); ``pybaselines.whittaker.arpls``) over the whole spectrum. Chosen over AsLS
   because its weights follow the noise level (no asymmetry ``p`` to tune) and, with a stiff
   λ, it passes under the broad O–H (3000–3600 cm⁻¹) and Al–O–Al (450–750 cm⁻¹) bands whose
   areas are wanted: on a synthetic spectrum with a sloped, curved baseline it kept 97 % of
   both areas where AsLS (λ = 10⁸, p = 0.01) and a cubic ``imodpoly`` kept 57–78 %. λ is given for a
   1 cm⁻¹ point spacing and scaled by (1 cm⁻¹/Δν̃)⁴ to the data's spacing (the second-difference
   penalty of the same curve scales with the fourth power of the spacing), so one value suits
   spectra sampled at 0.5, 1 or 2 cm⁻¹.
2. **Bands** in the fitting region (default 1350–1750 cm⁻¹) with the shared peak fit
   (:func:`cald.lineshape.peaks.fit_peaks`, Gaussian or Voigt lines, a linear baseline on top of
   the arPLS one): ν_as(COO⁻), ν_s(COO⁻) and the CH2 scissor (≈ 1465 cm⁻¹) always; a bridging
   ν_as shoulder (≈ 1550–1600 cm⁻¹, the study's ≈ 1550) and the free-acid C=O (≈ 1710 cm⁻¹) only
   when the data need them: BIC lower by ``bic_threshold``, centre inside its window, area above
   3σ. Each required band must end inside its window, else "no carboxylate band found".
3. **Binding mode** from Δ = ν_as − ν_s (error from the fit covariance), with
   :class:`BindingThresholds`.
4. **Band areas** of the baseline-corrected spectrum (trapezoid): Al–O–Al 450–750, O–H
   3000–3600 and the CH2 stretch 2800–3000 cm⁻¹, the first two also per CH2-stretch area for
   comparing samples (the ligand chain is the internal standard: the study's bands at 2844 and
   2920 cm⁻¹ stay unaltered by c-ALD). Errors: the noise σ of the corrected spectrum propagated
   through the trapezoid weights; the baseline's own uncertainty is not included.

Numbers behind the defaults (:class:`BindingThresholds`):

* Deacon & Phillips, Coord. Chem. Rev. 33, 227 (1980): relative to the ionic (sodium) salt,
  monodentate Δ > Δ_ionic, chelating Δ ≪ Δ_ionic, bridging Δ < Δ_ionic but close to it.
* The study (seed paper, Figure 3b): Δ ≈ 100 cm⁻¹ for chelating oleate on CdSe before and after
  c-ALD, Δ > 250 cm⁻¹ monodentate / free oleic acid, bridging shoulder ≈ 1550 cm⁻¹.
* Absolute ranges used without an ionic reference — chelating < 110, bridging 140–200,
  monodentate > 200 cm⁻¹ — are the rule of thumb usually credited to Nara, Torii & Tasumi,
  J. Phys. Chem. 100, 19812 (1996) (**not checked against the paper here**). Sodium oleate, the
  natural ionic reference for oleate, is commonly quoted with Δ ≈ 140–160 cm⁻¹ (**unverified**;
  measure the reference with the same instrument and give it as ``ionic_delta_cm1``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cald.errors import DataFileError, ParameterError
from cald.fitting import Estimate, covariance_block, derived_estimate, fractions
from cald.fitting.display import ResultDisplay
from cald.lineshape.peak_result import PeakEstimate, PeakFitResult
from cald.spectrum import Spectrum

__all__ = ["BAND_REGIONS_CM1", "BandArea", "BindingThresholds", "FtirResult", "analyze_ftir",
           "arpls_baseline", "band_area"]

#: Integrated regions (cm⁻¹): Al–O–Al, O–H and the CH2 stretch (the study's Figure 3b).
BAND_REGIONS_CM1: dict[str, tuple[float, float]] = {
    "al_o_al": (450.0, 750.0), "o_h": (3000.0, 3600.0), "ch2_stretch": (2800.0, 3000.0)}
#: Largest FWHM (cm⁻¹) an optional band may take and still count as a band, not a baseline.
MAX_OPTIONAL_FWHM_CM1 = 100.0
#: Names of the fitted components, in fit order.
NU_AS, NU_S, SCISSOR, BRIDGING, ACID = "nu_as", "nu_s", "ch2_scissor", "bridging", "acid_co"


@dataclass(frozen=True)
class BindingThresholds:
    """Δ limits of the carboxylate binding modes (cm⁻¹), see the module docstring for sources.

    Without ``ionic_delta_cm1``: chelating Δ < ``chelating_max_cm1``, bridging
    ``bridging_min_cm1`` ≤ Δ ≤ ``monodentate_min_cm1``, monodentate above, and "chelating or
    bridging" between the first two limits. With it (Deacon–Phillips): chelating Δ <
    Δ_ionic − margin, bridging within ± margin of Δ_ionic, monodentate Δ > Δ_ionic + margin.
    """

    chelating_max_cm1: float = 110.0
    bridging_min_cm1: float = 140.0
    monodentate_min_cm1: float = 200.0
    ionic_delta_cm1: float | None = None
    ionic_margin_cm1: float = 30.0

    def __post_init__(self) -> None:
        limits = (self.chelating_max_cm1, self.bridging_min_cm1, self.monodentate_min_cm1)
        if not all(np.isfinite(v) and v > 0 for v in limits) or list(limits) != sorted(limits):
            raise ParameterError("Δ thresholds must be positive and ordered: chelating max ≤ "
                                 f"bridging min ≤ monodentate min, got {limits}")
        if self.ionic_delta_cm1 is not None and not (np.isfinite(self.ionic_delta_cm1)
                                                     and self.ionic_delta_cm1 > 0):
            raise ParameterError(f"ionic Δ must be positive, got {self.ionic_delta_cm1}")
        if not (np.isfinite(self.ionic_margin_cm1) and self.ionic_margin_cm1 >= 0):
            raise ParameterError(f"ionic margin must be ≥ 0, got {self.ionic_margin_cm1}")

    def limits(self) -> list[tuple[float, str, str]]:
        """(limit, mode below, mode above) in increasing order."""
        if self.ionic_delta_cm1 is not None:
            lo = self.ionic_delta_cm1 - self.ionic_margin_cm1
            hi = self.ionic_delta_cm1 + self.ionic_margin_cm1
            return [(lo, "chelating", "bridging"), (hi, "bridging", "monodentate")]
        return [(self.chelating_max_cm1, "chelating", "chelating or bridging"),
                (self.bridging_min_cm1, "chelating or bridging", "bridging"),
                (self.monodentate_min_cm1, "bridging", "monodentate")]

    def classify(self, delta_cm1: float) -> str:
        """The binding mode of a carboxylate with this Δ.

        Examples
        --------
        >>> from cald.surface.ftir import BindingThresholds
        >>> [BindingThresholds().classify(delta) for delta in (100.0, 160.0, 250.0)]
        ['chelating', 'bridging', 'monodentate']
        >>> BindingThresholds(ionic_delta_cm1=150.0).classify(160.0)
        'bridging'
        """
        mode = self.limits()[0][1]
        for limit, _, above in self.limits():
            if delta_cm1 > limit or (delta_cm1 == limit and above != "monodentate"):
                mode = above
        return mode

    def rule(self) -> str:
        """The rule applied, in words."""
        if self.ionic_delta_cm1 is not None:
            return (f"relative to the ionic reference Δ = {self.ionic_delta_cm1:g} cm⁻¹ "
                    f"(Deacon–Phillips, ± {self.ionic_margin_cm1:g} cm⁻¹)")
        return (f"chelating < {self.chelating_max_cm1:g}, bridging {self.bridging_min_cm1:g}–"
                f"{self.monodentate_min_cm1:g}, monodentate > {self.monodentate_min_cm1:g} cm⁻¹")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary of the limits."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class BandArea:
    """An integrated band of the baseline-corrected spectrum.

    Attributes
    ----------
    name
        ``al_o_al``, ``o_h`` or ``ch2_stretch``.
    region_cm1
        (low, high) limits asked for; ``covered_cm1`` the part the data cover (``None``: none).
    area, area_err
        ∫A dν̃ (cm⁻¹) and its standard error from the noise; ``None`` when not covered.
    per_ch2, per_ch2_err
        area / CH2-stretch area and its error (``None`` without both areas).
    """

    name: str
    region_cm1: tuple[float, float]
    covered_cm1: tuple[float, float] | None
    area: float | None
    area_err: float | None
    per_ch2: float | None = None
    per_ch2_err: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"region_cm1": list(self.region_cm1),
                "covered_cm1": None if self.covered_cm1 is None else list(self.covered_cm1),
                "area": self.area, "area_err": self.area_err, "per_ch2": self.per_ch2,
                "per_ch2_err": self.per_ch2_err}


@dataclass(frozen=True)
class FtirResult(ResultDisplay):
    """Carboxylate bands, binding mode and band areas of one FTIR spectrum.

    Attributes
    ----------
    nu_as, nu_s, delta
        ν_as, ν_s of the main carboxylate pair and Δ = ν_as − ν_s (cm⁻¹) as estimates.
    mode
        Binding mode from Δ (:meth:`BindingThresholds.classify`).
    thresholds
        The limits used.
    components
        Fitted band name → line (``nu_as``, ``nu_s``, ``ch2_scissor``, optionally ``bridging``,
        ``acid_co``).
    bridging_fraction
        Area of the bridging shoulder / (its area + ν_as area), or ``None`` without one.
    bridging_delta
        Bridging ν_as − ν_s (cm⁻¹; the bridging pair's ν_s is not resolved from the main one).
    band_areas
        Integrated bands (:data:`BAND_REGIONS_CM1`).
    fit
        The peak fit of the carboxylate region.
    corrected
        Absorbance minus the arPLS baseline (ascending cm⁻¹), ``baseline`` the baseline.
    ch2_height
        Tallest corrected absorbance in the CH2-stretch region (``None`` outside the data): the
        scale of spectra compared across samples.
    noise_sd
        Noise σ of the corrected spectrum (absorbance units).
    lam
        The arPLS λ used (for the data's spacing), from ``lam_1cm`` given for 1 cm⁻¹.
    """

    nu_as: Estimate
    nu_s: Estimate
    delta: Estimate
    mode: str
    thresholds: BindingThresholds
    components: Mapping[str, PeakEstimate]
    bridging_fraction: Estimate | None
    bridging_delta: Estimate | None
    band_areas: tuple[BandArea, ...]
    fit: PeakFitResult
    corrected: Spectrum
    baseline: NDArray[np.float64]
    ch2_height: float | None
    noise_sd: float
    lam: float
    lam_1cm: float
    source: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def curves(self) -> dict[str, Spectrum]:
        """``data`` (the baseline-corrected absorbance), the carboxylate fit and its bands."""
        fit = {k: v for k, v in self.fit.curves().items() if k not in ("data", "residual")}
        return {"data": self.corrected, **fit}

    def normalised_spectrum(self) -> NDArray[np.float64] | None:
        """The corrected absorbance divided by :attr:`ch2_height` (``None`` without it)."""
        if self.ch2_height is None or not self.ch2_height > 0:
            return None
        return np.asarray(self.corrected.values, dtype=float) / self.ch2_height

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary: ``carboxylate`` ``{nu_as, nu_s, delta, mode}`` (cm⁻¹) with
        their errors, ``bridging``, ``components`` (centre, FWHM in cm⁻¹ and area in
        absorbance·cm⁻¹ per band; not the derived heights, whose last digit varies between
        processes), ``band_areas``, fit statistics, baseline and notes."""
        fit = self.fit.to_dict()
        bridging = None
        if BRIDGING in self.components:
            b = self.components[BRIDGING]
            assert self.bridging_fraction is not None and self.bridging_delta is not None
            bridging = {"nu_as": b.center, "nu_as_err": b.center_err,
                        "fraction": self.bridging_fraction.value,
                        "fraction_err": self.bridging_fraction.stderr,
                        "delta": self.bridging_delta.value,
                        "delta_err": self.bridging_delta.stderr}
        return {
            "carboxylate": {"nu_as": self.nu_as.value, "nu_as_err": self.nu_as.stderr,
                            "nu_s": self.nu_s.value, "nu_s_err": self.nu_s.stderr,
                            "delta": self.delta.value, "delta_err": self.delta.stderr,
                            "mode": self.mode, "unit": "cm-1", "rule": self.thresholds.rule(),
                            "thresholds": self.thresholds.to_dict()},
            "bridging": bridging,
            "components": [{"name": name, "center_cm1": p.center, "center_cm1_err": p.center_err,
                            "fwhm_cm1": p.fwhm, "fwhm_cm1_err": p.fwhm_err, "area_cm1": p.area,
                            "area_cm1_err": p.area_err, "notes": list(p.notes)}
                           for name, p in self.components.items()],
            "band_areas": {a.name: a.to_dict() for a in self.band_areas},
            "ch2_height": self.ch2_height,
            "noise_sd": self.noise_sd,
            "baseline": {"method": "arpls", "lam_1cm": self.lam_1cm, "lam": self.lam},
            "fit": {k: fit[k] for k in ("shape", "region", "redchi", "residual_std", "chisqr",
                                        "bic", "n_points", "n_varys", "sigma", "sigma_source",
                                        "success")},
            "source": self.source,
            "notes": list(self.notes),
        }

    def report(self) -> str:
        """Short human-readable summary."""
        lines = [f"FTIR carboxylate: ν_as {_pm(self.nu_as)}, ν_s {_pm(self.nu_s)}, "
                 f"Δ {_pm(self.delta)} cm⁻¹ → {self.mode} ({self.thresholds.rule()})"]
        if BRIDGING in self.components and self.bridging_fraction is not None:
            b = self.components[BRIDGING]
            lines.append(f"  bridging shoulder at {b.center:.1f} cm⁻¹: "
                         f"{_pm(self.bridging_fraction, '.3f')} of the ν_as area")
        for name, p in self.components.items():
            lines.append(f"  {name:12s} {p.center:8.1f} cm⁻¹  FWHM {p.fwhm:6.1f}  area "
                         f"{p.area:.4g}")
        for a in self.band_areas:
            if a.area is None:
                lines.append(f"  {a.name}: outside the data")
                continue
            text = f"  {a.name} area {a.area:.4g} ± {a.area_err or 0:.2g} cm⁻¹"
            if a.per_ch2 is not None:
                text += f", per CH2 stretch {a.per_ch2:.4g} ± {a.per_ch2_err or 0:.2g}"
            lines.append(text)
        lines.append(f"  fit: {self.fit.statistics.quality()}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def _pm(est: Estimate, fmt: str = ".1f") -> str:
    return f"{est.value:{fmt}}" + ("" if est.stderr is None else f" ± {est.stderr:{fmt}}")


def arpls_baseline(spec: Spectrum, lam_1cm: float) -> tuple[NDArray[np.float64], float]:
    """arPLS baseline of an ascending cm⁻¹ spectrum and the λ used for its spacing.

    Parameters
    ----------
    spec
        Absorbance against wavenumber (ascending).
    lam_1cm
        Smoothness λ for a 1 cm⁻¹ spacing; scaled by (1 cm⁻¹/Δν̃)⁴ with Δν̃ the median spacing.
    """
    from pybaselines import Baseline

    if not (np.isfinite(lam_1cm) and lam_1cm > 0):
        raise ParameterError(f"baseline λ must be positive, got {lam_1cm}")
    x = np.asarray(spec.axis, dtype=float)
    step = float(np.median(np.diff(x)))
    lam = float(lam_1cm / step**4)
    base, _ = Baseline(x).arpls(np.asarray(spec.values, dtype=float), lam=lam)
    return np.asarray(base, dtype=float), lam


def band_area(x_cm1: NDArray[np.float64], y: NDArray[np.float64], region_cm1: tuple[float, float],
              sigma: float) -> tuple[float, float, tuple[float, float]] | None:
    """Trapezoid integral of ``y`` over the points inside ``region_cm1`` (ascending ``x_cm1``),
    its standard error for white noise σ (σ √Σ wᵢ², wᵢ the trapezoid weights) and the range
    covered; ``None`` when fewer than two points lie inside."""
    lo, hi = min(region_cm1), max(region_cm1)
    mask = (x_cm1 >= lo) & (x_cm1 <= hi)
    if np.count_nonzero(mask) < 2:
        return None
    x, v = x_cm1[mask], y[mask]
    dx = np.diff(x)
    weights = np.zeros(x.size)
    weights[:-1] += dx / 2
    weights[1:] += dx / 2
    return (float(weights @ v), float(sigma * np.sqrt(np.sum(weights**2))),
            (float(x[0]), float(x[-1])))


def _window_start(x: NDArray[np.float64], y: NDArray[np.float64],
                  window: tuple[float, float]) -> tuple[float, bool]:
    """Start centre in a window: its tallest point, and whether that is an interior maximum."""
    lo, hi = min(window), max(window)
    mask = (x >= lo) & (x <= hi)
    if np.count_nonzero(mask) < 3:
        return 0.5 * (lo + hi), False
    idx = np.flatnonzero(mask)
    top = int(idx[np.argmax(y[idx])])
    return float(x[top]), idx[0] < top < idx[-1]


def _fit(spec: Spectrum, region: tuple[float, float], bands: dict[str, float],
         shape: str) -> PeakFitResult:
    """The shared peak fit at these starting centres (σ measured on the spectrum)."""
    from cald.lineshape.peaks import fit_peaks

    return fit_peaks(spec, region, centers=list(bands.values()), shape=shape, baseline="linear")


def _significant(p: PeakEstimate, window: tuple[float, float]) -> bool:
    lo, hi = min(window), max(window)
    return (lo <= p.center <= hi and p.area_err is not None and p.area > 3.0 * p.area_err
            and p.fwhm <= MAX_OPTIONAL_FWHM_CM1)


def analyze_ftir(spec: Spectrum, *, fit_region_cm1: tuple[float, float] = (1350.0, 1750.0),
                 shape: str = "gaussian", lam_1cm: float = 1e9,
                 nu_as_window_cm1: tuple[float, float] = (1500.0, 1680.0),
                 nu_s_window_cm1: tuple[float, float] = (1360.0, 1458.0),
                 scissor_cm1: float = 1465.0,
                 bridging_window_cm1: tuple[float, float] = (1545.0, 1600.0),
                 acid_window_cm1: tuple[float, float] = (1690.0, 1740.0),
                 thresholds: BindingThresholds | None = None, bic_threshold: float = 10.0,
                 band_regions_cm1: Mapping[str, tuple[float, float]] | None = None
                 ) -> FtirResult:
    """Baseline, carboxylate bands, binding mode and band areas of an FTIR spectrum.

    Parameters
    ----------
    spec
        Absorbance against wavenumber (``cm-1``), e.g. from :func:`cald.io.ir.read_ir`.
    fit_region_cm1
        Region of the band fit (cm⁻¹, either order); must lie inside the data.
    shape
        ``gaussian`` or ``voigt`` lines.
    lam_1cm
        arPLS λ for a 1 cm⁻¹ spacing (:func:`arpls_baseline`).
    nu_as_window_cm1, nu_s_window_cm1
        Where ν_as and ν_s of the main carboxylate pair must lie (cm⁻¹).
    scissor_cm1
        Starting centre of the CH2 scissor (cm⁻¹).
    bridging_window_cm1, acid_window_cm1
        Windows of the optional bridging ν_as shoulder and free-acid C=O (cm⁻¹).
    thresholds
        Δ limits of the binding modes (default :class:`BindingThresholds`).
    bic_threshold
        BIC decrease an optional band must bring to be kept.
    band_regions_cm1
        Integrated regions (default :data:`BAND_REGIONS_CM1`; keys ``al_o_al``, ``o_h``,
        ``ch2_stretch``).

    Raises
    ------
    DataFileError
        The fitting region outside the data, or no carboxylate band found.
    ParameterError
        Not a cm⁻¹ spectrum, or invalid settings.
    """
    from cald.noise import segment_noise

    thresholds = thresholds or BindingThresholds()
    regions = dict(BAND_REGIONS_CM1 if band_regions_cm1 is None else band_regions_cm1)
    if spec.unit != "cm-1" or np.ndim(spec.values) != 1:
        raise ParameterError(f"FTIR analysis needs one spectrum against wavenumber (cm-1), got "
                             f"unit {spec.unit} and shape {np.shape(spec.values)}")
    if shape not in ("gaussian", "voigt"):
        raise ParameterError(f"FTIR band shape must be gaussian or voigt, got {shape!r}")
    x = np.asarray(spec.axis, dtype=float)
    if x.size > 1 and x[0] > x[-1]:
        spec = spec.evolve(np.asarray(spec.values)[::-1], "axis reversed to ascending",
                           axis=x[::-1].copy())
        x = np.asarray(spec.axis, dtype=float)
    lo, hi = min(fit_region_cm1), max(fit_region_cm1)
    if lo < x[0] or hi > x[-1]:
        raise DataFileError(f"fitting region {lo:g}–{hi:g} cm⁻¹ lies outside the data "
                            f"({x[0]:g}–{x[-1]:g} cm⁻¹)", spec.source)
    notes: list[str] = []
    baseline, lam = arpls_baseline(spec, lam_1cm)
    corrected = spec.evolve(np.asarray(spec.values, dtype=float) - baseline,
                            f"arPLS baseline subtracted (λ = {lam:.3g} for the spacing)")
    y = np.asarray(corrected.values, dtype=float)
    sigma = segment_noise(y)

    nu_as0, as_peak = _window_start(x, y, nu_as_window_cm1)
    nu_s0, _ = _window_start(x, y, nu_s_window_cm1)
    height = float(np.max(y[(x >= min(nu_as_window_cm1)) & (x <= max(nu_as_window_cm1))],
                          initial=-np.inf))
    if not as_peak or not height > 5.0 * sigma:
        raise DataFileError(f"no carboxylate band found: no ν_as(COO⁻) maximum above 5σ in "
                            f"{min(nu_as_window_cm1):g}–{max(nu_as_window_cm1):g} cm⁻¹",
                            spec.source)
    bands = {NU_AS: nu_as0, NU_S: nu_s0, SCISSOR: scissor_cm1}
    fit = _fit(corrected, (lo, hi), bands, shape)
    windows = {BRIDGING: bridging_window_cm1, ACID: acid_window_cm1}
    b_lo, b_hi = min(bridging_window_cm1), max(bridging_window_cm1)
    starts = {BRIDGING: float(np.clip(fit.peaks[0].center + 30.0, b_lo, b_hi)),
              ACID: 0.5 * (min(acid_window_cm1) + max(acid_window_cm1))}
    for name in (BRIDGING, ACID):
        if not lo <= starts[name] <= hi:
            continue
        trial_bands = {**bands, name: starts[name]}
        try:
            trial = _fit(corrected, (lo, hi), trial_bands, shape)
        except ParameterError:
            continue
        peak = trial.peaks[list(trial_bands).index(name)]
        gain = fit.bic - trial.bic
        if gain >= bic_threshold and _significant(peak, windows[name]):
            notes.append(f"{name} band at {peak.center:.1f} cm⁻¹ kept (BIC lower by {gain:.1f})")
            bands, fit = trial_bands, trial
    components = {name: fit.peaks[i] for i, name in enumerate(bands)}
    for name, window in ((NU_AS, nu_as_window_cm1), (NU_S, nu_s_window_cm1)):
        p = components[name]
        if not min(window) <= p.center <= max(window) or not p.area > 0:
            raise DataFileError(f"no carboxylate band found: the fitted {name} line ends at "
                                f"{p.center:.1f} cm⁻¹, outside {min(window):g}–{max(window):g} "
                                "cm⁻¹", spec.source)
    nu_as, nu_s = components[NU_AS].estimates["center"], components[NU_S].estimates["center"]

    def center_covar(names: Sequence[str]) -> NDArray[np.float64] | None:
        return covariance_block(fit.covar, fit.var_names,
                                [f"p{list(bands).index(n)}_center" for n in names])

    delta = derived_estimate(lambda a, s: a - s, [nu_as, nu_s], center_covar([NU_AS, NU_S]),
                             "cm-1", "delta")
    mode = thresholds.classify(delta.value)
    if delta.stderr is not None:
        crossed = [limit for limit, _, _ in thresholds.limits()
                   if abs(delta.value - limit) < 2.0 * delta.stderr]
        if crossed:
            notes.append(f"Δ lies within 2σ of the limit(s) {', '.join(f'{c:g}' for c in crossed)}"
                         " cm⁻¹: the mode is uncertain")
    bridging_fraction = bridging_delta = None
    if BRIDGING in components:
        i_as, i_b = list(bands).index(NU_AS), list(bands).index(BRIDGING)
        areas = [components[NU_AS].area, components[BRIDGING].area]
        cov = covariance_block(fit.covar, fit.var_names, [f"p{i_as}_area", f"p{i_b}_area"])
        values, errors = fractions(areas, cov)
        bridging_fraction = Estimate(float(values[1]), None if errors is None
                                     else float(errors[1]), name="bridging_fraction")
        bridging_delta = derived_estimate(lambda b, s: b - s,
                                          [components[BRIDGING].estimates["center"], nu_s],
                                          center_covar([BRIDGING, NU_S]), "cm-1", "delta")
        notes.append("the bridging pair's ν_s is not resolved from the main ν_s: its Δ is "
                     "taken against the main ν_s")
    band_areas = _band_areas(x, y, regions, sigma, notes)
    ch2_mask = (x >= min(regions["ch2_stretch"])) & (x <= max(regions["ch2_stretch"]))
    ch2_height = float(np.max(y[ch2_mask])) if ch2_mask.any() else None
    if sigma == 0:
        notes.append("the noise σ of the spectrum is 0: band-area errors are 0")
    notes.append("band-area errors are from the noise only, not from the baseline choice")
    return FtirResult(nu_as, nu_s, delta, mode, thresholds, components, bridging_fraction,
                      bridging_delta, band_areas, fit, corrected, baseline, ch2_height, sigma, lam,
                      lam_1cm, spec.source, tuple(notes + list(fit.notes)))


def _band_areas(x: NDArray[np.float64], y: NDArray[np.float64],
                regions: Mapping[str, tuple[float, float]], sigma: float,
                notes: list[str]) -> tuple[BandArea, ...]:
    raw = {name: band_area(x, y, region, sigma) for name, region in regions.items()}
    ch2 = raw.get("ch2_stretch")
    out = []
    for name, region in regions.items():
        got = raw[name]
        lo, hi = min(region), max(region)
        if got is None:
            notes.append(f"{name} region {lo:g}–{hi:g} cm⁻¹ lies outside the data")
            out.append(BandArea(name, (lo, hi), None, None, None))
            continue
        area, err, covered = got
        if name == "al_o_al" and lo <= 722.0 <= hi:
            notes.append("the Al–O–Al region holds the ligand's CH2 rocking band (722 cm⁻¹): "
                         "compare samples rather than read the area as alumina alone")
        if covered[0] - lo > 1.0 or hi - covered[1] > 1.0:
            notes.append(f"{name}: the data cover only {covered[0]:g}–{covered[1]:g} of "
                         f"{lo:g}–{hi:g} cm⁻¹")
        per = per_err = None
        if name != "ch2_stretch" and ch2 is not None and ch2[0] > 0:
            per = area / ch2[0]
            per_err = abs(per) * float(np.hypot(err / area if area else 0.0, ch2[1] / ch2[0]))
            if area == 0:
                per_err = err / ch2[0]
        out.append(BandArea(name, (lo, hi), covered, area, err, per, per_err))
    return tuple(out)
