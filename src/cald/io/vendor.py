"""What the JEOL, Magritek Spinsolve, Tecmag, RS2D and nmrML readers share.

These formats are read whole (their files are small next to a Bruker ``ser``), each by its own
module on nmrglue's parsers where nmrglue has a usable one, and translated once into a
:class:`VendorDataset`, which satisfies :class:`cald.io.nmrdata.NmrDataset`: the processing in
:mod:`cald.nmr` then treats them exactly like Bruker and Varian data.

Every reader checks the sizes a header claims against the bytes the file holds before it
allocates anything, and turns whatever a damaged file makes a parser raise into one
:class:`~cald.errors.DataFileError` line naming the file (:func:`parsing`).
"""

from __future__ import annotations

import binascii
import math
import re
import struct
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import numpy as np
from numpy.typing import NDArray

from cald.errors import DataFileError, InputError
from cald.io.nmrdata import ArrayedValues
from cald.processing_options import ProcessingOptions

__all__ = ["MAX_POINTS", "VendorDataset", "check_points", "isotope_symbol", "parsing",
           "positive"]

#: Complex points a data set may claim at most (a corrupt header is an error, not an allocation).
MAX_POINTS = 1 << 28

#: Element names vendors write in full (JEOL ``Carbon13``, nmrML's ChEBI ``carbon-13 atom``).
_ELEMENT_NAMES = {
    "hydrogen": "H", "proton": "H", "deuterium": "H", "carbon": "C", "nitrogen": "N",
    "oxygen": "O", "fluorine": "F", "sodium": "Na", "aluminum": "Al", "aluminium": "Al",
    "silicon": "Si", "phosphorus": "P", "selenium": "Se", "cadmium": "Cd", "lithium": "Li",
    "boron": "B", "tin": "Sn", "platinum": "Pt", "xenon": "Xe", "vanadium": "V",
    "cesium": "Cs", "caesium": "Cs", "potassium": "K", "zinc": "Zn", "lead": "Pb",
    "sulfur": "S", "chlorine": "Cl", "gallium": "Ga", "yttrium": "Y", "titanium": "Ti",
}
#: Names that carry their own mass number.
_NAMED_ISOTOPES = {"proton": "1H", "hydrogen": "1H", "deuterium": "2H"}


@contextmanager
def parsing(source: Path, what: str) -> Iterator[None]:
    """Turn any error a parser raises on a damaged file into one :class:`DataFileError` line
    ("cannot read <what>: …") naming ``source``; cald's own input errors pass unchanged."""
    try:
        yield
    except InputError:
        raise
    except MemoryError:
        raise DataFileError(f"cannot read {what}: sizes beyond memory (file damaged?)",
                            source) from None
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError,
            struct.error, zlib.error, binascii.Error, ParseError, UnicodeError, EOFError,
            OSError, AssertionError, LookupError) as exc:
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise DataFileError(f"cannot read {what}: {detail} (file damaged or not this format?)",
                            source) from None


