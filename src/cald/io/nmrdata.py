"""The vendor-neutral raw NMR data set: what every raw-data reader hands to the processing.

A reader of a vendor's raw data (Bruker ``fid``/``ser`` folders, Varian/Agilent ``.fid``
folders, …) returns an object that satisfies :class:`NmrDataset`: the complex FID or the rows
of a series, read on demand, with everything the processing in :mod:`cald.nmr` needs to turn it
into a spectrum in cald's conventions, translated once at the io boundary:

* the time axis: ``dwell_s`` between complex points, and the first-point convention as
  ``group_delay`` (dwell times by which the signal's time origin lies after the first stored
  point; removed by :func:`cald.nmr.processing.fourier_transform` as a first-order phase of
  360°·``group_delay``, TopSpin's convention; 0 for data whose first point is t = 0);
* the frequency axis: ``sf_mhz`` (the frequency of 0 ppm, with the vendor's referencing
  applied) and ``carrier_mhz`` (the frequency at the centre of the spectral window); a point at
  ν Hz from the carrier lies at (carrier + ν − sf)/sf ppm; spectra come out with high ppm left;
* the nucleus (an isotope symbol of :mod:`cald.nuclei`), the stored processing as
  :class:`~cald.processing_options.ProcessingOptions`, scans and receiver gain;
* arrays: ``arrays`` maps the name of every arrayed parameter to its values, one per row of the
  series, with the unit (:class:`ArrayedValues`): loop counts, delays, gradient strengths;
* ``rotor_period_s`` when the file states the MAS rate, the CPMG echo period when it does;
* ``acquisition_settings()``: the settings that must agree for two acquisitions to be compared
  (a DNP on/off pair), each with its tolerance.

:func:`read_raw` reads any raw folder: the format is named (the project file's data-set kind) or
detected from the files present (:data:`RAW_FORMATS`; a folder that looks like two formats is an
error). :func:`raw_signal` and :func:`raw_row_blocks` turn a data set into time-domain
:class:`~cald.spectrum.Spectrum` objects, whole or a few rows at a time.
"""

from __future__ import annotations

import importlib
import math
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from cald.errors import DataFileError
from cald.processing_options import ProcessingOptions
from cald.spectrum import Spectrum

__all__ = [
    "ROW_BLOCK_POINTS",
    "RAW_FORMATS",
    "ArrayedValues",
    "NmrDataset",
    "RawFormat",
    "detect_raw_format",
    "folder_of",
    "gain_from_db",
    "is_raw",
    "raw_row_blocks",
    "raw_signal",
    "read_raw",
]

#: Units of :class:`ArrayedValues`: seconds, loop counts, gradient strength, temperature,
#: or a number without unit.
ARRAY_UNITS = ("s", "count", "G/cm", "K", "")


@dataclass(frozen=True)
class ArrayedValues:
    """The values of one arrayed parameter, one per row of a series (in row order).

    Attributes
    ----------
    name
        The vendor's name of the parameter or list (``vclist``, ``vdlist``, ``ncyc``, ``d2``).
    values
        One value per row (a Bruker list may hold more entries than the series has rows).
    unit
        One of :data:`ARRAY_UNITS` (``"count"``: a loop counter, e.g. rotor periods).
    """

    name: str
    values: NDArray[np.float64]
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in ARRAY_UNITS:
            raise ValueError(f"unit {self.unit!r} not one of {ARRAY_UNITS}")


