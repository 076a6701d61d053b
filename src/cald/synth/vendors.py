"""Synthetic Spinsolve and RS2D data sets, written the way those programs store them.

For formats without public real data (RS2D) or whose public sets may not be redistributed
(Spinsolve), tests and the bad-file harness need files that exercise every convention the
readers translate: the FIDs of :func:`cald.synth.bruker.lines_fid` (cald's convention, t = 0
point halved) are written in the vendor's: Spinsolve stores the conjugate with the t = 0 point
whole, RS2D big-endian complex64.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
from numpy.typing import ArrayLike

from cald.synth.bruker import AcquisitionSetup

__all__ = ["write_rs2d", "write_spinsolve"]


def _prospa_file(path: Path, data: np.ndarray, dwell_s: float) -> None:
    """A Prospa ``data.1d`` (time axis in ms, then the points) or ``data.2d`` (rows only)."""
    rows = 1 if data.ndim == 1 else data.shape[0]
    n = data.shape[-1]
    header = np.array([0x50524F53, 0x44415441, 0x56312E31, 504 if rows == 1 else 501, n, rows,
                       1, 1], dtype="<u4")
    points = np.empty(2 * data.size, dtype="<f4")
    points[0::2], points[1::2] = np.real(data).ravel(), np.imag(data).ravel()
    axis = (np.arange(n) * dwell_s * 1e3).astype("<f4") if rows == 1 else np.empty(0, "<f4")
    path.write_bytes(header.tobytes() + axis.tobytes() + points.tobytes())


def write_spinsolve(folder: str | os.PathLike[str], setup: AcquisitionSetup,
                    fid: ArrayLike, p0_deg: float = 0.0,
                    delays_ms: tuple[float, float] | None = None) -> Path:
    """Write a Spinsolve folder: ``acqu.par``, ``proc.par`` and ``data.1d`` (one FID) or
    ``data.2d`` (rows, with ``minDelay``/``maxDelay``/``nrSteps`` from ``delays_ms``, linear).

    ``fid`` is in cald's convention with the t = 0 point halved (as :func:`lines_fid` makes it);
    the file holds its conjugate with the t = 0 point whole, as Spinsolve stores it.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    data = np.conj(np.asarray(fid, dtype=np.complex128))
    data[..., 0] *= 2.0
    rows = 1 if data.ndim == 1 else data.shape[0]
    centre_hz = setup.carrier_ppm * setup.bf1_mhz
    acqu: dict[str, Any] = {
        "b1Freq": setup.bf1_mhz, "bandwidth": setup.sw_hz / 1e3,
        "centerFreqPPM": setup.carrier_ppm, "dwellTime": 1e6 / setup.sw_hz,
        "experiment": '"Proton"' if rows == 1 else '"T1"',
        "lowestFrequency": centre_hz - setup.sw_hz / 2, "nrPnts": data.shape[-1],
        "nrScans": setup.ns, "nucleus": f'"{setup.nucleus}"', "rxGain": int(setup.rg),
        "Sample": '"cald synthetic"'}
    if delays_ms is not None:
        acqu.update(minDelay=delays_ms[0], maxDelay=delays_ms[1], nrSteps=rows,
                    delaySpacing='"lin"')
    (out / "acqu.par").write_text("".join(f"{k} = {v}\n" for k, v in sorted(acqu.items())))
    (out / "proc.par").write_text(f'apodizationFunction = "exp:0.5"\np0Phase = {p0_deg}\n'
                                  "p1Phase = 0\nzeroFill = 1\n")
    _prospa_file(out / ("data.1d" if rows == 1 else "data.2d"), data, 1.0 / setup.sw_hz)
    return out


def _entry(params: ElementTree.Element, key: str, *values: Any, **fields: str) -> None:
    entry = ElementTree.SubElement(params, "entry")
    ElementTree.SubElement(entry, "key").text = key
    value = ElementTree.SubElement(entry, "value")
    ElementTree.SubElement(value, "name").text = key
    for field, text in fields.items():
        ElementTree.SubElement(value, field).text = text
    for v in values:
        ElementTree.SubElement(value, "value").text = str(v)


def write_rs2d(folder: str | os.PathLike[str], setup: AcquisitionSetup,
               fid: ArrayLike, filter_shift: int = 0) -> Path:
    """Write an RS2D folder: ``header.xml`` and ``data.dat`` (big-endian complex64); rows of a
    series along the 2D dimension. ``filter_shift`` > 0 writes a digital-filter shift that
    has not been removed (the points are then expected delayed by it)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    data = np.atleast_2d(np.asarray(fid, dtype=np.complex128))
    root = ElementTree.Element("header")
    params = ElementTree.SubElement(root, "params")
    _entry(params, "RECEIVER_COUNT", 1)
    _entry(params, "MATRIX_DIMENSION_1D", data.shape[1])
    _entry(params, "MATRIX_DIMENSION_2D", data.shape[0])
    _entry(params, "MATRIX_DIMENSION_3D", 1)
    _entry(params, "MATRIX_DIMENSION_4D", 1)
    _entry(params, "DATA_REPRESENTATION", "COMPLEX", "COMPLEX", "COMPLEX", "COMPLEX")
    _entry(params, "STATE", 0, 0, 0, 0)
    _entry(params, "NUCLEUS_1", setup.nucleus)
    _entry(params, "BASE_FREQ_1", repr(setup.bf1_mhz * 1e6), numberEnum="Frequency")
    _entry(params, "TRANSMIT_FREQ_1", repr(setup.sfo1_mhz * 1e6), numberEnum="Frequency")
    _entry(params, "SPECTRAL_WIDTH", repr(setup.sw_hz), numberEnum="Frequency")
    _entry(params, "NUMBER_OF_AVERAGES", setup.ns)
    _entry(params, "DIGITAL_FILTER_SHIFT", filter_shift)
    _entry(params, "DIGITAL_FILTER_REMOVED", "false" if filter_shift else "true")
    ElementTree.ElementTree(root).write(out / "header.xml", encoding="utf-8",
                                        xml_declaration=True)
    (out / "data.dat").write_bytes(data.astype(">c8").tobytes())
    return out
