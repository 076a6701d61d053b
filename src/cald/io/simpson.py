"""SIMPSON output (``fsave``: ``.fid``/``.spe``, text or ``-binary``) and SIMPSON input files.

Output files start with ``SIMP`` and a header of ``KEY=value`` lines (``NP``, ``SW``, ``TYPE``
``FID`` or ``SPE``, optionally ``NI``/``SW1`` for 2D, ``FORMAT=BINARY``), then ``DATA``: text
files one ``re im`` pair a line up to ``END``, binary files SIMPSON's printable 4-character
encoding of float32 values (decoded with nmrglue's ``read_binary``). The header is parsed and
checked here (NP, SW, the number of points against NP) before nmrglue decodes binary data.

Conventions (checked on SIMPSON's own ``fsave`` of a ``.fid`` and of its ``fft``, an ethanol 1H
simulation with shifts 1, 3.5 and 7 ppm at 400 MHz: the lines lie at +400, +1400 and +2800 Hz):

* an FID rotates as exp(+2πiνt) for a line at +ν from the carrier, cald's convention; point k
  is at t = k/SW;
* a spectrum runs from −SW/2 upwards in steps of SW/NP (point k at −SW/2 + k·SW/NP); it is
  returned in cald's order (high frequency first) with a Hz axis, or with ``sf_mhz`` (the
  nucleus' frequency at the simulated field) a ppm axis relative to the carrier.

Input files (Tcl): :func:`parse_simpson_input` reads the ``spinsys`` and ``par`` blocks back
(what a spin system and the parameters say), e.g. to check a file written by
:mod:`cald.recoupling.simpson_input`.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from cald.errors import DataFileError
from cald.spectrum import Spectrum

__all__ = ["is_simpson", "parse_simpson_input", "read_simpson"]

#: Largest float32 magnitude: SIMPSON computes and writes single precision.
_MAX_VALUE = float(np.finfo(np.float32).max)
#: Points a SIMPSON file may declare (beyond this it is a corrupt header, not an allocation).
_MAX_POINTS = 1 << 26


def is_simpson(path: str | os.PathLike[str]) -> bool:
    """True when the file starts with SIMPSON's ``SIMP`` line."""
    p = Path(path)
    if not p.is_file():
        return False
    with open(p, "rb") as fh:
        return fh.read(4) == b"SIMP"


def _header(lines: list[str], source: Path) -> tuple[dict[str, str], int]:
    """The ``KEY=value`` header up to ``DATA`` and the index of the first data line."""
    head: dict[str, str] = {}
    for i, line in enumerate(lines):
        text = line.strip()
        if text == "DATA":
            return head, i + 1
        if text == "SIMP" or not text:
            continue
        key, sep, value = text.partition("=")
        if not sep:
            raise DataFileError(f"header line {i + 1}: {text[:40]!r} is not KEY=value", source)
        head[key.strip().upper()] = value.strip()
    raise DataFileError("no DATA line after the header (file truncated?)", source)


def _positive(head: dict[str, str], key: str, source: Path, integer: bool) -> float:
    if key not in head:
        raise DataFileError(f"header has no {key}", source)
    try:
        value = float(head[key])
    except ValueError:
        raise DataFileError(f"{key}={head[key]!r} is not a number", source) from None
    if not (math.isfinite(value) and value > 0) or (integer and value != int(value)):
        raise DataFileError(f"{key}={head[key]} must be a positive {'integer' if integer else 'number'}",
                            source)
    if integer and value > _MAX_POINTS:
        raise DataFileError(f"{key}={head[key]} points is not a SIMPSON data size", source)
    return value