@runtime_checkable
class NmrDataset(Protocol):
    """A raw NMR data set of any vendor (see the module docstring for the conventions).

    :class:`cald.io.bruker.BrukerDataset` and :class:`cald.io.varian.VarianDataset` satisfy it.
    """

    @property
    def path(self) -> Path:
        """The folder (or file) the data set was read from."""

    @property
    def parameter_file(self) -> Path:
        """The file holding the acquisition parameters (``acqus``, ``procpar`` …), named in
        errors about them."""

    @property
    def vendor(self) -> str:
        """The format's name in :data:`RAW_FORMATS` (``"bruker"``, ``"varian"`` …)."""

    @property
    def nucleus(self) -> str:
        """Observed isotope (``"13C"``)."""

    @property
    def sf_mhz(self) -> float:
        """Frequency of 0 ppm (MHz), the vendor's referencing applied."""

    @property
    def carrier_mhz(self) -> float:
        """Frequency at the centre of the spectral window (MHz)."""

    @property
    def sw_hz(self) -> float:
        """Spectral width (Hz)."""

    @property
    def dwell_s(self) -> float:
        """Time between complex points, 1/``sw_hz`` (s)."""

    @property
    def group_delay(self) -> float:
        """Time origin of the signal after the first stored point, in dwell times (the
        digital-filter delay; 0 when the first point is t = 0)."""

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the complex data: (points,) or (rows, points), known without reading."""

    @property
    def is_series(self) -> bool:
        """True for a series of FIDs (pseudo-2D, arrayed or 2D experiment)."""

    @property
    def raw(self) -> NDArray[np.complex128]:
        """All complex points, shape :attr:`shape` (read on first use)."""

    def read_rows(self, start: int, stop: int) -> NDArray[np.complex128]:
        """Rows ``start:stop`` (0-based) of a series as complex points, shape (rows, points)."""

    @property
    def processing(self) -> ProcessingOptions:
        """The stored processing parameters (defaults when the data set has none)."""

    @property
    def title(self) -> str:
        """The sample title or comment stored with the data (empty when none)."""

    @property
    def arrays(self) -> Mapping[str, ArrayedValues]:
        """Arrayed parameters by name, in the order the vendor lists them."""

    @property
    def rotor_period_s(self) -> float | None:
        """Rotor period 1/ν_r (s) from the stored MAS rate, ``None`` when not stored."""

    @property
    def cpmg_echo_period_s(self) -> float | None:
        """Time between echo tops of a CPMG acquisition (s), ``None`` when not stored."""

    @property
    def scans(self) -> int:
        """Number of scans accumulated (per row)."""

    @property
    def receiver_gain(self) -> float:
        """Receiver gain as an amplitude factor (Bruker RG; a gain in dB, as VnmrJ's, as
        10^(dB/20)), for intensity ratios between acquisitions of one vendor."""

    def acquisition_settings(self) -> dict[str, tuple[Any, float | None]]:
        """Settings that must agree for two acquisitions to be compared (other than scans and
        receiver gain): name → (value, relative tolerance; ``None``: must be equal)."""

    def meta(self) -> dict[str, Any]:
        """Acquisition facts a processed spectrum carries along (``group_delay`` and
        ``nucleus`` among them)."""


#: A receiver gain beyond ± this many dB is a damaged file, not a gain (consoles use tens of dB).
GAIN_LIMIT_DB = 200.0


def gain_from_db(db: float, key: str, source: Path) -> float:
    """A receiver gain stated in dB (parameter ``key`` of ``source``) as the amplitude factor
    10^(dB/20) of :attr:`NmrDataset.receiver_gain`.

    Raises
    ------
    DataFileError
        When ``db`` is not finite or beyond ±:data:`GAIN_LIMIT_DB`.

    Examples
    --------
    >>> round(gain_from_db(20.0, "gain", Path("procpar")), 6)
    10.0
    """
    if not (math.isfinite(db) and -GAIN_LIMIT_DB <= db <= GAIN_LIMIT_DB):
        raise DataFileError(f"parameter {key} = {db:g} dB is out of range (±{GAIN_LIMIT_DB:g} dB)",
                            source)
    return float(10.0 ** (db / 20.0))


def raw_signal(ds: NmrDataset, rows: tuple[int, int] | None = None) -> Spectrum:
    """The raw FID (or series) as a time-domain :class:`Spectrum` (digital filter still in);
    with ``rows`` = (start, stop) only those rows of a series (0-based, stop excluded)."""
    n = ds.shape[-1]
    axis = np.arange(n, dtype=np.float64) * ds.dwell_s
    values = ds.raw if rows is None else ds.read_rows(*rows)
    return Spectrum(values, axis, "s", ds.nucleus, ds.sf_mhz, ds.carrier_mhz, str(ds.path),
                    ("read raw data",), ds.meta())


#: Complex points per block of :func:`raw_row_blocks` by default (16 MB of complex128).
ROW_BLOCK_POINTS = 1 << 20


def raw_row_blocks(ds: NmrDataset, block_points: int | None = ROW_BLOCK_POINTS) -> Iterator[Spectrum]:
    """The rows of a series as time-domain spectra of a few rows each (as :func:`raw_signal`),
    at most ``block_points`` complex points a block (at least one row); ``None``: one block
    of all rows. Only the rows of the current block are read into memory."""
    if not ds.is_series:
        raise DataFileError("not a series (a single FID)", ds.path)
    n_rows, n = ds.shape
    per_block = n_rows if block_points is None else max(1, block_points // max(n, 1))
    for start in range(0, max(n_rows, 1), max(per_block, 1)):
        yield raw_signal(ds, (start, min(start + per_block, n_rows)))


@dataclass(frozen=True)
class RawFormat:
    """A raw-data format: its name (the project file's data-set kind), a short label, the
    files that mark a folder of it (for messages), how to recognise a folder of it and the
    reader (``module:function``, called as ``reader(path, grpdly=…)``)."""

    name: str
    label: str
    files: str
    detect: Callable[[Path], bool]
    reader: str

    def read(self, path: Path, grpdly: float | None = None) -> NmrDataset:
        """Read ``path`` with this format's reader."""
        module, function = self.reader.split(":")
        read: Callable[..., NmrDataset] = getattr(importlib.import_module(module), function)
        return read(path, grpdly=grpdly)


def folder_of(path: Path, data_files: tuple[str, ...]) -> Path | None:
    """The data-set folder of ``path`` for a format stored as a folder: ``path`` itself, or its
    parent when ``path`` is one of the format's ``data_files`` (``fid``, ``acqus`` …); ``None``
    for any other file (a CSV exported next to the raw data is not the raw data)."""
    if path.is_dir():
        return path
    return path.parent if path.name in data_files else None


def _is_bruker(path: Path) -> bool:
    folder = folder_of(path, ("fid", "ser", "acqus"))
    if folder is None:
        return False
    if folder.parent.name == "pdata":  # …/expno/pdata/N
        folder = folder.parent.parent
    return (folder / "acqus").is_file()


def _is_varian(path: Path) -> bool:
    folder = folder_of(path, ("fid", "procpar"))
    return folder is not None and (folder / "procpar").is_file() and (folder / "fid").is_file()


def _is_jeol(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".jdf"


def _is_tecmag(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".tnt"


def _is_nmrml(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".nmrml"


def _is_spinsolve(path: Path) -> bool:
    folder = folder_of(path, ("acqu.par", "proc.par", "data.1d", "data.2d"))
    return folder is not None and (folder / "acqu.par").is_file() and any(
        (folder / name).is_file() for name in ("data.1d", "data.2d"))


def _is_rs2d(path: Path) -> bool:
    folder = folder_of(path, ("header.xml", "data.dat"))
    return folder is not None and (folder / "header.xml").is_file() and \
        (folder / "data.dat").is_file()



#: The raw formats :func:`read_raw` knows, by name.
RAW_FORMATS: dict[str, RawFormat] = {
    "bruker": RawFormat("bruker", "Bruker TopSpin/XWIN-NMR", "acqus", _is_bruker,
                        "cald.io.bruker:read_bruker"),
    "varian": RawFormat("varian", "Varian/Agilent VnmrJ", "procpar and fid", _is_varian,
                        "cald.io.varian:read_varian"),
    "jeol": RawFormat("jeol", "JEOL Delta", "a .jdf file", _is_jeol, "cald.io.jeol:read_jeol"),
    "spinsolve": RawFormat("spinsolve", "Magritek Spinsolve", "acqu.par and data.1d/data.2d",
                           _is_spinsolve, "cald.io.spinsolve:read_spinsolve"),
    "tecmag": RawFormat("tecmag", "Tecmag TNMR", "a .tnt file", _is_tecmag,
                        "cald.io.tecmag:read_tecmag"),
    "rs2d": RawFormat("rs2d", "RS2D SPINit", "header.xml and data.dat", _is_rs2d,
                      "cald.io.rs2d:read_rs2d"),
    "nmrml": RawFormat("nmrml", "nmrML", "a .nmrML file", _is_nmrml,
                       "cald.io.nmrml:read_nmrml"),
}


def detect_raw_format(path: str | os.PathLike[str]) -> str:
    """The name of the raw format of ``path`` (a folder or a file in it).

    Raises
    ------
    DataFileError
        When no format or more than one recognises the folder.
    """
    p = Path(path)
    if not p.exists():
        raise DataFileError("no such folder", p)
    found = [name for name, fmt in RAW_FORMATS.items() if fmt.detect(p)]
    if not found:
        raise DataFileError("not a raw NMR data set: missing "
                            + " / ".join(f"{f.files} ({f.label})" for f in RAW_FORMATS.values()),
                            p)
    if len(found) > 1:
        raise DataFileError(f"looks like {' and '.join(found)} data at once; keep one data set "
                            "per folder", p)
    return found[0]


def is_raw(path: str | os.PathLike[str]) -> bool:
    """True for a folder, or a file that some raw format recognises (a raw source for
    :func:`read_raw`, not a spectrum file such as JCAMP-DX or CSV)."""
    p = Path(path)
    return p.is_dir() or (p.is_file() and any(f.detect(p) for f in RAW_FORMATS.values()))


def read_raw(path: str | os.PathLike[str], kind: str | None = None,
             grpdly: float | None = None) -> NmrDataset:
    """Read a raw NMR data set of any known format.

    Parameters
    ----------
    path
        The data set's folder (or a file in it).
    kind
        Format name of :data:`RAW_FORMATS`; default: detected (:func:`detect_raw_format`).
    grpdly
        First-point (digital-filter) delay in dwell times overriding the stored value.
    """
    p = Path(path)
    name = detect_raw_format(p) if kind is None else kind
    if name not in RAW_FORMATS:
        raise DataFileError(f"unknown raw format {name!r}; known: {', '.join(RAW_FORMATS)}", p)
    return RAW_FORMATS[name].read(p, grpdly)
