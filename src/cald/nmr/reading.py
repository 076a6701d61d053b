"""Read any supported file or folder: the one call behind ``cald.read(path)``.

:func:`read` finds the format (:func:`cald.io.detect.detect_format`, refined for text tables
and JCAMP-DX by their header: NMR, UV-vis, FTIR or XPS) and hands the path to the reader of
that format in :data:`READERS` (a new format is one line there). What comes back:

=============================  ============================================================
source                         returns
=============================  ============================================================
Bruker experiment folder       a processed 1D :class:`~cald.spectrum.Spectrum` (below)
Bruker pseudo-2D (``ser``)     the series: a 2D ``Spectrum``, every row processed alike
raw NMR of other vendors       as Bruker (:data:`~cald.io.nmrdata.RAW_FORMATS`)
JCAMP-DX, NMR CSV              the spectrum (an FID is transformed)
UV-vis CSV / text export       absorbance against wavelength (nm)
FTIR CSV / JCAMP-DX            absorbance against wavenumber (cm⁻¹)
VAMAS (CasaXPS too), XPS CSV   cps against calibrated binding energy (eV); a file of several
                               blocks: ``{block label: Spectrum}`` (or ``block=`` one)
CasaXPS column export          CPS against binding energy, the fit's components in ``meta``
structure (xyz, CIF, traj)     an ``ase.Atoms`` (the last frame), as ``ase.io.read`` gives
=============================  ============================================================

The NMR part (:func:`read_nmr`, what the analysis kinds and ``cald nmr`` use) processes:

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

A Bruker folder gives by default the raw FID processed with the data set's own stored
parameters (``procs``: window, zero fill, phases), so that the result is TopSpin's spectrum
made again from the raw data, every step in its history and any parameter overridable;
``processed=True`` takes TopSpin's ``1r``/``1i`` as they are, and :func:`read` takes them too
when the folder has no raw data.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cald.errors import DataFileError, ParameterError
from cald.processing_options import ProcessingOptions
from cald.spectrum import Spectrum

if TYPE_CHECKING:
    from cald.io.nmrdata import NmrDataset

__all__ = ["READERS", "read", "read_comparison", "read_nmr", "read_title"]


def _raw(path: Path, processed: bool, row: int | None, cpmg: bool,
         echo_period_s: float | None, grpdly: float | None,
         overrides: dict[str, Any]) -> Spectrum:
    from cald.io.bruker import processed_spectrum
    from cald.io.nmrdata import detect_raw_format, read_raw
    from cald.nmr.processing import finish_spectrum

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
    return _dataset_spectrum(read_raw(path, grpdly=grpdly), path, row, cpmg, echo_period_s,
                             overrides)


def _dataset_spectrum(ds: NmrDataset, path: Path, row: int | None, cpmg: bool,
                      echo_period_s: float | None, overrides: dict[str, Any]) -> Spectrum:
    """The processed 1D spectrum of a raw data set already read (a series: its ``row``)."""
    from cald.io.nmrdata import raw_signal
    from cald.nmr.processing import finish_spectrum, fourier_transform, process_fid

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


def read_nmr(source: str | os.PathLike[str], *, processed: bool = False, row: int | None = None,
             cpmg: bool = False, echo_period_s: float | None = None, grpdly: float | None = None,
             nucleus: str | None = None, **overrides: Any) -> Spectrum:
    """A processed 1D spectrum from a raw-data folder, a JCAMP-DX file or a CSV table (a
    series needs ``row``; :func:`read` gives the whole series).

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


def _nmr(path: Path, *, processed: bool = False, row: int | None = None, cpmg: bool = False,
         grpdly: float | None = None, **options: Any) -> Spectrum:
    """:func:`read_nmr`, except that a raw series without ``row`` (a Bruker ``ser``, a Varian
    array …) is the whole series: every row processed with the same stored parameters and phase
    (TopSpin's ``xf2``,
    :func:`cald.nmr.pseudo2d.process_series`), one row per increment, and that a folder whose
    raw data were deleted (no ``fid``/``ser``, a ``pdata/1/1r``) gives TopSpin's spectrum."""
    if (path.is_dir() and not (path / "fid").is_file() and not (path / "ser").is_file()
            and (path / "pdata" / "1" / "1r").is_file()):
        processed = True
    from cald.io.nmrdata import RAW_FORMATS, read_raw

    formats = [name for name, f in RAW_FORMATS.items() if f.detect(path)]
    if row is None and not cpmg and not processed and len(formats) == 1:
        from cald.nmr.pseudo2d import process_series

        ds = read_raw(path, formats[0], grpdly=grpdly)  # read once, whether series or not
        if not ds.is_series:
            overrides = {k: v for k, v in options.items() if k not in ("nucleus", "echo_period_s")}
            return _dataset_spectrum(ds, path, None, False, None, overrides)
        if options.keys() - ProcessingOptions.__dataclass_fields__.keys():
            raise ParameterError(f"option(s) {', '.join(sorted(options))} do not apply to "
                                 "a whole series")
        p0, p1 = options.pop("p0_deg", None), options.pop("p1_deg", None)
        phases = None if p0 is None and p1 is None else (
            ds.processing.p0_deg if p0 is None else p0, ds.processing.p1_deg if p1 is None else p1)
        return process_series(ds, options.pop("auto_phase", None), phases, **options)
    return read_nmr(path, processed=processed, row=row, cpmg=cpmg, grpdly=grpdly, **options)