def read_simpson(path: str | os.PathLike[str], sf_mhz: float | None = None,
                 nucleus: str | None = None) -> Spectrum:
    """Read a 1D SIMPSON ``fsave`` file (text or ``-binary``) into a :class:`Spectrum`.

    Parameters
    ----------
    path
        The ``.fid`` or ``.spe`` file.
    sf_mhz
        Frequency of the observed nucleus at the simulated field (MHz): a spectrum then gets a
        ppm axis relative to the carrier (SIMPSON's rotating frame), an FID the frequencies its
        transform needs.
    nucleus
        The observed isotope, carried along.

    Returns
    -------
    Spectrum
        An FID (unit ``s``, complex, t = k/SW) or a spectrum (unit ``hz``, or ``ppm`` with
        ``sf_mhz``; high frequency first), ``meta`` with the header (``np``, ``sw_hz``,
        ``type``).
    """
    import nmrglue as ng

    p = Path(path)
    if not p.is_file():
        raise DataFileError("no such file", p)
    if not is_simpson(p):
        raise DataFileError("not a SIMPSON file (no SIMP line first)", p)
    if sf_mhz is not None and not (math.isfinite(sf_mhz) and sf_mhz > 0):
        raise DataFileError(f"frequency {sf_mhz} MHz must be positive", p)
    raw = p.read_bytes().decode("latin-1")
    lines = raw.splitlines()
    head, start = _header(lines, p)
    if "NI" in head:
        raise DataFileError("2D SIMPSON data (NI in the header) are not read; save 1D data", p)
    n = int(_positive(head, "NP", p, integer=True))
    sw = _positive(head, "SW", p, integer=False)
    kind = head.get("TYPE", "FID").upper()
    if kind not in ("FID", "SPE"):
        raise DataFileError(f"TYPE={kind}: expected FID or SPE", p)
    if head.get("FORMAT", "").upper() == "BINARY":
        body = "".join(line.strip() for line in lines[start:])
        body = body[:-3] if body.endswith("END") else body
        # 4 printable characters carry 3 bytes; a point is two float32 (8 bytes)
        if len(body) != 4 * math.ceil(8 * n / 3) or any(not 33 <= ord(c) < 97 for c in body):
            raise DataFileError(f"binary data of {len(body)} characters do not hold NP={n} "
                                "points (file truncated or damaged?)", p)
        try:
            _, data = ng.simpson.read_binary(str(p))
        except (ValueError, IndexError, KeyError, AssertionError, UnicodeDecodeError) as exc:
            raise DataFileError(f"binary data cannot be decoded: {exc}", p) from None
        values = np.asarray(data, dtype=complex).ravel()[:n]
    else:
        rows = []
        for i in range(start, len(lines)):
            text = lines[i].strip()
            if text.startswith("END"):
                break
            parts = text.split()
            if len(parts) != 2:
                raise DataFileError(f"line {i + 1}: {text[:40]!r} is not a pair of numbers", p)
            try:
                rows.append((float(parts[0]), float(parts[1])))
            except ValueError:
                raise DataFileError(f"line {i + 1}: {text[:40]!r} is not a pair of numbers",
                                    p) from None
            if len(rows) > n:
                break
        if len(rows) != n:
            raise DataFileError(f"{len(rows)} data points, NP={n}", p)
        arr = np.asarray(rows)
        if not np.all(np.isfinite(arr)) or np.max(np.abs(arr), initial=0.0) > _MAX_VALUE:
            raise DataFileError("data hold values that are not finite single-precision "
                                "numbers (SIMPSON writes float32)", p)
        values = arr[:, 0] + 1j * arr[:, 1]
    if not np.all(np.isfinite(values)) or np.max(np.abs(values), initial=0.0) > _MAX_VALUE:
        raise DataFileError("data hold values that are not finite single-precision numbers "
                            "(SIMPSON writes float32)", p)
    meta: dict[str, Any] = {"np": n, "sw_hz": sw, "type": kind, "simpson_header": head}
    if kind == "FID":
        return Spectrum(values, np.arange(n) / sw, "s", nucleus, sf_mhz, sf_mhz, str(p),
                        ("read SIMPSON FID",), meta)
    hz = -sw / 2.0 + np.arange(n) * sw / n
    axis, unit = (hz / sf_mhz, "ppm") if sf_mhz is not None else (hz, "hz")
    return Spectrum(values[::-1], axis[::-1], unit, nucleus, sf_mhz, sf_mhz, str(p),
                    ("read SIMPSON spectrum",), meta)


def _block(text: str, name: str, source: Path) -> str:
    """The body of ``name { … }`` (braces balanced)."""
    match = re.search(rf"^\s*{name}\s*\{{", text, re.MULTILINE)
    if match is None:
        raise DataFileError(f"no {name} {{ … }} block", source)
    depth, i = 1, match.end()
    while i < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    if depth:
        raise DataFileError(f"{name} block not closed", source)
    return text[match.end(): i - 1]


def parse_simpson_input(text: str, source: Path | str = "SIMPSON input") -> tuple[
        dict[str, list[list[str]]], dict[str, str]]:
    """The ``spinsys`` and ``par`` blocks of a SIMPSON input file.

    Returns
    -------
    tuple
        ``spinsys``: keyword → list of its lines' arguments (``"dipole"`` → [["1", "2",
        "-291.3", …], …]); ``par``: name → value (``variable name value`` lines under their
        name).
    """
    src = Path(source)
    spinsys: dict[str, list[list[str]]] = {}
    for line in _block(text, "spinsys", src).splitlines():
        words = line.split("#")[0].split()
        if words:
            spinsys.setdefault(words[0], []).append(words[1:])
    par: dict[str, str] = {}
    for line in _block(text, "par", src).splitlines():
        words = line.split("#")[0].split()
        if len(words) >= 2:
            if words[0] == "variable" and len(words) >= 3:
                par[words[1]] = " ".join(words[2:])
            else:
                par[words[0]] = " ".join(words[1:])
    return spinsys, par
