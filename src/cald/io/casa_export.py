"""CasaXPS's text export of a fitted region ("Export → Lineshapes/Spectra as columns").

Layout (tab-separated, checked against CasaXPS 2.3.25's own export of a Fe 2p fit, see
``tests/data/xps_models/README.md``):

* line 1: the region (``Cycle 0:FeO:Fe2p``);
* a line ``Characteristic Energy eV <hν> Acquisition Time s <t>``;
* the component table, one row per quantity (``Name``, ``Position`` — binding energy, eV —,
  ``FWHM`` (eV), ``Area`` (CPS·eV), ``Lineshape``), one column per component after two leading
  cells;
* the column header: ``K.E.``, ``Counts``, one column per component, ``Background``,
  ``Envelope``, an empty column, then ``B.E.``, ``CPS``, the components, ``Background CPS``,
  ``Envelope CPS`` (either half may be missing: an export of the B.E. half only, or of the
  K.E. half, whose binding energy is hν − KE);
* the data, one row per point.

:func:`read_casa_export` returns the CPS against binding energy as a
:class:`~cald.spectrum.Spectrum`; the components (their table and curves, each drawn on top of
the background as CasaXPS exports them), the background and the envelope are in ``meta``.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from cald.errors import DataFileError
from cald.spectrum import Spectrum

__all__ = ["MAX_BYTES", "read_casa_export"]

#: Larger files are refused (an export of one region is a few hundred kB).
MAX_BYTES = 50_000_000
_TABLE_ROWS = {"Name": "name", "Position": "position_ev", "FWHM": "fwhm_ev", "Area": "area",
               "Lineshape": "lineshape"}


def _number(cell: str, what: str, path: Path) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise DataFileError(f"{what}: {cell!r} is not a number", path) from None
    if not math.isfinite(value):
        raise DataFileError(f"{what}: {cell!r} is not finite", path)
    return value


def _header_energy(lines: list[str], path: Path) -> tuple[float | None, float | None]:
    """hν and the acquisition time from the ``Characteristic Energy eV`` line (``None`` when
    absent)."""
    for line in lines[:3]:
        cells = [c.strip() for c in line.split("\t")]
        if "Characteristic Energy eV" in cells:
            found = dict(zip(cells[::1], cells[1:], strict=False))
            energy = _number(found["Characteristic Energy eV"], "Characteristic Energy eV", path)
            time = found.get("Acquisition Time s")
            return energy, None if time is None else _number(time, "Acquisition Time s", path)
    return None, None


def read_casa_export(path: str | os.PathLike[str]) -> Spectrum:
    """Read a CasaXPS column export of one region (layout in the module docstring).

    Returns
    -------
    Spectrum
        CPS against binding energy (eV, the file's order); ``meta``: ``region``,
        ``source_energy_ev``, ``acquisition_s``, ``components`` (one dict per component:
        ``name``, ``position_ev``, ``fwhm_ev``, ``area``, ``lineshape`` and ``curve``, its CPS
        on top of the background), ``background`` and ``envelope`` (CPS, ``None`` when not
        exported).

    Raises
    ------
    DataFileError
        No ``B.E.``/``K.E.`` column header, a K.E. export without the characteristic energy,
        rows of different lengths, a cell that is not a finite number, fewer than 2 points.
    """
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise DataFileError(f"larger than {MAX_BYTES} bytes: not a CasaXPS export", p)
        lines = p.read_bytes().decode("latin-1").splitlines()
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror or exc}", p) from None
    head = next((i for i, line in enumerate(lines)
                 if {"B.E.", "K.E."} & {c.strip() for c in line.split("\t")}), None)
    if head is None:
        raise DataFileError("no column header with B.E. or K.E.: not a CasaXPS column export", p)
    columns = [c.strip() for c in lines[head].split("\t")]
    energy_ev, acquisition_s = _header_energy(lines[:head], p)
    table: dict[str, list[str]] = {}
    for line in lines[1:head]:
        cells = line.split("\t")
        if cells[0].strip() in _TABLE_ROWS:
            table[_TABLE_ROWS[cells[0].strip()]] = [c.strip() for c in cells[2:] if c.strip()]
    rows = []
    for k, line in enumerate(lines[head + 1:], start=head + 2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(columns):
            raise DataFileError(f"line {k}: {len(cells)} cells, the header has {len(columns)}", p)
        rows.append([math.nan if not c.strip() else _number(c, f"line {k}", p) for c in cells])
    if len(rows) < 2:
        raise DataFileError(f"{len(rows)} data row(s): not a spectrum", p)
    data = np.array(rows, dtype=float)
    if "B.E." in columns:
        start = columns.index("B.E.")
        be = data[:, start]
    else:
        if energy_ev is None:
            raise DataFileError("a K.E. export needs the 'Characteristic Energy eV' line", p)
        start = columns.index("K.E.")
        be = energy_ev - data[:, start]
    block = columns[start:]
    end = next((i for i, c in enumerate(block) if not c), len(block))
    block = block[:end]
    if len(block) < 2:
        raise DataFileError(f"no intensity column after {columns[start]}", p)
    values = data[:, start + 1]
    names = [c for c in block[2:] if not c.startswith(("Background", "Envelope"))]
    if not (np.all(np.isfinite(be)) and np.all(np.isfinite(values))):
        raise DataFileError("empty cells in the energy or intensity column", p)

    def column(prefix: str) -> np.ndarray | None:
        hit = next((i for i, c in enumerate(block) if c.startswith(prefix)), None)
        return None if hit is None else data[:, start + hit]

    n = len(names)
    for key, cells in table.items():
        if len(cells) != n:
            raise DataFileError(f"component table row {key!r} has {len(cells)} entries for {n} "
                                "component columns", p)
    components = []
    for i, name in enumerate(names):
        comp: dict[str, Any] = {"name": name}
        for key, cells in table.items():
            comp[key] = cells[i] if key in ("name", "lineshape") else _number(cells[i], key, p)
        comp["curve"] = data[:, start + 2 + i]
        components.append(comp)
    unit_note = "CPS" if block[1] == "CPS" else block[1]
    return Spectrum(values, be, "ev", source=str(p),
                    history=(f"CasaXPS export: {unit_note} against binding energy",),
                    meta={"region": lines[0].strip(), "source_energy_ev": energy_ev,
                          "acquisition_s": acquisition_s, "components": components,
                          "background": column("Background"), "envelope": column("Envelope")})
