"""Options of ``cald ftir analyze`` and the ``ftir`` analysis kind (see :mod:`cald.options` for the
conventions): the fitting region and band windows, the line shape, the arPLS baseline's λ, the
Δ limits of the binding modes and the ionic reference."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Self

from pydantic import Field, model_validator

from cald.options import NonNegativeFloat, Options, PositiveFloat, Region

if TYPE_CHECKING:
    from cald.spectrum import Spectrum
    from cald.surface.ftir import FtirResult

__all__ = ["FtirOptions"]


class FtirOptions(Options):
    """``cald ftir analyze``: carboxylate bands, binding mode and band areas of an FTIR spectrum
    (:func:`cald.surface.ftir.analyze_ftir`)."""

    ionic_delta_cm1: PositiveFloat | None = Field(
        None, description="Δ of the ionic reference (e.g. sodium oleate measured on the same "
        "instrument, cm⁻¹); modes then follow Deacon–Phillips relative to it.")
    ionic_margin_cm1: NonNegativeFloat = Field(
        30.0, description="Half-width of the 'close to ionic' (bridging) band around the ionic Δ "
        "(cm⁻¹).")
    chelating_max_cm1: PositiveFloat = Field(
        110.0, description="Largest Δ read as chelating without an ionic reference (cm⁻¹).")
    bridging_min_cm1: PositiveFloat = Field(
        140.0, description="Smallest Δ read as bridging without an ionic reference (cm⁻¹).")
    monodentate_min_cm1: PositiveFloat = Field(
        200.0, description="Δ above which the mode is monodentate without an ionic reference "
        "(cm⁻¹).")
    fit_region_cm1: Region = Field((1750.0, 1350.0), description="Band-fitting region A:B (cm⁻¹).")
    nu_as_window_cm1: Region = Field((1680.0, 1500.0),
                                     description="Window of ν_as(COO⁻) A:B (cm⁻¹).")
    nu_s_window_cm1: Region = Field((1458.0, 1360.0),
                                    description="Window of ν_s(COO⁻) A:B (cm⁻¹).")
    bridging_window_cm1: Region = Field(
        (1600.0, 1545.0), description="Window of the bridging ν_as shoulder A:B (cm⁻¹).")
    al_o_al_region_cm1: Region = Field(
        (750.0, 450.0), description="Al–O–Al region integrated A:B (cm⁻¹).")
    o_h_region_cm1: Region = Field((3600.0, 3000.0),
                                   description="O–H region integrated A:B (cm⁻¹).")
    ch2_region_cm1: Region = Field(
        (3000.0, 2800.0), description="CH2-stretch region A:B (cm⁻¹): the areas' and spectra's "
        "normalisation.")
    shape: Literal["gaussian", "voigt"] = Field("gaussian", description="Band shape: gaussian or "
                                                "voigt.")
    lam_1cm: PositiveFloat = Field(
        1e9, description="arPLS baseline smoothness λ for a 1 cm⁻¹ point spacing (scaled to the "
        "data's spacing).")
    bic_threshold: NonNegativeFloat = Field(
        10.0, description="BIC decrease an optional band (bridging shoulder, free-acid C=O) must "
        "bring to be kept.")

    @model_validator(mode="after")
    def _ordered_limits(self) -> Self:
        if not self.chelating_max_cm1 <= self.bridging_min_cm1 <= self.monodentate_min_cm1:
            raise ValueError("{chelating_max_cm1} ≤ {bridging_min_cm1} ≤ {monodentate_min_cm1} "
                             f"needed, got {self.chelating_max_cm1:g}, {self.bridging_min_cm1:g},"
                             f" {self.monodentate_min_cm1:g}")
        return self

    def analyze(self, spectrum: Spectrum) -> FtirResult:
        """:func:`cald.surface.ftir.analyze_ftir` of ``spectrum`` with these options."""
        from cald.surface.ftir import BindingThresholds, analyze_ftir

        thresholds = BindingThresholds(self.chelating_max_cm1, self.bridging_min_cm1,
                                       self.monodentate_min_cm1, self.ionic_delta_cm1,
                                       self.ionic_margin_cm1)
        return analyze_ftir(spectrum, fit_region_cm1=self.fit_region_cm1, shape=self.shape,
                            lam_1cm=self.lam_1cm, nu_as_window_cm1=self.nu_as_window_cm1,
                            nu_s_window_cm1=self.nu_s_window_cm1,
                            bridging_window_cm1=self.bridging_window_cm1,
                            thresholds=thresholds, bic_threshold=self.bic_threshold,
                            band_regions_cm1={"al_o_al": self.al_o_al_region_cm1,
                                              "o_h": self.o_h_region_cm1,
                                              "ch2_stretch": self.ch2_region_cm1})
