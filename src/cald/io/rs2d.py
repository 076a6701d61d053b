"""RS2D (SPINit) data folders: ``header.xml`` + ``data.dat``.

nmrglue's RS2D reader needs ``xmltodict``, which cald does not depend on; the header is read
here with the standard library's ElementTree, entry by entry as nmrglue reads it
(``<entry><key>NAME</key><value>…<value>v</value>…</value></entry>``, several inner values
making a list), and ``data.dat`` as big-endian complex64 (float32 when
``DATA_REPRESENTATION`` says ``REAL``) in the order receivers, 4D, 3D, 2D, 1D.

What is translated here, once: nucleus from ``NUCLEUS_1``; ``BASE_FREQ_1`` (Hz) the frequency
of 0 ppm, ``TRANSMIT_FREQ_1`` (Hz) the carrier; SW from ``SPECTRAL_WIDTH`` (Hz, or ppm of the
base frequency when its ``numberEnum`` is ``FrequencyShift``); 2D–4D points of one receiver
come out as rows of a series; the first-point delay from ``DIGITAL_FILTER_SHIFT`` unless
``DIGITAL_FILTER_REMOVED`` is true. No public RS2D data set was found: these conventions
follow the header's definitions and are checked on synthetic files only; the sign is taken
as cald's (unverified).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np

from cald.errors import DataFileError
from cald.io.vendor import VendorDataset, check_points, isotope_symbol, parsing, positive

__all__ = ["read_header", "read_rs2d"]


def read_header(path: Path) -> dict[str, dict[str, Any]]:
    """``header.xml`` as {key: {field: value}} (a field with several values gives a list)."""
    with parsing(path, "RS2D header"):
        root = ElementTree.parse(path).getroot()
    params = root.find("params")
    if root.tag != "header" or params is None:
        raise DataFileError("not an RS2D header (no <header><params>)", path)
    out: dict[str, dict[str, Any]] = {}
    for entry in params.findall("entry"):
        key, value = entry.findtext("key"), entry.find("value")
        if not key or value is None:
            raise DataFileError("an <entry> without <key> or <value>", path)
        fields: dict[str, Any] = {}
        for child in value:
            text = (child.text or "").strip()
            if child.tag in fields:
                previous = fields[child.tag]
                fields[child.tag] = [*previous, text] if isinstance(previous, list) else \
                    [previous, text]
            else:
                fields[child.tag] = text
        out[key] = fields
    if not out:
        raise DataFileError("header holds no parameters", path)
    return out


def _get(header: dict[str, dict[str, Any]], key: str, source: Path) -> Any:
    if key not in header or "value" not in header[key]:
        raise DataFileError(f"parameter {key} missing", source)
    return header[key]["value"]


def _int(header: dict[str, dict[str, Any]], key: str, source: Path) -> int:
    value = _get(header, key, source)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DataFileError(f"parameter {key} = {value!r} is not an integer", source) from None


def read_rs2d(path: str | os.PathLike[str], grpdly: float | None = None) -> VendorDataset:
    """Read an RS2D data folder (or a file in it).

    Parameters
    ----------
    path
        The folder holding ``header.xml`` and ``data.dat``.
    grpdly
        First-point delay in dwell times overriding the header's.
    """
    p = Path(path)
    folder = p.parent if p.is_file() else p
    header_path, data_path = folder / "header.xml", folder / "data.dat"
    if not header_path.is_file() or not data_path.is_file():
        raise DataFileError("not an RS2D folder: header.xml and data.dat needed", folder)
    header = read_header(header_path)
    dims = [_int(header, k, header_path) for k in ("RECEIVER_COUNT", "MATRIX_DIMENSION_4D",
                                                    "MATRIX_DIMENSION_3D", "MATRIX_DIMENSION_2D",
                                                    "MATRIX_DIMENSION_1D")]
    representation = header.get("DATA_REPRESENTATION", {}).get("value", "COMPLEX")
    first = representation[0] if isinstance(representation, list) else representation
    if str(first).upper() == "REAL":
        raise DataFileError("real (processed or magnitude) data; cald reads complex FIDs",
                            header_path)
    state = header.get("STATE", {}).get("value", "0")
    if any(str(s).strip() == "1" for s in (state if isinstance(state, list) else [state])):
        raise DataFileError("processed data (STATE 1); cald reads raw FIDs", header_path)
    check_points(tuple(dims), data_path.stat().st_size // 8, data_path, "RS2D data")
    if dims[0] != 1:
        raise DataFileError(f"{dims[0]} receivers: only single-receiver data are read",
                            header_path)
    with parsing(data_path, "RS2D data"):
        values = np.fromfile(data_path, ">c8", count=math.prod(dims))
    if data_path.stat().st_size != 8 * math.prod(dims):
        raise DataFileError(f"{data_path.stat().st_size} bytes, expected "
                            f"{8 * math.prod(dims)} for the header's dimensions {dims}",
                            data_path)
    data = values.astype(np.complex128).reshape(-1, dims[-1])
    if not np.all(np.isfinite(data)):
        raise DataFileError("holds non-finite values", data_path)
    data = data[0] if data.shape[0] == 1 else data
    nucleus = isotope_symbol(_get(header, "NUCLEUS_1", header_path), header_path, "NUCLEUS_1")
    base_hz = positive(_get(header, "BASE_FREQ_1", header_path), "BASE_FREQ_1", header_path)
    transmit_hz = positive(_get(header, "TRANSMIT_FREQ_1", header_path), "TRANSMIT_FREQ_1",
                           header_path)
    sw = positive(_get(header, "SPECTRAL_WIDTH", header_path), "SPECTRAL_WIDTH", header_path)
    if header["SPECTRAL_WIDTH"].get("numberEnum") == "FrequencyShift":
        sw *= base_hz * 1e-6
    if abs(transmit_hz / base_hz - 1) > 1e-3:
        raise DataFileError(f"TRANSMIT_FREQ_1 = {transmit_hz:g} Hz is not near BASE_FREQ_1 = "
                            f"{base_hz:g} Hz", header_path)
    removed = str(header.get("DIGITAL_FILTER_REMOVED", {}).get("value", "true")).lower()
    delay = 0.0
    if grpdly is not None:
        delay = float(grpdly)
    elif removed == "false" and "DIGITAL_FILTER_SHIFT" in header:
        delay = float(_int(header, "DIGITAL_FILTER_SHIFT", header_path))
    if not (math.isfinite(delay) and 0 <= delay < data.shape[-1]):
        raise DataFileError(f"first-point delay {delay:g} points does not fit the FID",
                            header_path)
    scans = _int(header, "NUMBER_OF_AVERAGES", header_path) if "NUMBER_OF_AVERAGES" in header \
        else 1
    return VendorDataset(
        path=folder, parameter_file=header_path, vendor="rs2d", nucleus=nucleus,
        sf_mhz=base_hz * 1e-6, carrier_mhz=transmit_hz * 1e-6, sw_hz=sw, group_delay=delay,
        data=data, scans=max(scans, 1),
        settings={"nucleus": (nucleus, None), "sw_hz": (sw, 1e-6),
                  "points": (data.shape[-1], None), "carrier_mhz": (transmit_hz * 1e-6, 1e-6)},
        parameters={k: v.get("value") for k, v in header.items()})
