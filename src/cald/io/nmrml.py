"""nmrML files (``.nmrML``, the open XML exchange format): the FID of a 1D acquisition.

nmrglue's nmrML reader needs ``xmltodict``, which cald does not depend on; the document is read
here with the standard library's ElementTree and the FID decoded as the schema states it
(base64 of little-endian values, zlib-compressed when ``compressed="true"``; ``Complex128`` /
``Complex64`` pairs, or interleaved real and imaginary ``float64``/``float32``/``int32``).

What is translated here, once (checked against the processed spectrum stored in the same file
for the real files in ``tests/data/nmrml``):

* nucleus from ``acquisitionNucleus`` (ChEBI name, ``carbon-13 atom``);
* the carrier from ``irradiationFrequency`` (MHz or Hz as its unit says), SW from
  ``sweepWidth`` (Hz), the digital-filter delay from ``groupDelay`` (dwell times);
* the frequency of 0 ppm: when the file holds the processed spectrum with a ppm ``xAxis``, the
  reference that spectrum was drawn with (its first point lies SW/2 above the carrier, so
  SF = (carrier + SW/2)/(1 + start·10⁻⁶)); otherwise ``effectiveExcitationField`` given in MHz
  (the spectrometer's base frequency); a field given in tesla is refused (no reference);
* points in the order Bruker stores them (the files are Bruker conversions): cald's
  convention as they are.
"""

from __future__ import annotations

import base64
import math
import os
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np

from cald.errors import DataFileError
from cald.io.vendor import (
    MAX_POINTS,
    VendorDataset,
    check_points,
    isotope_symbol,
    parsing,
    positive,
)

__all__ = ["read_nmrml"]

_FORMATS = {"complex128": ("<c16", 1), "complex64": ("<c8", 1), "float64": ("<f8", 2),
            "float32": ("<f4", 2), "int32": ("<i4", 2), "integer": ("<i4", 2)}
#: Unit names of frequencies and their factor to MHz.
_TO_MHZ = {"megahertz": 1.0, "hertz": 1e-6, "kilohertz": 1e-3}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element: ElementTree.Element, *path: str) -> ElementTree.Element | None:
    """The first descendant along ``path`` of local tag names (namespace ignored)."""
    current: ElementTree.Element | None = element
    for name in path:
        if current is None:
            return None
        current = next((child for child in current.iter() if _local(child.tag) == name
                        and child is not current), None)
    return current


def _value(element: ElementTree.Element | None, name: str, source: Path,
           units: dict[str, float] | None = None) -> float:
    """A ``value`` attribute as a float (converted by its ``unitName`` with ``units``)."""
    if element is None or "value" not in element.attrib:
        raise DataFileError(f"{name} missing", source)
    try:
        number = float(element.attrib["value"])
    except ValueError:
        raise DataFileError(f"{name} = {element.attrib['value']!r} is not a number",
                            source) from None
    if units is not None:
        unit = element.attrib.get("unitName", "").lower().replace(" ", "")
        if unit not in units:
            raise DataFileError(f"{name} in {element.attrib.get('unitName')!r}: expected "
                                f"{' or '.join(units)}", source)
        number *= units[unit]
    if not math.isfinite(number):
        raise DataFileError(f"{name} = {number} is not finite", source)
    return number


def _decode(element: ElementTree.Element | None, name: str, source: Path,
            max_bytes: int = MAX_POINTS) -> np.ndarray:
    """The values of a ``fidData``/``spectrumDataArray`` element (at most ``max_bytes``
    decoded: a size the file cannot hold is an error, not an allocation)."""
    text = "" if element is None else (element.text or "")
    if element is None or not text.strip():
        raise DataFileError(f"{name} missing or empty", source)
    fmt = element.attrib.get("byteFormat", "").lower().removeprefix("class java.lang.")
    if fmt not in _FORMATS:
        raise DataFileError(f"{name}: byteFormat {element.attrib.get('byteFormat')!r} not "
                            f"one of {', '.join(_FORMATS)}", source)
    dtype, per_point = _FORMATS[fmt]
    raw = base64.b64decode("".join(text.split()), validate=True)
    if element.attrib.get("compressed", "false").lower() == "true":
        inflater = zlib.decompressobj()
        raw = inflater.decompress(raw, max_bytes)
        if inflater.unconsumed_tail:
            raise DataFileError(f"{name}: more than the {max_bytes} bytes its points need "
                                "uncompressed", source)
    item = np.dtype(dtype).itemsize
    if len(raw) % (item * per_point):
        raise DataFileError(f"{name}: {len(raw)} bytes are not whole {fmt} points", source)
    values = np.frombuffer(raw, dtype).astype(np.complex128 if per_point == 1 else np.float64)
    if per_point == 2:
        values = values[0::2] + 1j * values[1::2]
    if not np.all(np.isfinite(values)):
        raise DataFileError(f"{name} holds non-finite values", source)
    return values


