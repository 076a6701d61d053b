"""JEOL Delta data files (``.jdf``): raw FIDs and arrayed series, on nmrglue's JEOL parser.

What is translated here, once:

* the nucleus from ``X_DOMAIN`` (``13C``, ``Proton``, ``Fluorine19`` …), else the title of the
  first axis;
* the frequency axis as Delta states it: ``X_FREQ`` is the frequency of 0 ppm (the base
  frequency of the header), ``X_OFFSET`` (ppm) the centre of the window, ``X_SWEEP`` the
  spectral width over ``X_POINTS``; the raw file carries the spectrometer's lock-based
  reference (no processing list), so a solvent line may sit a fraction of a ppm from its
  literature shift until the spectrum is referenced (``shift_ppm``);
* the first point: Delta's decimating digital filter is a cascade of FIR stages whose orders
  and decimation factors the file lists (``ORDERS`` = number of stages then their orders,
  ``FACTORS`` = their factors); each stage delays the signal by (order − 1)/2 of its input
  samples, so the whole cascade by Σᵢ (orderᵢ − 1)/2 / Πⱼ≥ᵢ factorⱼ output points; the
  acquisition delay ``ACQ_DELAY`` (pulse end to first sample) moves the time origin the other
  way by ACQ_DELAY·SW points. The time origin lies ``filter − ACQ_DELAY·SW`` points after the
  first stored point (checked on the real files in ``tests/data/jeol``);
* 2D files whose second axis is not a frequency (arrayed experiments) and 2D acquisitions come
  out as series of rows (without array values: no public arrayed Delta file to check them on);
* ``RECVR_GAIN`` has no documented scale, so it is not turned into an amplitude factor
  (``receiver_gain`` 1): two acquisitions are compared only at the same gain (a setting of
  :meth:`~cald.io.vendor.VendorDataset.acquisition_settings`).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from cald.errors import DataFileError
from cald.io.vendor import VendorDataset, check_points, isotope_symbol, parsing, positive

__all__ = ["filter_delay_points", "read_jeol"]

_MAGIC = b"JEOL.NMR"
_ITEM_BYTES = {"float64": 8, "float32": 4}
_SUPPORTED_TYPES = {("complex",), ("complex", "real"), ("complex", "complex"),
                    ("real_complex", "real_complex")}


def filter_delay_points(orders: str, factors: str, source: Path) -> float:
    """Group delay (output points) of Delta's digital filter from ``ORDERS`` and ``FACTORS``.

    ``ORDERS`` holds the number of stages s (first digit) and then s orders of equal width;
    ``FACTORS`` the s decimation factors (one digit each): delay = Σᵢ (orderᵢ − 1)/2 / Πⱼ≥ᵢ fⱼ.
    """
    orders, factors = str(orders).strip(), str(factors).strip()
    if not orders[:1].isdigit() or int(orders[0]) < 1:
        raise DataFileError(f"ORDERS = {orders!r} does not start with a number of stages",
                            source)
    stages = int(orders[0])
    rest = orders[1:]
    if len(rest) % stages or len(factors) < stages or not (rest + factors[:stages]).isdigit():
        raise DataFileError(f"ORDERS = {orders!r} and FACTORS = {factors!r} do not describe "
                            f"{stages} filter stages", source)
    width = len(rest) // stages
    stage_orders = [int(rest[i * width:(i + 1) * width]) for i in range(stages)]
    stage_factors = [int(c) for c in factors[:stages]]
    if min(stage_factors) < 1 or min(stage_orders) < 1:
        raise DataFileError(f"FACTORS = {factors!r}, ORDERS = {orders!r}: orders and factors "
                            "must be ≥ 1", source)
    return sum((order - 1) / 2 / math.prod(stage_factors[i:])
               for i, order in enumerate(stage_orders))


def _header_checks(dic: dict[str, Any], size: int, source: Path) -> tuple[str, ...]:
    """Check what the header claims against the file before the points are read."""
    import nmrglue as ng

    header = dic["header"]
    types = tuple(t for t in header["data_axis_type"] if t)
    if types not in _SUPPORTED_TYPES:
        raise DataFileError(f"axes of type {', '.join(types) or 'none'}: only 1D FIDs, arrayed "
                            "and 2D acquisitions are read", source)
    units = header["units"][0]
    if not (isinstance(units, tuple) and units[2] == "second"):
        raise DataFileError("the first axis is not time (a processed Delta spectrum?); cald "
                            "reads raw FIDs", source)
    item = _ITEM_BYTES.get(header["data_type"])
    if item is None:
        raise DataFileError(f"data type {header['data_type']!r} is not float32 or float64",
                            source)
    points = tuple(int(n) for n in header["data_points"][: len(types)])
    start = int(header["data_start"])
    available = max(size - start, 0) // item // ng.jeol.nsections(dic)
    check_points(points, available, source, "JEOL data")
    if points[0] % 8:
        raise DataFileError(f"{points[0]} points per FID: not a whole number of 8-point "
                            "submatrices", source)
    return types


def read_jeol(path: str | os.PathLike[str], grpdly: float | None = None) -> VendorDataset:
    """Read a JEOL Delta ``.jdf`` raw data file.

    Parameters
    ----------
    path
        The ``.jdf`` file.
    grpdly
        First-point delay in dwell times overriding the one computed from the file.
    """
    import nmrglue as ng

    p = Path(path)
    if not p.is_file():
        raise DataFileError("no such file", p)
    buffer = p.read_bytes()
    if not buffer.startswith(_MAGIC):
        raise DataFileError("not a JEOL Delta file (no JEOL.NMR identifier)", p)
    with parsing(p, "JEOL header"):
        dic = ng.jeol.parse_jeol(buffer)
        types = _header_checks(dic, len(buffer), p)
        values = ng.jeol.read_bin_data(dic, buffer)
        data = ng.jeol.truncate_data(dic, ng.jeol.reorganize(dic, values))
    data = np.asarray(data, dtype=np.complex128)
    if not np.all(np.isfinite(data)):
        raise DataFileError("holds non-finite values (file damaged?)", p)
    header, params = dic["header"], dic["parameters"]
    domain = params.get("x_domain") or header["data_axis_titles"][0]
    nucleus = isotope_symbol(domain, p, "X_DOMAIN")
    sf_mhz = positive(params.get("x_freq"), "X_FREQ", p) / 1e6
    offset_ppm = float(params.get("x_offset", 0.0))
    sw_hz = positive(params.get("x_sweep"), "X_SWEEP", p)
    if not math.isfinite(offset_ppm) or abs(offset_ppm) > 1e5:
        raise DataFileError(f"X_OFFSET = {offset_ppm:g} ppm is not an offset", p)
    if grpdly is not None:
        delay = float(grpdly)
    elif str(params.get("digital_filter", "FALSE")).upper() == "TRUE":
        delay = filter_delay_points(params.get("orders", ""), params.get("factors", ""), p)
        delay -= float(params.get("acq_delay", 0.0)) * sw_hz
    else:
        delay = 0.0
    if not (math.isfinite(delay) and abs(delay) < data.shape[-1]):
        raise DataFileError(f"first-point delay {delay:g} points does not fit the FID", p)
    if len(types) == 2 and data.ndim == 1:
        data = data[np.newaxis]
    return VendorDataset(
        path=p, parameter_file=p, vendor="jeol", nucleus=nucleus, sf_mhz=sf_mhz,
        carrier_mhz=sf_mhz * (1 + offset_ppm * 1e-6), sw_hz=sw_hz, group_delay=delay,
        data=data, title=str(header.get("title", "")).strip(),
        scans=int(params.get("total_scans", params.get("scans", 1)) or 1),
        settings={"RECVR_GAIN (scale not documented)":
                  (float(params.get("recvr_gain", 0.0)), None),
                  "nucleus": (nucleus, None), "sw_hz": (sw_hz, 1e-6),
                  "points": (data.shape[-1], None), "sf_mhz": (sf_mhz, 1e-6),
                  "experiment": (str(params.get("experiment", "")), None)},
        parameters=params)
