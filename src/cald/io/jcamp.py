"""JCAMP-DX spectra (NMR spectra and FIDs, IR, UV-vis) into a :class:`~cald.spectrum.Spectrum`.

NMR files are decoded with nmrglue's JCAMP-DX reader (AFFN, PAC, SQZ, DIF/DUP compression and
NTUPLES real/imaginary pairs); other spectra with the ``jcamp`` package. X units: HZ → ppm by
the observe frequency, PPM kept, SECONDS kept for FIDs, 1/CM → cm⁻¹, NANOMETERS → nm.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from cald.errors import DataFileError
from cald.spectrum import Spectrum

__all__ = ["read_jcamp"]

_UNITS = {"HZ": "hz", "PPM": "ppm", "SECONDS": "s", "1/CM": "cm-1", "NANOMETERS": "nm",
          "NM": "nm"}


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _number(dic: dict[str, Any], key: str, path: Path) -> float:
    try:
        return float(str(_first(dic[key])).split()[0].rstrip(","))
    except (KeyError, ValueError, IndexError):
        raise DataFileError(f"JCAMP field {key} missing or not a number", path) from None


def _axis(first: float, last: float, n: int) -> np.ndarray:
    return np.linspace(first, last, n)


#: nmrglue warnings that leave the data intact (an empty ``##KEY=``): kept as notes.
_HARMLESS = ("JCAMP-DX key without value",)


def _parser_notes(dic: dict[str, Any], messages: list[str], path: Path) -> tuple[str, ...]:
    """nmrglue's parser warnings as errors (a factor not applied, a data line not parsed: the
    values would be wrong) or, for harmless ones, notes for the history."""
    for message in messages:
        if message.startswith(_HARMLESS):
            continue
        if "YFACTOR" in message:
            field = "FACTOR" if message.startswith("NTUPLES") else "YFACTOR"
            value = str(_first(dic.get(field, "")))
            raise DataFileError(f"##{field}= {value!r} cannot be applied (not a number, or not one "
                                "per R/I page): every intensity would be wrong by that factor",
                                path)
        raise DataFileError(f"JCAMP-DX parse error: {' '.join(message.split())}", path)
    return tuple(f"note: {m}" for m in messages)


def _read_nmr(path: Path) -> Spectrum:
    import nmrglue as ng

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            dic, data = ng.jcampdx.read(str(path))
        except Exception as exc:  # nmrglue raises bare exceptions on corrupt data
            raise DataFileError(f"corrupt JCAMP-DX data: {exc}", path) from None
    notes = _parser_notes(dic, [str(w.message) for w in caught], path)
    if data is None or np.size(data[0] if isinstance(data, list) and data else data) == 0:
        raise DataFileError("no data block (file truncated or not a spectrum)", path)
    freq = _number(dic, ".OBSERVEFREQUENCY", path)
    nucleus = str(_first(dic.get(".OBSERVENUCLEUS", ""))).replace("^", "").strip() or None
    if isinstance(data, list):  # NTUPLES: [real, imaginary]
        dims = [int(float(x)) for x in str(_first(dic.get("VARDIM", "0"))).replace(",", " ").split()]
        expected = dims[0] if dims else 0
        sizes = [np.size(d) for d in data]
        if any(n != expected for n in sizes):
            raise DataFileError(f"NTUPLES pages hold {sizes} points, VAR_DIM says {expected} "
                                "(file truncated or corrupt)", path)
        values = np.asarray(data[0], dtype=float)
        if len(data) > 1:
            values = values + 1j * np.asarray(data[1], dtype=float)
        firsts = [float(x) for x in str(_first(dic.get("FIRST", "0"))).replace(",", " ").split()]
        lasts = [float(x) for x in str(_first(dic.get("LAST", "0"))).replace(",", " ").split()]
        units = str(_first(dic.get("UNITS", "HZ"))).replace(",", " ").split()
        x_unit = units[0].upper() if units else "HZ"
        first, last = firsts[0], lasts[0]
    else:
        values = np.asarray(data, dtype=float)
        x_unit = str(_first(dic.get("XUNITS", "HZ"))).strip().upper()
        first, last = _number(dic, "FIRSTX", path), _number(dic, "LASTX", path)
        expected = int(_number(dic, "NPOINTS", path))
        if values.size != expected:
            raise DataFileError(f"data block holds {values.size} points, NPOINTS says {expected} "
                                "(file truncated or corrupt)", path)
    n = values.shape[-1]
    if n < 2 or not np.all(np.isfinite(values)):
        raise DataFileError("JCAMP-DX data are empty or hold non-finite values", path)
    axis = _axis(first, last, n)
    unit = _UNITS.get(x_unit)
    if unit is None:
        raise DataFileError(f"JCAMP-DX x unit {x_unit!r} not supported", path)
    if unit == "hz":
        offset = dic.get("$OFFSET")
        axis = axis / freq
        if offset is not None:  # Bruker files: ppm of the first point
            axis = axis - axis[0] + _number(dic, "$OFFSET", path)
        unit = "ppm"
    # JCAMP-DX NMR convention: the observe frequency is the carrier (needed to transform FIDs)
    return Spectrum(values, axis, unit, nucleus, freq, freq, str(path), ("read JCAMP-DX", *notes),
                    {"title": str(_first(dic.get("TITLE", "")))})


def _read_other(path: Path) -> Spectrum:
    import jcamp

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the package prints check failures
            dic = jcamp.readfile(str(path))
    except Exception as exc:  # the jcamp package raises bare exceptions on corrupt data
        raise DataFileError(f"corrupt JCAMP-DX data: {exc}", path) from None
    x, y = np.asarray(dic.get("x", []), dtype=float), np.asarray(dic.get("y", []), dtype=float)
    if x.size < 2 or x.size != y.size or not np.all(np.isfinite(y)):
        raise DataFileError("JCAMP-DX data are empty or inconsistent", path)
    x_unit = str(dic.get("xunits", "")).strip().upper()
    unit = _UNITS.get(x_unit)
    if unit is None:
        raise DataFileError(f"JCAMP-DX x unit {x_unit!r} not supported", path)
    return Spectrum(y, x, unit, None, None, None, str(path), ("read JCAMP-DX",),
                    {"title": str(dic.get("title", "")), "yunits": str(dic.get("yunits", ""))})


def read_jcamp(path: str | os.PathLike[str]) -> Spectrum:
    """Read a JCAMP-DX file (opened read-only).

    Raises
    ------
    DataFileError
        Missing file, not JCAMP-DX, corrupt data, unsupported units.
    """
    p = Path(path)
    if not p.is_file():
        raise DataFileError("no such file", p)
    try:
        with open(p, encoding="latin-1") as fh:
            head = fh.read(4096).upper()
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror}", p) from None
    if "##TITLE" not in head or "##JCAMP" not in head.replace("JCAMPDX", "JCAMP-DX") \
            and "##JCAMP-DX" not in head:
        raise DataFileError("not a JCAMP-DX file (no ##TITLE/##JCAMP-DX header)", p)
    data_type = head.split("##DATA TYPE=")[-1].split("\n")[0] if "##DATA TYPE=" in head else ""
    data_type = data_type or (head.split("##DATATYPE=")[-1].split("\n")[0] if "##DATATYPE=" in head else "")
    return _read_nmr(p) if "NMR" in data_type else _read_other(p)
