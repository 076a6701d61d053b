"""Options of the XPS region fit (``cald xps fit`` and the ``xps`` analysis kind): one model
shared by the command line and the project file (see :mod:`cald.options` for the conventions),
and the two steps from a VAMAS file to a fit that both use: :func:`find_block` (the block of a
region) and :func:`block_spectrum` (its calibrated binding energies, counts per second and
acquisition time).

The blocks are the reader's :class:`cald.io.vamas.VamasBlock` s, used by their attributes only
(this layer reads no files). The axis is :attr:`VamasBlock.calibrated_binding_energy_ev`
(hν − KE + Σ(A − M) of CasaXPS's ``Calib`` lines), the one frame of every fit and of the CasaXPS
comparison; the intensity is counts per second with the acquisition time dwell × scans, so σ
is that of the raw counts and areas are in CPS·eV like CasaXPS's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import Field

from cald.errors import ParameterError
from cald.options import FloatList, Options, PositiveFloat, Region, check
from cald.surface.components import (
    BACKGROUNDS,
    REGION_PRESETS,
    RegionPreset,
    preset_key,
    region_preset,
)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from cald.fitting import Estimate
    from cald.surface.xps import XpsFitResult

__all__ = ["XpsFitOptions", "block_spectrum", "find_block"]

PositiveInt = Annotated[int, check(lambda v: v >= 1, "must be at least 1")]


def _known_preset(value: str) -> bool:
    return preset_key(value) in {preset_key(k) for k in REGION_PRESETS}


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
    block: str | None = Field(
        None, description="VAMAS block to fit: its name or 1-based number (default: the first "
        "block named after the region, e.g. 'Cd 3d' or species Cd, transition 3d).")

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

    def fit_block(self, block: Any, source: str = "", charge_shift: Estimate | None = None
                  ) -> XpsFitResult:
        """:meth:`fit` of a VAMAS block on :func:`block_spectrum` (cps with its acquisition
        time: σ from the raw counts, areas in CPS·eV).

        With ``charge_shift`` (from :meth:`charge_shift`) the preset's window, starts and bounds,
        which are true binding energies, are moved onto the uncorrected axis (− shift) before the
        fit and the result is corrected (+ shift,
        :func:`~cald.surface.xps.apply_charge_shift`): a charged sample's lines stay inside
        their bounds."""
        from cald.surface.xps import apply_charge_shift, fit_xps_region

        be, cps, acquisition_s = block_spectrum(block, source)
        preset = self.region_preset()
        s = 0.0 if charge_shift is None else charge_shift.value
        comps = [replace(c, be_ev=c.be_ev - s, be_bounds_ev=None if c.be_bounds_ev is None else
                         (c.be_bounds_ev[0] - s, c.be_bounds_ev[1] - s))
                 for c in preset.components]
        try:
            result = fit_xps_region(be, cps, comps, (preset.region_ev[0] - s,
                                                     preset.region_ev[1] - s),
                                    preset.background, tuple(self.background_params or ()),
                                    self.n_average, "cps", acquisition_s, source)
        except ParameterError as exc:  # name the file and block
            raise ParameterError(f"block {block.index + 1} ({block.label}): {exc.detail}",
                                 source or None) from None
        return result if charge_shift is None else apply_charge_shift(result, charge_shift)

    def charge_shift(self, c1s: XpsFitResult) -> Estimate:
        """The charge shift from a C 1s fit: ``charge_reference_ev`` − the fitted position of
        ``charge_component``."""
        from cald.surface.xps import charge_shift_ev

        return charge_shift_ev(c1s, self.charge_component, self.charge_reference_ev)


def find_block(blocks: Sequence[Any], region: str, block: str | None = None,
               source: str = "", flag: str = "--block") -> tuple[Any, list[str]]:
    """The block of ``region`` and notes on the choice.

    ``block`` (a block name or 1-based number) chooses explicitly; else the first block whose
    name, or species and transition (``"Cd"`` ``"3d"``), is ``region`` (case and spaces
    ignored, :func:`~cald.surface.components.preset_key`; a name with a prefix such as
    ``"1: S 2p"`` matches by species and transition). A file of one block without species and
    transition (a CSV table) is that region.
    ``flag`` names the option that gave ``block`` in the message.

    Raises
    ------
    ParameterError
        No such block (the blocks listed), naming ``source``.
    """
    names = ", ".join(dict.fromkeys(f"{b.index + 1}: {b.label}" for b in blocks))
    if block is not None:
        hits = [b for b in blocks
                if preset_key(b.label) == preset_key(block) or str(b.index + 1) == block.strip()]
        if not hits:
            raise ParameterError(f"{flag} {block!r}: no such block (nor file); blocks: {names}"
                                 if flag != "--block" else
                                 f"{flag} {block!r}: no such block; blocks: {names}", source)
        return hits[0], []
    hits = [b for b in blocks
            if preset_key(region) in (preset_key(b.label), preset_key(f"{b.species} {b.transition}"))]
    if not hits and len(blocks) == 1 and not (blocks[0].species or blocks[0].transition):
        return blocks[0], [f"the file's one block ({blocks[0].label}, no species or transition "
                           f"recorded, e.g. a CSV table) fitted as {region}"]
    if not hits:
        raise ParameterError(f"no block for region {region!r}; blocks: {names} (choose one with "
                             "--block)", source)
    notes = [] if len(hits) == 1 else [
        f"{len(hits)} blocks hold {region} (blocks {', '.join(str(b.index + 1) for b in hits)}; "
        f"samples {', '.join(dict.fromkeys(str(b.sample_id) for b in hits))}): fitted block "
        f"{hits[0].index + 1}; choose another with --block"]
    return hits[0], notes


def block_spectrum(block: Any, source: str = "") -> tuple[np.ndarray, np.ndarray, float]:
    """(calibrated binding energy in eV, counts per second, acquisition time per point in s)
    of a VAMAS block.

    Raises
    ------
    ParameterError
        A block without binding energies (not photoemission), naming ``source``.
    """
    be = block.calibrated_binding_energy_ev
    if be is None:
        raise ParameterError(f"block {block.index + 1} ({block.label}) is {block.technique}, not "
                             "photoemission: no binding energies", source)
    return np.asarray(be, dtype=float), np.asarray(block.cps, dtype=float), \
        float(block.dwell_s) * int(block.scans)
