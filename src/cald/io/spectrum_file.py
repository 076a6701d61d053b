"""Open any supported spectrum source: a Bruker folder, a JCAMP-DX file or a CSV table."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from cald.errors import DataFileError
from cald.io.table import read_table
from cald.spectrum import Spectrum

__all__ = ["read_spectrum", "read_pass_table", "JCAMP_SUFFIXES"]

JCAMP_SUFFIXES = (".dx", ".jdx", ".jcamp", ".jcm")
_CSV_AXES = {"ppm": "ppm", "hz": "hz", "ev": "ev", "be_ev": "ev", "cm-1": "cm-1",
             "wavenumber_cm-1": "cm-1", "nm": "nm", "wavelength_nm": "nm"}


def _read_csv_spectrum(path: Path, nucleus: str | None) -> Spectrum:
    table = read_table(path)
    axis_name = next((n for n in table.columns if n.lower() in _CSV_AXES), None)
    if axis_name is None:
        raise DataFileError("needs an axis column (ppm, hz, ev, cm-1 or nm) and 'intensity'", path)
    values = table.require("intensity")
    imag = table.find("imag")
    data = values + 1j * imag if imag is not None else values
    return Spectrum(data, table.columns[axis_name], _CSV_AXES[axis_name.lower()], nucleus, None,
                    None, str(path), ("read CSV spectrum",), {})


def read_spectrum(path: str | os.PathLike[str], nucleus: str | None = None,
                  use_processed: bool = False) -> Spectrum:
    """What a spectrum source holds, unprocessed: a Bruker folder's raw FID or series as a
    time-domain signal (TopSpin's processed ``1r`` with ``use_processed``), a JCAMP-DX file, or
    a CSV with an axis column and ``intensity`` (+ ``imag``). To get a processed spectrum from
    any of them use :func:`cald.read`."""
    from cald.io.bruker import processed_spectrum, raw_signal, read_bruker
    from cald.io.jcamp import read_jcamp

    p = Path(path)
    if not p.exists():
        raise DataFileError("no such file or folder", p)
    if p.is_dir():
        return processed_spectrum(p) if use_processed else raw_signal(read_bruker(p))
    if p.suffix.lower() in JCAMP_SUFFIXES:
        return read_jcamp(p)
    spec = _read_csv_spectrum(p, nucleus)
    if not np.all(np.isfinite(spec.axis)):
        raise DataFileError("axis column holds non-finite values", p)
    return spec


def read_pass_table(path: str | os.PathLike[str], nucleus: str | None = None,
                    sf_mhz: float | None = None) -> Spectrum:
    """PASS data (sideband-order-separated spectra) from a CSV with a ``ppm`` column and one
    column per sideband order named ``order_<k>`` (e.g. ``order_-2`` … ``order_2``): a 2D
    :class:`Spectrum` with the orders in ``meta["sideband_orders"]``."""
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
    return Spectrum(rows, ppm, "ppm", nucleus, sf_mhz, None, str(path), ("read PASS table",),
                    {"sideband_orders": [k for k, _ in orders]})
