"""CasaXPS's stored model of a region as plain data (:class:`CasaModel`), its translation into
cald's components (:func:`casa_components`) and the refit that reports cald's values beside
CasaXPS's (:func:`fit_casa_model`).

The dataclasses mirror the fields of CasaXPS's ``CASA region`` and ``CASA comp`` lines one to one
(see the issue-11 research, ``casaxps-conventions.md`` §2–3): each of area, FWHM and position is
value, low and high limit, link (index of the component tied to, ``-1`` for none) and the link's
number — a factor for area and FWHM, an offset for the position. CasaXPS stores positions and
region limits as kinetic energies in its calibrated frame; :meth:`CasaModel.from_kinetic` turns
such a model into binding energies (BE = hν − KE, offsets change sign, limits swap) — the data's
BE axis must carry the same calibration for the two to compare: with s = Σ (A − M) over the
block's ``Calib M = … A = … BE ADD`` lines, BE = hν − raw KE + s (checked on a real Nb 3d fit,
tests/test_xps_models.py).

Backgrounds: ``Shirley`` → cald's iterative Shirley on the data (as CasaXPS), end levels over
2·AvWidth + 1 points; ``U 2 Tougaard``/``U 3 Tougaard`` → :func:`cald.surface.backgrounds.tougaard`
with the four cross-section fields as stored; ``Linear``; ``None``. ``U 4 Tougaard`` and the
others are refused (their forms are unverified).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from cald.errors import ParameterError
from cald.surface.components import ComponentSpec
from cald.surface.xps import XpsFitResult, fit_xps_region

__all__ = [
    "CasaComparison",
    "CasaComponent",
    "CasaModel",
    "CasaParam",
    "CasaRegion",
    "casa_background",
    "casa_components",
    "casa_model_from_block",
    "fit_casa_model",
]


@dataclass(frozen=True)
class CasaParam:
    """One of a CasaXPS component's Area/MFWHM/Position fields: ``v lo hi link k``.

    Attributes
    ----------
    value, lo, hi
        Value and limits (ignored when linked).
    link
        Index (0-based, in the region's comp order) of the component tied to; ``-1``: free.
    factor
        The link's number: factor for area and FWHM, offset (same frame as ``value``) for the
        position; ignored when ``link`` is ``-1``.
    """

    value: float
    lo: float = -np.inf
    hi: float = np.inf
    link: int = -1
    factor: float = 1.0


@dataclass(frozen=True)
class CasaComponent:
    """A ``CASA comp`` line: name, line-shape string, Area, MFWHM, Position, RSF."""

    name: str
    lineshape: str
    area: CasaParam
    fwhm: CasaParam
    position: CasaParam
    rsf: float | None = None


@dataclass(frozen=True)
class CasaRegion:
    """A ``CASA region`` line.

    Attributes
    ----------
    name
        Region name (``"Fe 2p"``).
    background
        CasaXPS's background type string (``"Shirley"``, ``"U 3 Tougaard"`` …).
    lo_ev, hi_ev
        Limits (binding energy after :meth:`CasaModel.from_kinetic`).
    background_params
        The four cross-section fields (cs1…cs4).
    av_width
        CasaXPS's AvWidth: the end levels average 2·AvWidth + 1 points.
    rsf
        The region's RSF.
    """

    name: str
    background: str
    lo_ev: float
    hi_ev: float
    background_params: tuple[float, ...] = ()
    av_width: int = 0
    rsf: float | None = None


@dataclass(frozen=True)
class CasaModel:
    """A region and its components as CasaXPS stored them (positions in BE unless built by
    :meth:`from_kinetic`)."""

    region: CasaRegion
    components: tuple[CasaComponent, ...]

    @classmethod
    def from_kinetic(cls, region: CasaRegion, components: Sequence[CasaComponent],
                     source_energy_ev: float) -> CasaModel:
        """The model in binding energy from CasaXPS's kinetic-energy fields (BE = hν − KE)."""
        hv = float(source_energy_ev)
        if not (np.isfinite(hv) and hv > 0):
            raise ParameterError(f"source energy must be positive, got {source_energy_ev!r}")

        def be(p: CasaParam) -> CasaParam:
            if p.link >= 0:
                return replace(p, value=hv - p.value, lo=-np.inf, hi=np.inf, factor=-p.factor)
            return replace(p, value=hv - p.value, lo=hv - p.hi, hi=hv - p.lo)

        comps = tuple(replace(c, position=be(c.position)) for c in components)
        reg = replace(region, lo_ev=hv - max(region.lo_ev, region.hi_ev),
                      hi_ev=hv - min(region.lo_ev, region.hi_ev))
        return cls(reg, comps)


def casa_model_from_block(block: Any, region: str | None = None, source: str = "") -> CasaModel:
    """The CasaXPS model stored in a VAMAS block (the reader's
    :class:`cald.io.vamas.VamasBlock`, used by its attributes), in binding energy of CasaXPS's
    calibrated frame (:attr:`VamasBlock.calibrated_binding_energy_ev`).

    The region is the block's ``CASA region`` named ``region`` (case ignored), else its only
    one; its components are the block's ``CASA comp`` lines with the region's tag (all of them
    when the block has one region), links renumbered within them.

    Raises
    ------
    ParameterError
        No CasaXPS region or component in the block, several regions and none named
        ``region``, a link to a component of another region; naming ``source`` and the block.
    """
    where = f"block {block.index + 1} ({block.label})"
    regions = list(block.casa_regions)
    if not regions or not block.casa_components:
        raise ParameterError(f"{where} holds no CasaXPS model (CASA region and comp lines); "
                             "fit it without --casa-model", source)
    chosen = [r for r in regions if region is not None and r.name.lower() == region.lower()]
    if not chosen and len(regions) > 1:
        raise ParameterError(f"{where} holds CasaXPS regions {', '.join(r.name for r in regions)}"
                             f"; name one with --region", source)
    reg = (chosen or regions)[0]
    keep = [i for i, c in enumerate(block.casa_components) if len(regions) == 1 or c.tag == reg.tag]
    new_index = {old: new for new, old in enumerate(keep)}

    def param(p: Any, what: str, name: str) -> CasaParam:
        if p.link >= 0 and p.link not in new_index:
            raise ParameterError(f"{where}: component {name!r} ties its {what} to component "
                                 f"{p.link} outside region {reg.name!r}", source)
        return CasaParam(float(p.value), float(p.lower), float(p.upper),
                         new_index.get(p.link, -1), float(p.factor))

    comps = [CasaComponent(c.name, c.lineshape, param(c.area, "area", c.name),
                           param(c.fwhm_ev, "FWHM", c.name),
                           param(c.position_ke_ev, "position", c.name), c.rsf)
             for c in (block.casa_components[i] for i in keep)]
    if not comps:
        raise ParameterError(f"{where}: CasaXPS region {reg.name!r} has no components", source)
    kinetic = CasaRegion(reg.name, reg.background, float(reg.start_ke_ev), float(reg.end_ke_ev),
                         tuple(float(v) for v in reg.cross_section), int(reg.av_width),
                         float(reg.rsf))
    return CasaModel.from_kinetic(kinetic, comps, float(block.source_energy_ev))


def casa_background(region: CasaRegion) -> tuple[str, tuple[float, ...], int]:
    """(cald background name, its parameters, n_average) for a CasaXPS region."""
    name = " ".join(region.background.split()).lower()
    n_average = 2 * max(int(region.av_width), 0) + 1
    if name == "shirley":
        return "shirley_iterative", (), n_average
    if name in ("u 2 tougaard", "u 3 tougaard"):
        if len(region.background_params) != 4:
            raise ParameterError(f"region {region.name!r}: {region.background} needs 4 "
                                 f"cross-section fields, got {region.background_params!r}")
        return "tougaard", tuple(float(v) for v in region.background_params), n_average
    if name == "linear":
        return "linear", (), n_average
    if name in ("none", ""):
        return "none", (), n_average
    raise ParameterError(f"region {region.name!r}: CasaXPS background {region.background!r} is not "
                         "supported (cald knows Shirley, U 2 Tougaard, U 3 Tougaard, Linear, None)")


def _unique_names(components: Sequence[CasaComponent]) -> list[str]:
    names = [c.name for c in components]
    return [n if names.count(n) == 1 else f"{n} #{i}" for i, n in enumerate(names)]


def casa_components(model: CasaModel) -> list[ComponentSpec]:
    """cald's :class:`ComponentSpec` s for the model: CasaXPS's values as starts, its limits as
    bounds, its links as ties (names made unique with ``#index`` where CasaXPS repeats them).

    Raises
    ------
    ParameterError
        A link to a component that does not exist or to itself.
    """
    names = _unique_names(model.components)

    def link(c: CasaParam, i: int, what: str) -> tuple[str, float] | None:
        if c.link < 0:
            return None
        if c.link >= len(names) or c.link == i:
            raise ParameterError(f"component {names[i]!r}: {what} link {c.link} names no other "
                                 f"component (0…{len(names) - 1})")
        return names[c.link], float(c.factor)

    def bounds(c: CasaParam, floor: float) -> tuple[float, float]:
        lo, hi = max(c.lo, floor), c.hi
        return (lo, hi) if lo < hi else (floor, np.inf)

    out = []
    for i, (c, name) in enumerate(zip(model.components, names, strict=True)):
        pos_lo, pos_hi = min(c.position.lo, c.position.hi), max(c.position.lo, c.position.hi)
        out.append(ComponentSpec(
            name, float(c.position.value), c.lineshape, float(c.fwhm.value), float(c.area.value),
            be_bounds_ev=(pos_lo, pos_hi) if pos_lo < pos_hi else None,
            fwhm_bounds_ev=bounds(c.fwhm, 1e-3), area_bounds=bounds(c.area, 0.0),
            be_link=link(c.position, i, "position"), fwhm_link=link(c.fwhm, i, "FWHM"),
            area_link=link(c.area, i, "area"), rsf=c.rsf))
    return out


@dataclass(frozen=True)
class CasaComparison:
    """cald's refit of a CasaXPS model beside CasaXPS's values.

    Attributes
    ----------
    rows
        One per component: ``name``, ``lineshape``, ``casa_be_ev``, ``cald_be_ev``, ``d_be_ev``,
        ``casa_fwhm_ev``, ``cald_fwhm_ev``, ``d_fwhm_ev``, ``casa_area_pct``, ``cald_area_pct``,
        ``d_area_pct`` (d = cald − CasaXPS), ``cald_be_ev_err``, ``approximate_lineshape``.
    result
        cald's fit.
    """

    rows: tuple[dict[str, Any], ...]
    result: XpsFitResult

    @property
    def max_abs_d_be_ev(self) -> float:
        """Largest |cald − CasaXPS| position difference, eV."""
        return max(abs(r["d_be_ev"]) for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        """``casa_comparison`` rows and cald's fit."""
        return {"casa_comparison": list(self.rows), "fit": self.result.to_dict()}


def fit_casa_model(energy_ev: ArrayLike, intensity: ArrayLike, model: CasaModel,
                   intensity_unit: str = "counts", acquisition_s: float | None = None,
                   source: str = "") -> CasaComparison:
    """Refit a region with CasaXPS's stored background, line shapes, limits and links, and report
    cald's position, FWHM and area % beside CasaXPS's.

    ``energy_ev`` is binding energy in the frame of the model (:meth:`CasaModel.from_kinetic`).
    Positions and FWHMs compare parameters (for LA/LF the Lorentzian's, not the apex), as
    CasaXPS reports them; area % is each area over the region's total.
    """
    background, bg_params, n_average = casa_background(model.region)
    specs = casa_components(model)
    result = fit_xps_region(energy_ev, intensity, specs, (model.region.lo_ev, model.region.hi_ev),
                            background, bg_params, n_average, intensity_unit, acquisition_s, source)
    casa_total = sum(c.area.value for c in model.components)
    rows = []
    for c, fitted in zip(model.components, result.components, strict=True):
        casa_pct = 100.0 * c.area.value / casa_total if casa_total > 0 else float("nan")
        cald_pct = 100.0 * fitted.area_fraction.value
        rows.append({
            "name": fitted.name, "lineshape": c.lineshape,
            "casa_be_ev": c.position.value, "cald_be_ev": fitted.be_ev.value,
            "d_be_ev": fitted.be_ev.value - c.position.value, "cald_be_ev_err": fitted.be_ev.stderr,
            "casa_fwhm_ev": c.fwhm.value, "cald_fwhm_ev": fitted.fwhm_ev.value,
            "d_fwhm_ev": fitted.fwhm_ev.value - c.fwhm.value,
            "casa_area_pct": casa_pct, "cald_area_pct": cald_pct, "d_area_pct": cald_pct - casa_pct,
            "approximate_lineshape": fitted.approximate})
    return CasaComparison(tuple(rows), result)
