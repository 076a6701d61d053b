"""Open any supported spectrum source: a Bruker folder, a JCAMP-DX file or a CSV table."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cald.errors import DataFileError
from cald.io.table import read_table
from cald.spectrum import Spectrum

__all__ = ["read_spectrum", "read_pass_table", "uniform_axis", "JCAMP_SUFFIXES", "ROUNDING_FRACTION"]

JCAMP_SUFFIXES = (".dx", ".jdx", ".jcamp", ".jcm")
_CSV_AXES = {"ppm": "ppm", "hz": "hz", "ev": "ev", "be_ev": "ev", "cm-1": "cm-1",
             "wavenumber_cm-1": "cm-1", "nm": "nm", "wavelength_nm": "nm"}


#: Deviations from a uniform axis up to this fraction of the step are rounding in the file.
ROUNDING_FRACTION = 0.1
#: Axis units of spectra that are uniform by nature (a Fourier transform's frequencies).
_UNIFORM_UNITS = ("ppm", "hz")


def uniform_axis(axis: NDArray[np.float64], values: NDArray[Any],
                 path: Path) -> tuple[NDArray[np.float64], NDArray[Any], str | None]:
    """An NMR frequency axis as written to a table, made exactly uniform.

    Deviations up to :data:`ROUNDING_FRACTION` of the step (an axis exported with few decimals)
    are rounding: the axis is replaced by the uniform one through its end points. Anything worse
    is re-gridded: the values are interpolated linearly onto the uniform axis and the returned
    note says so. A non-monotonic axis is a :class:`DataFileError` naming the file.
    """
    n = axis.size
    if n < 2:
        raise DataFileError(f"the axis needs at least 2 points, got {n}", path)
    steps = np.diff(axis) * np.sign(axis[-1] - axis[0])
    if not np.all(steps >= 0) or axis[-1] == axis[0]:
        k = int(np.flatnonzero(steps < 0)[0]) if np.any(steps < 0) else 0
        raise DataFileError(f"the axis is not monotonic (row {k + 2} of the data)", path)
    exact = np.linspace(axis[0], axis[-1], n)
    step = abs(float(axis[-1] - axis[0])) / (n - 1)
    worst = float(np.max(np.abs(axis - exact))) / step
    if worst <= 1e-6:  # uniform to the digits written: keep the numbers as read
        return axis, values, None
    if worst <= ROUNDING_FRACTION:
        return exact, values, None
    order = np.argsort(axis)
    regrid = np.interp(exact, axis[order], np.real(values)[..., order]) if values.ndim == 1 else \
        np.array([np.interp(exact, axis[order], row[order]) for row in np.real(values)])
    if np.iscomplexobj(values):
        regrid = regrid + 1j * np.interp(exact, axis[order], np.imag(values)[order])
    return exact, regrid, (f"{path}: axis not uniform (deviations up to {worst:.2g} of a step): "
                           f"re-gridded linearly onto {n} uniform points")


def _read_csv_spectrum(path: Path, nucleus: str | None) -> Spectrum:
    table = read_table(path)
    axis_name = next((n for n in table.columns if n.lower() in _CSV_AXES), None)
    if axis_name is None:
        raise DataFileError("needs an axis column (ppm, hz, ev, cm-1 or nm) and 'intensity'", path)
    values = table.require("intensity")
    imag = table.find("imag")
    data = values + 1j * imag if imag is not None else values
    axis, unit, history = table.columns[axis_name], _CSV_AXES[axis_name.lower()], ["read CSV spectrum"]
    if unit in _UNIFORM_UNITS and np.all(np.isfinite(axis)):
        axis, data, note = uniform_axis(axis, data, path)
        history += [note] if note else []
    return Spectrum(data, axis, unit, nucleus, None, None, str(path), tuple(history), {})


def read_spectrum(path: str | os.PathLike[str], nucleus: str | None = None,
                  use_processed: bool = False) -> Spectrum:
    """What a spectrum source holds, unprocessed: a raw-data folder's FID or series (any
    format of :data:`cald.io.nmrdata.RAW_FORMATS`) as a time-domain signal (TopSpin's processed
    ``1r`` with ``use_processed``), a JCAMP-DX file, or a CSV with an axis column and
    ``intensity`` (+ ``imag``). To get a processed spectrum from any of them use
    :func:`cald.read`."""
    from cald.io.bruker import processed_spectrum
    from cald.io.jcamp import read_jcamp
    from cald.io.nmrdata import is_raw, raw_signal, read_raw

    p = Path(path)
    if not p.exists():
        raise DataFileError("no such file or folder", p)
    if is_raw(p):
        return processed_spectrum(p) if use_processed else raw_signal(read_raw(p))
    if p.suffix.lower() in JCAMP_SUFFIXES:
        return read_jcamp(p)
    spec = _read_csv_spectrum(p, nucleus)
    if not np.all(np.isfinite(spec.axis)):
        raise DataFileError("axis column holds non-finite values", p)
    return spec


def _pass_from_pdata(path: Path, nucleus: str | None) -> Spectrum:
    """TopSpin's processed 2D PASS data: rows of ``2rr`` along F1 are the sideband orders, at
    F1 frequencies order × ν_r (ν_r = the F1 step, SW_p / SI of ``proc2s``)."""
    from cald.io.bruker import processed_2d

    spec = processed_2d(path)
    f1_hz = np.asarray(spec.meta["f1_hz"])
    if f1_hz.size < 3:
        raise DataFileError(f"PASS data need at least 3 rows (sideband orders), got {f1_hz.size}",
                            spec.source)
    step = abs(float(f1_hz[0] - f1_hz[1]))
    k = f1_hz / step
    orders = np.rint(k).astype(int)
    if np.max(np.abs(k - orders)) > 0.05:
        raise DataFileError("F1 rows are not at whole multiples of the F1 step (proc2s OFFSET, "
                            "SW_p, SI): not sideband orders of PASS data", spec.source)
    by_order = np.argsort(orders)
    return spec.evolve(np.asarray(spec.values)[by_order], "rows taken as sideband orders "
                       f"{orders.min()} … {orders.max()} (F1 step {step:g} Hz = MAS rate)",
                       nucleus=spec.nucleus or nucleus,
                       meta={"sideband_orders": orders[by_order].tolist(), "mas_hz": step})


def read_pass_table(path: str | os.PathLike[str], nucleus: str | None = None,
                    sf_mhz: float | None = None) -> Spectrum:
    """PASS data (sideband-order-separated spectra) from a CSV with a ``ppm`` column and one
    column per sideband order named ``order_<k>`` (e.g. ``order_-2`` … ``order_2``), or from a
    Bruker folder with TopSpin's processed 2D PASS data (``pdata/1/2rr`` + ``proc2s``, rows =
    sideband orders): a 2D :class:`Spectrum` with the orders in ``meta["sideband_orders"]``."""
    if Path(path).is_dir():
        return _pass_from_pdata(Path(path), nucleus)
    table = read_table(path)
    ppm = table.require("ppm")
    orders = []
    for name in table.columns:
        if name.lower().startswith("order_"):
            try:
                orders.append((int(name[6:]), name))
            except ValueError:
                raise DataFileError(f"column {name!r}: expected order_<integer>", path) from None
    if len(orders) < 3:
        raise DataFileError("PASS table needs 'ppm' and at least 3 columns order_<k>", path)
    orders.sort()
    rows = np.array([table.columns[name] for _, name in orders])
    ppm, rows, note = uniform_axis(ppm, rows, Path(path))
    return Spectrum(rows, ppm, "ppm", nucleus, sf_mhz, None, str(path),
                    ("read PASS table", *([note] if note else [])),
                    {"sideband_orders": [k for k, _ in orders]})
