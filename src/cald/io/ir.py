"""Infrared (FTIR, ATR) spectra from CSV and JCAMP-DX, as absorbance against wavenumber.

Accepted files:

- JCAMP-DX (``.jdx``, ``.dx``, ``.jcamp``, ``.jcm``, or any file starting with ``##``), read by
  :func:`cald.io.jcamp.read_jcamp` (every ASDF compression); X in 1/CM, the ordinate from
  ``##YUNITS=``;
- CSV/TSV with a header row (``#`` comment lines allowed, :func:`cald.io.table.parse_table`):
  a wavenumber column (``wavenumber_cm1``, ``wavenumber``, ``wavenumbers``, ``cm-1``, ``cm^-1``,
  ``nu``, ``wavenumber (cm-1)`` …, case-insensitive) and an absorbance (``absorbance``, ``abs``,
  ``a``) or transmittance column (``transmittance``, ``%t``, ``t``, ``transmittance (%)`` …).

Transmittance becomes absorbance A = −log₁₀ T (percent when the unit or name says ``%`` or the
values exceed 1.5); a transmittance ≤ 0 is an error (its logarithm does not exist). The axis may
run either way and is returned ascending; a wavenumber that occurs twice, an axis that is not
monotonic or a non-positive wavenumber is an error. Other ordinates (arbitrary units, Kubelka–
Munk) are taken as absorbance-like with a note; reflectance is refused.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from cald.errors import DataFileError
from cald.spectrum import Spectrum

__all__ = ["MIN_POINTS", "read_ir"]

#: Fewest points an IR spectrum must hold.
MIN_POINTS = 10
#: Largest |absorbance| accepted: beyond it a value is not a measured absorbance (and a spike of
#: 10³⁰⁸ would stall the baseline and the fit).
MAX_ABSORBANCE = 10.0
#: Largest CSV read (bytes): an FTIR export at 0.25 cm⁻¹ is a few MB.
MAX_BYTES = 100_000_000

_WAVENUMBER_NAMES = ("wavenumber_cm1", "wavenumber_cm-1", "wavenumber", "wavenumbers", "cm-1",
                     "cm^-1", "1/cm", "nu", "wavenumber (cm-1)", "wavenumber/cm-1",
                     "wavenumbers (cm-1)", "wavenumber [cm-1]")
_ABSORBANCE_NAMES = ("absorbance", "abs", "a", "absorbance (a.u.)", "absorbance_au")
_TRANSMITTANCE_NAMES = ("transmittance", "%t", "t%", "t", "transmittance (%)",
                        "transmittance_percent", "%transmittance", "transmittance_fraction")
_JCAMP_SUFFIXES = (".jdx", ".dx", ".jcamp", ".jcm")


def _is_jcamp(path: Path) -> bool:
    if path.suffix.lower() in _JCAMP_SUFFIXES:
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(64).lstrip().startswith(b"##")
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror}", path) from None


def _from_jcamp(path: Path) -> tuple[NDArray[np.float64], NDArray[np.float64], str, bool, str]:
    from cald.io.jcamp import read_jcamp

    spec = read_jcamp(path)
    if spec.unit != "cm-1":
        raise DataFileError(f"JCAMP-DX x unit is {spec.unit}, not 1/CM: not an IR spectrum", path)
    yunits = str(spec.meta.get("yunits", "")).strip().upper()
    values = np.asarray(np.real(spec.values), dtype=float)
    return spec.axis, values, yunits, "%" in yunits or "PERCENT" in yunits, f"##YUNITS={yunits}"


def _from_csv(path: Path) -> tuple[NDArray[np.float64], NDArray[np.float64], str, bool, str]:
    from cald.io.table import parse_table

    try:
        if path.stat().st_size > MAX_BYTES:
            raise DataFileError(f"larger than {MAX_BYTES} bytes: not an IR spectrum", path)
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError("not a UTF-8 text table", path) from None
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror}", path) from None
    table = parse_table(text, str(path))
    names = {name.strip().lower(): name for name in table.columns}
    x_name = next((names[n] for n in _WAVENUMBER_NAMES if n in names), None)
    a_name = next((names[n] for n in _ABSORBANCE_NAMES if n in names), None)
    t_name = next((names[n] for n in _TRANSMITTANCE_NAMES if n in names), None)
    if x_name is None or (a_name is None and t_name is None):
        raise DataFileError(
            "needs a wavenumber column (wavenumber_cm1) and an absorbance or transmittance "
            f"column (columns found: {', '.join(table.columns)})", path)
    y_name = a_name if a_name is not None else t_name
    assert y_name is not None
    unit = "ABSORBANCE" if a_name is not None else "TRANSMITTANCE"
    return (table.columns[x_name], table.columns[y_name], unit, "%" in y_name
            or "percent" in y_name.lower(), f"column {y_name!r}")


def _absorbance(x: NDArray[np.float64], y: NDArray[np.float64], unit: str, percent: bool,
                where: str, path: Path, history: list[str]) -> NDArray[np.float64]:
    """Absorbance from the ordinate (``unit`` upper case, as the file names it)."""
    if "REFLECT" in unit or unit in ("%R", "R%", "R"):
        raise DataFileError(f"{where}: reflectance is not an absorbance", path)
    if "TRANS" in unit or unit in ("%T", "T%", "T"):
        bad = np.flatnonzero(y <= 0)
        if bad.size:
            raise DataFileError(f"transmittance ≤ 0 at {x[bad[0]]:g} cm⁻¹ ({bad.size} point(s)): "
                                "no absorbance −log₁₀ T exists there", path)
        percent = percent or float(np.max(y)) > 1.5
        history.append(f"transmittance ({'%' if percent else 'fraction'}, {where}) converted "
                       "to absorbance A = −log₁₀ T")
        return -np.log10(y / 100.0 if percent else y)
    if "ABSORB" not in unit and unit not in ("A", "ABS"):
        history.append(f"ordinate {where or 'without a unit'} taken as absorbance")
    return y


def read_ir(path: str | os.PathLike[str]) -> Spectrum:
    """Read an IR spectrum (absorbance against wavenumber) from CSV or JCAMP-DX.

    Parameters
    ----------
    path
        The file (opened read-only).

    Returns
    -------
    Spectrum
        Absorbance against wavenumber (unit ``cm-1``, ascending), ``meta["ordinate"]`` the
        stored ordinate (``absorbance`` or ``transmittance``).

    Raises
    ------
    DataFileError
        Missing or unreadable file, unknown columns or units, fewer than :data:`MIN_POINTS`
        points, non-finite values, a transmittance ≤ 0, |absorbance| > :data:`MAX_ABSORBANCE`,
        a wavenumber ≤ 0, repeated or out of order.
    """
    p = Path(path)
    if not p.is_file():
        raise DataFileError("no such file", p)
    x, y, unit, percent, where = _from_jcamp(p) if _is_jcamp(p) else _from_csv(p)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size < MIN_POINTS:
        raise DataFileError(f"{x.size} points; an IR spectrum needs at least {MIN_POINTS}", p)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise DataFileError("non-finite wavenumber or ordinate", p)
    if np.any(x <= 0):
        raise DataFileError(f"wavenumber must be positive, got {x[x <= 0][0]:g}", p)
    step = np.diff(x)
    if np.any(step == 0):
        i = int(np.flatnonzero(step == 0)[0])
        raise DataFileError(f"wavenumber {x[i]:g} cm⁻¹ occurs more than once (row {i + 2})", p)
    if not (np.all(step > 0) or np.all(step < 0)):
        i = int(np.flatnonzero(np.sign(step) != np.sign(step[0]))[0])
        raise DataFileError(f"wavenumber axis not monotonic (row {i + 2}: {x[i + 1]:g} after "
                            f"{x[i]:g} cm⁻¹)", p)
    history = [f"read {p.name} ({x.size} points, {x.min():g}–{x.max():g} cm⁻¹)"]
    a = _absorbance(x, y, unit, percent, where, p, history)
    wild = np.flatnonzero(np.abs(a) > MAX_ABSORBANCE)
    if wild.size:
        raise DataFileError(f"absorbance {a[wild[0]]:g} at {x[wild[0]]:g} cm⁻¹ lies outside "
                            f"±{MAX_ABSORBANCE:g}: not a measured IR absorbance", p)
    ordinate = "transmittance" if "TRANS" in unit or unit in ("%T", "T%", "T") else "absorbance"
    if step[0] < 0:
        x, a = x[::-1].copy(), a[::-1].copy()
        history.append("axis reversed to ascending wavenumber")
    return Spectrum(values=a, axis=x, unit="cm-1", source=str(p), history=tuple(history),
                    meta={"ordinate": ordinate})
