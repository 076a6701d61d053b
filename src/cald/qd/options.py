"""Options of the quantum-dot operations (``cald plan``, ``cald uvvis size``, ``cald uvvis
series``, ``cald titration track``, ``cald dosy fit``, ``cald ligands density``), see
:mod:`cald.options` for the conventions.

Concentrations, volumes, rates and times are given as µM, mM, mL, mL/h, mL/min and min and
held in mol/L, L, L/s and s."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, Self

from pydantic import Field, model_validator

from cald.errors import FieldError
from cald.lineshape.options import PEAK_SHAPES
from cald.nmr.options import SpectrumOptions
from cald.options import FloatList, NonNegativeFloat, Options, PositiveFloat, Region, check
from cald.qd.standards import (
    ALKENE_REGION_PPM,
    FREE_MAX_FWHM_HZ,
    OLEATE_ALKENE_PROTONS,
    SOLVENTS,
    STANDARDS,
)

if TYPE_CHECKING:
    from cald.qd.dosy import DosyDecay, DosyResult, DosyTiming
    from cald.qd.ligands import LigandDensityResult, QdSolution, StandardSignal
    from cald.qd.protocol import CaldPlan
    from cald.qd.titration import TitrationResult
    from cald.qd.uvvis import ExcitonResult
    from cald.qd.uvvis_series import UvvisSeriesResult
    from cald.spectrum import Spectrum

__all__ = ["DosyFitOptions", "MATERIALS", "ExcitonSearchOptions", "LigandDensityOptions",
           "PlanOptions", "TitrationOptions", "UvvisSeriesOptions", "UvvisSizeOptions"]

#: Materials with sizing curves (:mod:`cald.qd.sizing`).
MATERIALS = ("CdSe",)

_ML_H = 1e-3 / 3600.0  # L/s per mL/h
_ML_MIN = 1e-3 / 60.0  # L/s per mL/min

PositiveInt = Annotated[int, check(lambda v: v >= 1, "must be at least 1")]

#: Names of the tabulated internal standards.
STANDARD_NAMES = tuple(STANDARDS)


class PlanOptions(Options):
    """``cald plan``: the QD solution, the TMA solution and dose, the number of cycles, the
    pump and O2 rates, the waits and the switch of the oxidant step to oleic acid."""

    boundary_units = {"qd_um": ("qd_mol_l", 1e-6), "volume_ml": ("volume_l", 1e-3),
                      "tma_mm": ("tma_mol_l", 1e-3), "pump_ml_h": ("pump_l_s", _ML_H),
                      "o2_ml_min": ("o2_l_s", _ML_MIN), "o2_min": ("o2_s", 60.0),
                      "wait_min": ("wait_s", 60.0)}

    qd_mol_l: PositiveFloat = Field(description="QD concentration of the solution (µM).")
    volume_l: PositiveFloat = Field(description="Volume of the QD solution (mL).")
    tma_mol_l: PositiveFloat = Field(description="TMA concentration of the solution added (mM).")
    tma_per_qd: PositiveFloat = Field(description="TMA molecules per QD and cycle.")
    cycles: PositiveInt = Field(description="Number of c-ALD cycles.")
    pump_l_s: PositiveFloat = Field(1.0 * _ML_H, description="Pump rate of the TMA addition (mL/h).")
    o2_l_s: PositiveFloat = Field(1.5 * _ML_MIN, description="O2 flow (mL/min).")
    o2_s: PositiveFloat | None = Field(
        None, description="Duration of the O2 flow (min; default: not planned, O2 in excess).")
    wait_s: Annotated[float, check(lambda v: v >= 0, "must be ≥ 0")] = Field(
        300.0, description="Wait after each addition (min).")
    olac_after: PositiveInt | None = Field(
        None, description="Oleic acid instead of O2 after this cycle.")
    ligands_per_qd: PositiveFloat | None = Field(
        None, description="Oleate ligands per QD (for the fraction addressed per cycle).")
    stability_limit: PositiveFloat = Field(
        25.0, description="TMA per QD above which the QDs may lose colloidal stability.")

    @model_validator(mode="after")
    def _olac_within_cycles(self) -> Self:
        if self.olac_after is not None and self.olac_after >= self.cycles:
            raise ValueError(f"{{olac_after}} must be less than {{cycles}} ({self.cycles}) or no "
                             f"cycle uses oleic acid, got {self.olac_after}")
        return self

    def plan(self) -> CaldPlan:
        """:func:`cald.qd.protocol.plan_cald` with these options."""
        from cald.qd.protocol import plan_cald

        return plan_cald(**self.model_dump())


class ExcitonSearchOptions(Options):
    """Reading a UV-vis spectrum and finding its first exciton: the saturation absorbance, the
    wavelength region searched and the smoothing window."""

    saturation_absorbance: PositiveFloat = Field(
        3.0, description="Points with a larger absorbance are dropped as saturated.")
    region: Region | None = Field(None, description="Wavelength region A:B searched (nm).")
    smooth_nm: PositiveFloat = Field(
        21.0, description="Savitzky–Golay window (nm); about the exciton's FWHM or less "
        "(broad NIR excitons need more).")


class UvvisSizeOptions(ExcitonSearchOptions):
    """``cald uvvis size``: the material and sizing curve, the path length and dilution for the
    concentration (and the exciton search of :class:`ExcitonSearchOptions`)."""

    material: Annotated[str, check(lambda v: v in MATERIALS,
                                   f"must be one of {', '.join(MATERIALS)}", quote=True)] = Field(
        description=f"QD material (known: {', '.join(MATERIALS)}).")
    model: Literal["yu2003", "jasieniak2009"] = Field(
        "yu2003", description="Sizing curve: yu2003 or jasieniak2009.")
    path_cm: PositiveFloat | None = Field(
        None, description="Optical path length (cm); gives the concentration.")
    dilution: PositiveFloat = Field(
        1.0, description="Dilution of the measured solution relative to the stock.")

    def size(self, spectrum: Spectrum) -> ExcitonResult:
        """:func:`cald.qd.uvvis.size_exciton` of ``spectrum`` with these options."""
        from cald.qd.uvvis import size_exciton

        return size_exciton(spectrum, self.material, self.model, self.path_cm, self.dilution,
                            self.region, self.smooth_nm)


def _known_solvent(value: str) -> bool:
    from cald.qd.viscosity import solvent_name

    return solvent_name(value) is not None


def _known_nucleus(value: str) -> bool:
    from cald.errors import InputError
    from cald.nuclei import get_isotope

    try:
        get_isotope(value)
    except InputError:
        return False
    return True


def _solvent_list() -> str:
    from cald.qd.viscosity import SOLVENTS

    return ", ".join(SOLVENTS)


class DosyFitOptions(Options):
    """``cald dosy fit``: the region integrated (Bruker series), the model, the solvent,
    temperature or viscosity for d_H, and for a CSV the encoding (effective δ with the gradient
    shape included, Δ, τ, nucleus)."""

    boundary_units = {"little_delta_ms": ("little_delta_s", 1e-3),
                      "big_delta_ms": ("big_delta_s", 1e-3), "tau_ms": ("tau_s", 1e-3)}

    region: Region | None = Field(None, description="Integration region A:B (ppm) of a Bruker "
                                                    "series.")
    model: Literal["mono", "bi"] = Field(
        "mono", description="mono or bi (bi reports the slow component's D).")
    solvent: Annotated[str, check(_known_solvent, f"is not a known solvent (known: "
                                                  f"{_solvent_list()}; or give the viscosity)",
                                  quote=True)] | None = Field(
        None, description="Solvent for the viscosity (default: the data set's SOLVENT).")
    temperature_k: PositiveFloat | None = Field(
        None, description="Temperature (K; default: the data set's TE).")
    viscosity_mpa_s: PositiveFloat | None = Field(
        None, description="Viscosity (mPa s) instead of the solvent table.")
    little_delta_s: PositiveFloat | None = Field(
        None, description="CSV: effective gradient pulse length δ (ms), the shape factor "
                          "included (TopSpin's stored delta), the whole bipolar pair.")
    big_delta_s: PositiveFloat | None = Field(None, description="CSV: diffusion time Δ (ms).")
    tau_s: NonNegativeFloat = Field(0.0, description="CSV: gradient recovery delay τ between "
                                                     "bipolar lobes (ms).")
    nucleus: Annotated[str, check(_known_nucleus, "is not a known isotope", quote=True)] = Field(
        "1H", description="CSV: observed nucleus (γ).")

    def timing(self) -> DosyTiming:
        """The encoding of a CSV decay (rectangular form with the effective δ)."""
        from cald.qd.dosy import DosyTiming

        for name in ("little_delta_s", "big_delta_s"):
            if getattr(self, name) is None:
                raise FieldError(self.boundary_name(name), "is required for a CSV input")
        assert self.little_delta_s is not None and self.big_delta_s is not None
        return DosyTiming(self.big_delta_s, self.little_delta_s, self.tau_s, self.tau_s > 0,
                          nucleus=self.nucleus)

    def fit(self, decay: DosyDecay) -> DosyResult:
        """:func:`cald.qd.dosy.fit_dosy` of ``decay`` with these options."""
        from cald.qd.dosy import fit_dosy

        return fit_dosy(decay, self.model, self.solvent, self.temperature_k, self.viscosity_mpa_s)


class UvvisSeriesOptions(ExcitonSearchOptions):
    """``cald uvvis series``: the variable and its values, and the scattering window and
    threshold that flag aggregation (:mod:`cald.qd.uvvis_series`)."""

    values: FloatList = Field(description="Value of the variable for each spectrum, "
                                          "comma-separated, increasing.")
    variable: Literal["tma_per_qd", "cycles"] = Field(
        "tma_per_qd", description="What the values are: tma_per_qd or cycles.")
    tail_offset_nm: PositiveFloat = Field(
        60.0, description="Start of the scattering window past the first exciton (nm).")
    tail_width_nm: PositiveFloat = Field(40.0, description="Width of the scattering window (nm).")
    scatter_threshold: PositiveFloat = Field(
        0.05, description="Rise of the tail absorbance (fraction of the exciton absorbance) "
        "that flags aggregation.")

    def series(self, spectra: list[Spectrum]) -> UvvisSeriesResult:
        """:func:`cald.qd.uvvis_series.uvvis_series` of ``spectra`` with these options."""
        from cald.qd.uvvis_series import uvvis_series

        return uvvis_series(spectra, self.values, self.variable, self.region, self.smooth_nm,
                            self.tail_offset_nm, self.tail_width_nm, self.scatter_threshold)


class TitrationOptions(Options):
    """``cald titration track``: TMA per QD of each data set (default: read from the data sets'
    titles), the alkene region, the peak shape, and the width jump that marks the loss of
    colloidal stability (:mod:`cald.qd.titration`). Reading the spectra is the caller's (the
    ``titration`` kind adds :class:`cald.nmr.options.SpectrumOptions`)."""

    tma_per_qd: FloatList | None = Field(
        None, description="TMA per QD of each data set, comma-separated (default: from each "
        "title, e.g. '10 TMA/QD'); the points are ordered by it.")
    region: Region = Field((6.2, 5.0), description="Alkene region A:B (ppm).")
    shape: Literal["lorentzian", "gaussian", "voigt"] = Field(
        "lorentzian", description="Peak shape of the alkene fit: lorentzian, gaussian, voigt.")
    jump_fraction: PositiveFloat = Field(
        0.3, description="Relative change of the alkene FWHM between neighbouring points that "
        "marks the loss of colloidal stability.")
    sf_mhz: PositiveFloat | None = Field(
        None, description="Spectrometer frequency SF (MHz) for spectra that do not state it "
        "(CSV); gives the FWHM in Hz.")

    def track(self, spectra: list[Spectrum], titles: list[str]) -> TitrationResult:
        """:func:`cald.qd.titration.track_titration` with these options; the TMA per QD values
        from :attr:`tma_per_qd` or, when unset, from the data sets' ``titles``
        (:func:`cald.qd.titration.tma_per_qd_from_titles`)."""
        from cald.qd.titration import tma_per_qd_from_titles, track_titration

        values = (self.tma_per_qd if self.tma_per_qd is not None
                  else tma_per_qd_from_titles(titles, [s.source for s in spectra]))
        return track_titration(spectra, values, self.region, self.shape, self.jump_fraction,
                               self.sf_mhz)


class LigandDensityOptions(SpectrumOptions):
    """``cald ligands density``: the internal standard (a table name, or protons and region),
    its concentration, the alkene fit, the QDs (concentration and diameter given, or from a
    UV-vis spectrum of the same solution with its path length and dilution), the relative errors
    of the concentrations and the T1 of the d1 check."""

    boundary_units = {**SpectrumOptions.boundary_units, "standard_mm": ("standard_mol_l", 1e-3),
                      "qd_um": ("qd_mol_l", 1e-6)}

    standard: str | None = Field(
        None, description=f"Internal standard: {', '.join(STANDARD_NAMES)} (or give "
        "--standard-protons and --standard-region).")
    standard_mol_l: PositiveFloat = Field(
        description="Concentration of the standard in the NMR solution (mM).")
    standard_protons: PositiveInt | None = Field(
        None, description="Protons of the standard's integrated signal (overrides the table).")
    standard_region: Region | None = Field(
        None, description="Integration region A:B of the standard (ppm; default its table shift "
        "± 0.4 ppm).")
    solvent: Annotated[str, check(lambda v: v in SOLVENTS,
                                  f"must be one of {', '.join(SOLVENTS)}", quote=True)] = Field(
        "toluene-d8", description=f"Solvent, for the standard's shift ({', '.join(SOLVENTS)}).")
    standard_rel_err: NonNegativeFloat = Field(
        0.0, description="Relative standard error of the standard's concentration (e.g. 0.02).")
    region: Region = Field(ALKENE_REGION_PPM, description="Alkene fit region A:B (ppm).")
    ligand_protons: PositiveInt = Field(
        OLEATE_ALKENE_PROTONS, description="Protons per ligand in the fitted signal (2 for the "
        "oleate CH=CH).")
    n_peaks: PositiveInt = Field(2, description="Alkene lines fitted (bound and free).")
    shape: Annotated[str, check(lambda v: v in PEAK_SHAPES,
                                f"must be one of {', '.join(PEAK_SHAPES)}", quote=True)] = Field(
        "lorentzian", description="Alkene line shape: gaussian, lorentzian, voigt, pseudo_voigt.")
    centers: FloatList | None = Field(None, description="Starting alkene centres (ppm), "
                                                        "comma-separated.")
    free_max_fwhm_hz: PositiveFloat = Field(
        FREE_MAX_FWHM_HZ, description="Alkene lines narrower than this (Hz) are free oleate, "
        "broader ones bound.")
    field_1h_mhz: PositiveFloat | None = Field(
        None, description="1H frequency (MHz) of a spectrum that does not store it (CSV).")
    qd_mol_l: PositiveFloat | None = Field(
        None, description="QD concentration of the NMR solution (µM).")
    qd_rel_err: NonNegativeFloat = Field(
        0.0, description="Relative standard error of the QD concentration (e.g. 0.1).")
    diameter_nm: PositiveFloat | None = Field(
        None, description="QD diameter (nm); default from the UV-vis spectrum.")
    path_cm: PositiveFloat | None = Field(
        None, description="Path length of the UV-vis cell (cm): the QD concentration from the "
        "UV-vis spectrum.")
    dilution: PositiveFloat = Field(
        1.0, description="Dilution of the UV-vis solution relative to the NMR solution.")
    model: Literal["yu2003", "jasieniak2009"] = Field(
        "yu2003", description="Sizing curve of the UV-vis diameter: yu2003 or jasieniak2009.")
    t1_s: PositiveFloat | None = Field(
        None, description="Longest T1 of the integrated signals (s) for the d1 ≥ 5 T1 check; "
        "default a typical value (3 s).")

    @model_validator(mode="after")
    def _standard_known(self) -> Self:
        if self.standard not in STANDARDS and (self.standard_protons is None
                                               or self.standard_region is None):
            given = "" if self.standard is None else f", got {self.standard!r}"
            raise ValueError(f"{{standard}} must be one of {', '.join(STANDARDS)} (or give "
                             f"{{standard_protons}} and {{standard_region}}){given}")
        return self

    @model_validator(mode="after")
    def _qd_once(self) -> Self:
        if self.qd_mol_l is not None and self.path_cm is not None:
            raise ValueError("give {qd_mol_l} or a UV-vis spectrum with {path_cm}, not both")
        return self

    def standard_signal(self) -> StandardSignal:
        """The standard's signal (:func:`cald.qd.ligands.standard_signal`)."""
        from cald.qd.ligands import standard_signal

        return standard_signal(self.standard, self.solvent, self.standard_protons,
                               self.standard_region)

    def qd_solution(self, uvvis: ExcitonResult | None = None) -> QdSolution:
        """The QDs: concentration and diameter as given, else from ``uvvis`` (the exciton of
        the same solution, sized with :meth:`uvvis_options`)."""
        from cald.qd.ligands import QdSolution

        if uvvis is None:
            return QdSolution(self.qd_mol_l, self.qd_rel_err, self.diameter_nm, "given")
        conc = self.qd_mol_l if uvvis.concentration_um is None else uvvis.concentration_um * 1e-6
        diameter = self.diameter_nm if self.diameter_nm is not None else uvvis.diameter_nm
        parts = [f"UV-vis {uvvis.source}: exciton {uvvis.exciton.peak_nm:.1f} nm"]
        if self.diameter_nm is None:
            parts.append(f"d = {uvvis.diameter_nm:.2f} nm ({uvvis.model})")
        if uvvis.concentration_um is not None:
            parts.append(f"c = A/(ε l) × {uvvis.dilution:g}")
        return QdSolution(conc, self.qd_rel_err, diameter, "; ".join(parts))

    def uvvis_problem(self, has_uvvis: bool) -> tuple[str, str] | None:
        """(boundary name, why) when a UV-vis option is given without a UV-vis spectrum."""
        if not has_uvvis:
            for name in ("path_cm", "model", "dilution"):
                if name in self.model_fields_set:
                    return name, "needs a UV-vis spectrum of the same solution (--uvvis)"
        return None

    def size_uvvis(self, spectrum: Spectrum) -> ExcitonResult:
        """The first exciton, size and (with ``path_cm``) concentration of the QDs from their
        UV-vis spectrum (read with :func:`cald.io.uvvis.read_uvvis`)."""
        return self.uvvis_options().size(spectrum)

    def uvvis_options(self) -> UvvisSizeOptions:
        """The UV-vis sizing of the QDs (CdSe) with this path length, dilution and model."""
        return UvvisSizeOptions.model_validate({"material": "CdSe", "model": self.model,
                                                "path_cm": self.path_cm,
                                                "dilution": self.dilution})

    def density(self, spec: Spectrum, uvvis: ExcitonResult | None = None) -> LigandDensityResult:
        """:func:`cald.qd.ligands.ligand_density` of ``spec`` with these options (and the QDs
        sized from ``uvvis``)."""
        from cald.qd.ligands import ligand_density

        return ligand_density(spec, self.standard_signal(), self.standard_mol_l,
                              region_ppm=self.region, n_peaks=self.n_peaks, shape=self.shape,
                              centers=self.centers, qd=self.qd_solution(uvvis),
                              standard_rel_err=self.standard_rel_err, t1_s=self.t1_s,
                              free_max_fwhm_hz=self.free_max_fwhm_hz, sf_mhz=self.field_1h_mhz,
                              ligand_protons=self.ligand_protons)