def _uvvis(path: Path, **options: Any) -> Spectrum:
    from cald.io.uvvis import read_uvvis

    return read_uvvis(path, **options)


def _ftir(path: Path) -> Spectrum:
    from cald.io.ir import read_ir

    return read_ir(path)


def _xps(path: Path, *, block: str | int | None = None) -> Spectrum | dict[str, Spectrum]:
    """The blocks of an XPS file as spectra: cps against the calibrated binding energy (eV),
    the counts, technique and block label in ``meta``; ``block`` (label or 1-based index)
    picks one."""
    from cald.io.vamas import read_xps

    vamas = read_xps(path)
    spectra: dict[str, Spectrum] = {}
    for b in vamas.blocks:
        be = b.calibrated_binding_energy_ev
        if be is None:
            continue  # not photoemission (AES): no binding-energy axis
        label = b.label if b.label not in spectra else f"{b.label} ({b.index + 1})"
        spectra[label] = Spectrum(
            np.asarray(b.cps, dtype=float), np.asarray(be, dtype=float), "ev",
            source=str(vamas.path), history=(f"block {b.index + 1} ({b.label}): cps against "
                                             "calibrated binding energy",),
            meta={"block": b.label, "technique": b.technique, "counts": np.asarray(b.counts),
                  "calibration_shift_ev": b.calibration_shift_ev, "notes": list(b.notes)})
    if not spectra:
        raise DataFileError("no photoemission block (no binding-energy axis)", path)
    if block is None:
        return next(iter(spectra.values())) if len(spectra) == 1 else spectra
    labels = list(spectra)
    if isinstance(block, int) and not isinstance(block, bool) and 1 <= block <= len(labels):
        return spectra[labels[block - 1]]
    if block in spectra:
        return spectra[str(block)]
    raise ParameterError(f"block {block!r} not in {path} (blocks: {', '.join(labels)}; or 1–"
                         f"{len(labels)})")


def _casa(path: Path) -> Spectrum:
    from cald.io.casa_export import read_casa_export

    return read_casa_export(path)


def _structure(path: Path) -> Any:
    from cald.io.structure import read_structure

    return read_structure(path)


#: Format name → reader ``reader(path, **options)``: what :func:`read` calls for the format
#: :func:`detect` names. A new format is one entry here (and its name in
#: :func:`cald.io.detect.detect_format`).
READERS: dict[str, Callable[..., Any]] = {
    "bruker": _nmr,
    "nmr": _nmr,
    "jcamp": _nmr,
    "csv": _nmr,
    "uvvis": _uvvis,
    "ftir": _ftir,
    "vamas": _xps,
    "xps": _xps,
    "casa": _casa,
    "structure": _structure,
}

def _suffix_format(suffix: str) -> str | None:
    """The format a file suffix names, for files whose content :func:`detect_format` cannot
    tell (a table of two rows, a damaged file), so that the reader's own error says what is
    wrong."""
    from cald.io.spectrum_file import JCAMP_SUFFIXES
    from cald.io.structure import STRUCTURE_FORMATS

    if suffix in (".csv", ".tsv", ".txt", ".dat"):
        return "csv"
    if suffix in JCAMP_SUFFIXES:
        return "jcamp"
    if suffix in (".vms", ".npl"):
        return "vamas"
    return "structure" if suffix in STRUCTURE_FORMATS else None


_WAVENUMBER_COLUMN = re.compile(r"^(wavenumbers?|nu|cm-1|cm\^-1|wavenumber[ _(]*cm-?1\)?)$")
_JCAMP_TYPE = re.compile(r"^##DATA ?TYPE=\s*(.*)$", re.MULTILINE | re.IGNORECASE)


def _table_format(head: str) -> str:
    """Which reader a text table needs, from its first header row: ``casa`` (CasaXPS's column
    export), ``xps``
    (``binding_energy_ev``, ``counts`` …), ``csv`` (an ``intensity``, ``ppm`` or ``hz`` column:
    NMR and generic spectra),
    ``ftir`` (a wavenumber column, or JASCO's ``XUNITS 1/CM``), else ``uvvis`` (wavelength
    columns and instrument exports)."""
    if re.search(r"^XUNITS[\s,;]+1/CM", head, re.MULTILINE | re.IGNORECASE):
        return "ftir"
    if re.search(r"^(\tCharacteristic Energy eV\t|[BK]\.E\.\t)", head, re.MULTILINE):
        return "casa"
    for line in head.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        names = [c.strip().strip('"').lower() for c in re.split(r"[,;\t]| {2,}", line)]
        if {"binding_energy_ev", "kinetic_energy_ev", "counts", "cps"} & set(names):
            return "xps"
        if {"intensity", "ppm", "hz"} & set(names):
            return "csv"
        if any(_WAVENUMBER_COLUMN.match(n) for n in names):
            return "ftir"
        break
    return "uvvis"


