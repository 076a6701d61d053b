"""CasaXPS's processing lines in VAMAS block comments: regions, components, calibration.

CasaXPS stores its analysis of a block in the block's comment, after a ``Casa Info Follows``
line, one line per item (field order as checked against CasaXPS's own files, see
``tests/data/xps/README.md``):

``CASA region (*name*) (*background*) start end RSF av_width start_offset% end_offset% c1 c2 c3 c4``
    ``… (*tag*) [mass unknown uncorrected_RSF]``: a quantification region.
    Background type (``Shirley``, ``Linear``, ``U 2 Tougaard``, …),
    its limits as kinetic energies, the number of points averaged at each end (2·av_width + 1)
    and four cross-section parameters whose meaning depends on the background (``U 3 Tougaard``:
    B, C, D, T₀).
``CASA comp (*name*) (*lineshape*) Area v lo hi link k MFWHM v lo hi link k Position v lo hi link d``
    ``… RSF r MASS m INDEX i (*tag*) [CONST (*expr*) UNCORRECTEDRSF r0]``: a component.
    Value, limits and tie of its area (CPS·eV, integral over the whole axis), FWHM
    parameter (eV) and position (kinetic energy, eV). ``link = -1``: free within [lo, hi]
    (the last number is then meaningless); ``link = j ≥ 0``: tied to component j of the same
    block (0-based, in file order), area and FWHM as ``k × value(j)``, position as
    ``value(j) + d``. CasaXPS ≤ 2.3.15 ends the line after the tag.
``Calib M = measured A = assigned BE ADD``
    A charge calibration: the binding-energy shift ``A − M`` is added to the data; several lines
    add up. A range form ``M = lo,hi`` (CasaXPS finds the peak in the range) cannot be
    reproduced from the file and is reported with no shift.

Positions and region limits are stored in CasaXPS's calibrated frame: the kinetic energy of the
recorded data at the same point is the stored value plus the summed calibration shift s (a BE
shift +s is a KE shift −s), and CasaXPS shows the binding energy ``hν − stored KE``. The
lineshape is kept as its string (``GL(30)``, ``LA(1.53,243)``); :mod:`cald.surface` parses it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["CasaCalibration", "CasaComponent", "CasaParameter", "CasaRegion", "parse_calibration",
           "parse_casa_lines", "parse_component", "parse_region", "tied_value", "tokens"]

_TOKEN = re.compile(r"\(\*(.*?)\*\)|(\S+)")
_CALIB = re.compile(r"^Calib\s+M\s*=\s*(?P<m>[^=]*?)\s+A\s*=\s*(?P<a>\S+)\s+BE\s+ADD\b")
#: Parameters of a component and the attribute each is stored under.
_COMP_PARAMS = {"Area": "area", "MFWHM": "fwhm_ev", "Position": "position_ke_ev"}


class CasaLineError(ValueError):
    """A ``CASA``/``Calib`` line that does not have the expected fields (the reader adds the file
    and block)."""


@dataclass(frozen=True)
class CasaParameter:
    """One fitted quantity of a CasaXPS component with its limits and tie.

    Attributes
    ----------
    value
        The stored value.
    lower, upper
        Limits of a free parameter (meaningless for a tied one; CasaXPS writes ``0 0`` for a tied
        position).
    link
        ``-1``: free; ``j ≥ 0``: tied to component ``j`` of the same block.
    factor
        Multiplier (area, FWHM) or offset in eV of kinetic energy (position) of a tie.
    """

    value: float
    lower: float
    upper: float
    link: int
    factor: float

    @property
    def free(self) -> bool:
        """True when the parameter is not tied to another component."""
        return self.link < 0


@dataclass(frozen=True)
class CasaComponent:
    """One ``CASA comp`` line.

    Attributes
    ----------
    name, lineshape
        The component's name and its CasaXPS lineshape string (``"GL(30)"``).
    area
        Area in CPS·eV (integral over the whole axis, CPS = counts / (dwell × scans)).
    fwhm_ev
        CasaXPS's FWHM parameter (eV): the width parameter of the lineshape, not the measured
        width of an asymmetric or product-form curve.
    position_ke_ev
        Position as kinetic energy (eV) in CasaXPS's calibrated frame.
    rsf, uncorrected_rsf
        The relative sensitivity factor used and the library value (``None`` in old files).
    mass_amu
        Atomic mass of the element (amu).
    index, tag, constraint
        CasaXPS's grouping index, tag and constraint expression (``""`` when absent).
    be_ev
        Binding energy of the position on the data's own axis: ``hν − (position + s)`` with s the
        block's calibration shift (the point of :attr:`VamasBlock.binding_energy_ev` where the
        component sits).
    calibrated_be_ev
        The binding energy CasaXPS shows: ``hν − position`` (= ``be_ev + s``).
    """

    name: str
    lineshape: str
    area: CasaParameter
    fwhm_ev: CasaParameter
    position_ke_ev: CasaParameter
    rsf: float
    mass_amu: float
    index: int
    tag: str
    constraint: str
    uncorrected_rsf: float | None
    be_ev: float = math.nan
    calibrated_be_ev: float = math.nan


@dataclass(frozen=True)
class CasaRegion:
    """One ``CASA region`` line.

    Attributes
    ----------
    name, background
        Region name and CasaXPS background type (``"Shirley"``, ``"U 2 Tougaard"``, …).
    start_ke_ev, end_ke_ev
        Limits as kinetic energies (eV) in CasaXPS's calibrated frame.
    rsf
        Relative sensitivity factor.
    av_width
        Points averaged at each end of the background: ``2 × av_width + 1``.
    start_offset_percent, end_offset_percent
        Offsets applied to the background's end levels (%).
    cross_section
        The four background parameters (``U 3 Tougaard``: B, C, D, T₀).
    tag
        CasaXPS's tag.
    mass_amu, uncorrected_rsf
        Trailing fields of newer files (``None`` when absent).
    be_min_ev, be_max_ev
        The limits as binding energies on the data's own axis (see :attr:`CasaComponent.be_ev`).
    """

    name: str
    background: str
    start_ke_ev: float
    end_ke_ev: float
    rsf: float
    av_width: int
    start_offset_percent: float
    end_offset_percent: float
    cross_section: tuple[float, float, float, float]
    tag: str
    mass_amu: float | None
    uncorrected_rsf: float | None
    be_min_ev: float = math.nan
    be_max_ev: float = math.nan


@dataclass(frozen=True)
class CasaCalibration:
    """One ``Calib … BE ADD`` line: measured and assigned binding energies (eV).

    ``measured_ev`` is ``None`` for the range form ``M = lo,hi`` (then ``shift_ev`` is ``None``:
    the peak CasaXPS found in the range is not in the file)."""

    measured_ev: float | None
    assigned_ev: float
    line: str

    @property
    def shift_ev(self) -> float | None:
        """Binding-energy shift added to the data (eV), ``A − M``."""
        return None if self.measured_ev is None else self.assigned_ev - self.measured_ev


def tokens(line: str) -> list[str]:
    """Split a CASA line into fields: ``(*…*)`` strings (contents kept, spaces included) and
    whitespace-separated words."""
    return [s if w == "" else w for s, w in _TOKEN.findall(line)]


def _float(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CasaLineError(f"{what}: not a number: {text!r}") from None
    if not math.isfinite(value):
        raise CasaLineError(f"{what}: not a finite number: {text!r}")
    return value


def _int(text: str, what: str) -> int:
    value = _float(text, what)
    if value != int(value):
        raise CasaLineError(f"{what}: not an integer: {text!r}")
    return int(value)


def parse_component(line: str) -> CasaComponent:
    """Parse one ``CASA comp`` line (without the frame-dependent binding energies).

    Raises
    ------
    CasaLineError
        A missing name, lineshape or Area/MFWHM/Position group, or a field that is not a number.
    """
    raw = re.findall(r"\(\*(.*?)\*\)", line)
    fields = tokens(line[len("CASA comp"):])
    if len(raw) < 2:
        raise CasaLineError("CASA comp: name and lineshape (*…*) expected")
    name, shape = raw[0], raw[1]
    words = fields[2:]
    values: dict[str, CasaParameter] = {}
    extra: dict[str, str] = {}
    strings = iter(raw[2:])
    i = 0
    while i < len(words):
        key = words[i]
        if key in _COMP_PARAMS:
            group = words[i + 1:i + 6]
            if len(group) < 5:
                raise CasaLineError(f"CASA comp {name!r}: {key} needs value, limits, link, factor")
            v, lo, hi = (_float(g, f"{key} of {name!r}") for g in group[:3])
            link = _int(group[3], f"{key} link of {name!r}")
            values[_COMP_PARAMS[key]] = CasaParameter(v, lo, hi, link,
                                                      _float(group[4], f"{key} of {name!r}"))
            i += 6
        elif key in ("RSF", "MASS", "INDEX", "UNCORRECTEDRSF") and i + 1 < len(words):
            extra[key] = words[i + 1]
            i += 2
            if key == "INDEX":  # followed by the (*tag*)
                extra["TAG"] = next(strings, "")
                i += 1
        elif key == "CONST":
            extra["CONST"] = next(strings, "")
            i += 2
        else:
            i += 1
    missing = [k for k, attr in _COMP_PARAMS.items() if attr not in values]
    if missing:
        raise CasaLineError(f"CASA comp {name!r}: no {', '.join(missing)}")
    return CasaComponent(
        name=name, lineshape=shape, area=values["area"], fwhm_ev=values["fwhm_ev"],
        position_ke_ev=values["position_ke_ev"],
        rsf=_float(extra.get("RSF", "1"), f"RSF of {name!r}"),
        mass_amu=_float(extra.get("MASS", "0"), f"MASS of {name!r}"),
        index=_int(extra.get("INDEX", "-1"), f"INDEX of {name!r}"),
        tag=extra.get("TAG", ""), constraint=extra.get("CONST", ""),
        uncorrected_rsf=(_float(extra["UNCORRECTEDRSF"], f"UNCORRECTEDRSF of {name!r}")
                         if "UNCORRECTEDRSF" in extra else None))


def parse_region(line: str) -> CasaRegion:
    """Parse one ``CASA region`` line (without the frame-dependent binding energies).

    Raises
    ------
    CasaLineError
        Fewer than the 10 numbers after the name and background, or a field that is not a
        number.
    """
    raw = re.findall(r"\(\*(.*?)\*\)", line)
    if len(raw) < 2:
        raise CasaLineError("CASA region: name and background (*…*) expected")
    name = raw[0]
    words = tokens(line[len("CASA region"):])[2:]
    nums = [_float(w, f"CASA region {name!r}") for w in words[:10]]
    if len(nums) < 10:
        raise CasaLineError(f"CASA region {name!r}: 10 numbers expected after the background")
    tail = [_float(w, f"CASA region {name!r}") for w in words[11:14]]
    av_width = nums[3]
    if av_width != int(av_width) or av_width < 0:
        raise CasaLineError(f"CASA region {name!r}: average width must be a whole number ≥ 0")
    return CasaRegion(
        name=name, background=raw[1], start_ke_ev=nums[0], end_ke_ev=nums[1], rsf=nums[2],
        av_width=int(av_width), start_offset_percent=nums[4], end_offset_percent=nums[5],
        cross_section=(nums[6], nums[7], nums[8], nums[9]), tag=raw[2] if len(raw) > 2 else "",
        mass_amu=tail[0] if tail else None, uncorrected_rsf=tail[2] if len(tail) > 2 else None)


def parse_calibration(line: str) -> CasaCalibration:
    """Parse one ``Calib M = … A = … BE ADD`` line.

    Raises
    ------
    CasaLineError
        The line does not have that form.
    """
    m = _CALIB.match(line.strip())
    if m is None:
        raise CasaLineError(f"calibration line not of the form 'Calib M = … A = … BE ADD': "
                            f"{line.strip()!r}")
    measured = None if "," in m["m"] else _float(m["m"], "Calib M")
    return CasaCalibration(measured, _float(m["a"], "Calib A"), line.strip())


def parse_casa_lines(comments: Sequence[str]) -> tuple[
        tuple[CasaRegion, ...], tuple[CasaComponent, ...], tuple[CasaCalibration, ...]]:
    """Regions, components and ``BE ADD`` calibrations in a block's comment lines (other
    processing lines, e.g. smoothing or ``KECalib``, are left in the comment).

    Raises
    ------
    CasaLineError
        A malformed line, or a tie to a component that does not exist (or to itself).
    """
    regions, comps, calibs = [], [], []
    for line in comments:
        text = line.strip()
        if text.startswith("CASA region"):
            regions.append(parse_region(text))
        elif text.startswith("CASA comp"):
            comps.append(parse_component(text))
        elif text.startswith("Calib ") and text.endswith("BE ADD"):
            calibs.append(parse_calibration(text))
    for i in range(len(comps)):
        for attr in _COMP_PARAMS.values():
            tied_value(comps, i, attr)
    return tuple(regions), tuple(comps), tuple(calibs)


def tied_value(components: Sequence[CasaComponent], i: int, attr: str) -> float:
    """The value of parameter ``attr`` (``"area"``, ``"fwhm_ev"``, ``"position_ke_ev"``) of
    component ``i`` computed from its tie: its own value when free, ``k × value(j)`` for an area
    or FWHM tied to component j, ``value(j) + d`` for a position (chains followed).

    Raises
    ------
    CasaLineError
        The tie names a component that does not exist, or the ties form a cycle.
    """
    seen = {i}
    scale, offset = 1.0, 0.0
    while True:
        p: CasaParameter = getattr(components[i], attr)
        if p.free:
            return scale * p.value + offset
        j = p.link
        if j >= len(components):
            raise CasaLineError(f"CASA comp {components[i].name!r}: {attr} tied to component "
                                f"{j}, but the block has {len(components)}")
        if j in seen:
            raise CasaLineError(f"CASA comp {components[i].name!r}: {attr} ties form a cycle")
        seen.add(j)
        if attr == "position_ke_ev":
            offset += p.factor
        else:
            scale *= p.factor
        i = j
