"""XPS spectra from CSV tables ``binding_energy_ev,counts`` (or ``cps``), returned as a
:class:`~cald.io.vamas.VamasFile` of one block so that every XPS consumer reads one type."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from cald.errors import DataFileError, ParameterError
from cald.io.table import read_table
from cald.io.vamas import AL_KALPHA_EV, VamasBlock, VamasFile

__all__ = ["read_xps_csv"]


def read_xps_csv(path: str | os.PathLike[str], source_energy_ev: float = AL_KALPHA_EV,
                 dwell_s: float = 1.0, scans: int = 1) -> VamasFile:
    """Read a CSV table ``binding_energy_ev,counts`` (more columns allowed and ignored, ``#``
    comment lines skipped) as a file of one block named after the file.

    Parameters
    ----------
    path
        The table; the header row must name ``binding_energy_ev`` and ``counts`` (or ``cps``).
    source_energy_ev
        Photon energy hν (eV) for the kinetic energies; Al Kα by default.
    dwell_s, scans
        Collection time per point (s) and scans, for ``cps`` from ``counts`` or back.

    Raises
    ------
    ParameterError
        A non-positive source energy, dwell time or number of scans.
    DataFileError
        No such columns, a value that is not a number, fewer than 3 rows, negative or
        non-finite counts, a non-monotonic energy axis.
    """
    p = Path(path)
    if not (math.isfinite(source_energy_ev) and source_energy_ev > 0):
        raise ParameterError(f"source energy must be positive, got {source_energy_ev} eV")
    if not (math.isfinite(dwell_s) and dwell_s > 0) or scans < 1:
        raise ParameterError(f"dwell_s and scans must be positive, got {dwell_s} s, {scans}")
    table = read_table(p)
    be_col, counts_col, cps_col = (table.find(n) for n in ("binding_energy_ev", "counts", "cps"))
    if be_col is None or (counts_col is None and cps_col is None):
        raise DataFileError(f"columns binding_energy_ev and counts (or cps) expected, found "
                            f"{', '.join(table.columns)}", p)
    is_rate = counts_col is None
    be = np.asarray(be_col, dtype=float)
    y = np.asarray(cps_col if counts_col is None else counts_col, dtype=float)
    if be.size < 3:
        raise DataFileError(f"{be.size} rows: at least 3 expected", p)
    if not (np.all(np.isfinite(be)) and np.all(np.isfinite(y))):
        raise DataFileError("non-finite number in the table", p)
    if np.any(y < 0):
        raise DataFileError(f"negative counts in row {int(np.flatnonzero(y < 0)[0]) + 1}", p)
    steps = np.diff(be)
    if not (np.all(steps > 0) or np.all(steps < 0)):
        raise DataFileError("binding_energy_ev is not monotonic", p)
    counts, cps = (y * dwell_s * scans, y) if is_rate else (y, y / (dwell_s * scans))
    block = VamasBlock(
        name=p.stem, sample_id="", technique="XPS", species="", transition="", index=0,
        source_label="", source_energy_ev=float(source_energy_ev), work_function_ev=None,
        pass_energy_ev=None, analyser_mode="", axis="binding",
        kinetic_energy_ev=source_energy_ev - be, binding_energy_ev=be, counts=counts, cps=cps,
        ordinate="cps" if is_rate else "counts", dwell_s=float(dwell_s), scans=int(scans))
    return VamasFile(path=p, blocks=(block,))