def positive(value: Any, name: str, source: Path) -> float:
    """``value`` as a finite positive float, or a :class:`DataFileError` naming ``name``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataFileError(f"{name} = {value!r} is not a number", source) from None
    if not (math.isfinite(number) and number > 0):
        raise DataFileError(f"{name} = {number:g} must be a finite positive number", source)
    return number


def check_points(shape: tuple[int, ...], available: int, source: Path, what: str) -> None:
    """Check that ``shape`` (points the header claims) is positive, not absurd and that
    ``available`` (points the file holds) covers it; otherwise a :class:`DataFileError`."""
    if not shape or any(int(n) < 1 for n in shape):
        raise DataFileError(f"{what}: sizes {tuple(int(n) for n in shape)} must be positive",
                            source)
    total = math.prod(int(n) for n in shape)
    if total > MAX_POINTS:
        raise DataFileError(f"{what}: {total} points claimed, more than any data set holds",
                            source)
    if total > available:
        raise DataFileError(f"{what}: the header claims {total} points but the file holds "
                            f"{available} (file truncated?)", source)


def isotope_symbol(text: str, source: Path, name: str = "nucleus") -> str:
    """A vendor's nucleus label as an isotope symbol: ``13C``, ``C13``, ``Carbon13``, ``H1``,
    ``Proton``, ``Fluorine19``, ``carbon-13 atom`` → ``13C``/``1H``/``19F``."""
    raw = str(text).replace("\x00", " ").strip()
    label = raw.lower().removesuffix(" atom").replace("-", "").replace(" ", "")
    if label in _NAMED_ISOTOPES:
        return _NAMED_ISOTOPES[label]
    match = re.fullmatch(r"(\d+)([a-z]+)|([a-z]+)(\d+)", label)
    if match is not None:
        mass, element = (match.group(1), match.group(2)) if match.group(1) else \
            (match.group(4), match.group(3))
        symbol = _ELEMENT_NAMES.get(element)
        if symbol is None and len(element) <= 2:
            symbol = element.capitalize()
        if symbol is not None and 0 < int(mass) < 300:
            return f"{int(mass)}{symbol}"
    raise DataFileError(f"{name} {raw!r} is not an isotope (e.g. 13C, C13, Carbon13)", source)


@dataclass(frozen=True)
class VendorDataset:
    """A raw data set read whole from a JEOL, Spinsolve, Tecmag, RS2D or nmrML file.

    Satisfies :class:`cald.io.nmrdata.NmrDataset` (see there for the conventions: ``sf_mhz``
    is the frequency of 0 ppm with the vendor's referencing, ``carrier_mhz`` the centre of the
    window, ``group_delay`` the signal's time origin after the first stored point in dwell
    times, data in the sign convention that puts high ppm left after
    :func:`cald.nmr.processing.fourier_transform`).

    Attributes
    ----------
    data
        The complex points, (points,) or (rows, points).
    parameters
        The vendor's parameters as read (for ``meta`` and inspection).
    settings
        The acquisition settings two acquisitions must share (see
        :meth:`acquisition_settings`).
    """

    path: Path
    parameter_file: Path
    vendor: str
    nucleus: str
    sf_mhz: float
    carrier_mhz: float
    sw_hz: float
    group_delay: float
    data: NDArray[np.complex128]
    processing: ProcessingOptions = field(default_factory=ProcessingOptions)
    title: str = ""
    arrays: Mapping[str, ArrayedValues] = field(default_factory=dict)
    rotor_period_s: float | None = None
    cpmg_echo_period_s: float | None = None
    scans: int = 1
    receiver_gain: float = 1.0
    settings: Mapping[str, tuple[Any, float | None]] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def dwell_s(self) -> float:
        """Time between complex points, 1/SW (s)."""
        return 1.0 / self.sw_hz

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the complex data."""
        return tuple(self.data.shape)

    @property
    def is_series(self) -> bool:
        """True for a series of FIDs (arrayed or 2D acquisition)."""
        return self.data.ndim == 2

    @property
    def raw(self) -> NDArray[np.complex128]:
        """All complex points."""
        return self.data

    def read_rows(self, start: int, stop: int) -> NDArray[np.complex128]:
        """Rows ``start:stop`` (0-based) of a series."""
        if not self.is_series:
            raise DataFileError("not a series (a single FID)", self.path)
        return self.data[start:stop]

    def acquisition_settings(self) -> dict[str, tuple[Any, float | None]]:
        """Settings that must agree for two acquisitions to be compared."""
        return dict(self.settings)

    def meta(self) -> dict[str, Any]:
        """Acquisition facts a processed spectrum carries along."""
        return {"vendor": self.vendor, "nucleus": self.nucleus, "group_delay": self.group_delay,
                "sw_hz": self.sw_hz, "ns": self.scans, "rg": self.receiver_gain}
