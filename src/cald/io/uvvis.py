"""UV-vis absorption spectra from CSV and from ASCII instrument exports.

Accepted layouts (comma, tab, semicolon or space separated; ``#`` comment lines ignored):

- CSV with a header row ``wavelength_nm,absorbance`` (names case-insensitive; ``wavelength``,
  ``nm``, ``lambda``, ``wl`` for the wavelength and ``absorbance``, ``abs``, ``a`` for the
  absorbance, in either column order);
- instrument exports with a header block before the data: JASCO ``.txt``/``.csv`` (the data
  follow the ``XYDATA`` line), PerkinElmer and Agilent/Cary ASCII (a header, then two numeric
  columns). The data are the longest run of consecutive lines holding two or more numbers;
  when the line just before it names the columns, the names choose them, otherwise the first
  column is the wavelength (nm) and the second the absorbance.

The ordinate and axis units come from the header when it says them (JASCO's ``YUNITS`` and
``XUNITS`` lines, or the column names): transmittance (``%T``, ``TRANSMITTANCE``; percent when
its values exceed 1.5) becomes absorbance A = −log₁₀ T, a wavenumber axis (``1/CM``) or one in
µm becomes nm, each with a note in the history; reflectance is refused (not an absorbance).

The returned :class:`~cald.spectrum.Spectrum` has its axis in nm, ascending whatever the file
order; points above the saturation absorbance (and T ≤ 0) are dropped, with a note in the
history.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np

from cald.errors import DataFileError, ParameterError
from cald.spectrum import Spectrum

__all__ = ["DEFAULT_SATURATION_ABSORBANCE", "read_uvvis"]

#: Absorbance above which a point is taken as saturated and dropped.
DEFAULT_SATURATION_ABSORBANCE = 3.0
#: Largest file read (bytes): a UV-vis export is a few hundred kB at most.
MAX_BYTES = 50_000_000
#: Longest wavelength accepted (nm): beyond the near infrared a column is not a wavelength.
MAX_WAVELENGTH_NM = 5000.0
#: Fewest points a spectrum must keep.
MIN_POINTS = 5

_WAVELENGTH_NAMES = ("wavelength_nm", "wavelength", "nm", "lambda", "wl", "wavelength (nm)")
_ABSORBANCE_NAMES = ("absorbance", "abs", "a", "absorbance (a.u.)", "abs.", "a.u.")
_TRANSMITTANCE_NAMES = ("%t", "t%", "t", "transmittance", "transmittance (%)", "%transmittance")
_UNIT_LINE = re.compile(r"^\s*([XY])UNITS\s*[,;:\t =]\s*(.+?)\s*$", re.I)
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _split(line: str) -> list[str]:
    for delim in ("\t", ";", ","):
        if delim in line:
            return [c.strip().strip('"').strip() for c in line.split(delim)]
    return line.split()


def _numbers(cells: list[str]) -> list[float] | None:
    cells = [c for c in cells if c]
    if len(cells) < 2 or not all(_NUMBER.match(c) for c in cells):
        return None
    return [float(c) for c in cells]


def _columns(header: list[str] | None, n_cells: int) -> tuple[int, int, bool]:
    """Indices of the wavelength and ordinate columns from a header row (or 0, 1), and whether
    the ordinate column is named as a transmittance."""
    if header is None or len(header) != n_cells:
        return 0, 1, False
    names = [h.lower() for h in header]
    wl = next((i for i, n in enumerate(names) if n in _WAVELENGTH_NAMES), None)
    ab = next((i for i, n in enumerate(names) if n in _ABSORBANCE_NAMES), None)
    tr = next((i for i, n in enumerate(names) if n in _TRANSMITTANCE_NAMES), None)
    if wl is not None and ab is None and tr is not None and tr != wl:
        return wl, tr, True
    if wl is None or ab is None or wl == ab:
        return 0, 1, False
    return wl, ab, False


def _declared_units(lines: list[str]) -> dict[str, str]:
    """``{"X": …, "Y": …}`` from ``XUNITS``/``YUNITS`` header lines (upper case)."""
    out: dict[str, str] = {}
    for line in lines:
        m = _UNIT_LINE.match(line)
        if m:
            out.setdefault(m[1].upper(), m[2].strip().strip('"').upper())
    return out


def _to_nm(wl: np.ndarray, unit: str | None, p: Path, history: list[str]) -> np.ndarray:
    """The axis in nm from the declared X unit (nm when none is declared)."""
    if unit is None or unit in ("NANOMETERS", "NM", "NANOMETER"):
        return wl
    if unit in ("1/CM", "CM-1", "CM^-1", "WAVENUMBERS", "WAVENUMBER"):
        if np.any(wl <= 0):
            raise DataFileError("wavenumbers must be positive", p)
        history.append("wavenumber axis (1/cm) converted to nm (λ = 10⁷/ν̃)")
        return 1e7 / wl
    if unit in ("MICROMETERS", "UM", "µM", "MICRONS"):
        history.append("axis in µm converted to nm")
        return wl * 1e3
    raise DataFileError(f"XUNITS {unit}: not a wavelength (nm, µm) or wavenumber (1/cm) axis", p)


def _to_absorbance(y: np.ndarray, unit: str | None, named_transmittance: bool, p: Path,
                   history: list[str]) -> np.ndarray:
    """Absorbance from the ordinate: as is, or −log₁₀ T for a transmittance."""
    if unit is not None and ("REFLECT" in unit or unit in ("%R", "R%")):
        raise DataFileError(f"YUNITS {unit}: reflectance is not an absorbance", p)
    transmittance = named_transmittance or (unit is not None and (
        "TRANS" in unit or unit in ("%T", "T%", "T")))
    if not transmittance:
        return y
    percent = unit == "%T" or unit == "T%" or float(np.nanmax(y)) > 1.5
    t = y / 100.0 if percent else y
    history.append(f"transmittance ({'%' if percent else 'fraction'}) converted to absorbance "
                   "A = −log₁₀ T")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t > 0, -np.log10(np.where(t > 0, t, 1.0)), np.inf)


def read_uvvis(path: str | os.PathLike[str],
               saturation_absorbance: float = DEFAULT_SATURATION_ABSORBANCE) -> Spectrum:
    """Read a UV-vis spectrum (wavelength in nm, absorbance) from CSV or an ASCII export.

    Parameters
    ----------
    path
        The file.
    saturation_absorbance
        Points with a larger absorbance are dropped as saturated (dimensionless, > 0).

    Returns
    -------
    Spectrum
        Absorbance against wavelength (unit ``nm``, ascending), ``source`` the file.

    Raises
    ------
    DataFileError
        No data block, fewer than :data:`MIN_POINTS` usable points, a non-positive wavelength,
        or a wavelength that occurs twice.
    """
    if not math.isfinite(saturation_absorbance) or saturation_absorbance <= 0:
        raise ParameterError(f"saturation absorbance must be positive, got {saturation_absorbance}")
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise DataFileError(f"larger than {MAX_BYTES} bytes: not a UV-vis spectrum", p)
        text = p.read_bytes().decode("latin-1")
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror or exc}", p) from None
    lines = [ln.strip() for ln in text.splitlines()]
    rows: list[list[float] | None] = [
        None if not ln or ln.startswith("#") else _numbers(_split(ln)) for ln in lines]
    best_start, best_len, start = 0, 0, None
    for i, row in enumerate([*rows, None]):
        if row is not None and start is None:
            start = i
        elif row is None and start is not None:
            if i - start > best_len:
                best_start, best_len = start, i - start
            start = None
    if best_len < MIN_POINTS:
        raise DataFileError(f"no block of at least {MIN_POINTS} lines with wavelength and "
                            "absorbance found", p)
    block = rows[best_start:best_start + best_len]
    n_cells = min(len(r) for r in block if r is not None)
    header = None
    if best_start > 0 and lines[best_start - 1]:
        header = [c for c in _split(lines[best_start - 1]) if c]
    i_wl, i_ab, named_transmittance = _columns(header, n_cells)
    data = np.array([[r[i_wl], r[i_ab]] for r in block if r is not None], dtype=float)
    wl, ab = data[:, 0], data[:, 1]
    where = f"lines {best_start + 1}–{best_start + best_len}"
    if not (np.all(np.isfinite(wl)) and np.all(np.isfinite(ab))):
        raise DataFileError(f"non-finite number in the data ({where})", p)
    history = [f"read {p.name} ({where}, {wl.size} points)"]
    units = _declared_units(lines[:best_start])
    wl = _to_nm(wl, units.get("X"), p, history)
    ab = _to_absorbance(ab, units.get("Y"), named_transmittance, p, history)
    bad = (wl <= 0) | (wl > MAX_WAVELENGTH_NM)
    if np.any(bad):
        raise DataFileError(f"wavelength must be between 0 and {MAX_WAVELENGTH_NM:g} nm, got "
                            f"{wl[bad][0]:g}", p)
    order = np.argsort(wl, kind="stable")
    wl, ab = wl[order], ab[order]
    dup = np.flatnonzero(np.diff(wl) == 0)
    if dup.size:
        raise DataFileError(f"wavelength {wl[dup[0]]:g} nm occurs more than once", p)
    saturated = ab > saturation_absorbance
    if np.any(saturated):
        history.append(f"dropped {int(saturated.sum())} saturated points "
                       f"(A > {saturation_absorbance:g})")
        wl, ab = wl[~saturated], ab[~saturated]
    if wl.size < MIN_POINTS:
        raise DataFileError(f"fewer than {MIN_POINTS} points with A ≤ {saturation_absorbance:g}",
                            p)
    return Spectrum(values=ab, axis=wl, unit="nm", source=str(p), history=tuple(history),
                    meta={"saturated_points": int(saturated.sum())})
