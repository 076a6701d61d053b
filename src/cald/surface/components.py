"""What a region fit is made of: :class:`ComponentSpec` (a line with its bounds and ties, as
CasaXPS's component table has them) and the region presets of the study
(:data:`REGION_PRESETS`, :func:`region_preset`).

Ties follow CasaXPS: a position is tied by an **offset** (eV, here in binding energy), a FWHM
and an area by a **factor**, each to another component named in the same region. A spin–orbit
doublet is two components: the minor line tied to the major one by the splitting, the area ratio
and an equal width (:func:`doublet`).

Preset sources. Cd 3d core/surface 405.3/406.2 eV, splitting 6.74 eV, 3d5/2 : 3d3/2 = 3 : 2, O 1s
531.7/532.1 eV, Al 2s 119.2 eV: the study (Table S1; ``shared/science.md`` §6). Area ratios 3 : 2
(d) and 2 : 1 (p) are the (2j + 1) degeneracies. Se 3d splitting 0.86 eV: the value given in the
brief of issue 11 (Moulder et al., *Handbook of X-ray Photoelectron Spectroscopy*, Perkin-Elmer
1992, lists 0.86 eV) — **not checked against the handbook here**. Se 3d5/2 of CdSe 54.2 eV, Al 2p
of AlOx 74.5 eV (a single line: its 0.4 eV splitting is below the resolution of the study's data)
and the C 1s C–O 286.3 / O–C=O 288.5 eV components are typical literature values, **unverified**
starting points with ±1 eV bounds; C 1s C–C 284.8 eV is the charge reference (adventitious
carbon convention). Every preset field can be overridden (:func:`region_preset`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from cald.errors import ParameterError
from cald.surface.lineshapes import parse_casa_lineshape

__all__ = [
    "BACKGROUNDS",
    "ComponentSpec",
    "REGION_PRESETS",
    "RegionPreset",
    "doublet",
    "preset_key",
    "region_preset",
]

#: Background names of :func:`cald.surface.xps.fit_xps_region`.
BACKGROUNDS = ("shirley", "shirley_iterative", "tougaard", "tougaard_u2", "linear", "none")


@dataclass(frozen=True)
class ComponentSpec:
    """One line of a region model.

    Attributes
    ----------
    name
        Unique within the region (links refer to it).
    be_ev
        Starting binding energy, eV.
    lineshape
        CasaXPS line-shape string (:func:`cald.surface.lineshapes.parse_casa_lineshape`).
    fwhm_ev
        Starting FWHM parameter, eV.
    area
        Starting area (intensity·eV); ``None``: estimated from the data.
    be_bounds_ev, fwhm_bounds_ev, area_bounds
        Ranges of the free parameters; ``be_bounds_ev`` ``None`` means ``be_ev`` ± 1 eV.
    be_link
        ``(component, offset_ev)``: be = be(component) + offset (then the bounds are ignored).
    fwhm_link, area_link
        ``(component, factor)``: value = factor × value(component).
    assignment
        Chemical assignment shown in Table S1 (e.g. ``"Cd–Se core"``).
    rsf
        Relative sensitivity factor of the line (``None``: use the table or the region's).
    """

    name: str
    be_ev: float
    lineshape: str = "GL(30)"
    fwhm_ev: float = 1.2
    area: float | None = None
    be_bounds_ev: tuple[float, float] | None = None
    fwhm_bounds_ev: tuple[float, float] = (0.3, 4.0)
    area_bounds: tuple[float, float] = (0.0, float("inf"))
    be_link: tuple[str, float] | None = None
    fwhm_link: tuple[str, float] | None = None
    area_link: tuple[str, float] | None = None
    assignment: str = ""
    rsf: float | None = None

    def checked(self) -> ComponentSpec:
        """The spec after its own checks (line shape known, finite numbers, ordered bounds).

        Raises
        ------
        ParameterError
            Naming the component and the field.
        """
        parse_casa_lineshape(self.lineshape)
        if not self.name:
            raise ParameterError("a component needs a name")
        for label, value in (("be_ev", self.be_ev), ("fwhm_ev", self.fwhm_ev)):
            if not np.isfinite(value):
                raise ParameterError(f"component {self.name!r}: {label} must be finite, got {value!r}")
        if not self.fwhm_ev > 0:
            raise ParameterError(f"component {self.name!r}: fwhm_ev must be > 0, got {self.fwhm_ev!r}")
        if self.area is not None and not (np.isfinite(self.area) and self.area >= 0):
            raise ParameterError(f"component {self.name!r}: area must be ≥ 0, got {self.area!r}")
        for label, bounds in (("be_bounds_ev", self.be_bounds_ev),
                              ("fwhm_bounds_ev", self.fwhm_bounds_ev),
                              ("area_bounds", self.area_bounds)):
            if bounds is not None and not (len(bounds) == 2 and bounds[0] < bounds[1]
                                           and not np.isnan(bounds).any()):
                raise ParameterError(f"component {self.name!r}: {label} must be (low, high) with "
                                     f"low < high, got {bounds!r}")
        for label, link in (("be_link", self.be_link), ("fwhm_link", self.fwhm_link),
                            ("area_link", self.area_link)):
            if link is not None and not (len(link) == 2 and isinstance(link[0], str)
                                         and np.isfinite(link[1])):
                raise ParameterError(f"component {self.name!r}: {label} must be "
                                     f"(component name, number), got {link!r}")
        return self

    @property
    def be_range_ev(self) -> tuple[float, float]:
        """The position's range (``be_ev`` ± 1 eV unless given)."""
        return self.be_bounds_ev if self.be_bounds_ev is not None else (self.be_ev - 1.0,
                                                                         self.be_ev + 1.0)


def doublet(name: str, be_ev: float, splitting_ev: float, ratio: float, *, lines: tuple[str, str],
            **fields: Any) -> tuple[ComponentSpec, ComponentSpec]:
    """A spin–orbit doublet: ``"<name> <lines[0]>"`` at ``be_ev`` and ``"<name> <lines[1]>"``
    tied to it by +``splitting_ev`` (higher BE), area × ``ratio`` (minor/major) and an equal FWHM;
    ``fields`` go to both :class:`ComponentSpec` s (line shape, FWHM, bounds, assignment …)."""
    major = ComponentSpec(f"{name} {lines[0]}".strip(), be_ev, **fields)
    minor = replace(major, name=f"{name} {lines[1]}".strip(), be_ev=be_ev + splitting_ev,
                    be_bounds_ev=None, be_link=(major.name, splitting_ev),
                    fwhm_link=(major.name, 1.0), area_link=(major.name, ratio))
    return major, minor


@dataclass(frozen=True)
class RegionPreset:
    """A region of the study: its window, components and background.

    Attributes
    ----------
    name
        Preset key (``"Cd 3d"``).
    region_ev
        (low, high) binding energy window, eV.
    components
        The lines.
    background
        One of :data:`BACKGROUNDS`.
    sources
        Where the numbers come from (see the module docstring).
    """

    name: str
    region_ev: tuple[float, float]
    components: tuple[ComponentSpec, ...]
    background: str = "shirley"
    sources: str = ""
    element: str = ""
    line: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


_CD3D = "Cd 3d spin–orbit 6.74 eV, 3 : 2, core 405.3 / surface 406.2 eV: the study (Table S1)"
_SE3D = ("Se 3d splitting 0.86 eV (issue-11 brief; Moulder 1992, not checked here), 3 : 2; "
         "Se 3d5/2 54.2 eV unverified start")
#: The regions of the reference study by name (windows, components, backgrounds).
REGION_PRESETS: dict[str, RegionPreset] = {
    "Cd 3d": RegionPreset(
        "Cd 3d", (400.0, 418.0),
        (*doublet("Cd 3d core", 405.3, 6.74, 2 / 3, lines=("5/2", "3/2"), assignment="Cd–Se core",
                  be_bounds_ev=(404.8, 405.8)),
         *doublet("Cd 3d surface", 406.2, 6.74, 2 / 3, lines=("5/2", "3/2"),
                  assignment="Cd surface (carboxylate)", be_bounds_ev=(405.8, 406.8))),
        sources=_CD3D, element="Cd", line="3d"),
    "Se 3d": RegionPreset(
        "Se 3d", (50.0, 60.0),
        doublet("Se 3d", 54.2, 0.86, 2 / 3, lines=("5/2", "3/2"), assignment="Se–Cd",
                fwhm_ev=0.9),
        sources=_SE3D, element="Se", line="3d"),
    "O 1s": RegionPreset(
        "O 1s", (527.0, 537.0),
        (ComponentSpec("O 1s C–O", 531.7, assignment="C–O (carboxylate)",
                       be_bounds_ev=(531.2, 531.95)),
         ComponentSpec("O 1s Al–O", 532.1, assignment="Al–O", be_bounds_ev=(531.95, 532.8))),
        sources="O 1s 531.7 (C–O) and 532.1 eV (Al–O): the study (Table S1)", element="O",
        line="1s"),
    "Al 2s": RegionPreset(
        "Al 2s", (114.0, 124.0), (ComponentSpec("Al 2s", 119.2, assignment="Al–O", fwhm_ev=2.0),),
        sources="Al 2s 119.2 eV: the study (Table S1)", element="Al", line="2s"),
    "Al 2p": RegionPreset(
        "Al 2p", (70.0, 80.0), (ComponentSpec("Al 2p", 74.5, assignment="Al–O", fwhm_ev=1.6),),
        sources="Al 2p of AlOx 74.5 eV: unverified start; one line (2p splitting ≈ 0.4 eV "
                "unresolved)", element="Al", line="2p"),
    "C 1s": RegionPreset(
        "C 1s", (280.0, 292.0),
        (ComponentSpec("C 1s C–C", 284.8, assignment="C–C/C–H (charge reference)"),
         ComponentSpec("C 1s C–O", 286.3, assignment="C–O", be_bounds_ev=(285.8, 287.0)),
         ComponentSpec("C 1s O–C=O", 288.5, assignment="O–C=O (carboxylate)",
                       be_bounds_ev=(287.8, 289.3))),
        sources="C–C 284.8 eV charge reference; C–O 286.3 and O–C=O 288.5 eV unverified starts",
        element="C", line="1s"),
}


def preset_key(name: str) -> str:
    """A region name as presets and blocks are matched: case and spaces ignored (``"cd3d"``,
    ``"Cd 3d"``)."""
    return "".join(str(name).split()).lower()


def region_preset(name: str, overrides: Mapping[str, Any] | None = None) -> RegionPreset:
    """The preset ``name`` (case and spaces ignored: ``"cd3d"``), with ``overrides`` of its
    fields: ``region_ev``, ``background``, and ``components`` — a list of
    :class:`ComponentSpec` (replacing them all) or a mapping
    ``{component name: {field: value}}`` changing single fields.

    Raises
    ------
    ParameterError
        Unknown preset (the known ones listed), unknown component or field.
    """
    key = {preset_key(k): k for k in REGION_PRESETS}.get(preset_key(name))
    if key is None:
        raise ParameterError(f"unknown XPS region preset {name!r}; known: "
                             f"{', '.join(REGION_PRESETS)}")
    preset = REGION_PRESETS[key]
    if not overrides:
        return preset
    changes = dict(overrides)
    comps = changes.pop("components", None)
    unknown = set(changes) - {"region_ev", "background", "sources"}
    if unknown:
        raise ParameterError(f"preset {key!r}: unknown field(s) {', '.join(sorted(unknown))}")
    if comps is not None:
        changes["components"] = _override_components(key, preset.components, comps)
    if "region_ev" in changes:
        changes["region_ev"] = tuple(float(v) for v in changes["region_ev"])
    return replace(preset, **changes)


def _override_components(key: str, base: tuple[ComponentSpec, ...],
                         comps: Mapping[str, Mapping[str, Any]] | Iterable[ComponentSpec]
                         ) -> tuple[ComponentSpec, ...]:
    if not isinstance(comps, Mapping):
        return tuple(comps)
    by_name = {c.name: c for c in base}
    missing = set(comps) - set(by_name)
    if missing:
        raise ParameterError(f"preset {key!r} has no component(s) {', '.join(sorted(missing))}; "
                             f"its components: {', '.join(by_name)}")
    out = []
    for c in base:
        try:
            out.append(replace(c, **comps.get(c.name, {})))
        except TypeError as exc:
            raise ParameterError(f"preset {key!r}, component {c.name!r}: {exc}") from None
    return tuple(out)
