"""Magritek Spinsolve data folders (``acqu.par`` + ``data.1d`` or ``data.2d``).

Parameters are parsed line by line with nmrglue's Spinsolve parameter parser; the Prospa binary
files (a 32-byte header: owner, format, version, data type, x/y/z/q sizes; then, for
``data.1d``, the time axis as float32 followed by the complex float32 points, for ``data.2d``
the complex rows only) are read here with their sizes checked against the file.

What is translated here, once, and checked against Spinsolve's own spectrum (``spectrum.pt1``)
of a real 80 MHz data set (see ``tests/data/spinsolve/README.md``):

* nucleus from ``nucleus`` (or ``rxChannel``); ``b1Freq`` (MHz) is the frequency of 0 ppm;
  the window's centre is ``lowestFrequency`` + bandwidth/2 Hz from it (= ``centerFreqPPM``);
  SW = ``bandwidth`` kHz (checked against ``dwellTime`` µs);
* sign: Spinsolve's stored quadrature is the complex conjugate of cald's convention (the
  spectrum is mirrored about the carrier otherwise); the reader conjugates;
* first point: the first stored point is t = 0 (no digital-filter delay) and Spinsolve's
  processing halves it before the transform (the standard t = 0 correction); the reader halves
  it, so that cald's transform reproduces Spinsolve's spectrum to rounding;
* stored processing: ``p0Phase``/``p1Phase`` of ``proc.par`` as TopSpin's PHC0/PHC1 (the p0
  sign checked on the real set; Spinsolve's complex spectrum is the conjugate of cald's, its
  real part the same); the apodization setting is not applied (the saved spectrum has none);
* ``rxGain`` is in dB: the receiver gain is the amplitude factor 10^(rxGain/20);
* ``data.2d`` series (T1, T2, … protocols) come out as rows; for T1/T2-type protocols with
  ``minDelay``/``maxDelay``/``nrSteps`` (ms) and ``delaySpacing`` lin or log, the delays are
  the array of the series.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from cald.errors import DataFileError
from cald.io.nmrdata import ArrayedValues, gain_from_db
from cald.io.vendor import VendorDataset, check_points, isotope_symbol, parsing, positive
from cald.processing_options import ProcessingOptions

__all__ = ["read_parameter_file", "read_spinsolve"]

_HEADER_BYTES = 32
_DATA_FILES = ("data.1d", "data.2d")


def read_parameter_file(path: Path) -> dict[str, Any]:
    """``name = value`` lines of ``acqu.par``/``proc.par`` as a dict (nmrglue's line parser)."""
    from nmrglue.fileio.spinsolve import parse_spinsolve_par_line

    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror}", path) from None
    params: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line or not line.split("=", 1)[1].strip():
            raise DataFileError(f"line {number}: {line.strip()[:60]!r} is not name = value",
                                path)
        name, value = parse_spinsolve_par_line(line)
        params[name] = value
    if not params:
        raise DataFileError("holds no parameters", path)
    return params


def _number(params: dict[str, Any], key: str, source: Path) -> float:
    if key not in params:
        raise DataFileError(f"parameter {key} missing", source)
    value = params[key]
    text = str(value).strip().rstrip("dD") if isinstance(value, str) else value
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise DataFileError(f"parameter {key} = {value!r} is not a number", source) from None
    if not math.isfinite(number):
        raise DataFileError(f"parameter {key} = {value!r} is not finite", source)
    return number