def read_nmrml(path: str | os.PathLike[str], grpdly: float | None = None) -> VendorDataset:
    """Read the FID of a 1D nmrML file.

    Parameters
    ----------
    path
        The ``.nmrML`` file.
    grpdly
        Digital-filter delay in dwell times overriding ``groupDelay``.
    """
    p = Path(path)
    if not p.is_file():
        raise DataFileError("no such file", p)
    with parsing(p, "nmrML document"):
        root = ElementTree.parse(p).getroot()
        if _local(root.tag) != "nmrML":
            raise DataFileError(f"root element {_local(root.tag)!r} is not nmrML", p)
        acquisition = _find(root, "acquisition", "acquisition1D")
        if acquisition is None:
            raise DataFileError("no acquisition1D (only 1D acquisitions are read)", p)
        params = _find(acquisition, "acquisitionParameterSet")
        direct = _find(acquisition, "DirectDimensionParameterSet")
        if params is None or direct is None:
            raise DataFileError("acquisitionParameterSet/DirectDimensionParameterSet missing", p)
        nucleus_element = _find(direct, "acquisitionNucleus")
        if nucleus_element is None:
            raise DataFileError("acquisitionNucleus missing", p)
        nucleus = isotope_symbol(nucleus_element.attrib.get("name", ""), p, "acquisitionNucleus")
        carrier_mhz = _value(_find(direct, "irradiationFrequency"), "irradiationFrequency", p,
                             _TO_MHZ)
        sw_hz = _value(_find(direct, "sweepWidth"), "sweepWidth", p, {"hertz": 1.0})
        delay_element = _find(params, "groupDelay")
        delay = 0.0 if delay_element is None else _value(delay_element, "groupDelay", p)
        claimed = int(direct.attrib.get("numberOfDataPoints", MAX_POINTS))
        check_points((claimed,), MAX_POINTS, p, "numberOfDataPoints")
        data = _decode(_find(acquisition, "fidData"), "fidData", p, 16 * claimed)
        points = int(direct.attrib.get("numberOfDataPoints", data.size))
        if points == 2 * data.size:
            points = data.size  # TD counted as real values, Bruker's way
        check_points((points,), data.size, p, "fidData")
        data = data[:points]
        axis = _find(root, "spectrumList", "spectrum1D", "xAxis")
        if axis is not None and "parts per million" in axis.attrib.get("unitName", ""):
            start_ppm = float(axis.attrib["startValue"])
            sf_mhz = (carrier_mhz + sw_hz / 2 * 1e-6) / (1 + start_ppm * 1e-6)
        else:
            field = _find(direct, "effectiveExcitationField")
            sf_mhz = _value(field, "effectiveExcitationField (MHz; a field in tesla gives no "
                            "reference)", p, {"megahertz": 1.0})
        scans = int(params.attrib.get("numberOfScans", 1))
    positive(carrier_mhz, "irradiationFrequency", p)
    positive(sw_hz, "sweepWidth", p)
    if not (math.isfinite(sf_mhz) and sf_mhz > 0 and abs(carrier_mhz / sf_mhz - 1) < 1e-3):
        raise DataFileError(f"0 ppm at {sf_mhz:g} MHz is not near the carrier "
                            f"{carrier_mhz:g} MHz", p)
    if grpdly is not None:
        delay = float(grpdly)
    if not (math.isfinite(delay) and 0 <= delay < data.size):
        raise DataFileError(f"groupDelay = {delay:g} points does not fit the FID", p)
    meta: dict[str, Any] = {"numberOfScans": scans}
    return VendorDataset(
        path=p, parameter_file=p, vendor="nmrml", nucleus=nucleus, sf_mhz=sf_mhz,
        carrier_mhz=carrier_mhz, sw_hz=sw_hz, group_delay=delay, data=data, scans=scans,
        settings={"nucleus": (nucleus, None), "sw_hz": (sw_hz, 1e-6),
                  "points": (data.shape[-1], None), "carrier_mhz": (carrier_mhz, 1e-6)},
        parameters=meta)
