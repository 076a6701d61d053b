"""Options of the XPS region fit (``cald xps fit`` and the ``xps`` analysis kind, both written in
the integration): one model shared by the command line and the project file (see
:mod:`cald.options` for the conventions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from cald.options import FloatList, Options, PositiveFloat, Region, check
from cald.surface.components import BACKGROUNDS, REGION_PRESETS, RegionPreset, region_preset

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from cald.surface.xps import XpsFitResult

__all__ = ["XpsFitOptions"]

PositiveInt = Annotated[int, check(lambda v: v >= 1, "must be at least 1")]


def _known_preset(value: str) -> bool:
    return value.strip().lower() in {k.lower() for k in REGION_PRESETS}


class XpsFitOptions(Options):
    """``cald xps fit``: the region preset and its overrides (window, background, components),
    the intensity unit, and the C 1s charge reference."""

    preset: Annotated[str, check(_known_preset, f"must be one of {', '.join(REGION_PRESETS)}",
                                 quote=True)] = Field(
        description=f"Region preset ({', '.join(REGION_PRESETS)}).")
    region_ev: Region | None = Field(
        None, description="Binding-energy window A:B (eV; default: the preset's).")
    background: Literal[BACKGROUNDS] | None = Field(  # type: ignore[valid-type]
        None, description=f"Background: {', '.join(BACKGROUNDS)} (default: the preset's, "
        "shirley = Shirley fitted with the peaks).")
    background_params: FloatList | None = Field(
        None, description="tougaard: B,C,D,T0 as CasaXPS stores them; tougaard_u2: B,C (eV²).")
    n_average: PositiveInt = Field(3, description="Points averaged for each background end level.")
    intensity_unit: Literal["counts", "cps"] = Field(
        "counts", description="counts (σ = √counts) or cps.")
    acquisition_s: PositiveFloat | None = Field(
        None, description="Acquisition time per point (dwell × scans, s) that turns cps into counts.")
    components: dict[str, dict[str, Any]] | None = Field(
        None, description="Per-component overrides of the preset: {name: {field: value}}.")
    charge_component: str = Field(
        "C 1s C–C", description="C 1s component whose position sets the charge shift.")
    charge_reference_ev: float = Field(
        284.8, description="Binding energy the charge component is moved to (eV).")

    def region_preset(self) -> RegionPreset:
        """The preset with this model's overrides."""
        overrides: dict[str, Any] = {}
        if self.region_ev is not None:
            overrides["region_ev"] = (min(self.region_ev), max(self.region_ev))
        if self.background is not None:
            overrides["background"] = self.background
        if self.components:
            overrides["components"] = self.components
        return region_preset(self.preset, overrides)

    def fit(self, energy_ev: ArrayLike, intensity: ArrayLike, source: str = "") -> XpsFitResult:
        """:func:`cald.surface.xps.fit_xps_region` of one region with these options."""
        from cald.surface.xps import fit_xps_region

        preset = self.region_preset()
        return fit_xps_region(energy_ev, intensity, preset.components, preset.region_ev,
                              preset.background, tuple(self.background_params or ()),
                              self.n_average, self.intensity_unit, self.acquisition_s, source)
