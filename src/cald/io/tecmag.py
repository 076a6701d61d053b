"""Tecmag TNMR data files (``.tnt``), on nmrglue's Tecmag reader.

What is translated here, once:

* the nucleus from the observe channel's ``nuclei`` entry (``H1`` → 1H);
* frequencies as TNMR draws them: the observe frequency ``ob_freq`` is the carrier; TNMR's
  frequency axis runs against the FFT frequencies (its stored quadrature is the conjugate of
  cald's convention, which the reader undoes) and its ppm scale is (ν − ``ref_freq``)/``ob_freq``
  for ν in Hz from the carrier, so 0 ppm lies at ``ob_freq`` + ``ref_freq`` (``ref_freq`` 0: at
  the carrier); the spectral width is 1/``dwell`` (TNMR's ``sw`` is its half, ±sw);
* the first stored point is t = 0 (no digital-filter delay is stated) and TNMR stores it
  already halved (|point 0|/|point 1| = 0.48 in every row of the real files, against ≈ 1.00
  for points 1/2), as the discrete transform needs: it is left as it is;
* the points of dimensions 2–4 (``actual_npts``) come out as rows of a series; the array of a
  series is the one delay or value table of the sequence with one entry per row
  (nmrglue's ``guess_tables``; delay tables in seconds); with none or several candidates
  the series has no array and says so in ``parameters["array_note"]``;
* ``receiver_gain`` has no documented scale in the file format, so it is not turned into an
  amplitude factor (``receiver_gain`` 1): acquisitions are compared only at the same gain.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from cald.errors import DataFileError
from cald.io.nmrdata import ArrayedValues
from cald.io.vendor import VendorDataset, check_points, isotope_symbol, parsing, positive

__all__ = ["read_tecmag"]

_MAGIC = b"TNT1."


def _check_sections(path: Path) -> None:
    """The tagged sections up to the sequence (TMAG, DATA, TMG2: 4-byte tag, flag, length,
    data) must end inside the file: a file cut inside them is an error. The sequence section
    (PSEQ) that follows is not length-delimited, so a cut after the points goes unnoticed
    unless the sequence tables cannot be parsed."""
    raw = path.read_bytes()
    position = 8
    while position + 12 <= len(raw):
        tag = raw[position:position + 4].decode("latin-1")
        if tag not in ("TMAG", "DATA", "TMG2"):
            return
        length = int.from_bytes(raw[position + 8:position + 12], "little")
        position += 12 + length
        if position > len(raw):
            raise DataFileError(f"section {tag!r} ends {position - len(raw)} bytes after the "
                                "end of the file (file truncated?)", path)
    if position < len(raw) or position == 8:
        raise DataFileError("file ends inside a section header (file truncated?)", path)


def _array(filename: Path, rows: int) -> tuple[dict[str, ArrayedValues], str]:
    """The sequence table with one value per row, if exactly one such table exists."""
    import nmrglue as ng

    if rows < 2:
        return {}, ""
    with parsing(filename, "TNMR sequence tables"):
        tables = ng.tecmag.guess_tables(str(filename))
    candidates = {name: np.asarray(values, dtype=np.float64) for name, values in tables.items()
                  if not name.lower().startswith("ph") and isinstance(values, np.ndarray)
                  and values.size == rows and np.all(np.isfinite(values))}
    if len(candidates) != 1:
        found = ", ".join(candidates) or "none"
        return {}, f"no unique table of {rows} values for the series (found: {found})"
    name, values = next(iter(candidates.items()))
    unit = "s" if name.lower().startswith(("de", "d")) else ""
    return {name: ArrayedValues(name, values, unit)}, ""


def read_tecmag(path: str | os.PathLike[str], grpdly: float | None = None) -> VendorDataset:
    """Read a Tecmag ``.tnt`` file.

    Parameters
    ----------
    path
        The ``.tnt`` file.
    grpdly
        First-point delay in dwell times (TNMR states none; for special cases).
    """
    import nmrglue as ng

    p = Path(path)
    if not p.is_file():
        raise DataFileError("no such file", p)
    with open(p, "rb") as fh:
        if not fh.read(8).startswith(_MAGIC):
            raise DataFileError("not a Tecmag TNMR file (no TNT1. identifier)", p)
    _check_sections(p)
    with parsing(p, "TNMR file"):
        dic, mapped = ng.tecmag.read(str(p))
        npts = tuple(int(n) for n in dic["actual_npts"])
        check_points(npts, mapped.size, p, "TNMR data")
        data = np.array(mapped, dtype=np.complex128).reshape(npts[0], -1, order="F").T
        del mapped
    data = np.conj(data[0] if data.shape[0] == 1 else data)
    if not np.all(np.isfinite(data)):
        raise DataFileError("holds non-finite values", p)
    channel = int(dic["obs_channel"])
    if not 1 <= channel <= len(dic["nuclei"]):
        raise DataFileError(f"obs_channel = {channel} is not a channel of the file", p)
    nucleus_text = bytes(dic["nuclei"][channel - 1]).split(b"\x00")[0].decode("latin-1")
    nucleus = isotope_symbol(nucleus_text, p, "observe nucleus")
    carrier_mhz = positive(dic["ob_freq"][channel - 1], "ob_freq", p)
    dwell_s = positive(dic["dwell"][0], "dwell", p)
    sw_hz = 1.0 / dwell_s
    half_width_hz = positive(dic["sw"][0], "sw", p)
    if abs(2 * half_width_hz / sw_hz - 1) > 1e-3:
        raise DataFileError(f"sw = ±{half_width_hz:g} Hz does not match dwell = {dwell_s:g} s",
                            p)
    ref_hz = float(dic["ref_freq"])
    if not (math.isfinite(ref_hz) and abs(ref_hz) < 1e-3 * carrier_mhz * 1e6):
        raise DataFileError(f"ref_freq = {ref_hz:g} Hz is not a reference offset", p)
    delay = 0.0 if grpdly is None else float(grpdly)
    if not (math.isfinite(delay) and abs(delay) < data.shape[-1]):
        raise DataFileError(f"first-point delay {delay:g} points does not fit the FID", p)
    arrays, note = _array(p, data.shape[0] if data.ndim == 2 else 1)
    params: dict[str, Any] = {k: v for k, v in dic.items()}
    if note:
        params["array_note"] = note
    scans = int(dic["actual_scans"]) or int(dic["scans"]) or 1
    return VendorDataset(
        path=p, parameter_file=p, vendor="tecmag", nucleus=nucleus,
        sf_mhz=carrier_mhz + ref_hz * 1e-6, carrier_mhz=carrier_mhz, sw_hz=sw_hz,
        group_delay=delay, data=data, arrays=arrays, scans=scans,
        settings={"receiver_gain (scale not documented)":
                  (float(dic["receiver_gain"]), None),
                  "nucleus": (nucleus, None), "sw_hz": (sw_hz, 1e-6),
                  "points": (data.shape[-1], None), "carrier_mhz": (carrier_mhz, 1e-6)},
        parameters=params)