def _read_points(path: Path) -> np.ndarray:
    """The complex points of a Prospa ``data.1d``/``data.2d`` file, (x,) or (y, x)."""
    raw = path.read_bytes()
    if len(raw) < _HEADER_BYTES:
        raise DataFileError(f"{len(raw)} bytes: shorter than the 32-byte header", path)
    header = np.frombuffer(raw[:_HEADER_BYTES], "<i4")
    nx, ny, nz, nq = (int(v) for v in header[4:8])
    check_points((nx, ny, nz, nq), (len(raw) - _HEADER_BYTES) // 8, path, "Prospa data")
    n_complex = nx * ny * nz * nq
    body = len(raw) - _HEADER_BYTES
    if body == 8 * n_complex:
        offset = _HEADER_BYTES  # complex points only (data.2d)
    elif body == 4 * nx + 8 * n_complex:
        offset = _HEADER_BYTES + 4 * nx  # time axis first (data.1d)
    else:
        raise DataFileError(f"{body} data bytes do not hold {nx}×{ny}×{nz}×{nq} complex "
                            "points (with or without an axis): file truncated?", path)
    values = np.frombuffer(raw, "<f4", count=2 * n_complex, offset=offset).astype(np.float64)
    data = (values[0::2] + 1j * values[1::2]).reshape(ny * nz * nq, nx)
    if not np.all(np.isfinite(data)):
        raise DataFileError("holds non-finite values", path)
    return data[0] if data.shape[0] == 1 else data


def _delays(acqu: dict[str, Any], rows: int, source: Path) -> dict[str, ArrayedValues]:
    """The delay array of a T1/T2-type protocol, when its parameters are all there."""
    keys = ("minDelay", "maxDelay", "nrSteps")
    if rows < 2 or not all(k in acqu for k in keys):
        return {}
    lo, hi = _number(acqu, "minDelay", source), _number(acqu, "maxDelay", source)
    steps = int(_number(acqu, "nrSteps", source))
    if steps != rows:
        raise DataFileError(f"nrSteps = {steps} but data.2d holds {rows} rows", source)
    spacing = str(acqu.get("delaySpacing", "lin")).lower()
    if lo <= 0 and spacing == "log" or hi < lo:
        raise DataFileError(f"delays {lo:g}–{hi:g} ms ({spacing}) are not a delay range",
                            source)
    delays_ms = np.geomspace(lo, hi, steps) if spacing == "log" else np.linspace(lo, hi, steps)
    return {"delay": ArrayedValues("delay", delays_ms * 1e-3, "s")}


def read_spinsolve(path: str | os.PathLike[str], grpdly: float | None = None) -> VendorDataset:
    """Read a Spinsolve experiment folder (or a file in it).

    Parameters
    ----------
    path
        The folder holding ``acqu.par`` and ``data.1d`` (one FID) or ``data.2d`` (a series).
    grpdly
        First-point delay in dwell times (Spinsolve data have none; for special cases).
    """
    p = Path(path)
    folder = p.parent if p.is_file() else p
    if not folder.is_dir():
        raise DataFileError("no such folder", p)
    acqu_path = folder / "acqu.par"
    if not acqu_path.is_file():
        raise DataFileError("not a Spinsolve folder: missing acqu.par", folder)
    found = [folder / name for name in _DATA_FILES if (folder / name).is_file()]
    if not found:
        raise DataFileError("no data.1d or data.2d (Spinsolve raw data)", folder)
    with parsing(acqu_path, "Spinsolve parameters"):
        acqu = read_parameter_file(acqu_path)
    proc_path = folder / "proc.par"
    with parsing(proc_path, "Spinsolve processing parameters"):
        proc = read_parameter_file(proc_path) if proc_path.is_file() else {}
    data_path = found[-1]
    with parsing(data_path, "Spinsolve data"):
        data = _read_points(data_path)
    data = np.conj(data)
    data[..., 0] *= 0.5
    if "nucleus" not in acqu and "rxChannel" not in acqu:
        raise DataFileError("parameter nucleus (or rxChannel) missing: not a Spinsolve "
                            "acquisition (a Kea/Prospa one?)", acqu_path)
    nucleus = isotope_symbol(acqu.get("nucleus", acqu.get("rxChannel")), acqu_path)
    sf_mhz = positive(_number(acqu, "b1Freq", acqu_path), "b1Freq", acqu_path)
    sw_hz = positive(_number(acqu, "bandwidth", acqu_path), "bandwidth", acqu_path) * 1e3
    if "dwellTime" in acqu:
        dwell_us = positive(_number(acqu, "dwellTime", acqu_path), "dwellTime", acqu_path)
        if abs(dwell_us * 1e-6 * sw_hz - 1) > 1e-3:
            raise DataFileError(f"dwellTime = {dwell_us:g} µs does not match bandwidth = "
                                f"{sw_hz / 1e3:g} kHz", acqu_path)
    if "lowestFrequency" in acqu:
        centre_hz = _number(acqu, "lowestFrequency", acqu_path) + sw_hz / 2
    else:
        centre_hz = _number(acqu, "centerFreqPPM", acqu_path) * sf_mhz
    if abs(centre_hz) > 1e3 * sw_hz:
        raise DataFileError(f"window centre {centre_hz:g} Hz from 0 ppm is not an offset",
                            acqu_path)
    delay = 0.0 if grpdly is None else float(grpdly)
    if not (math.isfinite(delay) and abs(delay) < data.shape[-1]):
        raise DataFileError(f"first-point delay {delay:g} points does not fit the FID", p)
    processing = ProcessingOptions()
    if proc:
        processing = ProcessingOptions(
            p0_deg=_number(proc, "p0Phase", proc_path) if "p0Phase" in proc else 0.0,
            p1_deg=_number(proc, "p1Phase", proc_path) if "p1Phase" in proc else 0.0)
    return VendorDataset(
        path=folder, parameter_file=acqu_path, vendor="spinsolve", nucleus=nucleus,
        sf_mhz=sf_mhz, carrier_mhz=sf_mhz + centre_hz * 1e-6, sw_hz=sw_hz,
        group_delay=delay, data=data, processing=processing,
        title=str(acqu.get("Sample", acqu.get("expName", ""))),
        arrays=_delays(acqu, data.shape[0] if data.ndim == 2 else 1, acqu_path),
        scans=int(_number(acqu, "nrScans", acqu_path)) if "nrScans" in acqu else 1,
        receiver_gain=(gain_from_db(_number(acqu, "rxGain", acqu_path), "rxGain", acqu_path)
                       if "rxGain" in acqu else 1.0),
        settings={"nucleus": (nucleus, None), "sw_hz": (sw_hz, 1e-6),
                  "points": (data.shape[-1], None), "sf_mhz": (sf_mhz, 1e-6),
                  "experiment": (str(acqu.get("experiment", "")), None)},
        parameters={**acqu, **{f"proc.{k}": v for k, v in proc.items()}})