def detect(path: str | os.PathLike[str]) -> str | None:
    """The :data:`READERS` name for ``path``: :func:`cald.io.detect.detect_format`, a text table
    refined by its header (:func:`_table_format`) and an infrared JCAMP-DX (``##DATA TYPE=``
    INFRARED …) named ``ftir``; any other folder is ``nmr``, a raw-data folder for
    :func:`read_nmr` (a Bruker ``pdata/N``, or that reader's own error). ``None``: not a format
    cald reads."""
    from cald.io.detect import detect_format, read_head
    from cald.io.nmrdata import is_raw

    p = Path(path)
    fmt = detect_format(p)
    if fmt is None and is_raw(p):  # any other folder, or a raw file of another vendor (.jdf …)
        return "nmr"
    if fmt is None:  # too short or damaged to tell: the suffix names the reader, which says why
        fmt = _suffix_format(p.suffix.lower())
    if fmt in ("csv", "jcamp"):
        head = (read_head(p) or b"").decode("latin-1")
        if fmt == "csv":
            return _table_format(head)
        m = _JCAMP_TYPE.search(head)
        if m and "INFRARED" in m.group(1).upper():
            return "ftir"
    return fmt


def read(source: str | os.PathLike[str], *, format: str | None = None, **options: Any) -> Any:
    """Read any file or folder cald supports (the table in :mod:`cald.nmr.reading`).

    Parameters
    ----------
    source
        A Bruker experiment folder (or its ``pdata/N``), JCAMP-DX, CSV/text spectrum (NMR,
        UV-vis, FTIR, XPS), VAMAS or CasaXPS export, or structure file.
    format
        One of :data:`READERS` to skip detection (e.g. ``"uvvis"`` for an instrument export).
    options
        Options of the format's reader. NMR (Bruker, JCAMP-DX, CSV): those of
        :func:`read_nmr` (``processed``, ``row``, ``cpmg``, ``echo_period_s``, ``grpdly``,
        ``nucleus`` and processing overrides such as ``lb_hz``, ``size``, ``p0_deg``,
        ``auto_phase``, ``baseline``); UV-vis: ``saturation_absorbance``; XPS: ``block``
        (label or 1-based index).

    Returns
    -------
    Spectrum, dict of Spectrum or ase.Atoms
        See the table in :mod:`cald.nmr.reading`.

    Raises
    ------
    DataFileError
        A missing path, a format cald does not read, or a damaged file (the reader's error),
        naming the file.
    ParameterError
        An option the format's reader does not take, or an unknown ``format``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "abs.csv"
    >>> _ = path.write_text("wavelength_nm,absorbance\\n" + "".join(
    ...     f"{400 + i},{0.1 + 0.001 * i}\\n" for i in range(50)))
    >>> spec = read(path)
    >>> spec.unit, spec.n_points
    ('nm', 50)
    """
    path = Path(source)
    if not path.exists():
        raise DataFileError("no such file or folder", path)
    fmt = format or detect(path)
    if fmt is None:
        raise DataFileError(f"not a format cald reads (known: {', '.join(READERS)}; give "
                            "format= when the detection is wrong)", path)
    if fmt not in READERS:
        raise ParameterError(f"unknown format {fmt!r}; known: {', '.join(READERS)}")
    reader = READERS[fmt]
    takes = inspect.signature(reader).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in takes.values()):
        extra = sorted(set(options) - set(takes))
        if extra:
            raise ParameterError(f"option(s) {', '.join(extra)} do not apply to {fmt} files "
                                 f"({path})")
    return reader(path, **options)


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


def read_comparison(source: str | os.PathLike[str], like: Spectrum) -> Spectrum:
    """A spectrum to draw over ``like`` (e.g. a SIMPSON simulation over a measured spectrum).

    A SIMPSON file (:func:`cald.io.simpson.read_simpson`) has frequencies relative to the rf
    carrier: they are placed at ``like``'s carrier and referenced to its 0-ppm frequency (an
    FID is transformed first); any other source is read and processed as :func:`read_nmr` does
    (a 1D spectrum: a series needs a row)."""
    from cald.io.simpson import is_simpson, read_simpson
    from cald.nmr.processing import fourier_transform

    path = Path(source)
    if not is_simpson(path):
        return read_nmr(path, nucleus=like.nucleus)
    if like.sf_mhz is None or like.carrier_mhz is None:
        raise ParameterError(f"{like.source} has no spectrometer and carrier frequencies to put "
                             "the SIMPSON frequencies on")
    sim = read_simpson(path, nucleus=like.nucleus)
    if sim.is_time_domain:
        sim = fourier_transform(sim.evolve(sim.values, "at the measured carrier",
                                           sf_mhz=like.sf_mhz, carrier_mhz=like.carrier_mhz))
        return sim
    ppm = (like.carrier_mhz * 1e6 + sim.axis - like.sf_mhz * 1e6) / like.sf_mhz
    return sim.evolve(sim.values, "frequencies placed at the measured carrier", axis=ppm,
                      unit="ppm", sf_mhz=like.sf_mhz, carrier_mhz=like.carrier_mhz)
