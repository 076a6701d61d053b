"""Read any spectrum source and process it: the one call behind ``cald.read(path)``.

The readers of :mod:`cald.io` return what a file holds (a Bruker data set with its raw FID and
its processing parameters as :class:`~cald.processing_options.ProcessingOptions`, a JCAMP-DX or
CSV spectrum, TopSpin's processed spectrum); this layer above them and :mod:`cald.nmr` turns a
source into a processed 1D spectrum, as ``cald nmr process`` and the spectrum-reading analysis
kinds need it:

* a raw-data folder of any format of :data:`cald.io.nmrdata.RAW_FORMATS` (Bruker,
  Varian/Agilent, …): the raw FID processed with the stored parameters (overridden by the
  caller's), or for Bruker TopSpin's own ``1r`` with ``processed=True``; a series (Bruker
  ``ser``, Varian array) needs ``row`` (1 = first row, as TopSpin counts), and the row is
  processed as a 1D FID;
* ``cpmg=True``: the echoes of the (row's) CPMG train are summed first
  (:func:`cald.nmr.cpmg.sum_echoes`, echo period from the data set's D6, D3, P2 unless
  ``echo_period_s`` is given); the summed echo gets no window and no stored phase (the stored
  parameters belong to the train), only the caller's options;
* a JCAMP-DX or CSV file: read, and transformed with the options when it holds an FID.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cald.errors import DataFileError, ParameterError
from cald.processing_options import ProcessingOptions
from cald.spectrum import Spectrum

__all__ = ["read", "read_title"]


def _raw(path: Path, processed: bool, row: int | None, cpmg: bool,
         echo_period_s: float | None, grpdly: float | None,
         overrides: dict[str, Any]) -> Spectrum:
    from cald.io.bruker import processed_spectrum
    from cald.io.nmrdata import detect_raw_format, raw_signal, read_raw
    from cald.nmr.processing import finish_spectrum, fourier_transform, process_fid

    if processed:
        if row is not None or cpmg:
            raise ParameterError("--row and --cpmg work on the raw data, not on TopSpin's "
                                 "processed spectrum (--processed)")
        vendor = detect_raw_format(path)
        if vendor != "bruker":
            raise ParameterError(f"--processed reads TopSpin's processed spectrum (pdata/N/1r); "
                                 f"{path} is {vendor} data: process the raw FID instead")
        return finish_spectrum(processed_spectrum(path),
                               ProcessingOptions().with_overrides(**overrides))
    ds = read_raw(path, grpdly=grpdly)
    if ds.is_series:
        n_rows = ds.shape[0]
        if row is None:
            what = "a series (ser)" if ds.vendor == "bruker" else f"a {ds.vendor} array"
            raise DataFileError(f"{what} of {n_rows} rows; choose one with --row N "
                                "(row in the project file)", path)
        if not 1 <= row <= n_rows:
            raise ParameterError(f"--row {row} is outside the series' rows 1–{n_rows}")
        sig = raw_signal(ds, (row - 1, row))  # only that row is read
        sig = sig.evolve(sig.values[0], f"row {row} of {n_rows}")
    elif row not in (None, 1):
        raise ParameterError(f"--row {row}: {path} holds one FID, not a series")
    else:
        sig = raw_signal(ds)
    if not cpmg:
        return process_fid(sig, ds.processing, **overrides)
    from cald.nmr.cpmg import echo_period_s as stored_period
    from cald.nmr.cpmg import sum_echoes

    period = stored_period(ds) if echo_period_s is None else echo_period_s
    opts = ProcessingOptions().with_overrides(**overrides)
    spec = fourier_transform(sum_echoes(sig, period, size=opts.size))
    return finish_spectrum(spec, opts)


def read(source: str | os.PathLike[str], *, processed: bool = False, row: int | None = None,
         cpmg: bool = False, echo_period_s: float | None = None, grpdly: float | None = None,
         nucleus: str | None = None, **overrides: Any) -> Spectrum:
    """A processed 1D spectrum from a raw-data folder, a JCAMP-DX file or a CSV table.

    Parameters
    ----------
    source
        Raw-data folder (Bruker experiment folder or its ``pdata/N``, Varian/Agilent ``.fid``
        folder, …), JCAMP-DX file or CSV with an axis column and ``intensity`` (+ ``imag``).
    processed
        Take TopSpin's processed ``1r`` instead of processing the raw FID.
    row
        Row of a series (Bruker ``ser``, Varian array) to take, 1 = first.
    cpmg, echo_period_s
        Sum the echoes of a CPMG train before the transform; echo period (s) if not stored.
    grpdly
        Digital-filter delay in dwell times, for data sets whose delay is not stored.
    nucleus
        Observed isotope of a CSV spectrum (other sources carry it).
    overrides
        Fields of :class:`~cald.processing_options.ProcessingOptions` (``lb_hz``, ``size``,
        ``p0_deg``, ``p1_deg``, ``auto_phase``, ``baseline``, ``shift_ppm`` …); ``None`` keeps
        the stored value.
    """
    from cald.io.nmrdata import is_raw
    from cald.io.spectrum_file import read_spectrum
    from cald.nmr.processing import finish_spectrum, process_fid

    path = Path(source)
    if is_raw(path):
        return _raw(path, processed, row, cpmg, echo_period_s, grpdly, overrides)
    if row not in (None, 1) or cpmg:
        raise ParameterError(f"--row and --cpmg need a raw NMR data set, not the file {path}")
    spec = read_spectrum(path, nucleus=nucleus)
    if spec.is_time_domain:
        return process_fid(spec, None, **overrides)
    return finish_spectrum(spec, ProcessingOptions().with_overrides(**overrides))


def read_title(source: str | os.PathLike[str]) -> str:
    """The title a spectrum source states: a Bruker folder's ``pdata/1/title`` (the title of
    other raw formats), a JCAMP-DX ``TITLE``; empty for CSV (which has none)."""
    from cald.io.jcamp import read_jcamp
    from cald.io.nmrdata import is_raw, read_raw
    from cald.io.spectrum_file import JCAMP_SUFFIXES

    path = Path(source)
    if is_raw(path):
        return read_raw(path).title
    if path.suffix.lower() in JCAMP_SUFFIXES:
        return str(read_jcamp(path).meta.get("title", ""))
    return ""
